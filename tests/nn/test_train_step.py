"""Keras 3's overridable steps (`train_step`, `test_step`, `predict_step`,
`compute_loss`, `compute_metrics`, `metrics`), written as the PyTorch-backend guide
"Customizing what happens in fit()" writes them, against Keras's built-in `fit` and
`evaluate` (JAX backend) from the same initial weights."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import autograd
import nn
from nn import dense_stack

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(7)
X = RNG.random((128, 32)).astype("float32")
Y = RNG.random((128, 1)).astype("float32")
SW = RNG.random((128, 1)).astype("float32")


def _close(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=2e-6, err_msg=key)


def _pair(cls=None):
    """A Keras functional model and `cls` (an `nn.Model` subclass) built the same way,
    `CustomModel(inputs, outputs)`, with Keras's weights."""
    inputs = keras.Input(shape=(32,))
    theirs = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    inputs = nn.Input(shape=(32,))
    ours = (cls or nn.Model)(inputs, nn.Dense(1)(inputs))
    ours.set_weights(theirs.get_weights())
    return ours, theirs


class GuideModel(nn.Model):
    """The guide's first train_step (PyTorch backend), with sample weights."""

    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with autograd.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


def _fit_both(ours, theirs, **options):
    for model in (ours, theirs):
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    args = {"epochs": 3, "batch_size": 32, "shuffle": False, "verbose": 0, **options}
    return ours.fit(X, Y, **args).history, theirs.fit(X, Y, **args).history


def test_guide_train_step_gives_keras_fit_history():
    ours, theirs = _pair(GuideModel)
    assert isinstance(ours, GuideModel) and type(ours).__name__ == "GuideModel"
    history, expected = _fit_both(ours, theirs)
    _close(history, expected)
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics]
    _close(*(m.evaluate(X, Y, verbose=0, return_dict=True) for m in (ours, theirs)))


def test_guide_train_step_with_sample_weight_gives_keras_fit_history():
    ours, theirs = _pair(GuideModel)
    history, expected = _fit_both(ours, theirs, sample_weight=SW)
    _close(history, expected)


def test_sample_weight_of_one_column_weighs_each_sample_once():
    # (N, 1) weights broadcast against the (N,) losses to (N, N): a loss 15x too big
    ours, theirs = _pair()
    history, expected = _fit_both(ours, theirs, sample_weight=SW)
    _close(history, expected)


def test_default_steps_called_by_an_override_give_keras_numbers():
    class Calls(nn.Model):
        def train_step(self, data):
            return super().train_step(data)

        def test_step(self, data):
            return super().test_step(data)

    ours, theirs = _pair(Calls)
    history, expected = _fit_both(ours, theirs, validation_data=(X[:40], Y[:40]))
    _close(history, expected)
    _close(*(m.evaluate(X, Y, verbose=0, return_dict=True) for m in (ours, theirs)))


class LowLevel(nn.Model):
    """The guide's lower-level step: its own loss and trackers, compiled without a loss."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = nn.metrics.Mean(name="loss")
        self.mae_metric = nn.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = nn.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        self.optimizer.apply(gradients, trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_lower_level_step_resets_its_trackers_every_epoch_as_keras_fit():
    ours, theirs = _pair(LowLevel)
    ours.compile(optimizer="adam")
    theirs.compile(optimizer="adam", loss="mse", metrics=["mae"])
    options = {"epochs": 3, "batch_size": 32, "shuffle": False, "verbose": 0}
    _close(ours.fit(X, Y, **options).history, theirs.fit(X, Y, **options).history)


def test_custom_test_step_gives_keras_evaluate():
    class Evaluated(nn.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name != "loss":
                    metric.update_state(y, y_pred)
                else:
                    metric.update_state(loss)
            return {m.name: m.result() for m in self.metrics}

    ours, theirs = _pair(Evaluated)
    for model in (ours, theirs):
        model.compile(loss="mse", metrics=["mae"])
    x, y = X[:96], Y[:96]  # (whole batches: the step's unweighted mean of batch losses)
    scores = ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(*scores, rtol=2e-5)


def test_step_logs_reach_callbacks_history_and_the_printed_line(capsys):
    class Counted(nn.Model):
        def train_step(self, data):
            logs = super().train_step(data)
            return {**logs, "extra": {"steps": autograd.tensor(float(len(data[0])))}}

    seen = []
    recorder = nn.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs))
    model = _pair(Counted)[0]
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(X, Y, batch_size=64, epochs=1, verbose=2, callbacks=[recorder])
    assert sorted(history.history) == ["loss", "mae", "steps"]
    assert history.history["steps"] == [64.0]
    assert [sorted(logs) for logs in seen] == [["loss", "mae", "steps"]] * 2
    assert "loss: " in capsys.readouterr().out.splitlines()[-1]


def test_metrics_are_the_loss_tracker_and_compile_metrics_as_keras():
    ours, theirs = _pair()
    assert ours.metrics == [] and theirs.metrics == []
    _fit_both(ours, theirs)
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics]
    # after fit they hold the last epoch's results, as Keras's
    assert float(ours.metrics[0].result()) == pytest.approx(
        float(theirs.metrics[0].result()), rel=2e-5
    )
    assert ours.metrics[1].result()["mae"] == pytest.approx(
        float(theirs.metrics[1].result()["mae"]), rel=2e-5
    )


def test_compute_loss_adds_the_regularization_losses_as_keras():
    def model(k):
        inputs = k.Input(shape=(32,))
        dense = k.layers.Dense(1, kernel_regularizer=k.regularizers.l2(0.1))
        return k.Model(inputs, dense(inputs))

    ours, theirs = model(nn), model(keras)
    ours.set_weights(theirs.get_weights())
    for m in (ours, theirs):
        m.compile(optimizer="sgd", loss="mse")
    ours_pred, their_pred = ours(X), theirs(X)
    value = ours.compute_loss(x=X, y=Y, y_pred=ours_pred, sample_weight=SW[:, 0])
    expected = theirs.compute_loss(x=X, y=Y, y_pred=their_pred, sample_weight=SW[:, 0])
    np.testing.assert_allclose(float(value.data), float(expected), rtol=1e-5)
    assert value.grad_fn is not None  # (differentiable, for a train_step's backward)


def test_predict_step_override_is_what_predict_returns():
    class Doubled(nn.Model):
        def predict_step(self, data):
            return self(data) * 2

    ours = _pair(Doubled)[0]
    np.testing.assert_allclose(ours.predict(X, verbose=0), 2 * ours(X).data, rtol=1e-6)


def test_without_overrides_fit_keeps_the_fused_dense_step(monkeypatch):
    calls = []
    original = dense_stack.DenseStackStep.gradients

    def counted(self, *args):
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(dense_stack.DenseStackStep, "gradients", counted)
    model = nn.Sequential([nn.Dense(4, activation="relu", input_dim=32), nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, batch_size=32, verbose=0)
    assert len(calls) == 4

    class Stepped(nn.Sequential):
        def train_step(self, data):
            return super().train_step(data)

    calls.clear()
    model = Stepped([nn.Dense(4, activation="relu", input_dim=32), nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, batch_size=32, verbose=0)
    assert calls == []


def test_unpack_x_y_sample_weight_as_keras():
    x, y, w = np.zeros(2), np.ones(2), np.full(2, 2.0)
    for data in (x, (x,), (x, y), [x, y], (x, y, w)):
        ours = nn.utils.unpack_x_y_sample_weight(data)
        theirs = keras.utils.unpack_x_y_sample_weight(data)
        assert [o is t for o, t in zip(ours, theirs)] == [True] * 3
    with pytest.raises(ValueError, match=r"\(x, y, sample_weight\)"):
        nn.utils.unpack_x_y_sample_weight((x, y, w, w))
    assert nn.utils.pack_x_y_sample_weight(x) is x
    assert nn.utils.pack_x_y_sample_weight(x, y) == (x, y)


def test_a_step_that_returns_no_dict_is_named():
    class Broken(nn.Model):
        def train_step(self, data):
            return 1.0

    model = _pair(Broken)[0]
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match="train_step / test_step must return a dict"):
        model.fit(X, Y, verbose=0)


def test_apply_gradients_of_zipped_pairs_is_apply():
    ours = [_pair()[0] for _ in range(2)]
    ours[1].set_weights(ours[0].get_weights())
    for model in ours:
        model.compile(optimizer=nn.optimizers.Adam(0.1), loss="mse")
        loss = model.compute_loss(y=Y, y_pred=model(X))
        model.zero_grad()
        loss.backward()
    grads = [v.grad for v in ours[0].trainable_weights]
    ours[0].optimizer.apply(grads, ours[0].trainable_weights)
    pairs = zip([v.grad for v in ours[1].trainable_weights], ours[1].trainable_weights)
    ours[1].optimizer.apply_gradients(pairs)
    for a, b in zip(ours[0].get_weights(), ours[1].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_own_train_step_fits_inputs_alone_from_arrays_and_sources():
    class Unsupervised(nn.Model):  # (as the guide's GAN: no call, no targets)
        def __init__(self):
            super().__init__()
            self.dense = nn.Dense(1, input_dim=32)
            self.tracker = nn.metrics.Mean(name="mean_input")

        def train_step(self, data):
            assert not isinstance(data, tuple)  # x alone, as Keras gives it
            self.tracker.update_state(nn.ops.mean(data, axis=1))
            return {"mean_input": self.tracker.result()}

        @property
        def metrics(self):
            return [self.tracker]

    model = Unsupervised()
    model.compile()
    expected = float(X.mean())
    history = model.fit(X, batch_size=32, epochs=2, verbose=0).history
    np.testing.assert_allclose(history["mean_input"], [expected] * 2, rtol=1e-5)

    def batches():
        for start in range(0, 128, 32):
            yield (X[start : start + 32],)

    history = model.fit(batches(), verbose=0).history
    np.testing.assert_allclose(history["mean_input"], [expected], rtol=1e-5)
    history = model.fit(nn.DataLoader(X, batch_size=32), verbose=0).history
    np.testing.assert_allclose(history["mean_input"], [expected], rtol=1e-5)


def test_train_on_batch_lists_a_step_logs_in_the_order_of_metrics():
    class Ordered(nn.Model):  # Keras's _flatten_metrics_in_order: metrics first, then sorted
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.zeta = nn.metrics.Mean(name="zeta")
            self.alpha = nn.metrics.Mean(name="alpha")

        def train_step(self, data):
            self.zeta.update_state(1.0)
            self.alpha.update_state(2.0)
            return {"beta": 3.0, "alpha": self.alpha.result(), "zeta": self.zeta.result()}

        @property
        def metrics(self):
            return [self.zeta, self.alpha]

    model = _pair(Ordered)[0]
    model.compile(optimizer="sgd", loss="mse")
    assert model.train_on_batch(X, Y) == [1.0, 2.0, 3.0]
    assert model.train_on_batch(X, Y, return_dict=True) == {"alpha": 2.0, "beta": 3.0, "zeta": 1.0}
