"""Keras's convolution and pooling layers: `Conv1D`, `Conv2D`, `Conv3D`,
`MaxPooling1D/2D`, `AveragePooling1D/2D`, `GlobalAveragePooling1D/2D`,
`GlobalMaxPooling1D/2D`, with Keras's arguments, defaults, kernel layout
(*kernel_size, channels / groups, filters) and `get_config`.

Keras's default layout is channels_last (N, *spatial, C); the ops are channels first,
so a channels_last input is moved to (N, C, *spatial) (a view) and the output back.
Keras's "same" padding is TensorFlow's: the output has ceil(size / stride) positions
and the padding this needs is split with the extra one at the end, for any stride.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, where
from autograd.checks import check_bool, check_int
from autograd.ops import conv_forms as C
from autograd.ops import pooling as P
from nn import activations, constraints, init, regularizers
from nn.masking import mask_array
from nn.normalization import _KerasLayer

_PADDINGS = ("valid", "same")
_FORMATS = ("channels_last", "channels_first")


def _ints(owner: str, argument: str, value: Any, d: int) -> tuple[int, ...]:
    """An int or d ints, as Keras's `kernel_size`, `strides`, ... (all positive)."""
    values = (value,) * d if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != d or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in values
    ):
        raise ValueError(
            f"{owner}: The `{argument}` argument must be a tuple of {d} positive integers. "
            f"Received {argument}={value!r}"
        )
    return tuple(int(v) for v in values)


def _padding(owner: str, padding: str, causal: bool = False) -> str:
    allowed = (*_PADDINGS, "causal") if causal else _PADDINGS
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in allowed:
        raise ValueError(
            f"{owner}: The `padding` argument must be one of {list(allowed)}. Received: {padding}"
        )
    return value


def _data_format(owner: str, data_format: str | None) -> str:
    value = "channels_last" if data_format is None else data_format
    if value not in _FORMATS:
        raise ValueError(
            f"{owner}: The `data_format` argument must be one of {list(_FORMATS)}. "
            f"Received: data_format={data_format!r}"
        )
    return value


def same_pairs(
    sizes: Sequence[int], kernel: Sequence[int], strides: Sequence[int], dilation: Sequence[int]
) -> C.Pairs:
    """TensorFlow's "same": ceil(size / stride) outputs, the padding they need split
    with the extra one after."""
    pairs = []
    for n, k, s, v in zip(sizes, kernel, strides, dilation, strict=True):
        out = -(-n // s)
        total = max((out - 1) * s + v * (k - 1) + 1 - n, 0)
        pairs.append((total // 2, total - total // 2))
    return tuple(pairs)


class _Spatial(_KerasLayer):
    """Shared by the layers here: the data format and the move to channels first."""

    rank = 2
    data_format = "channels_last"

    def to_channels_first(self, x: Tensor) -> Tensor:
        if x.ndim != self.rank + 2:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"ndim={self.rank + 2}, found ndim={x.ndim}. Full shape received: {tuple(x.shape)}"
            )
        if self.data_format == "channels_first":
            return x
        return x.permute(0, self.rank + 1, *range(1, self.rank + 1))

    def from_channels_first(self, z: Tensor) -> Tensor:
        if self.data_format == "channels_first":
            return z
        return z.permute(0, *range(2, self.rank + 2), 1)

    def spatial(self, shape: Sequence[int | None]) -> tuple[Any, ...]:
        return tuple(shape[2:] if self.data_format == "channels_first" else shape[1:-1])


class _Conv(_Spatial):
    """Keras's convolution: y = activation(conv(x, kernel) + bias).

    Shapes (channels_last): x (batch, *spatial, channels) -> (batch, *out, filters);
    kernel (*kernel_size, channels / groups, filters), bias (filters,). Each output
    size is floor((size - dilation (k - 1) - 1) / stride) + 1 for "valid" and
    ceil(size / stride) for "same".

    Args:
        filters: the number of output channels.
        kernel_size, strides, dilation_rate: an int or one per spatial dim (strides
            and dilation above 1 not both).
        padding: "valid", "same" (or "causal" for `Conv1D`: all the padding before).
        data_format: "channels_last" (the default) or "channels_first".
        groups: split the channels into this many independent convolutions.
        activation: a name ("relu"), a function, or None.
        use_bias, kernel_initializer ("glorot_uniform"), bias_initializer ("zeros"),
        kernel/bias/activity regularizers and kernel/bias constraints: as `Dense`'s.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, `dtype`, ...).

    Raises:
        ValueError: Keras's messages for bad arguments, channels not divisible by
            `groups` or inputs of another rank.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        groups: int = 1,
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
        super().__init__(**kwargs)
        owner, d = type(self).__name__, self.rank
        self.filters = check_int(owner, "filters", filters, minimum=1)
        self.groups = check_int(owner, "groups", groups, minimum=1)
        if filters % groups:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={groups}, filters={filters}."
            )
        self.kernel_size = _ints(owner, "kernel_size", kernel_size, d)
        self.strides = _ints(owner, "strides", strides, d)
        self.dilation_rate = _ints(owner, "dilation_rate", dilation_rate, d)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.padding = _padding(owner, padding, causal=d == 1)
        self.data_format = _data_format(owner, data_format)
        self.activation = activations.get(activation, keras=True)
        self.use_bias = check_bool(owner, "use_bias", use_bias)
        self.kernel_initializer = init.get(kernel_initializer)
        self.bias_initializer = init.get(bias_initializer)
        for argument, value in (  # not Module attributes: they hold no weights
            (
                "kernel_regularizer",
                regularizers.get(kernel_regularizer, f"{owner}: kernel_regularizer"),
            ),
            ("bias_regularizer", regularizers.get(bias_regularizer, f"{owner}: bias_regularizer")),
            (
                "kernel_constraint",
                constraints.get(kernel_constraint, f"{owner}: kernel_constraint"),
            ),
            ("bias_constraint", constraints.get(bias_constraint, f"{owner}: bias_constraint")),
        ):
            object.__setattr__(self, argument, value)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        if getattr(self, "input_shape", None) is not None:
            self.build((None, *self.input_shape))

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        channels = input_shape[1] if self.data_format == "channels_first" else input_shape[-1]
        if channels is None or channels % self.groups:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of "
                f"groups. Received groups={self.groups}, but the input has {channels} channels "
                f"(full input shape is {tuple(input_shape)})."
            )
        shape = (*self.kernel_size, channels // self.groups, self.filters)
        self.kernel = self.add_weight(
            shape, self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )  # fmt: skip
        if self.use_bias:
            self.bias = self.add_weight(
                (self.filters,), self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )  # fmt: skip
        self.built = True

    def pairs(self, sizes: Sequence[int]) -> C.Pairs:
        """The (before, after) padding per spatial dim."""
        if self.padding == "same":
            return same_pairs(sizes, self.kernel_size, self.strides, self.dilation_rate)
        if self.padding == "causal":
            return tuple(
                (v * (k - 1), 0) for k, v in zip(self.kernel_size, self.dilation_rate, strict=True)
            )
        return ((0, 0),) * self.rank

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        pairs = self.pairs(x.shape[2:])
        padded = [n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pairs, strict=True)]
        span = [v * (k - 1) + 1 for k, v in zip(self.kernel_size, self.dilation_rate, strict=True)]
        if any(p < s for p, s in zip(padded, span, strict=True)):
            raise ValueError(
                "Computed output size would be zero or negative. Received `inputs shape="
                f"{tuple(inputs.shape)}`, `kernel shape={tuple(self.kernel.shape)}`, "  # type: ignore[union-attr]
                f"`dilation_rate={list(self.dilation_rate)}`, `strides={self.strides}`, "
                f"`padding={self.padding}`."
            )
        # Keras's (*k, in / groups, filters) kernel as the op's (filters, in / groups, *k): a view
        d = self.rank
        weight = self.kernel.permute(d + 1, d, *range(d))  # type: ignore[union-attr]
        z = C.conv_padded(
            x, weight, self.bias, self.strides, pairs, self.dilation_rate, self.groups
        )
        return self.activation(self.from_channels_first(z))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
            "activation": activations.config_of(self.activation),
            "use_bias": self.use_bias,
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        }

    def extra_repr(self) -> str:
        return (
            f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
            f"padding={self.padding!r}, name={self.name!r}"
        )


class Conv1D(_Conv):
    """Keras's 1-d convolution over (batch, steps, channels); see `Conv2D`'s
    arguments (`_Conv`). padding may also be "causal"."""

    rank = 1


class Conv2D(_Conv):
    """Keras's 2-d convolution over (batch, rows, cols, channels): see `_Conv`.

    Example:
        >>> layers.Conv2D(32, kernel_size=(3, 3), activation="relu")
    """


class Conv3D(_Conv):
    """Keras's 3-d convolution over (batch, d1, d2, d3, channels); see `_Conv`."""

    rank = 3


class _Pooling(_Spatial):
    """Keras's pooling: the maximum (or mean) of each window.

    Args:
        pool_size: an int or one per spatial dim.
        strides: defaults to `pool_size`.
        padding: "valid", or "same" (ceil(size / stride) outputs; the padding is -inf
            for the maximum, and left out of the mean's count).
        data_format: "channels_last" (the default) or "channels_first".
        **kwargs: Keras's layer arguments.
    """

    kind = "max"

    def __init__(
        self,
        pool_size: int | Sequence[int] = 2,
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = _ints(owner, "pool_size", pool_size, self.rank)
        self.strides = (
            self.pool_size if strides is None else _ints(owner, "strides", strides, self.rank)
        )
        self.padding = _padding(owner, padding)
        self.data_format = _data_format(owner, data_format)

    def call(self, inputs: Tensor) -> Tensor:
        x = self.to_channels_first(inputs)
        sizes = x.shape[2:]
        if self.padding == "same":
            pairs = same_pairs(sizes, self.pool_size, self.strides, (1,) * self.rank)
        else:
            pairs = ((0, 0),) * self.rank
            if any(n < k for n, k in zip(sizes, self.pool_size, strict=True)):
                raise ValueError(
                    f"{type(self).__name__}: input of spatial size {tuple(sizes)} is smaller "
                    f"than pool_size={self.pool_size} (padding='valid')"
                )
        pool = P.max_pool_padded if self.kind == "max" else P.avg_pool_padded
        return self.from_channels_first(pool(x, self.pool_size, self.strides, pairs))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "padding": self.padding,
            "strides": list(self.strides),
            "data_format": self.data_format,
        }

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"


class MaxPooling1D(_Pooling):
    """Keras's 1-d max pooling over (batch, steps, channels); see `_Pooling`."""

    rank = 1


class MaxPooling2D(_Pooling):
    """Keras's 2-d max pooling over (batch, rows, cols, channels); see `_Pooling`."""


class AveragePooling1D(_Pooling):
    """Keras's 1-d average pooling over (batch, steps, channels); see `_Pooling`."""

    rank, kind = 1, "avg"


class AveragePooling2D(_Pooling):
    """Keras's 2-d average pooling over (batch, rows, cols, channels); see `_Pooling`."""

    kind = "avg"


class _GlobalPooling(_Spatial):
    """Keras's global pooling: the maximum (or mean) over every spatial position,
    (batch, *spatial, channels) -> (batch, channels), or (batch, 1, ..., channels)
    with `keepdims=True`."""

    kind = "max"

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(type(self).__name__, data_format)
        self.keepdims = check_bool(type(self).__name__, "keepdims", keepdims)

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != self.rank + 2:
            self.to_channels_first(inputs)  # Keras's message
        first = 2 if self.data_format == "channels_first" else 1
        axes = tuple(range(first, first + self.rank))
        if self.kind == "max":
            return inputs.max(axis=axes, keepdims=self.keepdims)
        return inputs.mean(axis=axes, keepdims=self.keepdims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling):
    """Keras's global max pooling over steps; see `_GlobalPooling`."""

    rank = 1


class GlobalMaxPooling2D(_GlobalPooling):
    """Keras's global max pooling over rows and cols; see `_GlobalPooling`."""


class GlobalAveragePooling1D(_GlobalPooling):
    """Keras's global average pooling over steps; see `_GlobalPooling`. With a mask
    (batch, steps) (`nn.masking`), the mean of the kept steps, as Keras's:
    sum_t m_t x_t / sum_t m_t (nan for a sample with every step masked, as Keras's);
    the output carries no mask."""

    rank, kind = 1, "avg"
    supports_masking = True  # Keras's: it reads the mask and ends it

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is None:
            return super().call(inputs)
        axis = 1 if self.data_format == "channels_last" else 2
        kept = np.expand_dims(mask_array(mask), 2 if axis == 1 else 1)
        kept_inputs = where(np.broadcast_to(kept, inputs.shape), inputs, 0.0)
        count = Tensor(kept.sum(axis=axis, keepdims=self.keepdims).astype(inputs.dtype))
        return kept_inputs.sum(axis=axis, keepdims=self.keepdims) / count

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """Keras's global average pooling over rows and cols; see `_GlobalPooling`."""

    kind = "avg"


#: The layers of this module, for `nn.layers`, `nn` and `nn.saving`.
KERAS_CONV_LAYERS = (
    Conv1D,
    Conv2D,
    Conv3D,
    MaxPooling1D,
    MaxPooling2D,
    AveragePooling1D,
    AveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
)
