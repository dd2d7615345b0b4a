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


JOINED = ["int64", "int32", "uint8", "bool", "float32", "float64"]


@pytest.mark.parametrize("name", ["cat", "stack"])
@pytest.mark.parametrize(("x", "y"), itertools.product(JOINED, repeat=2))
def test_cat_and_stack_of_mixed_dtypes_as_torch(name, x, y):
    a, b = OPERANDS[x], OPERANDS[y]
    ours = getattr(autograd, name)([Tensor(a), Tensor(b)])
    theirs = getattr(torch, name)([torch.tensor(a), torch.tensor(b)]).numpy()
    assert ours.dtype == theirs.dtype, (name, x, y)
    np.testing.assert_array_equal(ours.data, theirs)


@pytest.mark.parametrize(("x", "y"), itertools.product(JOINED, repeat=2))
def test_where_of_mixed_dtypes_as_torch(x, y):
    cond = np.array([True, False, True])
    a, b = OPERANDS[x], OPERANDS[y]
    ours = autograd.where(Tensor(cond), Tensor(a), Tensor(b))
    theirs = torch.where(torch.tensor(cond), torch.tensor(a), torch.tensor(b)).numpy()
    assert ours.dtype == theirs.dtype, (x, y)
    np.testing.assert_array_equal(ours.data, theirs)


def test_gradients_through_a_mixed_cat_keep_each_dtype_as_torch():
    parts = [np.array([1.0, 2.0], np.float32), np.array([3.0])]
    ours = [Tensor(p, requires_grad=True) for p in parts]
    theirs = [torch.tensor(p, requires_grad=True) for p in parts]
    (autograd.cat(ours) ** 2).sum().backward()
    (torch.cat(theirs) ** 2).sum().backward()
    for o, t in zip(ours, theirs, strict=True):
        assert o.grad.dtype == t.grad.numpy().dtype
        np.testing.assert_array_equal(o.grad.data, t.grad.numpy())


FLOAT_VALUED = ["exp", "log", "log10", "log2", "sqrt", "sin", "cos", "sinh", "cosh", "tanh"]


@pytest.mark.parametrize("name", [*FLOAT_VALUED, "sigmoid", "erf", "rsqrt"])
@pytest.mark.parametrize("x", ["int64", "uint8", "bool"])
def test_float_functions_of_integers_give_the_default_dtype_as_torch(name, x):
    a = OPERANDS[x]
    theirs = getattr(torch, name)(torch.tensor(a)).numpy()
    with np.errstate(divide="ignore"):
        ours = getattr(autograd, name)(Tensor(a))
        method = getattr(Tensor(a), name)()
    assert ours.dtype == method.dtype == theirs.dtype == np.float32, (name, x)
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-6)


def test_float_functions_of_integers_follow_set_default_dtype():
    autograd.set_default_dtype(np.float64)
    try:
        assert autograd.exp(Tensor(np.array([1, 2]))).dtype == np.float64
    finally:
        autograd.set_default_dtype(np.float32)


@pytest.mark.parametrize("value", [7, 2.5, True, np.int32(3), np.float64(1.5)])
def test_full_infers_its_dtype_from_the_value_as_torch(value):
    ours, theirs = autograd.full((2, 2), value), torch.full((2, 2), value).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours.data, theirs)
    assert autograd.full((2,), 7, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("value", [2, True, 2.5])
def test_float_functions_of_python_numbers_give_the_default_dtype(value):
    for name in ("exp", "sqrt", "sigmoid"):
        ours = getattr(autograd, name)(value)
        assert ours.dtype == np.float32, (name, value)
        theirs = getattr(torch, name)(torch.tensor(float(value)))
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("other", ["float64", "int64"])
def test_matmul_refuses_operands_of_two_dtypes_as_torch(other):
    """Zero to Mastery's "most common errors": torch's matmul and mm do not promote
    (elementwise ops do)."""
    for lib in (autograd, torch):
        a, b = lib.ones(2, 3), lib.ones(3, 2).type(getattr(lib, other))
        with pytest.raises(RuntimeError, match="same dtype"):
            a @ b
        with pytest.raises(RuntimeError, match="same dtype"):
            lib.mm(a, b)
        with pytest.raises(RuntimeError, match="same dtype"):
            lib.matmul(b.T, a.T)
    ours = autograd.ones(2, 3) * autograd.ones(3, dtype=autograd.float64)
    assert ours.dtype == (torch.ones(2, 3) * torch.ones(3, dtype=torch.float64)).numpy().dtype


def test_a_parameter_of_a_python_list_is_of_the_default_dtype():
    """As `nn.Parameter(torch.tensor([1.0, 2.0]))`: float32, so the module's
    float32 input meets float32 weights (a float64 list made it float64)."""
    assert torch.nn.Parameter(torch.tensor([1.0, 2.0])).dtype == torch.float32
    assert autograd.nn.Parameter([1.0, 2.0]).dtype == np.float32
    assert autograd.nn.Parameter(2.5).dtype == np.float32
    assert autograd.nn.Parameter(np.zeros(2)).dtype == np.float64  # an array keeps its own
