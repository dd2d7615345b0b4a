"""RAdam: Adam with a rectified, variance-aware warm-up of the adaptive step."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class RAdam(Optimizer):
    """RAdam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and
    Beyond").

    Update rule (``t`` counts steps from 1; ``m``, ``v`` are the state ``exp_avg``,
    ``exp_avg_sq``, starting at zero)::

        g = -g                                        (if maximize)
        g = g + weight_decay * p                      (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > 5:
            r = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                     / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p = p - lr * m_hat * r * sqrt(1 - beta2**t) / (sqrt(v) + eps)
        else:
            p = p - lr * m_hat

    With ``decoupled_weight_decay=True`` the decay is applied to the weights instead
    (``p = p * (1 - lr * weight_decay)`` first), as in AdamW.

    Follows torch.optim.RAdam: the adaptive step is used when ``rho_t > 5`` (the paper
    says ``rho_t > 4``; the rectifier is tiny just above 4), and ``eps`` is added to
    ``sqrt(v)`` before the bias correction (the paper has no eps).

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        betas: decay rates (beta1, beta2) of the moment averages.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient (or decoupled, see above).
        maximize: maximize the objective instead of minimizing it.
        foreach, capturable, differentiable: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
        decoupled_weight_decay: decay the weights directly, as in AdamW.
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        t, lr = state["step"], group["lr"]
        (beta1, beta2), m, v = group["betas"], state["exp_avg"], state["exp_avg_sq"]
        work = self._buffer(p, 1)
        self._moving_average(m, g, beta1, out=work)
        self._moving_average(v, np.multiply(g, g, out=work), beta2, out=work)
        bias_correction1, bias_correction2 = 1 - beta1**t, 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
        if rho_t > 5.0:
            r = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            step = np.add(np.sqrt(v, out=work), group["eps"], out=work)
            np.divide(m, step, out=step)
            step *= lr * r * math.sqrt(bias_correction2) / bias_correction1
        else:
            step = np.multiply(m, lr / bias_correction1, out=work)
        p -= step
