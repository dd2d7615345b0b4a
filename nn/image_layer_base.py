"""The base of Keras's image preprocessing layers (`nn.keras_image`,
`nn.keras_image_affine`): `BaseImagePreprocessingLayer`, Keras's protocol of
`get_random_transformation` and `transform_images`, and the seeded random layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, default_rng
from nn.image_affine import standardize_data_format
from nn.layer import Layer
from nn.random import SeedGenerator

_IMAGE_KEYS = ("images", "labels", "segmentation_masks")


def as_image_tensor(value: Any) -> Tensor:
    """A Tensor of images (an array converted; a Tensor as it is, its graph kept)."""
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value))


def images_shape(data: Any) -> tuple[int, ...]:
    """The shape of the images of a call's data (an array, or a dict's "images")."""
    images = data["images"] if isinstance(data, dict) else data
    return tuple(images.shape)


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
        raise NotImplementedError(  # the hook a subclass defines, as Keras's base layer
            f"Layer {type(self).__name__} does not define how it transforms images: define "
            "_transform_images(images, transformation, interpolation) or transform_images("
            "images, transformation, training) in it"
        )

    def _cast(self, images: Any) -> Tensor:
        x = as_image_tensor(images)
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
            masks = as_image_tensor(segmentation_masks)
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

    def _apply(
        self, method: Any, value: Any, transformation: Any, training: bool, batched: bool
    ) -> Any:
        """`method` on a batch, or on one image as a batch of one."""
        if batched:
            return method(value, transformation, training=training)
        single = as_image_tensor(value).unsqueeze(0)
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

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        """The shape of the output for inputs of `input_shape`: the same, unless the
        layer gives its images a size of its own (`height`, `width`)."""
        shape = list(input_shape)
        size = getattr(self, "height", None), getattr(self, "width", None)
        if None not in size:
            row = len(shape) - (3 if self.data_format == "channels_last" else 2)
            shape[row : row + 2] = size
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


def check_choice(value: str, argument: str, choices: tuple[str, ...]) -> str:
    """Keras's check of `fill_mode` and `interpolation` (its NotImplementedError is
    a ValueError here: an argument's value, not a missing feature)."""
    if value not in choices:
        raise ValueError(f"Unknown `{argument}` {value}. Expected of one {choices}.")
    return value


def _seed(owner: str, seed: Any) -> int | None:
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
        raise ValueError(f"{owner}: seed must be an int or None, got {seed!r}")
    return None if seed is None else int(seed)


class SeededImageLayer(BaseImagePreprocessingLayer):
    """A random layer: `seed` seeds the layer's own generator."""

    def _init_seed(self, seed: Any) -> None:
        self.seed = _seed(type(self).__name__, seed)
        self.generator = None if self.seed is None else np.random.default_rng(self.seed)
