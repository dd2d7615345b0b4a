"""F.layer_norm, F.rms_norm / nn.RMSNorm, F.alpha_dropout / nn.AlphaDropout, F.pad and
nn.utils.parameters_to_vector / vector_to_parameters, compared with torch itself in
float64: values, input and parameter gradients, reprs, state_dict keys, the same
dropout masks for the same seed, round trips through to_torch / from_torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

X = np.random.default_rng(0).normal(size=(3, 4, 5)) * 3


def grads_match(y, ty, pairs, rtol=1e-12, atol=1e-14):
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(1).normal(size=ty.shape)
    (y * g).sum().backward()
    (ty * torch.from_numpy(g)).sum().backward()
    for ours, ref in pairs:
        np.testing.assert_allclose(ours.grad.data, ref.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("shape", [(5,), (4, 5), 5])
@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm(shape, affine):
    norm = (shape,) if isinstance(shape, int) else shape
    w = np.random.default_rng(2).normal(size=norm)
    b = np.random.default_rng(3).normal(size=norm)
    a, t = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    ours = [Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)] if affine else []
    refs = (
        [torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)] if affine else []
    )
    y = F.layer_norm(a, shape, *ours, eps=1e-3)
    ty = TF.layer_norm(t, norm, *refs, eps=1e-3)
    grads_match(y, ty, [(a, t), *zip(ours, refs)], rtol=1e-10)


@pytest.mark.parametrize("shape, eps", [((5,), None), ((4, 5), 1e-3), (5, 0.0)])
@pytest.mark.parametrize("affine", [True, False])
def test_rms_norm_module(shape, eps, affine):
    ours = nn.RMSNorm(shape, eps, affine).double()
    ref = torch.nn.RMSNorm(shape, eps, affine).double()
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict())
    if affine:
        w = np.random.default_rng(4).normal(size=ours.weight.shape)
        ours.weight.data = w.copy()
        with torch.no_grad():
            ref.weight.copy_(torch.from_numpy(w))
    a, t = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    pairs = [(a, t), (ours.weight, ref.weight)] if affine else [(a, t)]
    grads_match(ours(a), ref(t), pairs, rtol=1e-10)
    back = nn.from_torch(ref)
    assert repr(back) == repr(ref)
    np.testing.assert_allclose(back(Tensor(X)).data, ref(torch.from_numpy(X)).detach().numpy())
    there = nn.to_torch(ours)
    assert repr(there) == repr(ref)
    for k, v in there.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), ref.state_dict()[k].numpy())


def test_rms_norm_default_eps_is_the_dtypes_and_float32_stays():
    x = X.astype(np.float32)
    y = nn.RMSNorm(5)(Tensor(x))
    assert y.dtype == np.float32 and nn.RMSNorm(5).weight.dtype == np.float32
    np.testing.assert_allclose(
        y.data, torch.nn.RMSNorm(5)(torch.from_numpy(x)).detach().numpy(), rtol=1e-6
    )
    tiny = np.full((2, 5), 1e-9)  # eps matters: None means float64's machine epsilon
    np.testing.assert_allclose(
        F.rms_norm(Tensor(tiny), 5).data,
        TF.rms_norm(torch.from_numpy(tiny), (5,)).numpy(),
        rtol=1e-12,
    )


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_alpha_dropout_draws_torchs_masks(p):
    autograd.manual_seed(7)
    torch.manual_seed(7)
    module, ref = nn.AlphaDropout(p), torch.nn.AlphaDropout(p)
    assert repr(module) == repr(ref)
    a, t = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    grads_match(module(a), ref(t), [(a, t)])
    y2, ty2 = F.alpha_dropout(Tensor(X), p, True), TF.alpha_dropout(torch.from_numpy(X), p, True)
    np.testing.assert_allclose(y2.data, ty2.numpy(), rtol=1e-12)
    module.eval()
    assert module(a) is a
    assert F.alpha_dropout(a, p) is a  # training=False by default, as torch
    assert repr(nn.from_torch(ref)) == repr(ref) and repr(nn.to_torch(module)) == repr(ref)


def test_alpha_dropout_keeps_mean_and_variance_of_standard_inputs():
    x = np.random.default_rng(8).normal(size=200_000)
    y = F.alpha_dropout(Tensor(x), 0.3, True).data
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.02


@pytest.mark.parametrize(
    "pads", [(1, 2), (0, 1, 2, 0), (-1, 2, 1, -1), (1, 1, 1, 1, 1, 1), (0, 0), (-2, -1)]
)
@pytest.mark.parametrize("value", [0.0, -1.5])
def test_pad(pads, value):
    a, t = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    grads_match(F.pad(a, pads, value=value), TF.pad(t, pads, value=value), [(a, t)])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.pad(Tensor(X), (1,)), ValueError, "even length"),
        (lambda: F.pad(Tensor(X), (1, 1), mode="wrap"), ValueError, "constant"),
        (lambda: F.pad(Tensor(X), (1,) * 8), ValueError, "too large"),
        (lambda: F.pad(Tensor(X), (-3, -2)), ValueError, "padded size"),
        (lambda: F.pad(Tensor(X), (1.0, 1)), TypeError, "pad"),
        (lambda: nn.RMSNorm(0), ValueError, "normalized_shape"),
        (lambda: nn.RMSNorm(5, eps=-1.0), ValueError, "eps"),
        (lambda: nn.RMSNorm(5, elementwise_affine=1), TypeError, "elementwise_affine"),
        (lambda: nn.RMSNorm(4)(Tensor(X)), ValueError, "does not end in normalized_shape"),
        (lambda: F.layer_norm(Tensor(X), (3,)), ValueError, "normalized_shape"),
        (lambda: nn.AlphaDropout(1.0), ValueError, "p"),
        (lambda: nn.AlphaDropout(0.5, inplace="no"), TypeError, "inplace"),
        (
            lambda: nn.utils.vector_to_parameters(np.zeros(8), nn.Linear(3, 2).parameters()),
            TypeError,
            "Tensor",
        ),
        (
            lambda: nn.utils.vector_to_parameters(
                Tensor(np.zeros(7)), nn.Linear(3, 2).parameters()
            ),
            ValueError,
            "8",
        ),
        (lambda: nn.utils.parameters_to_vector([]), ValueError, "no parameters"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_parameters_to_vector_and_back_match_torch():
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)).double()
    ours = nn.from_torch(ref)
    v, tv = (
        nn.utils.parameters_to_vector(ours.parameters()),
        torch.nn.utils.parameters_to_vector(ref.parameters()),
    )
    np.testing.assert_array_equal(v.data, tv.detach().numpy())
    (v * np.arange(v.shape[0])).sum().backward()  # differentiable, as torch's
    (tv * torch.arange(tv.shape[0])).sum().backward()
    for p, tp in zip(ours.parameters(), ref.parameters()):
        np.testing.assert_array_equal(p.grad.data, tp.grad.numpy())
    new = np.linspace(-1, 1, v.shape[0])
    nn.utils.vector_to_parameters(Tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new), ref.parameters())
    for (k, a), (k2, b) in zip(ours.state_dict().items(), ref.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(a, b.numpy())


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, w: F.layer_norm(x, (5,), w, w * 2, 1e-3),
        lambda x, w: F.rms_norm(x, (5,), w, 1e-3),
        lambda x, w: F.pad(x * w, (1, -1, 2, 0), value=0.3),
    ],
)
def test_compositions_pass_gradcheck(fn):
    x = Tensor(X[0], requires_grad=True)
    w = Tensor(np.linspace(0.5, 1.5, 5), requires_grad=True)
    assert autograd.gradcheck(fn, [x, w], eps=1e-6, atol=1e-6)
