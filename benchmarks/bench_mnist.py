"""Real data: MNIST and Fashion-MNIST with `Sequential.fit`, against numpy and PyTorch.

Run with the IDX files in `$GRADWORK_DATA/mnist/` and `$GRADWORK_DATA/fashion-mnist/`:

    GRADWORK_DATA=/path/to/datasets python benchmarks/bench_mnist.py [1] [2]

Setups (pixels scaled to [0, 1], Glorot-uniform weights and zero biases, as Keras's
`Dense` defaults; batch 32, 5 epochs):

1. 784 -> 64 ReLU -> 10 softmax, SGD lr 0.01, on MNIST. The same epochs are also run
   as a plain numpy loop (forward, softmax cross-entropy backward, SGD update, same
   initial weights and batch order) and, if torch imports, in PyTorch (2 threads),
   the loops taking turns epoch by epoch. `fit` reports the epoch's mean loss and
   accuracy, so the numpy loop is timed twice: computing those two figures as it
   goes, and training only. `fit` runs twice too: as it does (its fast path for
   Dense stacks, `nn.dense_stack`) and with every step recorded as a graph.
2. 784 -> 100 sigmoid -> 10 softmax, RMSprop with Keras's settings (lr 1e-3,
   rho = alpha 0.9, eps 1e-7; torch's defaults are alpha 0.99, eps 1e-8), on MNIST
   and Fashion-MNIST.

Prints test accuracies and seconds per epoch (median of the epochs). BLAS runs on
one thread unless OPENBLAS_NUM_THREADS says otherwise: matrices this small gain
little from a second thread, and on a busy machine its timings are much noisier.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS

import statistics
import sys
import time
from typing import Any

import numpy as np

import autograd
import nn
import optim
from nn import dense_stack
from nn.callbacks import Callback

EPOCHS, BATCH, SEED = 5, 32, 0


class EpochTimer(Callback):
    """Wall-clock seconds of each epoch of `fit`."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self.start)


def load(kind: str) -> tuple[np.ndarray, ...]:
    (x, y), (xt, yt) = nn.datasets.load_mnist(kind)
    scale = np.float32(1 / 255)
    return (
        x.reshape(len(x), -1).astype(np.float32) * scale,
        y.astype(np.int64),
        xt.reshape(len(xt), -1).astype(np.float32) * scale,
        yt.astype(np.int64),
    )


def dense_model(hidden: int, activation: str) -> nn.Sequential:
    autograd.manual_seed(SEED)
    model = nn.Sequential(
        nn.Dense(hidden, activation=activation, input_dim=784),
        nn.Dense(10, activation="softmax"),
    )
    model.build((None, 784))
    return model


def fit_and_score(model: nn.Sequential, data: tuple[np.ndarray, ...]) -> tuple[float, list]:
    x, y, xt, yt = data
    timer = EpochTimer()
    model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0, seed=SEED, callbacks=[timer])
    _, accuracy = model.evaluate(xt, yt, batch_size=1000)
    return accuracy, timer.seconds


class NumpySGD:
    """Setup 1 by hand: the same initial weights and the same batch order as `fit`.

    With `report`, each step also computes what `fit` reports for the epoch: the mean
    loss and the training accuracy (the classic numpy way, -log p[target]).
    Without it, the loop only trains.
    """

    def __init__(self, weights: list[np.ndarray], lr: float, report: bool) -> None:
        self.W1, self.b1, self.W2, self.b2 = (w.copy() for w in weights)
        self.lr, self.report = lr, report

    def epoch(self, x: np.ndarray, y: np.ndarray, seed: int) -> float:
        W1, b1, W2, b2, lr = self.W1, self.b1, self.W2, self.b2, self.lr
        start = time.perf_counter()
        order = np.random.default_rng(seed).permutation(len(x))  # as DataLoader(seed=seed)
        loss_sum = correct = 0.0
        for i in range(0, len(x), BATCH):
            index = order[i : i + BATCH]
            xb, yb, n = x[index], y[index], len(index)
            rows = np.arange(n)
            h = xb @ W1 + b1
            a = np.maximum(h, 0)
            z = a @ W2 + b2
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            if self.report:
                loss_sum -= np.log(p[rows, yb]).sum()
                correct += np.count_nonzero(z.argmax(axis=1) == yb)
            dz = p  # d(mean cross-entropy)/dz = (p - onehot(y)) / n
            dz[rows, yb] -= 1
            dz /= n
            da = dz @ W2.T
            da[h <= 0] = 0
            W2 -= lr * (a.T @ dz)
            b2 -= lr * dz.sum(axis=0)
            W1 -= lr * (xb.T @ da)
            b1 -= lr * da.sum(axis=0)
        seconds = time.perf_counter() - start
        if self.report:
            assert np.isfinite(loss_sum) and 0 < correct <= len(x)
        return seconds

    def accuracy(self, xt: np.ndarray, yt: np.ndarray) -> float:
        logits = np.maximum(xt @ self.W1 + self.b1, 0) @ self.W2 + self.b2
        return float(np.mean(logits.argmax(axis=1) == yt))


class FitSGD:
    """Setup 1 through `Sequential.fit`, one epoch per call; with `graph=True`, with
    its fast path for Dense stacks (`nn.dense_stack`) turned off, each step recorded."""

    def __init__(self, model: nn.Sequential, graph: bool = False) -> None:
        self.model, self.graph = model, graph

    def epoch(self, x: np.ndarray, y: np.ndarray, seed: int) -> float:
        timer = EpochTimer()
        fast = dense_stack.ENABLED
        dense_stack.ENABLED = not self.graph
        try:
            self.model.fit(
                x, y, epochs=1, batch_size=BATCH, verbose=0, seed=seed, callbacks=[timer]
            )
        finally:
            dense_stack.ENABLED = fast
        return timer.seconds[0]

    def accuracy(self, xt: np.ndarray, yt: np.ndarray) -> float:
        return self.model.evaluate(xt, yt, batch_size=1000)[1]


class TorchSGD:
    """Setup 1 in PyTorch (2 threads): the same weights, batch order and update."""

    def __init__(self, weights: list[np.ndarray], lr: float) -> None:
        import torch

        torch.set_num_threads(2)
        self.torch = torch
        self.params = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
        self.opt = torch.optim.SGD(self.params, lr=lr)

    def logits(self, x: Any) -> Any:
        W1, b1, W2, b2 = self.params
        return self.torch.relu(x @ W1 + b1) @ W2 + b2

    def epoch(self, x: np.ndarray, y: np.ndarray, seed: int) -> float:
        torch, opt = self.torch, self.opt
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        start = time.perf_counter()
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x)))
        for i in range(0, len(x), BATCH):
            index = order[i : i + BATCH]
            loss = torch.nn.functional.cross_entropy(self.logits(x[index]), y[index])
            opt.zero_grad()
            loss.backward()
            opt.step()
        return time.perf_counter() - start

    def accuracy(self, xt: np.ndarray, yt: np.ndarray) -> float:
        with self.torch.no_grad():
            predicted = self.logits(self.torch.from_numpy(xt)).argmax(dim=1).numpy()
        return float(np.mean(predicted == yt))


def report(name: str, accuracy: float, seconds: list[float]) -> float:
    median = statistics.median(seconds)
    print(
        f"  {name:<34} test accuracy {accuracy:.4f}   {median:.3f} s/epoch (min {min(seconds):.3f})"
    )
    return median


def setup_1(mnist: tuple[np.ndarray, ...]) -> None:
    """The four loops take turns, one epoch each, so a change in the machine's speed
    during the run affects them alike; epoch k of each uses the batch order of seed k."""
    print("(1) MNIST 784-64 relu-10 softmax, SGD lr 0.01, batch 32, 5 epochs")
    x, y, xt, yt = mnist
    model, recorded = dense_model(64, "relu"), dense_model(64, "relu")
    weights = [p.data.copy() for p in model.parameters()]
    for m in (model, recorded):
        m.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    runs: dict[str, Any] = {
        "Sequential.fit (verbose=0)": FitSGD(model),
        "Sequential.fit, each step recorded": FitSGD(recorded, graph=True),
        "numpy loop, loss and accuracy": NumpySGD(weights, 0.01, report=True),
        "numpy loop, training only": NumpySGD(weights, 0.01, report=False),
    }
    try:
        runs["PyTorch (2 threads)"] = TorchSGD(weights, 0.01)
    except ImportError:
        print("  (torch not installed: no PyTorch timing)")
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for epoch in range(EPOCHS):
        for name, run in runs.items():
            seconds[name].append(run.epoch(x, y, seed=SEED + epoch))
    median = {name: report(name, run.accuracy(xt, yt), seconds[name]) for name, run in runs.items()}
    fit_time = median["Sequential.fit (verbose=0)"]
    print(
        f"  fit / numpy time ratio: {fit_time / median['numpy loop, loss and accuracy']:.2f} "
        f"(same reports), {fit_time / median['numpy loop, training only']:.2f} "
        "(numpy training only)"
    )
    recorded_time = median["Sequential.fit, each step recorded"]
    print(
        f"  fit with each step recorded / numpy (same reports): "
        f"{recorded_time / median['numpy loop, loss and accuracy']:.2f}"
    )
    if "PyTorch (2 threads)" in median:
        print(f"  fit / torch time ratio: {fit_time / median['PyTorch (2 threads)']:.2f}")


def setup_2(kind: str, data: tuple[np.ndarray, ...]) -> None:
    print(f"(2) {kind} 784-100 sigmoid-10 softmax, RMSprop lr 1e-3 rho 0.9 eps 1e-7, batch 32")
    model = dense_model(100, "sigmoid")
    model.compile(
        optimizer=optim.RMSprop,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        lr=1e-3,
        alpha=0.9,
        eps=1e-7,
    )
    report("Sequential.fit (verbose=0)", *fit_and_score(model, data))


def main(argv: list[str]) -> None:
    """Run the setups named on the command line ("1", "2"), or both."""
    setups = argv or ["1", "2"]
    print(f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    mnist = load("digits")
    if "1" in setups:
        setup_1(mnist)
    if "2" in setups:
        setup_2("MNIST", mnist)
        setup_2("Fashion-MNIST", load("fashion"))


if __name__ == "__main__":
    main(sys.argv[1:])
