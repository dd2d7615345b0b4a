"""`nn.Embedding` / `F.embedding` options as PyTorch's: `max_norm` (rows renormalized in
place), `norm_type`, `scale_grad_by_freq`, `padding_idx` on a given table (its row read
as it is, without gradient), `from_pretrained`, `_weight`/`_freeze`, the repr; and a clear
refusal of `sparse=True`."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F

torch = pytest.importorskip("torch")

TABLE = np.random.default_rng(0).normal(size=(6, 3)) * 1.3
INDICES = np.array([[0, 2, 0, 4], [4, 3, 2, 0]])
WEIGHTS = np.arange(24.0).reshape(2, 4, 3)


def _run(lib, make, **options):
    """A table with TABLE's values, looked up at INDICES twice (the second lookup sees
    the first's renormalization), a weighted sum's gradient: all as arrays."""
    e = make(6, 3, **options)
    with lib.no_grad():
        e.weight.copy_(lib.tensor(TABLE, dtype=lib.float64))
    first = e(lib.tensor(INDICES))
    second = e(lib.tensor(INDICES[:, ::-1].copy()))
    ((first + second) * lib.tensor(WEIGHTS)).sum().backward()
    return [first.detach().numpy(), e.weight.detach().numpy(), e.weight.grad.numpy(), repr(e)]


@pytest.mark.parametrize(
    "options",
    [
        {"max_norm": 1.0},
        {"max_norm": 0.8, "norm_type": 1.0},
        {"max_norm": 1.5, "norm_type": float("inf")},
        {"scale_grad_by_freq": True},
        {"padding_idx": 2},
        {"padding_idx": 2, "max_norm": 0.9, "scale_grad_by_freq": True},
    ],
    ids=["max_norm", "l1", "inf", "freq", "padding", "all"],
)
def test_options_as_torch(options):
    autograd.set_default_dtype(autograd.float64)
    try:
        ours = _run(autograd, nn.Embedding, **options)
    finally:
        autograd.set_default_dtype(autograd.float32)
    torch.set_default_dtype(torch.float64)
    try:
        theirs = _run(torch, torch.nn.Embedding, **options)
    finally:
        torch.set_default_dtype(torch.float32)
    for a, b in zip(ours[:3], theirs[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert ours[3] == theirs[3]


def test_max_norm_writes_the_table_in_place_and_counts_a_version():
    e = nn.Embedding(6, 3, max_norm=1.0)
    with autograd.no_grad():
        e.weight.copy_(autograd.tensor(TABLE, dtype=autograd.float32))
    before = e.weight._version
    table = e.weight.data
    norms = np.linalg.norm(TABLE, axis=1)
    assert norms[2] > 1 and norms[4] > 1  # the rows looked up exceed max_norm
    e(autograd.tensor([2, 4, 2]))
    assert e.weight.data is table and e.weight._version == before + 1
    after = np.linalg.norm(table, axis=1)
    np.testing.assert_allclose(after[[2, 4]], 1.0, rtol=1e-6)
    others = [0, 1, 3, 5]
    np.testing.assert_allclose(after[others], norms[others], rtol=1e-6)


@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained_as_torch(freeze):
    ours = nn.Embedding.from_pretrained(autograd.tensor(TABLE), freeze=freeze, padding_idx=1)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(TABLE), freeze=freeze, padding_idx=1)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    assert repr(ours) == repr(theirs)
    a, b = ours(autograd.tensor([1, 2, 1])), theirs(torch.tensor([1, 2, 1]))
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())  # the pad row's values
    if not freeze:
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_array_equal(ours.weight.grad.numpy(), theirs.weight.grad.numpy())
    with pytest.raises(ValueError, match="2-dimensional"):
        nn.Embedding.from_pretrained(autograd.zeros(3))


def test_top_level_embedding_takes_scale_grad_by_freq():
    w = autograd.tensor(TABLE, requires_grad=True)
    tw = torch.tensor(TABLE, requires_grad=True)
    autograd.embedding(w, autograd.tensor(INDICES), -1, True).sum().backward()
    torch.embedding(tw, torch.tensor(INDICES), -1, True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())


def test_sparse_gradients_are_refused_clearly():
    with pytest.raises(ValueError, match="sparse=True"):
        nn.Embedding(6, 3, sparse=True)(autograd.tensor([1]))
    with pytest.raises(ValueError, match="sparse=False"):
        F.embedding(autograd.tensor([1]), autograd.zeros(6, 3), sparse=True)


def test_keras_input_shape_and_input_length_as_keras_3():
    """Geron's `Embedding(vocab, dim, mask_zero=True, input_shape=[None])` first in a
    Sequential (sequences of any length, a model summarized with batch None), and DLwP
    2nd ed.'s `input_length=`, which Keras 3 takes with a deprecation warning."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    with pytest.warns(UserWarning) as theirs:
        keras.layers.Embedding(10, 3, input_length=5)
    with pytest.warns(UserWarning) as ours:
        nn.layers.Embedding(10, 3, input_length=5)
    message = "Argument `input_length` is deprecated. Just remove it."
    assert message in [str(w.message) for w in theirs] and str(ours[0].message) == message
    model = nn.Sequential(
        [
            nn.layers.Embedding(10, 3, mask_zero=True, input_shape=[None]),
            nn.layers.GRU(4),
            nn.layers.Dense(1),
        ]
    )
    assert model.layers[0].input_shape == (None,)
    tokens = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    assert model(tokens).shape == (2, 1)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(tokens, np.zeros((2, 1)), epochs=1, verbose=0)
    rows = [line for line in model.summary(print_fn=None).splitlines() if "(GRU)" in line]
    assert "(None, 4)" in rows[0]  # a declared input: no batch size of the first call
    assert model(tokens[:, :2]).shape == (2, 1)  # another length
    with pytest.raises(ValueError, match="input_shape must be the shape of one sample"):
        nn.layers.Embedding(10, 3, input_shape=[0])
