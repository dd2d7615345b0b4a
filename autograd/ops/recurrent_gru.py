"""The GRU over a whole sequence as one op (see `autograd.ops.recurrent` for what the
recurrent ops share): gates r, z, n as torch's,

    r, z = sigmoid(xw_r + hw_r), sigmoid(xw_z + hw_z),   hw = h W_hh^T + b_hh
    n = tanh(xw_n + r * hw_n),   h' = (1 - z) * n + z * h
"""

from __future__ import annotations

import numpy as np

from autograd.ops.recurrent import _Recurrent


class GRUSequence(_Recurrent):
    """r, z, n and h_k = n + z * (h_{k-1} - n); backward, with gh = dy_t + dh_k:
    da_z = gh * (h_{k-1} - n) * z (1 - z),  da_n = gh * (1 - z) (1 - n^2),
    da_r = da_n * hw_n * r (1 - r),  dhw = (da_r, da_z, da_n * r),
    dh_{k-1} = dhw W_hh + gh * z,  dW_hh = sum_k dhw^T h_{k-1},  dxw = (da_r, da_z, da_n)"""

    mode = "GRU"

    def forward(self, xw, h0, w_hh, *b, reverse=False, lengths=None):
        self.setup(xw, reverse, lengths)
        length, batch, gates = xw.shape
        hidden = gates // 3
        dtype = xw.dtype
        acts = np.empty((length, batch, gates), dtype)  # r, z, n
        hw_n = np.empty((length, batch, hidden), dtype)
        hs = np.empty((length + 1, batch, hidden), dtype)
        news = np.empty((length, batch, hidden), dtype)
        hs[0] = h0
        w_t = w_hh.T
        hw = np.empty((batch, gates), dtype)
        for k, t in enumerate(self.times):
            np.matmul(hs[k], w_t, out=hw)
            if b:
                hw += b[0]
            a = acts[k]
            np.add(xw[t], hw, out=a)
            rz = a[:, : 2 * hidden]
            rz *= 0.5
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5  # sigmoid(x) = 0.5 tanh(x / 2) + 0.5
            hw_n[k] = hw[:, 2 * hidden :]
            n = a[:, 2 * hidden :]
            np.multiply(a[:, :hidden], hw_n[k], out=n)
            n += xw[t][:, 2 * hidden :]
            np.tanh(n, out=n)
            new = np.subtract(hs[k], n, out=news[k])
            new *= a[:, hidden : 2 * hidden]
            new += n
            if self.live is None:
                hs[k + 1] = new
            else:
                np.copyto(hs[k + 1], np.where(self.live[k], new, hs[k]))
        self.acts, self.hw_n, self.hs = acts, hw_n, hs
        return self.pack(news, hs[-1])

    def backward(self, dz, xw, h0, w_hh, *b):
        if self.tensor_mode:
            return self.composed_backward(dz, self.inputs, {})
        length, batch, gates = xw.shape
        hidden = gates // 3
        n_out = length * batch * hidden
        dy = self.ordered(dz[:n_out].reshape(length, batch, hidden))
        dh = dz[n_out:].reshape(batch, hidden).copy()
        acts = self.acts
        r, z, n = acts[..., :hidden], acts[..., hidden : 2 * hidden], acts[..., 2 * hidden :]
        # the factors of every step at once, in place (few large arrays)
        q = np.empty_like(acts)
        q_r, q_z, q_n = q[..., :hidden], q[..., hidden : 2 * hidden], q[..., 2 * hidden :]
        one_minus = np.subtract(1, z)
        np.multiply(n, n, out=q_n)
        np.subtract(1, q_n, out=q_n)
        q_n *= one_minus  # (1 - z) (1 - n^2)
        np.subtract(self.hs[:-1], n, out=q_z)
        q_z *= z
        q_z *= one_minus  # (h_{k-1} - n) z (1 - z)
        np.subtract(1, r, out=q_r)
        q_r *= r
        q_r *= self.hw_n  # hw_n r (1 - r)
        dx = np.empty((length, batch, gates), xw.dtype)
        dhw = np.empty_like(dx)
        for k in range(length - 1, -1, -1):
            gh = dy[k] + dh
            live = None if self.live is None else self.live[k]
            if live is not None:
                gh *= live
            dxk, dhk = dx[k], dhw[k]
            da_n = np.multiply(gh, q_n[k], out=dxk[:, 2 * hidden :])
            np.multiply(gh, q_z[k], out=dxk[:, hidden : 2 * hidden])
            np.multiply(da_n, q_r[k], out=dxk[:, :hidden])
            dhk[:, : 2 * hidden] = dxk[:, : 2 * hidden]
            np.multiply(da_n, r[k], out=dhk[:, 2 * hidden :])
            new_dh = dhk @ w_hh
            new_dh += gh * z[k]
            dh = new_dh if live is None else new_dh + dh * ~live
        need = self.needs_input_grad
        flat = dhw.reshape(-1, gates)
        dw = flat.T @ self.hs[:-1].reshape(-1, hidden) if need[2] else None
        grads = (np.ascontiguousarray(self.ordered(dx)), dh, dw)
        return (*grads, flat.sum(0)) if b else grads
