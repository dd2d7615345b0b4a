"""Backpropagation step by step: one drawing per op, in the order the engine runs them.

The engine walks the ops in `autograd.toposort([root.grad_fn])` order. When it reaches
an op, the gradient of the op's output is complete (every use of that tensor came
later in the forward pass, so it was processed earlier in the backward pass). The op's
`backward` then adds one share to the gradient of each input; a tensor used twice
collects two shares. Step k draws the graph right after the k-th op:

- the op and its output are outlined in red;
- a tensor whose every use has been processed shows its complete gradient, as the
  engine computes it (taken from a real `autograd.grad` pass over the same graph);
- a tensor with uses still to come shows `grad (partial)`: the sum of the shares so far.

Tensors without a name are called `t1`, `t2`, ... (in forward order) in the drawings
and the captions, so that a caption names one tensor even when two ops share a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphviz
import numpy as np

from autograd.function import Function, lend_output, unbroadcast
from autograd.graph import FREED, grad
from autograd.tensor import Tensor
from autograd.viz.draw import ComputationGraph, Drawing, prepare
from autograd.viz.labels import describe_shape
from autograd.viz.modules import hidden_tensors


@dataclass
class BackpropStep:
    """One step: the op processed, a caption saying what happens, and the drawing."""

    function: Function
    caption: str
    graph: graphviz.Digraph


def engine_gradients(graph: ComputationGraph, gradient: Any = None) -> dict[int, np.ndarray]:
    """id(tensor) -> the gradient the engine computes for it, for every tensor reached.

    Runs `autograd.grad` with `retain_graph=True`, so the graph survives; every
    tensor's `.grad` is restored afterwards, so drawing has no side effects.
    """
    wanted = [t for t in graph.tensors if t.requires_grad]
    saved = [(t, t.grad) for t in graph.tensors]
    try:
        grads = grad(graph.root, wanted, gradient, retain_graph=True, allow_unused=True)
    finally:
        for t, g in saved:
            t.grad = g
    return {id(t): g.data for t, g in zip(wanted, grads) if g is not None}


def shares(fn: Function, out: Tensor, dz: np.ndarray) -> list[tuple[Tensor, np.ndarray]]:
    """What `fn.backward` sends to each input that requires grad, summed to its shape,
    given `dz`, the gradient of its output `out`."""
    inputs = fn.inputs
    with lend_output(out):
        in_grads = fn.backward(dz, *[t.data for t in inputs])
    if len(inputs) == 1 or type(in_grads) is not tuple:
        in_grads = (in_grads,)
    sent = []
    for t, g in zip(inputs, in_grads):
        if g is None or not t.requires_grad:
            continue
        g = np.asarray(g)
        sent.append((t, g if g.shape == t.shape else unbroadcast(g, t.shape)))
    return sent


def step_names(drawing: Drawing) -> dict[int, str]:
    """id(tensor) -> `t1`, `t2`, ... for the drawn tensors that have no name, in forward order."""
    hidden = hidden_tensors(drawing.graph, drawing.groups)
    unnamed = [
        t
        for t in drawing.graph.tensors
        if id(t) not in hidden and not (drawing.names.get(id(t)) or t.name)
    ]
    return {id(t): f"t{k}" for k, t in enumerate(unnamed, 1)}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _caption(fn: Function, out: Tensor, sent: list, names: dict[int, str]) -> str:
    def called(t: Tensor) -> str:
        return names.get(id(t)) or t.name or f"a {describe_shape(t.shape, t.dtype)} tensor"

    target = called(out)
    if not sent:
        return f"{fn.op_name}: no input of this op needs a gradient"
    receivers = _and(list(dict.fromkeys(called(t) for t, _ in sent)))
    return (
        f"{fn.op_name}: grad of {target} is complete; "
        f"backward adds a share to the grad of {receivers}"
    )


def backprop_walkthrough(
    root: Tensor, gradient: Any = None, titles: bool = True, **draw_kwargs: Any
) -> list[BackpropStep]:
    """The steps of `backprop_steps`, each with its op and caption (see the module doc).

    With `titles=False` the drawings carry no "Step k / n: caption" title (a page that
    prints the caption beside the drawing would otherwise show it twice).

    Raises:
        RuntimeError: the graph was already gone through by a backward without
            `retain_graph=True` (the steps run the engine through it once more).
    """
    if root.grad_fn is not None and root.grad_fn.spent:
        raise RuntimeError(f"backprop_steps: {FREED}; or draw the steps before backward")
    drawing = prepare(root, **draw_kwargs)
    drawing.labels = step_names(drawing)
    graph, names = drawing.graph, {**drawing.labels, **drawing.names}
    if not graph.functions:
        return []
    engine = engine_gradients(graph, gradient)
    uses_left = {id(t): len(graph.consumers.get(id(t), [])) for t in graph.tensors}
    partial = {id(root): engine[id(root)]}

    def grad_of(t: Tensor) -> tuple[np.ndarray | None, str]:
        if id(t) not in partial:
            return None, ""
        if uses_left[id(t)] == 0:
            return engine.get(id(t), partial[id(t)]), ""
        return partial[id(t)], " (partial)"

    steps = []
    n = len(graph.functions)
    for k, fn in enumerate(graph.functions, 1):
        out = graph.outputs[fn]
        dz = engine.get(id(out))
        sent = [] if dz is None else shares(fn, out, dz)
        for t in graph.inputs[fn]:
            uses_left[id(t)] -= 1
        for t, g in sent:
            partial[id(t)] = partial[id(t)] + g if id(t) in partial else g
        caption = _caption(fn, out, sent, names)
        title = f"Step {k} / {n}: {caption}" if titles else None
        picture = drawing.digraph(grad_of, [fn, out], title)
        steps.append(BackpropStep(fn, caption, picture))
    return steps


def backprop_steps(
    root: Tensor, gradient: Any = None, **draw_kwargs: Any
) -> list[graphviz.Digraph]:
    """One drawing per step of the backward pass from `root`, in the engine's order.

    There is one step per op (`len(autograd.toposort([root.grad_fn]))` steps). Step k
    outlines the k-th op and its output in red, and shows every gradient known right
    after the engine processed that op: complete ones, and sums still accumulating
    marked `grad (partial)`. The graph must not be freed (draw before `backward`, or
    use `retain_graph=True`); the user's `.grad` values are left untouched.

    Args:
        root: the output to differentiate; a scalar unless `gradient` is given.
        gradient: d(something)/d(root) for a non-scalar root, as in `backward`.
        **draw_kwargs: options of `draw_graph` (`show_data`, `rankdir`, `max_elements`,
            `params`, `collapse_modules`).

    Returns:
        A list of `graphviz.Digraph`, one per op; each shows itself inline in Jupyter.
    """
    return [step.graph for step in backprop_walkthrough(root, gradient, **draw_kwargs)]
