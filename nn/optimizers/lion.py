"""Keras's Lion: the sign of an interpolated momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from nn.optimizers.optimizer import LearningRate, Optimizer, check_fraction


class Lion(Optimizer):
    """Keras's Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").

    Update rule (``m`` is the state ``momentum``, starting at zero)::

        p = p - lr * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    The same rule and the same decoupled weight decay (``p - p * weight_decay * lr``
    before the sign step) as `optim.Lion`; the default lr differs (0.001 here, 1e-4 in
    `optim.Lion`).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        beta_1: interpolation factor of the update, in (0, 1].
        beta_2: decay of the momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return ("beta_1", "beta_2")

    def _check_options(self, options: dict[str, Any]) -> None:
        check_fraction(self, "beta_1", options["beta_1"], closed=True)
        if options["beta_1"] == 0:
            raise ValueError("Lion: beta_1 must be in (0, 1] (0 makes it sign SGD), got 0")
        check_fraction(self, "beta_2", options["beta_2"], closed=True)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": np.zeros_like(p)}

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        beta_1, beta_2, m = group["beta_1"], group["beta_2"], state["momentum"]
        p -= lr * np.sign(beta_1 * m + (1 - beta_1) * g)
        self._moving_average(m, g, beta_2, out=self._buffer(p, 1))
