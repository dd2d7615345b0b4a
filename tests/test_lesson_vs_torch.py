"""A lesson written for PyTorch, run twice: with torch and with ``import autograd as torch``.

The code below is a character-level MLP language model as PyTorch lessons write it
(a seeded `torch.Generator`, an embedding table indexed by integer tensors, a
hand-written batch norm with running statistics under `no_grad`, `F.cross_entropy`,
the manual SGD step on `.data`, then sampling names with `multinomial`). Run on the
two libraries it must print the same losses and sample the same names: the same
random draws (`autograd.Generator`), the same dtypes, the same arithmetic.
"""

from __future__ import annotations

import types

import numpy as np
import torch as real_torch

import autograd
import nn

WORDS = "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily".split()


def lesson(torch: types.ModuleType, F: types.ModuleType, steps: int = 120) -> tuple[list, list]:
    chars = sorted(set("".join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    block_size, n_embd, n_hidden = 3, 10, 64
    X, Y = [], []
    for w in WORDS * 10:
        context = [0] * block_size
        for ch in w + ".":
            X.append(context)
            Y.append(stoi[ch])
            context = [*context[1:], stoi[ch]]
    X, Y = torch.tensor(X), torch.tensor(Y)
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


def test_a_pytorch_lesson_prints_the_same_numbers():
    theirs = lesson(real_torch, real_torch.nn.functional)
    ours = lesson(autograd, nn.functional)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    assert ours[0][-1] < ours[0][0] - 0.3  # it learned
    assert ours[1] == theirs[1]
