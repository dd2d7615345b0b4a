"""One time step of the recurrent cells, in PyTorch's gate order and equations, from
public `autograd` ops. Each step takes `xw`, the input's projection for this step
(x W_ih^T + b_ih, computed for every time step at once by the caller), and the state.

    RNN:   h' = act(xw + h W_hh^T + b_hh)                        act: tanh or relu
    LSTM:  i, f, g, o = split(xw + h W_hh^T + b_hh)              (in that order)
           c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
           h' = sigmoid(o) * tanh(c')      (then h' W_hr^T with a projection)
    GRU:   r, z, n from xw and from hw = h W_hh^T + b_hh          (in that order)
           r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z)
           n = tanh(x_n + r * h_n)
           h' = (1 - z) * n + z * h

`run_sequence` loops over the time steps (forward or reversed), optionally stopping
each sequence of the batch at its length (a packed batch): past its end a sequence
keeps its state and outputs zeros. `run_fused` does the same as one op (see `FUSED`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import (
    Tensor,
    chunk,
    gru_sequence,
    linear,
    lstm_sequence,
    relu,
    rnn_relu_sequence,
    rnn_tanh_sequence,
    sigmoid,
    split,
    stack,
    tanh,
    unbind,
    where,
)

#: State: (h,) for RNN and GRU, (h, c) for LSTM.
State = tuple[Tensor, ...]
#: A step: (xw, state) -> state; the output is state[0].
Step = Callable[[Tensor, State], State]

ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"tanh": tanh, "relu": relu}


def rnn_step(w_hh: Tensor, b_hh: Tensor | None, activation: str) -> Step:
    """The Elman cell: h' = act(xw + h W_hh^T + b_hh)."""
    act = ACTIVATIONS[activation]

    def step(xw: Tensor, state: State) -> State:
        return (act(xw + linear(state[0], w_hh, b_hh)),)

    return step


def lstm_step(w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None = None) -> Step:
    """The LSTM cell, gates stacked i, f, g, o; `w_hr` projects h' (proj_size)."""

    def step(xw: Tensor, state: State) -> State:
        h, c = state
        i, f, g, o = chunk(xw + linear(h, w_hh, b_hh), 4, -1)
        c = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h = sigmoid(o) * tanh(c)
        return (h if w_hr is None else linear(h, w_hr), c)

    return step


def gru_step(w_hh: Tensor, b_hh: Tensor | None) -> Step:
    """The GRU cell, gates stacked r, z, n, as PyTorch's (the reset gate scales
    h W_hn^T + b_hn, after the product)."""

    def step(xw: Tensor, state: State) -> State:
        h = state[0]
        x_r, x_z, x_n = chunk(xw, 3, -1)
        h_r, h_z, h_n = chunk(linear(h, w_hh, b_hh), 3, -1)
        r = sigmoid(x_r + h_r)
        z = sigmoid(x_z + h_z)
        n = tanh(x_n + r * h_n)
        return ((1 - z) * n + z * h,)

    return step


def time_steps(xw: Tensor, axis: int = 0) -> list[Tensor]:
    """The slices of `xw` along `axis` (the time axis), taken in blocks of about
    sqrt(L) steps, then step by step within each block.

    Why blocks: the gradient of a slice is an array of the whole tensor's shape (zeros
    but the slice), so slicing L steps straight from (L, N, G) costs backward about
    L * L * N * G writes; through blocks it is about 2 * L * sqrt(L) * N * G (at L = 50,
    a third; the values are the same)."""
    length = xw.shape[axis]
    size = max(1, math.isqrt(length))
    if size < 3:
        return list(unbind(xw, axis))
    return [step for block in split(xw, size, axis) for step in unbind(block, axis)]


def run_sequence(
    step: Step,
    xw: Tensor,
    state: State,
    reverse: bool = False,
    lengths: Sequence[int] | None = None,
) -> tuple[Tensor, State]:
    """Run `step` over the time axis (axis 0) of `xw` (L, N, G).

    Args:
        step: the cell's step.
        xw: the input projections of every time step.
        state: the initial state, each (N, H).
        reverse: go from the last step to the first.
        lengths: each sequence's length (None: all L); a sequence past its end keeps
            its state, and its outputs there are zeros.

    Returns:
        (outputs (L, N, H_out), the final state).
    """
    steps = time_steps(xw)
    outputs: list[Any] = [None] * len(steps)
    order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    active = None if lengths is None else np.asarray(lengths)[:, None]
    for t in order:
        new = step(steps[t], state)
        if active is None:
            state = new
            outputs[t] = new[0]
            continue
        live = t < active  # (N, 1): the sequences still running at t
        state = tuple(where(live, n, s) for n, s in zip(new, state))
        outputs[t] = where(live, new[0], 0.0)
    return stack(outputs, 0), state


#: True: `nn.RNN`, `nn.LSTM`, `nn.GRU` run each layer and direction as ONE op
#: (`autograd.lstm_sequence` and the others: backpropagation through time written by
#: hand, about twice as fast), and so do Keras's `SimpleRNN`, `LSTM`, `GRU` where their
#: equations are torch's: activation "tanh" (and recurrent_activation "sigmoid"), GRU
#: with reset_after=True, no recurrent_dropout while training, and inputs, states and
#: weights of one dtype; other Keras configurations keep the steps. False: the steps
#: above, composed of small ops: the same values and gradients (to rounding), a graph
#: of ~12 ops per step that drawings and hooks can show. Read at each call.
FUSED = True


def run_fused(
    mode: str,
    xw: Tensor,
    state: State,
    w_hh: Tensor,
    b_hh: Tensor | None,
    w_hr: Tensor | None = None,
    reverse: bool = False,
    lengths: Sequence[int] | None = None,
) -> tuple[Tensor, State]:
    """`run_sequence` of the step of `mode` ("RNN_TANH", "RNN_RELU", "LSTM", "GRU") as
    one op: (outputs (L, N, H_out), the final state)."""
    if mode == "LSTM":
        h0, c0 = state
        out, h, c = lstm_sequence(xw, h0, c0, w_hh, b_hh, w_hr, reverse=reverse, lengths=lengths)
        return out, (h, c)
    fused = {"GRU": gru_sequence, "RNN_TANH": rnn_tanh_sequence, "RNN_RELU": rnn_relu_sequence}
    out, h = fused[mode](xw, state[0], w_hh, b_hh, reverse=reverse, lengths=lengths)
    return out, (h,)
