import re
import time

import numpy as np
import pytest

import autograd
import nn
import optim
from nn import datasets


def dense_net(sizes, hidden="relu", output="softmax", input_dim=True, seed=0):
    autograd.manual_seed(seed)
    model = nn.Sequential()
    for i, units in enumerate(sizes[1:]):
        last = i == len(sizes) - 2
        first_dim = sizes[0] if i == 0 and input_dim else None
        model.add(nn.Dense(units, activation=output if last else hidden, input_dim=first_dim))
    return model


@pytest.fixture
def spiral():
    return datasets.spiral(100, 3, seed=0)


def test_fit_spiral_reaches_95_percent_quickly(spiral):
    X, y = spiral
    model = dense_net([2, 64, 64, 3])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(X, y, epochs=60, batch_size=32, verbose=0, seed=0)
    assert time.perf_counter() - start < 10
    assert history.history["accuracy"][-1] >= 0.95
    assert model.evaluate(X, y)[1] >= 0.95
    assert history.history["loss"][-1] < history.history["loss"][0] / 5


def test_history_keys_lengths_and_epochs(spiral):
    X, y = spiral
    model = dense_net([2, 16, 3])
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy", "acc"])
    history = model.fit(X, y, epochs=4, verbose=0, validation_data=(X[:50], y[:50]))
    assert list(history.history) == [  # sorted, as Keras 3's logs
        "acc",
        "accuracy",
        "loss",
        "val_acc",
        "val_accuracy",
        "val_loss",
    ]
    assert all(len(v) == 4 for v in history.history.values())
    assert history.epoch == [0, 1, 2, 3]
    assert model.history is history


def test_epoch_logs_are_exact_sample_means():
    # One epoch without shuffling at lr=0 leaves the weights alone, so the epoch's
    # running mean (batches of 32, 32, 36 weighted by size) equals evaluate's value.
    X, y = datasets.spiral(50, 2, seed=1)
    model = dense_net([2, 8, 2])
    model.compile(optim.SGD, "sparse_categorical_crossentropy", ["acc"], lr=0.0)
    history = model.fit(X, y, batch_size=32, shuffle=False, verbose=0)
    loss, acc = model.evaluate(X, y, batch_size=100)
    assert history.history["loss"][0] == pytest.approx(loss, rel=1e-5)
    assert history.history["acc"][0] == pytest.approx(acc)


def test_validation_split_takes_the_last_samples_before_shuffling():
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10) % 2
    model = dense_net([2, 2])
    model.compile("sgd", "sparse_categorical_crossentropy", lr=0.0)
    seen = []
    model.register_forward_pre_hook(lambda m, args: seen.append(args[0].data.copy()))
    history = model.fit(X, y, epochs=1, batch_size=100, validation_split=0.3, verbose=0)
    # seen: the fit's shape check, the training batch, then the validation batch
    train, val = seen[-2], seen[-1]
    np.testing.assert_array_equal(val, X[7:])
    np.testing.assert_array_equal(np.sort(train[:, 0]), X[:7, 0])
    expected = model.evaluate(X[7:], y[7:])
    assert history.history["val_loss"] == [pytest.approx(expected)]


def test_validation_split_bad_values():
    X, y = datasets.logic_gate("xor")
    model = dense_net([2, 2])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(X, y, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="empty training or validation"):
        model.fit(X, y, validation_split=0.9, verbose=0)  # floor(4 * 0.1) = 0 to train on


def test_evaluate_and_predict_shapes(spiral):
    X, y = spiral
    model = dense_net([2, 8, 3])
    model.compile("adam", "sparse_categorical_crossentropy")
    loss = model.evaluate(X, y)
    assert isinstance(loss, float)
    probs = model.predict(X, batch_size=7)
    assert type(probs) is np.ndarray and probs.shape == (300, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(probs, model(X).data, rtol=1e-6)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    loss2, acc = model.evaluate(X, y)
    assert loss2 == pytest.approx(loss, rel=1e-6)
    assert acc == pytest.approx(np.mean(probs.argmax(1) == y))
    assert model.metrics_names == ["loss", "accuracy"]
    assert model.evaluate(X, y, return_dict=True)["accuracy"] == pytest.approx(acc)


def test_predict_uses_eval_mode_and_restores_it():
    X = np.ones((64, 4), dtype=np.float32)
    model = nn.Sequential(nn.Dense(4, input_dim=4), nn.Dropout(0.5))
    out = model.predict(X)
    np.testing.assert_allclose(out, model.eval()(X).data, rtol=1e-6)
    model.train()
    model.predict(X)
    assert model.training and model[1].training


def test_onehot_and_binary_accuracy_and_regression_metrics():
    X, y = datasets.moons(200, noise=0.05, seed=0)
    model = dense_net([2, 16, 1], hidden="tanh", output="sigmoid")
    model.compile("adam", "binary_crossentropy", ["accuracy"], lr=0.05)
    history = model.fit(X, y, epochs=40, verbose=0, seed=0)
    p = model.predict(X)[:, 0]
    assert history.history["accuracy"][-1] > 0.9
    assert model.evaluate(X, y)[1] == pytest.approx(np.mean((p > 0.5) == y))

    Xs, ys = datasets.spiral(30, 3, seed=0)
    onehot = nn.utils.to_categorical(ys, 3)
    model = dense_net([2, 3])
    model.compile("sgd", "categorical_crossentropy", ["accuracy"])
    probs = model.predict(Xs)
    assert model.evaluate(Xs, onehot)[1] == pytest.approx(np.mean(probs.argmax(1) == ys))

    x, t = datasets.sine(64, seed=0)
    model = dense_net([1, 8, 1], hidden="tanh", output=None)
    model.compile("sgd", "mse", ["mae", "mse"])
    loss, mae, mse = model.evaluate(x, t)
    pred = model.predict(x)
    assert mae == pytest.approx(np.abs(pred - t).mean(), rel=1e-5)
    assert mse == pytest.approx(loss, rel=1e-5)


def test_logit_losses_threshold_binary_accuracy_at_zero():
    X = np.array([[1.0], [-1.0], [0.2], [-0.2]], dtype=np.float32)
    y = np.array([1, 0, 0, 1])
    model = nn.Model(nn.Linear(1, 1))
    model.module.weight.data[...] = 1.0
    model.module.bias.data[...] = 0.0
    model.compile("sgd", nn.BCEWithLogitsLoss(), ["accuracy"])
    assert model.evaluate(X, y)[1] == pytest.approx(0.5)  # outputs 1, -1, .2, -.2 vs 0


def test_model_wraps_any_module(spiral):
    X, y = spiral
    autograd.manual_seed(0)
    model = nn.Model(nn.MLP([2, 32, 3]))
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], lr=0.02)
    history = model.fit(X, y, epochs=30, verbose=0, seed=0)
    assert history.history["accuracy"][-1] > 0.8
    assert model.predict(X).shape == (300, 3)
    assert "linear_1 (Linear)" in model.summary(print_fn=None)


def test_compile_accepts_objects_classes_and_factories():
    model = nn.Sequential(nn.Linear(2, 4), nn.Dense(2))  # the Dense is built at the first call
    with pytest.raises(ValueError, match="does not hold all of the model's parameters"):
        model.compile(optim.Adam(model.parameters()), "mse")
    model.build((None, 2))
    model.compile(optim.Adam(model.parameters(), lr=0.5), nn.CrossEntropyLoss())
    assert model.optimizer.param_groups[0]["lr"] == 0.5
    model.compile(optim.RMSprop, "mse", lr=0.1, alpha=0.9)
    assert isinstance(model.optimizer, optim.RMSprop)
    assert model.optimizer.param_groups[0]["alpha"] == 0.9
    model.compile(lambda params: optim.SGD(params, lr=0.3), "mse")
    assert model.optimizer.param_groups[0]["lr"] == 0.3
    model.compile("NAG", "mse")
    assert isinstance(model.optimizer, optim.NAG)


def test_lazy_dense_builds_at_fit_and_then_gets_its_optimizer():
    X, y = datasets.blobs(40, centers=2, n_features=5)
    model = nn.Sequential(nn.Dense(8, activation="relu"), nn.Dense(2, activation="softmax"))
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert model.optimizer is None
    model.fit(X, y, verbose=0)
    params = model.optimizer.param_groups[0]["params"]
    assert [p.shape for p in params] == [(5, 8), (8,), (8, 2), (2,)]


def test_uint8_inputs_are_cast_to_float32():
    X = np.random.default_rng(0).integers(0, 255, (20, 3, 3), dtype=np.uint8)
    y = np.arange(20) % 2
    model = nn.Sequential(nn.Flatten(), nn.Dense(2, activation="softmax"))
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(X, y, verbose=0)
    assert model.predict(X).dtype == np.float32


def test_fit_before_compile_is_an_error():
    model = dense_net([2, 2])
    with pytest.raises(ValueError, match=r"not compiled; call model\.compile"):
        model.fit(np.zeros((4, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="not compiled"):
        model.evaluate(np.zeros((4, 2)), np.zeros(4, dtype=int))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"optimizer": "adamm", "loss": "mse"}, ValueError, "unknown optimizer 'adamm'.*adam"),
        ({"optimizer": "sgd", "loss": "msee"}, ValueError, "unknown loss 'msee'"),
        ({"optimizer": "sgd", "loss": "mse", "metrics": ["accuracyy"]}, ValueError, "metric"),
    ],
)
def test_compile_rejects_unknown_names(kwargs, error, message):
    model = dense_net([2, 2])
    with pytest.raises(error, match=message):
        model.compile(**kwargs)


def test_fit_with_mismatched_lengths():
    model = dense_net([2, 2])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(np.zeros((5, 2)), np.zeros(4, dtype=int), verbose=0)


@pytest.mark.parametrize(
    "loss, y",
    [
        ("sparse_categorical_crossentropy", np.eye(3)[[0, 1, 2, 0]]),
        ("categorical_crossentropy", np.array([0, 1, 2, 0])),
        ("mse", np.zeros((4, 5), dtype=np.float32)),
        ("sparse_categorical_crossentropy", np.array([0, 1, 7, 0])),
    ],
)
def test_targets_of_the_wrong_shape_for_the_loss(loss, y):
    model = dense_net([2, 3])
    model.compile("sgd", loss)
    with pytest.raises(ValueError, match=f"do not suit the loss '{loss}'.*Hint"):
        model.fit(np.zeros((4, 2), dtype=np.float32), y, verbose=0)


def test_empty_sequential_is_an_error_to_fit_but_has_a_summary():
    model = nn.Sequential()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Sequential is empty; add layers"):
        model.fit(np.zeros((2, 2)), np.zeros((2, 2)), verbose=0)
    assert "Total params: 0" in model.summary(print_fn=None)


def test_summary_counts_and_shapes_784_100_10(capsys):
    nn.utils.clear_session()  # names are numbered per session, as Keras's
    model = dense_net([784, 100, 10], hidden="sigmoid")
    assert model.summary() is None  # printed, as Keras, not returned too
    text = model.summary(print_fn=None)
    assert capsys.readouterr().out.strip() == text.strip()
    lines = text.splitlines()
    assert lines[0] == 'Model: "sequential"'
    assert "Layer (type)" in lines[2] and "Output Shape" in lines[2] and "Param #" in lines[2]
    dense = next(line for line in lines if line.startswith("│ dense (Dense)"))
    dense_1 = next(line for line in lines if line.startswith("│ dense_1 (Dense)"))
    assert "(None, 100)" in dense and dense.split()[-2] == "78,500"
    assert "(None, 10)" in dense_1 and dense_1.split()[-2] == "1,010"
    assert " Total params: 79,510 (310.59 KB)" in lines  # float32: 4 bytes each
    assert " Trainable params: 79,510 (310.59 KB)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines


def test_summary_784_64_10_and_batchnorm_is_non_trainable():
    model = dense_net([784, 64, 10])
    assert "Total params: 50,890" in model.summary(print_fn=None)
    model = nn.Sequential(
        nn.Flatten(), nn.Dense(64), nn.BatchNorm1d(64), nn.Dense(10, activation="softmax")
    )
    model.build((None, 28, 28))
    text = model.summary(print_fn=None)
    assert "(None, 784)" in text and "(None, 64)" in text
    bn = next(line for line in text.splitlines() if "(BatchNorm1d)" in line)
    assert bn.split()[-2] == "256"  # 2 * 64 trainable + 2 * 64 running statistics
    assert "Total params: 51,146" in text
    assert "Trainable params: 51,018" in text
    assert "Non-trainable params: 128" in text


def test_summary_of_unbuilt_model_shows_unbuilt_layers_as_keras_3():
    nn.utils.clear_session()  # names are numbered per session, as Keras's
    model = nn.Sequential(nn.Dense(64), nn.Dropout(0.5), nn.Dense(10))
    text = model.summary(print_fn=None)
    assert re.search(r"dense \(Dense\)\s+│ \?\s+│\s+0 \(unbuilt\) │", text)
    assert re.search(r"dropout \(Dropout\)\s+│ \?\s+│\s+0 │$", text, re.MULTILINE)
    assert "Total params: 0" in text
    model.predict(np.zeros((2, 30), dtype=np.float32))
    assert "Total params: 2,634" in model.summary(print_fn=None)  # 30*64+64 + 64*10+10


def test_build_rejects_bad_shapes():
    with pytest.raises(ValueError, match="input_shape"):
        nn.Sequential(nn.Dense(2)).build((None, 0))


def test_verbose_modes(capsys, spiral):
    X, y = spiral
    model = dense_net([2, 4, 3])
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    model.fit(X, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(X, y, epochs=2, verbose=2, validation_data=(X, y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("10/10 - ") and "/step - accuracy: " in lines[1]
    assert "- loss: " in lines[1] and "val_accuracy: " in lines[1]
    model.fit(X, y, epochs=2, verbose=1, validation_data=(X, y))
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "10/10" in out
    assert "val_loss: " in out


def _printed_lines(text):
    """What a terminal shows of Keras's or our output, times replaced by `T`."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # Keras's colours
    shown = [line.split("\r")[-1].replace("\b", "").rstrip() for line in text.split("\n")]
    shown = [re.sub(r"\d+(ms|us|s)/step", "T/step", line) for line in shown]
    return [re.sub(r"(?<= )\d+s(?= )", "Ts", line) for line in shown if line]


def test_printed_lines_of_fit_evaluate_predict_have_keras_shape(capsys):
    """`fit(verbose=2)` printed `Epoch 1/3 - 0.0s - logs` where Keras prints `Epoch 1/3`,
    then `2/2 - 0s - 3ms/step - logs` after the other callbacks' lines (with what they
    add to the logs, as `learning_rate`); `evaluate` and `predict` print Keras's line
    (verbose=2) or finished bar (verbose=1), small values as `1.0000e-06`."""
    keras = pytest.importorskip("keras")
    x = np.linspace(-1, 1, 40, dtype=np.float32).reshape(20, 2)
    y = (x[:, :1] > 0).astype(np.float32)
    printed = {}
    for k in (keras, nn):
        model = k.Sequential([k.Input((2,)), k.layers.Dense(1, activation="sigmoid")])
        model.set_weights([np.array([[1.5], [-0.5]], np.float32), np.zeros(1, np.float32)])
        model.compile(optimizer=k.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["mse"])
        plateau = k.callbacks.ReduceLROnPlateau("loss", 0.5, patience=0, verbose=1, min_delta=0.5)
        capsys.readouterr()
        model.fit(
            x,
            y,
            epochs=3,
            batch_size=8,
            verbose=2,
            validation_split=0.2,
            shuffle=False,
            callbacks=[plateau],
        )
        for verbose in (2, 1):
            model.evaluate(x, y, verbose=verbose)
            model.predict(x, verbose=verbose)
        tiny = k.Sequential([k.Input((2,)), k.layers.Dense(1, kernel_initializer="zeros")])
        tiny.compile(loss="mse", metrics=["mae"])
        tiny.evaluate(x, np.full((20, 1), 1e-3, np.float32), verbose=2)
        printed[k] = _printed_lines(capsys.readouterr().out)
    assert printed[nn] == printed[keras]
    assert printed[nn][-1].startswith("1/1 - Ts - T/step - loss: 1.0000e-06 - mae: ")
    assert printed[nn][0] == "Epoch 1/3" and printed[nn][1].endswith("learning_rate: 0.5000")


def test_history_plot_calls_nn_plot(monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("nn.plot")
    fake.plot_history = lambda history, *args, **kwargs: calls.append((history, kwargs)) or "ax"
    monkeypatch.setitem(sys.modules, "nn.plot", fake)
    history = nn.History()
    assert history.plot(metrics=["loss"]) == "ax"
    assert calls == [(history, {"metrics": ["loss"]})]


def _manual_step(model, X, y, loss, lr):
    out = model(X)
    value = nn.losses.get(loss)(y, out)  # a Keras loss object: targets first
    model.zero_grad()
    value.backward()
    for p in model.parameters():
        p.data -= lr * p.grad.data
    return float(value.data)


@pytest.mark.parametrize(
    "head, loss, onehot",
    [
        ("dense", "sparse_categorical_crossentropy", False),
        ("layer", "sparse_categorical_crossentropy", False),
        ("dense", "categorical_crossentropy", True),
        ("dense", "categorical_crossentropy", "int"),
    ],
)
def test_softmax_output_trains_like_the_probability_loss(head, loss, onehot):
    # fit takes the loss from the logits (Keras's trick); one full-batch step must
    # match a step through softmax then the crossentropy on probabilities.
    X, labels = datasets.spiral(20, 3, seed=2)
    y = labels
    if onehot:
        y = nn.utils.to_categorical(labels, 3)
        y = y.astype(np.int64) if onehot == "int" else y

    def make():
        autograd.manual_seed(3)
        if head == "dense":
            model = nn.Sequential(nn.Dense(5, "tanh", input_dim=2), nn.Dense(3, "softmax"))
        else:
            model = nn.Sequential(nn.Dense(5, "tanh", input_dim=2), nn.Dense(3), nn.Softmax())
        model.build((None, 2))
        return model

    fitted, manual = make(), make()
    fitted.compile("sgd", loss, lr=0.5)
    history = fitted.fit(X, y, batch_size=60, shuffle=False, verbose=0)
    expected = _manual_step(manual, X, y.astype(np.float32) if onehot else y, loss, 0.5)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    for (name, a), b in zip(fitted.named_parameters(), manual.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-5, atol=1e-7, err_msg=name)


def test_labels_are_checked_before_training():
    X, y = datasets.spiral(20, 3, seed=0)
    y = y.copy()
    y[-1] = 3  # outside [0, 3), in the last batch
    model = dense_net([2, 3])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        model.fit(X, y, verbose=0)


def test_accuracy_metric_for_each_kind_of_target():
    from nn import metrics

    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], dtype=np.float32)
    assert metrics.accuracy(np.array([1, 0, 0]), probs) == pytest.approx(2 / 3)
    assert metrics.accuracy(np.array([[1], [0], [0]]), probs) == pytest.approx(2 / 3)
    assert metrics.accuracy(np.eye(2)[[1, 1, 1]], probs) == pytest.approx(2 / 3)
    single = np.array([[0.6], [0.4], [0.2]], dtype=np.float32)
    assert metrics.accuracy(np.array([1, 1, 0]), single) == pytest.approx(2 / 3)
    logits = np.array([[0.3], [-0.1], [-2.0]], dtype=np.float32)
    assert metrics.logit_accuracy(np.array([1, 1, 0]), logits) == pytest.approx(2 / 3)
    [(name, fn)] = metrics.resolve("acc", logits=True)
    assert name == "acc" and fn is metrics.logit_accuracy
    with pytest.raises(ValueError, match="targets of shape"):
        metrics.mean_absolute_error(np.zeros(3), np.zeros((3, 2)))
    with pytest.raises(TypeError, match="metric must be a name or a function"):
        metrics.get(3)


def test_history_plot_draws_the_curves(spiral):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot

    X, y = spiral
    model = dense_net([2, 4, 3])
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(X, y, epochs=3, verbose=0, validation_split=0.2)
    fig = history.plot()
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    assert any(np.allclose(line.get_ydata(), history.history["loss"]) for line in lines)
    assert any(np.allclose(line.get_ydata(), history.history["val_accuracy"]) for line in lines)
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_fit_evaluate_val_loss_and_a_hand_loop_report_the_same_saturated_loss(loss):
    # Logits (60, 0, 0) on a sample of class 1: the true loss is 60; the log of the
    # clipped probability would give -log(1e-7) = 16.1. Every path must say 60.
    x = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    labels = np.array([1, 0])
    y = labels if loss.startswith("sparse") else nn.utils.to_categorical(labels, 3)
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=2))
    model.build((None, 2))
    model[0].weight.data[...] = [[60.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    model.compile("sgd", loss, lr=0.0)  # lr 0: the weights stay as set
    expected = (60.0 + np.log(1 + 2 * np.exp(-60.0)) + np.log(3.0)) / 2
    history = model.fit(x, y, epochs=1, batch_size=2, verbose=0, validation_data=(x, y))
    evaluated = model.evaluate(x, y)
    by_hand = float(nn.losses.get(loss)(y, model(x)).data)  # Keras's order
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-5)
    assert evaluated == pytest.approx(expected, rel=1e-5)
    assert by_hand == pytest.approx(expected, rel=1e-5)
    with autograd.no_grad():  # the shortcut does not depend on a recorded graph
        assert float(nn.losses.get(loss)(y, model(x)).data) == pytest.approx(expected, rel=1e-5)
    # A probability tensor that no softmax layer made is scored as probabilities.
    probs = autograd.Tensor(model(x).data.copy())
    assert float(nn.losses.get(loss)(y, probs).data) < 17


def test_keras_names_show_in_the_summary_and_survive_save(tmp_path):
    nn.utils.clear_session()  # names are numbered per session, as Keras's
    model = nn.Sequential(
        [nn.Dense(4, activation="relu", input_dim=3, name="hidden"), nn.Dense(2)],
        name="my_model",
    )
    out = model.summary(print_fn=None)
    assert 'Model: "my_model"' in out
    assert " hidden (Dense) " in out and " dense (Dense) " in out  # unnamed: numbered
    path = tmp_path / "named.keras"
    model.save(path)
    nn.Dense(1)  # takes "dense_1": the loaded layers keep the names they were saved with
    loaded = nn.load_model(path)
    names = loaded.name, loaded.layers[0].name, loaded.layers[1].name
    assert names == ("my_model", "hidden", "dense")
    with pytest.raises(TypeError, match="name must be a non-empty str, got 3"):
        nn.Dense(2, name=3)
