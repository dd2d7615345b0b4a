"""Random programs run side by side on autograd and PyTorch (float64).

A program starts from one or two leaf tensors and applies `depth` ops drawn from
`SPECS`; each op's arguments (axes, keepdims, indices, masks, the other operand)
are drawn to suit the current shape. Every value exists twice, as a `Pair` of our
Tensor and the torch tensor, so both sides compute the same program step by step.

Ops whose formula has a domain (log, sqrt, division, pow) receive inputs mapped into
it (x * x + 0.5), and ops on probabilities receive sigmoids, so programs stay finite.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import autograd
from autograd import Tensor

torch: Any = None  # set by `use_torch` (the test module imports torch with importorskip)

MAX_SIZE = 120  # elements in any intermediate value
MAX_ABS = 1e6  # larger values are rejected (exp of exp would overflow both sides alike)


def use_torch(module: Any) -> None:
    global torch
    torch = module


@dataclass
class Pair:
    ours: Tensor
    theirs: Any

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.ours.shape)


Draw = Callable[[Any], Any]  # hypothesis' data.draw


def positive(p: Pair) -> Pair:
    """x * x + 0.5 on both sides: inputs for log, sqrt, division and pow bases."""
    return Pair(p.ours * p.ours + 0.5, p.theirs * p.theirs + 0.5)


def probability(p: Pair) -> Pair:
    return Pair(p.ours.sigmoid(), torch.sigmoid(p.theirs))


def new_leaf(draw: Draw, shape: tuple[int, ...], leaves: list[Pair]) -> Pair:
    """A fresh float64 leaf requiring grad on both sides (added to `leaves`)."""
    seed = draw(st.integers(0, 2**32 - 1))
    values = np.random.default_rng(seed).uniform(-2, 2, shape)
    pair = Pair(
        Tensor(values.copy(), requires_grad=True),
        torch.tensor(values.copy(), requires_grad=True),
    )
    leaves.append(pair)
    return pair


def constant(draw: Draw, shape: tuple[int, ...]) -> tuple[Any, Any]:
    """The other operand as a constant: a Python number or an ndarray (torch: a tensor
    without grad)."""
    if draw(st.booleans()):
        value = draw(st.floats(-2, 2, allow_nan=False).filter(lambda v: abs(v) > 0.05))
        return value, value
    seed = draw(st.integers(0, 2**32 - 1))
    array = np.random.default_rng(seed).uniform(-2, 2, shape)
    return array, torch.tensor(array)


def broadcast_partner(draw: Draw, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with `shape`: drop leading axes, set some axes to 1,
    or add a leading axis."""
    out = list(shape)
    if out and draw(st.booleans()):
        out = out[draw(st.integers(0, len(out))) :]
    out = [1 if draw(st.integers(0, 3)) == 0 else n for n in out]
    if len(out) == len(shape) < 3 and draw(st.integers(0, 4)) == 0:
        out = [draw(st.integers(1, 2)), *out]
    return tuple(out)


def other_operand(draw: Draw, x: Pair, pool: list[Pair], leaves: list[Pair]) -> tuple[Any, Any]:
    """The second operand of a binary op: a value already computed (reuse, diamonds),
    a fresh leaf of a broadcasting shape, or a constant."""
    kind = draw(st.sampled_from(["pool", "leaf", "constant"]))
    if kind == "pool":
        fits = [p for p in pool if _broadcasts(p.shape, x.shape)]
        partner = draw(st.sampled_from(fits))  # x itself always fits
        return partner.ours, partner.theirs
    shape = broadcast_partner(draw, x.shape)
    if kind == "leaf":
        leaf = new_leaf(draw, shape, leaves)
        return leaf.ours, leaf.theirs
    return constant(draw, shape)


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def draw_axis(draw: Draw, ndim: int, allow_none: bool = True, allow_tuple: bool = True) -> Any:
    """None, an int (negative or not) or a tuple of distinct axes given either way."""
    choices = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple else [])
    kind = draw(st.sampled_from(choices)) if ndim else "none"
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in axes)


def torch_dims(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


@dataclass
class Spec:
    """One kind of step: `apply(draw, x, pool, leaves) -> Pair`, and the registered
    ops (`Function` names) that it exercises."""

    name: str
    apply: Callable[..., Pair]
    ops: tuple[str, ...]
    min_ndim: int = 0


SPECS: dict[str, Spec] = {}


def add_spec(name: str, fn: Callable[..., Pair], ops: tuple[str, ...], min_ndim: int = 0) -> None:
    """Register a step; a second one under the same name would silently replace the first."""
    if name in SPECS:
        raise ValueError(f"two program steps named {name!r}")
    SPECS[name] = Spec(name, fn, ops, min_ndim)


def spec(name: str, *ops: str, min_ndim: int = 0) -> Callable[[Callable[..., Pair]], Any]:
    def register(fn: Callable[..., Pair]) -> Callable[..., Pair]:
        add_spec(name, fn, ops or (name,), min_ndim)
        return fn

    return register


def _binary(name: str, ours: Callable, theirs: Callable, op: str) -> None:
    def apply(draw: Draw, x: Pair, pool: list[Pair], leaves: list[Pair]) -> Pair:
        a, b = other_operand(draw, x, pool, leaves)
        if draw(st.booleans()):  # x on the left
            return Pair(ours(x.ours, a), theirs(x.theirs, b))
        return Pair(ours(a, x.ours), theirs(b, x.theirs))

    add_spec(name, apply, (op,))


_binary("add", lambda a, b: a + b, lambda a, b: a + b, "Add")
_binary("sub", lambda a, b: a - b, lambda a, b: a - b, "Sub")
_binary("mul", lambda a, b: a * b, lambda a, b: a * b, "Mul")
_binary("maximum", autograd.maximum, lambda a, b: torch.maximum(*_tensors(a, b)), "Maximum")
_binary("minimum", autograd.minimum, lambda a, b: torch.minimum(*_tensors(a, b)), "Minimum")


def _tensors(a: Any, b: Any) -> tuple[Any, Any]:
    """torch.maximum wants two tensors: numbers become 0-d float64 tensors."""
    wrap = lambda v: v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=torch.float64)  # noqa: E731
    return wrap(a), wrap(b)


@spec("div", "Div")
def _div(draw, x, pool, leaves):
    a, b = other_operand(draw, x, pool, leaves)
    if draw(st.booleans()):  # x / (a * a + 0.5), a a Tensor, number or ndarray
        return Pair(x.ours / (a * a + 0.5), x.theirs / (b * b + 0.5))
    d = positive(x)
    return Pair(a / d.ours, b / d.theirs)


@spec("remainder", "Remainder")
def _remainder(draw, x, pool, leaves):
    # x % (a * a + 0.5), a a Tensor, number or ndarray (torch has no gradient for the
    # divisor of a number: that form is covered by test_torch_names)
    a, b = other_operand(draw, x, pool, leaves)
    return Pair(x.ours % (a * a + 0.5), x.theirs % (b * b + 0.5))


@spec("neg", "Neg")
def _neg(draw, x, pool, leaves):
    return Pair(-x.ours, -x.theirs)


@spec("pow", "Pow")
def _pow(draw, x, pool, leaves):
    form = draw(st.sampled_from(["int", "real", "rpow", "tensor"]))
    if form == "int":
        k = draw(st.sampled_from([0, 1, 2, 3, -1, -2]))
        base = x if k >= 0 else positive(x)
        return Pair(base.ours**k, base.theirs**k)
    if form == "real":
        c = draw(st.sampled_from([0.5, 1.5, -0.5, 2.5]))
        base = positive(x)
        return Pair(base.ours**c, base.theirs**c)
    if form == "rpow":
        c = draw(st.sampled_from([2.0, 0.5, 3.0]))
        return Pair(c**x.ours, c**x.theirs)
    a, b = other_operand(draw, x, pool, leaves)
    base = positive(x)
    return Pair(base.ours**a, base.theirs**b)


@spec("abs", "Abs")
def _abs(draw, x, pool, leaves):
    return Pair(abs(x.ours), torch.abs(x.theirs))


@spec("where", "Where")
def _where(draw, x, pool, leaves):
    a, b = other_operand(draw, x, pool, leaves)
    seed = draw(st.integers(0, 2**32 - 1))
    shape = np.broadcast_shapes(x.shape, np.shape(a.data if isinstance(a, Tensor) else a))
    mask = np.random.default_rng(seed).random(shape) < 0.5
    b_t = b if isinstance(b, torch.Tensor) else torch.tensor(b, dtype=torch.float64)
    return Pair(autograd.where(mask, x.ours, a), torch.where(torch.tensor(mask), x.theirs, b_t))


@spec("matmul", "MatMul", min_ndim=1)
def _matmul(draw, x, pool, leaves):
    """x as the left or right operand, against a fresh leaf of every 1-d / 2-d /
    batched / batch-broadcast form that fits x's shape."""
    k = x.shape[-1]
    if draw(st.booleans()):  # x @ w: w is (k,), (k, m), or batched (b, k, m)
        form = draw(st.sampled_from(["1d", "2d", "batched"]))
        shape = {"1d": (k,), "2d": (k, 2), "batched": (2, k, 3)}[form]
        if form == "batched" and x.ours.ndim >= 2:
            shape = (*([1] * (x.ours.ndim - 2)), 1, k, 3) if draw(st.booleans()) else (k, 3)
        w = new_leaf(draw, shape, leaves)
        return Pair(x.ours @ w.ours, x.theirs @ w.theirs)
    if x.ours.ndim == 1:  # w @ x: w is (k,), (m, k) or (b, m, k)
        shape = draw(st.sampled_from([(k,), (3, k), (2, 3, k)]))
    else:
        rows = x.shape[-2]
        batched = (2, 3, rows) if x.ours.ndim == 2 else (1, 3, rows)  # broadcasts x's batch
        shape = draw(st.sampled_from([(rows,), (2, rows), batched]))
    w = new_leaf(draw, shape, leaves)
    return Pair(w.ours @ x.ours, w.theirs @ x.theirs)


@spec("astype", "AsType")
def _astype(draw, x, pool, leaves):
    return Pair(x.ours.astype(np.float64) * 1.5, x.theirs.to(torch.float64) * 1.5)


def _unary(
    name: str, ours: Callable, theirs: Callable, op: str, domain: Callable | None = None
) -> None:
    def apply(draw: Draw, x: Pair, pool: list[Pair], leaves: list[Pair]) -> Pair:
        y = domain(x) if domain else x
        return Pair(ours(y.ours), theirs(y.theirs))

    add_spec(name, apply, (op,))


_unary("exp", lambda t: t.exp(), lambda t: t.exp(), "Exp")
_unary("log", lambda t: t.log(), lambda t: t.log(), "Log", positive)
_unary("log10", lambda t: t.log10(), lambda t: t.log10(), "Log10", positive)
_unary("log2", autograd.log2, lambda t: t.log2(), "Log2", positive)
_unary("sqrt", lambda t: t.sqrt(), lambda t: t.sqrt(), "Sqrt", positive)
_unary("sin", lambda t: t.sin(), lambda t: t.sin(), "Sin")
_unary("cos", lambda t: t.cos(), lambda t: t.cos(), "Cos")
_unary("sinh", lambda t: t.sinh(), lambda t: t.sinh(), "Sinh")
_unary("cosh", autograd.cosh, lambda t: torch.cosh(t), "Cosh")
_unary("tanh", lambda t: t.tanh(), lambda t: t.tanh(), "Tanh")
_unary("sigmoid", lambda t: t.sigmoid(), lambda t: torch.sigmoid(t), "Sigmoid")
_unary("relu", lambda t: t.relu(), lambda t: torch.relu(t), "ReLU")
_unary("erf", lambda t: t.erf(), lambda t: torch.erf(t), "Erf")
_unary(
    "softplus",
    lambda t: t.softplus(),
    lambda t: torch.nn.functional.softplus(t, threshold=40.0),  # exact to 1e-17 below 40
    "Softplus",
)
_unary(
    "log_sigmoid",
    autograd.log_sigmoid,
    lambda t: torch.nn.functional.logsigmoid(t),
    "Softplus",
)
_unary("gelu", lambda t: t.gelu(), lambda t: torch.nn.functional.gelu(t), "Erf")
_unary(
    "gelu_tanh",
    lambda t: t.gelu("tanh"),
    lambda t: torch.nn.functional.gelu(t, approximate="tanh"),
    "Tanh",
)
_unary("silu", lambda t: t.silu(), lambda t: torch.nn.functional.silu(t), "Sigmoid")
_unary("sign", lambda t: t.sign() * t, lambda t: torch.sign(t) * t, "Sign")
_unary("step", lambda t: t.step() * t, lambda t: (t >= 0).to(t.dtype) * t, "Step")
_unary("round", lambda t: autograd.round(t) * t, lambda t: torch.round(t) * t, "Round")


@spec("leaky_relu", "LeakyReLU")
def _leaky(draw, x, pool, leaves):
    slope = draw(st.sampled_from([0.01, 0.2, -0.5, 1.5]))
    return Pair(x.ours.leaky_relu(slope), torch.nn.functional.leaky_relu(x.theirs, slope))


@spec("elu", "ELU")
def _elu(draw, x, pool, leaves):
    alpha = draw(st.sampled_from([1.0, 0.3, 2.0]))
    return Pair(x.ours.elu(alpha), torch.nn.functional.elu(x.theirs, alpha))


@spec("clip", "Clip")
def _clip(draw, x, pool, leaves):
    lo, hi = draw(st.sampled_from([(-1.0, 1.0), (None, 0.5), (-0.5, None), (0.0, 0.0)]))
    return Pair(x.ours.clip(lo, hi), torch.clamp(x.theirs, lo, hi))


def _reduction(name: str, op: str, theirs: Callable, min_ndim: int = 0) -> None:
    def apply(draw: Draw, x: Pair, pool: list[Pair], leaves: list[Pair]) -> Pair:
        ndim = x.ours.ndim
        axis = draw_axis(draw, ndim)
        keepdims = draw(st.booleans())
        ours = getattr(x.ours, name)(axis=axis, keepdims=keepdims)
        return Pair(ours, theirs(x.theirs, torch_dims(axis, ndim), keepdims))

    add_spec(name, apply, (op,), min_ndim)


_reduction("sum", "Sum", lambda t, d, k: t.sum(dim=d, keepdim=k) if d else t.clone())
_reduction("mean", "Mean", lambda t, d, k: t.mean(dim=d, keepdim=k) if d else t.clone())
_reduction("max", "Max", lambda t, d, k: t.amax(dim=d, keepdim=k) if d else t.clone())
_reduction("min", "Min", lambda t, d, k: t.amin(dim=d, keepdim=k) if d else t.clone())
_reduction(
    "logsumexp",
    "LogSumExp",
    lambda t, d, k: torch.logsumexp(t, dim=d, keepdim=k) if d else t.clone(),
)


def _moment(name: str, op: str) -> None:
    def apply(draw: Draw, x: Pair, pool: list[Pair], leaves: list[Pair]) -> Pair:
        ndim = x.ours.ndim
        axis, keepdims = draw_axis(draw, ndim), draw(st.booleans())
        ddof = draw(st.sampled_from([0, 1]))
        n = math.prod(x.shape[a] for a in torch_dims(axis, ndim))
        assume(n - ddof > 0)
        ours = getattr(x.ours, name)(axis=axis, keepdims=keepdims, ddof=ddof)
        # At zero variance std's second derivative is nan in torch and 0 here (its
        # first derivative, 0 on both sides, is tested in test_edges).
        assume(name != "std" or (ours.data > 1e-6).all())
        dims = torch_dims(axis, ndim) if ndim else None
        theirs = getattr(torch, name)(x.theirs, dim=dims, keepdim=keepdims, correction=ddof)
        return Pair(ours, theirs)

    add_spec(name, apply, (op,))


@spec("norm", "Norm", "Abs", "Sum", "Max")
def _norm(draw, x, pool, leaves):
    ndim = x.ours.ndim
    p = draw(st.sampled_from([1, 2, "fro", math.inf]))
    axis, keepdims = draw_axis(draw, ndim), draw(st.booleans())
    ours = autograd.norm(x.ours, p, axis=axis, keepdims=keepdims)
    # Where a norm is 0 its slope is 0 on both sides, but not its curvature (tested in
    # test_torch_names); and |x| has a kink at 0 (p=1, inf).
    assume((ours.data > 1e-6).all() and (np.abs(x.ours.data) > 1e-6).all())
    dims = torch_dims(axis, ndim) if ndim else None
    order = 2 if p == "fro" else p
    return Pair(ours, torch.linalg.vector_norm(x.theirs, ord=order, dim=dims, keepdim=keepdims))


_moment("var", "Sum")
_moment("std", "Std")


def _softmax(name: str, op: str, theirs: Callable) -> None:
    def apply(draw: Draw, x: Pair, pool: list[Pair], leaves: list[Pair]) -> Pair:
        axis = draw(st.integers(-x.ours.ndim, x.ours.ndim - 1))
        return Pair(getattr(x.ours, name)(axis=axis), theirs(x.theirs, dim=axis))

    add_spec(name, apply, (op,), min_ndim=1)


_softmax("softmax", "Softmax", lambda t, dim: torch.softmax(t, dim=dim))
_softmax("log_softmax", "LogSoftmax", lambda t, dim: torch.log_softmax(t, dim=dim))


@spec("reshape", "Reshape")
def _reshape(draw, x, pool, leaves):
    size = x.ours.size
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    first = draw(st.sampled_from(divisors))
    shape = draw(st.sampled_from([(first, -1), (-1,), (size // first, first), (-1, first, 1)]))
    return Pair(x.ours.reshape(*shape), x.theirs.reshape(shape))


@spec("transpose", "Transpose")
def _transpose(draw, x, pool, leaves):
    ndim = x.ours.ndim
    if ndim == 0 or draw(st.integers(0, 3)) == 0:
        return Pair(x.ours.T, x.theirs.permute(tuple(reversed(range(ndim)))))
    perm = draw(st.permutations(range(ndim)))
    given = [p - ndim if draw(st.booleans()) else p for p in perm]
    if ndim >= 2 and draw(st.booleans()):  # two dims swapped, torch's transpose(a, b)
        a, b = given[0], given[-1]
        return Pair(x.ours.transpose(a, b), x.theirs.transpose(a, b))
    return Pair(x.ours.permute(*given), x.theirs.permute(*given))


@spec("squeeze", "Reshape")
def _squeeze(draw, x, pool, leaves):
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    if not ones or draw(st.booleans()):
        return Pair(x.ours.squeeze(), x.theirs.squeeze())
    axis = draw(st.sampled_from(ones))
    axis = axis - x.ours.ndim if draw(st.booleans()) else axis
    return Pair(x.ours.squeeze(axis), x.theirs.squeeze(axis))


@spec("expand_dims", "Reshape")
def _expand_dims(draw, x, pool, leaves):
    axis = draw(st.integers(-x.ours.ndim - 1, x.ours.ndim))
    return Pair(x.ours.expand_dims(axis), x.theirs.unsqueeze(axis))


@spec("flatten", "Reshape")
def _flatten(draw, x, pool, leaves):
    return Pair(x.ours.flatten(), x.theirs.reshape(-1))


@spec("broadcast_to", "BroadcastTo")
def _broadcast_to(draw, x, pool, leaves):
    shape = [n if n != 1 else draw(st.integers(1, 3)) for n in x.shape]
    if len(shape) < 3 and draw(st.booleans()):
        shape = [2, *shape]
    return Pair(x.ours.broadcast_to(tuple(shape)), x.theirs.broadcast_to(tuple(shape)))


@spec("getitem", "GetItem", min_ndim=1)
def _getitem(draw, x, pool, leaves):
    """Ints (negative too), slices (negative steps), None, Ellipsis, integer arrays
    with repeated and negative entries, boolean masks."""
    n = x.shape[0]
    form = draw(st.sampled_from(["int", "slice", "none_ellipsis", "array", "mask", "pairs"]))
    if form == "int":
        index: Any = draw(st.integers(-n, n - 1))
    elif form == "slice":
        start = draw(st.one_of(st.none(), st.integers(-n, n)))
        step = draw(st.sampled_from([None, 1, 2, -1, -2]))
        index = slice(start, None, step)
    elif form == "none_ellipsis":
        index = (None, Ellipsis, draw(st.integers(-x.shape[-1], x.shape[-1] - 1)))
    elif form == "array":
        index = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6)))
    elif form == "mask":
        seed = draw(st.integers(0, 2**32 - 1))
        index = np.random.default_rng(seed).random(x.shape[: draw(st.integers(1, x.ours.ndim))])
        index = index < 0.6
    else:
        assume(x.ours.ndim >= 2)
        m = x.shape[1]
        rows = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5))
        cols = draw(st.lists(st.integers(-m, m - 1), min_size=len(rows), max_size=len(rows)))
        index = (np.array(rows), np.array(cols))
    return Pair(x.ours[index], x.theirs[_torch_index(index, n)])


def _torch_index(index: Any, n: int) -> Any:
    """The same index for torch, which takes no negative slice steps (given as the
    positions they select instead)."""
    if isinstance(index, slice) and (index.step or 1) < 0:
        return torch.tensor(np.arange(n)[index].copy())
    if isinstance(index, np.ndarray):
        return torch.tensor(index)
    if isinstance(index, tuple):
        return tuple(_torch_index(i, n) for i in index)
    return index


@spec("index_add", "IndexAdd", min_ndim=1)
def _index_add(draw, x, pool, leaves):
    n = x.shape[0]
    size = draw(st.integers(1, 4))
    index = np.array(draw(st.lists(st.integers(-size, size - 1), min_size=n, max_size=n)))
    shape = (size, *x.shape[1:])
    ours = autograd.index_add(x.ours, index, shape)
    theirs = torch.zeros(shape, dtype=torch.float64).index_put(
        (torch.tensor(index),), x.theirs, accumulate=True
    )
    return Pair(ours, theirs)


@spec("cat", "Concatenate", min_ndim=1)
def _cat(draw, x, pool, leaves):
    ndim = x.ours.ndim
    axis = draw(st.integers(-ndim, ndim - 1))
    shape = list(x.shape)
    shape[axis] = draw(st.integers(1, 2))
    other = new_leaf(draw, tuple(shape), leaves)
    parts = [x, other] if draw(st.booleans()) else [other, x, x]
    return Pair(
        autograd.cat([p.ours for p in parts], axis=axis),
        torch.cat([p.theirs for p in parts], dim=axis),
    )


@spec("stack", "Stack")
def _stack(draw, x, pool, leaves):
    axis = draw(st.integers(-x.ours.ndim - 1, x.ours.ndim))
    other = new_leaf(draw, x.shape, leaves)
    return Pair(
        autograd.stack([x.ours, other.ours, x.ours], axis=axis),
        torch.stack([x.theirs, other.theirs, x.theirs], dim=axis),
    )


@spec("linear", "Affine", min_ndim=1)
def _linear(draw, x, pool, leaves):
    k, n = x.shape[-1], draw(st.integers(1, 3))
    if draw(st.booleans()):  # Keras's kernel (in, out): autograd.dense is x @ kernel + b
        w = new_leaf(draw, (k, n), leaves)
        b = new_leaf(draw, (n,), leaves)
        return Pair(autograd.dense(x.ours, w.ours, b.ours), x.theirs @ w.theirs + b.theirs)
    w = new_leaf(draw, (n, k), leaves)  # PyTorch's weight (out, in), as F.linear
    if draw(st.booleans()):
        b = new_leaf(draw, (n,), leaves)
        theirs = torch.nn.functional.linear(x.theirs, w.theirs, b.theirs)
        return Pair(autograd.linear(x.ours, w.ours, b.ours), theirs)
    return Pair(autograd.linear(x.ours, w.ours), torch.nn.functional.linear(x.theirs, w.theirs))


@spec("linear_activation", "AffineReLU", "AffineSigmoid", "AffineTanh", min_ndim=1)
def _linear_activation(draw, x, pool, leaves):
    """The fused affine ops, against torch's linear followed by the activation."""
    k, n = x.shape[-1], draw(st.integers(1, 3))
    activation = draw(st.sampled_from(["relu", "sigmoid", "tanh"]))
    after = getattr(torch, activation)  # torch.relu, torch.sigmoid, torch.tanh
    b = new_leaf(draw, (n,), leaves) if draw(st.booleans()) else None
    bias = (None, None) if b is None else (b.ours, b.theirs)
    if draw(st.booleans()):  # Keras's kernel (in, out)
        w = new_leaf(draw, (k, n), leaves)
        theirs = x.theirs @ w.theirs
        if b is not None:
            theirs = theirs + b.theirs
        return Pair(autograd.dense(x.ours, w.ours, bias[0], activation), after(theirs))
    w = new_leaf(draw, (n, k), leaves)
    theirs = torch.nn.functional.linear(x.theirs, w.theirs, bias[1])
    return Pair(autograd.linear(x.ours, w.ours, bias[0], activation), after(theirs))


@spec("cross_entropy", "SoftmaxCrossEntropy", min_ndim=1)
def _cross_entropy(draw, x, pool, leaves):
    classes = x.shape[-1]
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    seed = draw(st.integers(0, 2**32 - 1))
    labels = np.random.default_rng(seed).integers(0, classes, x.shape[:-1])
    # With the softmax of the logits given, the loss reuses its work (a softmax layer).
    softmax = autograd.softmax(x.ours, -1) if draw(st.booleans()) else None
    ours = autograd.cross_entropy(x.ours, labels, reduction, softmax)
    flat = torch.nn.functional.cross_entropy(
        x.theirs.reshape(-1, classes), torch.tensor(labels.reshape(-1)), reduction=reduction
    )
    return Pair(ours, flat.reshape(labels.shape) if reduction == "none" else flat)


@spec("mse_loss", "MseLoss")
def _mse(draw, x, pool, leaves):
    target = new_leaf(draw, broadcast_partner(draw, x.shape), leaves)
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    shape = np.broadcast_shapes(x.shape, tuple(target.theirs.shape))
    ours = autograd.mse_loss(x.ours, target.ours, reduction)
    theirs = torch.nn.functional.mse_loss(
        x.theirs.broadcast_to(shape), target.theirs.broadcast_to(shape), reduction=reduction
    )
    return Pair(ours, theirs)


@spec("binary_cross_entropy", "BinaryCrossEntropy")
def _bce(draw, x, pool, leaves):
    """p = sigmoid(8 tanh(x)), within (3e-4, 1 - 3e-4). Nearer 0 or 1 (a large x from an
    earlier step) the second derivatives part: both libraries floor p (1 - p) at 1e-12
    in the first derivative, ours is the exact derivative of that formula and torch's a
    formula of its own. Through a sigmoid at x = -26.9 the true value is -0.4536: ours
    -0.4536, torch -0.030; at x = 28.8, past the floor, true 0.405, ours 0.357, torch
    0.366; at p = 1 exactly both are NaN."""
    p = probability(Pair(x.ours.tanh() * 8, x.theirs.tanh() * 8))
    if draw(st.booleans()):
        target = probability(new_leaf(draw, broadcast_partner(draw, x.shape), leaves))
        y_ours, y_theirs = target.ours, target.theirs
    else:
        seed = draw(st.integers(0, 2**32 - 1))
        y = np.random.default_rng(seed).integers(0, 2, x.shape).astype(np.float64)
        y_ours, y_theirs = y, torch.tensor(y)
    shape = np.broadcast_shapes(x.shape, tuple(y_theirs.shape))
    ours = autograd.binary_cross_entropy(p.ours, y_ours)
    theirs = torch.nn.functional.binary_cross_entropy(
        p.theirs.broadcast_to(shape), y_theirs.broadcast_to(shape), reduction="none"
    )
    return Pair(ours, theirs)


def legendre3(lib: Any) -> Any:
    """P3(x) = (5x^3 - 3x) / 2 as a Function written PyTorch's way, in `lib`."""

    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x**3 - 3 * x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * x**2 - 1)

    return LegendrePolynomial3


@spec("custom_function", "Custom")
def _custom_function(draw, x, pool, leaves):
    return Pair(legendre3(autograd).apply(x.ours), legendre3(torch).apply(x.theirs))


@spec("in_place", "SetItem", "Add", "Sub", "Mul", "Div", "GetItem", min_ndim=1)
def _in_place(draw, x, pool, leaves):
    """A copy of x written in place (`+= -= *= /=`, `y[index] = v`, `y[index] += v`
    through a view or a copy), after an op recorded earlier used the copy: that op's
    gradient must still go to the copy as it was."""
    ours, theirs = x.ours * 1, x.theirs * 1
    earlier = (ours * 1.5, theirs * 1.5)  # reads nothing of the copy in backward
    kind = draw(st.sampled_from(["+=", "-=", "*=", "/=", "set", "set view", "add at index"]))
    if kind in ("+=", "-=", "*=", "/="):
        other_ours, other_theirs = other_operand(draw, x, [x], leaves)
        if np.broadcast_shapes(np.shape(other_ours), x.shape) != x.shape:
            other_ours, other_theirs = 0.5, 0.5  # an in-place op cannot grow its tensor
        if kind == "/=" and isinstance(other_ours, Tensor):
            divisor = positive(Pair(other_ours, other_theirs))
            other_ours, other_theirs = divisor.ours, divisor.theirs
        elif kind == "/=":
            other_ours = np.abs(other_ours) + 0.5
            other_theirs = torch.tensor(other_ours) if np.ndim(other_ours) else other_ours
        write = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul}
        for side, other in ((ours, other_ours), (theirs, other_theirs)):
            write.get(kind, operator.itruediv)(side, other)
    else:
        n = x.shape[0]
        if kind == "set view" or draw(st.booleans()):
            index: Any = draw(st.integers(-n, n - 1))
            theirs_index: Any = index
        else:  # distinct rows: with repeats, which write wins is unspecified
            rows = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
            index, theirs_index = np.array(rows), torch.tensor(rows)
        shape = np.empty(x.shape)[index].shape
        if draw(st.booleans()):
            value = new_leaf(draw, shape, leaves)
            value_ours, value_theirs = value.ours, value.theirs
        else:
            value_ours, value_theirs = constant(draw, shape)
        if kind == "add at index":
            ours[index] += value_ours
            theirs[theirs_index] += value_theirs
        else:
            ours[index] = value_ours
            theirs[theirs_index] = value_theirs
    return Pair(ours + earlier[0], theirs + earlier[1])


def _reversed_axes(t: Any) -> Any:
    return t.permute(tuple(reversed(range(t.ndim))))


# Views made the same way in both libraries: name -> (the view, the fewest axes it needs).
_VIEWS: dict[str, tuple[Callable[[Any], Any], int]] = {
    "transpose": (_reversed_axes, 0),
    "reshape": (lambda t: t.reshape(-1), 0),
    "unsqueeze": (lambda t: t.unsqueeze(0), 0),
    "squeeze": (lambda t: t.unsqueeze(-1).squeeze(-1), 0),
    "flatten": (lambda t: t.flatten(), 0),
    "narrow": (lambda t: t.narrow(0, t.shape[0] // 2, t.shape[0] - t.shape[0] // 2), 1),
    "diagonal": (lambda t: t.diagonal(), 2),
    "row": (lambda t: t[-1], 1),
    "expand (no repeats)": (lambda t: t.expand(tuple(t.shape)), 0),
    "detach": (lambda t: t.detach(), 0),
}


@spec("view_write", "Transpose", "Reshape", "BroadcastTo", "Diagonal", "SetItem", "GetItem")
def _view_write(draw, x, pool, leaves):
    """A copy of x viewed (a chain of one to three views of any kind), and the last view
    written in place (`+= -= *=`, `v[i] = value`) while other views of the copy are
    alive: the write must reach the copy, the other views and their gradients, as
    PyTorch's CopySlices does (a `detach()` in the chain shares the values only)."""
    ours, theirs = x.ours * 1, x.theirs * 1
    earlier = (ours * 1.5, theirs * 1.5)  # used before the write
    alive = (_reversed_axes(ours), _reversed_axes(theirs))  # a view alive during the write
    names = draw(st.lists(st.sampled_from(sorted(_VIEWS)), min_size=1, max_size=3))
    view_ours, view_theirs = ours, theirs
    for name in names:
        make, min_ndim = _VIEWS[name]
        if view_ours.ndim >= min_ndim and view_ours.data.size:
            view_ours, view_theirs = make(view_ours), make(view_theirs)
    kind = draw(st.sampled_from(["+=", "-=", "*=", "set"]))
    if kind == "set" and view_ours.ndim:
        index = draw(st.integers(-view_ours.shape[0], view_ours.shape[0] - 1))
        shape = view_ours.shape[1:]
    else:
        index, kind = None, "+=" if kind == "set" else kind
        shape = view_ours.shape
    if draw(st.booleans()):
        value = new_leaf(draw, shape, leaves)
        value_ours, value_theirs = value.ours, value.theirs
    else:
        value_ours, value_theirs = constant(draw, shape)
    for view, value in ((view_ours, value_ours), (view_theirs, value_theirs)):
        if index is not None:
            view[index] = value
        else:
            {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul}[kind](view, value)
    seen_ours = _reversed_axes(alive[0]) * 0.5 + view_ours.sum() * 0.25
    seen_theirs = _reversed_axes(alive[1]) * 0.5 + view_theirs.sum() * 0.25
    return Pair(ours + earlier[0] + seen_ours, theirs + earlier[1] + seen_theirs)


def check_finite(pair: Pair) -> None:
    """Reject programs whose values leave the range both sides compute reliably."""
    data = pair.ours.data
    assume(0 < data.size <= MAX_SIZE)
    assume(np.isfinite(data).all() and (np.abs(data) < MAX_ABS).all())


def run_program(draw: Draw, names: list[str], leaves: list[Pair]) -> Pair:
    """Apply the steps `names` (each drawing its own arguments) to a fresh leaf;
    returns the last value. Every leaf created is appended to `leaves`."""
    shape = draw(st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple))
    x = new_leaf(draw, shape, leaves)
    pool = [x]
    for name in names:
        s = SPECS[name]
        if x.ours.ndim < s.min_ndim:
            x = Pair(x.ours.reshape(1, -1), x.theirs.reshape(1, -1))
        x = s.apply(draw, x, pool, leaves)
        check_finite(x)
        pool.append(x)
    return x


# The steps for PyTorch's own methods (`sort`, `gather`, `einsum`, ...) add to SPECS.
from tests.autograd import torch_method_programs  # noqa: E402, F401

# So do those for PyTorch's elementwise functions (`log1p`, `atan2`, `lerp`, ...).
from tests.autograd import torch_fn_programs  # noqa: E402, F401  # isort: skip

# And those for convolution and max pooling.
from tests.autograd import torch_conv_programs  # noqa: E402, F401  # isort: skip

# And those for the recurrent sequence ops.
from tests.autograd import torch_recurrent_programs  # noqa: E402, F401  # isort: skip
