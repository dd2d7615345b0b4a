"""Keras's transposed, depthwise and separable convolutions, upsampling, zero padding,
cropping and 3-d pooling against Keras 3 (JAX backend): outputs from the same weights,
gradients of the input and the weights in float64 (jax.grad of the layer's
stateless_call under jax.enable_x64), output shapes, weight shapes and order, configs,
errors, saving."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

CASES = [
    ("Conv2DTranspose", (4, 3), {"strides": 2, "padding": "same"}, (2, 5, 6, 3)),
    ("Conv2DTranspose", (4, 3), {"strides": 2}, (2, 5, 6, 3)),
    ("Conv2DTranspose", (4, 2), {"strides": 3, "use_bias": False}, (2, 4, 3, 3)),
    ("Conv2DTranspose", (4, 2), {"strides": 2, "padding": "same"}, (2, 5, 6, 3)),
    (
        "Conv2DTranspose",
        (4, (3, 2)),
        {"strides": (2, 3), "padding": "same", "output_padding": 1},
        (2, 5, 6, 3),
    ),
    (
        "Conv2DTranspose",
        (2, (3, 2)),
        {"strides": (2, 3), "output_padding": (1, 2), "activation": "relu"},
        (2, 5, 6, 3),
    ),
    ("Conv2DTranspose", (4, 3), {"dilation_rate": 2, "padding": "same"}, (2, 5, 6, 3)),
    (
        "Conv2DTranspose",
        (4, 4),
        {"strides": 2, "padding": "same", "output_padding": 0},
        (1, 5, 4, 2),
    ),
    ("Conv2DTranspose", (3, 3), {"data_format": "channels_first", "strides": 2}, (2, 2, 4, 5)),
    ("Conv1DTranspose", (4, 5), {"strides": 3, "padding": "same"}, (2, 7, 3)),
    ("Conv1DTranspose", (4, 2), {"dilation_rate": 3}, (2, 7, 3)),
    ("Conv3DTranspose", (2, 3), {"strides": 2, "padding": "same"}, (1, 3, 4, 2, 3)),
    ("Conv3DTranspose", (2, 2), {"data_format": "channels_first"}, (1, 3, 3, 4, 2)),
    (
        "DepthwiseConv2D",
        (3,),
        {"depth_multiplier": 2, "padding": "same", "strides": 2},
        (2, 7, 6, 3),
    ),
    ("DepthwiseConv2D", ((3, 2),), {"dilation_rate": 2, "activation": "tanh"}, (2, 7, 6, 3)),
    ("DepthwiseConv1D", (3,), {"depth_multiplier": 3, "data_format": "channels_first"}, (2, 3, 8)),
    (
        "SeparableConv2D",
        (5, 3),
        {"depth_multiplier": 2, "padding": "same", "strides": 2},
        (2, 7, 6, 3),
    ),
    ("SeparableConv1D", (4, 3), {"use_bias": False}, (2, 9, 3)),
    ("UpSampling1D", (3,), {}, (2, 4, 3)),
    ("UpSampling2D", ((2, 3),), {}, (2, 3, 4, 2)),
    ("UpSampling2D", (2,), {"interpolation": "bilinear"}, (2, 3, 4, 2)),
    (
        "UpSampling2D",
        ((3, 2),),
        {"interpolation": "bilinear", "data_format": "channels_first"},
        (1, 2, 3, 4),
    ),
    ("UpSampling2D", ((3, 1),), {"interpolation": "bicubic"}, (2, 4, 3, 2)),
    ("UpSampling2D", (2,), {"interpolation": "lanczos3"}, (1, 5, 4, 2)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "lanczos5"}, (1, 3, 6, 2)),
    ("UpSampling3D", (), {}, (1, 2, 3, 2, 2)),
    ("ZeroPadding1D", ((1, 2),), {}, (2, 4, 3)),
    ("ZeroPadding2D", (), {}, (2, 3, 4, 2)),
    ("ZeroPadding2D", (((1, 0), (2, 3)),), {"data_format": "channels_first"}, (2, 2, 3, 4)),
    ("ZeroPadding3D", ((1, 0, 2),), {}, (1, 2, 3, 2, 2)),
    ("Cropping1D", (), {}, (2, 5, 3)),
    ("Cropping2D", (((1, 0), (2, 1)),), {}, (2, 4, 5, 2)),
    ("Cropping2D", (1,), {"data_format": "channels_first"}, (2, 2, 4, 5)),
    ("Cropping3D", (), {}, (1, 3, 4, 5, 2)),
    ("MaxPooling3D", (), {}, (2, 4, 5, 4, 2)),
    ("MaxPooling3D", ((2, 3, 2),), {"strides": 2, "padding": "same"}, (2, 5, 5, 4, 2)),
    ("AveragePooling3D", ((3, 2, 2),), {"padding": "same", "strides": (2, 1, 2)}, (2, 5, 4, 3, 2)),
    ("AveragePooling3D", (2,), {"data_format": "channels_first"}, (1, 2, 4, 5, 4)),
    ("GlobalMaxPooling3D", (), {}, (2, 3, 4, 2, 3)),
    ("GlobalAveragePooling3D", (), {"keepdims": True}, (2, 3, 4, 2, 3)),
]
IDS = [f"{name}-{i}" for i, (name, *_) in enumerate(CASES)]


def _pair(name, args, kwargs, shape, dtype="float32"):
    keras.utils.set_random_seed(0)
    theirs = getattr(keras.layers, name)(*args, dtype=dtype, **kwargs)
    ours = getattr(nn.layers, name)(*args, dtype=dtype, **kwargs)
    theirs.build(shape)
    ours.build(shape)
    if theirs.weights:
        assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.weights]
        ours.set_weights(theirs.get_weights())
    return theirs, ours


@pytest.mark.parametrize("name, args, kwargs, shape", CASES, ids=IDS)
def test_outputs_shapes_and_configs_match_keras(name, args, kwargs, shape):
    theirs, ours = _pair(name, args, kwargs, shape)
    x = np.random.default_rng(1).normal(size=shape).astype("float32")
    expected = np.asarray(theirs(x))
    got = ours(x)
    assert got.shape == expected.shape == tuple(theirs.compute_output_shape(shape))
    np.testing.assert_allclose(got.data, expected, rtol=1e-5, atol=1e-5)
    config = ours.get_config()
    for key, value in theirs.get_config().items():
        if key in ("name", "dtype", "trainable") or key.endswith(("initializer", "activation")):
            continue
        if isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        assert config[key] == value, key


@pytest.mark.parametrize("name, args, kwargs, shape", CASES, ids=IDS)
def test_gradients_match_keras_in_float64(name, args, kwargs, shape):
    theirs, ours = _pair(name, args, kwargs, shape, dtype="float64")
    rng = np.random.default_rng(2)
    x = rng.normal(size=shape)
    upstream = rng.normal(size=tuple(theirs.compute_output_shape(shape)))

    def loss(weights, inputs):
        y, _ = theirs.stateless_call(weights, [], inputs)
        return (y * upstream).sum()

    with jax.enable_x64(True):  # JAX computes in float64 only inside
        trainable = [np.asarray(w, np.float64) for w in theirs.get_weights()]
        d_weights, d_x = jax.grad(loss, argnums=(0, 1))(trainable, x)
    assert np.asarray(d_x).dtype == np.float64
    xt = Tensor(x, requires_grad=True)
    (ours(xt) * Tensor(upstream)).sum().backward()
    # Keras computes tanh and the global mean in float32 even for float64 layers
    float32_inside = kwargs.get("activation") == "tanh" or name.startswith("GlobalAverage")
    tol = 1e-6 if float32_inside else 1e-10
    np.testing.assert_allclose(xt.grad.data, np.asarray(d_x), rtol=tol, atol=tol)
    for w, expected in zip(ours.trainable_weights, d_weights, strict=True):
        np.testing.assert_allclose(w.grad.data, np.asarray(expected), rtol=tol, atol=tol)


def test_transposed_kernel_layout_and_initial_draw_are_keras():
    layer = nn.layers.Conv2DTranspose(16, 5)
    layer.build((None, 28, 28, 3))
    limit = np.sqrt(6 / (16 * 25 + 3 * 25))  # fans of (5, 5, 16, 3), as Keras
    kernel = layer.kernel.data
    assert kernel.shape == (5, 5, 16, 3) and np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.9 * limit
    np.testing.assert_array_equal(layer.bias.data, np.zeros(16, np.float32))
    separable = nn.layers.SeparableConv2D(8, 3, depth_multiplier=2)
    separable.build((None, 9, 9, 4))
    assert [w.name for w in separable.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert [w.shape for w in separable.get_weights()] == [(3, 3, 4, 2), (1, 1, 8, 8), (8,)]


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda k: k.layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), None),
        (lambda k: k.layers.Conv2DTranspose(4, 3, strides=2, dilation_rate=2), None),
        (lambda k: k.layers.Conv2DTranspose(4, 3, padding="causal"), None),
        (lambda k: k.layers.Conv1DTranspose(4, 3, padding="causal"), None),
        (lambda k: k.layers.Conv2DTranspose(0, 3), None),
        (lambda k: k.layers.Conv2DTranspose(4, 3), (5, 5, 3)),
        (lambda k: k.layers.DepthwiseConv2D(3, depth_multiplier=0), None),
        (lambda k: k.layers.SeparableConv2D(4, 3, padding="full"), None),
        (lambda k: k.layers.UpSampling1D(size=0), None),
        (lambda k: k.layers.ZeroPadding2D(((1, 2), (1, 2), (3, 4))), None),
        (lambda k: k.layers.Cropping2D(2), (1, 4, 6, 1)),
        (lambda k: k.layers.Cropping1D((2, 3)), (1, 5, 1)),
        (lambda k: k.layers.MaxPooling3D(padding="full"), None),
        (lambda k: k.layers.UpSampling2D(data_format="channels_middle"), None),
        (lambda k: k.layers.UpSampling2D(interpolation="area"), (1, 2, 2, 1)),
    ],
)
def test_errors_as_keras(make, shape):
    for k in (keras, nn):
        with pytest.raises((ValueError, TypeError)):
            layer = make(k)
            layer(np.zeros(shape, "float32"))


def test_conv1d_transpose_refuses_causal_with_keras_message():
    with pytest.raises(ValueError, match="`padding` argument must be one of"):
        nn.layers.Conv1DTranspose(4, 3, padding="causal")
    with pytest.raises(ValueError, match="strictly less than `strides`"):
        nn.layers.Conv2DTranspose(4, 3, strides=(2, 1), output_padding=(1, 1))


def _autoencoder(k):
    return k.Sequential(
        [
            k.Input(shape=(12, 12, 2)),
            k.layers.SeparableConv2D(4, 3, padding="same", activation="relu"),
            k.layers.MaxPooling2D(),
            k.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
            k.layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
            k.layers.ZeroPadding2D(1),
            k.layers.Cropping2D(1),
            k.layers.UpSampling2D(1),
            k.layers.Conv2D(2, 3, padding="same"),
        ]
    )


def test_model_summary_and_saving_round_trip(tmp_path):
    ours, theirs = _autoencoder(nn), _autoencoder(keras)
    assert ours.count_params() == theirs.count_params()
    lines: list[str] = []
    ours.summary(print_fn=lines.append)
    table = "\n".join(lines)
    for layer in theirs.layers:
        shape = str(tuple(layer.output.shape)).replace("None", "None")
        assert any(shape in line and f"{layer.count_params():,}" in line for line in lines), shape
    assert f"Total params: {theirs.count_params():,}" in table
    x = np.random.default_rng(3).random((2, 12, 12, 2)).astype("float32")
    expected = ours.predict(x, verbose=0)
    ours.save(tmp_path / "model.keras")
    loaded = nn.load_model(tmp_path / "model.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    assert [type(m).__name__ for m in loaded.layers] == [type(m).__name__ for m in ours.layers]
    assert [layer.get_config() for layer in loaded.layers][1:] == [
        layer.get_config() for layer in ours.layers
    ][1:]
