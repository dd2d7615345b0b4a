"""Shape ops: reshape, transpose, broadcast, indexing, concatenation and stacking.

None of these changes a value, so each backward only moves the gradient back to
where its value came from.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.mode import state
from autograd.ops.args import DimError, OperandError, axis_arg, check_dim, check_dims
from autograd.ops.arith import promote_all
from autograd.tensor import Tensor

TensorLike = Any


class Reshape(Function):
    """z = x.reshape(shape)      dx = dz.reshape(x.shape)"""

    saves_inputs = False

    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, dz, x):
        return dz.reshape(x.shape)


class Transpose(Function):
    """z = x.transpose(axes)      dx = dz.transpose(argsort(axes))"""

    saves_inputs = False

    def forward(self, x, axes):
        self.axes = axes
        return x.transpose(axes)

    def backward(self, dz, x):
        if self.axes is None:
            return dz.transpose()
        return dz.transpose(tuple(int(i) for i in np.argsort(self.axes)))


class BroadcastTo(Function):
    """z = broadcast_to(x, shape)      dx = dz summed back to x.shape (by Function)"""

    saves_inputs = False

    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, dz, x):
        return dz


class GetItem(Function):
    """z = x[index]      dx = zeros like x, with dz added at index (repeats accumulate)"""

    saves_inputs = False

    def forward(self, x, index):
        self.index = index
        try:
            out = x[index]
            if type(out) is not np.ndarray:  # integers only: numpy gives a scalar, a copy;
                out = x[(*index, ...) if type(index) is tuple else (index, ...)]  # a 0-d view
        except IndexError as err:
            raise IndexError(f"GetItem: {err} (tensor shape {x.shape})") from None
        if not out.flags.c_contiguous and not np.may_share_memory(out, x):
            # advanced indexing made a copy, which numpy may lay out column by column:
            # PyTorch's is contiguous, so a view of it (`flatten`, `view`) is one here too
            out = np.ascontiguousarray(out)
        return out

    def backward(self, dz, x):
        return index_add(dz, self.index, x.shape)


class IndexAdd(Function):
    """z = zeros(shape) with g added at index      dg = dz[index]"""

    def forward(self, g, index, shape):
        self.index = index
        return _index_add_array(g, index, shape)

    def backward(self, dz, g):
        return dz[self.index]


class SetItem(Function):
    """z = x with v written at index, in x's own memory (`x[index] = v` recorded on a
    tensor in a graph, see `autograd.inplace`)      dx = dz, zero at index
    dv = dz[index] (summed over the axes v was broadcast along)"""

    saves_inputs = False

    def forward(self, x, v, index):
        self.index = index
        writable(x)[index] = v
        return x

    def backward(self, dz, x, v):
        kept = np.ones(x.shape, dtype=bool)
        kept[self.index] = False
        return dz * kept, dz[self.index]


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


def _index_add_array(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def index_add(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of `shape` with `g` added at `index`; differentiable when `g` is a Tensor."""
    if isinstance(g, Tensor):
        return IndexAdd.apply(g, index=index, shape=shape)
    return _index_add_array(g, index, shape)


class Concatenate(Function):
    """z = concatenate(xs, axis)      dx_i = dz sliced back to x_i's part"""

    saves_inputs = False  # backward reads the inputs' shapes only

    def forward(self, *xs, axis):
        self.axis = axis
        return np.concatenate(promote_all(xs), axis=axis)

    def backward(self, dz, *xs):
        grads, start = [], 0
        lead = (slice(None),) * self.axis
        for x in xs:
            stop = start + x.shape[self.axis]
            grads.append(dz[(*lead, slice(start, stop))])
            start = stop
        return tuple(grads)


class Stack(Function):
    """z = stack(xs, axis)      dx_i = dz taken at position i of axis"""

    saves_inputs = False  # backward reads nothing of the inputs

    def forward(self, *xs, axis):
        self.axis = axis
        return np.stack(promote_all(xs), axis=axis)

    def backward(self, dz, *xs):
        lead = (slice(None),) * self.axis
        return tuple(dz[(*lead, i)] for i in range(len(xs)))


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _shape_of(x: TensorLike) -> tuple[int, ...]:
    return np.shape(x.data if isinstance(x, Tensor) else x)


def reshape(x: TensorLike, *shape: Any) -> Tensor:
    """Same data in a new shape; one dimension may be -1. Accepts ints or a tuple.

    Raises:
        OperandError: a shape that does not hold the input's elements, with PyTorch's
            message (a RuntimeError, as torch's; a ValueError, as numpy's).
    """
    shape = _shape_arg(shape)
    if shape and min(shape) < -1:  # numpy takes any negative size for the -1
        check_new_shape(shape, math.prod(_shape_of(x)))
    try:
        out = Reshape.apply(x, shape=shape)
    except ValueError:  # numpy's message: say it in PyTorch's words where they differ
        check_new_shape(shape, math.prod(_shape_of(x)))
        raise
    if out._family is not None:  # a view of x's memory (not a copy)
        link_view(out, x, None, np.reshape, (shape,))
    return out


def check_new_shape(shape: tuple[int, ...], size: int) -> None:
    """Raise PyTorch's error when `shape` (one dimension may be -1) cannot hold `size`
    elements: ``shape '[-1, 1000]' is invalid for input of size 30``."""
    spelled = "[" + ", ".join(str(n) for n in shape) + "]"
    for i, n in enumerate(shape):
        if n < -1:
            raise OperandError(f"invalid shape dimension {n} at index {i} of shape {spelled}")
    if shape.count(-1) > 1:
        raise OperandError("only one dimension can be inferred")
    known = math.prod(n for n in shape if n != -1)
    if -1 not in shape:
        fits = known == size
    elif known == 0 and size == 0:
        raise OperandError(
            f"cannot reshape tensor of 0 elements into shape {spelled} because the "
            "unspecified dimension size -1 can be any value and is ambiguous"
        )
    else:
        fits = known != 0 and size % known == 0
    if not fits:
        raise OperandError(f"shape '{spelled}' is invalid for input of size {size}")


def permute(x: TensorLike, *axes: Any) -> Tensor:
    """Permute axes (reverse them when none are given), as numpy's transpose and
    PyTorch's permute.

    Negative axes count from the end (`x.permute(-1, 0)` on a 2-d x is `x.T`); they
    are made non-negative here, so the backward's argsort inverts the real permutation.
    """
    if not axes or axes[0] is None:
        return _transposed(x, None)
    shape = _shape_of(x)
    given = _shape_arg(axes)
    ndim = len(shape)
    if len(given) != ndim or any(not -ndim <= a < ndim for a in given):
        raise ValueError(f"transpose: axes {given} are not a permutation for shape {shape}")
    perm = tuple(a % ndim for a in given)
    if sorted(perm) != list(range(ndim)):
        raise ValueError(f"transpose: axes {given} are not a permutation for shape {shape}")
    return _transposed(x, perm)


def _transposed(x: TensorLike, axes: tuple[int, ...] | None) -> Tensor:
    out = Transpose.apply(x, axes=axes)
    if out._family is not None:
        link_view(out, x, None, np.transpose, (axes,))
    return out


def transpose(x: TensorLike, *axes: Any) -> Tensor:
    """numpy's transpose: the axes permuted (reversed when none are given); with two
    axes a and b, those two swapped, as `torch.transpose(x, a, b)` (numpy's swapaxes).

    For a 2-d tensor numpy's permutation (1, 0) is that same swap; the identity
    permutation (0, 1) is the one call the two readings disagree on, and it transposes
    here, as PyTorch code means it to (``W.transpose(0, 1)``).
    """
    if len(axes) != 2 or not all(isinstance(a, int | np.integer) for a in axes):
        return permute(x, *axes)
    ndim = len(_shape_of(x))
    a, b = (check_dim("transpose", d, ndim) for d in axes)
    perm = list(range(ndim))
    if ndim:  # a 0-d tensor takes dims 0 and -1 and stays as it is, as in PyTorch
        perm[a], perm[b] = perm[b], perm[a]
    return _transposed(x, tuple(perm))


def broadcast_to(x: TensorLike, shape: Sequence[int]) -> Tensor:
    """x repeated along its axes of length 1 (and new leading axes) without copying: a
    view (numpy's, read-only) whose repeated elements share memory; no in-place op may
    write where elements repeat, as in PyTorch's `expand` (see `autograd.inplace`)."""
    shape = tuple(shape)
    out = BroadcastTo.apply(x, shape=shape)
    if out._family is not None:
        link_view(out, x, None, np.broadcast_to, (shape,))
    return out


def squeeze(x: TensorLike, axis: Any = None) -> Tensor:
    """Remove axes of length 1: all of them when axis is None, else those of the given
    axes (an int or a tuple) that have length 1. As in PyTorch, a given axis of another
    length is left as it is (numpy raises; `nn.ops.squeeze`, Keras's, does too)."""
    shape = _shape_of(x)
    drop = {a for a in squeeze_axes("squeeze", shape, axis) if shape[a] == 1}
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in drop))


def squeeze_axes(op: str, shape: tuple[int, ...], axis: Any) -> set[int]:
    """The axes `axis` (None for all, an int or a tuple) names in `shape`, made
    non-negative; an IndexError for one out of range. As in PyTorch, a 0-d shape
    accepts axis 0 and -1 (and names no axis)."""
    if axis is None:
        return set(range(len(shape)))
    span = max(len(shape), 1)
    axes = set()
    for a in (axis,) if isinstance(axis, (int, np.integer)) else axis:
        if not -span <= a < span:
            raise IndexError(
                f"{op}: axis {a} is out of range for a tensor of shape {shape} "
                f"(expected in [{-span}, {span - 1}])"
            )
        if shape:
            axes.add(int(a) % len(shape))
    return axes


def expand_dims(x: TensorLike, axis: Any) -> Tensor:
    """Insert axes of length 1 at `axis` (an int or a tuple), as numpy's expand_dims.

    Raises:
        DimError: an axis out of range for the result (an IndexError, as PyTorch's
            `unsqueeze` raises it).
    """
    shape = _shape_of(x)
    count = len(axis) if isinstance(axis, tuple | list) else 1
    axis = check_dims("unsqueeze", axis, len(shape) + count)
    return reshape(x, np.expand_dims(np.empty(shape, dtype=bool), axis).shape)


def as_index(index: Any) -> Any:
    """An index with its Tensors (masks, integer arrays) as their arrays, lists as arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def getitem(x: TensorLike, index: Any) -> Tensor:
    """`x[index]`; a view of x's memory remembers where it lies in x (`_view_of`), so
    `x[index] += v` is recorded on x as well (`autograd.inplace`), as the other view
    ops (`reshape`, `permute`, `broadcast_to`, `diagonal`) remember how they were made."""
    out = GetItem.apply(x, index=as_index(index))
    if out._family is not None:  # a view into x's memory
        link_view(out, x, index)
    return out


class ViewFn:
    """How a view op makes its output from its input's array, `fn(array, *args)` (as
    `np.transpose(a, axes)`): applied to the positions of the input's elements, it gives
    where each element of the view lies in the input (`positions`)."""

    __slots__ = ("args", "fn")

    def __init__(self, fn: Any, *args: Any) -> None:
        self.fn, self.args = fn, args

    def positions(self, shape: tuple[int, ...]) -> np.ndarray:
        """For a view of an input of `shape`, the flat index in the input of each element."""
        return np.asarray(self.fn(np.arange(int(np.prod(shape))).reshape(shape), *self.args))


#: The flags of a view (the last item of `Tensor._view_of`): made in grad mode (None),
#: made under `no_grad` (NO_GRAD), or one of the views a multi-output op returns (the
#: name PyTorch gives it, "Output 0 of Unbind"); a view of a flagged view has its flag.
#: The last two cannot be written in place in a graph, nor used in one once their
#: memory was written, as in PyTorch.
NO_GRAD = "no_grad"


def link_view(out: Tensor, x: TensorLike, index: Any, fn: Any = None, args: tuple = ()) -> None:
    """Remember that `out` views `x`'s memory, as `x[index]`, or as `fn(x, *args)` (a
    numpy view function), in `out._view_of` = (x, index, out's array, flag, fn, args), so
    an in-place write into either is recorded on both (`autograd.inplace`)."""
    if not isinstance(x, Tensor):
        return
    flag = None
    if x.data.base is not None:  # x may be a view itself (an unset slot is slow to ask)
        link = getattr(x, "_view_of", None)
        if link is not None and link[3] is not None and x.data is link[2]:
            flag = link[3]  # a view of a flagged view is one too
    if not state.grad_enabled:
        flag = flag or NO_GRAD
        # as in PyTorch, a view made under no_grad of a tensor that requires grad
        # requires grad too, outside the graph (gradients stop there)
        out.requires_grad = x.requires_grad
    out._view_of = (x, index, out.data, flag, fn, args)


def mark_multi_output(views: tuple[Tensor, ...], op: str) -> tuple[Tensor, ...]:
    """Flag each of the views one call returned (`unbind`, `split`, `chunk`): PyTorch
    refuses to write them in place in a graph (see `autograd.inplace`)."""
    for k, v in enumerate(views):
        link = getattr(v, "_view_of", None)
        if link is not None:
            v._view_of = (*link[:3], f"Output {k} of {op}", *link[4:])
    return views


def writable(a: np.ndarray) -> np.ndarray:
    """`a`, or, when numpy made it read-only (a view of a broadcast array, `np.diagonal`)
    but its memory is writable, a writable array over the same elements. (Writing where
    elements repeat is refused earlier, by `autograd.inplace.check_overlap`.)"""
    if a.flags.writeable:
        return a
    memory = a
    while isinstance(memory.base, np.ndarray):
        memory = memory.base
    if not memory.flags.writeable or not (memory.flags.c_contiguous or memory.flags.f_contiguous):
        return a  # numpy raises, naming the problem
    offset = a.__array_interface__["data"][0] - memory.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=memory, offset=offset, strides=a.strides)


def cat(
    tensors: Sequence[TensorLike], axis: int | None = None, *, dim: int | None = None
) -> Tensor:
    """Join tensors along an existing axis (numpy's concatenate); `dim` is PyTorch's name
    for `axis` (default 0)."""
    axis = axis_arg("cat", axis, dim, default=0)
    if len(tensors) == 0:
        raise OperandError("cat: need at least one tensor")
    ndim = len(_shape_of(tensors[0]))
    if not -ndim <= axis < ndim:
        raise DimError(f"cat: axis {axis} is out of range for {ndim}-d tensors")
    return Concatenate.apply(*tensors, axis=axis % ndim)


def stack(
    tensors: Sequence[TensorLike], axis: int | None = None, *, dim: int | None = None
) -> Tensor:
    """Join tensors of one shape along a new axis; `dim` is PyTorch's name for `axis`
    (default 0)."""
    axis = axis_arg("stack", axis, dim, default=0)
    if len(tensors) == 0:
        raise OperandError("stack: need at least one tensor")
    ndim = len(_shape_of(tensors[0])) + 1
    if not -ndim <= axis < ndim:
        raise DimError(f"stack: axis {axis} is out of range for the {ndim}-d result")
    return Stack.apply(*tensors, axis=axis % ndim)
