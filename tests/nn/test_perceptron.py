import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
GATES = {
    "and": np.array([0, 0, 0, 1]),
    "or": np.array([0, 1, 1, 1]),
    "nand": np.array([1, 1, 1, 0]),
    "xor": np.array([0, 1, 1, 0]),
}


def _perceptron(weight, bias):
    p = nn.Perceptron(2)
    p.weight.data[:] = weight
    p.bias.data[...] = bias
    return p


def test_hand_set_weights_compute_and_and_or():
    np.testing.assert_array_equal(_perceptron([0.5, 0.5], -0.7).predict(X), GATES["and"])
    np.testing.assert_array_equal(_perceptron([0.6, 0.6], -0.5).predict(X), GATES["or"])


def test_forward_is_a_module_on_tensors():
    p = _perceptron([0.5, 0.5], -0.7)
    y = p(Tensor(X))
    assert isinstance(y, Tensor) and y.shape == (4,)
    np.testing.assert_array_equal(y.data, GATES["and"])


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_learns_linearly_separable_gates(gate):
    p = nn.Perceptron(2, rng=np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert p.fit(X, GATES[gate], epochs=100, lr=0.1) is p
    assert p.converged_ and p.errors_[-1] == 0 and p.n_iter_ == len(p.errors_) < 100
    np.testing.assert_array_equal(p.predict(X), GATES[gate])


def test_xor_warns_and_stops_after_its_epochs():
    p = nn.Perceptron(2, rng=np.random.default_rng(0))
    with pytest.warns(nn.ConvergenceWarning, match="did not converge in 20 epochs"):
        p.fit(X, GATES["xor"], epochs=20)
    assert not p.converged_ and len(p.errors_) == 20 and min(p.errors_) > 0
    assert (p.predict(X) == GATES["xor"]).mean() < 1


def test_learning_rule_by_hand():
    p = _perceptron([0.0, 0.0], 0.0)
    with pytest.warns(nn.ConvergenceWarning):
        p.fit(X[:1], [0], epochs=1, lr=0.5)  # step(0) = 1, target 0: w += -0.5 * x, b -= 0.5
    np.testing.assert_array_equal(p.weight.data, [0, 0])
    assert p.bias.item() == -0.5 and p.errors_ == [1]


def test_sign_activation_with_minus_one_plus_one_targets():
    p = nn.Perceptron(2, activation="sign", rng=np.random.default_rng(1))
    p.fit(X + 0.1, 2 * GATES["or"] - 1, lr=0.1)  # shifted so that no sum is exactly 0
    np.testing.assert_array_equal(p.predict(X + 0.1), 2 * GATES["or"] - 1)


def test_bad_shapes():
    p = nn.Perceptron(2)
    with pytest.raises(ValueError, match=r"Perceptron\(n_inputs=2\): expected.*got \(4, 3\)"):
        p.fit(np.ones((4, 3)), np.ones(4))
    with pytest.raises(ValueError, match="X has 4 samples but y has 3"):
        p.fit(X, np.ones(3))
