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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.graph import increment_version
from autograd.ops.torch_methods import to_arguments
from autograd.tensor import check_dtype
from nn.serialization import save_state
from nn.symbolic import KerasTensor, first_call_attribute, is_symbolic, symbolic_call

# Attributes every Module sets for itself, Sequential's list of its layers (kept from
# its numbered attributes) and the calls recorded by the functional API (`nn.symbolic`);
# they are never walked for parameters.
_INTERNAL = frozenset(
    {
        "training",
        "_buffers",
        "_forward_hooks",
        "_forward_pre_hooks",
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
        if isinstance(data, Tensor):
            data = data.data
        array = np.asarray(data)
        check_dtype(array.dtype, "Parameter")
        if array.dtype.kind != "f":
            array = array.astype(get_default_dtype())
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class RemovableHandle:
    """Returned by `register_forward_hook`; `remove()` takes the hook off again."""

    def __init__(self, hooks: dict[int, Callable[..., Any]], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class LoadResult(NamedTuple):
    """What `load_state_dict(strict=False)` could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"  # as PyTorch prints it
        return (
            f"LoadResult(missing_keys={self.missing_keys!r}, "
            f"unexpected_keys={self.unexpected_keys!r})"
        )


class StateDictError(RuntimeError, KeyError, ValueError):
    """A state dict whose names (under strict=True) or shapes do not match the
    module's: a RuntimeError, as PyTorch raises it, and the KeyError (names) or
    ValueError (shapes) that a dict lookup or numpy would raise."""

    __str__ = RuntimeError.__str__  # the message as given, not quoted as KeyError's


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


@cache
def takes_keyword(function: Callable[..., Any], name: str) -> bool:
    """Whether `function` accepts the keyword argument `name` (by name or by **kwargs)."""
    parameters = inspect.signature(function).parameters.values()
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


@contextmanager
def training_mode(module: Module, training: bool) -> Iterator[None]:
    """Run the block with `module` and its sub-modules in training mode `training`, then
    give each one back the mode it had (`train()` would set one mode on them all)."""
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


class Module:
    """Base class of layers and models: subclass it and write `forward`.

    Attributes:
        training: True in training mode (Dropout drops, BatchNorm uses batch
            statistics), False after `eval()`. Set per module, never globally.
    """

    training: bool
    _forward_hooks: dict[int, Callable[..., Any]]
    _forward_pre_hooks: dict[int, Callable[..., Any]]

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_buffers", [])
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "_forward_pre_hooks", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if "_buffers" not in self.__dict__ and isinstance(value, (Parameter, Module)):
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__(): "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        if name in self.__dict__.get("_buffers", ()) and not isinstance(value, Tensor):
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
        if "training" in kwargs and not takes_keyword(type(self).forward, "training"):
            # Keras's rule: a layer whose call has no `training` runs in that mode
            training = kwargs.pop("training")
            if training is None:
                return self(*args, **kwargs)
            with training_mode(self, bool(training)):
                return self(*args, **kwargs)
        if not self._forward_pre_hooks and not self._forward_hooks:
            if not kwargs:  # the usual calls (a layer, a loss): fixed-size calls are cheaper
                if len(args) == 1:
                    return self.forward(args[0])
                if len(args) == 2:
                    return self.forward(args[0], args[1])
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails, so a sub-module of your own named
        # `output` (PyTorch style) is found first.
        if name in ("input", "output"):
            return first_call_attribute(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def register_forward_pre_hook(
        self, hook: Callable[[Module, tuple[Any, ...]], Any]
    ) -> RemovableHandle:
        """Call `hook(module, inputs)` before each forward; a returned value replaces
        the inputs (a tuple, or a single input)."""
        return self._add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(
        self, hook: Callable[[Module, tuple[Any, ...], Any], Any]
    ) -> RemovableHandle:
        """Call `hook(module, inputs, output)` after each forward; a returned value
        replaces the output."""
        return self._add_hook(self._forward_hooks, hook)

    @staticmethod
    def _add_hook(
        hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]
    ) -> RemovableHandle:
        key = max(hooks, default=-1) + 1
        hooks[key] = hook
        return RemovableHandle(hooks, key)

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

    def register_buffer(self, name: str, value: Any) -> None:
        """Keep `value` as a Tensor that is saved in `state_dict` but not trained
        (BatchNorm's running statistics)."""
        if name not in self._buffers:
            self._buffers.append(name)
        setattr(self, name, value)

    def _members(self) -> Iterator[tuple[str, Any]]:
        for name, value in self.__dict__.items():
            if name not in _INTERNAL:
                yield from _walk(name, value)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute names, in order of assignment."""
        for name, value in self._members():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named `prefix`) and every sub-module, each once, depth first."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            kids = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def _tensors(
        self, prefix: str, seen: set[int] | None, buffers: bool
    ) -> Iterator[tuple[str, Tensor]]:
        """Parameters (and buffers) in order of assignment, sub-modules' in place,
        each once (or, with `seen` None, under every name that reaches it); a module's
        buffers come after its own attributes."""
        for name, value in self._members():
            if seen is not None:
                if id(value) in seen:
                    continue
                seen.add(id(value))
            if isinstance(value, Parameter):
                yield prefix + name, value
            else:
                yield from value._tensors(f"{prefix}{name}.", seen, buffers)
        if buffers:
            for name in self._buffers:
                buffer = getattr(self, name)
                if buffer is not None:
                    yield prefix + name, buffer

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """(name, Parameter) pairs in order of assignment, each once, e.g. ("0.weight", w)."""
        yield from self._tensors("", set(), buffers=False)

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        for prefix, module in self.named_modules():
            for name in module._buffers:
                yield (f"{prefix}.{name}" if prefix else name), getattr(module, name)

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

    def _state_tensors(self, shared: bool = False) -> dict[str, Tensor]:
        """Parameters and buffers by dotted name, each once; with `shared`, a tensor
        that several names reach (a layer used twice) under each of them, as
        PyTorch's `state_dict` lists it."""
        return dict(self._tensors("", None if shared else set(), buffers=True))

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter and buffer as an ndarray, by dotted name. A layer
        used twice is listed under both names, as in PyTorch ("2.weight" and "4.weight"
        for `Sequential(a, relu, shared, relu, shared)`)."""
        return {name: t.data.copy() for name, t in self._state_tensors(shared=True).items()}

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> LoadResult:
        """Copy the arrays of `state` into this module's parameters and buffers, in place.

        Args:
            state: name -> array, as made by `state_dict()` or `nn.load_state`.
            strict: require exactly the same names. Shapes must always match.

        Returns:
            The missing and unexpected names (both empty when strict).

        Every array is checked (names, shapes, dtypes) before the first is written,
        so a failed load leaves the module unchanged.

        Raises:
            TypeError: `state` is not a dict (a path: read it with `nn.load_state`), or
                an array cannot be cast to its parameter's dtype (all are listed).
            StateDictError: (a RuntimeError, KeyError and ValueError) strict and a name
                is missing or unexpected, or an array has the wrong shape (all are
                listed, with both shapes).
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
        own = self._state_tensors(shared=True)
        # A tensor listed under two names is loaded if either is given (a state saved
        # with one name per tensor loads too).
        given = {id(own[k]) for k in state if k in own}
        missing = [k for k in own if k not in state and id(own[k]) not in given]
        unexpected = [k for k in state if k not in own]
        wrong = [
            f"{k}: expected {own[k].shape}, got {np.shape(v)}"
            for k, v in state.items()
            if k in own and np.shape(v) != own[k].shape
        ]
        if wrong:
            raise StateDictError(
                f"load_state_dict for {type(self).__name__}: wrong shapes: " + "; ".join(wrong)
            )
        if strict and (missing or unexpected):
            raise StateDictError(self._key_error(missing, unexpected, own, state))
        arrays = {
            k: np.asarray(v.data if isinstance(v, Tensor) else v)
            for k, v in state.items()
            if k in own
        }
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
        return LoadResult(missing, unexpected)

    def _key_error(
        self, missing: list[str], unexpected: list[str], own: dict[str, Tensor], state: dict
    ) -> str:
        parts = [f"load_state_dict for {type(self).__name__}:"]
        if missing:
            parts.append("missing " + ", ".join(f"{k} {own[k].shape}" for k in missing))
        if unexpected:
            parts.append("unexpected " + ", ".join(f"{k} {np.shape(state[k])}" for k in unexpected))
        if any(getattr(m, "built", True) is False for m in self.modules()):
            parts.append("(layers built at their first call have no weights yet: run one batch)")
        return " ".join(parts) + "; pass strict=False to load the matching names only"

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
