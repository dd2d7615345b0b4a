"""`nn.functional.interpolate`, `pixel_shuffle`, `pixel_unshuffle`, `nn.Upsample`,
`UpsamplingNearest2d/Bilinear2d`, `PixelShuffle/Unshuffle` and the padding modules
against torch in float64: values, input gradients, reprs and errors; gradcheck of the
composed forms."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

SIZES = [
    {"size": 8},
    {"size": 2},
    {"scale_factor": 2},
    {"scale_factor": 1.2},
    {"scale_factor": 0.7},
    {"scale_factor": 2.5},
    {"scale_factor": 3},
    {"scale_factor": 1.7, "recompute_scale_factor": True},
]
SHAPES = {1: (2, 3, 5), 2: (1, 2, 4, 7), 3: (1, 2, 3, 4, 5)}
LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}
CASES = [
    (d, mode, kw, corners)
    for d in (1, 2, 3)
    for mode in ("nearest", "nearest-exact", "area", LINEAR[d], *(("bicubic",) if d == 2 else ()))
    for kw in SIZES
    for corners in ((None,) if mode in ("nearest", "nearest-exact", "area") else (False, True))
]


def _both(fn_ours, fn_torch, x, upstream_seed=1):
    """Our output and input gradient, and torch's, for an upstream gradient drawn once."""
    xt = torch.tensor(x, requires_grad=True)
    expected = fn_torch(xt)
    upstream = np.random.default_rng(upstream_seed).normal(size=tuple(expected.shape))
    (expected * torch.tensor(upstream)).sum().backward()
    xo = Tensor(x, requires_grad=True)
    got = fn_ours(xo)
    (got * Tensor(upstream)).sum().backward()
    return (got.data, xo.grad.data), (expected.detach().numpy(), xt.grad.numpy())


def _vjp_of_forward(fn_torch, x, upstream_seed=1):
    """upstream . J with J read off torch's forward, one unit input at a time."""
    columns = [fn_torch(torch.tensor(e.reshape(x.shape))).numpy() for e in np.eye(x.size)]
    upstream = np.random.default_rng(upstream_seed).normal(size=columns[0].shape)
    return np.array([(c * upstream).sum() for c in columns]).reshape(x.shape)


@pytest.mark.parametrize("d, mode, kw, corners", CASES)
def test_interpolate_matches_torch(d, mode, kw, corners):
    x = np.random.default_rng(0).normal(size=SHAPES[d])
    ours, theirs = _both(
        lambda t: nn.functional.interpolate(t, mode=mode, align_corners=corners, **kw),
        lambda t: TF.interpolate(t, mode=mode, align_corners=corners, **kw),
        x,
    )
    assert ours[0].shape == theirs[0].shape
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    if mode.startswith("nearest"):
        # torch's nearest backward copies a dim of unchanged size even where its
        # forward reads it at scale 1 / scale_factor (3-d, scale_factor 1.2): the
        # gradient is checked against torch's forward instead
        expected = _vjp_of_forward(lambda t: TF.interpolate(t, mode=mode, **kw), x)
        np.testing.assert_allclose(ours[1], expected, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "kw",
    [
        {"size": (3, 9), "mode": "nearest"},
        {"scale_factor": (2, 0.5), "mode": "bilinear", "align_corners": True},
        {"size": 5, "mode": "bilinear"},
        {"scale_factor": 1.5, "mode": "bilinear"},
    ],
)
def test_interpolate_in_float32_matches_torch(kw):
    x = np.random.default_rng(4).normal(size=(2, 3, 6, 5)).astype(np.float32)
    got = nn.functional.interpolate(Tensor(x), **kw)
    expected = TF.interpolate(torch.tensor(x), **kw).numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.data, expected, rtol=1e-6, atol=1e-6)


def test_pixel_shuffle_and_unshuffle_match_torch():
    x = np.random.default_rng(0).normal(size=(2, 1, 8, 3, 4))
    for ours_fn, torch_fn, factor in (
        (nn.functional.pixel_shuffle, TF.pixel_shuffle, 2),
        (nn.functional.pixel_unshuffle, TF.pixel_unshuffle, 1),
    ):
        ours, theirs = _both(
            lambda t, f=ours_fn, r=factor: f(t, r), lambda t, f=torch_fn, r=factor: f(t, r), x
        )
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])
    y = np.random.default_rng(1).normal(size=(3, 2, 6, 9))
    ours, theirs = _both(
        lambda t: nn.functional.pixel_unshuffle(t, 3), lambda t: TF.pixel_unshuffle(t, 3), y
    )
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
    back = nn.functional.pixel_shuffle(nn.functional.pixel_unshuffle(Tensor(y), 3), 3)
    np.testing.assert_array_equal(back.data, y)


MODULES = [
    ("Upsample", {"scale_factor": 2}, (2, 3, 4, 5)),
    ("Upsample", {"size": (3, 7), "mode": "bilinear"}, (2, 3, 4, 5)),
    ("Upsample", {"scale_factor": (2.0, 1.5, 1.0), "mode": "trilinear"}, (1, 2, 3, 4, 2)),
    ("Upsample", {"size": 9, "mode": "linear", "align_corners": True}, (2, 3, 4)),
    ("Upsample", {"scale_factor": 2, "mode": "bicubic", "align_corners": True}, (1, 2, 3, 4)),
    ("UpsamplingNearest2d", {"scale_factor": 3}, (1, 2, 3, 4)),
    ("UpsamplingBilinear2d", {"size": (5, 6)}, (1, 2, 3, 4)),
    ("PixelShuffle", {"upscale_factor": 2}, (2, 8, 3, 3)),
    ("PixelUnshuffle", {"downscale_factor": 2}, (2, 2, 4, 6)),
    ("ZeroPad1d", {"padding": (1, 2)}, (2, 3, 4)),
    ("ZeroPad2d", {"padding": (1, 2, 0, 3)}, (2, 3, 4, 5)),
    ("ZeroPad3d", {"padding": 1}, (1, 2, 3, 4, 2)),
    ("ConstantPad1d", {"padding": 2, "value": 3.5}, (3, 4)),
    ("ConstantPad2d", {"padding": (1, 0, 2, 1), "value": -1.0}, (2, 3, 4, 5)),
    ("ConstantPad3d", {"padding": (1, 0, 0, 1, 2, 0), "value": 0.5}, (2, 3, 4, 2)),
    ("ReflectionPad1d", {"padding": (3, 1)}, (2, 3, 5)),
    ("ReflectionPad2d", {"padding": 2}, (2, 3, 4, 5)),
    ("ReflectionPad3d", {"padding": (1, 0, 1, 2, 0, 1)}, (1, 2, 3, 4, 3)),
    ("ReplicationPad1d", {"padding": (0, 4)}, (2, 3, 5)),
    ("ReplicationPad2d", {"padding": (1, 2, 3, 0)}, (3, 4, 5)),
    ("ReplicationPad3d", {"padding": 2}, (1, 2, 3, 4, 3)),
    ("CircularPad1d", {"padding": (2, 1)}, (2, 3, 5)),
    ("CircularPad2d", {"padding": 1}, (2, 3, 4, 5)),
    ("CircularPad3d", {"padding": (1, 1, 0, 2, 1, 0)}, (1, 2, 3, 4, 3)),
]


@pytest.mark.parametrize("name, kwargs, shape", MODULES)
def test_modules_match_torch(name, kwargs, shape):
    ours_m, torch_m = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours_m) == repr(torch_m)
    x = np.random.default_rng(0).normal(size=shape)
    ours, theirs = _both(ours_m, torch_m, x)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda F, x: F.interpolate(x(1, 2, 4), size=3, scale_factor=2),
        lambda F, x: F.interpolate(x(1, 2, 4)),
        lambda F, x: F.interpolate(x(1, 2, 4), size=(2, 2)),
        lambda F, x: F.interpolate(x(1, 2, 4), scale_factor=(2, 2)),
        lambda F, x: F.interpolate(x(1, 2, 4), size=(2.5,)),
        lambda F, x: F.interpolate(x(1, 2, 4), size=3, align_corners=True),
        lambda F, x: F.interpolate(x(1, 2, 4), size=3, recompute_scale_factor=True),
        lambda F, x: F.interpolate(x(1, 2, 4, 4), size=3, mode="cubic"),
        lambda F, x: F.interpolate(x(1, 2, 4), size=3, mode="bilinear"),
        lambda F, x: F.interpolate(x(2, 4), size=3),
        lambda F, x: F.pixel_shuffle(x(3, 4), 2),
        lambda F, x: F.pixel_shuffle(x(1, 6, 2, 2), 2),
        lambda F, x: F.pixel_unshuffle(x(1, 1, 5, 4), 2),
        lambda F, x: F.pixel_unshuffle(x(1, 1, 4, 5), 2),
    ],
)
def test_errors_as_torch(call):
    def tensor_of(lib):
        return lambda *shape: torch.zeros(shape) if lib is torch else Tensor(np.zeros(shape))

    with pytest.raises((ValueError, RuntimeError, TypeError)) as theirs:
        call(TF, tensor_of(torch))
    with pytest.raises((ValueError, RuntimeError, TypeError)) as ours:
        call(nn.functional, tensor_of(nn))
    # torch's NotImplementedError for an input of the wrong rank for the mode is a
    # RuntimeError (its base class), which ours raises: the input is invalid, not a
    # case left unwritten, and `except RuntimeError` catches both alike.
    expected = RuntimeError if type(theirs.value) is NotImplementedError else type(theirs.value)
    assert type(ours.value) is expected
    first = str(theirs.value).split(",")[0].split(" (")[0]
    assert first[:30] in str(ours.value)


def test_circular_pad_checks_the_input_dims_as_torch():
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        nn.CircularPad2d(1)(Tensor(np.zeros((3, 4))))


def test_deprecated_upsample_names_warn_and_match_torch():
    x = np.random.default_rng(0).normal(size=(1, 2, 3, 4))
    for name, kw in (
        ("upsample", {"scale_factor": 2, "mode": "bilinear"}),
        ("upsample_nearest", {"size": (5, 5)}),
        ("upsample_bilinear", {"scale_factor": 2}),
    ):
        with pytest.warns(UserWarning, match="deprecated"):
            got = getattr(nn.functional, name)(Tensor(x), **kw)
        with pytest.warns(UserWarning):
            expected = getattr(TF, name)(torch.tensor(x), **kw).numpy()
        np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda t: nn.functional.interpolate(t, scale_factor=1.7, mode="linear"), (2, 2, 4)),
        (lambda t: nn.functional.interpolate(t, size=(3, 5), mode="bilinear"), (1, 2, 4, 3)),
        (
            lambda t: nn.functional.interpolate(t, size=3, mode="trilinear", align_corners=True),
            (1, 1, 2, 4, 3),
        ),
        (lambda t: nn.functional.interpolate(t, scale_factor=2.5), (1, 2, 3, 2)),
        (lambda t: nn.functional.interpolate(t, size=(2, 3), mode="area"), (1, 2, 5, 4)),
        (lambda t: nn.functional.interpolate(t, scale_factor=1.6, mode="bicubic"), (1, 1, 3, 4)),
        (
            lambda t: nn.functional.interpolate(t, size=(2, 3), mode="bilinear", antialias=True),
            (1, 1, 5, 7),
        ),
        (lambda t: nn.functional.pixel_shuffle(t, 2), (1, 8, 2, 3)),
        (lambda t: nn.functional.pixel_unshuffle(t, 2), (2, 1, 4, 2)),
    ],
)
def test_gradcheck(fn, shape):
    x = Tensor(np.random.default_rng(0).normal(size=shape), requires_grad=True)
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "nearest"])
def test_non_finite_values_stay_where_torch_puts_them(mode):
    x = np.random.default_rng(0).normal(size=(1, 1, 4, 5))
    x[0, 0, 1, 2], x[0, 0, 3, 0] = np.inf, np.nan
    got = nn.functional.interpolate(Tensor(x), size=(7, 9), mode=mode).data
    expected = TF.interpolate(torch.tensor(x), size=(7, 9), mode=mode).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize(
    "kw",
    [
        {"size": (4, 5)},
        {"scale_factor": 0.4},
        {"size": (9, 12)},
        {"size": (4, 5), "align_corners": True},
        {"scale_factor": (0.5, 1.5)},
    ],
)
def test_antialias_matches_torch(mode, kw):
    x = np.random.default_rng(5).normal(size=(2, 3, 9, 11))
    ours, theirs = _both(
        lambda t: nn.functional.interpolate(t, mode=mode, antialias=True, **kw),
        lambda t: TF.interpolate(t, mode=mode, antialias=True, **kw),
        x,
    )
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12)


def test_antialias_needs_bilinear_or_bicubic_as_torch():
    for lib, x in ((TF, torch.zeros(1, 1, 4, 4)), (nn.functional, Tensor(np.zeros((1, 1, 4, 4))))):
        with pytest.raises(ValueError, match="Anti-alias option is restricted"):
            lib.interpolate(x, size=2, mode="nearest", antialias=True)
