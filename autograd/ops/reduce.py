"""Reductions over axes, and the softmax family.

Every reduction takes numpy's `axis` (None, an int or a tuple) and `keepdims`, or
PyTorch's `dim` and `keepdim` (`autograd.ops.args`).
`logsumexp`, `softmax` and `log_softmax` subtract the maximum first, so inputs of
+-1000 give finite values and gradients.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from autograd.function import Function
from autograd.ops.args import (
    DimError,
    OperandError,
    axis_arg,
    check_dim,
    keepdims_arg,
    numpy_axis,
)
from autograd.ops.arith import abs as abs_
from autograd.ops.shape import broadcast_to, getitem, squeeze
from autograd.tensor import Tensor, data_of

TensorLike = Any
Axis = Any


def normalize_axis(axis: Axis, ndim: int) -> tuple[int, ...]:
    """Axes as a sorted tuple of non-negative ints; None means every axis."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise DimError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise OperandError(f"repeated axis in {axis}")
    return tuple(sorted(out))


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """`shape` with a 1 at each reduced axis: the shape of a keepdims result."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class _Reduction(Function):
    """Shared bookkeeping: normalized axes and the keepdims shape for backward."""

    def setup(self, x: np.ndarray, axis: Axis, keepdims: bool) -> tuple[int, ...]:
        self.axes = normalize_axis(axis, x.ndim)
        self.keepdims = keepdims
        return self.axes

    def expand(self, dz: Any, shape: tuple[int, ...]) -> Any:
        """Reshape a reduced gradient so it broadcasts against the input again."""
        return dz if self.keepdims else dz.reshape(kept_shape(shape, self.axes))


class Sum(_Reduction):
    """z = sum(x, axis)      dx = broadcast(dz)"""

    saves_inputs = False

    def forward(self, x, axis, keepdims):
        return x.sum(axis=self.setup(x, axis, keepdims), keepdims=keepdims)

    def backward(self, dz, x):
        return broadcast_back(self.expand(dz, x.shape), x.shape)


class Mean(_Reduction):
    """z = sum(x, axis) / n      dx = broadcast(dz) / n   (n: number of elements reduced)"""

    saves_inputs = False

    def forward(self, x, axis, keepdims):
        axes = self.setup(x, axis, keepdims)
        self.n = math.prod(x.shape[a] for a in axes)
        if self.n == 0:  # the mean of no elements is nan, as in PyTorch
            with np.errstate(invalid="ignore"):
                return x.sum(axis=axes, keepdims=keepdims) / x.dtype.type(0)
        return x.mean(axis=axes, keepdims=keepdims)

    def backward(self, dz, x):
        # With n = 0 the input is empty, and so is its gradient: any scale will do.
        return broadcast_back(self.expand(dz, x.shape) * (1.0 / self.n if self.n else 0.0), x.shape)


def broadcast_back(dz: Any, shape: tuple[int, ...]) -> Any:
    """Spread a reduced gradient over the input's shape (a fresh array, or a Tensor op)."""
    if isinstance(dz, Tensor):
        return broadcast_to(dz, shape)
    return np.full(shape, dz, dtype=dz.dtype)


class Std(_Reduction):
    """z = sqrt(sum(d**2, axis) / (n - ddof)), d = x - mean(x, axis)
    dx = dz * d / ((n - ddof) * z), and 0 where z = 0 (as PyTorch: sqrt's slope is
    infinite there, but d = 0, and the composed sqrt(var) would give 0 * inf = nan)."""

    def forward(self, x, axis, keepdims, ddof):
        axes = self.setup(x, axis, keepdims)
        self.dof = math.prod(x.shape[a] for a in axes) - ddof
        return np.sqrt(np.var(x, axis=axes, keepdims=keepdims, ddof=ddof))

    def backward(self, dz, x):
        z = self.expand(self.output, x.shape)
        d = x - x.mean(axis=self.axes, keepdims=True)
        flat = np.asarray(z) == 0
        if not flat.any():
            return self.expand(dz, x.shape) * d / (z * self.dof)
        safe = self.xp.where(flat, 1.0, z)  # keeps 0 * inf out of the graph
        return self.xp.where(flat, 0.0, self.expand(dz, x.shape) * d / (safe * self.dof))


class Norm(_Reduction):
    """z = sqrt(sum(x**2, axis))      dx = dz * x / z, and 0 where z = 0 (as PyTorch;
    the composed sqrt(sum(x * x)) would give 0 * inf = nan there)"""

    def forward(self, x, axis, keepdims):
        axes = self.setup(x, axis, keepdims)
        return np.sqrt(np.add.reduce(x * x, axis=axes, keepdims=keepdims))

    def backward(self, dz, x):
        z = self.expand(self.output, x.shape)
        flat = np.asarray(z) == 0
        if not flat.any():
            return self.expand(dz, x.shape) * x / z
        safe = self.xp.where(flat, 1.0, z)  # x is 0 wherever z is: the quotient is 0
        return self.expand(dz, x.shape) * x / safe


class Max(_Reduction):
    """z = max(x, axis)      dx = dz at the maxima (ties share dz equally), 0 elsewhere"""

    reduce = staticmethod(np.max)

    def forward(self, x, axis, keepdims):
        axes = self.setup(x, axis, keepdims)
        if any(x.shape[a] == 0 for a in axes):  # other empty axes give an empty result
            raise (OperandError if axis is None else DimError)(
                f"{self.op_name.lower()}: cannot reduce over an axis of length 0 "
                f"(shape {x.shape}, axis {axis})"
            )
        z = self.reduce(x, axis=axes, keepdims=True)
        mask = x == z
        self.share = mask / mask.sum(axis=axes, keepdims=True)
        return z if keepdims else z.reshape([n for i, n in enumerate(z.shape) if i not in axes])

    def backward(self, dz, x):
        return self.expand(dz, x.shape) * self.share.astype(x.dtype)


class Min(Max):
    """z = min(x, axis)      dx = dz at the minima (ties share dz equally), 0 elsewhere"""

    reduce = staticmethod(np.min)


class LogSumExp(_Reduction):
    """z = log(sum(exp(x), axis))      dx = dz * exp(x - z) = dz * softmax(x)"""

    def forward(self, x, axis, keepdims):
        axes = self.setup(x, axis, keepdims)
        m, _ = _finite_max(x, axes)
        z = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        return z if keepdims else z.reshape([n for i, n in enumerate(z.shape) if i not in axes])

    def backward(self, dz, x):
        z = self.expand(self.output, x.shape)
        return self.expand(dz, x.shape) * self.xp.exp(x - z)


def _finite_max(x: np.ndarray, axes: Any) -> tuple[np.ndarray, bool]:
    """Max over `axes` (keepdims), with non-finite maxima replaced by 0 so that
    x - max stays well defined for rows of -inf; and whether every max was finite."""
    m = x.max(axis=axes, keepdims=True)
    if np.isfinite(m).all():
        return m, True
    return np.where(np.isfinite(m), m, 0), False


class Softmax(Function):
    """z = exp(x) / sum(exp(x), axis)      dx = z * (dz - sum(dz * z, axis))"""

    saves_inputs = False  # backward reads the output

    def forward(self, x, axis):
        self.axis = axis = _check_axis(x, axis)
        m, finite = _finite_max(x, axis)
        if finite:
            self.max = m  # with the sums, for `cross_entropy(..., softmax=)`
        e = np.exp(x - m)
        self.sum = total = e.sum(axis=axis, keepdims=True)
        e /= total
        return e

    def backward(self, dz, x):
        z = self.output
        return z * (dz - (dz * z).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """z = x - logsumexp(x, axis)      dx = dz - exp(z) * sum(dz, axis)"""

    saves_inputs = False  # backward reads the output

    def forward(self, x, axis):
        self.axis = axis = _check_axis(x, axis)
        shifted = x - _finite_max(x, axis)[0]
        shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return shifted

    def backward(self, dz, x):
        return dz - self.xp.exp(self.output) * dz.sum(axis=self.axis, keepdims=True)


def _check_axis(x: np.ndarray, axis: int) -> int | None:
    """The softmax axis as a non-negative int (None for a 0-d input)."""
    if not x.ndim:
        return None
    if not -x.ndim <= axis < x.ndim:
        raise DimError(f"axis {axis} is out of range for a tensor with {x.ndim} dimensions")
    return axis % x.ndim


def sum(
    x: TensorLike,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    """Sum over `axis` (or PyTorch's `dim`), all axes when None."""
    return Sum.apply(
        x, axis=axis_arg("sum", axis, dim), keepdims=keepdims_arg("sum", keepdims, keepdim)
    )


def norm(
    x: TensorLike,
    p: float | str = 2,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    """The p-norm over `axis` (or PyTorch's `dim`), of all elements when None:
    p=2 (or "fro"), sqrt(sum(x**2)); p=1, sum(|x|); p=inf, max(|x|)."""
    axis, keep = axis_arg("norm", axis, dim), keepdims_arg("norm", keepdims, keepdim)
    if p in (2, "fro"):
        return Norm.apply(x, axis=axis, keepdims=keep)
    if p == 1:
        return Sum.apply(abs_(x), axis=axis, keepdims=keep)
    if p == math.inf:
        return Max.apply(abs_(x), axis=axis, keepdims=keep)
    raise ValueError(f"norm: p must be 1, 2, 'fro' or inf, got {p!r}")


class ValuesIndices(NamedTuple):
    """What `max`/`min` return when given PyTorch's `dim`, as `torch.max(x, dim)`: the
    values (a Tensor) and where they sit along `dim` (an int64 Tensor, as `argmax`)."""

    values: Tensor
    indices: Tensor


def _extreme(
    op: type[Max], x: TensorLike, axis: Axis, keepdims: bool | None, dim: Axis, keepdim: bool | None
) -> Any:
    name = op.__name__.lower()
    keep = keepdims_arg(name, keepdims, keepdim)
    axis = axis_arg(name, axis, dim)
    if (dim is None and keepdim is None) or axis is None:
        return op.apply(x, axis=axis, keepdims=keep)  # ties share the gradient evenly
    if not isinstance(axis, int | np.integer):
        raise TypeError(
            f"{name}: dim must be one int to give (values, indices), got {axis!r}; "
            f"use axis={axis!r} for the values alone"
        )
    ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
    axis = check_dim(name, axis, ndim)
    if not ndim:  # a 0-d tensor along dim 0 (or -1): itself, at index 0
        return ValuesIndices(op.apply(x, axis=None, keepdims=False), _indices(0))
    # PyTorch's (values, indices): the values are taken at the indices, so the gradient
    # goes to the element returned (the first of tied ones), as torch sends it
    indices = (argmax if op is Max else argmin)(x, int(axis), True)
    where = list(np.ogrid[tuple(slice(n) for n in indices.shape)])
    where[int(axis)] = indices.data
    values = getitem(x, tuple(where))
    if not keep:
        values, indices = squeeze(values, int(axis)), Tensor._make(indices.data.squeeze(int(axis)))
    return ValuesIndices(values, indices)


def max(
    x: TensorLike,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Any:
    """The maximum over `axis` (a Tensor); given PyTorch's `dim` or `keepdim`, as
    `torch.max(x, dim, keepdim)`, the pair (values, indices)."""
    return _extreme(Max, x, axis, keepdims, dim, keepdim)


def min(
    x: TensorLike,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Any:
    """The minimum over `axis` (a Tensor); given PyTorch's `dim` or `keepdim`, as
    `torch.min(x, dim, keepdim)`, the pair (values, indices)."""
    return _extreme(Min, x, axis, keepdims, dim, keepdim)


def logsumexp(
    x: TensorLike,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    """log(sum(exp(x), axis)), stable for large inputs."""
    keep = keepdims_arg("logsumexp", keepdims, keepdim)
    return LogSumExp.apply(x, axis=axis_arg("logsumexp", axis, dim), keepdims=keep)


def softmax(x: TensorLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (or PyTorch's `dim`), the last one by default."""
    return Softmax.apply(x, axis=axis_arg("softmax", axis, dim, default=-1))


def log_softmax(x: TensorLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along `axis` (or PyTorch's `dim`), the last one by default."""
    return LogSoftmax.apply(x, axis=axis_arg("log_softmax", axis, dim, default=-1))


def _count(x: TensorLike, axis: Axis) -> int:
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    return math.prod(shape[a] for a in normalize_axis(axis, len(shape)))


def mean(
    x: TensorLike,
    axis: Axis = None,
    keepdims: bool | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    """sum(x, axis) / n, n the number of elements reduced.

    Raises:
        RuntimeError: `x` holds integers or bools (PyTorch's error: ``x.float().mean()``).
    """
    kind = data_of(x).dtype
    if kind.kind in "biu":
        raise OperandError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {kind} (convert first: x.float().mean())"
        )
    keep = keepdims_arg("mean", keepdims, keepdim)
    return Mean.apply(x, axis=axis_arg("mean", axis, dim), keepdims=keep)


def _ddof(
    op: str,
    ddof: int | None,
    torch_style: bool,
    correction: int | None,
    unbiased: bool | None,
) -> int:
    """numpy's `ddof`, or PyTorch's `correction` / `unbiased`; without any of them, 0
    (numpy's default), or 1 (PyTorch's) when the call used PyTorch's names (`dim` or
    `keepdim`), as ``x.var(0, keepdim=True)`` in PyTorch code."""
    given = [
        name
        for name, v in (("ddof", ddof), ("correction", correction), ("unbiased", unbiased))
        if v is not None
    ]
    if len(given) > 1:
        raise TypeError(f"{op}: got {' and '.join(given)}; pass one of them")
    if ddof is not None:
        return ddof
    if correction is not None:
        return correction
    if unbiased is not None:
        return int(unbiased)
    return int(torch_style)


def _check_float(name: str, x: TensorLike) -> None:
    """PyTorch's refusal of integer and bool inputs to `var` and `std`.

    Raises:
        OperandError: `x` holds integers or bools (a RuntimeError, as torch's).
    """
    dtype = data_of(x).dtype
    if dtype.kind in "biu":
        raise OperandError(
            f"{name}(): std and var only support floating point and complex dtypes, got "
            f"{dtype} (convert first: x.float().{name}())"
        )


def var(
    x: TensorLike,
    axis: Axis = None,
    keepdims: bool | None = None,
    ddof: int | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
    correction: int | None = None,
    unbiased: bool | None = None,
) -> Tensor:
    """sum((x - mean(x))**2, axis) / (n - ddof).

    `ddof` defaults to 0 as in numpy; given PyTorch's `dim` or `keepdim`, the default is
    PyTorch's (`correction=1`, the unbiased estimate). `correction` and `unbiased` are PyTorch's
    names for `ddof`.
    """
    _check_float("var", x)
    ddof = _ddof("var", ddof, dim is not None or keepdim is not None, correction, unbiased)
    axis = axis_arg("var", axis, dim)
    keepdims = keepdims_arg("var", keepdims, keepdim)
    n = _count(x, axis)
    if n - ddof <= 0:
        raise ValueError(f"var: ddof={ddof} leaves no degrees of freedom for {n} elements")
    d = x - mean(x, axis, keepdims=True)
    return sum(d * d, axis, keepdims) * (1.0 / (n - ddof))


def std(
    x: TensorLike,
    axis: Axis = None,
    keepdims: bool | None = None,
    ddof: int | None = None,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
    correction: int | None = None,
    unbiased: bool | None = None,
) -> Tensor:
    """sqrt(var(x, axis, ddof)), with `var`'s arguments and defaults, and gradient 0
    where the variance is 0 (see `Std`)."""
    _check_float("std", x)
    ddof = _ddof("std", ddof, dim is not None or keepdim is not None, correction, unbiased)
    axis = axis_arg("std", axis, dim)
    n = _count(x, axis)
    if n - ddof <= 0:
        raise ValueError(f"std: ddof={ddof} leaves no degrees of freedom for {n} elements")
    keepdims = keepdims_arg("std", keepdims, keepdim)
    return Std.apply(x, axis=axis, keepdims=keepdims, ddof=ddof)


def argmax(
    x: TensorLike,
    axis: int | None = None,
    keepdims: bool | None = None,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Tensor:
    """Index of the maximum along `axis` (or `dim`), of the flattened input when None:
    an int64 Tensor outside any graph (indices carry no gradient), as `torch.argmax`."""
    return _arg_extreme("argmax", x, axis, keepdims, dim, keepdim)


def argmin(
    x: TensorLike,
    axis: int | None = None,
    keepdims: bool | None = None,
    *,
    dim: int | None = None,
    keepdim: bool | None = None,
) -> Tensor:
    """Index of the minimum along `axis` (or `dim`); see `argmax`."""
    return _arg_extreme("argmin", x, axis, keepdims, dim, keepdim)


def _arg_extreme(
    name: str, x: TensorLike, axis: Any, keepdims: Any, dim: Any, keepdim: Any
) -> Tensor:
    """`argmax` or `argmin` (`name`, the ndarray method called), the dim checked as
    PyTorch checks it (a 0-d tensor takes dim 0 and gives index 0)."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    keep = keepdims_arg(name, keepdims, keepdim)
    axis = axis_arg(name, axis, dim)
    if axis is not None:
        axis = numpy_axis(check_dim(name, axis, data.ndim), data.ndim)
    return _indices(getattr(data, name)(axis, keepdims=keep))


def _indices(found: Any) -> Tensor:
    return Tensor._make(np.asarray(found).astype(np.int64, copy=False))
