"""Adafactor: second moments kept as row and column statistics, relative step sizes."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.checks import check_real
from optim.optimizer import Optimizer, ParamsT


class Adafactor(Optimizer):
    """Adafactor (Shazeer and Stern 2018, "Adafactor: Adaptive Learning Rates with
    Sublinear Memory Cost"), without first moment.

    Update rule (``t`` counts steps from 1; for a parameter of two or more dimensions,
    ``R`` and ``C`` are the state ``row_var`` (shape ``(..., m, 1)``) and ``col_var``
    (shape ``(..., 1, n)``), the means of ``g**2`` over each row and each column of
    the last two dimensions; for a vector or a number ``V`` is the state
    ``variance``; all start at zero. ``rms(x) = sqrt(mean(x**2))``)::

        g = -g                                        (if maximize)
        beta2_hat = 1 - t**beta2_decay
        rho = min(lr, 1 / sqrt(t))
        alpha = max(eps2, rms(p)) * rho               (p before the decay below)
        p = p * (1 - lr * weight_decay)
        if p.ndim >= 2:
            R = beta2_hat * R + (1 - beta2_hat) * mean(g**2, axis=-1)
            C = beta2_hat * C + (1 - beta2_hat) * mean(g**2, axis=-2)
            V = R * C / max(mean(R, axis=-2), eps1)
        else:
            V = beta2_hat * V + (1 - beta2_hat) * g**2
        u = g / sqrt(max(V, eps1**2))
        p = p - alpha * u / max(1, rms(u) / d)

    ``eps=(eps1, eps2)``; ``eps1=None`` means the machine epsilon of the parameter's
    dtype. A matrix of m x n numbers keeps m + n statistics instead of m * n.

    Follows torch.optim.Adafactor, which differs from the paper as follows: ``lr``
    caps the relative step ``rho`` (the paper's cap is 0.01, the default lr) and
    scales the weight decay, which is decoupled (the paper has none); ``eps1`` is
    applied to ``mean(R)`` and to ``V`` (the paper adds it to ``g**2``); the factors
    are means rather than the paper's sums (the same ``V``). The running averages are
    computed as torch's ``lerp`` computes them (``x + w * (y - x)`` for ``w < 0.5``,
    ``y - (1 - w) * (y - x)`` otherwise, with ``w = 1 - beta2_hat``). When
    ``eps1=None``, torch takes the epsilon of the dtype of the group's first
    parameter with a gradient for the whole group; here each parameter's own (the
    same unless a group mixes float32 and float64).

    Args:
        params: Tensors or parameter groups to optimize.
        lr: the largest relative step size, and the weight decay's factor.
        beta2_decay: the exponent of the second moment's decay rate (<= 0).
        eps: (eps1, eps2): eps1 bounds the second moment estimate from below (None:
            the dtype's machine epsilon); eps2 bounds the parameter scale ``rms(p)``
            from below.
        d: the clipping threshold of the update's root mean square (>= 1).
        weight_decay: decoupled weight decay coefficient.
        maximize: maximize the objective instead of minimizing it.
        foreach: torch's implementation option (see `optim.Optimizer`;
            ``foreach=False`` runs the per-parameter reference).

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import Adafactor
        >>> w = Tensor(np.ones((3, 4)), requires_grad=True)
        >>> b = Tensor(np.ones(4), requires_grad=True)
        >>> opt = Adafactor([w, b])
        >>> ((w * w).sum() + (b * b).sum()).backward()
        >>> opt.step()
        >>> [opt.state[w]["row_var"].shape, opt.state[w]["col_var"].shape]
        [(3, 1), (1, 4)]
        >>> opt.state[b]["variance"].shape
        (4,)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            beta2_decay=beta2_decay,
            eps=eps,
            d=d,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate({k: v for k, v in group.items() if k != "eps"})
        check_real("Adafactor", "beta2_decay", group["beta2_decay"], high=0)
        check_real("Adafactor", "d", group["d"], 1)
        eps = group["eps"]
        if not isinstance(eps, (tuple, list)) or len(eps) != 2:
            raise ValueError(
                f"Adafactor: invalid eps: {eps!r} (must be a pair (eps1, eps2), eps1 None "
                "or >= 0, eps2 >= 0)"
            )
        if eps[0] is not None:
            check_real("Adafactor", "eps1 (eps[0])", eps[0], 0)
        check_real("Adafactor", "eps2 (eps[1])", eps[1], 0)
        group["eps"] = tuple(eps)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        if p.ndim < 2:
            return {"step": 0, "variance": np.zeros_like(p)}
        return {
            "step": 0,
            "row_var": np.zeros(self._state_shape(p, "row_var"), p.dtype),
            "col_var": np.zeros(self._state_shape(p, "col_var"), p.dtype),
        }

    def _state_shape(self, p: np.ndarray, key: str) -> tuple[int, ...]:
        if key == "row_var":
            return (*p.shape[:-1], 1)
        if key == "col_var":
            return (*p.shape[:-2], 1, p.shape[-1])
        return p.shape

    def _grad(self, p: np.ndarray, g: np.ndarray, group: dict[str, Any]) -> np.ndarray:
        # Only maximize here: the weight decay is decoupled, and `_update` applies it
        # after measuring rms(p).
        return np.negative(g, out=self._buffer(g, 0)) if group["maximize"] else g

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        state["step"] += 1
        t, lr, (eps1, eps2) = state["step"], group["lr"], group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        w = t ** group["beta2_decay"]  # 1 - beta2_hat, the weight of the new statistic
        rho = min(lr, 1 / t**0.5)
        alpha = max(eps2, _norm(p) / p.size**0.5) * rho
        self._decay(p, lr, group["weight_decay"])
        if p.ndim >= 2:
            row_var, col_var = state["row_var"], state["col_var"]
            _lerp(row_var, _mean_square(g, axis=-1), w)
            _lerp(col_var, _mean_square(g, axis=-2), w)
            v = row_var * col_var  # (..., m, 1) * (..., 1, n): the outer product
            v /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
        else:
            _lerp(state["variance"], g * g, w)
            v = state["variance"].copy()
        np.maximum(v, eps1 * eps1, out=v)
        u = np.divide(1, np.sqrt(v, out=v), out=v)
        u *= g
        denom = max(1.0, _norm(u) / (u.size**0.5 * group["d"]))
        u *= alpha / denom
        p -= u


def _norm(x: np.ndarray) -> float:
    """The 2-norm of all of `x`."""
    return float(np.sqrt(np.vdot(x, x)))


def _mean_square(g: np.ndarray, axis: int) -> np.ndarray:
    """``mean(g**2, axis)`` with the axis kept, computed as torch's Adafactor does:
    the squared 2-norm along the axis, divided by its length."""
    norm = np.sqrt(np.sum(g * g, axis=axis, keepdims=True))
    return norm * norm / g.shape[axis]


def _lerp(x: np.ndarray, y: np.ndarray, w: float) -> None:
    """``x = x + w * (y - x)`` in place, as torch's ``lerp_`` rounds it: from the end
    closer to the result (``y - (1 - w) * (y - x)`` when ``w >= 0.5``)."""
    diff = y - x
    if abs(w) < 0.5:
        x += w * diff
    else:
        x[...] = y - diff * (1 - w)
