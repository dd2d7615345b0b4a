import numpy as np
import pytest

import nn
from autograd import Tensor


def test_forward_chains_layers():
    model = nn.Sequential(nn.Linear(2, 3, rng=np.random.default_rng(0)), nn.ReLU())
    x = np.array([[1.0, -2.0]], np.float32)
    first = model[0]
    np.testing.assert_allclose(
        model(Tensor(x)).data, np.maximum(x @ first.weight.data.T + first.bias.data, 0), rtol=1e-6
    )


def test_add_getitem_len_iter_and_names():
    model = nn.Sequential(nn.Linear(2, 3))
    model.add(nn.Tanh())
    model.add(nn.Linear(3, 1))
    assert len(model) == 3
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear"]
    assert isinstance(model[-1], nn.Linear)
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_same_activation_twice_keeps_both_slots():
    act = nn.ReLU()
    model = nn.Sequential(nn.Linear(2, 2), act, nn.Linear(2, 2), act)
    assert len(model) == 4 and model[3] is act


def test_empty_sequential_is_a_clear_error():
    with pytest.raises(RuntimeError, match="no layers"):
        nn.Sequential()(Tensor([1.0]))


def test_add_rejects_non_modules():
    with pytest.raises(TypeError, match="expected a Module, got function"):
        nn.Sequential(lambda x: x)


def test_dense_layers_build_through_the_stack():
    model = nn.Sequential(nn.Dense(8, activation="relu"), nn.Dense(1))
    assert list(model.parameters()) == []
    y = model(np.ones((5, 3), np.float32))
    assert y.shape == (5, 1)
    assert [tuple(p.shape) for p in model.parameters()] == [(3, 8), (8,), (8, 1), (1,)]


def test_loading_into_unbuilt_dense_explains_why():
    trained = nn.Sequential(nn.Dense(2, input_dim=3))
    with pytest.raises(KeyError, match="run one batch"):
        nn.Sequential(nn.Dense(2)).load_state_dict(trained.state_dict())


def test_replacing_or_deleting_a_numbered_layer_changes_the_forward():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    x = Tensor(np.array([[1.0, -2.0]], dtype=np.float32))
    assert np.all(model(x).data >= 0)
    setattr(model, "1", nn.Identity())
    assert type(model[1]) is nn.Identity and len(model) == 2
    np.testing.assert_array_equal(model(x).data, model[0](x).data)
    delattr(model, "1")
    assert len(model) == 1 and [n for n, _ in model.named_children()] == ["0"]
    model.add(nn.Tanh())
    np.testing.assert_allclose(model(x).data, np.tanh(model[0](x).data))
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_iterating_while_adding_sees_the_layers_of_the_start():
    model = nn.Sequential(nn.ReLU(), nn.Tanh())
    for layer in model:
        model.add(type(layer)())
    assert [type(m).__name__ for m in model] == ["ReLU", "Tanh", "ReLU", "Tanh"]


# --- the fast path: a Linear and its activation in one op ----------------------------------


def _step_by_step(model, x):
    """The plain path: each layer called on its own."""
    for layer in model:
        x = layer(x)
    return x


def _forward_backward(model, x, run):
    model.zero_grad()
    out = run(model, Tensor(x))
    (out * out).sum().backward()
    return out, [p.grad.data.copy() for p in model.parameters()]


@pytest.mark.parametrize(
    "activation, op",
    [(nn.ReLU, "AffineReLU"), (nn.Sigmoid, "AffineSigmoid"), (nn.Tanh, "AffineTanh")],
)
def test_linear_then_activation_runs_as_one_op_with_the_same_numbers(activation, op):
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(5, 7, rng=rng), activation(), nn.Linear(7, 3, rng=rng))
    x = rng.standard_normal((4, 5)).astype(np.float32)
    fused, fused_grads = _forward_backward(model, x, lambda m, t: m(t))
    plain, plain_grads = _forward_backward(model, x, _step_by_step)
    # The fused node is in the graph where the two would be...
    assert fused.grad_fn.next_functions[0].name == op
    assert plain.grad_fn.next_functions[0].name == type(activation()).__name__
    # ...and every number is the same, to the bit.
    assert np.array_equal(fused.data, plain.data)
    for a, b in zip(fused_grads, plain_grads, strict=True):
        assert np.array_equal(a, b)


def test_a_hook_or_a_subclass_keeps_the_layers_apart():
    class Shifted(nn.ReLU):
        def forward(self, x):
            return super().forward(x) + 1.0

    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((2, 3)))
    seen = []
    hooked = nn.Sequential(nn.Linear(3, 4, rng=rng), nn.ReLU(), nn.Linear(4, 1, rng=rng))
    hooked[1].register_forward_hook(lambda module, inputs, output: seen.append(output))
    out = hooked(x)
    assert len(seen) == 1 and out.grad_fn.next_functions[0].name == "ReLU"
    hooked[0].register_forward_hook(lambda module, inputs, output: seen.append(output))
    hooked[1]._forward_hooks.clear()
    hooked(x)
    assert len(seen) == 2 and seen[1].grad_fn.name == "Affine"  # the pre-activation
    shifted = nn.Sequential(nn.Linear(3, 4, rng=rng), Shifted())
    expected = shifted[1](shifted[0](x))
    assert np.array_equal(shifted(x).data, expected.data) and expected.data.min() >= 1.0
