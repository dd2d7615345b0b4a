"""Two fused ops that every network uses: an affine map and softmax cross entropy.

Both could be composed from other ops (`x @ w.T + b`; `-log_softmax(x)[i, y].mean()`).
They are ops of their own because their derivatives are the two classic lessons of
backprop (the dense layer and "softmax minus one-hot"), and because one node instead
of two (or four) makes a small network's training step markedly faster.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function
from autograd.ops.args import OperandError
from autograd.ops.arith import factors_read
from autograd.ops.elementwise import FUSABLE
from autograd.ops.reduce import Softmax
from autograd.tensor import Tensor

TensorLike = Any
_sum = np.add.reduce  # ndarray.sum without its Python wrapper (forward sees only arrays)


class Affine(Function):
    """z = x @ W + b      dx = dz @ W.T      dW = x.T @ dz      db = sum(dz over rows)

    W is `weight.T` for PyTorch's layout, weight (out, in) (the default), or the
    weight itself for Keras's kernel layout (in, out) (`kernel=True`). The transpose is
    a view: numpy hands it to BLAS as a flag, with no copy. x has shape (..., in) and
    b (out,); leading axes of x are batch axes.

    The subclasses below return a = f(z) instead, for an activation f ("relu",
    "sigmoid" or "tanh") applied to z in place; their backward first turns da into
    dz = da * f'(z), which for these three is a function of a (`FUSABLE`). The numbers
    are those of the two ops one after the other; the graph has one node where it
    would have two.
    """

    activation: str | None = None

    def forward(self, x, w, b=None, kernel=False):
        n_in = w.shape[0 if kernel else 1] if w.ndim == 2 else None
        if x.ndim == 0 or n_in is None or x.shape[-1] != n_in:
            layout = "(in_features, out_features)" if kernel else "(out_features, in_features)"
            raise ValueError(
                f"linear: input of shape {x.shape} does not fit weight of shape {w.shape} "
                f"(weight is {layout}; the input's last axis must be {n_in or 'in_features'})"
            )
        self.kernel = kernel
        z = x @ (w if kernel else w.T)
        if b is not None:
            z += b
        if self.activation is None:
            return z
        return FUSABLE[self.activation][0](z)

    def read_inputs(self):  # x and W as a product's factors; backward never reads b
        return factors_read(self.inputs[0], self.inputs[1])

    def backward(self, dz, x, w, b=None):
        if self.activation is not None:
            dz = FUSABLE[self.activation][1](dz, self.output)
        need_x, need_w = self.inputs[0].requires_grad, self.inputs[1].requires_grad
        dx = dz @ (w.T if self.kernel else w) if need_x else None
        dw = None
        if need_w:
            x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
            dz2 = dz if dz.ndim == 2 else dz.reshape(-1, dz.shape[-1])
            # dW is made in the weight's own memory layout, so the update
            # `w -= lr * dw` runs over two arrays alike: x.T @ dz is the kernel's
            # layout, and its transpose a column-major (out, in) weight's.
            if self.kernel:
                dw = x2.T @ dz2
            elif _column_major(w):  # written through its transpose: an array of its own
                dw = np.empty(w.shape, np.promote_types(x2.dtype, dz2.dtype), order="F")
                np.matmul(x2.T, dz2, out=dw.T)
            else:
                dw = dz2.T @ x2
        if b is None:
            return dx, dw
        if type(dz) is np.ndarray and dz.ndim == 2:
            return dx, dw, _sum(dz, 0)
        return dx, dw, dz.sum(axis=tuple(range(dz.ndim - 1)))


class AffineReLU(Affine):
    """a = relu(x @ W + b)      dz = da * [a > 0], then Affine's backward"""

    activation = "relu"


class AffineSigmoid(Affine):
    """a = sigmoid(x @ W + b)      dz = da * a * (1 - a), then Affine's backward"""

    activation = "sigmoid"


class AffineTanh(Affine):
    """a = tanh(x @ W + b)      dz = da * (1 - a**2), then Affine's backward"""

    activation = "tanh"


#: The affine op that applies each activation of `FUSABLE` itself.
FUSED = {"relu": AffineReLU, "sigmoid": AffineSigmoid, "tanh": AffineTanh}


def _column_major(w: Any) -> bool:
    """True for an ndarray stored column-major only (a Tensor, under create_graph,
    has no layout to follow)."""
    return type(w) is np.ndarray and w.flags.f_contiguous and not w.flags.c_contiguous


class SoftmaxCrossEntropy(Function):
    """z = -log softmax(x)[target]      dx = (softmax(x) - onehot(target)) * dz

    x holds logits with classes on the last axis; target holds class indices with
    x's shape minus its last axis. `reduction` is "mean", "sum" or "none".
    `softmax`, when given, is the output of a softmax of x over its last axis made by
    the `Softmax` op, with that op's row maxima and sums: the loss reads them, and
    backward reads the probabilities, instead of computing them again.
    """

    def forward(self, x, target, reduction, softmax=None):
        classes = x.shape[-1]
        rows = x.reshape(-1, classes)
        n = len(rows)
        self.reduction, self.target = reduction, target.reshape(-1)
        if softmax is None:
            # The log-sum-exp trick (exp never overflows) shifts each row by its maximum,
            # read at the row's argmax: for short rows much faster than max(axis=-1).
            top = rows.reshape(-1)[rows.argmax(axis=1) + _offsets(n, classes)]
            self.e = np.exp(rows - top.reshape(n, 1))
            self.s = _sum(self.e, 1)
        else:
            self.softmax, top, total = softmax
            self.top = top = top.reshape(n)
            self.s = total.reshape(n)
        # loss_i = log(sum_j exp(x_ij)) - x_i,target_i, both terms shifted by the row max.
        # The 2-d gather raises for an index >= C (`cross_entropy` checks the rest).
        try:
            picked = rows[_rows(n), self.target]
        except IndexError:
            raise ValueError(f"class index {self.target.max()} is outside [0, {classes})") from None
        picked -= top
        losses = np.log(self.s)
        losses -= picked
        if reduction == "none":
            return losses.reshape(target.shape)
        total = _sum(losses)
        if reduction != "mean":
            return total
        return total * (1.0 / n) if n else np.full((), np.nan, x.dtype)  # an empty batch: nan

    def backward(self, dz, x, *_):
        n = self.target.size
        per_row = self.reduction == "none"  # dz holds one value per target
        tensor_mode = self.tensor_mode
        if self.reduction == "mean":  # (an empty batch has an empty gradient: any scale)
            dz = dz * (1.0 / max(n, 1)) if tensor_mode else dz.item() / max(n, 1)
        if tensor_mode:
            dz = dz.reshape((*dz.shape, 1)) if per_row else dz
            return (x.softmax(axis=-1) - self.onehot(x.shape)) * dz
        # softmax(x) * dz, less dz at each target (dz / s scales each row once).
        if per_row:
            dz = dz.reshape(n, 1)
        if "e" in self.__dict__:
            grad = self.e * (dz / self.s.reshape(n, 1))
        else:
            grad = self.probabilities(x.reshape(n, x.shape[-1])) * dz
        if not grad.flags.c_contiguous:  # column-major logits (x.T): reshape(-1) would copy
            grad = np.ascontiguousarray(grad)
        grad.reshape(-1)[self.picks(x.shape[-1])] -= dz.reshape(n) if per_row else dz
        return grad.reshape(x.shape)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """softmax(x) by rows, when forward was given it: the softmax's own output while
        it is unchanged (version 0, as `_softmax_parts` requires), else computed again
        from the logits."""
        p = self.softmax
        if not p._version:
            return p.data.reshape(rows.shape)
        n = len(rows)
        e = np.exp(rows - self.top.reshape(n, 1))
        e /= self.s.reshape(n, 1)
        return e

    def picks(self, classes: int) -> np.ndarray:
        """Flat positions of the targets in the (rows, classes) logits."""
        return _offsets(self.target.size, classes) + self.target

    def onehot(self, shape: tuple[int, ...]) -> np.ndarray:
        out = np.zeros(shape, dtype=self.s.dtype)
        out.reshape(-1)[self.picks(shape[-1])] = 1
        return out


_cache: dict[tuple[int, int], np.ndarray] = {}


def _offsets(n: int, step: int) -> np.ndarray:
    """np.arange(n) * step, cached read-only: a training loop asks for the same few."""
    key = (n, step)
    out = _cache.get(key)
    if out is None:
        if len(_cache) > 64:
            _cache.clear()
        out = _cache[key] = np.arange(n) * step
        out.flags.writeable = False
    return out


def _rows(n: int) -> np.ndarray:
    """np.arange(n), cached read-only."""
    return _offsets(n, 1)


def linear(
    x: TensorLike,
    weight: TensorLike,
    bias: TensorLike | None = None,
    activation: str | None = None,
) -> Tensor:
    """x @ weight.T + bias as one op, as `torch.nn.functional.linear`: weight has
    PyTorch's layout (out_features, in_features). `activation` ("relu", "sigmoid",
    "tanh") is applied inside the op: `linear(x, w, b, "relu")` is `relu(linear(x, w, b))`
    with one node instead of two.

    Raises:
        OperandError: (a RuntimeError, as PyTorch's) an input of integers or bools (token
            ids given where their embeddings were meant) to a float weight.
    """
    _check_float_input(x, weight)
    op = Affine if activation is None else _fused("linear", activation)
    if bias is None:
        return op.apply(x, weight)
    return op.apply(x, weight, bias)


def _check_float_input(x: TensorLike, weight: TensorLike) -> None:
    """PyTorch's refusal of a linear map of integers or bools by float weights.

    Floats of another precision than the weight's (a float64 batch made by numpy
    through a float32 layer) are promoted, as numpy promotes them, where PyTorch raises
    "mat1 and mat2 must have the same dtype": the library's tests and lessons feed
    numpy's float64 arrays to float32 layers."""
    if not isinstance(x, Tensor) or not isinstance(weight, Tensor):
        return
    if x.dtype.kind in "biu" and weight.dtype.kind == "f":
        raise OperandError(
            f"mat1 and mat2 must have the same dtype, but got {x.dtype} and {weight.dtype}: "
            "a linear map of integers; for token ids use an nn.Embedding, for numbers "
            f"convert them first, e.g. x.to({weight.dtype})"
        )


def dense(
    x: TensorLike,
    kernel: TensorLike,
    bias: TensorLike | None = None,
    activation: str | None = None,
) -> Tensor:
    """x @ kernel + bias as one op: kernel has Keras's layout (in_features, out_features).
    `activation` ("relu", "sigmoid", "tanh") is applied inside the op, as for `linear`."""
    op = Affine if activation is None else _fused("dense", activation)
    if bias is None:
        return op.apply(x, kernel, kernel=True)
    return op.apply(x, kernel, bias, kernel=True)


def _fused(name: str, activation: Any) -> type[Affine]:
    """The affine op applying `activation`, or a ValueError naming the choices."""
    op = FUSED.get(activation) if isinstance(activation, str) else None
    if op is None:
        raise ValueError(
            f"{name}: activation must be one of {sorted(FUSED)} or None, got {activation!r}"
        )
    return op


REDUCTIONS = ("mean", "sum", "none")
_UNSIGNED = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}  # by itemsize
_max = np.maximum.reduce


def cross_entropy(
    logits: TensorLike, target: Any, reduction: str = "mean", softmax: Tensor | None = None
) -> Tensor:
    """Softmax cross entropy of logits (classes on the last axis) with integer targets.

    Args:
        logits: unnormalized scores of shape (..., C).
        target: class indices in [0, C) of shape logits.shape[:-1].
        reduction: "mean" (over all targets), "sum" or "none".
        softmax: `autograd.softmax(logits, -1)` if it was computed already (a
            network's softmax output): the loss reuses its work, the row maxima and
            sums of exp, and backward its probabilities. Ignored unless it is exactly
            that op's output, recorded (grad mode was on) and unchanged.

    Raises:
        ValueError: on a target of the wrong shape or an index outside [0, C).
        TypeError: on non-integer targets.
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    shape = logits.data.shape if isinstance(logits, Tensor) else np.shape(logits)
    if t.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: targets must be integer class indices, got {t.dtype}")
    if not shape or t.shape != shape[:-1]:
        raise ValueError(
            f"cross_entropy: target of shape {t.shape} does not match logits of shape {shape} "
            f"(expected {shape[:-1]})"
        )
    # Seen as unsigned, a negative index becomes huge: one max() checks both bounds.
    # uint8/16/32 indices need no pass here: the op's gather raises for those >= C.
    if t.dtype.kind == "i" or t.itemsize == 8:
        if t.size and _max(t.view(_UNSIGNED[t.itemsize]), None) >= shape[-1]:
            bad = t.min() if t.min() < 0 else t.max()
            raise ValueError(f"cross_entropy: class index {bad} is outside [0, {shape[-1]})")
    shared = None if softmax is None else _softmax_parts(softmax, logits)
    if shared is not None:
        return SoftmaxCrossEntropy.apply(logits, target=t, reduction=reduction, softmax=shared)
    return SoftmaxCrossEntropy.apply(logits, target=t, reduction=reduction)


def _softmax_parts(p: Any, logits: Any) -> tuple[Tensor, np.ndarray, np.ndarray] | None:
    """(p, row maxima, row sums of exp) when p is the recorded, unchanged output of
    `Softmax` over the last axis of `logits` with finite maxima, else None."""
    fn = getattr(p, "grad_fn", None)
    if type(fn) is not Softmax or fn.inputs is None or fn.inputs[0] is not logits:
        return None
    saved = fn.__dict__
    if "max" not in saved or p._version or fn.axis != logits.ndim - 1:
        return None
    return p, saved["max"], saved["sum"]
