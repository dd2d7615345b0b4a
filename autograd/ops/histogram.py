"""Counting values into bins, as `torch.histogram`: outside the graph (the counts are
step functions of the input, with zero gradient almost everywhere)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from autograd.spacing import torch_linspace
from autograd.tensor import Tensor, data_of

TensorLike = Any


class Histogram(NamedTuple):
    """What `histogram` returns, as `torch.return_types.histogram`."""

    hist: Tensor
    bin_edges: Tensor


def _outer_edges(x: np.ndarray, range: Any) -> tuple[float, float]:
    """The first and last edge: `range`, else the smallest and largest value ((0, 1)
    for no values); widened by 0.5 on each side when they are equal, as torch and numpy."""
    if range is not None:
        low, high = (float(v) for v in range)
        if low > high:
            raise RuntimeError(
                f"histogram: min should not exceed max, but got min {low} max {high}"
            )
    else:
        low, high = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"histogram: the range [{low}, {high}] is not finite")
    return (low - 0.5, high + 0.5) if low == high else (low, high)


def _edges(x: np.ndarray, bins: Any, range: Any) -> np.ndarray:
    """`bins` equal bins over the range, as torch places them (`linspace` in x's dtype),
    or the edges given as a 1-d tensor."""
    if isinstance(bins, int | np.integer):
        if bins <= 0:
            raise RuntimeError(f"histogram: bins must be > 0, but got {bins}")
        low, high = _outer_edges(x, range)
        return torch_linspace(low, high, int(bins) + 1, x.dtype)
    edges = data_of(bins)
    if edges.ndim != 1 or edges.size < 2:
        raise RuntimeError(f"histogram: bins must be an int or a 1-d tensor of edges, got {bins!r}")
    if edges.dtype != x.dtype:
        raise RuntimeError(
            f"histogram: input and bins should have the same dtype, got {x.dtype} and {edges.dtype}"
        )
    return edges


def _weights(x: np.ndarray, weight: TensorLike | None) -> np.ndarray:
    if weight is None:
        return np.ones(x.shape, x.dtype)
    w = data_of(weight)
    if w.shape != x.shape or w.dtype != x.dtype:
        raise RuntimeError(
            f"histogram: weight must have input's shape {x.shape} and dtype {x.dtype}, got "
            f"{w.shape} and {w.dtype}"
        )
    return w


def histogram(
    input: TensorLike,
    bins: Any = 100,
    *,
    range: Any = None,
    weight: TensorLike | None = None,
    density: bool = False,
) -> Histogram:
    """(hist, bin_edges) of the values of `input` (a float tensor of any shape), as
    `torch.histogram`: `bins` equal bins from the smallest to the largest value (or over
    `range`), or the edges given as a tensor. Each bin holds its left edge, the last one
    its right edge too; values outside, and NaN, are left out. `weight` counts each value
    with a weight; `density` divides by the total and the bin widths.

    Raises:
        NotImplementedError: a tensor that is not float (a RuntimeError, as torch's).
        RuntimeError: bins <= 0, a range that is reversed
            or not finite, edges or weight of another dtype (or weight of another shape).
    """
    x = data_of(input)
    if x.dtype.kind != "f":  # torch's NotImplementedError (a RuntimeError)
        raise NotImplementedError(f"histogram: expected a float tensor, got dtype {x.dtype}")
    edges = _edges(x, bins, range)
    values, w = x.reshape(-1), _weights(x, weight).reshape(-1)
    inside = (values >= edges[0]) & (values <= edges[-1])
    where = np.searchsorted(edges, values[inside], side="right") - 1
    hist = np.zeros(edges.size - 1, x.dtype)
    np.add.at(hist, np.minimum(where, edges.size - 2), w[inside])  # the last edge: last bin
    if density:  # two divisions, as torch (one by the product differs in the last bit)
        hist = hist / hist.sum() / np.diff(edges)
    return Histogram(Tensor._make(hist.astype(x.dtype)), Tensor._make(np.array(edges)))
