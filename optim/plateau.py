"""ReduceLROnPlateau: cut the lr when a monitored metric stops improving."""

from __future__ import annotations

import math
from typing import Any

from optim.optimizer import Optimizer
from optim.scheduler import LRScheduler, deprecated_epoch, per_group


class ReduceLROnPlateau(LRScheduler):
    """Multiply each group's lr by ``factor`` after ``patience`` epochs without
    improvement of the metric passed to `step(metrics)`.

    A value ``a`` improves on the best ``best`` when::

        mode="min", threshold_mode="rel":  a < best * (1 - threshold)
        mode="min", threshold_mode="abs":  a < best - threshold
        mode="max", threshold_mode="rel":  a > best * (1 + threshold)
        mode="max", threshold_mode="abs":  a > best + threshold

    When more than ``patience`` epochs in a row did not improve, ``lr = max(lr *
    factor, min_lr)`` (skipped if the change is smaller than ``eps``), then
    ``cooldown`` epochs pass before bad epochs are counted again. As in torch.

    Args:
        optimizer: the optimizer to schedule.
        mode: ``"min"`` (e.g. a loss) or ``"max"`` (e.g. an accuracy).
        factor: multiplier of the lr, < 1.
        patience: number of bad epochs tolerated before a reduction.
        threshold: the least change that counts as an improvement.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: epochs to wait after a reduction.
        min_lr: lower bound on the lr, one value or one per group.
        eps: smallest lr change that is applied.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"expected an Optimizer, got {type(optimizer).__name__}")
        if factor >= 1.0:
            raise ValueError(f"invalid factor: {factor!r} (must be < 1)")
        if mode not in ("min", "max"):
            raise ValueError(f"invalid mode: {mode!r} (must be 'min' or 'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"invalid threshold_mode: {threshold_mode!r} (must be 'rel' or 'abs')")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.min_lrs = per_group("min_lr", min_lr, optimizer)
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def is_better(self, a: float, best: float) -> bool:
        """Whether `a` improves on `best` by more than the threshold."""
        rel = self.threshold_mode == "rel"
        if self.mode == "min":
            return a < (best * (1 - self.threshold) if rel else best - self.threshold)
        return a > (best * (1 + self.threshold) if rel else best + self.threshold)

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def step(  # type: ignore[override]  # the metric first, as torch's
        self, metrics: float | Any = None, epoch: int | None = None
    ) -> None:
        """Record one epoch's metric and reduce the lrs if it has stopped improving.

        Args:
            metrics: the monitored value (a number or a one-element Tensor).
            epoch: torch's deprecated argument: the epoch number to record instead of
                the next one (with torch's deprecation warning).
        """
        if metrics is None:
            raise TypeError("ReduceLROnPlateau.step needs the monitored metric: step(loss)")
        current = float(metrics)
        if epoch is None:
            self.last_epoch += 1
        else:
            deprecated_epoch("ReduceLROnPlateau", epoch)
            self.last_epoch = epoch
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
