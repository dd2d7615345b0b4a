"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer 2011, "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization").

    Update rule (``t`` counts steps from 1, ``s`` is the state ``sum``)::

        g = -g                                    (if maximize)
        g = g + weight_decay * p                  (if weight_decay != 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g**2                              (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    Follows torch.optim.Adagrad: ``lr_decay``, ``initial_accumulator_value`` and
    ``eps`` (added outside the square root) are not in the paper, whose diagonal
    update is ``p = p - lr * g / sqrt(s)``.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        lr_decay: learning-rate decay per step.
        weight_decay: L2 penalty added to the gradient.
        initial_accumulator_value: starting value of the sum of squares.
        eps: added to the denominator for numerical stability.
        maximize: maximize the objective instead of minimizing it.
        foreach, differentiable, fused: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(p, group["initial_accumulator_value"])}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        t, s = state["step"], state["sum"]
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        work = self._buffer(p, 1)
        s += np.multiply(g, g, out=work)
        denom = np.sqrt(s, out=work)
        denom += group["eps"]
        update = np.divide(g, denom, out=work)
        update *= clr
        p -= update
