import numpy as np
import pytest

import nn
from autograd import Tensor

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
Y = np.array([[0], [1], [1], [0]], np.float32)


def test_layers_and_names():
    model = nn.MLP([2, 16, 16, 1], activation="tanh", output_activation="sigmoid")
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Sigmoid"]
    assert list(model.state_dict())[:2] == ["layers.0.weight", "layers.0.bias"]
    assert model(X).shape == (4, 1)


def test_batch_norm_and_dropout_placement():
    model = nn.MLP([4, 8, 2], batch_norm=True, dropout=0.2)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert "layers.1.running_mean" in model.state_dict()


def test_invalid_sizes():
    with pytest.raises(ValueError, match="two or more positive ints"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="two or more positive ints"):
        nn.MLP([3, 0, 1])


def test_mlp_solves_xor_with_plain_sgd():
    model = nn.MLP([2, 8, 1], activation="tanh", rng=np.random.default_rng(0))
    loss_fn = nn.BCEWithLogitsLoss()
    x = Tensor(X)
    for _ in range(500):
        model.zero_grad()
        loss = loss_fn(model(x), Y)
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad.data
    assert loss.item() < 0.05
    predictions = (model(x).data > 0).astype(np.float32)
    np.testing.assert_array_equal(predictions, Y)


def test_mlp_in_eval_mode_is_deterministic():
    model = nn.MLP([3, 5, 2], dropout=0.5, batch_norm=True).eval()
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    np.testing.assert_array_equal(model(x).data, model(x).data)
