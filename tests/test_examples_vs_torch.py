"""PyTorch's tutorials "Learning PyTorch with Examples" and "What is torch.nn
really?" and the recipes "Zeroing out gradients", "What is a state_dict" and
"Warmstarting model using parameters from a different model", run twice: with torch
and with ``import autograd as torch`` (its `nn` and `optim` are gradwork's), seeded
alike, in float64, on small synthetic data instead of MNIST. Printed values, losses
per epoch, gradients and final weights must agree. The convolutional parts of the
tutorials ("Switch to CNN", `nn.AdaptiveAvgPool2d`, the GPU section) are left out.
"""

from __future__ import annotations

import math
import random
import types
from typing import Any

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")


def plain(v: Any) -> Any:
    """Tensors as ndarrays (copies), tuples as lists, everything else as it is."""
    if hasattr(v, "detach"):
        return np.array(v.detach().numpy())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def assert_close(a: Any, b: Any, key: str) -> None:
    """Floats and arrays to 1e-10 relative, everything else exactly, lists item by item."""
    if isinstance(b, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=key)
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), key
        for x, y in zip(a, b, strict=True):
            assert_close(x, y, key)
    elif isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-10, abs=1e-12), key
    else:
        assert a == b, key


def assert_same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours.keys() == theirs.keys()
    for k in theirs:
        assert_close(plain(ours[k]), plain(theirs[k]), k)


def train(model: Any, opt: Any, loss_fn: Any, x: Any, y: Any, steps: int) -> float:
    """The tutorial's optimizer loop, `steps` times; the last loss."""
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def learning_with_examples(lib: types.ModuleType) -> dict[str, Any]:
    out = {}
    nn_, optim, _F = lib.nn, lib.optim, lib.nn.functional
    dt = lib.float64
    lib.manual_seed(0)
    x = lib.linspace(-math.pi, math.pi, 200, dtype=dt)
    y = lib.sin(x)
    a, b, c, d = (lib.randn((), dtype=dt, requires_grad=True) for _ in range(4))
    lr = 1e-6
    for t in range(300):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            out[f"autograd loss {t}"] = loss.item()
        loss.backward()
        with lib.no_grad():
            for p in (a, b, c, d):
                p -= lr * p.grad
                p.grad = None
    out["abcd"] = lib.stack([a, b, c, d]).detach()

    class Legendre(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    a = lib.full((), 0.0, dtype=dt, requires_grad=True)
    b = lib.full((), -1.0, dtype=dt, requires_grad=True)
    c = lib.full((), 0.0, dtype=dt, requires_grad=True)
    d = lib.full((), 0.3, dtype=dt, requires_grad=True)
    for _ in range(200):
        y_pred = a + b * Legendre.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with lib.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    out["legendre loss"] = loss.item()
    out["legendre"] = lib.stack([a, b, c, d]).detach()

    p = lib.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    out["xx dtype"] = str(xx.dtype)
    with pytest.raises(IndexError):  # Flatten(0, 1) given 1-d input: dim 1 is out of range
        nn_.Flatten(0, 1)(x)
    lib.manual_seed(1)
    model = nn_.Sequential(nn_.Linear(3, 1), nn_.Flatten(0, 1)).double()
    loss_fn = nn_.MSELoss(reduction="sum")
    for _ in range(200):
        loss = loss_fn(model(xx), y)
        model.zero_grad()
        loss.backward()
        with lib.no_grad():
            for param in model.parameters():
                param -= 1e-6 * param.grad
    out["nn loss"] = loss.item()
    lin = model[0]
    out["nn w"], out["nn b"] = lin.weight.detach().clone(), lin.bias.detach().clone()
    opt = optim.RMSprop(model.parameters(), lr=1e-3)
    # RMSprop's steps near the minimum amplify rounding (about 1.7x a step after
    # step 160 here, for either library), so the run stops before that
    out["rms loss"] = train(model, opt, loss_fn, xx, y, 100)
    out["rms w"] = lin.weight.detach().clone()

    class Poly(nn_.Module):
        def __init__(self):
            super().__init__()
            self.a = nn_.Parameter(lib.randn((), dtype=dt))
            self.b = nn_.Parameter(lib.randn((), dtype=dt))
            self.c = nn_.Parameter(lib.randn((), dtype=dt))
            self.d = nn_.Parameter(lib.randn((), dtype=dt))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            a, b, c, d = (p.item() for p in (self.a, self.b, self.c, self.d))
            return f"y = {a} + {b} x + {c} x^2 + {d} x^3"

    lib.manual_seed(2)
    m = Poly()
    out["init params"] = [float(q.item()) for q in m.parameters()]
    crit = nn_.MSELoss(reduction="sum")
    opt = optim.SGD(m.parameters(), lr=1e-6)
    train(m, opt, crit, x, y, 200)
    out["poly string"] = m.string()
    out["poly"] = lib.stack(list(m.parameters())).detach()

    class Dyn(nn_.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d, self.e = (
                nn_.Parameter(lib.randn((), dtype=dt)) for _ in range(5)
            )

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, random.randint(4, 6)):
                y = y + self.e * x**exp
            return y

    lib.manual_seed(3)
    random.seed(0)
    m = Dyn()
    opt = optim.SGD(m.parameters(), lr=1e-8, momentum=0.9)
    out["dyn loss"] = train(m, opt, crit, x, y, 100)
    out["dyn e"] = m.e.detach().clone()
    return out


def nn_really(lib: types.ModuleType, data: types.ModuleType) -> dict[str, Any]:
    out = {}
    nn_, optim, F = lib.nn, lib.optim, lib.nn.functional
    dt = lib.float64
    rng = np.random.default_rng(0)
    x_train = lib.tensor(rng.random((64, 784)), dtype=dt)
    y_train = lib.tensor(rng.integers(0, 10, 64))
    x_valid = lib.tensor(rng.random((32, 784)), dtype=dt)
    y_valid = lib.tensor(rng.integers(0, 10, 32))
    n, _c = x_train.shape
    out["min max"] = (y_train.min().item(), y_train.max().item())
    lib.manual_seed(0)
    weights = lib.randn(784, 10, dtype=dt) / math.sqrt(784)
    weights.requires_grad_()
    bias = lib.zeros(10, dtype=dt, requires_grad=True)
    w0, _b0 = weights.detach().clone(), bias.detach().clone()

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    bs = 16
    xb = x_train[0:bs]
    preds = model(xb)
    out["preds0"], out["preds shape"] = preds[0].detach().clone(), tuple(preds.shape)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll
    yb = y_train[0:bs]
    out["loss0"] = loss_func(preds, yb).item()

    def accuracy(out, yb):
        preds = lib.argmax(out, dim=1)
        return (preds == yb).float().mean()

    out["acc0"] = accuracy(preds, yb).item()
    lr, epochs = 0.5, 2
    for _epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            xb, yb = x_train[start_i : start_i + bs], y_train[start_i : start_i + bs]
            loss = loss_func(model(xb), yb)
            loss.backward()
            with lib.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    out["manual loss"], out["manual acc"] = (
        loss_func(model(xb), yb).item(),
        accuracy(model(xb), yb).item(),
    )
    out["manual w"], out["manual b"] = weights.detach().clone(), bias.detach().clone()
    out["cross entropy"] = F.cross_entropy(xb @ weights + bias, yb).item()

    class MnistLogistic(nn_.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn_.Parameter(lib.randn(784, 10, dtype=dt) / math.sqrt(784))
            self.bias = nn_.Parameter(lib.zeros(10, dtype=dt))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    loss_func = F.cross_entropy
    lib.manual_seed(0)
    model = MnistLogistic()
    out["same init"] = bool((model.weights.detach() == w0).all())

    def fit_plain():
        for _epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                xb, yb = x_train[i * bs : i * bs + bs], y_train[i * bs : i * bs + bs]
                loss = loss_func(model(xb), yb)
                loss.backward()
                with lib.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    fit_plain()
    out["module w"] = model.weights.detach().clone()

    class MnistLinear(nn_.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn_.Linear(784, 10)

        def forward(self, xb):
            return self.lin(xb)

    def get_model():
        lib.manual_seed(1)
        model = MnistLinear().double()
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    out["lin init loss"] = loss_func(model(xb), yb).item()
    train_ds = data.TensorDataset(x_train, y_train)
    for _epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs : i * bs + bs]
            loss = loss_func(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
    out["lin loss"] = loss_func(model(xb), yb).item()
    out["lin w"], out["lin b"] = model.lin.weight.detach().clone(), model.lin.bias.detach().clone()

    def get_data(train_ds, valid_ds, bs):
        return (
            data.DataLoader(train_ds, batch_size=bs, shuffle=True),
            data.DataLoader(valid_ds, batch_size=bs * 2),
        )

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    history = []

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)
            model.eval()
            with lib.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
            history.append((epoch, float(val_loss)))

    valid_ds = data.TensorDataset(x_valid, y_valid)
    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    model, opt = get_model()
    lib.manual_seed(5)
    fit(3, model, loss_func, opt, train_dl, valid_dl)
    out["fit history"] = list(history)
    out["fit w"] = model.lin.weight.detach().clone()

    class Lambda(nn_.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    lib.manual_seed(2)
    model = nn_.Sequential(
        Lambda(lambda x: x.view(-1, 784)),
        nn_.Linear(784, 32),
        nn_.ReLU(),
        nn_.Linear(32, 10),
        Lambda(lambda x: x.view(x.size(0), -1)),
    ).double()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    out["seq repr"] = repr(model).replace("autograd.", "torch.")
    history.clear()
    lib.manual_seed(6)
    fit(3, model, loss_func, opt, train_dl, valid_dl)
    out["seq history"] = list(history)
    out["seq w"] = model[3].weight.detach().clone()
    out["seq grad none"] = [p.grad is None or bool((p.grad == 0).all()) for p in model.parameters()]
    return out


def recipes(lib: types.ModuleType) -> dict[str, Any]:
    out = {}
    nn_, optim, F = lib.nn, lib.optim, lib.nn.functional
    dt = lib.float64
    lib.manual_seed(0)
    net = nn_.Sequential(nn_.Linear(8, 6), nn_.ReLU(), nn_.Linear(6, 3)).double()
    crit = nn_.CrossEntropyLoss()
    opt = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = lib.randn(20, 8, dtype=dt)
    y = lib.randint(0, 3, (20,))
    running = []
    for _epoch in range(2):
        running_loss = 0.0
        for i in range(0, 20, 5):
            opt.zero_grad()
            loss = crit(net(x[i : i + 5]), y[i : i + 5])
            loss.backward()
            opt.step()
            running_loss += loss.item()
        running.append(running_loss)
    out["zeroing running"] = running
    opt.zero_grad()
    out["grads none"] = [p.grad is None for p in net.parameters()]
    out["sd keys"] = list(net.state_dict().keys())
    out["sd shapes"] = [tuple(v.shape) for v in net.state_dict().values()]
    osd = opt.state_dict()
    out["opt groups"] = {
        k: v
        for k, v in osd["param_groups"][0].items()
        if k in ("lr", "momentum", "dampening", "weight_decay", "nesterov", "params")
    }
    out["opt state keys"] = sorted(osd["state"].keys())
    out["opt buf0"] = np.array(osd["state"][0]["momentum_buffer"])  # ours keeps ndarrays

    class NetA(nn_.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2, self.fc3 = nn_.Linear(8, 6), nn_.Linear(6, 4), nn_.Linear(4, 3)

        def forward(self, x):
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    class NetB(nn_.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2, self.fc4 = nn_.Linear(8, 6), nn_.Linear(6, 4), nn_.Linear(4, 2)

        def forward(self, x):
            return self.fc4(F.relu(self.fc2(F.relu(self.fc1(x)))))

    lib.manual_seed(1)
    a, b = NetA().double(), NetB().double()
    sd = a.state_dict()
    res = b.load_state_dict(sd, strict=False)
    out["missing"], out["unexpected"] = list(res.missing_keys), list(res.unexpected_keys)
    out["loaded fc1"] = bool((b.fc1.weight.detach() == a.fc1.weight.detach()).all())
    renamed = {k.replace("fc3", "fc4"): v for k, v in sd.items()}
    try:
        b.load_state_dict(renamed, strict=False)
    except RuntimeError as e:  # the same words, but shapes print as tuples here
        out["size mismatch"] = "size mismatch for fc4.weight: copying a param" in str(e)
    renamed = {k: v for k, v in renamed.items() if not k.startswith("fc4")}
    res = b.load_state_dict(renamed, strict=False)
    out["missing2"] = list(res.missing_keys)
    try:
        b.load_state_dict(sd)
    except RuntimeError as e:
        msg = str(e)
        out["strict error"] = ("fc4.weight" in msg, "fc3.bias" in msg)
    out["b out"] = b(x).detach()
    return out


def test_learning_pytorch_with_examples_gives_the_same_numbers():
    ours, theirs = learning_with_examples(autograd), learning_with_examples(torch)
    assert ours.pop("xx dtype") == "float64" and theirs.pop("xx dtype") == "torch.float64"
    ours_s, theirs_s = ours.pop("poly string"), theirs.pop("poly string")
    numbers = [2, 4, 7, 10]  # "y = a + b x + c x^2 + d x^3"
    ours_w, theirs_w = ours_s.split(), theirs_s.split()
    assert [w for i, w in enumerate(ours_w) if i not in numbers] == [
        w for i, w in enumerate(theirs_w) if i not in numbers
    ]
    assert_close([float(ours_w[i]) for i in numbers], [float(theirs_w[i]) for i in numbers], "str")
    assert_same(ours, theirs)


def test_what_is_torch_nn_really_gives_the_same_numbers():
    assert_same(nn_really(autograd, nn), nn_really(torch, torch.utils.data))


def test_zeroing_state_dict_and_warmstarting_recipes_give_the_same_numbers():
    assert_same(recipes(autograd), recipes(torch))
