"""PyTorch's `torch.special`: `import autograd.special` (or `autograd.special.ndtr(x)`).

Functions of their own here: the gamma family (`gammaln`, `digamma`/`psi`,
`polygamma`, `multigammaln`), the modified Bessel functions (`i0`, `i0e`, `i1`, `i1e`),
the normal distribution's `ndtr`, `log_ndtr`, `ndtri`, and `erfcx`, `entr`, `xlog1py`.
The rest are the same functions `autograd` has at the top level, under torch.special's
names (`expit` is `sigmoid`). Every one is differentiable, to any order.
"""

from __future__ import annotations

from typing import Any

from autograd.ops.elementwise import erf, sigmoid
from autograd.ops.gamma import bessel_i, digamma, i0, mvlgamma, polygamma
from autograd.ops.gamma import lgamma as gammaln
from autograd.ops.math_more import erfc, erfinv, exp2, expm1, log1p, logit, sinc, xlogy
from autograd.ops.normal import entr, erfcx, log_ndtr, ndtr, ndtri, xlog1py
from autograd.tensor import Tensor

TensorLike = Any

psi = digamma
expit = sigmoid


def multigammaln(input: TensorLike, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p, as
    `torch.special.multigammaln` (`autograd.mvlgamma`)."""
    return mvlgamma(input, p)


def i0e(input: TensorLike) -> Tensor:
    """exp(-|x|) I0(x), as `torch.special.i0e` (finite where I0 overflows)."""
    return bessel_i(input, 0, scaled=True)


def i1(input: TensorLike) -> Tensor:
    """The modified Bessel function of the first kind of order 1, as `torch.special.i1`."""
    return bessel_i(input, 1)


def i1e(input: TensorLike) -> Tensor:
    """exp(-|x|) I1(x), as `torch.special.i1e`."""
    return bessel_i(input, 1, scaled=True)


def round(input: TensorLike, *, decimals: int = 0) -> Tensor:
    """Round half to even to `decimals` places, as `torch.special.round`."""
    from autograd.ops.elementwise import round as round_

    return round_(input, decimals=decimals)


def softmax(input: TensorLike, dim: int, *, dtype: Any = None) -> Tensor:
    """softmax over `dim`, as `torch.special.softmax` (dim is required)."""
    return _cast(input, dtype).softmax(dim)


def log_softmax(input: TensorLike, dim: int, *, dtype: Any = None) -> Tensor:
    """log softmax over `dim`, as `torch.special.log_softmax` (dim is required)."""
    return _cast(input, dtype).log_softmax(dim)


def logsumexp(input: TensorLike, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over `dim`, without overflow, as `torch.special.logsumexp`."""
    from autograd.ops.reduce import logsumexp as logsumexp_

    return logsumexp_(input, dim=dim, keepdim=keepdim)


def _cast(input: TensorLike, dtype: Any) -> Tensor:
    from autograd.creation import tensor

    x = input if isinstance(input, Tensor) else tensor(input)
    return x if dtype is None else x.to(dtype)


__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammaln",
    "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
    "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py",
    "xlogy",
]  # fmt: skip
