"""PyTorch's spellings (`dim`, `keepdim`, `size()`, `view`, ...) behave as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, gradcheck
from nn import functional as F

torch = pytest.importorskip("torch")

X = np.random.default_rng(0).normal(size=(2, 3, 4))


def _pair(data=X):
    return Tensor(data.copy(), requires_grad=True), torch.tensor(data.copy(), requires_grad=True)


def _same(ours, theirs, grads=None):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    if grads is not None:
        a, b = grads
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp"])
@pytest.mark.parametrize("dim", [1, -1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_take_dim_and_keepdim(name, dim, keepdim):
    a, b = _pair()
    _same(
        getattr(a, name)(dim=dim, keepdim=keepdim),
        getattr(b, name)(dim=dim, keepdim=keepdim),
        (a, b),
    )


@pytest.mark.parametrize("name", ["sum", "mean"])
def test_functional_reductions_take_dim(name):
    a, b = _pair()
    _same(
        getattr(autograd, name)(a, dim=2, keepdim=True),
        getattr(torch, name)(b, dim=2, keepdim=True),
    )


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("kwargs", [{}, {"correction": 0}, {"unbiased": False}, {"keepdim": True}])
def test_var_std_with_dim_follow_torch_defaults(name, kwargs):
    a, b = _pair()
    _same(getattr(a, name)(dim=1, **kwargs), getattr(b, name)(dim=1, **kwargs), (a, b))


def test_var_without_dim_keeps_numpy_default():
    a = Tensor(X)
    assert a.var().item() == pytest.approx(X.var())
    assert a.var(ddof=1).item() == pytest.approx(X.var(ddof=1))
    with pytest.raises(TypeError, match="ddof and correction"):
        a.var(ddof=1, correction=1)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_return_values_and_indices(name, keepdim):
    a, b = _pair()
    ours, theirs = (
        getattr(a, name)(dim=1, keepdim=keepdim),
        getattr(b, name)(dim=1, keepdim=keepdim),
    )
    values, indices = ours
    assert values is ours.values
    np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())
    np.testing.assert_array_equal(indices, theirs.indices.numpy())
    _same(ours.values, theirs.values, (a, b))
    assert isinstance(getattr(a, name)(axis=1), Tensor)  # numpy's spelling: the values only


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_positional_axis_with_keepdim_is_torch_style(name, keepdim):
    # x.var(0, keepdim=True) in PyTorch code (a hand-written batch norm) is unbiased
    a, b = _pair()
    _same(getattr(a, name)(0, keepdim=keepdim), getattr(b, name)(0, keepdim=keepdim), (a, b))
    np.testing.assert_allclose(  # numpy's spelling keeps numpy's ddof=0
        getattr(Tensor(X), name)(0, keepdims=keepdim).data, getattr(X, name)(0, keepdims=keepdim)
    )


@pytest.mark.parametrize("name", ["max", "min"])
def test_positional_axis_with_keepdim_gives_values_and_indices(name):
    a, b = _pair()
    ours, theirs = getattr(a, name)(1, keepdim=True), getattr(b, name)(1, keepdim=True)
    np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())
    _same(ours.values, theirs.values, (a, b))
    ours = getattr(autograd, name)(Tensor(X), -1, keepdim=False)
    np.testing.assert_array_equal(ours.indices, getattr(torch, name)(torch.tensor(X), -1).indices)
    assert isinstance(getattr(Tensor(X), name)(1, keepdims=True), Tensor)
    with pytest.raises(TypeError, match=r"dim must be one int.*\(0, 1\)"):
        getattr(Tensor(X), name)((0, 1), keepdim=True)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("kwargs", [{"dim": 2}, {"dim": 0, "keepdim": True}, {}])
def test_argmax_argmin_take_dim(name, kwargs):
    a, b = _pair()
    for ours in (getattr(a, name)(**kwargs), getattr(autograd, name)(a, **kwargs)):
        theirs = getattr(b, name)(**kwargs)
        assert isinstance(ours, Tensor) and ours.dtype == np.int64 and not ours.requires_grad
        assert ours.shape == tuple(theirs.shape) and ours.tolist() == theirs.tolist()
    _, indices = a.max(dim=1)
    assert isinstance(indices, Tensor) and indices.dtype == np.int64


def test_accuracy_as_pytorch_lessons_count_it():
    outputs = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    labels = np.array([0, 1, 2, 3, 0, 1])
    counts = []
    for lib in (autograd, torch):
        x, y = lib.tensor(outputs), lib.tensor(labels)
        y_hat = x.argmax(axis=1)  # a textbook's accuracy
        first = float((y_hat.type(y.dtype) == y).type(y.dtype).sum())
        _, predicted = lib.max(x, 1)  # the CIFAR-10 tutorial's
        second = (predicted == y).sum().item()
        counts.append((first, second))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family_takes_dim(dim):
    a, b = _pair()
    _same(a.softmax(dim=dim), b.softmax(dim=dim))
    _same(F.softmax(a, dim=dim), torch.nn.functional.softmax(b, dim=dim))
    _same(F.log_softmax(a, dim=dim), torch.nn.functional.log_softmax(b, dim=dim))
    _same(nn.Softmax(dim=dim)(a), torch.nn.Softmax(dim=dim)(b))
    _same(nn.LogSoftmax(dim=dim)(a), torch.nn.LogSoftmax(dim=dim)(b), (a, b))


def test_softmax_default_is_the_last_axis():
    a = Tensor(X)
    np.testing.assert_allclose(a.softmax().data, a.softmax(axis=-1).data)
    np.testing.assert_allclose(nn.Softmax()(a).data, a.softmax(axis=-1).data)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack_take_dim(dim):
    a, b = _pair()
    c, d = _pair(X * 2)
    _same(autograd.cat([a, c], dim=dim), torch.cat([b, d], dim=dim), (a, b))
    _same(autograd.stack([a, c], dim=dim), torch.stack([b, d], dim=dim))


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.sum(axis=1, dim=1),
        lambda x: x.mean(keepdims=True, keepdim=True),
        lambda x: x.softmax(0, dim=1),
        lambda x: autograd.cat([x, x], axis=0, dim=0),
        lambda x: x.argmax(axis=0, dim=0),
    ],
)
def test_both_spellings_at_once_is_an_error(call):
    with pytest.raises(TypeError, match="pass one of them"):
        call(Tensor(X))


def test_size_dim_numel_as_torch():
    a, b = _pair()
    assert a.size() == tuple(b.size()) == (2, 3, 4)
    assert a.size(1) == b.size(1) == 3 and a.size(-1) == b.size(-1) == 4
    assert a.dim() == b.dim() == 3 and a.numel() == b.numel() == 24
    assert a.size == 24 and a.size + 1 == 25  # numpy's size, an int, still works
    with pytest.raises(IndexError, match="dimension 3 is out of range"):
        a.size(3)


def test_view_unsqueeze_permute_squeeze_as_torch():
    a, b = _pair()
    _same(a.view(6, 4), b.view(6, 4), (a, b))
    _same(a.view(-1), b.view(-1))
    _same(a.unsqueeze(1), b.unsqueeze(1))
    _same(a.unsqueeze(-1), b.unsqueeze(-1))
    _same(a.permute(2, 0, 1), b.permute(2, 0, 1))
    _same(a.permute((1, 2, 0)), b.permute((1, 2, 0)))
    _same(a.unsqueeze(0).squeeze(dim=0), b.unsqueeze(0).squeeze(dim=0))


def test_permute_gradient():
    x = Tensor(X.copy(), requires_grad=True)
    gradcheck(lambda x: x.permute(2, 0, 1) * np.arange(24.0).reshape(4, 2, 3), (x,))


def test_clone_is_a_copy_in_the_graph():
    a, b = _pair()
    c, d = a.clone(), b.clone()
    assert c.data is not a.data and not np.shares_memory(c.data, a.data)
    _same(c * 3, d * 3, (a, b))
    gradcheck(lambda x: x.clone() ** 2, (Tensor(X.copy(), requires_grad=True),))


def test_float_and_double_as_torch():
    a = Tensor(X.astype(np.float32), requires_grad=True)
    assert a.float() is a  # already float32: the tensor itself, as torch
    d = a.double()
    assert d.dtype == np.float64 and d.requires_grad
    d.sum().backward()
    assert a.grad.dtype == np.float32 and np.all(a.grad.data == 1)
    assert Tensor(np.arange(3)).float().dtype == np.float32
    x64 = Tensor(X)
    assert x64.double() is x64 and x64.float().dtype == np.float32


def test_requires_grad_():
    a = Tensor(X.copy())
    assert a.requires_grad_() is a and a.requires_grad
    (a * 2).sum().backward()
    np.testing.assert_array_equal(a.grad.data, np.full(X.shape, 2.0))
    assert a.requires_grad_(False) is a and not a.requires_grad
    y = Tensor(X, requires_grad=True) * 2
    assert y.requires_grad_() is y  # already requires grad: allowed, as torch
    with pytest.raises(RuntimeError, match="only leaf tensors"):
        y.requires_grad_(False)
    with pytest.raises(TypeError, match="only float tensors"):
        Tensor(np.arange(3)).requires_grad_()


def test_zero_():
    a = Tensor(X.copy())
    assert a.zero_() is a and not a.data.any()


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"dim": 1}, {"dim": (0, 2), "keepdim": True}, {"p": 1, "dim": -1}, {"p": float("inf")}],
)
def test_norm_matches_torch_with_a_zero_slice(kwargs):
    data = X.copy()
    data[1] = 0  # a zero row: the 2-norm's slope there is 0 in torch, not nan
    a, b = _pair(data)
    _same(a.norm(**kwargs), b.norm(**kwargs), (a, b))


def test_pytorch_method_names_match_torch():
    a, b = _pair()
    _same(a.pow(3), b.pow(3), (a, b))
    a, b = _pair()
    _same(a.clamp(min=-0.5, max=0.5), b.clamp(min=-0.5, max=0.5), (a, b))
    a, b = _pair(X[0])
    _same(a.t(), b.t(), (a, b))
    _same(autograd.pow(a, 2), torch.pow(b, 2))
    _same(autograd.clamp(a, max=0.0), torch.clamp(b, max=0.0))
    with pytest.raises(ValueError, match=r"at most 2 dimensions.*\(2, 3, 4\)"):
        Tensor(X).t()
    x = Tensor(X)
    assert x.type(np.float64) is x and x.type(np.float32).dtype == np.float32


def test_creation_names_match_torch():
    assert autograd.arange(5).dtype == torch.arange(5).numpy().dtype == np.int64
    assert autograd.arange(1, 2.5, 0.5).data.tolist() == torch.arange(1, 2.5, 0.5).tolist()
    assert autograd.arange(1, 2.5, 0.5).dtype == np.float32  # the default float dtype
    np.testing.assert_allclose(autograd.linspace(-1, 1, 5).data, torch.linspace(-1, 1, 5))
    for make in (autograd.rand_like, autograd.randn_like):
        out = make(Tensor(np.zeros((2, 3))))
        assert out.shape == (2, 3) and out.dtype == np.float64 and not out.requires_grad
        assert make(np.zeros(3, np.int64)).dtype == np.float32
    with pytest.raises(ValueError, match="steps must be a non-negative int"):
        autograd.linspace(0, 1, 2.5)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_linspace_gives_torchs_points_to_the_last_bit(dtype):
    """torch computes each point with one fused multiply-add, the second half counted
    back from `end`; numpy's linspace differs from it in the last bit of a fifth to a
    third of the points (makemore's ``10**torch.linspace(-3, 0, 1000)``)."""
    rng = np.random.default_rng(0)
    cases = [(-3, 0, 1000), (-1.3, 2.9, 101), (0.1, 0.7, 64), (3, -4, 5), (-188.9, -17.4, 480)]
    cases += [(*rng.normal(scale=10.0 ** rng.integers(-3, 4), size=2), 777) for _ in range(40)]
    for start, end, steps in [*cases, (2.5, 7.0, 1), (0.0, 1.0, 0), (5, 5, 9)]:
        ours = autograd.linspace(start, end, steps, dtype=getattr(autograd, dtype)).data
        theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{start}, {end}, {steps}")


def test_tensor_infers_dtype_as_torch_tensor():
    for data in ([[0, 1, 2]], 3, [True, False], [1.5, 2], 2.0, [[1, 2.5]], [], np.int32(4)):
        theirs = torch.tensor(data).numpy().dtype
        assert autograd.tensor(data).dtype == theirs, data
    assert autograd.tensor([1, 2], dtype=autograd.float64).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.float32  # the constructor, as torch.Tensor: float
    with pytest.raises(TypeError, match="only float tensors can require grad"):
        autograd.tensor([1, 2], requires_grad=True)


def test_dtype_names_as_torch():
    for name in ("float16", "half", "float32", "float", "float64", "double", "int8", "int16",
                 "short", "int32", "int", "int64", "long", "uint8", "bool"):  # fmt: skip
        ours, theirs = getattr(autograd, name), getattr(torch, name)
        assert np.dtype(ours) == torch.zeros(1, dtype=theirs).numpy().dtype, name
    assert autograd.zeros((2, 2), dtype=autograd.int32).dtype == np.int32
    assert autograd.float is np.float32 and autograd.bool is np.bool_


def test_integer_casts_leave_the_graph():
    a, b = _pair(np.array([-1.7, 0.2, 2.5]))
    for name, dtype in (("long", np.int64), ("int", np.int32), ("bool", np.bool_)):
        ours, theirs = getattr(a, name)(), getattr(b, name)()
        assert ours.dtype == dtype and not ours.requires_grad and not theirs.requires_grad
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    x = autograd.tensor([3, 4])
    assert x.long() is x and x.float().dtype == np.float32
    assert a.nelement() == b.nelement() == 3


def test_all_any_allclose_equal_as_torch():
    data = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 5.0]])
    a, b = Tensor(data), torch.tensor(data)
    for kwargs in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}):
        for name in ("all", "any"):
            ours, theirs = getattr(a, name)(**kwargs), getattr(b, name)(**kwargs)
            assert ours.dtype == np.bool_ and not ours.requires_grad
            np.testing.assert_array_equal(ours.data, theirs.numpy())
            np.testing.assert_array_equal(getattr(autograd, name)(a, **kwargs).data, theirs)
    assert autograd.all(a == a).item() is True
    c = data + 1e-9
    assert autograd.allclose(a, c) == torch.allclose(b, torch.tensor(c)) is True
    assert autograd.allclose(a, c + 1e-3) == torch.allclose(b, torch.tensor(c + 1e-3)) is False
    assert autograd.equal(a, data.copy()) and not autograd.equal(a, data[0])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind_as_torch(dim):
    a, b = _pair()
    ours, theirs = autograd.unbind(a, dim), torch.unbind(b, dim)
    assert len(ours) == len(theirs)
    weights = np.arange(1.0, 1 + len(ours))
    sum(w * (o * o).sum() for w, o in zip(weights, ours)).backward()
    sum(w * (t * t).sum() for w, t in zip(weights, theirs)).backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.data, t.detach().numpy())
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12)
    with pytest.raises(IndexError, match=r"out of range .*but got 3"):
        autograd.unbind(a, 3)


def test_values_of_numpy_style_max_names_the_pytorch_spelling():
    values = Tensor(X).max(1)  # numpy's: the values alone
    with pytest.raises(AttributeError, match=r"x\.max\(dim=1\)"):
        values.indices  # noqa: B018
    with pytest.raises(AttributeError, match=r"no \.values or \.indices"):
        values.values  # noqa: B018
    assert not hasattr(values, "indices")
    np.testing.assert_array_equal(Tensor(X).max(dim=1).indices, torch.tensor(X).max(1).indices)


def test_one_element_tensors_convert_as_torch():
    for data in ([2.5], [[3]], 7, [True]):
        assert float(Tensor(np.array(data))) == float(torch.tensor(data))
        assert int(Tensor(np.array(data))) == int(torch.tensor(data))
    assert ["a", "b", "c"][autograd.tensor(2)] == "c" == ["a", "b", "c"][torch.tensor(2)]
    with pytest.raises(TypeError, match=r"one-element tensors .* shape \(2,\)"):
        float(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="integer tensors of a single element"):
        [1, 2][Tensor(1.0)]


def test_module_max_and_min_are_torchs():
    a, b = _pair()
    for name in ("max", "min"):
        _, ours = getattr(autograd, name)(a, 1)  # _, predicted = torch.max(outputs, 1)
        np.testing.assert_array_equal(ours, getattr(torch, name)(b, 1)[1].numpy())
        pair = getattr(autograd, name)(a, -1, True)
        _same(pair.values, getattr(torch, name)(b, -1, True).values, (a, b))
        a, b = _pair()
        _same(getattr(autograd, name)(a), getattr(torch, name)(b), (a, b))  # the whole tensor
        other = np.zeros(4)
        _same(
            getattr(autograd, name)(Tensor(X), Tensor(other)),
            getattr(torch, name)(torch.tensor(X), torch.tensor(other)),
        )
        _same(
            getattr(Tensor(X), name)(Tensor(other)),
            getattr(torch.tensor(X), name)(torch.tensor(other)),
        )
        assert isinstance(getattr(autograd, name)(Tensor(X), axis=1), Tensor)  # numpy's keyword


def test_format_as_torch():
    for value in (1.23456, 3, -0.5):
        ours, theirs = autograd.tensor(value), torch.tensor(value)
        for spec in ("", ".3f", ">9.2e", "+"):
            assert format(ours, spec) == format(theirs, spec), (value, spec)
    assert f"{Tensor([1.5])}" == repr(Tensor([1.5]))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{Tensor([1.5]):.2f}"


@pytest.mark.parametrize("diagonal", [0, 1, -1])
def test_tril_triu_masked_fill_as_torch(diagonal):
    for name in ("tril", "triu"):
        a, b = _pair()
        _same(getattr(autograd, name)(a, diagonal), getattr(torch, name)(b, diagonal), (a, b))
        a, b = _pair(X[0])
        _same(getattr(a, name)(diagonal), getattr(b, name)(diagonal), (a, b))
    mask = np.tril(np.ones((3, 4)), diagonal) == 0
    a, b = _pair()
    _same(a.masked_fill(mask, -2.5), b.masked_fill(torch.tensor(mask), -2.5), (a, b))
    wei = autograd.masked_fill(Tensor(X[0]), Tensor(mask), float("-inf")).softmax(-1)
    theirs = torch.tensor(X[0]).masked_fill(torch.tensor(mask), float("-inf")).softmax(-1)
    np.testing.assert_allclose(wei.data, theirs.numpy(), rtol=1e-12)
    with pytest.raises(TypeError, match="mask must be bool"):
        Tensor(X).masked_fill(np.zeros(4), 0.0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        autograd.tril(Tensor([1.0, 2.0]))


def test_autograd_reaches_nn_and_optim_as_torch_does():
    import nn
    import optim

    assert autograd.nn is nn and autograd.optim is optim
    assert autograd.nn.init.normal_ is nn.init.normal_ and autograd.optim.AdamW is optim.AdamW


def test_inference_mode_as_torch():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with autograd.inference_mode():
        assert not (w * 2).requires_grad
    with autograd.inference_mode(False):
        assert (w * 2).requires_grad

    @autograd.inference_mode()
    def predict(x):
        return x * 2

    @autograd.inference_mode
    def predict_bare(x):
        return x * 2

    assert not predict(w).requires_grad and not predict_bare(w).requires_grad
    assert (w * 2).requires_grad and autograd.is_grad_enabled()


def test_numpy_bridges_as_torch():
    a = np.arange(4.0)
    t = autograd.from_numpy(a)
    a[0] = 9.0  # shares memory, as torch.from_numpy
    assert t.data[0] == 9.0 == torch.from_numpy(a)[0].item() and t.dtype == np.float64
    assert autograd.as_tensor(a).data is a and autograd.as_tensor(t) is t
    assert autograd.as_tensor([1, 2]).dtype == torch.as_tensor([1, 2]).numpy().dtype
    assert autograd.as_tensor(a, dtype=np.float32).dtype == np.float32
    assert autograd.is_tensor(t) and not autograd.is_tensor(a)
    assert autograd.numel(t) == torch.numel(torch.from_numpy(a)) == 4
    with pytest.raises(TypeError, match=r"expects a numpy\.ndarray"):
        autograd.from_numpy([1.0])


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_values_with_dim_send_the_gradient_of_ties_to_the_index_returned(name, keepdim):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [-1.0, -1.0, -1.0]])
    weights = (
        np.array([1.0, 10.0, 100.0]).reshape(3, 1) if keepdim else np.array([1.0, 10.0, 100.0])
    )
    grads = []
    for lib in (autograd, torch):
        t = lib.tensor(x, requires_grad=True)
        values, indices = getattr(lib, name)(t, 1, keepdim=keepdim)
        (values * lib.tensor(weights)).sum().backward()
        grads.append((t.grad.tolist(), indices.tolist()))
    assert grads[0] == grads[1]
    whole = autograd.tensor(x, requires_grad=True)
    whole.max(axis=1).sum().backward()  # numpy's call (and amax): ties share it evenly
    assert whole.grad.tolist()[0] == [0.0, 0.5, 0.5]


FUNCTIONS = {
    "flatten": lambda lib, x: lib.flatten(x),
    "flatten(x, 1)": lambda lib, x: lib.flatten(x, 1),
    "flatten(x, 0, 1)": lambda lib, x: lib.flatten(x, start_dim=0, end_dim=1),
    "flatten(x, -2)": lambda lib, x: lib.flatten(x, -2),
    "unsqueeze(x, 0)": lambda lib, x: lib.unsqueeze(x, 0),
    "unsqueeze(x, 3)": lambda lib, x: lib.unsqueeze(x, 3),
    "unsqueeze(x, -1)": lambda lib, x: lib.unsqueeze(x, -1),
    "concat": lambda lib, x: lib.concat([x, x * 2], dim=1),
    "concatenate": lambda lib, x: lib.concatenate((x, x), -1),
    "hstack": lambda lib, x: lib.hstack([x, x]),
    "hstack 1-d": lambda lib, x: lib.hstack([x[0, 0], x[1, 1]]),
    "vstack": lambda lib, x: lib.vstack([x, x]),
    "vstack 1-d": lambda lib, x: lib.vstack([x[0, 0], x[1, 1]]),
    "squeeze(x, 0) of length 2": lambda lib, x: lib.squeeze(x, 0),
    "x.squeeze(dim=1) of length 3": lambda lib, x: x[:, :, :1].squeeze(dim=1),
    "squeeze(x, (0, 2)) of lengths 2, 1": lambda lib, x: lib.squeeze(x[:, :, :1], (0, 2)),
    "round": lambda lib, x: lib.round(x * 3) * x,
    "round(decimals=2)": lambda lib, x: lib.round(x, decimals=2) * x,
    "floor": lambda lib, x: lib.floor(x * 3) * x,
    "ceil": lambda lib, x: lib.ceil(x * 3) * x,
    "trunc": lambda lib, x: lib.trunc(x * 3) * x,
    "add alpha": lambda lib, x: lib.add(x, x * x, alpha=3),
    "sub alpha": lambda lib, x: lib.sub(x, x * x, alpha=0.5),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_torch_functions_give_torch_values_and_gradients(name):
    a, b = _pair()
    ours, theirs = FUNCTIONS[name](autograd, a), FUNCTIONS[name](torch, b)
    assert ours.shape == tuple(theirs.shape)
    _same(ours, theirs, (a, b))


@pytest.mark.parametrize("name", ["round", "floor", "ceil", "trunc"])
def test_rounding_integers_and_halves_as_torch(name):
    halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997], np.float32)
    ours, theirs = getattr(autograd, name)(halves), getattr(torch, name)(torch.tensor(halves))
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    ints = getattr(autograd, name)(autograd.tensor([3, -2]))
    assert ints.dtype == np.int64 and ints.tolist() == [3, -2]


def test_flatten_and_unsqueeze_out_of_range_raise_index_errors_as_torch():
    x = autograd.zeros(2, 3)
    for call in (
        lambda lib: lib.flatten(x if lib is autograd else torch.zeros(2, 3), 2),
        lambda lib: lib.unsqueeze(x if lib is autograd else torch.zeros(2, 3), 3),
    ):
        with pytest.raises(IndexError):
            call(torch)
        with pytest.raises(IndexError, match="out of range"):
            call(autograd)
    with pytest.raises(RuntimeError, match="start_dim"):
        autograd.flatten(x, 1, 0)
    assert autograd.flatten(autograd.tensor(3.0)).shape == torch.flatten(torch.tensor(3.0)).shape


def test_isclose_as_torch():
    a = np.array([1.0, 1.0 + 1e-9, 1.1, np.nan])
    b = np.ones(4)
    for kwargs in ({}, {"rtol": 0.2}, {"equal_nan": True}):
        ours = autograd.isclose(Tensor(a), Tensor(b), **kwargs)
        theirs = torch.isclose(torch.tensor(a), torch.tensor(b), **kwargs)
        assert ours.dtype == np.bool_
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_rng_state_and_initial_seed_as_torch():
    for lib in (autograd, torch):
        lib.manual_seed(123)
        assert lib.initial_seed() == 123
    state = autograd.get_rng_state()
    first = autograd.rand(3)
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(autograd.rand(3).data, first.data)
    torch.manual_seed(123)
    np.testing.assert_array_equal(first.data, torch.rand(3).numpy())
    assert state.dtype == np.uint8 and state.ndim == 1
    with pytest.raises(ValueError, match="get_rng_state"):
        autograd.set_rng_state(autograd.zeros(5))
    new = autograd.seed()
    assert autograd.initial_seed() == new


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.flatten(),
        lambda t: t.flatten(1),
        lambda t: t.flatten(0, 1),
        lambda t: t.flatten(-2, -1),
        lambda t: t.flatten(start_dim=1, end_dim=2),
        lambda t: t.mT,
        lambda t: (t * 3).floor(),
        lambda t: (t * 3).ceil(),
        lambda t: (t * 3).trunc(),
        lambda t: (t * 3).round(),
        lambda t: (t * 3).round(decimals=1),
    ],
)
def test_tensor_methods_as_torch(call):
    ours, theirs = _pair()
    _same(call(ours), call(theirs), (ours, theirs))


def test_is_floating_point_mT_and_item_errors_as_torch():
    for data in ([1.5], [1], [True]):
        assert autograd.tensor(data).is_floating_point() == torch.tensor(data).is_floating_point()
    for lib in (autograd, torch):
        with pytest.raises(RuntimeError, match="2 elements cannot be converted to Scalar"):
            lib.tensor([1.0, 2.0]).item()
        with pytest.raises(RuntimeError, match="only supported on matrices"):
            _ = lib.tensor([1.0, 2.0]).mT
        with pytest.raises(IndexError):
            lib.ones(2, 3).flatten(0, 2)


def test_floor_division_and_remainder_as_torch():
    cases = [([5, -7], 2), ([5, -7], 3), ([5.5, -7.25], 2.5), ([5.0, -7.0], -1.5), ([5, -7], 2.5)]
    for data, other in cases:
        for f in (lambda a, b: a // b, lambda a, b: a % b, lambda a, b: b // a, lambda a, b: b % a):
            ours, theirs = f(autograd.tensor(data), other), f(torch.tensor(data), other)
            assert ours.dtype == theirs.numpy().dtype, (data, other)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours, theirs = _pair()
    d = _pair(X[0] * X[0] + 0.5)
    _same(ours % d[0], theirs % d[1], (ours, theirs))
    np.testing.assert_allclose(d[0].grad.data, d[1].grad.numpy(), rtol=1e-12)
    assert np.isnan((autograd.tensor([5.0]) % 0.0).item())


def test_an_ndarray_divided_by_a_tensor_floors_and_takes_remainders_into_a_tensor():
    a, t = np.array([5.0, -7.0]), autograd.tensor([2.0, 2.0], requires_grad=True)
    r, q = a % t, a // t
    assert isinstance(r, Tensor) and isinstance(q, Tensor)
    assert r.tolist() == [1.0, 1.0] and q.tolist() == [2.0, -4.0]
    r.sum().backward()
    assert t.grad.tolist() == [-2.0, 4.0]  # -floor(a / t), as torch's remainder


@pytest.mark.parametrize("name", ["exp_", "relu_", "sigmoid_", "tanh_", "clamp_"])
def test_in_place_functions_as_torch(name):
    ours, theirs = _pair()
    results = []
    for leaf in (ours, theirs):
        y = leaf * 1.5
        out = getattr(y, name)(*([-0.5, 0.5] if name == "clamp_" else []))
        assert out is y
        (y * y).sum().backward()
        results.append(
            (y.detach().numpy(), leaf.grad.numpy() if leaf is theirs else leaf.grad.data)
        )
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    for lib in (autograd, torch):  # a leaf that requires grad: only under no_grad
        leaf = lib.tensor([0.5, -1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(leaf, name)(*([-0.5, 0.5] if name == "clamp_" else []))


def test_a_shape_given_as_tensor_arguments_is_refused_not_taken_for_requires_grad():
    with pytest.raises(TypeError, match=r"requires_grad must be a bool, got 3.*zeros"):
        Tensor(2, 3)  # torch.Tensor(2, 3) is an uninitialised 2x3; here data comes first
    with pytest.raises(TypeError, match="requires_grad must be a bool"):
        autograd.tensor([1.0], requires_grad="yes")
    assert Tensor([1.0], requires_grad=np.bool_(True)).requires_grad is True
