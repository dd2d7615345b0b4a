"""Every optimizer minimizes a convex quadratic and trains a small network with autograd."""

import numpy as np
import pytest
from optim_cases import CLASSES

import optim
from autograd import Tensor

# A learning rate that suits each optimizer on these small problems.
LR = {
    "sgd": 0.1,
    "momentum": 0.05,
    "nag": 0.05,
    "adagrad": 0.1,
    "adadelta": 1.0,
    "rmsprop": 0.01,
    "adam": 0.01,
    "adamw": 0.01,
    "adamax": 0.02,
    "nadam": 0.01,
    "radam": 0.01,
    "lion": 0.003,
    "rprop": 0.01,
    "asgd": 0.1,
    "adafactor": 0.1,
}


def test_every_optimizer_has_an_lr():
    assert set(LR) == set(CLASSES)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_minimizes_a_convex_quadratic(name):
    rng = np.random.default_rng(1)
    q = rng.normal(size=(5, 5))
    a = Tensor(q @ q.T / 5 + np.eye(5))  # symmetric positive definite
    target = Tensor(rng.normal(size=5))
    w = Tensor(np.zeros(5), requires_grad=True)
    opt = optim.get(CLASSES[name], [w], lr=LR[name])

    def loss():
        d = w - target
        return 0.5 * (d @ (a @ d))

    start = loss().item()
    for _ in range(200):
        opt.zero_grad()
        value = loss()
        value.backward()
        opt.step()
    assert loss().item() < 0.5 * start


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_trains_a_two_layer_network(name):
    rng = np.random.default_rng(2)
    x = Tensor(rng.uniform(-1, 1, size=(64, 2)))
    y = Tensor(np.sin(2 * x.data[:, :1]) * x.data[:, 1:])
    w1 = Tensor(rng.normal(size=(2, 16)) * 0.7, requires_grad=True)
    b1 = Tensor(np.zeros(16), requires_grad=True)
    w2 = Tensor(rng.normal(size=(16, 1)) * 0.25, requires_grad=True)
    b2 = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.get(CLASSES[name], [w1, b1, w2, b2], lr=LR[name])

    def loss():
        pred = (x @ w1 + b1).relu() @ w2 + b2
        d = pred - y
        return (d * d).mean()

    start = loss().item()
    for _ in range(150):
        opt.step(lambda: (opt.zero_grad(), loss().backward()))
    assert loss().item() < 0.5 * start


@pytest.mark.parametrize("batch_size", [64, 8, 1], ids=["batch", "mini-batch", "stochastic"])
def test_sgd_trains_logistic_regression_batch_minibatch_stochastic(batch_size):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 2))
    labels = (x @ np.array([2.0, -1.0]) + 0.5 > 0).astype(np.float64)[:, None]
    w = Tensor(np.zeros((2, 1)), requires_grad=True)
    b = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([w, b], lr=0.5)

    def loss(xb, yb):
        prob = (Tensor(xb) @ w + b).sigmoid()
        return -(yb * prob.log() + (1 - yb) * (1 - prob).log()).mean()

    start = loss(x, labels).item()
    for _ in range(20):
        order = rng.permutation(len(x))
        for i in range(0, len(x), batch_size):
            batch = order[i : i + batch_size]
            opt.zero_grad()
            loss(x[batch], labels[batch]).backward()
            opt.step()
    assert loss(x, labels).item() < 0.5 * start


def test_rprop_refuses_etas_that_would_not_adapt():
    w = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match=r"0 < eta_minus < 1 < eta_plus, got \(1.2, 0.5\)"):
        optim.Rprop([w], etas=(1.2, 0.5))
