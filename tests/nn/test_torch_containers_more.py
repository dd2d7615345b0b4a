"""PyTorch's ModuleDict, ParameterList, ParameterDict and Unflatten, compared with
torch itself: state_dict keys, reprs, values and gradients, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def holder(lib, seed: int = 0):
    """The same model in either library: a ModuleDict of heads, a ParameterList of
    scales, a ParameterDict of offsets."""
    rng = np.random.default_rng(seed)

    def param(*shape):
        value = rng.normal(size=shape)
        return lib.Parameter(torch.from_numpy(value) if lib is torch.nn else value)

    class Holder(lib.Module):
        def __init__(self):
            super().__init__()
            self.body = lib.Linear(4, 6).double() if lib is torch.nn else lib.Linear(4, 6)
            self.heads = lib.ModuleDict({"cls": lib.Linear(6, 3), "act": lib.Tanh()})
            self.heads["reg"] = lib.Linear(6, 2)
            self.scales = lib.ParameterList([param(6), param(6)])
            self.offsets = lib.ParameterDict({"b": param(3), "a": param(2)})
            self.unflatten = lib.Unflatten(1, (2, 3))

        def forward(self, x):
            h = self.body(x)
            for s in self.scales:
                h = self.heads["act"](h * s)
            cls = self.heads["cls"](h) + self.offsets["b"]
            reg = self.heads["reg"](h) + self.offsets["a"]
            return cls, reg, self.unflatten(h)

    return Holder()


def test_state_dict_keys_values_and_gradients_match_torch():
    ref = holder(torch.nn).double()
    ours = holder(nn).double()
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(1).normal(size=(5, 4))
    outs, touts = ours(Tensor(x)), ref(torch.from_numpy(x))
    for o, t in zip(outs, touts):
        assert o.shape == tuple(t.shape)
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)
    sum(o.sum() * (i + 1) for i, o in enumerate(outs)).backward()
    sum(t.sum() * (i + 1) for i, t in enumerate(touts)).backward()
    grads = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.data, grads[name].grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name
        )


def test_reprs_match_torch():
    ref, ours = holder(torch.nn), holder(nn)
    # torch prints its dtypes as torch.float64 (and a ParameterDict by tensor type name)
    expected = (
        repr(ref)
        .replace("torch.", "autograd.")
        .replace("autograd.DoubleTensor", "autograd.float64")
    )
    assert repr(ours) == expected
    assert repr(nn.ModuleDict()) == repr(torch.nn.ModuleDict())
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList())
    assert repr(nn.ParameterDict()) == repr(torch.nn.ParameterDict())
    for args in [(1, (2, 5)), (-1, [2, -1]), (0, (3,))]:
        assert repr(nn.Unflatten(*args)) == repr(torch.nn.Unflatten(*args))


def test_dict_and_list_methods_behave_as_torchs():
    for lib in (nn, torch.nn):
        d = lib.ModuleDict([("a", lib.ReLU()), ("b", lib.Tanh())])
        d.update({"c": lib.Sigmoid(), "a": lib.Identity()})
        assert list(d) == list(d.keys()) == ["a", "b", "c"] and len(d) == 3
        assert type(d["a"]).__name__ == "Identity" and "b" in d and "z" not in d
        assert type(d.pop("b")).__name__ == "Tanh" and list(d.keys()) == ["a", "c"]
        del d["a"]
        assert [k for k, _ in d.items()] == ["c"] and len(d.values()) == 1
        d.clear()
        assert len(d) == 0
        with pytest.raises(KeyError):
            d["missing"]
    pl = nn.ParameterList([np.ones(2)])
    pl.append(np.zeros(3)).extend([Tensor(np.ones(1))])
    assert [p.shape for p in pl] == [(2,), (3,), (1,)] and all(
        isinstance(p, nn.Parameter) for p in pl
    )
    assert pl[-1].shape == (1,) and len(pl[1:]) == 2
    pl[0] = np.full(2, 5.0)
    assert list(pl.state_dict()) == ["0", "1", "2"] and pl.state_dict()["0"][0] == 5.0
    with pytest.raises(IndexError, match="out of range"):
        pl[3]
    pd = nn.ParameterDict({"w": np.ones(2)})
    assert isinstance(pd["w"], nn.Parameter) and list(pd.state_dict()) == ["w"]
    # torch's orders: a plain dict's keys sorted, pairs and OrderedDicts as given
    from collections import OrderedDict

    for items in [{"z": 1.0, "a": 2.0}, [("z", 1.0), ("a", 2.0)], OrderedDict(z=1.0, a=2.0)]:
        ref = torch.nn.ParameterDict(
            type(items)((k, torch.nn.Parameter(torch.tensor(v))) for k, v in dict(items).items())
            if not isinstance(items, list)
            else [(k, torch.nn.Parameter(torch.tensor(v))) for k, v in items]
        )
        assert nn.ParameterDict(items).keys() == list(ref.keys())


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: nn.ModuleDict({"a.b": nn.ReLU()}), KeyError, "contain"),
        (lambda: nn.ModuleDict({"training": nn.ReLU()}), KeyError, "already exists"),
        (lambda: nn.ModuleDict({"forward": nn.ReLU()}), KeyError, "already exists"),
        (lambda: nn.ModuleDict({1: nn.ReLU()}), TypeError, "keys must be strings"),
        (lambda: nn.ModuleDict({"a": 3}), TypeError, "holds Modules, got int"),
        (lambda: nn.ModuleDict([("a",)]), ValueError, "pairs"),
        (lambda: nn.ParameterList(["x"]), TypeError, "holds Parameters"),
        (lambda: nn.ParameterDict({"a.b": np.ones(1)}), KeyError, "contain"),
        (lambda: nn.Unflatten(1, (2.0, 5)), TypeError, "element of type float at pos 0"),
        (lambda: nn.Unflatten(1, 10), TypeError, "tuple or list"),
        (lambda: nn.Unflatten(1.0, (2, 5)), TypeError, "dim"),
        (lambda: nn.Unflatten(1, (3, 5))(Tensor(np.ones((2, 10)))), ValueError, "fit"),
        (lambda: nn.Unflatten(1, (-1, -1))(Tensor(np.ones((2, 10)))), ValueError, "fit"),
        (lambda: nn.Unflatten(1, (3, -1))(Tensor(np.ones((2, 10)))), ValueError, "fit"),
        (lambda: nn.Unflatten(2, (2, 5))(Tensor(np.ones((2, 10)))), IndexError, "dim 2"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "dim, size, shape",
    [(1, (2, 5), (3, 10)), (-1, [2, -1], (3, 4, 6)), (0, (-1, 2), (6, 2)), (1, (1, 4, 1), (2, 4))],
)
def test_unflatten_matches_torch_with_gradients(dim, size, shape):
    x = np.random.default_rng(2).normal(size=shape)
    a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = nn.Unflatten(dim, size)(a), torch.nn.Unflatten(dim, size)(t)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    g = np.arange(np.prod(y.shape), dtype=float).reshape(y.shape)
    (y * g).sum().backward()
    (ty * torch.from_numpy(g)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, t.grad.numpy())


def _blocks(lib):
    """The book's two ways of making blocks: `add_module` with names no attribute can
    carry ("block 0") on a Sequential, and a Module registering its arguments."""

    class MySequential(lib.Module):
        def __init__(self, *args):
            super().__init__()
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

        def forward(self, x):
            for block in self.children():
                x = block(x)
            return x

    net = lib.Sequential()
    for i in range(2):
        net.add_module(f"block {i}", lib.Sequential(lib.Linear(4, 4), lib.ReLU()))
    net.register_module("head", lib.Linear(4, 1))
    return net, MySequential(lib.Linear(4, 3), lib.Tanh())


def test_add_module_builds_what_torch_builds():
    """On a Sequential, `add_module` appends a layer that forward runs: the same repr,
    length, state_dict keys, outputs and errors as torch."""
    x = np.random.default_rng(1).normal(size=(2, 4))
    ours, theirs = _blocks(nn), _blocks(torch.nn)
    for a, b in zip(ours, theirs, strict=True):
        b.double().load_state_dict(
            {k: torch.from_numpy(v.numpy()) for k, v in a.state_dict().items()}
        )
        assert repr(a) == repr(b)
        assert list(a.state_dict()) == list(b.state_dict())
        assert len(list(a.children())) == len(list(b.children()))
        np.testing.assert_allclose(
            a(Tensor(x)).numpy(), b(torch.from_numpy(x)).detach().numpy(), rtol=1e-12
        )
    assert len(ours[0]) == len(theirs[0]) == 3
    for net in (ours[0], theirs[0]):
        for bad in ("a.b", "", "training"):
            with pytest.raises(KeyError):
                net.add_module(bad, nn.ReLU() if net is ours[0] else torch.nn.ReLU())
        with pytest.raises(TypeError):
            net.add_module("x", 3)


def _tied(lib):
    shared = lib.Linear(8, 8)
    return lib.Sequential(
        lib.Linear(4, 8), lib.ReLU(), shared, lib.ReLU(), shared, lib.ReLU(), lib.Linear(8, 1)
    )


def test_a_layer_used_twice_is_in_state_dict_twice_as_torch():
    """torch's state_dict lists a shared layer under each name it has ("2.*" and "4.*"),
    while parameters() lists it once: a torch state_dict of a tied model loads as it is,
    and a state with only one of the names loads too."""
    ours, theirs = _tied(nn), _tied(torch.nn).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 6
    result = ours.load_state_dict(theirs.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    x = np.random.default_rng(2).normal(size=(3, 4))
    np.testing.assert_allclose(
        ours(Tensor(x)).numpy(), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12
    )
    state = {k: v for k, v in _tied(nn).state_dict().items() if not k.startswith("4.")}
    assert not ours.load_state_dict(state).missing_keys
    np.testing.assert_array_equal(ours[4].weight.data, state["2.weight"])
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "2\.weight"'):
        ours.load_state_dict({k: v for k, v in state.items() if not k.startswith("2.")})
