"""Lion: the sign of an interpolated momentum, found by program search."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class Lion(Optimizer):
    """Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of
    Optimization Algorithms").

    Update rule (``m`` is the state ``exp_avg``, starting at zero)::

        c = beta1 * m + (1 - beta1) * g
        p = p - lr * (sign(c) + weight_decay * p)
        m = beta2 * m + (1 - beta2) * g

    Weight decay is decoupled, computed as ``p = p * (1 - lr * weight_decay)`` before
    the sign step (the same update). torch.optim has no Lion; this follows the paper's
    Algorithm 2. Since every coordinate moves by exactly ``lr``, the paper suggests an
    lr 3 to 10 times smaller than AdamW's, and a weight decay as many times larger.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        betas: interpolation factor (beta1) of the update and decay rate (beta2) of
            the momentum.
        weight_decay: decoupled weight decay factor.
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "exp_avg": np.zeros_like(p)}

    def _grad(self, p: np.ndarray, g: np.ndarray, group: dict[str, Any]) -> np.ndarray:
        """Lion's weight decay is always decoupled: ``p = p * (1 - lr * weight_decay)``."""
        self._decay(p, group["lr"], group["weight_decay"])
        return g

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        lr, (beta1, beta2), m = group["lr"], group["betas"], state["exp_avg"]
        c, work = self._buffer(p, 1), self._buffer(p, 2)
        np.multiply(m, beta1, out=c)
        c += np.multiply(g, 1 - beta1, out=work)
        step = np.sign(c, out=c)
        step *= lr
        p -= step
        self._moving_average(m, g, beta2, out=work)
