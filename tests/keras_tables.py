"""Reading `summary()` tables: Keras 3's boxed one and nn's, row by row."""

from __future__ import annotations

import re

_SHAPE = r"(\?|\(None(?:, \d+)+\))"
_PARAMS = r"(0 \(unbuilt\)|[\d,]+)"


def summary_rows(text: str) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """(name, type, output shape, params) of each layer row, and the three totals, from
    either table (Keras 3 draws boxes, nn prints Keras 2's plain table)."""
    rows = re.findall(rf"(\w+) \((\w+)\)\s*[│ ]\s*{_SHAPE}\s*[│ ]\s*{_PARAMS}", text)
    totals = re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)
    return rows, totals


def keras_summary_rows(model) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """`summary_rows` of what a Keras model's `summary()` prints."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, line_break=True: lines.append(line))
    return summary_rows("\n".join(lines))
