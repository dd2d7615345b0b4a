import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from nn import activations


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _phi(x):  # standard normal CDF
    return 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))


# name, module, functional form, f(x), f'(x) as numpy formulas
CASES = [
    ("identity", nn.Identity(), F.identity, lambda x: x, lambda x: np.ones_like(x)),
    ("step", nn.Step(), F.step, lambda x: (x >= 0) * 1.0, lambda x: 0 * x),
    ("sign", nn.Sign(), F.sign, np.sign, lambda x: 0 * x),
    ("sigmoid", nn.Sigmoid(), F.sigmoid, _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    ("tanh", nn.Tanh(), F.tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    ("relu", nn.ReLU(), F.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    (
        "leaky_relu",
        nn.LeakyReLU(),
        F.leaky_relu,
        lambda x: np.where(x > 0, x, 0.01 * x),
        lambda x: np.where(x > 0, 1.0, 0.01),
    ),
    (
        "elu",
        nn.ELU(),
        F.elu,
        lambda x: np.where(x > 0, x, np.exp(x) - 1),
        lambda x: np.where(x > 0, 1.0, np.exp(x)),
    ),
    (
        "gelu",
        nn.GELU(),
        F.gelu,
        lambda x: x * _phi(x),
        lambda x: _phi(x) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi),
    ),
    (
        "silu",
        nn.SiLU(),
        F.silu,
        lambda x: x * _sigmoid(x),
        lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    ),
    (
        "softplus",
        nn.Softplus(),
        F.softplus,
        lambda x: np.log1p(np.exp(x)),
        _sigmoid,
    ),
]
IDS = [case[0] for case in CASES]

# Away from 0, where relu, step and sign have kinks.
X = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])


@pytest.mark.parametrize(("name", "module", "fn", "f", "df"), CASES, ids=IDS)
def test_activation_values_and_derivatives(name, module, fn, f, df):
    for forward in (module, fn, activations.get(name)):
        x = Tensor(X.copy(), requires_grad=True)
        y = forward(x)
        np.testing.assert_allclose(y.data, f(X), rtol=1e-6, atol=1e-7)
        y.sum().backward()
        np.testing.assert_allclose(x.grad.data, df(X), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("name", "module", "fn", "f", "df"), CASES, ids=IDS)
def test_activation_gradcheck(name, module, fn, f, df):
    x = Tensor(X.copy(), requires_grad=True)
    assert autograd.gradcheck(lambda x: module(x) * x, x)


@pytest.mark.parametrize("cls", [nn.Step, nn.Sign])
def test_step_and_sign_have_zero_gradient(cls):
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    cls()(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0)


def test_step_is_one_at_zero():
    np.testing.assert_array_equal(nn.Step()(Tensor([-0.5, 0.0, 0.5])).data, [0, 1, 1])


def test_parametrized_activations():
    x = np.array([-2.0, 3.0])
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(Tensor(x)).data, [-0.4, 3.0])
    np.testing.assert_allclose(nn.ELU(alpha=2.0)(Tensor(x)).data, [2 * (np.exp(-2) - 1), 3.0])
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_and_log_softmax_modules(axis):
    x = np.random.default_rng(0).normal(size=(3, 4))
    e = np.exp(x - x.max(axis, keepdims=True))
    expected = e / e.sum(axis, keepdims=True)
    np.testing.assert_allclose(nn.Softmax(axis)(Tensor(x)).data, expected, rtol=1e-10)
    np.testing.assert_allclose(nn.LogSoftmax(axis)(Tensor(x)).data, np.log(expected), rtol=1e-10)
    t = Tensor(x, requires_grad=True)
    assert autograd.gradcheck(lambda t: nn.Softmax(axis)(t) * t, t)
    assert autograd.gradcheck(lambda t: nn.LogSoftmax(axis)(t) * t, t)


def test_softmax_of_huge_logits_is_finite():
    y = nn.Softmax()(Tensor(np.array([[1e4, -1e4, 0.0]])))
    np.testing.assert_allclose(y.data, [[1, 0, 0]])


def test_get_resolves_names_modules_functions_and_none():
    assert isinstance(activations.get("linear"), nn.Identity)
    assert isinstance(activations.get("RELU"), nn.ReLU)
    assert isinstance(activations.get(None), nn.Identity)
    assert isinstance(activations.get("log_softmax"), nn.LogSoftmax)
    module = nn.Tanh()
    assert activations.get(module) is module
    wrapped = activations.get(autograd.sin)
    assert isinstance(wrapped, nn.Activation) and repr(wrapped) == "Activation(sin)"
    np.testing.assert_allclose(wrapped(Tensor([0.5])).data, np.sin([0.5]), rtol=1e-6)


def test_every_api_name_resolves():
    names = "step sign linear sigmoid tanh relu leaky_relu elu gelu silu softplus softmax"
    for name in [*names.split(), "log_softmax", "identity"]:
        assert isinstance(activations.get(name), nn.Module)


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'rleu'; valid names: step, sign"):
        activations.get("rleu")
    with pytest.raises(TypeError, match="got int"):
        activations.get(3)


TORCH_NAMES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "elu": "elu",
    "gelu": "gelu",
    "silu": "silu",
    "softplus": "softplus",
}


@pytest.mark.parametrize("name", sorted(TORCH_NAMES))
def test_activations_match_torch(name):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(scale=3, size=50)
    ours = Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y, z = activations.get(name)(ours), getattr(torch.nn.functional, TORCH_NAMES[name])(theirs)
    np.testing.assert_allclose(y.data, z.detach().numpy(), rtol=1e-6, atol=1e-7)
    y.sum().backward()
    z.sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-5, atol=1e-7)
