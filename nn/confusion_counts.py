"""Weighted confusion-matrix counts at a list of thresholds, as Keras 3 counts them.

At each threshold t a prediction p counts as positive when p > t, and each element
adds its weight w (the sample weight times the label weight, 1 by default) to one of

    TP(t) = sum(w * [y == 1] * [p > t])      FP(t) = sum(w * [y == 0] * [p > t])
    FN(t) = sum(w * [y == 1] * [p <= t])     TN(t) = sum(w * [y == 0] * [p <= t])

where y is the target read as a bool (any non-zero value is a positive). Elements
of all rows and columns are pooled into one count per threshold, unless
`multi_label`, which keeps a count per column (label): shape (thresholds, labels).

When the thresholds are evenly spaced, i / (T - 1) for i = 0 .. T - 1 (AUC's 200 and
the `*AtRecall` family's), Keras counts them in O(N + T) rather than O(N * T), and so
do we: p, clipped to [0, 1], falls in bucket b = ceil(p * (T - 1)) - 1, the last
threshold it exceeds, and the count at threshold i is the sum of buckets i .. T - 1
(a reversed cumulative sum). When the end thresholds lie just outside [0, 1] (AUC's
-1e-7 and 1 + 1e-7), bucket -1 becomes 0, since every p exceeds the first one. The
two ways agree except for predictions that round onto a threshold, and each metric
uses the one Keras uses, so such ties are counted as Keras counts them.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor

#: Keras's stand-in for minus infinity: the threshold of `top_k` without `thresholds`,
#: and the value given to the predictions outside the top k.
NEG_INF = -1e10

#: Keras's `backend.epsilon()`: how far AUC's end thresholds lie outside [0, 1].
EPSILON = 1e-7

#: The four counts by Keras's variable names.
COUNTS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def array(value: Any) -> np.ndarray:
    return np.asarray(value.data if isinstance(value, Tensor) else value)


def parse_thresholds(owner: str, thresholds: Any, default: float) -> list[float]:
    """The thresholds as a list: `default` for None, a number as a list of one.

    Raises:
        ValueError: an empty list, or a value that is not a number in [0, 1].
    """
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    if not values:
        raise ValueError(f"{owner}: thresholds must not be empty (give numbers in [0, 1])")
    for t in values:
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= float(t) <= 1:
            raise ValueError(
                f"{owner}: invalid thresholds: {thresholds!r} (each must be a number in [0, 1])"
            )
    return [float(t) for t in values]


def evenly_spaced(thresholds: Sequence[float]) -> bool:
    """Whether the thresholds are 0, 1/(T-1), ..., 1 (T >= 3), to Keras's tolerance."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def top_k_only(y_pred: np.ndarray, k: int) -> np.ndarray:
    """`y_pred` with all but the k largest values of each row set to NEG_INF (ties go
    to the lower index, as Keras's `top_k`)."""
    order = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(y_pred.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return np.where(keep, y_pred, y_pred.dtype.type(NEG_INF))


def _same_rank(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras's `squeeze_or_expand_to_same_rank` of two arrays: (N, 1) and (N,) become
    (N, 1) both; (N, C, 1) and (N, C) become (N, C)."""
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        return (a, b[..., None]) if b.ndim == 1 else (a[..., 0], b)
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        return (a[..., None], b) if a.ndim == 1 else (a, b[..., 0])
    return a, b


def _sample_weight(w: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Keras's shaping of a sample weight: a weight per row (N,) covers the row's
    columns, a weight per element (N, C) stays as it is."""
    w = w[..., None]
    if w.ndim == y_true.ndim + 1 and w.shape[-1] == 1:
        w = w[..., 0]
    return w


def confusion_counts(
    counted: Sequence[str],
    y_true: Any,
    y_pred: Any,
    thresholds: Sequence[float],
    dtype: npt.DTypeLike,
    *,
    evenly: bool = False,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The counts named in `counted` (see `COUNTS`) of one batch, one per threshold
    (shape (T,), or (T, labels) with `multi_label`), in `dtype`.

    Args:
        counted: which counts to return.
        y_true, y_pred: targets and predictions of the same shape, or (N,) and (N, 1).
        thresholds: ascending; `evenly` when `evenly_spaced` (or so with its end
            values moved outside [0, 1]) to count by buckets, as Keras does.
        dtype: of the arithmetic and the counts (the metric's dtype).
        top_k: only the k largest predictions of each row can be positive.
        class_id: score only that column of (N, C) targets and predictions.
        sample_weight: a weight per row (N,) or per element, or a scalar.
        multi_label: a count per column of (N, L) data, not one for all elements.
        label_weights: a weight per column (L,), for pooled counts only.

    Raises:
        ValueError: `class_id` with predictions of one axis.
    """
    kind = np.dtype(dtype)
    y_true, y_pred = array(y_true).astype(kind), array(y_pred).astype(kind)
    y_pred, y_true = _same_rank(y_pred, y_true)
    w = None if sample_weight is None else _sample_weight(array(sample_weight).astype(kind), y_true)
    if top_k is not None:
        y_pred = top_k_only(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                f"class_id needs predictions of shape (samples, classes), got shape {y_pred.shape}"
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weights = np.ones((), kind) if w is None else np.broadcast_to(w, y_pred.shape)
    if label_weights is not None and not multi_label:
        weights = weights * np.broadcast_to(label_weights.astype(kind), y_pred.shape)
    weights = np.broadcast_to(weights, y_pred.shape)
    if not multi_label or y_pred.ndim == 1:  # pool every element: one column
        y_true, y_pred, weights = (a.reshape(-1, 1) for a in (y_true, y_pred, weights))
    positive = y_true != 0
    if evenly:
        with_epsilon = thresholds[0] < 0 or thresholds[-1] > 1
        counts = _bucketed(positive, y_pred, weights, len(thresholds), with_epsilon)
    else:
        counts = _compared(positive, y_pred, weights, np.asarray(thresholds, dtype=kind))
    if not multi_label:
        counts = {name: value[:, 0] for name, value in counts.items()}
    return {name: counts[name].astype(kind) for name in counted}


def _compared(
    positive: np.ndarray, y_pred: np.ndarray, weights: np.ndarray, thresholds: np.ndarray
) -> dict[str, np.ndarray]:
    """The counts by comparing every prediction (N, L) with every threshold (T,)."""
    above = y_pred[None] > thresholds[:, None, None]  # (T, N, L)
    w = weights[None]
    return {
        "true_positives": np.where(above & positive, w, 0).sum(axis=1),
        "false_positives": np.where(above & ~positive, w, 0).sum(axis=1),
        "true_negatives": np.where(~above & ~positive, w, 0).sum(axis=1),
        "false_negatives": np.where(~above & positive, w, 0).sum(axis=1),
    }


def _bucketed(
    positive: np.ndarray, y_pred: np.ndarray, weights: np.ndarray, n: int, with_epsilon: bool
) -> dict[str, np.ndarray]:
    """The counts at n evenly spaced thresholds by buckets (see the module docstring)."""
    p = np.clip(y_pred, 0, 1)
    bucket = np.ceil(p * p.dtype.type(n - 1)) - 1  # in the metric's dtype, as Keras
    if with_epsilon:
        bucket = np.maximum(bucket, 0)
    bucket = bucket.astype(np.int64)
    labels = y_pred.shape[1]
    inside = bucket >= 0  # bucket -1: not above the first threshold (0)
    slot = (bucket * labels + np.arange(labels))[inside]  # (bucket, label) flattened
    true_w = np.where(positive, weights, 0).astype(np.float64)
    false_w = np.where(positive, 0, weights).astype(np.float64)

    def above(w: np.ndarray) -> np.ndarray:
        per_bucket = np.bincount(slot, weights=w[inside], minlength=n * labels)
        return np.cumsum(per_bucket.reshape(n, labels)[::-1], axis=0)[::-1]

    tp, fp = above(true_w), above(false_w)
    return {
        "true_positives": tp,
        "false_positives": fp,
        "true_negatives": false_w.sum(axis=0) - fp,
        "false_negatives": true_w.sum(axis=0) - tp,
    }
