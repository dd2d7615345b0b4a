"""`F.pdist`, `F.feature_alpha_dropout` / `nn.FeatureAlphaDropout` and
`F.triplet_margin_with_distance_loss` / `nn.TripletMarginWithDistanceLoss` compared with
torch in float64: values and gradients (also at zero distances and ties), masks drawn
for one seed, reprs, and torch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _pair(values):
    return Tensor(values.copy(), requires_grad=True), torch.tensor(values, requires_grad=True)


def _check_backward(out, expected, pairs, seed=0, rtol=1e-12, atol=1e-13):
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(seed).normal(size=out.shape).astype(out.dtype)
    (out * Tensor(w)).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    for a, b in pairs:
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=atol)


# pdist


@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, math.inf])
@pytest.mark.parametrize("rows", [0, 1, 2, 5])
def test_pdist_matches_torch(p, rows):
    values = np.random.default_rng(1).normal(size=(rows, 4))
    a, b = _pair(values)
    out, expected = F.pdist(a, p), TF.pdist(b, p)
    assert out.shape == tuple(expected.shape)
    if rows < 2:  # no pairs (torch's backward crashes for 0 rows)
        out.sum().backward()
        np.testing.assert_array_equal(a.grad.data, np.zeros((rows, 4)))
        return
    _check_backward(out, expected, [(a, b)])


@pytest.mark.parametrize("p", [0, 0.5, 1, 2, 3, math.inf])
def test_pdist_at_equal_rows_and_equal_entries(p):
    """Equal rows (distance 0: gradient 0, as torch's), rows equal in some entries, and
    ties of the largest difference (p = inf)."""
    values = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 0.0, 5.0], [2.0, 3.0, 3.0]])
    a, b = _pair(values)
    _check_backward(F.pdist(a, p), TF.pdist(b, p), [(a, b)])


def test_pdist_float32():
    values = np.random.default_rng(2).normal(size=(6, 3)).astype(np.float32)
    a, b = _pair(values)
    out = F.pdist(a)
    assert out.dtype == np.float32
    _check_backward(out, TF.pdist(b), [(a, b)], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "values, p, match",
    [
        (np.zeros((2, 3, 4)), 2, "2D"),
        (np.zeros(3), 2, "2D"),
        (np.zeros((2, 3), np.int64), 2, "floating-point"),
        (np.zeros((2, 3)), -1, "non-negative"),
    ],
)
def test_pdist_errors_as_torch(values, p, match):
    with pytest.raises(RuntimeError):
        TF.pdist(torch.tensor(values), p)
    with pytest.raises(RuntimeError, match=match):
        F.pdist(Tensor(values), p)


# feature_alpha_dropout


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(4, 6, 3, 5), (8, 5), (3, 4, 7), (2, 3, 2, 2, 2)])
def test_feature_alpha_dropout_draws_torchs_masks(p, shape):
    values = np.random.default_rng(3).normal(size=shape)
    a, b = _pair(values)
    autograd.manual_seed(7)
    torch.manual_seed(7)
    out = F.feature_alpha_dropout(a, p, training=True)
    expected = TF.feature_alpha_dropout(b, p, training=True)
    _check_backward(out, expected, [(a, b)])
    # whole channels: each (n, c) slice kept (a linear map of x) or constant
    dropped = np.isclose(a.grad.data, 0).reshape(*shape[:2], -1)
    assert (dropped.all(axis=-1) | ~dropped.any(axis=-1)).all()


def test_feature_alpha_dropout_identity_and_edges():
    values = np.random.default_rng(4).normal(size=(3, 4, 2))
    x = Tensor(values)
    assert F.feature_alpha_dropout(x, 0.5, training=False) is x
    assert F.feature_alpha_dropout(x, 0.0, training=True) is x
    out = F.feature_alpha_dropout(x, 1.0, training=True)
    expected = TF.feature_alpha_dropout(torch.tensor(values), 1.0, training=True)
    np.testing.assert_array_equal(out.data, expected.numpy())
    empty = Tensor(np.zeros((0, 3)))
    assert F.feature_alpha_dropout(empty, 0.5, True).shape == (0, 3)


def test_feature_alpha_dropout_float32_and_inplace():
    values = np.random.default_rng(5).normal(size=(4, 3, 5)).astype(np.float32)
    a, b = Tensor(values.copy()), torch.tensor(values)
    autograd.manual_seed(2)
    torch.manual_seed(2)
    out = F.feature_alpha_dropout(a, 0.3, True, inplace=True)
    TF.feature_alpha_dropout(b, 0.3, True, inplace=True)
    assert out is a and a.dtype == np.float32 and a._version == 1
    np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-6, atol=1e-6)


def test_feature_alpha_dropout_errors():
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError):
            TF.feature_alpha_dropout(torch.zeros(2, 3), p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.feature_alpha_dropout(Tensor(np.zeros((2, 3))), p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.FeatureAlphaDropout(p)
    with pytest.raises(RuntimeError):
        TF.feature_alpha_dropout(torch.zeros(3), 0.5, True)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(Tensor(np.zeros(3)), 0.5, True)


def test_feature_alpha_dropout_module():
    ours, theirs = nn.FeatureAlphaDropout(0.3), torch.nn.FeatureAlphaDropout(0.3)
    assert repr(ours) == repr(theirs)
    assert repr(nn.FeatureAlphaDropout(0.1, True)) == repr(torch.nn.FeatureAlphaDropout(0.1, True))
    assert list(ours.state_dict()) == []
    values = np.random.default_rng(6).normal(size=(5, 4, 3))
    autograd.manual_seed(9)
    torch.manual_seed(9)
    np.testing.assert_allclose(
        ours(Tensor(values)).data, theirs(torch.tensor(values)).numpy(), rtol=1e-12
    )
    ours.eval()
    np.testing.assert_array_equal(ours(Tensor(values)).data, values)


# triplet_margin_with_distance_loss


def _cosine_distance_ours(x, y):
    return 1 - F.cosine_similarity(x, y)


def _cosine_distance_torch(x, y):
    return 1 - TF.cosine_similarity(x, y)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("distance", [None, "cosine", "l1"])
@pytest.mark.parametrize("margin", [0.5, 2.0])
def test_triplet_margin_with_distance_loss(distance, swap, reduction, margin):
    rng = np.random.default_rng(8)
    pairs = [_pair(rng.normal(size=(6, 5))) for _ in range(3)]
    fns = {
        None: (None, None),
        "cosine": (_cosine_distance_ours, _cosine_distance_torch),
        "l1": (nn.PairwiseDistance(p=1), torch.nn.PairwiseDistance(p=1)),
    }[distance]
    out = F.triplet_margin_with_distance_loss(
        *(a for a, _ in pairs), distance_function=fns[0], margin=margin, swap=swap,
        reduction=reduction,
    )  # fmt: skip
    expected = TF.triplet_margin_with_distance_loss(
        *(b for _, b in pairs), distance_function=fns[1], margin=margin, swap=swap,
        reduction=reduction,
    )  # fmt: skip
    assert out.shape == tuple(expected.shape)
    _check_backward(out, expected, pairs)


def test_triplet_margin_with_distance_loss_ties_and_the_hinge():
    """swap's minimum at a tie (the gradient split as torch.minimum's), and losses
    exactly 0 at the hinge (clamp_min passes the gradient there, as torch's)."""
    anchor = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    positive = np.array([[1.0, 0.0], [0.0, 0.5], [1.0, 2.0]])
    negative = np.array([[0.0, 1.0], [0.0, 1.0], [3.0, 1.0]])
    pairs = [_pair(v) for v in (anchor, positive, negative)]

    def manhattan(x, y):  # the same code runs on both libraries' tensors
        return (x - y).abs().sum(-1)

    out = F.triplet_margin_with_distance_loss(
        *(a for a, _ in pairs), distance_function=manhattan, swap=True, margin=1.0,
        reduction="none",
    )  # fmt: skip
    expected = TF.triplet_margin_with_distance_loss(
        *(b for _, b in pairs), distance_function=manhattan, swap=True, margin=1.0,
        reduction="none",
    )  # fmt: skip
    _check_backward(out, expected, pairs)


def test_triplet_margin_with_distance_loss_module():
    ours, theirs = nn.TripletMarginWithDistanceLoss(), torch.nn.TripletMarginWithDistanceLoss()
    assert repr(ours) == repr(theirs)
    ours = nn.TripletMarginWithDistanceLoss(
        distance_function=_cosine_distance_ours, margin=0.3, swap=True, reduction="sum"
    )
    theirs = torch.nn.TripletMarginWithDistanceLoss(
        distance_function=_cosine_distance_torch, margin=0.3, swap=True, reduction="sum"
    )
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(9)
    pairs = [_pair(rng.normal(size=(4, 3))) for _ in range(3)]
    _check_backward(ours(*(a for a, _ in pairs)), theirs(*(b for _, b in pairs)), pairs)


def test_triplet_margin_with_distance_loss_1d_inputs():
    rng = np.random.default_rng(10)
    pairs = [_pair(rng.normal(size=5)) for _ in range(3)]
    out = F.triplet_margin_with_distance_loss(*(a for a, _ in pairs))
    expected = TF.triplet_margin_with_distance_loss(*(b for _, b in pairs))
    _check_backward(out, expected, pairs)


@pytest.mark.parametrize(
    "shapes, kwargs, error, match",
    [
        (((2, 3), (2, 3), (2, 3)), {"margin": 0.0}, ValueError, "greater than 0"),
        (((2, 3), (2, 3), (2, 3)), {"margin": -1.0}, ValueError, "greater than 0"),
        (((2, 3), (2, 3), (2, 3)), {"reduction": "max"}, ValueError, "not a valid value"),
        (((2, 3), (3,), (2, 3)), {}, RuntimeError, "anchor 2D, positive 1D"),
    ],
)
def test_triplet_margin_with_distance_loss_errors(shapes, kwargs, error, match):
    arrays = [np.zeros(s) for s in shapes]
    with pytest.raises(error):
        TF.triplet_margin_with_distance_loss(*(torch.tensor(v) for v in arrays), **kwargs)
    with pytest.raises(error, match=match):
        F.triplet_margin_with_distance_loss(*(Tensor(v) for v in arrays), **kwargs)


def test_triplet_margin_with_distance_loss_module_errors():
    with pytest.raises(ValueError):
        torch.nn.TripletMarginWithDistanceLoss(margin=0)
    with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    with pytest.raises(TypeError):
        nn.TripletMarginWithDistanceLoss(None)  # keyword-only, as torch's
