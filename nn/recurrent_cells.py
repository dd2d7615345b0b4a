"""PyTorch's single-step cells `RNNCell`, `LSTMCell` and `GRUCell`: one time step of
`nn.RNN`, `nn.LSTM`, `nn.GRU` (the same equations, `nn.recurrent_steps`), for loops
written by hand (the char-RNN tutorials).

Shapes: input (N, input_size) or (input_size,); hidden (N, hidden_size) or
(hidden_size,), zeros when not given. Parameters `weight_ih` (G * hidden_size,
input_size), `weight_hh` (G * hidden_size, hidden_size), `bias_ih`, `bias_hh` (G = 1, 4
or 3), all drawn from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as torch's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, get_default_dtype, linear, zeros
from nn import init
from nn.module import Module, Parameter
from nn.recurrent_checks import check_bool
from nn.recurrent_steps import State, Step, gru_step, lstm_step, rnn_step


class RNNCellBase(Module):
    """The parameters, checks and call shared by the cells."""

    gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = check_bool("bias", bias)
        dtype = np.dtype(dtype or get_default_dtype())
        size = self.gates * hidden_size
        self.weight_ih = Parameter(np.zeros((size, input_size), dtype))
        self.weight_hh = Parameter(np.zeros((size, hidden_size), dtype))
        self.bias_ih = Parameter(np.zeros(size, dtype)) if bias else None
        self.bias_hh = Parameter(np.zeros(size, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)

    def _step(self) -> Step:
        raise NotImplementedError(f"{type(self).__name__} must define _step (its update)")

    def _call(self, input: Any, states: tuple[Any, ...] | None) -> State:
        """One step from `input` and the states (None: zeros), batched or not."""
        name = type(self).__name__
        x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead")
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}"
            )
        count = 2 if isinstance(self, LSTMCell) else 1
        if states is None:
            states = tuple(
                zeros((x.shape[0], self.hidden_size), dtype=x.dtype) for _ in range(count)
            )
        else:
            states = tuple(self._state(x, s, k, batched) for k, s in enumerate(states))
        new = self._step()(linear(x, self.weight_ih, self.bias_ih), states)
        return new if batched else tuple(s.squeeze(0) for s in new)

    def _state(self, x: Tensor, state: Any, k: int, batched: bool) -> Tensor:
        """One given state, checked (torch's messages) and made 2-D."""
        name = type(self).__name__
        if state.ndim not in (1, 2):
            what = f"hx[{k}]" if isinstance(self, LSTMCell) else "hidden"
            raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {state.ndim}D instead")
        if not batched and state.ndim == 1:
            state = state.unsqueeze(0)
        if state.shape[0] != x.shape[0]:
            raise RuntimeError(
                f"Input batch size {x.shape[0]} doesn't match hidden{k} batch size {state.shape[0]}"
            )
        if state.shape[-1] != self.hidden_size:
            raise RuntimeError(
                f"hidden{k} has inconsistent hidden_size: got {state.shape[-1]}, expected "
                f"{self.hidden_size}"
            )
        return state

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act "tanh" or "relu"; returns h'.

    Example:
        >>> import autograd, nn
        >>> cell = nn.RNNCell(10, 20)
        >>> cell(autograd.randn(3, 10)).shape
        (3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def _step(self) -> Step:
        return rnn_step(self.weight_hh, self.bias_hh, self.nonlinearity)

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        return self._call(input, None if hx is None else (hx,))[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o); returns (h', c')."""

    gates = 4

    def _step(self) -> Step:
        return lstm_step(self.weight_hh, self.bias_hh)

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Tensor]:
        h, c = self._call(input, None if hx is None else tuple(hx))
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n, as `nn.GRU`); returns h'."""

    gates = 3

    def _step(self) -> Step:
        return gru_step(self.weight_hh, self.bias_hh)

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        return self._call(input, None if hx is None else (hx,))[0]
