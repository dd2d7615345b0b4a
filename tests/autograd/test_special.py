"""The gamma family, the modified Bessel functions and `autograd.special` (PyTorch's
`torch.special`): values, first and second derivatives against PyTorch's and against
central differences, at both signs, near the zeros and poles, in float64 and float32.

Where the two differ by design, the edge table says so: PyTorch's trigamma at a pole
is a rounding artefact (6.6e32 at x = -1; ours +inf), its polygamma(n >= 2, +inf) and
i0(+-inf) are NaN (ours the limits 0 and +inf), and its trigamma is accurate to about
1e-10 relative (so gradients of digamma are compared at 1e-8).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd
import autograd.special as special
from autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

#: name -> (ours, torch's, the points it is compared at)
GAMMA_POINTS = [-7.3, -2.5, -0.7, -0.01, 0.02, 0.5, 1.0, 1.4616, 2.0, 2.3, 3.7, 12.5, 55.0, 1e3]
BESSEL_POINTS = [-45.0, -31.0, -29.0, -3.2, -1e-3, 0.0, 0.4, 2.0, 17.0, 30.0, 30.5, 80.0]
NORMAL_POINTS = [-40.0, -9.0, -3.0, -1.0, -0.999, -0.2, 0.0, 0.7, 2.5, 6.0, 12.0]
CASES = {
    "lgamma": (autograd.lgamma, torch.lgamma, GAMMA_POINTS),
    "digamma": (autograd.digamma, torch.digamma, GAMMA_POINTS),
    "polygamma1": (lambda x: autograd.polygamma(1, x), lambda x: x.polygamma(1), GAMMA_POINTS),
    "polygamma2": (lambda x: x.polygamma(2), lambda x: x.polygamma(2), GAMMA_POINTS),
    "mvlgamma3": (lambda x: x.mvlgamma(3), lambda x: x.mvlgamma(3), [1.2, 2.5, 7.0]),
    "i0": (autograd.i0, torch.i0, BESSEL_POINTS),
    "i0e": (special.i0e, torch.special.i0e, BESSEL_POINTS),
    "i1": (special.i1, torch.special.i1, BESSEL_POINTS),
    "i1e": (special.i1e, torch.special.i1e, BESSEL_POINTS),
    "erfcx": (special.erfcx, torch.special.erfcx, [-5.0, -1.0, 0.0, 1.9, 2.0, 2.1, 30.0]),
    "ndtr": (special.ndtr, torch.special.ndtr, NORMAL_POINTS),
    "log_ndtr": (special.log_ndtr, torch.special.log_ndtr, NORMAL_POINTS),
    "ndtri": (special.ndtri, torch.special.ndtri, [1e-300, 1e-20, 1e-3, 0.2, 0.5, 0.77, 0.999999]),
    "entr": (special.entr, torch.special.entr, [1e-8, 0.3, 1.0, 2.5, 40.0]),
}
#: relative tolerances where torch's trigamma (accurate to about 1e-10) is involved
VALUE_RTOL = {"polygamma1": 1e-9}
GRAD_RTOL = {"digamma": 1e-8}
#: second derivatives where both lose digits (each checked against 40-digit arithmetic:
#: i1'' at -1e-3 reads (i1 / x)', log_ndtr'' at -40 a cancelling difference; ours is the
#: nearer in both)
SECOND_RTOL = {"lgamma": 1e-8, "digamma": 1e-8, "polygamma1": 1e-8, "mvlgamma3": 1e-8,
               "i1": 1e-8, "log_ndtr": 1e-9}  # fmt: skip


def _pair(values, dtype):
    return (
        autograd.tensor(np.asarray(values, dtype), requires_grad=True),
        torch.tensor(np.asarray(values, dtype), requires_grad=True),
    )


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_torch_in_float64(name):
    ours, theirs, points = CASES[name]
    a, t = _pair(points, np.float64)
    y, z = ours(a), theirs(t)
    rtol = VALUE_RTOL.get(name, 1e-12)
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=rtol, atol=1e-14)
    assert y.dtype == np.float64 and y.shape == tuple(z.shape)
    y.sum().backward()
    z.sum().backward()
    rtol = GRAD_RTOL.get(name, 1e-11)
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_match_torch(name):
    ours, theirs, points = CASES[name]
    a, t = _pair(points, np.float64)
    (ga,) = autograd.grad(ours(a).sum(), [a], create_graph=True)
    (gt,) = torch.autograd.grad(theirs(t).sum(), [t], create_graph=True)
    (gga,) = autograd.grad(ga.sum(), [a])
    (ggt,) = torch.autograd.grad(gt.sum(), [t])
    rtol = SECOND_RTOL.get(name, 1e-10)
    np.testing.assert_allclose(gga.numpy(), ggt.numpy(), rtol=rtol, atol=1e-13)


@pytest.mark.parametrize("name", list(CASES))
def test_float32_values_match_torch(name):
    ours, theirs, points = CASES[name]
    a, t = _pair(points, np.float32)
    y, z = ours(a), theirs(t)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_and_gradgradcheck(name):
    ours, _, points = CASES[name]
    # central differences need room: away from the domain's ends and from i0e's kink at 0
    inside = [p for p in points if 1e-2 <= abs(p) < 100 and p < 0.999]
    x = autograd.tensor(np.asarray(inside, np.float64))
    x.requires_grad = True
    assert gradcheck(ours, [x])
    assert gradgradcheck(ours, [x])


@pytest.mark.parametrize("n", range(7))
def test_polygamma_of_every_order_matches_torch(n):
    x = np.concatenate([np.linspace(-9.7, -0.3, 23) + 0.013, np.linspace(0.05, 40, 31)])  # no pole
    ours = autograd.polygamma(n, x).numpy()
    theirs = torch.polygamma(n, torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9 if n == 1 else 1e-12, atol=1e-14)


def test_lgamma_keeps_relative_precision_at_its_zeros():
    # log Gamma(1 + h) = -gamma h + pi^2/12 h^2 + ...: a cancellation-prone spot
    h = np.array([1e-9, -1e-9, 1e-5])
    euler = 0.5772156649015329
    expected = -euler * h + math.pi**2 / 12 * h * h
    np.testing.assert_allclose(autograd.lgamma(1 + h).numpy(), expected, rtol=1e-7)
    expected_2 = (1 - euler) * h + (math.pi**2 / 6 - 1) / 2 * h * h
    np.testing.assert_allclose(autograd.lgamma(2 + h).numpy(), expected_2, rtol=1e-7)
    assert autograd.lgamma(np.array([1.0, 2.0])).numpy().tolist() == [0.0, 0.0]


INF, NAN = math.inf, math.nan


def _poly(n):
    return lambda x: autograd.polygamma(n, x), lambda x: torch.polygamma(n, x)


EDGES = [  # (ours, torch's, x, our value, torch's value where it differs)
    (autograd.lgamma, torch.lgamma, 0.0, INF, None),
    (autograd.lgamma, torch.lgamma, -3.0, INF, None),
    (autograd.lgamma, torch.lgamma, -INF, INF, None),
    (autograd.lgamma, torch.lgamma, INF, INF, None),
    (autograd.digamma, torch.digamma, 0.0, -INF, None),
    (autograd.digamma, torch.digamma, -0.0, INF, None),
    (autograd.digamma, torch.digamma, -2.0, NAN, None),
    (autograd.digamma, torch.digamma, -INF, NAN, None),
    (autograd.digamma, torch.digamma, INF, INF, None),
    (*_poly(1), 0.0, INF, None),
    (*_poly(1), -1.0, INF, 6.580790147320947e32),  # torch: pi^2 / sin(pi x)^2, rounded
    (*_poly(1), INF, 0.0, None),
    (*_poly(2), -1.0, -INF, None),
    (*_poly(2), INF, 0.0, NAN),
    (*_poly(3), -2.0, INF, None),
    (autograd.i0, torch.i0, INF, INF, NAN),
    (autograd.i0, torch.i0, 800.0, INF, None),
    (special.i0e, torch.special.i0e, -INF, 0.0, None),
    (special.ndtri, torch.special.ndtri, 0.0, -INF, None),
    (special.ndtri, torch.special.ndtri, 1.0, INF, None),
    (special.ndtri, torch.special.ndtri, 1.5, NAN, None),
    (special.entr, torch.special.entr, 0.0, 0.0, None),
    (special.entr, torch.special.entr, -1.0, -INF, None),
    (special.erfcx, torch.special.erfcx, INF, 0.0, None),
    (special.erfcx, torch.special.erfcx, -30.0, INF, None),
]


@pytest.mark.parametrize(("ours", "theirs", "x", "value", "torch_value"), EDGES)
def test_edges(ours, theirs, x, value, torch_value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = float(ours(autograd.tensor(x, dtype=np.float64)).item())
    np.testing.assert_equal(got, value)
    expected = value if torch_value is None else torch_value
    np.testing.assert_equal(float(theirs(torch.tensor(x, dtype=torch.float64))), expected)


def test_the_normal_tail_stays_finite_where_ndtr_underflows():
    x = np.array([-40.0, -100.0, -1e4])
    ours = special.log_ndtr(x).numpy()
    np.testing.assert_allclose(ours, torch.special.log_ndtr(torch.tensor(x)).numpy(), rtol=1e-12)
    assert np.isfinite(ours).all() and special.ndtr(x).numpy()[1] == 0
    p = np.array([1e-300, 1e-100, 1e-10])
    np.testing.assert_allclose(special.ndtr(special.ndtri(p)).numpy(), p, rtol=1e-12)


def test_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="does not support negative n"):
        autograd.polygamma(-1, np.ones(2))
    with pytest.raises(TypeError, match="'n' must be int"):
        autograd.polygamma(1.5, np.ones(2))
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        autograd.mvlgamma(np.ones(2), 0)


def test_integers_are_read_as_the_default_float_dtype():
    for fn, tfn in [(autograd.lgamma, torch.lgamma), (autograd.digamma, torch.digamma),
                    (autograd.i0, torch.i0), (special.ndtr, torch.special.ndtr)]:  # fmt: skip
        y, z = fn(autograd.tensor([1, 2, 3])), tfn(torch.tensor([1, 2, 3]))
        assert str(y.dtype) == str(z.dtype).removeprefix("torch.") == "float32"
        np.testing.assert_allclose(y.numpy(), z.numpy(), rtol=1e-6)


def test_tensor_methods_and_in_place_forms():
    x = np.array([0.3, 1.7, 4.0])
    t = torch.tensor(x)
    a = autograd.tensor(x)
    for name, args in [("lgamma", ()), ("digamma", ()), ("polygamma", (3,)), ("mvlgamma", (1,)),
                       ("i0", ())]:  # fmt: skip
        y, z = getattr(a, name)(*args), getattr(t, name)(*args)
        np.testing.assert_allclose(y.numpy(), z.numpy(), rtol=1e-12)
        b, u = a.clone(), t.clone()
        assert getattr(b, name + "_")(*args) is b
        getattr(u, name + "_")(*args)
        np.testing.assert_allclose(b.numpy(), u.numpy(), rtol=1e-12)
    # in place on a non-leaf is recorded: the gradient goes through it
    w = autograd.tensor(x, requires_grad=True)
    v = w * 1
    v.lgamma_()
    v.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), torch.digamma(t).numpy(), rtol=1e-12)


def test_on_0d_tensors():
    pairs = [
        (autograd.lgamma, torch.lgamma),
        (autograd.digamma, torch.digamma),
        (special.i1, torch.special.i1),
        (special.log_ndtr, torch.special.log_ndtr),
    ]
    for fn, tfn in pairs:
        for v in (-2.5, 0.5, 3.0, 40.0):
            a = autograd.tensor(v, dtype=np.float64, requires_grad=True)
            t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
            y, z = fn(a), tfn(t)
            assert y.shape == ()
            y.backward()
            z.backward()
            np.testing.assert_allclose(y.item(), z.item(), rtol=1e-12)
            np.testing.assert_allclose(a.grad.item(), t.grad.item(), rtol=1e-8)


def test_the_special_namespace_matches_torch_special():
    rng = np.random.default_rng(0)
    x = rng.uniform(0.05, 0.95, (3, 4))
    a, t = autograd.tensor(x), torch.tensor(x)
    for name in special.__all__:
        ours, theirs = getattr(special, name), getattr(torch.special, name)
        if name == "polygamma":
            y, z = ours(2, a), theirs(2, t)
        elif name == "multigammaln":
            y, z = ours(a + 1, 2), theirs(t + 1, 2)
        elif name in ("softmax", "log_softmax"):
            y, z = ours(a, 1), theirs(t, 1)
        elif name == "logsumexp":
            y, z = ours(a, 0, keepdim=True), theirs(t, 0, keepdim=True)
        elif name in ("xlogy", "xlog1py"):
            y, z = ours(a, a[::-1]), theirs(t, t.flip(0))
        else:
            y, z = ours(a), theirs(t)
        np.testing.assert_allclose(y.numpy(), z.numpy(), rtol=1e-11, atol=1e-14, err_msg=name)
    assert special.psi is special.digamma and special.expit is autograd.sigmoid
    assert autograd.special is special


def test_xlog1py_and_entr_gradients_match_torch():
    x = np.array([0.0, 0.0, 0.5, 2.0])
    y = np.array([-1.0, 3.0, -0.5, 1.5])
    a, b = autograd.tensor(x, requires_grad=True), autograd.tensor(y, requires_grad=True)
    t, u = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    special.xlog1py(a, b).sum().backward()
    torch.special.xlog1py(t, u).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy())
    np.testing.assert_allclose(b.grad.numpy(), u.grad.numpy())
    p = autograd.tensor([0.2, 1.0, 3.0], requires_grad=True, dtype=np.float64)
    q = torch.tensor([0.2, 1.0, 3.0], requires_grad=True, dtype=torch.float64)
    special.entr(p).sum().backward()
    torch.special.entr(q).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)
