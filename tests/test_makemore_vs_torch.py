"""The micrograd and makemore lessons, written as a learner writes them, run twice: with
torch and with ``import autograd as torch`` (gradwork's `nn.functional` as F), in float64.

Covered: micrograd's check of a neuron against torch (`torch.Tensor([2.0]).double()`),
the bigram count table and the bigram net on one-hot inputs, the MLP with an embedding
table `C[X]`, `.view(-1, n)`, a hand-written batch norm whose running statistics are
updated under `no_grad`, and the backprop lesson: `retain_grad()` on every intermediate,
the gradient of each compared between the libraries, then the hand-derived ones.
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


def dataset(torch: types.ModuleType, block_size: int = 3) -> tuple[Any, Any]:
    stoi, _ = vocab()
    X, Y = [], []
    for w in WORDS:
        context = [0] * block_size
        for ch in w + ".":
            X.append(context)
            Y.append(stoi[ch])
            context = [*context[1:], stoi[ch]]
    return torch.tensor(X), torch.tensor(Y)


def mlp_batchnorm(torch: types.ModuleType, F: types.ModuleType) -> dict[str, Any]:
    """The MLP with a manual batch norm; every intermediate keeps its gradient."""
    X, Y = dataset(torch)
    rng = np.random.default_rng(1)
    V, n_embd, n_hidden, block = 27, 5, 16, 3

    def param(*shape: int, scale: float = 1.0) -> Any:
        return torch.tensor(rng.standard_normal(shape) * scale, requires_grad=True)

    C = param(V, n_embd)
    W1 = param(n_embd * block, n_hidden, scale=(5 / 3) / (n_embd * block) ** 0.5)
    b1 = param(n_hidden, scale=0.1)
    W2 = param(n_hidden, V, scale=0.1)
    b2 = param(V, scale=0.1)
    bngain = param(1, n_hidden, scale=0.1)
    bnbias = param(1, n_hidden, scale=0.1)
    with torch.no_grad():
        bngain += 1.0
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    bnmean_running = torch.zeros((1, n_hidden), dtype=torch.float64)
    bnvar_running = torch.ones((1, n_hidden), dtype=torch.float64)
    out: dict[str, Any] = {"nparams": sum(p.nelement() for p in parameters)}
    batches = np.random.default_rng(2).integers(0, X.shape[0], (4, 16))
    n = 16
    for step, rows in enumerate(batches):
        ix = torch.tensor(rows)
        Xb, Yb = X[ix], Y[ix]
        emb = C[Xb]  # repeated rows of C: the gradient accumulates
        embcat = emb.view(-1, n_embd * block)
        hprebn = embcat @ W1 + b1
        bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
        bndiff = hprebn - bnmeani
        bndiff2 = bndiff**2
        bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)
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
        inter = dict(
            emb=emb, embcat=embcat, hprebn=hprebn, bnmeani=bnmeani, bndiff=bndiff,
            bndiff2=bndiff2, bnvar=bnvar, bnvar_inv=bnvar_inv, bnraw=bnraw, hpreact=hpreact,
            h=h, logits=logits, logit_maxes=logit_maxes, norm_logits=norm_logits,
            counts=counts, counts_sum=counts_sum, counts_sum_inv=counts_sum_inv,
            probs=probs, logprobs=logprobs,
        )  # fmt: skip
        for t in inter.values():
            t.retain_grad()
        for p in parameters:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            bnmean_running = 0.9 * bnmean_running + 0.1 * bnmeani
            bnvar_running.mul_(0.9).add_(0.1 * bnvar)
        out[f"loss{step}"] = loss.item()
        out[f"fused{step}"] = F.cross_entropy(logits, Yb).item()
        if step == 0:
            for k, t in inter.items():
                out[k] = t.detach().numpy().copy()
                out[f"d{k}"] = t.grad.numpy().copy()
            for k, p in zip("C W1 b1 W2 b2 bngain bnbias".split(), parameters):
                out[f"d{k}"] = p.grad.numpy().copy()
            hand = by_hand(torch, F, Xb, Yb, C, W1, W2, bngain, inter)
            out.update({f"hand d{k}": v.detach().numpy().copy() for k, v in hand.items()})
            out["exact dprobs"] = torch.all(hand["probs"] == probs.grad).item()
            out["bnmeani.requires_grad"] = bnmeani.requires_grad
            out["running.requires_grad"] = bnmean_running.requires_grad
        for p in parameters:
            p.data += -0.1 * p.grad
    out["bnmean_running"] = bnmean_running.numpy().copy()
    out["bnvar_running"] = bnvar_running.numpy().copy()
    with torch.no_grad():
        emb = C[X]
        hpre = emb.view(emb.shape[0], -1) @ W1 + b1
        hpre = bngain * (hpre - bnmean_running) * (bnvar_running + 1e-5) ** -0.5 + bnbias
        out["eval"] = F.cross_entropy(torch.tanh(hpre) @ W2 + b2, Y).item()
        probs = F.softmax(torch.tanh(hpre[:2]) @ W2 + b2, dim=1)
        draw = torch.multinomial(probs, num_samples=1, generator=torch.Generator().manual_seed(3))
        out["draw"] = (tuple(draw.shape), str(draw.dtype).split(".")[-1])
    return out


def by_hand(torch: types.ModuleType, F: types.ModuleType, Xb, Yb, C, W1, W2, bngain, t) -> dict:
    """The backprop lesson's gradients, derived step by step (grad mode on, as there)."""
    n, n_embd = Xb.shape[0], C.shape[1]
    d: dict[str, Any] = {"logprobs": torch.zeros_like(t["logprobs"])}
    d["logprobs"][range(n), Yb] = -1.0 / n
    d["probs"] = (1.0 / t["probs"]) * d["logprobs"]
    d["counts_sum_inv"] = (t["counts"] * d["probs"]).sum(1, keepdim=True)
    d["counts_sum"] = -(t["counts_sum"] ** -2) * d["counts_sum_inv"]
    d["counts"] = t["counts_sum_inv"] * d["probs"]
    d["counts"] += torch.ones_like(t["counts"]) * d["counts_sum"]
    d["norm_logits"] = t["counts"] * d["counts"]
    d["logit_maxes"] = (-d["norm_logits"]).sum(1, keepdim=True)
    top = t["logits"].max(dim=1).indices
    d["logits"] = d["norm_logits"].clone()
    d["logits"] += F.one_hot(top, num_classes=t["logits"].shape[1]) * d["logit_maxes"]
    d["h"] = d["logits"] @ W2.T
    d["hpreact"] = (1.0 - t["h"] ** 2) * d["h"]
    d["bnraw"] = bngain * d["hpreact"]
    d["bnvar_inv"] = (t["bndiff"] * d["bnraw"]).sum(0, keepdim=True)
    d["bnvar"] = -0.5 * (t["bnvar"] + 1e-5) ** -1.5 * d["bnvar_inv"]
    d["bndiff2"] = 1.0 / (n - 1) * torch.ones_like(t["bndiff2"]) * d["bnvar"]
    d["bndiff"] = t["bnvar_inv"] * d["bnraw"] + 2 * t["bndiff"] * d["bndiff2"]
    d["bnmeani"] = (-d["bndiff"]).sum(0, keepdim=True)
    d["hprebn"] = d["bndiff"] + 1.0 / n * torch.ones_like(t["hprebn"]) * d["bnmeani"]
    d["embcat"] = d["hprebn"] @ W1.T
    d["emb"] = d["embcat"].view(t["emb"].shape)
    d["C"] = torch.zeros_like(C).index_add_(0, Xb.view(-1), d["emb"].view(-1, n_embd))
    fast = F.softmax(t["logits"], 1)
    fast[range(n), Yb] -= 1
    fast /= n
    d["logits fast"] = fast
    return d


def test_mlp_with_manual_batch_norm_matches_torch_in_every_intermediate():
    theirs = mlp_batchnorm(real_torch, real_torch.nn.functional)
    ours = mlp_batchnorm(autograd, nn.functional)
    assert_same(ours, theirs)
    assert ours["loss3"] < ours["loss0"]
    assert ours["exact dprobs"]
    for k in [k for k in ours if k.startswith("hand d")]:  # the lesson's cmp, on ours
        autograd_grad = ours[k.replace("hand ", "").replace(" fast", "")]
        np.testing.assert_allclose(ours[k], autograd_grad, rtol=1e-10, atol=1e-13, err_msg=k)
