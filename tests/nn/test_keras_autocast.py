"""Keras's conversion of a layer's inputs, here and in Keras: arrays become tensors and
floating inputs take the layer's compute dtype (float32 by default), integers keep
theirs; the layers PyTorch has too (`Flatten`, `Dropout`) keep a Tensor's dtype, as
torch does. Keras on JAX computes in float32 and int32 unless JAX's x64 mode (a
process-wide switch) is on, so integer dtypes are compared by kind."""

import os

import numpy as np
import pytest

import nn
from autograd import Tensor

os.environ.setdefault("KERAS_BACKEND", "jax")

SHAPE_LAYERS = [
    ("Flatten", (), {}),
    ("Reshape", ((4, 3),), {}),
    ("Dropout", (), {"rate": 0.5}),
]


def _both(keras, name, args, kwargs):
    ours = getattr(nn.layers, name)(*args, **kwargs)
    return ours, getattr(keras.layers, name)(*args, **kwargs)


@pytest.mark.parametrize("name, args, kwargs", SHAPE_LAYERS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_a_shape_layer_called_on_an_array_returns_a_tensor_as_keras(name, args, kwargs, dtype):
    keras = pytest.importorskip("keras")
    x = np.arange(24).reshape(2, 3, 4).astype(dtype)
    ours, theirs = _both(keras, name, args, kwargs)
    out, expected = ours.eval()(x), theirs(x)  # a Keras layer called alone: inference
    assert isinstance(out, Tensor)
    assert out.dtype.kind == np.dtype(expected.dtype).kind
    if out.dtype.kind == "f":
        assert out.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(out.data, np.asarray(expected))


@pytest.mark.parametrize("module", [lambda: nn.Flatten(), lambda: nn.Dropout(0.5)])
def test_flatten_and_dropout_keep_a_tensors_dtype_as_torch(module):
    torch = pytest.importorskip("torch")
    x = np.arange(24.0).reshape(2, 3, 4)
    layer = module().eval()
    reference = {"Flatten": torch.nn.Flatten(), "Dropout": torch.nn.Dropout(0.5)}
    theirs = reference[type(layer).__name__].eval()(torch.from_numpy(x))
    out = layer(Tensor(x))
    assert out.dtype == np.float64 and theirs.dtype == torch.float64
    np.testing.assert_array_equal(out.data, theirs.numpy())
