"""PyTorch's writes into a copy and its windowed and order statistics: index_fill,
index_copy, masked_scatter, select_scatter, slice_scatter, diagonal_scatter,
scatter_reduce, unfold (sliding windows), renorm, quantile and nanquantile.

Each is composed of ops in the graph: the writes are ``out = x.clone(); out[where] =
values`` (the gradient passes to `x` where it was not overwritten and to the values
where they were written), the windows and quantiles are gathers, so values and
gradients are PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.custom import once_differentiable
from autograd.function import Function
from autograd.ops.args import check_dim
from autograd.ops.arith import add, div, mul, sub, where
from autograd.ops.indexing import gather, sort
from autograd.ops.layout import movedim, unsqueeze
from autograd.ops.math_more import lerp
from autograd.ops.shape import broadcast_to, getitem, reshape, squeeze
from autograd.tensor import Tensor, data_of

TensorLike = Any


def _written(input: TensorLike, index: Any, values: Any) -> Tensor:
    """A copy of `input` (in the graph) with `values` written at ``[index]``."""
    out = input.clone() if isinstance(input, Tensor) else Tensor(np.array(data_of(input)))
    out[index] = values
    return out


def _index_vector(name: str, index: TensorLike, size: int, dim: int) -> np.ndarray:
    """The int64 index vector (or scalar) of `index_fill` and `index_copy`, checked as
    PyTorch checks it."""
    idx = data_of(index)
    if idx.dtype != np.int64:
        raise IndexError(f"{name}_(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim > 1:
        raise RuntimeError(f"{name}: Index has to be a vector/scalar, got shape {idx.shape}")
    bad = (idx >= size) | (idx < -size)
    if bad.any():
        raise IndexError(
            f"{name}: index {int(idx[bad].flat[0])} is out of bounds for dimension {dim} "
            f"with size {size}"
        )
    return idx.reshape(-1)


def _along(dim: int, index: Any) -> tuple[Any, ...]:
    """The index that takes `index` along `dim` and everything along the others."""
    return (slice(None),) * dim + (index,)


def index_fill(input: TensorLike, dim: int, index: TensorLike, value: Any) -> Tensor:
    """`input` with `value` (a number or a 0-d tensor, which gets the gradient of the
    entries it fills) at `index` along `dim`, as `torch.index_fill`.

    Raises:
        IndexError: `dim` out of range, an index not int64 or out of bounds.
        RuntimeError: an index with more than one dimension, a `value` tensor not 0-d.
    """
    shape = data_of(input).shape
    d = check_dim("index_fill", dim, len(shape))
    idx = _index_vector("index_fill", index, shape[d] if shape else 1, d)
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(
            f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.ndim} dimension(s)"
        )
    if not shape:
        return _written(input, (), value) if idx.size else _written(input, (), input)
    return _written(input, _along(d, idx), value)


def index_copy(input: TensorLike, dim: int, index: TensorLike, source: TensorLike) -> Tensor:
    """`input` with the slices of `source` along `dim` written at `index`, as
    `torch.index_copy`.

    Raises:
        IndexError: `dim` out of range, an index not int64 or out of bounds, or a
            number of indices other than source's size along `dim`.
        RuntimeError: `source` of another dtype or of shapes that do not fit.
    """
    x, src = data_of(input), data_of(source)
    d = check_dim("index_copy", dim, x.ndim)
    idx = _index_vector("index_copy", index, x.shape[d] if x.ndim else 1, d)
    if x.dtype != src.dtype:
        raise RuntimeError(
            f"index_copy_(): self and source expected to have the same dtype, but got "
            f"(self) {x.dtype} and (source) {src.dtype}"
        )
    if src.ndim and idx.size != src.shape[d if src.ndim > d else 0]:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim) ({src.shape[d if src.ndim > d else 0]})"
        )
    expected = (*x.shape[:d], idx.size, *x.shape[d + 1 :]) if x.ndim else ()
    if src.size != int(np.prod(expected)):
        raise RuntimeError(f"index_copy_(): source of shape {src.shape} does not fit {expected}")
    if not x.ndim:
        return _written(input, (), reshape(source, ()))
    return _written(input, _along(d, idx), reshape(source, expected))


def masked_scatter(input: TensorLike, mask: TensorLike, source: TensorLike) -> Tensor:
    """`input` (broadcast with `mask`) with the first elements of `source`, in order,
    written where `mask` is True, as `torch.masked_scatter`.

    Raises:
        RuntimeError: a mask that is not bool, shapes that do not broadcast, or
            `source` with fewer elements than the mask has True entries.
    """
    m, src = data_of(mask), data_of(source)
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_scatter_ only supports boolean masks, but got mask with dtype {m.dtype}"
        )
    shape = data_of(input).shape
    try:
        full = np.broadcast_shapes(shape, m.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_scatter: the mask's shape {m.shape} does not broadcast with {shape}"
        ) from None
    where_ = np.broadcast_to(m, full)
    count = int(where_.sum())
    if src.size < count:
        raise RuntimeError("masked_scatter: Number of elements of source < number of ones in mask")
    x = input if shape == full else broadcast_to(input, full)
    flat = reshape(source, (-1,))
    return _written(x, where_, getitem(flat, slice(0, count)))


def _checked_slot(name: str, src: TensorLike, slot: tuple[int, ...]) -> None:
    if tuple(data_of(src).shape) != slot:
        raise RuntimeError(
            f"{name}: expected src to have a size equal to the slice of self. src size = "
            f"{list(data_of(src).shape)}, slice size = {list(slot)}"
        )


def select_scatter(input: TensorLike, src: TensorLike, dim: int, index: int) -> Tensor:
    """`input` with `src` written at `index` along `dim` (where ``input.select(dim,
    index)`` is), as `torch.select_scatter`.

    Raises:
        IndexError: `dim` or `index` out of range.
        RuntimeError: `src` not of the selected slice's shape.
    """
    shape = data_of(input).shape
    d = check_dim("select_scatter", dim, len(shape))
    if not -shape[d] <= index < shape[d]:
        raise IndexError(
            f"select_scatter(): index {index} out of range for tensor of size {list(shape)} "
            f"at dimension {d}"
        )
    _checked_slot("select_scatter", src, shape[:d] + shape[d + 1 :])
    return _written(input, _along(d, int(index)), src)


def slice_scatter(
    input: TensorLike,
    src: TensorLike,
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Tensor:
    """`input` with `src` written at ``[start:end:step]`` along `dim`, as
    `torch.slice_scatter`.

    Raises:
        IndexError: `dim` out of range.
        RuntimeError: a step that is not positive, `src` not of the slice's shape.
    """
    shape = data_of(input).shape
    d = check_dim("slice_scatter", dim, len(shape))
    if step <= 0:
        raise RuntimeError("slice_scatter: slice step must be positive")
    part = slice(start, end, step)
    slot = (*shape[:d], len(range(*part.indices(shape[d]))), *shape[d + 1 :])
    _checked_slot("slice_scatter", src, slot)
    return _written(input, _along(d, part), src)


def diagonal_scatter(
    input: TensorLike, src: TensorLike, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """`input` with `src` written on its diagonal (where ``input.diagonal(offset, dim1,
    dim2)`` is, the diagonal in src's last dim), as `torch.diagonal_scatter`.

    Raises:
        IndexError: a dim out of range.
        RuntimeError: equal dims, or `src` not of the diagonal's shape.
    """
    shape = data_of(input).shape
    d1 = check_dim("diagonal_scatter", dim1, len(shape))
    d2 = check_dim("diagonal_scatter", dim2, len(shape))
    if d1 == d2:
        raise RuntimeError(f"diagonal_scatter: dim1 and dim2 cannot be identical, got {d1}")
    rows = np.arange(max(0, -offset), shape[d1])
    cols = rows + offset
    keep = cols < shape[d2]
    rows, cols = rows[keep], cols[keep]
    others = tuple(n for i, n in enumerate(shape) if i not in (d1, d2))
    _checked_slot("diagonal_scatter", src, (*others, rows.size))
    index: list[Any] = [slice(None)] * len(shape)
    index[d1], index[d2] = rows, cols
    # numpy puts the diagonal where the two indexed dims were when they are adjacent,
    # first otherwise; PyTorch's diagonal is last
    place = min(d1, d2) if abs(d1 - d2) == 1 else 0
    return _written(input, tuple(index), movedim(src, -1, place) if others else src)


def unfold(input: TensorLike, dimension: int, size: int, step: int) -> Tensor:
    """The windows of `size` elements every `step` along `dimension`: that dim becomes
    the number of windows and a last dim of `size` is added, as `torch.Tensor.unfold`
    (a gather here, in the graph: overlapping windows add their gradients).

    Raises:
        IndexError: `dimension` out of range.
        RuntimeError: a size larger than the dimension, a step that is not positive.
    """
    shape = data_of(input).shape
    d = check_dim("unfold", dimension, len(shape))
    length = shape[d] if shape else 1
    if size > length or size < 0:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {length} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if not shape:
        return reshape(input, (size,))
    n = (length - size) // step + 1
    windows = np.arange(n)[:, None] * step + np.arange(size)
    return movedim(getitem(input, _along(d, windows)), d + 1, -1)


def renorm(input: TensorLike, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along `dim` whose p-norm exceeds `maxnorm` scaled down to norm
    `maxnorm` (by maxnorm / (norm + 1e-7)), as `torch.renorm`.

    Raises:
        RuntimeError: fewer than 2 dimensions, a norm order that is not positive, a
            negative `maxnorm`.
    """
    from autograd.linalg import vector_norm

    x = data_of(input)
    if x.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {x.ndim} dimensions")
    d = check_dim("renorm", dim, x.ndim)
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    others = tuple(i for i in range(x.ndim) if i != d)
    norm = vector_norm(input, p, dim=others, keepdim=True)
    over = data_of(norm) > maxnorm
    factor = where(over, div(maxnorm, add(norm, 1e-7)), np.ones((), x.dtype))
    return mul(input, factor)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_checks(name: str, x: np.ndarray, q: Any, interpolation: str) -> np.ndarray:
    """The q values as an array of x's dtype, checked as PyTorch checks them."""
    if x.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if not x.size:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if q.dtype != x.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs = q.data
    else:
        qs = np.asarray(q, dtype=x.dtype)
    if qs.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError(f"{name}() q values must be in the range [0, 1], got {qs}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    return qs


def _quantile(
    name: str,
    input: TensorLike,
    q: Any,
    dim: int | None,
    keepdim: bool,
    interpolation: str,
    ignore_nan: bool,
) -> Tensor:
    x = data_of(input)
    qs = _quantile_checks(name, x, q, interpolation)
    t = input if isinstance(input, Tensor) else Tensor(x)
    if dim is None:
        t, d = reshape(t, (-1,)), 0
    else:
        d = check_dim(name, dim, x.ndim)
        if not x.ndim:
            t = reshape(t, (1,))
    t = movedim(t, d, -1)  # the reduced dim last
    values = sort(t, -1)[0]  # NaN last
    n = values.shape[-1]
    nan = np.isnan(data_of(values))
    valid = (n - nan.sum(-1, keepdims=True)) if ignore_nan else np.full((*nan.shape[:-1], 1), n)
    q_col = qs.reshape((-1,) + (1,) * values.ndim)  # (Q, ..., 1)
    ranks = q_col * (valid - 1).astype(x.dtype)  # in x's dtype, as torch rounds them
    if not ignore_nan:  # a row with NaN gives NaN: its last (NaN) element
        ranks = np.where(nan.any(-1, keepdims=True), x.dtype.type(n - 1), ranks)
    ranks = np.where(valid > 0, ranks, x.dtype.type(0))
    if interpolation == "nearest":
        ranks = np.round(ranks)  # half to even, as torch's round
    low = np.floor(ranks).astype(np.int64)
    high = np.ceil(ranks).astype(np.int64)
    if interpolation == "lower":
        high = low
    elif interpolation == "higher":
        low = high
    spread = broadcast_to(values, (*low.shape[:-1], n))
    lo, hi = gather(spread, -1, low), gather(spread, -1, high)
    if interpolation == "midpoint":
        out = lerp(lo, hi, np.asarray(0.5, dtype=x.dtype))
    elif interpolation == "linear":
        out = lerp(lo, hi, Tensor((ranks - low).astype(x.dtype)))
    else:
        out = lo
    out = squeeze(out, -1)
    if ignore_nan and not valid.all():  # rows that are all NaN
        out = where(np.broadcast_to(valid[..., 0] == 0, out.shape), np.nan, out)
    if keepdim:
        if dim is None:
            out = reshape(out, (out.shape[0],) + (1,) * x.ndim)
        elif x.ndim:
            out = unsqueeze(out, d + 1)
    return squeeze(out, 0) if qs.ndim == 0 else out


def quantile(
    input: TensorLike,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The q-th quantiles of `input` along `dim` (of all its elements when None), as
    `torch.quantile`: `q` a number or a 1-d tensor (whose length is then the first dim
    of the result); interpolation between the two nearest sorted values ("linear"),
    or "lower", "higher", "midpoint", "nearest". A slice holding NaN gives NaN.
    Differentiable (the gradient goes to the values interpolated).

    Raises:
        RuntimeError: PyTorch's cases: integer input, empty input, q outside [0, 1],
            of another dtype or with more than one dimension, an unknown interpolation.
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(
    input: TensorLike,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """`quantile` ignoring NaN values (NaN for a slice that holds nothing else), as
    `torch.nanquantile`."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")
_REDUCE_ALIASES = {"max": "amax", "min": "amin"}  # PyTorch takes these too


def scatter_reduce(
    input: TensorLike,
    dim: int,
    index: TensorLike,
    src: TensorLike,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """`input` with the elements of `src` reduced into the entries `index` points at
    along `dim` ("sum", "prod", "mean", "amax", "amin"; `input`'s own value taking part
    unless ``include_self=False``, entries no index reaches kept), as
    `torch.scatter_reduce`. The gradients are torch's: amax and amin share it evenly
    among the elements equal to the result; prod's is first-order only (a second
    derivative raises, as for a ``once_differentiable`` function).

    Raises:
        RuntimeError: an unknown reduction, and `scatter`'s cases (index shape, bounds,
            src of another dtype).
    """
    from autograd.ops.indexing import _on_a_vector, _scatter_parts
    from autograd.ops.shape import index_add

    reduce = _REDUCE_ALIASES.get(reduce, reduce)
    if reduce not in _REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    if data_of(input).ndim == 0:
        return _on_a_vector(
            scatter_reduce, input, dim, index, src, reduce, include_self=include_self
        )
    grid, src = _scatter_parts("scatter_reduce", input, dim, index, src)
    x = data_of(input)
    hits = np.zeros(x.shape, np.int64)
    np.add.at(hits, grid, 1)
    own = (hits == 0) | include_self  # the entries where input's value takes part
    if reduce == "prod":
        return _ScatterProd.apply(input, src, grid, own)
    if reduce in ("sum", "mean"):
        total = add(where(own, input, np.zeros((), x.dtype)), index_add(src, grid, x.shape))
        if reduce == "sum":
            return total
        count = (hits + own).astype(x.dtype)
        if x.dtype.kind == "f":
            return div(total, count)
        from autograd.ops.arith import floor_divide

        return floor_divide(total, count)
    return _extreme(input, src, grid, own, np.maximum if reduce == "amax" else np.minimum)


def _extreme(
    input: TensorLike, src: TensorLike, grid: tuple, own: np.ndarray, ufunc: Any
) -> Tensor:
    """amax or amin: the values by `ufunc.at`, the gradient shared evenly among the
    elements equal to the result, as PyTorch's (which counts input's element there
    even with ``include_self=False``, and then gives it no share)."""
    from autograd.ops.shape import index_add

    x, s = data_of(input), data_of(src)
    result = np.where(own, x, s.max() if ufunc is np.minimum else s.min()).astype(x.dtype)
    if s.size:
        ufunc.at(result, grid, s)
    if x.dtype.kind != "f":
        return Tensor(result)
    self_equal = x == result  # counted even where input takes no part, as PyTorch
    src_equal = s == result[grid]
    count = self_equal.astype(x.dtype)
    np.add.at(count, grid, src_equal)
    shared = add(mul(input, own & self_equal), index_add(mul(src, src_equal), grid, x.shape))
    average = div(shared, np.maximum(count, 1))
    return add(sub(average, average.detach()), result)  # result's values, average's gradient


def _prod_at(values: np.ndarray, grid: tuple, src: np.ndarray, own: np.ndarray) -> np.ndarray:
    out = np.where(own, values, np.ones((), values.dtype))
    np.multiply.at(out, grid, src)
    return out


class _ScatterProd(Function):
    """scatter_reduce(..., "prod"), with PyTorch's gradient (`scatter_reduce_backward`):
    d input = dz * (the product of the others), d src = dz at its target * (the product
    of the others), computed with zeros masked so a single zero still gets its slope."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, src: Tensor, grid: tuple, own: np.ndarray) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(input, src)
        ctx.grid, ctx.own = grid, own
        return Tensor(_prod_at(input.data, grid, src.data, own))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dz: Tensor) -> tuple[Any, Any, None, None]:
        input, src = ctx.saved_tensors
        x, s, g, grid, own = input.data, src.data, dz.data, ctx.grid, ctx.own
        result = _prod_at(x, grid, s, own)
        ones = np.ones((), x.dtype)
        masked_self = np.where(x == 0, ones, x)
        d_input = np.where(own, g * _prod_at(masked_self, grid, s, own) / masked_self, 0)
        src_zero = s == 0
        zeros_there = np.zeros(x.shape, x.dtype)
        np.add.at(zeros_there, grid, src_zero)
        single = src_zero & (zeros_there[grid] == 1)
        masked_src_result = _prod_at(x, grid, np.where(single, ones, s), own)
        d_src = np.where(
            single,
            (g * masked_src_result)[grid],
            (g * result)[grid] / np.where(src_zero, ones, s),
        )
        return Tensor(d_input.astype(x.dtype)), Tensor(d_src.astype(x.dtype)), None, None
