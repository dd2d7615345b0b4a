"""Keras's recurrent cells `SimpleRNNCell`, `LSTMCell` and `GRUCell`: one time step of
Keras's `SimpleRNN`, `LSTM` and `GRU`, for `nn.layers.RNN` (and `StackedRNNCells`) or
for a loop of your own. (`nn.LSTMCell` and `nn.GRUCell` are PyTorch's; these are in
`nn.layers` only, as in `keras.layers`.)

A cell has the layer's cell arguments, weights (`kernel` (features, G * units),
`recurrent_kernel` (units, G * units), `bias`), gate order and equations: the same
`step` as the layer (`nn.recurrent_keras`), so `RNN(LSTMCell(n))` computes what
`LSTM(n)` does. As Keras 3's:

    output, new_states = cell(inputs, states, training=False)

with `inputs` (batch, features) and `states` a list ([h], or [h, c] for LSTMCell; a
single tensor for SimpleRNNCell and GRUCell gives a single tensor back).
`state_size` is `units` ([units, units] for LSTMCell), `output_size` `units`, and
`get_initial_state(batch_size)` the zeros to start from.

Dropout in training multiplies the inputs (and, with `recurrent_dropout`, h) by masks
drawn at the first call and kept for the calls after it, as Keras's cells keep theirs,
until `reset_dropout_mask()` / `reset_recurrent_dropout_mask()` (`RNN` draws new ones
for each sequence). With `recurrent_dropout` (or `implementation=1`) each gate of
LSTMCell and GRUCell gets masks of its own.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from nn.recurrent_base import RecurrentCore
from nn.recurrent_keras import GRUSteps, LSTMSteps, SimpleRNNSteps


class KerasCell(RecurrentCore):
    """What Keras's three cells share: `call(inputs, states, training)`, the cached
    dropout masks, `state_size`, `output_size` and `get_initial_state`."""

    def __init__(self, units: int, **kwargs: Any) -> None:
        implementation = kwargs.pop("implementation", 2) if self.gates > 1 else 2
        super().__init__(units, **kwargs)
        if implementation not in (1, 2):
            raise ValueError(
                f"{type(self).__name__}: implementation must be 1 or 2, got {implementation!r}"
            )
        self.implementation = 1 if self.recurrent_dropout else implementation
        self._dropout_mask: list[Tensor] | None = None
        self._recurrent_dropout_mask: list[Tensor] | None = None

    @property
    def state_size(self) -> Any:
        """The size of each state: `units` (one state)."""
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def build(self, input_shape: Any) -> None:
        if not input_shape or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__}: expected inputs of shape (batch, features), "
                f"got {tuple(input_shape or ())}"
            )
        super().build(input_shape)

    def _mask_count(self) -> int:
        """One mask, or one per gate with Keras's implementation 1 (which
        recurrent_dropout sets)."""
        return self.gates if self.implementation == 1 else 1

    def get_dropout_mask(self, step_input: Tensor) -> list[Tensor] | None:
        """The inputs' dropout masks (like `step_input`), drawn once and kept."""
        if self._dropout_mask is None and 0.0 < self.dropout < 1.0:
            self._dropout_mask = self._masks(step_input, self.dropout, self._mask_count(), True)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input: Tensor) -> list[Tensor] | None:
        """h's dropout masks (like `step_input`), drawn once and kept."""
        if self._recurrent_dropout_mask is None and 0.0 < self.recurrent_dropout < 1.0:
            count = self._mask_count()
            self._recurrent_dropout_mask = self._masks(
                step_input, self.recurrent_dropout, count, True
            )
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        """Draw new input masks at the next call."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        """Draw new recurrent masks at the next call."""
        self._recurrent_dropout_mask = None

    def get_initial_state(self, batch_size: int | None = None) -> list[Tensor]:
        """Zeros (batch_size, units) for each state, in the layer's dtype."""
        return list(self.initial_states(int(batch_size or 0), self.dtype))

    def call(self, inputs: Tensor, states: Any, training: bool | None = False) -> Any:
        if inputs.ndim != 2:
            raise ValueError(
                f"{type(self).__name__}: expected inputs of shape (batch, features), "
                f"got {tuple(inputs.shape)}"
            )
        nested = isinstance(states, (list, tuple))
        given = tuple(states) if nested else (states,)
        expected = len(self.initial_states(0, self.dtype))
        if len(given) != expected:
            raise ValueError(
                f"{type(self).__name__}: expected {expected} state(s), got {len(given)}"
            )
        in_masks = rec_masks = None
        if training:
            in_masks = self.get_dropout_mask(inputs)
            rec_masks = self.get_recurrent_dropout_mask(given[0])
        xw = self._project(inputs, in_masks, self.input_bias(), None)
        new = self.step(xw, given, rec_masks)
        return new[0], (list(new) if nested or len(new) > 1 else new[0])


class SimpleRNNCell(SimpleRNNSteps, KerasCell):
    """Keras's SimpleRNN cell: h' = activation(x kernel + bias + h recurrent_kernel).

    Args:
        units: the output's (and the state's) features.
        activation: "tanh" by default.
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        *_regularizer, *_constraint: as Keras's.
        dropout, recurrent_dropout: rates of the masks on the inputs and on h
            (training only).
        seed: the dropout masks' own generator's seed.
        **kwargs: Keras's layer arguments (`name`, `dtype`, ...).

    Example:
        >>> import numpy as np, nn
        >>> cell = nn.layers.SimpleRNNCell(4)
        >>> x = np.zeros((2, 3), dtype=np.float32)
        >>> output, states = cell(x, cell.get_initial_state(2))
        >>> output.shape, len(states)
        ((2, 4), 1)
    """


class LSTMCell(LSTMSteps, KerasCell):
    """Keras's LSTM cell (gates i, f, c, o; see `nn.recurrent_keras`): arguments as
    `SimpleRNNCell`'s, plus `recurrent_activation` ("sigmoid") and `unit_forget_bias`
    (True: the forget gate's bias starts at 1). States [h, c]; returns
    (h', [h', c'])."""

    @property
    def state_size(self) -> Any:
        """[units, units]: h and c."""
        return [self.units, self.units]


class GRUCell(GRUSteps, KerasCell):
    """Keras's GRU cell (gates z, r, h; see `nn.recurrent_keras`): arguments as
    `LSTMCell`'s without unit_forget_bias, plus `reset_after` (True: the bias is
    (2, 3 * units), input and recurrent)."""
