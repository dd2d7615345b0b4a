"""Moving elements around, as PyTorch names it: `flip`, `roll`, `expand`, `repeat`,
`chunk`, `split`, `narrow`, `movedim`, `unflatten`, `diagonal`.

`flip` and `roll` are ops of their own (copies, as PyTorch's), and `diagonal` (a
view); the rest are views or compositions of `reshape`, `permute`, `broadcast_to` and
slicing, whose gradients those ops already give.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.args import check_dim
from autograd.ops.shape import (
    ViewFn,
    _shape_arg,
    broadcast_to,
    cat,
    getitem,
    index_add,
    link_view,
    mark_multi_output,
    permute,
    reshape,
    writable,
)
from autograd.tensor import Tensor, data_of

TensorLike = Any


class Flip(Function):
    """z = x reversed along dims      dx = dz reversed along dims"""

    saves_inputs = False

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims).copy()  # a copy, as PyTorch's flip: no shared memory

    def backward(self, dz, x):
        return self.xp.flip(dz, self.dims)


class Roll(Function):
    """z = x shifted by shifts along dims, what leaves one end entering at the other
    (the flattened x when dims is None)      dx = dz shifted back by -shifts"""

    saves_inputs = False

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(x, shifts, dims)

    def backward(self, dz, x):
        return self.xp.roll(dz, tuple(-s for s in self.shifts), self.dims)


class Diagonal(Function):
    """z = the diagonal of x over (dim1, dim2) shifted by offset, as its last axis (a view)
    dx = zeros like x, with dz on that diagonal"""

    saves_inputs = False

    def forward(self, x, offset, dim1, dim2):
        where = ViewFn(np.diagonal, offset, dim1, dim2).positions(x.shape)
        self.index = np.unravel_index(where, x.shape)
        return writable(np.diagonal(x, offset, dim1, dim2))  # numpy's is read-only

    def backward(self, dz, x):
        return index_add(dz, self.index, x.shape)


def _dims(name: str, dims: Any, ndim: int) -> tuple[int, ...]:
    """An int or a sequence of distinct dims, as non-negative ints."""
    given = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
    out = tuple(check_dim(name, d, ndim) for d in given)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{name}: dims {given} name a dimension more than once")
    return out


def flip(input: TensorLike, dims: Any) -> Tensor:
    """`input` reversed along each of `dims`, as `torch.flip` (a copy).

    Raises:
        IndexError: a dim out of range.
        RuntimeError: a dim given twice.
    """
    ndim = data_of(input).ndim
    dims = _dims("flip", dims, ndim)
    return Flip.apply(input, dims=dims if ndim else ())


def roll(input: TensorLike, shifts: Any, dims: Any = None) -> Tensor:
    """`input` rolled by `shifts` along `dims` (one shift per dim), or the flattened
    input rolled by one shift when `dims` is None, as `torch.roll`.

    Raises:
        IndexError: a dim out of range.
        RuntimeError: shifts and dims of different lengths.
    """
    ndim = data_of(input).ndim
    shifts = (int(shifts),) if isinstance(shifts, int | np.integer) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(
                f"roll: shifts and dims must align: {len(shifts)} shifts for the flattened "
                "tensor, which takes one"
            )
        return Roll.apply(input, shifts=shifts, dims=None)
    given = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
    if len(given) != len(shifts):
        raise RuntimeError(
            f"roll: shifts and dims must align: {len(shifts)} shifts, {len(given)} dims"
        )
    if ndim == 0:
        raise IndexError(f"roll: dims {given} given for a tensor with no dimensions")
    axes = tuple(check_dim("roll", d, ndim) for d in given)
    return Roll.apply(input, shifts=shifts, dims=axes)


def expand(input: TensorLike, *sizes: Any) -> Tensor:
    """`input` broadcast to `sizes` without copying (a view), as `Tensor.expand`: -1
    keeps a dimension's size, new dimensions come first, and only dimensions of size 1
    grow.

    Raises:
        RuntimeError: fewer sizes than dimensions, -1 for a new dimension, or a size
            that differs from a dimension's size other than 1.
    """
    shape, target = data_of(input).shape, _shape_arg(sizes)
    new = len(target) - len(shape)
    if new < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(target)}) must be greater or equal "
            f"to the number of dimensions in the tensor ({len(shape)}), shape {shape}"
        )
    out = []
    for i, n in enumerate(target):
        if i < new:
            if n < 0:
                raise RuntimeError(
                    f"expand: the size {n} isn't allowed in a leading, new dimension {i}"
                )
            out.append(n)
            continue
        have = shape[i - new]
        if n == -1 or n == have:
            out.append(have)
        elif have == 1 and n >= 0:
            out.append(n)
        else:
            raise RuntimeError(
                f"expand: the expanded size ({n}) must match the existing size ({have}) at "
                f"non-singleton dimension {i}; target sizes {list(target)}, tensor sizes "
                f"{list(shape)}"
            )
    return broadcast_to(input, tuple(out))


def repeat(input: TensorLike, *repeats: Any) -> Tensor:
    """`input` tiled `repeats[i]` times along each dimension (new leading dimensions
    for extra repeats), as `Tensor.repeat` (numpy's `tile`): `input` reshaped to
    (1, n0, 1, n1, ...), broadcast to (r0, n0, r1, n1, ...), and joined pairwise.

    Raises:
        RuntimeError: fewer repeats than dimensions, or a negative repeat.
    """
    shape, reps = data_of(input).shape, _shape_arg(repeats)
    if len(reps) < len(shape):
        raise RuntimeError(
            f"repeat: the number of repeats ({len(reps)}) can not be smaller than the number "
            f"of dimensions of the tensor ({len(shape)}), shape {shape}"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {list(reps)}")
    sizes = (1,) * (len(reps) - len(shape)) + shape
    spread = tuple(v for n in sizes for v in (1, n))
    tiled = tuple(v for r, n in zip(reps, sizes) for v in (r, n))
    joined = tuple(r * n for r, n in zip(reps, sizes))
    out = reshape(broadcast_to(reshape(input, spread), tiled), joined)
    if np.may_share_memory(out.data, data_of(input)):
        # a view (all repeats 1, or only size-1 axes repeated): PyTorch's is a copy
        out = out.clone() if out.data.flags.c_contiguous else out.contiguous()
    return out


def _slice(input: TensorLike, dim: int, start: int, stop: int) -> Tensor:
    return getitem(input, (slice(None),) * dim + (slice(start, stop),))


def split(input: TensorLike, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of `input` along `dim`: pieces of `split_size_or_sections` elements (the
    last one smaller), or of the sizes in that list, as `torch.split`.

    Raises:
        RuntimeError: a size of 0 for a nonempty dimension, or sizes that do not add
            up to the dimension's size.
    """
    shape = data_of(input).shape
    d = check_dim("split", dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, int | np.integer):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n):
            raise RuntimeError(
                f"split: split_size can only be 0 if dimension size is 0, and never "
                f"negative; got split_size={size} for dimension size {n}"
            )
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split: split sizes must be non-negative and sum exactly to {n} (the size "
                f"at dimension {d}), got {sizes}"
            )
    stops = np.cumsum(sizes)
    pieces = tuple(_slice(input, d, int(stop - s), int(stop)) for s, stop in zip(sizes, stops))
    return mark_multi_output(pieces, "Split")


def chunk(input: TensorLike, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """`input` in `chunks` views along `dim` of ceil(n / chunks) elements each (the
    last smaller; fewer chunks when they run out), as `torch.chunk`.

    Raises:
        RuntimeError: chunks not positive.
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be greater than 0, got {chunks}")
    shape = data_of(input).shape
    n = shape[check_dim("chunk", dim, len(shape))]
    if n == 0:
        return split(input, [0] * chunks, dim)
    return split(input, math.ceil(n / chunks), dim)


def narrow(input: TensorLike, dim: int, start: int, length: int) -> Tensor:
    """`length` elements from `start` along `dim` (a view), as `torch.narrow`; a negative
    start counts from the end.

    Raises:
        IndexError: start outside [-n, n].
        RuntimeError: a negative length, or start + length past the end.
    """
    shape = data_of(input).shape
    d = check_dim("narrow", dim, len(shape))
    n = shape[d]
    if not -n <= start <= n:
        raise IndexError(f"narrow: start {start} is out of range [{-n}, {n}] for size {n}")
    if length < 0:
        raise RuntimeError(f"narrow: length must be non-negative, got {length}")
    start = start % n if start < 0 else start
    if start + length > n:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds size {n}")
    return _slice(input, d, start, start + length)


def movedim(input: TensorLike, source: Any, destination: Any) -> Tensor:
    """`input` with the dims `source` moved to the places `destination` (the others
    keep their order), as `torch.movedim`: a permutation.

    Raises:
        IndexError: a dim out of range.
        RuntimeError: repeated dims, or source and destination of different lengths.
    """
    ndim = data_of(input).ndim
    src, dst = _dims("movedim", source, ndim), _dims("movedim", destination, ndim)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: source {list(src)} and destination {list(dst)} must name as many dims"
        )
    order = [a for a in range(ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order) if ndim else ())


def unflatten(input: TensorLike, dim: int, sizes: Sequence[int]) -> Tensor:
    """`input` with dimension `dim` split into `sizes` (one may be -1), as
    `torch.unflatten`.

    Raises:
        RuntimeError: sizes whose product is not the dimension's size, or more than one -1.
    """
    shape = data_of(input).shape
    d = check_dim("unflatten", dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes:
        fits = sizes.count(-1) == 1 and known > 0 and shape[d] % known == 0
    else:
        fits = known == shape[d]
    if not fits:
        raise RuntimeError(
            f"unflatten: sizes {list(sizes)} don't multiply up to the size of dim {d} "
            f"({shape[d]}) of the input, shape {shape} (at most one size may be -1)"
        )
    return reshape(input, shape[:d] + sizes + shape[d + 1 :])


def flatten(input: TensorLike, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """`input` with dimensions `start_dim` to `end_dim` merged into one, as
    `torch.flatten` (a view where the memory allows; a 0-d input becomes 1-d).

    Raises:
        IndexError: a dim out of range. RuntimeError: `start_dim` after `end_dim`.
    """
    shape = data_of(input).shape
    start = check_dim("flatten", start_dim, len(shape))
    end = check_dim("flatten", end_dim, len(shape))
    if start > end:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    if not shape:
        return reshape(input, (1,))
    return reshape(input, (*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :]))


def unsqueeze(input: TensorLike, dim: int) -> Tensor:
    """`input` with a dimension of size 1 inserted at `dim` (from -ndim-1 to ndim), as
    `torch.unsqueeze`."""
    shape = data_of(input).shape
    d = check_dim("unsqueeze", dim, len(shape) + 1)
    return reshape(input, (*shape[:d], 1, *shape[d:]))


def hstack(tensors: Sequence[TensorLike]) -> Tensor:
    """`tensors` joined column-wise, as `torch.hstack`: along dim 0 when they are 1-d,
    else along dim 1."""
    dim = 0 if all(data_of(t).ndim <= 1 for t in tensors) else 1
    return cat([t if data_of(t).ndim else reshape(t, (1,)) for t in tensors], dim=dim)


def vstack(tensors: Sequence[TensorLike]) -> Tensor:
    """`tensors` joined row-wise, as `torch.vstack`: each made at least 2-d (a 1-d
    tensor of n elements becomes a row, (1, n)), then joined along dim 0."""
    rows = [reshape(t, (1, -1)) if data_of(t).ndim < 2 else t for t in tensors]
    return cat(rows, dim=0)


def diagonal(input: TensorLike, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The elements `input[..., i, ..., i + offset, ...]` over dims `dim1` and `dim2` (a
    view, those dims removed and the diagonal appended as the last one), as
    `torch.diagonal`; a negative offset takes a diagonal below the main one.

    Raises:
        IndexError: a dim out of range.
        RuntimeError: dim1 and dim2 the same dimension.
    """
    ndim = data_of(input).ndim
    d1, d2 = check_dim("diagonal", dim1, ndim), check_dim("diagonal", dim2, ndim)
    if d1 == d2 or ndim < 2:
        raise RuntimeError(f"diagonal: diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = Diagonal.apply(input, offset=int(offset), dim1=d1, dim2=d2)
    if out._family is not None:
        link_view(out, input, None, np.diagonal, (int(offset), d1, d2))
    return out


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 0-d or 1-d tensors of one dtype, as `torch.meshgrid`: with
    `indexing="ij"` grid k varies along axis k; with `"xy"` (numpy's default) the first
    two axes are swapped. Each grid is a broadcast of its input, so gradients flow back.
    Without `indexing` it is "ij" with PyTorch's warning that the argument will be needed.

    Raises:
        RuntimeError: no tensors, one that is not 0-d or 1-d, dtypes that differ, or an
            `indexing` other than "ij" and "xy".
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "meshgrid: pass indexing='ij' (the default here and in PyTorch) or 'xy'",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'meshgrid: indexing must be "ij" or "xy", got {indexing!r}')
    if not tensors:
        raise RuntimeError("meshgrid: expected at least one tensor")
    inputs = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors]
    if any(t.ndim > 1 for t in inputs):
        shapes = [t.shape for t in inputs]
        raise RuntimeError(f"meshgrid: expected 0-d or 1-d tensors, got shapes {shapes}")
    if len({t.dtype for t in inputs}) > 1:
        raise RuntimeError(f"meshgrid: expected one dtype, got {[str(t.dtype) for t in inputs]}")
    axes = list(range(len(inputs)))
    if indexing == "xy" and len(axes) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(inputs)
    for t, axis in zip(inputs, axes):
        shape[axis] = t.size
    grids = []
    for t, axis in zip(inputs, axes):
        view = [1] * len(inputs)
        view[axis] = t.size
        grids.append(broadcast_to(reshape(t, *view), shape))
    return tuple(grids)
