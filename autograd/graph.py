"""Reverse-mode traversal: topological order, `backward` and `grad`.

Both walks are iterative, so a chain of 100,000 ops needs no recursion. The graph is
made of `Function` nodes: each holds its input tensors, and each non-leaf tensor holds
the function that made it (`grad_fn`). Gradients flow as raw ndarrays unless
`create_graph=True`, in which case they are Tensors and every step of the backward
pass is itself recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from heapq import heappop, heappush
from operator import attrgetter
from typing import Any

import numpy as np

from autograd.function import Function, scalar_array, unbroadcast
from autograd.mode import _GradMode
from autograd.tensor import Tensor

_FREED = (
    "the graph behind this tensor was already freed by an earlier backward; "
    "pass retain_graph=True to the first backward (or grad) to go through it twice"
)


class _RetainGrads:
    active = False


@contextmanager
def retain_grads() -> Iterator[None]:
    """Inside this block, backward keeps `.grad` on every non-leaf tensor it passes,
    as if `retain_grad()` had been called on each (used to draw gradients of a graph).
    """
    prev = _RetainGrads.active
    _RetainGrads.active = True
    try:
        yield
    finally:
        _RetainGrads.active = prev


def toposort(roots: Sequence[Function]) -> list[Function]:
    """Functions reachable from `roots`, each before the functions that made its inputs.

    Every recorded Function carries a creation number (`seq`), and a function's inputs
    were always made before it, so descending creation order is a topological order.
    """
    seen = set(roots)
    stack = list(seen)
    while stack:
        inputs = stack.pop().inputs
        if inputs is None:
            raise RuntimeError(_FREED)
        for t in inputs:
            parent = t.grad_fn
            if parent is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_by_seq, reverse=True)


_by_seq = attrgetter("seq")
_data = attrgetter("data")
_make = Tensor._make


def _seed(root: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The starting gradient d(root)/d(root): ones for a scalar, else `gradient`."""
    data = root.data
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn; "
            "create its inputs with requires_grad=True"
        )
    if data.dtype.kind not in "fc":
        raise TypeError(f"backward: the output must be a float tensor, got dtype {data.dtype}")
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"backward: output of shape {data.shape} is not a scalar; pass gradient= "
                "of the same shape (or reduce it first, e.g. with .sum())"
            )
        # A 0-d seed is shared and read-only: no op writes into its dz.
        g: Any = scalar_array(1, data.dtype) if not data.shape else np.ones(data.shape, data.dtype)
    else:
        g = gradient if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=root.dtype)
        if g.shape != root.shape:
            raise ValueError(f"backward: gradient has shape {g.shape}, output has {root.shape}")
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor(np.array(g))  # writable, its own
    return g.data if isinstance(g, Tensor) else g


def _run_hooks(t: Tensor, g: Any, tensor_mode: bool) -> Any:
    if t._hooks:
        for hook in list(t._hooks):
            new = hook(g if tensor_mode else Tensor._make(g))
            if new is not None:
                g = new if tensor_mode else np.asarray(new.data if isinstance(new, Tensor) else new)
    return g


def _run(
    roots: Sequence[Tensor],
    seeds: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    targets: Sequence[Tensor] | None,
) -> dict[int, Any]:
    """The backward pass shared by `backward` and `grad`.

    Functions run in descending creation order (`seq`), each once all the gradient
    of its output has been summed: a function's consumers were all made after it, so
    a heap of pending functions keyed by -seq hands them out in a valid order, and
    only functions that receive a gradient are ever visited.

    With `targets` (the inputs of `grad`), their gradients are returned in a dict by
    id(tensor) instead of being accumulated into leaves' `.grad`.
    """
    # seq -> [function, summed gradient of its output, the output tensor (kept alive
    # until the function has run, so its backward may still read `self.output`)]
    pending: dict[int, list[Any]] = {}
    heap: list[int] = []  # -seq of every pending function
    leaves: dict[int, list[Any]] = {}  # deferred leaves: id -> [tensor, summed grad, last dz]
    defer = targets is not None
    capture: dict[int, Any] = {}
    captured: dict[Function, Tensor] = {}
    if defer:
        capture = {id(t): None for t in targets}
        captured = {t.grad_fn: t for t in targets if t.grad_fn is not None}
    # A chain (each op feeding the next, as in an MLP) skips the queue: when nothing
    # else is pending, the one function that receives gradient runs next (`chain`).
    chain: list[Any] | None = None
    for root, g in zip(roots, seeds):  # seeds already have their root's shape
        if root.grad_fn is None:
            _to_leaf(root, g, g, leaves, defer)
        else:
            _push(pending, heap, root, g)
    if len(heap) == 1:
        chain = pending.pop(-heap.pop())
    watch = _RetainGrads.active
    # Class attributes are written only when they change: writing one to a class
    # (even the same value) resets the interpreter's attribute caches for it and
    # every subclass, which makes the next training step measurably slower.
    prev_enabled = _GradMode.enabled
    prev_xp = Function.xp, Function.tensor_mode
    if create_graph:
        import autograd

        Function.xp, Function.tensor_mode = autograd, True
    if prev_enabled != create_graph:
        _GradMode.enabled = create_graph
    try:
        while chain is not None or heap:
            if chain is not None:
                (fn, dz, _out), chain = chain, None
            else:
                fn, dz, _out = pending.pop(-heappop(heap))  # _out: alive while fn runs
            inputs = fn.inputs
            if inputs is None:
                raise RuntimeError(_FREED)
            if fn.hooked or watch:
                dz = _output_hooks(fn, dz, create_graph, keep=targets is None)
            if captured and fn in captured:
                capture[id(captured[fn])] = dz
            if create_graph:
                in_grads = fn.backward(dz, *inputs)
            else:
                in_grads = fn.backward(dz, *map(_data, inputs))
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            for t, g in zip(inputs, in_grads):
                if g is None or not t.requires_grad:
                    continue
                data = t.data
                if type(g) is not np.ndarray and not create_graph:
                    g = np.asarray(g)  # numpy returns scalars, not 0-d arrays, from some ops
                # A gradient of a broadcast input has more elements or more axes than it
                # (comparing two ints is cheaper than comparing two shape tuples).
                if g.size != data.size or g.ndim != data.ndim:
                    g = unbroadcast(g, data.shape)
                parent = t.grad_fn
                if parent is not None:
                    if pending or (chain is not None and chain[0] is not parent):
                        _push(pending, heap, t, g)
                    elif chain is None:
                        chain = [parent, g, t]
                    else:
                        chain[1] = chain[1] + g
                elif defer or t._hooks:
                    _to_leaf(t, g, dz, leaves, defer)
                elif t.grad is None and not create_graph and g is not dz and g.base is None:
                    # the usual first gradient after zero_grad: an array nothing else holds
                    t.grad = _make(g) if g.dtype is data.dtype else _fresh_grad(t, g)
                else:
                    _accumulate(t, g, dz, create_graph)
            if chain is not None and pending:  # not a chain here: queue it with the rest
                _push(pending, heap, chain[2], chain[1])
                chain = None
            if not retain_graph:
                # Drop fn's inputs and saved arrays at once (a later backward through
                # it raises _FREED): the next ops' outputs reuse that memory while it
                # is still in cache. Its inputs stay alive in `pending` while needed.
                fn.__dict__.clear()
    finally:
        if create_graph:
            Function.xp, Function.tensor_mode = prev_xp
        if prev_enabled != create_graph:
            _GradMode.enabled = prev_enabled
    for t, g, dz in leaves.values():
        if t._hooks:
            g = _run_hooks(t, g, create_graph)
        if targets is None:
            _accumulate(t, g, dz, create_graph)
        elif id(t) in capture:
            capture[id(t)] = g
    return capture


def _push(pending: dict[int, list[Any]], heap: list[int], t: Tensor, g: Any) -> None:
    """Add g to the gradient pending for t, the output of t.grad_fn, queueing that
    function if it is new."""
    fn = t.grad_fn
    entry = pending.get(fn.seq)
    if entry is None:
        pending[fn.seq] = [fn, g, t]
        heappush(heap, -fn.seq)
    else:
        entry[1] = entry[1] + g


def _to_leaf(t: Tensor, g: Any, dz: Any, leaves: dict, defer: bool) -> None:
    """Give leaf t its gradient g: straight into `.grad`, unless hooks or `grad()` need
    the pass's total first (then it is summed in `leaves`)."""
    if defer or t._hooks:
        entry = leaves.get(id(t))
        if entry is None:
            leaves[id(t)] = [t, g, dz]
        else:
            entry[1] = entry[1] + g
    else:
        _accumulate(t, g, dz, isinstance(g, Tensor))


def _output_hooks(fn: Function, dz: Any, create_graph: bool, keep: bool) -> Any:
    """Run the hooks of fn's output tensor; with `keep`, store its grad if it retains it
    (`grad()` passes keep=False: like PyTorch's, it leaves every `.grad` alone)."""
    out = fn._out()
    if out is not None:
        dz = _run_hooks(out, dz, create_graph)
        if keep and (out._retains_grad or _RetainGrads.active):
            _accumulate(out, dz, dz, create_graph)
    return dz


def _to_tensor(g: Any, create_graph: bool) -> Tensor:
    return g if create_graph else Tensor._make(g)


def _accumulate(t: Tensor, g: Any, dz: Any, create_graph: bool) -> None:
    """Add g into t.grad: in place when possible, never writing into a shared array."""
    if create_graph:
        if g.dtype != t.dtype:
            g = g.astype(t.dtype)
        t.grad = g if t.grad is None else t.grad + g
        return
    if t.grad is None:
        # The array may be shared (an op passing dz through, a view, the caller's
        # gradient): copy it then, so later in-place accumulation cannot alias.
        if g is dz or g.base is not None:  # views include read-only broadcasts
            g = g.astype(t.data.dtype, copy=True)
        t.grad = _fresh_grad(t, g)
    elif t.grad.grad_fn is None and t.grad.data.flags.writeable:
        np.add(t.grad.data, g, out=t.grad.data, casting="unsafe")
    else:
        t.grad = Tensor._make(t.grad.data + g)


def _fresh_grad(t: Tensor, g: np.ndarray) -> Tensor:
    """The gradient Tensor for t from an array g that nothing else holds."""
    dtype = t.data.dtype
    return _make(g if g.dtype is dtype or g.dtype == dtype else g.astype(dtype))


def backward(
    root: Tensor, gradient: Any = None, retain_graph: bool = False, create_graph: bool = False
) -> None:
    """Accumulate d(root)/d(leaf) into `.grad` of every leaf that requires grad."""
    seed = _seed(root, gradient, create_graph)
    _run([root], [seed], retain_graph or create_graph, create_graph, None)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of `outputs` with respect to `inputs`, returned (not stored in `.grad`).

    Args:
        outputs: a tensor or a sequence of tensors to differentiate.
        inputs: the tensors to differentiate with respect to (leaves or not).
        grad_outputs: the vector(s) in the vector-Jacobian product; None for scalars.
        retain_graph: keep the graph for another pass (defaults to `create_graph`).
        create_graph: make the returned gradients differentiable (higher order).
        allow_unused: return None for an input the outputs do not depend on,
            instead of raising.

    Returns:
        A tuple with one gradient per input.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = (
            [grad_outputs] * len(outputs)
            if len(outputs) == 1 or grad_outputs is None
            else [grad_outputs]
        )
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    seeds = [_seed(o, g, create_graph) for o, g in zip(outputs, grad_outputs)]
    retain = create_graph if retain_graph is None else retain_graph
    capture = _run(outputs, seeds, retain, create_graph, inputs)
    result: list[Tensor | None] = []
    for i, t in enumerate(inputs):
        g = capture[id(t)]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            result.append(None)
        else:
            result.append(_to_tensor(g, create_graph))
    return tuple(result)
