"""The multi-tensor fast path of `Optimizer.step`: one update for a whole group.

The reference `step` applies the update rule parameter by parameter, a few numpy calls
each. Here the parameters of a group live in one contiguous array (each Parameter's
`.data` is a view into it), their gradients are gathered into a second one and their
state (``exp_avg``, ...) into others, and the same `_update` runs once on the
concatenations. An elementwise rule gives bit for bit the same numbers either way; the
group just pays a handful of numpy calls instead of a handful per parameter.

Preconditions, checked before every step by `optim.packing` (the reference runs when
one fails):

- the optimizer's `_grad` and `_update` are elementwise (`Optimizer.elementwise`);
- every parameter of the group has a gradient, and every parameter and gradient array
  has the same float dtype;
- the parameters are already in the group's buffer, or each one's array can move into
  it unseen: a contiguous (C or Fortran order), writeable array that owns its memory
  and that nothing but its Parameter refers to (an array held elsewhere, shared by two
  Parameters, or a view, stays where it is and the group keeps the reference path);
  so a module's `state_dict()`, whose Tensors share the parameters' arrays, follows
  every step as torch's does: while one taken before the first step is kept, the group
  steps by the reference, and one taken later shares the buffer's views;
- the parameters' states agree: all empty (before the first step), or the same keys,
  the same numbers (step counts) and arrays of each parameter's shape.

A parameter keeps its layout in the buffer: a Fortran-ordered (column-major) array
becomes ``buffer[a:b].reshape(shape, order="F")``, and its state arrays and gradient
are read in the same order, so the buffer's elements ``a:b`` are the parameter's
elements as they lie in memory. A gradient in the other layout is copied into that
order (correct, one pass slower).

A group is packed at its first step and repacked whenever something replaced a
parameter's array or state (``p.data = ...``, `load_state_dict`): each step checks,
by identity, that every ``p.data`` and state entry is still the one the buffer
installed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from autograd import Tensor

#: Bytes of each array that one chunk of the update covers (it should fit the CPU's
#: cache, several times over).
CHUNK_BYTES = 256 * 1024


def order_of(array: np.ndarray) -> Literal["C", "F"]:
    """The layout of `array`: "F" when it is in Fortran order only, otherwise "C" (a
    1-d array, or one with a single row or column, is both)."""
    flags = array.flags
    return "F" if flags.f_contiguous and not flags.c_contiguous else "C"


class FlatGroup:
    """One group's parameters and state, each in one contiguous array.

    The update runs over the buffer in chunks of at most `CHUNK_BYTES` per array, so
    that every array a rule touches several times (its work arrays, the chunk's state)
    stays in the CPU's cache from one numpy call to the next. A large parameter has
    chunks of its own, which read its gradient where it is; small parameters that
    follow each other share one chunk, their gradients copied side by side.

    Attributes:
        params: the group's parameters, in order.
        orders: each parameter's layout, "C" or "F" (see `order_of`).
        data: the parameters' buffer; ``params[i].data`` is ``views(data)[i]``.
        state: the group's state as the update rule sees it: numbers shared by every
            parameter, and arrays over the whole buffer.
        states: the per-parameter state dicts (those of `Optimizer.state`), whose
            arrays are views into the arrays of `state`.
    """

    def __init__(self, params: list[Tensor], states: list[dict[str, Any]]) -> None:
        self.params = list(params)
        self.shapes = [p.data.shape for p in params]
        self.orders = [order_of(p.data) for p in params]
        self.bounds = np.cumsum([0, *(p.data.size for p in params)]).tolist()
        self.data = self.concatenate([p.data for p in params])
        self.param_views = self.views(self.data)
        for p, view in zip(params, self.param_views, strict=True):
            p.data = view
        self.chunks = self._plan(max(1, CHUNK_BYTES // self.data.itemsize))
        shared = [b - a for a, b, pieces in self.chunks if len(pieces) > 1]
        self.grad = np.empty(max(shared, default=0), self.data.dtype)  # gathered gradients
        self.states = states
        self.state: dict[str, Any] = {}
        for key, value in states[0].items():
            if isinstance(value, np.ndarray):
                value = self.concatenate([s[key] for s in states])
            self.state[key] = value
        self._state_views: dict[str, list[np.ndarray]] = {}
        self.share_state()
        # What `ready` expects of each parameter: itself, its view, shape and state dict.
        self._expected = list(zip(self.params, self.param_views, self.shapes, states))

    def _plan(self, size: int) -> list[tuple[int, int, list[tuple[int, int, int, int]]]]:
        """Chunks (start, stop, pieces) of the buffer, each of at most `size` elements:
        a parameter of more than `size // 4` has chunks of its own (split in equal
        parts), smaller ones that follow each other share a chunk. A piece
        (i, lo, hi, at) is elements lo:hi of parameter i, at offset `at` in its chunk."""
        chunks: list[tuple[int, int, list[tuple[int, int, int, int]]]] = []
        bounds, group = self.bounds, list[int]()

        def close() -> None:
            if group:
                a = bounds[group[0]]
                pieces = [(i, 0, bounds[i + 1] - bounds[i], bounds[i] - a) for i in group]
                chunks.append((a, bounds[group[-1] + 1], pieces))
                group.clear()

        for i, (start, stop) in enumerate(itertools.pairwise(bounds)):
            n = stop - start
            if n > size // 4:  # copying it would cost more than a call of its own
                close()
                part = -(-n // -(-n // size))  # ceil(n / ceil(n / size))
                for lo in range(0, n, part):
                    hi = min(lo + part, n)
                    chunks.append((start + lo, start + hi, [(i, lo, hi, 0)]))
            else:
                if group and stop - bounds[group[0]] > size:
                    close()
                group.append(i)
        close()
        return chunks

    def views(self, buffer: np.ndarray) -> list[np.ndarray]:
        """Each parameter's part of a flat `buffer`, in the parameter's shape and layout."""
        b, orders = self.bounds, self.orders
        return [
            buffer[b[i] : b[i + 1]].reshape(shape, order=orders[i])
            for i, shape in enumerate(self.shapes)
        ]

    def concatenate(self, arrays: list[np.ndarray]) -> np.ndarray:
        """One flat array of `arrays` (one per parameter, of its shape), each read in its
        parameter's layout: the inverse of `views`."""
        return np.concatenate([a.ravel(order) for a, order in zip(arrays, self.orders)])

    def share_state(self) -> None:
        """Hand the group state to every parameter's dict (its numbers, and views into
        its arrays), and make each chunk's state dict (the same numbers, the chunk's
        part of the arrays). Views are made once per array: a new one (a momentum
        buffer made at the first step) gets its views here."""
        made, self._state_views = self._state_views, {}
        self.numbers = {k: v for k, v in self.state.items() if not isinstance(v, np.ndarray)}
        arrays = {k: v for k, v in self.state.items() if isinstance(v, np.ndarray)}
        for key, value in arrays.items():
            views = made.get(key)
            if views is None or views[0].base is not value:
                views = self.views(value)
            self._state_views[key] = views
            for s, view in zip(self.states, views, strict=True):
                s[key] = view
        for s in self.states:
            s.update(self.numbers)
        # Per chunk: its part of the parameters, where its gradient comes from (one
        # parameter's gradient, or pieces copied into the gather buffer) and its state.
        self._work: list[tuple[Any, ...]] = []
        for a, b, pieces in self.chunks:
            state = {**self.numbers, **{k: v[a:b] for k, v in arrays.items()}}
            if len(pieces) == 1:
                i, lo, hi, _ = pieces[0]
                self._work.append((self.data[a:b], i, slice(lo, hi), None, state))
            else:
                buffer = self.grad[: b - a]
                copies = [
                    (i, buffer[at : at + hi - lo].reshape(self.shapes[i], order=self.orders[i]))
                    for i, lo, hi, at in pieces
                ]
                self._work.append((self.data[a:b], -1, None, (buffer, copies), state))

    def ready(self, params: list[Tensor], state: dict[Tensor, dict[str, Any]]) -> bool:
        """True when the group still holds exactly what this buffer installed and every
        parameter has a gradient of its own shape and dtype."""
        expected = self._expected
        if len(params) != len(expected):  # none after `release`
            return False
        dtype, n_keys = self.data.dtype, len(self.state)
        for p, (mine, view, shape, s) in zip(params, expected):
            grad = p.grad
            if p is not mine or p.data is not view or grad is None or state.get(p) is not s:
                return False
            g = grad.data
            if g.shape != shape or (g.dtype is not dtype and g.dtype != dtype) or len(s) != n_keys:
                return False
        for key, value in self.numbers.items():
            for s in self.states:
                if s.get(key) is not value:
                    return False
        for key, views in self._state_views.items():
            for s, view in zip(self.states, views):
                if s.get(key) is not view:
                    return False
        return True

    def release(self) -> np.ndarray:
        """Forget the views handed out and return the parameters' buffer, so that a
        parameter still viewing it may move into a new one (see `movable`)."""
        self.param_views, self._expected = [], []
        self._state_views = {}
        return self.data

    def update(self, rule: Callable[[np.ndarray, np.ndarray, dict[str, Any]], None]) -> None:
        """Run `rule(p, g, state)` (an optimizer's `_grad` and `_update`) chunk by chunk:
        `p` a part of the buffer, `g` the gradients of that part, `state` the group
        state's numbers and the same part of its arrays."""
        params, numbers, orders = self.params, self.numbers, self.orders
        flat_i, flat_g = -1, self.grad
        for p, i, part, gather, state in self._work:
            if gather is None:  # a part of one parameter: its gradient as it is
                if i != flat_i:  # (a view, unless the gradient has the other layout)
                    flat_i, flat_g = i, params[i].grad.data.ravel(orders[i])
                g = flat_g[part]
            else:
                g, copies = gather
                for j, piece in copies:
                    piece[...] = params[j].grad.data
            if numbers:
                state.update(numbers)
            rule(p, g, state)
        first = self._work[0][4]
        new = False
        for key, value in first.items():
            if not isinstance(value, np.ndarray):
                numbers[key] = self.state[key] = value  # the same in every chunk
            elif key not in self._state_views or value.base is not self.state[key]:
                # made by the rule (a momentum buffer at the first step): join the parts
                self.state[key] = np.concatenate([work[4][key] for work in self._work])
                new = True
        if new:
            self.share_state()
        elif numbers:
            for s in self.states:
                s.update(numbers)
