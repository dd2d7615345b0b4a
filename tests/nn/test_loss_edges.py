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


@pytest.mark.parametrize("loss", [nn.MSELoss(), nn.L1Loss(), nn.HuberLoss(), nn.BCELoss()])
def test_column_against_vector_is_elementwise_with_a_warning(loss):
    column = Tensor(np.array([[0.2], [0.4], [0.9]]))
    vector = np.array([0.0, 1.0, 1.0])
    with pytest.warns(UserWarning, match=r"target shape \(3,\) differs from input shape \(3, 1\)"):
        value = loss(column, vector).item()
    assert value == pytest.approx(loss(column, vector.reshape(3, 1)).item())


def test_mse_matches_torch_for_matching_shapes_and_warns_where_torch_broadcasts():
    torch = pytest.importorskip("torch")
    pred, target = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 4.0])
    ours = nn.MSELoss()(Tensor(pred), target.reshape(3, 1)).item()
    assert ours == torch.nn.MSELoss()(torch.tensor(pred), torch.tensor(target[:, None])).item()
    with pytest.warns(UserWarning):  # torch warns here too, and computes the (3, 3) mean
        torch.nn.MSELoss()(torch.tensor(pred), torch.tensor(target))
    with pytest.warns(UserWarning, match="element by element"):
        nn.MSELoss()(Tensor(pred), target)


def test_fit_with_vector_labels_and_one_output_column_does_not_warn():
    import warnings

    model = nn.Sequential(nn.Dense(1, activation="sigmoid", input_dim=2))
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = np.random.default_rng(0).normal(size=(10, 2))
    y = (x[:, 0] > 0).astype(np.float64)  # shape (10,), the Keras habit
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(x, y, epochs=1, batch_size=4, verbose=0, validation_data=(x, y))
        model.evaluate(x, y)
