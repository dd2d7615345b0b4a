"""Keras's Adam, AdamW and Adamax."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nn.optimizers.optimizer import (
    LearningRate,
    Optimizer,
    check_fraction,
    check_non_negative,
    epsilon_or_default,
)


class _Moments(Optimizer):
    """Shared arguments of the optimizers with `beta_1`, `beta_2` and `epsilon`."""

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float | None = 1e-7,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            name,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon_or_default(epsilon),
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return ("beta_1", "beta_2", "epsilon")

    def _check_options(self, options: dict[str, Any]) -> None:
        check_fraction(self, "beta_1", options["beta_1"])
        check_fraction(self, "beta_2", options["beta_2"])
        check_non_negative(self, "epsilon", options["epsilon"])


class Adam(_Moments):
    """Keras's Adam (Kingma and Ba 2015), with AMSGrad (Reddi et al. 2018).

    Update rule (``t`` counts steps from 1; ``m``, ``v``, ``v_max`` are the state
    ``momentum``, ``velocity``, ``velocity_hat``, starting at zero)::

        m = m + (g - m) * (1 - beta_1)                (= beta_1 * m + (1 - beta_1) * g)
        v = v + (g**2 - v) * (1 - beta_2)
        v = v_max = max(v_max, v)                     (if amsgrad)
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        p = p - alpha * m / (sqrt(v) + epsilon)

    This is the paper's "more efficient" form (end of its section 2). It differs from
    `optim.Adam` (torch's rule, the paper's Algorithm 1) in where epsilon sits: here it
    is added to ``sqrt(v)`` before the bias correction, which amounts to torch's rule
    with ``eps * sqrt(1 - beta_2**t)``, larger than torch's in the first steps; and in
    the default epsilon, 1e-7 (torch 1e-8).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        beta_1: decay of the first moment average.
        beta_2: decay of the second moment average.
        epsilon: added to sqrt(v); None means 1e-7, as in Keras 2.
        amsgrad: use the running maximum of v (AMSGrad).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.

    Example:
        >>> import nn
        >>> nn.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None,
        ...                    decay=0.0, amsgrad=False).learning_rate
        0.001
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float | None = 1e-7,
        amsgrad: bool = False,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            name,
            amsgrad=bool(amsgrad),
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return (*super()._hyper_names(), "amsgrad")

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"momentum": np.zeros_like(p), "velocity": np.zeros_like(p)}
        if group["amsgrad"]:
            state["velocity_hat"] = np.zeros_like(p)
        return state

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        beta_1, beta_2, m, v = (
            group["beta_1"],
            group["beta_2"],
            state["momentum"],
            state["velocity"],
        )
        work = self._buffer(p, 1)
        self._moving_average(m, g, beta_1, out=work)
        self._moving_average(v, np.multiply(g, g, out=work), beta_2, out=work)
        if group["amsgrad"]:
            v_max = state.setdefault("velocity_hat", np.zeros_like(p))
            v = np.maximum(v_max, v, out=v_max)
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        denom = np.sqrt(v, out=work)
        denom += group["epsilon"]
        step = np.divide(m, denom, out=work)
        step *= alpha
        p -= step


class AdamW(Adam):
    """Keras's AdamW (Loshchilov and Hutter 2019): `Adam` with decoupled weight decay.

    Update rule (`Adam`'s, after decaying the weights with the step's lr)::

        p = p - p * weight_decay * lr
        (then Adam's update)

    The same decay as `optim.AdamW` (``p * (1 - lr * weight_decay)``); the
    differences are Adam's (epsilon's place and default) and the default
    weight_decay, 0.004 (torch 0.01).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        weight_decay: decoupled weight decay factor (default 0.004).
        beta_1, beta_2, epsilon, amsgrad: as `Adam`.
        clipnorm, clipvalue, global_clipnorm, name, decay: see `nn.optimizers.Optimizer`.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float | None = 1e-7,
        amsgrad: bool = False,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a float >= 0, got None")
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            name,
            **kwargs,
        )


class Adamax(_Moments):
    """Keras's Adamax (Kingma and Ba 2015, section 7.1): Adam with the infinity norm.

    Update rule (``m``, ``u`` are the state ``momentum``, ``norm``, from zero)::

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        p = p - lr * m / ((1 - beta_1**t) * (u + epsilon))

    Differs from `optim.Adamax` (torch's rule) in epsilon's place: torch takes
    ``u = max(beta_2 * u, |g| + eps)`` and divides by ``u``; here epsilon is added to
    ``u`` at each step without being kept in it. Defaults: lr 0.001 (torch 0.002),
    epsilon 1e-7 (torch 1e-8).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        beta_1: decay of the first moment average.
        beta_2: decay of the infinity norm.
        epsilon: added to u; None means 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": np.zeros_like(p), "norm": np.zeros_like(p)}

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        beta_1, m, u = group["beta_1"], state["momentum"], state["norm"]
        work = self._buffer(p, 1)
        self._moving_average(m, g, beta_1, out=work)
        u *= group["beta_2"]
        np.maximum(u, np.abs(g, out=work), out=u)
        denom = np.add(u, group["epsilon"], out=work)
        step = np.divide(m, denom, out=work)
        step *= lr / (1 - beta_1**t)
        p -= step
