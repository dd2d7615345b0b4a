"""The Keras code of "Hands-On Machine Learning with Scikit-Learn, Keras and
TensorFlow" (3rd edition), chapter 11 (training deep networks), run as the book writes
it with Keras and with `nn`, on small synthetic data shaped like Fashion-MNIST, from
the same initial weights (copied from the Keras model) and in the same batch order
(`shuffle=False`), compared number by number: activations and initializers, batch
normalization, optimizers, learning-rate schedules, dropout, Monte Carlo dropout,
max-norm and l2 regularization."""

import functools
import math
import re

import numpy as np
import pytest
from keras_tables import keras_summary_text
from test_geron_vs_keras import _close, _fashion_split, _same_weights

import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]


@pytest.fixture(autouse=True)
def _seed():
    """The book's `tf.random.set_seed(42)`: Keras's initial weights (copied into ours)."""
    keras.utils.set_random_seed(42)


def _train(build, optimizer, epochs=2):
    """Build the model with each library (Keras's weights copied into nn's), compile it
    for Fashion-MNIST with `optimizer(k)` and fit it with validation data. Returns the
    models and the histories by library."""
    (X_train, y_train), (X_valid, y_valid), _ = _fashion_split()
    models = {k: build(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history = {}
    for k, model in models.items():
        model.compile(
            loss="sparse_categorical_crossentropy", optimizer=optimizer(k), metrics=["accuracy"]
        )
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=epochs,
            validation_data=(X_valid, y_valid),
            shuffle=False,
            verbose=0,
        )
    return models, history


def _assert_trained_alike(models, history):
    _close(history[nn].history, history[keras].history)
    _same_weights(models[nn].get_weights(), models[keras].get_weights())


def _selu_network(k):
    model = k.Sequential()
    model.add(k.layers.Flatten(input_shape=[28, 28]))
    for _ in range(5):  # the book stacks 100
        model.add(k.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal"))
    model.add(k.layers.Dense(10, activation="softmax"))
    return model


def test_selu_network_trains_as_keras():
    models, history = _train(
        _selu_network, lambda k: k.optimizers.SGD(learning_rate=0.001, momentum=0.9)
    )
    _assert_trained_alike(models, history)


@pytest.mark.parametrize(
    "name",
    ["selu", "mish", "relu6", "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu"],
)
def test_activation_names_as_keras(name):
    """Keras's names as Dense's and Activation's `activation` (with Keras's arguments:
    "leaky_relu" has slope 0.2), values and one step of training."""

    def build(k):
        return k.Sequential(
            [
                k.layers.Flatten(input_shape=[28, 28]),
                k.layers.Dense(30, activation=name, kernel_initializer="he_normal"),
                k.layers.Dense(30),
                k.layers.Activation(name),
                k.layers.Dense(10, activation="softmax"),
            ]
        )

    models, history = _train(build, lambda k: k.optimizers.SGD(learning_rate=0.1), epochs=1)
    _assert_trained_alike(models, history)
    x = _fashion_split()[0][0][:5].astype("float32") * 8 - 4  # both sides of every kink
    np.testing.assert_allclose(
        models[nn].predict(x, verbose=0), models[keras].predict(x, verbose=0), rtol=1e-5, atol=1e-7
    )


def _leaky_relu_network(k):
    leaky_relu = k.layers.LeakyReLU(negative_slope=0.2)
    return k.Sequential(
        [
            k.layers.Flatten(input_shape=[28, 28]),
            k.layers.Dense(50, activation=leaky_relu, kernel_initializer="he_normal"),
            k.layers.Dense(50, kernel_initializer="he_normal"),  # no activation
            k.layers.LeakyReLU(negative_slope=0.2),  # activation as a separate layer
            k.layers.Dense(50, activation="leaky_relu", kernel_initializer="he_normal"),
            k.layers.Dense(10, activation="softmax"),
        ]
    )


def test_leaky_relu_layer_and_name_train_as_keras():
    models, history = _train(
        _leaky_relu_network,
        lambda k: k.optimizers.SGD(learning_rate=0.001, momentum=0.9, nesterov=True),
    )
    _assert_trained_alike(models, history)
    layers = {k: model.layers[3] for k, model in models.items()}
    assert type(layers[nn]).__name__ == "LeakyReLU"
    assert layers[nn].negative_slope == pytest.approx(layers[keras].negative_slope)
    assert layers[nn].name.startswith("leaky_re_lu")
    assert nn.layers.LeakyReLU().negative_slope == keras.layers.LeakyReLU().negative_slope == 0.3


def test_leaky_relu_layer_saves_and_loads(tmp_path):
    model = _leaky_relu_network(nn)
    model.build((None, 28, 28))
    x = _fashion_split()[0][0][:4]
    model.save(tmp_path / "model.keras")
    loaded = nn.load_model(tmp_path / "model.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[3].name == model.layers[3].name
    assert loaded.layers[3].negative_slope == 0.2


def _mc_dropout(k):
    class MCDropout(k.layers.Dropout):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)

    return MCDropout


def test_mc_dropout_subclass_drops_in_predict_as_keras():
    """The book's `MCDropout(keras.layers.Dropout)` overriding `call`: `predict` runs
    its call, so it drops (nn ran Dropout's own forward: no dropout in predict)."""
    x = np.ones((50, 8), dtype="float32")
    values = {}
    for k in LIBS:
        mc_model = k.Sequential([k.layers.Input(shape=[8]), _mc_dropout(k)(0.5)])
        plain = k.Sequential([k.layers.Input(shape=[8]), k.layers.Dropout(0.5)])
        y = mc_model.predict(x, verbose=0)
        values[k] = set(np.unique(y).tolist())
        assert 0.3 < (y == 0).mean() < 0.7
        np.testing.assert_array_equal(plain.predict(x, verbose=0), x)
        assert type(mc_model.layers[0]).__name__ == "MCDropout"
        assert mc_model.layers[0].name == "mc_dropout"
    assert values[nn] == values[keras] == {0.0, 2.0}


def test_mc_dropout_model_as_the_book_builds_it():
    """Dropout layers swapped for MCDropout, Keras's weights set, 100 predictions
    averaged; and the model called with training=True stacked as the book does."""
    (X_train, y_train), _, (X_test, _) = _fashion_split()
    model = nn.Sequential(
        [
            nn.layers.Flatten(input_shape=[28, 28]),
            nn.layers.Dropout(rate=0.2),
            nn.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
            nn.layers.Dropout(rate=0.2),
            nn.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.fit(X_train, y_train, epochs=1, verbose=0)
    Dropout, MCDropout = nn.layers.Dropout, _mc_dropout(nn)
    mc_model = nn.Sequential(
        [MCDropout(layer.rate) if isinstance(layer, Dropout) else layer for layer in model.layers]
    )
    mc_model.set_weights(model.get_weights())
    predictions = np.stack([mc_model.predict(X_test[:1], verbose=0) for sample in range(20)])
    assert len({p.tobytes() for p in predictions}) == 20  # a new mask each time
    y_probas = np.stack([model(X_test, training=True) for sample in range(20)])
    assert y_probas.shape == (20, len(X_test), 10) and y_probas.dtype == np.float32
    y_proba = y_probas.mean(axis=0)
    np.testing.assert_allclose(y_proba.sum(axis=1), 1, rtol=1e-5)
    assert not np.allclose(y_proba, model.predict(X_test, verbose=0))


def test_alpha_dropout_as_keras():
    """Keras's `AlphaDropout(rate)`: each unit is a * x + b (kept) or one value (dropped),
    the same a, b and dropped value as Keras's (the masks are each library's own); the
    identity in inference; a subclass's call runs (the book's MCAlphaDropout)."""
    x = np.random.default_rng(0).normal(size=(200, 10)).astype("float32")
    affine, dropped_values = {}, {}
    for k in LIBS:
        layer = k.layers.AlphaDropout(rate=0.2)
        assert layer.rate == 0.2 and layer.name.startswith("alpha_dropout")
        # (called alone, nn's layer is in training mode, as PyTorch's nn.AlphaDropout)
        np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
        y = np.asarray(layer(x, training=True))
        # the most common value is the dropped units'; the others fit a line
        values, counts = np.unique(y, return_counts=True)
        dropped_values[k] = values[counts.argmax()]
        kept = y != dropped_values[k]
        assert 0.1 < 1 - kept.mean() < 0.3
        a, b = np.polyfit(x[kept].astype(float), y[kept].astype(float), 1)
        np.testing.assert_allclose(y[kept], a * x[kept] + b, rtol=1e-5, atol=1e-5)
        affine[k] = (a, b)
    np.testing.assert_allclose(affine[nn], affine[keras], rtol=1e-5)
    assert dropped_values[nn] == pytest.approx(dropped_values[keras], rel=1e-6)

    class MCAlphaDropout(nn.layers.AlphaDropout):
        def call(self, inputs):
            return super().call(inputs, training=True)

    mc_model = nn.Sequential([nn.layers.Input(shape=[10]), MCAlphaDropout(rate=0.2)])
    assert not np.allclose(mc_model.predict(x, verbose=0), x)


def _bn_after(k):
    return k.Sequential(
        [
            k.layers.Flatten(input_shape=[28, 28]),
            k.layers.BatchNormalization(),
            k.layers.Dense(300, activation="relu", kernel_initializer="he_normal"),
            k.layers.BatchNormalization(),
            k.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
            k.layers.BatchNormalization(),
            k.layers.Dense(10, activation="softmax"),
        ]
    )


def _bn_before(k):
    return k.Sequential(
        [
            k.layers.Flatten(input_shape=[28, 28]),
            k.layers.Dense(300, kernel_initializer="he_normal", use_bias=False),
            k.layers.BatchNormalization(),
            k.layers.Activation("relu"),
            k.layers.Dense(100, kernel_initializer="he_normal", use_bias=False),
            k.layers.BatchNormalization(),
            k.layers.Activation("elu"),
            k.layers.Dense(10, activation="softmax"),
        ]
    )


@pytest.mark.parametrize("build", [_bn_after, _bn_before])
def test_batch_normalization_networks_as_keras(build):
    """The book's two BN networks: summary (non-trainable moving statistics), the first
    BN layer's variables, training (the moving statistics are in get_weights)."""
    for k in LIBS:
        k.utils.clear_session() if k is nn else k.backend.clear_session()
    models, history = _train(build, lambda k: "sgd")
    _assert_trained_alike(models, history)
    # the same table, character for character (with SGD's two variables after training)
    assert models[nn].summary(print_fn=None) == keras_summary_text(models[keras])
    bn = {k: next(l for l in m.layers if "batch_norm" in l.name) for k, m in models.items()}
    described = {k: [(v.name, v.trainable) for v in layer.variables] for k, layer in bn.items()}
    assert (
        described[nn]
        == described[keras]
        == [
            ("gamma", True),
            ("beta", True),
            ("moving_mean", False),
            ("moving_variance", False),
        ]
    )
    for layer in bn.values():
        assert len(layer.trainable_variables) == 2 and len(layer.non_trainable_variables) == 2
    # the book's look at model.layers[1]: the first BN layer, or the Dense before it
    second = {k: [(v.name, v.trainable) for v in m.layers[1].variables] for k, m in models.items()}
    assert second[nn] == second[keras]
    (_, _), (_, _), (X_test, y_test) = _fashion_split()
    np.testing.assert_allclose(
        models[nn].evaluate(X_test, y_test, verbose=0),
        models[keras].evaluate(X_test, y_test, verbose=0),
        rtol=2e-5,
    )


@pytest.mark.parametrize(
    "make, bounded",
    [
        (
            lambda k: k.initializers.VarianceScaling(
                scale=2.0, mode="fan_avg", distribution="uniform"
            ),
            True,
        ),
        (lambda k: k.initializers.VarianceScaling(), True),
        (lambda k: k.initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal"), False),
        (lambda k: k.initializers.HeNormal(), True),
        (lambda k: k.initializers.HeUniform(), True),
        (lambda k: k.initializers.GlorotNormal(), True),
        (lambda k: k.initializers.GlorotUniform(), True),
        (lambda k: k.initializers.LecunNormal(), True),
        (lambda k: k.initializers.he_normal(), True),
        (lambda k: k.initializers.get("lecun_uniform"), True),
        (lambda k: k.initializers.TruncatedNormal(stddev=0.1), True),
        (lambda k: k.initializers.RandomUniform(-0.2, 0.3), True),
    ],
)
def test_initializers_draw_keras_distributions(make, bounded):
    """Keras's initializer objects, as a Dense kernel (the book's he_avg_init) and
    called with a shape: the same spread as Keras's draws, and the same extremes when
    bounded (the numbers are numpy's), the same config."""
    kernels = {}
    for k in LIBS:
        dense = k.layers.Dense(300, activation="sigmoid", kernel_initializer=make(k))
        dense.build((None, 784))
        called = make(k)((784, 300))
        assert called.shape == (784, 300) and np.asarray(called).dtype == np.float32
        kernels[k] = [np.asarray(dense.get_weights()[0]), np.asarray(called)]
    for mine, ref in zip(kernels[nn], kernels[keras], strict=True):
        assert mine.shape == ref.shape and mine.dtype == ref.dtype
        np.testing.assert_allclose(mine.std(), ref.std(), rtol=0.02)
        np.testing.assert_allclose(mine.mean(), ref.mean(), atol=0.02 * ref.std())
        if bounded:  # uniform or truncated: the extremes reach the same bounds
            np.testing.assert_allclose([mine.min(), mine.max()], [ref.min(), ref.max()], rtol=0.02)
    theirs = make(keras).get_config()
    theirs.pop("input_axes", None), theirs.pop("output_axes", None)  # Keras 3.15's (None)
    assert make(nn).get_config() == theirs


def test_initializer_bounds_and_errors():
    he_avg_init = nn.initializers.VarianceScaling(scale=2.0, mode="fan_avg", distribution="uniform")
    limit = np.sqrt(3 * 2 / ((784 + 300) / 2))
    w = he_avg_init((784, 300))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    truncated = nn.initializers.HeNormal()((784, 300))
    assert np.abs(truncated).max() <= 2 * np.sqrt(2 / 784) / 0.87962566103423978
    seeded = nn.initializers.GlorotUniform(seed=3)
    np.testing.assert_array_equal(seeded((5, 4)), seeded((5, 4)))
    assert isinstance(nn.initializers.get("he_normal"), nn.initializers.HeNormal)
    with pytest.raises(ValueError, match="mode must be one of fan_in, fan_out, fan_avg"):
        nn.initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution must be one of"):
        nn.initializers.VarianceScaling(distribution="gamma")
    with pytest.raises(ValueError, match="shape must be a tuple"):
        he_avg_init("784x300")


def _max_norm_network(k):
    MaxNormDense = functools.partial(
        k.layers.Dense,
        activation="relu",
        kernel_initializer="he_normal",
        kernel_constraint=k.constraints.max_norm(1.0),
    )
    return k.Sequential(
        [
            k.layers.Flatten(input_shape=[28, 28]),
            MaxNormDense(100),
            MaxNormDense(100),
            k.layers.Dense(10, activation="softmax"),
        ]
    )


def test_max_norm_constraint_trains_as_keras():
    """The book's MaxNormDense: the optimizer rescales each unit's incoming weights to a
    norm of at most 1 after every step (he_normal starts them near sqrt(2))."""
    models, history = _train(
        _max_norm_network, lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    )
    _assert_trained_alike(models, history)
    for model in models.values():
        for kernel in model.get_weights()[:4:2]:
            norms = np.sqrt((np.asarray(kernel) ** 2).sum(axis=0))
            assert norms.max() <= 1 + 1e-6 and norms.max() > 0.999


def test_constraints_as_keras():
    w = np.random.default_rng(0).normal(size=(6, 4)).astype("float32") * 2
    for make in [
        lambda k: k.constraints.MaxNorm(max_value=2, axis=0),
        lambda k: k.constraints.max_norm(1.5, axis=1),
        lambda k: k.constraints.MinMaxNorm(min_value=3.0, max_value=4.0, rate=0.5),
        lambda k: k.constraints.UnitNorm(axis=[0, 1]),
        lambda k: k.constraints.NonNeg(),
        lambda k: k.constraints.get("non_neg"),
    ]:
        ours, theirs = make(nn), make(keras)
        np.testing.assert_allclose(ours(w), np.asarray(theirs(w)), rtol=1e-6, atol=1e-7)
        config = theirs.get_config()
        config.update(
            {"axis": tuple(config["axis"])} if isinstance(config.get("axis"), list) else {}
        )
        assert ours.get_config() == config
    with pytest.raises(ValueError, match="unknown constraint 'maxnorm'"):
        nn.layers.Dense(3, kernel_constraint="maxnorm")


def test_add_weight_constraint_as_keras():
    """`add_weight(constraint=...)` in a custom layer, applied after each update."""

    def build(k):
        class Scale(k.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(
                    shape=(input_shape[-1], 3), initializer="ones", constraint="non_neg"
                )

            def call(self, inputs):
                return inputs @ self.w

        return k.Sequential([k.layers.Input(shape=[4]), Scale()])

    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = -np.abs(x[:, :3])
    weights = {}
    for k in LIBS:
        model = build(k)
        model.compile(loss="mse", optimizer=k.optimizers.SGD(learning_rate=0.5))
        model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
        weights[k] = model.get_weights()[0]
        assert model.layers[0].w.constraint is not None
    assert weights[nn].min() == 0 and (weights[nn] == 0).any()
    np.testing.assert_allclose(weights[nn], weights[keras], rtol=1e-5, atol=1e-6)


def test_constrained_dense_saves_and_loads(tmp_path):
    (X_train, y_train), _, (X_test, _) = _fashion_split()
    model = _max_norm_network(nn)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    model.fit(X_train, y_train, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = nn.load_model(tmp_path / "model.keras")
    assert loaded.layers[1].kernel_constraint.get_config() == {"max_value": 1.0, "axis": 0}
    assert loaded.layers[3].kernel_constraint is None
    np.testing.assert_array_equal(
        loaded.predict(X_test, verbose=0), model.predict(X_test, verbose=0)
    )
    loaded.compile(loss="sparse_categorical_crossentropy", optimizer=nn.optimizers.SGD(1.0))
    loaded.fit(X_train, y_train, epochs=1, verbose=0)
    assert np.sqrt((loaded.get_weights()[0] ** 2).sum(axis=0)).max() <= 1 + 1e-6


def _regularized_network(k):
    RegularizedDense = functools.partial(
        k.layers.Dense,
        activation="relu",
        kernel_initializer="he_normal",
        kernel_regularizer=k.regularizers.l2(0.01),
    )
    return k.Sequential(
        [
            k.layers.Flatten(input_shape=[28, 28]),
            RegularizedDense(100),
            RegularizedDense(100),
            RegularizedDense(10, activation="softmax"),
        ]
    )


def test_l2_regularized_network_trains_as_keras():
    models, history = _train(_regularized_network, lambda k: k.optimizers.SGD(learning_rate=0.02))
    _assert_trained_alike(models, history)


def _build_model(k):
    """The book's `build_model` for comparing optimizers (fewer layers)."""
    return k.Sequential(
        [
            k.layers.Flatten(input_shape=[28, 28]),
            k.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
            k.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
            k.layers.Dense(10, activation="softmax"),
        ]
    )


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda k: k.optimizers.SGD(learning_rate=0.001, momentum=0.9),
        lambda k: k.optimizers.SGD(learning_rate=0.001, momentum=0.9, nesterov=True),
        lambda k: k.optimizers.SGD(clipvalue=1.0),
        lambda k: k.optimizers.SGD(clipnorm=1.0),
        lambda k: k.optimizers.Adagrad(learning_rate=0.001),
        lambda k: k.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
        lambda k: k.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
        lambda k: k.optimizers.Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
        lambda k: k.optimizers.Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
        lambda k: k.optimizers.AdamW(
            weight_decay=1e-5, learning_rate=0.001, beta_1=0.9, beta_2=0.999
        ),
        lambda k: k.optimizers.SGD(
            learning_rate=k.optimizers.schedules.ExponentialDecay(
                initial_learning_rate=0.01, decay_steps=2 * 7, decay_rate=0.1
            )
        ),
        lambda k: k.optimizers.SGD(
            learning_rate=k.optimizers.schedules.PiecewiseConstantDecay(
                boundaries=[5.0, 10.0], values=[0.01, 0.005, 0.001]
            )
        ),
        lambda k: k.optimizers.SGD(
            learning_rate=k.optimizers.schedules.InverseTimeDecay(
                initial_learning_rate=0.01, decay_steps=7, decay_rate=1.0
            )
        ),
    ],
)
def test_optimizers_and_schedules_train_as_keras(optimizer):
    models, history = _train(_build_model, optimizer)
    _close(history[nn].history, history[keras].history)
    # Adam's family divides by sqrt(v): a weight whose gradients are float32 noise may
    # step by up to lr (1e-3) either way
    _same_weights(models[nn].get_weights(), models[keras].get_weights(), atol=5e-5)


def exponential_decay(lr0, s):
    def exponential_decay_fn(epoch):
        return lr0 * 0.1 ** (epoch / s)

    return exponential_decay_fn


def exponential_decay_fn_lr(epoch, lr):
    return lr * 0.1 ** (1 / 20)


def piecewise_constant_fn(epoch):
    if epoch < 1:
        return 0.01
    elif epoch < 2:
        return 0.005
    else:
        return 0.001


@pytest.mark.parametrize(
    "schedule", [exponential_decay(lr0=0.01, s=20), exponential_decay_fn_lr, piecewise_constant_fn]
)
def test_learning_rate_scheduler_as_keras(schedule):
    (X_train, y_train), (X_valid, y_valid), _ = _fashion_split()
    models = {k: _build_model(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history = {}
    for k, model in models.items():
        model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
        lr_scheduler = k.callbacks.LearningRateScheduler(schedule)
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=3,
            validation_data=(X_valid, y_valid),
            callbacks=[lr_scheduler],
            shuffle=False,
            verbose=0,
        )
    assert list(history[nn].history)[-1] == "learning_rate"
    _assert_trained_alike(models, history)


def test_reduce_lr_on_plateau_as_keras():
    """`ReduceLROnPlateau(factor=0.5, patience=...)`: the rate halves once val_loss has
    not improved for `patience` epochs (min_delta makes the small data plateau)."""
    (X_train, y_train), (X_valid, y_valid), _ = _fashion_split()
    models = {k: _build_model(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history = {}
    for k, model in models.items():
        model.compile(
            loss="sparse_categorical_crossentropy",
            optimizer=k.optimizers.SGD(learning_rate=0.05),
            metrics=["accuracy"],
        )
        lr_scheduler = k.callbacks.ReduceLROnPlateau(factor=0.5, patience=1, min_delta=0.01)
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=6,
            validation_data=(X_valid, y_valid),
            callbacks=[lr_scheduler],
            shuffle=False,
            verbose=0,
        )
    assert min(history[keras].history["learning_rate"]) < 0.05  # it reduced the rate
    _assert_trained_alike(models, history)


def _exponential_learning_rate(k):
    class ExponentialLearningRate(k.callbacks.Callback):
        def __init__(self, factor):
            self.factor = factor
            self.rates = []
            self.losses = []

        def on_epoch_begin(self, epoch, logs=None):
            self.sum_of_epoch_losses = 0

        def on_batch_end(self, batch, logs=None):
            mean_epoch_loss = logs["loss"]  # the epoch's mean loss so far
            new_sum_of_epoch_losses = mean_epoch_loss * (batch + 1)
            batch_loss = new_sum_of_epoch_losses - self.sum_of_epoch_losses
            self.sum_of_epoch_losses = new_sum_of_epoch_losses
            lr = self.model.optimizer.learning_rate.numpy()
            self.rates.append(lr)
            self.losses.append(batch_loss)
            self.model.optimizer.learning_rate = lr * self.factor

    return ExponentialLearningRate


def find_learning_rate(k, model, X, y, epochs=1, batch_size=32, min_rate=1e-4, max_rate=1):
    init_weights = model.get_weights()
    iterations = math.ceil(len(X) / batch_size) * epochs
    factor = (max_rate / min_rate) ** (1 / iterations)
    init_lr = model.optimizer.learning_rate.numpy()
    model.optimizer.learning_rate = min_rate
    exp_lr = _exponential_learning_rate(k)(factor)
    model.fit(
        X, y, epochs=epochs, batch_size=batch_size, callbacks=[exp_lr], shuffle=False, verbose=0
    )
    model.optimizer.learning_rate = init_lr
    model.set_weights(init_weights)
    return exp_lr.rates, exp_lr.losses


def test_find_learning_rate_as_keras():
    """The book's learning-rate finder: a callback reading
    `model.optimizer.learning_rate.numpy()` (nn's rate was a float, without numpy())
    and setting it after every batch."""
    (X_train, y_train), _, _ = _fashion_split()
    models = {k: _build_model(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    found = {}
    for k, model in models.items():
        model.compile(
            loss="sparse_categorical_crossentropy",
            optimizer=k.optimizers.SGD(learning_rate=0.001),
            metrics=["accuracy"],
        )
        found[k] = find_learning_rate(k, model, X_train, y_train)
        assert model.optimizer.learning_rate.numpy() == np.float32(0.001)
    rates, losses = found[nn]
    assert len(rates) == 7 and rates[0].dtype == np.float32
    np.testing.assert_allclose(rates, found[keras][0], rtol=1e-6)
    np.testing.assert_allclose(losses, found[keras][1], rtol=1e-4)
    _same_weights(models[nn].get_weights(), models[keras].get_weights())
    models[nn].optimizer.learning_rate.assign(0.02)  # Keras 3's way to set it
    assert models[nn].optimizer.learning_rate == 0.02


def _one_cycle(k, iterations, max_lr):
    class OneCycleScheduler(k.callbacks.Callback):
        def __init__(
            self, iterations, max_lr=1e-3, start_lr=None, last_iterations=None, last_lr=None
        ):
            self.iterations = iterations
            self.max_lr = max_lr
            self.start_lr = start_lr or max_lr / 10
            self.last_iterations = last_iterations or iterations // 10 + 1
            self.half_iteration = (iterations - self.last_iterations) // 2
            self.last_lr = last_lr or self.start_lr / 1000
            self.iteration = 0

        def _interpolate(self, iter1, iter2, lr1, lr2):
            return (lr2 - lr1) * (self.iteration - iter1) / (iter2 - iter1) + lr1

        def on_batch_begin(self, batch, logs):
            if self.iteration < self.half_iteration:
                lr = self._interpolate(0, self.half_iteration, self.start_lr, self.max_lr)
            elif self.iteration < 2 * self.half_iteration:
                lr = self._interpolate(
                    self.half_iteration, 2 * self.half_iteration, self.max_lr, self.start_lr
                )
            else:
                lr = self._interpolate(
                    2 * self.half_iteration, self.iterations, self.start_lr, self.last_lr
                )
            self.iteration += 1
            self.model.optimizer.learning_rate = lr

    return OneCycleScheduler(iterations, max_lr)


def test_one_cycle_scheduler_as_keras():
    n_epochs = 3
    models, history = _train(_build_model, lambda k: k.optimizers.SGD(), epochs=0)
    (X_train, y_train), (X_valid, y_valid), _ = _fashion_split()
    for k, model in models.items():
        onecycle = _one_cycle(k, math.ceil(len(X_train) / 32) * n_epochs, max_lr=0.1)
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=n_epochs,
            validation_data=(X_valid, y_valid),
            callbacks=[onecycle],
            shuffle=False,
            verbose=0,
        )
    _assert_trained_alike(models, history)
    assert models[nn].optimizer.learning_rate == pytest.approx(
        float(models[keras].optimizer.learning_rate.numpy()), rel=1e-6
    )


def _model_a(k):
    return k.Sequential(
        [
            k.layers.Flatten(input_shape=[28, 28]),
            k.layers.Dense(30, activation="relu", kernel_initializer="he_normal"),
            k.layers.Dense(20, activation="relu", kernel_initializer="he_normal"),
            k.layers.Dense(8, activation="softmax"),
        ]
    )


def test_transfer_learning_with_clone_model_as_keras(tmp_path, monkeypatch):
    """The book's reuse of model A for task B: save and load A, clone it with its
    weights, stack its hidden layers under a new output, train with them frozen, then
    unfrozen (each compile with a new optimizer: Keras 3 on JAX refuses one optimizer
    for two sets of trainable weights). `clone_model` was missing."""
    monkeypatch.chdir(tmp_path)
    (X_train, y_train), (X_valid, y_valid), _ = _fashion_split()
    y_train_b, y_valid_b = (y_train < 5).astype("float32"), (y_valid < 5).astype("float32")
    models = {k: _model_a(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    new_outputs = {k: k.layers.Dense(1, activation="sigmoid") for k in LIBS}
    new_outputs[keras].build((None, 20))
    new_outputs[nn].build((None, 20))
    new_outputs[nn].set_weights(new_outputs[keras].get_weights())
    history, b_models, clones = {}, {}, {}
    for k, model_A in models.items():
        model_A.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
        model_A.fit(X_train, y_train % 8, epochs=1, shuffle=False, verbose=0)
        model_A.save("my_model_A.keras")
        model_A = k.models.load_model("my_model_A.keras")
        model_A_clone = k.models.clone_model(model_A)
        model_A_clone.set_weights(model_A.get_weights())
        clones[k] = model_A_clone
        model_B_on_A = k.Sequential(model_A_clone.layers[:-1])
        model_B_on_A.add(new_outputs[k])
        runs = []
        for trainable in (False, True):  # the book's frozen epochs, then all layers
            for layer in model_B_on_A.layers[:-1]:
                layer.trainable = trainable
            model_B_on_A.compile(
                loss="binary_crossentropy",
                optimizer=k.optimizers.SGD(learning_rate=0.001),
                metrics=["accuracy"],
            )
            run = model_B_on_A.fit(
                X_train,
                y_train_b,
                epochs=2,
                validation_data=(X_valid, y_valid_b),
                shuffle=False,
                verbose=0,
            )
            runs.append(run.history)
        history[k] = tuple(runs)
        b_models[k] = model_B_on_A
        assert [layer.name for layer in model_A_clone.layers] == [
            layer.name for layer in model_A.layers
        ]
        assert all(
            mine is not theirs
            for mine, theirs in zip(model_A_clone.layers, model_A.layers, strict=True)
        )
    for mine, ref in zip(history[nn], history[keras], strict=True):
        _close(mine, ref)
    _same_weights(b_models[nn].get_weights(), b_models[keras].get_weights())
    fresh = nn.models.clone_model(_model_a(nn))
    assert fresh.count_params() == models[keras].count_params()
    assert not np.array_equal(fresh.get_weights()[0], clones[nn].get_weights()[0])


def test_flatten_input_shape_and_weights_checkpoint_as_keras(tmp_path, monkeypatch):
    """Chapter 10's other spelling, `Flatten(input_shape=[28, 28])`, and a checkpoint of
    the weights only (`save_weights_only=True`), loaded back into a new model."""
    monkeypatch.chdir(tmp_path)
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = _fashion_split()

    def build(k):
        return k.Sequential(
            [
                k.layers.Flatten(input_shape=[28, 28]),
                k.layers.Dense(300, activation="relu"),
                k.layers.Dense(100, activation="relu"),
                k.layers.Dense(10, activation="softmax"),
            ]
        )

    models = {k: build(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history, scores = {}, {}
    for k, model in models.items():
        assert model.layers[0].name.startswith("flatten")
        model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
        checkpoint_cb = k.callbacks.ModelCheckpoint(
            "my_checkpoints.weights.h5", save_weights_only=True
        )
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=3,
            validation_data=(X_valid, y_valid),
            callbacks=[checkpoint_cb],
            shuffle=False,
            verbose=0,
        )
        restored = build(k)
        restored.compile(
            loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"]
        )
        restored.load_weights("my_checkpoints.weights.h5")
        scores[k] = restored.evaluate(X_test, y_test, verbose=0)
        np.testing.assert_array_equal(
            restored.predict(X_test, verbose=0), model.predict(X_test, verbose=0)
        )
    assert history[nn].params == history[keras].params
    _assert_trained_alike(models, history)
    np.testing.assert_allclose(scores[nn], scores[keras], rtol=2e-5)


@pytest.mark.parametrize("shape", [(8, 784), (8, 28, 27), (8, 1, 28, 28)])
def test_flatten_input_shape_refuses_other_shapes_as_keras(shape):
    """A first layer's `input_shape` is the model's input shape, as Keras's: data of
    another shape is refused with the shapes named (nn flattened it and trained)."""
    x, y = np.zeros(shape, dtype="float32"), np.zeros(shape[0])
    expected = re.escape(
        f"Flatten(input_shape=(28, 28)): expected input of shape (batch, 28, 28), got {shape}"
    )
    for k in LIBS:
        model = k.Sequential(
            [k.layers.Flatten(input_shape=[28, 28]), k.layers.Dense(10, activation="softmax")]
        )
        model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
        with pytest.raises(ValueError, match=expected if k is nn else None):
            model.fit(x, y, verbose=0)
    model = nn.Sequential([nn.layers.Flatten(input_shape=[28, 28])])
    with pytest.raises(ValueError, match=expected):
        model.predict(x, verbose=0)
    assert model.predict(np.zeros((2, 28, 28)), verbose=0).shape == (2, 784)


def test_a_constraint_or_regularizer_class_is_made_with_its_defaults_as_keras():
    """Keras's `get` makes a class given in place of an object (`kernel_constraint=
    MaxNorm`); the class itself was kept, and calling it on a weight made a new
    MaxNorm instead of projecting the weight."""
    ours = nn.constraints.get(nn.constraints.MaxNorm)
    theirs = keras.constraints.get(keras.constraints.MaxNorm)
    assert type(ours).__name__ == type(theirs).__name__ == "MaxNorm"
    assert ours.get_config() == theirs.get_config()
    layer = nn.Dense(2, kernel_constraint=nn.constraints.NonNeg, input_dim=3)
    w = np.array([[1.0, -2.0]] * 3, np.float32)
    np.testing.assert_array_equal(layer.kernel_constraint(w), np.maximum(w, 0))
    assert type(nn.regularizers.get(nn.regularizers.L2)) is nn.regularizers.L2
