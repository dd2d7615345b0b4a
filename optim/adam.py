"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optim.optimizer import Optimizer, ParamsT


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization"), with
    AMSGrad (Reddi, Kale and Kumar 2018, "On the Convergence of Adam and Beyond").

    Update rule (``t`` counts steps from 1; ``m``, ``v``, ``v_max`` are the state
    ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``, starting at zero)::

        g = -g                                        (if maximize)
        g = g + weight_decay * p                      (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = max(v_max, v)                         (if amsgrad; then v = v_max below)
        m_hat = m / (1 - beta1**t)                    v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    With ``decoupled_weight_decay=True`` the weight decay is applied as in AdamW
    (``p = p * (1 - lr * weight_decay)`` first, the gradient is left alone).

    Follows torch.optim.Adam, which adds ``eps`` to ``sqrt(v_hat)`` as in the paper's
    Algorithm 1; the paper's "more efficient" form (used by TensorFlow and Keras) adds
    it to ``sqrt(v)`` before the bias correction, which differs in the first steps.
    The last line is computed as ``p = p - (lr * c2 / c1) * m / (sqrt(v) + eps * c2)``
    with ``c1 = 1 - beta1**t`` and ``c2 = sqrt(1 - beta2**t)``: the same value as
    torch's (not the paper's efficient form), with one pass over the arrays fewer, and
    rounded differently in the last bits.
    Weight decay here is an L2 term in the gradient (not in the paper). AMSGrad keeps
    the maximum of ``v`` itself and bias-corrects it, whereas the AMSGrad paper uses no
    bias correction.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        betas: decay rates (beta1, beta2) of the first and second moment averages.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient (or decoupled, see above).
        amsgrad: use the running maximum of the second moment (AMSGrad).
        maximize: maximize the objective instead of minimizing it.
        foreach, capturable, differentiable, fused: torch's implementation options (see
            `optim.Optimizer`; ``foreach=False`` runs the per-parameter reference).
        decoupled_weight_decay: decay the weights directly, as in AdamW.

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import Adam
        >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()          # the first step moves each coordinate by about lr
        >>> np.round(w.data, 6)
        array([ 0.9, -1.9])
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_avg_sq', 'step']
    """

    elementwise = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(p)
        return state

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        t, lr = state["step"], group["lr"]
        (beta1, beta2), m, v = group["betas"], state["exp_avg"], state["exp_avg_sq"]
        work = self._buffer(p, 1)
        self._moving_average(m, g, beta1, out=work)
        self._moving_average(v, np.multiply(g, g, out=work), beta2, out=work)
        if group["amsgrad"]:
            v_max = state.get("max_exp_avg_sq")
            if v_max is None:  # amsgrad turned on after the first step
                v_max = state["max_exp_avg_sq"] = np.zeros_like(p)
            v = np.maximum(v_max, v, out=v_max)
        c1, c2 = 1 - beta1**t, math.sqrt(1 - beta2**t)
        denom = np.sqrt(v, out=work)  # sqrt(v_hat) + eps, times c2
        denom += group["eps"] * c2
        step = np.divide(m, denom, out=work)
        step *= lr * c2 / c1
        p -= step


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov and Hutter 2019,
    "Decoupled Weight Decay Regularization").

    Update rule (as `Adam`, with the decay applied to the weights, not the gradient)::

        p = p * (1 - lr * weight_decay)
        g = -g                                        (if maximize)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = max(v_max, v)                         (if amsgrad; then v = v_max below)
        m_hat = m / (1 - beta1**t)                    v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    Follows torch.optim.AdamW: the decay is multiplied by ``lr``; the paper multiplies
    it by a separate schedule multiplier ``eta_t`` (``p = p - eta_t * weight_decay *
    p``) independent of Adam's step size. The default weight_decay is 1e-2.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: learning rate.
        betas: decay rates (beta1, beta2) of the moment averages.
        eps: added to the denominator for numerical stability.
        weight_decay: decoupled weight decay factor.
        amsgrad: use the running maximum of the second moment (AMSGrad).
        maximize: maximize the objective instead of minimizing it.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
        )
