"""`cross_entropy(..., softmax=p)`: the loss reuses a softmax of its logits.

A network that ends in a softmax and is scored with Keras's crossentropy computes the
softmax and then the loss from the logits; given the softmax, the loss reads its row
maxima and sums and backward its probabilities. The numbers must stay those of the
plain op: the same loss to the bit, gradients to rounding.
"""

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck


def _loss_and_grad(logits, labels, reduction, use_softmax, change=None):
    z = Tensor(logits.copy(), requires_grad=True)
    p = autograd.softmax(z, -1)
    loss = autograd.cross_entropy(z, labels, reduction, p if use_softmax else None)
    if change is not None:
        change(p)
    (loss.sum() if reduction == "none" else loss).backward()
    return loss.data, z.grad.data


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-6), (np.float64, 1e-14)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 4), (0, 3)])
def test_same_loss_and_gradient_as_the_plain_op(dtype, rtol, reduction, shape):
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal(shape) * 5).astype(dtype)
    labels = rng.integers(0, shape[-1], shape[:-1])
    plain = _loss_and_grad(logits, labels, reduction, False)
    shared = _loss_and_grad(logits, labels, reduction, True)
    assert np.array_equal(plain[0], shared[0], equal_nan=True)
    # p - 1 at the targets cancels: rounding is relative to the largest gradient there.
    scale = np.abs(plain[1]).max(initial=1.0)
    np.testing.assert_allclose(shared[1], plain[1], rtol=rtol, atol=2 * rtol * scale)


def test_gradcheck_through_the_shared_softmax():
    labels = np.array([1, 0, 3])

    def loss(z):
        return autograd.cross_entropy(z, labels, "sum", autograd.softmax(z, axis=-1))

    z = Tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(loss, [z])
    assert autograd.gradgradcheck(loss, [z])


def test_a_softmax_changed_in_place_after_the_loss_is_not_read():
    rng = np.random.default_rng(2)
    logits, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 1])

    def bump(p):
        with autograd.no_grad():
            p += 1.0  # the loss does not depend on p: its gradient must not change

    plain = _loss_and_grad(logits, labels, "mean", False)
    changed = _loss_and_grad(logits, labels, "mean", True, change=bump)
    np.testing.assert_allclose(changed[1], plain[1], rtol=1e-14)


def test_a_softmax_of_something_else_is_ignored():
    rng = np.random.default_rng(3)
    logits, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 1])
    z = Tensor(logits, requires_grad=True)
    others = [
        autograd.softmax(Tensor(logits + 1.0, requires_grad=True), -1),  # other logits
        autograd.softmax(z, axis=0),  # another axis
        Tensor(np.full((4, 3), 1 / 3)),  # not a softmax at all
    ]
    with autograd.no_grad():
        others.append(autograd.softmax(z, -1))  # not recorded: no saved maxima
    expected = autograd.cross_entropy(z, labels).data
    for p in others:
        assert autograd.cross_entropy(z, labels, softmax=p).data == expected


def test_infinite_logits_give_the_plain_op_numbers():
    logits = np.array([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]])
    labels = np.array([2, 0])
    plain = _loss_and_grad(logits, labels, "none", False)
    shared = _loss_and_grad(logits, labels, "none", True)
    assert np.array_equal(plain[0], shared[0]) and np.isfinite(shared[0]).all()
    np.testing.assert_allclose(shared[1], plain[1], rtol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("use_softmax", [False, True])
def test_column_major_logits(reduction, use_softmax):
    """Logits laid out by columns (a transposed tensor): the gradient still loses 1 at
    each target (it was written into a copy, so the targets' -1 was dropped)."""
    labels = np.array([0, 2, 1, 2, 2])

    def loss(a):
        z = a.T
        p = autograd.softmax(z, -1) if use_softmax else None
        out = autograd.cross_entropy(z, labels, reduction, p)
        return out * out  # second derivatives also pass through the op in array mode

    a = Tensor(np.random.default_rng(0).normal(size=(3, 5)), requires_grad=True)
    assert gradcheck(loss, [a])
    assert autograd.gradgradcheck(loss, [a])
