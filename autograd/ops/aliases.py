"""PyTorch's other names for existing ops, and its small layout and test functions:
comparisons (`eq` ... `ge`), `clone`, `t`, `swapaxes`, `moveaxis`, `ravel`, `divide`,
`multiply`, `subtract`, `negative`, `true_divide`, `absolute`, `tile`, `fliplr`,
`flipud`, `rot90`, `column_stack`, `dstack`, `tensor_split`, `hsplit`, `vsplit`,
`logspace`, `is_floating_point`, `is_nonzero`, `isfinite`, `isposinf`, `isneginf`,
`signbit`, `logical_xor`.

Each is a thin call of the op that already does the work; the tests of values have no
gradient (bool Tensors outside any graph), the layout functions are views or copies in
the graph as the ops they call.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.creation import linspace
from autograd.ops import layout
from autograd.ops.args import check_dim
from autograd.ops.arith import abs, compare, div, neg, sub
from autograd.ops.out import multiply as multiply
from autograd.ops.shape import cat, getitem, reshape, transpose
from autograd.tensor import Tensor, data_of, get_default_dtype

TensorLike = Any


def eq(input: TensorLike, other: TensorLike) -> Tensor:
    """input == other elementwise (broadcast), a bool Tensor, as `torch.eq`."""
    return compare(np.equal, input, other)


def ne(input: TensorLike, other: TensorLike) -> Tensor:
    return compare(np.not_equal, input, other)


def lt(input: TensorLike, other: TensorLike) -> Tensor:
    return compare(np.less, input, other)


def le(input: TensorLike, other: TensorLike) -> Tensor:
    return compare(np.less_equal, input, other)


def gt(input: TensorLike, other: TensorLike) -> Tensor:
    return compare(np.greater, input, other)


def ge(input: TensorLike, other: TensorLike) -> Tensor:
    return compare(np.greater_equal, input, other)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy of `input` in the graph (its gradient passes unchanged), as `torch.clone`."""
    return input.clone()


def t(input: Tensor) -> Tensor:
    """A matrix transposed (0-d and 1-d tensors unchanged), as `torch.t`.

    Raises:
        RuntimeError: `input` has more than 2 dimensions (PyTorch's error).
    """
    ndim = np.ndim(data_of(input))
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return input.t()


def swapaxes(input: TensorLike, axis0: int, axis1: int) -> Tensor:
    """`input` with two dimensions swapped, as `torch.swapaxes` (`transpose`)."""
    return transpose(input, axis0, axis1)


swapdims = swapaxes
moveaxis = layout.movedim
negative = neg
true_divide = div
absolute = abs


def subtract(input: TensorLike, other: TensorLike, *, alpha: Any = 1) -> Tensor:
    """input - alpha * other, as `torch.subtract` (`sub`)."""
    return sub(input, other, alpha=alpha)


def ravel(input: TensorLike) -> Tensor:
    """`input` as one dimension, as `torch.ravel`."""
    return reshape(input, -1)


def tile(input: TensorLike, dims: Sequence[int]) -> Tensor:
    """`input` repeated `dims[i]` times along each dimension, as `torch.tile`: fewer
    `dims` than dimensions are padded with leading 1s, more add leading dimensions."""
    dims = tuple(int(d) for d in dims)
    ndim = np.ndim(data_of(input))
    return layout.repeat(input, *((1,) * (ndim - len(dims)) + dims))


def fliplr(input: TensorLike) -> Tensor:
    """`input` with its columns (dimension 1) reversed, as `torch.fliplr`."""
    if np.ndim(data_of(input)) < 2:
        raise RuntimeError("fliplr: input must be >= 2-d")
    return layout.flip(input, 1)


def flipud(input: TensorLike) -> Tensor:
    """`input` with its rows (dimension 0) reversed, as `torch.flipud`."""
    if np.ndim(data_of(input)) < 1:
        raise RuntimeError("flipud: input must be >= 1-d")
    return layout.flip(input, 0)


def rot90(input: TensorLike, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """`input` rotated by 90 degrees `k` times in the plane of `dims`, from the first
    toward the second, as `torch.rot90`.

    Raises:
        RuntimeError: `dims` not two distinct dimensions, or `input` below 2-d.
    """
    ndim = np.ndim(data_of(input))
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = (check_dim("rot90", d, ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got {d0} and {d1}")
    k %= 4
    if k == 1:
        return transpose(layout.flip(input, d1), d0, d1)
    if k == 2:
        return layout.flip(input, (d0, d1))
    if k == 3:
        return layout.flip(transpose(input, d0, d1), d1)
    return input.clone() if isinstance(input, Tensor) else Tensor(np.array(data_of(input)))


def _at_least(input: TensorLike, shape: tuple[int, ...]) -> TensorLike:
    """`input` reshaped to `shape` when it has fewer dimensions than `shape`."""
    return reshape(input, *shape) if np.ndim(data_of(input)) < len(shape) else input


def column_stack(tensors: Sequence[TensorLike]) -> Tensor:
    """0-d and 1-d tensors as columns, the others as they are, joined along dimension
    1, as `torch.column_stack`."""
    columns = [_at_least(x, (np.size(data_of(x)), 1)) for x in tensors]
    return cat(columns, 1)


def _atleast_3d(x: TensorLike) -> TensorLike:
    shape = np.shape(data_of(x))
    if len(shape) == 0:
        return reshape(x, 1, 1, 1)
    if len(shape) == 1:
        return reshape(x, 1, shape[0], 1)
    if len(shape) == 2:
        return reshape(x, *shape, 1)
    return x


def dstack(tensors: Sequence[TensorLike]) -> Tensor:
    """The tensors (made at least 3-d) joined along dimension 2, as `torch.dstack`."""
    return cat([_atleast_3d(x) for x in tensors], 2)


def tensor_split(input: TensorLike, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """`input` cut along `dim` into `n` parts (an int: the first ``size % n`` one longer)
    or at the given indices, as `torch.tensor_split`: views of `input`.

    Raises:
        RuntimeError: `n` below 1 (PyTorch's error).
    """
    shape = np.shape(data_of(input))
    dim = check_dim("tensor_split", dim, len(shape))
    size = shape[dim]
    cuts = indices_or_sections
    if isinstance(cuts, Tensor):
        cuts = cuts.data.tolist() if cuts.ndim else int(cuts.item())
    if isinstance(cuts, (int, np.integer)):
        n = int(cuts)
        if n < 1:
            raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {n}")
        lengths = [size // n + (i < size % n) for i in range(n)]
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    else:
        points = [min(max(p + size if p < 0 else p, 0), size) for p in (int(c) for c in cuts)]
        bounds = [0, *points, size]
    return tuple(
        _part(input, dim, len(shape), start, max(start, stop))
        for start, stop in itertools.pairwise(bounds)
    )


def _part(input: TensorLike, dim: int, ndim: int, start: int, stop: int) -> Tensor:
    index = (slice(None),) * dim + (slice(start, stop),) + (slice(None),) * (ndim - dim - 1)
    return getitem(input, index)


def _even_split(name: str, input: TensorLike, sections: Any, dim: int) -> tuple[Tensor, ...]:
    if isinstance(sections, (int, np.integer)):
        size = np.shape(data_of(input))[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(
                f"{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {sections}!"
            )
    return tensor_split(input, sections, dim)


def hsplit(input: TensorLike, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """`input` split along dimension 1 (0 for a 1-d tensor), as `torch.hsplit`: an int
    must divide that dimension evenly."""
    ndim = np.ndim(data_of(input))
    if ndim < 1:
        raise RuntimeError(
            "torch.hsplit requires a tensor with at least 1 dimension, "
            "but got a tensor with 0 dimensions!"
        )
    return _even_split("torch.hsplit", input, indices_or_sections, 1 if ndim > 1 else 0)


def vsplit(input: TensorLike, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """`input` split along dimension 0, as `torch.vsplit` (an int must divide it evenly)."""
    ndim = np.ndim(data_of(input))
    if ndim < 2:
        raise RuntimeError(
            "torch.vsplit requires a tensor with at least 2 dimension, "
            f"but got a tensor with {ndim} dimensions!"
        )
    return _even_split("torch.vsplit", input, indices_or_sections, 0)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """`steps` values from base**start to base**end, the exponents evenly spaced, as
    `torch.logspace`."""
    kind = np.dtype(get_default_dtype() if dtype is None else dtype)
    exponents = linspace(start, end, steps, dtype=np.float64, device=device).data
    data = np.power(float(base), exponents)
    return Tensor(data.astype(kind), requires_grad=requires_grad)


def is_floating_point(input: Tensor) -> bool:
    """True for a float tensor, as `torch.is_floating_point`."""
    return data_of(input).dtype.kind == "f"


def is_nonzero(input: TensorLike) -> bool:
    """Whether a one-element tensor is nonzero, as `torch.is_nonzero`.

    Raises:
        RuntimeError: `input` has no element or more than one (PyTorch's error).
    """
    data = data_of(input)
    if data.size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if data.size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(data.reshape(()))


def isfinite(input: TensorLike) -> Tensor:
    """True where `input` is neither inf nor NaN, as `torch.isfinite`."""
    return Tensor._make(np.asarray(np.isfinite(data_of(input))))


def isposinf(input: TensorLike) -> Tensor:
    """True where `input` is +inf, as `torch.isposinf`."""
    return Tensor._make(np.asarray(np.isposinf(data_of(input))))


def isneginf(input: TensorLike) -> Tensor:
    """True where `input` is -inf, as `torch.isneginf`."""
    return Tensor._make(np.asarray(np.isneginf(data_of(input))))


def signbit(input: TensorLike) -> Tensor:
    """True where the sign bit is set (negative numbers, -0.0, NaNs with the bit), as
    `torch.signbit`."""
    data = data_of(input)
    if data.dtype.kind == "b":
        return Tensor._make(np.zeros(data.shape, dtype=bool))
    return Tensor._make(np.asarray(np.signbit(data)))


def logical_xor(input: TensorLike, other: TensorLike) -> Tensor:
    """True where exactly one is nonzero (broadcast), as `torch.logical_xor`."""
    return Tensor._make(np.asarray(np.logical_xor(data_of(input), data_of(other))))
