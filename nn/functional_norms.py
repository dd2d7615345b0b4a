"""`F.layer_norm`, `F.rms_norm`, `F.alpha_dropout` and `F.pad` (constant mode), as
PyTorch's, composed from autograd ops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, cat, get_default_dtype
from autograd.checks import check_bool, check_int, check_real
from autograd.ops.args import OperandError
from nn.functional_activations import in_place

#: SELU's alpha * scale: the value AlphaDropout gives dropped units (before a, b).
_ALPHA_PRIME = 1.7580993408473766


def check_p(owner: str, p: float) -> float:
    """A dropout probability `p`, in [0, 1)."""
    return check_real(owner, "p", p, 0, 1, high_open=True)


def _shape(owner: str, normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    return tuple(check_int(owner, "normalized_shape", n, minimum=1) for n in shape)


def _check_trailing(owner: str, x: Tensor, shape: tuple[int, ...]) -> None:
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise OperandError(
            f"{owner}: input of shape {x.shape} does not end in normalized_shape {shape}"
        )


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else autograd.as_tensor(np.asarray(x))


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing `normalized_shape`
    axes (biased variance), as `nn.LayerNorm`."""
    shape = _shape("layer_norm", normalized_shape)
    check_real("layer_norm", "eps", eps, 0)
    x = _tensor(input)
    _check_trailing("layer_norm", x, shape)
    axes = tuple(range(-len(shape), 0))
    d = x - x.mean(axis=axes, keepdims=True)
    y = d / ((d * d).mean(axis=axes, keepdims=True) + eps).sqrt()
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


def rms_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """x / sqrt(mean(x**2) + eps) * weight over the trailing `normalized_shape` axes
    (Zhang & Sennrich, 2019); eps None is the machine epsilon of x's dtype, as torch."""
    shape = _shape("rms_norm", normalized_shape)
    if eps is not None:
        check_real("rms_norm", "eps", eps, 0)
    x = _tensor(input)
    _check_trailing("rms_norm", x, shape)
    e = float(np.finfo(x.dtype).eps) if eps is None else eps
    mean_square = (x * x).mean(axis=tuple(range(-len(shape), 0)), keepdims=True)
    y = x / (mean_square + e).sqrt()
    return y if weight is None else y * weight


def alpha_dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
    rng: autograd.Generator | None = None,
) -> Tensor:
    """Dropout that keeps SELU's mean and variance (Klambauer et al., 2017): dropped
    units become -alpha' = -1.7581, then y = a * x' + b with a = 1 / sqrt((alpha'**2 p
    + 1)(1 - p)) and b = a alpha' p. The mask is drawn as `dropout`'s, so it is
    PyTorch's for the same generator state; identity when not training or p == 0."""
    check_p("alpha_dropout", p)
    check_bool("alpha_dropout", "training", training)
    if not training or p == 0:
        return input
    done = in_place("alpha_dropout", input, lambda t: alpha_dropout(t, p, True, rng=rng), inplace)
    if done is not None:
        return done
    x = _tensor(input)
    dtype = x.dtype if x.dtype.kind == "f" else get_default_dtype()
    gen = autograd.default_generator if rng is None else rng
    keep = (gen.uniform64(x.data.size).reshape(x.shape) < 1 - p).astype(dtype)
    a = 1.0 / np.sqrt((_ALPHA_PRIME**2 * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p
    return x * (keep * a).astype(dtype) + b.astype(dtype)


#: torch's padding modes that read the input, as numpy's `np.pad` modes of an index.
_INDEX_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_by_index(input: Tensor, pad: Sequence[int], mode: str) -> Tensor:
    """Reflect, replicate or circular padding: each padded dim is read at the indices
    `np.pad` gives an arange in that mode (the gradient adds back at those indices)."""
    if not isinstance(pad, (tuple, list)) or len(pad) % 2:
        raise ValueError(f"pad: pad must be a tuple of even length, got {pad!r}")
    x = _tensor(input)
    if len(pad) // 2 > x.ndim - 1:
        raise ValueError(
            f"pad: {mode} padding of {len(pad) // 2} dims needs more than {x.ndim} dims"
        )
    for i in range(len(pad) // 2):
        axis = x.ndim - 1 - i
        left, right = (check_int("pad", "pad", n) for n in pad[2 * i : 2 * i + 2])
        size = x.shape[axis]
        if (mode == "reflect" and max(left, right) >= size) or (
            mode == "circular" and max(left, right) > size
        ):
            raise RuntimeError(
                f"pad: {mode} padding ({left}, {right}) is too large for dim {axis} of "
                f"size {size} (input shape {list(x.shape)})"
            )
        index = np.pad(np.arange(size), (left, right), mode=_INDEX_MODES[mode])  # type: ignore[call-overload]
        x = x[(slice(None),) * axis + (index,)]
    return x


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with `value`: `pad` = (left, right) for the last dim, then (left, right) for
    the one before, ..., as torch's; negative amounts crop. Modes "reflect" (mirror,
    the edge not repeated), "replicate" (the edge repeated) and "circular" (wrap
    around) read the padding from the input itself (an index per padded position).

    Raises:
        ValueError: another mode, an odd-length `pad`, or more pairs than dims.
        RuntimeError: reflect padding not smaller than its dim, or circular padding
            larger than it, as torch.
    """
    if mode in _INDEX_MODES:
        return _pad_by_index(input, pad, mode)
    if mode != "constant":
        raise ValueError(
            f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}"
        )
    if not isinstance(pad, (tuple, list)) or len(pad) % 2:
        raise ValueError(f"pad: pad must be a tuple of even length, got {pad!r}")
    amounts = [check_int("pad", "pad", n) for n in pad]
    check_real("pad", "value", value)
    x = _tensor(input)
    if len(amounts) // 2 > x.ndim:
        raise ValueError(
            f"pad: padding length {len(amounts)} is too large for an input of {x.ndim} dims"
        )
    for i in range(len(amounts) // 2):
        axis = x.ndim - 1 - i
        left, right = amounts[2 * i], amounts[2 * i + 1]
        size = x.shape[axis]
        start, stop = max(-left, 0), size - max(-right, 0)
        if stop - start + max(left, 0) + max(right, 0) <= 0:
            raise ValueError(f"pad: the padded size of dim {axis} would be {size + left + right}")
        index = (slice(None),) * axis + (slice(start, stop),)
        x = x[index]
        parts = []
        for n in (left, right):
            shape = list(x.shape)
            shape[axis] = max(n, 0)
            parts.append(Tensor(np.full(shape, value, dtype=x.dtype)))
        x = cat([parts[0], x, parts[1]], axis)
    return x
