"""Speed of the engine against hand-written numpy (the floor) and PyTorch if installed.

Prints, in one process:
1. a training step of the Keras MNIST example network (784 -> 64 ReLU -> 10, softmax
   cross entropy, plain SGD, batch 32, float32) written with the engine's ops (fused
   `linear` with weights (out, in) as nn.Linear, fused `dense` with kernels (in, out) as
   nn.Dense, and composed ops), the same step written by hand in numpy, and in
   PyTorch (one thread); ratios to the numpy floor;
2. the same for a matmul-bound step (784 -> 1024 -> 1024 -> 10, batch 1024);
3. the per-op overhead on tiny arrays;
4. the time per node of a graph of 0-d scalars (build plus backward), next to a
   plain-Python-float engine of the micrograd kind written below.

In 1 and 2 the contenders take turns in each round and are timed by CPU time
(`bench_speed.race`); the median of the per-round ratios to the floor and their range
are printed, which a busy machine disturbs far less than a best-of-n wall time.

Run: python benchmarks/bench_autograd.py
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable

import numpy as np
from bench_speed import race, report

import autograd
from autograd import Tensor


def best_time(fn: Callable[[], object], repeat: int = 7, number: int | None = None) -> float:
    """Best mean seconds per call over `repeat` runs of `number` calls."""
    if number is None:
        number, t = 1, 0.0
        while t < 0.05:
            number *= 2
            start = time.perf_counter()
            for _ in range(number):
                fn()
            t = time.perf_counter() - start
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def make_weights(sizes: list[int], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for n_in, n_out in itertools.pairwise(sizes):
        limit = math.sqrt(6 / (n_in + n_out))
        arrays.append(rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32))
        arrays.append(np.zeros(n_out, np.float32))
    return arrays


def numpy_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float) -> float:
    """Forward, backward and SGD update by hand: the floor."""
    n = len(y)
    acts = [x]
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = np.maximum(h, 0)
        acts.append(h)
    logits = acts[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), y].mean()
    d = np.exp(logp)
    d[np.arange(n), y] -= 1
    d /= n
    for i in reversed(range(n_layers)):
        w = params[2 * i]
        gw = acts[i].T @ d
        gb = d.sum(axis=0)
        if i > 0:
            d = (d @ w.T) * (acts[i] > 0)
        w -= lr * gw
        params[2 * i + 1] -= lr * gb
    return float(loss)


def composed_step(params: list[Tensor], x: Tensor, y: np.ndarray, lr: float) -> float:
    """The same step from the elementary ops: @, +, relu, log_softmax, indexing, mean."""
    n = len(y)
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = h.relu()
    loss = -h.log_softmax(axis=1)[np.arange(n), y].mean()
    return sgd_update(params, loss, lr)


def engine_step(params: list[Tensor], x: Tensor, y: np.ndarray, lr: float) -> float:
    """The same step with the fused ops that nn.Linear and nn.CrossEntropyLoss use:
    weights in PyTorch's layout (out, in), x @ weight.T + bias, then relu."""
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = autograd.linear(h, params[2 * i], params[2 * i + 1])
        if i < n_layers - 1:
            h = h.relu()
    loss = autograd.cross_entropy(h, y)
    return sgd_update(params, loss, lr)


def dense_step(params: list[Tensor], x: Tensor, y: np.ndarray, lr: float) -> float:
    """The same step as nn.Dense computes it: kernels in Keras's layout (in, out), the
    activation inside the affine op."""
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        activation = "relu" if i < n_layers - 1 else None
        h = autograd.dense(h, params[2 * i], params[2 * i + 1], activation)
    loss = autograd.cross_entropy(h, y)
    return sgd_update(params, loss, lr)


def torch_layout(arrays: list[np.ndarray]) -> list[Tensor]:
    """Parameters for `engine_step`: each (in, out) weight stored as (out, in), in
    column-major order as nn.Linear stores it."""
    return [
        Tensor(a.T.copy(order="F") if a.ndim == 2 else a.copy(), requires_grad=True) for a in arrays
    ]


def sgd_update(params: list[Tensor], loss: Tensor, lr: float) -> float:
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p.data -= lr * p.grad.data
    return loss.item()


def torch_step_factory(arrays: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float):
    import torch

    torch.set_num_threads(1)  # CPU time is compared: one thread, as BLAS here
    params = [torch.tensor(a, requires_grad=True) for a in arrays]
    tx, ty = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    opt = torch.optim.SGD(params, lr=lr)
    n_layers = len(params) // 2

    def step() -> float:
        h = tx
        for i in range(n_layers):
            h = h @ params[2 * i] + params[2 * i + 1]
            if i < n_layers - 1:
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, ty)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def mnist_step(contender: str) -> Callable[[], float]:
    """The Keras MNIST example's step (784-64-10, batch 32) as `bench_step` runs it:
    "numpy" by hand, or "gradwork" with the fused ops (`dense_step`)."""
    rng = np.random.default_rng(1)
    x = rng.random((32, 784), dtype=np.float32)
    y = rng.integers(0, 10, 32)
    arrays = make_weights([784, 64, 10])
    if contender == "numpy":
        return lambda: numpy_step(arrays, x, y, 0.01)
    kernels = [Tensor(a, requires_grad=True) for a in arrays]
    tx = Tensor(x)
    return lambda: dense_step(kernels, tx, y, 0.01)


def bench_step(sizes: list[int], batch: int, label: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.random((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    lr = 0.01
    arrays = make_weights(sizes)
    floor_params = [a.copy() for a in arrays]
    params = torch_layout(arrays)
    kernels = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    tx = Tensor(x)
    # Same numbers first: all implementations must agree before timing means anything.
    l1 = numpy_step([a.copy() for a in arrays], x, y, lr)
    l2 = engine_step(torch_layout(arrays), tx, y, lr)
    assert abs(l1 - l2) < 1e-4, ("engine_step", l1, l2)
    for step in (dense_step, composed_step):
        l2 = step([Tensor(a.copy(), requires_grad=True) for a in arrays], tx, y, lr)
        assert abs(l1 - l2) < 1e-4, (step.__name__, l1, l2)
    composed = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    contenders = {
        "numpy by hand (floor)": lambda: numpy_step(floor_params, x, y, lr),
        "gradwork (linear, CE ops)": lambda: engine_step(params, tx, y, lr),
        "gradwork (dense, CE ops)": lambda: dense_step(kernels, tx, y, lr),
        "gradwork (@ + log_softmax)": lambda: composed_step(composed, tx, y, lr),
    }
    print(f"\n{label}: {' -> '.join(map(str, sizes))}, batch {batch}, float32")
    try:
        contenders["PyTorch"] = torch_step_factory(arrays, x, y, lr)
    except ImportError:
        print("  (PyTorch is not installed: its row is left out)")
    report(race(contenders, rounds=21), "numpy by hand (floor)")


def bench_op_overhead() -> None:
    a = Tensor(np.ones(4, np.float32), requires_grad=True)
    b = Tensor(np.ones(4, np.float32), requires_grad=True)
    na, nb = a.data, b.data
    t_np = best_time(lambda: na * nb)
    t_fw = best_time(lambda: a * b)
    with autograd.no_grad():
        t_ng = best_time(lambda: a * b)

    def fw_bw() -> None:
        (a * b).backward(np.ones(4, np.float32))

    t_bw = best_time(fw_bw)
    print("\nper-op overhead, a * b on 4-element float32 arrays")
    print(f"  numpy a * b                  {t_np * 1e6:6.2f} us")
    print(f"  Tensor a * b (graph)         {t_fw * 1e6:6.2f} us")
    print(f"  Tensor a * b (no_grad)       {t_ng * 1e6:6.2f} us")
    print(f"  Tensor a * b + backward      {t_bw * 1e6:6.2f} us")


class Value:
    """A scalar autodiff node over Python floats, of the micrograd kind."""

    __slots__ = ("_backward", "_prev", "data", "grad")

    def __init__(self, data: float, prev: tuple = ()) -> None:
        self.data, self.grad, self._prev = data, 0.0, prev
        self._backward: Callable[[], None] = lambda: None

    def __add__(self, other: Value) -> Value:
        out = Value(self.data + other.data, (self, other))

        def backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other: Value) -> Value:
        out = Value(self.data * other.data, (self, other))

        def backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,))

        def backward() -> None:
            self.grad += (1 - t * t) * out.grad

        out._backward = backward
        return out

    def backward(self) -> None:
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
            elif v not in seen:
                seen.add(v)
                stack.append((v, True))
                stack.extend((p, False) for p in v._prev)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def neuron_chain(make: Callable[[float], object], n: int) -> Callable[[], None]:
    """n neurons tanh(w * x + b) in a chain: 3 ops (nodes) per neuron."""

    def run() -> None:
        w, b = make(0.5), make(0.1)
        h = make(0.3)
        for _ in range(n):
            h = (w * h + b).tanh()
        h.backward()

    return run


def bench_scalars() -> None:
    n = 2000
    nodes = 3 * n
    t_mg = best_time(neuron_chain(Value, n), repeat=5, number=3)
    t_ag = best_time(
        neuron_chain(lambda v: Tensor(np.float64(v), requires_grad=True), n), repeat=5, number=3
    )
    print(f"\ngraph of 0-d scalars: {nodes} nodes (build + backward)")
    print(f"  micrograd-style Python floats  {t_mg / nodes * 1e6:6.2f} us/node")
    print(f"  gradwork 0-d tensors           {t_ag / nodes * 1e6:6.2f} us/node")


def main() -> None:
    print(f"numpy {np.__version__}")
    bench_step([784, 64, 10], 32, "Keras MNIST example step")
    bench_step([784, 1024, 1024, 10], 1024, "matmul-bound step")
    bench_op_overhead()
    bench_scalars()


if __name__ == "__main__":
    main()
