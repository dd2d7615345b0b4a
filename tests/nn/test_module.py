import os
import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4, rng=np.random.default_rng(0))
        self.scale = nn.Parameter([1.0, 2.0, 3.0, 4.0])

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.layers = [nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2)]
        self.heads = {"a": nn.Linear(2, 1), "b": nn.Linear(2, 1, bias=False)}
        self.norm = nn.BatchNorm1d(2)
        self.not_walked = [1, "two", np.zeros(3)]

    def forward(self, x):
        x = self.first(x)
        for layer in self.layers:
            x = layer(x)
        x = self.norm(x)
        return self.heads["a"](x) + self.heads["b"](x)


def test_parameter_dtypes_and_requires_grad():
    assert nn.Parameter([1, 2]).dtype == np.float32
    assert nn.Parameter(np.zeros(2)).dtype == np.float64
    assert nn.Parameter(np.arange(3)).dtype == np.float32
    p = nn.Parameter(np.ones(2))
    assert p.requires_grad and p.is_leaf
    assert "Parameter containing" in repr(p)


def test_named_parameters_follow_torch_order():
    """A module's own parameters first (in order of assignment), then each sub-module's."""
    names = [name for name, _ in Net().named_parameters()]
    assert names == [
        "first.scale",
        "first.fc.weight",
        "first.fc.bias",
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.weight",
        "layers.2.bias",
        "heads.a.weight",
        "heads.a.bias",
        "heads.b.weight",
        "norm.weight",
        "norm.bias",
    ]
    assert len(list(Net().parameters())) == len(names)


def test_children_and_modules():
    net = Net()
    assert [n for n, _ in net.named_children()] == [
        "first",
        "layers.0",
        "layers.1",
        "layers.2",
        "heads.a",
        "heads.b",
        "norm",
    ]
    names = [n for n, _ in net.named_modules()]
    assert names[:3] == ["", "first", "first.fc"]
    assert len(list(net.modules())) == len(names) == 9


def test_shared_parameter_is_listed_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2)
            self.b = self.a

    assert len(list(Tied().parameters())) == 2


def test_assigning_before_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match="super"):
        Broken()


def test_zero_grad_sets_none():
    net = Block()
    net(np.ones((2, 3), np.float32)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_and_eval_are_recursive():
    net = Net()
    assert net.eval() is net
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.layers[1].train(False)
    assert net.training and not net.layers[1].training


def test_state_dict_has_detached_tensors_sharing_the_parameters_memory():
    net = Net()
    state = net.state_dict()
    assert "norm.running_mean" in state and "norm.running_var" in state
    assert state["norm.num_batches_tracked"].dtype == np.int64
    assert len(state) == 15
    assert all(type(v) is Tensor and not v.requires_grad for v in state.values())
    state["first.scale"].data[:] = 0
    assert net.first.scale.data.tolist() == [0, 0, 0, 0]


def test_load_state_dict_round_trip_in_place():
    a, b = Net(), Net()
    a.norm.running_mean.data[:] = 5
    weight_array = b.first.fc.weight.data
    b.load_state_dict(a.state_dict())
    assert b.first.fc.weight.data is weight_array
    for name, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[name], value)
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_strict_load_lists_missing_and_unexpected_names():
    net = Block()
    state = net.state_dict()
    del state["scale"]
    state["extra"] = np.zeros((2, 2))
    with pytest.raises(KeyError) as err:
        net.load_state_dict(state)
    message = str(err.value)
    assert 'Missing key(s) in state_dict: "scale"' in message
    assert 'Unexpected key(s) in state_dict: "extra"' in message
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["extra"]


def test_load_wrong_shape_names_both_shapes():
    net = Block()
    state = net.state_dict()
    state["fc.weight"] = np.zeros((3, 4))
    with pytest.raises(
        ValueError,
        match=r"size mismatch for fc.weight: copying a param with "
        r"shape \(3, 4\) from checkpoint, the shape in current model is \(4, 3\)",
    ):
        net.load_state_dict(state, strict=False)


def test_save_and_load_state(tmp_path):
    net = Net()
    path = tmp_path / "net.npz"
    net.save(path)
    loaded = nn.load_state(path)
    assert list(loaded) == list(net.state_dict())
    fresh = Net()
    fresh.load_state_dict(loaded)
    np.testing.assert_array_equal(fresh.first.fc.weight.data, net.first.fc.weight.data)
    assert os.listdir(tmp_path) == ["net.npz"]


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    Block().save(path)
    before = path.read_bytes()

    def broken_write(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", broken_write)
    with pytest.raises(OSError, match="disk full"):
        Block().save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_save_refuses_object_arrays(tmp_path):
    with pytest.raises(TypeError, match="without pickle"):
        nn.save_state({"w": np.array([{"a": 1}], dtype=object)}, tmp_path / "x.npz")
    assert not os.listdir(tmp_path)


def test_load_refuses_pickled_object_arrays(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([{"a": 1}], dtype=object))  # savez pickles object arrays
    with pytest.raises(ValueError, match="refusing to load pickled data"):
        nn.load_state(path)


def test_load_refuses_a_pickle_file(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"w": np.zeros(2)}))
    with pytest.raises(ValueError, match="refusing to load pickled data"):
        nn.load_state(path)


def test_load_refuses_a_single_npy_array(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match=r"expected an \.npz archive"):
        nn.load_state(path)


def test_forward_hooks_see_inputs_and_output_and_can_be_removed():
    layer = nn.Linear(2, 3)
    seen = []
    pre = layer.register_forward_pre_hook(lambda m, inputs: seen.append(("pre", inputs[0].shape)))
    post = layer.register_forward_hook(lambda m, inputs, out: seen.append(("post", out.shape)))
    layer(Tensor(np.ones((4, 2), np.float32)))
    assert seen == [("pre", (4, 2)), ("post", (4, 3))]
    pre.remove()
    post.remove()
    layer(Tensor(np.ones((4, 2), np.float32)))
    assert len(seen) == 2


def test_hooks_can_replace_inputs_and_outputs():
    layer = nn.Identity()
    layer.register_forward_pre_hook(lambda m, inputs: inputs[0] * 2)
    layer.register_forward_hook(lambda m, inputs, out: out + 1)
    assert layer(Tensor(3.0)).item() == 7.0


def test_repr_is_nested_like_torch():
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    assert text == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"
    )


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        type("Empty", (nn.Module,), {})()(1)


def test_assigning_a_plain_tensor_or_array_over_a_parameter_raises():
    layer = nn.Linear(2, 3)
    before = dict(layer.named_parameters())
    for value in (Tensor(np.zeros((3, 2))), np.zeros((3, 2)), 0.0):
        with pytest.raises(TypeError, match=r"parameter 'weight' of Linear.*nn.Parameter or None"):
            layer.weight = value
    assert dict(layer.named_parameters()) == before  # still listed, still saved
    assert "weight" in layer.state_dict()
    layer.weight = nn.Parameter(np.ones((3, 2), np.float32))  # a Parameter replaces it
    np.testing.assert_array_equal(layer.state_dict()["weight"], np.ones((3, 2)))
    layer.bias = None  # as in PyTorch, None removes it
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


WRITES = {
    "load_state_dict": lambda m: m.load_state_dict({k: v * 0 for k, v in m.state_dict().items()}),
    "set_weights": lambda m: nn.weights.set_weights(m, [w * 0 for w in nn.weights.get_weights(m)]),
    "init": lambda m: nn.init.zeros_(m.weight),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_writing_parameters_in_place_invalidates_a_graph_that_saved_them(write):
    model = nn.Linear(3, 2)
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    loss = model(x).sum()  # Affine reads the weight for x's gradient
    before = model.weight.version
    write(model)
    assert model.weight.version > before
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Affine"):
        loss.backward()


def test_keras_input_and_output_yield_to_attributes_of_the_same_name():
    """`layer.input` / `layer.output` are Keras's first-call tensors, but a PyTorch-style
    sub-module (or any attribute) called `output` or `input` is found first, and a
    layer never called symbolically has neither (`hasattr` is False)."""

    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.input = nn.Linear(2, 3)
            self.output = nn.Linear(3, 1)

        def forward(self, x):
            return self.output(self.input(x))

    head = Head()
    assert isinstance(head.output, nn.Linear) and isinstance(head.input, nn.Linear)
    assert [n for n, _ in head.named_parameters()] == [
        "input.weight",
        "input.bias",
        "output.weight",
        "output.bias",
    ]
    assert head(Tensor(np.ones((4, 2), np.float32))).shape == (4, 1)
    layer = nn.Linear(2, 3)
    assert not hasattr(layer, "output") and not hasattr(layer, "input")
    with pytest.raises(AttributeError, match=r"never been called on a symbolic tensor.*output"):
        _ = layer.output
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        _ = layer.nope


def test_module_attribute_reads_take_the_interpreters_fast_lookup():
    """No `__getattr__` on Module at run time: its presence makes the interpreter look
    every attribute of every module up the slow, generic way (the module call path of
    a training step reads a few dozen), so `input`/`output` are descriptors instead."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    classes = [nn.Module, *subclasses(nn.Module)]
    assert len(classes) > 50  # the library's layers, losses and models
    for cls in classes:
        assert "__getattr__" not in vars(cls), cls
        assert cls.__getattribute__ is object.__getattribute__, cls
