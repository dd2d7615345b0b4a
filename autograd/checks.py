"""Argument checks for constructors (layers, optimizers, schedulers).

Each raises at construction, naming the owner, the argument, the value and what is
allowed, so that `Dense('10')` or `ExponentialLR(opt, gamma=-1)` fails where the
mistake is written rather than later inside a step.

Example:
    >>> check_int("Linear", "in_features", 0, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: Linear: invalid in_features: 0 (must be an int >= 1)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def check_int(owner: str, name: str, value: Any, minimum: int | None = None) -> int:
    """`value` as an int (bools and strings refused), at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner}: invalid {name}: {value!r} (must be an int, not {type(value).__name__})"
        )
    if minimum is not None and value < minimum:
        raise ValueError(f"{owner}: invalid {name}: {value!r} (must be an int >= {minimum})")
    return int(value)


def check_real(
    owner: str,
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Any:
    """`value` unchanged if it is a real number (not a bool or a string) in the interval
    from `low` to `high` (closed unless `low_open` / `high_open`); NaN is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: invalid {name}: {value!r} (must be a number, not {type(value).__name__})"
        )
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    if not (above and below) or value != value:
        allowed = interval(low, high, low_open, high_open)
        raise ValueError(f"{owner}: invalid {name}: {value!r} (must be {allowed})")
    return value


def interval(low: Any, high: Any, low_open: bool = False, high_open: bool = False) -> str:
    """The allowed range in words: 'in [0, 1)', '> 0', '>= 0' or 'a number'."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high}"
    return "a number"


def check_bool(owner: str, name: str, value: Any) -> bool:
    """`value` if it is a bool (numpy's included): flags given as strings are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: invalid {name}: {value!r} (must be True or False)")
    return bool(value)
