"""nn: layers, activations, losses and models built on `autograd` (PyTorch names, plus
Keras's `Dense` and loss names for the high level).

Example:
    >>> import numpy as np, nn
    >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    >>> model(np.ones((3, 2), dtype=np.float32)).shape
    (3, 1)
"""

import optim.autograd_check  # noqa: F401  # isort: skip  # first: a clear error if autograd is not ours
from autograd import __version__ as __version__  # released together
from nn import (
    callbacks,
    data,
    datasets,
    functional,
    init,
    initializers,
    metrics,
    ops,
    optimizers,
    random,
    utils,
)
from nn.activations import (
    ELU,
    GELU,
    Activation,
    Identity,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Sign,
    SiLU,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from nn.activations_torch import (
    CELU,
    GLU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Mish,
    PReLU,
    ReLU6,
    Softmin,
    Softsign,
    Tanhshrink,
    Threshold,
)
from nn.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from nn.containers import ModuleList
from nn.containers_torch import ModuleDict, ParameterDict, ParameterList, Unflatten
from nn.data import DataLoader, Dataset, Subset, TensorDataset, random_split, train_test_split
from nn.hooks import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
)
from nn.input import Input
from nn.layer import Layer, Variable
from nn.layers import (
    BatchNorm1d,
    BatchNorm2d,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    LayerNorm,
    Linear,
)
from nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
    SparseCategoricalCrossentropy,
)
from nn.losses_torch import (
    CosineEmbeddingLoss,
    CosineSimilarity,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    KLDivLoss,
    MarginRankingLoss,
    MultiLabelSoftMarginLoss,
    PairwiseDistance,
    PoissonNLLLoss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from nn.merging import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract
from nn.mlp import MLP
from nn.module import Module, Parameter, RemovableHandle
from nn.norms_torch import AlphaDropout, RMSNorm
from nn.perceptron import ConvergenceWarning, Perceptron
from nn.recurrent_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase
from nn.recurrent_torch import GRU, LSTM, RNN, RNNBase
from nn.saving import load_model
from nn.sequential import Sequential
from nn.serialization import load_state, save_state
from nn.symbolic import KerasTensor
from nn.torch_interop import from_torch, to_torch
from nn.training import History, Model

from nn import models  # isort: skip  # after the classes it names

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "GRU",
    "LSTM",
    "MLP",
    "RNN",
    "SELU",
    "Activation",
    "Add",
    "AlphaDropout",
    "Average",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "BinaryCrossentropy",
    "CSVLogger",
    "Callback",
    "CategoricalCrossentropy",
    "Concatenate",
    "ConvergenceWarning",
    "CosineEmbeddingLoss",
    "CosineSimilarity",
    "CrossEntropyLoss",
    "DataLoader",
    "Dataset",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Embedding",
    "Flatten",
    "GRUCell",
    "GaussianNLLLoss",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HingeEmbeddingLoss",
    "History",
    "HuberLoss",
    "Identity",
    "Input",
    "KLDivLoss",
    "KerasTensor",
    "L1Loss",
    "LSTMCell",
    "LambdaCallback",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "LearningRateScheduler",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MarginRankingLoss",
    "Maximum",
    "Minimum",
    "Mish",
    "Model",
    "ModelCheckpoint",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MultiLabelSoftMarginLoss",
    "Multiply",
    "NLLLoss",
    "PReLU",
    "PairwiseDistance",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "Perceptron",
    "PoissonNLLLoss",
    "RMSNorm",
    "RNNBase",
    "RNNCell",
    "RNNCellBase",
    "ReLU",
    "ReLU6",
    "ReduceLROnPlateau",
    "RemovableHandle",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Sign",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softsign",
    "SparseCategoricalCrossentropy",
    "Step",
    "Subset",
    "Subtract",
    "Tanh",
    "Tanhshrink",
    "TensorDataset",
    "TerminateOnNaN",
    "Threshold",
    "TripletMarginLoss",
    "Unflatten",
    "Variable",
    "callbacks",
    "constraints",
    "data",
    "datasets",
    "from_torch",
    "functional",
    "init",
    "initializers",
    "load_model",
    "load_state",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "random",
    "random_split",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
    "save_state",
    "to_torch",
    "train_test_split",
    "utils",
]

# PyTorch's modules, batch 3
from nn.torch_more import (
    Bilinear,
    Buffer,
    Dropout1d,
    GroupNorm,
    Hardshrink,
    LazyLinear,
    LogSigmoid,
    MultiLabelMarginLoss,
    MultiMarginLoss,
    RReLU,
    Softshrink,
)

__all__ += [
    "Bilinear", "Buffer", "Dropout1d", "GroupNorm", "Hardshrink", "InstanceNorm1d",
    "LazyLinear", "LogSigmoid", "MultiLabelMarginLoss", "MultiMarginLoss", "RReLU",
    "Softshrink",
]  # fmt: skip
# end of PyTorch's modules, batch 3

from nn.conv_torch import (  # noqa: E402
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveAvgPool3d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AdaptiveMaxPool3d,
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
    Dropout2d,
    Dropout3d,
    Fold,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
    Unfold,
)
from nn.keras_conv import (  # noqa: E402
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

__all__ += [
    "AveragePooling1D", "AveragePooling2D", "Conv1D", "Conv2D", "Conv3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "MaxPooling1D", "MaxPooling2D",
]  # fmt: skip
__all__ += [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "Conv1d",
    "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "Dropout2d",
    "Dropout3d", "Fold", "MaxPool1d", "MaxPool2d", "MaxPool3d", "Unfold",
]  # fmt: skip

from nn.keras_conv_transpose import (  # noqa: E402
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
)
from nn.keras_resize import (  # noqa: E402
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
from nn.keras_separable import (  # noqa: E402
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)
from nn.resize_torch import (  # noqa: E402
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    PixelShuffle,
    PixelUnshuffle,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)

__all__ += [
    "AveragePooling3D",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling3D",
    "MaxPooling3D",
    "PixelShuffle",
    "PixelUnshuffle",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "SeparableConv1D",
    "SeparableConv2D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]


# PyTorch's norms, pooling variants and unpooling
from nn.norms_instance import (  # noqa: E402
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyBatchNorm3d,
    LazyInstanceNorm1d,
    LazyInstanceNorm2d,
    LazyInstanceNorm3d,
)
from nn.pooling_torch_more import (  # noqa: E402
    ChannelShuffle,
    FractionalMaxPool2d,
    FractionalMaxPool3d,
    LocalResponseNorm,
    LPPool1d,
    LPPool2d,
    LPPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
    Softmax2d,
)

__all__ += [
    "BatchNorm3d", "ChannelShuffle", "FractionalMaxPool2d", "FractionalMaxPool3d",
    "InstanceNorm2d", "InstanceNorm3d", "LPPool1d", "LPPool2d", "LPPool3d", "LazyBatchNorm1d",
    "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
    "LazyInstanceNorm3d", "LocalResponseNorm", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
    "Softmax2d",
]  # fmt: skip


def __getattr__(name: str):
    """`nn.plot` is imported on first use, so matplotlib stays an optional extra."""
    if name == "plot":
        import importlib

        return importlib.import_module("nn.plot")
    raise AttributeError(f"module 'nn' has no attribute {name!r}")


from nn.attention_torch import MultiheadAttention, NonDynamicallyQuantizableLinear  # noqa: E402
from nn.transformer_torch import (  # noqa: E402
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ += [
    "MultiheadAttention",
    "NonDynamicallyQuantizableLinear",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

# PyTorch's EmbeddingBag, FeatureAlphaDropout, TripletMarginWithDistanceLoss, CTCLoss
from nn.ctc_loss import CTCLoss  # noqa: E402
from nn.embedding_bag import EmbeddingBag  # noqa: E402
from nn.feature_alpha_dropout import FeatureAlphaDropout  # noqa: E402
from nn.losses_distance import TripletMarginWithDistanceLoss  # noqa: E402

__all__ += ["CTCLoss", "EmbeddingBag", "FeatureAlphaDropout", "TripletMarginWithDistanceLoss"]

from nn.einsum_dense import EinsumDense  # noqa: E402
from nn.keras_attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: E402

__all__ += ["AdditiveAttention", "Attention", "EinsumDense", "MultiHeadAttention"]

from nn.keras_image import (  # noqa: E402
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

__all__ += [
    "CenterCrop",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Resizing",
]

# Keras's other names of its convolution and pooling layers (the same classes)
from nn.layers import (  # noqa: E402
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    Convolution1D,
    Convolution1DTranspose,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    Convolution3DTranspose,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)

__all__ += [
    "AvgPool1D", "AvgPool2D", "AvgPool3D", "Convolution1D", "Convolution1DTranspose",
    "Convolution2D", "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
    "GlobalMaxPool2D", "GlobalMaxPool3D", "MaxPool1D", "MaxPool2D", "MaxPool3D",
    "SeparableConvolution1D", "SeparableConvolution2D",
]  # fmt: skip

# Keras's masking (`nn.masking`): `Masking`, and the masks that travel as `_keras_mask`
from nn import masking as masking  # noqa: E402
from nn.masking import Masking  # noqa: E402

__all__ += ["Masking", "masking"]
