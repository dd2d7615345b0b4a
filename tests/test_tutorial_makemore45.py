"""makemore, parts 4 ("Becoming a backprop ninja") and 5 ("Building a WaveNet"), written
as the lectures write them, run twice: with torch and with ``import autograd as torch``
(gradwork's `nn` for `torch.nn`, `nn.functional` as F), seeded alike, in float32 and in
float64 (the default dtype set to it), on a few hundred made-up names instead of the
names file. Every line the lectures print is compared: words with words, numbers with
numbers (to the digits printed, or to rounding for the dtype).

Part 4: the MLP with batch norm written out in its many small steps, every gradient of
exercise 1 derived by hand and checked with the lecture's `cmp` (exact, approximate,
maxdiff) against what `backward()` left in `.grad`; the fused cross entropy (exercise
2) and batch norm (exercise 3) backward; the training loop with the manual backward
(exercise 4) under `torch.no_grad()` and, for its first steps, against autograd;
batch norm calibrated on the training set, `@torch.no_grad()` on `split_loss`, names
sampled with `torch.multinomial(..., generator=g)`.

Part 5: the lecture's own `Linear`, `BatchNorm1d` (over (0, 1) for 3-d inputs),
`Tanh`, `Embedding`, `FlattenConsecutive` and `Sequential`; the layer-by-layer shape
printout, the broadcasting experiments, the training loop, the loss curve averaged
with ``torch.tensor(lossi).view(-1, k).mean(1)``, evaluation and sampling. Then the
same network from `nn` modules (`nn.Embedding`, `nn.Unflatten`/`nn.Flatten`,
`nn.BatchNorm1d` on (N, C) or, transposed, on (N, C, L) as torch wants it).

Where the two libraries differ on purpose, the printed lines are compared after
`same_spelling`: a shape prints as a tuple (`torch.Size([32, 3])` is ``(32, 3)``) and
a tensor as ``Tensor(...)``. One spelling differs from the lecture:
``logits.max(1, keepdim=False).indices`` for ``logits.max(1).indices`` (here
``x.max(1)`` is numpy's, the values alone; `test_max_over_a_positional_dim_is_numpys`).
"""

from __future__ import annotations

import random
import re
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

import numpy as np
import pytest

import autograd
import nn

real_torch = pytest.importorskip("torch")

Say = Callable[..., None]

DTYPES = ["float32", "float64"]


def make_words(count: int = 300, seed: int = 0) -> list[str]:
    """Lowercase made-up names (syllables, sometimes a last consonant)."""
    rng = random.Random(seed)
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiouy"
    words = []
    for _ in range(count):
        w = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(1, 4)))
        words.append(w + rng.choice("nsxq") if rng.random() < 0.3 else w)
    return words


def build_splits(torch: types.ModuleType, say: Say, block_size: int) -> tuple:
    """The lectures' vocabulary and their 80/10/10 split of the shuffled words."""
    words = make_words()
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}

    def build_dataset(words):
        X, Y = [], []
        for w in words:
            context = [0] * block_size
            for ch in w + ".":
                ix = stoi[ch]
                X.append(context)
                Y.append(ix)
                context = [*context[1:], ix]
        X = torch.tensor(X)
        Y = torch.tensor(Y)
        say(X.shape, Y.shape)
        return X, Y

    random.seed(42)
    random.shuffle(words)
    n1 = int(0.8 * len(words))
    n2 = int(0.9 * len(words))
    return (
        itos,
        build_dataset(words[:n1]),
        build_dataset(words[n1:n2]),
        build_dataset(words[n2:]),
    )


def backprop_ninja(torch: types.ModuleType, F: types.ModuleType, say: Say) -> None:
    """makemore part 4, as the lecture writes it (shortened: a few training steps)."""
    block_size = 3
    itos, (Xtr, Ytr), (Xdev, Ydev), (Xte, Yte) = build_splits(torch, say, block_size)
    vocab_size = len(itos)
    say(itos, vocab_size)

    def cmp(s, dt, t):
        ex = torch.all(dt == t.grad).item()
        app = torch.allclose(dt, t.grad)
        maxdiff = (dt - t.grad).abs().max().item()
        say(f"{s:15s} | exact: {ex!s:5s} | approximate: {app!s:5s} | maxdiff: {maxdiff}")

    torch.manual_seed(42)  # (the lecture draws bngain and bnbias unseeded)
    n_embd = 10
    n_hidden = 64
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
    say(sum(p.nelement() for p in parameters))
    for p in parameters:
        p.requires_grad = True

    batch_size = 32
    n = batch_size
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    say(ix)

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
    for t in [logprobs, probs, counts, counts_sum, counts_sum_inv,
              norm_logits, logit_maxes, logits, h, hpreact, bnraw,
              bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
              embcat, emb]:  # fmt: skip
        t.retain_grad()
    loss.backward()
    say(loss.item())

    # Exercise 1: backprop through the whole thing manually.
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
    indices = logits.max(1, keepdim=False).indices  # the lecture: logits.max(1).indices
    dlogits += F.one_hot(indices, num_classes=logits.shape[1]) * dlogit_maxes
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

    cmp("logprobs", dlogprobs, logprobs)
    cmp("probs", dprobs, probs)
    cmp("counts_sum_inv", dcounts_sum_inv, counts_sum_inv)
    cmp("counts_sum", dcounts_sum, counts_sum)
    cmp("counts", dcounts, counts)
    cmp("norm_logits", dnorm_logits, norm_logits)
    cmp("logit_maxes", dlogit_maxes, logit_maxes)
    cmp("logits", dlogits, logits)
    cmp("h", dh, h)
    cmp("W2", dW2, W2)
    cmp("b2", db2, b2)
    cmp("hpreact", dhpreact, hpreact)
    cmp("bngain", dbngain, bngain)
    cmp("bnbias", dbnbias, bnbias)
    cmp("bnraw", dbnraw, bnraw)
    cmp("bnvar_inv", dbnvar_inv, bnvar_inv)
    cmp("bnvar", dbnvar, bnvar)
    cmp("bndiff2", dbndiff2, bndiff2)
    cmp("bndiff", dbndiff, bndiff)
    cmp("bnmeani", dbnmeani, bnmeani)
    cmp("hprebn", dhprebn, hprebn)
    cmp("embcat", dembcat, embcat)
    cmp("W1", dW1, W1)
    cmp("b1", db1, b1)
    cmp("emb", demb, emb)
    cmp("C", dC, C)

    # Exercise 2: the cross entropy backward in one go.
    loss_fast = F.cross_entropy(logits, Yb)
    say(loss_fast.item(), "diff:", (loss_fast - loss).item())
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    cmp("logits", dlogits, logits)
    say(F.softmax(logits, 1)[0].detach())
    say((dlogits[0] * n).detach(), dlogits[0].sum().item())

    # Exercise 3: the batch norm backward in one go.
    hpreact_fast = (
        bngain
        * (hprebn - hprebn.mean(0, keepdim=True))
        / torch.sqrt(hprebn.var(0, keepdim=True, unbiased=True) + 1e-5)
        + bnbias
    )
    say("max diff:", (hpreact_fast - hpreact).abs().max().item())
    dhprebn = (
        bngain
        * bnvar_inv
        / n
        * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    )
    cmp("hprebn", dhprebn, hprebn)

    # Exercise 4: the training loop with the manual backward; its first steps with
    # loss.backward() too, to compare; then all of it under no_grad.
    def train(max_steps: int, check: bool) -> list:
        n_hidden = 200
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
        say(sum(p.nelement() for p in parameters))
        for p in parameters:
            p.requires_grad = True
        lossi = []
        for i in range(max_steps):
            ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
            Xb, Yb = Xtr[ix], Ytr[ix]
            emb = C[Xb]
            embcat = emb.view(emb.shape[0], -1)
            hprebn = embcat @ W1 + b1
            bnmean = hprebn.mean(0, keepdim=True)
            bnvar = hprebn.var(0, keepdim=True, unbiased=True)
            bnvar_inv = (bnvar + 1e-5) ** -0.5
            bnraw = (hprebn - bnmean) * bnvar_inv
            hpreact = bngain * bnraw + bnbias
            h = torch.tanh(hpreact)
            logits = h @ W2 + b2
            loss = F.cross_entropy(logits, Yb)
            for p in parameters:
                p.grad = None
            if check:
                loss.backward()  # use this for correctness comparisons
            dlogits = F.softmax(logits, 1)
            dlogits[range(n), Yb] -= 1
            dlogits /= n
            dh = dlogits @ W2.T
            dW2 = h.T @ dlogits
            db2 = dlogits.sum(0)
            dhpreact = (1.0 - h**2) * dh
            dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
            dbnbias = dhpreact.sum(0, keepdim=True)
            dhprebn = (
                bngain
                * bnvar_inv
                / n
                * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
            )
            dembcat = dhprebn @ W1.T
            dW1 = embcat.T @ dhprebn
            db1 = dhprebn.sum(0)
            demb = dembcat.view(emb.shape)
            dC = torch.zeros_like(C)
            for k in range(Xb.shape[0]):
                for j in range(Xb.shape[1]):
                    ix = Xb[k, j]
                    dC[ix] += demb[k, j]
            grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]
            lr = 0.1 if i < max_steps // 2 else 0.01
            for p, grad in zip(parameters, grads):
                p.data += -lr * grad
            if i % 10 == 0:
                say(f"{i:7d}/{max_steps:7d}: {loss.item():.4f}")
            lossi.append(loss.log10().item())
        if check:
            for p, grad in zip(parameters, grads):
                cmp(str(tuple(p.shape)), grad, p)
        say(lossi)
        return parameters

    train(2, check=True)
    with torch.no_grad():
        C, W1, b1, W2, b2, bngain, bnbias = train(30, check=False)

    # Calibrate the batch norm at the end of training.
    with torch.no_grad():
        emb = C[Xtr]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        bnmean = hpreact.mean(0, keepdim=True)
        bnvar = hpreact.var(0, keepdim=True, unbiased=True)

    @torch.no_grad()
    def split_loss(split):
        x, y = {"train": (Xtr, Ytr), "val": (Xdev, Ydev), "test": (Xte, Yte)}[split]
        emb = C[x]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        hpreact = bngain * (hpreact - bnmean) * (bnvar + 1e-5) ** -0.5 + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, y)
        say(split, loss.item(), loss.requires_grad)

    split_loss("train")
    split_loss("val")

    g = torch.Generator().manual_seed(2147483647 + 10)
    for _ in range(5):
        out = []
        context = [0] * block_size
        while True:
            emb = C[torch.tensor([context])]
            embcat = emb.view(emb.shape[0], -1)
            hpreact = embcat @ W1 + b1
            hpreact = bngain * (hpreact - bnmean) * (bnvar + 1e-5) ** -0.5 + bnbias
            h = torch.tanh(hpreact)
            logits = h @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = [*context[1:], ix]
            out.append(ix)
            if ix == 0:
                break
        say("".join(itos[i] for i in out))


def wavenet(torch: types.ModuleType, F: types.ModuleType, say: Say) -> None:
    """makemore part 5, as the lecture writes it (shortened: 20 training steps)."""
    block_size = 8
    itos, (Xtr, Ytr), (Xdev, Ydev), (Xte, Yte) = build_splits(torch, say, block_size)
    vocab_size = len(itos)
    for x, y in zip(Xtr[:20], Ytr[:20]):
        say("".join(itos[ix.item()] for ix in x), "-->", itos[y.item()])

    class Linear:
        def __init__(self, fan_in, fan_out, bias=True):
            self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5  # note: kaiming init
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
            self.eps = eps
            self.momentum = momentum
            self.training = True
            # parameters (trained with backprop)
            self.gamma = torch.ones(dim)
            self.beta = torch.zeros(dim)
            # buffers (trained with a running 'momentum update')
            self.running_mean = torch.zeros(dim)
            self.running_var = torch.ones(dim)

        def __call__(self, x):
            if self.training:
                if x.ndim == 2:
                    dim = 0
                elif x.ndim == 3:
                    dim = (0, 1)
                xmean = x.mean(dim, keepdim=True)  # batch mean
                xvar = x.var(dim, keepdim=True)  # batch variance
            else:
                xmean = self.running_mean
                xvar = self.running_var
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
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

    class Embedding:
        def __init__(self, num_embeddings, embedding_dim):
            self.weight = torch.randn((num_embeddings, embedding_dim))

        def __call__(self, IX):
            self.out = self.weight[IX]
            return self.out

        def parameters(self):
            return [self.weight]

    class FlattenConsecutive:
        def __init__(self, n):
            self.n = n

        def __call__(self, x):
            B, T, C = x.shape
            x = x.view(B, T // self.n, C * self.n)
            if x.shape[1] == 1:
                x = x.squeeze(1)
            self.out = x
            return self.out

        def parameters(self):
            return []

    class Sequential:
        def __init__(self, layers):
            self.layers = layers

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            self.out = x
            return self.out

        def parameters(self):
            return [p for layer in self.layers for p in layer.parameters()]

    torch.manual_seed(42)
    n_embd = 24
    n_hidden = 128
    model = Sequential([
        Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, vocab_size),
    ])  # fmt: skip
    with torch.no_grad():
        model.layers[-1].weight *= 0.1  # last layer make less confident
    parameters = model.parameters()
    say(sum(p.nelement() for p in parameters))
    for p in parameters:
        p.requires_grad = True

    # A look inside: a batch of 4, the shape after each layer.
    ix = torch.randint(0, Xtr.shape[0], (4,))
    Xb, Yb = Xtr[ix], Ytr[ix]
    logits = model(Xb)
    say(Xb.shape)
    say(Xb)
    for layer in model.layers:
        say(layer.__class__.__name__, ":", tuple(layer.out.shape))
    say(model.layers[0].out.shape, model.layers[1].out.shape, model.layers[2].out.shape)
    say((torch.randn(4, 80) @ torch.randn(80, 200) + torch.randn(200)).shape)
    say((torch.randn(4, 5, 80) @ torch.randn(80, 200) + torch.randn(200)).shape)
    say((torch.randn(4, 4, 20) @ torch.randn(20, 200) + torch.randn(200)).shape)
    e = torch.randn(4, 8, 10)
    explicit = torch.cat([e[:, ::2, :], e[:, 1::2, :]], dim=2)
    say(explicit.shape, (e.view(4, 4, 20) == explicit).all())
    e = torch.randn(32, 4, 68)
    emean = e.mean((0, 1), keepdim=True)
    evar = e.var((0, 1), keepdim=True)
    ehat = (e - emean) / torch.sqrt(evar + 1e-5)
    say(ehat.shape, emean.shape, evar.shape, model.layers[3].running_mean.shape)

    max_steps = 20
    batch_size = 32
    lossi = []
    for i in range(max_steps):
        ix = torch.randint(0, Xtr.shape[0], (batch_size,))
        Xb, Yb = Xtr[ix], Ytr[ix]
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 15 else 0.01  # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad
        if i % 10 == 0:
            say(f"{i:7d}/{max_steps:7d}: {loss.item():.4f}")
        lossi.append(loss.log10().item())
    say(torch.arange(10).view(2, 5))
    say(torch.tensor(lossi).view(-1, 5).mean(1))

    for layer in model.layers:
        layer.training = False

    @torch.no_grad()
    def split_loss(split):
        x, y = {"train": (Xtr, Ytr), "val": (Xdev, Ydev), "test": (Xte, Yte)}[split]
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        say(split, loss.item())

    split_loss("train")
    split_loss("val")
    for _ in range(5):
        out = []
        context = [0] * block_size
        while True:
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1).item()
            context = [*context[1:], ix]
            out.append(ix)
            if ix == 0:
                break
        say("".join(itos[i] for i in out))


def wavenet_modules(
    torch: types.ModuleType, nn: types.ModuleType, say: Say, *, transposed: bool
) -> None:
    """The same network from torch's modules: `nn.Unflatten` then `nn.Flatten` for the
    lecture's FlattenConsecutive; `nn.BatchNorm1d` normalizes dim 1 of (N, C) or
    (N, C, L), so over the (batch, time) positions either on (batch*time, channels)
    or on the input transposed to (batch, channels, time)."""
    F = nn.functional
    block_size = 8
    itos, (Xtr, Ytr), (Xdev, Ydev), _ = build_splits(torch, say, block_size)
    vocab_size = len(itos)

    class Transpose(nn.Module):
        def forward(self, x):
            return x.transpose(1, 2)

    def norm(n_hidden: int, T: int) -> list:
        if transposed:
            return [Transpose(), nn.BatchNorm1d(n_hidden), Transpose()]
        return [nn.Flatten(0, 1), nn.BatchNorm1d(n_hidden), nn.Unflatten(0, (-1, T))]

    torch.manual_seed(42)
    n_embd, n_hidden = 24, 128
    model = nn.Sequential(
        nn.Embedding(vocab_size, n_embd),
        nn.Unflatten(1, (4, 2)), nn.Flatten(2),
        nn.Linear(n_embd * 2, n_hidden, bias=False), *norm(n_hidden, 4), nn.Tanh(),
        nn.Unflatten(1, (2, 2)), nn.Flatten(2),
        nn.Linear(n_hidden * 2, n_hidden, bias=False), *norm(n_hidden, 2), nn.Tanh(),
        nn.Flatten(),
        nn.Linear(n_hidden * 2, n_hidden, bias=False), nn.BatchNorm1d(n_hidden), nn.Tanh(),
        nn.Linear(n_hidden, vocab_size),
    )  # fmt: skip
    with torch.no_grad():
        model[-1].weight *= 0.1
    say(sum(p.nelement() for p in model.parameters()))
    say([tuple(p.shape) for p in model.parameters()])
    say([p.sum().item() for p in model.parameters()])
    x = Xtr[:4]
    for layer in model:
        x = layer(x)
        say(layer.__class__.__name__, ":", tuple(x.shape))
    lossi = []
    for i in range(20):
        ix = torch.randint(0, Xtr.shape[0], (32,))
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        for p in model.parameters():
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 15 else 0.01
        for p in model.parameters():
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())
    say(lossi)
    bn = model[5]
    say(bn.running_mean[:5].tolist(), bn.running_var[:5].tolist(), bn.num_batches_tracked.item())
    model.eval()
    with torch.no_grad():
        say("train", F.cross_entropy(model(Xtr), Ytr).item())
        say("val", F.cross_entropy(model(Xdev), Ydev).item())
        for _ in range(5):
            out, context = [], [0] * block_size
            while not out or out[-1] != 0:
                probs = F.softmax(model(torch.tensor([context])), dim=1)
                out.append(torch.multinomial(probs, num_samples=1).item())
                context = [*context[1:], out[-1]]
            say("".join(itos[i] for i in out))


@contextmanager
def default_dtype(torch: types.ModuleType, name: str) -> Iterator[None]:
    before = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, name))
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def printed(program: Callable[[Say], None], torch: types.ModuleType, dtype: str) -> list[str]:
    """What `program(say)` prints with `torch`'s default dtype set to `dtype` (one
    string a line, as `print` joins its arguments)."""
    lines: list[str] = []

    def say(*values: object) -> None:
        lines.append(" ".join(str(v) for v in values))

    with default_dtype(torch, dtype):
        program(say)
    return lines


NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
MAXDIFF = re.compile(r"maxdiff: (\S+)")
APPROXIMATE = re.compile(r"approximate: (True|False) *")


def same_spelling(line: str) -> str:
    """torch's line as gradwork spells it: shapes are tuples, tensors `Tensor(...)`."""
    line = re.sub(r"torch\.Size\(\[([^\]]*)\]\)", lambda m: _tuple(m.group(1)), line)
    return line.replace("tensor(", "Tensor(")


def _tuple(inside: str) -> str:
    return f"({inside},)" if inside and "," not in inside else f"({inside})"


def assert_same_lines(ours: list[str], theirs: list[str], dtype: str) -> None:
    """The same words; the same numbers to the dtype's rounding, those printed with 4
    decimals (a tensor's repr, ``f"{loss:.4f}"``) to their last digit; a maxdiff of
    rounding noise (both below `tiny`) may differ."""
    rtol, tiny = (1e-5, 1e-6) if dtype == "float32" else (1e-12, 1e-15)
    assert len(ours) == len(theirs)
    for our, their in zip(ours, map(same_spelling, theirs)):
        diffs = [float(m[1]) for m in map(MAXDIFF.search, (our, their)) if m]
        if diffs and all(d < tiny for d in diffs):
            # rounding noise both: `allclose`'s atol (1e-8) lies within float32's
            # rounding, so its answer may differ (maxdiff 1.0e-8 here, 3.7e-9 in torch)
            our, their = (APPROXIMATE.sub("approximate: ? ", line) for line in (our, their))
        assert NUMBER.sub("#", our) == NUMBER.sub("#", their), (our, their)
        for a, b in zip(NUMBER.findall(our), NUMBER.findall(their)):
            x, y = float(a), float(b)
            last_digit = 1.01e-4 if re.fullmatch(r"-?\d+\.\d{4}", b) else 0.0
            tol = max(rtol * abs(y), last_digit)
            assert (abs(x) < tiny and abs(y) < tiny) or abs(x - y) <= tol, (a, b, our, their)


@pytest.mark.parametrize("dtype", DTYPES)
def test_backprop_ninja_prints_what_torch_prints(dtype: str) -> None:
    theirs = printed(
        partial(backprop_ninja, real_torch, real_torch.nn.functional), real_torch, dtype
    )
    ours = printed(partial(backprop_ninja, autograd, nn.functional), autograd, dtype)
    assert_same_lines(ours, theirs, dtype)
    checks = [line for line in ours if "| exact:" in line]
    assert len(checks) == 26 + 2 + 7
    # every manual gradient is the engine's: `allclose`, or in float32 within rounding
    # noise of it (allclose's atol of 1e-8 is finer than float32's rounding here)
    noise = 1e-6 if dtype == "float32" else 0.0
    assert all(
        "approximate: True" in line or float(MAXDIFF.search(line)[1]) < noise for line in checks
    ), checks
    assert sum("exact: True" in line for line in checks) >= 5  # the first steps are exact


@pytest.mark.parametrize("dtype", DTYPES)
def test_wavenet_prints_what_torch_prints(dtype: str) -> None:
    theirs = printed(partial(wavenet, real_torch, real_torch.nn.functional), real_torch, dtype)
    ours = printed(partial(wavenet, autograd, nn.functional), autograd, dtype)
    assert_same_lines(ours, theirs, dtype)
    assert "FlattenConsecutive : (4, 256)" in ours and "Linear : (4, 27)" in ours


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_wavenet_from_modules_prints_what_torch_prints(dtype: str, transposed: bool) -> None:
    program = partial(wavenet_modules, real_torch, real_torch.nn, transposed=transposed)
    theirs = printed(program, real_torch, dtype)
    ours = printed(partial(wavenet_modules, autograd, nn, transposed=transposed), autograd, dtype)
    assert_same_lines(ours, theirs, dtype)
    assert ("BatchNorm1d : (4, 128, 2)" if transposed else "BatchNorm1d : (8, 128)") in ours


def test_max_over_a_positional_dim_is_numpys() -> None:
    """`x.max(1)` is numpy's max (the values alone), where torch's is (values, indices):
    the lecture's ``logits.max(1).indices`` raises a clear AttributeError here."""
    logits = autograd.tensor(np.array([[0.0, 2.0, 1.0], [3.0, 1.0, 0.0]]))
    np.testing.assert_array_equal(logits.max(1).numpy(), [2.0, 3.0])
    with pytest.raises(AttributeError, match=r"x\.max\(dim=1\)"):
        logits.max(1).indices  # noqa: B018
    assert logits.max(1, keepdim=False).indices.tolist() == [1, 0]
    assert real_torch.tensor(logits.numpy()).max(1).indices.tolist() == [1, 0]


def raised(f: Callable[..., object], *args: object) -> BaseException:
    """The exception `f(*args)` raises (the test fails when it returns)."""
    with pytest.raises(Exception) as info:
        f(*args)
    return info.value


@pytest.mark.parametrize(
    ("size", "shape"),
    [(30, (-1, 1000)), (270, (4, -1)), (30, (31,)), (6, (0, -1)), (2, ()), (30, (-1, -1)),
     (30, (-2, 15)), (0, (0, -1))],
)  # fmt: skip
def test_a_view_that_does_not_fit_raises_torchs_error(size: int, shape: tuple) -> None:
    """The lecture's ``torch.tensor(lossi).view(-1, 1000)`` on a loss list that is not a
    multiple of 1000 long: torch's RuntimeError and message (it was numpy's message,
    "cannot reshape array of size 30 into shape (1000)", the -1 dropped)."""
    theirs = raised(lambda: real_torch.zeros(size).view(shape))
    for f in (
        lambda: autograd.zeros(size).view(shape),
        lambda: autograd.zeros(size).reshape(shape),
    ):
        ours = raised(f)
        assert isinstance(ours, RuntimeError) and isinstance(theirs, RuntimeError)
        assert str(ours) == str(theirs)


def test_wrong_input_to_a_module_is_a_runtime_error_as_in_torch() -> None:
    """torch's `nn.BatchNorm1d` normalizes dim 1: given the lecture's (batch, time,
    channels) it raises a RuntimeError, as `nn.Linear` and `nn.Unflatten` do on an input
    that does not fit. Ours raise one too (a ValueError as well, as before), and the
    batch norm's says where the channels go."""
    x = np.random.default_rng(0).standard_normal((4, 4, 128))
    cases = [
        (lambda m: m.BatchNorm1d(128), x, r"got \(4, 4, 128\): the channels go on dim 1"),
        (lambda m: m.BatchNorm1d(128), x[:, :, :5], r"expected input of shape \(batch, 128"),
        (lambda m: m.Linear(10, 3), x[0, :, :11], r"expected input of shape \(batch, 10\)"),
        (lambda m: m.Unflatten(1, (3, 2)), x, r"\(3, 2\) does not fit size 4 of dim 1"),
    ]
    for make, value, message in cases:
        theirs = raised(make(real_torch.nn), real_torch.tensor(value, dtype=real_torch.float))
        ours = raised(make(nn), autograd.tensor(value, dtype=autograd.float32))
        assert isinstance(theirs, RuntimeError) and isinstance(ours, RuntimeError), ours
        assert isinstance(ours, ValueError) and re.search(message, str(ours)), ours


def _targets(kind: str, rng: np.random.Generator) -> np.ndarray:
    shapes = {"3d": (4, 3), "4d": (2, 3, 2), "1d": ()}
    classes_on_dim_1 = {"3d": (0, 2, 1), "4d": (0, 3, 1, 2), "1d": (0,)}
    if kind.endswith("probs"):
        base = kind.split("-")[0]
        p = rng.dirichlet(np.ones(5), shapes[base] or None)
        return p.transpose(classes_on_dim_1[base])
    t = rng.integers(0, 5, shapes[kind])
    if kind == "3d":
        t[0, 0] = -100  # ignored
    return t


@pytest.mark.parametrize("kind", ["3d", "4d", "1d", "3d-probs", "1d-probs"])
@pytest.mark.parametrize(
    "options",
    [{}, {"reduction": "none"}, {"reduction": "sum"}, {"label_smoothing": 0.1}, {"weight": "w"}],
)
def test_cross_entropy_with_the_classes_on_dim_1_as_torch(kind: str, options: dict) -> None:
    """torch's `F.cross_entropy` takes logits (N, C, d1, ..., dk) with targets
    (N, d1, ..., dk) (or probabilities of the logits' shape), and one sample's logits
    (C,) with a class index: the value and the gradient are torch's (it raised
    "input must be logits of shape (N, C)")."""
    rng = np.random.default_rng(0)
    shape = {"3d": (4, 5, 3), "4d": (2, 5, 3, 2), "1d": (5,)}[kind.split("-")[0]]
    logits, target = rng.standard_normal(shape), _targets(kind, rng)
    results = []
    for torch, F in ((real_torch, real_torch.nn.functional), (autograd, nn.functional)):
        x = torch.tensor(logits, requires_grad=True)
        kw = dict(options)
        if kw.get("weight"):
            kw["weight"] = torch.tensor(np.arange(1.0, 6.0))
        loss = F.cross_entropy(x, torch.tensor(target), **kw)
        (loss * loss.detach()).sum().backward()  # each output weighed by its value
        results.append((loss.detach().numpy(), x.grad.numpy()))
    (their_loss, their_grad), (our_loss, our_grad) = results
    assert our_loss.shape == their_loss.shape
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-12)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("logits", "target"), [((4, 27, 8), (4, 3)), ((4, 5, 3), (4, 3, 1))])
def test_cross_entropy_targets_of_another_shape_raise_torchs_error(logits, target) -> None:
    theirs = raised(
        real_torch.nn.functional.cross_entropy,
        real_torch.zeros(logits),
        real_torch.zeros(target, dtype=real_torch.long),
    )
    ours = raised(
        nn.functional.cross_entropy,
        autograd.zeros(logits),
        autograd.zeros(target, dtype=autograd.long),
    )
    assert isinstance(ours, RuntimeError) and isinstance(theirs, RuntimeError)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", ["allclose", "isclose", "equal"])
def test_comparing_with_a_grad_that_is_none_raises_torchs_type_error(name: str) -> None:
    """The lecture's `cmp(s, dt, t)` on a tensor whose `.grad` is None (no
    `retain_grad()`): ``torch.allclose(dt, t.grad)`` raises torch's TypeError (it
    raised "unsupported operand type(s) for -: 'float' and 'NoneType'")."""
    for args in ((0, None), (None, 0)):
        theirs = raised(
            getattr(real_torch, name), *(a if a is None else real_torch.ones(2) for a in args)
        )
        ours = raised(
            getattr(autograd, name), *(a if a is None else autograd.ones(2) for a in args)
        )
        assert type(ours) is type(theirs) is TypeError
        assert str(ours) == str(theirs)


@pytest.mark.parametrize(
    ("weights", "count"),
    [([1, 2], 1), ([[[1.0]]], 1), ([1.0, 1.0], 0), ([-1.0, 2.0], 1), ([float("nan"), 1.0], 1),
     ([0.0, 0.0], 1), ([1.0, 1.0], 3), ([1.0, 1.0], 1.0)],
)  # fmt: skip
def test_multinomial_refuses_what_torch_refuses_with_its_error_type(weights, count) -> None:
    """Sampling names from probabilities that are not a distribution (or more samples
    than categories): torch's RuntimeError (ours is a ValueError too, as before), or
    its TypeError for a count that is not an int."""
    theirs = raised(real_torch.multinomial, real_torch.tensor(weights), count)
    ours = raised(autograd.multinomial, autograd.tensor(weights), count)
    assert type(theirs) in (RuntimeError, TypeError)
    assert isinstance(ours, type(theirs)), (ours, theirs)


def index_put_program(torch: types.ModuleType) -> list:
    """The embedding's gradient of the lecture's exercise 1 without the loop, with
    `index_put_(..., accumulate=True)`; then `index_put` out of place, differentiated."""
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((27, 10), generator=g, dtype=torch.float64)
    Xb = torch.randint(0, 27, (32, 3), generator=g)
    demb = torch.randn((32, 3, 10), generator=g, dtype=torch.float64)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            dC[Xb[k, j]] += demb[k, j]
    dC_fast = torch.zeros_like(C).index_put_((Xb.view(-1),), demb.view(-1, 10), accumulate=True)
    C.requires_grad = True
    values = torch.randn((4,), generator=g, dtype=torch.float64, requires_grad=True)
    rows, cols = torch.tensor([0, 2, 2, 5]), torch.tensor([1, 3, 3, 9])
    results = [dC.numpy(), dC_fast.numpy()]
    for accumulate in (False, True):
        out = (C * 2).index_put((rows, cols), values, accumulate=accumulate)
        (out * torch.arange(270, dtype=torch.float64).view(27, 10)).sum().backward()
        results += [out.detach().numpy(), C.grad.numpy().copy(), values.grad.numpy().copy()]
        C.grad, values.grad = None, None
    return results


def test_index_put_as_torch() -> None:
    """`index_put`/`index_put_` (missing before), with torch's values and gradients."""
    theirs, ours = index_put_program(real_torch), index_put_program(autograd)
    np.testing.assert_allclose(ours[0], ours[1], rtol=1e-12)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize(
    "case", ["float index", "out of bounds", "dtypes", "shapes", "not a tuple", "too many", "value"]
)
def test_index_put_refuses_what_torch_refuses_with_its_error(case: str) -> None:
    def attempt(torch: types.ModuleType) -> None:
        C, one = torch.zeros(5, 3), torch.tensor([1])
        args = {
            "float index": ((torch.tensor([1.0]),), torch.ones(3)),
            "out of bounds": ((torch.tensor([-6]),), torch.ones(3)),
            "dtypes": ((one,), torch.ones(3, dtype=torch.float64)),
            "shapes": ((one,), torch.ones(4)),
            "not a tuple": (one, torch.ones(3)),
            "too many": ((one, one, one), torch.ones(1)),
            "value": ((one,), 1.0),
        }[case]
        C.index_put_(*args)

    theirs, ours = raised(attempt, real_torch), raised(attempt, autograd)
    assert type(ours) is type(theirs) and str(ours) == str(theirs)


@pytest.mark.parametrize(
    ("a", "b"), [((32, 64), (200, 27)), ((4, 5, 80), (20, 200)), ((3,), (4, 5))]
)
def test_a_matrix_product_that_does_not_fit_says_what_torch_says(a: tuple, b: tuple) -> None:
    """The lecture's shape experiments (``torch.randn(4, 5, 80) @ torch.randn(80, 200)``)
    gone wrong: torch's message is in ours (which says, as before, which axes differ)."""
    theirs = raised(lambda: real_torch.zeros(a) @ real_torch.zeros(b))
    ours = raised(lambda: autograd.zeros(a) @ autograd.zeros(b))
    assert isinstance(ours, RuntimeError) and isinstance(theirs, RuntimeError)
    assert str(theirs) in str(ours) and "do not align" in str(ours)
