"""PyTorch's functions and methods, batch 4: the inverse hyperbolic functions, copysign,
ldexp, logaddexp2, comparisons under their long names (greater, less_equal, ...),
positive, sum_to_size, vdot, ger, addmv, addr, addbmm, split_with_sizes, rsub,
atleast_1d/2d/3d, broadcast_tensors, broadcast_shapes, scalar_tensor, randint_like,
trapz, cumulative_trapezoid, unravel_index and torch's in-place functions
(``torch.relu_(x)``...): compositions of existing ops, apart from the four with a
derivative of their own (asinh, acosh, atanh, copysign).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.aliases import ge, gt, le, lt, ne
from autograd.ops.arith import add, mul, promote, sub
from autograd.ops.elementwise import floating
from autograd.ops.layout import narrow, split
from autograd.ops.linalg import bmm, dot, mv, outer
from autograd.ops.math_more import _floating_pair, _scaled_sum, exp2, logaddexp
from autograd.ops.reduce import sum as sum_
from autograd.ops.shape import _shape_arg, broadcast_to, reshape
from autograd.tensor import Tensor, data_of, get_default_dtype

TensorLike = Any

_LN2 = math.log(2)


class Asinh(Function):
    """z = asinh(x)      dx = dz / sqrt(x**2 + 1)"""

    def forward(self, x):
        return np.arcsinh(x)

    def backward(self, dz, x):
        return dz / self.xp.sqrt(x * x + 1)


class Acosh(Function):
    """z = acosh(x) (x >= 1)      dx = dz / sqrt(x**2 - 1)"""

    def forward(self, x):
        return np.arccosh(x)

    def backward(self, dz, x):
        return dz / self.xp.sqrt(x * x - 1)


class Atanh(Function):
    """z = atanh(x) (|x| < 1)      dx = dz / (1 - x**2)"""

    def forward(self, x):
        return np.arctanh(x)

    def backward(self, dz, x):
        return dz / (1 - x * x)


class Copysign(Function):
    """z = |a| with the sign of b      da = dz * z / a (0 where a = 0)      db = 0,
    as PyTorch's."""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.copysign(a, b)

    def backward(self, dz, a, b):
        at_zero = np.asarray(data_of(a)) == 0
        ratio = self.xp.where(at_zero, 0.0, self.output / self.xp.where(at_zero, 1.0, a))
        return dz * ratio, dz * 0.0


def asinh(input: TensorLike) -> Tensor:
    """The inverse hyperbolic sine, as `torch.asinh` (of integers, a float of the
    default dtype)."""
    return Asinh.apply(floating(input))


def acosh(input: TensorLike) -> Tensor:
    """The inverse hyperbolic cosine (NaN below 1), as `torch.acosh`."""
    return Acosh.apply(floating(input))


def atanh(input: TensorLike) -> Tensor:
    """The inverse hyperbolic tangent (+-inf at +-1, NaN beyond), as `torch.atanh`."""
    return Atanh.apply(floating(input))


arcsinh, arccosh, arctanh = asinh, acosh, atanh  # PyTorch's other names


def copysign(input: TensorLike, other: TensorLike) -> Tensor:
    """|input| with the sign of `other` (broadcast; -0.0 counts as negative), always a
    float, as `torch.copysign`; no gradient reaches `other`, as in PyTorch."""
    return Copysign.apply(*_floating_pair(input, other))


def ldexp(input: TensorLike, other: TensorLike) -> Tensor:
    """input * 2**other (a float), as `torch.ldexp`."""
    return mul(floating(input), exp2(other))


def logaddexp2(input: TensorLike, other: TensorLike) -> Tensor:
    """log2(2**input + 2**other) without overflow, as `torch.logaddexp2`.

    Raises:
        NotImplementedError: two integer or bool operands (PyTorch's error).
    """
    kinds = {np.asarray(data_of(v)).dtype.kind for v in (input, other)}
    if "f" not in kinds:
        raise NotImplementedError("logaddexp2: not implemented for integer or bool tensors")
    return mul(logaddexp(mul(input, _LN2), mul(other, _LN2)), 1 / _LN2)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne  # PyTorch's long names


def positive(input: Tensor) -> Tensor:
    """`input` itself, as `torch.positive`.

    Raises:
        RuntimeError: a bool tensor (PyTorch's error).
    """
    if data_of(input).dtype == np.bool_:
        raise RuntimeError("positive: the `+` operator on a bool tensor is not supported")
    return input


def rsub(input: TensorLike, other: TensorLike, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input, as `torch.rsub`."""
    return sub(other, input if alpha == 1 else mul(input, alpha))


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """`input` summed down to `size` (a shape that broadcasts to input's), as
    `torch.Tensor.sum_to_size`: leading axes summed away, axes of size 1 kept.

    Raises:
        RuntimeError: `size` does not expand to input's shape (PyTorch's error).
        TypeError: no size.
    """
    if not size:
        raise TypeError("sum_to_size() missing 1 required positional argument: 'size'")
    shape, target = tuple(data_of(input).shape), _shape_arg(size)
    lead = len(shape) - len(target)
    if lead < 0 or any(t not in (1, n) for t, n in zip(target, shape[lead:])):
        raise RuntimeError(
            f"sum_to_size: size {list(target)} is not expandable to size {list(shape)}"
        )
    axes = tuple(range(lead)) + tuple(
        lead + i for i, (t, n) in enumerate(zip(target, shape[lead:])) if t == 1 and n != 1
    )
    if not axes:
        return input
    return reshape(sum_(input, axis=axes, keepdims=True), target)


def vdot(input: TensorLike, other: TensorLike) -> Tensor:
    """The dot product of two vectors (the first conjugated: for real tensors `dot`),
    as `torch.vdot`; `dot`'s errors."""
    return dot(input, other)


def ger(input: TensorLike, vec2: TensorLike) -> Tensor:
    """The outer product of two vectors, as `torch.ger` (`outer`'s old name)."""
    return outer(input, vec2)


def addmv(
    input: TensorLike, mat: TensorLike, vec: TensorLike, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """beta * input + alpha * (mat @ vec), as `torch.addmv`."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def addr(
    input: TensorLike, vec1: TensorLike, vec2: TensorLike, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2), as `torch.addr`."""
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


def addbmm(
    input: TensorLike, batch1: TensorLike, batch2: TensorLike, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """beta * input + alpha * the sum over the batch of batch1 @ batch2, as
    `torch.addbmm`."""
    return _scaled_sum(input, sum_(bmm(batch1, batch2), axis=0), beta, alpha)


def split_with_sizes(
    input: TensorLike, split_sizes: Sequence[int], dim: int = 0
) -> tuple[Tensor, ...]:
    """Views of `input` along `dim` of the sizes listed, as `torch.split_with_sizes`.

    Raises:
        RuntimeError: sizes that are negative or do not add up to the dimension's size.
        TypeError: a single int instead of a list (use `split`).
    """
    if isinstance(split_sizes, int | np.integer):
        raise TypeError("split_with_sizes: split_sizes must be a list of ints, got an int")
    return split(input, list(split_sizes), dim)


def _atleast(name: str, ndim: int, tensors: tuple[Any, ...]) -> Any:
    """Each tensor reshaped to at least `ndim` dimensions (a tuple for several, or for
    one list or tuple), as `torch.atleast_<ndim>d`."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        return tuple(_atleast(name, ndim, (t,)) for t in tensors[0])
    if len(tensors) != 1:
        return tuple(_atleast(name, ndim, (t,)) for t in tensors)
    x = tensors[0]
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected Tensor arguments, got {type(x).__name__}")
    shape = x.shape
    if len(shape) >= ndim:
        return x
    if ndim == 3 and len(shape) == 2:
        return reshape(x, (*shape, 1))
    return reshape(x, ((1,) * ndim + shape)[len(shape) :] if ndim < 3 else _three_d(shape))


def _three_d(shape: tuple[int, ...]) -> tuple[int, ...]:
    """torch.atleast_3d's shape for a 0-d or 1-d tensor: (1, 1, 1) or (1, n, 1)."""
    return (1, 1, 1) if not shape else (1, shape[0], 1)


def atleast_1d(*tensors: Any) -> Any:
    """Tensors with at least one dimension (a 0-d tensor as shape (1,)), as
    `torch.atleast_1d`: one tensor for one, a tuple for several."""
    return _atleast("atleast_1d", 1, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """Tensors with at least two dimensions (shape (n,) as (1, n)), as `torch.atleast_2d`."""
    return _atleast("atleast_2d", 2, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """Tensors with at least three dimensions ((n,) as (1, n, 1), (m, n) as (m, n, 1)),
    as `torch.atleast_3d`."""
    return _atleast("atleast_3d", 3, tensors)


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    """The shape that `shapes` (ints or sequences of ints) broadcast to, as
    `torch.broadcast_shapes`.

    Raises:
        RuntimeError: shapes that do not broadcast (PyTorch's error).
    """
    as_tuples = [(int(s),) if isinstance(s, int | np.integer) else tuple(s) for s in shapes]
    try:
        return tuple(np.broadcast_shapes(*as_tuples))
    except ValueError:
        raise RuntimeError(
            f"broadcast_shapes: shapes {', '.join(map(str, as_tuples))} do not broadcast"
        ) from None


def broadcast_tensors(*tensors: TensorLike) -> tuple[Tensor, ...]:
    """The tensors broadcast to one shape (views in the graph), as
    `torch.broadcast_tensors`; `broadcast_shapes`' error."""
    shape = broadcast_shapes(*(data_of(t).shape for t in tensors))
    return tuple(broadcast_to(t, shape) for t in tensors)


def scalar_tensor(
    s: Any, *, dtype: Any = None, requires_grad: bool = False, **options: Any
) -> Tensor:
    """A 0-d tensor holding the number `s` (float of the default dtype unless `dtype`
    says otherwise), as `torch.scalar_tensor`."""
    from autograd.creation import tensor

    dtype = get_default_dtype() if dtype is None else dtype
    return tensor(float(s), dtype=dtype, requires_grad=requires_grad, **options)


def trapz(y: TensorLike, x: TensorLike | None = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """`trapezoid`'s older name, as `torch.trapz` (``trapz(y, dx=..., dim=...)`` too)."""
    from autograd.ops.products_more import trapezoid

    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(
    y: TensorLike, x: TensorLike | None = None, *, dx: Any = None, dim: int = -1
) -> Tensor:
    """The running trapezoid rule along `dim` (one element fewer), as
    `torch.cumulative_trapezoid`: the spacing is `dx` (default 1) or the differences of
    the sample points `x` (1-d, or `y`'s shape)."""
    from autograd.ops.cumulative import cumsum
    from autograd.ops.products_more import _float

    t = _float(y if isinstance(y, Tensor) else Tensor(np.asarray(y)))
    dim %= max(t.ndim, 1)
    n = t.shape[dim]
    mid = add(narrow(t, dim, 0, max(n - 1, 0)), narrow(t, dim, min(1, n), max(n - 1, 0)))
    if x is None:
        return cumsum(mul(mid, (1.0 if dx is None else dx) / 2), dim=dim)
    xs = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    xd = 0 if xs.ndim == 1 else dim - t.ndim + xs.ndim
    spacing = sub(narrow(xs, xd, 1, n - 1), narrow(xs, xd, 0, n - 1))
    if xs.ndim == 1:
        spacing = reshape(spacing, (n - 1,) + (1,) * (t.ndim - dim - 1))
    return cumsum(mul(mul(mid, spacing), 0.5), dim=dim)


def unravel_index(indices: TensorLike, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in `shape` of flat `indices`, one int64 tensor per dimension,
    as `torch.unravel_index` (which takes indices modulo the number of elements: -1 is
    the last one).

    Raises:
        TypeError: indices that are not integers (PyTorch's error).
    """
    flat = data_of(indices)
    if flat.dtype.kind not in "iu":
        raise TypeError(
            f"unravel_index: expected 'indices' to be an integer tensor, got {flat.dtype}"
        )
    dims = (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(s) for s in shape)
    coords = np.unravel_index(np.mod(flat, max(math.prod(dims), 1)), dims)
    return tuple(Tensor(np.asarray(c, dtype=np.int64)) for c in coords)


def where_method(input: TensorLike, condition: TensorLike, y: TensorLike) -> Tensor:
    """`x.where(condition, y)`: `x` where `condition` is True, else `y`, as
    `torch.Tensor.where` (``torch.where(condition, x, y)``).

    Raises:
        RuntimeError: a condition that is not bool (PyTorch's error).
    """
    from autograd.ops.arith import where

    if data_of(condition).dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{data_of(condition).dtype}"
        )
    return where(condition, input, y)


def in_place_function(name: str) -> Any:
    """PyTorch's function form ``torch.<name>(input, ...)`` of the in-place method
    ``input.<name>(...)`` (``torch.relu_(x)`` is ``x.relu_()``): the write follows the
    method's rules (recorded in a graph, refused on a leaf that requires grad)."""
    method = name

    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{method}(): argument 'input' must be Tensor, not {type(input).__name__}"
            )
        return getattr(input, method)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``, as `torch.{name}`: in place, returning `input`."
    return fn


#: PyTorch's in-place functions (``torch.exp_(x)``...), each the method of its name.
IN_PLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_",
    "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "index_put_", "ldexp_",
    "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
    "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)  # fmt: skip

#: The neural-network functions PyTorch also has at its top level (``torch.dropout``,
#: ``torch.kl_div``...): `nn.functional_top` holds them, imported on first use.
TOP_LEVEL_NN = (
    "binary_cross_entropy_with_logits", "celu", "cosine_similarity", "dropout", "embedding",
    "kl_div", "layer_norm", "pairwise_distance", "prelu", "rrelu", "selu", "threshold",
    "celu_", "ctc_loss", "feature_alpha_dropout", "pdist", "rrelu_", "selu_", "threshold_",
)  # fmt: skip


def randint_like(
    input: TensorLike,
    low: Any = None,
    high: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Integers drawn uniformly from [low, high) in the shape and (unless `dtype` is
    given) the dtype of `input`, as `torch.randint_like(input, high)` or
    ``randint_like(input, low, high)``: `autograd.randint`'s draws and errors."""
    from autograd.creation import randint

    data = data_of(input)
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        data.shape,
        generator=generator,
        dtype=data.dtype if dtype is None else dtype,
        requires_grad=requires_grad,
        device=device,
    )
