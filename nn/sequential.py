"""`Sequential`: a stack of layers, each fed the output of the one before."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.checks import check_int
from nn.input import Input, adjust_rank
from nn.layer import LayerWeights
from nn.module import Module
from nn.symbolic import check_name as _layer_name
from nn.symbolic import is_symbolic
from nn.training import Model, _unbuilt


class Sequential(Model):
    """Chain modules: forward(x) = layers[-1](... layers[1](layers[0](x))).

    The layers are named "0", "1", ..., so parameters read `0.weight`, `2.bias`.
    As in Keras, the layers may come as a list (`Sequential([Dense(64), Dense(10)])`),
    and when the first one declares its input (`nn.Input(shape=...)`, `input_shape=`
    or `input_dim=`) each `add` builds the weights at once.

    A stack of Keras's layers (the first `Dense`, `nn.Input`, `nn.layers.Layer` or
    Keras model added makes it one) runs in inference mode, as Keras's: `model(x)`
    does not drop (Dropout keeps every value), and `fit` or `model(x, training=True)`
    train, as does `train()`, PyTorch's call. A stack of PyTorch's modules only
    (`nn.Linear`, ...) starts in training mode, as torch's.

    Example:
        >>> import nn
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
        >>> len(model), [name for name, _ in model.named_parameters()][:2]
        (3, ['0.weight', '0.bias'])
    """

    def __init__(
        self, *layers: Module | Sequence[Module] | OrderedDict[str, Module], name: str | None = None
    ) -> None:
        # Keras numbers its models (sequential, sequential_1, ...); a PyTorch-style
        # Sequential (its modules as arguments) is no Keras model and takes no number.
        torch_style = bool(layers) and not (
            len(layers) == 1 and isinstance(layers[0], list | tuple)
        )
        if torch_style and name is None:
            name = "sequential"
        super().__init__(name=_layer_name("Sequential", name))  # default: sequential, ...
        if len(layers) == 1 and isinstance(layers[0], OrderedDict):  # torch's named form
            for key, module in layers[0].items():
                self.add_module(key, module)
            return
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for layer in layers:
            self.add(layer)  # type: ignore[arg-type]

    def add(self, layer: Module) -> None:
        """Append a layer; build the weights when the model's input shape is declared."""
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential.add: expected a Module, got {type(layer).__name__}; "
                "wrap a function with nn.Activation(fn)"
            )
        setattr(self, str(len(self)), layer)
        if self.__dict__.get("_keras_stack"):
            layer.train(self.training)  # the stack's mode, whatever the layer's was
        elif _is_keras(layer):
            object.__setattr__(self, "_keras_stack", True)
            self.train(False)  # Keras's: a call without `training` is inference
        shape = getattr(self._layers()[0], "input_shape", None)
        if isinstance(shape, tuple) and None not in shape:
            self.build((None, *shape))

    def _pack_x(self, caller: str, x: Any) -> Any:
        """A stack of layers has one input: a list of arrays is data (rows), as it is."""
        return x

    def get_layer(self, name: str | None = None, index: int | None = None) -> Module:
        """The layer called `name`, or at position `index` of `layers`, as Keras's.

        Raises:
            ValueError: no layer of that name, or an index out of range.
        """
        layers = self.layers
        if index is not None:
            check_int("get_layer", "index", index)
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"get_layer: index {index} is out of range: the model has {len(layers)} layers"
                )
            return layers[index]
        for layer in layers:
            if getattr(layer, "name", None) == name:
                return layer
        names = ", ".join(str(getattr(layer, "name", None)) for layer in layers)
        raise ValueError(f"get_layer: no layer named {name!r}; the layers are: {names}")

    @property
    def inputs(self) -> list[Input]:
        """Keras's `inputs` of a model that starts with an `nn.Input`: `[that Input]`.
        The layers are called on it once (symbolically, weights unchanged), so each has
        Keras's `output`, for a feature extractor such as
        `nn.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])`.

        Raises:
            ValueError: the model does not start with an `nn.Input` (Keras's error type).
        """
        layers = self._layers()
        if not layers or not isinstance(layers[0], Input):
            raise ValueError(
                "Sequential: the model has no defined inputs; start it with nn.Input(shape=...)"
            )
        if any(not layer.__dict__.get("_inbound_nodes") for layer in self.layers):
            x: Any = layers[0]
            for layer in self.layers:
                x = layer(x)
        return [layers[0]]

    @property
    def outputs(self) -> list[Any]:
        """Keras's `outputs`: `[the last layer's output]` on `inputs` (see there)."""
        self.inputs  # noqa: B018  # the symbolic call that gives each layer its output
        return [self.layers[-1].output] if self.layers else list(self.inputs)

    def pop(self) -> Module:
        """Remove the last layer and return it, as Keras's `pop`.

        Raises:
            TypeError: the model has no layers (Keras's error type).
        """
        if not self.layers:
            raise TypeError("Sequential.pop: there are no layers in the model")
        layer = self.layers[-1]
        delattr(self, str(len(self._layers()) - 1))
        return layer

    @property
    def layers(self) -> list[Module]:
        """The layers in order, as Keras lists them (an `nn.Input` is not one)."""
        return [layer for layer in self._layers() if not isinstance(layer, Input)]

    def _layers(self) -> list[Module]:
        # Layers live in attributes named "0", "1", ...: the same module may appear twice.
        # The list is kept until one of those attributes is set or deleted.
        # Layers added by `add_module` under other names ("block 0") count too, in order.
        layers = self.__dict__.get("_layer_list")
        if layers is None:
            named = self.__dict__.get("_named_layers", ())
            layers = [v for k, v in self.__dict__.items() if k.isdigit() or k in named]
            object.__setattr__(self, "_layer_list", layers)
        return layers

    def add_module(self, name: str, module: Module | None) -> None:
        """Add `module` as the layer `name` after the others, as torch's
        `net.add_module("block 0", block)` (see `Module.add_module`)."""
        super().add_module(name, module)
        named = self.__dict__.get("_named_layers", ())
        if not name.isdigit() and name not in named:
            object.__setattr__(self, "_named_layers", (*named, name))
        self.__dict__.pop("_layer_list", None)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name.isdigit() or name in self.__dict__.get("_named_layers", ()):
            self.__dict__.pop("_layer_list", None)

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        if name.isdigit() or name in self.__dict__.get("_named_layers", ()):
            self.__dict__.pop("_layer_list", None)

    def __getitem__(self, index: int | slice) -> Any:
        layers = self._layers()
        return Sequential(*layers[index]) if isinstance(index, slice) else layers[index]

    def __setitem__(self, index: int, layer: Module) -> None:
        """Replace the layer at `index` (negative counts from the end), as torch's
        `model[-1] = nn.Linear(...)` to put a new head on a network."""
        names = [k for k in self.__dict__ if k.isdigit()]
        if not -len(names) <= index < len(names):
            raise IndexError(f"Sequential: index {index} is out of range for {len(names)} layers")
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential holds Modules, got {type(layer).__name__}")
        setattr(self, names[index], layer)

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._layers()))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and not self._layers() and is_symbolic(args[0]):
            raise ValueError(  # Keras's error for a symbolic call of an empty model
                f"Sequential model {self.name} cannot be built because it has no layers: "
                "add some with add(layer) first"
            )
        if args and "_batch_size" not in self.__dict__ and not is_symbolic(args[0]):
            # Decided once, at the first call: a call that builds the model gives Keras's
            # batch size; an already built model (PyTorch's modules, an nn.Input) None.
            batch = None
            layers = self._layers()
            declared = bool(layers) and isinstance(getattr(layers[0], "input_shape", None), tuple)
            if _unbuilt(self) and not declared:  # (`input_shape=[None]` declares it too)
                shape = np.shape(args[0].data if isinstance(args[0], Tensor) else args[0])
                batch = shape[0] if shape else None
            object.__setattr__(self, "_batch_size", batch)
        return super().__call__(*args, **kwargs)

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create lazily built weights for inputs of `input_shape`, as `Model.build`;
        the batch size given (None in `(None, 784)`) is the one `summary` shows, as
        Keras's."""
        shape = tuple(input_shape)
        if "_batch_size" not in self.__dict__ and len(shape) > 1:
            object.__setattr__(self, "_batch_size", shape[0])
        super().build(shape)

    def forward(self, x: Any) -> Any:
        """Each layer on the output of the one before; with no layers, `x` itself, as
        PyTorch's ``nn.Sequential()(x)`` (Keras's `fit`, `predict`, `evaluate` and
        `build` refuse an empty model, and so does a symbolic call, as Keras's). When
        the first layer declares its samples' shape, `x` gets or loses a last axis of
        length 1 to fit it, as Keras's (`adjust_rank`: (n,) for samples of shape (1,))."""
        layers = self._layers()
        shape = getattr(layers[0], "input_shape", None) if layers else None
        if isinstance(shape, tuple) and not isinstance(layers[0], Input) and not is_symbolic(x):
            x = adjust_rank(x, shape)
        for layer in layers:
            x = layer(x)
        return x


def _is_keras(layer: Module) -> bool:
    """Whether a layer is one of Keras's: a `Dense`, a `Layer` subclass or an `Input`,
    or a model in inference mode (a Keras `Sequential` or a functional model); not one
    of PyTorch's modules, nor a `Sequential` of them."""
    if isinstance(layer, Model):
        return not layer.training
    return isinstance(layer, (LayerWeights, Input))
