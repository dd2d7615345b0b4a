"""Loss modules, called `loss(input, target)` as in PyTorch, and `get()` for the names
that `compile(loss=...)` takes.

The Keras names resolve to Keras semantics: `"categorical_crossentropy"`,
`"sparse_categorical_crossentropy"` and `"binary_crossentropy"` expect
PROBABILITIES (the output of a softmax or sigmoid layer), clipped to [1e-7, 1 - 1e-7]
as Keras does. For raw scores use `from_logits=True`, or the PyTorch-style
`CrossEntropyLoss` / `BCEWithLogitsLoss`, which take logits. PyTorch's losses are
called as PyTorch's, prediction first: `loss(input, target)`; Keras's (the
crossentropies above, `nn.losses.Loss` and its subclasses, and a plain function given
to `compile`) as Keras calls them, targets first: `loss(y_true, y_pred)`.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from nn import functional as F
from nn.custom_objects import deserialize_keras, serialize_keras
from nn.keras_metrics import snake_case
from nn.module import Module
from nn.symbolic import unique_name


def _data(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


class _Loss(Module):
    """A loss with a `reduction` ("mean", "sum" or "none") and a functional form `fn`."""

    fn: Callable[..., Tensor]

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = F.check_reduction(reduction)

    def options(self) -> dict[str, Any]:
        """Keyword arguments passed to `fn` besides input, target and reduction."""
        return {}

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return type(self).fn(input, target, reduction=self.reduction, **self.options())

    # No extra_repr: PyTorch prints every loss as `MSELoss()`, whatever its options.


def weighted_values(values: Tensor, sample_weight: Any) -> Tensor:
    """`values * sample_weight` with Keras's shape rule (`squeeze_or_expand_to_same_rank`):
    ranks one apart with a last axis of 1 are matched first (per-sample values (N,) and
    weights (N, 1) give (N, 1), not (N, N)); weights of a lower rank then cover the
    trailing axes."""
    w = np.asarray(sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight)
    w = w.astype(values.dtype, copy=False)
    if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        else:
            w = w.reshape(w.shape[:-1])
    elif values.ndim == w.ndim + 1 and values.shape[-1] == 1 and w.ndim != 1:
        values = values.reshape(values.shape[:-1])
    return values * w.reshape(w.shape + (1,) * (values.ndim - w.ndim))


def _both(first: Any, second: Any) -> np.ndarray | None:
    """Two masks combined (True where both are), or the one given, or None."""
    masks = [np.asarray(m.data if isinstance(m, Tensor) else m, bool) for m in (first, second)]
    if first is None:
        return None if second is None else masks[1]
    return masks[0] if second is None else masks[0] & masks[1]


def apply_mask(sample_weight: Any, mask: Any, dtype: Any, reduction: str | None) -> np.ndarray:
    """Keras's `apply_mask`: a mask (True where an entry counts) folded into the sample
    weights. For the reductions "sum_over_batch_size" and "mean" a kept entry weighs
    total / valid (the mask's size over its True count; 0 when none is), so that the
    mean is taken over the kept entries; otherwise 1. Weights given multiply it,
    covering its trailing axes (`weighted_values`)."""
    kept = np.asarray(mask.data if isinstance(mask, Tensor) else mask, bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = int(kept.sum())
        weight = kept.size / valid if valid else 0.0
        float_mask = np.where(kept, weight, 0.0).astype(dtype)
    else:
        float_mask = kept.astype(dtype)
    if sample_weight is None:
        return float_mask
    return weighted_values(Tensor(float_mask), sample_weight).data


class Loss:
    """Keras's base class for a loss written as `call(y_true, y_pred)`, which returns
    a value per sample (or per element). Called as Keras's losses are, targets first,
    `loss(y_true, y_pred, sample_weight=None)` gives, with l the values of `call` and w
    the weights (broadcast over l's trailing axes):

        "sum_over_batch_size" (the default)
        and "mean":                           sum(w * l) / l.size
        "mean_with_sample_weight":            sum(w * l) / sum(w)   (l.size without w)
        "sum":                                sum(w * l)
        "none" and None:                      w * l

    (a divisor of 0 gives 0, and a single value is returned as it is, as in Keras).
    When `y_pred` (or the values) carries a mask (`nn.masking`: a model's output after
    `Embedding(mask_zero=True)` and a recurrent layer with return_sequences), it joins
    the weights as Keras's `apply_mask`: masked entries weigh 0, and with
    "sum_over_batch_size" or "mean" the others total / valid, so the loss is the mean
    over the kept entries.

    `y_true` becomes a Tensor of `y_pred`'s dtype first, as in Keras. `compile(loss=...)`
    calls it this way (targets first), unlike the modules above.

    Example:
        >>> import numpy as np, nn
        >>> class MyMSE(nn.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return nn.ops.mean(nn.ops.square(y_true - y_pred), axis=-1)
        >>> float(MyMSE()(np.zeros((2, 2)), np.ones((2, 2))))
        1.0
    """

    REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")

    def __init__(
        self, name: str | None = None, reduction: str = "sum_over_batch_size", dtype: Any = None
    ) -> None:
        if reduction not in self.REDUCTIONS:
            raise ValueError(
                f"Loss: reduction must be one of {', '.join(map(str, self.REDUCTIONS))}, "
                f"got {reduction!r}"
            )
        # Keras's default name: the class's in snake case, numbered (huber_loss, huber_loss_1)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        in_mask = getattr(y_pred, "_keras_mask", None)  # (`nn.masking`)
        y_pred = as_tensor(y_pred, self.dtype)
        y_true = keras_target(y_true, y_pred.dtype)
        values = as_tensor(self.call(y_true, y_pred))
        mask = _both(in_mask, getattr(values, "_keras_mask", None))
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, values.dtype, self.reduction)
        w = None
        if sample_weight is not None:
            w = np.asarray(_data(sample_weight), dtype=values.dtype)
            values = weighted_values(values, w)
        if self.reduction in (None, "none") or values.shape in ((), (0,)):
            return values
        total = values.sum()
        if self.reduction == "sum":
            return total
        divisor = float(values.size)
        if self.reduction == "mean_with_sample_weight" and w is not None:
            divisor = float(w.sum())
        return total / divisor if divisor else total * 0.0

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)


class NoLoss(Loss):
    """What `compile` without a loss trains on, as Keras 3: 0 for every batch, so the
    losses the model's layers add (`add_loss`, regularizers) are the whole loss (the
    endpoint layer pattern); with none, the loss is 0 and the weights get zero
    gradients."""

    def __init__(self) -> None:
        super().__init__(name="loss")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        y_pred = as_tensor(y_pred)
        return y_pred.sum() * 0.0  # (on the graph: every weight gets a zero gradient)


class MSELoss(_Loss):
    """Mean squared error: (input - target)**2, reduced. Shapes: input and target alike."""

    fn = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error: |input - target|, reduced."""

    fn = staticmethod(F.l1_loss)


class HuberLoss(_Loss):
    """0.5 * d**2 if |d| <= delta else delta * (|d| - 0.5 * delta), d = input - target."""

    fn = staticmethod(F.huber_loss)

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def options(self) -> dict[str, Any]:
        return {"delta": self.delta}


class SmoothL1Loss(_Loss):
    """0.5 * d**2 / beta if |d| < beta else |d| - 0.5 * beta, d = input - target."""

    fn = staticmethod(F.smooth_l1_loss)

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def options(self) -> dict[str, Any]:
        return {"beta": self.beta}


class BCELoss(_Loss):
    """Binary cross entropy on probabilities: -w (y log p + (1 - y) log(1 - p)), each log
    floored at -100 as in torch; `weight` w broadcasts to the input."""

    fn = staticmethod(F.binary_cross_entropy)

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def options(self) -> dict[str, Any]:
        return {"weight": self.weight}


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy on logits, stable for any x: softplus(x) - x * y, with
    torch's `weight` and `pos_weight` (see `functional.binary_cross_entropy_with_logits`)."""

    fn = staticmethod(F.binary_cross_entropy_with_logits)

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def options(self) -> dict[str, Any]:
        return {"weight": self.weight, "pos_weight": self.pos_weight}


class CrossEntropyLoss(_Loss):
    """Cross entropy from logits (N, C) with class targets (N,) or probability
    targets (N, C): -sum_c w_c q_c log_softmax(x)_c, optionally label-smoothed, with
    torch's `weight` per class and `ignore_index` (see `functional.cross_entropy`, which
    also takes torch's (N, C, d1, ..., dk) and (C,))."""

    fn = staticmethod(F.cross_entropy)

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index
        self.label_smoothing = label_smoothing

    def options(self) -> dict[str, Any]:
        return {
            "weight": self.weight,
            "ignore_index": self.ignore_index,
            "label_smoothing": self.label_smoothing,
        }

    def forward(self, input: Tensor, target: Any) -> Tensor:
        # The loss of every classification loop: called directly, without options().
        return F.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(_Loss):
    """Negative log likelihood -w_(y_i) input[i, y_i] of log-probabilities (N, C), with
    torch's `weight` per class and `ignore_index` (see `functional.nll_loss`)."""

    fn = staticmethod(F.nll_loss)

    def __init__(
        self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def options(self) -> dict[str, Any]:
        return {"weight": self.weight, "ignore_index": self.ignore_index}


class _KerasLoss(_Loss):
    """A Keras crossentropy: on probabilities unless `from_logits=True`.

    Called as Keras's loss objects are, targets first: `loss(y_true, y_pred,
    sample_weight=None)` (the quickstart's ``loss_fn(y_train[:1], predictions)``), with
    Keras's reductions ("sum_over_batch_size", the mean, is "mean" here; "sum";
    "none"); `forward(y_pred, y_true)` is the module's own order, which `fit` uses.
    """

    def __init__(self, from_logits: bool = False, reduction: str = "mean") -> None:
        super().__init__("mean" if reduction == "sum_over_batch_size" else reduction)
        self.from_logits = from_logits

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """Keras's call: l_i per sample (an elementwise loss, binary crossentropy,
        averaged over the last axis, as Keras's), times w_i, then summed ("sum"),
        summed over the number of values ("mean", Keras's "sum_over_batch_size"), or
        returned ("none")."""
        in_mask = getattr(y_pred, "_keras_mask", None)  # (`nn.masking`), as `Loss`'s
        y_pred = as_tensor(y_pred)
        values = type(self).fn(y_pred, y_true, reduction="none", **self.options())
        if values.ndim and values.ndim == y_pred.ndim:  # one value per element
            values = values.mean(axis=-1)
        if in_mask is not None:
            reduction = "sum_over_batch_size" if self.reduction == "mean" else self.reduction
            sample_weight = apply_mask(sample_weight, in_mask, values.dtype, reduction)
        if sample_weight is not None:
            values = weighted_values(values, sample_weight)
        if self.reduction == "none":
            return values
        total = values.sum()
        return total if self.reduction == "sum" else total / max(values.size, 1)

    def options(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits}

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, from_logits={self.from_logits!r}"


class CategoricalCrossentropy(_KerasLoss):
    """Keras: -sum_c y_c log(p_c), p probabilities (N, C), y one-hot (N, C)."""

    fn = staticmethod(F.categorical_crossentropy)


class SparseCategoricalCrossentropy(_KerasLoss):
    """Keras: -log(p[i, y_i]), p probabilities (N, C), y integer labels (N,)."""

    fn = staticmethod(F.sparse_categorical_crossentropy)


class BinaryCrossentropy(_KerasLoss):
    """Keras: -(y log p + (1 - y) log(1 - p)), p probabilities clipped to [1e-7, 1 - 1e-7]."""

    fn = staticmethod(F.binary_crossentropy)


LOSSES: dict[str, Callable[[], Any]] = {
    "mse": MSELoss,
    "mean_squared_error": MSELoss,
    "mae": L1Loss,
    "mean_absolute_error": L1Loss,
    "huber": HuberLoss,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "cross_entropy": CrossEntropyLoss,
    "bce": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "nll": NLLLoss,
}


class MeanSquaredError(Loss):
    """Keras's `keras.losses.MeanSquaredError`: mean((y_true - y_pred)**2) over the last
    axis, one value per sample, then reduced as `Loss` says. A Keras loss object, so
    called targets first, `loss(y_true, y_pred, sample_weight=None)`."""

    def __init__(
        self,
        reduction: str = "sum_over_batch_size",
        name: str = "mean_squared_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return ((y_pred - y_true) ** 2).mean(axis=-1)


class MeanAbsoluteError(Loss):
    """Keras's `keras.losses.MeanAbsoluteError`: mean(|y_true - y_pred|) over the last
    axis, one value per sample, then reduced as `Loss` says (targets first)."""

    def __init__(
        self,
        reduction: str = "sum_over_batch_size",
        name: str = "mean_absolute_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return (y_pred - y_true).abs().mean(axis=-1)


# Keras's loss functions (`keras.losses.sparse_categorical_crossentropy(y_true, y_pred)`):
# targets first, one value per sample, no reduction.


def _last_axis(name: str, axis: int) -> None:
    """Keras's crossentropies take an `axis`; these take the classes on the last one."""
    if axis != -1:
        raise ValueError(f"{name}: only axis=-1 (the last axis) is supported, got axis={axis!r}")


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> Tensor:
    """-log p[i, y_i] per sample (p = softmax(y_pred) with `from_logits`); samples whose
    label is `ignore_class` give 0 (as Keras's, which also masks them)."""
    _last_axis("sparse_categorical_crossentropy", axis)
    y_pred = as_tensor(y_pred)
    if ignore_class is None:
        return F.sparse_categorical_crossentropy(y_pred, y_true, from_logits, "none")
    labels = np.asarray(_data(y_true))
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    valid = labels != ignore_class
    values = F.sparse_categorical_crossentropy(
        y_pred, np.where(valid, labels, 0), from_logits, "none"
    )
    return values * valid.astype(values.dtype)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """-sum_c y_c log p_c per sample (p = softmax(y_pred) with `from_logits`), the
    one-hot y smoothed to y (1 - s) + s / classes with `label_smoothing` s."""
    _last_axis("categorical_crossentropy", axis)
    y_pred = as_tensor(y_pred)
    if label_smoothing:
        target = np.asarray(_data(y_true), dtype=y_pred.dtype)
        y_true = target * (1.0 - label_smoothing) + label_smoothing / target.shape[-1]
    return F.categorical_crossentropy(y_pred, y_true, from_logits, "none")


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) averaged over the last axis, per sample, y
    smoothed to y (1 - s) + s / 2 with `label_smoothing` s."""
    _last_axis("binary_crossentropy", axis)
    y_pred = as_tensor(y_pred)
    if label_smoothing:
        target = np.asarray(_data(y_true), dtype=y_pred.dtype)
        y_true = target * (1.0 - label_smoothing) + 0.5 * label_smoothing
    values = F.binary_crossentropy(y_pred, y_true, from_logits, "none")
    return values.mean(axis=-1) if values.ndim else values


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean((y_true - y_pred)**2) over the last axis, per sample."""
    return MeanSquaredError().call(as_tensor(y_true), as_tensor(y_pred))


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean(|y_true - y_pred|) over the last axis, per sample."""
    return MeanAbsoluteError().call(as_tensor(y_true), as_tensor(y_pred))


def keras_target(y_true: Any, dtype: Any) -> Tensor:
    """A Keras loss's `y_true` as a Tensor of `dtype`. Targets computed from weights (a
    teacher's softmax in knowledge distillation) stay in the graph, as Keras's losses
    differentiate both arguments; anything else becomes a constant."""
    if isinstance(y_true, Tensor) and y_true.requires_grad and y_true.dtype.kind == "f":
        return y_true if y_true.dtype == dtype else y_true.astype(dtype)
    return as_tensor(y_true.data if isinstance(y_true, Tensor) else y_true, dtype)


class LossFunctionWrapper(Loss):
    """A loss function as a `Loss` (Keras's wrapper; also what a plain function given to
    `compile` becomes), called as Keras calls it: targets first, `fn(y_true, y_pred,
    **kwargs)`, its values (one per sample, or one number) reduced as `Loss` says."""

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: Any = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)


def get(loss: Any) -> Callable[..., Tensor]:
    """The loss for a name (see `LOSSES`), the given module or `Loss` unchanged, or a
    plain function wrapped so that it is called as Keras calls it, `fn(y_true, y_pred)`
    (`LossFunctionWrapper`, whose `forward`, as every module's, takes the prediction
    first).

    As Keras's `get`, it also takes a Keras class name ("Huber", "MeanSquaredError"),
    a config dict (see `deserialize`) or a loss class, made with its defaults.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
    """
    if isinstance(loss, dict):
        return get(deserialize(loss))
    if isinstance(loss, type) and issubclass(loss, (Loss, _Loss)):
        return loss()
    if isinstance(loss, str):
        if loss in CLASS_NAMES:
            return CLASS_NAMES[loss]()
        try:
            return LOSSES[loss.lower()]()
        except KeyError:
            raise ValueError(f"unknown loss {loss!r}; valid names: {', '.join(LOSSES)}") from None
    if isinstance(loss, types.FunctionType | types.MethodType | functools.partial):
        return LossFunctionWrapper(loss)
    if callable(loss):  # a Module, a `Loss`, or an object of fit's own (several outputs)
        return loss
    raise TypeError(f"loss must be a name, a Module or a function, got {type(loss).__name__}")


# Keras 3's other losses (`nn.losses_more`): the classes, their functions, their names
# for `compile(loss=...)`, and Keras's `serialize` / `deserialize`.
from nn.losses_more import (  # noqa: E402  (they subclass Loss, defined above)
    NAMES,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    SquaredHinge,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    poisson,
    squared_hinge,
)

LOSSES.update(NAMES)

#: The Keras loss classes by class name: what `serialize` writes and `deserialize`
#: and `load_model` rebuild.
KERAS_CLASSES: dict[str, type[Loss]] = {
    cls.__name__: cls
    for cls in (
        MeanSquaredError,
        MeanAbsoluteError,
        BinaryFocalCrossentropy,
        CategoricalFocalCrossentropy,
        CategoricalHinge,
        CosineSimilarity,
        Hinge,
        Huber,
        KLDivergence,
        LogCosh,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        Poisson,
        SquaredHinge,
    )
}

#: Every Keras loss class by class name, the crossentropies too (`get` and `load_model`).
CLASS_NAMES: dict[str, type[Loss] | type[_KerasLoss]] = {
    **{
        cls.__name__: cls
        for cls in (BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)
    },
    **KERAS_CLASSES,
}

#: Keras's loss functions by name, as `serialize` names them.
FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    fn.__name__: fn
    for fn in (
        binary_crossentropy,
        categorical_crossentropy,
        sparse_categorical_crossentropy,
        mean_squared_error,
        mean_absolute_error,
        binary_focal_crossentropy,
        categorical_focal_crossentropy,
        categorical_hinge,
        cosine_similarity,
        hinge,
        huber,
        kl_divergence,
        log_cosh,
        mean_absolute_percentage_error,
        mean_squared_logarithmic_error,
        poisson,
        squared_hinge,
    )
}


def serialize(loss: Any) -> dict[str, Any]:
    """Keras's `keras.losses.serialize`: a loss object of a Keras class as
    `{"module": "keras.losses", "class_name": ..., "config": get_config(), ...}`, one of
    Keras's loss functions as Keras names a function, and a function or object of your
    own as `nn.custom_objects` describes it.

    Raises:
        ValueError: an object without `get_config`, or a function without a name.
    """
    return serialize_keras(loss, "keras.losses", KERAS_CLASSES, FUNCTIONS, "loss")


def deserialize(name: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Keras's `keras.losses.deserialize`: the loss `serialize` wrote (or a
    `{"class_name": ..., "config": ...}` dict) made again, or a function's name as
    the function; `custom_objects` are looked up for your own classes and functions.

    Raises:
        ValueError: a name or class this library (and `custom_objects`) does not have.
    """
    return deserialize_keras(
        name,
        custom_objects,
        KERAS_CLASSES,
        lambda text: FUNCTIONS.get(text) or KERAS_CLASSES.get(text),
        "loss",
    )
