"""Result dtypes of mixed-dtype arithmetic follow PyTorch's promotion, not numpy's."""

from __future__ import annotations

import itertools
import operator

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")  # the comparisons need it (CI installs it)

OPERANDS = {
    "int64": np.array([1, 2, 3]),
    "int32": np.array([1, 2, 3], np.int32),
    "uint8": np.array([1, 2, 3], np.uint8),
    "bool": np.array([True, False, True]),
    "float32": np.array([1.5, -2.0, 3.0], np.float32),
    "float64": np.array([1.5, -2.0, 3.0]),
    "0-d float64": np.array(2.5),
    "0-d float32": np.array(2.5, np.float32),
    "0-d int64": np.array(2),
}
OPS = {
    "+": (operator.add, operator.add),
    "-": (operator.sub, operator.sub),
    "*": (operator.mul, operator.mul),
    "/": (operator.truediv, operator.truediv),
    "**": (operator.pow, operator.pow),
    "maximum": (autograd.maximum, torch.maximum),
    "minimum": (autograd.minimum, torch.minimum),
}


def _torch_result(op, a, b):
    try:
        return op(torch.tensor(a), torch.tensor(b))
    except RuntimeError:  # torch refuses (bool - bool, negative int powers): no case
        return None


CASES = [
    (name, x, y)
    for name, (x, y) in itertools.product(OPS, itertools.product(OPERANDS, repeat=2))
    if (name != "-" or "bool" not in (x, y))
    and _torch_result(OPS[name][1], OPERANDS[x], OPERANDS[y]) is not None
]


@pytest.mark.parametrize(("op", "x", "y"), CASES)
def test_result_dtype_and_value_as_torch(op, x, y):
    ours_op, torch_op = OPS[op]
    a, b = OPERANDS[x], OPERANDS[y]
    theirs = _torch_result(torch_op, a, b).numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = ours_op(Tensor(a), Tensor(b))
    assert ours.dtype == theirs.dtype, (x, op, y)
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("x", ["int64", "uint8", "bool", "float32", "0-d int64"])
def test_python_numbers_as_torch(x, scalar):
    for op in (operator.add, operator.mul, operator.truediv, lambda p, q: q * p):
        theirs = op(torch.tensor(OPERANDS[x]), scalar)
        assert op(Tensor(OPERANDS[x]), scalar).dtype == theirs.numpy().dtype, (x, scalar)


def test_gradients_reach_each_dtype_as_torch():
    data = np.array([0.5, -1.0, 2.0], np.float32)
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    s, ts = (
        Tensor(np.array(1.5), requires_grad=True),
        torch.tensor(1.5, requires_grad=True, dtype=torch.float64),
    )
    labels = np.array([1, 0, 3])
    ours = (x * s * Tensor(labels) + autograd.minimum(x, Tensor(np.array([1, -1, 2])))).sum()
    theirs = (tx * ts * torch.tensor(labels) + torch.minimum(tx, torch.tensor([1, -1, 2]))).sum()
    assert ours.dtype == np.float32 and theirs.dtype == torch.float32
    ours.backward()
    theirs.backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-6)  # ties: 1/2 each
    assert x.grad.dtype == np.float32 and s.grad.dtype == np.float64
    np.testing.assert_allclose(s.grad.data, ts.grad.numpy(), rtol=1e-6)
