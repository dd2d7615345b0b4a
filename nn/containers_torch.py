"""PyTorch's other containers: `ModuleDict`, `ParameterList`, `ParameterDict`, and
`Unflatten`, Flatten's inverse.

Each holds its items as attributes named by their keys ("0", "1", ... for a list), so
the holder's `parameters()` and `state_dict()` see them under PyTorch's names
(`heads.cls.weight`, `scales.0`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.checks import check_int
from autograd.ops.args import OperandError
from nn.module import Module, Parameter


def _check_key(owner: str, key: Any) -> str:
    """A key usable as an attribute name: a string without ".", not one of Module's."""
    if not isinstance(key, str):
        raise TypeError(f"{owner} keys must be strings, got {type(key).__name__}")
    if not key or "." in key:
        raise KeyError(f'{owner} key can\'t be empty or contain ".", got: {key!r}')
    if hasattr(Module, key) or key in ("training", "_buffers", "_keys"):
        raise KeyError(f"{owner}: attribute {key!r} already exists")
    return key


class _Keyed(Module):
    """Items held as attributes, in the order of `_keys`."""

    _keys: list[str]
    _item_type: type = Module

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "_keys", [])

    def _check(self, value: Any) -> Any:
        kind = self._item_type.__name__
        if not isinstance(value, self._item_type):
            raise TypeError(f"{type(self).__name__} holds {kind}s, got {type(value).__name__}")
        return value

    def _put(self, key: str, value: Any) -> None:
        key = _check_key(type(self).__name__, key)
        setattr(self, key, self._check(value))
        if key not in self._keys:
            self._keys.append(key)

    def _take(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        value = getattr(self, key)
        delattr(self, key)
        self._keys.remove(key)
        return value

    def _members(self) -> Iterator[tuple[str, Any]]:
        for key in self._keys:
            yield key, getattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)


class _KeyedDict(_Keyed):
    """The dict methods PyTorch's ModuleDict and ParameterDict share."""

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None):
        super().__init__()
        if items is not None:
            self.update(items)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._put(key, value)

    def __delitem__(self, key: str) -> None:
        self._take(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def keys(self) -> list[str]:
        return list(self._keys)

    def values(self) -> list[Any]:
        return [getattr(self, k) for k in self._keys]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, getattr(self, k)) for k in self._keys]

    def pop(self, key: str) -> Any:
        return self._take(key)

    def clear(self) -> None:
        for key in list(self._keys):
            self._take(key)

    def update(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add or replace items from a mapping or from (key, value) pairs."""
        pairs = items.items() if isinstance(items, Mapping) else items
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"{type(self).__name__}.update: expected (key, value) pairs")
            self._put(pair[0], pair[1])


class ModuleDict(_KeyedDict):
    """Modules held by name, in insertion order, whose parameters belong to the holder
    (`heads.cls.weight`). Like ModuleList, it has no forward of its own.

    Raises:
        KeyError: a key with "." or one that names a Module attribute ("training").
        TypeError: a value that is not a Module.
    """


def _describe(p: Tensor) -> str:
    """PyTorch's one-line description of a held parameter."""
    size = "x".join(str(n) for n in p.shape)
    return f"Parameter containing: [autograd.{p.dtype} of size {size}]"


class ParameterList(_Keyed):
    """Parameters held in a list (named "0", "1", ...) that the holder trains.
    Arrays and Tensors given to it become Parameters, as in PyTorch."""

    _item_type = Parameter

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _check(self, value: Any) -> Any:
        return value if isinstance(value, Parameter) else Parameter(_array(self, value))

    def _index(self, index: int) -> str:
        n = len(self)
        if not isinstance(index, (int, np.integer)) or not -n <= index < n:
            raise IndexError(f"ParameterList index {index} is out of range for {n} parameters")
        return str(int(index) % n)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ParameterList([getattr(self, k) for k in self._keys][index])
        return getattr(self, self._index(index))

    def __setitem__(self, index: int, value: Any) -> None:
        self._put(self._index(index), value)

    def __iter__(self) -> Iterator[Parameter]:
        return iter([getattr(self, k) for k in self._keys])

    def append(self, value: Any) -> ParameterList:
        self._put(str(len(self)), value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe(getattr(self, k))}" for k in self._keys)

    def __repr__(self) -> str:
        body = self.extra_repr()
        return (
            f"{type(self).__name__}(\n  {body.replace(chr(10), chr(10) + '  ')}\n)"
            if body
            else (f"{type(self).__name__}()")
        )


class ParameterDict(_KeyedDict):
    """Parameters held by name (`state_dict` keys are the names). Arrays and Tensors
    given to it become Parameters, as in PyTorch; so is the order: a plain dict's items
    are added sorted by key, an OrderedDict's, a ParameterDict's and pairs' in order."""

    _item_type = Parameter

    def update(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        if isinstance(items, Mapping) and not isinstance(items, (OrderedDict, ParameterDict)):
            items = sorted(items.items())
        super().update(items)

    def _check(self, value: Any) -> Any:
        return value if isinstance(value, Parameter) else Parameter(_array(self, value))

    extra_repr = ParameterList.extra_repr
    __repr__ = ParameterList.__repr__


def _array(owner: Module, value: Any) -> np.ndarray:
    data = np.asarray(value.data if isinstance(value, Tensor) else value)
    if data.dtype.kind not in "fiub":
        raise TypeError(f"{type(owner).__name__} holds Parameters, got {type(value).__name__}")
    return data


class Unflatten(Module):
    """Split axis `dim` into `unflattened_size` (one entry may be -1):
    (N, 10) -> (N, 2, 5) for `Unflatten(1, (2, 5))`. The inverse of Flatten."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        self.dim = check_int("Unflatten", "dim", dim)
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                "Unflatten: unflattened_size must be a tuple or list of ints, got "
                f"{type(unflattened_size).__name__}"
            )
        for i, n in enumerate(unflattened_size):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
                raise TypeError(
                    "Unflatten: unflattened_size must be tuple of ints, but found element "
                    f"of type {type(n).__name__} at pos {i}"
                )
        self.unflattened_size = unflattened_size

    def forward(self, x: Tensor) -> Tensor:
        shape, ndim = x.shape, x.ndim
        if not -ndim <= self.dim < ndim:
            raise IndexError(
                f"Unflatten: dim {self.dim} is not an axis of an input of shape {shape}"
            )
        dim = self.dim % ndim
        sizes = [int(n) for n in self.unflattened_size]
        known = int(np.prod([n for n in sizes if n != -1]))
        if sizes.count(-1) > 1 or (
            shape[dim] != known if -1 not in sizes else known == 0 or shape[dim] % known
        ):
            raise OperandError(  # torch's RuntimeError
                f"Unflatten: unflattened_size {tuple(sizes)} does not fit size {shape[dim]} "
                f"of dim {self.dim}"
            )
        return x.reshape(*shape[:dim], *sizes, *shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
