"""Metrics for `compile(metrics=[...])`: plain numpy on a batch's targets and predictions.

A metric is a function `metric(y_true, y_pred) -> float`, the batch mean of a
per-sample score (or the scores themselves, which are averaged, as Keras does), on
ndarrays (no graph, so it costs next to nothing beside a training step). `fit`
averages it over an epoch weighted by batch size, which gives the exact mean over all
samples. A metric may also be a Keras 3 `Metric` object
(`nn.metrics.Metric` subclasses and the built-in classes, from `nn.keras_metrics`,
`nn.confusion_metrics` and `nn.auc`): `fit` resets it at each epoch's start and
before validation, updates it with each batch and reports its `result()`.

`compile(weighted_metrics=[...])` takes the same (see `nn.weighted_metrics`), and
`Running` updates them with the batch's sample weights. The names follow Keras: a
weighted metric whose name an unweighted one already has is reported as
`weighted_<name>` (then `weighted_<name>_1`, ...); a repeated unweighted name as
`<name>_1`, `<name>_2`, ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from nn import custom_objects as own
from nn import keras_metrics, metrics_more
from nn.auc import AUC
from nn.confusion_metrics import (
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from nn.keras_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    Mean,
    MeanAbsoluteError,
    MeanMetricWrapper,
    MeanSquaredError,
    Metric,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)

# keras.metrics's functions: the loss functions (and, above, the accuracies)
from nn.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)

# Keras 3's other metrics (nn/metrics_more.py)
from nn.metrics_more import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    ConcordanceCorrelation,
    CosineSimilarity,
    F1Score,
    FBetaScore,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    PearsonCorrelation,
    Poisson,
    R2Score,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    Sum,
    TopKCategoricalAccuracy,
    concordance_correlation,
    pearson_correlation,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from nn.sensitivity_metrics import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)

__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "ConcordanceCorrelation",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "PearsonCorrelation",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "accuracy",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "concordance_correlation",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "pearson_correlation",
    "poisson",
    "resolve",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
]

MetricFn = Callable[[np.ndarray, np.ndarray], float] | Metric


def accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of correct predictions, for the three kinds of classification target.

    - `y_pred` (N, C) with C > 1: the predicted class is argmax over C; `y_true` holds
      class labels (N,) or (N, 1), or one-hot / probability rows (N, C).
    - `y_pred` (N,) or (N, 1), one output: binary, predicted 1 when y_pred > threshold
      (0.5, as Keras's; `compile` uses 0 for PyTorch's losses on logits), correct where
      that 0 or 1 equals `y_true` (a target other than 0 and 1 never is, as Keras's).
    """
    correct = _correct(y_true, y_pred, threshold)
    # count_nonzero / size: several times faster than np.mean on a small batch
    return np.count_nonzero(correct) / max(correct.size, 1)


def _correct(y_true: np.ndarray, y_pred: np.ndarray, threshold: float) -> np.ndarray:
    """`accuracy`'s hits: (N,) for classes, (N, outputs) for binary outputs."""
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        predicted = y_pred.argmax(axis=1)
        if y_true.ndim == 2 and y_true.shape[1] > 1:
            return predicted == y_true.argmax(axis=1)
        return predicted == y_true.reshape(len(predicted))
    predicted = y_pred.reshape(len(y_pred), -1) > threshold
    # Keras's binary accuracy: the prediction (0 or 1) equal to the target, so a soft
    # or regression target (0.9, 1e-5) is never matched
    return predicted == y_true.reshape(predicted.shape)


def accuracy_values(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """`accuracy` of each sample (1.0 or 0.0; a row of them for several binary
    outputs), for `weighted_metrics`."""
    return _correct(_array(y_true), _array(y_pred), threshold).astype(np.float64)


def _difference(name: str, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """y_pred - y_true, with a column (N, 1) and a vector (N,) matched as Keras does."""
    if y_true.size != y_pred.size:
        raise ValueError(
            f"{name}: targets of shape {y_true.shape} do not match predictions of shape "
            f"{y_pred.shape}"
        )
    return y_pred - y_true.reshape(y_pred.shape)


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """mean |y_pred - y_true| over all elements."""
    return float(np.mean(np.abs(_difference("mae", y_true, y_pred))))


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """mean (y_pred - y_true)**2 over all elements."""
    d = _difference("mse", y_true, y_pred)
    return float(np.mean(d * d))


#: Keras's names of the metric classes for `compile(metrics=[...])`, made anew each
#: time (their class names too: "AUC", "TruePositives").
CLASSES: dict[str, type[Metric]] = {
    **keras_metrics.CLASSES,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "true_positives": TruePositives,
    "false_positives": FalsePositives,
    "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
    **metrics_more.CLASSES,
}
CLASS_NAMES: dict[str, type[Metric]] = {cls.__name__: cls for cls in CLASSES.values()}

METRICS: dict[str, MetricFn] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
}


def get(metric: str | MetricFn) -> tuple[str, MetricFn]:
    """`(name, function)` for a metric name (see `METRICS`, and Keras's names of the
    metric classes in `nn.keras_metrics.CLASSES`, made anew), a function or a `Metric`.

    The name is the key under which `fit` reports the metric: the name as given, a
    function's `__name__`, or a Metric's `name`.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).
        TypeError: for something that is neither a name nor callable.
    """
    if isinstance(metric, Metric):
        return metric.name, metric
    if isinstance(metric, str):
        cls = CLASS_NAMES.get(metric) or CLASSES.get(metric.lower())
        if cls is not None:
            return metric, cls(name=metric)
        fn = METRICS.get(metric.lower())
        if fn is None:
            names = ", ".join([*METRICS, *CLASSES, *CLASS_NAMES])
            raise ValueError(f"unknown metric {metric!r}; valid names: {names}")
        return metric, fn
    if callable(metric):
        return getattr(metric, "__name__", type(metric).__name__), metric
    raise TypeError(f"a metric must be a name or a function, got {type(metric).__name__}")


#: keras.metrics's functions by name, as `serialize` names them.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    fn.__name__: fn
    for fn in (
        binary_accuracy,
        categorical_accuracy,
        sparse_categorical_accuracy,
        top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy,
        binary_crossentropy,
        binary_focal_crossentropy,
        categorical_crossentropy,
        categorical_focal_crossentropy,
        sparse_categorical_crossentropy,
        categorical_hinge,
        hinge,
        squared_hinge,
        huber,
        kl_divergence,
        log_cosh,
        poisson,
        mean_absolute_percentage_error,
        mean_squared_logarithmic_error,
        pearson_correlation,
        concordance_correlation,
    )
}


def serialize(metric: Any) -> dict[str, Any]:
    """Keras's `keras.metrics.serialize`: a metric of a Keras class as
    `{"module": "keras.metrics", "class_name": ..., "config": get_config(), ...}`, one
    of keras.metrics's functions as Keras names a function, and a function or object
    of your own as `nn.custom_objects` describes it.

    Raises:
        ValueError: an object without `get_config`, or a function without a name.
    """
    return own.serialize_keras(metric, "keras.metrics", CLASS_NAMES, FUNCTIONS, "metric")


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Keras's `keras.metrics.deserialize`: what `serialize` wrote made again; a class
    name or Keras's snake-case name ("f1_score") is a new metric of that class, as in
    Keras, and a function's name the function. `custom_objects` are looked up for your
    own classes and functions.

    Raises:
        ValueError: a name or class this library (and the custom objects) does not have.
    """

    def by_name(name: str) -> Any:
        cls = CLASS_NAMES.get(name) or CLASSES.get(name)
        return cls() if cls is not None else FUNCTIONS.get(name)

    return own.deserialize_keras(config, custom_objects, CLASS_NAMES, by_name, "metric")


def logit_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """`accuracy` for raw scores: one output counts as class 1 when above 0."""
    return accuracy(y_true, y_pred, threshold=0.0)


def resolve(
    metrics: Sequence[str | MetricFn] | str, logits: bool = False
) -> list[tuple[str, MetricFn]]:
    """`(name, function)` pairs for `compile(metrics=...)`; with `logits` (a PyTorch loss
    on raw scores, see `nn.multi_output.on_logits`), accuracy thresholds a single output
    at 0 instead of 0.5."""
    if isinstance(metrics, str):
        metrics = [metrics]
    resolved = [get(m) for m in metrics]
    if logits:
        resolved = [(name, logit_accuracy if fn is accuracy else fn) for name, fn in resolved]
    return resolved


def report_names(names: Sequence[str], weighted: Sequence[str] = ()) -> list[str]:
    """The names under which `fit` reports the metrics then the weighted metrics
    (Keras's rule, see the module docstring)."""
    counts: dict[str, int] = {}  # Keras's counters: a numbered name is not counted

    def numbered(name: str) -> str:
        index = counts.get(name)
        if index is None:
            counts[name] = 1
            return name
        counts[name] += 1
        return f"{name}_{index}"

    reported = [numbered(name) for name in names]
    for name in weighted:
        reported.append(numbered(f"weighted_{name}" if name in counts else name))
    return reported


#: Metrics that are the mean of a per-sample score: over several batches their
#: sample-weighted mean is the metric of the batches put together, so `Running`
#: computes them for many batches at once.
SAMPLE_MEANS: tuple[MetricFn, ...] = (
    accuracy,
    logit_accuracy,
    mean_absolute_error,
    mean_squared_error,
)


class Running:
    """Exact running means of the loss and the metrics over the batches of an epoch.

    Each metric's mean is sum(metric(batch) * n) / sum(n). Metrics in `SAMPLE_MEANS`
    are computed on batches stacked together (at most `rows` rows at a time, and
    whenever `means` is asked), which gives the same value for a fraction of the
    cost of one call per batch; any other metric function is called on each batch.
    A `Metric` object is reset here, updated with each batch (as Tensors) and
    reports its `result()`; the weighted metrics also get the batch's sample weights.

    Args:
        metrics: `(name, function)` pairs, as `resolve` returns them.
        transform: applied to the predictions before the metrics see them (fit
            passes a softmax when it trains on logits).
        rows: the most samples held back before the stacked metrics are computed.
        weighted: `(name, Metric)` pairs, as `nn.weighted_metrics.resolve` returns them.
        tracked: the model's own Metric objects (`tracked_metrics`), which its `call`
            updates: reset here and reported after the others, as Keras's.
    """

    def __init__(
        self,
        metrics: list[tuple[str, MetricFn]],
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
        rows: int = 8192,
        weighted: Sequence[tuple[str, Metric]] = (),
        tracked: Sequence[Metric] = (),
    ) -> None:
        named = report_names([name for name, _ in metrics], [name for name, _ in weighted])
        self.names = ["loss", *named, *(metric.name for metric in tracked)]
        self.sums = [0.0] * len(self.names)
        self.seen = 0
        self.transform, self.rows = transform, rows
        self.stateful = [(i, m) for i, (_, m) in enumerate(metrics, 1) if isinstance(m, Metric)]
        functions = [(i, fn) for i, (_, fn) in enumerate(metrics, 1) if not isinstance(fn, Metric)]
        self.stacked = [(i, fn) for i, fn in functions if fn in SAMPLE_MEANS]
        self.each = [(i, fn) for i, fn in functions if fn not in SAMPLE_MEANS]
        self.weighted = [(i, m) for i, (_, m) in enumerate(weighted, 1 + len(metrics))]
        first = 1 + len(metrics) + len(weighted)
        self.tracked = [(i, m) for i, m in enumerate(tracked, first)]
        for _, metric in self.stateful + self.weighted + self.tracked:
            metric.reset_state()
        self.pending: list[tuple[Any, np.ndarray]] = []
        self.pending_rows = 0
        # the metric functions on masked outputs: sum(m * v) and sum(m) (`nn.masking`)
        self.masked: dict[int, list[float]] = {}

    def add(
        self,
        n: int,
        loss: float,
        y_true: Any,
        y_pred: np.ndarray,
        sample_weight: np.ndarray | None = None,
        mask: Any = None,
    ) -> None:
        """Count a batch of `n` samples with mean loss `loss` (and their weights, for
        the weighted metrics). With the `mask` of the outputs (`nn.masking`) the
        metrics are Keras's means over the kept positions."""
        self.seen += n
        self.sums[0] += loss * n
        if mask is not None:
            self._score_masked(y_true, y_pred, mask)
        elif self.each:
            self._score(self.each, n, y_true, y_pred)
        if self.stateful or self.weighted:
            targets = _array(y_true)
            y_t = targets if targets.dtype.names else Tensor(targets)  # (records: per output)
            y_p = Tensor(y_pred if self.transform is None else self.transform(y_pred))
            if mask is not None:
                from nn.masking import set_keras_mask

                set_keras_mask(y_p, _array(mask))  # (a Keras metric reads it)
            for _, metric in self.stateful:
                metric.update_state(y_t, y_p)
            w = None if sample_weight is None else Tensor(sample_weight)
            for _, metric in self.weighted:
                metric.update_state(y_t, y_p, sample_weight=w)
        if self.stacked and mask is None:
            self.pending.append((y_true, y_pred))
            self.pending_rows += n
            if self.pending_rows >= self.rows:
                self._flush()

    def means(self) -> dict[str, float]:
        """`{"loss": ..., metric name: ...}`: the means over every batch added so far."""
        self._flush()
        seen = max(self.seen, 1)
        means = {name: float(s / seen) for name, s in zip(self.names, self.sums)}
        for i, (total, count) in self.masked.items():
            means[self.names[i]] = total / count if count else 0.0
        for i, metric in self.stateful + self.weighted + self.tracked:
            means[self.names[i]] = _log_value(metric.result())
        return means

    def _flush(self) -> None:
        if not self.pending:
            return
        if len(self.pending) == 1:
            ((y_true, y_pred),) = self.pending
        else:
            y_true = np.concatenate([_array(y) for y, _ in self.pending])
            y_pred = np.concatenate([p for _, p in self.pending])
        self._score(self.stacked, self.pending_rows, y_true, y_pred)
        self.pending, self.pending_rows = [], 0

    def _score_masked(self, y_true: Any, y_pred: Any, mask: Any) -> None:
        from nn.masked_metrics import masked_sums

        y_true = _array(y_true)
        if self.transform is not None:
            y_pred = self.transform(y_pred)
        for i, fn in self.each + self.stacked:
            total, count = masked_sums(fn, y_true, y_pred, _array(mask))
            sums = self.masked.setdefault(i, [0.0, 0.0])
            sums[0] += total
            sums[1] += count

    def _score(self, metrics: list[tuple[int, MetricFn]], n: int, y_true: Any, y_pred: Any) -> None:
        y_true = _array(y_true)
        if self.transform is not None:
            y_pred = self.transform(y_pred)
        for i, fn in metrics:
            self.sums[i] += batch_mean(fn(y_true, y_pred)) * n


def batch_mean(value: Any) -> float:
    """A metric function's value on a batch as one number: a scalar as it is, and values
    per sample (or per element, as Keras's `huber_fn(y_true, y_pred)` gives them) as
    their mean, as Keras's `MeanMetricWrapper` reduces them."""
    return float(np.mean(_array(value)))


def tracked_metrics(model: Any, compiled: Sequence[Any] = ()) -> list[Metric]:
    """The Metric objects a model holds as attributes (of itself or of its layers, also
    in lists), other than those in `compiled`: Keras 3's way to report a value that
    `call` computes (`self.reconstruction_mean(recon_loss)`)."""
    seen = {id(m) for m in compiled}
    found = []
    for module in model.modules():
        for value in list(vars(module).values()):
            items = value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, Metric) and id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
    return found


def _log_value(value: Any) -> Any:
    """A Metric's result as logs hold it: a float, or an array for several values."""
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    return float(array.reshape(())) if array.size == 1 else array


def _array(y: Any) -> np.ndarray:
    return y.data if isinstance(y, Tensor) else y
