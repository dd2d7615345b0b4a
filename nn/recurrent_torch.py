"""PyTorch's recurrent layers `RNN`, `LSTM` and `GRU` (stacked, bidirectional, with
dropout between layers, `batch_first`, unbatched inputs and `PackedSequence`s).

Parameters are named, shaped and ordered as torch's (`weight_ih_l0`, `weight_hh_l0`,
`bias_ih_l0`, `bias_hh_l0`, then `..._reverse`; LSTM gates stacked i, f, g, o, GRU's
r, z, n; `weight_hr_l0` with `proj_size`), so a torch `state_dict` loads as it is, and
drawn as torch's: every one from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), in
that order, from `autograd.default_generator`.

Each layer and direction projects the inputs of all time steps in one matrix product,
then runs the recurrent part over the time steps as one op (`autograd.lstm_sequence`
and the others), or, with `nn.recurrent_steps.FUSED = False`, as the composed steps
of `nn.recurrent_steps`.

Shapes (D = 2 if bidirectional else 1, H_out = proj_size or hidden_size):
    input (L, N, H_in), or (N, L, H_in) with batch_first, or (L, H_in) unbatched
    h_0 (D * num_layers, N, H_out) or (D * num_layers, H_out); LSTM's c_0 with hidden_size
    output (L, N, D * H_out) (batch_first: (N, L, ...)); h_n as h_0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, cat, get_default_dtype, linear, stack, zeros
from nn import init, recurrent_steps
from nn.functional import dropout as _dropout
from nn.module import Module, Parameter
from nn.recurrent_checks import (
    GATES,
    as_states,
    check_arguments,
    check_bool,
    check_hidden,
    check_hidden_dims,
    check_input,
)
from nn.recurrent_steps import Step, gru_step, lstm_step, rnn_step, run_sequence
from nn.rnn_utils import PackedSequence, pack_by_lengths, unpack_to_padded


class RNNBase(Module):
    """What `RNN`, `LSTM` and `GRU` share: the parameters, the checks and the loop over
    layers and directions (torch's `nn.RNNBase`)."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__()
        check_arguments(mode, input_size, hidden_size, num_layers, dropout, proj_size)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = check_bool("bias", bias)
        self.batch_first = check_bool("batch_first", batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.proj_size = proj_size
        self._make_parameters(np.dtype(dtype or get_default_dtype()))
        self.reset_parameters()

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        """H_out: proj_size, or hidden_size without a projection."""
        return self.proj_size or self.hidden_size

    def _make_parameters(self, dtype: np.dtype) -> None:
        gate_size = GATES[self.mode] * self.hidden_size
        names: list[str] = []
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self.output_size * self.num_directions
            for suffix in ("", "_reverse")[: self.num_directions]:
                shapes: dict[str, tuple[int, ...]] = {
                    "weight_ih": (gate_size, layer_input),
                    "weight_hh": (gate_size, self.output_size),
                }
                if self.bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if self.proj_size:
                    shapes["weight_hr"] = (self.proj_size, self.hidden_size)
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(np.zeros(shape, dtype)))
                    names.append(name)
        self._flat_weights_names = names

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, as torch's `all_weights`."""
        per = len(self._flat_weights_names) // (self.num_layers * self.num_directions)
        flat = [getattr(self, name) for name in self._flat_weights_names]
        return [flat[k : k + per] for k in range(0, len(flat), per)]

    def reset_parameters(self) -> None:
        """Every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)

    def flatten_parameters(self) -> None:
        """torch's call to lay the weights out in one block for cuDNN; nothing to do here
        (kept so that code calling it runs)."""

    def _weights(self, layer: int, reverse: bool) -> dict[str, Any]:
        suffix = f"_l{layer}" + ("_reverse" if reverse else "")
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        return {kind: getattr(self, kind + suffix, None) for kind in kinds}

    def _step(self, w: dict[str, Any]) -> Step:
        if self.mode == "LSTM":
            return lstm_step(w["weight_hh"], w["bias_hh"], w["weight_hr"])
        if self.mode == "GRU":
            return gru_step(w["weight_hh"], w["bias_hh"])
        return rnn_step(w["weight_hh"], w["bias_hh"], self.mode[4:].lower())

    # ---- forward

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
        name = "RNN" if self.mode.startswith("RNN") else self.mode
        if x.ndim not in (2, 3):
            tail = " tensor" if name == "RNN" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.ndim}D{tail} instead")
        batched = x.ndim == 3
        if hx is not None:
            hx = as_states(self.mode, hx)
            check_hidden_dims(hx, batched)
        if not batched:
            x = x.unsqueeze(1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if self.mode == "LSTM" else hx.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        check_input(x, self.input_size)
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        output, states = self._run(x, hx, None)
        if not batched:
            output = output.squeeze(1)
            states = tuple(s.squeeze(1) for s in states)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, self._pack_state(states)

    def _pack_state(self, states: tuple[Tensor, ...]) -> Any:
        return (states[0], states[1]) if self.mode == "LSTM" else states[0]

    def _initial_states(self, x: Tensor, hx: Any) -> tuple[Tensor, ...]:
        """(h_0,) or (h_0, c_0), checked, zeros when not given."""
        batch = x.shape[1]
        sizes = (self.output_size, self.hidden_size) if self.mode == "LSTM" else (self.hidden_size,)
        if hx is None:
            rows = self.num_layers * self.num_directions
            return tuple(zeros((rows, batch, size), dtype=x.dtype) for size in sizes)
        states = as_states(self.mode, hx) if self.mode == "LSTM" else (hx,)
        rows = self.num_layers * self.num_directions
        for k, (state, size) in enumerate(zip(states, sizes)):
            check_hidden(state, (rows, batch, size), f"[{k}]" if self.mode == "LSTM" else "")
        return states

    def _run(self, x: Tensor, hx: Any, lengths: Any) -> tuple[Tensor, tuple[Tensor, ...]]:
        """Every layer and direction over x (L, N, H_in): (output, final states stacked
        as h_n / c_n)."""
        weight = self.weight_ih_l0
        if x.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({x.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({x.dtype})"
            )
        initial = self._initial_states(x, hx)
        finals: list[list[Tensor]] = [[] for _ in initial]
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = _dropout(x, self.dropout, True)
            outputs = []
            for direction in range(self.num_directions):
                row = layer * self.num_directions + direction
                w = self._weights(layer, direction == 1)
                xw = linear(x, w["weight_ih"], w["bias_ih"])
                start = tuple(state[row] for state in initial)
                reverse = direction == 1
                if recurrent_steps.FUSED:
                    hh, b_hh, hr = w["weight_hh"], w["bias_hh"], w["weight_hr"]
                    out, final = recurrent_steps.run_fused(
                        self.mode, xw, start, hh, b_hh, hr, reverse, lengths
                    )
                else:
                    out, final = run_sequence(self._step(w), xw, start, reverse, lengths)
                outputs.append(out)
                for k, state in enumerate(final):
                    finals[k].append(state)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, -1)
        return x, tuple(stack(states, 0) for states in finals)

    def _forward_packed(self, packed: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """A packed batch: each sequence stops at its own length; h_n in the batch's
        original order, the output packed as the input."""
        check_input(packed.data, self.input_size, dims=2)
        padded, lengths = unpack_to_padded(packed)  # (L, N, H_in), original order
        output, states = self._run(padded, hx, lengths)
        data = pack_by_lengths(output, lengths, packed)
        return data, self._pack_state(states)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """PyTorch's Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act
    tanh or relu, per layer and direction. Returns (output, h_n).

    Args:
        input_size: features of x_t.
        hidden_size: features of h_t.
        num_layers: stacked layers, each reading the previous one's outputs.
        nonlinearity: "tanh" or "relu".
        bias: learn b_ih and b_hh.
        batch_first: inputs and outputs (N, L, H) instead of (L, N, H).
        dropout: dropout on each layer's outputs but the last's, in training.
        bidirectional: a second pass from the last step to the first, concatenated.

    Raises:
        ValueError: a nonlinearity other than "tanh" or "relu", or a bad size.

    Example:
        >>> import autograd, nn
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(autograd.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, *args: Any, **kwargs: Any) -> None:
        names = ("num_layers", "nonlinearity", "bias", "batch_first", "dropout", "bidirectional")
        kwargs.update(zip(names, args))
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, **kwargs)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """PyTorch's LSTM: per layer and direction, gates i, f, g, o from x_t W_ih^T + b_ih +
    h_{t-1} W_hh^T + b_hh; c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t) (then
    h_t W_hr^T with `proj_size`). Returns (output, (h_n, c_n)).

    Arguments as `RNN`'s (no nonlinearity), plus `proj_size` (0: none): h_t is
    projected to that size.

    Example:
        >>> import autograd, nn
        >>> lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True)
        >>> output, (h_n, c_n) = lstm(autograd.randn(3, 5, 10))
        >>> output.shape, h_n.shape, c_n.shape
        ((3, 5, 20), (2, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, *args: Any, **kwargs: Any) -> None:
        names = ("num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size")
        kwargs.update(zip(names, args))
        super().__init__("LSTM", input_size, hidden_size, **kwargs)


class GRU(RNNBase):
    """PyTorch's GRU: per layer and direction, gates r, z, n; r = sigmoid(W_ir x + b_ir +
    W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
    h_t = (1 - z) * n + z * h_{t-1}. Returns (output, h_n). Arguments as `LSTM`'s
    without `proj_size`."""

    def __init__(self, input_size: int, hidden_size: int, *args: Any, **kwargs: Any) -> None:
        names = ("num_layers", "bias", "batch_first", "dropout", "bidirectional")
        kwargs.update(zip(names, args))
        super().__init__("GRU", input_size, hidden_size, **kwargs)
