"""How a tensor lies in memory, as PyTorch reports it, and tensors made like another:
`stride`, `is_contiguous`, `contiguous`, `storage`, `storage_offset` and `data_ptr`,
and the `new_*` factories.

numpy keeps strides in bytes; PyTorch counts them in elements, and so do these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import creation
from autograd.device import check_device, device
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


def _memory(x: Tensor) -> np.ndarray:
    """The array that owns `x`'s memory (the end of numpy's chain of `base`s), or `x`'s
    own data when that owner is not laid out in one block (its storage is then a copy)."""
    owner = x.data
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if owner.flags.c_contiguous or owner.flags.f_contiguous:
        return owner
    return x.data


class Storage:
    """The memory under a tensor and every view of it, as one flat sequence of numbers,
    as `Tensor.storage()` (PyTorch's `TypedStorage`): ``a.view(3, 3, 2).storage()``
    shows the same 18 numbers as `a`'s, in memory order. Items are Python numbers;
    writing one writes into every tensor on this memory."""

    def __init__(self, x: Tensor) -> None:
        memory = _memory(x)
        self._flat = memory.ravel(order="C" if memory.flags.c_contiguous else "F")

    def __len__(self) -> int:
        return self._flat.size

    def size(self) -> int:
        return self._flat.size

    @property
    def dtype(self) -> np.dtype:
        return self._flat.dtype

    @property
    def device(self) -> device:
        return device("cpu")

    def element_size(self) -> int:
        return self._flat.itemsize

    def nbytes(self) -> int:
        return self._flat.nbytes

    def data_ptr(self) -> int:
        return int(self._flat.__array_interface__["data"][0])

    def _check(self, i: int) -> int:
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} out of range for storage of size {len(self)}")
        return i

    def __getitem__(self, i: int) -> Any:
        return self._flat[self._check(i)].item()

    def __setitem__(self, i: int, value: Any) -> None:
        self._flat[self._check(i)] = value

    def __iter__(self) -> Any:
        return iter(self._flat.tolist())

    def tolist(self) -> list[Any]:
        return self._flat.tolist()

    def __repr__(self) -> str:
        info = f"[autograd.Storage(dtype={self.dtype}, device=cpu) of size {len(self)}]"
        return "".join(f" {v}\n" for v in self._flat.tolist()) + info


def data_ptr(x: Tensor) -> int:
    """The address of `x`'s first element, as `Tensor.data_ptr()`."""
    return int(x.data.__array_interface__["data"][0])


def storage(x: Tensor) -> Storage:
    """`x`'s memory, shared with every view of it, as `Tensor.storage()`."""
    return Storage(x)


def storage_offset(x: Tensor) -> int:
    """Where `x`'s first element sits in its storage, counted in elements, as
    `Tensor.storage_offset()`."""
    return (data_ptr(x) - Storage(x).data_ptr()) // x.data.itemsize


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
