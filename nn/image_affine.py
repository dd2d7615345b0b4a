"""Keras's image operations on Tensors: `affine_transform` (as
`keras.ops.image.affine_transform`), `resize` (as `keras.ops.image.resize`, whose
kernels are `jax.image.resize`'s) and `smart_resize` (as `keras.utils.smart_resize`).

`affine_transform` maps each output pixel (x, y) (x the column, y the row) back to the
input point

    k = c0 x + c1 y + 1,   x' = (a0 x + a1 y + a2) / k,   y' = (b0 x + b1 y + b2) / k

for a transform [a0, a1, a2, b0, b1, b2, c0, c1], and reads the input there as
`jax.scipy.ndimage.map_coordinates`: "nearest" takes the pixel at round(y'), round(x')
(halves away from zero), "bilinear" weighs the four pixels around (y', x') by
(1 - ty)(1 - tx), (1 - ty) tx, ty (1 - tx) and ty tx. A pixel index i outside [0, n)
is first mapped by `fill_mode`:

    reflect   d c b a | a b c d | d c b a     (about the edge)
    mirror    d c b | a b c d | c b a         (about the edge pixel)
    wrap      a b c d | a b c d | a b c d
    nearest   a a a a | a b c d | d d d d
    constant  k k k k | a b c d | k k k k     (k = fill_value; its taps weigh k)

The output is a sum of gathered input pixels times fixed weights, so its gradient
reaches the images (the transform is data, as in Keras's layers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.functional_norms import pad
from nn.functional_resize import resample
from nn.resize_kernels import KERNELS, resize_matrix

AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
_FORMATS = ("channels_last", "channels_first")


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - x)


_RESIZE_KERNELS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "bilinear": _triangle,
    **KERNELS,
}


def standardize_data_format(value: str | None) -> str:
    """Keras's `standardize_data_format`: None is "channels_last"."""
    value = "channels_last" if value is None else str(value).lower()
    if value not in _FORMATS:
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={value}"
        )
    return value


def _fix(index: np.ndarray, size: int, mode: str) -> np.ndarray:
    """`map_coordinates`' index fixers: where an index outside [0, size) reads."""
    if mode == "nearest":
        return np.clip(index, 0, size - 1)
    if mode == "wrap":
        return np.mod(index, size)
    if mode == "mirror":
        if size == 1:
            return np.zeros_like(index)
        s = size - 1
        return np.abs(np.mod(index + s, 2 * s) - s)
    if mode == "reflect":
        s = 2 * size  # the mirror of 2 i + 1 over 2 size + 1 points, halved
        return (np.abs(np.mod(2 * index + 1 + s, 2 * s) - s) - 1) // 2
    return index


def _taps(coordinate: np.ndarray, order: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The indices read at each coordinate and their weights (order 0 or 1)."""
    if order == 0:
        rounded = np.sign(coordinate) * np.floor(np.abs(coordinate) + 0.5)
        return [(rounded.astype(np.int64), np.ones_like(coordinate))]
    lower = np.floor(coordinate)
    upper_weight = coordinate - lower
    index = lower.astype(np.int64)
    return [(index, 1 - upper_weight), (index + 1, upper_weight)]


def _channels_last(images: Tensor, fmt: str) -> Tensor:
    return images.permute(0, 2, 3, 1) if fmt == "channels_first" else images


def _restore(images: Tensor, fmt: str) -> Tensor:
    return images.permute(0, 3, 1, 2) if fmt == "channels_first" else images


def _rank(images: Tensor) -> None:
    if images.ndim not in (3, 4):
        raise ValueError(
            "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
            f"images). Received input with shape: images.shape={tuple(images.shape)}"
        )


def affine_transform(
    images: Any,
    transform: Any,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
) -> Tensor:
    """Keras's `ops.image.affine_transform`: each output pixel reads the input at the
    point the transform maps it to (see the module's docstring).

    Args:
        images: (H, W, C) or (batch, H, W, C) (channels first: C before H).
        transform: 8 numbers [a0, a1, a2, b0, b1, b2, c0, c1], or one row per image.
        interpolation: "bilinear" or "nearest".
        fill_mode: "constant", "nearest", "wrap", "mirror" or "reflect".
        fill_value: the value of points outside the image for "constant".
        data_format: "channels_last" (the default) or "channels_first".

    Note:
        Keras's JAX backend drops c0 and c1 into the channel coordinate instead of
        dividing by k; with c0 = c1 = 0 (every layer's transform) the two agree.
    """
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(
            "Invalid value for argument `interpolation`. Expected of one "
            f"{set(AFFINE_INTERPOLATIONS)}. Received: interpolation={interpolation}"
        )
    if fill_mode not in FILL_MODES:
        raise ValueError(
            "Invalid value for argument `fill_mode`. Expected of one "
            f"{set(FILL_MODES)}. Received: fill_mode={fill_mode}"
        )
    fmt = standardize_data_format(data_format)
    x = images if isinstance(images, Tensor) else Tensor(np.asarray(images))
    _rank(x)
    matrix = np.asarray(transform.data if isinstance(transform, Tensor) else transform)
    if matrix.ndim not in (1, 2):
        raise ValueError(
            "Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch "
            f"of transforms). Received input with shape: transform.shape={matrix.shape}"
        )
    if matrix.dtype.kind != "f":
        matrix = matrix.astype(np.float32)
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    if matrix.ndim == 1:
        matrix = matrix[None]
    x = _channels_last(x, fmt)
    batch, height, width, channels = x.shape
    matrix = np.broadcast_to(matrix, (batch, 8))
    row = np.arange(height, dtype=matrix.dtype)[None, :, None]
    col = np.arange(width, dtype=matrix.dtype)[None, None, :]
    a0, a1, a2, b0, b1, b2, c0, c1 = (matrix[:, i, None, None] for i in range(8))
    k = c0 * col + c1 * row + 1
    x_in = (a0 * col + a1 * row + a2) / k
    y_in = (b0 * col + b1 * row + b2) / k
    order = AFFINE_INTERPOLATIONS.index(interpolation)
    flat, weights, outside = [], [], np.zeros((batch, height, width))
    for iy, wy in _taps(y_in, order):
        for ix, wx in _taps(x_in, order):
            w = wy * wx
            if fill_mode == "constant":
                valid = (iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)
                outside = outside + np.where(valid, 0.0, w)
                w = np.where(valid, w, 0.0)
                jy, jx = np.clip(iy, 0, height - 1), np.clip(ix, 0, width - 1)
            else:
                jy, jx = _fix(iy, height, fill_mode), _fix(ix, width, fill_mode)
            flat.append((np.arange(batch)[:, None, None] * height + jy) * width + jx)
            weights.append(w)
    taps = len(flat)
    index = np.stack(flat, axis=-1).reshape(batch, height * width, taps)
    w_all = np.stack(weights, axis=-1).reshape(batch, height * width, taps)
    pixels = x.reshape(batch * height * width, channels)[index]  # (B, HW, taps, C)
    out = autograd.einsum("bptc,bpt->bpc", pixels, Tensor(w_all.astype(x.dtype)))
    if fill_mode == "constant" and fill_value != 0 and np.any(outside):
        out = out + Tensor((outside.reshape(batch, height * width, 1) * fill_value).astype(x.dtype))
    out = _restore(out.reshape(batch, height, width, channels), fmt)
    return out.squeeze(0) if unbatched else out


def _nearest_index(n_in: int, n_out: int) -> np.ndarray:
    """`jax.image.resize`'s nearest: floor((j + 0.5) n_in / n_out), in float32."""
    f = np.float32
    offsets = (np.arange(n_out, dtype=f) + f(0.5)) * f(n_in) / f(n_out)
    return np.floor(offsets.astype(f)).astype(np.int64)


def crop_box(height: int, width: int, target_height: int, target_width: int) -> tuple[int, ...]:
    """Keras's largest centered window of the target's aspect ratio:
    (row start, col start, rows, cols)."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return (
        int(float(height - crop_height) / 2),
        int(float(width - crop_width) / 2),
        crop_height,
        crop_width,
    )


def resize(
    images: Any,
    size: Sequence[int],
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
) -> Tensor:
    """Keras's `ops.image.resize` (JAX backend: `jax.image.resize`'s kernels).

    Output pixel j of a dim resized from n to m samples the input at
    s = (j + 0.5) n / m - 0.5 with the kernel (triangle for "bilinear", Keys' cubic
    with A = -0.5 for "bicubic", Lanczos for "lanczos3"/"lanczos5") of |s - i|, the
    weights of each output normalized to sum 1; with `antialias` and m < n the kernel
    is stretched n / m times. "nearest" reads floor((j + 0.5) n / m).

    Args:
        images: (H, W, C) or (batch, H, W, C) (channels first: C before H).
        size: (height, width) of the output.
        interpolation: one of "bilinear", "nearest", "lanczos3", "lanczos5", "bicubic".
        antialias: stretch the kernel when shrinking.
        crop_to_aspect_ratio: first take the largest centered window with the output's
            aspect ratio.
        pad_to_aspect_ratio: first pad both sides of one dim with `fill_value` to the
            output's aspect ratio (not both options).
        fill_mode: "constant" only.
        fill_value: the padding's value.
        data_format: "channels_last" (the default) or "channels_first".
    """
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(
            "Invalid value for argument `interpolation`. Expected of one "
            f"{RESIZE_INTERPOLATIONS}. Received: interpolation={interpolation}"
        )
    if fill_mode != "constant":
        raise ValueError(
            "Invalid value for argument `fill_mode`. Only `'constant'` "
            f"is supported. Received: fill_mode={fill_mode}"
        )
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError(
            "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`."
        )
    if len(size) != 2:
        raise ValueError(
            "Argument `size` must be a tuple of two elements (height, width). "
            f"Received: size={size}"
        )
    fmt = standardize_data_format(data_format)
    x = images if isinstance(images, Tensor) else Tensor(np.asarray(images))
    _rank(x)
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    x = x.permute(0, 3, 1, 2) if fmt == "channels_last" else x  # (B, C, H, W) here
    target_height, target_width = (int(n) for n in size)
    height, width = x.shape[2], x.shape[3]
    if crop_to_aspect_ratio:
        h0, w0, crop_h, crop_w = crop_box(height, width, target_height, target_width)
        x = x[:, :, h0 : h0 + crop_h, w0 : w0 + crop_w]
    elif pad_to_aspect_ratio:
        pad_height = max(height, int(float(width * target_height) / target_width))
        pad_width = max(width, int(float(height * target_width) / target_height))
        h_pad, w_pad = int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)
        if h_pad > 0:
            x = pad(x, [0, 0, h_pad, h_pad], value=fill_value)
        elif w_pad > 0:
            x = pad(x, [w_pad, w_pad], value=fill_value)
    integer = x.dtype.kind in "iub"
    original = x.dtype
    if integer:
        x = x.astype(np.float32)
    for axis, n_out in ((2, target_height), (3, target_width)):
        n_in = x.shape[axis]
        if n_in == n_out:
            continue
        if interpolation == "nearest":
            x = x.index_select(axis, _nearest_index(n_in, n_out))
        else:
            m = resize_matrix(n_in, n_out, _RESIZE_KERNELS[interpolation], antialias=antialias)
            x = resample(x, axis, m.astype(x.dtype))
    if integer and interpolation != "nearest":
        info = np.iinfo(original) if original.kind != "b" else None
        x = autograd.round(x)
        if info is not None:
            x = x.clip(float(info.min), float(info.max))
    if integer:
        x = x.astype(original)
    x = x.permute(0, 2, 3, 1) if fmt == "channels_last" else x
    return x.squeeze(0) if unbatched else x


def smart_resize(
    images: Any,
    size: Sequence[int],
    interpolation: str = "bilinear",
    data_format: str | None = "channels_last",
) -> Tensor:
    """Keras's `utils.smart_resize`: the largest centered window with the aspect ratio
    of `size`, resized to `size` (no distortion)."""
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    x = images if isinstance(images, Tensor) else Tensor(np.asarray(images))
    if x.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or "
            "`(batch_size, height, width, channels)`, but got input with incorrect rank, "
            f"of shape {tuple(x.shape)}."
        )
    fmt = standardize_data_format(data_format)
    h_axis = x.ndim - 3 if fmt == "channels_last" else x.ndim - 2
    height, width = x.shape[h_axis], x.shape[h_axis + 1]
    h0, w0, crop_h, crop_w = crop_box(height, width, int(size[0]), int(size[1]))
    index: list[Any] = [slice(None)] * x.ndim
    index[h_axis] = slice(h0, h0 + crop_h)
    index[h_axis + 1] = slice(w0, w0 + crop_w)
    return resize(x[tuple(index)], size, interpolation=interpolation, data_format=fmt)
