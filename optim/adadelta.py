"""Adadelta: Adagrad's step size replaced by a ratio of running averages."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012, "ADADELTA: An Adaptive Learning Rate Method").

    Update rule (``v`` is the state ``square_avg``, ``u`` is ``acc_delta``)::

        g = -g                                          (if maximize)
        g = g + weight_decay * p                        (if weight_decay != 0)
        v = rho * v + (1 - rho) * g**2
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        p = p - lr * delta

    Follows torch.optim.Adadelta, which scales the step by ``lr`` (default 1.0); the
    paper has no learning rate (lr = 1 gives the paper's update).

    Args:
        params: Tensors or parameter groups to optimize.
        lr: factor applied to delta before it is subtracted.
        rho: decay rate of both running averages, in [0, 1].
        eps: added inside both square roots.
        weight_decay: L2 penalty added to the gradient.
        maximize: maximize the objective instead of minimizing it.
        capturable, foreach, differentiable: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            rho=rho,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            capturable=capturable,
            foreach=foreach,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"invalid rho: {group['rho']!r} (must be in [0, 1])")

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "square_avg": np.zeros_like(p), "acc_delta": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        v, u = state["square_avg"], state["acc_delta"]
        work, delta = self._buffer(p, 1), self._buffer(p, 2)
        self._moving_average(v, np.multiply(g, g, out=delta), rho, out=delta)
        std = np.sqrt(np.add(v, eps, out=work), out=work)
        np.sqrt(np.add(u, eps, out=delta), out=delta)
        delta /= std
        delta *= g
        self._moving_average(u, np.multiply(delta, delta, out=work), rho, out=work)
        delta *= group["lr"]
        p -= delta
