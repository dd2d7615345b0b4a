"""Keras's weight and activity regularizers (`keras.regularizers`).

A regularizer is a function of one tensor that returns a scalar penalty, added to the
loss that `fit` minimizes:

    L1(l1):        penalty = l1 * sum(|x|)
    L2(l2):        penalty = l2 * sum(x**2)              (no factor 1/2, as Keras)
    L1L2(l1, l2):  penalty = l1 * sum(|x|) + l2 * sum(x**2)

A layer takes them as `kernel_regularizer=`, `bias_regularizer=` (penalties on its
weights) and `activity_regularizer=` (a penalty on its output, divided by the batch
size as Keras 3 divides it); `add_weight(regularizer=...)` puts one on a weight made by
hand. `layer.losses` lists the penalties: those of the outputs of the layer's last
call, then those of its trainable weights, for the layer and every sub-layer.

Names are accepted where Keras accepts them: "l1" is `L1()` (l1=0.01), "l2" is `L2()`
(l2=0.01), "l1_l2" is `L1L2(l1=0.01, l2=0.01)`, and the class names ("L1", "L1L2", ...)
mean the classes with their own defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.checks import check_real
from nn.keras_objects import get_object, serialize_object


class Regularizer:
    """The base class: a callable `penalty = regularizer(x)` with a `get_config`.

    Subclass it and define `__call__(self, x)` (a scalar Tensor made of autograd ops,
    so the penalty has a gradient) and `get_config()` (the constructor's arguments).
    Any function of one tensor works as a regularizer too.
    """

    def __call__(self, x: Tensor) -> Tensor | float:
        return 0.0

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _factor(owner: str, name: str, value: Any) -> float:
    return check_real(owner, name, value, 0)


class L1(Regularizer):
    """penalty = l1 * sum(|x|).

    Keras keeps `l1` as a float32 tensor, so the factor is float32-rounded here too
    (`L1(0.01).l1` is 0.009999999776482582, as Keras's `get_config` gives).

    Args:
        l1: the factor, >= 0 (None means 0.01, as Keras).
    """

    def __init__(self, l1: float = 0.01) -> None:
        l1 = 0.01 if l1 is None else l1
        self.l1 = float(np.float32(_factor("L1", "l1", l1)))

    def __call__(self, x: Tensor) -> Tensor:
        return self.l1 * abs(x).sum()

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """penalty = l2 * sum(x**2).

    Args:
        l2: the factor, >= 0 (None means 0.01, as Keras).
    """

    def __init__(self, l2: float = 0.01) -> None:
        l2 = 0.01 if l2 is None else l2
        self.l2 = _factor("L2", "l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        return self.l2 * (x * x).sum()

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """penalty = l1 * sum(|x|) + l2 * sum(x**2) (a term whose factor is 0 is left out).

    The defaults are Keras's: 0 for both (`L1L2(l2=0.1)` has no L1 term); the name
    "l1_l2" means 0.01 for both.

    Args:
        l1: the L1 factor, >= 0 (None means 0).
        l2: the L2 factor, >= 0 (None means 0).
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor("L1L2", "l1", 0.0 if l1 is None else l1)
        self.l2 = _factor("L1L2", "l2", 0.0 if l2 is None else l2)

    def __call__(self, x: Tensor) -> Tensor | float:
        penalty: Tensor | float = 0.0
        if self.l1:
            penalty = penalty + self.l1 * abs(x).sum()
        if self.l2:
            penalty = penalty + self.l2 * (x * x).sum()
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


#: Keras 3's lowercase names of the classes (`keras.regularizers.l1` is `L1`).
l1 = L1
l2 = L2
l1_l2 = L1L2

REGULARIZERS: dict[str, Callable[[], Regularizer]] = {
    "l1": L1,
    "l2": L2,
    "l1_l2": lambda: L1L2(l1=0.01, l2=0.01),
    "l1l2": L1L2,
    "L1": L1,
    "L2": L2,
    "L1L2": L1L2,
}
CLASSES: dict[str, type[Regularizer]] = {cls.__name__: cls for cls in (L1, L2, L1L2)}

RegularizerLike = Regularizer | Callable[[Tensor], Any] | str | dict | None


def get(identifier: RegularizerLike, argument: str = "regularizer") -> Any:
    """The regularizer for a name, a config (`serialize`'s dict), one of this module's
    classes, a callable, or None (`nn.keras_objects.get_object`).

    Raises:
        ValueError: an unknown name or config (the message names `argument`).
        TypeError: anything that is not callable.
    """
    expected = (
        "a regularizer (nn.regularizers.L2(0.01)), a name ('l1', 'l2', 'l1_l2'), "
        "a function of one tensor"
    )
    return get_object(
        identifier, argument, "regularizer", REGULARIZERS, CLASSES, Regularizer, expected
    )


def serialize(regularizer: Any) -> dict[str, Any] | None:
    """`{"class_name": "L2", "config": {"l2": 0.01}}` for one of this module's classes,
    None for None.

    Raises:
        ValueError: a function or a class of your own, which `get` could not rebuild.
    """
    return serialize_object(regularizer, "regularizer", CLASSES)


def activity_penalties(regularizer: Any, outputs: Any) -> list[Tensor]:
    """Keras 3's activity penalties of a layer's outputs: regularizer(output) divided
    by the batch size (the first axis; a 0-d output is not divided)."""
    penalties = []
    for output in _tensors(outputs):
        penalty = regularizer(output)
        if output.ndim > 0 and output.shape[0] > 0:
            penalty = penalty / output.shape[0]
        penalties.append(penalty)
    return penalties


def _tensors(value: Any) -> Iterator[Tensor]:
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)
