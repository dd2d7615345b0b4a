"""Spatial transformers' sampling as torch's: `affine_grid` and `grid_sample`.

`affine_grid(theta, size)` maps the normalized output positions p = (x, y[, z], 1) of
a regular grid over [-1, 1] (pixel centres: -1 + (2i + 1) / n, or pixel corners
-1 + 2i / (n - 1) with `align_corners`) through each affine matrix theta: grid = p @
theta^T, of shape (N, H, W, 2) (or (N, D, H, W, 3)).

`grid_sample(input, grid)` reads `input` (N, C, H, W) (or (N, C, D, H, W)) at the
positions in `grid` (N, Ho, Wo, 2) (or (N, Do, Ho, Wo, 3)), x first (the width), each
in [-1, 1] from the first pixel to the last. A position is unnormalized to a pixel
coordinate

    u = (g + 1) / 2 * (n - 1)      (align_corners=True: -1, 1 are the corner pixels' centres)
    u = ((g + 1) * n - 1) / 2      (align_corners=False: -1, 1 are their outer edges)

then

- bilinear (trilinear for 5-d): the 2**d pixels around u, weighted by the products of
  1 - |u - corner| along each dim;
- nearest: the pixel at round(u) (halves to even, as torch);
- bicubic (4-d only): the 4 x 4 pixels floor(u) - 1 .. floor(u) + 2 weighted by Keys'
  cubic convolution, A = -0.75, along each dim.

Positions outside the input (`padding_mode`): "zeros" reads 0 for every pixel outside;
"border" clips u to [0, n - 1]; "reflection" reflects u at the borders (at the corner
pixels' centres with align_corners, else at their outer edges) until inside, then clips.
For bilinear and nearest the clip and reflection act on u, for bicubic on each pixel
index read, as torch's. A position that is not finite reads 0 (nearest) or NaN
(bilinear, bicubic: its weights are NaN) in every padding mode; torch's border and
reflection modes read an arbitrary pixel there instead.

Both are composed of public autograd ops (indexing, products, sums), so gradients
flow to `input` and to `grid` (`theta`). The gradient of a clipped coordinate is 0,
also exactly on a border, and a reflected one flips its sign, as torch's; nearest
sends `grid` a zero gradient, as torch.

The grid's positions and their pixel coordinates are rounded as torch's CPU kernels
round them (`fma`): an identity transform's positions lie a rounding error from whole
pixels, where the gradient with respect to the grid takes one side's difference or the
other's, so only the same rounding gives torch's gradients there.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, matmul, where
from autograd.checks import check_bool

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")

#: Keys' cubic convolution parameter, as torch's bicubic.
_CUBIC_A = -0.75

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False "
    "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
    "See the documentation of grid_sample for details."
)


def _align_corners(align_corners: bool | None) -> bool:
    """`align_corners`, False with torch's warning when None."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return check_bool("grid_sample", "align_corners", align_corners)


def fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """a * b + c rounded once (a fused multiply-add) in float64: the product's exact
    error (Dekker's split) and the sum's (Knuth's TwoSum) added back before the last
    rounding. torch's CPU kernels are compiled with multiply-adds fused, so its
    linspace and grid_sample round as this does."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))

    def split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scaled = 134217729.0 * x  # 2**27 + 1
        high = scaled - (scaled - x)
        return high, x - high

    with np.errstate(invalid="ignore", over="ignore"):
        product = a * b
        (ah, al), (bh, bl) = split(a), split(b)
        error = ((ah * bh - product) + ah * bl + al * bh) + al * bl
        total = product + c
        part = total - product
        rest = (product - (total - part)) + (c - part)
        fused = total + (rest + error)
    return np.where(np.isfinite(fused), fused, total)


def _linspace(steps: int, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """The normalized positions of `steps` pixels: torch's `linspace_from_neg_one`
    (0 for a single pixel), rounded as torch's: its linspace runs from both ends
    (-1 + step * i in the first half, 1 - step * (steps - 1 - i) after, each a fused
    multiply-add), then without align_corners it is multiplied by steps - 1 and
    divided by steps."""
    if steps <= 1:
        return np.zeros(steps, dtype=dtype)
    kind = np.dtype(dtype).type
    step = float(kind(2) / kind(steps - 1))
    i = np.arange(steps, dtype=np.float64)
    first = i < steps // 2
    values = np.where(first, fma(step, i, -1.0), fma(-step, steps - 1 - i, 1.0)).astype(dtype)
    if not align_corners:
        values = (values * kind(steps - 1) / kind(steps)).astype(dtype)
    return values


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine maps, as `torch.nn.functional.affine_grid`:
    for `size` (N, C, H, W) and theta (N, 2, 3), grid[n, i, j] = theta[n] @ (x_j, y_i, 1),
    shape (N, H, W, 2); for (N, C, D, H, W) and theta (N, 3, 4), shape (N, D, H, W, 3).
    x_j, y_i, z_k are the pixels' normalized positions (see the module's docstring).

    Raises:
        ValueError: theta not floating point, of the wrong shape for `size`, or an empty
            `size` entry.
        RuntimeError: `size` of neither 4 nor 5 entries (torch's NotImplementedError, a
            RuntimeError), or N differing from theta's.
    """
    aligned = _align_corners(align_corners)
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid(): theta must be a Tensor, got {type(theta).__name__}")
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise RuntimeError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    d = len(size) - 2
    if theta.ndim != 3 or theta.shape[-2:] != (d, d + 1):
        raise ValueError(
            f"Expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} for size "
            f"{size}. Got {tuple(theta.shape)}."
        )
    spatial = size[2:]
    if aligned and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if size[0] != theta.shape[0]:
        raise RuntimeError(
            f"affine_grid(): theta holds {theta.shape[0]} matrices but size asks for a batch "
            f"of {size[0]}"
        )
    axes = [_linspace(n, aligned, theta.dtype) for n in spatial]  # (D,) H, W
    mesh = np.meshgrid(*axes, indexing="ij")
    columns = [*reversed(mesh), np.ones(spatial, dtype=theta.dtype)]  # x, y[, z], 1
    base = np.stack(columns, axis=-1).reshape(-1, d + 1)
    grid = matmul(Tensor(base), theta.transpose(0, 2, 1))  # (N, prod(spatial), d)
    return grid.reshape(size[0], *spatial, d)


def _unnormalize(g: Tensor, n: int, aligned: bool, spatial_dims: int) -> Tensor:
    """A normalized coordinate in [-1, 1] as a pixel coordinate in [0, n - 1] (aligned)
    or [-0.5, n - 0.5], rounded as torch's kernels: (g + 1) * ((n - 1) / 2), or
    fma(g + 1, n / 2, -0.5), for 4-d inputs; (g + 1) / 2 * (n - 1), or
    ((g + 1) * n - 1) / 2, for 5-d ones. (Rounding matters: a position a rounding
    error away from a whole pixel takes its gradient from the other side.)"""
    kind = g.dtype.type
    if spatial_dims == 2:
        if aligned:
            return (g + 1) * kind((n - 1) / 2)
        shifted = g + 1
        value = fma(shifted.data, float(kind(n / 2)), -0.5).astype(g.dtype)
        return _with_value(shifted * kind(n / 2), value, np.ones((), dtype=g.dtype))
    if aligned:
        return (g + 1) / 2 * (n - 1)
    return ((g + 1) * n - 1) / 2


def _reflect(u: np.ndarray, twice_low: int, twice_high: int) -> tuple[np.ndarray, np.ndarray]:
    """u reflected into [twice_low / 2, twice_high / 2] at its ends, and the slope
    (+1 or -1) of that map, as torch's `reflect_coordinates_set_grad`."""
    if twice_low == twice_high:
        return np.zeros_like(u), np.zeros_like(u)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    shifted = u - low
    sign = np.where(shifted < 0, -1.0, 1.0)
    shifted = np.abs(shifted)
    with np.errstate(invalid="ignore"):  # inf and nan stay nan
        extra = np.fmod(shifted, span)
        even = np.floor(shifted / span) % 2 == 0
    value = np.where(even, extra + low, span - extra + low)
    return value, np.where(even, sign, -sign)


def _clip(u: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """u clipped to [0, n - 1], and its slope: 1 strictly inside, 0 on and past the
    borders (torch's `clip_coordinates_set_grad`)."""
    return np.clip(u, 0, n - 1), ((u > 0) & (u < n - 1)).astype(u.dtype)


def _bound(
    u: np.ndarray, n: int, padding_mode: str, aligned: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates mapped by `padding_mode` and the slope of the map."""
    if padding_mode == "zeros":
        return u, np.ones_like(u)
    slope = np.ones_like(u)
    if padding_mode == "reflection":
        u, slope = _reflect(u, 0, 2 * (n - 1)) if aligned else _reflect(u, -1, 2 * n - 1)
    u, clip_slope = _clip(u, n)
    return u, slope * clip_slope


def _with_value(u: Tensor, value: np.ndarray, slope: np.ndarray) -> Tensor:
    """A tensor of exactly `value` whose gradient with respect to `u` is `slope`:
    value + slope * (u - u.detach()), the difference being exactly 0."""
    if np.array_equal(value, u.data) and (slope == 1).all():
        return u
    return (u - u.detach()) * slope.astype(u.dtype) + value.astype(u.dtype)


def _index(values: np.ndarray) -> np.ndarray:
    """Whole-number pixel coordinates as int64; one that is not finite or too large
    for an int becomes -100, outside the input, as torch's
    `safe_downgrade_to_int_range`."""
    safe = np.isfinite(values) & (np.abs(values) < 2**31 - 1)
    return np.where(safe, values, -100.0).astype(np.int64)


class _Reader:
    """Reads rows of an input (N, C, *spatial) at integer pixel indices: the input as
    a table (N * prod(spatial), C), pixels outside it read as zeros."""

    def __init__(self, input: Tensor, out_shape: tuple[int, ...]) -> None:
        n, c, *spatial = input.shape
        self.spatial = spatial
        self.channels = c
        order = (0, *range(2, input.ndim), 1)
        self.table = input.permute(*order).reshape(n * math.prod(spatial), c)
        self.batch = np.arange(n).reshape((n,) + (1,) * (len(out_shape) - 1))

    def __call__(self, indices: Sequence[np.ndarray]) -> tuple[Tensor, np.ndarray]:
        """The rows at pixel `indices` (one integer array per spatial dim, in input
        order: (d,) h, w), shape out_shape + (C,), and the mask of those inside."""
        inside = np.ones(indices[0].shape, dtype=bool)
        flat = self.batch
        for idx, size in zip(indices, self.spatial, strict=True):
            inside &= (idx >= 0) & (idx < size)
            flat = flat * size + np.clip(idx, 0, size - 1)
        return self.table[flat], inside


def _check_sample(input: Any, grid: Any) -> tuple[Tensor, Tensor]:
    """torch's `grid_sampler` checks of the shapes and dtypes."""
    if not isinstance(input, Tensor) or not isinstance(grid, Tensor):
        raise TypeError(
            "grid_sample(): input and grid must be Tensors, got "
            f"{type(input).__name__} and {type(grid).__name__}"
        )
    if input.dtype.kind != "f" or grid.dtype.kind != "f":
        raise RuntimeError(
            f"grid_sampler(): not implemented for input of {input.dtype} and grid of "
            f"{grid.dtype}: both must be floating point"
        )
    if input.dtype != grid.dtype:
        raise RuntimeError(
            "grid_sampler(): expected input and grid to have same dtype, but input has "
            f"{input.dtype} and grid has {grid.dtype}"
        )
    sizes = f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.ndim != grid.ndim or input.ndim not in (4, 5):
        raise RuntimeError(
            "grid_sampler(): expected 4D or 5D input and grid with same number of "
            f"dimensions, but got {sizes}"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got {sizes}"
        )
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}"
        )
    for axis in range(2, input.ndim):
        if input.shape[axis] == 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {axis} being empty"
            )
    return input, grid


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """`input` (N, C, H, W) read at the positions `grid` (N, Ho, Wo, 2), as
    `torch.nn.functional.grid_sample`: shape (N, C, Ho, Wo); or (N, C, D, H, W) at
    (N, Do, Ho, Wo, 3), shape (N, C, Do, Ho, Wo). See the module's docstring for the
    modes and padding modes. Differentiable in `input` and in `grid`.

    Raises:
        ValueError: an unknown `mode` or `padding_mode`.
        RuntimeError: torch's `grid_sampler` errors: inputs of other dims, batch sizes
            or dtypes, a grid's last dim not the number of spatial dims, an empty
            spatial dim, or bicubic on a 5-d input.
    """
    if mode not in _MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', "
            f"or 'reflection', but got: '{padding_mode}'"
        )
    aligned = _align_corners(align_corners)
    x, g = _check_sample(input, grid)
    if mode == "bicubic" and x.ndim == 5:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    spatial = x.shape[2:]
    out_shape = g.shape[:-1]
    d = len(spatial)
    # pixel coordinates per input dim, in input order ((d,) h, w): grid holds x first
    read = _Reader(x, out_shape)
    with np.errstate(invalid="ignore", over="ignore"):  # positions that are not finite
        coords = [_unnormalize(g[..., d - 1 - k], spatial[k], aligned, d) for k in range(d)]
        if mode == "bicubic":
            out = _bicubic(read, coords, padding_mode, aligned)
        else:
            bounded = []
            for u, n in zip(coords, spatial, strict=True):
                value, slope = _bound(u.data, n, padding_mode, aligned)
                bounded.append(_with_value(u, value, slope))
            out = _nearest(read, bounded, g) if mode == "nearest" else _linear(read, bounded)
    return out.permute(0, d + 1, *range(1, d + 1))  # channels back to dim 1


def _nearest(read: _Reader, coords: list[Tensor], grid: Tensor) -> Tensor:
    """The pixel nearest each position; `grid` gets a zero gradient, as torch's."""
    rows, inside = read([_index(np.rint(u.data)) for u in coords])
    out = rows * inside[..., None].astype(rows.dtype)
    if grid.requires_grad:
        never = np.zeros((*grid.shape[:-1], 1), dtype=bool)
        out = out + where(never, grid.sum(axis=-1, keepdims=True), 0.0)
    return out


def _linear(read: _Reader, coords: list[Tensor]) -> Tensor:
    """Bi- or trilinear interpolation: the sum over the 2**d corners of each position
    of the product of its weights (1 - t or t per dim, t = u - floor(u))."""
    floors = [np.floor(u.data) for u in coords]
    fractions = [u - f.astype(u.dtype) for u, f in zip(coords, floors, strict=True)]
    out: Tensor | None = None
    for corner in itertools.product((0, 1), repeat=len(coords)):
        weight: Tensor | None = None
        for t, step in zip(fractions, corner, strict=True):
            w = t if step else 1 - t
            weight = w if weight is None else weight * w
        assert weight is not None
        indices = [_index(f) + step for f, step in zip(floors, corner, strict=True)]
        rows, inside = read(indices)
        term = rows * (weight * inside.astype(weight.dtype))[..., None]
        out = term if out is None else out + term
    assert out is not None
    return out


def _cubic_weights(t: Tensor) -> list[Tensor]:
    """Keys' cubic convolution weights of the taps at -1, 0, 1, 2 from floor(u), for
    t = u - floor(u) (torch's `get_cubic_upsample_coefficients`):
    w(s) = ((A + 2) s - (A + 3)) s^2 + 1 for |s| <= 1,
    w(s) = ((A s - 5 A) s + 8 A) s - 4 A for 1 < |s| < 2."""
    a = _CUBIC_A

    def near(s: Tensor) -> Tensor:
        return ((s * (a + 2) - (a + 3)) * s) * s + 1

    def far(s: Tensor) -> Tensor:
        return ((s * a - 5 * a) * s + 8 * a) * s - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(read: _Reader, coords: list[Tensor], padding_mode: str, aligned: bool) -> Tensor:
    """Bicubic interpolation over the 4 x 4 pixels around each position, each pixel
    index mapped by `padding_mode` (zeros: 0 outside)."""
    y, x = coords
    floors = [np.floor(u.data) for u in coords]
    wy = _cubic_weights(y - floors[0].astype(y.dtype))
    wx = _cubic_weights(x - floors[1].astype(x.dtype))
    height, width = read.spatial
    out: Tensor | None = None
    for i in range(4):
        row_index = _bound(floors[0] - 1 + i, height, padding_mode, aligned)[0]
        line: Tensor | None = None
        for j in range(4):
            col_index = _bound(floors[1] - 1 + j, width, padding_mode, aligned)[0]
            rows, inside = read([_index(row_index), _index(col_index)])
            term = rows * (wx[j] * inside.astype(x.dtype))[..., None]
            line = term if line is None else line + term
        assert line is not None
        term = line * wy[i][..., None]
        out = term if out is None else out + term
    assert out is not None
    return out
