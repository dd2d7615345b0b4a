"""Running sums and products, as PyTorch names them: `cumsum`, `prod`, `amax`, `amin`.

`prod` takes numpy's `axis`/`keepdims` or PyTorch's `dim`/`keepdim`, as every
reduction does (`autograd.ops.args`); its gradient at zeros is PyTorch's (the product
of the other elements, exact with any number of zeros, second derivatives included).
`amax`/`amin` are `Max`/`Min`: ties share the gradient evenly, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.function import Function
from autograd.ops.args import axis_arg, check_dim, keepdims_arg
from autograd.ops.arith import astype
from autograd.ops.reduce import Max, Min, _Reduction
from autograd.tensor import Tensor, data_of

TensorLike = Any


class Cumsum(Function):
    """z_i = x_0 + ... + x_i along axis      dx_i = dz_i + ... + dz_n-1 (dz summed from
    the end: flipped, summed, flipped back)"""

    saves_inputs = False

    def forward(self, x, axis):
        self.axis = axis
        return np.cumsum(x, axis=axis) if x.ndim else x.copy()

    def backward(self, dz, x):
        if x.ndim == 0:
            return dz
        xp, axis = self.xp, self.axis
        return xp.flip(xp.cumsum(xp.flip(dz, (axis,)), axis), (axis,))


class Prod(_Reduction):
    """z = prod(x, axis)      dx_i = dz * (product of the other elements) = dz * z / x_i
    where no reduced element is 0. With zeros the products of the others are computed
    directly (PyTorch's gradient): nonzero only at a row's single zero."""

    def forward(self, x, axis, keepdims):
        return np.prod(x, axis=self.setup(x, axis, keepdims), keepdims=keepdims)

    def backward(self, dz, x):
        dz = self.expand(dz, x.shape)
        if not (np.asarray(x) == 0).any():
            return dz * self.expand(self.output, x.shape) / x
        if isinstance(x, Tensor):
            return dz * _others_by_copies(x, self.axes)
        return dz * _others_by_scans(x, self.axes)


def _flattened(x: Any, axes: tuple[int, ...]) -> tuple[Any, tuple[int, ...], tuple[int, ...]]:
    """x with the reduced `axes` moved to the end and joined into one; the permutation
    and the permuted shape, to undo it."""
    kept = tuple(a for a in range(x.ndim) if a not in axes)
    perm = kept + axes
    moved = x.transpose(perm)
    lead = tuple(x.shape[a] for a in kept)
    return moved.reshape((*lead, -1)), perm, moved.shape


def _unflattened(y: Any, perm: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    return y.reshape(shape).transpose(tuple(int(i) for i in np.argsort(perm)))


def _others_by_scans(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """For each element, the product of the other elements over `axes`: the product of
    those before it times the product of those after it (two running products), exact
    whatever the zeros."""
    if x.size == 0:
        return np.zeros_like(x)
    flat, perm, shape = _flattened(x, axes)
    ones = np.ones((*flat.shape[:-1], 1), dtype=x.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return _unflattened(before * after, perm, shape)


def _others_by_copies(x: Tensor, axes: tuple[int, ...]) -> Tensor:
    """`_others_by_scans` as a differentiable graph (backward with `create_graph=True`):
    n copies of each reduced row, copy i with element i replaced by 1, multiplied out.
    Taken only where a row holds a zero, so the n x n copies stay rare."""
    from autograd.ops.arith import where
    from autograd.ops.shape import broadcast_to, expand_dims

    flat, perm, shape = _flattened(x, axes)
    n = flat.shape[-1]
    copies = broadcast_to(expand_dims(flat, -2), (*flat.shape[:-1], n, n))
    others = Prod.apply(where(np.eye(n, dtype=bool), 1.0, copies), axis=-1, keepdims=False)
    return _unflattened(others, perm, shape)


def _in_dtype(input: TensorLike, dtype: npt.DTypeLike | None) -> TensorLike:
    """`input` in `dtype` (a conversion in the graph between floats), or in int64 when it
    is bool or integer and no dtype is given: PyTorch's result dtypes of sums and
    products."""
    data = data_of(input)
    if dtype is None:
        dtype = np.int64 if data.dtype.kind in "biu" else data.dtype
    return input if data.dtype == dtype else astype(input, dtype)


def cumsum(
    input: TensorLike,
    dim: int | None = None,
    *,
    axis: int | None = None,
    dtype: npt.DTypeLike | None = None,
) -> Tensor:
    """Running sums along `dim` (or numpy's `axis`), as `torch.cumsum` (int64 for bool
    and integer inputs).

    Raises:
        IndexError: `dim` out of range.
        TypeError: neither `dim` nor `axis` given, or both.
    """
    dim = axis_arg("cumsum", axis, dim)
    if dim is None:
        raise TypeError("cumsum: give the dim to sum along, e.g. cumsum(x, dim=0)")
    axis = check_dim("cumsum", dim, data_of(input).ndim)
    return Cumsum.apply(_in_dtype(input, dtype), axis=axis)


def prod(
    input: TensorLike,
    axis: Any = None,
    keepdims: bool | None = None,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
    dtype: npt.DTypeLike | None = None,
) -> Tensor:
    """The product over `axis` (or PyTorch's `dim`), of all elements when None, as
    `torch.prod` (int64 for bool and integer inputs); the gradient at zeros is PyTorch's."""
    axis = axis_arg("prod", axis, dim)
    keep = keepdims_arg("prod", keepdims, keepdim)
    return Prod.apply(_in_dtype(input, dtype), axis=axis, keepdims=keep)


def _extreme(op: type[Max], input: TensorLike, dim: Any, keepdim: bool) -> Tensor:
    axis = None if dim is None or (isinstance(dim, tuple | list) and not dim) else dim
    return op.apply(input, axis=axis, keepdims=bool(keepdim))


def amax(input: TensorLike, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The maximum over `dim` (an int or a tuple; all dims when empty), as `torch.amax`:
    values only, and ties share the gradient evenly (unlike `max(dim=...)`'s index)."""
    return _extreme(Max, input, dim, keepdim)


def amin(input: TensorLike, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The minimum over `dim`, as `torch.amin`; see `amax`."""
    return _extreme(Min, input, dim, keepdim)
