"""`Tensor`: a thin node over a numpy array that remembers how it was made.

Every method is a one-line delegation to an op in `autograd.ops`; the ops hold the
math. A scalar is a 0-d tensor, so the same graph serves `a * b + c` on floats and a
batched network alike.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.printing import tensor_repr

_default_dtype: np.dtype = np.dtype(np.float32)
_ref = weakref.ref
_families_lock = threading.Lock()


def set_default_dtype(dtype: npt.DTypeLike) -> None:
    """Set the float dtype that Python numbers and lists become (float32 at start)."""
    global _default_dtype
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"default dtype must be a float dtype, got {dt}")
    _default_dtype = dt


def get_default_dtype() -> np.dtype:
    """The float dtype that Python numbers and lists become."""
    return _default_dtype


def _as_array(data: Any, dtype: npt.DTypeLike | None) -> np.ndarray:
    if type(data) is np.ndarray and dtype is None and data.dtype.kind in _KINDS:
        return data  # the common case: kept as it is
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        array = nested_array(data, dtype)
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = nested_array(data)
        if array.dtype.kind in "iuf":
            array = array.astype(_default_dtype)
    check_dtype(array.dtype, f"cannot make a Tensor from {type(data).__name__}")
    return array


def nested_array(data: Any, dtype: npt.DTypeLike | None = None) -> np.ndarray:
    """`np.asarray(data, dtype)`; nested lists of unequal lengths raise PyTorch's error,
    which says where: "expected sequence of length 2 at dim 1 (got 1)".

    Raises:
        ValueError: `data` is ragged.
    """
    try:
        return np.asarray(data, dtype=dtype)
    except ValueError as err:
        where = _ragged_at(data, 0)
        if where is None:
            raise
        raise ValueError(where) from err


def _ragged_at(data: Any, dim: int) -> str | None:
    """Where nested sequences `data` stop being rectangular, in PyTorch's words; None
    when they are rectangular."""
    if not isinstance(data, list | tuple) or not data:
        return None
    lengths = [len(d) if isinstance(d, list | tuple) else None for d in data]
    first = lengths[0]
    for n in lengths[1:]:
        if n != first:
            if first is None or n is None:
                return f"a sequence and a number are mixed at dim {dim + 1}"
            return f"expected sequence of length {first} at dim {dim + 1} (got {n})"
    for d in data:
        found = _ragged_at(d, dim + 1)
        if found is not None:
            return found
    return None


def _memory(array: np.ndarray) -> Any:
    """The object that owns `array`'s memory: the array itself, or the base every
    numpy view points to (numpy collapses chains of views to it)."""
    return array if array.base is None else array.base


def data_of(x: Any) -> np.ndarray:
    """The array of a tensor, or any array-like as an array."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def share(view: Tensor, base: Tensor) -> None:
    """Record that `view`'s data lies in the memory of `base`'s (a view op's output,
    `detach()`, `Tensor(t)`): the two join one family, whose members all take a new
    version when any of them is written in place (`increment_version`), as views in
    PyTorch share one version counter.

    A family is a list of weak references, shared by its members; at 16, 32, 64...
    entries it forgets the members that died (a parameter viewed at every step)."""
    with _families_lock:  # two threads viewing one tensor must not lose a member
        family = base._family
        if family is None:
            family = base._family = [_ref(base)]
        n = len(family)
        if n >= 16 and not n & (n - 1):
            family[:] = [r for r in family if r() is not None]
        family.append(_ref(view))
        view._family = family


def increment_version(t: Tensor) -> None:
    """Count one in-place write into `t.data`: `t` and every live tensor sharing its
    memory take a new version, so an op that saved any of them raises in backward.
    (PyTorch's `torch.autograd.graph.increment_version`; call it after writing into
    `t.data` by hand, as optimizers do.)"""
    t._version += 1
    if t._family is not None:  # (the usual tensor has none: no call)
        for other in aliases(t):
            other._version += 1
        _inplace.spoil_views(t)  # views PyTorch no longer lets a graph use


def aliases(t: Tensor) -> list[Tensor]:
    """The live tensors other than `t` whose data lies in the same memory."""
    if t._family is None:
        return []
    return [other for r in t._family if (other := r()) is not None and other is not t]


class Size(int):
    """A tensor's number of elements, as numpy's `size`, that can also be called as
    PyTorch's `size()` (the shape) and `size(dim)` (the length of one axis)."""

    shape: tuple[int, ...]

    def __new__(cls, n: int, shape: tuple[int, ...]) -> Size:
        out = super().__new__(cls, n)
        out.shape = shape
        return out

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        ndim = len(self.shape)
        if not -ndim <= dim < ndim:
            raise IndexError(f"size: dimension {dim} is out of range for {ndim} dimensions")
        return self.shape[dim]


#: The dtype kinds a Tensor holds: bool, signed and unsigned integers, floats.
_KINDS = "biuf"


def check_dtype(dtype: np.dtype, context: str) -> None:
    """Refuse dtypes outside bool, int and float, naming the problem in `context`.

    Complex numbers are refused rather than mishandled: their gradients need the
    conjugate (Wirtinger) convention, which no op here implements.
    """
    if dtype.kind in _KINDS:
        return
    if dtype.kind == "c":
        raise TypeError(
            f"{context}: complex dtype {dtype} is not supported (gradients of complex "
            "functions are not implemented); use two real tensors for the real and "
            "imaginary parts"
        )
    raise TypeError(f"{context}: dtype {dtype} is not numeric; tensors hold bool, int or float")


#: id -> weak reference of every live tensor with hooks or `retain_grad()` and every
#: node of a graph with hooks of its own (`Function.register_hook`): while
#: there is none, backward may take its fast path (`autograd.fastpath`), which runs
#: no hooks. (A plain dict: `not hooked_tensors` is the cheapest test there is.)
hooked_tensors: dict[int, weakref.ref] = {}


def watch_hooks(obj: Any) -> None:
    """Note that `obj` (a tensor, or a node of the graph) has hooks while it lives."""
    key = id(obj)
    if key not in hooked_tensors:
        hooked_tensors[key] = weakref.ref(obj, lambda _: hooked_tensors.pop(key, None))


def unwatch_hooks(obj: Any) -> None:
    """`obj` has no hooks left."""
    hooked_tensors.pop(id(obj), None)


class PostAccumulateGradHook:
    """A hook kept among a leaf's hooks by `register_post_accumulate_grad_hook`: backward
    calls it with the tensor once `.grad` holds the new total (not with the gradient)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Tensor], None]) -> None:
        self.fn = fn

    def __call__(self, tensor: Tensor) -> None:
        self.fn(tensor)


class RemovableHandle:
    """Returned by `register_hook`; `remove()` takes the hook off again."""

    def __init__(self, tensor: Tensor, hook: Callable[..., Any]) -> None:
        self._tensor, self._hook = weakref.ref(tensor), hook

    def remove(self) -> None:
        t = self._tensor()
        if t is not None and t._hooks and self._hook in t._hooks:
            t._hooks.remove(self._hook)
            if not t._hooks and not t._retains_grad:
                unwatch_hooks(t)


def _unpickle(cls: type[Tensor], data: np.ndarray, requires_grad: bool, name: Any) -> Tensor:
    """A tensor of class `cls` (Tensor, nn.Parameter, ...) made again from `__reduce__`."""
    out = object.__new__(cls)
    Tensor.__init__(out, data, requires_grad=requires_grad, name=name)
    return out


def _column_major_note(data: np.ndarray) -> str:
    """Why a tensor that torch would store row-major is not: an array laid out
    column-major from the start (nn.Linear's weight, or a view of an optimizer's flat
    buffer), not the transpose of a row-major one (which torch cannot view either)."""
    base = data.base
    if data.ndim == 2 and data.flags.f_contiguous and (base is None or base.ndim == 1):
        return (
            " (this tensor is stored column-major: nn.Linear stores its weight and the "
            "weight's gradient so, which makes x @ weight.T faster; where torch's "
            "weight.view(-1) works, .reshape(-1) gives the same values)"
        )
    return ""


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    Args:
        data: array-like. Python numbers and lists become the default float dtype
            (float32); numpy arrays keep their dtype.
        requires_grad: record operations on this tensor so `backward` can fill `.grad`.
        dtype: convert the data to this dtype.
        name: a label shown in `repr` and in graph drawings.

    Example:
        >>> x = Tensor(3.0, requires_grad=True)
        >>> y = x * x + 2 * x
        >>> y.backward()
        >>> x.grad.item()
        8.0
    """

    __slots__ = (
        "__dict__",  # attributes of the user's own (`inp.g = ...`), as torch allows
        "__weakref__",
        "_family",
        "_hooks",
        "_retains_grad",
        "_version",
        "_view_of",
        "data",
        "grad",
        "grad_fn",
        "name",
        "requires_grad",
    )
    __hash__ = object.__hash__
    #: set only on a view made by a view op (`autograd.ops.shape.link_view`)
    _view_of: tuple[Tensor, Any, np.ndarray, str | None, Any, tuple]

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: npt.DTypeLike | None = None,
        name: str | None = None,
    ) -> None:
        if type(requires_grad) is not bool and not isinstance(requires_grad, np.bool_):
            raise TypeError(  # (`Tensor(2, 3)` would otherwise be a 0-d tensor requiring grad)
                f"Tensor(): requires_grad must be a bool, got {requires_grad!r}; Tensor(data) "
                "wraps its data: for a tensor of a given shape use autograd.zeros(2, 3) or "
                "autograd.empty(2, 3)"
            )
        self.data = _as_array(data, dtype)
        self._family: list[weakref.ref[Tensor]] | None = None
        if isinstance(data, Tensor) and _memory(self.data) is _memory(data.data):
            share(self, data)  # Tensor(t) wraps t's array: one memory, one version history
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only float tensors can require grad, got dtype {self.data.dtype}; "
                "pass dtype=np.float32 (or float64)"
            )
        self.requires_grad = bool(requires_grad)
        self.grad: Tensor | None = None
        self.grad_fn: Any = None
        self.name = name
        self._hooks: list[Callable[..., Any]] | None = None
        self._retains_grad = False
        self._version = 0

    @classmethod
    def _make(cls, data: np.ndarray) -> Tensor:
        """Fast constructor for op outputs: no checks, no conversion."""
        t = object.__new__(Tensor)
        t.data = data
        t.requires_grad = False
        t.grad = t.grad_fn = t.name = t._hooks = t._family = None
        t._retains_grad = False
        t._version = 0
        return t

    shape = property(lambda self: self.data.shape, doc="Shape of the data, a tuple.")
    ndim = property(lambda self: self.data.ndim, doc="Number of dimensions.")
    size = property(
        lambda self: Size(self.data.size, self.data.shape),
        doc="Number of elements (numpy's `size`); `size()` and `size(dim)` as in PyTorch.",
    )
    dtype = property(lambda self: self.data.dtype, doc="numpy dtype of the data.")
    is_leaf = property(lambda self: self.grad_fn is None, doc="Made by the user, not by an op.")
    retains_grad = property(
        lambda self: self._retains_grad, doc="A non-leaf that keeps `.grad` (`retain_grad()`)."
    )
    version = property(
        lambda self: self._version, doc="How many in-place writes changed the data (`+=`, ...)."
    )
    T = property(lambda self: transpose(self), doc="Reversed axes, as numpy's `.T`.")

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Tensor | Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf that requires grad (of
        each of `inputs` only, when given)."""
        _graph.backward(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward. As in PyTorch, a tensor
        that does not require grad has no gradient to keep: an error, not a silent no-op."""
        if not self.requires_grad:
            raise RuntimeError(
                "can't retain_grad on a tensor that has requires_grad=False: it gets no "
                "gradient; compute it from a tensor that requires grad"
            )
        if self.grad_fn is None:
            return
        self._retains_grad = True
        watch_hooks(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. Returns a handle whose `remove()` unregisters it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        watch_hooks(self)
        return RemovableHandle(self, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """Call `hook(tensor)` after backward has added this leaf's gradient into `.grad`
        (an optimizer step per parameter, as in PyTorch). Returns a handle whose
        `remove()` unregisters it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors: "
                "use register_hook(hook) there"
            )
        wrapped = PostAccumulateGradHook(hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(wrapped)
        watch_hooks(self)
        return RemovableHandle(self, wrapped)

    def detach(self) -> Tensor:
        """A new tensor sharing this data (and its version history), cut from the graph."""
        out = Tensor._make(self.data)
        share(out, self)
        return out

    def __copy__(self) -> Tensor:
        """A new tensor over the same data, sharing its versions (as a view does)."""
        out = self._copy_slots(lambda value: value)
        share(out, self)
        return out

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        """A copy with memory of its own: it shares no versions with this tensor."""
        out = self._copy_slots(lambda value: copy.deepcopy(value, memo), memo)
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as torch pickles a tensor (what `multiprocessing` sends between
        processes): its values, dtype, class, requires_grad, name and the attributes
        the user gave it, made again as a leaf, without its gradient or graph."""
        state = self.__dict__ or None  # the user's own attributes, kept as torch keeps them
        return (_unpickle, (type(self), self.data, self.requires_grad, self.name), state)

    def _copy_slots(self, copy_value: Callable[[Any], Any], memo: dict | None = None) -> Tensor:
        out = object.__new__(type(self))
        if memo is not None:
            memo[id(self)] = out
        for slot in Tensor.__slots__:
            if slot not in ("__dict__", "__weakref__", "_family", "_view_of"):
                setattr(out, slot, copy_value(getattr(self, slot)))
        out._family = None
        for key, value in self.__dict__.items():  # the user's own attributes
            setattr(out, key, copy_value(value))
        return out

    def item(self) -> Any:
        size = self.data.size
        if size != 1:  # (numpy's message names arrays, not tensors)
            raise RuntimeError(f"a Tensor with {size} elements cannot be converted to Scalar")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def astype(self, dtype: npt.DTypeLike) -> Tensor:
        return astype(self, dtype)

    def zero_(self) -> Tensor:
        """Set every element to zero in place (the rules of ``x[...] = 0``)."""
        return _torch.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        return _torch.fill_(self, value)

    def copy_(self, src: Any) -> Tensor:
        """Copy `src` (broadcast, cast to this dtype) into this tensor, in place."""
        return _torch.fill_(self, src)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _torch.add_(self, other, alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _torch.sub_(self, other, alpha)

    def mul_(self, other: Any) -> Tensor:
        return _torch.mul_(self, other)

    def div_(self, other: Any) -> Tensor:
        return _torch.div_(self, other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return _torch.clamp_(self, min, max)

    clip_ = clamp_

    def clamp_min_(self, min: Any) -> Tensor:
        return _torch.clamp_(self, min, None)

    def clamp_max_(self, max: Any) -> Tensor:
        return _torch.clamp_(self, None, max)

    def exp_(self) -> Tensor:
        return _torch.assign_(self, self.exp())

    def relu_(self) -> Tensor:
        return _torch.assign_(self, self.relu())

    def sigmoid_(self) -> Tensor:
        return _torch.assign_(self, self.sigmoid())

    def tanh_(self) -> Tensor:
        return _torch.assign_(self, self.tanh())

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        return _torch.uniform_(self, a, b, generator=generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        return _torch.normal_(self, mean, std, generator=generator)

    def __array__(self, dtype: npt.DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        """numpy's protocol: `np.asarray(t)` shares the data, `np.array(t)` copies it
        (``copy=True``, as torch's `__array__` does for `np.array`), and ``copy=False``
        with another dtype raises, as numpy's own arrays do."""
        data = self.data
        if dtype is not None and np.dtype(dtype) != data.dtype:
            if copy is False:
                raise ValueError(
                    f"Unable to avoid copy while creating an array as requested: the "
                    f"tensor holds {data.dtype}, not {np.dtype(dtype)}"
                )
            return data.astype(dtype)
        return data.copy() if copy else data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.data)

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``, ``f"{loss}"``), as in
        PyTorch; other tensors as their repr (only with an empty format spec)."""
        if self.data.ndim == 0:
            return format(self.data.item(), format_spec)
        return object.__format__(self, format_spec)

    def __float__(self) -> float:
        return float(self._one_element("float"))

    def __int__(self) -> int:
        return int(self._one_element("int"))

    def __index__(self) -> int:
        """An integer tensor of one element as an index (``words[t]``), as in PyTorch."""
        if self.data.dtype.kind not in "iub":
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index, "
                f"got dtype {self.dtype}"
            )
        return int(self._one_element("an index"))

    def _one_element(self, to: str) -> Any:
        """The single element (PyTorch converts any one-element tensor, whatever its
        shape; numpy only 0-d arrays)."""
        if self.data.size != 1:
            raise TypeError(
                f"only one-element tensors can be converted to {to}, got shape {self.shape}"
            )
        return self.data.item()

    def __repr__(self) -> str:
        """As PyTorch prints a tensor (`autograd.printing`), named `Tensor`."""
        extra = []
        if self.grad_fn is not None:
            extra.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        if self.name:
            extra.append(f"name={self.name!r}")
        return tensor_repr(self.data, extra, get_default_dtype())

    # The operators call their op's `apply` directly, a Python call fewer than the
    # functions (`add`, `mul`, ...): 3% of an op on 0-d tensors.
    def __add__(self, other: Any) -> Tensor:
        return Add.apply(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return Add.apply(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return Sub.apply(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return Sub.apply(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return Mul.apply(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return Mul.apply(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return Div.apply(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return Div.apply(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return remainder(other, self)

    def remainder(self, other: Any) -> Tensor:
        return remainder(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        return floor_divide(self, other)

    def __pow__(self, other: Any) -> Tensor:
        return power(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return power(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return getitem(self, index)

    def __iadd__(self, other: Any) -> Tensor:
        return _inplace.update(self, np.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return _inplace.update(self, np.subtract, other)

    def __imul__(self, other: Any) -> Tensor:
        return _inplace.update(self, np.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return _inplace.update(self, np.true_divide, other)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _inplace.array_ufunc(ufunc, method, inputs, kwargs)

    def __setitem__(self, index: Any, value: Any) -> None:
        """`x[index] = value` in place, where PyTorch allows it and no graph is
        recorded: under `no_grad`, or when neither `x` nor `value` requires grad
        (`x[x < 0] = 0` on data; `with no_grad(): w[0] -= lr * g[0]` on a parameter)."""
        _inplace.setitem(self, index, value)

    def __lt__(self, other: Any) -> Tensor:
        return compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return compare(np.greater_equal, self, other)

    def __eq__(self, other: Any) -> Any:
        if other is None:  # `t == None` is False, as in PyTorch (not a tensor of False)
            return False
        return compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Any:
        if other is None:
            return True
        return compare(np.not_equal, self, other)

    def exp(self) -> Tensor:
        return exp(self)

    def log(self) -> Tensor:
        return log(self)

    def log10(self) -> Tensor:
        return log10(self)

    def log2(self) -> Tensor:
        return log2(self)

    def sqrt(self) -> Tensor:
        return sqrt(self)

    def sin(self) -> Tensor:
        return sin(self)

    def cos(self) -> Tensor:
        return cos(self)

    def sinh(self) -> Tensor:
        return sinh(self)

    def cosh(self) -> Tensor:
        return cosh(self)

    def tanh(self) -> Tensor:
        return tanh(self)

    def sigmoid(self) -> Tensor:
        return sigmoid(self)

    def relu(self) -> Tensor:
        return relu(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return leaky_relu(self, negative_slope)

    def elu(self, alpha: float = 1.0) -> Tensor:
        return elu(self, alpha)

    def gelu(self, approximate: str = "none") -> Tensor:
        return gelu(self, approximate)

    def softplus(self) -> Tensor:
        return softplus(self)

    def silu(self) -> Tensor:
        return silu(self)

    def erf(self) -> Tensor:
        return erf(self)

    def abs(self) -> Tensor:
        return abs(self)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:
        return clip(self, min, max)

    def sign(self) -> Tensor:
        return sign(self)

    def step(self) -> Tensor:
        return step(self)

    def sum(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        return sum(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def mean(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        return mean(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def max(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Any:
        """A Tensor; given PyTorch's `dim` or `keepdim`, the pair (values, indices) as in
        PyTorch; given another tensor, the elementwise maximum (PyTorch's `x.max(y)`)."""
        if isinstance(axis, Tensor | np.ndarray):
            return _torch.maximum(self, axis)
        return max(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def min(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Any:
        """A Tensor; given PyTorch's `dim` or `keepdim`, the pair (values, indices) as in
        PyTorch; given another tensor, the elementwise minimum (PyTorch's `x.min(y)`)."""
        if isinstance(axis, Tensor | np.ndarray):
            return _torch.minimum(self, axis)
        return min(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def var(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        ddof: int | None = None,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        correction: int | None = None,
        unbiased: bool | None = None,
    ) -> Tensor:
        """numpy's ddof=0 by default; PyTorch's correction=1 when given `dim` or `keepdim`."""
        return var(
            self,
            axis,
            keepdims,
            ddof,
            dim=dim,
            keepdim=keepdim,
            correction=correction,
            unbiased=unbiased,
        )

    def std(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        ddof: int | None = None,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        correction: int | None = None,
        unbiased: bool | None = None,
    ) -> Tensor:
        """numpy's ddof=0 by default; PyTorch's correction=1 when given `dim` or `keepdim`."""
        return std(
            self,
            axis,
            keepdims,
            ddof,
            dim=dim,
            keepdim=keepdim,
            correction=correction,
            unbiased=unbiased,
        )

    def logsumexp(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        return logsumexp(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def softmax(self, axis: int | None = None, dim: int | None = None) -> Tensor:
        return softmax(self, axis, dim=dim)

    def log_softmax(self, axis: int | None = None, dim: int | None = None) -> Tensor:
        return log_softmax(self, axis, dim=dim)

    def argmax(
        self,
        axis: int | None = None,
        keepdims: bool | None = None,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        return argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(
        self,
        axis: int | None = None,
        keepdims: bool | None = None,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        return argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def reshape(self, *shape: Any) -> Tensor:
        return reshape(self, *shape)

    def transpose(self, *axes: Any) -> Tensor:
        return transpose(self, *axes)

    def squeeze(self, axis: Any = None, *, dim: Any = None) -> Tensor:
        return squeeze(self, axis_arg("squeeze", axis, dim))

    def expand_dims(self, axis: Any) -> Tensor:
        return expand_dims(self, axis)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Dimensions `start_dim` to `end_dim` (all, by default) merged into one, as
        `torch.Tensor.flatten`; a view where the memory allows."""
        return _layout.flatten(self, start_dim, end_dim)

    def broadcast_to(self, shape: tuple[int, ...]) -> Tensor:
        return broadcast_to(self, shape)

    # PyTorch's names for the methods above (`autograd.ops.torch_methods` holds the few
    # that are more than a rename).
    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    nelement = numel

    def view(self, *shape: Any) -> Tensor:
        """The same memory in another shape, as `torch.Tensor.view`. Where the strides
        do not allow that (a transpose flattened, say) it raises, as PyTorch does,
        instead of copying as `reshape` does: writes into a copy would not reach `self`."""
        data = self.data
        if not data.flags.c_contiguous:
            size = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
            try:
                np.reshape(data, size, copy=False)
            except ValueError as err:
                if "copy" in str(err):  # (a shape that does not fit: reshape names it)
                    raise RuntimeError(
                        f"view: shape {tuple(size)} is not compatible with the size and "
                        f"stride {self.stride()} of this tensor of shape {self.shape} (at "
                        "least one dimension spans across two contiguous subspaces). "
                        f"Use .reshape(...) instead{_column_major_note(data)}"
                    ) from None
            except TypeError:
                pass  # not a shape: reshape names the problem
        return reshape(self, *shape)

    def unsqueeze(self, dim: int) -> Tensor:
        return expand_dims(self, dim)

    def permute(self, *dims: Any) -> Tensor:
        return permute(self, *dims)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        return transpose(self, axis1, axis2)

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped, as PyTorch's ``x.mT`` (a batch of matrices
        transposed); needs at least two dimensions."""
        if self.data.ndim < 2:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. "
                f"Got {self.data.ndim}-D tensor."
            )
        return transpose(self, -2, -1)

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def floor(self) -> Tensor:
        return _elementwise.floor(self)

    def ceil(self) -> Tensor:
        return _elementwise.ceil(self)

    def trunc(self) -> Tensor:
        return _elementwise.trunc(self)

    def round(self, decimals: int = 0) -> Tensor:
        return _elementwise.round(self, decimals=decimals)

    def pow(self, exponent: Any) -> Tensor:
        return power(self, exponent)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return clip(self, min, max)

    def clamp_min(self, min: Any) -> Tensor:
        return _elementwise.clamp_min(self, min)

    def clamp_max(self, max: Any) -> Tensor:
        return _elementwise.clamp_max(self, max)

    def norm(self, p: float | str = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        return norm(self, p, dim=dim, keepdim=keepdim)

    def t(self) -> Tensor:
        if self.data.ndim > 2:
            raise ValueError(
                f"t() expects a tensor with at most 2 dimensions, got shape {self.shape}"
            )
        return transpose(self)

    def type(self, dtype: npt.DTypeLike | None = None) -> Any:
        """With a dtype, `self` converted to it (itself if it already has it); without,
        the name of the dtype, as PyTorch's `x.type()` names the tensor type."""
        if dtype is None:
            return f"autograd.Tensor[{self.dtype}]"
        return _torch.to_dtype(self, dtype)

    def clone(self) -> Tensor:
        return astype(self, self.dtype)  # a copy in the graph; the gradient passes as it is

    def float(self) -> Tensor:
        return _torch.to_dtype(self, np.float32)

    def double(self) -> Tensor:
        return _torch.to_dtype(self, np.float64)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _torch.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _torch.any(self, dim, keepdim)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return _torch.masked_fill(self, mask, value)

    def tril(self, diagonal: int = 0) -> Tensor:
        return _torch.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return _torch.triu(self, diagonal)

    def eq(self, other: Any) -> Tensor:
        return compare(np.equal, self, other)

    def ne(self, other: Any) -> Tensor:
        return compare(np.not_equal, self, other)

    def lt(self, other: Any) -> Tensor:
        return compare(np.less, self, other)

    def le(self, other: Any) -> Tensor:
        return compare(np.less_equal, self, other)

    def gt(self, other: Any) -> Tensor:
        return compare(np.greater, self, other)

    def ge(self, other: Any) -> Tensor:
        return compare(np.greater_equal, self, other)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return add(self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return sub(self, other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return divide(self, other, rounding_mode)

    def neg(self) -> Tensor:
        return neg(self)

    def rsqrt(self) -> Tensor:
        return _elementwise.rsqrt(self)

    def square(self) -> Tensor:
        return _elementwise.square(self)

    def matmul(self, other: Any) -> Tensor:
        return matmul(self, other)

    def mm(self, mat2: Any) -> Tensor:
        return _linalg.mm(self, mat2)

    def mv(self, vec: Any) -> Tensor:
        return _linalg.mv(self, vec)

    def bmm(self, mat2: Any) -> Tensor:
        return _linalg.bmm(self, mat2)

    def dot(self, other: Any) -> Tensor:
        return _linalg.dot(self, other)

    def outer(self, vec2: Any) -> Tensor:
        return _linalg.outer(self, vec2)

    def diag(self, diagonal: int = 0) -> Tensor:
        return _linalg.diag(self, diagonal)

    def trace(self) -> Tensor:
        return _linalg.trace(self)

    def cumsum(
        self, dim: int | None = None, *, axis: int | None = None, dtype: npt.DTypeLike | None = None
    ) -> Tensor:
        return _cumulative.cumsum(self, dim, axis=axis, dtype=dtype)

    def prod(
        self,
        axis: Any = None,
        keepdims: bool | None = None,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        dtype: npt.DTypeLike | None = None,
    ) -> Tensor:
        return _cumulative.prod(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _cumulative.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _cumulative.amin(self, dim, keepdim)

    def cumprod(
        self, dim: int | None = None, *, axis: int | None = None, dtype: npt.DTypeLike | None = None
    ) -> Tensor:
        return _cumulative.cumprod(self, dim, axis=axis, dtype=dtype)

    def logcumsumexp(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        return _cumulative.logcumsumexp(self, dim, axis=axis)

    def cummax(self, dim: int) -> Any:
        return _cumulative.cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        return _cumulative.cummin(self, dim)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return _order.median(self, dim, keepdim)

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return _order.nanmedian(self, dim, keepdim)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return _order.kthvalue(self, k, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return _order.mode(self, dim, keepdim)

    def msort(self) -> Tensor:
        return _order.msort(self)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return _order.aminmax(self, dim=dim, keepdim=keepdim)

    def nansum(
        self, dim: Any = None, keepdim: bool = False, *, dtype: npt.DTypeLike | None = None
    ) -> Tensor:
        return _stats.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(
        self, dim: Any = None, keepdim: bool = False, *, dtype: npt.DTypeLike | None = None
    ) -> Tensor:
        return _stats.nanmean(self, dim, keepdim, dtype=dtype)

    def nan_to_num(self, nan: Any = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
        return _stats.nan_to_num(self, nan, posinf, neginf)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        return _along.diff(self, n, dim, prepend, append)

    def repeat_interleave(
        self, repeats: Any, dim: int | None = None, *, output_size: Any = None
    ) -> Tensor:
        return _along.repeat_interleave(self, repeats, dim, output_size=output_size)

    def select(self, dim: int, index: int) -> Tensor:
        return _along.select(self, dim, index)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        return _indexing.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        return _indexing.argsort(self, dim, descending, stable=stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return _indexing.topk(self, k, dim, largest, sorted)

    def gather(self, dim: int, index: Any) -> Tensor:
        return _indexing.gather(self, dim, index)

    def histogram(
        self, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False
    ) -> Any:
        return _histogram.histogram(self, bins, range=range, weight=weight, density=density)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
        return _indexing.scatter(self, dim, index, src, value=value)

    def scatter_(self, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
        return _torch.fill_(self, _indexing.scatter(self, dim, index, src, value=value))

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        return _indexing.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        return _torch.fill_(self, _indexing.scatter_add(self, dim, index, src))

    def index_select(self, dim: int, index: Any) -> Tensor:
        return _indexing.index_select(self, dim, index)

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return _indexing.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return _torch.fill_(self, _indexing.index_add(self, dim, index, source, alpha=alpha))

    def index_put(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return _indexing.index_put(self, indices, values, accumulate)

    def index_put_(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        put = _indexing.index_put(self, indices, values, accumulate, _name="index_put_")
        return _torch.fill_(self, put)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return _torch.fill_(self, _torch.masked_fill(self, mask, value))

    def isnan(self) -> Tensor:
        return _logical.isnan(self)

    def isinf(self) -> Tensor:
        return _logical.isinf(self)

    def logical_not(self) -> Tensor:
        return _logical.logical_not(self)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return _logical.nonzero(self, as_tuple=as_tuple)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return _logical.count_nonzero(self, dim)

    def view_as(self, other: Tensor) -> Tensor:
        return reshape(self, other.shape)

    reshape_as = view_as

    def expand(self, *sizes: Any) -> Tensor:
        return _layout.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return _layout.expand(self, other.shape)

    def repeat(self, *repeats: Any) -> Tensor:
        return _layout.repeat(self, *repeats)

    def flip(self, *dims: Any) -> Tensor:
        return _layout.flip(self, dims[0] if len(dims) == 1 else dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _layout.roll(self, shifts, dims)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _layout.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return _torch.unbind(self, dim)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _layout.split(self, split_size, dim)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return _layout.narrow(self, dim, start, length)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _layout.diagonal(self, offset, dim1, dim2)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _layout.movedim(self, source, destination)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return _layout.unflatten(self, dim, sizes)

    def is_contiguous(self) -> bool:
        return bool(self.data.flags.c_contiguous)

    def contiguous(self) -> Tensor:
        return _memory_ops.contiguous(self)

    def stride(self, dim: int | None = None) -> Any:
        return _memory_ops.stride(self, dim)

    def storage(self) -> Any:
        return _memory_ops.storage(self)

    def storage_offset(self) -> int:
        return _memory_ops.storage_offset(self)

    def data_ptr(self) -> int:
        return _memory_ops.data_ptr(self)

    def element_size(self) -> int:
        return self.data.itemsize

    nbytes = property(lambda self: self.data.nbytes, doc="Bytes of the data, as PyTorch's.")
    itemsize = property(lambda self: self.data.itemsize, doc="Bytes per element.")

    def new_zeros(self, *size: Any, **options: Any) -> Tensor:
        return _memory_ops.new_zeros(self, *size, **options)

    def new_ones(self, *size: Any, **options: Any) -> Tensor:
        return _memory_ops.new_ones(self, *size, **options)

    def new_empty(self, *size: Any, **options: Any) -> Tensor:
        return _memory_ops.new_empty(self, *size, **options)

    def new_full(self, size: Any, fill_value: Any, **options: Any) -> Tensor:
        return _memory_ops.new_full(self, size, fill_value, **options)

    def new_tensor(self, data: Any, **options: Any) -> Tensor:
        return _memory_ops.new_tensor(self, data, **options)

    def type_as(self, other: Tensor) -> Tensor:
        return _torch.to_dtype(self, other.dtype)

    def half(self) -> Tensor:
        return _torch.to_dtype(self, np.float16)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place (it becomes a leaf that does not
        require grad), as PyTorch's `detach_()`."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        return _torch.to(self, *args, **kwargs)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        return _torch.to(self, "cuda")  # raises: no CUDA here

    @property
    def device(self) -> Any:
        """Always the CPU (`autograd.device("cpu")`), as a PyTorch CPU tensor's."""
        return _CPU

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        return _torch.requires_grad_(self, requires_grad)

    @property
    def values(self) -> Any:
        raise AttributeError(_NOT_A_PAIR)

    @property
    def indices(self) -> Any:
        raise AttributeError(_NOT_A_PAIR)

    # PyTorch's functions, batch 3: methods calling `autograd.ops.select_more`,
    # `autograd.ops.products_more` and `autograd.linalg` (imported here: they import
    # this module).

    def unique(
        self,
        sorted: bool = True,
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: Any = None,
    ) -> Any:
        from autograd.ops.select_more import unique

        return unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(
        self, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
    ) -> Any:
        from autograd.ops.select_more import unique_consecutive

        return unique_consecutive(self, return_inverse, return_counts, dim)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        from autograd.ops.select_more import bincount

        return bincount(self, weights, minlength)

    def histc(self, bins: int = 100, min: Any = 0, max: Any = 0) -> Tensor:
        from autograd.ops.select_more import histc

        return histc(self, bins, min, max)

    def masked_select(self, mask: Any) -> Tensor:
        from autograd.ops.select_more import masked_select

        return masked_select(self, mask)

    def take(self, index: Any) -> Tensor:
        from autograd.ops.select_more import take

        return take(self, index)

    def take_along_dim(self, indices: Any, dim: Any = None) -> Tensor:
        from autograd.ops.select_more import take_along_dim

        return take_along_dim(self, indices, dim)

    def argwhere(self) -> Tensor:
        from autograd.ops.select_more import argwhere

        return argwhere(self)

    def inner(self, other: Any) -> Tensor:
        from autograd.ops.products_more import inner

        return inner(self, other)

    def kron(self, other: Any) -> Tensor:
        from autograd.ops.products_more import kron

        return kron(self, other)

    def cross(self, other: Any, dim: Any = None) -> Tensor:
        from autograd.ops.products_more import cross

        return cross(self, other, dim)

    def dist(self, other: Any, p: Any = 2) -> Tensor:
        from autograd.ops.products_more import dist

        return dist(self, other, p)

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
        from autograd.ops.products_more import cov

        return cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> Tensor:
        from autograd.ops.products_more import corrcoef

        return corrcoef(self)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        from autograd.ops.products_more import diag_embed

        return diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset: int = 0) -> Tensor:
        from autograd.ops.products_more import diagflat

        return diagflat(self, offset)

    def inverse(self) -> Tensor:
        from autograd.linalg import inv

        return inv(self)

    def det(self) -> Tensor:
        from autograd.linalg import det

        return det(self)

    def logdet(self) -> Tensor:
        from autograd.linalg import logdet

        return logdet(self)

    # end of PyTorch's functions, batch 3

    # PyTorch's methods, batch 4 (`autograd.ops.torch_more`, `autograd.ops.scatter_more`)

    def isclose(
        self, other: Any, rtol: Any = 1e-5, atol: Any = 1e-8, equal_nan: Any = False
    ) -> Tensor:
        return _torch.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self, other: Any, rtol: Any = 1e-5, atol: Any = 1e-8, equal_nan: Any = False
    ) -> Any:
        return _torch.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Any) -> Any:
        return _torch.equal(self, other)

    def maximum(self, other: Any) -> Tensor:
        return _torch.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _torch.minimum(self, other)

    def where(self, condition: Any, y: Any) -> Tensor:
        return _more.where_method(self, condition, y)

    def logical_and(self, other: Any) -> Tensor:
        return _logical.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _logical.logical_or(self, other)

    def greater(self, other: Any) -> Tensor:
        return _aliases.gt(self, other)

    def greater_equal(self, other: Any) -> Tensor:
        return _aliases.ge(self, other)

    def less(self, other: Any) -> Tensor:
        return _aliases.lt(self, other)

    def less_equal(self, other: Any) -> Tensor:
        return _aliases.le(self, other)

    def not_equal(self, other: Any) -> Tensor:
        return _aliases.ne(self, other)

    def positive(self) -> Tensor:
        return _more.positive(self)

    def ndimension(self) -> int:
        return self.data.ndim

    def is_complex(self) -> bool:
        return False  # complex tensors are refused (`check_dtype`)

    def is_signed(self) -> bool:
        return self.data.dtype.kind in "if"

    def is_same_size(self, other: Tensor) -> bool:
        return self.data.shape == other.data.shape

    is_cpu = property(lambda self: True, doc="Always True: the CPU is the one device.")

    def get_device(self) -> int:
        return -1  # PyTorch's answer for a CPU tensor

    def is_inference(self) -> bool:
        return False  # `inference_mode` is `no_grad` here: no inference tensors

    real = property(lambda self: self, doc="A real tensor itself, as PyTorch's.")

    @property
    def imag(self) -> Tensor:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    def asinh(self) -> Tensor:
        return _more.asinh(self)

    def acosh(self) -> Tensor:
        return _more.acosh(self)

    def atanh(self) -> Tensor:
        return _more.atanh(self)

    arcsinh = asinh
    arccosh = acosh
    arctanh = atanh

    def copysign(self, other: Any) -> Tensor:
        return _more.copysign(self, other)

    def ldexp(self, other: Any) -> Tensor:
        return _more.ldexp(self, other)

    def logaddexp2(self, other: Any) -> Tensor:
        return _more.logaddexp2(self, other)

    def sum_to_size(self, *size: Any) -> Tensor:
        return _more.sum_to_size(self, *size)

    def vdot(self, other: Any) -> Tensor:
        return _more.vdot(self, other)

    def ger(self, vec2: Any) -> Tensor:
        return _more.ger(self, vec2)

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _more.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addr(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _more.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _more.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv_(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _math_more.in_place(self, "addmv", mat, vec, beta=beta, alpha=alpha)

    def addr_(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _math_more.in_place(self, "addr", vec1, vec2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _math_more.in_place(self, "addbmm", batch1, batch2, beta=beta, alpha=alpha)

    def split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _more.split_with_sizes(self, split_sizes, dim)

    def byte(self) -> Tensor:
        return _torch.to_dtype(self, np.uint8)

    def char(self) -> Tensor:
        return _torch.to_dtype(self, np.int8)

    def short(self) -> Tensor:
        return _torch.to_dtype(self, np.int16)

    def round_(self, decimals: int = 0) -> Tensor:
        return _math_more.in_place(self, "round", decimals)

    def logit_(self, eps: Any = None) -> Tensor:
        return _math_more.in_place(self, "logit", eps)

    def nan_to_num_(self, nan: Any = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
        return _math_more.in_place(self, "nan_to_num", nan, posinf, neginf)

    def divide_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _math_more.in_place(self, "divide", other, rounding_mode=rounding_mode)

    def cumsum_(self, dim: int) -> Tensor:
        return _math_more.in_place(self, "cumsum", dim)

    def cumprod_(self, dim: int) -> Tensor:
        return _math_more.in_place(self, "cumprod", dim)

    def fix(self) -> Tensor:
        return self.trunc()

    def abs_(self) -> Tensor:
        return _math_more.in_place(self, "abs")

    def neg_(self) -> Tensor:
        return _math_more.in_place(self, "neg")

    def sqrt_(self) -> Tensor:
        return _math_more.in_place(self, "sqrt")

    def rsqrt_(self) -> Tensor:
        return _math_more.in_place(self, "rsqrt")

    def sin_(self) -> Tensor:
        return _math_more.in_place(self, "sin")

    def cos_(self) -> Tensor:
        return _math_more.in_place(self, "cos")

    def log_(self) -> Tensor:
        return _math_more.in_place(self, "log")

    def log2_(self) -> Tensor:
        return _math_more.in_place(self, "log2")

    def log10_(self) -> Tensor:
        return _math_more.in_place(self, "log10")

    def sinh_(self) -> Tensor:
        return _math_more.in_place(self, "sinh")

    def cosh_(self) -> Tensor:
        return _math_more.in_place(self, "cosh")

    def floor_(self) -> Tensor:
        return _math_more.in_place(self, "floor")

    def ceil_(self) -> Tensor:
        return _math_more.in_place(self, "ceil")

    def trunc_(self) -> Tensor:
        return _math_more.in_place(self, "trunc")

    def sign_(self) -> Tensor:
        return _math_more.in_place(self, "sign")

    def square_(self) -> Tensor:
        return _math_more.in_place(self, "square")

    def tan_(self) -> Tensor:
        return _math_more.in_place(self, "tan")

    def asin_(self) -> Tensor:
        return _math_more.in_place(self, "asin")

    def acos_(self) -> Tensor:
        return _math_more.in_place(self, "acos")

    def atan_(self) -> Tensor:
        return _math_more.in_place(self, "atan")

    def erf_(self) -> Tensor:
        return _math_more.in_place(self, "erf")

    def erfc_(self) -> Tensor:
        return _math_more.in_place(self, "erfc")

    def lgamma(self) -> Tensor:
        return _gamma.lgamma(self)

    def digamma(self) -> Tensor:
        return _gamma.digamma(self)

    def polygamma(self, n: int) -> Tensor:
        return _gamma.polygamma(n, self)

    def mvlgamma(self, p: int) -> Tensor:
        return _gamma.mvlgamma(self, p)

    def i0(self) -> Tensor:
        return _gamma.i0(self)

    def erfinv_(self) -> Tensor:
        return _math_more.in_place(self, "erfinv")

    def lgamma_(self) -> Tensor:
        return _math_more.in_place(self, "lgamma")

    def digamma_(self) -> Tensor:
        return _math_more.in_place(self, "digamma")

    def polygamma_(self, n: int) -> Tensor:
        return _math_more.in_place(self, "polygamma", n)

    def mvlgamma_(self, p: int) -> Tensor:
        return _math_more.in_place(self, "mvlgamma", p)

    def i0_(self) -> Tensor:
        return _math_more.in_place(self, "i0")

    def exp2_(self) -> Tensor:
        return _math_more.in_place(self, "exp2")

    def sinc_(self) -> Tensor:
        return _math_more.in_place(self, "sinc")

    def deg2rad_(self) -> Tensor:
        return _math_more.in_place(self, "deg2rad")

    def rad2deg_(self) -> Tensor:
        return _math_more.in_place(self, "rad2deg")

    def sgn_(self) -> Tensor:
        return _math_more.in_place(self, "sgn")

    def negative_(self) -> Tensor:
        return _math_more.in_place(self, "negative")

    def absolute_(self) -> Tensor:
        return _math_more.in_place(self, "absolute")

    def arcsin_(self) -> Tensor:
        return _math_more.in_place(self, "arcsin")

    def arccos_(self) -> Tensor:
        return _math_more.in_place(self, "arccos")

    def arctan_(self) -> Tensor:
        return _math_more.in_place(self, "arctan")

    def asinh_(self) -> Tensor:
        return _math_more.in_place(self, "asinh")

    def acosh_(self) -> Tensor:
        return _math_more.in_place(self, "acosh")

    def atanh_(self) -> Tensor:
        return _math_more.in_place(self, "atanh")

    def arcsinh_(self) -> Tensor:
        return _math_more.in_place(self, "arcsinh")

    def arccosh_(self) -> Tensor:
        return _math_more.in_place(self, "arccosh")

    def arctanh_(self) -> Tensor:
        return _math_more.in_place(self, "arctanh")

    def logical_not_(self) -> Tensor:
        return _math_more.in_place(self, "logical_not")

    def fix_(self) -> Tensor:
        return _math_more.in_place(self, "fix")

    def pow_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "pow", other)

    def remainder_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "remainder", other)

    def float_power_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "float_power", other)

    def heaviside_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "heaviside", other)

    def multiply_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "multiply", other)

    def subtract_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "subtract", other)

    def true_divide_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "true_divide", other)

    def floor_divide_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "floor_divide", other)

    def arctan2_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "arctan2", other)

    def eq_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "eq", other)

    def ne_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "ne", other)

    def lt_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "lt", other)

    def le_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "le", other)

    def gt_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "gt", other)

    def ge_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "ge", other)

    def greater_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "greater", other)

    def greater_equal_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "greater_equal", other)

    def less_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "less", other)

    def less_equal_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "less_equal", other)

    def not_equal_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "not_equal", other)

    def logical_and_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "logical_and", other)

    def logical_or_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "logical_or", other)

    def logical_xor_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "logical_xor", other)

    def copysign_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "copysign", other)

    def ldexp_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "ldexp", other)

    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor:
        return _scatter_more.index_fill(self, dim, index, value)

    def index_copy(self, dim: int, index: Any, source: Any) -> Tensor:
        return _scatter_more.index_copy(self, dim, index, source)

    def masked_scatter(self, mask: Any, source: Any) -> Tensor:
        return _scatter_more.masked_scatter(self, mask, source)

    def select_scatter(self, src: Any, dim: int, index: Any) -> Tensor:
        return _scatter_more.select_scatter(self, src, dim, index)

    def slice_scatter(
        self, src: Any, dim: int = 0, start: Any = None, end: Any = None, step: Any = 1
    ) -> Tensor:
        return _scatter_more.slice_scatter(self, src, dim, start, end, step)

    def diagonal_scatter(self, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _scatter_more.diagonal_scatter(self, src, offset, dim1, dim2)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return _scatter_more.unfold(self, dimension, size, step)

    def renorm(self, p: Any, dim: int, maxnorm: Any) -> Tensor:
        return _scatter_more.renorm(self, p, dim, maxnorm)

    def quantile(
        self, q: Any, dim: Any = None, keepdim: Any = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return _scatter_more.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(
        self, q: Any, dim: Any = None, keepdim: Any = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return _scatter_more.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Tensor:
        return _math_more.in_place(self, "index_fill", dim, index, value)

    def index_copy_(self, dim: int, index: Any, source: Any) -> Tensor:
        return _math_more.in_place(self, "index_copy", dim, index, source)

    def masked_scatter_(self, mask: Any, source: Any) -> Tensor:
        return _math_more.in_place(self, "masked_scatter", mask, source)

    def renorm_(self, p: Any, dim: int, maxnorm: Any) -> Tensor:
        return _math_more.in_place(self, "renorm", p, dim, maxnorm)

    def cholesky(self, upper: Any = False) -> Tensor:
        from autograd.ops.decompositions import cholesky

        return cholesky(self, upper=upper)

    def qr(self, some: Any = True) -> Any:
        from autograd.ops.decompositions import qr_

        return qr_(self, some)

    def pinverse(self, rcond: Any = 1e-15) -> Tensor:
        from autograd.ops.decompositions import pinverse

        return pinverse(self, rcond)

    def matrix_power(self, n: Any) -> Tensor:
        from autograd.ops.decompositions import matrix_power

        return matrix_power(self, n)

    def matrix_exp(self) -> Tensor:
        from autograd.ops.decompositions import matrix_exp

        return matrix_exp(self)

    def slogdet(self) -> Any:
        from autograd.linalg import slogdet

        return slogdet(self)

    def scatter_reduce(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: Any = True
    ) -> Tensor:
        return _scatter_more.scatter_reduce(
            self, dim, index, src, reduce, include_self=include_self
        )

    def scatter_reduce_(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: Any = True
    ) -> Tensor:
        return _math_more.in_place(
            self, "scatter_reduce", dim, index, src, reduce, include_self=include_self
        )

    # End of PyTorch's methods, batch 4

    # Last: inside the class body these names hide the built-ins `int` and `bool`.

    def long(self) -> Tensor:
        return _torch.to_dtype(self, np.int64)

    def int(self) -> Tensor:
        return _torch.to_dtype(self, np.int32)

    def bool(self) -> Tensor:
        return _torch.to_dtype(self, np.bool_)

    # PyTorch's methods, batch 2 (`autograd.ops.math_more`, `autograd.ops.aliases`)

    def log1p(self) -> Tensor:
        return _math_more.log1p(self)

    def expm1(self) -> Tensor:
        return _math_more.expm1(self)

    def tan(self) -> Tensor:
        return _math_more.tan(self)

    def asin(self) -> Tensor:
        return _math_more.asin(self)

    def acos(self) -> Tensor:
        return _math_more.acos(self)

    def atan(self) -> Tensor:
        return _math_more.atan(self)

    def reciprocal(self) -> Tensor:
        return _math_more.reciprocal(self)

    def erfc(self) -> Tensor:
        return _math_more.erfc(self)

    def erfinv(self) -> Tensor:
        return _math_more.erfinv(self)

    def exp2(self) -> Tensor:
        return _math_more.exp2(self)

    def sinc(self) -> Tensor:
        return _math_more.sinc(self)

    def frac(self) -> Tensor:
        return _math_more.frac(self)

    def deg2rad(self) -> Tensor:
        return _math_more.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return _math_more.rad2deg(self)

    def sgn(self) -> Tensor:
        return _math_more.sgn(self)

    def atan2(self, other: Any) -> Tensor:
        return _math_more.atan2(self, other)

    def hypot(self, other: Any) -> Tensor:
        return _math_more.hypot(self, other)

    def xlogy(self, other: Any) -> Tensor:
        return _math_more.xlogy(self, other)

    def logaddexp(self, other: Any) -> Tensor:
        return _math_more.logaddexp(self, other)

    def fmod(self, other: Any) -> Tensor:
        return _math_more.fmod(self, other)

    def fmax(self, other: Any) -> Tensor:
        return _math_more.fmax(self, other)

    def fmin(self, other: Any) -> Tensor:
        return _math_more.fmin(self, other)

    def float_power(self, exponent: Any) -> Tensor:
        return _math_more.float_power(self, exponent)

    def heaviside(self, values: Any) -> Tensor:
        return _math_more.heaviside(self, values)

    arcsin = asin
    arccos = acos
    arctan = atan
    arctan2 = atan2

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return _math_more.lerp(self, end, weight)

    def logit(self, eps: Any = None) -> Tensor:
        return _math_more.logit(self, eps)

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _math_more.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _math_more.addcdiv(self, tensor1, tensor2, value=value)

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _math_more.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _math_more.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def log1p_(self) -> Tensor:
        return _math_more.in_place(self, "log1p")

    def expm1_(self) -> Tensor:
        return _math_more.in_place(self, "expm1")

    def reciprocal_(self) -> Tensor:
        return _math_more.in_place(self, "reciprocal")

    def frac_(self) -> Tensor:
        return _math_more.in_place(self, "frac")

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return _math_more.in_place(self, "lerp", end, weight)

    def atan2_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "atan2", other)

    def hypot_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "hypot", other)

    def xlogy_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "xlogy", other)

    def fmod_(self, other: Any) -> Tensor:
        return _math_more.in_place(self, "fmod", other)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _math_more.in_place(self, "addcmul", tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _math_more.in_place(self, "addcdiv", tensor1, tensor2, value=value)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        return _aliases.moveaxis(self, source, destination)

    def swapdims(self, dim0: Any, dim1: Any) -> Tensor:
        return _aliases.swapaxes(self, dim0, dim1)

    def ravel(self) -> Tensor:
        return _aliases.ravel(self)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return divide(self, other, rounding_mode)

    def multiply(self, other: Any) -> Tensor:
        return mul(self, other)

    def subtract(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return sub(self, other, alpha=alpha)

    def negative(self) -> Tensor:
        return neg(self)

    def true_divide(self, other: Any) -> Tensor:
        return _aliases.true_divide(self, other)

    def absolute(self) -> Tensor:
        return abs(self)

    def tile(self, *dims: Any) -> Tensor:
        return _aliases.tile(
            self, dims[0] if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)) else dims
        )

    def fliplr(self) -> Tensor:
        return _aliases.fliplr(self)

    def flipud(self) -> Tensor:
        return _aliases.flipud(self)

    def rot90(self, k: Any = 1, dims: Any = (0, 1)) -> Tensor:
        return _aliases.rot90(self, k, dims)

    def tensor_split(self, indices_or_sections: Any, dim: Any = 0) -> tuple[Tensor, ...]:
        return _aliases.tensor_split(self, indices_or_sections, dim)

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return _aliases.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return _aliases.vsplit(self, indices_or_sections)

    def isfinite(self) -> Tensor:
        return _aliases.isfinite(self)

    def isposinf(self) -> Tensor:
        return _aliases.isposinf(self)

    def isneginf(self) -> Tensor:
        return _aliases.isneginf(self)

    def signbit(self) -> Tensor:
        return _aliases.signbit(self)

    def logical_xor(self, other: Any) -> Tensor:
        return _aliases.logical_xor(self, other)

    def is_nonzero(self) -> Any:
        return _aliases.is_nonzero(self)

    # End of PyTorch's methods, batch 2


_NOT_A_PAIR = (
    "a Tensor has no .values or .indices: x.max(1) and x.min(1) follow numpy (the values "
    "alone); write x.max(dim=1) (or x.max(1, keepdim=False)) for PyTorch's (values, indices)"
)

# Imported last: the ops need the Tensor class above, and the methods above call them.
from autograd import graph as _graph  # noqa: E402
from autograd import inplace as _inplace  # noqa: E402
from autograd.device import device as _device  # noqa: E402
from autograd.ops import aliases as _aliases  # noqa: E402
from autograd.ops import along as _along  # noqa: E402
from autograd.ops import cumulative as _cumulative  # noqa: E402
from autograd.ops import elementwise as _elementwise  # noqa: E402
from autograd.ops import gamma as _gamma  # noqa: E402
from autograd.ops import histogram as _histogram  # noqa: E402
from autograd.ops import indexing as _indexing  # noqa: E402
from autograd.ops import layout as _layout  # noqa: E402
from autograd.ops import linalg as _linalg  # noqa: E402
from autograd.ops import logical as _logical  # noqa: E402
from autograd.ops import math_more as _math_more  # noqa: E402
from autograd.ops import memory as _memory_ops  # noqa: E402
from autograd.ops import order as _order  # noqa: E402
from autograd.ops import scatter_more as _scatter_more  # noqa: E402
from autograd.ops import stats as _stats  # noqa: E402
from autograd.ops import torch_methods as _torch  # noqa: E402
from autograd.ops import torch_more as _more  # noqa: E402
from autograd.ops.args import axis_arg  # noqa: E402
from autograd.ops.arith import (  # noqa: E402
    Add,
    Div,
    Mul,
    Neg,
    Sub,
    abs,
    add,
    astype,
    compare,
    divide,
    floor_divide,
    matmul,
    mul,
    neg,
    power,
    remainder,
    sub,
)
from autograd.ops.elementwise import (  # noqa: E402
    clip,
    cos,
    cosh,
    elu,
    erf,
    exp,
    gelu,
    leaky_relu,
    log,
    log2,
    log10,
    relu,
    sigmoid,
    sign,
    silu,
    sin,
    sinh,
    softplus,
    sqrt,
    step,
    tanh,
)
from autograd.ops.reduce import (  # noqa: E402
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    softmax,
    std,
    sum,
    var,
)
from autograd.ops.shape import (  # noqa: E402
    broadcast_to,
    expand_dims,
    getitem,
    permute,
    reshape,
    squeeze,
    transpose,
)

_CPU = _device("cpu")  # what `Tensor.device` gives: the one device there is
