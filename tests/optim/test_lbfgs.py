"""LBFGS against torch.optim.LBFGS in float64: parameters, losses, evaluation counts
and state after several `step(closure)` calls, with and without the strong Wolfe line
search, and through a state_dict."""

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, no_grad
from optim.line_search import cubic_minimum, strong_wolfe

torch = pytest.importorskip("torch")  # the comparisons need it (CI installs it)


def rosenbrock(x):
    """The Rosenbrock function of a vector and its gradient, in numpy."""
    a, b = x[:-1], x[1:]
    value = np.sum(100 * (b - a * a) ** 2 + (1 - a) ** 2)
    g = np.zeros_like(x)
    g[:-1] = -400 * a * (b - a * a) - 2 * (1 - a)
    g[1:] += 200 * (b - a * a)
    return value, [g]


_rng = np.random.default_rng(0)
_X, _Y = _rng.normal(size=(30, 4)), _rng.normal(size=(30, 3))


def least_squares(w, b):
    """0.5 * mean ||x @ w + b - y||^2 and its gradients (w: (4, 3), b: (3,))."""
    r = _X @ w + b - _Y
    return 0.5 * np.mean(np.sum(r * r, axis=1)), [_X.T @ r / len(_X), r.mean(axis=0)]


# Problems given in numpy: both optimizers see gradients computed by the same code.
NUMPY_PROBLEMS = {
    "rosenbrock": (rosenbrock, [np.array([-1.2, 1.0, -0.5, 0.8, 1.5])]),
    "least_squares": (least_squares, [_rng.normal(size=(4, 3)), np.zeros(3)]),
}

OPTIONS = {
    "default": dict(),
    "strong_wolfe": dict(line_search_fn="strong_wolfe"),
    "history_3": dict(history_size=3),  # (2 without a line search: Rosenbrock's steps
    # amplify the last bits of the dot products, ours and torch's, to 1e-6 in 5 steps)
    "history_2_wolfe": dict(history_size=2, line_search_fn="strong_wolfe"),
    "max_eval_4": dict(max_iter=10, max_eval=4),
    "max_eval_6_wolfe": dict(max_iter=10, max_eval=6, line_search_fn="strong_wolfe"),
    "lr_0.3": dict(lr=0.3, max_iter=5),
    "one_iter_wolfe": dict(max_iter=1, line_search_fn="strong_wolfe"),
    "tolerance_grad": dict(tolerance_grad=1e-2, line_search_fn="strong_wolfe"),
    "tolerance_change": dict(tolerance_change=1e-4),
}


def numpy_closures(problem, ours, theirs):
    """Closures that set the parameters' gradients from the numpy `problem`."""

    def ours_closure():
        loss, grads = problem(*(p.data for p in ours))
        for p, g in zip(ours, grads):
            p.grad = Tensor(g)
        return Tensor(loss)

    def torch_closure():
        loss, grads = problem(*(q.detach().numpy() for q in theirs))
        for q, g in zip(theirs, grads):
            q.grad = torch.from_numpy(g.copy())
        return torch.tensor(loss)

    return ours_closure, torch_closure


def compare(ours_opt, torch_opt, ours, theirs, closures, steps, atol=1e-10):
    """Run both `steps` times; assert each step's loss and parameters agree."""
    for step in range(steps):
        a, b = ours_opt.step(closures[0]), torch_opt.step(closures[1])
        assert float(a) == pytest.approx(float(b), rel=1e-9, abs=1e-12), f"step {step}"
        for p, q in zip(ours, theirs):
            expected = q.detach().numpy()
            np.testing.assert_allclose(p.data, expected, rtol=0, atol=atol, err_msg=f"step {step}")
    mine, torchs = ours_opt.state[ours[0]], torch_opt.state[theirs[0]]
    assert set(mine) == set(torchs)  # torch's scratch list "al" too
    assert (mine["func_evals"], mine["n_iter"]) == (torchs["func_evals"], torchs["n_iter"])
    if "d" in mine:
        assert len(mine["old_dirs"]) == len(torchs["old_dirs"])
        assert mine["t"] == pytest.approx(float(torchs["t"]), rel=1e-9, abs=1e-12)
        assert mine["prev_loss"] == pytest.approx(torchs["prev_loss"], rel=1e-9, abs=1e-12)
        np.testing.assert_allclose(mine["d"], torchs["d"].numpy(), rtol=1e-6, atol=1e-9)
    return mine


def make(problem_arrays, options):
    ours = [Tensor(a.copy(), requires_grad=True) for a in problem_arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in problem_arrays]
    return ours, theirs, optim.LBFGS(ours, **options), torch.optim.LBFGS(theirs, **options)


@pytest.mark.parametrize("option_name", sorted(OPTIONS))
@pytest.mark.parametrize("problem_name", sorted(NUMPY_PROBLEMS))
def test_matches_torch_on_numpy_problems(problem_name, option_name):
    problem, arrays = NUMPY_PROBLEMS[problem_name]
    options = OPTIONS[option_name]
    ours, theirs, opt, ref = make(arrays, options)
    state = compare(opt, ref, ours, theirs, numpy_closures(problem, ours, theirs), steps=5)
    max_iter = options.get("max_iter", 20)
    if "tolerance" in option_name or "max_eval" in option_name:  # they stopped early
        assert state["n_iter"] < 5 * max_iter
    if "history" in option_name:
        size = options["history_size"]
        assert len(state["old_dirs"]) == len(state["old_stps"]) == len(state["ro"]) == size


def test_rosenbrock_converges_to_the_minimum_with_the_line_search():
    problem, arrays = NUMPY_PROBLEMS["rosenbrock"]
    ours, theirs, opt, ref = make(arrays, dict(line_search_fn="strong_wolfe"))
    compare(opt, ref, ours, theirs, numpy_closures(problem, ours, theirs), steps=8)
    np.testing.assert_allclose(ours[0].data, np.ones(5), atol=1e-4)  # tolerance_change stops


MLP_X = np.random.default_rng(1).normal(size=(24, 3))
MLP_Y = np.sin(MLP_X[:, :2])


def mlp_arrays():
    rng = np.random.default_rng(2)
    return [rng.normal(size=(3, 6)) * 0.5, np.zeros(6), rng.normal(size=(6, 2)) * 0.5, np.zeros(2)]


@pytest.mark.parametrize("options", [dict(), dict(line_search_fn="strong_wolfe", history_size=4)])
def test_matches_torch_on_a_tiny_mlp_through_each_autograd(options):
    """Closures as torch's docs write them: zero_grad, the loss, backward. The two
    autograds round the gradients differently, which later iterations amplify (to
    1e-6 after 6 steps), so 3 steps (60 iterations) are compared."""
    ours, theirs, opt, ref = make(mlp_arrays(), options)

    def ours_closure():
        opt.zero_grad()
        w1, b1, w2, b2 = ours
        r = (Tensor(MLP_X) @ w1 + b1).tanh() @ w2 + b2 - Tensor(MLP_Y)
        loss = (r * r).mean()
        loss.backward()
        return loss

    def torch_closure():
        ref.zero_grad()
        w1, b1, w2, b2 = theirs
        r = torch.tanh(torch.from_numpy(MLP_X) @ w1 + b1) @ w2 + b2 - torch.from_numpy(MLP_Y)
        loss = (r * r).mean()
        loss.backward()
        return loss

    first = ours_closure().item()
    opt.zero_grad()
    compare(opt, ref, ours, theirs, (ours_closure, torch_closure), steps=3)
    assert ours_closure().item() < 0.2 * first


def test_state_dict_resumes_a_run_bitwise(tmp_path):
    problem, arrays = NUMPY_PROBLEMS["least_squares"]
    options = dict(max_iter=2, max_eval=10, history_size=4, line_search_fn="strong_wolfe")

    def run(params, opt, steps):
        closure, _ = numpy_closures(problem, params, [])
        for _ in range(steps):
            opt.step(closure)

    straight = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    run(straight, optim.LBFGS(straight, **options), 6)
    first = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = optim.LBFGS(first, **options)
    run(first, opt, 3)
    nn.save_state(opt.state_dict(), tmp_path / "lbfgs.npz")  # lists of arrays survive a file
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    opt2 = optim.LBFGS(resumed, max_iter=99)
    opt2.load_state_dict(nn.load_state(tmp_path / "lbfgs.npz"))
    assert opt2.param_groups[0]["max_iter"] == 2
    state = opt2.state[resumed[0]]
    assert state["n_iter"] == 6 and len(state["old_dirs"]) == 4 and state["d"].shape == (15,)
    run(resumed, opt2, 3)
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.data, b.data)
    saved = opt.state_dict()
    saved["state"][0]["d"] = np.zeros(12)
    with pytest.raises(
        ValueError,
        match=r"'d' has shape \(12,\), the optimizer keeps shape \(15,\)",
    ):
        optim.LBFGS([Tensor(a.copy(), requires_grad=True) for a in arrays]).load_state_dict(saved)


def test_a_zero_gradient_returns_at_once_as_torch():
    w = Tensor(np.ones(3), requires_grad=True)
    opt = optim.LBFGS([w])
    calls = []

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) * (w - 1.0)).sum()
        loss.backward()
        calls.append(loss.item())
        return loss

    assert opt.step(closure).item() == 0.0
    assert calls == [0.0] and opt.state[w] == {"func_evals": 1, "n_iter": 0}
    np.testing.assert_array_equal(w.data, np.ones(3))


def test_closure_runs_with_grad_even_under_no_grad():
    w = Tensor(np.array([3.0, -1.0]), requires_grad=True)
    opt = optim.LBFGS([w], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) * (w - 1.0)).sum()
        loss.backward()
        return loss

    with no_grad():
        loss = opt.step(closure)
    assert loss.item() == 8.0
    np.testing.assert_allclose(w.data, [1.0, 1.0], atol=1e-8)


def test_a_parameter_without_gradient_counts_as_zero_and_stays():
    w = Tensor(np.array([2.0, 0.5]), requires_grad=True)
    unused = Tensor(np.array([7.0]), requires_grad=True)
    opt = optim.LBFGS([unused, w])

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert unused.data[0] == 7.0 and opt.state[unused]["d"].shape == (3,)
    assert np.abs(w.data).max() < 1e-6


def test_float32_parameters_stay_float32():
    w = Tensor(np.array([3.0, -1.0], dtype=np.float32), requires_grad=True)
    opt = optim.LBFGS([w], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) * (w - 1.0)).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert w.data.dtype == np.float32 and opt.state[w]["d"].dtype == np.float32
    np.testing.assert_allclose(w.data, [1.0, 1.0], atol=1e-5)


def test_cubic_minimum_as_torch_computes_it():
    from torch.optim.lbfgs import _cubic_interpolate

    cases = [
        (0.0, 1.0, -2.0, 2.0, 1.0, 2.0, None),
        (2.0, 3.0, 1.5, 0.5, 2.0, -1.0, None),
        (0.0, 5.0, -3.0, 1.0, 4.0, -1.0, (1.01, 10.0)),
        (0.0, 1.0, 1.0, 1.0, 0.0, 1.0, None),  # no minimum: the middle of the bounds
    ]
    for x1, f1, g1, x2, f2, g2, bounds in cases:
        expected = _cubic_interpolate(
            x1, f1, torch.tensor(g1), x2, f2, torch.tensor(g2), bounds=bounds
        )
        assert cubic_minimum(x1, f1, g1, x2, f2, g2, bounds) == pytest.approx(float(expected))


def _wavy(a, b, c):
    def f(x):
        value = np.sum(a * np.sin(b * x) + c * x * x + np.abs(x) ** 3)
        return float(value), a * b * np.cos(b * x) + 2 * c * x + 3 * np.abs(x) * x

    return f


def _line_search_cases():
    """(name, f, x0, t0): each branch of the search. A step past the minimum whose
    slope is too steep (quad), a loss without bottom (linear: the bracketing phase
    runs out), a kink (the zoom stops on the interval's width), and random wavy
    functions (among them trials that land on an end of the interval and move in)."""
    yield "quad", lambda x: (float(np.sum(x * x)), 2 * x), np.array([1.0, -0.5]), 0.97
    yield "linear", lambda x: (float(-np.sum(x)), -np.ones_like(x)), np.array([0.0]), 1.0
    kink = lambda x: (float(np.sum(np.abs(x - 0.3))), np.sign(x - 0.3))  # noqa: E731
    yield "kink", kink, np.array([1.0]), 10.0
    rng = np.random.default_rng(0)
    for k in range(500):
        f = _wavy(rng.uniform(0.1, 3), rng.uniform(0.5, 8), rng.uniform(-1, 1))
        yield f"wavy{k}", f, rng.normal(size=2), 10 ** rng.uniform(-2, 2)


def _assert_line_search_as_torchs(name, f, x0, t, max_ls):
    from torch.optim.lbfgs import _strong_wolfe

    fx, gx = f(x0)
    d = -gx
    gtd = float(gx @ d)
    with np.errstate(all="ignore"):
        f_new, g_new, t_new, evals = strong_wolfe(
            lambda s: f(x0 + s * d), t, d, fx, gx, gtd, max_ls=max_ls
        )

    def torch_f(x, s, direction):
        value, g = f(x.numpy() + float(s) * direction.numpy())
        return value, torch.from_numpy(g)

    expected = _strong_wolfe(
        torch_f,
        torch.from_numpy(x0),
        t,
        torch.from_numpy(d),
        fx,
        torch.from_numpy(gx),
        torch.tensor(gtd, dtype=torch.float64),
        max_ls=max_ls,
    )
    assert evals == expected[3], name
    assert t_new == pytest.approx(float(expected[2]), rel=1e-11), name
    assert f_new == pytest.approx(float(expected[0]), rel=1e-11, abs=1e-15), name
    np.testing.assert_allclose(g_new, expected[1].numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("max_ls", [25, 3])
def test_strong_wolfe_takes_torchs_steps(max_ls):
    for name, f, x0, t in _line_search_cases():
        _assert_line_search_as_torchs(name, f, x0, t, max_ls)


def test_one_parameter_group_only():
    a, b = (Tensor(np.zeros(2), requires_grad=True) for _ in range(2))
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError):  # torch refuses too
        torch.optim.LBFGS([{"params": [torch.zeros(1)]}, {"params": [torch.zeros(1)]}])
    opt = optim.LBFGS([a])
    with pytest.raises(ValueError, match="give all parameters in one list"):
        opt.add_param_group({"params": [b]})


@pytest.mark.parametrize(
    "options, error, match",
    [
        (dict(lr=-1.0), ValueError, r"LBFGS: invalid lr: -1\.0"),
        (dict(max_iter=0), ValueError, r"invalid max_iter: 0 \(must be an int >= 1\)"),
        (dict(max_iter=2.5), TypeError, "invalid max_iter"),
        (dict(max_eval=0), ValueError, "invalid max_eval: 0"),
        (dict(history_size=0), ValueError, "invalid history_size: 0"),
        (dict(tolerance_grad=-1e-7), ValueError, "invalid tolerance_grad"),
        (dict(tolerance_change="1e-9"), TypeError, "invalid tolerance_change"),
        (dict(line_search_fn="armijo"), ValueError, "None or 'strong_wolfe'"),
    ],
)
def test_bad_arguments_raise(options, error, match):
    with pytest.raises(error, match=match):
        optim.LBFGS([Tensor(np.zeros(2), requires_grad=True)], **options)


def test_step_needs_a_closure():
    opt = optim.LBFGS([Tensor(np.zeros(2), requires_grad=True)])
    with pytest.raises(TypeError, match=r"LBFGS\.step needs a closure"):
        opt.step()


def test_default_max_eval_is_max_iter_times_five_quarters():
    params = [Tensor(np.zeros(2), requires_grad=True)]
    for max_iter in (1, 4, 20, 21):
        opt = optim.LBFGS(params, max_iter=max_iter)
        ref = torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], max_iter=max_iter)
        assert opt.param_groups[0]["max_eval"] == ref.param_groups[0]["max_eval"]
