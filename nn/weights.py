"""Keras's view of a model's weights: one list of arrays, layer by layer.

The order is the order of `state_dict()` (each layer's own weights in order of
assignment, then its buffers, then its sub-layers'), which is Keras's (a layer's own
weights before its sub-layers'): a `Dense` gives its kernel (in, out)
then its bias; a `BatchNorm1d` gives gamma, beta, moving mean, moving variance.
BatchNorm1d's `num_batches_tracked` counts steps for PyTorch (it is in `state_dict`)
and is no weight: it is left out here, of `count_params` too. (Keras's own counters,
as `Normalization`'s `count`, are Keras weights and stay.)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from autograd.graph import increment_version
from nn.module import Module
from nn.serialization import load_state, save_state


def counter_names(model: Module) -> set[str]:
    """The dotted names of the buffers that count steps for PyTorch's sake (a module's
    `counters`, as BatchNorm1d's `num_batches_tracked`): not weights in Keras's sense."""
    return {
        f"{prefix}.{name}" if prefix else name
        for prefix, module in model.named_modules()
        for name in getattr(module, "counters", ())
    }


def weight_tensors(model: Module) -> dict[str, Any]:
    """The `state_dict` tensors by name, but for the counters (`counter_names`)."""
    skip = counter_names(model)
    return {k: t for k, t in model._state_tensors().items() if k not in skip}


def require_built(model: Module, caller: str) -> None:
    if any(getattr(m, "built", True) is False for m in model.modules()):
        raise ValueError(
            f"{caller}: the model is not built yet; declare the input "
            "(nn.Dense(64, input_shape=(784,)) or nn.Input(shape=(784,))), call "
            "model.build((None, 784)), or run data through it first"
        )


def count_params(model: Module) -> int:
    """Scalars in all the weights, trainable or not (BatchNorm's statistics too)."""
    require_built(model, "count_params")
    return sum(t.size for t in weight_tensors(model).values())


def get_weights(model: Module) -> list[np.ndarray]:
    """Copies of the weights in Keras's order (see the module docstring): ndarrays
    of their own, as Keras's, where `state_dict()` gives Tensors sharing memory."""
    require_built(model, "get_weights")
    return [t.data.copy() for t in weight_tensors(model).values()]


def set_weights(model: Module, weights: list[Any]) -> None:
    """Copy `weights` (as `get_weights` returns them) into the model, in place.

    Raises:
        ValueError: a different number of arrays, or an array of the wrong shape
            (nothing is changed then).
    """
    require_built(model, "set_weights")
    own = weight_tensors(model)
    arrays = [np.asarray(w) for w in weights]
    if len(arrays) != len(own):
        raise ValueError(
            f"set_weights: the model has {len(own)} weight arrays "
            f"({', '.join(own)}), got {len(arrays)}"
        )
    wrong = [
        f"{name}: expected {t.shape}, got {a.shape}"
        for (name, t), a in zip(own.items(), arrays, strict=True)
        if a.shape != t.shape
    ]
    if wrong:
        raise ValueError("set_weights: wrong shapes: " + "; ".join(wrong))
    for t, a in zip(own.values(), arrays, strict=True):
        np.copyto(t.data, a)
        increment_version(t)


def save_weights(model: Module, path: str | os.PathLike) -> None:
    """Write the weights to `path` (`.npz`, named as in `state_dict`, atomically)."""
    require_built(model, "save_weights")
    save_state(model.state_dict(), path)


def load_weights(model: Module, path: str | os.PathLike) -> None:
    """Read weights written by `save_weights` (or `save`) into the model.

    Raises:
        KeyError, ValueError: names or shapes that do not match (nothing is changed).
    """
    require_built(model, "load_weights")
    state, own = load_state(path), model.state_dict()
    if list(state) != list(own) and [np.shape(v) for v in state.values()] == [
        np.shape(v) for v in own.values()
    ]:  # Keras matches weights by the layers' order, not their (numbered) names
        state = dict(zip(own, state.values(), strict=True))
    model.load_state_dict(state)
