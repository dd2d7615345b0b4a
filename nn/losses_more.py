"""Keras 3's other losses: hinge, probabilistic, regression and focal losses, as loss
classes (`nn.losses.Loss`, called targets first, `loss(y_true, y_pred,
sample_weight=None)`) and as functions giving one value per sample.

Each function follows `keras.losses`'s formula (eps = 1e-7, Keras's `epsilon()`), on
autograd ops so that `fit` trains with it:

    hinge               mean(max(1 - y * p, 0))            y in {0, 1} becomes 2y - 1
    squared_hinge       mean(max(1 - y * p, 0) ** 2)       (the same labels)
    categorical_hinge   max(max((1 - y) * p) - sum(y * p) + 1, 0)
    kl_divergence       sum(y * log(y / p)), y and p clipped to [eps, 1]
    poisson             mean(p - y * log(p + eps))
    log_cosh            mean(d + softplus(-2d) - log 2), d = p - y
    huber               mean(d**2 / 2 if |d| <= delta else delta * |d| - delta**2 / 2)
    cosine_similarity   -sum(y / |y| * p / |p|) over `axis` (norms at least eps)
    mean_absolute_percentage_error   100 * mean(|y - p| / max(|y|, eps))
    mean_squared_logarithmic_error   mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))**2)
    binary_focal_crossentropy        mean((1 - p_t)**gamma * bce), see its docstring
    categorical_focal_crossentropy   sum(alpha * (1 - p)**gamma * -y log p)

The means and sums are over the last axis; targets (N,) and predictions (N, 1) (or the
other way round) are first given the same rank, as Keras does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, as_tensor, get_default_dtype
from nn.losses import Loss, LossFunctionWrapper, keras_target

EPSILON = 1e-7


def _tensors(y_true: Any, y_pred: Any) -> tuple[Tensor, Tensor]:
    """y_pred as a float Tensor and y_true as a Tensor of its dtype, given the same rank
    as Keras's `squeeze_or_expand_to_same_rank` does. Targets computed from weights
    (a teacher's softmax in knowledge distillation) stay in the graph, as Keras's
    losses differentiate both arguments; other targets are constants."""
    y_pred = as_tensor(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(get_default_dtype())
    y_true = keras_target(y_true, y_pred.dtype)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_true = y_true.reshape((*y_true.shape, 1))
    return y_true, y_pred


def _hinge_labels(y_true: Tensor) -> Tensor:
    """Keras's `convert_binary_labels_to_hinge`: labels all 0 or 1 become -1 and 1."""
    values = y_true.data
    return y_true * 2.0 - 1.0 if np.all((values == 0) | (values == 1)) else y_true


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(max(1 - y_true * y_pred, 0)) over the last axis (0/1 labels become -1/1)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return autograd.relu(1.0 - _hinge_labels(y_true) * y_pred).mean(axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(max(1 - y_true * y_pred, 0)**2) over the last axis (0/1 labels become -1/1)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return autograd.relu(1.0 - _hinge_labels(y_true) * y_pred).square().mean(axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """max(neg - pos + 1, 0) with pos = sum(y_true * y_pred), neg = max((1 - y_true) * y_pred)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    pos = (y_true * y_pred).sum(axis=-1)
    neg = ((1.0 - y_true) * y_pred).max(axis=-1)
    return autograd.relu(neg - pos + 1.0)


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [eps, 1]."""
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true = y_true.clip(EPSILON, 1.0)
    return (y_true * (y_true / y_pred.clip(EPSILON, 1.0)).log()).sum(axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """mean(y_pred - y_true * log(y_pred + eps)) over the last axis."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return (y_pred - y_true * (y_pred + EPSILON).log()).mean(axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """mean(log(cosh(y_pred - y_true))) over the last axis, as d + softplus(-2d) - log 2."""
    y_true, y_pred = _tensors(y_true, y_pred)
    d = y_pred - y_true
    return (d + autograd.softplus(d * -2.0) - math.log(2.0)).mean(axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """mean(d**2 / 2 where |d| <= delta, else delta * |d| - delta**2 / 2) over the last
    axis, d = y_pred - y_true."""
    y_true, y_pred = _tensors(y_true, y_pred)
    error = y_pred - y_true
    size = error.abs()
    inside = size.data <= delta
    return autograd.where(inside, 0.5 * error.square(), delta * size - 0.5 * delta**2).mean(axis=-1)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """x * min(1 / |x|, 1 / eps), as Keras's `ops.normalize` (written with the norm's
    square floored at eps**2, which is the same and keeps the slope finite at 0)."""
    square_sum = x.square().sum(axis=axis, keepdims=True)
    return x * autograd.rsqrt(autograd.maximum(square_sum, EPSILON**2))


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """-sum(y_true / |y_true| * y_pred / |y_pred|) over `axis` (-1 for identical
    directions; a zero vector gives 0)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return -(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(axis=axis)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """100 * mean(|y_true - y_pred| / max(|y_true|, eps)) over the last axis."""
    y_true, y_pred = _tensors(y_true, y_pred)
    scale = np.maximum(np.abs(y_true.data), EPSILON)
    return 100.0 * ((y_true - y_pred) / scale).abs().mean(axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))**2) over the last axis."""
    y_true, y_pred = _tensors(y_true, y_pred)
    first = (autograd.maximum(y_pred, EPSILON) + 1.0).log()
    second = np.log(np.maximum(y_true.data, EPSILON) + 1.0)
    return (first - second).square().mean(axis=-1)


def _check_axis(axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r}")
    return int(axis)


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """mean((1 - p_t)**gamma * bce) over `axis`, where p = y_pred (sigmoid(y_pred)
    with `from_logits`), bce = -(y log p + (1 - y) log(1 - p)) with p clipped to
    [eps, 1 - eps], p_t = y p + (1 - y)(1 - p), y label-smoothed to
    y (1 - s) + s / 2; with `apply_class_balancing` each value is also weighted by
    alpha for y = 1 and 1 - alpha for y = 0."""
    axis = _check_axis(axis)
    y_true, y_pred = _tensors(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = autograd.sigmoid(y_pred)
    clipped = y_pred.clip(EPSILON, 1.0 - EPSILON)
    bce = -(y_true * clipped.log() + (1.0 - y_true) * (1.0 - clipped).log())
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = autograd.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(axis=axis)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """sum(alpha * (1 - p)**gamma * -y log p) over `axis`, where p = y_pred
    (softmax(y_pred) with `from_logits`) divided by its sum and clipped to
    [eps, 1 - eps], and y one-hot rows label-smoothed to y (1 - s) + s / classes."""
    axis = _check_axis(axis)
    y_true, y_pred = _tensors(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = autograd.softmax(y_pred, axis)
    output = (y_pred / y_pred.sum(axis=axis, keepdims=True)).clip(EPSILON, 1.0 - EPSILON)
    cce = -y_true * output.log()
    return (autograd.power(1.0 - output, gamma) * alpha * cce).sum(axis=axis)


class _KerasLossClass(LossFunctionWrapper):
    """A Keras loss class: its function with the options in `options` (which
    `get_config` saves besides the name and the reduction)."""

    options: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), **{key: self._fn_kwargs[key] for key in self.options}}


class Hinge(_KerasLossClass):
    """Keras's `keras.losses.Hinge`: `hinge` per sample, reduced as `Loss` says."""

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name: str = "hinge", dtype: Any = None
    ) -> None:
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(_KerasLossClass):
    """Keras's `keras.losses.SquaredHinge`: `squared_hinge` per sample."""

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name: str = "squared_hinge", dtype: Any = None
    ) -> None:
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(_KerasLossClass):
    """Keras's `keras.losses.CategoricalHinge`: `categorical_hinge` per sample."""

    def __init__(
        self,
        reduction: Any = "sum_over_batch_size",
        name: str = "categorical_hinge",
        dtype: Any = None,
    ) -> None:
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(_KerasLossClass):
    """Keras's `keras.losses.KLDivergence`: `kl_divergence` per sample."""

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name: str = "kl_divergence", dtype: Any = None
    ) -> None:
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(_KerasLossClass):
    """Keras's `keras.losses.Poisson`: `poisson` per sample."""

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name: str = "poisson", dtype: Any = None
    ) -> None:
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


class LogCosh(_KerasLossClass):
    """Keras's `keras.losses.LogCosh`: `log_cosh` per sample."""

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name: str = "log_cosh", dtype: Any = None
    ) -> None:
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class Huber(_KerasLossClass):
    """Keras's `keras.losses.Huber`: `huber` per sample with `delta` (which, unlike
    Keras's, `get_config` keeps, so that a saved model gets it back)."""

    options = ("delta",)

    def __init__(
        self,
        delta: float = 1.0,
        reduction: Any = "sum_over_batch_size",
        name: str = "huber_loss",
        dtype: Any = None,
    ) -> None:
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class CosineSimilarity(_KerasLossClass):
    """Keras's `keras.losses.CosineSimilarity`: `cosine_similarity` over `axis` (kept
    by `get_config`, unlike Keras's)."""

    options = ("axis",)

    def __init__(
        self,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name: str = "cosine_similarity",
        dtype: Any = None,
    ) -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)


class MeanAbsolutePercentageError(_KerasLossClass):
    """Keras's `keras.losses.MeanAbsolutePercentageError` per sample."""

    def __init__(
        self,
        reduction: Any = "sum_over_batch_size",
        name: str = "mean_absolute_percentage_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype
        )


class MeanSquaredLogarithmicError(_KerasLossClass):
    """Keras's `keras.losses.MeanSquaredLogarithmicError` per sample."""

    def __init__(
        self,
        reduction: Any = "sum_over_batch_size",
        name: str = "mean_squared_logarithmic_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype
        )


class BinaryFocalCrossentropy(_KerasLossClass):
    """Keras's `keras.losses.BinaryFocalCrossentropy`: `binary_focal_crossentropy`
    with its options, on probabilities unless `from_logits=True`."""

    options = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma")

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            binary_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=_check_axis(axis),
        )
        self.from_logits = from_logits


class CategoricalFocalCrossentropy(_KerasLossClass):
    """Keras's `keras.losses.CategoricalFocalCrossentropy`:
    `categorical_focal_crossentropy` with its options (one-hot targets)."""

    options = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name: str = "categorical_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            categorical_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=_check_axis(axis),
        )
        self.from_logits = from_logits


#: Keras's names of these losses for `compile(loss=...)` (besides "huber", which
#: `nn.losses.LOSSES` already maps to the same values): the function names and
#: Keras's short names.
NAMES: dict[str, type[Loss]] = {
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "poisson": Poisson,
    "log_cosh": LogCosh,
    "cosine_similarity": CosineSimilarity,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "binary_focal_crossentropy": BinaryFocalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
}
