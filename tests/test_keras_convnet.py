"""keras.io's "Simple MNIST convnet", run as written with Keras 3 and with `nn` on a
small synthetic dataset from the same initial weights; and Keras's convolution and
pooling layers against Keras's (values, gradients' effect through fit, summary,
configs, saving)."""

from __future__ import annotations

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]


def _convnet(k):
    """The example's model, as written (input_shape (28, 28, 1), 10 classes)."""
    layers = k.layers
    return k.Sequential(
        [
            k.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )


def test_simple_mnist_convnet_trains_as_keras():
    keras.utils.set_random_seed(0)  # Keras's initial weights, the same on every run
    rng = np.random.default_rng(0)
    x_train = rng.random((256, 28, 28, 1)).astype("float32")
    y_train = keras.utils.to_categorical(rng.integers(0, 10, 256), 10)
    models = {k: _convnet(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    out = {}
    for k, model in models.items():
        model.layers[5].rate = 0.0  # dropout off: the two draw different masks
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        history = model.fit(
            x_train, y_train, batch_size=128, epochs=2, validation_split=0.1, shuffle=False,
            verbose=0,
        )  # fmt: skip
        score = model.evaluate(x_train[:64], y_train[:64], verbose=0)
        out[k] = (history.history, score, model.predict(x_train[:8], verbose=0))
    assert list(out[nn][0]) == list(out[keras][0])
    for key, values in out[keras][0].items():
        np.testing.assert_allclose(out[nn][0][key], values, rtol=2e-4, atol=1e-5, err_msg=key)
    np.testing.assert_allclose(out[nn][1], out[keras][1], rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(out[nn][2], out[keras][2], rtol=1e-3, atol=1e-5)


def test_convnet_summary_counts_as_keras():
    model = _convnet(nn)
    text = []
    model.summary(print_fn=text.append)
    table = "\n".join(text)
    for shape, count in [
        ("(None, 26, 26, 32)", "320"),
        ("(None, 13, 13, 32)", "0"),
        ("(None, 11, 11, 64)", "18,496"),
        ("(None, 5, 5, 64)", "0"),
        ("(None, 1600)", "0"),
    ]:
        assert any(
            shape in line and line.rstrip(" │").endswith(count) for line in table.split("\n")
        )
    assert "Total params: 34,826" in table
    assert model.count_params() == _convnet(keras).count_params()


LAYER_CASES = [
    ("Conv2D", (8, 3), {"strides": 2, "padding": "same"}, (2, 9, 8, 4)),
    (
        "Conv2D",
        (6, (3, 2)),
        {"dilation_rate": (2, 1), "groups": 2, "use_bias": False},
        (2, 9, 8, 4),
    ),
    ("Conv2D", (4, 2), {"strides": (1, 3), "padding": "same"}, (2, 7, 8, 2)),
    ("Conv2D", (4, 3), {"data_format": "channels_first", "padding": "same"}, (2, 3, 7, 6)),
    ("Conv1D", (5, 3), {"strides": 2, "padding": "same", "activation": "tanh"}, (2, 10, 3)),
    ("Conv1D", (5, 3), {"padding": "causal", "dilation_rate": 2}, (2, 10, 3)),
    ("Conv3D", (3, 2), {"padding": "same", "strides": 2}, (1, 5, 4, 3, 2)),
    ("MaxPooling2D", ((3, 3),), {"strides": 2, "padding": "same"}, (2, 8, 7, 3)),
    ("MaxPooling2D", (), {}, (2, 9, 7, 3)),
    ("MaxPooling1D", (3,), {"padding": "same"}, (2, 10, 3)),
    ("AveragePooling2D", ((2, 3),), {"strides": 2, "padding": "same"}, (2, 9, 7, 3)),
    ("AveragePooling2D", (2,), {"data_format": "channels_first"}, (2, 3, 6, 5)),
    ("AveragePooling1D", (3,), {"strides": 2, "padding": "same"}, (2, 10, 3)),
    ("GlobalAveragePooling2D", (), {}, (2, 5, 4, 3)),
    ("GlobalAveragePooling1D", (), {"keepdims": True}, (2, 5, 3)),
    ("GlobalMaxPooling2D", (), {"data_format": "channels_first"}, (2, 3, 5, 4)),
    ("GlobalMaxPooling1D", (), {}, (2, 5, 3)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", LAYER_CASES)
def test_layers_match_keras(name, args, kwargs, shape):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(1).normal(size=shape).astype("float32")
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    ours = getattr(nn.layers, name)(*args, **kwargs)
    expected = np.asarray(theirs(x))
    ours.build(shape)
    if theirs.weights:
        ours.set_weights(theirs.get_weights())
        assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    got = ours(x)
    np.testing.assert_allclose(got.data, expected, rtol=1e-5, atol=1e-5)
    assert tuple(theirs.compute_output_shape(shape)) == got.shape
    config = ours.get_config()
    for key, value in theirs.get_config().items():
        if key in ("name", "dtype", "trainable") or key.endswith(("initializer", "activation")):
            continue
        assert (
            tuple(config[key]) == tuple(value) if isinstance(value, tuple) else config[key] == value
        ), key


def test_dropout_rate_is_settable_as_keras():
    for k in LIBS:
        layer = k.layers.Dropout(0.5)
        layer.rate = 0.0
        assert layer.rate == 0.0
    assert np.array_equal(layer(np.ones((2, 3)), training=True).data, np.ones((2, 3)))
    with pytest.raises(ValueError, match="rate"):
        layer.rate = 1.0


def test_initial_kernel_follows_glorot_uniform_fans():
    layer = nn.layers.Conv2D(16, 5)
    layer.build((None, 28, 28, 3))
    limit = np.sqrt(6 / (3 * 25 + 16 * 25))  # fans of (5, 5, 3, 16), as Keras
    kernel = layer.kernel.data
    assert kernel.shape == (5, 5, 3, 16) and np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.9 * limit
    np.testing.assert_array_equal(layer.bias.data, np.zeros(16, np.float32))


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda k: k.layers.Conv2D(5, 3, groups=2), None),
        (lambda k: k.layers.Conv2D(4, 3, strides=2, dilation_rate=2), None),
        (lambda k: k.layers.Conv2D(4, 3, padding="foo"), None),
        (lambda k: k.layers.Conv2D(4, 3, groups=2), (1, 5, 5, 3)),
        (lambda k: k.layers.Conv2D(4, 5), (1, 3, 3, 1)),
        (lambda k: k.layers.Conv2D(4, 3), (5, 5, 3)),
    ],
)
def test_errors_as_keras(make, shape):
    for k in LIBS:
        with pytest.raises(ValueError):
            layer = make(k)
            layer(np.zeros(shape, "float32"))


def test_convnet_saves_and_loads(tmp_path):
    model = _convnet(nn)
    x = np.random.default_rng(2).random((4, 28, 28, 1)).astype("float32")
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "convnet.keras")
    loaded = nn.load_model(tmp_path / "convnet.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    assert [type(m).__name__ for m in loaded.layers] == [type(m).__name__ for m in model.layers]
    model.save_weights(tmp_path / "convnet.weights.h5")
    fresh = _convnet(nn)
    fresh.load_weights(tmp_path / "convnet.weights.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), expected)
