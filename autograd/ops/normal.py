"""The standard normal distribution's functions and two entropy terms, as
`torch.special`'s `erfcx`, `ndtr`, `log_ndtr`, `ndtri`, `entr` and `xlog1py`.

ndtr(x) = P(Z <= x) = erfc(-x / sqrt(2)) / 2, accurate in the left tail; log_ndtr reads
the scaled erfcx there (log ndtr(x) = log(erfcx(-x / sqrt 2) / 2) - x^2 / 2), so it
stays finite where ndtr underflows. ndtri inverts ndtr: an erfinv start, then Newton
steps on log ndtr, which keep full relative precision down to p = 1e-300.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.arith import promote
from autograd.ops.elementwise import floating
from autograd.ops.gamma import _in_float64
from autograd.ops.math_more import _erfc, _erfinv, _floating_pair, erfc
from autograd.tensor import Tensor, data_of

TensorLike = Any

_SQRT2 = math.sqrt(2)
_SQRT_PI = math.sqrt(math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _erfcx_far(a: np.ndarray, depth: int = 48) -> np.ndarray:
    """1 / (sqrt(pi) * (a + (1/2) / (a + 1 / (a + ...)))) for a >= 2: erfcx without
    forming exp(-a^2) (which underflows beyond a = 26.6)."""
    f = a.copy()
    for k in range(depth, 0, -1):
        f = a + (k / 2) / f
    return 1 / (_SQRT_PI * f)


def _erfcx(x: np.ndarray) -> np.ndarray:
    far = x >= 2
    with np.errstate(over="ignore", invalid="ignore"):
        tail = _erfcx_far(np.where(far, x, 2.0))
        near = np.where(far, 0.0, x)
        out = np.where(far, tail, np.exp(near * near) * _erfc(near))
    return np.where(x == np.inf, 0.0, out)


def _log_ndtr(x: np.ndarray) -> np.ndarray:
    """log P(Z <= x) in float64: by erfcx for x < -1, log1p(-ndtr(-x)) above."""
    left = x < -1
    a = -np.where(left, x, -1.0) / _SQRT2
    with np.errstate(divide="ignore"):
        tail = np.log(_erfcx(a) / 2) - a * a
        body = np.log1p(-_erfc(np.where(left, 1.0, x) / _SQRT2) / 2)
    return np.where(left, tail, body)


def _ndtri(p: np.ndarray) -> np.ndarray:
    """The x with ndtr(x) = p in float64: -inf at 0, +inf at 1, NaN outside [0, 1]."""
    inside = (p > 0) & (p < 1)
    q = np.where(inside, p, 0.5)
    low = q < 0.5
    t = np.where(low, q, 1 - q)  # the smaller tail, x solved for -|x| and signed below
    with np.errstate(divide="ignore", invalid="ignore"):
        start = _SQRT2 * _erfinv(2 * t - 1)
        log_t = np.log(t)
        # for tails beyond erfinv's reach, the leading terms of the asymptotic inverse
        r = -2 * log_t
        asym = -np.sqrt(r - np.log(r) - math.log(2 * math.pi))
        x = np.where(np.isfinite(start) & (t > 1e-10), start, asym)
        for _ in range(4):  # Newton on log ndtr(x) = log t: slope phi(x) / ndtr(x)
            log_cdf = _log_ndtr(x)
            slope = np.exp(-0.5 * x * x - _LOG_SQRT_2PI - log_cdf)
            x = x - (log_cdf - log_t) / slope
    x = np.where(low, x, -x)
    x = np.where(inside, x, np.nan)
    x = np.where(p == 0, -np.inf, x)
    return np.where(p == 1, np.inf, x)


class Erfcx(Function):
    """z = exp(x^2) erfc(x)      dx = dz * (2 x z - 2 / sqrt(pi))"""

    def forward(self, x):
        return _in_float64(_erfcx, x)

    def backward(self, dz, x):
        return dz * (2 * x * self.output - 2 / _SQRT_PI)


class LogNdtr(Function):
    """z = log P(Z <= x)      dx = dz * phi(x) / ndtr(x) = dz * exp(-x^2 / 2 - z) / sqrt(2 pi)"""

    def forward(self, x):
        return _in_float64(_log_ndtr, x)

    def backward(self, dz, x):
        xp = self.xp
        return dz * xp.exp(-0.5 * x * x - _LOG_SQRT_2PI - self.output)


class Ndtri(Function):
    """z = ndtri(p), ndtr(z) = p      dp = dz * sqrt(2 pi) * exp(z^2 / 2)"""

    saves_inputs = False  # backward reads the output

    def forward(self, p):
        return _in_float64(_ndtri, p)

    def backward(self, dz, p):
        z = self.output
        return dz * math.sqrt(2 * math.pi) * self.xp.exp(0.5 * z * z)


class Entr(Function):
    """z = -x log x (0 at 0, -inf for x < 0)      dx = -dz * (log x + 1)"""

    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), 0)
        out = np.where(x < 0, -np.inf, out)
        return np.where(np.isnan(x), x, out).astype(x.dtype, copy=False)

    def backward(self, dz, x):
        return -dz * (self.xp.log(x) + 1)


class Xlog1py(Function):
    """z = x * log1p(y), 0 where x = 0 (NaN where y is NaN), as `torch.special.xlog1py`
    dx = dz * log1p(y) (0 where x = 0 and y <= -1)      dy = dz * x / (1 + y)"""

    def forward(self, x, y):
        if x.dtype is not y.dtype:
            x, y = promote(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x == 0, np.zeros((), x.dtype), x * np.log1p(y))
        return np.where(np.isnan(y), y, out)

    def backward(self, dz, x, y):
        ax, ay = np.asarray(data_of(x)), np.asarray(data_of(y))
        dx = self.xp.where((ax == 0) & (ay <= -1), 0.0, dz * self.xp.log1p(y))
        return dx, dz * x / (1 + y)


def erfcx(input: TensorLike) -> Tensor:
    """The scaled complementary error function exp(x^2) erfc(x), as
    `torch.special.erfcx`."""
    return Erfcx.apply(floating(input))


def ndtr(input: TensorLike) -> Tensor:
    """The standard normal CDF, P(Z <= x) = erfc(-x / sqrt 2) / 2, as `torch.special.ndtr`."""
    return erfc(-floating(input) / _SQRT2) / 2


def log_ndtr(input: TensorLike) -> Tensor:
    """log P(Z <= x), finite far into the left tail, as `torch.special.log_ndtr`."""
    return LogNdtr.apply(floating(input))


def ndtri(input: TensorLike) -> Tensor:
    """The inverse of ndtr (the normal quantile function), as `torch.special.ndtri`."""
    return Ndtri.apply(floating(input))


def entr(input: TensorLike) -> Tensor:
    """-x log x elementwise (0 at 0, -inf for x < 0), as `torch.special.entr`."""
    return Entr.apply(floating(input))


def xlog1py(input: TensorLike, other: TensorLike) -> Tensor:
    """input * log1p(other), 0 where input is 0, as `torch.special.xlog1py`."""
    return Xlog1py.apply(*_floating_pair(input, other))
