"""More of Keras 3's layers: `Identity`, `Permute`, `RepeatVector`, `GaussianDropout`,
`SpatialDropout1D`, `ActivityRegularization`, `PReLU`, `GroupNormalization`,
`RMSNormalization` and the merge layer `Dot` (with `dot`), with Keras's arguments,
defaults and `get_config` (saved and loaded by `nn.saving` as the other Keras layers)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import autograd
from autograd import Generator, Tensor, rand, randn
from autograd.checks import check_bool, check_int, check_real
from nn import constraints, init, ops_nn, regularizers
from nn.layer import Layer, Variable
from nn.merging import Merge
from nn.normalization import _affine_config, _affine_options, _KerasLayer, _known, _resolve


class Identity(Layer):
    """Keras's `layers.Identity`: returns its input unchanged."""

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    saved_name = "keras.layers.Identity"  # (`nn.saving`: PyTorch's is "Identity")

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}


class Permute(Layer):
    """Permute the axes of each sample: `dims` is a permutation of 1..ndim (the batch
    axis 0 stays), e.g. `Permute((2, 1))` swaps the two axes of (batch, a, b)."""

    def __init__(self, dims: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(check_int("Permute", "dims", d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute: dims must be a permutation of 1..{len(self.dims)} (the batch axis "
                f"0 is not permuted), got {tuple(dims)}"
            )

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != len(self.dims) + 1:
            raise ValueError(
                f"Permute{self.dims}: expected inputs of {len(self.dims) + 1} axes, got shape "
                f"{tuple(inputs.shape)}"
            )
        return autograd.permute(inputs, (0, *self.dims))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dims": list(self.dims)}


class RepeatVector(Layer):
    """Repeat each sample `n` times: (batch, features) -> (batch, n, features)."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = check_int("RepeatVector", "n", n)

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != 2:
            raise ValueError(
                f"RepeatVector: expected inputs of shape (batch, features), got "
                f"{tuple(inputs.shape)}"
            )
        batch, features = inputs.shape
        return autograd.broadcast_to(inputs.reshape(batch, 1, features), (batch, self.n, features))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "n": self.n}


class _RandomLayer(Layer):
    """A layer with a `rate` in [0, 1) and a `seed` for its own generator."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.rate = check_real(owner, "rate", rate, 0)
        if not 0 <= self.rate < 1:
            raise ValueError(f"{owner}: rate must be in [0, 1), got {rate}")
        self.seed = None if seed is None else check_int(owner, "seed", seed)
        self.generator = None if seed is None else Generator().manual_seed(seed)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "rate": self.rate, "seed": self.seed}

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


class GaussianDropout(_RandomLayer):
    """Multiplicative noise in training: y = x * N(1, rate / (1 - rate)) (a variance
    of rate / (1 - rate)); y = x in inference."""

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = randn(*inputs.shape, dtype=inputs.dtype, generator=self.generator)
        return inputs * (1.0 + stddev * noise)


class SpatialDropout1D(_RandomLayer):
    """Dropout of whole channels in training: for inputs (batch, steps, channels), each
    (sample, channel) is zeroed for every step with probability `rate`, the rest
    scaled by 1 / (1 - rate); y = x in inference."""

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if inputs.ndim != 3:
            raise ValueError(
                f"SpatialDropout1D: expected inputs of shape (batch, steps, channels), got "
                f"{tuple(inputs.shape)}"
            )
        if not training or self.rate == 0:
            return inputs
        batch, _, channels = inputs.shape
        draws = rand(batch, 1, channels, dtype=inputs.dtype, generator=self.generator)
        keep = (draws.data >= self.rate).astype(inputs.dtype) / (1.0 - self.rate)
        return inputs * Tensor(keep)


class ActivityRegularization(Layer):
    """Returns its input, adding l1 * sum(|x|) + l2 * sum(x**2) (over the batch size)
    to the model's losses: Keras's layer form of an activity regularizer."""

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        self.l1 = check_real("ActivityRegularization", "l1", l1, 0)
        self.l2 = check_real("ActivityRegularization", "l2", l2, 0)
        kwargs.setdefault("activity_regularizer", regularizers.L1L2(l1=self.l1, l2=self.l2))
        super().__init__(**kwargs)

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "l1": self.l1, "l2": self.l2}


class PReLU(_KerasLayer):
    """Keras's parametric ReLU: y = x for x >= 0, alpha * x below, with a learned
    `alpha` for each position of a sample (shared along `shared_axes`).

    Args:
        alpha_initializer: initializer of alpha (zeros).
        alpha_regularizer, alpha_constraint: a penalty and a constraint on alpha.
        shared_axes: axes (1-based, the batch is 0) along which alpha is shared.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    saved_name = "keras.layers.PReLU"  # (`nn.saving`: PyTorch's is "PReLU")

    def __init__(
        self,
        alpha_initializer: str | init.Initializer = "zeros",
        alpha_regularizer: regularizers.RegularizerLike = None,
        alpha_constraint: constraints.ConstraintLike = None,
        shared_axes: int | Sequence[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = init.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer, "PReLU: alpha_regularizer")
        self.alpha_constraint = constraints.get(alpha_constraint, "PReLU: alpha_constraint")
        if shared_axes is None:
            self.shared_axes: tuple[int, ...] | None = None
        else:
            items = [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)
            self.shared_axes = tuple(check_int("PReLU", "shared_axes", a) for a in items)
        self.alpha: Variable | None = None

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            shape[axis - 1] = 1
        if any(n is None for n in shape):
            raise ValueError(f"PReLU: the sample shape {tuple(input_shape[1:])} must be known")
        self.alpha = self.add_weight(
            tuple(int(n) for n in shape),  # type: ignore[arg-type]
            self.alpha_initializer,
            name="alpha",
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.relu(inputs) - self.alpha * autograd.relu(-inputs)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": None if self.shared_axes is None else list(self.shared_axes),
        }


class GroupNormalization(_KerasLayer):
    """Keras's group normalization: the channels along `axis` split into `groups`
    groups, each sample normalized over each group (its channels and every other
    non-batch axis), then scaled by gamma and shifted by beta (per channel).

    Args:
        groups: the number of groups, dividing the channels (-1: one per channel).
        axis: the channel axis.
        epsilon, center, scale, beta/gamma initializers and regularizers: as
            `LayerNormalization`'s.
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str | init.Initializer = "zeros",
        gamma_initializer: str | init.Initializer = "ones",
        beta_regularizer: regularizers.RegularizerLike = None,
        gamma_regularizer: regularizers.RegularizerLike = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.groups = check_int("GroupNormalization", "groups", groups)
        _affine_options(
            self,
            axis,
            epsilon,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
        )

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        keep = _resolve("GroupNormalization", self.axis, len(input_shape))
        shape = _known("GroupNormalization", input_shape, keep)
        channels = int(shape[0])
        if self.groups == -1:
            self.groups = channels
        if self.groups <= 0 or channels % self.groups:
            raise ValueError(
                f"GroupNormalization: {channels} channels do not split into {self.groups} "
                "groups (groups must divide the channels)"
            )
        if self.scale:
            self.gamma = self.add_weight(
                shape, self.initializers["gamma"], name="gamma", regularizer=self.gamma_regularizer
            )
        if self.center:
            self.beta = self.add_weight(
                shape, self.initializers["beta"], name="beta", regularizer=self.beta_regularizer
            )
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        ndim = inputs.ndim
        (axis,) = _resolve("GroupNormalization", self.axis, ndim)
        shape = list(inputs.shape)
        channels = shape[axis]
        grouped = [*shape[:axis], self.groups, channels // self.groups, *shape[axis + 1 :]]
        x = inputs.reshape(*grouped)
        reduce = tuple(a for a in range(1, ndim + 1) if a != axis)
        mean, var = ops_nn.moments(x, reduce, keepdims=True)
        y = ((x - mean) * autograd.rsqrt(var + self.epsilon)).reshape(*shape)
        weight_shape = [1] * ndim
        weight_shape[axis] = channels
        if self.gamma is not None:
            y = y * self.gamma.reshape(*weight_shape)
        if self.beta is not None:
            y = y + self.beta.reshape(*weight_shape)
        return y

    def get_config(self) -> dict[str, Any]:
        config = _affine_config(self)
        return {**config, "groups": self.groups, "axis": self.axis[0]}


class RMSNormalization(_KerasLayer):
    """Keras's root-mean-square normalization: y = x / sqrt(mean(x**2) + epsilon) *
    scale over `axis`, with a learned `scale` (ones) of that axis's length."""

    def __init__(self, axis: int = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = check_int("RMSNormalization", "axis", axis)
        self.epsilon = check_real("RMSNormalization", "epsilon", epsilon, 0, low_open=True)
        self.scale: Variable | None = None

    def build(self, input_shape: Sequence[int | None]) -> None:
        self._remember(input_shape)
        shape = _known("RMSNormalization", input_shape, (self.axis % len(input_shape),))
        self.scale = self.add_weight(shape, "ones", name="scale")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        shape = [1] * inputs.ndim
        shape[self.axis] = -1
        scale = None if self.scale is None else self.scale.reshape(*shape)
        return ops_nn.rms_normalization(inputs, scale, self.axis, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "axis": self.axis, "epsilon": self.epsilon}


class Dot(Merge):
    """The dot product of two batches of samples along `axes` (Keras's `batch_dot`):
    (batch, n) and (batch, n) give (batch, 1); (batch, a, k) and (batch, b, k) with
    axes=2 give (batch, a, b).

    Args:
        axes: one axis for both inputs, or a pair (one per input); never the batch 0.
        normalize: L2-normalize both along `axes` first (the cosine similarity).
        name: Keras's name.
    """

    arity = 2

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        """Keras's: the product carries no mask."""
        return None

    def __init__(
        self, axes: int | Sequence[int], normalize: bool = False, name: str | None = None
    ) -> None:
        super().__init__(name)
        if isinstance(axes, int):
            self.axes: int | tuple[int, int] = check_int("Dot", "axes", axes)
        else:
            pair = tuple(check_int("Dot", "axes", a) for a in axes)
            if len(pair) != 2:
                raise ValueError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
            self.axes = (pair[0], pair[1])
        self.normalize = check_bool("Dot", "normalize", normalize)

    def _check_shapes(self, shapes: list[tuple[int, ...]]) -> None:
        first, second = self._pair(shapes)
        if shapes[0][first] != shapes[1][second]:
            raise ValueError(
                f"Dot: the axes {first} and {second} of inputs of shapes {shapes[0]} and "
                f"{shapes[1]} differ in length"
            )

    def _pair(self, shapes: list[tuple[int, ...]]) -> tuple[int, int]:
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return axes[0] % len(shapes[0]), axes[1] % len(shapes[1])

    def merge(self, tensors: list[Tensor]) -> Tensor:
        x1, x2 = tensors
        a1, a2 = self._pair([tuple(x1.shape), tuple(x2.shape)])
        if self.normalize:
            x1, x2 = ops_nn.normalize(x1, a1), ops_nn.normalize(x2, a2)
        left = autograd.movedim(x1, a1, -1)
        right = autograd.movedim(x2, a2, 1)
        batch, rows, cols = left.shape[0], left.shape[1:-1], right.shape[2:]
        k = left.shape[-1]
        out = autograd.matmul(
            left.reshape(batch, math.prod(rows), k), right.reshape(batch, k, math.prod(cols))
        )
        out = out.reshape(batch, *rows, *cols)
        return out.reshape(batch, 1) if out.ndim == 1 else out

    def get_config(self) -> dict[str, Any]:
        axes = self.axes if isinstance(self.axes, int) else list(self.axes)
        return {"name": self.name, "axes": axes, "normalize": self.normalize}

    def extra_repr(self) -> str:
        return f"axes={self.axes}, normalize={self.normalize}"


def dot(inputs: Sequence[Any], axes: int | Sequence[int] = -1, **kwargs: Any) -> Any:
    """`Dot(axes, **kwargs)(inputs)`: the batch dot product of two inputs."""
    return Dot(axes=axes, **kwargs)(inputs)


__all__ = [
    "ActivityRegularization",
    "Dot",
    "GaussianDropout",
    "GroupNormalization",
    "Identity",
    "PReLU",
    "Permute",
    "RMSNormalization",
    "RepeatVector",
    "SpatialDropout1D",
    "dot",
]
