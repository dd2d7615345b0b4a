"""Keras's image preprocessing and augmentation layers: `Resizing`, `CenterCrop`,
`RandomCrop`, `RandomFlip`, `RandomRotation`, `RandomZoom`, `RandomTranslation`,
`RandomContrast` and `RandomBrightness`, with Keras 3's arguments, defaults, names and
`get_config`.

As Keras's, each layer draws a transformation, `get_random_transformation(data,
training, seed)` (a dict of arrays under Keras's keys), and applies it,
`transform_images(images, transformation, training)`; so a transformation drawn by
Keras's layer gives the same images here. Images are (H, W, C) or (batch, H, W, C)
(channels first: C before H); a dict {"images", "labels", "segmentation_masks"} has its
images transformed, its masks too (nearest interpolation) and its labels kept.

Training and inference: the random layers transform in training only (`fit`, or
`training=True`), and are the identity in inference (`predict`, `evaluate`, a model's
call). A layer made alone starts in training mode, as Keras's layer called without
`training` is: `layers.RandomFlip()(images)` flips. `RandomCrop` crops in both: a
random window in training, the centered window of the target's aspect ratio (resized
to the target size) in inference, as Keras documents.

The random numbers are numpy's (the layer's own generator with `seed`, else
`autograd.default_rng()`), not Keras's; the transforms are Keras's.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, default_rng
from nn.image_affine import (
    RESIZE_INTERPOLATIONS,
    affine_transform,
    crop_box,
    resize,
    smart_resize,
    standardize_data_format,
)
from nn.layer import Layer
from nn.random import SeedGenerator

_AFFINE_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
_IMAGE_KEYS = ("images", "labels", "segmentation_masks")


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value))


def _shape(data: Any) -> tuple[int, ...]:
    images = data["images"] if isinstance(data, dict) else data
    return tuple(images.shape)


def affine_matrix(
    center_x: float,
    center_y: float,
    angle: np.ndarray,
    translate_x: np.ndarray,
    translate_y: np.ndarray,
    scale: np.ndarray,
    shear_x: np.ndarray,
    shear_y: np.ndarray,
    height: int,
    width: int,
) -> np.ndarray:
    """Keras's `_compute_affine_matrix`: (batch, 8) transforms of scaling, shear and
    rotation by `angle` degrees about (cx, cy) = (center_x (W - 1), center_y (H - 1)):

        a0 = s (cos t + shx sin t)     a1 = s (-sin t + shx cos t)   a2 = tx + cx - cx a0 - cy a1
        b0 = s (shy cos t + sin t)     b1 = s (-shy sin t + cos t)   b2 = ty + cy - cx b0 - cy b1

    with shx = tan(shear_x), shy = tan(shear_y) (degrees), c0 = c1 = 0."""
    dtype = np.asarray(angle).dtype
    radians = dtype.type(math.pi / 180.0)
    theta = angle * radians
    shx, shy = np.tan(shear_x * radians), np.tan(shear_y * radians)
    cx = center_x * (dtype.type(width) - 1)
    cy = center_y * (dtype.type(height) - 1)
    cos, sin = np.cos(theta), np.sin(theta)
    a0 = scale * (cos + shx * sin)
    a1 = scale * (-sin + shx * cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b0 = scale * (shy * cos + sin)
    b1 = scale * (shy * -sin + cos)
    b2 = translate_y + cy - cx * b0 - cy * b1
    zeros = np.zeros_like(a0)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(dtype)


class BaseImagePreprocessingLayer(Layer):
    """Keras's base of the image layers: `call` draws a transformation with
    `get_random_transformation` and applies it with `transform_images` (per image of
    an unbatched input too), `transform_labels` and `transform_segmentation_masks`.

    Args:
        factor: the layers' factor: a number f (the range (-f, f), clipped to
            `_FACTOR_BOUNDS`) or a pair (lower, upper); only layers that take one.
        data_format: "channels_last" (the default) or "channels_first".
        **kwargs: Keras's layer arguments (`name`, `dtype`, ...).
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS: tuple[float, float] = (-1, 1)
    interpolation = "bilinear"
    seed: int | None = None

    def __init__(self, factor: Any = None, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        object.__setattr__(self, "training", True)  # Keras's `call(..., training=True)`
        self.data_format = standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(
                f"Layer {type(self).__name__} does not take a `factor` argument. "
                f"Received: factor={factor}"
            )

    def _set_factor(self, factor: Any) -> None:
        low, high = self._FACTOR_BOUNDS
        message = (
            "The `factor` argument should be a number (or a list of two numbers) in the "
            f"range [{low}, {high}]. Received: factor={factor}"
        )
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                raise ValueError(message)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)):
            if factor < low or factor > high:
                raise ValueError(message)
            factor = abs(factor)
            lower, upper = max(-factor, low), factor
        else:
            raise ValueError(message)
        self.factor = (lower, upper)

    # -- Keras's protocol ------------------------------------------------------------

    def _rng(self, seed: Any = None) -> np.random.Generator:
        """The generator of a draw: `seed`'s (an int or a `SeedGenerator`), else the
        layer's own (its `seed`), else `autograd.default_rng()`."""
        if isinstance(seed, SeedGenerator):
            return seed.generator
        if seed is not None:
            return np.random.default_rng(seed)
        generator = self.__dict__.get("generator")
        return generator if generator is not None else default_rng()

    def _uniform(self, shape: Any, low: float, high: float, seed: Any) -> np.ndarray:
        return self._rng(seed).uniform(low, high, size=shape).astype(np.float32)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        """The transformation of this call (None: none)."""
        return None

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} defines transform_images itself")

    def _cast(self, images: Any) -> Tensor:
        x = _as_tensor(images)
        return x if x.dtype == np.dtype(self.dtype) else x.astype(self.dtype)

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        """The images transformed (in training; as they are otherwise), in the layer's
        dtype."""
        x = self._cast(images)
        if training:
            x = self._transform_images(x, transformation, self.interpolation)
        return x

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True) -> Any:
        """Labels are kept: the layers here move pixels, not classes."""
        return labels

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any, training: bool = True
    ) -> Any:
        """Masks moved as the images, with nearest interpolation."""
        if training:
            masks = _as_tensor(segmentation_masks)
            return self._transform_images(masks, transformation, "nearest")
        return segmentation_masks

    def _is_batched(self, images: Any) -> bool:
        rank = len(images.shape)
        if rank not in (3, 4):
            raise ValueError(
                "Expected image tensor to have rank 3 (single image) or 4 (batch of images). "
                f"Received: data.shape={tuple(images.shape)}"
            )
        return rank == 4

    def _apply(self, method: Any, value: Any, transformation: Any, training: bool, batched: bool):
        if batched:
            return method(value, transformation, training=training)
        single = _as_tensor(value).unsqueeze(0)
        out = method(single, transformation, training=training)
        return out.squeeze(0) if isinstance(out, Tensor) else out

    def call(self, data: Any, training: bool = True) -> Any:
        transformation = self.get_random_transformation(data, training=training)
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(_IMAGE_KEYS))
            if unknown:
                raise ValueError(
                    f"{type(self).__name__}: the inputs may hold the keys {list(_IMAGE_KEYS)}; "
                    f"got {unknown} (bounding boxes are not transformed here)"
                )
            batched = self._is_batched(data["images"])
            out = dict(data)
            out["images"] = self._apply(
                self.transform_images, data["images"], transformation, training, batched
            )
            if "labels" in data:
                out["labels"] = self.transform_labels(data["labels"], transformation, training)
            if "segmentation_masks" in data:
                out["segmentation_masks"] = self._apply(
                    self.transform_segmentation_masks,
                    data["segmentation_masks"],
                    transformation,
                    training,
                    batched,
                )
            return out
        return self._apply(
            self.transform_images, data, transformation, training, self._is_batched(data)
        )

    def _hw(self, shape: Sequence[int]) -> tuple[int, int]:
        """(height, width) of images of `shape` (batched or not)."""
        if self.data_format == "channels_first":
            return shape[-2], shape[-1]
        return shape[-3], shape[-2]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


def _check_choice(value: str, argument: str, choices: tuple[str, ...]) -> str:
    """Keras's check of `fill_mode` and `interpolation` (its NotImplementedError is
    a ValueError here: an argument's value, not a missing feature)."""
    if value not in choices:
        raise ValueError(f"Unknown `{argument}` {value}. Expected of one {choices}.")
    return value


def _seed(owner: str, seed: Any) -> int | None:
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
        raise ValueError(f"{owner}: seed must be an int or None, got {seed!r}")
    return None if seed is None else int(seed)


class _Random(BaseImagePreprocessingLayer):
    """A random layer: `seed` seeds the layer's own generator."""

    def _init_seed(self, seed: Any) -> None:
        self.seed = _seed(type(self).__name__, seed)
        self.generator = None if self.seed is None else np.random.default_rng(self.seed)


class RandomFlip(_Random):
    """Keras's random flip: each image flipped left-right ("horizontal"), top-bottom
    ("vertical") or both ("horizontal_and_vertical", one draw for both) with
    probability 1/2, in training; the identity in inference.

    Transformation: {"flips": (batch, 1, 1, 1) bools, "input_shape"}.

    Example:
        >>> data_augmentation = nn.Sequential([nn.layers.RandomFlip("horizontal"),
        ...     nn.layers.RandomRotation(0.1), nn.layers.RandomZoom(0.2)])
    """

    _USE_BASE_FACTOR = False
    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(
        self,
        mode: str = "horizontal_and_vertical",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if mode not in self.MODES:
            raise ValueError(
                f"RandomFlip: Unknown `mode` {mode!r}. Expected one of {list(self.MODES)}."
            )
        self.mode = mode
        self._init_seed(seed)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any] | None:
        if not training:
            return None
        shape = _shape(data)
        flips_shape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        flips = self._rng(seed).uniform(size=flips_shape).astype(np.float32) <= 0.5
        return {"flips": flips, "input_shape": shape}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        x = self._cast(images)
        if training:
            return self._flip(x, transformation)
        return x

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any, training: bool = True
    ) -> Any:
        return self.transform_images(segmentation_masks, transformation, training)

    def _flip(self, x: Tensor, transformation: Any) -> Tensor:
        if transformation is None:
            return x
        flips = np.asarray(transformation["flips"], dtype=bool)
        unbatched = x.ndim == 3
        if unbatched:
            x = x.unsqueeze(0)
        rows, cols = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            x = autograd.where(flips, x.flip(cols), x)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            x = autograd.where(flips, x.flip(rows), x)
        return x.squeeze(0) if unbatched else x

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


class _Affine(_Random):
    """A layer of `affine_transform`s: fill mode, fill value and interpolation."""

    def _init_affine(self, fill_mode: str, interpolation: str, fill_value: float) -> None:
        self.fill_mode = _check_choice(fill_mode, "fill_mode", _AFFINE_FILL_MODES)
        self.interpolation = _check_choice(interpolation, "interpolation", _AFFINE_INTERPOLATIONS)
        self.fill_value = fill_value

    def _warp(self, x: Tensor, matrix: np.ndarray, interpolation: str) -> Tensor:
        return affine_transform(
            x,
            matrix,
            interpolation=interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )


class RandomRotation(_Affine):
    """Keras's random rotation about the image's center by an angle drawn uniformly
    from factor * 360 degrees (factor 0.1: within +-36 degrees), in training.

    Output pixel (x, y) reads the input at R (x - cx, y - cy) + (cx, cy), R the
    rotation by the angle, (cx, cy) = ((W - 1) / 2, (H - 1) / 2); points outside filled
    by `fill_mode` ("reflect", "wrap", "constant" with `fill_value`, "nearest").

    Transformation: {"angle": (batch,) degrees, "rotation_matrix": (batch, 8),
    "image_height", "image_width", "batch_size"}.
    """

    def __init__(
        self,
        factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self._init_seed(seed)
        self._init_affine(fill_mode, interpolation, fill_value)

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        return self._warp(images, np.asarray(transformation["rotation_matrix"]), interpolation)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any] | None:
        if not training:
            return None
        shape = _shape(data)
        batch = shape[0] if len(shape) == 4 else 1
        height, width = self._hw(shape)
        lower, upper = self.factor[0] * 360.0, self.factor[1] * 360.0
        angle = self._uniform((batch,), lower, upper, seed)
        zeros, ones = np.zeros(batch, np.float32), np.ones(batch, np.float32)
        matrix = affine_matrix(0.5, 0.5, angle, zeros, zeros, ones, zeros, zeros, height, width)
        return {
            "angle": angle,
            "rotation_matrix": matrix[0] if len(shape) == 3 else matrix,
            "image_height": height,
            "image_width": width,
            "batch_size": batch,
        }

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


class _TwoFactors(_Affine):
    """A layer with a height and a width factor, each a number f (the range (-f, f))
    or a pair (lower, upper)."""

    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = ""

    def _in_range(self, value: float) -> bool:
        return -1.0 <= value <= 1.0

    def _pair(self, factor: Any, name: str) -> tuple[float, float]:
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Received: {name}={factor}")
            for value in factor:
                self._check(value)
            lower, upper = sorted(factor)
            return lower, upper
        if isinstance(factor, (int, float)):
            self._check(factor)
            return -abs(factor), abs(factor)
        raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Received: {name}={factor}")

    def _check(self, value: Any) -> None:
        if not self._in_range(value):
            raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Received: input_number={value}")

    def _two_factor_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }


class RandomZoom(_TwoFactors):
    """Keras's random zoom, in training: each image scaled about its center by
    zy = 1 + U(height range), zx = 1 + U(width range) (zx = zy without
    `width_factor`); a factor below 0 zooms in (the output reads a smaller window),
    above 0 out. Output pixel (x, y) reads the input at
    (zx x + (W - 1)(1 - zx) / 2, zy y + (H - 1)(1 - zy) / 2), outside points filled by
    `fill_mode`.

    Transformation: {"height_zoom": (batch, 1), "width_zoom": (batch, 1), "input_shape"}.
    """

    _FACTOR_VALIDATION_ERROR = (
        "The `height_factor` and `width_factor` arguments should be a number (or a list "
        "of two numbers) in the range (-1.0, 1.0]. "
    )

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any = None,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._pair(height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = self._pair(width_factor, "width_factor")
        self._init_affine(fill_mode, interpolation, fill_value)
        self._init_seed(seed)

    def _in_range(self, value: float) -> bool:
        return -1.0 < value <= 1.0

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any] | None:
        if not training:
            return None
        shape = _shape(data)
        size = (shape[0], 1) if len(shape) == 4 else (1, 1)
        height_zoom = self._uniform(size, 1.0 + self.height_lower, 1.0 + self.height_upper, seed)
        if self.width_factor is not None:
            width_zoom = self._uniform(size, 1.0 + self.width_lower, 1.0 + self.width_upper, seed)
        else:
            width_zoom = height_zoom
        return {"height_zoom": height_zoom, "width_zoom": width_zoom, "input_shape": shape}

    @staticmethod
    def zoom_matrix(zooms: np.ndarray, height: int, width: int) -> np.ndarray:
        """(batch, 8) transforms of zooms (batch, 2) = (zx, zy)."""
        zx, zy = zooms[:, 0:1], zooms[:, 1:]
        x_offset = (np.float32(width) - 1) / 2 * (1 - zx)
        y_offset = (np.float32(height) - 1) / 2 * (1 - zy)
        zeros = np.zeros_like(zx)
        return np.concatenate([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1)

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        zooms = np.concatenate(
            [np.asarray(transformation["width_zoom"]), np.asarray(transformation["height_zoom"])],
            axis=1,
        ).astype(np.float32)
        height, width = self._hw(images.shape)
        return self._warp(images, self.zoom_matrix(zooms, height, width), interpolation)

    def get_config(self) -> dict[str, Any]:
        return self._two_factor_config()


class RandomTranslation(_TwoFactors):
    """Keras's random translation, in training: each image shifted down by
    U(height range) * H rows and right by U(width range) * W columns (output pixel
    (x, y) reads the input at (x - tx, y - ty)), outside points filled by `fill_mode`.

    Transformation: {"translations": (batch, 2) = (tx, ty) pixels, "input_shape"}.
    """

    _FACTOR_VALIDATION_ERROR = (
        "The `factor` argument should be a number (or a list of two numbers) "
        "in the range [-1.0, 1.0]. "
    )

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._pair(height_factor, "height_factor")
        self.width_factor = width_factor
        self.width_lower, self.width_upper = self._pair(width_factor, "width_factor")
        self._init_affine(fill_mode, interpolation, fill_value)
        self._init_seed(seed)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any] | None:
        if not training:
            return None
        shape = _shape(data)
        batch = 1 if len(shape) == 3 else shape[0]
        height, width = self._hw(shape)
        dy = self._uniform((batch, 1), self.height_lower, self.height_upper, seed) * height
        dx = self._uniform((batch, 1), self.width_lower, self.width_upper, seed) * width
        translations = np.concatenate([dx, dy], axis=1).astype(np.float32)
        return {"translations": translations, "input_shape": shape}

    @staticmethod
    def translation_matrix(translations: np.ndarray) -> np.ndarray:
        """(batch, 8) transforms of translations (batch, 2) = (tx, ty)."""
        ones = np.ones_like(translations[:, :1])
        zeros = np.zeros_like(ones)
        tx, ty = translations[:, 0:1], translations[:, 1:]
        return np.concatenate([ones, zeros, -tx, zeros, ones, -ty, zeros, zeros], axis=1)

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        if transformation is None:
            return images
        translations = np.asarray(transformation["translations"])
        return self._warp(images, self.translation_matrix(translations), interpolation)

    def get_config(self) -> dict[str, Any]:
        return self._two_factor_config()


class RandomContrast(_Random):
    """Keras's random contrast, in training: y = clip((x - m) c + m, value_range), m
    each image's mean per channel (over rows and columns), c drawn uniformly from
    [1 - lower, 1 + upper] (Keras 3 reads a number f as the range (0, f), so c is in
    [1, 1 + f]).

    Transformation: {"contrast_factor": (batch, 1, 1, 1)}.
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor: Any,
        value_range: Sequence[float] = (0, 255),
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self._init_seed(seed)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any]:
        shape = _shape(data)
        if len(shape) not in (3, 4):
            raise ValueError(
                f"Expected the input image to be rank 3 or 4. Received inputs.shape={shape}"
            )
        size = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        if not training:
            return {"contrast_factor": np.zeros(size, np.float32)}
        low, high = 1.0 - self.factor[0], 1.0 + self.factor[1]
        factor = self._rng(seed).uniform(low, high, size=size).astype(self.dtype)
        return {"contrast_factor": factor}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        x = self._cast(images)
        if not training:
            return x
        factor = np.asarray(transformation["contrast_factor"]).astype(x.dtype)
        axes = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        mean = x.mean(axis=axes, keepdims=True)
        out = (x - mean) * Tensor(factor) + mean
        return out.clip(self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any, training: bool = True
    ) -> Any:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


class RandomBrightness(_Random):
    """Keras's random brightness, in training: y = clip(x + d, value_range), d drawn
    uniformly from factor * (value_range[1] - value_range[0]) (a number f: (-f, f)).

    Transformation: {"rgb_delta": (batch, 1, 1, 1)}.
    """

    _VALUE_RANGE_VALIDATION_ERROR = "The `value_range` argument should be a list of two numbers. "

    def __init__(
        self,
        factor: Any,
        value_range: Sequence[float] = (0, 255),
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor=factor, **kwargs)
        self._init_seed(seed)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(
                self._VALUE_RANGE_VALIDATION_ERROR + f"Received: value_range={value_range}"
            )
        self.value_range = sorted(value_range)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any]:
        shape = _shape(data)
        if len(shape) not in (3, 4):
            raise ValueError(
                f"Expected the input image to be rank 3 or 4. Received inputs.shape={shape}"
            )
        size = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        if not training:
            return {"rgb_delta": np.zeros(size, np.float32)}
        delta = self._uniform(size, self.factor[0], self.factor[1], seed)
        return {"rgb_delta": delta * np.float32(self.value_range[1] - self.value_range[0])}

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
        x = self._cast(images)
        if not training:
            return x
        delta = np.asarray(transformation["rgb_delta"]).astype(x.dtype)
        return (x + Tensor(delta)).clip(self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any, training: bool = True
    ) -> Any:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


def _size(owner: str, name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner}: `{name}` must be a positive int. Received: {name}={value!r}")
    return int(value)


class Resizing(BaseImagePreprocessingLayer):
    """Keras's resizing of images to (height, width), in training and inference, with
    `keras.ops.image.resize` (`nn.image_affine.resize`): "bilinear" (the default),
    "nearest", "bicubic", "lanczos3" or "lanczos5", `antialias` when shrinking; first
    cropped (`crop_to_aspect_ratio`) or padded with `fill_value` (`pad_to_aspect_ratio`)
    to the target's aspect ratio. Integer images are rounded back to their dtype.
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = _size("Resizing", "height", height)
        self.width = _size("Resizing", "width", width)
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
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> tuple[int, int]:
        return self._hw(_shape(data))

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        return resize(
            images,
            (self.height, self.width),
            interpolation=interpolation,
            antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True):
        return self._transform_images(_as_tensor(images), transformation, self.interpolation)

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any = None, training: bool = True
    ) -> Tensor:
        return self._transform_images(_as_tensor(segmentation_masks), transformation, "nearest")

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
        }


class CenterCrop(BaseImagePreprocessingLayer):
    """Keras's center crop to (height, width), in training and inference: the central
    window, rows from (H - height) // 2 and columns from (W - width) // 2; an image
    smaller than that in a dim is resized instead (`smart_resize`: the largest
    centered window of the target's aspect ratio, resized bilinearly).
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _size("CenterCrop", "height", height)
        self.width = _size("CenterCrop", "width", width)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any]:
        return {"input_shape": _shape(data)}

    def _transform_images(self, images: Tensor, transformation: Any, interpolation: str) -> Tensor:
        height, width = self._hw(images.shape)
        h_diff, w_diff = height - self.height, width - self.width
        if h_diff < 0 or w_diff < 0:
            return smart_resize(images, (self.height, self.width), data_format=self.data_format)
        h0, w0 = h_diff // 2, w_diff // 2
        index: list[Any] = [slice(None)] * images.ndim
        axis = images.ndim - (3 if self.data_format == "channels_last" else 2)
        index[axis] = slice(h0, h0 + self.height)
        index[axis + 1] = slice(w0, w0 + self.width)
        return images[tuple(index)]

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True):
        return self._transform_images(self._cast(images), transformation, "bilinear")

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any = None, training: bool = True
    ) -> Tensor:
        return self.transform_images(segmentation_masks, transformation, training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomCrop(_Random):
    """Keras's random crop to (height, width): in training, when the image is larger
    in both dims, a window at a row and column drawn uniformly; otherwise (and in
    inference) the window at the start of the largest centered box of the target's
    aspect ratio, resized (bilinear) to the target size when it is smaller.

    Transformation: (row start, column start).

    Note:
        Keras 3's layer returns its input unchanged when called with training=False
        (against its documentation and its output shape); this one crops as documented.
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        height: int,
        width: int,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = _size("RandomCrop", "height", height)
        self.width = _size("RandomCrop", "width", width)
        self._init_seed(seed)
        if seed is None:  # Keras's config keeps a seed drawn now (Python's `random`)
            self.seed = random.randint(1, int(1e9))

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> tuple[int, int]:
        height, width = self._hw(_shape(data))
        if training and height > self.height and width > self.width:
            rng = self._rng(seed)
            h_start = int(rng.uniform(0, float(height - self.height + 1)))
            w_start = int(rng.uniform(0, float(width - self.width + 1)))
            return h_start, w_start
        h_start, w_start, _, _ = crop_box(height, width, self.height, self.width)
        return h_start, w_start

    def transform_images(self, images: Any, transformation: Any, training: bool = True):
        x = self._cast(images)
        if not training:
            return x
        h0, w0 = (int(v) for v in transformation)
        index: list[Any] = [slice(None)] * x.ndim
        axis = x.ndim - (3 if self.data_format == "channels_last" else 2)
        index[axis] = slice(h0, h0 + self.height)
        index[axis + 1] = slice(w0, w0 + self.width)
        x = x[tuple(index)]
        if self._hw(x.shape) != (self.height, self.width):
            x = resize(x, (self.height, self.width), data_format=self.data_format)
        return x

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any, training: bool = True
    ) -> Any:
        return self.transform_images(segmentation_masks, transformation)

    def call(self, data: Any, training: bool = True) -> Any:
        transformation = self.get_random_transformation(data, training=training)
        apply = self.transform_images
        if isinstance(data, dict):
            out = dict(data)
            out["images"] = apply(data["images"], transformation)
            if "segmentation_masks" in data:
                out["segmentation_masks"] = apply(data["segmentation_masks"], transformation)
            return out
        self._is_batched(data)
        return apply(data, transformation)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "seed": self.seed,
        }


#: The layers of this module, for `nn.layers`, `nn` and `nn.saving`.
LAYERS = (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
