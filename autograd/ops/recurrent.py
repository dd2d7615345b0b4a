"""Recurrent layers over a whole sequence: one op per layer and direction, with
backpropagation through time written by hand (PyTorch's fused kernels, cuDNN's).

Each op takes xw (L, N, G), the input projections x_t W_ih^T + b_ih of every step
(one matrix product, made by the caller), the initial state, W_hh (G, H_out) and
optionally b_hh (G,), and runs PyTorch's equations (gates in torch's order):

    RNN:   h' = act(xw + h W_hh^T + b_hh)                      act: tanh or relu
    LSTM:  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of xw + h W_hh^T + b_hh
           c' = f * c + i * g,   h' = o * tanh(c')   (then h' W_hr^T with a projection)
    GRU:   r, z = sigmoid(xw_r + hw_r), sigmoid(xw_z + hw_z),  hw = h W_hh^T + b_hh
           n = tanh(xw_n + r * hw_n),   h' = (1 - z) * n + z * h

Options: `reverse` (from the last step to the first) and `lengths` (a packed batch:
past its length a sequence keeps its state and outputs zeros). An op has one output,
so the outputs (L, N, H_out) and the final state(s) are laid end to end in one flat
array; `autograd.ops.recurrent_forms` hands back views of it.

Forward keeps, per step, what backward reads (gates, cell states, previous states),
in processing order k (t = k, or L - 1 - k with `reverse`). Backward walks k back with
a few whole-block numpy calls per step; the products over all steps (dW_hh, dW_hr)
are one matrix product each at the end. Under `create_graph=True` backward reruns
the sequence from the Tensor inputs with the composed steps (`recurrent_forms`) and
differentiates that graph, so second derivatives are exact too. (GRUSequence is in
`autograd.ops.recurrent_gru`.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function


def _live(lengths: tuple[int, ...] | None, t: int) -> np.ndarray | None:
    """(N, 1) True where a sequence still runs at time t (None: all do)."""
    return None if lengths is None else (np.asarray(lengths) > t)[:, None]


class _Recurrent(Function):
    """What the three ops share: the order of the steps, the packed output, and the
    differentiable backward of `create_graph=True`."""

    mode: str = ""

    def setup(self, xw: np.ndarray, reverse: bool, lengths: tuple[int, ...] | None) -> None:
        self.reverse, self.lengths = reverse, lengths
        length = xw.shape[0]
        self.times = list(range(length - 1, -1, -1) if reverse else range(length))
        self.live = [_live(lengths, t) for t in self.times] if lengths is not None else None

    def pack(self, news: np.ndarray, final: np.ndarray) -> np.ndarray:
        """The output of RNNSequence and GRUSequence: the outputs (L, N, H), each step's
        new state `news` (in processing order) in time order and zero past each
        sequence's length, then the final state (N, H), end to end."""
        length = news.shape[0]
        packed = np.empty(news.size + final.size, news.dtype)
        outputs = packed[: news.size].reshape(news.shape)
        outputs[...] = self.ordered(news)
        if self.lengths is not None:
            outputs *= np.asarray(self.lengths)[None, :, None] > np.arange(length)[:, None, None]
        packed[news.size :] = final.reshape(-1)
        return packed

    def ordered(self, a: np.ndarray) -> np.ndarray:
        """An array in processing order (k) as time order (t), or back: a view."""
        return a[::-1] if self.reverse else a

    def composed_backward(self, dz: Any, inputs: tuple[Any, ...], options: dict[str, Any]) -> Any:
        """Backward under `create_graph=True`: the sequence again, composed of public ops,
        and its gradient as a graph."""
        from autograd.graph import grad
        from autograd.ops.recurrent_forms import composed_packed

        packed = composed_packed(self.mode, inputs, self.reverse, self.lengths, **options)
        wanted = [t for t in inputs if t.requires_grad]
        grads = iter(grad(packed, wanted, dz, create_graph=True, allow_unused=True))
        out = []
        for t in inputs:
            g = next(grads) if t.requires_grad else None
            out.append(g if g is not None or not t.requires_grad else t * 0.0)
        return tuple(out)


class RNNSequence(_Recurrent):
    """h_k = act(xw_t + h_{k-1} W_hh^T + b_hh), act tanh or relu.
    da_k = (dy_t + dh_k) * act'(h_k)      dh_{k-1} = da_k W_hh
    dW_hh = sum_k da_k^T h_{k-1}      db_hh = sum_k da_k      dxw_t = da_k"""

    mode = "RNN"

    def forward(self, xw, h0, w_hh, *b, reverse=False, lengths=None, nonlinearity="tanh"):
        self.setup(xw, reverse, lengths)
        self.nonlinearity = nonlinearity
        length, batch, hidden = xw.shape[0], xw.shape[1], w_hh.shape[0]
        xwb = xw + b[0] if b else xw
        states = np.empty((length + 1, batch, hidden), xw.dtype)  # in processing order
        news = np.empty_like(states[1:])  # each step's new state (before the mask)
        states[0] = h0
        w_t = w_hh.T
        for k, t in enumerate(self.times):
            a = np.matmul(states[k], w_t, out=news[k])
            a += xwb[t]
            if nonlinearity == "tanh":
                np.tanh(a, out=a)
            else:
                np.maximum(a, 0, out=a)
            if self.live is None:
                states[k + 1] = a
            else:
                np.copyto(states[k + 1], np.where(self.live[k], a, states[k]))
        self.states, self.news = states, news
        return self.pack(news, states[-1])

    def backward(self, dz, xw, h0, w_hh, *b):
        if self.tensor_mode:
            return self.composed_backward(dz, self.inputs, {"nonlinearity": self.nonlinearity})
        length, batch, hidden = xw.shape[0], xw.shape[1], w_hh.shape[0]
        dy = self.ordered(dz[: length * batch * hidden].reshape(length, batch, hidden))
        dh = dz[length * batch * hidden :].reshape(batch, hidden).copy()
        news = self.news
        if self.nonlinearity == "tanh":
            deriv = np.multiply(news, news)
            np.subtract(1, deriv, out=deriv)
        else:
            deriv = (news > 0).astype(news.dtype)
        da = np.empty_like(news)
        for k in range(length - 1, -1, -1):
            g = dy[k] + dh
            live = None if self.live is None else self.live[k]
            if live is not None:
                g *= live
            np.multiply(g, deriv[k], out=da[k])
            new_dh = da[k] @ w_hh
            dh = new_dh if live is None else new_dh + dh * ~live
        return self.gradients(da, dh, w_hh, b)

    def gradients(self, da: np.ndarray, dh0: np.ndarray, w_hh: np.ndarray, b: tuple) -> tuple:
        """(dxw, dh_0, dW_hh[, db_hh]) from the pre-activation gradients (processing order)."""
        need = self.needs_input_grad
        flat = da.reshape(-1, da.shape[-1])
        dw = flat.T @ self.states[:-1].reshape(-1, w_hh.shape[1]) if need[2] else None
        grads = (np.ascontiguousarray(self.ordered(da)), dh0, dw)
        return (*grads, flat.sum(0)) if b else grads


class LSTMSequence(_Recurrent):
    """c_k = f * c_{k-1} + i * g,  h_k = o * tanh(c_k) (then h_k W_hr^T); backward:
    dc = dc_k + dh_k * o * (1 - tanh(c_k)^2),  da_i = dc * g * i (1 - i),
    da_f = dc * c_{k-1} * f (1 - f),  da_g = dc * i (1 - g^2),
    da_o = dh_k * tanh(c_k) * o (1 - o),  dh_{k-1} = da W_hh,  dc_{k-1} = dc * f

    Few large arrays are made per call (each costs its pages' first writes): the
    gates are computed in place, and backward turns the gates' derivatives into the
    gradients in the one array it returns."""

    mode = "LSTM"

    def forward(self, xw, h0, c0, w_hh, *rest, reverse=False, lengths=None, bias=True):
        self.setup(xw, reverse, lengths)
        b_hh = rest[0] if bias else None
        w_hr = rest[-1] if len(rest) > int(bias) else None
        self.bias = bias
        length, batch, gates = xw.shape
        hidden, out_size = gates // 4, w_hh.shape[1]
        dtype = xw.dtype
        # gate = s * tanh(s * a) + 1 - s: sigmoid(a) = 0.5 tanh(a / 2) + 0.5 for i, f, o
        # (s = 0.5), tanh(a) for g (s = 1)
        scale = np.full(gates, 0.5, dtype)
        scale[2 * hidden : 3 * hidden] = 1.0
        offset = 1 - scale
        acts = np.empty((length, batch, gates), dtype)  # i, f, g, o
        cells = np.empty((length + 1, batch, hidden), dtype)
        hs = np.empty((length + 1, batch, out_size), dtype)
        tc = np.empty((length, batch, hidden), dtype)  # tanh(c_k), before the mask
        units = np.empty((length, batch, hidden), dtype) if w_hr is not None else None
        n_out = length * batch * out_size
        packed = np.empty(n_out + batch * (out_size + hidden), dtype)
        outputs = self.ordered(packed[:n_out].reshape(length, batch, out_size))  # k order
        hs[0], cells[0] = h0, c0
        w_t = w_hh.T
        c_new = np.empty((batch, hidden), dtype)
        for k, t in enumerate(self.times):
            a = np.matmul(hs[k], w_t, out=acts[k])
            a += xw[t]
            if b_hh is not None:
                a += b_hh
            a *= scale
            np.tanh(a, out=a)
            a *= scale
            a += offset
            i, f, g, o = a.reshape(batch, 4, hidden).transpose(1, 0, 2)
            live = None if self.live is None else self.live[k]
            c = cells[k + 1] if live is None else c_new
            np.multiply(f, cells[k], out=c)
            c += i * g
            np.tanh(c, out=tc[k])
            h = hs[k + 1] if live is None else outputs[k]
            if w_hr is None:
                np.multiply(o, tc[k], out=h)
            else:
                np.multiply(o, tc[k], out=units[k])
                np.matmul(units[k], w_hr.T, out=h)
            if live is not None:
                np.copyto(cells[k + 1], np.where(live, c, cells[k]))
                np.copyto(hs[k + 1], np.where(live, h, hs[k]))
                h *= live
        self.scale, self.acts, self.cells, self.hs, self.tc, self.units = (
            scale, acts, cells, hs, tc, units
        )  # fmt: skip
        if self.live is None:
            outputs[...] = hs[1:]
        packed[n_out : n_out + batch * out_size] = hs[-1].reshape(-1)
        packed[n_out + batch * out_size :] = cells[-1].reshape(-1)
        return packed

    def backward(self, dz, xw, h0, c0, w_hh, *rest):
        if self.tensor_mode:
            return self.composed_backward(dz, self.inputs, {"bias": self.bias})
        w_hr = rest[-1] if len(rest) > int(self.bias) else None
        length, batch, gates = xw.shape
        hidden, out_size = gates // 4, w_hh.shape[1]
        n_out = length * batch * out_size
        dy = self.ordered(dz[:n_out].reshape(length, batch, out_size))
        dh = dz[n_out : n_out + batch * out_size].reshape(batch, out_size).copy()
        dc = dz[n_out + batch * out_size :].reshape(batch, hidden).copy()
        acts, tc = self.acts, self.tc
        a4 = acts.reshape(length, batch, 4, hidden)
        # d gate / d a, from the gate: i (1 - i) for the sigmoids, 1 - g^2 for g, that is
        # a * (u - a) + v with (u, v) = (1, 0), or (0, 1) for g
        u = (self.scale == 0.5).astype(acts.dtype)
        da = np.subtract(u, acts)
        da *= acts
        da4 = da.reshape(length, batch, 4, hidden)
        da4[:, :, 2] += 1
        # what da_i, da_f, da_g take from dc, and da_o from dh_k, for all steps at once
        da4[:, :, 0] *= a4[:, :, 2]
        da4[:, :, 1] *= self.cells[:-1]
        da4[:, :, 2] *= a4[:, :, 0]
        da4[:, :, 3] *= tc
        to_dc = np.multiply(tc, tc)  # dc_k += dh_k * o (1 - tanh(c_k)^2)
        np.subtract(1, to_dc, out=to_dc)
        to_dc *= a4[:, :, 3]
        dhs = np.empty((length, batch, out_size), xw.dtype) if w_hr is not None else None
        for k in range(length - 1, -1, -1):
            gh = dy[k] + dh
            live = None if self.live is None else self.live[k]
            if live is not None:
                gh *= live
            if w_hr is not None:
                dhs[k] = gh
                gh = gh @ w_hr
            dcc = gh * to_dc[k]
            dcc += dc if live is None else dc * live
            step = da4[k]
            step[:, :3] *= dcc[:, None, :]
            step[:, 3] *= gh
            new_dh = da[k] @ w_hh
            new_dc = dcc * a4[k, :, 1]
            if live is None:
                dh, dc = new_dh, new_dc
            else:
                dead = ~live
                dh, dc = new_dh + dh * dead, new_dc + dc * dead
        need = self.needs_input_grad
        flat = da.reshape(-1, gates)
        dw = flat.T @ self.hs[:-1].reshape(-1, out_size) if need[3] else None
        grads: tuple = (np.ascontiguousarray(self.ordered(da)), dh, dc, dw)
        if self.bias:
            grads += (flat.sum(0),)
        if w_hr is not None:
            grads += (dhs.reshape(-1, out_size).T @ self.units.reshape(-1, hidden),)
        return grads
