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


def _check_same_outputs(ours, theirs, x):
    np.testing.assert_allclose(
        ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def _all_layers():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(6, 8),
        nn.BatchNorm1d(8),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(8, 8),
        nn.LeakyReLU(0.2),
        nn.Dense(8, activation="tanh"),
        nn.ELU(0.5),
        nn.Dense(8, activation="sigmoid", input_dim=8),
        nn.GELU(),
        nn.Linear(8, 8),
        nn.SiLU(),
        nn.Softplus(),
        nn.Identity(),
        nn.Linear(8, 4, bias=False),
        nn.LogSoftmax(dim=1),
    )


def test_to_torch_gives_the_same_network():
    model = _all_layers()
    x = np.random.default_rng(0).normal(size=(5, 2, 3)).astype(np.float32)
    model.train()
    model(Tensor(x))  # builds the lazy Dense and moves the running statistics
    model.eval()
    theirs = nn.to_torch(model)
    assert isinstance(theirs, torch.nn.Sequential) and not theirs.training
    names = [type(m).__name__ for m in theirs]
    assert names[:8] == [
        "Flatten",
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Dropout",
        "Linear",
        "LeakyReLU",
        "Linear",
    ]
    assert names[8] == "Tanh"  # a Dense's activation follows its Linear
    _check_same_outputs(model, theirs, x)
    bn = theirs[2]
    np.testing.assert_allclose(bn.running_mean.numpy(), model[2].running_mean.data)
    # copies: training the torch network leaves ours alone
    with torch.no_grad():
        theirs[1].weight.add_(1.0)
    assert not np.allclose(theirs[1].weight.detach().numpy(), model[1].weight.data)


def test_from_torch_gives_the_same_network():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(6, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 8),
        torch.nn.Sigmoid(),
        torch.nn.ELU(0.3),
        torch.nn.LeakyReLU(0.1),
        torch.nn.GELU(),
        torch.nn.SiLU(),
        torch.nn.Softplus(),
        torch.nn.Linear(8, 3),
        torch.nn.Softmax(dim=1),
    )
    x = np.random.default_rng(1).normal(size=(4, 2, 3)).astype(np.float32)
    theirs.train()
    theirs(torch.from_numpy(x))  # moves the running statistics
    theirs.eval()
    ours = nn.from_torch(theirs)
    assert isinstance(ours, nn.Sequential) and not ours.training
    assert isinstance(ours[1], nn.Linear) and ours[1].weight.shape == (8, 6)
    _check_same_outputs(ours, theirs, x)
    back = nn.to_torch(ours)
    _check_same_outputs(ours, back, x)


def test_round_trip_keeps_training_mode_and_gradients():
    model = nn.MLP([3, 5, 2], activation="tanh", rng=np.random.default_rng(0))
    theirs = nn.to_torch(model)
    assert theirs.training
    x = np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32)
    (theirs(torch.from_numpy(x)) ** 2).sum().backward()
    out = model(Tensor(x))
    (out**2).sum().backward()
    np.testing.assert_allclose(
        model.layers[0].weight.grad.data, theirs[0].weight.grad.numpy(), rtol=1e-4, atol=1e-6
    )
    single = nn.to_torch(nn.Linear(3, 2))
    assert isinstance(single, torch.nn.Linear)


def test_layers_without_counterpart_are_named():
    with pytest.raises(TypeError, match=r"Step at '1' has no counterpart in PyTorch"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), nn.Step()))
    with pytest.raises(TypeError, match=r"Conv1d at '0' has no counterpart in nn"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Conv1d(1, 1, 3)))
    with pytest.raises(TypeError, match=r"Softshrink at '1' has no counterpart"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softshrink()))

    class Custom(torch.nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match=r"Custom has no counterpart in nn"):
        nn.from_torch(Custom())
    with pytest.raises(ValueError, match="Dense at '0' has no weights yet"):
        nn.to_torch(nn.Sequential(nn.Dense(3)))


def test_functional_linear_matches_torch():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    expected = torch.nn.functional.linear(*map(torch.from_numpy, (x, w, b))).numpy()
    np.testing.assert_allclose(nn.functional.linear(Tensor(x), Tensor(w), Tensor(b)).data, expected)
