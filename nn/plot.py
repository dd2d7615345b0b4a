"""Plots for learning: training curves, gradient flow, activations, optimizer paths and
decision boundaries. Each function returns the matplotlib Figure.

matplotlib is an optional dependency: `pip install -e ".[plot]"` from a clone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

import autograd
from autograd import Tensor

#: The activation functions `plot_activations` knows, from autograd's ops.
ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "identity": lambda x: x * 1.0,
    "step": autograd.step,
    "sign": autograd.sign,
    "sigmoid": autograd.sigmoid,
    "tanh": autograd.tanh,
    "relu": autograd.relu,
    "leaky_relu": lambda x: autograd.leaky_relu(x, 0.1),  # a visible slope
    "elu": autograd.elu,
    "gelu": autograd.gelu,
    "softplus": autograd.softplus,
    "silu": autograd.silu,
}

#: Legend labels that say more than the name (the slope drawn is not `leaky_relu`'s default).
ACTIVATION_LABELS = {"leaky_relu": "leaky_relu (slope 0.1)"}


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'nn.plot needs matplotlib, an optional dependency: pip install -e ".[plot]"'
        ) from None
    return plt


def _axes(ax: Any, n: int, width: float = 4.5, height: float = 3.5) -> tuple[Any, list[Any]]:
    """The figure and `n` axes side by side: new ones, or the ones given in `ax`."""
    if ax is None:
        fig, axes = _pyplot().subplots(1, n, figsize=(width * n, height), squeeze=False)
        return fig, list(axes[0])
    axes = list(np.ravel(ax)) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if len(axes) != n:
        raise ValueError(f"this plot needs {n} axes, got {len(axes)}")
    return axes[0].figure, axes


def plot_history(history: Any, metrics: Sequence[str] | None = None, ax: Any = None) -> Any:
    """Training curves per epoch: one subplot per quantity, training and validation lines.

    A validation loss that rises while the training loss falls is overfitting.

    Args:
        history: a `History` (from `fit`) or a dict such as
            {"loss": [...], "accuracy": [...], "val_loss": [...], "val_accuracy": [...]}.
        metrics: the quantities to plot, e.g. ["loss"]; default: every key without
            the "val_" prefix.
        ax: an Axes, or a sequence of one Axes per quantity; default: a new figure.

    Returns:
        The matplotlib Figure.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise ValueError(f"plot_history: expected a History or a non-empty dict, got {history!r}")
    names = [k for k in logs if not k.startswith("val_")] if metrics is None else list(metrics)
    for name in names:
        if name not in logs:
            raise KeyError(f"plot_history: no {name!r} in the history; it has {list(logs)}")
    fig, axes = _axes(ax, len(names))
    for a, name in zip(axes, names):
        for key, label in ((name, "training"), (f"val_{name}", "validation")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)
                a.plot(np.arange(1, len(values) + 1), values, marker=".", label=label)
        a.set(title=name, xlabel="epoch")
        a.legend()
    fig.tight_layout()
    return fig


def plot_gradient_flow(
    models: Any, labels: Sequence[str] | None = None, ax: Any = None, weights_only: bool = True
) -> Any:
    """Mean absolute gradient of each parameter, layer by layer, after a backward pass.

    In a deep sigmoid network these fall by about 4x per layer toward the input
    (sigmoid' <= 0.25): vanishing gradients. A ReLU network keeps them level.

    Args:
        models: a module, a sequence of modules, or a dict label -> module.
        labels: one legend label per model (default: the dict keys, or "model 0", ...).
        ax: an Axes; default: a new figure.
        weights_only: skip biases and other 1-d parameters.

    Returns:
        The matplotlib Figure (log-scale y axis).
    """
    if isinstance(models, Mapping):
        labels = list(models) if labels is None else labels
        models = list(models.values())
    elif hasattr(models, "named_parameters"):
        models = [models]
    models = list(models)
    labels = [f"model {i}" for i in range(len(models))] if labels is None else list(labels)
    if len(labels) != len(models):
        raise ValueError(f"plot_gradient_flow: {len(labels)} labels for {len(models)} models")
    fig, (a,) = _axes(ax, 1, width=7)
    ticks: list[str] = []
    for model, label in zip(models, labels):
        named = [(n, p) for n, p in model.named_parameters() if p.ndim >= 2 or not weights_only]
        if any(p.grad is None for _, p in named):
            raise ValueError(
                f"plot_gradient_flow: {label} has parameters without .grad; "
                "run loss.backward() first"
            )
        flow = [np.abs(p.grad.data).mean() for _, p in named]
        a.plot(np.arange(len(flow)), flow, marker="o", label=label)
        ticks = max(ticks, [n for n, _ in named], key=len)
    a.set_xticks(np.arange(len(ticks)), ticks, rotation=45, ha="right")
    a.set(yscale="log", xlabel="parameter (input side first)", ylabel="mean |grad|")
    a.set_title("Gradient flow")
    a.legend()
    fig.tight_layout()
    return fig


def plot_activations(
    names: Sequence[str] | None = None, xlim: tuple[float, float] = (-4.0, 4.0), ax: Any = None
) -> Any:
    """Activation functions (left) and their derivatives (right), one line each.

    The derivatives come from autograd: d/dx sum(f(x)) at every x of the grid. They show,
    e.g., that sigmoid' peaks at 0.25 at x = 0 and that relu' is 0 or 1.

    Args:
        names: keys of `ACTIVATIONS` (default: all of them).
        xlim: the range of x.
        ax: a pair of Axes; default: a new figure.

    Returns:
        The matplotlib Figure.
    """
    names = list(ACTIVATIONS) if names is None else list(names)
    for name in names:
        if name not in ACTIVATIONS:
            raise KeyError(f"plot_activations: unknown {name!r}; choose from {list(ACTIVATIONS)}")
    fig, (left, right) = _axes(ax, 2)
    x = Tensor(np.linspace(*xlim, 801), requires_grad=True)
    for name in names:
        y = ACTIVATIONS[name](x)
        (dy,) = autograd.grad(y.sum(), x)
        label = ACTIVATION_LABELS.get(name, name)
        left.plot(x.data, y.data, label=label)
        right.plot(x.data, dy.data, label=f"{label}'")
    left.set(title="f(x)", xlabel="x")
    right.set(title="f'(x), by autograd", xlabel="x")
    for a in (left, right):
        a.grid(alpha=0.3)
        a.legend(fontsize="small")
    fig.tight_layout()
    return fig


def optimizer_path(
    optimizer_factory: Callable[[list[Tensor]], Any],
    loss_fn: Callable[[Tensor], Tensor],
    start: npt.ArrayLike,
    steps: int,
) -> np.ndarray:
    """Run an optimizer on a 2-D point and return the points it visits.

    Args:
        optimizer_factory: makes the optimizer from a parameter list, e.g.
            `lambda params: optim.Adam(params, lr=0.1)`.
        loss_fn: maps a (2,) tensor p to a scalar loss, e.g.
            `lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2`.
        start: the first point, two numbers.
        steps: how many optimizer steps to take.

    Returns:
        An array of shape (steps + 1, 2): the start, then the point after each step.
    """
    start = np.array(start, dtype=np.float64)
    if start.shape != (2,):
        raise ValueError(f"optimizer_path: start must be two numbers, got shape {start.shape}")
    if steps < 0:
        raise ValueError(f"optimizer_path: steps must be >= 0, got {steps}")
    p = Tensor(start, requires_grad=True)
    optimizer = optimizer_factory([p])
    path = [start.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(p).backward()
        optimizer.step()
        path.append(p.data.copy())
    return np.stack(path)


def plot_optimizer_paths(
    loss_fn: Callable[[Tensor], Tensor],
    paths: Mapping[str, npt.ArrayLike],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    ax: Any = None,
    levels: int | Sequence[float] = 30,
) -> Any:
    """Contours of a 2-D loss surface with one path per optimizer on top.

    Args:
        loss_fn: the loss of a point p, written with `p[0]` and `p[1]` so that it also
            works on a grid (p of shape (2, H, W) gives an (H, W) loss).
        paths: name -> array of shape (n, 2), e.g. from `optimizer_path`.
        xlim, ylim: the plotted region.
        ax: an Axes; default: a new figure.
        levels: number of contour levels, or the levels themselves.

    Returns:
        The matplotlib Figure.
    """
    fig, (a,) = _axes(ax, 1, width=6, height=5)
    gx, gy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    with autograd.no_grad():
        z = np.asarray(loss_fn(Tensor(np.stack([gx, gy]))).data)
    if z.shape != gx.shape:
        raise ValueError(
            f"plot_optimizer_paths: loss_fn gave shape {z.shape} on a (2, 200, 200) grid; "
            "write it with p[0] and p[1] so it works elementwise"
        )
    a.contour(gx, gy, z, levels=levels, cmap="viridis", linewidths=0.7)
    for name, path in paths.items():
        path = np.asarray(path, dtype=float)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(
                f"plot_optimizer_paths: path {name!r} must be (n, 2), got {path.shape}"
            )
        a.plot(path[:, 0], path[:, 1], marker=".", markersize=3, label=name)
    a.set(xlim=xlim, ylim=ylim, xlabel="p[0]", ylabel="p[1]", title="Optimizer paths")
    a.legend()
    fig.tight_layout()
    return fig


def plot_decision_boundary(
    model_or_fn: Any,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    ax: Any = None,
    resolution: int = 200,
    threshold: float = 0.5,
) -> Any:
    """A 2-D classifier's predicted class over a grid, with the data on top.

    The class is the argmax of the outputs, or `output > threshold` for one output
    (0.5 for probabilities; pass 0 for logits). A module is evaluated in eval mode.

    Args:
        model_or_fn: a module or function mapping (n, 2) inputs to (n,), (n, 1) or (n, k).
        X: the points, shape (n, 2).
        y: their labels, shape (n,).
        ax: an Axes; default: a new figure.
        resolution: grid points per axis.
        threshold: the decision threshold for a single output.

    Returns:
        The matplotlib Figure.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or len(y) != len(X):
        raise ValueError(
            f"plot_decision_boundary: X must be (n, 2) and y (n,), got {X.shape} and {y.shape}"
        )
    fig, (a,) = _axes(ax, 1, width=5.5, height=5)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    grid = grid.astype(X.dtype if X.dtype.kind == "f" else autograd.get_default_dtype())
    was_training = getattr(model_or_fn, "training", None)
    if was_training:
        model_or_fn.eval()
    try:
        with autograd.no_grad():
            out = np.asarray(model_or_fn(Tensor(grid)))
    finally:
        if was_training:
            model_or_fn.train()
    if out.ndim == 2 and out.shape[1] > 1:
        classes = out.argmax(axis=1)
    else:
        classes = (out.reshape(len(grid)) > threshold).astype(int)
    n_classes = int(max(classes.max(), y.max())) + 1
    levels = np.arange(n_classes + 1) - 0.5
    a.contourf(gx, gy, classes.reshape(gx.shape), levels=levels, cmap="coolwarm", alpha=0.3)
    a.scatter(
        X[:, 0], X[:, 1], c=y, cmap="coolwarm", vmin=0, vmax=n_classes - 1, edgecolors="k", s=20
    )
    a.set(title="Decision boundary", xlabel="x[0]", ylabel="x[1]")
    fig.tight_layout()
    return fig
