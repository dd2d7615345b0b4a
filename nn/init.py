"""Weight initializers: fill a tensor's data in place and return the tensor, as torch.

Every function takes an optional `rng` (also by PyTorch's name, `generator=`, where
PyTorch's function takes one): an `autograd.Generator` or nothing (the draws
are then PyTorch's for that generator, or for `autograd.default_generator`, which
`autograd.manual_seed` reseeds as `torch.manual_seed` does: after the same seed,
``nn.Linear(784, 64)`` holds the weights `torch.nn.Linear(784, 64)` holds), or a
`numpy.random.Generator` (numpy's draws). `uniform_`, `normal_` and those built on them
(kaiming, xavier, lecun) and `orthogonal_` draw as PyTorch's; `trunc_normal_` draws
by rejection, so its values are not PyTorch's.

Fans follow PyTorch's weight layout (out_features, in_features), that of `nn.Linear`:
for a 2-D weight fan_in = shape[1] and fan_out = shape[0]; for more dimensions
(out, in, *kernel) both are multiplied by the kernel size; a 1-D tensor has
fan_in = fan_out = its length. (`nn.Dense` draws its Keras kernel (in, out) through
its transpose, so Keras's names give Keras's fans there.)

The normal variants draw from a plain normal (as torch), where Keras's `glorot_normal`,
`he_normal` and `lecun_normal` use a truncated normal of the same variance: those
names, given to a Keras layer (`Dense(kernel_initializer="he_normal")`, `add_weight`),
draw Keras's (`get`).

Example:
    >>> import numpy as np, nn
    >>> w = nn.Parameter(np.zeros((128, 256)))  # (out, in), as nn.Linear(256, 128)
    >>> _ = nn.init.kaiming_uniform_(w, rng=np.random.default_rng(0))
    >>> bool(abs(w.data).max() <= (6 / 256) ** 0.5)
    True
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from autograd import Generator, Tensor, default_rng, get_default_dtype
from autograd.generator import default_generator
from autograd.graph import increment_version

Initializer = Callable[..., Tensor]
Rng = np.random.Generator | Generator | None

_GAINS: dict[str, Callable[[float | None], float]] = {
    "linear": lambda _: 1.0,
    "identity": lambda _: 1.0,
    "sigmoid": lambda _: 1.0,
    "tanh": lambda _: 5.0 / 3,
    "relu": lambda _: math.sqrt(2.0),
    "leaky_relu": lambda slope: math.sqrt(2.0 / (1 + (0.01 if slope is None else slope) ** 2)),
    "selu": lambda _: 0.75,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor torch recommends to keep activations' variance: 1 for linear and
    sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope**2)) for leaky_relu
    (`param` = slope, default 0.01), 3/4 for selu."""
    try:
        return _GAINS[nonlinearity](param)
    except KeyError:
        raise ValueError(
            f"unknown nonlinearity {nonlinearity!r}; valid names: {', '.join(_GAINS)}"
        ) from None


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) for PyTorch's (out, in, *kernel) layout; see the module docstring."""
    shape = tensor.shape
    if len(shape) == 0:
        raise ValueError("cannot compute fan in and fan out of a 0-d tensor")
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    fans = {"fan_in": fan_in, "fan_out": fan_out}
    if mode not in fans:
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fans[mode]


def _fill(tensor: Tensor, values: Any) -> Tensor:
    tensor.data[...] = values
    increment_version(tensor)  # as torch's in-place initializers count it
    return tensor


def _rng(rng: Rng) -> np.random.Generator:
    """numpy's generator for the draws that are not PyTorch's (`trunc_normal_`)."""
    return rng if isinstance(rng, np.random.Generator) else default_rng()


def _torch_stream(rng: Rng) -> Generator | None:
    """The `autograd.Generator` to draw from as PyTorch does, None for numpy's."""
    if rng is None:
        return default_generator
    if isinstance(rng, Generator):
        return rng
    if isinstance(rng, np.random.Generator):
        return None
    raise TypeError(
        f"rng must be an autograd.Generator or a numpy.random.Generator, got {type(rng).__name__}"
    )


def _either(rng: Rng, generator: Rng) -> Rng:
    """`rng`, or PyTorch's name for it, `generator` (``normal_(w, generator=g)``)."""
    if rng is not None and generator is not None:
        raise TypeError("give one of rng and generator (PyTorch's name for it)")
    return generator if rng is None else rng


def _float_dtype(tensor: Tensor) -> np.dtype:
    return tensor.dtype if tensor.dtype.kind == "f" else get_default_dtype()


def _uniform(tensor: Tensor, a: float, b: float, rng: Rng) -> Any:
    gen = _torch_stream(rng)
    if gen is None:
        return _rng(rng).uniform(a, b, tensor.shape)
    return gen.uniform(tensor.shape, _float_dtype(tensor), a, b)


def _normal(tensor: Tensor, mean: float, std: float, rng: Rng, shape: Any = None) -> Any:
    gen = _torch_stream(rng)
    shape = tensor.shape if shape is None else shape
    if gen is None:
        return _rng(rng).normal(mean, std, shape)
    return gen.normal(shape, _float_dtype(tensor), mean, std)


def zeros_(tensor: Tensor, rng: Rng = None) -> Tensor:
    """Fill with 0 (`rng` is accepted so that every initializer is called alike)."""
    return _fill(tensor, 0)


def ones_(tensor: Tensor, rng: Rng = None) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1)


def constant_(tensor: Tensor, val: float, rng: Rng = None) -> Tensor:
    """Fill with `val` (`rng` is accepted, and unused, as by every initializer)."""
    return _fill(tensor, val)


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: Rng = None, *, generator: Rng = None
) -> Tensor:
    """Draw from U(a, b)."""
    return _fill(tensor, _uniform(tensor, a, b, _either(rng, generator)))


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: Rng = None, *, generator: Rng = None
) -> Tensor:
    """Draw from N(mean, std**2)."""
    return _fill(tensor, _normal(tensor, mean, std, _either(rng, generator)))


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    rng: Rng = None,
    *,
    generator: Rng = None,
) -> Tensor:
    """Draw from N(mean, std**2) truncated to [a, b] (PyTorch's `trunc_normal_`: the
    bounds are values, not numbers of std). A draw outside is drawn again.

    Raises:
        ValueError: a > b, or [a, b] holds less than 1e-6 of the distribution.
    """
    if not a <= b:
        raise ValueError(f"trunc_normal_: a ({a}) must not exceed b ({b})")
    inside = 0.5 * (
        math.erf((b - mean) / (std * math.sqrt(2))) - math.erf((a - mean) / (std * math.sqrt(2)))
    )
    if inside < 1e-6:
        raise ValueError(
            f"trunc_normal_: [{a}, {b}] holds {inside:.2g} of N({mean}, {std}**2); "
            "put the bounds within a few std of the mean"
        )
    gen = _rng(_either(rng, generator))
    values = gen.normal(mean, std, tensor.shape)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = gen.normal(mean, std, int(outside.sum()))
        outside = (values < a) | (values > b)
    return _fill(tensor, values)


def orthogonal_(
    tensor: Tensor, gain: float = 1.0, rng: Rng = None, *, generator: Rng = None
) -> Tensor:
    """Saxe et al. (2014): a (semi-)orthogonal matrix times `gain`, from the QR
    decomposition of a normal draw (signs fixed by R's diagonal, so it is uniform over
    the orthogonal matrices), as PyTorch's `orthogonal_`. Axes after the first are
    flattened: rows = shape[0], columns = the rest."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: needs at least 2 dimensions, got shape {tensor.shape}")
    rows = tensor.shape[0]
    cols = tensor.data.size // rows if rows else 0
    flat = _normal(tensor, 0.0, 1.0, _either(rng, generator), (rows, cols)).astype(np.float64)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def eye_(tensor: Tensor, rng: Rng = None) -> Tensor:
    """Fill a 2-d tensor with the identity (ones on the diagonal, as PyTorch's `eye_`)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: needs a 2-d tensor, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, rng: Rng = None, *, generator: Rng = None
) -> Tensor:
    """Glorot & Bengio (2010): U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out))  # torch's rounding
    return uniform_(tensor, -a, a, _either(rng, generator))


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, rng: Rng = None, *, generator: Rng = None
) -> Tensor:
    """Glorot & Bengio (2010): N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), _either(rng, generator))


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: Rng = None,
    *,
    generator: Rng = None,
) -> Tensor:
    """He et al. (2015): U(-b, b), b = gain * sqrt(3 / fan), gain = calculate_gain(
    nonlinearity, a) (sqrt(2) for relu and for the default leaky_relu with a = 0)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std  # torch's rounding
    return uniform_(tensor, -bound, bound, _either(rng, generator))


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: Rng = None,
    *,
    generator: Rng = None,
) -> Tensor:
    """He et al. (2015): N(0, std**2), std = gain / sqrt(fan)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, _either(rng, generator))


def lecun_uniform_(tensor: Tensor, rng: Rng = None) -> Tensor:
    """LeCun et al. (1998): U(-b, b), b = sqrt(3 / fan_in) (variance 1 / fan_in)."""
    bound = math.sqrt(3.0 / _fan(tensor, "fan_in"))
    return uniform_(tensor, -bound, bound, rng)


def lecun_normal_(tensor: Tensor, rng: Rng = None) -> Tensor:
    """LeCun et al. (1998): N(0, 1 / fan_in)."""
    return normal_(tensor, 0.0, 1.0 / math.sqrt(_fan(tensor, "fan_in")), rng)


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_


def he_uniform_(tensor: Tensor, rng: Rng = None) -> Tensor:
    """Keras's he_uniform: U(-b, b), b = sqrt(6 / fan_in) (kaiming_uniform_ for relu)."""
    return kaiming_uniform_(tensor, nonlinearity="relu", rng=rng)


def he_normal_(tensor: Tensor, rng: Rng = None) -> Tensor:
    """Keras's he_normal variance: N(0, 2 / fan_in) (kaiming_normal_ for relu)."""
    return kaiming_normal_(tensor, nonlinearity="relu", rng=rng)


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": xavier_uniform_,
    "xavier_uniform": xavier_uniform_,
    "xavier_normal": xavier_normal_,
    "he_uniform": he_uniform_,
    "lecun_uniform": lecun_uniform_,
    "zeros": zeros_,
    "ones": ones_,
    # Keras's defaults for its plain random initializers.
    "random_normal": partial(normal_, mean=0.0, std=0.05),
    "random_uniform": partial(uniform_, a=-0.05, b=0.05),
    "truncated_normal": partial(trunc_normal_, mean=0.0, std=0.05, a=-0.1, b=0.1),
    "orthogonal": orthogonal_,
    "identity": eye_,
    # Keras's other names of those (keras.initializers.get("uniform") is RandomUniform)
    "uniform": partial(uniform_, a=-0.05, b=0.05),
    "normal": partial(normal_, mean=0.0, std=0.05),
    "zero": zeros_,
    "one": ones_,
}


#: Keras's names whose Keras initializer draws from a normal truncated at two standard
#: deviations (of the variance of this module's function of that name, which draws a
#: plain normal, as torch's): for these names `get` gives Keras's (`nn.initializers`).
KERAS_TRUNCATED = ("glorot_normal", "he_normal", "lecun_normal")


class ShapeFunction:
    """Keras's kind of initializer function, `f(shape, dtype=None)` returning an array
    of a shape in Keras's layout (*kernel, in, out), used where `nn.init`'s kind
    `f(tensor, rng=None)` goes: it fills a tensor in PyTorch's layout (out, in, *kernel)
    with the transpose of what `f` returns for Keras's shape of it, so a `Dense` kernel
    gets exactly `f((inputs, units))`."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def __call__(self, tensor: Tensor, rng: Rng = None) -> Tensor:
        shape = tensor.shape
        n = len(shape)
        keras_shape = shape if n < 2 else (*shape[2:], shape[1], shape[0])
        values = self.function(keras_shape, dtype=tensor.dtype.name)
        array = np.asarray(values.data if isinstance(values, Tensor) else values)
        if array.shape != keras_shape:
            name = getattr(self.function, "__name__", repr(self.function))
            raise ValueError(
                f"initializer {name} returned an array of shape {array.shape} for the shape "
                f"{keras_shape} it was given"
            )
        return _fill(tensor, array if n < 2 else np.transpose(array, (n - 1, n - 2, *range(n - 2))))

    def __repr__(self) -> str:
        return f"ShapeFunction({getattr(self.function, '__name__', self.function)})"


def _takes_shape(function: Callable[..., Any]) -> bool:
    """Whether a function is Keras's kind of initializer: its first parameter is named
    `shape`, or it takes a `dtype` and no `rng` (`nn.init`'s kind takes a tensor and
    `rng`)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    names = list(parameters)
    return bool(names) and (names[0] == "shape" or ("dtype" in names and "rng" not in names))


def get(initializer: str | Initializer) -> Initializer:
    """The initializer `f(tensor, rng=None)` for a Keras name (with Keras's
    distribution), a callable of that kind unchanged, or one of Keras's kind,
    `f(shape, dtype=None)` (first parameter named `shape`, or a `dtype` without
    `rng`), as a `ShapeFunction`.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
    """
    if callable(initializer):
        if not isinstance(initializer, type) and _takes_shape(initializer):
            from nn.initializers import Initializer as KerasInitializer  # it imports this

            if not isinstance(initializer, KerasInitializer):
                return ShapeFunction(initializer)
        return initializer
    if isinstance(initializer, str) and initializer in KERAS_TRUNCATED:
        from nn import initializers  # (which imports this module)

        return initializers.get(initializer)
    try:
        return INITIALIZERS[initializer]
    except (KeyError, TypeError):
        names = ", ".join([*INITIALIZERS, *KERAS_TRUNCATED])
        raise ValueError(f"unknown initializer {initializer!r}; valid names: {names}") from None
