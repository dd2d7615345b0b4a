"""PyTorch's in-place activations `F.relu_`, `F.elu_`, `F.leaky_relu_`, `F.hardtanh_`,
`F.selu_`, `F.celu_`, `F.rrelu_` and `F.threshold_`: each is its activation with
``inplace=True`` (`nn.functional_activations.in_place`).

The rules are PyTorch's: the result is written into `input`, which is returned; the
write bumps `input`'s version (and its views'); with grad mode on, it is recorded in the
graph, so gradients flow through the activation to whatever `input` was made from; a
leaf that requires grad (or a view of one) raises RuntimeError while grad mode is on.
"""

from __future__ import annotations

from autograd import Tensor
from nn import functional as F
from nn.functional_activations import celu, hardtanh, selu
from nn.functional_activations import threshold as _threshold
from nn.torch_more import rrelu


def relu_(input: Tensor) -> Tensor:
    """max(x, 0), written into `input`."""
    return F.relu(input, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise, written into `input`."""
    return F.elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope * x otherwise, written into `input`."""
    return F.leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """min(max(x, min_val), max_val), written into `input`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), written into `input`."""
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), written into `input`."""
    return celu(input, alpha, inplace=True)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """x for x > 0, a * x otherwise, written into `input`; a ~ U(lower, upper) per
    element in training (drawn from `autograd.default_generator`), (lower + upper) / 2
    otherwise."""
    return rrelu(input, lower, upper, training, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """x where x > threshold, else `value`, written into `input`."""
    return _threshold(input, threshold, value, inplace=True)


__all__ = [
    "celu_", "elu_", "hardtanh_", "leaky_relu_", "relu_", "rrelu_", "selu_", "threshold_",
]  # fmt: skip
