"""Symbolic tensors: Keras's functional API records layer calls instead of computing them.

`nn.Input(shape=(784,))` is a `KerasTensor`: a shape with a None batch axis, a dtype and
a name, but no values. Calling a layer (any Module) on one records a `Node` (the layer
and the tensors it was given) on the layer and returns new KerasTensors for its
outputs; `nn.Model(inputs, outputs)` then replays the recorded calls on real data.

Output shapes are found by running the layer once, in eval mode and without a graph,
on a small batch of zeros of the input's shape; an axis whose length follows the input
(the batch axis, a None axis of the input) is found by a second run with other lengths
and becomes None. That run is also what builds a lazy layer (`Dense` draws its kernel
for the symbolic input's last axis, as Keras's `build`), and what checks that the
layer accepts the input: a mismatch raises an error naming the layer and both shapes.

A layer called twice records two nodes and keeps its weights: the two calls share them
(Keras's layer sharing). Keras-style layers and models are named when they are made
(`default_name`): their own `name` if given, else their class in snake_case, numbered
per session (`dense`, `dense_1`, ...); `clear_session()` starts the numbering again.
A PyTorch-style module has no name until it first joins a graph, and then gets one the
same way (`layer_name`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Tensor, get_default_dtype, no_grad

if TYPE_CHECKING:
    from nn.module import Module

_name_counts: dict[str, int] = {}


def snake_case(name: str) -> str:
    """Keras's default layer name of a class, as its `to_snake_case`:
    `BatchNormalization` -> `batch_normalization`, `ReLU` -> `re_lu`, `Conv2D` -> `conv2d`."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """`base` the first time, then `base_1`, `base_2`, ... (Keras's numbering)."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return f"{base}_{count}" if count else base


def default_name(owner: object, name: Any = None) -> str:
    """Keras's name of a layer or model being made: `name` if given (a non-empty str),
    else its class in snake_case numbered for the session (`dense`, `dense_1`, ...).

    Raises:
        TypeError: a name that is not a non-empty string.
    """
    cls = type(owner).__name__
    return check_name(cls, name) or unique_name(snake_case(cls))


def clear_session() -> None:
    """Start the numbering of default names again (`dense`, `dense_1`, ... and
    `functional`), as Keras's `keras.utils.clear_session()`."""
    _name_counts.clear()


def check_name(owner: str, name: Any) -> str | None:
    """Keras's `name=`: a non-empty string shown by `summary` (None: a default name
    is given later)."""
    if name is not None and not (isinstance(name, str) and name):
        raise TypeError(f"{owner}: name must be a non-empty str, got {name!r}")
    return name


def layer_name(layer: Any) -> str:
    """The layer's name, given one now (Keras's default) if it has none."""
    name = getattr(layer, "name", None)
    if not isinstance(name, str):
        base = (
            "input_layer" if type(layer).__name__ == "Input" else snake_case(type(layer).__name__)
        )
        name = unique_name(base)
        object.__setattr__(layer, "name", name)
    return name


class KerasTensor:
    """A symbolic tensor: the shape (None for the batch axis and any axis of unknown
    length), the dtype and the name of a value a model will compute, and the layer
    call (`node`) that computes it. It has no values: pass it to layers, and to
    `nn.Model(inputs, outputs)`; give `fit` and `predict` arrays."""

    shape: tuple[int | None, ...]
    dtype: str
    name: str

    def __init__(self, shape: tuple[int | None, ...], dtype: Any, name: str | None = None) -> None:
        self._set_symbolic(shape, dtype, name)

    def _set_symbolic(self, shape: tuple[int | None, ...], dtype: Any, name: str | None) -> None:
        # object.__setattr__: an `nn.Input` is also a Module, whose __setattr__ checks values
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "dtype", str(np.dtype(dtype)))
        object.__setattr__(self, "name", name if name is not None else unique_name("keras_tensor"))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def node(self) -> Node:
        """The layer call that makes this tensor."""
        return self.__dict__["_node"]

    @property
    def index(self) -> int:
        """This tensor's position among its node's outputs."""
        return self.__dict__["_index"]

    def _symbolic_repr(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __repr__(self) -> str:
        return self._symbolic_repr()

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TypeError(
            f"{self._symbolic_repr()} is symbolic: it has no values. Build a model with "
            "nn.Model(inputs, outputs), then pass arrays of data to the model, fit, "
            "evaluate or predict"
        )

    def __bool__(self) -> bool:
        raise TypeError(f"{self._symbolic_repr()} is symbolic: it has no truth value")

    def __len__(self) -> int:
        raise TypeError(f"{self._symbolic_repr()} is symbolic: its batch size is not known")


class Node:
    """One call of a layer on symbolic tensors: `layer(*args, **kwargs)` made `outputs`.

    `args` and `kwargs` keep the call's structure (a tensor, a list of tensors, other
    arguments as given); `structure` is the layer's result with each output tensor
    replaced by its position in `outputs`. `index` counts the layer's calls."""

    def __init__(
        self,
        layer: Module,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        outputs: list[KerasTensor],
        structure: Any,
    ) -> None:
        self.layer, self.args, self.kwargs = layer, args, kwargs
        self.outputs, self.structure = outputs, structure
        nodes = inbound_nodes(layer)
        self.index = len(nodes)
        nodes.append(self)
        for i, tensor in enumerate(outputs):
            object.__setattr__(tensor, "_node", self)
            object.__setattr__(tensor, "_index", i)

    @property
    def inputs(self) -> list[KerasTensor]:
        """The symbolic tensors the call was given, in order."""
        return list(symbolic_leaves((self.args, self.kwargs)))

    def __repr__(self) -> str:
        return f"<Node {getattr(self.layer, 'name', None)}[{self.index}]>"


def inbound_nodes(layer: Module) -> list[Node]:
    """The nodes of the layer's symbolic calls, in order (kept on the layer)."""
    nodes = layer.__dict__.get("_inbound_nodes")
    if nodes is None:
        nodes = []
        object.__setattr__(layer, "_inbound_nodes", nodes)
    return nodes


def symbolic_leaves(structure: Any) -> Iterator[KerasTensor]:
    """The KerasTensors inside nested lists, tuples and dicts, in order."""
    if isinstance(structure, KerasTensor):
        yield structure
    elif isinstance(structure, (list, tuple)):
        for item in structure:
            yield from symbolic_leaves(item)
    elif isinstance(structure, Mapping):
        for item in structure.values():
            yield from symbolic_leaves(item)


def is_symbolic(value: Any) -> bool:
    """Whether `value` is a KerasTensor or a list / tuple / dict holding one."""
    return next(symbolic_leaves(value), None) is not None


def map_structure(fn: Callable[[Any], Any], structure: Any, leaf: type | tuple) -> Any:
    """`structure` with `fn` applied to every leaf of type `leaf` (lists, tuples and
    dicts rebuilt; anything else kept)."""
    if isinstance(structure, leaf):
        return fn(structure)
    if isinstance(structure, (list, tuple)):
        items = [map_structure(fn, item, leaf) for item in structure]
        return items if isinstance(structure, list) else tuple(items)
    if isinstance(structure, Mapping):
        return {k: map_structure(fn, v, leaf) for k, v in structure.items()}
    return structure


def sample_of(tensor: KerasTensor, length: int) -> Any:
    """Zeros of the tensor's shape (None axes of `length`) and dtype: a Tensor for
    floats, an ndarray otherwise (as `DataLoader` hands out labels and indices)."""
    shape = tuple(length if n is None else n for n in tensor.shape)
    array = np.zeros(shape, dtype=tensor.dtype)
    return Tensor(array) if array.dtype.kind in "fc" else array


def _trial(layer: Module, args: tuple, kwargs: dict, length: int) -> Any:
    """The layer's result on zeros, in eval mode, without a graph; every module's
    mode is restored afterwards (BatchNorm must not update its statistics here)."""
    modes = [(m, m.training) for m in layer.modules()]
    layer.eval()
    try:
        with no_grad(), np.errstate(all="ignore"):
            real_args = map_structure(lambda t: sample_of(t, length), args, KerasTensor)
            real_kwargs = map_structure(lambda t: sample_of(t, length), kwargs, KerasTensor)
            return layer(*real_args, **real_kwargs)
    finally:
        for module, mode in modes:
            object.__setattr__(module, "training", mode)


def _shape_text(args: tuple) -> str:
    shapes = [str(t.shape) for t in symbolic_leaves(args)]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _expected_shape(layer: Module, given: tuple[int | None, ...]) -> tuple | None:
    """The input shape the layer would accept instead of `given`, when it says."""
    declared = getattr(layer, "input_shape", None)
    if type(layer).__name__ == "Input" and isinstance(declared, tuple):
        return (None, *declared)
    trailing: tuple[int, ...] | None = None
    for attr in ("input_dim", "in_features", "num_features"):
        value = getattr(layer, attr, None)
        if isinstance(value, (int, np.integer)):
            trailing = (int(value),)
            break
    normalized = getattr(layer, "normalized_shape", None)
    if trailing is None and isinstance(normalized, tuple):
        trailing = normalized
    if trailing is None:
        return None
    keep = max(len(given) - len(trailing), 1)
    return (*given[:keep], *trailing)


def _call_error(layer: Module, args: tuple, err: Exception) -> ValueError:
    """The error of a layer called on symbolic inputs it cannot take: the layer's
    name, the shape it expects when it says, and the shapes it was given (in the
    layer's own message, the trial's shapes are written back as symbolic ones)."""
    name = f"'{layer_name(layer)}' ({type(layer).__name__})"
    tensors = list(symbolic_leaves(args))
    expected = _expected_shape(layer, tensors[0].shape) if len(tensors) == 1 else None
    if expected is not None and expected != tensors[0].shape:
        return ValueError(
            f"Layer {name} expects an input of shape {expected}, but it was called on a "
            f"tensor of shape {tensors[0].shape}"
        )
    message = str(err)
    trials = {str(tuple(2 if n is None else n for n in t.shape)): str(t.shape) for t in tensors}
    for trial in sorted(trials, key=len, reverse=True):
        message = message.replace(trial, trials[trial])
    return ValueError(
        f"Layer {name} cannot be called on an input of shape {_shape_text(args)}: {message}"
    )


def symbolic_call(layer: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Record `layer(*args, **kwargs)` on symbolic tensors and return symbolic outputs
    of the same structure as the layer's result (see the module docstring)."""
    layer_name(layer)
    try:
        first = _trial(layer, args, kwargs, 2)
        second = _trial(layer, args, kwargs, 3)
    except (ValueError, TypeError, IndexError, RuntimeError) as err:
        raise _call_error(layer, args, err) from None
    outputs: list[KerasTensor] = []

    def symbolic(pair: tuple[Any, Any]) -> int:
        a, b = (np.asarray(v.data if isinstance(v, Tensor) else v) for v in pair)
        shape = tuple(n if n == m else None for n, m in zip(a.shape, b.shape))
        outputs.append(KerasTensor(shape, a.dtype))
        return len(outputs) - 1

    structure = map_structure(symbolic, _zip_results(layer, first, second), _Pair)
    Node(layer, args, kwargs, outputs, structure)
    return map_structure(lambda i: outputs[i], structure, int)


class _Pair(tuple):
    """The two trial results of one output, side by side."""


def _zip_results(layer: Module, first: Any, second: Any) -> Any:
    if isinstance(first, (Tensor, np.ndarray)):
        return _Pair((first, second))
    if isinstance(first, (list, tuple)):
        items = [_zip_results(layer, a, b) for a, b in zip(first, second)]
        return items if isinstance(first, list) else tuple(items)
    if isinstance(first, Mapping):
        return {k: _zip_results(layer, first[k], second[k]) for k in first}
    raise TypeError(
        f"Layer '{layer_name(layer)}' ({type(layer).__name__}) returned "
        f"{type(first).__name__}, not a Tensor: it cannot be used in a functional model"
    )


def first_call_attribute(layer: Module, attribute: str) -> Any:
    """Keras's `layer.input` / `layer.output`: the tensors of the layer's first call."""
    nodes = layer.__dict__.get("_inbound_nodes")
    if not nodes:
        raise AttributeError(
            f"The layer {getattr(layer, 'name', None) or type(layer).__name__} has never "
            f"been called on a symbolic tensor and thus has no defined {attribute}"
        )
    node = nodes[0]
    if attribute == "output":
        return map_structure(lambda i: node.outputs[i], node.structure, int)
    return node.args[0] if len(node.args) == 1 and not node.kwargs else list(node.inputs)


def default_float() -> str:
    return str(np.dtype(get_default_dtype()))
