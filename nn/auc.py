"""Keras 3's `AUC`: the area under the ROC or precision-recall curve, from confusion
counts at a fixed set of thresholds (see `nn.confusion_counts`).

The thresholds are t_0 = -1e-7 < t_1 < ... < t_{T-2} < t_{T-1} = 1 + 1e-7: the
`num_thresholds - 2` evenly spaced ones inside (0, 1), or the sorted `thresholds`
given, so that every prediction in [0, 1] is above t_0 and none above t_{T-1}. Each
threshold gives a point of the curve:

    ROC:    x = FP / (FP + TN) (false positive rate),  y = TP / (TP + FN) (recall)
    PR:     x = TP / (TP + FN) (recall),               y = TP / (TP + FP) (precision)
    PRGAIN: Flach & Kull's precision and recall gains

and the area is a Riemann sum over consecutive points, with x falling as t rises:

    AUC = sum_i (x_i - x_{i+1}) * h_i
    h_i = (y_i + y_{i+1}) / 2   "interpolation" (the trapezoid rule)
          min(y_i, y_{i+1})      "minoring"
          max(y_i, y_{i+1})      "majoring"

The PR curve with "interpolation" instead integrates precision along straight lines
of TP and P = TP + FP between the points (Davis & Goadrich, 2006), in closed form:

    slope = dTP / dP,   intercept = TP_{i+1} - slope * P_{i+1}
    area_i = slope * (dTP + intercept * log(P_i / P_{i+1})) / (TP_{i+1} + FN_{i+1})

(the log term is 0 where P_i or P_{i+1} is 0). Every quotient is 0 where its
denominator is 0. With `multi_label`, each column gets its own counts and area, and
the result is their mean (weighted by `label_weights` if given).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor
from autograd.checks import check_bool, check_int
from nn.confusion_counts import COUNTS, EPSILON, array, confusion_counts, evenly_spaced
from nn.confusion_metrics import rate
from nn.keras_metrics import Metric
from nn.layer import Variable

#: Keras's spellings of `curve` and `summation_method`.
CURVES = {name: name.upper() for name in ("ROC", "roc", "PR", "pr", "PRGAIN", "prgain")}
SUMMATIONS = {
    name: name.lower()
    for name in ("interpolation", "Interpolation", "majoring", "Majoring", "minoring", "Minoring")
}


def _quotient(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, 0 where b is 0."""
    a, b = np.broadcast_arrays(a, b)
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


class AUC(Metric):
    """The area under the ROC or PR curve (see the module docstring for the math).

    Args:
        num_thresholds: how many thresholds (> 1), evenly spaced, ends included.
        curve: "ROC" (the default), "PR" or "PRGAIN".
        summation_method: "interpolation" (the default), "minoring" or "majoring".
        name, dtype: as `Metric`'s.
        thresholds: numbers in [0, 1] to use instead of `num_thresholds` (the two
            end thresholds are added).
        multi_label: an area per column of (N, L) data, averaged; else every element
            is pooled into one curve.
        num_labels: L, to make the state at once with `multi_label` (otherwise at
            the first batch).
        label_weights: a non-negative weight per column: of the counts when pooled,
            of the areas' mean with `multi_label`.
        from_logits: the predictions are logits (a sigmoid is applied first).

    Raises:
        ValueError: a bad argument (the message names it).
    """

    true_positives: Variable
    false_positives: Variable
    true_negatives: Variable
    false_negatives: Variable

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
        thresholds: Sequence[float] | None = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: npt.ArrayLike | None = None,
        from_logits: bool = False,
    ) -> None:
        if curve not in CURVES:
            raise ValueError(f"AUC: invalid curve: {curve!r} (must be 'ROC', 'PR' or 'PRGAIN')")
        if summation_method not in SUMMATIONS:
            raise ValueError(
                f"AUC: invalid summation_method: {summation_method!r} (must be "
                "'interpolation', 'minoring' or 'majoring')"
            )
        check_bool("AUC", "multi_label", multi_label)
        check_bool("AUC", "from_logits", from_logits)
        if num_labels is not None:
            if not multi_label:
                raise ValueError("AUC: num_labels is needed only when multi_label is True")
            check_int("AUC", "num_labels", num_labels, minimum=1)
        if thresholds is not None:
            inner = _inner_thresholds(thresholds)
            self.num_thresholds = len(inner) + 2
            evenly = evenly_spaced([0.0, *inner, 1.0])
        else:
            check_int("AUC", "num_thresholds", num_thresholds, minimum=2)
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            evenly = True
        super().__init__(name=name, dtype=dtype)
        self._given_thresholds = thresholds is not None
        self._thresholds = [-EPSILON, *inner, 1 + EPSILON]
        self._evenly = evenly
        self.curve, self.summation_method = CURVES[curve], SUMMATIONS[summation_method]
        self.multi_label, self.num_labels, self.from_logits = multi_label, num_labels, from_logits
        self.label_weights = None if label_weights is None else self._label_weights(label_weights)
        self._built = False
        if not multi_label:
            self._build((self.num_thresholds,))
        elif num_labels:
            self._build((self.num_thresholds, num_labels))

    @property
    def thresholds(self) -> list[float]:
        """The thresholds counted at, the two end ones included."""
        return list(self._thresholds)

    def _label_weights(self, label_weights: npt.ArrayLike) -> np.ndarray:
        weights = np.asarray(label_weights, dtype=self._dtype)
        if weights.ndim != 1 or not np.all(weights >= 0):
            raise ValueError(
                f"AUC: invalid label_weights: {label_weights!r} (must be one non-negative "
                "number per label)"
            )
        return weights

    def _build(self, shape: tuple[int, ...]) -> None:
        for counted in COUNTS:
            setattr(self, counted, self.add_weight(name=counted, shape=shape))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = array(y_pred).astype(self._dtype)
        if self.multi_label:
            if y_pred.ndim != 2:
                raise ValueError(
                    "AUC: with multi_label=True, y_pred must have shape (samples, labels), "
                    f"got shape {y_pred.shape}"
                )
            if not self._built:
                self._build((self.num_thresholds, y_pred.shape[1]))
        if self.from_logits:
            y_pred = 1 / (1 + np.exp(-y_pred))
        counts = confusion_counts(
            COUNTS,
            y_true,
            y_pred,
            self._thresholds,
            self._dtype,
            evenly=self._evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )
        for counted, value in counts.items():
            getattr(self, counted).data[...] += value

    def result(self) -> Tensor:
        if not self._built:  # multi_label before any batch
            return Tensor(np.zeros((), self._dtype))
        if self.curve == "PR" and self.summation_method == "interpolation":
            areas = self._interpolated_pr_areas()
        else:
            x, y = self._curve()
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            areas = (x[:-1] - x[1:]) * heights
        return Tensor(np.asarray(self._total(areas), self._dtype))

    def _curve(self) -> tuple[np.ndarray, np.ndarray]:
        tp, fp = self.true_positives.data, self.false_positives.data
        tn, fn = self.true_negatives.data, self.false_negatives.data
        recall = rate(tp, fn)
        if self.curve == "ROC":
            return rate(fp, tn), recall
        if self.curve == "PR":
            return recall, rate(tp, fp)
        # Flach & Kull's gains: 1 - (P / N) * FN / TP and 1 - (P / N) * FP / TP
        scale = _quotient(tp + fn, tn + fp)
        no_hits = tp == 0
        recall_gain = np.where(no_hits, 0, 1 - scale * _quotient(fn, tp))
        precision_gain = np.where(no_hits, 1, 1 - scale * _quotient(fp, tp))
        return np.maximum(recall_gain, 0).astype(tp.dtype), precision_gain.astype(tp.dtype)

    def _interpolated_pr_areas(self) -> np.ndarray:
        tp, fp, fn = self.true_positives.data, self.false_positives.data, self.false_negatives.data
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _quotient(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _quotient(p[:-1], np.maximum(p[1:], 0)), 1).astype(tp.dtype)
        return _quotient(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))

    def _total(self, areas: np.ndarray) -> Any:
        """The area: the sum over the intervals, then the labels' (weighted) mean."""
        if not self.multi_label:
            return areas.sum()
        by_label = areas.sum(axis=0)
        if self.label_weights is None:
            return by_label.mean()
        return _quotient(np.sum(by_label * self.label_weights), self.label_weights.sum())

    def get_config(self) -> dict[str, Any]:
        weights = self.label_weights
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if weights is None else weights.tolist(),
            "from_logits": self.from_logits,
        }
        if self._given_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


def _inner_thresholds(thresholds: Any) -> list[float]:
    """AUC's `thresholds`, checked and sorted (an empty list leaves only the ends)."""
    if not isinstance(thresholds, (list, tuple, np.ndarray)) or any(
        isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= float(t) <= 1
        for t in thresholds
    ):
        raise ValueError(
            f"AUC: invalid thresholds: {thresholds!r} (must be a list of numbers in [0, 1])"
        )
    return sorted(float(t) for t in thresholds)
