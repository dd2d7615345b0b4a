"""More of PyTorch's elementwise math, each op with its derivative on one line:
log1p, expm1, tan, asin, acos, atan, atan2, reciprocal, lerp, logit, hypot, xlogy,
logaddexp, erfc, erfinv, exp2, sinc, fmod, fmax, fmin, and the compositions deg2rad,
rad2deg, frac, sgn, float_power, heaviside, addcmul, addcdiv, addmm, baddbmm.

Integer and bool inputs of the float functions are read in the default float dtype,
as PyTorch's (`floating`): ``log1p`` of an int64 tensor is float32.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.arith import add, astype, div, mul, power, promote, sub, where
from autograd.ops.elementwise import (
    _erf,
    _erfc_continued_fraction,
    erfc_fit,
    floating,
    sign,
    trunc,
)
from autograd.ops.linalg import bmm, mm
from autograd.tensor import Tensor, data_of

TensorLike = Any

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Log1p(Function):
    """z = log(1 + x)      dx = dz / (1 + x)"""

    def forward(self, x):
        return np.log1p(x)

    def backward(self, dz, x):
        return dz / (1 + x)


class Expm1(Function):
    """z = exp(x) - 1      dx = dz * (z + 1)"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return np.expm1(x)

    def backward(self, dz, x):
        return dz * (self.output + 1)


class Tan(Function):
    """z = tan(x)      dx = dz * (1 + z**2)"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return np.tan(x)

    def backward(self, dz, x):
        z = self.output
        return dz * (1 + z * z)


class Asin(Function):
    """z = asin(x)      dx = dz / sqrt(1 - x**2)"""

    def forward(self, x):
        return np.arcsin(x)

    def backward(self, dz, x):
        return dz / self.xp.sqrt(1 - x * x)


class Acos(Function):
    """z = acos(x)      dx = -dz / sqrt(1 - x**2)"""

    def forward(self, x):
        return np.arccos(x)

    def backward(self, dz, x):
        return -dz / self.xp.sqrt(1 - x * x)


class Atan(Function):
    """z = atan(x)      dx = dz / (1 + x**2)"""

    def forward(self, x):
        return np.arctan(x)

    def backward(self, dz, x):
        return dz / (1 + x * x)


class Atan2(Function):
    """z = atan2(a, b)      da = dz * b / (a**2 + b**2)      db = -dz * a / (a**2 + b**2)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.arctan2(a, b)

    def backward(self, dz, a, b):
        scale = dz / (a * a + b * b)
        return scale * b, -scale * a


class Reciprocal(Function):
    """z = 1 / x      dx = -dz * z**2"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return np.reciprocal(x)

    def backward(self, dz, x):
        z = self.output
        return -dz * (z * z)


class Lerp(Function):
    """z = start + w * (end - start)
    dstart = dz * (1 - w)      dend = dz * w      dw = dz * (end - start)

    Computed as PyTorch's: ``end - (end - start) * (1 - w)`` where w >= 0.5, so that
    w = 1 gives `end` exactly."""

    def forward(self, start, end, weight):
        diff = end - start
        return np.where(np.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))

    def backward(self, dz, start, end, weight):
        return dz * (1 - weight), dz * weight, dz * (end - start)


class Logit(Function):
    """z = log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given
    dx = dz / (x (1 - x)) inside [eps, 1 - eps], 0 outside (without eps: NaN outside
    [0, 1]), as PyTorch's"""

    def forward(self, x, eps):
        self.eps = eps
        if eps is not None:
            x = np.clip(x, eps, 1 - eps)
        return np.log(x / (1 - x))

    def backward(self, dz, x):
        slope = dz / (x * (1 - x))
        raw = np.asarray(data_of(x))
        if self.eps is None:
            return self.xp.where((raw < 0) | (raw > 1), math.nan, slope)
        return self.xp.where((raw < self.eps) | (raw > 1 - self.eps), 0.0, slope)


class Hypot(Function):
    """z = sqrt(a**2 + b**2)      da = dz * a / z      db = dz * b / z"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.hypot(a, b)

    def backward(self, dz, a, b):
        scale = dz / self.output
        return scale * a, scale * b


class Xlogy(Function):
    """z = x * log(y), 0 where x = 0 (NaN where y is NaN), as `torch.xlogy`
    dx = dz * log(y) (0 where x = 0 and y <= 0)      dy = dz * x / y"""

    def forward(self, x, y):
        if x.dtype is not y.dtype:
            x, y = promote(x, y)
        out = np.where(x == 0, np.zeros((), x.dtype), x * np.log(y))
        return np.where(np.isnan(y), y, out)

    def backward(self, dz, x, y):
        ax, ay = np.asarray(data_of(x)), np.asarray(data_of(y))
        dx = self.xp.where((ax == 0) & (ay <= 0), 0.0, dz * self.xp.log(y))
        return dx, dz * x / y


class LogAddExp(Function):
    """z = log(exp(a) + exp(b)) = max(a, b) + log1p(exp(-|a - b|))
    da = dz * exp(a - z)      db = dz * exp(b - z)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        same_inf = np.isinf(a) & (a == b)  # -inf and -inf, inf and inf: no nan from a - b
        out = np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b)))
        return np.where(same_inf, a, out)

    def backward(self, dz, a, b):
        z = self.output
        return dz * self.xp.exp(a - z), dz * self.xp.exp(b - z)


class Erfc(Function):
    """z = 1 - erf(x), exact in the right tail      dx = -dz * 2 / sqrt(pi) * exp(-x**2)"""

    def forward(self, x):
        return _erfc(x)

    def backward(self, dz, x):
        return -dz * _TWO_OVER_SQRT_PI * self.xp.exp(-x * x)


def _erfc(x: np.ndarray) -> np.ndarray:
    """erfc to the precision of x's dtype, without the cancellation of 1 - erf(x) for
    large x: float64 by the continued fraction for |x| >= 2, others by the fit."""
    a = np.abs(x)
    if x.dtype != np.float64:
        tail = erfc_fit(a.astype(np.float64))  # in float64: no underflow before x's
        return np.where(x >= 0, tail, 2 - tail).astype(x.dtype, copy=False)
    out = np.asarray(1 - _erf(x))  # (numpy gives a scalar for a 0-d x: made writable)
    far = a >= 2
    if far.any():
        tail = _erfc_continued_fraction(a[far])
        out[far] = np.where(x[far] > 0, tail, 2 - tail)
    return out


class Erfinv(Function):
    """z = erfinv(x) (erf(z) = x)      dx = dz * sqrt(pi) / 2 * exp(z**2)"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return _erfinv(x)

    def backward(self, dz, x):
        z = self.output
        return dz * (math.sqrt(math.pi) / 2) * self.xp.exp(z * z)


def _erfinv(y: np.ndarray) -> np.ndarray:
    """erfinv by Giles' single-precision approximation ("Approximating the erfinv
    function", 2010), polished by Newton steps on erf in float64: +-inf at +-1, NaN
    outside [-1, 1]."""
    y64 = y.astype(np.float64)
    inside = np.abs(y64) < 1
    v = np.where(inside, y64, 0.0)
    w = -np.log((1 - v) * (1 + v))
    central = w < 5
    wc, wt = w - 2.5, np.sqrt(w) - 3
    pc = np.zeros_like(w) + 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
              -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
        pc = pc * wc + c
    pt = np.zeros_like(w) - 0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
        pt = pt * wt + c
    x = np.where(central, pc, pt) * v
    for _ in range(2):  # Newton: x -= (erf(x) - v) / erf'(x)
        x = x - (_erf(x) - v) / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
    x = np.where(np.abs(y64) == 1, np.copysign(np.inf, y64), x)
    x = np.where(np.abs(y64) > 1, np.nan, x)
    return np.where(np.isnan(y64), np.nan, x).astype(y.dtype, copy=False)


class Exp2(Function):
    """z = 2**x      dx = dz * z * ln 2"""

    saves_inputs = False  # backward reads the output

    def forward(self, x):
        return np.exp2(x)

    def backward(self, dz, x):
        return dz * self.output * math.log(2)


class Sinc(Function):
    """z = sin(pi x) / (pi x), 1 at x = 0      dx = dz * (cos(pi x) - z) / x, 0 at x = 0"""

    def forward(self, x):
        return np.sinc(x)

    def backward(self, dz, x):
        at_zero = np.asarray(data_of(x)) == 0
        safe = self.xp.where(at_zero, 1.0, x)
        slope = (self.xp.cos(math.pi * safe) - self.xp.sinc(safe)) / safe
        return dz * self.xp.where(at_zero, 0.0, slope)


class Fmod(Function):
    """z = a - b * trunc(a / b) (the sign of a, C's fmod), as `torch.fmod`
    da = dz      db = -dz * trunc(a / b)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        if a.dtype.kind in "iu" and (b == 0).any():
            raise RuntimeError("fmod: ZeroDivisionError (an integer divided by zero)")
        return np.fmod(a, b)

    def backward(self, dz, a, b):
        x, y = np.asarray(data_of(a)), np.asarray(data_of(b))
        return dz, -dz * np.trunc(x / y)


class Fmax(Function):
    """z = max(a, b), the number where one is NaN      da = dz * [a >= b or b is NaN]
    db = dz * the rest (ties go to a, as PyTorch's)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.fmax(a, b)

    def backward(self, dz, a, b):
        x, y = np.asarray(data_of(a)), np.asarray(data_of(b))
        return _route(dz, (x >= y) | np.isnan(y))


class Fmin(Function):
    """z = min(a, b), the number where one is NaN      da = dz * [a <= b or b is NaN]
    db = dz * the rest (ties go to a, as PyTorch's)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.fmin(a, b)

    def backward(self, dz, a, b):
        x, y = np.asarray(data_of(a)), np.asarray(data_of(b))
        return _route(dz, (x <= y) | np.isnan(y))


def _route(dz: Any, to_a: np.ndarray) -> tuple[Any, Any]:
    """dz where `to_a` to the first operand, elsewhere to the second."""
    dtype = np.asarray(data_of(dz)).dtype
    return dz * to_a.astype(dtype), dz * (~to_a).astype(dtype)


def log1p(input: TensorLike) -> Tensor:
    """log(1 + x), exact for small x, as `torch.log1p`."""
    return Log1p.apply(floating(input))


def expm1(input: TensorLike) -> Tensor:
    """exp(x) - 1, exact for small x, as `torch.expm1`."""
    return Expm1.apply(floating(input))


def tan(input: TensorLike) -> Tensor:
    return Tan.apply(floating(input))


def asin(input: TensorLike) -> Tensor:
    return Asin.apply(floating(input))


def acos(input: TensorLike) -> Tensor:
    return Acos.apply(floating(input))


def atan(input: TensorLike) -> Tensor:
    return Atan.apply(floating(input))


def atan2(input: TensorLike, other: TensorLike) -> Tensor:
    """The angle of the point (other, input), in (-pi, pi], as `torch.atan2`."""
    return Atan2.apply(*_floating_pair(input, other))


arcsin, arccos, arctan = asin, acos, atan  # PyTorch's other names


def reciprocal(input: TensorLike) -> Tensor:
    """1 / x, as `torch.reciprocal` (of integers, a float of the default dtype)."""
    return Reciprocal.apply(floating(input))


arctan2 = atan2


def lerp(input: TensorLike, end: TensorLike, weight: TensorLike) -> Tensor:
    """input + weight * (end - input), as `torch.lerp` (`weight` a number or a tensor).

    Raises:
        RuntimeError: `input` and `end` (or a tensor `weight`) of different dtypes, or
            not floating point (PyTorch's errors).
    """
    start, stop = data_of(input), data_of(end)
    _check_same_float("lerp", start, stop, "end")
    if isinstance(weight, Tensor):
        _check_same_float("lerp", start, weight.data, "weight")
    return Lerp.apply(input, end, weight)


def _check_same_float(name: str, a: np.ndarray, b: np.ndarray, what: str) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: expected dtype {a.dtype} for `{what}` but got dtype {b.dtype}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}: not implemented for {a.dtype} (floating point tensors only)")


def logit(input: TensorLike, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when `eps` is given, as
    `torch.logit`."""
    return Logit.apply(floating(input), eps=eps)


def hypot(input: TensorLike, other: TensorLike) -> Tensor:
    """sqrt(input**2 + other**2) without overflow, as `torch.hypot`."""
    _check_float_operand("hypot", input, other)
    return Hypot.apply(input, other)


def xlogy(input: TensorLike, other: TensorLike) -> Tensor:
    """input * log(other), 0 where input is 0 (NaN where other is NaN), as `torch.xlogy`."""
    return Xlogy.apply(*_floating_pair(input, other))


def logaddexp(input: TensorLike, other: TensorLike) -> Tensor:
    """log(exp(input) + exp(other)) without overflow, as `torch.logaddexp`."""
    _check_float_operand("logaddexp", input, other)
    return LogAddExp.apply(input, other)


def erfc(input: TensorLike) -> Tensor:
    """1 - erf(x), as `torch.erfc` (exact where erf(x) rounds to 1)."""
    return Erfc.apply(floating(input))


def erfinv(input: TensorLike) -> Tensor:
    """The inverse of erf on [-1, 1], as `torch.erfinv`."""
    return Erfinv.apply(floating(input))


def exp2(input: TensorLike) -> Tensor:
    """2**x, as `torch.exp2`."""
    return Exp2.apply(floating(input))


def sinc(input: TensorLike) -> Tensor:
    """The normalized sinc, sin(pi x) / (pi x), as `torch.sinc`."""
    return Sinc.apply(floating(input))


def fmod(input: TensorLike, other: TensorLike) -> Tensor:
    """The remainder of input / other with the sign of `input`, as `torch.fmod`."""
    return Fmod.apply(input, other)


def fmax(input: TensorLike, other: TensorLike) -> Tensor:
    """The larger of the two, the number where one is NaN, as `torch.fmax`."""
    return Fmax.apply(input, other)


def fmin(input: TensorLike, other: TensorLike) -> Tensor:
    """The smaller of the two, the number where one is NaN, as `torch.fmin`."""
    return Fmin.apply(input, other)


def _floating_pair(a: TensorLike, b: TensorLike) -> tuple[TensorLike, TensorLike]:
    """`a` and `b`, both in the default float dtype when neither is a float, as
    PyTorch's binary float functions read integers (a float operand sets the dtype)."""
    kinds = {np.asarray(data_of(v)).dtype.kind for v in (a, b) if not isinstance(v, float)}
    if any(isinstance(v, float) for v in (a, b)) or "f" in kinds:
        return a, b
    return floating(a), floating(b)


def _check_float_operand(name: str, a: TensorLike, b: TensorLike) -> None:
    """Raise PyTorch's error for a function that has no integer form, unless one operand
    is a float (which promotes the other)."""
    kinds = {np.asarray(data_of(v)).dtype.kind for v in (a, b)}
    if "f" not in kinds:
        raise RuntimeError(f"{name}: not implemented for integer or bool tensors")


def deg2rad(input: TensorLike) -> Tensor:
    """Degrees to radians, as `torch.deg2rad`."""
    return mul(floating(input), math.pi / 180)


def rad2deg(input: TensorLike) -> Tensor:
    """Radians to degrees, as `torch.rad2deg`."""
    return mul(floating(input), 180 / math.pi)


def frac(input: TensorLike) -> Tensor:
    """x - trunc(x), the fractional part with the sign of x, as `torch.frac`
    (slope 1: trunc's is 0)."""
    if np.asarray(data_of(input)).dtype.kind != "f":
        raise RuntimeError("frac: not implemented for integer or bool tensors")
    return sub(input, trunc(input))


def sgn(input: TensorLike) -> Tensor:
    """The sign of x, as `torch.sgn` (for real tensors, `torch.sign`): 0 at NaN, and a
    bool tensor unchanged (a copy). Slope 0."""
    data = data_of(input)
    if data.dtype.kind == "b":
        return Tensor._make(data.copy())
    if data.dtype.kind == "f" and np.isnan(data).any():
        input = where(np.isnan(data), 0.0, input)
    return sign(input)


def float_power(input: TensorLike, exponent: TensorLike) -> Tensor:
    """input ** exponent computed in float64, as `torch.float_power`."""
    return power(_float64(input), _float64(exponent))


def _float64(x: TensorLike) -> TensorLike:
    if isinstance(x, (bool, int, float)):
        return float(x)
    return astype(x, np.float64)


def heaviside(input: TensorLike, values: TensorLike) -> Tensor:
    """0 where input < 0, `values` where input == 0, 1 where input > 0, as
    `torch.heaviside` (no gradient, as PyTorch's).

    Raises:
        RuntimeError: `input` and `values` of different dtypes (PyTorch's error).
    """
    x, v = data_of(input), data_of(values)
    if x.dtype != v.dtype:
        raise RuntimeError(
            f"heaviside is not yet implemented for tensors with different dtypes "
            f"({x.dtype} and {v.dtype})"
        )
    return Tensor._make(np.asarray(np.where(x == 0, v, x > 0)).astype(x.dtype, copy=False))


def addcmul(
    input: TensorLike, tensor1: TensorLike, tensor2: TensorLike, *, value: Any = 1
) -> Tensor:
    """input + value * tensor1 * tensor2, as `torch.addcmul`."""
    product = mul(tensor1, tensor2)
    return add(input, product if value == 1 else mul(product, value))


def addcdiv(
    input: TensorLike, tensor1: TensorLike, tensor2: TensorLike, *, value: Any = 1
) -> Tensor:
    """input + value * tensor1 / tensor2, as `torch.addcdiv`.

    Raises:
        RuntimeError: both tensors integer (PyTorch refuses integer division here).
    """
    kinds = {np.asarray(data_of(t)).dtype.kind for t in (tensor1, tensor2)}
    if kinds <= set("biu"):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported; use torch.addcmul "
            "with the reciprocal, or true division of floats"
        )
    quotient = div(tensor1, tensor2)
    return add(input, quotient if value == 1 else mul(quotient, value))


def addmm(
    input: TensorLike, mat1: TensorLike, mat2: TensorLike, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), as `torch.addmm` (beta = 0 ignores input,
    NaN and inf included)."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


def baddbmm(
    input: TensorLike, batch1: TensorLike, batch2: TensorLike, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """beta * input + alpha * (batch1 @ batch2) per batch, as `torch.baddbmm`."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def _scaled_sum(input: TensorLike, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    """beta * input + alpha * product, `input` left out when beta is 0."""
    scaled = product if alpha == 1 else mul(product, alpha)
    if beta == 0:
        shape = np.broadcast_shapes(np.shape(data_of(input)), product.shape)
        if shape != product.shape:
            raise RuntimeError(
                f"input of shape {np.shape(data_of(input))} does not broadcast to {product.shape}"
            )
        return scaled
    return add(input if beta == 1 else mul(input, beta), scaled)


def in_place(x: Tensor, name: str, *args: Any, **kwargs: Any) -> Tensor:
    """``x[...] = x.name(*args, **kwargs)``: the in-place form `x.name_(...)`, recorded
    in a graph as that (`autograd.ops.torch_methods.assign_`). When a graph is recorded
    (x or an operand requires grad), the op reads a copy of x (`clone`, in the graph),
    so the values its backward saved are not the ones the write replaces.

    Raises:
        RuntimeError: the result's dtype is of a higher category than x's (a float
            result into an integer tensor), as PyTorch's.
    """
    from autograd.mode import is_grad_enabled
    from autograd.ops.torch_methods import assign_
    from autograd.ops.types import can_cast

    recorded = is_grad_enabled() and any(
        isinstance(t, Tensor) and t.requires_grad for t in (x, *args, *kwargs.values())
    )
    source = x.clone() if recorded else x
    value = getattr(source, name)(*args, **kwargs)
    if not can_cast(value.dtype, x.dtype):
        raise RuntimeError(
            f"{name}_: result type {value.dtype} can't be cast to the desired output type {x.dtype}"
        )
    return assign_(x, value)
