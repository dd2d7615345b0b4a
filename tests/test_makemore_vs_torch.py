"""The micrograd and makemore lessons, written as a learner writes them, run twice: with
torch and with ``import autograd as torch`` (gradwork's `nn.functional` as F), in float64.

Covered: micrograd's check of a neuron against torch (`torch.Tensor([2.0]).double()`),
the bigram count table and the bigram net on one-hot inputs (`retain_grad()` on a
tensor that does not require grad raises, as torch's). The MLP with batch norm and the
backprop lesson are in `test_lesson_vs_torch.py`.
"""

from __future__ import annotations

import itertools
import types
from typing import Any

import numpy as np
import pytest

import autograd
import nn

real_torch = pytest.importorskip("torch")

WORDS = "anna bob clara dave emil fiona gus hana ivo jude kai lena".split()


def micrograd_neuron(torch: types.ModuleType) -> list:
    x1 = torch.Tensor([2.0]).double()
    x2 = torch.Tensor([0.0]).double()
    w1 = torch.Tensor([-3.0]).double()
    w2 = torch.Tensor([1.0]).double()
    b = torch.Tensor([6.8813735870195432]).double()
    for t in (x1, x2, w1, w2, b):
        t.requires_grad = True
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    o.backward()
    return [o.data.item(), x1.grad.item(), x2.grad.item(), w1.grad.item(), w2.grad.item()]


def test_micrograd_neuron_matches_torch():
    theirs, ours = micrograd_neuron(real_torch), micrograd_neuron(autograd)
    np.testing.assert_allclose(ours, theirs, rtol=1e-15)
    assert ours[0] == pytest.approx(0.7071067811865476)


def vocab() -> tuple[dict, dict]:
    chars = sorted(set("".join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    return stoi, {i: s for s, i in stoi.items()}


def bigram_counts(torch: types.ModuleType, F: types.ModuleType) -> dict[str, Any]:
    stoi, _itos = vocab()
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    xs, ys = [], []
    for w in WORDS:
        chs = [".", *list(w), "."]
        for ch1, ch2 in itertools.pairwise(chs):
            N[stoi[ch1], stoi[ch2]] += 1
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    out: dict[str, Any] = {"N": N.numpy().copy(), "N.dtype": str(N.dtype).split(".")[-1]}
    g = torch.Generator().manual_seed(2147483647)
    p = N[0].float()
    p = p / p.sum()
    draws = torch.multinomial(p, num_samples=20, replacement=True, generator=g)
    out["draws"] = (tuple(draws.shape), str(draws.dtype).split(".")[-1])
    P = (N + 1).double()
    P /= P.sum(1, keepdims=True)
    out["rows"] = P.sum(1).numpy().copy()
    nll = 0.0
    for i, j in zip(xs, ys):
        nll += -torch.log(P[i, j])
    out["nll"] = (nll / len(xs)).item()
    xs_t, ys_t = torch.tensor(xs), torch.tensor(ys)
    out["xs.dtype"] = str(xs_t.dtype).split(".")[-1]
    num = xs_t.nelement()
    W = torch.tensor(np.random.default_rng(0).standard_normal((V, V)), requires_grad=True)
    losses, grads = [], {}
    for _ in range(5):
        xenc = F.one_hot(xs_t, num_classes=V).double()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        for t in (logits, counts, probs):
            t.retain_grad()
        with pytest.raises(RuntimeError, match="requires_grad"):
            xenc.retain_grad()
        loss = -probs[torch.arange(num), ys_t].log().mean() + 0.01 * (W**2).mean()
        W.grad = None
        loss.backward()
        grads = {"xenc": xenc.grad, "logits": logits.grad, "counts": counts.grad}
        grads["probs"], grads["W"] = probs.grad.numpy().copy(), W.grad.numpy().copy()
        W.data += -10 * W.grad
        losses.append(loss.item())
    out["xenc.grad is None"] = grads["xenc"] is None
    out["W.grad_fn is None"] = W.grad_fn is None
    out["logits.grad"], out["counts.grad"] = grads["logits"].numpy(), grads["counts"].numpy()
    out["probs.grad"], out["W.grad"], out["losses"] = grads["probs"], grads["W"], losses
    return out


def assert_same(ours: dict[str, Any], theirs: dict[str, Any], rtol: float = 1e-12) -> None:
    assert ours.keys() == theirs.keys()
    for k, v in theirs.items():
        if isinstance(v, np.ndarray | list | float):
            np.testing.assert_allclose(ours[k], v, rtol=rtol, atol=1e-14, err_msg=k)
        else:
            assert ours[k] == v, k


def test_bigram_counts_and_net_match_torch():
    assert_same(
        bigram_counts(autograd, nn.functional), bigram_counts(real_torch, real_torch.nn.functional)
    )
