"""The Keras code of "Hands-On Machine Learning with Scikit-Learn, Keras and
TensorFlow" (3rd edition), chapter 11 (training deep networks), run as the book writes
it with Keras and with `nn`, on small synthetic data shaped like Fashion-MNIST, from
the same initial weights (copied from the Keras model) and in the same batch order
(`shuffle=False`), compared number by number: activations and initializers, batch
normalization, optimizers, learning-rate schedules, dropout, Monte Carlo dropout,
max-norm and l2 regularization."""

import numpy as np
import pytest
from keras_tables import summary_rows
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


def _keras_rows(model):
    """`summary_rows` of a Keras model, from its layers (Keras's table wraps long
    names such as batch_normalization_1 (BatchNormalization) over two lines)."""
    rows = [
        (layer.name, type(layer).__name__, str(layer.output.shape), f"{layer.count_params():,}")
        for layer in model.layers
    ]
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = model.count_params()
    totals = [("Total", total), ("Trainable", trainable), ("Non-trainable", total - trainable)]
    return rows, [(label, f"{n:,}") for label, n in totals]


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
    assert summary_rows(models[nn].summary(print_fn=None)) == _keras_rows(models[keras])
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
