"""Weight averaging, as `torch.optim.swa_utils`: stochastic weight averaging (SWA,
Izmailov et al. 2018, "Averaging Weights Leads to Wider Optima and Better
Generalization") and exponential moving averages (EMA) of a model's weights.

`AveragedModel` keeps a copy of a model whose parameters (and, with ``use_buffers``,
buffers) are the running average of the model's, updated by `update_parameters`;
`SWALR` anneals each group's lr to a constant ``swa_lr``; `update_bn` recomputes the
BatchNorm statistics of the averaged weights with one pass over the data.

Example (torch's documentation, SWA from epoch 5 on)::

    swa_model = AveragedModel(model)
    scheduler = CosineAnnealingLR(optimizer, T_max=100)
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)
    for epoch in range(100):
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
        if epoch > 5:
            swa_model.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
    update_bn(loader, swa_model)
    preds = swa_model(test_input)
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.checks import check_real
from autograd.graph import increment_version
from autograd.ops.args import OperandError
from nn.module import Module
from nn.norms_torch import BatchNorm1d
from optim.optimizer import Optimizer, lerp_
from optim.scheduler import LRScheduler, per_group

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]

#: ``avg_fn(averaged_param, current_param, num_averaged) -> new averaged_param``
AvgFn = Callable[[Tensor, Tensor, Tensor | int], Tensor]
#: ``multi_avg_fn(averaged_params, current_params, num_averaged)``, in place
MultiAvgFn = Callable[[list[Tensor], list[Tensor], Tensor | int], None]


class BothAverageFunctionsError(AssertionError, ValueError):
    """`AveragedModel` given both `avg_fn` and `multi_avg_fn`: an AssertionError, as
    torch raises it, and a ValueError, as a bad argument is."""


class NotAModuleError(TypeError, AttributeError):
    """A model argument that is not a Module: a TypeError, and an AttributeError, as
    torch raises it (it looks its parameters up)."""


def _check_module(owner: str, model: Any) -> None:
    if not isinstance(model, Module):
        raise NotAModuleError(f"{owner}: expected a Module, got {type(model).__name__}")


def _check_cpu(owner: str, device: Any) -> None:
    if device is not None and str(device) != "cpu":
        raise ValueError(f"{owner}: device={device!r}: only the CPU is supported")


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _assign(target: Tensor, value: np.ndarray) -> None:
    """Write `value` into `target` in place, cast to its dtype (a float into an int
    buffer is truncated toward zero, as torch's ``copy_``)."""
    target.data[...] = value.astype(target.data.dtype, copy=False)
    increment_version(target)


def _lerp_(start: Tensor, end: Tensor, weight: float) -> None:
    """``start += weight * (end - start)`` in place, as torch's lerp."""
    lerp_(start.data, _array(end), weight)
    increment_version(start)


def _check_decay(decay: float) -> float:
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or math.isnan(decay):
        raise TypeError(f"decay must be a real number in [0, 1], got {decay!r}")
    if not 0.0 <= decay <= 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )
    return float(decay)


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """The in-place EMA update of lists of Tensors:
    ``ema = decay * ema + (1 - decay) * current`` (torch's lerp for floats).

    Raises:
        ValueError: if `decay` is not in [0, 1] (torch's message).
    """
    decay = _check_decay(decay)

    def ema_update(ema_params: list[Tensor], current: list[Tensor], _: Any) -> None:
        for ema, param in zip(ema_params, current, strict=True):
            if ema.data.dtype.kind in "fc":
                _lerp_(ema, param, 1 - decay)
            else:
                _assign(ema, ema.data * decay + _array(param) * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """The in-place SWA update of lists of Tensors: the running equal-weight average,
    ``avg = avg + (current - avg) / (num_averaged + 1)`` (torch's lerp for floats)."""

    def swa_update(averaged: list[Tensor], current: list[Tensor], num_averaged: Any) -> None:
        n = int(_array(num_averaged))
        for avg, param in zip(averaged, current, strict=True):
            if avg.data.dtype.kind in "fc":
                _lerp_(avg, param, 1 / (n + 1))
            else:
                _assign(avg, avg.data + (_array(param) - avg.data) / (n + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """The EMA of one Tensor: returns ``decay * ema + (1 - decay) * current``.

    Raises:
        ValueError: if `decay` is not in [0, 1] (torch's message).
    """
    decay = _check_decay(decay)

    def ema_update(ema: Tensor, current: Tensor, num_averaged: Any) -> Tensor:
        return Tensor(decay * _array(ema) + (1 - decay) * _array(current))

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """The SWA average of one Tensor: returns
    ``averaged + (current - averaged) / (num_averaged + 1)``."""

    def swa_update(averaged: Tensor, current: Tensor, num_averaged: Any) -> Tensor:
        a = _array(averaged)
        return Tensor(a + (_array(current) - a) / (_array(num_averaged) + 1))

    return swa_update


class AveragedModel(Module):
    """A copy of `model` holding the average of its weights (SWA by default, or the
    average `avg_fn` / `multi_avg_fn` compute, as an EMA), as torch's.

    The first `update_parameters` copies the model's weights; each later one moves the
    average toward them. Calling the averaged model calls the copy (``module``).

    Args:
        model: the model whose weights are averaged (deep-copied; it is not changed).
        device: torch's argument; None or ``"cpu"`` (everything runs on the CPU).
        avg_fn: ``avg_fn(averaged, current, num_averaged)`` returning the new average
            of one Tensor (e.g. `get_ema_avg_fn`).
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, num_averaged)``
            updating lists of Tensors in place (e.g. `get_ema_multi_avg_fn`); at most
            one of `avg_fn` and `multi_avg_fn` may be given.
        use_buffers: average the buffers too (BatchNorm's running statistics, their
            counts truncated to integers); otherwise they are copied from the model at
            each update.

    Attributes:
        module: the averaged copy of `model`.
        n_averaged: the number of models averaged so far (an int64 buffer).

    Raises:
        ValueError: if both `avg_fn` and `multi_avg_fn` are given (also an
            AssertionError, as torch's), or `device` is not the CPU.
        TypeError: if `model` is not a Module (also an AttributeError, as torch's)
            or a function is not callable.
    """

    n_averaged: Tensor

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: AvgFn | None = None,
        multi_avg_fn: MultiAvgFn | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        _check_module("AveragedModel", model)
        if avg_fn is not None and multi_avg_fn is not None:
            raise BothAverageFunctionsError(
                "Only one of avg_fn and multi_avg_fn should be provided"
            )
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"AveragedModel: {name} must be callable, got {fn!r}")
        _check_cpu("AveragedModel", device)
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", np.array(0, np.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = bool(use_buffers)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def _averaged(self, model: Module) -> tuple[list[Tensor], list[Tensor]]:
        """The averaged Tensors and the model's, paired in order."""
        if self.use_buffers:
            mine: Iterable[Tensor] = itertools.chain(
                self.module.parameters(), self.module.buffers()
            )
            theirs: Iterable[Tensor] = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.module.parameters(), model.parameters()
        pairs = list(zip(mine, theirs))  # zip's shortest, as torch
        return [a.detach() for a, _ in pairs], [p.detach() for _, p in pairs]

    def update_parameters(self, model: Module) -> None:
        """Average `model`'s current weights in (the first call copies them).

        Raises:
            TypeError: if `model` is not a Module (also an AttributeError, as torch's).
            ValueError: if a weight's shape differs from the averaged one's (also a
                RuntimeError, as torch's).
        """
        _check_module("update_parameters", model)
        averaged, current = self._averaged(model)
        for a, p in zip(averaged, current):
            if a.shape != p.shape:
                raise OperandError(
                    f"update_parameters: a weight of shape {p.shape} does not match the "
                    f"averaged one's {a.shape}: is it the model AveragedModel was made from?"
                )
        with no_grad():
            self._average(averaged, current)
            if not self.use_buffers:  # keep the buffers in step with the model's
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    _assign(b_avg, b_model.data)
        self.n_averaged.data[...] += 1
        increment_version(self.n_averaged)

    def _average(self, averaged: list[Tensor], current: list[Tensor]) -> None:
        n = int(self.n_averaged.data)
        if n == 0:
            for a, p in zip(averaged, current):
                _assign(a, p.data)
            return
        if self.avg_fn is not None:
            for a, p in zip(averaged, current):
                _assign(a, _array(self.avg_fn(a, p, self.n_averaged)))
            return
        update = self.multi_avg_fn
        for dtype in dict.fromkeys(a.data.dtype for a in averaged):  # torch's dtype groups
            group = [(a, p) for a, p in zip(averaged, current) if a.data.dtype == dtype]
            mine, theirs = [a for a, _ in group], [p for _, p in group]
            if update is not None:
                update(mine, theirs, self.n_averaged)
            else:  # torch's per-Tensor SWA average on the CPU
                average = get_swa_avg_fn()
                for a, p in group:
                    _assign(a, _array(average(a, p, self.n_averaged)))


class SWALR(LRScheduler):
    """Anneal each group's lr from its current value to ``swa_lr`` over
    `anneal_epochs` steps, then hold it, as torch's:

        t = min(1, step / anneal_epochs);  alpha = (1 - cos(pi * t)) / 2  (or t)
        lr = swa_lr * alpha + lr_0 * (1 - alpha)

    where ``lr_0`` is recovered from the current lr, so that another scheduler may
    have set it before (the SWA phase of torch's documentation).

    Args:
        optimizer: the optimizer whose groups' lrs are set.
        swa_lr: the lr to reach, one for every group or a list of one per group
            (kept in each group's ``"swa_lr"``).
        anneal_epochs: the number of steps of the annealing (an int >= 0).
        anneal_strategy: ``"cos"`` or ``"linear"``.
        last_epoch: the index of the last epoch when resuming (-1 to start).

    Raises:
        ValueError: for an unknown strategy, a negative or non-int `anneal_epochs`, a
            negative `swa_lr` (torch takes it), or a list of `swa_lr` whose length is
            not the number of groups.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | Sequence[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"expected an Optimizer, got {type(optimizer).__name__}")
        if isinstance(swa_lr, (list, tuple)) and len(swa_lr) != len(optimizer.param_groups):
            raise ValueError(  # torch's message
                "swa_lr must have the same length as optimizer.param_groups. swa_lr has "
                f"{len(swa_lr)} values, param_groups has {len(optimizer.param_groups)}."
            )
        swa_lrs = [
            check_real("SWALR", "swa_lr", lr, 0) for lr in per_group("swa_lr", swa_lr, optimizer)
        ]
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self.anneal_strategy = anneal_strategy
        if (
            isinstance(anneal_epochs, bool)
            or not isinstance(anneal_epochs, int)
            or anneal_epochs < 0
        ):
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _anneal(self, t: float) -> float:
        return t if self.anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self._anneal(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self._anneal(max(0, min(1, step / max(1, self.anneal_epochs))))
        lrs = []
        for group in self.optimizer.param_groups:
            swa_lr = group["swa_lr"]
            start = (
                swa_lr
                if prev_alpha == 1
                else (group["lr"] - prev_alpha * swa_lr) / (1 - prev_alpha)
            )
            lrs.append(swa_lr * alpha + start * (1 - alpha))
        return lrs


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of `model`'s BatchNorm layers with one pass
    over `loader`, as torch's: each layer's statistics are reset, and with momentum
    None they become the cumulative (equal-weight) average over the batches. The
    model runs in training mode, without gradients; its mode and the layers'
    momentums are restored after. Without BatchNorm layers nothing runs.

    Args:
        loader: an iterable of batches; a batch that is a list or tuple gives its
            first item (the inputs).
        model: the model (e.g. an `AveragedModel`).
        device: torch's argument; None or ``"cpu"``.

    Raises:
        ValueError: if `device` is not the CPU.
        TypeError: if `model` is not a Module (also an AttributeError, as torch's).
    """
    _check_module("update_bn", model)
    _check_cpu("update_bn", device)
    momenta = {}
    for module in model.modules():
        if isinstance(module, BatchNorm1d):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        with no_grad():
            for batch in loader:
                model(batch[0] if isinstance(batch, (list, tuple)) else batch)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)
