"""The Keras code of "Hands-On Machine Learning with Scikit-Learn, Keras and
TensorFlow" (3rd edition), chapter 10, run as the book writes it with Keras and with
`nn`, on small synthetic data shaped like the book's (Fashion-MNIST, California
housing), from the same initial weights (copied from the Keras model) and in the same
batch order (`shuffle=False`), compared number by number: `History.history`,
`evaluate`, `predict`, `summary`, the weights after training, saving and the callbacks.
pandas is not a dependency: the learning curves are plotted from the dict."""

import matplotlib
import numpy as np
import pytest
from keras_tables import keras_summary_rows, summary_rows

import nn

keras = pytest.importorskip("keras")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

LIBS = [keras, nn]
CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


@pytest.fixture(autouse=True)
def _seed():
    """The book's `tf.random.set_seed(42)`: Keras's initial weights (copied into ours)."""
    keras.utils.set_random_seed(42)


def _close(ours, theirs, rtol=2e-5, atol=2e-6):
    """Two `history` or `evaluate(return_dict=True)` dicts: the same keys in the same
    order, the same numbers to float32 precision."""
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=atol, err_msg=key)


def _same_weights(ours, theirs, rtol=1e-4, atol=2e-6):
    assert len(ours) == len(theirs)
    for mine, ref in zip(ours, theirs, strict=True):
        assert mine.shape == ref.shape
        np.testing.assert_allclose(mine, ref, rtol=rtol, atol=atol)


def _close_outputs(mine, ref, rtol=2e-5):
    """Regression outputs: float32 precision relative to the outputs' scale (an output
    near 0 carries the rounding of the larger terms it is the sum of)."""
    assert mine.shape == ref.shape and mine.dtype == ref.dtype
    np.testing.assert_allclose(mine, ref, rtol=rtol, atol=rtol * np.abs(ref).max())


def _fashion_mnist(n, seed=0):
    """Images shaped and typed like `keras.datasets.fashion_mnist`'s, already split."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28)).astype("uint8")
    return images, rng.integers(0, 10, size=(n,)).astype("uint8")


def _housing(n, seed=0):
    """Eight features on California housing's scales, targets in 100k$."""
    rng = np.random.default_rng(seed)
    scale = np.array([1.9, 12.6, 2.5, 0.5, 1100.0, 10.0, 2.1, 2.0])
    offset = np.array([3.9, 28.6, 5.4, 1.1, 1425.0, 3.1, 35.6, -119.6])
    x = rng.normal(size=(n, 8)) * scale + offset
    y = 0.4 * x[:, 0] - 0.01 * x[:, 6] + 1.0 + 0.3 * rng.normal(size=n)
    return x, y


def _fashion_split():
    X_train_full, y_train_full = _fashion_mnist(260)
    X_test, y_test = _fashion_mnist(40, seed=1)
    X_train, y_train = X_train_full[:-60], y_train_full[:-60]
    X_valid, y_valid = X_train_full[-60:], y_train_full[-60:]
    X_train, X_valid, X_test = X_train / 255.0, X_valid / 255.0, X_test / 255.0
    return (X_train, y_train), (X_valid, y_valid), (X_test, y_test)


def _housing_split():
    X_train_full, y_train_full = _housing(260)
    X_test, y_test = _housing(40, seed=1)
    X_train, y_train = X_train_full[:200], y_train_full[:200]
    X_valid, y_valid = X_train_full[200:], y_train_full[200:]
    return (X_train, y_train), (X_valid, y_valid), (X_test, y_test)


def _classifier(k):
    model = k.Sequential()
    model.add(k.layers.Input(shape=[28, 28]))
    model.add(k.layers.Flatten())
    model.add(k.layers.Dense(300, activation="relu"))
    model.add(k.layers.Dense(100, activation="relu"))
    model.add(k.layers.Dense(10, activation="softmax"))
    return model


def test_classifier_layers_weights_and_summary_as_keras():
    models = {}
    for k in LIBS:
        k.utils.clear_session() if k is nn else k.backend.clear_session()
        models[k] = _classifier(k)
    for model in models.values():
        assert [type(layer).__name__ for layer in model.layers] == [
            "Flatten",
            "Dense",
            "Dense",
            "Dense",
        ]
        hidden1 = model.layers[1]
        assert hidden1.name == "dense"
        assert model.get_layer("dense") is hidden1
        weights, biases = hidden1.get_weights()
        assert weights.shape == (784, 300) and biases.shape == (300,)
        np.testing.assert_array_equal(biases, np.zeros(300, "float32"))
        assert weights.dtype == np.float32
        with pytest.raises(ValueError, match="dense_9"):
            model.get_layer("dense_9")
    theirs = keras_summary_rows(models[keras])
    text = models[nn].summary(print_fn=None)
    assert summary_rows(text) == theirs
    assert theirs[0] == [
        ("flatten", "Flatten", "(None, 784)", "0"),
        ("dense", "Dense", "(None, 300)", "235,500"),
        ("dense_1", "Dense", "(None, 100)", "30,100"),
        ("dense_2", "Dense", "(None, 10)", "1,010"),
    ]
    assert theirs[1] == [("Total", "266,610"), ("Trainable", "266,610"), ("Non-trainable", "0")]
    assert text.splitlines()[0] == 'Model: "sequential"'


def _plot_history(history_dict, epochs):
    """The book's learning curves (`pd.DataFrame(history.history).plot(...)`), drawn from
    the dict with matplotlib: one curve per key, in the dict's order."""
    plt.figure(figsize=(8, 5))
    for key, style in zip(history_dict, ["r--", "r--.", "b-", "b-*"], strict=True):
        plt.plot(range(epochs), history_dict[key], style, label=key)
    plt.xlim(0, epochs - 1)
    plt.ylim(0, 1)
    plt.grid(True)
    plt.xlabel("Epoch")
    plt.legend(loc="lower left")
    curves = [(line.get_label(), line.get_ydata()) for line in plt.gca().get_lines()]
    plt.close()
    return curves


def test_classifier_compile_fit_evaluate_predict_as_keras():
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = _fashion_split()
    models = {k: _classifier(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history, scores, y_proba = {}, {}, {}
    for k, model in models.items():
        model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=4,
            validation_data=(X_valid, y_valid),
            shuffle=False,
            verbose=0,
        )
        scores[k] = model.evaluate(X_test, y_test, verbose=0)
        X_new = X_test[:3]
        y_proba[k] = model.predict(X_new, verbose=0)
    assert list(history[nn].history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    _close(history[nn].history, history[keras].history)
    assert history[nn].params == history[keras].params == {"verbose": 0, "epochs": 4, "steps": 7}
    assert history[nn].epoch == history[keras].epoch == [0, 1, 2, 3]
    curves = {k: _plot_history(h.history, 4) for k, h in history.items()}
    for (label, y), (ref_label, ref_y) in zip(curves[nn], curves[keras], strict=True):
        assert label == ref_label
        np.testing.assert_allclose(y, ref_y, rtol=2e-5)
    _same_weights(models[nn].get_weights(), models[keras].get_weights())
    assert isinstance(scores[nn][0], float)
    np.testing.assert_allclose(scores[nn], scores[keras], rtol=2e-5)
    assert y_proba[nn].shape == (3, 10) and y_proba[nn].dtype == np.float32
    np.testing.assert_allclose(y_proba[nn], y_proba[keras], rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(y_proba[nn].round(2), y_proba[keras].round(2))
    y_pred = y_proba[nn].argmax(axis=-1)
    np.testing.assert_array_equal(y_pred, y_proba[keras].argmax(axis=-1))
    assert list(np.array(CLASS_NAMES)[y_pred]) == [CLASS_NAMES[i] for i in y_pred]


def test_classifier_validation_split_as_keras():
    (X_train, y_train), _, _ = _fashion_split()
    models = {k: _classifier(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history = {}
    for k, model in models.items():
        model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
        history[k] = model.fit(
            X_train, y_train, epochs=3, validation_split=0.1, shuffle=False, verbose=0
        )
    _close(history[nn].history, history[keras].history)
    assert history[nn].params == history[keras].params
    _same_weights(models[nn].get_weights(), models[keras].get_weights())


def _regressor(k, X_train):
    norm_layer = k.layers.Normalization(input_shape=X_train.shape[1:])
    model = k.Sequential(
        [
            norm_layer,
            k.layers.Dense(50, activation="relu"),
            k.layers.Dense(50, activation="relu"),
            k.layers.Dense(50, activation="relu"),
            k.layers.Dense(1),
        ]
    )
    return model, norm_layer


def _fit_housing(build, epochs):
    """The book's regression run for the model `build(k, X_train)` makes with each
    library (Keras's initial weights copied to nn's): compile with Adam and RMSE, adapt
    the normalization layer, fit with validation data, evaluate, predict three rows.
    Returns the models with their normalization layers, histories, scores and
    predictions, each by library."""
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = _housing_split()
    built = {k: build(k, X_train) for k in LIBS}
    built[nn][0].set_weights(built[keras][0].get_weights())
    history, scores, y_pred = {}, {}, {}
    for k, (model, norm_layer) in built.items():
        optimizer = k.optimizers.Adam(learning_rate=1e-3)
        model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
        norm_layer.adapt(X_train)
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=epochs,
            validation_data=(X_valid, y_valid),
            shuffle=False,
            verbose=0,
        )
        scores[k] = model.evaluate(X_test, y_test, verbose=0)
        X_new = X_test[:3]
        y_pred[k] = model.predict(X_new, verbose=0)
    return built, history, scores, y_pred


def test_regression_mlp_with_normalization_and_adam_as_keras():
    built, history, scores, y_pred = _fit_housing(_regressor, epochs=5)
    mean, variance = (np.asarray(w) for w in built[nn][1].get_weights()[:2])
    ref_mean, ref_variance = (np.asarray(w) for w in built[keras][1].get_weights()[:2])
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-6)
    np.testing.assert_allclose(variance, ref_variance, rtol=1e-5)
    assert list(history[nn].history) == [
        "RootMeanSquaredError",
        "loss",
        "val_RootMeanSquaredError",
        "val_loss",
    ]
    _close(history[nn].history, history[keras].history)
    mse_test, rmse_test = scores[nn]
    assert rmse_test == pytest.approx(np.sqrt(mse_test), rel=1e-6)
    np.testing.assert_allclose(scores[nn], scores[keras], rtol=2e-5)
    assert y_pred[nn].shape == (3, 1)
    _close_outputs(y_pred[nn], y_pred[keras])
    _same_weights(built[nn][0].get_weights(), built[keras][0].get_weights())


def _wide_and_deep(k, X_train):
    normalization_layer = k.layers.Normalization()
    hidden_layer1 = k.layers.Dense(30, activation="relu")
    hidden_layer2 = k.layers.Dense(30, activation="relu")
    concat_layer = k.layers.Concatenate()
    output_layer = k.layers.Dense(1)

    input_ = k.layers.Input(shape=X_train.shape[1:])
    normalized = normalization_layer(input_)
    hidden1 = hidden_layer1(normalized)
    hidden2 = hidden_layer2(hidden1)
    concat = concat_layer([normalized, hidden2])
    output = output_layer(concat)

    model = k.Model(inputs=[input_], outputs=[output])
    return model, normalization_layer


def test_wide_and_deep_functional_model_as_keras():
    built, history, scores, y_pred = _fit_housing(_wide_and_deep, epochs=4)
    _close(history[nn].history, history[keras].history)
    np.testing.assert_allclose(scores[nn], scores[keras], rtol=2e-5)
    _close_outputs(y_pred[nn], y_pred[keras])
    _same_weights(built[nn][0].get_weights(), built[keras][0].get_weights())


def _two_inputs_two_outputs(k):
    input_wide = k.layers.Input(shape=[5])  # features 0 to 4
    input_deep = k.layers.Input(shape=[6])  # features 2 to 7
    norm_layer_wide = k.layers.Normalization()
    norm_layer_deep = k.layers.Normalization()
    norm_wide = norm_layer_wide(input_wide)
    norm_deep = norm_layer_deep(input_deep)
    hidden1 = k.layers.Dense(30, activation="relu")(norm_deep)
    hidden2 = k.layers.Dense(30, activation="relu")(hidden1)
    concat = k.layers.concatenate([norm_wide, hidden2])
    output = k.layers.Dense(1)(concat)
    aux_output = k.layers.Dense(1)(hidden2)
    model = k.Model(inputs=[input_wide, input_deep], outputs=[output, aux_output])
    return model, norm_layer_wide, norm_layer_deep


def _wide_deep_data():
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = _housing_split()
    X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
    X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
    X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
    return (
        ((X_train_wide, X_train_deep), y_train),
        ((X_valid_wide, X_valid_deep), y_valid),
        ((X_test_wide, X_test_deep), y_test),
    )


def _fit_two_outputs(k, model, loss_weights, data):
    """The book's compile and fit of a model with two outputs (main and auxiliary, both
    trained on y): two MSE losses weighted 0.9 and 0.1, an RMSE metric per output."""
    (X_train, y_train), (X_valid, y_valid), _ = data
    model.compile(
        loss=("mse", "mse"),
        loss_weights=loss_weights,
        optimizer=k.optimizers.Adam(learning_rate=1e-3),
        metrics=["RootMeanSquaredError", "RootMeanSquaredError"],
    )
    return model.fit(
        X_train,
        (y_train, y_train),
        epochs=4,
        validation_data=(X_valid, (y_valid, y_valid)),
        shuffle=False,
        verbose=0,
    )


def test_two_inputs_two_outputs_with_loss_weights_as_keras():
    (X_train, _), _, (X_test, y_test) = _wide_deep_data()
    built = {}
    for k in LIBS:
        k.utils.clear_session() if k is nn else k.backend.clear_session()
        built[k] = _two_inputs_two_outputs(k)
    built[nn][0].set_weights(built[keras][0].get_weights())
    history, results, y_preds = {}, {}, {}
    for k, (model, norm_layer_wide, norm_layer_deep) in built.items():
        norm_layer_wide.adapt(X_train[0])
        norm_layer_deep.adapt(X_train[1])
        history[k] = _fit_two_outputs(k, model, (0.9, 0.1), _wide_deep_data())
        results[k] = model.evaluate(X_test, (y_test, y_test), verbose=0)
        X_new = (X_test[0][:3], X_test[1][:3])
        y_preds[k] = model.predict(X_new, verbose=0)
        assert model.output_names == ["dense_2", "dense_3"]
    _close(history[nn].history, history[keras].history)
    weighted_sum_of_losses, main_loss, aux_loss, main_rmse, aux_rmse = results[nn]
    assert weighted_sum_of_losses == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-5)
    assert (main_rmse, aux_rmse) == pytest.approx((main_loss**0.5, aux_loss**0.5), rel=1e-5)
    np.testing.assert_allclose(results[nn], results[keras], rtol=2e-5)
    y_pred_main, y_pred_aux = y_preds[nn]
    for mine, ref in zip(y_preds[nn], y_preds[keras], strict=True):
        _close_outputs(mine, ref)
    y_pred = dict(zip(built[nn][0].output_names, y_preds[nn], strict=True))
    np.testing.assert_array_equal(y_pred["dense_2"], y_pred_main)
    np.testing.assert_array_equal(y_pred["dense_3"], y_pred_aux)
    _same_weights(built[nn][0].get_weights(), built[keras][0].get_weights())


def _wide_and_deep_class(k):
    class WideAndDeepModel(k.Model):
        def __init__(self, units=30, activation="relu", **kwargs):
            super().__init__(**kwargs)  # needed to support naming the model
            self.norm_layer_wide = k.layers.Normalization()
            self.norm_layer_deep = k.layers.Normalization()
            self.hidden1 = k.layers.Dense(units, activation=activation)
            self.hidden2 = k.layers.Dense(units, activation=activation)
            self.main_output = k.layers.Dense(1)
            self.aux_output = k.layers.Dense(1)

        def call(self, inputs):
            input_wide, input_deep = inputs
            norm_wide = self.norm_layer_wide(input_wide)
            norm_deep = self.norm_layer_deep(input_deep)
            hidden1 = self.hidden1(norm_deep)
            hidden2 = self.hidden2(hidden1)
            concat = k.layers.concatenate([norm_wide, hidden2])
            output = self.main_output(concat)
            aux_output = self.aux_output(hidden2)
            return output, aux_output

    return WideAndDeepModel


def test_subclassed_wide_and_deep_model_calls_as_keras():
    """The book's subclassed model, adapted and called on (wide, deep) with Keras's
    weights."""
    (X_train, _), _, (X_test, _) = _wide_deep_data()
    X_new = (X_test[0][:3].astype("float32"), X_test[1][:3].astype("float32"))
    models, outputs = {}, {}
    for k in LIBS:
        model = _wide_and_deep_class(k)(30, activation="relu", name="my_cool_model")
        assert model.name == "my_cool_model"
        model.norm_layer_wide.adapt(X_train[0])
        model.norm_layer_deep.adapt(X_train[1])
        model(X_new)  # builds the Dense layers
        models[k] = model
    assert [w.shape for w in models[nn].get_weights()] == [
        w.shape for w in models[keras].get_weights()
    ]
    models[nn].set_weights(models[keras].get_weights())
    for k, model in models.items():
        outputs[k] = model(X_new)
        assert isinstance(outputs[k], tuple) and len(outputs[k]) == 2
    for mine, ref in zip(outputs[nn], outputs[keras], strict=True):
        _close_outputs(mine.data, np.asarray(ref))
    assert models[nn].count_params() == models[keras].count_params()


def test_subclassed_wide_and_deep_model_trains_as_keras():
    """The book's subclassed model compiled with two losses, their weights and a
    metric per output, fit on (wide, deep) with (y, y), evaluated and asked to
    predict, from Keras's weights. Its outputs have no names, so Keras 3 reports
    `mse_loss` once (the last output's) and the metrics as `RootMeanSquaredError`
    and `RootMeanSquaredError_1`, and `evaluate`'s list repeats values by name."""
    (X_train, _), _, (X_test, y_test) = _wide_deep_data()
    X_new = (X_test[0][:3], X_test[1][:3])
    models = {}
    for k in LIBS:
        model = _wide_and_deep_class(k)(30, activation="relu", name="my_cool_model")
        model.norm_layer_wide.adapt(X_train[0])
        model.norm_layer_deep.adapt(X_train[1])
        model((X_new[0].astype("float32"), X_new[1].astype("float32")))
        models[k] = model
    models[nn].set_weights(models[keras].get_weights())
    history, results, scores, y_preds = {}, {}, {}, {}
    for k, model in models.items():
        history[k] = _fit_two_outputs(k, model, [0.9, 0.1], _wide_deep_data())
        results[k] = model.evaluate(X_test, (y_test, y_test), verbose=0)
        scores[k] = model.evaluate(X_test, (y_test, y_test), verbose=0, return_dict=True)
        y_preds[k] = model.predict(X_new, verbose=0)
    assert list(history[nn].history) == [
        "RootMeanSquaredError",
        "RootMeanSquaredError_1",
        "loss",
        "mse_loss",
        *("val_RootMeanSquaredError", "val_RootMeanSquaredError_1", "val_loss", "val_mse_loss"),
    ]
    _close(history[nn].history, history[keras].history)
    _close(scores[nn], scores[keras])
    np.testing.assert_allclose(results[nn], results[keras], rtol=2e-5)
    loss, main_rmse, _, aux_loss, _, aux_rmse = results[nn]
    assert aux_loss == pytest.approx(aux_rmse**2, rel=1e-5)  # mse_loss: the aux output's
    assert loss == pytest.approx(0.9 * main_rmse**2 + 0.1 * aux_loss, rel=1e-5)
    assert isinstance(y_preds[nn], tuple) and len(y_preds[nn]) == 2
    y_pred_main, y_pred_aux = y_preds[nn]
    for mine, ref in zip((y_pred_main, y_pred_aux), y_preds[keras], strict=True):
        _close_outputs(mine, ref)
    _same_weights(models[nn].get_weights(), models[keras].get_weights())


def test_save_and_load_model_as_keras(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (X_train, y_train), _, (X_test, _) = _wide_deep_data()
    built = {k: _two_inputs_two_outputs(k) for k in LIBS}
    built[nn][0].set_weights(built[keras][0].get_weights())
    before, after = {}, {}
    for k, (model, norm_layer_wide, norm_layer_deep) in built.items():
        model.compile(
            loss=("mse", "mse"), loss_weights=(0.9, 0.1), optimizer="adam", metrics=["mse", "mse"]
        )
        norm_layer_wide.adapt(X_train[0])
        norm_layer_deep.adapt(X_train[1])
        model.fit(X_train, (y_train, y_train), epochs=2, shuffle=False, verbose=0)
        before[k] = model.predict(X_test, verbose=0)
        model.save("my_model.keras")
        model = k.models.load_model("my_model.keras")
        after[k] = model.predict(X_test, verbose=0)
        model.save_weights("my_weights.weights.h5" if k is keras else "my_weights.weights.npz")
    for k in LIBS:
        for mine, ref in zip(after[k], before[k], strict=True):
            np.testing.assert_array_equal(mine, ref)
    for mine, ref in zip(after[nn], after[keras], strict=True):
        _close_outputs(mine, ref)


def _ratio_callback(k):
    class PrintValTrainRatioCallback(k.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            ratio = logs["val_loss"] / logs["loss"]
            print(f"Epoch={epoch}, val/train={ratio:.2f}")

    return PrintValTrainRatioCallback()


def test_checkpoint_early_stopping_and_custom_callback_as_keras(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (X_train, y_train), (X_valid, y_valid), _ = _housing_split()
    built = {k: _regressor(k, X_train) for k in LIBS}
    built[nn][0].set_weights(built[keras][0].get_weights())
    history, stops, printed, scores, reloaded = {}, {}, {}, {}, {}
    for k, (model, norm_layer) in built.items():
        model.compile(loss="mse", optimizer=k.optimizers.SGD(learning_rate=0.1))
        norm_layer.adapt(X_train)
        checkpoint_cb = k.callbacks.ModelCheckpoint("my_checkpoint.keras", save_best_only=True)
        early_stopping_cb = k.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
        capsys.readouterr()
        history[k] = model.fit(
            X_train,
            y_train,
            epochs=30,
            batch_size=32,
            validation_data=(X_valid, y_valid),
            callbacks=[checkpoint_cb, early_stopping_cb, _ratio_callback(k)],
            shuffle=False,
            verbose=0,
        )
        printed[k] = capsys.readouterr().out.splitlines()
        stops[k] = early_stopping_cb.stopped_epoch, early_stopping_cb.best_epoch, checkpoint_cb.best
        scores[k] = model.evaluate(X_valid, y_valid, verbose=0)
        reloaded[k] = k.models.load_model("my_checkpoint.keras").evaluate(
            X_valid, y_valid, verbose=0
        )
    assert 0 < stops[keras][0] < 29  # it stopped early
    assert stops[nn][:2] == stops[keras][:2]
    assert stops[nn][2] == pytest.approx(stops[keras][2], rel=2e-5)
    assert history[nn].epoch == history[keras].epoch
    _close(history[nn].history, history[keras].history)
    assert printed[nn] == printed[keras]
    assert printed[nn][0].startswith("Epoch=0, val/train=")
    assert len(printed[nn]) == len(history[nn].epoch)
    best = min(history[nn].history["val_loss"])
    assert scores[nn] == pytest.approx(best, rel=1e-6)  # the best weights restored
    assert reloaded[nn] == pytest.approx(best, rel=1e-6)
    assert scores[nn] == pytest.approx(scores[keras], rel=2e-5)
    _same_weights(built[nn][0].get_weights(), built[keras][0].get_weights())
