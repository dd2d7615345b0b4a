"""Order statistics, as PyTorch's: `median`, `nanmedian`, `kthvalue`, `mode`, `msort`
and `aminmax`.

Along a dim they return (values, indices) with the values taken at the indices, so the
gradient goes to the element returned (PyTorch's rule). The element returned among
equal ones is the one a stable sort puts at the place asked for, as PyTorch's `median`
chooses; NaN counts as larger than every number (`median` returns the first NaN of a
row that holds one). `median()` and `nanmedian()` of all elements share the gradient
evenly between the elements equal to the result, as PyTorch's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd.function import Function
from autograd.ops.args import DimError, OperandError, check_dim
from autograd.ops.cumulative import amax, amin
from autograd.ops.indexing import gather, sort
from autograd.ops.reduce import ValuesIndices
from autograd.ops.shape import reshape, squeeze
from autograd.tensor import Tensor, data_of

TensorLike = Any


class MedianAll(Function):
    """z = the lower median of all elements (NaN when one is NaN; with `skip_nan`, of the
    numbers only)      dx = dz shared evenly by the elements equal to z (by the NaNs
    when z is NaN), as PyTorch's `median()`"""

    def forward(self, x, skip_nan):
        flat = x.reshape(-1)
        nan = np.isnan(flat) if flat.dtype.kind == "f" else np.zeros(flat.shape, bool)
        if skip_nan:
            flat = flat[~nan]
        if flat.size == 0 and x.dtype.kind != "f":
            raise OperandError(f"an empty {x.dtype} tensor has no median")
        if flat.size == 0:
            z = np.array(np.nan, x.dtype)
        elif not skip_nan and nan.any():
            z = np.array(np.nan, x.dtype)
        else:
            z = np.array(np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])
        mask = np.isnan(x) if np.isnan(z) else x == z
        self.share = mask / max(int(mask.sum()), 1)
        return z

    def backward(self, dz, x):
        return dz * self.share.astype(x.dtype)


class MinMax(NamedTuple):
    """What `aminmax` returns, as `torch.aminmax`: the minimum and the maximum."""

    min: Tensor
    max: Tensor


def _numbers(name: str, input: TensorLike) -> np.ndarray:
    """`input`'s data, refusing bool as PyTorch's sorting kernels do."""
    data = data_of(input)
    if data.dtype == np.bool_:
        raise NotImplementedError(f"{name}: not implemented for bool tensors")
    return data


def _nonempty(name: str, data: np.ndarray, axis: int) -> None:
    if data.shape[axis] == 0:
        raise DimError(f"{name}(): expected reduction dim {axis} to have non-zero size")


def _at_sorted_place(
    name: str, input: TensorLike, dim: int, keepdim: bool, place: Any
) -> ValuesIndices:
    """(values, indices) of the element a stable sort along `dim` puts at `place(length
    along dim, NaN count)` (an index array, broadcast to the keepdim shape): NaN sorts
    last."""
    data = data_of(input)
    if data.ndim == 0:  # as the 1-element vector
        check_dim(name, dim, 0)
        values, indices = _at_sorted_place(name, reshape(input, (1,)), 0, False, place)
        return ValuesIndices(reshape(values, ()), Tensor._make(indices.data.reshape(())))
    axis = check_dim(name, dim, data.ndim)
    _nonempty(name, data, axis)
    order = np.argsort(data, axis=axis, kind="stable")
    nans = np.isnan(data).sum(axis=axis, keepdims=True) if data.dtype.kind == "f" else 0
    where = np.broadcast_to(
        place(data.shape[axis], nans), (*data.shape[:axis], 1, *data.shape[axis + 1 :])
    )
    indices = Tensor._make(np.take_along_axis(order, where, axis).astype(np.int64))
    values = gather(input, axis, indices)
    if not keepdim:
        values, indices = squeeze(values, axis), Tensor._make(indices.data.squeeze(axis))
    return ValuesIndices(values, indices)


def median(input: TensorLike, dim: int | None = None, keepdim: bool = False) -> Any:
    """As `torch.median`: without `dim`, the lower median of all elements (a Tensor; NaN
    when one is NaN); with `dim`, (values, indices) along it.

    Raises:
        IndexError: `dim` out of range, or of length 0.
        NotImplementedError: a bool input (PyTorch's error, a RuntimeError).
    """
    if dim is None:
        return MedianAll.apply(_no_bool("median", input), skip_nan=False)
    _numbers("median", input)

    def place(n: int, nans: Any) -> Any:  # the first NaN, else the lower middle
        return np.where(nans > 0, n - nans, (n - 1) // 2)

    return _at_sorted_place("median", input, dim, keepdim, place)


def nanmedian(input: TensorLike, dim: int | None = None, keepdim: bool = False) -> Any:
    """`median` of the elements that are not NaN (NaN where all are), as
    `torch.nanmedian`.

    Raises:
        IndexError: `dim` out of range, or of length 0.
        NotImplementedError: a bool input.
    """
    if dim is None:
        return MedianAll.apply(_no_bool("nanmedian", input), skip_nan=True)
    _numbers("nanmedian", input)

    def place(n: int, nans: Any) -> Any:  # the lower middle of the numbers
        return np.maximum((n - nans - 1) // 2, 0)

    return _at_sorted_place("nanmedian", input, dim, keepdim, place)


def _no_bool(name: str, input: TensorLike) -> TensorLike:
    _numbers(name, input)
    return input


def kthvalue(input: TensorLike, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """(values, indices) of the `k`-th smallest element (from 1) along `dim`, as
    `torch.kthvalue`; NaN sorts above every number. Among equal values the index is the
    one a stable sort puts k-th (torch's quickselect may report another of them).

    Raises:
        IndexError: `dim` out of range.
        RuntimeError: `k` outside [1, size of dim].
        NotImplementedError: a bool input.
    """
    data = _numbers("kthvalue", input)
    size = data.shape[check_dim("kthvalue", dim, data.ndim)] if data.ndim else 1
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"kthvalue(): k must be an int, got {k!r}")
    if not 1 <= k <= size:
        raise RuntimeError(
            f"kthvalue(): selected number k={k} out of range for dimension {dim} of size {size}"
        )
    return _at_sorted_place("kthvalue", input, dim, keepdim, lambda n, nans: np.array(k - 1))


def mode(input: TensorLike, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """(values, indices): the most frequent value along `dim` (the smallest of equally
    frequent ones) and the last place it occurs, as `torch.Tensor.mode` (each NaN counts
    once). Torch reports that place too for up to 16 elements without NaN; past that its
    unstable sort may report another place of the value.

    Raises:
        IndexError: `dim` out of range, or of length 0.
    """

    def place(n: int, nans: Any) -> Any:
        return np.zeros((), np.int64)

    data = data_of(input)
    if data.ndim == 0:
        return _at_sorted_place("mode", input, dim, keepdim, place)
    axis = check_dim("mode", dim, data.ndim)
    _nonempty("mode", data, axis)
    moved = np.moveaxis(data, axis, -1)
    order = np.argsort(moved, axis=-1, kind="stable")
    ordered = np.take_along_axis(moved, order, -1)
    n = ordered.shape[-1]
    position = np.arange(n)
    starts = np.ones(ordered.shape, bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    ends = np.ones(ordered.shape, bool)
    ends[..., :-1] = starts[..., 1:]
    run = position - np.maximum.accumulate(np.where(starts, position, 0), axis=-1) + 1
    best = np.argmax(np.where(ends, run, 0), axis=-1)[..., None]  # the first longest run
    indices = np.moveaxis(np.take_along_axis(order, best, -1), -1, axis).astype(np.int64)
    index = Tensor._make(indices)
    values = gather(input, axis, index)
    if not keepdim:
        values, index = squeeze(values, axis), Tensor._make(indices.squeeze(axis))
    return ValuesIndices(values, index)


def msort(input: TensorLike) -> Tensor:
    """`input` sorted along its first dim (the values of ``sort(input, 0)``), as
    `torch.msort`; the gradient goes back to where each value came from."""
    return sort(input, 0).values


def aminmax(input: TensorLike, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
    """(min, max) over `dim` (of all elements when None), as `torch.aminmax`; ties share
    the gradient evenly, as `amin` and `amax`.

    Raises:
        IndexError: `dim` out of range, or of length 0.
        RuntimeError: no elements, without `dim`.
        TypeError: `dim` not an int.
    """
    data = data_of(input)
    if dim is None:
        if data.size == 0:
            raise OperandError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity"
            )
        return MinMax(amin(input, (), keepdim), amax(input, (), keepdim))
    axis = check_dim("aminmax", dim, data.ndim)
    if data.ndim == 0:
        return MinMax(amin(input, (), keepdim), amax(input, (), keepdim))
    _nonempty("aminmax", data, axis)
    return MinMax(amin(input, axis, keepdim), amax(input, axis, keepdim))
