"""Keras's `Normalization` (with `adapt`), `Rescaling`, `Reshape` and `GaussianNoise`:
`nn.Layer`s with Keras's names, arguments, defaults and `get_config`; and Keras's
`LeakyReLU` layer (PyTorch's `nn.LeakyReLU` with Keras's default slope and name)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Generator, Tensor, randn, where
from autograd.checks import check_bool, check_int, check_real
from nn import activations as act
from nn.layer import Layer, autocast
from nn.normalization import EPSILON, _broadcast, _KerasLayer, _known, _resolve
from nn.symbolic import default_name


class Normalization(_KerasLayer):
    """Keras's feature-wise standardization with fixed statistics:

        y = (x - mean) / max(sqrt(variance), 1e-7)          (invert: x * max(...) + mean)

    The statistics are given (`mean`, `variance`) or computed by `adapt(data)` for
    each position along `axis` (over every other axis of the data; `axis=None` for one
    mean and variance over all). Adapted statistics are the layer's non-trainable
    weights `mean`, `variance` and Keras's `count` (an int kept at 0, as Keras keeps
    it), so `summary` counts 2 * features + 1 params, as Keras.

    Args:
        axis: the axis (or axes) kept, None for none.
        mean, variance: the statistics (scalars, or arrays of the kept axes' shape);
            give both or neither.
        invert: undo the normalization instead.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Example:
        >>> import numpy as np, nn
        >>> layer = nn.layers.Normalization()
        >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]], dtype=np.float32))
        >>> layer(np.array([[1.0, 20.0]], dtype=np.float32)).data
        array([[0., 0.]], dtype=float32)
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        axis: int | Sequence[int] | None = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "Normalization"
        if axis is None:
            self.axis: tuple[int, ...] = ()
        else:
            items = list(axis) if isinstance(axis, (list, tuple)) else [axis]
            self.axis = tuple(check_int(owner, "axis", a) for a in items)
        if (mean is None) != (variance is None):
            raise ValueError(
                f"{owner}: give both mean and variance or neither, got mean={mean!r} and "
                f"variance={variance!r}"
            )
        self.input_mean = None if mean is None else np.asarray(mean, dtype=self.dtype)
        self.input_variance = None if variance is None else np.asarray(variance, dtype=self.dtype)
        if self.input_variance is not None and (self.input_variance < 0).any():
            raise ValueError(f"{owner}: variance must be >= 0, got {variance!r}")
        self.invert = check_bool(owner, "invert", invert)

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        keep = _resolve("Normalization", self.axis, len(input_shape))
        shape = _known("Normalization", input_shape, keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape, "zeros", name="mean", trainable=False)
            self.adapt_variance = self.add_weight(shape, "ones", name="variance", trainable=False)
            self.register_buffer("count", np.zeros((), np.int32))  # Keras's, never counted up
        self.built = True

    @property
    def mean(self) -> Tensor | None:
        """Keras's `mean`: the mean (adapted or given) in the shape that broadcasts
        against the inputs, `(1, features)` for `axis=-1`; None before `build`."""
        return self._statistic(self.input_mean, "adapt_mean")

    @property
    def variance(self) -> Tensor | None:
        """Keras's `variance`, in the shape of `mean`."""
        return self._statistic(self.input_variance, "adapt_variance")

    def _statistic(self, given: Any, weight: str) -> Tensor | None:
        built = self.build_input_shape
        if not self.built or built is None:
            return None
        keep = _resolve("Normalization", self.axis, len(built))
        value = getattr(self, weight).data if given is None else given
        shape = [int(n or 1) if a in keep else 1 for a, n in enumerate(built)]
        if np.ndim(value):
            value = _broadcast(value, len(built), keep)
        return Tensor(np.array(np.broadcast_to(value, shape), dtype=self.dtype))

    def adapt(self, data: Any) -> None:
        """Set `mean` and `variance` to those of `data` over every axis but `axis`.

        `data` is an array (or Tensor) of samples, or an iterable of such batches,
        whose statistics are merged as Keras merges them (weighted by count, the
        variance by the lack-of-fit sum of squares); the variance is the biased one.

        Raises:
            ValueError: data whose kept axes differ from the built shape, or no batches.
            TypeError: data that is neither an array nor an iterable of arrays.
        """
        if self.input_mean is not None:
            raise ValueError("Normalization: adapt cannot change a mean and variance given")
        if isinstance(data, (np.ndarray, Tensor)):
            batches: Iterable[Any] = [data]
        elif isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
            batches = data
        else:
            raise TypeError(
                f"Normalization.adapt: data must be an array or an iterable of batches, got "
                f"{type(data).__name__}"
            )
        total_mean = total_var = None
        total = 0
        for batch in batches:
            array = np.asarray(batch.data if isinstance(batch, Tensor) else batch)
            if not self.built:
                self.build(array.shape)
                self.built = True
            keep = self._check_shape(array.shape)
            reduce = tuple(a for a in range(array.ndim) if a not in keep)
            batch_mean, batch_var = np.mean(array, axis=reduce), np.var(array, axis=reduce)
            count = math.prod(array.shape[a] for a in reduce)
            if total_mean is None:  # the first batch as it is (an array: Keras's one pass)
                total_mean, total_var, total = batch_mean, batch_var, count
                continue
            total += count
            w = count / total
            new_mean = total_mean * (1 - w) + batch_mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) + (
                batch_var + (batch_mean - new_mean) ** 2
            ) * w
            total_mean = new_mean
        if total_mean is None:
            raise ValueError("Normalization.adapt: the data holds no batches")
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_var)

    def _check_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        built = self.build_input_shape or ()
        keep = _resolve("Normalization", self.axis, len(shape))
        if len(shape) != len(built) or any(shape[a] != built[a] for a in keep):
            raise ValueError(
                f"Normalization: the layer was built for inputs of shape {built}, but got data "
                f"of shape {shape}"
            )
        return keep

    def call(self, inputs: Tensor) -> Tensor:
        ndim = inputs.ndim
        keep = _resolve("Normalization", self.axis, ndim)
        mean: Any = self.adapt_mean.data if self.input_mean is None else self.input_mean
        variance: Any = self.adapt_variance.data if self.input_mean is None else self.input_variance
        if np.ndim(mean) == 0:
            mean, variance = np.reshape(mean, (1,) * ndim), np.reshape(variance, (1,) * ndim)
        else:
            mean, variance = _broadcast(mean, ndim, keep), _broadcast(variance, ndim, keep)
        scale = np.maximum(np.sqrt(variance), EPSILON).astype(inputs.dtype)
        mean = mean.astype(inputs.dtype)
        return inputs * scale + mean if self.invert else (inputs - mean) / scale

    def get_config(self) -> dict[str, Any]:
        def listed(value: Any) -> Any:
            return None if value is None else np.asarray(value).tolist()

        return {
            "name": self.name,
            "axis": list(self.axis) if self.axis else None,
            "mean": listed(self.input_mean),
            "variance": listed(self.input_variance),
            "invert": self.invert,
        }

    def extra_repr(self) -> str:
        return f"axis={list(self.axis) or None}, invert={self.invert}"


class Rescaling(Layer):
    """y = x * scale + offset (Keras's: pixels in [0, 255] to [0, 1] with 1 / 255).

    Args:
        scale: the factor.
        offset: added after scaling.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = check_real("Rescaling", "scale", scale)
        self.offset = check_real("Rescaling", "offset", offset)

    def call(self, inputs: Tensor) -> Tensor:
        return inputs * self.scale + self.offset

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "scale": self.scale, "offset": self.offset}

    def extra_repr(self) -> str:
        return f"scale={self.scale}, offset={self.offset}"


class Reshape(Layer):
    """Reshape each sample to `target_shape`: (batch, *in) -> (batch, *target_shape).

    Args:
        target_shape: the shape of one sample, without the batch axis; one entry may
            be -1, inferred from the others.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Raises:
        ValueError: a target shape that is not a tuple of positive ints (and at most
            one -1), or inputs whose samples do not hold that many values.
    """

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if (
            not isinstance(target_shape, (list, tuple))
            or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool) and (n > 0 or n == -1)
                for n in target_shape
            )
            or list(target_shape).count(-1) > 1
        ):
            raise ValueError(
                f"Reshape: invalid target_shape {target_shape!r} (must be a tuple of positive "
                "ints, one of which may be -1, e.g. (28, 28, 1))"
            )
        self.target_shape = tuple(int(n) for n in target_shape)

    def call(self, inputs: Tensor) -> Tensor:
        size = math.prod(inputs.shape[1:])
        known = math.prod(n for n in self.target_shape if n != -1)
        if size % known if -1 in self.target_shape else size != known:
            raise ValueError(
                f"Reshape: cannot reshape samples of shape {inputs.shape[1:]} ({size} values) "
                f"to target_shape {self.target_shape}"
            )
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "target_shape": list(self.target_shape)}

    def extra_repr(self) -> str:
        return f"target_shape={self.target_shape}"


class GaussianNoise(Layer):
    """Additive zero-mean noise, in training only: y = x + stddev * N(0, 1); y = x
    in inference (Keras's regularizing layer).

    Args:
        stddev: the noise's standard deviation, >= 0.
        seed: seed of the layer's own generator (default: `autograd.default_generator`).
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = check_real("GaussianNoise", "stddev", stddev, 0)
        self.seed = None if seed is None else check_int("GaussianNoise", "seed", seed)
        self.generator = None if seed is None else Generator().manual_seed(seed)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.stddev == 0:
            return inputs
        noise = randn(*inputs.shape, dtype=inputs.dtype, generator=self.generator)
        return inputs + self.stddev * noise

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "stddev": self.stddev, "seed": self.seed}

    def extra_repr(self) -> str:
        return f"stddev={self.stddev}"


class LeakyReLU(act.LeakyReLU):
    """Keras's `layers.LeakyReLU`: f(x) = x if x > 0 else negative_slope * x, with
    Keras's default slope 0.3 (PyTorch's `nn.LeakyReLU`, this class's base, has 0.01).

    Args:
        negative_slope: the slope for x < 0, >= 0. `alpha` is Keras 2's name for it.
        name: the layer's name (default `leaky_re_lu`, `leaky_re_lu_1`, ...).

    Raises:
        ValueError: a negative slope, or both `negative_slope` and `alpha`.
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        negative_slope: float = 0.3,
        *,
        name: str | None = None,
        alpha: float | None = None,
    ) -> None:
        if alpha is not None:
            if negative_slope != 0.3:
                raise ValueError(
                    f"LeakyReLU: got negative_slope={negative_slope} and alpha={alpha} (Keras "
                    "2's name for it); pass one of them"
                )
            negative_slope = alpha
        check_real("LeakyReLU", "negative_slope", negative_slope)
        if negative_slope < 0:
            raise ValueError(
                f"LeakyReLU: negative_slope must be >= 0 (as Keras's), got {negative_slope}"
            )
        super().__init__(negative_slope)
        self.name = default_name(self, name)

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(autocast(x))  # floats in the default dtype, as Keras's layer


class Softmax(act.Softmax):
    """Keras's `layers.Softmax(axis=-1)`: exp(x_i) / sum_j exp(x_j) along `axis`
    (PyTorch's `nn.Softmax`, this class's base, with Keras's `name`)."""

    saved_name = "keras.layers.Softmax"  # (`nn.saving`: PyTorch's is "Softmax")
    supports_masking = True  # Keras's: it reads the mask and passes it on

    def __init__(self, axis: int = -1, *, name: str | None = None) -> None:
        super().__init__(axis)
        self.name = default_name(self, name)

    def forward(self, x: Tensor, mask: Any = None) -> Tensor:
        """softmax(x) along `axis`; with a `mask` broadcastable to x (True, or > 0.5,
        where kept), Keras's: masked entries of x become -1e9 (-3e4 in float16) before
        the softmax and 0 after it (so an all-masked row gives zeros).

        Raises:
            ValueError: a mask that does not broadcast to x (Keras's message).
        """
        if mask is None:
            return super().forward(x)
        kept = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
        if kept.ndim > x.ndim:
            raise ValueError(
                "The `mask` must be broadcastable to `inputs` and must not have more "
                f"dimensions. Received: inputs.shape={tuple(x.shape)}, mask.shape={kept.shape}"
            )
        for m_dim, i_dim in zip(kept.shape[::-1], tuple(x.shape)[::-1]):
            if m_dim != 1 and m_dim != i_dim:
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs`. Each mask dimension must "
                    "be 1 or match the corresponding input dimension. Received: "
                    f"inputs.shape={tuple(x.shape)}, mask.shape={kept.shape}"
                )
        kept = kept if kept.dtype == np.bool_ else kept > 0.5
        kept = np.broadcast_to(kept, x.shape)
        x = autocast(x)
        large = -3e4 if x.dtype == np.float16 else -1e9
        return where(kept, super().forward(where(kept, x, large)), 0.0)


class ELU(act.ELU):
    """Keras's `layers.ELU(alpha=1.0)`: x if x > 0 else alpha * (exp(x) - 1)."""

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    saved_name = "keras.layers.ELU"  # (`nn.saving`: PyTorch's is "ELU")

    def __init__(self, alpha: float = 1.0, *, name: str | None = None) -> None:
        super().__init__(alpha)
        self.name = default_name(self, name)


class ReLU(Layer):
    """Keras's `layers.ReLU(max_value=None, negative_slope=0.0, threshold=0.0)`:

        f(x) = min(x, max_value)                 for x > threshold
        f(x) = negative_slope * (x - threshold)  otherwise

    computed as Keras computes it (relu, cut at `max_value`, less `negative_slope`
    times relu(threshold - x)).

    Raises:
        ValueError: a negative `max_value`, `negative_slope` or `threshold`.
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    saved_name = "keras.layers.ReLU"  # (`nn.saving`: PyTorch's is "ReLU")

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)  # Keras's layer arguments: name, ...
        if max_value is not None and check_real("ReLU", "max_value", max_value) < 0:
            raise ValueError(f"ReLU: max_value must be >= 0, got {max_value}")
        if check_real("ReLU", "negative_slope", negative_slope) < 0:
            raise ValueError(f"ReLU: negative_slope must be >= 0, got {negative_slope}")
        if check_real("ReLU", "threshold", threshold) < 0:
            raise ValueError(f"ReLU: threshold must be >= 0 (as Keras's), got {threshold}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs: Any) -> Tensor:
        x = autocast(inputs)
        if self.threshold:
            y = x * (x.data > self.threshold).astype(x.dtype)
        else:
            y = x.relu()
        if self.max_value is not None:
            y = y.clip(0.0, self.max_value)
        if self.negative_slope:
            y = y - self.negative_slope * (self.threshold - x).relu()
        return y

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }
