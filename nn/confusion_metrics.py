"""Keras 3's metrics of confusion-matrix counts: the counts themselves, precision and
recall (the `*At*` family, which reads one rate where another reaches a target, is in
`nn.sensitivity_metrics`).

Each keeps Keras's state variables (`true_positives`, ... with one entry per
threshold) and adds a batch's weighted counts to them (see `nn.confusion_counts`):

    TruePositives, ... = the count                  (one value, or one per threshold)
    Precision = TP / (TP + FP)                      Recall = TP / (TP + FN)

with 0 where a denominator is 0.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor
from autograd.checks import check_int
from nn.confusion_counts import (
    NEG_INF,
    confusion_counts,
    evenly_spaced,
    parse_thresholds,
)
from nn.keras_metrics import Metric
from nn.layer import Variable


def rate(hits: np.ndarray, misses: np.ndarray) -> np.ndarray:
    """hits / (hits + misses), 0 where that sum is 0 (Keras's `divide_no_nan`)."""
    total = hits + misses
    return np.divide(hits, total, out=np.zeros_like(hits), where=total != 0)


def check_class_id(owner: str, class_id: Any) -> int | None:
    if class_id is not None and (
        isinstance(class_id, bool) or not isinstance(class_id, numbers.Integral)
    ):
        raise ValueError(f"{owner}: invalid class_id: {class_id!r} (must be an int or None)")
    return None if class_id is None else int(class_id)


class ConfusionMetric(Metric):
    """The counts named in `counted` at `self.thresholds`, kept in variables of those
    names (a base class: subclasses set `counted` and define `result`)."""

    counted: tuple[str, ...] = ()
    thresholds: list[float]
    true_positives: Variable
    false_positives: Variable
    true_negatives: Variable
    false_negatives: Variable

    def _make_counts(self, thresholds: list[float], evenly: bool) -> None:
        self.thresholds = thresholds
        self._evenly = evenly
        for counted in self.counted:
            setattr(self, counted, self.add_weight(name=counted, shape=(len(thresholds),)))

    def _add(self, y_true: Any, y_pred: Any, sample_weight: Any, **options: Any) -> None:
        counts = confusion_counts(
            self.counted,
            y_true,
            y_pred,
            self.thresholds,
            self._dtype,
            evenly=self._evenly,
            sample_weight=sample_weight,
            **options,
        )
        for counted, value in counts.items():
            self._state(counted).data[...] += value

    def _state(self, counted: str) -> Variable:
        """The variable that keeps the count `counted`."""
        return getattr(self, counted)

    def _one_or_all(self, values: np.ndarray) -> Tensor:
        """A scalar for one threshold, else a value per threshold (as Keras)."""
        return Tensor(values[0] if len(self.thresholds) == 1 else values)


class _Count(ConfusionMetric):
    """One count (the variable `accumulator`) at each threshold (0.5 by default)."""

    def __init__(
        self,
        thresholds: float | Sequence[float] | None = None,
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        values = parse_thresholds(type(self).__name__, thresholds, 0.5)
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds, self._evenly = values, evenly_spaced(values)
        self.accumulator = self.add_weight(name="accumulator", shape=(len(values),))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self._add(y_true, y_pred, sample_weight)

    def _state(self, counted: str) -> Variable:
        return self.accumulator

    def result(self) -> Tensor:
        return self._one_or_all(self.accumulator.data.copy())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_Count):
    """The weighted count of positive targets predicted above the threshold."""

    counted = ("true_positives",)


class FalsePositives(_Count):
    """The weighted count of negative targets predicted above the threshold."""

    counted = ("false_positives",)


class TrueNegatives(_Count):
    """The weighted count of negative targets predicted at or below the threshold."""

    counted = ("true_negatives",)


class FalseNegatives(_Count):
    """The weighted count of positive targets predicted at or below the threshold."""

    counted = ("false_negatives",)


class _PrecisionRecall(ConfusionMetric):
    """Precision's and recall's arguments.

    Args:
        thresholds: a number in [0, 1] or a list of them (one result each); default
            0.5, or none with `top_k` (then only the top k count).
        top_k: only the k largest predictions of each row count as positive.
        class_id: score only that column of (N, C) targets and predictions.
        name, dtype: as `Metric`'s.
    """

    def __init__(
        self,
        thresholds: float | Sequence[float] | None = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        owner = type(self).__name__
        if top_k is not None:
            check_int(owner, "top_k", top_k, minimum=1)
        values = parse_thresholds(owner, thresholds, 0.5 if top_k is None else NEG_INF)
        checked_class_id = check_class_id(owner, class_id)
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k = thresholds, top_k
        self.class_id = checked_class_id
        self._make_counts(values, evenly_spaced(values))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self._add(y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecall):
    """TP / (TP + FP): of the predictions above the threshold, the fraction that are
    positive (see `_PrecisionRecall` for the arguments)."""

    counted = ("true_positives", "false_positives")

    def result(self) -> Tensor:
        return self._one_or_all(rate(self.true_positives.data, self.false_positives.data))


class Recall(_PrecisionRecall):
    """TP / (TP + FN): of the positive targets, the fraction predicted above the
    threshold (see `_PrecisionRecall` for the arguments)."""

    counted = ("true_positives", "false_negatives")

    def result(self) -> Tensor:
        return self._one_or_all(rate(self.true_positives.data, self.false_negatives.data))
