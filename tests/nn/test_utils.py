import numpy as np
import pytest

import nn
from nn.utils import clip_grad_norm_, clip_grad_value_, count_parameters


def _params_with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros_like(g))
        p.grad = nn.Parameter(np.array(g, dtype=np.float64))
        params.append(p)
    return params


def test_clip_grad_norm_rescales_to_max_norm():
    params = _params_with_grads(np.array([3.0, 0.0]), np.array([[4.0]]))
    total = clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    clipped = np.concatenate([p.grad.data.ravel() for p in params])
    assert np.linalg.norm(clipped) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(clipped, [0.6, 0, 0.8], rtol=1e-5)


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = _params_with_grads(np.array([0.3, 0.4]))
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(params[0].grad.data, [0.3, 0.4])


def test_clip_grad_norm_other_norms_and_skips_missing_grads():
    params = _params_with_grads(np.array([1.0, -3.0]), np.array([2.0]))
    params.append(nn.Parameter(np.zeros(2)))  # no grad
    assert clip_grad_norm_(params, 10.0, norm_type=np.inf).item() == 3.0
    assert clip_grad_norm_(params, 10.0, norm_type=1).item() == 6.0
    assert clip_grad_norm_(params[0], 10.0).item() == pytest.approx(np.sqrt(10))


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    grads = [np.random.default_rng(i).normal(size=(3, 4)) for i in range(3)]
    ours = _params_with_grads(*grads)
    theirs = [torch.zeros(3, 4, dtype=torch.float64, requires_grad=True) for _ in grads]
    for t, g in zip(theirs, grads):
        t.grad = torch.tensor(g)
    total = clip_grad_norm_(ours, 2.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 2.0)
    assert total.item() == pytest.approx(expected.item())
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-12)


def test_clip_grad_value():
    params = _params_with_grads(np.array([-2.0, 0.5, 3.0]))
    clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.data, [-1.0, 0.5, 1.0])


def test_count_parameters_of_mnist_mlps():
    assert count_parameters(nn.MLP([784, 100, 10])) == 79_510
    assert (
        count_parameters(nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))) == 50_890
    )


def test_count_trainable_parameters_only():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    model[0].bias.requires_grad = False
    assert count_parameters(model) == 12
    assert count_parameters(model, trainable_only=True) == 10


def _paired_grads(torch, grads):
    ours = _params_with_grads(*grads)
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(theirs, grads):
        t.grad = torch.tensor(g)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2, 1, 1.0, 3.5, 0.5, float("inf"), "inf", -float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_orders_match_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    grads = [np.random.default_rng(i).normal(size=s) for i, s in enumerate([(3, 4), (4,), ()])]
    ours, theirs = _paired_grads(torch, grads)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.dtype == np.float64
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-13)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clip_grad_norm_non_finite_as_torch(bad):
    """A NaN total makes every gradient NaN, an infinite one zeroes the finite ones (torch
    multiplies by the clamped coefficient whatever it is); error_if_nonfinite raises."""
    torch = pytest.importorskip("torch")
    grads = [np.array([1.0, bad]), np.array([0.5, -2.0])]
    ours, theirs = _paired_grads(torch, grads)
    total = clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_equal(total.item(), expected.item())
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, t.grad.numpy())
    ours, theirs = _paired_grads(torch, grads)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type="inf", error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ours, 1.0, norm_type="inf", error_if_nonfinite=True)
    np.testing.assert_array_equal(ours[1].grad.data, grads[1])  # raised before clipping


def test_clip_grad_value_matches_torch():
    torch = pytest.importorskip("torch")
    grads = [np.random.default_rng(i).normal(size=(3, 4)) for i in range(2)]
    ours, theirs = _paired_grads(torch, grads)
    clip_grad_value_(ours, 0.4, foreach=False)
    torch.nn.utils.clip_grad_value_(theirs, 0.4, foreach=False)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, t.grad.numpy())


def test_get_total_norm_and_clip_grads_with_norm_match_torch():
    torch = pytest.importorskip("torch")
    from nn.utils import clip_grads_with_norm_, get_total_norm

    grads = [np.random.default_rng(i).normal(size=(2, 3)) for i in range(3)]
    ours, theirs = _paired_grads(torch, grads)
    total = get_total_norm([p.grad for p in ours], norm_type=3.0, foreach=False)
    expected = torch.nn.utils.get_total_norm([t.grad for t in theirs], norm_type=3.0)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-13)
    assert get_total_norm([]).item() == torch.nn.utils.get_total_norm([]).item() == 0.0
    clip_grads_with_norm_(ours, 0.7, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.7, expected)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-13)
