"""Keras's geometric augmentation layers: `RandomRotation`, `RandomZoom` and
`RandomTranslation`, each an `affine_transform` (`nn.image_affine`) of a random matrix per
image, in training only; see `nn.keras_image` for the protocol they share."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor
from nn.image_affine import affine_transform
from nn.image_layer_base import SeededImageLayer, check_choice, images_shape

_AFFINE_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_AFFINE_INTERPOLATIONS = ("nearest", "bilinear")


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


class _Affine(SeededImageLayer):
    """A layer of `affine_transform`s: fill mode, fill value and interpolation."""

    def _init_affine(self, fill_mode: str, interpolation: str, fill_value: float) -> None:
        self.fill_mode = check_choice(fill_mode, "fill_mode", _AFFINE_FILL_MODES)
        self.interpolation = check_choice(interpolation, "interpolation", _AFFINE_INTERPOLATIONS)
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
        shape = images_shape(data)
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

    def _init_factors(self, height_factor: Any, width_factor: Any) -> None:
        """Keep both factors as given and their (lower, upper) bounds (a width factor
        of None has none: `RandomZoom` then zooms both sides alike)."""
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._pair(height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = self._pair(width_factor, "width_factor")

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
        self._init_factors(height_factor, width_factor)
        self._init_affine(fill_mode, interpolation, fill_value)
        self._init_seed(seed)

    def _in_range(self, value: float) -> bool:
        return -1.0 < value <= 1.0

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any] | None:
        if not training:
            return None
        shape = images_shape(data)
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
        self._init_factors(height_factor, width_factor)
        self._init_affine(fill_mode, interpolation, fill_value)
        self._init_seed(seed)

    def get_random_transformation(
        self, data: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any] | None:
        if not training:
            return None
        shape = images_shape(data)
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
