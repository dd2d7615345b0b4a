"""Keras's Nadam (Adam with Nesterov momentum) and Lamb (Adam with layer-wise trust ratios)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nn.optimizers.adam import _Moments
from nn.optimizers.optimizer import LearningRate, check_non_negative


class Nadam(_Moments):
    """Keras's Nadam (Dozat 2016, "Incorporating Nesterov Momentum into Adam").

    Update rule (``t`` counts steps from 1; ``m``, ``v`` are the state ``momentum``,
    ``velocity``; ``u_product`` is kept for all parameters and starts at 1)::

        u_t = beta_1 * (1 - 0.5 * 0.96**(t * schedule_decay))
        u_next = beta_1 * (1 - 0.5 * 0.96**((t + 1) * schedule_decay))
        u_product = u_product * u_t                   (once per step)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + epsilon)

    `schedule_decay` is Keras 2's argument (its default was 0.004); Keras 3 dropped it
    and uses ``0.96**t``, which is what ``schedule_decay=None`` (the default) means.
    Differs from `optim.NAdam` (torch's rule): torch's momentum schedule is
    ``0.96**(t * momentum_decay)`` with momentum_decay 0.004, epsilon is added after
    the bias correction of v (here as in Adam, after it too, but 1e-7 by default
    against 1e-8), and torch's lr default is 0.002 (Keras 0.001; Keras 2 0.002).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        beta_1, beta_2: decays of the moment averages.
        epsilon: added to sqrt(v_hat); None means 1e-7.
        schedule_decay: Keras 2's momentum schedule rate; None is Keras 3's rule.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

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
        schedule_decay: float | None = None,
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
            schedule_decay=schedule_decay,
            **kwargs,
        )
        self.u_product = 1.0

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return (*super()._hyper_names(), "schedule_decay")

    def _check_options(self, options: dict[str, Any]) -> None:
        super()._check_options(options)
        check_non_negative(self, "schedule_decay", options["schedule_decay"])

    def _momentum_cache(self, t: int) -> float:
        rate = self.param_groups[0]["schedule_decay"]
        exponent = t if rate is None else t * rate
        return self.param_groups[0]["beta_1"] * (1 - 0.5 * 0.96**exponent)

    def _begin_step(self, t: int) -> None:
        self.u_product *= self._momentum_cache(t)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": np.zeros_like(p), "velocity": np.zeros_like(p)}

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        beta_2, m, v = group["beta_2"], state["momentum"], state["velocity"]
        u_t, u_next = self._momentum_cache(t), self._momentum_cache(t + 1)
        work = self._buffer(p, 1)
        self._moving_average(m, g, group["beta_1"], out=work)
        self._moving_average(v, np.multiply(g, g, out=work), beta_2, out=work)
        m_hat = m * (u_next / (1 - self.u_product * u_next)) + g * (
            (1 - u_t) / (1 - self.u_product)
        )
        denom = np.sqrt(v, out=work)
        denom /= math.sqrt(1 - beta_2**t)
        denom += group["epsilon"]
        m_hat /= denom
        m_hat *= lr
        p -= m_hat

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "u_product": self.u_product}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.u_product = float(state_dict.get("u_product", 1.0))


class Lamb(_Moments):
    """Keras's Lamb (You et al. 2020, "Large Batch Optimization for Deep Learning").

    Update rule (``m``, ``v`` are the state ``momentum``, ``velocity``)::

        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        r = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)
        ratio = ||p|| / ||r||                         (1 if either norm is 0)
        p = p - ratio * lr * r

    `optim` has no Lamb. The norms are over each whole parameter (Keras's rule).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        beta_1, beta_2: decays of the moment averages.
        epsilon: added to sqrt(v_hat); None means 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": np.zeros_like(p), "velocity": np.zeros_like(p)}

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
        r = np.sqrt(v / (1 - beta_2**t)) + group["epsilon"]
        r = (m / (1 - beta_1**t)) / r
        w_norm, r_norm = float(np.linalg.norm(p)), float(np.linalg.norm(r))
        ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
        p -= (ratio * lr) * r
