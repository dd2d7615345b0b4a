"""PyTorch's top-level functions of batch 2 (`autograd.ops.math_more`, `aliases`,
`types`) against torch: values, dtypes, gradients, second derivatives, edge inputs
(zeros, -0.0, inf, NaN, empty and 0-d tensors) and errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
EDGES = np.array(
    [0.0, -0.0, 0.3, -0.7, 1.0, -1.0, 2.5, -3.0, np.inf, -np.inf, np.nan, 1e-8, 40.0, -40.0, 0.999]
)

UNARY = """log1p expm1 tan asin acos atan reciprocal erfc erfinv exp2 sinc frac deg2rad rad2deg
sgn logit isfinite isposinf isneginf signbit""".split()
BINARY = """atan2 hypot xlogy logaddexp fmod fmax fmin float_power logical_xor eq ne lt le gt
ge""".split()
INT_UNARY = """log1p expm1 tan asin acos atan reciprocal erfc erfinv exp2 sinc deg2rad rad2deg
sgn logit isfinite isposinf isneginf signbit""".split()
INT_BINARY = "atan2 xlogy fmod fmax fmin float_power logical_xor eq lt".split()


def _numpy(x):
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _same(ours, theirs, rtol=1e-12, atol=1e-12):
    """Same shape, dtype and values (NaN where torch has NaN) as torch's result."""
    mine, ref = np.asarray(ours.data if isinstance(ours, Tensor) else ours), _numpy(theirs)
    assert mine.dtype.name == str(theirs.dtype).removeprefix("torch."), (mine.dtype, theirs.dtype)
    assert mine.shape == ref.shape
    np.testing.assert_allclose(mine, ref, rtol=rtol, atol=atol, equal_nan=True)


def _tol(dtype):
    return {"rtol": 2e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY)
def test_unary_values_on_edge_inputs_as_torch(name, dtype):
    x = EDGES.astype(dtype)
    ours, theirs = getattr(autograd, name)(Tensor(x)), getattr(torch, name)(torch.tensor(x))
    _same(ours, theirs, **_tol(dtype))
    _same(getattr(Tensor(x), name)(), theirs, **_tol(dtype))  # the method of the same name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", BINARY)
def test_binary_values_on_edge_inputs_as_torch(name, dtype):
    x, y = EDGES.astype(dtype), EDGES[::-1].astype(dtype)
    ours = getattr(autograd, name)(Tensor(x), Tensor(y))
    _same(ours, getattr(torch, name)(torch.tensor(x), torch.tensor(y)), **_tol(dtype))


@pytest.mark.parametrize("name", INT_UNARY)
def test_integer_inputs_as_torch(name):
    x = np.array([0, 1, -2, 5, 3])
    _same(getattr(autograd, name)(Tensor(x)), getattr(torch, name)(torch.tensor(x)), 2e-6, 1e-6)


@pytest.mark.parametrize("name", INT_BINARY)
@pytest.mark.parametrize("second", ["int", "float32"])
def test_integer_operands_of_binary_functions_as_torch(name, second):
    x, y = np.array([0, 1, -2, 5, 3]), np.array([3, -2, 4, 1, 2])
    first = autograd.float32 if second == "float32" else None
    ours = getattr(autograd, name)(Tensor(x, dtype=first), Tensor(y))
    theirs = getattr(torch, name)(
        torch.tensor(x, dtype=torch.float32 if first else None), torch.tensor(y)
    )
    _same(ours, theirs, 2e-6, 1e-6)


@pytest.mark.parametrize("name", ["hypot", "logaddexp"])
def test_functions_without_an_integer_form_raise_as_torch(name):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.tensor([1, 2]), torch.tensor([3, 4]))
    with pytest.raises(RuntimeError, match=name):
        getattr(autograd, name)(autograd.tensor([1, 2]), autograd.tensor([3, 4]))


@pytest.mark.parametrize("name", ["log1p", "erfinv", "sinc", "signbit", "isposinf", "atan"])
@pytest.mark.parametrize("shape", [(0, 3), ()])
def test_empty_and_0d_inputs_as_torch(name, shape):
    x = np.full(shape, 0.5)
    _same(getattr(autograd, name)(Tensor(x)), getattr(torch, name)(torch.tensor(x)))


def test_bool_inputs_as_torch():
    x = np.array([True, False])
    for name in ["log1p", "signbit", "isfinite", "sgn", "exp2"]:
        _same(getattr(autograd, name)(Tensor(x)), getattr(torch, name)(torch.tensor(x)), 2e-6)


def test_erfinv_and_erfc_to_the_precision_of_the_dtype():
    u = np.linspace(-0.999999, 0.999999, 2001)
    _same(autograd.erfinv(Tensor(u)), torch.erfinv(torch.tensor(u)), rtol=1e-12, atol=1e-13)
    u32 = u.astype(np.float32)
    _same(autograd.erfinv(Tensor(u32)), torch.erfinv(torch.tensor(u32)), rtol=1e-5, atol=1e-6)
    v = np.linspace(-6, 26, 801)  # erfc far in the right tail, where 1 - erf is 0
    _same(autograd.erfc(Tensor(v)), torch.erfc(torch.tensor(v)), rtol=1e-12, atol=0)
    v32 = np.linspace(-6, 9, 301).astype(np.float32)
    _same(autograd.erfc(Tensor(v32)), torch.erfc(torch.tensor(v32)), rtol=5e-6, atol=0)


def test_xlogy_is_zero_where_x_is_zero_as_torch():
    x, y = np.array([0.0, 0.0, 0.0, 1.0, 2.0]), np.array([0.0, -1.0, np.nan, 0.0, np.inf])
    _same(autograd.xlogy(Tensor(x), Tensor(y)), torch.xlogy(torch.tensor(x), torch.tensor(y)))


def test_logaddexp_of_equal_infinities_as_torch():
    a, b = np.array([-np.inf, np.inf, np.inf, 1.0]), np.array([-np.inf, np.inf, -np.inf, 1.0])
    _same(
        autograd.logaddexp(Tensor(a), Tensor(b)), torch.logaddexp(torch.tensor(a), torch.tensor(b))
    )


def _leaves(*shapes, low=-2.0, high=2.0):
    data = [RNG.uniform(low, high, s) for s in shapes]
    ours = [Tensor(d.copy(), requires_grad=True) for d in data]
    theirs = [torch.tensor(d.copy(), requires_grad=True) for d in data]
    return ours, theirs


DIFFERENTIABLE = {  # name: (our call, torch's call, input shapes, domain)
    "log1p": (autograd.log1p, torch.log1p, [(2, 3)], (0.1, 2)),
    "expm1": (autograd.expm1, torch.expm1, [(2, 3)], (-2, 2)),
    "tan": (autograd.tan, torch.tan, [(2, 3)], (-1.2, 1.2)),
    "asin": (autograd.asin, torch.asin, [(2, 3)], (-0.9, 0.9)),
    "acos": (autograd.acos, torch.acos, [(2, 3)], (-0.9, 0.9)),
    "atan": (autograd.atan, torch.atan, [(2, 3)], (-2, 2)),
    "atan2": (autograd.atan2, torch.atan2, [(2, 3), (3,)], (0.2, 2)),
    "reciprocal": (autograd.reciprocal, torch.reciprocal, [(2, 3)], (0.2, 2)),
    "lerp": (autograd.lerp, torch.lerp, [(2, 3), (3,), (2, 1)], (-2, 2)),
    "lerp_number": (
        lambda a, b: autograd.lerp(a, b, 0.7),
        lambda a, b: torch.lerp(a, b, 0.7),
        [(2, 3), (3,)],
        (-2, 2),
    ),
    "logit": (autograd.logit, torch.logit, [(2, 3)], (0.05, 0.95)),
    "logit_eps": (
        lambda a: autograd.logit(a, eps=0.2),
        lambda a: torch.logit(a, eps=0.2),
        [(2, 3)],
        (0.05, 0.95),
    ),
    "hypot": (autograd.hypot, torch.hypot, [(2, 3), (2, 1)], (0.2, 2)),
    "xlogy": (autograd.xlogy, torch.xlogy, [(2, 3), (3,)], (0.2, 2)),
    "logaddexp": (autograd.logaddexp, torch.logaddexp, [(3, 1), (1, 4)], (-2, 2)),
    "erfc": (autograd.erfc, torch.erfc, [(2, 3)], (-2, 2)),
    "erfinv": (autograd.erfinv, torch.erfinv, [(2, 3)], (-0.9, 0.9)),
    "exp2": (autograd.exp2, torch.exp2, [(2, 3)], (-2, 2)),
    "sinc": (autograd.sinc, torch.sinc, [(2, 3)], (-2, 2)),
    "fmod": (autograd.fmod, torch.fmod, [(2, 3), (3,)], (0.3, 2)),
    "fmax": (autograd.fmax, torch.fmax, [(3, 4), (4,)], (-2, 2)),
    "fmin": (autograd.fmin, torch.fmin, [(3, 1), (1, 4)], (-2, 2)),
    "frac": (autograd.frac, torch.frac, [(2, 3)], (-2, 2)),
    "deg2rad": (autograd.deg2rad, torch.deg2rad, [(2, 3)], (-2, 2)),
    "rad2deg": (autograd.rad2deg, torch.rad2deg, [(2, 3)], (-2, 2)),
    "float_power": (autograd.float_power, torch.float_power, [(2, 3), (3,)], (0.2, 2)),
    "addcmul": (
        lambda a, b, c: autograd.addcmul(a, b, c, value=0.5),
        lambda a, b, c: torch.addcmul(a, b, c, value=0.5),
        [(2, 3), (3,), (2, 1)],
        (-2, 2),
    ),
    "addcdiv": (
        lambda a, b, c: autograd.addcdiv(a, b, c, value=-2),
        lambda a, b, c: torch.addcdiv(a, b, c, value=-2),
        [(2, 3), (3,), (2, 1)],
        (0.2, 2),
    ),
    "addmm": (
        lambda a, b, c: autograd.addmm(a, b, c, beta=0.5, alpha=2),
        lambda a, b, c: torch.addmm(a, b, c, beta=0.5, alpha=2),
        [(2,), (3, 4), (4, 2)],
        (-2, 2),
    ),
    "baddbmm": (
        lambda a, b, c: autograd.baddbmm(a, b, c, alpha=-1),
        lambda a, b, c: torch.baddbmm(a, b, c, alpha=-1),
        [(3, 1), (2, 3, 4), (2, 4, 5)],
        (-2, 2),
    ),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_values_and_gradients_as_torch(name):
    ours_fn, torch_fn, shapes, domain = DIFFERENTIABLE[name]
    ours, theirs = _leaves(*shapes, low=domain[0], high=domain[1])
    out_ours, out_theirs = ours_fn(*ours), torch_fn(*theirs)
    _same(out_ours, out_theirs)
    weights = RNG.normal(size=out_ours.shape)
    (out_ours * Tensor(weights)).sum().backward()
    (out_theirs * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "name", ["log1p", "atan2", "xlogy", "lerp", "logaddexp", "logit", "erfinv", "sinc"]
)
def test_second_derivatives_as_torch(name):
    ours_fn, torch_fn, shapes, domain = DIFFERENTIABLE[name]
    ours, theirs = _leaves(*shapes, low=domain[0], high=domain[1])
    first_ours = autograd.grad(ours_fn(*ours).sum(), ours, create_graph=True)
    first_theirs = torch.autograd.grad(torch_fn(*theirs).sum(), theirs, create_graph=True)
    total_ours = sum((g * g).sum() for g in first_ours)
    total_theirs = sum((g * g).sum() for g in first_theirs)
    second_ours = autograd.grad(total_ours, ours, allow_unused=True)
    second_theirs = torch.autograd.grad(total_theirs, theirs, allow_unused=True)
    for g, h in zip(second_ours, second_theirs, strict=True):
        g_data = 0 if g is None else g.data
        h_data = 0 if h is None else h.numpy()
        np.testing.assert_allclose(g_data, h_data, rtol=1e-10, atol=1e-12)


def test_xlogy_gradient_where_x_is_zero_as_torch():
    x, y = np.array([0.0, 0.0, 0.0, 1.0]), np.array([0.0, -1.0, 2.0, 3.0])
    xo, yo = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    autograd.xlogy(xo, yo).sum().backward()
    torch.xlogy(xt, yt).sum().backward()
    np.testing.assert_array_equal(xo.grad.data, xt.grad.numpy())
    np.testing.assert_array_equal(yo.grad.data, yt.grad.numpy())


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_send_ties_and_nans_as_torch(name):
    a, b = np.array([1.0, 2.0, np.nan, 0.5]), np.array([1.0, np.nan, 3.0, -0.5])
    ao, bo = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    getattr(autograd, name)(ao, bo).sum().backward()
    getattr(torch, name)(at, bt).sum().backward()
    np.testing.assert_array_equal(ao.grad.data, at.grad.numpy())
    np.testing.assert_array_equal(bo.grad.data, bt.grad.numpy())


def test_logit_gradient_outside_the_unit_interval_as_torch():
    x = np.array([-0.5, 0.5, 1.5])
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    autograd.logit(xo).sum().backward()
    torch.logit(xt).sum().backward()
    np.testing.assert_array_equal(xo.grad.data, xt.grad.numpy())


def test_addmm_with_beta_zero_ignores_nan_in_input_as_torch():
    m, n = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2))
    bias = np.array([np.nan, 1.0])
    _same(
        autograd.addmm(Tensor(bias), Tensor(m), Tensor(n), beta=0),
        torch.addmm(torch.tensor(bias), torch.tensor(m), torch.tensor(n), beta=0),
    )


def test_lerp_refuses_mixed_dtypes_and_integers_as_torch():
    with pytest.raises(RuntimeError):
        torch.lerp(torch.zeros(2), torch.zeros(2, dtype=torch.float64), 0.5)
    with pytest.raises(RuntimeError, match="dtype"):
        autograd.lerp(autograd.zeros(2), autograd.zeros(2, dtype=autograd.float64), 0.5)
    with pytest.raises(RuntimeError, match="floating point"):
        autograd.lerp(autograd.tensor([1, 2]), autograd.tensor([3, 4]), 0.5)


def test_lerp_at_weight_one_is_end_exactly():
    start, end = np.array([1e8, -3.0]), np.array([1.0, 7.0])
    _same(
        autograd.lerp(Tensor(start), Tensor(end), 1.0),
        torch.lerp(torch.tensor(start), torch.tensor(end), 1.0),
        rtol=0,
        atol=0,
    )


def test_fmod_of_integers_by_zero_raises_as_torch():
    with pytest.raises(RuntimeError):
        torch.fmod(torch.tensor([5, -5]), torch.tensor([0, 3]))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        autograd.fmod(autograd.tensor([5, -5]), autograd.tensor([0, 3]))


def test_frac_of_integers_raises_as_torch():
    with pytest.raises(RuntimeError):
        torch.frac(torch.tensor([1]))
    with pytest.raises(RuntimeError, match="frac"):
        autograd.frac(autograd.tensor([1]))


def test_heaviside_as_torch():
    x = EDGES
    v = np.full_like(x, 0.5)
    _same(
        autograd.heaviside(Tensor(x), Tensor(v)), torch.heaviside(torch.tensor(x), torch.tensor(v))
    )
    _same(Tensor(x).heaviside(Tensor(v)), torch.tensor(x).heaviside(torch.tensor(v)))
    with pytest.raises(RuntimeError, match="dtypes"):
        autograd.heaviside(Tensor(x), Tensor(v.astype(np.float32)))


IN_PLACE = {  # name: (arguments beyond self, as numpy arrays or numbers)
    "lerp_": (np.linspace(1, 2, 6).reshape(2, 3), 0.3),
    "reciprocal_": (),
    "addcmul_": (np.full(3, 2.0), np.full((2, 1), 0.5)),
    "addcdiv_": (np.full(3, 2.0), np.full((2, 1), 4.0)),
    "log1p_": (),
    "expm1_": (),
    "atan2_": (np.full(3, 0.5),),
    "xlogy_": (np.full(3, 2.0),),
}


def _args(args, lib):
    return [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args]


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_forms_as_torch(name):
    x = RNG.uniform(0.2, 2, (2, 3))
    a, b = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a * 1.5, b * 1.5
    assert getattr(ya, name)(*_args(IN_PLACE[name], autograd)) is ya
    getattr(yb, name)(*_args(IN_PLACE[name], torch))
    _same(ya, yb)
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10)


def test_in_place_form_with_an_operand_that_requires_grad_as_torch():
    x, w = RNG.uniform(0.2, 2, (2, 3)), RNG.uniform(0.2, 2, 3)
    wa, wb = Tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ya, yb = Tensor(x.copy()), torch.tensor(x.copy())
    ya.lerp_(wa, wa * 0.5).xlogy_(wa)
    yb.lerp_(wb, wb * 0.5).xlogy_(wb)
    _same(ya, yb)
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(wa.grad.data, wb.grad.numpy(), rtol=1e-10)


def test_in_place_float_result_into_integer_tensor_raises_as_torch():
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).reciprocal_()
    with pytest.raises(RuntimeError, match="can't be cast"):
        autograd.tensor([1, 2]).reciprocal_()


def test_in_place_on_a_leaf_that_requires_grad_raises_as_torch():
    with pytest.raises(RuntimeError):
        Tensor([1.0, 2.0], requires_grad=True).lerp_(Tensor([0.0, 0.0]), 0.5)


# Aliases and layout functions.

A = RNG.normal(size=(3, 4, 5))


def _both():
    return Tensor(A.copy(), requires_grad=True), torch.tensor(A.copy(), requires_grad=True)


def _same_with_grad(ours_out, theirs_out, a, b):
    _same(ours_out, theirs_out)
    weights = RNG.normal(size=ours_out.shape)
    (ours_out * Tensor(weights)).sum().backward()
    (theirs_out * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy())


@pytest.mark.parametrize("k", [-5, -1, 0, 1, 2, 3, 6])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (0, 2), (-1, 1)])
def test_rot90_as_torch(k, dims):
    a, b = _both()
    _same_with_grad(autograd.rot90(a, k, dims), torch.rot90(b, k, dims), a, b)


def test_t_and_arc_names_as_torch():
    a, b = _both()
    with pytest.raises(RuntimeError, match="3D"):
        autograd.t(a)
    with pytest.raises(RuntimeError, match="3D"):
        torch.t(b)
    x = np.linspace(-0.9, 0.9, 7)
    for name in ["arcsin", "arccos", "arctan"]:
        _same(getattr(autograd, name)(Tensor(x)), getattr(torch, name)(torch.tensor(x)))
        _same(getattr(Tensor(x), name)(), getattr(torch.tensor(x), name)())
    _same(
        autograd.arctan2(Tensor(x), Tensor(x[::-1].copy())),
        torch.arctan2(torch.tensor(x), torch.tensor(x[::-1].copy())),
    )


def test_rot90_errors_as_torch():
    for call in (
        lambda lib: lib.rot90(lib.zeros(3), 1),
        lambda lib: lib.rot90(lib.zeros(2, 2), 1, [0, 0]),
    ):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError, match="rot90"):
            call(autograd)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.tile(x, (2,)),
        lambda lib, x: lib.tile(x, (2, 1, 1, 3)),
        lambda lib, x: x.tile(2, 1),
        lambda lib, x: lib.fliplr(x),
        lambda lib, x: lib.flipud(x),
        lambda lib, x: lib.moveaxis(x, 0, 2),
        lambda lib, x: lib.swapaxes(x, 0, 2),
        lambda lib, x: lib.swapdims(x, 1, -1),
        lambda lib, x: lib.ravel(x),
        lambda lib, x: lib.clone(x),
        lambda lib, x: lib.t(x[0]),
        lambda lib, x: lib.column_stack([x[0, :, 0], x[0, :, :2], x[1, :, 0]]),
        lambda lib, x: lib.dstack([x[0, 0], x[1, 0]]) + lib.dstack([x[0], x[1]]).sum(),
        lambda lib, x: lib.dstack([x, x[:, :, :2]]),
        lambda lib, x: lib.subtract(x, x[0], alpha=2),
        lambda lib, x: lib.multiply(x, 3.0),
        lambda lib, x: lib.negative(x),
        lambda lib, x: lib.absolute(x),
        lambda lib, x: lib.true_divide(x, 2),
        lambda lib, x: lib.divide(x, 2.0),
        lambda lib, x: x.divide(x[0] + 5),
        lambda lib, x: x.multiply(x).subtract(x, alpha=0.5).negative().absolute(),
        lambda lib, x: x.true_divide(3) + x.ravel().reshape(x.shape) + x.moveaxis(0, 1).sum(),
        lambda lib, x: x.fliplr() + x.flipud() + x.rot90(1, (1, 2)).sum(),
    ],
)
def test_layout_and_aliases_as_torch(call):
    a, b = _both()
    _same_with_grad(call(autograd, a), call(torch, b), a, b)


@pytest.mark.parametrize("sections", [1, 2, 3, 4, 7, [1, 3], [0, 2, 10], [-1], [3, 1], (2, 2)])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_tensor_split_as_torch(sections, dim):
    a, b = _both()
    ours, theirs = autograd.tensor_split(a, sections, dim), torch.tensor_split(b, sections, dim)
    assert len(ours) == len(theirs)
    for p, q in zip(ours, theirs, strict=True):
        _same(p, q)
    sum((p * (i + 1)).sum() for i, p in enumerate(ours)).backward()
    sum((q * (i + 1)).sum() for i, q in enumerate(theirs)).backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy())


def test_hsplit_vsplit_as_torch():
    a, b = _both()
    for s in (2, [1, 3]):
        for p, q in zip(autograd.hsplit(a, s), torch.hsplit(b, s), strict=True):
            _same(p, q)
    for s in (3, [1, 2]):
        for p, q in zip(a.vsplit(s), b.vsplit(s), strict=True):
            _same(p, q)
    for p, q in zip(autograd.hsplit(autograd.arange(6), 3), torch.hsplit(torch.arange(6), 3)):
        _same(p, q)
    for lib, x in ((torch, b), (autograd, a)):
        with pytest.raises(RuntimeError, match="divisible"):
            lib.hsplit(x, 3)
        with pytest.raises(RuntimeError):
            lib.vsplit(x[0, 0], 1)
        with pytest.raises(RuntimeError):
            lib.tensor_split(x, 0)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((0, 2, 5), {}),
        ((-1, 1, 4, 2.0), {}),
        ((0, 3, 4), {"base": 10, "dtype": "float64"}),
        ((1, 2, 3, 2), {"dtype": "int64"}),
        ((2, 2, 1), {}),
        ((0, 1, 0), {}),
    ],
)
def test_logspace_as_torch(args, kwargs):
    theirs_kw = {k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()}
    _same(autograd.logspace(*args, **kwargs), torch.logspace(*args, **theirs_kw), 1e-6, 0)


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "logical_xor"])
@pytest.mark.parametrize("other", [0.3, 0, "tensor"])
def test_comparisons_as_torch(name, other):
    x = EDGES
    ours_other = Tensor(x[::-1].copy()) if other == "tensor" else other
    theirs_other = torch.tensor(x[::-1].copy()) if other == "tensor" else other
    if name == "logical_xor" and other != "tensor":
        theirs_other = torch.tensor(other)
    _same(
        getattr(autograd, name)(Tensor(x), ours_other),
        getattr(torch, name)(torch.tensor(x), theirs_other),
    )


def test_tests_of_values_as_torch():
    x = EDGES
    for name in ["isfinite", "isposinf", "isneginf", "signbit"]:
        _same(getattr(autograd, name)(Tensor(x)), getattr(torch, name)(torch.tensor(x)))
        _same(
            getattr(autograd, name)(autograd.tensor([-2, 0, 3])),
            getattr(torch, name)(torch.tensor([-2, 0, 3])),
        )
    assert autograd.is_floating_point(Tensor([1.0])) and not autograd.is_floating_point(
        autograd.tensor([1])
    )
    assert autograd.is_nonzero(autograd.tensor([3])) is True
    assert autograd.is_nonzero(Tensor(0.0)) is False
    assert Tensor([[-0.0]]).is_nonzero() is False
    for data in ([], [1, 2]):
        with pytest.raises(RuntimeError):
            torch.is_nonzero(torch.tensor(data))
        with pytest.raises(RuntimeError, match="ambiguous"):
            autograd.is_nonzero(Tensor(data))


def test_divide_rounding_modes_as_torch():
    a, b = np.array([-7, 7, -8, 9]), np.array([2, -2, 3, 4])
    for mode in (None, "trunc", "floor"):
        _same(
            autograd.divide(Tensor(a), Tensor(b), rounding_mode=mode),
            torch.divide(torch.tensor(a), torch.tensor(b), rounding_mode=mode),
            1e-6,
        )
        _same(
            Tensor(a * 1.5).divide(2.0, rounding_mode=mode),
            torch.tensor(a * 1.5).divide(2.0, rounding_mode=mode),
        )


def test_size_is_torchs_tuple():
    size = autograd.Size([2, 3, 4])
    assert isinstance(size, tuple)
    assert size == autograd.zeros(2, 3, 4).shape == torch.Size([2, 3, 4])
    assert autograd.zeros(2, 3).shape == autograd.Size((2, 3))
    assert size[1:] == (3, 4) and isinstance(size[1:], autograd.Size)
    assert size.numel() == 24 == torch.Size([2, 3, 4]).numel()
    assert autograd.Size().numel() == 1
    assert isinstance(size + (5,), autograd.Size)  # noqa: RUF005 (Size's own +)
    assert repr(size) == "autograd.Size([2, 3, 4])"
    with pytest.raises(TypeError):
        autograd.Size([2.5])


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_as_torch(name):
    ours, theirs = autograd.finfo(getattr(autograd, name)), torch.finfo(getattr(torch, name))
    for field in ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]:
        assert getattr(ours, field) == getattr(theirs, field), field
        assert type(getattr(ours, field)) is type(getattr(theirs, field)), field


def test_finfo_default_and_errors():
    assert autograd.finfo().eps == torch.finfo().eps
    with pytest.raises(TypeError, match="floating point"):
        autograd.finfo(autograd.int64)
    with pytest.raises(TypeError, match="integer"):
        autograd.iinfo(autograd.float32)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_as_torch(name):
    ours, theirs = autograd.iinfo(getattr(autograd, name)), torch.iinfo(getattr(torch, name))
    for field in ["bits", "max", "min", "dtype"]:
        assert getattr(ours, field) == getattr(theirs, field), field
        assert type(getattr(ours, field)) is type(getattr(theirs, field)), field


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _ours(name):
    return getattr(autograd, name) if name != "bool" else np.bool_


def _name(dtype):
    return np.dtype(dtype).name if not isinstance(dtype, torch.dtype) else str(dtype)[6:]


@pytest.mark.parametrize("first", DTYPES)
def test_promote_types_can_cast_and_result_type_as_torch(first):
    for second in DTYPES:
        a, b = _ours(first), _ours(second)
        ta, tb = getattr(torch, first), getattr(torch, second)
        assert _name(autograd.promote_types(a, b)) == _name(torch.promote_types(ta, tb))
        assert autograd.can_cast(a, b) == torch.can_cast(ta, tb), (first, second)
        for sa, sb in [((2,), (2,)), ((), (2,)), ((2,), ()), ((), ())]:
            ours = autograd.result_type(autograd.zeros(sa, dtype=a), autograd.zeros(sb, dtype=b))
            theirs = torch.result_type(torch.zeros(sa, dtype=ta), torch.zeros(sb, dtype=tb))
            assert _name(ours) == _name(theirs), (first, second, sa, sb)
    for number in (True, 2, 2.5):
        for shape in [(2,), ()]:
            ours = autograd.result_type(autograd.zeros(shape, dtype=_ours(first)), number)
            theirs = torch.result_type(torch.zeros(shape, dtype=getattr(torch, first)), number)
            assert _name(ours) == _name(theirs), (first, number, shape)
