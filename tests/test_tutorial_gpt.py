"""Karpathy's "Let's build GPT: from scratch, in code, spelled out" (the notebook
`gpt-dev.ipynb`, then `gpt.py`), written as in the lecture and run twice: with torch and
with ``import autograd as torch`` (gradwork's `nn` as ``torch.nn``, `nn.functional` as F,
`optim` as ``torch.optim``), seeded alike, in float64 and in float32, on a few thousand
characters of made-up verse instead of tinyshakespeare and with tiny hyperparameters
(block_size 8, n_embd 16, n_head 2, n_layer 2, a few dozen steps).

Every printed number, the step lines of `estimate_loss` and the generated text are
compared. Where the two libraries deliberately differ the program prints a neutral
spelling:

- ``tuple(t.shape)`` and ``str(t.dtype)`` without its ``torch.`` (gradwork's shapes are
  tuples and its dtypes numpy's), and tensors' reprs start ``Tensor(`` instead of
  ``tensor(``;
- ``k.var(unbiased=True)`` for the lecture's ``k.var()`` and ``.std(unbiased=True)`` for
  ``.std()``: without a dim, gradwork's `var` and `std` are numpy's (ddof=0).

In float32 three things differ in the last bits and are compared to float32 precision
instead of to the bit: `randn` (torch's vectorized Box-Muller, so the GPT starts from
torch's initial `state_dict`, copied into ours), ``torch.mean`` along a dim and batched
``@`` (another summation order); for the same reason the lecture's
``torch.allclose(xbow, xbow2)`` is checked in float64 only (in float32 torch 2.13 prints
False for these draws, its own mean and matmul differing by 3e-8).
"""

from __future__ import annotations

import random
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import optim  # noqa: F401  (``torch.optim`` below is gradwork's optim)
from nn import functional

real_torch = pytest.importorskip("torch")

WORDS = (
    "to be or not that is the question whether tis nobler in mind suffer slings arrows "
    "of outrageous fortune take arms against sea troubles and by opposing end them"
).split()


def make_text(n_chars: int = 3000) -> str:
    """A few thousand characters of speeches, names in capitals, as tinyshakespeare's."""
    rng = random.Random(0)
    speeches, total = [], 0
    while total < n_chars:
        name = rng.choice(["HAMLET", "OPHELIA", "KING", "QUEEN"])
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12)))
        speech = f"{name}:\n{words.capitalize()}{rng.choice('.,!?')}\n\n"
        speeches.append(speech)
        total += len(speech)
    return "".join(speeches)


TEXT = make_text()


@contextmanager
def default_dtype(torch: types.ModuleType, dtype: str) -> Iterator[None]:
    before = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, dtype))
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def libraries(torch: types.ModuleType) -> tuple[types.ModuleType, Any, Any]:
    """(torch, torch.nn, torch.nn.functional) of one library."""
    if torch is autograd:
        return autograd, nn, functional
    return real_torch, real_torch.nn, real_torch.nn.functional


# --- gpt-dev.ipynb -------------------------------------------------------------------


def bigram_notebook(torch: types.ModuleType) -> list[Any]:
    torch, nn, F = libraries(torch)
    printed: list[Any] = []
    text = TEXT
    printed.append(len(text))
    chars = sorted(list(set(text)))
    vocab_size = len(chars)
    printed += ["".join(chars), vocab_size]
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}
    encode = lambda s: [stoi[c] for c in s]  # noqa: E731
    decode = lambda l: "".join([itos[i] for i in l])  # noqa: E731
    printed += [encode("hii there"), decode(encode("hii there"))]
    data = torch.tensor(encode(text), dtype=torch.long)
    printed += [tuple(data.shape), str(data.dtype), data[:100]]
    n = int(0.9 * len(data))
    train_data = data[:n]
    val_data = data[n:]
    block_size = 8
    printed.append(train_data[: block_size + 1])
    x = train_data[:block_size]
    y = train_data[1 : block_size + 1]
    for t in range(block_size):
        context = x[: t + 1]
        target = y[t]
        printed.append(f"when input is {context} the target: {target}")

    torch.manual_seed(1337)
    batch_size = 4

    def get_batch(split):
        data = train_data if split == "train" else val_data
        ix = torch.randint(len(data) - block_size, (batch_size,))
        x = torch.stack([data[i : i + block_size] for i in ix])
        y = torch.stack([data[i + 1 : i + block_size + 1] for i in ix])
        return x, y

    xb, yb = get_batch("train")
    printed += ["inputs:", tuple(xb.shape), xb, "targets:", tuple(yb.shape), yb]
    for b in range(batch_size):
        for t in range(block_size):
            context = xb[b, : t + 1]
            target = yb[b, t]
            printed.append(f"when input is {context.tolist()} the target: {target}")

    torch.manual_seed(1337)

    class BigramLanguageModel(nn.Module):
        def __init__(self, vocab_size):
            super().__init__()
            self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)

        def forward(self, idx, targets=None):
            logits = self.token_embedding_table(idx)
            if targets is None:
                loss = None
            else:
                B, T, C = logits.shape
                logits = logits.view(B * T, C)
                targets = targets.view(B * T)
                loss = F.cross_entropy(logits, targets)
            return logits, loss

        def generate(self, idx, max_new_tokens):
            for _ in range(max_new_tokens):
                logits, _loss = self(idx)
                logits = logits[:, -1, :]
                probs = F.softmax(logits, dim=-1)
                idx_next = torch.multinomial(probs, num_samples=1)
                idx = torch.cat((idx, idx_next), dim=1)
            return idx

    m = BigramLanguageModel(vocab_size)
    logits, loss = m(xb, yb)
    printed += [tuple(logits.shape), loss]
    idx = torch.zeros((1, 1), dtype=torch.long)
    printed.append(decode(m.generate(idx, max_new_tokens=100)[0].tolist()))

    optimizer = torch.optim.AdamW(m.parameters(), lr=1e-3)
    batch_size = 32
    for _steps in range(100):
        xb, yb = get_batch("train")
        logits, loss = m(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    printed.append(loss.item())
    idx = torch.zeros((1, 1), dtype=torch.long)
    printed.append(decode(m.generate(idx, max_new_tokens=100)[0].tolist()))
    return printed


def attention_trick(torch: types.ModuleType) -> list[Any]:
    """ "The mathematical trick in self-attention", the four versions, then LayerNorm1d."""
    torch, nn, F = libraries(torch)
    printed: list[Any] = []
    torch.manual_seed(42)
    a = torch.tril(torch.ones(3, 3))
    a = a / torch.sum(a, 1, keepdim=True)
    b = torch.randint(0, 10, (3, 2)).float()
    if a.dtype != b.dtype:  # float64: torch refuses float64 @ float32, and so do we
        with pytest.raises(RuntimeError, match="dtype"):
            a @ b
        b = b.to(a.dtype)
    c = a @ b
    printed += ["a=", a, "b=", b, "c=", c]

    torch.manual_seed(1337)
    B, T, C = 4, 8, 2
    x = torch.randn(B, T, C)
    printed.append(tuple(x.shape))
    xbow = torch.zeros((B, T, C))
    for b in range(B):
        for t in range(T):
            xprev = x[b, : t + 1]  # (t,C)
            xbow[b, t] = torch.mean(xprev, 0)
    # version 2: using matrix multiply for a weighted aggregation
    wei = torch.tril(torch.ones(T, T))
    wei = wei / wei.sum(1, keepdim=True)
    xbow2 = wei @ x  # (B, T, T) @ (B, T, C) ----> (B, T, C)
    allclose2 = torch.allclose(xbow, xbow2)
    # version 3: use Softmax
    tril = torch.tril(torch.ones(T, T))
    wei = torch.zeros((T, T))
    wei = wei.masked_fill(tril == 0, float("-inf"))
    wei = F.softmax(wei, dim=-1)
    xbow3 = wei @ x
    printed += [("allclose", allclose2, torch.allclose(xbow, xbow3)), x[0], xbow[0], wei]

    # version 4: self-attention!
    torch.manual_seed(1337)
    B, T, C = 4, 8, 32  # batch, time, channels
    x = torch.randn(B, T, C)
    head_size = 16
    key = nn.Linear(C, head_size, bias=False)
    query = nn.Linear(C, head_size, bias=False)
    value = nn.Linear(C, head_size, bias=False)
    k = key(x)  # (B, T, 16)
    q = query(x)  # (B, T, 16)
    wei = q @ k.transpose(-2, -1)  # (B, T, 16) @ (B, 16, T) ---> (B, T, T)
    tril = torch.tril(torch.ones(T, T))
    wei = wei.masked_fill(tril == 0, float("-inf"))
    wei = F.softmax(wei, dim=-1)
    v = value(x)
    out = wei @ v
    printed += [tuple(out.shape), wei[0]]

    k = torch.randn(B, T, head_size)
    q = torch.randn(B, T, head_size)
    wei = q @ k.transpose(-2, -1) * head_size**-0.5
    printed += [k.var(unbiased=True), q.var(unbiased=True), wei.var(unbiased=True)]
    printed.append(torch.softmax(torch.tensor([0.1, -0.2, 0.3, -0.2, 0.5]), dim=-1))
    printed.append(torch.softmax(torch.tensor([0.1, -0.2, 0.3, -0.2, 0.5]) * 8, dim=-1))

    class LayerNorm1d:  # (used to be BatchNorm1d)
        def __init__(self, dim, eps=1e-5, momentum=0.1):
            self.eps = eps
            self.gamma = torch.ones(dim)
            self.beta = torch.zeros(dim)

        def __call__(self, x):
            xmean = x.mean(1, keepdim=True)  # batch mean
            xvar = x.var(1, keepdim=True)  # batch variance
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
            self.out = self.gamma * xhat + self.beta
            return self.out

        def parameters(self):
            return [self.gamma, self.beta]

    torch.manual_seed(1337)
    module = LayerNorm1d(100)
    x = torch.randn(32, 100)  # batch size 32 of 100-dimensional vectors
    x = module(x)
    printed.append(tuple(x.shape))
    printed += [x[:, 0].mean(), x[:, 0].std(unbiased=True)]  # a feature across the batch
    printed += [x[0, :].mean(), x[0, :].std(unbiased=True)]  # one input's features
    return printed


# --- gpt.py --------------------------------------------------------------------------


def gpt(
    torch: types.ModuleType,
    dropout: float = 0.0,
    max_iters: int = 30,
    init: Callable[[Any], None] | None = None,
) -> tuple[list[Any], Any]:
    """gpt.py, shrunk; `init(model)` may overwrite the initial weights."""
    torch, nn, F = libraries(torch)
    printed: list[Any] = []
    # hyperparameters
    batch_size = 4  # how many independent sequences will we process in parallel?
    block_size = 8  # what is the maximum context length for predictions?
    eval_interval = 10
    learning_rate = 1e-3
    device = "cuda" if torch.cuda.is_available() else "cpu"
    eval_iters = 5
    n_embd = 16
    n_head = 2
    n_layer = 2
    # ------------

    torch.manual_seed(1337)
    text = TEXT
    chars = sorted(list(set(text)))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}
    encode = lambda s: [stoi[c] for c in s]  # noqa: E731
    decode = lambda l: "".join([itos[i] for i in l])  # noqa: E731

    data = torch.tensor(encode(text), dtype=torch.long)
    n = int(0.9 * len(data))  # first 90% will be train, rest val
    train_data = data[:n]
    val_data = data[n:]

    def get_batch(split):
        data = train_data if split == "train" else val_data
        ix = torch.randint(len(data) - block_size, (batch_size,))
        x = torch.stack([data[i : i + block_size] for i in ix])
        y = torch.stack([data[i + 1 : i + block_size + 1] for i in ix])
        x, y = x.to(device), y.to(device)
        return x, y

    @torch.no_grad()
    def estimate_loss():
        out = {}
        model.eval()
        for split in ["train", "val"]:
            losses = torch.zeros(eval_iters)
            for k in range(eval_iters):
                X, Y = get_batch(split)
                _logits, loss = model(X, Y)
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    class Head(nn.Module):
        """one head of self-attention"""

        def __init__(self, head_size):
            super().__init__()
            self.key = nn.Linear(n_embd, head_size, bias=False)
            self.query = nn.Linear(n_embd, head_size, bias=False)
            self.value = nn.Linear(n_embd, head_size, bias=False)
            self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            _B, T, _C = x.shape
            k = self.key(x)  # (B,T,hs)
            q = self.query(x)  # (B,T,hs)
            wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5  # (B, T, T)
            wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))  # (B, T, T)
            wei = F.softmax(wei, dim=-1)  # (B, T, T)
            wei = self.dropout(wei)
            v = self.value(x)  # (B,T,hs)
            out = wei @ v  # (B, T, T) @ (B, T, hs) -> (B, T, hs)
            return out

    class MultiHeadAttention(nn.Module):
        """multiple heads of self-attention in parallel"""

        def __init__(self, num_heads, head_size):
            super().__init__()
            self.heads = nn.ModuleList([Head(head_size) for _ in range(num_heads)])
            self.proj = nn.Linear(head_size * num_heads, n_embd)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            out = torch.cat([h(x) for h in self.heads], dim=-1)
            out = self.dropout(self.proj(out))
            return out

    class FeedFoward(nn.Module):
        """a simple linear layer followed by a non-linearity"""

        def __init__(self, n_embd):
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(n_embd, 4 * n_embd),
                nn.ReLU(),
                nn.Linear(4 * n_embd, n_embd),
                nn.Dropout(dropout),
            )

        def forward(self, x):
            return self.net(x)

    class Block(nn.Module):
        """Transformer block: communication followed by computation"""

        def __init__(self, n_embd, n_head):
            super().__init__()
            head_size = n_embd // n_head
            self.sa = MultiHeadAttention(n_head, head_size)
            self.ffwd = FeedFoward(n_embd)
            self.ln1 = nn.LayerNorm(n_embd)
            self.ln2 = nn.LayerNorm(n_embd)

        def forward(self, x):
            x = x + self.sa(self.ln1(x))
            x = x + self.ffwd(self.ln2(x))
            return x

    class GPTLanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
            self.position_embedding_table = nn.Embedding(block_size, n_embd)
            self.blocks = nn.Sequential(*[Block(n_embd, n_head=n_head) for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)  # final layer norm
            self.lm_head = nn.Linear(n_embd, vocab_size)
            self.apply(self._init_weights)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            B, T = idx.shape
            tok_emb = self.token_embedding_table(idx)  # (B,T,C)
            pos_emb = self.position_embedding_table(torch.arange(T, device=device))  # (T,C)
            x = tok_emb + pos_emb  # (B,T,C)
            x = self.blocks(x)  # (B,T,C)
            x = self.ln_f(x)  # (B,T,C)
            logits = self.lm_head(x)  # (B,T,vocab_size)
            if targets is None:
                loss = None
            else:
                B, T, C = logits.shape
                logits = logits.view(B * T, C)
                targets = targets.view(B * T)
                loss = F.cross_entropy(logits, targets)
            return logits, loss

        def generate(self, idx, max_new_tokens):
            for _ in range(max_new_tokens):
                idx_cond = idx[:, -block_size:]
                logits, _loss = self(idx_cond)
                logits = logits[:, -1, :]  # becomes (B, C)
                probs = F.softmax(logits, dim=-1)  # (B, C)
                idx_next = torch.multinomial(probs, num_samples=1)  # (B, 1)
                idx = torch.cat((idx, idx_next), dim=1)  # (B, T+1)
            return idx

    model = GPTLanguageModel()
    if init is not None:
        init(model)
    m = model.to(device)
    printed.append((sum(p.numel() for p in m.parameters()) / 1e6, "M parameters"))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)

    for iter in range(max_iters):
        if iter % eval_interval == 0 or iter == max_iters - 1:
            losses = estimate_loss()
            printed.append(
                f"step {iter}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}"
            )
            printed.append((losses["train"].item(), losses["val"].item()))
        xb, yb = get_batch("train")
        _logits, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    context = torch.zeros((1, 1), dtype=torch.long, device=device)
    printed.append(decode(m.generate(context, max_new_tokens=60)[0].tolist()))
    return printed, model


# --- comparing -----------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A printed value without its library: arrays for tensors, neutral reprs."""
    if hasattr(value, "detach"):
        return value.detach().numpy()
    if isinstance(value, str):
        return value.replace("tensor(", "Tensor(").replace("torch.", "")
    if isinstance(value, tuple | list):
        return type(value)(plain(v) for v in value)
    return value


def assert_same_value(a: Any, b: Any, rtol: float, where: str) -> None:
    """Strings, ints and bools exactly; floats and tensors' values to `rtol`, tensors'
    dtypes exactly; tuples and lists item by item."""
    if isinstance(b, np.ndarray):
        assert a.dtype == b.dtype, where
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol / 10, err_msg=where)
    elif isinstance(b, float):
        assert a == pytest.approx(b, rel=rtol), where
    elif isinstance(b, tuple | list):
        assert type(a) is type(b) and len(a) == len(b), where
        for j, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_value(x, y, rtol, f"{where}[{j}]")
    else:
        assert a == b, where


def assert_same(ours: list[Any], theirs: list[Any], rtol: float) -> None:
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert_same_value(plain(a), plain(b), rtol, f"printed[{i}]")


RTOL = {"float64": 1e-12, "float32": 2e-5}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bigram_notebook_prints_the_same(dtype):
    with default_dtype(real_torch, dtype), default_dtype(autograd, dtype):
        theirs = bigram_notebook(real_torch)
        ours = bigram_notebook(autograd)
    assert_same(ours, theirs, RTOL[dtype])
    assert ours[5:7] == [(3050,), "int64"]


def test_attention_trick_prints_the_same_in_float64():
    with default_dtype(real_torch, "float64"), default_dtype(autograd, "float64"):
        theirs = attention_trick(real_torch)
        ours = attention_trick(autograd)
    assert_same(ours, theirs, 1e-12)
    assert ours[7] == ("allclose", True, True)


def test_attention_trick_prints_the_same_in_float32():
    """As float64, to float32 precision; `randn` may differ in the last bit."""
    theirs = attention_trick(real_torch)
    ours = attention_trick(autograd)
    del theirs[7], ours[7]  # allclose of sums in another order: see the module docstring
    assert_same(ours, theirs, 1e-5)


def train_both(dtype: str, dropout: float = 0.0, max_iters: int = 30) -> tuple[Any, ...]:
    """gpt.py with torch, then with gradwork: from the same initial weights in float64
    (our draws are torch's) and from torch's, copied, in float32."""
    first: dict[str, Any] = {}

    def keep_initial(model: Any) -> None:
        first.update({k: v.detach().clone() for k, v in model.state_dict().items()})

    def load_initial(model: Any) -> None:
        model.load_state_dict({k: autograd.tensor(v.numpy()) for k, v in first.items()})

    with default_dtype(real_torch, dtype), default_dtype(autograd, dtype):
        theirs, their_model = gpt(real_torch, dropout, max_iters, init=keep_initial)
        init = load_initial if dtype == "float32" else None
        ours, our_model = gpt(autograd, dropout, max_iters, init=init)
    return theirs, their_model, ours, our_model


def assert_same_weights(ours: Any, theirs: Any, rtol: float) -> None:
    their_state, our_state = theirs.state_dict(), ours.state_dict()
    assert list(our_state) == list(their_state)  # the buffers `tril` included
    for key, value in their_state.items():
        np.testing.assert_allclose(
            our_state[key].numpy(), value.numpy(), rtol=rtol, atol=rtol / 10, err_msg=key
        )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gpt_trains_and_generates_the_same(dtype):
    theirs, their_model, ours, our_model = train_both(dtype)
    assert_same(ours, theirs, RTOL[dtype])
    assert ours[0] == (0.008109, "M parameters")
    assert ours[-1] == theirs[-1]  # the generated text
    assert_same_weights(our_model, their_model, RTOL[dtype] * 10)


def test_gpt_with_dropout_draws_torchs_masks_and_switches_them_off_in_eval():
    """dropout=0.2: the same masks as torch's while training (and in `generate`, which
    gpt.py calls in train mode); `estimate_loss`'s `model.eval()` switches them off and
    its `model.train()` back on, in every submodule."""
    theirs, their_model, ours, our_model = train_both("float64", dropout=0.2, max_iters=11)
    assert_same(ours, theirs, 1e-12)
    assert_same_weights(our_model, their_model, 1e-12)
    assert all(module.training for module in our_model.modules())
    x = autograd.randint(10, (2, 8))
    assert not np.array_equal(our_model(x)[0].numpy(), our_model(x)[0].numpy())
    our_model.eval()
    assert not any(module.training for module in our_model.modules())
    np.testing.assert_array_equal(our_model(x)[0].numpy(), our_model(x)[0].numpy())


def lecture_mistakes(torch: types.ModuleType) -> list[Any]:
    """What the lecture shows going wrong, and its fixes: (B, T, C) logits given to
    F.cross_entropy as they are (torch wants the classes on axis 1; the lecture then
    writes ``view(B*T, C)``, the other fix is ``transpose(1, 2)``), `generate` without
    ``idx[:, -block_size:]`` (positions past the table), token ids through a Linear, and
    float targets."""
    torch, nn, F = libraries(torch)
    printed: list[Any] = []
    torch.manual_seed(1337)
    B, T, C = 4, 8, 5
    logits = torch.randn(B, T, C, dtype=torch.float64)
    targets = torch.randint(C, (B, T))
    with pytest.raises(RuntimeError, match=r"xpected target size \[4, 5\], got \[4, 8\]"):
        F.cross_entropy(logits, targets)
    printed.append(F.cross_entropy(logits.view(B * T, C), targets.view(B * T)))
    printed.append(F.cross_entropy(logits.transpose(1, 2), targets))
    printed.append(F.cross_entropy(logits.transpose(1, 2), targets, reduction="none"))
    position_embedding_table = nn.Embedding(T, C)
    with pytest.raises(IndexError):
        position_embedding_table(torch.arange(T + 1))
    with pytest.raises(RuntimeError, match="same dtype"):
        nn.Linear(T, C)(targets)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte"):
        F.cross_entropy(logits.view(B * T, C), targets.view(B * T).double())
    return printed


def test_the_lectures_mistakes_fail_and_its_fixes_agree_as_in_torch():
    """Before: ValueError for the (B, C, T) logits torch takes, float targets and token
    ids through a Linear accepted."""
    assert_same(lecture_mistakes(autograd), lecture_mistakes(real_torch), 1e-12)
