"""torch's resizing and padding modules: `Upsample`, `UpsamplingNearest2d`,
`UpsamplingBilinear2d`, `PixelShuffle`, `PixelUnshuffle`, and `ZeroPad`,
`ConstantPad`, `ReflectionPad`, `ReplicationPad`, `CircularPad` in 1, 2 and 3 d,
each a thin module over `nn.functional`'s `interpolate`, `pixel_shuffle` and `pad`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Tensor
from nn.functional_norms import pad
from nn.functional_resize import interpolate
from nn.functional_shuffle import pixel_shuffle, pixel_unshuffle
from nn.module import Module


class Upsample(Module):
    """Resize (N, C, *spatial) to `size` or floor(n * scale_factor) with
    `interpolate`'s `mode` ("nearest", "linear", "bilinear", "trilinear", ...), as
    `torch.nn.Upsample`.

    Example:
        >>> nn.Upsample(scale_factor=2, mode="bilinear")(x)  # (N, C, 2 H, 2 W)
    """

    def __init__(
        self,
        size: int | Sequence[int] | None = None,
        scale_factor: float | Sequence[float] | None = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor: Any = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None  # type: ignore[arg-type]
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Any) -> Tensor:
        return interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )  # fmt: skip

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest upsampling of (N, C, H, W), as `torch.nn.UpsamplingNearest2d`."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) with align_corners=True, as
    `torch.nn.UpsamplingBilinear2d`."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r), as `torch.nn.PixelShuffle`; see
    `nn.functional.pixel_shuffle`."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Any) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W), as `torch.nn.PixelUnshuffle`."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Any) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class _PadNd(Module):
    """Padding of the last `d` dims by `padding`: an int for every side, or torch's
    (left, right, top, bottom, front, back) tuple (kept as given), with `mode`."""

    d = 1
    mode = "constant"

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, Sequence) else (padding,) * 2 * self.d

    def forward(self, input: Any) -> Tensor:
        if self.mode == "circular" and getattr(input, "ndim", None) not in (self.d + 1, self.d + 2):
            raise ValueError(
                f"expected {self.d + 1}D or {self.d + 2}D input (got {input.ndim}D input)"
            )
        return pad(input, self.padding, self.mode, getattr(self, "value", 0.0))

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    """Padding with `value`, as torch's `ConstantPad{1,2,3}d`."""

    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with `value`: padding (left, right) or an int."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with `value`: padding (left, right, top, bottom) or an int."""

    d = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with `value`: (left, right, top, bottom, front, back) or an int."""

    d = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros, as `torch.nn.ZeroPad1d`."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last 2 dims with zeros, as `torch.nn.ZeroPad2d`."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last 3 dims with zeros, as `torch.nn.ZeroPad3d`."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Mirror padding of the last dim (the edge not repeated), as `torch.nn.ReflectionPad1d`."""

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Mirror padding of the last 2 dims, as `torch.nn.ReflectionPad2d`."""

    d = 2


class ReflectionPad3d(ReflectionPad1d):
    """Mirror padding of the last 3 dims, as `torch.nn.ReflectionPad3d`."""

    d = 3


class ReplicationPad1d(_PadNd):
    """Edge-repeating padding of the last dim, as `torch.nn.ReplicationPad1d`."""

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Edge-repeating padding of the last 2 dims, as `torch.nn.ReplicationPad2d`."""

    d = 2


class ReplicationPad3d(ReplicationPad1d):
    """Edge-repeating padding of the last 3 dims, as `torch.nn.ReplicationPad3d`."""

    d = 3


class CircularPad1d(_PadNd):
    """Wrap-around padding of the last dim of a 2-d or 3-d input, as `torch.nn.CircularPad1d`."""

    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Wrap-around padding of the last 2 dims of a 3-d or 4-d input."""

    d = 2


class CircularPad3d(CircularPad1d):
    """Wrap-around padding of the last 3 dims of a 4-d or 5-d input."""

    d = 3


#: The modules of this module, for `nn`'s exports.
RESIZE_MODULES = (
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle",
    "PixelUnshuffle", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d",
    "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
    "CircularPad2d", "CircularPad3d",
)  # fmt: skip
