"""ASGD and Adafactor against torch.optim in float64, step by step: parameters and
state, on parameters of every rank (a matrix, a vector, a number, a 3-d array)."""

import math

import numpy as np
import pytest

import optim
from autograd import Tensor

torch = pytest.importorskip("torch")  # the comparisons need it (CI installs it)

SHAPES = [(5, 3), (3,), (), (2, 4, 3), (1, 6), (6, 1)]


def gradient(step, p, seed):
    """A fixed, varied gradient: some entries tiny, the scale changing with the step."""
    rng = np.random.default_rng(1000 * seed + step)
    g = np.sin(3.0 * p + step) + 0.3 * rng.normal(size=p.shape)
    return np.asarray(g * np.where(rng.uniform(size=p.shape) < 0.2, 1e-4, 1.0) * (1 + step % 5))


def run_both(ours_cls, torch_cls, options, steps, seed=0, shapes=SHAPES):
    """Yield (step, our params, torch's params, our optimizer, torch's) after each step."""
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s) for s in shapes]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch's scalar state (eta, mu, step)
    try:
        opt, ref = ours_cls(ours, **options), torch_cls(theirs, **options)
        for step in range(steps):
            for p, q in zip(ours, theirs):
                g = gradient(step, p.data, seed)
                p.grad, q.grad = Tensor(g), torch.from_numpy(g.copy())
            opt.step()
            ref.step()
            yield step, ours, theirs, opt, ref
    finally:
        torch.set_default_dtype(default)


def assert_params_close(ours, theirs, step, rtol=1e-12):
    for p, q in zip(ours, theirs):
        expected = q.detach().numpy()
        np.testing.assert_allclose(
            p.data, expected, rtol=rtol, atol=rtol * np.abs(expected).max(), err_msg=f"step {step}"
        )


ASGD_OPTIONS = [
    dict(),
    dict(lr=0.05, t0=0),
    dict(lr=0.05, t0=5, lambd=1e-2, alpha=0.5),
    dict(lr=0.02, t0=3.5, weight_decay=0.1, maximize=True),
]


@pytest.mark.parametrize("options", ASGD_OPTIONS, ids=str)
def test_asgd_matches_torch_with_averaging(options):
    steps = 150
    for step, ours, theirs, opt, ref in run_both(optim.ASGD, torch.optim.ASGD, options, steps):
        assert_params_close(ours, theirs, step)
        for p, q in zip(ours, theirs):
            mine, torchs = opt.state[p], ref.state[q]
            np.testing.assert_allclose(mine["ax"], torchs["ax"].numpy(), rtol=1e-12, atol=1e-14)
            assert mine["eta"] == pytest.approx(torchs["eta"].item(), rel=1e-15)
            assert mine["mu"] == pytest.approx(torchs["mu"].item(), rel=1e-15)
            assert mine["step"] == torchs["step"].item() == step + 1
    if options.get("t0", 1e6) < steps:  # the average really averaged
        assert opt.state[ours[0]]["mu"] < 0.01
        assert not np.allclose(opt.state[ours[0]]["ax"], ours[0].data)
    else:
        np.testing.assert_array_equal(opt.state[ours[0]]["ax"], ours[0].data)


def test_asgd_three_steps_by_hand():
    """The docstring's rule with weight decay, from t0 = 0: mu = 1/2 at step 3."""
    lr, lambd, alpha, wd = 0.1, 0.5, 0.75, 0.2
    p0 = np.array([1.0, -2.0, 0.5])
    grads = [np.array([0.5, 0.25, -4.0]), np.array([-0.1, 0.02, -1.0]), np.array([1.0, 0.0, 2.0])]
    w = Tensor(p0.copy(), requires_grad=True)
    opt = optim.ASGD([w], lr=lr, lambd=lambd, alpha=alpha, t0=0, weight_decay=wd)
    p, eta, mu, ax, iterates = p0, lr, 1.0, None, []
    for t, g in enumerate(grads, start=1):
        w.grad = Tensor(g)
        opt.step()
        p = p * (1 - lambd * eta) - eta * (g + wd * p)
        ax = p if mu == 1 else ax + mu * (p - ax)
        iterates.append(p)
        eta, mu = lr / (1 + lambd * lr * t) ** alpha, 1 / max(1, t)
        np.testing.assert_allclose(w.data, p, rtol=1e-14)
        np.testing.assert_allclose(opt.state[w]["ax"], ax, rtol=1e-14)
    assert mu == 1 / 3 and opt.state[w]["mu"] == mu and opt.state[w]["eta"] == eta
    np.testing.assert_allclose(ax, (iterates[1] + iterates[2]) / 2, rtol=1e-14)


def test_asgd_average_is_the_mean_of_the_iterates_after_t0():
    """With t0 = 2, mu = 1 / (t - 3) from step 5 on: ax = mean of steps 4 to t."""
    w = Tensor(np.array([1.0, -3.0]), requires_grad=True)
    opt = optim.ASGD([w], lr=0.1, lambd=0.0, t0=2)
    iterates = []
    for step in range(10):
        w.grad = Tensor(np.array([np.cos(step), 1.0 + step]))
        opt.step()
        iterates.append(w.data.copy())
    np.testing.assert_allclose(opt.state[w]["ax"], np.mean(iterates[3:], axis=0), rtol=1e-14)
    assert opt.state[w]["eta"] == 0.1  # lambd = 0: a constant step


ADAFACTOR_OPTIONS = [
    dict(),
    dict(lr=0.05, beta2_decay=-0.5),
    dict(lr=0.1, eps=(1e-30, 1e-2), d=2.0, weight_decay=0.05),
    dict(eps=(0.5, 1e-3), maximize=True),  # a large eps1 clamps V and the row mean
    dict(lr=0.3, eps=(None, 0.0), d=1.5),
]


@pytest.mark.parametrize("options", ADAFACTOR_OPTIONS, ids=str)
def test_adafactor_matches_torch_on_every_rank(options):
    for step, ours, theirs, opt, ref in run_both(
        optim.Adafactor, torch.optim.Adafactor, options, 60
    ):
        assert_params_close(ours, theirs, step)
        for p, q in zip(ours, theirs):
            mine, torchs = opt.state[p], ref.state[q]
            keys = {"step", "row_var", "col_var"} if p.data.ndim >= 2 else {"step", "variance"}
            assert set(mine) == set(torchs) == keys
            for key in keys - {"step"}:
                assert mine[key].shape == torchs[key].shape
                np.testing.assert_allclose(mine[key], torchs[key].numpy(), rtol=1e-12)
            assert mine["step"] == torchs["step"].item() == step + 1


def test_adafactor_one_step_by_hand():
    """The first step on a 2 x 2 matrix, from the docstring's rule (beta2_hat = 0)."""
    p0 = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = np.array([[0.3, -0.4], [1.2, 0.5]])
    w = Tensor(p0.copy(), requires_grad=True)
    w.grad = Tensor(g)
    opt = optim.Adafactor([w], lr=0.02, weight_decay=0.5)
    opt.step()
    r = (g**2).mean(axis=1, keepdims=True)
    c = (g**2).mean(axis=0, keepdims=True)
    v = r * c / r.mean()
    u = g / np.sqrt(v)
    alpha = math.sqrt((p0**2).mean()) * 0.02  # rho = min(lr, 1 / sqrt(1))
    expected = p0 * (1 - 0.02 * 0.5) - alpha * u / max(1.0, math.sqrt((u**2).mean()))
    np.testing.assert_allclose(w.data, expected, rtol=1e-14)
    np.testing.assert_allclose(opt.state[w]["row_var"], r, rtol=1e-14)
    np.testing.assert_allclose(opt.state[w]["col_var"], c, rtol=1e-14)


def test_adafactor_relative_step_and_eps2_floor():
    """A zero parameter moves by eps2 * rho per step at most (rms(p) = 0); the step size
    is min(lr, 1 / sqrt(t)), so a large lr is capped by 1 / sqrt(t)."""
    w = Tensor(np.zeros(4), requires_grad=True)
    opt = optim.Adafactor([w], lr=10.0, eps=(None, 1e-3))
    w.grad = Tensor(np.array([1.0, -1.0, 2.0, -2.0]))
    opt.step()  # u = g / |g| = sign(g), rms(u) = 1: p = -eps2 * 1 * sign(g)
    np.testing.assert_allclose(w.data, -1e-3 * np.sign(w.grad.data), rtol=1e-14)


def test_adafactor_eps1_none_is_the_dtype_epsilon():
    """With a zero gradient entry V is clamped at eps1**2, eps1 = machine epsilon of the
    parameter's dtype; torch's float32 update equals ours."""
    for dtype in (np.float32, np.float64):
        p0 = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=dtype)
        g = np.array([[0.0, 0.0], [0.0, 1e-30]], dtype=dtype)
        w = Tensor(p0.copy(), requires_grad=True)
        w.grad = Tensor(g)
        opt = optim.Adafactor([w])
        opt.step()
        q = torch.tensor(p0.copy(), requires_grad=True)
        q.grad = torch.from_numpy(g.copy())
        ref = torch.optim.Adafactor([q])
        ref.step()
        assert w.data.dtype == dtype
        assert opt.state[w]["row_var"].dtype == dtype
        np.testing.assert_allclose(
            w.data, q.detach().numpy(), rtol=1e-6 if dtype == np.float32 else 1e-15
        )


def test_adafactor_state_dict_round_trip_keeps_the_factored_shapes():
    def train(opt, params, steps, start=0):
        for step in range(start, start + steps):
            for p in params:
                p.grad = Tensor(gradient(step, p.data, 3))
            opt.step()

    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=s) for s in SHAPES]
    straight = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    train(optim.Adafactor(straight, lr=0.05), straight, 8)
    first = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = optim.Adafactor(first, lr=0.05)
    train(opt, first, 4)
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    opt2 = optim.Adafactor(resumed)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.state[resumed[3]]["row_var"].shape == (2, 4, 1)
    assert opt2.state[resumed[3]]["col_var"].shape == (2, 1, 3)
    train(opt2, resumed, 4, start=4)
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.data, b.data)
    saved = opt.state_dict()
    saved["state"][0]["row_var"] = np.zeros((5, 3))
    with pytest.raises(
        ValueError,
        match=r"'row_var' has shape \(5, 3\), the optimizer keeps shape \(5, 1\)",
    ):
        optim.Adafactor([Tensor(a.copy(), requires_grad=True) for a in arrays]).load_state_dict(
            saved
        )


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda p: optim.ASGD(p, lr=-0.1), ValueError, r"ASGD: invalid lr: -0\.1"),
        (lambda p: optim.ASGD(p, weight_decay=-1), ValueError, "ASGD: invalid weight_decay"),
        (lambda p: optim.ASGD(p, lambd=-1e-4), ValueError, r"ASGD: invalid lambd: -0\.0001"),
        (lambda p: optim.ASGD(p, alpha="0.75"), TypeError, "ASGD: invalid alpha"),
        (lambda p: optim.ASGD(p, t0=-1), ValueError, r"ASGD: invalid t0: -1 \(must be >= 0\)"),
        (lambda p: optim.ASGD(p, maximize=1), TypeError, "maximize"),
        (lambda p: optim.Adafactor(p, lr=-1), ValueError, "Adafactor: invalid lr: -1"),
        (
            lambda p: optim.Adafactor(p, beta2_decay=0.5),
            ValueError,
            r"invalid beta2_decay: 0\.5 \(must be <= 0\)",
        ),
        (lambda p: optim.Adafactor(p, eps=(-1e-3, 1e-3)), ValueError, r"eps1 \(eps\[0\]\)"),
        (lambda p: optim.Adafactor(p, eps=(None, -1.0)), ValueError, r"eps2 \(eps\[1\]\)"),
        (lambda p: optim.Adafactor(p, eps=1e-3), ValueError, "invalid eps: 0.001.*pair"),
        (lambda p: optim.Adafactor(p, d=0.5), ValueError, r"invalid d: 0\.5 \(must be >= 1\)"),
        (lambda p: optim.Adafactor(p, weight_decay=-0.1), ValueError, "invalid weight_decay"),
    ],
)
def test_bad_arguments_raise(make, error, match):
    with pytest.raises(error, match=match):
        make([Tensor(np.zeros(3), requires_grad=True)])


def test_torch_refuses_what_we_refuse():
    """The checks that torch makes too (ours name the argument the same way)."""
    p = [torch.zeros(3, requires_grad=True)]
    for make in (
        lambda: torch.optim.ASGD(p, lr=-0.1),
        lambda: torch.optim.ASGD(p, weight_decay=-1),
        lambda: torch.optim.Adafactor(p, beta2_decay=0.5),
        lambda: torch.optim.Adafactor(p, eps=(-1e-3, 1e-3)),
        lambda: torch.optim.Adafactor(p, d=0.5),
    ):
        with pytest.raises(ValueError):
            make()
