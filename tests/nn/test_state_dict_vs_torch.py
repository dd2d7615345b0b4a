"""`Module.state_dict` and `load_state_dict` as PyTorch's: an OrderedDict of detached
Tensors sharing the weights' memory, in torch's key order, `prefix=` and `keep_vars=`,
torch's load errors, and what optimizers and files do with it."""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor

torch = pytest.importorskip("torch")


def make_net(lib: ModuleType, tensor: Any) -> Any:
    """The same module in both libraries: a parameter and a buffer assigned after a
    sub-module, a BatchNorm1d with its buffers, and a Sequential."""

    class Net(lib.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = lib.nn.Linear(3, 4)
            self.register_buffer("steps", tensor(np.zeros(2)))
            self.scale = lib.nn.Parameter(tensor(np.ones(4)))
            self.bn = lib.nn.BatchNorm1d(4)
            self.head = lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Linear(4, 2))

        def forward(self, x: Any) -> Any:
            return self.head(self.bn(self.fc(x) * self.scale))

    return Net()


def pair() -> tuple[Any, Any]:
    """(ours, torch's), ours holding torch's weights."""
    theirs = make_net(torch, lambda a: torch.tensor(a, dtype=torch.float32))
    ours = make_net(autograd, lambda a: Tensor(a.astype(np.float32)))
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def test_state_dict_is_an_ordered_dict_of_detached_tensors_in_torch_order():
    ours, theirs = pair()
    mine, ref = ours.state_dict(), theirs.state_dict()
    assert type(mine) is OrderedDict and type(ref) is OrderedDict
    assert list(mine) == list(ref)  # own parameters, own buffers, then sub-modules'
    assert list(mine)[:2] == ["scale", "steps"]
    for (key, a), b in zip(mine.items(), ref.values(), strict=True):
        assert type(a).__name__ == type(b).__name__ == "Tensor", key
        assert a.requires_grad is b.requires_grad is False
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_named_parameters_and_buffers_follow_torch_order():
    ours, theirs = pair()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_state_dict_shares_memory_with_the_parameters(lib):
    """An in-place change shows in a state dict taken before; `clone` and `deepcopy`
    do not follow it; `numpy()` shares the memory."""
    net = pair()[0 if lib == "ours" else 1]
    module = autograd if lib == "ours" else torch
    sd = net.state_dict()
    snapshot, cloned = copy.deepcopy(sd), {k: v.clone() for k, v in sd.items()}
    with module.no_grad():
        net.fc.weight.mul_(2)
        net.bn.running_mean.add_(1)
    np.testing.assert_array_equal(sd["fc.weight"].numpy(), net.fc.weight.detach().numpy())
    assert sd["bn.running_mean"].numpy().tolist() == [1.0] * 4
    assert sd["fc.weight"].numpy()[0, 0] == 2 * snapshot["fc.weight"].numpy()[0, 0]
    assert cloned["bn.running_mean"].numpy().tolist() == [0.0] * 4
    assert type(snapshot) is OrderedDict


def test_prefix_keep_vars_and_destination_as_torch():
    ours, theirs = pair()
    assert list(ours.state_dict(prefix="model.")) == list(theirs.state_dict(prefix="model."))
    kept, ref = ours.state_dict(keep_vars=True), theirs.state_dict(keep_vars=True)
    assert kept["fc.weight"] is ours.fc.weight and ref["fc.weight"] is theirs.fc.weight
    assert kept["fc.weight"].requires_grad and type(kept["fc.weight"]) is nn.Parameter
    assert kept["bn.running_mean"] is ours.bn.running_mean
    mine: dict[str, Any] = {}
    assert ours.state_dict(destination=mine, prefix="p.") is mine
    assert list(mine) == list(theirs.state_dict(prefix="p."))
    with pytest.warns(FutureWarning, match="Positional args"):
        positional = ours.state_dict(None, "q.")
    with pytest.warns(FutureWarning, match="Positional args"):
        assert list(positional) == list(theirs.state_dict(None, "q."))


def torch_message(err: BaseException) -> str:
    return re.sub(r"torch\.Size\(\[([^\]]*)\]\)", lambda m: f"({m.group(1)})", str(err))


def shape_text(message: str) -> str:
    """torch prints a 1-d shape as torch.Size([4]), Python as (4,)."""
    return re.sub(r"\((\d+),\)", r"(\1)", message)


@pytest.mark.parametrize("strict", [True, False])
def test_load_errors_are_torchs(strict):
    ours, theirs = pair()
    ref = theirs.state_dict()
    bad = {k: v for k, v in ref.items() if k != "scale"}
    bad["fc.weight"] = torch.zeros(3, 3)
    bad["extra"] = torch.zeros(1)
    with pytest.raises(RuntimeError) as expected:
        theirs.load_state_dict(bad, strict=strict)
    with pytest.raises(RuntimeError) as err:
        ours.load_state_dict(bad, strict=strict)
    assert shape_text(str(err.value)) == shape_text(torch_message(expected.value))
    assert str(err.value).startswith("Error(s) in loading state_dict for Net:\n\t")


def test_loose_load_reports_the_names_as_torch():
    ours, theirs = pair()
    partial = {k: v for k, v in theirs.state_dict().items() if k != "scale"}
    partial["extra"] = torch.zeros(1)
    mine, ref = (
        ours.load_state_dict(partial, strict=False),
        theirs.load_state_dict(partial, strict=False),
    )
    assert (mine.missing_keys, mine.unexpected_keys) == (ref.missing_keys, ref.unexpected_keys)
    assert repr(mine) == repr(ref)


@pytest.mark.parametrize(
    "convert",
    [
        lambda v: v,  # torch tensors
        lambda v: v.detach().numpy(),  # ndarrays
        lambda v: Tensor(v.detach().numpy()),  # our Tensors
        lambda v: (nn.Parameter if v.is_floating_point() else Tensor)(v.detach().numpy()),
    ],
    ids=["torch", "ndarray", "tensor", "parameter"],
)
def test_load_copies_any_values_in_place(convert):
    ours = pair()[0]
    theirs = make_net(torch, lambda a: torch.tensor(a, dtype=torch.float32))
    with torch.no_grad():
        theirs.bn.running_var.fill_(3.0)
    params = dict(ours.named_parameters())
    arrays = {k: t.data for k, t in ours._state_tensors().items()}
    state = {k: convert(v) for k, v in theirs.state_dict(keep_vars=True).items()}
    assert repr(ours.load_state_dict(state)) == "<All keys matched successfully>"
    assert all(p is dict(ours.named_parameters())[k] for k, p in params.items())
    for key, t in ours._state_tensors().items():
        assert t.data is arrays[key]  # written into, not replaced
        np.testing.assert_array_equal(t.data, theirs.state_dict()[key].numpy())


def test_a_failed_load_changes_nothing():
    ours, theirs = pair()
    before = copy.deepcopy(ours.state_dict())
    state = {k: torch.full_like(v, 7) for k, v in theirs.state_dict().items()}
    state["head.1.weight"] = torch.zeros(5, 5)  # checked only after the others
    with pytest.raises(RuntimeError, match=r"size mismatch for head\.1\.weight"):
        ours.load_state_dict(state)
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key].numpy())


def test_a_state_dict_round_trips_through_a_file_as_tensors(tmp_path):
    ours = pair()[0]
    autograd.save(ours.state_dict(), tmp_path / "model.pth")
    loaded = autograd.load(tmp_path / "model.pth", weights_only=True)
    assert list(loaded) == list(ours.state_dict())
    assert all(type(v) is Tensor and not v.requires_grad for v in loaded.values())
    assert set(np.load(tmp_path / "model.pth")) >= set(loaded)  # one array per name
    fresh = make_net(autograd, lambda a: Tensor(a.astype(np.float32)))
    fresh.load_state_dict(loaded)
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), ours.state_dict()[key].numpy())
    ours.save(tmp_path / "m.npz")
    assert all(type(v) is Tensor for v in nn.load_state(tmp_path / "m.npz").values())


@pytest.mark.parametrize("make", [optim.SGD, optim.Adam])
def test_state_dicts_alias_through_flat_optimizer_steps(make):
    """The multi-tensor path moves a parameter's array into a group buffer only when
    nothing else holds it: a state dict taken before a step keeps following the
    weights, and so does one taken after the move (a view of the buffer)."""
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = make(net.parameters(), lr=0.1)
    x = Tensor(np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32))

    def step() -> None:
        opt.zero_grad()
        net(x).pow(2).mean().backward()
        opt.step()

    before = net.state_dict()
    step()
    for key, p in net.named_parameters():
        np.testing.assert_array_equal(before[key].numpy(), p.data)
    del before
    step()  # nothing else holds the arrays now: the group is packed
    assert opt._flat, "the multi-tensor path was expected to run"
    after = net.state_dict()
    step()
    for key, p in net.named_parameters():
        assert np.shares_memory(after[key].numpy(), p.data)
        np.testing.assert_array_equal(after[key].numpy(), p.data)


def test_keras_get_weights_stay_copies():
    model = nn.Sequential([nn.Dense(3, input_shape=(2,)), nn.Dense(1)])
    weights = model.get_weights()
    assert all(type(w) is np.ndarray for w in weights)
    weights[0][...] = 9
    assert not np.any(model.get_weights()[0] == 9)


def test_early_stopping_keeps_a_copy_of_the_best_weights():
    x = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    model = nn.Sequential([nn.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    stop = nn.callbacks.EarlyStopping(monitor="loss", patience=5, restore_best_weights=True)
    model.fit(x, x[:, :1] * 3, epochs=2, verbose=0, callbacks=[stop])
    best = stop.best_weights
    assert best is not None and stop.best_epoch == 1  # the loss falls: the last epoch
    kernel = model.state_dict()["0.weight"].numpy()
    np.testing.assert_array_equal(best["0.weight"], kernel)
    assert not np.shares_memory(best["0.weight"], kernel)


def test_non_persistent_buffers_stay_out_of_the_state_dict_as_torch():
    def make(lib: ModuleType, tensor: Any) -> Any:
        m = lib.nn.Module()
        m.register_buffer("mask", tensor(np.zeros(2)), persistent=False)
        m.register_buffer("count", tensor(np.zeros(1)))
        return m

    ours = make(autograd, lambda a: Tensor(a.astype(np.float32)))
    theirs = make(torch, lambda a: torch.tensor(a, dtype=torch.float32))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["count"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    for m in (ours, theirs):
        assert repr(m.load_state_dict({"count": m.count + 1})) == "<All keys matched successfully>"
        with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "mask"'):
            m.load_state_dict({"count": m.count, "mask": m.mask})
        assert m.double().mask.dtype in (np.float64, torch.float64)
        m.register_buffer("mask", m.mask)  # persistent again
        assert list(m.state_dict()) == ["mask", "count"]


def tied(lib: ModuleType) -> Any:
    shared = lib.nn.Linear(2, 2)
    return lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2), shared, shared)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: [n for n, _ in m.named_parameters(prefix="net")],
        lambda m: [n for n, _ in m.named_parameters(recurse=False)],
        lambda m: [n for n, _ in m.named_parameters(remove_duplicate=False)],
        lambda m: [n for n, _ in m.head.named_parameters(prefix="head", recurse=False)],
        lambda m: [tuple(p.shape) for p in m.parameters(recurse=False)],
        lambda m: [n for n, _ in m.named_buffers(prefix="x")],
        lambda m: [n for n, _ in m.named_buffers(recurse=False)],
        lambda m: [tuple(b.shape) for b in m.buffers()],
        lambda m: [n for n, _ in m.named_modules(prefix="root")],
        lambda m: len(list(m.modules())),
    ],
)
def test_member_listings_take_torchs_arguments(call):
    ours, theirs = pair()
    assert call(ours) == call(theirs)


def test_shared_members_are_listed_as_torch_lists_them():
    ours, theirs = tied(autograd), tied(torch)
    for args in ({}, {"remove_duplicate": False}):
        assert [n for n, _ in ours.named_parameters(**args)] == [
            n for n, _ in theirs.named_parameters(**args)
        ]
        assert [n for n, _ in ours.named_modules(**args)] == [
            n for n, _ in theirs.named_modules(**args)
        ]
    memo: set[Any] = set()
    assert [n for n, _ in ours.named_modules(memo)] == [n for n, _ in theirs.named_modules()]
    assert len(memo) == 4


def test_register_parameter_and_get_members_as_torch():
    ours, theirs = pair()
    for m, lib in ((ours, nn), (theirs, torch.nn)):
        m.register_parameter("bias 2", lib.Parameter(lib.Linear(2, 3).weight.detach()))
        m.register_parameter("empty", None)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.get_submodule("head.1") is ours.head[1]
    assert ours.get_submodule("") is ours
    assert ours.get_parameter("head.1.weight") is ours.head[1].weight
    assert ours.get_buffer("bn.running_mean") is ours.bn.running_mean
    for m in (ours, theirs):
        with pytest.raises(AttributeError, match="has no attribute `nope`"):
            m.get_submodule("head.nope")
        with pytest.raises(AttributeError, match=r"is not an nn\.Parameter"):
            m.get_parameter("bn.running_mean")
        with pytest.raises(AttributeError, match=r"is not a buffer"):
            m.get_buffer("bn.weight")
        with pytest.raises(KeyError, match=r'contain "\."'):
            m.register_parameter("a.b", None)
        with pytest.raises(KeyError, match="attribute 'fc' already exists"):
            m.register_parameter("fc", None)
        with pytest.raises(TypeError, match="cannot assign"):
            m.register_parameter("w", type(m.scale.detach())(np.zeros(1)))


def test_get_submodule_finds_modules_in_list_and_dict_attributes():
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = [nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1))]
            self.heads = {"a": nn.Linear(1, 1)}

    net = Net()
    assert net.get_submodule("layers.1.1") is net.layers[1][1]
    assert net.get_submodule("heads.a") is net.heads["a"]
    assert net.get_parameter("layers.1.1.bias") is net.layers[1][1].bias
    with pytest.raises(AttributeError, match="has no attribute `layers`"):
        net.get_submodule("layers")
