"""The functional forms of the recurrent ops (`autograd.ops.recurrent`), the composed
steps they equal, and PyTorch's cell functions.

- `rnn_tanh_sequence`, `rnn_relu_sequence`, `lstm_sequence`, `gru_sequence`: one
  layer and one direction over a whole sequence as ONE op, from the precomputed
  input projections xw (L, N, G); they return (outputs, final state(s)).
- `rnn_tanh_cell`, `rnn_relu_cell`, `lstm_cell`, `gru_cell`: one time step from the
  input x, as `torch.lstm_cell(input, hx, w_ih, w_hh, b_ih, b_hh)` and the others,
  composed of public ops (the readable form of the equations).
- `composed_packed`: the whole sequence from those steps, a graph of small ops; the
  ops' backward under `create_graph=True` differentiates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.ops.args import OperandError
from autograd.ops.arith import where
from autograd.ops.elementwise import relu, sigmoid, tanh
from autograd.ops.layers import linear
from autograd.ops.layout import chunk
from autograd.ops.recurrent import LSTMSequence, RNNSequence
from autograd.ops.recurrent_gru import GRUSequence
from autograd.ops.shape import cat, stack
from autograd.tensor import Tensor

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


# ---- one step, composed


def _rnn_step(xw: Any, h: Any, w_hh: Any, b_hh: Any, nonlinearity: str) -> Any:
    a = xw + linear(h, w_hh, b_hh)
    return tanh(a) if nonlinearity == "tanh" else relu(a)


def _lstm_step(xw: Any, h: Any, c: Any, w_hh: Any, b_hh: Any, w_hr: Any) -> tuple[Any, Any]:
    i, f, g, o = chunk(xw + linear(h, w_hh, b_hh), 4, -1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)
    return (h if w_hr is None else linear(h, w_hr)), c


def _gru_step(xw: Any, h: Any, w_hh: Any, b_hh: Any) -> Any:
    x_r, x_z, x_n = chunk(xw, 3, -1)
    h_r, h_z, h_n = chunk(linear(h, w_hh, b_hh), 3, -1)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def rnn_tanh_cell(
    input: Any, hx: Any, w_ih: Any, w_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> Tensor:
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh), as `torch.rnn_tanh_cell`."""
    return _rnn_step(linear(input, w_ih, b_ih), hx, w_hh, b_hh, "tanh")


def rnn_relu_cell(
    input: Any, hx: Any, w_ih: Any, w_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> Tensor:
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh), as `torch.rnn_relu_cell`."""
    return _rnn_step(linear(input, w_ih, b_ih), hx, w_hh, b_hh, "relu")


def lstm_cell(
    input: Any, hx: Sequence[Any], w_ih: Any, w_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> tuple[Tensor, Tensor]:
    """(h', c') of one LSTM step from hx = (h, c), gates i, f, g, o, as `torch.lstm_cell`."""
    h, c = hx
    return _lstm_step(linear(input, w_ih, b_ih), h, c, w_hh, b_hh, None)


def gru_cell(
    input: Any, hx: Any, w_ih: Any, w_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> Tensor:
    """h' of one GRU step, gates r, z, n (r scales h W_hn^T + b_hn), as `torch.gru_cell`."""
    return _gru_step(linear(input, w_ih, b_ih), hx, w_hh, b_hh)


# ---- the whole sequence, composed


def composed_packed(
    mode: str,
    inputs: Sequence[Tensor],
    reverse: bool,
    lengths: tuple[int, ...] | None,
    *,
    bias: bool = True,
    nonlinearity: str = "tanh",
) -> Tensor:
    """The packed output of the op of `mode` ("RNN", "LSTM", "GRU") on `inputs` (as
    the op takes them), composed of one small graph per step."""
    if mode == "LSTM":
        xw, h, c, w_hh, *rest = inputs
        b_hh = rest[0] if bias else None
        w_hr = rest[-1] if len(rest) > int(bias) else None
        state: tuple[Any, ...] = (h, c)
    else:
        xw, h, w_hh, *rest = inputs
        b_hh, w_hr, state = (rest[0] if rest else None), None, (h,)
    length = xw.shape[0]
    outputs: list[Any] = [None] * length
    live_all = None if lengths is None else np.asarray(lengths)[:, None]
    for t in range(length - 1, -1, -1) if reverse else range(length):
        if mode == "LSTM":
            new: tuple[Any, ...] = _lstm_step(xw[t], state[0], state[1], w_hh, b_hh, w_hr)
        elif mode == "GRU":
            new = (_gru_step(xw[t], state[0], w_hh, b_hh),)
        else:
            new = (_rnn_step(xw[t], state[0], w_hh, b_hh, nonlinearity),)
        if live_all is None:
            state, outputs[t] = new, new[0]
            continue
        live = t < live_all
        state = tuple(where(live, n, s) for n, s in zip(new, state))
        outputs[t] = where(live, new[0], 0.0)
    return cat([stack(outputs, 0).reshape(-1)] + [s.reshape(-1) for s in state])


# ---- the fused ops' functional forms


def _as_tensor(name: str, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return value
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise TypeError(f"{name}: expected a float tensor, got {array.dtype}")
    return Tensor(array)


def _checked(
    op: str, mode: str, xw: Any, states: dict[str, Any], w_hh: Any, b_hh: Any, lengths: Any
) -> tuple[list[Tensor], tuple[int, ...] | None]:
    """The op's inputs as Tensors, their shapes checked: xw (L, N, G * H), each state
    (N, size), w_hh (G * H, H_out), b_hh (G * H,), lengths N ints in [0, L]."""
    xw = _as_tensor("xw", xw)
    w_hh = _as_tensor("w_hh", w_hh)
    if xw.ndim != 3:
        raise OperandError(f"{op}: xw must be 3-D (L, N, {GATES[mode]} * hidden), got {xw.shape}")
    length, batch, gates = xw.shape
    if w_hh.ndim != 2 or w_hh.shape[0] != gates or gates % GATES[mode]:
        raise OperandError(
            f"{op}: w_hh must be ({GATES[mode]} * hidden, hidden_out) matching xw's last "
            f"dim {gates}, got {w_hh.shape}"
        )
    tensors = [xw]
    hidden = gates // GATES[mode]
    sizes = {"h0": w_hh.shape[1], "c0": hidden}
    for name, value in states.items():
        t = _as_tensor(name, value)
        if t.shape != (batch, sizes[name]):
            raise OperandError(f"{op}: {name} must be {(batch, sizes[name])}, got {t.shape}")
        tensors.append(t)
    if mode != "LSTM" and w_hh.shape[1] != hidden:
        raise OperandError(f"{op}: w_hh must be {(gates, hidden)}, got {w_hh.shape}")
    tensors.append(w_hh)
    if b_hh is not None:
        b = _as_tensor("b_hh", b_hh)
        if b.shape != (gates,):
            raise OperandError(f"{op}: b_hh must be ({gates},), got {b.shape}")
        tensors.append(b)
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) > 1:
        raise TypeError(f"{op}: inputs of one float dtype expected, got {sorted(map(str, dtypes))}")
    if lengths is None:
        return tensors, None
    lengths = tuple(int(n) for n in np.asarray(lengths).reshape(-1))
    if len(lengths) != batch or any(n < 0 or n > length for n in lengths):
        raise ValueError(f"{op}: lengths must be {batch} ints in [0, {length}], got {lengths}")
    return tensors, lengths


def _unpack(packed: Tensor, shapes: list[tuple[int, ...]]) -> tuple[Tensor, ...]:
    out, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(packed[start : start + size].reshape(shape))
        start += size
    return tuple(out)


def _rnn(
    act: str, xw: Any, h0: Any, w_hh: Any, b_hh: Any, reverse: bool, lengths: Any
) -> tuple[Tensor, Tensor]:
    op = f"rnn_{act}_sequence"
    tensors, lengths = _checked(op, "RNN", xw, {"h0": h0}, w_hh, b_hh, lengths)
    packed = RNNSequence.apply(*tensors, reverse=bool(reverse), lengths=lengths, nonlinearity=act)
    length, batch, hidden = tensors[0].shape
    out, h = _unpack(packed, [(length, batch, hidden), (batch, hidden)])
    return out, h


def rnn_tanh_sequence(
    xw: Any, h0: Any, w_hh: Any, b_hh: Any = None, *, reverse: bool = False, lengths: Any = None
) -> tuple[Tensor, Tensor]:
    """An Elman RNN layer (one direction) over all L steps as one op: h_t = tanh(xw_t +
    h_{t-1} W_hh^T + b_hh), xw (L, N, H) the input projections x_t W_ih^T + b_ih.

    Args:
        xw: (L, N, H). h0: (N, H). w_hh: (H, H). b_hh: (H,) or None.
        reverse: run from the last step to the first.
        lengths: N ints (a packed batch): past its length a sequence keeps its state and
            outputs zeros.

    Returns:
        (outputs (L, N, H), h_n (N, H)).
    """
    return _rnn("tanh", xw, h0, w_hh, b_hh, reverse, lengths)


def rnn_relu_sequence(
    xw: Any, h0: Any, w_hh: Any, b_hh: Any = None, *, reverse: bool = False, lengths: Any = None
) -> tuple[Tensor, Tensor]:
    """`rnn_tanh_sequence` with h_t = relu(xw_t + h_{t-1} W_hh^T + b_hh)."""
    return _rnn("relu", xw, h0, w_hh, b_hh, reverse, lengths)


def lstm_sequence(
    xw: Any,
    h0: Any,
    c0: Any,
    w_hh: Any,
    b_hh: Any = None,
    w_hr: Any = None,
    *,
    reverse: bool = False,
    lengths: Any = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """An LSTM layer (one direction) over all L steps as one op, gates i, f, g, o from
    xw_t + h_{t-1} W_hh^T + b_hh; c_t = f c_{t-1} + i g, h_t = o tanh(c_t) (times W_hr^T
    with a projection).

    Args:
        xw: (L, N, 4H). h0: (N, H_out). c0: (N, H). w_hh: (4H, H_out). b_hh: (4H,) or
            None. w_hr: (H_out, H) (proj_size) or None.
        reverse, lengths: as `rnn_tanh_sequence`'s.

    Returns:
        (outputs (L, N, H_out), h_n (N, H_out), c_n (N, H)).
    """
    op = "lstm_sequence"
    tensors, lengths = _checked(op, "LSTM", xw, {"h0": h0, "c0": c0}, w_hh, b_hh, lengths)
    length, batch, gates = tensors[0].shape
    hidden, out_size = gates // 4, tensors[3].shape[1]
    if w_hr is not None:
        w_hr = _as_tensor("w_hr", w_hr)
        if w_hr.shape != (out_size, hidden):
            raise OperandError(f"{op}: w_hr must be {(out_size, hidden)}, got {w_hr.shape}")
        tensors.append(w_hr)
    elif out_size != hidden:
        raise OperandError(
            f"{op}: w_hh is {tensors[3].shape}: without w_hr it must be ({gates}, {hidden})"
        )
    packed = LSTMSequence.apply(
        *tensors, reverse=bool(reverse), lengths=lengths, bias=b_hh is not None
    )
    out, h, c = _unpack(packed, [(length, batch, out_size), (batch, out_size), (batch, hidden)])
    return out, h, c


def gru_sequence(
    xw: Any, h0: Any, w_hh: Any, b_hh: Any = None, *, reverse: bool = False, lengths: Any = None
) -> tuple[Tensor, Tensor]:
    """A GRU layer (one direction) over all L steps as one op, gates r, z, n as
    torch's: n = tanh(xw_n + r * (h W_hn^T + b_hn)), h_t = (1 - z) n + z h_{t-1}.

    Args:
        xw: (L, N, 3H). h0: (N, H). w_hh: (3H, H). b_hh: (3H,) or None.
        reverse, lengths: as `rnn_tanh_sequence`'s.

    Returns:
        (outputs (L, N, H), h_n (N, H)).
    """
    tensors, lengths = _checked("gru_sequence", "GRU", xw, {"h0": h0}, w_hh, b_hh, lengths)
    packed = GRUSequence.apply(*tensors, reverse=bool(reverse), lengths=lengths)
    length, batch, gates = tensors[0].shape
    out, h = _unpack(packed, [(length, batch, gates // 3), (batch, gates // 3)])
    return out, h
