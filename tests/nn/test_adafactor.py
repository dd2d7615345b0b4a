"""`nn.optimizers.Adafactor` against Keras 3's, on parameters of 0 to 3 dimensions,
by hand, through `state_dict` and `model.save`, and its argument errors."""

import doctest
import importlib
import math
import os
import pkgutil

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import nn
from autograd import Tensor

keras = pytest.importorskip("keras")  # the comparisons need it (CI installs it)

SHAPES = [(), (5,), (1,), (4, 3), (1, 6), (6, 1), (2, 3, 4)]


def problem(shapes, seed=0):
    """Float32 starting points and the gradient of sum(0.5 * a * (p - target)**2)."""
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=s).astype(np.float32) for s in shapes]
    targets = [rng.normal(size=s).astype(np.float32) for s in shapes]
    scales = [rng.uniform(0.1, 3.0, size=s).astype(np.float32) for s in shapes]

    def grads(params):
        return [a * (p - t) for p, t, a in zip(params, targets, scales, strict=True)]

    return start, grads


def run_ours(shapes, options, steps, opt=None, params=None):
    start, grads = problem(shapes)
    if params is None:
        params = [Tensor(p.copy(), requires_grad=True) for p in start]
    if opt is None:
        opt = nn.optimizers.Adafactor(**options)
        opt.build(params)
    out = []
    for _ in range(steps):
        for p, g in zip(params, grads([p.data for p in params]), strict=True):
            p.grad = Tensor(np.asarray(g))
        opt.step()
        out.append([p.data.copy() for p in params])
    return out, opt, params


def run_keras(shapes, options, steps):
    start, grads = problem(shapes)
    variables = [keras.Variable(p.copy()) for p in start]
    opt = keras.optimizers.Adafactor(**options)
    out = []
    for _ in range(steps):
        opt.apply_gradients(zip(grads([v.numpy() for v in variables]), variables))
        out.append([np.array(v.numpy()) for v in variables])
    return out


OPTIONS = [
    {},
    {"learning_rate": 0.3},
    {"learning_rate": 0.05, "beta_2_decay": -0.5, "clip_threshold": 0.3},
    {"learning_rate": 0.2, "epsilon_1": 1e-3, "epsilon_2": 0.3, "relative_step": False},
    {"learning_rate": 0.1, "weight_decay": 0.2, "clipnorm": 0.5},
    {"learning_rate": 0.1, "beta_2_decay": 0.0, "global_clipnorm": 1.0},
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_matches_keras_step_by_step_on_every_rank(options):
    steps = 25
    ours, _, _ = run_ours(SHAPES, options, steps)
    theirs = run_keras(SHAPES, options, steps)
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for shape, p, q in zip(SHAPES, a, b, strict=True):
            assert p.dtype == np.float32 and p.shape == shape
            np.testing.assert_allclose(
                p, q, rtol=1e-5, atol=1e-6, err_msg=f"shape {shape}, step {step + 1}"
            )
    moved = [np.abs(p - q).max() for p, q in zip(ours[-1], problem(SHAPES)[0], strict=True)]
    assert min(moved) > 1e-3


def test_factored_state_shapes_and_keys():
    _, opt, params = run_ours(SHAPES, {}, 2)
    for p in params:
        state = opt.state[p]
        if p.data.ndim < 2:
            assert set(state) == {"variance"} and state["variance"].shape == p.data.shape
        else:
            assert set(state) == {"row_var", "col_var"}
            assert state["row_var"].shape == p.data.shape[:-1]
            assert state["col_var"].shape == p.data.shape[:-2] + p.data.shape[-1:]
            assert state["row_var"].dtype == np.float32


def test_one_matrix_step_by_hand():
    p0 = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    g = np.array([[0.5, 1.0, -2.0], [0.1, -0.3, 0.0]])
    w = Tensor(p0.copy(), requires_grad=True)
    opt = nn.optimizers.Adafactor(learning_rate=0.4, clip_threshold=0.8)
    opt.build([w])
    w.grad = Tensor(g)
    opt.step()
    # t = 1: beta_2 = 0, so r and c are the row and column means of g**2 + epsilon_1
    g2 = g**2 + 1e-30
    r, c = g2.mean(axis=1), g2.mean(axis=0)
    v = np.outer(r / r.mean(), c)
    u = g / np.sqrt(v)
    u = u / max(1.0, math.sqrt((u**2).mean()) / 0.8)
    alpha = max(1e-3, math.sqrt((p0**2).mean())) * min(0.4, 1.0)
    np.testing.assert_allclose(w.data, p0 - alpha * u, rtol=1e-12)
    np.testing.assert_allclose(opt.state[w]["row_var"], r, rtol=1e-12)


def test_step_size_is_min_of_lr_and_inverse_sqrt_t_whatever_relative_step():
    runs = [
        run_ours([(3, 2), (4,)], {"learning_rate": 0.9, "relative_step": flag}, 6)[0]
        for flag in (True, False)
    ]
    for a, b in zip(*runs, strict=True):
        for p, q in zip(a, b, strict=True):
            np.testing.assert_array_equal(p, q)


def test_state_dict_round_trip_continues_identically():
    shapes = [(4, 3), (3,), (2, 2, 5), ()]
    whole, _, _ = run_ours(shapes, {"learning_rate": 0.2}, 10)
    _, first, params = run_ours(shapes, {"learning_rate": 0.2}, 4)
    saved = first.state_dict()
    assert saved["iterations"] == 4
    second = nn.optimizers.Adafactor(learning_rate=0.2)
    second.build(params)
    second.load_state_dict(saved)
    rest, _, _ = run_ours(shapes, {}, 6, opt=second, params=params)
    for p, q in zip(rest[-1], whole[-1], strict=True):
        np.testing.assert_array_equal(p, q)
    wrong = {"row_var": np.zeros(3), "col_var": np.zeros(3)}
    bad = {**saved, "state": {**saved["state"], 0: wrong}}
    with pytest.raises(ValueError, match=r"state 'row_var' has shape \(3,\), the optimizer keeps"):
        second.load_state_dict(bad)


def test_compile_name_save_and_load_model(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=32)
    model = nn.Sequential(
        [nn.Dense(6, activation="relu", input_shape=(4,)), nn.Dense(3, activation="softmax")]
    )
    model.compile(optimizer="adafactor", loss="sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, nn.optimizers.Adafactor)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    assert isinstance(loaded.optimizer, nn.optimizers.Adafactor)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == 8
    for m in (model, loaded):
        m.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_config_matches_keras():
    ours = nn.optimizers.Adafactor(learning_rate=0.01, beta_2_decay=-0.6, clip_threshold=2.0)
    theirs = keras.optimizers.Adafactor(
        learning_rate=0.01, beta_2_decay=-0.6, clip_threshold=2.0
    ).get_config()
    config = ours.get_config()
    for key in ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step"):
        assert config[key] == theirs[key]
    assert config["learning_rate"] == pytest.approx(theirs["learning_rate"])


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"beta_2_decay": 0.5}, ValueError, "beta_2_decay must be <= 0"),
        ({"beta_2_decay": "fast"}, TypeError, "beta_2_decay must be a number"),
        ({"epsilon_1": -1e-30}, ValueError, "epsilon_1 must be >= 0"),
        ({"epsilon_2": -1.0}, ValueError, "epsilon_2 must be >= 0"),
        ({"clip_threshold": 0.0}, ValueError, "clip_threshold must be > 0"),
        ({"clip_threshold": -1.0}, ValueError, "clip_threshold must be >= 0"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate must be >= 0"),
        ({"beta_1": 0.9}, TypeError, "unexpected argument.*beta_1"),
    ],
)
def test_bad_arguments(options, error, message):
    with pytest.raises(error, match=message):
        nn.optimizers.Adafactor(**options)


def test_docstring_examples_of_nn_optimizers_run():
    package = nn.optimizers
    modules = [package] + [
        importlib.import_module(f"{package.__name__}.{m.name}")
        for m in pkgutil.iter_modules(package.__path__)
    ]
    attempted = 0
    for module in modules:
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 30
