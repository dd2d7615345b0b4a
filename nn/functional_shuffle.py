"""torch's `pixel_shuffle` and `pixel_unshuffle`: channels moved into space and back
with a reshape and a permutation (views; their gradients are the inverse moves)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from nn.functional_losses import _tensor


def _integer(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _factor(name: str, value: Any, kind: str) -> int:
    if not _integer(value) or value <= 0:
        raise RuntimeError(f"{name} expects a positive {kind}, but got {value}")
    return int(value)


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): channel c r^2 + i r + j goes to position
    (h r + i, w r + j) of channel c, as `torch.nn.functional.pixel_shuffle`.

    Raises:
        RuntimeError: torch's messages for fewer than 3 dims or channels not divisible by r^2.
    """
    x, r = _tensor(input), _factor("pixel_shuffle", upscale_factor, "upscale_factor")
    if x.ndim < 3:
        raise RuntimeError(
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{x.ndim} dimension(s)"
        )
    *batch, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    n = len(batch)
    y = x.reshape(*batch, c // (r * r), r, r, h, w).permute(
        *range(n), n, n + 3, n + 1, n + 4, n + 2
    )
    return y.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse of `pixel_shuffle`, as
    `torch.nn.functional.pixel_unshuffle`.

    Raises:
        RuntimeError: torch's messages for fewer than 3 dims or a height or width not
            divisible by r.
    """
    x, r = _tensor(input), _factor("pixel_unshuffle", downscale_factor, "downscale_factor")
    if x.ndim < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{x.ndim} dimension(s)"
        )
    *batch, c, h, w = x.shape
    for side, n, i in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {side} to be divisible by downscale_factor, but "
                f"input.size({i})={n} is not divisible by {r}"
            )
    k = len(batch)
    y = x.reshape(*batch, c, h // r, r, w // r, r).permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(*batch, c * r * r, h // r, w // r)
