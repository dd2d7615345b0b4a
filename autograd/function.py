"""`Function`: one differentiable op, its forward and backward side by side.

A subclass writes `forward(*arrays, **options) -> ndarray` and
`backward(dz, *inputs) -> gradient or tuple of gradients`, one per input. `Function`
does the bookkeeping once for every op:

- promotes Python scalars, lists and ndarrays to constant tensors of a matching dtype;
- records the graph only when grad mode is on and an input requires grad;
- keeps a weak reference to its output (so the graph holds no reference cycles) and
  hands it to `backward` as `self.output`;
- sums each gradient back to its input's broadcast shape (`unbroadcast`);
- frees what it saved once backward has passed through it (see `autograd.graph`).

`backward` is written once for two modes. Normally it receives ndarrays and
`self.xp` is numpy: fast, no graph. Under `backward(create_graph=True)` it receives
Tensors and `self.xp` is the `autograd` package, so the same lines build a
differentiable graph (second and higher derivatives).
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any, ClassVar

import numpy as np

from autograd.mode import _GradMode
from autograd.tensor import Tensor, check_dtype, get_default_dtype

_ndarray = np.ndarray
_next_seq = itertools.count().__next__  # creation order of recorded functions
_new_tensor = object.__new__
_ref = weakref.ref
_python_scalars = (bool, int, float)


_scalars: dict[tuple[int, np.dtype], np.ndarray] = {}


def scalar_array(value: int, dtype: np.dtype) -> np.ndarray:
    """A read-only 0-d array of `value` in `dtype`, made once. numpy combines it with an
    array faster than a Python number, whose type it resolves at every call."""
    key = (value, dtype)
    out = _scalars.get(key)
    if out is None:
        out = _scalars[key] = np.array(value, dtype)
        out.flags.writeable = False
    return out


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum `grad` (ndarray or Tensor) over the axes that broadcasting added to `shape`.

    Example: an input of shape (3, 1) broadcast against (2, 3, 4) receives a gradient
    of shape (2, 3, 4); summing axis 0, then axis 2 with keepdims, gives back (3, 1).
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if grad.shape[lead:] == shape:  # only leading axes were added (a bias): one plain sum
        return grad.sum(axis=tuple(range(lead)) if lead > 1 else 0)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _constant(value: Any, like: tuple[Any, ...]) -> Tensor:
    """Wrap a non-Tensor operand as a constant Tensor.

    Python numbers and integer arrays take the float dtype of the first Tensor operand
    (so `x * 2` stays float32 for a float32 `x`, as in PyTorch); float ndarrays keep
    their own dtype.
    """
    if type(value) is _ndarray and value.dtype.kind == "f":
        return Tensor._make(value)
    if type(value) not in _python_scalars:
        value = np.asarray(value)
        check_dtype(value.dtype, "an operand")
    ref = next((a.data.dtype for a in like if isinstance(a, Tensor)), None)
    if ref is not None and ref.kind == "f":
        return Tensor._make(np.asarray(value, dtype=ref))
    array = np.asarray(value)
    if array.dtype.kind == "f":
        array = array.astype(get_default_dtype())
    return Tensor._make(array)


class Function:
    """Base class of every differentiable op; see the module docstring.

    Subclasses are registered by class name in `Function.registry`, which feeds
    `grad_fn` names, graph drawings and the gradcheck coverage test.
    """

    registry: ClassVar[dict[str, type[Function]]] = {}
    #: numpy normally; the `autograd` package while a graph of the backward is built.
    xp: ClassVar[Any] = np
    #: True while `backward(create_graph=True)` runs: backward sees Tensors.
    tensor_mode: ClassVar[bool] = False

    inputs: tuple[Tensor, ...] | None = None
    hooked: bool = False
    seq: int = -1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):  # private bases share code, they are not ops
            Function.registry[cls.__name__] = cls

    @classmethod
    def apply(cls, *args: Any, **options: Any) -> Tensor:
        """Run `forward` on the operands' arrays and record the graph when needed."""
        tensors = args
        arrays = []
        requires_grad = False
        for a in args:
            if not isinstance(a, Tensor):  # wrap numbers and arrays as constants
                tensors = tuple(t if isinstance(t, Tensor) else _constant(t, args) for t in args)
                arrays = [t.data for t in tensors]
                requires_grad = any(t.requires_grad for t in tensors)
                break
            if a.requires_grad:
                requires_grad = True
            arrays.append(a.data)
        fn = cls()
        try:
            data = fn.forward(*arrays, **options)
        except ValueError as err:
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError(f"{cls.__name__}: {err} (input shapes: {shapes})") from None
        if type(data) is not _ndarray:
            data = np.asarray(data)
        out = _new_tensor(Tensor)
        out.data = data
        out.grad = out.name = out._hooks = None
        out._retains_grad = False
        if requires_grad and _GradMode.enabled:
            fn.seq = _next_seq()
            fn.inputs = tensors
            fn._out = _ref(out)
            out.grad_fn = fn
            out.requires_grad = True
        else:
            out.grad_fn = None
            out.requires_grad = False
        return out

    def forward(self, *arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, dz: Any, *inputs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    @property
    def output(self) -> Any:
        """The op's output: an ndarray, or the output Tensor under `create_graph=True`."""
        out = self._out()
        if out is None:
            raise RuntimeError(
                f"{type(self).__name__}: the output tensor was freed before backward reached it"
            )
        return out if Function.tensor_mode else out.data

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """Which inputs need a gradient; lets backward skip costly unused ones."""
        return tuple(t.requires_grad for t in self.inputs or ())

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"
