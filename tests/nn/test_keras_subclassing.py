"""Keras's subclassing API here and in Keras 3: the same layers and models, written
once for both libraries, given the same weights, compared on predict, evaluate, fit,
summary, weights; `nn.ops` and `nn.activations` against `keras.ops` and
`keras.activations`."""

import os
import re

import numpy as np
import pytest
from keras_tables import summary_rows

import nn
from autograd import Tensor

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

#: What the shared definitions below need from a library.
OURS = {"Layer": nn.Layer, "Model": nn.Model, "Dense": nn.Dense, "ops": nn.ops}
THEIRS = {
    "Layer": keras.layers.Layer,
    "Model": keras.Model,
    "Dense": keras.layers.Dense,
    "ops": keras.ops,
}


def simple_dense(lib):
    """Deep Learning with Python, chapter 3, with `name` passed on."""
    ops = lib["ops"]

    class SimpleDense(lib["Layer"]):
        def __init__(self, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.activation = activation
            self.built_with = []

        def build(self, input_shape):
            self.built_with.append(tuple(input_shape))
            input_dim = input_shape[-1]
            self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            y = ops.matmul(inputs, self.W) + self.b
            if self.activation is not None:
                y = self.activation(y)
            return y

    return SimpleDense


def ticket_model(lib):
    """Chapter 7's CustomerTicketModel, scaled down to one input and one output: the
    title and body columns are concatenated with `ops.concatenate`."""
    ops, dense = lib["ops"], lib["Dense"]
    simple = simple_dense(lib)

    class CustomerTicketModel(lib["Model"]):
        def __init__(self, hidden, **kwargs):
            super().__init__(**kwargs)
            self.mixing_layer = simple(hidden, activation=ops.relu)
            self.priority_scorer = dense(1, activation="sigmoid")

        def call(self, inputs, training=False):
            title, body = inputs[:, :3], inputs[:, 3:]
            features = ops.concatenate([title, ops.tanh(body)], axis=-1)
            return self.priority_scorer(self.mixing_layer(features))

    return CustomerTicketModel


def data(n=48, features=7, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = (x @ rng.normal(size=features) > 0).astype(np.float32).reshape(-1, 1)
    return x, y


def test_simple_dense_matches_keras():
    x = data()[0]
    theirs = simple_dense(THEIRS)(4, activation=keras.ops.relu)
    ours = simple_dense(OURS)(4, activation=nn.ops.relu)
    k_out, o_out = theirs(x), ours(x)
    assert ours.built_with == theirs.built_with == [(48, 7)]  # once, with the batch axis
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).data, np.asarray(theirs(x)), rtol=1e-6, atol=1e-6)
    assert o_out.shape == tuple(k_out.shape) and ours.built_with == [(48, 7)]
    assert ours.count_params() == theirs.count_params() == 32
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    # Keras's random_normal draws N(0, 0.05**2), zeros for the bias
    fresh = simple_dense(OURS)(2000)
    fresh(x)
    assert abs(fresh.W.data.std() - 0.05) < 0.002 and not fresh.b.data.any()


def test_subclassed_model_predicts_evaluates_and_fits_as_keras():
    x, y = data()
    keras.utils.set_random_seed(0)
    theirs = ticket_model(THEIRS)(8)
    ours = ticket_model(OURS)(8)
    theirs.predict(x[:2], verbose=0)  # builds
    ours.predict(x[:2], verbose=0)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    theirs.compile(
        optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"]
    )
    ours.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"], lr=0.1)
    k_eval = theirs.evaluate(x, y, verbose=0)
    o_eval = ours.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(o_eval, k_eval, rtol=1e-5)
    k_hist = theirs.fit(x, y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    o_hist = ours.fit(x, y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(o_hist.history["loss"], k_hist.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(o_hist.history["accuracy"], k_hist.history["accuracy"])
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert o_hist.history["loss"][-1] < o_hist.history["loss"][0]


def test_frozen_layers_are_left_alone_by_fit_as_in_keras():
    x, y = data()
    keras.utils.set_random_seed(1)
    theirs, ours = ticket_model(THEIRS)(5), ticket_model(OURS)(5)
    theirs.predict(x[:2], verbose=0)
    ours.predict(x[:2], verbose=0)
    ours.set_weights(theirs.get_weights())
    theirs.priority_scorer.trainable = False
    ours.priority_scorer.trainable = False
    frozen = ours.priority_scorer.get_weights()
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 2
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights) == 2
    theirs.compile(optimizer=keras.optimizers.SGD(0.2), loss="mse")
    ours.compile(optimizer="sgd", loss="mse", learning_rate=0.2)
    k_hist = theirs.fit(x, y, epochs=3, batch_size=12, shuffle=False, verbose=0)
    o_hist = ours.fit(x, y, epochs=3, batch_size=12, shuffle=False, verbose=0)
    np.testing.assert_allclose(o_hist.history["loss"], k_hist.history["loss"], rtol=1e-5)
    for a, b in zip(ours.priority_scorer.get_weights(), frozen, strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    text = ours.summary(print_fn=None)
    trainable = sum(int(np.prod(w.shape)) for w in theirs.trainable_weights)
    assert f"Trainable params: {trainable}" in text and "Non-trainable params: 6" in text


def values(out):
    return np.asarray(out.data if isinstance(out, Tensor) else out)


def dropping_model(lib, dropout):
    class Net(lib["Model"]):
        def __init__(self):
            super().__init__()
            self.dense = lib["Dense"](64, kernel_initializer="ones")
            self.dropout = dropout(0.5)
            self.seen = []

        def call(self, inputs, training=False):
            self.seen.append(bool(training))
            return self.dropout(self.dense(inputs), training=training)

    return Net()


@pytest.mark.parametrize("lib", ["keras", "nn"])
def test_training_flag_reaches_dropout_as_in_keras(lib):
    x = np.ones((8, 2), dtype=np.float32)
    y = np.zeros((8, 64), dtype=np.float32)
    if lib == "keras":
        model = dropping_model(THEIRS, keras.layers.Dropout)
        model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", run_eagerly=True)
    else:
        model = dropping_model(OURS, nn.Dropout)
        model.compile(optimizer="sgd", loss="mse", learning_rate=0.0)
    np.testing.assert_array_equal(values(model(x)), 2.0)  # inference: nothing dropped
    dropped = values(model(x, training=True))
    assert set(np.unique(dropped)) == {0.0, 4.0}  # dropped, the rest scaled by 2
    assert 0.3 < np.mean(dropped == 0) < 0.7
    model.seen.clear()
    loss = model.fit(x, y, epochs=1, batch_size=8, verbose=0).history["loss"][0]
    assert 5.0 < loss < 11.0  # 16 * (the fraction kept): 4 without dropout
    assert model.seen[-1] is True
    model.seen.clear()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(4.0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), 2.0)
    assert model.seen == [False, False]


def test_weights_order_and_trainable_as_keras():
    def mixed(lib):
        simple = simple_dense(lib)

        class Mixed(lib["Layer"]):
            def __init__(self):
                super().__init__()
                self.inner = simple(2)

            def build(self, input_shape):
                self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)
                self.scale = self.add_weight(shape=(2,), initializer="ones")

            def call(self, inputs):
                return self.inner(inputs) * self.scale + self.count

        return Mixed()

    x = data()[0]
    theirs, ours = mixed(THEIRS), mixed(OURS)
    theirs(x)
    ours(x)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ours.set_weights([np.full(w.shape, i + 1.0) for i, w in enumerate(theirs.get_weights())])
    np.testing.assert_array_equal(ours.scale.data, [1.0, 1.0])
    np.testing.assert_array_equal(ours.count.data, 2.0)
    for layer in (theirs, ours):
        layer.inner.trainable = False
        assert len(layer.trainable_weights) == 1 and len(layer.non_trainable_weights) == 3
        layer.trainable = False
        assert len(layer.trainable_weights) == 0
        layer.trainable = True  # the sub-layer too; the weight made non-trainable stays so
        assert len(layer.trainable_weights) == 3 and len(layer.non_trainable_weights) == 1
        assert layer.count_params() == 7 * 2 + 2 + 2 + 1


def keras_rows(text):
    """(name, type, params) of each row of Keras 3's summary, and its totals."""
    rows = re.findall(r"│ (\S+) \((\w+)\)\s+│ [^│]+│\s+([\d,]+) │", text)
    totals = re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)
    return rows, totals


def test_summary_lists_what_keras_lists():
    x = data()[0]
    keras.backend.clear_session()  # Keras numbers layer names per session
    theirs = ticket_model(THEIRS)(8, name="tickets")
    nn.utils.clear_session()
    ours = ticket_model(OURS)(8, name="tickets")
    theirs.predict(x, verbose=0)
    ours.predict(x, verbose=0)
    captured = []
    theirs.summary(print_fn=lambda line, line_break=True: captured.append(line))
    k_rows, k_totals = keras_rows("\n".join(captured))
    text = ours.summary(print_fn=None)
    lines = text.splitlines()
    assert lines[0] == 'Model: "tickets"' and 'Model: "tickets"' in captured[0]
    o_rows, o_totals = keras_rows(text)  # the same table as Keras 3's
    assert o_rows == k_rows == [("simple_dense", "SimpleDense", "64"), ("dense", "Dense", "9")]
    assert o_totals == k_totals
    assert "(None, 8)" in lines[4] and "(None, 1)" in lines[6]


def _dict_ticket_model(lib):
    """Deep Learning with Python's CustomerTicketModel: a dict of inputs to `call`."""

    class CustomerTicketModel(lib.Model):
        def __init__(self, num_departments):
            super().__init__()
            self.concat_layer = lib.layers.Concatenate()
            self.mixing_layer = lib.layers.Dense(8, activation="relu")
            self.priority_scorer = lib.layers.Dense(1, activation="sigmoid")
            self.department_classifier = lib.layers.Dense(num_departments, activation="softmax")

        def call(self, inputs):
            features = self.concat_layer([inputs["title"], inputs["text_body"], inputs["tags"]])
            features = self.mixing_layer(features)
            return self.priority_scorer(features), self.department_classifier(features)

    return CustomerTicketModel(num_departments=3)


def test_summary_of_a_model_fitted_on_a_dict_of_inputs_lists_what_keras_lists():
    """After `fit` on a dict of inputs, `summary` ran one zero sample of no fields
    through `call` and crashed in `inputs["title"]` (an IndexError of GetItem)."""
    rng = np.random.default_rng(0)
    inputs = {
        "title": rng.integers(0, 2, size=(16, 6)).astype(np.float32),
        "text_body": rng.integers(0, 2, size=(16, 5)).astype(np.float32),
        "tags": rng.integers(0, 2, size=(16, 2)).astype(np.float32),
    }
    targets = [rng.random((16, 1)), np.eye(3)[rng.integers(0, 3, 16)]]
    models = {}
    for lib in (keras, nn):
        models[lib] = _dict_ticket_model(lib)
        models[lib].compile(optimizer="rmsprop", loss=["mse", "categorical_crossentropy"])
        models[lib].fit(inputs, targets, epochs=1, verbose=0)
    captured = []
    models[keras].summary(print_fn=lambda line, line_break=True: captured.append(line))
    theirs, their_totals = keras_rows("\n".join(captured))
    ours, our_totals = summary_rows(models[nn].summary(print_fn=None))
    assert [(name, kind, params) for name, kind, _, params in ours] == theirs
    # Keras lists the last call's batch size (16) where a Sequential lists None
    assert [shape for *_, shape, _ in ours] == ["(None, 13)", "(None, 8)", "(None, 1)", "(None, 3)"]
    weights = 13 * 8 + 8 + 9 + 27
    # the total counts RMSprop's variables too: a velocity per weight, its step and rate
    assert our_totals == their_totals
    assert our_totals[0] == ("Total", f"{weights + weights + 2:,}")


@pytest.mark.parametrize(
    ("name", "arity", "kwargs"),
    [
        ("add", 2, {}),
        ("subtract", 2, {}),
        ("multiply", 2, {}),
        ("divide", 2, {}),
        ("matmul", 2, {}),
        ("maximum", 2, {}),
        ("minimum", 2, {}),
        ("dot", 2, {}),
        ("relu", 1, {}),
        ("sigmoid", 1, {}),
        ("tanh", 1, {}),
        ("softmax", 1, {}),
        ("softmax", 1, {"axis": 0}),
        ("log_softmax", 1, {}),
        ("exp", 1, {}),
        ("log", 1, {}),
        ("sqrt", 1, {}),
        ("square", 1, {}),
        ("abs", 1, {}),
        ("absolute", 1, {}),
        ("negative", 1, {}),
        ("gelu", 1, {}),
        ("gelu", 1, {"approximate": False}),
        ("silu", 1, {}),
        ("elu", 1, {"alpha": 0.5}),
        ("leaky_relu", 1, {}),
        ("softplus", 1, {}),
        ("sum", 1, {}),
        ("sum", 1, {"axis": 1, "keepdims": True}),
        ("mean", 1, {"axis": (0, 2)}),
        ("max", 1, {"axis": -1}),
        ("max", 1, {"axis": 0, "keepdims": True, "initial": 0.3}),
        ("min", 1, {"axis": 1, "initial": -0.1}),
        ("var", 1, {"axis": 1}),
        ("std", 1, {}),
        ("logsumexp", 1, {"axis": -1, "keepdims": True}),
        ("argmax", 1, {"axis": 1}),
        ("argmin", 1, {}),
        ("reshape", 1, {"newshape": (4, -1)}),
        ("transpose", 1, {}),
        ("transpose", 1, {"axes": (1, 0, 2)}),
        ("expand_dims", 1, {"axis": 1}),
        ("squeeze", 1, {"axis": None}),
        ("clip", 1, {"x_min": -0.5, "x_max": 0.7}),
        ("cast", 1, {"dtype": "float16"}),
        ("convert_to_tensor", 1, {}),
        ("zeros_like", 1, {}),
        ("ones_like", 1, {"dtype": "float32"}),
        ("shape", 1, {}),
    ],
)
def test_ops_match_keras_ops(name, arity, kwargs):
    rng = np.random.default_rng(0)
    shapes = {"matmul": [(2, 3, 4), (4, 5)], "dot": [(2, 3, 4), (5, 4, 2)]}
    args = [rng.normal(size=s).astype(np.float32) for s in shapes.get(name, [(2, 3, 4)] * arity)]
    if name in ("log", "sqrt"):
        args = [np.abs(a) + 0.1 for a in args]
    if name == "squeeze":
        args = [args[0][:, :1]]
    ours = getattr(nn.ops, name)(*args, **kwargs)
    theirs = getattr(keras.ops, name)(*args, **kwargs)
    if name == "shape":
        assert ours == tuple(theirs)
        return
    ours = ours.data
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype.kind == theirs.dtype.kind
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=2e-6)


def test_ops_squeeze_of_an_axis_longer_than_one_raises_as_keras():
    x = np.zeros((2, 1, 3), np.float32)
    assert nn.ops.squeeze(x, 1).shape == tuple(keras.ops.squeeze(x, 1).shape) == (2, 3)
    for axis in (0, (1, 2)):
        with pytest.raises(ValueError):
            keras.ops.squeeze(x, axis)
        with pytest.raises(ValueError, match="cannot squeeze axis"):
            nn.ops.squeeze(x, axis)


def test_ops_making_and_joining_match_keras_ops():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 3)).astype(np.float32), rng.normal(size=(2, 3)).astype(np.float32)
    cond = a > 0
    pairs = [
        (nn.ops.concatenate([a, b], axis=1), keras.ops.concatenate([a, b], axis=1)),
        (nn.ops.concatenate([a, b]), keras.ops.concatenate([a, b])),
        (nn.ops.stack([a, b], axis=-1), keras.ops.stack([a, b], axis=-1)),
        (nn.ops.where(cond, a, b), keras.ops.where(cond, a, b)),
        (nn.ops.zeros((2, 3)), keras.ops.zeros((2, 3))),
        (nn.ops.ones(4), keras.ops.ones(4)),
    ]
    for ours, theirs in pairs:
        assert ours.dtype == np.asarray(theirs).dtype
        np.testing.assert_allclose(ours.data, np.asarray(theirs), rtol=1e-7)
    for ours, theirs in zip(nn.ops.where(cond), keras.ops.where(cond), strict=True):
        np.testing.assert_array_equal(ours.data, np.asarray(theirs))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("relu", {}),
        ("relu", {"negative_slope": 0.1}),
        ("relu", {"max_value": 0.8}),
        ("relu", {"max_value": 6.0}),
        ("relu", {"threshold": 0.4}),
        ("relu", {"negative_slope": 0.3, "max_value": 1.0, "threshold": -0.5}),
        ("sigmoid", {}),
        ("tanh", {}),
        ("softmax", {}),
        ("softmax", {"axis": 0}),
        ("log_softmax", {}),
        ("gelu", {}),
        ("gelu", {"approximate": True}),
        ("elu", {}),
        ("leaky_relu", {}),
        ("silu", {}),
        ("swish", {}),
        ("softplus", {}),
        ("linear", {}),
        ("exponential", {}),
    ],
)
def test_activation_functions_match_keras(name, kwargs):
    x = np.random.default_rng(2).normal(size=(4, 5)).astype(np.float32) * 3
    ours = getattr(nn.activations, name)(x, **kwargs)
    theirs = np.asarray(getattr(keras.activations, name)(x, **kwargs))
    np.testing.assert_allclose(values(ours), theirs, rtol=2e-6, atol=2e-6)
