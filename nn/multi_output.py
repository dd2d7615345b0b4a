"""Training a model with several outputs, as Keras does: one loss per output,

    loss = sum_i loss_weights[i] * loss_i(output_i, target_i)

reported as `loss` next to each output's own `<output>_loss`, and metrics per output
as `<output>_<metric>` (a functional model's output is named after the layer that makes
it). A subclassed model's list or tuple of outputs has no names, so Keras 3 reports
`<loss>_loss` (`mse_loss`: outputs with the same loss share one entry, the last
output's value) and the metrics by their own names, numbered when repeated (`mae`,
`mae_1`); a dict of outputs is ordered by key and named by its keys.
`compile(loss=...)` takes one loss for every output, a list in the order of the
outputs, or a dict by output name; `metrics` a list of lists or a dict; `fit` takes
the targets as a list or a dict by output name (`nn.functional_data`).

The shared training loop (`Model.fit`) sees one target array and one prediction per
batch: the targets are packed into a record array, one field per output, and while
it runs the model returns its outputs' values side by side in one Tensor (for the
metrics and the sample count, `side_by_side`), while the loss reads the outputs
themselves, with their graphs, from the model (`last_outputs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.tensor import data_of
from nn import losses
from nn import metrics as metrics_mod
from nn import weighted_metrics as weighted_mod
from nn.keras_metrics import Metric
from nn.symbolic import KerasTensor, map_structure


def per_output(argument: str, value: Any, names: list[str], default: Any) -> list[Any]:
    """`value` given once for all outputs, as a list in their order, or as a dict by
    output name (missing names take `default`), as one entry per output."""
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"compile: {argument} names unknown outputs {', '.join(map(str, unknown))}; "
                f"the outputs are {', '.join(names)}"
            )
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(
                f"compile: {argument} must have one entry per output ({len(names)}: "
                f"{', '.join(names)}), got {len(value)}"
            )
        return list(value)
    return [value] * len(names)


def resolve_outputs(
    model: Any,
    names: list[str],
    labels: Sequence[str | None],
    loss: Any,
    metrics: Any,
    loss_weights: Any,
    weighted_metrics: Any = None,
) -> tuple[OutputLosses, list[Any], list[Metric]]:
    """`compile`'s arguments for a model with several outputs, resolved: the total loss,
    the reported metrics and the weighted metrics. `names` are the outputs' fields in
    the packed targets, `labels` their names in the logs (None for a subclassed model's
    outputs).

    Raises:
        ValueError: `weighted_metrics` for outputs without names (Keras's logs for
            them repeat values), or not one entry per output.
    """
    per_loss = per_output("loss", loss, names, None)
    if all(item is None for item in per_loss):
        raise ValueError(
            "compile: a loss is required, e.g. loss=['mse', 'categorical_crossentropy'] "
            f"(one per output: {', '.join(names)})"
        )
    weights = per_output("loss_weights", 1.0 if loss_weights is None else loss_weights, names, 1.0)
    per_metrics = _metrics_per_output("metrics", metrics, names)
    total = OutputLosses(
        model,
        names,
        [None if item is None else losses.get(item) for item in per_loss],
        [float(w) for w in weights],
        [label or _loss_name(item) for label, item in zip(labels, per_loss)],
    )
    found = output_metrics(names, total, per_metrics, labels)
    weighted: list[Metric] = []
    if weighted_metrics:
        if any(label is None for label in labels):
            raise ValueError(
                "compile: weighted_metrics for several outputs needs named outputs (a "
                "functional model's, or a dict returned by call), not a list or tuple"
            )
        per_weighted = _metrics_per_output("weighted_metrics", weighted_metrics, names)
        taken = {getattr(fn, "name", None) or fn.__name__ for fn in found}
        weighted = output_weighted_metrics(names, total, per_weighted, labels, taken)
    raw_metrics = [name for wanted in per_metrics for name, _ in metrics_mod.resolve(wanted or [])]
    tracked_as = {
        name: f"{label}_loss"
        for name, label, fn in zip(names, total.labels, total.losses)
        if fn is not None
    }
    # Keras lists the outputs' losses in the order of a dict of losses, else the outputs'
    order = list(loss) if isinstance(loss, Mapping) else names
    tracked = [tracked_as[name] for name in order if name in tracked_as]
    # Keras's order of `evaluate`'s list (`Trainer._flatten_metrics_in_order`)
    total.keras_order = ["loss", *raw_metrics, *(tracked if len(tracked) > 1 else [])]
    return total, found, weighted


def _metrics_per_output(argument: str, metrics: Any, names: list[str]) -> list[Any]:
    """`metrics` (or `weighted_metrics`) as one entry per output: a list with one entry
    (a metric or a list of them) per output, or a dict by output name."""

    def as_list(m: Any) -> Any:  # Keras: one metric for an output is a list of one
        return m if m is None or isinstance(m, (list, tuple)) else [m]

    if isinstance(metrics, (list, tuple)) and metrics:  # [] is no metrics, as Keras's
        if len(metrics) != len(names):
            raise ValueError(
                f"compile: for a model with several outputs, give {argument} as a list with "
                f"one entry (a metric or a list) per output ({', '.join(names)}) or a "
                f"dict by output name, got {len(metrics)} entries"
            )
        metrics = [as_list(m) for m in metrics]
    if isinstance(metrics, Mapping):
        metrics = {k: as_list(m) for k, m in metrics.items()}
    return per_output(argument, metrics, names, None) if metrics else [None] * len(names)


def _loss_name(loss: Any) -> str:
    """Keras's name of a loss as given to `compile`: the string, or the object's name."""
    if loss is None or isinstance(loss, str):
        return str(loss)
    return str(getattr(loss, "name", None) or getattr(loss, "__name__", type(loss).__name__))


def in_keras_order(logs: dict[str, Any], names: list[str]) -> list[Any]:
    """`evaluate`'s list as Keras 3 makes it: the value of each of `names` found in the
    logs (a repeated name repeats its value), then the other logs by sorted key."""
    found = [logs[name] for name in names if name in logs]
    return found + [logs[key] for key in sorted(logs) if key not in names]


def call_output_names(caller: str, result: Any) -> tuple[list[str], list[str | None]]:
    """The outputs' fields in the packed targets and their names in the logs, for what
    a subclassed model's `call` returns: a list or tuple gives `output_0`, ... and no
    names (Keras names the logs after the losses); a dict gives its keys, sorted as
    Keras orders a dict's outputs, which name the logs (`price_loss`, `price_mae`).

    Raises:
        ValueError: a dict with keys that are not strings.
    """
    if not isinstance(result, Mapping):
        return [f"output_{i}" for i in range(len(result))], [None] * len(result)
    if not all(isinstance(key, str) and key for key in result):
        raise ValueError(
            f"{caller}: the outputs of a model's dict must have non-empty string keys, got "
            f"{', '.join(map(repr, result))}"
        )
    names = sorted(result)
    return names, list(names)


def flat_outputs(result: Any) -> list[Any]:
    """A model's outputs in Keras's order: a list's or tuple's, or a dict's by sorted key."""
    return [result[key] for key in sorted(result)] if isinstance(result, Mapping) else list(result)


def side_by_side(model: Any, outputs: list[Tensor]) -> Tensor:
    """The outputs' values in one Tensor (N, sum of their widths), for `fit`'s loop;
    the outputs themselves are kept on the model for the loss (`last_outputs`)."""
    object.__setattr__(model, "_last_outputs", outputs)
    n = len(outputs[0].data)
    return Tensor(np.concatenate([o.data.reshape(n, -1) for o in outputs], axis=1))


class OutputLosses:
    """The loss of a model with several outputs (see the module docstring). After each
    call, `values[i]` holds output i's own loss for that batch."""

    __name__ = "loss"

    def __init__(
        self,
        model: Any,
        names: list[str],
        losses_: list[Callable[..., Tensor] | None],
        weights: list[float],
        labels: list[str] | None = None,
    ) -> None:
        self.model, self.names, self.losses, self.weights = model, names, losses_, weights
        self.labels = names if labels is None else labels
        self.values: list[float] = [0.0] * len(names)
        self.keras_order: list[str] = []

    def __call__(self, packed: Tensor, targets: np.ndarray, sample_weight: Any = None) -> Tensor:
        """The weighted sum of the outputs' losses; `sample_weight` weighs each
        output's loss per sample (see `nn.fit_data`)."""
        from nn.fit_data import weighted_loss

        outputs = self.model.__dict__["_last_outputs"]
        total: Tensor | None = None
        for i, (name, loss, weight) in enumerate(zip(self.names, self.losses, self.weights)):
            if loss is None:
                continue
            value = weighted_loss(
                loss, outputs[i], target_of(targets, name, outputs[i]), sample_weight
            )
            self.values[i] = float(value.data)
            term = value * weight if weight != 1 else value
            total = term if total is None else total + term
        assert total is not None  # compile refuses a model without any loss
        return total


def target_of(targets: np.ndarray, name: str, output: Tensor) -> Any:
    """Output `name`'s targets from the record batch: a float Tensor or an int array,
    (N,) and (N, 1) matched to the output as Keras matches them."""
    y = np.ascontiguousarray(targets[name])
    if output.shape[1:] == (1,) and y.ndim == 1:
        y = y.reshape(-1, 1)
    elif output.ndim == 1 and y.shape[1:] == (1,):
        y = y.reshape(-1)
    return Tensor(y) if y.dtype.kind == "f" else y


def output_metrics(
    names: list[str], loss: OutputLosses, metrics: list[Any], labels: Sequence[str | None]
) -> list[Any]:
    """The reported metrics, named as Keras names them: each output's loss (when there
    are several; outputs that share a name share the entry, with the last one's value),
    then each output's metrics by name. They read the batch's outputs from the model,
    as the loss does (the side-by-side predictions are only counted)."""
    tracked = [i for i, fn in enumerate(loss.losses) if fn is not None]
    last = {f"{loss.labels[i]}_loss": i for i in tracked} if len(tracked) > 1 else {}
    found = [_named(key, lambda yt, yp, i=i: loss.values[i]) for key, i in last.items()]
    extra: list[tuple[str, Any]] = []
    for i, (name, wanted) in enumerate(zip(names, metrics)):
        if not wanted:
            continue
        for metric_name, fn in metrics_mod.resolve(wanted, logits=on_logits(loss.losses[i])):
            label = metric_name if labels[i] is None else f"{labels[i]}_{metric_name}"
            if isinstance(fn, Metric):
                extra.append((label, _OutputMetric(fn, label, loss.model, i, name)))
                continue

            def metric(yt: Any, yp: np.ndarray, fn: Any = fn, i: int = i) -> float:
                output = loss.model.__dict__["_last_outputs"][i]
                return fn(yt[names[i]], output.data)

            extra.append((label, _named(label, metric)))
    return found + [fn for _, fn in sorted(extra, key=lambda pair: pair[0])]


def output_weighted_metrics(
    names: list[str],
    loss: OutputLosses,
    metrics: list[Any],
    labels: Sequence[str | None],
    taken: set[str],
) -> list[Metric]:
    """Each output's weighted metrics (Keras's `weighted_metrics` per output), named
    `<output>_<metric>`, or `<output>_weighted_<metric>` where a metric of `taken`
    (the unweighted ones) has that name; each is fed its output's targets and
    predictions with the batch's sample weights."""
    found: list[Metric] = []
    for i, (name, wanted) in enumerate(zip(names, metrics)):
        if not wanted:
            continue
        for metric_name, metric in weighted_mod.resolve(wanted, on_logits(loss.losses[i])):
            label = f"{labels[i]}_{metric_name}"
            if label in taken:
                label = f"{labels[i]}_weighted_{metric_name}"
            found.append(_OutputMetric(metric, label, loss.model, i, name))
    return found


def on_logits(loss: Any) -> bool:
    """Whether `compile`'s "accuracy" thresholds one output at 0 for this loss: a
    PyTorch loss on raw scores (`nn.BCEWithLogitsLoss`, `nn.CrossEntropyLoss`). Keras's
    losses with `from_logits=True` keep Keras's threshold of 0.5, as Keras's "accuracy"
    does (pass `nn.metrics.BinaryAccuracy(threshold=0.0)` to count logits above 0)."""
    return isinstance(loss, (losses.BCEWithLogitsLoss, losses.CrossEntropyLoss))


class _OutputMetric(Metric):
    """A `Metric` given for one output, fed that output's targets and predictions."""

    def __init__(self, metric: Metric, name: str, model: Any, index: int, output: str) -> None:
        super().__init__(name=name, dtype=metric.dtype)
        self.metric, self.model, self.index, self.output = metric, model, index, output

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        prediction = self.model.__dict__["_last_outputs"][self.index].data
        targets = y_true.data if isinstance(y_true, Tensor) else y_true
        self.metric.update_state(
            Tensor(np.ascontiguousarray(targets[self.output])),
            Tensor(prediction),
            sample_weight=sample_weight,
        )

    def result(self) -> Any:
        return self.metric.result()

    def reset_state(self) -> None:
        self.metric.reset_state()


def _named(name: str, fn: Callable[..., float]) -> Callable[..., float]:
    fn.__name__ = name
    return fn


#: What a model's result holds at its leaves (lists, tuples and dicts hold the rest).
_LEAF = (Tensor, np.ndarray, np.generic, bool, int, float)


def leaves(result: Any) -> list[np.ndarray]:
    """The arrays of a model's result (a Tensor, or a list, tuple or dict of them)."""
    found: list[np.ndarray] = []
    map_structure(lambda leaf: found.append(data_of(leaf)), result, _LEAF)
    return found


def rebuild(structure: Any, arrays: list[np.ndarray]) -> Any:
    """`arrays` (in the order of `leaves`) in the structure of a model's result."""
    position = iter(arrays)
    return map_structure(lambda _: next(position), structure, _LEAF)


def output_names(outputs: Sequence[KerasTensor]) -> list[str]:
    """Keras's output names: the names of the layers that make the outputs (numbered
    when one layer makes several)."""
    names = [t.node.layer.name for t in outputs]
    return [f"{n}_{i}" if names.count(n) > 1 else n for i, n in enumerate(names)]
