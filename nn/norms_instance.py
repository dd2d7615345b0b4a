"""PyTorch's `BatchNorm3d`, `InstanceNorm1d/2d/3d` and the lazy norms
`LazyBatchNorm1d/2d/3d`, `LazyInstanceNorm1d/2d/3d`, with torch's arguments, defaults,
buffers (state_dict keys), reprs, checks and warnings.

Instance normalization normalizes each channel of each sample over its spatial dims:

    y[n, c] = (x[n, c] - mean(x[n, c])) / sqrt(var(x[n, c]) + eps) * weight[c] + bias[c]

(biased var); the math is `F.instance_norm`'s (`nn.torch_more`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.checks import check_bool, check_int, check_real
from autograd.tensor import increment_version
from nn.module import Module, Parameter
from nn.norms_torch import BatchNorm1d, BatchNorm2d
from nn.torch_more import instance_norm


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


class BatchNorm3d(BatchNorm1d):
    """Batch normalization of volumes (N, C, D, H, W) per channel C, as
    `torch.nn.BatchNorm3d`: `BatchNorm1d`'s rule and arguments, the batch's mean and
    var taken over N, D, H and W.
    """

    _ndims = (5,)
    _layout = "5D input (N, C, D, H, W)"
    _example = "(batch, {n}, depth, height, width)"


class _InstanceNorm(Module):
    """Shared by `InstanceNorm1d/2d/3d`: `d` spatial dims."""

    d = 1
    counters = ("num_batches_tracked",)  # a buffer, but no Keras weight (nn.weights)
    running_mean: Tensor | None  # buffers, made by register_buffer
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = check_int(name, "num_features", num_features, minimum=0)
        self.eps = check_real(name, "eps", eps, 0)
        self.momentum = None if momentum is None else check_real(name, "momentum", momentum, 0, 1)
        self.affine = check_bool(name, "affine", affine)
        self.track_running_stats = check_bool(name, "track_running_stats", track_running_stats)
        check_bool(name, "bias", bias)
        dtype = get_default_dtype()
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype))
            self.register_buffer("num_batches_tracked", np.array(0, np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def _check_input_dim(self, x: Tensor) -> None:
        d = self.d
        if x.ndim not in (d + 1, d + 2):
            raise ValueError(f"expected {d + 1}D or {d + 2}D input (got {x.ndim}D input)")

    def forward(self, x: Tensor) -> Tensor:
        """Instance statistics in training or without `track_running_stats` (moving
        the running statistics in training), the running ones in evaluation; an
        unbatched (C, *spatial) input is normalized as a batch of one."""
        x = _tensor(x)
        self._check_input_dim(x)
        feature_dim = x.ndim - (self.d + 1)
        if x.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features"
                    f" ({self.num_features}), but got: {x.shape[feature_dim]}."
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False",
                UserWarning,
                stacklevel=2,
            )
        unbatched = x.ndim == self.d + 1
        if unbatched:
            x = x.reshape(1, *x.shape)
        # torch's: num_batches_tracked is never counted, and momentum None means 0
        y = instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return y.reshape(*y.shape[1:]) if unbatched else y

    def reset_running_stats(self) -> None:
        """Running mean 0, running var 1, no batch counted, as PyTorch's."""
        if self.running_mean is None or self.running_var is None:
            return
        assert self.num_batches_tracked is not None
        self.running_mean.data[...] = 0
        self.running_var.data[...] = 1
        self.num_batches_tracked.data[...] = 0
        for t in (self.running_mean, self.running_var, self.num_batches_tracked):
            increment_version(t)

    def extra_repr(self) -> str:
        return (  # PyTorch's
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or unbatched (C, L), as
    `torch.nn.InstanceNorm1d`: no affine map (`affine=False`) and no running
    statistics (`track_running_stats=False`) by default.

    Raises:
        ValueError: an input of another number of dims; with `affine`, C other than
            `num_features` (without it, torch's warning).
    """


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or unbatched (C, H, W), as
    `torch.nn.InstanceNorm2d`; see `InstanceNorm1d`."""

    d = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of (N, C, D, H, W) or unbatched (C, D, H, W), as
    `torch.nn.InstanceNorm3d`; see `InstanceNorm1d`."""

    d = 3


# --- lazy norms ----------------------------------------------------------------------


def _lazy_init(
    module: Any,
    eps: float,
    momentum: float | None,
    affine: bool,
    track_running_stats: bool,
    bias: bool,
) -> None:
    """torch's `_LazyNormBase.__init__`: num_features 0, empty weight, bias and running
    statistics (shaped at the first call), `num_batches_tracked` 0."""
    Module.__init__(module)
    name = type(module).__name__
    module.num_features = 0
    module.eps = check_real(name, "eps", eps, 0)
    module.momentum = None if momentum is None else check_real(name, "momentum", momentum, 0, 1)
    module.affine = check_bool(name, "affine", affine)
    module.track_running_stats = check_bool(name, "track_running_stats", track_running_stats)
    check_bool(name, "bias", bias)
    dtype = get_default_dtype()
    module.weight = Parameter(np.zeros(0, dtype)) if affine else None
    module.bias = Parameter(np.zeros(0, dtype)) if affine and bias else None
    if track_running_stats:
        module.register_buffer("running_mean", np.zeros(0, dtype))
        module.register_buffer("running_var", np.zeros(0, dtype))
        module.register_buffer("num_batches_tracked", np.array(0, np.int64))
    else:
        module.running_mean = module.running_var = module.num_batches_tracked = None


def _materialize(module: Any, x: Tensor) -> None:
    """torch's `initialize_parameters`: when anything is still empty, num_features is
    the input's dim 1 (for unbatched inputs too, as torch), the weight 1, the bias 0,
    the running mean 0 and var 1."""
    if module.weight is None and module.running_mean is None:
        return  # nothing to shape: torch leaves num_features at 0
    n = module.num_features = int(x.shape[1])
    for t, value in (
        (module.weight, 1),
        (module.bias, 0),
        (module.running_mean, 0),
        (module.running_var, 1),
    ):
        if t is not None:
            t.data = np.full(n, value, t.dtype)
            increment_version(t)


class _LazyBatchNorm(BatchNorm1d):
    """A batch norm whose `num_features` is its first input's dim 1; the first call
    shapes its weights and statistics and turns it into `cls_to_become`."""

    cls_to_become: type[Module] = BatchNorm1d

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        bias: bool = True,
    ) -> None:
        _lazy_init(self, eps, momentum, affine, track_running_stats, bias)

    def forward(self, x: Tensor) -> Tensor:
        x = _tensor(x)
        self._check_lazy_input(x)
        _materialize(self, x)
        self.__class__ = self.cls_to_become  # type: ignore[assignment]
        return self.forward(x)

    def _check_lazy_input(self, x: Tensor) -> None:
        if x.ndim not in self._ndims:
            name = self.cls_to_become.__name__
            raise ValueError(
                f"{name}: expected {self._layout}, got {x.ndim}D input of shape {x.shape}"
            )


class LazyBatchNorm1d(_LazyBatchNorm):
    """`BatchNorm1d` with `num_features` read from the first input (N, C) or (N, C, L),
    as `torch.nn.LazyBatchNorm1d`: until then its parameters and statistics are empty
    (an optimizer may already hold them); the first call shapes and initializes them
    and turns the module into a `BatchNorm1d`."""


class LazyBatchNorm2d(_LazyBatchNorm):
    """`LazyBatchNorm1d` for images (N, C, H, W), becoming a `BatchNorm2d`, as
    `torch.nn.LazyBatchNorm2d`."""

    cls_to_become = BatchNorm2d
    _ndims = (4,)
    _layout = "4D input (N, C, H, W)"


class LazyBatchNorm3d(_LazyBatchNorm):
    """`LazyBatchNorm1d` for volumes (N, C, D, H, W), becoming a `BatchNorm3d`, as
    `torch.nn.LazyBatchNorm3d`."""

    cls_to_become = BatchNorm3d
    _ndims = (5,)
    _layout = "5D input (N, C, D, H, W)"


class _LazyInstanceNorm(_InstanceNorm):
    """An instance norm whose `num_features` is its first input's dim 1. As torch's
    lazy norms, the defaults are `affine=True` and `track_running_stats=True` (unlike
    `InstanceNorm1d`'s), and an unbatched first input gives its dim 1 too."""

    cls_to_become: type[Module] = InstanceNorm1d

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        bias: bool = True,
    ) -> None:
        _lazy_init(self, eps, momentum, affine, track_running_stats, bias)

    def forward(self, x: Tensor) -> Tensor:
        x = _tensor(x)
        self._check_input_dim(x)
        _materialize(self, x)
        self.__class__ = self.cls_to_become  # type: ignore[assignment]
        return self.forward(x)


class LazyInstanceNorm1d(_LazyInstanceNorm):
    """`InstanceNorm1d` with `num_features` read from the first input, as
    `torch.nn.LazyInstanceNorm1d`; the first call turns it into an `InstanceNorm1d`."""


class LazyInstanceNorm2d(_LazyInstanceNorm):
    """`InstanceNorm2d` with `num_features` read from the first input, as
    `torch.nn.LazyInstanceNorm2d`."""

    d = 2
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm):
    """`InstanceNorm3d` with `num_features` read from the first input, as
    `torch.nn.LazyInstanceNorm3d`."""

    d = 3
    cls_to_become = InstanceNorm3d


__all__ = [
    "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyBatchNorm1d",
    "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]  # fmt: skip
