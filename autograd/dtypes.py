"""PyTorch's dtype names, as the numpy scalar types they stand for.

``autograd.zeros((27, 27), dtype=autograd.int32)`` and ``x.dtype == autograd.float32``
read as in PyTorch code; any numpy dtype works wherever these do.
"""

from __future__ import annotations

import numpy as np

float16 = half = np.float16
float32 = np.float32
float64 = double = np.float64
int8 = np.int8
int16 = short = np.int16
int32 = np.int32
int64 = long = np.int64
uint8 = np.uint8
bool_ = np.bool_

#: Every name above, with PyTorch's `float`, `int` and `bool` (kept out of this module's
#: namespace, where they would hide Python's built-ins).
NAMES: dict[str, type] = {
    "float16": float16,
    "half": half,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": double,
    "int8": int8,
    "int16": int16,
    "short": short,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": long,
    "uint8": uint8,
    "bool": bool_,
}
