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


# --- the same draws as torch -----------------------------------------------------------


def test_linear_holds_torchs_weights_after_the_same_seed():
    torch = pytest.importorskip("torch")

    for seed in (0, 42):
        torch.manual_seed(seed)
        autograd.manual_seed(seed)
        theirs = torch.nn.Sequential(torch.nn.Linear(784, 64), torch.nn.Linear(64, 10, bias=False))
        ours = nn.Sequential(nn.Linear(784, 64), nn.Linear(64, 10, bias=False))
        for t, o in zip(theirs.parameters(), ours.parameters(), strict=True):
            np.testing.assert_array_equal(o.data, t.detach().numpy())
    g, tg = autograd.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    ours_layer = nn.Linear(5, 3, rng=g)
    theirs_layer = torch.nn.Linear(5, 3)
    for p in theirs_layer.parameters():  # torch.nn.Linear takes no generator: redraw as it does
        torch.nn.init.uniform_(p, -1 / math.sqrt(5), 1 / math.sqrt(5), generator=tg)
    np.testing.assert_array_equal(ours_layer.weight.data, theirs_layer.weight.detach().numpy())
    np.testing.assert_array_equal(ours_layer.bias.data, theirs_layer.bias.detach().numpy())


@pytest.mark.parametrize(
    ("name", "kwargs", "exact"),
    [
        ("uniform_", {"a": -0.3, "b": 0.7}, True),
        ("xavier_uniform_", {"gain": 1.5}, True),
        ("kaiming_uniform_", {"a": math.sqrt(5)}, True),
        ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, True),
        ("normal_", {"mean": 0.5, "std": 2.0}, False),
        ("xavier_normal_", {}, False),
        ("kaiming_normal_", {"nonlinearity": "relu"}, False),
        ("orthogonal_", {"gain": 2.0}, False),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializers_draw_what_torch_draws(name, kwargs, exact, dtype):
    torch = pytest.importorskip("torch")

    for shape in ((40, 30), (7,) if name in ("uniform_", "normal_") else (3, 8)):
        g, tg = autograd.Generator().manual_seed(11), torch.Generator().manual_seed(11)
        ours = getattr(init, name)(nn.Parameter(np.zeros(shape, dtype)), **kwargs, generator=g)
        theirs = getattr(torch.nn.init, name)(
            torch.zeros(shape, dtype=torch.float32 if dtype == np.float32 else torch.float64),
            **kwargs,
            generator=tg,
        ).numpy()
        if exact and dtype == np.float32:
            np.testing.assert_array_equal(ours.data, theirs)
        else:  # normals: a few ulp (vectorized log/cos/sin); float64 uniforms: 1 ulp;
            # orthogonal_: torch's float32 QR against numpy's float64 one
            single = dtype == np.float32
            atol = (2e-6 if name == "orthogonal_" else 1e-7) if single else 1e-15
            np.testing.assert_allclose(ours.data, theirs, rtol=2e-6 if single else 1e-14, atol=atol)


def test_generator_is_rngs_torch_name():
    """``kaiming_normal_(w, nonlinearity="tanh", generator=g)``, as torch 2 spells it."""
    g, h = autograd.Generator().manual_seed(3), autograd.Generator().manual_seed(3)
    w, v = nn.Parameter(np.zeros((4, 5))), nn.Parameter(np.zeros((4, 5)))
    init.kaiming_normal_(w, nonlinearity="tanh", generator=g)
    init.kaiming_normal_(v, nonlinearity="tanh", rng=h)
    np.testing.assert_array_equal(w.data, v.data)
    with pytest.raises(TypeError, match="one of rng and generator"):
        init.normal_(nn.Parameter(np.zeros(3)), rng=g, generator=h)


def test_a_numpy_generator_still_gives_numpys_draws():
    a = nn.Linear(4, 3, rng=np.random.default_rng(0))
    b = nn.Linear(4, 3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    drawn = np.random.default_rng(0).uniform(-0.5, 0.5, (4, 3)).T  # (in, out), as always
    np.testing.assert_allclose(a.weight.data, drawn, rtol=1e-6)
    with pytest.raises(TypeError, match=r"rng must be an autograd\.Generator or a numpy"):
        init.uniform_(nn.Parameter(np.zeros(3)), rng=0)


def test_an_initializer_of_your_own_defines_sample():
    """`nn.initializers.Initializer` is Keras's base class: a subclass gives
    `sample(shape, fans, rng)`; without it, a call names what is missing."""

    class Forgot(nn.initializers.Initializer):
        pass

    with pytest.raises(NotImplementedError, match="Forgot must define sample"):
        Forgot()((2, 3))

    class Halves(nn.initializers.Initializer):
        def sample(self, shape, fans, rng):
            return np.full(shape, 0.5)

    np.testing.assert_array_equal(Halves()((2, 3)), np.full((2, 3), 0.5))
    layer = nn.Dense(3, kernel_initializer=Halves(), input_dim=2)
    np.testing.assert_array_equal(layer.weight.data, np.full((2, 3), 0.5))


@pytest.mark.parametrize(
    ("name", "variance"),
    [("he_normal", 2 / 300), ("lecun_normal", 1 / 300), ("glorot_normal", 2 / 2300)],
)
def test_keras_names_of_normals_draw_keras_truncated_normal(name, variance):
    """Dense(kernel_initializer="he_normal") is Keras's: a normal cut at two std whose
    std is divided by 0.8796 to keep the variance (a plain normal reaches 4 std here)."""
    kernel = nn.Dense(2000, input_dim=300, kernel_initializer=name).kernel.data
    std = math.sqrt(variance) / 0.87962566103423978
    assert np.abs(kernel).max() <= 2 * std
    assert np.abs(kernel).max() > 1.99 * std
    assert kernel.std() == pytest.approx(math.sqrt(variance), rel=0.01)
    plain = getattr(init, name + "_")(_fresh((2000, 300)), rng=_rng()).data  # torch's kind
    assert np.abs(plain).max() > 3 * math.sqrt(variance)
    keras = pytest.importorskip("keras")
    theirs = keras.layers.Dense(2000, kernel_initializer=name)
    theirs.build((None, 300))
    theirs = np.asarray(theirs.kernel)
    assert np.abs(theirs).max() <= 2 * std * (1 + 1e-6)
    assert theirs.std() == pytest.approx(kernel.std(), rel=0.01)
