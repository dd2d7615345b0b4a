"""RMSprop: divide the gradient by a running root mean square of recent gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class RMSprop(Optimizer):
    """RMSprop (Hinton, Srivastava and Swersky 2012, Coursera "Neural Networks for
    Machine Learning", lecture 6e), centered variant from Graves 2013, "Generating
    Sequences With Recurrent Neural Networks".

    Update rule (``v`` is the state ``square_avg``, ``a`` is ``grad_avg``, ``b`` is
    ``momentum_buffer``; all start at zero)::

        g = -g                                     (if maximize)
        g = g + weight_decay * p                   (if weight_decay != 0)
        v = alpha * v + (1 - alpha) * g**2
        a = alpha * a + (1 - alpha) * g            (if centered)
        d = sqrt(v - a**2) + eps                   (if centered)
        d = sqrt(v) + eps                          (otherwise)
        b = momentum * b + g / d                   (if momentum > 0)
        p = p - lr * b                             (if momentum > 0)
        p = p - lr * g / d                         (otherwise)

    Follows torch.optim.RMSprop: ``eps`` is added outside the square root (TensorFlow
    and Keras add it inside), and momentum accumulates ``g / d`` rather than the
    step ``lr * g / d``.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        alpha: smoothing constant of the running averages.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient.
        momentum: momentum factor (0 disables it).
        centered: normalize by an estimate of the gradient's variance instead of its
            second moment.
        maximize: maximize the objective instead of minimizing it.
        capturable, foreach, differentiable: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "square_avg": np.zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(p)
        return state

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        alpha, v = group["alpha"], state["square_avg"]
        d = self._buffer(p, 1)
        self._moving_average(v, np.multiply(g, g, out=d), alpha, out=d)
        if group["centered"]:
            a = state["grad_avg"]
            self._moving_average(a, g, alpha, out=d)
            np.subtract(v, np.multiply(a, a, out=d), out=d)
            np.sqrt(d, out=d)
        else:
            np.sqrt(v, out=d)
        d += group["eps"]
        step = np.divide(g, d, out=d)
        if group["momentum"] > 0:
            b = state.get("momentum_buffer")
            if b is None:  # momentum turned on after the first step (e.g. by OneCycleLR)
                b = state["momentum_buffer"] = np.zeros_like(p)
            b *= group["momentum"]
            b += step
            step = np.multiply(b, group["lr"], out=d)
        else:
            step *= group["lr"]
        p -= step
