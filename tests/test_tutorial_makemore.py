"""makemore, parts 2 and 3 (the MLP language model: its learning-rate search over
``10**torch.linspace(-3, 0, 1000)``; the network rewritten with hand-made `Linear`,
`BatchNorm1d` and `Tanh` classes and its diagnostics: activation and gradient
statistics and `torch.histogram` of each layer's output), run twice: with torch and
with ``import autograd as torch`` (gradwork's `nn.functional` as F), in float64 (the
default dtype set to it), on a few names instead of the names file.

Two spellings differ from the lesson, where the two libraries deliberately differ:
`t.std(unbiased=True)` for the lesson's `t.std()` (gradwork's `std()` without `dim` is
numpy's, ddof=0), and `p.std(unbiased=True)` for `p.data.std()` (`Tensor.data` is an
ndarray).
Parts 1 and 4 are in `test_makemore_vs_torch.py` and `test_lesson_vs_torch.py`.
"""

from __future__ import annotations

import random
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import autograd

real_torch = pytest.importorskip("torch")

WORDS = (
    "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily "
    "elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace "
    "chloe penelope layla riley zoey nora lily eleanor hannah quinn xavier jade fitz wyatt"
).split()


@contextmanager
def float64(torch: types.ModuleType) -> Iterator[None]:
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def build_dataset(torch: types.ModuleType, block_size: int = 3) -> tuple[Any, Any, dict]:
    words = list(WORDS)
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    X, Y = [], []
    random.Random(42).shuffle(words)
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = [*context[1:], ix]
    return torch.tensor(X), torch.tensor(Y), {i: s for s, i in stoi.items()}


def learning_rate_search(torch: types.ModuleType, F: types.ModuleType) -> list[Any]:
    printed: list[Any] = []
    Xtr, Ytr, itos = build_dataset(torch)
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 200), generator=g)
    b1 = torch.randn(200, generator=g)
    W2 = torch.randn((200, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    parameters = [C, W1, b1, W2, b2]
    printed.append(sum(p.nelement() for p in parameters))
    for p in parameters:
        p.requires_grad = True
    lre = torch.linspace(-3, 0, 1000)
    lrs = 10**lre
    printed += [lre, lrs]
    lri, lossi = [], []
    for i in range(0, 450, 3):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        emb = C[Xtr[ix]]
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = lrs[i]
        for p in parameters:
            p.data += -lr * p.grad
        lri.append(lre[i].item())
        lossi.append(loss.log10().item())
    printed += [lri, lossi]
    g = torch.Generator().manual_seed(2147483647 + 10)
    for _ in range(3):
        out, context = [], [0] * 3
        while True:
            emb = C[torch.tensor([context])]
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            probs = F.softmax(h @ W2 + b2, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = [*context[1:], ix]
            out.append(ix)
            if ix == 0:
                break
        printed.append("".join(itos[i] for i in out))
    return printed


def layers_and_diagnostics(torch: types.ModuleType, F: types.ModuleType) -> list[Any]:
    printed: list[Any] = []
    Xtr, Ytr, _ = build_dataset(torch)
    g = torch.Generator().manual_seed(2147483647)

    class Linear:
        def __init__(self, fan_in, fan_out, bias=True):
            self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
            self.bias = torch.zeros(fan_out) if bias else None

        def __call__(self, x):
            self.out = x @ self.weight
            if self.bias is not None:
                self.out += self.bias
            return self.out

        def parameters(self):
            return [self.weight] + ([] if self.bias is None else [self.bias])

    class BatchNorm1d:
        def __init__(self, dim, eps=1e-5, momentum=0.1):
            self.eps, self.momentum, self.training = eps, momentum, True
            self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
            self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

        def __call__(self, x):
            if self.training:
                xmean = x.mean(0, keepdim=True)
                xvar = x.var(0, keepdim=True)
            else:
                xmean, xvar = self.running_mean, self.running_var
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
            self.out = self.gamma * xhat + self.beta
            if self.training:
                with torch.no_grad():
                    m = self.momentum
                    self.running_mean = (1 - m) * self.running_mean + m * xmean
                    self.running_var = (1 - m) * self.running_var + m * xvar
            return self.out

        def parameters(self):
            return [self.gamma, self.beta]

    class Tanh:
        def __call__(self, x):
            self.out = torch.tanh(x)
            return self.out

        def parameters(self):
            return []

    n_embd, n_hidden, vocab_size = 10, 100, 27
    C = torch.randn((vocab_size, n_embd), generator=g)
    layers = [
        Linear(n_embd * 3, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, n_hidden), Tanh(),
        Linear(n_hidden, vocab_size, bias=False), BatchNorm1d(vocab_size),
    ]  # fmt: skip
    with torch.no_grad():
        layers[-1].gamma *= 0.1
        for layer in layers[:-1]:
            if isinstance(layer, Linear):
                layer.weight *= 5 / 3
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    printed.append(sum(p.nelement() for p in parameters))
    for p in parameters:
        p.requires_grad = True
    lossi, ud = [], []
    for i in range(30):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        emb = C[Xtr[ix]]
        x = emb.view(emb.shape[0], -1)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Ytr[ix])
        for layer in layers:
            layer.out.retain_grad()
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 20 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())
        with torch.no_grad():
            ud.append(
                [
                    ((lr * p.grad).std(unbiased=True) / p.std(unbiased=True)).log10().item()
                    for p in parameters
                ]
            )
    printed += [lossi, ud]
    for i, layer in enumerate(layers[:-1]):
        if isinstance(layer, Tanh):
            t = layer.out
            saturated = (t.abs() > 0.97).float().mean() * 100
            printed.append(
                "layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%"  # noqa: UP031
                % (i, layer.__class__.__name__, t.mean(), t.std(unbiased=True), saturated)
            )
            hy, hx = torch.histogram(t, density=True)
            printed += [hx[:-1].detach(), hy.detach()]
            t = layer.out.grad
            printed.append((t.mean().item(), t.std(unbiased=True).item()))
            printed += list(torch.histogram(t, 50))
    for p in parameters:
        if p.ndim == 2:
            t = p.grad
            ratio = t.std(unbiased=True) / p.std(unbiased=True)
            printed += [tuple(p.shape), (t.mean().item(), ratio.item())]
    for layer in layers:
        layer.training = False
    with torch.no_grad():
        x = C[Xtr].view(Xtr.shape[0], -1)
        for layer in layers:
            x = layer(x)
        printed.append(F.cross_entropy(x, Ytr).item())
    return printed


def assert_same(ours: list[Any], theirs: list[Any]) -> None:
    """Integers and strings exactly, floats to 1e-10 (1e-12 near 0)."""
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if hasattr(b, "numpy"):
            a, b = a.numpy(), b.detach().numpy()
            assert a.dtype == b.dtype, i
        if isinstance(b, np.ndarray | list | tuple) and not isinstance(b, str):
            np.testing.assert_allclose(
                np.asarray(a), np.asarray(b), rtol=1e-10, atol=1e-12, err_msg=str(i)
            )
        else:
            assert a == b, i


def test_learning_rate_search_gives_the_same_numbers():
    with float64(real_torch), float64(autograd):
        ours = learning_rate_search(autograd, autograd.nn.functional)
        theirs = learning_rate_search(real_torch, real_torch.nn.functional)
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())  # lre, to the bit
    assert_same(ours, theirs)


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")  # torch's, on %f
def test_hand_made_layers_and_their_histograms_give_the_same_numbers():
    with float64(real_torch), float64(autograd):
        ours = layers_and_diagnostics(autograd, autograd.nn.functional)
        theirs = layers_and_diagnostics(real_torch, real_torch.nn.functional)
    assert_same(ours, theirs)
