"""fast.ai's course (2022, part 2) notebooks "03_backprop" and "04_minibatch_training",
run twice: with torch and with ``import autograd as torch`` (its `nn`, `optim` and
`utils.data` are gradwork's), seeded alike, in float64 and in float32, on small random
data instead of MNIST (49 pixels, 200 training and 60 validation samples). The losses,
gradients, accuracies and batches must agree.

Spellings that differ from the notebooks: ``x.max(-1)[0]`` is ``x.max(dim=-1)[0]``
(with a positional axis `max` is numpy's and returns the maxima only);
``p.grad.data.zero_()`` is ``p.grad.zero_()`` (`Tensor.data` is an ndarray);
fastcore's `store_attr` and `chunked` are written out.
Tensors are compared as printed detached: indexing's grad_fn prints as
`GetItemBackward` here (torch's `SelectBackward0`, `IndexBackward0`, `SliceBackward0`).
The hand-written backward pass of
"03_backprop" stores gradients as attributes of tensors (``out.g = ...``), which a
`Tensor` cannot hold (it has slots and no `__dict__`): that part is expected to fail.
"""

from __future__ import annotations

import random
import types
from functools import reduce
from itertools import islice
from typing import Any

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

from tests.test_d2l_vs_torch import DTYPES, assert_same, printed, run  # noqa: E402


def mnist_like(torch: types.ModuleType) -> tuple[Any, Any, Any, Any]:
    torch.manual_seed(42)
    x_train, x_valid = torch.rand(200, 49), torch.rand(60, 49)
    y_train, y_valid = torch.randint(0, 10, (200,)), torch.randint(0, 10, (60,))
    return x_train, y_train, x_valid, y_valid


def check_close(torch: types.ModuleType, a: Any, b: Any, eps: float = 1e-5) -> None:
    """fastcore's `test_close` for tensors (under another name, which pytest does not collect)."""
    assert torch.allclose(a, b, rtol=0, atol=eps), (a, b)


def forward_pass(torch: types.ModuleType) -> dict[str, Any]:
    """03_backprop up to the gradients: the forward pass by hand, broadcasting, the
    MSE, and autograd's gradients of it (also through an `nn.Module` of tensors that
    require grad)."""
    out: dict[str, Any] = {}
    nn, F = torch.nn, torch.nn.functional
    x_train, y_train, x_valid, y_valid = mnist_like(torch)
    _, m = x_train.shape
    out["c"] = y_train.max() + 1
    nh = 50
    w1 = torch.randn(m, nh)
    b1 = torch.zeros(nh)
    w2 = torch.randn(nh, 1)
    b2 = torch.zeros(1)

    def lin(x, w, b):
        return x @ w + b

    def relu(x):
        return x.clamp_min(0.0)

    out["t"] = relu(lin(x_valid, w1, b1))

    def model(xb):
        l1 = lin(xb, w1, b1)
        l2 = relu(l1)
        return lin(l2, w2, b2)

    res = model(x_valid)
    out["shapes"] = [tuple(res.shape), tuple((res - y_valid).shape)]
    out["broadcast"] = tuple((res[:, 0] - y_valid).shape)
    y_train, y_valid = y_train.float(), y_valid.float()
    preds = model(x_train)

    def mse(output, targ):
        return (output[:, 0] - targ).pow(2).mean()

    out["mse"] = mse(preds, y_train)

    def mkgrad(x):
        return x.clone().requires_grad_(True)

    ptgrads = w12, w22, b12, b22, xt2 = tuple(map(mkgrad, (w1, w2, b1, b2, x_train)))

    def forward(inp, targ):
        l1 = lin(inp, w12, b12)
        l2 = relu(l1)
        out = lin(l2, w22, b22)
        return mse(out, targ)

    loss = forward(xt2, y_train)
    loss.backward()
    out["loss"], out["grads"] = loss, [p.grad for p in ptgrads]

    class Linear(nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.w = torch.randn(n_in, n_out).requires_grad_()
            self.b = torch.zeros(n_out).requires_grad_()

        def forward(self, inp):
            return inp @ self.w + self.b

    class Model(nn.Module):
        def __init__(self, n_in, nh, n_out):
            super().__init__()
            self.layers = [Linear(n_in, nh), nn.ReLU(), Linear(nh, n_out)]

        def __call__(self, x, targ):
            for l in self.layers:
                x = l(x)
            return F.mse_loss(x, targ[:, None])

    model = Model(m, nh, 1)
    loss = model(x_train, y_train)
    loss.backward()
    l0 = model.layers[0]
    out["autograd"] = [loss, l0.b.grad, l0.w.grad]
    return out


def backward_by_hand(torch: types.ModuleType) -> dict[str, Any]:
    """03_backprop's gradients by hand, kept on the tensors as `.g`, checked against
    autograd; then the `Lin`/`Relu`/`Mse` classes and the `Module` base class."""
    out: dict[str, Any] = {}
    x_train, y_train, _, _ = mnist_like(torch)
    y_train = y_train.float()
    _, m = x_train.shape
    nh = 50
    w1, b1, w2, b2 = torch.randn(m, nh), torch.zeros(nh), torch.randn(nh, 1), torch.zeros(1)

    def lin(x, w, b):
        return x @ w + b

    def relu(x):
        return x.clamp_min(0.0)

    def mse(output, targ):
        return (output[:, 0] - targ).pow(2).mean()

    def lin_grad(inp, out, w, b):
        inp.g = out.g @ w.t()
        w.g = (inp.unsqueeze(-1) * out.g.unsqueeze(1)).sum(0)
        b.g = out.g.sum(0)

    def forward_and_backward(inp, targ):
        l1 = lin(inp, w1, b1)
        l2 = relu(l1)
        out = lin(l2, w2, b2)
        diff = out[:, 0] - targ
        out.g = 2.0 * diff[:, None] / inp.shape[0]
        lin_grad(l2, out, w2, b2)
        l1.g = (l1 > 0).float() * l2.g
        lin_grad(inp, l1, w1, b1)

    forward_and_backward(x_train, y_train)

    def get_grad(x):
        return x.g.clone()

    chks = w1, w2, b1, b2, x_train
    grads = tuple(map(get_grad, chks))
    out["by hand"] = list(grads)

    class Module:
        def __call__(self, *args):
            self.args = args
            self.out = self.forward(*args)
            return self.out

        def forward(self):
            raise Exception("not implemented")

        def backward(self):
            self.bwd(self.out, *self.args)

        def bwd(self):
            raise Exception("not implemented")

    class Relu(Module):
        def forward(self, inp):
            return inp.clamp_min(0.0)

        def bwd(self, out, inp):
            inp.g = (inp > 0).float() * out.g

    class Lin(Module):
        def __init__(self, w, b):
            self.w, self.b = w, b

        def forward(self, inp):
            return inp @ self.w + self.b

        def bwd(self, out, inp):
            inp.g = self.out.g @ self.w.t()
            self.w.g = inp.t() @ self.out.g
            self.b.g = self.out.g.sum(0)

    class Mse(Module):
        def forward(self, inp, targ):
            return (inp.squeeze() - targ).pow(2).mean()

        def bwd(self, out, inp, targ):
            inp.g = 2 * (inp.squeeze() - targ).unsqueeze(-1) / targ.shape[0]

    class Model:
        def __init__(self, w1, b1, w2, b2):
            self.layers = [Lin(w1, b1), Relu(), Lin(w2, b2)]
            self.loss = Mse()

        def __call__(self, x, targ):
            for l in self.layers:
                x = l(x)
            return self.loss(x, targ)

        def backward(self):
            self.loss.backward()
            for l in reversed(self.layers):
                l.backward()

    model = Model(w1, b1, w2, b2)
    loss = model(x_train, y_train)
    model.backward()
    for a, b in zip(grads, (w1.g, w2.g, b1.g, b2.g, x_train.g)):
        check_close(torch, a, b, eps=0.01)
    out["module"] = [loss, w1.g, w2.g, b1.g, b2.g, x_train.g]
    return out


def minibatch_training(torch: types.ModuleType) -> dict[str, Any]:
    """04_minibatch_training: log_softmax three ways and logsumexp by hand, nll,
    cross-entropy, accuracy, the fit loops (by hand over `model.layers`, over
    `parameters()`, a hand-written Optimizer, `optim.SGD`), Dataset and DataLoader by
    hand, samplers by hand and torch's, `default_collate`, and the validation loop; with
    the notebooks' print options."""
    out: dict[str, Any] = {}
    nn, F, optim, data = torch.nn, torch.nn.functional, torch.optim, torch.utils.data
    torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)
    x_train, y_train, x_valid, y_valid = mnist_like(torch)
    n, m = x_train.shape
    nh = 50
    reported = out.setdefault("reported", [])

    class Model(nn.Module):
        def __init__(self, n_in, nh, n_out):
            super().__init__()
            self.layers = [nn.Linear(n_in, nh), nn.ReLU(), nn.Linear(nh, n_out)]

        def __call__(self, x):
            for l in self.layers:
                x = l(x)
            return x

    model = Model(m, nh, 10)
    pred = model(x_train)

    def log_softmax(x):
        return (x.exp() / (x.exp().sum(-1, keepdim=True))).log()

    out["log_softmax 1"] = log_softmax(pred)

    def log_softmax(x):
        return x - x.exp().sum(-1, keepdim=True).log()

    out["log_softmax 2"] = log_softmax(pred)

    def logsumexp(x):
        m = x.max(dim=-1)[0]  # x.max(-1)[0]
        return m + (x - m[:, None]).exp().sum(-1).log()

    check_close(torch, logsumexp(pred), pred.logsumexp(-1))
    out["logsumexp"] = [logsumexp(pred), pred.logsumexp(-1)]

    def log_softmax(x):
        return x - x.logsumexp(-1, keepdim=True)

    sm_pred = log_softmax(pred)
    out["picked"] = [sm_pred[0, 5], sm_pred[1, 0], sm_pred[[0, 1, 2], y_train[:3]]]
    shown = [sm_pred, sm_pred[0, 5], y_train[:50], x_train[:2, :30] * 1e-3]
    out["printed"] = [printed(repr(t.detach())) for t in shown]  # (grad_fn names differ)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss = nll(sm_pred, y_train)
    check_close(torch, F.nll_loss(F.log_softmax(pred, -1), y_train), loss, 1e-3)
    check_close(torch, F.cross_entropy(pred, y_train), loss, 1e-3)
    out["nll"] = [
        loss,
        F.nll_loss(F.log_softmax(pred, -1), y_train),
        F.cross_entropy(pred, y_train),
    ]

    loss_func = F.cross_entropy
    bs = 50
    xb, yb = x_train[0:bs], y_train[0:bs]
    preds = model(xb)
    out["batch"] = [preds[0], loss_func(preds, yb), preds.argmax(dim=1)]

    def accuracy(out, yb):
        return (out.argmax(dim=1) == yb).float().mean()

    lr = 0.5
    epochs = 3

    def report(loss, preds, yb):
        reported.append(f"{loss:.2f}, {accuracy(preds, yb):.2f}")
        reported.append([loss.item(), accuracy(preds, yb).item()])

    report(loss_func(preds, yb), preds, yb)
    for _epoch in range(epochs):
        for i in range(0, n, bs):
            s = slice(i, min(n, i + bs))
            xb, yb = x_train[s], y_train[s]
            preds = model(xb)
            loss = loss_func(preds, yb)
            loss.backward()
            with torch.no_grad():
                for l in model.layers:
                    if hasattr(l, "weight"):
                        l.weight -= l.weight.grad * lr
                        l.bias -= l.bias.grad * lr
                        l.weight.grad.zero_()
                        l.bias.grad.zero_()
        report(loss, preds, yb)

    m1 = nn.Module()
    m1.foo = nn.Linear(3, 4)
    out["m1"] = [repr(m1), [k for k, _ in m1.named_children()], list(m1.parameters())]

    class MLP(nn.Module):
        def __init__(self, n_in, nh, n_out):
            super().__init__()
            self.l1 = nn.Linear(n_in, nh)
            self.l2 = nn.Linear(nh, n_out)
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.l2(self.relu(self.l1(x)))

    model = MLP(m, nh, 10)
    out["MLP"] = [repr(model), [f"{name}: {l}" for name, l in model.named_children()]]
    out["MLP shapes"] = [tuple(p.shape) for p in model.parameters()]

    def fit():
        for _epoch in range(epochs):
            for i in range(0, n, bs):
                s = slice(i, min(n, i + bs))
                xb, yb = x_train[s], y_train[s]
                preds = model(xb)
                loss = loss_func(preds, yb)
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()
            report(loss, preds, yb)

    fit()

    class MyModule:
        def __init__(self, n_in, nh, n_out):
            self._modules = {}
            self.l1 = nn.Linear(n_in, nh)
            self.l2 = nn.Linear(nh, n_out)

        def __setattr__(self, k, v):
            if not k.startswith("_"):
                self._modules[k] = v
            super().__setattr__(k, v)

        def __repr__(self):
            return f"{self._modules}"

        def parameters(self):
            for l in self._modules.values():
                yield from l.parameters()

    mdl = MyModule(m, nh, 10)
    out["MyModule"] = [repr(mdl), [tuple(p.shape) for p in mdl.parameters()]]

    layers = [nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10)]

    class Model(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = layers
            for i, l in enumerate(self.layers):
                self.add_module(f"layer_{i}", l)

        def forward(self, x):
            return reduce(lambda val, layer: layer(val), self.layers, x)

    model = Model(layers)
    names = [name for name, _ in model.named_parameters()]
    out["add_module"] = [repr(model), names, list(model.state_dict()), model(xb)]

    class SequentialModel(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = nn.ModuleList(layers)

        def forward(self, x):
            for l in self.layers:
                x = l(x)
            return x

    model = SequentialModel(layers)
    out["ModuleList"] = repr(model)
    fit()
    out["ModuleList fit"] = [loss_func(model(xb), yb), accuracy(model(xb), yb)]
    model = nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10))
    fit()
    out["Sequential fit"] = [repr(model), loss_func(model(xb), yb), accuracy(model(xb), yb)]

    class Optimizer:
        def __init__(self, params, lr=0.5):
            self.params, self.lr = list(params), lr

        def step(self):
            with torch.no_grad():
                for p in self.params:
                    p -= p.grad * self.lr

        def zero_grad(self):
            for p in self.params:
                p.grad.zero_()  # p.grad.data.zero_()

    def fit_with(opt, batches):
        for _epoch in range(epochs):
            for xb, yb in batches():
                preds = model(xb)
                loss = loss_func(preds, yb)
                loss.backward()
                opt.step()
                opt.zero_grad()
            report(loss, preds, yb)

    def slices():
        for i in range(0, n, bs):
            s = slice(i, min(n, i + bs))
            yield x_train[s], y_train[s]

    model = nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10))
    fit_with(Optimizer(model.parameters()), slices)

    def get_model():
        model = nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10))
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    out["get_model"] = loss_func(model(xb), yb)
    fit_with(opt, slices)

    class Dataset:
        def __init__(self, x, y):
            self.x, self.y = x, y

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return self.x[i], self.y[i]

    train_ds, valid_ds = Dataset(x_train, y_train), Dataset(x_valid, y_valid)
    assert len(train_ds) == len(x_train)
    xb, yb = train_ds[0:5]
    assert xb.shape == (5, 49)
    assert yb.shape == (5,)
    out["train_ds[0:5]"] = [xb, yb]
    model, opt = get_model()
    fit_with(opt, lambda: (train_ds[i : min(n, i + bs)] for i in range(0, n, bs)))

    class DataLoader:
        def __init__(self, ds, bs):
            self.ds, self.bs = ds, bs

        def __iter__(self):
            for i in range(0, len(self.ds), self.bs):
                yield self.ds[i : i + self.bs]

    train_dl = DataLoader(train_ds, bs)
    xb, yb = next(iter(DataLoader(valid_ds, bs)))
    out["valid_dl"] = [tuple(xb.shape), yb]
    model, opt = get_model()
    fit_with(opt, lambda: train_dl)

    random.seed(0)

    class Sampler:
        def __init__(self, ds, shuffle=False):
            self.n, self.shuffle = len(ds), shuffle

        def __iter__(self):
            res = list(range(self.n))
            if self.shuffle:
                random.shuffle(res)
            return iter(res)

    ss = Sampler(train_ds)
    it = iter(ss)
    out["Sampler"] = [next(it) for o in range(5)] + list(islice(ss, 5))
    ss = Sampler(train_ds, shuffle=True)
    out["shuffled"] = list(islice(ss, 5))

    def chunked(it, chunk_sz, drop_last=False):  # fastcore's
        it = iter(it)
        while True:
            res = list(islice(it, chunk_sz))
            if res and (len(res) == chunk_sz or not drop_last):
                yield res
            if len(res) < chunk_sz:
                return

    class BatchSampler:
        def __init__(self, sampler, bs, drop_last=False):
            self.sampler, self.bs, self.drop_last = sampler, bs, drop_last

        def __iter__(self):
            yield from chunked(iter(self.sampler), self.bs, drop_last=self.drop_last)

    out["BatchSampler"] = list(islice(BatchSampler(ss, 4), 5))

    def collate(b):
        xs, ys = zip(*b)
        return torch.stack(xs), torch.stack(ys)

    class DataLoader:
        def __init__(self, ds, batchs, collate_fn=collate):
            self.ds, self.batchs, self.collate_fn = ds, batchs, collate_fn

        def __iter__(self):
            yield from (self.collate_fn(self.ds[i] for i in b) for b in self.batchs)

    train_samp = BatchSampler(Sampler(train_ds, shuffle=True), bs)
    valid_samp = BatchSampler(Sampler(valid_ds, shuffle=False), bs)
    train_dl = DataLoader(train_ds, batchs=train_samp)
    out["collated"] = list(next(iter(DataLoader(valid_ds, batchs=valid_samp))))
    model, opt = get_model()
    fit_with(opt, lambda: train_dl)

    DataLoader, BatchSampler = data.DataLoader, data.BatchSampler
    RandomSampler, SequentialSampler = data.RandomSampler, data.SequentialSampler
    torch.manual_seed(3)
    train_samp = BatchSampler(RandomSampler(train_ds), bs, drop_last=False)
    valid_samp = BatchSampler(SequentialSampler(valid_ds), bs, drop_last=False)
    out["samplers"] = [list(train_samp), list(valid_samp), len(train_samp), len(valid_samp)]
    train_dl = DataLoader(train_ds, batch_sampler=train_samp, collate_fn=collate)
    valid_dl = DataLoader(valid_ds, batch_sampler=valid_samp, collate_fn=collate)
    out["loader lengths"] = [len(train_dl), len(valid_dl)]
    model, opt = get_model()
    fit_with(opt, lambda: train_dl)
    out["batch_sampler fit"] = [loss_func(model(xb), yb), accuracy(model(xb), yb)]
    train_dl = DataLoader(train_ds, bs, sampler=RandomSampler(train_ds), collate_fn=collate)
    model, opt = get_model()
    fit_with(opt, lambda: train_dl)
    train_dl = DataLoader(train_ds, bs, shuffle=True, drop_last=True, num_workers=0)
    model, opt = get_model()
    fit_with(opt, lambda: train_dl)
    train_dl = DataLoader(train_ds, sampler=train_samp)
    xb, yb = next(iter(train_dl))
    out["sampler of batches"] = [tuple(xb.shape), tuple(yb.shape), xb, yb]
    xb, yb = data.default_collate([valid_ds[i] for i in range(4)])
    out["default_collate"] = [xb, yb]

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss = loss_func(model(xb), yb)
                loss.backward()
                opt.step()
                opt.zero_grad()
            model.eval()
            with torch.no_grad():
                tot_loss, tot_acc, count = 0.0, 0.0, 0
                for xb, yb in valid_dl:
                    pred = model(xb)
                    n = len(xb)
                    count += n
                    tot_loss += loss_func(pred, yb).item() * n
                    tot_acc += accuracy(pred, yb).item() * n
            reported.append([epoch, tot_loss / count, tot_acc / count])
        return tot_loss / count, tot_acc / count

    def get_dls(train_ds, valid_ds, bs, **kwargs):
        return (
            DataLoader(train_ds, batch_size=bs, shuffle=True, **kwargs),
            DataLoader(valid_ds, batch_size=bs * 2, **kwargs),
        )

    train_dl, valid_dl = get_dls(train_ds, valid_ds, bs)
    model, opt = get_model()
    out["fit"] = list(fit(5, model, loss_func, opt, train_dl, valid_dl))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_forward_pass_and_autograd(dtype):
    assert_same(*run(forward_pass, dtype), dtype)


def test_backward_by_hand_keeps_gradients_on_tensors():
    assert_same(*run(backward_by_hand, "float64"), "float64")


@pytest.mark.parametrize("dtype", DTYPES)
def test_minibatch_training(dtype):
    try:
        assert_same(*run(minibatch_training, dtype), dtype)
    finally:
        for lib in (autograd, torch):
            lib.set_printoptions(profile="default")


def test_clamp_min_and_clamp_max_as_torch():
    """03_backprop's ``relu = x.clamp_min(0.)``: the methods, their in-place forms and
    the gradient at the bound (1, as torch's) are torch's."""
    values = [-1.0, 0.0, 0.5, 2.0]
    results = []
    for lib in (autograd, torch):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        lo, hi = x.clamp_min(0.0), x.clamp_max(0.5)
        (lo * 2 + hi * 3).sum().backward()
        y = lib.tensor(values, dtype=lib.float64)
        same = y.clamp_min_(0.0) is y and y.clamp_max_(1.0) is y
        results.append([lo.detach().numpy(), hi.detach().numpy(), x.grad.numpy(), y.numpy(), same])
    ours, theirs = results
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_random_sampler_draws_torchs_orders():
    """RandomSampler without a generator (a new order per pass, seeded from the default
    generator), with one, with replacement and `num_samples`; SubsetRandomSampler."""
    draws = []
    for lib in (autograd, torch):
        d = lib.utils.data
        lib.manual_seed(7)
        plain = d.RandomSampler(range(10))
        g = lib.Generator().manual_seed(3)
        seeded = d.RandomSampler(range(10), generator=g)
        drawn = d.RandomSampler(range(10), replacement=True, num_samples=40)
        longer = d.RandomSampler(range(4), num_samples=10)
        subset = d.SubsetRandomSampler([5, 7, 9, 11], generator=lib.Generator().manual_seed(1))
        samplers = (plain, plain, seeded, seeded, drawn, longer, subset)
        draws.append([list(s) for s in samplers] + [len(drawn), len(longer), len(subset)])
    assert draws[0] == draws[1]


def test_loader_with_sampler_and_batch_sampler_as_torch():
    """A DataLoader given `sampler` batches its indices; given `batch_sampler` takes its
    lists; the pass draws its base seed first, as torch's. Options they replace raise
    torch's ValueError."""
    batches, errors = [], []
    for lib in (autograd, torch):
        d = lib.utils.data
        lib.manual_seed(0)
        ds = d.TensorDataset(lib.arange(11) * 1.0, lib.arange(11))
        by_sampler = d.DataLoader(ds, 4, sampler=d.RandomSampler(ds), drop_last=True)
        batch_sampler = d.BatchSampler(d.SequentialSampler(ds), 3, drop_last=False)
        by_batches = d.DataLoader(ds, batch_sampler=batch_sampler, batch_size=1)
        one_by_one = d.DataLoader(ds, sampler=d.SequentialSampler(ds))  # batch_size 1
        seen = [len(by_sampler), len(by_batches), len(batch_sampler), len(one_by_one)]
        for loader in (by_sampler, by_sampler, by_batches, one_by_one):
            seen.append([[t.tolist() for t in batch] for batch in loader])
        seen.append(lib.rand(2).tolist())  # the default generator after those passes
        batches.append(seen)
        for kwargs in (
            {"sampler": d.SequentialSampler(ds), "shuffle": True},
            {"batch_sampler": batch_sampler, "shuffle": True},
            {"batch_sampler": batch_sampler, "drop_last": True},
            {"batch_sampler": batch_sampler, "sampler": d.SequentialSampler(ds)},
            {"batch_sampler": batch_sampler, "batch_size": 2},
        ):
            with pytest.raises(ValueError) as info:
                d.DataLoader(ds, **kwargs)
            errors.append(str(info.value))
    assert batches[0] == batches[1]
    assert errors[:5] == errors[5:]


def test_batch_sampler_checks_its_arguments_as_torch():
    for lib in (nn.data, torch.utils.data):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            lib.BatchSampler(range(3), 0, False)
        with pytest.raises(ValueError, match="drop_last should be a boolean value"):
            lib.BatchSampler(range(3), 2, 1)
        with pytest.raises(ValueError, match="num_samples should be a positive integer"):
            lib.RandomSampler(range(3), num_samples=0)
        with pytest.raises(TypeError, match="replacement should be a boolean value"):
            lib.RandomSampler(range(3), replacement=1)


def test_tensors_pickle_as_torchs():
    """A pickled tensor comes back as torch's does: values, dtype, class and
    requires_grad, as a leaf without gradient (what a process pool sends)."""
    import pickle

    results = []
    for lib in (autograd, torch):
        lib.manual_seed(0)
        x = lib.rand(3, 2, requires_grad=True)
        (x * 2).sum().backward()
        tensors = [x, x * 3, x[1:], lib.arange(4), lib.arange(4) > 1, lib.nn.Parameter(x.detach())]
        seen = []
        for t in pickle.loads(pickle.dumps(tensors)):
            seen.append([type(t).__name__, t.requires_grad, t.is_leaf, t.grad is None])
            seen.append([str(t.dtype).replace("torch.", ""), t.detach().numpy().tolist()])
        results.append(seen)
    assert results[0] == results[1]


def test_pool_of_workers_makes_the_batches():
    """04_minibatch_training's DataLoader over ``torch.multiprocessing``'s Pool: the
    workers (started by spawn, as JAX forbids fork) index the dataset and send the
    batches back pickled; they are torch's batches."""
    batches = []
    for lib in (autograd, torch):
        lib.manual_seed(0)
        ds = lib.utils.data.TensorDataset(lib.rand(10, 3), lib.arange(10))
        if lib is autograd:
            with lib.multiprocessing.get_context("spawn").Pool(2) as ex:
                made = ex.map(ds.__getitem__, [[0, 1, 2], [3, 4]])
        else:
            made = [ds[[0, 1, 2]], ds[[3, 4]]]
        batches.append([[t.tolist() for t in batch] for batch in made])
    assert batches[0] == batches[1]


def test_a_sampler_without_iter_says_so_as_torch():
    """torch's `Sampler` is a base class: iterating one that defines no `__iter__`
    raises NotImplementedError (here naming the class); it takes no arguments itself."""
    from autograd.utils import data as ours

    for lib_data in (torch.utils.data, ours):

        class Incomplete(lib_data.Sampler):
            pass

        with pytest.raises(NotImplementedError):
            iter(Incomplete())
        with pytest.raises(TypeError):
            Incomplete(range(3))
    with pytest.raises(NotImplementedError, match="Incomplete must define __iter__"):
        iter(Incomplete())  # (ours, the last one made)
