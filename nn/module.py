"""`Module` and `Parameter`: the containers every layer and model is built from.

A Module finds its parameters by walking its own attributes in the order they were
assigned: a `Parameter` attribute is a parameter, a `Module` attribute is a child, and
lists, tuples and dicts of them are walked too (`self.layers = [Linear(2, 3), ...]`
gives the names `layers.0.weight`, `layers.0.bias`, ...). There is no separate
registry to keep in sync: what you assign is what you get.

Example:
    >>> import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(2, 4)
    ...         self.out = nn.Linear(4, 1)
    ...
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).tanh())
    >>> [name for name, _ in Net().named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
"""

from __future__ import annotations

import inspect
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.graph import increment_version
from autograd.ops.torch_methods import to_arguments
from autograd.tensor import check_dtype
from nn import hooks as _hooks
from nn.hooks import Hooks, RemovableHandle, add_hook, call_with_hooks
from nn.serialization import save_state
from nn.symbolic import KerasTensor, first_call_attribute, is_symbolic, symbolic_call

#: The hook dicts every Module has (PyTorch's names).
_HOOK_DICTS = (
    "_call_hook_ids",  # a key per hook that a call runs (the four kinds below)
    "_forward_hooks",
    "_forward_pre_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called",
    "_forward_pre_hooks_with_kwargs",
    "_backward_hooks",
    "_backward_pre_hooks",
    "_state_dict_pre_hooks",
    "_state_dict_hooks",
    "_state_dict_public_hooks",
    "_load_state_dict_post_hooks",
)

# Attributes every Module sets for itself, Sequential's list of its layers (kept from
# its numbered attributes) and the calls recorded by the functional API (`nn.symbolic`);
# they are never walked for parameters.
_INTERNAL = frozenset(
    {
        "training",
        "_buffers",
        "_non_persistent",
        *_HOOK_DICTS,
        "_layer_list",
        "_named_layers",
        "_inbound_nodes",
    }
)


#: What the first argument of a layer call is when the call is symbolic (checked first
#: by type, so a call on a Tensor pays one isinstance).
_MAYBE_SYMBOLIC = (KerasTensor, list, tuple, dict)


class Parameter(Tensor):
    """A Tensor that a Module trains: it always requires grad.

    Float ndarrays keep their dtype (float64 stays float64); Python numbers, lists and
    integer arrays become the default float dtype (float32). A Tensor's array is
    shared, not copied.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        given_array = isinstance(data, Tensor | np.ndarray)  # its float dtype is kept
        array = data.data if isinstance(data, Tensor) else np.asarray(data)
        check_dtype(array.dtype, "Parameter")
        if array.dtype.kind != "f" or not given_array:
            array = array.astype(get_default_dtype())
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class LoadResult(NamedTuple):
    """What `load_state_dict(strict=False)` could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"  # as PyTorch prints it
        return (  # PyTorch's name for it
            f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
            f"unexpected_keys={self.unexpected_keys!r})"
        )


class StateDictError(RuntimeError, KeyError, ValueError):
    """A state dict whose names (under strict=True) or shapes do not match the
    module's: a RuntimeError, as PyTorch raises it, and the KeyError (names) or
    ValueError (shapes) that a dict lookup or numpy would raise."""

    __str__ = RuntimeError.__str__  # the message as given, not quoted as KeyError's


_global_hook_ids = _hooks.global_hook_ids


def has_hooks(module: Any) -> bool:
    """Whether something must see the module's call: a hook of its own or a global one
    (then no fast path may compute it inside another op)."""
    return bool(module._call_hook_ids or _global_hook_ids)


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{k}"' for k in names)


def _key_errors(missing: list[str], unexpected: list[str]) -> list[str]:
    """PyTorch's lines for missing and unexpected keys of `load_state_dict(strict=True)`."""
    errors = []
    if missing:
        errors.append("Missing key(s) in state_dict: " + _quoted(missing) + ". ")
    if unexpected:
        errors.append("Unexpected key(s) in state_dict: " + _quoted(unexpected) + ". ")
    return errors


def state_array(value: Any) -> np.ndarray:
    """The array of a state dict value: our Tensor's own array (no copy), an ndarray, or
    a torch tensor's (`keep_vars=True` gives Parameters, which require grad)."""
    if isinstance(value, Tensor):
        return value.data
    if not isinstance(value, np.ndarray) and callable(getattr(value, "detach", None)):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _walk(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Parameters and Modules inside an attribute value, with dotted names."""
    if isinstance(value, (Parameter, Module)):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{name}.{key}", item)


def _first_time(value: Any, seen: set[int] | None) -> bool:
    """Whether `value` is met for the first time (and now seen); always, without `seen`."""
    if seen is None:
        return True
    if id(value) in seen:
        return False
    seen.add(id(value))
    return True


@cache
def takes_keyword(function: Callable[..., Any], name: str) -> bool:
    """Whether `function` accepts the keyword argument `name` (by name or by **kwargs)."""
    parameters = inspect.signature(function).parameters.values()
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


class _Asked(threading.local):
    """The training mode asked for in this thread, for the length of a call or of `fit`,
    `evaluate` or `predict`; None outside them."""

    mode: bool | None = None


_asked = _Asked()


def training_asked() -> bool | None:
    """The mode a caller asked for (`training=` given to a call, `fit`'s True, `evaluate`'s
    and `predict`'s False) around the running call in this thread, or None when nothing
    asked. Keras's rule for a layer called without `training`: the mode asked for around
    it, else the default of its `call`'s `training` argument (`nn.layer.run_call`)."""
    return _asked.mode


def has_mask(value: Any) -> bool:
    """Whether `value` carries a Keras mask (`nn.masking`)."""
    return getattr(value, "_keras_mask", None) is not None


def _masks_given(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a call has Keras masks to handle (`nn.masking`): a `mask=` argument, or an
    argument carrying a mask (the first, one of a list of inputs, or an attention
    layer's `value`)."""
    if "mask" in kwargs:
        return True
    for value in args:  # (a loop: cheaper than any(map(...)) for the usual one or two)
        if getattr(value, "_keras_mask", None) is not None:
            return True
    if args and args[0].__class__ in (list, tuple) and any(map(has_mask, args[0])):
        return True
    return bool(kwargs) and any(map(has_mask, kwargs.values()))


@contextmanager
def training_mode(module: Module, training: bool) -> Iterator[None]:
    """Run the block with `module` and its sub-modules in training mode `training`, then
    give each one back the mode it had (`train()` would set one mode on them all). For
    the block, `training_asked()` is `training`."""
    asked, _asked.mode = _asked.mode, training
    try:
        previous = [(m, m.training) for m in module.modules()]
        if all(mode == training for _, mode in previous):  # the usual case: nothing to change
            yield
            return
        module.train(training)
        try:
            yield
        finally:
            for m, mode in previous:
                object.__setattr__(m, "training", mode)
    finally:
        _asked.mode = asked


class FirstCall:
    """Keras's `layer.input` / `layer.output`: the tensors of the layer's first call on
    symbolic tensors (`nn.symbolic.first_call_attribute`).

    A descriptor with `__get__` only, so an attribute of the instance with the same
    name (a PyTorch-style sub-module called `output`) is found first. It replaces a
    `Module.__getattr__`, whose mere presence made every attribute read of every
    module (`self.weight`, `self.forward`, ...) take the interpreter's slow generic
    lookup (about 8,000 instructions of a PyTorch-style training step of 784-64-10).
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, layer: Any, owner: type | None = None) -> Any:
        if layer is None:
            return self
        return first_call_attribute(layer, self.name)


class Module:
    """Base class of layers and models: subclass it and write `forward`.

    Attributes:
        training: True in training mode (Dropout drops, BatchNorm uses batch
            statistics), False after `eval()`. Set per module, never globally.
    """

    training: bool
    _call_hook_ids: dict[int, bool]
    _forward_hooks: Hooks
    _forward_pre_hooks: Hooks
    _forward_hooks_with_kwargs: dict[int, bool]
    _forward_hooks_always_called: dict[int, bool]
    _forward_pre_hooks_with_kwargs: dict[int, bool]
    _backward_hooks: Hooks
    _backward_pre_hooks: Hooks
    _state_dict_pre_hooks: Hooks
    _state_dict_hooks: Hooks
    _state_dict_public_hooks: dict[int, bool]
    _load_state_dict_post_hooks: Hooks
    input = FirstCall()
    output = FirstCall()

    if TYPE_CHECKING:  # for type checkers only: layers carry attributes set at run time

        def __getattr__(self, name: str) -> Any: ...

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_buffers", [])
        for name in _HOOK_DICTS:
            object.__setattr__(self, name, OrderedDict())

    def __setattr__(self, name: str, value: Any) -> None:
        if "_buffers" not in self.__dict__ and isinstance(value, (Parameter, Module)):
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__(): "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        if getattr(value, "registers_as_buffer", False):  # nn.Buffer: a buffer, as torch's
            self.register_buffer(name, Tensor(value), persistent=value.persistent)
            return
        if name in self.__dict__.get("_buffers", ()) and not isinstance(value, Tensor | None):
            value = Tensor(np.asarray(value))
        elif isinstance(self.__dict__.get(name), Parameter) and not (
            value is None or isinstance(value, Parameter)
        ):
            # PyTorch's rule: the parameter would silently leave parameters() and state_dict().
            raise TypeError(
                f"cannot assign {type(value).__name__} as parameter '{name}' of "
                f"{type(self).__name__} (nn.Parameter or None expected); to change its "
                f"values, write into them: `with autograd.no_grad(): module.{name}.data[...] = x`"
            )
        object.__setattr__(self, name, value)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Keras's functional API: a call on symbolic tensors is recorded, not run (a
        # plain Tensor, the usual argument, is told apart without a function call)
        if args and args[0].__class__ is not Tensor and isinstance(args[0], _MAYBE_SYMBOLIC):
            if is_symbolic(args[0]):
                return symbolic_call(self, args, kwargs)
        if kwargs or len(args) != 1 or args[0].__class__ is not Tensor or has_mask(args[0]):
            # Keras's masks: a tensor carrying one (`nn.masking`), or a `mask=` argument
            if _masks_given(args, kwargs):
                from nn.masking import masked_call

                return masked_call(self, args, kwargs, self._call_unmasked)
            return self._call_unmasked(args, kwargs)
        # the usual call, one plain Tensor: `_call_unmasked`'s last lines
        if not (self._call_hook_ids or _global_hook_ids):  # one test for every hook
            return self.forward(args[0])
        return call_with_hooks(self, args, kwargs)

    def _call_unmasked(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The call itself: `forward` in the mode `training=` asks, with the hooks."""
        if "training" in kwargs and not takes_keyword(type(self).forward, "training"):
            # Keras's rule: a layer whose call has no `training` runs in that mode
            training = kwargs.pop("training")
            if training is None:
                return self(*args, **kwargs)
            with training_mode(self, bool(training)):
                return self(*args, **kwargs)
        if not (self._call_hook_ids or _global_hook_ids):  # one test for every hook
            if not kwargs:  # the usual calls (a layer, a loss): fixed-size calls are cheaper
                if len(args) == 1:
                    return self.forward(args[0])
                if len(args) == 2:
                    return self.forward(args[0], args[1])
            return self.forward(*args, **kwargs)
        return call_with_hooks(self, args, kwargs)

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, args)` before each forward, as PyTorch's: a returned value
        replaces the positional arguments (a tuple, or a single argument). With
        `with_kwargs`, `hook(module, args, kwargs)`, which may return a pair (args,
        kwargs); with `prepend`, before the hooks registered so far."""
        flags = [self._forward_pre_hooks_with_kwargs] if with_kwargs else []
        return add_hook(self._forward_pre_hooks, hook, prepend, [*flags, self._call_hook_ids])

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward, as PyTorch's: a returned
        value replaces the output. With `with_kwargs`, `hook(module, args, kwargs,
        output)`; with `prepend`, before the hooks registered so far; with
        `always_call`, also when forward raised (with output None)."""
        flags = [
            flag
            for flag, on in (
                (self._forward_hooks_with_kwargs, with_kwargs),
                (self._forward_hooks_always_called, always_call),
            )
            if on
        ]
        return add_hook(self._forward_hooks, hook, prepend, [*flags, self._call_hook_ids])

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, grad_output)` when the gradients of the module's outputs
        are computed, as PyTorch's: `grad_output` is a tuple (None for an output that is
        not a Tensor or got no gradient); a returned tuple of the same length replaces
        it. The hooks in place at the forward call are the ones called."""
        return add_hook(self._backward_pre_hooks, hook, prepend, [self._call_hook_ids])

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, grad_input, grad_output)` when the gradients of the
        module's inputs are computed, as PyTorch's: `grad_input` has one item per
        positional argument (the gradient for a Tensor, None otherwise; all None when
        no input requires grad, and then the hook is called with the output gradients,
        with PyTorch's warning); a returned tuple of the same length replaces it. The
        outputs of a module with such hooks cannot be changed in place while a graph is
        recorded (PyTorch's RuntimeError)."""
        return add_hook(self._backward_hooks, hook, prepend, [self._call_hook_ids])

    def add_module(self, name: str, module: Module | None) -> None:
        """Add `module` as the sub-module `name`, as PyTorch's `add_module`: the same as
        `self.<name> = module`, for any name that is a string without "." (such as
        "block 0", which no attribute assignment can write).

        Raises:
            TypeError: `module` is not a Module (nor None), or `name` is not a string.
            KeyError: `name` is empty, contains ".", or is an attribute that is not a
                sub-module.
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"add_module: the name must be a str, got {type(name).__name__}")
        if "." in name or not name:
            raise KeyError(f"add_module: module name can't be empty or contain '.', got {name!r}")
        if hasattr(self, name) and not isinstance(getattr(self, name), Module):
            raise KeyError(f"add_module: attribute '{name}' already exists")
        setattr(self, name, module)

    def register_module(self, name: str, module: Module | None) -> None:
        """`add_module` under its other PyTorch name."""
        self.add_module(name, module)

    def register_buffer(self, name: str, value: Any, persistent: bool = True) -> None:
        """Keep `value` as a Tensor that is saved in `state_dict` but not trained
        (BatchNorm's running statistics); with ``persistent=False``, as PyTorch's, one
        that `state_dict` and `load_state_dict` leave out (a mask made from the
        shapes), still in `named_buffers` and converted by `to`.

        Raises:
            TypeError: `name` is not a str, or `value` is not a Tensor, an ndarray or None.
            KeyError: `name` is empty, contains ".", or is an attribute that is not a
                buffer (PyTorch's errors).
        """
        self._check_buffer(name, value)
        if name not in self._buffers:
            self._buffers.append(name)
        dropped = set(self.__dict__.get("_non_persistent", ()))
        dropped.discard(name)
        if not persistent:
            dropped.add(name)
        object.__setattr__(self, "_non_persistent", frozenset(dropped))
        setattr(self, name, value)

    def _check_buffer(self, name: Any, value: Any) -> None:
        """`register_buffer`'s checks, in PyTorch's words."""
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if not name:
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if value is not None and not isinstance(value, (Tensor, np.ndarray)):
            raise TypeError(
                f"cannot assign '{type(value).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )

    def _members(self) -> Iterable[tuple[str, Any]]:
        """Parameters and sub-modules by attribute name, in order of assignment, also
        inside lists, tuples and dicts (``self.layers = [...]``), except one that is an
        attribute of its own too (``add_module`` after ``self.layers = layers``): it is
        listed once, under that name, as PyTorch lists it (it registers no plain list).
        A list here; a subclass's override may yield them (`_gather` takes both)."""
        items = [
            (n, v) for n, v in self.__dict__.items() if n not in _INTERNAL and isinstance(v, _HOLDS)
        ]
        if all(isinstance(v, _MEMBER) for _, v in items):  # no lists, tuples or dicts
            return items
        own = {id(v) for _, v in items if isinstance(v, _MEMBER)}
        return [
            (key, member)
            for name, value in items
            for key, member in _walk(name, value)
            if key == name or id(member) not in own
        ]

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute names, in order of assignment."""
        for name, value in self._members():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module (named `prefix`) and every sub-module, depth first: each once, or
        with ``remove_duplicate=False`` under every name that reaches it (as PyTorch's;
        `memo`, PyTorch's set of modules already listed, is taken too)."""
        seen: set[int] = {id(m) for m in memo} if memo else set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
                if memo is not None:
                    memo.add(module)
            yield name, module
            kids = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(kids))

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def _tensors(
        self,
        prefix: str,
        seen: set[int] | None,
        buffers: bool,
        persistent: bool = False,
        recurse: bool = True,
    ) -> list[tuple[str, Tensor]]:
        """Parameters (and buffers) in PyTorch's order: this module's own parameters (in
        order of assignment), then its buffers (with `persistent`, only those that
        `state_dict` lists), then (with `recurse`) each sub-module's, depth first; each
        once (or, with `seen` None, under every name that reaches it)."""
        found: list[tuple[str, Tensor]] = []
        self._gather(found, prefix, seen, buffers, persistent, recurse)
        return found

    def _gather(
        self,
        found: list[tuple[str, Tensor]],
        prefix: str,
        seen: set[int] | None,
        buffers: bool,
        persistent: bool,
        recurse: bool,
    ) -> None:
        """`_tensors`'s walk, appending to `found`."""
        members = self._members()
        if type(members) is not list:  # a subclass's own order, as a generator
            members = list(members)
        for name, value in members:
            if isinstance(value, Parameter) and _first_time(value, seen):
                found.append((prefix + name, value))
        if buffers:
            dropped = self.__dict__.get("_non_persistent", ()) if persistent else ()
            for name in self._buffers:
                buffer = getattr(self, name)
                if buffer is not None and name not in dropped:
                    found.append((prefix + name, buffer))
        if recurse:
            for name, value in members:
                if isinstance(value, Module) and _first_time(value, seen):
                    value._gather(found, f"{prefix}{name}.", seen, buffers, persistent, True)

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(name, Parameter) pairs in PyTorch's order, e.g. ("0.weight", w): each once
        (with ``remove_duplicate=False`` under every name), `prefix` before the names;
        with ``recurse=False`` this module's own only."""
        start = f"{prefix}." if prefix else ""
        seen = set[int]() if remove_duplicate else None
        if recurse:
            yield from self._tensors(start, seen, buffers=False)
            return
        for name, value in self._members():
            if isinstance(value, Parameter) and _first_time(value, seen):
                yield start + name, value

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """(name, buffer) pairs, as PyTorch's `named_buffers` (None buffers left out)."""
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else iter([(prefix, self)])
        )
        seen: set[int] = set()
        for module_prefix, module in modules:
            for name in module._buffers:
                buffer = getattr(module, name)
                if buffer is None or (remove_duplicate and id(buffer) in seen):
                    continue
                seen.add(id(buffer))
                yield (f"{module_prefix}.{name}" if module_prefix else name), buffer

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add `param` as the parameter `name`, as PyTorch's: the same as
        ``self.<name> = param`` for a name no attribute assignment can write.

        Raises:
            TypeError: `param` is not a Parameter (nor None), or `name` is not a str.
            KeyError: `name` is empty, contains ".", or is an attribute that is not a
                parameter.
        """
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string, got {type(name).__name__}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')  # PyTorch's words
        if not name:
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and not isinstance(getattr(self, name), Parameter):
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        setattr(self, name, param)

    def get_submodule(self, target: str) -> Module:
        """The sub-module at the dotted path `target` ("" is this module), as PyTorch's.

        Raises:
            AttributeError: a part of the path names no sub-module.
        """
        module: Module = self
        parts = target.split(".") if target else []
        start = 0
        while start < len(parts):
            children = dict(module.named_children())
            # a module in a list or dict attribute is the child "layers.0"
            stops = [
                s for s in range(len(parts), start, -1) if ".".join(parts[start:s]) in children
            ]
            if not stops:
                raise AttributeError(f"{type(module).__name__} has no attribute `{parts[start]}`")
            module, start = children[".".join(parts[start : stops[0]])], stops[0]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path `target` ("0.weight"), as PyTorch's.

        Raises:
            AttributeError: the path names no parameter.
        """
        module, name = self._owner_of(target, "parameter")
        value = getattr(module, name)
        if not isinstance(value, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return value

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path `target` ("bn.running_mean"), as PyTorch's.

        Raises:
            AttributeError: the path names no buffer.
        """
        module, name = self._owner_of(target, "buffer")
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(module, name)

    def _get_member(self, target: str, kind: str) -> Any:
        module, name = self._owner_of(target, kind)
        return getattr(module, name)

    def _owner_of(self, target: str, kind: str) -> tuple[Module, str]:
        """The sub-module holding the member at the dotted path `target`, and its name."""
        owner, _, name = target.rpartition(".")
        module = self.get_submodule(owner)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        return module, name

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (`p.grad = None`, torch's default), or with
        ``set_to_none=False`` fill them with zeros."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.data[...] = 0

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """`model.to(device)` (only the CPU: `autograd.device`) and `model.to(dtype)`
        (every float parameter and buffer converted, as PyTorch), in place; returns the
        module. Keras-style layers (with a float `dtype`, which they compute in) take
        the new dtype too."""
        dtype, _ = to_arguments(args, kwargs)
        if dtype is not None:
            for t in self._state_tensors().values():
                if t.dtype.kind == "f":
                    t.data = t.data.astype(dtype)
                    if t.grad is not None:
                        t.grad = Tensor(t.grad.data.astype(dtype))
            if np.dtype(dtype).kind == "f":
                for module in self.modules():
                    current = module.__dict__.get("dtype")
                    if isinstance(current, str) and np.dtype(current).kind == "f":
                        object.__setattr__(module, "dtype", np.dtype(dtype).name)
        return self

    def cpu(self) -> Module:
        return self

    def cuda(self, *args: Any) -> Module:
        return self.to("cuda")  # raises: no CUDA here

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call `fn` on every sub-module (children first) and then on this module, as
        PyTorch's `apply` (``model.apply(init_weights)``); returns the module."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every sub-module; returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set `requires_grad` of every parameter (freeze a network with False, as in
        fine-tuning); returns self."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    def _state_tensors(self, shared: bool = False, persistent: bool = False) -> dict[str, Tensor]:
        """Parameters and buffers by dotted name, each once; with `shared`, a tensor
        that several names reach (a layer used twice) under each of them, and with
        `persistent` only the buffers saved, as PyTorch's `state_dict` lists them."""
        seen = None if shared else set[int]()
        return dict(self._tensors("", seen, buffers=True, persistent=persistent))

    def state_dict(
        self,
        *args: Any,
        destination: dict[str, Any] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and buffer by dotted name, as PyTorch's `state_dict`.

        The values are Tensors detached from the graph (``requires_grad`` False) that
        share memory with the parameters and buffers: an in-place change to a
        parameter (an optimizer step, ``load_state_dict``) shows in a state dict taken
        before it; take copies (``copy.deepcopy(sd)``, ``{k: v.clone() ...}``) to keep
        a snapshot. The order is PyTorch's: a module's own parameters, its buffers,
        then each sub-module's. A layer used twice is listed under both names, as in
        PyTorch ("2.weight" and "4.weight" for `Sequential(a, relu, shared, relu,
        shared)`).

        A parameter whose array was replaced (``p.data = x``, `to(dtype)`) no longer
        shares it with a state dict taken before, as in PyTorch. The optimizers'
        multi-tensor path (`optim.flat`) moves a parameter's array into a group buffer
        only when nothing else refers to it, so a state dict that is kept keeps its
        aliasing (its group takes the per-parameter path meanwhile), and one taken
        after the move aliases the buffer.

        Args:
            destination: a dict to fill and return, instead of a new OrderedDict.
            prefix: put before every name (``prefix="model."``).
            keep_vars: give the Parameters and buffers themselves, not detached Tensors.
            *args: PyTorch's deprecated positional form (destination, prefix,
                keep_vars), with its FutureWarning.
        """
        if args:
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead "
                "(state_dict(destination=..., prefix=..., keep_vars=...))",
                FutureWarning,
                stacklevel=2,
            )
            if len(args) > 3:
                raise TypeError(f"state_dict takes at most 3 positional arguments, got {len(args)}")
            given = [destination, prefix, keep_vars]
            given[: len(args)] = args
            destination, prefix, keep_vars = given
        if not isinstance(prefix, str):
            raise TypeError(f"state_dict: prefix must be a str, got {type(prefix).__name__}")
        out: dict[str, Any] = OrderedDict() if destination is None else destination
        if any(m._state_dict_pre_hooks or m._state_dict_hooks for m in self.modules()):
            return self._state_dict_hooked(out, prefix, keep_vars)
        for name, t in self._state_tensors(shared=True, persistent=True).items():
            out[prefix + name] = t if keep_vars else t.detach()
        return out  # type: ignore[return-value]

    def _state_dict_hooked(self, out: dict[str, Any], prefix: str, keep_vars: bool) -> Any:
        """`state_dict` the way PyTorch's recursion runs, for modules with state dict
        hooks: this module's pre-hooks, its own tensors, each sub-module's (under every
        name that reaches it), then its post-hooks, which may return a new dict."""
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self, prefix, keep_vars)
        for name, t in self._tensors(prefix, None, buffers=True, persistent=True, recurse=False):
            out[name] = t if keep_vars else t.detach()
        for name, child in self.named_children():  # (a dict a child's hook returns is
            child._state_dict_hooked(out, f"{prefix}{name}.", keep_vars)  # dropped, as in torch)
        for key, hook in list(self._state_dict_hooks.items()):
            result = hook(self, out, prefix, {"version": 1})
            if result is not None:
                if key in self._state_dict_public_hooks:
                    raise RuntimeError("state_dict post-hook must return None")
                out = result
        return out

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call `hook(module, prefix, keep_vars)` before `state_dict` saves this module's
        tensors, as PyTorch's."""
        return add_hook(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call `hook(module, state_dict, prefix, local_metadata)` after `state_dict` has
        saved this module's tensors and its sub-modules', as PyTorch's (it must return
        None; change the dict in place)."""
        return add_hook(self._state_dict_hooks, hook, flags=[self._state_dict_public_hooks])

    def _register_state_dict_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """PyTorch's private form of `register_state_dict_post_hook`: a returned dict
        replaces the state dict."""
        return add_hook(self._state_dict_hooks, hook)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call `hook(module, incompatible_keys)` after `load_state_dict` has written the
        values, sub-modules first, as PyTorch's: the hook may change the lists of missing
        and unexpected keys in place before `strict` is checked (with such hooks, the
        values are written before that check, as in PyTorch)."""
        return add_hook(self._load_state_dict_post_hooks, hook)

    def _run_load_post_hooks(
        self, result: LoadResult, missing: set[str], unexpected: list[str], prefix: str = ""
    ) -> None:
        """PyTorch's recursion of `load_state_dict`: this module's missing keys (and the
        unexpected ones under its prefix that no sub-module takes) join `result`, then
        its sub-modules', then its post-hooks run, seeing the keys found so far."""
        children = list(self.named_children())
        own = self._tensors(prefix, None, buffers=True, persistent=True, recurse=False)
        result.missing_keys.extend(k for k, _ in own if k in missing)
        taken = tuple(f"{prefix}{name}." for name, _ in children)
        result.unexpected_keys.extend(
            k for k in unexpected if k.startswith(prefix) and not k.startswith(taken)
        )
        for name, child in children:
            child._run_load_post_hooks(result, missing, unexpected, f"{prefix}{name}.")
        for hook in list(self._load_state_dict_post_hooks.values()):
            if hook(self, result) is not None:
                raise RuntimeError("load_state_dict post-hook must return None")

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Copy the values of `state` into this module's parameters and buffers, in
        place: the Parameter objects (and an optimizer holding them) stay the same.

        Args:
            state: name -> Tensor, ndarray or torch tensor, as made by `state_dict()`,
                `nn.load_state` or PyTorch's `state_dict()`.
            strict: require exactly the same names. Shapes must always match.

        Returns:
            The missing and unexpected names (both empty when strict).

        Every value is checked (names, shapes, dtypes) before the first is written,
        so a failed load leaves the module unchanged.

        Raises:
            TypeError: `state` is not a dict (a path: read it with `nn.load_state`), or
                a value cannot be cast to its parameter's dtype (all are listed).
            StateDictError: (a RuntimeError, KeyError and ValueError) strict and a name
                is missing or unexpected, or a value has the wrong shape, in PyTorch's
                message ("Error(s) in loading state_dict for Linear: ...").
        """
        if not isinstance(state, Mapping):
            hint = (
                f"; to load a file, pass nn.load_state({state!r})"
                if isinstance(state, (str, os.PathLike))
                else ""
            )
            raise TypeError(
                f"load_state_dict expects a dict of name -> array, got {type(state).__name__}"
                + hint
            )
        own = self._state_tensors(shared=True, persistent=True)
        # A tensor listed under two names is loaded if either is given (a state saved
        # with one name per tensor loads too).
        given = {id(own[k]) for k in state if k in own}
        missing = [k for k in own if k not in state and id(own[k]) not in given]
        unexpected = [k for k in state if k not in own]
        arrays = {k: state_array(v) for k, v in state.items() if k in own}
        errors = [
            f"size mismatch for {k}: copying a param with shape {a.shape} from checkpoint, "
            f"the shape in current model is {own[k].shape}."
            for k, a in arrays.items()
            if a.shape != own[k].shape
        ]
        hooked = any(m._load_state_dict_post_hooks for m in self.modules())
        if strict and not hooked:
            errors[:0] = _key_errors(missing, unexpected)
        if errors:
            raise StateDictError(self._load_error(errors))
        uncastable = [
            f"{k}: {a.dtype} into {own[k].dtype}"
            for k, a in arrays.items()
            if not np.can_cast(a.dtype, own[k].dtype, casting="same_kind")
        ]
        if uncastable:
            raise TypeError(
                f"load_state_dict for {type(self).__name__}: wrong dtypes: " + "; ".join(uncastable)
            )
        for name, array in arrays.items():  # everything checked: now write
            np.copyto(own[name].data, array, casting="same_kind")
            increment_version(own[name])  # an in-place write, as torch counts it
        if not hooked:
            return LoadResult(missing, unexpected)
        # as PyTorch: written, then the hooks (each seeing the keys found so far), then
        # strict's check of the keys as the hooks left them
        result = LoadResult([], [])
        self._run_load_post_hooks(result, set(missing), unexpected)
        if strict and (result.missing_keys or result.unexpected_keys):
            errors = _key_errors(result.missing_keys, result.unexpected_keys)
            raise StateDictError(self._load_error(errors))
        return result

    def _load_error(self, errors: list[str]) -> str:
        """PyTorch's message for a failed `load_state_dict`, with a hint for lazy layers."""
        if any(getattr(m, "built", True) is False for m in self.modules()):
            errors.append("(layers built at their first call have no weights yet: run one batch)")
        return f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(
            errors
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write `state_dict()` to `path` as an `.npz` archive (no pickle).

        The archive is written to a temporary file next to `path` and then moved over
        it, so a failed write never destroys an existing file.
        """
        save_state(self.state_dict(), path)

    def extra_repr(self) -> str:
        """The arguments shown inside this module's repr, e.g. `in_features=2, ...`."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self.named_children():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + "\n" + "\n".join(lines) + "\n)"


#: What a module lists as its members, and the values that may hold some.
_MEMBER = (Parameter, Module)
_HOLDS = (Parameter, Module, list, tuple, dict)
