import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import init

SHAPE = (400, 600)  # fan_in = 600, fan_out = 400 in PyTorch's (out, in) layout


def _fresh(shape=SHAPE):
    return nn.Parameter(np.zeros(shape, np.float64))


def _rng():
    return np.random.default_rng(0)


# initializer, expected std, bound of a uniform (None for normals)
CASES = {
    "uniform": (lambda t: init.uniform_(t, -2, 2, rng=_rng()), 4 / math.sqrt(12), 2),
    "normal": (lambda t: init.normal_(t, 0.0, 0.3, rng=_rng()), 0.3, None),
    "xavier_uniform": (
        lambda t: init.xavier_uniform_(t, gain=2.0, rng=_rng()),
        2 * math.sqrt(2 / 1000),
        2 * math.sqrt(6 / 1000),
    ),
    "xavier_normal": (lambda t: init.xavier_normal_(t, rng=_rng()), math.sqrt(2 / 1000), None),
    "kaiming_uniform": (
        lambda t: init.kaiming_uniform_(t, rng=_rng()),
        math.sqrt(2 / 600),
        math.sqrt(6 / 600),
    ),
    "kaiming_normal_fan_out": (
        lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu", rng=_rng()),
        math.sqrt(2 / 400),
        None,
    ),
    "kaiming_leaky": (
        lambda t: init.kaiming_normal_(t, a=0.2, rng=_rng()),
        math.sqrt(2 / (1 + 0.04) / 600),
        None,
    ),
    "lecun_uniform": (
        lambda t: init.lecun_uniform_(t, rng=_rng()),
        math.sqrt(1 / 600),
        math.sqrt(3 / 600),
    ),
    "lecun_normal": (lambda t: init.lecun_normal_(t, rng=_rng()), math.sqrt(1 / 600), None),
    "he_uniform": (
        lambda t: init.he_uniform_(t, rng=_rng()),
        math.sqrt(2 / 600),
        math.sqrt(6 / 600),
    ),
    "he_normal": (lambda t: init.he_normal_(t, rng=_rng()), math.sqrt(2 / 600), None),
    "glorot_uniform": (
        lambda t: init.glorot_uniform_(t, rng=_rng()),
        math.sqrt(2 / 1000),
        math.sqrt(6 / 1000),
    ),
    "glorot_normal": (lambda t: init.glorot_normal_(t, rng=_rng()), math.sqrt(2 / 1000), None),
}


@pytest.mark.parametrize("name", CASES)
def test_initializer_statistics(name):
    fill, std, bound = CASES[name]
    t = _fresh()
    assert fill(t) is t
    assert abs(t.data.mean()) < 3 * std / math.sqrt(t.size) + 1e-12
    assert t.data.std() == pytest.approx(std, rel=0.01)
    if bound is not None:
        assert np.abs(t.data).max() <= bound
        assert np.abs(t.data).max() > 0.99 * bound


def test_constant_fills_in_place():
    t = _fresh((3, 2))
    data = t.data
    assert init.constant_(t, 0.25) is t and t.data is data
    np.testing.assert_array_equal(t.data, 0.25)
    np.testing.assert_array_equal(init.ones_(t).data, 1)
    np.testing.assert_array_equal(init.zeros_(t).data, 0)


def test_default_rng_follows_manual_seed():
    autograd.manual_seed(3)
    a = init.normal_(_fresh((5,))).data.copy()
    autograd.manual_seed(3)
    b = init.normal_(_fresh((5,))).data.copy()
    np.testing.assert_array_equal(a, b)
    assert init.normal_(_fresh((5,)), rng=np.random.default_rng(1)).data.tolist() != a.tolist()


def test_float32_tensor_stays_float32():
    t = nn.Parameter(np.zeros((4, 4), np.float32))
    assert init.xavier_uniform_(t).dtype == np.float32


def test_fans_for_pytorch_layout():
    assert init._calculate_fan_in_and_fan_out(_fresh((3, 5))) == (5, 3)  # (out, in)
    assert init._calculate_fan_in_and_fan_out(_fresh((7,))) == (7, 7)
    assert init._calculate_fan_in_and_fan_out(_fresh((5, 3, 2, 2))) == (12, 20)
    with pytest.raises(ValueError, match="0-d"):
        init.xavier_uniform_(_fresh(()))
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_uniform_(_fresh((2, 2)), mode="fan_avg")


def test_calculate_gain_like_torch():
    assert init.calculate_gain("linear") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / 1.0001))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name, param in [("tanh", None), ("relu", None), ("leaky_relu", 0.3), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param)
        )


def test_get_keras_names():
    for name in [
        "glorot_uniform",
        "glorot_normal",
        "he_uniform",
        "he_normal",
        "lecun_normal",
        "lecun_uniform",
        "zeros",
        "ones",
        "random_normal",
        "random_uniform",
    ]:
        t = init.get(name)(_fresh((300, 200)), rng=_rng())
        assert t.shape == (300, 200)
    assert init.get("random_normal")(_fresh((300, 200)), rng=_rng()).data.std() == pytest.approx(
        0.05, rel=0.02
    )
    assert np.abs(init.get("random_uniform")(_fresh((30, 20))).data).max() <= 0.05
    assert init.get(init.zeros_) is init.zeros_
    with pytest.raises(
        ValueError, match="unknown initializer 'glorot'; valid names: glorot_uniform"
    ):
        init.get("glorot")


def test_constant_takes_rng_like_every_initializer():
    w = nn.init.constant_(nn.Parameter(np.zeros((2, 3))), 0.25, rng=np.random.default_rng(0))
    assert np.all(w.data == 0.25)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3, 2, 2)])
def test_fans_match_torch(shape):
    torch = pytest.importorskip("torch")
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    assert init._calculate_fan_in_and_fan_out(_fresh(shape)) == expected


def test_linear_and_dense_get_fan_in_from_their_inputs():
    """he_uniform's bound sqrt(6 / fan_in) uses the 600 inputs in both layouts."""
    bound = math.sqrt(6 / 600)
    linear = nn.Linear(600, 400)
    init.he_uniform_(linear.weight, rng=_rng())
    dense = nn.Dense(400, input_dim=600, kernel_initializer="he_uniform", rng=_rng())
    assert linear.weight.shape == (400, 600) and dense.weight.shape == (600, 400)
    for w in (linear.weight, dense.weight):
        assert bound * 0.99 < np.abs(w.data).max() <= bound


def test_trunc_normal_stays_in_its_bounds_with_the_truncated_moments():
    t = Tensor(np.empty((400, 500)))
    nn.init.trunc_normal_(t, mean=1.0, std=2.0, a=-1.0, b=5.0, rng=np.random.default_rng(0))
    assert t.data.min() >= -1.0 and t.data.max() <= 5.0
    # N(1, 4) on [-1, 5], i.e. the standard normal on [-1, 2]: mean and variance
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    mass = cdf(2) - cdf(-1)
    mean = (phi(-1) - phi(2)) / mass
    var = 1 + (-1 * phi(-1) - 2 * phi(2)) / mass - mean**2
    assert t.data.mean() == pytest.approx(1 + 2 * mean, abs=0.01)
    assert t.data.var() == pytest.approx(4 * var, rel=0.01)


def test_trunc_normal_refuses_bounds_that_hold_nothing():
    with pytest.raises(ValueError, match=r"\[10.0, 11.0\] holds .* of N\(0.0, 1.0\*\*2\)"):
        nn.init.trunc_normal_(Tensor(np.empty(3)), a=10.0, b=11.0)
    with pytest.raises(ValueError, match=r"a \(2.0\) must not exceed b \(1.0\)"):
        nn.init.trunc_normal_(Tensor(np.empty(3)), a=2.0, b=1.0)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 2, 3), (6, 6)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    t = nn.init.orthogonal_(Tensor(np.empty(shape)), gain=2.0, rng=np.random.default_rng(1))
    flat = t.data.reshape(shape[0], -1) / 2.0
    small = min(flat.shape)
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)
    with pytest.raises(ValueError, match=r"at least 2 dimensions, got shape \(3,\)"):
        nn.init.orthogonal_(Tensor(np.empty(3)))


def test_eye_and_the_keras_names():
    t = nn.init.eye_(Tensor(np.zeros((2, 3))))
    np.testing.assert_array_equal(t.data, np.eye(2, 3))
    assert t.version == 1
    layer = nn.Dense(4, kernel_initializer="orthogonal", input_dim=4)
    np.testing.assert_allclose(layer.kernel.data.T @ layer.kernel.data, np.eye(4), atol=1e-6)
    layer = nn.Dense(3, kernel_initializer="identity", input_dim=3)
    np.testing.assert_array_equal(layer.kernel.data, np.eye(3))
    layer = nn.Dense(50, kernel_initializer="truncated_normal", input_dim=40)
    assert np.abs(layer.kernel.data).max() <= 0.1
