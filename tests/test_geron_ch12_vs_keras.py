"""The Keras code of "Hands-On Machine Learning with Scikit-Learn, Keras and
TensorFlow" (3rd edition), chapter 12 (custom models and training), run as the book
writes it with Keras and with `nn` (the book's `tf.` math spelled with `ops`, Keras's
`keras.ops` and `nn.ops`), on small synthetic data shaped like California housing, from
the same initial weights and in the same batch order, compared number by number:
custom losses, activations, initializers, regularizers, constraints, metrics, layers
and models."""

import doctest
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from test_geron_vs_keras import _close, _same_weights

import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]

RNG = np.random.default_rng(0)
X_TRAIN = RNG.normal(size=(200, 8)).astype("float32")
Y_TRAIN = np.abs(2 * X_TRAIN[:, :1] + 1 + RNG.normal(size=(200, 1))).astype("float32")
X_VALID = RNG.normal(size=(50, 8)).astype("float32")
Y_VALID = np.abs(2 * X_VALID[:, :1] + 1).astype("float32")


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(42)


def create_huber(k, threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = k.ops.abs(error) < threshold
        squared_loss = k.ops.square(error) / 2
        linear_loss = threshold * k.ops.abs(error) - threshold**2 / 2
        return k.ops.where(is_small_error, squared_loss, linear_loss)

    return huber_fn


def _regressor(k):
    return k.Sequential(
        [
            k.layers.Dense(30, activation="relu", kernel_initializer="he_normal", input_shape=[8]),
            k.layers.Dense(1),
        ]
    )


def _fit_both(build, loss="mse", metrics=(), optimizer="nadam", epochs=1, rtol=2e-5, eager=True):
    """Build with each library (Keras's weights copied into nn's), compile, fit with
    validation data; returns the models and their histories."""
    models = {k: build(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history = {}
    for k, model in models.items():
        model.compile(
            loss=loss(k) if callable(loss) else loss,
            optimizer=optimizer,
            metrics=[m(k) for m in metrics],
            run_eagerly=eager,  # Keras: no compiling for a few small batches (faster)
        )
        history[k] = model.fit(
            X_TRAIN,
            Y_TRAIN,
            epochs=epochs,
            validation_data=(X_VALID, Y_VALID),
            shuffle=False,
            verbose=0,
        ).history
    _close(history[nn], history[keras], rtol=rtol)
    return models


def test_function_metric_of_per_sample_values_as_keras():
    """`metrics=[create_huber(2.0)]`: Keras averages the values the function gives per
    sample; nn added the per-sample arrays up (and failed at the smaller last batch)."""
    _fit_both(_regressor, metrics=[lambda k: create_huber(k, 2.0)])


def huber_loss_class(k):
    """The book's `HuberLoss(keras.losses.Loss)` with its `threshold` and `get_config`."""

    class HuberLoss(k.losses.Loss):
        def __init__(self, threshold=1.0, **kwargs):
            self.threshold = threshold
            super().__init__(**kwargs)

        def call(self, y_true, y_pred):
            return create_huber(k, self.threshold)(y_true, y_pred)

        def get_config(self):
            return {**super().get_config(), "threshold": self.threshold}

    return HuberLoss


def test_custom_loss_subclass_as_keras():
    _fit_both(_regressor, loss=lambda k: huber_loss_class(k)(2.0), metrics=[lambda k: "mae"])


def test_keras_style_initializer_function_gives_keras_kernel():
    """`kernel_initializer=f` with Keras's `f(shape, dtype)`: nn called it as nn.init's
    `f(tensor, rng=...)` (a TypeError); now the kernel is what `f((in, units))` gives."""
    seen = {}

    def counting_initializer(k):
        def initializer(shape, dtype=None):
            seen.setdefault(k, []).append((tuple(shape), str(dtype)))
            values = np.arange(np.prod(shape), dtype="float32").reshape(shape) / 100
            return k.ops.convert_to_tensor(values)

        return initializer

    kernels = {}
    for k in LIBS:
        layer = k.layers.Dense(3, kernel_initializer=counting_initializer(k))
        layer(np.ones((2, 4), dtype="float32"))
        kernels[k] = np.asarray(layer.kernel.numpy() if k is nn else layer.kernel)
    np.testing.assert_array_equal(kernels[nn], kernels[keras])
    assert seen[nn] == seen[keras] == [((4, 3), "float32")]

    bad = nn.layers.Dense(3, kernel_initializer=lambda shape, dtype=None: np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"shape \(2, 2\) for the shape \(4, 3\)"):
        bad(np.ones((2, 4), dtype="float32"))


def test_custom_activation_initializer_regularizer_constraint_as_keras():
    """The book's four functions passed to `Dense`, then `MyL1Regularizer` (a
    `Regularizer` subclass); `k.random.normal` draws the initial kernel (Keras's
    weights are copied into nn's before training)."""

    def parts(k):
        def my_softplus(z):
            return k.ops.log(1.0 + k.ops.exp(z))

        def my_glorot_initializer(shape, dtype="float32"):
            stddev = k.ops.sqrt(2.0 / (shape[0] + shape[1]))
            return k.random.normal(shape, stddev=stddev, dtype=dtype)

        def my_l1_regularizer(weights):
            return k.ops.sum(k.ops.abs(0.01 * weights))

        def my_positive_weights(weights):
            if k is keras:  # JAX cannot take a Keras Variable in zeros_like
                weights = k.ops.convert_to_tensor(weights)
            return k.ops.where(weights < 0.0, k.ops.zeros_like(weights), weights)

        class MyL1Regularizer(k.regularizers.Regularizer):
            def __init__(self, factor):
                self.factor = factor

            def __call__(self, weights):
                return k.ops.sum(k.ops.abs(self.factor * weights))

            def get_config(self):
                return {"factor": self.factor}

        return (
            my_softplus,
            my_glorot_initializer,
            my_l1_regularizer,
            my_positive_weights,
            (MyL1Regularizer),
        )

    def build(k):
        softplus, glorot, l1, positive, l1_class = parts(k)
        return k.Sequential(
            [
                k.layers.Dense(
                    30,
                    activation="relu",
                    kernel_initializer="he_normal",
                    kernel_regularizer=l1_class(0.01),
                    input_shape=[8],
                ),
                k.layers.Dense(
                    1,
                    activation=softplus,
                    kernel_initializer=glorot,
                    kernel_regularizer=l1,
                    kernel_constraint=positive,
                ),
            ]
        )

    models = _fit_both(build, metrics=[lambda k: "mae"])
    # Nadam's steps of size lr on every weight: float32 noise shows in the weights
    _same_weights(models[nn].get_weights(), models[keras].get_weights(), atol=2e-4)
    assert models[nn].layers[1].kernel.numpy().min() >= 0

    kernel = nn.layers.Dense(200, kernel_initializer=parts(nn)[1])
    kernel(np.ones((1, 300), dtype="float32"))
    assert abs(kernel.kernel.numpy().std() - np.sqrt(2 / 500)) < 0.002


def test_lambda_layer_as_keras():
    """`keras.layers.Lambda(lambda x: exp(x))`: nn.layers had no Lambda."""
    values = {
        k: k.layers.Lambda(lambda x, k=k: k.ops.exp(x))(np.array([-1.0, 0.0, 1.0])) for k in LIBS
    }
    np.testing.assert_allclose(values[nn].numpy(), np.asarray(values[keras]), rtol=1e-6)
    assert values[nn].dtype == np.asarray(values[keras]).dtype

    def build(k):
        return k.Sequential(
            [
                k.layers.Dense(30, activation="relu", input_shape=[8]),
                k.layers.Dense(1),
                k.layers.Lambda(lambda x: k.ops.exp(x)),
            ]
        )

    models = _fit_both(build, optimizer="sgd")
    np.testing.assert_allclose(
        models[nn].evaluate(X_VALID, Y_VALID, verbose=0),
        models[keras].evaluate(X_VALID, Y_VALID, verbose=0),
        rtol=2e-5,
    )
    shifted = nn.layers.Lambda(
        lambda x, shift, training: x + shift * training, arguments={"shift": 1}
    )
    assert shifted(np.zeros(2), training=True).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="callable"):
        nn.layers.Lambda("exp")


def test_keras_random_and_ops_size():
    """`keras.random.normal/uniform/truncated_normal/randint` and `ops.size`, which the
    book's custom initializer, layer and metric use: shapes, dtypes, ranges, moments."""
    draws = nn.random.normal((4000,), mean=1.0, stddev=nn.ops.sqrt(4.0), seed=0)
    assert draws.dtype == np.float32 and abs(draws.numpy().mean() - 1) < 0.1
    assert abs(draws.numpy().std() - 2) < 0.1
    np.testing.assert_array_equal(
        draws.numpy(), nn.random.normal((4000,), 1.0, 2.0, seed=0).numpy()
    )
    generator = nn.random.SeedGenerator(3)
    first, second = (nn.random.uniform((5,), 2.0, 3.0, seed=generator).numpy() for _ in range(2))
    assert not np.array_equal(first, second) and ((first >= 2) & (first < 3)).all()
    cut = nn.random.truncated_normal((5000,), stddev=0.5, dtype="float64", seed=1)
    assert cut.dtype == np.float64 and np.abs(cut.numpy()).max() <= 1.0
    ints = nn.random.randint((100,), 0, 3, seed=2)
    assert ints.dtype == np.asarray(keras.random.randint((2,), 0, 3)).dtype
    assert set(ints.numpy().tolist()) == {0, 1, 2}
    for k in LIBS:
        assert np.asarray(k.random.normal((2, 3), dtype="float64")).shape == (2, 3)
    y = np.zeros((3, 2))
    assert int(nn.ops.size(y).item()) == int(keras.ops.size(y)) == 6
    with pytest.raises(ValueError, match="shape"):
        nn.random.normal((2, -1))


def test_streaming_precision_and_huber_metric_as_keras():
    results = {}
    for k in LIBS:
        precision = k.metrics.Precision()
        values = [
            precision([0, 1, 1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 0, 1, 0, 1]),
            precision([0, 1, 0, 0, 1, 0, 1, 1], [1, 0, 1, 1, 0, 0, 0, 0]),
            precision.result(),
        ]
        counts = [np.asarray(v).tolist() for v in precision.variables]
        precision.reset_state()
        m = _huber_metric_class(k)(2.0)
        values += [m(np.array([[2.0]]), np.array([[10.0]]))]
        values += [m(np.array([[0.0], [5.0]]), np.array([[1.0], [9.25]]))]
        results[k] = ([float(np.asarray(v)) for v in values], counts, m.get_config()["threshold"])
        assert float(np.asarray(precision.result())) == 0
    assert results[nn] == results[keras]
    np.testing.assert_allclose(results[nn][0], [0.8, 0.5, 0.5, 14.0, 7.0], rtol=1e-7)
    _fit_both(
        _regressor,
        loss=lambda k: create_huber(k, 2.0),
        metrics=[lambda k: _huber_metric_class(k)(2.0)],
    )


@pytest.mark.parametrize("module", [nn.random, nn.lambda_layer])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 1


def _huber_metric_class(k):
    class HuberMetric(k.metrics.Metric):
        def __init__(self, threshold=1.0, **kwargs):
            super().__init__(**kwargs)
            self.threshold = threshold
            self.huber_fn = create_huber(k, threshold)
            self.total = self.add_weight(name="total", initializer="zeros")
            self.count = self.add_weight(name="count", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.total.assign_add(k.ops.sum(self.huber_fn(y_true, y_pred)))
            self.count.assign_add(k.ops.cast(k.ops.size(y_true), "float32"))

        def result(self):
            return self.total / self.count

        def get_config(self):
            return {**super().get_config(), "threshold": self.threshold}

    return HuberMetric


def _saved_and_loaded(models, tmp_path, custom_objects):
    """Each library's model saved and loaded back with `custom_objects(k)`."""
    loaded = {}
    for k, model in models.items():
        path = tmp_path / f"{k.__name__}.keras"
        model.save(path)
        loaded[k] = k.models.load_model(path, custom_objects=custom_objects(k))
    return loaded


def test_model_with_custom_loss_and_metric_saves_and_loads_compiled_as_keras(tmp_path):
    """`load_model(path, custom_objects={"huber_fn": create_huber(2.0), "HuberMetric":
    HuberMetric})`: nn ignored custom_objects and loaded such a model uncompiled (its
    loss and metric not saved); now it goes on training as Keras's does."""
    models = _fit_both(
        _regressor,
        loss=lambda k: create_huber(k, 2.0),
        metrics=[lambda k: _huber_metric_class(k)(2.0)],
    )
    loaded = _saved_and_loaded(
        models,
        tmp_path,
        lambda k: {"huber_fn": create_huber(k, 2.0), "HuberMetric": _huber_metric_class(k)},
    )
    history = {
        k: model.fit(X_TRAIN, Y_TRAIN, epochs=1, shuffle=False, verbose=0).history
        for k, model in loaded.items()
    }
    _close(history[nn], history[keras])


def test_loss_subclass_saves_with_its_config_as_keras(tmp_path):
    models = _fit_both(_regressor, loss=lambda k: huber_loss_class(k)(2.0))
    loaded = _saved_and_loaded(models, tmp_path, lambda k: {"HuberLoss": huber_loss_class(k)})
    assert loaded[nn].loss.threshold == loaded[keras].loss.threshold == 2.0
    scores = {k: model.evaluate(X_VALID, Y_VALID, verbose=0) for k, model in loaded.items()}
    np.testing.assert_allclose(scores[nn], scores[keras], rtol=2e-5)


def test_custom_layer_and_dense_functions_save_and_load_as_keras(tmp_path):
    """`MyDense` (an `nn.Layer` subclass with `get_config`, using
    `activations.serialize`) and `Dense` with the book's activation, regularizer
    (function and class) and constraint: nn refused to save them; now they load back
    from `custom_objects` with their weights."""

    def parts(k):
        class MyDense(k.layers.Layer):
            def __init__(self, units, activation=None, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                self.activation = k.activations.get(activation)

            def build(self, batch_input_shape):
                self.kernel = self.add_weight(
                    name="kernel",
                    shape=[batch_input_shape[-1], self.units],
                    initializer="he_normal",
                )
                self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

            def call(self, X):
                return self.activation(X @ self.kernel + self.bias)

            def get_config(self):
                return {
                    **super().get_config(),
                    "units": self.units,
                    "activation": k.activations.serialize(self.activation),
                }

        class MyL1Regularizer(k.regularizers.Regularizer):
            def __init__(self, factor):
                self.factor = factor

            def __call__(self, weights):
                return k.ops.sum(k.ops.abs(self.factor * weights))

            def get_config(self):
                return {"factor": self.factor}

        def my_softplus(z):
            return k.ops.log(1.0 + k.ops.exp(z))

        def my_l1_regularizer(weights):
            return k.ops.sum(k.ops.abs(0.01 * weights))

        def my_positive_weights(weights):
            return k.ops.maximum(weights, 0.0)

        return {f.__name__: f for f in (MyDense, MyL1Regularizer, my_softplus)} | {
            "my_l1_regularizer": my_l1_regularizer,
            "my_positive_weights": my_positive_weights,
        }

    def build(k):
        p = parts(k)
        return k.Sequential(
            [
                p["MyDense"](30, activation="relu", input_shape=[8]),
                k.layers.Dense(
                    10,
                    activation=p["my_softplus"],
                    kernel_regularizer=p["MyL1Regularizer"](0.01),
                    bias_regularizer=p["my_l1_regularizer"],
                    kernel_constraint=p["my_positive_weights"],
                ),
                p["MyDense"](1),
            ]
        )

    models = _fit_both(build, rtol=1e-4)  # Nadam's steps amplify float32 noise
    loaded = _saved_and_loaded(models, tmp_path, parts)
    for k in LIBS:
        _same_weights(loaded[k].get_weights(), models[k].get_weights(), rtol=0, atol=0)
    outputs = {k: np.asarray(model(X_VALID)) for k, model in loaded.items()}
    np.testing.assert_allclose(outputs[nn], outputs[keras], rtol=1e-4, atol=1e-5)
    layer = loaded[nn].layers[1]
    assert layer.kernel_regularizer.factor == 0.01 and layer.bias_regularizer.__name__ == (
        "my_l1_regularizer"
    )
    assert loaded[nn].layers[0].get_config()["activation"] == "relu"
    penalties = {k: sum(float(np.asarray(v)) for v in model.losses) for k, model in loaded.items()}
    assert penalties[nn] == pytest.approx(penalties[keras], rel=1e-4)
    assert penalties[nn] == sum(float(v.item()) for v in models[nn].losses)


def test_load_model_names_the_custom_object_it_lacks(tmp_path):
    model = _regressor(nn)
    model.compile(loss=create_huber(nn, 2.0), optimizer="nadam")
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"custom loss 'huber_fn'.*custom_objects=\{'huber_fn'"):
        nn.models.load_model(tmp_path / "m.keras")
    with pytest.raises(TypeError, match=r"custom_objects\['MyDense'\] must be the class"):
        layer_model = nn.Sequential([nn.Input(shape=[8]), _my_identity_layer()])
        layer_model.save(tmp_path / "l.keras")
        nn.models.load_model(tmp_path / "l.keras", custom_objects={"MyDense": lambda x: x})
    unnamed = nn.Sequential([nn.Input(shape=[8]), nn.layers.Dense(1, activation=lambda z: z)])
    with pytest.raises(ValueError, match="define it with def"):
        unnamed.save(tmp_path / "u.keras")


def _my_identity_layer():
    class MyDense(nn.layers.Layer):
        def call(self, X):
            return X

    return MyDense()


RECONSTRUCTING = """
class ReconstructingRegressor(k.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [
            k.layers.Dense(30, activation="relu", kernel_initializer="he_normal") for _ in range(5)
        ]
        self.out = k.layers.Dense(output_dim)
        self.reconstruction_mean = k.metrics.Mean(name="reconstruction_error")

    def build(self, batch_input_shape):
        n_inputs = batch_input_shape[-1]
        self.reconstruct = k.layers.Dense(n_inputs)

    def call(self, inputs, training=None):
        Z = inputs
        for layer in self.hidden:
            Z = layer(Z)
        reconstruction = self.reconstruct(Z)
        recon_loss = k.ops.mean(k.ops.square(reconstruction - inputs))
        self.add_loss(0.05 * recon_loss)
        if training:
            self.reconstruction_mean(recon_loss)
        return self.out(Z)
"""

KERAS_TORCH_RUN = """
import json, sys
import numpy as np
import keras as k
data = np.load(sys.argv[1])
{model}
model = ReconstructingRegressor(1)
model(data["x"][:2])
model.set_weights([data[f"w{{i}}"] for i in range(len(model.get_weights()))])
model.compile(loss="mse", optimizer="nadam")
history = model.fit(data["x"], data["y"], epochs=2, shuffle=False, verbose=0,
                    validation_data=(data["x_valid"], data["y_valid"])).history
scores = model.evaluate(data["x_valid"], data["y_valid"], verbose=0, return_dict=True)
print(json.dumps([history, scores]))
"""


def test_metric_updated_in_call_is_reported_as_keras(tmp_path):
    """Keras 3's way of the book's reconstruction loss: a `Mean` metric that the model
    holds and updates in `call` is reported by `fit` and `evaluate` (reset at each epoch
    and evaluation: 0 on validation data, where `training` is False); nn left it out.
    Keras's JAX backend cannot update a metric inside `call`, so Keras runs here on its
    torch backend, in a subprocess."""
    pytest.importorskip("torch")
    namespace = {"k": nn}
    exec(RECONSTRUCTING, namespace)
    model = namespace["ReconstructingRegressor"](1)
    model(X_TRAIN[:2])
    weights = model.get_weights()
    path = tmp_path / "data.npz"
    arrays = {f"w{i}": w for i, w in enumerate(weights)}
    np.savez(path, x=X_TRAIN, y=Y_TRAIN, x_valid=X_VALID, y_valid=Y_VALID, **arrays)
    script = KERAS_TORCH_RUN.format(model=RECONSTRUCTING)
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    history, scores = json.loads(done.stdout.strip().splitlines()[-1])
    model.compile(loss="mse", optimizer="nadam")
    ours = model.fit(
        X_TRAIN, Y_TRAIN, epochs=2, shuffle=False, verbose=0, validation_data=(X_VALID, Y_VALID)
    ).history
    _close(ours, history)
    assert history["val_reconstruction_error"] == [0.0, 0.0]
    _close(model.evaluate(X_VALID, Y_VALID, verbose=0, return_dict=True), scores)
    loss, error = model.evaluate(X_VALID, Y_VALID, verbose=0)
    assert loss == pytest.approx(scores["loss"], rel=2e-5) and error == 0.0


def test_loss_subclass_default_name_as_keras():
    """A `Loss` subclass is named as Keras names it: its class in snake case, numbered
    (nn used the class name as it is)."""
    names = {}
    for k in LIBS:

        class HuberLossForNames(k.losses.Loss):
            def call(self, y_true, y_pred):
                return y_pred

        names[k] = [HuberLossForNames().name, HuberLossForNames().name]
    assert names[nn] == names[keras] == ["huber_loss_for_names", "huber_loss_for_names_1"]


def test_custom_layers_and_models_train_as_keras():
    """The book's `ResidualBlock` and `ResidualRegressor` (a block called four times)
    train as Keras's; `MyGaussianNoise` (with `random.normal`; Keras's JAX backend
    needs its `SeedGenerator`) adds noise in training only; the multi-input
    `MyMultiLayer` gives Keras's values and shapes."""

    def parts(k):
        class MyGaussianNoise(k.layers.Layer):
            def __init__(self, stddev, **kwargs):
                super().__init__(**kwargs)
                self.stddev = stddev
                self.seed = k.random.SeedGenerator(0)

            def call(self, X, training=None):
                if training:
                    return X + k.random.normal(k.ops.shape(X), stddev=self.stddev, seed=self.seed)
                return X

        class ResidualBlock(k.layers.Layer):
            def __init__(self, n_layers, n_neurons, **kwargs):
                super().__init__(**kwargs)
                self.hidden = [
                    k.layers.Dense(n_neurons, activation="relu", kernel_initializer="he_normal")
                    for _ in range(n_layers)
                ]

            def call(self, inputs):
                Z = inputs
                for layer in self.hidden:
                    Z = layer(Z)
                return inputs + Z

        class ResidualRegressor(k.Model):
            def __init__(self, output_dim, **kwargs):
                super().__init__(**kwargs)
                self.hidden1 = k.layers.Dense(30, activation="relu", kernel_initializer="he_normal")
                self.block1 = ResidualBlock(2, 30)
                self.block2 = ResidualBlock(2, 30)
                self.out = k.layers.Dense(output_dim)

            def call(self, inputs):
                Z = self.hidden1(inputs)
                for _ in range(1 + 3):
                    Z = self.block1(Z)
                Z = self.block2(Z)
                return self.out(Z)

        class MyMultiLayer(k.layers.Layer):
            def call(self, X):
                X1, X2 = X
                return X1 + X2, X1 * X2, X1 / X2

        return MyGaussianNoise, ResidualRegressor, MyMultiLayer

    def regressor(k):
        model = parts(k)[1](1)
        model(X_TRAIN[:2])
        return model

    _fit_both(regressor, eager=False)  # (Keras runs its many layers faster compiled)

    x1, x2 = np.array([[3.0, 6.0], [2.0, 7.0]]), np.array([[6.0, 12.0], [4.0, 3.0]])
    for k in LIBS:
        noise = parts(k)[0](1.0)
        assert np.array_equal(np.asarray(noise(X_VALID)), X_VALID)  # inference: no noise
        noisy = np.asarray(noise(X_VALID, training=True)) - X_VALID
        assert noisy.dtype == np.float32 and 0.8 < noisy.std() < 1.2
    outputs = {k: [np.asarray(t) for t in parts(k)[2]()((x1, x2))] for k in LIBS}
    for ours, theirs in zip(outputs[nn], outputs[keras], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        assert ours.dtype == theirs.dtype
    symbolic = {k: parts(k)[2]()((k.Input(shape=[2]), k.Input(shape=[2]))) for k in LIBS}
    assert [t.shape for t in symbolic[nn]] == [t.shape for t in symbolic[keras]]


def test_model_loss_is_what_compile_was_given_as_keras(tmp_path):
    """`model.loss` is the loss given to `compile` (nn gave its own wrapper of a
    function, or the module a name stands for), also after `load_model`."""
    for k in LIBS:
        huber_fn = create_huber(k, 2.0)
        model = _regressor(k)
        model.compile(loss=huber_fn, optimizer="nadam")
        assert model.loss is huber_fn
        model.save(tmp_path / f"{k.__name__}.keras")
        other = create_huber(k, 2.0)
        loaded = k.models.load_model(
            tmp_path / f"{k.__name__}.keras", custom_objects={"huber_fn": other}
        )
        assert loaded.loss is other
        model.compile(loss="mse", optimizer="nadam")
        assert model.loss == "mse"


def test_custom_layer_with_sub_layers_loads_built_and_goes_on_training(tmp_path):
    """A custom layer whose Dense sub-layers build at their first call (the book's
    `ResidualBlock`, with a `get_config`) is built again on load, so the weights and the
    optimizer's state load into it; saved again, it keeps its input shape."""

    class ResidualBlock(nn.layers.Layer):
        def __init__(self, n_layers, n_neurons, **kwargs):
            super().__init__(**kwargs)
            self.n_layers, self.n_neurons = n_layers, n_neurons
            self.hidden = [
                nn.layers.Dense(n_neurons, activation="relu", kernel_initializer="he_normal")
                for _ in range(n_layers)
            ]

        def call(self, inputs):
            Z = inputs
            for layer in self.hidden:
                Z = layer(Z)
            return inputs + Z

        def get_config(self):
            return {**super().get_config(), "n_layers": self.n_layers, "n_neurons": self.n_neurons}

    model = nn.Sequential(
        [nn.layers.Dense(30, input_shape=[8]), ResidualBlock(2, 30), nn.layers.Dense(1)]
    )
    model.compile(loss="mse", optimizer="nadam")
    model.fit(X_TRAIN, Y_TRAIN, epochs=1, verbose=0, shuffle=False)
    loaded = model
    for step in range(2):  # saved, loaded, saved again
        loaded.save(tmp_path / f"m{step}.keras")
        loaded = nn.models.load_model(
            tmp_path / f"m{step}.keras", custom_objects={"ResidualBlock": ResidualBlock}
        )
        assert loaded.layers[1].build_input_shape[-1] == 30
    np.testing.assert_array_equal(
        loaded.predict(X_VALID, verbose=0), model.predict(X_VALID, verbose=0)
    )
    histories = [
        m.fit(X_TRAIN, Y_TRAIN, epochs=1, verbose=0, shuffle=False).history for m in (loaded, model)
    ]
    assert histories[0] == histories[1]


def test_custom_layer_of_a_dict_of_inputs_is_rebuilt_from_its_shapes():
    class DictLayer(nn.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = nn.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs["a"]) + inputs["b"]

    layer = DictLayer()
    x = {"a": np.ones((3, 4), "float32"), "b": np.ones((3, 2), "float32")}
    layer(x)
    description = nn.saving.layer_config(layer)
    assert description["build_input_shape"] == {"a": (3, 4), "b": (3, 2)}
    with nn.custom_objects.scope({"DictLayer": DictLayer}):
        rebuilt = nn.saving.from_layer_config(description)
    assert rebuilt.dense.kernel.shape == (4, 2)
