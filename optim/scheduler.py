"""`LRScheduler`: the base class of the learning-rate schedules in `optim.lr_scheduler`."""

from __future__ import annotations

import copy
import warnings
from types import MethodType
from typing import Any

from autograd.checks import check_int, check_real
from optim.optimizer import Optimizer

#: torch's warning for ``scheduler.step(epoch)`` (word for word).
EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)


#: torch's warning for a first ``scheduler.step()`` before any ``optimizer.step()``.
ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


def _first_step(opt: Optimizer, *args: Any, **kwargs: Any) -> Any:
    """The optimizer's `step` until it is first called: notes the call (for
    `ORDER_WARNING`) and takes itself off, so later steps cost nothing more."""
    opt.__dict__["_opt_called"] = True
    del opt.__dict__["step"]
    return opt.step(*args, **kwargs)


def track_step_called(opt: Optimizer) -> None:
    """Note the optimizer's next `step` call (as torch's schedulers do), unless one was
    already noted or is being watched for."""
    if "_opt_called" not in opt.__dict__ and "step" not in opt.__dict__:
        opt.__dict__["step"] = MethodType(_first_step, opt)


def deprecated_epoch(owner: str, epoch: Any) -> None:
    """Check an `epoch` given to ``step`` and warn as torch does (the argument is
    deprecated, still honoured)."""
    check_real(owner, "epoch", epoch)
    warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=3)


class ResumeError(KeyError, ValueError):
    """A scheduler resumed (``last_epoch >= 0``) on groups without ``"initial_lr"``: a
    KeyError, as torch raises it, and a ValueError, as a bad argument is."""

    __str__ = ValueError.__str__  # the message as given, not quoted as KeyError's


class LRScheduler:
    """Base class: subclasses give `get_lr()`, the lrs at epoch ``self.last_epoch``.

    As in torch, schedules that can be chained (`ChainedScheduler`) compute `get_lr()`
    from each group's current lr (the previous lr times this epoch's change), and give
    the same schedule from ``base_lrs`` in `_get_closed_form_lr()`, which `SequentialLR`
    uses to restart a schedule. Schedules that cannot be chained compute `get_lr()` from
    ``base_lrs`` (their closed form is `get_lr()` itself).

    Args:
        optimizer: the optimizer whose groups' ``"lr"`` are set.
        last_epoch: the index of the last epoch when resuming (-1 to start).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"expected an Optimizer, got {type(optimizer).__name__}")
        check_int(type(self).__name__, "last_epoch", last_epoch, minimum=-1)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise ResumeError(
                    f"param_groups[{i}] has no 'initial_lr': resuming with "
                    f"last_epoch={last_epoch} needs a scheduler that has run on it before"
                )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        track_step_called(optimizer)
        self._initial_step()

    def _initial_step(self) -> None:
        """The step of construction (to epoch 0 when starting). Chainable schedules that
        only scale the lr from epoch 1 on leave the groups' lrs as they are here."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lr of each group at epoch ``self.last_epoch``."""
        raise NotImplementedError

    def _get_closed_form_lr(self) -> list[float]:
        """The lr of each group at epoch ``self.last_epoch``, from ``base_lrs`` alone."""
        return self.get_lr()

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or batch) and set the new lrs.

        As torch's, the first call warns if the optimizer has not stepped since the
        scheduler was made (the schedule's first lr would be skipped).

        Args:
            epoch: torch's deprecated argument: go to this epoch instead, by the closed
                form where the schedule has one (with torch's deprecation warning).
        """
        if self._step_count == 1 and not self.optimizer.__dict__.get("_opt_called"):
            warnings.warn(ORDER_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            deprecated_epoch(type(self).__name__, epoch)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Set the lrs of the next epoch, or of `epoch` by the closed form (torch's
        deprecated ``step(epoch)``; `SequentialLR` restarts a schedule with epoch 0)."""
        if epoch is None:
            self.last_epoch += 1
            lrs = self.get_lr()
        else:
            self.last_epoch = epoch
            lrs = self._get_closed_form_lr()
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lrs set by the last `step()` (or by construction), one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (and functions), deep-copied."""
        return {
            k: copy.deepcopy(v)
            for k, v in self.__dict__.items()
            if k not in ("optimizer", "lr_lambdas")
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()`, and set each group's lr to the restored last lr.

        The groups' lrs are written too, so the two orders of resuming give the
        same lrs as training without a stop (PyTorch's sequence): loading the
        optimizer's state before or after building this scheduler (whose
        construction sets the epoch-0 lr).
        """
        self.__dict__.update(copy.deepcopy(state_dict))
        last = self.__dict__.get("_last_lr")
        if last is not None:
            for group, lr in zip(self.optimizer.param_groups, last, strict=True):
                group["lr"] = lr


def per_group(name: str, value: Any, optimizer: Optimizer) -> list[Any]:
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"expected {n} values of {name} (one per group), got {len(value)}")
        return list(value)
    return [value] * n
