"""PyTorch's functions and methods, batch 4 (comparisons under their long names,
inverse hyperbolics, copysign, ldexp, sum_to_size, vdot, addmv, atleast_*, broadcasting
helpers, in-place forms, the top-level neural-network functions...), compared with
torch: values, dtypes, errors, and float64 gradchecks of the differentiable ones."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def leaf(shape, seed=0, low=-2.0, high=2.0):
    values = np.random.default_rng(seed).uniform(low, high, shape)
    return Tensor(values, requires_grad=True)


def same(ours, theirs, atol=1e-6):
    """Equal values, shapes and dtypes (tuples compared element by element; Python
    values compared as they are)."""
    if isinstance(theirs, tuple | list):
        assert isinstance(ours, tuple | list) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            same(o, t, atol)
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs and type(ours) is type(theirs), (ours, theirs)
        return
    t = theirs.detach().numpy()
    assert ours.dtype == t.dtype, (ours.dtype, t.dtype)
    assert ours.shape == t.shape, (ours.shape, t.shape)
    np.testing.assert_allclose(ours.data, t, atol=atol, rtol=1e-6)


def both(fn, *arrays):
    """fn applied to autograd tensors and to torch tensors made of `arrays`."""
    ours = fn(autograd, *(Tensor(a) for a in arrays))
    theirs = fn(torch, *(torch.from_numpy(np.asarray(a)) for a in arrays))
    same(ours, theirs)


FLOATS = np.array([[0.5, -1.5, 0.0], [2.0, -0.0, 0.25]], dtype=np.float32)
INTS = np.array([[3, -1, 2], [0, 1, 1]])


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: x.isclose(x + 1e-7),
        lambda m, x: x.isclose(x + 1e-3, rtol=0, atol=1e-2),
        lambda m, x: x.allclose(x * 1.0001),
        lambda m, x: x.allclose(x * 1.0001, rtol=1e-6),
        lambda m, x: x.equal(x.clone()),
        lambda m, x: x.maximum(x.flip(1)),
        lambda m, x: x.minimum(x[0]),
        lambda m, x: x.where(x > 0, x.flip(0)),
        lambda m, x: x.where(x > 0, 7.0),
        lambda m, x: x.logical_and(x.flip(1)),
        lambda m, x: x.logical_or(x * 0),
        lambda m, x: (x.greater(0), x.greater_equal(0), x.less(0.5), x.less_equal(0.5)),
        lambda m, x: (x.not_equal(0), m.not_equal(x, 0.25), m.greater(x, x.flip(1))),
        lambda m, x: (m.greater_equal(x, 0), m.less(x, 0), m.less_equal(x, 0.25)),
        lambda m, x: x.positive(),
        lambda m, x: m.positive(x),
        lambda m, x: (x.ndimension(), x.is_complex(), x.is_signed(), x.get_device()),
        lambda m, x: (x.is_same_size(x[0]), x.is_same_size(x * 2), x.is_cpu, x.is_inference()),
        lambda m, x: x.real,
        lambda m, x: (x.asinh(), x.arcsinh(), m.asinh(x), m.arcsinh(x)),
        lambda m, x: (x.acosh(), (x + 2).arccosh(), m.acosh(x), m.arccosh(x * 4)),
        lambda m, x: (x.atanh(), (x / 3).arctanh(), m.atanh(x), m.arctanh(x)),
        lambda m, x: (x.copysign(-1.0), m.copysign(x, x.flip(1)), x.copysign(-0.0)),
        lambda m, x: (x.ldexp(m.tensor([1, 2, 3])), m.ldexp(x, x)),
        lambda m, x: (x.logaddexp2(x.flip(0)), m.logaddexp2(x, m.tensor(-1.0))),
        lambda m, x: (x.sum_to_size(1, 3), x.sum_to_size((2, 1)), x.sum_to_size(3)),
        lambda m, x: (x.sum_to_size(2, 3), x.sum_to_size(1, 1)),
        lambda m, x: (x[0].vdot(x[1]), m.vdot(x[0], x[1])),
        lambda m, x: (x[0].ger(x[1]), m.ger(x[1], x[0])),
        lambda m, x: (x[:, 0].addmv(x, x[0]), m.addmv(x[0, :2], x, x[1], beta=0.5, alpha=2)),
        lambda m, x: (x.addr(x[:, 0], x[0]), m.addr(x, x[:, 1], x[1], beta=0, alpha=-1)),
        lambda m, x: x[0].addbmm(m.stack([x.T, x.T]), m.stack([x, x])),
        lambda m, x: m.addbmm(x[:, :2], m.stack([x, x]), m.stack([x.T, x.T]), beta=2, alpha=0.5),
        lambda m, x: x.split_with_sizes([1, 2], 1),
        lambda m, x: m.split_with_sizes(x, [2, 0]),
        lambda m, x: (x.byte(), x.char(), x.short()),
        lambda m, x: m.rsub(x, 1.5),
        lambda m, x: m.rsub(x, x.flip(0), alpha=2),
        lambda m, x: (m.atleast_1d(x[0, 0]), m.atleast_1d(x), m.atleast_1d(x[0], x[0, 0])),
        lambda m, x: (m.atleast_2d(x[0, 0]), m.atleast_2d(x[0]), m.atleast_2d([x, x[0]])),
        lambda m, x: (m.atleast_3d(x[0, 0]), m.atleast_3d(x[0]), m.atleast_3d(x)),
        lambda m, x: m.atleast_3d(x[None], x[0]),
        lambda m, x: m.broadcast_tensors(x, x[0], x[:, :1]),
        lambda m, x: m.broadcast_tensors(x[0, 0], x[None]),
        lambda m, x: m.trapz(x),
        lambda m, x: m.trapz(x, dx=0.5, dim=0),
        lambda m, x: m.trapz(x, x.cumsum(1)),
        lambda m, x: m.cumulative_trapezoid(x),
        lambda m, x: m.cumulative_trapezoid(x, dx=2.0, dim=0),
        lambda m, x: m.cumulative_trapezoid(x, m.tensor([0.0, 1.0, 3.0])),
        lambda m, x: m.cumulative_trapezoid(x, x.cumsum(1), dim=-1),
        lambda m, x: m.cumulative_trapezoid(x[0, :1]),
        lambda m, x: m.fix(x * 3),
    ],
)
def test_float_methods_and_functions_match_torch(fn):
    both(fn, FLOATS)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: (x.asinh(), m.acosh(x), x.atanh()),
        lambda m, x: (x.copysign(-1), m.copysign(x, x.flip(1))),
        lambda m, x: m.ldexp(x, x),
        lambda m, x: (x.is_signed(), x.byte().is_signed(), (x > 0).is_signed()),
        lambda m, x: (x.sum_to_size(3), x.maximum(x.flip(1)), x.where(x > 0, 0)),
        lambda m, x: (x.logical_and(x.flip(1)), x.greater(0), m.less(x, 1)),
        lambda m, x: m.rsub(x, 5, alpha=3),
        lambda m, x: m.unravel_index(x, (2, 3)),
        lambda m, x: m.unravel_index(x[0], 6),
        lambda m, x: m.unravel_index(m.tensor(4), (3, 2)),
        lambda m, x: (x[0].vdot(x[1]), x[0].addmv(x.T, x[:, 0])),
        lambda m, x: m.broadcast_shapes((2, 1), (3,), 1),
        lambda m, x: m.broadcast_shapes(),
        lambda m, x: m.scalar_tensor(3),
        lambda m, x: m.scalar_tensor(2, dtype=m.int64),
        lambda m, x: m.scalar_tensor(True),
    ],
)
def test_integer_methods_and_functions_match_torch(fn):
    both(fn, INTS)


@pytest.mark.parametrize(
    "fn, error",
    [
        (lambda m: m.tensor([True]).positive(), RuntimeError),
        (lambda m: m.positive(m.tensor([True, False])), RuntimeError),
        (lambda m: m.ones(2).imag, RuntimeError),
        (lambda m: m.ones(2, 3).sum_to_size(2), RuntimeError),
        (lambda m: m.ones(2, 3).sum_to_size(1, 2, 3), RuntimeError),
        (lambda m: m.ones(2, 3).sum_to_size(), TypeError),
        (lambda m: m.logaddexp2(m.tensor([1]), m.tensor([2])), NotImplementedError),
        (lambda m: m.vdot(m.ones(2, 2), m.ones(2)), RuntimeError),
        (lambda m: m.vdot(m.ones(2), m.ones(2, dtype=m.float64)), RuntimeError),
        (lambda m: m.vdot(m.ones(2), m.ones(3)), RuntimeError),
        (lambda m: m.ger(m.ones(2, 1), m.ones(2)), RuntimeError),
        (lambda m: m.addmv(m.ones(2), m.ones(2, 3), m.ones(2)), RuntimeError),
        (lambda m: m.addbmm(m.ones(2, 2), m.ones(2, 2, 3), m.ones(2, 2, 3)), RuntimeError),
        (lambda m: m.ones(5).split_with_sizes([2, 2]), RuntimeError),
        (lambda m: m.ones(5).split_with_sizes([6, -1]), RuntimeError),
        (lambda m: m.broadcast_shapes((2,), (3,)), RuntimeError),
        (lambda m: m.broadcast_tensors(m.ones(2), m.ones(3)), RuntimeError),
        (lambda m: m.unravel_index(m.tensor([1.0]), (2, 3)), TypeError),
        (lambda m: m.ones(2).where(m.ones(2), 0.0), RuntimeError),
        (lambda m: m.ones(2).isclose(m.ones(2, dtype=m.float64)), RuntimeError),
        (lambda m: m.ones(2).allclose(m.ones(3)), RuntimeError),
        (lambda m: m.kl_div(m.ones(2), m.ones(2), "mean"), TypeError),
        (lambda m: m.dropout(m.ones(2), 0.5), TypeError),
        (lambda m: m.relu_(m.ones(2, requires_grad=True)), RuntimeError),
        (lambda m: m.tensor([1, 2]).sqrt_(), RuntimeError),
        (lambda m: m.tensor([1, 2]).asinh_(), RuntimeError),
    ],
)
def test_errors_are_torchs(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(autograd)


def test_positive_and_real_are_the_tensor_itself():
    x = autograd.tensor([1.0, -2.0])
    assert x.positive() is x and autograd.positive(x) is x and x.real is x
    assert x.sum_to_size(2) is x
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        x.imag  # noqa: B018


GRADCHECKED = [
    ("asinh", lambda a: a.asinh(), [(2, 3)]),
    ("acosh", lambda a: autograd.acosh(a * a + 1.5), [(2, 3)]),
    ("atanh", lambda a: (a * 0.4).atanh(), [(2, 3)]),
    ("copysign", lambda a, b: autograd.copysign(a, b), [(2, 3), (3,)]),
    ("ldexp", lambda a, b: a.ldexp(b), [(2, 1), (3,)]),
    ("logaddexp2", lambda a, b: autograd.logaddexp2(a, b), [(2, 3), (1, 3)]),
    ("sum_to_size", lambda a: a.sum_to_size(3, 1), [(2, 3, 4)]),
    ("where", lambda a, b: a.where(a.data > 0, b), [(2, 3), (3,)]),
    ("maximum", lambda a, b: a.maximum(b), [(2, 3), (1, 3)]),
    ("vdot", lambda a, b: autograd.vdot(a, b), [(4,), (4,)]),
    ("ger", lambda a, b: a.ger(b), [(3,), (2,)]),
    ("addmv", lambda a, b, c: a.addmv(b, c, beta=0.5, alpha=2), [(1,), (2, 3), (3,)]),
    ("addr", lambda a, b, c: autograd.addr(a, b, c, alpha=-1), [(2, 1), (2,), (3,)]),
    ("addbmm", lambda a, b, c: autograd.addbmm(a, b, c, beta=2), [(3,), (2, 2, 4), (2, 4, 3)]),
    ("rsub", lambda a, b: autograd.rsub(a, b, alpha=3), [(2, 3), (3,)]),
    ("broadcast_tensors", lambda a, b: autograd.broadcast_tensors(a, b)[1], [(2, 1), (3,)]),
    ("atleast_3d", lambda a: autograd.atleast_3d(a), [(4,)]),
    ("cumulative_trapezoid", lambda a: autograd.cumulative_trapezoid(a, dx=0.5), [(2, 4)]),
    (
        "cumulative_trapezoid_x",
        lambda a, b: autograd.cumulative_trapezoid(a, b, dim=0),
        [(4, 2), (4, 2)],
    ),
    ("trapz", lambda a, b: autograd.trapz(a, b), [(2, 4), (4,)]),
]


@pytest.mark.parametrize("case", GRADCHECKED, ids=[c[0] for c in GRADCHECKED])
def test_gradients_gradcheck(case):
    _, fn, shapes = case
    assert gradcheck(fn, [leaf(s, seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("name", ["asinh", "acosh", "atanh", "copysign", "logaddexp2"])
def test_second_derivatives(name):
    _, fn, shapes = next(c for c in GRADCHECKED if c[0] == name)
    assert gradgradcheck(fn, [leaf(s, seed=i) for i, s in enumerate(shapes)])


def _torch_case(name, t):
    """The torch expression of each GRADCHECKED case."""
    cases = {
        "asinh": lambda: t[0].asinh(),
        "acosh": lambda: torch.acosh(t[0] * t[0] + 1.5),
        "atanh": lambda: (t[0] * 0.4).atanh(),
        "copysign": lambda: torch.copysign(t[0], t[1]),
        "ldexp": lambda: t[0].ldexp(t[1]),
        "logaddexp2": lambda: torch.logaddexp2(t[0], t[1]),
        "sum_to_size": lambda: t[0].sum_to_size(3, 1),
        "where": lambda: t[0].where(t[0] > 0, t[1]),
        "maximum": lambda: t[0].maximum(t[1]),
        "vdot": lambda: torch.vdot(t[0], t[1]),
        "ger": lambda: t[0].ger(t[1]),
        "addmv": lambda: t[0].addmv(t[1], t[2], beta=0.5, alpha=2),
        "addr": lambda: torch.addr(t[0], t[1], t[2], alpha=-1),
        "addbmm": lambda: torch.addbmm(t[0], t[1], t[2], beta=2),
        "rsub": lambda: torch.rsub(t[0], t[1], alpha=3),
        "broadcast_tensors": lambda: torch.broadcast_tensors(t[0], t[1])[1],
        "atleast_3d": lambda: torch.atleast_3d(t[0]),
        "cumulative_trapezoid": lambda: torch.cumulative_trapezoid(t[0], dx=0.5),
        "cumulative_trapezoid_x": lambda: torch.cumulative_trapezoid(t[0], t[1], dim=0),
        "trapz": lambda: torch.trapz(t[0], t[1]),
    }
    return cases[name]()


@pytest.mark.parametrize("case", GRADCHECKED, ids=[c[0] for c in GRADCHECKED])
def test_gradients_match_torch(case):
    name, fn, shapes = case
    inputs = [leaf(s, seed=i) for i, s in enumerate(shapes)]
    theirs = [torch.tensor(x.data, requires_grad=True) for x in inputs]
    out = fn(*inputs)
    weights = np.random.default_rng(9).normal(size=out.shape)
    (out * Tensor(weights)).sum().backward()
    expected = _torch_case(name, theirs)
    same(out, expected)
    (expected * torch.tensor(weights)).sum().backward()
    for ours, t in zip(inputs, theirs):
        got = np.zeros(ours.shape) if ours.grad is None else ours.grad.data
        want = np.zeros(ours.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(got, want, atol=1e-8, rtol=1e-6)


UNARY_IN_PLACE = [
    "abs", "neg", "sqrt", "rsqrt", "sin", "cos", "log", "log2", "log10", "sinh", "cosh",
    "floor", "ceil", "trunc", "sign", "square", "tan", "asin", "acos", "atan", "erf",
    "erfc", "erfinv", "exp2", "sinc", "deg2rad", "rad2deg", "sgn", "negative", "absolute",
    "arcsin", "arccos", "arctan", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh", "logical_not", "fix", "round", "logit", "nan_to_num",
]  # fmt: skip
BINARY_IN_PLACE = [
    "pow", "remainder", "float_power", "multiply", "subtract", "true_divide",
    "floor_divide", "arctan2", "eq", "ne", "lt", "le", "gt", "ge", "greater",
    "greater_equal", "less", "less_equal", "not_equal", "logical_and", "logical_or",
    "logical_xor", "copysign", "ldexp", "divide",
]  # fmt: skip
POSITIVE = np.array([[0.3, 0.9, 0.5], [0.7, 0.2, 0.6]])


@pytest.mark.parametrize("name", UNARY_IN_PLACE)
def test_unary_in_place_methods_match_torch(name):
    if name in ("acosh", "arccosh"):
        values = POSITIVE + 1
    else:
        values = POSITIVE
    ours, theirs = Tensor(values.copy()), torch.tensor(values.copy())
    result = getattr(ours, name + "_")()
    assert result is ours
    getattr(theirs, name + "_")()
    same(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("name", BINARY_IN_PLACE)
def test_binary_in_place_methods_match_torch(name):
    ours, theirs = Tensor(POSITIVE.copy()), torch.tensor(POSITIVE.copy())
    other = POSITIVE[0, ::-1].copy() if name != "ldexp" else np.array([1, 2, 3])
    assert getattr(ours, name + "_")(Tensor(other)) is ours
    getattr(theirs, name + "_")(torch.tensor(other))
    same(ours, theirs, atol=1e-12)


def test_in_place_methods_with_arguments_match_torch():
    for call in (
        lambda x, m: x.addr_(x[:, 0].clone(), x[:, 1].clone(), beta=0.5),
        lambda x, m: x.addbmm_(m.ones(3, 2, 4, dtype=m.float64), m.ones(3, 4, 2, dtype=m.float64)),
        lambda x, m: x.cumsum_(0),
        lambda x, m: x.cumprod_(1),
        lambda x, m: x.round_(decimals=1),
        lambda x, m: x.logit_(0.35),
        lambda x, m: x.divide_(m.tensor(0.3, dtype=m.float64), rounding_mode="floor"),
    ):
        ours, theirs = Tensor(POSITIVE[:, :2].copy()), torch.tensor(POSITIVE[:, :2].copy())
        assert call(ours, autograd) is ours
        call(theirs, torch)
        same(ours, theirs, atol=1e-12)


def test_in_place_method_gradients_match_torch():
    """`y.copysign_(...)` on a tensor made by an op is recorded in the graph, as torch's
    (torch has no derivative for `asinh_`, which is recorded here as well)."""
    for name, args in (("copysign_", (-1.0,)), ("addr_", None), ("gt_", (0.2,))):
        x = leaf((2, 2))
        xt = torch.tensor(x.data, requires_grad=True)
        ours, theirs = x * 1.0, xt * 1.0
        if args is None:
            args_ours, args_theirs = (x[0], x[1]), (xt[0], xt[1])
        else:
            args_ours = args_theirs = args
        getattr(ours, name)(*args_ours)
        getattr(theirs, name)(*args_theirs)
        same(ours, theirs, atol=1e-12)
        (ours * ours).sum().backward()
        (theirs * theirs).sum().backward()
        np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), atol=1e-12)


def _convert(args, make):
    """`args` with each ndarray (also inside a tuple) made a tensor by `make`."""
    out = []
    for a in args:
        if isinstance(a, tuple):
            out.append(tuple(_convert(a, make)))
        else:
            out.append(make(a) if isinstance(a, np.ndarray) else a)
    return out


@pytest.mark.parametrize("name", autograd.ops.torch_more.IN_PLACE_FUNCTIONS)
def test_in_place_functions_match_torch(name):
    args = {
        "clamp_": (0.4, 0.6),
        "clip_": (0.4,),
        "clamp_max_": (0.5,),
        "clamp_min_": (0.5,),
        "fill_": (2.0,),
        "ldexp_": (np.array([1, 2, 3]),),
        "xlogy_": (np.array([0.5, 2.0, 3.0]),),
        "addmv_": (np.ones((2, 3)), np.array([1.0, 2.0, 0.5])),
        "index_put_": ((np.array([1, 0]),), np.array([5.0, 6.0])),
        "logit_": (0.25,),
    }.get(name, ())
    values = POSITIVE[0] + (1 if name in ("acosh_", "arccosh_") else 0)
    if name == "addmv_":
        values = values[:2]
    ours, theirs = Tensor(values.copy()), torch.tensor(values.copy())
    assert getattr(autograd, name)(ours, *_convert(args, Tensor)) is ours
    torch_args = _convert(args, torch.tensor)
    getattr(torch, name)(theirs, *torch_args)
    same(ours, theirs, atol=1e-12)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x, y: m.dropout(x, 0.3, False),
        lambda m, x, y: m.dropout(x, 0.0, True),
        lambda m, x, y: m.layer_norm(x, [3]),
        lambda m, x, y: m.layer_norm(x, (2, 3), y, y, 1e-3),
        lambda m, x, y: (m.selu(x), m.celu(x), m.celu(x, 2.0)),
        lambda m, x, y: (m.rrelu(x), m.threshold(x, 0.1, -5.0)),
        lambda m, x, y: m.prelu(x, m.tensor([0.25], dtype=m.float64)),
        lambda m, x, y: m.kl_div(x, y.sigmoid()),
        lambda m, x, y: (m.kl_div(x, y, 1, log_target=True), m.kl_div(x, y, 2)),
        lambda m, x, y: m.binary_cross_entropy_with_logits(x, y.sigmoid()),
        lambda m, x, y: m.binary_cross_entropy_with_logits(
            x, y.sigmoid(), y[0].abs().detach(), y[1].detach(), 1
        ),
        lambda m, x, y: m.binary_cross_entropy_with_logits(x, y.sigmoid(), None, None, 2),
        lambda m, x, y: m.embedding(x, m.tensor([[1, 0], [1, 1]])),
        lambda m, x, y: m.cosine_similarity(x, y),
        lambda m, x, y: m.cosine_similarity(x, y[0], dim=-1, eps=1e-3),
        lambda m, x, y: m.pairwise_distance(x, y, keepdim=True),
        lambda m, x, y: m.pairwise_distance(x, y[0], p=1.0),
    ],
)
def test_top_level_network_functions_match_torch(fn):
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    ours = [leaf(a.shape) for a in (x, y)]
    for t, a in zip(ours, (x, y)):
        t.data[...] = a
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, y)]
    out, expected = fn(autograd, *ours), fn(torch, *theirs)
    same(out, expected, atol=1e-12)
    outs = out if isinstance(out, tuple) else (out,)
    exps = expected if isinstance(expected, tuple) else (expected,)
    sum(o.sum() for o in outs).backward()
    sum(e.sum() for e in exps).backward()
    for o, t in zip(ours, theirs):
        got = np.zeros(o.shape) if o.grad is None else o.grad.data
        want = np.zeros(o.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(got, want, atol=1e-10)


def test_top_level_kl_div_does_not_warn_as_torchs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.kl_div(torch.zeros(2), torch.ones(2), 1)
        autograd.kl_div(autograd.zeros(2), autograd.ones(2), 1)


def test_embedding_padding_row_gets_no_gradient_as_torchs():
    weight = leaf((3, 2))
    wt = torch.tensor(weight.data, requires_grad=True)
    autograd.embedding(weight, autograd.tensor([0, 1, 1]), 1).sum().backward()
    torch.embedding(wt, torch.tensor([0, 1, 1]), 1).sum().backward()
    np.testing.assert_allclose(weight.grad.data, wt.grad.numpy())


def test_new_names_are_exported():
    for name in ("atleast_2d", "broadcast_tensors", "relu_", "exp_", "selu", "kl_div", "vdot"):
        assert name in autograd.__all__ and callable(getattr(autograd, name))


MATRIX = np.array(
    [[0.5, -1.5, 2.0, 0.25], [3.0, 0.0, -0.75, 1.0], [-2.0, 1.25, 0.5, -0.5]], dtype=np.float32
)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: x.index_fill(1, m.tensor([0, 2]), -1.0),
        lambda m, x: x.index_fill(0, m.tensor(-1), m.tensor(7.0)),
        lambda m, x: m.index_fill(x, -1, m.tensor([3, 3]), 2),
        lambda m, x: x.index_copy(0, m.tensor([2, 0]), x[:2] * 10),
        lambda m, x: m.index_copy(x, 1, m.tensor([3]), x[:, :1] + 1),
        lambda m, x: x.masked_scatter(x > 0, x * 100),
        lambda m, x: x.masked_scatter(m.tensor([True, False, True, False]), -x),
        lambda m, x: x[0].masked_scatter(x > 0, x.flip(0)),
        lambda m, x: x.select_scatter(x[0] * 0, 0, 1),
        lambda m, x: m.select_scatter(x, x[:, 1] + 5, 1, -1),
        lambda m, x: x.slice_scatter(x[:, ::2] * 0, 1, 0, None, 2),
        lambda m, x: m.slice_scatter(x, x[1:] + 1, start=1),
        lambda m, x: x.slice_scatter(x[:, 1:3] * 2, dim=-1, start=1, end=-1),
        lambda m, x: x.diagonal_scatter(x.diagonal(1) * 0, 1),
        lambda m, x: m.diagonal_scatter(x, x.diagonal(-1) + 9, -1),
        lambda m, x: m.diagonal_scatter(x, x.diagonal() + 9, 0, 1, 0),
        lambda m, x: m.stack([x, x]).diagonal_scatter(x[:, :2] * 0, 0, 0, 2),
        lambda m, x: m.stack([x, x]).diagonal_scatter(x[:3, :2].T * 0, 1, 1, 2),
        lambda m, x: x.unfold(1, 2, 1),
        lambda m, x: x.unfold(0, 2, 2),
        lambda m, x: x.unfold(-1, 4, 3),
        lambda m, x: x.unfold(1, 0, 1),
        lambda m, x: x[0, 0].unfold(0, 1, 1),
        lambda m, x: x.renorm(2, 0, 1.0),
        lambda m, x: m.renorm(x, 1, 1, 2.0),
        lambda m, x: x.renorm(float("inf"), -1, 1.5),
        lambda m, x: x.quantile(0.3),
        lambda m, x: m.quantile(x, m.tensor([0.2, 0.9]), 1, True),
        lambda m, x: x.quantile(m.tensor([0.0, 1.0, 0.5]), dim=0),
        lambda m, x: x.quantile(0.4, keepdim=True),
        lambda m, x: x.quantile(0.3, -1, interpolation="lower"),
        lambda m, x: x.quantile(0.3, -1, interpolation="higher"),
        lambda m, x: x.quantile(0.3, -1, interpolation="midpoint"),
        lambda m, x: x.quantile(m.tensor([0.5, 1 / 6]), -1, interpolation="nearest"),
        lambda m, x: x.quantile(0.5, 0, interpolation="nearest"),
        lambda m, x: x[0, 0].quantile(0.5, 0, True),
        lambda m, x: x.log().quantile(0.5, 1),
        lambda m, x: x.log().nanquantile(0.5, 1),
        lambda m, x: x.log().nanquantile(m.tensor([0.25, 0.75]), 0, interpolation="midpoint"),
        lambda m, x: x.log().nanquantile(0.5),
        lambda m, x: m.nanquantile(x, 0.1, 1, keepdim=True),
    ],
)
def test_scatter_window_and_quantile_functions_match_torch(fn):
    both(fn, MATRIX)


@pytest.mark.parametrize(
    "fn, error",
    [
        (lambda m: m.zeros(2, 3).index_fill(1, m.tensor([0.0]), 1.0), IndexError),
        (lambda m: m.zeros(2, 3).index_fill(1, m.tensor([[0]]), 1.0), RuntimeError),
        (lambda m: m.zeros(2, 3).index_fill(1, m.tensor([3]), 1.0), IndexError),
        (lambda m: m.zeros(2, 3).index_fill(2, m.tensor([0]), 1.0), IndexError),
        (lambda m: m.zeros(2, 3).index_fill(1, m.tensor([0]), m.ones(1)), RuntimeError),
        (lambda m: m.zeros(2, 3).index_copy(1, m.tensor([0]), m.ones(2, 2)), IndexError),
        (
            lambda m: m.zeros(2, 3).index_copy(1, m.tensor([0]), m.ones(2, 1, dtype=m.float64)),
            RuntimeError,
        ),
        (
            lambda m: m.zeros(2, 3).masked_scatter(m.ones(2, 3, dtype=m.bool), m.ones(5)),
            RuntimeError,
        ),
        (lambda m: m.zeros(2, 3).masked_scatter(m.ones(2, 3), m.ones(6)), RuntimeError),
        (lambda m: m.zeros(2, 3).slice_scatter(m.ones(2, 2), 1, 0, 1), RuntimeError),
        (lambda m: m.zeros(2, 3).diagonal_scatter(m.ones(3)), RuntimeError),
        (lambda m: m.zeros(2, 3).select_scatter(m.ones(3), 0, 2), IndexError),
        (lambda m: m.zeros(2, 3).unfold(2, 1, 1), IndexError),
        (lambda m: m.zeros(2, 3).unfold(1, 2, 0), RuntimeError),
        (lambda m: m.zeros(2, 3).unfold(1, 4, 1), RuntimeError),
        (lambda m: m.zeros(2, 3).renorm(2, 0, -1), RuntimeError),
        (lambda m: m.zeros(2, 3).renorm(-1, 0, 1), RuntimeError),
        (lambda m: m.zeros(3).renorm(2, 0, 1), RuntimeError),
        (lambda m: m.zeros(2, 3).quantile(1.5), RuntimeError),
        (lambda m: m.zeros(2, 3).long().quantile(0.5), RuntimeError),
        (lambda m: m.zeros(2, 3).quantile(m.tensor([0.5], dtype=m.float64)), RuntimeError),
        (lambda m: m.zeros(2, 3).quantile(0.5, interpolation="foo"), RuntimeError),
        (lambda m: m.zeros(0).quantile(0.5), RuntimeError),
        (lambda m: m.zeros(2, 3).quantile(m.tensor([[0.5]])), RuntimeError),
        (lambda m: m.zeros(2, 3).nanquantile(-0.5), RuntimeError),
    ],
)
def test_scatter_window_and_quantile_errors_are_torchs(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(autograd)


SCATTER_GRADCHECKED = [
    ("index_fill", lambda a: a.index_fill(1, np.array([0, 2]), -1.0), [(2, 3)]),
    ("index_copy", lambda a, b: a.index_copy(0, np.array([2, 0]), b), [(3, 4), (2, 4)]),
    ("masked_scatter", lambda a, b: a.masked_scatter(a.data > 0, b), [(3, 4), (2, 6)]),
    ("select_scatter", lambda a, b: autograd.select_scatter(a, b, 1, 0), [(3, 4), (3,)]),
    ("slice_scatter", lambda a, b: a.slice_scatter(b, 1, 1, None, 2), [(3, 4), (3, 2)]),
    ("diagonal_scatter", lambda a, b: a.diagonal_scatter(b, -1), [(3, 4), (2,)]),
    ("diagonal_scatter_3d", lambda a, b: a.diagonal_scatter(b, 0, 0, 2), [(2, 3, 2), (3, 2)]),
    ("unfold", lambda a: a.unfold(1, 3, 1), [(2, 5)]),
    ("renorm", lambda a: a.renorm(2, 0, 1.5), [(3, 4)]),
    ("renorm_p1", lambda a: autograd.renorm(a, 1, 1, 2.0), [(3, 4)]),
    ("quantile", lambda a: a.quantile(np.array([0.25, 0.6]), 1), [(3, 5)]),
    ("quantile_all", lambda a: autograd.quantile(a, 0.3, keepdim=True), [(3, 5)]),
    ("quantile_midpoint", lambda a: a.quantile(0.5, 0, interpolation="midpoint"), [(4, 3)]),
    ("nanquantile", lambda a: a.nanquantile(0.7, 1), [(3, 5)]),
]


def _torch_scatter_case(name, t):
    """The torch expression of each SCATTER_GRADCHECKED case."""
    cases = {
        "index_fill": lambda: t[0].index_fill(1, torch.tensor([0, 2]), -1.0),
        "index_copy": lambda: t[0].index_copy(0, torch.tensor([2, 0]), t[1]),
        "masked_scatter": lambda: t[0].masked_scatter(t[0] > 0, t[1]),
        "select_scatter": lambda: torch.select_scatter(t[0], t[1], 1, 0),
        "slice_scatter": lambda: t[0].slice_scatter(t[1], 1, 1, None, 2),
        "diagonal_scatter": lambda: t[0].diagonal_scatter(t[1], -1),
        "diagonal_scatter_3d": lambda: t[0].diagonal_scatter(t[1], 0, 0, 2),
        "unfold": lambda: t[0].unfold(1, 3, 1),
        "renorm": lambda: t[0].renorm(2, 0, 1.5),
        "renorm_p1": lambda: torch.renorm(t[0], 1, 1, 2.0),
        "quantile": lambda: t[0].quantile(torch.tensor([0.25, 0.6], dtype=torch.float64), 1),
        "quantile_all": lambda: torch.quantile(t[0], 0.3, keepdim=True),
        "quantile_midpoint": lambda: t[0].quantile(0.5, 0, interpolation="midpoint"),
        "nanquantile": lambda: t[0].nanquantile(0.7, 1),
    }
    return cases[name]()


@pytest.mark.parametrize("case", SCATTER_GRADCHECKED, ids=[c[0] for c in SCATTER_GRADCHECKED])
def test_scatter_gradients_gradcheck(case):
    _, fn, shapes = case
    assert gradcheck(fn, [leaf(s, seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("case", SCATTER_GRADCHECKED, ids=[c[0] for c in SCATTER_GRADCHECKED])
def test_scatter_gradients_match_torch(case):
    name, fn, shapes = case
    inputs = [leaf(s, seed=i) for i, s in enumerate(shapes)]
    theirs = [torch.tensor(x.data, requires_grad=True) for x in inputs]
    out = fn(*inputs)
    weights = np.random.default_rng(9).normal(size=out.shape)
    (out * Tensor(weights)).sum().backward()
    expected = _torch_scatter_case(name, theirs)
    same(out, expected)
    (expected * torch.tensor(weights)).sum().backward()
    for ours, t in zip(inputs, theirs):
        got = np.zeros(ours.shape) if ours.grad is None else ours.grad.data
        want = np.zeros(ours.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(got, want, atol=1e-8, rtol=1e-6)


def test_nan_slices_of_quantiles_match_torch():
    nan = float("nan")
    rows = np.array([[nan, nan, 1.0], [1.0, 2.0, 3.0], [nan, nan, nan]])
    both(lambda m, x: x.nanquantile(0.5, 1), rows)
    both(lambda m, x: x.nanquantile(m.tensor([0.5, 0.1], dtype=m.float64), 0), rows)
    both(lambda m, x: (x.quantile(0.5, 1), x.nanquantile(0.3), x[2].nanquantile(0.3)), rows)


def test_scatter_in_place_methods_match_torch():
    for call in (
        lambda x, m: x.index_fill_(1, m.tensor([0, 2]), -1.0),
        lambda x, m: x.index_copy_(0, m.tensor([1]), m.ones(1, 4, dtype=m.float64)),
        lambda x, m: x.masked_scatter_(x > 0, m.zeros(12, dtype=m.float64)),
        lambda x, m: x.renorm_(2, 0, 1.0),
    ):
        values = MATRIX.astype(np.float64)
        ours, theirs = Tensor(values.copy()), torch.tensor(values.copy())
        assert call(ours, autograd) is ours
        call(theirs, torch)
        same(ours, theirs, atol=1e-12)


def _spd(a, m):
    """A symmetric positive-definite matrix made of `a` (either module)."""
    return a @ a.mT + 3 * m.eye(a.shape[-1], dtype=a.dtype)


def _sym(a):
    return (a + a.mT) / 2


RNG = np.random.default_rng(5)
SQUARE = RNG.normal(size=(2, 3, 3))
TALL = RNG.normal(size=(5, 3))


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, a, t: m.linalg.cholesky(_spd(a, m)),
        lambda m, a, t: m.linalg.cholesky(_spd(a, m), upper=True),
        lambda m, a, t: m.cholesky(_spd(a[0], m)),
        lambda m, a, t: _spd(a[0], m).cholesky(upper=True),
        lambda m, a, t: m.linalg.eigvalsh(_sym(a)),
        lambda m, a, t: m.linalg.eigvalsh(a, UPLO="U"),
        lambda m, a, t: m.linalg.eigh(_sym(a))[1].abs(),
        lambda m, a, t: tuple(m.linalg.qr(t)),
        lambda m, a, t: tuple(m.linalg.qr(t, mode="complete")),
        lambda m, a, t: m.linalg.qr(t.mT)[1],
        lambda m, a, t: m.linalg.qr(a, mode="r")[1],
        lambda m, a, t: tuple(m.qr(t)),
        lambda m, a, t: tuple(t.qr(some=False)),
        lambda m, a, t: m.linalg.pinv(t),
        lambda m, a, t: m.linalg.pinv(a, rtol=0.5),
        lambda m, a, t: m.linalg.pinv(t, atol=1.0),
        lambda m, a, t: (m.pinverse(t), t.pinverse(0.4)),
        lambda m, a, t: m.linalg.matrix_rank(t),
        lambda m, a, t: m.linalg.matrix_rank(a, atol=1.0, rtol=0.1),
        lambda m, a, t: m.linalg.matrix_rank(t @ t.mT),
        lambda m, a, t: m.linalg.matrix_power(a, 5),
        lambda m, a, t: m.linalg.matrix_power(a, -3),
        lambda m, a, t: (m.matrix_power(a, 0), a.matrix_power(1), a.matrix_power(2)),
        lambda m, a, t: m.linalg.multi_dot([t[0], t.mT, t, t[1]]),
        lambda m, a, t: m.linalg.multi_dot([t, t.mT]),
        lambda m, a, t: m.chain_matmul(t, t.mT, t),
        lambda m, a, t: m.linalg.cross(a, a.flip(-1)),
        lambda m, a, t: m.linalg.cross(a, a[:1].flip(1), dim=1),
        lambda m, a, t: m.linalg.vecdot(a, a[0]),
        lambda m, a, t: m.linalg.vecdot(t, t, dim=0),
        lambda m, a, t: m.linalg.diagonal(a),
        lambda m, a, t: m.linalg.diagonal(a, offset=-1, dim1=0, dim2=2),
        lambda m, a, t: m.linalg.matmul(a, t.mT[:, :3]),
        lambda m, a, t: m.linalg.solve_triangular(a, t.mT[:, :2], upper=True),
        lambda m, a, t: m.linalg.solve_triangular(a, a, upper=False, unitriangular=True),
        lambda m, a, t: m.linalg.solve_triangular(a, t[:2], upper=True, left=False),
        lambda m, a, t: tuple(m.linalg.lstsq(t, t[:, :2])),
        lambda m, a, t: tuple(m.linalg.lstsq(t, t[:, 0])),
        lambda m, a, t: tuple(m.linalg.lstsq(t, t[:, :2], driver="gelsd")),
        lambda m, a, t: tuple(m.linalg.lstsq(t, t[:, :2], driver="gelss")),
        lambda m, a, t: tuple(m.linalg.lstsq(t, t[:, :2], driver="gels")),
        lambda m, a, t: tuple(m.linalg.lstsq(a, a, 0.3, driver="gelsd")),
        lambda m, a, t: (m.linalg.cond(a), m.linalg.cond(a, -2), m.linalg.cond(t)),
        lambda m, a, t: (m.linalg.cond(a, "fro"), m.linalg.cond(a, "nuc")),
        lambda m, a, t: (m.linalg.cond(a, 1), m.linalg.cond(a, -1)),
        lambda m, a, t: (m.linalg.cond(a, float("inf")), m.linalg.cond(a, float("-inf"))),
        lambda m, a, t: m.linalg.matrix_exp(a),
        lambda m, a, t: m.linalg.matrix_exp(a * 10),
        lambda m, a, t: (m.matrix_exp(a.float()), a.matrix_exp()),
        lambda m, a, t: m.linalg.matrix_exp(t[:0, :0]),
        lambda m, a, t: a.slogdet(),
    ],
)
def test_linalg_functions_match_torch(fn):
    both(fn, SQUARE, TALL)


@pytest.mark.parametrize(
    "fn, error",
    [
        (lambda m: m.linalg.cholesky(-m.eye(2)), RuntimeError),
        (lambda m: m.linalg.cholesky(m.ones(2, 3)), RuntimeError),
        (lambda m: m.linalg.eigh(m.eye(2), UPLO="X"), RuntimeError),
        (lambda m: m.linalg.eigh(m.tensor([[1, 0], [0, 1]])), RuntimeError),
        (lambda m: m.linalg.qr(m.ones(3)), RuntimeError),
        (lambda m: m.linalg.qr(m.ones(3, 2), mode="full"), RuntimeError),
        (lambda m: m.linalg.pinv(m.ones(3)), RuntimeError),
        (lambda m: m.linalg.matrix_power(m.ones(2, 3), 2), RuntimeError),
        (lambda m: m.linalg.matrix_power(m.eye(2), 2.0), TypeError),
        (lambda m: m.linalg.multi_dot([m.ones(2, 2)]), RuntimeError),
        (lambda m: m.linalg.multi_dot([m.ones(2, 2), m.ones(2), m.ones(2, 2)]), RuntimeError),
        (lambda m: m.linalg.solve_triangular(m.eye(2), m.ones(2), upper=True), RuntimeError),
        (lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(2, 1)), RuntimeError),
        (lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(3, 1), driver="foo"), RuntimeError),
        (lambda m: m.linalg.cond(m.ones(2, 2), 3), RuntimeError),
        (lambda m: m.linalg.cond(m.ones(2, 3), 1), RuntimeError),
        (lambda m: m.linalg.matrix_exp(m.ones(2, 3)), RuntimeError),
        (lambda m: m.chain_matmul(m.ones(2, 2), m.ones(2)), RuntimeError),
        (lambda m: m.linalg.cross(m.ones(2, 3), m.ones(3)), RuntimeError),
    ],
)
def test_linalg_errors_are_torchs(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(autograd)


def test_cholesky_of_a_matrix_not_positive_definite_raises_linalg_error():
    with pytest.raises(autograd.linalg.LinAlgError, match="not positive-definite"):
        autograd.linalg.cholesky(-autograd.eye(2))
    assert issubclass(autograd.linalg.LinAlgError, RuntimeError)


EYE3 = np.eye(3)
LINALG_GRADCHECKED = [
    ("cholesky", lambda a: autograd.linalg.cholesky(_spd(a, autograd)), [(2, 3, 3)]),
    ("cholesky_upper", lambda a: autograd.linalg.cholesky(_spd(a, autograd), upper=True), [(3, 3)]),
    ("eigvalsh", lambda a: autograd.linalg.eigvalsh(_sym(a)), [(2, 3, 3)]),
    ("eigh_vectors", lambda a: autograd.linalg.eigh(_sym(a))[1] ** 2, [(3, 3)]),
    ("qr_q", lambda a: autograd.linalg.qr(a)[0], [(4, 3)]),
    ("qr_r", lambda a: autograd.linalg.qr(a)[1], [(2, 3, 3)]),
    ("pinv_tall", lambda a: autograd.linalg.pinv(a), [(4, 3)]),
    ("pinv_wide", lambda a: autograd.linalg.pinv(a), [(2, 2, 3)]),
    ("matrix_power", lambda a: autograd.linalg.matrix_power(a, 3), [(2, 3, 3)]),
    ("matrix_power_neg", lambda a: autograd.linalg.matrix_power(a + 3 * EYE3, -2), [(3, 3)]),
    ("multi_dot", lambda a, b, c: autograd.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4, 2)]),
    ("vecdot", lambda a, b: autograd.linalg.vecdot(a, b), [(2, 3), (3,)]),
    (
        "solve_triangular",
        lambda a, b: autograd.linalg.solve_triangular(a + 3 * EYE3, b, upper=True),
        [(3, 3), (2, 3, 2)],
    ),
    (
        "solve_triangular_unit",
        lambda a, b: autograd.linalg.solve_triangular(
            a, b, upper=False, left=False, unitriangular=True
        ),
        [(3, 3), (2, 3)],
    ),
    ("lstsq", lambda a, b: autograd.linalg.lstsq(a, b).solution, [(5, 3), (5, 2)]),
    ("cond", lambda a: autograd.linalg.cond(a), [(2, 3, 3)]),
    ("matrix_exp", lambda a: autograd.linalg.matrix_exp(a), [(2, 3, 3)]),
]


def _torch_linalg_case(name, t):
    """The torch expression of each LINALG_GRADCHECKED case."""
    eye = torch.eye(3, dtype=torch.float64)
    la = torch.linalg
    cases = {
        "cholesky": lambda: la.cholesky(_spd(t[0], torch)),
        "cholesky_upper": lambda: la.cholesky(_spd(t[0], torch), upper=True),
        "eigvalsh": lambda: la.eigvalsh(_sym(t[0])),
        "eigh_vectors": lambda: la.eigh(_sym(t[0]))[1] ** 2,
        "qr_q": lambda: la.qr(t[0])[0],
        "qr_r": lambda: la.qr(t[0])[1],
        "pinv_tall": lambda: la.pinv(t[0]),
        "pinv_wide": lambda: la.pinv(t[0]),
        "matrix_power": lambda: la.matrix_power(t[0], 3),
        "matrix_power_neg": lambda: la.matrix_power(t[0] + 3 * eye, -2),
        "multi_dot": lambda: la.multi_dot(t),
        "vecdot": lambda: la.vecdot(t[0], t[1]),
        "solve_triangular": lambda: la.solve_triangular(t[0] + 3 * eye, t[1], upper=True),
        "solve_triangular_unit": lambda: la.solve_triangular(
            t[0], t[1], upper=False, left=False, unitriangular=True
        ),
        "lstsq": lambda: la.lstsq(t[0], t[1]).solution,
        "cond": lambda: la.cond(t[0]),
        "matrix_exp": lambda: la.matrix_exp(t[0]),
    }
    return cases[name]()


@pytest.mark.parametrize("case", LINALG_GRADCHECKED, ids=[c[0] for c in LINALG_GRADCHECKED])
def test_linalg_gradients_gradcheck(case):
    _, fn, shapes = case
    assert gradcheck(fn, [leaf(s, seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("name", ["cholesky", "eigvalsh", "qr_r", "pinv_tall", "matrix_exp"])
def test_linalg_second_derivatives(name):
    _, fn, shapes = next(c for c in LINALG_GRADCHECKED if c[0] == name)
    assert gradgradcheck(fn, [leaf(s, seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("case", LINALG_GRADCHECKED, ids=[c[0] for c in LINALG_GRADCHECKED])
def test_linalg_gradients_match_torch(case):
    name, fn, shapes = case
    inputs = [leaf(s, seed=i) for i, s in enumerate(shapes)]
    theirs = [torch.tensor(x.data, requires_grad=True) for x in inputs]
    out = fn(*inputs)
    weights = np.random.default_rng(9).normal(size=out.shape)
    (out * Tensor(weights)).sum().backward()
    expected = _torch_linalg_case(name, theirs)
    same(out, expected)
    (expected * torch.tensor(weights)).sum().backward()
    for ours, t in zip(inputs, theirs):
        np.testing.assert_allclose(ours.grad.data, t.grad.numpy(), atol=1e-8, rtol=1e-6)


def test_eigh_gradient_of_a_nonsymmetric_input_is_torchs():
    """torch projects V^T dV onto the skew-symmetric matrices: the gradient of a
    matrix that is not symmetric (whose upper triangle eigh does not read) is torch's."""
    a = leaf((3, 3))
    at = torch.tensor(a.data, requires_grad=True)
    w, v = autograd.linalg.eigh(a)
    wt, vt = torch.linalg.eigh(at)
    (v**2 * Tensor(SQUARE[0]) + w).sum().backward()
    (vt**2 * torch.tensor(SQUARE[0]) + wt).sum().backward()
    np.testing.assert_allclose(a.grad.data, at.grad.numpy(), atol=1e-10)


def test_qr_mode_r_has_no_gradient_as_torchs():
    r = autograd.linalg.qr(leaf((3, 2)), mode="r")[1]
    with pytest.raises(RuntimeError, match="mode='r'"):
        r.sum().backward()


def test_linalg_names_resolve_and_top_level_aliases_are_torchs():
    for name in autograd.linalg.__all__:
        assert hasattr(torch.linalg, name), name
        getattr(autograd.linalg, name)
    for name in ("cholesky", "qr", "pinverse", "matrix_power", "matrix_exp", "chain_matmul"):
        assert name in autograd.__all__ and callable(getattr(autograd, name))
    with pytest.raises(AttributeError):
        autograd.linalg.no_such_function  # noqa: B018


def test_randint_like_draws_torchs_values_in_the_inputs_dtype():
    for args in ((10,), (3, 10)):
        for ours_in, theirs_in in (
            (autograd.zeros(5), torch.zeros(5)),
            (autograd.zeros(2, 2, dtype=autograd.int32), torch.zeros(2, 2, dtype=torch.int32)),
        ):
            autograd.manual_seed(3)
            torch.manual_seed(3)
            same(autograd.randint_like(ours_in, *args), torch.randint_like(theirs_in, *args), 0)
    with pytest.raises(RuntimeError):
        torch.randint_like(torch.zeros(2), 5, 2)
    with pytest.raises(RuntimeError):
        autograd.randint_like(autograd.zeros(2), 5, 2)


REDUCE_INDEX = np.array([[0, 1, 0, 2], [2, 1, 0, 0]])


def _reduce_inputs():
    """An input and a src with a zero each (prod's masked slopes) and ties (amax's
    shared gradient)."""
    rng = np.random.default_rng(2)
    x, s = rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    x[1, 1], s[0, 2] = 0.0, 0.0
    s[1, 0] = x[2, 0]  # a tie between input and src
    s[1, 3] = s[0, 3] = 5.0  # a tie between two src elements
    return x, s


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_values_and_gradients_match_torch(reduce, include_self):
    x, s = _reduce_inputs()
    a, b = Tensor(x.copy(), requires_grad=True), Tensor(s.copy(), requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
    out = a.scatter_reduce(0, Tensor(REDUCE_INDEX), b, reduce, include_self=include_self)
    expected = torch.scatter_reduce(
        ta, 0, torch.tensor(REDUCE_INDEX), tb, reduce, include_self=include_self
    )
    same(out, expected, atol=1e-12)
    weights = np.random.default_rng(1).normal(size=out.shape)
    (out * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: x.scatter_reduce(1, m.tensor([[0, 0, 2]]), x[:1, :3] * 3, "sum"),
        lambda m, x: x.scatter_reduce(0, m.tensor([[1, 0, 1]]), x[:1, :3] + 2, "mean"),
        lambda m, x: m.scatter_reduce(
            x, 0, m.tensor([[1], [1]]), x[:, :1] * 7, "mean", include_self=False
        ),
        lambda m, x: x.scatter_reduce(
            -1, m.tensor([[3, 3]]), x[:1, :2], "amax", include_self=False
        ),
        lambda m, x: x.scatter_reduce(1, m.tensor([[0, 1]]), x[:1, :2] - 1, "prod"),
        lambda m, x: x[0, 0].scatter_reduce(0, m.tensor(0), x[1, 1], "amin"),
        lambda m, x: x.scatter_reduce(1, m.tensor([[0, 0]]), x[:1, 1:3], "max"),
        lambda m, x: x.scatter_reduce(1, m.tensor([[0, 0]]), x[:1, 1:3], "min"),
    ],
)
def test_scatter_reduce_of_integers_and_floats_matches_torch(fn):
    both(fn, MATRIX)
    both(fn, (MATRIX * 4).astype(np.int64))


def test_scatter_reduce_gradcheck_and_errors():
    index = np.array([[0, 1, 0], [2, 1, 0]])
    for reduce in ("sum", "mean", "amax", "prod"):
        assert gradcheck(
            lambda a, b, r=reduce: a.scatter_reduce(0, index, b, r, include_self=False),
            [leaf((3, 3)), leaf((2, 3), seed=1)],
        )
    assert gradgradcheck(
        lambda a, b: a.scatter_reduce(0, index, b, "mean"), [leaf((3, 3)), leaf((2, 3), seed=1)]
    )
    a, b = leaf((3, 3)), leaf((2, 3), seed=1)
    grad = autograd.grad(a.scatter_reduce(0, index, b, "prod").sum(), a, create_graph=True)[0]
    with pytest.raises(RuntimeError):  # prod has no second derivative here (torch has one)
        grad.sum().backward()
    for m in (torch, autograd):
        with pytest.raises(RuntimeError):
            m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "mul")
        with pytest.raises(RuntimeError):
            m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1, dtype=m.float64), "sum")
        with pytest.raises(RuntimeError):
            m.zeros(3).scatter_reduce(0, m.tensor([3]), m.ones(1), "sum")


def test_scatter_reduce_in_place_matches_torch():
    x, s = _reduce_inputs()
    ours, theirs = Tensor(x.copy()), torch.tensor(x.copy())
    assert ours.scatter_reduce_(0, Tensor(REDUCE_INDEX), Tensor(s), "amin") is ours
    theirs.scatter_reduce_(0, torch.tensor(REDUCE_INDEX), torch.tensor(s), "amin")
    same(ours, theirs, atol=0)


@pytest.mark.parametrize("name", ["exp_", "sqrt_", "clamp_", "asinh_"])
def test_in_place_functions_bump_the_version_as_torchs(name):
    """A value saved for backward and then changed by ``torch.<op>_(y)`` raises in
    backward, on both sides."""
    for m in (torch, autograd):
        x = m.ones(3, dtype=m.float64, requires_grad=True)
        y = x * 2
        z = y.sin()  # saves y
        version = y._version
        getattr(m, name)(y, *((0.5,) if name == "clamp_" else ()))
        assert y._version > version
        with pytest.raises(RuntimeError):
            z.sum().backward()
