"""`nn.RMSNorm` and `nn.AlphaDropout`, as PyTorch's; their forwards are
`F.rms_norm` and `F.alpha_dropout`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.checks import check_bool, check_real
from nn import init
from nn.functional_norms import _shape, alpha_dropout, check_p, rms_norm
from nn.module import Module, Parameter


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing `normalized_shape` axes:

        y = x / sqrt(mean(x**2) + eps) * weight

    Args:
        normalized_shape: the trailing shape normalized (an int for the last axis).
        eps: added to the mean square; None (the default) is the machine epsilon of
            the input's dtype, as PyTorch.
        elementwise_affine: learn `weight` (init 1) of `normalized_shape`.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape("RMSNorm", normalized_shape)
        self.eps = None if eps is None else check_real("RMSNorm", "eps", eps, 0)
        self.elementwise_affine = check_bool("RMSNorm", "elementwise_affine", elementwise_affine)
        self.weight = (
            init.ones_(Parameter(np.zeros(self.normalized_shape, dtype=get_default_dtype())))
            if elementwise_affine
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class AlphaDropout(Module):
    """`alpha_dropout` in training mode, the identity in evaluation mode.

    Args:
        p: probability of dropping an element, in [0, 1).
        inplace: PyTorch's flag, accepted; the result is computed out of place.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = check_p("AlphaDropout", p)
        self.inplace = check_bool("AlphaDropout", "inplace", inplace)

    def forward(self, x: Tensor) -> Tensor:
        return alpha_dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
