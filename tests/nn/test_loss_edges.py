"""Binary cross entropy at the edges, as PyTorch's BCELoss: the log floored at -100,
the slope (p - y) / max(p (1 - p), 1e-12), NaN never turned into a finite loss."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor


def _leaf(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_bce_of_a_saturated_sigmoid_keeps_learning():
    x = _leaf(np.float32(-20.0), np.float32)
    loss = nn.BCELoss()(x.sigmoid(), np.float32(1.0))
    np.testing.assert_allclose(loss.item(), 20.0, rtol=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.item(), -1.0, rtol=1e-6)


def test_bce_log_is_floored_at_minus_100_for_tiny_nonzero_p():
    p = _leaf([1e-50, 1.0 - 1e-17, 0.0, 1.0])
    loss = nn.BCELoss(reduction="none")(p, np.array([1.0, 0.0, 1.0, 0.0]))
    np.testing.assert_array_equal(loss.data, [100.0, 100.0, 100.0, 100.0])


def test_bce_gradient_at_p_0_points_the_right_way():
    p = _leaf([0.0, 1e-50, 1.0, 0.3])
    nn.BCELoss(reduction="sum")(p, np.array([1.0, 1.0, 0.0, 0.0])).backward()
    np.testing.assert_allclose(p.grad.data, [-1e12, -1e12, 1e12, 1 / 0.7], rtol=1e-8)


def test_bce_of_nan_raises_instead_of_a_finite_loss():
    with pytest.raises(ValueError, match="NaN"):
        nn.BCELoss()(Tensor(np.array([np.nan, 0.5])), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.BCELoss()(Tensor(np.array([1.5])), np.array([1.0]))


def test_bce_op_propagates_nan():
    import autograd

    z = autograd.binary_cross_entropy(np.array([np.nan, 0.5]), np.array([1.0, 1.0]))
    assert np.isnan(z.data[0]) and np.isfinite(z.data[1])


def test_bce_matches_torch_values_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p = np.concatenate([[0.0, 1.0, 1e-50, 1 - 1e-16, 1e-8], rng.uniform(0, 1, 20)])
    y = np.concatenate([[1.0, 0.0, 1.0, 0.0, 0.0], rng.uniform(0, 1, 20)])
    ours_p, ours_y = _leaf(p), _leaf(y)
    loss = nn.functional.binary_cross_entropy(ours_p, ours_y, reduction="sum")
    loss.backward()
    tp = torch.tensor(p, requires_grad=True)
    ty = torch.tensor(y, requires_grad=True)
    tloss = torch.nn.functional.binary_cross_entropy(tp, ty, reduction="sum")
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
    np.testing.assert_allclose(ours_p.grad.data, tp.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours_y.grad.data, ty.grad.numpy(), rtol=1e-12)
