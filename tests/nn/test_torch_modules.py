"""PyTorch's module arguments and containers, compared with torch itself."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.ReLU(inplace=True),
        lambda lib: lib.ReLU(),
        lambda lib: lib.SiLU(inplace=True),
        lambda lib: lib.LeakyReLU(0.2, True),
        lambda lib: lib.ELU(0.5, inplace=True),
        lambda lib: lib.Dropout(0.25),
        lambda lib: lib.Dropout(0.25, inplace=True),
        lambda lib: lib.GELU(),
        lambda lib: lib.GELU(approximate="tanh"),
        lambda lib: lib.Flatten(),
        lambda lib: lib.Flatten(0, 1),
    ],
)
def test_modules_take_torch_arguments_and_print_as_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("name", ["ReLU", "SiLU", "LeakyReLU", "ELU", "GELU-tanh"])
def test_activations_match_torch_with_any_inplace_flag(name):
    x = np.random.default_rng(0).normal(size=(4, 5))
    kind, _, approximate = name.partition("-")
    args = {"approximate": approximate} if approximate else {"inplace": True}
    ours_in = Tensor(x.copy(), requires_grad=True)
    theirs_in = torch.tensor(x.copy(), requires_grad=True)
    ours_mid, theirs_mid = ours_in * 1, theirs_in * 1  # torch's inplace needs a non-leaf
    ours = getattr(nn, kind)(**args)(ours_mid)
    theirs = getattr(torch.nn, kind)(**args)(theirs_mid)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    np.testing.assert_allclose(ours_in.grad.data, theirs_in.grad.numpy(), rtol=1e-12, atol=1e-12)
    # the modules compute out of place (the flag saves memory in torch; here the step
    # would cost a copy and a node more): the input keeps its values
    assert ours is not ours_mid and ours_mid.data.tolist() == x.tolist()


def test_inplace_must_be_a_bool():
    with pytest.raises(TypeError, match="inplace"):
        nn.ReLU(inplace="yes")


@pytest.mark.parametrize("dims", [(1, -1), (0, -1), (0, 1), (1, 2), (-2, -1), (2, 2), (-3, 0)])
def test_flatten_dims_match_torch(dims):
    x = np.arange(24.0).reshape(2, 3, 4)
    ours = nn.Flatten(*dims)(Tensor(x))
    theirs = torch.nn.Flatten(*dims)(torch.tensor(x))
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_flatten_refuses_dims_the_input_lacks():
    with pytest.raises(IndexError, match=r"start_dim 3 and end_dim -1 must be axes.*\(2, 3, 4\)"):
        nn.Flatten(3)(Tensor(np.zeros((2, 3, 4))))
    with pytest.raises(ValueError, match="start_dim 2 comes after end_dim 1"):
        nn.Flatten(2, 1)(Tensor(np.zeros((2, 3, 4))))


class Deep(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x).tanh()
        return x


class TorchDeep(torch.nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b, dtype=torch.float64) for a, b in itertools.pairwise(sizes)
        )

    def forward(self, x):
        for layer in self.layers:
            x = layer(x).tanh()
        return x


def test_modules_of_a_list_also_added_by_name_are_listed_under_that_name_as_torch():
    """fast.ai's ``self.layers = layers`` then ``self.add_module(f"layer_{i}", l)``: torch
    registers no plain list, so each layer is listed once, as `layer_i`."""
    listings = []
    for lib in (nn, torch.nn):

        class Model(lib.Module):
            def __init__(self, layers):
                super().__init__()
                self.layers = layers
                for i, layer in enumerate(self.layers):
                    self.add_module(f"layer_{i}", layer)

        model = Model([lib.Linear(3, 4), lib.ReLU(), lib.Linear(4, 2)])
        names = [name for name, _ in model.named_parameters(remove_duplicate=False)]
        modules = [name for name, _ in model.named_modules()]
        listings.append([repr(model), names, modules, list(model.state_dict())])
    assert listings[0] == listings[1]


def test_module_list_registers_its_modules_as_torch_does():
    ours, theirs = Deep([3, 5, 4, 2]), TorchDeep([3, 5, 4, 2])
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict(state)
    assert repr(ours) == repr(theirs).replace("TorchDeep", "Deep")
    x = np.random.default_rng(1).normal(size=(6, 3))
    mine = ours(Tensor(x.astype(np.float32)))  # a float32 model refuses float64, as torch's
    # float32 weights: outputs near 0 differ by float32 rounding, whatever torch's seed
    expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(mine.data, expected, rtol=1e-6, atol=1e-6)
    mine.sum().backward()
    assert all(p.grad is not None for p in ours.parameters())


def test_module_list_behaves_as_a_list():
    a, b, c = nn.Linear(1, 2), nn.Tanh(), nn.Linear(2, 1)
    layers = nn.ModuleList([a, b])
    layers.append(c)
    assert list(layers) == [a, b, c] and len(layers) == 3 and layers[-1] is c
    assert list(layers[1:]) == [b, c] and isinstance(layers[1:], nn.ModuleList)
    del layers[1]
    assert list(layers) == [a, c]
    layers.insert(1, b)
    layers[0] = nn.Linear(1, 2)
    assert list(layers)[1:] == [b, c] and layers[0] is not a
    assert [n for n, _ in layers.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(IndexError, match="index 3 is out of range for 3 modules"):
        layers[3]
    with pytest.raises(TypeError, match="ModuleList holds Modules, got int"):
        layers.append(3)
    with pytest.raises(NotImplementedError):
        layers(Tensor(np.zeros((1, 1))))


def test_from_torch_and_back_keep_gelu_and_flatten_options():
    model = torch.nn.Sequential(
        torch.nn.Flatten(1, 2), torch.nn.Linear(12, 3), torch.nn.GELU(approximate="tanh")
    )
    ours = nn.from_torch(model)
    assert (ours[0].start_dim, ours[0].end_dim, ours[2].approximate) == (1, 2, "tanh")
    back = nn.to_torch(ours)
    assert repr(back) == repr(model)
    x = np.random.default_rng(2).normal(size=(2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        ours(Tensor(x)).data, model(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


X = np.random.default_rng(3).normal(scale=3, size=(4, 3, 5))


def _same_module(ours, theirs, x=X, rtol=1e-10):
    """Outputs and input gradients of two modules on float64 `x`."""
    a, b = Tensor(x.copy(), requires_grad=True), torch.tensor(x.copy(), requires_grad=True)
    out_a, out_b = ours(a), theirs(b)
    np.testing.assert_allclose(out_a.data, out_b.detach().numpy(), rtol=rtol, atol=1e-10)
    weights = np.random.default_rng(4).normal(size=out_a.shape)
    (out_a * weights).sum().backward()
    (out_b * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=1e-10)


@pytest.mark.parametrize("options", [{}, {"beta": 2.0}, {"beta": 0.5, "threshold": 3.0}])
def test_softplus_options_match_torch(options):
    _same_module(nn.Softplus(**options), torch.nn.Softplus(**options))
    assert repr(nn.Softplus(**options)) == repr(torch.nn.Softplus(**options))


@pytest.mark.parametrize(
    "args",
    [(5,), ((3, 5),), (5, 1e-3), (5, 1e-5, False), (5, 1e-5, True, False)],
)
def test_layer_norm_matches_torch(args):
    ours, theirs = nn.LayerNorm(*args), torch.nn.LayerNorm(*args, dtype=torch.float64)
    rng = np.random.default_rng(5)
    for name in ("weight", "bias"):
        if getattr(theirs, name) is not None:
            values = rng.normal(size=getattr(theirs, name).shape)
            getattr(ours, name).data = values.copy()
            setattr(theirs, name, torch.nn.Parameter(torch.tensor(values)))
        else:
            assert getattr(ours, name) is None
    _same_module(ours, theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)


def test_layer_norm_names_a_shape_that_does_not_fit():
    with pytest.raises(ValueError, match=r"shape \(4, 3, 5\) does not end in .*\(4,\)"):
        nn.LayerNorm(4)(Tensor(X))


def test_layer_norm_and_softplus_go_to_torch_and_back():
    model = torch.nn.Sequential(
        torch.nn.Linear(5, 6), torch.nn.LayerNorm(6), torch.nn.Softplus(beta=2.0)
    ).double()
    ours = nn.from_torch(model)
    back = nn.to_torch(ours)
    assert repr(back) == repr(model)
    _same_module(ours, model, X[0])
    _same_module(ours, back, X[0])


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_loss_matches_torch(beta, reduction):
    target = np.random.default_rng(6).normal(scale=3, size=X.shape)
    target[0, 0, :2] = X[0, 0, :2] + [beta, -beta]  # exactly at the switch
    a, b = Tensor(X.copy(), requires_grad=True), torch.tensor(X.copy(), requires_grad=True)
    ours = nn.SmoothL1Loss(reduction=reduction, beta=beta)(a, target)
    theirs = torch.nn.SmoothL1Loss(reduction=reduction, beta=beta)(b, torch.tensor(target))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_flatten_of_a_batch_of_numbers_gives_one_column_as_keras():
    assert nn.Flatten()(Tensor(np.arange(3.0))).shape == (3, 1)


INPLACE_FUNCTIONS = {
    "relu": lambda F, y: F.relu(y, inplace=True),
    "relu positional": lambda F, y: F.relu(y, True),
    "leaky_relu": lambda F, y: F.leaky_relu(y, 0.2, inplace=True),
    "elu": lambda F, y: F.elu(y, 0.7, True),
    "silu": lambda F, y: F.silu(y, inplace=True),
    "hardtanh": lambda F, y: F.hardtanh(y, -2.0, 2.0, True),
    "relu6": lambda F, y: F.relu6(y, inplace=True),
    "selu": lambda F, y: F.selu(y, True),
    "celu": lambda F, y: F.celu(y, 1.0, True),
    "hardswish": lambda F, y: F.hardswish(y, inplace=True),
    "mish": lambda F, y: F.mish(y, inplace=True),
    "threshold": lambda F, y: F.threshold(y, 0.6, -3.0, True),
    "dropout": lambda F, y: F.dropout(y, 0.5, True, True),
    "alpha_dropout": lambda F, y: F.alpha_dropout(y, 0.5, True, True),
}


@pytest.mark.parametrize("name", INPLACE_FUNCTIONS)
def test_functional_inplace_writes_the_input_as_torch(name):
    x = np.array([-4.0, -1.0, -0.5, 0.5, 1.0, 4.0, 7.0])
    weights = np.arange(1.0, 8.0)
    out = {}
    for lib in (autograd, torch):
        lib.manual_seed(0)
        leaf = lib.tensor(x, requires_grad=True)
        mid = leaf * 1.5
        y = INPLACE_FUNCTIONS[name](lib.nn.functional, mid)
        (y * y * lib.tensor(weights)).sum().backward()
        out[lib.__name__] = (y is mid, mid.detach().numpy().copy(), leaf.grad.numpy().copy())
    ours, theirs = out["autograd"], out["torch"]
    assert ours[0] and theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12, atol=1e-12)


def test_functional_inplace_on_plain_tensors_and_bad_flags():
    x = autograd.tensor([-1.0, 2.0])
    assert nn.functional.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]
    with pytest.raises(TypeError, match="inplace"):
        nn.functional.relu(np.array([-1.0]), inplace=True)
    with pytest.raises(TypeError, match="inplace"):
        nn.functional.relu(x, inplace="yes")


@pytest.mark.parametrize("dtype", ["long", "int32", "bool"])
def test_linear_refuses_integer_inputs_as_torch(dtype):
    """Token ids through a Linear instead of an Embedding: torch's RuntimeError;
    before, a float64 output computed from the ids."""
    with pytest.raises(RuntimeError, match="same dtype"):
        torch.nn.Linear(4, 2)(torch.zeros(3, 4, dtype=getattr(torch, dtype)))
    with pytest.raises(RuntimeError, match="a linear map of integers; for token ids use"):
        nn.Linear(4, 2)(autograd.zeros(3, 4, dtype=getattr(autograd, dtype)))
    with pytest.raises(RuntimeError, match="same dtype"):
        nn.functional.linear(
            autograd.zeros(3, 4, dtype=getattr(autograd, dtype)), nn.Linear(4, 2).weight
        )


def test_shape_errors_of_linear_and_layer_norm_are_runtime_errors_as_torch():
    for t, tn in ((torch, torch.nn), (autograd, nn)):
        with pytest.raises(RuntimeError):
            tn.Linear(4, 2)(t.zeros(3, 5))
        with pytest.raises(RuntimeError):
            tn.LayerNorm(4)(t.zeros(3, 5))
    with pytest.raises(ValueError, match="expected input of shape"):  # Keras's type too
        nn.Linear(4, 2)(autograd.zeros(3, 5))


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("a.b", "tensor", KeyError),
        ("", "tensor", KeyError),
        (1, "tensor", TypeError),
        ("taken", "tensor", KeyError),
        ("a", [1, 2], TypeError),
        ("a", 3.0, TypeError),
    ],
)
def test_register_buffer_checks_name_and_value_as_torch(name, value, error):
    """Before, each was accepted (a buffer named "a.b" that state_dict could not load)."""
    for t, tn in ((torch, torch.nn), (autograd, nn)):
        module = tn.Module()
        module.taken = 1
        with pytest.raises(error):
            module.register_buffer(name, t.ones(2) if value == "tensor" else value)
    module = nn.Module()
    module.register_buffer("a", None)  # before, a TypeError from the Tensor of None
    assert module.a is None and list(module.state_dict()) == []
    module.register_buffer("a", autograd.ones(2))  # a buffer may be replaced
    assert list(module.state_dict()) == ["a"]


def test_sequential_of_an_ordered_dict_as_torch():
    """torch's named form: `nn.Sequential(OrderedDict([("conv1", ...), ...]))` (it raised
    "expected a Module, got OrderedDict")."""
    from collections import OrderedDict

    def build(lib):
        return lib.Sequential(
            OrderedDict(
                [("conv1", lib.Conv2d(1, 4, 3)), ("relu1", lib.ReLU()), ("flat", lib.Flatten()),
                 ("fc", lib.Linear(4 * 6 * 6, 3))]
            )
        )  # fmt: skip

    ours, theirs = build(nn), build(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert ours[0] is ours.conv1 and len(ours) == 4
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(
        ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_pytorch_style_sequentials_take_no_keras_number():
    """Keras numbers its models (sequential, sequential_1, ...); a PyTorch-style
    Sequential made first in the session does not shift that numbering."""
    from nn.symbolic import clear_session

    clear_session()
    torch_style = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    first = nn.Sequential([nn.Input((3,)), nn.Dense(2)])
    second = nn.Sequential()
    assert (first.name, second.name) == ("sequential", "sequential_1")
    assert torch_style.name == "sequential"
    clear_session()
