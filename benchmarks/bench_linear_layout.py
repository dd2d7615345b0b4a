"""Does PyTorch's weight layout cost speed? nn.Linear stores weight (out, in) and
computes x @ weight.T + bias; nn.Dense stores Keras's kernel (in, out) and computes
x @ kernel + bias. Both run the fused op `Affine`, whose transpose is a view that numpy
passes to BLAS as a flag. This times forward + backward of one layer in both layouts,
taking turns, and prints the median time of each and their ratio.

Run: OPENBLAS_NUM_THREADS=1 python benchmarks/bench_linear_layout.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS

import statistics
import time
from collections.abc import Callable

import numpy as np

import autograd
from autograd import Tensor

SHAPES = [(32, 784, 64), (32, 64, 10), (256, 784, 256), (1024, 1024, 1024)]


def step(op: Callable[..., Tensor], x: Tensor, w: Tensor, b: Tensor) -> None:
    w.grad = b.grad = None
    op(x, w, b).sum().backward()


def per_call(fn: Callable[[], None], seconds: float = 0.02) -> float:
    """Mean seconds per call over a batch of calls lasting about `seconds`."""
    fn()
    n, t = 1, 0.0
    while t < seconds:
        n *= 2
        start = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - start
    return t / n


def compare(x: Tensor, kernel: Tensor, b: Tensor, rounds: int) -> tuple[float, float]:
    """Median seconds of a step of `linear` (weight = kernel.T, stored (out, in)) and of
    `dense` (the kernel, (in, out)), timed in turns so a busy moment hits both."""
    weight = Tensor(np.ascontiguousarray(kernel.data.T), requires_grad=True)
    times: dict[str, list[float]] = {"linear": [], "dense": []}
    for _ in range(rounds):
        times["linear"].append(per_call(lambda: step(autograd.linear, x, weight, b)))
        times["dense"].append(per_call(lambda: step(autograd.dense, x, kernel, b)))
    return statistics.median(times["linear"]), statistics.median(times["dense"])


def main(rounds: int = 9) -> None:
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, forward + backward of one layer, float32, {rounds} rounds")
    print(f"  {'batch, in, out':>18}  {'(out, in) linear':>16}  {'(in, out) dense':>16}  ratio")
    for n, n_in, n_out in SHAPES:
        x = Tensor(rng.random((n, n_in), dtype=np.float32), requires_grad=True)
        kernel = Tensor(rng.random((n_in, n_out), dtype=np.float32), requires_grad=True)
        b = Tensor(np.zeros(n_out, np.float32), requires_grad=True)
        t_lin, t_den = compare(x, kernel, b, rounds)
        label = f"{n}, {n_in}, {n_out}"
        print(
            f"  {label:>18}  {t_lin * 1e6:13.1f} us  {t_den * 1e6:13.1f} us  {t_lin / t_den:5.2f}"
        )


if __name__ == "__main__":
    main()
