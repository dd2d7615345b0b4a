"""In-place operators, version counters, and hooks that never alias."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

pytestmark = pytest.mark.usefixtures("walk_kind")  # every test on both walks


def leaf(value) -> Tensor:
    return Tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


def test_manual_sgd_loop_keeps_each_weight_the_same_leaf():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    w, b = leaf(np.zeros(3)), leaf(0.0)
    ids, data = (id(w), id(b)), w.data
    losses = []
    for _ in range(200):
        loss = ((x @ w + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        with autograd.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
        losses.append(loss.item())
    assert (id(w), id(b)) == ids and w.data is data  # same objects, same array
    assert w.is_leaf and w.requires_grad and b.is_leaf and b.requires_grad
    assert w.version == 200
    best = np.linalg.lstsq(np.c_[x, np.ones(20)], y, rcond=None)[0]
    np.testing.assert_allclose(np.r_[w.data, b.data], best, atol=1e-6)
    assert losses[-1] < losses[0]


def test_updating_data_with_a_tensor_operand_works_in_place():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    data = w.data
    w.data -= 0.5 * w.grad  # numpy's in-place operator with a Tensor on the right
    assert w.data is data and isinstance(w.data, np.ndarray)
    np.testing.assert_allclose(w.data, [0.0, 0.0])
    assert w.version == 0  # as in PyTorch, writing through .data is not tracked


def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad():
    w = leaf([1.0, 2.0])
    for update in ("__iadd__", "__isub__", "__imul__", "__itruediv__"):
        with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad.*no_grad"):
            getattr(w, update)(1.0)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])
    assert w.version == 0


def test_in_place_on_a_non_leaf_is_recorded():
    a = leaf([1.0, -2.0, 3.0])
    b = a * 2
    b += 1
    b *= a  # b = (2a + 1) * a, d/da = 4a + 1
    b -= a  # d/da = 4a
    b /= 2  # d/da = 2a
    b.sum().backward()
    np.testing.assert_allclose(b.data, ((2 * a.data + 1) * a.data - a.data) / 2)
    np.testing.assert_allclose(a.grad.data, 2 * a.data)


def test_in_place_on_a_constant_with_a_grad_operand_records_it():
    a = leaf([1.0, 2.0])
    total = Tensor(np.zeros(2))
    data = total.data
    total += a * a
    assert total.data is data and total.grad_fn is not None
    total.sum().backward()
    np.testing.assert_allclose(a.grad.data, 2 * a.data)


def test_recorded_in_place_leaves_earlier_uses_right():
    a = leaf([1.0, 2.0])
    b = a * 3
    c = b + 1  # Add reads no input value, so b may change afterwards
    b += 10
    (c.sum() + b.sum()).backward()
    np.testing.assert_allclose(a.grad.data, [6.0, 6.0])


def test_changing_a_saved_input_in_place_raises_naming_the_op():
    a = leaf([1.0, 2.0])
    b = a * 1
    c = (b * b).sum()
    with autograd.no_grad():
        b += 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Mul"):
        c.backward()


def test_changing_a_saved_output_in_place_raises_naming_the_op():
    x = leaf([0.5, 1.0])
    y = x.exp()  # Exp's backward reads its output
    with autograd.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Exp"):
        y.sum().backward()


def test_changing_an_input_that_backward_does_not_read_is_allowed():
    a = leaf([1.0, 2.0])
    b = a * 1
    c = (b + 5).sum()
    with autograd.no_grad():
        b += 1
    c.backward()
    np.testing.assert_allclose(a.grad.data, [1.0, 1.0])


def test_in_place_shape_and_dtype_errors_are_clear():
    t = Tensor(np.zeros(3))
    with pytest.raises(ValueError, match=r"in-place \+= on a tensor of shape \(3,\)"):
        t += np.ones((2, 3))
    i = Tensor(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match=r"in-place \*="):
        i *= 0.5
    a = leaf([1.0, 2.0])
    b = a * 1
    with pytest.raises(ValueError, match="cannot broadcast"):
        b += a.reshape(2, 1)


def test_no_grad_in_place_keeps_dtype_and_tracks_the_version():
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    with autograd.no_grad():
        w *= np.float64(0.5)
        w /= 2
    assert w.dtype == np.float32 and w.version == 2
    np.testing.assert_allclose(w.data, 0.25)


def test_ndarray_operators_with_a_tensor_still_give_tensors():
    x = leaf([1.0, 2.0])
    y = np.array([3.0, 4.0]) * x - np.array([1.0, 1.0])
    assert isinstance(y, Tensor) and y.grad_fn is not None
    assert isinstance(np.array([1.5, 1.5]) < x, Tensor)
    with pytest.raises(TypeError):
        np.exp(x)


def test_a_hooks_returned_tensor_is_never_written_into():
    x = leaf([1.0, 2.0])
    fixed = Tensor(np.array([10.0, 20.0]))
    x.register_hook(lambda g: fixed)
    for _ in range(3):
        (x * 3).sum().backward()
    np.testing.assert_array_equal(fixed.data, [10.0, 20.0])
    np.testing.assert_array_equal(x.grad.data, [30.0, 60.0])


def test_a_non_leaf_hooks_returned_array_is_never_written_into():
    x = leaf([1.0, 2.0])
    h = x * 1
    fixed = np.array([1.0, 1.0])
    h.register_hook(lambda g: fixed)
    h.retain_grad()
    (h * 2).sum().backward(retain_graph=True)
    (h * 2).sum().backward()
    np.testing.assert_array_equal(fixed, [1.0, 1.0])
    np.testing.assert_array_equal(h.grad.data, [2.0, 2.0])
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])
