"""The Keras summary table of a model: each layer's output shape and parameter count.

Output shapes are measured, not computed: one zero sample runs through the model
(eval mode, no graph) with a forward hook on every layer recording what it returns.
Parameters that require grad are trainable; frozen parameters and buffers
(BatchNorm's running mean and variance) are non-trainable, as in Keras; BatchNorm1d's
`num_batches_tracked` counter is not counted.

The table is drawn as Keras 3 draws it (with the `rich` library, which this module
does not need): box-drawing borders, a column layout from Keras's positions and the
terminal's width, cells wrapped at spaces (a word too long for its cell cut with
"…"), and totals with their size in memory.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from nn import weights
from nn.input import Input
from nn.module import Module

#: Keras 3's layouts, by number of columns: the longest line it draws, and where each
#: column ends as a fraction of the line.
LAYOUTS = {3: (88, (0.45, 0.80, 1.0)), 4: (108, (0.3, 0.56, 0.74, 1.0))}


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
    (trainable, _), (frozen, _) = weight_sizes(module)
    return trainable, frozen


def weight_sizes(module: Module) -> tuple[tuple[int, int], tuple[int, int]]:
    """((count, bytes) of the trainable weights, (count, bytes) of the others): the
    parameters that require grad, and the frozen ones with the buffers (not counters)."""
    trainable, frozen = [0, 0], [0, 0]
    for p in module.parameters():
        into = trainable if p.requires_grad else frozen
        into[0] += p.data.size
        into[1] += p.data.nbytes
    counters = weights.counter_names(module)
    for k, b in module.named_buffers():
        if b is not None and k not in counters:
            frozen[0] += b.data.size
            frozen[1] += b.data.nbytes
    return (trainable[0], trainable[1]), (frozen[0], frozen[1])


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


def _shape(output: Any, batch: int | None = None) -> str:
    if isinstance(output, (tuple, list)):
        return "[" + ", ".join(_shape(o, batch) for o in output) + "]"
    shape = np.shape(output.data if isinstance(output, Tensor) else output)
    return str((batch, *shape[1:])) if shape else "()"


def batch_size(model: Any) -> int | None:
    """The batch axis of the shapes Keras shows: None, or for a `Sequential` built by
    its first call (or `build`) without an `Input`, that call's batch size, as Keras 3
    shows `(1, 2)` after ``model(ops.ones((1, 4)))``."""
    return model.__dict__.get("_batch_size")


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
    batch = batch_size(model)
    handles = [
        layer.register_forward_hook(
            lambda m, args, out, i=i: shapes.__setitem__(i, _shape(out, batch))
        )
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


def format_summary(model: Any, line_length: int | None = None, positions: Any = None) -> str:
    """The summary table of `model` (a `nn.Model`) as text. Before the input size is
    known, as Keras 3: "?" for every output shape and "0 (unbuilt)" for the layers
    whose weights are not made yet."""
    layers = layer_rows(model)
    shapes = output_shapes(model, layers) or ["?"] * len(layers)
    rows = [
        [f"{name} ({type(layer).__name__})", shape, _params(layer)]
        for name, layer, shape in zip(_names(layers), layers, shapes)
    ]
    title = getattr(model, "name", None)
    if not isinstance(title, str):
        title = _snake(type(model).__name__)
    header = ["Layer (type)", "Output Shape", "Param #"]
    return render_table(model, title, header, rows, line_length, positions)


def column_widths(columns: int, line_length: int | None, positions: Any) -> list[int]:
    """Each column's width between the borders (its text and a space on either side).

    Keras 3 gives the columns `int(position * line_length)` characters each, the line
    being at most 88 (three columns) or 108 characters (four) and at most 4 less than
    the terminal is wide; its table library then adds the spaces and takes the excess
    back, in equal shares from the first column on (shares rounded half to even).
    """
    longest, default_positions = LAYOUTS[columns]
    if line_length is None:
        line_length = min(longest, shutil.get_terminal_size().columns - 4)
    widths, end = [], 0
    for position in positions or default_positions:
        width = int(position * line_length) - end
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width + 2)
        end += width
    excess, shares = sum(widths) - (line_length - len(widths) - 1), len(widths)
    for i, width in enumerate(widths):
        if excess <= 0:
            break
        taken = min(width, round(excess / shares))
        widths[i] -= taken
        excess, shares = excess - taken, shares - 1
    return widths


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters, broken at spaces: a word that does
    not fit on the line starts the next, and a line still too long (one long word)
    ends in "…"."""
    lines, line = [], ""
    for word in re.findall(r"\S+\s*|\s+", text):
        if len(line) + len(word.rstrip()) > width and line:
            lines.append(line)
            line = ""
        line += word
    lines.append(line)
    lines = [line.rstrip() for line in lines]
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines]


def _cells(cells: list[str], widths: list[int], right: list[bool], bar: str) -> list[str]:
    """The lines of one row: each cell wrapped to its column, padded, between bars."""
    wrapped = [wrap(cell, width - 2) for cell, width in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for k in range(height):
        parts = []
        for lines, width, r in zip(wrapped, widths, right):
            text = lines[k] if k < len(lines) else ""
            parts.append(" " + (text.rjust if r else text.ljust)(width - 2) + " ")
        out.append(bar + bar.join(parts) + bar)
    return out


def readable_size(nbytes: float) -> str:
    """Keras's memory size: "1.56 MB" (powers of 1024, two decimals)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes / 1024 < 1:
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.2f} PB"


def optimizer_size(model: Any) -> tuple[int, int] | None:
    """(count, bytes) of the compiled Keras-style optimizer's variables once it has
    taken a step, as Keras 3 (on JAX) counts them: its step counter and learning rate
    (unless a schedule gives it), 4 bytes each, and its slots (momenta, ...)."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(optimizer, "iterations", 0) or not hasattr(optimizer, "state"):
        return None
    count = 1 + (not callable(optimizer._base_rate()))
    count += hasattr(optimizer, "u_product")  # Nadam's running product
    nbytes = 4 * count
    for state in optimizer.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                count += value.size
                nbytes += value.nbytes
    return count, nbytes


def render_table(
    model: Any,
    title: str,
    header: list[str],
    rows: list[list[str]],
    line_length: int | None = None,
    positions: Any = None,
) -> str:
    """Keras 3's summary text: the title, the table (a row per layer under `header`;
    "Param #" right-aligned), then the parameter totals with their sizes."""
    widths = column_widths(len(header), line_length, positions)
    right = [name == "Param #" for name in header]

    def rule(left: str, fill: str, cross: str, end: str) -> str:
        return left + cross.join(fill * w for w in widths) + end

    out = [f'Model: "{title}"', rule("┏", "━", "┳", "┓")]
    out += _cells(header, widths, right, "┃")
    out.append(rule("┡", "━", "╇", "┩"))
    for i, row in enumerate(rows):
        if i:
            out.append(rule("├", "─", "┼", "┤"))
        out += _cells(row, widths, right, "│")
    out.append(rule("└", "─", "┴", "┘"))
    (trainable, trainable_bytes), (frozen, frozen_bytes) = weight_sizes(model)
    extra = optimizer_size(model)
    total = trainable + frozen + (extra[0] if extra else 0)
    total_bytes = trainable_bytes + frozen_bytes + (extra[1] if extra else 0)
    out += [
        f" Total params: {total:,} ({readable_size(total_bytes)})",
        f" Trainable params: {trainable:,} ({readable_size(trainable_bytes)})",
        f" Non-trainable params: {frozen:,} ({readable_size(frozen_bytes)})",
    ]
    if extra:
        out.append(f" Optimizer params: {extra[0]:,} ({readable_size(extra[1])})")
    return "\n".join(out)
