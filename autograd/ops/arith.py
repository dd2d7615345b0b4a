"""Arithmetic: the operators `+ - * / ** @`, `abs`, `maximum`, `minimum`, `where`.

Each docstring gives the forward and the derivative on one line. `Function` sums
every gradient back to its input's broadcast shape, so no op here handles that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.function import Function
from autograd.ops.args import OperandError
from autograd.tensor import Tensor, data_of, get_default_dtype

TensorLike = Any


_KIND = {"b": 0, "u": 1, "i": 1, "f": 2}  # PyTorch's categories: bool < integer < float


def promote(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`a` and `b` cast so that numpy's result has the dtype PyTorch's would have.

    numpy and PyTorch agree when both operands have the same dtype, or both are arrays
    (or both 0-d) of the same kind. They differ elsewhere, and PyTorch's rule is the
    one kept: the operand of the higher category (bool < integer < float) sets the
    dtype, an array's dtype winning over a 0-d one's within a category. So int64 times
    float32 is float32 (numpy: float64), and float32 times a 0-d float64 is float32
    (numpy: float64). Python numbers were made 0-d arrays of the default float dtype
    (or of the other operand's) by `Function.apply` already.
    """
    if a.dtype == b.dtype:
        return a, b
    ka, kb = _KIND.get(a.dtype.kind, 2), _KIND.get(b.dtype.kind, 2)
    if ka == kb:
        if (a.ndim == 0) == (b.ndim == 0):
            return a, b  # same category and rank class: numpy's widest is PyTorch's too
        dtype = b.dtype if a.ndim == 0 else a.dtype
    else:
        dtype = a.dtype if ka > kb else b.dtype
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False)


def promote_all(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """`arrays` cast to the one dtype PyTorch gives `cat` and `stack` of them: the widest
    dtype of the highest category present (bool < integer < float), so int64 joined with
    float32 is float32 (numpy: float64)."""
    if all(a.dtype == arrays[0].dtype for a in arrays):
        return list(arrays)
    top = max(_KIND.get(a.dtype.kind, 2) for a in arrays)
    dtype = np.result_type(*(a.dtype for a in arrays if _KIND.get(a.dtype.kind, 2) == top))
    return [a.astype(dtype, copy=False) for a in arrays]


class Add(Function):
    """z = a + b      da = dz      db = dz"""

    scalars = True
    saves_inputs = False

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return a + b

    def backward(self, dz, a, b):
        return dz, dz


class Sub(Function):
    """z = a - b      da = dz      db = -dz"""

    scalars = True
    saves_inputs = False

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return a - b

    def backward(self, dz, a, b):
        return dz, -dz


def factors_read(a: Tensor, b: Tensor) -> tuple[Tensor, ...]:
    """The factors of a product that its backward reads: each one for the other's
    gradient only (`Function.read_inputs`)."""
    read = []
    if b.requires_grad:
        read.append(a)
    if a.requires_grad:
        read.append(b)
    return tuple(read)


class Mul(Function):
    """z = a * b      da = dz * b      db = dz * a"""

    scalars = True

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return a * b

    def read_inputs(self):
        return factors_read(*self.inputs)

    def backward(self, dz, a, b):
        need_a, need_b = self.inputs[0].requires_grad, self.inputs[1].requires_grad
        return (dz * b if need_a else None), (dz * a if need_b else None)


class Div(Function):
    """z = a / b      da = dz / b      db = -dz * a / b**2"""

    scalars = True

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        if a.dtype.kind != "f":  # integers divide into the default float dtype, as in torch
            return np.true_divide(a, b, dtype=get_default_dtype())
        return a / b

    def backward(self, dz, a, b):
        da = dz / b
        return da, -da * a / b

    def read_inputs(self):  # b always; a for b's gradient only
        a, b = self.inputs
        return (b, a) if b.requires_grad else (b,)


class Remainder(Function):
    """z = a - b * floor(a / b), Python's ``a % b`` (the sign of b), as `torch.remainder`
    da = dz      db = -dz * floor(a / b)   (the floored quotient, whose slope is 0)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # x % 0 is nan, as torch's
            return np.remainder(a, b)

    def backward(self, dz, a, b):
        x, y = data_of(a), data_of(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return dz, -dz * np.floor_divide(x, y)


class Neg(Function):
    """z = -a      da = -dz"""

    scalars = True
    saves_inputs = False

    def forward(self, a):
        return -a

    def backward(self, dz, a):
        return -dz


class Pow(Function):
    """z = a ** b      da = dz * b * a**(b - 1)      db = dz * z * log(a)

    As in PyTorch, da is 0 where b = 0 and db is 0 where a = 0 and b >= 0: there the
    formulas read 0 * inf (`x ** 0` at x = 0, `0 ** b`), while the true slopes are 0.
    They are computed with a replaced by 1 at those places, so b = 0 (or log 1 = 0)
    gives the 0 and no inf enters the graph (second derivatives stay finite too).
    """

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return a**b

    def backward(self, dz, a, b):
        need_a, need_b = self.needs_input_grad
        a_zero = np.asarray(a) == 0
        da = db = None
        with np.errstate(divide="ignore", invalid="ignore"):  # true infinities (0 ** -1)
            if need_a:
                da = dz * b * self._base(a, a_zero & (np.asarray(b) == 0)) ** (b - 1)
            if need_b:
                db = dz * self.output * self.xp.log(self._base(a, a_zero & (np.asarray(b) >= 0)))
        return da, db

    def _base(self, a: Any, hole: np.ndarray) -> Any:
        """a with 1 at the places `hole` (a itself when there are none)."""
        return self.xp.where(hole, 1.0, a) if hole.any() else a


class Abs(Function):
    """z = |a|      da = dz * sign(a)"""

    def forward(self, a):
        return np.abs(a)

    def backward(self, dz, a):
        return dz * self.xp.sign(a)


class Maximum(Function):
    """z = max(a, b)      da = dz * [a > b]      db = dz * [b > a]   (ties split 1/2 each)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.maximum(a, b)

    def backward(self, dz, a, b):
        return _split_by_mask(dz, a, b)


class Minimum(Function):
    """z = min(a, b)      da = dz * [a < b]      db = dz * [b < a]   (ties split 1/2 each)"""

    def forward(self, a, b):
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.minimum(a, b)

    def backward(self, dz, a, b):
        return _split_by_mask(dz, b, a)


def _split_by_mask(dz: Any, winner: Any, loser: Any) -> tuple[Any, Any]:
    """Route dz to the larger of two operands; on ties each gets half, as in PyTorch."""
    w, l = np.asarray(winner), np.asarray(loser)
    share = (w > l) + 0.5 * (w == l)
    dtype = np.asarray(dz).dtype  # not w's: an integer operand would round the halves
    return dz * share.astype(dtype), dz * (1.0 - share).astype(dtype)


class Where(Function):
    """z = a where cond else b      da = dz * cond      db = dz * (not cond)"""

    saves_inputs = False  # backward reads the condition only (so masked_fill_ may write a)

    def forward(self, a, b, cond):
        self.cond = cond
        if a.dtype is not b.dtype:
            a, b = promote(a, b)
        return np.where(cond, a, b)

    def backward(self, dz, a, b):
        zero = np.zeros((), dtype=dz.dtype)
        return self.xp.where(self.cond, dz, zero), self.xp.where(self.cond, zero, dz)


class MatMul(Function):
    """z = a @ b      da = dz @ b.T      db = a.T @ dz   (1-d operands as in numpy;
    both of one dtype, as PyTorch's)"""

    def forward(self, a, b):
        # shapes that do not fit raise OperandError: torch's RuntimeError, numpy's ValueError
        if a.ndim == 0 or b.ndim == 0:
            raise OperandError("matmul needs operands with at least 1 dimension; use * for scalars")
        if a.dtype != b.dtype:  # PyTorch's matmul does not promote
            raise OperandError(
                f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != "
                f"{b.dtype}; convert one first, e.g. a @ b.to(a.dtype)"
            )
        k_a = a.shape[-1]
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if k_a != k_b:
            raise OperandError(
                _torch_words(a.shape, b.shape)
                + f"matmul shapes {a.shape} and {b.shape} do not align: "
                f"{k_a} (last axis of a) != {k_b} ({'axis 0' if b.ndim == 1 else 'axis -2'} of b)"
            )
        try:
            return a @ b
        except ValueError:
            raise OperandError(
                f"matmul shapes {a.shape} and {b.shape}: the batch dimensions "
                f"{a.shape[:-2]} and {b.shape[:-2]} do not broadcast"
            ) from None

    def read_inputs(self):
        return factors_read(*self.inputs)

    def backward(self, dz, a, b):
        need_a, need_b = self.inputs[0].requires_grad, self.inputs[1].requires_grad
        if a.ndim == 2 and b.ndim == 2:
            return (dz @ b.T if need_a else None), (a.T @ dz if need_b else None)
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        if a.ndim == 1:
            dz = dz.reshape((*dz.shape[:-1], 1, dz.shape[-1]) if b.ndim > 1 else (1,))
        if b.ndim == 1:
            dz = dz.reshape((*dz.shape, 1))
        da = dz @ _swap_last(b2) if need_a else None
        db = _swap_last(a2) @ dz if need_b else None
        if da is not None and a.ndim == 1:
            da = da.reshape(-1, a.shape[0]).sum(axis=0) if da.ndim > 2 else da.reshape(a.shape)
        if db is not None and b.ndim == 1:
            db = db.reshape(-1, b.shape[0]).sum(axis=0) if db.ndim > 2 else db.reshape(b.shape)
        return da, db


def _swap_last(x: Any) -> Any:
    """x with its last two axes swapped (works on ndarrays and Tensors)."""
    if x.ndim == 2:
        return x.T
    axes = (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2)
    return x.transpose(axes)


class AsType(Function):
    """z = a as dtype      da = dz as a's dtype"""

    saves_inputs = False  # backward reads a's dtype only (so x.clone() lets x be written)

    def forward(self, a, dtype):
        if 0 in a.strides and not a.flags.c_contiguous:
            # elements shared along an axis (`expand`): PyTorch's copy is contiguous
            return a.astype(dtype, order="C")
        return a.astype(dtype)  # numpy's layout, as PyTorch keeps a dense tensor's

    def backward(self, dz, a):
        return dz.astype(a.dtype)


def add(a: TensorLike, b: TensorLike, *, alpha: Any = 1) -> Tensor:
    """a + alpha * b, as `torch.add` (`alpha` scales the second operand)."""
    return Add.apply(a, b if alpha == 1 else mul(b, alpha))


def sub(a: TensorLike, b: TensorLike, *, alpha: Any = 1) -> Tensor:
    """a - alpha * b, as `torch.sub`."""
    return Sub.apply(a, b if alpha == 1 else mul(b, alpha))


def mul(a: TensorLike, b: TensorLike) -> Tensor:
    return Mul.apply(a, b)


def div(a: TensorLike, b: TensorLike, *, rounding_mode: str | None = None) -> Tensor:
    """a / b, as `torch.div` (`rounding_mode` as `divide`'s)."""
    if rounding_mode is None:
        return Div.apply(a, b)
    return divide(a, b, rounding_mode)


def neg(a: TensorLike) -> Tensor:
    return Neg.apply(a)


def remainder(a: TensorLike, b: TensorLike) -> Tensor:
    """a % b with the sign of b, as `torch.remainder` and Python's ``%``."""
    return Remainder.apply(a, b)


def floor_divide(a: TensorLike, b: TensorLike) -> Tensor:
    """a // b rounded toward -inf, as `torch.floor_divide` and Python's ``//``: a Tensor
    outside the graph (`divide` with ``rounding_mode="floor"``)."""
    return divide(a, b, rounding_mode="floor")


def power(a: TensorLike, b: TensorLike) -> Tensor:
    return Pow.apply(a, b)


def abs(a: TensorLike) -> Tensor:
    return Abs.apply(a)


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    return Maximum.apply(a, b)


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    return Minimum.apply(a, b)


def where(cond: TensorLike, a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise `a if cond else b`; `cond` is a boolean array or tensor (no gradient)."""
    cond = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    return Where.apply(a, b, cond=cond)


def _torch_words(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """PyTorch's words for a matrix product that does not fit, where b is a matrix (a's
    leading axes folded into its rows, as torch's message counts them), such as
    ``mat1 and mat2 shapes cannot be multiplied (32x64 and 200x27); ``."""
    if len(b) != 2:
        return ""
    rows = int(np.prod(a[:-1]))
    return f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a[-1]} and {b[0]}x{b[1]}); "


def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    return MatMul.apply(a, b)


def astype(a: TensorLike, dtype: npt.DTypeLike) -> Tensor:
    dtype = np.dtype(dtype)
    if dtype.kind not in "biuf":
        raise TypeError(f"astype: tensors hold bool, integer or float data, not {dtype}")
    if dtype.kind != "f":  # rounding has no useful slope: out of the graph, as in PyTorch
        data = a.data if isinstance(a, Tensor) else np.asarray(a)
        return Tensor._make(data.astype(dtype))
    return AsType.apply(a, dtype=dtype)


def compare(op: np.ufunc, a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise comparison: a bool Tensor that does not require grad."""
    a = a.data if isinstance(a, Tensor) else a
    b = b.data if isinstance(b, Tensor) else b
    try:
        return Tensor._make(np.asarray(op(a, b)))
    except ValueError as err:
        raise ValueError(f"{op.__name__}: {err}") from None


def divide(a: TensorLike, b: TensorLike, rounding_mode: str | None = None) -> Tensor:
    """a / b, as `torch.div`: true division, or with ``rounding_mode="trunc"`` (toward
    zero) or ``"floor"`` the rounded quotient (of integers, an integer), a Tensor outside
    the graph (its slope is zero wherever it is defined).

    Raises:
        RuntimeError: another rounding mode (PyTorch's error type).
    """
    if rounding_mode is None:
        return div(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}"
        )
    x, y = data_of(a), data_of(b)
    if x.dtype.kind in "biu" and y.dtype.kind in "biu":  # integers stay integers
        x, y = promote(x, y)
    else:  # in the dtype of the true quotient (Python numbers as `Function.apply` takes them)
        dtype = div(*(v.detach() if isinstance(v, Tensor) else v for v in (a, b))).dtype
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        if rounding_mode == "floor":  # Python's floor division (not floor(x / y): rounding)
            rounded = np.floor_divide(x, y)
        else:
            rounded = np.trunc(x / y) if x.dtype.kind == "f" else _trunc_divide(x, y)
    return Tensor._make(np.asarray(rounded))


def _trunc_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Integer division rounded toward zero (numpy's // rounds toward -inf)."""
    q = np.floor_divide(x, y)
    return q + ((q < 0) & (q * y != x))
