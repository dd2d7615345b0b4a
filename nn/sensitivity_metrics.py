"""Keras 3's `*At*` metrics: the best value of one rate over the thresholds where
another reaches a target. They count at `num_thresholds` evenly spaced thresholds in
[0, 1] (see `nn.confusion_counts`) and report (0 when no threshold qualifies):

    SensitivityAtSpecificity = max sensitivity(t) over t with specificity(t) >= specificity
    SpecificityAtSensitivity = max specificity(t) over t with sensitivity(t) >= sensitivity
    PrecisionAtRecall        = max precision(t)   over t with recall(t) >= recall
    RecallAtPrecision        = max recall(t)      over t with precision(t) >= precision

where sensitivity = recall = TP / (TP + FN), specificity = TN / (TN + FP) and
precision = TP / (TP + FP), each 0 where its denominator is 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor
from autograd.checks import check_int, check_real
from nn.confusion_metrics import ConfusionMetric, check_class_id, rate


class _RateAtRate(ConfusionMetric):
    """The best of one rate where another reaches `value` (see the module docstring;
    Keras's `SensitivitySpecificityBase`).

    Args:
        value: the target of the constrained rate, in [0, 1] (named by the subclass:
            `specificity`, `sensitivity`, `recall` or `precision`).
        num_thresholds: thresholds evenly spaced over [0, 1] (0.5 alone for 1).
        class_id: score only that column of (N, C) targets and predictions.
        name, dtype: as `Metric`'s.
    """

    counted = ("true_positives", "false_positives", "true_negatives", "false_negatives")
    target = ""  # the name of `value`

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        owner = type(self).__name__
        check_real(owner, self.target, value, 0, 1)
        check_int(owner, "num_thresholds", num_thresholds, minimum=1)
        checked_class_id = check_class_id(owner, class_id)
        super().__init__(name=name, dtype=dtype)
        self.value, self.num_thresholds = value, num_thresholds
        self.class_id = checked_class_id
        if num_thresholds == 1:
            self._make_counts([0.5], evenly=False)
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._make_counts([0.0, *inner, 1.0], evenly=True)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self._add(y_true, y_pred, sample_weight, class_id=self.class_id)

    def _rates(self) -> dict[str, np.ndarray]:
        tp, fp = self.true_positives.data, self.false_positives.data
        tn, fn = self.true_negatives.data, self.false_negatives.data
        recall = rate(tp, fn)
        return {
            "sensitivity": recall,
            "recall": recall,
            "specificity": rate(tn, fp),
            "precision": rate(tp, fp),
        }

    def _best(self, constrained: str, best: str) -> Tensor:
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        return Tensor(np.asarray(np.where(feasible, rates[best], 0).max(initial=0), self._dtype))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self.target: self.value,
        }


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) where the specificity is at least `specificity`."""

    target = "specificity"

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity

    def result(self) -> Tensor:
        return self._best("specificity", "sensitivity")


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity where the sensitivity (recall) is at least `sensitivity`."""

    target = "sensitivity"

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity

    def result(self) -> Tensor:
        return self._best("sensitivity", "specificity")


class PrecisionAtRecall(_RateAtRate):
    """The best precision where the recall is at least `recall`."""

    target = "recall"

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall

    def result(self) -> Tensor:
        return self._best("recall", "precision")


class RecallAtPrecision(_RateAtRate):
    """The best recall where the precision is at least `precision`."""

    target = "precision"

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision

    def result(self) -> Tensor:
        return self._best("precision", "recall")
