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
from typing import Any

import numpy as np

from autograd.function import Function, unbroadcast
from autograd.mode import set_grad_enabled
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
    """Functions reachable from `roots`, each before the functions that made its inputs."""
    order: list[Function] = []
    visited: set[Function] = set()
    stack: list[tuple[Function, bool]] = [(fn, False) for fn in roots]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        if fn in visited:
            continue
        visited.add(fn)
        if fn.inputs is None:
            raise RuntimeError(_FREED)
        stack.append((fn, True))
        for t in fn.inputs:
            parent = t.grad_fn
            if parent is not None and parent not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def _seed(root: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The starting gradient d(root)/d(root): ones for a scalar, else `gradient`."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn; "
            "create its inputs with requires_grad=True"
        )
    if root.dtype.kind not in "fc":
        raise TypeError(f"backward: the output must be a float tensor, got dtype {root.dtype}")
    if gradient is None:
        if root.size != 1:
            raise RuntimeError(
                f"backward: output of shape {root.shape} is not a scalar; pass gradient= "
                "of the same shape (or reduce it first, e.g. with .sum())"
            )
        g: Any = np.ones(root.shape, dtype=root.dtype)
    else:
        g = gradient if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=root.dtype)
        if g.shape != root.shape:
            raise ValueError(f"backward: gradient has shape {g.shape}, output has {root.shape}")
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor(g)
    return g.data if isinstance(g, Tensor) else g


def _run_hooks(t: Tensor, g: Any, tensor_mode: bool) -> Any:
    if t._hooks:
        for hook in list(t._hooks):
            new = hook(g if tensor_mode else Tensor._make(g))
            if new is not None:
                g = new if tensor_mode else np.asarray(new.data if isinstance(new, Tensor) else new)
    return g


def _add(acc: Any, g: Any) -> Any:
    return g if acc is None else acc + g


def _run(
    roots: Sequence[Tensor],
    seeds: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[int, Any] | None,
) -> None:
    """The backward pass shared by `backward` and `grad`.

    With `capture` (a dict from id(tensor) to None), gradients of those tensors are
    stored there instead of being accumulated into leaves' `.grad`.
    """
    grads: dict[Function, Any] = {}
    leaf_grads: dict[int, tuple[Tensor, Any, Any]] = {}  # id -> (tensor, grad, incoming dz)
    for root, g in zip(roots, seeds):
        if root.grad_fn is None:
            prev = leaf_grads.get(id(root))
            leaf_grads[id(root)] = (root, _add(prev and prev[1], g), g)
        else:
            grads[root.grad_fn] = _add(grads.get(root.grad_fn), g)
    order = toposort(list(grads))
    captured_fns = {}
    if capture is not None:
        captured_fns = {t.grad_fn: t for t in _captured(roots, order, capture)}
    prev_mode = Function.xp, Function.tensor_mode
    if create_graph:
        import autograd

        Function.xp, Function.tensor_mode = autograd, True
    try:
        with set_grad_enabled(create_graph):
            for fn in order:
                dz = grads.pop(fn, None)
                if dz is None:
                    continue
                if fn.hooked or _RetainGrads.active:
                    out = fn._out()
                    if out is not None:
                        dz = _run_hooks(out, dz, create_graph)
                        if out._retains_grad or _RetainGrads.active:
                            _accumulate(out, dz, dz, create_graph)
                if captured_fns and fn in captured_fns:
                    capture[id(captured_fns[fn])] = dz
                inputs = fn.inputs
                in_grads = fn.backward(dz, *(inputs if create_graph else [t.data for t in inputs]))
                if len(inputs) == 1 or type(in_grads) is not tuple:
                    in_grads = (in_grads,)
                for t, g in zip(inputs, in_grads):
                    if g is None or not t.requires_grad:
                        continue
                    if type(g) is not np.ndarray and not create_graph:
                        g = np.asarray(g)
                    if g.shape != t.shape:
                        g = unbroadcast(g, t.shape)
                    parent = t.grad_fn
                    if parent is not None:
                        grads[parent] = _add(grads.get(parent), g)
                    else:
                        prev = leaf_grads.get(id(t))
                        leaf_grads[id(t)] = (t, _add(prev and prev[1], g), dz)
    finally:
        Function.xp, Function.tensor_mode = prev_mode
    if not retain_graph:
        # Freed only now: an op's output may be held by nothing but a consumer that
        # backward already passed, and the op itself may still need it.
        for fn in order:
            fn.release()
    for t, g, dz in leaf_grads.values():
        g = _run_hooks(t, g, create_graph)
        if capture is not None:
            if id(t) in capture:
                capture[id(t)] = g
        else:
            _accumulate(t, g, dz, create_graph)


def _captured(roots: Sequence[Tensor], order: list[Function], capture: dict[int, Any]) -> list:
    """The non-leaf tensors among those whose gradients `grad` asked for."""
    found = [t for t in roots if id(t) in capture and t.grad_fn is not None]
    for fn in order:
        found.extend(t for t in fn.inputs if id(t) in capture and t.grad_fn is not None)
    return found


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
        shared = g is dz or g.base is not None or not g.flags.writeable
        if g.dtype != t.dtype or shared:
            g = g.astype(t.dtype, copy=True)
        t.grad = Tensor._make(g)
    elif t.grad.grad_fn is None and t.grad.data.flags.writeable:
        np.add(t.grad.data, g, out=t.grad.data, casting="unsafe")
    else:
        t.grad = Tensor._make(t.grad.data + g)


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
    capture: dict[int, Any] = {id(t): None for t in inputs}
    retain = create_graph if retain_graph is None else retain_graph
    _run(outputs, seeds, retain, create_graph, capture)
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
