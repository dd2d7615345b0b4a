"""torch's `F.feature_alpha_dropout` and `nn.FeatureAlphaDropout`: alpha dropout
(`F.alpha_dropout`'s rule, which keeps SELU's mean and variance) of whole channels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, get_default_dtype
from autograd.checks import check_bool
from nn.functional_activations import in_place
from nn.functional_losses import _tensor
from nn.module import Module

#: -SELU's negative saturation, -scale * alpha (torch's constant).
_ALPHA_PRIME = 1.7580993408473766


def _check(p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def feature_alpha_dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
    *,
    generator: autograd.Generator | None = None,
) -> Tensor:
    """Alpha dropout of whole channels (dim 1 of an input (N, C, *)), as
    `torch.nn.functional.feature_alpha_dropout`: one keep draw k per (n, c), k = 1 with
    probability 1 - p (torch's draws for the same generator state), then

        y = a * (x * k + alpha' (k - 1)) + a alpha' p,   a = 1 / sqrt((alpha'^2 p + 1)(1 - p))

    with alpha' = 1.7581, so a dropped channel becomes -a alpha' (1 - p) everywhere and
    the mean and variance of SELU outputs are kept. The identity when not training or
    p == 0; zeros when p == 1 (as torch). `inplace=True` writes the result into `input`.

    Raises:
        ValueError: p outside [0, 1].
        RuntimeError: an input of fewer than 2 dims in training (torch's).
    """
    p = _check(p)
    check_bool("feature_alpha_dropout", "training", training)
    x = _tensor(input)
    if p == 0 or not training or x.size == 0:
        return input if isinstance(input, Tensor) else x
    if x.ndim < 2:
        raise RuntimeError(
            f"Feature dropout requires at least 2 dimensions in the input, got {x.ndim}D input"
        )
    again = lambda t: feature_alpha_dropout(t, p, True, generator=generator)  # noqa: E731
    done = in_place("feature_alpha_dropout", input, again, inplace)
    if done is not None:
        return done
    dtype = x.dtype if x.dtype.kind == "f" else get_default_dtype()
    if p == 1:
        return x * np.zeros((), dtype=dtype)
    gen = autograd.default_generator if generator is None else generator
    channels = x.shape[:2]
    keep = (gen.uniform64(math.prod(channels)) < 1 - p).reshape(channels)
    keep = keep.reshape(*channels, *(1,) * (x.ndim - 2)).astype(np.float64)
    a = 1.0 / math.sqrt((_ALPHA_PRIME**2 * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p
    return x * (keep * a).astype(dtype) + b.astype(dtype)


class FeatureAlphaDropout(Module):
    """`feature_alpha_dropout` in training mode, the identity in evaluation, as
    `torch.nn.FeatureAlphaDropout`.

    Args:
        p: probability of dropping a channel, in [0, 1].
        inplace: write the result into the input.

    Raises:
        ValueError: p outside [0, 1].
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        _check(p)
        self.p = p
        self.inplace = check_bool("FeatureAlphaDropout", "inplace", inplace)

    def forward(self, input: Any) -> Tensor:
        return feature_alpha_dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
