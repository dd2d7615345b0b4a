"""Keras's `SpatialDropout2D` and `SpatialDropout3D` (`SpatialDropout1D` is in
`nn.keras_layers_more`): dropout of whole feature maps.

In training each (sample, channel) pair is kept with probability 1 - rate for every
spatial position at once, and the kept maps are scaled by 1 / (1 - rate):

    y[n, ..., c] = x[n, ..., c] * m[n, c] / (1 - rate),    m[n, c] ~ Bernoulli(1 - rate)

(the channel axis last, or first with data_format="channels_first"); y = x in
inference.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor, rand
from nn.keras_conv import _data_format
from nn.keras_layers_more import _RandomLayer


class _SpatialDropout(_RandomLayer):
    """Spatial dropout over inputs of `rank` spatial axes and a channel axis."""

    rank = 2

    def __init__(
        self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = _data_format(type(self).__name__, data_format)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        ndim = self.rank + 2
        if inputs.ndim != ndim:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={ndim}, found ndim={inputs.ndim}. Full shape received: "
                f"{tuple(inputs.shape)}"
            )
        if not training or self.rate == 0:
            return inputs
        batch = inputs.shape[0]
        if self.data_format == "channels_first":
            noise_shape = (batch, inputs.shape[1], *(1,) * self.rank)
        else:
            noise_shape = (batch, *(1,) * self.rank, inputs.shape[-1])
        draws = rand(*noise_shape, dtype=inputs.dtype, generator=self.generator)
        keep = (draws.data >= self.rate).astype(inputs.dtype) / (1.0 - self.rate)
        return inputs * Tensor(keep)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dtype": self.dtype, "data_format": self.data_format}


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole 2-d feature maps of (batch, rows, cols, channels) inputs
    ((batch, channels, rows, cols) with data_format="channels_first"); see the
    module's docstring.

    Args:
        rate: the fraction of the maps dropped, in [0, 1).
        data_format: "channels_last" (the default) or "channels_first".
        seed: the masks' own generator's seed.
        **kwargs: Keras's layer arguments (`name`, `dtype`).

    Example:
        >>> import numpy as np, nn
        >>> layer = nn.layers.SpatialDropout2D(0.5)
        >>> layer(np.ones((2, 4, 4, 3), dtype=np.float32), training=True).shape
        (2, 4, 4, 3)
    """

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole 3-d feature maps of (batch, d1, d2, d3, channels) inputs
    ((batch, channels, d1, d2, d3) with data_format="channels_first"); arguments as
    `SpatialDropout2D`'s."""

    rank = 3
