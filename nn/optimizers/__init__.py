"""Keras's optimizers, by Keras's names, arguments, defaults and update rules.

They are made without parameters and bound to a model by `compile` (which calls
`build(model.parameters())`), as in Keras::

    model.compile(optimizer=nn.optimizers.Adam(learning_rate=1e-3), loss="mse")
    model.compile(optimizer="rmsprop", loss="mse")      # RMSprop() with Keras's defaults

Keras 2's arguments work too: `lr` for `learning_rate`, `decay` (the learning rate
becomes ``lr / (1 + decay * iterations)``), `epsilon=None` for the default 1e-7, and
Nadam's `schedule_decay`. `learning_rate` also takes a schedule from
`nn.optimizers.schedules` (Keras's `keras.optimizers.schedules`), evaluated at the
step count before each update::

    nn.optimizers.SGD(learning_rate=nn.optimizers.schedules.ExponentialDecay(
        0.01, decay_steps=10000, decay_rate=0.96))

Each class's docstring gives its update rule and where it
differs from the torch-style rule of the `optim` class of the same name.

Example:
    >>> import nn
    >>> rmsprop = nn.optimizers.get("rmsprop")
    >>> rmsprop.learning_rate, rmsprop.get_config()["rho"], rmsprop.get_config()["epsilon"]
    (0.001, 0.9, 1e-07)
"""

from __future__ import annotations

from typing import Any

from nn.optimizers import schedules
from nn.optimizers.adafactor import Adafactor
from nn.optimizers.adagrad import Adadelta, Adagrad, Ftrl
from nn.optimizers.adam import Adam, Adamax, AdamW
from nn.optimizers.lion import Lion
from nn.optimizers.nadam import Lamb, Nadam
from nn.optimizers.optimizer import Optimizer
from nn.optimizers.sgd import SGD, RMSprop

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "get",
    "schedules",
]

#: Keras's names for `compile(optimizer=...)` and `get`, lower case.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "adamax": Adamax,
    "nadam": Nadam,
    "ftrl": Ftrl,
    "lion": Lion,
    "lamb": Lamb,
    "adafactor": Adafactor,
}


def get(identifier: str | Optimizer | type[Optimizer], **options: Any) -> Optimizer:
    """An optimizer, not yet bound to parameters, from a name, a class or an instance.

    Args:
        identifier: a name from `OPTIMIZERS` (any case), an `Optimizer` subclass, or an
            `Optimizer` (returned as it is).
        **options: constructor arguments (`learning_rate=0.01`, `lr=0.01`, ...).

    Raises:
        ValueError: an unknown name (the message lists the known ones).
        TypeError: anything else, or options given with an instance.
    """
    if isinstance(identifier, Optimizer):
        if options:
            raise TypeError(
                f"options {sorted(options)} cannot be given with an optimizer already made"
            )
        return identifier
    if isinstance(identifier, str):
        cls = OPTIMIZERS.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"unknown optimizer {identifier!r}; Keras's names are {', '.join(OPTIMIZERS)}"
            )
        return cls(**options)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier(**options)
    raise TypeError(
        f"expected an optimizer name, nn.optimizers class or instance, got "
        f"{type(identifier).__name__}"
    )
