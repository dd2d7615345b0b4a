"""Max unpooling and fractional max pooling, as PyTorch's, channels first (N, C, *spatial)
or unbatched (C, *spatial); and the `*_with_indices` forms of max pooling.

- max unpooling writes each input element at its flat position (`indices`) in a zero
  output plane (`MaxUnpool`); when two elements name one position the later one stays
  (torch's CPU loop). Its gradient reads the output's gradient at the indices, for every
  element (torch's rule, also for repeated indices).
- fractional max pooling (Graham, 2014) takes the maximum of windows of `kernel_size`
  that start at pseudo-random positions: along a dim of n inputs, o outputs and a
  window k, with u in [0, 1) drawn per sample, channel and dim (`_random_samples`),

      alpha = (n - k) / (o - 1),  start[i] = int((i + u) * alpha) - int(u * alpha),
      start[o - 1] = n - k

  computed in the input's dtype, as torch's kernel; the gradient goes to each window's
  first maximum (the last NaN, if any), through `MaxPool`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.adaptive import _adaptive_max, _first_max_or_last_nan
from autograd.ops.conv_forms import ntuple
from autograd.ops.pooling import _gather_planes, _max_pool
from autograd.ops.shape import reshape
from autograd.tensor import Tensor


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


class MaxUnpool(Function):
    """z[n, c, idx[n, c, i]] = x[n, c, i], zero elsewhere (planes of `size` elements)
    dx[n, c, i] = dz[n, c, idx[n, c, i]]

    The inverse of `MaxPool`'s gather: a write per element, the later of two elements
    with one index staying; the gradient is `MaxPool`'s gather of dz, so second
    derivatives come with it."""

    saves_inputs = False  # backward reads x's shape only

    def forward(self, x, *, idx, size):
        self.idx = idx
        n, c = x.shape[:2]
        count = int(np.prod(x.shape[2:]))
        z = np.zeros((n, c, size), x.dtype)
        np.put_along_axis(z, idx.reshape(n, c, count), x.reshape(n, c, count), axis=2)
        return z

    def backward(self, dz, x):
        n, c = x.shape[:2]
        count = int(np.prod(x.shape[2:]))
        idx = self.idx.reshape(x.shape)
        if self.tensor_mode:
            return _gather_planes(dz, idx)
        return np.take_along_axis(dz, idx.reshape(n, c, count), axis=2).reshape(x.shape)


def _unpool_output_size(
    x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], padding: tuple[int, ...], size: Any
) -> list[int]:
    """torch's `_unpool_output_size`: (in - 1) * stride + kernel - 2 * padding per dim,
    or `size` (d or d + 2 values, each within a stride of that default)."""
    d = len(kernel)
    default = [(x.shape[-d + i] - 1) * stride[i] + kernel[i] - 2 * padding[i] for i in range(d)]
    if size is None:
        out = default
    else:
        out = [int(v) for v in size]
        if len(out) == d + 2:
            out = out[2:]
        if len(out) != d:
            raise ValueError(
                f"output_size should be a sequence containing {d} or {d + 2} elements, but it "
                f"has a length of '{len(out)}'"
            )
        for i in range(d):
            low, high = default[i] - stride[i], default[i] + stride[i]
            if not low < out[i] < high:
                raise ValueError(
                    f'invalid output_size "{tuple(size)}" (dim {i} must be between {low} and '
                    f"{high})"
                )
    for i in range(d):
        if out[i] < 0:
            raise ValueError(
                "max_unpooling: output_size must contain non-negative spatial dimensions, but "
                f"got output_size[{i}]={out[i]}"
            )
    return out


def _max_unpool(
    d: int, input: Any, indices: Any, kernel_size: Any, stride: Any, padding: Any, output_size: Any
) -> Tensor:
    x, idx = _tensor(input), _tensor(indices)
    kernel = ntuple("kernel_size", kernel_size, d)
    st = kernel if stride is None else ntuple("stride", stride, d)
    pads = ntuple("padding", padding, d)
    out = _unpool_output_size(x, kernel, st, pads, output_size)
    # torch unpools 1-d signals as (L, 1) images: its checks and messages are 2-d's
    kernel_d = max(d, 2)
    if d == 1:
        x, idx, out = reshape(x, (*x.shape, 1)), reshape(idx, (*idx.shape, 1)), [*out, 1]
    name = f"max_unpooling{kernel_d}d"
    if idx.dtype != np.int64:
        raise RuntimeError(
            f"elements in indices should be type int64 but got: {_torch_dtype(idx.dtype)}"
        )
    if x.ndim not in (kernel_d + 1, kernel_d + 2):
        raise RuntimeError(
            f"Input to {name} should be a {kernel_d + 1}d or {kernel_d + 2}d Tensor, but got a "
            f"tensor with {x.ndim} dimensions."
        )
    if x.shape != idx.shape:
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({list(x.shape)}) but got indices tensor with shape: {list(idx.shape)}"
        )
    if d == 3 and any(s <= 0 for s in st):
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(st)}")
    for i in range(1, x.ndim):  # torch's: all but the first dim, batched or not
        if x.shape[i] == 0:
            raise RuntimeError(
                f"{name}_forward_out_cpu(): Expected input to have non-zero size for non-batch "
                f"dimensions, but got {list(x.shape)} with dimension {i} being empty."
            )
    if x.dtype.kind != "f":
        # torch's words; its NotImplementedError is a RuntimeError, the type raised here
        raise RuntimeError(f'"max_unpool{kernel_d}d" not implemented for {x.dtype}')
    added = x.ndim == kernel_d + 1
    if added:
        x, idx = reshape(x, (1, *x.shape)), reshape(idx, (1, *idx.shape))
    size = int(np.prod(out))
    bad = (idx.data < 0) | (idx.data >= size)  # torch reports the last one it meets
    if bad.any():
        raise RuntimeError(
            f"Found an invalid max index: {int(idx.data[bad].flat[-1])} (output volumes are "
            f"of size {'x'.join(map(str, out))})"
        )
    z = reshape(MaxUnpool.apply(x, idx=idx.data, size=size), (*x.shape[:2], *out))
    if added:
        z = reshape(z, z.shape[1:])
    return reshape(z, z.shape[:-1]) if d == 1 else z


def _torch_dtype(dtype: np.dtype) -> str:
    names = {"int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    names.update(float16="Half", float32="Float", float64="Double")
    return names.get(np.dtype(dtype).name, str(dtype))


def max_unpool1d(
    input: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """1-d max unpooling of (N, C, L) or (C, L); see `max_unpool2d`."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(
    input: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """A partial inverse of `max_pool2d`: each input element written at its flat
    position `indices` (as `max_pool2d(..., return_indices=True)` gives them) in an
    output plane of zeros, as `F.max_unpool2d`.

    The output size is (in - 1) * stride - 2 * padding + kernel_size per dim, or
    `output_size` ((H, W) or (N, C, H, W)), which must lie strictly within a stride of it.

    Raises:
        ValueError: a bad `output_size`, torch's messages.
        RuntimeError: indices not int64, not of the input's shape, or outside the plane.
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(
    input: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """3-d max unpooling of (N, C, D, H, W) or (C, D, H, W); see `max_unpool2d`."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# --- fractional max pooling -----------------------------------------------------------


def _intervals(samples: np.ndarray, n: int, o: int, k: int) -> np.ndarray:
    """The window starts along one dim for samples u (N, C): (N, C, o), torch's
    `generate_intervals` in the samples' dtype."""
    starts = np.empty((*samples.shape, o), np.int64)
    if o > 1:
        t = samples.dtype.type
        alpha = t(n - k) / t(o - 1)
        i = np.arange(o - 1, dtype=samples.dtype)
        u = samples[..., None]
        starts[..., :-1] = ((i + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    if o > 0:
        starts[..., -1] = n - k
    return starts


_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional_max_pool(
    d: int,
    input: Any,
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    random_samples: Any,
) -> tuple[Tensor, Tensor]:
    name = f"fractional_max_pool{d}d"
    x = _tensor(input)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if x.ndim < d:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
            f"{max(x.ndim, 1) - 1}], but got {-d - 1})"
        )
    if output_size is None:
        ratio = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * d
        if len(ratio) == 1:
            ratio = tuple(ratio) * d
        if len(ratio) != d:
            raise ValueError(
                f"{name} requires output_ratio to either be a single Int or tuple of Ints."
            )
        out = tuple(int(x.shape[-d + i] * ratio[i]) for i in range(d))
    else:
        out = ntuple("output_size", output_size, d)
    kernel = ntuple("kernel_size", kernel_size, d)
    where = f"{name}_out()" if d == 3 else f"{name}()"
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(
            f"{where}: Expected {d + 1}D or {d + 2}D tensor, but got: {list(x.shape)}"
        )
    for i in range(x.ndim - d - 1, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(
                f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                f"got{list(x.shape)} with dimension {i} being empty."
            )
    if x.dtype.kind != "f":
        raise RuntimeError(f'"{name}" not implemented for {x.dtype}')  # torch's words
    added = x.ndim == d + 1
    if added:
        x = reshape(x, (1, *x.shape))
    n, c = x.shape[:2]
    if random_samples is None:
        import autograd

        samples = autograd.default_generator.uniform((n, c, d), x.dtype)
    else:
        samples = _tensor(random_samples).data
        if samples.ndim != 3:
            raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
        if samples.dtype != x.dtype:
            raise RuntimeError("Expect _random_samples to have the same dtype as input")
        if samples.shape[2] != d:
            raise RuntimeError(
                f"Expect _random_samples.size(2) equals to {d}; got {samples.shape[2]}."
            )
        if samples.shape[0] < n:
            raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
        if samples.shape[1] != c:
            raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{where}: kernel size must be greater than zero")
    if any(o < 0 for o in out):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(out)}: {[n, c, *out]}"
        )
    spatial = x.shape[2:]
    for i in range(d):  # torch's volumes must leave a spare input (a strict bound)
        if out[i] + kernel[i] - 1 > spatial[i] - (d == 3):
            dim = _DIM_NAMES[d][i]
            raise RuntimeError(
                f"{where}: pool {dim} {kernel[i]} too large relative to input {dim} {spatial[i]}"
            )
    # torch's samples run (w, h) for images and (t, h, w) for volumes
    order = (1, 0) if d == 2 else (0, 1, 2)
    steps = [int(np.prod(spatial[i + 1 :])) for i in range(d)]
    flat = np.zeros((n, c, *out, *kernel), np.int64)
    for i in range(d):
        starts = _intervals(samples[:n, :, order[i]], spatial[i], out[i], kernel[i])
        shape = [n, c] + [1] * (2 * d)
        shape[2 + i] = out[i]
        offsets = [1] * (2 + 2 * d)
        offsets[2 + d + i] = kernel[i]
        flat += starts.reshape(shape) * steps[i]
        flat += np.arange(kernel[i]).reshape(offsets) * steps[i]
    window, positions = int(np.prod(kernel)), int(np.prod(out))
    cand = flat.reshape(n, c, positions, window)
    planes = x.data.reshape(n, c, int(np.prod(spatial)))
    values = np.take_along_axis(planes, cand.reshape(n, c, positions * window), axis=2)
    values = values.reshape(cand.shape)
    best = _first_max_or_last_nan(values)
    idx = np.take_along_axis(cand, best[..., None], axis=3).reshape(n, c, *out)
    z = _gather_planes(x, idx)
    indices = Tensor(idx)
    if added:
        z, indices = reshape(z, z.shape[1:]), Tensor(idx[0])
    return z, indices


def fractional_max_pool2d_with_indices(
    input: Any,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> tuple[Tensor, Tensor]:
    """`fractional_max_pool2d` with the flat positions of the maxima in each (H, W)
    plane, as `F.fractional_max_pool2d_with_indices`."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(
    input: Any,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Any:
    """Fractional max pooling of (N, C, H, W) or (C, H, W), as `F.fractional_max_pool2d`:
    the maximum of `kernel_size` windows starting at pseudo-random positions (see the
    module's docstring) so that the output is `output_size`, or int(size * ratio) per dim
    for `output_ratio`.

    Args:
        _random_samples: u in [0, 1), (N, C, 2) in the input's dtype, (w, h) order;
            default: drawn from `autograd.default_generator` as `torch.rand` draws them.
        return_indices: also return each maximum's flat position in its plane.

    Raises:
        ValueError: neither `output_size` nor `output_ratio`.
        RuntimeError: a window that does not fit, samples of a wrong shape or dtype.
    """
    z, indices = _fractional_max_pool(
        2, input, kernel_size, output_size, output_ratio, _random_samples
    )
    return (z, indices) if return_indices else z


def fractional_max_pool3d_with_indices(
    input: Any,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> tuple[Tensor, Tensor]:
    """`fractional_max_pool3d` with the flat positions of the maxima in each (T, H, W)
    volume, as `F.fractional_max_pool3d_with_indices`."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(
    input: Any,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Any:
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W), as
    `F.fractional_max_pool3d`; `_random_samples` are (N, C, 3), in (t, h, w) order. See
    `fractional_max_pool2d`."""
    z, indices = _fractional_max_pool(
        3, input, kernel_size, output_size, output_ratio, _random_samples
    )
    return (z, indices) if return_indices else z


# --- the `*_with_indices` names of max pooling ----------------------------------------


def max_pool2d_with_indices(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """`max_pool2d` with its indices, as `F.max_pool2d_with_indices` (always both)."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """`max_pool3d` with its indices, as `F.max_pool3d_with_indices` (always both)."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d_with_indices(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """`max_pool1d` with its indices, as `F.max_pool1d_with_indices` (always both)."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(
    input: Any, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """`adaptive_max_pool1d` with its indices, as `F.adaptive_max_pool1d_with_indices`."""
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(
    input: Any, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """`adaptive_max_pool2d` with its indices, as `F.adaptive_max_pool2d_with_indices`."""
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(
    input: Any, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """`adaptive_max_pool3d` with its indices, as `F.adaptive_max_pool3d_with_indices`."""
    return _adaptive_max(3, input, output_size, True)


__all__ = [
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
]  # fmt: skip
