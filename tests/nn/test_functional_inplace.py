"""PyTorch's in-place activations (`F.relu_`, `F.elu_`, ...) compared with torch in
float64: the values written, the identity of the result, the version counter, the
gradients through the write to what the input was made from, and the error for a leaf
that requires grad."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

#: Values at and around every kink of the functions below.
EDGES = np.array([-2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0])

CASES: list[tuple[str, tuple[float, ...], dict[str, float]]] = [
    ("relu_", (), {}),
    ("elu_", (), {}),
    ("elu_", (0.5,), {}),
    ("leaky_relu_", (), {}),
    ("leaky_relu_", (0.2,), {}),
    ("hardtanh_", (), {}),
    ("hardtanh_", (-0.5, 1.0), {}),
    ("selu_", (), {}),
    ("celu_", (), {}),
    ("celu_", (0.7,), {}),
    ("rrelu_", (), {}),
    ("rrelu_", (0.1, 0.3), {}),
    ("threshold_", (0.25, -3.0), {}),
]


def _inputs(values: np.ndarray, dtype=np.float64):
    a = Tensor(values.astype(dtype), requires_grad=True)
    b = torch.tensor(values.astype(dtype), requires_grad=True)
    return a, b


@pytest.mark.parametrize("name, args, kwargs", CASES)
@pytest.mark.parametrize("values", ["edges", "random", "empty"])
def test_inplace_activation_matches_torch(name, args, kwargs, values):
    data = {
        "edges": EDGES,
        "random": np.random.default_rng(1).normal(size=(3, 4, 5)) * 2,
        "empty": np.zeros((0, 3)),
    }[values]
    a, b = _inputs(data)
    ya, yb = a * 1.5, b * 1.5  # made by an op: written in place, gradient flows to a, b
    va, vb = ya._version, yb._version
    ra = getattr(F, name)(ya, *args, **kwargs)
    rb = getattr(TF, name)(yb, *args, **kwargs)
    assert ra is ya and rb is yb
    assert ya._version == va + 1 and yb._version == vb + 1
    np.testing.assert_allclose(ya.data, yb.detach().numpy(), rtol=1e-13, atol=1e-14)
    w = np.random.default_rng(2).normal(size=data.shape)
    (ya * Tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    # torch's celu backward rounds 1 / alpha to float32 (a relative 2e-8 off)
    rtol = 1e-7 if name == "celu_" and args else 1e-13
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("name, args, kwargs", CASES)
def test_inplace_activation_float32_keeps_dtype(name, args, kwargs):
    a = Tensor(EDGES.astype(np.float32))
    b = torch.tensor(EDGES.astype(np.float32))
    getattr(F, name)(a, *args, **kwargs)
    getattr(TF, name)(b, *args, **kwargs)
    assert a.dtype == np.float32
    np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, args, kwargs", CASES)
def test_inplace_activation_refuses_a_leaf_that_requires_grad(name, args, kwargs):
    a, b = _inputs(EDGES)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(TF, name)(b, *args, **kwargs)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(a, *args, **kwargs)
    np.testing.assert_array_equal(a.data, EDGES)  # nothing written
    with autograd.no_grad():  # allowed without grad mode, as torch
        getattr(F, name)(a, *args, **kwargs)
    with torch.no_grad():
        getattr(TF, name)(b, *args, **kwargs)
    np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-13)
    assert a.requires_grad and a.grad_fn is None


def test_inplace_write_is_seen_through_a_view():
    a, b = _inputs(np.random.default_rng(3).normal(size=(4, 3)))
    ya, yb = a + 0, b + 0
    F.relu_(ya[1:3])
    TF.relu_(yb[1:3])
    np.testing.assert_allclose(ya.data, yb.detach().numpy())
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-13)


def test_an_op_that_saved_the_input_raises_after_the_write():
    a, b = _inputs(np.random.default_rng(4).normal(size=5))
    ya, yb = a + 0, b + 0
    za, zb = ya.exp(), yb.exp()  # exp saves its output, not its input
    sa, sb = ya * ya, yb * yb  # the product saves ya
    F.selu_(ya)
    TF.selu_(yb)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        sb.sum().backward()
    with pytest.raises(RuntimeError, match=r"(?i)in-?place"):
        sa.sum().backward()
    za.sum().backward()
    zb.sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-13)


def test_rrelu_training_draws_torchs_slopes():
    data = np.random.default_rng(5).normal(size=(6, 7))
    a, b = _inputs(data)
    ya, yb = a * 1, b * 1
    autograd.manual_seed(11)
    torch.manual_seed(11)
    F.rrelu_(ya, 0.1, 0.4, True)
    TF.rrelu_(yb, 0.1, 0.4, True)
    np.testing.assert_allclose(ya.data, yb.detach().numpy(), rtol=1e-13)
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize(
    "name, args, error",
    [("hardtanh_", (1.0, -1.0), ValueError), ("celu_", (0.0,), ValueError)],
)
def test_invalid_arguments_raise(name, args, error):
    a = Tensor(EDGES.copy())
    with pytest.raises(error):
        getattr(F, name)(a, *args)
    np.testing.assert_array_equal(a.data, EDGES)
