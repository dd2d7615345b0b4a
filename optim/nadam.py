"""NAdam: Adam with Nesterov momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class NAdam(Optimizer):
    """NAdam (Dozat 2016, "Incorporating Nesterov Momentum into Adam").

    Update rule (``t`` counts steps from 1; ``m``, ``v`` are the state ``exp_avg``,
    ``exp_avg_sq`` starting at zero, and ``mu_prod`` is ``mu_product``, starting at 1)::

        g = -g                                        (if maximize)
        g = g + weight_decay * p                      (if weight_decay != 0)
        mu = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96**((t + 1) * momentum_decay))
        mu_prod = mu_prod * mu
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        d = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu) / (1 - mu_prod) * g / d
              - lr * mu_next / (1 - mu_prod * mu_next) * m / d

    With ``decoupled_weight_decay=True`` the decay is applied to the weights instead
    (``p = p * (1 - lr * weight_decay)`` first), as in AdamW.

    Follows torch.optim.NAdam: the momentum schedule ``mu_t`` above (the paper's
    Algorithm 2 leaves ``mu_t`` as a given sequence; this warming-up schedule with
    ``momentum_decay = 0.004`` is the one its experiments suggest), while ``m`` itself
    is averaged with the constant ``beta1``, and ``eps`` is added outside the root.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        betas: decay rates (beta1, beta2) of the moment averages.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient (or decoupled, see above).
        momentum_decay: speed of the momentum schedule's warm-up.
        maximize: maximize the objective instead of minimizing it.
        foreach, capturable, differentiable: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
        decoupled_weight_decay: decay the weights directly, as in AdamW.
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "step": 0,
            "mu_product": 1.0,
            "exp_avg": np.zeros_like(p),
            "exp_avg_sq": np.zeros_like(p),
        }

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        t, lr, psi = state["step"], group["lr"], group["momentum_decay"]
        (beta1, beta2), m, v = group["betas"], state["exp_avg"], state["exp_avg_sq"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_prod = state["mu_product"] = state["mu_product"] * mu
        work, d = self._buffer(p, 1), self._buffer(p, 2)
        self._moving_average(m, g, beta1, out=work)
        self._moving_average(v, np.multiply(g, g, out=work), beta2, out=work)
        np.sqrt(np.divide(v, 1 - beta2**t, out=d), out=d)
        d += group["eps"]
        step = np.divide(g, d, out=work)
        step *= lr * (1.0 - mu) / (1.0 - mu_prod)
        p -= step
        step = np.divide(m, d, out=work)
        step *= lr * mu_next / (1.0 - mu_prod * mu_next)
        p -= step
