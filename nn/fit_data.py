"""What `fit` and `evaluate` do with Keras 3's `sample_weight`, `class_weight`,
`steps_per_epoch` and `validation_freq`.

Weights scale each sample's loss, and Keras's mean divides by the batch size, not by
the sum of the weights ("sum_over_batch_size"):

    loss = sum_i w_i * loss_i / N          (loss_i averaged over the sample's other axes)

`class_weight={class: factor}` is a `sample_weight` of each sample's class (the label,
the argmax of a one-hot row, or the rounded 0/1 target; unlisted classes weigh 1), for
training only. The epoch's reported loss is the mean of the batch losses weighted by
batch size; the compiled metrics are not weighted (Keras's `metrics`).

With `steps_per_epoch`, an epoch is that many batches, and the pass over the data
goes on in the next epoch where this one stopped; an epoch that reaches the end of
the data stops there (shorter, with a warning, as Keras's), and the next starts a new
pass (reshuffled).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from nn import losses
from nn.data import DataLoader


def sample_weights(
    caller: str, y: np.ndarray, sample_weight: Any, class_weight: Any
) -> np.ndarray | None:
    """The weight of each sample, from `sample_weight` (N,) or `class_weight`, or None.

    Raises:
        ValueError: both given, a `sample_weight` of the wrong shape, or a
            `class_weight` that is not a dict of class -> weight.
    """
    if sample_weight is not None and class_weight is not None:
        raise ValueError(
            f"{caller}: sample_weight and class_weight cannot be given together; give one"
        )
    n = len(y)
    if sample_weight is not None:
        w = np.asarray(sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight)
        if w.dtype.kind not in "fiub" or w.ndim == 0 or w.shape[0] != n:
            raise ValueError(
                f"{caller}: sample_weight must be numbers, one per sample ({n}), got "
                f"shape {w.shape} and dtype {w.dtype}"
            )
        return one_per_sample(w).astype(np.float64)
    if class_weight is None:
        return None
    if not isinstance(class_weight, Mapping) or not all(
        isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in class_weight
    ):
        raise ValueError(
            f"{caller}: class_weight must be a dict of class index -> weight, e.g. "
            f"{{0: 1.0, 1: 2.0}}, got {class_weight!r}"
        )
    if y.dtype.names is not None:
        raise ValueError(f"{caller}: class_weight is for models with one output")
    labels = y.reshape(n, -1)
    classes = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
    classes = np.round(classes).astype(np.int64)
    return np.array([float(class_weight.get(int(c), 1.0)) for c in classes])


def one_per_sample(w: np.ndarray) -> np.ndarray:
    """Weights (N, 1) as (N,): one per sample, as Keras matches them to the samples'
    losses (N,) (kept (N, 1), they would broadcast against them to (N, N))."""
    return w.reshape(len(w)) if w.ndim == 2 and w.shape[1] == 1 else w


class WeightedLoader(DataLoader):
    """A `DataLoader` of `(xb, yb, wb)`: the weights of each batch's samples (None
    without weights), in the same order as the samples."""

    def __init__(self, x: Any, y: Any, w: np.ndarray | None, **options: Any) -> None:
        super().__init__(x, y, **options)
        self.w = w

    def _batch(self, start: int, order: np.ndarray | None) -> Any:
        xb, yb = super()._batch(start, order)
        if self.w is None:
            return xb, yb, None
        stop = start + self.batch_size
        wb = self.w[start:stop] if order is None else self.w.take(order[start:stop])
        return xb, yb, wb


class EpochBatches:
    """The batches of each epoch: a whole pass of `loader`, or `steps` of them that
    continue the pass where the last epoch stopped (see the module docstring)."""

    def __init__(self, loader: DataLoader, steps: int | None = None) -> None:
        self.loader, self.steps = loader, steps
        self._pass: Iterator[Any] | None = None
        self._seen = 0

    def __len__(self) -> int:
        """The batches of a full epoch, Keras's `params["steps"]`."""
        return len(self.loader) if self.steps is None else self.steps

    def epoch(self) -> Iterator[Any]:
        if self.steps is None:
            yield from self.loader
            return
        if self._pass is None:
            self._pass, self._seen = iter(self.loader), 0
        total = len(self.loader)
        for _ in range(self.steps):
            if self._seen >= total:
                warnings.warn(
                    f"fit: the data ran out after {total} batches; this epoch stops early "
                    f"(steps_per_epoch={self.steps}), the next starts a new pass",
                    UserWarning,
                    stacklevel=4,  # the line that called fit
                )
                break
            self._seen += 1
            yield next(self._pass)
        if self._seen >= total:
            self._pass = None


def first_batches(loader: DataLoader, steps: int | None) -> Iterator[Any]:
    """The first `steps` batches of a pass (all without `steps`): `evaluate(steps=)`."""
    for index, batch in enumerate(loader):
        if steps is not None and index >= steps:
            return
        yield batch
        del batch


def _pred_first(loss_fn: Any) -> Any:
    """The loss as a function of (prediction, target): a Keras crossentropy module's
    `forward` (its call takes the targets first, as Keras's)."""
    return loss_fn.forward if isinstance(loss_fn, losses._KerasLoss) else loss_fn


def weighted_loss(loss_fn: Any, out: Tensor, yb: Any, wb: np.ndarray | None) -> Tensor:
    """`loss_fn(out, yb)` (values per sample averaged, as Keras's), or with weights
    Keras's sum_i w_i * loss_i / N; an `nn.losses.Loss` is called as Keras's, targets first."""
    if isinstance(loss_fn, losses.Loss):
        return loss_fn(yb, out, sample_weight=wb)
    mask = getattr(out, "_keras_mask", None)
    if mask is not None:
        return masked_loss(loss_fn, out, yb, wb, mask)
    if wb is None:
        value = _pred_first(loss_fn)(out, yb)
        return value if value.ndim == 0 else value.mean()
    from nn.multi_output import OutputLosses

    if isinstance(loss_fn, OutputLosses):
        return loss_fn(out, yb, sample_weight=wb)
    if isinstance(loss_fn, losses._Loss):
        unreduced = copy.copy(loss_fn)
        unreduced.reduction = "none"
        values = _pred_first(unreduced)(out, yb)
    else:
        values = loss_fn(out, yb)
    w = Tensor(wb.astype(values.dtype))
    if values.ndim == 0:
        return values * w.mean()
    if values.ndim > 1:  # a sample's loss is the mean over its other axes, as Keras's
        values = values.mean(axis=tuple(range(1, values.ndim)))
    return (values * w).sum() / len(wb)


def masked_loss(loss_fn: Any, out: Tensor, yb: Any, wb: np.ndarray | None, mask: Any) -> Tensor:
    """The loss of outputs that carry a mask (`nn.masking`), as Keras's: the values per
    position (a per-element loss averaged over the last axis, as Keras's `mse`), the
    mask folded into the weights (`losses.apply_mask`: kept positions weigh total /
    valid), then their mean.

    Raises:
        ValueError: a loss whose values do not have the mask's shape (a loss reduced
            to one value per batch cannot skip the masked steps).
    """
    if isinstance(loss_fn, losses._KerasLoss):
        return loss_fn(yb, out, sample_weight=wb)
    if isinstance(loss_fn, losses._Loss):
        unreduced = copy.copy(loss_fn)
        unreduced.reduction = "none"
        values = unreduced(out, yb)
    else:
        values = loss_fn(out, yb)
    if values.ndim == out.ndim and values.ndim > 1:
        values = values.mean(axis=-1)
    shape = tuple(np.shape(mask.data if isinstance(mask, Tensor) else mask))
    if tuple(values.shape) != shape:
        raise ValueError(
            f"the model's output carries a mask of shape {shape} (from Embedding(mask_zero="
            f"True) or Masking), but the loss {loss_fn!r} gives values of shape "
            f"{tuple(values.shape)}; use a loss that gives a value per step (a Keras loss "
            "such as 'sparse_categorical_crossentropy' or 'mse')"
        )
    weights = losses.apply_mask(wb, mask, values.dtype, "sum_over_batch_size")
    return losses.weighted_values(values, weights).sum() / max(values.size, 1)


def should_validate(epoch: int, validation_freq: Any) -> bool:
    """Keras's rule: validate after epoch e (counted from 1) when e % freq == 0, or
    when e is in the list."""
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def check_validation_freq(validation_freq: Any) -> None:
    if isinstance(validation_freq, (list, tuple)) and all(
        isinstance(e, int) and not isinstance(e, bool) for e in validation_freq
    ):
        return
    if isinstance(validation_freq, int) and not isinstance(validation_freq, bool):
        if validation_freq >= 1:
            return
    raise ValueError(
        "fit: validation_freq must be a positive int (validate every n epochs) or a list "
        f"of epochs counted from 1, got {validation_freq!r}"
    )
