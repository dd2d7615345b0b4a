"""`autograd.grad(..., is_grads_batched=True)`: one vector-Jacobian product per row of the
grad_outputs, compared with PyTorch's (which maps the rows with vmap), errors included."""

from __future__ import annotations

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
X = RNG.normal(size=(3,))
W = RNG.normal(size=(2, 3))


def _program(lib, create_graph=False, **options):
    """y = tanh(W x) * x[:2] and z = sum(x^3), their batched vector-Jacobian products
    with respect to x and an unused v, and (with create_graph) d/dx of their sum."""
    x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    w = lib.tensor(W, dtype=lib.float64, requires_grad=True)
    v = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    y = lib.tanh(w @ x) * x[:2]
    z = (x**3).sum()
    rows_y = lib.tensor(RNG_ROWS_Y, dtype=lib.float64)
    rows_z = lib.tensor(RNG_ROWS_Z, dtype=lib.float64)
    grads = lib.autograd.grad(
        [y, z],
        [x, w, v],
        [rows_y, rows_z],
        create_graph=create_graph,
        is_grads_batched=True,
        **options,
    )
    out = [None if g is None else g.detach().numpy() for g in grads]
    if create_graph:
        (second,) = lib.autograd.grad(grads[0].sum() + grads[1].pow(2).sum(), x)
        out.append(second.numpy())
    return out


RNG_ROWS_Y = RNG.normal(size=(4, 2))
RNG_ROWS_Z = RNG.normal(size=(4,))


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(
    "options", [{"allow_unused": True}, {"materialize_grads": True}], ids=["unused", "zeros"]
)
def test_batched_grads_equal_torch(create_graph, options):
    ours = _program(autograd, create_graph, **options)
    theirs = _program(torch, create_graph, **options)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if b is None:
            assert a is None
        else:
            assert a.shape == b.shape  # (4, 3), (4, 2, 3), and v's zeros (2,) as torch's
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_rows_are_the_jacobian_of_an_identity_batch():
    x = autograd.tensor(X, dtype=autograd.float64, requires_grad=True)
    y = autograd.sin(x) * x.sum()
    (jac,) = autograd.autograd.grad(
        y, x, autograd.eye(3, dtype=autograd.float64), is_grads_batched=True
    )
    expected = np.diag(np.cos(X)) * X.sum() + np.sin(X)[:, None]
    np.testing.assert_allclose(jac.numpy(), expected, rtol=1e-12)


def test_graph_is_freed_after_the_last_row_unless_retained():
    x = autograd.tensor(X, requires_grad=True)
    y = x.exp()
    autograd.autograd.grad(y, x, autograd.ones(2, 3), is_grads_batched=True, retain_graph=True)
    autograd.autograd.grad(y, x, autograd.ones(2, 3), is_grads_batched=True)
    with pytest.raises(RuntimeError):
        y.backward(autograd.ones(3))


@pytest.mark.parametrize(
    ("rows", "error", "words"),
    [
        (None, RuntimeError, "implicitly created only for scalar outputs"),
        (np.ones(3), RuntimeError, "grad_output[0] has a shape of (3,) and output[0]"),
        (np.ones((2, 4)), RuntimeError, "grad_output[0] has a shape of (2, 4)"),
        (np.ones((0, 3)), IndexError, "empty batch"),
    ],
)
def test_bad_rows_raise_torch_error_types(rows, error, words):
    x = autograd.tensor(X, requires_grad=True)
    with pytest.raises(error, match=None) as info:
        autograd.autograd.grad(x * 2, x, rows, is_grads_batched=True)
    assert words in str(info.value)
    tx = torch.tensor(X, requires_grad=True)
    with pytest.raises(error):
        torch.autograd.grad(
            tx * 2, tx, None if rows is None else torch.tensor(rows), is_grads_batched=True
        )


def test_batch_sizes_must_agree():
    x = autograd.tensor(X, requires_grad=True)
    with pytest.raises(ValueError, match=r"sizes \[3, 2\]"):
        autograd.autograd.grad([x * 2, x.sum()], x, [np.eye(3), np.ones(2)], is_grads_batched=True)
    tx = torch.tensor(X, requires_grad=True)
    with pytest.raises(ValueError):
        torch.autograd.grad(
            [tx * 2, tx.sum()],
            tx,
            [torch.eye(3, dtype=torch.float64), torch.ones(2, dtype=torch.float64)],
            is_grads_batched=True,
        )
