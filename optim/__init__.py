"""Optimizers that update `Tensor` parameters in place from their gradients.

Update rules, defaults and option names follow `torch.optim` (except SGD's default
lr, 1e-2 as in Keras), so a run can be compared with torch number by number. Each
class's docstring gives its update rule.
"""

from __future__ import annotations

import optim.autograd_check  # noqa: F401  # isort: skip  # first: a clear error if autograd is not ours

from typing import Any

from autograd import __version__ as __version__  # released together
from optim import lr_scheduler
from optim.adadelta import Adadelta
from optim.adafactor import Adafactor
from optim.adagrad import Adagrad
from optim.adam import Adam, AdamW
from optim.adamax import Adamax
from optim.asgd import ASGD
from optim.lbfgs import LBFGS
from optim.lion import Lion
from optim.muon import Muon
from optim.nadam import NAdam
from optim.optimizer import Optimizer, ParamsT
from optim.radam import RAdam
from optim.rmsprop import RMSprop
from optim.rprop import Rprop
from optim.sgd import NAG, SGD, Momentum

__all__ = [
    "ASGD",
    "LBFGS",
    "NAG",
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Lion",
    "Momentum",
    "Muon",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "get",
    "lr_scheduler",
    "swa_utils",
]

#: The names that `get` (and so ``compile(optimizer=...)``) accepts, lower case.
#: Rprop, ASGD, Adafactor and LBFGS are classes only: LBFGS needs a closure, and
#: "adafactor" is a Keras name, which `compile` gives Keras's meaning.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nag": NAG,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
    "nadam": NAdam,
    "radam": RAdam,
    "lion": Lion,
}


def __getattr__(name: str) -> Any:
    """`optim.swa_utils` is imported on first use: it builds on `nn`, which imports
    `optim` itself."""
    if name == "swa_utils":
        import importlib

        return importlib.import_module("optim.swa_utils")
    raise AttributeError(f"module 'optim' has no attribute {name!r}")


def get(
    name_or_optimizer: str | type[Optimizer] | Optimizer,
    params: ParamsT | None = None,
    **kwargs: Any,
) -> Optimizer:
    """Resolve an optimizer given by name, class or instance.

    Args:
        name_or_optimizer: a name from `OPTIMIZERS` (any case), an `Optimizer`
            subclass, or an already constructed optimizer (returned as is).
        params: the parameters to optimize (needed unless an optimizer is given).
        **kwargs: options passed to the constructor (e.g. ``lr=0.1``).

    Returns:
        An optimizer over `params`.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).
        TypeError: for anything else, or when `params` is missing.

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> import optim
        >>> w = Tensor(np.zeros(3), requires_grad=True)
        >>> optim.get("Adam", [w], lr=0.01)
        Adam (
        Parameter Group 0
            amsgrad: False
            betas: (0.9, 0.999)
            capturable: False
            decoupled_weight_decay: False
            differentiable: False
            eps: 1e-08
            foreach: None
            fused: None
            lr: 0.01
            maximize: False
            weight_decay: 0
        )
    """
    if isinstance(name_or_optimizer, Optimizer):
        if kwargs:
            raise TypeError("options cannot be given with an already constructed optimizer")
        return name_or_optimizer
    if isinstance(name_or_optimizer, str):
        key = name_or_optimizer.lower()
        if key not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {name_or_optimizer!r}; valid names: {', '.join(OPTIMIZERS)}"
            )
        cls = OPTIMIZERS[key]
    elif isinstance(name_or_optimizer, type) and issubclass(name_or_optimizer, Optimizer):
        cls = name_or_optimizer
    else:
        raise TypeError(
            "expected an optimizer name, Optimizer class or Optimizer, "
            f"got {type(name_or_optimizer).__name__}"
        )
    if params is None:
        raise TypeError(f"params are needed to construct {cls.__name__}")
    return cls(params, **kwargs)
