"""Pytrees for `autograd.func`: tensors (or anything) in nested tuples, lists and
dicts, flattened to their leaves and a structure, and built again."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any


class _Spec:
    """The structure of a pytree: a leaf (`kind` None) or a tuple, list or dict
    (`kind` the container's type, `keys` a dict's keys) of sub-structures."""

    __slots__ = ("children", "keys", "kind")

    def __init__(self, kind: type | None, keys: tuple[Any, ...], children: list[_Spec]) -> None:
        self.kind, self.keys, self.children = kind, keys, children

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Spec)
            and (self.kind, self.keys) == (other.kind, other.keys)
            and self.children == other.children
        )

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        inner = ", ".join(
            f"{k!r}: {c!r}" if self.kind is dict else repr(c)
            for k, c in zip(self.keys or range(len(self.children)), self.children, strict=False)
        )
        if self.kind is tuple:
            return f"({inner},)" if len(self.children) == 1 else f"({inner})"
        if self.kind is list:
            return f"[{inner}]"
        if self.kind is dict:
            return f"{{{inner}}}"
        return f"{self.kind.__name__}({inner})"


_LEAF = _Spec(None, (), [])


def tree_flatten(tree: Any) -> tuple[list[Any], _Spec]:
    """The leaves of `tree` (left to right, a dict's in key order) and its structure."""
    leaves: list[Any] = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree: Any, leaves: list[Any]) -> _Spec:
    if isinstance(tree, dict):
        keys = tuple(tree)
        return _Spec(dict, keys, [_flatten_into(tree[k], leaves) for k in keys])
    if isinstance(tree, tuple | list):
        return _Spec(type(tree), (), [_flatten_into(x, leaves) for x in tree])
    leaves.append(tree)
    return _LEAF


def tree_unflatten(leaves: Sequence[Any], spec: _Spec) -> Any:
    """The pytree of structure `spec` holding `leaves` (`tree_flatten`'s inverse)."""
    it = iter(leaves)
    return _build(spec, it)


def _build(spec: _Spec, it: Iterator[Any]) -> Any:
    if spec.kind is None:
        return next(it)
    children = [_build(c, it) for c in spec.children]
    if spec.kind is dict:
        return dict(zip(spec.keys, children, strict=True))
    if spec.kind in (tuple, list):
        return spec.kind(children)
    if hasattr(spec.kind, "_fields"):  # a namedtuple
        return spec.kind(*children)
    return spec.kind(children)


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def _prefix_leaves(prefix: Any, spec: _Spec, error: Callable[[], Exception]) -> list[Any]:
    """One value per leaf of `spec`: `prefix` is a tree whose leaves (ints or None)
    each stand for a whole sub-tree of `spec` (torch's in_dims / out_dims)."""
    if not isinstance(prefix, tuple | list | dict):  # checked by the caller
        return [prefix] * _count(spec)
    kind = dict if isinstance(prefix, dict) else type(prefix)
    if spec.kind is None:
        raise error()
    if (kind is dict) != (spec.kind is dict) or len(prefix) != len(spec.children):
        raise error()
    if kind is dict:
        if set(prefix) != set(spec.keys):
            raise error()
        items = [prefix[k] for k in spec.keys]
    else:
        items = list(prefix)
    out: list[Any] = []
    for item, child in zip(items, spec.children, strict=True):
        out.extend(_prefix_leaves(item, child, error))
    return out


def _count(spec: _Spec) -> int:
    return 1 if spec.kind is None else sum(_count(c) for c in spec.children)
