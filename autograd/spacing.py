"""Evenly spaced values as PyTorch's CPU kernel computes them, to the last bit.

`torch.linspace` computes ``step = (end - start) / (steps - 1)`` in the output's dtype,
then ``start + step * i`` for the first half of the points and
``end - step * (steps - 1 - i)`` for the second, each as one fused multiply-add
(rounded once). numpy's `linspace` rounds twice and counts every point from `start`,
so a fifth to a third of its points differ from torch's in the last bit. numpy has
no fused multiply-add; `fma` below computes it exactly from error-free sums and
products.
"""

from __future__ import annotations

import numpy as np

_SPLITTER = 134217729.0  # 2**27 + 1: splits a float64 into two halves of 26 bits


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(s, err) with s = fl(a + b) and s + err == a + b exactly (Knuth)."""
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p, err) with p = fl(a * b) and p + err == a * b exactly (Dekker)."""
    p = a * b
    a_hi = _SPLITTER * a - (_SPLITTER * a - a)
    b_hi = _SPLITTER * b - (_SPLITTER * b - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _to_float32(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """hi + lo (float64, |lo| at most half an ulp of hi) rounded once to float32: hi's
    own rounding is right unless hi sits exactly halfway between two float32s and lo
    says on which side the exact sum lies."""
    near = hi.astype(np.float32)
    other = np.where(
        hi > near, np.nextafter(near, np.float32(np.inf)), np.nextafter(near, np.float32(-np.inf))
    )
    near64, other64 = near.astype(np.float64), other.astype(np.float64)
    halfway = (hi - near64 == other64 - hi) & (lo != 0)
    above = np.where(lo > 0, np.maximum(near, other), np.minimum(near, other))
    return np.where(halfway, above, near)


def fma(a: np.ndarray, b: np.ndarray, c: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """a * b + c rounded once to `dtype` (float32 or float64), as C's `fma`; a, b, c
    are float64 arrays holding values of `dtype`."""
    p, p_err = _two_product(a, b)
    s, s_err = _two_sum(c, p)
    if dtype == np.float64:
        return s + (s_err + p_err)
    hi, lo = _two_sum(s, s_err)  # float32 operands: the product is exact, p_err == 0
    return _to_float32(hi, lo)


def torch_linspace(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """`steps` points from `start` to `end` as `torch.linspace` computes them in
    `dtype` (float32, float64 or an integer dtype: torch truncates `start` and `end`
    to integers, computes the points in float64 and truncates them toward zero)."""
    exact = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)
    if dtype != exact:
        start, end = int(start), int(end)
    first, last = exact.type(start), exact.type(end)
    if steps == 1:
        return np.array([start], dtype)
    step = (last - first) / exact.type(steps - 1)
    i = np.arange(steps, dtype=np.float64)
    lower = i < steps // 2
    points = fma(
        np.full(steps, step, np.float64),
        np.where(lower, i, i - (steps - 1)),
        np.where(lower, np.float64(first), np.float64(last)),
        exact,
    )
    return (points if dtype == exact else np.trunc(points)).astype(dtype)
