"""In-place writes into views of every kind (`x.T`, `view`, `reshape`, `unsqueeze`,
`squeeze`, `flatten`, `permute`, `expand`, `narrow`, `diagonal`, `detach()`, the outputs
of `unbind`/`split`/`chunk`), compared with PyTorch: values, first and second
derivatives, and the errors it raises."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.usefixtures("walk_kind")  # every test on both walks


def _col(lib, v):
    return v.reshape(-1, 1)


# Each program takes the library (autograd or torch) and two leaves, a (6 elements) and
# w (3), and returns the loss and the tensors whose values to compare.
def _transpose_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    earlier = x * 2  # used before the write: its gradient goes to x as it was
    y = x.T
    y += _col(lib, w)
    return (x**2).sum() + (y * y * 3).sum() + (earlier * w).sum(), [x, y]


def _view_mul_(lib, a, w):
    x = a.reshape(2, 3) * 1
    column = x[:, 1]  # another live view, made before the write
    x.view(3, 2).mul_(_col(lib, w))
    return (x**3).sum() + (column * 5).sum() * column.sum(), [x, column]


def _reshape_view_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    r = x.reshape(3, 2)  # a view (x is contiguous)
    r -= _col(lib, w) ** 2
    return (x * a.reshape(2, 3)).sum() + (r**2).sum(), [x, r]


def _unsqueeze_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    u = x.unsqueeze(0)
    u -= w
    u *= w
    return (x.exp()).sum() + (u * u).sum(), [x, u]


def _squeeze_written(lib, a, w):
    x = a.reshape(1, 6) * 1
    s = x.squeeze(0)
    s *= a
    return (x * x).sum() + s.sum() * w.sum(), [x, s]


def _flatten_slice_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    f = x.flatten()
    f[2:5] += w  # a view of a view
    return (x.sin()).sum() + (f**2).sum(), [x, f]


def _permute_written(lib, a, w):
    x = a.reshape(1, 2, 3) * 1
    p = x.permute(2, 0, 1)
    p /= w.reshape(3, 1, 1) ** 2 + 1
    return (x**2).sum() + (p * 2).sum(), [x, p]


def _expand_without_repeats_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    e = x.expand(2, 3)  # the same shape: no element repeats, so it can be written
    e += w
    return (x**2).sum() + (e * w).sum(), [x, e]


def _narrow_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    n = x.narrow(1, 1, 2)
    n *= w[:2]
    return (x**2).sum() + (n**2).sum(), [x, n]


def _diagonal_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    d = x.diagonal(1)
    d += w[1:] ** 2
    main = x.diagonal()
    main *= w[:2]
    return (x**2).sum() + (d * main).sum(), [x, d, main]


def _base_written_with_views_alive(lib, a, w):
    x = a.reshape(2, 3) * 1
    t, r, row, n = x.T, x.view(6), x[1], x.narrow(1, 0, 2)
    x += w  # each view sees the write, and its gradient
    x[0, 1] = w[2] * 3
    return (t**2).sum() + (r * a).sum() + (row**3).sum() + (n * 2).sum(), [x, t, r, row, n]


def _two_views_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    v1, v2 = x.T, x[1]
    v1 += _col(lib, w)
    v2 *= w
    v1[0] -= a[:2]
    return (x**2).sum() + (v1 * 3).sum() + (v2**2).sum(), [x, v1, v2]


def _chains_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    x.T[1:] += _col(lib, w[:2])  # a slice of a transpose
    deep = x.view(3, 2).T.unsqueeze(0)  # a view of a view of a view
    deep *= w[:2].reshape(1, 2, 1)
    z = x.permute(1, 0).flatten()  # a copy (x.T is not contiguous): no write reaches x
    z += 1
    return (x**2).sum() + (deep**2).sum() + (z * w.sum()).sum(), [x, deep, z]


def _setitem_into_a_transpose(lib, a, w):
    x = a.reshape(2, 3) * 1
    y = x.T
    y[0] = w[:2] * 2
    y[1:, 1] = a[4:] ** 2
    return (x**2).sum() + (y * w.reshape(3, 1)).sum(), [x, y]


def _detach_written_with_a_grad_operand(lib, a, w):
    x = a.reshape(2, 3) * 1
    d = x.detach()  # shares x's memory, not its graph
    d += w  # recorded on d alone; x's value changes with it
    return (d * d).sum() + (x * 3).sum(), [x, d]


def _base_written_with_a_detached_alias(lib, a, w):
    x = a.reshape(2, 3) * 1
    d = x.detach()
    x += w  # d sees the value, not the graph
    return (x**2).sum() + (d * w).sum(), [x, d]


def _constant_base_written_through_its_view(lib, a, w):
    x = lib.zeros(2, 3, dtype=a.dtype)
    y = x.T
    y += _col(lib, w)  # the constant now depends on w
    return (x * a.reshape(2, 3)).sum() + (y**2).sum(), [x, y]


def _split_of_a_constant_written_with_constants(lib, a, w):
    x = lib.zeros(2, 3, dtype=a.dtype)
    pieces = x.unbind(0)
    pieces[0].add_(1.0)  # nothing requires grad: allowed
    return (x * a.reshape(2, 3)).sum() + w.sum(), [x]


PROGRAMS = {
    "x.T +=": _transpose_written,
    "x.view(...).mul_": _view_mul_,
    "x.reshape(...) -=": _reshape_view_written,
    "x.unsqueeze(0) -= and *=": _unsqueeze_written,
    "x.squeeze(0) *=": _squeeze_written,
    "x.flatten()[2:5] +=": _flatten_slice_written,
    "x.permute(...) /=": _permute_written,
    "x.expand(same shape) +=": _expand_without_repeats_written,
    "x.narrow(...) *=": _narrow_written,
    "x.diagonal(...) += and *=": _diagonal_written,
    "x written, its views alive": _base_written_with_views_alive,
    "two views written": _two_views_written,
    "chains of views": _chains_written,
    "x.T[i] = v": _setitem_into_a_transpose,
    "x.detach() += w": _detach_written_with_a_grad_operand,
    "x written, x.detach() alive": _base_written_with_a_detached_alias,
    "a constant written through x.T": _constant_base_written_through_its_view,
    "unbind of a constant written": _split_of_a_constant_written_with_constants,
}

A = [0.5, -1.0, 2.0, 1.5, -0.25, 0.75]
W = [0.75, -2.0, 1.25]


def _leaves(lib):
    a = lib.tensor(A, dtype=lib.float64, requires_grad=True)
    w = lib.tensor(W, dtype=lib.float64, requires_grad=True)
    return a, w


def _grad(t):
    return [0.0] * len(A if t.shape == (6,) else W) if t.grad is None else t.grad.tolist()


@pytest.mark.parametrize("program", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_writes_into_views_match_torch(program):
    results = []
    for lib in (autograd, torch):
        a, w = _leaves(lib)
        loss, shown = program(lib, a, w)
        loss.backward()
        results.append([loss.item(), _grad(a), _grad(w)] + [t.tolist() for t in shown])
    ours, theirs = results
    assert len(ours) == len(theirs)
    for x, y in zip(ours, theirs):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("program", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_second_derivatives_through_view_writes_match_torch(program):
    results = []
    for lib in (autograd, torch):
        a, w = _leaves(lib)
        loss, _ = program(lib, a, w)
        ga, gw = lib.autograd.grad(loss, [a, w], create_graph=True, allow_unused=True)
        second = (ga * ga).sum() * 0.5 + ((gw**2).sum() if gw is not None else 0.0)
        if not second.requires_grad:
            continue  # (linear in both leaves: nothing to differentiate again)
        second.backward()
        results.append([second.item(), _grad(a), _grad(w)])
    if results:
        ours, theirs = results
        for x, y in zip(ours, theirs):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-14)
