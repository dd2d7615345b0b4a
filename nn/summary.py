"""The Keras summary table of a model: each layer's output shape and parameter count.

Output shapes are measured, not computed: one zero sample runs through the model
(eval mode, no graph) with a forward hook on every layer recording what it returns.
Parameters that require grad are trainable; frozen parameters and buffers
(BatchNorm's running mean and variance) are non-trainable, as in Keras; BatchNorm1d's
`num_batches_tracked` counter is not counted.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from nn import weights
from nn.input import Input
from nn.module import Module

_WIDTHS = (28, 26, 10)  # Keras's Sequential columns: 65 characters in all


def layer_rows(model: Module) -> list[Module]:
    """The layers to list: the model's children, looking inside single wrappers
    (`nn.Model(nn.MLP(...))` lists the MLP's layers) but not in a model written with
    `call`, whose attributes are its layers, as Keras lists them."""
    layers = list(model.children())
    while len(layers) == 1 and _is_container(layers[0]) and not hasattr(type(model), "call"):
        layers = list(layers[0].children())
    # Keras does not list the Input as a layer: it holds no weights and changes nothing.
    # An empty stack has no rows, as Keras's; a model of no sub-modules is its own row.
    rows = [layer for layer in layers if not isinstance(layer, Input)]
    return rows or ([] if _is_container(model) else [model])


def _is_container(module: Module) -> bool:
    """A Sequential-like stack (indexable) or a model keeping one in `.layers` (MLP)."""
    stack = hasattr(module, "__len__") and hasattr(module, "__getitem__")
    return stack or isinstance(getattr(module, "layers", None), Module)


def _input_size(module: Module) -> int | None:
    for attr in ("input_dim", "in_features", "num_features"):
        value = getattr(module, attr, None)
        if isinstance(value, (int, np.integer)):
            return int(value)
    return None


def _first_input_size(layers: list[Module]) -> int | None:
    """The input size declared by the first layer (Dense(input_dim=...), Linear, ...)."""
    module = layers[0]
    while True:
        size = _input_size(module)
        children = list(module.children())
        if size is not None or not children:
            return size
        module = children[0]


def _counts(module: Module) -> tuple[int, int]:
    """(trainable, non-trainable) scalars in the module's parameters and buffers."""
    trainable = frozen = 0
    for p in module.parameters():
        if p.requires_grad:
            trainable += p.size
        else:
            frozen += p.size
    counters = weights.counter_names(module)
    frozen += sum(b.size for k, b in module.named_buffers() if b is not None and k not in counters)
    return trainable, frozen


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _names(layers: list[Module]) -> list[str]:
    """Each layer's own name, given when it was made (`dense_2` for the third Dense of
    the session); a PyTorch-style module, which has none, is numbered within the model
    (`linear`, `linear_1`, ...)."""
    seen: dict[str, int] = {}
    names = []
    for layer in layers:
        given = getattr(layer, "name", None)  # Keras's name= (Dense, Sequential)
        if isinstance(given, str):
            names.append(given)
            continue
        base = _snake(type(layer).__name__)
        count = seen.get(base, 0)
        seen[base] = count + 1
        names.append(f"{base}_{count}" if count else base)
    return names


def _shape(output: Any) -> str:
    if isinstance(output, (tuple, list)):
        return "[" + ", ".join(_shape(o) for o in output) + "]"
    shape = np.shape(output.data if isinstance(output, Tensor) else output)
    return str((None, *shape[1:])) if shape else "()"


def output_shapes(model: Any, layers: list[Module]) -> list[str] | None:
    """Each layer's output shape, "(None, 100)", from one zero sample through the model;
    None while the input size is not known (no layer can run yet)."""
    sample = model.__dict__.get("_input_shape")
    if not layers:
        return []
    if sample is None:
        size = _first_input_size(layers)
        if size is None:
            return None
        sample = (size,)
    shapes = ["?"] * len(layers)
    handles = [
        layer.register_forward_hook(lambda m, args, out, i=i: shapes.__setitem__(i, _shape(out)))
        for i, layer in enumerate(layers)
    ]
    try:
        model._probe(np.zeros((1, *sample), dtype=sample_dtype(model)))
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def sample_dtype(model: Any) -> Any:
    """The dtype of a zero sample for `model`: the record dtype of the several inputs
    it was last called with (`fit` or `predict` on a dict or list of arrays), else
    the default float dtype."""
    return model.__dict__.get("_input_dtype") or get_default_dtype()


def _params(layer: Module) -> str:
    """The layer's parameter count, "0 (unbuilt)" for a layer (or a layer of it) yet to
    make its weights."""
    if any(getattr(m, "built", True) is False for m in layer.modules()):
        return "0 (unbuilt)"
    return f"{sum(_counts(layer)):,}"


def format_summary(model: Any) -> str:
    """The summary table of `model` (a `nn.Model`) as text. Before the input size is
    known, as Keras 3: "?" for every output shape and "0 (unbuilt)" for the layers
    whose weights are not made yet."""
    layers = layer_rows(model)
    shapes = output_shapes(model, layers) or ["?"] * len(layers)
    rows = [
        (f"{name} ({type(layer).__name__})", shape, _params(layer))
        for name, layer, shape in zip(_names(layers), layers, shapes)
    ]
    title = getattr(model, "name", None)
    if not isinstance(title, str):
        title = _snake(type(model).__name__)
    header = ["Layer (type)", "Output Shape", "Param #"]
    return render_table(title, header, [list(r) for r in rows], _WIDTHS, _counts(model))


def render_table(
    title: str, header: list[str], rows: list[list[str]], base: Any, counts: tuple[int, int]
) -> str:
    """Keras's summary text: the title, a row per layer under `header` in columns at
    least `base` wide, then the parameter totals (trainable, non-trainable)."""
    widths = [max([w, *(len(r[i]) + 2 for r in rows)]) for i, w in enumerate(base)]
    width = sum(widths) + 1

    def line(cells: list[str]) -> str:
        return (" " + "".join(c.ljust(w) for c, w in zip(cells, widths))).rstrip()

    trainable, frozen = counts
    out = [f'Model: "{title}"', "_" * width, line(header), "=" * width]
    for i, row in enumerate(rows):
        out += [line(row), "_" * width if i < len(rows) - 1 else "=" * width]
    out += [
        f"Total params: {trainable + frozen:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {frozen:,}",
        "_" * width,
    ]
    return "\n".join(out)
