"""Gradient descent: SGD (batch, stochastic or mini-batch), Momentum and NAG."""

from __future__ import annotations

from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (Polyak) or Nesterov momentum.

    Batch, stochastic and mini-batch gradient descent are the same update: they differ
    only in how many examples the loss (and so ``g``) is computed on before each step
    (all of them, one, or a batch).

    Update rule (``t`` counts steps, ``b`` is the ``momentum_buffer``)::

        g = -g                                   (if maximize)
        g = g + weight_decay * p                 (if weight_decay != 0)
        b = g                                    (first step, if momentum != 0)
        b = momentum * b + (1 - dampening) * g   (later steps)
        g = g + momentum * b                     (if nesterov)
        g = b                                    (otherwise, if momentum != 0)
        p = p - lr * g

    References: Polyak 1964, "Some methods of speeding up the convergence of iteration
    methods"; Nesterov 1983; Sutskever et al. 2013, "On the importance of
    initialization and momentum in deep learning".

    Follows torch.optim.SGD, which differs from Sutskever et al. (``v = momentum * v -
    lr * g; p = p + v``): lr multiplies the buffer instead of entering it, which is the
    same while lr is constant but differs when a scheduler changes lr. The default lr is
    1e-2 (as in Keras) rather than torch's 1e-3.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        momentum: momentum factor (0 disables momentum).
        dampening: dampening of the gradient added to the momentum buffer.
        weight_decay: L2 penalty added to the gradient.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening = 0).
        maximize: maximize the objective instead of minimizing it.
        foreach, differentiable, fused: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import SGD
        >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
        >>> opt = SGD([w], lr=0.1)
        >>> (w * w).sum().backward()          # gradient 2 * w
        >>> opt.step()
        >>> w.data
        array([ 0.8, -1.6])
    """

    elementwise = True
    empty_state_is_new = False  # without momentum the state stays empty

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        # As in torch: no step count, and the momentum buffer starts as the first gradient.
        return {}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        lr, momentum = group["lr"], group["momentum"]
        work = self._buffer(p, 1)
        if momentum != 0:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = g.copy(order="K")  # in g's layout, as p
            else:
                b *= momentum
                if group["dampening"] == 0:
                    b += g
                else:
                    b += np.multiply(g, 1 - group["dampening"], out=work)
            if group["nesterov"]:
                g = np.add(g, np.multiply(b, momentum, out=work), out=work)
            else:
                g = b
        p -= np.multiply(g, lr, out=work)


class Momentum(SGD):
    """SGD with (Polyak, heavy-ball) momentum 0.9: ``SGD(params, lr, momentum=0.9)``.

    Update rule::

        b = momentum * b + g      (b = g at the first step)
        p = p - lr * b

    See `SGD` for weight decay, maximize and the difference from Sutskever et al.
    """

    _nesterov = False

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, momentum, 0.0, weight_decay, self._nesterov, maximize=maximize)


class NAG(Momentum):
    """Nesterov accelerated gradient: ``SGD(params, lr, momentum=0.9, nesterov=True)``.

    Update rule (the reformulation of Sutskever et al. 2013 that torch uses, so the
    gradient is taken at ``p`` rather than at the look-ahead point)::

        b = momentum * b + g      (b = g at the first step)
        p = p - lr * (g + momentum * b)

    Reference: Nesterov 1983, "A method for solving the convex programming problem with
    convergence rate O(1/k^2)". See `SGD` for weight decay and maximize.
    """

    _nesterov = True
