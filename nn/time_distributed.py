"""Keras's `TimeDistributed` wrapper: one layer applied to every time slice.

For inputs x of shape (batch, time, *rest), `TimeDistributed(layer)` returns

    y[:, t] = layer(x[:, t])        for t = 0 .. time - 1,

stacked on axis 1: (batch, time, *layer's output shape without its batch axis). The
same layer (the same weights) runs at every step, built once for (batch, *rest). As
Keras 3's, the steps run one by one through the layer's `call` (not as one call on
(batch * time, *rest)), so a layer whose result depends on the batch (a
`BatchNormalization` in training, a `Dropout`) sees each step's batch on its own, and
the inner layer's activity regularizer is not applied.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor, stack, unbind
from nn.layer import Layer, _takes_training
from nn.module import Module, training_mode


def _step_call(layer: Module, inputs: Tensor, training: bool) -> Any:
    """The layer's computation on one step's inputs, in the mode `training`."""
    with training_mode(layer, training):
        if isinstance(layer, Layer):
            if _takes_training(type(layer).call):
                return layer.call(inputs, training=training)
            return layer.call(inputs)
        return layer(inputs)


class TimeDistributed(Layer):
    """Apply `layer` to every time slice of (batch, time, ...) inputs (see the module's
    docstring).

    Args:
        layer: a Keras-style layer (`Dense`, `Conv2D`, a model, ...), or its
            description `{"class_name": ..., "config": ...}` from a config.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Raises:
        ValueError: `layer` is not a layer; inputs of fewer than 3 axes.

    Example:
        >>> import numpy as np, nn
        >>> layer = nn.layers.TimeDistributed(nn.layers.Dense(8))
        >>> layer(np.zeros((2, 10, 16), dtype=np.float32)).shape
        (2, 10, 8)
    """

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        from nn.rnn_keras import rebuilt

        layer = rebuilt(layer)
        if not isinstance(layer, Module):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer!r}"
            )
        super().__init__(**kwargs)
        self.layer = layer

    @staticmethod
    def _child_shape(input_shape: Any) -> tuple[Any, ...]:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape: Any) -> None:
        """Build the wrapped layer for one step's inputs (batch, *rest)."""
        child = self._child_shape(input_shape)
        if getattr(self.layer, "built", True) is False and hasattr(self.layer, "build"):
            object.__setattr__(self.layer, "build_input_shape", child)
            self.layer.build(child)
            self.layer.built = True
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        self._child_shape(tuple(inputs.shape))
        steps = unbind(inputs, 1)
        return stack([_step_call(self.layer, x_t, bool(training)) for x_t in steps], 1)

    def get_config(self) -> dict[str, Any]:
        from nn.rnn_keras import describe

        return {**super().get_config(), "layer": describe(self.layer)}

    def extra_repr(self) -> str:
        return f"layer={type(self.layer).__name__}, name={self.name!r}"
