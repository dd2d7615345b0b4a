"""Keras's `get` and `serialize` for the small objects a layer takes by name or config:
regularizers (`nn.regularizers`) and constraints (`nn.constraints`).

`get` turns None, a name ("l2", "max_norm"), a config (`serialize`'s dict), a class of
the kind or a callable into what the layer keeps; `serialize` writes one of the
module's own classes as `{"class_name": ..., "config": ...}` for `save`, and a function
or an object of your own as `nn.custom_objects` describes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nn.custom_objects import describe, is_description, resolve


def get_object(
    identifier: Any,
    argument: str,
    kind: str,
    names: Mapping[str, Callable[[], Any]],
    classes: Mapping[str, type],
    base: type,
    expected: str,
) -> Any:
    """The `kind` ("regularizer", "constraint") that `identifier` stands for.

    Args:
        identifier: None, a key of `names`, a config dict naming one of `classes`, a
            subclass of `base` (made with its defaults, as Keras's `get`), or a callable.
        argument: the argument's name for the error messages ("Dense: kernel_constraint").
        expected: what the TypeError says was expected besides a name and None.

    Raises:
        ValueError: an unknown name or config.
        TypeError: anything that is not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in names:
            raise ValueError(
                f"invalid {argument}: unknown {kind} {identifier!r}; valid names: "
                f"{', '.join(names)}, or an nn.{kind}s object"
            )
        return names[identifier]()
    if is_description(identifier):  # a function or class of your own, from a model file
        return resolve(identifier, kind)
    if isinstance(identifier, dict):
        cls = classes.get(identifier.get("class_name", ""))
        if cls is None:
            raise ValueError(f"invalid {argument}: cannot rebuild the {kind} {identifier!r}")
        return cls.from_config(identifier.get("config", {}))  # type: ignore[attr-defined]
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        f"invalid {argument}: expected {expected} or None, got {type(identifier).__name__}"
    )


def serialize_object(obj: Any, kind: str, classes: Mapping[str, type]) -> dict[str, Any] | None:
    """`{"class_name": "L2", "config": {...}}` for one of `classes`, None for None, and
    for a function or an object of your own class what `nn.custom_objects.describe`
    writes (which `load_model` rebuilds from its `custom_objects`).

    Raises:
        ValueError: a function without a name, or an object without `get_config`.
    """
    if obj is None:
        return None
    if type(obj) not in classes.values():
        return describe(obj, kind)
    return {"class_name": type(obj).__name__, "config": obj.get_config()}
