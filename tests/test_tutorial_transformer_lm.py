"""PyTorch's tutorial "Language Modeling with nn.Transformer": its `TransformerModel`
(an embedding scaled by sqrt(d_model), `PositionalEncoding` with dropout, a
`TransformerEncoder` of `TransformerEncoderLayer`s under the causal mask of
`nn.Transformer.generate_square_subsequent_mask`, a linear head), `batchify`,
`get_batch`, and its training (SGD at lr 5, StepLR, `clip_grad_norm_` 0.5, dropout on)
and evaluation loops, written as in the tutorial and run twice: with torch and with
``import autograd as torch`` (gradwork's `nn` as ``torch.nn``, `optim` as
``torch.optim``), seeded alike, in float64, on a tiny made-up corpus with tiny
hyperparameters. The initial `state_dict` is torch's, copied in; the dropout masks are
drawn alike (both libraries are seeded again once the model is made); every loss of
every step and both evaluations are compared.

Spelling that differs from the tutorial, because `Tensor.data` is an ndarray here:
``param.data.uniform_(-r, r)`` and ``param.data.zero_()`` are the same in-place methods
on the parameter under `no_grad`."""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import optim

real_torch = pytest.importorskip("torch")


def libraries(torch: types.ModuleType) -> tuple[Any, Any, Any]:
    """(torch, torch.nn, torch.optim) of one library."""
    if torch is autograd:
        return autograd, nn, optim
    return real_torch, real_torch.nn, real_torch.optim


def tutorial(
    torch: types.ModuleType, initial: dict[str, Any] | None
) -> tuple[list[float], Any, Any]:
    """The tutorial's program; returns the losses, the initial state_dict and the model."""
    torch_, nn_, optim_ = libraries(torch)
    torch = torch_
    Tensor = torch.Tensor
    TransformerEncoder, TransformerEncoderLayer = (
        nn_.TransformerEncoder,
        nn_.TransformerEncoderLayer,
    )
    device = "cpu"

    class TransformerModel(nn_.Module):
        def __init__(
            self,
            ntoken: int,
            d_model: int,
            nhead: int,
            d_hid: int,
            nlayers: int,
            dropout: float = 0.5,
        ):
            super().__init__()
            self.model_type = "Transformer"
            self.pos_encoder = PositionalEncoding(d_model, dropout)
            encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
            self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
            self.embedding = nn_.Embedding(ntoken, d_model)
            self.d_model = d_model
            self.linear = nn_.Linear(d_model, ntoken)
            self.init_weights()

        def init_weights(self) -> None:
            initrange = 0.1
            with torch.no_grad():  # the tutorial's .data.uniform_() (ours: an ndarray)
                self.embedding.weight.uniform_(-initrange, initrange)
                self.linear.bias.zero_()
                self.linear.weight.uniform_(-initrange, initrange)

        def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
            src = self.embedding(src) * math.sqrt(self.d_model)
            src = self.pos_encoder(src)
            if src_mask is None:
                src_mask = nn_.Transformer.generate_square_subsequent_mask(len(src)).to(device)
            output = self.transformer_encoder(src, src_mask)
            output = self.linear(output)
            return output

    class PositionalEncoding(nn_.Module):
        def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
            super().__init__()
            self.dropout = nn_.Dropout(p=dropout)
            position = torch.arange(max_len).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, 1, d_model)
            pe[:, 0, 0::2] = torch.sin(position * div_term)
            pe[:, 0, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe)

        def forward(self, x: Tensor) -> Tensor:
            x = x + self.pe[: x.size(0)]
            return self.dropout(x)

    words = ("the cat sat on a mat and the dog ran to the cat " * 12).split()
    vocab = {w: i for i, w in enumerate(sorted(set(words)))}
    corpus = torch.tensor([vocab[w] for w in words], dtype=torch.long)

    def batchify(data: Tensor, bsz: int) -> Tensor:
        seq_len = data.size(0) // bsz
        data = data[: seq_len * bsz]
        data = data.view(bsz, seq_len).t().contiguous()
        return data.to(device)

    train_data = batchify(corpus[:120], 4)
    val_data = batchify(corpus[120:], 2)
    bptt = 7

    def get_batch(source: Tensor, i: int) -> tuple[Tensor, Tensor]:
        seq_len = min(bptt, len(source) - 1 - i)
        data = source[i : i + seq_len]
        target = source[i + 1 : i + 1 + seq_len].reshape(-1)
        return data, target

    ntokens = len(vocab)
    emsize, d_hid, nlayers, nhead, dropout = 8, 16, 2, 2, 0.2
    torch.manual_seed(0)
    model = TransformerModel(ntokens, emsize, nhead, d_hid, nlayers, dropout).to(device)
    if initial is not None:
        model.load_state_dict(initial)
    start = {
        k: np.array(v.detach().numpy() if hasattr(v, "detach") else v)
        for k, v in model.state_dict().items()
    }
    torch.manual_seed(1)  # the dropout masks from here on: the same in both libraries

    criterion = nn_.CrossEntropyLoss()
    lr = 5.0
    optimizer = optim_.SGD(model.parameters(), lr=lr)
    scheduler = optim_.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
    losses: list[float] = []

    def train(model: Any) -> None:
        model.train()
        for i in range(0, train_data.size(0) - 1, bptt):
            data, targets = get_batch(train_data, i)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            loss = criterion(output_flat, targets)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            losses.append(loss.item())

    def evaluate(model: Any, eval_data: Tensor) -> float:
        model.eval()
        total_loss = 0.0
        with torch.no_grad():
            for i in range(0, eval_data.size(0) - 1, bptt):
                data, targets = get_batch(eval_data, i)
                seq_len = data.size(0)
                output = model(data)
                output_flat = output.view(-1, ntokens)
                total_loss += seq_len * criterion(output_flat, targets).item()
        return total_loss / (len(eval_data) - 1)

    for _epoch in range(2):
        train(model)
        losses.append(evaluate(model, val_data))
        scheduler.step()
    return losses, start, model


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_language_modeling_tutorial_trains_as_torch():
    before = real_torch.get_default_dtype(), autograd.get_default_dtype()
    real_torch.set_default_dtype(real_torch.float64)
    autograd.set_default_dtype(autograd.float64)
    try:
        theirs, initial, model = tutorial(real_torch, None)
        ours, _, our_model = tutorial(autograd, initial)
    finally:
        real_torch.set_default_dtype(before[0])
        autograd.set_default_dtype(before[1])
    assert len(ours) == len(theirs) == 2 * 5 + 2
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    assert ours[-1] < ours[5]  # it learns
    for key, value in model.state_dict().items():
        np.testing.assert_allclose(
            np.asarray(our_model.state_dict()[key]), value.numpy(), rtol=1e-7, atol=1e-10
        )
