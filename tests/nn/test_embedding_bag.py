"""`F.embedding_bag` and `nn.EmbeddingBag` compared with torch in float64: values and
gradients of the table and of per_sample_weights, for every mode, 1-d input with offsets
(empty bags, include_last_offset), 2-d input, padding_idx (also negative, and bags of
padding only), max_norm, scale_grad_by_freq, float32; the module's weight, state_dict,
repr and from_pretrained; and torch's errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

ROWS, DIM = 7, 4
INDICES = np.array([1, 2, 4, 5, 4, 3, 2, 0, 6, 2, 2, 5])


def _run(idx, offsets=None, seed=0, psw=None, dtype=np.float64, **kwargs):
    """Ours and torch's output, table gradient and per-sample-weight gradient."""
    table = np.random.default_rng(seed).normal(size=(ROWS, DIM)).astype(dtype)
    results = []
    for lib in ("ours", "torch"):
        if lib == "ours":
            w = Tensor(table.copy(), requires_grad=True)
            p = None if psw is None else Tensor(psw.astype(dtype), requires_grad=True)
            o = None if offsets is None else Tensor(np.asarray(offsets))
            out = F.embedding_bag(Tensor(idx), w, o, per_sample_weights=p, **kwargs)
            weights = np.random.default_rng(seed + 1).normal(size=out.shape).astype(dtype)
            (out * Tensor(weights)).sum().backward()
            results.append((out.data, w.grad.data, None if p is None else p.grad.data))
        else:
            w = torch.tensor(table, requires_grad=True)
            p = None if psw is None else torch.tensor(psw.astype(dtype), requires_grad=True)
            o = None if offsets is None else torch.tensor(np.asarray(offsets))
            out = TF.embedding_bag(torch.tensor(idx), w, o, per_sample_weights=p, **kwargs)
            weights = np.random.default_rng(seed + 1).normal(size=tuple(out.shape)).astype(dtype)
            (out * torch.tensor(weights)).sum().backward()
            results.append(
                (out.detach().numpy(), w.grad.numpy(), None if p is None else p.grad.numpy())
            )
    return results


def _assert_same(ours, theirs, rtol=1e-12, atol=1e-13):
    for a, b in zip(ours, theirs, strict=True):
        if b is None:
            assert a is None
        else:
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


OFFSETS = [
    ([0, 3, 3, 7], False),  # an empty bag
    ([0], False),  # one bag of everything
    ([0, 12], True),
    ([0, 2, 5, 5, 9], True),  # the last bag runs to the end of the input, as torch's
    ([0, 0, 4, 12], False),  # an empty first bag, an empty last bag
    ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], False),  # bags of one
]


@pytest.mark.parametrize("padding_idx", [None, 2, -1, 0])
@pytest.mark.parametrize("offsets, last", OFFSETS)
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_1d_with_offsets(mode, offsets, last, padding_idx):
    ours, theirs = _run(
        INDICES, offsets, mode=mode, include_last_offset=last, padding_idx=padding_idx
    )
    _assert_same(ours, theirs)


@pytest.mark.parametrize("padding_idx", [None, 4])
@pytest.mark.parametrize("offsets, last", OFFSETS)
def test_embedding_bag_per_sample_weights(offsets, last, padding_idx):
    psw = np.random.default_rng(3).normal(size=len(INDICES))
    ours, theirs = _run(
        INDICES, offsets, psw=psw, mode="sum", include_last_offset=last, padding_idx=padding_idx
    )
    _assert_same(ours, theirs)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("shape", [(3, 4), (1, 1), (4, 1), (0, 3)])
def test_embedding_bag_2d_input(mode, shape):
    idx = np.random.default_rng(4).integers(0, ROWS, size=shape)
    ours, theirs = _run(idx, mode=mode, padding_idx=3)
    _assert_same(ours, theirs)
    if mode == "sum":
        psw = np.random.default_rng(5).normal(size=shape)
        ours, theirs = _run(idx, psw=psw, mode="sum")
        _assert_same(ours, theirs)


def test_embedding_bag_max_ties_go_to_the_first_row():
    table = np.array([[1.0, 2.0], [1.0, 0.0], [0.0, 2.0]])
    idx = np.array([0, 1, 2, 1])
    w, tw = Tensor(table.copy(), requires_grad=True), torch.tensor(table, requires_grad=True)
    F.embedding_bag(Tensor(idx), w, Tensor(np.array([0])), mode="max").sum().backward()
    TF.embedding_bag(torch.tensor(idx), tw, torch.tensor([0]), mode="max").sum().backward()
    np.testing.assert_array_equal(w.grad.data, tw.grad.numpy())


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq(mode):
    """The gradient of each row divided by its index's count in the input, as torch
    documents and as `F.embedding` does: compared with torch's `F.embedding` followed by
    the bags' sums or means (torch 2.13's CPU `embedding_bag` divides some rows by the
    count of another index)."""
    table = np.random.default_rng(9).normal(size=(ROWS, DIM))
    offsets = [0, 5, 9]
    w, tw = Tensor(table.copy(), requires_grad=True), torch.tensor(table, requires_grad=True)
    out = F.embedding_bag(
        Tensor(INDICES), w, Tensor(np.array(offsets)), mode=mode, scale_grad_by_freq=True
    )
    rows = TF.embedding(torch.tensor(INDICES), tw, scale_grad_by_freq=True)
    bounds = [*offsets, len(INDICES)]
    reduce = torch.sum if mode == "sum" else torch.mean
    expected = torch.stack([reduce(rows[a:b], 0) for a, b in itertools.pairwise(bounds)])
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    weights = np.random.default_rng(10).normal(size=out.shape)
    (out * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_max_norm_renormalizes_the_picked_rows_in_place(mode):
    table = np.random.default_rng(6).normal(size=(ROWS, DIM)) * 2
    w, tw = Tensor(table.copy()), torch.tensor(table)
    offsets = np.array([0, 4])
    out = F.embedding_bag(Tensor(INDICES[:8]), w, Tensor(offsets), max_norm=1.5, mode=mode)
    expected = TF.embedding_bag(
        torch.tensor(INDICES[:8]), tw, torch.tensor(offsets), max_norm=1.5, mode=mode
    )
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.data, tw.numpy(), rtol=1e-12)  # the table written too


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_float32(mode):
    ours, theirs = _run(INDICES, [0, 3, 8], dtype=np.float32, mode=mode)
    _assert_same(ours, theirs, rtol=1e-6, atol=1e-6)


def test_embedding_bag_module_matches_torch():
    autograd.manual_seed(0)
    torch.manual_seed(0)
    ours = nn.EmbeddingBag(10, 3, mode="sum", padding_idx=-2)
    theirs = torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=-2)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert ours.padding_idx == theirs.padding_idx == 8
    assert ours.weight.dtype == np.float32
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-6)
    ours = nn.EmbeddingBag(10, 3, max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True)
    theirs = torch.nn.EmbeddingBag(10, 3, max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True)
    assert repr(ours) == repr(theirs)
    ours = nn.EmbeddingBag(10, 3, max_norm=2.0, norm_type=1.0)
    theirs = torch.nn.EmbeddingBag(10, 3, max_norm=2.0, norm_type=1.0)
    ours.weight.data[:] = theirs.weight.detach().numpy()
    idx, offsets = np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 4])
    out = ours(Tensor(idx), Tensor(offsets))
    expected = theirs(torch.tensor(idx), torch.tensor(offsets))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-6)


def test_embedding_bag_from_pretrained():
    table = np.random.default_rng(7).normal(size=(5, 2))
    ours = nn.EmbeddingBag.from_pretrained(Tensor(table), mode="max")
    theirs = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(table), mode="max")
    assert repr(ours) == repr(theirs)
    assert not ours.weight.requires_grad
    idx = np.array([[0, 4, 2], [1, 1, 3]])
    np.testing.assert_array_equal(ours(Tensor(idx)).data, theirs(torch.tensor(idx)).numpy())
    assert nn.EmbeddingBag.from_pretrained(table, freeze=False).weight.requires_grad


def test_embedding_bag_old_argument_order_warns():
    table = np.random.default_rng(8).normal(size=(ROWS, DIM))
    with pytest.warns(UserWarning, match="Argument order"):
        out = F.embedding_bag(Tensor(table), Tensor(INDICES), Tensor(np.array([0, 6])))
    expected = TF.embedding_bag(torch.tensor(INDICES), torch.tensor(table), torch.tensor([0, 6]))
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)


IDX_1D = np.array([1, 2, 3])


@pytest.mark.parametrize(
    "idx, offsets, kwargs, error, match",
    [
        (IDX_1D, [1, 2], {}, RuntimeError, "offsets\\[0\\] has to be 0"),
        (IDX_1D, [0, 4], {}, RuntimeError, "can not be greater than input's length"),
        (np.array([1, 7]), [0], {}, RuntimeError, "idx >= 0 && idx < num_embeddings"),
        (np.array([1, -1]), [0], {}, RuntimeError, "idx >= 0 && idx < num_embeddings"),
        (IDX_1D.astype(np.float32), [0], {}, RuntimeError, "Long, Int"),
        (IDX_1D, np.array([0.0]), {}, RuntimeError, "Long, Int"),
        (IDX_1D, [[0, 1]], {}, ValueError, "offsets has to be a 1D Tensor"),
        (IDX_1D, None, {}, ValueError, "offsets has to be a 1D Tensor but got None"),
        (np.array([[1, 2]]), [0], {}, ValueError, "offsets has to be None"),
        (np.zeros((1, 1, 1), np.int64), None, {}, ValueError, "1D or 2D"),
        (IDX_1D, [0], {"mode": "min"}, ValueError, "mode has to be one of"),
        (IDX_1D, [0], {"mode": "max", "scale_grad_by_freq": True}, ValueError, "frequency"),
        (IDX_1D, [0], {"mode": "max", "sparse": True}, ValueError, "sparse"),
        (IDX_1D, [0], {"padding_idx": 7}, RuntimeError, "-7 through 6, but got 7"),
        (IDX_1D, [0], {"padding_idx": -8}, RuntimeError, "-7 through 6, but got -8"),
        (IDX_1D, [0], {"padding_idx": 1.5}, TypeError, "padding_idx"),
    ],
)
def test_embedding_bag_errors_as_torch(idx, offsets, kwargs, error, match):
    table = np.zeros((ROWS, DIM))
    with pytest.raises(error):
        o = None if offsets is None else torch.tensor(np.asarray(offsets))
        TF.embedding_bag(torch.tensor(idx), torch.tensor(table), o, **kwargs)
    with pytest.raises(error, match=match):
        o = None if offsets is None else Tensor(np.asarray(offsets))
        F.embedding_bag(Tensor(idx), Tensor(table), o, **kwargs)


@pytest.mark.parametrize(
    "psw, mode, error, match",
    [
        (np.ones(2), "sum", ValueError, "same shape as the input"),
        (np.ones(3, np.float32), "sum", RuntimeError, "same type"),
        (np.ones(3), "mean", RuntimeError, "only supported for mode='sum'"),
    ],
)
def test_embedding_bag_per_sample_weights_errors(psw, mode, error, match):
    table = np.zeros((ROWS, DIM))
    with pytest.raises((error, NotImplementedError)):
        TF.embedding_bag(
            torch.tensor(IDX_1D), torch.tensor(table), torch.tensor([0]), mode=mode,
            per_sample_weights=torch.tensor(psw),
        )  # fmt: skip
    with pytest.raises(error, match=match):
        F.embedding_bag(
            Tensor(IDX_1D), Tensor(table), Tensor(np.array([0])), mode=mode,
            per_sample_weights=Tensor(psw),
        )  # fmt: skip


def test_embedding_bag_module_errors():
    with pytest.raises(ValueError, match="padding_idx"):
        nn.EmbeddingBag(4, 2, padding_idx=4)
    with pytest.raises(ValueError, match="mode"):
        nn.EmbeddingBag(4, 2, mode="median")
    with pytest.raises(ValueError, match="shape"):
        nn.EmbeddingBag(4, 2, _weight=np.zeros((3, 2)))
    with pytest.raises(RuntimeError):
        nn.EmbeddingBag(4, 2, device="cuda")
    bag = nn.EmbeddingBag(4, 2, device="cpu", dtype=autograd.float64)
    assert bag.weight.dtype == np.float64
