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


def _diagonal_of_a_column_major_copy_written(lib, a, w):
    x = a.reshape(2, 1, 3).permute(2, 1, 0) * 1  # numpy keeps the permuted memory order
    d = x.diagonal()  # (2, 1): a read-only view in numpy, over writable memory
    d += w[:1]
    return (x * a.reshape(3, 1, 2)).sum() + (d**2).sum(), [x, d]


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
    "x.permute(...) * 1, its diagonal +=": _diagonal_of_a_column_major_copy_written,
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


# Programs PyTorch refuses: (program, where PyTorch raises, the words of our message).
# Each raises in the write itself, or later, when the view it spoiled is used (PyTorch
# raises as the view is used; autograd in the backward pass through it).
def _expand_written(lib, a, w):
    e = (a[:2] * 1).reshape(2, 1).expand(2, 3)
    e += w


def _expand_written_under_no_grad(lib, a, w):
    e = (a[:2] * 1).reshape(2, 1).expand(2, 3)
    with lib.no_grad():
        e.mul_(2.0)


def _expand_row_assigned(lib, a, w):
    e = (a[:2] * 1).reshape(2, 1).expand(2, 3)
    e[0] = w  # a row of the expanded view: one element, three times


def _view_of_a_leaf_written(lib, a, w):
    a.view(2, 3).add_(1.0)


def _transpose_of_a_view_of_a_leaf_written(lib, a, w):
    a.view(2, 3).T.mul_(2.0)


def _no_grad_view_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    with lib.no_grad():
        v = x.view(3, 2)
    v += 1.0


def _no_grad_view_of_a_leaf_written(lib, a, w):
    with lib.no_grad():
        v = a.view(2, 3)
    v += 1.0


def _no_grad_view_of_a_constant_written_with_a_grad_operand(lib, a, w):
    x = lib.zeros(2, 3, dtype=a.dtype)
    with lib.no_grad():
        v = x.T
    v += w.reshape(3, 1)


def _view_of_a_no_grad_view_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    with lib.no_grad():
        v = x.view(3, 2)
    v.view(6)[1:3] *= w[:2]


def _no_grad_view_used_after_its_base_was_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    with lib.no_grad():
        v = x.view(3, 2)
    x += w
    (v * a.reshape(3, 2)).sum().backward()


def _unbind_output_written(lib, a, w):
    rows = (a.reshape(2, 3) * 1).unbind(0)
    rows[0] += w


def _split_output_written(lib, a, w):
    pieces = (a.reshape(2, 3) * 1).split(1, 1)
    pieces[2].mul_(3.0)


def _chunk_output_written(lib, a, w):
    pieces = (a.reshape(2, 3) * 1).chunk(2, 0)
    pieces[1][0, 1] = w[0]


def _view_of_an_unbind_output_written(lib, a, w):
    rows = (a.reshape(2, 3) * 1).unbind(1)
    rows[1][1:] -= 1.0


def _unbind_output_used_after_its_base_was_written(lib, a, w):
    x = a.reshape(2, 3) * 1
    rows = x.unbind(0)
    x *= 2.0
    (rows[1] * w).sum().backward()


def _unbind_output_used_after_a_write_under_no_grad(lib, a, w):
    rows = (a.reshape(2, 3) * 1).unbind(0)
    with lib.no_grad():
        rows[0].add_(1.0)
    (rows[1] * w).sum().backward()  # its sibling shares the versions


def _no_grad_view_used_after_a_write_under_no_grad(lib, a, w):
    x = a.reshape(2, 3) * 1
    with lib.no_grad():
        v = x[1]
        x += 1.0
    (v * w).sum().backward()


def _detached_written_after_an_op_saved_it(lib, a, w):
    x = a.reshape(2, 3) * 1
    y = x * x  # saves x
    x.detach().add_(1.0)  # shares x's version: y's backward sees the write
    y.sum().backward()


def _view_written_after_an_op_saved_its_base(lib, a, w):
    x = a.reshape(2, 3) * 1
    y = (x * x).sum()  # saves x
    x.T.add_(w.reshape(3, 1))
    y.backward()


EXPAND = "more than one element of the written-to tensor refers to a single memory location"
LEAF = r"leaf tensor \(of which this tensor is a view\) that requires grad"
NO_GRAD = "A view was created in no_grad mode and is being modified inplace with grad mode"
NO_GRAD_BASE = "A view was created in no_grad mode and its base or another view of its base"
MULTI = "is a view and is being modified inplace .* a function that returns multiple views"
MULTI_BASE = "is a view and its base or another view of its base has been modified inplace"
VERSION = "modified by an inplace operation"

REFUSED = {
    "expand +=": (_expand_written, EXPAND),
    "expand mul_ under no_grad": (_expand_written_under_no_grad, EXPAND),
    "expand[0] = v": (_expand_row_assigned, EXPAND),
    "view of a leaf": (_view_of_a_leaf_written, LEAF),
    "transpose of a view of a leaf": (_transpose_of_a_view_of_a_leaf_written, LEAF),
    "no_grad view": (_no_grad_view_written, NO_GRAD),
    "no_grad view of a leaf": (_no_grad_view_of_a_leaf_written, NO_GRAD),
    "no_grad view of a constant": (
        _no_grad_view_of_a_constant_written_with_a_grad_operand,
        NO_GRAD,
    ),
    "view of a no_grad view": (_view_of_a_no_grad_view_written, NO_GRAD),
    "no_grad view used after a write": (
        _no_grad_view_used_after_its_base_was_written,
        NO_GRAD_BASE,
    ),
    "unbind output": (_unbind_output_written, "Output 0 of Unbind " + MULTI),
    "split output": (_split_output_written, "Output 2 of Split " + MULTI),
    "chunk output": (_chunk_output_written, "Output 1 of Split " + MULTI),
    "view of an unbind output": (_view_of_an_unbind_output_written, MULTI),
    "unbind output used after a write": (
        _unbind_output_used_after_its_base_was_written,
        "Output 1 of Unbind " + MULTI_BASE,
    ),
    "unbind output used after a write under no_grad": (
        _unbind_output_used_after_a_write_under_no_grad,
        "Output 1 of Unbind " + MULTI_BASE,
    ),
    "no_grad view used after a write under no_grad": (
        _no_grad_view_used_after_a_write_under_no_grad,
        NO_GRAD_BASE,
    ),
    "detach() written": (_detached_written_after_an_op_saved_it, VERSION),
    "view written after x was saved": (_view_written_after_an_op_saved_its_base, VERSION),
}


@pytest.mark.parametrize(("program", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_writes_torch_refuses_raise_the_same_error(program, message):
    a, w = _leaves(torch)
    with pytest.raises(RuntimeError):
        program(torch, a, w)
    a, w = _leaves(autograd)
    with pytest.raises(RuntimeError, match=message):
        program(autograd, a, w)


def test_refused_writes_leave_the_values_unchanged():
    for program in (_expand_written, _unbind_output_written, _no_grad_view_written):
        a, w = _leaves(autograd)
        x = a * 1
        with pytest.raises(RuntimeError):
            program(autograd, x, w)
        assert x.tolist() == A and x.version == 0
    assert a.tolist() == A


def test_views_torch_spoils_are_fine_while_unused():
    results = []
    for lib in (autograd, torch):
        a, w = _leaves(lib)
        x = a.reshape(2, 3) * 1
        rows = x.unbind(0)
        with lib.no_grad():
            v = x.T
        x *= w  # rows and v may no longer be used in a graph, and are not
        (x**2).sum().backward()
        results.append([a.grad.tolist(), w.grad.tolist(), rows[0].tolist(), v.tolist()])
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    assert results[0][1:] == results[1][1:]


def test_writes_under_no_grad_into_any_view_change_every_alias():
    for lib in (autograd, torch):
        a, _ = _leaves(lib)
        x = a.reshape(2, 3) * 1
        t, d, diag, rows = x.T, x.detach(), x.diagonal(), x.unbind(0)
        with lib.no_grad():
            t[1] += 10.0
            diag *= -1.0
            rows[1][0] = 7.0
        assert x.tolist() == [[-0.5, 9.0, 2.0], [7.0, -9.75, 0.75]]
        assert d.tolist() == x.tolist() and t.T.tolist() == x.tolist()
        assert x._version == t._version == d._version == 4  # t[1] += ...: two writes


def test_expanded_columns_written_through_an_index_match_torch():
    # each element of e[:, 0] is one element of x: PyTorch allows the write
    results = []
    for lib in (autograd, torch):
        a, w = _leaves(lib)
        x = (a[:2] * 1).reshape(2, 1)
        e = x.expand(2, 3)
        e[:, 0] = w[:2] * 2
        loss = (x**3).sum() + (e * a[:3]).sum()
        loss.backward()
        results.append([loss.item(), a.grad.tolist(), w.grad.tolist(), x.tolist(), e.tolist()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_diagonal_matches_torch():
    for offset, dim1, dim2 in [(0, 0, 1), (1, 0, 1), (-1, 0, 1), (0, 2, 0), (1, -1, 1), (5, 0, 1)]:
        results = []
        for lib in (autograd, torch):
            x = lib.tensor(np.arange(24.0).reshape(2, 3, 4) - 7, requires_grad=True)
            d = x.diagonal(offset, dim1, dim2)
            (d * d).sum().backward()
            results.append([d.tolist(), list(d.shape), x.grad.tolist()])
        assert results[0] == results[1], (offset, dim1, dim2)
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical"):
        x.diagonal(0, 1, -1)
    with pytest.raises(IndexError, match="dimension out of range"):
        x.diagonal(0, 0, 2)
    with pytest.raises(RuntimeError):
        torch.ones(2, 3).diagonal(0, 1, -1)


# Random families of views of one tensor, one member written in place in a graph, then
# members used: PyTorch and autograd both raise (at the write, or where the spoiled
# view is used), or give the same values and gradients.
def _no_grad_row(lib, t):
    with lib.no_grad():
        return t[0] if t.ndim else t * 1


def _no_grad_view(lib, t):
    with lib.no_grad():
        return t.reshape(-1)


MEMBERS = {
    "transpose": lambda lib, t: t.permute(tuple(reversed(range(t.ndim)))),
    "reshape": lambda lib, t: t.reshape(-1),
    "unsqueeze": lambda lib, t: t.unsqueeze(0),
    "flatten": lambda lib, t: t.flatten(),
    "narrow": lambda lib, t: t.narrow(0, 0, 1) if t.ndim else t,
    "row": lambda lib, t: t[-1] if t.ndim else t,
    "diagonal": lambda lib, t: t.diagonal() if t.ndim >= 2 else t,
    "expand": lambda lib, t: t.unsqueeze(0).expand(2, *t.shape),
    "detach": lambda lib, t: t.detach(),
    "unbind": lambda lib, t: t.unbind(0)[0] if t.ndim else t,
    "split": lambda lib, t: t.split(1, -1)[-1] if t.ndim else t,
    "squeeze": lambda lib, t: t.unsqueeze(-1).squeeze(-1),
    "no_grad view": _no_grad_view,
    "no_grad row": lambda lib, t: _no_grad_row(lib, t),
    "copy": lambda lib, t: t * 1,
}


def _add_under_no_grad(t, w):
    with (autograd if isinstance(t, Tensor) else torch).no_grad():
        t += 1.5


WRITES = {
    "+= leaf": lambda t, w: t.__iadd__(w),
    "*= leaf": lambda t, w: t.__imul__(w),
    "-= constant": lambda t, w: t.__isub__(1.5),
    "[0] = leaf": lambda t, w: t.__setitem__(0, w) if t.ndim else t.__iadd__(w),
    "[-1] += leaf": lambda t, w: t[-1].__iadd__(w) if t.ndim else t.__iadd__(w),
    "+= constant under no_grad": _add_under_no_grad,
}


def test_random_writes_into_families_of_views_match_torch():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=500, deadline=None, derandomize=True)
    @given(
        chain=st.lists(
            st.tuples(st.integers(0, 5), st.sampled_from(sorted(MEMBERS))), min_size=1, max_size=5
        ),
        written=st.integers(0, 5),
        write=st.sampled_from(sorted(WRITES)),
        used=st.lists(st.integers(0, 5), min_size=1, max_size=3),
    )
    def check(chain, written, write, used):
        outcomes = []
        for lib in (autograd, torch):
            a = lib.tensor(np.arange(6.0).reshape(2, 3) - 2.5, requires_grad=True)
            w = lib.tensor(0.75, dtype=lib.float64, requires_grad=True)
            members = [a * 1]
            for parent, name in chain:  # each a view of an earlier member
                members.append(MEMBERS[name](lib, members[parent % len(members)]))
            early = (members[-1] * 2).sum()  # used before the write
            try:
                WRITES[write](members[written % len(members)], w)
                loss = early + sum((members[k % len(members)] ** 2).sum() for k in used)
                loss.backward()
            except RuntimeError:
                outcomes.append("raised")
                continue
            grads = [t.grad.tolist() if t.grad is not None else None for t in (a, w)]
            outcomes.append([np.round(m.tolist(), 12).tolist() for m in members] + grads)
        assert outcomes[0] == outcomes[1], (chain, written, write, used)

    check()


def test_a_view_made_under_no_grad_requires_grad_as_a_leaf_of_its_own():
    results = []
    for lib in (autograd, torch):
        a, w = _leaves(lib)
        x = a * 1
        with lib.no_grad():
            v, d, picked = x.reshape(2, 3), x.detach(), x[[0, 1]]  # a view; no view; a copy
            y = v * 2
        flags = [v.requires_grad, v.grad_fn is None, d.requires_grad, picked.requires_grad]
        (v * w[0]).sum().backward()  # gradients stop at v (autograd keeps them in v.grad)
        results.append([flags, y.requires_grad, a.grad, w.grad.tolist()])
    assert results[0] == results[1]
    assert results[0][0] == [True, True, False, False] and results[0][2] is None


# Ops whose result is a copy in PyTorch (a write into it leaves the input alone) or a
# view (the write reaches the input); `view(-1)` of the result works where torch's does.
_COPIES_OR_VIEWS = {
    "flip": lambda lib, x: x.flip(0),
    "roll": lambda lib, x: x.roll(1, 0),
    "rot90": lambda lib, x: lib.rot90(x),
    "repeat_ones": lambda lib, x: x.repeat(1, 1),
    "repeat_row": lambda lib, x: x[:1].repeat(2, 1),
    "tile_ones": lambda lib, x: x.tile((1,)),
    "transpose": lambda lib, x: x.T,
    "gather": lambda lib, x: x.gather(1, lib.tensor([[0, 1, 2], [2, 1, 0]])),
    "index_select": lambda lib, x: x.index_select(1, lib.tensor([0, 2])),
    "fancy_columns": lambda lib, x: x[:, [2, 0]],
    "fancy_rows": lambda lib, x: x[[1, 0]],
    "repeat_interleave_columns": lambda lib, x: x[:, :1].repeat_interleave(2, dim=1),
    "movedim": lambda lib, x: x.movedim(0, 1),
    "expand": lambda lib, x: x[:, :1].expand(2, 3),
    "flatten_of_transpose": lambda lib, x: x.T.flatten(),
    "sort": lambda lib, x: x.sort(1)[0],
    "clone_of_expand_rows": lambda lib, x: x[:1].expand(2, 3).clone(),
    "clone_of_expand_columns": lambda lib, x: x[:, :1].expand(2, 3).clone(),
    "clone_of_transpose": lambda lib, x: x.T.clone(),
    "clone_of_strided": lambda lib, x: x[:, ::2].clone(),
}


@pytest.mark.parametrize("name", sorted(_COPIES_OR_VIEWS))
def test_write_into_result_reaches_input_as_in_torch(name):
    def program(lib):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64)
        y = _COPIES_OR_VIEWS[name](lib, x)
        try:
            y.view(-1)
            flat = "view"
        except RuntimeError:
            flat = "no view"
        if not (name == "expand"):  # torch refuses writes into overlapping memory
            y += 100
        return x.tolist(), y.tolist(), flat

    assert program(autograd) == program(torch)
