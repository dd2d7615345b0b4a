"""Render the pictures the README shows, so they can be made again after a change.

    python docs/make_images.py            # writes docs/images/*.png
    python docs/make_images.py OUT_DIR    # writes them elsewhere (the tests do)

Two pictures: the lecture neuron, o = tanh(x1*w1 + x2*w2 + b), drawn with its values
and gradients after `o.backward()`, and the training curves of the README's spiral
example. Needs Graphviz's `dot` and matplotlib (the `plot` extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

import autograd
import nn
from autograd import Tensor, viz
from nn.datasets import spiral

IMAGES = Path(__file__).resolve().parent / "images"
DPI = 80


def neuron_graph(path: Path) -> Path:
    """The neuron of notebook 2, every tensor with its value and gradient."""
    x1, x2 = Tensor(2.0, name="x1"), Tensor(0.0, name="x2")
    w1 = Tensor(-3.0, requires_grad=True, name="w1")
    w2 = Tensor(1.0, requires_grad=True, name="w2")
    b = Tensor(6.8813735870195432, requires_grad=True, name="b")
    n = x1 * w1 + x2 * w2 + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    o.backward()
    return viz.save_graph(o, path)  # a small graph can be drawn after backward


def training_curve(path: Path) -> Path:
    """Loss and accuracy of the README's spiral example, epoch by epoch."""
    import matplotlib

    matplotlib.use("Agg")
    X, y = spiral(n_per_class=100, n_classes=3, seed=0)
    autograd.manual_seed(0)
    model = nn.Sequential(
        nn.Dense(64, activation="relu", input_dim=2),
        nn.Dense(64, activation="relu"),
        nn.Dense(3, activation="softmax"),
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=100, batch_size=32, verbose=0, seed=0)
    fig = history.plot()
    loss_axes, accuracy_axes = fig.axes
    loss_axes.set_title("loss: spiral, 2-64-64-3 MLP, Adam")
    accuracy_axes.set_title("accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    return path


def main(out_dir: Path = IMAGES) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        neuron_graph(out_dir / "neuron_graph.png"),
        training_curve(out_dir / "training_curve.png"),
    ]


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES):
        print("wrote", written)
