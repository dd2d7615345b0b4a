"""PyTorch's functions that pick, count or place elements: `unique`,
`unique_consecutive`, `isin`, `bincount`, `bucketize`, `searchsorted`, `histc`,
`masked_select`, `take`, `take_along_dim`, `argwhere`, `tril_indices`, `triu_indices`,
`combinations`, `cartesian_prod`.

The ones whose result is made of the input's elements (`masked_select`, `take`,
`take_along_dim`, `combinations`, `cartesian_prod`) are indexing ops, so their
gradients are the indexing op's; the others return integer or counting tensors outside
any graph.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

import numpy as np

from autograd.ops.args import check_dim
from autograd.ops.shape import broadcast_to, getitem, reshape, stack
from autograd.ops.torch_methods import as_tensor
from autograd.tensor import Tensor, data_of

TensorLike = Any


def _int_tensor(values: Any, out_int32: bool = False) -> Tensor:
    return Tensor(np.asarray(values, dtype=np.int32 if out_int32 else np.int64))


def _unique_outputs(
    name: str,
    input: TensorLike,
    values: np.ndarray,
    inverse: np.ndarray,
    counts: np.ndarray,
    return_inverse: bool,
    return_counts: bool,
) -> Any:
    from autograd.linalg import without_gradient

    first = Tensor(values)
    if isinstance(input, Tensor) and input.requires_grad:  # torch's: no derivative
        first = without_gradient(name, input, values)
    out: list[Tensor] = [first]
    if return_inverse:
        out.append(_int_tensor(inverse))
    if return_counts:
        out.append(_int_tensor(counts))
    return out[0] if len(out) == 1 else tuple(out)


def unique(
    input: TensorLike,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements of `input` in ascending order (distinct slices along `dim`
    when given), as `torch.unique`; with `return_inverse`, the int64 index of each
    element's value in the result (of `input`'s shape, or `input.shape[dim]`), with
    `return_counts` how often each occurs. (Sorted whatever `sorted` says, as PyTorch
    on the CPU; no derivative: a backward through the values raises, as torch's.)"""
    data = data_of(input)
    if dim is not None:
        dim = check_dim("unique", dim, data.ndim)
    values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True, axis=dim)
    inverse = inverse.reshape(data.shape if dim is None else data.shape[dim])
    return _unique_outputs("unique", input, values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(
    input: TensorLike,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """`input` with each run of equal consecutive elements (slices along `dim` when
    given) kept once, as `torch.unique_consecutive`; `return_inverse` and
    `return_counts` as `unique`'s."""
    data = data_of(input)
    if dim is None:
        moved = data.reshape(-1, 1)
    else:
        dim = check_dim("unique_consecutive", dim, data.ndim)
        moved = np.moveaxis(data, dim, 0).reshape(data.shape[dim], -1)
    n = moved.shape[0]
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = np.any(moved[1:] != moved[:-1], axis=1)
    first = np.flatnonzero(starts)
    counts = np.diff(np.append(first, n))
    inverse = np.cumsum(starts) - 1
    if dim is None:
        values = data.reshape(-1)[first]
        inverse = inverse.reshape(data.shape)
    else:
        values = np.take(data, first, axis=dim)
    return _unique_outputs(
        "unique_consecutive", input, values, inverse, counts, return_inverse, return_counts
    )


def isin(
    elements: TensorLike,
    test_elements: TensorLike,
    *,
    assume_unique: bool = False,
    invert: bool = False,
) -> Tensor:
    """True where an element of `elements` is among `test_elements` (either may be a
    number), as `torch.isin`: a bool tensor of `elements`' shape."""
    found = np.isin(data_of(elements), data_of(test_elements), assume_unique=assume_unique)
    return Tensor(~found if invert else found)


def _check_integer(name: str, arg: str, data: np.ndarray) -> None:
    if data.dtype.kind not in "iub":
        raise RuntimeError(f"{name}: {arg} must be an integer tensor, got dtype {data.dtype}")


def bincount(input: TensorLike, weights: TensorLike | None = None, minlength: int = 0) -> Tensor:
    """How often each of 0, 1, ..., max(input) occurs in the non-negative 1-d integer
    `input` (at least `minlength` bins), as `torch.bincount`: int64 counts, or the sums of
    `weights` (float64, or the weights' own float dtype).

    Raises:
        RuntimeError: `input` not 1-d, not integer or with a negative value; `weights` of
            another shape; a negative `minlength`.
    """
    data = data_of(input)
    _check_integer("bincount", "input", data)
    if data.ndim != 1:
        raise RuntimeError(f"bincount: input must be 1-d, got {data.ndim}-d {data.shape}")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if data.size and data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _int_tensor(np.bincount(data, minlength=minlength))
    w = data_of(weights)
    if w.shape != data.shape:
        raise RuntimeError(
            f"bincount: weights should be 1-d and have the same length as input, got "
            f"{w.shape} for {data.shape}"
        )
    dtype = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return Tensor(np.bincount(data, weights=w, minlength=minlength).astype(dtype))


def _search_side(right: bool, side: str | None) -> Literal["left", "right"]:
    if side is None:
        return "right" if right else "left"
    if side != "left" and side != "right":
        raise RuntimeError(
            f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
        )
    if right and side == "left":
        raise RuntimeError(
            "torch.searchsorted(): side and right can't be set to opposites, got side of "
            "left while right was True"
        )
    return "left" if side == "left" else "right"


def searchsorted(
    sorted_sequence: TensorLike,
    values: TensorLike,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: TensorLike | None = None,
) -> Tensor:
    """For each of `values`, the index in `sorted_sequence` (sorted along its last dim)
    at which it would be inserted to keep the order, as `torch.searchsorted`: the first
    such index, or the last with `right=True` / `side="right"`. An N-d sequence searches
    its rows, one per row of `values` (same leading dims).

    Raises:
        RuntimeError: leading dims that differ; contradicting `right` and `side`.
    """
    seq, vals = data_of(sorted_sequence), data_of(values)
    side = _search_side(right, side)
    if sorter is not None:
        seq = np.take_along_axis(seq, data_of(sorter).astype(np.int64), axis=-1)
    if seq.ndim <= 1:
        return _int_tensor(np.searchsorted(seq, vals, side=side), out_int32)
    if vals.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
        )
    before = np.less if side == "left" else np.less_equal
    found = before(seq[..., None, :], vals[..., :, None]).sum(axis=-1)
    return _int_tensor(found, out_int32)


def bucketize(
    input: TensorLike,
    boundaries: TensorLike,
    *,
    out_int32: bool = False,
    right: bool = False,
) -> Tensor:
    """The bucket of each element of `input` among the ascending 1-d `boundaries`, as
    `torch.bucketize`: i with boundaries[i-1] < x <= boundaries[i] (with `right=True`,
    boundaries[i-1] <= x < boundaries[i]).

    Raises:
        RuntimeError: `boundaries` not 1-d.
    """
    b = data_of(boundaries)
    if b.ndim != 1:
        raise RuntimeError(
            f"bucketize: boundaries tensor must be 1 dimension, but got dim({b.ndim})"
        )
    side: Literal["left", "right"] = "right" if right else "left"
    return _int_tensor(np.searchsorted(b, data_of(input), side=side), out_int32)


def histc(input: TensorLike, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram of `input`'s elements in `bins` equal bins over [min, max] (the data's
    range when both are 0), as `torch.histc`: a float tensor of `input`'s dtype;
    elements outside are ignored, the maximum falls in the last bin.

    Raises:
        RuntimeError: `bins` not positive, or `max` below `min`.
        NotImplementedError: an integer input (torch's error type).
    """
    data = data_of(input)
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for dtype {data.dtype}')
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins}")
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc(): max must be larger than min, got min {lo} max {hi}")
    # torch's arithmetic, in the input's dtype: bin (x - lo) * bins / (hi - lo), cut to
    # an integer, the maximum in the last bin
    kind = data.dtype.type
    low, high = kind(lo), kind(hi)
    flat = data.reshape(-1)
    flat = flat[(flat >= low) & (flat <= high)]
    index = ((flat - low) * kind(bins) / (high - low)).astype(np.int64)
    index = np.minimum(index, bins - 1)
    return Tensor(np.bincount(index, minlength=bins).astype(data.dtype))


def masked_select(input: TensorLike, mask: TensorLike) -> Tensor:
    """The elements of `input` where the bool `mask` is True, as a 1-d tensor in order,
    as `torch.masked_select` (the two broadcast); the gradient goes back to them.

    Raises:
        RuntimeError: a mask that is not bool, or shapes that do not broadcast.
    """
    m = data_of(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected a bool mask, got dtype {m.dtype}")
    x = as_tensor(input)
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_select: the shape of the mask {tuple(m.shape)} does not broadcast "
            f"with the input's {tuple(x.shape)}"
        ) from None
    if x.shape != shape:
        x = broadcast_to(x, shape)
    return getitem(x, np.broadcast_to(m, shape))


def _check_index(name: str, idx: np.ndarray, size: int) -> np.ndarray:
    _check_integer(name, "index", idx)
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].reshape(-1)[0]
        raise IndexError(f"{name}: index {bad} is out of bounds for size {size}")
    return idx.astype(np.int64)


def take(input: TensorLike, index: TensorLike) -> Tensor:
    """The elements of `input`, read as 1-d, at `index` (negative counts from the end),
    shaped as `index`, as `torch.take`.

    Raises:
        IndexError: an index out of range.
    """
    x = as_tensor(input)
    idx = _check_index("take", data_of(index), x.numel())
    return getitem(reshape(x, -1), idx)


def take_along_dim(input: TensorLike, indices: TensorLike, dim: int | None = None) -> Tensor:
    """The elements of `input` at `indices` along `dim`, as `torch.take_along_dim`: the
    two broadcast in every other dim; with `dim=None`, both are read as 1-d.

    Raises:
        RuntimeError: `input` and `indices` of different numbers of dims.
        IndexError: an index out of range.
    """
    x, idx = as_tensor(input), data_of(indices)
    if dim is None:
        return take(x, reshape(as_tensor(idx), -1))
    dim = check_dim("take_along_dim", dim, x.ndim)
    if idx.ndim != x.ndim:
        raise RuntimeError(
            f"torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {x.ndim} dimensions for input, and {idx.ndim} dimensions "
            f"for indices"
        )
    idx = _check_index("take_along_dim", idx, x.shape[dim])
    x_shape, i_shape = list(x.shape), list(idx.shape)
    x_shape[dim] = i_shape[dim] = 1
    common = list(np.broadcast_shapes(tuple(x_shape), tuple(i_shape)))
    x_full = [*common]
    x_full[dim] = x.shape[dim]
    i_full = [*common]
    i_full[dim] = idx.shape[dim]
    if tuple(x_full) != x.shape:
        x = broadcast_to(x, tuple(x_full))
    idx = np.broadcast_to(idx, tuple(i_full))
    grid: list[Any] = list(np.indices(idx.shape, sparse=True))
    grid[dim] = idx
    return getitem(x, tuple(grid))


def argwhere(input: TensorLike) -> Tensor:
    """The indices of `input`'s nonzero elements, one row each (n, ndim), int64, as
    `torch.argwhere`."""
    return _int_tensor(np.argwhere(data_of(input)))


def _tri_indices(which: Any, row: int, col: int, offset: int, dtype: Any) -> Tensor:
    if row < 0 or col < 0:
        raise RuntimeError(
            f"row must be non-negative, got {row}; col must be non-negative, got {col}"
        )
    rows, cols = which(row, offset, col)
    return Tensor(np.stack([rows, cols]).astype(np.int64 if dtype is None else dtype))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, **_: Any) -> Tensor:
    """The (2, n) indices of the lower triangle of a row x col matrix (on and below the
    diagonal `offset`), row by row, as `torch.tril_indices`."""
    return _tri_indices(np.tril_indices, row, col, offset, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, **_: Any) -> Tensor:
    """The (2, n) indices of the upper triangle of a row x col matrix (on and above the
    diagonal `offset`), row by row, as `torch.triu_indices`."""
    return _tri_indices(np.triu_indices, row, col, offset, dtype)


def combinations(input: TensorLike, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-`r` combinations of the 1-d `input`'s elements, one row each, in
    `itertools.combinations` order (`combinations_with_replacement`'s with
    `with_replacement`), as `torch.combinations`; the gradient goes back to them.

    Raises:
        RuntimeError: `input` not 1-d; `r` negative.
    """
    x = as_tensor(input)
    if x.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor(np.empty(0, dtype=x.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if rows.shape[0] == 0:
        return Tensor(np.empty((0, r), dtype=x.dtype))
    return getitem(x, rows)


def cartesian_prod(*tensors: TensorLike) -> Tensor:
    """Every tuple of one element from each 1-d tensor, one row each in row-major
    order (the tensor itself when only one), as `torch.cartesian_prod`.

    Raises:
        RuntimeError: no tensors, or one that is not 1-d.
    """
    if not tensors:
        raise RuntimeError("cartesian_prod: expected at least one tensor")
    xs = [as_tensor(t) for t in tensors]
    for x in xs:
        if x.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if len(xs) == 1:
        return xs[0]
    grid = np.indices([x.shape[0] for x in xs]).reshape(len(xs), -1)
    return stack([getitem(x, g) for x, g in zip(xs, grid)], axis=1)
