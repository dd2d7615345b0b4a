"""torch's `F.pdist` and `F.triplet_margin_with_distance_loss`, composed of public
autograd ops (indexing, norms, `minimum`, `clamp_min`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, clamp_min, minimum, where
from autograd.ops.products_more import _pnorm
from nn.functional_losses import _reduce, pairwise_distance


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances ||x_i - x_j||_p between the rows of `input` (N, M), for
    i < j in row-major order (the upper triangle of `cdist(x, x)`), as `torch.pdist`:
    shape (N (N - 1) / 2,). The gradient is 0 where a distance is 0, as torch's.

    Raises:
        RuntimeError: an input that is not 2-d or not floating point, or p < 0.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pdist(): input must be a Tensor, got {type(input).__name__}")
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input.dtype.kind != "f":
        raise RuntimeError(f"pdist only supports floating-point dtypes, got: {input.dtype}")
    if isinstance(p, bool) or not isinstance(p, int | float) or p < 0 or math.isnan(p):
        raise RuntimeError(f"pdist only supports non-negative p values, got {p}")
    rows = input.shape[0]
    first, second = np.triu_indices(rows, k=1)
    diff = input[first] - input[second]
    out = _pnorm(diff, float(p)) if p in (0, 1, 2) else _pnorm_pdist(diff, float(p))
    if diff.requires_grad and not out.requires_grad:  # p = 0: a count, gradient 0 (torch's)
        never = np.zeros(out.shape, dtype=bool)
        out = where(never, diff.sum(axis=-1), out)
    return out


def _pnorm_pdist(diff: Tensor, p: float) -> Tensor:
    """||diff||_p along the last dim with torch's pdist gradients: for p = inf,
    sign(d) at every entry whose |d| is the maximum (ties all get it); otherwise
    sign(d) |d|^(p-1) / dist^(p-1), 0 at a zero entry (also for p < 1) and at a zero
    distance."""
    d = diff.data
    magnitude = np.abs(d)
    if math.isinf(p):
        top = magnitude.max(axis=-1, keepdims=True) if d.shape[-1] else np.zeros((*d.shape[:-1], 1))
        at_top = (magnitude == top) & (top > 0)
        ties = at_top.sum(axis=-1)
        picked = where(at_top, diff.abs(), np.zeros((), dtype=d.dtype)).sum(axis=-1)
        return picked - ((np.maximum(ties, 1) - 1) * top[..., 0]).astype(d.dtype)
    zero = d == 0
    safe = where(zero, np.ones((), dtype=d.dtype), diff)
    total = where(zero, np.zeros((), dtype=d.dtype), safe.abs() ** p).sum(axis=-1)
    empty = total.data == 0
    root = where(empty, np.ones((), dtype=d.dtype), total) ** (1 / p)
    return where(empty, np.zeros((), dtype=d.dtype), root)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """max(margin + d(anchor, positive) - d(anchor, negative), 0), d the
    `distance_function` (default `pairwise_distance`), as torch's; `swap` uses
    min(d(anchor, negative), d(positive, negative)) (Balntas et al., 2016), whose
    gradient splits equally at ties, as `torch.minimum`'s.

    Raises:
        ValueError: an unknown `reduction`, or margin <= 0.
        RuntimeError: inputs of different numbers of dims.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = [_ndim(t) for t in (anchor, positive, negative)]
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance(positive, negative))
    loss = clamp_min(dist_pos - dist_neg + margin, 0)
    return _reduce("triplet_margin_with_distance_loss", loss, reduction)


def _ndim(x: Any) -> int:
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)
