"""Keras 3's `keras.ops.nn` functions missing from `nn.ops`: the hard and shrink
activations, `glu`, `sparsemax`, the unreduced crossentropies with `from_logits`,
`batch_normalization`, `layer_normalization`, `rms_normalization`, `moments` and
`normalize` (re-exported by `nn.ops`; `nn.activations` uses the activations).

Each is written with autograd's differentiable ops, so gradients flow as in Keras;
ints and bools come in as the default float dtype.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.ops_more import _array, _float, floatx, log_sigmoid, tensor

EPSILON = 1e-7  # Keras's backend.epsilon()


def relu6(x: Any) -> Tensor:
    return autograd.clip(_float(x), 0.0, 6.0)


def hard_sigmoid(x: Any) -> Tensor:
    """relu6(x + 3) / 6."""
    return relu6(_float(x) + 3.0) / 6.0


def hard_silu(x: Any) -> Tensor:
    """x * hard_sigmoid(x)."""
    t = _float(x)
    return t * hard_sigmoid(t)


hard_swish = hard_silu


def hard_tanh(x: Any) -> Tensor:
    """x clipped to [-1, 1]."""
    return autograd.clip(_float(x), -1.0, 1.0)


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha * (exp(x / alpha) - 1) otherwise."""
    t = _float(x)
    negative = autograd.minimum(t, 0.0)
    return autograd.maximum(t, 0.0) + alpha * (autograd.exp(negative / alpha) - 1.0)


def glu(x: Any, axis: int = -1) -> Tensor:
    """a * sigmoid(b), for the two halves a, b of x along `axis`."""
    t = _float(x)
    size = t.shape[axis]
    if size % 2:
        raise ValueError(
            f"glu: axis {axis} must have an even length, got {size} (shape {tuple(t.shape)})"
        )
    a, b = autograd.split(t, size // 2, axis)
    return a * autograd.sigmoid(b)


def selu(x: Any) -> Tensor:
    t = _float(x)
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * autograd.where(
        _array(t) > 0, t, alpha * (autograd.exp(autograd.minimum(t, 0.0)) - 1.0)
    )


def softsign(x: Any) -> Tensor:
    t = _float(x)
    return t / (1.0 + autograd.abs(t))


def swish(x: Any) -> Tensor:
    return autograd.silu(_float(x))


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """x where |x| > threshold, else 0."""
    t = _float(x)
    return autograd.where(np.abs(_array(t)) > threshold, t, 0.0)


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """x - threshold above it, x + threshold below -threshold, 0 between."""
    t = _float(x)
    data = _array(t)
    shrunk = autograd.where(data < -threshold, t + threshold, 0.0)
    return autograd.where(data > threshold, t - threshold, shrunk)


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    """x where x > threshold, else default_value."""
    t = _float(x)
    return autograd.where(_array(t) > threshold, t, default_value)


def tanh_shrink(x: Any) -> Tensor:
    t = _float(x)
    return t - autograd.tanh(t)


def sparse_plus(x: Any) -> Tensor:
    """0 for x <= -1, x for x >= 1, (x + 1)**2 / 4 between."""
    t = _float(x)
    data = _array(t)
    middle = autograd.where(data >= 1, t, (t + 1.0) ** 2 / 4.0)
    return autograd.where(data <= -1, 0.0, middle)


def sparse_sigmoid(x: Any) -> Tensor:
    """0 for x <= -1, 1 for x >= 1, (x + 1) / 2 between."""
    t = _float(x)
    data = _array(t)
    middle = autograd.where(data >= 1, 1.0, (t + 1.0) / 2.0)
    return autograd.where(data <= -1, 0.0, middle)


def squareplus(x: Any, b: float = 4) -> Tensor:
    """(x + sqrt(x**2 + b)) / 2."""
    t = _float(x)
    return (t + autograd.sqrt(t * t + b)) / 2.0


def sparsemax(x: Any, axis: int = -1) -> Tensor:
    """The Euclidean projection of x onto the probability simplex along `axis`
    (Martins & Astudillo, 2016): max(x - tau, 0), tau picked so the row sums to 1.

    Keras 3.15's `ops.sparsemax` agrees where one element is kept; where several are,
    its threshold sums the running sums and its rows need not sum to 1 (it gives
    [0, 0, 0] for [3, 2.9, 0], the projection [0.55, 0.45, 0]): this is the paper's."""
    t = _float(x)
    data = _array(t)
    ranked = -np.sort(-data, axis=axis)
    shape = [1] * data.ndim
    shape[axis] = -1
    k = np.arange(1, data.shape[axis] + 1, dtype=data.dtype).reshape(shape)
    cumulative = np.cumsum(ranked, axis=axis)
    support = ranked - (cumulative - 1) / k > 0
    count = np.sum(support, axis=axis, keepdims=True)
    tau = (np.take_along_axis(cumulative, count - 1, axis=axis) - 1) / count
    chosen = data > tau  # the support, in x's order (its tau has a gradient)
    picked = autograd.where(chosen, t, 0.0)
    tau_t = (autograd.sum(picked, axis, True) - 1.0) / Tensor(
        np.sum(chosen, axis=axis, keepdims=True).astype(data.dtype)
    )
    return autograd.maximum(t - tau_t, 0.0)


def _same_shape(name: str, target: Tensor, output: Tensor) -> None:
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            f"{name}: target and output must have the same shape, got target.shape="
            f"{tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """-(t * log(p) + (1 - t) * log(1 - p)), elementwise (unreduced), p clipped to
    [eps, 1 - eps]; with from_logits, through log_sigmoid."""
    out = _float(output)
    tgt = autograd.astype(tensor(target), out.dtype)
    _same_shape("binary_crossentropy", tgt, out)
    if from_logits:
        return -tgt * log_sigmoid(out) - (1.0 - tgt) * log_sigmoid(-out)
    p = autograd.clip(out, EPSILON, 1.0 - EPSILON)
    return -(tgt * autograd.log(p) + (1.0 - tgt) * autograd.log(1.0 - p))


def _log_probabilities(output: Tensor, from_logits: bool, axis: int) -> Tensor:
    if from_logits:
        return autograd.log_softmax(output, axis)
    p = output / autograd.sum(output, axis, True)
    return autograd.log(autograd.clip(p, EPSILON, 1.0 - EPSILON))


def categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Tensor:
    """-sum(target * log(p)) along `axis` (p: output rescaled to sum to 1, clipped;
    with from_logits, the log-softmax)."""
    out = _float(output)
    tgt = autograd.astype(tensor(target), out.dtype)
    _same_shape("categorical_crossentropy", tgt, out)
    if out.ndim < 1:
        raise ValueError("categorical_crossentropy: target and output must have at least one axis")
    return -autograd.sum(tgt * _log_probabilities(out, from_logits, axis), axis)


def sparse_categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Tensor:
    """categorical_crossentropy with integer class targets (a trailing axis of 1 is
    dropped)."""
    out = _float(output)
    labels = _array(target).astype(np.int64)
    if labels.ndim == out.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if out.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy: output must have at least one axis")
    if tuple(labels.shape) != tuple(out.shape[:-1]):
        raise ValueError(
            "sparse_categorical_crossentropy: target and output must have the same shape up "
            f"to output's last axis, got target.shape={labels.shape}, "
            f"output.shape={tuple(out.shape)}"
        )
    hot = np.moveaxis(np.arange(out.shape[axis]) == labels[..., None], -1, axis)
    return -autograd.sum(
        Tensor(hot.astype(out.dtype)) * _log_probabilities(out, from_logits, axis), axis
    )


def moments(
    x: Any, axes: int | Sequence[int], keepdims: bool = False, synchronized: bool = False
) -> tuple[Tensor, Tensor]:
    """The mean and variance (dividing by the count) over `axes`."""
    if synchronized:
        raise NotImplementedError("moments: synchronized=True needs several devices")
    t = _float(x)
    ax = (axes,) if isinstance(axes, int) else tuple(axes)
    mean = autograd.mean(t, ax, keepdims)
    return mean, autograd.var(t, ax, keepdims, ddof=0)


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    """x divided by its `order`-norm along `axis` (at least `epsilon`, 1e-7 by
    default)."""
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ValueError(f"normalize: order must be an int >= 1, got {order!r}")
    t = _float(x)
    if t.ndim == 0:
        t = autograd.reshape(t, (1,))
    eps = EPSILON if epsilon is None else epsilon
    if order == 2:
        inverse = autograd.rsqrt(autograd.sum(t * t, axis, True))
        return t * autograd.minimum(inverse, 1.0 / eps)
    size = autograd.sum(autograd.abs(t) ** order, axis, True) ** (1.0 / order)
    return t / autograd.maximum(size, eps)


def _shaped(value: Any, shape: list[int], dtype: np.dtype) -> Tensor:
    return autograd.reshape(autograd.astype(tensor(value), dtype), shape)


def batch_normalization(
    x: Any,
    mean: Any,
    variance: Any,
    axis: int,
    offset: Any = None,
    scale: Any = None,
    epsilon: float = 1e-3,
) -> Tensor:
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, with the 1-D statistics
    laid along `axis`."""
    t = _float(x)
    shape = [1] * t.ndim
    shape[axis] = int(np.size(_array(mean)))
    inv = autograd.rsqrt(_shaped(variance, shape, t.dtype) + epsilon)
    if scale is not None:
        inv = inv * _shaped(scale, shape, t.dtype)
    res = -_shaped(mean, shape, t.dtype) * inv
    if offset is not None:
        res = res + _shaped(offset, shape, t.dtype)
    return t * inv + res


def layer_normalization(
    x: Any,
    gamma: Any = None,
    beta: Any = None,
    axis: int | Sequence[int] = -1,
    epsilon: float | None = None,
    rms_scaling: bool = False,
) -> Tensor:
    """(x - mean) / sqrt(var + epsilon) * gamma + beta over `axis` (epsilon 1e-7 by
    default); with rms_scaling, x / sqrt(var + epsilon) * gamma."""
    t = _float(x)
    eps = EPSILON if epsilon is None else epsilon
    axes = sorted(a % t.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    shape = [t.shape[a] if a in axes else 1 for a in range(t.ndim)]
    mean, var = moments(t, axes, keepdims=True)
    inv = autograd.rsqrt(var + eps)
    if gamma is not None:
        inv = inv * _shaped(gamma, shape, t.dtype)
    if rms_scaling:
        return t * inv
    res = -mean * inv
    if beta is not None:
        res = res + _shaped(beta, shape, t.dtype)
    return t * inv + res


def rms_normalization(
    x: Any, scale: Any = None, axis: int | Sequence[int] = -1, epsilon: float | None = None
) -> Tensor:
    """x / sqrt(mean(x**2) + epsilon) * scale over `axis`."""
    t = _float(x)
    if t.ndim == 0:
        t = autograd.reshape(t, (1,))
    eps = EPSILON if epsilon is None else epsilon
    ax = axis if isinstance(axis, int) else tuple(sorted(axis))
    out = t * autograd.rsqrt(autograd.mean(t * t, ax, True) + eps)
    return out if scale is None else out * autograd.astype(tensor(scale), t.dtype)


def psnr(x1: Any, x2: Any, max_val: float) -> Tensor:
    """The peak signal-to-noise ratio, 20 log10(max_val) - 10 log10(mse)."""
    a, b = _float(x1), _float(x2)
    mse = autograd.mean((a - b) ** 2)
    return 20.0 * math.log10(max_val) - 10.0 * autograd.log10(mse)


__all__ = [
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "celu",
    "floatx",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "layer_normalization",
    "moments",
    "normalize",
    "psnr",
    "relu6",
    "rms_normalization",
    "selu",
    "soft_shrink",
    "softsign",
    "sparse_categorical_crossentropy",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
]
