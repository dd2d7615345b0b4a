"""Keras's `plot_model` and `model_to_dot`: a model's layers as a Graphviz drawing.

One node per layer, labelled as Keras 3 labels it (an HTML table: the layer's name
and class, then, when asked, its activation, its input and output shapes, its output
dtype and whether it is trainable), and one edge from each layer to each layer that
reads its output: consecutive layers for a `Sequential`, the recorded calls for a
functional `nn.Model(inputs, outputs)`. Drawn with the `graphviz` package; rendering
to png, svg or pdf needs Graphviz's `dot` program (`autograd.viz.render`).
"""

from __future__ import annotations

import html
import itertools
import os
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from autograd import Tensor
from autograd.checks import check_bool, check_int
from autograd.viz.render import render
from nn import activations
from nn.input import Input
from nn.module import Module
from nn.summary import _names, batch_size, sample_dtype
from nn.symbolic import inbound_nodes, map_structure

FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "dot", "gv")


def _functional(model: Any) -> bool:
    return model.__dict__.get("_graph") is not None


def _sequential(model: Any) -> bool:
    from nn.sequential import Sequential

    return isinstance(model, Sequential)


def _activation_name(layer: Module) -> str | None:
    """The name Keras shows for `layer.activation` ("linear" for none), or None."""
    activation = getattr(layer, "activation", None)
    if activation is None and not hasattr(layer, "fn"):
        return None
    if isinstance(activation, str):
        return activation
    if activation is None:  # an Activation of a function
        activation = layer.fn
    if isinstance(activation, activations.Identity):
        return "linear"
    names = [k for k, cls in activations.ACTIVATIONS.items() if type(activation) is cls]
    if names:
        return names[0]
    return getattr(activation, "__name__", type(activation).__name__)


def _shape_text(value: Any) -> str:
    """A shape, or a structure of shapes, as Keras writes it; "?" when unknown."""
    if value is None:
        return "?"
    if isinstance(value, list):
        return "[" + ", ".join(_shape_text(v) for v in value) + "]"
    return str(value)


def _probed_shapes(model: Any, layers: list[Module]) -> dict[int, tuple[Any, Any, Any]]:
    """(input shape, output shape, output dtype) of each layer of a Sequential, from
    one zero sample run through it (empty when its input shape is not known)."""
    sample = model.__dict__.get("_input_shape")
    first = model._layers()[0]
    if sample is None and isinstance(getattr(first, "input_shape", None), tuple):
        sample = first.input_shape
    if sample is None:
        return {}
    found: dict[int, tuple[Any, Any, Any]] = {}
    batch = batch_size(model)

    def shape(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [shape(v) for v in value]
        return (batch, *np.shape(value.data if isinstance(value, Tensor) else value)[1:])

    def hook(module: Module, args: tuple, output: Any) -> None:
        dtype = output.dtype if isinstance(output, Tensor) else None
        found[id(module)] = (shape(args[0] if len(args) == 1 else list(args)), shape(output), dtype)

    handles = [layer.register_forward_hook(hook) for layer in layers]
    try:
        model._probe(np.zeros((1, *sample), dtype=sample_dtype(model)))
    finally:
        for handle in handles:
            handle.remove()
    return found


def _traced_shapes(layer: Module) -> tuple[Any, Any, Any]:
    """Keras's `layer.input` / `layer.output` shapes: those of its first call."""
    node = inbound_nodes(layer)[0]
    if isinstance(layer, Input):
        return None, layer.shape, layer.dtype
    inputs = [t.shape for t in node.inputs]
    outputs = map_structure(lambda i: node.outputs[i].shape, node.structure, int)
    dtypes = {t.dtype for t in node.outputs}
    return (
        inputs[0] if len(inputs) == 1 else inputs,
        outputs,
        dtypes.pop() if len(dtypes) == 1 else None,
    )


def layer_label(
    layer: Module,
    name: str,
    shapes: tuple[Any, Any, Any] | None,
    show_shapes: bool,
    show_dtype: bool,
    show_layer_names: bool,
    show_layer_activations: bool,
    show_trainable: bool,
) -> str:
    """Keras's node label: an HTML table (Graphviz's `<...>` label)."""
    class_name = "InputLayer" if isinstance(layer, Input) else type(layer).__name__
    colspan = max(1, int(show_dtype) + int(show_trainable) + 2 * int(show_shapes))
    title = (
        f"<b>{html.escape(name)}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    )
    rows = [
        f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" color="white">'
        f"{title}</font></td></tr>"
    ]
    activation = _activation_name(layer) if show_layer_activations else None
    if activation is not None:
        rows.append(
            f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">'
            f"Activation: <b>{html.escape(activation)}</b></font></td></tr>"
        )
    input_shape, output_shape, dtype = shapes or (None, None, None)
    cells = []
    if show_shapes:
        if class_name != "InputLayer":
            cells.append(("white", f"Input shape: <b>{_shape_text(input_shape)}</b>"))
        cells.append(("white", f"Output shape: <b>{_shape_text(output_shape)}</b>"))
    if show_dtype:
        cells.append(("white", f"Output dtype: <b>{dtype or '?'}</b>"))
    weights = list(layer._state_tensors().values())
    if show_trainable and weights:
        trainable = getattr(layer, "trainable", any(w.requires_grad for w in weights))
        cells.append(
            ("forestgreen", '<font color="white"><b>Trainable</b></font>')
            if trainable
            else ("firebrick", '<font color="white"><b>Non-trainable</b></font>')
        )
    if cells:
        row = "".join(
            f'<td bgcolor="{color}"><font point-size="14">{text}</font></td>'
            for color, text in cells
        )
        rows.append(f"<tr>{row}</tr>")
    table = '<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
    return f"<{table}{''.join(rows)}</table>>"


def model_to_dot(
    model: Module,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    subgraph: bool = False,
) -> graphviz.Digraph:
    """The drawing of `model` as a `graphviz.Digraph` (Keras's `model_to_dot`, which
    returns a pydot graph); the arguments are `plot_model`'s.

    Raises:
        ValueError: an unbuilt model, or a bad argument (named).
    """
    for argument, value in (
        ("show_shapes", show_shapes),
        ("show_dtype", show_dtype),
        ("show_layer_names", show_layer_names),
        ("expand_nested", expand_nested),
        ("show_layer_activations", show_layer_activations),
        ("show_trainable", show_trainable),
    ):
        check_bool("plot_model", argument, value)
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(
            f"plot_model: invalid rankdir {rankdir!r} (must be 'TB', 'LR', 'BT' or 'RL')"
        )
    check_int("plot_model", "dpi", dpi, minimum=1)
    if any(getattr(m, "built", True) is False for m in model.modules()):
        raise ValueError(
            "plot_model: this model has not yet been built. Build the model first by calling "
            "build() or by calling the model on a batch of data"
        )
    options = {
        "show_shapes": show_shapes,
        "show_dtype": show_dtype,
        "show_layer_names": show_layer_names,
        "show_layer_activations": show_layer_activations,
        "show_trainable": show_trainable,
    }
    name = getattr(model, "name", None) or type(model).__name__
    if subgraph:
        dot = graphviz.Digraph(name=f"cluster_{name}")
        dot.attr(style="dashed", label=name, labeljust="l")
    else:
        dot = graphviz.Digraph(name=name)
        dot.attr(rankdir=rankdir, concentrate="true", dpi=str(dpi), splines=splines)
        dot.attr("node", shape="record")
    return _draw(model, dot, name if subgraph else None, expand_nested, options)[0]


def _draw(
    model: Module, dot: graphviz.Digraph, prefix: str | None, expand: bool, options: dict
) -> tuple[graphviz.Digraph, str, str]:
    """Add the model's nodes and edges to `dot` (their keys prefixed inside a nested
    model's box); returns it with the keys of the first and last nodes."""
    name = getattr(model, "name", None) or type(model).__name__
    ends: dict[str, tuple[str, str]] = {}  # a nested model's key -> its (first, last) keys
    edges: set[tuple[str, str]] = set()
    show = options["show_shapes"] or options["show_dtype"]

    def add(layer: Module, key: str, shapes: Any) -> None:
        if expand and (_sequential(layer) or _functional(layer)):
            inner = graphviz.Digraph(name=f"cluster_{key}")
            inner.attr(style="dashed", label=getattr(layer, "name", None) or key, labeljust="l")
            _, first, last = _draw(layer, inner, key, expand, options)
            dot.subgraph(inner)
            ends[key] = (first, last)
            return
        label = layer_label(layer, key.rsplit("/", 1)[-1], shapes, **options)
        dot.node(key, label=label, fontname="Helvetica", border="0", margin="0")

    def edge(source: str, target: str) -> None:
        source = ends.get(source, (source, source))[1]
        target = ends.get(target, (target, target))[0]
        if (source, target) not in edges:
            edges.add((source, target))
            dot.edge(source, target, penwidth="2")

    if _functional(model):
        graph = model._graph
        keys = {id(layer): _key(prefix, layer.name) for layer in graph.layers}
        for layer in graph.layers:
            add(layer, keys[id(layer)], _traced_shapes(layer) if show else None)
        in_model = {id(node) for node in graph.nodes}
        for layer in graph.layers:
            for node in inbound_nodes(layer):
                if id(node) in in_model:
                    for tensor in node.inputs:
                        edge(keys[id(tensor.node.layer)], keys[id(layer)])
        ordered = [keys[id(layer)] for layer in graph.layers]
    elif _sequential(model):
        layers = model.layers
        if not layers:
            raise ValueError("plot_model: the Sequential model has no layers")
        names = _names(layers)
        ordered = [_key(prefix, n) for n in names]
        shapes = _probed_shapes(model, layers) if show else {}
        for layer, key in zip(layers, ordered):
            add(layer, key, shapes.get(id(layer)))
        for source, target in itertools.pairwise(ordered):
            edge(source, target)
    else:  # a subclassed model: one node, as Keras draws it
        ordered = [_key(prefix, name)]
        add(model, ordered[0], None)
    first = ends.get(ordered[0], (ordered[0], ordered[0]))[0]
    return dot, first, ends.get(ordered[-1], (ordered[-1], ordered[-1]))[1]


def _key(prefix: str | None, name: str) -> str:
    """A node's key: the layer's name, under its nested model's key inside one."""
    return name if prefix is None else f"{prefix}/{name}"


def plot_model(
    model: Module,
    to_file: str | os.PathLike = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
) -> Any:
    """Draw the model's layer graph and write it to `to_file` (Keras's `plot_model`).

    The suffix picks the format: `.png` (the default when there is none), `.svg`,
    `.pdf`, `.jpg`, rendered by Graphviz's `dot`; `.dot` / `.gv` write the DOT source.

    Args:
        model: a `Sequential`, a functional `nn.Model(inputs, outputs)` (one node per
            layer, edges as they are connected), or another model (one node).
        to_file: where to write.
        show_shapes: add each layer's input and output shapes.
        show_dtype: add each layer's output dtype.
        show_layer_names: title each node "name (Class)" instead of "Class"
            (Keras 3's default is False).
        rankdir: "TB" (top to bottom) or "LR" (left to right), or "BT", "RL".
        expand_nested: draw a nested model's layers in a dashed box.
        dpi: the image's resolution.
        show_layer_activations: add the activation of layers that have one.
        show_trainable: mark layers with weights as trainable or not.
        splines: how Graphviz draws edges ("ortho", right angles, as Keras).

    Returns:
        What a notebook shows: an `IPython.display.Image` of the png or jpg (an
        `IPython.display.SVG` of an svg), as Keras returns; for a pdf or dot file, or
        without IPython, the `graphviz.Digraph` (which a notebook also draws).

    Raises:
        ValueError: an unknown suffix, an unbuilt model, or a bad argument (named).
        GraphvizNotFoundError: (a RuntimeError) rendering needs `dot` and it is missing.
    """
    path = Path(to_file)
    fmt = path.suffix.lower().lstrip(".") or "png"
    if fmt not in FORMATS:
        raise ValueError(
            f"plot_model: cannot tell the format from to_file={str(to_file)!r}; use one of "
            f"the suffixes {', '.join('.' + f for f in FORMATS)}"
        )
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
        splines=splines,
    )
    if fmt in ("dot", "gv"):
        path.write_text(dot.source, encoding="utf-8")
        return dot
    path.write_bytes(render(dot, "jpeg" if fmt == "jpg" else fmt))
    try:
        from IPython import display
    except ImportError:
        return dot
    if fmt == "svg":
        return display.SVG(filename=str(path))
    if fmt == "pdf":
        return dot
    return display.Image(filename=str(path))
