"""OneCycleLR: the 1cycle policy, warm up to a maximum lr and anneal far below it."""

from __future__ import annotations

import math
from typing import Any

from optim.optimizer import Optimizer
from optim.scheduler import LRScheduler, per_group


def _anneal_cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start: float, end: float, pct: float) -> float:
    return (end - start) * pct + start


_ANNEAL = {"cos": _anneal_cos, "linear": _anneal_linear}


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin 2018, "Super-Convergence"), stepped per batch.

    Each group goes from ``initial_lr = max_lr / div_factor`` up to ``max_lr`` over the
    first ``pct_start * total_steps`` steps, then down to ``min_lr = initial_lr /
    final_div_factor`` at step ``total_steps - 1``, annealing each phase by
    ``anneal_strategy``::

        cos:     lr = end + (start - end) / 2 * (1 + cos(pi * pct))
        linear:  lr = start + (end - start) * pct

    where ``pct`` is the fraction of the current phase done. With ``three_phase`` it
    comes back down to ``initial_lr`` symmetrically first, then anneals to ``min_lr``.
    With ``cycle_momentum`` the momentum (or beta1) moves the opposite way, between
    ``max_momentum`` and ``base_momentum``. Phase boundaries follow torch exactly.

    Args:
        optimizer: the optimizer to schedule.
        max_lr: peak lr, one value or one per group.
        total_steps: the number of steps in the cycle; or give `epochs` and
            `steps_per_epoch` instead.
        epochs: number of epochs (with `steps_per_epoch`).
        steps_per_epoch: number of steps per epoch (with `epochs`).
        pct_start: fraction of the cycle spent increasing the lr.
        anneal_strategy: ``"cos"`` or ``"linear"``.
        cycle_momentum: also cycle ``"momentum"`` or ``betas[0]``.
        base_momentum: lowest momentum (at the peak lr).
        max_momentum: highest momentum (at the start and end).
        div_factor: ``initial_lr = max_lr / div_factor``.
        final_div_factor: ``min_lr = initial_lr / final_div_factor``.
        three_phase: use the three-phase schedule described above.
        last_epoch: index of the last step when resuming (-1 to start).

    Raises:
        ValueError: on an invalid option, or on a step beyond ``total_steps``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if total_steps is not None:
            if total_steps <= 0:
                raise ValueError(f"invalid total_steps: {total_steps!r} (must be > 0)")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if epochs <= 0 or steps_per_epoch <= 0:
                raise ValueError(
                    f"invalid epochs={epochs!r} or steps_per_epoch={steps_per_epoch!r} "
                    "(both must be > 0)"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("give either total_steps or both epochs and steps_per_epoch")
        if not 0 <= pct_start <= 1:
            raise ValueError(f"invalid pct_start: {pct_start!r} (must be in [0, 1])")
        if anneal_strategy not in _ANNEAL:
            raise ValueError(
                f"invalid anneal_strategy: {anneal_strategy!r} (must be 'cos' or 'linear')"
            )
        self.anneal_strategy = anneal_strategy
        self.cycle_momentum = cycle_momentum
        self._phases = self._make_phases(pct_start, three_phase)
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group, peak in zip(groups, per_group("max_lr", max_lr, optimizer), strict=True):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer has neither 'momentum' nor 'betas': pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                highs = per_group("max_momentum", max_momentum, optimizer)
                lows = per_group("base_momentum", base_momentum, optimizer)
                for group, high, low in zip(groups, highs, lows, strict=True):
                    self._set_momentum(group, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _make_phases(self, pct_start: float, three_phase: bool) -> list[dict[str, Any]]:
        n = self.total_steps
        # (end_step, lr from, lr to, momentum from, momentum to), keys into each group
        if three_phase:
            rows = [
                (pct_start * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * pct_start * n - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            rows = [
                (pct_start * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        return [dict(zip(keys, (float(row[0]), *row[1:]), strict=True)) for row in rows]

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(
                f"tried to step {t} times; the schedule has total_steps={self.total_steps}"
            )
        anneal = _ANNEAL[self.anneal_strategy]
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._phases):
                end = phase["end_step"]
                if t <= end or i == len(self._phases) - 1:
                    pct = (t - start) / (end - start)
                    lrs.append(anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        low, high = group[phase["start_momentum"]], group[phase["end_momentum"]]
                        self._set_momentum(group, anneal(low, high, pct))
                    break
                start = end
        return lrs
