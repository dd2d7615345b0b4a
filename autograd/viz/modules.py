"""Record which tensors each module of a model reads and returns, to draw layers as boxes.

`trace_modules(model)` registers a forward hook on the model's layers while the forward
pass runs. `draw_graph(loss, collapse_modules=trace)` then draws every op between a
layer's input tensors and its output as one node, such as `0: Linear(784->64)`.
It is duck-typed: any object with `named_modules()` whose modules have
`register_forward_hook(hook)` (called as `hook(module, inputs, output)` and returning a
handle with `.remove()`) works.
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from autograd.function import Function, as_used_by
from autograd.tensor import Tensor
from autograd.viz.labels import GRAD_COLOR, describe_shape, format_array, table

# The latest trace of each model, so `collapse_modules=model` works after a trace.
_latest: weakref.WeakKeyDictionary[Any, ModuleTrace] = weakref.WeakKeyDictionary()


@dataclass
class ModuleCall:
    """One call of one module: its dotted name, the module, and the tensors in and out."""

    name: str
    module: Any
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]

    @property
    def label(self) -> str:
        """`0: Linear(784->64)`: the name, the class and, for linear layers, the sizes."""
        module = self.module
        sizes = ""
        if hasattr(module, "in_features") and hasattr(module, "out_features"):
            sizes = f"({module.in_features}->{module.out_features})"
        return f"{self.name}: {type(module).__name__}{sizes}"


@dataclass
class ModuleTrace:
    """What `trace_modules` saw: the model and its module calls in the order they returned."""

    model: Any
    calls: list[ModuleCall] = field(default_factory=list)


def _tensors(value: Any) -> tuple[Tensor, ...]:
    """The tensors in a module's arguments or result (a tensor, or nested tuples/lists)."""
    if isinstance(value, Tensor):
        return (value,)
    if isinstance(value, (tuple, list)):
        return tuple(t for item in value for t in _tensors(item))
    return ()


def _selected(model: Any, depth: int | None) -> list[tuple[str, Any]]:
    named = [(n, m) for n, m in model.named_modules() if n and m is not model]
    if depth is None:  # the layers: modules without submodules
        return [(n, m) for n, m in named if not any(o.startswith(n + ".") for o, _ in named)]
    if depth < 1:
        raise ValueError(f"trace_modules: depth must be >= 1 (1 = direct children), got {depth}")
    return [(n, m) for n, m in named if n.count(".") + 1 == depth]


@contextmanager
def trace_modules(model: Any, depth: int | None = None) -> Iterator[ModuleTrace]:
    """Record each module call's input and output tensors while the forward pass runs.

    Args:
        model: a module with `named_modules()` (e.g. an `nn.Sequential` or `nn.MLP`).
        depth: which modules become boxes: None for the layers (modules without
            submodules), 1 for the model's direct children, 2 for their children, ...

    Yields:
        A `ModuleTrace`, filled as the forward runs; pass it (or the model) to
        `draw_graph(..., collapse_modules=...)`.

    Example:
        with viz.trace_modules(model) as trace:
            loss = loss_fn(model(x), y)
        viz.draw_graph(loss, collapse_modules=trace)
    """
    if not hasattr(model, "named_modules"):
        raise TypeError(
            f"trace_modules: expected a module with named_modules(), got {type(model).__name__}"
        )
    trace = ModuleTrace(model)

    def make_hook(name: str) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            trace.calls.append(ModuleCall(name, module, _tensors(inputs), _tensors(output)))

        return hook

    handles = [m.register_forward_hook(make_hook(n)) for n, m in _selected(model, depth)]
    try:
        yield trace
    finally:
        for handle in handles:
            handle.remove()
        _latest[model] = trace


def as_trace(collapse: Any) -> ModuleTrace:
    """A `ModuleTrace`, or the latest trace of a model given instead."""
    if isinstance(collapse, ModuleTrace):
        return collapse
    try:
        return _latest[collapse]
    except (KeyError, TypeError):
        raise ValueError(
            f"collapse_modules: no trace of this {type(collapse).__name__}; record one with "
            "`with autograd.viz.trace_modules(model) as trace: loss = ...` and pass "
            "collapse_modules=trace"
        ) from None


@dataclass
class Group:
    """The ops of one module call, drawn as one node."""

    call: ModuleCall
    functions: set[Function]


def module_groups(trace: ModuleTrace, tensor_ids: set[int]) -> list[Group]:
    """Group the ops of each traced call whose output is in the drawn graph.

    A call's ops are found by walking back from its outputs and stopping at its
    inputs (and at leaves); an op already claimed by an earlier call is not taken again.
    """
    claimed: set[Function] = set()
    groups = []
    for call in trace.calls:
        stop = {id(t) for t in call.inputs}
        # An output that is also an input (an identity layer) has no ops of its own.
        outputs = [t for t in call.outputs if id(t) in tensor_ids and id(t) not in stop]
        stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
        functions: set[Function] = set()
        while stack:
            fn = stack.pop()
            if fn in functions or fn in claimed or fn.inputs is None:
                continue
            functions.add(fn)
            for t in fn.inputs:
                used = as_used_by(t, fn.seq)  # before any later write in place
                if used.grad_fn and id(t) not in stop:
                    stack.append(used.grad_fn)
        if functions:
            claimed |= functions
            groups.append(Group(call, functions))
    return groups


def hidden_tensors(graph: Any, groups: list[Group]) -> dict[int, int]:
    """id(tensor) -> group index, for tensors drawn inside a module box (not as nodes)."""
    group_of = {fn: i for i, g in enumerate(groups) for fn in g.functions}
    hidden = {}
    for i, group in enumerate(groups):
        boundary = {id(t) for t in (*group.call.inputs, *group.call.outputs, graph.root)}
        for fn in group.functions:
            for t in (*graph.inputs[fn], graph.outputs[fn]):
                if t is None or id(t) in boundary:
                    continue
                made_inside = t.grad_fn is None or group_of.get(t.grad_fn) == i
                used_inside = all(group_of.get(c) == i for c in graph.consumers.get(id(t), []))
                if made_inside and used_inside:
                    hidden[id(t)] = i
    return hidden


def module_label(
    group: Group,
    members: list[Tensor],
    names: Mapping[int, str],
    show_grad: bool,
    max_elements: int,
) -> str:
    """The box of one module call: its label, then its parameters' shapes and gradients."""
    rows = [f"<B>{html.escape(group.call.label)}</B>"]
    for t in members:
        if not t.requires_grad:
            continue
        rows.append(
            html.escape(f"{names.get(id(t), t.name or 'param')} {describe_shape(t.shape, t.dtype)}")
        )
        if show_grad and t.grad is not None:
            grad = " ".join(format_array(t.grad.data, max_elements))
            rows.append(f'<FONT COLOR="{GRAD_COLOR}">  grad {html.escape(grad)}</FONT>')
    return table(rows)
