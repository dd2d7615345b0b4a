"""More of PyTorch's products, distances and matrix builders: `tensordot`, `inner`,
`kron`, `cross`, `cdist`, `dist`, `cov`, `corrcoef`, `vander`, `trapezoid`,
`diag_embed`, `diagflat`, `block_diag`.

Each is composed of differentiable ops (`einsum`, products, indexing, norms), so its
gradient, and second derivatives, come from theirs.
"""

from __future__ import annotations

import math
import string
import warnings
from typing import Any

import numpy as np

from autograd.ops.arith import astype, promote_all, where
from autograd.ops.elementwise import clamp_min, clip, sqrt
from autograd.ops.layout import movedim, narrow
from autograd.ops.linalg import diag, einsum
from autograd.ops.reduce import sum as sum_
from autograd.ops.shape import broadcast_to, cat, getitem, index_add, reshape, stack
from autograd.ops.torch_methods import as_tensor
from autograd.tensor import Tensor, data_of, get_default_dtype

TensorLike = Any


def _float(x: Tensor) -> Tensor:
    """`x`, or its copy in the default float dtype when it is an integer tensor."""
    return x if x.dtype.kind == "f" else astype(x, get_default_dtype())


def _contracted(dims: Any, ndim_a: int, ndim_b: int) -> tuple[list[int], list[int]]:
    """`tensordot`'s `dims` as two lists of non-negative dims."""
    if isinstance(dims, int | np.integer):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        return list(range(ndim_a - int(dims), ndim_a)), list(range(int(dims)))
    da, db = (np.atleast_1d(data_of(d)).tolist() for d in dims)
    return [int(d) % max(ndim_a, 1) for d in da], [int(d) % max(ndim_b, 1) for d in db]


def tensordot(a: TensorLike, b: TensorLike, dims: Any = 2, out: Any = None) -> Tensor:
    """The sum of products over `dims`, as `torch.tensordot`: an int n contracts a's
    last n dims with b's first n; a pair of lists names the dims of each.

    Raises:
        RuntimeError: contracted dims of different sizes, or a negative count.
    """
    x, y = as_tensor(a), as_tensor(b)
    da, db = _contracted(dims, x.ndim, y.ndim)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db):
        if x.shape[i] != y.shape[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {x.shape[i]} in dim "
                f"{i} and second has size {y.shape[j]} in dim {j}"
            )
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(x.ndim)]
    sb = [next(letters) for _ in range(y.ndim)]
    for i, j in zip(da, db):
        sb[j] = sa[i]
    keep = [c for i, c in enumerate(sa) if i not in da] + [
        c for j, c in enumerate(sb) if j not in db
    ]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(keep)}", x, y)


def inner(input: TensorLike, other: TensorLike) -> Tensor:
    """Sums of products over the last dims, as `torch.inner` (a number times a tensor
    when one is 0-d): shape input.shape[:-1] + other.shape[:-1].

    Raises:
        RuntimeError: last dims of different sizes.
    """
    x, y = as_tensor(input), as_tensor(other)
    if x.ndim == 0 or y.ndim == 0:
        return x * y
    if x.shape[-1] != y.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(x.shape)} and {list(y.shape)}"
        )
    return tensordot(x, y, ([-1], [-1]))


def kron(input: TensorLike, other: TensorLike) -> Tensor:
    """The Kronecker product, as `torch.kron`: block (i, j, ...) is input[i, j, ...] *
    other (the one of fewer dims gets leading 1s)."""
    x, y = as_tensor(input), as_tensor(other)
    n = max(x.ndim, y.ndim)
    xs, ys = (1,) * (n - x.ndim) + x.shape, (1,) * (n - y.ndim) + y.shape
    left = reshape(x, tuple(v for s in xs for v in (s, 1)))
    right = reshape(y, tuple(v for s in ys for v in (1, s)))
    return reshape(left * right, tuple(a * b for a, b in zip(xs, ys)))


def cross(input: TensorLike, other: TensorLike, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along `dim`, as `torch.cross` (the two broadcast);
    with `dim=None`, PyTorch's deprecated default: the first dim of size 3, with its
    warning.

    Raises:
        RuntimeError: no dim of size 3, or `dim` not of size 3.
    """
    x, y = as_tensor(input), as_tensor(other)
    if x.ndim != y.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    shape = np.broadcast_shapes(x.shape, y.shape)
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        sizes = [i for i, s in enumerate(shape) if s == 3]
        if not sizes:
            raise RuntimeError(f"no dimension of size 3 in input (shape {list(shape)})")
        dim = sizes[0]
    if not shape or not -len(shape) <= dim < len(shape) or shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{x.shape[dim] if x.ndim else 0} and {y.shape[dim] if y.ndim else 0}"
        )
    dim %= len(shape)
    x, y = broadcast_to(x, shape), broadcast_to(y, shape)
    head = (slice(None),) * dim
    one, two = (*head, np.array([1, 2, 0])), (*head, np.array([2, 0, 1]))
    return getitem(x, one) * getitem(y, two) - getitem(x, two) * getitem(y, one)


def _pnorm(diff: Tensor, p: float) -> Tensor:
    """The p-norm of `diff` along its last dim (PyTorch's cdist gradients: 0 where the
    distance is 0)."""
    from autograd.linalg import vector_norm

    if p == 0 or p == 1 or p == 2 or math.isinf(p):
        return vector_norm(diff, p, -1)
    d = vector_norm(diff, p, -1)
    zero = data_of(d) == 0
    if not zero.any():
        return d
    flat = reshape(Tensor(zero), (*zero.shape, 1))
    safe = vector_norm(where(flat, 1.0, diff), p, -1)
    return where(Tensor(zero), 0.0, safe)


def cdist(x1: TensorLike, x2: TensorLike, p: float = 2.0, compute_mode: Any = None) -> Tensor:
    """The p-norm distance between each row of `x1` (..., P, M) and each row of `x2`
    (..., R, M): shape (..., P, R), as `torch.cdist`; differentiable, with a zero
    gradient where a distance is 0, as PyTorch's. For p = 2 with more than 25 rows on
    either side (or `compute_mode="use_mm_for_euclid_dist"`), PyTorch's matrix-product
    form (`_euclidean_by_matmul`), whose values and gradients it reproduces.

    Raises:
        RuntimeError: fewer than 2 dims, rows of different lengths, or p < 0.
    """
    a, b = as_tensor(x1), as_tensor(x2)
    if a.ndim < 2 or b.ndim < 2:
        raise RuntimeError(
            f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D, X2 got: {b.ndim}D"
        )
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {a.dtype}")
    modes = (None, *_CDIST_MODES)
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    rows = a.shape[-2] > 25 or b.shape[-2] > 25
    if p == 2 and (compute_mode == _CDIST_MODES[1] or (compute_mode in modes[:2] and rows)):
        return _euclidean_by_matmul(a, b)
    diff = reshape(a, (*a.shape[:-1], 1, a.shape[-1])) - reshape(
        b, (*b.shape[:-2], 1, *b.shape[-2:])
    )
    return _pnorm(diff, float(p))


_CDIST_MODES = (
    "use_mm_for_euclid_dist_if_necessary",
    "use_mm_for_euclid_dist",
    "donot_use_mm_for_euclid_dist",
)


def _euclidean_by_matmul(a: Tensor, b: Tensor) -> Tensor:
    """PyTorch's Euclidean distances through one matrix product (its path when either
    side has more than 25 rows): sqrt(max(|a|^2 - 2 a.b + |b|^2, 0)), memory O(P R)
    rather than O(P R M). The gradient is torch's, (a - b) / d, and 0 where d is 0."""
    a_norm = sum_(a * a, axis=-1, keepdims=True)
    b_norm = sum_(b * b, axis=-1, keepdims=True)
    a_ext = cat([a * -2.0, a_norm, Tensor(np.ones(a_norm.shape, a.dtype))], -1)
    b_ext = cat([b, Tensor(np.ones(b_norm.shape, b.dtype)), b_norm], -1)
    squared = clamp_min(a_ext @ b_ext.mT, 0.0)
    zero = squared.data == 0
    if not zero.any():
        return sqrt(squared)
    return where(zero, 0.0, sqrt(where(zero, 1.0, squared)))


def dist(input: TensorLike, other: TensorLike, p: float = 2) -> Tensor:
    """The p-norm of input - other (broadcast), as `torch.dist`: a 0-d tensor."""
    from autograd.linalg import vector_norm

    return vector_norm(as_tensor(input) - as_tensor(other), p)


def cov(
    input: TensorLike,
    *,
    correction: int = 1,
    fweights: TensorLike | None = None,
    aweights: TensorLike | None = None,
) -> Tensor:
    """The covariance matrix of the variables in `input`'s rows (observations in
    columns; a 1-d input is one variable: a 0-d result), as `torch.cov`, with
    frequency and observation weights; differentiable.

    Raises:
        RuntimeError: more than 2 dims, or weights of the wrong shape or sign.
    """
    x = _float(as_tensor(input))
    if x.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{x.ndim} dimensions"
        )
    rows = reshape(x, (1, -1)) if x.ndim < 2 else x
    n = rows.shape[1]
    w = None
    for name, given in (("fweights", fweights), ("aweights", aweights)):
        if given is None:
            continue
        wt = data_of(given)
        if wt.ndim > 1 or wt.shape[0] != n:
            raise RuntimeError(
                f"cov(): expected {name} to have one dimension with {n} elements, got {wt.shape}"
            )
        if (wt < 0).any():
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = wt if w is None else w * wt
    weights = np.ones(n, dtype=x.dtype) if w is None else np.asarray(w, dtype=x.dtype)
    w_sum = weights.sum()
    avg = sum_(rows * weights, axis=1, keepdims=True) / w_sum
    if aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (weights * data_of(aweights)).sum() / w_sum
    centered = rows - avg
    c = einsum("in,jn->ij", centered * weights, centered) / float(max(norm, 0))
    return reshape(c, ()) if x.ndim < 2 else c


def corrcoef(input: TensorLike) -> Tensor:
    """The Pearson correlation coefficients of the variables in `input`'s rows, as
    `torch.corrcoef`: cov / sqrt(var_i var_j), clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = sqrt(diag(c))
    return clip(c / reshape(d, (-1, 1)) / reshape(d, (1, -1)), -1.0, 1.0)


def vander(x: TensorLike, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-d `x`: columns x^(N-1), ..., x^0 (ascending
    powers with `increasing`), as `torch.vander`; integer inputs give int64.

    Raises:
        RuntimeError: `x` not 1-d, or N negative.
    """
    t = as_tensor(x)
    if t.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = t.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if t.dtype.kind in "iub":
        t = astype(t, np.int64)
    cols = [Tensor(np.ones(t.shape, dtype=t.dtype))] if n else []
    for _ in range(1, n):
        cols.append(cols[-1] * t)
    if not cols:
        return Tensor(np.empty((t.shape[0], 0), dtype=t.dtype))
    out = stack(cols if increasing else cols[::-1], axis=1)
    return out


def trapezoid(
    y: TensorLike, x: TensorLike | None = None, *, dx: float | None = None, dim: int = -1
) -> Tensor:
    """The trapezoid rule along `dim`: sum of (y_i + y_(i+1)) / 2 times the spacing
    (`dx`, default 1, or the differences of the sample points `x`), as
    `torch.trapezoid`."""
    t = _float(as_tensor(y))
    dim %= max(t.ndim, 1)
    n = t.shape[dim]
    if n == 0:
        return sum_(t, axis=dim)
    mid = narrow(t, dim, 0, n - 1) + narrow(t, dim, 1, n - 1)
    if x is None:
        return sum_(mid, axis=dim) * ((1.0 if dx is None else dx) / 2)
    xs = as_tensor(x)
    if xs.ndim == 1:
        spacing = narrow(xs, 0, 1, n - 1) - narrow(xs, 0, 0, n - 1)
        spacing = reshape(spacing, (n - 1,) + (1,) * (t.ndim - dim - 1))
    else:
        xd = dim - t.ndim + xs.ndim
        spacing = narrow(xs, xd, 1, n - 1) - narrow(xs, xd, 0, n - 1)
    return sum_(mid * spacing, axis=dim) / 2


def diag_embed(input: TensorLike, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with `input`'s last dim on their diagonal `offset` (zeros elsewhere),
    in the new dims `dim1`, `dim2`, as `torch.diag_embed`; differentiable.

    Raises:
        RuntimeError: `dim1` and `dim2` the same dim.
    """
    x = as_tensor(input)
    nd = x.ndim + 1
    d1, d2 = dim1 % nd, dim2 % nd
    if d1 == d2:
        raise RuntimeError("diagonal dimensions cannot be identical")
    m = x.shape[-1] if x.ndim else 1
    size = m + abs(offset)
    batch = x.shape[:-1]
    i = np.arange(m)
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    grid = np.indices((*batch, m), sparse=True)
    square = index_add(x, (*grid[:-1], rows, cols), (*batch, size, size))
    if (d1, d2) == (nd - 2, nd - 1):
        return square
    return movedim(square, (nd - 2, nd - 1), (d1, d2))


def diagflat(input: TensorLike, offset: int = 0) -> Tensor:
    """A matrix with `input`'s elements (read as 1-d) on its diagonal `offset`, as
    `torch.diagflat`."""
    return diag(reshape(as_tensor(input), -1), offset)


def block_diag(*tensors: TensorLike) -> Tensor:
    """The matrices (0-d and 1-d tensors count as 1 x 1 and 1 x n) on the diagonal of
    one block matrix, zeros elsewhere, as `torch.block_diag`; differentiable.

    Raises:
        RuntimeError: a tensor of more than 2 dims.
    """
    mats = []
    for k, t in enumerate(tensors):
        x = as_tensor(t)
        if x.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{k} has {x.ndim} dimensions"
            )
        mats.append(reshape(x, (1, -1)) if x.ndim < 2 else x)
    if not mats:
        return Tensor(np.empty((1, 0), dtype=get_default_dtype()))
    dtype = promote_all([np.empty(0, m.dtype) for m in mats])[0].dtype  # torch's rule
    rows, cols = sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)
    out: Any = None
    r = c = 0
    for m in mats:
        m = m if m.dtype == dtype else astype(m, dtype)
        grid = np.indices(m.shape, sparse=True)
        part = index_add(m, (grid[0] + r, grid[1] + c), (rows, cols))
        out = part if out is None else out + part
        r, c = r + m.shape[0], c + m.shape[1]
    return out
