"""Reductions that skip NaN, and moments in pairs, as PyTorch's: `nansum`, `nanmean`,
`nan_to_num`, `std_mean`, `var_mean`.

The NaN-skipping ones replace NaN before reducing, so NaN positions get gradient 0, as
in PyTorch. `std_mean` and `var_mean` are PyTorch's only: their `correction` defaults
to 1, as `std`/`var` called with PyTorch's names (`autograd.ops.reduce._ddof`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.ops.arith import where
from autograd.ops.cumulative import _in_dtype
from autograd.ops.reduce import _ddof, mean, std, sum, var
from autograd.tensor import Tensor, data_of

TensorLike = Any


def _axis(dim: Any) -> Any:
    """PyTorch's dim as numpy's axis: None or an empty list/tuple mean every dim."""
    if isinstance(dim, list | tuple):
        return tuple(dim) or None
    return dim


def _without_nan(input: TensorLike) -> TensorLike:
    """`input` with 0 where it is NaN (in the graph: no gradient reaches the NaNs)."""
    data = data_of(input)
    if data.dtype.kind != "f":
        return input
    return where(np.isnan(data), np.zeros((), data.dtype), input)


def nansum(
    input: TensorLike, dim: Any = None, keepdim: bool = False, *, dtype: npt.DTypeLike | None = None
) -> Tensor:
    """The sum over `dim` (all elements when None) counting NaN as 0, as `torch.nansum`
    (int64 for bool and integer inputs); NaN elements get gradient 0.

    Raises:
        IndexError: a dim out of range.
    """
    return sum(_without_nan(_in_dtype(input, dtype)), _axis(dim), bool(keepdim))


def nanmean(
    input: TensorLike, dim: Any = None, keepdim: bool = False, *, dtype: npt.DTypeLike | None = None
) -> Tensor:
    """The mean over `dim` of the elements that are not NaN (NaN where none is), as
    `torch.nanmean`.

    Raises:
        IndexError: a dim out of range.
        RuntimeError: an input that is not float.
    """
    data = data_of(input)
    if data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected a float input, got dtype {data.dtype}")
    total = nansum(input, dim, keepdim, dtype=dtype)
    counts = (~np.isnan(data)).sum(axis=_axis(dim), keepdims=bool(keepdim))
    with np.errstate(invalid="ignore"):  # 0 / 0 where a row is all NaN: NaN, as PyTorch
        return total / np.asarray(counts, dtype=total.dtype)


def nan_to_num(
    input: TensorLike,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """`input` with NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (the
    dtype's largest and lowest numbers by default), as `torch.nan_to_num`; the replaced
    elements get gradient 0."""
    data = data_of(input)
    if data.dtype.kind != "f":
        return Tensor._make(data.copy())
    replaced = np.nan_to_num(data, nan=nan, posinf=posinf, neginf=neginf)
    return where(np.isfinite(data), input, replaced)


def _moments(
    name: str,
    input: TensorLike,
    dim: Any,
    unbiased: bool | None,
    keepdim: bool,
    correction: int | None,
) -> tuple[int, Any]:
    data = data_of(input)
    if data.dtype.kind != "f":
        raise RuntimeError(f"{name}(): takes floating point inputs, got dtype {data.dtype}")
    return _ddof(name, None, True, correction, unbiased), _axis(dim)


def var_mean(
    input: TensorLike,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> tuple[Tensor, Tensor]:
    """(variance, mean) over `dim` (all elements when None), as `torch.var_mean`:
    `correction` (or `unbiased`) 1 unless given, as PyTorch's `var`.

    Raises:
        IndexError: a dim out of range.
        RuntimeError: an input that is not float.
        ValueError: no degrees of freedom left (as `var`; PyTorch gives NaN and warns).
    """
    ddof, axis = _moments("var_mean", input, dim, unbiased, keepdim, correction)
    return var(input, axis, bool(keepdim), ddof), mean(input, axis, bool(keepdim))


def std_mean(
    input: TensorLike,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> tuple[Tensor, Tensor]:
    """(standard deviation, mean) over `dim`, as `torch.std_mean`; see `var_mean`."""
    ddof, axis = _moments("std_mean", input, dim, unbiased, keepdim, correction)
    return std(input, axis, bool(keepdim), ddof), mean(input, axis, bool(keepdim))
