"""Keras 3's overridable training steps: `train_step`, `test_step`, `predict_step`,
`compute_loss`, `compute_metrics` and the `metrics` of a model.

`fit` calls `train_step(data)` on every batch, `evaluate` (and `fit`'s validation)
`test_step(data)` and `predict` `predict_step(data)`, where `data` is what Keras's
data adapters give: the inputs `x` alone, `(x, y)` or `(x, y, sample_weight)`
(`unpack_x_y_sample_weight` takes it apart). A subclass overrides a step the way
Keras's PyTorch-backend guide writes it::

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        self.optimizer.apply([v.grad for v in self.trainable_weights], self.trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

The dict a step returns is what the progress bar, the callbacks and the `History`
see: nested dicts (the compiled metrics' results) flattened, the keys sorted, the
values made floats (`step_logs`). At the start of every epoch (and of `evaluate`)
`fit` resets the metrics that `model.metrics` lists: the loss tracker (`Mean`
named "loss"), the compiled metrics as one `CompileMetrics` ("compile_metrics",
once compiled), and the `Metric` objects the model holds; a subclass may list its
own trackers instead by overriding the `metrics` property.

The default steps compute what Keras's do, and as long as a model overrides none of
`train_step`, `test_step`, `compute_loss` or `compute_metrics`, `fit` and `evaluate`
run their own loop instead (the same numbers, without a Metric update per batch, and
with the fused step of `nn.dense_stack` for a stack of Dense layers).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from nn import metrics as metrics_mod
from nn.fit_data import one_per_sample, weighted_loss
from nn.keras_metrics import Mean, Metric
from nn.module import training_mode

#: the methods whose override makes `fit` (train) and `evaluate` (test) call the steps
_STEP_METHODS = {
    "train": ("train_step", "compute_loss", "compute_metrics"),
    "test": ("test_step", "compute_loss", "compute_metrics"),
    "predict": ("predict_step",),
}


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """Keras's `keras.utils.unpack_x_y_sample_weight`: `(x, y, sample_weight)` from
    `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` (a list is taken as a tuple),
    with None for what is missing.

    Raises:
        ValueError: a tuple of more than three items.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) in (1, 2, 3):
        x, y, sample_weight = (*data, None, None)[:3]
        return x, y, sample_weight
    raise ValueError(
        "unpack_x_y_sample_weight: data is expected to be x, (x,), (x, y) or "
        f"(x, y, sample_weight); got a tuple of {len(data)} items"
    )


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Keras's `keras.utils.pack_x_y_sample_weight`: `x` alone (a tuple `(x,)` when `x`
    is itself a list or tuple), `(x, y)` or `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight


def step_data(xb: Any, yb: Any, wb: np.ndarray | None) -> Any:
    """A batch of `fit` or `evaluate` as a step takes it: `x` alone when there are no
    targets (None, or the empty (N, 0) of a model fit on `x` alone), else `(x, y)` or,
    with sample weights, `(x, y, sample_weight)` (the weights as a Tensor)."""
    if yb is None or _no_targets(yb):
        return xb
    return pack_x_y_sample_weight(xb, yb, None if wb is None else Tensor(wb))


def _no_targets(yb: Any) -> bool:
    """Whether `yb` is the empty targets (N, 0) of a model fit on `x` alone."""
    array = yb.data if isinstance(yb, Tensor) else yb
    return isinstance(array, np.ndarray) and array.dtype.names is None and array.shape[1:] == (0,)


def step_logs(logs: Any) -> dict[str, Any]:
    """What a step returned as the logs of Keras's `fit`: a dict with nested dicts
    flattened, the keys sorted, one-value Tensors and arrays as floats (as Keras's
    `pythonify_logs`).

    Raises:
        TypeError: the step returned something other than a dict.
    """
    if not isinstance(logs, Mapping):
        raise TypeError(
            "a train_step / test_step must return a dict of metric name -> value, e.g. "
            "{m.name: m.result() for m in self.metrics}; got " + type(logs).__name__
        )
    result: dict[str, Any] = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, Mapping):
            result.update(step_logs(value))
        else:
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            result[key] = float(array.reshape(())) if array.size == 1 else array
    return result


def overrides(model: Any, kind: str) -> bool:
    """Whether `model`'s class overrides a method that `fit` ("train"), `evaluate`
    ("test") or `predict` ("predict") must then call (see `_STEP_METHODS`)."""
    cls = type(model)
    return any(getattr(cls, name) is not getattr(TrainSteps, name) for name in _STEP_METHODS[kind])


class CompileMetrics(Metric):
    """The metrics given to `compile`, as one `Metric` (Keras's `CompileMetrics`):
    `update_state(y_true, y_pred, sample_weight=None)` updates them all (the weighted
    metrics with the weights), `result()` is `{name: value}` under the names `fit`
    reports them by.

    Args:
        metrics: `(name, function or Metric)` pairs, as `nn.metrics.resolve` gives them.
        weighted: `(name, Metric)` pairs, as `nn.weighted_metrics.resolve` gives them.
    """

    def __init__(
        self,
        metrics: list[tuple[str, Any]],
        weighted: list[tuple[str, Metric]],
        name: str = "compile_metrics",
    ) -> None:
        super().__init__(name=name)
        self._given, self._weighted = metrics, weighted
        self._running = metrics_mod.Running(metrics, weighted=weighted)
        self._names = self._running.names[1:]

    @property
    def metrics(self) -> list[str]:
        """The names of the metrics, in the order `result` gives them."""
        return list(self._names)

    def adopt(self, running: metrics_mod.Running) -> None:
        """Hold the results of `fit`'s own loop (`running`, whose names include these)."""
        self._running = running

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch: the metrics' targets and predictions (the weighted metrics
        also get `sample_weight`, one per sample)."""
        pred = np.asarray(y_pred.data if isinstance(y_pred, Tensor) else y_pred)
        true = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
        w = None if sample_weight is None else one_per_sample(_array(sample_weight))
        mask = getattr(y_pred, "_keras_mask", None)  # (`nn.masking`: its kept entries)
        self._running.add(len(pred), 0.0, true, pred, w, mask)

    def result(self) -> dict[str, Any]:
        means = self._running.means()
        return {name: means[name] for name in self._names}

    def reset_state(self) -> None:
        self._running = metrics_mod.Running(self._given, weighted=self._weighted)


def _array(value: Any) -> np.ndarray:
    return np.asarray(value.data if isinstance(value, Tensor) else value)


def _batch_size(x: Any) -> int:
    """The number of samples of a batch's inputs (the first of several)."""
    if isinstance(x, Mapping):
        x = next(iter(x.values()))
    while isinstance(x, (list, tuple)):
        x = x[0]
    return len(x)


class TrainSteps:
    """Keras 3's overridable steps of `nn.Model` (see the module docstring); the model
    provides `_compiled`, `_make_optimizer`, `losses` and `has_penalties`."""

    _compiled: Any

    def train_step(self, data: Any) -> dict[str, Any]:
        """One training step on a batch `data` (`x`, `(x, y)` or `(x, y,
        sample_weight)`), as Keras's: the forward pass in training mode, `compute_loss`,
        the loss tracker updated, the gradients applied by the optimizer, then
        `compute_metrics`; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        model: Any = self
        if model.training:
            y_pred = model(x)
        else:
            with training_mode(model, True):
                y_pred = model(x)
        loss = self._call_compute_loss(x, y, y_pred, sample_weight, training=True)
        self._compiled.loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        optimizer = model._make_optimizer()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        """One evaluation step on a batch, as Keras's: the forward pass in inference
        mode, `compute_loss(training=False)`, the loss tracker and `compute_metrics`."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        model: Any = self
        with training_mode(model, False):
            y_pred = model(x)
        loss = self._call_compute_loss(x, y, y_pred, sample_weight, training=False)
        self._compiled.loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs for a batch (`x`, or a tuple whose first item is `x`),
        in inference mode, as Keras's."""
        x, _, _ = unpack_x_y_sample_weight(data)
        model: Any = self
        with training_mode(model, False):
            return model(x)

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Tensor:
        """Keras's total loss of a batch: the compiled loss of `y` and `y_pred`
        (weighted by `sample_weight`), plus the model's `losses` (regularization
        penalties and what layers gave `add_loss`). `x` and `training` are unused here;
        an override may use them.

        Raises:
            ValueError: the model is not compiled.
        """
        del x, training
        compiled = self._require_compiled("compute_loss")  # type: ignore[attr-defined]
        from nn.training import output_shaped  # (training imports this module)

        if not isinstance(y_pred, Tensor):
            y_pred = Tensor(np.asarray(y_pred))
        if isinstance(y, np.ndarray) and y.dtype.names is None:
            y = output_shaped(y, y_pred)
        elif isinstance(y, Tensor):  # (reshaped in the graph: targets may need their gradient)
            shape = output_shaped(y.data, y_pred).shape
            y = y if shape == y.shape else y.reshape(shape)
        w = None if sample_weight is None else one_per_sample(_array(sample_weight))
        loss = weighted_loss(compiled.loss, y_pred, y, w)
        model: Any = self
        if model.has_penalties():
            loss = loss + sum(model.losses)
        return loss

    def _call_compute_loss(
        self, x: Any, y: Any, y_pred: Any, sample_weight: Any, training: bool
    ) -> Tensor:
        """`compute_loss`, given `training` only when it takes it (an override written
        before Keras 3.3 has no such argument, as Keras's `_compute_loss`)."""
        parameters = inspect.signature(self.compute_loss).parameters
        if "training" in parameters:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(
        self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None
    ) -> dict[str, Any]:
        """Update the compiled metrics with a batch and return `get_metrics_result()`."""
        del x
        compile_metrics = self._require_compiled("compute_metrics").compile_metrics  # type: ignore[attr-defined]
        if compile_metrics is not None:
            compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, Any]:
        """`{name: result}` of every metric in `metrics`, the compiled ones' dict merged
        in, as Keras's."""
        results: dict[str, Any] = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    def reset_metrics(self) -> None:
        """Reset every metric in `metrics` (`fit` does at each epoch, `evaluate` first)."""
        for metric in self.metrics:
            metric.reset_state()

    @property
    def metrics(self) -> list[Metric]:
        """Keras's `model.metrics`: once compiled, the loss tracker (a `Mean` named
        "loss") and the compiled metrics (one `CompileMetrics`, when there are some);
        then the `Metric` objects the model and its layers hold as attributes."""
        compiled = self.__dict__.get("_compiled")
        found: list[Metric] = []
        if compiled is not None:
            found.append(compiled.loss_tracker)
            if compiled.compile_metrics is not None:
                found.append(compiled.compile_metrics)
            given = [m for _, m in compiled.metrics + compiled.weighted_metrics]
        else:
            given = []
        return found + metrics_mod.tracked_metrics(self, [*given, *found])

    def _flatten_in_order(self, logs: dict[str, Any]) -> list[Any]:
        """`evaluate`'s list from a step's logs, as Keras's: in the order of `metrics`
        (the compiled metrics' names in theirs), then the other keys sorted."""
        names: list[str] = []
        for metric in self.metrics:
            names += metric.metrics if isinstance(metric, CompileMetrics) else [metric.name]
        ordered = [logs[name] for name in dict.fromkeys(names) if name in logs]
        return ordered + [logs[key] for key in sorted(logs) if key not in names]


def keep_results(compiled: Any, running: metrics_mod.Running) -> None:
    """After an epoch or an evaluation of `fit`'s own loop, the loss tracker and the
    compiled metrics hold its results, as Keras's `model.metrics` do after `fit`."""
    tracker = compiled.loss_tracker
    tracker.total.data[...] = running.sums[0]
    tracker.count.data[...] = running.seen
    if compiled.compile_metrics is not None:
        compiled.compile_metrics.adopt(running)


def new_loss_tracker() -> Mean:
    """The loss tracker of a compiled model: Keras's `Mean(name="loss")`."""
    return Mean(name="loss")
