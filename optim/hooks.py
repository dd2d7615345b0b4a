"""Optimizer hooks, as torch.optim's: step pre- and post-hooks (an optimizer's own and
the global ones of every optimizer), and `state_dict` / `load_state_dict` pre- and
post-hooks. Each registration returns a handle whose `remove()` takes the hook off.

`step` costs nothing more while no step hook was ever registered: the first
registration wraps the `step` of the optimizer's class (of every optimizer class, for
a global hook), as torch does, and the wrapper then runs the hooks around the step:

- pre-hooks (the global ones first): ``hook(optimizer, args, kwargs)``, where `args`
  holds the optimizer first, as torch passes it; a hook may return a pair
  ``(args, kwargs)`` that replaces them;
- post-hooks (the optimizer's own first): ``hook(optimizer, args, kwargs)``.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from itertools import chain
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nn.hooks import RemovableHandle
    from optim.optimizer import Optimizer

Hooks = OrderedDict[int, Callable[..., Any]]

#: The step hooks of every optimizer (torch's `register_optimizer_step_pre_hook`, ...).
global_step_pre_hooks: Hooks = OrderedDict()
global_step_post_hooks: Hooks = OrderedDict()
#: Set by the first global step hook: the classes defined later wrap their `step` too.
_global_wrapping = False

# An optimizer's own hooks, under torch's attribute names.
STEP_PRE = "_optimizer_step_pre_hooks"
STEP_POST = "_optimizer_step_post_hooks"
STATE_DICT_PRE = "_optimizer_state_dict_pre_hooks"
STATE_DICT_POST = "_optimizer_state_dict_post_hooks"
LOAD_PRE = "_optimizer_load_state_dict_pre_hooks"
LOAD_POST = "_optimizer_load_state_dict_post_hooks"
_EMPTY: Hooks = OrderedDict()
_RUNNING = "_running_step_hooks"


def hooks_of(opt: Optimizer, name: str) -> Hooks:
    """The optimizer's hooks `name` (empty until one is registered)."""
    return opt.__dict__.get(name, _EMPTY)


def register(opt: Optimizer, name: str, hook: Callable[..., Any], prepend: bool = False) -> Any:
    """Add `hook` to the optimizer's hooks `name` (first with `prepend`)."""
    from nn.hooks import add_hook  # nn imports optim: not at import time

    hooks = opt.__dict__.setdefault(name, OrderedDict())
    handle = add_hook(hooks, hook, prepend=prepend)
    if name in (STEP_PRE, STEP_POST):
        wrap_step(type(opt))
    return handle


def register_global(hooks: Hooks, hook: Callable[..., Any]) -> RemovableHandle:
    """Add a global step hook and wrap the `step` of every optimizer class."""
    from nn.hooks import add_hook
    from optim.optimizer import Optimizer

    global _global_wrapping
    handle = add_hook(hooks, hook)
    _global_wrapping = True
    pending: list[type] = [Optimizer]
    while pending:
        cls = pending.pop()
        if "step" in cls.__dict__:
            wrap_step(cls)
        pending.extend(cls.__subclasses__())
    return handle


def class_defined(cls: type) -> None:
    """Wrap a new optimizer class's own `step` once a global step hook exists."""
    if _global_wrapping and "step" in cls.__dict__:
        wrap_step(cls)


def wrap_step(cls: type) -> None:
    """Make ``cls.step`` run the step hooks around it (unless it already does)."""
    step = cls.step  # type: ignore[attr-defined]
    if getattr(step, "hooked", False):
        return

    @functools.wraps(step)
    def hooked_step(*args: Any, **kwargs: Any) -> Any:
        opt = args[0]
        if opt.__dict__.get(_RUNNING):  # a step calling its base class's: hooks ran
            return step(*args, **kwargs)
        opt.__dict__[_RUNNING] = True
        try:
            for hook in chain(global_step_pre_hooks.values(), hooks_of(opt, STEP_PRE).values()):
                result = hook(opt, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            f"{step} must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result}."
                        )
                    args, kwargs = result
            out = step(*args, **kwargs)
            for hook in chain(hooks_of(opt, STEP_POST).values(), global_step_post_hooks.values()):
                hook(opt, args, kwargs)
            return out
        finally:
            opt.__dict__[_RUNNING] = False

    hooked_step.hooked = True  # type: ignore[attr-defined]
    cls.step = hooked_step  # type: ignore[attr-defined]


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Register a pre-hook of every optimizer's step, run before the optimizer's own:
    ``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)``.

    Returns:
        A handle whose `remove()` unregisters the hook.

    Raises:
        TypeError: if `hook` is not callable.
    """
    return register_global(global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Register a post-hook of every optimizer's step, run after the optimizer's own:
    ``hook(optimizer, args, kwargs) -> None``.

    Returns:
        A handle whose `remove()` unregisters the hook.

    Raises:
        TypeError: if `hook` is not callable.
    """
    return register_global(global_step_post_hooks, hook)
