"""PyTorch's further activations (ReLU6, PReLU, SELU, CELU, Mish, Hardtanh, Hardswish,
Hardsigmoid, Softsign, Softmin, Tanhshrink, Threshold, GLU), compared with torch itself
in float64: values, input gradients (at the kinks and in the tails too), parameter
gradients, reprs, `to_torch` / `from_torch` and saving."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

#: Random values, every kink the functions have, and both tails.
EDGES = np.array(
    [
        *[-1e3, -60.0, -30.0, -20.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.1, 0.5, 1.0, 3.0, 6.0],
        *[20.0, 30.0, 60.0, 1e3, -1e-8, 1e-8, -2.5, 2.5, 5.999, 6.001, -2.999, -3.001],
        *[2.999, 3.001],
    ]
)


def inputs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([EDGES, rng.normal(scale=4.0, size=36)]).reshape(8, 8)


#: name -> (our function, torch's function), each of one input.
FUNCTIONS = {
    "relu6": (F.relu6, TF.relu6),
    "selu": (F.selu, TF.selu),
    "celu": (F.celu, TF.celu),
    "celu-0.5": (lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5)),
    "celu--2": (lambda x: F.celu(x, -2.0), lambda x: TF.celu(x, -2.0)),
    "mish": (F.mish, TF.mish),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh-2,3": (lambda x: F.hardtanh(x, -2.0, 3.0), lambda x: TF.hardtanh(x, -2.0, 3.0)),
    "hardswish": (F.hardswish, TF.hardswish),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "softsign": (F.softsign, TF.softsign),
    "tanhshrink": (F.tanhshrink, TF.tanhshrink),
    "threshold": (lambda x: F.threshold(x, 0.5, -7.0), lambda x: TF.threshold(x, 0.5, -7.0)),
    "threshold-kink": (lambda x: F.threshold(x, 3.0, 2.0), lambda x: TF.threshold(x, 3.0, 2.0)),
    "softmin-0": (lambda x: F.softmin(x, 0), lambda x: TF.softmin(x, 0)),
    "softmin-1": (lambda x: F.softmin(x / 50, 1), lambda x: TF.softmin(x / 50, 1)),
    "glu": (F.glu, TF.glu),
    "glu-0": (lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0)),
}


def ours_and_torch(fn, tfn, x: np.ndarray, upstream: np.ndarray | None = None):
    a = Tensor(x.copy(), requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    y, ty = fn(a), tfn(t)
    g = np.random.default_rng(1).normal(size=ty.shape) if upstream is None else upstream
    (y * g).sum().backward()
    (ty * torch.from_numpy(g)).sum().backward()
    return y, ty, a, t


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_match_torch_values_and_gradients(name):
    fn, tfn = FUNCTIONS[name]
    x = inputs()
    y, ty, a, t = ours_and_torch(fn, tfn, x)
    assert y.dtype == np.float64 and y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    # torch's float64 hardsigmoid backward multiplies by 1/6 rounded to float32
    rtol = 1e-7 if name == "hardsigmoid" else 1e-12
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=rtol, atol=1e-14)
    assert np.isfinite(a.grad.data).all()


@pytest.mark.parametrize(
    "name, x, grad",
    [
        ("relu6", [0.0, 6.0], [0.0, 0.0]),
        ("hardtanh", [-1.0, 1.0], [0.0, 0.0]),
        ("hardswish", [-3.0, 3.0], [0.0, 1.0]),
        ("hardsigmoid", [-3.0, 3.0], [0.0, 0.0]),
        ("selu", [0.0], [1.0507009873554805 * 1.6732632423543772]),
        ("celu", [0.0], [1.0]),
        ("threshold", [0.5], [0.0]),
    ],
)
def test_subgradients_at_the_kinks_are_torchs(name, x, grad):
    fn, tfn = FUNCTIONS[name]
    _, _, a, t = ours_and_torch(fn, tfn, np.array(x), np.ones(len(x)))
    np.testing.assert_allclose(t.grad.numpy(), grad, rtol=1e-7)
    np.testing.assert_allclose(a.grad.data, grad, rtol=1e-15)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda x: F.elu(x), lambda x: TF.elu(x)),
        (lambda x: F.elu(x, alpha=0.5), lambda x: TF.elu(x, alpha=0.5)),
        (lambda x: nn.ELU(alpha=2.0)(x), lambda x: torch.nn.ELU(alpha=2.0)(x)),
        (lambda x: F.selu(x), lambda x: TF.selu(x)),
        (lambda x: F.celu(x, alpha=0.5), lambda x: TF.celu(x, alpha=0.5)),
        (lambda x: F.celu(x, alpha=-2.0), lambda x: TF.celu(x, alpha=-2.0)),
    ],
)
def test_exponential_units_second_derivative_at_zero_is_torchs(ours, theirs):
    """torch's first derivative at 0 is the negative side's; its second derivative
    there is 0 (the double backward masks x < 0), not the negative side's."""
    x = np.array([-1.5, -1e-300, 0.0, 1e-300, 0.7])
    a = Tensor(x.copy(), requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    (ga,) = autograd.grad(ours(a).sum(), a, create_graph=True)
    (gt,) = torch.autograd.grad(theirs(t).sum(), t, create_graph=True)
    np.testing.assert_allclose(ga.data, gt.detach().numpy(), rtol=1e-15)
    (gga,) = autograd.grad(ga.sum(), a)
    (ggt,) = torch.autograd.grad(gt.sum(), t)
    np.testing.assert_allclose(gga.data, ggt.numpy(), rtol=1e-15)
    assert gga.data[2] == 0.0


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if n != "celu--2"])
def test_compositions_pass_gradcheck(name):
    fn, _ = FUNCTIONS[name]
    x = inputs(2)
    # gradcheck's finite differences need a step away from the kinks
    kinks = np.array([-3.0, -2.0, -1.0, 0.0, 0.5, 1.0, 3.0, 6.0])
    near = np.abs(x[..., None] - kinks).min(axis=-1) < 1e-3
    x = np.where(near, x + 0.01, x)
    assert autograd.gradcheck(fn, [Tensor(x, requires_grad=True)], eps=1e-6, atol=1e-6)


def test_float32_stays_float32():
    x = inputs().astype(np.float32)
    for name, (fn, tfn) in FUNCTIONS.items():
        y = fn(Tensor(x))
        assert y.dtype == np.float32, name
        np.testing.assert_allclose(
            y.data, tfn(torch.from_numpy(x)).numpy(), rtol=2e-6, atol=2e-6, err_msg=name
        )


@pytest.mark.parametrize(
    "shape, num_parameters",
    [((), 1), ((5,), 1), ((4, 3), 1), ((4, 3), 3), ((2, 3, 4), 3), ((2, 3, 2, 2), 3)],
)
def test_prelu_matches_torch_with_input_and_weight_gradients(shape, num_parameters):
    x = inputs(3).ravel()[: int(np.prod(shape))].reshape(shape).copy()
    x.ravel()[:1] = 0.0  # the kink: the slope's side, as torch
    ours = nn.PReLU(num_parameters, init=0.1)
    ref = torch.nn.PReLU(num_parameters, init=0.1).double()
    ours.weight.data = np.linspace(-0.5, 0.7, num_parameters)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight.data))
    y, ty, a, t = ours_and_torch(ours, ref, x)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(ours.weight.grad.data, ref.weight.grad.numpy(), rtol=1e-12)
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight"]
    assert autograd.gradcheck(
        lambda v, w: F.prelu(v, w),
        [Tensor(x + 0.01, requires_grad=True), Tensor(ours.weight.data, requires_grad=True)],
    )


def test_prelu_defaults_and_errors():
    m = nn.PReLU()
    assert m.weight.shape == (1,) and m.weight.dtype == np.float32 and m.weight.data[0] == 0.25
    np.testing.assert_array_equal(nn.PReLU(4, init=-1.0).weight.data, -np.ones(4))
    with pytest.raises(ValueError, match="num_parameters"):
        nn.PReLU(0)
    with pytest.raises(TypeError, match="num_parameters"):
        nn.PReLU(2.0)
    with pytest.raises(TypeError, match="init"):
        nn.PReLU(1, init="0.25")
    with pytest.raises(ValueError, match="3 elements but the input has 4 channels"):
        nn.PReLU(3)(Tensor(np.ones((2, 4))))
    with pytest.raises(ValueError, match="3 elements but the input has 1 channels"):
        nn.PReLU(3)(Tensor(np.ones(3)))  # as torch: a 1-d input has no channel dim


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.ReLU6(),
        lambda lib: lib.ReLU6(inplace=True),
        lambda lib: lib.PReLU(),
        lambda lib: lib.PReLU(num_parameters=3, init=0.1),
        lambda lib: lib.SELU(),
        lambda lib: lib.SELU(inplace=True),
        lambda lib: lib.CELU(),
        lambda lib: lib.CELU(2, True),
        lambda lib: lib.Mish(),
        lambda lib: lib.Mish(inplace=True),
        lambda lib: lib.Hardtanh(),
        lambda lib: lib.Hardtanh(-2, 3.5, True),
        lambda lib: lib.Hardswish(),
        lambda lib: lib.Hardswish(inplace=True),
        lambda lib: lib.Hardsigmoid(True),
        lambda lib: lib.Softsign(),
        lambda lib: lib.Softmin(),
        lambda lib: lib.Softmin(dim=1),
        lambda lib: lib.Tanhshrink(),
        lambda lib: lib.Threshold(0.1, 20.0),
        lambda lib: lib.Threshold(1, -2, inplace=True),
        lambda lib: lib.GLU(),
        lambda lib: lib.GLU(dim=0),
    ],
)
def test_modules_print_as_torch_and_compute_as_torch(make):
    ours, ref = make(nn), make(torch.nn)
    assert repr(ours) == repr(ref)
    x = inputs(4)
    if isinstance(ours, nn.PReLU):
        ref = ref.double()
        ours.weight.data = ref.weight.detach().numpy().copy()
        x = x[:, : ours.num_parameters] if ours.num_parameters > 1 else x
    if isinstance(ours, nn.Softmin) and ours.dim is None:
        with pytest.warns(UserWarning, match="Implicit dimension"):
            y = ours(Tensor(x))
        with pytest.warns(UserWarning):
            ty = ref(torch.from_numpy(x))
    else:
        y, ty = ours(Tensor(x)), ref(torch.from_numpy(x.copy()))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_softmin_implicit_dim_is_torchs_for_3d_input():
    x = np.random.default_rng(5).normal(size=(2, 3, 4))
    with pytest.warns(UserWarning):
        y = F.softmin(Tensor(x))
    with pytest.warns(UserWarning):
        ty = TF.softmin(torch.from_numpy(x))
    np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-13)
    np.testing.assert_allclose(y.data.sum(axis=0), 1.0)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: nn.Hardtanh(1.0, 1.0), ValueError, "max_val must be greater than min_val"),
        (lambda: nn.Hardtanh(2.0, 1.0), ValueError, "max_val must be greater than min_val"),
        (lambda: nn.Hardtanh("-1"), TypeError, "min_val"),
        (lambda: F.hardtanh(Tensor(np.ones(2)), 0.0, -1.0), ValueError, "max_val"),
        (lambda: nn.CELU(0.0), ValueError, "alpha must not be 0"),
        (lambda: nn.CELU("1"), TypeError, "alpha"),
        (lambda: nn.Threshold(None, 1.0), TypeError, "threshold"),
        (lambda: nn.Threshold(0.0, "1"), TypeError, "value"),
        (lambda: nn.Softmin(1.5), TypeError, "dim"),
        (lambda: nn.GLU("1"), TypeError, "dim"),
        (lambda: nn.ReLU6(inplace="yes"), TypeError, "inplace"),
        (lambda: nn.SELU(inplace=1), TypeError, "inplace"),
        (lambda: nn.GLU()(Tensor(np.ones((2, 3)))), ValueError, "dimension -1 is size 3"),
        (lambda: F.glu(Tensor(np.array(1.0))), ValueError, "scalars"),
        (lambda: F.glu(Tensor(np.ones((2, 4))), 2), IndexError, "dim 2 is out of range"),
        (lambda: nn.GLU(-3)(Tensor(np.ones((2, 4)))), IndexError, "out of range"),
    ],
)
def test_bad_arguments_raise_errors_that_name_them(call, error, match):
    with pytest.raises(error, match=match):
        call()


MODELS = [
    lambda lib: lib.Sequential(
        lib.Linear(4, 6),
        lib.ReLU6(),
        lib.Linear(6, 6),
        lib.PReLU(6, init=0.2),
        lib.Hardtanh(-0.5, 0.75),
        lib.Linear(6, 6),
        lib.SELU(),
        lib.CELU(0.7),
        lib.Mish(),
        lib.Hardswish(),
        lib.Hardsigmoid(),
        lib.Softsign(),
        lib.Tanhshrink(),
        lib.Threshold(0.1, -1.0),
        lib.GLU(),
        lib.Softmin(dim=1),
    )
]


def test_to_torch_and_from_torch_round_trip():
    torch.manual_seed(0)
    ref = MODELS[0](torch.nn).double()
    with torch.no_grad():
        ref[3].weight.copy_(torch.linspace(-0.3, 0.4, 6, dtype=torch.float64))
    ours = nn.from_torch(ref)
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = np.random.default_rng(6).normal(size=(5, 4)) * 3
    np.testing.assert_allclose(
        ours(Tensor(x)).data, ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-12
    )
    back = nn.to_torch(ours)
    assert repr(back) == repr(ref)
    for (k, v), (k2, v2) in zip(back.state_dict().items(), ref.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(v.numpy(), v2.numpy())


def test_saving_round_trip_keeps_arguments_and_slopes(tmp_path):
    model = nn.Sequential(
        nn.Linear(3, 4),
        nn.PReLU(4, init=0.3),
        nn.Hardtanh(-2.0, 2.5),
        nn.CELU(0.5),
        nn.Threshold(0.2, -1.0),
        nn.ReLU6(),
        nn.SELU(),
        nn.Mish(),
        nn.Hardswish(),
        nn.Hardsigmoid(),
        nn.Softsign(),
        nn.Tanhshrink(),
        nn.GLU(dim=1),
        nn.Softmin(dim=1),
        nn.RMSNorm(2, eps=1e-4),
        nn.AlphaDropout(0.2),
    )
    model.layers[-2].weight.data = np.array([0.5, 2.0], dtype=np.float32)
    model.eval()
    model.layers[1].weight.data = np.array([0.1, -0.2, 0.3, 0.4], dtype=np.float32)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = nn.load_model(path)
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(loaded.layers[1].weight.data, model.layers[1].weight.data)
    np.testing.assert_array_equal(loaded.layers[-2].weight.data, [0.5, 2.0])
    loaded.eval()
    x = np.random.default_rng(7).normal(size=(3, 3)).astype(np.float32)
    np.testing.assert_array_equal(loaded(Tensor(x)).data, model(Tensor(x)).data)
