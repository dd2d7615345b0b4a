"""SequentialLR and ChainedScheduler: schedules built from other schedules."""

from __future__ import annotations

import bisect
import copy
from collections.abc import Sequence
from typing import Any

from optim.optimizer import Optimizer
from optim.plateau import ReduceLROnPlateau
from optim.scheduler import LRScheduler


def _check_schedulers(owner: str, schedulers: Sequence[Any], optimizer: Optimizer | None) -> None:
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(
                f"{owner}: the scheduler at index {i} ({type(scheduler).__name__}) "
                "has no optimizer: expected an LRScheduler"
            )
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{owner} does not support ReduceLROnPlateau (at index {i}): its step "
                "needs the monitored metric; step it separately"
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{owner}: the scheduler at index {i} ({type(scheduler).__name__}) belongs "
                "to another optimizer; all schedulers must share the same optimizer"
            )


class _Composite(LRScheduler):
    """What both composites share: the state of their schedulers is saved with theirs."""

    _schedulers: list[Any]

    def state_dict(self) -> dict[str, Any]:
        """Its own state, and one `state_dict()` per scheduler under ``"_schedulers"``."""
        state = {
            k: copy.deepcopy(v)
            for k, v in self.__dict__.items()
            if k not in ("optimizer", "_schedulers")
        }
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()`; the groups get the lrs of the composite's last step."""
        for scheduler, state in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            scheduler.load_state_dict(state)
        own = {k: v for k, v in state_dict.items() if k != "_schedulers"}
        super().load_state_dict(own)  # last: the schedulers' loads wrote their own lrs


class SequentialLR(_Composite):
    """Run `schedulers` one after another: ``schedulers[i]`` from epoch
    ``milestones[i - 1]`` on (``schedulers[0]`` from epoch 0).

    As in torch: construction resets each group's lr to ``initial_lr``, takes back
    the construction step of every scheduler and redoes it for ``schedulers[0]``
    only. At each milestone the next scheduler restarts at its epoch 0 by its closed
    form (from ``base_lrs``, not from the lr the previous one left; `MultiplicativeLR`,
    having no closed form, multiplies that lr by ``lr_lambda(0)``); then it steps
    normally.

    Args:
        optimizer: the optimizer that all `schedulers` schedule.
        schedulers: the schedules, in order (not `ReduceLROnPlateau`).
        milestones: the epochs at which the next schedule starts, one fewer than
            `schedulers`.
        last_epoch: the index of the last epoch when resuming (-1 to start).

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import SGD
        >>> from optim.lr_scheduler import ConstantLR, ExponentialLR, SequentialLR
        >>> opt = SGD([Tensor(np.zeros(2), requires_grad=True)], lr=1.0)
        >>> warmup = ConstantLR(opt, factor=0.1, total_iters=2)
        >>> decay = ExponentialLR(opt, gamma=0.5)
        >>> sched = SequentialLR(opt, [warmup, decay], milestones=[2])
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(sched.get_last_lr()[0])
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.1, 0.1, 1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, got none")
        _check_schedulers("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR expects one milestone fewer than schedulers: got "
                f"{len(schedulers)} schedulers and {len(milestones)} milestones"
            )
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_construction_steps(self)
        first = self._schedulers[bisect.bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_construction_steps(self, scheduler: Any) -> None:
        if hasattr(scheduler, "_schedulers"):  # nested composites
            for inner in scheduler._schedulers:
                self._undo_construction_steps(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]  # no epoch, as torch's
        """Advance one epoch: restart the next scheduler at a milestone, else step the
        current one."""
        self.last_epoch += 1
        i = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step all `schedulers` at every step, in order: each scales the lr the previous
    one set, so (for schedules that multiply the lr) their factors multiply.

    Args:
        schedulers: the schedules to chain (not `ReduceLROnPlateau`); their
            construction has already applied their first lrs.
        optimizer: their optimizer (by default that of ``schedulers[0]``).

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import SGD
        >>> from optim.lr_scheduler import ChainedScheduler, ConstantLR, ExponentialLR
        >>> opt = SGD([Tensor(np.zeros(2), requires_grad=True)], lr=1.0)
        >>> warmup = ConstantLR(opt, factor=0.1, total_iters=2)
        >>> decay = ExponentialLR(opt, gamma=0.5)
        >>> sched = ChainedScheduler([warmup, decay])
        >>> lrs = []
        >>> for epoch in range(4):
        ...     lrs.append(sched.get_last_lr()[0])
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.1, 0.05, 0.25, 0.125]
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler, got none")
        if optimizer is None:
            optimizer = getattr(schedulers[0], "optimizer", None)
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = list(schedulers)
        self.optimizer = schedulers[0].optimizer  # checked: the one given, if any
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]  # no epoch, as torch's
        """Step each scheduler in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
