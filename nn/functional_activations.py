"""PyTorch's further activations as functions (`F.relu6`, `F.selu`, `F.mish`, ...),
each composed from public autograd ops.

Where a function has a kink, the side that takes the gradient there is PyTorch's:
the branch is chosen by a mask computed from the input's values, and the other side
is a constant, so it gets no gradient (`hardtanh` is 0 at its bounds, `hardswish`
takes the outer pieces at -3 and 3 (0 and 1), `prelu` takes the slope at 0).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, exp, sigmoid, softmax, softplus, tanh, where
from autograd.checks import check_bool, check_int, check_real

#: SELU's constants (Klambauer et al., 2017, as PyTorch rounds them).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else autograd.as_tensor(np.asarray(x))


def _values(x: Tensor) -> np.ndarray:
    return np.asarray(x.data)


def in_place(name: str, x: Any, fn: Callable[[Tensor], Tensor], inplace: bool) -> Tensor | None:
    """With PyTorch's `inplace=True`, ``fn(x)`` written into `x`, and `x` returned, as
    PyTorch's ``F.relu(x, inplace=True)``; None (compute out of place) otherwise.

    The write is `Tensor.copy_`'s: recorded in the graph, so gradients flow through it
    to what `x` was made from, and refused (RuntimeError) for a leaf that requires grad
    while grad mode is on. `fn` runs on a copy of `x`, so the values it saves for its
    backward are not the ones overwritten.
    """
    if not check_bool(name, "inplace", inplace):
        return None
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{name}: inplace=True needs a Tensor to write into, got {type(x).__name__}"
        )
    return x.copy_(fn(x.clone()))


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """f(x) = min(max(x, min_val), max_val)      f'(x) = [min_val < x < max_val]

    The gradient is 0 at both bounds, as PyTorch's."""
    check_real("hardtanh", "min_val", min_val)
    check_real("hardtanh", "max_val", max_val)
    if not max_val > min_val:
        raise ValueError(
            f"hardtanh: max_val must be greater than min_val, got {min_val} and {max_val}"
        )
    done = in_place("hardtanh", x, lambda t: hardtanh(t, min_val, max_val), inplace)
    if done is not None:
        return done
    x = _tensor(x)
    v = _values(x)
    inside = (v > min_val) & (v < max_val)
    return where(inside, x, np.clip(v, min_val, max_val).astype(v.dtype))


def relu6(x: Any, inplace: bool = False) -> Tensor:
    """f(x) = min(max(x, 0), 6)      f'(x) = [0 < x < 6] (0 at both kinks, as PyTorch)"""
    return hardtanh(x, 0.0, 6.0, inplace)


def hardsigmoid(x: Any, inplace: bool = False) -> Tensor:
    """f(x) = min(max(x / 6 + 1/2, 0), 1)      f'(x) = 1/6 for -3 < x < 3, else 0

    (PyTorch's float64 backward multiplies by 1/6 rounded to float32, 3e-8 too large;
    this one is exact.)"""
    done = in_place("hardsigmoid", x, hardsigmoid, inplace)
    if done is not None:
        return done
    x = _tensor(x)
    v = _values(x)
    inside = (v > -3) & (v < 3)
    return where(inside, x / 6 + 0.5, (v >= 3).astype(v.dtype))


def hardswish(x: Any, inplace: bool = False) -> Tensor:
    """f(x) = x * min(max(x + 3, 0), 6) / 6
    f'(x) = 0 for x <= -3, x / 3 + 1/2 for -3 < x < 3, 1 for x >= 3 (PyTorch's sides)"""
    done = in_place("hardswish", x, hardswish, inplace)
    if done is not None:
        return done
    x = _tensor(x)
    v = _values(x)
    middle = (v > -3) & (v < 3)
    outer = where(v >= 3, x, np.zeros_like(v))
    return where(middle, x * (x + 3) / 6, outer)


def _exp_branch(x: Tensor, v: np.ndarray, rate: float) -> Tensor:
    """exp(rate * x) - 1 where x < 0, computed on min(x, 0) (a constant 0 elsewhere),
    so large positive inputs neither overflow nor send NaN back; rate * x at x = 0,
    which gives PyTorch's derivatives there: rate, and 0 for the second."""
    negative = where(v < 0, x, np.zeros_like(v))
    return where(v < 0, exp(negative * rate) - 1, x * rate)


def selu(x: Any, inplace: bool = False) -> Tensor:
    """f(x) = scale * x for x > 0, scale * alpha * (exp(x) - 1) otherwise, with
    alpha = 1.6733 and scale = 1.0507      f'(0) = scale * alpha, as PyTorch."""
    done = in_place("selu", x, selu, inplace)
    if done is not None:
        return done
    x = _tensor(x)
    v = _values(x)
    return where(v > 0, x * SELU_SCALE, _exp_branch(x, v, 1.0) * (SELU_SCALE * SELU_ALPHA))


def celu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """f(x) = x for x > 0, alpha * (exp(x / alpha) - 1) otherwise      f'(0) = 1"""
    check_real("celu", "alpha", alpha)
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    done = in_place("celu", x, lambda t: celu(t, alpha), inplace)
    if done is not None:
        return done
    x = _tensor(x)
    v = _values(x)
    return where(v > 0, x, _exp_branch(x, v, 1.0 / alpha) * alpha)


def mish(x: Any, inplace: bool = False) -> Tensor:
    """f(x) = x * tanh(softplus(x))      f'(x) = tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)**2)"""
    done = in_place("mish", x, mish, inplace)
    if done is not None:
        return done
    x = _tensor(x)
    return x * tanh(softplus(x))


def softsign(x: Any) -> Tensor:
    """f(x) = x / (1 + |x|)      f'(x) = 1 / (1 + |x|)**2"""
    x = _tensor(x)
    return x / (autograd.abs(x) + 1)


def tanhshrink(x: Any) -> Tensor:
    """f(x) = x - tanh(x)      f'(x) = tanh(x)**2"""
    x = _tensor(x)
    return x - tanh(x)


def threshold(x: Any, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """f(x) = x if x > threshold else value      f'(x) = [x > threshold]"""
    check_real("threshold", "threshold", threshold)
    check_real("threshold", "value", value)
    done = in_place("threshold", x, lambda t: _threshold(t, threshold, value), inplace)
    return _threshold(x, threshold, value) if done is None else done


def _threshold(x: Any, threshold: float, value: float) -> Tensor:
    x = _tensor(x)
    v = _values(x)
    return where(v > threshold, x, np.full_like(v, value))


def softmin_dim(ndim: int) -> int:
    """PyTorch's implicit dimension for `dim=None` (0 for 0-, 1- and 3-d inputs, else 1),
    with its warning."""
    warnings.warn(
        "Implicit dimension choice for softmin has been deprecated. "
        "Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmin(x: Any, dim: int | None = None) -> Tensor:
    """f(x)_i = exp(-x_i) / sum_j exp(-x_j) along `dim`: softmax(-x)."""
    x = _tensor(x)
    axis = softmin_dim(x.ndim) if dim is None else check_int("softmin", "dim", dim)
    return softmax(-x, axis)


def glu(x: Any, dim: int = -1) -> Tensor:
    """Gated linear unit: split x in halves a, b along `dim`; f = a * sigmoid(b).

    Raises:
        ValueError: an odd size along `dim`, or a 0-d input.
        IndexError: `dim` is not an axis of the input.
    """
    check_int("glu", "dim", dim)
    x = _tensor(x)
    if x.ndim == 0:
        raise ValueError("glu: does not support scalars because halving size must be even")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for an input of {x.ndim} dims")
    axis = dim % x.ndim
    size = x.shape[axis]
    if size % 2:
        raise ValueError(f"glu: halving dimension must be even, but dimension {dim} is size {size}")
    half = size // 2
    before = (slice(None),) * axis
    return x[(*before, slice(0, half))] * sigmoid(x[(*before, slice(half, size))])


def prelu(x: Any, weight: Tensor) -> Tensor:
    """f(x) = x if x > 0 else weight * x, one slope per channel (dim 1; an input of
    fewer than 2 dims has 1 channel) or one for all.
    df/dx = 1 or weight (weight at 0, as PyTorch)      df/dweight = x where x <= 0, else 0

    Raises:
        ValueError: a weight whose size is neither 1 nor the number of channels.
    """
    x = _tensor(x)
    n = int(np.prod(weight.shape))
    if n != 1:
        channels = x.shape[1] if x.ndim >= 2 else 1
        if n != channels:
            raise ValueError(
                f"prelu: weight has {n} elements but the input has {channels} channels"
            )
        weight = weight.reshape((n,) + (1,) * (x.ndim - 2))
    else:
        weight = weight.reshape(())
    v = _values(x)
    return where(v > 0, x, x * weight)
