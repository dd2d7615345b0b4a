"""Losses that are one op each, as in PyTorch: the mean squared error and binary
cross entropy on probabilities.

The mean squared error is one node, `MseLossBackward`, as PyTorch's `loss.grad_fn`
shows it (composed, it would be a Mean, a Mul and a Sub, and three times the work).

Binary cross entropy on probabilities, as PyTorch computes it.

Composed from `log`, it would lose the gradient where the log is floored: at p = 0
with target 1 the slope would be 0, so a unit stuck at 0 would never learn. PyTorch's
derivative instead divides by max(p (1 - p), 1e-12), which stays large and points the
right way, and that needs an op of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function
from autograd.tensor import Tensor

TensorLike = Any

#: Each log is floored here, so p = 0 or 1 gives a finite loss (PyTorch's value).
LOG_FLOOR = -100.0
#: The floor of p (1 - p) in the derivative: PyTorch's EPSILON, the float32 nearest
#: 1e-12 (9.99999996e-13), so that the slopes agree to the last bit.
SLOPE_FLOOR = float(np.float32(1e-12))


class MseLoss(Function):
    """z = reduce((x - y)**2)  (the mean, the sum, or none)
    dx = dz * c (x - y)      dy = -dx      c = 2 / n for the mean of n elements, else 2

    The mean of no elements is nan, as in PyTorch; x and y broadcast against each other
    (n counts the elements of the broadcast shape).
    """

    def forward(self, x, y, reduction):
        d = x - y
        self.scale = 2.0 / d.size if reduction == "mean" and d.size else 2.0
        if reduction == "none":
            return d * d
        if reduction == "sum":
            return np.add.reduce(d * d, axis=None)
        if not d.size:  # the mean of no elements is nan, as in PyTorch
            return np.full((), np.nan, d.dtype)
        return (d * d).mean()

    def backward(self, dz, x, y):
        need_x, need_y = self.needs_input_grad
        dx = (x - y) * self.scale * dz
        return (dx if need_x else None), (-dx if need_y else None)


def mse_loss(x: TensorLike, y: TensorLike, reduction: str = "mean") -> Tensor:
    """The mean squared error of `x` against `y` (broadcast against each other), reduced
    by "mean", "sum" or "none" (`nn.functional.mse_loss` also checks and matches the
    target's shape)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"mse_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return MseLoss.apply(x, y, reduction=reduction)


class BinaryCrossEntropy(Function):
    """z = -(y max(log p, -100) + (1 - y) max(log(1 - p), -100))
    dp = dz * (p - y) / max(p (1 - p), 1e-12)      dy = dz * (log(1 - p) - log(p))

    NaN in p propagates to z (the floor never turns NaN into -100).
    """

    def forward(self, p, y):
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf is floored
            log_p = np.maximum(np.log(p), LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), LOG_FLOOR)
        return (y - 1) * log_q - y * log_p

    def backward(self, dz, p, y):
        need_p, need_y = self.needs_input_grad
        xp = self.xp
        dp = dz * (p - y) / xp.maximum(p * (1 - p), SLOPE_FLOOR) if need_p else None
        if not need_y:
            return dp, None
        with np.errstate(divide="ignore"):
            return dp, dz * (xp.log(1 - p) - xp.log(p))


def binary_cross_entropy(p: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise binary cross entropy of probabilities `p` with targets `y` (no
    reduction, no range check: `nn.functional.binary_cross_entropy` adds both)."""
    return BinaryCrossEntropy.apply(p, y)
