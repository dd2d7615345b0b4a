"""PyTorch's further losses and distances (KLDivLoss, MarginRankingLoss,
HingeEmbeddingLoss, SoftMarginLoss, CosineEmbeddingLoss, CosineSimilarity,
PairwiseDistance, F.normalize), compared with torch itself in float64: values and
gradients of every input, for every reduction, at the kinks too."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

rng = np.random.default_rng(0)
X1 = rng.normal(size=(6, 5))
X2 = rng.normal(size=(6, 5))
SIGNS = np.where(rng.normal(size=(6, 5)) > 0, 1.0, -1.0)
ROW_SIGNS = np.array([1.0, -1.0, 1.0, -1.0, -1.0, 1.0])
PROBS = np.abs(rng.normal(size=(6, 5)))
PROBS[0, :2] = 0.0  # target 0: the term is 0, as torch's xlogy
KINK = X1.copy()
KINK[0, 0] = 1.0  # hinge: margin - input == 0 at margin 1
X2_KINK = X1.copy()
X2_KINK[:, 0] += 0.3  # ranking, target -1, margin 0.3: the hinge at about 0


def compare(fn, tfn, arrays, grad_of, rtol=1e-12, atol=1e-14):
    ours = [Tensor(a.copy(), requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    refs = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    y, ty = fn(*ours), tfn(*refs)
    assert y.shape == tuple(ty.shape) and y.dtype == np.float64
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(1).normal(size=ty.shape)
    (y * g).sum().backward()
    (ty * torch.from_numpy(g)).sum().backward()
    for i in grad_of:
        np.testing.assert_allclose(
            ours[i].grad.data, refs[i].grad.numpy(), rtol=rtol, atol=atol, err_msg=str(i)
        )
    return ours


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", [*REDUCTIONS, "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    target = X2 if log_target else PROBS
    grads = (0, 1) if log_target else (0,)
    module = nn.KLDivLoss(reduction, log_target=log_target)
    ref = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        compare(module, ref, [X1, target], grads)
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        compare(
            lambda a, b: F.kl_div(a, b, reduction, log_target),
            lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
            [X1, target],
            grads,
        )


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_margin_ranking_loss(reduction, margin):
    module = nn.MarginRankingLoss(margin, reduction)
    ref = torch.nn.MarginRankingLoss(margin, reduction=reduction)
    compare(module, ref, [X1, X2_KINK, SIGNS], (0, 1))
    compare(
        lambda a, b, t: F.margin_ranking_loss(a, b, t, margin, reduction),
        lambda a, b, t: TF.margin_ranking_loss(a, b, t, margin, reduction=reduction),
        [X1, X2, SIGNS],
        (0, 1),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_hinge_embedding_loss(reduction, margin):
    compare(
        nn.HingeEmbeddingLoss(margin, reduction),
        torch.nn.HingeEmbeddingLoss(margin, reduction=reduction),
        [KINK, SIGNS],
        (0,),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss_including_the_tails(reduction):
    x = X1 * 40  # exp(-t x) overflows unless computed stably
    compare(
        nn.SoftMarginLoss(reduction), torch.nn.SoftMarginLoss(reduction=reduction), [x, SIGNS], (0,)
    )
    assert np.isfinite(nn.SoftMarginLoss()(Tensor(x * 100), SIGNS).data)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.2])
def test_cosine_embedding_loss(reduction, margin):
    compare(
        nn.CosineEmbeddingLoss(margin, reduction),
        torch.nn.CosineEmbeddingLoss(margin, reduction=reduction),
        [X1, X2, ROW_SIGNS],
        (0, 1),
    )
    compare(  # 1-d inputs: one pair
        lambda a, b: F.cosine_embedding_loss(a, b, np.array(-1.0), margin, reduction),
        lambda a, b: TF.cosine_embedding_loss(
            a, b, torch.tensor(-1.0, dtype=torch.float64), margin, reduction=reduction
        ),
        [X1[0], X1[0] + 0.1],
        (0, 1),
    )


@pytest.mark.parametrize("dim, eps", [(1, 1e-8), (0, 1e-8), (-1, 0.5)])
def test_cosine_similarity(dim, eps):
    a = X1.copy()
    a[2] = 0.0  # a zero vector: its norm clamped to eps
    compare(nn.CosineSimilarity(dim, eps), torch.nn.CosineSimilarity(dim, eps), [a, X2], (0, 1))


@pytest.mark.parametrize(
    "p, eps, keepdim", [(2.0, 1e-6, False), (1.0, 1e-3, True), (3.5, 0.0, False)]
)
def test_pairwise_distance(p, eps, keepdim):
    b = X1.copy()
    b[1] += 0.5
    compare(
        nn.PairwiseDistance(p, eps, keepdim),
        torch.nn.PairwiseDistance(p, eps, keepdim),
        [X1, X2],
        (0, 1),
        rtol=1e-11,
    )
    same = compare(  # identical rows, eps 0: a zero distance with torch's zero gradient
        lambda a, c: F.pairwise_distance(a, c, p, 0.0),
        lambda a, c: TF.pairwise_distance(a, c, p, 0.0),
        [X1, b],
        (0, 1),
    )
    assert (same[0].grad.data[0] == 0).all()


@pytest.mark.parametrize("p, dim, eps", [(2.0, 1, 1e-12), (1.0, 0, 1e-12), (3.0, -1, 2.0)])
def test_normalize(p, dim, eps):
    a = X1.copy()
    a[3] = 0.0
    compare(
        lambda x: F.normalize(x, p, dim, eps), lambda x: TF.normalize(x, p, dim, eps), [a], (0,)
    )


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: F.kl_div(a, b, "batchmean", True),
        lambda a, b: F.margin_ranking_loss(a, b, SIGNS, 0.1, "sum"),
        lambda a, b: F.cosine_embedding_loss(a, b, ROW_SIGNS, 0.1, "sum"),
        lambda a, b: F.cosine_similarity(a, b),
        lambda a, b: F.pairwise_distance(a, b, 1.5),
        lambda a, b: F.soft_margin_loss(a * b, SIGNS, "sum"),
        lambda a, b: F.hinge_embedding_loss(a * b, SIGNS, 0.7, "sum"),
        lambda a, b: F.normalize(a + b, 2.0, 1),
    ],
)
def test_compositions_pass_gradcheck(fn):
    a = Tensor(X1 + 0.01, requires_grad=True)
    b = Tensor(X2 * 1.1, requires_grad=True)
    assert autograd.gradcheck(fn, [a, b], eps=1e-6, atol=1e-6)


def test_reprs_and_bad_arguments():
    assert repr(nn.CosineSimilarity(0, 0.1)) == repr(torch.nn.CosineSimilarity(0, 0.1))
    assert repr(nn.PairwiseDistance(1.0)) == repr(torch.nn.PairwiseDistance(1.0))
    assert repr(nn.KLDivLoss("batchmean")) == repr(torch.nn.KLDivLoss(reduction="batchmean"))
    assert repr(nn.MarginRankingLoss(0.5)) == repr(torch.nn.MarginRankingLoss(0.5))
    with pytest.raises(ValueError, match="reduction"):
        nn.KLDivLoss("avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.MarginRankingLoss(0.0, "batchmean")
    with pytest.raises(ValueError, match="reduction"):
        F.soft_margin_loss(Tensor(X1), SIGNS, "batchmean")
    with pytest.raises(TypeError, match="log_target"):
        nn.KLDivLoss(log_target="yes")
    with pytest.raises(TypeError, match="margin"):
        nn.HingeEmbeddingLoss("1")
    with pytest.raises(TypeError, match="margin"):
        nn.CosineEmbeddingLoss(None)
    with pytest.raises(ValueError, match="p"):
        nn.PairwiseDistance(0.0)
    with pytest.raises(ValueError, match="eps"):
        nn.CosineSimilarity(1, -1.0)
    with pytest.raises(TypeError, match="dim"):
        F.normalize(Tensor(X1), dim=1.0)


LABELS = (np.random.default_rng(3).random((6, 5)) > 0.5) * 1.0
COUNTS = np.random.default_rng(4).poisson(2.0, size=(6, 5)) * 1.0
VAR = np.random.default_rng(5).random((6, 5))
VAR[0, 0] = 1e-9  # clamped to eps: the gradient flows as if not, as torch's


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(reduction, weighted):
    w = np.linspace(0.5, 2.0, 5) if weighted else None
    compare(
        nn.MultiLabelSoftMarginLoss(w, reduction),
        torch.nn.MultiLabelSoftMarginLoss(
            None if w is None else torch.from_numpy(w), reduction=reduction
        ),
        [X1 * 10, LABELS],
        (0,),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(reduction, log_input, full):
    x = X1 if log_input else np.abs(X1)
    compare(
        nn.PoissonNLLLoss(log_input, full, 1e-8, reduction),
        torch.nn.PoissonNLLLoss(log_input, full, eps=1e-8, reduction=reduction),
        [x, COUNTS],
        (0,),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", ["same", "no last dim", "last dim 1"])
def test_gaussian_nll_loss(reduction, full, var_shape):
    var = {"same": VAR, "no last dim": VAR[:, 0], "last dim 1": VAR[:, :1]}[var_shape].copy()
    compare(
        nn.GaussianNLLLoss(full=full, eps=1e-6, reduction=reduction),
        torch.nn.GaussianNLLLoss(full=full, eps=1e-6, reduction=reduction),
        [X1, X2, var],
        (0, 1, 2),
        rtol=1e-11,
    )


def test_gaussian_nll_loss_errors():
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(Tensor(X1), X2, -VAR)
    with pytest.raises(ValueError, match="incorrect size"):
        F.gaussian_nll_loss(Tensor(X1), X2, VAR[:3])
    with pytest.raises(ValueError, match="eps"):
        nn.GaussianNLLLoss(eps=-1.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, swap", [(2.0, False), (2.0, True), (1.5, True), (1.0, False)])
def test_triplet_margin_loss(reduction, p, swap):
    x3 = np.random.default_rng(6).normal(size=X1.shape)
    compare(
        nn.TripletMarginLoss(0.5, p, 1e-6, swap, reduction),
        torch.nn.TripletMarginLoss(0.5, p, 1e-6, swap, reduction=reduction),
        [X1, X2, x3],
        (0, 1, 2),
        rtol=1e-11,
    )


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: F.multilabel_soft_margin_loss(a * b, LABELS, np.arange(1.0, 6.0), "sum"),
        lambda a, b: F.poisson_nll_loss(a * b, COUNTS, full=True, reduction="sum"),
        lambda a, b: F.gaussian_nll_loss(a, b, a * a + 0.5, full=True, reduction="sum"),
        lambda a, b: F.triplet_margin_loss(a, b, a * b, 0.5, 1.5, swap=True, reduction="sum"),
    ],
)
def test_more_compositions_pass_gradcheck(fn):
    a = Tensor(X1 + 0.01, requires_grad=True)
    b = Tensor(X2 * 1.1, requires_grad=True)
    assert autograd.gradcheck(fn, [a, b], eps=1e-6, atol=1e-6)


def test_more_bad_arguments():
    with pytest.raises(TypeError, match="log_input"):
        nn.PoissonNLLLoss(log_input=1)
    with pytest.raises(TypeError, match="swap"):
        nn.TripletMarginLoss(swap="no")
    with pytest.raises(ValueError, match="p"):
        nn.TripletMarginLoss(p=-1.0)
    with pytest.raises(ValueError, match="reduction"):
        nn.MultiLabelSoftMarginLoss(reduction="batchmean")


LOSS_REPRS = [
    ("MSELoss", dict(reduction="sum")),
    ("L1Loss", dict(reduction="none")),
    ("HuberLoss", dict(delta=2.0)),
    ("SmoothL1Loss", dict(beta=0.5)),
    ("BCELoss", dict(reduction="sum")),
    ("BCEWithLogitsLoss", dict()),
    ("CrossEntropyLoss", dict(label_smoothing=0.1, ignore_index=3)),
    ("NLLLoss", dict(reduction="none")),
    ("KLDivLoss", dict(reduction="batchmean", log_target=True)),
    ("SoftMarginLoss", dict()),
    ("HingeEmbeddingLoss", dict(margin=2.0)),
    ("MarginRankingLoss", dict(margin=0.5)),
    ("CosineEmbeddingLoss", dict(margin=0.1)),
    ("MultiLabelSoftMarginLoss", dict()),
    ("PoissonNLLLoss", dict(log_input=False, full=True)),
    ("GaussianNLLLoss", dict(full=True)),
    ("TripletMarginLoss", dict(margin=2.0, p=1.0, swap=True)),
]


@pytest.mark.parametrize(("name", "options"), LOSS_REPRS, ids=[n for n, _ in LOSS_REPRS])
def test_loss_modules_print_as_torch(name, options):
    """torch's losses have no extra_repr: `MSELoss()` whatever the options."""
    assert repr(getattr(nn, name)(**options)) == repr(getattr(torch.nn, name)(**options))


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.nn.Softmax(dim=1),
        lambda lib: lib.nn.LogSoftmax(dim=0),
        lambda lib: lib.nn.BatchNorm1d(4),
        lambda lib: lib.nn.BatchNorm1d(3, eps=1e-3, momentum=0.2, affine=False),
        lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Softmax(dim=1), lib.nn.MSELoss()),
    ],
)
def test_modules_of_the_tutorials_print_as_torch(make):
    assert repr(make(autograd)) == repr(make(torch))


def test_keras_losses_keep_their_options_in_repr():
    assert repr(nn.BinaryCrossentropy(from_logits=True)) == (
        "BinaryCrossentropy(reduction='mean', from_logits=True)"
    )
