"""The Keras summary table of a functional model (`nn.Model(inputs, outputs)`).

One row per layer, in `model.layers` order: `name (type)` (an `nn.Input` shows as
Keras's `InputLayer`), the output shape of the layer's last call, and its parameter
count. When the graph is not a simple chain (a depth with several nodes, a call on
several tensors, or a layer called twice), Keras adds a fourth column, "Connected to":
the tensors each call read, written `layer[node][tensor]` (the producing layer, which
of its calls, which of that call's outputs), and so does this table.
"""

from __future__ import annotations

from typing import Any

from nn.input import Input
from nn.module import Module
from nn.summary import _counts, render_table
from nn.symbolic import Node, inbound_nodes, map_structure


def is_chain(graph: Any) -> bool:
    """Keras's test for a "sequential-like" graph, which is shown without connections."""
    for nodes in graph.nodes_by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].inputs) > 1):
            return False
    in_model = {id(node) for node in graph.nodes}
    return all(
        sum(id(node) in in_model for node in inbound_nodes(layer)) <= 1 for layer in graph.layers
    )


def output_shape(node: Node) -> str:
    """The shapes of the node's outputs: "(None, 10)", or its structure of them."""
    if len(node.outputs) == 1:
        return str(node.outputs[0].shape)
    shapes = map_structure(lambda i: node.outputs[i].shape, node.structure, int)
    return str(shapes).replace("'", "")


def connections(layer: Module, in_model: set[int]) -> str:
    """`dense[0][0], input_layer[0][0]`: what the layer's calls in the model read."""
    parts = [
        f"{tensor.node.layer.name}[{tensor.node.index}][{tensor.index}]"
        for node in inbound_nodes(layer)
        if id(node) in in_model
        for tensor in node.inputs
    ]
    return ", ".join(parts) or "-"


def format_functional_summary(
    model: Any, line_length: int | None = None, positions: Any = None
) -> str:
    """The summary table of a functional model as text."""
    graph = model._graph
    chain = is_chain(graph)
    in_model = {id(node) for node in graph.nodes}
    rows = []
    for layer in graph.layers:
        type_name = "InputLayer" if isinstance(layer, Input) else type(layer).__name__
        row = [
            f"{layer.name} ({type_name})",
            output_shape(inbound_nodes(layer)[-1]),
            f"{sum(_counts(layer)):,}",
        ]
        if not chain:
            row.append(connections(layer, in_model))
        rows.append(row)
    header = ["Layer (type)", "Output Shape", "Param #"]
    if not chain:
        header.append("Connected to")
    return render_table(model, model.name, header, rows, line_length, positions)
