"""Keras's `Bidirectional` wrapper: a recurrent layer run over the sequence both ways,
its two outputs merged."""

from __future__ import annotations

from typing import Any

from autograd import Tensor, cat, flip
from nn.layer import Layer
from nn.recurrent_base import KerasRNN
from nn.rnn_keras import RNN

#: The recurrent layers Bidirectional takes: SimpleRNN, LSTM, GRU and RNN(cell).
RECURRENT = (KerasRNN, RNN)

#: How the forward and backward outputs are merged (None: both, as a tuple).
MERGES = {
    "concat": lambda y, y_rev: cat([y, y_rev], -1),
    "sum": lambda y, y_rev: y + y_rev,
    "ave": lambda y, y_rev: (y + y_rev) / 2,
    "mul": lambda y, y_rev: y * y_rev,
}


def _copy(layer: Any, prefix: str, **changes: Any) -> Any:
    """A new layer from `layer`'s config (new weights), renamed with `prefix`."""
    config = layer.get_config()
    config["name"] = prefix + config["name"].removeprefix(prefix)
    config.update(changes)
    return type(layer).from_config(config)


def _rebuilt(layer: Any) -> Any:
    """A layer as it is, or rebuilt from its description (`get_config`'s "layer" and
    "backward_layer": a saved model's)."""
    if not isinstance(layer, dict) or "class_name" not in layer:
        return layer
    from nn import recurrent_keras, rnn_keras

    name = layer["class_name"]
    layer_class = getattr(recurrent_keras, name, None) or getattr(rnn_keras, name, None)
    if layer_class is None:
        raise ValueError(f"Bidirectional: unknown recurrent layer {layer['class_name']!r}")
    return layer_class.from_config(layer["config"])


class Bidirectional(Layer):
    """Keras's bidirectional wrapper: `forward_layer`, a copy of `layer`, reads the
    sequence first to last, `backward_layer` (a copy with go_backwards=True, or the one
    given) last to first; with return_sequences the backward outputs are put back in
    time order; the two are merged by `merge_mode`:

        "concat" [y, y_rev] on the last axis, "sum" y + y_rev, "ave" (y + y_rev) / 2,
        "mul" y * y_rev, None both (a tuple)

    With return_state the states follow: forward's then backward's. `initial_state`
    is a list whose first half starts the forward layer, the second the backward.
    Weights: forward's, then backward's (Keras's `get_weights` order).

    Args:
        layer: a `SimpleRNN`, `LSTM`, `GRU` or `RNN(cell)` (not used itself: copied,
            its cell too), or its description `{"class_name": ..., "config": ...}`.
        merge_mode: see above.
        backward_layer: the layer that reads backwards (go_backwards=True).
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Raises:
        ValueError: an unknown merge_mode, a layer that is not a recurrent layer, or
            layers whose go_backwards are the same or whose return_sequences /
            return_state differ.

    Example:
        >>> import numpy as np, nn
        >>> layer = nn.layers.Bidirectional(nn.layers.LSTM(4))
        >>> layer(np.zeros((2, 5, 3), dtype=np.float32)).shape
        (2, 8)
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        layer: KerasRNN | RNN,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: KerasRNN | RNN | None = None,
        **kwargs: Any,
    ) -> None:
        layer, backward_layer = _rebuilt(layer), _rebuilt(backward_layer)
        if not isinstance(layer, RECURRENT):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a recurrent layer "
                f"(SimpleRNN, LSTM, GRU). Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, RECURRENT):
            raise ValueError(
                "`backward_layer` need to be a recurrent layer instance. Received: "
                f"{backward_layer}"
            )
        if merge_mode not in (*MERGES, None):
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(**kwargs)
        # Keras 3 keeps `weights` on its two layers and never reads them again (its
        # layers have no `initial_weights` any more); here they are the layer's first
        # weights, set when it is built, as Keras 2 did and as the argument promises.
        self._initial_weights = None if weights is None else list(weights)
        self.forward_layer = _copy(layer, "forward_")
        self.backward_layer = backward_layer or _copy(layer, "backward_", go_backwards=True)
        self._check_pair()
        for inner in (self.forward_layer, self.backward_layer):  # as Keras forces it
            inner.zero_output_for_mask = inner.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.layer_config = {"class_name": type(layer).__name__, "config": layer.get_config()}

    def _check_pair(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` "
                f"value. Received: forward_layer.go_backwards {forward.go_backwards}, "
                f"backward_layer.go_backwards={backward.go_backwards}"
            )
        for a in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, a) != getattr(backward, a):
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value "
                    f'for attribute "{a}", got "{getattr(forward, a)}" for forward layer and '
                    f'"{getattr(backward, a)}" for backward layer'
                )

    def build(self, input_shape: Any) -> None:
        """Build both layers' weights for `input_shape` (batch, time, features)."""
        for layer in (self.forward_layer, self.backward_layer):
            object.__setattr__(layer, "build_input_shape", tuple(input_shape))
            layer.build(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_mask(self, inputs: Any, mask: Any) -> Any:
        """Keras's: with return_sequences the input's mask (one per output when
        merge_mode is None), else None; None for the states."""
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask: Any = (mask, mask) if not self.merge_mode else mask
        else:
            output_mask = (None, None) if not self.merge_mode else None
        if not self.return_state:
            return output_mask
        count = len(self.forward_layer.initial_states(1, "float32"))
        first = list(output_mask) if isinstance(output_mask, tuple) else [output_mask]
        return [*first, *[None] * (2 * count)]

    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        # each layer reads `mask` (masked steps keep their states; the backward layer
        # meets the padding first when it is at the end), as Keras's
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask, training=training)
        y_rev = self.backward_layer(
            sequences, initial_state=backward_state, mask=mask, training=training
        )
        states: list[Tensor] = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = flip(y_rev, [1])
        if self.merge_mode is None:
            return [y, y_rev, *states] if self.return_state else (y, y_rev)
        output = MERGES[self.merge_mode](y, y_rev)
        return [output, *states] if self.return_state else output

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "merge_mode": self.merge_mode}
        config["layer"] = self.layer_config
        config["backward_layer"] = {
            "class_name": type(self.backward_layer).__name__,
            "config": self.backward_layer.get_config(),
        }
        return config

    def extra_repr(self) -> str:
        return f"merge_mode={self.merge_mode!r}, name={self.name!r}"
