"""nn.LPPool1d/2d/3d, nn.MaxUnpool1d/2d/3d, nn.FractionalMaxPool2d/3d, nn.Softmax2d,
nn.ChannelShuffle and their functions (with F.max_pool*d_with_indices and
F.adaptive_max_pool*d_with_indices) against torch in float64: outputs, indices, input
gradients, odd sizes, ceil_mode, padding, output_size, repeated indices, the same
random windows for the same samples (and the same generator seed), reprs and torch's
errors."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _compare(ours_fn, torch_fn, x, rtol=1e-12, atol=1e-14, grad=True):
    """ours_fn(Tensor) and torch_fn(tensor) on x: values and input gradients."""
    a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours_fn(a), torch_fn(t)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=rtol, atol=atol)
    if grad:
        g = np.random.default_rng(99).normal(size=ty.shape)
        (y * Tensor(g)).sum().backward()
        ty.backward(torch.from_numpy(g))
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=rtol, atol=atol)
    return y, ty


# --- LPPool --------------------------------------------------------------------------

LP_CASES = [
    (1, (2, 3, 7), 3, None, False),
    (1, (3, 8), 2, 3, True),
    (2, (2, 2, 5, 7), 3, None, False),
    (2, (2, 2, 5, 7), (2, 3), (2, 1), True),
    (2, (3, 4, 4), 2, 1, False),
    (3, (1, 2, 4, 5, 3), 2, None, True),
    (3, (2, 3, 3, 3), (1, 2, 3), 1, False),
]


@pytest.mark.parametrize("p", [1, 2, 3.5, math.inf, -math.inf])
@pytest.mark.parametrize("d, shape, kernel, stride, ceil_mode", LP_CASES)
def test_lp_pool_matches_torch(d, shape, kernel, stride, ceil_mode, p):
    x = np.random.default_rng(0).uniform(0.2, 2.0, shape)  # x^p defined for every p
    ours = getattr(nn, f"LPPool{d}d")(p, kernel, stride, ceil_mode)
    theirs = getattr(torch.nn, f"LPPool{d}d")(p, kernel, stride, ceil_mode)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, x, rtol=1e-11)


@pytest.mark.filterwarnings("ignore:invalid value encountered in power:RuntimeWarning")
def test_lp_pool_signs_zeros_and_float32():
    """Negative sums give NaN (x^(1/p) of a negative), zero windows a zero gradient,
    as torch's formula."""
    x = np.random.default_rng(1).normal(size=(2, 3, 6, 6))
    x[0, 0, :2, :2] = 0
    for p in (1, 2, 3):
        a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = F.lp_pool2d(a, p, 2), TF.lp_pool2d(t, p, 2)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, equal_nan=True)
        y.sum().backward(), ty.sum().backward()
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-10, equal_nan=True)
    x32 = np.abs(x).astype(np.float32)
    y = F.lp_pool1d(Tensor(x32[0]), 2, 3, 2, ceil_mode=True)
    assert y.dtype == np.float32
    ref = TF.lp_pool1d(torch.from_numpy(x32[0]), 2, 3, 2, ceil_mode=True).numpy()
    np.testing.assert_allclose(y.data, ref, rtol=1e-6)


# --- max pooling with indices, max unpooling ----------------------------------------


@pytest.mark.parametrize(
    "d, shape, kernel, stride, padding, ceil_mode",
    [
        (1, (2, 3, 9), 3, 2, 1, True),
        (1, (3, 7), 2, None, 0, False),
        (2, (2, 2, 7, 6), (3, 2), (2, 1), (1, 0), True),
        (2, (3, 5, 5), 2, None, 0, False),
        (3, (1, 2, 5, 4, 6), 2, (2, 1, 2), 1, False),
        (3, (2, 3, 4, 5), 3, 2, 1, True),
    ],
)
def test_max_pool_with_indices_then_unpool_match_torch(
    d, shape, kernel, stride, padding, ceil_mode
):
    x = np.random.default_rng(2).normal(size=shape)
    x.reshape(-1)[::5] = 0.5  # ties: the first maximum wins, as torch's
    a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, idx = getattr(F, f"max_pool{d}d_with_indices")(a, kernel, stride, padding, 1, ceil_mode)
    ty, tidx = getattr(TF, f"max_pool{d}d_with_indices")(t, kernel, stride, padding, 1, ceil_mode)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    ours = getattr(nn, f"MaxUnpool{d}d")(kernel, stride, padding)
    theirs = getattr(torch.nn, f"MaxUnpool{d}d")(kernel, stride, padding)
    assert repr(ours) == repr(theirs)
    size = x.shape[-d:]  # the pooled input's size: within a stride of the default
    sizes = [size, (*x.shape[: x.ndim - d], *size)] if x.ndim == d + 2 else [size]
    default = [(o - 1) * s - 2 * p + k for o, s, p, k in zip(ty.shape[-d:], ours.stride,
               ours.padding, ours.kernel_size, strict=True)]  # fmt: skip
    if tuple(default) == size:  # else it would not hold every index
        sizes.append(None)
    for output_size in sizes:
        z, tz = ours(y, idx, output_size), theirs(ty, tidx, output_size)
        np.testing.assert_array_equal(z.data, tz.detach().numpy())
    # gradients through unpooling and pooling back to x (overlapping windows repeat
    # indices: each copy gets the gradient, as torch's)
    g = np.random.default_rng(3).normal(size=tz.shape)
    (z * Tensor(g)).sum().backward()
    tz.backward(torch.from_numpy(g))
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-12)


def test_max_unpool_repeated_indices_and_gradients_match_torch():
    rng = np.random.default_rng(4)
    v = rng.normal(size=(2, 3, 2, 2))
    idx = np.array([0, 4, 4, 8]).reshape(2, 2)[None, None].repeat(2, 0).repeat(3, 1)
    a, t = Tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    z = F.max_unpool2d(a, Tensor(idx), 2, 1)
    tz = TF.max_unpool2d(t, torch.from_numpy(idx), 2, 1)
    np.testing.assert_array_equal(z.data, tz.detach().numpy())  # the later value stays
    g = rng.normal(size=tz.shape)
    (z * Tensor(g)).sum().backward()
    tz.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(a.grad.data, t.grad.numpy())


def test_max_unpool_float32_unbatched_and_empty_batch():
    x = np.random.default_rng(5).normal(size=(3, 6, 6)).astype(np.float32)
    y, idx = F.max_pool2d(Tensor(x), 2, return_indices=True)
    z = F.max_unpool2d(y, idx, 2)
    assert z.dtype == np.float32 and z.shape == (3, 6, 6)
    ty, tidx = TF.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    np.testing.assert_array_equal(z.data, TF.max_unpool2d(ty, tidx, 2).numpy())
    empty = F.max_unpool2d(
        Tensor(np.zeros((0, 3, 2, 2))), Tensor(np.zeros((0, 3, 2, 2), np.int64)), 2
    )
    assert empty.shape == (0, 3, 4, 4)
    no_channel = np.zeros((0, 2, 2))  # unbatched, no channel: torch unpools it too
    assert F.max_unpool2d(Tensor(no_channel), Tensor(no_channel.astype(np.int64)), 2).shape == (
        0, 4, 4,
    )  # fmt: skip


def test_max_unpool_errors_as_torch():
    x = np.random.default_rng(6).normal(size=(2, 3, 5, 5))
    y, idx = F.max_pool2d(Tensor(x), 2, return_indices=True)
    ty, tidx = TF.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    cases = [
        (lambda f, o, i: f.max_unpool2d(o, i, 2, output_size=(7, 7)), ValueError),
        (lambda f, o, i: f.max_unpool2d(o, i, 2, output_size=(5,)), ValueError),
        (lambda f, o, i: f.max_unpool2d(o, i, 1, stride=1, padding=3), ValueError),
        (lambda f, o, i: f.max_unpool2d(o, i + 100, 2), RuntimeError),
        (lambda f, o, i: f.max_unpool2d(o, i[..., :1], 2), RuntimeError),
        (lambda f, o, i: f.max_unpool2d(o[0, 0], i[0, 0], 2), RuntimeError),
        (lambda f, o, i: f.max_unpool1d(o[0], i[0], 2), RuntimeError),
        (lambda f, o, i: f.max_unpool3d(o[0], i[0], 2), RuntimeError),
        (lambda f, o, i: f.max_unpool2d(o[:, :, :0], i[:, :, :0], 2), RuntimeError),
        (lambda f, o, i: f.max_unpool2d(o[:, :0], i[:, :0], 2), RuntimeError),
        (lambda f, o, i: f.max_unpool3d(o[:, :0, None], i[:, :0, None], 2), RuntimeError),
    ]
    for call, error in cases:
        with pytest.raises(error) as ours:
            call(F, y, idx)
        with pytest.raises(error) as theirs:
            call(TF, ty, tidx)
        # which invalid index torch names first depends on its threads' order
        invalid = re.compile(r"invalid max index: \d+")
        assert invalid.sub("", str(ours.value)) == invalid.sub("", str(theirs.value))
    with pytest.raises(RuntimeError, match="should be type int64 but got: Int"):
        F.max_unpool2d(y, Tensor(idx.data.astype(np.int32)), 2)


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("unbatched", [False, True])
def test_adaptive_max_pool_with_indices_match_torch(d, unbatched):
    shape = (2, 3, 7, 5, 6)[: d + 2][int(unbatched) :]
    x = np.random.default_rng(7).normal(size=shape)
    out = (3, 2, 4)[:d]
    y, idx = getattr(F, f"adaptive_max_pool{d}d_with_indices")(Tensor(x), out)
    ty, tidx = getattr(TF, f"adaptive_max_pool{d}d_with_indices")(torch.from_numpy(x), out)
    np.testing.assert_array_equal(y.data, ty.numpy())
    np.testing.assert_array_equal(idx.data, tidx.numpy())


# --- fractional max pooling ----------------------------------------------------------

FRACTIONAL = [
    (2, (2, 3, 7, 9), (2, 3), {"output_size": (4, 5)}),
    (2, (3, 8, 6), 2, {"output_size": (5, 3)}),
    (2, (2, 2, 9, 8), 3, {"output_ratio": (0.5, 0.7)}),
    (2, (1, 2, 5, 5), 2, {"output_size": 1}),
    (2, (1, 2, 4, 4), 1, {"output_size": 4}),
    (3, (2, 2, 5, 6, 7), (2, 2, 3), {"output_size": (3, 4, 3)}),
    (3, (2, 6, 5, 4), 2, {"output_ratio": 0.6}),
    (3, (1, 1, 4, 3, 3), (3, 2, 1), {"output_size": (1, 1, 2)}),
]


@pytest.mark.parametrize("d, shape, kernel, options", FRACTIONAL)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fractional_max_pool_matches_torch(d, shape, kernel, options, dtype):
    rng = np.random.default_rng(8)
    x = rng.normal(size=shape).astype(dtype)
    x.reshape(-1)[::7] = 0.25  # ties
    batch = shape[0] if len(shape) == d + 2 else 1
    samples = rng.random((batch, shape[-d - 1], d)).astype(dtype)
    ours = getattr(nn, f"FractionalMaxPool{d}d")(
        kernel, return_indices=True, _random_samples=samples, **options
    )
    theirs = getattr(torch.nn, f"FractionalMaxPool{d}d")(
        kernel, return_indices=True, _random_samples=torch.from_numpy(samples), **options
    )
    a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (y, idx), (ty, tidx) = ours(a), theirs(t)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    g = rng.normal(size=ty.shape).astype(dtype)
    (y * Tensor(g)).sum().backward()
    ty.backward(torch.from_numpy(g))
    # overlapping windows add up gradients: numpy adds float32 ones in float64
    rtol = 1e-6 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=rtol, atol=rtol)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]


def test_fractional_max_pool_draws_torchs_samples_for_the_same_seed():
    x = np.random.default_rng(9).normal(size=(3, 2, 11, 10))
    autograd.manual_seed(5)
    torch.manual_seed(5)
    for _ in range(2):  # new windows at each call, the same on both sides
        y, idx = F.fractional_max_pool2d(Tensor(x), 2, output_ratio=0.5, return_indices=True)
        ty, tidx = TF.fractional_max_pool2d(
            torch.from_numpy(x), 2, output_ratio=(0.5, 0.5), return_indices=True
        )
        np.testing.assert_array_equal(idx.data, tidx.numpy())
        np.testing.assert_array_equal(y.data, ty.numpy())
    y3 = F.fractional_max_pool3d(Tensor(x), (1, 2, 3), output_size=(1, 3, 4))  # (C, T, H, W)
    ty3 = TF.fractional_max_pool3d(torch.from_numpy(x), (1, 2, 3), output_size=(1, 3, 4))
    np.testing.assert_array_equal(y3.data, ty3.numpy())


def test_fractional_max_pool_nan_goes_to_the_last():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    x[0, 0, 1, 1] = x[0, 0, 2, 2] = np.nan
    s = np.full((1, 1, 2), 0.3)
    y, idx = F.fractional_max_pool2d(Tensor(x), 3, 2, return_indices=True, _random_samples=s)
    ty, tidx = TF.fractional_max_pool2d(
        torch.from_numpy(x), 3, 2, return_indices=True, _random_samples=torch.from_numpy(s)
    )
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    np.testing.assert_array_equal(y.data, ty.numpy())


def test_fractional_max_pool_errors_as_torch():
    x = np.random.default_rng(10).normal(size=(2, 3, 5, 6))
    a, t = Tensor(x), torch.from_numpy(x)
    rand = np.random.default_rng(11).random
    calls = [
        lambda f, v, s: f.fractional_max_pool2d(v, 2),
        lambda f, v, s: f.fractional_max_pool2d(v, 2, output_size=5),
        lambda f, v, s: f.fractional_max_pool2d(v, (2, 3), output_size=(3, 5)),
        lambda f, v, s: f.fractional_max_pool2d(v, 2, output_size=3, _random_samples=s(2, 3, 3)),
        lambda f, v, s: f.fractional_max_pool2d(v, 2, output_size=3, _random_samples=s(1, 3, 2)),
        lambda f, v, s: f.fractional_max_pool2d(v, 2, output_size=3, _random_samples=s(2, 2, 2)),
        lambda f, v, s: f.fractional_max_pool2d(v, 2, output_size=3, _random_samples=s(2, 3)),
        lambda f, v, s: f.fractional_max_pool3d(v, 2, output_size=(2, 3, 6)),
        lambda f, v, s: f.fractional_max_pool3d(v, 1, output_size=(2, 5, 1)),  # strict in 3-d
        lambda f, v, s: f.fractional_max_pool3d(v, (1, 2, 2), output_size=(2, 3, 5)),
    ]
    for call in calls:
        with pytest.raises((ValueError, RuntimeError)) as ours:
            call(F, a, lambda *shape: rand(shape))
        with pytest.raises((ValueError, RuntimeError)) as theirs:
            call(TF, t, lambda *shape: torch.from_numpy(rand(shape)))
        assert type(ours.value) is type(theirs.value) or isinstance(ours.value, RuntimeError)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="same dtype as input"):
        F.fractional_max_pool2d(a, 2, output_size=3, _random_samples=rand((2, 3, 2)).astype("f"))
    for cls in ("FractionalMaxPool2d", "FractionalMaxPool3d"):
        for kwargs in ({}, {"output_size": 3, "output_ratio": 0.5}, {"output_ratio": 1.5}):
            with pytest.raises(ValueError) as ours:
                getattr(nn, cls)(2, **kwargs)
            with pytest.raises(ValueError) as theirs:
                getattr(torch.nn, cls)(2, **kwargs)
            assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="kernel_size must be greater than 0, but got 0"):
        nn.FractionalMaxPool3d(0, output_size=3)


# --- Softmax2d, ChannelShuffle -------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 4, 3, 5), (3, 1, 2), (1, 1, 1, 1)])
def test_softmax2d_matches_torch(shape):
    x = np.random.default_rng(12).normal(size=shape) * 3
    _compare(nn.Softmax2d(), torch.nn.Softmax2d(), x, rtol=1e-12, atol=1e-15)
    assert repr(nn.Softmax2d()) == repr(torch.nn.Softmax2d())
    with pytest.raises(ValueError, match="expected input to be 3D or 4D, got 2D instead"):
        nn.Softmax2d()(Tensor(np.zeros((3, 4))))


@pytest.mark.parametrize(
    "shape, groups", [((2, 6, 3), 3), ((2, 6, 2, 2), 2), ((1, 4, 3, 1, 2), 4), ((2, 5, 3), 1)]
)
def test_channel_shuffle_matches_torch(shape, groups):
    x = np.random.default_rng(13).normal(size=shape)
    ours, theirs = nn.ChannelShuffle(groups), torch.nn.ChannelShuffle(groups)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, x)


def test_channel_shuffle_edges_and_errors_as_torch():
    ints = np.arange(24).reshape(2, 6, 2)
    np.testing.assert_array_equal(
        F.channel_shuffle(Tensor(ints), 2).data, TF.channel_shuffle(torch.from_numpy(ints), 2)
    )
    assert F.channel_shuffle(Tensor(np.zeros((0, 4, 2))), 2).shape == (0, 4, 2)
    for args in (((2, 3, 4), 2), ((2, 3, 4), 0), ((5,), 1), ((3, 5, 5), 3)):
        shape, groups = args
        with pytest.raises(RuntimeError) as ours:
            F.channel_shuffle(Tensor(np.zeros(shape)), groups)
        with pytest.raises(RuntimeError) as theirs:
            TF.channel_shuffle(torch.zeros(shape), groups)
        assert str(ours.value) == str(theirs.value)


def test_fractional_max_pool_empty_batch_and_empty_dims_as_torch():
    y, idx = F.fractional_max_pool2d(
        Tensor(np.zeros((0, 3, 4, 4))), 2, output_size=2, return_indices=True
    )
    assert y.shape == idx.shape == (0, 3, 2, 2)
    assert F.fractional_max_pool2d(Tensor(np.zeros((2, 3, 4, 4))), 2, output_size=(0, 2)).shape == (
        2, 3, 0, 2,
    )  # fmt: skip
    for d, shape in (
        (2, (2, 0, 4, 4)),
        (2, (2, 3, 0, 4)),
        (3, (2, 0, 4, 4, 4)),
        (2, (1, 2, 3, 4, 4)),
    ):
        ours, theirs = (
            getattr(f, f"fractional_max_pool{d}d") for f in (F, TF)
        )  # fmt: skip
        with pytest.raises(RuntimeError) as mine:
            ours(Tensor(np.zeros(shape)), 2, output_size=2)
        with pytest.raises(RuntimeError) as ref:
            theirs(torch.zeros(shape), 2, output_size=2)
        assert str(mine.value) == str(ref.value)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda x: F.lp_pool2d(x, 3, 2, 1), lambda x: TF.lp_pool2d(x, 3, 2, 1)),
        (lambda x: F.local_response_norm(x, 3, 0.1), lambda x: TF.local_response_norm(x, 3, 0.1)),
        (
            lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, 1, return_indices=True), 2, 1) ** 2,
            lambda x: TF.max_unpool2d(*TF.max_pool2d(x, 2, 1, return_indices=True), 2, 1) ** 2,
        ),
        (
            lambda x: (
                F.fractional_max_pool2d(x, 2, 3, _random_samples=np.full((2, 2, 2), 0.4)) ** 3
            ),
            lambda x: (
                TF.fractional_max_pool2d(
                    x, 2, 3, _random_samples=torch.full((2, 2, 2), 0.4, dtype=torch.float64)
                )
                ** 3
            ),
        ),
    ],
    ids=["lp_pool2d", "local_response_norm", "max_unpool2d", "fractional_max_pool2d"],
)
def test_second_derivatives_match_torch(ours, theirs):
    x = np.random.default_rng(15).uniform(0.2, 2.0, (2, 2, 5, 4))
    a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ga,) = autograd.grad((ours(a) ** 2).sum(), a, create_graph=True)
    (gt,) = torch.autograd.grad((theirs(t) ** 2).sum(), t, create_graph=True)
    np.testing.assert_allclose(ga.data, gt.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(16).normal(size=x.shape)
    (gga,) = autograd.grad((ga * Tensor(w)).sum(), a)
    (ggt,) = torch.autograd.grad((gt * torch.from_numpy(w)).sum(), t)
    np.testing.assert_allclose(gga.data, ggt.numpy(), rtol=1e-9, atol=1e-11)


def test_integer_inputs_are_refused_as_torch():
    """torch refuses integer values for unpooling and fractional pooling (its
    NotImplementedError, a RuntimeError); so do these, naming the op and the dtype."""
    x = np.ones((1, 1, 2, 2), np.int64)
    tf = torch.nn.functional
    cases = {
        "max_unpool2d": (
            lambda: F.max_unpool2d(Tensor(x), Tensor(np.zeros_like(x)), 2),
            lambda: tf.max_unpool2d(torch.tensor(x), torch.zeros_like(torch.tensor(x)), 2),
        ),
        "fractional_max_pool2d": (
            lambda: F.fractional_max_pool2d(Tensor(x), 2, output_size=1),
            lambda: tf.fractional_max_pool2d(torch.tensor(x), 2, output_size=1),
        ),
    }
    for name, (ours, theirs) in cases.items():
        with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
            theirs()
        with pytest.raises(RuntimeError, match=f'"{name}" not implemented for int64'):
            ours()
