"""Keras's recurrent layers `SimpleRNN`, `LSTM` and `GRU` (and `Bidirectional`, in
`nn.bidirectional`), with Keras 3's arguments, defaults, weights and equations.

Weights as Keras's: `kernel` (features, G * units), `recurrent_kernel` (units, G * units),
`bias` (G * units,), or GRU's (2, 3 * units) with reset_after; gates stacked i, f, c, o
for LSTM and z, r, h for GRU; `get_weights` in that order. Inputs (batch, time,
features). With x_t the step's input and h the last output:

    SimpleRNN:  h' = act(x_t K + b + h R)
    LSTM:       i, f, c~, o = split(x_t K + h R + b); i, f, o through recurrent_act
                c' = f * c + i * act(c~);  h' = o * act(c')
    GRU:        z, r from x_t K + b_in and h R + b_rec; r, z through recurrent_act
                reset_after:      h~ = act(x_h + r * (h R_h + b_rec_h))
                not reset_after:  h~ = act(x_h + (r * h) R_h)
                h' = z * h + (1 - z) * h~

The equations are the mixins `SimpleRNNSteps`, `LSTMSteps` and `GRUSteps`, shared with
Keras's cells `SimpleRNNCell`, `LSTMCell` and `GRUCell` (`nn.recurrent_cells_keras`),
so a layer and `RNN(cell)` compute the same. The loop, the dropout masks and the
arguments they share are `nn.recurrent_base`'s `KerasRNN`. Where the equations are
torch's (tanh and sigmoid, GRU's reset_after) the sequence runs as torch's fused op
(`fused`), the gate blocks mapped, not copied per step.
"""

from __future__ import annotations

from typing import Any, ClassVar

from autograd import Tensor, cat
from nn.activations import Sigmoid, Tanh
from nn.recurrent_base import KerasRNN, RecurrentCore
from nn.recurrent_steps import State, run_fused


class SimpleRNNSteps(RecurrentCore):
    """The step of Keras's SimpleRNN (and SimpleRNNCell):
    h' = activation(x_t kernel + bias + h recurrent_kernel)."""

    def step(
        self, xw: Tensor, states: tuple[Tensor, ...], masks: list[Tensor] | None
    ) -> tuple[Tensor, ...]:
        return (self.activation(xw + self._recurrent(states[0], masks, self.recurrent_kernel)),)

    def fusable(self) -> bool:
        return type(self.activation) is Tanh

    def fused(self, xw: Tensor, states: tuple[Tensor, ...]) -> tuple[Tensor, State]:
        """torch's tanh RNN with W_hh = R^T (the bias is in xw)."""
        return run_fused("RNN_TANH", xw, states, self.recurrent_kernel.T, None)


class LSTMSteps(RecurrentCore):
    """The step of Keras's LSTM (and LSTMCell), gates i, f, c, o."""

    gates = 4
    own: ClassVar[dict[str, Any]] = {"recurrent_activation": "sigmoid", "unit_forget_bias": True}

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if self.bias is not None and self.options["unit_forget_bias"]:
            self.bias.data[self.units : 2 * self.units] = 1.0

    def initial_states(self, batch: int, dtype: Any) -> tuple[Tensor, ...]:
        return (*super().initial_states(batch, dtype), *super().initial_states(batch, dtype))

    def step(
        self, xw: Tensor, states: tuple[Tensor, ...], masks: list[Tensor] | None
    ) -> tuple[Tensor, ...]:
        h, c = states
        z = xw + self._recurrent(h, masks, self.recurrent_kernel)
        u = self.units
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u : 2 * u])
        c = f * c + i * self.activation(z[:, 2 * u : 3 * u])
        o = self.recurrent_activation(z[:, 3 * u :])
        return o * self.activation(c), c

    def fusable(self) -> bool:
        return type(self.activation) is Tanh and type(self.recurrent_activation) is Sigmoid

    def fused(self, xw: Tensor, states: tuple[Tensor, ...]) -> tuple[Tensor, State]:
        """torch's LSTM: Keras's gates i, f, c, o are torch's i, f, g, o; W_hh = R^T."""
        return run_fused("LSTM", xw, states, self.recurrent_kernel.T, None)


class GRUSteps(RecurrentCore):
    """The step of Keras's GRU (and GRUCell), gates z, r, h."""

    gates = 3
    own: ClassVar[dict[str, Any]] = {"recurrent_activation": "sigmoid", "reset_after": True}

    def bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.options["reset_after"] else (3 * self.units,)

    def input_bias(self) -> Tensor | None:
        if self.bias is None or not self.options["reset_after"]:
            return self.bias
        return self.bias[0]

    def step(
        self, xw: Tensor, states: tuple[Tensor, ...], masks: list[Tensor] | None
    ) -> tuple[Tensor, ...]:
        h = states[0]
        u = self.units
        reset_after = self.options["reset_after"]
        kernel = self.recurrent_kernel if reset_after else self.recurrent_kernel[:, : 2 * u]
        inner = self._recurrent(h, masks if reset_after else _first(masks, 2), kernel)
        if reset_after and self.bias is not None:
            inner = inner + self.bias[1]
        z = self.recurrent_activation(xw[:, :u] + inner[:, :u])
        r = self.recurrent_activation(xw[:, u : 2 * u] + inner[:, u : 2 * u])
        if reset_after:
            recurrent_h = r * inner[:, 2 * u :]
        else:
            h_h = h if masks is None else h * masks[-1]
            recurrent_h = (r * h_h) @ self.recurrent_kernel[:, 2 * u :]
        candidate = self.activation(xw[:, 2 * u :] + recurrent_h)
        return (z * h + (1 - z) * candidate,)

    def fusable(self) -> bool:
        """With reset_after, r scales h R_h + b_rec_h, as torch's n gate."""
        return (
            self.options["reset_after"]
            and type(self.activation) is Tanh
            and type(self.recurrent_activation) is Sigmoid
        )

    def fused(self, xw: Tensor, states: tuple[Tensor, ...]) -> tuple[Tensor, State]:
        """torch's GRU: the gate blocks z, r, h of xw, R and b_rec reordered to torch's
        r, z, n."""
        u = self.units

        def torch_order(a: Tensor) -> Tensor:
            return cat([a[..., u : 2 * u], a[..., :u], a[..., 2 * u :]], -1)

        b_hh = None if self.bias is None else torch_order(self.bias[1])
        return run_fused("GRU", torch_order(xw), states, torch_order(self.recurrent_kernel).T, b_hh)


class SimpleRNN(SimpleRNNSteps, KerasRNN):
    """Keras's fully connected RNN: h' = activation(x_t kernel + bias + h recurrent_kernel).

    Args:
        units: the output's features.
        activation: "tanh" by default.
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        *_regularizer, *_constraint: as Keras's.
        dropout, recurrent_dropout: rates of the masks on the inputs and on h.
        seed: the dropout masks' own generator's seed.
        return_sequences: every step's output (batch, time, units), not the last.
        return_state: also the final state(s): [output, *states].
        go_backwards: read the steps last to first (outputs in that order).
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Example:
        >>> import numpy as np, nn
        >>> layer = nn.layers.SimpleRNN(4, return_sequences=True)
        >>> layer(np.zeros((2, 5, 3), dtype=np.float32)).shape
        (2, 5, 4)
    """

    unsaved = ("seed",)  # as Keras's SimpleRNN config


class LSTM(LSTMSteps, KerasRNN):
    """Keras's LSTM (gates i, f, c, o; see the module's docstring). Arguments as
    `SimpleRNN`'s, plus `recurrent_activation` ("sigmoid") and `unit_forget_bias`
    (True: the forget gate's bias starts at 1). return_state gives [output, h, c]."""


class GRU(GRUSteps, KerasRNN):
    """Keras's GRU (gates z, r, h; see the module's docstring). Arguments as `LSTM`'s
    without unit_forget_bias, plus `reset_after` (True, Keras 3's default: the reset
    gate scales h R_h + b after the product, and the bias is (2, 3 * units), input
    and recurrent)."""


def _first(masks: list[Tensor] | None, count: int) -> list[Tensor] | None:
    """The masks of the first `count` gates (one shared mask stays as it is)."""
    return masks if masks is None or len(masks) == 1 else masks[:count]
