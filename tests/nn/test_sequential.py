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


def test_empty_sequential_returns_its_input_as_torch():
    torch = pytest.importorskip("torch")
    x = Tensor([[1.0, -2.0]])
    expected = torch.nn.Sequential()(torch.tensor([[1.0, -2.0]]))
    assert nn.Sequential()(x) is x
    np.testing.assert_array_equal(nn.Sequential()(x).numpy(), expected.numpy())


def test_empty_sequential_keras_calls_as_keras():
    """Keras 3 refuses to build, fit, predict or evaluate an empty Sequential, and to
    call it on a symbolic input (ValueError), but prints its summary: no rows, 0
    params."""
    keras = pytest.importorskip("keras")
    x = np.zeros((4, 3), np.float32)
    theirs = keras.Sequential()
    theirs.compile(optimizer="sgd", loss="mse")
    ours = nn.Sequential()
    ours.compile(optimizer="sgd", loss="mse")
    calls = {
        "fit": lambda m: m.fit(x, x, epochs=1, verbose=0),
        "predict": lambda m: m.predict(x, verbose=0),
        "evaluate": lambda m: m.evaluate(x, x, verbose=0),
        "build": lambda m: m.build((None, 3)),
    }
    for call in calls.values():
        for model in (theirs, ours):
            with pytest.raises(ValueError):
                call(model)
    with pytest.raises(ValueError):
        keras.Sequential()(keras.Input((3,)))
    with pytest.raises(ValueError, match="no layers"):
        nn.Sequential()(nn.Input((3,)))
    lines: list[str] = []
    theirs.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    text = ours.summary(print_fn=None)
    # the same text: a header, no rows, and totals of 0 (Keras numbers its models
    # across the session, so the names may differ)
    keras_text = "".join(lines).rstrip("\n").replace(theirs.name, ours.name)
    assert text == keras_text
    assert text.splitlines()[4].startswith("└") and " Total params: 0 (0.00 B)" in text
    assert keras.Sequential().get_weights() == ours.get_weights() == []


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


def test_linear_and_activation_stay_two_ops_as_in_pytorch():
    """A Sequential runs each layer as it is written: the graph shows the affine map
    and then the activation, as PyTorch's does (`nn.Dense` fuses its own)."""
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    out = model(Tensor(np.ones((2, 3))))
    assert out.grad_fn.name() == "TanhBackward"
    assert out.grad_fn.next_functions[0][0].name() == "AffineBackward"
