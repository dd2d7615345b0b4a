"""Text of graph nodes: a tensor's name, shape, value and gradient as a Graphviz HTML label.

Small arrays are printed in full; an array with more than `max_elements` values is
summarised by its min, mean and max, so a (784, 64) weight stays one line.
"""

from __future__ import annotations

import html

import numpy as np

GRAD_COLOR = "#b91c1c"
_BR = "<BR/>"


def format_number(value: object) -> str:
    """One number, short: 4 significant digits for floats (`-1.5`, `0.7071`, `1e-08`)."""
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return str(value)
    if isinstance(value, (complex, np.complexfloating)):
        return f"{value:.4g}"
    return f"{float(value) + 0.0:.4g}"  # no "-0"


def format_array(array: np.ndarray, max_elements: int) -> list[str]:
    """Lines showing `array`: its values when it has at most `max_elements`, else a summary.

    Example:
        >>> format_array(np.array(2.0), 8)
        ['2']
        >>> format_array(np.array([0.5, -1.0, np.pi]), 8)
        ['[0.5, -1, 3.142]']
        >>> format_array(np.arange(100.0), 8)
        ['min 0  mean 49.5  max 99']
        >>> format_array(np.ones((10, 10)), 8)
        ['all 1']
    """
    if array.size == 1:
        return [format_number(array.reshape(()).item())]
    if array.size <= max_elements:
        text = np.array2string(
            array,
            separator=", ",
            max_line_width=72,
            formatter={"float_kind": format_number, "complex_kind": format_number},
        )
        return text.splitlines()
    if array.dtype.kind == "c":
        array = np.abs(array)
    low, high = array.min(), array.max()
    if low == high:
        return [f"all {format_number(low)}"]
    mean = array.mean()
    return [f"min {format_number(low)}  mean {format_number(mean)}  max {format_number(high)}"]


def describe_shape(shape: tuple[int, ...] | None, dtype: np.dtype | None) -> str:
    """`(2, 3) float32`, or `scalar float32` for a 0-d array (`freed` when unknown)."""
    if shape is None:
        return "freed"
    return f"{'scalar' if shape == () else shape} {dtype}"


def _lines(lines: list[str]) -> str:
    return _BR.join(html.escape(line) for line in lines)


def tensor_label(
    name: str | None,
    shape: tuple[int, ...],
    dtype: np.dtype,
    data: list[str] | None,
    grad: list[str] | None,
    grad_note: str = "",
) -> str:
    """An HTML-like Graphviz label: name, shape and dtype, then `data ...` and `grad ...` rows.

    A 0-d tensor gets no shape row: its single value says it is a scalar, and a
    `scalar float32` on every node of a scalar graph would only be clutter.
    `grad_note` follows the word grad, e.g. " (partial)" while a sum is still accumulating.
    """
    rows = []
    if name:
        rows.append(f"<B>{html.escape(name)}</B>")
    if shape != ():
        described = html.escape(describe_shape(shape, dtype))
        rows.append(f'<FONT POINT-SIZE="10" COLOR="#4b5563">{described}</FONT>')
    if data is not None:
        rows.append(f"data {_lines(data)}")
    if grad is not None:
        note = html.escape(grad_note)
        rows.append(f'<FONT COLOR="{GRAD_COLOR}">grad{note} {_lines(grad)}</FONT>')
    return table(rows)


def table(rows: list[str]) -> str:
    """Stack already-escaped HTML rows into one borderless Graphviz HTML label."""
    body = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{body}</TABLE>>'
