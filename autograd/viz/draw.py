"""Draw the graph of a computation: one node per tensor, one per op, edges forward.

The graph is read, never changed: from `root.grad_fn`, each `Function` lists its
`inputs`, and its output tensor is the root or an input of an op that reads it (an op
keeps no reference to its output before `release`). After backward a small graph still has
all of them (see `autograd.graph`); a large one keeps only its structure
(`next_functions`), and a tensor whose value was freed is drawn with a note saying so.
Tensors are boxes, ops are ellipses:

    w1 --> Mul --> t --> Add --> n --> Tanh --> out
    x1 ---/               b --/

Colours tell the kinds apart: the root (green, double border), parameters (yellow),
leaves that require grad (blue), constants (grey, dashed) and intermediates (white).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import graphviz
import numpy as np

from autograd.function import Function, as_used_by
from autograd.graph import toposort
from autograd.tensor import Tensor
from autograd.viz.labels import format_array, tensor_label
from autograd.viz.modules import Group, as_trace, hidden_tensors, module_groups, module_label

DEFAULT_MAX_ELEMENTS = 12
RANKDIRS = ("LR", "RL", "TB", "BT")

STYLES: dict[str, dict[str, str]] = {
    "root": {"shape": "box", "style": "filled,rounded", "fillcolor": "#bbf7d0", "peripheries": "2"},
    "param": {"shape": "box", "style": "filled,bold", "fillcolor": "#fde68a"},
    "leaf": {"shape": "box", "style": "filled", "fillcolor": "#bfdbfe"},
    "const": {"shape": "box", "style": "filled,dashed", "fillcolor": "#f3f4f6"},
    "tensor": {"shape": "box", "style": "filled,rounded", "fillcolor": "#ffffff"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#e5e7eb"},
    "module": {"shape": "box3d", "style": "filled", "fillcolor": "#ddd6fe"},
}
#: Added to the style of the node being processed in a backprop step.
HIGHLIGHT = {"color": "#dc2626", "penwidth": "3"}

FREED_NOTE = (
    "freed by backward (graph larger than autograd.graph.KEEP_BYTES or KEEP_NODES); "
    "draw before backward or pass retain_graph=True"
)

OVERWRITTEN_NOTE = "overwritten in place by the {op} it feeds"

#: Gives the gradient to print for a tensor, or None, and a note such as " (partial)".
GradOf = Callable[[Tensor], tuple[np.ndarray | None, str]]


@dataclass(eq=False)
class FreedTensor:
    """Stands in a drawing for a tensor whose value backward has freed."""

    grad_fn: Function | None
    requires_grad: bool
    note: str = FREED_NOTE
    data: None = None
    grad: None = None
    name: None = None
    shape: tuple[int, ...] | None = None  # None: not kept either
    dtype: np.dtype | None = None


@dataclass
class ComputationGraph:
    """The tensors and ops reachable from `root`.

    Attributes:
        root: the tensor the graph was drawn from.
        functions: the ops in the engine's backward order (`autograd.toposort`).
        tensors: every tensor once, in forward order (`FreedTensor` where freed).
        consumers: id(tensor) -> the ops that read it, once per use (`x * x` twice).
        inputs: op -> its input tensors; outputs: op -> its output tensor.
    """

    root: Tensor
    functions: list[Function]
    tensors: list[Any]
    consumers: dict[int, list[Function]]
    inputs: dict[Function, list[Any]]
    outputs: dict[Function, Any]


def trace_graph(root: Tensor) -> ComputationGraph:
    """Collect the graph behind `root`, before or after backward."""
    if not isinstance(root, Tensor):
        raise TypeError(f"expected a Tensor to draw, got {type(root).__name__}")
    if root.grad_fn is None:
        return ComputationGraph(root, [], [root], {}, {}, {})
    order = toposort([root.grad_fn])
    shown = _overwritten(order)
    outputs: dict[Function, Any] = {root.grad_fn: root}
    inputs: dict[Function, list[Any]] = {}
    for fn in order:  # each op before the ops that made its inputs: its output is known
        outputs.setdefault(fn, FreedTensor(fn, True))  # (unless something is amiss)
        if fn.inputs is not None:
            # each input as this op used it, before any later write in place
            used = [as_used_by(t, fn.seq) for t in fn.inputs]
            inputs[fn] = [shown.get(id(t), t) for t in used]
            for t in inputs[fn]:
                if t.grad_fn is not None:
                    outputs.setdefault(t.grad_fn, t)
            continue
        inputs[fn] = []  # released by backward: rebuilt from the structure it kept
        for source in fn.parents():
            if isinstance(source, Function):
                t = outputs.get(source)
                if t is None:  # read only by released ops: shown if something else holds it
                    ref = getattr(source, "_out_ref", None)
                    t = ref() if ref is not None else None
                    t = shown.get(id(t), t) if t is not None else FreedTensor(source, True)
                    outputs[source] = t
            else:
                t = source if source is not None else FreedTensor(None, False)
            inputs[fn].append(t)
    tensors: dict[int, Any] = {}
    consumers: dict[int, list[Function]] = {}
    for fn in reversed(order):
        for t in inputs[fn]:
            tensors.setdefault(id(t), t)
            consumers.setdefault(id(t), []).append(fn)
        tensors.setdefault(id(outputs[fn]), outputs[fn])
    return ComputationGraph(root, order, list(tensors.values()), consumers, inputs, outputs)


def _overwritten(order: list[Function]) -> dict[int, FreedTensor]:
    """id -> a stand-in with a note, for each tensor whose value a later write in place
    replaced: the `before` of an in-place op, unless it kept a copy (`autograd.inplace`
    gives an overwritten one the version of the tensor written)."""
    shown = {}
    for fn in order:
        before = getattr(fn, "before", None)
        if before is not None and before._version:
            note = OVERWRITTEN_NOTE.format(op=fn.op_name)
            shown[id(before)] = FreedTensor(
                before.grad_fn, before.requires_grad, note, shape=before.shape, dtype=before.dtype
            )
    return shown


def parameter_names(params: Any) -> dict[int, str]:
    """id(tensor) -> name, from a module's `named_parameters()` or a dict name -> tensor."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = dict(params.named_parameters())
    if not isinstance(params, Mapping):
        raise TypeError(
            "params must be a module with named_parameters() or a dict name -> Tensor, "
            f"got {type(params).__name__}"
        )
    return {id(t): str(name) for name, t in params.items()}


def tensor_kind(t: Tensor, root: Tensor, names: Mapping[int, str]) -> str:
    """The style key of a tensor: root, param, leaf (requires grad), const or tensor."""
    if t is root:
        return "root"
    if id(t) in names or type(t).__name__ == "Parameter":
        return "param"
    if t.grad_fn is None:
        return "leaf" if t.requires_grad else "const"
    return "tensor"


def stored_grad(t: Tensor) -> tuple[np.ndarray | None, str]:
    """The gradient `draw_graph` shows: `t.grad`, else for an intermediate the gradient
    the last backward computed for it (kept for small graphs, `fn.out_grad`)."""
    if t.grad is not None:
        return t.grad.data, ""
    if t.grad_fn is not None and t.grad_fn.out_grad is not None:
        return t.grad_fn.out_grad, ""
    return None, ""


@dataclass
class Drawing:
    """A collected graph and the options shared by every picture of it."""

    graph: ComputationGraph
    names: dict[int, str]
    groups: list[Group]
    show_data: bool = True
    show_grad: bool = True
    rankdir: str = "LR"
    max_elements: int = DEFAULT_MAX_ELEMENTS
    #: id(tensor) -> a name to print for tensors that have none (`t1`, `t2` in the steps).
    labels: dict[int, str] = field(default_factory=dict)

    def digraph(
        self,
        grad_of: GradOf = stored_grad,
        highlight: Collection[Any] = (),
        caption: str | None = None,
    ) -> graphviz.Digraph:
        """The Digraph; `draw_graph` and `backprop_steps` share it.

        `grad_of` decides which gradient each tensor shows, `highlight` holds the ops
        and tensors to outline in red, and `caption` becomes the graph's title.
        """
        graph, names, groups = self.graph, self.names, self.groups
        show_grad, max_elements = self.show_grad, self.max_elements
        highlighted = {id(x) for x in highlight}
        hidden = hidden_tensors(graph, groups)
        group_of = {fn: i for i, g in enumerate(groups) for fn in g.functions}
        dot = graphviz.Digraph(
            graph_attr={"rankdir": self.rankdir, "fontname": "Helvetica"},
            node_attr={"fontname": "Helvetica", "fontsize": "11"},
            edge_attr={"color": "#6b7280", "arrowsize": "0.7"},
        )
        if caption:
            dot.attr(label=caption, labelloc="t", fontsize="14")

        def node(key: str, label: str, kind: str, hot: bool) -> None:
            dot.node(key, label, **STYLES[kind], **(HIGHLIGHT if hot else {}), **{"class": kind})

        tensor_key = {}
        for i, t in enumerate(graph.tensors):
            if id(t) in hidden:
                continue
            tensor_key[id(t)] = key = f"t{i}"
            grad, note = grad_of(t) if show_grad else (None, "")
            if t.data is None:  # a FreedTensor
                value = [t.note]
            else:
                value = format_array(t.data, max_elements) if self.show_data else None
            label = tensor_label(
                names.get(id(t), t.name) or self.labels.get(id(t)),
                t.shape,
                t.dtype,
                value,
                None if grad is None else format_array(np.asarray(grad), max_elements),
                note,
            )
            node(key, label, tensor_kind(t, graph.root, names), id(t) in highlighted)
        for i, group in enumerate(groups):
            members = [t for t in graph.tensors if hidden.get(id(t)) == i]
            label = module_label(group, members, names, show_grad, max_elements)
            node(f"m{i}", label, "module", any(id(fn) in highlighted for fn in group.functions))

        fn_key = {}
        for j, fn in enumerate(reversed(graph.functions)):
            if fn in group_of:
                fn_key[fn] = f"m{group_of[fn]}"
            else:
                fn_key[fn] = f"f{j}"
                node(f"f{j}", html.escape(fn.op_name), "op", id(fn) in highlighted)

        group_edges: set[tuple[str, str]] = set()
        for fn in reversed(graph.functions):
            out = graph.outputs[fn]
            ends = [(tensor_key.get(id(t)), fn_key[fn]) for t in graph.inputs[fn]]
            ends.append((fn_key[fn], None if out is None else tensor_key.get(id(out))))
            for tail, head in ends:
                if tail is None or head is None:
                    continue
                if fn in group_of:  # one edge per tensor into or out of a module box
                    if (tail, head) in group_edges:
                        continue
                    group_edges.add((tail, head))
                dot.edge(tail, head)
        return dot


def check_options(rankdir: str | None, max_elements: int) -> None:
    if rankdir is not None and rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if isinstance(max_elements, bool) or not isinstance(max_elements, int) or max_elements < 1:
        raise ValueError(f"max_elements must be a positive int, got {max_elements!r}")


def prepare(
    root: Tensor,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    params: Any = None,
    collapse_modules: Any = None,
) -> Drawing:
    """Check the options (those of `draw_graph`), collect the graph, name and group it."""
    check_options(rankdir, max_elements)
    if rankdir is None:
        rankdir = "LR" if collapse_modules is None else "TB"
    graph = trace_graph(root)
    groups = []
    if collapse_modules is not None:
        trace = as_trace(collapse_modules)
        groups = module_groups(trace, {id(t) for t in graph.tensors})
        if params is None and hasattr(trace.model, "named_parameters"):
            params = trace.model
    names = parameter_names(params)
    return Drawing(graph, names, groups, show_data, show_grad, rankdir, max_elements)


def draw_graph(
    root: Tensor,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    params: Any = None,
    collapse_modules: Any = None,
) -> graphviz.Digraph:
    """Draw the computation that produced `root` as a Graphviz graph.

    One box per tensor shows its name (or parameter name), shape and dtype, its value
    (all of it up to `max_elements` values, else `min mean max`) and its gradient
    once backward has run. One ellipse per op shows the op's name (`Mul`, `MatMul`).
    Edges run forward: tensor -> op -> tensor.

    Drawn after `backward()`, every tensor shows its gradient too, intermediates
    included, as micrograd's `draw_dot` does:

        loss.backward()
        draw_graph(loss)

    A graph too large to keep its values after backward (`autograd.graph.KEEP_BYTES`,
    `KEEP_NODES`) is still drawn, with a note on each tensor whose value was freed.

    In Jupyter the returned Digraph shows itself inline (as SVG). `save_graph` writes it
    to a file; `graph.source` is the DOT text.

    Args:
        root: the output tensor (often a scalar loss).
        show_data: print each tensor's value.
        show_grad: print each tensor's gradient (`.grad`) when it has one.
        rankdir: layout direction, "LR" (left to right), "TB", "RL" or "BT". By default
            "LR" for a graph of ops, and "TB" with `collapse_modules`: a stack of layers
            drawn in one row would be far wider than a page, drawn downwards it keeps
            to the width of its widest box.
        max_elements: arrays with more values are summarised by min, mean and max.
        params: a module (its `named_parameters()`) or a dict name -> Tensor; those
            tensors are labelled with their names (`0.weight`) and styled as parameters.
        collapse_modules: a trace from `trace_modules(model)` (or the traced model):
            each traced module call becomes one node, e.g. `0: Linear(784->64)`,
            holding its ops, intermediates and parameters.

    Returns:
        A `graphviz.Digraph`.

    Raises:
        ValueError: for an unknown `rankdir` or a non-positive `max_elements`.
    """
    options = show_data, show_grad, rankdir, max_elements, params, collapse_modules
    return prepare(root, *options).digraph()
