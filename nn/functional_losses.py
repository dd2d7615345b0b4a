"""PyTorch's further losses and distances as functions (`F.kl_div`,
`F.margin_ranking_loss`, `F.hinge_embedding_loss`, `F.soft_margin_loss`,
`F.cosine_embedding_loss`, `F.cosine_similarity`, `F.pairwise_distance`,
`F.normalize`), composed from autograd ops with PyTorch's formulas, reductions and
gradients at the kinks (a clamp at 0 passes the gradient at exactly 0, as torch's
`clamp_min`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, log, log_sigmoid, softplus, sqrt, where, xlogy
from autograd.checks import check_bool, check_int, check_real

_REDUCTIONS = ("mean", "sum", "none")


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(np.asarray(x, dtype=np.float64))


def _values(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def _reduce(name: str, loss: Tensor, reduction: str) -> Tensor:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {list(_REDUCTIONS)}, got {reduction!r}")
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _clamp_min_0(z: Tensor) -> Tensor:
    """max(z, 0), whose gradient passes where z >= 0 (torch's `clamp_min(0)`)."""
    v = _values(z)
    return where(v >= 0, z, np.zeros_like(v))


def kl_div(input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence with `input` as log-probabilities: target * (log(target) - input)
    (0 where target is 0, NaN where it is negative, as torch's), or
    exp(target) * (target - input) with `log_target`.
    `reduction="batchmean"` divides the sum by the batch size (the true KL divergence;
    "mean" averages over every element, as torch)."""
    check_bool("kl_div", "log_target", log_target)
    input, target = _tensor(input), _tensor(target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = xlogy(target, target) - target * input  # NaN where target < 0, as torch
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn(
            "kl_div: reduction='mean' divides the total loss by both the batch size and the "
            "support size; 'batchmean' divides only by the batch size, as the KL divergence's "
            "definition (PyTorch warns the same)",
            UserWarning,
            stacklevel=2,
        )
    return _reduce("kl_div", loss, reduction)


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """max(0, -target * (input1 - input2) + margin), target in {1, -1}."""
    check_real("margin_ranking_loss", "margin", margin)
    z = -_tensor(target) * (_tensor(input1) - _tensor(input2)) + margin
    return _reduce("margin_ranking_loss", _clamp_min_0(z), reduction)


def hinge_embedding_loss(
    input: Tensor, target: Any, margin: float = 1.0, reduction: str = "mean"
) -> Tensor:
    """input where target == 1, max(0, margin - input) where target == -1."""
    check_real("hinge_embedding_loss", "margin", margin)
    input = _tensor(input)
    t = _values(target)
    zeros = np.zeros(np.broadcast_shapes(t.shape, input.shape), dtype=input.dtype)
    loss = where(t != 1, _clamp_min_0(margin - input), zeros) + where(t != -1, input, zeros)
    return _reduce("hinge_embedding_loss", loss, reduction)


def soft_margin_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)) (a stable softplus), target in {1, -1}."""
    return _reduce("soft_margin_loss", softplus(-_tensor(target) * _tensor(input)), reduction)


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where
    target == -1; cos over the last dim, with torch's 1e-12 added to each squared norm."""
    check_real("cosine_embedding_loss", "margin", margin)
    x1, x2 = _tensor(input1), _tensor(input2)
    axis = x1.ndim - 1
    dot = (x1 * x2).sum(axis=axis)
    cos = dot / sqrt(((x1 * x1).sum(axis=axis) + 1e-12) * ((x2 * x2).sum(axis=axis) + 1e-12))
    t = _values(target)
    zeros = np.zeros(np.broadcast_shapes(t.shape, cos.shape), dtype=cos.dtype)
    loss = where(t == 1, 1 - cos, zeros) + where(t == -1, _clamp_min_0(cos - margin), zeros)
    return _reduce("cosine_embedding_loss", loss, reduction)


def _norm(x: Tensor, p: float, axis: int, keepdims: bool) -> Tensor:
    """The p-norm along `axis`; its gradient is 0 at a zero vector, as torch's."""
    if p == 2:
        squares = (x * x).sum(axis=axis, keepdims=keepdims)
        zero = _values(squares) == 0
        return where(zero, np.zeros_like(_values(squares)), sqrt(where(zero, 1.0, squares)))
    powers = (abs(x) ** p).sum(axis=axis, keepdims=keepdims)
    zero = _values(powers) == 0
    return where(zero, np.zeros_like(_values(powers)), where(zero, 1.0, powers) ** (1 / p))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """input / max(||input||_p, eps) along `dim`."""
    check_real("normalize", "p", p, 0, low_open=True)
    check_int("normalize", "dim", dim)
    check_real("normalize", "eps", eps, 0)
    x = _tensor(input)
    norm = _norm(x, p, dim, keepdims=True)
    v = _values(norm)
    return x / where(v >= eps, norm, np.full_like(v, eps))


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along `dim` (torch's
    formula: each vector divided by its clamped norm, then the dot product)."""
    check_int("cosine_similarity", "dim", dim)
    check_real("cosine_similarity", "eps", eps, 0)
    a, b = _tensor(x1), _tensor(x2)
    na, nb = _norm(a, 2, dim, keepdims=True), _norm(b, 2, dim, keepdims=True)
    va, vb = _values(na), _values(nb)
    na = where(va >= eps, na, np.full_like(va, eps))
    nb = where(vb >= eps, nb, np.full_like(vb, eps))
    return ((a / na) * (b / nb)).sum(axis=dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim."""
    check_real("pairwise_distance", "p", p, 0, low_open=True)
    check_real("pairwise_distance", "eps", eps)
    check_bool("pairwise_distance", "keepdim", keepdim)
    d = _tensor(x1) - _tensor(x2) + eps
    return _norm(d, p, -1, keepdims=keepdim)


def multilabel_soft_margin_loss(
    input: Tensor, target: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), times `weight` (per class), averaged
    over the classes (the last dim), then reduced over the samples."""
    x, y = _tensor(input), _tensor(target)
    loss = -(y * log_sigmoid(x) + (1 - y) * log_sigmoid(-x))
    if weight is not None:
        loss = loss * _tensor(weight)
    axis = x.ndim - 1
    return _reduce("multilabel_soft_margin_loss", loss.sum(axis=axis) / x.shape[axis], reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of a Poisson target: exp(input) - target * input with
    `log_input`, else input - target * log(input + eps); `full` adds Stirling's
    target * log(target) - target + log(2 pi target) / 2 where target > 1."""
    check_bool("poisson_nll_loss", "log_input", log_input)
    check_bool("poisson_nll_loss", "full", full)
    check_real("poisson_nll_loss", "eps", eps)
    x, t = _tensor(input), _tensor(target)
    loss = x.exp() - t * x if log_input else x - t * log(x + eps)
    if full:
        tv = _values(t)
        big = tv > 1
        safe = where(big, t, np.full_like(tv, 2.0))
        stirling = safe * log(safe) - safe + 0.5 * log(2 * np.pi * safe)
        loss = loss + where(big, stirling, np.zeros_like(tv))
    return _reduce("poisson_nll_loss", loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """(log(max(var, eps)) + (input - target)**2 / max(var, eps)) / 2, plus log(2 pi) / 2
    with `full`. As torch, the clamp at eps changes the value only: the gradient flows
    to `var` as if unclamped. `var` may lack the last dim or have size 1 there.

    Raises:
        ValueError: a var of the wrong shape, or with a negative entry.
    """
    check_bool("gaussian_nll_loss", "full", full)
    check_real("gaussian_nll_loss", "eps", eps, 0)
    x, t, v = _tensor(input), _tensor(target), _tensor(var)
    if v.shape != x.shape:
        if x.shape[:-1] == v.shape:
            v = v.reshape(*v.shape, 1)
        elif not (x.shape[:-1] == v.shape[:-1] and v.shape[-1:] == (1,)):
            raise ValueError(
                f"gaussian_nll_loss: var is of incorrect size {v.shape} for input {x.shape}"
            )
    vv = _values(v)
    if (vv < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    v = v + (np.maximum(vv, eps) - vv)  # the clamp, outside the graph
    loss = 0.5 * (log(v) + (x - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * np.log(2 * np.pi)
    return _reduce("gaussian_nll_loss", loss, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the
    `pairwise_distance` with `p` and `eps`; `swap` uses min(d(a, n), d(p, n))."""
    check_real("triplet_margin_loss", "margin", margin)
    check_bool("triplet_margin_loss", "swap", swap)
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_pn = pairwise_distance(positive, negative, p, eps)
        d_an = where(_values(d_pn) < _values(d_an), d_pn, d_an)
    return _reduce("triplet_margin_loss", _clamp_min_0(d_ap - d_an + margin), reduction)
