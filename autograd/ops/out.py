"""PyTorch's `out=` argument of module functions (``torch.mul(a, b, out=c)``,
``torch.matmul(a, b, out=c)``): the result written into an existing tensor.

PyTorch's rules: the write is outside any graph, so while grad mode is on no input
(nor `out`) may require grad; the result's dtype must cast to out's (same kind: a
float result into an integer `out` is refused); an `out` of another shape is resized
(with a warning unless it was empty). The function returns `out` itself.
(The Tensor methods take no `out`, as in PyTorch.)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd.mode import is_grad_enabled, no_grad
from autograd.ops import arith
from autograd.tensor import Tensor

TensorLike = Any


def write_out(name: str, result: Tensor, out: Any, inputs: tuple[Any, ...]) -> Tensor:
    """Copy `result` (made from `inputs` by `name`) into `out` in place; return `out`.

    Raises:
        TypeError: `out` is not a Tensor.
        RuntimeError: grad mode is on and an input or `out` requires grad; or the
            result's dtype cannot be cast to out's.
    """
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in (*inputs, out)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if not np.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise RuntimeError(
            f"{name}(): result type {result.dtype} can't be cast to the desired output "
            f"type {out.dtype}"
        )
    if out.shape != result.shape:
        if out.size:
            warnings.warn(
                f"{name}(): an output with one or more elements was resized since it had "
                f"shape {out.shape}, which does not match the required output shape "
                f"{result.shape}; pass an out of the right shape, or an empty one",
                UserWarning,
                stacklevel=3,
            )
        out.data = np.empty(result.shape, out.dtype)
    with no_grad():
        out[...] = result.data
    return out


def mul(input: TensorLike, other: TensorLike, *, out: Tensor | None = None) -> Tensor:
    """input * other elementwise (broadcast), as `torch.mul`; with `out`, written there."""
    if out is None:
        return arith.mul(input, other)
    with no_grad():
        result = arith.mul(input, other)
    return write_out("mul", result, out, (input, other))


def multiply(input: TensorLike, other: TensorLike, *, out: Tensor | None = None) -> Tensor:
    """`mul` under its other PyTorch name (``torch.multiply(tensor, 10)``)."""
    return mul(input, other, out=out)


def matmul(input: TensorLike, other: TensorLike, *, out: Tensor | None = None) -> Tensor:
    """input @ other (1-d and batched too), as `torch.matmul`; with `out`, written there."""
    if out is None:
        return arith.matmul(input, other)
    with no_grad():
        result = arith.matmul(input, other)
    return write_out("matmul", result, out, (input, other))
