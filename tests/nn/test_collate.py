"""`DataLoader` over a map-style dataset batches as PyTorch's default collate does."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.collate import collate, is_dataset


class Pairs:
    """A map-style dataset: (features float32 (3,), label int) per index."""

    def __init__(self, n=10):
        rng = np.random.default_rng(0)
        self.x = rng.normal(size=(n, 3)).astype(np.float32)
        self.y = rng.integers(0, 4, n)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], int(self.y[i])


def test_batches_a_map_style_dataset_in_order():
    data = Pairs()
    loader = nn.DataLoader(data, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    xb, yb = batches[0]
    assert isinstance(xb, Tensor) and xb.shape == (4, 3) and xb.dtype == np.float32
    assert isinstance(yb, Tensor) and yb.dtype == np.int64  # torch's int64 label tensor
    np.testing.assert_array_equal(xb.data, data.x[:4])
    np.testing.assert_array_equal(batches[-1][1].data, data.y[8:])  # the short last batch


def test_shuffle_and_drop_last_cover_each_sample_once():
    data = Pairs(11)
    loader = nn.DataLoader(data, batch_size=4, shuffle=True, drop_last=True, seed=0)
    xs = np.concatenate([xb.data for xb, _ in loader])
    assert len(loader) == 2 and len(xs) == 8
    rows = {tuple(r) for r in data.x}
    assert {tuple(r) for r in xs} <= rows and len({tuple(r) for r in xs}) == 8
    first, second = ([yb.tolist() for _, yb in loader] for _ in range(2))
    assert first != second or len(data) < 4  # each pass draws a new order


def test_matches_torch_default_collate():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate

    samples = [
        (np.full((2, 2), i, np.float32), i, {"w": float(i), "tag": f"s{i}"}, [i % 2 == 0, 1.5])
        for i in range(3)
    ]
    ours, theirs = collate(samples), default_collate(samples)
    assert isinstance(ours, tuple) and len(ours) == len(theirs) == 4
    np.testing.assert_array_equal(ours[0].data, theirs[0].numpy())
    np.testing.assert_array_equal(ours[1].data, theirs[1].numpy())
    assert ours[1].dtype == theirs[1].numpy().dtype == np.int64
    assert set(ours[2]) == set(theirs[2]) == {"w", "tag"}
    np.testing.assert_array_equal(ours[2]["w"].data, theirs[2]["w"].numpy())
    assert ours[2]["w"].dtype == theirs[2]["w"].numpy().dtype == np.float64
    assert ours[2]["tag"] == theirs[2]["tag"] == ["s0", "s1", "s2"]
    assert isinstance(ours[3], list) and len(ours[3]) == len(theirs[3]) == 2
    for o, t in zip(ours[3], theirs[3]):
        np.testing.assert_array_equal(o.data, t.numpy())
        assert o.dtype == t.numpy().dtype
    # torch tensors as leaves, from a dataset written for PyTorch
    tsamples = [(torch.ones(3) * i, torch.tensor(i)) for i in range(2)]
    xb, yb = collate(tsamples)
    np.testing.assert_array_equal(xb.data, default_collate(tsamples)[0].numpy())
    np.testing.assert_array_equal(yb.data, [0, 1])


def test_a_list_of_pairs_is_a_dataset_and_a_nested_list_is_an_array():
    pairs = [(np.zeros(2, np.float32), 0), (np.ones(2, np.float32), 1)]
    assert is_dataset(pairs) and is_dataset(Pairs())
    assert not is_dataset([[1.0, 2.0], [3.0, 4.0]]) and not is_dataset(np.zeros((2, 2)))
    ((xb, yb),) = list(nn.DataLoader(pairs, batch_size=2))
    np.testing.assert_array_equal(xb.data, [[0, 0], [1, 1]])
    np.testing.assert_array_equal(yb.data, [0, 1])


def test_clear_errors():
    with pytest.raises(ValueError, match="pass y=None"):
        nn.DataLoader(Pairs(), np.arange(10))
    with pytest.raises(ValueError, match="different shapes"):
        collate([(np.zeros(2), 0), (np.zeros(3), 1)])
    with pytest.raises(TypeError, match="tuple of 2 fields"):
        collate([(np.zeros(2), 0), (np.zeros(2),)])
    with pytest.raises(TypeError, match="dict with the keys"):
        collate([{"a": 1}, {"b": 2}])


def test_a_model_trains_from_a_dataset_loader():
    data = Pairs(32)
    model = nn.Sequential(nn.Linear(3, 4))
    loss_fn = nn.CrossEntropyLoss()
    for xb, yb in nn.DataLoader(data, batch_size=8, shuffle=True, seed=0):
        loss = loss_fn(model(xb), yb)
        loss.backward()
    assert model[0].weight.grad.shape == (4, 3) and np.isfinite(loss.item())
