import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


def _rng(seed=0):
    return np.random.default_rng(seed)


def _to_float64(module):
    for p in module.parameters():
        p.data = p.data.astype(np.float64)
    return module


def test_linear_computes_x_at_weight_transposed_plus_bias():
    layer = nn.Linear(3, 2, rng=_rng())
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)  # PyTorch's (out, in)
    x = _rng(1).normal(size=(4, 3)).astype(np.float32)
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-6)


def test_linear_default_init_is_torch_uniform():
    layer = nn.Linear(400, 300, rng=_rng())
    k = 1 / np.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= k
    assert np.var(layer.weight.data) == pytest.approx(k * k / 3, rel=0.02)


def test_linear_gradients_match_finite_differences():
    layer = _to_float64(nn.Linear(3, 2, rng=_rng()))
    x = Tensor(_rng(1).normal(size=(4, 3)), requires_grad=True)
    autograd.gradcheck(lambda x, w, b: layer(x).tanh(), (x, layer.weight, layer.bias))


def test_linear_weight_is_column_major_and_its_gradient_follows_the_layout():
    # weight (out, in) is stored column-major, so weight.T is the row-major (in, out)
    # matrix BLAS multiplies fastest; dW comes back in the same layout, and both agree
    # with a row-major copy of the same weight.
    layer = nn.Linear(5, 3, rng=_rng())
    assert layer.weight.data.flags.f_contiguous and not layer.weight.data.flags.c_contiguous
    x = Tensor(_rng(1).normal(size=(4, 5)).astype(np.float32), requires_grad=True)
    y = Tensor(_rng(2).normal(size=(4, 3)).astype(np.float32))
    (layer(x) * y).sum().backward()
    # an array of its own (not a view), so backward keeps it as .grad without a copy
    assert layer.weight.grad.data.flags.f_contiguous and layer.weight.grad.data.base is None
    row_major = nn.Linear(5, 3)
    row_major.weight.data = np.ascontiguousarray(layer.weight.data)
    row_major.bias.data = layer.bias.data.copy()
    x2 = Tensor(x.data, requires_grad=True)
    (row_major(x2) * y).sum().backward()
    assert row_major.weight.grad.data.flags.c_contiguous
    np.testing.assert_allclose(layer.weight.grad.data, row_major.weight.grad.data, rtol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.data, (y.data.T @ x.data), rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, x2.grad.data, rtol=1e-6)


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_allclose(
        layer(np.ones((1, 3), np.float32)).data, layer.weight.data.sum(1)[None]
    )


@pytest.mark.parametrize(
    "layer", [nn.Linear(3, 2), nn.Dense(2, input_dim=3), nn.BatchNorm1d(3)], ids=type
)
def test_wrong_feature_count_names_layer_and_shapes(layer):
    with pytest.raises(
        ValueError, match=rf"{type(layer).__name__}\(.*expected.*\(batch, 3\), got \(5, 4\)"
    ):
        layer(Tensor(np.ones((5, 4), np.float32)))


def test_dense_builds_at_first_call():
    layer = nn.Dense(4, activation="relu", rng=_rng())
    assert not layer.built and list(layer.parameters()) == []
    assert layer.compute_output_shape((None, 7)) == (None, 4)
    x = _rng(1).normal(size=(5, 7)).astype(np.float32)
    y = layer(x)
    assert layer.built and layer.input_dim == 7
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (7, 4) and not layer.bias.data.any()
    np.testing.assert_allclose(y.data, np.maximum(x @ layer.weight.data, 0), rtol=1e-6)
    with pytest.raises(ValueError, match="expected input of shape"):
        layer(np.ones((5, 6), np.float32))


def test_dense_with_input_dim_builds_now_with_glorot_uniform():
    layer = nn.Dense(300, input_dim=500, rng=_rng())
    limit = np.sqrt(6 / (500 + 300))
    assert np.abs(layer.weight.data).max() <= limit
    assert np.var(layer.weight.data) == pytest.approx(limit**2 / 3, rel=0.02)


@pytest.mark.parametrize("activation", ["tanh", nn.Tanh(), autograd.tanh])
def test_dense_activation_by_name_module_or_function(activation):
    layer = nn.Dense(3, activation=activation, input_dim=2, use_bias=False)
    assert layer.bias is None
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose(layer(x).data, np.tanh(x @ layer.weight.data), rtol=1e-6)


def test_dense_initializers_by_name():
    layer = nn.Dense(3, input_dim=2, kernel_initializer="ones", bias_initializer="ones")
    np.testing.assert_array_equal(layer(np.ones((1, 2), np.float32)).data, [[3, 3, 3]])
    with pytest.raises(ValueError, match="unknown initializer 'nope'"):
        nn.Dense(3, kernel_initializer="nope")


def test_flatten_keeps_batch_axis():
    x = Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)


def test_dropout_statistics_and_scaling():
    x = Tensor(np.ones((200, 500), np.float32), requires_grad=True)
    y = nn.Dropout(0.3, rng=_rng())(x)
    dropped = y.data == 0
    assert dropped.mean() == pytest.approx(0.3, abs=0.01)
    np.testing.assert_allclose(y.data[~dropped], 1 / 0.7, rtol=1e-6)
    assert y.data.mean() == pytest.approx(1.0, abs=0.01)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)  # gradient is the scaled mask


def test_dropout_is_identity_in_eval_mode():
    layer = nn.Dropout(0.5).eval()
    x = Tensor(np.ones((3, 3), np.float32))
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_probability_out_of_range(p):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        nn.Dropout(p)


def _batchnorm_reference(x, weight, bias, eps=1e-5):
    mean, var = x.mean(0), x.var(0)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def test_batchnorm_training_uses_batch_statistics():
    bn = nn.BatchNorm1d(3, momentum=0.1)
    bn.weight.data[:] = [1.0, 2.0, 0.5]
    bn.bias.data[:] = [0.0, -1.0, 3.0]
    x = _rng().normal(2.0, 3.0, size=(16, 3)).astype(np.float32)
    y = bn(Tensor(x))
    np.testing.assert_allclose(
        y.data, _batchnorm_reference(x, bn.weight.data, bn.bias.data), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-5)


def test_batchnorm_eval_uses_running_statistics():
    bn = nn.BatchNorm1d(2)
    bn.running_mean.data[:] = [1.0, -1.0]
    bn.running_var.data[:] = [4.0, 0.25]
    bn.eval()
    y = bn(Tensor(np.array([[3.0, 0.0]], np.float32)))
    np.testing.assert_allclose(
        y.data, [[2 / np.sqrt(4 + 1e-5), 1 / np.sqrt(0.25 + 1e-5)]], rtol=1e-6
    )
    np.testing.assert_array_equal(bn.running_mean.data, [1.0, -1.0])  # unchanged in eval


def test_batchnorm_gradients_match_finite_differences():
    bn = _to_float64(nn.BatchNorm1d(3))
    x = Tensor(_rng().normal(size=(6, 3)), requires_grad=True)
    autograd.gradcheck(lambda x, w, b: bn(x) ** 3, (x, bn.weight, bn.bias))


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"2D or 3D input.*got 4D"):
        nn.BatchNorm1d(3)(np.ones((2, 3, 4, 5), np.float32))


def test_batchnorm_without_affine_has_no_parameters():
    bn = nn.BatchNorm1d(4, affine=False)
    assert list(bn.parameters()) == [] and list(bn.state_dict()) == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]


def test_batchnorm_matches_torch():
    torch = pytest.importorskip("torch")
    x = _rng().normal(1.0, 2.0, size=(8, 3))
    ours, ref = _to_float64(nn.BatchNorm1d(3)), torch.nn.BatchNorm1d(3).double()
    xt, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g = _rng(1).normal(size=(8, 3))
    for _ in range(2):
        ours(xt).backward(g)
        ref(tx).backward(torch.tensor(g))
    np.testing.assert_allclose(ours(xt).data, ref(tx).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.data, ref.weight.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours.running_var.data, ref.running_var.numpy(), rtol=1e-6)
    ours.eval(), ref.eval()
    np.testing.assert_allclose(ours(xt).data, ref(tx).detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_dense_applies_its_activation_inside_the_affine_op(activation):
    rng = np.random.default_rng(3)
    layer = nn.Dense(6, activation=activation, input_dim=4)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    results = []
    for run in (layer, lambda t: layer.activation(layer.pre_activation(t))):  # fused, plain
        layer.zero_grad()
        out = run(Tensor(x))
        (out * out).sum().backward()
        results.append((out, [p.grad.data.copy() for p in layer.parameters()]))
    (fused, fused_grads), (plain, plain_grads) = results
    assert fused.grad_fn.op_name == "Affine" + activation.capitalize().replace("Relu", "ReLU")
    assert np.array_equal(fused.data, plain.data)
    for a, b in zip(fused_grads, plain_grads, strict=True):
        assert np.array_equal(a, b)


def test_dropout_draws_torchs_masks_after_the_same_seed():
    torch = pytest.importorskip("torch")

    x = np.random.default_rng(0).normal(size=(50, 40)).astype(np.float32)
    for p in (0.1, 0.5, 0.77):
        torch.manual_seed(3)
        autograd.manual_seed(3)
        theirs = torch.nn.Dropout(p)(torch.tensor(x)).numpy()
        ours = nn.Dropout(p)(Tensor(x)).data
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == np.float32
    g, tg = autograd.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    mask = torch.empty(2000, dtype=torch.float64).bernoulli_(0.7, generator=tg).numpy()
    kept = nn.functional.dropout(Tensor(np.ones(2000)), 0.3, rng=g).data != 0
    np.testing.assert_array_equal(kept, mask == 1)
    a = nn.functional.dropout(Tensor(x), 0.5, rng=np.random.default_rng(1)).data
    b = nn.functional.dropout(Tensor(x), 0.5, rng=np.random.default_rng(1)).data
    np.testing.assert_array_equal(a, b)  # a numpy generator: numpy's masks, reproducible


def test_embedding_as_torch():
    torch = pytest.importorskip("torch")

    idx = np.array([[1, 4, 1], [0, 9, 4]])
    for padding_idx in (None, 4, -1):
        torch.manual_seed(5)
        autograd.manual_seed(5)
        theirs = torch.nn.Embedding(10, 16, padding_idx=padding_idx)
        ours = nn.Embedding(10, 16, padding_idx=padding_idx)
        np.testing.assert_allclose(
            ours.weight.data, theirs.weight.detach().numpy(), rtol=2e-6, atol=1e-7
        )
        ours.weight.data[...] = theirs.weight.detach().numpy()
        o, t = ours(Tensor(idx)), theirs(torch.tensor(idx))
        np.testing.assert_array_equal(o.data, t.detach().numpy())
        weights = np.arange(o.data.size).reshape(o.shape)
        (o * weights).sum().backward()
        (t * torch.tensor(weights)).sum().backward()
        np.testing.assert_array_equal(ours.weight.grad.data, theirs.weight.grad.numpy())
    assert repr(nn.Embedding(10, 3, padding_idx=2)) == "Embedding(10, 3, padding_idx=2)"
    with pytest.raises(IndexError, match=r"in \[0, 10\), got \[10\]"):
        nn.Embedding(10, 3)(Tensor(np.array([1, 10])))
    with pytest.raises(TypeError, match="indices must be integers"):
        nn.Embedding(10, 3)(Tensor([1.0]))
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        nn.Embedding(10, 3, padding_idx=10)


def test_embedding_saves_and_converts(tmp_path):
    model = nn.Sequential(nn.Embedding(7, 4, padding_idx=0), nn.Flatten(), nn.Linear(12, 2))
    x = Tensor(np.array([[0, 3, 6], [5, 5, 1]]))
    model.save(tmp_path / "m.npz")
    back = nn.load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(back(x).data, model(x).data)
    assert back[0].padding_idx == 0
    torch = pytest.importorskip("torch")
    theirs = nn.to_torch(model)
    np.testing.assert_allclose(
        theirs(torch.tensor(x.data)).detach().numpy(), model(x).data, rtol=1e-6
    )
    np.testing.assert_array_equal(nn.from_torch(theirs)(x).data, model(x).data)


def test_module_apply_visits_children_first_as_torch():
    seen = []
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]


def test_keras_layers_input_is_nn_input():
    # keras.layers.Input is keras.Input: the book's `model.add(layers.Input(shape=[28, 28]))`
    model = nn.Sequential()
    model.add(nn.layers.Input(shape=[28, 28]))
    model.add(nn.layers.Flatten())
    model.add(nn.layers.Dense(3))
    assert nn.layers.Input is nn.Input
    assert model.predict(np.zeros((2, 28, 28), np.float32), verbose=0).shape == (2, 3)
