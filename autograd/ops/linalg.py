"""Products of vectors and matrices by PyTorch's names: `einsum`, `dot`, `mm`, `bmm`,
`outer`, `diag`, `trace`.

`Einsum` is one op whose gradients are einsums themselves. The others are `matmul`,
a product or indexing, after the shape checks that make them raise PyTorch's errors.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.args import OperandError
from autograd.ops.arith import matmul, mul
from autograd.ops.shape import IndexAdd, getitem, index_add, reshape
from autograd.tensor import Tensor, data_of

TensorLike = Any


class Einsum(Function):
    """z = einsum("s_1,...,s_n->out", x_1, ..., x_n)
    dx_i = einsum("out,s_j (j != i)->s_i", dz, x_j...), spread over the letters only
    x_i has (summed out by it alone) and put on the diagonal where s_i repeats a letter.

    The subscripts reach the op with every ellipsis spelled out as letters (`einsum`).
    """

    def forward(self, *xs, subscripts, output):
        self.subscripts, self.out = subscripts, output
        equation = f"{','.join(subscripts)}->{output}"
        try:
            return np.einsum(equation, *xs, optimize=len(xs) > 1)
        except ValueError as err:
            raise OperandError(f"{err} (equation {equation!r})") from None

    def backward(self, dz, *xs):
        return tuple(
            self._grad(i, dz, xs) if need else None for i, need in enumerate(self.needs_input_grad)
        )

    def _grad(self, i: int, dz: Any, xs: tuple[Any, ...]) -> Any:
        mine = self.subscripts[i]
        others = [s for j, s in enumerate(self.subscripts) if j != i]
        seen = set(self.out).union(*others)
        letters = list(dict.fromkeys(mine))  # each letter once, in order
        size = {c: n for c, n in zip(mine, xs[i].shape)}
        kept = "".join(c for c in letters if c in seen)
        g = self.xp.einsum(
            f"{','.join([self.out, *others])}->{kept}", dz, *(x for j, x in enumerate(xs) if j != i)
        )
        if not isinstance(g, Tensor):
            g = np.asarray(g)  # numpy gives a 0-d result as a scalar
        # Letters x_i sums alone, or has where the others have size 1 (broadcast): the
        # gradient is the same all along them.
        shape = tuple(g.shape[kept.index(c)] if c in kept else 1 for c in letters)
        full = tuple(size[c] if n == 1 else n for n, c in zip(shape, letters))
        if shape != g.shape:
            g = g.reshape(shape)
        if full != shape:
            g = self.xp.broadcast_to(g, full)
        if len(letters) < len(mine):  # a repeated letter: x_i's diagonal
            grid = np.indices(g.shape, sparse=True)
            where = tuple(grid[letters.index(c)] for c in mine)
            return index_add(g, where, xs[i].shape)
        return g


def _spell_out(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """The subscripts of each operand and of the output, with "..." replaced by letters
    the equation does not use (aligned from the right, as broadcasting aligns), and the
    implicit output (no "->") made explicit: the ellipsis, then the letters used once,
    in alphabetical order.

    Raises:
        RuntimeError: PyTorch's cases: operands and subscripts that do not match in
            number, output letters repeated or not in any input.
    """
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(
            f"einsum(): the equation {equation!r} has {len(terms)} operands, "
            f"{len(shapes)} were given"
        )
    free = [c for c in string.ascii_letters if c not in equation]
    ranks = []
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        letters = len(term.replace("...", ""))
        if "..." in term and letters <= len(shape):
            ranks.append(len(shape) - letters)
        elif "..." in term or letters != len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in {term!r} ({letters}) does not match "
                f"the number of dimensions ({len(shape)}) of operand {k}"
            )
        else:
            ranks.append(0)
    ellipsis = "".join(free[: max(ranks, default=0)])
    subs = [t.replace("...", ellipsis[len(ellipsis) - r :]) for t, r in zip(terms, ranks)]
    if arrow:
        out = rhs.replace("...", ellipsis)
    else:
        counts = "".join(subs)
        once = sorted(c for c in set(counts) if counts.count(c) == 1)
        out = ellipsis + "".join(c for c in once if c not in ellipsis)
    for c in set(out):
        if out.count(c) > 1 or not any(c in s for s in subs):
            raise RuntimeError(
                f"einsum(): output subscript {c} appears more than once or in no input"
            )
    return subs, out


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as `torch.einsum` (and `numpy.einsum`): ``einsum("ij,jk->ik",
    a, b)`` is `a @ b`; operands may also come as one list. Any form numpy takes,
    with "..." for broadcast dims; repeated letters in one operand take its diagonal.
    """
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    subs, out = _spell_out(equation, [data_of(x).shape for x in operands])
    return Einsum.apply(*operands, subscripts=tuple(subs), output=out)


def _ndim_error(name: str, want: str, *tensors: TensorLike) -> RuntimeError:
    dims = " and ".join(f"{data_of(t).ndim}-d {data_of(t).shape}" for t in tensors)
    return RuntimeError(f"{name}: expected {want}, got {dims}")


def dot(input: TensorLike, tensor: TensorLike) -> Tensor:
    """The inner product of two vectors of one length, as `torch.dot`.

    Raises:
        RuntimeError: not two 1-d tensors of equal length and dtype.
    """
    a, b = data_of(input), data_of(tensor)
    if a.ndim != 1 or b.ndim != 1:
        raise _ndim_error("dot", "two 1-d tensors", input, tensor)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise RuntimeError(
            f"dot: expected two vectors of one length and dtype, got {a.shape} {a.dtype} "
            f"and {b.shape} {b.dtype}"
        )
    return matmul(input, tensor)


def mm(input: TensorLike, mat2: TensorLike) -> Tensor:
    """The product of two matrices, as `torch.mm` (no broadcasting).

    Raises:
        RuntimeError: not two 2-d tensors, or shapes that cannot be multiplied.
    """
    a, b = data_of(input), data_of(mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise _ndim_error("mm", "two matrices", input, mat2)
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mm: mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    return matmul(input, mat2)


def mv(input: TensorLike, vec: TensorLike) -> Tensor:
    """The product of a matrix and a vector, as `torch.mv` (no broadcasting).

    Raises:
        RuntimeError: not a matrix and a vector, or sizes that cannot be multiplied.
    """
    a, b = data_of(input), data_of(vec)
    if a.ndim != 2 or b.ndim != 1:
        raise _ndim_error("mv", "a matrix and a vector", input, vec)
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mv: size mismatch, got mat ({a.shape[0]}x{a.shape[1]}) and vec ({b.shape[0]})"
        )
    return matmul(input, vec)


def bmm(input: TensorLike, mat2: TensorLike) -> Tensor:
    """Batched matrix products of (b, n, m) and (b, m, p) tensors, as `torch.bmm` (no
    broadcasting).

    Raises:
        RuntimeError: not two 3-d tensors, or batch or inner sizes that differ.
    """
    a, b = data_of(input), data_of(mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise _ndim_error("bmm", "two 3-d tensors", input, mat2)
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(
            f"bmm: expected the first two dimensions of mat2 to be {[a.shape[0], a.shape[2]]}, "
            f"got {list(b.shape[:2])} (shapes {a.shape} and {b.shape})"
        )
    return matmul(input, mat2)


def outer(input: TensorLike, vec2: TensorLike) -> Tensor:
    """out[i, j] = input[i] * vec2[j], as `torch.outer`.

    Raises:
        RuntimeError: not two 1-d tensors.
    """
    if data_of(input).ndim != 1 or data_of(vec2).ndim != 1:
        raise _ndim_error("outer", "two 1-d tensors", input, vec2)
    return mul(reshape(input, -1, 1), vec2)


def _diagonal(shape: tuple[int, int], diagonal: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of a matrix's `diagonal` (0 the main one, > 0 above it)."""
    rows, cols = shape
    start_row, start_col = max(-diagonal, 0), max(diagonal, 0)
    n = max(min(rows - start_row, cols - start_col), 0)
    steps = np.arange(n)
    return steps + start_row, steps + start_col


def diag(input: TensorLike, diagonal: int = 0) -> Tensor:
    """A vector's square matrix (the vector on `diagonal`, zeros elsewhere), or a
    matrix's `diagonal` as a vector, as `torch.diag`.

    Raises:
        RuntimeError: neither a vector nor a matrix.
    """
    shape = data_of(input).shape
    if len(shape) == 1:
        n = shape[0] + abs(diagonal)
        return IndexAdd.apply(input, index=_diagonal((n, n), diagonal), shape=(n, n))
    if len(shape) == 2:
        return getitem(input, _diagonal(shape, diagonal))
    raise RuntimeError(f"diag: supports 1-d or 2-d tensors, got {len(shape)}-d {shape}")


def trace(input: TensorLike) -> Tensor:
    """The sum of a matrix's main diagonal (of min(rows, cols) elements), as `torch.trace`.

    Raises:
        RuntimeError: not a matrix.
    """
    shape = data_of(input).shape
    if len(shape) != 2:
        raise RuntimeError(f"trace: expected a matrix, got {len(shape)}-d {shape}")
    return getitem(input, _diagonal(shape, 0)).sum()
