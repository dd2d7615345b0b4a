"""Rprop: a step size per coordinate, grown or shrunk by the sign of the gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class Rprop(Optimizer):
    """Rprop (Riedmiller and Braun 1993, "A Direct Adaptive Method for Faster
    Backpropagation Learning: The RPROP Algorithm").

    Update rule (``d`` is the state ``step_size``, starting at ``lr``; ``g_prev`` the
    state ``prev``, starting at 0)::

        g = -g                                    (if maximize)
        f = eta_plus   where g * g_prev > 0       (the same sign twice: go faster)
            eta_minus  where g * g_prev < 0       (the sign flipped: overshot)
            1          elsewhere
        d = clip(d * f, step_size_min, step_size_max)
        g = 0 where f = eta_minus                 (no move after a flip)
        p = p - sign(g) * d
        g_prev = g

    Follows torch.optim.Rprop, whose rule is the paper's "Rprop-" without its
    weight-backtracking: after a sign flip the step is skipped, not undone. Meant for
    full-batch training: the signs of mini-batch gradients are too noisy.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: the first step size of every coordinate.
        etas: (eta_minus, eta_plus), the factors that shrink and grow a step size.
        step_sizes: (step_size_min, step_size_max), the bounds of a step size.
        maximize: maximize the objective instead of minimizing it.
        foreach, differentiable, capturable: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        eta_minus, eta_plus = etas
        if not 0 < eta_minus < 1 < eta_plus:
            raise ValueError(f"Rprop: etas must satisfy 0 < eta_minus < 1 < eta_plus, got {etas}")
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            etas=etas,
            step_sizes=step_sizes,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "prev": np.zeros_like(p), "step_size": np.full_like(p, group["lr"])}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        (eta_minus, eta_plus), (low, high) = group["etas"], group["step_sizes"]
        prev, step_size = state["prev"], state["step_size"]
        product = np.multiply(g, prev, out=self._buffer(p, 1))
        factor = np.where(product > 0, eta_plus, np.where(product < 0, eta_minus, 1))
        step_size *= factor.astype(p.dtype, copy=False)
        np.clip(step_size, low, high, out=step_size)
        flipped = factor == eta_minus
        prev[...] = g
        prev[flipped] = 0
        p -= np.sign(prev) * step_size
