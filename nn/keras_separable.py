"""Keras's depthwise and separable convolutions: `DepthwiseConv1D/2D` and
`SeparableConv1D/2D`, with Keras's arguments, weights and their layouts.

A depthwise convolution filters each input channel c on its own with
`depth_multiplier` (M) kernels: output channel c * M + m is conv(x[c], kernel[..., c, m])
(a convolution with groups = channels). A separable convolution follows it with a
pointwise (1 x 1) convolution that mixes the C * M channels into `filters`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import Tensor
from autograd.checks import check_bool, check_int
from autograd.ops import conv_forms as C
from nn import activations, constraints, init, regularizers
from nn.keras_conv import _data_format, _ints, _padding, _Spatial, same_pairs


def depthwise(x: Tensor, kernel: Tensor, layer: Any) -> Tensor:
    """conv(x, kernel) per channel: x (N, C, *spatial), kernel (*k, C, M) -> (N, C * M, *out)
    with the layer's strides, padding and dilation (Keras's "same" if asked)."""
    d, channels = layer.rank, x.shape[1]
    sizes = x.shape[2:]
    if layer.padding == "same":
        pairs = same_pairs(sizes, layer.kernel_size, layer.strides, layer.dilation_rate)
    else:
        pairs = ((0, 0),) * d
        span = [
            v * (k - 1) + 1 for k, v in zip(layer.kernel_size, layer.dilation_rate, strict=True)
        ]
        if any(n < s for n, s in zip(sizes, span, strict=True)):
            raise ValueError(
                "Computed output size would be zero or negative. Received `inputs shape="
                f"{tuple(x.shape)}`, `kernel shape={tuple(kernel.shape)}`, `dilation_rate="
                f"{list(layer.dilation_rate)}`, `strides={layer.strides}`, `padding=valid`."
            )
    # (*k, C, M) -> (*k, 1, C * M) -> the op's (C * M, 1, *k), groups = C
    weight = kernel.reshape(*layer.kernel_size, 1, -1).permute(d + 1, d, *range(d))
    return C.conv_padded(x, weight, None, layer.strides, pairs, layer.dilation_rate, channels)


class _DepthwiseBase(_Spatial):
    """The arguments both kinds share, checked and kept."""

    def _setup(
        self,
        kernel_size: Any,
        strides: Any,
        padding: str,
        depth_multiplier: int,
        data_format: str | None,
        dilation_rate: Any,
        activation: Any,
        use_bias: bool,
        initializers: dict[str, Any],
        regularizers_: dict[str, Any],
        constraints_: dict[str, Any],
    ) -> None:
        owner, d = type(self).__name__, self.rank
        self.depth_multiplier = check_int(owner, "depth_multiplier", depth_multiplier, minimum=1)
        self.kernel_size = _ints(owner, "kernel_size", kernel_size, d)
        self.strides = _ints(owner, "strides", strides, d)
        self.dilation_rate = _ints(owner, "dilation_rate", dilation_rate, d)
        self.padding = _padding(owner, padding)
        self.data_format = _data_format(owner, data_format)
        self.activation = activations.get(activation, keras=True)
        self.use_bias = check_bool(owner, "use_bias", use_bias)
        object.__setattr__(self, "initializers", {k: init.get(v) for k, v in initializers.items()})
        regs = {k: regularizers.get(v, f"{owner}: {k}") for k, v in regularizers_.items()}
        cons = {k: constraints.get(v, f"{owner}: {k}") for k, v in constraints_.items()}
        object.__setattr__(self, "regularizers", regs)
        object.__setattr__(self, "constraints", cons)

    def _weight(self, key: str, shape: tuple[int, ...], name: str) -> Tensor:
        return self.add_weight(
            shape, self.initializers[key], name=name,
            regularizer=self.regularizers[f"{key}_regularizer"],
            constraint=self.constraints[f"{key}_constraint"],
        )  # fmt: skip

    def _channels(self, input_shape: Sequence[int | None]) -> int:
        self._remember(input_shape)
        channels = input_shape[1] if self.data_format == "channels_first" else input_shape[-1]
        if channels is None:
            raise ValueError(
                f"{type(self).__name__}: the channel dimension of the inputs should be "
                f"defined. Received input_shape={tuple(input_shape)}"
            )
        return int(channels)

    def _finish(self, z: Tensor) -> Tensor:
        if self.bias is not None:
            z = z + self.bias.reshape(-1, *(1,) * self.rank)
        return self.activation(self.from_channels_first(z))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.config_of(self.activation),
            "use_bias": self.use_bias,
            **{k: regularizers.serialize(v) for k, v in self.regularizers.items()},
            **{k: constraints.serialize(v) for k, v in self.constraints.items()},
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        }


class _DepthwiseConv(_DepthwiseBase):
    """Keras's depthwise convolution: y = activation(depthwise(x, kernel) + bias).

    Shapes (channels_last): x (batch, *spatial, C) -> (batch, *out, C * depth_multiplier);
    kernel (*kernel_size, C, depth_multiplier), bias (C * depth_multiplier,).

    Args:
        kernel_size, strides, dilation_rate: an int or one per spatial dim.
        padding: "valid" or "same".
        depth_multiplier: the kernels per input channel.
        data_format, activation, use_bias: as `Conv2D`'s.
        depthwise_initializer ("glorot_uniform"), bias_initializer ("zeros"), their
        regularizers and constraints: as `Conv2D`'s kernel's and bias's.
        **kwargs: Keras's layer arguments.
    """

    def __init__(
        self,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        depthwise_initializer: str | init.Initializer = "glorot_uniform",
        bias_initializer: str | init.Initializer = "zeros",
        depthwise_regularizer: regularizers.RegularizerLike = None,
        bias_regularizer: regularizers.RegularizerLike = None,
        depthwise_constraint: constraints.ConstraintLike = None,
        bias_constraint: constraints.ConstraintLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._setup(
            kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
            activation, use_bias,
            {"depthwise": depthwise_initializer, "bias": bias_initializer},
            {"depthwise_regularizer": depthwise_regularizer, "bias_regularizer": bias_regularizer},
            {"depthwise_constraint": depthwise_constraint, "bias_constraint": bias_constraint},
        )  # fmt: skip
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None  # after the kernel: Keras's weights order
        if getattr(self, "input_shape", None) is not None:
            self.build((None, *self.input_shape))

    def build(self, input_shape: Sequence[int | None]) -> None:
        channels = self._channels(input_shape)
        self.kernel = self._weight(
            "depthwise", (*self.kernel_size, channels, self.depth_multiplier), "kernel"
        )
        if self.use_bias:
            self.bias = self._weight("bias", (channels * self.depth_multiplier,), "bias")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        return self._finish(depthwise(x, self.kernel, self))  # type: ignore[arg-type]


class _SeparableConv(_DepthwiseBase):
    """Keras's separable convolution: y = activation(pointwise(depthwise(x)) + bias).

    Shapes (channels_last): x (batch, *spatial, C) -> (batch, *out, filters);
    depthwise_kernel (*kernel_size, C, depth_multiplier), pointwise_kernel
    (1, ..., C * depth_multiplier, filters), bias (filters,).

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
        activation, use_bias: as `DepthwiseConv2D`'s.
        depthwise_/pointwise_/bias_ initializer ("glorot_uniform", "glorot_uniform",
        "zeros"), regularizer and constraint: one of each per weight.
        **kwargs: Keras's layer arguments.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        depth_multiplier: int = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        depthwise_initializer: str | init.Initializer = "glorot_uniform",
        pointwise_initializer: str | init.Initializer = "glorot_uniform",
        bias_initializer: str | init.Initializer = "zeros",
        depthwise_regularizer: regularizers.RegularizerLike = None,
        pointwise_regularizer: regularizers.RegularizerLike = None,
        bias_regularizer: regularizers.RegularizerLike = None,
        depthwise_constraint: constraints.ConstraintLike = None,
        pointwise_constraint: constraints.ConstraintLike = None,
        bias_constraint: constraints.ConstraintLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = check_int(type(self).__name__, "filters", filters, minimum=1)
        self._setup(
            kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
            activation, use_bias,
            {"depthwise": depthwise_initializer, "pointwise": pointwise_initializer,
             "bias": bias_initializer},
            {"depthwise_regularizer": depthwise_regularizer,
             "pointwise_regularizer": pointwise_regularizer, "bias_regularizer": bias_regularizer},
            {"depthwise_constraint": depthwise_constraint,
             "pointwise_constraint": pointwise_constraint, "bias_constraint": bias_constraint},
        )  # fmt: skip
        self.depthwise_kernel: Tensor | None = None
        self.pointwise_kernel: Tensor | None = None
        self.bias: Tensor | None = None
        if getattr(self, "input_shape", None) is not None:
            self.build((None, *self.input_shape))

    def build(self, input_shape: Sequence[int | None]) -> None:
        channels, m = self._channels(input_shape), self.depth_multiplier
        self.depthwise_kernel = self._weight(
            "depthwise", (*self.kernel_size, channels, m), "depthwise_kernel"
        )
        self.pointwise_kernel = self._weight(
            "pointwise", (*(1,) * self.rank, channels * m, self.filters), "pointwise_kernel"
        )
        if self.use_bias:
            self.bias = self._weight("bias", (self.filters,), "bias")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        z = depthwise(x, self.depthwise_kernel, self)  # type: ignore[arg-type]
        d = (
            self.rank
        )  # the pointwise kernel (1.., C * M, filters) as the op's (filters, C * M, 1..)
        weight = self.pointwise_kernel.permute(d + 1, d, *range(d))  # type: ignore[union-attr]
        ones = (1,) * d
        z = C.conv_padded(z, weight, None, ones, ((0, 0),) * d, ones, 1)
        return self._finish(z)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters}


class DepthwiseConv1D(_DepthwiseConv):
    """Keras's 1-d depthwise convolution over (batch, steps, channels); see `_DepthwiseConv`."""

    rank = 1


class DepthwiseConv2D(_DepthwiseConv):
    """Keras's 2-d depthwise convolution over (batch, rows, cols, channels); see
    `_DepthwiseConv`."""


class SeparableConv1D(_SeparableConv):
    """Keras's 1-d separable convolution over (batch, steps, channels); see `_SeparableConv`."""

    rank = 1


class SeparableConv2D(_SeparableConv):
    """Keras's 2-d separable convolution over (batch, rows, cols, channels); see
    `_SeparableConv`.

    Example:
        >>> layers.SeparableConv2D(64, 3, padding="same", activation="relu")
    """


#: The layers of this module, for `nn.layers`, `nn` and `nn.saving`.
LAYERS = (
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)
