"""`KerasRNN`, what Keras's recurrent layers `SimpleRNN`, `LSTM` and `GRU`
(`nn.recurrent_keras`) share: Keras 3's common arguments and defaults, the weights
`kernel`, `recurrent_kernel` and `bias`, the dropout masks, the loop over time, the
outputs (`return_sequences`, `return_state`, `go_backwards`) and `get_config`.

The inputs of all time steps are projected in one product, then the recurrent part
runs as one op where the layer's equations are torch's (default activations, GRU's
reset_after, no recurrent_dropout in training; `nn.recurrent_steps.FUSED`), else as
a loop over the time steps. `dropout` and `recurrent_dropout` (training
only) multiply the inputs and h by masks drawn once per call, kept for every step, as
Keras's; with `recurrent_dropout` each gate gets masks of its own (Keras's
`implementation=1`).

A time-step mask (`mask`, (batch, time) bools: from `Embedding(mask_zero=True)` or
`Masking`, see `nn.masking`) runs the loop as Keras's backend `rnn`: at a masked step
of a sample its states keep their values, and its output is the previous output h
(zeros with `zero_output_for_mask`; with `unroll`, the previous step's output, zeros
at the first step, as Keras's unrolled loop). The fused op takes no mask, so it runs
only when there is none or every step is kept.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from autograd import Generator, Tensor, cat, dense, flip, ones, stack, where
from autograd.checks import check_bool, check_int, check_real
from nn import activations, constraints, initializers, recurrent_steps, regularizers
from nn.functional import dropout as _dropout
from nn.layer import Layer, Variable
from nn.masking import mask_array
from nn.recurrent_steps import State, time_steps

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
    "zero_output_for_mask": False,
}


def _serialized(value: Any, serialize: Any) -> Any:
    """A name as it is, an object as its config."""
    return value if value is None or isinstance(value, str) else serialize(value)


class KerasRNN(Layer):
    """What `SimpleRNN`, `LSTM` and `GRU` share: arguments, weights, dropout masks, the
    loop over time and the outputs (`return_sequences`, `return_state`,
    `go_backwards`)."""

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

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
        flags = ("use_bias", "return_sequences", "return_state", "go_backwards", "unroll")
        for flag in (*flags, "zero_output_for_mask"):
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

    def _project(
        self, inputs: Tensor, masks: list[Tensor] | None, bias: Tensor | None, time_axis: int = 1
    ) -> Tensor:
        """x K + b for every time step, (batch, time, G * units), or (time, batch, ...)
        for time-major inputs (`time_axis` 0); with dropout masks (batch, features), the
        inputs of each gate under its mask."""
        if masks is None:
            return dense(inputs, self.kernel, bias)
        if len(masks) == 1:
            return dense(inputs * masks[0].unsqueeze(time_axis), self.kernel, bias)
        u = self.units
        parts = [
            dense(inputs * m.unsqueeze(time_axis), self.kernel[:, g * u : (g + 1) * u])
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
        raise NotImplementedError(f"{type(self).__name__} must define step (one time step)")

    def fusable(self) -> bool:
        """Whether this layer's equations are torch's, so that `fused` computes them."""
        return False

    def fused(self, xw: Tensor, states: tuple[Tensor, ...]) -> tuple[Tensor, State]:
        """The whole sequence as one op (`nn.recurrent_steps.run_fused`) from xw (time,
        batch, G * units): (outputs (time, batch, units), final states)."""
        raise TypeError(f"{type(self).__name__}: no fused form (`fusable` is False)")

    def initial_states(self, batch: int, dtype: Any) -> tuple[Tensor, ...]:
        return (Tensor(np.zeros((batch, self.units), dtype)),)

    def compute_mask(self, inputs: Any, mask: Any) -> Any:
        """Keras's: the input's mask for return_sequences' output (None for the last
        output), None for the states."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if not self.return_state:
            return output_mask
        return [output_mask, *[None] * len(self.initial_states(1, "float32"))]

    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        if sequences.ndim != 3:
            raise ValueError(
                f"{type(self).__name__}: expected inputs of shape (batch, time, features), "
                f"got {tuple(sequences.shape)}"
            )
        keep = self._kept_steps(sequences, mask)
        training = bool(training)
        count = self._mask_count()
        in_masks = self._masks(sequences[:, 0], self.dropout, count, training)
        states = self._start(sequences, initial_state)
        rec_masks = self._masks(states[0], self.recurrent_dropout, count, training)
        same = all(
            t.dtype == sequences.dtype for t in (self.kernel, self.recurrent_kernel, *states)
        )
        fused = recurrent_steps.FUSED and keep is None and rec_masks is None and same
        if fused and self.fusable():
            # time-major projections (time, batch, G * units): each step's rows contiguous
            xw = self._project(sequences.transpose(0, 1), in_masks, self.input_bias(), 0)
            if self.go_backwards:
                xw = flip(xw, [0])
            sequence, states = self.fused(xw, states)
            output = sequence.transpose(0, 1) if self.return_sequences else states[0]
            return [output, *states] if self.return_state else output
        xw = self._project(sequences, in_masks, self.input_bias())
        if self.go_backwards:
            xw = flip(xw, [1])
            keep = None if keep is None else keep[:, ::-1]
        outputs: list[Tensor] = []
        for t, x_t in enumerate(time_steps(xw, 1)):
            new = self.step(x_t, states, rec_masks)
            if keep is None:
                states = new
                outputs.append(new[0])
                continue
            kept = keep[:, t : t + 1]  # (batch, 1)
            if self.unroll:  # Keras's unrolled loop: the previous output, zeros at first
                previous: Any = outputs[-1] if outputs else 0.0
            else:
                previous = 0.0 if self.zero_output_for_mask else states[0]
            outputs.append(where(kept, new[0], previous))
            states = tuple(where(kept, n, s) for n, s in zip(new, states))
        output = stack(outputs, 1) if self.return_sequences else outputs[-1]
        return [output, *states] if self.return_state else output

    def _kept_steps(self, sequences: Tensor, mask: Any) -> np.ndarray | None:
        """The mask as a (batch, time) bool array, or None when there is none or every
        step is kept (the loop then gives the same values with no mask)."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is None:
            return None
        keep = mask_array(mask)
        if keep.shape != tuple(sequences.shape[:2]):
            raise ValueError(
                f"{type(self).__name__}: the mask must have shape (batch, time) = "
                f"{tuple(sequences.shape[:2])}, got {keep.shape}"
            )
        return None if keep.all() else keep

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
            if key == "zero_output_for_mask":  # (`Bidirectional` sets it)
                value = self.zero_output_for_mask
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
