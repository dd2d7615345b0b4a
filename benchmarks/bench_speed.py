"""Where users spend their time, each as a ratio to its floor measured in the same process.

1. loop: the training step written the PyTorch way (`nn.Sequential(Linear, ReLU,
   Linear)`, `nn.CrossEntropyLoss()`, `optim.SGD`, zero_grad / backward / step),
   784-64-10, batch 32, float32, against the same step written by hand in numpy; and
   the optimizer's share alone (`step()` and `zero_grad()` on fixed gradients, with
   the multi-tensor path and with the per-parameter reference) against the floor's
   ``for p, g: p -= lr * g``.
2. big: the same on 784-1024-1024-10, batch 1024, where BLAS should be all.
3. scalar: micrograd's moons demo (a 2-16-16-1 ReLU MLP, max-margin loss and L2
   penalty on a batch of moons points; about 20,000 nodes), build plus backward,
   with 0-d tensors and with the micrograd-style `Value` below (the floor), with
   Python's garbage collector on and off.
4. adam: the PyTorch-style loop with `optim.Adam` on 784-256-256-10, batch 128, against
   numpy by hand with a per-parameter Adam update, both starting again every
   `RESTART` steps; and the update alone (`step()` and
   `zero_grad()` on fixed gradients) against the per-parameter numpy update, with the
   same update in gradwork's arithmetic (12 passes instead of 13) alongside.
5. memory: peak bytes allocated by one step of (2) and (4) (tracemalloc sees numpy's
   arrays), against the floor's.

Contenders take turns within each round, so a change in the machine's load affects
them alike; a ratio is computed per round and the median and range are printed. Times
are the process's CPU time (`time.process_time`), which other processes on a busy
machine disturb far less than the wall clock.
BLAS is pinned to one thread. Run: python benchmarks/bench_speed.py [loop big scalar
adam memory]. It prints figures and asserts nothing but agreement of the losses.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import gc
import itertools
import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import nn
import optim
from autograd import Tensor

Step = Callable[[], object]


# --- timing ------------------------------------------------------------------------------


def race(
    contenders: dict[str, Step],
    rounds: int = 15,
    seconds: float = 0.1,
    between: Callable[[], object] | None = None,
) -> dict[str, list]:
    """Seconds per call of each contender in each round, the contenders taking turns.

    Each contender is called enough times per round to last about `seconds` (measured
    on its warm-up), so fast and slow ones are timed alike. `between`, if given, runs
    untimed after each turn.
    """
    number = {}
    for name, fn in contenders.items():
        fn()
        start, n = time.process_time(), 0
        while time.process_time() - start < seconds / 4:
            fn()
            n += 1
        number[name] = max(1, 4 * n)
    times: dict[str, list] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            start = time.process_time()
            for _ in range(number[name]):
                fn()
            times[name].append((time.process_time() - start) / number[name])
            if between is not None:
                between()
    return times


def report(times: dict[str, list], floor: str, unit: float = 1e6, per: str = "us") -> None:
    """One line per contender: median time, and the median and range of its per-round
    ratio to `floor`."""
    base = times[floor]
    for name, ts in times.items():
        ratios = [t / b for t, b in zip(ts, base, strict=True)]
        print(
            f"  {name:<38} {statistics.median(ts) * unit:9.1f} {per}   "
            f"{statistics.median(ratios):5.2f}x  [{min(ratios):.2f}-{max(ratios):.2f}]"
        )


# --- the MLP floor in numpy ----------------------------------------------------------------


def glorot(sizes: list[int], seed: int = 0) -> list[np.ndarray]:
    """Weights (in, out) ~ U(-l, l), l = sqrt(6 / (in + out)), and zero biases, float32."""
    rng = np.random.default_rng(seed)
    arrays = []
    for n_in, n_out in itertools.pairwise(sizes):
        limit = math.sqrt(6 / (n_in + n_out))
        arrays.append(rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32))
        arrays.append(np.zeros(n_out, np.float32))
    return arrays


def numpy_grads(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, list]:
    """Mean softmax cross entropy of a ReLU MLP and its gradients, by hand."""
    n, n_layers = len(y), len(params) // 2
    acts = [x]
    h = x
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
    grads: list = [None] * len(params)
    for i in reversed(range(n_layers)):
        grads[2 * i] = acts[i].T @ d
        grads[2 * i + 1] = d.sum(axis=0)
        if i > 0:
            d = (d @ params[2 * i].T) * (acts[i] > 0)
    return float(loss), grads


def numpy_sgd(params: list[np.ndarray], batches: list, lr: float) -> Step:
    """One SGD step per call on the next batch: the floor of the PyTorch-style loop."""
    batch = itertools.cycle(batches)

    def step() -> float:
        x, y = next(batch)
        loss, grads = numpy_grads(params, x, y)
        for p, g in zip(params, grads):
            p -= lr * g
        return loss

    return step


#: Steps after which the Adam loops start again from their first weights and a fresh
#: state. Trained longer on these 8 batches, units die, and from about step 800 the
#: exp_avg of their weights is subnormal for good (0.9 times 4 ulps rounds back to 4
#: ulps, in torch as well): subnormal arithmetic, equally slow in floor and engine,
#: then makes the update several times slower and the figure says nothing.
RESTART = 256


def numpy_adam(params: list[np.ndarray], batches: list, lr: float) -> Step:
    """One Adam step per call, updating parameter by parameter (torch's Adam rule);
    every `RESTART` steps the weights and the state start again."""
    from bench_optim import floor_rules

    first = [p.copy() for p in params]
    grads = [np.empty_like(p) for p in params]
    update = floor_rules()["adam"](params, grads, lr=lr)
    batch = itertools.cycle(batches)
    count = 0

    def step() -> float:
        nonlocal update, count
        count += 1
        if count % RESTART == 0:
            for p, a in zip(params, first, strict=True):
                p[...] = a
            update = floor_rules()["adam"](params, grads, lr=lr)
        x, y = next(batch)
        loss, grads[:] = numpy_grads(params, x, y)
        update()
        return loss

    return step


# --- the same loops in gradwork, written the PyTorch way -----------------------------------


def torch_style_model(arrays: list[np.ndarray]) -> nn.Sequential:
    """nn.Sequential(Linear, ReLU, Linear, ...) holding copies of `arrays` (in whichever
    layout nn.Linear stores its weight)."""
    layers: list[nn.Module] = []
    for i in range(0, len(arrays), 2):
        n_in, n_out = arrays[i].shape
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    for p, a in zip(model.parameters(), arrays, strict=True):
        p.data[...] = a.T if a.ndim == 2 and TRANSPOSED else a
    return model


def set_grads(model: nn.Module, grads: list[np.ndarray]) -> None:
    """Give each parameter of `model` a copy of the floor's gradient, laid out as the
    parameter (as backward makes it), transposed where nn.Linear's weight is."""
    for p, g in zip(model.parameters(), grads, strict=True):
        grad = np.empty_like(p.data)
        grad[...] = g.T if g.ndim == 2 and TRANSPOSED else g
        p.grad = Tensor(grad)


#: True when nn.Linear stores its weight as (out_features, in_features).
TRANSPOSED = nn.Linear(2, 3).weight.shape == (3, 2)


def torch_style_loop(model: nn.Module, opt: optim.Optimizer, batches: list) -> Step:
    loss_fn = nn.CrossEntropyLoss()
    batch = itertools.cycle([(Tensor(x), Tensor(y)) for x, y in batches])

    def step() -> Tensor:
        x, y = next(batch)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def make_batches(sizes: list[int], batch: int, count: int = 8) -> list:
    rng = np.random.default_rng(1)
    return [
        (rng.random((batch, sizes[0]), dtype=np.float32), rng.integers(0, sizes[-1], batch))
        for _ in range(count)
    ]


def check_agreement(floor: Step, ours: Step) -> None:
    a, b = floor(), float(ours().item())  # type: ignore[attr-defined]
    assert abs(a - b) < 1e-4 * max(1.0, abs(a)), (a, b)


def bench_loop(sizes: list[int], batch: int, label: str) -> None:
    arrays, batches, lr = glorot(sizes), make_batches(sizes, batch), 0.01
    fresh = [a.copy() for a in arrays]
    check_agreement(
        numpy_sgd(fresh, batches, lr), torch_style_loop(*sgd_model(arrays, lr), batches)
    )
    contenders = {
        "numpy by hand (floor)": numpy_sgd([a.copy() for a in arrays], batches, lr),
        "gradwork, PyTorch-style loop": torch_style_loop(*sgd_model(arrays, lr), batches),
    }
    print(f"\n{label}: {'-'.join(map(str, sizes))}, batch {batch}, SGD lr {lr}, float32")
    report(race(contenders), "numpy by hand (floor)")
    grads = numpy_grads(arrays, *batches[0])[1]
    params = [a.copy() for a in arrays]

    def floor() -> None:
        for p, g in zip(params, grads, strict=True):
            p -= lr * g

    updates = {
        "numpy: for p, g: p -= lr * g (floor)": floor,
        "gradwork step() + zero_grad()": optimizer_alone(*sgd_model(arrays, lr), grads),
        "  the same, per-parameter reference": optimizer_alone(
            *sgd_model(arrays, lr), grads, foreach=False
        ),
    }
    print("  the optimizer alone (fixed gradients):")
    report(race(updates), "numpy: for p, g: p -= lr * g (floor)")


def optimizer_alone(
    model: nn.Module, opt: optim.Optimizer, grads: list[np.ndarray], foreach: bool = True
) -> Step:
    """`opt.step(); opt.zero_grad()` per call, on the floor's gradients (given back to
    the parameters first, which costs a few attribute writes). `foreach=False` runs the
    per-parameter reference instead of the multi-tensor path."""
    opt.foreach = foreach
    set_grads(model, grads)
    params = list(model.parameters())
    held = [p.grad for p in params]

    def step() -> None:
        for p, g in zip(params, held, strict=True):
            p.grad = g
        opt.step()
        opt.zero_grad()

    return step


def sgd_model(arrays: list[np.ndarray], lr: float) -> tuple[nn.Module, optim.Optimizer]:
    model = torch_style_model(arrays)
    return model, optim.SGD(model.parameters(), lr=lr)


def adam_model(arrays: list[np.ndarray], lr: float) -> tuple[nn.Module, optim.Optimizer]:
    model = torch_style_model(arrays)
    return model, optim.Adam(model.parameters(), lr=lr)


def adam_loop(arrays: list[np.ndarray], batches: list, lr: float) -> Step:
    """The PyTorch-style loop with Adam; every `RESTART` steps the weights and the
    optimizer's state start again, as the floor's do."""
    model, opt = adam_model(arrays, lr)
    params = list(model.parameters())
    first = [p.data.copy() for p in params]
    step = torch_style_loop(model, opt, batches)
    count = 0

    def restarting() -> object:
        nonlocal count
        count += 1
        if count % RESTART == 0:
            for p, a in zip(params, first, strict=True):
                p.data[...] = a
            opt.state.clear()
        return step()

    return restarting


def bench_adam() -> None:
    sizes, batch, lr = [784, 256, 256, 10], 128, 1e-3
    arrays, batches = glorot(sizes), make_batches(sizes, batch)
    check_agreement(
        numpy_adam([a.copy() for a in arrays], batches, lr), adam_loop(arrays, batches, lr)
    )
    contenders = {
        "numpy by hand, per-parameter Adam (floor)": numpy_adam(
            [a.copy() for a in arrays], batches, lr
        ),
        "gradwork, PyTorch-style loop": adam_loop(arrays, batches, lr),
    }
    print(f"\nAdam step: {'-'.join(map(str, sizes))}, batch {batch}, lr {lr}, float32")
    report(race(contenders), "numpy by hand, per-parameter Adam (floor)")
    # The update alone, on fixed gradients.
    from bench_optim import floor_rules

    grads = numpy_grads(arrays, *batches[0])[1]
    updates = {
        "numpy per-parameter Adam update (floor)": floor_rules()["adam"](
            [a.copy() for a in arrays], grads, lr=lr
        ),
        "numpy per-parameter, gradwork's 12 passes": adam_folded(
            [a.copy() for a in arrays], grads, lr
        ),
        "gradwork Adam step() + zero_grad()": optimizer_alone(*adam_model(arrays, lr), grads),
        "  the same, per-parameter reference": optimizer_alone(
            *adam_model(arrays, lr), grads, foreach=False
        ),
    }
    print("  the update alone (fixed gradients):")
    report(race(updates), "numpy per-parameter Adam update (floor)")


def adam_folded(params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> Step:
    """The floor's per-parameter Adam update with gradwork's arithmetic: sqrt(v_hat)'s
    bias correction folded into eps and the step size (12 passes over the arrays
    instead of 13). Next to the floor it shows what the arithmetic saves, apart from
    what the multi-tensor path saves."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    work = [np.empty_like(p) for p in params]
    t = 0

    def step() -> None:
        nonlocal t
        t += 1
        c1, c2 = 1 - beta1**t, math.sqrt(1 - beta2**t)
        for p, g, mi, vi, w in zip(params, grads, m, v, work, strict=True):
            mi *= beta1
            mi += np.multiply(g, 1 - beta1, out=w)
            vi *= beta2
            vi += np.multiply(np.multiply(g, g, out=w), 1 - beta2, out=w)
            np.sqrt(vi, out=w)
            w += eps * c2
            np.divide(mi, w, out=w)
            w *= lr * c2 / c1
            p -= w

    return step


# --- scalar graphs -------------------------------------------------------------------------


class Value:
    """A scalar autodiff node over Python floats, as micrograd's (same operators, same
    topological-sort backward)."""

    __slots__ = ("_backward", "_prev", "data", "grad")

    def __init__(self, data: float, children: tuple = ()) -> None:
        self.data, self.grad, self._prev = data, 0.0, children
        self._backward: Callable[[], None] = _nothing

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(0.0 if self.data < 0 else self.data, (self,))

        def _backward() -> None:
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self) -> None:
        topo: list[Value] = []
        visited: set[Value] = set()

        def build(v: Value) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def _nothing() -> None:
    """The backward of a leaf `Value`: nothing to pass on (micrograd's `lambda: None`)."""


def moons(n: int, seed: int = 0) -> tuple[list, list]:
    """Two interleaving half circles with noise 0.1, labels -1 and 1 (as the demo's)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, math.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0, 0.1, (n, 2))
    return points.tolist(), np.where(upper, 1.0, -1.0).tolist()


def mlp_weights(sizes: list[int], seed: int = 0) -> list[list[list[float]]]:
    """Per layer, per neuron: [w_1, ..., w_in, b], w ~ U(-1, 1) and b = 0 (micrograd's)."""
    rng = np.random.default_rng(seed)
    return [
        [[*rng.uniform(-1, 1, n_in).tolist(), 0.0] for _ in range(n_out)]
        for n_in, n_out in itertools.pairwise(sizes)
    ]


def moons_graph(make: Callable[[float], object], batch: int) -> Step:
    """Build micrograd's demo loss on `batch` moons points with node type `make`, then
    backward; the same lines serve `Value` and 0-d `Tensor`s."""
    weights = mlp_weights([2, 16, 16, 1])
    params = [[[make(w) for w in neuron] for neuron in layer] for layer in weights]
    flat = [p for layer in params for neuron in layer for p in neuron]
    xs, ys = moons(batch)

    def run() -> object:
        scores = []
        for x in xs:
            h = x
            for k, layer in enumerate(params):
                out = []
                for *w, b in layer:
                    act = sum((wi * xi for wi, xi in zip(w, h)), b)
                    out.append(act.relu() if k < len(params) - 1 else act)
                h = out
            scores.append(h[0])
        losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in flat)
        total.backward()
        return total

    return run


def count_nodes(root: Value) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def bench_scalar(batch: int = 30) -> None:
    micro = moons_graph(Value, batch)
    ours = moons_graph(lambda v: Tensor(np.float64(v), requires_grad=True), batch)
    a, b = micro(), ours()
    assert abs(a.data - b.item()) < 1e-9, (a.data, b.item())  # type: ignore[attr-defined]
    nodes = count_nodes(a)  # type: ignore[arg-type]
    print(f"\nscalar graph: micrograd's moons demo, batch {batch}, {nodes} nodes, build + backward")
    for collector in ("on", "off"):
        (gc.enable if collector == "on" else gc.disable)()
        gc.collect()
        # With the collector off, the Values' reference cycles (each node's closure holds
        # it) are collected between turns, untimed: left to pile up over the rounds,
        # hundreds of MB of them slowed every later turn by up to 2x, unevenly.
        between = gc.collect if collector == "off" else None
        contenders = {"micrograd-style Value (floor)": micro, "gradwork 0-d Tensors": ours}
        times = race(contenders, between=between)
        print(f"  garbage collector {collector} (us per node):")
        report(times, "micrograd-style Value (floor)", unit=1e6 / nodes, per="us/node")
    gc.enable()


# --- peak memory ---------------------------------------------------------------------------


def peak_bytes(step: Step) -> int:
    """Bytes allocated at the peak of one call of `step`, above what was live before."""
    step()  # warm: optimizer state and caches exist
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def bench_memory() -> None:
    print("\npeak memory of one step (MB allocated above the live state; tracemalloc)")
    setups = {
        "big step 784-1024-1024-10, batch 1024, SGD": ([784, 1024, 1024, 10], 1024, "sgd"),
        "Adam step 784-256-256-10, batch 128": ([784, 256, 256, 10], 128, "adam"),
    }
    for label, (sizes, batch, kind) in setups.items():
        arrays, batches = glorot(sizes), make_batches(sizes, batch, count=2)
        floor_fn, model_fn = (numpy_sgd, sgd_model) if kind == "sgd" else (numpy_adam, adam_model)
        lr = 0.01 if kind == "sgd" else 1e-3
        floor = peak_bytes(floor_fn([a.copy() for a in arrays], batches, lr))
        ours = peak_bytes(torch_style_loop(*model_fn(arrays, lr), batches))
        print(
            f"  {label:<44} numpy {floor / 2**20:7.1f}   gradwork {ours / 2**20:7.1f}   "
            f"{ours / floor:.2f}x"
        )


def main(argv: list[str]) -> None:
    parts = argv or ["loop", "big", "scalar", "adam", "memory"]
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    if "loop" in parts:
        bench_loop([784, 64, 10], 32, "PyTorch-style loop")
    if "big" in parts:
        bench_loop([784, 1024, 1024, 10], 1024, "big step")
    if "scalar" in parts:
        bench_scalar()
    if "adam" in parts:
        bench_adam()
    if "memory" in parts:
        bench_memory()


if __name__ == "__main__":
    main(sys.argv[1:])
