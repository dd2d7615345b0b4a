"""More of PyTorch's pooling and channel modules: `LPPool1d/2d/3d`, `MaxUnpool1d/2d/3d`,
`FractionalMaxPool2d/3d`, `LocalResponseNorm`, `Softmax2d` and `ChannelShuffle`, with
torch's arguments, attributes and reprs; the math is `nn.functional_pool_more`'s and
`autograd.ops.unpooling`'s."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from autograd.ops import unpooling as U
from nn.functional_pool_more import (
    channel_shuffle,
    local_response_norm,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
)
from nn.module import Module


def _tuple(value: Any, d: int) -> tuple[Any, ...]:
    """torch's `_single` / `_pair` / `_triple`: a sequence as a tuple, else d copies."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * d


class _LPPool(Module):
    d = 2

    def __init__(
        self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        pool = {1: lp_pool1d, 2: lp_pool2d, 3: lp_pool3d}[self.d]
        return pool(x, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPool):
    """`lp_pool1d` as a module, as `torch.nn.LPPool1d`: (sum over each window of
    x^p)^(1/p) over (N, C, L) or (C, L)."""

    d = 1


class LPPool2d(_LPPool):
    """`lp_pool2d` as a module, as `torch.nn.LPPool2d` (stride defaults to the kernel)."""


class LPPool3d(_LPPool):
    """`lp_pool3d` as a module, as `torch.nn.LPPool3d`."""

    d = 3


class _MaxUnpool(Module):
    d = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self.d)
        self.stride = _tuple(stride if stride is not None else kernel_size, self.d)
        self.padding = _tuple(padding, self.d)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        unpool = {1: U.max_unpool1d, 2: U.max_unpool2d, 3: U.max_unpool3d}[self.d]
        return unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpool):
    """`max_unpool1d` as a module, as `torch.nn.MaxUnpool1d`: called with the output and
    indices of `MaxPool1d(..., return_indices=True)` (and an optional `output_size`)."""

    d = 1


class MaxUnpool2d(_MaxUnpool):
    """`max_unpool2d` as a module, as `torch.nn.MaxUnpool2d`: each value put back at its
    index in planes of zeros; `forward(input, indices, output_size=None)`."""


class MaxUnpool3d(_MaxUnpool):
    """`max_unpool3d` as a module, as `torch.nn.MaxUnpool3d`."""

    d = 3


class _FractionalMaxPool(Module):
    d = 2
    _random_samples: Tensor | None  # a buffer, made by register_buffer

    def __init__(
        self,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if self.d == 3 and any(k <= 0 for k in _tuple(kernel_size, 3)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _tuple(kernel_size, self.d)
        self.return_indices = return_indices
        samples = _random_samples
        if samples is not None and not isinstance(samples, Tensor):
            samples = Tensor(samples)
        self.register_buffer("_random_samples", samples)
        self.output_size = _tuple(output_size, self.d) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, self.d) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{name} requires specifying either an output size, or a pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, x: Tensor) -> Any:
        pool = U.fractional_max_pool2d if self.d == 2 else U.fractional_max_pool3d
        return pool(
            x,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )


class FractionalMaxPool2d(_FractionalMaxPool):
    """`fractional_max_pool2d` as a module, as `torch.nn.FractionalMaxPool2d`: new
    window positions drawn from `autograd.default_generator` at each call (torch's
    draws), unless `_random_samples` (a buffer) fixes them.

    Raises:
        ValueError: neither or both of `output_size` and `output_ratio`, or a ratio
            outside (0, 1).
    """


class FractionalMaxPool3d(_FractionalMaxPool):
    """`fractional_max_pool3d` as a module, as `torch.nn.FractionalMaxPool3d`."""

    d = 3


class LocalResponseNorm(Module):
    """`local_response_norm` as a module, as `torch.nn.LocalResponseNorm` (AlexNet's):
    x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x: Tensor) -> Tensor:
        return local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class Softmax2d(Module):
    """Softmax over the channels (dim -3) at each position of (N, C, H, W) or (C, H, W),
    as `torch.nn.Softmax2d`.

    Raises:
        ValueError: an input of another number of dims.
    """

    def forward(self, x: Tensor) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {x.ndim}D instead")
        return autograd.softmax(x, -3)


class ChannelShuffle(Module):
    """`channel_shuffle` as a module, as `torch.nn.ChannelShuffle`."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: Tensor) -> Tensor:
        return channel_shuffle(x, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


__all__ = [
    "ChannelShuffle", "FractionalMaxPool2d", "FractionalMaxPool3d", "LPPool1d", "LPPool2d",
    "LPPool3d", "LocalResponseNorm", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Softmax2d",
]  # fmt: skip
