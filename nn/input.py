"""`Input`: Keras's way to declare the shape of a model's samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from nn.layers import sample_shape
from nn.module import Module


class Input(Module):
    """The input of a `Sequential`, of samples of `shape` (no batch axis): y = x.

    As the first layer, it lets the model build its weights at once, so `summary`,
    `count_params` and `compile` work before any data has been seen. It checks that
    the data has that shape.

    Args:
        shape: the shape of one sample, e.g. (784,) or (28, 28).

    Example:
        >>> import nn
        >>> model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(3)])
        >>> model.count_params()
        15
    """

    def __init__(self, shape: tuple[int, ...] | int) -> None:
        super().__init__()
        self.shape = sample_shape(self, shape)
        self.input_shape = self.shape

    def forward(self, x: Any) -> Any:
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if tuple(shape[1:]) != self.shape:
            raise ValueError(
                f"Input(shape={self.shape}): expected input of shape (batch, "
                f"{', '.join(map(str, self.shape))}), got {shape}"
            )
        return x

    def extra_repr(self) -> str:
        return f"shape={self.shape}"
