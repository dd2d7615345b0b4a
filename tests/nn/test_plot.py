"""nn.plot: each figure has the axes, lines and values it should."""

from __future__ import annotations

import builtins
import importlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import autograd
import nn
from nn import plot


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def test_plot_history_puts_train_and_val_side_by_side() -> None:
    logs = {
        "loss": [1.0, 0.5, 0.3],
        "accuracy": [0.5, 0.7, 0.9],
        "val_loss": [1.1, 0.8, 0.9],
        "val_accuracy": [0.4, 0.6, 0.6],
    }
    fig = plot.plot_history(logs)
    assert [a.get_title() for a in fig.axes] == ["loss", "accuracy"]
    for a, name in zip(fig.axes, ["loss", "accuracy"]):
        train, val = a.get_lines()
        assert (train.get_label(), val.get_label()) == ("training", "validation")
        np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(val.get_ydata(), logs[f"val_{name}"])
    only = plot.plot_history({"loss": [3.0, 2.0]}, metrics=["loss"])
    assert len(only.axes) == 1 and len(only.axes[0].get_lines()) == 1
    with pytest.raises(KeyError, match="accuracy"):
        plot.plot_history({"loss": [1.0]}, metrics=["accuracy"])
    with pytest.raises(ValueError, match="History"):
        plot.plot_history({})


def test_history_from_fit_plots_itself() -> None:
    x, y = nn.datasets.logic_gate("xor")
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_data=(x, y), verbose=0, seed=0)
    fig = history.plot()
    assert len(fig.axes) == 2 and all(len(a.get_lines()) == 2 for a in fig.axes)
    _, (ax,) = plt.subplots(1, 1, squeeze=False)
    assert plot.plot_history(history, metrics=["loss"], ax=ax[0]) is ax[0].figure


def deep_net(activation: str) -> nn.Module:
    autograd.manual_seed(0)
    model = nn.MLP([8] + [16] * 6 + [1], activation=activation)
    if activation == "relu":  # He initialization keeps the signal's scale through ReLUs
        for _, p in model.named_parameters():
            if p.ndim == 2:
                nn.init.kaiming_normal_(p)
    x = autograd.randn(64, 8)
    ((model(x) - 1.0) ** 2).mean().backward()
    return model


def test_gradient_flow_shows_vanishing_sigmoid_gradients() -> None:
    sigmoid, relu = deep_net("sigmoid"), deep_net("relu")
    fig = plot.plot_gradient_flow({"sigmoid": sigmoid, "relu": relu})
    (a,) = fig.axes
    lines = a.get_lines()
    assert [line.get_label() for line in lines] == ["sigmoid", "relu"]
    assert a.get_yscale() == "log"
    ticks = [t.get_text() for t in a.get_xticklabels()]
    assert ticks == [f"layers.{i}.weight" for i in range(0, 14, 2)]  # Linear, act, Linear...
    sig, rel = (line.get_ydata() for line in lines)
    assert len(sig) == len(rel) == 7  # weights only
    assert sig[0] < sig[-1] / 1e4  # vanishing toward the input
    assert rel[0] > rel[-1] / 100  # about level
    weights = dict(sigmoid.named_parameters())["layers.0.weight"]
    assert np.isclose(sig[0], np.abs(weights.grad.data).mean())
    everything = plot.plot_gradient_flow(sigmoid, weights_only=False).axes[0].get_lines()[0]
    assert len(everything.get_ydata()) == 14
    with pytest.raises(ValueError, match="backward"):
        plot.plot_gradient_flow(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="labels"):
        plot.plot_gradient_flow([sigmoid, relu], labels=["one"])


def test_activations_and_autograd_derivatives() -> None:
    fig = plot.plot_activations()
    functions, derivatives = fig.axes
    n = len(plot.ACTIVATIONS)
    assert len(functions.get_lines()) == len(derivatives.get_lines()) == n == 11
    d = {line.get_label(): line for line in derivatives.get_lines()}
    assert abs(d["sigmoid'"].get_ydata().max() - 0.25) < 1e-3
    assert abs(d["tanh'"].get_ydata().max() - 1.0) < 1e-3
    x = d["relu'"].get_xdata()
    np.testing.assert_array_equal(d["relu'"].get_ydata()[x < -0.01], 0.0)
    np.testing.assert_array_equal(d["relu'"].get_ydata()[x > 0.01], 1.0)
    np.testing.assert_array_equal(d["identity'"].get_ydata(), 1.0)
    leaky = d["leaky_relu (slope 0.1)'"]  # the legend says which slope is drawn
    np.testing.assert_allclose(leaky.get_ydata()[leaky.get_xdata() < -0.01], 0.1)
    two = plot.plot_activations(["sigmoid", "relu"])
    assert [len(a.get_lines()) for a in two.axes] == [2, 2]
    with pytest.raises(KeyError, match="swish"):
        plot.plot_activations(["swish"])


def plain_sgd(lr: float):
    """A stand-in optimizer with the torch-like API."""

    class SGD:
        def __init__(self, params):
            self.params = params

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            for p in self.params:
                p.data -= lr * p.grad.data

    return SGD


def test_optimizer_path_follows_the_update_rule() -> None:
    bowl = lambda p: (p**2).sum()  # noqa: E731  gradient 2p, so SGD scales p by (1 - 2 lr)
    path = plot.optimizer_path(plain_sgd(0.25), bowl, [1.0, -2.0], steps=3)
    np.testing.assert_allclose(path, [[1, -2], [0.5, -1], [0.25, -0.5], [0.125, -0.25]])
    import optim

    sgd = plot.optimizer_path(lambda ps: optim.SGD(ps, lr=0.25), bowl, [1.0, -2.0], steps=3)
    np.testing.assert_allclose(sgd, path)
    adam = plot.optimizer_path(lambda ps: optim.Adam(ps, lr=0.1), bowl, [1.0, -2.0], steps=5)
    # Adam's first step moves each coordinate by lr against the gradient's sign
    np.testing.assert_allclose(adam[1], [0.9, -1.9], rtol=1e-6)
    assert adam.shape == (6, 2)
    with pytest.raises(ValueError, match="two numbers"):
        plot.optimizer_path(plain_sgd(0.1), bowl, [1.0, 2.0, 3.0], steps=1)


def test_optimizer_paths_over_contours() -> None:
    import optim

    paths = {
        name: plot.optimizer_path(make, rosenbrock, [-1.5, 2.0], steps=50)
        for name, make in {
            "SGD": lambda ps: optim.SGD(ps, lr=1e-3),
            "Adam": lambda ps: optim.Adam(ps, lr=0.05),
        }.items()
    }
    fig = plot.plot_optimizer_paths(rosenbrock, paths, xlim=(-2, 2), ylim=(-1, 3), levels=20)
    (a,) = fig.axes
    assert [line.get_label() for line in a.get_lines()] == ["SGD", "Adam"]
    assert len(a.get_lines()[1].get_xdata()) == 51
    assert len(a.collections) >= 1  # the contour set
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plot.plot_optimizer_paths(rosenbrock, {"bad": np.zeros((3, 3))}, (-2, 2), (-1, 3))
    with pytest.raises(ValueError, match=r"p\[0\]"):
        plot.plot_optimizer_paths(lambda p: (p**2).sum(), {}, (-2, 2), (-1, 3))


def test_decision_boundary_single_output_and_multiclass() -> None:
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [-0.5, 1.0], [0.5, -1.0]])
    y = np.array([0, 1, 0, 1])
    fig = plot.plot_decision_boundary(
        lambda x: (x[:, 0] > 0).astype(np.float32), X, y, resolution=50
    )
    (a,) = fig.axes
    assert len(a.collections) >= 2  # the filled regions and the points
    filled = next(c for c in a.collections if hasattr(c, "levels"))
    np.testing.assert_array_equal(filled.levels, [-0.5, 0.5, 1.5])
    points = next(c for c in a.collections if c.get_offsets().shape == (4, 2))
    np.testing.assert_array_equal(points.get_offsets(), X)

    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    model.train()
    fig3 = plot.plot_decision_boundary(model, X, np.array([0, 1, 2, 1]), resolution=30)
    levels = next(c for c in fig3.axes[0].collections if hasattr(c, "levels")).levels
    assert len(levels) == 4 and model.training  # 3 classes, train mode restored
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plot.plot_decision_boundary(model, np.zeros((4, 3)), y)


def test_missing_matplotlib_says_how_to_install(monkeypatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    module = importlib.reload(plot)  # nn.plot itself imports without matplotlib
    with pytest.raises(ImportError, match=r'pip install -e "\.\[plot\]"'):
        module.plot_history({"loss": [1.0]})


def test_nn_plot_is_reachable_after_import_nn() -> None:
    import nn

    assert nn.plot.plot_history is not None
