"""In-place operators `+= -= *= /=`, with PyTorch's rules, and numpy operators on Tensors.

Every tensor carries a version number that each in-place write bumps, together with
the versions of every tensor sharing its memory (views, `detach()`). An op remembers
the versions of its inputs when it runs, and backward raises a clear error naming the
op if an input it reads was changed since (`Function.check_versions`), so a gradient
is never silently computed from values that were overwritten. As in PyTorch, a
product checks only the factors its gradients need (`Function.read_inputs`): after
`y = x * 2`, writing `x` in place leaves `y.backward()` right, and allowed.

The rules for `t += x` (the others alike):

- grad mode off (`no_grad`), or nothing involved requires grad: write into `t.data`,
  bump the version, keep `t` itself. The manual SGD step
  `with no_grad(): w -= lr * w.grad` leaves `w` the same leaf, still requiring grad.
- grad mode on and `t` a leaf that requires grad: a RuntimeError (the step that made
  the leaf's value could no longer be told apart from the update).
- grad mode on and `t` shares its memory with other live tensors (a view, a base of
  views, `detach()`): a RuntimeError, since the op would change their values without
  their gradients knowing (PyTorch rewrites their graphs; this engine does not).
- grad mode on otherwise (`t` made by ops, or `x` requires grad): the op is recorded.
  Its result is written into `t.data` and comes back as a new tensor sharing that
  data, whose `grad_fn` is the op; `t` keeps its place in the graph, so ops that
  used it before still send their gradient to where `t` came from. When the op's
  backward reads its inputs (`*=`, `/=`), it reads a copy of the old value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function
from autograd.mode import state
from autograd.ops.arith import Add, Div, Mul, Sub, add, compare, div, matmul, mul, power, sub
from autograd.ops.shape import as_index
from autograd.tensor import Tensor, aliases, increment_version

_OPS: dict[np.ufunc, tuple[type[Function], str]] = {
    np.add: (Add, "+="),
    np.subtract: (Sub, "-="),
    np.multiply: (Mul, "*="),
    np.true_divide: (Div, "/="),
}

_LEAF_ERROR = (
    "a leaf tensor that requires grad is used in an in-place operation ({symbol}): "
    "update it under `with autograd.no_grad():` (as an optimizer step does), or build "
    "a new tensor with x = x {op} ..."
)

_ALIAS_ERROR = (
    "in-place {symbol} on a tensor whose data is shared with other tensors (of shapes "
    "{shapes}: views such as x[1:], x.T, x.reshape(...), or x.detach()) while a graph is "
    "recorded: the gradients through those tensors would miss this op. Build a new "
    "tensor with x = x {op} ..., or write under `with autograd.no_grad():`"
)


def update(t: Tensor, ufunc: np.ufunc, other: Any) -> Tensor:
    """`t <op>= other` for one of `np.add`, `np.subtract`, `np.multiply`,
    `np.true_divide`; returns what the name `t` is bound to afterwards."""
    op_class, symbol = _OPS[ufunc]
    other_grad = isinstance(other, Tensor) and other.requires_grad
    if not state.grad_enabled or not (t.requires_grad or other_grad):
        write(t, ufunc, other.data if isinstance(other, Tensor) else other, symbol)
        return t
    if t.grad_fn is None and t.requires_grad:
        raise RuntimeError(_LEAF_ERROR.format(symbol=symbol, op=symbol[0]))
    others = aliases(t)
    if others:
        shapes = ", ".join(str(o.shape) for o in others)
        raise RuntimeError(_ALIAS_ERROR.format(symbol=symbol, op=symbol[0], shapes=shapes))
    old = t
    if op_class.saves_inputs:  # backward reads the old value: give it one of its own
        old = Tensor._make(t.data.copy())
        old.grad_fn, old.requires_grad = t.grad_fn, t.requires_grad
    result = op_class.apply(old, other)
    if result.shape != t.shape:
        raise ValueError(
            f"in-place {symbol}: the result has shape {result.shape}, but the tensor has "
            f"{t.shape} (an in-place op cannot broadcast the tensor it writes into)"
        )
    np.copyto(t.data, result.data, casting="same_kind")
    increment_version(t)
    result.data = t.data  # the new node and `t` share one array, as one storage in PyTorch
    result._version = t._version
    return result


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """`t[index] = value`: written into `t.data` (bumping the versions) when no graph is
    recorded; with grad mode on and `t` or `value` requiring grad, a RuntimeError (PyTorch
    would record the write into `t`'s graph, which this engine cannot do in place)."""
    value_grad = isinstance(value, Tensor) and value.requires_grad
    if state.grad_enabled and (t.requires_grad or value_grad):
        what = "a leaf tensor that requires grad" if t.is_leaf else "a tensor in a graph"
        if value_grad and not t.requires_grad:
            what = "a tensor, with a value that requires grad,"
        raise RuntimeError(
            f"x[index] = value on {what} while grad mode is on: the write would not be "
            "recorded. Write under `with autograd.no_grad():` (as an optimizer step "
            "does), or build a new tensor, e.g. x = autograd.where(mask, value, x)"
        )
    try:
        t.data[as_index(index)] = value.data if isinstance(value, Tensor) else value
    except (IndexError, ValueError, TypeError) as err:
        raise type(err)(
            f"x[index] = value on a tensor of shape {t.shape} and dtype {t.dtype} with a "
            f"value of shape {np.shape(value)}: {err}"
        ) from None
    increment_version(t)


def write(t: Tensor, ufunc: np.ufunc, other: Any, symbol: str) -> None:
    """Apply `ufunc(t.data, other)` into `t.data` and bump its version (`increment_version`)."""
    try:
        ufunc(t.data, other, out=t.data, casting="same_kind")
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
