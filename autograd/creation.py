"""Creating tensors: from data, filled with a value, ranges and random draws.

Shapes are given as ints or as one tuple (`zeros(2, 3)` or `zeros((2, 3))`). Random
draws come from one generator, reseeded by `manual_seed`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.tensor import Tensor, get_default_dtype

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator behind `rand` and `randn` (and `nn`'s initializers)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def default_rng() -> np.random.Generator:
    """The generator behind `rand`, `randn` and the default of every `rng=` argument."""
    return _rng


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"shape must be non-negative ints, got {shape}")
    return tuple(int(n) for n in shape)


def _dtype(dtype: npt.DTypeLike | None) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(
    data: Any,
    requires_grad: bool = False,
    dtype: npt.DTypeLike | None = None,
    name: str | None = None,
) -> Tensor:
    """A new tensor holding a copy of `data`, as `torch.tensor`.

    Arrays and tensors keep their dtype. Python numbers and (nested) lists take theirs
    from their elements, as in PyTorch: bools give bool, ints int64, and floats the
    default float dtype (float32 unless `set_default_dtype` changed it). (The `Tensor`
    constructor, like `torch.Tensor`, makes every number the default float dtype.)
    """
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray | np.generic):
        data = np.array(data)
    elif dtype is None:
        kind = np.asarray(data).dtype.kind
        if kind == "b":
            dtype = np.bool_
        elif kind in "iu":
            dtype = np.int64
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def zeros(*shape: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), _dtype(dtype)), requires_grad=requires_grad)


def ones(*shape: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape(shape), _dtype(dtype)), requires_grad=requires_grad)


def full(
    shape: Any, fill_value: float, dtype: npt.DTypeLike | None = None, requires_grad: bool = False
) -> Tensor:
    shape = _shape((shape,) if isinstance(shape, int) else (tuple(shape),))
    return Tensor(np.full(shape, fill_value, _dtype(dtype)), requires_grad=requires_grad)


def zeros_like(x: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.zeros_like(data, dtype=dtype), requires_grad=requires_grad)


def ones_like(x: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.ones_like(data, dtype=dtype), requires_grad=requires_grad)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, stop). As in PyTorch, integers (int64) when
    start, stop and step are all ints, else the default float dtype, unless given."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must not be zero")
    ints = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
    if dtype is None and ints:
        dtype = np.int64
    return Tensor(np.arange(start, stop, step, dtype=_dtype(dtype)), requires_grad=requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, both included (PyTorch's
    argument names; numpy's `linspace`)."""
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    data = np.linspace(start, end, int(steps), dtype=_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def eye(
    n: int, m: int | None = None, dtype: npt.DTypeLike | None = None, requires_grad: bool = False
) -> Tensor:
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)


def rand(*shape: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform draws from [0, 1)."""
    data = _rng.random(_shape(shape)).astype(_dtype(dtype), copy=False)
    return Tensor(data, requires_grad=requires_grad)


def rand_like(x: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform draws from [0, 1) in the shape (and, unless given, the float dtype) of `x`."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return rand(data.shape, dtype=_like_dtype(data, dtype), requires_grad=requires_grad)


def randn_like(x: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal draws in the shape (and, unless given, the float dtype) of `x`."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return randn(data.shape, dtype=_like_dtype(data, dtype), requires_grad=requires_grad)


def _like_dtype(data: np.ndarray, dtype: npt.DTypeLike | None) -> np.dtype:
    """`dtype`, else `data`'s when it is a float dtype, else the default float dtype."""
    if dtype is not None:
        return np.dtype(dtype)
    return data.dtype if data.dtype.kind == "f" else get_default_dtype()


def randn(*shape: Any, dtype: npt.DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal draws."""
    data = _rng.standard_normal(_shape(shape)).astype(_dtype(dtype), copy=False)
    return Tensor(data, requires_grad=requires_grad)
