"""Optimizer benchmarks: step time against a hand-written numpy floor (and torch), and
final losses on the Rosenbrock function and a spiral classification task.

Run with ``python benchmarks/bench_optim.py``. It prints figures and asserts nothing.
"""

from __future__ import annotations

import math
import time

import numpy as np

import optim
from autograd import Tensor

SHAPES = [(784, 256), (256,), (256, 256), (256,), (256, 10), (10,)]
B1, B2, EPS = 0.9, 0.999, 1e-8


def floor_rules():
    """The same updates written by hand with preallocated buffers, one per optimizer.

    Each entry maps a name to ``(options, make)``; ``make(p, g)`` returns a function
    that performs one step on the lists of arrays `p` given gradients `g`.
    """

    def sgd(p, g, lr=1e-2):
        work = [np.empty_like(x) for x in p]

        def step():
            for x, dx, w in zip(p, g, work):
                x -= np.multiply(dx, lr, out=w)

        return step

    def momentum(p, g, lr=1e-2, mu=0.9, nesterov=False):
        buf = [x.copy() for x in g]
        work = [np.empty_like(x) for x in p]

        def step():
            for x, dx, b, w in zip(p, g, buf, work):
                b *= mu
                b += dx
                if nesterov:
                    np.add(dx, np.multiply(b, mu, out=w), out=w)
                    w *= lr
                else:
                    np.multiply(b, lr, out=w)
                x -= w

        return step

    def adagrad(p, g, lr=1e-2):
        acc = [np.zeros_like(x) for x in p]
        work = [np.empty_like(x) for x in p]

        def step():
            for x, dx, s, w in zip(p, g, acc, work):
                s += np.multiply(dx, dx, out=w)
                np.sqrt(s, out=w)
                w += 1e-10
                np.divide(dx, w, out=w)
                w *= lr
                x -= w

        return step

    def adadelta(p, g, lr=1.0, rho=0.9, eps=1e-6):
        v = [np.zeros_like(x) for x in p]
        u = [np.zeros_like(x) for x in p]
        w1 = [np.empty_like(x) for x in p]
        w2 = [np.empty_like(x) for x in p]

        def step():
            for x, dx, vi, ui, a, d in zip(p, g, v, u, w1, w2):
                vi *= rho
                vi += np.multiply(np.multiply(dx, dx, out=a), 1 - rho, out=a)
                np.sqrt(np.add(vi, eps, out=a), out=a)
                np.sqrt(np.add(ui, eps, out=d), out=d)
                d /= a
                d *= dx
                ui *= rho
                ui += np.multiply(np.multiply(d, d, out=a), 1 - rho, out=a)
                d *= lr
                x -= d

        return step

    def rmsprop(p, g, lr=1e-2, alpha=0.99):
        v = [np.zeros_like(x) for x in p]
        work = [np.empty_like(x) for x in p]

        def step():
            for x, dx, vi, w in zip(p, g, v, work):
                vi *= alpha
                vi += np.multiply(np.multiply(dx, dx, out=w), 1 - alpha, out=w)
                np.sqrt(vi, out=w)
                w += EPS
                np.divide(dx, w, out=w)
                w *= lr
                x -= w

        return step

    def adam(p, g, lr=1e-3, wd=0.0, decoupled=False):
        m = [np.zeros_like(x) for x in p]
        v = [np.zeros_like(x) for x in p]
        work = [np.empty_like(x) for x in p]
        t = [0]

        def step():
            t[0] += 1
            bc1, bc2 = 1 - B1 ** t[0], math.sqrt(1 - B2 ** t[0])
            for x, dx, mi, vi, w in zip(p, g, m, v, work):
                if decoupled:
                    x *= 1 - lr * wd
                mi *= B1
                mi += np.multiply(dx, 1 - B1, out=w)
                vi *= B2
                vi += np.multiply(np.multiply(dx, dx, out=w), 1 - B2, out=w)
                np.sqrt(vi, out=w)
                w /= bc2
                w += EPS
                np.divide(mi, w, out=w)
                w *= lr / bc1
                x -= w

        return step

    def adamax(p, g, lr=2e-3):
        m = [np.zeros_like(x) for x in p]
        u = [np.zeros_like(x) for x in p]
        work = [np.empty_like(x) for x in p]
        t = [0]

        def step():
            t[0] += 1
            for x, dx, mi, ui, w in zip(p, g, m, u, work):
                mi *= B1
                mi += np.multiply(dx, 1 - B1, out=w)
                ui *= B2
                np.abs(dx, out=w)
                w += EPS
                np.maximum(ui, w, out=ui)
                np.divide(mi, ui, out=w)
                w *= lr / (1 - B1 ** t[0])
                x -= w

        return step

    def nadam(p, g, lr=2e-3, psi=4e-3):
        m = [np.zeros_like(x) for x in p]
        v = [np.zeros_like(x) for x in p]
        w1 = [np.empty_like(x) for x in p]
        w2 = [np.empty_like(x) for x in p]
        t, prod = [0], [1.0]

        def step():
            t[0] += 1
            mu = B1 * (1 - 0.5 * 0.96 ** (t[0] * psi))
            mu_next = B1 * (1 - 0.5 * 0.96 ** ((t[0] + 1) * psi))
            prod[0] *= mu
            c1 = lr * (1 - mu) / (1 - prod[0])
            c2 = lr * mu_next / (1 - prod[0] * mu_next)
            for x, dx, mi, vi, w, d in zip(p, g, m, v, w1, w2):
                mi *= B1
                mi += np.multiply(dx, 1 - B1, out=w)
                vi *= B2
                vi += np.multiply(np.multiply(dx, dx, out=w), 1 - B2, out=w)
                np.sqrt(np.divide(vi, 1 - B2 ** t[0], out=d), out=d)
                d += EPS
                x -= np.multiply(np.divide(dx, d, out=w), c1, out=w)
                x -= np.multiply(np.divide(mi, d, out=w), c2, out=w)

        return step

    def radam(p, g, lr=1e-3):
        m = [np.zeros_like(x) for x in p]
        v = [np.zeros_like(x) for x in p]
        work = [np.empty_like(x) for x in p]
        t = [0]
        rho_inf = 2 / (1 - B2) - 1

        def step():
            t[0] += 1
            bc1, bc2 = 1 - B1 ** t[0], 1 - B2 ** t[0]
            rho = rho_inf - 2 * t[0] * B2 ** t[0] / bc2
            for x, dx, mi, vi, w in zip(p, g, m, v, work):
                mi *= B1
                mi += np.multiply(dx, 1 - B1, out=w)
                vi *= B2
                vi += np.multiply(np.multiply(dx, dx, out=w), 1 - B2, out=w)
                if rho > 5:
                    r = math.sqrt(
                        (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
                    )
                    np.sqrt(vi, out=w)
                    w += EPS
                    np.divide(mi, w, out=w)
                    w *= lr * r * math.sqrt(bc2) / bc1
                else:
                    np.multiply(mi, lr / bc1, out=w)
                x -= w

        return step

    def lion(p, g, lr=1e-4, b1=0.9, b2=0.99):
        m = [np.zeros_like(x) for x in p]
        w1 = [np.empty_like(x) for x in p]
        w2 = [np.empty_like(x) for x in p]

        def step():
            for x, dx, mi, c, w in zip(p, g, m, w1, w2):
                np.multiply(mi, b1, out=c)
                c += np.multiply(dx, 1 - b1, out=w)
                np.sign(c, out=c)
                c *= lr
                x -= c
                mi *= b2
                mi += np.multiply(dx, 1 - b2, out=w)

        return step

    return {
        "sgd": sgd,
        "momentum": momentum,
        "nag": lambda p, g: momentum(p, g, nesterov=True),
        "adagrad": adagrad,
        "adadelta": adadelta,
        "rmsprop": rmsprop,
        "adam": adam,
        "adamw": lambda p, g: adam(p, g, wd=1e-2, decoupled=True),
        "adamax": adamax,
        "nadam": nadam,
        "radam": radam,
        "lion": lion,
    }


def best_times(steps, repeats=15, number=20):
    """Best mean seconds per call of each function, timed in turns so that load from
    other processes affects them alike (after a warm-up)."""
    for step in steps:
        for _ in range(5):
            step()
    best = [math.inf] * len(steps)
    for _ in range(repeats):
        for i, step in enumerate(steps):
            start = time.perf_counter()
            for _ in range(number):
                step()
            best[i] = min(best[i], (time.perf_counter() - start) / number)
    return best


def bench_steps():
    rng = np.random.default_rng(0)
    init = [(rng.normal(size=s) * 0.05).astype(np.float32) for s in SHAPES]
    grads = [(rng.normal(size=s) * 0.01).astype(np.float32) for s in SHAPES]
    try:
        import torch

        torch.set_num_threads(1)  # numpy's elementwise ufuncs use one thread
    except ImportError:
        torch = None
    torch_names = {
        "sgd": "SGD",
        "adagrad": "Adagrad",
        "adadelta": "Adadelta",
        "rmsprop": "RMSprop",
        "adam": "Adam",
        "adamw": "AdamW",
        "adamax": "Adamax",
        "nadam": "NAdam",
        "radam": "RAdam",
    }
    torch_options = {
        "momentum": ("SGD", {"momentum": 0.9}),
        "nag": ("SGD", {"momentum": 0.9, "nesterov": True}),
    }
    n = sum(int(np.prod(s)) for s in SHAPES)
    print(f"step() time, 784-256-256-10 MLP ({n} float32 parameters), microseconds per step")
    print(f"{'optimizer':<10} {'optim':>9} {'numpy floor':>12} {'ratio':>7} {'torch':>9}")
    for name, make in floor_rules().items():
        params = [Tensor(x.copy(), requires_grad=True) for x in init]
        for p, g in zip(params, grads):
            p.grad = Tensor(g)
        opt = optim.get(name, params)
        steps = [opt.step, make([x.copy() for x in init], grads)]
        if torch is not None and (name in torch_names or name in torch_options):
            cls_name, options = torch_options.get(name, (torch_names.get(name), {}))
            tparams = [torch.tensor(x.copy(), requires_grad=True) for x in init]
            for p, g in zip(tparams, grads):
                p.grad = torch.from_numpy(g.copy())
            topt = getattr(torch.optim, cls_name)(tparams, lr=opt.defaults["lr"], **options)
            steps.append(torch.no_grad()(topt.step))
        ours, floor, *rest = best_times(steps)
        theirs = f"{rest[0] * 1e6:9.0f}" if rest else "-"
        print(f"{name:<10} {ours * 1e6:9.0f} {floor * 1e6:12.0f} {ours / floor:7.2f} {theirs:>9}")


def rosenbrock(xy):
    x, y = xy
    value = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    return value, grad


ROSENBROCK_LR = {
    "sgd": 1e-3,
    "momentum": 2e-4,
    "nag": 2e-4,
    "adagrad": 1.0,
    "adadelta": 1.0,
    "rmsprop": 1e-2,
    "adam": 0.05,
    "adamw": 0.05,
    "adamax": 0.1,
    "nadam": 0.05,
    "radam": 1e-2,
    "lion": 3e-3,
}


def bench_rosenbrock(steps=2000):
    print(f"\nRosenbrock from (-1.5, 2), {steps} steps (minimum 0 at (1, 1))")
    print(f"{'optimizer':<10} {'lr':>8} {'final loss':>12} {'x':>8} {'y':>8}")
    for name, lr in ROSENBROCK_LR.items():
        xy = Tensor(np.array([-1.5, 2.0]), requires_grad=True)
        opt = optim.get(name, [xy], lr=lr)
        for _ in range(steps):
            _, grad = rosenbrock(xy.data)
            xy.grad = Tensor(grad)
            opt.step()
        value, _ = rosenbrock(xy.data)
        print(f"{name:<10} {lr:8.0e} {value:12.3e} {xy.data[0]:8.4f} {xy.data[1]:8.4f}")


def spiral(n_per_class=100, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x, y = [], []
    for k in range(classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        theta = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + rng.normal(0, 0.2, n_per_class)
        x.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        y.append(np.full(n_per_class, k))
    return np.concatenate(x), np.concatenate(y)


def mlp_log_probs(x, params):
    w1, b1, w2, b2 = params
    return ((x @ w1 + b1).relu() @ w2 + b2).log_softmax(axis=-1)


SPIRAL_LR = {
    "sgd": 0.5,
    "momentum": 0.1,
    "nag": 0.1,
    "adagrad": 0.1,
    "adadelta": 1.0,
    "rmsprop": 3e-3,
    "adam": 1e-2,
    "adamw": 1e-2,
    "adamax": 2e-2,
    "nadam": 1e-2,
    "radam": 3e-2,
    "lion": 3e-3,
}


def bench_spiral(steps=300):
    x, y = spiral()
    xt = Tensor(x)
    rows = np.arange(len(y))
    print(f"\nSpiral (3 classes, {len(y)} points), 2-64-3 MLP, {steps} full-batch steps")
    print(f"{'optimizer':<10} {'lr':>8} {'final loss':>11} {'accuracy':>9}")
    for name, lr in SPIRAL_LR.items():
        rng = np.random.default_rng(1)
        params = [
            Tensor(rng.normal(size=(2, 64)), requires_grad=True),
            Tensor(np.zeros(64), requires_grad=True),
            Tensor(rng.normal(size=(64, 3)) * 0.125, requires_grad=True),
            Tensor(np.zeros(3), requires_grad=True),
        ]
        opt = optim.get(name, params, lr=lr)
        for _ in range(steps):
            opt.zero_grad()
            loss = -mlp_log_probs(xt, params)[rows, y].mean()
            loss.backward()
            opt.step()
        logp = mlp_log_probs(xt, params)
        loss = -logp[rows, y].mean().item()
        accuracy = float(np.mean(logp.data.argmax(axis=1) == y))
        print(f"{name:<10} {lr:8.0e} {loss:11.4f} {accuracy:9.3f}")


if __name__ == "__main__":
    bench_steps()
    bench_rosenbrock()
    bench_spiral()
