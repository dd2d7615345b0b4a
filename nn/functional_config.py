"""A functional model as JSON for `model.save` / `nn.load_model`: its layers and the
calls between them.

    {"name": "functional",
     "layers": [{"class_name": "Input", "config": {"shape": [4], ...}, "name": "a"},
                {"class_name": "Dense", "config": {...}, "name": "dense"}, ...],
     "calls": [{"layer": "dense", "args": [{"tensor": ["a", 0, 0]}], "kwargs": {}}, ...],
     "inputs": {"tensor": ["a", 0, 0]}, "outputs": [...]}

A tensor is written as `[layer, call, output]`: the layer that made it, which of that
layer's calls in this model (counted in the order they run), and which of the call's
outputs. `calls` are in the order the model runs them, so loading replays them in
that order on symbolic tensors and rebuilds the same graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nn.input import Input
from nn.module import Module
from nn.symbolic import KerasTensor, Node, inbound_nodes


def functional_config(model: Any, describe: Callable[[Module], dict[str, Any]]) -> dict[str, Any]:
    """The JSON description of a `Functional` model; `describe` gives a layer's."""
    graph = model._graph
    calls: dict[int, int] = {}  # id(node) -> its number among its layer's calls here
    seen: dict[int, int] = {}
    for node in graph.nodes:
        calls[id(node)] = seen.get(id(node.layer), 0)
        seen[id(node.layer)] = calls[id(node)] + 1

    def encode(value: Any) -> Any:
        if isinstance(value, KerasTensor):
            return {"tensor": [value.node.layer.name, calls[id(value.node)], value.index]}
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, Mapping):
            return {"dict": {k: encode(v) for k, v in value.items()}}
        return value

    return {
        "name": model.name,
        "layers": [{**describe(layer), "name": layer.name} for layer in graph.layers],
        "calls": [
            {"layer": n.layer.name, "args": encode(list(n.args)), "kwargs": encode(n.kwargs)}
            for n in graph.nodes
            if not isinstance(n.layer, Input)
        ],
        "inputs": encode(model._input_structure),
        "outputs": encode(model._output_structure),
    }


def functional_from_config(
    config: dict[str, Any], build: Callable[[dict[str, Any]], Module]
) -> Module:
    """The model `functional_config` described, with new weights; `build` makes a
    layer from its description."""
    from nn.functional_model import Functional

    layers: dict[str, Module] = {}
    for entry in config["layers"]:
        layer = build(entry)
        object.__setattr__(layer, "name", entry["name"])
        layers[entry["name"]] = layer
    made: dict[tuple[str, int], list[KerasTensor]] = {
        (name, 0): [layer] for name, layer in layers.items() if isinstance(layer, Input)
    }

    def decode(value: Any) -> Any:
        if isinstance(value, list):
            return [decode(v) for v in value]
        if isinstance(value, dict) and "tensor" in value:
            name, call, index = value["tensor"]
            return made[(name, call)][index]
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value["dict"].items()}
        return value

    counts: dict[str, int] = {}
    for call in config["calls"]:
        layer = layers[call["layer"]]
        layer(*decode(call["args"]), **decode(call["kwargs"]))
        node: Node = inbound_nodes(layer)[-1]
        made[(call["layer"], counts.get(call["layer"], 0))] = node.outputs
        counts[call["layer"]] = counts.get(call["layer"], 0) + 1
    return Functional(decode(config["inputs"]), decode(config["outputs"]), name=config["name"])
