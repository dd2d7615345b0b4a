"""PyTorch's convolution and pooling modules: `Conv1d/2d/3d`, `ConvTranspose1d/2d`,
`MaxPool1d/2d`, `AvgPool1d/2d`, the adaptive pools, `Unfold`, `Fold`, `Dropout2d/3d`,
with torch's arguments, initialization (draw for draw), reprs and state_dict keys.

The math is `autograd`'s (`autograd.ops.conv`, `autograd.ops.pooling`); these modules
hold the weights and options, as torch's.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, get_default_dtype
from autograd.checks import check_bool, check_int
from autograd.ops import conv_forms as C
from autograd.ops import pooling as P
from nn import init
from nn.functional_activations import in_place
from nn.functional_losses import _tensor
from nn.functional_norms import pad
from nn.module import Module, Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def dropout_channels(x: Tensor, p: float, channels: tuple[int, ...], generator: Any) -> Tensor:
    """x with whole channels zeroed with probability p (one draw per entry of
    `channels`, the leading axes of x), the others scaled by 1 / (1 - p): torch's masks
    for the same generator state, as `dropout1d`."""
    gen = autograd.default_generator if generator is None else generator
    keep = (gen.uniform64(math.prod(channels)) < 1 - p).reshape(channels)
    mask = np.zeros(channels, x.dtype) if p == 1 else keep.astype(x.dtype) / x.dtype.type(1 - p)
    return x * mask.reshape(*channels, *(1,) * (x.ndim - len(channels)))


def _feature_dropout(
    d: int, input: Any, p: float, training: bool, inplace: bool, generator: Any
) -> Tensor:
    name = f"dropout{d}d"
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = _tensor(input)
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(
            f"{name}: Expected {d + 1}D or {d + 2}D input, but received a {x.ndim}D input. "
            f"Note that {name} exists to provide channel-wise dropout on inputs with {d} "
            "spatial dimensions, a channel dimension, and an optional batch dimension"
        )
    if d == 2 and x.ndim == 3:  # torch reads (N, C, L) here, and warns
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning,
            stacklevel=3,
        )
    if not training or p == 0:
        return x
    again = lambda t: _feature_dropout(d, t, p, True, False, generator)  # noqa: E731
    done = in_place(name, x, again, inplace)
    if done is not None:
        return done
    batched = x.ndim == d + 2 or (d == 2 and x.ndim == 3)
    whole = x if batched else x.reshape(1, *x.shape)
    y = dropout_channels(whole, p, tuple(whole.shape[:2]), generator)
    return y if batched else y.reshape(*x.shape)


def dropout2d(
    input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, generator: Any = None
) -> Tensor:
    """Whole channels zeroed with probability p, the others scaled by 1 / (1 - p), over
    (N, C, H, W) or unbatched (C, H, W), as `F.dropout2d` (torch's masks)."""
    return _feature_dropout(2, input, p, training, inplace, generator)


def dropout3d(
    input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, generator: Any = None
) -> Tensor:
    """`dropout2d` for (N, C, D, H, W) or unbatched (C, D, H, W), as `F.dropout3d`."""
    return _feature_dropout(3, input, p, training, inplace, generator)


class _Dropout(Module):
    d = 2

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = check_bool(type(self).__name__, "inplace", inplace)

    def forward(self, x: Tensor) -> Tensor:
        return _feature_dropout(self.d, x, self.p, self.training, self.inplace, None)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(_Dropout):
    """`dropout2d` in training mode, the identity in evaluation, as `torch.nn.Dropout2d`."""


class Dropout3d(_Dropout):
    """`dropout3d` in training mode, the identity in evaluation, as `torch.nn.Dropout3d`."""

    d = 3


# --- convolutions --------------------------------------------------------------------


class _ConvNd(Module):
    """Shared by `Conv1d/2d/3d` and `ConvTranspose1d/2d/3d`: the options, torch's
    checks, weights and initialization (kaiming_uniform with a = sqrt(5), then the bias
    from U(-1 / sqrt(fan_in), 1 / sqrt(fan_in)), from `autograd.default_generator`)."""

    d = 2
    transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        output_padding: Any = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name, d = type(self).__name__, self.d
        self.in_channels = check_int(name, "in_channels", in_channels, minimum=1)
        self.out_channels = check_int(name, "out_channels", out_channels, minimum=1)
        self.groups = check_int(name, "groups", groups, minimum=1)
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        self.kernel_size = C.ntuple("kernel_size", kernel_size, d)
        self.stride = C.ntuple("stride", stride, d)
        self.dilation = C.ntuple("dilation", dilation, d)
        self.output_padding = C.ntuple("output_padding", output_padding, d)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = C.ntuple("padding", padding, d)
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                "padding_mode must be one of {'reflect', 'zeros', 'replicate', 'circular'}, "
                f"but got padding_mode={padding_mode!r}"
            )
        self.padding_mode = padding_mode
        shape = (
            (in_channels, out_channels // groups) if self.transposed
            else (out_channels, in_channels // groups)
        )  # fmt: skip
        dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
        self.weight = Parameter(np.zeros((*shape, *self.kernel_size), dtype))
        self.bias = Parameter(np.zeros(out_channels, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's initialization, draw for draw."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound)

    def _pairs(self) -> C.Pairs:
        """The zero padding as (before, after) per dim; "same" puts the odd one after."""
        return C.conv_padding(self.padding, self.kernel_size, self.stride, self.dilation)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * self.d:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.d:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.d:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, 0, device, dtype,
        )  # fmt: skip

    def forward(self, x: Any) -> Tensor:
        conv = getattr(C, f"conv{self.d}d")
        if self.padding_mode == "zeros":
            return conv(
                x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
            )
        amounts = [n for pair in reversed(self._pairs()) for n in pair]  # F.pad's order
        padded = pad(_tensor(x), amounts, mode=self.padding_mode)
        return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class Conv1d(_Conv):
    """y = conv1d(x, weight) + bias, as `torch.nn.Conv1d`: x (N, C_in, L) or (C_in, L),
    weight (C_out, C_in / groups, k). See `Conv2d`."""

    d = 1


class Conv2d(_Conv):
    """y = conv2d(x, weight) + bias, as `torch.nn.Conv2d`.

    Shapes: x (N, C_in, H, W) or unbatched (C_in, H, W) -> (N, C_out, H_out, W_out) with
    H_out = floor((H + 2 padding - dilation (k - 1) - 1) / stride) + 1; weight
    (C_out, C_in / groups, kH, kW), bias (C_out,).

    Args:
        in_channels, out_channels: channel counts (both divisible by `groups`).
        kernel_size, stride, dilation: an int or a pair.
        padding: an int, a pair, "valid" (none) or "same" (stride 1 only).
        groups: split the channels into this many independent convolutions.
        bias: learn a per-channel bias.
        padding_mode: "zeros", "reflect", "replicate" or "circular".

    Example:
        >>> conv = nn.Conv2d(1, 6, 5)  # Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
    """


class Conv3d(_Conv):
    """y = conv3d(x, weight) + bias, as `torch.nn.Conv3d`; see `Conv2d`."""

    d = 3


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be ints, got {padding!r}")
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, output_padding, device, dtype,
        )  # fmt: skip

    def forward(self, x: Any, output_size: Any = None) -> Tensor:
        extra = self.output_padding
        if output_size is not None:  # torch: the output padding that gives this size
            x = _tensor(x)
            sizes = tuple(output_size)[-self.d :]
            least = [
                (i - 1) * s - 2 * p + v * (k - 1) + 1
                for i, s, p, v, k in zip(
                    x.shape[-self.d :], self.stride, self.padding, self.dilation,
                    self.kernel_size, strict=True,
                )
            ]  # fmt: skip
            most = [
                m + max(s, v) - 1 for m, s, v in zip(least, self.stride, self.dilation, strict=True)
            ]
            if any(not m <= n <= top for n, m, top in zip(sizes, least, most, strict=True)):
                raise ValueError(
                    f"requested an output size of {list(sizes)}, but valid sizes range from "
                    f"{least} to {most} (for an input of {list(x.shape[-self.d :])})"
                )
            extra = tuple(n - m for n, m in zip(sizes, least, strict=True))
        convt = getattr(C, f"conv_transpose{self.d}d")
        return convt(
            x, self.weight, self.bias, self.stride, self.padding, extra, self.groups, self.dilation
        )


class ConvTranspose1d(_ConvTranspose):
    """The transposed 1-d convolution, as `torch.nn.ConvTranspose1d`: weight
    (C_in, C_out / groups, k)."""

    d = 1


class ConvTranspose2d(_ConvTranspose):
    """The transposed 2-d convolution (the gradient of `Conv2d` with respect to its
    input), as `torch.nn.ConvTranspose2d`: weight (C_in, C_out / groups, kH, kW),
    H_out = (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1."""


class ConvTranspose3d(_ConvTranspose):
    """The transposed 3-d convolution, as `torch.nn.ConvTranspose3d`."""

    d = 3


# --- pooling ---------------------------------------------------------------------------


class _MaxPool(Module):
    d = 2

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Any) -> Any:
        pool = getattr(P, f"max_pool{self.d}d")
        return pool(x, self.kernel_size, self.stride, self.padding, self.dilation,
                    self.ceil_mode, self.return_indices)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPool):
    """`max_pool1d` as a module, as `torch.nn.MaxPool1d`."""

    d = 1


class MaxPool2d(_MaxPool):
    """`max_pool2d` as a module (stride defaults to the kernel size), as
    `torch.nn.MaxPool2d`: (N, C, H, W) or (C, H, W) -> the maximum of each window."""


class MaxPool3d(_MaxPool):
    """`max_pool3d` as a module, as `torch.nn.MaxPool3d`."""

    d = 3


class _AvgPool(Module):
    d = 2

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        single = (lambda v: C.ntuple("kernel_size", v, 1)) if self.d == 1 else (lambda v: v)
        self.kernel_size = single(kernel_size)
        self.stride = single(stride if stride is not None else kernel_size)
        self.padding = single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Any) -> Tensor:
        args = (self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)
        if self.d == 1:
            return P.avg_pool1d(x, *args)
        return getattr(P, f"avg_pool{self.d}d")(x, *args, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPool):
    """`avg_pool1d` as a module, as `torch.nn.AvgPool1d`."""

    d = 1


class AvgPool2d(_AvgPool):
    """`avg_pool2d` as a module (stride defaults to the kernel size), as
    `torch.nn.AvgPool2d`: (N, C, H, W) or (C, H, W) -> the mean of each window."""


class AvgPool3d(_AvgPool):
    """`avg_pool3d` as a module, as `torch.nn.AvgPool3d`."""

    d = 3


class _Adaptive(Module):
    d = 2
    kind = "avg"

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        if self.kind == "max":
            self.return_indices = return_indices

    def forward(self, x: Any) -> Any:
        pool = getattr(P, f"adaptive_{self.kind}_pool{self.d}d")
        if self.kind == "max":
            return pool(x, self.output_size, self.return_indices)
        return pool(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_Adaptive):
    """Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool1d`."""

    d = 1


class AdaptiveAvgPool2d(_Adaptive):
    """Average pooling to a fixed (H_out, W_out), as `torch.nn.AdaptiveAvgPool2d`
    (`AdaptiveAvgPool2d(1)` is global average pooling)."""


class AdaptiveAvgPool3d(_Adaptive):
    """Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool3d`."""

    d = 3


class AdaptiveMaxPool1d(_Adaptive):
    """Max pooling to a fixed output size, as `torch.nn.AdaptiveMaxPool1d`."""

    d, kind = 1, "max"


class AdaptiveMaxPool2d(_Adaptive):
    """Max pooling to a fixed (H_out, W_out), as `torch.nn.AdaptiveMaxPool2d`."""

    kind = "max"


class AdaptiveMaxPool3d(_Adaptive):
    """Max pooling to a fixed output size, as `torch.nn.AdaptiveMaxPool3d`."""

    d, kind = 3, "max"


class Unfold(Module):
    """`unfold` (im2col) as a module, as `torch.nn.Unfold`."""

    def __init__(
        self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = (
            kernel_size,
            dilation,
            padding,
            stride,
        )

    def forward(self, x: Any) -> Tensor:
        return P.unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
            f"stride={self.stride}"
        )


class Fold(Unfold):
    """`fold` (col2im) as a module, as `torch.nn.Fold`."""

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        return P.fold(
            x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, {super().extra_repr()}"
