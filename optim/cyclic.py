"""CyclicLR: the lr goes up and down between two bounds, stepped per batch."""

from __future__ import annotations

import copy
import math
import types
from collections.abc import Callable
from typing import Any

from autograd.checks import check_bool, check_real
from optim.optimizer import Optimizer
from optim.scheduler import LRScheduler, per_group

_MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith 2017, "Cyclical Learning Rates for Training
    Neural Networks"): each cycle takes the lr from ``base_lr`` up to ``max_lr`` in
    ``step_size_up`` steps and back down in ``step_size_down`` steps::

        cycle = floor(1 + t / (up + down))        x = 1 + t / (up + down) - cycle
        s = x / r  if x <= r  else  (x - 1) / (r - 1)       with r = up / (up + down)
        lr = base_lr + (max_lr - base_lr) * s * scale_fn(cycle or t)

    where ``t`` is ``last_epoch`` (the batches done) and ``s`` rises from 0 to 1 and
    falls back. ``mode`` picks ``scale_fn``: ``"triangular"`` 1, ``"triangular2"``
    ``1 / 2 ** (cycle - 1)`` (the height halves every cycle), ``"exp_range"``
    ``gamma ** t``; a given ``scale_fn`` replaces it, called with the cycle number or
    with ``t`` (``scale_mode``). With ``cycle_momentum`` the momentum (or beta1) moves
    the opposite way: ``momentum = max_momentum - (max_momentum - base_momentum) * s *
    scale_fn(...)``. As in torch, including its quirks: ``mode`` sets ``scale_mode``
    unless ``scale_fn`` is given, and construction sets the groups' lrs to ``base_lr``
    (and their momentum to ``max_momentum``).

    Args:
        optimizer: the optimizer to schedule.
        base_lr: the lower bound, one value or one per group.
        max_lr: the upper bound, one value or one per group.
        step_size_up: steps in the rising half of a cycle.
        step_size_down: steps in the falling half (default: `step_size_up`).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"`` (ignored when
            `scale_fn` is given).
        gamma: the base of ``"exp_range"``'s scaling.
        scale_fn: a custom scaling ``f(x)`` with ``0 <= f(x) <= 1``.
        scale_mode: ``"cycle"`` or ``"iterations"``: what `scale_fn` is called with.
        cycle_momentum: also cycle ``"momentum"`` or ``betas[0]``.
        base_momentum: lowest momentum (at the peak lr), one value or one per group.
        max_momentum: highest momentum (at ``base_lr``), one value or one per group.
        last_epoch: the index of the last batch when resuming (-1 to start).

    Raises:
        ValueError: on an invalid option, or with ``cycle_momentum=True`` on an
            optimizer that has neither ``momentum`` nor ``betas``.

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import SGD
        >>> from optim.lr_scheduler import CyclicLR
        >>> opt = SGD([Tensor(np.zeros(2), requires_grad=True)], lr=1.0, momentum=0.9)
        >>> sched = CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2)
        >>> lrs = []
        >>> for batch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 6))
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: float = 2000,
        step_size_down: float | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        base_lrs = per_group("base_lr", base_lr, optimizer)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = lr
        self.max_lrs = per_group("max_lr", max_lr, optimizer)
        up = float(check_real("CyclicLR", "step_size_up", step_size_up, 0, low_open=True))
        down = up if step_size_down is None else step_size_down
        down = float(check_real("CyclicLR", "step_size_down", down, 0))
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None and mode not in _MODES:
            raise ValueError(
                f"CyclicLR: invalid mode: {mode!r} (must be one of {', '.join(_MODES)}, "
                "or give scale_fn)"
            )
        if scale_fn is not None and scale_mode not in ("cycle", "iterations"):
            raise ValueError(
                f"CyclicLR: invalid scale_mode: {scale_mode!r} (must be 'cycle' or 'iterations')"
            )
        self.mode = mode
        self.gamma = check_real("CyclicLR", "gamma", gamma, 0, low_open=True)
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_mode()
        self.cycle_momentum = check_bool("CyclicLR", "cycle_momentum", cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"CyclicLR: {type(optimizer).__name__} has neither 'momentum' nor "
                    "'betas' to cycle: pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = per_group("base_momentum", base_momentum, optimizer)
            self.max_momentums = per_group("max_momentum", max_momentum, optimizer)
            if last_epoch == -1:
                for group, high, low in zip(
                    optimizer.param_groups, self.max_momentums, self.base_momentums, strict=True
                ):
                    self._set_momentum(group, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)
        # As torch: the construction step used the groups' initial_lr as base_lrs
        # (base_lr itself when starting afresh); from now on base_lr is the bound.
        self.base_lrs = base_lrs

    def _init_scale_mode(self) -> None:
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x: float) -> float:
        """The height of the cycle at `x` (the cycle number or the step), in [0, 1]."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        if self.mode == "exp_range":
            return self.gamma**x
        return 1.0

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            s = x / self.step_ratio
        else:
            s = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else t)
        bounds = zip(self.base_lrs, self.max_lrs, strict=True)
        lrs = [low + (high - low) * s * scale for low, high in bounds]
        if self.cycle_momentum:
            groups = self.optimizer.param_groups
            momenta = zip(groups, self.base_momentums, self.max_momentums, strict=True)
            for group, low, high in momenta:
                self._set_momentum(group, high - (high - low) * s * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """The state; a custom `scale_fn` is kept only as the attributes of a callable
        object (a function or lambda is left out: give it again when resuming)."""
        state = {
            k: copy.deepcopy(v)
            for k, v in self.__dict__.items()
            if k not in ("optimizer", "_scale_fn_custom")
        }
        fn = self._scale_fn_custom
        saved = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            saved = copy.deepcopy(fn.__dict__)
        state["_scale_fn_custom"] = saved
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()`, keeping this scheduler's `scale_fn` (whose saved
        attributes, if any, are restored)."""
        state = dict(state_dict)
        saved = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(copy.deepcopy(saved))
        self._init_scale_mode()
