"""Every elementwise function on 0-d tensors (the scalar path) and on vectors, at values
spanning both tails, zero and the neighbourhood of zero: values and gradients against
PyTorch's, in float64 and float32. (`erfc` of a 0-d tensor beyond |x| = 2 once crashed
inside numpy: a ufunc returns a scalar, not a 0-d array, for a 0-d input.)"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TENSOR_FUNCTIONS = (
    "abs exp log log1p log2 log10 expm1 exp2 sqrt rsqrt sin cos tan asin acos atan sinh cosh "
    "tanh sigmoid relu erf erfc erfinv sinc reciprocal logit sign floor ceil round trunc frac "
    "deg2rad rad2deg square neg arcsin arccos arctan sgn nan_to_num"
).split()
NETWORK_FUNCTIONS = (
    "softplus gelu silu mish elu selu celu leaky_relu hardtanh hardsigmoid hardswish softsign "
    "tanhshrink logsigmoid relu6 hardshrink softshrink"
).split()
VALUES = [-50, -7, -2.5, -1, -0.5, -1e-8, 0, 1e-8, 0.5, 1, 2.5, 7, 50, 1e5]
#: Where torch's gradient is the less exact one, and by how much (absolute).
LOOSER = {
    "sinc": 2e-9,  # near 0: both lose digits to cancellation, differently
    "hardsigmoid": 1e-7,  # torch's float64 backward multiplies by 1/6 rounded to float32
}


def _cases():
    for name in TENSOR_FUNCTIONS:
        yield pytest.param(autograd, torch, name, id=name)
    for name in NETWORK_FUNCTIONS:
        yield pytest.param(F, TF, name, id=f"F.{name}")


def _check(ours_lib, torch_lib, name, values, dtype):
    tol = 1e-12 if dtype == "float64" else 1e-5
    a = autograd.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, z = getattr(ours_lib, name)(a), getattr(torch_lib, name)(t)
    np.testing.assert_allclose(
        y.detach().numpy(), z.detach().numpy(), rtol=tol, atol=tol, equal_nan=True
    )
    assert y.shape == tuple(z.shape) and y.dtype == values.dtype
    if not z.requires_grad:  # sign, floor, ... : torch records no graph either
        return
    y.sum().backward()
    z.sum().backward()
    theirs = np.zeros(values.shape) if t.grad._is_zerotensor() else t.grad.numpy()
    looser = LOOSER.get(name, 0) if dtype == "float64" else 0
    np.testing.assert_allclose(
        a.grad.numpy(), theirs, rtol=10 * tol, atol=max(10 * tol, looser), equal_nan=True
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("ours_lib", "torch_lib", "name"), list(_cases()))
def test_on_0d_tensors_across_the_range(ours_lib, torch_lib, name, dtype):
    for v in VALUES:
        _check(ours_lib, torch_lib, name, np.asarray(v, dtype=dtype), dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("ours_lib", "torch_lib", "name"), list(_cases()))
def test_on_a_vector_across_the_range(ours_lib, torch_lib, name, dtype):
    _check(ours_lib, torch_lib, name, np.asarray(VALUES, dtype=dtype), dtype)
