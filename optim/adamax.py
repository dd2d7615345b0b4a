"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class Adamax(Optimizer):
    """Adamax (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization",
    section 7.1).

    Update rule (``t`` counts steps from 1; ``m`` and ``u`` are the state ``exp_avg``
    and ``exp_inf``, starting at zero)::

        g = -g                                        (if maximize)
        g = g + weight_decay * p                      (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, abs(g) + eps)
        p = p - lr / (1 - beta1**t) * m / u

    Follows torch.optim.Adamax, which adds ``eps`` inside the maximum (the paper has
    ``u = max(beta2 * u, abs(g))`` and no eps) so that ``u`` is never zero.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        betas: decay rates (beta1, beta2) of the moment and of the infinity norm.
        eps: keeps the denominator away from zero.
        weight_decay: L2 penalty added to the gradient.
        maximize: maximize the objective instead of minimizing it.
        foreach, differentiable, capturable: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "exp_avg": np.zeros_like(p), "exp_inf": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        t, (beta1, beta2) = state["step"], group["betas"]
        m, u = state["exp_avg"], state["exp_inf"]
        work = self._buffer(p, 1)
        self._moving_average(m, g, beta1, out=work)
        u *= beta2
        abs_g = np.abs(g, out=work)
        abs_g += group["eps"]
        np.maximum(u, abs_g, out=u)
        step = np.divide(m, u, out=work)
        step *= group["lr"] / (1 - beta1**t)
        p -= step
