"""Reading `summary()` tables (Keras 3's, which nn prints too), row by row."""

from __future__ import annotations

import re

_SHAPE = r"(\?|\((?:None|\d+)(?:, \d+)+\))"
_PARAMS = r"(0 \(unbuilt\)|[\d,]+)"


def summary_rows(text: str) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """(name, type, output shape, params) of each layer row whose name and type fit on
    one line, and the three totals."""
    rows = re.findall(rf"(\w+) \((\w+)\)\s*[│ ]\s*{_SHAPE}\s*[│ ]\s*{_PARAMS}", text)
    totals = re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)
    return rows, totals


def keras_summary_rows(model) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """`summary_rows` of what a Keras model's `summary()` prints."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, line_break=True: lines.append(line))
    return summary_rows("\n".join(lines))


def keras_summary_text(model, **kwargs) -> str:
    """What a Keras model's `summary()` prints, as nn's `summary(print_fn=None)` returns
    it (without the final newline)."""
    printed: list[str] = []
    model.summary(print_fn=lambda text, line_break=False: printed.append(text), **kwargs)
    return "".join(printed).rstrip("\n")
