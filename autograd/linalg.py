"""`torch.linalg` by PyTorch's names: `vector_norm`, `matrix_norm`, `norm`, `inv`,
`det`, `slogdet`, `solve`, `svd`, `svdvals` (and `inverse`, `logdet` for the top level),
and from `autograd.ops.decompositions` `cholesky`, `eigh`, `eigvalsh`, `qr`, `pinv`,
`matrix_power`, `matrix_rank`, `multi_dot`, `cross`, `vecdot`, `diagonal`, `matmul`,
`solve_triangular`, `lstsq`, `cond` and `matrix_exp`.

`inv` and `det` are PyTorch-style Functions (`autograd.custom`) whose backward is
written with differentiable ops, so second derivatives work too; `solve` and the norms
are composed of differentiable ops. `svd` and `svdvals` have no gradient here: their
results keep the graph, and a backward that reaches them raises.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.mode import is_grad_enabled
from autograd.ops.arith import abs as abs_
from autograd.ops.arith import power
from autograd.ops.cumulative import amax, amin
from autograd.ops.elementwise import log
from autograd.ops.reduce import Norm
from autograd.ops.reduce import sum as sum_
from autograd.ops.shape import reshape
from autograd.ops.torch_methods import as_tensor
from autograd.tensor import Tensor, data_of

TensorLike = Any


def _float_input(name: str, x: TensorLike) -> Tensor:
    t = as_tensor(x)
    if t.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.{name}: Expected a floating point or complex tensor as input. Got {t.dtype}"
        )
    return t


def _square(name: str, a: Tensor) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{name}: A must be batches of square matrices, but they are "
            f"{tuple(a.shape[-2:]) if a.ndim >= 2 else tuple(a.shape)} matrices"
        )


_SINGULAR = {
    "inv": "linalg.inv: the inversion could not be completed because the input matrix is singular",
    "solve": "linalg.solve: The solver failed because the input matrix is singular.",
}


def _inverse_array(a: np.ndarray, name: str) -> np.ndarray:
    """numpy's inverse, or RuntimeError in torch's words for `name` (the function the
    user called) when a matrix is singular."""
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise RuntimeError(_SINGULAR[name]) from None


def _dims(dim: Any) -> tuple[int, ...] | None:
    if dim is None:
        return None
    return (int(dim),) if isinstance(dim, int | np.integer) else tuple(int(d) for d in dim)


def vector_norm(
    x: TensorLike,
    ord: float = 2,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """The `ord`-norm of `x`'s elements along `dim` (all of them, as one vector, when
    None), as `torch.linalg.vector_norm`: 2, 1, inf, -inf, 0 (the count of nonzeros)
    or any other p, (sum |x|^p)^(1/p). Differentiable (2-norm: 0 gradient at 0, as
    PyTorch's)."""
    t = _float_input("vector_norm", x)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dtype is not None:
        t = t.to(dtype)
    axis = _dims(dim)
    if ord == 2:
        return Norm.apply(t, axis=axis, keepdims=keepdim)
    a = abs_(t)
    if ord == math.inf:
        return amax(a, dim=axis if axis is not None else tuple(range(t.ndim)), keepdim=keepdim)
    if ord == -math.inf:
        return amin(a, dim=axis if axis is not None else tuple(range(t.ndim)), keepdim=keepdim)
    if ord == 0:
        count = np.sum(data_of(t) != 0, axis=axis, keepdims=keepdim)
        return Tensor(np.asarray(count, dtype=t.dtype))
    if ord == 1:
        return sum_(a, axis=axis, keepdims=keepdim)
    return power(sum_(power(a, ord), axis=axis, keepdims=keepdim), 1.0 / ord)


def svdvals(A: TensorLike) -> Tensor:
    """The singular values of (a batch of) matrices, descending, as
    `torch.linalg.svdvals` (no gradient here: a backward through them raises)."""
    a = _float_input("svdvals", A)
    values = np.linalg.svd(a.data, compute_uv=False)
    return without_gradient("linalg.svdvals", a, values)


def svd(A: TensorLike, full_matrices: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """U, S, Vh with A = U @ diag(S) @ Vh, as `torch.linalg.svd` (no gradient here: a
    backward through them raises)."""
    a = _float_input("svd", A)
    u, s, vh = np.linalg.svd(a.data, full_matrices=full_matrices)
    return tuple(without_gradient("linalg.svd", a, v) for v in (u, s, vh))  # type: ignore[return-value]


def matrix_norm(
    A: TensorLike,
    ord: Any = "fro",
    dim: tuple[int, int] = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """The matrix norm of (a batch of) matrices over the two dims `dim`, as
    `torch.linalg.matrix_norm`: "fro", "nuc", 1 / -1 (max / min column sum of |A|),
    inf / -inf (max / min row sum), 2 / -2 (largest / smallest singular value; these
    and "nuc" have no gradient here).

    Raises:
        RuntimeError: fewer than 2 dims, or an `ord` PyTorch does not take.
    """
    a = _float_input("matrix_norm", A)
    if dtype is not None:
        a = a.to(dtype)
    if a.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    d0, d1 = (int(d) % a.ndim for d in dim)
    if ord == "fro":
        return Norm.apply(a, axis=(d0, d1), keepdims=keepdim)
    if ord in ("nuc", 2, -2):
        moved = (
            a.data
            if (d0, d1) == (a.ndim - 2, a.ndim - 1)
            else np.moveaxis(a.data, (d0, d1), (-2, -1))
        )
        s = np.linalg.svd(moved, compute_uv=False)
        value = s.sum(-1) if ord == "nuc" else (s.max(-1) if ord == 2 else s.min(-1))
        if keepdim:
            value = np.expand_dims(value, (d0, d1))
        return without_gradient("linalg.matrix_norm", a, np.asarray(value, dtype=a.dtype))
    if ord in (1, -1, math.inf, -math.inf):
        inner, outer = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = sum_(abs_(a), axis=inner, keepdims=True)
        pick = amax if ord > 0 else amin
        out = pick(sums, dim=outer, keepdim=True)
        return (
            out
            if keepdim
            else reshape(out, tuple(n for i, n in enumerate(out.shape) if i not in (d0, d1)))
        )
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(
    A: TensorLike,
    ord: Any = None,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """`torch.linalg.norm`: a vector norm when `dim` is an int (or `A` is 1-d), a matrix
    norm when `dim` is two dims (or `A` is 2-d); with `ord` and `dim` both None, the
    2-norm of all of `A`'s elements.

    Raises:
        RuntimeError: an `ord` with `dim=None` for an input that is not 1-d or 2-d.
    """
    a = _float_input("norm", A)
    dims = _dims(dim)
    if ord is None:
        if dims is not None and len(dims) == 2:
            return matrix_norm(a, "fro", dims, keepdim, dtype=dtype)
        return vector_norm(a, 2, dims, keepdim, dtype=dtype)
    if dims is None and a.ndim not in (1, 2):
        raise RuntimeError(
            f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {a.ndim}D."
        )
    if (dims is None and a.ndim == 2) or (dims is not None and len(dims) == 2):
        return matrix_norm(a, ord, dims or (-2, -1), keepdim, dtype=dtype)
    return vector_norm(a, ord, dims, keepdim, dtype=dtype)


class _Inverse(Function):
    """A^-1      dA = -A^-T dz A^-T"""

    @staticmethod
    def forward(ctx: Any, a: Tensor, name: str) -> Tensor:  # type: ignore[override]
        out = Tensor(_inverse_array(a.data, name))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, dz: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        a, out = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the inverse as a function of A, in the graph
            out = inv(a)
        return -(out.mT @ dz @ out.mT), None


class _Det(Function):
    """det(A)      dA = dz det(A) A^-T"""

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(a)
        return Tensor(np.asarray(np.linalg.det(a.data), dtype=a.dtype))

    @staticmethod
    def backward(ctx: Any, dz: Tensor) -> Tensor:  # type: ignore[override]
        (a,) = ctx.saved_tensors
        d = det(a)
        scale = reshape(dz * d, (*d.shape, 1, 1))
        return scale * inv(a).mT


class _NoGradient(Function):
    """Hands a value computed outside the graph to it, with a backward that refuses."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, value: np.ndarray, name: str) -> Tensor:  # type: ignore[override]
        ctx.name = name
        return Tensor(value)

    @staticmethod
    def backward(ctx: Any, dz: Tensor) -> Any:  # type: ignore[override]
        raise RuntimeError(
            f"{ctx.name}: the gradient is not implemented in this engine (its value "
            f"has no derivative here); compute it outside the graph with .detach()"
        )


def without_gradient(name: str, a: Tensor, value: np.ndarray) -> Tensor:
    """`value`, computed from `a` outside the graph, as a tensor: when `a` requires
    grad, one in the graph whose backward raises (PyTorch's ops without a derivative:
    the result requires grad, a backward through it fails), else a plain tensor."""
    if a.requires_grad:
        return _NoGradient.apply(a, value, name)
    return Tensor(value)


def inv(A: TensorLike) -> Tensor:
    """The inverse of (a batch of) square matrices, as `torch.linalg.inv`
    (differentiable).

    Raises:
        RuntimeError: not square, or singular.
    """
    a = _float_input("inv", A)
    _square("inv", a)
    return _Inverse.apply(a, "inv")


def det(A: TensorLike) -> Tensor:
    """The determinant of (a batch of) square matrices, as `torch.linalg.det`
    (differentiable where A is invertible).

    Raises:
        RuntimeError: not square.
    """
    a = _float_input("det", A)
    _square("det", a)
    return _Det.apply(a)


def slogdet(A: TensorLike) -> tuple[Tensor, Tensor]:
    """(sign, log|det|) of (a batch of) square matrices, as `torch.linalg.slogdet`;
    log|det| is differentiable."""
    a = _float_input("slogdet", A)
    _square("slogdet", a)
    sign = Tensor(np.sign(np.linalg.det(a.data)).astype(a.dtype))
    return sign, log(abs_(det(a)))


def logdet(A: TensorLike) -> Tensor:
    """log det(A), nan where the determinant is negative, as `torch.logdet`."""
    return log(det(A))


def solve(A: TensorLike, B: TensorLike, *, left: bool = True) -> Tensor:
    """X with A X = B (X A = B with `left=False`), as `torch.linalg.solve`: B a vector
    (n,) or (..., n) matching A's batch, or matrices (..., n, k); differentiable in both.

    Raises:
        RuntimeError: A not square, or shapes that do not fit.
    """
    a, b = _float_input("solve", A), _float_input("solve", B)
    _square("solve", a)
    if not left:
        return solve(a.mT, b.mT).mT
    n = a.shape[-1]
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if (vector and b.shape[-1] != n) or (not vector and (b.ndim < 2 or b.shape[-2] != n)):
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({tuple(a.shape[-2:])} and {tuple(b.shape)})"
        )
    a_inv = _Inverse.apply(a, "solve")
    if vector:
        return reshape(
            a_inv @ reshape(b, (*b.shape, 1)), b.shape if b.ndim > 1 else (*a.shape[:-2], n)
        )
    return a_inv @ b


# torch.linalg's decompositions and matrix functions, in `autograd.ops.decompositions`
# (imported on first use, by `__getattr__`: `import autograd` stays fast)
from autograd.ops.arith import matmul  # noqa: E402

_DECOMPOSITIONS = (
    "LinAlgError", "cholesky", "cond", "cross", "diagonal", "eigh", "eigvalsh", "lstsq",
    "matrix_exp", "matrix_power", "matrix_rank", "multi_dot", "pinv", "qr",
    "solve_triangular", "vecdot",
)  # fmt: skip

__all__ = [
    "det", "inv", "matmul", "matrix_norm", "norm", "slogdet", "solve", "svd", "svdvals",
    "vector_norm", *_DECOMPOSITIONS,
]  # fmt: skip


def __getattr__(name: str) -> Any:
    """The functions of `autograd.ops.decompositions` (`linalg.cholesky`, `linalg.qr`...)."""
    if name in _DECOMPOSITIONS:
        from autograd.ops import decompositions

        return getattr(decompositions, name)
    raise AttributeError(f"module 'autograd.linalg' has no attribute {name!r}")
