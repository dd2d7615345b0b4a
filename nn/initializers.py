"""Keras's initializer classes (`keras.initializers`), with Keras's arguments, defaults
and distributions, for `Dense(kernel_initializer=...)`, `add_weight(initializer=...)`
and anything else that takes an initializer.

An initializer is called two ways:

- Keras's: ``init(shape, dtype=None)`` returns an array of that shape (fans read in
  Keras's layout: a kernel is (*kernel_size, in, out));
- `nn.init`'s: ``init(tensor, rng=None)`` fills a tensor in place and returns it (fans
  read in PyTorch's layout, (out, in, *kernel_size), in which `Dense` draws its
  kernel), so the objects go wherever `nn.init`'s functions go.

`VarianceScaling(scale, mode, distribution)` draws with variance scale / n, n the
fan in, the fan out or their mean (`mode`): from a normal truncated at two standard
deviations (Keras's default, its std corrected to keep the variance), a plain normal,
or a uniform on [-sqrt(3 scale / n), sqrt(3 scale / n)]. `GlorotUniform`, `HeNormal`,
`LecunNormal`, ... are its named cases, as in Keras. The numbers drawn are numpy's
(from `seed`, the `rng` given, or `autograd.default_rng()`), not Keras's.

Example:
    >>> import nn
    >>> he_avg_init = nn.initializers.VarianceScaling(
    ...     scale=2.0, mode="fan_avg", distribution="uniform", seed=0)
    >>> kernel = he_avg_init((784, 50))
    >>> kernel.shape, kernel.dtype, bool(abs(kernel).max() <= (3 * 2 / 417) ** 0.5)
    ((784, 50), dtype('float32'), True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Tensor, get_default_dtype
from autograd.checks import check_int, check_real
from nn import init
from nn.keras_objects import serialize_object
from nn.module import Parameter

#: Keras's correction of a normal truncated at two std: the std of N(0, 1) truncated to
#: [-2, 2], by which the std is divided to keep the variance asked for.
TRUNCATED_STD = 0.87962566103423978


def keras_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight in Keras's layout (*kernel_size, in, out), as
    Keras's `compute_fans`."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Keras's base class: a subclass defines `sample(shape, fans, rng)`, the values
    for a weight of `shape` whose (fan_in, fan_out) are `fans`."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = None if seed is None else check_int(type(self).__name__, "seed", seed)

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define sample()")

    def _rng(self, rng: init.Rng) -> init.Rng:
        """The generator of a call: the seed's (the same values at every call, as a
        seeded Keras initializer), else the one given, else `autograd.default_rng()`."""
        return np.random.default_rng(self.seed) if self.seed is not None else rng

    def __call__(self, shape: Any, dtype: npt.DTypeLike | None = None, rng: init.Rng = None) -> Any:
        """Fill `shape` if it is a Tensor (PyTorch's layout; returns it), else return an
        ndarray of the shape (Keras's layout) in `dtype` (the default float dtype)."""
        if isinstance(shape, Tensor):
            tensor = shape
            fans = init._calculate_fan_in_and_fan_out(tensor) if tensor.ndim else (1, 1)
            values = self.sample(tensor.shape, fans, self._rng(rng))
            return init._fill(tensor, np.asarray(values, dtype=tensor.dtype))
        shape = _shape(type(self).__name__, shape)
        values = self.sample(shape, keras_fans(shape), self._rng(rng))
        return np.asarray(values, dtype=np.dtype(dtype or get_default_dtype()))

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild the initializer (Keras's `get_config`)."""
        return {"seed": self.seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """`cls(**config)`. Newer Keras writes `input_axes` and `output_axes` (which axes
        the fans count); None, their default, is the fans these initializers take.

        Raises:
            ValueError: other axes than the default.
        """
        config = dict(config)
        for key in ("input_axes", "output_axes"):
            if config.get(key, None) is not None:
                raise ValueError(
                    f"{cls.__name__}.from_config: {key}={config[key]!r} is not supported; "
                    "the fans are taken from the last two axes, as Keras's default (None)"
                )
            config.pop(key, None)
        return cls(**config)

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({options})"


def _shape(owner: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise ValueError(
            f"{owner}: shape must be a tuple of non-negative ints (or a Tensor to fill), "
            f"got {shape!r}"
        )
    return tuple(int(n) for n in shape)


def _placeholder(shape: tuple[int, ...]) -> Parameter:
    """A tensor of `shape` that `nn.init`'s draws take their shape and dtype from."""
    return Parameter(np.zeros(shape, dtype=get_default_dtype()))


def _truncated_normal(
    shape: tuple[int, ...], mean: float, stddev: float, rng: init.Rng
) -> np.ndarray:
    """N(mean, stddev**2) truncated to two std around the mean, as Keras's."""
    if stddev == 0:
        return np.full(shape, mean)
    low, high = mean - 2 * stddev, mean + 2 * stddev
    return init.trunc_normal_(_placeholder(shape), mean, stddev, low, high, rng).data


class VarianceScaling(Initializer):
    """Keras's VarianceScaling: variance scale / n with n = fan_in, fan_out or
    (fan_in + fan_out) / 2 (`mode`), from `distribution`: "truncated_normal" (std
    sqrt(scale / n) / 0.8796, cut at two std), "untruncated_normal" (std
    sqrt(scale / n)) or "uniform" (on +-sqrt(3 scale / n)).

    Raises:
        ValueError: scale <= 0, an unknown mode or distribution.
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        owner = type(self).__name__
        self.scale = check_real(owner, "scale", scale, 0, low_open=True)
        distribution = distribution.lower() if isinstance(distribution, str) else distribution
        distribution = "untruncated_normal" if distribution == "normal" else distribution
        for argument, value, allowed in (
            ("mode", mode, self.MODES),
            ("distribution", distribution, self.DISTRIBUTIONS),
        ):
            if value not in allowed:
                raise ValueError(
                    f"{owner}: {argument} must be one of {', '.join(allowed)}; got {value!r}"
                )
        self.mode, self.distribution = mode, distribution

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        fan_in, fan_out = fans
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return _truncated_normal(shape, 0.0, math.sqrt(variance) / TRUNCATED_STD, rng)
        if self.distribution == "untruncated_normal":
            return init._normal(_placeholder(shape), 0.0, math.sqrt(variance), rng)
        limit = math.sqrt(3.0 * variance)
        return init._uniform(_placeholder(shape), -limit, limit, rng)

    def get_config(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


class _Named(VarianceScaling):
    """A VarianceScaling of fixed arguments (Keras's GlorotUniform, HeNormal, ...)."""

    ARGUMENTS: tuple[float, str, str]

    def __init__(self, seed: int | None = None) -> None:
        scale, mode, distribution = self.ARGUMENTS
        super().__init__(scale, mode, distribution, seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotUniform(_Named):
    """U(-sqrt(6 / (fan_in + fan_out)), +...) (Glorot & Bengio, 2010)."""

    ARGUMENTS = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Named):
    """Truncated normal of variance 2 / (fan_in + fan_out)."""

    ARGUMENTS = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_Named):
    """Truncated normal of variance 2 / fan_in (He et al., 2015)."""

    ARGUMENTS = (2.0, "fan_in", "truncated_normal")


class HeUniform(_Named):
    """U(-sqrt(6 / fan_in), +sqrt(6 / fan_in))."""

    ARGUMENTS = (2.0, "fan_in", "uniform")


class LecunNormal(_Named):
    """Truncated normal of variance 1 / fan_in (LeCun et al., 1998; for SELU)."""

    ARGUMENTS = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_Named):
    """U(-sqrt(3 / fan_in), +sqrt(3 / fan_in))."""

    ARGUMENTS = (1.0, "fan_in", "uniform")


class Zeros(Initializer):
    """All zeros."""

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        return np.zeros(shape)

    def get_config(self) -> dict[str, Any]:
        return {}


class Ones(Zeros):
    """All ones."""

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        return np.ones(shape)


class Constant(Zeros):
    """Every value `value`."""

    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = check_real("Constant", "value", value)

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        return np.full(shape, self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomNormal(Initializer):
    """N(mean, stddev**2)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean = check_real(type(self).__name__, "mean", mean)
        self.stddev = check_real(type(self).__name__, "stddev", stddev, 0)

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        return init._normal(_placeholder(shape), self.mean, self.stddev, rng)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """N(mean, stddev**2) cut at two std around the mean (values beyond are redrawn)."""

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        return _truncated_normal(shape, self.mean, self.stddev, rng)


class RandomUniform(Initializer):
    """U(minval, maxval)."""

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        self.minval = check_real("RandomUniform", "minval", minval)
        self.maxval = check_real("RandomUniform", "maxval", maxval)
        if self.minval > self.maxval:
            raise ValueError(f"RandomUniform: minval {minval} exceeds maxval {maxval}")

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        return init._uniform(_placeholder(shape), self.minval, self.maxval, rng)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _matrix_shape(owner: str, shape: tuple[int, ...], exactly_two: bool) -> None:
    if len(shape) < 2 or (exactly_two and len(shape) != 2):
        wanted = "exactly 2" if exactly_two else "at least 2"
        raise ValueError(f"{owner}: needs a shape of {wanted} axes, got {shape}")


class Orthogonal(Initializer):
    """Keras's orthogonal matrix (Saxe et al. 2014) times `gain`: the Q of the QR of a
    standard normal (rows: the product of all axes but the last), signs fixed by R's
    diagonal; rows or columns orthonormal, whichever are fewer."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = check_real("Orthogonal", "gain", gain)

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        _matrix_shape("Orthogonal", shape, exactly_two=False)
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        q, r = np.linalg.qr(init._normal(_placeholder(flat), 0.0, 1.0, rng).astype(np.float64))
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """Keras's identity matrix times `gain` (2-D shapes only; a rectangular one gets
    ones on its main diagonal)."""

    def __init__(self, gain: float = 1.0) -> None:
        super().__init__()
        self.gain = check_real("Identity", "gain", gain)

    def sample(self, shape: tuple[int, ...], fans: tuple[int, int], rng: init.Rng) -> Any:
        _matrix_shape("Identity", shape, exactly_two=True)
        return self.gain * np.eye(shape[0], shape[1])

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


#: Keras's names of its initializers (class names and snake_case aliases).
INITIALIZERS: dict[str, type[Initializer]] = {
    cls.__name__: cls
    for cls in (
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeNormal,
        HeUniform,
        LecunNormal,
        LecunUniform,
        Zeros,
        Ones,
        Constant,
        RandomNormal,
        RandomUniform,
        TruncatedNormal,
        Orthogonal,
        Identity,
    )
}
# Keras's lowercase names, also module attributes (keras.initializers.he_normal(seed=...))
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
orthogonal = Orthogonal
identity = Identity
INITIALIZERS.update(
    {
        name: cls
        for name, cls in globals().items()
        if isinstance(cls, type) and issubclass(cls, Initializer) and name.islower()
    }
)


def get(identifier: Any) -> Initializer:
    """An initializer from Keras's name ("he_normal", "HeNormal"), a config dict
    (`{"class_name": ..., "config": {...}}`) or an Initializer (returned as it is).

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: anything else.
    """
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        cls = INITIALIZERS.get(identifier.get("class_name", ""))
        if cls is None:
            raise ValueError(f"initializers.get: unknown class_name in {identifier!r}")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        if identifier not in INITIALIZERS:
            raise ValueError(
                f"unknown initializer {identifier!r}; valid names: {', '.join(INITIALIZERS)}"
            )
        return INITIALIZERS[identifier]()
    raise TypeError(
        f"initializers.get: expected a name, a config dict or an Initializer, got "
        f"{type(identifier).__name__}"
    )


def serialize(initializer: Any) -> dict[str, Any] | None:
    """`{"class_name": "HeNormal", "config": {...}}` for one of Keras's initializers
    here (what `get` and `deserialize` rebuild), None for None, as Keras's
    `initializers.serialize` (the Antirectifier example's `get_config`).

    Raises:
        ValueError: a function or a class of your own, which `get` could not rebuild.
    """
    return serialize_object(initializer, "initializer", INITIALIZERS)


def config_of(initializer: Any) -> dict[str, Any] | None:
    """An initializer as a layer's `get_config` gives it: `serialize`'s config, also for
    the functions Keras's names make in `nn.init` ("glorot_uniform" is
    `nn.init.xavier_uniform_`), which are given as that name's Keras class.

    Raises:
        ValueError: a function of your own, which `get` could not rebuild.
    """
    if initializer is not None and not isinstance(initializer, Initializer):
        for name, function in init.INITIALIZERS.items():
            if function is initializer and name in INITIALIZERS:
                return serialize(get(name))
    return serialize(initializer)


def deserialize(config: dict[str, Any]) -> Initializer:
    """The initializer `serialize` described (Keras's `initializers.deserialize`).

    Raises:
        ValueError: an unknown class_name.
        TypeError: not a config dict.
    """
    if not isinstance(config, dict):
        raise TypeError(f"initializers.deserialize: expected a config dict, got {config!r}")
    return get(config)
