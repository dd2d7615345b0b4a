"""How a Tensor prints: PyTorch's layout, so printed numbers read as a lesson shows them.

The rules of PyTorch's printer (4 decimals; floats that are all whole numbers as
``1.``; scientific notation when the magnitudes span more than 1000x, exceed 1e8,
or, for non-integers, go below 1e-4; one width for every element; rows of at most
80 characters; tensors of more than 1000 elements summarized by their first and
last 3 entries along each axis), with `Tensor(` for `tensor(` and numpy's dtype
names. The dtype is shown unless it is the default float dtype, or int64 or bool
with elements to show. `set_printoptions` changes those numbers as PyTorch's does
(fast.ai's ``torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np


@dataclasses.dataclass
class PrintOptions:
    """PyTorch's print options: digits after the point, the element count above which
    a tensor is summarized, the entries kept at each end of a summarized axis, the
    characters per line, and scientific notation forced on or off (None: chosen from
    the values)."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


#: The options every print reads (PyTorch's `PRINT_OPTS`: one set per process).
PRINT_OPTS = PrintOptions()

#: `set_printoptions(profile=...)`: PyTorch's three profiles.
PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as `torch.set_printoptions`: a `profile` ("default",
    "short" or "full") first, then each option given; `sci_mode` is always set (None
    lets the values choose, as by default).

    Raises:
        ValueError: an unknown `profile` (PyTorch ignores it).

    Example:
        >>> import autograd
        >>> autograd.set_printoptions(precision=2)
        >>> autograd.tensor([1.12345])
        Tensor([1.12])
        >>> autograd.set_printoptions(profile="default")
        >>> autograd.tensor([1.12345])
        Tensor([1.1235])
    """
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(
                f"set_printoptions: profile must be one of {sorted(PROFILES)}, got {profile!r}"
            )
        for name, value in PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    given["linewidth"] = linewidth
    for name, option in given.items():
        if option is not None:
            setattr(PRINT_OPTS, name, option)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments of `set_printoptions`."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**options: Any) -> Iterator[None]:
    """`set_printoptions(**options)` for the `with` block only."""
    old = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**old)


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
        self.sci_mode = bool(largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)
        digits = PRINT_OPTS.precision
        if self.sci_mode:
            widths = [len(f"{v:.{digits}e}") for v in finite.tolist()]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in finite.tolist()]
        else:
            widths = [len(f"{v:.{digits}f}") for v in finite.tolist()]
        self.max_width = max(widths)

    def format(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return " " * (self.max_width - len(text)) + text


def summarized(data: np.ndarray) -> np.ndarray:
    """The first and last `edgeitems` entries along every long axis: what a summarized
    print shows, and what its format is chosen from."""
    edge = PRINT_OPTS.edgeitems
    for axis, n in enumerate(data.shape):
        if n > 2 * edge:
            keep = list(range(edge)) + list(range(n - edge, n))
            data = np.take(data, keep, axis=axis)
    return data


def body(data: np.ndarray, indent: int, summarize: bool, formatter: Formatter) -> str:
    """The bracketed values of `data`, continuation lines indented by `indent`."""
    if data.ndim == 0:
        return formatter.format(data.item())
    n_edge = PRINT_OPTS.edgeitems
    edge = summarize and data.shape[0] > 2 * n_edge
    if data.ndim == 1:
        values = data.tolist()
        if summarize and not n_edge:
            items = ["..."]
        elif edge:
            items = [formatter.format(v) for v in values[:n_edge]] + [" ..."]
            items += [formatter.format(v) for v in values[-n_edge:]]
        else:
            items = [formatter.format(v) for v in values]
        per_line = max(1, (PRINT_OPTS.linewidth - indent) // (formatter.max_width + 2))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(data.shape[0]))
    if edge:
        rows = [*range(n_edge), -1, *range(data.shape[0] - n_edge, data.shape[0])]
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
        summarize = data.size > PRINT_OPTS.threshold
        formatter = Formatter(summarized(data) if summarize else data)
        text = body(data, indent, summarize, formatter)
        shown = data.dtype not in (default_float, np.int64, np.bool_)
        if not PRINT_OPTS.edgeitems:  # no element may show: PyTorch gives the size
            extra.append(f"size={data.shape}")
    if shown:
        extra.append(f"dtype={data.dtype}")
    out = prefix + text
    last_line = len(out) - out.rfind("\n") + 1
    for suffix in extra + suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out += ",\n" + " " * indent + suffix
            last_line = indent + len(suffix)
        else:
            out += ", " + suffix
            last_line += len(suffix) + 2
    return out + ")"
