"""Layers: `Linear`, the Keras-style `Dense`, `Flatten`, `Dropout` and `BatchNorm1d`
(and Keras's base class `Layer`, from `nn.layer`, as `keras.layers.Layer`, and
Keras's `BatchNormalization`, `LayerNormalization`, `Normalization`, `Rescaling`, ...
from `nn.normalization` and `nn.keras_layers`, so `from nn import layers` finds them).

`Linear` stores its weight as PyTorch does, (out_features, in_features), and computes
x @ weight.T + bias, so a PyTorch `state_dict` loads as it is. `Dense` keeps Keras's
kernel, (in_features, out_features), and computes x @ kernel + bias. Both run the one
fused op `Affine`, whose transpose is a view (no copy).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, dense, get_default_dtype, linear
from autograd.checks import check_bool, check_int, check_real
from autograd.ops.args import OperandError
from nn import activations, constraints, init, initializers, regularizers
from nn import functional as F
from nn.activations import Activation as Activation  # keras.layers.Activation
from nn.bidirectional import Bidirectional as Bidirectional  # keras.layers.Bidirectional
from nn.einsum_dense import EinsumDense as EinsumDense  # keras.layers.EinsumDense
from nn.hashing import Hashing as Hashing  # keras.layers.Hashing
from nn.input import Input as Input  # keras.layers.Input is keras.Input
from nn.input import InputLayer as InputLayer  # an Input, made with Keras's arguments
from nn.keras_attention import (  # noqa: F401  # keras.layers holds them
    AdditiveAttention,
    Attention,
    MultiHeadAttention,
)
from nn.keras_conv import (  # keras.layers holds them
    AveragePooling1D,
    AveragePooling2D,
    Conv1D,
    Conv2D,
    Conv3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from nn.keras_conv_transpose import (  # keras.layers holds them
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
)
from nn.keras_layers import (  # noqa: F401  # keras.layers holds them
    ELU,
    GaussianNoise,
    LeakyReLU,
    Normalization,
    ReLU,
    Rescaling,
    Reshape,
    Softmax,
)
from nn.keras_layers_more import (  # noqa: F401  # keras.layers holds them
    ActivityRegularization,
    Dot,
    GaussianDropout,
    GroupNormalization,
    Identity,
    Permute,
    PReLU,
    RepeatVector,
    RMSNormalization,
    SpatialDropout1D,
    dot,
)
from nn.keras_resize import (  # noqa: F401  # keras.layers holds them
    AveragePooling3D,
    Cropping1D,
    Cropping2D,
    Cropping3D,
    GlobalAveragePooling3D,
    GlobalMaxPooling3D,
    MaxPooling3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from nn.keras_separable import (  # noqa: F401  # keras.layers holds them
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)
from nn.lambda_layer import Lambda as Lambda  # keras.layers.Lambda
from nn.layer import Layer as Layer  # re-exported: keras.layers.Layer
from nn.layer import (
    LayerWeights,
    Variable,
    autocast,
    float_dtype,
    in_keras_call,
    record_activity,
)
from nn.masking import Masking as Masking  # keras.layers.Masking
from nn.masking import set_keras_mask
from nn.merging import (  # noqa: F401  # Keras's keras.layers holds them too
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from nn.module import Module, Parameter
from nn.normalization import (  # noqa: F401  # keras.layers holds them
    BatchNormalization,
    LayerNormalization,
    UnitNormalization,
    moments,
    normalize,
)
from nn.norms_torch import AlphaDropout as AlphaDropout  # torch.nn's and Keras's
from nn.norms_torch import BatchNorm1d as BatchNorm1d  # torch.nn's, with LayerNorm
from nn.norms_torch import BatchNorm2d as BatchNorm2d
from nn.preprocessing import (  # noqa: F401  # keras.layers holds them
    CategoryEncoding,
    Discretization,
    IntegerLookup,
    StringLookup,
)
from nn.recurrent_keras import GRU as GRU  # keras.layers's recurrent layers
from nn.recurrent_keras import LSTM as LSTM
from nn.recurrent_keras import SimpleRNN as SimpleRNN
from nn.symbolic import default_name
from nn.text_vectorization import TextVectorization as TextVectorization  # keras.layers's

# Keras's cells, RNN(cell), TimeDistributed, spatial dropout (keras.layers's; nn.RNN,
# nn.LSTMCell and nn.GRUCell are PyTorch's)
from nn.recurrent_cells_keras import GRUCell as GRUCell  # isort: skip
from nn.recurrent_cells_keras import LSTMCell as LSTMCell  # isort: skip
from nn.recurrent_cells_keras import SimpleRNNCell as SimpleRNNCell  # isort: skip
from nn.rnn_keras import RNN as RNN  # isort: skip
from nn.rnn_keras import StackedRNNCells as StackedRNNCells  # isort: skip
from nn.spatial_dropout import SpatialDropout2D as SpatialDropout2D  # isort: skip
from nn.spatial_dropout import SpatialDropout3D as SpatialDropout3D  # isort: skip
from nn.time_distributed import TimeDistributed as TimeDistributed  # isort: skip

# Keras's other names of its layers: the same classes (`layer.name` from the class:
# MaxPool2D() is named "max_pooling2d", as in Keras)
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D


def check_features(layer: Module, x: Any, expected: int | None) -> None:
    """Raise a clear error when the last axis of `x` does not hold `expected` features:
    a RuntimeError, as torch's, that is also the ValueError Keras raises."""
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    if not shape or shape[-1] != expected:
        raise OperandError(
            f"{type(layer).__name__}({layer.extra_repr()}): expected input of shape "
            f"(batch, {expected}), got {shape}"
        )


def affine(
    layer: Any,
    x: Any,
    in_features: int | None,
    kernel: bool = False,
    activation: str | None = None,
) -> Tensor:
    """x @ layer.weight.T + layer.bias (`autograd.linear`), or x @ layer.weight +
    layer.bias for a Keras kernel (`autograd.dense`), with `activation` applied in the
    same op; an input with the wrong number of features raises `check_features`'s
    error, which names the layer."""
    try:
        return (dense if kernel else linear)(x, layer.weight, layer.bias, activation)
    except ValueError:
        check_features(layer, x, in_features)
        raise


def sample_shape(
    layer: Module, input_shape: Any = None, input_dim: int | None = None
) -> tuple[int | None, ...] | None:
    """Keras's `input_shape` (one sample's shape, no batch axis) or `input_dim` (the
    same as `input_shape=(input_dim,)`) as a tuple of positive ints and Nones (a length
    the samples do not share: `input_shape=[None]` for sequences of any length), or
    None."""
    name = type(layer).__name__
    if input_dim is not None:
        if input_shape is not None and tuple(input_shape)[-1:] != (input_dim,):
            raise ValueError(
                f"{name}: input_dim={input_dim} and input_shape={input_shape} disagree; "
                "give one of them"
            )
        input_shape = (input_dim,) if input_shape is None else input_shape
    if input_shape is None:
        return None
    if isinstance(input_shape, (int, np.integer)):
        input_shape = (input_shape,)
    shape = tuple(input_shape)
    if not shape or not all(
        n is None or (isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0)
        for n in shape
    ):
        raise ValueError(
            f"{name}: input_shape must be the shape of one sample, without the batch axis, "
            f"e.g. input_shape=(784,); got {input_shape!r}"
        )
    return tuple(None if n is None else int(n) for n in shape)


def _empty(*shape: int, dtype: npt.DTypeLike | None = None) -> Parameter:
    return Parameter(np.zeros(shape, dtype=dtype or get_default_dtype()))


class Linear(Module):
    """y = x @ weight.T + bias, as `torch.nn.Linear`.

    Shapes: x (*, in_features) -> y (*, out_features); weight (out_features,
    in_features) as in PyTorch; bias (out_features,).

    Initialization as torch's, draw for draw: weight and bias ~ U(-k, k) with
    k = 1 / sqrt(in_features), from `autograd.default_generator` (or `rng`).

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias.
        rng: generator for the initial weights: an `autograd.Generator` (default
            `autograd.default_generator`) or a `numpy.random.Generator`.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: init.Rng = None,
    ) -> None:
        super().__init__()
        self.in_features = check_int("Linear", "in_features", in_features, minimum=1)
        self.out_features = check_int("Linear", "out_features", out_features, minimum=1)
        check_bool("Linear", "bias", bias)
        # Stored column-major: weight.T, the matrix x is multiplied by, is then a
        # row-major (in, out) array, which BLAS multiplies fastest (x @ weight.T at
        # batch 32, 784 -> 64: about 35 us against 54 us for a row-major weight).
        self.weight = Parameter(
            np.zeros((out_features, in_features), get_default_dtype(), order="F")
        )
        k = 1 / math.sqrt(in_features)
        if isinstance(rng, np.random.Generator):
            # numpy's draws in the order this layer has always made them, (in, out)
            # then transposed, so that code seeding numpy generators trains as it did
            drawn = init.uniform_(_empty(in_features, out_features), -k, k, rng)
            self.weight.data[...] = drawn.data.T
        else:
            # torch's reset_parameters, draw for draw: kaiming_uniform_ with a = sqrt(5)
            # (bound 1 / sqrt(in_features)), then the bias: after torch.manual_seed(s)
            # and autograd.manual_seed(s), the same numbers
            init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        self.bias = init.uniform_(_empty(out_features), -k, k, rng) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return affine(self, x, self.in_features)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Dense(LayerWeights, Module):
    """Keras's densely connected layer: y = activation(x @ weight + bias).

    Shapes: x (batch, input_dim) -> y (batch, units); weight (input_dim, units),
    bias (units,). Without `input_dim` the weights are created by `build` at the
    first call, from the input's last axis; until then `built` is False and the layer
    has no parameters. Keras's `trainable`, `weights`, `get_weights`, ... come from
    `nn.layer.LayerWeights`.

    Args:
        units: number of outputs.
        activation: a name ("relu"), a Module, a function, or None for identity.
        input_dim: number of inputs, to build the weights now.
        input_shape: the shape of one sample, Keras's other way to build the weights
            now (`input_shape=(784,)` is `input_dim=784`; the last axis is used).
        use_bias: learn an additive bias.
        kernel_initializer: name or function for the weight (default glorot_uniform).
        bias_initializer: name or function for the bias (default zeros).
        rng: generator for the initial weights (default `autograd.default_rng()`).
        kernel_regularizer, bias_regularizer: penalties on the weights, and
            activity_regularizer: a penalty on the output (divided by the batch
            size), all added to the loss by `fit` (`nn.regularizers`; see `losses`).
        kernel_constraint, bias_constraint: projections the optimizer applies to
            the weights after each update (`nn.constraints.max_norm(1.0)`, ...).
        dtype: the dtype of the weights and of the computation (the default float
            dtype, float32, otherwise): floating inputs are cast to it, as Keras
            autocasts them (float64 data gives float32 outputs unless
            `dtype="float64"`), and integers too (Keras multiplies them by the
            kernel in its dtype).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        units: int,
        activation: str | Module | Callable[[Tensor], Tensor] | None = None,
        input_dim: int | None = None,
        use_bias: bool = True,
        kernel_initializer: str | Callable[..., Tensor] = "glorot_uniform",
        bias_initializer: str | Callable[..., Tensor] = "zeros",
        rng: init.Rng = None,
        input_shape: tuple[int, ...] | None = None,
        name: str | None = None,
        kernel_regularizer: regularizers.RegularizerLike = None,
        bias_regularizer: regularizers.RegularizerLike = None,
        activity_regularizer: regularizers.RegularizerLike = None,
        dtype: npt.DTypeLike | None = None,
        kernel_constraint: constraints.ConstraintLike = None,
        bias_constraint: constraints.ConstraintLike = None,
    ) -> None:
        super().__init__()
        units = check_int("Dense", "units", units, minimum=1)
        self.dtype = float_dtype("Dense", dtype)
        # not Module attributes: a regularizer holds no weights
        for argument, value in (
            ("kernel_regularizer", kernel_regularizer),
            ("bias_regularizer", bias_regularizer),
            ("activity_regularizer", activity_regularizer),
        ):
            object.__setattr__(self, argument, regularizers.get(value, f"Dense: {argument}"))
        for argument, value in (
            ("kernel_constraint", kernel_constraint),
            ("bias_constraint", bias_constraint),
        ):
            object.__setattr__(self, argument, constraints.get(value, f"Dense: {argument}"))
        self.name = default_name(self, name)
        if input_dim is not None:
            check_int("Dense", "input_dim", input_dim, minimum=1)
        self.units, self.use_bias, self.rng = units, check_bool("Dense", "use_bias", use_bias), rng
        self.kernel_initializer = init.get(kernel_initializer)
        self.bias_initializer = init.get(bias_initializer)
        self.input_dim = input_dim
        self.built = False
        self.weight: Tensor | None = None
        self.bias: Tensor | None = None
        self.activation = activations.get(activation, keras=True)
        self.input_shape = sample_shape(self, input_shape, input_dim)
        if self.input_shape is not None:
            self.build((None, *self.input_shape))

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create the weights for inputs of `input_shape` (the last axis is used)."""
        if input_shape[-1] is None:  # Keras's error
            raise ValueError(
                "The last dimension of the inputs to a Dense layer should be defined. "
                f"Found None. Full input shape received: {tuple(input_shape)}"
            )
        self.input_dim = n_in = int(input_shape[-1])
        # Initializers read fans in PyTorch's (out, in) layout: draw the kernel's transpose.
        drawn = self.kernel_initializer(_empty(self.units, n_in, dtype=self.dtype), rng=self.rng)
        # Keras's variables: named, with `trainable` and `assign`
        self.weight = kernel = Variable(
            np.ascontiguousarray(drawn.data.T), dtype=drawn.dtype, name="kernel"
        )
        kernel.constraint = self.kernel_constraint
        if self.use_bias:
            drawn = self.bias_initializer(_empty(self.units, dtype=self.dtype), rng=self.rng)
            self.bias = bias = Variable(drawn.data, dtype=drawn.dtype, name="bias")
            bias.constraint = self.bias_constraint
        self.built = True

    @property
    def kernel(self) -> Tensor | None:
        """Keras's name for `weight`, of shape (input_dim, units)."""
        return self.weight

    def get_config(self) -> dict[str, Any]:
        """Keras's config: the arguments that make this layer again, with new weights
        (Keras's guide: ``Dense.from_config(layer.get_config())``)."""
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
            "units": self.units,
            "activation": activations.config_of(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.config_of(self.kernel_initializer),
            "bias_initializer": initializers.config_of(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Dense:
        """A new layer from `get_config()`'s dict (or Keras's: its dtype policy and
        `quantization_config` of None are read too)."""
        config = dict(config)
        trainable = config.pop("trainable", True)
        if config.get("quantization_config", None) is None:
            config.pop("quantization_config", None)
        dtype = config.get("dtype")
        if isinstance(dtype, dict):  # Keras's DTypePolicy
            config["dtype"] = dtype.get("config", {}).get("name")
        for key in ("kernel_initializer", "bias_initializer"):
            if isinstance(config.get(key), dict):
                config[key] = initializers.get(config[key])
        layer = cls(**config)
        layer.trainable = trainable
        return layer

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.units)

    def forward(self, x: Tensor) -> Tensor:
        x = self._cast(x)
        # Fast path: relu, sigmoid and tanh run inside the affine op (same numbers).
        fused = activations.fusable(self.activation)
        if fused is None or not self.built:
            y = self.activation(self.pre_activation(x))
        else:
            y = affine(self, x, self.input_dim, kernel=True, activation=fused)
        record_activity(self, y)
        return y

    def _cast(self, x: Any) -> Any:
        """The input in the layer's dtype: floats autocast as Keras does, and integers
        too, as Keras's matmul of integers by a float32 kernel gives float32."""
        x = autocast(x, self.dtype)
        if isinstance(x, Tensor) and x.dtype.kind in "biu":
            return x.astype(self.dtype)
        return x

    def weight_regularizers(self) -> Iterator[tuple[Tensor, Any]]:
        """The kernel and the bias with their regularizers (those that have one)."""
        if self.kernel_regularizer is not None and self.weight is not None:
            yield self.weight, self.kernel_regularizer
        if self.bias_regularizer is not None and self.bias is not None:
            yield self.bias, self.bias_regularizer

    def pre_activation(self, x: Tensor) -> Tensor:
        """x @ kernel + bias: the layer's output before its activation."""
        if not self.built:
            self.build(np.shape(x.data if isinstance(x, Tensor) else x))
        return affine(self, self._cast(x), self.input_dim, kernel=True)

    def extra_repr(self) -> str:
        return f"units={self.units}, input_dim={self.input_dim}, use_bias={self.use_bias}"


class Flatten(Module):
    """Flatten axes start_dim..end_dim into one; by default keep the batch axis and
    flatten the rest: (N, d1, d2, ...) -> (N, d1 * d2 * ...).

    Args:
        start_dim, end_dim: the first and last axis flattened (PyTorch's arguments;
            negative values count from the end).
        input_shape: the shape of one sample, as Keras's first layer may declare it
            (`Flatten(input_shape=(28, 28))`); inputs of another shape raise ValueError.
        name: Keras's layer name (default `flatten`, `flatten_1`, ...). A plain string
            attribute: PyTorch-style use never sees it (repr and state_dict omit it).
    """

    def __init__(
        self,
        start_dim: int = 1,
        end_dim: int = -1,
        *,
        input_shape: tuple[int, ...] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__()
        self.name = default_name(self, name)
        self.start_dim = check_int("Flatten", "start_dim", start_dim)
        self.end_dim = check_int("Flatten", "end_dim", end_dim)
        self.input_shape = sample_shape(self, input_shape)

    def forward(self, x: Tensor) -> Tensor:
        x = autocast(x, tensors=False)  # an array becomes a Tensor, as Keras's input
        shape, ndim = x.shape, max(x.ndim, 1)
        declared = self.input_shape
        if declared is not None and (
            len(shape) != len(declared) + 1
            or any(d is not None and d != n for d, n in zip(declared, shape[1:]))
        ):
            # Keras's first layer declares the model's input: other data is refused
            expected = "(batch, " + str(declared)[1:].replace(",)", ")")
            raise ValueError(
                f"Flatten(input_shape={self.input_shape}): expected input of shape "
                f"{expected}, got {shape}"
            )
        start, end = self.start_dim, self.end_dim
        if ndim == 1 and (start, end) == (1, -1):  # Keras: (N,) -> (N, 1), as before
            return x.reshape(shape[0], 1)
        if not (-ndim <= start < ndim and -ndim <= end < ndim):
            raise IndexError(  # as torch, for a dim out of range
                f"Flatten: start_dim {start} and end_dim {end} must be axes of an input of "
                f"shape {shape} (from {-ndim} to {ndim - 1})"
            )
        start, end = start % ndim, end % ndim
        if start > end:
            raise ValueError(f"Flatten: start_dim {start} comes after end_dim {end}")
        if start == end:
            return x
        return x.reshape(*shape[:start], -1, *shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability p and scale the
    rest by 1 / (1 - p) (so the expected value is unchanged); identity in eval mode.

    Args:
        p: probability of dropping an element, in [0, 1).
        inplace: PyTorch's flag, accepted; the result is computed out of place (the
            same values and gradients).
        rng: generator for the masks: an `autograd.Generator` (default
            `autograd.default_generator`: PyTorch's masks) or a `numpy.random.Generator`.
        rate: Keras's name for `p` (`layers.Dropout(rate=0.5)`), by keyword.
        seed: Keras's seed of the layer's own masks, by keyword: two layers made with
            the same seed draw the same masks in turn (numpy's generator of that seed;
            not Keras's masks). Not with `rng`.
        name: Keras's layer name (default `dropout`, `dropout_1`, ...). A plain string
            attribute: PyTorch-style use never sees it (repr and state_dict omit it).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        p: float = 0.5,
        inplace: bool = False,
        rng: init.Rng = None,
        *,
        rate: float | None = None,
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__()
        self.name = default_name(self, name)
        if seed is not None:
            if rng is not None:
                raise TypeError("Dropout: got rng and seed; pass one of them")
            rng = np.random.default_rng(check_int("Dropout", "seed", seed, minimum=0))
        if rate is not None:
            if p != 0.5:
                raise TypeError(f"Dropout: got p={p} and rate={rate}; pass one of them")
            p = check_real("Dropout", "rate", rate, 0, 1, high_open=True)
        self.p = F.check_probability(p)
        self.inplace = check_bool("Dropout", "inplace", inplace)
        self.rng = rng

    @property
    def rate(self) -> float:
        """Keras's name for `p`; settable, as Keras's attribute (`layer.rate = 0.0`)."""
        return self.p

    @rate.setter
    def rate(self, value: float) -> None:
        self.p = check_real("Dropout", "rate", value, 0, 1, high_open=True)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        """Keras's `call`: drop in training (`training`, else the layer's mode). A
        subclass may override it, as Keras's MC dropout does with
        `super().call(inputs, training=True)`; the layer's calls then run it."""
        training = self.training if training is None else bool(training)
        return F.dropout(autocast(inputs, tensors=False), self.p, training, rng=self.rng)

    def forward(self, x: Tensor) -> Tensor:
        return self.call(x)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class LayerNorm(Module):
    """Layer normalization (Ba, Kiros & Hinton, 2016) over the last axes of each sample:

        y = (x - mean) / sqrt(var + eps) * weight + bias

    mean and var (biased) are taken over the trailing `normalized_shape` axes, so every
    sample is normalized on its own, in training and evaluation alike (PyTorch's
    `nn.LayerNorm`).

    Args:
        normalized_shape: the trailing shape normalized (an int for the last axis).
        eps: added to the variance for stability.
        elementwise_affine: learn `weight` (init 1) and, with `bias`, `bias` (init 0),
            each of `normalized_shape`.
        bias: learn the bias (with `elementwise_affine`).
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(
            check_int("LayerNorm", "normalized_shape", n, minimum=1) for n in shape
        )
        self.eps = check_real("LayerNorm", "eps", eps, 0, low_open=True)
        self.elementwise_affine = check_bool("LayerNorm", "elementwise_affine", elementwise_affine)
        self.weight = init.ones_(_empty(*self.normalized_shape)) if elementwise_affine else None
        self.bias = _empty(*self.normalized_shape) if elementwise_affine and bias else None

    def forward(self, x: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if tuple(np.shape(x)[-k:]) != self.normalized_shape or np.ndim(x) < k:
            raise OperandError(
                f"LayerNorm: input of shape {np.shape(x)} does not end in normalized_shape "
                f"{self.normalized_shape}"
            )
        _, d, var = moments(x, tuple(range(-k, 0)))
        return normalize(d, var, self.eps, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class Embedding(Module):
    """A lookup table: row ``weight[i]`` for each index i of the input, as
    `torch.nn.Embedding` and Keras's `keras.layers.Embedding`. Shapes: indices (*) ->
    (*, embedding_dim).

    The weight (num_embeddings, embedding_dim) starts as N(0, 1) draws (PyTorch's, from
    `autograd.default_generator` or `rng`) unless `embeddings_initializer` is given; the
    gradient of a row sums over the places its index appears. With `padding_idx`, that
    row starts at 0 and gets no gradient. Called by a Keras layer's or model's `call`
    (or made with Keras's arguments), it takes float indices too and truncates them to
    integers, as Keras casts them (`fit` gives a model its inputs as floats); PyTorch's
    raises for them.

    Args:
        num_embeddings: the number of rows (indices run over [0, num_embeddings));
            Keras's `input_dim`.
        embedding_dim: the length of each row; Keras's `output_dim`.
        padding_idx: an index whose row stays 0 (negative counts from the end).
        rng: generator for the initial weights (an `autograd.Generator` or a
            `numpy.random.Generator`).
        input_dim, output_dim: Keras's names of the first two.
        embeddings_initializer: Keras's initializer of the table ("uniform",
            "he_normal", ...: `nn.initializers`), drawn with Keras's fans.
        embeddings_regularizer: a penalty on the table added to the loss by `fit`
            (`nn.regularizers`; in `losses`).
        input_shape: Keras's shape of one sample for the first layer of a Sequential
            (`[None]`: sequences of any length); `input_length` is taken with Keras 3's
            deprecation warning.
        mask_zero: Keras's: index 0 is padding, so the output carries the mask
            `indices != 0` (`nn.masking`), which the recurrent layers and the others
            that read masks use to skip those steps (row 0 is still looked up and
            trained, as Keras's).
        name: Keras's layer name.
    """

    def __init__(
        self,
        num_embeddings: int | None = None,
        embedding_dim: int | None = None,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        *,
        rng: init.Rng = None,
        input_dim: int | None = None,
        output_dim: int | None = None,
        embeddings_initializer: Any = None,
        embeddings_regularizer: regularizers.RegularizerLike = None,
        mask_zero: bool = False,
        name: str | None = None,
        input_shape: Any = None,
        input_length: int | None = None,
    ) -> None:
        super().__init__()
        if input_length is not None:  # Keras 3's warning, word for word
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        num_embeddings = _either("num_embeddings", num_embeddings, "input_dim", input_dim)
        embedding_dim = _either("embedding_dim", embedding_dim, "output_dim", output_dim)
        self.num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings, minimum=1)
        self.embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim, minimum=1)
        if padding_idx is not None:
            check_int("Embedding", "padding_idx", padding_idx, minimum=-num_embeddings)
            if padding_idx >= num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}), "
                    f"got {padding_idx}"
                )
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        keras_given = (
            input_dim,
            output_dim,
            embeddings_initializer,
            embeddings_regularizer,
            name,
            input_shape,
        )
        if input_shape is not None:  # as the first layer of a Sequential: its samples' shape
            self.input_shape = sample_shape(self, input_shape)
        mask_zero = check_bool("Embedding", "mask_zero", mask_zero)
        object.__setattr__(self, "_keras", mask_zero or any(v is not None for v in keras_given))
        object.__setattr__(self, "mask_zero", mask_zero)
        object.__setattr__(self, "supports_masking", mask_zero)  # Keras's
        if name is not None:
            object.__setattr__(self, "name", name)
        object.__setattr__(
            self,
            "embeddings_regularizer",
            regularizers.get(embeddings_regularizer, "Embedding: embeddings_regularizer"),
        )
        if _weight is None:
            self.weight = self._initial_table(embeddings_initializer, rng)
            if padding_idx is not None:
                self.weight.data[padding_idx] = 0
        else:
            self.weight = Parameter(_weight, requires_grad=not _freeze)
            if self.weight.shape != (self.num_embeddings, self.embedding_dim):
                raise ValueError(
                    f"Embedding: shape of weight {self.weight.shape} does not match "
                    f"num_embeddings and embedding_dim ({num_embeddings}, {embedding_dim})"
                )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose table is `embeddings` (2-d; its own values, not a copy, as
        PyTorch's), frozen (no gradient) unless ``freeze=False``."""
        table = embeddings if isinstance(embeddings, Tensor) else Tensor(np.asarray(embeddings))
        if table.ndim != 2:
            raise ValueError("Embeddings parameter is expected to be 2-dimensional")
        rows, dim = table.shape
        return cls(
            rows,
            dim,
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=table.data,
            _freeze=freeze,
        )

    def _initial_table(self, initializer: Any, rng: init.Rng) -> Tensor:
        """The table: PyTorch's N(0, 1) draws, or Keras's initializer's (Keras's fans)."""
        shape = (self.num_embeddings, self.embedding_dim)
        if initializer is None:
            return init.normal_(_empty(*shape), rng=rng)
        from nn import initializers

        values = initializers.get(initializer)(shape, get_default_dtype())
        return Parameter(np.asarray(values.data if isinstance(values, Tensor) else values))

    @property
    def embeddings(self) -> Tensor:
        """The table, under Keras's name."""
        return self.weight

    def weight_regularizers(self) -> Iterator[tuple[Tensor, Any]]:
        """The table with its regularizer, when it has one (see `LayerWeights.losses`)."""
        if self.embeddings_regularizer is not None:
            yield self.weight, self.embeddings_regularizer

    def forward(self, x: Any) -> Tensor:
        if self._keras or in_keras_call():
            x = keras_indices(x)
        out = F.embedding(
            x,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )
        if self.mask_zero:
            set_keras_mask(out, self.compute_mask(x))
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor | None:
        """Keras's: with mask_zero, `inputs != 0` (a bool Tensor), else None."""
        if not self.mask_zero:
            return None
        return Tensor(np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs) != 0)

    def extra_repr(self) -> str:
        """PyTorch's: the sizes, then the options that differ from their defaults."""
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text


def _either(name: str, value: Any, keras_name: str, keras_value: Any) -> Any:
    """PyTorch's argument or Keras's name for it, not both."""
    if value is not None and keras_value is not None:
        raise TypeError(f"Embedding: give {name} or {keras_name}, not both")
    if value is None and keras_value is None:
        raise TypeError(f"Embedding: {name} (Keras's {keras_name}) is required")
    return keras_value if value is None else value


def keras_indices(x: Any) -> Any:
    """Indices as Keras's `Embedding` casts them: floats truncated to int32 (other
    dtypes as they are)."""
    array = x.data if isinstance(x, Tensor) else np.asarray(x)
    return array.astype(np.int32) if array.dtype.kind == "f" else x


from nn.keras_image import (  # noqa: E402, F401  # keras.layers holds them
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
