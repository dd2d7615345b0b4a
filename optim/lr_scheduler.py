"""Learning-rate schedules that set ``group["lr"]`` of an optimizer's parameter groups.

They follow torch.optim.lr_scheduler: the first lr is set at construction
(``last_epoch`` becomes 0), each `step()` moves to the next epoch (or batch), and each
group's starting lr is kept in ``group["initial_lr"]``. Each docstring gives the
schedule in closed form (``_get_closed_form_lr``). As in torch, the schedules that
multiply the lr (all but `LambdaLR`, `OneCycleLR`, `CyclicLR` and
`CosineAnnealingWarmRestarts`) step by scaling each group's current lr, so that
`ChainedScheduler` can compose them: two of them on one optimizer multiply.
`SequentialLR` runs schedules one after another.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

from autograd.checks import check_int, check_real
from optim.chained import ChainedScheduler, SequentialLR
from optim.cyclic import CyclicLR
from optim.one_cycle import OneCycleLR
from optim.optimizer import Optimizer
from optim.plateau import ReduceLROnPlateau
from optim.scheduler import LRScheduler

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]


class StepLR(LRScheduler):
    """Decay by ``gamma`` every ``step_size`` epochs.

    ``lr = base_lr * gamma ** (last_epoch // step_size)``

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import SGD
        >>> from optim.lr_scheduler import StepLR
        >>> opt = SGD([Tensor(np.zeros(2), requires_grad=True)], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(sched.get_last_lr()[0])
        ...     opt.step()
        ...     sched.step()
        >>> lrs
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: float, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        # torch takes a float too (its nn.Transformer tutorial passes 1.0)
        self.step_size = (
            check_real("StepLR", "step_size", step_size, 0, low_open=True)
            if isinstance(step_size, float)
            else check_int("StepLR", "step_size", step_size, minimum=1)
        )
        self.gamma = check_real("StepLR", "gamma", gamma, 0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return current_lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [lr * self.gamma ** (self.last_epoch // self.step_size) for lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Decay by ``gamma`` at each milestone epoch (a repeated milestone decays twice).

    ``lr = base_lr * gamma ** (number of milestones <= last_epoch)``
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Sequence[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = sorted(check_int("MultiStepLR", "milestone", m) for m in milestones)
        self.gamma = check_real("MultiStepLR", "gamma", gamma, 0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        k = self.milestones.count(self.last_epoch)
        if k == 0:
            return current_lrs(self.optimizer)
        return [group["lr"] * self.gamma**k for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        k = bisect.bisect_right(self.milestones, self.last_epoch)
        return [lr * self.gamma**k for lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Decay by ``gamma`` every epoch: ``lr = base_lr * gamma ** last_epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = check_real("ExponentialLR", "gamma", gamma, 0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:  # resuming (last_epoch >= 0) keeps the lr it finds
            return current_lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [lr * self.gamma**self.last_epoch for lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``base_lr`` to ``eta_min`` over ``T_max`` epochs
    (Loshchilov and Hutter 2017, "SGDR", without restarts).

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * last_epoch / T_max)) / 2``

    Past ``T_max`` the lr rises again along the same cosine, as in torch. Each step
    scales the distance to ``eta_min`` by the cosine's ratio between two epochs (and
    adds the cosine's first step at the bottom, where that ratio is 0/0), as torch does;
    chained with another schedule this is not a product of the two.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = check_int("CosineAnnealingLR", "T_max", T_max, minimum=1)
        self.eta_min = check_real("CosineAnnealingLR", "eta_min", eta_min, 0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, groups, eta_min = self.last_epoch, self.optimizer.param_groups, self.eta_min
        if self._is_initial:
            return current_lrs(self.optimizer)
        if (t - 1 - self.T_max) % (2 * self.T_max) == 0:  # leaving the bottom
            rise = (1 - math.cos(math.pi / self.T_max)) / 2
            pairs = zip(self.base_lrs, groups, strict=True)
            return [g["lr"] + (lr - eta_min) * rise for lr, g in pairs]
        ratio = (1 + math.cos(math.pi * t / self.T_max)) / (
            1 + math.cos(math.pi * (t - 1) / self.T_max)
        )
        return [eta_min + (g["lr"] - eta_min) * ratio for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        cos = 1 + math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (lr - self.eta_min) * cos / 2 for lr in self.base_lrs]


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(last_epoch)``, one function or one per group.

    ``state_dict`` leaves the functions out: give them again when resuming.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        n = len(optimizer.param_groups)
        if callable(lr_lambda):
            self.lr_lambdas = [lr_lambda] * n
        else:
            self.lr_lambdas = list(lr_lambda)
            bad = [type(f).__name__ for f in self.lr_lambdas if not callable(f)]
            if bad:
                raise TypeError(f"LambdaLR: invalid lr_lambda: {bad[0]} (must be a function)")
            if len(self.lr_lambdas) != n:
                raise ValueError(f"expected {n} lr_lambdas (one per group), got {len(lr_lambda)}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [lr * factor for lr, factor in zip(self.base_lrs, self.factors(), strict=True)]

    def factors(self) -> list[float]:
        """``lr_lambda(last_epoch)`` of each group, checked to be a number >= 0."""
        factors = []
        for f in self.lr_lambdas:
            factor = f(self.last_epoch)
            if not factor >= 0:  # NaN included: a negative lr would climb the loss
                raise ValueError(
                    f"{type(self).__name__}: lr_lambda({self.last_epoch}) returned "
                    f"{factor!r}; the factor must be a number >= 0"
                )
            factors.append(factor)
        return factors


class LinearLR(LRScheduler):
    """Scale the lr linearly from ``start_factor`` to ``end_factor`` over ``total_iters``.

    ``lr = base_lr * (start_factor + (end_factor - start_factor)
    * min(last_epoch, total_iters) / total_iters)``
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor = check_real(
            "LinearLR", "start_factor", start_factor, 0, 1, low_open=True
        )
        self.end_factor = check_real("LinearLR", "end_factor", end_factor, 0, 1)
        self.total_iters = check_int("LinearLR", "total_iters", total_iters, minimum=1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, groups = self.last_epoch, self.optimizer.param_groups
        if t == 0:
            return [g["lr"] * self.start_factor for g in groups]
        if self._is_initial or t > self.total_iters:
            return current_lrs(self.optimizer)
        # factor(t) / factor(t - 1), written as torch writes it
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (t - 1) * change)
        return [g["lr"] * ratio for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [lr * factor for lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing with warm restarts (Loshchilov and Hutter 2017, "SGDR"): the
    cosine of `CosineAnnealingLR` over a period of ``T_0`` epochs, then again from
    ``base_lr`` over a period ``T_mult`` times longer, and so on.

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``, with
    ``T_i`` the current period and ``T_cur`` the epochs since its start.

    As in torch, ``step(epoch)`` also takes a fractional epoch, so the lr can follow
    the cosine within an epoch (``sched.step(epoch + i / iters)`` after batch ``i``);
    ``T_cur`` and ``T_i`` are kept, and a plain ``step()`` adds 1 to ``T_cur``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_0 = check_int("CosineAnnealingWarmRestarts", "T_0", T_0, minimum=1)
        self.T_mult = check_int("CosineAnnealingWarmRestarts", "T_mult", T_mult, minimum=1)
        self.eta_min = check_real("CosineAnnealingWarmRestarts", "eta_min", eta_min, 0)
        self.T_i: int = T_0
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cos = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (lr - self.eta_min) * cos / 2 for lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to `epoch` (a number >= 0, fractional or not)."""
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch: float | None = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:  # a restart
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            epoch = check_real("CosineAnnealingWarmRestarts", "epoch", epoch, 0)
            if epoch < self.T_0:
                self.T_i, self.T_cur = self.T_0, epoch
            elif self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:  # n periods completed: T_0 * (1 + T_mult + ... + T_mult**(n-1)) <= epoch
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**n
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class PolynomialLR(LRScheduler):
    """Decay the lr to 0 over ``total_iters`` epochs along a polynomial:
    ``lr = base_lr * (1 - min(last_epoch, total_iters) / total_iters) ** power``."""

    def __init__(
        self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        self.total_iters = check_int("PolynomialLR", "total_iters", total_iters, minimum=1)
        self.power = check_real("PolynomialLR", "power", power)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, n = self.last_epoch, self.total_iters
        if self._is_initial or t > n:
            return current_lrs(self.optimizer)
        ratio = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        left = 1 - min(self.last_epoch, self.total_iters) / self.total_iters
        return [lr * left**self.power for lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """``lr = base_lr * factor`` for the first ``total_iters`` epochs, then ``base_lr``."""

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.factor = check_real("ConstantLR", "factor", factor, 0, 1)
        self.total_iters = check_int("ConstantLR", "total_iters", total_iters, minimum=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return current_lrs(self.optimizer)
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        factor = self.factor if self.last_epoch < self.total_iters else 1.0
        return [lr * factor for lr in self.base_lrs]


class MultiplicativeLR(LambdaLR):
    """Multiply each group's lr by ``lr_lambda(epoch)`` at every step after the first:
    ``lr = base_lr * lr_lambda(1) * ... * lr_lambda(last_epoch)``, one function or one
    per group. It has no closed form: `SequentialLR` restarting it at epoch 0 multiplies
    the lr it finds by ``lr_lambda(0)``, as in torch."""

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return current_lrs(self.optimizer)
        groups = self.optimizer.param_groups
        return [g["lr"] * factor for g, factor in zip(groups, self.factors(), strict=True)]


def current_lrs(optimizer: Optimizer) -> list[float]:
    """Each group's lr as it is (a step that leaves the lr unchanged)."""
    return [group["lr"] for group in optimizer.param_groups]
