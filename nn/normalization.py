"""Keras's normalization layers: `BatchNormalization`, `LayerNormalization`,
`Normalization` (statistics from `adapt(data)`) and `UnitNormalization`.

They are `nn.Layer`s: weights made in `build` from the first input's shape, Keras's
names, arguments and defaults, `get_config`. `moments` and `normalize` are the
arithmetic they share with PyTorch's `BatchNorm1d` and `LayerNorm` (`nn.layers`):

    mean = x.mean(axes)      var = ((x - mean)**2).mean(axes)      (biased)
    y = (x - mean) / sqrt(var + eps) * gamma + beta
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, no_grad, where
from autograd.checks import check_bool, check_int, check_real
from nn import init, regularizers
from nn.layer import Layer
from nn.masking import mask_array

#: Keras's `backend.epsilon()`: Normalization's floor on the standard deviation.
EPSILON = 1e-7


def moments(x: Tensor, axes: tuple[int, ...]) -> tuple[Tensor, Tensor, Tensor]:
    """(mean, x - mean, biased var) over `axes`, the statistics kept with their axes."""
    mean = x.mean(axis=axes, keepdims=True)
    d = x - mean
    return mean, d, (d * d).mean(axis=axes, keepdims=True)


def normalize(d: Any, var: Any, eps: float, weight: Any = None, bias: Any = None) -> Tensor:
    """y = d / sqrt(var + eps) * weight + bias, with `d` the centred input (the
    weight and bias left out when None)."""
    y = d / (var + eps).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def _axes(owner: str, axis: Any) -> tuple[int, ...]:
    items = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    return tuple(check_int(owner, "axis", a) for a in items)


def _resolve(owner: str, axes: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """The axes as non-negative, sorted, checked against the input's rank."""
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{owner}: invalid axis {a} for an input of rank {ndim} (must be in "
                f"[{-ndim}, {ndim}))"
            )
    return tuple(sorted({a % ndim for a in axes}))


def _known(owner: str, input_shape: Sequence[int | None], keep: tuple[int, ...]) -> tuple:
    shape = tuple(input_shape[a] for a in keep)
    if any(n is None for n in shape):
        raise ValueError(
            f"{owner}: the axes normalized over ({keep}) must have a known length, got an "
            f"input of shape {tuple(input_shape)}"
        )
    return tuple(int(n) for n in shape)  # type: ignore[arg-type]


def _broadcast(value: Any, ndim: int, keep: tuple[int, ...]) -> Any:
    """A weight of the kept axes' shape reshaped to broadcast against the input."""
    shape = [1] * ndim
    for a, n in zip(keep, np.shape(value.data if isinstance(value, Tensor) else value)):
        shape[a] = n
    return value.reshape(*shape) if isinstance(value, Tensor) else np.reshape(value, shape)


class _KerasLayer(Layer):
    """A layer that remembers the input shape it was built for (kept by `save`)."""

    build_input_shape: tuple[int | None, ...] | None = None

    def _remember(self, input_shape: Sequence[int | None]) -> None:
        object.__setattr__(self, "build_input_shape", tuple(input_shape))


def _affine_options(
    layer: Any,
    axis: Any,
    epsilon: float,
    center: bool,
    scale: bool,
    beta: Any,
    gamma: Any,
    beta_regularizer: Any,
    gamma_regularizer: Any,
) -> None:
    """The arguments Keras's normalization layers share, checked and kept on `layer`:
    the axes, epsilon, whether beta and gamma are learned, their initializers and
    their regularizers."""
    owner = type(layer).__name__
    layer.axis = _axes(owner, axis)
    layer.epsilon = check_real(owner, "epsilon", epsilon, 0, low_open=True)
    layer.center = check_bool(owner, "center", center)
    layer.scale = check_bool(owner, "scale", scale)
    layer.initializers = {"beta": init.get(beta), "gamma": init.get(gamma)}
    layer.beta_regularizer = regularizers.get(beta_regularizer, f"{owner}: beta_regularizer")
    layer.gamma_regularizer = regularizers.get(gamma_regularizer, f"{owner}: gamma_regularizer")
    layer.gamma = layer.beta = None  # made by build


def _affine_config(layer: Any) -> dict[str, Any]:
    """The saved form of the arguments `_affine_options` keeps."""
    return {
        "name": layer.name,
        "axis": list(layer.axis),
        "epsilon": layer.epsilon,
        "center": layer.center,
        "scale": layer.scale,
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
    }


def masked_moments(
    x: Tensor, axes: tuple[int, ...], mask: np.ndarray
) -> tuple[Tensor, Tensor, Tensor]:
    """Keras's masked batch statistics (m: the mask (batch, time) on every feature):
    mean = sum(m x) / (sum(m) + 1e-7), var = sum(m (x - mean)^2) / (sum(m) + 1e-7);
    (mean, x - mean, var), as `moments` gives them."""
    kept = np.broadcast_to(np.expand_dims(mask, -1), x.shape)
    count = Tensor(kept.sum(axis=axes, keepdims=True).astype(x.dtype) + 1e-7)
    mean = where(kept, x, 0.0).sum(axis=axes, keepdims=True) / count
    d = x - mean
    kept_d = where(kept, d, 0.0)
    return mean, d, (kept_d * kept_d).sum(axis=axes, keepdims=True) / count


class BatchNormalization(_KerasLayer):
    """Keras's batch normalization over every axis but `axis` (the features):

        training:  mean, var = the batch's (biased var)
                   moving_mean = moving_mean * momentum + mean * (1 - momentum)
                   moving_variance = moving_variance * momentum + var * (1 - momentum)
        inference: mean, var = moving_mean, moving_variance
        y = (x - mean) / sqrt(var + epsilon) * gamma + beta

    Unlike `nn.BatchNorm1d` (PyTorch's), `momentum` weighs the old statistics and the
    variance kept is the biased one. A frozen layer (`trainable = False`) always runs
    in inference mode, as in Keras. Weights, in `get_weights` order: gamma, beta
    (trainable), moving_mean, moving_variance (not trainable, counted by `summary`
    as non-trainable params). With a mask (`nn.masking`), the batch statistics of
    training are those of the kept steps (Keras's; the mask passes on).

    Args:
        axis: the features axis (or a list of axes).
        momentum: weight of the old moving statistics, in [0, 1].
        epsilon: added to the variance, > 0.
        center: learn beta; scale: learn gamma.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializer names or functions.
        beta_regularizer, gamma_regularizer: penalties on beta and gamma.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str | init.Initializer = "zeros",
        gamma_initializer: str | init.Initializer = "ones",
        moving_mean_initializer: str | init.Initializer = "zeros",
        moving_variance_initializer: str | init.Initializer = "ones",
        beta_regularizer: regularizers.RegularizerLike = None,
        gamma_regularizer: regularizers.RegularizerLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _affine_options(
            self,
            axis,
            epsilon,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
        )
        self.momentum = check_real("BatchNormalization", "momentum", momentum, 0, 1)
        self.initializers["moving_mean"] = init.get(moving_mean_initializer)
        self.initializers["moving_variance"] = init.get(moving_variance_initializer)

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        keep = _resolve("BatchNormalization", self.axis, len(input_shape))
        shape = _known("BatchNormalization", input_shape, keep)
        made = self.initializers
        if self.scale:
            self.gamma = self.add_weight(
                shape, made["gamma"], name="gamma", regularizer=self.gamma_regularizer
            )
        if self.center:
            self.beta = self.add_weight(
                shape, made["beta"], name="beta", regularizer=self.beta_regularizer
            )
        self.moving_mean = self.add_weight(
            shape, made["moving_mean"], name="moving_mean", trainable=False
        )
        self.moving_variance = self.add_weight(
            shape, made["moving_variance"], name="moving_variance", trainable=False
        )
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None, mask: Any = None) -> Tensor:
        ndim = inputs.ndim
        keep = _resolve("BatchNormalization", self.axis, ndim)
        gamma, beta = (
            None if w is None else _broadcast(w, ndim, keep) for w in (self.gamma, self.beta)
        )
        if mask is not None and np.ndim(mask_array(mask)) != ndim - 1:
            raise ValueError(
                "The mask provided should be one dimension less than the inputs. Received: "
                f"mask.shape={np.shape(mask_array(mask))}, inputs.shape={tuple(inputs.shape)}"
            )
        if training and self.trainable:
            axes = tuple(a for a in range(ndim) if a not in keep)
            if mask is None:
                mean, d, var = moments(inputs, axes)
            else:
                mean, d, var = masked_moments(inputs, axes, mask_array(mask))
            m = self.momentum
            with no_grad():
                stats = ((self.moving_mean, mean), (self.moving_variance, var))
                for moving, batch in stats:
                    moving.data[...] = moving.data * m + batch.data.reshape(moving.shape) * (1 - m)
            return normalize(d, var, self.epsilon, gamma, beta)
        d = inputs - _broadcast(self.moving_mean, ndim, keep)
        return normalize(d, _broadcast(self.moving_variance, ndim, keep), self.epsilon, gamma, beta)

    def get_config(self) -> dict[str, Any]:
        return {**_affine_config(self), "momentum": self.momentum}

    def extra_repr(self) -> str:
        return f"axis={list(self.axis)}, momentum={self.momentum}, epsilon={self.epsilon}"


class LayerNormalization(_KerasLayer):
    """Keras's layer normalization: each sample normalized over `axis` on its own,
    in training and inference alike:

        y = (x - mean) / sqrt(var + epsilon) * gamma + beta

    mean and var (biased) over `axis`; gamma and beta have the shape of those axes.
    PyTorch's form, over trailing axes with eps=1e-5, is `nn.LayerNorm`.

    Args:
        axis: the axis (or list of axes) normalized over.
        epsilon: added to the variance, > 0 (Keras's 1e-3).
        center: learn beta; scale: learn gamma.
        beta_initializer, gamma_initializer: initializer names or functions.
        beta_regularizer, gamma_regularizer: penalties on beta and gamma.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str | init.Initializer = "zeros",
        gamma_initializer: str | init.Initializer = "ones",
        beta_regularizer: regularizers.RegularizerLike = None,
        gamma_regularizer: regularizers.RegularizerLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        _affine_options(
            self,
            axis,
            epsilon,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
        )

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        keep = _resolve("LayerNormalization", self.axis, len(input_shape))
        shape = _known("LayerNormalization", input_shape, keep)
        if self.scale:
            self.gamma = self.add_weight(
                shape, self.initializers["gamma"], name="gamma", regularizer=self.gamma_regularizer
            )
        if self.center:
            self.beta = self.add_weight(
                shape, self.initializers["beta"], name="beta", regularizer=self.beta_regularizer
            )
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        ndim = inputs.ndim
        keep = _resolve("LayerNormalization", self.axis, ndim)
        _, d, var = moments(inputs, keep)
        gamma, beta = (
            None if w is None else _broadcast(w, ndim, keep) for w in (self.gamma, self.beta)
        )
        return normalize(d, var, self.epsilon, gamma, beta)

    def get_config(self) -> dict[str, Any]:
        return _affine_config(self)

    def extra_repr(self) -> str:
        return f"axis={list(self.axis)}, epsilon={self.epsilon}"


class UnitNormalization(_KerasLayer):
    """Keras's unit normalization: each sample scaled to an L2 norm of 1 over `axis`:

        y = x / sqrt(max(sum(x**2, axis), 1e-12))

    Args:
        axis: the axis (or list of axes) the norm is taken over.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(self, axis: int | Sequence[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axes("UnitNormalization", axis)

    def call(self, inputs: Tensor) -> Tensor:
        keep = _resolve("UnitNormalization", self.axis, inputs.ndim)
        squares = (inputs * inputs).sum(axis=keep, keepdims=True)
        return inputs / squares.clip(1e-12, None).sqrt()

    def get_config(self) -> dict[str, Any]:
        axis = self.axis[0] if len(self.axis) == 1 else list(self.axis)
        return {"name": self.name, "axis": axis}

    def extra_repr(self) -> str:
        return f"axis={list(self.axis)}"
