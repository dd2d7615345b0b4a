"""PyTorch's `unique` and `bucketize`: the distinct values of a tensor, and the bucket
of each value among sorted boundaries. Both give Tensors outside any graph (int64
indices and counts; `unique`'s values in the input's dtype)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor import Tensor, data_of

TensorLike = Any


def unique(
    input: TensorLike,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values of `input` in ascending order, as `torch.unique` (sorted
    whatever `sorted` says, as torch's CPU kernel); with `dim`, the distinct slices
    along it. With `return_inverse` / `return_counts`, a tuple that adds each element's
    index into the values and / or each value's count (int64)."""
    data = data_of(input)
    values, inverse, counts = np.unique(
        data, return_inverse=True, return_counts=True, axis=dim, equal_nan=False
    )
    inverse = inverse.reshape(data.shape if dim is None else -1)
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(Tensor._make(inverse.astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bucketize(
    input: TensorLike, boundaries: TensorLike, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The index of each value's bucket among the ascending 1-d `boundaries`, as
    `torch.bucketize`: i with ``boundaries[i-1] < x <= boundaries[i]``, or with
    ``right=True`` ``boundaries[i-1] <= x < boundaries[i]`` (int64, int32 if asked).

    Raises:
        RuntimeError: `boundaries` is not 1-d (PyTorch's error).
    """
    edges = data_of(boundaries)
    if edges.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({edges.ndim})")
    found = np.searchsorted(edges, data_of(input), side="right" if right else "left")
    return Tensor._make(np.asarray(found, dtype=np.int32 if out_int32 else np.int64))
