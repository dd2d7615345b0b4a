"""Snippets of the Keras 3 guides (training & evaluation with the built-in methods,
writing your own callbacks, saving), run with Keras and with `nn` from the same
initial weights on the same data, compared number by number."""

import numpy as np
import pytest

import nn
from nn import layers

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 6)).astype("float32")
Y = RNG.integers(0, 3, size=(64,))
Y_HOT = np.eye(3, dtype="float32")[Y]
X_VAL = RNG.normal(size=(16, 6)).astype("float32")
Y_VAL = RNG.integers(0, 3, size=(16,))
WEIGHTS = RNG.uniform(0.5, 2.0, size=(64,)).astype("float32")


def _build(k, lay):
    inputs = k.Input(shape=(6,))
    hidden = lay.Dense(8, activation="relu")(inputs)
    return k.Model(inputs, lay.Dense(3, activation="softmax")(hidden))


def _pair():
    ours, theirs = _build(nn, layers), _build(keras, keras.layers)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _close(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=2e-6, err_msg=key)


def _custom_mse(k):
    def custom_mean_squared_error(y_true, y_pred):
        return k.ops.mean(k.ops.square(y_true - y_pred), axis=-1)

    return custom_mean_squared_error


def _custom_loss_class(k):
    class CustomMSE(k.losses.Loss):
        def __init__(self, regularization_factor=0.1, name="custom_mse"):
            super().__init__(name=name)
            self.regularization_factor = regularization_factor

        def call(self, y_true, y_pred):
            mse = k.ops.mean(k.ops.square(y_true - y_pred), axis=-1)
            reg = k.ops.mean(k.ops.square(0.5 - y_pred), axis=-1)
            return mse + reg * self.regularization_factor

    return CustomMSE()


@pytest.mark.parametrize("make_loss", [_custom_mse, _custom_loss_class])
@pytest.mark.parametrize("weighted", [False, True])
def test_custom_losses_match_keras(make_loss, weighted):
    ours, theirs = _pair()
    extra = {"sample_weight": WEIGHTS} if weighted else {}
    history = {}
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(optimizer=k.optimizers.Adam(0.01), loss=make_loss(k))
        history[k] = model.fit(X, Y_HOT, batch_size=16, epochs=3, shuffle=False, verbose=0, **extra)
    _close(history[nn].history, history[keras].history)
    np.testing.assert_allclose(ours.predict(X_VAL), theirs.predict(X_VAL, verbose=0), atol=5e-6)


def test_loss_subclass_reductions_and_bad_reduction():
    y_true, y_pred = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3)).astype("float32")
    w = RNG.uniform(size=5)
    for reduction in ("sum_over_batch_size", "sum", "none"):
        mine, ref = _custom_loss_class(nn), _custom_loss_class(keras)
        mine.reduction = ref.reduction = reduction
        got = mine(y_true, y_pred, sample_weight=w)
        np.testing.assert_allclose(got.data, np.asarray(ref(y_true, y_pred, w)), rtol=1e-6)
    with pytest.raises(ValueError, match="reduction"):
        nn.losses.Loss(reduction="mean_over_everything")


def _true_positives(k):
    class CategoricalTruePositives(k.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = k.ops.reshape(k.ops.argmax(y_pred, axis=1), (-1, 1))
            values = k.ops.cast(y_true, "int32") == k.ops.cast(y_pred, "int32")
            values = k.ops.cast(values, "float32")
            if sample_weight is not None:
                values = k.ops.multiply(values, k.ops.cast(sample_weight, "float32"))
            self.true_positives.assign_add(k.ops.sum(values))

        def result(self):
            return self.true_positives.value

        def reset_state(self):
            self.true_positives.assign(0.0)

    return CategoricalTruePositives()


def test_custom_metric_subclass_with_variable_value():
    ours, theirs = _pair()
    history, scores = {}, {}
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(
            optimizer=k.optimizers.RMSprop(learning_rate=1e-3),
            loss=k.losses.SparseCategoricalCrossentropy(),
            metrics=[_true_positives(k)],
        )
        history[k] = model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
        scores[k] = model.evaluate(X_VAL, Y_VAL, verbose=0, return_dict=True)
    _close(history[nn], history[keras])
    _close(scores[nn], scores[keras])


def test_callback_changes_learning_rate_and_stops():
    def callbacks(k):
        class HalveRate(k.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                rate = float(k.ops.convert_to_numpy(self.model.optimizer.learning_rate))
                self.model.optimizer.learning_rate = rate * 0.5

        class StopEarly(k.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if batch == 2:
                    self.model.stop_training = True

        return [HalveRate(), StopEarly()]

    ours, theirs = _pair()
    history = {}
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(optimizer=k.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
        history[k] = model.fit(
            X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=callbacks(k)
        ).history
    _close(history[nn], history[keras])
    for mine, ref in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, ref, rtol=2e-5, atol=2e-6)
    kept = nn.ops.convert_to_numpy(ours.layers[-1].kernel)
    kept[...] = 0.0  # a copy, as Keras's
    assert np.abs(ours.get_weights()[-2]).sum() > 0


def test_early_stopping_verbose_prints_as_keras(capsys):
    ours, theirs = _pair()
    options = dict(monitor="val_loss", min_delta=1e-2, patience=1, verbose=1)
    out = {}
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(optimizer=k.optimizers.SGD(2.0), loss="sparse_categorical_crossentropy")
        stop = k.callbacks.EarlyStopping(**options, restore_best_weights=True)
        capsys.readouterr()
        model.fit(
            X,
            Y,
            batch_size=8,
            epochs=10,
            validation_data=(X_VAL, Y_VAL),
            shuffle=False,
            verbose=0,
            callbacks=[stop],
        )
        out[k] = capsys.readouterr().out.strip().splitlines()
    assert out[nn] == out[keras]
    assert out[nn][0].endswith("early stopping")
    with pytest.raises(ValueError, match="verbose"):
        nn.callbacks.EarlyStopping(verbose=-1)


def test_model_checkpoint_save_weights_only(tmp_path):
    ours, _ = _pair()
    ours.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = tmp_path / "ckpt.weights.h5"
    check = nn.callbacks.ModelCheckpoint(path, save_weights_only=True)
    ours.fit(X, Y, epochs=2, shuffle=False, verbose=0, callbacks=[check])
    fresh = _build(nn, layers)
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(X_VAL), ours.predict(X_VAL))
    with pytest.raises(ValueError, match="weights only"):
        nn.load_model(path)


def test_save_and_load_keep_weighted_metrics(tmp_path):
    ours, theirs = _pair()
    for model in (ours, theirs):
        model.compile(
            optimizer="sgd",
            loss="sparse_categorical_crossentropy",
            metrics=["sparse_categorical_accuracy"],
            weighted_metrics=["sparse_categorical_accuracy"],
        )
        model.fit(X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0, sample_weight=WEIGHTS)
    ours.save(tmp_path / "m.keras")
    theirs.save(tmp_path / "k.keras")
    mine = nn.load_model(tmp_path / "m.keras")
    ref = keras.models.load_model(tmp_path / "k.keras")
    scores = {}
    for model, key in ((mine, nn), (ref, keras)):
        scores[key] = model.evaluate(
            X_VAL, Y_VAL, sample_weight=WEIGHTS[:16], verbose=0, return_dict=True
        )
    assert "weighted_sparse_categorical_accuracy" in scores[nn]
    _close(scores[nn], scores[keras])
    history = mine.fit(
        X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0, sample_weight=WEIGHTS
    )
    keras_history = ref.fit(
        X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0, sample_weight=WEIGHTS
    )
    _close(history.history, keras_history.history)


def _with_add_loss(k, lay):
    class ActivityRegularizationLayer(lay.Layer):
        def call(self, inputs):
            self.add_loss(k.ops.sum(inputs) * 0.1)
            return inputs

    inputs = k.Input(shape=(6,))
    hidden = ActivityRegularizationLayer()(lay.Dense(8, activation="relu")(inputs))
    return k.Model(inputs, lay.Dense(3, activation="softmax")(hidden))


def test_add_loss_in_a_custom_layer_is_trained_and_evaluated_as_keras():
    ours, theirs = _with_add_loss(nn, layers), _with_add_loss(keras, keras.layers)
    ours.set_weights(theirs.get_weights())
    history, scores = {}, {}
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(optimizer=k.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
        history[k] = model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
        scores[k] = model.evaluate(X_VAL, Y_VAL, verbose=0, return_dict=True)
    _close(history[nn], history[keras])
    _close(scores[nn], scores[keras])
    assert len(ours.losses) == 1  # the last call's, replaced at each call
    ours.predict(X_VAL)
    assert len(ours.losses) == 1


def _sequential_guide(k, lay):
    model = k.Sequential()
    model.add(k.Input(shape=(6,)))
    model.add(lay.Dense(4, activation="relu"))
    model.add(lay.Dense(3, activation="relu", name="my_intermediate_layer"))
    model.add(lay.Dense(2))
    return model


def test_sequential_pop_layers_and_feature_extraction():
    ours, theirs = _sequential_guide(nn, layers), _sequential_guide(keras, keras.layers)
    ours.set_weights(theirs.get_weights())
    assert len(ours.layers) == len(theirs.layers) == 3
    extractors = [
        k.Model(inputs=m.inputs, outputs=[layer.output for layer in m.layers])
        for m, k in ((ours, nn), (theirs, keras))
    ]
    for mine, ref in zip(extractors[0](X_VAL), extractors[1](X_VAL), strict=True):
        np.testing.assert_allclose(np.asarray(mine.data), np.asarray(ref), rtol=1e-5, atol=1e-6)
    middle = [
        k.Model(inputs=m.inputs, outputs=m.get_layer(name="my_intermediate_layer").output)
        for m, k in ((ours, nn), (theirs, keras))
    ]
    np.testing.assert_allclose(
        middle[0](X_VAL).data, np.asarray(middle[1](X_VAL)), rtol=1e-5, atol=1e-6
    )
    before = ours.get_weights()
    for mine, ref in zip(before, theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, ref)  # the symbolic calls changed no weight
    last = ours.layers[-1]
    assert ours.pop() is last and len(ours.layers) == 2
    theirs.pop()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    np.testing.assert_allclose(
        ours.predict(X_VAL), theirs.predict(X_VAL, verbose=0), rtol=1e-5, atol=1e-6
    )
    ours.pop(), ours.pop()
    with pytest.raises(TypeError, match="no layers"):
        ours.pop()
    with pytest.raises(ValueError, match="no defined inputs"):
        _ = nn.Sequential([layers.Dense(2)]).inputs
    with pytest.raises(ValueError, match="no layer named"):
        _sequential_guide(nn, layers).get_layer("missing")


def test_models_namespace_loads_a_saved_model(tmp_path):
    ours, _ = _pair()
    ours.save(tmp_path / "my_model.keras")
    reloaded = nn.models.load_model(tmp_path / "my_model.keras")
    np.testing.assert_array_equal(reloaded.predict(X_VAL), ours.predict(X_VAL))
    assert nn.models.Sequential is nn.Sequential and nn.models.Model is nn.Model


def test_save_and_load_keep_metric_options(tmp_path):
    x = RNG.normal(size=(40, 3)).astype("float32")
    y = (x[:, 0] + 0.3 * x[:, 1] > 0).astype("float32")
    scores = {}
    keras.utils.set_random_seed(3)  # weights for which the thresholds below differ
    theirs = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")]
    )
    ours = nn.Sequential([nn.Input(shape=(3,)), layers.Dense(1, activation="sigmoid")])
    ours.set_weights(theirs.get_weights())
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(
            optimizer="sgd",
            loss="binary_crossentropy",
            metrics=[
                k.metrics.Precision(thresholds=0.7, name="precision"),
                k.metrics.AUC(num_thresholds=20, name="auc"),
            ],  # named: default names are numbered per process
            weighted_metrics=[k.metrics.Recall(thresholds=0.3, name="recall")],
        )
        model.save(tmp_path / f"{k.__name__}.keras")
        loaded = k.models.load_model(tmp_path / f"{k.__name__}.keras")
        scores[k] = loaded.evaluate(x, y, sample_weight=WEIGHTS[:40], verbose=0, return_dict=True)
    _close(scores[nn], scores[keras])
    ours.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["precision"])
    default = ours.evaluate(x, y, verbose=0, return_dict=True)["precision"]
    assert abs(default - scores[nn]["precision"]) > 1e-3  # the option changes the number
