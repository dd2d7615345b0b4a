"""Ops along one dim, as PyTorch's: `select`, `diff`, `repeat_interleave`.

All three are indexing and subtraction (`GetItem`, `Sub`), so their gradients come
from those ops: `select` is a view, and the repeated entries of `repeat_interleave`
add their gradients up.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.args import check_dim
from autograd.ops.shape import cat, getitem, reshape
from autograd.tensor import Tensor, data_of

TensorLike = Any


def select(input: TensorLike, dim: int, index: int) -> Tensor:
    """The slice at `index` along `dim`, that dim removed (a view), as `torch.select`;
    a negative index counts from the end.

    Raises:
        IndexError: a 0-d input, `dim` out of range, or `index` out of range.
    """
    shape = data_of(input).shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor")
    d = check_dim("select", dim, len(shape))
    if not -shape[d] <= index < shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(shape)} at "
            f"dimension {d}"
        )
    return getitem(input, (slice(None),) * d + (int(index),))


def _along(d: int, part: Any) -> tuple[Any, ...]:
    """The index of `part` along dim `d` (every element along the dims before it)."""
    return (slice(None),) * d + (part,)


def diff(
    input: TensorLike,
    n: int = 1,
    dim: int = -1,
    prepend: TensorLike = None,
    append: TensorLike = None,
) -> Tensor:
    """The `n`-th forward difference along `dim` (``x[1:] - x[:-1]``, `n` times), after
    joining `prepend` and `append` to `input` along it, as `torch.diff`; for bool
    inputs, where neighbours differ (``x[1:] != x[:-1]``).

    Raises:
        IndexError: `dim` out of range.
        RuntimeError: a 0-d input, a negative `n`, or `prepend`/`append` of another
            number of dimensions.
    """
    ndim = data_of(input).ndim
    if ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"diff: order must be non-negative but got {n}")
    d = check_dim("diff", dim, ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    if any(data_of(p).ndim != ndim for p in parts):
        raise RuntimeError(
            f"diff expects prepend or append to be the same dimension as input ({ndim} dimensions)"
        )
    out = cat(parts, d) if len(parts) > 1 else input
    for _ in range(min(n, data_of(out).shape[d] + 1)):
        if data_of(out).dtype == np.bool_:
            a = data_of(out)
            out = Tensor._make(a[_along(d, slice(1, None))] != a[_along(d, slice(None, -1))])
        else:
            out = getitem(out, _along(d, slice(1, None))) - getitem(out, _along(d, slice(None, -1)))
    return out if out is not input else _copy(input)


def _copy(input: TensorLike) -> Tensor:
    """A copy of `input` in the graph (its gradient passes unchanged), as ``diff(x, 0)``."""
    data = data_of(input)
    if data.dtype.kind != "f":
        return Tensor._make(data.copy())
    return input * np.ones((), data.dtype)


def _repeats(repeats: Any, size: int) -> np.ndarray:
    """`repeats` (an int or an integer tensor of one or `size` entries) as `size` counts.

    Raises:
        RuntimeError: a negative count, or a tensor of another length.
        NotImplementedError: a tensor that is not integer (PyTorch's error).
    """
    if isinstance(repeats, int | np.integer) and not isinstance(repeats, bool):
        if repeats < 0:
            raise RuntimeError(f"repeat_interleave: Repeats must be non-negative, got {repeats}")
        return np.full(size, int(repeats))
    counts = data_of(repeats)
    if counts.dtype.kind not in "iu":
        raise NotImplementedError(
            f"repeat_interleave: repeats must be an int or an integer tensor, got dtype "
            f"{counts.dtype}"
        )
    if counts.ndim > 1:
        raise RuntimeError(f"repeat_interleave: repeats must be 0-d or 1-d, got {counts.shape}")
    counts = counts.reshape(-1)
    if counts.size == 1:
        counts = np.repeat(counts, size)
    if counts.size != size:
        raise RuntimeError(
            "repeat_interleave: repeats must have the same size as input along dim, but got "
            f"repeats.size(0) = {counts.size} and input.size = {size}"
        )
    if (counts < 0).any():
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    return counts


def repeat_interleave(
    input: TensorLike, repeats: Any = None, dim: int | None = None, *, output_size: Any = None
) -> Tensor:
    """Each entry along `dim` repeated `repeats` times (an int, or one count per entry),
    of the flattened input when `dim` is None, as `torch.repeat_interleave`; the copies'
    gradients add up. ``repeat_interleave(counts)`` alone gives ``0, 1, 2...`` each
    repeated its count (an int64 Tensor).

    Raises:
        IndexError: `dim` out of range.
        RuntimeError: negative repeats, or as many as the entries along `dim`.
    """
    if repeats is None:
        counts = _repeats(input, data_of(input).size)
        return Tensor._make(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    if dim is None:
        input, d = reshape(input, -1), 0
    else:
        d = check_dim("repeat_interleave", dim, data_of(input).ndim)
    if data_of(input).ndim == 0:
        return repeat_interleave(reshape(input, (1,)), repeats, 0)
    size = data_of(input).shape[d]
    index = np.repeat(np.arange(size), _repeats(repeats, size))
    if output_size is not None and output_size != index.size:
        raise RuntimeError(
            f"repeat_interleave: output_size {output_size} is not the {index.size} repeats"
        )
    return getitem(input, _along(d, index))
