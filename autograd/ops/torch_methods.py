"""The few PyTorch-named `Tensor` methods that are more than a rename of an op."""

from __future__ import annotations

import numpy.typing as npt

from autograd.ops.arith import astype
from autograd.tensor import Tensor


def to_dtype(x: Tensor, dtype: npt.DTypeLike) -> Tensor:
    """`x.float()` / `x.double()`: `x` itself when it already has `dtype` (as PyTorch),
    else a converted copy in the graph."""
    return x if x.dtype == dtype else astype(x, dtype)


def requires_grad_(x: Tensor, requires_grad: bool = True) -> Tensor:
    """Set `x.requires_grad` in place and return `x`, as PyTorch.

    Raises:
        RuntimeError: turning it off on a tensor made by an op (only leaves can).
        TypeError: turning it on for a tensor that is not float.
    """
    if x.grad_fn is not None and not requires_grad:
        raise RuntimeError(
            "requires_grad_(False): only leaf tensors can stop requiring grad; use "
            "x.detach() for a copy cut from the graph"
        )
    if requires_grad and x.dtype.kind not in "fc":
        raise TypeError(f"only float tensors can require grad, got dtype {x.dtype}")
    x.requires_grad = bool(requires_grad)
    return x
