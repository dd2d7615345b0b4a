"""In-place writes `+= -= *= /=` and `x[index] = v`, with PyTorch's rules, and numpy
operators on Tensors.

Every tensor carries a version number that each in-place write bumps, together with
the versions of every tensor sharing its memory (views, `detach()`). An op remembers
the versions of its inputs when it runs, and backward raises a clear error naming the
op if an input it reads was changed since (`Function.check_versions`), so a gradient
is never silently computed from values that were overwritten. As in PyTorch, a
product checks only the factors its gradients need (`Function.read_inputs`): after
`y = x * 2`, writing `x` in place leaves `y.backward()` right, and allowed.

The rules for `t += x` (the others, and `t[index] = v`, alike):

- grad mode off (`no_grad`), or nothing involved requires grad: write into `t.data`,
  bump the version, keep `t` itself. The manual SGD step
  `with no_grad(): w -= lr * w.grad` leaves `w` the same leaf, still requiring grad.
- grad mode on and `t` a leaf that requires grad (or a view of one): a RuntimeError
  (the step that made the leaf's value could no longer be told apart from the update).
- grad mode on and `t` a view (`x[i]`, `x.T`, `x.view(...)`, `x.reshape(...)` when it
  does not copy, `transpose`, `permute`, `unsqueeze`, `squeeze`, `flatten`, `expand`,
  `narrow`, `diagonal`, and views of views): the op is recorded on `t` (as below) and
  on the tensor `x` whose memory `t` views, as PyTorch's CopySlices:
  `x[positions of t] = t`, where each
  view op, applied to the positions of x's elements, tells where its elements lie
  (`position`; `Tensor._view_of` keeps the op). Writing `x`, or any of its views,
  makes every other live view of `x` again from the new `x` (`remade`), so their
  later uses see the write, and its gradient.
- views PyTorch refuses to write while a graph is recorded raise its RuntimeError: a
  view made under `no_grad` (of a tensor that requires grad, or written with a value
  that does), or a view of one; an output of `unbind`, `split` or `chunk`, or a view
  of one. Once its memory is written (by any alias, in any mode), such a view of a
  tensor that requires grad can no longer be used in a graph: backward through it
  raises (`spoil_views`; PyTorch raises at the use itself). (As in PyTorch, a view
  made under `no_grad` of a tensor that requires grad requires grad itself, as a leaf
  of its own: gradients through it stop there; autograd keeps them in its `.grad`,
  which PyTorch leaves None.)
- an expanded view (`x.expand(...)`, `broadcast_to`), where elements repeat in memory,
  cannot be written at all, in any mode (PyTorch's "more than one element of the
  written-to tensor refers to a single memory location"); a part of it holding each
  element once (`e[:, 0] = v` for `e = x.expand(2, 3)` of an `x` of shape (2, 1)) can.
- `detach()` (and `Tensor(t)`) share the memory and the versions, not the graph, as in
  PyTorch: a write into either changes the other's values, is recorded (when it is)
  on the tensor written only, and makes an op that saved the other raise in backward.
- grad mode on otherwise (`t` made by ops, or `x` requires grad): the op is recorded
  on `t` itself, as in PyTorch. The result is written into `t.data`, and `t` becomes
  the output of the op (`t.grad_fn` is the op); the op's `before` is a tensor standing
  for `t` as it was. Ops that used `t` earlier still send their gradient there
  (`autograd.function.as_used_by`), hooks registered on `t` before the write stay
  with it, and `retain_grad()` follows `t` (PyTorch's rules). When the op's backward
  reads the old value (`*=`, `/=`), `before` holds a copy of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function
from autograd.mode import enable_grad, state
from autograd.ops.arith import (
    Add,
    Div,
    Mul,
    Sub,
    add,
    compare,
    div,
    floor_divide,
    matmul,
    mul,
    power,
    remainder,
    sub,
)
from autograd.ops.shape import (
    NO_GRAD,
    GetItem,
    Reshape,
    SetItem,
    ViewFn,
    as_index,
    writable,
)
from autograd.tensor import Tensor, aliases, increment_version, watch_hooks

_OPS: dict[np.ufunc, tuple[type[Function], str]] = {
    np.add: (Add, "+="),
    np.subtract: (Sub, "-="),
    np.multiply: (Mul, "*="),
    np.true_divide: (Div, "/="),
}

_LEAF_ERROR = (
    "a leaf tensor{view} that requires grad is used in an in-place operation ({symbol}): "
    "update it under `with autograd.no_grad():` (as an optimizer step does), or build "
    "a new tensor, e.g. {new}"
)

_OVERLAP_ERROR = (
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location (in-place {symbol} into a view of shape {shape} with strides "
    "{strides}, made by expand or broadcast_to). Please clone() the tensor before "
    "performing the operation."
)

_NO_GRAD_VIEW = "A view was created in no_grad mode"
_MULTI_OUTPUT = (
    "This view is the output of a function that returns multiple views (unbind, split, "
    "chunk). Such functions do not allow the output views to be modified inplace. You "
    "should replace the inplace operation by an out-of-place one."
)
#: PyTorch's explanation for a view returned by a custom Function (the identity that
#: a module's full backward hooks put around its inputs and outputs): its flag names
#: that Function, which is not one of the multi-output ops.
_CUSTOM_FUNCTION = (
    "This view was created inside a custom Function (or because an input was returned "
    "as-is) and the autograd logic to handle view+inplace would override the custom "
    "backward associated with the custom Function, leading to incorrect gradients. This "
    "behavior is forbidden. You can fix this by cloning the output of the custom Function."
)
_MULTI_OUTPUT_OPS = ("Split", "Unbind")
_AMBIGUOUS = (
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can "
    "clarify your code by moving both the view and the inplace either both inside the "
    "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
    "want the inplace to be tracked)."
)


def update(t: Tensor, ufunc: np.ufunc, other: Any) -> Tensor:
    """`t <op>= other` for one of `np.add`, `np.subtract`, `np.multiply`,
    `np.true_divide`; returns `t` (what the name `t` stays bound to)."""
    op_class, symbol = _OPS[ufunc]
    if not t.data.flags.writeable:
        check_overlap(t.data, symbol)
    other_grad = isinstance(other, Tensor) and other.requires_grad
    if not state.grad_enabled or not (t.requires_grad or other_grad):
        if state.grad_enabled and t._family is not None:
            refuse_view_write(views_of(t), False, symbol)
        write(t, ufunc, other.data if isinstance(other, Tensor) else other, symbol)
    else:
        record(t, symbol, op_class, other)
    return t


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """`t[index] = value`: written into `t.data` (bumping the versions), and recorded as
    an op on `t` when grad mode is on and `t` or `value` requires grad."""
    link = getattr(value, "_view_of", None)
    if link is not None and link[0] is t and link[1] is index and value.data is link[2]:
        increment_version(t)  # (PyTorch counts this copy of the view onto itself)
        return  # the last step of `t[index] += v`: the write, and its op, are done
    symbol = "x[index] = value"
    where = as_index(index)
    if not t.data.flags.writeable:
        try:
            check_overlap(t.data[where], symbol)  # a view, or a copy: no repeats
        except IndexError:
            pass  # raised below, naming the shapes
    if state.grad_enabled and (t.requires_grad or getattr(value, "requires_grad", False)):
        record(t, symbol, SetItem, value, index=where)
        return
    if state.grad_enabled and t._family is not None:
        refuse_view_write(views_of(t), False, symbol)
    try:
        writable(t.data)[where] = value.data if isinstance(value, Tensor) else value
    except (IndexError, ValueError, TypeError) as err:
        raise type(err)(
            f"x[index] = value on a tensor of shape {t.shape} and dtype {t.dtype} with a "
            f"value of shape {np.shape(value)}: {err}"
        ) from None
    increment_version(t)


def check_overlap(a: np.ndarray, symbol: str) -> None:
    """Raise PyTorch's error for a write into a view whose elements repeat in memory (a
    read-only array with a stride of 0 along an axis longer than 1: `x.expand(...)`)."""
    if _repeats(a):
        raise RuntimeError(_OVERLAP_ERROR.format(symbol=symbol, shape=a.shape, strides=a.strides))


def refuse_view_write(
    links: list[tuple[Tensor, Any, Any]], requires_grad: bool, symbol: str
) -> None:
    """PyTorch's refusals of an in-place write, in grad mode, into a tensor viewing other
    memory through `links` (`views_of`), when the write would be recorded
    (`requires_grad`), or the view was made under `no_grad` from a tensor made by ops:

    - a view made under `no_grad` (or a view of one): its graph cannot be told;
    - one of the views a multi-output op returns (`unbind`, `split`, `chunk`).
    """
    flags = [flag for _, _, flag in links if flag is not None]
    if not flags:
        return
    root = links[-1][0]
    if NO_GRAD in flags and root.requires_grad:
        requires_grad = True  # (PyTorch's view requires grad then)
    if not requires_grad:
        return
    outputs = [flag for flag in flags if flag != NO_GRAD]
    if outputs:
        multi = outputs[0].rpartition(" of ")[2] in _MULTI_OUTPUT_OPS
        why = _MULTI_OUTPUT if multi else _CUSTOM_FUNCTION
        raise RuntimeError(
            f"{outputs[0]} is a view and is being modified inplace ({symbol}). {why}"
        )
    raise RuntimeError(
        f"{_NO_GRAD_VIEW} and is being modified inplace with grad mode enabled ({symbol}). "
        + _AMBIGUOUS
    )


def record(t: Tensor, symbol: str, op_class: type[Function], operand: Any, **options: Any) -> None:
    """Write `op_class(t, operand)` into `t` and record it as the op that made `t` (see
    the module doc); if `t` is a view, record the write on the tensor it views (its
    root base) as well, and make every other live view of that tensor again from it."""
    new = "x = autograd.where(mask, value, x)" if symbol.startswith("x[") else "x = x + ..."
    links = views_of(t)
    refuse_view_write(links, True, symbol)
    for n, s in enumerate([t] + [base for base, _, _ in links]):
        if s.grad_fn is None and s.requires_grad:
            of = "" if n == 0 else " (of which this tensor is a view)"
            raise RuntimeError(_LEAF_ERROR.format(view=of, symbol=symbol, new=new))
    root = links[-1][0] if links else t
    if op_class is SetItem and links and _repeats(t.data):  # (an expanded view)
        # written where it holds each element once: a write into root itself, where
        # t's elements that repeat the written ones change with them
        where = position(root, links, options["index"])
        record(root, symbol, SetItem, operand, index=where)
        return
    views = []  # the other live views of root (detach() and Tensor(t) share memory only)
    for o in aliases(t):
        if o is not root:
            chain = views_of(o)
            if chain and chain[-1][0] is root:
                views.append((o, chain))
    before = standing_for(t, op_class)
    try:
        result = op_class.apply(before, operand, **options)
    except (IndexError, ValueError, TypeError) as err:
        raise type(err)(
            f"{symbol} on a tensor of shape {t.shape} and dtype {t.dtype} with a value of "
            f"shape {np.shape(operand)}: {err}"
        ) from None
    if result.shape != t.shape:
        raise ValueError(
            f"in-place {symbol}: the result has shape {result.shape}, but the tensor has "
            f"{t.shape} (an in-place op cannot broadcast the tensor it writes into)"
        )
    if result.data is not t.data:
        np.copyto(writable(t.data), result.data, casting="same_kind")
    increment_version(t)
    rebase(t, result.grad_fn, before)
    if links:  # t's memory lies in root's: root changed too, at t's positions
        before = standing_for(root, SetItem)
        value = t if root.ndim else Reshape.apply(t, shape=())
        rebase(root, SetItem.apply(before, value, index=position(root, links)).grad_fn, before)
    for view, chain in views:  # each other view, made again from the new root
        before = standing_for(view, GetItem)
        rebase(view, remade(root, view, chain), before)


def views_of(t: Tensor) -> list[tuple[Tensor, Any, Any]]:
    """(base, how, flag) for each tensor that `t` is a view of, innermost first (`how`
    an index or a `autograd.ops.shape.ViewFn`, `flag` as `Tensor._view_of`'s): `x.T[1]`
    is a view of `x.T` at 1, itself a view of `x` made by `np.transpose`."""
    links = []
    link = getattr(t, "_view_of", None)
    while link is not None and t.data is link[2]:  # (not if t.data was replaced since)
        base, index, _, flag, fn, args = link
        links.append((base, index if fn is None else ViewFn(fn, *args), flag))
        t, link = base, getattr(base, "_view_of", None)
    return links


def position(root: Tensor, links: list[tuple[Tensor, Any, Any]], index: Any = None) -> Any:
    """Where the elements of the view reached through `links` (then taken at `index`)
    lie in `root`: its own index for a view `root[index]`, else an integer index array
    per axis (the view ops applied, in turn, to the positions of root's elements)."""
    if len(links) == 1 and index is None and type(links[0][1]) is not ViewFn:
        return as_index(links[0][1])
    where = np.arange(root.data.size).reshape(root.shape)
    for _, how, _ in reversed(links):
        if type(how) is ViewFn:
            where = how.fn(where, *how.args)
        else:
            where = where[as_index(how)]
    if index is not None:
        where = where[index]
    return np.unravel_index(where, root.shape) if root.ndim else ()


def _repeats(a: np.ndarray) -> bool:
    """True when some elements of `a` share memory (a stride of 0 along an axis longer
    than 1: numpy's broadcast, PyTorch's expand)."""
    return not a.flags.writeable and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))


def remade(root: Tensor, view: Tensor, chain: list[tuple[Tensor, Any, Any]]) -> Function:
    """The op that makes `view` again from `root` just written in place: its view of
    root's new value (a `GetItem`), or, for a view made under `no_grad` or by a
    multi-output op, one whose backward raises PyTorch's error."""
    flags = [flag for _, _, flag in chain if flag is not None]
    if flags:
        outputs = [flag for flag in flags if flag != NO_GRAD]
        if outputs:
            message = f"{outputs[0]} is a view and its base or another view of its base has "
            message += f"been modified inplace. {_MULTI_OUTPUT}"
        else:
            message = f"{_NO_GRAD_VIEW} and its base or another view of its base has been "
            message += f"modified inplace with grad mode enabled. {_AMBIGUOUS}"
        return _ModifiedView.apply(root, message=message).grad_fn
    if not root.ndim:
        return Reshape.apply(root, shape=view.shape).grad_fn
    return GetItem.apply(root, index=position(root, chain)).grad_fn


def spoil_views(t: Tensor) -> None:
    """After a write into `t`'s memory (any mode, `increment_version`): each live view
    of it made under `no_grad` or by a multi-output op, of a tensor that requires grad,
    can no longer be used in a graph, as in PyTorch: its op becomes one whose backward
    raises (`remade`)."""
    for o in (t, *aliases(t)):
        link = getattr(o, "_view_of", None)
        if link is None or link[3] is None or o.data is not link[2]:
            continue
        chain = views_of(o)
        if chain[-1][0].requires_grad:
            with enable_grad():
                rebase(o, remade(chain[-1][0], o, chain), standing_for(o, GetItem))


class _ModifiedView(Function):
    """Stands for a view PyTorch refuses to use after its base was written in place
    (`remade`): backward raises its error."""

    saves_inputs = False

    def forward(self, x, message):
        self.message = message
        return x

    def backward(self, dz, x):
        raise RuntimeError(self.message)


def standing_for(t: Tensor, op_class: type[Function]) -> Tensor:
    """A tensor standing for `t` as it is now, in the graph: its data, or a copy of it
    if `op_class`'s backward reads its input's value."""
    before = Tensor._make(t.data.copy() if op_class.saves_inputs else t.data)
    before.grad_fn, before.requires_grad = t.grad_fn, t.requires_grad
    return before


def rebase(t: Tensor, fn: Function, before: Tensor) -> None:
    """Make `t`, just written in place, the output of `fn`, whose first input `before`
    stands for `t` as it was."""
    fn.before = before
    if t.grad_fn is not None and before.data is t.data:
        # overwritten: the op that made t (now `before`) must raise if it reads its output
        before._version = t._version
    if t._hooks:  # hooks registered before the write see the gradient of the old value
        before._hooks, t._hooks = t._hooks, None
        watch_hooks(before)
    t.grad_fn, t.requires_grad = fn, True


def write(t: Tensor, ufunc: np.ufunc, other: Any, symbol: str) -> None:
    """Apply `ufunc(t.data, other)` into `t.data` and bump its version (`increment_version`)."""
    try:
        target = writable(t.data)
        ufunc(target, other, out=target, casting="same_kind")
    except (ValueError, TypeError) as err:
        shape = np.shape(other)
        kind = ValueError if isinstance(err, ValueError) else TypeError
        raise kind(
            f"in-place {symbol} on a tensor of shape {t.shape} and dtype {t.dtype} with an "
            f"operand of shape {shape}: {err}"
        ) from None
    increment_version(t)


_BINARY = {
    np.add: add,
    np.subtract: sub,
    np.multiply: mul,
    np.true_divide: div,
    np.floor_divide: floor_divide,
    np.remainder: remainder,
    np.power: power,
    np.matmul: matmul,
}
_COMPARISONS = (np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal)


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """What numpy does when a Tensor is an operand of one of its operators.

    - Writing into an ndarray (`w.data -= lr * w.grad`): the Tensors' data is used and
      the ndarray is updated in place, as numpy alone would do.
    - `ndarray + Tensor` and the other arithmetic operators: the Tensor op, recorded
      as `Tensor + ndarray` would be; comparisons give bool tensors.
    - Anything else (`np.exp(tensor)`): not supported, numpy raises a TypeError.
    """
    out = kwargs.get("out")
    if out is not None:
        if any(isinstance(o, Tensor) for o in out):
            return NotImplemented  # a Tensor is written with its own in-place operators
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        return getattr(ufunc, method)(*arrays, **kwargs)
    if method != "__call__" or kwargs or len(inputs) != 2:
        return NotImplemented
    if ufunc in _BINARY:
        return _BINARY[ufunc](*inputs)
    if ufunc in _COMPARISONS:
        return compare(ufunc, *inputs)
    return NotImplemented
