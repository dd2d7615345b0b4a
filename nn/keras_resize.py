"""Keras's layers that resize the spatial dims: `UpSampling1D/2D/3D`,
`ZeroPadding1D/2D/3D`, `Cropping1D/2D/3D`, and the 3-d pooling layers
(`MaxPooling3D`, `AveragePooling3D`, `GlobalMaxPooling3D`, `GlobalAveragePooling3D`),
with Keras's arguments, defaults and `get_config`.

UpSampling repeats each position `size` times (nearest), or for UpSampling2D's
"bilinear" reads y[i] = (1 - l) x[floor(s)] + l x[floor(s) + 1] at
s = max((i + 0.5) / size - 0.5, 0) (half-pixel centers, as `jax.image.resize`), and
for "bicubic", "lanczos3", "lanczos5" weighs the inputs near s by that kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.checks import check_int
from nn.functional_norms import pad
from nn.functional_resize import interpolate, repeat_each, resample
from nn.keras_conv import (
    _data_format,
    _GlobalPooling,
    _ints,
    _Pooling,
    _Spatial,
)
from nn.resize_kernels import KERNELS, resize_matrix

_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")


def _pairs(owner: str, argument: str, value: Any, d: int) -> tuple[tuple[int, int], ...]:
    """Keras's padding or cropping amounts: an int, d ints (symmetric) or d pairs."""

    def amounts(v: Any, n: int, what: str) -> tuple[int, ...]:
        vs = (v,) * n if isinstance(v, (int, np.integer)) else tuple(v)
        if len(vs) != n or not all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) and a >= 0 for a in vs
        ):
            raise ValueError(
                f"{owner}: The `{what}` argument must be a tuple of {n} integers >= 0. "
                f"Received {what}={v!r}"
            )
        return tuple(int(a) for a in vs)

    if d == 1:
        return (amounts(value, 2, argument),)  # type: ignore[return-value]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return ((int(value), int(value)),) * d
    if not hasattr(value, "__len__") or len(value) != d:
        raise ValueError(f"`{argument}` should have {d} elements. Received: {argument}={value}.")
    ordinal = ("1st", "2nd", "3rd")
    return tuple(
        amounts(v, 2, f"{ordinal[i]} entry of {argument}")  # type: ignore[misc]
        for i, v in enumerate(value)
    )


class _UpSampling(_Spatial):
    """Keras's upsampling: each spatial position repeated `size` times along its dim
    (batch, *spatial, C) -> (batch, *(n * size), C).

    Args:
        size: an int or one per spatial dim (UpSampling1D: an int).
        data_format: "channels_last" (the default) or "channels_first" (not UpSampling1D).
        interpolation: UpSampling2D only: "nearest", "bilinear", "bicubic",
            "lanczos3" or "lanczos5" (`jax.image.resize`'s kernels, no antialiasing).
        **kwargs: Keras's layer arguments.
    """

    def __init__(
        self,
        size: int | Sequence[int] = 2,
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        if self.rank == 1:
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
                raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
            self.size: tuple[int, ...] = (check_int(owner, "size", size, minimum=1),)
        else:
            self.size = _ints(owner, "size", size, self.rank)
        self.data_format = _data_format(owner, data_format)
        self.interpolation = interpolation.lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(
                "Invalid value for argument `interpolation`. Expected of one "
                f"{_INTERPOLATIONS}. Received: interpolation={interpolation}"
            )

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        if self.interpolation == "bilinear":
            out = [n * s for n, s in zip(x.shape[2:], self.size, strict=True)]
            return self.from_channels_first(interpolate(x, out, mode="bilinear"))
        if self.interpolation in KERNELS:
            kernel = KERNELS[self.interpolation]
            for axis, (n, s) in enumerate(zip(x.shape[2:], self.size, strict=True), 2):
                if s > 1:
                    x = resample(x, axis, resize_matrix(n, n * s, kernel).astype(x.dtype))
            return self.from_channels_first(x)
        return self.from_channels_first(repeat_each(x, self.size))

    def get_config(self) -> dict[str, Any]:
        if self.rank == 1:
            return {**super().get_config(), "size": self.size[0]}
        config = {**super().get_config(), "size": list(self.size), "data_format": self.data_format}
        if self.rank == 2:
            config["interpolation"] = self.interpolation
        return config


class UpSampling1D(_UpSampling):
    """Keras's 1-d upsampling: (batch, steps, C) -> (batch, steps * size, C)."""

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(size, **kwargs)


class UpSampling2D(_UpSampling):
    """Keras's 2-d upsampling (size (2, 2) by default), nearest or bilinear.

    Example:
        >>> layers.UpSampling2D(size=2, interpolation="bilinear")
    """

    def __init__(
        self,
        size: int | Sequence[int] = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(size, data_format, interpolation, **kwargs)


class UpSampling3D(_UpSampling):
    """Keras's 3-d upsampling (size (2, 2, 2) by default), nearest."""

    rank = 3

    def __init__(
        self, size: int | Sequence[int] = (2, 2, 2), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(size, data_format, **kwargs)


class _ZeroPadding(_Spatial):
    """Keras's zero padding of the spatial dims: `padding` an int, one int per dim
    (both sides) or one (before, after) pair per dim (UpSampling1D: an int or a pair)."""

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.padding = _pairs(owner, "padding", padding, self.rank)
        self.data_format = _data_format(owner, data_format)

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        amounts = [a for pair in reversed(self.padding) for a in pair]  # torch's order
        return self.from_channels_first(pad(x, amounts))

    def get_config(self) -> dict[str, Any]:
        padding = list(self.padding[0]) if self.rank == 1 else [list(p) for p in self.padding]
        return {**super().get_config(), "padding": padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Keras's 1-d zero padding: (batch, steps, C) -> (batch, left + steps + right, C)."""

    rank = 1


class ZeroPadding2D(_ZeroPadding):
    """Keras's 2-d zero padding (1 on every side by default) of rows and cols."""

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Keras's 3-d zero padding (1 on every side by default)."""

    rank = 3

    def __init__(
        self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Spatial):
    """Keras's cropping: `cropping` (before, after) positions cut from each spatial dim
    (an int, one int per dim or one pair per dim)."""

    def __init__(self, cropping: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.cropping = _pairs(owner, "cropping", cropping, self.rank)
        self.data_format = _data_format(owner, data_format)

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        sizes = x.shape[2:]
        if any(lo + hi >= n for (lo, hi), n in zip(self.cropping, sizes, strict=True)):
            raise ValueError(
                "Values in `cropping` argument should be smaller than the corresponding "
                f"spatial dimension of the input. Received: inputs.shape={tuple(inputs.shape)}, "
                f"cropping={self.cropping}"
            )
        index = tuple(slice(lo, n - hi) for (lo, hi), n in zip(self.cropping, sizes, strict=True))
        return self.from_channels_first(x[(slice(None), slice(None), *index)])

    def get_config(self) -> dict[str, Any]:
        if self.rank == 1:
            return {**super().get_config(), "cropping": list(self.cropping[0])}
        cropping = [list(p) for p in self.cropping]
        return {**super().get_config(), "cropping": cropping, "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Keras's 1-d cropping ((1, 1) by default) of (batch, steps, C)."""

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    """Keras's 2-d cropping ((0, 0), (0, 0) by default) of rows and cols."""

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Keras's 3-d cropping (1 on every side by default)."""

    rank = 3

    def __init__(
        self,
        cropping: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(cropping, data_format, **kwargs)


class MaxPooling3D(_Pooling):
    """Keras's 3-d max pooling over (batch, d1, d2, d3, C); see `_Pooling`."""

    rank = 3


class AveragePooling3D(_Pooling):
    """Keras's 3-d average pooling over (batch, d1, d2, d3, C); see `_Pooling`."""

    rank, kind = 3, "avg"


class GlobalMaxPooling3D(_GlobalPooling):
    """Keras's global max pooling over the 3 spatial dims; see `_GlobalPooling`."""

    rank = 3


class GlobalAveragePooling3D(_GlobalPooling):
    """Keras's global average pooling over the 3 spatial dims; see `_GlobalPooling`."""

    rank, kind = 3, "avg"


#: The layers of this module, for `nn.layers`, `nn` and `nn.saving`.
LAYERS = (
    AveragePooling3D,
    Cropping1D,
    Cropping2D,
    Cropping3D,
    GlobalAveragePooling3D,
    GlobalMaxPooling3D,
    MaxPooling3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
