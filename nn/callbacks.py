"""Callbacks: hooks into `fit` (Keras's API): stop early, save checkpoints, change the lr.

`fit` calls, on every callback in order, `on_train_begin`, then for each epoch
`on_epoch_begin(epoch)`, `on_batch_end(batch, logs)` after each optimizer step, and
`on_epoch_end(epoch, logs)` with the epoch's averages (`logs["loss"]`,
`logs["val_loss"]`, each metric), and finally `on_train_end`. `History`, the object
`fit` returns, is itself the last callback: it records every epoch's logs. `self.model` is the
model being trained; setting `self.model.stop_training = True` ends `fit` after the
current epoch.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

Logs = dict[str, float]


class Callback:
    """Base class: override the hooks you need (each does nothing by default).

    Attributes:
        model: the model being trained, set by `fit` before `on_train_begin`.
    """

    model: Any = None

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once after the last epoch (or an early stop)."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called before epoch `epoch` (counted from 0)."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called after an epoch with its mean loss and metrics (and val_ ones)."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each training step with the running means so far."""


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

    def plot(self, *args: Any, **kwargs: Any) -> Any:
        """Plot the curves with `nn.plot.plot_history(self, ...)` (needs matplotlib)."""
        from nn.plot import plot_history

        return plot_history(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


class _Monitor(Callback):
    """Shared by callbacks that watch one value of the logs for improvement."""

    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            # Keras's rule: accuracies (and AUC-like scores) grow, everything else shrinks.
            mode = "max" if "acc" in monitor or monitor.endswith("auc") else "min"
        self.monitor, self.mode, self.min_delta = monitor, mode, abs(min_delta)
        self.best = math.inf if mode == "min" else -math.inf

    def improved(self, current: float) -> bool:
        """current < best - min_delta (mode "min") or current > best + min_delta ("max")."""
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

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
        mode: "min", "max", or "auto" (max for accuracies, min otherwise).
        restore_best_weights: at the end of training, load the weights of the best
            epoch back into the model (as Keras 3 does, whether or not it stopped early).

    Attributes:
        stopped_epoch: the (0-based) epoch after which training stopped, or 0.
        best_epoch: the epoch with the best value.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        self.patience, self.restore_best_weights = patience, restore_best_weights
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = self.current(logs)
        if current is None:
            return
        if self.improved(current):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)


class ModelCheckpoint(_Monitor):
    """Save the model's weights (`model.save`, an `.npz` of its `state_dict`) after epochs.

    Args:
        filepath: where to save; may hold `{epoch}` (1-based, e.g. `"w-{epoch:02d}.npz"`)
            and any logs key (`"{val_loss:.3f}"`). Load with `nn.load_state(path)`.
        monitor: the logs key compared when `save_best_only`.
        save_best_only: save only when `monitor` improves on the best so far.
        mode: "min", "max", or "auto" (max for accuracies, min otherwise).

    Attributes:
        saved: the paths written, in order.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__(monitor, mode)
        self.filepath, self.save_best_only = os.fspath(filepath), save_best_only
        self.saved: list[str] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            current = self.current(logs)
            if current is None or not self.improved(current):
                return
            self.best = current
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as err:
            raise KeyError(
                f"ModelCheckpoint: filepath {self.filepath!r} names {err}, which is not "
                f"'epoch' nor in the logs ({', '.join(logs)})"
            ) from None
        self.model.save(path)
        self.saved.append(path)


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
    """Set the learning rate at the start of each epoch: `lr = schedule(epoch, lr)`.

    The new rate is written into every parameter group of the model's optimizer and
    recorded in the logs (and so in `History`) as `"lr"`. An optimizer whose
    `learning_rate` is a schedule (`nn.optimizers.schedules`) or a callable sets its
    own rate: the callback raises TypeError there, as in Keras 3.

    Args:
        schedule: a function of the 0-based epoch and the current lr (of the first
            group) returning the new lr.

    Example:
        >>> halve_after_5 = LearningRateScheduler(lambda epoch, lr: lr if epoch < 5 else lr / 2)
    """

    def __init__(self, schedule: Callable[[int, float], float]) -> None:
        self.schedule = schedule

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        groups = self.model.optimizer.param_groups
        if any(callable(group["lr"]) for group in groups):
            raise TypeError(
                "LearningRateScheduler: the optimizer's learning_rate is a schedule (or a "
                "callable), so its learning rate is not settable; use either the schedule "
                "or this callback (to set the rate per epoch, give the optimizer a float "
                "learning_rate)"
            )
        lr = self.schedule(epoch, float(groups[0]["lr"]))
        if not isinstance(lr, (int, float, np.floating)) or not lr >= 0:
            raise ValueError(f"LearningRateScheduler: schedule returned {lr!r}, not an lr >= 0")
        for group in groups:
            group["lr"] = float(lr)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["lr"] = float(self.model.optimizer.param_groups[0]["lr"])
