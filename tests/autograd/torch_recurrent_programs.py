"""Steps of the random programs (`torch_programs`) for the recurrent sequence ops
(`autograd.rnn_tanh_sequence`, `lstm_sequence`, `gru_sequence`, ...): the current value,
flattened to at most 5 steps of a batch of one, scales a leaf of gate projections into
xw (L, 1, G); torch runs the same steps with its own cell functions
(`torch.lstm_cell` with W_ih the identity, so its input is xw), step by step.

Imported at the end of `torch_programs`, whose `SPECS` these add to.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import autograd
from tests.autograd import torch_programs as tp
from tests.autograd.torch_programs import Pair, new_leaf, spec

GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def _theirs(
    mode: str, xw: Any, h: Any, c: Any, w: dict[str, Any], reverse: bool, lengths: Any
) -> Any:
    """The sequence through torch's cells: outputs, h_n (and c_n) flattened end to end."""
    torch = tp.torch
    length, gates = xw.shape[0], xw.shape[2]
    eye = torch.eye(gates, dtype=torch.float64)
    cell = getattr(torch, f"{mode}_cell")
    outputs: list[Any] = [None] * length
    for t in range(length - 1, -1, -1) if reverse else range(length):
        if mode == "lstm" and w["hr"] is not None:  # torch's cell takes no projection
            gates_t = xw[t] + h @ w["hh"].T + (0 if w["b"] is None else w["b"])
            i, f, g, o = gates_t.chunk(4, -1)
            c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h_new = (torch.sigmoid(o) * torch.tanh(c_new)) @ w["hr"].T
        elif mode == "lstm":
            h_new, c_new = cell(xw[t], (h, c), eye, w["hh"], None, w["b"])
        else:
            h_new, c_new = cell(xw[t], h, eye, w["hh"], None, w["b"]), None
        live = torch.tensor([[t < n] for n in lengths]) if lengths else None
        if live is None:
            h, c, outputs[t] = h_new, c_new, h_new
        else:
            h = torch.where(live, h_new, h)
            c = None if c is None else torch.where(live, c_new, c)
            outputs[t] = torch.where(live, h_new, torch.zeros_like(h_new))
    parts = [torch.stack(outputs).reshape(-1), h.reshape(-1)]
    return torch.cat(parts + ([] if c is None else [c.reshape(-1)]))


def _sequence(mode: str, op: str) -> None:
    @spec(f"{mode}_sequence", op)
    def apply(draw: Any, x: Pair, pool: list, leaves: list) -> Pair:
        n = min(max(x.ours.size, 1), 5)
        hidden = draw(st.integers(1, 2))
        proj = mode == "lstm" and draw(st.booleans())
        out_size = 1 if proj else hidden
        gates = GATES[mode] * hidden
        scale = new_leaf(draw, (gates,), leaves)
        xs = Pair(
            x.ours.reshape(-1)[:n].reshape(n, 1, 1), x.theirs.reshape(-1)[:n].reshape(n, 1, 1)
        )
        xw = Pair(xs.ours * scale.ours * 0.5, xs.theirs * scale.theirs * 0.5)
        h0 = new_leaf(draw, (1, out_size), leaves)
        c0 = new_leaf(draw, (1, hidden), leaves) if mode == "lstm" else None
        w_hh = new_leaf(draw, (gates, out_size), leaves)
        b_hh = new_leaf(draw, (gates,), leaves) if draw(st.booleans()) else None
        w_hr = new_leaf(draw, (out_size, hidden), leaves) if proj else None
        reverse = draw(st.booleans())
        lengths = (
            tuple(draw(st.lists(st.integers(0, n), min_size=1, max_size=1)))
            if draw(st.booleans())
            else None
        )
        fn = getattr(autograd, f"{mode}_sequence")
        args = [xw.ours, h0.ours] + ([c0.ours] if c0 else []) + [w_hh.ours, b_hh and b_hh.ours]
        if proj:
            args.append(w_hr.ours)  # type: ignore[union-attr]
        ours = autograd.cat([o.reshape(-1) for o in fn(*args, reverse=reverse, lengths=lengths)])
        w = {"hh": w_hh.theirs, "b": b_hh and b_hh.theirs, "hr": w_hr and w_hr.theirs}
        theirs = _theirs(mode, xw.theirs, h0.theirs, c0 and c0.theirs, w, reverse, lengths)
        return Pair(ours, theirs)


_sequence("rnn_tanh", "RNNSequence")
_sequence("rnn_relu", "RNNSequence")
_sequence("lstm", "LSTMSequence")
_sequence("gru", "GRUSequence")
