"""`nn.layers.SimpleRNN`, `LSTM`, `GRU` and `Bidirectional` against Keras 3 (JAX
backend) from the same weights: outputs, states, go_backwards, the merge modes,
weights and their order, summaries, saving, and 2-epoch fits of the recurrent models
of "Deep Learning with Python" chapter 10."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from keras_tables import keras_summary_rows, summary_rows

import nn
from autograd import Tensor
from nn import layers, recurrent_steps

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True, params=[True, False], ids=["fused", "composed"])
def fused(request, monkeypatch):
    """Each test once on the fused path (where a layer's equations allow it), once on
    the composed steps."""
    monkeypatch.setattr(recurrent_steps, "FUSED", request.param)
    return request.param


TOL = {"rtol": 2e-5, "atol": 2e-6}
KINDS = [
    ("SimpleRNN", {}),
    ("LSTM", {}),
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
    ("LSTM", {"use_bias": False, "activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("SimpleRNN", {"use_bias": False, "activation": "relu"}),
    ("GRU", {"use_bias": False}),
]


def _inputs(shape=(3, 6, 4), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _pair(kind, features=4, **kwargs):
    """The layer from Keras and from nn, built for `features`, ours with Keras's weights."""
    theirs = getattr(keras.layers, kind)(**kwargs)
    ours = getattr(layers, kind)(**kwargs)
    theirs.build((None, None, features))
    ours.build((None, None, features))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _compare(ours, theirs):
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _compare(a, b)
        return
    np.testing.assert_allclose(ours.data, np.asarray(theirs), **TOL)


@pytest.mark.parametrize(
    ("kind", "options", "return_sequences", "return_state", "go_backwards"),
    [(*k, *flags) for k in KINDS for flags in itertools.product((False, True), repeat=3)],
)
def test_outputs_and_states_match_keras(
    kind, options, return_sequences, return_state, go_backwards
):
    flags = {
        "return_sequences": return_sequences,
        "return_state": return_state,
        "go_backwards": go_backwards,
    }
    ours, theirs = _pair(kind, units=5, **options, **flags)
    x = _inputs()
    _compare(ours(x), theirs(x))


@pytest.mark.parametrize(
    ("kind", "options", "go_backwards"), [(*k, back) for k in KINDS for back in (False, True)]
)
def test_gradients_match_keras(kind, options, go_backwards):
    """Gradients of the inputs and of every weight, against JAX's of Keras's layer."""
    jax = pytest.importorskip("jax")
    ours, theirs = _pair(kind, units=5, return_sequences=True, go_backwards=go_backwards, **options)
    x = _inputs()
    weight = np.random.default_rng(1).normal(size=(3, 6, 5)).astype(np.float32)
    trainable = [v.value for v in theirs.trainable_variables]
    others = [v.value for v in theirs.non_trainable_variables]

    def loss(trainable, x):
        output, _ = theirs.stateless_call(trainable, others, x)
        return (output * weight).sum()

    weight_grads, input_grad = jax.grad(loss, argnums=(0, 1))(trainable, x)
    inputs = Tensor(x, requires_grad=True)
    (ours(inputs) * Tensor(weight)).sum().backward()
    np.testing.assert_allclose(inputs.grad.data, np.asarray(input_grad), rtol=1e-4, atol=1e-5)
    for w, g in zip(ours.trainable_weights, weight_grads, strict=True):
        np.testing.assert_allclose(w.grad.data, np.asarray(g), rtol=1e-4, atol=1e-5, err_msg=w.name)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_matches_keras(kind):
    ours, theirs = _pair(kind, units=5, return_sequences=True, return_state=True)
    rng = np.random.default_rng(1)
    states = [rng.normal(size=(3, 5)).astype(np.float32) for _ in range(2 if kind == "LSTM" else 1)]
    x = _inputs()
    _compare(ours(x, initial_state=states), theirs(x, initial_state=states))


@pytest.mark.parametrize(
    ("kind", "merge_mode", "return_sequences", "return_state"),
    list(
        itertools.product(
            ("LSTM", "GRU", "SimpleRNN"),
            ("concat", "sum", "ave", "mul", None),
            (False, True),
            (False, True),
        )
    ),
)
def test_bidirectional_matches_keras(kind, merge_mode, return_sequences, return_state):
    inner = {"units": 5, "return_sequences": return_sequences, "return_state": return_state}
    theirs = keras.layers.Bidirectional(getattr(keras.layers, kind)(**inner), merge_mode=merge_mode)
    ours = layers.Bidirectional(getattr(layers, kind)(**inner), merge_mode=merge_mode)
    theirs.build((None, 6, 4))
    ours.build((None, 6, 4))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    x = _inputs()
    _compare(ours(x), theirs(x))
    assert ours.forward_layer.name.startswith("forward_")
    assert ours.backward_layer.name.startswith("backward_") and ours.backward_layer.go_backwards


def test_bidirectional_refuses_what_keras_refuses():
    with pytest.raises(ValueError, match="Invalid merge mode"):
        layers.Bidirectional(layers.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(3))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(
            layers.LSTM(3), backward_layer=layers.LSTM(3, go_backwards=True, return_sequences=True)
        )
    with pytest.raises(ValueError, match="recurrent layer"):
        layers.Bidirectional(layers.Dense(3))


def test_weights_are_named_and_initialized_as_keras():
    layer = layers.LSTM(4)
    layer.build((None, 7, 3))
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    np.testing.assert_array_equal(layer.bias.data, [0] * 4 + [1] * 4 + [0] * 8)  # unit_forget_bias
    recurrent = layer.recurrent_kernel.data
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(4), atol=1e-5)  # orthogonal
    gru = layers.GRU(4)
    gru.build((None, 7, 3))
    assert gru.bias.shape == (2, 12)  # reset_after, Keras 3's default
    assert np.abs(layer.kernel.data).max() <= np.sqrt(6 / (3 + 16))  # glorot_uniform


def test_dropout_masks_are_fixed_per_sequence_and_only_in_training():
    layer = layers.SimpleRNN(6, dropout=0.5, return_sequences=True, seed=3)
    layer.build((None, 5, 4))
    layer.recurrent_kernel.data[...] = 0  # each output then depends on its own step only
    x = np.repeat(_inputs((2, 1, 4)), 5, axis=1)  # the same input at every step
    trained = layer(x, training=True).data
    np.testing.assert_allclose(trained, np.repeat(trained[:, :1], 5, axis=1), rtol=1e-6)
    inferred = layer(x).data
    assert not np.allclose(trained, inferred)
    np.testing.assert_array_equal(inferred, layer(x, training=False).data)
    assert not np.allclose(trained, layer(x, training=True).data)  # new masks each call


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_dropout_changes_training_outputs_only(kind):
    ours, theirs = _pair(kind, units=5, recurrent_dropout=0.3, dropout=0.2)
    x = _inputs()
    _compare(ours(x), theirs(x))  # inference: the masks are off, Keras's outputs
    assert not np.allclose(ours(x, training=True).data, ours(x).data)


@pytest.mark.parametrize(("kind", "options"), KINDS)
def test_config_has_keras_s_keys_and_values(kind, options):
    options = {**options, "dropout": 0.25, "go_backwards": True, "name": "recurrent"}
    ours = getattr(layers, kind)(7, **options).get_config()
    theirs = getattr(keras.layers, kind)(7, **options).get_config()
    assert set(ours) | {"activity_regularizer"} == set(theirs)  # (save adds the regularizer)
    for key, value in theirs.items():
        if key in ours and (isinstance(value, (str, bool, int, float)) or value is None):
            assert ours[key] == value, key
    assert getattr(layers, kind).from_config(ours).get_config() == ours


def test_initializers_regularizers_and_constraints_rebuild_from_the_config():
    layer = layers.LSTM(
        3,
        kernel_initializer=nn.initializers.HeNormal(seed=1),
        recurrent_regularizer="l2",
        bias_constraint="non_neg",
    )
    layer.build((None, 4, 2))
    config = layer.get_config()
    assert config["kernel_initializer"] == {"class_name": "HeNormal", "config": {"seed": 1}}
    again = layers.LSTM.from_config(config)
    again.build((None, 4, 2))
    assert again.get_config() == config
    np.testing.assert_array_equal(again.kernel.data, layer.kernel.data)  # the same seed


def test_weight_penalties_are_keras_s():
    ours, theirs = _pair("GRU", units=4, kernel_regularizer="l2", recurrent_regularizer="l1")
    x = _inputs()
    ours(x), theirs(x)
    np.testing.assert_allclose(
        sum(p.data for p in ours.losses), sum(np.asarray(p) for p in theirs.losses), rtol=1e-5
    )


def test_stateful_is_refused_with_a_clear_error():
    with pytest.raises(NotImplementedError, match="stateful"):
        layers.LSTM(3, stateful=True)


def _chapter10_models(k, lay, features):
    """Chapter 10's temperature-forecasting models (smaller sequences): LSTM(16), the
    GRU(32) and Bidirectional(LSTM(16)), and a stacked GRU returning sequences."""
    builds = {
        "lstm": lambda x: lay.LSTM(16)(x),
        "gru": lambda x: lay.GRU(32)(x),
        "bidirectional": lambda x: lay.Bidirectional(lay.LSTM(16))(x),
        "stacked": lambda x: lay.GRU(8)(lay.GRU(8, return_sequences=True)(x)),
    }
    models = {}
    for name, body in builds.items():
        inputs = k.Input(shape=(10, features))
        outputs = lay.Dense(1)(body(inputs))
        models[name] = k.Model(inputs, outputs)
    return models


def test_chapter10_models_summarize_and_fit_as_keras():
    rng = np.random.default_rng(0)
    features = 5
    x = rng.normal(size=(96, 10, features)).astype(np.float32)
    y = rng.normal(size=(96,)).astype(np.float32)
    keras.utils.set_random_seed(0)
    theirs = _chapter10_models(keras, keras.layers, features)
    ours = _chapter10_models(nn, layers, features)
    for name in theirs:
        ours[name].set_weights(theirs[name].get_weights())
        assert (
            summary_rows(ours[name].summary(print_fn=None))[1]
            == keras_summary_rows(theirs[name])[1]
        )
        assert [r[2:] for r in summary_rows(ours[name].summary(print_fn=None))[0]] == [
            r[2:] for r in keras_summary_rows(theirs[name])[0]
        ]
        history = {}
        for lib, model in ((keras, theirs[name]), (nn, ours[name])):
            model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
            history[lib] = model.fit(
                x, y, epochs=2, batch_size=32, shuffle=False, verbose=0
            ).history
        assert list(history[nn]) == list(history[keras])
        for key in history[keras]:
            np.testing.assert_allclose(
                history[nn][key], history[keras][key], rtol=1e-4, err_msg=name
            )


def test_chapter10_gru_with_recurrent_dropout_trains():
    """The book's `GRU(32, recurrent_dropout=0.25)` + Dropout(0.5): random masks, so only
    that it trains (the masks differ from Keras's draws)."""
    inputs = nn.Input(shape=(10, 5))
    x = layers.GRU(32, recurrent_dropout=0.25)(inputs)
    x = layers.Dropout(0.5)(x)
    model = nn.Model(inputs, layers.Dense(1)(x))
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    history = model.fit(
        rng.normal(size=(64, 10, 5)).astype("float32"), rng.normal(size=64), epochs=2, verbose=0
    )
    assert list(history.history) == ["loss", "mae"]
    assert np.isfinite(history.history["loss"]).all()


def test_chapter11_imdb_bidirectional_lstm_matches_keras():
    """Chapter 11: Embedding + Bidirectional(LSTM(32)) + Dropout + Dense(sigmoid)."""

    def build(k, lay):
        inputs = k.Input(shape=(None,), dtype="int64")
        embedded = lay.Embedding(input_dim=50, output_dim=8)(inputs)
        x = lay.Bidirectional(lay.LSTM(32))(embedded)
        outputs = lay.Dense(1, activation="sigmoid")(x)
        return k.Model(inputs, outputs)

    theirs, ours = build(keras, keras.layers), build(nn, layers)
    ours.set_weights(theirs.get_weights())
    tokens = np.random.default_rng(0).integers(1, 50, size=(4, 9))
    _compare(ours.predict(tokens, verbose=0), theirs.predict(tokens, verbose=0))


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.LSTM(4, return_sequences=True, unit_forget_bias=False, dropout=0.1),
        lambda: layers.GRU(3, reset_after=False, go_backwards=True),
        lambda: layers.Bidirectional(layers.SimpleRNN(3), merge_mode="sum"),
    ],
)
def test_saved_models_load_with_their_weights(make, tmp_path):
    model = nn.Sequential([nn.Input((6, 4)), make(), layers.Dense(2)])
    x = _inputs()
    expected = model.predict(x, verbose=0)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = nn.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    assert loaded.layers[0].get_config() == model.layers[0].get_config()


def test_bidirectional_weights_argument_sets_the_first_weights():
    """`Bidirectional(layer, weights=W)` starts from W (Keras 3 accepts the argument and
    ignores it; here it is applied when the layer is built, as Keras 2 did)."""
    x = np.random.default_rng(3).standard_normal((2, 4, 3)).astype(np.float32)
    reference = layers.Bidirectional(layers.LSTM(2))
    reference(Tensor(x))
    weights = [w * 0.5 + 0.1 for w in reference.get_weights()]
    given = layers.Bidirectional(layers.LSTM(2), weights=weights)
    out = given(Tensor(x)).numpy()
    for w, v in zip(given.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(w, v)
    reference.set_weights(weights)
    np.testing.assert_allclose(out, reference(Tensor(x)).numpy(), rtol=1e-6)
