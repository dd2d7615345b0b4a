"""The PyTorch half loads PyTorch's weights as they are, and gives the same outputs."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def test_pytorch_state_dict_loads_into_sequential_of_linear():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3, bias=False)
    ).double()
    ours = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3, bias=False))
    result = ours.load_state_dict(theirs.state_dict())  # torch tensors, as they are
    assert result.missing_keys == result.unexpected_keys == []
    assert ours[0].weight.shape == (8, 5)  # (out_features, in_features), as torch
    x = np.random.default_rng(0).normal(size=(4, 5))
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_linear_gradients_match_torch():
    torch.manual_seed(1)
    theirs = torch.nn.Linear(4, 3).double()
    ours = nn.Linear(4, 3)
    for p in ours.parameters():
        p.data = p.data.astype(np.float64)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(1).normal(size=(2, 5, 4))  # extra leading axes, as torch allows
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    (theirs(tx) ** 2).sum().backward()
    (ours(ox) ** 2).sum().backward()
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-10)


def test_wrong_input_size_names_the_layer():
    with pytest.raises(
        ValueError, match=r"Linear\(in_features=4.*expected input of shape \(batch, 4\)"
    ):
        nn.Linear(4, 3)(np.ones((2, 3), np.float32))
