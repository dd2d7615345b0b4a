"""Muon: momentum orthogonalized by Newton-Schulz iterations, for 2-D weights."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.checks import check_int, check_real
from optim.optimizer import Optimizer, ParamsT, lerp_

#: Keller Jordan's coefficients of the quintic Newton-Schulz iteration (torch's).
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


class Muon(Optimizer):
    """Muon (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural
    networks"), as torch.optim.Muon: only for 2-D parameters (the other parameters go
    to another optimizer, e.g. AdamW).

    Update rule (``b`` is the ``momentum_buffer``, starting at zero; the momentum is
    an interpolation, as torch computes it)::

        b = b + (1 - momentum) * (g - b)
        u = g + momentum * (b - g)      (if nesterov; else u = b)
        O = NS(u)                       (ns_steps Newton-Schulz iterations, bfloat16)
        p = p * (1 - lr * weight_decay)
        p = p - adjusted_lr * O

    NS orthogonalizes ``X = u / ||u||`` (the transpose of a tall matrix) by ``A = X X^T;
    X = a X + (b A + c A A) X``, rounded to bfloat16 after each product as torch
    computes it. ``adjusted_lr`` is ``lr * sqrt(max(1, rows / cols))`` ("original", the
    default) or ``0.2 * lr * sqrt(max(rows, cols))`` ("match_rms_adamw", Liu et al.
    2025, "Muon is Scalable for LLM Training").

    Args:
        params: 2-D Tensors or parameter groups to optimize.
        lr: learning rate.
        weight_decay: decoupled weight decay factor.
        momentum: momentum factor.
        nesterov: use Nesterov momentum.
        ns_coefficients: the coefficients (a, b, c) of the iteration.
        eps: the smallest norm ``u`` is divided by.
        ns_steps: the number of Newton-Schulz iterations (below 100).
        adjust_lr_fn: None, "original" or "match_rms_adamw".

    Raises:
        ValueError: for a parameter that is not 2-D, or an invalid option.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
        eps: float = 1e-7,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        defaults = dict(  # torch's options, in torch's order (state_dict prints them so)
            lr=lr,
            weight_decay=weight_decay,
            momentum=momentum,
            nesterov=nesterov,
            ns_coefficients=ns_coefficients,
            eps=eps,
            ns_steps=ns_steps,
            adjust_lr_fn=adjust_lr_fn,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        if group["adjust_lr_fn"] not in ADJUST_LR_FNS:
            raise ValueError(
                f"Adjust learning rate function {group['adjust_lr_fn']} is not supported"
            )
        check_int("Muon", "ns_steps", group["ns_steps"], minimum=0)
        if group["ns_steps"] >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")
        coefficients = group["ns_coefficients"]
        if not isinstance(coefficients, Sequence) or len(coefficients) != 3:
            raise ValueError("Coefficients must be a tuple of exactly 3 values")
        for c in coefficients:
            check_real("Muon", "ns_coefficients", c)
        for p in group["params"]:
            if p.ndim != 2:
                raise ValueError(
                    "Muon only supports 2D parameters whereas we found a parameter with "
                    f"size: {tuple(p.shape)}"
                )

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum_buffer": np.zeros_like(p)}

    def _grad(self, p: np.ndarray, g: np.ndarray, group: dict[str, Any]) -> np.ndarray:
        """Muon's weight decay is decoupled (applied in `_update`), never added to g."""
        return g

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        momentum, buf = group["momentum"], state["momentum_buffer"]
        lerp_(buf, g, 1 - momentum)
        update = buf
        if group["nesterov"]:
            update = g.copy()
            lerp_(update, buf, momentum)
        ortho = newton_schulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        lr = group["lr"]
        p *= 1 - lr * group["weight_decay"]
        p -= adjusted_lr(lr, group["adjust_lr_fn"], p.shape) * ortho


def adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    """The lr scaled to the matrix's shape (torch's `_adjust_lr`)."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    return lr * 0.2 * math.sqrt(max(rows, cols))


def bfloat16(x: Any) -> np.ndarray:
    """`x` rounded to bfloat16 (to nearest, ties to even), held in float32."""
    f = np.asarray(x, dtype=np.float32)
    bits = f.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    out = rounded.view(np.float32)
    return np.where(np.isnan(f), f, out)


def newton_schulz(
    u: np.ndarray, coefficients: Sequence[float], steps: int, eps: float
) -> np.ndarray:
    """The orthogonalized `u` (about ``U V^T`` of its SVD), computed as torch's
    `_zeropower_via_newtonschulz`: in bfloat16, products accumulated in float32."""
    a, b, c = coefficients
    x = bfloat16(u)
    tall = u.shape[0] > u.shape[1]
    if tall:
        x = x.T
    norm = bfloat16(np.sqrt(np.sum(np.square(x, dtype=np.float32), dtype=np.float32)))
    x = bfloat16(x / np.maximum(norm, bfloat16(np.float32(eps))))
    for _ in range(steps):
        gram = bfloat16(x @ x.T)
        gram_update = bfloat16(b * gram + c * (gram @ gram))
        x = bfloat16(a * x + gram_update @ x)
    return (x.T if tall else x).astype(u.dtype)
