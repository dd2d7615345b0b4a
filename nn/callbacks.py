"""Callbacks: hooks into `fit`, `evaluate` and `predict` (Keras 3's API): stop early,
save checkpoints, change the lr, log to CSV.

`fit` calls, on every callback in order, `on_train_begin(logs)`, then for each epoch
`on_epoch_begin(epoch, logs)`, `on_train_batch_begin(batch, logs)` before and
`on_train_batch_end(batch, logs)` after each optimizer step (by default these call
`on_batch_begin` / `on_batch_end`, their older names, as in Keras), the validation
pass's `on_test_begin`, `on_test_batch_begin` / `on_test_batch_end`, `on_test_end`,
and `on_epoch_end(epoch, logs)` with the epoch's averages (`logs["loss"]`,
`logs["val_loss"]`, each metric), and finally `on_train_end(logs)`; every hook gets a
`logs` dict, a copy with its keys in sorted order (`accuracy`, `loss`, `val_accuracy`,
`val_loss`), as Keras 3 passes them; so `History.history` lists its keys in that order
too. `evaluate` calls the `on_test_*` hooks, `predict`
the `on_predict_*` ones (`on_predict_batch_end` with `logs["outputs"]`). `History`,
the object `fit` returns, is itself the last callback: it records every epoch's logs.
`self.model` is the model being trained (set before `on_train_begin`), `self.params`
Keras's `{"verbose", "epochs", "steps"}`; setting `self.model.stop_training = True`
ends `fit` after the current epoch.
"""

from __future__ import annotations

import collections.abc
import csv
import inspect
import io
import math
import os
import re
import tempfile
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.checks import check_int, check_real

Logs = dict[str, float]


class Callback:
    """Base class: override the hooks you need (each does nothing by default).

    Attributes:
        model: the model being trained, set by `fit` before `on_train_begin`.
        params: `{"verbose": ..., "epochs": ..., "steps": ...}` of the running `fit`,
            `evaluate` or `predict` (steps: batches per epoch), as Keras sets them.
    """

    model: Any = None
    params: dict[str, Any] = {}  # noqa: RUF012  # replaced, never changed in place

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once after the last epoch (or an early stop)."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called before epoch `epoch` (counted from 0)."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called after an epoch with its mean loss and metrics (and val_ ones)."""

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each training step (calls `on_batch_begin`, as in Keras)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each training step with the running means so far (calls
        `on_batch_end`, as in Keras)."""
        self.on_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """The older name of `on_train_batch_begin`."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """The older name of `on_train_batch_end`."""

    def on_test_begin(self, logs: Logs | None = None) -> None:
        """Called before `evaluate` (and each validation pass of `fit`)."""

    def on_test_end(self, logs: Logs | None = None) -> None:
        """Called after `evaluate` with its results (without the "val_" prefix)."""

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each batch of `evaluate`."""

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each batch of `evaluate` with the running means so far."""

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        """Called before `predict`."""

    def on_predict_end(self, logs: Logs | None = None) -> None:
        """Called after `predict`."""

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each batch of `predict`."""

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each batch of `predict`; `logs["outputs"]` holds its outputs."""

    def overrides(self, *hooks: str) -> bool:
        """Whether this callback does something in one of `hooks` (a method of its
        class or a function given to the instance): `fit` calls per-batch hooks only
        on those that do."""
        return any(
            hook in vars(self) or getattr(type(self), hook) is not getattr(Callback, hook)
            for hook in hooks
        )


class History(Callback):
    """What `fit` returns: per-epoch values of the loss and metrics.

    Attributes:
        history: maps "loss", each metric name, and their "val_" forms (with
            validation data) to lists with one value per epoch.
        epoch: the 0-based indices of the epochs run.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.epoch = []

    def plot(self, *args: Any, **kwargs: Any) -> Any:
        """Plot the curves with `nn.plot.plot_history(self, ...)` (needs matplotlib)."""
        from nn.plot import plot_history

        return plot_history(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


# The metrics Keras 3 marks as growing (`_direction = "up"`): accuracies, AUC, precision,
# recall, F-scores, R2, IoU, cosine similarity, correlations, `*_at_*` scores.
_GROWING = re.compile(
    r"acc|auc|precision|recall|f1_score|fbeta_score|r2_score|io_u|cosine_similarity"
    r"|correlation|sensitivity|specificity"
)


def _auto_mode(monitor: str) -> str:
    """Keras's "auto" mode: "max" for a metric that grows when better, else "min"
    (losses and errors)."""
    if monitor.endswith("loss"):
        return "min"
    return "max" if _GROWING.search(monitor.removeprefix("val_")) else "min"


class _Monitor(Callback):
    """Shared by callbacks that watch one value of the logs for improvement."""

    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = _auto_mode(monitor)
        self.monitor, self.mode, self.min_delta = monitor, mode, abs(min_delta)
        self.best = math.inf if mode == "min" else -math.inf

    def improved(self, current: float) -> bool:
        """current < best - min_delta (mode "min") or current > best + min_delta ("max")."""
        return self.beats(current, self.best)

    def beats(self, current: float, reference: float) -> bool:
        """Whether `current` improves on `reference` by more than `min_delta`."""
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def current(self, logs: Logs | None) -> float | None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            available = ", ".join(logs or {}) or "none"
            warnings.warn(
                f"{type(self).__name__}: '{self.monitor}' is not in the logs "
                f"(available: {available}); pass validation data for 'val_' values",
                RuntimeWarning,
                stacklevel=3,
            )
        return value


class EarlyStopping(_Monitor):
    """Stop training when `monitor` has stopped improving.

    After each epoch, the monitored value improves when it beats the best so far by
    more than `min_delta`. Training stops once `patience` epochs in a row have not
    improved (patience=0: at the first epoch without improvement).

    Args:
        monitor: the logs key to watch ("val_loss", "loss", "val_accuracy", ...).
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement to wait before stopping.
        verbose: 1 prints a line when it stops and when it restores weights, as Keras does.
        mode: "min", "max", or "auto" (max for scores that grow, as accuracy,
            AUC, precision or recall; min otherwise).
        baseline: a value the monitored one must beat: epochs that improve on the best
            so far but not on `baseline` still count towards `patience` (None: no
            baseline), as Keras's.
        restore_best_weights: at the end of training, load the weights of the best
            epoch back into the model (as Keras 3 does, whether or not it stopped early).
        start_from_epoch: epochs to run before watching (a warm-up), as Keras's.

    Attributes:
        stopped_epoch: the (0-based) epoch after which training stopped, or 0.
        best_epoch: the epoch with the best value.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        self.patience, self.restore_best_weights = patience, restore_best_weights
        self.baseline = None if baseline is None else float(baseline)
        self.start_from_epoch = check_int(
            "EarlyStopping", "start_from_epoch", start_from_epoch, minimum=0
        )
        self.verbose = check_int("EarlyStopping", "verbose", verbose, minimum=0)
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = self.current(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        self.wait += 1
        if self.improved(current):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                # copies: the state dict's Tensors share the weights' memory
                self.best_weights = {
                    k: v.numpy().copy() for k, v in self.model.state_dict().items()
                }
            if self.baseline is None or self.beats(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.load_state_dict(self.best_weights)


class ModelCheckpoint(_Monitor):
    """Save the model (`model.save`) or its weights after epochs, or every `save_freq`
    batches; Keras 3's arguments, in Keras's order.

    Args:
        filepath: where to save; may hold `{epoch}` (1-based, e.g. `"w-{epoch:02d}.npz"`),
            `{batch}` (1-based, when saving every `save_freq` batches) and any logs key
            (`"{val_loss:.3f}"`). Load with `nn.load_model(path)` (or
            `model.load_weights(path)` after `save_weights_only=True`).
        monitor: the logs key compared when `save_best_only`.
        verbose: 1 prints Keras's lines: "Epoch 3: val_loss improved from 0.61871 to
            0.60500, saving model to ...", "... did not improve from ...", "Epoch 3:
            saving model to ..." and "Epoch 3: finished saving model to ...".
        save_best_only: save only when `monitor` improves on the best so far (the
            first value always does, unless `initial_value_threshold` is given); when
            `monitor` is not in the logs, warn and save, as Keras.
        save_weights_only: write the weights only (`model.save_weights`, read back with
            `model.load_weights`), as Keras does; otherwise the whole model (`model.save`).
        mode: "min", "max", or "auto" (max for scores that grow, as accuracy,
            AUC, precision or recall; min otherwise).
        save_freq: "epoch" (after each epoch) or a number of batches: save after every
            `save_freq` training batches, counted across epochs, with the batch's logs.
        initial_value_threshold: the best value to beat at first (None: anything).

    Attributes:
        best: the best value of `monitor` seen (None before the first).
        saved: the paths written, in order.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode)
        self.filepath, self.save_best_only = os.fspath(filepath), save_best_only
        self.verbose = check_int("ModelCheckpoint", "verbose", verbose, minimum=0)
        self.save_weights_only = save_weights_only
        if save_freq != "epoch":
            check_int("ModelCheckpoint", "save_freq", save_freq, minimum=1)
            self.on_train_batch_end = self._batch_end  # type: ignore[method-assign]  # per batch only when asked
        self.save_freq = save_freq
        self.best: float | None = initial_value_threshold  # type: ignore[assignment]
        self.saved: list[str] = []
        self._epoch = self._batches_since_save = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:  # type: ignore[operator]
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: Logs) -> None:
        path = self._path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        self.saved.append(path)
        self._say(f"\nEpoch {epoch + 1}: finished saving model to {path}")

    def _should_save(self, epoch: int, logs: Logs, path: str) -> bool:
        """Keras's decision, with its verbose lines."""
        if not self.save_best_only:
            self._say(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"ModelCheckpoint: can save the best model only with {self.monitor!r} in "
                f"the logs (available: {', '.join(logs) or 'none'}); saving this one",
                RuntimeWarning,
                stacklevel=4,
            )
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self.best is None or self.improved(current):
            self._say(
                f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                f"{current:.5f}, saving model to {path}"
            )
            self.best = current
            return True
        self._say(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        keys = {"epoch": epoch + 1, **({} if batch is None else {"batch": batch + 1}), **logs}
        try:
            return self.filepath.format(**keys)
        except KeyError as err:
            raise KeyError(
                f"ModelCheckpoint: filepath {self.filepath!r} names {err}, which is not "
                f"{' nor '.join(repr(k) for k in keys if k not in logs)} nor in the logs "
                f"({', '.join(logs)})"
            ) from None

    def _say(self, line: str) -> None:
        if self.verbose > 0:
            print(line)


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or inf (Keras's callback).

    Example:
        >>> import nn
        >>> stop = nn.callbacks.TerminateOnNaN()
        >>> # model.fit(x, y, callbacks=[stop]); stop.stopped_batch then names the batch
    """

    def __init__(self) -> None:
        self.stopped_batch: int | None = None

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss {loss}, terminating training")
            self.stopped_batch = batch
            self.model.stop_training = True


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch: `lr = schedule(epoch, lr)`, or
    `lr = schedule(epoch)` for a function of the epoch alone (Keras's older form).

    The new rate is written into every parameter group of the model's optimizer and
    recorded in the logs (and so in `History`) as `"learning_rate"`, as Keras 3 does.
    An optimizer whose `learning_rate` is a schedule (`nn.optimizers.schedules`) or a
    callable sets its own rate: the callback raises TypeError there, as in Keras 3.

    Args:
        schedule: a function of the 0-based epoch and the current lr (of the first
            group), or of the epoch alone, returning the new lr.
        verbose: 1 prints each new rate, as Keras does.

    Example:
        >>> halve_after_5 = LearningRateScheduler(lambda epoch, lr: lr if epoch < 5 else lr / 2)
        >>> decay = LearningRateScheduler(lambda epoch: 0.01 * 0.1 ** (epoch / 20))
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _positional_arity(schedule) >= 2

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        groups = self.model.optimizer.param_groups
        if any(callable(group["lr"]) for group in groups):
            raise TypeError(
                "LearningRateScheduler: the optimizer's learning_rate is a schedule (or a "
                "callable), so its learning rate is not settable; use either the schedule "
                "or this callback (to set the rate per epoch, give the optimizer a float "
                "learning_rate)"
            )
        if self._takes_lr:
            lr = self.schedule(epoch, float(groups[0]["lr"]))
        else:
            lr = self.schedule(epoch)
        if not isinstance(lr, (int, float, np.floating)) or not lr >= 0:
            raise ValueError(f"LearningRateScheduler: schedule returned {lr!r}, not an lr >= 0")
        for group in groups:
            group["lr"] = float(lr)
        if self.verbose > 0:
            print(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}."
            )

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.param_groups[0]["lr"])


def _positional_arity(fn: Callable[..., Any]) -> int:
    """How many positional arguments `fn` takes (a large number for *args)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: assume (epoch, lr)
        return 2
    kinds = [p.kind for p in params]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return 2
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(kind in positional for kind in kinds)


class ReduceLROnPlateau(_Monitor):
    """Multiply the learning rate by `factor` when `monitor` has stopped improving (Keras 3).

    After each epoch: during a cooldown the wait is reset and the cooldown counted
    down; a value that beats the best by more than `min_delta` becomes the best (the
    first value always does); otherwise, outside a cooldown, one more epoch is waited,
    and after `patience` of them every group's lr above `min_lr` becomes ``max(lr *
    factor, min_lr)``, then `cooldown` epochs pass before waiting starts again. The lr
    of the epoch (before any cut) is written into ``logs["learning_rate"]`` and so into
    `History`, as Keras 3 does.

    Args:
        monitor: the logs key to watch ("val_loss", "loss", "val_accuracy", ...).
        factor: ``new_lr = lr * factor``, in [0, 1).
        patience: epochs without improvement after which the lr is cut.
        verbose: 1 prints a line at each cut.
        mode: "min", "max", or "auto" (max for scores that grow, as accuracy,
            AUC, precision or recall; min otherwise).
        min_delta: smallest change that counts as an improvement.
        cooldown: epochs after a cut during which epochs are not counted.
        min_lr: the lr is never cut below it.

    Example:
        >>> cut = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-3)
        >>> # model.fit(x, y, validation_data=(xv, yv), callbacks=[cut])
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        owner = "ReduceLROnPlateau"
        self.factor = check_real(owner, "factor", factor, 0, 1, high_open=True)
        self.patience = check_int(owner, "patience", patience, minimum=0)
        self.verbose = check_int(owner, "verbose", verbose, minimum=0)
        self.cooldown = check_int(owner, "cooldown", cooldown, minimum=0)
        self.min_lr = check_real(owner, "min_lr", min_lr, 0)
        self.wait = self.cooldown_counter = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = self.cooldown_counter = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = {} if logs is None else logs
        groups = self.model.optimizer.param_groups
        logs["learning_rate"] = float(groups[0]["lr"])
        current = self.current(logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.improved(current):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self.reduce(groups, epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0

    def reduce(self, groups: list[dict[str, Any]], epoch: int) -> bool:
        """Cut each group's lr that is above `min_lr`; whether any was cut."""
        reduced = False
        for group in groups:
            # Keras holds the lr in float32: an lr within float32 rounding of min_lr
            # has reached it (and is not cut again, which would start a cooldown).
            if float(group["lr"]) > np.float32(self.min_lr):
                group["lr"] = max(float(group["lr"]) * self.factor, self.min_lr)
                reduced = True
                if self.verbose > 0:
                    print(
                        f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                        f"to {group['lr']}."
                    )
        return reduced


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file (Keras's format).

    The columns are ``epoch`` (0-based) and the first epoch's log keys, sorted; when
    these hold no ``val_`` key, Keras adds ``val_<key>`` for each (written ``NA``
    without validation data). Rows end in ``\r\n`` (the csv module's default), a
    sequence is written ``"[a, b]"``. With `append`, rows are added to an existing
    file, with no second header when it is not empty.

    The file is rewritten as a whole after each epoch, into a temporary file then
    renamed over it: it always holds a complete log (what it held before `fit` plus
    the epochs done), and a run that fails before its first epoch leaves it untouched.

    Args:
        filename: the CSV file.
        separator: the string between the values of a row.
        append: add to the file rather than replace it.

    Example:
        >>> log = CSVLogger("training.csv")
        >>> # model.fit(x, y, callbacks=[log]); pandas.read_csv("training.csv")
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        self.filename = os.fspath(filename)
        if not isinstance(separator, str) or len(separator) != 1:
            raise TypeError(f"CSVLogger: invalid separator: {separator!r} (must be one character)")
        self.sep, self.append = separator, append
        self.keys: list[str] | None = None
        self._text = ""

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.keys = None
        self._text = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as f:
                self._text = f.read()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        rows = io.StringIO()
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
            fieldnames = ["epoch", *self.keys]
            if not self._text:  # a new or empty file gets a header
                csv.writer(rows, delimiter=self.sep).writerow(fieldnames)
        values = [_csv_value(logs.get(key, "NA")) for key in self.keys]
        csv.writer(rows, delimiter=self.sep).writerow([epoch, *values])
        self._text += rows.getvalue()
        _replace_file(self.filename, self._text)


def _csv_value(value: Any) -> Any:
    """Keras's cell: a string as is, a sequence (not a 0-d array) as "[a, b]"."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value


def _replace_file(path: str, text: str) -> None:
    """Write `text` to `path` at once: into a temporary file beside it, then renamed."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class LambdaCallback(Callback):
    """A callback made of functions (Keras's): each given function is called as that
    hook, with the same arguments as in Keras (logs are ``{}`` when `fit` has none).

    Args:
        on_epoch_begin, on_epoch_end: ``f(epoch, logs)``.
        on_train_begin, on_train_end: ``f(logs)``.
        on_train_batch_begin, on_train_batch_end: ``f(batch, logs)``.
        **kwargs: set as attributes, as Keras does: another hook given this way
            (``on_batch_end=f``) replaces that method and is called as `fit` calls it.

    Example:
        >>> losses = []
        >>> keep = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> keep.on_epoch_end(0, {"loss": 0.5})
        >>> losses
        [0.5]
    """

    def __init__(
        self,
        on_epoch_begin: Callable[[int, Logs], Any] | None = None,
        on_epoch_end: Callable[[int, Logs], Any] | None = None,
        on_train_begin: Callable[[Logs], Any] | None = None,
        on_train_end: Callable[[Logs], Any] | None = None,
        on_train_batch_begin: Callable[[int, Logs], Any] | None = None,
        on_train_batch_end: Callable[[int, Logs], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.__dict__.update(kwargs)
        hooks: dict[str, tuple[Any, Callable[[Any], Callable[..., None]]]] = {
            "on_epoch_begin": (on_epoch_begin, _indexed_hook),
            "on_epoch_end": (on_epoch_end, _indexed_hook),
            "on_train_begin": (on_train_begin, _logs_hook),
            "on_train_end": (on_train_end, _logs_hook),
            "on_train_batch_begin": (on_train_batch_begin, _indexed_hook),
            "on_train_batch_end": (on_train_batch_end, _indexed_hook),
        }
        for name, (fn, wrap) in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: {name} must be a function, got {fn!r}")
            setattr(self, name, wrap(fn))


def _indexed_hook(fn: Callable[[int, Logs], Any]) -> Callable[..., None]:
    def hook(index: int, logs: Logs | None = None) -> None:
        fn(index, {} if logs is None else logs)

    return hook


def _logs_hook(fn: Callable[[Logs], Any]) -> Callable[..., None]:
    def hook(logs: Logs | None = None) -> None:
        fn({} if logs is None else logs)

    return hook


#: The per-batch hooks and the older names Keras's default hooks call.
_BATCH_HOOKS = {
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


class CallbackList:
    """The callbacks of one `fit`, `evaluate` or `predict`, as Keras's `CallbackList`:
    `call(hook, ...)` calls the hook on each callback in order, with `logs` always a
    dict. Each callback gets the model and Keras's `params` first.

    Per-batch hooks go only to the callbacks that define them (`Callback.overrides`),
    so a run whose callbacks have none spends nothing per batch; `wants(hook)` tells
    whether any will be called (the running logs are made only then).
    """

    def __init__(self, callbacks: list[Callback], model: Any, **params: Any) -> None:
        self.callbacks = callbacks
        for cb in callbacks:
            cb.set_model(model)
            cb.set_params(dict(params))
        self._batch = {
            hook: [cb for cb in callbacks if cb.overrides(*names)]
            for hook, names in _BATCH_HOOKS.items()
        }

    def call(self, hook: str, *args: Any) -> None:
        """`hook(*args, logs)` on every callback (`logs`: the last argument, {} if None),
        with `logs=` by keyword to the per-batch hooks, as Keras passes it.

        The callbacks share one copy of `logs` with its keys sorted, as Keras 3's
        `CallbackList`: what one adds (LearningRateScheduler's "learning_rate") the
        later ones see, History last, while the caller's dict stays as it was."""
        *index, logs = args
        logs = {} if logs is None else dict(sorted(logs.items()))
        if hook in self._batch:
            for cb in self._batch[hook]:
                getattr(cb, hook)(*index, logs=logs)
        else:
            for cb in self.callbacks:
                getattr(cb, hook)(*index, logs)

    def wants(self, hook: str) -> bool:
        return bool(self._batch[hook])
