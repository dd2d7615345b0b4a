"""Tests of values, as PyTorch's: `isnan`, `isinf`, `logical_and`, `logical_or`,
`logical_not`, `nonzero`, `count_nonzero`, and the comparisons as module functions
(`eq ne lt le gt ge`, ``torch.eq(y_true, y_pred)``).

Each gives a bool or int64 Tensor outside any graph (they have no gradient), from
Tensors, arrays or numbers alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.args import check_dims, numpy_axis
from autograd.tensor import Tensor, data_of

TensorLike = Any


def isnan(input: TensorLike) -> Tensor:
    """True where `input` is NaN, as `torch.isnan`."""
    return Tensor._make(np.asarray(np.isnan(data_of(input))))


def isinf(input: TensorLike) -> Tensor:
    """True where `input` is +inf or -inf, as `torch.isinf`."""
    return Tensor._make(np.asarray(np.isinf(data_of(input))))


def logical_not(input: TensorLike) -> Tensor:
    """True where `input` is zero (False), as `torch.logical_not`."""
    return Tensor._make(np.asarray(np.logical_not(data_of(input))))


def logical_and(input: TensorLike, other: TensorLike) -> Tensor:
    """True where both are nonzero (broadcast), as `torch.logical_and`."""
    return Tensor._make(np.asarray(np.logical_and(data_of(input), data_of(other))))


def logical_or(input: TensorLike, other: TensorLike) -> Tensor:
    """True where either is nonzero (broadcast), as `torch.logical_or`."""
    return Tensor._make(np.asarray(np.logical_or(data_of(input), data_of(other))))


def nonzero(input: TensorLike, *, as_tuple: bool = False) -> Any:
    """Where `input` is nonzero, as `torch.nonzero`: an int64 Tensor of shape (n, ndim),
    one row per nonzero element in row-major order; with ``as_tuple=True`` one int64
    vector per dimension (numpy's `nonzero`; a 0-d input counts as a vector)."""
    data = data_of(input)
    found = np.nonzero(np.atleast_1d(data))
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in found)
    if data.ndim == 0:
        return Tensor._make(np.zeros((len(found[0]), 0), dtype=np.int64))
    return Tensor._make(np.stack(found, axis=1).astype(np.int64))


def count_nonzero(input: TensorLike, dim: Any = None) -> Tensor:
    """The number of nonzero elements along `dim` (an int or a tuple; all when None),
    as `torch.count_nonzero`: an int64 Tensor."""
    data = data_of(input)
    axis = numpy_axis(check_dims("count_nonzero", dim, np.ndim(data)), np.ndim(data))
    return Tensor._make(np.asarray(np.count_nonzero(data, axis=axis), dtype=np.int64))
