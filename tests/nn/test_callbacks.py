import numpy as np
import pytest

import autograd
import nn
from nn import datasets
from nn.callbacks import Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint


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
            snapshots.append(model.state_dict())

    script = Scripted("val_loss", [1.0, 0.2, 0.5, 0.6])
    model.fit(*data, epochs=4, verbose=0, callbacks=[Snapshot(), script, stop])
    assert stop.stopped_epoch == 2
    state = model.state_dict()
    for key, value in snapshots[1].items():
        np.testing.assert_array_equal(state[key], value)
    assert not np.array_equal(state["0.weight"], snapshots[2]["0.weight"])


def test_early_stopping_warns_when_monitor_missing(data):
    with pytest.warns(RuntimeWarning, match="'val_loss' is not in the logs.*available: loss"):
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
    assert history.history["lr"] == [0.1, 0.05, 0.025]


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
