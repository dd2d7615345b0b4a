"""PyTorch's argument names beside numpy's: `dim` for `axis`, `keepdim` for `keepdims`.

Every op that takes an axis accepts both spellings, so `x.sum(axis=1, keepdims=True)`
and `x.sum(dim=1, keepdim=True)` are the same call. Giving both names of one argument
is an error rather than a silent choice.
"""

from __future__ import annotations

from typing import Any


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
