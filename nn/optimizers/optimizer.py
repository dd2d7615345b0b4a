"""The Keras-style optimizer base: made without parameters, bound to them by `compile`.

Keras writes ``opt = keras.optimizers.Adam(learning_rate=1e-3)`` before the model has
weights, then ``model.compile(optimizer=opt)`` binds it. Here `compile` calls
`build(params)`, which turns the stored options into one parameter group of an
`optim.Optimizer`; from then on `param_groups`, `state`, `zero_grad`, `step` and
`state_dict` behave as in `optim` (so `nn.callbacks.LearningRateScheduler` works).

One step, as Keras's `apply_gradients` does it, with ``t`` the number of steps taken
before this one (Keras's ``iterations``)::

    lr_t = learning_rate(t)                       (a `schedules.LearningRateSchedule`)
    lr_t = learning_rate()                        (another callable: called without arguments)
    lr_t = learning_rate / (1 + decay * t)        (a number; Keras 2's `decay`, 0 by default)
    g = clip(g)                                   (clipnorm, global_clipnorm or clipvalue)
    p = p - p * weight_decay * lr_t               (if weight_decay is not None)
    update_step(p, g, lr_t)                       (the subclass's rule, with step t + 1)
    t = t + 1
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import optim
from autograd import Tensor, enable_grad
from autograd.graph import increment_version
from nn import constraints
from nn.optimizers import schedules
from nn.optimizers.schedules import LearningRateSchedule

#: What `learning_rate` may be: a number, a schedule, or a callable taking no arguments.
LearningRate = float | LearningRateSchedule | Callable[[], float] | None

#: Keras's fuzz factor (``keras.backend.epsilon()``), the default of every `epsilon`.
EPSILON = 1e-7


class RateValue(float):
    """A learning rate read from `optimizer.learning_rate`: a float that also answers
    as Keras's variable does, `numpy()` (a float32 0-d array, as Keras's) and
    `assign(value)` (sets the optimizer's rate), so Keras code such as
    ``lr = model.optimizer.learning_rate.numpy()`` runs."""

    __slots__ = ("_optimizer",)
    _optimizer: Optimizer

    def __new__(cls, value: Any, optimizer: Optimizer) -> RateValue:
        rate = super().__new__(cls, float(value))
        rate._optimizer = optimizer
        return rate

    def numpy(self) -> np.ndarray:
        return np.asarray(float(self), dtype=np.float32)

    def assign(self, value: Any) -> None:
        """Set the optimizer's learning rate, as Keras's `learning_rate.assign(value)`."""
        self._optimizer.learning_rate = value

    def __reduce__(self) -> tuple[Any, ...]:
        return float, (float(self),)  # copies and pickles are plain floats


class Optimizer(optim.Optimizer):
    """Base class of the Keras-style optimizers.

    Args:
        learning_rate: the step size (Keras's name); `lr` is the older Keras alias. A
            `schedules.LearningRateSchedule` gives the rate of each step from the
            step count, and any other callable is called without arguments before
            each step, as in Keras 3.
        weight_decay: if not None, decoupled decay ``p = p - p * weight_decay * lr_t``
            before each update (Keras 3's rule for every optimizer).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this global L2 norm.
        name: a name, kept for Keras code that passes one.
        **options: the subclass's hyperparameters, and Keras 2's `lr` and `decay`
            (the learning rate is ``lr / (1 + decay * iterations)``; with a schedule or
            a callable `decay` is ignored with a warning, as Keras 3 ignores it).

    Attributes:
        iterations: the number of steps taken, as Keras's `optimizer.iterations`.
        built: whether `build` has bound the optimizer to parameters.

    Raises:
        TypeError: an argument this optimizer does not take (the message lists them).
        ValueError: an invalid value, or more than one of the clipping options.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **options: Any,
    ) -> None:
        legacy_lr, decay = options.pop("lr", None), options.pop("decay", 0.0)
        unknown = sorted(set(options) - set(self._hyper_names()))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected argument(s) {', '.join(unknown)}; it "
                f"takes learning_rate (or lr), {', '.join(self._hyper_names())}, decay, "
                "weight_decay, clipnorm, clipvalue, global_clipnorm, name"
            )
        if legacy_lr is not None:
            learning_rate = legacy_lr
        if callable(learning_rate) and decay:
            warnings.warn(
                f"{type(self).__name__}: decay={decay} is ignored when learning_rate is a "
                "schedule or a callable (as in Keras 3); put the decay in the schedule, "
                "e.g. schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)",
                UserWarning,
                stacklevel=3,
            )
            decay = 0.0
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in clips.values()) > 1:
            raise ValueError(
                f"{type(self).__name__}: only one of clipnorm, clipvalue and global_clipnorm "
                f"can be set, got {', '.join(f'{k}={v}' for k, v in clips.items())}"
            )
        self.name = name or type(self).__name__.lower()
        self._config: dict[str, Any] = dict(
            lr=learning_rate,
            decay=decay,
            weight_decay=weight_decay,
            **clips,
            **options,
        )
        self._validate(self._config)
        self.iterations = 0
        self.built = False

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        """The subclass's own hyperparameters (`momentum`, `beta_1`, ...)."""
        return ()

    def _validate(self, group: dict[str, Any]) -> None:
        """Check the options (at construction, and for every parameter group added)."""
        if not callable(group["lr"]):
            check_non_negative(self, "learning_rate", group["lr"])
        for key in ("decay", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
            check_non_negative(self, key, group[key])
        self._check_options(group)

    def _check_options(self, options: dict[str, Any]) -> None:
        """Validate the subclass's hyperparameters (raise ValueError)."""

    def build(self, params: Iterable[Tensor]) -> None:
        """Bind the optimizer to `params` (called by `compile`, or by hand).

        Raises:
            ValueError: the optimizer is already bound to other parameters.
        """
        params = list(params)
        if self.built:
            held = [p for group in self.param_groups for p in group["params"]]
            if [id(p) for p in held] == [id(p) for p in params]:
                return
            raise ValueError(
                f"{type(self).__name__} is already bound to other parameters; "
                "make a new optimizer for this model"
            )
        super().__init__(params, self._config)
        self.built = True

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, Keras's names (`learning_rate`), for saving.

        A schedule is written as `schedules.serialize` describes it (Keras's form); a
        function as Keras writes one, by name (it cannot be rebuilt from that).
        """
        config = {k: v for k, v in self._config.items() if k != "lr"}
        if self.built:
            config.update({k: v for k, v in self.param_groups[0].items() if k in config})
        lr = self._base_rate()
        if isinstance(lr, LearningRateSchedule):
            learning_rate: Any = schedules.serialize(lr)
        elif callable(lr):
            learning_rate = {
                "module": "builtins",
                "class_name": "function",
                "config": getattr(lr, "__name__", type(lr).__name__),
                "registered_name": "function",
            }
        else:
            learning_rate = None if lr is None else float(lr)
        return {"learning_rate": learning_rate, **config, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Optimizer:
        """The optimizer that `get_config` described (not bound to parameters).

        Args:
            config: `get_config()`'s dict; a schedule in it is rebuilt by
                `schedules.deserialize`.
            custom_objects: your own schedule classes, by class name.

        Raises:
            ValueError: the learning rate was a function, which a config only names.
        """
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            if lr.get("class_name") == "function":
                raise ValueError(
                    f"{cls.__name__}.from_config: the learning rate was the function "
                    f"{lr.get('config')!r}, which a config only names; pass "
                    "learning_rate=<the function> to the constructor instead"
                )
            config["learning_rate"] = schedules.deserialize(lr, custom_objects)
        return cls(**config)

    def _base_rate(self) -> Any:
        """What `learning_rate` was given as: a number, a schedule or a callable."""
        return self.param_groups[0]["lr"] if self.built else self._config["lr"]

    @property
    def learning_rate(self) -> RateValue:
        """The learning rate of the next step, as Keras's `optimizer.learning_rate`: a
        float, with the `numpy()` and `assign()` of Keras's variable (`RateValue`).

        A number is the base rate (before Keras 2's `decay`); a schedule's value is
        taken at the current `iterations`, a callable's by calling it. Setting a number
        changes the rate of every parameter group; setting a schedule or a callable
        replaces the rate; setting a number over a schedule raises TypeError, as Keras.
        """
        lr = self._base_rate()
        if isinstance(lr, LearningRateSchedule):
            lr = lr(self.iterations)
        elif callable(lr):
            lr = lr()
        return RateValue(lr, self)

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()  # a 0-d array, as `learning_rate.numpy()` gives
        if not callable(value):
            if callable(self._base_rate()):
                raise TypeError(
                    f"{type(self).__name__} was created with a learning rate schedule (or a "
                    "callable) as its learning_rate, hence its learning rate is not settable "
                    "to a number. To set the learning rate, create the optimizer with a "
                    "float learning_rate (or set a new schedule)"
                )
            check_non_negative(self, "learning_rate", value)
        self._config["lr"] = value
        for group in self.param_groups if self.built else []:
            group["lr"] = value

    lr = learning_rate

    def __repr__(self) -> str:
        if self.built:
            return super().__repr__()
        options = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({options})"

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the module docstring).

        Returns:
            The closure's loss, or None without a closure.
        """
        if not self.built:
            raise RuntimeError(
                f"{type(self).__name__} is not bound to parameters: compile a model with it "
                "(model.compile(optimizer=opt, ...)) or call opt.build(model.parameters())"
            )
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        t = self.iterations
        self._begin_step(t + 1)
        for group in self.param_groups:
            lr = self._rate(group, t)
            params = [p for p in group["params"] if p.grad is not None]
            grads = self._clip([p.grad.data for p in params], group)
            for param, g in zip(params, grads, strict=True):
                p = param.data
                state = self.state.get(param)
                if state is None:
                    state = self.state[param] = self._init_state(p, group)
                if group["weight_decay"]:
                    p -= p * (group["weight_decay"] * lr)
                self._update_step(p, g, state, lr, t + 1, group)
                constraints.apply(param)  # Keras's kernel_constraint, ... (after the update)
                increment_version(param)
        self.iterations = t + 1
        return loss

    def apply(
        self, grads: Iterable[Any], trainable_variables: Iterable[Tensor] | None = None
    ) -> None:
        """Keras's `apply`: one step of the variables with these gradients (a training
        step by hand: ``grads = autograd.grad(loss, model.trainable_weights)``, then
        ``optimizer.apply(grads, model.trainable_weights)``). The first call binds the
        optimizer to `trainable_variables` (`build`); later calls may give those or
        some of them (all, in order, when None). A gradient of None leaves its variable
        alone; the variables' own `.grad` are kept as they were.

        Raises:
            ValueError: a gradient count that is not the variable count, a variable the
                optimizer is not bound to, or no variables at the first call.
        """
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    f"{type(self).__name__}.apply: give the trainable_variables the first "
                    "time (optimizer.apply(grads, model.trainable_weights))"
                )
            variables = [p for group in self.param_groups for p in group["params"]]
        else:
            variables = list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"{type(self).__name__}.apply: {len(grads)} gradients for "
                f"{len(variables)} variables"
            )
        if not self.built:
            self.build(variables)
        held = [p for group in self.param_groups for p in group["params"]]
        known = {id(p) for p in held}
        if any(id(v) not in known for v in variables):
            raise ValueError(
                f"{type(self).__name__}.apply: a variable the optimizer was not built with; "
                "make a new optimizer for other variables"
            )
        kept = [p.grad for p in held]
        try:
            for p in held:
                p.grad = None
            for variable, grad in zip(variables, grads, strict=True):
                if grad is not None:
                    data = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
                    variable.grad = Tensor(np.asarray(data, dtype=variable.dtype))
            self.step()
        finally:
            for p, grad in zip(held, kept, strict=True):
                p.grad = grad

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """Keras's `apply_gradients(zip(grads, variables))`: `apply` of the pairs."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    @staticmethod
    def _rate(group: dict[str, Any], t: int) -> float:
        """The group's learning rate for the step after `t` steps (the module docstring)."""
        lr = group["lr"]
        if isinstance(lr, LearningRateSchedule):
            return float(lr(t))
        if callable(lr):
            return float(lr())
        return lr / (1 + group["decay"] * t)

    def _begin_step(self, t: int) -> None:
        """Update what the optimizer keeps for all parameters at once (Nadam's product)."""

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        """Keras's `update_step`: apply the rule to `p` in place, at step `t` (from 1)."""
        raise NotImplementedError

    @staticmethod
    def _clip(grads: list[np.ndarray], group: dict[str, Any]) -> list[np.ndarray]:
        """Keras's gradient clipping (new arrays; the parameters' gradients are kept).

        clipnorm:         g = g * clipnorm / max(||g||, clipnorm)        (each gradient)
        global_clipnorm:  g = g * clipnorm / max(sqrt(sum ||g||**2), clipnorm)
        clipvalue:        g = clip(g, -clipvalue, clipvalue)
        """
        if group["clipnorm"]:
            c = group["clipnorm"]
            return [g * (c / max(float(np.linalg.norm(g)), c)) for g in grads]
        if group["global_clipnorm"]:
            c = group["global_clipnorm"]
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
            return [g * (c / max(norm, c)) for g in grads]
        if group["clipvalue"]:
            c = group["clipvalue"]
            return [np.clip(g, -c, c) for g in grads]
        return grads

    def state_dict(self) -> dict[str, Any]:
        """`optim.Optimizer.state_dict` plus Keras's step counter `iterations`."""
        return {**super().state_dict(), "iterations": self.iterations}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.iterations = int(state_dict.get("iterations", 0))


def check_non_negative(owner: Any, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{type(owner).__name__}: {name} must be a number, got {value!r}")
    if not value >= 0:
        raise ValueError(f"{type(owner).__name__}: {name} must be >= 0, got {value!r}")


def check_fraction(owner: Any, name: str, value: Any, closed: bool = False) -> None:
    """Raise unless 0 <= value < 1 (or <= 1 with `closed`), naming the argument."""
    check_non_negative(owner, name, value)
    if value > 1 or (value == 1 and not closed):
        bound = "[0, 1]" if closed else "[0, 1)"
        raise ValueError(f"{type(owner).__name__}: {name} must be in {bound}, got {value!r}")


def epsilon_or_default(epsilon: float | None) -> float:
    """Keras 2's rule: `epsilon=None` means the fuzz factor 1e-7."""
    return EPSILON if epsilon is None else epsilon
