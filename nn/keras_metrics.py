"""Keras 3's stateful metrics: `Metric` to subclass, and the built-in metric classes.

A metric keeps running state in variables made by `add_weight`; `update_state(y_true,
y_pred, sample_weight=None)` adds a batch to it, `result()` reads the value so far,
`reset_state()` starts again. `fit` resets every metric at the start of each epoch
and before validation, updates it after each batch and reports `result()` under the
metric's `name`, as Keras does. The DLwP example::

    class RootMeanSquaredError(nn.metrics.Metric):
        def __init__(self, name="rmse", **kwargs):
            super().__init__(name=name, **kwargs)
            self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
            self.total_samples = self.add_weight(name="total_samples", dtype="int32")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = nn.ops.one_hot(y_true, num_classes=nn.ops.shape(y_pred)[1])
            self.mse_sum.assign_add(nn.ops.sum(nn.ops.square(y_true - y_pred)))
            self.total_samples.assign_add(nn.ops.shape(y_pred)[0])

        def result(self):
            return nn.ops.sqrt(self.mse_sum / nn.ops.cast(self.total_samples, "float32"))

The built-in classes compute with numpy in the metric's dtype and keep Keras's
state variables (`total` and `count` for means). Keras's rules, which they follow:

- Means (`Mean`, the accuracies, `MeanSquaredError`, ...): each sample's value
  (averaged over its other axes) v_i with weight w_i (1 without `sample_weight`):
  total += sum(w_i * v_i), count += sum(w_i), result = total / count (0 when count
  is 0). `RootMeanSquaredError` is sqrt of that mean of squared errors.
- The metrics of confusion counts (`Precision`, `Recall`, `AUC`, ...) are in
  `nn.confusion_metrics` and `nn.auc`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, get_default_dtype
from nn import init
from nn.layer import Variable, _keras_draw, _weight_shape
from nn.symbolic import unique_name


def snake_case(name: str) -> str:
    """Keras's default name of a metric or a loss: the class name in snake case."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _array(value: Any) -> np.ndarray:
    return np.asarray(value.data if isinstance(value, Tensor) else value)


class Metric:
    """Keras 3's base class of stateful metrics (see the module docstring).

    A subclass makes its state with `add_weight` in `__init__` and defines
    `update_state` and `result`; `reset_state` sets every variable to zero unless
    overridden. Calling the metric, `metric(y_true, y_pred)`, updates it and returns
    the result.

    Args:
        name: the name `fit` reports it under (default: the class name in snake case,
            numbered from the second one on, as Keras's).
        dtype: of the state and the result (default: the default float dtype, float32).
    """

    def __init__(self, name: str | None = None, dtype: npt.DTypeLike | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Metric: name must be a str, got {type(name).__name__}")
        # Keras numbers default names as it numbers layers': precision, precision_1, ...
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._dtype = np.dtype(dtype or get_default_dtype())
        self._variables: list[Variable] = []

    @property
    def dtype(self) -> str:
        """The dtype's name, as Keras gives it ("float32")."""
        return self._dtype.name

    @property
    def variables(self) -> list[Variable]:
        """The state variables, in the order they were made."""
        return list(self.__dict__.get("_variables", []))

    def add_weight(
        self,
        name: str | None = None,
        shape: Sequence[int] | None = (),
        initializer: str | init.Initializer = "zeros",
        dtype: npt.DTypeLike | None = None,
    ) -> Variable:
        """Make a state variable (not trainable) and keep it in `variables`.

        Args:
            name: the variable's name.
            shape: its shape; `()` (the default) for a scalar.
            initializer: "zeros" (the default), "ones" or another `nn.init` name.
            dtype: float or int ("int32" for counts); the metric's dtype by default.

        Raises:
            RuntimeError: called before `super().__init__()`.
        """
        if "_variables" not in self.__dict__:
            owner = type(self).__name__
            raise RuntimeError(
                f"add_weight: {owner} is not initialized; call super().__init__() first "
                f"in {owner}.__init__"
            )
        shape = _weight_shape(shape)
        kind = np.dtype(dtype or self._dtype)
        if kind.kind not in "fiub":
            raise ValueError(f"add_weight: dtype must be a float or int dtype, got {kind}")
        fill = init.get(initializer)
        start = _keras_draw(fill, shape, np.dtype(np.float64))
        variable = Variable(np.zeros(shape), dtype=np.float64, trainable=False, name=name)
        variable.data = start.astype(kind)  # counts stay integers (a Parameter is float)
        self._variables.append(variable)
        return variable

    add_variable = add_weight  # Keras 3's other name

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Add a batch to the state (a subclass defines it)."""
        raise NotImplementedError(f"{type(self).__name__} must define update_state")

    def result(self) -> Any:
        """The metric's value for everything added since the last reset."""
        raise NotImplementedError(f"{type(self).__name__} must define result")

    def reset_state(self) -> None:
        """Set every state variable to zero, as Keras's default does."""
        for variable in self.variables:
            variable.data[...] = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _same_rank(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the
    longer one ends in an axis of 1, give the (N,) one that axis too (else drop it)."""
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        return (a, b[..., None]) if b.ndim == 1 else (a[..., 0], b)
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        return (a[..., None], b) if a.ndim == 1 else (a, b[..., 0])
    return a, b


class Mean(Metric):
    """The weighted mean of the values given: total / count (see the module docstring).
    `update_state(values, sample_weight=None)`."""

    def __init__(self, name: str | None = "mean", dtype: npt.DTypeLike | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight(name="total")
        self.count = self.add_weight(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _array(values).astype(self._dtype)
        if sample_weight is None:
            per_sample = values.reshape(len(values), -1).mean(axis=1) if values.ndim else values
            count = len(values) if values.ndim else 1
        else:
            w = _array(sample_weight).astype(self._dtype)
            if values.ndim == 0:  # one value for the batch: each sample's
                values = np.broadcast_to(values, w.shape[:1])
            values, w = _same_rank(values, w)
            if values.ndim > w.ndim:  # average the axes the weights do not have
                values = values.mean(axis=tuple(range(w.ndim, values.ndim)))
            w = np.broadcast_to(w, values.shape)
            per_sample = values * w
            if per_sample.ndim > 1:
                per_sample = per_sample.mean(axis=tuple(range(1, per_sample.ndim)))
            if w.ndim > 1:
                w = w.mean(axis=tuple(range(1, w.ndim)))
            count = w.sum()
        self.total.data[...] += per_sample.sum(dtype=self._dtype)
        self.count.data[...] += count

    def result(self) -> Tensor:
        total, count = self.total.data, self.count.data
        return Tensor(np.asarray(total / count if count else 0, self._dtype))


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)`, a value per sample (Keras's
    wrapper of metric functions)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        dtype: npt.DTypeLike | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Keras's: with a mask on `y_pred` (`nn.masking`), the mask (times the weights)
        weighs the values, so the mean is over the kept positions."""
        mask = getattr(y_pred, "_keras_mask", None)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            from nn.losses import apply_mask

            sample_weight = apply_mask(sample_weight, mask, self._dtype, "sum")
        super().update_state(values, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where y_pred == y_true exactly, else 0 (Keras's `Accuracy`)."""
    y_pred = _array(y_pred)
    y_true, y_pred = _same_rank(_array(y_true).astype(y_pred.dtype), y_pred)
    return (y_true == y_pred).astype(get_default_dtype())


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """1 where (y_pred > threshold) equals y_true, else 0."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return ((y_pred > threshold).astype(y_true.dtype) == y_true).astype(get_default_dtype())


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where argmax(y_pred) == argmax(y_true) (one-hot rows), else 0."""
    return (_array(y_pred).argmax(-1) == _array(y_true).argmax(-1)).astype(get_default_dtype())


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where argmax(y_pred) equals the label, else 0 (labels (N,) or (N, 1))."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return (y_pred.argmax(-1) == y_true).astype(get_default_dtype())


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """mean((y_pred - y_true)**2) over the last axis."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return np.mean(np.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """mean(|y_pred - y_true|) over the last axis."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return np.mean(np.abs(y_pred - y_true), axis=-1)


class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly."""

    def __init__(self, name: str = "accuracy", dtype: npt.DTypeLike | None = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) equals the 0/1 target."""

    def __init__(
        self, name: str = "binary_accuracy", dtype: npt.DTypeLike | None = None, threshold=0.5
    ) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is the one-hot target's class."""

    def __init__(
        self, name: str = "categorical_accuracy", dtype: npt.DTypeLike | None = None
    ) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is the integer label's class."""

    def __init__(
        self, name: str = "sparse_categorical_accuracy", dtype: npt.DTypeLike | None = None
    ) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class MeanSquaredError(MeanMetricWrapper):
    """The mean of (y_pred - y_true)**2."""

    def __init__(
        self, name: str = "mean_squared_error", dtype: npt.DTypeLike | None = None
    ) -> None:
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of |y_pred - y_true|."""

    def __init__(
        self, name: str = "mean_absolute_error", dtype: npt.DTypeLike | None = None
    ) -> None:
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """sqrt(weighted mean of (y_pred - y_true)**2)."""

    def __init__(
        self, name: str = "root_mean_squared_error", dtype: npt.DTypeLike | None = None
    ) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
        super().update_state(np.square(y_pred - y_true), sample_weight)

    def result(self) -> Tensor:
        return Tensor(np.sqrt(super().result().data))


#: Keras's names of the metric classes for `compile(metrics=[...])`.
CLASSES: dict[str, type[Metric]] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "root_mean_squared_error": RootMeanSquaredError,
}
