"""When a group may take the multi-tensor path (`optim.flat`), and its packing.

`prepare` runs at every step of a group whose rule is elementwise: it hands back the
group's `FlatGroup` while that still holds what it installed, packs the group (again)
when the preconditions listed in `optim.flat` hold, and returns None otherwise, so
the step runs the per-parameter reference.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from autograd import Tensor
from optim.flat import FlatGroup


def _refs(array: np.ndarray) -> int:
    return sys.getrefcount(array)


class _Holder:
    __slots__ = ("data",)
    data: np.ndarray


def _counted(array: np.ndarray) -> int:
    return _refs(array)  # called as `movable` calls `_refs`: the same references


def _sole_refs() -> int:
    """What `movable` counts for an array held by one attribute and nothing else."""
    holder = _Holder()
    holder.data = np.empty(1)
    return _counted(holder.data)


_SOLE = _sole_refs()


def movable(array: Any, released: np.ndarray | None = None) -> bool:
    """True when `array` (read from an attribute) can be replaced by a copy unseen:
    it owns its memory (or is a view into `released`, a group's former buffer)."""
    return (
        type(array) is np.ndarray
        and (array.base is None or array.base is released)
        and (array.flags.c_contiguous or array.flags.f_contiguous)
        and array.flags.writeable
        and _refs(array) <= _SOLE
    )


def prepare(opt: Any, index: int, group: dict[str, Any]) -> FlatGroup | None:
    """The buffers of `opt`'s group number `index`, packed or repacked if needed, or
    None when the preconditions listed in `optim.flat` do not hold this step."""
    params = group["params"]
    flat = opt._flat.get(index)
    if flat is not None and flat.ready(params, opt.state):
        return flat
    released = flat.release() if flat is not None else None
    new = opt.empty_state_is_new
    if not packable(params, opt.state, released, new):
        return None  # the released buffer is kept: its views may move later
    states = [opt.state.get(p) for p in params]
    if is_new(states[0], new):
        states = [opt._init_state(p.data, group) for p in params]
        opt.state.update(zip(params, states, strict=True))
    flat = opt._flat[index] = FlatGroup(params, states)
    return flat


def is_new(state: dict[str, Any] | None, empty_is_new: bool) -> bool:
    """Whether a parameter's state is still to be made (see
    `Optimizer.empty_state_is_new`)."""
    return state is None or (empty_is_new and not state)


def packable(
    params: list[Tensor],
    state: dict[Tensor, dict[str, Any]],
    released: np.ndarray | None = None,
    empty_is_new: bool = True,
) -> bool:
    """True when the group meets the preconditions listed in `optim.flat`;
    `released` is the group's former buffer, if it had one; `empty_is_new` tells
    whether an empty state is one still to be made."""
    first = params[0] if params else None
    if first is None or first.grad is None:
        return False
    dtype = first.data.dtype
    if dtype.kind != "f":
        return False
    # The cheap per-parameter checks first: a group that cannot be packed (an array
    # held elsewhere, a parameter without gradient) fails them at every step.
    if not all(
        p.grad is not None
        and p.data.dtype == dtype
        and p.grad.data.dtype == dtype
        and p.grad.data.shape == p.data.shape
        and movable(p.data, released)
        for p in params
    ):
        return False
    states = [state.get(p) for p in params]
    return all(is_new(s, empty_is_new) for s in states) or _uniform(params, states)


def _uniform(params: list[Tensor], states: list[dict[str, Any] | None]) -> bool:
    """Every state has the same keys and numbers, and arrays of its parameter's shape."""
    first = states[0]
    if first is None:
        return False
    for p, s in zip(params, states, strict=True):
        if s is None or s.keys() != first.keys():
            return False
        for key, value in s.items():
            if isinstance(value, np.ndarray):
                if value.shape != p.data.shape:
                    return False
            elif isinstance(first[key], np.ndarray) or value != first[key]:
                return False
    return True
