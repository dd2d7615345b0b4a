"""The few PyTorch-named `Tensor` methods that are more than a rename of an op."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.device import check_device, device
from autograd.generator import Generator, default_generator
from autograd.ops import reduce
from autograd.ops.args import DimError, DtypeError, OperandError, check_dim, check_dims, numpy_axis
from autograd.ops.arith import astype, where
from autograd.ops.arith import maximum as maximum
from autograd.ops.arith import minimum as minimum
from autograd.ops.elementwise import clip
from autograd.ops.shape import getitem, mark_multi_output
from autograd.tensor import Tensor, data_of

TensorLike = Any


# PyTorch's legacy tensor types, whose classes or names `x.type(...)` takes as dtypes
LEGACY_TYPES = {
    "FloatTensor": np.float32,
    "DoubleTensor": np.float64,
    "HalfTensor": np.float16,
    "LongTensor": np.int64,
    "IntTensor": np.int32,
    "ShortTensor": np.int16,
    "CharTensor": np.int8,
    "ByteTensor": np.uint8,
    "BoolTensor": np.bool_,
}


def legacy_dtype(dtype: Any) -> Any:
    """The dtype of a legacy tensor type given as `autograd.LongTensor` (the
    constructor) or its name ``"torch.LongTensor"``; anything else as it is."""
    if isinstance(dtype, str):
        prefix, _, name = dtype.rpartition(".")
        if prefix in ("torch", "autograd") and name in LEGACY_TYPES:
            return LEGACY_TYPES[name]
    elif callable(dtype) and getattr(dtype, "__module__", None) == "autograd.creation":
        return LEGACY_TYPES.get(getattr(dtype, "__name__", ""), dtype)
    return dtype


def to_dtype(x: Tensor, dtype: npt.DTypeLike) -> Tensor:
    """`x.float()`, `x.double()`, `x.long()`, `x.type(torch.LongTensor)`...: `x` itself
    when it already has `dtype` (as PyTorch), else a converted copy (in the graph when
    both dtypes are float)."""
    dtype = legacy_dtype(dtype)
    return x if x.dtype == dtype else astype(x, dtype)


def requires_grad_(x: Tensor, requires_grad: bool = True) -> Tensor:
    """Set `x.requires_grad` in place and return `x`, as PyTorch.

    Raises:
        RuntimeError: turning it off on a tensor made by an op (only leaves can).
        TypeError: turning it on for a tensor that is not float.
    """
    if x.grad_fn is not None and not requires_grad:
        raise RuntimeError(
            "requires_grad_(False): only leaf tensors can stop requiring grad; use "
            "x.detach() for a copy cut from the graph"
        )
    if requires_grad and x.dtype.kind not in "fc":
        raise TypeError(f"only float tensors can require grad, got dtype {x.dtype}")
    x.requires_grad = bool(requires_grad)
    return x


def all(x: TensorLike, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where every element along `dim` (all of them when None) is nonzero: a bool
    Tensor, outside any graph, as `torch.all`."""
    data = data_of(x)
    axis = numpy_axis(check_dims("all", dim, np.ndim(data)), np.ndim(data))
    return Tensor(np.all(data, axis=axis, keepdims=keepdim))


def any(x: TensorLike, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where some element along `dim` (any of them when None) is nonzero: a bool
    Tensor, outside any graph, as `torch.any`."""
    data = data_of(x)
    axis = numpy_axis(check_dims("any", dim, np.ndim(data)), np.ndim(data))
    return Tensor(np.any(data, axis=axis, keepdims=keepdim))


def _refuse_none(name: str, a: Any, b: Any) -> None:
    """PyTorch's TypeError for a missing operand, as a `.grad` that is still None."""
    for position, (arg, value) in enumerate((("input", a), ("other", b)), 1):
        if value is None:
            raise TypeError(
                f"{name}(): argument '{arg}' (position {position}) must be Tensor, not NoneType"
            )


def allclose(
    a: TensorLike, b: TensorLike, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> bool:
    """True when ``|a - b| <= atol + rtol * |b|`` everywhere (broadcast), as `torch.allclose`.

    Raises:
        TypeError: `a` or `b` is None (a gradient not computed), with torch's message.
        OperandError: (a RuntimeError, as PyTorch's) two tensors of different dtypes,
            or shapes that do not broadcast.
    """
    x, y = _comparable("allclose", a, b)
    return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _comparable(name: str, a: TensorLike, b: TensorLike) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of `a` and `b`, which `allclose` and `isclose` compare: as PyTorch,
    neither may be None, two tensors must have one dtype (numbers and arrays are taken
    as they are), and their shapes must broadcast."""
    _refuse_none(name, a, b)
    x, y = data_of(a), data_of(b)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and x.dtype != y.dtype:
        raise OperandError(
            f"{name}: {x.dtype} did not match {y.dtype}; convert one first, e.g. a.to(b.dtype)"
        )
    try:
        np.broadcast_shapes(np.shape(x), np.shape(y))
    except ValueError:
        raise OperandError(
            f"{name}: the shapes {np.shape(x)} and {np.shape(y)} do not broadcast"
        ) from None
    return x, y


def isclose(
    a: TensorLike, b: TensorLike, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    """Where ``|a - b| <= atol + rtol * |b|`` (broadcast): a bool Tensor, outside any
    graph, as `torch.isclose`; None, tensors of different dtypes or shapes that do not
    broadcast raise `allclose`'s errors."""
    x, y = _comparable("isclose", a, b)
    return Tensor(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a: TensorLike, b: TensorLike) -> bool:
    """True when `a` and `b` have the same shape and elements, as `torch.equal`."""
    _refuse_none("equal", a, b)
    x, y = data_of(a), data_of(b)
    return x.shape == y.shape and bool(np.array_equal(x, y))


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of `x` along `dim`, each without that axis (views in the graph), as
    `torch.unbind`."""
    ndim = np.ndim(data_of(x))
    if not ndim:
        raise DimError(f"unbind: dimension specified as {dim} but tensor has no dimensions")
    dim = check_dim("unbind", dim, ndim)
    lead = (slice(None),) * dim
    views = tuple(getitem(x, (*lead, i)) for i in range(data_of(x).shape[dim]))
    return mark_multi_output(views, "Unbind")


def max(
    input: TensorLike,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """`autograd.max`, as `torch.max`: ``max(x)`` the largest element (a Tensor);
    ``max(x, dim)`` the pair (values, indices) along `dim` (``_, predicted =
    autograd.max(outputs, 1)``); ``max(x, y)`` with a tensor `y`, the elementwise
    maximum. numpy's keywords (``max(x, axis=1)``) give the values alone, as the method
    ``x.max(1)`` does."""
    return _extreme(reduce.max, maximum, input, dim, keepdim, axis, keepdims)


def min(
    input: TensorLike,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """`autograd.min`, as `torch.min`: see `max`."""
    return _extreme(reduce.min, minimum, input, dim, keepdim, axis, keepdims)


def _extreme(
    reduction: Any,
    elementwise: Any,
    x: TensorLike,
    dim: Any,
    keepdim: bool | None,
    axis: Any,
    keepdims: bool | None,
) -> Any:
    if isinstance(dim, Tensor | np.ndarray):
        return elementwise(x, dim)
    return reduction(x, axis, keepdims, dim=dim, keepdim=keepdim)


def fill_(x: Tensor, value: Any) -> Tensor:
    """`x.fill_(value)` (and `zero_()`, `copy_(src)`): every element set to `value` in
    place, with the rules of ``x[...] = value`` (`autograd.inplace`: recorded in a graph,
    refused on a leaf that requires grad unless under `no_grad`)."""
    x[...] = value
    return x


def add_(x: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """`x.add_(other, alpha=1)`: x += alpha * other in place, with the rules of `+=`."""
    x += other if alpha == 1 else other * alpha
    return x


def sub_(x: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """`x.sub_(other, alpha=1)`: x -= alpha * other in place, with the rules of `-=`."""
    x -= other if alpha == 1 else other * alpha
    return x


def mul_(x: Tensor, other: Any) -> Tensor:
    """`x.mul_(other)`: x *= other in place, with the rules of `*=`."""
    x *= other
    return x


def div_(x: Tensor, other: Any) -> Tensor:
    """`x.div_(other)`: x /= other in place, with the rules of `/=`."""
    x /= other
    return x


def clamp_(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """`x.clamp_(min, max)`: values limited to [min, max] in place (``x[...] =
    x.clamp(min, max)``, recorded in a graph as that)."""
    return assign_(x, clip(x, min, max))


def assign_(x: Tensor, value: Tensor) -> Tensor:
    """``x[...] = value``, returning `x`: PyTorch's in-place forms of functions
    (`x.exp_()` is ``x[...] = x.exp()``, recorded in a graph as that, so a value saved
    for backward that the write changes raises as in PyTorch)."""
    x[...] = value
    return x


def _random_fill(x: Tensor, name: str, generator: Any) -> Generator:
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: fills float tensors with random numbers, got dtype {x.dtype}")
    gen = default_generator if generator is None else generator
    if not isinstance(gen, Generator):
        raise TypeError(
            f"{name}: generator must be an autograd.Generator, got {type(gen).__name__}"
        )
    return gen


def uniform_(x: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """`x.uniform_(a, b)`: PyTorch's uniform draws from [a, b), in place (the rules of
    ``x[...] = values``)."""
    gen = _random_fill(x, "uniform_", generator)
    x[...] = gen.uniform(x.shape, x.dtype, a, b)
    return x


def normal_(x: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """`x.normal_(mean, std)`: PyTorch's normal draws, in place (the rules of
    ``x[...] = values``)."""
    gen = _random_fill(x, "normal_", generator)
    x[...] = gen.normal(x.shape, x.dtype, mean, std)
    return x


def to_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, bool]:
    """The dtype (None to keep it) and the `copy` flag of PyTorch's ``to(...)`` call:
    ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` (its dtype),
    keywords `dtype`, `device`, `non_blocking` and `copy`.

    Raises:
        RuntimeError: a device other than the CPU (`autograd.device`).
        TypeError: an unknown keyword.
    """
    options = dict(kwargs)
    dtype, where = options.pop("dtype", None), options.pop("device", None)
    copy = bool(options.pop("copy", False))
    options.pop("non_blocking", None)
    if options:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(options)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str | device):
            where = arg
        else:
            dtype = arg
    check_device(where)
    return dtype, copy


def to(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """`x.to(...)`, as PyTorch (see `to_arguments`): `x` itself when nothing changes (a
    copy with ``copy=True``), else a converted copy (in the graph between float
    dtypes)."""
    dtype, copy = to_arguments(args, kwargs)
    out = x if dtype is None else to_dtype(x, dtype)
    return out.clone() if copy and out is x else out


def _triangle(name: str, x: TensorLike, diagonal: int, lower: bool) -> Tensor:
    data = data_of(x)
    if data.ndim < 2:
        raise OperandError(f"{name}: needs at least 2 dimensions, got shape {data.shape}")
    rows, cols = data.shape[-2:]
    keep = np.tri(rows, cols, diagonal, dtype=bool)
    if not lower:
        keep = ~np.tri(rows, cols, diagonal - 1, dtype=bool)
    zero = np.zeros((), dtype=data.dtype)
    return where(keep, x, zero)


def tril(x: TensorLike, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two axes (on and below `diagonal`), zeros above,
    as `torch.tril`; the gradient passes where the values are kept."""
    return _triangle("tril", x, diagonal, lower=True)


def triu(x: TensorLike, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two axes (on and above `diagonal`), as `torch.triu`."""
    return _triangle("triu", x, diagonal, lower=False)


def masked_fill(x: TensorLike, mask: TensorLike, value: Any) -> Tensor:
    """`x` with `value` where `mask` (broadcast) is True, as `torch.Tensor.masked_fill`
    (``wei.masked_fill(tril == 0, float("-inf"))``); the gradient passes elsewhere.

    Raises:
        DtypeError: a mask that is not bool (a RuntimeError, as torch's, and a TypeError).
        OperandError: a mask that does not broadcast with `x` (a RuntimeError, as torch's).
    """
    m = data_of(mask)
    if m.dtype != np.bool_:
        raise DtypeError(f"masked_fill: the mask must be bool, got dtype {m.dtype}")
    shape = np.shape(data_of(x))
    try:
        np.broadcast_shapes(m.shape, shape)
    except ValueError:
        raise OperandError(
            f"masked_fill: the mask's shape {m.shape} does not broadcast with the input's "
            f"shape {shape}"
        ) from None
    fill = np.asarray(data_of(value), dtype=data_of(x).dtype)
    return where(m, fill, x)


def is_tensor(x: Any) -> bool:
    """True for an `autograd.Tensor`, as `torch.is_tensor`."""
    return isinstance(x, Tensor)


def numel(x: TensorLike) -> int:
    """The number of elements, as `torch.numel`."""
    return int(data_of(x).size)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing `array`'s memory (writes to one show in the other), its dtype
    kept, as `torch.from_numpy`.

    Raises:
        TypeError: anything but an ndarray of bool, integer or float numbers.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def as_tensor(data: Any, dtype: npt.DTypeLike | None = None) -> Tensor:
    """`data` as a tensor without copying when it already is one (or an ndarray) of
    `dtype`, as `torch.as_tensor`; Python data as `autograd.tensor` makes it."""
    from autograd.creation import tensor

    if isinstance(data, Tensor):
        return data if dtype is None else to_dtype(data, dtype)
    if isinstance(data, np.ndarray):
        return Tensor(data if dtype is None else data.astype(dtype, copy=False))
    return tensor(data, dtype=dtype)
