"""PyTorch's functions about shapes and dtypes: `Size`, `finfo`, `iinfo`,
`result_type`, `promote_types`, `can_cast`.

The promotion rules are the ones the operators use (`autograd.ops.arith.promote`):
categories bool < integer < float; within a category the widest dtype; a tensor with
dimensions outranks a 0-d one, which outranks a Python number.
"""

from __future__ import annotations

from typing import Any, SupportsIndex

import numpy as np
import numpy.typing as npt

from autograd.ops.arith import _KIND, promote_all
from autograd.tensor import Tensor, get_default_dtype

TensorLike = Any


class Size(tuple):
    """A shape, as `torch.Size`: a tuple of ints (``Size([2, 3]) == (2, 3)``, and so
    equal to a tensor's `shape`, which is a plain tuple here)."""

    def __new__(cls, sizes: Any = ()) -> Size:
        values = tuple(sizes)
        for n in values:
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
                raise TypeError(f"Size: expected a sequence of ints, got an element {n!r}")
        return super().__new__(cls, (int(n) for n in values))

    def __getitem__(self, index: Any) -> Any:  # a slice of a Size is a Size
        out = super().__getitem__(index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other: Any) -> Size:
        return Size(tuple(self) + tuple(other))

    def __mul__(self, n: SupportsIndex) -> Size:
        return Size(tuple(self) * n)

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return int(np.prod(self, dtype=np.int64))

    def __repr__(self) -> str:
        return f"autograd.Size({list(self)})"


def _dtype(dtype: npt.DTypeLike | None) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


class finfo:
    """The limits of a float dtype, as `torch.finfo`: `bits`, `eps`, `max`, `min`,
    `tiny` (= `smallest_normal`), `resolution`, `dtype` (its name). The default float
    dtype without an argument."""

    def __init__(self, dtype: npt.DTypeLike | None = None) -> None:
        kind = _dtype(dtype)
        if kind.kind != "f":
            raise TypeError(f"finfo() requires a floating point input type, got {kind}")
        info = np.finfo(kind)
        self.bits: int = info.bits
        self.eps: float = float(info.eps)
        self.max: float = float(info.max)
        self.min: float = float(info.min)
        self.tiny: float = float(info.smallest_normal)
        self.smallest_normal: float = self.tiny
        self.resolution: float = 10.0**-info.precision
        self.dtype: str = kind.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """The limits of an integer dtype, as `torch.iinfo`: `bits`, `max`, `min`, `dtype`."""

    def __init__(self, dtype: npt.DTypeLike) -> None:
        kind = np.dtype(dtype)
        if kind.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer input type, got {kind}")
        info = np.iinfo(kind)
        self.bits: int = info.bits
        self.max: int = int(info.max)
        self.min: int = int(info.min)
        self.dtype: str = kind.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def _category(dtype: np.dtype) -> int:
    return _KIND.get(dtype.kind, 2)


def promote_types(type1: npt.DTypeLike, type2: npt.DTypeLike) -> type:
    """The dtype PyTorch gives an op on tensors of `type1` and `type2`, as
    `torch.promote_types`: the higher category's, or the wider one of the same."""
    arrays = [np.empty(0, dtype=np.dtype(d)) for d in (type1, type2)]
    return promote_all(arrays)[0].dtype.type


def result_type(tensor1: TensorLike, tensor2: TensorLike) -> type:
    """The dtype of an arithmetic op on the two operands, as `torch.result_type`: the
    highest category present, taken from tensors with dimensions first, then 0-d
    tensors, then Python numbers (bool, int64 or the default float dtype)."""
    groups: list[list[np.dtype]] = [[], [], []]  # dimensioned, 0-d, Python numbers
    for operand in (tensor1, tensor2):
        if isinstance(operand, (bool, int, float)):
            groups[2].append(np.asarray(operand).dtype)
        else:
            data = operand.data if isinstance(operand, Tensor) else np.asarray(operand)
            groups[0 if data.ndim else 1].append(data.dtype)
    top = max(_category(d) for group in groups for d in group)
    for rank, group in enumerate(groups):
        found = [d for d in group if _category(d) == top]
        if found:
            if rank == 2:
                return (np.bool_, np.int64, get_default_dtype().type)[top]
            return promote_types(found[0], found[-1])
    raise AssertionError("unreachable: two operands fall in some group")


def can_cast(from_: npt.DTypeLike, to: npt.DTypeLike) -> bool:
    """Whether PyTorch's casting rules allow `from_` into `to` (`torch.can_cast`): any
    cast that does not lower the category (float to integer, integer to bool)."""
    return _category(np.dtype(from_)) <= _category(np.dtype(to))
