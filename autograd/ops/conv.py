"""Convolution, as PyTorch's: channels first, x (N, C_in, *spatial), weight
(C_out, C_in / groups, *kernel), any number of spatial dims (1, 2 or 3).

Three ops close the family under differentiation, so second derivatives are the
same ops again (each backward calls the others, on Tensors under `create_graph`):

- `ConvNd`: z = conv(x, w) + b. For each output position o and output channel co,
  z[n, co, o] = sum over ci of its group and kernel offsets k of
  w[co, ci, k] * xpad[n, ci, o * stride + k * dilation].
- `ConvTransposeNd`: y = conv^T(g, w), the adjoint of x -> conv(x, w): each z-shaped
  g[n, co, o] spreads g * w[co, ci, k] back onto xpad[n, ci, o * stride + k * dilation]
  (col2im). It is dx of a convolution and the forward of `conv_transpose2d`.
- `ConvWeight`: dw = corr(x, g), dw[co, ci, k] = sum over n and o of
  g[n, co, o] * xpad[n, ci, o * stride + k * dilation]. It is dw of a convolution.

Forward is im2col on a view: `sliding_window_view` shows every window of the padded
input as an array (N, C, *out, *kernel) without copying, and one `tensordot` per group
multiplies it by the weight (BLAS does the work). Padding is given as (before, after)
pairs per spatial dim, so Keras's asymmetric "same" padding is the same op.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from autograd.function import Function

Pairs = tuple[tuple[int, int], ...]
Ints = tuple[int, ...]


def out_size(size: int, kernel: int, stride: int, pad: tuple[int, int], dilation: int) -> int:
    """floor((size + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1"""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def pad_array(x: np.ndarray, padding: Pairs, value: float = 0.0) -> np.ndarray:
    """x padded on its trailing len(padding) dims (the array itself when no padding)."""
    if not any(lo or hi for lo, hi in padding):
        return x
    lead = ((0, 0),) * (x.ndim - len(padding))
    return np.pad(x, lead + tuple(padding), constant_values=value)


def windows(xp: np.ndarray, kernel: Ints, stride: Ints, dilation: Ints, out: Ints) -> np.ndarray:
    """A view (N, C, *out, *kernel) of every window of the padded input xp (N, C, *S):
    windows[n, c, o, k] = xp[n, c, o * stride + k * dilation]. No copy."""
    d = len(kernel)
    span = tuple(di * (k - 1) + 1 for k, di in zip(kernel, dilation, strict=True))
    v = sliding_window_view(xp, span, axis=tuple(range(2, 2 + d)))
    at_outputs = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out, stride, strict=True))
    in_window = tuple(slice(None, None, di) for di in dilation)
    return v[(slice(None), slice(None), *at_outputs, *in_window)]


def _matrix(w: np.ndarray) -> np.ndarray:
    """A weight (C_out, C_in, *kernel) as the matrix (C_out, C_in * K)."""
    return w.reshape(w.shape[0], int(np.prod(w.shape[1:])))


def one_output_per_group(c_out: int, groups: int) -> bool:
    """Whether each group makes a single output channel: depthwise convolutions, average
    pooling's kernel of ones, any convolution with one output channel.

    Then each group's products are weighted sums over a few rows, done for all groups
    and samples at once by one broadcast product (the spread of `conv_t_array`: 64
    samples x 16 channels, 2 x 2 windows, 0.26 ms against 1.4 ms for a BLAS product per
    sample) or, where there are several groups, one `einsum` (forward and weight
    gradient: 0.16 ms against 0.35 ms for a product per group). With one group the
    forward and weight products stay one batched BLAS call each, which is faster."""
    return c_out == groups


def _groups(n: int, groups: int) -> list[slice]:
    size = n // groups
    return [slice(g * size, (g + 1) * size) for g in range(groups)]


def im2col(
    x: np.ndarray, kernel: Ints, stride: Ints, padding: Pairs, dilation: Ints, out: Ints
) -> np.ndarray:
    """The columns (N, C, K, O) of x (N, C, *spatial): cols[n, c, k, o] =
    xpad[n, c, o * stride + k * dilation], K and O the kernel's and the output's
    positions, row-major. The one copy of the windows each product reads."""
    d = len(kernel)
    view = windows(pad_array(x, padding), kernel, stride, dilation, out)  # (N, C, *O, *K)
    by_kernel = view.transpose(0, 1, *range(2 + d, 2 + 2 * d), *range(2, 2 + d))
    return by_kernel.reshape(x.shape[0], x.shape[1], int(np.prod(kernel)), int(np.prod(out)))


def conv_array(
    x: np.ndarray, w: np.ndarray, stride: Ints, padding: Pairs, dilation: Ints, groups: int
) -> np.ndarray:
    """z = conv(x, w) on ndarrays (see the module docstring): (N, C_out, *out)."""
    return conv_cols(x, w, stride, padding, dilation, groups)[0]


def conv_cols(
    x: np.ndarray, w: np.ndarray, stride: Ints, padding: Pairs, dilation: Ints, groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """z = conv(x, w) and the columns it read: per group one product
    W (C_out / groups, C_in / groups * K) @ cols (N, C_in / groups * K, O)."""
    n, kernel = x.shape[0], w.shape[2:]
    out = tuple(
        out_size(s, k, st, p, di)
        for s, k, st, p, di in zip(x.shape[2:], kernel, stride, padding, dilation, strict=True)
    )
    cols = im2col(x, kernel, stride, padding, dilation, out)
    if groups > 1 and one_output_per_group(w.shape[0], groups):
        # z[n, g, o] = sum over q of w[g, q] cols[n, g, q, o]
        flat = cols.reshape(n, groups, -1, cols.shape[3])
        z = np.einsum("gq,ngqo->ngo", w.reshape(groups, -1), flat)
        return z.reshape(n, w.shape[0], *out), cols
    parts = [
        _matrix(w[co]) @ cols[:, ci].reshape(n, (ci.stop - ci.start) * cols.shape[2], cols.shape[3])
        for ci, co in zip(_groups(x.shape[1], groups), _groups(w.shape[0], groups), strict=True)
    ]
    z = parts[0] if groups == 1 else np.concatenate(parts, axis=1)
    return z.reshape(n, w.shape[0], *out), cols


def conv_t_array(
    g: np.ndarray,
    w: np.ndarray,
    stride: Ints,
    padding: Pairs,
    dilation: Ints,
    groups: int,
    size: Ints,
) -> np.ndarray:
    """y = conv^T(g, w) on ndarrays: (N, C_in, *size). Per group the columns
    W.T (C_in / groups * K, C_out / groups) @ g (N, C_out / groups, O), then col2im: one
    strided add per kernel offset into the padded input's shape, the padding cut off."""
    n, kernel, out = g.shape[0], w.shape[2:], g.shape[2:]
    positions = int(np.prod(out))
    if one_output_per_group(w.shape[0], groups):  # cols[n, g, q, o] = w[g, q] g[n, g, o]
        cols = w.reshape(1, groups, -1, 1) * g.reshape(n, groups, 1, positions)
    else:
        parts = [
            _matrix(w[co]).T @ g[:, co].reshape(n, w[co].shape[0], positions)
            for co in _groups(w.shape[0], groups)
        ]
        cols = parts[0] if groups == 1 else np.concatenate(parts, axis=1)
    cols = cols.reshape(n, w.shape[1] * groups, *kernel, *out)  # (N, C_in, *K, *O)
    padded_shape = [s + lo + hi for s, (lo, hi) in zip(size, padding, strict=True)]
    y = np.zeros((n, cols.shape[1], *padded_shape), dtype=cols.dtype)
    for k in product(*(range(m) for m in kernel)):
        at = tuple(
            slice(ki * di, ki * di + (o - 1) * s + 1, s)
            for ki, di, o, s in zip(k, dilation, out, stride, strict=True)
        )
        at_k: tuple[Any, ...] = (slice(None), slice(None), *k)
        y[(slice(None), slice(None), *at)] += cols[at_k]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(size, padding, strict=True))
    return y[(slice(None), slice(None), *crop)]


def conv_w_array(
    x: np.ndarray,
    g: np.ndarray,
    stride: Ints,
    padding: Pairs,
    dilation: Ints,
    groups: int,
    kernel: Ints,
) -> np.ndarray:
    """dw = corr(x, g) on ndarrays: (C_out, C_in / groups, *kernel)."""
    return weight_from_cols(
        im2col(x, kernel, stride, padding, dilation, g.shape[2:]), g, groups, kernel
    )


def weight_from_cols(cols: np.ndarray, g: np.ndarray, groups: int, kernel: Ints) -> np.ndarray:
    """dw from the columns (N, C_in, K, O) of x: per group and sample
    g (C_out / groups, O) @ cols.T (O, C_in / groups * K) (BLAS reads the transpose as
    it is), summed over the samples."""
    n, o = cols.shape[0], cols.shape[3]
    if groups > 1 and one_output_per_group(g.shape[1], groups):
        # dw[g, q] = sum over n and o of g[n, g, o] cols[n, g, q, o]
        flat = cols.reshape(n, groups, -1, o)
        dw = np.einsum("ngo,ngqo->gq", g.reshape(n, groups, o), flat)
        return dw.reshape(groups, -1, *kernel)
    parts = []
    for ci, co in zip(_groups(cols.shape[1], groups), _groups(g.shape[1], groups), strict=True):
        gg = g[:, co].reshape(n, co.stop - co.start, o)  # (N, C_out / groups, O)
        cc = cols[:, ci].reshape(
            n, (ci.stop - ci.start) * cols.shape[2], o
        )  # (N, C_in / groups * K, O)
        dw = (
            np.add.reduce(gg @ cc.transpose(0, 2, 1), axis=0)
            if n
            else np.zeros((gg.shape[1], cc.shape[1]), np.result_type(gg, cc))
        )
        parts.append(dw.reshape(dw.shape[0], -1, *kernel))
    return parts[0] if groups == 1 else np.concatenate(parts, axis=0)


class _Conv(Function):
    """Shared options: stride, padding (pairs), dilation and groups."""

    def keep(self, stride: Ints, padding: Pairs, dilation: Ints, groups: int) -> None:
        self.opts: dict[str, Any] = {
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "groups": groups,
        }

    def conv(self, x: Any, w: Any, out: Ints) -> Any:
        """conv(x, w) cut to the spatial size `out` (an output_padding larger than the
        stride leaves x a position that makes no output of its own)."""
        z = ConvNd.apply(x, w, **self.opts) if self.tensor_mode else conv_array(x, w, **self.opts)
        if tuple(z.shape[2:]) == tuple(out):
            return z
        return z[(slice(None), slice(None), *(slice(0, n) for n in out))]

    def conv_t(self, g: Any, w: Any, size: Ints) -> Any:
        if self.tensor_mode:
            return ConvTransposeNd.apply(g, w, size=size, **self.opts)
        return conv_t_array(g, w, size=size, **self.opts)

    def conv_w(self, x: Any, g: Any, kernel: Ints) -> Any:
        if self.tensor_mode:
            return ConvWeight.apply(x, g, kernel=kernel, **self.opts)
        return conv_w_array(x, g, kernel=kernel, **self.opts)

    def need(self, i: int) -> bool:
        return bool(self.inputs and self.inputs[i].requires_grad)


class ConvNd(_Conv):
    """z = conv(x, w) + b      dx = conv^T(dz, w)      dw = corr(x, dz)
    db = sum of dz over batch and positions"""

    def forward(self, x, w, *b, stride, padding, dilation, groups):
        self.keep(stride, padding, dilation, groups)
        z, self.cols = conv_cols(x, w, stride, padding, dilation, groups)  # cols: for dw
        if b:
            z += b[0].reshape(-1, *(1,) * (w.ndim - 2))
        return z

    def backward(self, dz, x, w, *b):
        dx = self.conv_t(dz, w, x.shape[2:]) if self.need(0) else None
        if not self.need(1):
            dw = None
        elif self.tensor_mode:
            dw = self.conv_w(x, dz, w.shape[2:])
        else:
            dw = weight_from_cols(self.cols, dz, self.opts["groups"], w.shape[2:])
        if not b:
            return dx, dw
        return dx, dw, dz.sum(axis=(0, *range(2, dz.ndim)))


class ConvTransposeNd(_Conv):
    """y = conv^T(g, w) (to spatial size `size`)      dg = conv(dy, w)      dw = corr(dy, g)"""

    def forward(self, g, w, *, size, stride, padding, dilation, groups):
        self.keep(stride, padding, dilation, groups)
        return conv_t_array(g, w, stride, padding, dilation, groups, size)

    def backward(self, dy, g, w):
        dg = self.conv(dy, w, g.shape[2:]) if self.need(0) else None
        dw = self.conv_w(dy, g, w.shape[2:]) if self.need(1) else None
        return dg, dw


class ConvWeight(_Conv):
    """v = corr(x, g) (a weight's shape)      dx = conv^T(g, dv)      dg = conv(x, dv)"""

    def forward(self, x, g, *, kernel, stride, padding, dilation, groups):
        self.keep(stride, padding, dilation, groups)
        return conv_w_array(x, g, stride, padding, dilation, groups, kernel)

    def backward(self, dv, x, g):
        dx = self.conv_t(g, dv, x.shape[2:]) if self.need(0) else None
        dg = self.conv(x, dv, g.shape[2:]) if self.need(1) else None
        return dx, dg
