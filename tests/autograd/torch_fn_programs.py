"""Steps of the random programs (`torch_programs`) for PyTorch's elementwise functions
of `autograd.ops.math_more` (log1p, atan2, lerp, xlogy, ...): each maps its inputs
into the function's domain and applies the same call on both sides.

Imported at the end of `torch_programs`, whose `SPECS` these add to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd
import autograd.special
from tests.autograd import torch_programs as tp
from tests.autograd.torch_programs import Pair, new_leaf, positive, spec


def _torch(name: str) -> Callable[..., Any]:
    return lambda *args, **kwargs: getattr(tp.torch, name)(*args, **kwargs)


def _open_unit(p: Pair) -> Pair:
    """tanh(x) * 0.9 on both sides: inputs in (-0.9, 0.9) for asin, acos, erfinv."""
    return Pair(p.ours.tanh() * 0.9, p.theirs.tanh() * 0.9)


def _probability(p: Pair) -> Pair:
    """sigmoid(x) * 0.9 + 0.05: inputs in (0.05, 0.95) for logit."""
    return Pair(p.ours.sigmoid() * 0.9 + 0.05, p.theirs.sigmoid() * 0.9 + 0.05)


def _bounded(p: Pair) -> Pair:
    """tanh(x): inputs in (-1, 1) for tan, keeping away from its poles."""
    return Pair(p.ours.tanh(), p.theirs.tanh())


_UNARY: list[tuple[str, str, Callable[[Pair], Pair] | None]] = [
    ("log1p", "Log1p", positive),
    ("expm1", "Expm1", None),
    ("tan", "Tan", _bounded),
    ("asin", "Asin", _open_unit),
    ("acos", "Acos", _open_unit),
    ("atan", "Atan", None),
    ("reciprocal", "Reciprocal", positive),
    ("logit", "Logit", _probability),
    ("erfc", "Erfc", None),
    ("erfinv", "Erfinv", _open_unit),
    ("exp2", "Exp2", None),
    # on (0.5, 6.5): torch's second derivative at exactly 0 is nan (ours: exact), and for a
    # large x the slope cos(pi x) / x turns a last-bit difference of x into the 8th digit
    ("sinc", "Sinc", lambda p: Pair(p.ours.tanh() * 3 + 3.5, p.theirs.tanh() * 3 + 3.5)),
    ("frac", "Sub", None),
    ("deg2rad", "Mul", None),
    ("asinh", "Asinh", None),
    ("acosh", "Acosh", lambda p: Pair(p.ours * p.ours + 1.5, p.theirs * p.theirs + 1.5)),
    ("atanh", "Atanh", _open_unit),
]


def _unary(name: str, op: str, domain: Callable[[Pair], Pair] | None) -> None:
    def apply(draw: Any, x: Pair, pool: list[Pair], leaves: list[Pair]) -> Pair:
        y = domain(x) if domain else x
        if draw(tp.st.booleans()):  # the function, or the method of the same name
            return Pair(getattr(autograd, name)(y.ours), _torch(name)(y.theirs))
        return Pair(getattr(y.ours, name)(), getattr(y.theirs, name)())

    tp.add_spec(name, apply, (op,))


for _name, _op, _domain in _UNARY:
    _unary(_name, _op, _domain)


def _partner(draw: Any, x: Pair, leaves: list[Pair]) -> Pair:
    """A fresh leaf whose shape broadcasts with x's (torch's binary functions here want
    two tensors)."""
    return new_leaf(draw, tp.broadcast_partner(draw, x.shape), leaves)


def _binary(
    name: str, op: str, domain: Callable[[Pair], Pair] | None = None, swap: bool = True
) -> None:
    def apply(draw: Any, x: Pair, pool: list[Pair], leaves: list[Pair]) -> Pair:
        b = _partner(draw, x, leaves)
        b = domain(b) if domain else b
        if swap and draw(tp.st.booleans()):
            x, b = b, x
        return Pair(getattr(autograd, name)(x.ours, b.ours), _torch(name)(x.theirs, b.theirs))

    tp.add_spec(name, apply, (op,))


_binary("atan2", "Atan2", positive)
_binary("hypot", "Hypot", positive)
_binary("logaddexp", "LogAddExp")
_binary("fmax", "Fmax")
_binary("fmin", "Fmin")
# The sign taken from a nonzero `other` (the sign of a zero, as a loss of exactly 0 has
# it, is torch's -0.0 where ours is 0.0 in places: not a difference worth a test).
_binary("copysign", "Copysign", positive, swap=False)
_binary("logaddexp2", "LogAddExp")
_binary("ldexp", "Exp2")


@spec("xlogy", "Xlogy")
def _xlogy(draw, x, pool, leaves):
    y = positive(_partner(draw, x, leaves))
    return Pair(autograd.xlogy(x.ours, y.ours), tp.torch.xlogy(x.theirs, y.theirs))


@spec("fmod", "Fmod")
def _fmod(draw, x, pool, leaves):
    y = positive(_partner(draw, x, leaves))
    return Pair(autograd.fmod(x.ours * 3, y.ours), tp.torch.fmod(x.theirs * 3, y.theirs))


@spec("lerp", "Lerp")
def _lerp(draw, x, pool, leaves):
    end = _partner(draw, x, leaves)
    if draw(tp.st.booleans()):  # a number weight
        w = draw(tp.st.sampled_from([0.25, 0.5, 0.8, 1.0]))
        return Pair(autograd.lerp(x.ours, end.ours, w), tp.torch.lerp(x.theirs, end.theirs, w))
    weight = _partner(draw, x, leaves)
    return Pair(x.ours.lerp(end.ours, weight.ours), x.theirs.lerp(end.theirs, weight.theirs))


@spec("addcmul_addcdiv", "Mul", "Div", "Add")
def _addc(draw, x, pool, leaves):
    t1, t2 = _partner(draw, x, leaves), positive(_partner(draw, x, leaves))
    value = draw(tp.st.sampled_from([1, 0.5, -2.0]))
    ours = autograd.addcdiv(
        autograd.addcmul(x.ours, t1.ours, t2.ours, value=value), t1.ours, t2.ours
    )
    theirs = tp.torch.addcdiv(
        tp.torch.addcmul(x.theirs, t1.theirs, t2.theirs, value=value), t1.theirs, t2.theirs
    )
    return Pair(ours, theirs)


# PyTorch's functions and methods, batch 4 (`autograd.ops.torch_more`, `scatter_more`)


@spec("sum_to_size", "Sum", "Reshape")
def _sum_to_size(draw, x, pool, leaves):
    """Down to a shape x broadcasts from: leading axes dropped, some axes set to 1."""
    size = tp.broadcast_partner(draw, x.shape)
    if len(size) > len(x.shape):
        size = size[1:]
    return Pair(x.ours.sum_to_size(size), x.theirs.sum_to_size(size))


@spec("unfold", "GetItem", "Transpose", min_ndim=1)
def _unfold(draw, x, pool, leaves):
    dim = draw(tp.st.integers(-x.ours.ndim, x.ours.ndim - 1))
    size = draw(tp.st.integers(1, x.shape[dim]))
    step = draw(tp.st.integers(1, 3))
    return Pair(x.ours.unfold(dim, size, step), x.theirs.unfold(dim, size, step))


@spec("quantile", "GetItem", "Lerp", "BroadcastTo", min_ndim=1)
def _quantile(draw, x, pool, leaves):
    q = draw(tp.st.sampled_from([0.0, 0.3, 0.5, 0.9, 1.0]))
    how = draw(tp.st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
    dim = draw(tp.st.sampled_from([None, -1, 0]))
    keepdim = draw(tp.st.booleans())
    return Pair(
        x.ours.quantile(q, dim, keepdim, interpolation=how),
        x.theirs.quantile(q, dim, keepdim, interpolation=how),
    )


@spec("cumulative_trapezoid", "Cumsum", "GetItem", min_ndim=1)
def _cumulative_trapezoid(draw, x, pool, leaves):
    dim = draw(tp.st.integers(-x.ours.ndim, x.ours.ndim - 1))
    dx = draw(tp.st.sampled_from([1, 0.5, 2.0]))
    return Pair(
        autograd.cumulative_trapezoid(x.ours, dx=dx, dim=dim),
        tp.torch.cumulative_trapezoid(x.theirs, dx=dx, dim=dim),
    )


# The gamma family, the modified Bessel functions and torch.special (`autograd.ops.gamma`,
# `autograd.ops.normal`)


@spec("lgamma", "Lgamma")
def _lgamma(draw, x, pool, leaves):
    """On (0.5, inf) (the poles at 0 and the negative integers are in test_special)."""
    y = positive(x)
    if draw(tp.st.booleans()):
        return Pair(autograd.lgamma(y.ours), tp.torch.lgamma(y.theirs))
    return Pair(y.ours.lgamma(), y.theirs.lgamma())


@spec("polygamma", "Polygamma")
def _polygamma(draw, x, pool, leaves):
    """Orders 2 and 3. Torch's trigamma (order 1, and so digamma's derivative) is
    accurate to about 1e-9 relative only: compared in test_special at that tolerance."""
    y = positive(x)
    n = draw(tp.st.sampled_from([2, 3]))
    if draw(tp.st.booleans()):
        return Pair(autograd.polygamma(n, y.ours), tp.torch.polygamma(n, y.theirs))
    return Pair(y.ours.polygamma(n), y.theirs.polygamma(n))


@spec("mvlgamma", "Lgamma", "Add")
def _mvlgamma(draw, x, pool, leaves):
    p = draw(tp.st.sampled_from([1, 2, 3]))
    y = Pair(x.ours * x.ours + (p + 1) / 2, x.theirs * x.theirs + (p + 1) / 2)
    return Pair(y.ours.mvlgamma(p), y.theirs.mvlgamma(p))


@spec("bessel_i", "BesselI")
def _bessel_i(draw, x, pool, leaves):
    """On (-4, 4): I0 and I1 grow like exp|x|, and a later step (sinc of a large number)
    would be ill-conditioned on both sides."""
    name = draw(tp.st.sampled_from(["i0", "i0e", "i1", "i1e"]))
    y = Pair(x.ours.tanh() * 4, x.theirs.tanh() * 4)
    return Pair(getattr(autograd.special, name)(y.ours), getattr(tp.torch.special, name)(y.theirs))


@spec("normal_special", "Erfcx", "LogNdtr", "Ndtri", "Entr")
def _normal_special(draw, x, pool, leaves):
    name = draw(tp.st.sampled_from(["erfcx", "log_ndtr", "ndtri", "entr", "ndtr"]))
    if name == "ndtri":
        y = _probability(x)
    elif name == "entr":
        y = positive(x)
    elif name == "erfcx":  # on (-1, 3): it grows like 2 exp(x^2) to the left
        y = Pair(x.ours.tanh() * 2 + 1, x.theirs.tanh() * 2 + 1)
    else:
        y = Pair(x.ours.tanh() * 5, x.theirs.tanh() * 5)
    return Pair(getattr(autograd.special, name)(y.ours), getattr(tp.torch.special, name)(y.theirs))


@spec("xlog1py", "Xlog1py")
def _xlog1py(draw, x, pool, leaves):
    y = positive(_partner(draw, x, leaves))
    return Pair(
        autograd.special.xlog1py(x.ours, y.ours), tp.torch.special.xlog1py(x.theirs, y.theirs)
    )
