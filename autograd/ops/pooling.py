"""Pooling, as PyTorch's, channels first (N, C, *spatial) or unbatched (the adaptive
pools and `unfold`/`fold` are `autograd.ops.adaptive`'s, re-exported here).

First and second derivatives come with each:

- max pooling finds each window's first maximum with numpy (torch's rule for ties; a
  NaN wins, the last one of a window) and gathers there (`MaxPool`): the gradient
  goes to that position. Padding counts as -inf. The indices are torch's: flat
  positions in each input plane.
- average pooling is a convolution with a kernel of ones per channel, divided by each
  window's count (of the padded window, or of the input elements only, or a fixed
  `divisor_override`).
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.conv import ConvNd, Ints, Pairs, out_size, pad_array, windows
from autograd.ops.conv_forms import batched, ntuple, unbatched
from autograd.ops.indexing import scatter_add
from autograd.ops.shape import reshape
from autograd.tensor import Tensor


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _pooled_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's output size: floor (or ceil) of (size + 2p - d(k - 1) - 1) / s, plus 1; in
    ceil mode the last window must start inside the input or its left padding."""
    span = size + 2 * p - d * (k - 1) - 1
    n = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (n - 1) * s >= size + p:
        n -= 1
    return n


def _pool_geometry(
    name: str,
    x: Tensor,
    d: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple[Ints, Ints, Ints, Ints, Ints, Pairs]:
    """kernel, stride (default: the kernel), padding, dilation, output size and the
    (before, after) padding that makes every window whole; torch's checks."""
    kernel = ntuple("kernel_size", kernel_size, d)
    st = (
        kernel
        if stride is None or (not isinstance(stride, int) and len(stride) == 0)
        else ntuple("stride", stride, d)
    )
    pads, dil = ntuple("padding", padding, d), ntuple("dilation", dilation, d)
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in st) or any(v <= 0 for v in dil):
        raise RuntimeError(f"{name}: kernel_size, stride and dilation must be greater than zero")
    for p, k, v in zip(pads, kernel, dil, strict=True):
        if p < 0 or p > (v * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={v}"
            )
    sizes = x.shape[2:]
    out = tuple(
        _pooled_size(n, k, s, p, v, ceil_mode)
        for n, k, s, p, v in zip(sizes, kernel, st, pads, dil, strict=True)
    )
    if any(o <= 0 for o in out):
        size = "x".join(map(str, x.shape[1:]))
        raise RuntimeError(
            f"Given input size: ({size}). Calculated output size: "
            f"({'x'.join(map(str, (x.shape[1], *out)))}). Output size is too small"
        )
    # the padding after: whatever the last window reaches past the input
    pairs = tuple(
        (p, max((o - 1) * s + v * (k - 1) + 1 - n - p, 0))
        for n, k, s, p, v, o in zip(sizes, kernel, st, pads, dil, out, strict=True)
    )
    return kernel, st, pads, dil, out, pairs


def _first_max(cols: np.ndarray, kernel: Ints, nan: bool) -> tuple[np.ndarray, np.ndarray]:
    """For windows cols (N, C, *out, *kernel) (a view): the flat kernel position of each
    window's first maximum, or its last NaN (torch's rules; `nan`: whether there may be
    one), and the maxima themselves. One pass per kernel offset over every window at
    once, no copy of the windows.

    Without NaNs the offsets are read from the last to the first, and an offset whose
    value is at least the best so far takes its place: the first of equal maxima is
    the last to take it. The positions are updated by arithmetic
    (where -= (where - p) * takes), which numpy runs many times faster than a masked
    write (`np.copyto(..., where=)`, boolean indexing)."""
    d = len(kernel)
    lead: tuple[Any, ...] = (slice(None),) * (cols.ndim - d)
    views = [cols[(*lead, *k)] for k in product(*(range(k) for k in kernel))]
    if nan:  # torch's rule: a NaN beats everything, a later NaN too
        best = views[0].copy()
        where = np.zeros(best.shape, dtype=np.int64)
        for position, v in enumerate(views[1:], start=1):
            better = (v > best) | np.isnan(v)
            np.copyto(best, v, where=better)
            where[better] = position
        return where, best
    kind = np.min_scalar_type(len(views) - 1)
    best = views[-1].copy()
    where = np.full(best.shape, len(views) - 1, dtype=kind)
    for position in range(len(views) - 2, -1, -1):
        v = views[position]
        takes = (v >= best).view(np.uint8)
        np.maximum(best, v, out=best)
        step = where - kind.type(position)
        step *= takes
        where -= step
    return where, best


def _max_indices(
    x: np.ndarray, kernel: Ints, stride: Ints, dilation: Ints, out: Ints, pairs: Pairs
) -> tuple[np.ndarray, np.ndarray]:
    """torch's indices of max pooling: for each window, the flat position in its input
    plane of the window's first maximum (N, C, *out); and the maxima."""
    d = len(kernel)
    value = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    cols = windows(pad_array(x, pairs, value), kernel, stride, dilation, out)
    # flat position = the window's start + the kernel offset's, each read from a table
    steps = [int(np.prod(x.shape[3 + i :])) for i in range(d)]  # the plane's row-major strides
    start = np.zeros((), np.int64)
    for i in range(d):
        shape = [1] * d
        shape[i] = out[i]
        start = start + ((np.arange(out[i]) * stride[i] - pairs[i][0]) * steps[i]).reshape(shape)
    offset = np.zeros((), np.int64)
    for i in range(d):
        shape = [1] * d
        shape[i] = kernel[i]
        offset = offset + (np.arange(kernel[i]) * dilation[i] * steps[i]).reshape(shape)
    nan = x.dtype.kind == "f" and bool(np.isnan(x).any())
    where, best = _first_max(cols, kernel, nan)
    return start + offset.reshape(-1)[where], best


class MaxPool(Function):
    """z[n, c, o] = x[n, c, idx[n, c, o]] (flat positions in each plane)
    dx = dz added back at idx (each window's maximum takes its gradient)

    The op of max pooling: `gather` of the planes would do, but its gradient adds with
    `np.add.at`; here it is one `np.bincount`, or one write when the windows do not
    overlap (`distinct`: no position is the maximum of two windows)."""

    saves_inputs = False  # backward reads the input's shape only

    def forward(self, x, *, idx, distinct, values=None):
        """`values`, if given, are x's elements at idx, found with them (`_max_indices`)."""
        self.idx, self.distinct = idx, distinct
        if values is not None:
            return values
        n, c = x.shape[:2]
        planes = x.reshape(n, c, int(np.prod(x.shape[2:])))
        picked = np.take_along_axis(planes, idx.reshape(n, c, int(np.prod(idx.shape[2:]))), 2)
        return picked.reshape(idx.shape)

    def backward(self, dz, x):
        n, c = x.shape[:2]
        size, count = int(np.prod(x.shape[2:])), int(np.prod(self.idx.shape[2:]))
        idx = self.idx.reshape(n, c, count)
        if self.tensor_mode:  # a differentiable scatter: the gradient is a graph too
            zeros = Tensor(np.zeros((n, c, size), x.dtype))
            return scatter_add(zeros, 2, Tensor(idx), dz.reshape(n, c, count)).reshape(x.shape)
        flat = (idx + (np.arange(n * c) * size).reshape(n, c, 1)).reshape(-1)
        if self.distinct:
            dx = np.zeros(n * c * size, dz.dtype)
            dx[flat] = dz.reshape(-1)
        else:
            dx = np.bincount(flat, dz.reshape(-1), n * c * size).astype(dz.dtype, copy=False)
        return dx.reshape(x.shape)


def _gather_planes(
    x: Tensor, idx: np.ndarray, distinct: bool = False, values: np.ndarray | None = None
) -> Tensor:
    """x (N, C, *spatial) read at flat plane positions idx (N, C, *out) (`values`: the
    elements there, when already known)."""
    return MaxPool.apply(x, idx=idx, distinct=distinct, values=values)


def _distinct(kernel: Ints, stride: Ints, dilation: Ints) -> bool:
    """Whether no two windows share a position (each window's span within its stride)."""
    return all(v * (k - 1) + 1 <= s for k, s, v in zip(kernel, stride, dilation, strict=True))


def _max_pool(
    d: int,
    input: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    name = f"max_pool{d}d"
    x, added = _pool_input(name, input, d)
    kernel, st, _, dil, out, pairs = _pool_geometry(
        name, x, d, kernel_size, stride, padding, dilation, ceil_mode
    )
    idx, values = _max_indices(x.data, kernel, st, dil, out, pairs)
    z = unbatched(_gather_planes(x, idx, _distinct(kernel, st, dil), values), added)
    if not return_indices:
        return z
    return z, Tensor(idx.reshape(z.shape))


def _pool_input(name: str, input: Any, d: int) -> tuple[Tensor, bool]:
    x = _tensor(input)
    if x.ndim not in (d + 1, d + 2) or 0 in x.shape[x.ndim - d - 1 :]:
        raise RuntimeError(
            f"{name}: expected a non-empty {d + 1}D (unbatched) or {d + 2}D (batched) input, "
            f"got input of size: [{', '.join(map(str, x.shape))}]"
        )
    return batched(name, x, d)


def max_pool1d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """1-d max pooling over (N, C, L) or (C, L); see `max_pool2d`."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """z[n, c, o] = max over the window at o * stride of x (padded with -inf); the
    gradient goes to the window's first maximum (torch's rule).

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size: window size; stride defaults to it.
        padding: at most half the (dilated) window, on both sides.
        ceil_mode: round the output size up (a last, partial window).
        return_indices: also return each maximum's flat position in its (H, W) plane.

    Raises:
        RuntimeError: torch's messages for too much padding or a too small input.
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """3-d max pooling over (N, C, D, H, W) or unbatched; see `max_pool2d`."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _counts(n: int, k: int, s: int, p: int, o: int, include_pad: bool) -> np.ndarray:
    """Per output position along one dim: the elements its window covers (torch's:
    inside the padded input, or inside the input only)."""
    starts = np.arange(o) * s - p
    ends = np.minimum(starts + k, n + p)
    if include_pad:
        return ends - starts
    return np.minimum(ends, n) - np.maximum(starts, 0)


def _avg_pool(
    d: int,
    input: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any,
) -> Any:
    name = f"avg_pool{d}d"
    x, added = _pool_input(name, input, d)
    kernel, st, pads, dil, out, pairs = _pool_geometry(
        name, x, d, kernel_size, stride, padding, 1, ceil_mode
    )
    n, c = x.shape[:2]
    ones = np.ones((1, 1, *kernel), dtype=x.dtype)
    planes = reshape(x, (n * c, 1, *x.shape[2:]))
    sums = ConvNd.apply(planes, Tensor(ones), stride=st, padding=pairs, dilation=dil, groups=1)
    if divisor_override:
        divisor: Any = float(divisor_override)
    else:
        divisor = np.ones((), dtype=np.int64)
        for i in range(d):
            shape = [1] * d
            shape[i] = out[i]
            counts = _counts(x.shape[2 + i], kernel[i], st[i], pads[i], out[i], count_include_pad)
            divisor = divisor * counts.reshape(shape)
        divisor = divisor.astype(x.dtype)
    return unbatched(reshape(sums / divisor, (n, c, *out)), added)


def avg_pool1d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Any:
    """1-d average pooling over (N, C, L) or (C, L); see `avg_pool2d`."""
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Any:
    """z[n, c, o] = sum of the window at o * stride of x (zero padded) / divisor, the
    divisor being the window's size within the padded input (`count_include_pad`), its
    number of input elements, or `divisor_override`, as torch."""
    return _avg_pool(
        2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool3d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Any:
    """3-d average pooling; see `avg_pool2d`."""
    return _avg_pool(
        3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def max_pool1d_with_indices(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple[Tensor, Tensor]:
    """`max_pool1d` with its indices, as `torch.max_pool1d_with_indices`."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool_padded(x: Tensor, kernel: Ints, stride: Ints, pairs: Pairs) -> Tensor:
    """Max pooling of a batched (N, C, *spatial) x padded by (before, after) pairs of
    -inf (Keras's "same" pads the extra one after), for `nn`'s Keras layers."""
    dilation = (1,) * len(kernel)
    out = tuple(
        out_size(n, k, s, p, 1)
        for n, k, s, p in zip(x.shape[2:], kernel, stride, pairs, strict=True)
    )
    idx, values = _max_indices(x.data, kernel, stride, dilation, out, pairs)
    return _gather_planes(x, idx, _distinct(kernel, stride, dilation), values)


def avg_pool_padded(x: Tensor, kernel: Ints, stride: Ints, pairs: Pairs) -> Tensor:
    """Average pooling of a batched (N, C, *spatial) x padded by (before, after) pairs,
    each window's sum divided by its number of input elements (Keras's "same")."""
    d, (n, c) = len(kernel), x.shape[:2]
    ones = Tensor(np.ones((1, 1, *kernel), dtype=x.dtype))
    planes = reshape(x, (n * c, 1, *x.shape[2:]))
    sums = ConvNd.apply(planes, ones, stride=stride, padding=pairs, dilation=(1,) * d, groups=1)
    out = sums.shape[2:]
    divisor = np.ones((), dtype=np.int64)
    for i in range(d):
        starts = np.arange(out[i]) * stride[i] - pairs[i][0]
        counts = np.minimum(starts + kernel[i], x.shape[2 + i]) - np.maximum(starts, 0)
        shape = [1] * d
        shape[i] = out[i]
        divisor = divisor * counts.reshape(shape)
    return reshape(sums / divisor.astype(x.dtype), (n, c, *out))


# the adaptive pools and im2col live next door, composed of the same pieces
from autograd.ops.adaptive import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    fold,
    unfold,
)

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d", "avg_pool_padded", "fold", "max_pool1d",
    "max_pool1d_with_indices", "max_pool2d", "max_pool3d", "max_pool_padded", "unfold",
]  # fmt: skip
