"""The metrics of `fit` and `evaluate` on outputs that carry a mask (`nn.masking`), as
Keras's `MeanMetricWrapper` takes them: a value per position (batch, time), weighed by
the mask, so a metric is sum(m * v) / sum(m) over the epoch's kept positions.

Keras's values per position: accuracy compares the argmax over the last axis with the
label (or the target's argmax), or, for one output, (y_pred > threshold) with the
target, averaged over the last axis; mae and mse average |d| and d^2 over the last axis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nn import metrics as metrics_mod


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float) -> np.ndarray:
    if y_pred.shape[-1] > 1:
        predicted = y_pred.argmax(axis=-1)
        if y_true.shape == y_pred.shape:
            return (predicted == y_true.argmax(axis=-1)).astype(np.float64)
        return (predicted == y_true.reshape(predicted.shape)).astype(np.float64)
    hits = (y_pred > threshold) == y_true.reshape(y_pred.shape)
    return hits.astype(np.float64).mean(axis=-1)


def _difference(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    if y_true.size != y_pred.size:
        raise ValueError(
            f"targets of shape {y_true.shape} do not match predictions of shape {y_pred.shape}"
        )
    return y_pred - y_true.reshape(y_pred.shape)


#: The metric functions whose values per position are known, with them.
POSITION_VALUES: dict[Callable[..., Any], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    metrics_mod.accuracy: lambda t, p: _accuracy(t, p, 0.5),
    metrics_mod.logit_accuracy: lambda t, p: _accuracy(t, p, 0.0),
    metrics_mod.mean_absolute_error: lambda t, p: np.abs(_difference(t, p)).mean(axis=-1),
    metrics_mod.mean_squared_error: lambda t, p: np.square(_difference(t, p)).mean(axis=-1),
}


def masked_sums(
    fn: Callable[..., Any], y_true: np.ndarray, y_pred: np.ndarray, mask: np.ndarray
) -> tuple[float, float]:
    """(sum(m * v), sum(m)) for the metric `fn` on a batch whose outputs carry `mask`.

    Raises:
        ValueError: a metric function whose values per position are not known (it
            could not skip the masked positions).
    """
    values_of = POSITION_VALUES.get(fn)
    if values_of is None:
        raise ValueError(
            f"the model's output carries a mask (from Embedding(mask_zero=True) or "
            f"Masking), which the metric {getattr(fn, '__name__', fn)!r} cannot apply; "
            "use 'accuracy', 'mae', 'mse' or a metric object (nn.metrics.Mean...)"
        )
    values = values_of(np.asarray(y_true), np.asarray(y_pred))
    weights = np.asarray(mask, dtype=np.float64)
    if values.shape != weights.shape:
        raise ValueError(
            f"the metric {getattr(fn, '__name__', fn)!r} gives values of shape "
            f"{values.shape} for outputs whose mask has shape {weights.shape}"
        )
    return float((values * weights).sum()), float(weights.sum())
