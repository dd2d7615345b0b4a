"""`nn.random`: Keras 3's `keras.random` draws, with Keras's names and arguments, as
Tensors (no gradient): for custom initializers (``random.normal(shape, stddev=...)``)
and layers (``x + random.normal(ops.shape(x), stddev=self.stddev)``).

`seed` is None (numpy's generator behind `nn`, `autograd.default_rng()`), an int (the
same draws for the same seed, as Keras's integer seeds) or a `SeedGenerator` (a stream
of its own, as Keras's). The numbers are numpy's, not Keras's.

Example:
    >>> from nn import random
    >>> random.normal((2, 3), stddev=0.1, seed=0).shape
    (2, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, default_rng, get_default_dtype
from autograd.checks import check_int
from nn import ops

__all__ = ["SeedGenerator", "dropout", "normal", "randint", "truncated_normal", "uniform"]


class SeedGenerator:
    """Keras's `SeedGenerator(seed)`: a generator of its own, drawn from in turn by the
    calls given it as `seed=` (numpy's generator of `seed`; a random seed when None)."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = None if seed is None else check_int("SeedGenerator", "seed", seed)
        self.generator = np.random.default_rng(self.seed)

    def __repr__(self) -> str:
        return f"SeedGenerator(seed={self.seed})"


def _generator(seed: Any) -> np.random.Generator:
    if seed is None:
        return default_rng()
    if isinstance(seed, SeedGenerator):
        return seed.generator
    return np.random.default_rng(check_int("random", "seed", seed, minimum=0))


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise ValueError(f"random: shape must be a tuple of non-negative ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def _number(value: Any) -> Any:
    """A Tensor argument (`ops.sqrt(2.0 / n)`) as its array."""
    return value.data if isinstance(value, Tensor) else value


def _float(values: np.ndarray, dtype: npt.DTypeLike | None, caller: str) -> Tensor:
    """The draws in `dtype` (the default float dtype when None).

    Raises:
        ValueError: an integer or other non-float dtype, as Keras refuses it.
    """
    kind = np.dtype(dtype or get_default_dtype())
    if kind.kind != "f":
        raise ValueError(
            f"random.{caller} draws floats: dtype must be a float dtype, got {kind} "
            "(random.randint draws integers)"
        )
    return Tensor(np.asarray(values, dtype=kind))


def normal(
    shape: Sequence[int],
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: npt.DTypeLike | None = None,
    seed: Any = None,
) -> Tensor:
    """Draws from N(mean, stddev**2), in `dtype` (the default float dtype)."""
    draws = _generator(seed).normal(_number(mean), _number(stddev), _shape(shape))
    return _float(draws, dtype, "normal")


def uniform(
    shape: Sequence[int],
    minval: Any = 0.0,
    maxval: Any = 1.0,
    dtype: npt.DTypeLike | None = None,
    seed: Any = None,
) -> Tensor:
    """Draws from U[minval, maxval), in `dtype` (the default float dtype)."""
    draws = _generator(seed).uniform(_number(minval), _number(maxval), _shape(shape))
    return _float(draws, dtype, "uniform")


def truncated_normal(
    shape: Sequence[int],
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: npt.DTypeLike | None = None,
    seed: Any = None,
) -> Tensor:
    """Draws from N(mean, stddev**2) kept within two standard deviations of the mean
    (redrawn until they are), as Keras's."""
    shape, generator = _shape(shape), _generator(seed)
    mean, stddev = np.asarray(_number(mean)), np.asarray(_number(stddev))
    draws = generator.standard_normal(shape)
    outside = np.abs(draws) > 2
    while outside.any():
        draws[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(draws) > 2
    return _float(mean + stddev * draws, dtype, "truncated_normal")


def randint(
    shape: Sequence[int],
    minval: int,
    maxval: int,
    dtype: npt.DTypeLike = "int32",
    seed: Any = None,
) -> Tensor:
    """Integers drawn uniformly from [minval, maxval), in `dtype` (int32, as Keras's)."""
    draws = _generator(seed).integers(minval, maxval, _shape(shape))
    return Tensor(draws.astype(np.dtype(dtype)))


def dropout(
    inputs: Any, rate: float, noise_shape: Sequence[int] | None = None, seed: Any = None
) -> Tensor:
    """Keras's `random.dropout`: each value of `inputs` zeroed with probability `rate`,
    the others scaled by 1 / (1 - rate) (a value of 0 everywhere when `rate` is 1);
    `noise_shape` (broadcast to the inputs' shape) shares one draw along its axes of
    size 1. Differentiable in `inputs`, as a layer's `call` uses it.

    Raises:
        ValueError: a rate outside [0, 1], or a noise_shape that does not broadcast.
    """
    if (
        isinstance(rate, bool)
        or not isinstance(rate, (int, float, np.number))
        or not 0 <= rate <= 1
    ):
        raise ValueError(f"random.dropout: rate must be a number in [0, 1], got {rate!r}")
    x = ops.convert_to_tensor(inputs)
    shape = x.shape if noise_shape is None else _shape(tuple(noise_shape))
    try:
        np.broadcast_shapes(shape, x.shape)
    except ValueError:
        raise ValueError(
            f"random.dropout: noise_shape {tuple(shape)} does not broadcast to the inputs' "
            f"shape {x.shape}"
        ) from None
    if rate == 1:
        return x * np.zeros(shape, dtype=x.dtype)
    keep = _generator(seed).random(shape) >= rate
    return x * (keep / (1.0 - rate)).astype(x.dtype)
