"""Code of "Dive into Deep Learning" (d2l.ai, PyTorch edition), run twice: with torch
and with ``import autograd as torch`` (its `nn`, `optim` and `utils.data` are
gradwork's), seeded alike. The data are small and synthetic instead of Fashion-MNIST
and the airfoil set; each lesson runs with the default dtype set to float64 (values,
gradients and losses to 1e-12) and as the book runs it, in float32 (to float32's
rounding). The dtypes of the values must be the same too.

Covered: tensors, linear algebra and autograd (chapter 2), softmax regression and the
MLP from scratch and concise, weight decay, dropout (the random masks too: the
generators draw the same numbers), the activations' gradients, vanishing and exploding
gradients and the house-prices k-fold loop, layers and modules, parameter management
and initialization (tied layers), custom layers, file I/O, batch norm from
scratch against `nn.BatchNorm1d` / `nn.BatchNorm2d`, the optimization chapter
(gradient descent and Newton's method, SGD with a decaying rate, momentum, Adagrad,
RMSProp, Adadelta, Adam and Yogi from scratch and with `optim`'s classes) and the
learning-rate scheduling chapter.

Spellings that differ from the book, because `Tensor.data` is an ndarray here (torch's
is a Tensor) and `Module.add_module` does not exist: ``p.grad.data.zero_()`` is
``p.grad.zero_()``, ``param.data.normal_()`` is ``nn.init.normal_(param)``,
``m.weight.data *= m.weight.data.abs() >= 5`` is the same on the Tensor under
`no_grad`, and the nested block is made as ``nn.Sequential(*blocks)``. A `state_dict()`
here is a dict of copies (ndarrays), so its values are read before the weights change;
shapes are compared as tuples (torch prints its `torch.Size`).
"""

from __future__ import annotations

import math
import os
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

from tests.test_examples_vs_torch import plain  # noqa: E402  (tensors as ndarrays)

DTYPES = ["float64", "float32"]
TOLERANCES = {"float64": {"rtol": 1e-12, "atol": 1e-14}, "float32": {"rtol": 2e-5, "atol": 1e-6}}


@contextmanager
def default_dtype(lib: types.ModuleType, name: str) -> Iterator[None]:
    old = lib.get_default_dtype()
    lib.set_default_dtype(getattr(lib, name))
    try:
        yield
    finally:
        lib.set_default_dtype(old)


def run(lesson: Callable[..., dict[str, Any]], dtype: str, *args: Any) -> tuple[dict, dict]:
    """The lesson's results with gradwork and with torch, `dtype` the default."""
    results = []
    for lib in (autograd, torch):
        with default_dtype(lib, dtype):
            results.append(lesson(lib, *args))
    return results[0], results[1]


def printed(text: str) -> str:
    """torch's printing with this package's spellings (`Tensor(`, numpy dtype names)."""
    return text.replace("tensor(", "Tensor(").replace("torch.", "").replace("Backward0", "Backward")


def assert_close(a: Any, b: Any, key: str, tol: dict[str, float]) -> None:
    """Arrays of the same dtype and floats within `tol`, lists item by item, the rest
    exactly. An array's absolute tolerance grows with its largest finite element: an
    element that is a sum of larger terms (a gradient after cancellation) carries their
    rounding, which in float32 depends on the BLAS kernel's order of summation."""
    if isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and a.dtype == b.dtype, (key, a, b.dtype)
        finite = np.abs(b[np.isfinite(b)]) if b.dtype.kind in "fc" else np.zeros(0)
        scale = float(finite.max()) if finite.size else 0.0
        atol = tol["atol"] + tol["rtol"] * scale
        np.testing.assert_allclose(a, b, err_msg=key, rtol=tol["rtol"], atol=atol)
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), (key, a, b)
        for x, y in zip(a, b, strict=True):
            assert_close(x, y, key, tol)
    elif isinstance(b, float):
        assert isinstance(a, float), (key, a)
        assert a == pytest.approx(b, rel=tol["rtol"], abs=tol["atol"]), key
    else:
        assert a == b, key


def assert_same(ours: dict[str, Any], theirs: dict[str, Any], dtype: str = "float64") -> None:
    assert ours.keys() == theirs.keys()
    for k in theirs:
        assert_close(plain(ours[k]), plain(theirs[k]), k, TOLERANCES[dtype])


class Accumulator:
    """d2l's sums over `n` variables."""

    def __init__(self, n: int) -> None:
        self.data = [0.0] * n

    def add(self, *args: Any) -> None:
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]


def load_array(torch: types.ModuleType, data_arrays: tuple, batch_size: int, is_train=True):
    """d2l's `load_array` (``from torch.utils import data``)."""
    data = torch.utils.data
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def sgd(torch: types.ModuleType, params: list, lr: float, batch_size: int) -> None:
    """d2l's minibatch SGD step."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def images(torch: types.ModuleType, n: int = 60) -> tuple[Any, Any]:
    """Small stand-ins for Fashion-MNIST: n 1x7x7 images in [0, 1) and labels 0..9."""
    torch.manual_seed(100)
    return torch.rand((n, 1, 7, 7)), torch.randint(0, 10, (n,))


def softmax_regression(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn

    def softmax(X):
        X_exp = torch.exp(X)
        partition = X_exp.sum(1, keepdims=True)
        return X_exp / partition

    torch.manual_seed(0)
    X = torch.rand((2, 5))
    X_prob = softmax(X)
    out["X_prob"], out["sums"] = X_prob, X_prob.sum(1)
    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    out["picked"] = y_hat[[0, 1], y]

    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[list(range(len(y_hat))), y])

    out["cross_entropy"] = cross_entropy(y_hat, y)

    def accuracy(y_hat, y):
        if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(axis=1)
        cmp = y_hat.type(y.dtype) == y
        return float(cmp.type(y.dtype).sum())

    out["accuracy"] = accuracy(y_hat, y) / len(y)

    def averaged_accuracy(Y_hat, Y, averaged=True):  # the book's newer `Classifier.accuracy`
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        preds = Y_hat.argmax(axis=1).type(Y.dtype)
        compare = (preds == Y.reshape(-1)).type(torch.float32)
        return compare.mean() if averaged else compare

    out["averaged"], out["each"] = averaged_accuracy(y_hat, y), averaged_accuracy(y_hat, y, False)

    def evaluate_accuracy(net, data_iter):
        if isinstance(net, torch.nn.Module):
            net.eval()
        metric = Accumulator(2)
        with torch.no_grad():
            for X, y in data_iter:
                metric.add(accuracy(net(X), y), y.numel())
        return metric[0] / metric[1]

    def train_epoch_ch3(net, train_iter, loss, updater):
        if isinstance(net, torch.nn.Module):
            net.train()
        metric = Accumulator(3)
        for X, y in train_iter:
            y_hat = net(X)
            l = loss(y_hat, y)
            if isinstance(updater, torch.optim.Optimizer):
                updater.zero_grad()
                l.mean().backward()
                updater.step()
            else:
                l.sum().backward()
                updater(X.shape[0])
            metric.add(float(l.sum().detach()), accuracy(y_hat, y), y.numel())
        return metric[0] / metric[2], metric[1] / metric[2]

    features, labels = images(torch)
    num_inputs, num_outputs, lr = 49, 10, 0.1
    torch.manual_seed(1)
    W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    b = torch.zeros(num_outputs, requires_grad=True)

    def net(X):
        return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

    def updater(batch_size):
        return sgd(torch, [W, b], lr, batch_size)

    train_iter = load_array(torch, (features, labels), 16)
    test_iter = load_array(torch, (features[:30], labels[:30]), 16, is_train=False)
    out["before"] = evaluate_accuracy(net, test_iter)
    torch.manual_seed(2)  # the shuffles
    out["scratch epochs"] = [train_epoch_ch3(net, train_iter, cross_entropy, updater)]
    out["scratch epochs"] += [train_epoch_ch3(net, train_iter, cross_entropy, updater)]
    out["W"], out["b"], out["after"] = W, b, evaluate_accuracy(net, test_iter)

    torch.manual_seed(3)
    net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))

    def init_weights(m):
        if type(m) == nn.Linear:  # noqa: E721  # as the book writes it
            nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    out["concise epochs"] = [train_epoch_ch3(net, train_iter, loss, trainer) for _ in range(2)]
    out["concise W"], out["concise acc"] = net[1].weight, evaluate_accuracy(net, test_iter)
    out["training"] = [m.training for m in net.modules()]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_regression_from_scratch_and_concise(dtype):
    ours, theirs = run(softmax_regression, dtype)
    assert_same(ours, theirs, dtype)
    assert ours["W"].dtype == np.dtype(dtype)


def mlp(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn
    features, labels = images(torch)
    num_inputs, num_outputs, num_hiddens = 49, 10, 32
    torch.manual_seed(0)
    W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
    b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
    W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
    b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
    params = [W1, b1, W2, b2]
    out["leaves"] = [(p.is_leaf, p.requires_grad, type(p).__name__) for p in params]
    out["b1"] = printed(repr(b1))

    def relu(X):
        a = torch.zeros_like(X)
        return torch.max(X, a)

    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = relu(x)
    y.sum().backward()
    out["relu"], out["relu grad"] = y, x.grad  # torch.max(X, a) splits the gradient at ties

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)
        return H @ W2 + b2

    loss = nn.CrossEntropyLoss(reduction="none")
    updater = torch.optim.SGD(params, lr=0.1)
    train_iter = load_array(torch, (features, labels), 10)
    torch.manual_seed(4)
    losses = []
    for _ in range(3):
        for X, y in train_iter:
            l = loss(net(X), y)
            updater.zero_grad()
            l.mean().backward()
            updater.step()
            losses.append(l.sum().item())
    out["losses"], out["W1"], out["W2"], out["b2"] = losses, W1, W2, b2

    torch.manual_seed(5)
    net = nn.Sequential(nn.Flatten(), nn.Linear(49, 32), nn.ReLU(), nn.Linear(32, 10))
    net.apply(lambda m: nn.init.normal_(m.weight, std=0.01) if type(m) == nn.Linear else None)  # noqa: E721
    out["concise"], out["concise repr"] = net(features[:3]), repr(net)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_from_scratch_and_concise(dtype):
    ours, theirs = run(mlp, dtype)
    assert_same(ours, theirs, dtype)
    assert ours["relu grad"].tolist() == [0.0, 0.5, 1.0]


def weight_decay(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn
    n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
    torch.manual_seed(0)
    true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05

    def synthetic_data(w, b, num_examples):
        X = torch.normal(0, 1, (num_examples, len(w)))
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    train_iter = load_array(torch, synthetic_data(true_w, true_b, n_train), batch_size)
    test_data = synthetic_data(true_w, true_b, n_test)
    test_iter = load_array(torch, test_data, batch_size, is_train=False)

    def init_params():
        w = torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        return [w, b]

    def l2_penalty(w):
        return torch.sum(w.pow(2)) / 2

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def evaluate_loss(net, data_iter, loss):
        metric = Accumulator(2)
        for X, y in data_iter:
            out = net(X)
            l = loss(out, y.reshape(out.shape))
            metric.add(l.sum().detach(), l.numel())
        return metric[0] / metric[1]

    num_epochs, lr = 10, 0.003

    def train(lambd):
        w, b = init_params()
        net, loss = lambda X: torch.matmul(X, w) + b, squared_loss
        history = []
        for epoch in range(num_epochs):
            for X, y in train_iter:
                l = loss(net(X), y) + lambd * l2_penalty(w)
                l.sum().backward()
                sgd(torch, [w, b], lr, batch_size)
            if (epoch + 1) % 5 == 0:
                history.append(
                    (evaluate_loss(net, train_iter, loss), evaluate_loss(net, test_iter, loss))
                )
        return history, torch.norm(w).item(), w

    def train_concise(wd):
        net = nn.Sequential(nn.Linear(num_inputs, 1))
        for param in net.parameters():
            nn.init.normal_(param)
        loss = nn.MSELoss(reduction="none")
        trainer = torch.optim.SGD(
            [{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}], lr=lr
        )
        history = []
        for epoch in range(num_epochs):
            for X, y in train_iter:
                trainer.zero_grad()
                l = loss(net(X), y)
                l.mean().backward()
                trainer.step()
            if (epoch + 1) % 5 == 0:
                history.append(
                    (evaluate_loss(net, train_iter, loss), evaluate_loss(net, test_iter, loss))
                )
        groups = [(g["weight_decay"], g["lr"], len(g["params"])) for g in trainer.param_groups]
        return history, net[0].weight.norm().item(), net[0].weight, groups

    for lambd in (0, 3):
        torch.manual_seed(10 + lambd)
        out[f"scratch {lambd}"] = train(lambd)
    for wd in (0, 3):
        torch.manual_seed(20 + wd)
        out[f"concise {wd}"] = train_concise(wd)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_weight_decay_from_scratch_and_concise(dtype):
    ours, theirs = run(weight_decay, dtype)
    assert_same(ours, theirs, dtype)
    assert ours["scratch 3"][1] < ours["scratch 0"][1]  # the penalty shrinks w
    assert ours["concise 3"][3] == [(3, 0.003, 1), (0, 0.003, 1)]


def dropout(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn

    def dropout_layer(X, dropout):
        assert 0 <= dropout <= 1
        if dropout == 1:
            return torch.zeros_like(X)
        if dropout == 0:
            return X
        mask = (torch.rand(X.shape) > dropout).float()
        return mask * X / (1.0 - dropout)

    X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
    torch.manual_seed(0)
    out["X"], out["p=0"] = X, dropout_layer(X, 0.0)
    out["p=0.5"], out["p=1"] = dropout_layer(X, 0.5), dropout_layer(X, 1.0)
    out["p=0 is X"] = dropout_layer(X, 0.0) is X
    X64 = torch.arange(16, dtype=torch.float64).reshape((2, 8))
    out["float64"] = dropout_layer(X64, 0.5)  # .float() of the mask, times float64: float64
    out["mask"] = torch.rand(X.shape) > 0.5
    out["mask float"] = out["mask"].float()
    dropout1, dropout2 = 0.2, 0.5

    class Net(nn.Module):
        def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
            super().__init__()
            self.num_inputs = num_inputs
            self.training = is_training
            self.lin1 = nn.Linear(num_inputs, num_hiddens1)
            self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
            self.lin3 = nn.Linear(num_hiddens2, num_outputs)
            self.relu = nn.ReLU()

        def forward(self, X):
            H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
            if self.training == True:  # noqa: E712  # as the book writes it
                H1 = dropout_layer(H1, dropout1)
            H2 = self.relu(self.lin2(H1))
            if self.training == True:  # noqa: E712
                H2 = dropout_layer(H2, dropout2)
            return self.lin3(H2)

    torch.manual_seed(2)
    net = Net(49, 10, 16, 8)
    x = torch.rand(4, 1, 7, 7)
    out["train"] = net(x)
    net.eval()
    out["eval"], out["modes"] = net(x), [m.training for m in net.modules()]
    net = nn.Sequential(
        nn.Flatten(), nn.Linear(49, 16), nn.ReLU(), nn.Dropout(dropout1), nn.Linear(16, 10)
    )
    out["concise train"], out["concise repr"] = net(x), repr(net)
    out["concise eval"] = net.eval()(x)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_from_scratch_and_concise(dtype):
    ours, theirs = run(dropout, dtype)
    assert_same(ours, theirs, dtype)
    assert ours["p=0 is X"] and ours["p=0.5"].dtype == np.float32
    assert not np.array_equal(ours["train"].numpy(), ours["eval"].numpy())


def parameters(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    X = torch.rand(size=(2, 4))
    out["net(X)"] = net(X)
    state = net[2].state_dict()
    out["state keys"] = list(state.keys())
    # copies taken here: ours are Tensors sharing the weights, which change below
    out["state values"] = [v.numpy().copy() for v in state.values()]
    out["bias type"] = type(net[2].bias).__name__
    out["bias"] = printed(str(net[2].bias))
    out["bias values"] = np.array(net[2].bias.data)
    out["no grad yet"] = net[2].weight.grad == None  # noqa: E711  # as the book writes it
    out["2.bias"] = net.state_dict()["2.bias"].numpy().copy()
    out["shapes 0"] = [(name, tuple(param.shape)) for name, param in net[0].named_parameters()]
    out["shapes"] = [(name, tuple(param.shape)) for name, param in net.named_parameters()]

    def block1():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())

    def block2():
        return nn.Sequential(*[block1() for _ in range(4)])

    rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
    out["rgnet(X)"], out["rgnet"] = rgnet(X), repr(rgnet)
    out["rgnet[0][1][0].bias"] = np.array(rgnet[0][1][0].bias.data)

    def init_normal(m):
        if type(m) == nn.Linear:  # noqa: E721  # as the book writes it
            nn.init.normal_(m.weight, mean=0, std=0.01)
            nn.init.zeros_(m.bias)

    out["apply returns net"] = net.apply(init_normal) is net
    out["normal"] = [np.array(net[0].weight.data[0]), np.array(net[0].bias.data[0])]

    def init_constant(m):
        if type(m) == nn.Linear:  # noqa: E721  # as the book writes it
            nn.init.constant_(m.weight, 1)
            nn.init.zeros_(m.bias)

    net.apply(init_constant)
    out["constant"] = [np.array(net[0].weight.data[0]), np.array(net[0].bias.data[0])]

    def init_xavier(m):
        if type(m) == nn.Linear:  # noqa: E721  # as the book writes it
            nn.init.xavier_uniform_(m.weight)

    def init_42(m):
        if type(m) == nn.Linear:  # noqa: E721  # as the book writes it
            nn.init.constant_(m.weight, 42)

    net[0].apply(init_xavier)
    net[2].apply(init_42)
    out["xavier"], out["42"] = np.array(net[0].weight.data[0]), np.array(net[2].weight.data)
    shown = []

    def my_init(m):
        if type(m) == nn.Linear:  # noqa: E721  # as the book writes it
            first = [(name, tuple(p.shape)) for name, p in m.named_parameters()][0]  # noqa: RUF015
            shown.append(("Init", *first))
            nn.init.uniform_(m.weight, -10, 10)
            with torch.no_grad():
                m.weight *= m.weight.abs() >= 5

    net.apply(my_init)
    out["shown"], out["my_init"] = shown, net[0].weight[:2]
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    out["edited"], out["net(X) edited"] = np.array(net[0].weight.data[0]), net(X)
    w = torch.empty(3, 5)
    out["in place"] = [nn.init.xavier_uniform_(w) is w, nn.init.normal_(w, std=0.01) is w]
    out["xavier gain"] = nn.init.xavier_normal_(torch.empty(3, 5), gain=2.0)
    out["kaiming"] = nn.init.kaiming_uniform_(torch.empty(3, 5))

    shared = nn.Linear(8, 8)
    net = nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1)
    )
    net(X)
    out["tied"] = net[2].weight.data[0] == net[4].weight.data[0]
    net[2].weight.data[0, 0] = 100
    out["tied after write"] = net[2].weight.data[0] == net[4].weight.data[0]
    net(X).sum().backward()
    out["shared grad"] = shared.weight.grad  # both uses add up
    out["names"] = [name for name, _ in net.named_parameters()]
    out["count"] = sum(p.numel() for p in net.parameters())
    return out


def test_parameter_management_and_initialization():
    ours, theirs = run(parameters, "float64")
    assert_same(ours, theirs)
    assert ours["42"].tolist() == [[42.0] * 8] and ours["edited"][0] == 42


def test_tied_layers_gradients_add_up():
    """The shared layer's gradient is the sum over its two uses: checked against a copy
    of the network with the two uses untied."""
    nn = autograd.nn
    with default_dtype(autograd, "float64"):
        autograd.manual_seed(0)
        first, shared, last = nn.Linear(4, 8), nn.Linear(8, 8), nn.Linear(8, 1)
        X = autograd.rand(2, 4)
        tied = nn.Sequential(first, nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), last)
        tied(X).sum().backward()
        a, b = nn.Linear(8, 8), nn.Linear(8, 8)
        for copy in (a, b):
            copy.load_state_dict(shared.state_dict())
        untied = nn.Sequential(first, nn.ReLU(), a, nn.ReLU(), b, nn.ReLU(), last)
        untied(X).sum().backward()
    np.testing.assert_allclose(shared.weight.grad.data, (a.weight.grad + b.weight.grad).data)
    assert not np.allclose(a.weight.grad.data, b.weight.grad.data)


def custom_layers(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn
    F = nn.functional

    class CenteredLayer(nn.Module):
        def __init__(self):
            super().__init__()

        def forward(self, X):
            return X - X.mean()

    layer = CenteredLayer()
    out["centered"] = layer(torch.FloatTensor([1, 2, 3, 4, 5]))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(8, 128), CenteredLayer())
    Y = net(torch.rand(4, 8))
    out["mean"] = Y.mean()

    class MyLinear(nn.Module):
        def __init__(self, in_units, units):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(in_units, units))
            self.bias = nn.Parameter(torch.randn(units))

        def forward(self, X):
            linear = torch.matmul(X, self.weight.data) + self.bias.data
            return F.relu(linear)

    linear = MyLinear(5, 3)
    out["weight"] = printed(repr(linear.weight))
    out["linear"] = linear(torch.rand(2, 5))
    net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
    out["net"], out["repr"] = net(torch.rand(2, 64)), repr(net)

    class MyLinearWithGrad(MyLinear):  # the layer without `.data`: it learns
        def forward(self, X):
            return F.relu(torch.matmul(X, self.weight) + self.bias)

    layer = MyLinearWithGrad(5, 3)
    layer(torch.rand(2, 5)).sum().backward()
    out["grads"] = [layer.weight.grad, layer.bias.grad]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_custom_layers(dtype):
    ours, theirs = run(custom_layers, dtype)
    assert_same(ours, theirs, dtype)
    assert ours["centered"].tolist() == [-2, -1, 0, 1, 2]
    assert abs(ours["mean"].item()) < 1e-6


def file_io(torch: types.ModuleType, folder: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn
    F = nn.functional
    cwd = os.getcwd()
    os.chdir(folder)  # the book's bare file names
    try:
        x = torch.arange(4)
        torch.save(x, "x-file")
        x2 = torch.load("x-file")
        out["x2"], out["x2 printed"] = x2, printed(repr(x2))
        y = torch.zeros(4)
        torch.save([x, y], "x-files")
        x2, y2 = torch.load("x-files")
        out["x2, y2"], out["list"] = (x2, y2), type(torch.load("x-files")).__name__
        mydict = {"x": x, "y": y}
        torch.save(mydict, "mydict")
        mydict2 = torch.load("mydict")
        out["mydict2"] = [(k, type(v).__name__, v) for k, v in mydict2.items()]
        p = nn.Parameter(torch.rand(2))
        torch.save({"p": p, "frozen": torch.ones(2, requires_grad=True).detach()}, "params")
        loaded = torch.load("params")
        out["kept"] = [(type(v).__name__, v.requires_grad, v) for v in loaded.values()]

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(20, 256)
                self.output = nn.Linear(256, 10)

            def forward(self, x):
                return self.output(F.relu(self.hidden(x)))

        torch.manual_seed(0)
        net = MLP()
        X = torch.randn(size=(2, 20))
        Y = net(X)
        torch.save(net.state_dict(), "mlp.params")
        clone = MLP()
        out["load"] = repr(clone.load_state_dict(torch.load("mlp.params")))
        out["eval"] = repr(clone.eval())
        Y_clone = clone(X)
        out["Y_clone == Y"] = Y_clone == Y
        out["files"] = sorted(os.listdir("."))
    finally:
        os.chdir(cwd)
    return out


def test_file_io(tmp_path):
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours, theirs = file_io(autograd, tmp_path / "ours"), file_io(torch, tmp_path / "theirs")
    assert_same(ours, theirs)
    assert ours["mydict2"][0][1] == "Tensor" and ours["kept"][0][:2] == ("Parameter", True)


def batch_norm(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn

    def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
        if not torch.is_grad_enabled():
            X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        else:
            assert len(X.shape) in (2, 4)
            if len(X.shape) == 2:
                mean = X.mean(dim=0)
                var = ((X - mean) ** 2).mean(dim=0)
            else:
                mean = X.mean(dim=(0, 2, 3), keepdim=True)
                var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
            X_hat = (X - mean) / torch.sqrt(var + eps)
            moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
            moving_var = (1.0 - momentum) * moving_var + momentum * var
        Y = gamma * X_hat + beta
        return Y, moving_mean.data, moving_var.data

    class BatchNorm(nn.Module):
        def __init__(self, num_features, num_dims):
            super().__init__()
            if num_dims == 2:
                shape = (1, num_features)
            else:
                shape = (1, num_features, 1, 1)
            self.gamma = nn.Parameter(torch.ones(shape))
            self.beta = nn.Parameter(torch.zeros(shape))
            self.moving_mean = torch.zeros(shape)
            self.moving_var = torch.ones(shape)

        def forward(self, X):
            if self.moving_mean.device != X.device:
                self.moving_mean = self.moving_mean.to(X.device)
                self.moving_var = self.moving_var.to(X.device)
            Y, self.moving_mean, self.moving_var = batch_norm(
                X,
                self.gamma,
                self.beta,
                self.moving_mean,
                self.moving_var,
                eps=1e-5,
                momentum=0.1,
            )
            return Y

    torch.manual_seed(0)
    for dims, shape, library in ((2, (8, 3), nn.BatchNorm1d), (4, (4, 3, 5, 5), nn.BatchNorm2d)):
        layer, theirs = BatchNorm(3, dims), library(3)
        n = math.prod(shape) // 3
        for step in range(3):
            X = torch.randn(*shape) * 2 + 1
            Y, Y_library = layer(X), theirs(X)
            (Y**3).sum().backward()
            out[f"{dims}d Y {step}"] = Y
            out[f"{dims}d same Y {step}"] = (Y - Y_library).abs().max().item() < 1e-5
            out[f"{dims}d moving {step}"] = [layer.moving_mean, layer.moving_var]
            out[f"{dims}d running {step}"] = [
                theirs.running_mean.clone(),
                theirs.running_var.clone(),
            ]
        out[f"{dims}d n"] = n
        out[f"{dims}d grads"] = [layer.gamma.grad, layer.beta.grad]
        with torch.no_grad():
            out[f"{dims}d eval"] = layer(X)
        out[f"{dims}d library eval"] = theirs.eval()(X)
        out[f"{dims}d state"] = list(theirs.state_dict().keys())
        out[f"{dims}d batches"] = int(theirs.num_batches_tracked)
        out[f"{dims}d repr"] = repr(theirs)
    torch.manual_seed(1)
    net = nn.Sequential(
        nn.Linear(12, 8),
        BatchNorm(8, num_dims=2),
        nn.Sigmoid(),
        nn.Linear(8, 4),
        nn.BatchNorm1d(4),
        nn.Sigmoid(),
        nn.Linear(4, 2),
    )
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    X, y = torch.randn(16, 12), torch.randint(0, 2, (16,))
    loss = nn.CrossEntropyLoss()
    losses = []
    for _ in range(5):
        trainer.zero_grad()
        l = loss(net(X), y)
        l.backward()
        trainer.step()
        losses.append(l.item())
    out["losses"], out["gamma"] = losses, net[1].gamma.reshape((-1,))
    out["beta"] = net[1].beta.reshape((-1,))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_from_scratch_and_with_the_library(dtype):
    ours, theirs = run(batch_norm, dtype)
    assert_same(ours, theirs, dtype)
    for d in (2, 4):
        assert all(ours[f"{d}d same Y {step}"] for step in range(3))
        mean, var = (plain(v).reshape(-1) for v in ours[f"{d}d moving 0"])
        running_mean, running_var = (plain(v) for v in ours[f"{d}d running 0"])
        n = ours[f"{d}d n"]  # the library keeps the unbiased var, the book the biased one
        np.testing.assert_allclose(running_mean, mean, **TOLERANCES[dtype])
        np.testing.assert_allclose(running_var - 0.9, (var - 0.9) * n / (n - 1), rtol=1e-5)
    assert ours["4d repr"] == theirs["4d repr"].replace("torch.", "")
    assert ours["4d state"] == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3), (2, 3, 4, 5, 6)])
def test_batchnorm2d_refuses_what_torch_refuses(shape):
    x = np.ones(shape)
    with pytest.raises(ValueError, match="4D"):
        torch.nn.BatchNorm2d(3)(torch.tensor(x))
    with pytest.raises(ValueError, match="4D"):
        autograd.nn.BatchNorm2d(3)(autograd.tensor(x))


def test_batchnorm2d_with_one_value_per_channel_refuses_training():
    x = np.ones((1, 3, 1, 1), np.float32)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.BatchNorm2d(3)(torch.tensor(x))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        autograd.nn.BatchNorm2d(3)(autograd.tensor(x))
    out = autograd.nn.BatchNorm2d(3).eval()(autograd.tensor(x))  # eval: the running stats
    np.testing.assert_allclose(out.data, torch.nn.BatchNorm2d(3).eval()(torch.tensor(x)).detach())


def gradient_descent(torch: types.ModuleType) -> dict[str, Any]:
    """Gradient descent and Newton's method in one dimension, SGD in two with noisy
    gradients and a decaying rate (the plots' values)."""
    out: dict[str, Any] = {}

    def gd(eta, f_grad):
        x = 10.0
        results = [x]
        for _ in range(10):
            x -= eta * f_grad(x)
            results.append(float(x))
        return results

    out["gd"] = gd(0.2, lambda x: 2 * x)
    c = torch.tensor(0.15 * np.pi)

    def f(x):
        return x * torch.cos(c * x)

    def f_grad(x):
        return torch.cos(c * x) - c * torch.sin(c * x)

    out["nonconvex"] = gd(2, f_grad)
    f_line = torch.arange(-10, 10, 0.01)
    out["f_line"], out["f"] = f_line, f(f_line)

    def newton(f_grad, f_hess, eta=1):
        x = 10.0
        results = [x]
        for _ in range(10):
            x -= eta * f_grad(x) / f_hess(x)
            results.append(float(x))
        return results

    c = torch.tensor(0.5)
    out["newton"] = newton(lambda x: c * torch.sinh(c * x), lambda x: c**2 * torch.cosh(c * x))
    c = torch.tensor(0.15 * np.pi)
    out["newton nonconvex"] = newton(
        f_grad, lambda x: -2 * c * torch.sin(c * x) - x * c**2 * torch.cos(c * x), eta=0.5
    )
    x = torch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    torch.cosh(x).sum().backward()
    out["cosh'"] = x.grad
    eta, t = 0.1, 1

    def constant_lr():
        return 1

    def exponential_lr():
        nonlocal t
        t += 1
        return math.exp(-0.1 * t)

    def polynomial_lr():
        nonlocal t
        t += 1
        return (1 + 0.1 * t) ** (-0.5)

    def sgd(x1, x2, s1, s2, f_grad):
        g1, g2 = f_grad(x1, x2)
        g1 += torch.normal(0.0, 1, (1,)).item()
        g2 += torch.normal(0.0, 1, (1,)).item()
        eta_t = eta * lr()
        return (x1 - eta_t * g1, x2 - eta_t * g2, 0, 0)

    def train_2d(trainer, steps=20, f_grad=None):
        x1, x2, s1, s2 = -5, -2, 0, 0
        results = [(x1, x2)]
        for _ in range(steps):
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
            results.append((x1, x2))
        return results

    def f_2d_grad(x1, x2):
        return (2 * x1, 4 * x2)

    torch.manual_seed(0)
    for lr in (constant_lr, exponential_lr, polynomial_lr):
        t = 1
        out[lr.__name__] = train_2d(sgd, steps=50, f_grad=f_2d_grad)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_descent_and_newtons_method(dtype):
    ours, theirs = run(gradient_descent, dtype)
    if dtype == "float32":  # torch's vectorized arange may round the last bit otherwise
        np.testing.assert_allclose(ours.pop("f_line").numpy(), theirs.pop("f_line"), atol=1e-6)
        np.testing.assert_allclose(ours.pop("f").numpy(), theirs.pop("f").detach(), atol=1e-5)
    assert_same(ours, theirs, dtype)
    assert abs(ours["newton"][-1]) < 1e-6


def test_arange_of_floats_rounds_once_from_float64():
    """A float32 range far from its start is within an ulp of torch's (numpy's float32
    arange is 2e-6 off at 0.08 after 1000 float32 steps of 0.01)."""
    for start, stop, step in [(-10, 10, 0.01), (1.5, -3.0, -0.3), (-3.3, 77.7, 0.013)]:
        for dtype in ("float32", "float64"):
            ours = autograd.arange(start, stop, step, dtype=getattr(autograd, dtype)).numpy()
            theirs = torch.arange(start, stop, step, dtype=getattr(torch, dtype)).numpy()
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            ulp = np.spacing(np.abs(theirs).max())
            assert np.abs(ours - theirs).max() <= ulp, (start, stop, step, dtype)


def test_arange_refuses_what_torch_refuses_and_agrees_elsewhere():
    """numpy gives an empty range where the bounds and the step disagree; torch (and
    autograd) raise a RuntimeError, here also a ValueError."""
    for bad in [(3, 1), (0, 5, 0), (0.0, 1.0, -0.1), (float("nan"), 3), (0, float("inf"))]:
        with pytest.raises(RuntimeError):
            torch.arange(*bad)
        with pytest.raises(RuntimeError, match="arange"):
            autograd.arange(*bad)
        with pytest.raises(ValueError):
            autograd.arange(*bad)
    for good in [(1, 1), (5, 0, -1), (4,), (0,), (2.5, 2.5, -1.0), (-3, 4, 2)]:
        ours, theirs = autograd.arange(*good).numpy(), torch.arange(*good).numpy()
        assert ours.dtype == theirs.dtype and ours.tolist() == theirs.tolist(), good


def test_shapes_by_keyword_and_legacy_constructors():
    for name in ("rand", "randn", "zeros", "ones", "empty"):
        for lib in (autograd, torch):
            assert tuple(getattr(lib, name)(size=(2, 3)).shape) == (2, 3)
            assert tuple(getattr(lib, name)(size=[4]).shape) == (4,)
            with pytest.raises(TypeError):
                getattr(lib, name)(2, size=(3,))
    autograd.manual_seed(1)
    torch.manual_seed(1)
    np.testing.assert_array_equal(autograd.rand(size=(2, 3)).numpy(), torch.rand(size=(2, 3)))
    for name, data in [("FloatTensor", [1, 2]), ("DoubleTensor", [1.5]), ("LongTensor", [0, 2])]:
        ours, theirs = getattr(autograd, name)(data), getattr(torch, name)(data)
        assert ours.dtype == theirs.numpy().dtype and ours.tolist() == theirs.tolist()
        ours, theirs = getattr(autograd, name)(2, 3), getattr(torch, name)(2, 3)
        assert ours.dtype == theirs.numpy().dtype and tuple(ours.shape) == tuple(theirs.shape)
        assert tuple(getattr(autograd, name)().shape) == tuple(getattr(torch, name)().shape)
        for lib in (autograd, torch):
            with pytest.raises(TypeError):
                getattr(lib, name)([1, 2], 3)


def airfoil(torch: types.ModuleType, n: int = 200, batch_size: int = 10):
    """`get_data_ch11` on a synthetic stand-in for the airfoil data: five features and
    a target, standardized, shuffled batches."""
    raw = np.random.default_rng(0).random((n, 6)) * [1, 2, 3, 4, 5, 6]
    raw[:, -1] += raw[:, :-1] @ [0.5, -0.2, 0.1, 0.3, -0.4]
    dtype = "float64" if torch.get_default_dtype() == torch.float64 else "float32"
    data = torch.from_numpy(((raw - raw.mean(axis=0)) / raw.std(axis=0)).astype(dtype))
    return load_array(torch, (data[:n, :-1], data[:n, -1]), batch_size), data.shape[1] - 1


def squared_loss(y_hat: Any, y: Any) -> Any:
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate_loss(net: Callable, data_iter: Any, loss: Callable) -> float:
    metric = Accumulator(2)
    for X, y in data_iter:
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        metric.add(l.sum().detach(), l.numel())
    return metric[0] / metric[1]


def train_ch11(torch, trainer_fn, states, hyperparams, data_iter, feature_dim, num_epochs=2):
    w = torch.normal(mean=0.0, std=0.01, size=(feature_dim, 1), requires_grad=True)
    b = torch.zeros((1), requires_grad=True)

    def net(X):
        return torch.matmul(X, w) + b

    n, losses = 0, []
    for _ in range(num_epochs):
        for X, y in data_iter:
            l = squared_loss(net(X), y).mean()
            l.backward()
            trainer_fn([w, b], states, hyperparams)
            n += X.shape[0]
            if n % 50 == 0:
                losses.append(evaluate_loss(net, data_iter, squared_loss))
    return losses, w, b


def train_concise_ch11(torch, trainer_fn, hyperparams, data_iter, num_epochs=2):
    nn = torch.nn
    net = nn.Sequential(nn.Linear(5, 1))

    def init_weights(m):
        if type(m) == nn.Linear:  # noqa: E721  # as the book writes it
            torch.nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    loss = nn.MSELoss(reduction="none")
    n, losses = 0, []
    for _ in range(num_epochs):
        for X, y in data_iter:
            optimizer.zero_grad()
            out = net(X)
            y = y.reshape(out.shape)
            l = loss(out, y)
            l.mean().backward()
            optimizer.step()
            n += X.shape[0]
            if n % 50 == 0:
                losses.append(evaluate_loss(net, data_iter, loss) / 2)
    return losses, net[0].weight, net[0].bias


def from_scratch(torch: types.ModuleType) -> dict[str, Callable]:
    """The chapter's update rules, states written with slice assignment under no_grad."""

    def sgd_momentum(params, states, hyperparams):
        for p, v in zip(params, states):
            with torch.no_grad():
                v[:] = hyperparams["momentum"] * v + p.grad
                p[:] -= hyperparams["lr"] * v
            p.grad.zero_()

    def adagrad(params, states, hyperparams):
        eps = 1e-6
        for p, s in zip(params, states):
            with torch.no_grad():
                s[:] += torch.square(p.grad)
                p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
            p.grad.zero_()

    def rmsprop(params, states, hyperparams):
        gamma, eps = hyperparams["gamma"], 1e-6
        for p, s in zip(params, states):
            with torch.no_grad():
                s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
                p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
            p.grad.zero_()

    def adadelta(params, states, hyperparams):
        rho, eps = hyperparams["rho"], 1e-5
        for p, (s, delta) in zip(params, states):
            with torch.no_grad():
                s[:] = rho * s + (1 - rho) * torch.square(p.grad)
                g = (torch.sqrt(delta + eps) / torch.sqrt(s + eps)) * p.grad
                p[:] -= g
                delta[:] = rho * delta + (1 - rho) * g * g
            p.grad.zero_()

    def adam(params, states, hyperparams):
        beta1, beta2, eps = 0.9, 0.999, 1e-6
        for p, (v, s) in zip(params, states):
            with torch.no_grad():
                v[:] = beta1 * v + (1 - beta1) * p.grad
                s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
                v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
                s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
                p[:] -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
            p.grad.zero_()
        hyperparams["t"] += 1

    def yogi(params, states, hyperparams):
        beta1, beta2, eps = 0.9, 0.999, 1e-3
        for p, (v, s) in zip(params, states):
            with torch.no_grad():
                v[:] = beta1 * v + (1 - beta1) * p.grad
                s[:] = s + (1 - beta2) * torch.sign(torch.square(p.grad) - s) * torch.square(p.grad)
                v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
                s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
                p[:] -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
            p.grad.zero_()
        hyperparams["t"] += 1

    return {
        "momentum": sgd_momentum,
        "adagrad": adagrad,
        "rmsprop": rmsprop,
        "adadelta": adadelta,
        "adam": adam,
        "yogi": yogi,
    }


def states(torch: types.ModuleType, name: str, feature_dim: int) -> Any:
    """`init_momentum_states`, `init_adagrad_states`, ...: zeros like w and b, one or
    two per parameter."""

    def pair():
        return torch.zeros((feature_dim, 1)), torch.zeros(1)

    if name in ("momentum", "adagrad", "rmsprop"):
        return pair()
    (s_w, s_b), (d_w, d_b) = pair(), pair()
    return ((s_w, d_w), (s_b, d_b))


HYPERPARAMS = {  # the rule's, and the same rule as an `optim` class (None: none has it)
    "momentum": ({"lr": 0.02, "momentum": 0.5}, "SGD", {"lr": 0.02, "momentum": 0.5}),
    "adagrad": ({"lr": 0.1}, "Adagrad", {"lr": 0.1}),
    "rmsprop": ({"lr": 0.01, "gamma": 0.9}, "RMSprop", {"lr": 0.01, "alpha": 0.9}),
    "adadelta": ({"rho": 0.9}, "Adadelta", {"rho": 0.9, "eps": 1e-5}),
    "adam": ({"lr": 0.01, "t": 1}, "Adam", {"lr": 0.01, "eps": 1e-6}),
    "yogi": ({"lr": 0.01, "t": 1}, None, None),
}


def optimizers(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    data_iter, feature_dim = airfoil(torch)
    rules = from_scratch(torch)

    def sgd(params, states, hyperparams):
        for p in params:
            with torch.no_grad():
                p -= hyperparams["lr"] * p.grad
            p.grad.zero_()

    torch.manual_seed(7)
    out["sgd"] = train_ch11(torch, sgd, None, {"lr": 0.05}, data_iter, feature_dim)
    torch.manual_seed(7)
    out["sgd concise"] = train_concise_ch11(torch, torch.optim.SGD, {"lr": 0.05}, data_iter)
    for name, (hyperparams, cls, options) in HYPERPARAMS.items():
        torch.manual_seed(7)
        init = states(torch, name, feature_dim)
        out[name] = train_ch11(torch, rules[name], init, dict(hyperparams), data_iter, feature_dim)
        out[name + " states"] = init
        if cls is not None:
            torch.manual_seed(7)
            trainer = getattr(torch.optim, cls)
            out[name + " concise"] = train_concise_ch11(torch, trainer, options, data_iter)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_optimizers_from_scratch_and_concise(dtype):
    ours, theirs = run(optimizers, dtype)
    assert_same(ours, theirs, dtype)
    assert ours["adam"][0][-1] < ours["adam"][0][0]


@pytest.mark.parametrize("name", [n for n, row in HYPERPARAMS.items() if row[1] is not None])
def test_from_scratch_rules_are_the_optim_classes(name):
    """The chapter's rule and `optim`'s class from the same start over two epochs: the
    same numbers for momentum, Adadelta (eps 1e-5, lr 1) and Adam (eps 1e-6); Adagrad
    and RMSProp add eps inside the square root in the book, after it in `optim`."""
    hyperparams, cls, options = HYPERPARAMS[name]
    with default_dtype(autograd, "float64"):
        data_iter, feature_dim = airfoil(autograd)
        autograd.manual_seed(7)
        w0 = autograd.normal(0.0, 0.01, size=(feature_dim, 1))
        results = []
        for by_hand in (True, False):
            w, b = w0.clone().requires_grad_(), autograd.zeros(1, requires_grad=True)
            rule = from_scratch(autograd)[name]
            init = states(autograd, name, feature_dim)
            optimizer = getattr(autograd.optim, cls)([w, b], **options)
            autograd.manual_seed(8)  # the same shuffles
            for _ in range(2):
                for X, y in data_iter:
                    squared_loss(X @ w + b, y).mean().backward()
                    if by_hand:
                        rule([w, b], init, hyperparams)
                    else:
                        optimizer.step()
                        optimizer.zero_grad()
            results.append(np.concatenate([w.detach().numpy().ravel(), b.detach().numpy()]))
            hyperparams = dict(HYPERPARAMS[name][0])
    exact = name in ("momentum", "adadelta", "adam")
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12 if exact else 2e-3)
    assert not np.allclose(results[0], [*w0.numpy().ravel().tolist(), 0.0])


def schedules(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn
    lr_scheduler = torch.optim.lr_scheduler
    torch.manual_seed(0)
    X, Y = torch.randn(24, 1, 4, 4), torch.randint(0, 3, (24,))
    train_iter = load_array(torch, (X, Y), 8, is_train=False)
    loss = nn.CrossEntropyLoss()

    def net_fn():
        return nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))

    def train(net, train_iter, num_epochs, loss, trainer, scheduler=None):
        history = []
        for epoch in range(num_epochs):
            net.train()
            for X, y in train_iter:
                trainer.zero_grad()
                l = loss(net(X), y)
                l.backward()
                trainer.step()
            history.append((l.item(), trainer.param_groups[0]["lr"]))
            if scheduler:
                if scheduler.__module__ == lr_scheduler.__name__:
                    scheduler.step()  # PyTorch's built-in schedulers
                else:
                    for param_group in trainer.param_groups:
                        param_group["lr"] = scheduler(epoch)
        return history

    class SquareRootScheduler:
        def __init__(self, lr=0.1):
            self.lr = lr

        def __call__(self, num_update):
            return self.lr * pow(num_update + 1.0, -0.5)

    class FactorScheduler:
        def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
            self.factor = factor
            self.stop_factor_lr = stop_factor_lr
            self.base_lr = base_lr

        def __call__(self, num_update):
            self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
            return self.base_lr

    class CosineScheduler:
        def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0):
            self.base_lr_orig = base_lr
            self.max_update = max_update
            self.final_lr = final_lr
            self.warmup_steps = warmup_steps
            self.max_steps = self.max_update - self.warmup_steps

        def __call__(self, epoch):
            if epoch < self.warmup_steps:
                return self.base_lr_orig * float(epoch) / float(self.warmup_steps)
            if epoch <= self.max_update:
                self.base_lr = (
                    self.final_lr
                    + (self.base_lr_orig - self.final_lr)
                    * (1 + math.cos(math.pi * (epoch - self.warmup_steps) / self.max_steps))
                    / 2
                )
            return self.base_lr

    net = net_fn()
    trainer = torch.optim.SGD(net.parameters(), lr=0.3)
    out["constant"] = train(net, train_iter, 8, loss, trainer)
    trainer.param_groups[0]["lr"] = 0.1
    out["set lr"] = trainer.param_groups[0]["lr"]
    out["square root"] = train(net, train_iter, 8, loss, trainer, SquareRootScheduler(lr=0.1))
    factor = FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
    out["factor"] = [factor(t) for t in range(50)]
    net = net_fn()
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[15, 30], gamma=0.5)
    out["built in"] = scheduler.__module__ == lr_scheduler.__name__

    def get_lr(trainer, scheduler):
        lr = scheduler.get_last_lr()[0]
        trainer.step()
        scheduler.step()
        return lr

    out["multi step"] = [get_lr(trainer, scheduler) for _ in range(40)]
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[2, 5], gamma=0.5)
    out["multi step train"] = train(net, train_iter, 8, loss, trainer, scheduler)
    scheduler = CosineScheduler(max_update=6, base_lr=0.3, final_lr=0.01, warmup_steps=2)
    out["cosine warmup"] = train(net, train_iter, 8, loss, trainer, scheduler)
    trainer = torch.optim.SGD(net.parameters(), lr=0.3)
    scheduler = lr_scheduler.CosineAnnealingLR(trainer, T_max=6, eta_min=0.01)
    out["cosine annealing"] = train(net, train_iter, 8, loss, trainer, scheduler)
    out["weight"] = net[3].weight
    trainer = torch.optim.SGD(net.parameters(), lr=0.3)
    scheduler = lr_scheduler.CosineAnnealingLR(trainer, T_max=6, eta_min=0.01)
    cosine = CosineScheduler(6, base_lr=0.3, final_lr=0.01)
    out["book vs library"] = [(get_lr(trainer, scheduler), cosine(t)) for t in range(7)]
    return out


def test_learning_rate_schedules():
    ours, theirs = run(schedules, "float64")
    assert_same(ours, theirs)
    for library, book in ours["book vs library"]:  # the book's cosine is CosineAnnealingLR's
        assert library == pytest.approx(book, rel=1e-12)
    assert ours["built in"]


def preliminaries(torch: types.ModuleType) -> dict[str, Any]:
    """Data manipulation, linear algebra and automatic differentiation (chapter 2)."""
    out: dict[str, Any] = {}
    x = torch.arange(12, dtype=torch.float32)
    out["x"], out["numel"], out["shape"] = x, x.numel(), tuple(x.shape)
    X = x.reshape(3, 4)
    out["reshape"] = [X, x.reshape(-1, 4), torch.zeros((2, 3, 4)), torch.ones((2, 3, 4))]
    torch.manual_seed(0)
    out["randn"] = torch.randn(3, 4)
    out["tensor"] = torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    out["slices"] = [X[-1], X[1:3]]
    X[1, 2] = 17
    out["X[1, 2] = 17"] = X.clone()
    X[:2, :] = 12
    out["X[:2, :] = 12"], out["exp"] = X.clone(), torch.exp(x)
    x, y = torch.tensor([1.0, 2, 4, 8]), torch.tensor([2, 2, 2, 2])
    out["operators"] = [x + y, x - y, x * y, x / y, x**y]
    X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
    Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    out["cat"] = [torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1)]
    out["X == Y"], out["X.sum()"] = X == Y, X.sum()
    a, b = torch.arange(3).reshape((3, 1)), torch.arange(2).reshape((1, 2))
    out["broadcast"] = a + b
    before = id(Y)
    Y = Y + X
    out["new memory"] = id(Y) == before
    Z = torch.zeros_like(Y)
    before = id(Z)
    Z[:] = X + Y
    out["Z[:] ="] = [id(Z) == before, Z]
    before = id(X)
    X += Y
    out["X +="] = [id(X) == before, X]
    A = X.numpy()
    B = torch.from_numpy(A)
    out["numpy"] = [type(A).__name__, type(B).__name__.lower()]
    a = torch.tensor([3.5])
    out["scalars"] = [a, a.item(), float(a), int(a)]
    x, y = torch.tensor(3.0), torch.tensor(2.0)
    out["scalar ops"] = [x + y, x * y, x / y, x**y]
    x = torch.arange(3)
    out["vector"] = [x, x[2], len(x), tuple(x.shape)]
    A = torch.arange(6).reshape(3, 2)
    out["A.T"] = [A, A.T]
    A = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
    out["symmetric"] = A == A.T
    A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    B = A.clone()
    out["A + B, A * B"] = [A + B, A * B]
    X = torch.arange(24).reshape(2, 3, 4)
    out["a + X"] = [2 + X, tuple((2 * X).shape)]
    x = torch.arange(3, dtype=torch.float32)
    out["sums"] = [x.sum(), A.sum(), A.sum(axis=0), A.sum(axis=1), A.sum(axis=[0, 1]) == A.sum()]
    out["means"] = [A.mean(), A.sum() / A.numel(), A.mean(axis=0), A.sum(axis=0) / A.shape[0]]
    sum_A = A.sum(axis=1, keepdims=True)
    out["keepdims"] = [sum_A, A / sum_A, A.cumsum(axis=0)]
    y = torch.ones(3, dtype=torch.float32)
    out["dot"] = [torch.dot(x, y), torch.sum(x * y)]
    out["mv"] = [torch.mv(A, x), A @ x]
    B = torch.ones(3, 4)
    out["mm"] = [torch.mm(A, B), A @ B]
    u = torch.tensor([3.0, -4.0])
    out["norms"] = [torch.norm(u), torch.abs(u).sum(), torch.norm(torch.ones((4, 9)))]
    x = torch.arange(4.0)
    x.requires_grad_(True)
    out["no grad yet"] = x.grad is None
    y = 2 * torch.dot(x, x)
    y.backward()
    out["y"], out["x.grad"], out["4x"] = y, x.grad.clone(), x.grad == 4 * x
    x.grad.zero_()
    y = x.sum()
    y.backward()
    out["grad of sum"] = x.grad.clone()
    x.grad.zero_()
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    out["grad of x * x"] = x.grad.clone()
    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    out["detached"] = x.grad == u
    x.grad.zero_()
    y.sum().backward()
    out["not detached"] = x.grad == 2 * x

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    torch.manual_seed(1)
    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    out["control flow"] = [a.grad == d / a, a.grad]
    return out


def test_preliminaries():
    ours, theirs = run(preliminaries, "float32")
    assert_same(ours, theirs, "float32")
    assert ours["Z[:] ="][0] and ours["X +="][0] and not ours["new memory"]


def test_cumsum_takes_axis_and_mv_checks_shapes():
    a = np.arange(6.0).reshape(2, 3)
    for lib in (autograd, torch):
        t = lib.tensor(a)
        np.testing.assert_array_equal(np.asarray(t.cumsum(axis=0)), np.cumsum(a, axis=0))
        np.testing.assert_array_equal(np.asarray(lib.cumsum(t, axis=1)), np.cumsum(a, axis=1))
        np.testing.assert_array_equal(
            np.asarray(t.mv(lib.tensor(np.array([1.0, 0.0, 2.0])))), a[:, 0] + 2 * a[:, 2]
        )
        with pytest.raises(TypeError):
            t.cumsum()
        with pytest.raises(TypeError):
            t.cumsum(0, axis=1)
        for m, v in [((2, 3), (4,)), ((2, 3), (3, 1)), ((3,), (3,))]:
            with pytest.raises(RuntimeError):
                lib.mv(lib.ones(m), lib.ones(v))
    x = autograd.tensor(a[0], requires_grad=True)
    m = autograd.tensor(a, requires_grad=True)
    autograd.gradcheck(autograd.mv, (m, x))


def layers_and_modules(torch: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nn = torch.nn
    F = nn.functional
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
    X = torch.rand(2, 20)
    out["net(X)"] = net(X)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(20, 256)
            self.out = nn.Linear(256, 10)

        def forward(self, X):
            return self.out(F.relu(self.hidden(X)))

    net = MLP()
    out["MLP"], out["MLP repr"] = net(X), repr(net)

    class FixedHiddenMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.rand_weight = torch.rand((20, 20), requires_grad=False)
            self.linear = nn.Linear(20, 20)

        def forward(self, X):
            X = self.linear(X)
            X = F.relu(torch.mm(X, self.rand_weight) + 1)
            X = self.linear(X)
            while X.abs().sum() > 1:
                X /= 2
            return X.sum()

    net = FixedHiddenMLP()
    y = net(X)
    y.backward()
    out["fixed"], out["fixed grad"] = y, net.linear.weight.grad
    out["fixed params"] = [name for name, _ in net.named_parameters()]

    class NestMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
            self.linear = nn.Linear(32, 16)

        def forward(self, X):
            return self.linear(self.net(X))

    chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
    out["chimera"], out["chimera repr"] = chimera(X), repr(chimera)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_layers_and_modules(dtype):
    ours, theirs = run(layers_and_modules, dtype)
    assert_same(ours, theirs, dtype)


def numerical_stability(torch: types.ModuleType) -> dict[str, Any]:
    """The activations' gradients (chapter 5.1), vanishing and exploding gradients (5.4)
    and the k-fold training of the house-prices lesson with `log_rmse` (5.7)."""
    out: dict[str, Any] = {}
    nn = torch.nn
    x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
    y = torch.relu(x)
    y.backward(torch.ones_like(x), retain_graph=True)
    out["x"], out["relu"], out["relu grad"] = x, y, x.grad.clone()
    x.grad.zero_()
    y = torch.sigmoid(x)
    y.backward(torch.ones_like(x), retain_graph=True)
    out["sigmoid"], out["sigmoid grad"] = y, x.grad.clone()
    x.grad.zero_()
    y = torch.tanh(x)
    y.backward(torch.ones_like(x))
    out["tanh"], out["tanh grad"] = y, x.grad.clone()
    torch.manual_seed(0)
    M = torch.normal(0, 1, size=(4, 4))
    for _ in range(100):
        M = torch.mm(M, torch.normal(0, 1, size=(4, 4)))
    out["product of 100 matrices"] = M

    torch.manual_seed(1)
    n, d = 40, 6
    features = torch.randn(n, d)
    labels = (features @ torch.rand(d, 1) * 3 + 10).exp()
    loss = nn.MSELoss()

    def log_rmse(net, features, labels):
        clipped_preds = torch.clamp(net(features), 1, float("inf"))
        rmse = torch.sqrt(loss(torch.log(clipped_preds), torch.log(labels)))
        return rmse.item()

    def train(net, train_features, train_labels, test_features, test_labels, num_epochs, lr):
        train_ls, test_ls = [], []
        train_iter = load_array(torch, (train_features, train_labels), 8)
        optimizer = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=0.01)
        for _ in range(num_epochs):
            for X, y in train_iter:
                optimizer.zero_grad()
                l = loss(net(X), y)
                l.backward()
                optimizer.step()
            train_ls.append(log_rmse(net, train_features, train_labels))
            test_ls.append(log_rmse(net, test_features, test_labels))
        return train_ls, test_ls

    def get_k_fold_data(k, i, X, y):
        fold_size = X.shape[0] // k
        X_train, y_train = None, None
        for j in range(k):
            idx = slice(j * fold_size, (j + 1) * fold_size)
            X_part, y_part = X[idx, :], y[idx]
            if j == i:
                X_valid, y_valid = X_part, y_part
            elif X_train is None:
                X_train, y_train = X_part, y_part
            else:
                X_train = torch.cat([X_train, X_part], 0)
                y_train = torch.cat([y_train, y_part], 0)
        return X_train, y_train, X_valid, y_valid

    torch.manual_seed(2)
    folds = []
    for i in range(4):
        net = nn.Sequential(nn.Linear(d, 1))
        folds.append(train(net, *get_k_fold_data(4, i, features, labels), 10, 5))
    out["k-fold"] = folds
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_numerical_stability_and_house_prices(dtype):
    ours, theirs = run(numerical_stability, dtype)
    for lib_out in (ours, theirs):  # torch's vectorized arange is 1.7e-16, not 0, at x[80]
        x = plain(lib_out.pop("x"))
        np.testing.assert_array_equal(plain(lib_out.pop("relu grad")), (x > 0).astype(x.dtype))
    tanh_grad_ours, tanh_grad_theirs = plain(ours.pop("tanh grad")), plain(theirs.pop("tanh grad"))
    assert_same(ours, theirs, dtype)
    # where tanh itself agrees to the bit, its gradient agrees to an ulp, saturated or not
    same = plain(ours["tanh"]) == plain(theirs["tanh"])
    assert same.mean() > 0.5
    np.testing.assert_allclose(
        tanh_grad_ours[same], tanh_grad_theirs[same], rtol=2 * np.finfo(dtype).eps, atol=0
    )


def vectorization(torch: types.ModuleType) -> dict[str, Any]:
    """The minibatch chapter's matrix products (element by element, by columns with
    `mv`, at once, by blocks) and the contour grid of `show_trace_2d`."""
    out: dict[str, Any] = {}
    torch.manual_seed(0)
    A, B, C = torch.zeros(16, 16), torch.randn(16, 16), torch.randn(16, 16)
    for i in range(16):
        for j in range(16):
            A[i, j] = torch.dot(B[i, :], C[:, j])
    out["by elements"] = A.clone()
    for j in range(16):
        A[:, j] = torch.mv(B, C[:, j])
    out["by columns"] = A.clone()
    A = torch.mm(B, C)
    out["at once"] = A.clone()
    for j in range(0, 16, 4):
        A[:, j : j + 4] = torch.mm(B, C[:, j : j + 4])
    out["by blocks"] = A
    x1, x2 = torch.meshgrid(
        torch.arange(-5.5, 1.0, 0.1), torch.arange(-3.0, 1.0, 0.1), indexing="ij"
    )
    out["x1"], out["x2"], out["contour"] = x1, x2, x1**2 + 2 * x2**2
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([4.0, 5.0], requires_grad=True)
    u, v = torch.meshgrid(a, b, indexing="xy")
    (u * v * v).sum().backward()
    out["xy"], out["xy grads"] = [u, v], [a.grad, b.grad]
    (grid,) = torch.meshgrid([torch.tensor(2.0)], indexing="ij")
    out["0-d"] = grid
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_vectorization_and_grids(dtype):
    ours, theirs = run(vectorization, dtype)
    assert_same(ours, theirs, dtype)


def test_meshgrid_refuses_what_torch_refuses():
    for lib in (autograd, torch):
        a, b = lib.arange(3.0), lib.arange(2)
        for bad in [(a, b), (lib.ones((2, 2)), a), ()]:
            with pytest.raises(RuntimeError):
                lib.meshgrid(*bad, indexing="ij")
        with pytest.raises(RuntimeError):
            lib.meshgrid(a, a, indexing="yx")
        with pytest.warns(UserWarning, match="indexing"):
            grids = lib.meshgrid(a, lib.arange(2.0))
        assert [tuple(g.shape) for g in grids] == [(3, 2), (3, 2)]
