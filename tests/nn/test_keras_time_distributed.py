"""`nn.layers.TimeDistributed`, `SpatialDropout2D` and `SpatialDropout3D` against Keras 3
(JAX backend): outputs and gradients from the same weights (float64), TimeDistributed
Dense and Conv2D models (summaries, fits), configs, names, saving."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from keras_tables import keras_summary_text

import nn
from autograd import Tensor
from nn import layers, recurrent_cells_keras, rnn_keras, spatial_dropout, time_distributed

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

TOL = {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture(autouse=True)
def fresh_names_and_float64():
    nn.utils.clear_session()
    keras.utils.clear_session()
    with jax.enable_x64(True):  # JAX computes in float64 only inside
        yield


def _rng(seed=0):
    return np.random.default_rng(seed)


def _pair(make_ours, make_theirs, shape):
    ours = layers.TimeDistributed(make_ours(), dtype="float64")
    theirs = keras.layers.TimeDistributed(make_theirs(), dtype="float64")
    ours.build(shape)
    theirs.build(shape)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    values = [_rng(i).normal(size=w.shape) for i, w in enumerate(theirs.get_weights())]
    theirs.set_weights(values)
    ours.set_weights(values)
    return ours, theirs


CASES = {
    "dense": (
        lambda: layers.Dense(3, activation="relu", dtype="float64"),
        lambda: keras.layers.Dense(3, activation="relu", dtype="float64"),
        (2, 5, 4),
    ),
    "dense_4d": (
        lambda: layers.Dense(3, dtype="float64"),
        lambda: keras.layers.Dense(3, dtype="float64"),
        (2, 4, 3, 4),
    ),
    "conv2d": (
        lambda: layers.Conv2D(4, 3, padding="same", dtype="float64"),
        lambda: keras.layers.Conv2D(4, 3, padding="same", dtype="float64"),
        (2, 3, 6, 5, 2),
    ),
    "conv2d_valid": (
        lambda: layers.Conv2D(2, (2, 3), strides=2, dtype="float64"),
        lambda: keras.layers.Conv2D(2, (2, 3), strides=2, dtype="float64"),
        (1, 1, 7, 8, 3),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_time_distributed_matches_keras(case):
    make_ours, make_theirs, shape = CASES[case]
    ours, theirs = _pair(make_ours, make_theirs, shape)
    x = _rng(5).normal(size=shape)
    expected = np.asarray(theirs(x))
    got = ours(x)
    assert got.dtype == np.float64 and got.shape == expected.shape
    assert got.shape == tuple(theirs.compute_output_shape(shape))
    np.testing.assert_allclose(got.data, expected, **TOL)


@pytest.mark.parametrize("case", CASES)
def test_time_distributed_gradients_match_keras(case):
    make_ours, make_theirs, shape = CASES[case]
    ours, theirs = _pair(make_ours, make_theirs, shape)
    x = _rng(5).normal(size=shape)
    upstream = _rng(6).normal(size=tuple(theirs.compute_output_shape(shape)))

    def loss(weights, inputs):
        y, _ = theirs.stateless_call(weights, [], inputs)
        return (y * upstream).sum()

    trainable = [np.asarray(w, np.float64) for w in theirs.get_weights()]
    d_weights, d_x = jax.grad(loss, argnums=(0, 1))(trainable, x)
    xt = Tensor(x, requires_grad=True)
    (ours(xt) * Tensor(upstream)).sum().backward()
    np.testing.assert_allclose(xt.grad.data, np.asarray(d_x), **TOL)
    for w, expected in zip(ours.trainable_weights, d_weights, strict=True):
        np.testing.assert_allclose(w.grad.data, np.asarray(expected), **TOL)


def test_the_weights_are_shared_by_every_step():
    layer = layers.TimeDistributed(layers.Dense(2))
    x = _rng(1).normal(size=(3, 4, 5)).astype(np.float32)
    y = layer(x).data
    assert len(layer.weights) == 2 and layer.count_params() == 12
    for t in range(4):
        np.testing.assert_allclose(y[:, t], layer.layer(x[:, t]).data, rtol=1e-6)


def test_batch_normalization_sees_each_step_on_its_own_as_in_keras():
    """Keras runs the steps one by one: in training each step is normalized by its own
    batch statistics, and the moving statistics move once per step."""
    shape = (6, 3, 4)
    ours = layers.TimeDistributed(layers.BatchNormalization(momentum=0.5))
    theirs = keras.layers.TimeDistributed(keras.layers.BatchNormalization(momentum=0.5))
    x = (_rng(2).normal(size=shape) * 3 + 1).astype(np.float32)
    np.testing.assert_allclose(
        ours(x, training=True).data, np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-5
    )
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours(x).data, np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)


def test_dropout_inside_drops_in_training_only():
    layer = layers.TimeDistributed(layers.Dropout(0.5))
    x = np.ones((4, 6, 8), np.float32)
    np.testing.assert_array_equal(layer(x).data, x)
    dropped = layer(x, training=True).data
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 0 < (dropped == 0).mean() < 1
    assert not all(np.array_equal(dropped[:, 0], dropped[:, t]) for t in range(1, 6))


def _video_models(lib, lay):
    """A small video classifier: Conv2D on each frame, flattened, an LSTM, Dense."""
    inputs = lib.Input((4, 6, 6, 2))
    x = lay.TimeDistributed(lay.Conv2D(3, 3, activation="relu"))(inputs)
    x = lay.TimeDistributed(lay.Flatten())(x)
    x = lay.RNN(lay.LSTMCell(5))(x)
    functional = lib.Model(inputs, lay.Dense(1)(x))
    sequential = lib.Sequential(
        [
            lib.Input((5, 7)),
            lay.TimeDistributed(lay.Dense(8, activation="relu")),
            lay.SimpleRNN(4, return_sequences=True),
            lay.TimeDistributed(lay.Dense(1)),
        ]
    )
    return {"functional": functional, "sequential": sequential}


def test_time_distributed_models_summarize_and_fit_as_keras():
    rng = _rng(3)
    data = {
        "functional": (rng.normal(size=(16, 4, 6, 6, 2)), rng.normal(size=(16, 1))),
        "sequential": (rng.normal(size=(16, 5, 7)), rng.normal(size=(16, 5, 1))),
    }
    theirs, ours = _video_models(keras, keras.layers), _video_models(nn, layers)
    for name, (x, y) in data.items():
        x, y = x.astype(np.float32), y.astype(np.float32)
        values = [
            _rng(i).normal(size=w.shape) * 0.3 for i, w in enumerate(theirs[name].get_weights())
        ]
        theirs[name].set_weights(values)
        ours[name].set_weights(values)
        # the whole table: names (wrapped as Keras wraps them), shapes, counts
        assert ours[name].summary(print_fn=None) == keras_summary_text(theirs[name]), name
        history = {}
        for lib, model in ((keras, theirs[name]), (nn, ours[name])):
            model.compile(optimizer="adam", loss="mse")
            history[lib] = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
        np.testing.assert_allclose(history[nn]["loss"], history[keras]["loss"], rtol=1e-4)


def test_time_distributed_config_and_name_are_keras_s():
    ours = layers.TimeDistributed(layers.Dense(3, name="inner"))
    theirs = keras.layers.TimeDistributed(keras.layers.Dense(3, name="inner"))
    assert ours.name == theirs.name == "time_distributed"
    assert layers.TimeDistributed(layers.Dense(1)).name == "time_distributed_1"
    config, keras_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(keras_config)
    assert config["layer"]["class_name"] == keras_config["layer"]["class_name"] == "Dense"
    assert config["layer"]["config"]["units"] == 3
    rebuilt = layers.TimeDistributed.from_config(config)
    assert isinstance(rebuilt.layer, layers.Dense) and rebuilt.layer is not ours.layer
    assert rebuilt.get_config() == config


def test_time_distributed_refuses_what_keras_refuses():
    with pytest.raises(ValueError, match="Layer"):
        layers.TimeDistributed("dense")
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3), np.float32))


def test_saved_models_with_the_new_layers_load_with_their_weights(tmp_path):
    model = nn.Sequential(
        [
            nn.Input((5, 4, 4, 2)),
            layers.TimeDistributed(layers.Conv2D(2, 3)),
            layers.SpatialDropout3D(0.2),
            layers.TimeDistributed(layers.Flatten()),
            layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_sequences=True),
            layers.RNN(layers.SimpleRNNCell(2), go_backwards=True),
        ]
    )
    x = _rng(4).normal(size=(3, 5, 4, 4, 2)).astype(np.float32)
    model.save(tmp_path / "model.keras")
    loaded = nn.models.load_model(tmp_path / "model.keras")
    assert [type(m) for m in loaded.layers] == [type(m) for m in model.layers]
    assert [m.name for m in loaded.layers] == [m.name for m in model.layers]
    np.testing.assert_array_equal(loaded(x).data, model(x).data)


# ---- SpatialDropout2D / 3D


@pytest.mark.parametrize(("kind", "rank"), [("SpatialDropout2D", 2), ("SpatialDropout3D", 3)])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_spatial_dropout_drops_whole_maps_in_training(kind, rank, data_format):
    layer = getattr(layers, kind)(0.4, data_format=data_format, seed=3)
    shape = (8, 5, *(3,) * rank) if data_format == "channels_first" else (8, *(3,) * rank, 5)
    x = _rng(1).normal(size=shape) + 5.0  # no zeros of its own
    np.testing.assert_array_equal(layer(x).data, x.astype(np.float32))  # inference
    xt = Tensor(x, requires_grad=True)
    y = layer(xt, training=True)
    ratio = (y.data / x).reshape(8, 5, -1) if data_format == "channels_first" else None
    if ratio is None:
        ratio = np.moveaxis(y.data / x, -1, 1).reshape(8, 5, -1)
    for n in range(8):
        for c in range(5):  # each map: all dropped or all kept, scaled by 1 / (1 - rate)
            np.testing.assert_allclose(ratio[n, c], ratio[n, c, 0], rtol=1e-5)
            assert ratio[n, c, 0] == pytest.approx(0.0) or ratio[n, c, 0] == pytest.approx(
                1 / 0.6, rel=1e-5
            )
    assert 0 < (ratio[..., 0] == 0).mean() < 1
    y.sum().backward()
    np.testing.assert_allclose(xt.grad.data, y.data / x, rtol=1e-5)  # the mask


@pytest.mark.parametrize(("kind", "rank"), [("SpatialDropout2D", 2), ("SpatialDropout3D", 3)])
def test_spatial_dropout_config_name_and_errors_are_keras_s(kind, rank):
    ours = getattr(layers, kind)(0.3, seed=2, data_format="channels_first")
    theirs = getattr(keras.layers, kind)(0.3, seed=2, data_format="channels_first")
    assert ours.name == theirs.name
    assert ours.get_config() == theirs.get_config()
    assert getattr(layers, kind).from_config(ours.get_config()).get_config() == ours.get_config()
    with pytest.raises(ValueError, match=f"expected ndim={rank + 2}, found ndim=3"):
        ours(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="data_format"):
        getattr(layers, kind)(0.3, data_format="channels_middle")
    with pytest.raises(ValueError, match="rate"):
        getattr(layers, kind)(1.5)


def test_spatial_dropout_in_a_model_keeps_keras_s_shapes():
    model = nn.Sequential([nn.Input((6, 6, 2)), layers.Conv2D(3, 3), layers.SpatialDropout2D(0.5)])
    keras_model = keras.Sequential(
        [keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3), keras.layers.SpatialDropout2D(0.5)]
    )
    assert model.summary(print_fn=None) == keras_summary_text(keras_model)


@pytest.mark.parametrize(
    "module", [time_distributed, spatial_dropout, rnn_keras, recurrent_cells_keras]
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 2
