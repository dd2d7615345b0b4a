"""The graph of a functional model: the layer calls between its inputs and outputs.

`Graph` walks back from the outputs through the recorded calls (`nn.symbolic.Node`),
as Keras's `map_graph` does, and keeps the order Keras keeps: the nodes each after
the nodes it reads, and the layers by depth (the longest path to an output), deepest
first, then in the order the walk first met them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from nn.input import Input
from nn.module import Module
from nn.symbolic import KerasTensor, Node


class Graph:
    """The nodes between a model's inputs and outputs, ordered as Keras orders them.

    Attributes:
        nodes: every node, each after the nodes it reads (the order `forward` runs).
        layers: the layers by decreasing depth, then by first visit (Keras's
            `model.layers`, the Inputs first).
        nodes_by_depth: depth -> nodes; the outputs' nodes are at depth 0.
    """

    def __init__(self, inputs: list[Input], outputs: list[KerasTensor]) -> None:
        self.nodes: list[Node] = []
        first_visit: dict[int, int] = {}  # id(layer) -> when the walk first met it
        done: set[int] = set()
        declared = {id(t) for t in inputs}
        for output in outputs:
            self._walk(output, declared, inputs, done, first_visit)
        depths, layer_depth = self._depths()
        for tensor in inputs:
            if id(tensor) not in layer_depth:  # an input no output needs (Keras keeps it)
                self.nodes.insert(0, tensor.node)
                depths[id(tensor.node)], layer_depth[id(tensor)] = 0, 0
                first_visit[id(tensor)] = -1
        self.nodes_by_depth: dict[int, list[Node]] = {}
        for node in self.nodes:
            self.nodes_by_depth.setdefault(depths[id(node)], []).append(node)
        layers = {id(node.layer): node.layer for node in self.nodes}
        self.layers: list[Module] = sorted(
            layers.values(), key=lambda m: (-layer_depth[id(m)], first_visit[id(m)])
        )

    def _walk(
        self,
        output: KerasTensor,
        declared: set[int],
        inputs: list[Input],
        done: set[int],
        first_visit: dict[int, int],
    ) -> None:
        """Depth first from `output` back to the inputs; each node is appended once
        all the nodes it reads are (iterative: deep graphs never hit the recursion
        limit)."""
        stack: list[tuple[Node, Iterator[KerasTensor]]] = []

        def enter(tensor: KerasTensor) -> None:
            node = tensor.node
            if isinstance(node.layer, Input) and id(node.layer) not in declared:
                names = ", ".join(t.name for t in inputs)
                raise ValueError(
                    f"Graph disconnected: the output {output.name} {output.shape} needs the "
                    f"input {node.layer.name} {node.layer.shape}, which is not among the "
                    f"model's inputs ({names}); add it to inputs"
                )
            first_visit.setdefault(id(node.layer), len(first_visit))
            stack.append((node, iter(node.inputs)))

        if id(output.node) in done:
            return
        enter(output)
        while stack:
            node, pending = stack[-1]
            for tensor in pending:
                if id(tensor.node) not in done:
                    enter(tensor)
                    break
            else:
                stack.pop()
                if id(node) not in done:
                    done.add(id(node))
                    self.nodes.append(node)

    def _depths(self) -> tuple[dict[int, int], dict[int, int]]:
        """id(node) -> its depth, the longest path from it to an output, and id(layer)
        -> the largest depth of its nodes (Keras's rule for shared layers)."""
        depths: dict[int, int] = {}
        in_graph = {id(node) for node in self.nodes}
        layer_depth: dict[int, int] = {}
        for node in reversed(self.nodes):
            depth = max(depths.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
            layer_depth[id(node.layer)] = depths[id(node)] = depth
            for tensor in node.inputs:
                if id(tensor.node) in in_graph:
                    depths[id(tensor.node)] = max(depth + 1, depths.get(id(tensor.node), 0))
        return depths, layer_depth


def flatten_tensors(caller: str, argument: str, structure: Any) -> list[KerasTensor]:
    """The symbolic tensors of `inputs` / `outputs` (one, a list or a dict), checked."""
    if isinstance(structure, Mapping):
        items = list(structure.values())
    elif isinstance(structure, (list, tuple)):
        items = list(structure)
    else:
        items = [structure]
    if not items:
        raise ValueError(f"{caller}: {argument} is empty")
    for item in items:
        if not isinstance(item, KerasTensor):
            raise TypeError(
                f"{caller}: {argument} must be symbolic tensors (nn.Input(...) or the output "
                f"of a layer called on one), got {type(item).__name__}"
            )
    return items
