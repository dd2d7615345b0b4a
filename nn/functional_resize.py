"""Resizing as torch's functional forms: `interpolate` (nearest, nearest-exact,
linear, bilinear, bicubic, trilinear, area) and its deprecated names `upsample`,
`upsample_nearest`, `upsample_bilinear`.

Interpolation is separable: one spatial dim at a time, each output position i reads
the input at a source position src(i), scale = in / out (or 1 / scale_factor):

    nearest        src = min(floor(i * scale), in - 1)       (float32, as torch)
    nearest-exact  src = min(floor((i + 0.5) * scale), in - 1)
    linear         src = max(scale (i + 0.5) - 0.5, 0), or i (in - 1) / (out - 1) with
                   align_corners; y = (1 - l) x[floor(src)] + l x[floor(src) + 1],
                   l = src - floor(src)
    bicubic        src = scale (i + 0.5) - 0.5 (not clamped); four taps floor(src) - 1
                   .. floor(src) + 2 (clamped to the input) weighted by Keys' cubic, A = -0.75

so nearest is a broadcast (or a gather per dim), and linear and bicubic one product
with an (in, out) matrix of the taps' weights per dim, its gradient dy @ matrix.T (a
gather per tap when the input holds inf or nan, which a product would spread).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.ops import adaptive
from nn.functional_losses import _tensor
from nn.resize_kernels import antialias_matrix, cubic_taps

_MODES = "nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact"
_LINEAR_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _integer(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _sizes(
    x: Tensor, size: Any, scale_factor: Any, recompute: bool | None, mode: str
) -> tuple[list[int], list[float | None]]:
    """torch's output size per spatial dim, and the scale factors the kernels read."""
    dim, spatial = x.ndim - 2, list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * dim
        if len(sizes) != dim:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and output size of {size}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                "in (o1, o2, ...,oK) format."
            )
        if not all(_integer(n) for n in sizes):
            raise TypeError(
                "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                f"Tuple[int, int, int], but got size with types {[type(n) for n in sizes]}"
            )
        if recompute:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        scales: list[float | None] = [None] * dim
    elif scale_factor is not None:
        given = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else None
        if given is not None and len(given) != dim:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                "and scale_factor in (s1, s2, ...,sK) format."
            )
        scales = [float(s) for s in (given or [scale_factor] * dim)]
        sizes = [math.floor(n * s) for n, s in zip(spatial, scales, strict=True)]
        if recompute or mode == "area":
            scales = [None] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if any(n <= 0 for n in sizes) or any(n <= 0 for n in spatial):
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input "
            f"{tuple(spatial)} and output {tuple(sizes)}"
        )
    return [int(n) for n in sizes], scales


def _nearest(n_in: int, n_out: int, scale: float | None, exact: bool) -> np.ndarray:
    """The source index of each output position (torch computes it in float32)."""
    s = np.float32(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
    i = np.arange(n_out)
    if exact:
        src = np.floor(((i + 0.5) * np.float64(s)).astype(np.float32))
    else:
        src = np.floor(i.astype(np.float32) * s)
    return np.minimum(src.astype(np.int64), n_in - 1)


def _linear(
    n_in: int, n_out: int, scale: float | None, align: bool, dtype: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each output position's two source indices and the weight of the second."""
    i = np.arange(n_out)
    if n_in == n_out:
        return i, i, np.zeros(n_out, dtype)
    t: Any = np.float32 if dtype == np.float32 else np.float64  # torch's opmath type
    ratio: Any
    if align:
        ratio = t((n_in - 1) / (n_out - 1)) if n_out > 1 else t(0)
        src = ratio * i.astype(t)
    else:
        ratio = t(1.0 / scale) if scale is not None and scale > 0 else t(n_in) / t(n_out)
        src = np.maximum(ratio * (i.astype(t) + t(0.5)) - t(0.5), t(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    weight = np.clip(src - i0, 0, 1).astype(dtype)
    return i0, i0 + (i0 < n_in - 1), weight


def repeat_each(x: Tensor, factors: Sequence[int]) -> Tensor:
    """Each position of the spatial dims of (N, C, *spatial) repeated factors[i] times
    along dim i, with one broadcast (its gradient is a sum over the copies)."""
    spatial = x.shape[2:]
    inserted = [m for n in spatial for m in (n, 1)]
    grown = [m for n, k in zip(spatial, factors, strict=True) for m in (n, k)]
    y = autograd.broadcast_to(x.reshape(*x.shape[:2], *inserted), (*x.shape[:2], *grown))
    return y.reshape(*x.shape[:2], *(n * k for n, k in zip(spatial, factors, strict=True)))


def _matrix(n_in: int, index: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The (n_in, n_out) matrix whose column j holds output j's weights at its taps."""
    taps, n_out = index.shape
    m = np.zeros((n_in, n_out), dtype=weights.dtype)
    np.add.at(m, (index, np.broadcast_to(np.arange(n_out), (taps, n_out))), weights)
    return m


def _weighted(x: Tensor, axis: int, weight: np.ndarray) -> Tensor:
    shape = [1] * x.ndim
    shape[axis] = -1
    return x * Tensor(weight.reshape(shape))


def resample(x: Tensor, axis: int, m: np.ndarray) -> Tensor:
    """y = x @ m along `axis`: one matrix product per dim (its gradient is dy @ m.T)."""
    if axis == x.ndim - 1:
        return x @ Tensor(m)
    return (x.transpose(axis, -1) @ Tensor(m)).transpose(axis, -1)


def interpolate(
    input: Any,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of (N, C, *spatial) to `size` or floor(n * scale_factor),
    as `torch.nn.functional.interpolate` (see the module for the formulas).

    Args:
        mode: "nearest", "nearest-exact", "linear" (3-d input), "bilinear" or
            "bicubic" (4-d), "trilinear" (5-d) or "area" (adaptive average pooling).
        align_corners: for the linear modes, map the corner pixels' centers onto each
            other (False by default).
        recompute_scale_factor: compute the scales from the output size rather than
            read `scale_factor`.
        antialias: bilinear and bicubic only: when shrinking, average over the
            stretched kernel's support (`nn.resize_kernels.antialias_matrix`); an inf
            or nan input spreads over its row here (torch keeps it to the support).

    Raises:
        ValueError: torch's messages for both or neither of size and scale_factor,
            sizes of another length, align_corners with nearest or area, antialias
            with a mode other than bilinear and bicubic.
        RuntimeError: an input of the wrong rank for the mode, or an unknown mode.
    """
    x = _tensor(input)
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if x.ndim not in (3, 4, 5) or mode not in (*_LINEAR_DIMS, "nearest", "nearest-exact", "area"):
        raise RuntimeError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
            f"modes: {_MODES} (got {mode})"
        )
    sizes, scales = _sizes(x, size, scale_factor, recompute_scale_factor, mode)
    if antialias and not (mode in ("bilinear", "bicubic") and x.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear and bicubic modes and requires a "
            "4-D tensor as input"
        )
    if mode in _LINEAR_DIMS and x.ndim != _LINEAR_DIMS[mode] + 2:
        raise RuntimeError(
            f"Got {x.ndim}D input, but {mode} mode needs {_LINEAR_DIMS[mode] + 2}D input"
        )
    dims = list(zip(x.shape[2:], sizes, scales, strict=True))
    if antialias:
        for axis, (n_in, n_out, scale) in enumerate(dims, 2):
            m = antialias_matrix(n_in, n_out, scale, bool(align_corners), mode == "bicubic")
            x = resample(x, axis, m.astype(x.dtype))
        return x
    if mode == "area":
        pool = getattr(adaptive, f"adaptive_avg_pool{x.ndim - 2}d")
        return pool(x, tuple(sizes))
    if mode in ("nearest", "nearest-exact"):
        return _nearest_resize(x, sizes, scales, mode == "nearest-exact")
    for axis, (n_in, n_out, scale) in enumerate(dims, 2):
        if mode == "bicubic":
            index, weights = cubic_taps(n_in, n_out, scale, bool(align_corners), x.dtype)
        else:
            i0, i1, w1 = _linear(n_in, n_out, scale, bool(align_corners), x.dtype)
            if n_in == n_out:
                continue
            index, weights = np.stack([i0, i1]), np.stack([1 - w1, w1])
        if np.isfinite(x.data).all():
            x = resample(x, axis, _matrix(n_in, index, weights))
        else:  # a product would spread an inf or nan over the row: gather the taps
            taps = [
                _weighted(autograd.index_select(x, axis, i), axis, w)
                for i, w in zip(index, weights, strict=True)
            ]
            x = sum(taps[1:], taps[0])
    return x


def _nearest_resize(x: Tensor, sizes: list[int], scales: list[float | None], exact: bool) -> Tensor:
    """Nearest resizing: a broadcast when every dim repeats each position k times,
    else a gather per dim."""
    indices = []
    for n_in, n_out, scale in zip(x.shape[2:], sizes, scales, strict=True):
        if n_in == n_out and not exact and x.ndim == 4:
            indices.append(np.arange(n_in))  # torch's 2-d nearest kernel copies this dim
        else:
            indices.append(_nearest(n_in, n_out, scale, exact))
    factors = [len(i) // n for i, n in zip(indices, x.shape[2:], strict=True)]
    if all(
        len(i) % n == 0 and np.array_equal(i, np.repeat(np.arange(n), k))
        for i, n, k in zip(indices, x.shape[2:], factors, strict=True)
    ):
        return repeat_each(x, factors)
    for axis, index in enumerate(indices, 2):
        if not np.array_equal(index, np.arange(x.shape[axis])):
            x = autograd.index_select(x, axis, index)
    return x


def upsample(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """`interpolate`, under torch's deprecated name (it warns, as torch)."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Nearest `interpolate`, under torch's deprecated name (it warns, as torch)."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Bilinear `interpolate` with align_corners=True, under torch's deprecated name."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
