"""The neural-network functions PyTorch also has at its top level (``torch.dropout``,
``torch.layer_norm``, ``torch.kl_div``, ``torch.embedding``...), with those forms'
own signatures: `autograd.dropout` and the others are these (`autograd.__getattr__`
imports this module on first use, so ``import autograd`` does not import `nn`).

They call `nn.functional`'s functions, which hold the math.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from autograd import Tensor
from autograd.ops.torch_more import TOP_LEVEL_NN
from nn import functional as F

#: PyTorch's reduction codes of its top-level losses (``at::Reduction``).
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}

#: The names this module gives `autograd`.
NAMES = TOP_LEVEL_NN


def _reduction(name: str, reduction: Any) -> str:
    """The name of PyTorch's reduction code (0 none, 1 mean, 2 sum).

    Raises:
        TypeError: anything but one of the three ints (a string among them: the
            top-level forms take the code, as PyTorch's).
    """
    if isinstance(reduction, bool) or reduction not in _REDUCTIONS:
        raise TypeError(
            f"{name}(): argument 'reduction' must be int (0 none, 1 mean, 2 sum), got {reduction!r}"
        )
    return _REDUCTIONS[reduction]


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """`F.dropout(input, p, training=train)`, as `torch.dropout` (all arguments needed)."""
    return F.dropout(input, p, training=train)


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Tensor:
    """`F.layer_norm`, as `torch.layer_norm` (`cudnn_enable` is ignored: the CPU only)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def selu(input: Any) -> Tensor:
    """`F.selu`, as `torch.selu`."""
    return F.selu(input)


def celu(input: Any, alpha: float = 1.0) -> Tensor:
    """`F.celu`, as `torch.celu`."""
    return F.celu(input, alpha)


def rrelu(
    input: Any,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    """`F.rrelu`, as `torch.rrelu` (the fixed slope (lower + upper) / 2 unless training)."""
    return F.rrelu(input, lower, upper, training, generator=generator)


def threshold(input: Any, threshold: float, value: float) -> Tensor:
    """`F.threshold`: `value` where input <= threshold, as `torch.threshold`."""
    return F.threshold(input, threshold, value)


def prelu(input: Any, weight: Tensor) -> Tensor:
    """`F.prelu`, as `torch.prelu`."""
    return F.prelu(input, weight)


def kl_div(input: Tensor, target: Any, reduction: int = 0, *, log_target: bool = False) -> Tensor:
    """`F.kl_div` with PyTorch's reduction code (default 0: no reduction), as
    `torch.kl_div`, which does not warn about the mean as `F.kl_div` does."""
    name = _reduction("kl_div", reduction)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "kl_div: reduction='mean'", UserWarning)
        return F.kl_div(input, target, name, log_target)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: int = 0,
) -> Tensor:
    """`F.binary_cross_entropy_with_logits` with PyTorch's reduction code (default 0:
    no reduction) and its argument order, as `torch.binary_cross_entropy_with_logits`."""
    name = _reduction("binary_cross_entropy_with_logits", reduction)
    return F.binary_cross_entropy_with_logits(input, target, weight, name, pos_weight)


def embedding(
    weight: Tensor,
    indices: Any,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of `weight` at `indices`, as `torch.embedding` (weight first; a
    `padding_idx` of -1 is none): `F.embedding`."""
    padding = None if padding_idx == -1 else padding_idx
    return F.embedding(
        indices, weight, padding, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """`F.cosine_similarity`, as `torch.cosine_similarity`."""
    return F.cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """`F.pairwise_distance`, as `torch.pairwise_distance`."""
    return F.pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """`F.pdist`, as `torch.pdist`."""
    return F.pdist(input, p)


def selu_(input: Tensor) -> Tensor:
    """`F.selu_`, as `torch.selu_`."""
    return F.selu_(input)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """`F.celu_`, as `torch.celu_`."""
    return F.celu_(input, alpha)


def rrelu_(
    input: Tensor,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    """`F.rrelu` written into `input`, as `torch.rrelu_`."""
    return F.rrelu(input, lower, upper, training, inplace=True, generator=generator)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """`F.threshold_`, as `torch.threshold_`."""
    return F.threshold_(input, threshold, value)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """`F.feature_alpha_dropout(input, p, training=train)`, as
    `torch.feature_alpha_dropout` (all arguments needed)."""
    return F.feature_alpha_dropout(input, p, train)


def ctc_loss(
    log_probs: Tensor,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: int = 0,
    zero_infinity: bool = False,
) -> Tensor:
    """`F.ctc_loss` with PyTorch's reduction code, as `torch.ctc_loss`: the default,
    as torch 2.13's, is 0 (no reduction; `F.ctc_loss` and `nn.CTCLoss` take the mean)."""
    name = _reduction("ctc_loss", reduction)
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, name, zero_infinity)
