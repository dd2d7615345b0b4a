"""Per-thread modes: whether ops record a graph, and what a running backward hands ops.

As in PyTorch, grad mode belongs to the thread that sets it: a `no_grad` block in one
thread never stops another thread from recording its graph. `no_grad()` and
`enable_grad()` work as context managers and as decorators; `set_grad_enabled(mode)`
also works as a plain call that switches at once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _ThreadState(threading.local):
    """The modes of the current thread; each thread starts from these defaults.

    Attributes:
        grad_enabled: ops on tensors that require grad record a graph.
        tensor_backward: the backward pass running in this thread hands ops Tensors
            (`create_graph=True`), not ndarrays; set by that pass for its duration.
        retain_grads: backward keeps `.grad` on every non-leaf it passes.
        output: the output tensor of the op whose backward runs in this thread, lent
            to it by the backward pass (`autograd.function.lend_output`), or None.
        anomaly: anomaly detection is on (`autograd.anomaly`): ops remember where they
            were called, and backward takes the reference walk and checks each op.
        anomaly_check_nan: with `anomaly`, a gradient holding NaN raises.
    """

    def __init__(self) -> None:
        self.grad_enabled = True
        self.tensor_backward = False
        self.retain_grads = False
        self.output: Any = None
        self.anomaly = False
        self.anomaly_check_nan = True


state = _ThreadState()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record a graph (this thread)."""
    return state.grad_enabled


class _GradModeBlock:
    """A block (or decorated function) that runs with grad mode set to `self.mode`."""

    mode: bool

    def __enter__(self) -> None:
        self.prev = state.grad_enabled
        state.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self.prev

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(f"{type(self).__name__} decorates a function, got {func!r}")
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.grad_enabled
            state.grad_enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                state.grad_enabled = prev

        return wrapper  # type: ignore[return-value]


class set_grad_enabled(_GradModeBlock):
    """Set grad mode to `mode` in this thread: at once as a call, for a block as a
    context manager (restoring the previous mode at its end), or for every call of a
    decorated function, as PyTorch's `set_grad_enabled`.

    Example:
        >>> autograd.set_grad_enabled(False)   # off from here on
        >>> with autograd.set_grad_enabled(True):
        ...     ...                             # on inside, off again after
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = state.grad_enabled
        state.grad_enabled = self.mode

    def __enter__(self) -> None:
        state.grad_enabled = self.mode  # already set by __init__; again for a reused object

    def __call__(self, func: F) -> F:
        state.grad_enabled = self.prev  # used as a decorator: the call itself changes nothing
        return super().__call__(func)


class _FixedMode(_GradModeBlock):
    """A grad mode that takes no argument and acts only inside its block, so it also
    decorates without parentheses: `@no_grad` as well as `@no_grad()`, as in PyTorch."""

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        if func is None:
            return super().__new__(cls)
        if callable(func):  # used as a bare decorator: decorate right away
            return super().__new__(cls)(func)
        raise TypeError(f"{cls.__name__}() takes no arguments, got {func!r}")


class no_grad(_FixedMode):
    """Disable graph recording in this thread: `with autograd.no_grad(): ...`,
    `@autograd.no_grad()` or `@autograd.no_grad`."""

    mode = False


class enable_grad(_FixedMode):
    """Re-enable graph recording inside a `no_grad` block (also a decorator)."""

    mode = True


class inference_mode(_GradModeBlock):
    """PyTorch's `inference_mode(mode=True)`: here the same as `no_grad()` (no graph is
    recorded; with ``mode=False``, grad mode as `enable_grad`). A context manager and a
    decorator, with or without parentheses: ``with autograd.inference_mode():``,
    ``@autograd.inference_mode()``, ``@autograd.inference_mode``."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used as a bare decorator
            block = super().__new__(cls)
            block.mode = False
            return block(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = not bool(mode)  # not called for a bare decorator: __new__ returns it
