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

The inputs of all time steps are projected in one product, then a loop over the
time steps computes the recurrent part. `dropout` and `recurrent_dropout` (training
only) multiply the inputs and h by masks drawn once per call, kept for every step, as
Keras's; with `recurrent_dropout` each gate gets masks of its own (Keras's
`implementation=1`). There are no masks from `Embedding(mask_zero=True)`: `nn`'s
Keras layers do not carry masks.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from autograd import Generator, Tensor, cat, dense, flip, ones, stack
from autograd.checks import check_bool, check_int, check_real
from nn import activations, constraints, initializers, regularizers
from nn.functional import dropout as _dropout
from nn.layer import Layer, Variable
from nn.recurrent_steps import time_steps

#: The arguments every recurrent layer takes, with Keras's defaults.
COMMON = {
    "activation": "tanh",
    "use_bias": True,
    "kernel_initializer": "glorot_uniform",
    "recurrent_initializer": "orthogonal",
    "bias_initializer": "zeros",
    "kernel_regularizer": None,
    "recurrent_regularizer": None,
    "bias_regularizer": None,
    "kernel_constraint": None,
    "recurrent_constraint": None,
    "bias_constraint": None,
    "dropout": 0.0,
    "recurrent_dropout": 0.0,
    "seed": None,
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
    "stateful": False,
    "unroll": False,
    "zero_output_for_mask": False,  # (no masks here: kept for the config only)
}


def _serialized(value: Any, serialize: Any) -> Any:
    """A name as it is, an object as its config."""
    return value if value is None or isinstance(value, str) else serialize(value)


class KerasRNN(Layer):
    """What `SimpleRNN`, `LSTM` and `GRU` share: arguments, weights, dropout masks, the
    loop over time and the outputs (`return_sequences`, `return_state`,
    `go_backwards`)."""

    gates = 1
    bias: Variable | None
    #: The arguments of this kind beyond COMMON, with their defaults.
    own: ClassVar[dict[str, Any]] = {}
    #: The arguments Keras's `get_config` leaves out.
    unsaved: ClassVar[tuple[str, ...]] = ()

    def __init__(self, units: int, **kwargs: Any) -> None:
        owner = type(self).__name__
        options = {**COMMON, **self.own}
        given = {k: kwargs.pop(k) for k in list(kwargs) if k in options}
        super().__init__(**kwargs)
        self.units = check_int(owner, "units", units, minimum=1)
        for key in [k for k, v in given.items() if k.endswith("_initializer")]:
            if isinstance(given[key], dict):  # a saved config's
                given[key] = initializers.get(given[key])
        self.options = {**options, **given}
        o = self.options
        self.activation = activations.get(o["activation"], keras=True)
        if "recurrent_activation" in o:
            self.recurrent_activation = activations.get(o["recurrent_activation"], keras=True)
        for flag in ("use_bias", "return_sequences", "return_state", "go_backwards", "unroll"):
            setattr(self, flag, check_bool(owner, flag, o[flag]))
        if o["stateful"]:
            raise NotImplementedError(
                f"{owner}: stateful=True (states kept from batch to batch) is not supported"
            )
        self.stateful = False
        for rate in ("dropout", "recurrent_dropout"):  # Keras clips them into [0, 1]
            setattr(self, rate, min(1.0, max(0.0, check_real(owner, rate, o[rate]))))
        self.seed = o["seed"]
        self.generator = None if o["seed"] is None else Generator().manual_seed(o["seed"])

    # ---- weights

    def build(self, input_shape: Any) -> None:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__}: expected inputs of shape (batch, time, features), "
                f"got {tuple(input_shape)}"
            )
        o, size = self.options, self.gates * self.units
        self.kernel = self.add_weight(
            (int(input_shape[-1]), size),
            o["kernel_initializer"],
            name="kernel",
            regularizer=o["kernel_regularizer"],
            constraint=o["kernel_constraint"],
        )
        self.recurrent_kernel = self.add_weight(
            (self.units, size),
            o["recurrent_initializer"],
            name="recurrent_kernel",
            regularizer=o["recurrent_regularizer"],
            constraint=o["recurrent_constraint"],
        )
        if self.use_bias:
            self.bias = self.add_weight(
                self.bias_shape(),
                o["bias_initializer"],
                name="bias",
                regularizer=o["bias_regularizer"],
                constraint=o["bias_constraint"],
            )
        else:
            self.bias = None
        self.built = True

    def bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    # ---- the computation

    def _masks(self, like: Tensor, rate: float, count: int, training: bool) -> list[Tensor] | None:
        """`count` dropout masks of `like`'s shape (ones / (1 - rate) where kept), or None."""
        if not training or not 0.0 < rate < 1.0:
            return None
        return [
            _dropout(ones(like.shape, dtype=like.dtype), rate, True, rng=self.generator)
            for _ in range(count)
        ]

    def _mask_count(self) -> int:
        """Keras's masks per call: one, or one per gate with recurrent_dropout."""
        return self.gates if self.recurrent_dropout else 1

    def _project(self, inputs: Tensor, masks: list[Tensor] | None, bias: Tensor | None) -> Tensor:
        """x K + b for every time step, (batch, time, G * units); with dropout masks
        (batch, features), the inputs of each gate under its mask."""
        if masks is None:
            return dense(inputs, self.kernel, bias)
        if len(masks) == 1:
            return dense(inputs * masks[0].unsqueeze(1), self.kernel, bias)
        u = self.units
        parts = [
            dense(inputs * m.unsqueeze(1), self.kernel[:, g * u : (g + 1) * u])
            for g, m in enumerate(masks)
        ]
        projected = cat(parts, -1)
        return projected if bias is None else projected + bias

    def _recurrent(self, h: Tensor, masks: list[Tensor] | None, kernel: Tensor) -> Tensor:
        """h R (with h under each gate's recurrent mask when there are masks)."""
        if masks is None:
            return h @ kernel
        if len(masks) == 1:
            return (h * masks[0]) @ kernel
        u = self.units
        return cat([(h * m) @ kernel[:, g * u : (g + 1) * u] for g, m in enumerate(masks)], -1)

    def input_bias(self) -> Tensor | None:
        return self.bias

    def step(
        self, xw: Tensor, states: tuple[Tensor, ...], masks: list[Tensor] | None
    ) -> tuple[Tensor, ...]:
        """One time step: the new states (the output first)."""
        raise NotImplementedError

    def initial_states(self, batch: int, dtype: Any) -> tuple[Tensor, ...]:
        return (Tensor(np.zeros((batch, self.units), dtype)),)

    def call(
        self, sequences: Tensor, initial_state: Any = None, training: bool | None = None
    ) -> Any:
        if sequences.ndim != 3:
            raise ValueError(
                f"{type(self).__name__}: expected inputs of shape (batch, time, features), "
                f"got {tuple(sequences.shape)}"
            )
        training = bool(training)
        count = self._mask_count()
        in_masks = self._masks(sequences[:, 0], self.dropout, count, training)
        states = self._start(sequences, initial_state)
        rec_masks = self._masks(states[0], self.recurrent_dropout, count, training)
        xw = self._project(sequences, in_masks, self.input_bias())
        if self.go_backwards:
            xw = flip(xw, [1])
        outputs = []
        for x_t in time_steps(xw, 1):
            states = self.step(x_t, states, rec_masks)
            outputs.append(states[0])
        output = stack(outputs, 1) if self.return_sequences else outputs[-1]
        return [output, *states] if self.return_state else output

    def _start(self, sequences: Tensor, initial_state: Any) -> tuple[Tensor, ...]:
        """The initial states: given (a tensor or a list), or zeros."""
        zeros = self.initial_states(sequences.shape[0], sequences.dtype)
        if initial_state is None:
            return zeros
        given = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(given) != len(zeros):
            raise ValueError(
                f"{type(self).__name__}: expected {len(zeros)} initial state(s), got {len(given)}"
            )
        states = tuple(
            g if isinstance(g, Tensor) else Tensor(np.asarray(g, sequences.dtype)) for g in given
        )
        for state, zero in zip(states, zeros):
            if tuple(state.shape) != tuple(zero.shape):
                raise ValueError(
                    f"{type(self).__name__}: an initial state must have shape "
                    f"{tuple(zero.shape)}, got {tuple(state.shape)}"
                )
        return states

    # ---- configuration

    def get_config(self) -> dict[str, Any]:
        o = self.options
        config = {**super().get_config(), "units": self.units}
        for key, default in {**COMMON, **self.own}.items():
            if key in self.unsaved:
                continue
            value = o.get(key, default)
            if key.endswith("_initializer"):
                value = _serialized(value, initializers.serialize)
            elif key.endswith("_regularizer"):
                value = _serialized(value, regularizers.serialize)
            elif key.endswith("_constraint"):
                value = _serialized(value, constraints.serialize)
            config[key] = value
        return config

    def extra_repr(self) -> str:
        return f"units={self.units}, name={self.name!r}"


class SimpleRNN(KerasRNN):
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

    def step(
        self, xw: Tensor, states: tuple[Tensor, ...], masks: list[Tensor] | None
    ) -> tuple[Tensor, ...]:
        return (self.activation(xw + self._recurrent(states[0], masks, self.recurrent_kernel)),)


class LSTM(KerasRNN):
    """Keras's LSTM (gates i, f, c, o; see the module's docstring). Arguments as
    `SimpleRNN`'s, plus `recurrent_activation` ("sigmoid") and `unit_forget_bias`
    (True: the forget gate's bias starts at 1). return_state gives [output, h, c]."""

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


class GRU(KerasRNN):
    """Keras's GRU (gates z, r, h; see the module's docstring). Arguments as `LSTM`'s
    without unit_forget_bias, plus `reset_after` (True, Keras 3's default: the reset
    gate scales h R_h + b after the product, and the bias is (2, 3 * units), input
    and recurrent)."""

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


def _first(masks: list[Tensor] | None, count: int) -> list[Tensor] | None:
    """The masks of the first `count` gates (one shared mask stays as it is)."""
    return masks if masks is None or len(masks) == 1 else masks[:count]
