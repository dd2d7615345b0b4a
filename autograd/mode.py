"""Grad mode: whether operations record a graph for backward.

`no_grad()` and `enable_grad()` work as context managers and as decorators, like
their PyTorch namesakes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    """Holds the single flag read by every op. It lives on an instance: writing a class
    attribute would reset the interpreter's attribute caches of that class each time
    grad mode changes (every backward and every `no_grad` block)."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


_GradMode = _GradState()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record a graph."""
    return _GradMode.enabled


class set_grad_enabled:
    """Context manager and decorator that sets grad mode to `mode` inside its block."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self.prev = _GradMode.enabled

    def __enter__(self) -> None:
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.prev

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(f"{type(self).__name__} decorates a function, got {func!r}")
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _FixedMode(set_grad_enabled):
    """A grad mode that takes no argument, so it also decorates without parentheses:
    `@no_grad` as well as `@no_grad()`, as in PyTorch."""

    mode = False

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        if func is None:
            return super().__new__(cls)
        if callable(func):  # used as a bare decorator: decorate right away
            return cls()(func)
        raise TypeError(f"{cls.__name__}() takes no arguments, got {func!r}")

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        super().__init__(type(self).mode)


class no_grad(_FixedMode):
    """Disable graph recording: `with autograd.no_grad(): ...`, `@autograd.no_grad()`
    or `@autograd.no_grad`."""

    mode = False


class enable_grad(_FixedMode):
    """Re-enable graph recording inside a `no_grad` block (also a decorator)."""

    mode = True
