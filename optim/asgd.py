"""ASGD: stochastic gradient descent with a decreasing step and a running average of
the iterates."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.checks import check_real
from optim.optimizer import Optimizer, ParamsT


class ASGD(Optimizer):
    """Averaged SGD (Polyak and Juditsky 1992, "Acceleration of Stochastic Approximation
    by Averaging").

    Update rule (``t`` counts steps from 1; ``eta`` starts at ``lr``, ``mu`` at 1 and
    the average ``ax`` at zero; all four are the state, under these names, with ``t``
    as ``step``)::

        g = -g                                        (if maximize)
        g = g + weight_decay * p                      (if weight_decay != 0)
        p = p * (1 - lambd * eta)
        p = p - eta * g
        ax = ax + mu * (p - ax)                       (ax = p while mu == 1)
        eta = lr / (1 + lambd * lr * t)**alpha
        mu = 1 / max(1, t - t0)

    The parameters follow plain SGD with the decreasing step ``eta``; ``ax`` is the
    average of the iterates from step ``t0 + 2`` on (for a whole ``t0``; before that it
    follows ``p``, and ``mu`` is 1 until step ``t0 + 1``). The
    optimizer never copies ``ax`` into the parameters: read it from ``state[p]["ax"]``
    to evaluate the averaged model.

    Follows torch.optim.ASGD, whose step size decreases as ``(1 + lambd * lr * t)**-alpha``
    and which also shrinks the weights by ``1 - lambd * eta`` each step (a decay the
    paper's scheme has not); the paper averages every iterate from the start, torch
    from step ``t0``. The step uses the ``eta`` computed at the end of the previous
    step, so the first step is taken with ``lr``.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate (the first step size).
        lambd: decay term of the step size (and of the weights).
        alpha: power of the step size's decay.
        t0: the step from which the iterates are averaged.
        weight_decay: L2 penalty added to the gradient.
        maximize: maximize the objective instead of minimizing it.
        foreach, differentiable, capturable: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import ASGD
        >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
        >>> opt = ASGD([w], lr=0.1, t0=1)
        >>> for _ in range(5):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
        >>> sorted(opt.state[w])
        ['ax', 'eta', 'mu', 'step']
        >>> np.round(w.data, 4)  # 0.8**5 (and a small decay)
        array([ 0.3277, -0.6553])
        >>> np.round(opt.state[w]["ax"], 4)  # the mean of steps 3 to 5's iterates
        array([ 0.4164, -0.8328])
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            lambd=lambd,
            alpha=alpha,
            t0=t0,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        check_real("ASGD", "lambd", group["lambd"], 0)
        check_real("ASGD", "t0", group["t0"], 0)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "eta": float(group["lr"]), "mu": 1.0, "ax": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        t, lr, lambd, eta, mu = (
            state["step"],
            group["lr"],
            group["lambd"],
            state["eta"],
            state["mu"],
        )
        work = self._buffer(p, 1)
        p *= 1 - lambd * eta
        p -= np.multiply(g, eta, out=work)
        ax = state["ax"]
        if mu != 1:
            ax += np.multiply(np.subtract(p, ax, out=work), mu, out=work)
        else:  # torch copies: ax + 1 * (p - ax) may differ from p in the last bit
            ax[...] = p
        state["eta"] = lr / (1 + lambd * lr * t) ** group["alpha"]
        state["mu"] = 1 / max(1, t - group["t0"])
