"""`nn.ops`: Keras 3's `keras.ops` functions, with Keras's names and arguments, on
autograd Tensors (differentiable, as autograd's ops they call).

Custom layers write their `call` with them (`nn.ops.matmul(inputs, self.W) + self.b`).
Each function takes Tensors, arrays or numbers and returns a Tensor; the arithmetic
defined here follows autograd (PyTorch's promotion), so float64 inputs stay float64;
the further numpy-style and nn-style ops (`nn.ops_more`, `nn.ops_nn`: `cos`, `cumsum`,
`quantile`, `pad`, `hard_sigmoid`, `categorical_crossentropy`, ...) give Keras's
result dtypes (an int or bool input to a float function gives float32).

Example:
    >>> import numpy as np
    >>> from nn import ops
    >>> ops.sum(ops.square(np.array([1.0, 2.0])), axis=0, keepdims=True)
    Tensor([5.], dtype=float64)
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

import autograd
from autograd import Tensor, as_tensor
from autograd.ops.shape import squeeze_axes
from nn import softmax_logits

__all__ = [
    "abs",
    "absolute",
    "add",
    "argmax",
    "argmin",
    "cast",
    "clip",
    "concatenate",
    "convert_to_numpy",
    "convert_to_tensor",
    "divide",
    "dot",
    "elu",
    "exp",
    "expand_dims",
    "gelu",
    "leaky_relu",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "multiply",
    "negative",
    "one_hot",
    "ones",
    "ones_like",
    "power",
    "relu",
    "reshape",
    "shape",
    "sigmoid",
    "silu",
    "size",
    "softmax",
    "softplus",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "subtract",
    "sum",
    "tanh",
    "transpose",
    "var",
    "where",
    "zeros",
    "zeros_like",
]

Axis = int | Sequence[int] | None

add = autograd.add
subtract = autograd.sub
multiply = autograd.mul
divide = autograd.div
negative = autograd.neg
power = autograd.power
matmul = autograd.matmul
maximum = autograd.maximum
minimum = autograd.minimum
abs = absolute = autograd.abs
exp = autograd.exp
log = autograd.log
sqrt = autograd.sqrt
relu = autograd.relu
sigmoid = autograd.sigmoid
tanh = autograd.tanh
silu = autograd.silu
softplus = autograd.softplus
expand_dims = autograd.expand_dims
cast = autograd.astype


def squeeze(x: Any, axis: Axis = None) -> Tensor:
    """Axes of length 1 removed (all of them when axis is None), as Keras: a given axis
    of another length is a ValueError (`autograd.squeeze`, PyTorch's, skips it)."""
    shape = tuple(np.shape(x.data if isinstance(x, Tensor) else x))
    bad = [a for a in squeeze_axes("squeeze", shape, axis) if shape[a] != 1 and axis is not None]
    if bad:
        raise ValueError(
            f"squeeze: cannot squeeze axis {bad[0]} of length {shape[bad[0]]} (shape {shape})"
        )
    return autograd.squeeze(x, axis)


def square(x: Any) -> Tensor:
    """x * x (d = 2x)."""
    return autograd.mul(x, x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (a Keras crossentropy scores its logits, as
    of `nn.Softmax`: see `nn.softmax_logits`)."""
    return softmax_logits.softmax(convert_to_tensor(x), axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return autograd.log_softmax(x, axis)


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """x * Phi(x); Keras's ops default is the tanh approximation."""
    return autograd.gelu(x, "tanh" if approximate else "none")


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return autograd.elu(x, alpha)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """x if x > 0 else negative_slope * x (Keras's default slope: 0.2)."""
    return autograd.leaky_relu(x, negative_slope)


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return autograd.sum(x, axis, keepdims)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean along `axis`; ints and bools give the default float dtype, as Keras's."""
    return autograd.mean(_float(x), axis, keepdims)


def var(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The variance, dividing by the number of elements (Keras's, numpy's ddof=0); ints
    and bools give the default float dtype."""
    return autograd.var(_float(x), axis, keepdims, ddof=0)


def std(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """sqrt(var(x)), dividing by the number of elements."""
    return autograd.std(_float(x), axis, keepdims, ddof=0)


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return autograd.logsumexp(x, axis, keepdims)


def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:
    """The largest element along `axis`; with `initial`, at least that."""
    out = autograd.max(x, axis=axis, keepdims=keepdims)
    return out if initial is None else autograd.maximum(out, initial)


def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:
    """The smallest element along `axis`; with `initial`, at most that."""
    out = autograd.min(x, axis=axis, keepdims=keepdims)
    return out if initial is None else autograd.minimum(out, initial)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Indices of the largest elements (int64, outside the graph)."""
    return Tensor(np.argmax(_data(x), axis=axis, keepdims=keepdims))


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Indices of the smallest elements (int64, outside the graph)."""
    return Tensor(np.argmin(_data(x), axis=axis, keepdims=keepdims))


def reshape(x: Any, newshape: int | Sequence[int]) -> Tensor:
    """The same elements in `newshape` (one axis may be -1)."""
    return autograd.reshape(x, newshape)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """The axes permuted by `axes`, reversed by default."""
    return autograd.permute(x, None if axes is None else tuple(axes))


def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    return autograd.cat(xs, axis)


def stack(x: Sequence[Any], axis: int = 0) -> Tensor:
    return autograd.stack(x, axis)


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    """min(max(x, x_min), x_max); the slope is 1 inside, 0 outside."""
    return autograd.clip(x, x_min, x_max)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """x1 where `condition` holds, x2 elsewhere; with neither, the indices where it
    holds (a tuple of int64 Tensors, one per axis, as numpy's nonzero)."""
    if x1 is None and x2 is None:
        return tuple(Tensor(i) for i in np.nonzero(_data(condition)))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither")
    return autograd.where(_data(condition), x1, x2)


def dot(x1: Any, x2: Any) -> Tensor:
    """numpy's dot: a product for a scalar, matmul for arrays of up to 2 axes, and
    otherwise a sum over the last axis of x1 and the second-to-last of x2:
    dot(a, b)[i, j, k, m] = sum(a[i, j, :] * b[k, :, m])."""
    a, b = convert_to_tensor(x1), convert_to_tensor(x2)
    if a.ndim == 0 or b.ndim == 0:
        return autograd.mul(a, b)
    if b.ndim <= 2:
        return autograd.matmul(a, b)
    n, m = b.shape[-2], b.shape[-1]
    rest = b.shape[:-2]
    order = (b.ndim - 2, *range(b.ndim - 2), b.ndim - 1)  # the summed axis first
    columns = autograd.permute(b, order).reshape(n, -1)  # (n, rest * m)
    out = autograd.matmul(a, columns)
    return out.reshape(*a.shape[:-1], *rest, m)


def zeros(shape: int | Sequence[int], dtype: npt.DTypeLike | None = None) -> Tensor:
    return autograd.zeros(shape, dtype=dtype)


def ones(shape: int | Sequence[int], dtype: npt.DTypeLike | None = None) -> Tensor:
    return autograd.ones(shape, dtype=dtype)


def zeros_like(x: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    return autograd.zeros(np.shape(_data(x)), dtype=dtype or _data(x).dtype)


def ones_like(x: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    return autograd.ones(np.shape(_data(x)), dtype=dtype or _data(x).dtype)


def convert_to_tensor(x: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    """`x` as a Tensor (a Tensor of that dtype is returned as it is). Python ints (a
    number, or lists of them) become int32, as Keras's (arrays keep their dtype)."""
    if dtype is None and isinstance(x, (int, list, tuple)) and not isinstance(x, bool):
        values = np.asarray(x)
        if values.dtype == np.int64 and (values.size == 0 or _fits_int32(values)):
            return autograd.as_tensor(values.astype(np.int32))
    return autograd.as_tensor(x, dtype)


def _fits_int32(values: np.ndarray) -> bool:
    limits = np.iinfo(np.int32)
    return bool(limits.min <= values.min() and values.max() <= limits.max)


def convert_to_numpy(x: Any) -> np.ndarray:
    """`x` (a Tensor, array, list or number) as a new ndarray, as Keras's."""
    return np.array(_data(x))


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: npt.DTypeLike | None = None) -> Tensor:
    """Rows of `num_classes` zeros with a 1 at each label of `x` (a new axis at `axis`),
    in the default float dtype, as Keras's; a label outside [0, num_classes) gives a
    row of zeros."""
    labels = _data(x)
    if labels.dtype.kind not in "iub":
        labels = labels.astype(np.int64)
    hot = np.arange(int(num_classes)) == labels[..., None]
    return Tensor(np.moveaxis(hot, -1, axis).astype(dtype or autograd.get_default_dtype()))


def size(x: Any) -> Tensor:
    """The number of elements of `x`, as an int64 Tensor (Keras's `ops.size`)."""
    return Tensor(np.array(np.size(_data(x)), dtype=np.int64))


def shape(x: Any) -> tuple[int, ...]:
    return tuple(np.shape(_data(x)))


# Keras's further numpy-style and nn-style ops (nn.ops_more, nn.ops_nn)
from nn.ops_more import (  # noqa: E402
    _float,
    all,
    allclose,
    amax,
    amin,
    any,
    append,
    arange,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    argsort,
    array,
    average,
    broadcast_to,
    ceil,
    copy,
    cos,
    cosh,
    count_nonzero,
    cumprod,
    cumsum,
    custom_gradient,
    deg2rad,
    diag,
    diagonal,
    diff,
    divide_no_nan,
    dtype,
    einsum,
    empty,
    empty_like,
    equal,
    erf,
    erfinv,
    exp2,
    expm1,
    eye,
    flip,
    fliplr,
    flipud,
    floor,
    floor_divide,
    fmax,
    fmin,
    full,
    full_like,
    greater,
    greater_equal,
    hstack,
    hypot,
    identity,
    in_top_k,
    inner,
    is_tensor,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    less,
    less_equal,
    linspace,
    log1p,
    log2,
    log10,
    log_sigmoid,
    logaddexp,
    logaddexp2,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logspace,
    median,
    meshgrid,
    mod,
    moveaxis,
    multi_hot,
    nan_to_num,
    ndim,
    nonzero,
    norm,
    not_equal,
    outer,
    pad,
    percentile,
    prod,
    ptp,
    quantile,
    rad2deg,
    ravel,
    reciprocal,
    repeat,
    roll,
    round,
    rsqrt,
    sign,
    signbit,
    sin,
    sinh,
    sort,
    split,
    stop_gradient,
    swapaxes,
    take,
    take_along_axis,
    tan,
    tile,
    top_k,
    trace,
    tri,
    tril,
    triu,
    true_divide,
    trunc,
    unstack,
    vdot,
    vstack,
)
from nn.ops_nn import (  # noqa: E402
    batch_normalization,
    binary_crossentropy,
    categorical_crossentropy,
    celu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    layer_normalization,
    moments,
    normalize,
    psnr,
    relu6,
    rms_normalization,
    selu,
    soft_shrink,
    softsign,
    sparse_categorical_crossentropy,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh_shrink,
    threshold,
)

__all__ += [
    "all",
    "allclose",
    "amax",
    "amin",
    "any",
    "append",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argsort",
    "array",
    "average",
    "batch_normalization",
    "binary_crossentropy",
    "broadcast_to",
    "categorical_crossentropy",
    "ceil",
    "celu",
    "copy",
    "cos",
    "cosh",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "custom_gradient",
    "deg2rad",
    "diag",
    "diagonal",
    "diff",
    "divide_no_nan",
    "dtype",
    "einsum",
    "empty",
    "empty_like",
    "equal",
    "erf",
    "erfinv",
    "exp2",
    "expm1",
    "eye",
    "flip",
    "fliplr",
    "flipud",
    "floor",
    "floor_divide",
    "fmax",
    "fmin",
    "full",
    "full_like",
    "glu",
    "greater",
    "greater_equal",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "hstack",
    "hypot",
    "identity",
    "in_top_k",
    "inner",
    "is_tensor",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "layer_normalization",
    "less",
    "less_equal",
    "linspace",
    "log1p",
    "log2",
    "log10",
    "log_sigmoid",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logspace",
    "median",
    "meshgrid",
    "mod",
    "moments",
    "moveaxis",
    "multi_hot",
    "nan_to_num",
    "ndim",
    "nonzero",
    "norm",
    "normalize",
    "not_equal",
    "outer",
    "pad",
    "percentile",
    "prod",
    "psnr",
    "ptp",
    "quantile",
    "rad2deg",
    "ravel",
    "reciprocal",
    "relu6",
    "repeat",
    "rms_normalization",
    "roll",
    "round",
    "rsqrt",
    "selu",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "soft_shrink",
    "softsign",
    "sort",
    "sparse_categorical_crossentropy",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "split",
    "squareplus",
    "stop_gradient",
    "swapaxes",
    "swish",
    "take",
    "take_along_axis",
    "tan",
    "tanh_shrink",
    "threshold",
    "tile",
    "top_k",
    "trace",
    "tri",
    "tril",
    "triu",
    "true_divide",
    "trunc",
    "unstack",
    "vdot",
    "vstack",
]


def _data(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def tensordot(x1: Any, x2: Any, axes: int | Sequence[Any] = 2) -> Tensor:
    """Keras's (numpy's) `tensordot`: the sum of products over the last `axes` axes of
    `x1` and the first `axes` of `x2` (an int), or over the axes `axes = (of x1, of
    x2)` (two ints or two lists); differentiable in both. With `axes` as many as the
    inputs have, the result is one number: `tensordot(u, v, 2)` of two (batch, n)
    arrays sums over the batch too.

    Raises:
        ValueError: axes of different lengths or sizes, or more axes than an input has.
    """
    a, b = as_tensor(x1), as_tensor(x2)
    if isinstance(axes, (int, np.integer)) and not (0 <= axes <= a.ndim and axes <= b.ndim):
        raise ValueError(f"tensordot: axes={axes} for inputs of {a.ndim} and {b.ndim} dimensions")
    try:
        return autograd.tensordot(a, b, axes)
    except RuntimeError as err:  # torch's type there; Keras raises a ValueError
        raise ValueError(
            f"tensordot: the summed axes of shapes {a.shape} and {b.shape} do not match ({err})"
        ) from None


#: Keras's `keras.ops.nn`: the neural-network ops of `nn.ops` under that namespace
nn = types.ModuleType("nn.ops.nn", "Keras's `keras.ops.nn`: activations, losses, norms.")
for _name in [
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "celu",
    "elu",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "layer_normalization",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "psnr",
    "relu",
    "relu6",
    "rms_normalization",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_categorical_crossentropy",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
]:
    setattr(nn, _name, globals()[_name])
__all__ += ["nn", "tensordot"]

# Keras's keras.ops.image (nn.image_affine)
from nn import image_affine as _image_affine  # noqa: E402

image = types.ModuleType(
    "nn.ops.image", "Keras's `keras.ops.image`: `affine_transform` and `resize` on Tensors."
)
image.affine_transform = _image_affine.affine_transform  # type: ignore[attr-defined]
image.resize = _image_affine.resize  # type: ignore[attr-defined]
__all__ += ["image"]
