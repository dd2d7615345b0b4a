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


class _Scale(nn.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


def _keras_scale(keras):
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.scale

    return Scale()


KERAS_LAYERS = {
    "Dense": (lambda: nn.Dense(3), lambda k: k.layers.Dense(3)),
    "Activation": (lambda: nn.layers.Activation("tanh"), lambda k: k.layers.Activation("tanh")),
    "Rescaling": (lambda: nn.layers.Rescaling(0.5), lambda k: k.layers.Rescaling(0.5)),
    "LayerNormalization": (
        lambda: nn.layers.LayerNormalization(),
        lambda k: k.layers.LayerNormalization(),
    ),
    "BatchNormalization": (
        lambda: nn.layers.BatchNormalization(),
        lambda k: k.layers.BatchNormalization(),
    ),
    "Layer subclass": (_Scale, _keras_scale),
}


def _same_weights(ours, theirs, x):
    """Build both on `x` and give ours Keras's weights."""
    theirs(x)
    ours(x)
    if theirs.weights:
        ours.set_weights(theirs.get_weights())


@pytest.mark.parametrize("name", list(KERAS_LAYERS))
def test_a_keras_layer_computes_float64_data_in_float32_as_keras(name):
    keras = pytest.importorskip("keras")
    make_ours, make_theirs = KERAS_LAYERS[name]
    ours, theirs = make_ours(), make_theirs(keras)
    x = np.random.default_rng(0).normal(size=(4, 5))  # float64
    _same_weights(ours, theirs, x)
    for data in (x, Tensor(x)):
        out = ours(data)
        expected = theirs(x)
        assert out.dtype == expected.dtype == np.float32
        np.testing.assert_allclose(out.data, np.asarray(expected), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("merge", ["Add", "Concatenate", "Multiply"])
def test_merge_layers_cast_float64_inputs_as_keras(merge):
    keras = pytest.importorskip("keras")
    a, b = np.ones((2, 3)), np.full((2, 3), 2.0)
    out = getattr(nn.layers, merge)()([a, Tensor(b)])
    expected = getattr(keras.layers, merge)()([a, b])
    assert out.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(out.data, np.asarray(expected))


def _models(package, input_layer, dense):
    """A Sequential, a functional and a subclassed model, each one Dense(3)."""

    class Subclassed(package.Model):
        def __init__(self):
            super().__init__()
            self.dense = dense(3)

        def call(self, inputs):
            return self.dense(inputs)

    inputs = input_layer((4,))
    return {
        "Sequential": package.Sequential([input_layer((4,)), dense(3)]),
        "functional": package.Model(inputs, dense(3)(inputs)),
        "subclassed": Subclassed(),
    }


@pytest.mark.parametrize("kind", ["Sequential", "functional", "subclassed"])
def test_a_keras_model_called_on_float64_data_computes_in_float32_as_keras(kind):
    keras = pytest.importorskip("keras")
    ours = _models(nn, nn.Input, nn.Dense)[kind]
    theirs = _models(keras, keras.Input, keras.layers.Dense)[kind]
    x = np.random.default_rng(1).normal(size=(2, 4))
    _same_weights(ours, theirs, x)
    for data in (x, Tensor(x)):
        out, expected = ours(data), theirs(x)
        assert isinstance(out, Tensor) and out.dtype == expected.dtype == np.float32
        np.testing.assert_allclose(out.data, np.asarray(expected), rtol=1e-5, atol=1e-6)


def test_a_layer_made_in_float64_computes_in_float64_as_keras():
    keras = pytest.importorskip("keras")
    assert keras.layers.Dense(3, dtype="float64").compute_dtype == "float64"
    for layer in (nn.Dense(3, dtype="float64"), _Scale(dtype="float64")):
        for x in (np.ones((2, 4)), np.ones((2, 4), np.float32)):
            out = layer(x)
            assert out.dtype == np.float64
        assert {w.dtype for w in layer.get_weights()} == {np.dtype(np.float64)}


def test_a_float64_tensor_requiring_grad_is_cast_in_the_graph_as_a_keras_variable():
    """Keras casts a float64 variable given to a float32 layer; its gradient comes
    back through the cast, in the variable's dtype."""
    keras = pytest.importorskip("keras")
    variable = keras.Variable(np.ones((2, 4)), dtype="float64")
    assert keras.layers.Dense(3)(variable).dtype == np.float32
    layer = nn.Dense(3, use_bias=False)
    x = Tensor(np.arange(8.0).reshape(2, 4), requires_grad=True)
    out = layer(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float64
    expected = np.broadcast_to(layer.kernel.data.sum(axis=1), (2, 4))
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-6)


def test_integer_inputs_keep_their_dtype_as_keras():
    keras = pytest.importorskip("keras")
    x = np.arange(6).reshape(2, 3)
    out, expected = nn.layers.Activation("relu")(x), keras.layers.Activation("relu")(x)
    assert out.dtype.kind == np.dtype(expected.dtype).kind == "i"
    dense, their_dense = nn.Dense(2), keras.layers.Dense(2)
    _same_weights(dense, their_dense, x.astype(np.float32))
    assert dense(x).dtype == their_dense(x).dtype == np.float32  # a float32 kernel


def test_pytorch_modules_keep_float64_as_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).normal(size=(2, 4))
    ours = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Flatten(), nn.Dropout(0.5)).double()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Dropout(0.5)
    ).double()
    theirs.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in ours.state_dict().items()}
    )
    out, expected = ours.eval()(Tensor(x)), theirs.eval()(torch.from_numpy(x))
    assert out.dtype == np.float64 and expected.dtype == torch.float64
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)


def test_double_makes_a_keras_style_model_compute_in_float64():
    """`Module.double()` (PyTorch's) converts the weights, and the Keras-style layers'
    compute dtype follows them, so the model is float64 throughout."""
    model = nn.Sequential([nn.Input((4,)), nn.Dense(3), nn.layers.Rescaling(2.0)]).double()
    assert model(np.ones((2, 4))).dtype == np.float64
    assert model.float()(np.ones((2, 4))).dtype == np.float32
