"""PyTorch's argument names beside numpy's: `dim` for `axis`, `keepdim` for `keepdims`.

Every op that takes an axis accepts both spellings, so `x.sum(axis=1, keepdims=True)`
and `x.sum(dim=1, keepdim=True)` are the same call. Giving both names of one argument
is an error rather than a silent choice. `check_dim` checks one `dim` as PyTorch does.
`DimError` and `OperandError` are PyTorch's error types that are also numpy's.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class DimError(IndexError, ValueError):
    """A dim out of range, or a reduction over a dim of length 0: an IndexError, as
    PyTorch raises it, and a ValueError, as numpy's `AxisError` is."""


class OperandError(RuntimeError, ValueError):
    """Operands an op cannot take together (einsum subscripts that do not fit them, a
    dim given twice): a RuntimeError, as PyTorch raises it, and a ValueError, as numpy
    raises it."""


class DtypeError(RuntimeError, TypeError):
    """A tensor of a dtype an op does not take (a float mask, float indices): a
    RuntimeError, as PyTorch raises it, and a TypeError, as a wrong type is in Python."""


def axis_arg(op: str, axis: Any, dim: Any, default: Any = None) -> Any:
    """`dim` (PyTorch's name) or `axis` (numpy's), whichever was given, else `default`.

    Raises:
        TypeError: both were given.
    """
    if dim is None:
        return default if axis is None else axis
    if axis is not None:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; pass one of them")
    return dim


def keepdims_arg(op: str, keepdims: bool | None, keepdim: bool | None) -> bool:
    """`keepdim` (PyTorch's name) or `keepdims` (numpy's); False when neither was given.

    Raises:
        TypeError: both were given.
    """
    if keepdim is None:
        return bool(keepdims)
    if keepdims is not None:
        raise TypeError(
            f"{op}: got both keepdims={keepdims!r} and keepdim={keepdim!r}; pass one of them"
        )
    return bool(keepdim)


def check_dim(name: str, dim: Any, ndim: int) -> int:
    """`dim` as a non-negative int; a 0-d tensor takes 0 and -1, as in PyTorch.

    Raises:
        TypeError: `dim` not an int.
        DimError: `dim` out of range (an IndexError, PyTorch's error type).
    """
    span = ndim if ndim else 1
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool):
        raise TypeError(f"{name}: dim must be an int, got {dim!r}")
    if not -span <= dim < span:
        raise DimError(
            f"{name}: dimension out of range (expected to be in range of [{-span}, {span - 1}], "
            f"but got {dim})"
        )
    return int(dim) % span


def check_dims(name: str, dims: Any, ndim: int) -> Any:
    """`dims` (None, an int, or a tuple or list of ints) checked as PyTorch checks them,
    each one non-negative: None stays None, one int stays one int, several become a
    tuple. A 0-d tensor takes 0 and -1, as in PyTorch.

    Raises:
        TypeError: a dim that is not an int.
        DimError: a dim out of range (an IndexError, PyTorch's error type).
        OperandError: a dim given twice (a RuntimeError, PyTorch's error type).
    """
    if dims is None:
        return None
    if not isinstance(dims, tuple | list):
        return check_dim(name, dims, ndim)
    checked = tuple(check_dim(name, d, ndim) for d in dims)
    for d in checked:
        if checked.count(d) > 1:
            raise OperandError(f"{name}: dim {d} appears multiple times in the list of dims")
    return checked


def numpy_axis(dims: Any, ndim: int) -> Any:
    """What numpy takes for dims checked by `check_dims`: on a 0-d array (where PyTorch
    allows dim 0 and -1) numpy takes no axis but None."""
    return dims if ndim else None
