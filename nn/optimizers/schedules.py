"""Keras's learning rate schedules: the rate as a function of the optimizer's step count.

A schedule is given as an optimizer's `learning_rate`; before each update the
optimizer calls it with `iterations` (the number of updates already made, from 0)
and uses the value as that update's rate, as Keras does::

    schedule = nn.optimizers.schedules.ExponentialDecay(0.01, decay_steps=10000, decay_rate=0.96)
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=schedule), loss="mse")

Each class follows Keras 3's formula and arguments, computed in float64 (Keras
computes in the dtype of `initial_learning_rate`, float32 for a Python float). A
step may be a number or an array of them (a whole curve at once: ``s(np.arange(n))``).
`serialize` and `deserialize` write and read Keras's description of a schedule
(``{"module", "class_name", "config", "registered_name"}``), so a configuration
moves between this library and Keras.

Example:
    >>> from nn.optimizers import schedules
    >>> s = schedules.PiecewiseConstantDecay(boundaries=[10, 20], values=[0.1, 0.01, 0.001])
    >>> s(10), s(11), s(21)
    (0.1, 0.01, 0.001)
"""

from __future__ import annotations

import inspect
import itertools
import math
from typing import Any

import numpy as np
import numpy.typing as npt

Step = int | float | npt.ArrayLike

#: The `module` entry Keras writes for its own schedules (`serialize`).
KERAS_MODULE = "keras.optimizers.schedules"


class LearningRateSchedule:
    """Base class of the schedules: `__call__(step)` gives the rate at `step`.

    A subclass implements `__call__`, and `get_config` to be saved with a model or
    written by `serialize` (its config must be the constructor's arguments, as
    `from_config` passes them back).

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, rate):
        ...         self.rate = rate
        ...     def __call__(self, step):
        ...         return self.rate / (step + 1)
        ...     def get_config(self):
        ...         return {"rate": self.rate}
        >>> Halving(0.1)(1)
        0.05
    """

    def __call__(self, step: Step) -> Any:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """The schedule that `get_config` described."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            config = self.get_config()
        except NotImplementedError:
            return f"{type(self).__name__}()"
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in config.items())})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        try:
            return bool(self.get_config() == other.get_config())
        except NotImplementedError:
            return self is other

    __hash__ = object.__hash__


class _KerasSchedule(LearningRateSchedule):
    """The built-in schedules: their config is their constructor's arguments, read
    back from the attributes of the same names, in the constructor's order (Keras's)."""

    def get_config(self) -> dict[str, Any]:
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        return {name: getattr(self, name) for name in names}


def _check_steps(owner: str, name: str, value: Any) -> None:
    """Keras's check of `decay_steps` / `first_decay_steps`: a number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: Argument `{name}` must be a number > 0. Received: {value!r}")
    if not value > 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


def _result(value: np.ndarray) -> Any:
    """A Python float for a single step, the array for an array of steps."""
    value = np.asarray(value, dtype=np.float64)
    return float(value) if value.ndim == 0 else value


def _steps(step: Step) -> np.ndarray:
    return np.asarray(step, dtype=np.float64)


class _PeriodDecay(_KerasSchedule):
    """The arguments and the periods (``step / decay_steps``, rounded down with
    `staircase`) that ExponentialDecay and InverseTimeDecay share; `name` defaults to
    the class's name, as in Keras."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str | None = None,
    ) -> None:
        _check_steps(type(self).__name__, "decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = type(self).__name__ if name is None else name

    def _periods(self, step: Step) -> np.ndarray:
        p = _steps(step) / self.decay_steps
        return np.floor(p) if self.staircase else p


class ExponentialDecay(_PeriodDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With `staircase`, ``step / decay_steps`` is rounded down, so the rate drops by
    `decay_rate` every `decay_steps` steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps over which the rate is multiplied by
            `decay_rate` (> 0).
        decay_rate: the factor per `decay_steps` steps.
        staircase: decay in whole periods instead of continuously.
        name: Keras's name of the schedule.

    Raises:
        ValueError: `decay_steps` <= 0.

    Example:
        >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)
        0.025
    """

    def __call__(self, step: Step) -> Any:
        return _result(
            self.initial_learning_rate * np.power(float(self.decay_rate), self._periods(step))
        )


class PiecewiseConstantDecay(_KerasSchedule):
    """A constant rate between boundaries: ``values[i]`` for
    ``boundaries[i - 1] < step <= boundaries[i]`` (``values[0]`` up to and including
    ``boundaries[0]``, ``values[-1]`` after ``boundaries[-1]``).

    Args:
        boundaries: strictly increasing step counts.
        values: the rates, one more than `boundaries`.
        name: Keras's name of the schedule.

    Raises:
        ValueError: `values` is not one longer than `boundaries`, or `boundaries` is
            not strictly increasing (Keras requires it without checking).

    Example:
        >>> s = PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1])
        >>> s(100000), s(100001), s(110001)
        (1.0, 0.5, 0.1)
    """

    def __init__(
        self, boundaries: list[float], values: list[float], name: str = "PiecewiseConstant"
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        if any(not a < b for a, b in itertools.pairwise(boundaries)):
            raise ValueError(
                f"PiecewiseConstantDecay: boundaries must be strictly increasing, got {boundaries}"
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Step) -> Any:
        # searchsorted(side="left") finds i with boundaries[i - 1] < step <= boundaries[i]
        index = np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), _steps(step))
        return _result(np.asarray(self.values, dtype=np.float64)[index])


class PolynomialDecay(_KerasSchedule):
    """From `initial_learning_rate` to `end_learning_rate` along a power of the
    remaining fraction of `decay_steps`::

        step = min(step, decay_steps)
        lr = (initial_learning_rate - end_learning_rate) * (1 - step / decay_steps)**power
             + end_learning_rate

    With `cycle`, `decay_steps` is replaced by its first multiple >= step (by
    `decay_steps` itself at step 0), so the rate jumps back up after each period.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the length of the decay (> 0).
        end_learning_rate: the rate after `decay_steps` steps.
        power: the power of the polynomial (1 is linear).
        cycle: restart the decay after each `decay_steps` steps.
        name: Keras's name of the schedule.

    Raises:
        ValueError: `decay_steps` <= 0.

    Example:
        >>> s = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0, power=1.0)
        >>> round(s(5), 12), s(50)
        (0.05, 0.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        _check_steps(type(self).__name__, "decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step: Step) -> Any:
        steps = _steps(step)
        if self.cycle:
            periods = np.where(steps == 0, 1.0, np.ceil(steps / self.decay_steps))
            decay_steps = self.decay_steps * periods
        else:
            decay_steps = np.asarray(self.decay_steps, dtype=np.float64)
            steps = np.minimum(steps, decay_steps)
        remaining = 1 - steps / decay_steps
        span = self.initial_learning_rate - self.end_learning_rate
        return _result(span * np.power(remaining, float(self.power)) + self.end_learning_rate)


class InverseTimeDecay(_PeriodDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With `staircase`, ``step / decay_steps`` is rounded down. Keras 2's `decay`
    argument of the optimizers is this schedule with ``decay_steps=1``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the step count that one unit of `decay_rate` refers to (> 0).
        decay_rate: the rate of decay.
        staircase: decay in whole periods instead of continuously.
        name: Keras's name of the schedule.

    Raises:
        ValueError: `decay_steps` <= 0.

    Example:
        >>> InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)(2)
        0.05
    """

    def __call__(self, step: Step) -> Any:
        return _result(self.initial_learning_rate / (1 + self.decay_rate * self._periods(step)))


def _cosine(fraction: np.ndarray, alpha: float) -> np.ndarray:
    """``(1 - alpha) * 0.5 * (1 + cos(pi * fraction)) + alpha``: 1 at 0, alpha at 1."""
    return (1 - alpha) * (0.5 * (1 + np.cos(math.pi * fraction))) + alpha


class CosineDecay(_KerasSchedule):
    """Half a cosine from a peak rate down to ``alpha`` times it (Loshchilov and Hutter
    2017, "SGDR"), after an optional linear warmup (Goyal et al. 2017)::

        without warmup_target:
            step = min(step, decay_steps)
            lr = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps))
                                          + alpha)
        with warmup_target:
            step = min(step, warmup_steps + decay_steps)
            lr = initial_learning_rate + (warmup_target - initial_learning_rate)
                 * step / warmup_steps                          (step < warmup_steps)
            lr = warmup_target * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)
                 with s = step - warmup_steps                   (otherwise)

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the length of the cosine (> 0).
        alpha: the final rate as a fraction of the peak.
        name: Keras's name of the schedule.
        warmup_target: the peak reached by the warmup; None for no warmup (the peak
            is then `initial_learning_rate`).
        warmup_steps: the length of the warmup.

    Raises:
        ValueError: `decay_steps` <= 0.

    Example:
        >>> s = CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)
        >>> round(s(5), 12), round(s(10), 12), round(s(60), 12), s(110)
        (0.05, 0.1, 0.05, 0.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        _check_steps(type(self).__name__, "decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def __call__(self, step: Step) -> Any:
        steps = _steps(step)
        if self.warmup_target is None:
            fraction = np.minimum(steps, self.decay_steps) / self.decay_steps
            return _result(self.initial_learning_rate * _cosine(fraction, self.alpha))
        warmup_steps, target = self.warmup_steps, self.warmup_target
        steps = np.minimum(steps, self.decay_steps + warmup_steps)
        decayed = target * _cosine((steps - warmup_steps) / self.decay_steps, self.alpha)
        if warmup_steps <= 0:
            return _result(decayed)
        start = self.initial_learning_rate
        warming = start + (target - start) * (steps / warmup_steps)
        return _result(np.where(steps < warmup_steps, warming, decayed))


class CosineDecayRestarts(_KerasSchedule):
    """Cosine decay with warm restarts (Loshchilov and Hutter 2017, "SGDR").

    Period ``i`` (from 0) lasts ``first_decay_steps * t_mul**i`` steps and starts at
    ``m_mul**i`` times the initial rate. With ``f = step / first_decay_steps``::

        i = floor(log(1 - f * (1 - t_mul)) / log(t_mul))     (i = floor(f) if t_mul == 1)
        f_i = (f - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i   (f_i = f - i if t_mul == 1)
        lr = initial_learning_rate * ((1 - alpha) * 0.5 * m_mul**i * (1 + cos(pi * f_i))
                                      + alpha)

    At a step where a period ends, rounding in the logarithm could put the step in
    either period; here it starts the new one (``f_i = 0``), as the formula means.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: the length of the first period (> 0).
        t_mul: the factor by which each period is longer than the previous.
        m_mul: the factor by which each period's starting rate is lower.
        alpha: the final rate of each period as a fraction of the initial rate
            (added to the cosine, which decays to 0).
        name: Keras's name of the schedule.

    Raises:
        ValueError: `first_decay_steps` <= 0.

    Example:
        >>> s = CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=2.0)
        >>> round(s(5), 12), s(10), round(s(20), 12)
        (0.05, 0.1, 0.05)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        _check_steps(type(self).__name__, "first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self.t_mul = t_mul
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _period(self, fraction: np.ndarray) -> np.ndarray:
        """The index of the period that `fraction` (of the first period) falls in."""
        t_mul = float(self.t_mul)
        if t_mul == 1:
            return np.floor(fraction)
        i = np.floor(np.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
        # the logarithm can land just below a whole number at a period's end
        start_of_next = (1 - t_mul ** (i + 1)) / (1 - t_mul)
        return np.where(fraction >= start_of_next, i + 1, i)

    def __call__(self, step: Step) -> Any:
        fraction = _steps(step) / self.first_decay_steps
        i = self._period(fraction)
        t_mul = float(self.t_mul)
        if t_mul == 1:
            fraction = fraction - i
        else:
            fraction = (fraction - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i
        decayed = (1 - self.alpha) * (
            0.5 * np.power(float(self.m_mul), i) * (1 + np.cos(math.pi * fraction))
        ) + self.alpha
        return _result(self.initial_learning_rate * decayed)


#: The built-in schedules by class name, as `deserialize` finds them.
SCHEDULES: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """Keras's description of a schedule: its class and `get_config()`.

    Returns:
        ``{"module": ..., "class_name": ..., "config": {...}, "registered_name": ...}``;
        `module` is ``"keras.optimizers.schedules"`` and `registered_name` None for the
        built-in schedules, as Keras writes them.

    Raises:
        TypeError: not a `LearningRateSchedule`.

    Example:
        >>> serialize(InverseTimeDecay(0.1, 1, 0.5))["class_name"]
        'InverseTimeDecay'
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError(
            "serialize: expected a LearningRateSchedule, got "
            f"{type(learning_rate_schedule).__name__}"
        )
    cls = type(learning_rate_schedule)
    builtin = SCHEDULES.get(cls.__name__) is cls
    return {
        "module": KERAS_MODULE if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": learning_rate_schedule.get_config(),
        "registered_name": None if builtin else cls.__name__,
    }


def deserialize(
    config: dict[str, Any] | LearningRateSchedule,
    custom_objects: dict[str, type[LearningRateSchedule]] | None = None,
) -> LearningRateSchedule:
    """The schedule that `serialize` (here or in Keras) described.

    Args:
        config: ``{"class_name": ..., "config": {...}}`` (other entries are ignored);
            a schedule is returned as it is.
        custom_objects: schedule classes of your own, by class name.

    Raises:
        ValueError: an unknown class name (the message lists the known ones).
        TypeError: `config` is not such a dict.

    Example:
        >>> deserialize({"class_name": "PolynomialDecay",
        ...              "config": {"initial_learning_rate": 0.1, "decay_steps": 10}})(10)
        0.0001
    """
    if isinstance(config, LearningRateSchedule):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            "deserialize: expected a dict with 'class_name' and 'config' "
            f"(as serialize writes), got {config!r}"
        )
    name = config["class_name"]
    classes = {**SCHEDULES, **(custom_objects or {})}
    if name not in classes:
        raise ValueError(
            f"deserialize: unknown learning rate schedule {name!r}; known: "
            f"{', '.join(classes)} (pass your own classes as custom_objects={{name: cls}})"
        )
    return classes[name].from_config(dict(config.get("config") or {}))


__all__ = [
    "SCHEDULES",
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]
