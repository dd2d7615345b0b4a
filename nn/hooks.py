"""PyTorch's module hooks: forward (pre-)hooks, full backward (pre-)hooks, the global
hooks of every module, and the `RemovableHandle` each registration returns.

`Module.__call__` runs the plain `forward` when a module has no hooks (and no global
hook is registered); otherwise it calls `call_with_hooks` here, which follows
PyTorch's `Module._call_impl` step by step:

1. forward pre-hooks (global ones first): ``hook(module, args)`` may return new args
   (a tuple, or a single value), ``hook(module, args, kwargs)`` (``with_kwargs=True``)
   a pair ``(args, kwargs)``;
2. with full backward hooks, the positional Tensor arguments that require grad pass
   through an identity (`BackwardHook.setup_input_hook`);
3. `forward`;
4. forward hooks: ``hook(module, args, output)`` (or with kwargs) may return a new
   output; one registered with ``always_call=True`` runs even if forward raised;
5. with full backward hooks, the output Tensors pass through an identity too.

The identities are ordinary ops whose outputs carry `Tensor.register_hook` hooks, so
backward reaches the module's output gradients before anything inside the module,
and its input gradients after: there, `BackwardHook` calls the backward pre-hooks
``hook(module, grad_output)`` and the full backward hooks
``hook(module, grad_input, grad_output)``, a returned value replacing the gradients,
as PyTorch's `torch.utils.hooks.BackwardHook`. One tensor passes through a view of
itself; several pass through one concatenation (cut again into views), so that one
hook sees all their gradients at once. As in PyTorch, the outputs of these identities
cannot be written in place while a graph is recorded.
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Tensor, cat, is_grad_enabled, zeros_like
from autograd.ops.shape import mark_multi_output

if TYPE_CHECKING:
    from nn.module import Module

Hooks = OrderedDict[int, Callable[..., Any]]

_ids = itertools.count()

#: The hooks every module runs (PyTorch's `register_module_forward_hook` and kin).
global_forward_pre_hooks: Hooks = OrderedDict()
global_forward_hooks: Hooks = OrderedDict()
global_forward_hooks_with_kwargs: dict[int, bool] = {}
global_forward_hooks_always_called: dict[int, bool] = {}
global_backward_pre_hooks: Hooks = OrderedDict()
global_backward_hooks: Hooks = OrderedDict()
#: One key per global hook registered: `Module.__call__` tests this dict alone.
global_hook_ids: dict[int, bool] = {}

#: The name PyTorch gives the identity (in its in-place error: "Output 0 of ...").
IDENTITY = "BackwardHookFunction"

NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module "
    "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
    "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more "
    "details."
)


class RemovableHandle:
    """What registering a hook returns: `remove()` takes the hook off again (also as a
    context manager: the hook is removed when the ``with`` block ends), as PyTorch's
    `torch.utils.hooks.RemovableHandle`. `id` is the hook's key in its dict."""

    def __init__(self, hooks_dict: dict[int, Any], *, extra_dict: Any = None) -> None:
        self.id = next(_ids)
        self.hooks_dict = hooks_dict
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.extra_dicts: tuple[dict[int, Any], ...] = tuple(extra_dict)

    def remove(self) -> None:
        for hooks in (self.hooks_dict, *self.extra_dicts):
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def add_hook(
    hooks: Hooks,
    hook: Callable[..., Any],
    prepend: bool = False,
    flags: Sequence[dict[int, bool]] = (),
    extra: Sequence[dict[int, Any]] = (),
) -> RemovableHandle:
    """Put `hook` in `hooks` (first with `prepend`), its key in each dict of `flags`;
    the handle removes it from those and from `extra` too."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks, extra_dict=(*flags, *extra))
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    for flag in flags:
        flag[handle.id] = True
    return handle


def add_global_hook(
    hooks: Hooks, hook: Callable[..., Any], flags: Sequence[dict[int, bool]] = ()
) -> RemovableHandle:
    handle = add_hook(hooks, hook, flags=flags, extra=(global_hook_ids,))
    global_hook_ids[handle.id] = True
    return handle


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(module, args)`` before the forward of every module (PyTorch's
    `torch.nn.modules.module.register_module_forward_pre_hook`)."""
    return add_global_hook(global_forward_pre_hooks, hook)


def register_module_forward_hook(
    hook: Callable[..., Any], *, with_kwargs: bool = False, always_call: bool = False
) -> RemovableHandle:
    """Call ``hook(module, args, output)`` after the forward of every module (PyTorch's
    `torch.nn.modules.module.register_module_forward_hook`)."""
    flags = [
        f
        for f, on in (
            (global_forward_hooks_with_kwargs, with_kwargs),
            (global_forward_hooks_always_called, always_call),
        )
        if on
    ]
    return add_global_hook(global_forward_hooks, hook, flags)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``hook(module, grad_output)`` for every module (see
    `Module.register_full_backward_pre_hook`)."""
    return add_global_hook(global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``hook(module, grad_input, grad_output)`` for every module (see
    `Module.register_full_backward_hook`)."""
    return add_global_hook(global_backward_hooks, hook)


def call_with_hooks(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`module(*args, **kwargs)` with its hooks and the global ones (see the module doc)."""
    args, kwargs = _run_pre_hooks(module, args, kwargs)
    backward_hooks = [*global_backward_hooks.values(), *module._backward_hooks.values()]
    backward_pre_hooks = [
        *global_backward_pre_hooks.values(),
        *module._backward_pre_hooks.values(),
    ]
    bw_hook = None
    if backward_hooks or backward_pre_hooks:
        bw_hook = BackwardHook(module, backward_hooks, backward_pre_hooks)
        args = bw_hook.setup_input_hook(args)
    called: set[int] = set()
    result = None
    try:
        result = module.forward(*args, **kwargs)
        result = _run_forward_hooks(module, args, kwargs, result, called)
    except Exception:
        _run_always_called(module, args, kwargs, result, called)
        raise
    if bw_hook is not None:
        if not isinstance(result, (Tensor, tuple)):
            warnings.warn(
                "For backward hooks to be called, module output should be a Tensor or a "
                f"tuple of Tensors but received {type(result)}",
                stacklevel=3,
            )
        result = bw_hook.setup_output_hook(result)
    return result


def _run_pre_hooks(
    module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    with_kwargs = module._forward_pre_hooks_with_kwargs
    for key, hook in (*global_forward_pre_hooks.items(), *module._forward_pre_hooks.items()):
        if key in with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "forward pre-hook must return None or a tuple of (new_args, "
                        f"new_kwargs), but got {result}."
                    )
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def _forward_hooks(module: Module) -> list[tuple[int, Callable[..., Any], bool, bool]]:
    """(key, hook, with_kwargs, always_call) of the global and the module's forward hooks."""
    own_kwargs = module._forward_hooks_with_kwargs
    own_always = module._forward_hooks_always_called
    return [
        *(
            (
                k,
                h,
                k in global_forward_hooks_with_kwargs,
                k in global_forward_hooks_always_called,
            )
            for k, h in global_forward_hooks.items()
        ),
        *((k, h, k in own_kwargs, k in own_always) for k, h in module._forward_hooks.items()),
    ]


def _run_forward_hooks(
    module: Module, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any, called: set[int]
) -> Any:
    for key, hook, with_kwargs, always in _forward_hooks(module):
        if always:
            called.add(key)
        new = hook(module, args, kwargs, result) if with_kwargs else hook(module, args, result)
        if new is not None:
            result = new
    return result


def _run_always_called(
    module: Module, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any, called: set[int]
) -> None:
    """The ``always_call=True`` forward hooks not run yet, after forward (or a hook)
    raised; their own errors are turned into warnings, as PyTorch's."""
    for key, hook, with_kwargs, always in _forward_hooks(module):
        if not always or key in called:
            continue
        try:
            new = hook(module, args, kwargs, result) if with_kwargs else hook(module, args, result)
            if new is not None:
                result = new
        except Exception as err:
            where = "global module" if key in global_forward_hooks else "module"
            warnings.warn(
                f"{where} forward hook with ``always_call=True`` raised an exception that "
                f"was silenced as another error was raised in forward: {err}",
                stacklevel=4,
            )


class _Identity:
    """The tensors of one call passed through an identity whose output gradients one
    hook sees together (see the module doc): `tensors` (those requiring grad) become
    `outputs`; `received[k]` tells whether output k got a gradient in backward."""

    def __init__(self, tensors: list[Tensor]) -> None:
        self.tensors = tensors
        self.received = [False] * len(tensors)
        if len(tensors) == 1:
            self.head = tensors[0].view_as(tensors[0])
            outputs = [self.head]
        else:
            dtype = np.result_type(*(t.dtype for t in tensors))
            self.head = cat([t.to(dtype).reshape(-1) for t in tensors])
            outputs = [self._cut(self.head, k) for k in range(len(tensors))]
            for k, out in enumerate(outputs):
                out.register_hook(self._mark(k))
        self.outputs = list(mark_multi_output(tuple(outputs), IDENTITY))

    def _cut(self, flat: Tensor, k: int) -> Tensor:
        """The part of `flat` (a concatenation of the tensors) that is tensor k."""
        start = sum(t.numel() for t in self.tensors[:k])
        t = self.tensors[k]
        return flat[start : start + t.numel()].view(t.shape).to(t.dtype)

    def _mark(self, k: int) -> Callable[[Tensor], None]:
        def mark(grad: Tensor) -> None:
            self.received[k] = True

        return mark

    def split(self, grad: Tensor) -> list[Tensor | None]:
        """The gradient of the head, as the gradients of each output (None for an
        output that received none)."""
        if len(self.tensors) == 1:
            return [grad]
        return [self._cut(grad, k) if got else None for k, got in enumerate(self.received)]

    def join(self, grads: Sequence[Any]) -> Tensor:
        """Gradients per output (None for none) as the gradient of the head."""
        parts = [zeros_like(t) if g is None else g for g, t in zip(grads, self.tensors)]
        if len(parts) == 1:
            return parts[0]
        dtype = self.head.dtype
        return cat([p.to(dtype).reshape(-1) for p in parts])


class BackwardHook:
    """The full backward (pre-)hooks of one call of a module, as PyTorch's
    `torch.utils.hooks.BackwardHook`: the output gradients are kept when backward
    reaches the output identity (after the pre-hooks, which may replace them), and the
    full hooks are called when it reaches the input identity (or at once, with None
    input gradients, when no input requires grad)."""

    def __init__(
        self,
        module: Module,
        user_hooks: list[Callable[..., Any]],
        user_pre_hooks: list[Callable[..., Any]],
    ) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_inputs = self.n_outputs = -1
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    @staticmethod
    def _wrap(
        args: tuple[Any, ...],
        on_grads: Callable[[list[Tensor | None]], Sequence[Any] | None],
        zeros: bool,
    ) -> tuple[tuple[Any, ...], list[int] | None]:
        """`args` with its Tensors passed through an identity, and their positions;
        `on_grads(gradients of those tensors)` is called in backward, and may return
        new ones. A tensor that got no gradient has None, or with `zeros` zeros (as
        PyTorch's identity gives its inputs). (None for the positions when no Tensor
        requires grad.)"""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors: list[Tensor] = [args[i] for i in index]
        if not (any(t.requires_grad for t in tensors) and is_grad_enabled()):
            return args, None
        live = [k for k, t in enumerate(tensors) if t.requires_grad]
        identity = _Identity([tensors[k] for k in live])

        def hook(grad: Tensor) -> Tensor | None:
            grads: list[Tensor | None] = [None] * len(tensors)
            for k, g in zip(live, identity.split(grad)):
                grads[k] = g
            if zeros:
                grads = [zeros_like(t) if g is None else g for g, t in zip(grads, tensors)]
            new = on_grads(grads)
            return None if new is None else identity.join([new[k] for k in live])

        identity.head.register_hook(hook)
        out = list(args)
        for k, t in zip(live, identity.outputs):
            out[index[k]] = t
        return tuple(out), index

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        out, self.input_index = self._wrap(args, self._input_grads, zeros=True)
        self.n_inputs = len(args)
        return out

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        out, self.output_index = self._wrap(outputs, self._output_grads, zeros=False)
        self.n_outputs = len(outputs)
        return out if is_tuple else out[0]

    @staticmethod
    def _pack(index: list[int] | None, values: Sequence[Any], size: int) -> tuple[Any, ...]:
        packed: list[Any] = [None] * size
        for i, v in zip(index or (), values):
            packed[i] = v
        return tuple(packed)

    def _input_grads(self, grads: list[Tensor | None]) -> list[Any] | None:
        if self.grad_outputs is None:
            return None  # reached without passing the module's output (double backward)
        index = self.input_index or []
        grad_input = self._pack(index, grads, self.n_inputs)
        changed = False
        for hook in self.user_hooks:
            new = hook(self.module, grad_input, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(grad_input):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, "
                    f"got {len(new)}, but expected {len(grad_input)}"
                )
            grad_input, changed = new, True
        self.grad_outputs = None
        return [grad_input[i] for i in index] if changed else None

    def _output_grads(self, grads: list[Tensor | None]) -> list[Any] | None:
        self.grad_outputs = self._pack(self.output_index, grads, self.n_outputs)
        expected = len(self.grad_outputs)
        changed = False
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != expected:
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, "
                    f"got {len(new)}, but expected {expected}"
                )
            self.grad_outputs, changed = new, True
        local = self.grad_outputs
        if self.input_index is None:
            warnings.warn(NO_INPUT_GRAD_WARNING, stacklevel=2)
            grad_inputs = self._pack(None, (), self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (
                    isinstance(res, tuple) and all(el is None for el in res)
                ):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return [local[i] for i in self.output_index or ()] if changed else None
