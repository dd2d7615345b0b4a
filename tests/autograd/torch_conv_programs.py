"""Steps of the random programs (`torch_programs`) for convolution and max pooling:
the current value is read as one (1, 1, L) signal, the options drawn to fit its length.
Second derivatives of a convolution run the transposed convolution and the weight
correlation ops, so the three conv ops are all drawn.

Imported at the end of `torch_programs`, whose `SPECS` these add to.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import autograd
from autograd.ops.unpooling import max_unpool1d
from tests.autograd import torch_programs as tp
from tests.autograd.torch_programs import Pair, new_leaf, spec


def _signal(x: Pair) -> Pair:
    """x as one batched 1-channel signal (1, 1, L)."""
    n = max(x.ours.size, 1)
    return Pair(x.ours.reshape(1, 1, n), x.theirs.reshape(1, 1, n))


@spec("conv1d", "ConvNd", "ConvTransposeNd", "ConvWeight")
def _conv1d(draw: Any, x: Pair, pool: list, leaves: list) -> Pair:
    s = _signal(x)
    n = s.shape[2]
    dilation = draw(st.integers(1, 2))
    padding = draw(st.integers(0, 2))
    kernel = draw(st.integers(1, max(1, min(3, (n + 2 * padding - 1) // dilation + 1))))
    stride = draw(st.integers(1, 2))
    w = new_leaf(draw, (draw(st.integers(1, 2)), 1, kernel), leaves)
    options = {"stride": stride, "padding": padding, "dilation": dilation}
    return Pair(
        autograd.conv1d(s.ours, w.ours, **options),
        tp.torch.nn.functional.conv1d(s.theirs, w.theirs, **options),
    )


@spec("conv_transpose1d", "ConvTransposeNd", "ConvNd", "ConvWeight")
def _conv_transpose1d(draw: Any, x: Pair, pool: list, leaves: list) -> Pair:
    s = _signal(x)
    stride, dilation = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = draw(st.integers(1, 3))
    padding = draw(st.integers(0, (dilation * (kernel - 1)) // 2))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))
    w = new_leaf(draw, (1, draw(st.integers(1, 2)), kernel), leaves)
    options = {"stride": stride, "padding": padding, "output_padding": output_padding,
               "dilation": dilation}  # fmt: skip
    return Pair(
        autograd.conv_transpose1d(s.ours, w.ours, **options),
        tp.torch.nn.functional.conv_transpose1d(s.theirs, w.theirs, **options),
    )


@spec("max_pool1d", "MaxPool")
def _max_pool1d(draw: Any, x: Pair, pool: list, leaves: list) -> Pair:
    """Maxima of windows (ties go to the first, as torch's): gradients at one position."""
    s = _signal(x)
    n = s.shape[2]
    kernel = draw(st.integers(1, min(3, n)))
    options = {
        "stride": draw(st.integers(1, 3)),
        "padding": draw(st.integers(0, kernel // 2)),
        "ceil_mode": draw(st.booleans()),
    }
    return Pair(
        autograd.max_pool1d(s.ours, kernel, **options),
        tp.torch.nn.functional.max_pool1d(s.theirs, kernel, **options),
    )


@spec("max_unpool1d", "MaxUnpool", "MaxPool")
def _max_unpool1d(draw: Any, x: Pair, pool: list, leaves: list) -> Pair:
    """The maxima of windows put back at their positions (zeros elsewhere): max_pool1d
    with indices, then max_unpool1d (the gradient reads back at the indices)."""
    s = _signal(x)
    n = s.shape[2]
    kernel = draw(st.integers(1, min(3, n)))
    stride = draw(st.integers(1, 3))
    ours, idx = autograd.max_pool1d(s.ours, kernel, stride, return_indices=True)
    theirs, tidx = tp.torch.nn.functional.max_pool1d(s.theirs, kernel, stride, return_indices=True)
    size = [n]  # the input's length: within a stride of the default
    return Pair(
        max_unpool1d(ours, idx, kernel, stride, output_size=size),
        tp.torch.nn.functional.max_unpool1d(theirs, tidx, kernel, stride, output_size=size),
    )
