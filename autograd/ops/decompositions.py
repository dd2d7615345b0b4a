"""`torch.linalg`'s decompositions and matrix functions: cholesky, eigh, eigvalsh, qr,
pinv, matrix_power, matrix_rank, multi_dot, cross, vecdot, diagonal, matmul,
solve_triangular, lstsq, cond and matrix_exp (`autograd.linalg` exports them).

The decompositions and matrix_exp are PyTorch-style Functions (`autograd.custom`)
whose backward is PyTorch's formula written with differentiable ops, so second
derivatives work too; the rest are composed of differentiable ops.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd.function import Function
from autograd.linalg import _float_input, _square, inv, matrix_norm
from autograd.mode import is_grad_enabled
from autograd.ops.arith import matmul, mul, sub
from autograd.ops.layout import diagonal as _diagonal
from autograd.ops.reduce import sum as sum_
from autograd.ops.shape import cat, reshape
from autograd.ops.torch_methods import tril, triu
from autograd.tensor import Tensor, data_of

TensorLike = Any


class LinAlgError(RuntimeError):
    """PyTorch's `torch.linalg.LinAlgError` (a RuntimeError): a matrix the
    decomposition cannot handle (not positive-definite, singular)."""


def _eye_like(a: Tensor) -> np.ndarray:
    return np.eye(a.shape[-1], dtype=a.dtype)


def _halved_diagonal(x: Tensor) -> Tensor:
    """tril(x) with its diagonal halved (PyTorch's Phi of the Cholesky backward)."""
    return mul(tril(x), np.where(np.eye(x.shape[-1], dtype=bool), 0.5, 1.0).astype(x.dtype))


class _Cholesky(Function):
    """A = L L^T      dA = sym(L^-T Phi(L^T dL) L^-1), Phi the lower triangle with half
    its diagonal (PyTorch's `cholesky_backward`)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:  # type: ignore[override]
        try:
            out = Tensor(np.linalg.cholesky(a.data))
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "linalg.cholesky: The factorization could not be completed because the "
                "input is not positive-definite."
            ) from None
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, dz: Tensor) -> Tensor:  # type: ignore[override]
        a, low = ctx.saved_tensors
        if is_grad_enabled():
            low = cholesky(a)
        phi = _halved_diagonal(low.mT @ tril(dz))
        low_inv = inv(low)
        grad = low_inv.mT @ phi @ low_inv
        return mul(grad + grad.mT, 0.5)


def cholesky(A: TensorLike, *, upper: bool = False) -> Tensor:
    """L with A = L L^T (lower triangular; U = L^T with ``upper=True``) of (a batch of)
    symmetric positive-definite matrices, as `torch.linalg.cholesky` (only the lower
    triangle of A is read); differentiable.

    Raises:
        RuntimeError: not square; `LinAlgError` (a RuntimeError, as PyTorch's) when
            A is not positive-definite.
    """
    a = _float_input("cholesky", A)
    _square("cholesky", a)
    out = _Cholesky.apply(a)
    return out.mT if upper else out


def _too_few_dims(name: str, what: str, ndim: int) -> str:
    return f"linalg.{name}: The input tensor {what} must have at least 2 dimensions, got {ndim}"


class _Eigh(Function):
    """A = V diag(w) V^T      dA = V (diag(dw) + skew(V^T dV) / E) V^T, E[i, j] = w[j] - w[i]
    off the diagonal, skew(X) = (X - X^T) / 2 (PyTorch's `linalg_eig_backward` for
    Hermitian A)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, uplo: str) -> tuple[Tensor, Tensor]:  # type: ignore[override]
        w, v = np.linalg.eigh(a.data, UPLO="U" if uplo == "U" else "L")
        values, vectors = Tensor(w.astype(a.dtype)), Tensor(v.astype(a.dtype))
        ctx.uplo = uplo
        ctx.save_for_backward(a, values, vectors)
        return values, vectors

    @staticmethod
    def backward(ctx: Any, dw: Tensor, dv: Tensor) -> tuple[Tensor, None]:
        a, w, v = ctx.saved_tensors
        if is_grad_enabled():
            w, v = eigh(a, ctx.uplo)
        wd = data_of(w)
        gaps = wd[..., None, :] - wd[..., :, None]
        off = ~np.eye(wd.shape[-1], dtype=bool)
        scale = np.where(off, 1.0 / np.where(off, gaps, 1.0), 0.0).astype(wd.dtype)
        projected = v.mT @ dv  # onto the skew-symmetric matrices, as PyTorch
        inner = mul((projected - projected.mT) * 0.5, scale) + _embed(dw)
        return v @ inner @ v.mT, None


def _embed(d: Tensor) -> Tensor:
    """Matrices with the last dim of `d` on their diagonal."""
    from autograd.ops.products_more import diag_embed

    return diag_embed(d)


class EighResult(NamedTuple):
    """(eigenvalues, eigenvectors), as torch's ``torch.return_types.linalg_eigh``."""

    eigenvalues: Tensor
    eigenvectors: Tensor


def eigh(A: TensorLike, UPLO: str = "L") -> EighResult:
    """(eigenvalues in ascending order, eigenvectors in columns) of (a batch of)
    symmetric matrices, reading the lower (``UPLO="L"``) or upper triangle, as
    `torch.linalg.eigh`; differentiable where the eigenvalues are distinct (the
    gradient of eigenvectors is only defined up to their signs: a loss should not
    depend on them).

    Raises:
        RuntimeError: not square, or UPLO other than "L" and "U".
    """
    a = _float_input("eigh", A)
    _square("eigh", a)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    values, vectors = _Eigh.apply(a, UPLO)
    return EighResult(values, vectors)


def eigvalsh(A: TensorLike, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric matrices in ascending order, as
    `torch.linalg.eigvalsh`; differentiable."""
    return eigh(A, UPLO)[0]


class _QR(Function):
    """A = Q R (m >= n)      dA = (dQ + Q copyltu(M)) R^-T, M = R dR^T - dQ^T Q,
    copyltu(M) = tril(M) + tril(M, -1)^T (PyTorch's `linalg_qr_backward`)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, mode: str) -> tuple[Tensor, Tensor]:  # type: ignore[override]
        q: np.ndarray = np.empty((0,), dtype=a.dtype)
        if mode == "r":
            r: np.ndarray = np.asarray(np.linalg.qr(a.data, mode="r"))
        else:
            q, r = np.linalg.qr(a.data, mode="complete" if mode == "complete" else "reduced")
        ctx.mode = mode
        out = Tensor(q.astype(a.dtype)), Tensor(r.astype(a.dtype))
        ctx.save_for_backward(a, *out)
        return out

    @staticmethod
    def backward(ctx: Any, dq: Tensor, dr: Tensor) -> tuple[Tensor, None]:
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr."
            )
        if m < n or (ctx.mode == "complete" and m > n):
            raise RuntimeError(
                "linalg.qr: the derivative is implemented here only for A with at least "
                "as many rows as columns (and mode='reduced' when there are more)"
            )
        if is_grad_enabled():
            q, r = qr(a, ctx.mode)
        m_ = r @ dr.mT - dq.mT @ q
        copied = tril(m_) + tril(m_, -1).mT
        return (dq + q @ copied) @ inv(r).mT, None


class QRResult(NamedTuple):
    """(Q, R), as torch's ``torch.return_types.linalg_qr``."""

    Q: Tensor
    R: Tensor


def qr(A: TensorLike, mode: str = "reduced") -> QRResult:
    """(Q, R) with A = Q R, Q with orthonormal columns and R upper triangular, as
    `torch.linalg.qr` (``mode`` "reduced", "complete" or "r": R alone, Q empty);
    differentiable for full-rank A with at least as many rows as columns.

    Raises:
        RuntimeError: fewer than 2 dimensions, or an unknown mode.
    """
    a = _float_input("qr", A)
    if a.ndim < 2:
        raise RuntimeError(_too_few_dims("qr", "A", a.ndim))
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
            "(default), 'r', or 'complete'"
        )
    q, r = _QR.apply(a, mode)
    return QRResult(q, r)


def _tolerance(s: np.ndarray, shape: tuple[int, ...], atol: Any, rtol: Any) -> np.ndarray:
    """PyTorch's cut-off for singular values: max(atol, rtol * largest), rtol by
    default max(m, n) * eps when neither is given (0 when only atol is)."""
    eps = np.finfo(s.dtype).eps
    a = 0.0 if atol is None else np.asarray(data_of(atol), dtype=s.dtype)
    if rtol is None:
        r = max(shape[-2:]) * eps if atol is None or np.all(a == 0) else 0.0
    else:
        r = np.asarray(data_of(rtol), dtype=s.dtype)
    largest = s.max(-1, initial=0.0) if s.size else np.zeros(s.shape[:-1], s.dtype)
    return np.maximum(
        np.asarray(a)[..., None] if np.ndim(a) else a, np.asarray(r * largest)[..., None]
    )


class _Pinv(Function):
    """P = A^+      dA = -P^T dP P^T + (I - A P) dP^T P P^T + P^T P dP^T (I - P A)"""

    @staticmethod
    def forward(ctx: Any, a: Tensor, atol: Any, rtol: Any) -> Tensor:  # type: ignore[override]
        u, s, vh = np.linalg.svd(a.data, full_matrices=False)
        keep = s > _tolerance(s, a.shape, atol, rtol)
        s_inv = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0).astype(a.dtype)
        out = Tensor(np.swapaxes(vh, -1, -2) * s_inv[..., None, :] @ np.swapaxes(u, -1, -2))
        ctx.options = (atol, rtol)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, dz: Tensor) -> tuple[Tensor, None, None]:  # type: ignore[override]
        a, p = ctx.saved_tensors
        if is_grad_enabled():
            p = _Pinv.apply(a, *ctx.options)
        m, n = a.shape[-2:]
        eye_m, eye_n = np.eye(m, dtype=a.dtype), np.eye(n, dtype=a.dtype)
        grad = -(p.mT @ dz @ p.mT)
        grad = grad + (eye_m - a @ p) @ dz.mT @ p @ p.mT
        grad = grad + p.mT @ p @ dz.mT @ (eye_n - p @ a)
        return grad, None, None


def pinv(A: TensorLike, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse of (a batch of) matrices, singular values at or
    below max(atol, rtol * largest) taken as 0, as `torch.linalg.pinv`; differentiable
    (where the rank does not change).

    Raises:
        RuntimeError: fewer than 2 dimensions.
    """
    a = _float_input("pinv", A)
    if a.ndim < 2:
        raise RuntimeError(_too_few_dims("pinv", "A", a.ndim))
    return _Pinv.apply(a, atol, rtol)


def matrix_rank(
    A: TensorLike, *, atol: Any = None, rtol: Any = None, hermitian: bool = False
) -> Tensor:
    """The number of singular values above max(atol, rtol * largest) (an int64 tensor
    per matrix), as `torch.linalg.matrix_rank`."""
    a = _float_input("matrix_rank", A)
    if a.ndim < 2:
        raise RuntimeError(_too_few_dims("matrix_rank", "A", a.ndim))
    s = np.linalg.svd(a.data, compute_uv=False)
    return Tensor((s > _tolerance(s, a.shape, atol, rtol)).sum(-1).astype(np.int64))


def matrix_power(A: TensorLike, n: int) -> Tensor:
    """A multiplied by itself n times (the identity for 0, the inverse's power for n <
    0), by repeated squaring, as `torch.linalg.matrix_power`; differentiable.

    Raises:
        RuntimeError: not square; TypeError: n not an int.
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    a = A if isinstance(A, Tensor) else Tensor(np.asarray(A))
    _square("matrix_power", a)
    if n == 0:
        return Tensor(np.broadcast_to(_eye_like(a), a.shape).copy())
    base = inv(a) if n < 0 else a
    result: Tensor | None = None
    k = abs(int(n))
    while k:
        if k & 1:
            result = base if result is None else matmul(result, base)
        k >>= 1
        if k:
            base = matmul(base, base)
    assert result is not None
    return result


def multi_dot(tensors: Sequence[TensorLike]) -> Tensor:
    """The product of a chain of matrices (the first may be a row vector and the last a
    column vector, given 1-d), as `torch.linalg.multi_dot`.

    Raises:
        RuntimeError: fewer than 2 tensors, or middle ones that are not 2-d.
    """
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        ndim = data_of(t).ndim
        if ndim != 2 and not (ndim == 1 and i in (0, len(tensors) - 1)):
            raise RuntimeError(
                f"multi_dot(): tensor {i} must be 2D"
                + (" or 1D" if i in (0, len(tensors) - 1) else "")
                + f" but got {ndim}D"
            )
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


def cross(input: TensorLike, other: TensorLike, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along `dim` (default the last), broadcast, as
    `torch.linalg.cross`.

    Raises:
        RuntimeError: inputs of different numbers of dimensions (PyTorch's error), or
            not of size 3 along `dim`.
    """
    from autograd.ops.products_more import cross as cross_

    if data_of(input).ndim != data_of(other).ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")

    return cross_(input, other, dim)


def vecdot(x: TensorLike, y: TensorLike, *, dim: int = -1) -> Tensor:
    """The dot product of vectors along `dim` (broadcast), as `torch.linalg.vecdot`."""
    return sum_(mul(x, y), axis=dim)


def diagonal(A: TensorLike, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of the last two dims (by default), as `torch.linalg.diagonal`."""
    return _diagonal(A, offset, dim1, dim2)


def solve_triangular(
    A: TensorLike,
    B: TensorLike,
    *,
    upper: bool,
    left: bool = True,
    unitriangular: bool = False,
) -> Tensor:
    """X with A X = B (X A = B with ``left=False``), A triangular (its other triangle
    is not read; nor its diagonal, taken as ones, with `unitriangular`), as
    `torch.linalg.solve_triangular`; differentiable (A's gradient lies in its
    triangle).

    Raises:
        RuntimeError: A not square, B with fewer than 2 dimensions.
    """
    from autograd.linalg import solve

    a, b = _float_input("solve_triangular", A), _float_input("solve_triangular", B)
    _square("solve_triangular", a)
    if b.ndim < 2:
        raise RuntimeError(_too_few_dims("solve_triangular", "B", b.ndim))
    triangle = triu(a, 1 if unitriangular else 0) if upper else tril(a, -1 if unitriangular else 0)
    if unitriangular:
        triangle = triangle + _eye_like(a)
    return solve(triangle, b, left=left)


class LstsqResult(NamedTuple):
    """(solution, residuals, rank, singular_values), as torch's
    ``torch.return_types.linalg_lstsq``."""

    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


_DRIVERS = ("gelsy", "gelsd", "gelss", "gels")


def lstsq(A: TensorLike, B: TensorLike, rcond: Any = None, *, driver: Any = None) -> LstsqResult:
    """The least-squares solution X of A X = B, as `torch.linalg.lstsq` on the CPU:
    the solution (pinv(A) @ B, differentiable: the minimum-norm solution, which for a
    matrix of deficient rank is gelsd's and may differ from gelsy's), the squared
    residuals of each column (for drivers other than "gelsy", the default, when A is
    tall and of full rank; empty otherwise), the rank (empty for "gels") and the
    singular values ("gelsd" and "gelss"; empty otherwise).

    Raises:
        RuntimeError: an unknown driver, or A and B with different numbers of rows.
    """
    a, b = _float_input("lstsq", A), _float_input("lstsq", B)
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError(
            f"torch.linalg.lstsq: parameter `driver` should be one of {_DRIVERS}, got {driver!r}"
        )
    vector = b.ndim == a.ndim - 1
    if a.ndim < 2 or (b.shape[-1 if vector else -2] != a.shape[-2]):
        raise RuntimeError(
            f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    m, n = a.shape[-2:]
    eps = np.finfo(a.dtype).eps
    tol = max(m, n) * eps if rcond is None else rcond
    solution = pinv(a, rtol=tol) @ (reshape(b, (*b.shape, 1)) if vector else b)
    if vector:
        solution = reshape(solution, solution.shape[:-1])
    s = np.linalg.svd(a.data, compute_uv=False)
    rank = (s > tol * s.max(-1, keepdims=True)).sum(-1).astype(np.int64)
    empty = Tensor(np.empty((0,), dtype=a.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and bool(np.all(rank == n)):
        column = reshape(solution, (*solution.shape, 1)) if vector else solution
        difference = sub(matmul(a, column), reshape(b, (*b.shape, 1)) if vector else b)
        residuals = sum_(mul(difference, difference), axis=-2)
        if vector:
            residuals = reshape(residuals, residuals.shape[:-1])
    return LstsqResult(
        solution,
        residuals,
        Tensor(rank) if driver != "gels" else Tensor(np.empty((0,), dtype=np.int64)),
        Tensor(s.astype(a.dtype)) if driver in ("gelsd", "gelss") else empty,
    )


def cond(A: TensorLike, p: Any = None) -> Tensor:
    """The condition number of (a batch of) matrices in the norm `p`, as
    `torch.linalg.cond`: for None, 2 and -2 the ratio of extreme singular values
    (differentiable where they are distinct: computed from the eigenvalues of A^T A);
    for "fro", "nuc", inf, -inf, 1, -1 ``norm(A, p) * norm(inv(A), p)`` (square A).

    Raises:
        RuntimeError: a norm other than PyTorch's, or a non-square A for the norms that
            need its inverse.
    """
    a = _float_input("cond", A)
    if p in (None, 2, -2):
        gram = a.mT @ a if a.shape[-2] >= a.shape[-1] else a @ a.mT
        w = eigvalsh(gram)
        n = w.shape[-1]
        low = reshape(w[..., 0], w.shape[:-1])
        high = reshape(w[..., n - 1], w.shape[:-1])
        ratio = high / low if p != -2 else low / high
        return ratio**0.5
    if p not in ("fro", "nuc", math.inf, -math.inf, 1, -1):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _square("cond", a)
    return mul(matrix_norm(a, p), matrix_norm(inv(a), p))


_PADE13 = (
    64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
    129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
    40840800.0, 960960.0, 16380.0, 182.0, 1.0,
)  # fmt: skip
_THETA13 = 5.371920351148152


def _expm(a: np.ndarray) -> np.ndarray:
    """exp of (a batch of) square matrices by scaling and squaring with the degree-13
    Pade approximant (Higham 2005), in float64."""
    x = a.astype(np.float64)
    norm = np.abs(x).sum(-2).max() if x.size else 0.0
    s = max(0, math.ceil(math.log2(norm / _THETA13))) if norm > _THETA13 else 0
    x = x / 2**s
    b = _PADE13
    eye = np.broadcast_to(np.eye(x.shape[-1]), x.shape)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (
        x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye
    )
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r.astype(a.dtype)


class _MatrixExp(Function):
    """exp(A)      dA = the top-right block of exp([[A^T, dz], [0, A^T]])"""

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(a)
        return Tensor(_expm(a.data))

    @staticmethod
    def backward(ctx: Any, dz: Tensor) -> Tensor:  # type: ignore[override]
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        zeros = Tensor(np.zeros(a.shape, dtype=a.dtype))
        block = cat([cat([a.mT, dz], -1), cat([zeros, a.mT], -1)], -2)
        return matrix_exp(block)[..., :n, n:]


def matrix_exp(A: TensorLike) -> Tensor:
    """The matrix exponential of (a batch of) square matrices, as
    `torch.linalg.matrix_exp`; differentiable (to any order).

    Raises:
        RuntimeError: not square.
    """
    a = _float_input("matrix_exp", A)
    _square("matrix_exp", a)
    return _MatrixExp.apply(a)


def cholesky_(A: TensorLike, upper: bool = False) -> Tensor:
    """`torch.cholesky(A, upper=False)`: `linalg.cholesky` (torch's older name)."""
    return cholesky(A, upper=upper)


def qr_(A: TensorLike, some: bool = True) -> QRResult:
    """`torch.qr(A, some=True)`: `linalg.qr` in mode "reduced" ("complete" when `some`
    is False)."""
    return qr(A, "reduced" if some else "complete")


def pinverse(A: TensorLike, rcond: float = 1e-15) -> Tensor:
    """`torch.pinverse(A, rcond=1e-15)`: `linalg.pinv` with rtol `rcond`."""
    return pinv(A, rtol=rcond)


def chain_matmul(*matrices: TensorLike) -> Tensor:
    """`torch.chain_matmul(*matrices)`: `linalg.multi_dot` of 2-d matrices (one matrix
    returned as it is).

    Raises:
        RuntimeError: no matrices, or one that is not 2-d.
    """
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        if data_of(matrices[0]).ndim != 2:
            raise RuntimeError(
                f"chain_matmul(): Tensor 0 must be 2D, got {data_of(matrices[0]).ndim}D"
            )
        return matrices[0] if isinstance(matrices[0], Tensor) else Tensor(data_of(matrices[0]))
    for i, m in enumerate(matrices):
        if data_of(m).ndim != 2:
            raise RuntimeError(f"chain_matmul(): Tensor {i} must be 2D, got {data_of(m).ndim}D")
    return multi_dot(matrices)
