"""Branches the fixed gradcheck inputs never reach: the negative side of piecewise
activations with non-default slopes, kinks at exactly 0, and the max/min backward
over non-trailing axes and ties."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck

MIXED = np.array([[-1.5, -0.3, 0.4, 2.0], [0.7, -2.2, 1.1, -0.05]])


def _leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


PIECEWISE = {  # name: (op, value, slope), both by hand on each branch
    "leaky_relu_0.2": (
        lambda x: x.leaky_relu(0.2),
        lambda v: np.where(v > 0, v, 0.2 * v),
        lambda v: np.where(v > 0, 1.0, 0.2),
    ),
    "elu_0.7": (
        lambda x: x.elu(0.7),
        lambda v: np.where(v > 0, v, 0.7 * np.expm1(v)),
        lambda v: np.where(v > 0, 1.0, 0.7 * np.exp(v)),
    ),
    "relu": (lambda x: x.relu(), lambda v: np.maximum(v, 0), lambda v: (v > 0) * 1.0),
    "abs": (lambda x: abs(x), np.abs, np.sign),
    "clip": (
        lambda x: x.clip(-1.0, 1.0),
        lambda v: np.clip(v, -1, 1),
        lambda v: ((v >= -1) & (v <= 1)) * 1.0,
    ),
}


@pytest.mark.parametrize("name", sorted(PIECEWISE))
def test_piecewise_ops_on_mixed_signs(name):
    op, value, slope = PIECEWISE[name]
    x = _leaf(MIXED)
    y = op(x)
    np.testing.assert_allclose(y.data, value(MIXED), rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, slope(MIXED), rtol=1e-15)
    assert gradcheck(op, [_leaf(MIXED)])


def test_relu_gradient_at_exactly_zero_is_zero():
    x = _leaf([-1.0, 0.0, 1.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])


def test_leaky_relu_and_elu_gradient_at_exactly_zero_take_the_negative_branch():
    x = _leaf([0.0])
    x.leaky_relu(0.2).sum().backward()
    assert x.grad.item() == 0.2
    y = _leaf([0.0])
    y.elu(0.7).sum().backward()
    assert y.grad.item() == pytest.approx(0.7)


def _max_grad_by_hand(values, axis, op):
    """dz = 1 shared equally among the extreme elements along `axis`."""
    best = op(values, axis=axis, keepdims=True)
    hits = values == best
    return hits / hits.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("shape, axis", [((3, 3), 0), ((3, 3), 1), ((2, 3, 3), 1), ((3, 2, 2), 0)])
@pytest.mark.parametrize("name, op", [("max", np.max), ("min", np.min)])
def test_max_min_over_non_trailing_axes_without_keepdims(shape, axis, name, op):
    values = np.random.default_rng(sum(shape) + axis).permutation(np.prod(shape)).reshape(shape)
    values = values.astype(np.float64)
    x = _leaf(values)
    y = getattr(x, name)(axis=axis)
    np.testing.assert_array_equal(y.data, op(values, axis=axis))
    weights = np.arange(1.0, y.size + 1).reshape(y.shape)  # a different dz everywhere
    (y * weights).sum().backward()
    expected = _max_grad_by_hand(values, axis, op) * np.expand_dims(weights, axis)
    np.testing.assert_array_equal(x.grad.data, expected)


def test_max_ties_share_the_gradient_equally():
    x = _leaf([1.0, 3.0, 3.0, 2.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5, 0.0])
    rows = _leaf([[5.0, 5.0, 5.0], [1.0, 0.0, 1.0]])
    (rows.max(axis=1) * np.array([3.0, 2.0])).sum().backward()
    np.testing.assert_array_equal(rows.grad.data, [[1.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    m = _leaf([[2.0, -1.0], [-1.0, -1.0]])
    m.min(axis=0).sum().backward()
    np.testing.assert_array_equal(m.grad.data, [[0.0, 0.5], [1.0, 0.5]])


def test_maximum_ties_split_half_and_half():
    a, b = _leaf([1.0, 2.0, 3.0]), _leaf([1.0, 5.0, 0.0])
    autograd.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])
