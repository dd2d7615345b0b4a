"""Anomaly detection, as PyTorch's `torch.autograd.detect_anomaly`: for finding the op
whose backward produced a NaN, and the line of your forward code that called it.

While it is on (in this thread, like grad mode), each recorded op keeps the Python
stack of its call, and backward takes the reference walk (`autograd.graph.walk`),
which after each op's backward

- raises ``RuntimeError: Function 'SqrtBackward' returned nan values in its 0th
  output.`` when a gradient it returned holds NaN (unless ``check_nan=False``), and
- for that error, or any error an op's backward raises, first warns with the stack
  of the forward call that made the op ("Error detected in SqrtBackward. Traceback of
  forward call that caused the error: ...").

It slows every op down (a stack is taken per op) and is meant for debugging only.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from autograd.mode import state
from autograd.tensor import Tensor

F = TypeVar("F", bound=Callable[..., Any])


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on in this thread."""
    return state.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection is on and checks gradients for NaN."""
    return state.anomaly and state.anomaly_check_nan


class set_detect_anomaly:
    """Turn anomaly detection on or off in this thread: at once as a call, for a block
    as a context manager (restoring the previous setting at its end), as PyTorch's."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = state.anomaly, state.anomaly_check_nan
        state.anomaly, state.anomaly_check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass  # already set by __init__

    def __exit__(self, *exc: object) -> None:
        state.anomaly, state.anomaly_check_nan = self.prev


class detect_anomaly:
    """Anomaly detection for a block or a decorated function:
    ``with autograd.detect_anomaly(): loss.backward()``. Warns that it is on, as
    PyTorch does, since it slows every op down."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = bool(check_nan)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime "
            "and should only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self.prev = state.anomaly, state.anomaly_check_nan
        state.anomaly, state.anomaly_check_nan = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        state.anomaly, state.anomaly_check_nan = self.prev

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.anomaly, state.anomaly_check_nan
            state.anomaly, state.anomaly_check_nan = True, self.check_nan
            try:
                return func(*args, **kwargs)
            finally:
                state.anomaly, state.anomaly_check_nan = prev

        return wrapper  # type: ignore[return-value]


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def remember_call(fn: Any) -> None:
    """Keep on the op the stack of the forward call that recorded it, down to the last
    frame outside this package (the line that called the op)."""
    stack = traceback.extract_stack()
    while stack and stack[-1].filename.startswith(_PACKAGE):
        stack.pop()
    fn.forward_stack = stack


def warn_forward_call(fn: Any) -> None:
    """Warn with the stack of the forward call that recorded `fn`, if it has one; the
    warning is attributed to the line outside this package that ran backward."""
    stack = fn.__dict__.get("forward_stack")
    if stack is None:
        return
    warnings.warn(
        f"Error detected in {fn.name()}. Traceback of forward call that caused the error:\n"
        + "".join(traceback.format_list(stack)),
        stacklevel=_levels_to_caller(),
    )


def _levels_to_caller() -> int:
    """`warnings.warn`'s stacklevel for the first frame outside this package, seen
    from the function that calls this one (stacklevel 1)."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def check_gradients(fn: Any, grads: Sequence[Any]) -> None:
    """Raise (after `warn_forward_call`) when a gradient that `fn`'s backward returned
    holds NaN; grads are ndarrays, numbers or Tensors (under create_graph)."""
    if not state.anomaly_check_nan:
        return
    for i, g in enumerate(grads):
        if g is None:
            continue
        if np.isnan(g.data if isinstance(g, Tensor) else g).any():
            warn_forward_call(fn)
            name = fn.name()
            raise RuntimeError(f"Function '{name}' returned nan values in its {i}th output.")
