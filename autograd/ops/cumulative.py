"""Running sums and products, as PyTorch names them: `cumsum`, `prod`, `amax`, `amin`,
and the running ops `cumprod`, `logcumsumexp`, `cummax`, `cummin`.

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
from autograd.ops.indexing import gather
from autograd.ops.reduce import Max, Min, ValuesIndices, _Reduction
from autograd.ops.shape import reshape
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


def _reverse_cumsum(xp: Any, v: Any, axis: int) -> Any:
    """Sums from each element to the end along `axis` (arrays, or Tensors in a graph)."""
    return xp.flip(xp.cumsum(xp.flip(v, (axis,)), axis), (axis,))


class Cumprod(Function):
    """z_i = x_0 * ... * x_i along axis
    dx_i = sum over j >= i of dz_j * (product of x_0..x_j but x_i): see `_cumprod_grad`,
    exact where elements are 0, second derivatives included."""

    def forward(self, x, axis):
        self.axis = axis
        return np.cumprod(x, axis=axis) if x.ndim else x.copy()

    def backward(self, dz, x):
        if x.ndim == 0:
            return dz
        return _cumprod_grad(self.xp, dz, x, self.axis, self.output)


def _cumprod_grad(xp: Any, dz: Any, x: Any, axis: int, z: Any) -> Any:
    """The gradient of z = cumprod(x) along `axis` (arrays, or Tensors in a graph).

    Where a row has no zero, reverse_cumsum(dz * z)_i / x_i. Before the row's first zero
    the same (z_j is 0 from the zero on); at the first zero, the sums of dz_j times the
    running products with that zero taken as 1; after it, that zero times the gradient
    of those running products (0 in value, but its derivative is the second
    derivative's share there, so it is built only in a graph)."""
    zero = data_of(x) == 0
    if not zero.any():
        return _reverse_cumsum(xp, dz * z, axis) / x
    position = np.arange(zero.shape[axis]).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    first = np.where(
        zero.any(axis=axis, keepdims=True), zero.argmax(axis=axis, keepdims=True), zero.shape[axis]
    )
    before, at, after = position < first, position == first, position > first
    without = xp.where(at, 1.0, x)  # the first zero taken as 1
    others = xp.cumprod(without, axis)
    grad = xp.where(before, _reverse_cumsum(xp, dz * z, axis) / xp.where(before, x, 1.0), 0.0)
    grad = grad + xp.where(at, _reverse_cumsum(xp, dz * others, axis), 0.0)
    if isinstance(x, Tensor):
        the_zero = xp.sum(xp.where(at, x, 0.0), axis=axis, keepdims=True)
        grad = grad + xp.where(after, the_zero * _cumprod_grad(xp, dz, without, axis, others), 0.0)
    return grad


def _logcumsumexp(x: Any, axis: int) -> Any:
    """`logcumsumexp` of an array (numpy's running `logaddexp`) or of a Tensor (the op)."""
    if isinstance(x, Tensor):
        return LogCumSumExp.apply(x, axis=axis)
    return np.logaddexp.accumulate(x, axis=axis)


class LogCumSumExp(Function):
    """z_i = log(exp(x_0) + ... + exp(x_i)) along axis, a running `logaddexp` (stable)
    dx_i = sum over j >= i of dz_j * exp(x_i - z_j), taken in log space for the positive
    and the negative dz apart, as PyTorch (its second derivatives too, but 0 rather
    than NaN for the share of a dz that is exactly 0)."""

    def forward(self, x, axis):
        self.axis = axis
        return np.logaddexp.accumulate(x, axis=axis) if x.ndim else x.copy()

    def backward(self, dz, x):
        if x.ndim == 0:
            return dz
        xp, axis, z = self.xp, self.axis, self.output
        lowest = np.finfo(data_of(x).dtype).min
        positive, negative = data_of(dz) > 0, data_of(dz) < 0
        with np.errstate(over="ignore", invalid="ignore"):  # exp(-inf)
            # log|dz| where dz is not 0 (PyTorch's log(0) gives its second derivative
            # NaN there, which its selecting ops stop and multiplying ones would not)
            log_abs = xp.log(xp.abs(xp.where(positive | negative, dz, 1.0)))
            parts = []
            for sign in (positive, negative):
                logs = xp.where(sign, log_abs, lowest) - z
                reverse = xp.flip(_logcumsumexp(xp.flip(logs, (axis,)), axis), (axis,))
                parts.append(xp.exp(reverse + x))
        return parts[0] - parts[1]


def _scan_dim(name: str, input: TensorLike, dim: Any, axis: Any) -> int:
    """The one dim a running op goes along (`dim` or numpy's `axis`), checked."""
    dim = axis_arg(name, axis, dim)
    if dim is None:
        raise TypeError(f"{name}: give the dim to go along, e.g. {name}(x, dim=0)")
    return check_dim(name, dim, data_of(input).ndim)


def cumprod(
    input: TensorLike,
    dim: int | None = None,
    *,
    axis: int | None = None,
    dtype: npt.DTypeLike | None = None,
) -> Tensor:
    """Running products along `dim` (or numpy's `axis`), as `torch.cumprod` (int64 for
    bool and integer inputs); the gradient is exact where elements are 0.

    Raises:
        IndexError: `dim` out of range.
        TypeError: neither `dim` nor `axis` given, or both.
    """
    axis = _scan_dim("cumprod", input, dim, axis)
    return Cumprod.apply(_in_dtype(input, dtype), axis=axis)


def logcumsumexp(input: TensorLike, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """log(cumsum(exp(x))) along `dim`, computed stably, as `torch.logcumsumexp`.

    Raises:
        IndexError: `dim` out of range.
        NotImplementedError: a bool or integer input (PyTorch's error, a RuntimeError).
    """
    axis = _scan_dim("logcumsumexp", input, dim, axis)
    if data_of(input).dtype.kind != "f":
        raise NotImplementedError(
            f"logcumsumexp: takes float tensors, got dtype {data_of(input).dtype}"
        )
    return LogCumSumExp.apply(input, axis=axis)


def _running_indices(x: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """Where each running maximum (or minimum) sits: the last element so far equal to it,
    a NaN once one is met (the latest NaN), as PyTorch's `cummax`/`cummin`."""
    ufunc: Any = np.maximum if largest else np.minimum
    if x.dtype == np.bool_:
        ufunc = np.logical_or if largest else np.logical_and
    running = ufunc.accumulate(x, axis=axis)
    hit = x == running
    if x.dtype.kind == "f":
        hit |= np.isnan(x)
    position = np.arange(x.shape[axis]).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    return np.maximum.accumulate(np.where(hit, position, 0), axis=axis)


def _cumulative_extreme(name: str, input: TensorLike, dim: int, largest: bool) -> ValuesIndices:
    data = data_of(input)
    axis = check_dim(name, dim, data.ndim)
    if data.ndim == 0:  # as the 1-element vector
        values, indices = _cumulative_extreme(name, reshape(input, (1,)), 0, largest)
        return ValuesIndices(reshape(values, ()), Tensor._make(indices.data.reshape(())))
    indices = Tensor._make(_running_indices(data, axis, largest).astype(np.int64))
    return ValuesIndices(gather(input, axis, indices), indices)


def cummax(input: TensorLike, dim: int) -> ValuesIndices:
    """(values, indices): the running maximum along `dim` and where it sits (the latest
    of equal elements; a NaN, once met, is the maximum from there on), as `torch.cummax`.
    The gradient goes to the element each value was taken from.

    Raises:
        IndexError: `dim` out of range.
    """
    return _cumulative_extreme("cummax", input, dim, largest=True)


def cummin(input: TensorLike, dim: int) -> ValuesIndices:
    """(values, indices): the running minimum along `dim`, as `torch.cummin`; see `cummax`."""
    return _cumulative_extreme("cummin", input, dim, largest=False)
