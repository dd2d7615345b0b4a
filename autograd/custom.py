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
too. The forward returns one tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function
from autograd.mode import no_grad
from autograd.tensor import Tensor


class FunctionCtx:
    """The `ctx` a PyTorch-style `forward` fills and its `backward` reads: tensors saved
    with `save_for_backward` (checked against later writes in place), which inputs
    need a gradient, and any attribute the forward sets (``ctx.alpha = alpha``)."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Tensor | None, ...] = ()
        self._versions: tuple[int, ...] = ()
        self.non_differentiable = False

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
        """The output has no gradient (an index, a mask): it does not require grad."""
        self.non_differentiable = True


def apply(cls: type[Function], *args: Any, **kwargs: Any) -> Tensor:
    """`cls.apply(*args)` for a PyTorch-style Function `cls` (see the module doc)."""
    needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    tensors = [a for a in args if isinstance(a, Tensor)]
    return Custom.apply(*tensors, kind=cls, ctx=FunctionCtx(needs), args=args, kwargs=kwargs)


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
        if not isinstance(out, Tensor | np.ndarray):
            raise TypeError(
                f"{kind.__name__}.forward must return one tensor, got {type(out).__name__}"
            )
        return out.data if isinstance(out, Tensor) else out

    def backward(self, dz: Any, *inputs: Any) -> Any:
        kind, ctx = self.kind, self.ctx
        if ctx.non_differentiable:
            return (None,) * len(inputs)
        grads = kind.backward(ctx, dz if self.tensor_mode else Tensor._make(dz))
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self.args):
            raise RuntimeError(
                f"{kind.__name__}.backward returned {len(grads)} gradients, expected "
                f"{len(self.args)} (one per argument of forward, None for non-tensors)"
            )
        out = []
        for arg, g in zip(self.args, grads):
            if not isinstance(arg, Tensor):
                continue
            if g is not None:
                if not self.tensor_mode:
                    g = np.asarray(g.data if isinstance(g, Tensor) else g)
                if np.broadcast_shapes(np.shape(g), arg.shape) != np.shape(g):
                    raise RuntimeError(
                        f"{kind.__name__}.backward returned a gradient of shape {np.shape(g)} "
                        f"for an input of shape {arg.shape}"
                    )
            out.append(g)
        return tuple(out)

    @property
    def op_name(self) -> str:
        """The user's class name: "Cube" (so the node is "CubeBackward", as in PyTorch)."""
        kind = getattr(self, "kind", None)
        return kind.__name__ if kind is not None else "Custom"
