"""Keras 3's other metrics: the losses as metrics, top-k accuracy, correlations, `Sum`,
`R2Score` and the F-scores, with Keras's names, state and formulas.

Most are means of a value per sample (`MeanMetricWrapper` over a function of
`nn.losses` or of this module): total += sum(w_i * v_i), count += sum(w_i),
result = total / count. The others keep Keras's state variables:

- `Sum`: total += sum(w_i * v_i) (each sample's values summed).
- `R2Score`: per output column, sums of w*y, w*y**2, w*(y - p)**2 and w; the score
  1 - SS_res / SS_tot per column (0 where SS_tot is 0), averaged uniformly or by
  variance, or adjusted for `num_regressors`.
- `FBetaScore` / `F1Score`: weighted true positives, false positives, false
  negatives and positives per class (or in total for "micro"), then
  (1 + b**2) P R / (b**2 P + R) with Keras's eps = 1e-7 in each division.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, get_default_dtype
from nn import losses
from nn.keras_metrics import MeanMetricWrapper, Metric, _array, _same_rank
from nn.layer import Variable

EPSILON = 1e-7


def _floats(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """y_pred as a float array and y_true in its dtype, given the same rank as Keras does."""
    y_pred = _array(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(get_default_dtype())
    y_true, y_pred = _same_rank(_array(y_true).astype(y_pred.dtype), y_pred)
    return y_true, y_pred


def _in_top_k(targets: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    """Keras's `in_top_k`: the target's score has fewer than k scores strictly above it
    (so ties with the k-th score count as in; a NaN target score never is)."""
    at_label = np.take_along_axis(predictions, targets.astype(np.int64)[:, None], axis=-1)
    at_label = np.where(np.isnan(at_label), -np.inf, at_label)
    return 1 + (predictions > at_label).sum(axis=-1) <= k


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the one-hot target's class is among the k highest predictions (Keras's
    tie rule, see `_in_top_k`), else 0."""
    y_pred = _array(y_pred)
    labels = _array(y_true).argmax(axis=-1)
    scores = y_pred.reshape(-1, y_pred.shape[-1])
    return (
        _in_top_k(labels.reshape(-1), scores, k).reshape(labels.shape).astype(get_default_dtype())
    )


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> np.ndarray:
    """1 where the integer label is among the k highest predictions (or, with
    `from_sorted_ids`, among the first k ids of each row of y_pred), else 0."""
    y_pred = _array(y_pred)
    labels = _array(y_true)
    shape = labels.shape
    flat = labels.reshape(-1)
    scores = y_pred.reshape(-1, y_pred.shape[-1])
    if from_sorted_ids:
        hits = np.any(flat.astype(scores.dtype)[:, None] == scores[:, :k], axis=1)
    else:
        hits = _in_top_k(flat.astype(np.int32), scores, k)
    return hits.reshape(shape).astype(get_default_dtype())


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """mean(z(y_true) * z(y_pred)) over `axis`, z the values less their mean over
    the population standard deviation."""
    y_true, y_pred = _floats(y_true, y_pred)
    t = y_true - y_true.mean(axis=axis, keepdims=True)
    p = y_pred - y_pred.mean(axis=axis, keepdims=True)
    t = t / t.std(axis=axis, keepdims=True)
    p = p / p.std(axis=axis, keepdims=True)
    return np.mean(t * p, axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Keras's concordance correlation over `axis`: mean(2 (y_true - mean(y_pred))
    (y_pred - mean(y_pred)) / (var(y_true) + var(y_pred) + (mean(y_true) -
    mean(y_pred))**2 + eps))."""
    y_true, y_pred = _floats(y_true, y_pred)
    t_mean = y_true.mean(axis=axis, keepdims=True)
    p_mean = y_pred.mean(axis=axis, keepdims=True)
    t_var = (y_true - t_mean).var(axis=axis, keepdims=True)
    p_var = (y_pred - p_mean).var(axis=axis, keepdims=True)
    covar = (y_true - p_mean) * (y_pred - p_mean)
    norm = t_var + p_var + np.square(t_mean - p_mean)
    return np.mean(2 * covar / (norm + EPSILON), axis=axis)


def _cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """The metric's cosine similarity: +sum(...) (the loss's is its negative)."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class _Wrapped(MeanMetricWrapper):
    """A Keras `MeanMetricWrapper` subclass: the mean of `fn` with fixed options."""

    def get_config(self) -> dict[str, Any]:
        return {**Metric.get_config(self), **self._fn_kwargs}


class BinaryCrossentropy(_Wrapped):
    """The mean of `nn.losses.binary_crossentropy` (Keras's metric)."""

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: npt.DTypeLike | None = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ) -> None:
        super().__init__(
            losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(_Wrapped):
    """The mean of `nn.losses.categorical_crossentropy` (Keras's metric)."""

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: npt.DTypeLike | None = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(_Wrapped):
    """The mean of `nn.losses.sparse_categorical_crossentropy` (Keras's metric; samples
    of `ignore_class` count as 0)."""

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: npt.DTypeLike | None = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Keras's masking of `ignore_class`: it takes their weight away when there are
        sample weights (without them, their 0 still counts, as in Keras)."""
        ignore = self._fn_kwargs["ignore_class"]
        if ignore is not None and sample_weight is not None:
            labels = _array(y_true).reshape(len(_array(y_true)), -1)[:, 0]
            w = _array(sample_weight).astype(self._dtype)
            sample_weight = w * (labels != ignore).reshape((-1,) + (1,) * (w.ndim - 1))
        super().update_state(y_true, y_pred, sample_weight)


class _Plain(_Wrapped):
    """A metric over `fn` without options, named `default_name` unless given a name."""

    fn: Callable[..., Any]
    default_name: str

    def __init__(self, name: str | None = None, dtype: npt.DTypeLike | None = None) -> None:
        super().__init__(type(self).fn, name=name or self.default_name, dtype=dtype)


class Hinge(_Plain):
    """The mean of `nn.losses.hinge` (default name "hinge")."""

    fn, default_name = staticmethod(losses.hinge), "hinge"


class SquaredHinge(_Plain):
    """The mean of `nn.losses.squared_hinge` (default name "squared_hinge")."""

    fn, default_name = staticmethod(losses.squared_hinge), "squared_hinge"


class CategoricalHinge(_Plain):
    """The mean of `nn.losses.categorical_hinge` (default name "categorical_hinge")."""

    fn, default_name = staticmethod(losses.categorical_hinge), "categorical_hinge"


class KLDivergence(_Plain):
    """The mean of `nn.losses.kl_divergence` (default name "kl_divergence")."""

    fn, default_name = staticmethod(losses.kl_divergence), "kl_divergence"


class Poisson(_Plain):
    """The mean of `nn.losses.poisson` (default name "poisson")."""

    fn, default_name = staticmethod(losses.poisson), "poisson"


class LogCoshError(_Plain):
    """The mean of `nn.losses.log_cosh` (Keras's default name: "logcosh")."""

    fn, default_name = staticmethod(losses.log_cosh), "logcosh"


class MeanAbsolutePercentageError(_Plain):
    """The mean of `nn.losses.mean_absolute_percentage_error`."""

    fn = staticmethod(losses.mean_absolute_percentage_error)
    default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_Plain):
    """The mean of `nn.losses.mean_squared_logarithmic_error`."""

    fn = staticmethod(losses.mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


class CosineSimilarity(_Wrapped):
    """The mean cosine similarity of y_true and y_pred along `axis` (1 for the same
    direction; `get_config` keeps `axis`, which Keras's leaves out)."""

    def __init__(
        self, name: str = "cosine_similarity", dtype: npt.DTypeLike | None = None, axis: int = -1
    ) -> None:
        super().__init__(_cosine_similarity, name=name, dtype=dtype, axis=axis)


class TopKCategoricalAccuracy(_Wrapped):
    """How often the one-hot target is among the `k` highest predictions."""

    def __init__(
        self,
        k: int = 5,
        name: str = "top_k_categorical_accuracy",
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_Wrapped):
    """How often the integer label is among the `k` highest predictions."""

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: npt.DTypeLike | None = None,
        from_sorted_ids: bool = False,
    ) -> None:
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if not config["from_sorted_ids"]:  # Keras writes it only when set
            del config["from_sorted_ids"]
        return config


class PearsonCorrelation(_Wrapped):
    """The mean of `pearson_correlation` along `axis`."""

    def __init__(
        self, name: str = "pearson_correlation", dtype: npt.DTypeLike | None = None, axis: int = -1
    ) -> None:
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(_Wrapped):
    """The mean of `concordance_correlation` along `axis`."""

    def __init__(
        self,
        name: str = "concordance_correlation",
        dtype: npt.DTypeLike | None = None,
        axis: int = -1,
    ) -> None:
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)


class Sum(Metric):
    """The weighted sum of the values given (each sample's values summed first).
    `update_state(values, sample_weight=None)`."""

    def __init__(self, name: str = "sum", dtype: npt.DTypeLike | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _array(values).astype(self._dtype)
        if sample_weight is not None:
            w = _array(sample_weight).astype(self._dtype)
            values, w = _same_rank(values, w)
            if values.ndim > w.ndim:  # sum the axes the weights do not have
                values = values.sum(axis=tuple(range(w.ndim, values.ndim)))
            values = values * np.broadcast_to(w, values.shape)
        self.total.data[...] += values.sum(dtype=self._dtype)

    def result(self) -> Tensor:
        return Tensor(np.asarray(self.total.data, self._dtype))


def _two_dims(owner: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.ndim != 2 or y_pred.ndim != 2:
        raise ValueError(
            f"{owner} expects 2D inputs with shape (batch_size, output_dim). Received input "
            f"shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}."
        )


class R2Score(Metric):
    """The coefficient of determination, per output column of (N, outputs) targets.

    Args:
        class_aggregation: "uniform_average" (the default: the columns' mean),
            "variance_weighted_average" (weighted by each column's total sum of
            squares) or None (one score per column).
        num_regressors: p > 0 gives the adjusted score 1 - (1 - R2)(n - 1)/(n - p - 1),
            n the number of values seen (the plain score, with a warning, when
            p >= n - 1).
    """

    AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in self.AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{self.AGGREGATIONS}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight(name="num_samples")
        self._sums: dict[str, Variable] = {}

    def _build(self, outputs: int) -> None:
        for key in ("squared_sum", "sum", "residual", "count"):
            self._sums[key] = self.add_weight(name=key, shape=(outputs,))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = _same_rank(
            _array(y_true).astype(self._dtype), _array(y_pred).astype(self._dtype)
        )
        _two_dims("R2Score", y_true, y_pred)
        if not self._sums:
            self._build(y_pred.shape[-1])
        w = np.asarray(1 if sample_weight is None else _array(sample_weight), self._dtype)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, y_true.shape)
        weighted = y_true * w
        self._sums["sum"].data[...] += weighted.sum(axis=0)
        self._sums["squared_sum"].data[...] += (y_true * weighted).sum(axis=0)
        self._sums["residual"].data[...] += ((y_true - y_pred) ** 2 * w).sum(axis=0)
        self._sums["count"].data[...] += w.sum(axis=0)
        self.num_samples.data[...] += y_true.size

    def result(self) -> Tensor:
        if not self._sums:
            return Tensor(np.asarray(np.nan, self._dtype))
        s = {key: v.data for key, v in self._sums.items()}
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s["sum"] / s["count"]
            total = s["squared_sum"] - s["sum"] * mean
            raw = 1 - s["residual"] / total
        raw = np.where(np.isinf(raw), 0.0, raw).astype(self._dtype)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw).sum() / total.sum()
        else:
            score = raw
        score = self._adjusted(np.asarray(score, self._dtype))
        return Tensor(np.asarray(score, self._dtype))

    def _adjusted(self, score: np.ndarray) -> np.ndarray:
        if self.num_regressors == 0:
            return score
        n, p = float(self.num_samples.data), float(self.num_regressors)
        if p > n - 1:
            warnings.warn(
                "More independent predictors than datapoints in adjusted R2 score. "
                "Falling back to standard R2 score.",
                stacklevel=3,
            )
            return score
        if p == n - 1:
            warnings.warn(
                "Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                stacklevel=3,
            )
            return score
        return 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }


class FBetaScore(Metric):
    """The F-beta score of multi-label or one-hot targets (N, classes).

    A prediction counts as positive where it exceeds `threshold`, or, without one,
    where it is its row's largest (and not 0). `average`: None (one score per class),
    "micro" (counts over all classes), "macro" (the classes' mean) or "weighted"
    (weighted by each class's count of positives).
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        _check_f_options(average, beta, threshold)
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._counts: dict[str, Variable] = {}

    def _build(self, classes: int) -> None:
        shape = () if self.average == "micro" else (classes,)
        for key in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            self._counts[key] = self.add_weight(name=key, shape=shape)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = _array(y_true).astype(self._dtype)
        y_pred = _array(y_pred).astype(self._dtype)
        _two_dims(type(self).__name__, y_true, y_pred)
        if not self._counts:
            self._build(y_pred.shape[-1])
        if self.threshold is None:
            top = y_pred.max(axis=-1, keepdims=True)
            predicted = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        p = predicted.astype(self._dtype)
        w = None if sample_weight is None else _array(sample_weight).astype(self._dtype)

        def weighted_sum(values: np.ndarray) -> np.ndarray:
            if w is not None:
                values = values * np.expand_dims(w, 1)
            return values.sum(axis=self.axis)

        self._counts["true_positives"].data[...] += weighted_sum(p * y_true)
        self._counts["false_positives"].data[...] += weighted_sum(p * (1 - y_true))
        self._counts["false_negatives"].data[...] += weighted_sum((1 - p) * y_true)
        self._counts["intermediate_weights"].data[...] += weighted_sum(y_true)

    def result(self) -> Tensor:
        if not self._counts:
            return Tensor(np.asarray(0.0, self._dtype))
        tp, fp, fn, weights = (
            self._counts[key].data
            for key in (
                "true_positives",
                "false_positives",
                "false_negatives",
                "intermediate_weights",
            )
        )
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        b2 = self.beta**2
        score = precision * recall / (b2 * precision + recall + EPSILON) * (1 + b2)
        if self.average == "weighted":
            score = (score * weights / (weights.sum() + EPSILON)).sum()
        elif self.average is not None:
            score = score.mean()
        return Tensor(np.asarray(score, self._dtype))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


def _check_f_options(average: Any, beta: Any, threshold: Any) -> None:
    """Keras's checks of FBetaScore's arguments (ValueErrors naming the argument)."""
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(
            "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
            f"'weighted'}}. Received: average={average}"
        )
    if not isinstance(beta, float):
        raise ValueError(
            "Invalid `beta` argument value. It should be a Python float. "
            f"Received: beta={beta} of type '{type(beta)}'"
        )
    if beta <= 0.0:
        raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
    if threshold is not None:
        if not isinstance(threshold, float):
            raise ValueError(
                "Invalid `threshold` argument value. It should be a Python float. "
                f"Received: threshold={threshold} of type '{type(threshold)}'"
            )
        if threshold > 1.0 or threshold <= 0.0:
            raise ValueError(
                "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                f"Received: threshold={threshold}"
            )


class F1Score(FBetaScore):
    """The F-beta score with beta = 1 (see `FBetaScore`)."""

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config


#: Keras's names of these metric classes for `compile(metrics=[...])`: the class
#: names in snake case and Keras's short names.
CLASSES: dict[str, type[Metric]] = {
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "poisson": Poisson,
    "log_cosh_error": LogCoshError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "cosine_similarity": CosineSimilarity,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "pearson_correlation": PearsonCorrelation,
    "concordance_correlation": ConcordanceCorrelation,
    "sum": Sum,
    "r2_score": R2Score,
    "f1_score": F1Score,
    "f_beta_score": FBetaScore,
}
