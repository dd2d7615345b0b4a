"""What you wrote yourself, in a model file: Keras's `custom_objects`.

`Model.save` writes a function of your own (a loss, a metric, an activation, a
regularizer, a constraint) by its name, and an object of a class of your own (a
`Loss`, `Metric`, `Regularizer` subclass, a `Layer` subclass) by its class name and
`get_config()`, as Keras writes them:

    {"module": "__main__", "class_name": "function", "config": "huber_fn",
     "registered_name": "huber_fn"}
    {"module": "__main__", "class_name": "HuberLoss",
     "config": {"name": "huber_loss", "threshold": 2.0}, "registered_name": "HuberLoss"}

No code is written: `load_model(path, custom_objects={"huber_fn": huber_fn,
"HuberLoss": HuberLoss})` gives the names back their function or class (made with
`from_config(config)`), and a name it is not given stops the load with an error that
says so. While a model loads, its `custom_objects` are in scope (`scope`), so the
`from_config` of your own classes may call `nn.activations.get`, `nn.regularizers.get`,
... on the descriptions they hold, as Keras's do.
"""

from __future__ import annotations

import contextvars
import functools
import json
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

REGISTERED = "registered_name"
FUNCTION = "function"

_SCOPE: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "custom_objects", default=MappingProxyType({})
)


def is_description(value: Any) -> bool:
    """Whether `value` is what `describe` writes."""
    return isinstance(value, dict) and REGISTERED in value and "class_name" in value


def describe(obj: Any, what: str) -> dict[str, Any]:
    """Keras's description of a function or an object of your own (see the module
    docstring); `what` ("loss", "metric", ...) is for the error messages.

    Raises:
        ValueError: a function without a name (a lambda), or an object without a
            `get_config()` whose result JSON can hold.
    """
    module = getattr(obj, "__module__", None) or type(obj).__module__
    if isinstance(obj, types.FunctionType | types.BuiltinFunctionType | functools.partial):
        name = getattr(obj, "__name__", None)
        if not name or name == "<lambda>":
            raise ValueError(
                f"save: cannot name the {what} {obj!r} for load_model's custom_objects; "
                "define it with def"
            )
        return {"module": module, "class_name": FUNCTION, "config": name, REGISTERED: name}
    get_config = getattr(obj, "get_config", None)
    name = type(obj).__name__
    try:
        config = get_config() if get_config is not None else None
        json.dumps(config, default=_json_default)
    except (NotImplementedError, TypeError) as err:
        raise ValueError(f"save: cannot describe the {what} {obj!r} ({name}): {err}") from None
    if not isinstance(config, dict):
        raise ValueError(
            f"save: cannot describe the {what} {obj!r}: define get_config() in {name}, "
            "returning the arguments that rebuild it"
        )
    return {"module": type(obj).__module__, "class_name": name, "config": config, REGISTERED: name}


def resolve(description: Mapping[str, Any], what: str) -> Any:
    """The function, or a new object of the class, that `description` names, from the
    `custom_objects` in scope.

    Raises:
        ValueError: a name that is not in scope.
        TypeError: a class named but something else given for it.
    """
    name = description[REGISTERED]
    found = _SCOPE.get().get(name)
    if found is None:
        raise ValueError(
            f"load_model: the file holds the custom {what} {name!r}; pass it as "
            f"load_model(path, custom_objects={{{name!r}: ...}})"
        )
    if description["class_name"] == FUNCTION:
        return found
    if not isinstance(found, type):
        raise TypeError(
            f"load_model: custom_objects[{name!r}] must be the class {name} (the file holds "
            f"its config), got {type(found).__name__}"
        )
    config = dict(description.get("config") or {})
    from_config = getattr(found, "from_config", None)
    return from_config(config) if from_config is not None else found(**config)


@contextmanager
def scope(custom_objects: Mapping[str, Any] | None) -> Iterator[None]:
    """Keras's `custom_object_scope`: `resolve` finds these names within the block."""
    token = _SCOPE.set({**_SCOPE.get(), **(custom_objects or {})})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):  # numpy and 0-d tensor numbers
        return value.item()
    raise TypeError(f"JSON cannot hold {value!r} ({type(value).__name__})")
