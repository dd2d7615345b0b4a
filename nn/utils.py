"""Gradient clipping and parameter counting."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd import Tensor
from nn.module import Module


def _with_grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0
) -> Tensor:
    """Rescale the gradients in place so that their joint norm is at most `max_norm`.

    total = (sum_p ||g_p||**norm_type) ** (1 / norm_type) (max |g| for norm_type=inf);
    every g is multiplied by min(1, max_norm / (total + 1e-6)), as torch.

    Returns:
        The total norm before clipping, a 0-d Tensor.
    """
    params = _with_grads(parameters)
    if not params:
        return Tensor(0.0)
    norms = [np.linalg.norm(p.grad.data.ravel(), ord=norm_type) for p in params]
    total = float(np.linalg.norm(np.asarray(norms, dtype=np.float64), ord=norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            p.grad.data *= coef
    return Tensor(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place."""
    for p in _with_grads(parameters):
        np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)


def count_parameters(module: Module, trainable_only: bool = False) -> int:
    """Number of scalars in the module's parameters (only those requiring grad when
    `trainable_only`). Example: Linear(784, 100) then Linear(100, 10) has
    784*100 + 100 + 100*10 + 10 = 79,510. A `Dense` layer not built yet (no
    `input_dim`, never called) has no parameters to count: call `model.build(shape)`
    or run data through it first."""
    return sum(p.size for p in module.parameters() if p.requires_grad or not trainable_only)
