"""Real data: MNIST and Fashion-MNIST with `Sequential.fit`, against numpy and PyTorch.

Run with the IDX files in `$GRADWORK_DATA/mnist/` and `$GRADWORK_DATA/fashion-mnist/`:

    GRADWORK_DATA=/path/to/datasets python benchmarks/bench_mnist.py [1] [2]

Setups (pixels scaled to [0, 1], Glorot-uniform weights and zero biases, as Keras's
`Dense` defaults; batch 32, 5 epochs):

1. 784 -> 64 ReLU -> 10 softmax, SGD lr 0.01, on MNIST. The same epoch is also run
   as a plain numpy loop (forward, softmax cross-entropy backward, SGD update, same
   initial weights and batch order) and, if torch imports, in PyTorch (2 threads).
   `fit` reports the epoch's mean loss and accuracy, so the numpy loop is timed
   twice: computing those two figures as it goes, and training only.
2. 784 -> 100 sigmoid -> 10 softmax, RMSprop with Keras's settings (lr 1e-3,
   rho = alpha 0.9, eps 1e-7; torch's defaults are alpha 0.99, eps 1e-8), on MNIST
   and Fashion-MNIST.

Prints test accuracies and seconds per epoch (median of the epochs). BLAS runs on
one thread unless OPENBLAS_NUM_THREADS says otherwise: for matrices this small more
threads do not help, and timings on a busy machine become noisy.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS

import statistics
import sys
import time

import numpy as np

import autograd
import nn
import optim
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


def numpy_sgd(
    weights: list[np.ndarray], data: tuple[np.ndarray, ...], lr: float, report: bool = True
) -> tuple:
    """Setup 1 by hand: the same initial weights and the same batch order as `fit`.

    With `report`, each step also computes what `fit` reports for the epoch: the mean
    loss and the training accuracy (the classic numpy way, -log p[target]).
    Without it, the loop only trains.
    """
    W1, b1, W2, b2 = (w.copy() for w in weights)
    x, y, xt, yt = data
    rng = np.random.default_rng(SEED)  # DataLoader(seed=SEED) draws its orders this way
    seconds = []
    for _ in range(EPOCHS):
        start = time.perf_counter()
        order = rng.permutation(len(x))
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
            if report:
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
        seconds.append(time.perf_counter() - start)
        if report:
            assert np.isfinite(loss_sum) and 0 < correct <= len(x)
    logits = np.maximum(xt @ W1 + b1, 0) @ W2 + b2
    return float(np.mean(logits.argmax(axis=1) == yt)), seconds


def torch_sgd(weights: list[np.ndarray], data: tuple[np.ndarray, ...], lr: float) -> tuple:
    import torch

    torch.set_num_threads(2)
    W1, b1, W2, b2 = (torch.tensor(w.copy(), requires_grad=True) for w in weights)
    x, y, xt, yt = (torch.from_numpy(a) for a in data)
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=lr)
    rng = np.random.default_rng(SEED)
    seconds = []
    for _ in range(EPOCHS):
        start = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(x)))
        for i in range(0, len(x), BATCH):
            index = order[i : i + BATCH]
            logits = torch.relu(x[index] @ W1 + b1) @ W2 + b2
            loss = torch.nn.functional.cross_entropy(logits, y[index])
            opt.zero_grad()
            loss.backward()
            opt.step()
        seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        logits = torch.relu(xt @ W1 + b1) @ W2 + b2
    return float((logits.argmax(dim=1) == yt).float().mean()), seconds


def report(name: str, accuracy: float, seconds: list[float]) -> float:
    median = statistics.median(seconds)
    print(
        f"  {name:<34} test accuracy {accuracy:.4f}   {median:.3f} s/epoch (min {min(seconds):.3f})"
    )
    return median


def setup_1(mnist: tuple[np.ndarray, ...]) -> None:
    print("(1) MNIST 784-64 relu-10 softmax, SGD lr 0.01, batch 32, 5 epochs")
    model = dense_model(64, "relu")
    weights = [p.data.copy() for p in model.parameters()]
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    fit_time = report("Sequential.fit (verbose=0)", *fit_and_score(model, mnist))
    numpy_time = report("numpy loop, loss and accuracy", *numpy_sgd(weights, mnist, 0.01))
    bare_time = report("numpy loop, training only", *numpy_sgd(weights, mnist, 0.01, False))
    print(
        f"  fit / numpy time ratio: {fit_time / numpy_time:.2f} (same reports), "
        f"{fit_time / bare_time:.2f} (numpy training only)"
    )
    try:
        import torch  # noqa: F401
    except ImportError:
        print("  (torch not installed: no PyTorch timing)")
        return
    torch_time = report("PyTorch (2 threads)", *torch_sgd(weights, mnist, 0.01))
    print(f"  fit / torch time ratio: {fit_time / torch_time:.2f}")


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
