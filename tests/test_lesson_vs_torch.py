"""Lessons written for PyTorch, run twice: with torch and with ``import autograd as torch``.

The code below is a character-level MLP language model as PyTorch lessons write it
(a seeded `torch.Generator`, an embedding table indexed by integer tensors, a
hand-written batch norm with running statistics under `no_grad`, `F.cross_entropy`,
the manual SGD step on `.data`, then sampling names with `multinomial`). Run on the
two libraries it must print the same losses and sample the same names: the same
random draws (`autograd.Generator`), the same dtypes, the same arithmetic.

`backprop_by_hand` derives every gradient of such a network by hand and compares each
with autograd's, as the lesson on backpropagation does; `wavenet` is the hierarchical
model of the lesson after it (its own layer classes, 3-d batch norm); `quickstart` a
PyTorch tutorial's loop with `nn` modules and `optim.SGD`. One spelling differs from the
lesson: `logits.max(dim=1).indices` (here `x.max(1)` is numpy's, the values alone).
The hand-written gradients are computed with grad mode on, as in the lesson: writes
such as `dlogits[range(n), Yb] -= 1` and `dC[ix] += demb[k, j]` are recorded.
"""

from __future__ import annotations

import random
import types
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import optim

real_torch = pytest.importorskip("torch")  # the comparisons need it (CI installs it)

WORDS = "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily".split()


def dataset(torch: types.ModuleType, block_size: int = 3) -> tuple[Any, Any, dict]:
    """Each character of the words (and the end mark ".") as a label, the block_size
    characters before it as its context; the index -> character table."""
    chars = sorted(set("".join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    X, Y = [], []
    for w in WORDS * 10:
        context = [0] * block_size
        for ch in w + ".":
            X.append(context)
            Y.append(stoi[ch])
            context = [*context[1:], stoi[ch]]
    return torch.tensor(X), torch.tensor(Y), {i: s for s, i in stoi.items()}


def lesson(torch: types.ModuleType, F: types.ModuleType, steps: int = 120) -> tuple[list, list]:
    block_size, n_embd, n_hidden = 3, 10, 64
    X, Y, itos = dataset(torch, block_size)
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((len(itos), n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5 / 3) / (30**0.5)
    W2 = torch.randn((n_hidden, len(itos)), generator=g) * 0.01
    b2 = torch.randn(len(itos), generator=g) * 0
    bngain, bnbias = torch.ones((1, n_hidden)), torch.zeros((1, n_hidden))
    bnmean_running, bnstd_running = torch.zeros((1, n_hidden)), torch.ones((1, n_hidden))
    parameters = [C, W1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    losses = []
    for _ in range(steps):
        ix = torch.randint(0, X.shape[0], (32,), generator=g)
        Xb, Yb = X[ix], Y[ix]
        emb = C[Xb]
        hpreact = emb.view(emb.shape[0], -1) @ W1
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        logits = torch.tanh(hpreact) @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        for p in parameters:
            p.data += -0.1 * p.grad
        losses.append(loss.log10().item())
    names = []
    g = torch.Generator().manual_seed(2147483647 + 10)
    with torch.no_grad():
        for _ in range(5):
            out, context = [], [0] * block_size
            while True:
                emb = C[torch.tensor([context])]
                hpreact = emb.view(1, -1) @ W1
                hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
                probs = F.softmax(torch.tanh(hpreact) @ W2 + b2, dim=1)
                ix = torch.multinomial(probs, num_samples=1, generator=g).item()
                context = [*context[1:], ix]
                out.append(ix)
                if ix == 0:
                    break
            names.append("".join(itos[i] for i in out))
    return losses, names


def backprop_by_hand(torch: types.ModuleType, F: types.ModuleType) -> tuple[list, list]:
    checks: list = []
    block_size = 3
    Xtr, Ytr, itos = dataset(torch, block_size)
    vocab_size = len(itos)

    def cmp(s, dt, t):
        app = torch.allclose(dt, t.grad)
        maxdiff = (dt - t.grad).abs().max().item()
        checks.append((s, app, maxdiff))

    n_embd = 10
    n_hidden = 64
    torch.manual_seed(42)
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = (
        torch.randn((n_embd * block_size, n_hidden), generator=g)
        * (5 / 3)
        / ((n_embd * block_size) ** 0.5)
    )
    b1 = torch.randn(n_hidden, generator=g) * 0.1
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    bngain = torch.randn((1, n_hidden)) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden)) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    batch_size = 32
    n = batch_size
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    for p in parameters:
        p.grad = None
    for t in [
        logprobs,
        probs,
        counts,
        counts_sum,
        counts_sum_inv,
        norm_logits,
        logit_maxes,
        logits,
        h,
        hpreact,
        bnraw,
        bnvar_inv,
        bnvar,
        bndiff2,
        bndiff,
        hprebn,
        bnmeani,
        embcat,
        emb,
    ]:
        t.retain_grad()
    loss.backward()
    losses = [loss.item()]
    dlogprobs = torch.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0 / n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
    dcounts += torch.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(logits.max(dim=1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2 * bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]
    for name, d, t in [
        ("logprobs", dlogprobs, logprobs),
        ("probs", dprobs, probs),
        ("counts_sum_inv", dcounts_sum_inv, counts_sum_inv),
        ("counts_sum", dcounts_sum, counts_sum),
        ("counts", dcounts, counts),
        ("norm_logits", dnorm_logits, norm_logits),
        ("logit_maxes", dlogit_maxes, logit_maxes),
        ("logits", dlogits, logits),
        ("h", dh, h),
        ("W2", dW2, W2),
        ("b2", db2, b2),
        ("hpreact", dhpreact, hpreact),
        ("bngain", dbngain, bngain),
        ("bnbias", dbnbias, bnbias),
        ("bnraw", dbnraw, bnraw),
        ("bnvar_inv", dbnvar_inv, bnvar_inv),
        ("bnvar", dbnvar, bnvar),
        ("bndiff2", dbndiff2, bndiff2),
        ("bndiff", dbndiff, bndiff),
        ("bnmeani", dbnmeani, bnmeani),
        ("hprebn", dhprebn, hprebn),
        ("embcat", dembcat, embcat),
        ("W1", dW1, W1),
        ("b1", db1, b1),
        ("emb", demb, emb),
        ("C", dC, C),
    ]:
        cmp(name, d, t)
    # exercise 2
    loss_fast = F.cross_entropy(logits, Yb)
    losses.append(loss_fast.item())
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    cmp("logits", dlogits, logits)
    # exercise 3
    hpreact_fast = (
        bngain
        * (hprebn - hprebn.mean(0, keepdim=True))
        / torch.sqrt(hprebn.var(0, keepdim=True, unbiased=True) + 1e-5)
        + bnbias
    )
    losses.append((hpreact_fast - hpreact).abs().max().item())
    dhprebn = (
        bngain
        * bnvar_inv
        / n
        * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    )
    cmp("hprebn", dhprebn, hprebn)
    return losses, checks


def test_a_pytorch_lesson_prints_the_same_numbers():
    theirs = lesson(real_torch, real_torch.nn.functional)
    ours = lesson(autograd, nn.functional)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    assert ours[0][-1] < ours[0][0] - 0.3  # it learned
    assert ours[1] == theirs[1]


def test_backprop_by_hand_as_a_pytorch_lesson_does_it():
    """Every gradient of an MLP with batch norm derived by hand, step by step, then
    compared with what backward() puts in .grad (retain_grad() on 19 intermediates),
    as the lesson does: the losses are PyTorch's and every hand-derived gradient agrees
    with autograd's (torch.allclose), for both libraries."""
    theirs = backprop_by_hand(real_torch, real_torch.nn.functional)
    ours = backprop_by_hand(autograd, nn.functional)
    np.testing.assert_allclose(ours[0][:2], theirs[0][:2], rtol=1e-6)
    assert ours[0][2] < 1e-5  # the fused batch norm formula agrees with the steps
    assert [name for name, *_ in ours[1]] == [name for name, *_ in theirs[1]]
    assert len(ours[1]) == 28
    for (name, close, maxdiff), (_, close_torch, _) in zip(ours[1], theirs[1]):
        assert close and close_torch, (name, maxdiff)


def quickstart(torch: types.ModuleType, nn: types.ModuleType, optim: types.ModuleType) -> tuple:
    """A PyTorch quickstart's training loop: seeded data and model, SGD with momentum,
    cross entropy, accuracy counted as the tutorial counts it."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    X, y = torch.randn(64, 20), torch.randint(0, 3, (64,))
    X, y = X.to(device), y.to(device)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3)).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(15):
        for i in range(0, 64, 16):
            loss = loss_fn(model(X[i : i + 16]), y[i : i + 16])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(loss.item())
    with torch.no_grad():
        correct = (model(X).argmax(1) == y).type(torch.float).sum().item()
    return losses, correct, [p.detach().numpy() for p in model.parameters()]


def test_a_pytorch_quickstart_gives_the_same_numbers():
    theirs = quickstart(real_torch, real_torch.nn, real_torch.optim)
    ours = quickstart(autograd, nn, optim)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=2e-5)
    assert ours[1] == theirs[1] and ours[0][-1] < ours[0][0] / 2
    for a, b in zip(ours[2], theirs[2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def wavenet(torch: types.ModuleType, F: types.ModuleType) -> tuple:
    """The hierarchical (WaveNet-like) lesson: its own Linear, BatchNorm1d over (0, 1)
    for 3-d inputs, Embedding and FlattenConsecutive classes on raw tensors."""

    class Layer:
        def parameters(self) -> list:
            return []

    class Linear(Layer):
        def __init__(self, fan_in, fan_out, bias=True):
            self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5
            self.bias = torch.zeros(fan_out) if bias else None

        def __call__(self, x):
            self.out = x @ self.weight
            if self.bias is not None:
                self.out += self.bias
            return self.out

        def parameters(self):
            return [self.weight] + ([] if self.bias is None else [self.bias])

    class BatchNorm1d(Layer):
        def __init__(self, dim, eps=1e-5, momentum=0.1):
            self.eps, self.momentum, self.training = eps, momentum, True
            self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
            self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

        def __call__(self, x):
            if self.training:
                dim = 0 if x.ndim == 2 else (0, 1)
                xmean, xvar = x.mean(dim, keepdim=True), x.var(dim, keepdim=True)
            else:
                xmean, xvar = self.running_mean, self.running_var
            self.out = self.gamma * (x - xmean) / torch.sqrt(xvar + self.eps) + self.beta
            if self.training:
                with torch.no_grad():
                    m = self.momentum
                    self.running_mean = (1 - m) * self.running_mean + m * xmean
                    self.running_var = (1 - m) * self.running_var + m * xvar
            return self.out

        def parameters(self):
            return [self.gamma, self.beta]

    class Tanh(Layer):
        def __call__(self, x):
            self.out = torch.tanh(x)
            return self.out

    class Embedding(Layer):
        def __init__(self, num_embeddings, embedding_dim):
            self.weight = torch.randn((num_embeddings, embedding_dim))

        def __call__(self, IX):
            self.out = self.weight[IX]
            return self.out

        def parameters(self):
            return [self.weight]

    class FlattenConsecutive(Layer):
        def __init__(self, n):
            self.n = n

        def __call__(self, x):
            B, T, C = x.shape
            x = x.view(B, T // self.n, C * self.n)
            if x.shape[1] == 1:
                x = x.squeeze(1)
            self.out = x
            return self.out

    torch.manual_seed(42)
    block_size, n_embd, n_hidden = 8, 24, 128
    Xtr, Ytr, itos = dataset(torch, block_size)
    layers = [Embedding(len(itos), n_embd), FlattenConsecutive(2)]
    for n_in in (n_embd * 2, n_hidden * 2, n_hidden * 2):
        if n_in != n_embd * 2:
            layers.append(FlattenConsecutive(2))
        layers += [Linear(n_in, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh()]
    layers.append(Linear(n_hidden, len(itos)))
    with torch.no_grad():
        layers[-1].weight *= 0.1
    parameters = [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad = True

    def model(x):
        for layer in layers:
            x = layer(x)
        return x

    losses = []
    for _ in range(60):
        ix = torch.randint(0, Xtr.shape[0], (32,))
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        for p in parameters:
            p.data += -0.1 * p.grad
        losses.append(loss.item())
    for layer in layers:
        layer.training = False
    names = []
    with torch.no_grad():
        losses.append(F.cross_entropy(model(Xtr), Ytr).item())
        for _ in range(3):
            out, context = [], [0] * block_size
            while not out or out[-1] != 0:
                probs = F.softmax(model(torch.tensor([context])), dim=1)
                out.append(torch.multinomial(probs, num_samples=1).item())
                context = [*context[1:], out[-1]]
            names.append("".join(itos[i] for i in out))
    return losses, names, sum(p.nelement() for p in parameters)


def test_a_hierarchical_pytorch_lesson_prints_the_same_numbers():
    theirs = wavenet(real_torch, real_torch.nn.functional)
    ours = wavenet(autograd, nn.functional)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    assert ours[0][-1] < ours[0][0] / 2 and ours[1:] == theirs[1:]


def linear_regression_from_scratch(torch: types.ModuleType) -> list:
    """A textbook's linear regression from scratch: synthetic data from `normal`, a
    shuffled minibatch iterator, the model, loss and SGD step written by hand."""
    shuffle = random.Random(0).shuffle
    torch.manual_seed(0)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    X = torch.normal(0, 1, (1000, len(true_w)))
    y = torch.matmul(X, true_w) + true_b
    y += torch.normal(0, 0.01, y.shape)
    y = y.reshape((-1, 1))
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    out = []
    for _ in range(3):
        indices = list(range(len(X)))
        shuffle(indices)
        for i in range(0, len(X), 10):
            batch = torch.tensor(indices[i : i + 10])
            loss = (torch.matmul(X[batch], w) + b - y[batch]) ** 2 / 2
            loss.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= 0.03 * param.grad / 10
                    param.grad.zero_()
        with torch.no_grad():
            out.append(float((((torch.matmul(X, w) + b - y) ** 2) / 2).mean()))
    return [*out, *(true_w - w.reshape(true_w.shape)).tolist(), float(true_b - b)]


def test_linear_regression_from_scratch_gives_the_same_numbers():
    theirs = linear_regression_from_scratch(real_torch)
    ours = linear_regression_from_scratch(autograd)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    assert ours[2] < 1e-4  # it fits: the noise's variance / 2


def bigrams(torch: types.ModuleType, F: types.ModuleType) -> list:
    """The counting lesson before the MLP one: bigram counts in an int32 table written
    with ``N[i, j] += 1``, sampling from its rows, the log likelihood, then the same
    model as one linear layer on one-hot inputs trained by gradient descent."""
    itos = dict(enumerate(".abcdefghijklmnopqrstuvwxyz"))
    stoi = {s: i for i, s in itos.items()}
    pairs = [(stoi[a], stoi[b]) for w in WORDS for a, b in zip("." + w, w + ".")]
    N = torch.zeros((27, 27), dtype=torch.int32)
    for i, j in pairs:
        N[i, j] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    g = torch.Generator().manual_seed(2147483647)
    out: list = [torch.multinomial(P[0], num_samples=20, replacement=True, generator=g).tolist()]
    for _ in range(3):
        name, ix = "", 0
        while ix or not name:
            ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
            name += itos[ix]
        out.append(name)
    log_likelihood = 0.0
    for i, j in pairs:
        log_likelihood += torch.log(P[i, j])
    out.append(f"{-log_likelihood / len(pairs):.6f}")
    xs, ys = torch.tensor([i for i, _ in pairs]), torch.tensor([j for _, j in pairs])
    W = torch.randn((27, 27), generator=g, requires_grad=True)
    for _ in range(20):
        counts = (F.one_hot(xs, num_classes=27).float() @ W).exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(xs.nelement()), ys].log().mean() + 0.01 * (W**2).mean()
        W.grad = None
        loss.backward()
        W.data += -50 * W.grad
    return [*out, loss.item()]


def test_the_bigram_lesson_gives_the_same_numbers():
    theirs = bigrams(real_torch, real_torch.nn.functional)
    ours = bigrams(autograd, nn.functional)
    assert ours[:-1] == theirs[:-1]
    assert ours[-1] == pytest.approx(theirs[-1], rel=1e-5)


def gpt(torch: types.ModuleType) -> tuple:
    """The character-level GPT lesson, scaled down: token and position embeddings,
    masked self-attention heads (`tril`, `masked_fill`), LayerNorm, dropout, AdamW,
    `Module.apply` initialization, sampling; written against ``torch.nn``."""
    nn, F = torch.nn, torch.nn.functional
    batch_size, block_size, n_embd, n_head, n_layer, dropout = 8, 16, 32, 4, 2, 0.1
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(1337)
    text = "First Citizen: Before we proceed any further, hear me speak. All: Speak. " * 20
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)

    def get_batch():
        ix = torch.randint(len(data) - block_size, (batch_size,))
        x = torch.stack([data[i : i + block_size] for i in ix])
        y = torch.stack([data[i + 1 : i + block_size + 1] for i in ix])
        return x.to(device), y.to(device)

    class Head(nn.Module):
        def __init__(self, head_size):
            super().__init__()
            self.key = nn.Linear(n_embd, head_size, bias=False)
            self.query = nn.Linear(n_embd, head_size, bias=False)
            self.value = nn.Linear(n_embd, head_size, bias=False)
            self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            T = x.shape[1]
            k, q = self.key(x), self.query(x)
            wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
            wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
            wei = self.dropout(F.softmax(wei, dim=-1))
            return wei @ self.value(x)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleList([Head(n_embd // n_head) for _ in range(n_head)])
            self.proj = nn.Linear(n_embd, n_embd)
            self.ffwd = nn.Sequential(
                nn.Linear(n_embd, 4 * n_embd),
                nn.ReLU(),
                nn.Linear(4 * n_embd, n_embd),
                nn.Dropout(dropout),
            )
            self.ln1, self.ln2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)

        def forward(self, x):
            h = self.ln1(x)
            x = x + self.proj(torch.cat([head(h) for head in self.heads], dim=-1))
            return x + self.ffwd(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding_table = nn.Embedding(len(chars), n_embd)
            self.position_embedding_table = nn.Embedding(block_size, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, len(chars))
            self.apply(self._init_weights)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear | nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                torch.nn.init.zeros_(module.bias)

        def forward(self, idx, targets=None):
            T = idx.shape[1]
            pos = self.position_embedding_table(torch.arange(T, device=device))
            logits = self.lm_head(self.ln_f(self.blocks(self.token_embedding_table(idx) + pos)))
            if targets is None:
                return logits, None
            B, T, C = logits.shape
            return logits, F.cross_entropy(logits.view(B * T, C), targets.view(B * T))

    model = GPT().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(20):
        xb, yb = get_batch()
        _, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    idx = torch.zeros((1, 1), dtype=torch.long, device=device)
    with torch.no_grad():
        for _ in range(20):
            logits, _ = model(idx[:, -block_size:])
            probs = F.softmax(logits[:, -1, :], dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
    return (
        losses,
        "".join(chars[i] for i in idx[0].tolist()),
        sum(p.numel() for p in model.parameters()),
    )


def test_the_gpt_lesson_gives_the_same_numbers():
    theirs = gpt(real_torch)
    ours = gpt(autograd)
    # float32 all along (the initial normals within 3 ulp of torch's): 20 AdamW steps
    # keep the losses within 1e-4
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-4)
    assert ours[1:] == theirs[1:]
    assert ours[0][-1] < ours[0][0] - 0.3
