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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

REGISTERED = "registered_name"
FUNCTION = "function"

#: Keras's global registry (`get_custom_objects()`, `register_keras_serializable`):
#: names that `load_model` resolves without `custom_objects`.
GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
#: The registered name of each object `register_keras_serializable` registered.
GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}

_SCOPE: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "custom_objects", default=MappingProxyType({})
)


def is_description(value: Any) -> bool:
    """Whether `value` is what `describe` writes."""
    return isinstance(value, dict) and REGISTERED in value and "class_name" in value


def serialize_keras(
    obj: Any,
    module: str,
    classes: Mapping[str, Any],
    functions: Mapping[str, Any],
    kind: str,
) -> dict[str, Any]:
    """Keras's `serialize` of a loss or metric (`kind`): an object of one of Keras's
    `classes` as ``{"module": module, "class_name": ..., "config": get_config(), ...}``,
    one of Keras's `functions` as Keras names a function, and anything of your own as
    `describe` writes it.

    Raises:
        ValueError: an object without `get_config`, or a function without a name.
    """
    if type(obj) is classes.get(type(obj).__name__):
        return {
            "module": module,
            "class_name": type(obj).__name__,
            "config": obj.get_config(),
            "registered_name": None,
        }
    name = getattr(obj, "__name__", None)
    if name is not None and functions.get(name) is obj:
        return {
            "module": "builtins",
            "class_name": "function",
            "config": name,
            "registered_name": "function",
        }
    return describe(obj, kind)


def deserialize_keras(
    config: Any,
    custom_objects: Mapping[str, Any] | None,
    classes: Mapping[str, Any],
    by_name: Callable[[str], Any],
    kind: str,
) -> Any:
    """Keras's `deserialize` of a loss or metric (`kind`), the inverse of
    `serialize_keras`: a string is what `by_name` makes of it (else one of
    `custom_objects`), a function's description the function, one of Keras's `classes`
    made by `from_config(config)`, and anything of your own resolved in the scope of
    `custom_objects`.

    Raises:
        ValueError: a name or class this library (and `custom_objects`) does not have.
    """
    with scope(custom_objects):
        if isinstance(config, str):
            found = by_name(config)
            if found is None:
                found = (custom_objects or {}).get(config)
            if found is None:
                raise ValueError(f"deserialize: unknown {kind} {config!r}")
            return found
        if isinstance(config, dict) and config.get("class_name") == FUNCTION:
            return deserialize_keras(config.get("config"), custom_objects, classes, by_name, kind)
        if isinstance(config, dict) and not config.get(REGISTERED):
            cls = classes.get(config.get("class_name", ""))
            if cls is not None:
                return cls.from_config(dict(config.get("config") or {}))
        if is_description(config):
            return resolve(config, kind)
    raise ValueError(f"deserialize: cannot make a {kind} of {config!r}")


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
        registered = _registered_name(obj, name)
        return {"module": module, "class_name": FUNCTION, "config": name, REGISTERED: registered}
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
    registered = _registered_name(type(obj), name)
    return {
        "module": type(obj).__module__,
        "class_name": name,
        "config": config,
        REGISTERED: registered,
    }


def _registered_name(obj: Any, default: str) -> str:
    try:
        return GLOBAL_CUSTOM_NAMES.get(obj, default)
    except TypeError:  # an unhashable object
        return default


def resolve(description: Mapping[str, Any], what: str) -> Any:
    """The function, or a new object of the class, that `description` names, from the
    `custom_objects` in scope.

    Raises:
        ValueError: a name that is not in scope.
        TypeError: a class named but something else given for it.
    """
    name = description[REGISTERED]
    found = _SCOPE.get().get(name, GLOBAL_CUSTOM_OBJECTS.get(name))
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


def get_custom_objects() -> dict[str, Any]:
    """Keras's global dict of custom objects: what you put in it (`["huber_fn"] =
    huber_fn`) `load_model` finds without `custom_objects`."""
    return GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Any:
    """Keras's decorator: registers a function or class under "package>name" (name:
    its own by default) in `get_custom_objects()`, so saved models name it that way and
    load it without `custom_objects`.

    Raises:
        ValueError: a package name holding ">", or a name registered already for
            another object.
    """
    if ">" in package:
        raise ValueError(f"register_keras_serializable: package must not hold '>', got {package!r}")

    def decorator(obj: Any) -> Any:
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not callable(getattr(obj, "get_config", None)):
            raise ValueError(
                f"register_keras_serializable: {obj.__name__} must define get_config() to be saved"
            )
        if GLOBAL_CUSTOM_OBJECTS.get(registered, obj) is not obj:
            raise ValueError(f"register_keras_serializable: {registered!r} is registered already")
        GLOBAL_CUSTOM_OBJECTS[registered] = obj
        GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


class CustomObjectScope:
    """Keras's `custom_object_scope(*dicts)`: within the `with` block, `load_model`
    (and `nn.activations.get`, ... on saved descriptions) finds these names."""

    def __init__(self, *custom_objects: Mapping[str, Any] | None) -> None:
        merged: dict[str, Any] = {}
        for objects in custom_objects:
            if objects is not None and not isinstance(objects, Mapping):
                raise TypeError(
                    f"custom_object_scope takes dicts of name: object, got {type(objects).__name__}"
                )
            merged.update(objects or {})
        self.custom_objects = merged
        self._token: contextvars.Token[Mapping[str, Any]] | None = None

    def __enter__(self) -> CustomObjectScope:
        self._token = _SCOPE.set({**_SCOPE.get(), **self.custom_objects})
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _SCOPE.reset(self._token)
            self._token = None


custom_object_scope = CustomObjectScope
