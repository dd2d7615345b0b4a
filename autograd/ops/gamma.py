"""The gamma family and the modified Bessel functions, as PyTorch's `lgamma`, `digamma`,
`polygamma`, `mvlgamma`, `i0` and `torch.special`'s `i0e`, `i1`, `i1e`, `zeta`.

Each derivative is the next function of its family, so gradients of any order are
exact: d lgamma = digamma = polygamma(0, .), d polygamma(n, .) = polygamma(n + 1, .);
d i0 = i1, d i1 = i0 - i1 / x.

The values are computed in float64 (float32 inputs are read in float64 and the result
rounded back) by textbook methods, whole arrays at a time (loops run over series
terms, never over elements):
- lgamma: Stirling's series for x >= 10 and the recurrence Gamma(x + 1) = x Gamma(x)
  below, with the reflection formula for x < 0.5;
- polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1 and digamma for n = 0: the
  recurrence moves x to at least 10 + n, where the Euler-Maclaurin (asymptotic) series
  is used; negative x by the reflection formula, whose n-th derivative of cot(pi x) is a
  polynomial in cot (`_cot_derivative`);
- I0 and I1: the power series for |x| <= 30, the asymptotic series beyond.

Near the zeros of lgamma (x = 1 and 2) and of digamma (x = 1.4616...) the error is
absolute, about 1e-15, rather than relative.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.elementwise import floating
from autograd.tensor import Tensor, data_of

TensorLike = Any

#: Bernoulli numbers B_2, B_4, ..., B_20, for the asymptotic series.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)  # fmt: skip
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_SHIFT = 10  # the recurrences move x up to at least this before the asymptotic series


def _in_float64(fn: Any, x: np.ndarray) -> np.ndarray:
    """fn of x computed in float64, returned in x's float dtype (0-d stays an array)."""
    out = np.asarray(fn(np.asarray(x, np.float64)))
    return out.astype(x.dtype, copy=False) if x.dtype != np.float64 else out


def _abs_sin_pi(x: np.ndarray) -> np.ndarray:
    """|sin(pi x)|, exactly 0 at the integers and accurate for large |x|: the argument
    is reduced by its nearest integer first."""
    return np.abs(np.sin(math.pi * (x - np.round(x))))


def _tan_pi(x: np.ndarray) -> np.ndarray:
    """tan(pi x), reduced by the nearest integer first (tan has period pi)."""
    return np.tan(math.pi * (x - np.round(x)))


def _lgamma_positive(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x > 0: Stirling's series at y = x + k >= 10, less
    log(x (x + 1) ... (x + k - 1))."""
    small = x < _SHIFT
    y = np.where(small, x + _SHIFT, x)
    inv, inv2 = 1 / y, 1 / (y * y)
    series = np.zeros_like(y)
    for k in range(len(_BERNOULLI) - 1, -1, -1):  # B_2k / (2k (2k - 1) y^(2k-1)), Horner
        series = series * inv2 + _BERNOULLI[k] / ((2 * k + 2) * (2 * k + 1))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = (y - 0.5) * np.log(y) - y + _HALF_LOG_2PI + series * inv
        if small.any():
            product = np.ones_like(x)
            for k in range(_SHIFT):
                product *= x + k
            out = np.where(small, out - np.log(product), out)
    return np.where(x == np.inf, np.inf, out)


@cache
def _lgamma_series_coefficients(terms: int = 30) -> tuple[float, ...]:
    """c_k of log Gamma(2 + z) = sum_k c_k z^k (|z| <= 1/2): c_1 = 1 - Euler's gamma,
    c_k = (-1)^k (zeta(k) - 1) / k, with zeta(k) - 1 = zeta(k, 2) (Hurwitz)."""
    euler_gamma = 0.5772156649015329
    coefficients = [0.0, 1 - euler_gamma]
    for k in range(2, terms + 1):
        start = _SHIFT + k  # zeta(k, 2) = sum_{n=2}^{start-1} n^-k + zeta(k, start)
        head = sum(float(n) ** -k for n in range(start - 1, 1, -1))  # small terms first
        zeta_minus_1 = head + float(_zeta_tail(k, np.array(float(start))))
        coefficients.append((-1) ** k * zeta_minus_1 / k)
    return tuple(coefficients)


def _lgamma_near_1_and_2(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for 0.5 <= x <= 2.5 with a small relative error at its zeros 1 and 2:
    the Taylor series of log Gamma(2 + z), less log1p(z) = log(1 + z) below x = 1.5."""
    low = x < 1.5
    z = np.where(low, x - 1, x - 2)
    total = np.zeros_like(z)
    for c in reversed(_lgamma_series_coefficients()):
        total = total * z + c
    return np.where(low, total - np.log1p(z), total)


def _lgamma(x: np.ndarray) -> np.ndarray:
    """log |Gamma(x)|: +inf at 0, the negative integers and +-inf; NaN at NaN."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        left = x < 0.5
        right = _lgamma_positive(np.where(left, 1.0, x))
        middle = (x >= 0.5) & (x <= 2.5)
        if middle.any():
            right = np.where(middle, _lgamma_near_1_and_2(np.where(middle, x, 2.0)), right)
        if not left.any():
            return right
        xl = np.where(left, x, 0.25)
        # Gamma(x) Gamma(1 - x) = pi / sin(pi x)
        reflected = math.log(math.pi) - np.log(_abs_sin_pi(xl)) - _lgamma_positive(1 - xl)
        reflected = np.where(np.isinf(xl), np.inf, reflected)
        return np.where(left, reflected, right)


def _zeta_tail(s: float, y: np.ndarray) -> np.ndarray:
    """Hurwitz zeta(s, y) = sum_k (y + k)^-s for y >= 10 + s, by Euler-Maclaurin:
    y^(1-s) / (s-1) + y^-s / 2 + sum_j B_2j / (2j)! s (s+1) ... (s+2j-2) y^(-s-2j+1)."""
    term = y ** (-s)
    total = y * term / (s - 1) + term / 2
    rising, fact = s, 2.0
    power = term / y  # y^(-s-1)
    inv2 = 1 / (y * y)
    for j, b in enumerate(_BERNOULLI, start=1):
        total += b / fact * rising * power
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        fact *= (2 * j + 1) * (2 * j + 2)
        power = power * inv2
    return total


def _digamma_positive(x: np.ndarray) -> np.ndarray:
    """psi(x) for x > 0: psi(y) = log y - 1/(2y) - sum_k B_2k / (2k y^2k) at y >= 10, less
    sum 1 / (x + k) for the k the recurrence moved x by."""
    small = x < _SHIFT
    y = np.where(small, x + _SHIFT, x)
    inv2 = 1 / (y * y)
    series = np.zeros_like(y)
    for k in range(len(_BERNOULLI) - 1, -1, -1):
        series = series * inv2 + _BERNOULLI[k] / (2 * k + 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(y) - 0.5 / y - series * inv2
        if small.any():
            for k in range(_SHIFT):
                out = np.where(small, out - 1 / (x + k), out)
    return out


def _digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) = d log Gamma(x) / dx, as PyTorch's: -inf at +0, +inf at -0, NaN at the
    negative integers and -inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        left = x < 0.5
        right = _digamma_positive(np.where(left, 1.0, x))
        if not left.any():
            return right
        xl = np.where(left, x, 0.25)
        # psi(1 - x) - psi(x) = pi cot(pi x)
        reflected = _digamma_positive(1 - xl) - math.pi / _tan_pi(xl)
        pole = (xl == np.floor(xl)) | np.isinf(xl)
        reflected = np.where(pole, np.nan, reflected)
        reflected = np.where(xl == 0, np.copysign(np.inf, -np.copysign(1.0, xl)), reflected)
        return np.where(left, reflected, right)


@cache
def _cot_derivative(n: int) -> tuple[float, ...]:
    """The coefficients (constant first) of P_n with d^n/dx^n cot(pi x) = pi^n P_n(cot(pi x)):
    P_0(c) = c and P_(n+1)(c) = -(1 + c^2) P_n'(c)."""
    p = [0.0, 1.0]
    for _ in range(n):
        dp = [k * p[k] for k in range(1, len(p))] or [0.0]
        nxt = [0.0] * (len(dp) + 2)
        for k, c in enumerate(dp):
            nxt[k] -= c
            nxt[k + 2] -= c
        p = nxt
    return tuple(p)


def _polygamma_positive(n: int, x: np.ndarray) -> np.ndarray:
    """psi^(n)(x) = (-1)^(n+1) n! sum_k (x + k)^-(n+1) for x > 0 and n >= 1."""
    s = n + 1
    shift = _SHIFT + n
    small = x < shift
    y = np.where(small, x + shift, x)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        total = _zeta_tail(s, y)
        if small.any():
            for k in range(shift):
                total = np.where(small, total + (x + k) ** (-s), total)
    return (-1) ** (n + 1) * math.factorial(n) * total


def _polygamma(n: int, x: np.ndarray) -> np.ndarray:
    """The n-th derivative of digamma: +-inf at the poles (0 and the negative integers;
    the sign of the limit from the right for odd n... and of both sides for even n+1);
    0 at +inf; NaN at -inf and NaN."""
    if n == 0:
        return _digamma(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        left = x < 0.5
        right = _polygamma_positive(n, np.where(left, 1.0, x))
        right = np.where(x == np.inf, 0.0, right)
        if not left.any():
            return right
        xl = np.where(left, x, 0.25)
        # psi^(n)(1 - x) + (-1)^(n+1) psi^(n)(x) = (-1)^n pi d^n/dx^n cot(pi x)
        c = 1 / _tan_pi(xl)
        poly = np.zeros_like(xl)
        for coeff in reversed(_cot_derivative(n)):
            poly = poly * c + coeff
        cot_n = math.pi ** (n + 1) * poly
        reflected = (-1) ** (n + 1) * ((-1) ** n * cot_n - _polygamma_positive(n, 1 - xl))
        pole = xl == np.floor(xl)
        # Near a pole psi^(n)(x) ~ (-1)^(n+1) n! / (x - k)^(n+1): +inf for odd n, and
        # for even n -inf on both sides only at... the sign of (x - k)^(n+1)'s side; at the
        # pole itself PyTorch gives +inf for odd n and -inf for even n.
        reflected = np.where(pole, np.inf if n % 2 else -np.inf, reflected)
        reflected = np.where(np.isneginf(xl), np.nan, reflected)
        return np.where(left, reflected, right)


def _bessel_series(nu: int, x: np.ndarray, terms: int = 80) -> np.ndarray:
    """I_nu(x) = sum_k (x/2)^(2k+nu) / (k! (k+nu)!), for |x| <= 30 (all terms positive
    for x >= 0: no cancellation)."""
    q = (x / 2) ** 2
    term = (x / 2) ** nu / math.factorial(nu)
    total = term.copy()
    for k in range(1, terms):
        term = term * q / (k * (k + nu))
        total += term
    return total


def _bessel_scaled_asymptotic(nu: int, a: np.ndarray, terms: int = 30) -> np.ndarray:
    """exp(-a) I_nu(a) ~ 1 / sqrt(2 pi a) sum_k (-1)^k prod_j (4 nu^2 - (2j-1)^2) / (k! (8a)^k),
    for a > 30."""
    mu = 4 * nu * nu
    term = np.ones_like(a)
    total = term.copy()
    for k in range(1, terms):
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8 * a)
        total += term
    return total / np.sqrt(2 * math.pi * a)


def _bessel(nu: int, x: np.ndarray, scaled: bool) -> np.ndarray:
    """I_nu(x) for nu in (0, 1), or exp(-|x|) I_nu(x) if `scaled`."""
    a = np.abs(x)
    near = a <= 30
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        series = _bessel_series(nu, np.where(near, a, 0.0))
        if scaled:
            series = series * np.exp(-np.where(near, a, 0.0))
        far = _bessel_scaled_asymptotic(nu, np.where(near, 31.0, a))
        if not scaled:
            far = far * np.exp(np.where(near, 0.0, a))
        out = np.where(near, series, far)
    out = np.where(np.isinf(a), 0.0 if scaled else np.inf, out)
    return np.where(x < 0, -out, out) if nu % 2 else out


class Lgamma(Function):
    """z = log |Gamma(x)|      dx = dz * digamma(x)"""

    def forward(self, x):
        return _in_float64(_lgamma, x)

    def backward(self, dz, x):
        return dz * (digamma(x) if isinstance(x, Tensor) else _in_float64(_digamma, x))


class Polygamma(Function):
    """z = psi^(n)(x), the n-th derivative of digamma (n = 0: digamma itself)
    dx = dz * psi^(n+1)(x)"""

    def forward(self, x, n):
        self.n = n
        return _in_float64(lambda v: _polygamma(n, v), x)

    def backward(self, dz, x):
        n = self.n + 1
        if isinstance(x, Tensor):
            return dz * polygamma(n, x)
        return dz * _in_float64(lambda v: _polygamma(n, v), x)


class BesselI(Function):
    """z = I_nu(x), or exp(-|x|) I_nu(x) if `scaled` (nu = 0 or 1)
    I0' = I1      I1' = I0 - I1 / x (1/2 at 0)
    scaled: (e^-|x| I0)' = e^-|x| (I1 - sign(x) I0)
            (e^-|x| I1)' = e^-|x| (I0 - I1 / x - sign(x) I1)"""

    def forward(self, x, nu, scaled):
        self.nu, self.scaled = nu, scaled
        return _in_float64(lambda v: _bessel(nu, v, scaled), x)

    def backward(self, dz, x):
        if isinstance(x, Tensor):
            i0, i1 = bessel_i(x, 0, self.scaled), bessel_i(x, 1, self.scaled)
            sign = x.sign()
            where = _tensor_where
        else:
            scaled = self.scaled
            i0 = _in_float64(lambda v: _bessel(0, v, scaled), x)
            i1 = _in_float64(lambda v: _bessel(1, v, scaled), x)
            sign = np.sign(x)
            where = np.where
        if self.nu == 0:
            slope = i1 - sign * i0 if self.scaled else i1
        else:
            at_zero = np.asarray(data_of(x)) == 0
            over_x = where(at_zero, 0.5, i1 / where(at_zero, 1.0, x))
            slope = i0 - over_x - sign * i1 if self.scaled else i0 - over_x
        return dz * slope


def _tensor_where(cond: Any, a: Any, b: Any) -> Tensor:
    from autograd.ops.arith import where

    return where(cond, a, b)


def lgamma(input: TensorLike) -> Tensor:
    """log |Gamma(x)|, as `torch.lgamma` (+inf at 0 and the negative integers)."""
    return Lgamma.apply(floating(input))


def digamma(input: TensorLike) -> Tensor:
    """psi(x) = d/dx log Gamma(x), as `torch.digamma` (-inf at 0, NaN at the negative
    integers)."""
    return Polygamma.apply(floating(input), n=0)


def polygamma(n: int, input: TensorLike) -> Tensor:
    """The n-th derivative of digamma, as `torch.polygamma(n, input)`.

    Raises:
        RuntimeError: n is negative (PyTorch's message).
        TypeError: n is not an int.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(floating(input), n=int(n))


def mvlgamma(input: TensorLike, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p, as `torch.mvlgamma`:
    p (p - 1) / 4 log(pi) + sum_{i=0}^{p-1} lgamma(x - i / 2).

    Raises:
        RuntimeError: p < 1 (PyTorch's message).
    """
    if isinstance(p, bool) or not isinstance(p, int | np.integer):
        raise TypeError(f"mvlgamma(): argument 'p' must be int, not {type(p).__name__}")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = floating(input)
    total = lgamma(x)
    for i in range(1, int(p)):
        total = total + lgamma(x - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def bessel_i(input: TensorLike, nu: int, scaled: bool = False) -> Tensor:
    """The modified Bessel function of the first kind I_nu (nu = 0 or 1), or
    exp(-|x|) I_nu(x) if `scaled`."""
    return BesselI.apply(floating(input), nu=nu, scaled=scaled)


def i0(input: TensorLike) -> Tensor:
    """The modified Bessel function of the first kind of order 0, as `torch.i0`."""
    return bessel_i(input, 0)
