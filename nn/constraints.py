"""Keras's weight constraints (`keras.constraints`): functions of a weight that return
the weight projected back into a set, applied by the `nn.optimizers` optimizers after
each update of a weight that has one, as Keras's optimizers apply them.

    MaxNorm(max_value=2, axis=0):   w * clip(n, 0, max_value) / (eps + n)
    MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0):
                                    w * (rate * clip(n, min, max) + (1 - rate) n) / (eps + n)
    UnitNorm(axis=0):               w / (eps + n)
    NonNeg():                       max(w, 0)

with n = sqrt(sum(w**2, axis)) (kept as an axis) and eps = 1e-7, Keras's epsilon. For
a `Dense` kernel of shape (inputs, units), `axis=0` bounds the weights into each unit.

A layer takes them as `kernel_constraint=` and `bias_constraint=` (`Dense`), and
`add_weight(constraint=...)` for a weight made by hand; a weight's constraint is its
`constraint` attribute, as a Keras variable's.

Example:
    >>> import numpy as np, nn
    >>> nn.constraints.max_norm(1.0)(np.array([[3.0], [4.0]])).round(6)  # a norm of 5
    array([[0.6],
           [0.8]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.checks import check_int, check_real
from nn.keras_objects import get_object, serialize_object

#: Keras's `backend.epsilon()`, added to the norms it divides by.
EPSILON = 1e-7


class Constraint:
    """The base class: `w_new = constraint(w)` for an ndarray or a Tensor (the result
    is of the same kind), with a `get_config`. Subclass it and define `project`."""

    def project(self, w: np.ndarray) -> np.ndarray:
        return w

    def __call__(self, w: Any) -> Any:
        if isinstance(w, Tensor):
            return Tensor(self._projected(w.data))
        return self._projected(np.asarray(w))

    def _projected(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(self.project(w), dtype=w.dtype if w.dtype.kind == "f" else None)

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _norms(w: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def _axis(owner: str, axis: Any) -> int | tuple[int, ...]:
    if isinstance(axis, (list, tuple)):
        return tuple(check_int(owner, "axis", a) for a in axis)
    return check_int(owner, "axis", axis)


class MaxNorm(Constraint):
    """Scale down the weights whose norm along `axis` exceeds `max_value`."""

    def __init__(self, max_value: float = 2, axis: int | tuple[int, ...] = 0) -> None:
        self.max_value = check_real("MaxNorm", "max_value", max_value, 0)
        self.axis = _axis("MaxNorm", axis)

    def project(self, w: np.ndarray) -> np.ndarray:
        norms = _norms(w, self.axis)
        return w * (np.clip(norms, 0, self.max_value) / (EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move the norms along `axis` into [min_value, max_value], by `rate` of the way."""

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: int | tuple[int, ...] = 0,
    ) -> None:
        self.min_value = check_real("MinMaxNorm", "min_value", min_value, 0)
        self.max_value = check_real("MinMaxNorm", "max_value", max_value, 0)
        if self.min_value > self.max_value:
            raise ValueError(f"MinMaxNorm: min_value {min_value} exceeds max_value {max_value}")
        self.rate = check_real("MinMaxNorm", "rate", rate, 0, 1)
        self.axis = _axis("MinMaxNorm", axis)

    def project(self, w: np.ndarray) -> np.ndarray:
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value)
        desired = desired + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class UnitNorm(Constraint):
    """Divide the weights by their norm along `axis`."""

    def __init__(self, axis: int | tuple[int, ...] = 0) -> None:
        self.axis = _axis("UnitNorm", axis)

    def project(self, w: np.ndarray) -> np.ndarray:
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class NonNeg(Constraint):
    """Set the negative weights to 0."""

    def project(self, w: np.ndarray) -> np.ndarray:
        return np.maximum(w, 0)


# Keras's lowercase names
max_norm = MaxNorm
min_max_norm = MinMaxNorm
unit_norm = UnitNorm
non_neg = NonNeg

#: Keras's names of its constraints (class names and lowercase ones).
#: The classes `serialize` writes and a config may name.
CLASSES: dict[str, type[Constraint]] = {
    cls.__name__: cls for cls in (MaxNorm, MinMaxNorm, UnitNorm, NonNeg)
}
#: Keras's names for them.
CONSTRAINTS: dict[str, type[Constraint]] = {
    **CLASSES,
    "max_norm": MaxNorm,
    "min_max_norm": MinMaxNorm,
    "unit_norm": UnitNorm,
    "non_neg": NonNeg,
}

ConstraintLike = Constraint | Callable[[Any], Any] | str | dict | None


def get(identifier: ConstraintLike, argument: str = "constraint") -> Any:
    """The constraint for a name ("max_norm": `MaxNorm()`), a config (`serialize`'s
    dict), one of this module's classes, a callable, or None
    (`nn.keras_objects.get_object`).

    Raises:
        ValueError: an unknown name or config (the message names `argument`).
        TypeError: anything that is not callable.
    """
    expected = "a constraint (nn.constraints.max_norm(1.0)), a name, a function of one weight"
    return get_object(
        identifier, argument, "constraint", CONSTRAINTS, CLASSES, Constraint, expected
    )


def serialize(constraint: Any) -> dict[str, Any] | None:
    """`{"class_name": "MaxNorm", "config": {...}}` for one of this module's classes,
    None for None.

    Raises:
        ValueError: a function or a class of your own, which `get` could not rebuild.
    """
    return serialize_object(constraint, "constraint", CLASSES)


def apply(weight: Tensor) -> None:
    """Project `weight`'s values in place with its `constraint` (a Keras variable's
    attribute, as `Dense(kernel_constraint=...)` sets it), if it has one."""
    constraint = getattr(weight, "constraint", None)
    if constraint is not None:
        projected = constraint(weight.data)
        weight.data[...] = projected.data if isinstance(projected, Tensor) else projected
