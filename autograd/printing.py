"""How a Tensor prints: PyTorch's layout, so printed numbers read as a lesson shows them.

The rules of PyTorch's printer (4 decimals; floats that are all whole numbers as
``1.``; scientific notation when the magnitudes span more than 1000x, exceed 1e8,
or, for non-integers, go below 1e-4; one width for every element; rows of at most
80 characters; tensors of more than 1000 elements summarized by their first and
last 3 entries along each axis), with `Tensor(` for `tensor(` and numpy's dtype
names. The dtype is shown unless it is the default float dtype, or int64 or bool
with elements to show.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PRECISION = 4
THRESHOLD = 1000  # more elements than this: summarized
EDGEITEMS = 3
LINEWIDTH = 80


class Formatter:
    """One format for every element of an array (PyTorch's `_Formatter`)."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        if not self.floating:
            self.max_width = max((len(str(v)) for v in values.reshape(-1).tolist()), default=1)
            return
        flat = values.reshape(-1).astype(np.float64)
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if not finite.size:
            return
        smallest, largest = np.abs(finite).min(), np.abs(finite).max()
        self.int_mode = bool((finite == np.ceil(finite)).all())
        self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8
        if not self.int_mode and smallest < 1.0e-4:
            self.sci_mode = True
        if self.sci_mode:
            widths = [len(f"{v:.{PRECISION}e}") for v in finite.tolist()]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in finite.tolist()]
        else:
            widths = [len(f"{v:.{PRECISION}f}") for v in finite.tolist()]
        self.max_width = max(widths)

    def format(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRECISION}f}"
        return " " * (self.max_width - len(text)) + text


def summarized(data: np.ndarray) -> np.ndarray:
    """The first and last `EDGEITEMS` entries along every long axis: what a summarized
    print shows, and what its format is chosen from."""
    for axis, n in enumerate(data.shape):
        if n > 2 * EDGEITEMS:
            keep = list(range(EDGEITEMS)) + list(range(n - EDGEITEMS, n))
            data = np.take(data, keep, axis=axis)
    return data


def body(data: np.ndarray, indent: int, summarize: bool, formatter: Formatter) -> str:
    """The bracketed values of `data`, continuation lines indented by `indent`."""
    if data.ndim == 0:
        return formatter.format(data.item())
    edge = summarize and data.shape[0] > 2 * EDGEITEMS
    if data.ndim == 1:
        values = data.tolist()
        if edge:
            items = [formatter.format(v) for v in values[:EDGEITEMS]] + [" ..."]
            items += [formatter.format(v) for v in values[-EDGEITEMS:]]
        else:
            items = [formatter.format(v) for v in values]
        per_line = max(1, (LINEWIDTH - indent) // (formatter.max_width + 2))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(data.shape[0]))
    if edge:
        rows = [*range(EDGEITEMS), -1, *range(data.shape[0] - EDGEITEMS, data.shape[0])]
    parts = ["..." if i == -1 else body(data[i], indent + 1, summarize, formatter) for i in rows]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(data: np.ndarray, suffixes: list[str], default_float: np.dtype) -> str:
    """`Tensor(...)` for `data`, followed by `suffixes` (grad_fn=..., name=...)."""
    prefix = "Tensor("
    indent = len(prefix)
    extra = []
    if data.size == 0:
        text = "[]"
        if data.ndim != 1:
            extra.append(f"size={data.shape}")
        shown = data.dtype != default_float  # no element says it is an integer
    else:
        summarize = data.size > THRESHOLD
        formatter = Formatter(summarized(data) if summarize else data)
        text = body(data, indent, summarize, formatter)
        shown = data.dtype not in (default_float, np.int64, np.bool_)
    if shown:
        extra.append(f"dtype={data.dtype}")
    out = prefix + text
    last_line = len(out) - out.rfind("\n") + 1
    for suffix in extra + suffixes:
        if last_line + len(suffix) + 2 > LINEWIDTH:
            out += ",\n" + " " * indent + suffix
            last_line = indent + len(suffix)
        else:
            out += ", " + suffix
            last_line += len(suffix) + 2
    return out + ")"
