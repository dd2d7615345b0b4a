"""`nn.RMSNorm`, `nn.AlphaDropout`, `nn.BatchNorm1d` and `nn.BatchNorm2d`, as PyTorch's;
the first two forward through `F.rms_norm` and `F.alpha_dropout`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Generator, Tensor, get_default_dtype
from autograd.checks import check_bool, check_int, check_real
from autograd.ops.args import OperandError
from autograd.tensor import increment_version
from nn import init
from nn.functional_norms import _shape, alpha_dropout, check_p, rms_norm
from nn.module import Module, Parameter
from nn.normalization import moments, normalize
from nn.symbolic import default_name


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing `normalized_shape` axes:

        y = x / sqrt(mean(x**2) + eps) * weight

    Args:
        normalized_shape: the trailing shape normalized (an int for the last axis).
        eps: added to the mean square; None (the default) is the machine epsilon of
            the input's dtype, as PyTorch.
        elementwise_affine: learn `weight` (init 1) of `normalized_shape`.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape("RMSNorm", normalized_shape)
        self.eps = None if eps is None else check_real("RMSNorm", "eps", eps, 0)
        self.elementwise_affine = check_bool("RMSNorm", "elementwise_affine", elementwise_affine)
        self.weight = (
            init.ones_(Parameter(np.zeros(self.normalized_shape, dtype=get_default_dtype())))
            if elementwise_affine
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class AlphaDropout(Module):
    """`alpha_dropout` in training mode, the identity in evaluation mode; also Keras's
    `layers.AlphaDropout(rate)` (the same rule: dropped units become SELU's negative
    saturation, then an affine map keeps the mean and variance).

    Args:
        p: probability of dropping an element, in [0, 1).
        inplace: PyTorch's flag, accepted and printed; as in PyTorch, the module computes
            out of place all the same (its forward does not pass the flag on).
        rate: Keras's name for `p`, by keyword.
        noise_shape: Keras's argument, accepted only as None (a mask per element).
        seed: Keras's seed of the layer's own masks, by keyword (an `autograd.Generator`
            of that seed; not Keras's masks). Default: `autograd.default_generator`.
        name: Keras's layer name (default `alpha_dropout`, `alpha_dropout_1`, ...).
    """

    def __init__(
        self,
        p: float = 0.5,
        inplace: bool = False,
        *,
        rate: float | None = None,
        noise_shape: Sequence[int | None] | None = None,
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__()
        if rate is not None:
            if p != 0.5:
                raise TypeError(f"AlphaDropout: got p={p} and rate={rate}; pass one of them")
            p = rate
        if noise_shape is not None:
            raise ValueError(
                f"AlphaDropout: noise_shape={noise_shape!r} is not supported (only None: "
                "a mask drawn for every element)"
            )
        self.p = check_p("AlphaDropout", p)
        self.inplace = check_bool("AlphaDropout", "inplace", inplace)
        self.name = default_name(self, name)
        self.seed = None if seed is None else check_int("AlphaDropout", "seed", seed, minimum=0)
        self.generator = None if seed is None else Generator().manual_seed(seed)

    @property
    def rate(self) -> float:
        """Keras's name for `p`."""
        return self.p

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        """Keras's `call`: drop in training (`training`, else the module's mode); a
        subclass may override it (Monte Carlo alpha dropout passes training=True)."""
        training = self.training if training is None else bool(training)
        return alpha_dropout(inputs, self.p, training, rng=self.generator)

    def forward(self, x: Tensor) -> Tensor:
        return self.call(x)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class BatchNorm1d(Module):
    """Batch normalization (Ioffe & Szegedy, 2015) over inputs (N, C) or (N, C, L),
    per channel C, as `torch.nn.BatchNorm1d`:

        y = (x - mean) / sqrt(var + eps) * weight + bias

    In training, mean and var are the batch's (over N, and L; biased var), and with
    `track_running_stats` the running statistics move toward them (unbiased var, n the
    values per channel), counting the batch in `num_batches_tracked`:

        num_batches_tracked += 1
        f = momentum, or 1 / num_batches_tracked when momentum is None
        running_mean = (1 - f) * running_mean + f * mean
        running_var = (1 - f) * running_var + f * var * n / (n - 1)

    so `momentum=None` keeps the cumulative (equal-weight) average of the batches. In
    eval mode the running statistics are used; without `track_running_stats` there are
    none (the buffers are None), and eval mode normalizes with the batch's statistics.
    An empty batch gives an empty output and, in training, counts in
    `num_batches_tracked` without moving the statistics (torch's).

    Args:
        num_features: C, the number of channels.
        eps: added to the variance for stability.
        momentum: weight of the newest batch in the running statistics, in [0, 1], or
            None for the cumulative average.
        affine: learn `weight` (init 1) and `bias` (init 0).
        track_running_stats: keep `running_mean`, `running_var` and the int64
            `num_batches_tracked` as buffers (in `state_dict`, under torch's names).
        bias: with `affine`, learn `bias` too (PyTorch's keyword).
    """

    counters = ("num_batches_tracked",)  # a buffer, but no Keras weight (nn.weights)
    running_mean: Tensor | None  # buffers, made by register_buffer
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = check_int(name, "num_features", num_features, minimum=1)
        self.eps = check_real(name, "eps", eps, 0, low_open=True)
        self.momentum = None if momentum is None else check_real(name, "momentum", momentum, 0, 1)
        self.affine = check_bool(name, "affine", affine)
        self.track_running_stats = check_bool(name, "track_running_stats", track_running_stats)
        self.weight = _ones(num_features) if affine else None
        check_bool(name, "bias", bias)
        with_bias = affine and bias
        self.bias = Parameter(np.zeros(num_features, get_default_dtype())) if with_bias else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, get_default_dtype()))
            self.register_buffer("running_var", np.ones(num_features, get_default_dtype()))
            self.register_buffer("num_batches_tracked", np.array(0, np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    #: The numbers of axes the input may have, described for error messages (with the
    #: shape of a good input, `{n}` standing for num_features).
    _ndims: tuple[int, ...] = (2, 3)
    _layout = "2D or 3D input, (N, C) or (N, C, L)"
    _example = "(batch, {n}, length) or (batch, {n})"

    def _check_input(self, x: Tensor) -> None:
        name = type(self).__name__
        if x.ndim not in self._ndims:
            raise ValueError(
                f"{name}: expected {self._layout}, got {x.ndim}D input of shape {x.shape}"
            )
        if x.shape[1] != self.num_features:  # torch's RuntimeError (a ValueError too)
            last = x.ndim > 2 and x.shape[-1] == self.num_features
            raise OperandError(
                f"{name}({self.extra_repr()}): expected input of shape "
                f"{self._example.format(n=self.num_features)}, got {x.shape}"
                + (": the channels go on dim 1, e.g. x.transpose(1, -1)" if last else "")
            )

    def forward(self, x: Tensor) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        self._check_input(x)
        axes = (0, *range(2, x.ndim))  # every axis but the channels'
        shape = (-1,) + (1,) * (x.ndim - 2)  # per-channel values against axis 1
        if x.size == 0:  # torch's: an empty batch is counted, and moves no statistic
            if self.training and self.num_batches_tracked is not None:
                self.num_batches_tracked.data[...] += 1
                increment_version(self.num_batches_tracked)
            return x.clone()
        if self.training or self.running_mean is None:
            n = x.size // self.num_features  # values per channel
            if n < 2:
                raise ValueError(
                    f"{type(self).__name__}: expected more than 1 value per channel when "
                    "training (or without running statistics), got input of shape "
                    f"{x.shape}: use batches of more than 1 sample"
                )
            mean, d, var = moments(x, axes)
            if self.training and self.running_mean is not None:
                self._update(mean.data.reshape(-1), var.data.reshape(-1) * (n / (n - 1)))
        else:
            d = x - self.running_mean.reshape(*shape)
            var = self.running_var.reshape(*shape)  # type: ignore[union-attr]
        weight = None if self.weight is None else self.weight.reshape(*shape)
        bias = None if self.bias is None else self.bias.reshape(*shape)
        return normalize(d, var, self.eps, weight, bias)

    def reset_running_stats(self) -> None:
        """Running mean 0, running var 1 and no batch counted (as at construction;
        nothing to do without `track_running_stats`), as PyTorch's."""
        if self.running_mean is None or self.running_var is None:
            return
        assert self.num_batches_tracked is not None
        self.running_mean.data[...] = 0
        self.running_var.data[...] = 1
        self.num_batches_tracked.data[...] = 0
        for t in (self.running_mean, self.running_var, self.num_batches_tracked):
            increment_version(t)

    def _update(self, mean: np.ndarray, unbiased_var: np.ndarray) -> None:
        """Count the batch and move the running statistics toward its mean and var."""
        assert self.running_mean is not None and self.running_var is not None
        assert self.num_batches_tracked is not None
        self.num_batches_tracked.data[...] += 1
        f = 1.0 / int(self.num_batches_tracked.data) if self.momentum is None else self.momentum
        self.running_mean.data[...] = (1 - f) * self.running_mean.data + f * mean
        self.running_var.data[...] = (1 - f) * self.running_var.data + f * unbiased_var
        for t in (self.running_mean, self.running_var, self.num_batches_tracked):
            increment_version(t)

    def extra_repr(self) -> str:
        return (  # PyTorch's
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm2d(BatchNorm1d):
    """Batch normalization of images (N, C, H, W) per channel C, as
    `torch.nn.BatchNorm2d`: `BatchNorm1d`'s rule and arguments, the batch's mean and
    var taken over N, H and W.
    """

    _ndims = (4,)
    _layout = "4D input (N, C, H, W)"
    _example = "(batch, {n}, height, width)"


def _ones(n: int) -> Parameter:
    return Parameter(np.ones(n, dtype=get_default_dtype()))
