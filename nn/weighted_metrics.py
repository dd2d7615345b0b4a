"""`compile(weighted_metrics=[...])`: metrics weighted by each sample's weight.

Keras 3 updates these metrics with the batch's sample weights (from `fit`'s
`sample_weight` or `class_weight`, or `evaluate`'s `sample_weight`), so a value per
sample v_i with weight w_i counts as

    metric = sum(w_i * v_i) / sum(w_i)          (over every batch since the reset)

and the metrics of confusion counts (`AUC`, `Precision`, ...) add w_i to their counts.
Names and functions are made into `Metric` objects here ("accuracy" and "acc" are
the mean of `nn.metrics.accuracy_values`, "mae" and "mse" of per-sample errors, a
function's value on a batch stands for each of its samples), and `nn.metrics.Running`
updates them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nn import keras_metrics
from nn.confusion_counts import array
from nn.keras_metrics import MeanMetricWrapper, Metric
from nn.metrics import (
    MetricFn,
    accuracy,
    accuracy_values,
    get,
    mean_absolute_error,
    mean_squared_error,
)


class WeightedFunction(MeanMetricWrapper):
    """A metric function given to `weighted_metrics`: its value on each batch (one
    per sample, or one for the batch, which then stands for each of its samples),
    averaged with the sample weights. The function sees ndarrays, as in `metrics`."""

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        super().update_state(array(y_true), array(y_pred), sample_weight)


#: Per-sample forms of the metric functions, for `weighted_metrics`.
PER_SAMPLE: dict[MetricFn, Callable[..., Any]] = {
    accuracy: accuracy_values,
    mean_absolute_error: keras_metrics.mean_absolute_error,
    mean_squared_error: keras_metrics.mean_squared_error,
}


def resolve(
    metrics: Sequence[str | MetricFn] | None, logits: bool = False
) -> list[tuple[str, Metric]]:
    """`(name, Metric)` pairs for `compile(weighted_metrics=...)`: names and functions
    made into Metrics that take the sample weights (see the module docstring); with
    `logits`, accuracy thresholds a single output at 0, as in `nn.metrics.resolve`.

    Raises:
        ValueError: `metrics` is not a list or tuple (Keras's rule), or an unknown name.
    """
    if metrics is None:
        return []
    if not isinstance(metrics, (list, tuple)):
        raise ValueError(
            "compile: weighted_metrics must be a list or tuple of metrics, got "
            f"{type(metrics).__name__}: pass weighted_metrics=[{metrics!r}]"
        )
    resolved: list[tuple[str, Metric]] = []
    for name, fn in (get(m) for m in metrics):
        if isinstance(fn, Metric):
            resolved.append((name, fn))
        elif fn is accuracy:
            threshold = 0.0 if logits else 0.5
            resolved.append((name, WeightedFunction(accuracy_values, name, threshold=threshold)))
        else:
            resolved.append((name, WeightedFunction(PER_SAMPLE.get(fn, fn), name)))
    return resolved
