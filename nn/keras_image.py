"""Keras's image preprocessing and augmentation layers: `Resizing`, `CenterCrop`,
`RandomCrop`, `RandomFlip`, `RandomRotation`, `RandomZoom`, `RandomTranslation`,
`RandomContrast` and `RandomBrightness`, with Keras 3's arguments, defaults, names and
`get_config` (`RandomRotation`, `RandomZoom` and `RandomTranslation` are defined in
`nn.keras_image_affine`, their base in `nn.image_layer_base`).

As Keras's, each layer draws a transformation, `get_random_transformation(data,
training, seed)` (a dict of arrays under Keras's keys), and applies it,
`transform_images(images, transformation, training)`; so a transformation drawn by
Keras's layer gives the same images here. Images are (H, W, C) or (batch, H, W, C)
(channels first: C before H); a dict {"images", "labels", "segmentation_masks"} has its
images transformed, its masks too (nearest interpolation) and its labels kept.

Training and inference: the random layers transform in training (`fit`,
`training=True`) and are the identity in inference (`predict`, `evaluate`,
`training=False`). Called with no `training` and no mode asked around them, they
transform, as Keras's, whose `call` declares `training=True` (`nn.layer.run_call`):
`layers.RandomFlip()(images)` flips, and so does DLwP's `data_augmentation(images)`, a
Sequential of them called on a batch to look at. `RandomCrop` crops in both: a
random window in training, the centered window of the target's aspect ratio (resized
to the target size) in inference, as Keras documents.

The random numbers are numpy's (the layer's own generator with `seed`, else
`autograd.default_rng()`), not Keras's; the transforms are Keras's.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.image_affine import RESIZE_INTERPOLATIONS, crop_box, resize, smart_resize
from nn.image_layer_base import (
    BaseImagePreprocessingLayer,
    SeededImageLayer,
    as_image_tensor,
    images_shape,
)
from nn.keras_image_affine import RandomRotation, RandomTranslation, RandomZoom


class RandomFlip(SeededImageLayer):
    """Keras's random flip: each image flipped left-right ("horizontal"), top-bottom
    ("vertical") or both ("horizontal_and_vertical", one draw for both) with
    probability 1/2, in training; the identity in inference.

    Transformation: {"flips": (batch, 1, 1, 1) bools, "input_shape"}.

    Example:
        >>> import numpy as np, nn
        >>> flip = nn.layers.RandomFlip("horizontal", seed=0)
        >>> images = np.arange(6, dtype=np.float32).reshape(1, 2, 3, 1)
        >>> flip(images, training=False)[0, :, :, 0].data.tolist()  # inference: as they are
        [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        >>> flips = {"flips": np.array([[[[True]]]])}
        >>> flip.transform_images(images, flips)[0, :, :, 0].data.tolist()
        [[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]
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
        shape = images_shape(data)
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


def _per_image(data: Any) -> tuple[int, ...]:
    """The shape of one factor per image of `data`, broadcasting over its pixels:
    (1, 1, 1) for one image, (batch, 1, 1, 1) for a batch (Keras's)."""
    shape = images_shape(data)
    if len(shape) not in (3, 4):
        raise ValueError(
            f"Expected the input image to be rank 3 or 4. Received inputs.shape={shape}"
        )
    return (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)


class RandomContrast(SeededImageLayer):
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
        size = _per_image(data)
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


class RandomBrightness(SeededImageLayer):
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
        size = _per_image(data)
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
        return self._hw(images_shape(data))

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

    def transform_images(
        self, images: Any, transformation: Any = None, training: bool = True
    ) -> Tensor:
        return self._transform_images(as_image_tensor(images), transformation, self.interpolation)

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any = None, training: bool = True
    ) -> Tensor:
        return self._transform_images(
            as_image_tensor(segmentation_masks), transformation, "nearest"
        )

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
        return {"input_shape": images_shape(data)}

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

    def transform_images(
        self, images: Any, transformation: Any = None, training: bool = True
    ) -> Tensor:
        return self._transform_images(self._cast(images), transformation, "bilinear")

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any = None, training: bool = True
    ) -> Tensor:
        return self.transform_images(segmentation_masks, transformation, training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomCrop(SeededImageLayer):
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
        height, width = self._hw(images_shape(data))
        if training and height > self.height and width > self.width:
            rng = self._rng(seed)
            h_start = int(rng.uniform(0, float(height - self.height + 1)))
            w_start = int(rng.uniform(0, float(width - self.width + 1)))
            return h_start, w_start
        h_start, w_start, _, _ = crop_box(height, width, self.height, self.width)
        return h_start, w_start

    def transform_images(self, images: Any, transformation: Any, training: bool = True) -> Tensor:
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
