"""Peak memory of training: 2,000 steps of the Keras MNIST example network.

The network is 784 -> 64 ReLU -> 10 softmax cross entropy, batch 32, float32, on
6,400 random samples of MNIST's shape (10 epochs). Two loops run it:

1. a hand-written loop: forward with `autograd.dense` (weights (in, out)), `relu`,
   `cross_entropy`,
   `loss.backward()`, then the SGD step `p.data -= lr * p.grad.data`; each batch is
   gathered from the data set by fancy indexing, as a data loader does;
2. `Sequential.fit` for the same number of steps.

Each prints the peak of the memory Python allocated (numpy arrays included, as
`tracemalloc` counts it) during the loop, above what was allocated before it (the
data set, the model), so the figure is what training itself needs at its worst.

Run: python benchmarks/bench_memory.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS

import tracemalloc
from collections.abc import Callable

import numpy as np

import autograd
import nn
from autograd import Tensor

STEPS, BATCH, LR = 2000, 32, 0.01
SAMPLES = 6400  # 200 batches: 10 epochs make the 2,000 steps


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((SAMPLES, 784), dtype=np.float32)
    y = rng.integers(0, 10, SAMPLES)
    return x, y


def peak_above_start(run: Callable[[], None]) -> int:
    """Bytes: the peak allocated while `run` runs, less what was allocated before."""
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start


def hand_written_loop(x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    rng = np.random.default_rng(1)
    sizes = [(784, 64), (64,), (64, 10), (10,)]
    params = [Tensor(rng.normal(0, 0.05, s).astype(np.float32), requires_grad=True) for s in sizes]
    order = rng.permutation(len(x))
    batches = len(x) // BATCH

    def run() -> None:
        for i in range(STEPS):
            index = order[i % batches * BATCH : (i % batches + 1) * BATCH]
            h = autograd.dense(Tensor(x[index]), params[0], params[1]).relu()
            loss = autograd.cross_entropy(autograd.dense(h, params[2], params[3]), y[index])
            for p in params:
                p.grad = None
            loss.backward()
            for p in params:
                p.data -= LR * p.grad.data

    return run


def fit_loop(x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    autograd.manual_seed(0)
    model = nn.Sequential(
        nn.Dense(64, activation="relu", input_dim=784), nn.Dense(10, activation="softmax")
    )
    model.build((None, 784))
    model.compile("sgd", "sparse_categorical_crossentropy", lr=LR)

    def run() -> None:
        model.fit(x, y, epochs=STEPS * BATCH // len(x), batch_size=BATCH, verbose=0, seed=0)

    return run


def main() -> None:
    x, y = data()
    print(f"peak memory of {STEPS} training steps, 784 -> 64 -> 10, batch {BATCH}, float32")
    for name, make in (("hand-written loop", hand_written_loop), ("Sequential.fit", fit_loop)):
        run = make(x, y)
        peaks = [peak_above_start(run) for _ in range(2)]
        runs = ", ".join(f"{p / 1024:.1f}" for p in peaks)
        print(f"  {name:<18} {min(peaks) / 1024:8.1f} KiB above the start (runs: {runs})")


if __name__ == "__main__":
    main()
