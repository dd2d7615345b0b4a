"""Elementwise functions and activations, each with its derivative on one line.

`self.output` is the op's own result z (reused where the derivative is cheaper in
terms of z, as for exp, tanh and sigmoid).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.function import Function, scalar_array
from autograd.ops.arith import astype, mul, power
from autograd.tensor import Tensor, get_default_dtype

TensorLike = Any


class Exp(Function):
    """z = exp(x)      dx = dz * z"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return np.exp(x)

    def backward(self, dz, x):
        return dz * self.output


class Log(Function):
    """z = log(x)      dx = dz / x"""

    def forward(self, x):
        return np.log(x)

    def backward(self, dz, x):
        return dz / x


class Log10(Function):
    """z = log10(x)      dx = dz / (x ln 10)"""

    def forward(self, x):
        return np.log10(x)

    def backward(self, dz, x):
        return dz / (x * math.log(10))


class Log2(Function):
    """z = log2(x)      dx = dz / (x ln 2)"""

    def forward(self, x):
        return np.log2(x)

    def backward(self, dz, x):
        return dz / (x * math.log(2))


class Sqrt(Function):
    """z = sqrt(x)      dx = dz / (2 z)"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, dz, x):
        return dz / (2 * self.output)


class Sin(Function):
    """z = sin(x)      dx = dz * cos(x)"""

    def forward(self, x):
        return np.sin(x)

    def backward(self, dz, x):
        return dz * self.xp.cos(x)


class Cos(Function):
    """z = cos(x)      dx = -dz * sin(x)"""

    def forward(self, x):
        return np.cos(x)

    def backward(self, dz, x):
        return -dz * self.xp.sin(x)


class Sinh(Function):
    """z = sinh(x)      dx = dz * cosh(x)      (numpy's sinh: exact near 0, where
    (exp(x) - exp(-x)) / 2 would cancel)"""

    def forward(self, x):
        return np.sinh(x)

    def backward(self, dz, x):
        return dz * self.xp.cosh(x)


class Cosh(Function):
    """z = cosh(x)      dx = dz * sinh(x)"""

    def forward(self, x):
        return np.cosh(x)

    def backward(self, dz, x):
        return dz * self.xp.sinh(x)


class Tanh(Function):
    """z = tanh(x)      dx = dz * (1 - z**2)"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return np.tanh(x)

    def backward(self, dz, x):
        return tanh_grad(dz, self.output)


class Sigmoid(Function):
    """z = 1 / (1 + exp(-x))      dx = dz * z * (1 - z)"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return _sigmoid_array(x)

    def backward(self, dz, x):
        return sigmoid_grad(dz, self.output)


def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    """sigmoid(x) exact in both tails: with e = exp(-|x|), which never overflows,
    1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0. (0.5 * (1 + tanh(x / 2)) rounds
    the negative tail to 0: sigmoid(-20) would be 0 in float32 instead of 2.06e-9.)"""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid(x: Any) -> Any:
    """sigmoid of an ndarray (plain numpy) or of a Tensor (a differentiable op)."""
    return Sigmoid.apply(x) if isinstance(x, Tensor) else _sigmoid_array(x)


class ReLU(Function):
    """z = max(x, 0)      dx = dz * [z > 0]"""

    saves_inputs = False  # backward reads the output (positive where x is)

    def forward(self, x):
        return np.maximum(x, scalar_array(0, x.dtype))

    def backward(self, dz, x):
        return relu_grad(dz, self.output)


# The derivatives of three activations, written with what their backward reads. tanh and
# sigmoid are functions of their output z; relu's is the sign of its input, which is also
# the sign of its output. The fused `dense` / `linear` ops use them with their output.


def tanh_grad(dz: Any, z: Any) -> Any:
    """dz * tanh'(x), from z = tanh(x): dz * (1 - z**2), computed as (1 - z) * (1 + z):
    near |z| = 1, 1 - z*z loses the digits z*z rounds away (a fifth of the gradient at
    x = -7.9 in float32), where the factors are exact and torch's fused 1 - z*z is too."""
    return dz * ((1 - z) * (1 + z))


def sigmoid_grad(dz: Any, z: Any) -> Any:
    """dz * sigmoid'(x), from z = sigmoid(x): dz * z * (1 - z)"""
    return dz * z * (1 - z)


def relu_grad(dz: Any, z: Any) -> Any:
    """dz * [z > 0], where z is relu's input or its output (positive at the same places)."""
    if isinstance(dz, Tensor):  # under create_graph
        return dz * (z > 0)
    grad = (z > scalar_array(0, z.dtype)).astype(dz.dtype)  # a float mask multiplies
    grad *= dz  # faster than a bool one; in place: no second full-size array
    return grad


def _relu_in_place(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, scalar_array(0, z.dtype), out=z)


def _tanh_in_place(z: np.ndarray) -> np.ndarray:
    return np.tanh(z, out=z)


#: The activations an op can apply to its own fresh output and differentiate itself:
#: name -> (z -> f(z), reusing z's memory where it can; (dz, f(z)) -> dz * f'(z)).
FUSABLE: dict[str, tuple[Any, Any]] = {
    "relu": (_relu_in_place, relu_grad),
    "sigmoid": (_sigmoid_array, sigmoid_grad),
    "tanh": (_tanh_in_place, tanh_grad),
}


class LeakyReLU(Function):
    """z = x if x > 0 else slope * x      dx = dz if x > 0 else slope * dz"""

    def forward(self, x, negative_slope):
        self.slope = negative_slope
        return np.where(x > 0, x, x * negative_slope)

    def backward(self, dz, x):
        return self.xp.where(x > 0, dz, dz * self.slope)


class ELU(Function):
    """z = x if x > 0 else alpha * (exp(x) - 1)      dx = dz if x > 0 else dz * (z + alpha)"""

    def forward(self, x, alpha):
        self.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))

    def backward(self, dz, x):
        z = self.output
        if self.tensor_mode:  # torch's second derivative is 0 at x = 0 (it masks x < 0)
            z = self.xp.where(x < 0, z, 0.0)  # z is 0 there: the same value, no slope
        return self.xp.where(x > 0, dz, dz * (z + self.alpha))


class Erf(Function):
    """z = erf(x)      dx = dz * 2 / sqrt(pi) * exp(-x**2)"""

    def forward(self, x):
        return _erf(x)

    def backward(self, dz, x):
        return dz * (2 / math.sqrt(math.pi)) * self.xp.exp(-x * x)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to the precision of x's dtype: float64 exactly (to ~1e-15), others by a fit."""
    if x.dtype != np.float64:
        return _erf_fit(x).astype(x.dtype, copy=False)
    out = np.empty_like(x)
    small = np.abs(x) <= 2
    out[small] = _erf_series(x[small])
    large = x[~small]
    out[~small] = np.sign(large) * (1 - _erfc_continued_fraction(np.abs(large)))
    return out


def _erf_fit(x: np.ndarray) -> np.ndarray:
    """erf by the Chebyshev fit of erfc in Numerical Recipes (relative error < 1.2e-7)."""
    return np.sign(x) * (1 - erfc_fit(np.abs(x)))


def erfc_fit(a: np.ndarray) -> np.ndarray:
    """erfc(a) for a >= 0 by the Chebyshev fit in Numerical Recipes (relative error
    < 1.2e-7 in erfc itself, far into the tail)."""
    t = 1 / (1 + 0.5 * a)
    coeffs = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
              -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223)  # fmt: skip
    poly = np.zeros_like(t)
    for c in coeffs:  # Horner's rule over the 10 coefficients, not over elements
        poly = poly * t + c
    return t * np.exp(-a * a + poly)


def _erf_series(x: np.ndarray, terms: int = 34) -> np.ndarray:
    """erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), for |x| <= 2."""
    x2, term, total = x * x, x.copy(), x.copy()
    for n in range(1, terms):  # a fixed number of terms, each a whole-array step
        term *= -x2 / n
        total += term / (2 * n + 1)
    return total * (2 / math.sqrt(math.pi))


def _erfc_continued_fraction(a: np.ndarray, depth: int = 48) -> np.ndarray:
    """erfc(a) = exp(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...)))),
    for a >= 2, evaluated from a fixed depth upward."""
    f = a.copy()
    for k in range(depth, 0, -1):
        f = a + (k / 2) / f
    return np.exp(-a * a) / (math.sqrt(math.pi) * f)


class Softplus(Function):
    """z = log(1 + exp(x))      dx = dz * sigmoid(x)

    Computed as max(x, 0) + log1p(exp(-|x|)), finite for any x. (The slope written
    as 1 - exp(-z) would round to 0 for x < -37 in float64.)
    """

    def forward(self, x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, dz, x):
        return dz * _sigmoid(x)


class Clip(Function):
    """z = min(max(x, lo), hi)      dx = dz * [lo <= x <= hi]"""

    saves_inputs = False  # backward reads the mask it saved, not x (so clamp_ may write x)

    def forward(self, x, lo, hi):
        self.inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            self.inside &= x >= lo
        if hi is not None:
            self.inside &= x <= hi
        return np.clip(x, lo, hi)

    def backward(self, dz, x):
        return dz * self.inside


class Sign(Function):
    """z = sign(x)      dx = 0 (zero almost everywhere, undefined at 0): zeros, as
    PyTorch's, even where dz is NaN or inf (dz * 0 would be NaN there)"""

    def forward(self, x):
        return np.sign(x)

    def backward(self, dz, x):
        return self.xp.zeros_like(dz)


class Step(Function):
    """z = 1 if x >= 0 else 0  (Heaviside, as the perceptron uses it)      dx = 0"""

    def forward(self, x):
        return (x >= 0).astype(x.dtype)

    def backward(self, dz, x):
        return dz * 0


class Round(Function):
    """z = round(x) (half to even), or floor, ceil or trunc of x (`how`)      dx = 0
    (zero almost everywhere, as PyTorch's)"""

    saves_inputs = False

    def forward(self, x, how, decimals):
        if how == "round":
            return np.round(x, decimals)
        return getattr(np, how)(x)

    def backward(self, dz, x):
        return self.xp.zeros_like(dz)


def _rounded(how: str, x: TensorLike, decimals: int = 0) -> Tensor:
    """`Round` of a float tensor; an integer tensor's values unchanged (a copy), as
    PyTorch's round, floor, ceil and trunc of integers."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.dtype.kind in "iu" and decimals == 0:
        return Tensor(data.copy())
    return Round.apply(floating(x), how=how, decimals=decimals)


def round(x: TensorLike, *, decimals: int = 0) -> Tensor:
    """x rounded to `decimals` places, halves to even, as `torch.round`."""
    return _rounded("round", x, decimals)


def floor(x: TensorLike) -> Tensor:
    """The largest integer <= x, as `torch.floor`."""
    return _rounded("floor", x)


def ceil(x: TensorLike) -> Tensor:
    """The smallest integer >= x, as `torch.ceil`."""
    return _rounded("ceil", x)


def trunc(x: TensorLike) -> Tensor:
    """x with its fractional part dropped (rounded toward 0), as `torch.trunc`."""
    return _rounded("trunc", x)


def floating(x: TensorLike) -> TensorLike:
    """`x`, or for a bool or integer `x` its values in the default float dtype: PyTorch's
    exp, log, sin, sigmoid... of integers are floats of the default dtype (numpy's exp of
    int64 is float64, of bool float16)."""
    if isinstance(x, (bool, int, float)):
        return float(x)  # a Python number: the default float dtype
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return astype(x, get_default_dtype()) if data.dtype.kind in "biu" else x


def exp(x: TensorLike) -> Tensor:
    return Exp.apply(floating(x))


def log(x: TensorLike) -> Tensor:
    return Log.apply(floating(x))


def log10(x: TensorLike) -> Tensor:
    return Log10.apply(floating(x))


def log2(x: TensorLike) -> Tensor:
    return Log2.apply(floating(x))


def sqrt(x: TensorLike) -> Tensor:
    return Sqrt.apply(floating(x))


def sin(x: TensorLike) -> Tensor:
    return Sin.apply(floating(x))


def cos(x: TensorLike) -> Tensor:
    return Cos.apply(floating(x))


def sinh(x: TensorLike) -> Tensor:
    return Sinh.apply(floating(x))


def cosh(x: TensorLike) -> Tensor:
    return Cosh.apply(floating(x))


def tanh(x: TensorLike) -> Tensor:
    return Tanh.apply(floating(x))


def sigmoid(x: TensorLike) -> Tensor:
    return Sigmoid.apply(floating(x))


def log_sigmoid(x: TensorLike) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite in both tails (log_sigmoid(-800) = -800)."""
    return -softplus(-x)


def relu(x: TensorLike) -> Tensor:
    return ReLU.apply(x)


def leaky_relu(x: TensorLike, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU.apply(x, negative_slope=negative_slope)


def elu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    return ELU.apply(x, alpha=alpha)


def erf(x: TensorLike) -> Tensor:
    return Erf.apply(floating(x))


def gelu(x: TensorLike, approximate: str = "none") -> Tensor:
    """GELU(x) = x * Phi(x), Phi the standard normal CDF = (1 + erf(x / sqrt(2))) / 2.

    `approximate="tanh"` uses 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3))),
    as PyTorch's option of the same name.
    """
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1 + tanh(inner))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return 0.5 * x * (1 + erf(x * (1 / math.sqrt(2))))


def softplus(x: TensorLike) -> Tensor:
    return Softplus.apply(x)


def silu(x: TensorLike) -> Tensor:
    """SiLU (swish): x * sigmoid(x)."""
    return x * sigmoid(x)


def clip(x: TensorLike, min: Any = None, max: Any = None) -> Tensor:
    """Limit values to [min, max]; either bound may be None."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    return Clip.apply(x, lo=min, hi=max)


def sign(x: TensorLike) -> Tensor:
    return Sign.apply(x)


def step(x: TensorLike) -> Tensor:
    return Step.apply(x)


def rsqrt(x: TensorLike) -> Tensor:
    """1 / sqrt(x), as `torch.rsqrt`: x ** -0.5 (`Pow`, whose slope is -0.5 x ** -1.5)."""
    return power(x, -0.5)


def square(x: TensorLike) -> Tensor:
    """x * x, as `torch.square`."""
    return mul(x, x)


def clamp_min(x: TensorLike, min: Any) -> Tensor:
    """Values below `min` raised to it, as `torch.clamp_min`: `clip(x, min, None)`."""
    return clip(x, min, None)


def clamp_max(x: TensorLike, max: Any) -> Tensor:
    """Values above `max` lowered to it, as `torch.clamp_max`: `clip(x, None, max)`."""
    return clip(x, None, max)
