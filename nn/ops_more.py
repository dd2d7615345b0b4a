"""More of Keras 3's `keras.ops`: the numpy-style math, comparison, creation and
shape functions, with Keras's names, arguments and result dtypes (re-exported by
`nn.ops`).

Dtypes follow Keras's promotion (`keras.src.backend.common.dtypes.result_type`): an
int or bool input to a float function (`cos`, `mean`, `true_divide`, ...) gives the
default float dtype (float32); int with float gives the float; a Python number is
"weak" (it does not widen an array's dtype); indices and counts are int32. Float64
and int64 inputs keep their width (Keras's JAX backend narrows them to 32 bits).

Every function takes Tensors, arrays or numbers and returns Tensors; the float ones
are differentiable (built on autograd's ops; `arcsin`, `expm1`, ... are
`autograd.Function`s with their derivative written out).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

import autograd
from autograd import Tensor

Axis = int | Sequence[int] | None
INT = np.dtype(np.int32)


# --- dtypes -------------------------------------------------------------------------


def floatx() -> np.dtype:
    """The default float dtype (Keras's `backend.floatx()`)."""
    return np.dtype(autograd.get_default_dtype())


def _is_weak(x: Any) -> bool:
    return isinstance(x, bool | int | float) and not isinstance(x, np.generic)


def _weak_dtype(x: Any) -> np.dtype:
    if isinstance(x, bool):
        return np.dtype(bool)
    return INT if isinstance(x, int) else floatx()


def result_type(*xs: Any) -> np.dtype:
    """Keras's result dtype of an operation on `xs`: bool < int < float, Python
    numbers weak (they take the arrays' kind when it is as wide)."""
    strong = [_array(x).dtype for x in xs if not _is_weak(x)]
    weak = [_weak_dtype(x) for x in xs if _is_weak(x)]
    if not strong:
        kinds = {d.kind for d in weak}
        return floatx() if "f" in kinds or not kinds else INT if "i" in kinds else weak[0]
    floats = [d for d in strong if d.kind == "f"]
    if floats:
        return np.result_type(*floats)
    ints = [d for d in strong if d.kind in "iu"]
    if builtins.any(d.kind == "f" for d in weak):
        return floatx()
    if ints:
        return np.result_type(*ints)
    return INT if builtins.any(d.kind in "iu" for d in weak) else np.dtype(bool)


def _array(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def tensor(x: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    """`x` as a Tensor, Python numbers and lists in Keras's dtypes (int32, float32)."""
    if dtype is None and not isinstance(x, Tensor | np.ndarray | np.generic):
        dtype = _python_dtype(x)
    return autograd.as_tensor(x, dtype)


def _python_dtype(x: Any) -> np.dtype | None:
    kind = np.asarray(x).dtype.kind
    return {"i": INT, "u": INT, "f": floatx(), "b": np.dtype(bool)}.get(kind)


def _cast(x: Any, dtype: npt.DTypeLike) -> Tensor:
    t = tensor(x)
    return t if t.dtype == np.dtype(dtype) else autograd.astype(t, dtype)


def _float(x: Any) -> Tensor:
    """`x` as a float Tensor: ints and bools become the default float dtype."""
    t = tensor(x)
    return t if t.dtype.kind == "f" else autograd.astype(t, floatx())


def _pair(x1: Any, x2: Any, float_only: bool = False) -> tuple[Tensor, Tensor]:
    dtype = result_type(x1, x2)
    if float_only and dtype.kind != "f":
        dtype = floatx()
    return _cast(x1, dtype), _cast(x2, dtype)


def _bool(values: Any) -> Tensor:
    return Tensor(np.asarray(values, dtype=bool))


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % builtins.max(ndim, 1) for a in ((axis,) if isinstance(axis, int) else axis))


# --- elementwise with written-out derivatives -----------------------------------------


def _unary_function(
    name: str, forward: Callable[[np.ndarray], np.ndarray], slope: Callable[[Tensor], Tensor]
) -> Callable[[Any], Tensor]:
    """A float elementwise op: `forward` on arrays, d/dx = `slope(x)` (on Tensors, so
    second derivatives work too)."""

    class _Op(autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Tensor) -> Tensor:  # type: ignore[override]
            ctx.save_for_backward(x)
            with np.errstate(all="ignore"):  # NaN and inf outside the domain, as numpy's
                return Tensor(forward(x.data).astype(x.dtype, copy=False))

        @staticmethod
        def backward(ctx: Any, grad_output: Tensor) -> Tensor:
            (x,) = ctx.saved_tensors
            return grad_output * slope(x)

    _Op.__name__ = _Op.__qualname__ = name.capitalize()

    def op(x: Any) -> Tensor:
        return _Op.apply(_float(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"numpy's {name}, elementwise (ints and bools as the default float)."
    return op


def _erfinv_array(x: np.ndarray) -> np.ndarray:
    try:
        from scipy.special import erfinv as scipy_erfinv  # type: ignore[import-untyped]
    except ImportError as err:  # pragma: no cover - scipy comes with the test tools
        raise ImportError("erfinv needs scipy (pip install scipy)") from err
    return np.asarray(scipy_erfinv(x))


arcsin = _unary_function("arcsin", np.arcsin, lambda x: autograd.rsqrt(1 - x * x))
arccos = _unary_function("arccos", np.arccos, lambda x: -autograd.rsqrt(1 - x * x))
arctan = _unary_function("arctan", np.arctan, lambda x: 1 / (1 + x * x))
arcsinh = _unary_function("arcsinh", np.arcsinh, lambda x: autograd.rsqrt(x * x + 1))
arccosh = _unary_function("arccosh", np.arccosh, lambda x: autograd.rsqrt(x * x - 1))
arctanh = _unary_function("arctanh", np.arctanh, lambda x: 1 / (1 - x * x))
expm1 = _unary_function("expm1", np.expm1, autograd.exp)
log1p = _unary_function("log1p", np.log1p, lambda x: 1 / (1 + x))
erfinv: Callable[[Any], Tensor] = _unary_function(
    "erfinv", _erfinv_array, lambda x: math.sqrt(math.pi) / 2 * autograd.exp(erfinv(x) ** 2)
)


def _float_op(fn: Callable[[Tensor], Tensor], name: str) -> Callable[[Any], Tensor]:
    def op(x: Any) -> Tensor:
        return fn(_float(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"numpy's {name}, elementwise (ints and bools as the default float)."
    return op


cos = _float_op(autograd.cos, "cos")
sin = _float_op(autograd.sin, "sin")
cosh = _float_op(autograd.cosh, "cosh")
sinh = _float_op(autograd.sinh, "sinh")
erf = _float_op(autograd.erf, "erf")
log2 = _float_op(autograd.log2, "log2")
log10 = _float_op(autograd.log10, "log10")
rsqrt = _float_op(autograd.rsqrt, "rsqrt")
tan = _float_op(lambda x: autograd.sin(x) / autograd.cos(x), "tan")
exp2 = _float_op(lambda x: autograd.exp(x * math.log(2.0)), "exp2")
reciprocal = _float_op(lambda x: 1 / x, "reciprocal")
deg2rad = _float_op(lambda x: x * (math.pi / 180.0), "deg2rad")
rad2deg = _float_op(lambda x: x * (180.0 / math.pi), "rad2deg")
log_sigmoid = _float_op(autograd.log_sigmoid, "log_sigmoid")


def _same_or_float(fn: Callable[[Tensor], Tensor], name: str) -> Callable[[Any], Tensor]:
    """Keras's floor/ceil/trunc: a float keeps its dtype, an int or bool gives floatx."""

    def op(x: Any) -> Tensor:
        return fn(_float(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"numpy's {name} (slope 0; ints and bools come out as the default float)."
    return op


floor = _same_or_float(autograd.floor, "floor")
ceil = _same_or_float(autograd.ceil, "ceil")


def trunc(x: Any) -> Tensor:
    """The integer part, towards zero; an int keeps its dtype (as Keras's)."""
    t = tensor(x)
    return autograd.trunc(t) if t.dtype.kind == "f" else t


def round(x: Any, decimals: int = 0) -> Tensor:
    """Round half to even at `decimals` places; an int keeps its dtype."""
    t = tensor(x)
    if t.dtype.kind == "b":
        raise TypeError("round: bool input (Keras's round takes numbers)")
    if t.dtype.kind != "f":
        return t if decimals >= 0 else Tensor(np.round(t.data, decimals).astype(t.dtype))
    return autograd.round(t, decimals=decimals)


def sign(x: Any) -> Tensor:
    t = tensor(x)
    return autograd.sign(t) if t.dtype.kind != "b" else t


def arctan2(x1: Any, x2: Any) -> Tensor:
    """The angle of the point (x2, x1), in (-pi, pi]."""
    y, x = _pair(x1, x2, float_only=True)
    angle = Tensor(np.arctan2(y.data, x.data))
    # d/dy = x / r2, d/dx = -y / r2: attach them through a zero-valued term.
    r2 = autograd.where(_array(x * x + y * y) == 0, 1.0, x * x + y * y)
    linear = (x.detach() * y - y.detach() * x) / r2.detach()
    return angle + (linear - linear.detach())


def logaddexp(x1: Any, x2: Any) -> Tensor:
    """log(exp(x1) + exp(x2)) without overflow."""
    a, b = _pair(x1, x2, float_only=True)
    top = Tensor(np.maximum(a.data, b.data))
    top = autograd.where(np.isfinite(top.data), top, 0.0)
    return top + autograd.log(autograd.exp(a - top) + autograd.exp(b - top))


def logaddexp2(x1: Any, x2: Any) -> Tensor:
    """log2(2**x1 + 2**x2)."""
    a, b = _pair(x1, x2, float_only=True)
    return logaddexp(a * math.log(2.0), b * math.log(2.0)) / math.log(2.0)


def true_divide(x1: Any, x2: Any) -> Tensor:
    """x1 / x2 in a float dtype (ints and bools give the default float)."""
    a, b = _pair(x1, x2, float_only=True)
    return autograd.div(a, b)


def divide_no_nan(x1: Any, x2: Any) -> Tensor:
    """x1 / x2, and 0 where x2 is 0 (with a zero gradient there)."""
    a, b = _pair(x1, x2, float_only=True)
    zero = _array(b) == 0
    return autograd.where(zero, 0.0, a / autograd.where(zero, 1.0, b))


def floor_divide(x1: Any, x2: Any) -> Tensor:
    a, b = _pair(x1, x2)
    return Tensor(np.floor_divide(a.data, b.data))


def mod(x1: Any, x2: Any) -> Tensor:
    """The remainder with the sign of x2 (numpy's mod)."""
    a, b = _pair(x1, x2)
    if a.dtype.kind == "b":
        a, b = _cast(a, INT), _cast(b, INT)
    return autograd.remainder(a, b)


def hypot(x1: Any, x2: Any) -> Tensor:
    a, b = _pair(x1, x2, float_only=True)
    return autograd.sqrt(a * a + b * b)


def fmax(x1: Any, x2: Any) -> Tensor:
    a, b = _pair(x1, x2)
    return autograd.where(np.isnan(_array(b)) | (_array(a) >= _array(b)), a, b)


def fmin(x1: Any, x2: Any) -> Tensor:
    a, b = _pair(x1, x2)
    return autograd.where(np.isnan(_array(b)) | (_array(a) <= _array(b)), a, b)


def nan_to_num(
    x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN as `nan`, +-inf as `posinf`/`neginf` (the dtype's largest by default); the
    gradient flows through the finite elements."""
    t = tensor(x)
    if t.dtype.kind != "f":
        return t
    big = np.finfo(t.dtype).max
    data = t.data
    out = autograd.where(np.isnan(data), nan, t)
    out = autograd.where(np.isposinf(data), big if posinf is None else posinf, out)
    return autograd.where(np.isneginf(data), -big if neginf is None else neginf, out)


# --- comparisons and logic (no gradients) ----------------------------------------------


def _compare(ufunc: np.ufunc, name: str) -> Callable[[Any, Any], Tensor]:
    def op(x1: Any, x2: Any) -> Tensor:
        a, b = _pair(x1, x2)
        return _bool(ufunc(a.data, b.data))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"numpy's {name}: a bool Tensor, elementwise (broadcast)."
    return op


equal = _compare(np.equal, "equal")
not_equal = _compare(np.not_equal, "not_equal")
greater = _compare(np.greater, "greater")
greater_equal = _compare(np.greater_equal, "greater_equal")
less = _compare(np.less, "less")
less_equal = _compare(np.less_equal, "less_equal")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")


def logical_not(x: Any) -> Tensor:
    return _bool(np.logical_not(_array(x)))


def isnan(x: Any) -> Tensor:
    return _bool(np.isnan(_array(x)))


def isinf(x: Any) -> Tensor:
    return _bool(np.isinf(_array(x)))


def isfinite(x: Any) -> Tensor:
    return _bool(np.isfinite(_array(x)))


def isposinf(x: Any) -> Tensor:
    return _bool(np.isposinf(_array(x)))


def isneginf(x: Any) -> Tensor:
    return _bool(np.isneginf(_array(x)))


def signbit(x: Any) -> Tensor:
    return _bool(np.signbit(_array(x)))


def isclose(
    x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    """|x1 - x2| <= atol + rtol * |x2|, elementwise."""
    a, b = _pair(x1, x2)
    return _bool(np.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(
    x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    return _bool(np.all(isclose(x1, x2, rtol, atol, equal_nan).data))


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return _bool(np.all(_array(x), axis=_axis_arg(axis), keepdims=keepdims))


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return _bool(np.any(_array(x), axis=_axis_arg(axis), keepdims=keepdims))


def _axis_arg(axis: Axis) -> int | tuple[int, ...] | None:
    return axis if axis is None or isinstance(axis, int) else tuple(axis)


def count_nonzero(x: Any, axis: Axis = None) -> Tensor:
    """The number of nonzero elements along `axis` (int32)."""
    return Tensor(np.asarray(np.count_nonzero(_array(x), axis=_axis_arg(axis)), dtype=INT))


def nonzero(x: Any) -> tuple[Tensor, ...]:
    """The indices of the nonzero elements, one int32 Tensor per axis."""
    return tuple(Tensor(i.astype(INT)) for i in np.nonzero(_array(x)))


# --- reductions ----------------------------------------------------------------------


def amax(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return autograd.max(tensor(x), axis=_axis_arg(axis), keepdims=keepdims)


def amin(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return autograd.min(tensor(x), axis=_axis_arg(axis), keepdims=keepdims)


def ptp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """max - min along `axis`.

    Raises:
        TypeError: a bool input (Keras's backend refuses it too: bools do not subtract).
    """
    if tensor(x).dtype == np.bool_:
        raise TypeError("ptp: bool inputs have no difference; cast them first, e.g. to int32")
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


def prod(
    x: Any, axis: Axis = None, keepdims: bool = False, dtype: npt.DTypeLike | None = None
) -> Tensor:
    """The product along `axis`; bools and small ints multiply as int32."""
    t = tensor(x)
    if dtype is None and t.dtype.kind in "biu" and t.dtype.itemsize < 4:
        dtype = INT
    t = t if dtype is None else _cast(t, dtype)
    return _keep_int(autograd.prod(t, _axis_arg(axis), keepdims), t.dtype)


def _keep_int(out: Tensor, dtype: np.dtype) -> Tensor:
    """An integer result in the input's dtype (autograd widens int sums and products to
    int64, PyTorch's way; Keras keeps int32)."""
    return out if out.dtype == dtype or dtype.kind == "f" else autograd.astype(out, dtype)


def average(x: Any, axis: int | None = None, weights: Any = None) -> Tensor:
    """The mean along `axis`, weighted by `weights` (1-D along `axis`, or x's shape)."""
    t = _float(x)
    if weights is None:
        return autograd.mean(t, axis)
    w = _cast(weights, result_type(t, weights) if _array(weights).dtype.kind == "f" else t.dtype)
    if axis is not None and w.ndim == 1 and t.ndim > 1:
        shape = [1] * t.ndim
        shape[axis] = w.shape[0]
        w = autograd.reshape(w, shape)
    return autograd.sum(t * w, axis) / autograd.sum(autograd.broadcast_to(w, t.shape), axis)


def cumsum(x: Any, axis: int | None = None, dtype: npt.DTypeLike | None = None) -> Tensor:
    """Running sums along `axis` (of the flattened x when None)."""
    t = _accumulate_input(x, axis, dtype)
    return _keep_int(autograd.cumsum(t, 0 if axis is None else axis), t.dtype)


def cumprod(x: Any, axis: int | None = None, dtype: npt.DTypeLike | None = None) -> Tensor:
    """Running products along `axis` (of the flattened x when None); differentiable,
    zeros included (built from products of slices)."""
    t = _accumulate_input(x, axis, dtype)
    ax = 0 if axis is None else axis % builtins.max(t.ndim, 1)
    moved = autograd.movedim(t, ax, 0)
    rows = [moved[0]]
    for i in range(1, moved.shape[0]):
        rows.append(rows[-1] * moved[i])
    if not rows[0].shape and moved.shape[0] == 0:
        return t
    out = autograd.stack(rows, 0) if moved.shape[0] else moved
    return autograd.movedim(out, 0, ax)


def _accumulate_input(x: Any, axis: int | None, dtype: npt.DTypeLike | None) -> Tensor:
    t = tensor(x)
    if dtype is not None:
        t = _cast(t, dtype)
    elif t.dtype.kind == "b" or (t.dtype.kind in "iu" and t.dtype.itemsize < 4):
        t = _cast(t, INT)
    return autograd.reshape(t, (-1,)) if axis is None else t


def median(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def percentile(
    x: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> Tensor:
    """The q-th percentiles (q in [0, 100]) along `axis`."""
    return quantile(x, _array(q) / 100.0, axis=axis, method=method, keepdims=keepdims)


_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(
    x: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> Tensor:
    """The q-th quantiles (q in [0, 1]) along `axis` (numpy's methods linear, lower,
    higher, midpoint, nearest); a q with axes comes first in the result, as numpy's.
    Differentiable: a sort, then a weighted pick of the two neighbours."""
    if method not in _METHODS:
        raise ValueError(f"quantile: method must be one of {_METHODS}, got {method!r}")
    qs = np.asarray(q, dtype=np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"quantile: q must be in [0, 1] (percentile: [0, 100]), got {q!r}")
    t = _float(x)
    axes = _axes(axis, t.ndim)
    rest = [a for a in range(t.ndim) if a not in axes]
    flat = autograd.permute(t, (*rest, *axes)) if t.ndim else t
    flat = autograd.reshape(flat, (*[t.shape[a] for a in rest], -1))
    values = autograd.sort(flat, -1).values
    n = values.shape[-1]
    pos = qs.reshape(-1) * (n - 1)
    low, high, weight = _quantile_picks(pos, method)
    lo = autograd.index_select(values, -1, Tensor(low))
    hi = autograd.index_select(values, -1, Tensor(high))
    w = Tensor(weight.astype(t.dtype))
    out = lo + (hi - lo) * w  # (..., len(q))
    out = autograd.movedim(out, -1, 0)
    if keepdims:
        kept = [1 if a in axes else t.shape[a] for a in range(t.ndim)]
        out = autograd.reshape(out, (out.shape[0], *kept))
    return autograd.reshape(out, out.shape[1:]) if qs.ndim == 0 else out


def _quantile_picks(pos: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    low = np.floor(pos).astype(np.int64)
    high = np.ceil(pos).astype(np.int64)
    weight = pos - low
    if method == "lower":
        return low, low, np.zeros_like(pos)
    if method == "higher":
        return high, high, np.zeros_like(pos)
    if method == "nearest":
        near = np.round(pos).astype(np.int64)
        return near, near, np.zeros_like(pos)
    if method == "midpoint":
        return low, high, np.where(high > low, 0.5, 0.0)
    return low, high, weight


def norm(x: Any, ord: Any = None, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Keras's (numpy's) vector or matrix norm: a vector norm over one axis (ord a
    number, inf, -inf, 0), a matrix norm over two (ord None/"fro", 1, -1, inf, -inf);
    with axis None, the 2-norm of all elements ("fro" of a matrix). The nuclear and
    spectral matrix norms (SVD) are not written: ValueError."""
    t = _float(x)
    axes = _axes(axis, t.ndim)
    if axis is None and ord is None:
        return _power_norm(t, 2.0, axes, keepdims)
    if axis is None and t.ndim not in (1, 2):
        raise ValueError(f"norm: give axis for an input of {t.ndim} axes")
    if len(axes) == 1:
        return _vector_norm(t, 2.0 if ord is None else ord, axes, keepdims)
    if len(axes) == 2:
        return _matrix_norm(t, ord, axes, keepdims)
    raise ValueError(f"norm: axis must name 1 or 2 axes, got {axis!r}")


def _power_norm(t: Tensor, p: float, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    if p in (1.0, 2.0):
        return autograd.norm(t, p, axes, keepdims)
    return autograd.sum(autograd.abs(t) ** p, axes, keepdims) ** (1.0 / p)


def _vector_norm(t: Tensor, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    if isinstance(ord, str):
        raise ValueError(f"norm: ord {ord!r} is for matrix norms (give two axes)")
    a = autograd.abs(t)
    if ord == math.inf:
        return autograd.amax(a, axes[0], keepdims)
    if ord == -math.inf:
        return autograd.amin(a, axes[0], keepdims)
    if ord == 0:
        return autograd.sum(_cast(_array(t) != 0, t.dtype), axes[0], keepdims)
    return _power_norm(t, float(ord), axes, keepdims)


def _matrix_norm(t: Tensor, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    row, col = axes
    if ord in (None, "fro"):
        return _power_norm(t, 2.0, axes, keepdims)
    if ord in (1, -1, math.inf, -math.inf):
        summed, reduced = (row, col) if ord in (1, -1) else (col, row)
        sums = autograd.sum(autograd.abs(t), summed, True)
        pick = autograd.amax if ord in (1, math.inf) else autograd.amin
        out = pick(sums, reduced, True)
        return out if keepdims else autograd.squeeze(out, tuple(sorted(axes)))
    raise ValueError(
        f"norm: matrix ord {ord!r} is not available (use None, 'fro', 1, -1, inf, -inf)"
    )


# --- creation ------------------------------------------------------------------------


def _dtype_or(dtype: npt.DTypeLike | None, default: np.dtype) -> np.dtype:
    return default if dtype is None else np.dtype(dtype)


def array(x: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    """A new Tensor of `x` (Python ints as int32, floats as the default float)."""
    return Tensor(np.array(_array(tensor(x, dtype))))


def arange(
    start: Any, stop: Any = None, step: Any = None, dtype: npt.DTypeLike | None = None
) -> Tensor:
    """numpy's arange: int32 for whole-number arguments, else the default float."""
    args = [a for a in (start, stop, step) if a is not None]
    default = result_type(*args)
    values = np.arange(start, stop, 1 if step is None else step)
    return Tensor(values.astype(_dtype_or(dtype, default)))


def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: npt.DTypeLike | None = None,
    axis: int = 0,
) -> Any:
    """`num` evenly spaced values from start to stop (default float dtype)."""
    values, step = np.linspace(
        _array(start), _array(stop), num, endpoint=endpoint, retstep=True, axis=axis
    )
    out = Tensor(values.astype(_dtype_or(dtype, floatx())))
    return (out, Tensor(np.asarray(step, dtype=out.dtype))) if retstep else out


def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    base: float = 10,
    dtype: npt.DTypeLike | None = None,
    axis: int = 0,
) -> Tensor:
    """base ** linspace(start, stop, num)."""
    values = np.logspace(_array(start), _array(stop), num, endpoint=endpoint, base=base, axis=axis)
    return Tensor(values.astype(_dtype_or(dtype, floatx())))


def eye(N: int, M: int | None = None, k: int = 0, dtype: npt.DTypeLike | None = None) -> Tensor:
    return Tensor(np.eye(N, M, k, dtype=_dtype_or(dtype, floatx())))


def identity(n: int, dtype: npt.DTypeLike | None = None) -> Tensor:
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: npt.DTypeLike | None = None) -> Tensor:
    """Ones at and below the k-th diagonal (default float dtype)."""
    return Tensor(np.tri(N, M, k, dtype=_dtype_or(dtype, floatx())))


def full(shape: Any, fill_value: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    """`shape` filled with `fill_value` (the default float dtype unless given)."""
    return Tensor(np.full(shape, _array(fill_value), dtype=_dtype_or(dtype, floatx())))


def full_like(x: Any, fill_value: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    data = _array(x)
    return Tensor(np.full(data.shape, _array(fill_value), dtype=_dtype_or(dtype, data.dtype)))


def empty(shape: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    """A Tensor of `shape` (zeros, as Keras's JAX backend gives)."""
    return Tensor(np.zeros(shape, dtype=_dtype_or(dtype, floatx())))


def empty_like(x: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    data = _array(x)
    return Tensor(np.zeros(data.shape, dtype=_dtype_or(dtype, data.dtype)))


def copy(x: Any) -> Tensor:
    """A new Tensor with x's values (the gradient flows back to x)."""
    return tensor(x) * 1 if tensor(x).dtype.kind == "f" else Tensor(np.array(_array(x)))


# --- shape and layout -----------------------------------------------------------------


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    return autograd.broadcast_to(tensor(x), tuple(shape))


def moveaxis(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    return autograd.movedim(tensor(x), source, destination)


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    return autograd.movedim(tensor(x), (axis1, axis2), (axis2, axis1))


def ravel(x: Any) -> Tensor:
    return autograd.reshape(tensor(x), (-1,))


def flip(x: Any, axis: Axis = None) -> Tensor:
    t = tensor(x)
    return autograd.flip(t, _axes(axis, t.ndim))


def fliplr(x: Any) -> Tensor:
    return flip(x, 1)


def flipud(x: Any) -> Tensor:
    return flip(x, 0)


def roll(x: Any, shift: int | Sequence[int], axis: Axis = None) -> Tensor:
    """Elements shifted by `shift` along `axis` (the flattened x when None)."""
    t = tensor(x)
    if axis is None:
        return autograd.reshape(autograd.roll(autograd.reshape(t, (-1,)), shift, 0), t.shape)
    return autograd.roll(t, shift, axis)


def tile(x: Any, repeats: int | Sequence[int]) -> Tensor:
    """numpy's tile: x repeated `repeats` times along each axis (an index pick, so
    the gradient sums the copies)."""
    t = tensor(x)
    reps = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    ndim = builtins.max(t.ndim, len(reps))
    t = autograd.reshape(t, (1,) * (ndim - t.ndim) + tuple(t.shape))
    reps = (1,) * (ndim - len(reps)) + reps
    for ax, r in enumerate(reps):
        if r != 1:
            t = autograd.index_select(t, ax, Tensor(np.tile(np.arange(t.shape[ax]), r)))
    return t


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Tensor:
    """numpy's repeat: each element `repeats` times along `axis` (flattened when None)."""
    t = tensor(x)
    if axis is None:
        t, axis = autograd.reshape(t, (-1,)), 0
    index = np.repeat(np.arange(t.shape[axis]), _array(repeats))
    return autograd.index_select(t, axis, Tensor(index))


def append(x1: Any, x2: Any, axis: int | None = None) -> Tensor:
    a, b = _pair(x1, x2)
    if axis is None:
        a, b, axis = ravel(a), ravel(b), 0
    return autograd.cat([a, b], axis)


def hstack(xs: Sequence[Any]) -> Tensor:
    ts = _common(xs)
    return autograd.cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(xs: Sequence[Any]) -> Tensor:
    ts = [t if t.ndim >= 2 else autograd.reshape(t, (1, -1)) for t in _common(xs)]
    return autograd.cat(ts, 0)


def _common(xs: Sequence[Any]) -> list[Tensor]:
    dtype = result_type(*xs)
    return [_cast(x, dtype) for x in xs]


def split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """numpy's split: `n` equal pieces (n must divide the axis), or pieces cut at the
    given indices."""
    t = tensor(x)
    size = t.shape[axis]
    if isinstance(indices_or_sections, int):
        if indices_or_sections <= 0 or size % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of length {size} does not split into "
                f"{indices_or_sections} equal pieces"
            )
        step = size // indices_or_sections
        cuts = list(range(step, size, step))
    else:
        cuts = [int(i) for i in indices_or_sections]
    bounds = zip([0, *cuts], [*cuts, size], strict=True)
    moved = autograd.movedim(t, axis, 0)
    return [
        autograd.movedim(moved[builtins.min(a, size) : builtins.max(b, a)], 0, axis)
        for a, b in bounds
    ]


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[Tensor]:
    t = tensor(x)
    return list(autograd.unbind(t, axis))


def diag(x: Any, k: int = 0) -> Tensor:
    """The k-th diagonal of a matrix, or a matrix with a vector on its k-th diagonal."""
    t = tensor(x)
    if t.ndim not in (1, 2):
        raise ValueError(f"diag: x must have 1 or 2 axes, got shape {tuple(t.shape)}")
    return autograd.diag(t, k)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    return autograd.diagonal(tensor(x), offset, axis1, axis2)


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The sum of the offset-th diagonal; bools and small ints sum as int32."""
    t = tensor(x)
    if t.dtype.kind == "b" or (t.dtype.kind in "iu" and t.dtype.itemsize < 4):
        t = _cast(t, INT)
    return _keep_int(autograd.sum(autograd.diagonal(t, offset, axis1, axis2), -1), t.dtype)


def tril(x: Any, k: int = 0) -> Tensor:
    return autograd.tril(tensor(x), k)


def triu(x: Any, k: int = 0) -> Tensor:
    return autograd.triu(tensor(x), k)


def diff(a: Any, n: int = 1, axis: int = -1) -> Tensor:
    """The n-th differences along `axis` (a[i + 1] - a[i], n times)."""
    t = tensor(a)
    if t.dtype.kind == "b":  # numpy's diff of bools: whether neighbours differ
        return _bool(np.diff(t.data, n, axis))
    moved = autograd.movedim(t, axis, -1)
    for _ in range(n):
        moved = moved[..., 1:] - moved[..., :-1]
    return autograd.movedim(moved, -1, axis)


def outer(x1: Any, x2: Any) -> Tensor:
    a, b = _pair(x1, x2)
    return autograd.reshape(a, (-1, 1)) * autograd.reshape(b, (1, -1))


def inner(x1: Any, x2: Any) -> Tensor:
    """The sum over the last axes: inner(a, b)[i..., j...] = sum(a[i..., :] * b[j..., :])."""
    a, b = _pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    left, right = "abcdefgh"[: a.ndim - 1], "ijklmnop"[: b.ndim - 1]
    return autograd.einsum(f"{left}z,{right}z->{left}{right}", a, b)


def vdot(x1: Any, x2: Any) -> Tensor:
    a, b = _pair(x1, x2)
    return autograd.sum(ravel(a) * ravel(b))


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Einstein summation over `operands` (numpy's notation)."""
    return autograd.einsum(subscripts, *_common(operands))


def meshgrid(*x: Any, indexing: str = "xy") -> list[Tensor]:
    """Coordinate grids from 1-D arrays ("xy": Cartesian, "ij": matrix indexing)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    vectors = [ravel(v) for v in x]
    sizes = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        at = 1 - i if indexing == "xy" and i < 2 and len(vectors) > 1 else i
        shape = [1] * len(vectors)
        shape[at] = v.shape[0]
        grids.append(autograd.broadcast_to(autograd.reshape(v, shape), tuple(sizes)))
    return grids  # each keeps its dtype, as Keras's


def sort(x: Any, axis: int = -1) -> Tensor:
    t = tensor(x)
    if axis is None:
        t, axis = ravel(t), -1
    return autograd.sort(t, axis).values


def argsort(x: Any, axis: int = -1) -> Tensor:
    """Indices that sort `x` along `axis` (int32; the flattened x when None)."""
    data = _array(x)
    return Tensor(np.argsort(data, axis=axis, kind="stable").astype(INT))


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """Elements of x at `indices` along `axis` (the flattened x when None)."""
    t = tensor(x)
    if axis is None:
        t, axis = ravel(t), 0
    idx = _array(indices).astype(np.int64)
    idx = np.where(idx < 0, idx + t.shape[axis], idx)
    picked = autograd.index_select(t, axis, Tensor(idx.reshape(-1)))
    ax = axis % t.ndim
    return autograd.reshape(picked, (*t.shape[:ax], *idx.shape, *t.shape[ax + 1 :]))


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """numpy's take_along_axis: x[..., indices[..., i, ...], ...] along `axis`
    (x and indices broadcast against each other on the other axes)."""
    t = tensor(x)
    if axis is None:
        t, axis = ravel(t), 0
    ax = axis % t.ndim
    idx = _array(indices).astype(np.int64)
    idx = np.where(idx < 0, idx + t.shape[ax], idx)
    x_shape, i_shape = list(t.shape), list(idx.shape)
    x_shape[ax] = i_shape[ax] = 1
    common = list(np.broadcast_shapes(tuple(x_shape), tuple(i_shape)))
    t = autograd.broadcast_to(t, tuple([*common[:ax], t.shape[ax], *common[ax + 1 :]]))
    idx = np.broadcast_to(idx, tuple([*common[:ax], idx.shape[ax], *common[ax + 1 :]]))
    return autograd.gather(t, ax, Tensor(np.ascontiguousarray(idx)))


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    """numpy's pad: "constant" (with `constant_values`, 0 by default), "edge",
    "reflect", "symmetric" or "wrap" (these pick elements, so gradients flow)."""
    t = tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (t.ndim, 2))
    if mode not in ("constant", "edge", "reflect", "symmetric", "wrap"):
        raise ValueError(
            f"pad: mode must be constant, edge, reflect, symmetric or wrap, got {mode!r}"
        )
    if mode != "constant" and constant_values is not None:
        raise ValueError("pad: constant_values goes with mode='constant'")
    for ax, (before, after) in enumerate(widths):
        if before == after == 0:
            continue
        if mode == "constant":
            t = _pad_constant(
                t, ax, int(before), int(after), 0 if constant_values is None else constant_values
            )
        else:
            index = np.pad(np.arange(t.shape[ax]), (before, after), mode=mode)  # type: ignore[call-overload]
            t = autograd.index_select(t, ax, Tensor(index))
    return t


def _pad_constant(t: Tensor, ax: int, before: int, after: int, value: Any) -> Tensor:
    def block(n: int) -> Tensor:
        shape = list(t.shape)
        shape[ax] = n
        return Tensor(np.full(shape, value, dtype=t.dtype))

    return autograd.cat([block(before), t, block(after)], ax)


# --- nn-style ------------------------------------------------------------------------


def stop_gradient(variable: Any) -> Tensor:
    """`variable`'s values, with no gradient flowing back."""
    return tensor(variable).detach()


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def ndim(x: Any) -> int:
    return int(np.ndim(_array(x)))


def dtype(x: Any) -> str:
    """x's dtype name, as Keras's standardized strings ("float32", "int32", ...)."""
    return str(tensor(x).dtype)


def multi_hot(
    inputs: Any,
    num_classes: int,
    axis: int = -1,
    dtype: npt.DTypeLike | None = None,
    sparse: bool = False,
) -> Tensor:
    """Rows of `num_classes` zeros with a 1 at each label of the last axis of `inputs`
    (a 1-D input is one row); the default float dtype."""
    if sparse:
        raise ValueError("multi_hot: sparse=True is not available")
    labels = _array(inputs).astype(np.int64)
    batched = labels if labels.ndim > 1 else labels[None]
    hot = (np.arange(num_classes) == batched[..., None]).any(axis=-2)
    hot = np.moveaxis(hot, -1, axis) if axis != -1 else hot
    out = hot if labels.ndim > 1 else hot[0]
    return Tensor(out.astype(_dtype_or(dtype, floatx())))


def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    """Whether each target's score is among the k highest of its row (ties count as
    in, as Keras's JAX backend)."""
    scores = _array(predictions)
    labels = _array(targets).astype(np.int64)
    target_score = np.take_along_axis(scores, labels[:, None], axis=1)
    higher = np.sum(scores > target_score, axis=1)
    return _bool((higher < k) & np.isfinite(target_score[:, 0]))


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:
    """The k largest values along the last axis and their indices (int32)."""
    values, indices = autograd.topk(tensor(x), k, -1, True, True)
    return values, Tensor(indices.data.astype(INT))


def custom_gradient(f: Callable[..., tuple[Any, Callable[..., Any]]]) -> Callable[..., Tensor]:
    """Keras's `ops.custom_gradient`: `f(*args)` returns `(y, grad_fn)`, and the
    decorated function returns y, whose gradient is `grad_fn(upstream)` (one gradient
    per argument: a tuple when f takes several). f runs without recording (an
    `autograd.Function`); y is one Tensor.

    Example:
        >>> @custom_gradient
        ... def clipped_identity(x):
        ...     return x * 1.0, lambda upstream: clip(upstream, -1.0, 1.0)
    """

    class _Custom(autograd.Function):
        @staticmethod
        def forward(ctx: Any, *args: Any) -> Tensor:  # type: ignore[override]
            y, grad_fn = f(*args)
            ctx.grad_fn = grad_fn
            ctx.count = len(args)
            return tensor(y)

        @staticmethod
        def backward(ctx: Any, grad_output: Tensor) -> Any:
            grads = ctx.grad_fn(grad_output)
            if ctx.count == 1 and isinstance(grads, list | tuple) and len(grads) == 1:
                grads = grads[0]
            if ctx.count > 1 and (not isinstance(grads, list | tuple) or len(grads) != ctx.count):
                raise ValueError(
                    f"custom_gradient: the gradient function of {f.__name__} must return "
                    f"{ctx.count} gradients (one per argument)"
                )
            return tuple(grads) if ctx.count > 1 else grads

    _Custom.__name__ = _Custom.__qualname__ = f"CustomGradient_{f.__name__}"

    def wrapped(*args: Any) -> Tensor:
        return _Custom.apply(*(tensor(a) for a in args))

    wrapped.__name__ = wrapped.__qualname__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = f.__doc__
    return wrapped
