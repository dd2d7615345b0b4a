"""Keras's transposed convolutions: `Conv1DTranspose`, `Conv2DTranspose`,
`Conv3DTranspose`, with Keras's arguments, kernel layout (*kernel_size, filters,
channels) and output sizes.

A transposed convolution scatters each input position's (filters x k...) patch into
the output at stride steps: the gradient of a convolution with respect to its input.
Keras (its JAX backend) pads the stride-dilated input by (left, right) per dim and
correlates it with the flipped kernel; with K = dilation (k - 1) + 1:

    valid:  left = K - 1, right = K - 1 + output_padding
            (output_padding defaults to max(K, stride) - K)
    same:   total = stride + K - 2 (or K + K % 2 - 2 + output_padding),
            left = min(ceil(total / 2), K - 1), right = total - left
    output size = (n - 1) * stride + left + right - K + 2

which is the full transposed convolution's output cropped by K - 1 - left at the start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.ops import conv_forms as C
from nn import constraints, init, regularizers
from nn.keras_conv import _Conv, _ints, _padding


def _output_padding(owner: str, value: Any, strides: Sequence[int]) -> tuple[int, ...] | None:
    """None, or one int >= 0 per dim, each smaller than its stride (Keras's checks)."""
    if value is None:
        return None
    d = len(strides)
    values = (value,) * d if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != d or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0 for v in values
    ):
        raise ValueError(
            f"{owner}: The `output_padding` argument must be a tuple of {d} integers >= 0. "
            f"Received output_padding={value!r}"
        )
    for i, (e, s) in enumerate(zip(values, strides, strict=True)):
        if e >= s:
            raise ValueError(
                "`output_padding` must be strictly less than `strides` for all dimensions. "
                f"At dimension {i}, `output_padding` is {e} but `strides` is {s}. "
                f"Received: output_padding={tuple(values)}, strides={tuple(strides)}"
            )
    return tuple(int(v) for v in values)


def keras_transpose_pads(k: int, stride: int, dilation: int, padding: str, extra: int | None):
    """Keras's (left, right) padding of the stride-dilated input for one spatial dim."""
    span = (k - 1) * dilation + 1
    if padding == "valid":
        extra = max(span, stride) - span if extra is None else extra
        return span - 1, span - 1 + extra
    total = stride + span - 2 if extra is None else span + span % 2 - 2 + extra
    left = min(total // 2 + total % 2, span - 1)
    return left, total - left


class _ConvTranspose(_Conv):
    """Keras's transposed convolution: y = activation(conv^T(x, kernel) + bias).

    Shapes (channels_last): x (batch, *spatial, channels) -> (batch, *out, filters);
    kernel (*kernel_size, filters, channels), bias (filters,). Each output size is
    n * stride for "same" and (n - 1) * stride + max(K, stride) for "valid"
    (K = dilation (k - 1) + 1), unless `output_padding` is given (see the module).

    Args:
        filters: the number of output channels.
        kernel_size, strides, dilation_rate: an int or one per spatial dim (strides
            and dilation above 1 not both).
        padding: "valid" or "same".
        output_padding: None, or an int or one per dim, each below its stride.
        data_format: "channels_last" (the default) or "channels_first".
        activation, use_bias, initializers, regularizers and constraints: as `Conv2D`'s.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, `dtype`, ...).

    Raises:
        ValueError: Keras's messages for bad arguments or inputs of another rank.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        output_padding: int | Sequence[int] | None = None,
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        kernel_initializer: str | init.Initializer = "glorot_uniform",
        bias_initializer: str | init.Initializer = "zeros",
        kernel_regularizer: regularizers.RegularizerLike = None,
        bias_regularizer: regularizers.RegularizerLike = None,
        kernel_constraint: constraints.ConstraintLike = None,
        bias_constraint: constraints.ConstraintLike = None,
        **kwargs: Any,
    ) -> None:
        owner = type(self).__name__
        _padding(owner, padding)  # no "causal"
        strides_ = _ints(owner, "strides", strides, self.rank)
        object.__setattr__(self, "output_padding", _output_padding(owner, output_padding, strides_))
        super().__init__(
            filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs,
        )  # fmt: skip

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        channels = input_shape[1] if self.data_format == "channels_first" else input_shape[-1]
        if channels is None:
            raise ValueError(
                f"{type(self).__name__}: the channel dimension of the inputs should be "
                f"defined. Received input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            (*self.kernel_size, self.filters, channels), self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )  # fmt: skip
        if self.use_bias:
            self.bias = self.add_weight(
                (self.filters,), self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )  # fmt: skip
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        extras = self.output_padding or (None,) * self.rank
        starts, size = [], []
        for n, k, s, v, e in zip(
            x.shape[2:], self.kernel_size, self.strides, self.dilation_rate, extras, strict=True
        ):
            left, right = keras_transpose_pads(k, s, v, self.padding, e)
            span = v * (k - 1) + 1
            starts.append(span - 1 - left)
            size.append((n - 1) * s + left + right - span + 2)
        if min(size) <= 0:
            raise ValueError(
                f"{type(self).__name__}: the output size {tuple(size)} is not positive for "
                f"inputs of shape {tuple(inputs.shape)}"
            )
        # Keras's (*k, filters, channels) kernel as the op's (channels, filters, *k): a view
        d = self.rank
        weight = self.kernel.permute(d + 1, d, *range(d))  # type: ignore[union-attr]
        z = C.conv_transpose_padded(
            x, weight, self.bias, self.strides, tuple(starts), self.dilation_rate, tuple(size)
        )
        return self.activation(self.from_channels_first(z))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["groups"]
        padding = self.output_padding
        return {**config, "output_padding": None if padding is None else list(padding)}


class Conv1DTranspose(_ConvTranspose):
    """Keras's 1-d transposed convolution over (batch, steps, channels); see
    `_ConvTranspose`."""

    rank = 1


class Conv2DTranspose(_ConvTranspose):
    """Keras's 2-d transposed convolution over (batch, rows, cols, channels): see
    `_ConvTranspose`.

    Example:
        >>> layers.Conv2DTranspose(64, 3, strides=2, padding="same")  # doubles rows, cols
    """


class Conv3DTranspose(_ConvTranspose):
    """Keras's 3-d transposed convolution over (batch, d1, d2, d3, channels); see
    `_ConvTranspose`."""

    rank = 3


#: The layers of this module, for `nn.layers`, `nn` and `nn.saving`.
LAYERS = (
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
)
