"""More of PyTorch's modules and functions: `LogSigmoid`, `Softshrink`, `Hardshrink`,
`RReLU`, `Dropout1d`, `GroupNorm`, `Bilinear`, `LazyLinear`, `Buffer`,
`MultiMarginLoss`, `MultiLabelMarginLoss`, and the functions `softshrink`,
`hardshrink`, `rrelu`, `dropout1d`, `group_norm`, `instance_norm`, `batch_norm`,
`bilinear`, `multi_margin_loss`, `multilabel_margin_loss`, `gumbel_softmax`.

Each is composed of autograd ops with PyTorch's formulas, defaults, reprs and
gradients; the random ones draw from `autograd.default_generator` (or a `generator=`)
what PyTorch draws from its generator in the same state.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, einsum, get_default_dtype, log_sigmoid, softmax, where
from autograd.checks import check_bool, check_int, check_real
from autograd.tensor import increment_version
from nn import init
from nn.functional_activations import in_place
from nn.functional_losses import _reduce, _tensor
from nn.layers import Linear
from nn.losses import _Loss
from nn.module import Module, Parameter
from nn.normalization import moments, normalize

# --- activations --------------------------------------------------------------------


def _values(x: Tensor) -> np.ndarray:
    return x.data


def _float_tensor(name: str, input: Any) -> Tensor:
    """`input` as a tensor, which must be float, as torch's kernels want.

    Raises:
        NotImplementedError: an integer or bool tensor (torch's error type).
    """
    x = _tensor(input)
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_cpu" not implemented for dtype {x.dtype}')
    return x


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, 0 between, as
    `F.softshrink` (gradient 1 outside [-lambd, lambd], 0 inside).

    Raises:
        RuntimeError: a negative `lambd`.
    """
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    x = _float_tensor("softshrink", input)
    v = _values(x)
    zero = np.zeros((), dtype=x.dtype)
    return where(v > lambd, x - lambd, where(v < -lambd, x + lambd, zero))


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0, as `F.hardshrink`.

    Raises:
        NotImplementedError: an integer input.
    """
    x = _float_tensor("hardshrink", input)
    v = _values(x)
    return where((v > lambd) | (v < -lambd), x, np.zeros((), dtype=x.dtype))


def rrelu(
    input: Any,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
    generator: autograd.Generator | None = None,
) -> Tensor:
    """Randomized leaky ReLU, as `F.rrelu`: x where x > 0, else a * x, with a drawn from
    U(lower, upper) per non-positive element in training (PyTorch's draws for the same
    generator state), and a = (lower + upper) / 2 in evaluation.

    Raises:
        ValueError: `lower` above `upper`.
    """
    if lower > upper:
        raise ValueError(f"rrelu: lower bound must be <= upper bound, got {lower} and {upper}")
    done = in_place(
        "rrelu", input, lambda t: rrelu(t, lower, upper, training, generator=generator), inplace
    )
    if done is not None:
        return done
    x = _tensor(input)
    v = _values(x)
    dtype = x.dtype
    negative = v <= 0
    if training:
        gen = autograd.default_generator if generator is None else generator
        slope = np.ones(v.shape, dtype=dtype)
        u = gen.uniform64(int(negative.sum()))
        slope[negative] = (u * (upper - lower) + lower).astype(dtype)
    else:
        slope = np.where(negative, dtype.type((lower + upper) / 2), dtype.type(1))
    return x * slope


class LogSigmoid(Module):
    """f(x) = log(1 / (1 + exp(-x))), computed stably, as `torch.nn.LogSigmoid`."""

    def forward(self, x: Tensor) -> Tensor:
        return log_sigmoid(_tensor(x))


class Softshrink(Module):
    """`softshrink` with threshold `lambd`, as `torch.nn.Softshrink`."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = check_real("Softshrink", "lambd", lambd)

    def forward(self, x: Tensor) -> Tensor:
        return softshrink(x, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """`hardshrink` with threshold `lambd`, as `torch.nn.Hardshrink`."""

    def forward(self, x: Tensor) -> Tensor:
        return hardshrink(x, self.lambd)


class RReLU(Module):
    """`rrelu`: random slopes in U(lower, upper) for x <= 0 in training, their mean in
    evaluation, as `torch.nn.RReLU`."""

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False
    ) -> None:
        super().__init__()
        self.lower = check_real("RReLU", "lower", lower)
        self.upper = check_real("RReLU", "upper", upper)
        self.inplace = check_bool("RReLU", "inplace", inplace)

    def forward(self, x: Tensor) -> Tensor:
        return rrelu(x, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else ""
        )


# --- dropout ------------------------------------------------------------------------


def dropout1d(
    input: Any,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    generator: autograd.Generator | None = None,
) -> Tensor:
    """Whole channels zeroed with probability `p` (one draw per sample and channel of an
    (N, C, L) or unbatched (C, L) input), the others scaled by 1 / (1 - p), as
    `F.dropout1d` (PyTorch's masks for the same generator state).

    Raises:
        ValueError: `p` outside [0, 1].
        RuntimeError: an input that is not 2-d or 3-d.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = _tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    if not training or p == 0:
        return x
    done = in_place("dropout1d", x, lambda t: dropout1d(t, p, True, generator=generator), inplace)
    if done is not None:
        return done
    channels = x.shape[:-1] if x.ndim == 3 else (1, x.shape[0])
    gen = autograd.default_generator if generator is None else generator
    keep = (gen.uniform64(math.prod(channels)) < 1 - p).reshape(channels)
    mask = np.zeros(channels, x.dtype) if p == 1 else keep.astype(x.dtype) / x.dtype.type(1 - p)
    return x * mask.reshape(*x.shape[:-1], 1)


class Dropout1d(Module):
    """`dropout1d` in training mode, the identity in evaluation, as
    `torch.nn.Dropout1d`."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = check_bool("Dropout1d", "inplace", inplace)

    def forward(self, x: Tensor) -> Tensor:
        return dropout1d(x, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


# --- normalization ------------------------------------------------------------------


def _channel_shape(x: Tensor) -> tuple[int, ...]:
    """The shape that puts per-channel values against axis 1."""
    return (-1,) + (1,) * (x.ndim - 2)


def _affine(y: Tensor, x: Tensor, weight: Any, bias: Any) -> Tensor:
    shape = _channel_shape(x)
    if weight is not None:
        y = y * _tensor(weight).reshape(*shape)
    if bias is not None:
        y = y + _tensor(bias).reshape(*shape)
    return y


def group_norm(
    input: Any,
    num_groups: int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalization over each group of C / num_groups channels (and the spatial dims)
    of each sample of an (N, C, *) input, then a per-channel affine map, as
    `F.group_norm`.

    Raises:
        RuntimeError: C not divisible by `num_groups`.
    """
    x = _tensor(input)
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(x.shape)} and num_groups={num_groups}"
        )
    grouped = x.reshape(x.shape[0], num_groups, -1)
    _, d, var = moments(grouped, (2,))
    y = normalize(d, var, eps).reshape(*x.shape)
    return _affine(y, x, weight, bias)


class GroupNorm(Module):
    """`group_norm` with a learned per-channel `weight` (1) and `bias` (0), as
    `torch.nn.GroupNorm`.

    Raises:
        ValueError: `num_channels` not divisible by `num_groups`.
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_groups = check_int("GroupNorm", "num_groups", num_groups, minimum=1)
        self.num_channels = check_int("GroupNorm", "num_channels", num_channels, minimum=1)
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.eps = check_real("GroupNorm", "eps", eps, 0)
        self.affine = check_bool("GroupNorm", "affine", affine)
        dtype = get_default_dtype()
        self.weight = Parameter(np.ones(num_channels, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype)) if affine and bias else None

    def forward(self, x: Tensor) -> Tensor:
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


def _update_running(
    running_mean: Any, running_var: Any, mean: np.ndarray, var: np.ndarray, n: int, momentum: float
) -> None:
    """Move the running statistics toward a batch's (var made unbiased over `n`)."""
    unbiased = var * (n / (n - 1)) if n > 1 else var
    for running, value in ((running_mean, mean), (running_var, unbiased)):
        if running is None:
            continue
        running.data[...] = (1 - momentum) * running.data + momentum * value
        increment_version(running)


def batch_norm(
    input: Any,
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization per channel (axis 1) of an (N, C, *) input, as
    `F.batch_norm`: in training (or without running statistics) with the batch's mean
    and biased variance, moving `running_mean` / `running_var` toward them in place
    (unbiased variance); in evaluation with the running statistics.

    Raises:
        ValueError: one value per channel in training.
    """
    x = _tensor(input)
    axes = (0, *range(2, x.ndim))
    shape = _channel_shape(x)
    if training or running_mean is None or running_var is None:
        n = x.size // x.shape[1]
        if training and n < 2:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{list(x.shape)}"
            )
        mean, d, var = moments(x, axes)
        if training:
            _update_running(
                running_mean, running_var, mean.data.reshape(-1), var.data.reshape(-1), n, momentum
            )
    else:
        d = x - _tensor(running_mean).reshape(*shape)
        var = _tensor(running_var).reshape(*shape)
    return _affine(normalize(d, var, eps), x, weight, bias)


def instance_norm(
    input: Any,
    running_mean: Any = None,
    running_var: Any = None,
    weight: Any = None,
    bias: Any = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalization of each channel of each sample over its spatial dims, as
    `F.instance_norm`; with running statistics and `use_input_stats`, they move toward
    the mean over the batch of the instances' statistics; without `use_input_stats`,
    they normalize.

    Raises:
        ValueError: one spatial value per channel with input statistics.
        RuntimeError: running statistics of another size than the channels, or
            none without `use_input_stats`.
        IndexError: an empty batch with a weight or bias (torch's error; without them,
            running statistics become NaN, the mean of no instance, as torch's).
    """
    x = _tensor(input)
    shape = _channel_shape(x)
    for name, stats in (("running_mean", running_mean), ("running_var", running_var)):
        if stats is not None and _tensor(stats).size != x.shape[1]:  # torch's, per sample
            raise RuntimeError(
                f"{name} should contain {x.shape[0] * x.shape[1]} elements not "
                f"{x.shape[0] * _tensor(stats).size}"
            )
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError(
                "Expected running_mean and running_var to be defined when use_input_stats is false"
            )
        d = x - _tensor(running_mean).reshape(*shape)
        return _affine(normalize(d, _tensor(running_var).reshape(*shape), eps), x, weight, bias)
    axes = tuple(range(2, x.ndim))
    n = math.prod(x.shape[2:])
    if n < 2:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {list(x.shape)}"
        )
    c = x.shape[1]
    if x.shape[0] == 0:  # torch's: no instance, so no affine map and NaN statistics
        if weight is not None or bias is not None:
            raise IndexError(
                "instance_norm: an empty batch takes no weight or bias (index 0 is out of "
                f"range for a dim of size 0), got input size {list(x.shape)}"
            )
        nan = np.full(c, np.nan, x.dtype)
        _update_running(running_mean, running_var, nan, nan, n, momentum)
        return x.clone()
    mean, d, var = moments(x, axes)
    if running_mean is not None or running_var is not None:
        _update_running(
            running_mean,
            running_var,
            mean.data.reshape(-1, c).mean(0),
            var.data.reshape(-1, c).mean(0),
            n,
            momentum,
        )
    return _affine(normalize(d, var, eps), x, weight, bias)


# --- layers -------------------------------------------------------------------------


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """y_o = x1 @ weight[o] @ x2 + bias_o, as `F.bilinear`: inputs (*, in1) and
    (*, in2), weight (out, in1, in2).

    Raises:
        RuntimeError: feature sizes that do not match the weight's.
    """
    x1, x2, w = _tensor(input1), _tensor(input2), _tensor(weight)
    if x1.shape[-1] != w.shape[1] or x2.shape[-1] != w.shape[2] or x1.shape[:-1] != x2.shape[:-1]:
        raise RuntimeError(
            f"bilinear: input sizes {list(x1.shape)} and {list(x2.shape)} do not match the "
            f"weight's {list(w.shape)} (or each other's leading dims)"
        )
    y = einsum("...i,oij,...j->...o", x1, w, x2)
    return y if bias is None else y + _tensor(bias)


class Bilinear(Module):
    """`bilinear` with a learned weight (out, in1, in2) and bias (out), both drawn from
    U(-1/sqrt(in1), 1/sqrt(in1)) as PyTorch draws them, as `torch.nn.Bilinear`."""

    def __init__(
        self, in1_features: int, in2_features: int, out_features: int, bias: bool = True
    ) -> None:
        super().__init__()
        self.in1_features = check_int("Bilinear", "in1_features", in1_features, minimum=1)
        self.in2_features = check_int("Bilinear", "in2_features", in2_features, minimum=1)
        self.out_features = check_int("Bilinear", "out_features", out_features, minimum=1)
        check_bool("Bilinear", "bias", bias)
        dtype = get_default_dtype()
        k = 1 / math.sqrt(in1_features)
        self.weight = init.uniform_(
            Parameter(np.zeros((out_features, in1_features, in2_features), dtype)), -k, k
        )
        self.bias = init.uniform_(Parameter(np.zeros(out_features, dtype)), -k, k) if bias else None

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return bilinear(x1, x2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class LazyLinear(Linear):
    """A `Linear` whose `in_features` is the last dim of its first input, as
    `torch.nn.LazyLinear`: until then its weight and bias are empty parameters (an
    optimizer may already hold them); the first call gives them their shapes, draws
    them as `Linear` does, and turns the module into a `Linear`."""

    def __init__(self, out_features: int, bias: bool = True) -> None:
        Module.__init__(self)
        self.in_features = 0
        self.out_features = check_int("LazyLinear", "out_features", out_features, minimum=1)
        check_bool("LazyLinear", "bias", bias)
        dtype = get_default_dtype()
        self.weight = Parameter(np.zeros(0, dtype))
        self.bias = Parameter(np.zeros(0, dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        x = _tensor(x)
        self.in_features = check_int("LazyLinear", "in_features", x.shape[-1], minimum=1)
        self.weight.data = np.zeros(
            (self.out_features, self.in_features), self.weight.dtype, order="F"
        )
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            self.bias.data = np.zeros(self.out_features, self.bias.dtype)
            k = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -k, k)
        self.__class__ = Linear  # type: ignore[assignment]
        return Linear.forward(self, x)


class Buffer(Tensor):
    """A tensor that, assigned as a module's attribute (``self.x = nn.Buffer(t)``),
    registers itself as a buffer, as `torch.nn.Buffer`; `persistent=False` keeps it out
    of `state_dict`. The module keeps a plain Tensor sharing its data."""

    registers_as_buffer = True  # read by Module.__setattr__

    def __init__(self, data: Any, *, persistent: bool = True) -> None:
        super().__init__(data.data if isinstance(data, Tensor) else np.asarray(data))
        self.persistent = persistent


# --- losses -------------------------------------------------------------------------


def _class_targets(name: str, x: Tensor, target: Any) -> np.ndarray:
    y = np.asarray(target.data if isinstance(target, Tensor) else target)
    if y.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected an integer target, got dtype {y.dtype}")
    return y


def multi_margin_loss(
    input: Any,
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """sum over i != y of max(0, margin - x[y] + x[i])^p / C (times weight[y]) per sample
    of an (N, C) or (C,) input, as `F.multi_margin_loss`.

    Raises:
        ValueError: p other than 1 or 2.
        RuntimeError: targets out of range, or of the wrong shape.
    """
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = _tensor(input)
    y = _class_targets("multi_margin_loss", x, target)
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    yy = y.reshape(-1)
    c = rows.shape[1]
    if yy.shape[0] != rows.shape[0] or (yy.size and (yy.min() < 0 or yy.max() >= c)):
        raise RuntimeError(
            f"multi_margin_loss: inconsistent target size or values: {list(y.shape)} for input "
            f"of size {list(x.shape)}"
        )
    picked = rows[np.arange(rows.shape[0]), yy].reshape(-1, 1)
    z = margin - picked + rows
    hinge = where(z.data > 0, z, np.zeros((), dtype=z.dtype))
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * _tensor(weight)[yy].reshape(-1, 1)
    others = np.ones(rows.shape, dtype=rows.dtype)
    others[np.arange(rows.shape[0]), yy] = 0
    loss = (hinge * others).sum(axis=1) / c
    if x.ndim < 2:
        loss = loss.reshape(())
    return _reduce("multi_margin_loss", loss, reduction)


def multilabel_margin_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i]))
    / C per sample, as `F.multilabel_margin_loss`: the target holds class indices,
    ended by the first -1.

    Raises:
        RuntimeError: a target of another shape than the input's, or out of range.
    """
    x = _tensor(input)
    y = _class_targets("multilabel_margin_loss", x, target)
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    labels = y.reshape(rows.shape)
    if y.shape != x.shape or (labels.size and labels.max() >= rows.shape[1]):
        raise RuntimeError(
            f"multilabel_margin_loss: inconsistent target size: {list(y.shape)} for input of "
            f"size {list(x.shape)}"
        )
    n, c = rows.shape
    valid = np.cumprod(labels >= 0, axis=1).astype(bool)  # up to the first -1
    is_target = np.zeros((n, c), dtype=bool)
    r, k = np.nonzero(valid)
    is_target[r, labels[r, k]] = True
    # pairs (j target, i not a target): hinge of 1 - x[j] + x[i]
    z = 1.0 - rows.reshape(n, c, 1) + rows.reshape(n, 1, c)
    hinge = where(z.data > 0, z, np.zeros((), dtype=z.dtype))
    pairs = (is_target[:, :, None] & ~is_target[:, None, :]).astype(rows.dtype)
    loss = (hinge * pairs).sum(axis=(1, 2)) / c
    if x.ndim < 2:
        loss = loss.reshape(())
    return _reduce("multilabel_margin_loss", loss, reduction)


class MultiMarginLoss(_Loss):
    """`multi_margin_loss`, the multi-class hinge loss, as `torch.nn.MultiMarginLoss`
    (`weight` per class, a buffer)."""

    fn = staticmethod(multi_margin_loss)

    def __init__(
        self, p: int = 1, margin: float = 1.0, weight: Any = None, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p = p
        self.margin = check_real("MultiMarginLoss", "margin", margin)
        if weight is None:
            self.weight = None
        else:
            self.register_buffer("weight", _tensor(weight))

    def options(self) -> dict[str, Any]:
        return {"p": self.p, "margin": self.margin, "weight": self.weight}


class MultiLabelMarginLoss(_Loss):
    """`multilabel_margin_loss`, as `torch.nn.MultiLabelMarginLoss`."""

    fn = staticmethod(multilabel_margin_loss)


# --- sampling -----------------------------------------------------------------------


def gumbel_softmax(
    logits: Any,
    tau: float = 1.0,
    hard: bool = False,
    eps: float = 1e-10,
    dim: int = -1,
    generator: autograd.Generator | None = None,
) -> Tensor:
    """softmax((logits + g) / tau) with g Gumbel(0, 1) noise (PyTorch's draws for the
    same generator state), as `F.gumbel_softmax`; with `hard`, the one-hot of its argmax
    in the forward pass and the soft sample's gradient (y_hard - y_soft.detach() +
    y_soft)."""
    x = _tensor(logits)
    gen = autograd.default_generator if generator is None else generator
    gumbels = -np.log(gen.exponential(x.shape, x.dtype))
    y_soft = softmax((x + gumbels) / tau, axis=dim)
    if not hard:
        return y_soft
    index = np.argmax(y_soft.data, axis=dim)
    y_hard = np.zeros(x.shape, dtype=x.dtype)
    np.put_along_axis(y_hard, np.expand_dims(index, dim), 1.0, axis=dim)
    return Tensor(y_hard) - y_soft.detach() + y_soft
