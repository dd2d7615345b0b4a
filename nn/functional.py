"""Functional forms (conventionally `import nn.functional as F`): activations, losses,
`linear`, `dropout` and `one_hot`, each composed from public autograd ops.

Losses take `(input, target)` as in PyTorch, also the Keras-named ones
(`categorical_crossentropy`, ...), which expect probabilities unless `from_logits=True`.
`reduction` is `"mean"` (average over every element, or over samples when each sample
has one loss), `"sum"` or `"none"` (one loss per element or sample).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import (
    Tensor,
    gelu,
    get_default_dtype,
    log_sigmoid,
    log_softmax,
    sigmoid,
    sign,
    softmax,
    softplus,
    step,
    tanh,
    where,
)
from autograd.checks import check_real
from autograd.graph import increment_version
from autograd.ops.args import DtypeError, OperandError
from nn.functional_activations import (
    celu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    in_place,
    mish,
    prelu,
    relu6,
    selu,
    softmin,
    softsign,
    tanhshrink,
    threshold,
)
from nn.functional_losses import (
    cosine_embedding_loss,
    cosine_similarity,
    gaussian_nll_loss,
    hinge_embedding_loss,
    kl_div,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    normalize,
    pairwise_distance,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from nn.functional_norms import alpha_dropout, layer_norm, pad, rms_norm
from nn.softmax_logits import logits_of

__all__ = [
    "alpha_dropout",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binary_crossentropy",
    "categorical_crossentropy",
    "celu",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "dropout",
    "elu",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hinge_embedding_loss",
    "huber_loss",
    "identity",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "margin_ranking_loss",
    "mish",
    "mse_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "rms_norm",
    "selu",
    "sigmoid",
    "sign",
    "silu",
    "smooth_l1_loss",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "sparse_categorical_crossentropy",
    "step",
    "tanh",
    "tanhshrink",
    "threshold",
    "triplet_margin_loss",
]

#: Keras's fuzz factor: probabilities are clipped to [EPSILON, 1 - EPSILON] before log.
EPSILON = 1e-7

_REDUCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "mean": lambda loss: loss.mean(),
    "sum": lambda loss: loss.sum(),
    "none": lambda loss: loss,
}


#: log(sigmoid(x)), stable in both tails (torch's name).
logsigmoid = log_sigmoid


def identity(x: Any) -> Any:
    """f(x) = x (the "linear" activation)."""
    return x


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features), as
    `torch.nn.functional.linear`.

    One op (`autograd.linear`) rather than two: dx = dy @ weight, dweight = dy.T @ x,
    dbias = dy summed over the batch.
    """
    return autograd.linear(x, weight, bias)


def relu(x: Any, inplace: bool = False) -> Tensor:
    """max(x, 0), as `torch.nn.functional.relu`; `inplace=True` writes the result into
    `x` and returns `x` (see `in_place`)."""
    done = in_place("relu", x, autograd.relu, inplace)
    return autograd.relu(x) if done is None else done


def leaky_relu(x: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise, as `torch.nn.functional.leaky_relu`."""
    done = in_place("leaky_relu", x, lambda t: autograd.leaky_relu(t, negative_slope), inplace)
    return autograd.leaky_relu(x, negative_slope) if done is None else done


def elu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise, as `torch.nn.functional.elu`."""
    done = in_place("elu", x, lambda t: autograd.elu(t, alpha), inplace)
    return autograd.elu(x, alpha) if done is None else done


def silu(x: Any, inplace: bool = False) -> Tensor:
    """x * sigmoid(x), as `torch.nn.functional.silu`."""
    done = in_place("silu", x, autograd.silu, inplace)
    return autograd.silu(x) if done is None else done


def dropout(
    x: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    rng: np.random.Generator | autograd.Generator | None = None,
) -> Tensor:
    """Inverted dropout: y = x * mask / (1 - p), mask ~ Bernoulli(1 - p); y = x when not
    training or p == 0, so evaluation needs no rescaling.

    The mask is PyTorch's for the same generator state (`autograd.default_generator`,
    or `rng` when it is an `autograd.Generator`: keep where a float64 uniform < 1 - p,
    then ``x * (keep / (1 - p))`` in x's dtype); a `numpy.random.Generator` as `rng`
    draws numpy's. `inplace=True` (PyTorch's flag) writes the result into `x`."""
    check_probability(p)
    if not training or p == 0:
        return x
    done = in_place("dropout", x, lambda t: dropout(t, p, training, rng=rng), inplace)
    if done is not None:
        return done
    x = _as_tensor(x)
    dtype = x.dtype if x.dtype.kind == "f" else get_default_dtype()
    if isinstance(rng, np.random.Generator):
        keep = rng.random(x.shape) >= p
        return x * (keep * (1.0 / (1.0 - p))).astype(dtype)
    gen = autograd.default_generator if rng is None else rng
    keep = gen.uniform64(x.data.size).reshape(x.shape) < 1 - p
    return x * (keep.astype(dtype) / dtype.type(1 - p))


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of `weight` picked by the integer indices `input`, as
    `torch.nn.functional.embedding`: shape input.shape + (embedding_dim,). The row at
    `padding_idx` gets no gradient (its value is read as it is: zeros, unless the table
    was given).

    With `max_norm`, each row the input picks whose `norm_type`-norm exceeds it is first
    scaled in place to norm max_norm (by max_norm / (norm + 1e-7), as PyTorch's
    `embedding_renorm_`; a write into `weight` outside the graph). With
    `scale_grad_by_freq`, the gradient of a row is divided by the number of times its
    index appears in `input` (its mean instead of its sum).

    Raises:
        DtypeError: indices that are not integers (a RuntimeError, as torch's, and a
            TypeError).
        IndexError: an index outside [0, num_embeddings).
        ValueError: `sparse=True`: gradients here are dense arrays (use sparse=False; the
            gradient's values are the same).
    """
    idx = np.asarray(input.data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu":
        raise DtypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    if sparse:
        raise ValueError(
            "embedding: sparse=True asks for a sparse gradient, which this engine does not "
            "make; use sparse=False (the gradient is then a dense table with the same values)"
        )
    rows = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        bad = idx[(idx < 0) | (idx >= rows)]
        raise IndexError(f"embedding: indices must be in [0, {rows}), got {np.unique(bad)[:10]}")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    out = weight[idx]
    if padding_idx is not None and out.requires_grad and (idx == padding_idx).any():
        pad = (idx == padding_idx)[..., None]
        out = autograd.where(pad, out.detach(), out)  # the padding row's value, no gradient
    if scale_grad_by_freq and out.requires_grad:
        counts = np.bincount(idx.ravel(), minlength=rows)[idx]
        scale = (1 / counts)[..., None].astype(out.dtype)
        out.register_hook(lambda g: g * scale)
    return out


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the rows of `weight` that `idx` picks and whose norm exceeds `max_norm` to
    that norm, in place (PyTorch's `embedding_renorm_`)."""
    picked = np.unique(idx)
    norms = np.linalg.norm(weight.data[picked], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        factor = (max_norm / (norms[over] + 1e-7))[:, None]
        weight.data[picked[over]] *= factor.astype(weight.dtype)
        increment_version(weight)


def check_probability(p: float) -> float:
    """The dropout probability `p`, a number in [0, 1)."""
    return check_real("dropout", "p", p, 0, 1, high_open=True)


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """As `torch.nn.functional.one_hot`: an int64 Tensor of shape labels.shape +
    (num_classes,), 0 everywhere except a 1 at each class index (no gradient: call
    `.float()` for a float input to a layer). `num_classes=-1` means max + 1.

    (Keras's float encoding is `nn.utils.to_categorical`.)

    Raises:
        DtypeError: indices that are not integers (a RuntimeError, as torch's, and a
            TypeError).
        ValueError: a negative index, or one >= num_classes.
    """
    data = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if data.dtype.kind not in "iu":
        raise DtypeError(f"one_hot: class indices must be integers, got dtype {data.dtype}")
    if not isinstance(num_classes, int | np.integer) or num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be -1 or a count, got {num_classes!r}")
    if num_classes == -1:
        if not data.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass it")
        num_classes = max(int(data.max()) + 1, 0)
    labels = class_indices("one_hot", data, int(num_classes))
    out = np.zeros((*labels.shape, num_classes), dtype=np.int64)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return Tensor(out)


def check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {sorted(_REDUCTIONS)}, got {reduction!r}")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    return _REDUCTIONS[check_reduction(reduction)](loss)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _matching_target(name: str, input: Tensor, target: Any) -> Any:
    """The target with the input's shape and dtype.

    A column (N, 1) and a vector (N,) are matched to each other element by element,
    as Keras does, with a `UserWarning`: PyTorch would broadcast them to (N, N) and
    compare every pair (a classic silent bug), so the mismatch is made visible. Any
    other mismatch is an error. (`fit` reshapes its targets to the model's output
    first, so Keras-style training does not warn.)
    """
    if isinstance(target, Tensor) and target.requires_grad:
        t, shape = target, target.shape
    else:
        t = np.asarray(target.data if isinstance(target, Tensor) else target)
        t, shape = t.astype(input.dtype, copy=False), t.shape
    if shape == input.shape:
        return t
    column = input.shape[-1:] == (1,) and shape == input.shape[:-1]
    if column or (shape[-1:] == (1,) and shape[:-1] == input.shape):
        warnings.warn(
            f"{name}: target shape {shape} differs from input shape {input.shape}; they "
            "are compared element by element (PyTorch would broadcast them against each "
            f"other); reshape the target to {input.shape} to silence this warning",
            UserWarning,
            stacklevel=3,
        )
        return t.reshape(input.shape)
    raise ValueError(f"{name}: target shape {shape} does not match input shape {input.shape}")


class ClassIndexError(IndexError, ValueError):
    """A class target out of range: an IndexError, as PyTorch raises it ("Target 3 is
    out of bounds."), and a ValueError, as Keras's sparse losses do."""


def class_indices(name: str, target: Any, num_classes: int) -> np.ndarray:
    """Integer class labels checked against [0, num_classes); float labels are
    accepted when they hold whole numbers (as Keras's sparse losses do)."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind == "f":
        fractional = t[t != np.round(t)]
        if fractional.size:
            raise ValueError(
                f"{name}: class targets must be integers, got values like {fractional[:5]}"
            )
    elif t.dtype.kind not in "biu":
        raise TypeError(f"{name}: class targets must be integers, got dtype {t.dtype}")
    t = t.astype(np.intp, copy=False)
    # Seen as unsigned, a negative index is huge: one pass checks both bounds.
    if t.size and t.view(np.uintp).max() >= num_classes:
        bad = t[(t < 0) | (t >= num_classes)]
        raise ClassIndexError(
            f"{name}: class targets must be in [0, {num_classes - 1}] for {num_classes} "
            f"classes, got {np.unique(bad)[:10]}"
        )
    return t


def _class_targets(
    name: str, input: Tensor, target: Any, ignore_index: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Labels of shape (N,) for input (N, C) (a column (N, 1) is accepted), and which
    samples count: None when all do, else a 0/1 array in the input's dtype, 0 where the
    label is `ignore_index` (such labels become 0, a valid index, in the labels)."""
    if input.ndim != 2:
        raise ValueError(f"{name}: input must have shape (N, C), got {input.shape}")
    n, c = input.shape
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.shape not in ((n,), (n, 1)):
        raise ValueError(
            f"{name}: class targets must have shape ({n},) for input {input.shape}, got {t.shape}"
        )
    t = t.reshape(n)
    ignored = t == ignore_index if ignore_index is not None else None
    if ignored is None or not ignored.any():
        return class_indices(name, t, c), None
    labels = class_indices(name, np.where(ignored, 0, t), c)
    return labels, (~ignored).astype(input.dtype)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """loss = (input - target)**2, reduced."""
    target = _matching_target("mse_loss", input, target)
    return autograd.mse_loss(input, target, check_reduction(reduction))


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """loss = |input - target|, reduced."""
    return _reduce(abs(input - _matching_target("l1_loss", input, target)), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """loss = 0.5 * d**2 if |d| <= delta else delta * (|d| - 0.5 * delta), d = input - target."""
    d = input - _matching_target("huber_loss", input, target)
    a = abs(d)
    quadratic = np.abs(d.data) <= delta
    return _reduce(where(quadratic, 0.5 * d * d, delta * (a - 0.5 * delta)), reduction)


def smooth_l1_loss(
    input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """loss = 0.5 * d**2 / beta if |d| < beta else |d| - 0.5 * beta, d = input - target
    (torch's SmoothL1Loss: the Huber loss divided by beta; the L1 loss when beta = 0)."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    d = input - _matching_target("smooth_l1_loss", input, target)
    quadratic = np.abs(d.data) < beta
    return _reduce(where(quadratic, (0.5 / beta) * d * d, abs(d) - 0.5 * beta), reduction)


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """loss = -w (y * log(p) + (1 - y) * log(1 - p)) with p = input in [0, 1], each log
    floored at -100, and the slope (p - y) / max(p (1 - p), 1e-12), as torch's BCELoss
    (`autograd.binary_cross_entropy`); `weight` w (1 when None) broadcasts to the input.

    Raises:
        ValueError: an input outside [0, 1] or NaN (torch raises too): a diverged
            model never reports a finite loss.
    """
    p = _as_tensor(input)
    y = _matching_target("binary_cross_entropy", p, target)
    if p.data.size and not ((p.data >= 0) & (p.data <= 1)).all():
        nan = " (it holds NaN)" if np.isnan(p.data).any() else ""
        raise ValueError(
            f"binary_cross_entropy: input must be probabilities in [0, 1]{nan}; "
            "for raw scores use binary_cross_entropy_with_logits"
        )
    loss = autograd.binary_cross_entropy(p, y)
    if weight is not None:
        loss = loss * _broadcast_weight("binary_cross_entropy", "weight", weight, p, p.shape)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """loss = -w (q y log(sigmoid(x)) + (1 - y) log(1 - sigmoid(x))), computed stably:
    softplus(x) - x y when q = 1, else (1 - y) x + (1 + (q - 1) y) softplus(-x) (finite
    for any x). As torch: `weight` w broadcasts to the input, `pos_weight` q weighs the
    positive term, one value per class (the last axis); both 1 when None."""
    name = "binary_cross_entropy_with_logits"
    y = _matching_target(name, input, target)
    if pos_weight is None:
        loss = softplus(input) - input * y
    else:
        q = _broadcast_weight(name, "pos_weight", pos_weight, input, input.shape[-1:])
        loss = (1 - y) * input + (1 + (q - 1) * y) * softplus(-input)
    if weight is not None:
        loss = loss * _broadcast_weight(name, "weight", weight, input, input.shape)
    return _reduce(loss, reduction)


def _broadcast_weight(name: str, what: str, weight: Any, input: Tensor, shape: tuple) -> Tensor:
    """A constant weight that broadcasts to `shape` (torch's rule for these losses)."""
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{name}: {what} must not require grad; pass w.detach()")
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, input.dtype)
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(
            f"{name}: {what} of shape {w.shape} does not broadcast to {tuple(shape)}"
        ) from None
    return Tensor(w)


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy from logits (N, C): loss_i = -sum_c w_c q_ic log_softmax(x_i)_c.

    `target` is either class indices (N,) (q is one-hot) or probabilities of the
    input's shape. `label_smoothing` e mixes q with the uniform distribution:
    q = (1 - e) * q + e / C. As torch: `weight` (C,) weighs each class (w = 1 when
    None); samples whose class index is `ignore_index` count for nothing; with class
    indices the mean divides by the summed weights of the samples counted,
    sum_i loss_i / sum_i w_(y_i), and with probabilities by N. Logits (N, C, d1, ...,
    dk) (classes on dim 1) and (C,) are taken as torch takes them (`_classes_last`).
    """
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    if not isinstance(input, Tensor):
        input = Tensor(np.asarray(input))
    if input.ndim != 2:
        rows, target, shape = _classes_last("cross_entropy", input, target)
        loss = cross_entropy(rows, target, weight, ignore_index, reduction, label_smoothing)
        return loss.reshape(shape) if reduction == "none" else loss
    n_classes = input.shape[1]
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    plain = weight is None and not label_smoothing and not 0 <= ignore_index < n_classes
    if plain and t.dtype.kind in "iu" and t.shape == input.shape[:1]:
        # Integer labels go straight to the fused op, whose one pass over them checks
        # their range; on a bad label (or one to ignore), the general path below.
        try:
            return autograd.cross_entropy(input, t, reduction)
        except ValueError:
            pass  # deliberate: the general path below ignores such labels or names them
    if t.shape == input.shape and t.dtype.kind == "f":  # probabilities, one row per sample
        if ignore_index != -100:
            raise OperandError(
                f"cross_entropy: ignore_index={ignore_index} is not supported for floating "
                "point target (class probabilities), as in torch"
            )
        logp = log_softmax(input, axis=1)
        q = _matching_target("cross_entropy", input, target)
        if label_smoothing:
            q = q * (1 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            q = q * _class_weights("cross_entropy", weight, input)
        return _reduce(-(logp * q).sum(axis=1), reduction)
    _check_index_dtype("cross_entropy", input, t)
    labels, counted = _class_targets("cross_entropy", input, target, ignore_index)
    if weight is None and counted is None and not label_smoothing:
        # The fused op: same value, and its gradient is softmax(x) - onehot(y) in one step.
        return autograd.cross_entropy(input, labels, reduction)
    logp = log_softmax(input, axis=1)
    w = _class_weights("cross_entropy", weight, input)
    losses, total = _weighted_nll(logp, labels, counted, w)
    if label_smoothing:
        uniform = -(logp * w).sum(axis=1) * (1 / n_classes)
        if counted is not None:
            uniform = uniform * counted
        losses = (1 - label_smoothing) * losses + label_smoothing * uniform
    return _weighted_reduce(losses, total, reduction)


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood: loss_i = -w_(y_i) input[i, y_i], input holding
    log-probabilities (N, C). As torch: `weight` (C,) weighs each class, samples of
    class `ignore_index` count for nothing, and the mean divides by sum_i w_(y_i).
    Inputs (N, C, d1, ..., dk) and (C,) are taken as cross_entropy's are."""
    if not isinstance(input, Tensor):
        input = Tensor(np.asarray(input))
    if input.ndim != 2:
        rows, target, shape = _classes_last("nll_loss", input, target)
        loss = nll_loss(rows, target, weight, ignore_index, reduction)
        return loss.reshape(shape) if reduction == "none" else loss
    _check_index_dtype("nll_loss", input, target.data if isinstance(target, Tensor) else target)
    labels, counted = _class_targets("nll_loss", input, target, ignore_index)
    if weight is None and counted is None:
        return -_reduce(input[np.arange(len(labels)), labels], reduction)
    losses, total = _weighted_nll(input, labels, counted, _class_weights("nll_loss", weight, input))
    return _weighted_reduce(losses, total, reduction)


def _classes_last(name: str, input: Tensor, target: Any) -> tuple[Tensor, Any, tuple[int, ...]]:
    """PyTorch's other inputs of a classification loss as rows (M, C): logits (N, C,
    d1, ..., dk) (a class score per position: M = N * d1 * ... * dk) or one sample
    (C,) (M = 1); the target to match, class indices (N, d1, ..., dk) or () as (M,), or
    probabilities of the input's shape as (M, C); and the shape of the losses that
    reduction="none" returns, (N, d1, ..., dk) or ().

    Raises:
        OperandError: (a RuntimeError, as PyTorch's) the target fits neither form.
    """
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if input.ndim == 0:
        raise OperandError(f"{name}: input must have the classes on axis 1, got a 0-d input")
    order = (0, *range(2, input.ndim), 1) if input.ndim > 1 else (0,)
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    shape = (input.shape[0], *input.shape[2:]) if input.ndim > 1 else ()
    rows = autograd.permute(input, order).reshape(-1, c)
    if t.shape == input.shape and t.dtype.kind == "f":  # probabilities, classes on axis 1
        probabilities = target if isinstance(target, Tensor) else Tensor(t)
        return rows, autograd.permute(probabilities, order).reshape(-1, c), shape
    if input.ndim == 1 and t.shape != () and t.shape != (1,):
        raise OperandError(
            f"For 1D input, 1D target must have size 1, but got target size: {t.size}"
        )
    if input.ndim > 1 and t.shape != shape:
        raise OperandError(f"Expected target size {list(shape)}, got {list(t.shape)}")
    return rows, t.reshape(-1), shape


def _check_index_dtype(name: str, input: Tensor, target: Any) -> None:
    """PyTorch's refusal of class targets that are not integers (whole floats, which
    Keras's sparse losses accept, included)."""
    dtype = np.asarray(target).dtype
    if dtype.kind in "fcb":
        raise OperandError(
            f"{name}: expected target dtype to be Long or Byte (class indices), but got "
            f"{dtype}; convert them with target.long(), or give class probabilities of the "
            f"input's shape {input.shape}"
        )


def _class_weights(name: str, weight: Any, input: Tensor) -> Tensor:
    """The per-class weights, C constants (ones when None): as in torch, a weight
    that requires grad is refused (the loss is not differentiable in it)."""
    n_classes = input.shape[1]
    if weight is None:
        return Tensor(np.ones(n_classes, input.dtype))
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{name}: weight must not require grad (as in torch); pass w.detach()")
    w = Tensor(np.asarray(weight.data if isinstance(weight, Tensor) else weight, input.dtype))
    if w.shape != (n_classes,):
        raise ValueError(
            f"{name}: weight must hold one value per class, shape ({n_classes},), got {w.shape}"
        )
    return w


def _weighted_reduce(losses: Tensor, total: Tensor, reduction: str) -> Tensor:
    """torch's reduction of weighted class losses: the mean divides by the summed
    weights of the samples counted (nan, silently, when none is)."""
    if reduction != "mean":
        return _reduce(losses, reduction)
    with np.errstate(invalid="ignore", divide="ignore"):
        return losses.sum() / total


def _weighted_nll(
    logp: Tensor, labels: np.ndarray, counted: np.ndarray | None, w: Tensor
) -> tuple[Tensor, Tensor]:
    """loss_i = -w_(y_i) logp[i, y_i] (0 for samples not counted), and the sum of the
    counted samples' weights (the denominator of torch's weighted mean)."""
    w_i = w[labels]
    if counted is not None:
        w_i = w_i * counted
    return -logp[np.arange(len(labels)), labels] * w_i, w_i.sum()


def _log_probabilities(input: Tensor, from_logits: bool, axis: int = -1) -> Tensor:
    """Keras's recipe: log_softmax of logits, or log of the probabilities rescaled to
    sum to 1 along `axis` and clipped to [EPSILON, 1 - EPSILON]."""
    if from_logits:
        return log_softmax(input, axis=axis)
    p = input / input.sum(axis=axis, keepdims=True)
    return p.clip(EPSILON, 1 - EPSILON).log()


def categorical_crossentropy(
    input: Tensor, target: Any, from_logits: bool = False, reduction: str = "mean"
) -> Tensor:
    """Keras's categorical crossentropy: loss_i = -sum_c y_ic * log(p_ic), with p the
    input probabilities (or softmax(input) when `from_logits`), y one-hot or
    probabilities of the input's shape. Note the argument order (input, target)."""
    y = _matching_target("categorical_crossentropy", input, target)
    logits = None if from_logits else logits_of(input)  # Keras's softmax shortcut
    if logits is not None:
        input, from_logits = logits, True
    return _reduce(-(_log_probabilities(input, from_logits) * y).sum(axis=-1), reduction)


def sparse_categorical_crossentropy(
    input: Tensor, target: Any, from_logits: bool = False, reduction: str = "mean"
) -> Tensor:
    """Keras's sparse categorical crossentropy: loss_i = -log(p[i, target_i]), with
    integer targets (N,) and input probabilities (or logits when `from_logits`).

    Probabilities made by a softmax layer are scored from its logits, as Keras does
    (`nn.softmax_logits`), with the fused softmax cross entropy, which reuses the
    softmax's work. Inputs (..., C) of more axes (a sequence's steps) take targets of
    their leading shape, as Keras's, and give a value per position."""
    logits = None if from_logits else logits_of(input)
    softmax = None
    if logits is not None:
        input, softmax, from_logits = logits, input, True
    if input.ndim > 2:
        lead = input.shape[:-1]
        t = np.asarray(target.data if isinstance(target, Tensor) else target)
        if t.shape == (*lead, 1):
            t = t[..., 0]
        if t.shape != lead:
            raise ValueError(
                f"sparse_categorical_crossentropy: class targets must have shape {lead} for "
                f"input {input.shape}, got {t.shape}"
            )
        flat = input.reshape(-1, input.shape[-1])
        values = sparse_categorical_crossentropy(flat, t.reshape(-1), from_logits, "none")
        return _reduce(values.reshape(lead), reduction)
    if from_logits and input.ndim == 2:
        t = target.data if isinstance(target, Tensor) else np.asarray(target)
        if t.dtype.kind == "u" and t.shape == input.shape[:1]:
            # Unsigned labels need no check here: the fused op raises for those >= C.
            return autograd.cross_entropy(input, t, reduction, softmax)
        labels, _ = _class_targets("sparse_categorical_crossentropy", input, target)
        return autograd.cross_entropy(input, labels, reduction, softmax)
    labels, _ = _class_targets("sparse_categorical_crossentropy", input, target)
    logp = _log_probabilities(input, from_logits, axis=1)
    return -_reduce(logp[np.arange(len(labels)), labels], reduction)


def binary_crossentropy(
    input: Tensor, target: Any, from_logits: bool = False, reduction: str = "mean"
) -> Tensor:
    """Keras's binary crossentropy: loss = -(y log p + (1 - y) log(1 - p)) with p the
    input clipped to [EPSILON, 1 - EPSILON] (or sigmoid(input) when `from_logits`)."""
    if from_logits:
        return binary_cross_entropy_with_logits(input, target, reduction=reduction)
    y = _matching_target("binary_crossentropy", input, target)
    p = input.clip(EPSILON, 1 - EPSILON)
    return _reduce(-(y * p.log() + (1 - y) * (1 - p).log()), reduction)


# PyTorch's functions, batch 3 (last: `nn.torch_more` imports modules that import this one)
from nn.torch_more import (  # noqa: E402
    batch_norm,
    bilinear,
    dropout1d,
    group_norm,
    gumbel_softmax,
    hardshrink,
    instance_norm,
    multi_margin_loss,
    multilabel_margin_loss,
    rrelu,
    softshrink,
)

__all__ += [
    "batch_norm", "bilinear", "dropout1d", "group_norm", "gumbel_softmax", "hardshrink",
    "instance_norm", "multi_margin_loss", "multilabel_margin_loss", "rrelu", "softshrink",
]  # fmt: skip
# end of PyTorch's functions, batch 3

# Convolution and pooling (the math is autograd's: `autograd.ops.conv`, `.pooling`)
from autograd.ops.conv_forms import (  # noqa: E402
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from autograd.ops.pooling import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    fold,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    unfold,
)
from nn.conv_torch import dropout2d, dropout3d  # noqa: E402

__all__ += [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "dropout2d",
    "dropout3d",
    "fold",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "unfold",
]  # fmt: skip
from nn.functional_resize import (  # noqa: E402
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
from nn.functional_shuffle import pixel_shuffle, pixel_unshuffle  # noqa: E402

__all__ += [
    "interpolate", "pixel_shuffle", "pixel_unshuffle", "upsample", "upsample_bilinear",
    "upsample_nearest",
]  # fmt: skip

# PyTorch's norms, pooling variants and unpooling
from autograd.ops.unpooling import (  # noqa: E402
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from nn.functional_pool_more import (  # noqa: E402
    channel_shuffle,
    local_response_norm,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
)

__all__ += [
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "channel_shuffle", "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices", "local_response_norm", "lp_pool1d", "lp_pool2d",
    "lp_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
]  # fmt: skip

from nn.functional_attention import (  # noqa: E402
    multi_head_attention_forward,
    scaled_dot_product_attention,
)

__all__ += ["multi_head_attention_forward", "scaled_dot_product_attention"]

# PyTorch's in-place activations, spatial transformer sampling, bags of embeddings,
# distances, feature alpha dropout and the CTC loss
from nn.ctc_loss import ctc_loss  # noqa: E402
from nn.embedding_bag import embedding_bag  # noqa: E402
from nn.feature_alpha_dropout import feature_alpha_dropout  # noqa: E402
from nn.functional_distance import pdist, triplet_margin_with_distance_loss  # noqa: E402
from nn.functional_grid import affine_grid, grid_sample  # noqa: E402
from nn.functional_inplace import (  # noqa: E402
    celu_,
    elu_,
    hardtanh_,
    leaky_relu_,
    relu_,
    rrelu_,
    selu_,
    threshold_,
)

__all__ += [
    "affine_grid", "celu_", "ctc_loss", "elu_", "embedding_bag", "feature_alpha_dropout",
    "grid_sample", "hardtanh_", "leaky_relu_", "pdist", "relu_", "rrelu_", "selu_",
    "threshold_", "triplet_margin_with_distance_loss",
]  # fmt: skip
