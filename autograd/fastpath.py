"""The backward pass of a training step: `autograd.graph.walk` specialised for speed.

`backward_fast` computes exactly what the reference walk computes, and `backward`
chooses it with one `if` when its preconditions hold. A test runs the whole graph
suite on both walks and compares them on random graphs.
"""

from __future__ import annotations

import sys
import weakref
from heapq import heappop, heappush
from operator import attrgetter
from typing import Any

import numpy as np

from autograd import graph
from autograd.function import Function, as_used_by, unbroadcast
from autograd.graph import FREED
from autograd.mode import state
from autograd.tensor import Tensor

_make = Tensor._make
_ref = weakref.ref
_refs = sys.getrefcount


def _walk_refs() -> int:
    """What `_refs(out)` counts in `backward_fast` for an output tensor that only the
    walk holds: its local variable and the thread's lent output (measured the same
    way, so it holds for any interpreter)."""
    out = _make(np.empty(0))
    prev, state.output = state.output, out
    count = _refs(out)
    state.output = prev
    return count


_HELD_BY_WALK = _walk_refs()
_ndarray = np.ndarray  # a global: numpy's module `__getattr__` makes `np.x` a slow lookup
_data = attrgetter("data")


def backward_fast(root: Tensor, seed: np.ndarray, retain_graph: bool) -> None:
    """Accumulate d(root)/d(leaf) into `.grad` of every leaf, like `walk([root], [seed])`.

    Preconditions (checked by `autograd.graph.backward`):
    - one root, and `seed` is an ndarray of its shape (not `create_graph`): every
      gradient is an ndarray (a numpy scalar on the scalar path, below) and no op
      records a graph;
    - no live tensor has a hook or `retain_grad()`, no node has hooks of its own
      (`Function.register_hook`), and `retain_grads()` is off, so no gradient needs
      to be seen or changed before it reaches a leaf;
    - anomaly detection (`autograd.anomaly`) is off: nothing checks the ops;
    - not `grad()`: every leaf gradient goes into `.grad`.

    How it saves time over the reference walk:
    - no topological sort of the whole graph: a heap of pending functions keyed by
      -seq hands them out in the same order, and only functions that receive a
      gradient are visited;
    - a chain (each op feeding the next, as in an MLP) skips the heap: when nothing
      else is pending, the one function that receives gradient runs next (`chain`);
    - a leaf's first gradient, when it is an array that nothing else holds (not the
      dz passed through, not a view), becomes its `.grad` without a copy;
    - what the graph keeps afterwards (`graph.Keeper`'s rule) is decided with a few
      local variables instead of a method call per op, and a released op keeps a
      weak reference to its output only when something besides the walk holds it
      (a user's variable; otherwise the output is gone once the walk drops it, and
      the reference would be one more object per op for the garbage collector);
    - the scalar path (`Function.scalars`): an arithmetic op whose output is 0-d (so
      are its inputs) gets numpy scalars instead of 0-d arrays, and its gradients
      stay scalars until an op that needs arrays receives them; a leaf's scalar
      gradients are summed as they come and added to its `.grad` once at the end, as
      the reference walk adds a leaf's total.
    """
    # seq -> [function, summed gradient of its output, the output tensor (kept alive
    # until the function has run, and lent to it then as `self.output`)]
    pending: dict[int, list[Any]] = {}
    heap: list[int] = []  # -seq of every pending function
    if root.grad_fn is None:
        graph.accumulate(root, seed, False)
        return
    chain: list[Any] | None = [root.grad_fn, seed, root]
    leaf_sums: dict[Tensor, Any] = {}  # leaf -> the sum of its scalar gradients
    kept: list[Any] | None = []  # (op, output) passed while the graph is small enough to keep
    budget = graph.KEEP_BYTES  # less the bytes of the values seen so far
    nodes = graph.KEEP_NODES
    prev = state.grad_enabled, state.tensor_backward, state.output
    state.grad_enabled = False
    if prev[1]:  # only inside a create_graph pass (a hook running backward)
        state.tensor_backward = False
    try:
        while chain is not None or heap:
            if chain is not None:
                (fn, dz, out), chain = chain, None
            else:
                fn, dz, out = pending.pop(-heappop(heap))
            if fn.spent:
                raise RuntimeError(FREED)
            inputs = fn.inputs
            if fn.saves_inputs:
                version = 0
                for t in inputs:  # (a loop: cheaper than sum(map(...)) for 1-3 inputs)
                    version += t._version
                if version != fn.version:
                    fn.check_versions()
            scalar = fn.scalars and not out.data.shape
            state.output = out  # `lend_output`, inlined: `self.output` in backward
            if scalar:  # the scalar path: every input is 0-d too
                if type(dz) is _ndarray:
                    dz = dz[()]
                if len(inputs) == 2:
                    in_grads = fn.backward(dz, inputs[0].data[()], inputs[1].data[()])
                else:
                    in_grads = fn.backward(dz, inputs[0].data[()])
            else:
                if type(dz) is not _ndarray:  # a scalar from the scalar path
                    dz = np.asarray(dz)
                if len(inputs) == 2:  # fixed-size calls: far cheaper than unpacking
                    in_grads = fn.backward(dz, inputs[0].data, inputs[1].data)
                elif len(inputs) == 1:
                    in_grads = fn.backward(dz, inputs[0].data)
                elif len(inputs) == 3:
                    in_grads = fn.backward(dz, inputs[0].data, inputs[1].data, inputs[2].data)
                else:
                    in_grads = fn.backward(dz, *map(_data, inputs))
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            for t, g in zip(inputs, in_grads):
                if g is None or not t.requires_grad:
                    if kept is not None and not t.requires_grad:
                        budget -= t.data.nbytes  # a constant the kept graph would hold
                    continue
                if not scalar:
                    data = t.data
                    if type(g) is not _ndarray:
                        g = np.asarray(g)  # numpy returns scalars, not 0-d arrays, from some ops
                    # A gradient of a broadcast input has more elements or more axes than it
                    # (comparing two ints is cheaper than comparing two shape tuples), or,
                    # when the input is empty and was stretched along a length-1 axis,
                    # the same number of elements (none) in another shape.
                    if g.size != data.size or g.ndim != data.ndim or not g.size:
                        if g.shape != data.shape:
                            g = unbroadcast(g, data.shape)
                parent = t.grad_fn
                if parent is not None and parent.seq > fn.seq:  # written in place since
                    t = as_used_by(t, fn.seq)
                    parent = t.grad_fn
                    if not t.requires_grad:
                        continue
                if parent is None:
                    if scalar:
                        total = leaf_sums.get(t)
                        leaf_sums[t] = g if total is None else total + g
                    elif (
                        t.grad is None and g is not dz and g.base is None and g.dtype is data.dtype
                    ):
                        t.grad = _make(g)  # the usual first gradient: an array nothing else holds
                    else:
                        graph.accumulate(t, g, False, owned=g is not dz and g.base is None)
                elif pending or (chain is not None and chain[0] is not parent):
                    # `_push`, inlined: its call was a tenth of a scalar graph's walk
                    seq = parent.seq
                    entry = pending.get(seq)
                    if entry is None:
                        pending[seq] = [parent, g, t]
                        heappush(heap, -seq)
                    else:
                        entry[1] = entry[1] + g
                elif chain is None:
                    chain = [parent, g, t]
                else:
                    chain[1] = chain[1] + g
            if chain is not None and pending:  # not a chain here: queue it with the rest
                _push(pending, heap, chain[2], chain[1])
                chain = None
            if kept is not None:
                budget -= out.data.nbytes
                if budget >= 0 and len(kept) < nodes:
                    fn.out_grad = dz if type(dz) is _ndarray else np.asarray(dz)
                    kept.append((fn, out))
                else:  # too large to keep: release what was kept, then each op as it passes
                    kept.append((fn, out))
                    graph.Keeper.give_up(kept, retain_graph)
                    kept = None
            elif not retain_graph:  # `fn.release(out)`, inlined
                if _refs(out) > _HELD_BY_WALK:  # held elsewhere: a drawing may still show it
                    fn._out_ref = _ref(out)
                fn.inputs = None
                if not scalar:  # (ops on the scalar path save nothing on themselves)
                    fn.__dict__.clear()
            if not retain_graph:
                fn.spent = True
        for t, total in leaf_sums.items():
            graph.accumulate(t, np.array(total), False, owned=True)
    finally:
        state.grad_enabled, state.output = prev[0], prev[2]
        if prev[1]:
            state.tensor_backward = True


def _push(pending: dict[int, list[Any]], heap: list[int], t: Tensor, g: Any) -> None:
    """Add g to the gradient pending for t, the output of t.grad_fn, queueing that
    function if it is new."""
    fn: Function = t.grad_fn
    entry = pending.get(fn.seq)
    if entry is None:
        pending[fn.seq] = [fn, g, t]
        heappush(heap, -fn.seq)
    else:
        entry[1] = entry[1] + g
