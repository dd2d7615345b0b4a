"""Keras 3's fit/evaluate arguments, Metric classes and Callback hooks, against Keras."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")

HOOKS = [
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
]


def _recorder(base):
    """A callback class of `base` that records (hook, index, sorted log keys)."""

    def hook(name):
        def record(self, *args, **kwargs):
            *index, logs = [*args, *kwargs.values()]
            self.calls.append((name, *index, tuple(sorted(logs)), tuple(kwargs)))
            getattr(base, name)(self, *args, **kwargs)

        return record

    namespace = {name: hook(name) for name in HOOKS}
    namespace["__init__"] = lambda self: (base.__init__(self), setattr(self, "calls", []))[0]
    return type("Recorder", (base,), namespace)


def _data(n=22, classes=None, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    if classes is None:
        y = (rng.random(n) > 0.5).astype(np.float32)
    else:
        y = rng.integers(0, classes, size=n)
    return x, y, rng.random(n).astype(np.float32) + 0.1


def _models(out=1, activation="sigmoid", loss="binary_crossentropy", metrics=("accuracy",)):
    theirs = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(5, activation="tanh"),
            keras.layers.Dense(out, activation=activation),
        ]
    )
    ours = nn.Sequential(
        [nn.Input((3,)), nn.Dense(5, activation="tanh"), nn.Dense(out, activation=activation)]
    )
    ours.set_weights(theirs.get_weights())
    theirs.compile(optimizer=keras.optimizers.SGD(0.2), loss=loss, metrics=list(metrics))
    ours.compile(optimizer=nn.optimizers.SGD(0.2), loss=loss, metrics=list(metrics))
    return ours, theirs


def _same_history(ours, theirs):
    assert set(ours.history) == set(theirs.history)
    for key, values in theirs.history.items():
        np.testing.assert_allclose(ours.history[key], values, rtol=1e-6, atol=1e-7, err_msg=key)
    assert ours.epoch == theirs.epoch


def test_sample_weight_is_keras_sum_over_batch_size():
    x, y, w = _data()
    ours, theirs = _models(metrics=("accuracy", "mse"))
    args = dict(batch_size=4, epochs=4, shuffle=False, verbose=0, validation_split=0.25)
    _same_history(
        ours.fit(x, y, sample_weight=w, **args), theirs.fit(x, y, sample_weight=w, **args)
    )
    got = ours.evaluate(x, y, sample_weight=w, batch_size=5, verbose=0, return_dict=True)
    want = theirs.evaluate(x, y, sample_weight=w, batch_size=5, verbose=0, return_dict=True)
    assert got == pytest.approx(want, rel=1e-5)
    # not the mean over the sum of the weights
    per_sample = ours.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)["loss"]
    assert got["loss"] != pytest.approx(per_sample, rel=1e-3)


def test_validation_data_with_sample_weight():
    x, y, w = _data()
    ours, theirs = _models()
    args = dict(batch_size=6, epochs=3, shuffle=False, verbose=0)
    _same_history(
        ours.fit(x, y, validation_data=(x[:9], y[:9], w[:9]), **args),
        theirs.fit(x, y, validation_data=(x[:9], y[:9], w[:9]), **args),
    )


@pytest.mark.parametrize("targets", ["sparse", "one_hot"])
def test_class_weight_matches_keras(targets):
    x, y, _ = _data(n=25, classes=3)
    loss = "sparse_categorical_crossentropy"
    if targets == "one_hot":
        y, loss = np.eye(3, dtype=np.float32)[y], "categorical_crossentropy"
    ours, theirs = _models(out=3, activation="softmax", loss=loss)
    args = dict(batch_size=4, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    weights = {0: 1.0, 1: 2.5, 2: 0.5}
    _same_history(
        ours.fit(x, y, class_weight=weights, **args), theirs.fit(x, y, class_weight=weights, **args)
    )


def test_class_weight_with_validation_split_and_a_short_last_batch_matches_keras():
    """The class weights of the held-out samples were kept with the training ones, so
    a short last batch took more weights than samples (a broadcasting error in Mul)."""
    x, y, _ = _data(n=22)
    ours, theirs = _models(metrics=("accuracy", "mse"))
    args = dict(batch_size=5, epochs=3, shuffle=False, verbose=0, validation_split=0.25)
    weights = {0: 2.0, 1: 0.5}
    _same_history(
        ours.fit(x, y, class_weight=weights, **args), theirs.fit(x, y, class_weight=weights, **args)
    )


def test_batch_size_none_is_keras_default_of_32():
    """`batch_size=None` (Keras's "unspecified") raised a TypeError in fit, evaluate
    and predict; Keras takes batches of 32."""
    x, y, _ = _data(n=70)
    ours, theirs = _models()
    args = dict(batch_size=None, epochs=2, shuffle=False, verbose=0)
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))
    assert ours.history.params["steps"] == 3  # 32 + 32 + 6
    got = ours.evaluate(x, y, batch_size=None, verbose=0)
    np.testing.assert_allclose(got, theirs.evaluate(x, y, batch_size=None, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(
        ours.predict(x, batch_size=None, verbose=0),
        theirs.predict(x, batch_size=None, verbose=0),
        rtol=1e-6,
    )
    with pytest.raises(TypeError, match="batch_size"):
        ours.fit(x, y, batch_size=32.0, verbose=0)


def test_train_test_and_predict_on_batch_match_keras():
    """`train_on_batch`, `test_on_batch` and `predict_on_batch` did not exist (an
    AttributeError for Keras code that steps by hand)."""
    x, y, w = _data(n=24)
    ours, theirs = _models(metrics=("accuracy", "mse"))
    for model in (ours, theirs):
        model.fit(x, y, epochs=1, verbose=0)  # model.history: left alone by the steps
    steps = [
        dict(x=x[:8], y=y[:8]),
        dict(x=x[8:16], y=y[8:16], sample_weight=w[8:16]),
        dict(x=x[16:], y=y[16:], class_weight={0: 0.5, 1: 2.0}, return_dict=True),
    ]
    for step in steps:
        got, want = ours.train_on_batch(**step), theirs.train_on_batch(**step)
        if isinstance(want, dict):
            assert list(got) == list(want)
            got, want = list(got.values()), list(want.values())
        np.testing.assert_allclose(got, want, rtol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert len(ours.history.epoch) == 1
    got = ours.test_on_batch(x[:5], y[:5], sample_weight=w[:5])
    np.testing.assert_allclose(
        got, theirs.test_on_batch(x[:5], y[:5], sample_weight=w[:5]), rtol=1e-6
    )
    assert ours.test_on_batch(x, y, return_dict=True) == pytest.approx(
        theirs.test_on_batch(x, y, return_dict=True), rel=1e-6
    )
    np.testing.assert_allclose(ours.predict_on_batch(x), theirs.predict_on_batch(x), rtol=1e-6)


def test_compile_takes_keras_execution_options():
    """`compile(run_eagerly=True)` (Keras's debugging advice), `jit_compile`,
    `steps_per_execution` and `auto_scale_loss` went to the optimizer and failed
    ("RMSprop got unexpected argument(s) run_eagerly"); they change no number."""
    x, y, _ = _data()
    options = dict(run_eagerly=True, jit_compile=False, steps_per_execution=1, auto_scale_loss=True)
    ours, theirs = _models()
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(k.optimizers.SGD(0.2), "binary_crossentropy", metrics=["accuracy"], **options)
    args = dict(batch_size=5, epochs=2, shuffle=False, verbose=0)
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))
    inputs = nn.Input((3,))
    functional = nn.Model(inputs, nn.Dense(1)(inputs))
    functional.compile(loss="mse", run_eagerly=False, jit_compile="auto")
    with pytest.raises(TypeError, match="run_eagerly"):
        ours.compile(loss="mse", run_eagerly="yes")
    with pytest.raises(ValueError, match="steps_per_execution"):
        ours.compile(loss="mse", steps_per_execution=0)


def test_compile_again_keeps_the_last_loss_and_metrics_as_keras():
    """`compile(optimizer=...)` on a compiled model (a new learning rate) raised "a loss
    is required"; Keras 3 keeps the last loss, and the metrics when none are given."""
    x, y, _ = _data()
    ours, theirs = _models(metrics=("accuracy", "mse"))
    args = dict(batch_size=5, epochs=2, shuffle=False, verbose=0)
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))
    ours.compile(optimizer=nn.optimizers.SGD(0.05))
    theirs.compile(optimizer=keras.optimizers.SGD(0.05))
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))
    ours.compile(optimizer="adam", metrics=["mae"])
    theirs.compile(optimizer="adam", metrics=["mae"])
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))
    fresh = nn.Sequential([nn.Input((3,)), nn.Dense(1)])
    fresh.compile(optimizer="adam")  # no loss: Keras 3 trains on the layers' losses (none: 0)
    assert fresh.loss is None
    with pytest.raises(ValueError, match="required for the loss 'binary_crossentropy'"):
        ours.fit(x, **args)


def test_initial_epoch_steps_per_epoch_and_validation_options_match_keras():
    x, y, _ = _data(n=10)
    ours, theirs = _models()
    rec_ours, rec_theirs = _recorder(nn.callbacks.Callback)(), _recorder(keras.callbacks.Callback)()
    args = dict(
        batch_size=4,
        epochs=5,
        initial_epoch=1,
        steps_per_epoch=2,
        validation_data=(x, y),
        validation_steps=2,
        validation_batch_size=3,
        validation_freq=2,
        shuffle=False,
        verbose=0,
    )
    with pytest.warns(UserWarning, match="ran out"):
        h_ours = ours.fit(x, y, callbacks=[rec_ours], **args)
    h_theirs = theirs.fit(x, y, callbacks=[rec_theirs], **args)
    _same_history(h_ours, h_theirs)
    assert h_ours.epoch == [1, 2, 3, 4]
    assert rec_ours.calls == rec_theirs.calls
    assert rec_ours.params == rec_theirs.params == {"verbose": 0, "epochs": 5, "steps": 2}


def test_validation_freq_list():
    x, y, _ = _data()
    ours, theirs = _models()
    args = dict(batch_size=8, epochs=4, validation_split=0.3, validation_freq=[1, 4], verbose=0)
    args["shuffle"] = False
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))
    assert len(ours.history.history["val_loss"]) == 2


def test_evaluate_returns_as_keras():
    x, y, _ = _data()
    ours, theirs = _models(metrics=("accuracy", "mae"))
    got, want = ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0)
    assert isinstance(got, list) and got == pytest.approx(want, rel=1e-5)
    got = ours.evaluate(x, y, verbose=0, steps=1, batch_size=5)
    assert got == pytest.approx(theirs.evaluate(x, y, verbose=0, steps=1, batch_size=5), rel=1e-5)
    plain, plain_k = _models(metrics=())
    assert plain.evaluate(x, y, verbose=0) == pytest.approx(plain_k.evaluate(x, y, verbose=0))
    assert isinstance(plain.evaluate(x, y, verbose=0), float)


class RootMeanSquaredErrorOurs(nn.metrics.Metric):
    """DLwP chapter 7, written against nn as keras."""

    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(
            name="total_samples", initializer="zeros", dtype="int32"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        ops = nn.ops
        y_true = ops.one_hot(y_true, num_classes=ops.shape(y_pred)[1])
        mse = ops.sum(ops.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        self.total_samples.assign_add(ops.shape(y_pred)[0])

    def result(self):
        return nn.ops.sqrt(self.mse_sum / nn.ops.cast(self.total_samples, "float32"))

    def reset_state(self):
        self.mse_sum.assign(0.0)
        self.total_samples.assign(0)


class RootMeanSquaredErrorKeras(keras.metrics.Metric):
    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(
            name="total_samples", initializer="zeros", dtype="int32"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        ops = keras.ops
        y_true = ops.one_hot(y_true, num_classes=ops.shape(y_pred)[1])
        self.mse_sum.assign_add(ops.sum(ops.square(y_true - y_pred)))
        self.total_samples.assign_add(ops.shape(y_pred)[0])

    def result(self):
        return keras.ops.sqrt(self.mse_sum / keras.ops.cast(self.total_samples, "float32"))

    def reset_state(self):
        self.mse_sum.assign(0.0)
        self.total_samples.assign(0)


def test_custom_metric_dlwp_rmse_per_epoch_matches_keras():
    x, y, _ = _data(n=30, classes=4)
    ours, theirs = _models(out=4, activation="softmax", loss="sparse_categorical_crossentropy")
    ours.compile(
        optimizer=nn.optimizers.SGD(0.2),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy", RootMeanSquaredErrorOurs()],
    )
    theirs.compile(
        optimizer=keras.optimizers.SGD(0.2),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy", RootMeanSquaredErrorKeras()],
    )
    args = dict(batch_size=7, epochs=3, shuffle=False, verbose=0, validation_split=0.3)
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))
    got = ours.evaluate(x, y, verbose=0, return_dict=True)
    assert got == pytest.approx(theirs.evaluate(x, y, verbose=0, return_dict=True), rel=1e-5)
    assert "val_rmse" in ours.history.history


def test_metric_base_state_and_errors():
    metric = RootMeanSquaredErrorOurs()
    assert [v.name for v in metric.variables] == ["mse_sum", "total_samples"]
    assert metric.total_samples.dtype == np.int32 and not metric.mse_sum.trainable
    value = metric(np.array([0, 1]), np.array([[1.0, 0.0], [1.0, 0.0]], np.float32))
    assert float(value) == pytest.approx(1.0)
    metric.reset_state()
    assert float(metric.mse_sum) == 0 and int(metric.total_samples.data) == 0
    assert nn.metrics.Mean().get_config() == keras.metrics.Mean().get_config()

    class Broken(nn.metrics.Metric):
        def __init__(self):
            self.v = self.add_weight(name="v")

    with pytest.raises(RuntimeError, match="super"):
        Broken()
    with pytest.raises(NotImplementedError, match="update_state"):
        nn.metrics.Metric().update_state(1, 2)


BUILT_IN = [
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.7}, "binary"),
    ("CategoricalAccuracy", {}, "one_hot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("Accuracy", {}, "labels"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.3, 0.6]}, "binary"),
    ("Recall", {}, "binary"),
    ("Recall", {"thresholds": 0.4, "class_id": 2}, "multilabel"),
]


def _inputs(kind, rng):
    if kind == "binary":
        return (rng.random((12, 1)) > 0.5).astype(np.float32), rng.random((12, 1))
    if kind == "multilabel":
        return (rng.random((12, 4)) > 0.5).astype(np.float32), rng.random((12, 4))
    if kind == "one_hot":
        return np.eye(4, dtype=np.float32)[rng.integers(0, 4, 12)], rng.random((12, 4))
    if kind == "sparse":
        return rng.integers(0, 4, (12, 1)), rng.random((12, 4))
    if kind == "labels":
        return rng.integers(0, 3, (12, 2)), rng.integers(0, 3, (12, 2))
    return rng.normal(size=(12, 3)), rng.normal(size=(12, 3))


@pytest.mark.parametrize(("name", "options", "kind"), BUILT_IN)
def test_built_in_metric_classes_match_keras(name, options, kind):
    rng = np.random.default_rng(len(name) + len(options))
    nn.utils.clear_session()  # default names are numbered: precision, precision_1, ...
    keras.utils.clear_session()
    ours = getattr(nn.metrics, name)(**options)
    theirs = getattr(keras.metrics, name)(**options)
    assert ours.name == theirs.name
    for step in range(3):
        y_true, y_pred = _inputs(kind, rng)
        y_pred = y_pred.astype(np.float32)
        weight = rng.random(len(y_true)).astype(np.float32) if step else None
        ours.update_state(y_true, y_pred, sample_weight=weight)
        theirs.update_state(y_true, y_pred, sample_weight=weight)
        np.testing.assert_allclose(ours.result().data, np.asarray(theirs.result()), rtol=1e-6)
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_allclose(ours.result().data, np.asarray(theirs.result()))
    again_ours, again_theirs = getattr(nn.metrics, name)(), getattr(keras.metrics, name)()
    assert again_ours.name == again_theirs.name


def test_mean_with_weights_matches_keras():
    rng = np.random.default_rng(3)
    ours, theirs = nn.metrics.Mean(), keras.metrics.Mean()
    for values, weight in [
        (rng.random((4, 3)), None),
        (rng.random((5, 2)), rng.random(5)),
        (rng.random((3, 2)), rng.random((3, 2))),
        (2.5, None),
    ]:
        ours.update_state(values, sample_weight=weight)
        theirs.update_state(values, sample_weight=weight)
        assert float(ours.result()) == pytest.approx(float(theirs.result()), rel=1e-6)


def test_metric_classes_by_object_and_name_in_fit():
    x, y, _ = _data()
    nn.utils.clear_session()
    keras.utils.clear_session()
    ours, theirs = _models()
    for model, lib in ((ours, nn), (theirs, keras)):
        opt = lib.optimizers.SGD(0.2)
        model.compile(
            optimizer=opt,
            loss="binary_crossentropy",
            metrics=["binary_accuracy", lib.metrics.Precision(), lib.metrics.Recall(name="rec")],
        )
    args = dict(batch_size=5, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    _same_history(ours.fit(x, y, **args), theirs.fit(x, y, **args))


def test_callback_sequence_of_fit_evaluate_predict_matches_keras():
    x, y, _ = _data(n=9)
    ours, theirs = _models()
    rec_ours, rec_theirs = _recorder(nn.callbacks.Callback)(), _recorder(keras.callbacks.Callback)()
    args = dict(batch_size=4, epochs=2, validation_data=(x, y), shuffle=False, verbose=0)
    ours.fit(x, y, callbacks=[rec_ours], **args)
    theirs.fit(x, y, callbacks=[rec_theirs], **args)
    assert rec_ours.calls == rec_theirs.calls
    assert rec_ours.params == rec_theirs.params
    for run in (
        lambda m, cb: m.evaluate(x, y, batch_size=4, verbose=0, callbacks=[cb]),
        lambda m, cb: m.predict(x, batch_size=4, verbose=0, callbacks=[cb]),
    ):
        rec_ours.calls.clear()
        rec_theirs.calls.clear()
        run(ours, rec_ours)
        run(theirs, rec_theirs)
        assert rec_ours.calls == rec_theirs.calls
        assert rec_ours.params == rec_theirs.params == {"verbose": 0, "epochs": 1, "steps": 3}


def test_hooks_with_required_logs_model_set_and_stop_training():
    seen = {}

    class Strict(nn.callbacks.Callback):
        def on_train_begin(self, logs):
            seen["model"] = self.model
            seen["params"] = dict(self.params)

        def on_epoch_end(self, epoch, logs):
            if epoch == 1:
                self.model.stop_training = True

        def on_predict_batch_end(self, batch, logs):
            seen.setdefault("outputs", []).append(logs["outputs"].shape)

    x, y, _ = _data(n=10)
    ours, _ = _models()
    history = ours.fit(x, y, epochs=5, batch_size=4, verbose=0, callbacks=[Strict()])
    assert seen["model"] is ours and seen["params"] == {"verbose": 0, "epochs": 5, "steps": 3}
    assert history.epoch == [0, 1]
    ours.predict(x, batch_size=4, verbose=0, callbacks=[Strict()])
    assert seen["outputs"] == [(4, 1), (4, 1), (2, 1)]


def test_sequential_and_functional_config_round_trip():
    model = nn.Sequential([nn.Input((3,)), nn.Dense(4, activation="relu"), nn.Dense(2)], name="s")
    config = model.get_config()
    assert [layer["class_name"] for layer in config["layers"]] == ["Input", "Dense", "Dense"]
    again = nn.Sequential.from_config(config)
    assert isinstance(again, nn.Sequential) and again.name == "s"
    assert nn.Sequential.from_config(again.get_config()).get_config() == again.get_config()
    again.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))

    a, b = nn.Input((3,), name="a"), nn.Input((2,), name="b")
    merged = nn.layers.Concatenate(name="cat")([nn.Dense(4, name="da")(a), b])
    functional = nn.Model([a, b], [nn.Dense(1, name="o1")(merged), nn.Dense(2, name="o2")(merged)])
    rebuilt = nn.Model.from_config(functional.get_config())
    assert type(rebuilt).__name__ == "Functional"
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in functional.layers]
    rebuilt.set_weights(functional.get_weights())
    xs = [x, x[:, :2]]
    for got, want in zip(rebuilt.predict(xs, verbose=0), functional.predict(xs, verbose=0)):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(TypeError, match="config"):
        nn.Sequential.from_config([1])


def test_multi_output_sample_weight_matches_keras():
    x, y, w = _data()
    y2 = np.random.default_rng(1).normal(size=(len(x), 2)).astype(np.float32)

    def build(lib, layers):
        i = lib.Input((3,), name="x") if lib is nn else keras.Input((3,), name="x")
        h = layers.Dense(4, activation="tanh", name="h")(i)
        out = [layers.Dense(1, activation="sigmoid", name="p")(h), layers.Dense(2, name="r")(h)]
        return lib.Model(i, out) if lib is nn else keras.Model(i, out)

    theirs, ours = build(keras, keras.layers), build(nn, nn)
    ours.set_weights(theirs.get_weights())
    theirs.compile(keras.optimizers.SGD(0.1), loss=["binary_crossentropy", "mse"])
    ours.compile(nn.optimizers.SGD(0.1), loss=["binary_crossentropy", "mse"])
    args = dict(batch_size=5, epochs=2, shuffle=False, verbose=0, sample_weight=w)
    _same_history(ours.fit(x, [y, y2], **args), theirs.fit(x, [y, y2], **args))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sample_weight": np.ones(3)}, ValueError, "sample_weight"),
        ({"sample_weight": np.ones(10), "class_weight": {0: 1.0}}, ValueError, "class_weight"),
        ({"class_weight": [1.0, 2.0]}, ValueError, "class_weight"),
        ({"initial_epoch": -1}, ValueError, "initial_epoch"),
        ({"steps_per_epoch": 0}, ValueError, "steps_per_epoch"),
        ({"validation_steps": 0}, ValueError, "validation_steps"),
        ({"validation_batch_size": 1.5}, (TypeError, ValueError), "validation_batch_size"),
        ({"validation_freq": 0}, ValueError, "validation_freq"),
        ({"validation_freq": "2"}, ValueError, "validation_freq"),
        ({"callbacks": nn.callbacks.History()}, TypeError, "callbacks"),
    ],
)
def test_fit_refuses_bad_arguments_by_name(kwargs, error, match):
    x, y, _ = _data(n=10)
    ours, _ = _models()
    with pytest.raises(error, match=match):
        ours.fit(x, y, verbose=0, **kwargs)


def test_evaluate_and_predict_refuse_bad_arguments_by_name():
    x, y, _ = _data(n=10)
    ours, _ = _models()
    with pytest.raises(ValueError, match="sample_weight"):
        ours.evaluate(x, y, sample_weight=np.ones(4), verbose=0)
    with pytest.raises(ValueError, match="steps"):
        ours.evaluate(x, y, steps=0, verbose=0)
    with pytest.raises(TypeError, match="return_dict"):
        ours.evaluate(x, y, return_dict="yes", verbose=0)
    with pytest.raises(ValueError, match="steps"):
        ours.predict(x, steps=0, verbose=0)
    with pytest.raises(ValueError, match="thresholds"):
        nn.metrics.Precision(thresholds=1.5)
