"""How a tensor lies in memory, as PyTorch reports it, and tensors made like another:
`stride`, `is_contiguous`, `contiguous`, and the `new_*` factories.

numpy keeps strides in bytes; PyTorch counts them in elements, and so do these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import creation
from autograd.device import check_device
from autograd.function import Function
from autograd.tensor import Tensor

TensorLike = Any


class Contiguous(Function):
    """z = x laid out row after row in memory of its own (a copy)      dx = dz"""

    saves_inputs = False

    def forward(self, x):
        return np.array(x, order="C")

    def backward(self, dz, x):
        return dz


def contiguous(x: Tensor) -> Tensor:
    """`x` itself when its rows lie one after another in memory, else such a copy (in
    the graph), as `Tensor.contiguous`."""
    return x if x.data.flags.c_contiguous else Contiguous.apply(x)


def stride(x: Tensor, dim: int | None = None) -> Any:
    """The steps in elements between neighbours along each dimension (a tuple), or
    along `dim`, as `Tensor.stride`.

    Raises:
        IndexError: `dim` out of range.
    """
    steps = tuple(s // x.data.itemsize for s in x.data.strides)
    if dim is None:
        return steps
    ndim = len(steps)
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"stride: dimension out of range (expected to be in range of [{-ndim}, "
            f"{ndim - 1}], but got {dim})"
        )
    return steps[dim]


def _like(x: Tensor, dtype: npt.DTypeLike | None, device: Any) -> np.dtype:
    check_device(device)
    return x.dtype if dtype is None else np.dtype(dtype)


def new_zeros(
    x: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros of `size` with `x`'s dtype unless given, as `Tensor.new_zeros`."""
    return creation.zeros(*size, dtype=_like(x, dtype, device), requires_grad=requires_grad)


def new_ones(
    x: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones of `size` with `x`'s dtype unless given, as `Tensor.new_ones`."""
    return creation.ones(*size, dtype=_like(x, dtype, device), requires_grad=requires_grad)


def new_empty(
    x: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of `size` with `x`'s dtype unless given, as `Tensor.new_empty` (its
    values are zeros here, where PyTorch leaves them unset)."""
    return creation.zeros(*size, dtype=_like(x, dtype, device), requires_grad=requires_grad)


def new_full(
    x: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """`fill_value` in every element of `size`, with `x`'s dtype unless given, as
    `Tensor.new_full`."""
    dt = _like(x, dtype, device)
    return creation.full(size, fill_value, dtype=dt, requires_grad=requires_grad)


def new_tensor(
    x: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A copy of `data` with `x`'s dtype unless given, as `Tensor.new_tensor`."""
    dt = _like(x, dtype, device)
    return creation.tensor(data, dtype=dt, requires_grad=requires_grad)
