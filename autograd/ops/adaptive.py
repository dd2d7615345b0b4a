"""Adaptive pooling and im2col, as PyTorch's, channels first (N, C, *spatial) or
unbatched.

- adaptive pooling of a size L to `out` uses windows [floor(i L / out), ceil((i+1) L / out)):
  the average is separable, one matrix product per spatial dim; the max gathers at
  each window's first maximum (or its last NaN, torch's rule), as max pooling does.
- `unfold` (im2col) and `fold` (col2im) are a grouped convolution and its transpose
  with a kernel that picks one offset per output channel.
"""

from __future__ import annotations

from itertools import product
from math import ceil
from typing import Any

import numpy as np

from autograd.ops.conv import ConvNd, ConvTransposeNd, Ints, Pairs, out_size
from autograd.ops.conv_forms import batched, ntuple, unbatched
from autograd.ops.pooling import _gather_planes, _tensor
from autograd.ops.shape import reshape
from autograd.tensor import Tensor


def _bins(size: int, out: int) -> list[tuple[int, int]]:
    """torch's adaptive windows: [floor(i * size / out), ceil((i + 1) * size / out))."""
    return [((i * size) // out, ceil((i + 1) * size / out)) for i in range(out)]


def _adaptive_input(name: str, input: Any, d: int, output_size: Any) -> tuple[Tensor, bool, Ints]:
    x = _tensor(input)
    if x.ndim not in (d + 1, d + 2) or 0 in x.shape[x.ndim - d :]:
        raise RuntimeError(
            f"{name}(): Expected {d + 1}D or {d + 2}D tensor, "
            f"but got [{', '.join(map(str, x.shape))}]"
        )
    x, added = batched(name, x, d)
    sizes = (output_size,) * d if isinstance(output_size, (int, type(None))) else tuple(output_size)
    if len(sizes) != d:
        raise RuntimeError(f"{name}: output_size must be {d} ints, got {output_size!r}")
    out = tuple(x.shape[2 + i] if s is None else int(s) for i, s in enumerate(sizes))
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"{name}: elements of output_size must be greater than or equal to 1, got {out}"
        )
    return x, added, out


def _adaptive_avg(d: int, input: Any, output_size: Any) -> Any:
    name = f"adaptive_avg_pool{d}d"
    x, added, out = _adaptive_input(name, input, d, output_size)
    z = x
    for i in range(d):  # one averaging matrix (out, size) per spatial dim
        size = x.shape[2 + i]
        a = np.zeros((out[i], size), dtype=x.dtype)
        for j, (s, e) in enumerate(_bins(size, out[i])):
            a[j, s:e] = 1.0 / (e - s)
        axis = 2 + i
        z = (z.transpose(axis, -1) @ Tensor(a.T)).transpose(axis, -1)
    return unbatched(z, added)


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Any:
    """1-d adaptive average pooling to `output_size`; see `adaptive_avg_pool2d`."""
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:
    """Average over windows [floor(i H / out), ceil((i + 1) H / out)) per dim, so the
    output has `output_size` (an int, a pair, None keeps a dim), as torch."""
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Any:
    """3-d adaptive average pooling; see `adaptive_avg_pool2d`."""
    return _adaptive_avg(3, input, output_size)


def _first_max_or_last_nan(rows: np.ndarray) -> np.ndarray:
    """Per row (last axis), torch's pick: the first maximum, or the last NaN if any."""
    best = rows.argmax(axis=-1)
    if rows.dtype.kind == "f":
        nans = np.isnan(rows)
        last = rows.shape[-1] - 1 - nans[..., ::-1].argmax(axis=-1)
        best = np.where(nans.any(axis=-1), last, best)
    return best


def _adaptive_max(d: int, input: Any, output_size: Any, return_indices: bool) -> Any:
    name = f"adaptive_max_pool{d}d"
    x, added, out = _adaptive_input(name, input, d, output_size)
    data, spatial = x.data, x.shape[2:]
    idx = np.empty((*x.shape[:2], *out), dtype=np.int64)
    bins = [_bins(spatial[i], out[i]) for i in range(d)]
    for o in product(*(range(n) for n in out)):  # one window per output position
        box: tuple[slice, ...] = tuple(slice(*bins[i][o[i]]) for i in range(d))
        window = data[(slice(None), slice(None), *box)]
        best = _first_max_or_last_nan(window.reshape(*x.shape[:2], int(np.prod(window.shape[2:]))))
        local = np.unravel_index(best, window.shape[2:])
        coords = tuple(local[i] + box[i].start for i in range(d))
        at: tuple[Any, ...] = (slice(None), slice(None), *o)
        idx[at] = np.ravel_multi_index(coords, spatial)
    z = unbatched(_gather_planes(x, idx), added)
    if not return_indices:
        return z
    return z, Tensor(idx.reshape(z.shape))


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """1-d adaptive max pooling; see `adaptive_max_pool2d`."""
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """Max over torch's adaptive windows (see `adaptive_avg_pool2d`); the gradient goes
    to each window's first maximum."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """3-d adaptive max pooling; see `adaptive_max_pool2d`."""
    return _adaptive_max(3, input, output_size, return_indices)


def _picker(channels: int, kernel: Ints, dtype: np.dtype) -> np.ndarray:
    """The weight (C * K, 1, *kernel) whose output channel c * K + k reads offset k of
    channel c (K = the kernel's size)."""
    size = int(np.prod(kernel))
    eye = np.eye(size, dtype=dtype).reshape(size, 1, *kernel)
    return np.tile(eye, (channels, 1, *(1,) * len(kernel)))


def _im2col_geometry(
    name: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> tuple[Ints, Ints, Pairs, Ints]:
    kernel, dil = ntuple("kernel_size", kernel_size, 2), ntuple("dilation", dilation, 2)
    pads, st = ntuple("padding", padding, 2), ntuple("stride", stride, 2)
    if min(kernel) <= 0 or min(dil) <= 0 or min(st) <= 0 or min(pads) < 0:
        raise RuntimeError(
            f"{name}: kernel_size, dilation and stride must be positive, padding not negative"
        )
    return kernel, dil, tuple((p, p) for p in pads), st


def unfold(
    input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """im2col, as `torch.nn.functional.unfold`: (N, C, H, W) -> (N, C * kH * kW, L), a
    column per window (L windows), channel-major; unbatched (C, H, W) -> (C * kH * kW, L).

    Raises:
        RuntimeError: a input other than 3-d or 4-d, or smaller than the window.
    """
    kernel, dil, pairs, st = _im2col_geometry("unfold", kernel_size, dilation, padding, stride)
    x = _tensor(input)
    if x.ndim not in (3, 4):
        raise RuntimeError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {x.ndim}D)"
        )
    x, added = batched("unfold", x, 2)
    out = tuple(
        out_size(n, k, s, p, v)
        for n, k, s, p, v in zip(x.shape[2:], kernel, st, pairs, dil, strict=True)
    )
    if min(out) <= 0:
        raise RuntimeError(
            f"unfold: the input {tuple(x.shape[2:])} is smaller than the (padded, dilated) kernel"
        )
    w = Tensor(_picker(x.shape[1], kernel, x.dtype))
    cols = ConvNd.apply(x, w, stride=st, padding=pairs, dilation=dil, groups=x.shape[1])
    windows_count = int(np.prod(cols.shape[2:]))
    return unbatched(reshape(cols, (x.shape[0], cols.shape[1], windows_count)), added)


def fold(
    input: Any,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """col2im, as `torch.nn.functional.fold`: (N, C * kH * kW, L) -> (N, C, *output_size),
    summing the columns' overlapping entries; the adjoint of `unfold`.

    Raises:
        RuntimeError: a channel count not divisible by the kernel size, or an L that is
            not the number of windows of `output_size`.
    """
    kernel, dil, pairs, st = _im2col_geometry("fold", kernel_size, dilation, padding, stride)
    size = ntuple("output_size", output_size, 2)
    x = _tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(
            "Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
            f"(got {x.ndim}D)"
        )
    x, added = batched("fold", x, 1)
    k = int(np.prod(kernel))
    if x.shape[1] % k:
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={x.shape[1]} and kernel_size={kernel}"
        )
    out = tuple(
        out_size(n, kk, s, p, v)
        for n, kk, s, p, v in zip(size, kernel, st, pairs, dil, strict=True)
    )
    if int(np.prod(out)) != x.shape[2]:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={kernel}, dilation={dil}, padding="
            f"{tuple(p for p, _ in pairs)}, stride={st}, expected size of input's dimension 2 to "
            f"match the calculated number of sliding blocks {out[0]} * {out[1]} = "
            f"{out[0] * out[1]}, "
            f"but got input.size(2)={x.shape[2]}."
        )
    channels = x.shape[1] // k
    w = Tensor(_picker(channels, kernel, x.dtype))
    cols = reshape(x, (x.shape[0], x.shape[1], *out))
    y = ConvTransposeNd.apply(
        cols, w, size=size, stride=st, padding=pairs, dilation=dil, groups=channels
    )
    return unbatched(y, added)


def adaptive_max_pool1d_with_indices(input: Any, output_size: Any) -> tuple[Tensor, Tensor]:
    """`adaptive_max_pool1d` with its indices: torch's top-level `torch.adaptive_max_pool1d`
    returns both."""
    return _adaptive_max(1, input, output_size, True)
