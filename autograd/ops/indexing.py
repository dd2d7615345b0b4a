"""Indexing along one dimension, as PyTorch's: `gather`, `scatter`, `scatter_add`,
`index_select`, `index_add`, `index_put`, and sorting (`sort`, `argsort`, `topk`).

`gather`, `index_select` and the values of `sort` and `topk` are indexing (`GetItem`),
so their gradients are added back at the indices (repeated indices accumulate);
`scatter_add` and `index_add` add `src` into zeros (`IndexAdd`). Only `scatter`, which overwrites,
is an op of its own. Indices are int64 Tensors outside the graph, as PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.args import check_dim
from autograd.ops.reduce import ValuesIndices
from autograd.ops.shape import SetItem, broadcast_to, getitem, reshape
from autograd.ops.shape import index_add as add_at
from autograd.tensor import Tensor, data_of

TensorLike = Any


class Scatter(SetItem):
    """z = x with src written at index along dim (on repeated indices the last write
    wins)      dx = dz, 0 where written      dsrc = dz at index (for every element of
    src, overwritten or not, as PyTorch): `SetItem`'s rule, written into a copy of x"""

    def forward(self, x, src, index):
        return super().forward(x.copy(), src, index)


def _index(name: str, index: TensorLike) -> np.ndarray:
    idx = data_of(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): expected an integer index tensor, got dtype {idx.dtype}")
    return idx


def _check_bounds(name: str, idx: np.ndarray, size: int, dim: int) -> None:
    """PyTorch takes no negative indices here: each must be in [0, size)."""
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(
            f"{name}(): index {bad} is out of bounds for dimension {dim} with size {size}"
        )


def _grid(idx: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The advanced index of `x[...]` that takes, for each element of `idx`, the entry
    `idx` along `dim` and the element's own position along every other axis."""
    grid: list[np.ndarray] = list(np.indices(idx.shape, sparse=True))
    grid[dim] = idx
    return tuple(grid)


def _ndim(a: np.ndarray) -> int:
    """The number of dimensions PyTorch's scatter and gather see: 1 for a 0-d tensor."""
    return a.ndim or 1


def _check_shapes(
    name: str, x: np.ndarray, dim: int, idx: np.ndarray, src: np.ndarray | None = None
) -> None:
    """PyTorch's rules: index has x's number of dimensions, is no larger than x apart
    from `dim`, and no larger than `src` anywhere; a 0-d tensor counts as a 1-element
    vector."""
    if _ndim(idx) != _ndim(x) or (src is not None and _ndim(src) != _ndim(x)):
        got = "" if src is None else f" and src {src.shape}"
        raise RuntimeError(
            f"{name}(): index {idx.shape}{got} must have the same number of dimensions as "
            f"input {x.shape}"
        )
    shape, x_shape = idx.shape or (1,), x.shape or (1,)
    too_large = any(i > n for d, (i, n) in enumerate(zip(shape, x_shape)) if d != dim)
    if too_large or (src is not None and any(i > n for i, n in zip(shape, src.shape or (1,)))):
        against = "" if src is None else f" and no larger than src {list(src.shape)}"
        raise RuntimeError(
            f"{name}(): expected index {list(idx.shape)} to be no larger than input "
            f"{list(x.shape)} apart from dimension {dim}{against}"
        )


def gather(input: TensorLike, dim: int, index: TensorLike) -> Tensor:
    """out[i][j] = input[index[i][j]][j] (for dim 0; alike for any dim), as
    `torch.gather`; the gradient is added back at the indices.

    Raises:
        IndexError: `dim` out of range.
        RuntimeError: an index that is not an integer tensor, of another number of
            dimensions, larger than `input` apart from `dim`, or out of bounds.
    """
    x, idx = data_of(input), _index("gather", index)
    if x.ndim == 0:  # as a 1-element vector
        check_dim("gather", dim, 0)
        _check_bounds("gather", idx, 1, 0)
        return reshape(getitem(reshape(input, 1), idx.reshape(-1)), idx.shape)
    if idx.ndim == 0 and x.ndim == 1:  # as PyTorch: `x.gather(0, torch.tensor(2))`
        return reshape(gather(input, dim, idx.reshape(1)), ())
    d = check_dim("gather", dim, x.ndim)
    _check_shapes("gather", x, d, idx)
    _check_bounds("gather", idx, x.shape[d], d)
    return getitem(input, _grid(idx, d))


def _scatter_parts(
    name: str, input: TensorLike, dim: int, index: TensorLike, src: Any
) -> tuple[tuple[np.ndarray, ...], Any]:
    """The grid where `src` goes, and `src` cut to `index`'s shape (a Tensor op when
    it is a Tensor; a number stays a number). A 0-d index or src counts as a 1-element
    vector, as in PyTorch (`zeros(10).scatter_(0, tensor(y), value=1)`); `input` has at
    least one dimension (`_on_a_vector` sees to it)."""
    x, idx = data_of(input), _index(name, index)
    d = check_dim(name, dim, x.ndim)
    number = isinstance(src, int | float | np.number)
    source = None if number else data_of(src)
    _check_shapes(name, x, d, idx, source)
    idx = idx.reshape(1) if idx.ndim == 0 else idx
    if source is not None and source.ndim == 0:
        src, source = reshape(src, (1,)), source.reshape(1)
    _check_bounds(name, idx, x.shape[d], d)
    if source is not None and source.dtype != x.dtype:
        raise RuntimeError(
            f"{name}(): expected input's dtype {x.dtype} to be equal to src's dtype {source.dtype}"
        )
    if source is not None and source.shape != idx.shape:
        src = getitem(src, tuple(slice(0, n) for n in idx.shape))
    return _grid(idx, d), src


def _on_a_vector(op: Any, input: TensorLike, dim: int, *args: Any, **kwargs: Any) -> Tensor:
    """`op` on a 0-d `input` as PyTorch runs it: on the 1-element vector, the result
    back to 0-d (so `dim` is 0 or -1)."""
    check_dim(op.__name__, dim, 0)
    return reshape(op(reshape(input, (1,)), dim, *args, **kwargs), ())


def scatter(
    input: TensorLike, dim: int, index: TensorLike, src: Any = None, *, value: Any = None
) -> Tensor:
    """`input` with `src[i][j]` written at `[index[i][j]][j]` (for dim 0), or the number
    `value` at every index, as `torch.scatter` (out of place). On repeated indices the
    last write wins; every element of `src` gets its target's gradient, as in PyTorch.

    Raises:
        IndexError: `dim` out of range.
        RuntimeError: PyTorch's cases (see `gather`), or src of another dtype.
        TypeError: neither or both of `src` and `value`.
    """
    if (src is None) == (value is None):
        raise TypeError("scatter(): give one of src (a tensor or a number) and value")
    if data_of(input).ndim == 0:
        return _on_a_vector(scatter, input, dim, index, src, value=value)
    where, src = _scatter_parts("scatter", input, dim, index, src if value is None else value)
    return Scatter.apply(input, src, index=where)


def scatter_add(input: TensorLike, dim: int, index: TensorLike, src: TensorLike) -> Tensor:
    """`input` with `src[i][j]` added at `[index[i][j]][j]` (for dim 0), repeated indices
    accumulating, as `torch.scatter_add`: input + (zeros with src added at the indices)."""
    if data_of(input).ndim == 0:
        return _on_a_vector(scatter_add, input, dim, index, src)
    where, src = _scatter_parts("scatter_add", input, dim, index, src)
    return input + add_at(src, where, data_of(input).shape)


def index_select(input: TensorLike, dim: int, index: TensorLike) -> Tensor:
    """The entries `index` (a vector) along `dim`, as `torch.index_select`: a copy,
    repeated indices accumulating their gradients.

    Raises:
        IndexError: `dim` out of range, or an index that is not a vector.
        RuntimeError: an index out of bounds.
    """
    x, idx = data_of(input), _index("index_select", index)
    if idx.ndim > 1:
        raise IndexError(f"index_select(): index must be a vector, got shape {idx.shape}")
    if x.ndim == 0:
        check_dim("index_select", dim, 0)
        _check_bounds("index_select", idx, 1, 0)
        return reshape(getitem(reshape(input, 1), idx.reshape(-1)), ())
    d = check_dim("index_select", dim, x.ndim)
    _check_bounds("index_select", idx, x.shape[d], d)
    return getitem(input, (slice(None),) * d + (idx.reshape(-1),))


def index_add(
    input: TensorLike, dim: int, index: TensorLike, source: TensorLike, *, alpha: Any = 1
) -> Tensor:
    """`input` with ``alpha * source[i]`` added at entry ``index[i]`` along `dim` (for
    dim 0: ``out[index[i]] += alpha * source[i]``), repeated indices accumulating, as
    `torch.index_add` (out of place): input + (zeros with source added at the indices).
    d input = d out      d source = alpha * (d out at the indices)

    Raises:
        IndexError: `dim` out of range, or an index that is not a vector.
        RuntimeError: an index out of bounds, `source` of another shape than `input`
            with `len(index)` along `dim`, or of another dtype.
    """
    x, idx, src = data_of(input), _index("index_add", index), data_of(source)
    if idx.ndim > 1:
        raise IndexError(f"index_add(): index must be a vector, got shape {idx.shape}")
    idx = idx.reshape(-1)
    if x.ndim == 0:  # as a 1-element vector, with a 0-d source
        check_dim("index_add", dim, 0)
        _check_bounds("index_add", idx, 1, 0)
        one = reshape(source, (1,)) if src.ndim == 0 else source
        return reshape(index_add(reshape(input, (1,)), 0, idx, one, alpha=alpha), ())
    d = check_dim("index_add", dim, x.ndim)
    expected = (*x.shape[:d], len(idx), *x.shape[d + 1 :])
    if src.shape != expected:
        raise RuntimeError(
            f"index_add(): source must have shape {list(expected)} (input's, with the "
            f"index's length {len(idx)} along dim {d}), got {list(src.shape)}"
        )
    if src.dtype != x.dtype:
        raise RuntimeError(
            f"index_add(): expected source's dtype {src.dtype} to be equal to input's "
            f"dtype {x.dtype}"
        )
    _check_bounds("index_add", idx, x.shape[d], d)
    scaled = source if alpha == 1 else source * alpha
    return input + add_at(scaled, (slice(None),) * d + (idx,), x.shape)


#: PyTorch's names of the dtypes, for its messages.
_TORCH_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
                "bool": "Bool"}  # fmt: skip


def index_put(
    input: TensorLike,
    indices: Any,
    values: TensorLike,
    accumulate: bool = False,
    *,
    _name: str = "index_put",
) -> Tensor:
    """`input` with `values` written at ``input[indices]`` (one index tensor per leading
    dim, as `torch.index_put`, out of place); with `accumulate`, added there instead,
    repeated indices accumulating (``dC.index_put_((Xb.view(-1),), demb.view(-1, 10),
    accumulate=True)`` sums each row's gradients).
    d input = dz (zero where written, unless accumulate)      d values = dz at the indices

    Raises:
        TypeError: `indices` not a tuple (or list) of tensors, `values` not a tensor.
        IndexError: an index that is not of integers or bools, out of bounds, or more
            indices than dims.
        RuntimeError: `values` of another dtype, or that does not broadcast to the
            indexed elements.
    """
    if not isinstance(indices, tuple | list):
        raise TypeError(
            f"{_name}(): argument 'indices' (position 1) must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    if not isinstance(values, Tensor):
        raise TypeError(
            f"{_name}(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}"
        )
    x, v = data_of(input), values.data
    key = tuple(data_of(i) for i in indices)
    if any(k.dtype.kind not in "iub" for k in key):
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if len(key) > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got {len(key)})")
    for dim, k in enumerate(key):
        if (
            k.dtype.kind != "b"
            and k.size
            and not -x.shape[dim] <= k.min() <= k.max() < x.shape[dim]
        ):
            bad = k.min() if k.min() < -x.shape[dim] else k.max()
            raise IndexError(
                f"index {bad} is out of bounds for dimension {dim} with size {x.shape[dim]}"
            )
    if v.dtype != x.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_TORCH_NAMES.get(x.dtype.name, x.dtype.name)} for the destination and "
            f"{_TORCH_NAMES.get(v.dtype.name, v.dtype.name)} for the source."
        )
    shape = x[key].shape
    try:
        np.broadcast_shapes(v.shape, shape)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
            f"indexing result of shape {list(shape)}"
        ) from None
    if accumulate:
        return input + add_at(broadcast_to(values, shape), key, x.shape)
    return Scatter.apply(input, values, index=key)


def _order(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sorting order along `dim`. Descending: the stable ascending order of the
    reversed array, reversed, so equal elements keep their order and NaN comes first
    (PyTorch puts NaN above every number)."""
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    order = np.flip(np.argsort(np.flip(x, dim), axis=dim, kind="stable"), dim)
    return x.shape[dim] - 1 - order


def _as_indices(order: np.ndarray) -> Tensor:
    return Tensor._make(np.array(order, dtype=np.int64, order="C"))


def argsort(
    input: TensorLike, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    """The order that sorts `input` along `dim`, as `torch.argsort`: an int64 Tensor
    outside the graph. Always stable (equal elements keep their order)."""
    x = data_of(input)
    if x.ndim == 0:
        check_dim("argsort", dim, 0)
        return _as_indices(np.zeros((), np.int64))
    return _as_indices(_order(x, check_dim("argsort", dim, x.ndim), descending))


def sort(
    input: TensorLike, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> ValuesIndices:
    """(values, indices): `input` sorted along `dim` and where each value came from, as
    `torch.sort`; always stable. The values' gradient goes back to where they came from."""
    indices = argsort(input, dim, descending, stable=stable)
    return ValuesIndices(gather(input, dim, indices), indices)


def topk(
    input: TensorLike, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> ValuesIndices:
    """(values, indices) of the `k` largest (or smallest) entries along `dim`, as
    `torch.topk`; always in sorted order (PyTorch leaves the order unspecified with
    ``sorted=False``), ties in their order in `input`.

    Raises:
        RuntimeError: k outside [0, size of dim].
    """
    x = data_of(input)
    d = check_dim("topk", dim, x.ndim)
    size = x.shape[d] if x.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk(): selected index k={k} out of range for dimension size {size}")
    order = argsort(input, d, descending=largest).data
    if x.ndim:
        order = order[(slice(None),) * d + (slice(0, k),)]
    indices = _as_indices(order)
    return ValuesIndices(gather(input, d, indices), indices)
