"""PyTorch's `F.lp_pool1d/2d/3d`, `F.local_response_norm` and `F.channel_shuffle`,
composed of autograd's pooling and elementwise ops with torch's formulas (so their
gradients, NaNs and zeros included, are torch's too)."""

from __future__ import annotations

import math
from typing import Any

import autograd
from autograd import Tensor
from autograd.ops import pooling as P
from autograd.ops.conv_forms import ntuple
from nn.functional_losses import _tensor
from nn.functional_norms import pad

_MAX_POOLS = {1: P.max_pool1d, 2: P.max_pool2d, 3: P.max_pool3d}
_AVG_POOLS = {1: P.avg_pool1d, 2: P.avg_pool2d, 3: P.avg_pool3d}


def _lp_pool(
    d: int, input: Any, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool
) -> Tensor:
    x = _tensor(input)
    if norm_type == math.inf:
        return _MAX_POOLS[d](x.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -_MAX_POOLS[d](-x.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = _AVG_POOLS[d](x.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    size = math.prod(ntuple("kernel_size", kernel_size, d))
    # sign(out) * relu(|out|) is out, save that torch's relu masks the gradient where
    # out is 0 (where the root's derivative is infinite): a selection does the same
    zero = autograd.zeros_like(out)
    return (autograd.where(out != 0, out, zero) * size).pow(1.0 / norm_type)


def lp_pool1d(
    input: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """Power-average pooling of (N, C, L) or (C, L); see `lp_pool2d`."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(
    input: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """Power-average pooling of (N, C, H, W) or (C, H, W), as `F.lp_pool2d`: over each
    window X,

        f(X) = (sign(S) * relu(|S|))^(1/p),  S = avg_pool(x^p) * prod(kernel_size)

    i.e. (sum of x^p)^(1/p) for whole windows (with `ceil_mode`, a last partial window's
    average is scaled by the whole kernel's size, as torch's). p = inf is max pooling of
    |x|, p = -inf the minimum of |x|. The gradient is 0 where S is 0 (relu's).
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(
    input: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """Power-average pooling of (N, C, D, H, W) or (C, D, H, W); see `lp_pool2d`."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def local_response_norm(
    input: Any, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Local response normalization across channels (AlexNet), as
    `F.local_response_norm`, for (N, C, *) inputs of 3 or more dims:

        y[n, c] = x[n, c] / (k + alpha * mean_{c'} x[n, c']^2)^beta

    the mean over the `size` channels c - size // 2 ... c + (size - 1) // 2, those past
    the edges counting as zeros (torch's average pooling of the zero-padded squares, so
    the divisor is always `size`).

    Raises:
        ValueError: fewer than 3 dims.
    """
    x = _tensor(input)
    dim = x.ndim
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)"
        )
    if x.size == 0:
        return x
    div = x * x
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = P.avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = x.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = P.avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).reshape(*sizes)
    return x / (div * alpha + k).pow(beta)


def channel_shuffle(input: Any, groups: int) -> Tensor:
    """The channels (dim 1) of an (N, C, *) input regrouped, as `F.channel_shuffle`
    (ShuffleNet): viewed as (groups, C / groups) and transposed, channel g * C / groups + i
    goes to i * groups + g.

    Raises:
        RuntimeError: groups not positive, fewer than 3 dims, or C not divisible.
    """
    x = _tensor(input)
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    if x.ndim <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(x.shape)}"
        )
    c = x.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    n, rest = x.shape[0], x.shape[2:]
    grouped = x.reshape(n, groups, c // groups, *rest)
    return grouped.transpose(1, 2).reshape(*x.shape)


__all__ = ["channel_shuffle", "local_response_norm", "lp_pool1d", "lp_pool2d", "lp_pool3d"]
