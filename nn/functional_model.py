"""Keras's functional API: `nn.Model(inputs, outputs)` is a model whose layers form a graph.

    inputs = nn.Input(shape=(784,))
    x = nn.Dense(64, activation="relu")(inputs)      # records a call, see nn.symbolic
    outputs = nn.Dense(10, activation="softmax")(x)
    model = nn.Model(inputs, outputs)                 # a Functional model

The model finds the recorded calls that lead from `inputs` to `outputs` (a walk back
from the outputs, as Keras's `map_graph`) and its `forward` replays them in order on
real tensors, in inference mode unless `fit` (or `training=True`) trains it, as
Keras's (`model(x)` does not drop). Its layers are listed as Keras lists them: by
depth in the graph (the inputs first), and within a depth in the order the walk first
met them; parameters, `get_weights` and `state_dict` follow that order, under the
layers' names (`dense.weight`). Inputs and outputs may be one tensor, a list or a
dict.

Several inputs take a list of arrays (or a dict by input name), several outputs a
list of targets (or a dict by output name): see `nn.functional_data` for how `fit`
batches them and `nn.multi_output` for the losses and metrics of several outputs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from autograd.checks import check_int
from nn.functional_data import feed, pack_inputs
from nn.functional_graph import Graph, flatten_tensors
from nn.input import Input
from nn.module import Module
from nn.multi_output import output_names, resolve_outputs, side_by_side
from nn.symbolic import KerasTensor, map_structure
from nn.symbolic import check_name as _layer_name
from nn.training import Model


class Functional(Model):
    """A model made of layers called on symbolic tensors (Keras's functional API);
    made by `nn.Model(inputs, outputs)`. See the module docstring.

    Args:
        inputs: `nn.Input` tensors: one, a list or a dict.
        outputs: tensors made by calling layers on them: one, a list or a dict.
        name: Keras's name (default `functional`, `functional_1`, ...).

    Raises:
        TypeError: inputs or outputs that are not symbolic tensors.
        ValueError: an output that needs an input not given (a disconnected graph),
            or two layers of the same name.

    Example:
        >>> import nn
        >>> inputs = nn.Input(shape=(4,))
        >>> outputs = nn.Dense(2)(nn.Dense(3, activation="relu")(inputs))
        >>> model = nn.Model(inputs, outputs)
        >>> [layer.name for layer in model.layers][1:], model.count_params()
        (['dense', 'dense_1'], 23)
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None) -> None:
        super().__init__(name=_layer_name("Model", name))  # default: functional, functional_1
        flat_inputs = flatten_tensors("Model", "inputs", inputs)
        for tensor in flat_inputs:
            if not isinstance(tensor, Input):
                raise TypeError(
                    f"Model: inputs must be nn.Input tensors, got {tensor!r} (made by the "
                    f"layer {tensor.node.layer.name}); start the model at nn.Input(shape=...)"
                )
        if len({id(t) for t in flat_inputs}) != len(flat_inputs):
            raise ValueError("Model: the same Input is given twice in inputs")
        if isinstance(outputs, Mapping):  # Keras orders a dict's outputs (and weights) by key
            outputs = {key: outputs[key] for key in sorted(outputs)}
        flat_outputs = flatten_tensors("Model", "outputs", outputs)
        graph = Graph(flat_inputs, flat_outputs)  # type: ignore[arg-type]  # all Inputs
        self._check_names(graph.layers)
        used = {id(t.node) for node in graph.nodes for t in node.inputs} | {
            id(t.node) for t in flat_outputs
        }
        for tensor in flat_inputs:
            if id(tensor.node) not in used:
                warnings.warn(
                    f"Model: the input {tensor.name} {tensor.shape} is not used by any "
                    "output; fit and predict will still expect data for it",
                    UserWarning,
                    stacklevel=3,
                )
        internal = {
            "_graph": graph,
            "_input_structure": inputs,
            "_output_structure": outputs,
            "_input_list": flat_inputs,
            "_output_list": flat_outputs,
        }
        for key, value in internal.items():
            object.__setattr__(self, key, value)
        # Keras's rule: a call without `training` is inference (Dropout keeps every
        # value, BatchNormalization uses its moving statistics); fit and
        # `model(x, training=True)` train, and `train()` still sets a mode, as torch's.
        self.train(False)

    @staticmethod
    def _check_names(layers: list[Module]) -> None:
        names = [layer.name for layer in layers]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(
                    f'Model: the name "{name}" is used {names.count(name)} times in the '
                    "model; all layer names should be unique (pass name=... to the layers)"
                )

    def _members(self) -> Iterator[tuple[str, Any]]:
        """The layers, by name, in Keras's order: what parameters() and state_dict walk
        (none while `__init__` has not made the graph yet)."""
        graph = self.__dict__.get("_graph")
        for layer in graph.layers if graph is not None else ():
            yield layer.name, layer

    @property
    def layers(self) -> list[Module]:
        """The layers in Keras's order (see the module docstring), the Inputs first."""
        return list(self._graph.layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Module:
        """The layer called `name`, or at position `index` of `layers`."""
        if index is not None:
            check_int("get_layer", "index", index)
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"get_layer: index {index} is out of range: the model has "
                    f"{len(self.layers)} layers"
                )
            return self.layers[index]
        for layer in self._graph.layers:
            if layer.name == name:
                return layer
        names = ", ".join(layer.name for layer in self._graph.layers)
        raise ValueError(f"get_layer: no layer named {name!r}; the layers are: {names}")

    @property
    def inputs(self) -> list[Input]:
        return list(self._input_list)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._output_list)

    @property
    def input(self) -> Any:
        """The inputs as given to `Model(inputs, ...)`."""
        return self._input_structure

    @property
    def output(self) -> Any:
        """The outputs as given to `Model(..., outputs)`."""
        return self._output_structure

    def build(self, input_shape: Any = None) -> None:
        """Nothing to do: a functional model is built from its inputs' shapes."""

    def forward(self, *args: Any) -> Any:
        """Run the recorded calls on real inputs: an array or Tensor for one input; a
        list (or several arguments) in the order of `inputs`, or a dict by input name,
        for several; a record array with one field per input (as `fit` makes)."""
        values = feed(self.name, self._input_list, args[0] if len(args) == 1 else list(args))
        for node in self._graph.nodes:
            if isinstance(node.layer, Input):
                continue
            call_args = map_structure(lambda t: values[id(t)], node.args, KerasTensor)
            call_kwargs = map_structure(lambda t: values[id(t)], node.kwargs, KerasTensor)
            _store(node.structure, node.layer(*call_args, **call_kwargs), node.outputs, values)
        if self.__dict__.get("_side_by_side"):
            return side_by_side(self, [values[id(t)] for t in self._output_list])
        return map_structure(lambda t: values[id(t)], self._returned_structure, KerasTensor)

    @property
    def _returned_structure(self) -> Any:
        """The outputs' structure as calls and `predict` return it: Keras unpacks a list
        or tuple of one output (`Model(x, [y])` returns y's value, not a list)."""
        structure = self._output_structure
        if isinstance(structure, (list, tuple)) and len(structure) == 1:
            return structure[0]
        return structure

    def _probe(self, x: np.ndarray) -> Any:
        with self._inference(x):
            return self(x)

    @property
    def output_names(self) -> list[str]:
        """Keras's names of the outputs: the names of the layers that make them."""
        return output_names(self._output_list)

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        loss_weights: Any = None,
        weighted_metrics: Any = None,
        **optimizer_options: Any,
    ) -> None:
        """As `Model.compile`; for several outputs (see `nn.multi_output`), `loss` is
        one loss for all, a list in the order of the outputs or a dict by output name,
        `metrics` a list with one entry per output (a metric or a list of them) or a
        dict, and `loss_weights` a list or dict of the factors of each output's loss
        in the total (default 1); `weighted_metrics` as `metrics`, weighted by the
        sample weights."""
        if len(self._output_list) == 1:
            if loss_weights is not None:
                raise ValueError("compile: loss_weights is for models with several outputs")
            if isinstance(loss, (list, tuple)) and len(loss) == 1:
                loss = loss[0]
            loss = _only(loss, self.output_names)
            metrics = _only(metrics, self.output_names) if isinstance(metrics, Mapping) else metrics
            if isinstance(weighted_metrics, Mapping):
                weighted_metrics = _only(weighted_metrics, self.output_names)
            super().compile(
                optimizer, loss, metrics, weighted_metrics=weighted_metrics, **optimizer_options
            )
            return
        names = self.output_names
        total, found, weighted = resolve_outputs(
            self, names, names, loss, metrics, loss_weights, weighted_metrics
        )
        super().compile(optimizer, total, found, weighted_metrics=weighted, **optimizer_options)

    def _pack_x(self, caller: str, x: Any) -> Any:
        return pack_inputs(caller, self._input_list, x)

    def _output_fields(self, caller: str, x: Any, y: Any) -> list[str] | None:
        return self.output_names  # (compile matched the loss to them)

    def _summary_text(self, line_length: int | None, positions: Any) -> str:
        """Keras's table for a functional model: name (type), output shape, parameter
        count and, for a graph that is not a simple chain, the layers each one reads
        ("Connected to", as `name[node][tensor]`, in a table of 108 characters)."""
        from nn.functional_summary import format_functional_summary

        return format_functional_summary(self, line_length, positions)

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


def _only(value: Any, names: list[str]) -> Any:
    """For a model with one output: the entry of a one-item list or dict by name."""
    if isinstance(value, Mapping) and list(value) == names:
        return value[names[0]]
    if isinstance(value, (list, tuple)) and len(value) == 1 and not isinstance(value[0], str):
        return value[0]
    return value


def _store(structure: Any, result: Any, outputs: list[KerasTensor], values: dict) -> None:
    """values[id(output)] = the part of `result` at that output's place in `structure`."""
    if isinstance(structure, int):
        values[id(outputs[structure])] = result
    elif isinstance(structure, (list, tuple)):
        for part, item in zip(structure, result):
            _store(part, item, outputs, values)
    else:
        for key, part in structure.items():
            _store(part, result[key], outputs, values)
