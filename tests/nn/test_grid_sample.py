"""`F.affine_grid` and `F.grid_sample` compared with torch in float64: values and the
gradients of input, grid and theta, for every mode, padding mode and align_corners, on
random positions (many outside), positions exactly on pixel centres, on the borders and
on the reflection points, size-1 and odd sizes, float32, empty batches, and torch's
errors."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

MODES_4D = ["bilinear", "nearest", "bicubic"]
PADDINGS = ["zeros", "border", "reflection"]


def _compare(x, g, mode, padding, aligned, rtol=1e-12, atol=1e-12, seed=0):
    """Values and gradients (of input and grid) of a weighted sum, ours against torch's."""
    a, b = Tensor(x.copy(), requires_grad=True), Tensor(g.copy(), requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
    out = F.grid_sample(a, b, mode, padding, aligned)
    expected = TF.grid_sample(ta, tb, mode, padding, aligned)
    assert out.shape == tuple(expected.shape) and out.dtype == x.dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(seed).normal(size=out.shape).astype(x.dtype)
    (out * Tensor(w)).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=rtol, atol=atol * 10)


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", MODES_4D)
def test_grid_sample_4d_random_positions(mode, padding, aligned):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 5, 7))
    g = rng.uniform(-2.5, 2.5, size=(2, 4, 6, 2))  # many positions outside, several times
    _compare(x, g, mode, padding, aligned)


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_5d_random_positions(mode, padding, aligned):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 2, 3, 4, 5))
    g = rng.uniform(-1.8, 1.8, size=(2, 3, 2, 4, 3))
    _compare(x, g, mode, padding, aligned)


def _special_positions(n: int) -> np.ndarray:
    """Normalized positions of every pixel centre and edge for both conventions, the
    borders, and past them by whole and half pixels."""
    centres_aligned = np.linspace(-1, 1, n) if n > 1 else np.zeros(1)
    centres = (2 * np.arange(n) + 1) / n - 1
    edges = 2 * np.arange(n + 1) / n - 1
    outside = np.array([-3.0, -2.0, -1.5, -1.0, 1.0, 1.5, 2.0, 3.0, -1 - 1 / n, 1 + 1 / n])
    return np.unique(np.concatenate([centres_aligned, centres, edges, outside]))


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", MODES_4D)
@pytest.mark.parametrize("size", [(1, 1), (1, 4), (3, 5)])
def test_grid_sample_positions_on_centres_borders_and_reflection_points(
    mode, padding, aligned, size
):
    h, w = size
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 2, h, w))
    xs, ys = _special_positions(w), _special_positions(h)
    pairs = np.array(list(itertools.product(ys, xs)))[:, ::-1]  # (x, y)
    g = np.ascontiguousarray(pairs).reshape(1, 1, -1, 2)
    _compare(x, g, mode, padding, aligned)


@pytest.mark.parametrize("mode", MODES_4D)
def test_grid_sample_float32(mode):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3, 6, 5)).astype(np.float32)
    g = rng.uniform(-1.2, 1.2, size=(2, 3, 3, 2)).astype(np.float32)
    _compare(x, g, mode, "reflection", False, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "x_shape, g_shape",
    [((0, 3, 4, 5), (0, 2, 2, 2)), ((2, 0, 4, 5), (2, 2, 2, 2)), ((2, 3, 4, 5), (2, 0, 3, 2))],
)
def test_grid_sample_empty(x_shape, g_shape):
    x = np.random.default_rng(5).normal(size=x_shape)
    g = np.zeros(g_shape)
    out = F.grid_sample(Tensor(x), Tensor(g), align_corners=False)
    expected = TF.grid_sample(torch.tensor(x), torch.tensor(g), align_corners=False)
    assert out.shape == tuple(expected.shape)


def test_grid_sample_nearest_sends_grid_a_zero_gradient():
    x = Tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
    g = Tensor(np.full((1, 2, 2, 2), 0.2), requires_grad=True)
    F.grid_sample(x, g, "nearest", align_corners=True).sum().backward()
    np.testing.assert_array_equal(g.grad.data, np.zeros((1, 2, 2, 2)))


def test_grid_sample_default_align_corners_warns_and_is_false():
    rng = np.random.default_rng(6)
    x, g = rng.normal(size=(1, 1, 4, 4)), rng.uniform(-1, 1, size=(1, 2, 2, 2))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        out = F.grid_sample(Tensor(x), Tensor(g))
    expected = TF.grid_sample(torch.tensor(x), torch.tensor(g), align_corners=False)
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "x_shape, g_shape, kwargs, error, match",
    [
        ((2, 3, 4, 5), (2, 2, 2, 2), {"mode": "linear"}, ValueError, "expected mode"),
        ((2, 3, 4, 5), (2, 2, 2, 2), {"padding_mode": "wrap"}, ValueError, "padding_mode"),
        ((2, 3, 4, 5), (3, 2, 2, 2), {}, RuntimeError, "same batch size"),
        ((2, 3, 4, 5), (2, 2, 2, 3), {}, RuntimeError, "size 2 in last dimension"),
        ((2, 3, 4, 5, 6), (2, 2, 2, 2, 2), {}, RuntimeError, "size 3 in last dimension"),
        ((2, 3, 4), (2, 2, 1), {}, RuntimeError, "4D or 5D"),
        ((2, 3, 4, 5), (2, 2, 2, 2, 2), {}, RuntimeError, "4D or 5D"),
        ((2, 3, 0, 5), (2, 2, 2, 2), {}, RuntimeError, "non-empty spatial"),
        ((2, 3, 4, 5, 6), (2, 2, 2, 2, 3), {"mode": "bicubic"}, RuntimeError, "bicubic"),
    ],
)
def test_grid_sample_errors_as_torch(x_shape, g_shape, kwargs, error, match):
    x, g = np.zeros(x_shape), np.zeros(g_shape)
    with pytest.raises(error):
        TF.grid_sample(torch.tensor(x), torch.tensor(g), align_corners=False, **kwargs)
    with pytest.raises(error, match=match):
        F.grid_sample(Tensor(x), Tensor(g), align_corners=False, **kwargs)


def test_grid_sample_dtype_errors():
    x = np.zeros((1, 1, 2, 2))
    with pytest.raises(RuntimeError):
        TF.grid_sample(torch.tensor(x), torch.zeros(1, 1, 1, 2), align_corners=False)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.grid_sample(Tensor(x), Tensor(np.zeros((1, 1, 1, 2), np.float32)), align_corners=False)
    with pytest.raises(RuntimeError, match="floating point"):
        F.grid_sample(
            Tensor(np.zeros((1, 1, 2, 2), np.int64)),
            Tensor(np.zeros((1, 1, 1, 2), np.int64)),
            align_corners=False,
        )


# affine_grid


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize(
    "size", [(2, 3, 4, 5), (1, 1, 1, 3), (3, 2, 5, 1), (2, 1, 3, 4, 5), (1, 1, 1, 2, 1)]
)
def test_affine_grid_values_and_theta_gradient(size, aligned):
    d = len(size) - 2
    theta = np.random.default_rng(7).normal(size=(size[0], d, d + 1))
    a, ta = Tensor(theta.copy(), requires_grad=True), torch.tensor(theta, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's unit-size warning, tested below
        out = F.affine_grid(a, size, aligned)
        expected = TF.affine_grid(ta, size, aligned)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
    w = np.random.default_rng(8).normal(size=out.shape)
    (out * Tensor(w)).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_affine_grid_float32_identity_reads_the_input_back():
    theta = np.tile(np.eye(2, 3, dtype=np.float32), (2, 1, 1))
    x = np.random.default_rng(9).normal(size=(2, 3, 4, 6)).astype(np.float32)
    grid = F.affine_grid(Tensor(theta), x.shape, align_corners=False)
    assert grid.dtype == np.float32
    out = F.grid_sample(Tensor(x), grid, align_corners=False)
    np.testing.assert_allclose(out.data, x, rtol=1e-5, atol=1e-6)


def test_spatial_transformer_trains_through_theta_and_input():
    """The spatial transformer tutorial's step: theta from a layer, the grid through
    affine_grid, the image through grid_sample; gradients of both as torch's."""
    rng = np.random.default_rng(10)
    x = rng.normal(size=(3, 1, 7, 6))
    theta = np.eye(2, 3)[None] + rng.normal(size=(3, 2, 3)) * 0.3
    a, t = Tensor(x.copy(), requires_grad=True), Tensor(theta.copy(), requires_grad=True)
    ta, tt = torch.tensor(x, requires_grad=True), torch.tensor(theta, requires_grad=True)
    out = F.grid_sample(a, F.affine_grid(t, a.shape, align_corners=False), align_corners=False)
    expected = TF.grid_sample(
        ta, TF.affine_grid(tt, ta.size(), align_corners=False), align_corners=False
    )
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-11, atol=1e-12)


def test_affine_grid_warnings():
    theta = torch.zeros(1, 2, 3, dtype=torch.float64)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.affine_grid(Tensor(theta.numpy()), (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="unit-size grids"):
        F.affine_grid(Tensor(theta.numpy()), (1, 1, 1, 2), align_corners=True)


@pytest.mark.parametrize(
    "theta_shape, size, dtype, error, match",
    [
        ((2, 2, 3), (2, 3, 4, 5), np.int64, ValueError, "floating point"),
        ((2, 3, 3), (2, 3, 4, 5), np.float64, ValueError, "Nx2x3"),
        ((2, 2, 3), (2, 3, 4, 5, 6), np.float64, ValueError, "Nx3x4"),
        ((2, 2, 3), (2, 3, 0, 5), np.float64, ValueError, "positive output size"),
        ((2, 2, 3), (2, 3, 5), np.float64, RuntimeError, "4D and 5D"),
        ((2, 2, 3), (3, 3, 4, 5), np.float64, RuntimeError, "batch"),
    ],
)
def test_affine_grid_errors_as_torch(theta_shape, size, dtype, error, match):
    theta = np.zeros(theta_shape, dtype=dtype)
    with pytest.raises(error):
        TF.affine_grid(torch.tensor(theta), size, align_corners=False)
    with pytest.raises(error, match=match):
        F.affine_grid(Tensor(theta), size, align_corners=False)


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", MODES_4D)
def test_grid_sample_far_and_non_finite_positions(mode, padding):
    """Huge coordinates as torch's; a position that is not finite reads 0 (nearest) or
    NaN (bilinear, bicubic), without numpy warnings."""
    x = np.random.default_rng(11).normal(size=(1, 2, 3, 4))
    far = np.array([[1e10, 0.0], [0.3, -1e12], [-7.25, 3.5]])
    bad = np.array([[np.nan, 0.0], [np.inf, 0.0], [-np.inf, 0.5]])
    g = np.concatenate([far, bad]).reshape(1, 1, 6, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.grid_sample(Tensor(x), Tensor(g), mode, padding, False).data
    expected = TF.grid_sample(torch.tensor(x), torch.tensor(g), mode, padding, False).numpy()
    np.testing.assert_allclose(out[..., :3], expected[..., :3], rtol=1e-12, atol=1e-12)
    if mode == "nearest":
        np.testing.assert_array_equal(out[..., 3:], 0.0)
    else:
        assert np.isnan(out[..., 3:]).all()


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("mode", MODES_4D)
@pytest.mark.parametrize("size", [(7, 13), (28, 28), (5, 100), (1, 9)])
def test_identity_grid_lands_on_pixels_as_torchs(size, mode, aligned):
    """The identity transform's grid (a spatial transformer's initial one) holds
    positions a rounding error from whole pixels, where the gradient with respect to the
    grid jumps from one side's difference to the other's: affine_grid's values and
    grid_sample's rounding (fused multiply-adds) must be torch's to the bit."""
    h, w = size
    theta = np.tile(np.eye(2, 3), (2, 1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unit-size warning
        grid = F.affine_grid(Tensor(theta), (2, 3, h, w), aligned).data
        expected = TF.affine_grid(torch.tensor(theta), (2, 3, h, w), aligned).numpy()
    np.testing.assert_array_equal(grid, expected)
    x = np.random.default_rng(12).normal(size=(2, 3, h, w)) ** 2  # no symmetric cancellation
    _compare(x, expected, mode, "zeros", aligned)


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_identity_grid_lands_on_voxels_as_torchs(mode, aligned):
    theta = np.tile(np.eye(3, 4), (2, 1, 1))
    size = (2, 2, 5, 7, 28)
    grid = F.affine_grid(Tensor(theta), size, aligned).data
    expected = TF.affine_grid(torch.tensor(theta), size, aligned).numpy()
    np.testing.assert_array_equal(grid, expected)
    x = np.random.default_rng(13).normal(size=size) ** 2
    _compare(x, expected, mode, "border", aligned)


def test_fma_rounds_once():
    from fractions import Fraction

    from nn.functional_grid import fma

    rng = np.random.default_rng(14)
    a, b, c = rng.normal(size=(3, 2000)) * np.array([[1.0], [1e3], [1e-3]])
    out = fma(a, b, c)
    exact = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
    np.testing.assert_array_equal(out, exact)
    assert fma(0.3214285714285714, 14.0, -0.5) == 3.9999999999999996  # 4.0 unfused


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_grid_sample_gradients_by_finite_differences(mode, padding):
    """The gradients also agree with finite differences (positions away from whole
    pixels and borders, where the function is smooth)."""
    from autograd import gradcheck

    rng = np.random.default_rng(15)
    x = Tensor(rng.normal(size=(1, 2, 4, 5)), requires_grad=True)
    g = Tensor(rng.uniform(-1.3, 1.3, size=(1, 3, 2, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: F.grid_sample(a, b, mode, padding, False), [x, g])
    theta = Tensor(rng.normal(size=(2, 2, 3)), requires_grad=True)
    assert gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=True), [theta])
