"""Differentiable functions written PyTorch's way, with a context object.

PyTorch's lessons extend autograd with a subclass of `torch.autograd.Function` whose
`forward(ctx, *args)` and `backward(ctx, grad_output)` are static methods working on
tensors, and call it through `apply`:

    class Cube(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    y = Cube.apply(x)

`Function.__init_subclass__` gives such a class the `apply` below (a class whose
`forward` is an ordinary method is one of this engine's ops, on arrays). The forward
runs without recording (as in PyTorch), and the graph gets one node, a `Custom`,
whose backward calls the class's `backward` with the gradient as a Tensor. Under
`backward(create_graph=True)` that backward is recorded like any code on tensors, so
second derivatives work when it is written with differentiable ops. PyTorch 2's form,
a `forward(*args)` without ctx and a static `setup_context(ctx, inputs, output)`, works
too.

The forward may return one tensor, anything else (returned as it is), or a tuple. The
differentiable tensors of a tuple (float, not marked with `ctx.mark_non_differentiable`)
are the node's output laid end to end, and each is returned as a view of its part:
backward gets one gradient per output of the tuple, zeros for one that received none
(None with `ctx.set_materialize_grads(False)`, and None for non-tensors), as PyTorch's.
A backward decorated with `once_differentiable` runs without recording, and a second
derivative through it raises PyTorch's error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.graph import increment_version
from autograd.inplace import rebase, standing_for, views_of
from autograd.mode import is_grad_enabled, no_grad
from autograd.ops.shape import mark_multi_output
from autograd.tensor import Tensor

#: PyTorch's error for a backward without a `backward` method.
NO_BACKWARD = (
    "You must implement either the backward or vjp method for your custom "
    "autograd.Function to use it with backward mode AD."
)
_NO_VALUE = object()
ONCE = "trying to differentiate twice a function that was marked with @once_differentiable"


class FunctionCtx:
    """The `ctx` a PyTorch-style `forward` fills and its `backward` reads: tensors saved
    with `save_for_backward` (checked against later writes in place), which inputs
    need a gradient, the outputs marked non-differentiable, whether missing output
    gradients are zeros (`set_materialize_grads`), and any attribute the forward sets
    (``ctx.alpha = alpha``)."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Tensor | None, ...] = ()
        self._versions: tuple[int, ...] = ()
        self._non_differentiable: set[int] = set()
        self.materialize_grads = True
        # what forward returned (set by `Custom.forward`): the parts of a tuple, or a
        # value that is not a tensor, or whether its one tensor is differentiable
        self._parts: list[_Part] | None = None
        self._plain: Any = _NO_VALUE
        self._single_differentiable = True
        self._dirty: tuple[Tensor, ...] = ()
        self._output: Any = None

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for `backward` (as `saved_tensors`); changing one in place before
        backward makes backward raise, as in PyTorch."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward takes tensors (or None), got {type(t).__name__}; "
                    "keep other values as attributes of ctx"
                )
        self._saved = tensors
        self._versions = tuple(0 if t is None else t._version for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        for t, version in zip(self._saved, self._versions):
            if t is not None and t._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: a tensor of shape {t.shape} saved with "
                    f"save_for_backward is at version {t._version}; expected version {version}"
                )
        return self._saved

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """These outputs have no gradient (an index, a mask): they do not require grad,
        and backward gets zeros (or None) for them."""
        self._non_differentiable.update(id(o) for o in outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None, not zeros, for an output that received no
        gradient, as PyTorch's."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that forward wrote in place (and returns): the returned tensor
        is the input itself, now made by this Function, as PyTorch's."""
        self._dirty = tensors

    def differentiable(self, value: Any) -> bool:
        """Whether an output of forward gets a gradient: a float tensor not marked."""
        return (
            isinstance(value, Tensor)
            and value.dtype.kind == "f"
            and id(value) not in self._non_differentiable
        )


class _Part:
    """Where output k of a tuple-returning forward lies in the node's flat output (or,
    for a non-differentiable one, the value itself)."""

    def __init__(self, value: Any, start: int, differentiable: bool) -> None:
        self.value = value if not differentiable else None
        self.differentiable = differentiable
        self.start = start
        self.shape = value.shape if isinstance(value, Tensor) else None
        self.dtype = value.dtype if isinstance(value, Tensor) else None
        self.stop = start + (value.size if differentiable else 0)
        self.received = False

    def cut(self, flat: Any) -> Any:
        part = flat[self.start : self.stop].reshape(self.shape)
        return part if part.dtype == self.dtype else part.astype(self.dtype)


def apply(cls: type[Function], *args: Any, **kwargs: Any) -> Any:
    """`cls.apply(*args)` for a PyTorch-style Function `cls` (see the module doc)."""
    needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    tensors = [a for a in args if isinstance(a, Tensor)]
    ctx = FunctionCtx(needs)
    node = Custom.apply(*tensors, kind=cls, ctx=ctx, args=args, kwargs=kwargs)
    parts = ctx._parts
    if ctx._dirty:
        return _rebase_dirty(node, ctx)
    if parts is None:  # one output
        if ctx._plain is not _NO_VALUE:  # not a tensor
            return ctx._plain
        return node if ctx._single_differentiable else node.detach()
    outputs: list[Any] = []
    for part in parts:
        if not part.differentiable:
            value = part.value
            outputs.append(value.detach() if isinstance(value, Tensor) else value)
            continue
        out = node[part.start : part.stop].view(part.shape)
        if out.dtype != part.dtype:
            out = out.to(part.dtype)
        if not ctx.materialize_grads and out.requires_grad:
            out.register_hook(_receiver(part))
        outputs.append(out)
    views = [o for o, p in zip(outputs, parts) if p.differentiable]
    mark_multi_output(tuple(views), cls.__name__)
    return tuple(outputs)


def _rebase_dirty(node: Tensor, ctx: FunctionCtx) -> Tensor:
    """The input that forward wrote in place and returned (`ctx.mark_dirty`), made the
    output of the Function's node (`autograd.inplace.rebase`): the node's input is a
    tensor standing for it as it was, so gradients go on to where it came from."""
    out = ctx._output
    if ctx._parts is not None or not isinstance(out, Tensor):
        raise NotImplementedError(
            "ctx.mark_dirty is supported for a forward that returns the one tensor it wrote"
        )
    if not any(out is t for t in ctx._dirty) or len(ctx._dirty) > 1:
        raise RuntimeError(
            "Some elements marked as dirty during the forward method were not returned as "
            "output. The inputs that are modified inplace must all be outputs of the Function."
        )
    fn = node.grad_fn
    if fn is None:  # nothing recorded (grad mode off, or no input requires grad)
        return out
    increment_version(out)  # PyTorch counts the declaration as a write too
    if out.grad_fn is None and out.requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad has been used in an in-place operation."
        )
    if views_of(out):
        raise NotImplementedError(
            "ctx.mark_dirty on a view of another tensor is not supported: write into a "
            "tensor that owns its memory (x.clone())"
        )
    before = standing_for(out, Custom)
    fn.inputs = tuple(before if t is out else t for t in fn.inputs)
    rebase(out, fn, before)
    return out


def _receiver(part: _Part) -> Callable[[Tensor], None]:
    def hook(grad: Tensor) -> None:
        part.received = True

    return hook


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """PyTorch's `torch.autograd.function.once_differentiable`: run `backward` without
    recording; under ``create_graph=True`` its gradients are outputs of a node whose
    backward raises PyTorch's error ("trying to differentiate twice ...")."""

    @functools.wraps(backward)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = backward(ctx, *args)
        if not (is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in args)):
            return outputs
        many = isinstance(outputs, tuple)
        wrapped = tuple(_delayed_error(o) for o in (outputs if many else (outputs,)))
        return wrapped if many else wrapped[0]

    return wrapper


def _reduces_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether a gradient of `shape` sums to one of `target` (`target` broadcasts to it)."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(shape)
    except ValueError:
        return False


def _delayed_error(value: Any) -> Any:
    """`value` as the output of a `DelayedError` node (from a fresh leaf, as PyTorch's:
    the value itself was computed without recording)."""
    if not (isinstance(value, Tensor) and value.dtype.kind == "f"):
        return value
    leaf = value.detach()
    leaf.requires_grad = True
    return DelayedError.apply(leaf)


class DelayedError(Function):
    """The identity whose backward raises: the gradients of a `once_differentiable`
    backward taken with ``create_graph=True``."""

    def forward(self, x):
        return x.copy()

    def backward(self, dz, x):
        raise RuntimeError(ONCE)


# Not one of the ops (which each have a gradcheck case): a node that only raises.
del Function.registry[DelayedError.__name__]


class Custom(Function):
    """The node of a PyTorch-style Function in the graph: forward and backward are the
    user's (`kind.forward`, `kind.backward`), on tensors."""

    saves_inputs = False  # what backward reads is checked by ctx.saved_tensors
    __slots__ = ("kind",)  # the user's class: kept by `release`, which names the node

    def forward(self, *arrays, kind, ctx, args, kwargs):
        self.kind, self.ctx, self.args = kind, ctx, args
        with no_grad():
            if "setup_context" in vars(kind):  # PyTorch 2's form: forward without ctx
                out = kind.forward(*args, **kwargs)
                kind.setup_context(ctx, args, out)
            else:
                out = kind.forward(ctx, *args, **kwargs)
        if isinstance(out, tuple):
            return self._lay_out(out)
        if isinstance(out, np.ndarray):
            out = Tensor(out)
        if not isinstance(out, Tensor):
            ctx._plain = out
            return np.zeros(0)
        ctx._single_differentiable = ctx.differentiable(out)
        ctx._output = out
        if any(out is a for a in args):  # an input returned as it is: a view of it
            return out.data.view()
        return out.data

    def _lay_out(self, outputs: tuple[Any, ...]) -> np.ndarray:
        """The differentiable outputs end to end (see the module doc); `ctx._parts`
        says where each lies."""
        ctx, parts, start = self.ctx, [], 0
        for value in outputs:
            part = _Part(value, start, ctx.differentiable(value))
            parts.append(part)
            start = part.stop
        ctx._parts = parts
        flat = [o.data.reshape(-1) for o, p in zip(outputs, parts) if p.differentiable]
        if not flat:
            return np.zeros(0)
        dtype = np.result_type(*flat)
        return np.concatenate([f.astype(dtype, copy=False) for f in flat])

    def _output_grads(self, dz: Any) -> tuple[Any, ...]:
        """The gradient of each output of forward, cut from `dz`."""
        ctx = self.ctx
        parts = ctx._parts
        if parts is None:
            return (dz if self.tensor_mode else Tensor._make(dz),)
        grads: list[Any] = []
        for part in parts:
            if part.differentiable and (ctx.materialize_grads or part.received):
                g = part.cut(dz)
                grads.append(g if self.tensor_mode else Tensor._make(g))
            elif isinstance(part.value, Tensor) and ctx.materialize_grads:
                grads.append(Tensor._make(np.zeros(part.value.shape, part.value.dtype)))
            else:
                grads.append(None)
            part.received = False
        return tuple(grads)

    def backward(self, dz: Any, *inputs: Any) -> Any:
        kind, ctx = self.kind, self.ctx
        if getattr(kind, "backward", None) is Function.backward:
            raise NotImplementedError(NO_BACKWARD)
        grads = kind.backward(ctx, *self._output_grads(dz))
        if not isinstance(grads, tuple):
            grads = (grads,)
        name = f"{kind.__name__}Backward"
        if len(grads) > len(self.args) and all(g is None for g in grads[len(self.args) :]):
            grads = grads[: len(self.args)]  # PyTorch drops extra Nones (defaults not passed)
        if len(grads) != len(self.args):
            raise RuntimeError(
                f"function {name} returned an incorrect number of gradients (expected "
                f"{len(self.args)}, got {len(grads)})"
            )
        out = []
        for i, (arg, g) in enumerate(zip(self.args, grads)):
            if not isinstance(arg, Tensor):
                if g is not None:
                    raise RuntimeError(
                        f"function {name} returned a gradient different than None at "
                        f"position {i + 1}, but the corresponding forward input was not a "
                        "Variable"
                    )
                continue
            if g is not None:
                if not self.tensor_mode:
                    g = np.asarray(g.data if isinstance(g, Tensor) else g)
                if not _reduces_to(np.shape(g), arg.shape):
                    raise RuntimeError(
                        f"Function {name} returned an invalid gradient at index {i} - got "
                        f"{list(np.shape(g))} but expected shape compatible with "
                        f"{list(arg.shape)}"
                    )
            out.append(g)
        return tuple(out)

    @property
    def op_name(self) -> str:
        """The user's class name: "Cube" (so the node is "CubeBackward", as in PyTorch)."""
        kind = getattr(self, "kind", None)
        return kind.__name__ if kind is not None else "Custom"
