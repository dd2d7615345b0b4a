"""`Function`: one differentiable op, its forward and backward side by side.

(A subclass written PyTorch's way, with static `forward(ctx, ...)` and
`backward(ctx, grad_output)` on tensors, is a user's function: see `autograd.custom`.)

A subclass writes `forward(*arrays, **options) -> ndarray` and
`backward(dz, *inputs) -> gradient or tuple of gradients`, one per input. `Function`
does the bookkeeping once for every op:

- promotes Python scalars, lists and ndarrays to constant tensors of a matching dtype;
- records the graph only when grad mode is on and an input requires grad;
- hands `backward` its output as `self.output`: the walk that runs `backward` holds
  the output tensor and lends it, for the call, to the thread (`lend_output`). An op
  keeps no reference to its output, so a graph holds no reference cycle and no object
  per op beyond what it needs, and two threads may run one graph's backward at once;
- sums each gradient back to its input's broadcast shape (`unbroadcast`);
- remembers the versions of its inputs, so backward can tell when one of them was
  changed in place after the op used it (`check_versions`); an output that views an
  input's memory shares that input's versions (`autograd.tensor.share`);
- frees what it saved when backward no longer needs it (`release`, see `autograd.graph`).

`backward` is written once for two modes. Normally it receives ndarrays and
`self.xp` is numpy: fast, no graph. Under `backward(create_graph=True)` it receives
Tensors and `self.xp` is the `autograd` package, so the same lines build a
differentiable graph (second and higher derivatives). The mode belongs to the
backward pass running in the current thread (`autograd.mode.state`), never to the
class, so two threads may run the two kinds of pass at once.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from autograd.anomaly import remember_call
from autograd.mode import state
from autograd.ops.args import OperandError
from autograd.tensor import (
    Tensor,
    check_dtype,
    get_default_dtype,
    share,
    unwatch_hooks,
    watch_hooks,
)

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


def as_used_by(t: Tensor, seq: int) -> Tensor:
    """`t` as the op numbered `seq` used it.

    A recorded in-place op (`t += x`, `t[i] = v`) makes `t` the output of a new op,
    whose `before` is a tensor standing for `t` as it was; an op recorded earlier
    still sends its gradient there. Functions are numbered in creation order, so the
    ops `t` came from since the op `seq` are exactly those numbered above `seq`.
    """
    fn = t.grad_fn
    while fn is not None and fn.seq > seq:
        t = fn.before
        fn = t.grad_fn
    return t


def _version_sum(tensors: tuple[Tensor, ...]) -> int:
    return sum(t._version for t in tensors)


def _join_views(out: Tensor, inputs: tuple[Tensor, ...]) -> None:
    """If `out`'s data is a view into an input's memory, the two share versions
    (`autograd.tensor.share`): writing either in place invalidates ops that saved the
    other."""
    memory = out.data.base
    for t in inputs:
        if t.data is memory or t.data.base is memory:
            share(out, t)
            return


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum `grad` (ndarray or Tensor) over the axes that broadcasting added to `shape`.

    Example: an input of shape (3, 1) broadcast against (2, 3, 4) receives a gradient
    of shape (2, 3, 4); summing axis 0, then axis 2 with keepdims, gives back (3, 1).
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if grad.shape[lead:] == shape:  # only leading axes were added (a bias): one plain sum
        out = grad.sum(axis=tuple(range(lead)) if lead > 1 else 0)
        # numpy sums all the axes of an array into a scalar, not a 0-d array
        return out if shape or isinstance(out, _ndarray | Tensor) else np.asarray(out)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _constant(value: Any, ref: np.dtype | None) -> Tensor:
    """Wrap a non-Tensor operand as a constant Tensor.

    Python numbers and integer arrays take `ref`, the float dtype of the first Tensor
    operand (so `x * 2` stays float32 for a float32 `x`, as in PyTorch); float ndarrays
    keep their own dtype. A Python number's array is made once per (number, dtype) and
    shared read-only (`_number_array`).
    """
    if type(value) is _ndarray and value.dtype.kind == "f":
        return Tensor._make(value)
    if type(value) in _python_scalars:
        if ref is not None and ref.kind == "f":
            return Tensor._make(_number_array(value, ref))
    else:
        value = np.asarray(value)
        check_dtype(value.dtype, "an operand")
        if ref is not None and ref.kind == "f":
            return Tensor._make(np.asarray(value, dtype=ref))
    array = np.asarray(value)
    if array.dtype.kind == "f":
        array = array.astype(get_default_dtype())
    return Tensor._make(array)


_numbers: dict[tuple[type, Any, np.dtype], np.ndarray] = {}


def _number_array(value: bool | int | float, dtype: np.dtype) -> np.ndarray:
    """The read-only 0-d array of a Python number in `dtype`, cached: `x * 0.5` and
    `1 - p` in a loop make it once. (Zeros are not cached: 0.0 and -0.0 are equal
    keys but different numbers; the cache empties itself past 1024 numbers.)"""
    key = (type(value), value, dtype)
    out = _numbers.get(key)
    if out is None:
        out = np.asarray(value, dtype=dtype)
        if not value:
            return out
        if len(_numbers) >= 1024:
            _numbers.clear()
        out.flags.writeable = False
        _numbers[key] = out
    return out


def _with_constants(
    args: tuple[Any, ...],
) -> tuple[tuple[Tensor, ...], list[Any], list[Any], bool, int]:
    """`apply`'s operands when some are not Tensors: (tensors, arrays, sources,
    requires_grad, version sum), the others wrapped by `_constant`. (The loop of
    `apply` once more: wrapping, then calling `apply` again, costs 0.6 us more per op.)"""
    ref = None  # the dtype of the first Tensor
    for a in args:
        if isinstance(a, Tensor):
            ref = a.data.dtype
            break
    tensors, arrays, sources, requires_grad, version = [], [], [], False, 0
    for a in args:
        if not isinstance(a, Tensor):
            a = _constant(a, ref)
        tensors.append(a)
        arrays.append(a.data)
        if a.requires_grad:
            requires_grad = True
            sources.append(a.grad_fn or a)
        else:
            sources.append(None)
        version += a._version
    return tuple(tensors), arrays, sources, requires_grad, version


#: Ops whose PyTorch backward node has another name ("ReluBackward0" for a ReLU).
TORCH_NAMES = {
    "ReLU": "Relu",
    "ELU": "Elu",
    "LeakyReLU": "LeakyRelu",
    "Concatenate": "Cat",
    "Clip": "Clamp",
}


class Function:
    """Base class of every differentiable op; see the module docstring.

    Subclasses are registered by class name in `Function.registry`, which feeds
    `grad_fn` names, graph drawings and the gradcheck coverage test.
    """

    registry: ClassVar[dict[str, type[Function]]] = {}
    #: False for ops whose backward reads no input value (only shapes): changing such
    #: an input in place after the op does not make its gradient wrong.
    saves_inputs: ClassVar[bool] = True
    #: True for ops whose forward and backward compute on numpy scalars exactly what
    #: they compute on 0-d arrays (arithmetic operators only: no ufunc keywords, no
    #: writes, no indexing), taking one or two inputs and no options, and saving
    #: nothing on `self` (`release` has nothing to free). Then, when every
    #: operand is 0-d and one requires grad, `apply` and `autograd.fastpath` hand them
    #: scalars (`x[()]`): numpy's arithmetic on two scalars costs a tenth of a ufunc
    #: call on two 0-d arrays, which is most of an op of a scalar graph (the scalar path).
    scalars: ClassVar[bool] = False

    # The graph's bookkeeping lives in slots, set by `apply` on every recorded op;
    # what an op's forward saves for its backward (`self.e = ...`) goes in its
    # `__dict__`, which `release` empties in one call.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_next",
        "_out_ref",
        "before",
        "inputs",
        "out_grad",
        "seq",
        "spent",
        "version",
    )
    #: inputs: the operands, kept for backward; None once `release` has dropped them.
    #: _next: `next_functions` (as a list), set when the op is recorded.
    _next: list[Any]
    inputs: tuple[Tensor, ...] | None
    #: version: the sum of the operands' versions when the op ran (versions only grow).
    version: int
    #: seq: creation number; a function's inputs were all made by functions with smaller ones.
    seq: int
    #: spent: backward has passed through without `retain_graph`: another pass raises.
    spent: bool
    #: _out_ref: set on release only: a weak reference to the output, so that a drawing
    #: made after backward still shows its value while something else holds it (the
    #: fast walk makes one only when something does: `autograd.fastpath`).
    _out_ref: Any
    #: before: set on an in-place op only (`autograd.inplace`): the tensor it wrote into,
    #: as it was (the op's first input), where ops that used it before send gradients.
    before: Tensor
    #: out_grad: the gradient of the output from the last backward pass (an ndarray),
    #: kept with the graph's values for small graphs so drawings can show it.
    out_grad: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if isinstance(vars(cls).get("forward"), staticmethod):
            # PyTorch's way, forward(ctx, ...) and backward(ctx, grad) on tensors: a
            # user's function, run through `autograd.custom` (not one of the ops)
            from autograd import custom

            cls.apply = classmethod(custom.apply)
        elif not cls.__name__.startswith("_"):  # private bases share code, not ops
            Function.registry[cls.__name__] = cls

    @classmethod
    def apply(cls, *args: Any, **options: Any) -> Tensor:
        """Run `forward` on the operands' arrays and record the graph when needed."""
        tensors = args
        arrays: list[Any] = []
        sources: list[Any] = []  # where each input's gradient goes (`next_functions`)
        requires_grad = False
        version = 0
        for a in args:
            if not isinstance(a, Tensor):  # wrap numbers and arrays as constants
                tensors, arrays, sources, requires_grad, version = _with_constants(args)
                break
            if a.requires_grad:
                requires_grad = True
                sources.append(a.grad_fn or a)  # the op that made it, or a leaf itself
            else:
                sources.append(None)
            arrays.append(a.data)
            version += a._version
        fn = cls()
        try:
            # A call with a fixed number of arguments costs a fraction of one that
            # unpacks a list; most ops take one or two arrays and no options.
            if options:
                data = fn.forward(*arrays, **options)
            elif len(arrays) == 2:
                a0, a1 = arrays
                if cls.scalars and requires_grad and not a0.shape and not a1.shape:
                    data = fn.forward(a0[()], a1[()])
                else:
                    data = fn.forward(a0, a1)
            elif len(arrays) == 1:
                a0 = arrays[0]
                data = fn.forward(a0[()] if cls.scalars and requires_grad and not a0.shape else a0)
            else:
                data = fn.forward(*arrays)
        except ValueError as err:
            shapes = ", ".join(str(t.shape) for t in tensors)
            # PyTorch's type, where the error is also one (an IndexError for a dim out of
            # range), else both torch's RuntimeError and numpy's ValueError (shapes that
            # do not broadcast: "The size of tensor a (4) must match ..." in torch)
            kind = type(err) if isinstance(err, IndexError | RuntimeError) else OperandError
            raise kind(f"{cls.__name__}: {err} (input shapes: {shapes})") from None
        if type(data) is not _ndarray:
            data = np.asarray(data)
        out = _new_tensor(Tensor)
        out.data = data
        out.grad = out.name = out._hooks = out._family = None
        out._retains_grad = False
        out._version = 0
        if data.base is not None:  # maybe a view of an input (x.T, x[1:], a reshape)
            _join_views(out, tensors)
        if requires_grad and state.grad_enabled:
            fn.seq = _next_seq()
            fn.inputs = tensors
            fn._next = sources
            fn.version = version
            fn.spent = False
            fn.out_grad = None
            out.grad_fn = fn
            out.requires_grad = True
            if state.anomaly:  # `autograd.detect_anomaly`: where the op was called
                remember_call(fn)
        else:
            out.grad_fn = None
            out.requires_grad = False
        return out

    def forward(self, *arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, dz: Any, *inputs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    @property
    def tensor_mode(self) -> bool:
        """True while a `create_graph=True` backward runs in this thread: backward sees
        Tensors and builds a graph of its own."""
        return state.tensor_backward

    @property
    def xp(self) -> Any:
        """The functions backward calls: numpy, or the `autograd` package under
        `create_graph=True` (so `self.xp.cos(x)` is differentiable there)."""
        if state.tensor_backward:
            import autograd

            return autograd
        return np

    @property
    def output(self) -> Any:
        """The op's output: an ndarray, or the output Tensor under `create_graph=True`.

        Raises if the output was changed in place since the op made it.
        """
        out = state.output
        if out is None or out.grad_fn is not self:
            raise RuntimeError(
                f"{type(self).__name__}: the output is lent to the op only while a backward "
                "pass runs it (`lend_output`)"
            )
        if out._version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: the output of {self.op_name} (shape {out.shape}) is at "
                f"version {out._version}; expected version 0. Use an out-of-place op "
                "(y = y + 1) instead of y += 1 on it"
            )
        return out if state.tensor_backward else out.data

    def check_versions(self) -> None:
        """Raise a clear error if an input this op reads in backward was changed in place
        after the op ran (its version grew), as PyTorch does."""
        if self.saves_inputs and self.inputs is not None:
            now = _version_sum(self.inputs)
            if now != self.version:
                read = self.read_inputs()
                if len(read) < len(self.inputs) and not _version_sum(read):
                    return  # what changed is not read; what is read is still at version 0
                shapes = ", ".join(f"{t.shape} at version {t._version}" for t in self.inputs)
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: an input of {self.op_name} (inputs: {shapes}) "
                    f"was changed after {self.op_name} used it (versions sum {now}, expected "
                    f"{self.version}). Use an out-of-place op (y = y + 1) instead of y += 1, "
                    "and step an optimizer only after the backward passes through this graph"
                )

    def read_inputs(self) -> tuple[Tensor, ...]:
        """The inputs whose values backward reads for the gradients asked for: all of
        them (a product overrides it: it reads each factor only for the other's
        gradient, as PyTorch saves it only then)."""
        return self.inputs or ()

    def parents(self) -> tuple[Any, ...]:
        """Where each input's gradient goes: the Function that made it, the leaf tensor
        itself when it requires grad, or None (a constant). Taken when the op runs (a
        later write in place into an input makes a new op, not this one's source), and
        kept after `release`, so the structure of a graph stays readable after backward.
        (`next_functions` is the same in PyTorch's form.)"""
        return tuple(self._next)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch's `grad_fn.next_functions`: a `(node, 0)` pair per input, the node
        being the Function that made it, the leaf's `AccumulateGrad` node when it is a
        leaf that requires grad, or None (a constant). The 0 is the output of the node
        the input is (each op here makes one output)."""
        return tuple((accumulate_grad(s) if isinstance(s, Tensor) else s, 0) for s in self._next)

    def release(self, out: Tensor) -> None:
        """Drop the inputs and every array the forward saved on `self`, keeping only
        the structure (`next_functions`) and a weak reference to the output `out`.
        Backward calls it on each op it has passed when the graph is too large to
        keep (see `autograd.graph.KEEP_BYTES`)."""
        self._out_ref = _ref(out)
        self.inputs = None
        self.__dict__.clear()  # the arrays the forward saved

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """Which inputs need a gradient; lets backward skip costly unused ones."""
        return tuple(t.requires_grad for t in self.inputs or ())

    @property
    def op_name(self) -> str:
        """The op's name ("Mul"), as drawings and error messages show it."""
        return type(self).__name__

    def name(self) -> str:
        """PyTorch's `grad_fn.name()`: "MulBackward", "ReluBackward" (torch numbers its
        backward functions, "MulBackward0"; this library has one of each)."""
        op = self.op_name
        return f"{TORCH_NAMES.get(op, op)}Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def register_prehook(self, hook: Callable[[tuple[Any, ...]], Any]) -> NodeHookHandle:
        """PyTorch's `Node.register_prehook`: `hook(grad_outputs)` runs before this op's
        backward, with a one-tuple holding the gradient of its output; a returned tuple
        replaces it. Runs after the output tensor's own hooks, as in PyTorch."""
        return self._add_hook("_prehooks", hook)

    def register_hook(
        self, hook: Callable[[tuple[Any, ...], tuple[Any, ...]], Any]
    ) -> NodeHookHandle:
        """PyTorch's `Node.register_hook`: `hook(grad_inputs, grad_outputs)` runs after this
        op's backward, with the gradients of its inputs (None for an input that needs
        none) and of its output; a returned tuple replaces the gradients of the inputs."""
        return self._add_hook("_posthooks", hook)

    def _add_hook(self, kind: str, hook: Callable[..., Any]) -> NodeHookHandle:
        if self.spent:
            raise RuntimeError(
                f"{self.name()}: backward already freed this node; register hooks before it runs"
            )
        hooks = self.__dict__.setdefault(kind, [])
        hooks.append(hook)
        watch_hooks(self)  # backward takes the reference walk, which runs them
        return NodeHookHandle(self, hooks, hook)


class NodeHookHandle:
    """Returned by `register_hook` / `register_prehook` of a node; `remove()` takes the
    hook off again (also as a context manager, as PyTorch's handle)."""

    def __init__(self, fn: Function, hooks: list[Any], hook: Callable[..., Any]) -> None:
        self._fn, self._hooks, self._hook = _ref(fn), hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
        fn = self._fn()
        if fn is not None and not (fn.__dict__.get("_prehooks") or fn.__dict__.get("_posthooks")):
            unwatch_hooks(fn)

    def __enter__(self) -> NodeHookHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class AccumulateGrad:
    """PyTorch's node for a leaf in `next_functions`: where backward adds the leaf's
    gradient to its `.grad`. `variable` is the leaf; a leaf has one such node while
    something holds it (`accumulate_grad`), as in PyTorch."""

    __slots__ = ("__weakref__", "variable")
    next_functions: tuple[tuple[Any, int], ...] = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


#: id(leaf) -> its AccumulateGrad node while something holds the node (which holds the
#: leaf, so the id is not reused meanwhile).
_ACCUMULATORS: weakref.WeakValueDictionary[int, AccumulateGrad] = weakref.WeakValueDictionary()


def accumulate_grad(leaf: Tensor) -> AccumulateGrad:
    """The `AccumulateGrad` node of a leaf that requires grad: the same object for as
    long as something holds it."""
    node = _ACCUMULATORS.get(id(leaf))
    if node is None:
        node = _ACCUMULATORS[id(leaf)] = AccumulateGrad(leaf)
    return node


@contextmanager
def lend_output(out: Tensor) -> Iterator[None]:
    """Let the backward of ``out.grad_fn`` read `out` as ``self.output`` in this thread
    for the length of the block. An op holds no reference to its output: a strong one
    would make a cycle (``out.grad_fn`` is the op) that only the garbage collector
    could free, and a weak one would be one more object per op for it to track."""
    prev, state.output = state.output, out
    try:
        yield
    finally:
        state.output = prev
