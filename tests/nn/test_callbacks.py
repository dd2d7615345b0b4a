import contextlib
import copy
import io
import os
import types

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor
from nn import datasets
from nn.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)

keras = pytest.importorskip("keras")  # the comparisons need it (CI installs it)


class Scripted(Callback):
    """Replaces the epoch's logs with scripted values (to drive the monitors)."""

    def __init__(self, key, values):
        self.key, self.values = key, list(values)

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Recorder(Callback):
    def __init__(self):
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_batch_end(self, batch, logs=None):
        self.events.append(f"batch_end {batch} {sorted(logs)}")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def small_model():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(3, "softmax"))
    model.build((None, 2))
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"], lr=0.1)
    return model


@pytest.fixture
def data():
    return datasets.spiral(20, 3, seed=0)  # 60 samples: 2 batches of 32 and 28


def test_hooks_are_called_in_order(data):
    rec = Recorder()
    small_model().fit(*data, epochs=2, verbose=0, callbacks=[rec])
    logs = "['accuracy', 'loss']"
    assert rec.events == [
        "train_begin",
        "epoch_begin 0",
        f"batch_end 0 {logs}",
        f"batch_end 1 {logs}",
        f"epoch_end 0 {logs}",
        "epoch_begin 1",
        f"batch_end 0 {logs}",
        f"batch_end 1 {logs}",
        f"epoch_end 1 {logs}",
        "train_end",
    ]


def test_early_stopping_stops_after_patience(data):
    stop = EarlyStopping(monitor="val_loss", patience=2)
    script = Scripted("val_loss", [1.0, 0.5, 0.6, 0.55, 0.4, 0.3])
    history = small_model().fit(*data, epochs=6, verbose=0, callbacks=[script, stop])
    # best 0.5 at epoch 1; epochs 2 and 3 do not improve: stop after epoch 3
    assert history.epoch == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1 and stop.best == 0.5


def test_early_stopping_patience_zero_min_delta_and_max_mode(data):
    stop = EarlyStopping(monitor="val_loss", patience=0, min_delta=0.1)
    script = Scripted("val_loss", [1.0, 0.85, 0.8])
    history = small_model().fit(*data, epochs=3, verbose=0, callbacks=[script, stop])
    assert history.epoch == [0, 1, 2]  # 0.85 beats 1.0 by more than 0.1; 0.8 does not
    stop = EarlyStopping(monitor="val_accuracy", patience=0)
    assert stop.mode == "max"
    script = Scripted("val_accuracy", [0.5, 0.7, 0.6, 0.9])
    history = small_model().fit(*data, epochs=4, verbose=0, callbacks=[script, stop])
    assert history.epoch == [0, 1, 2]


def test_early_stopping_restores_best_weights(data):
    model = small_model()
    stop = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    snapshots = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(copy.deepcopy(model.state_dict()))  # it aliases the weights

    script = Scripted("val_loss", [1.0, 0.2, 0.5, 0.6])
    model.fit(*data, epochs=4, verbose=0, callbacks=[Snapshot(), script, stop])
    assert stop.stopped_epoch == 2
    state = model.state_dict()
    for key, value in snapshots[1].items():
        np.testing.assert_array_equal(state[key], value)
    assert not np.array_equal(state["0.weight"], snapshots[2]["0.weight"])


def test_early_stopping_warns_when_monitor_missing(data):
    missing = "'val_loss' is not in the logs.*available: accuracy, loss"
    with pytest.warns(RuntimeWarning, match=missing):
        small_model().fit(*data, epochs=1, verbose=0, callbacks=[EarlyStopping()])


def test_model_checkpoint_every_epoch_with_epoch_in_name(tmp_path, data):
    model = small_model()
    ckpt = ModelCheckpoint(tmp_path / "w-{epoch:02d}-{loss:.2f}.npz", monitor="loss")
    history = model.fit(*data, epochs=3, verbose=0, callbacks=[ckpt])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and names[0].startswith("w-01-") and names[2].startswith("w-03-")
    assert names[2] == f"w-03-{history.history['loss'][2]:.2f}.npz"
    state = nn.load_state(tmp_path / names[2])
    fresh = small_model()
    fresh.load_state_dict(state)
    x = data[0]
    np.testing.assert_allclose(fresh.predict(x), model.predict(x), rtol=1e-6)


def test_model_checkpoint_save_best_only(tmp_path, data):
    model = small_model()
    ckpt = ModelCheckpoint(tmp_path / "best-{epoch}.npz", save_best_only=True)
    script = Scripted("val_loss", [0.9, 1.0, 0.5, 0.7])
    model.fit(*data, epochs=4, verbose=0, callbacks=[script, ckpt])
    assert [p.rsplit("/", 1)[-1] for p in ckpt.saved] == ["best-1.npz", "best-3.npz"]


def test_model_checkpoint_unknown_key(tmp_path, data):
    ckpt = ModelCheckpoint(tmp_path / "w-{val_acc}.npz")
    with pytest.raises(KeyError, match="val_acc"):
        small_model().fit(*data, epochs=1, verbose=0, callbacks=[ckpt])


def test_learning_rate_scheduler_sets_every_group_and_logs_lr(data):
    model = small_model()
    seen = []

    class LrSpy(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(model.optimizer.param_groups[0]["lr"])

    sched = LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5**epoch)
    history = model.fit(*data, epochs=3, verbose=0, callbacks=[sched, LrSpy()])
    assert seen == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]  # Keras 3's key


def test_learning_rate_scheduler_takes_a_function_of_the_epoch_alone(data, capsys):
    model = small_model()
    sched = LearningRateScheduler(lambda epoch: 0.01 * 0.1 ** (epoch / 20), verbose=1)
    history = model.fit(*data, epochs=2, verbose=0, callbacks=[sched])
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01 * 0.1**0.05])
    assert "Epoch 2: LearningRateScheduler setting learning rate to" in capsys.readouterr().out


def test_learning_rate_scheduler_changes_the_update(data):
    model = small_model()
    before = model.state_dict()
    model.fit(*data, epochs=2, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: 0.0)])
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_learning_rate_scheduler_rejects_bad_values(data):
    with pytest.raises(ValueError, match="schedule returned -1"):
        small_model().fit(*data, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: -1)])


def test_callbacks_must_be_callbacks(data):
    with pytest.raises(TypeError, match="Callback objects"):
        small_model().fit(*data, verbose=0, callbacks=[print])


def test_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def keras_model(lr):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def holder_of(lrs):
    """What ReduceLROnPlateau reads of a model: its optimizer's groups."""
    groups = [{"params": [Tensor(np.zeros(2), requires_grad=True)], "lr": lr} for lr in lrs]
    return types.SimpleNamespace(optimizer=optim.SGD(groups))


def scripted_losses(n, seed):
    """A loss that falls, stalls on plateaus and wobbles, with exact repeats."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([-0.3, -0.01, 0.0, 0.0, 0.02, 0.2], size=n)
    return list(np.round(3 + np.cumsum(steps), 4))


PLATEAU_CASES = [
    dict(lr=0.5, options=dict(factor=0.5, patience=2)),
    dict(lr=0.5, options=dict(factor=0.5, patience=0, min_lr=0.0625)),
    dict(lr=1.0, options=dict(factor=0.3, patience=1, cooldown=2, min_lr=0.05)),
    dict(lr=0.1, options=dict(factor=0.1, patience=3, min_delta=0.05, cooldown=1)),
    dict(lr=0.25, options=dict(monitor="loss", factor=0.5, patience=1, min_delta=0.0)),
    dict(lr=0.125, options=dict(factor=0.0, patience=2)),
    dict(lr=0.5, options=dict(mode="max", factor=0.5, patience=2, cooldown=3, min_delta=0.01)),
]


@pytest.mark.parametrize("case", PLATEAU_CASES, ids=range(len(PLATEAU_CASES)))
@pytest.mark.parametrize("seed", [0, 1])
def test_reduce_lr_on_plateau_matches_keras(case, seed):
    ours = ReduceLROnPlateau(**case["options"])
    theirs = keras.callbacks.ReduceLROnPlateau(**case["options"])
    holder = holder_of([case["lr"]])
    ours.set_model(holder)
    theirs.set_model(keras_model(case["lr"]))
    ours.on_train_begin()
    theirs.on_train_begin()
    cuts = 0
    for epoch, value in enumerate(scripted_losses(60, seed)):
        our_logs = {"loss": value + 0.5, "val_loss": value}
        their_logs = dict(our_logs)
        ours.on_epoch_end(epoch, our_logs)
        theirs.on_epoch_end(epoch, their_logs)
        # Keras keeps the lr in float32
        assert our_logs["learning_rate"] == pytest.approx(their_logs["learning_rate"], rel=1e-6)
        lr = holder.optimizer.param_groups[0]["lr"]
        assert lr == pytest.approx(float(theirs.model.optimizer.learning_rate), rel=1e-6)
        assert (ours.wait, ours.cooldown_counter) == (theirs.wait, theirs.cooldown_counter)
        assert ours.best == pytest.approx(float(theirs.best), rel=1e-12)
        cuts += lr < our_logs["learning_rate"]
    assert cuts >= 1  # the script does trigger reductions


def test_reduce_lr_on_plateau_by_hand():
    cut = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, cooldown=1, min_lr=0.3)
    holder = holder_of([2.0, 1.0])
    cut.set_model(holder)
    cut.on_train_begin()
    logged = []
    # improvement needs a drop of more than min_delta=1e-4: 0.99995 does not count
    for epoch, loss in enumerate([1.0, 0.99995, 1.2, 1.1, 1.0, 1.0, 1.0, 1.0]):
        logs = {"val_loss": loss}
        cut.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
    # cut after epoch 2 (wait 2); the cooldown ends within epoch 3, which waits again;
    # cut after 4; after 6 only the first group (the second is at min_lr already)
    assert logged == [2.0, 2.0, 2.0, 1.0, 1.0, 0.5, 0.5, 0.3]
    assert [g["lr"] for g in holder.optimizer.param_groups] == [0.3, 0.3]


def test_reduce_lr_on_plateau_in_fit_logs_learning_rate(data):
    model = small_model()
    seen = []
    spy = LambdaCallback(
        on_epoch_begin=lambda e, logs: seen.append(model.optimizer.param_groups[0]["lr"])
    )
    script = Scripted("val_loss", [1.0, 1.0, 1.0, 1.0, 1.0, 0.5])
    cut = ReduceLROnPlateau(factor=0.5, patience=1, verbose=1)
    history = model.fit(*data, epochs=6, verbose=0, callbacks=[spy, script, cut])
    assert seen == [0.1, 0.1, 0.05, 0.025, 0.0125, 0.00625]
    assert history.history["learning_rate"] == seen


def test_reduce_lr_on_plateau_warns_when_monitor_missing(data):
    model = small_model()
    with pytest.warns(RuntimeWarning, match="'val_loss' is not in the logs.*learning_rate"):
        history = model.fit(*data, epochs=2, verbose=0, callbacks=[ReduceLROnPlateau(patience=0)])
    assert history.history["learning_rate"] == [0.1, 0.1]
    with pytest.warns(UserWarning, match="val_loss"):  # Keras warns too
        theirs = keras.callbacks.ReduceLROnPlateau()
        theirs.set_model(keras_model(0.1))
        theirs.on_epoch_end(0, {"loss": 1.0})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(factor=1.0), r"invalid factor: 1\.0"),
        (dict(factor=-0.5), r"invalid factor: -0\.5"),
        (dict(patience=-1), "invalid patience: -1"),
        (dict(cooldown=-2), "invalid cooldown: -2"),
        (dict(min_lr=-1e-3), "invalid min_lr"),
        (dict(mode="up"), "mode"),
    ],
)
def test_reduce_lr_on_plateau_bad_arguments(options, message):
    with pytest.raises(ValueError, match=message):
        ReduceLROnPlateau(**options)


CSV_RUNS = [
    dict(epochs=[{"loss": 0.5, "accuracy": 0.25}, {"loss": 0.25, "accuracy": 0.5}]),
    dict(
        epochs=[
            {"loss": 0.5, "val_loss": 0.75, "accuracy": 0.1, "learning_rate": 0.01},
            {"loss": 0.125, "val_loss": 0.625, "accuracy": 0.2, "learning_rate": 0.001},
        ],
        separator=";",
    ),
    dict(epochs=[{"loss": 1.5, "note": "a,b", "sizes": [1, 2]}, {"loss": 1.0}]),
    dict(epochs=[{"val_loss": 2.0}, {"val_loss": 1.0, "loss": 3.0}]),
]


def csv_run(callback, epochs):
    callback.on_train_begin({})
    for epoch, logs in enumerate(epochs):
        callback.on_epoch_end(epoch, dict(logs))
    callback.on_train_end({})


@pytest.mark.parametrize("run", CSV_RUNS, ids=range(len(CSV_RUNS)))
@pytest.mark.parametrize("existing", [None, "", "epoch,loss\r\n0,9.0\r\n"])
def test_csv_logger_writes_what_keras_writes(tmp_path, run, existing):
    separator = run.get("separator", ",")
    for append in (False, True):
        ours_path, theirs_path = tmp_path / "ours.csv", tmp_path / "theirs.csv"
        for path in (ours_path, theirs_path):
            if existing is not None:
                path.write_bytes(existing.encode())
            elif path.exists():
                path.unlink()
        csv_run(CSVLogger(ours_path, separator, append), run["epochs"])
        csv_run(keras.callbacks.CSVLogger(str(theirs_path), separator, append), run["epochs"])
        assert ours_path.read_bytes() == theirs_path.read_bytes(), f"append={append}"


def test_csv_logger_in_fit_and_appending_keeps_the_file(tmp_path, data):
    path = tmp_path / "log.csv"
    model = small_model()
    model.fit(*data, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    first = path.read_text()
    lines = first.splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1"]
    loss = model.history.history["loss"][1]
    assert lines[2].split(",")[2] == repr(loss) and lines[2].endswith(",NA,NA")
    history = model.fit(*data, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
    text = path.read_text()
    assert text.startswith(first) and text.count("epoch") == 1
    assert (
        text.splitlines()[3]
        == f"0,{history.history['accuracy'][0]!r},{history.history['loss'][0]!r},NA,NA"
    )


class FailAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("stop here")


@pytest.mark.parametrize("append", [False, True])
def test_csv_logger_failed_run_keeps_what_was_there(tmp_path, data, append):
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss\n0,1.0\n")
    with pytest.raises(RuntimeError, match="stop here"):  # before the first row is written
        small_model().fit(
            *data, epochs=3, verbose=0, callbacks=[FailAt(0), CSVLogger(path, append=append)]
        )
    assert path.read_text() == "epoch,loss\n0,1.0\n"
    with pytest.raises(RuntimeError, match="stop here"):  # after two rows
        small_model().fit(
            *data, epochs=3, verbose=0, callbacks=[CSVLogger(path, append=append), FailAt(1)]
        )
    text = path.read_text()
    assert text.startswith("epoch,loss\n0,1.0\n") == append
    assert len(text.splitlines()) == (2 if append else 1) + 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]  # no temporary left


def test_csv_logger_bad_separator():
    with pytest.raises(TypeError, match="separator"):
        CSVLogger("x.csv", separator=",,")


def lambda_events(library, events):
    """A LambdaCallback of `library` that records every hook it is given."""
    return library.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append(("train_begin", sorted(logs))),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch, sorted(logs))),
        on_train_batch_begin=lambda b, logs: events.append(("batch_begin", b, sorted(logs))),
        on_train_batch_end=lambda b, logs: events.append(("batch_end", b, sorted(logs))),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: events.append(("train_end", sorted(logs))),
    )


def test_lambda_callback_hooks_in_fit_as_keras(data):
    x, y = data
    ours, theirs = [], []
    small_model().fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[lambda_events(nn, ours)])
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[lambda_events(keras, theirs)])
    assert ours == theirs
    assert ours[-1] == ("train_end", ["accuracy", "loss"])


def test_lambda_callback_extra_hooks_and_attributes(data):
    seen = []
    cb = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch), note="kept")
    small_model().fit(*data, epochs=2, verbose=0, callbacks=[cb])
    assert seen == [0, 1, 0, 1] and cb.note == "kept"
    with pytest.raises(TypeError, match="on_epoch_end must be a function"):
        LambdaCallback(on_epoch_end=3)


def test_new_callbacks_are_exported():
    for name in ("ReduceLROnPlateau", "CSVLogger", "LambdaCallback"):
        assert getattr(nn, name) is getattr(nn.callbacks, name)
        assert name in nn.__all__


def _scripted_checkpoint_run(library, monkeypatch, folder, values, **options):
    """`fit` of a small model with a ModelCheckpoint after a callback that sets
    `val_loss` to `values`; returns what it printed and the files it wrote."""
    folder.mkdir()
    monkeypatch.chdir(folder)

    class Script(library.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = values[epoch]

    model = library.Sequential([library.Input((2,)), library.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    checkpoint = library.callbacks.ModelCheckpoint(*options.pop("args"), **options)
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        model.fit(
            x,
            x[:, :1],
            epochs=len(values),
            batch_size=4,
            verbose=0,
            callbacks=[Script(), checkpoint],
        )
    lines = out.getvalue().splitlines()
    return lines, sorted(p.name for p in folder.iterdir()), checkpoint.best


@pytest.mark.parametrize(
    "options",
    [
        dict(args=("best.keras", "val_loss", 1, True)),  # Keras's order: verbose, then best only
        dict(args=("e{epoch}.keras",), verbose=1),
        dict(args=("best.keras",), verbose=1, save_best_only=True, initial_value_threshold=0.55),
        dict(args=("max.keras",), verbose=2, save_best_only=True, mode="max"),
        dict(args=("b{epoch}-{batch}.keras",), save_freq=3),
    ],
)
def test_model_checkpoint_verbose_lines_threshold_and_save_freq_as_keras(
    options, tmp_path, monkeypatch
):
    """ModelCheckpoint took no `verbose`, `save_freq` nor `initial_value_threshold`
    (a TypeError for Keras code passing them), and Keras's third positional argument
    is `verbose`."""
    values = [0.6, 0.5, 0.5, 0.7, 0.4]
    runs = {
        library: _scripted_checkpoint_run(
            library, monkeypatch, tmp_path / library.__name__, values, **copy.deepcopy(options)
        )
        for library in (keras, nn)
    }
    assert runs[nn][:2] == runs[keras][:2]
    assert runs[nn][2] == pytest.approx(runs[keras][2])
    if options.get("verbose") or len(options["args"]) > 2:
        assert any("saving model to" in line for line in runs[nn][0])


def _scripted_early_stopping_run(library, values, options):
    """`fit` with EarlyStopping(**options) watching a `val_loss` scripted to `values`;
    returns the epochs run and the callback's stopped_epoch, best and best_epoch."""

    class Script(library.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = values[epoch]

    model = library.Sequential([library.Input((2,)), library.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    stop = library.callbacks.EarlyStopping(**options)
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2)
    history = model.fit(x, x[:, :1], epochs=len(values), verbose=0, callbacks=[Script(), stop])
    return history.epoch, stop.stopped_epoch, stop.best, stop.best_epoch


@pytest.mark.parametrize(
    "options",
    [
        dict(patience=2, baseline=0.45),
        dict(patience=1, baseline=0.65, min_delta=0.01),
        dict(patience=1, start_from_epoch=3),
        dict(patience=0, start_from_epoch=2, baseline=0.3),
        dict(patience=2, mode="max", baseline=0.6),
    ],
)
def test_early_stopping_baseline_and_start_from_epoch_as_keras(options):
    """EarlyStopping took no `baseline` nor `start_from_epoch` (a TypeError)."""
    values = [0.7, 0.6, 0.5, 0.55, 0.52, 0.4, 0.45, 0.5, 0.6, 0.3]
    ours = _scripted_early_stopping_run(nn, values, options)
    theirs = _scripted_early_stopping_run(keras, values, options)
    assert ours == theirs


@pytest.mark.parametrize("metric", ["Precision", "Recall"])
def test_auto_mode_of_growing_metrics_as_keras(metric):
    """mode="auto" took "val_precision" and "val_recall" for values to minimise (only
    names with "acc" or ending in "auc" were maximised); Keras maximises them."""
    values = [0.5, 0.6, 0.55, 0.58, 0.7, 0.65, 0.6, 0.62]
    name = f"val_{metric.lower()}"
    runs = {}
    for library in (keras, nn):

        class Script(library.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                logs[name] = values[epoch]

        model = library.Sequential([library.Input((2,)), library.layers.Dense(1, "sigmoid")])
        model.compile(
            optimizer="sgd",
            loss="binary_crossentropy",
            metrics=[getattr(library.metrics, metric)(name=metric.lower())],
        )
        stop = library.callbacks.EarlyStopping(monitor=name, patience=2)
        plateau = library.callbacks.ReduceLROnPlateau(monitor=name, patience=1, min_delta=0.0)
        x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2)
        history = model.fit(
            x,
            (x[:, :1] > 0).astype(np.float32),
            epochs=len(values),
            verbose=0,
            callbacks=[Script(), stop, plateau],
        )
        runs[library] = history.epoch, stop.best, history.history["learning_rate"]
    assert runs[nn][:2] == runs[keras][:2]
    np.testing.assert_allclose(runs[nn][2], runs[keras][2], rtol=1e-6)
