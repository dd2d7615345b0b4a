"""Grad mode and backward mode are per thread: threads never see each other's modes."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import autograd
from autograd import Tensor


def test_set_grad_enabled_as_call_context_manager_and_decorator():
    x = Tensor(1.0, requires_grad=True)
    try:
        autograd.set_grad_enabled(False)  # a plain call switches at once
        assert not autograd.is_grad_enabled() and not (x * 2).requires_grad
        with autograd.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not autograd.is_grad_enabled()  # the block restored the mode before it
        autograd.set_grad_enabled(True)
        assert (x * 2).requires_grad
    finally:
        autograd.set_grad_enabled(True)

    @autograd.set_grad_enabled(False)
    def doubled(t):
        return t * 2

    assert autograd.is_grad_enabled()  # decorating changes nothing by itself
    assert not doubled(x).requires_grad and autograd.is_grad_enabled()
    with autograd.set_grad_enabled(False):
        with autograd.set_grad_enabled(True):
            assert autograd.is_grad_enabled()
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


def in_thread(fn):
    """fn's result, computed in a new thread."""
    box = []
    thread = threading.Thread(target=lambda: box.append(fn()))
    thread.start()
    thread.join()
    return box[0]


def test_grad_mode_and_retain_grads_belong_to_their_thread():
    x = Tensor(1.0, requires_grad=True)
    with autograd.no_grad(), autograd.retain_grads():
        assert in_thread(autograd.is_grad_enabled)
        assert in_thread(lambda: (x * 2).requires_grad)

        def backward_keeps_no_grad_of_intermediate():
            h = x * 2
            (h * 3).backward()
            return h.grad

        assert in_thread(backward_keeps_no_grad_of_intermediate) is None
    autograd.set_grad_enabled(False)  # left off in this thread only...
    try:
        assert in_thread(autograd.is_grad_enabled)
    finally:
        autograd.set_grad_enabled(True)


def mlp_params(seed: int) -> list[Tensor]:
    rng = np.random.default_rng(seed)
    shapes = [(4, 8), (8,), (8, 3), (3,)]
    return [Tensor(rng.normal(0, 0.5, s), requires_grad=True) for s in shapes]


def train(steps: int) -> list[np.ndarray]:
    """Plain SGD on a tiny MLP; returns the final weights."""
    rng = np.random.default_rng(7)
    params = mlp_params(0)
    for _ in range(steps):
        x = Tensor(rng.normal(size=(5, 4)))
        y = rng.integers(0, 3, 5)
        w1, b1, w2, b2 = params
        loss = autograd.cross_entropy(((x @ w1 + b1).tanh()) @ w2 + b2, y)
        for p in params:
            p.grad = None
        loss.backward()
        assert all(p.grad is not None for p in params), "a step recorded no graph"
        with autograd.no_grad():
            for p in params:
                p -= 0.05 * p.grad
    return [p.data.copy() for p in params]


def evaluate_and_differentiate(steps: int) -> list[float]:
    """no_grad evaluations and second derivatives by create_graph, checked as it goes."""
    rng = np.random.default_rng(11)
    params = mlp_params(1)
    out = []
    for _ in range(steps):
        with autograd.no_grad():
            x = Tensor(rng.normal(size=(5, 4)))
            h = (x @ params[0] + params[1]).tanh()
            assert h.grad_fn is None
        t = Tensor(rng.normal(size=3), requires_grad=True)
        y = (t.sin() * t * t).sum()  # d2y/dt2 = 2 sin t + 4 t cos t - t^2 sin t
        (g,) = autograd.grad(y, t, create_graph=True)
        assert isinstance(g, Tensor) and g.requires_grad
        g.sum().backward()
        v = t.data
        expected = 2 * np.sin(v) + 4 * v * np.cos(v) - v * v * np.sin(v)
        np.testing.assert_allclose(t.grad.data, expected, rtol=1e-10)
        out.append(float(h.data.sum() + t.grad.data.sum()))
    return out


def run_together(*targets) -> None:
    """Run each callable in a thread of its own, the threads switching as often as the
    interpreter can; the first error of any of them is raised here."""
    errors: list[BaseException] = []

    def guarded(target) -> None:
        try:
            target()
        except BaseException as err:  # reported below, with the thread's traceback
            errors.append(err)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    if errors:
        raise errors[0]


@pytest.mark.parametrize("steps", [2000])
def test_one_thread_trains_while_another_evaluates_and_takes_second_derivatives(steps):
    alone_train, alone_eval = train(steps), evaluate_and_differentiate(steps)
    results: dict[str, object] = {}
    run_together(
        lambda: results.__setitem__("train", train(steps)),
        lambda: results.__setitem__("eval", evaluate_and_differentiate(steps)),
    )
    for got, want in zip(results["train"], alone_train):
        np.testing.assert_array_equal(got, want)
    assert results["eval"] == alone_eval


@pytest.mark.parametrize("how", ["backward", "grad", "grad create_graph"])
def test_two_threads_run_backward_through_one_graph_at_once(how):
    # as PyTorch allows with retain_graph=True: every op that reads its output in
    # backward (exp, tanh, sigmoid, sqrt, softmax) is run by both threads, each with
    # the output lent to it in its own thread
    x = Tensor(np.linspace(0.1, 1.0, 6).reshape(2, 3), requires_grad=True)
    y = (x.exp() * x.tanh()).sigmoid().sqrt().softmax(axis=1)
    root = (y * y).sum()
    want = autograd.grad(root, x, retain_graph=True)[0].data
    x.grad = Tensor(np.zeros_like(x.data))  # accumulated into in place by both threads
    got: list[np.ndarray] = []

    def run() -> None:
        for _ in range(300):
            if how == "backward":  # the fast walk
                root.backward(retain_graph=True)
                continue
            (g,) = autograd.grad(root, x, retain_graph=True, create_graph="create" in how)
            got.append(g.data)

    run_together(run, run)
    if how == "backward":
        np.testing.assert_allclose(x.grad.data, 600 * want, rtol=1e-12)
        return
    assert len(got) == 600
    for g in got:
        np.testing.assert_allclose(g, want, rtol=1e-12)
