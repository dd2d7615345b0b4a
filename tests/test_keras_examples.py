"""Two keras.io examples (Keras 3), run as written with Keras and with `nn` on small
synthetic arrays from the same initial weights: "Simple custom layer example:
Antirectifier" and "The endpoint layer pattern"."""

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]

RNG = np.random.default_rng(0)


def _close(ours, theirs, rtol=2e-5, atol=2e-6):
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=atol, err_msg=key)


def _antirectifier(k):
    """The example's layer, as written."""
    ops = k.ops

    class Antirectifier(k.layers.Layer):
        def __init__(self, initializer="he_normal", **kwargs):
            super().__init__(**kwargs)
            self.initializer = k.initializers.get(initializer)

        def build(self, input_shape):
            output_dim = input_shape[-1]
            self.kernel = self.add_weight(
                shape=(output_dim * 2, output_dim),
                initializer=self.initializer,
                name="kernel",
                trainable=True,
            )

        def call(self, inputs):
            inputs -= ops.mean(inputs, axis=-1, keepdims=True)
            pos = ops.relu(inputs)
            neg = ops.relu(-inputs)
            concatenated = ops.concatenate([pos, neg], axis=-1)
            mixed = ops.matmul(concatenated, self.kernel)
            return mixed

        def get_config(self):
            # Implement get_config to enable serialization. This is optional.
            base_config = super().get_config()
            config = {"initializer": k.initializers.serialize(self.initializer)}
            return dict(list(base_config.items()) + list(config.items()))

    return Antirectifier


def test_antirectifier_trains_evaluates_and_round_trips_as_keras(tmp_path):
    """The example's model (784 inputs scaled down to 64, dropout 0 for numbers):
    `initializers.serialize` in `get_config` raised AttributeError."""
    x = RNG.random((80, 64)).astype("float32")
    y = RNG.integers(0, 10, 80)
    models = {}
    for k in LIBS:
        antirectifier, layers = _antirectifier(k), k.layers
        models[k] = k.Sequential(
            [
                k.Input(shape=(64,)),
                layers.Dense(32),
                antirectifier(),
                layers.Dense(32),
                antirectifier(),
                layers.Dropout(0.0),
                layers.Dense(10),
            ]
        )
    models[nn].set_weights(models[keras].get_weights())
    out = {}
    for k, model in models.items():
        model.compile(
            loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=k.optimizers.RMSprop(),
            metrics=[k.metrics.SparseCategoricalAccuracy()],
        )
        history = model.fit(
            x, y, batch_size=16, epochs=2, validation_split=0.15, shuffle=False, verbose=0
        )
        out[k] = (history.history, model.evaluate(x, y, verbose=0, return_dict=True))
        out[k] += (model.predict(x[:4], verbose=0), model.layers[1].get_config())
    _close(out[nn][0], out[keras][0], rtol=1e-4)
    _close(out[nn][1], out[keras][1], rtol=1e-4)
    np.testing.assert_allclose(out[nn][2], out[keras][2], rtol=1e-3, atol=1e-4)
    config = out[nn][3]
    assert config["initializer"] == {"class_name": "HeNormal", "config": {"seed": None}}
    assert out[keras][3]["initializer"]["class_name"] == "HeNormal"
    rebuilt = type(models[nn].layers[1]).from_config(config)
    assert type(rebuilt.initializer) is nn.initializers.HeNormal
    models[nn].save(tmp_path / "antirectifier.keras")
    custom = {"Antirectifier": type(models[nn].layers[1])}
    loaded = nn.load_model(tmp_path / "antirectifier.keras", custom_objects=custom)
    np.testing.assert_array_equal(loaded.predict(x[:4], verbose=0), out[nn][2])
    with pytest.raises(ValueError, match="initializer"):
        nn.initializers.serialize(lambda shape, dtype=None: np.zeros(shape))


def _logistic_endpoint(k, with_metric=True):
    """The example's layer: the loss and the accuracy when targets are given, the
    softmax always. (Keras on JAX fails to update a metric held by a layer inside its
    training step, "'NoneType' object is not callable", as it runs on torch: its
    accuracy is computed apart below.)"""
    ops = k.ops

    class LogisticEndpoint(k.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = k.losses.BinaryCrossentropy(from_logits=True)
            if with_metric:
                self.accuracy_fn = k.metrics.BinaryAccuracy(name="accuracy")

        def call(self, logits, targets=None, sample_weight=None):
            if targets is not None:
                loss = self.loss_fn(targets, logits, sample_weight)
                self.add_loss(loss)
                if with_metric:
                    self.accuracy_fn.update_state(targets, logits, sample_weight)
            return ops.softmax(logits)

    return LogisticEndpoint


def _endpoint_model(k):
    inputs = k.Input((12,), name="inputs")
    logits = k.layers.Dense(1)(inputs)
    targets = k.Input((1,), name="targets")
    sample_weight = k.Input((1,), name="sample_weight")
    preds = _logistic_endpoint(k, with_metric=k is nn)()(logits, targets, sample_weight)
    return k.Model([inputs, targets, sample_weight], preds)


def test_endpoint_layer_pattern_trains_without_a_compiled_loss_as_keras():
    """`compile` without a loss raised "a loss is required" and `fit(data)` needed y;
    Keras trains on the loss the endpoint layer adds (its (N, 1) sample weights weigh
    each sample once: they made an (N, N) product) and reports the layer's metric."""
    data = {
        "inputs": RNG.normal(size=(40, 12)).astype("float32"),
        "targets": (RNG.random((40, 1)) > 0.5).astype("float32"),
        "sample_weight": RNG.random((40, 1)).astype("float32"),
    }
    keras.utils.set_random_seed(0)
    models = {k: _endpoint_model(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    out, kernels = {}, []
    for k, model in models.items():
        model.compile(k.optimizers.Adam(1e-2))
        history: dict = {}
        for _ in range(3):  # one full batch an epoch: the accuracy is the epoch's weights'
            kernels.append(model.get_weights()) if k is keras else None
            logs = model.fit(data, epochs=1, batch_size=40, verbose=0).history
            for key, values in logs.items():
                history.setdefault(key, []).extend(values)
        scores = model.evaluate(data, verbose=0, return_dict=True)
        inputs = k.Input((12,), name="inputs")
        preds = _logistic_endpoint(k)()(k.layers.Dense(1)(inputs), targets=None)
        inference_model = k.Model(inputs, preds)
        inference_model.set_weights(model.get_weights())
        out[k] = (history, scores, inference_model.predict(data["inputs"], verbose=0))
    accuracy = []
    for kernel, bias in [*kernels, models[keras].get_weights()]:
        metric = keras.metrics.BinaryAccuracy()
        metric.update_state(data["targets"], data["inputs"] @ kernel + bias, data["sample_weight"])
        accuracy.append(float(metric.result()))
    out[keras][0]["accuracy"], out[keras][1]["accuracy"] = accuracy[:3], accuracy[3]
    _close(out[nn][0], dict(sorted(out[keras][0].items())))
    _close(out[nn][1], dict(sorted(out[keras][1].items())))
    np.testing.assert_allclose(out[nn][2], out[keras][2], rtol=1e-6)
    assert models[nn].loss is models[keras].loss is None


def test_loss_objects_weigh_per_sample_values_by_column_weights_as_keras():
    """Weights (N, 1) with one loss value per sample (N,): Keras matches the ranks
    (values (N, 1)); they were broadcast to an (N, N) product."""
    labels = RNG.integers(0, 3, 6)
    logits = RNG.normal(size=(6, 3)).astype("float32")
    weights = RNG.random((6, 1)).astype("float32")
    for reduction in ("sum_over_batch_size", "sum", "none"):
        for name, y_true in [
            ("SparseCategoricalCrossentropy", labels),
            ("CategoricalCrossentropy", np.eye(3, dtype="float32")[labels]),
            ("BinaryCrossentropy", (logits > 0).astype("float32")),
            ("MeanSquaredError", logits[::-1].copy()),
        ]:
            values = {}
            for k in LIBS:
                options = {} if name == "MeanSquaredError" else {"from_logits": True}
                loss = getattr(k.losses, name)(reduction=reduction, **options)
                values[k] = np.asarray(loss(y_true, logits, weights))
            assert values[nn].shape == values[keras].shape, (name, reduction)
            np.testing.assert_allclose(values[nn], values[keras], rtol=1e-5, err_msg=name)


def test_compile_without_a_loss_trains_on_zero_as_keras():
    """No loss and no layer losses: the loss is 0, the weights stay, metrics are kept;
    without y, a compiled metric or loss is a clear error."""
    x, y = RNG.random((8, 3)).astype("float32"), RNG.random((8, 1)).astype("float32")
    keras.utils.set_random_seed(0)
    models = {k: k.Sequential([k.Input((3,)), k.layers.Dense(1)]) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    out = {}
    for k, model in models.items():
        model.compile(optimizer="adam", metrics=["mae"])
        history = model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history
        out[k] = (history, model.evaluate(x, y, verbose=0, return_dict=True))
    _close(out[nn][0], out[keras][0])
    _close(out[nn][1], out[keras][1])
    for ours, theirs in zip(models[nn].get_weights(), models[keras].get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError, match="required for the compiled metrics"):
        models[nn].fit(x, verbose=0)
    models[nn].compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="required for the loss 'mse'"):
        models[nn].evaluate(x, verbose=0)
