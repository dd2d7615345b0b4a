"""Resampling weights as (n_in, n_out) matrices: `jax.image.resize`'s kernels (with
antialiasing or not) for Keras's `UpSampling2D` and `Resizing` (Keys' cubic with
A = -0.5, "bicubic", and Lanczos with radius 3 or 5), torch's bicubic taps and its
antialiased bilinear and bicubic weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _keys_cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic kernel with A = -0.5 (`jax.image.resize`'s "bicubic")."""
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _lanczos(radius: float, x: np.ndarray) -> np.ndarray:
    """sinc(x) sinc(x / radius) for |x| <= radius."""
    with np.errstate(divide="ignore", invalid="ignore"):
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi**2 * x**2)
    return np.where(x > radius, 0.0, np.where(x > 1e-3, y, 1.0))


KERNELS = {
    "bicubic": _keys_cubic,
    "lanczos3": lambda x: _lanczos(3.0, x),
    "lanczos5": lambda x: _lanczos(5.0, x),
}


def resize_matrix(
    n_in: int, n_out: int, kernel: Callable[[np.ndarray], np.ndarray], antialias: bool = False
) -> np.ndarray:
    """`jax.image.resize`'s (n_in, n_out) weights: output j samples the input at
    s = (j + 0.5) n_in / n_out - 0.5 with kernel(|s - i| / r), each column normalized
    to sum 1 (the taps past the edges dropped); r = max(n_in / n_out, 1) with
    `antialias` (the kernel stretched when shrinking), else 1."""
    sample = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    stretch = max(n_in / n_out, 1.0) if antialias else 1.0
    w = kernel(np.abs(sample[None, :] - np.arange(n_in)[:, None]) / stretch)
    total = w.sum(axis=0, keepdims=True)
    w = np.where(
        np.abs(total) > 1000 * np.finfo(np.float32).eps, w / np.where(total != 0, total, 1), 0
    )
    return np.where((sample >= -0.5) & (sample <= n_in - 0.5), w, 0.0)


def antialias_matrix(
    n_in: int, n_out: int, scale: float | None, align: bool, cubic: bool
) -> np.ndarray:
    """torch's antialiased (n_in, n_out) weights for `interpolate(..., antialias=True)`:
    when shrinking by r = n_in / n_out >= 1 the kernel (triangle, or Keys' cubic with
    A = -0.5) is stretched r times; output i averages the inputs j within its support
    around c = r (i + 0.5) with weights kernel((j - c + 0.5) / max(r, 1)), normalized."""
    if align:
        r = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        r = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
    taps = 4 if cubic else 2
    support, stretch = (taps / 2 * r, r) if r >= 1 else (taps / 2, 1.0)
    center = r * (np.arange(n_out) + 0.5)
    low = np.maximum(np.trunc(center - support + 0.5), 0)
    high = np.minimum(np.trunc(center + support + 0.5), n_in)
    j = np.arange(n_in)[:, None]
    x = np.abs((j - center + 0.5) / stretch)
    if cubic:
        w = _keys_cubic(x)
    else:
        w = np.maximum(0.0, 1.0 - x)
    w = np.where((j >= low) & (j < high), w, 0.0)
    total = w.sum(axis=0, keepdims=True)
    return np.where(total != 0, w / np.where(total != 0, total, 1), 0.0)


def cubic_taps(
    n_in: int, n_out: int, scale: float | None, align: bool, dtype: Any
) -> tuple[np.ndarray, np.ndarray]:
    """torch's bicubic: each output position's four source indices (clamped to the
    input) and weights, Keys' cubic with A = -0.75 at the distances 1 + t, t, 1 - t, 2 - t."""
    i = np.arange(n_out, dtype=np.float64)
    if align:
        src = i * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        ratio = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        src = ratio * (i + 0.5) - 0.5  # not clamped at 0, as torch's cubic
    start = np.floor(src).astype(np.int64)
    t, a = src - start, -0.75

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)]).astype(dtype)
    index = np.clip(start + np.arange(-1, 3)[:, None], 0, n_in - 1)
    return index, weights
