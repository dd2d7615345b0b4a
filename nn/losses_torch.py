"""PyTorch's further losses and distances as modules: KLDivLoss, MarginRankingLoss,
HingeEmbeddingLoss, SoftMarginLoss, CosineEmbeddingLoss, CosineSimilarity and
PairwiseDistance. Each forward is the function of the same name in `nn.functional`."""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.checks import check_bool, check_int, check_real
from nn import functional_losses as FL
from nn.losses import _Loss
from nn.module import Module


def _reduction(owner: str, reduction: str, allowed: tuple[str, ...] = FL._REDUCTIONS) -> str:
    if reduction not in allowed:
        raise ValueError(f"{owner}: reduction must be one of {list(allowed)}, got {reduction!r}")
    return reduction


class KLDivLoss(_Loss):
    """target * (log(target) - input), input being log-probabilities; see `F.kl_div`
    (`reduction="batchmean"` gives the KL divergence per sample)."""

    fn = staticmethod(FL.kl_div)

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        Module.__init__(self)
        allowed = (*FL._REDUCTIONS, "batchmean")
        self.reduction = _reduction("KLDivLoss", reduction, allowed)
        self.log_target = check_bool("KLDivLoss", "log_target", log_target)

    def options(self) -> dict[str, Any]:
        return {"log_target": self.log_target}


class SoftMarginLoss(_Loss):
    """log(1 + exp(-target * input)), target in {1, -1}."""

    fn = staticmethod(FL.soft_margin_loss)


class HingeEmbeddingLoss(_Loss):
    """input where target == 1, max(0, margin - input) where target == -1."""

    fn = staticmethod(FL.hinge_embedding_loss)

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = check_real("HingeEmbeddingLoss", "margin", margin)

    def options(self) -> dict[str, Any]:
        return {"margin": self.margin}


class _PairLoss(_Loss):
    """A loss of two inputs and a target in {1, -1}, with a `margin`."""

    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = check_real(type(self).__name__, "margin", margin)

    def options(self) -> dict[str, Any]:
        return {"margin": self.margin}

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:  # type: ignore[override]
        return type(self).fn(input1, input2, target, reduction=self.reduction, **self.options())


class MarginRankingLoss(_PairLoss):
    """max(0, -target * (input1 - input2) + margin): input1 should rank above input2
    where target == 1, below where target == -1."""

    fn = staticmethod(FL.margin_ranking_loss)


class CosineEmbeddingLoss(_PairLoss):
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where -1."""

    fn = staticmethod(FL.cosine_embedding_loss)


class CosineSimilarity(Module):
    """x1 . x2 / (max(||x1||, eps) * max(||x2||, eps)) along `dim` (printed without
    arguments, as PyTorch prints it)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = check_int("CosineSimilarity", "dim", dim)
        self.eps = check_real("CosineSimilarity", "eps", eps, 0)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return FL.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p over the last dim (printed without arguments, as PyTorch
    prints it; `p` is kept as `norm`, PyTorch's attribute)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = check_real("PairwiseDistance", "p", p, 0, low_open=True)
        self.eps = check_real("PairwiseDistance", "eps", eps)
        self.keepdim = check_bool("PairwiseDistance", "keepdim", keepdim)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return FL.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class MultiLabelSoftMarginLoss(_Loss):
    """Binary cross entropy of each class's logit, times `weight` (per class), averaged
    over the classes: inputs (N, C), targets in {0, 1} of the same shape."""

    fn = staticmethod(FL.multilabel_soft_margin_loss)

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def options(self) -> dict[str, Any]:
        return {"weight": self.weight}


class PoissonNLLLoss(_Loss):
    """exp(input) - target * input (`log_input`), else input - target * log(input + eps);
    `full` adds Stirling's term."""

    fn = staticmethod(FL.poisson_nll_loss)

    def __init__(
        self, log_input: bool = True, full: bool = False, eps: float = 1e-8, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.log_input = check_bool("PoissonNLLLoss", "log_input", log_input)
        self.full = check_bool("PoissonNLLLoss", "full", full)
        self.eps = check_real("PoissonNLLLoss", "eps", eps)

    def options(self) -> dict[str, Any]:
        return {"log_input": self.log_input, "full": self.full, "eps": self.eps}


class GaussianNLLLoss(_Loss):
    """(log(var) + (input - target)**2 / var) / 2 with var clamped at `eps`; called
    `loss(input, target, var)`."""

    fn = staticmethod(FL.gaussian_nll_loss)

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full = check_bool("GaussianNLLLoss", "full", full)
        self.eps = check_real("GaussianNLLLoss", "eps", eps, 0)

    def options(self) -> dict[str, Any]:
        return {"full": self.full, "eps": self.eps}

    def forward(self, input: Tensor, target: Any, var: Any) -> Tensor:  # type: ignore[override]
        return FL.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the p-norm
    distance; called `loss(anchor, positive, negative)`."""

    fn = staticmethod(FL.triplet_margin_loss)

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        self.margin = check_real("TripletMarginLoss", "margin", margin)
        self.p = check_real("TripletMarginLoss", "p", p, 0, low_open=True)
        self.eps = check_real("TripletMarginLoss", "eps", eps)
        self.swap = check_bool("TripletMarginLoss", "swap", swap)

    def options(self) -> dict[str, Any]:
        return {"margin": self.margin, "p": self.p, "eps": self.eps, "swap": self.swap}

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:  # type: ignore[override]
        return FL.triplet_margin_loss(
            anchor, positive, negative, reduction=self.reduction, **self.options()
        )
