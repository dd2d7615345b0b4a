"""`KerasRNN`, what Keras's recurrent layers `SimpleRNN`, `LSTM` and `GRU`
(`nn.recurrent_keras`) share: Keras 3's common arguments and defaults, the weights
`kernel`, `recurrent_kernel` and `bias`, the dropout masks, the loop over time, the
outputs (`return_sequences`, `return_state`, `go_backwards`) and `get_config`.
`RecurrentCore`, its base, is what those layers share with Keras's cells
(`nn.recurrent_cells_keras`): the cell's arguments, weights, masks and projections;
`run_core` runs a core over a sequence (for the layers and for `RNN(cell)`).

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

#: The arguments every recurrent cell (and layer) takes, with Keras's defaults.
CELL = {
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
}
#: The arguments the recurrent layers take beyond their cell's.
LAYER = {
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
    "stateful": False,
    "unroll": False,
    "zero_output_for_mask": False,
}
#: The arguments every recurrent layer takes, with Keras's defaults.
COMMON = {**CELL, **LAYER}


def _serialized(value: Any, serialize: Any) -> Any:
    """A name as it is, an object as its config."""
    return value if value is None or isinstance(value, str) else serialize(value)


class RecurrentCore(Layer):
    """What Keras's recurrent cells and layers share: the cell's arguments (`CELL` and
    the kind's `own`), the weights `kernel`, `recurrent_kernel`, `bias`, the dropout
    masks and the input projections. A kind defines `step` (and, where its equations
    are torch's, `fusable` and `fused`)."""

    gates = 1
    bias: Variable | None
    #: The arguments of every core of this family, with their defaults.
    common: ClassVar[dict[str, Any]] = CELL
    #: The arguments of this kind beyond `common`, with their defaults.
    own: ClassVar[dict[str, Any]] = {}
    #: The arguments Keras's `get_config` leaves out.
    unsaved: ClassVar[tuple[str, ...]] = ()

    def __init__(self, units: int, **kwargs: Any) -> None:
        owner = type(self).__name__
        options = {**self.common, **self.own}
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
        self.use_bias = check_bool(owner, "use_bias", o["use_bias"])
        for rate in ("dropout", "recurrent_dropout"):  # Keras clips them into [0, 1]
            setattr(self, rate, min(1.0, max(0.0, check_real(owner, rate, o[rate]))))
        self.seed = o["seed"]
        self.generator = None if o["seed"] is None else Generator().manual_seed(o["seed"])

    # ---- weights

    def build(self, input_shape: Any) -> None:
        """The weights for inputs of `input_shape[-1]` features."""
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
        self,
        inputs: Tensor,
        masks: list[Tensor] | None,
        bias: Tensor | None,
        time_axis: int | None = 1,
    ) -> Tensor:
        """x K + b for every time step, (batch, time, G * units), or (time, batch, ...)
        for time-major inputs (`time_axis` 0), or for one step (batch, features)
        (`time_axis` None); with dropout masks (batch, features), the inputs of each
        gate under its mask."""
        if masks is None:
            return dense(inputs, self.kernel, bias)
        if time_axis is not None:
            masks = [m.unsqueeze(time_axis) for m in masks]
        if len(masks) == 1:
            return dense(inputs * masks[0], self.kernel, bias)
        u = self.units
        parts = [
            dense(inputs * m, self.kernel[:, g * u : (g + 1) * u]) for g, m in enumerate(masks)
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

    # ---- configuration

    def get_config(self) -> dict[str, Any]:
        o = self.options
        config = {**super().get_config(), "units": self.units}
        for key, default in {**self.common, **self.own}.items():
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


def run_core(
    core: RecurrentCore,
    sequences: Tensor,
    states: tuple[Tensor, ...],
    training: bool,
    go_backwards: bool = False,
    return_sequences: bool = False,
    keep: np.ndarray | None = None,
    zero_output_for_mask: bool = False,
    unroll: bool = False,
) -> tuple[Tensor, tuple[Tensor, ...]]:
    """Run `core`'s step over the time axis of `sequences` (batch, time, features) from
    `states`: (the last output, or every step's (batch, time, units), the final
    states). The dropout masks are drawn once, for every step; the inputs of all steps
    are projected in one product; the recurrence runs as one op where `core.fusable()`
    (and no recurrent mask, no time-step mask, one dtype), else step by step.

    `keep`, a (batch, time) bool array (`kept_steps`), masks time steps as Keras's
    backend `rnn`: at a masked step of a sample its states keep their values and its
    output is the previous output h (zeros with `zero_output_for_mask`; with `unroll`,
    the previous step's output, zeros at the first step, as Keras's unrolled loop)."""
    count = core._mask_count()
    in_masks = core._masks(sequences[:, 0], core.dropout, count, training)
    rec_masks = core._masks(states[0], core.recurrent_dropout, count, training)
    same = all(t.dtype == sequences.dtype for t in (core.kernel, core.recurrent_kernel, *states))
    fused = recurrent_steps.FUSED and keep is None and rec_masks is None and same
    if fused and core.fusable():
        # time-major projections (time, batch, G * units): each step's rows contiguous
        xw = core._project(sequences.transpose(0, 1), in_masks, core.input_bias(), 0)
        if go_backwards:
            xw = flip(xw, [0])
        sequence, states = core.fused(xw, states)
        return (sequence.transpose(0, 1) if return_sequences else states[0]), states
    xw = core._project(sequences, in_masks, core.input_bias())
    if go_backwards:
        xw = flip(xw, [1])
        keep = None if keep is None else keep[:, ::-1]
    outputs: list[Tensor] = []
    for t, x_t in enumerate(time_steps(xw, 1)):
        new = core.step(x_t, states, rec_masks)
        if keep is None:
            states = new
            outputs.append(new[0])
            continue
        kept = keep[:, t : t + 1]  # (batch, 1)
        if unroll:  # Keras's unrolled loop: the previous output, zeros at first
            previous: Any = outputs[-1] if outputs else 0.0
        else:
            previous = 0.0 if zero_output_for_mask else states[0]
        outputs.append(where(kept, new[0], previous))
        states = tuple(where(kept, n, s) for n, s in zip(new, states))
    return (stack(outputs, 1) if return_sequences else outputs[-1]), states


def output_mask(mask: Any, return_sequences: bool, return_state: bool, states: int) -> Any:
    """Keras's `compute_mask` of a recurrent layer: the input's time-step mask for
    return_sequences' output (None for the last output alone), and with return_state
    None for each of the `states` states."""
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    out = mask if return_sequences else None
    return [out, *[None] * states] if return_state else out


def kept_steps(owner: str, sequences: Tensor, mask: Any) -> np.ndarray | None:
    """A time-step mask as a (batch, time) bool array, or None when there is none or
    every step is kept (the loop then gives the same values with no mask).

    Raises:
        ValueError: a mask of another shape than the sequences' (batch, time).
    """
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    if mask is None:
        return None
    keep = mask_array(mask)
    if keep.shape != tuple(sequences.shape[:2]):
        raise ValueError(
            f"{owner}: the mask must have shape (batch, time) = "
            f"{tuple(sequences.shape[:2])}, got {keep.shape}"
        )
    return None if keep.all() else keep


class KerasRNN(RecurrentCore):
    """What `SimpleRNN`, `LSTM` and `GRU` share: their cell's arguments and weights
    (`RecurrentCore`), the loop over time and the outputs (`return_sequences`,
    `return_state`, `go_backwards`)."""

    common = COMMON
    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        owner, o = type(self).__name__, self.options
        flags = ("return_sequences", "return_state", "go_backwards", "unroll")
        for flag in (*flags, "zero_output_for_mask"):
            setattr(self, flag, check_bool(owner, flag, o[flag]))
        if o["stateful"]:
            raise NotImplementedError(
                f"{owner}: stateful=True (states kept from batch to batch) is not supported"
            )
        self.stateful = False

    def build(self, input_shape: Any) -> None:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__}: expected inputs of shape (batch, time, features), "
                f"got {tuple(input_shape)}"
            )
        super().build(input_shape)

    def compute_mask(self, inputs: Any, mask: Any) -> Any:
        return output_mask(
            mask, self.return_sequences, self.return_state, len(self.initial_states(1, "float32"))
        )

    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        owner = type(self).__name__
        if sequences.ndim != 3:
            raise ValueError(
                f"{owner}: expected inputs of shape (batch, time, features), "
                f"got {tuple(sequences.shape)}"
            )
        keep = kept_steps(owner, sequences, mask)
        states = self._start(sequences, initial_state)
        output, states = run_core(
            self,
            sequences,
            states,
            bool(training),
            self.go_backwards,
            self.return_sequences,
            keep,
            self.zero_output_for_mask,
            self.unroll,
        )
        return [output, *states] if self.return_state else output

    def _start(self, sequences: Tensor, initial_state: Any) -> tuple[Tensor, ...]:
        """The initial states: given (a tensor or a list), or zeros."""
        zeros = self.initial_states(sequences.shape[0], sequences.dtype)
        return given_states(type(self).__name__, zeros, initial_state, sequences.dtype)


def given_states(
    owner: str, zeros: tuple[Tensor, ...], initial_state: Any, dtype: Any
) -> tuple[Tensor, ...]:
    """The initial states given (a tensor or a list of them), checked against the
    shapes of `zeros`, or `zeros` when none is given.

    Raises:
        ValueError: a different number of states, or a state of another shape.
    """
    if initial_state is None:
        return zeros
    given = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
    if len(given) != len(zeros):
        raise ValueError(f"{owner}: expected {len(zeros)} initial state(s), got {len(given)}")
    states = tuple(g if isinstance(g, Tensor) else Tensor(np.asarray(g, dtype)) for g in given)
    for state, zero in zip(states, zeros):
        if tuple(state.shape) != tuple(zero.shape):
            raise ValueError(
                f"{owner}: an initial state must have shape {tuple(zero.shape)}, "
                f"got {tuple(state.shape)}"
            )
    return states
