"""Creating tensors: from data, filled with a value, ranges and random draws.

Shapes are given as ints or as one tuple (`zeros(2, 3)` or `zeros((2, 3))`). Random
draws (`rand`, `randn`, `randint`, `multinomial`) come from an `autograd.Generator`
(PyTorch's stream, `autograd.generator`): the one given as ``generator=``, else
`default_generator`, which `manual_seed` reseeds.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.device import check_device
from autograd.generator import Generator, default_generator
from autograd.ops.args import OperandError
from autograd.spacing import torch_linspace
from autograd.tensor import Tensor, data_of, get_default_dtype, nested_array

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed both generators: `default_generator` (PyTorch's stream, behind `rand`,
    `randn`, `randint` and `multinomial`: after ``manual_seed(s)`` they draw what
    PyTorch draws after ``torch.manual_seed(s)``) and `default_rng()` (numpy's, behind
    `nn`'s initializers, dropout masks and shuffling). Returns the latter."""
    global _rng
    default_generator.manual_seed(seed)
    _rng = np.random.default_rng(seed)
    return _rng


def initial_seed() -> int:
    """The seed `default_generator` started from, as `torch.initial_seed`."""
    return default_generator.initial_seed()


def seed() -> int:
    """Reseed both generators (see `manual_seed`) from the operating system's entropy;
    returns the new seed, as `torch.seed`."""
    new = default_generator.seed()
    manual_seed(new)
    return new


def get_rng_state() -> Tensor:
    """The state of `default_generator` as a uint8 Tensor (PyTorch's ByteTensor), for
    `set_rng_state` to replay the draws from here, as `torch.get_rng_state`."""
    return Tensor(default_generator.get_state().view(np.uint8))


def set_rng_state(new_state: Any) -> None:
    """Restore `default_generator` to a state `get_rng_state` returned.

    Raises:
        ValueError: anything that is not such a state (the generator is unchanged).
    """
    data = np.ascontiguousarray(data_of(new_state))
    if data.dtype != np.uint8 or data.ndim != 1 or data.size % 4:
        raise ValueError(
            "set_rng_state: expected the uint8 tensor get_rng_state returns, got dtype "
            f"{data.dtype} and shape {data.shape}"
        )
    default_generator.set_state(data.view(np.uint32))


def default_rng() -> np.random.Generator:
    """numpy's generator behind `nn`'s initializers, dropout and shuffling, and the
    default of every `rng=` argument."""
    return _rng


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"shape must be non-negative ints, got {shape}")
    return tuple(int(n) for n in shape)


def _sized(name: str, shape: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    """The shape given positionally (``rand(2, 3)``, ``rand((2, 3))``) or by PyTorch's
    keyword (``rand(size=(2, 3))``), not both."""
    if size is None:
        return _shape(shape)
    if shape:
        raise TypeError(f"{name}: give the shape positionally or as size=, not both")
    return _shape((size,))


def _dtype(dtype: npt.DTypeLike | None) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(
    data: Any,
    requires_grad: bool = False,
    dtype: npt.DTypeLike | None = None,
    name: str | None = None,
    *,
    device: Any = None,
) -> Tensor:
    """A new tensor holding a copy of `data`, as `torch.tensor`.

    Arrays and tensors keep their dtype. Python numbers and (nested) lists take theirs
    from their elements, as in PyTorch: bools give bool, ints int64, and floats the
    default float dtype (float32 unless `set_default_dtype` changed it). (The `Tensor`
    constructor, like `torch.Tensor`, makes every number the default float dtype.)
    """
    check_device(device)
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray | np.generic):
        data = np.array(data)
    elif dtype is None:
        kind = nested_array(data).dtype.kind
        if kind == "b":
            dtype = np.bool_
        elif kind in "iu":
            dtype = np.int64
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def zeros(
    *shape: Any,
    size: Any = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    check_device(device)
    return Tensor(
        np.zeros(_sized("zeros", shape, size), _dtype(dtype)), requires_grad=requires_grad
    )


def ones(
    *shape: Any,
    size: Any = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    check_device(device)
    return Tensor(np.ones(_sized("ones", shape, size), _dtype(dtype)), requires_grad=requires_grad)


def full(
    shape: Any,
    fill_value: float,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """`fill_value` everywhere. Unless given, the dtype is PyTorch's for the value: bool
    for a bool, int64 for an int, the default float dtype otherwise."""
    check_device(device)
    shape = _shape((shape,) if isinstance(shape, int) else (tuple(shape),))
    if dtype is None:
        dtype = _fill_dtype(fill_value)
    return Tensor(np.full(shape, fill_value, _dtype(dtype)), requires_grad=requires_grad)


def _fill_dtype(value: Any) -> np.dtype:
    """The dtype PyTorch infers for a fill value (a number, or a 0-d tensor or array):
    by its kind only."""
    kind = np.asarray(data_of(value)).dtype.kind
    return np.dtype({"b": np.bool_, "i": np.int64, "u": np.int64}.get(kind, get_default_dtype()))


def zeros_like(
    input: Any,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    check_device(device)
    data = data_of(input)
    return Tensor(np.zeros_like(data, dtype=dtype), requires_grad=requires_grad)


def ones_like(
    input: Any,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    check_device(device)
    data = data_of(input)
    return Tensor(np.ones_like(data, dtype=dtype), requires_grad=requires_grad)


def _arange_bounds(
    start: float | None, stop: float | None, end: float | None
) -> tuple[float, float]:
    """`arange`'s (start, stop): one bound alone is the end, from 0; `end` is `stop`."""
    if end is not None:
        if stop is not None:
            raise TypeError("arange: got both stop and end (the same argument)")
        stop = end
    if start is None:
        if stop is None:
            raise TypeError('arange() missing 1 required positional arguments: "end"')
        return 0, stop
    return (0, start) if stop is None else (start, stop)


def arange(
    start: float | None = None,
    stop: float | None = None,
    step: float = 1,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
    end: float | None = None,
) -> Tensor:
    """Evenly spaced values in [start, stop). As in PyTorch, integers (int64) when
    start, stop and step are all ints, else the default float dtype, unless given.
    `end` is PyTorch's name of `stop` (``torch.arange(start=0, end=10, step=1)``)."""
    check_device(device)
    start, stop = _arange_bounds(start, stop, end)
    # PyTorch's checks (numpy returns an empty array for the last two): RuntimeErrors,
    # that are ValueErrors too
    if step == 0:
        raise OperandError("arange: step must be nonzero")
    if not all(math.isfinite(v) for v in (start, stop, step)):
        raise OperandError(f"arange: unsupported range: {start} -> {stop} (step {step})")
    if (stop - start) * step < 0:
        raise OperandError(
            f"arange: upper bound and lower bound inconsistent with step sign: from {start} "
            f"to {stop} by {step}"
        )
    ints = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
    if dtype is None and ints:
        dtype = np.int64
    out = _dtype(dtype)
    if out.kind != "f":
        return Tensor(np.arange(start, stop, step, dtype=out), requires_grad=requires_grad)
    # As PyTorch: start + i * step in float64, rounded once to the dtype. numpy's
    # float32 arange adds a float32 step, whose error grows along the range.
    n = max(0, math.ceil((stop - start) / step))
    data = (start + np.arange(n, dtype=np.float64) * step).astype(out)
    return Tensor(data, requires_grad=requires_grad)


def range_(
    start: float = 0,
    end: float | None = None,
    step: float = 1,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """PyTorch's deprecated `torch.range` (`autograd.range`): values from `start` to
    `end` *included*, in the default float dtype unless given, with torch's
    deprecation warning (``torch.range(0, 10)`` of the Zero to Mastery notebook 00).
    `arange` is what to use: it stops before `end`.

    Raises:
        RuntimeError: a zero step or one whose sign goes away from `end` (torch's).
    """
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
        "which produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    check_device(device)
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    if step == 0:
        raise OperandError("range: step must be nonzero")
    if (end - start) * step < 0:
        raise OperandError("upper bound and lower bound inconsistent with step sign")
    n = math.floor((end - start) / step) + 1
    data = start + np.arange(n, dtype=np.float64) * step
    return Tensor(data.astype(_dtype(dtype)), requires_grad=requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, both included, as
    `torch.linspace` computes them (to the last bit for float32, float64 and integer
    dtypes: see `autograd.spacing`)."""
    check_device(device)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    kind = _dtype(dtype)
    if kind in (np.float32, np.float64) or (kind.kind in "iu" and steps > 0):
        data = torch_linspace(start, end, int(steps), kind)
    else:
        data = np.linspace(start, end, int(steps), dtype=kind)
    return Tensor(data, requires_grad=requires_grad)


def eye(
    n: int,
    m: int | None = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    check_device(device)
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)


def _float_dtype(name: str, dtype: npt.DTypeLike | None) -> np.dtype:
    out = _dtype(dtype)
    if out.kind != "f":
        raise TypeError(f"{name}: draws are floats; dtype must be a float dtype, got {out}")
    return out


def _check_generator(name: str, generator: Any) -> None:
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{name}: generator must be an autograd.Generator, got {type(generator).__name__}"
        )


def rand(
    *shape: Any,
    size: Any = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    device: Any = None,
) -> Tensor:
    """Uniform draws from [0, 1): those PyTorch's `torch.rand(..., generator=g)` makes
    (`default_generator` when `generator` is None)."""
    check_device(device)
    gen = default_generator if generator is None else generator
    _check_generator("rand", gen)
    data = gen.uniform(_sized("rand", shape, size), _float_dtype("rand", dtype))
    return Tensor(data, requires_grad=requires_grad)


def bernoulli(
    input: Any, p: Any = None, *, generator: Generator | None = None, out: Any = None
) -> Tensor:
    """1 where a uniform draw falls below the probability in `input`, else 0, in
    `input`'s dtype: the draws PyTorch's `torch.bernoulli(input, generator=g)` makes (one
    float64 uniform per element when `input` is float64, else one float32 uniform).

    Raises:
        NotImplementedError: a scalar `p` (PyTorch draws that form through MKL's own
            stream); ``bernoulli(full_like(input, p))`` draws PyTorch's numbers.
        ValueError: probabilities outside [0, 1].
    """
    if p is not None or out is not None:
        raise NotImplementedError(
            "bernoulli: only the form bernoulli(probabilities) is supported; for a scalar p "
            "use bernoulli(full_like(input, p))"
        )
    gen = default_generator if generator is None else generator
    _check_generator("bernoulli", gen)
    probs = data_of(input)
    if probs.dtype.kind != "f":
        raise TypeError(f"bernoulli: probabilities must be floats, got dtype {probs.dtype}")
    if probs.size and not (0 <= probs.min() and probs.max() <= 1):
        raise ValueError("bernoulli: probabilities must be in [0, 1]")
    work = np.dtype(np.float64 if probs.dtype == np.float64 else np.float32)
    u = gen.uniform(probs.shape, work)
    return Tensor((u < probs.astype(work)).astype(probs.dtype))


def rand_like(
    input: Any,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """Uniform draws from [0, 1) in the shape (and, unless given, the float dtype) of `input`."""
    check_device(device)
    data = data_of(input)
    return rand(data.shape, dtype=_like_dtype(data, dtype), requires_grad=requires_grad)


def randn_like(
    input: Any,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """Standard normal draws in the shape (and, unless given, the float dtype) of `input`."""
    check_device(device)
    data = data_of(input)
    return randn(data.shape, dtype=_like_dtype(data, dtype), requires_grad=requires_grad)


def _like_dtype(data: np.ndarray, dtype: npt.DTypeLike | None) -> np.dtype:
    """`dtype`, else `data`'s when it is a float dtype, else the default float dtype."""
    if dtype is not None:
        return np.dtype(dtype)
    return data.dtype if data.dtype.kind == "f" else get_default_dtype()


def randn(
    *shape: Any,
    size: Any = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    device: Any = None,
) -> Tensor:
    """Standard normal draws: those PyTorch's `torch.randn(..., generator=g)` makes
    (`default_generator` when `generator` is None; float32 may differ in the last bit)."""
    check_device(device)
    gen = default_generator if generator is None else generator
    _check_generator("randn", gen)
    data = gen.normal(_sized("randn", shape, size), _float_dtype("randn", dtype))
    return Tensor(data, requires_grad=requires_grad)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Normal draws with mean `mean` and standard deviation `std`, as `torch.normal`:
    ``normal(0, 1, (3, 4))`` with numbers and a `size`, or ``normal(means, stds)``
    with tensors (or arrays) of means and/or standard deviations (broadcast; the
    draws are standard normals times std plus mean, as PyTorch makes them).

    Raises:
        ValueError: a negative std, or numbers without a size.
    """
    check_device(device)
    gen = default_generator if generator is None else generator
    _check_generator("normal", gen)
    m = mean.data if isinstance(mean, Tensor) else np.asarray(mean)
    s = std.data if isinstance(std, Tensor) else np.asarray(std)
    if (s < 0).any():
        raise ValueError(f"normal: std must be >= 0, got {s if s.ndim == 0 else s[s < 0][:5]}")
    if m.ndim == 0 and s.ndim == 0:
        if size is None:
            raise ValueError("normal: with a number for mean and std, give a size")
        shape = _shape((size,) if isinstance(size, int | np.integer) else (tuple(size),))
        out = _float_dtype("normal", dtype)
        return Tensor(gen.normal(shape, out, float(m), float(s)), requires_grad=requires_grad)
    shape = np.broadcast_shapes(m.shape, s.shape)
    kinds = [a.dtype for a in (m, s) if a.ndim and a.dtype.kind == "f"]
    out = np.dtype(dtype) if dtype is not None else kinds[0] if kinds else get_default_dtype()
    data = (gen.normal(shape, out) * s + m).astype(out, copy=False)
    return Tensor(data, requires_grad=requires_grad)


def randint(
    low: Any = None,
    high: Any = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Integers drawn uniformly from [low, high), of shape `size`, int64 unless `dtype`
    says otherwise, as `torch.randint(low=0, high, size)`: ``randint(10, (3,))`` and
    ``randint(0, 10, (3,))`` are the same call, and so are ``randint(10, size=(3,))``
    and ``randint(high=10, size=(3,))``. The draws are PyTorch's for the same generator
    (`default_generator` when None).

    Raises:
        OperandError: (a RuntimeError, as PyTorch's, and a ValueError) an empty range
            (high <= low).
        ValueError: a bad size.
        TypeError: bounds that are not ints, or a size that is an int: as PyTorch,
            ``randint(10, 3)`` is refused rather than read as ``randint(10, (3,))``.
    """
    check_device(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=size)
        low, high = 0, low
    elif low is None:  # randint(high=high, size=size)
        low = 0
    if size is None:
        raise TypeError(
            "randint: give high and size, e.g. randint(10, (3,)) or randint(0, 10, (3,))"
        )
    for name, bound in (("low", low), ("high", high)):
        if not isinstance(bound, int | np.integer) or isinstance(bound, bool):
            raise TypeError(f"randint: {name} must be an int, got {bound!r}")
    if high <= low:
        raise OperandError(f"randint: the range [low, high) is empty: low={low}, high={high}")
    if isinstance(size, int | np.integer):
        raise TypeError(
            f"randint: size must be a tuple of ints, not int; write randint({low}, {high}, "
            f"({size},)) for {size} draws"
        )
    shape = _shape((tuple(size),))
    gen = default_generator if generator is None else generator
    _check_generator("randint", gen)
    data = gen.integers(int(low), int(high), shape)
    out = np.dtype(np.int64 if dtype is None else dtype)
    return Tensor(data.astype(out, copy=False), requires_grad=requires_grad)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """A random order of 0 .. n-1 (int64 unless `dtype` says otherwise), as
    `torch.randperm`: PyTorch's draws for the same generator (`default_generator`
    when None).

    Raises:
        ValueError: a negative or non-integer `n`.
    """
    check_device(device)
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    gen = default_generator if generator is None else generator
    _check_generator("randperm", gen)
    out = np.dtype(np.int64 if dtype is None else dtype)
    return Tensor(gen.permutation(int(n)).astype(out, copy=False), requires_grad=requires_grad)


def multinomial(
    input: Any,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
) -> Tensor:
    """Indices drawn from the categories of each row of `input` (non-negative weights,
    any sum > 0), as `torch.multinomial`: shape (num_samples,) for one row,
    (rows, num_samples) for a matrix; int64. Without replacement, no index twice in a
    row.

    How (PyTorch's CPU algorithms, so that a `Generator` gives PyTorch's draws):
    with one sample or without replacement, the indices of the largest ``p / q`` with
    ``q ~ Exponential(1)`` (an exponential race, which picks index i with probability
    p_i / sum(p), then the next among the rest, and so on); with replacement, each
    sample finds a float64 uniform ``u`` in the normalized cumulative sums (the first
    index whose sum reaches u).

    Raises:
        OperandError: weights that are negative, infinite or nan, a row that sums to 0,
            more samples than categories without replacement, a bad shape or dtype, a
            count below 1 (torch's RuntimeError, and a ValueError).
        TypeError: a count that is not an int.
    """
    p = np.asarray(input.data if isinstance(input, Tensor) else input)
    if p.dtype.kind != "f" or p.ndim not in (1, 2):
        raise OperandError(
            "multinomial: input must be a 1-d or 2-d tensor of float weights, got "
            f"dtype {p.dtype} and shape {p.shape}"
        )
    if not isinstance(num_samples, int | np.integer):
        raise TypeError(f"multinomial: num_samples must be an int, got {num_samples!r}")
    if num_samples <= 0:
        raise OperandError(f"multinomial: num_samples must be positive, got {num_samples}")
    rows = p.reshape(-1, p.shape[-1])
    if not rows.shape[1]:
        raise OperandError("multinomial: input has no categories")
    if not (np.isfinite(rows).all() and (rows >= 0).all()):
        raise OperandError(
            "multinomial: probability tensor contains either inf, nan or element < 0"
        )
    if (rows.sum(axis=1) == 0).any():
        raise OperandError("multinomial: invalid distribution (a row's probabilities sum to 0)")
    if not replacement and num_samples > rows.shape[1]:
        raise OperandError(
            f"multinomial: cannot draw {num_samples} samples without replacement from "
            f"{rows.shape[1]} categories"
        )
    gen = default_generator if generator is None else generator
    _check_generator("multinomial", gen)
    if not replacement or num_samples == 1:
        race = rows / gen.exponential(rows.shape, rows.dtype)
        if num_samples == 1:
            out = race.argmax(axis=1)[:, None]
        else:  # the largest first, as torch.topk
            out = np.argsort(-race, axis=1, kind="stable")[:, :num_samples]
    else:
        cum = np.cumsum(rows, axis=1, dtype=rows.dtype)
        cum /= cum[:, -1:]
        cum[:, -1] = 1
        u = gen.uniform64(rows.shape[0] * num_samples).reshape(rows.shape[0], num_samples)
        out = np.stack([np.searchsorted(c.astype(np.float64), r) for c, r in zip(cum, u)])
    return Tensor(out.astype(np.int64).reshape(*p.shape[:-1], num_samples))


def empty(
    *shape: Any,
    size: Any = None,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """PyTorch's `empty`: a tensor whose values are not to be read before being
    written (zeros here)."""
    return zeros(*shape, size=size, dtype=dtype, requires_grad=requires_grad, device=device)


def empty_like(
    input: Any,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """`empty` in the shape and dtype of `input`."""
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad, device=device)


def full_like(
    input: Any,
    fill_value: Any,
    dtype: npt.DTypeLike | None = None,
    requires_grad: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """`fill_value` everywhere, in the shape and (unless given) the dtype of `input`."""
    check_device(device)
    data = data_of(input)
    out = np.full(data.shape, fill_value, dtype=data.dtype if dtype is None else dtype)
    return Tensor(out, requires_grad=requires_grad)


def _legacy(name: str, dtype: type, args: tuple[Any, ...]) -> Tensor:
    if not args:  # PyTorch's FloatTensor() is empty, not 0-d
        return zeros(0, dtype=dtype)
    if all(isinstance(n, (int, np.integer)) for n in args):
        return zeros(*args, dtype=dtype)
    if len(args) != 1:
        raise TypeError(f"{name}: give data (one list, array or Tensor) or sizes as ints")
    return tensor(args[0], dtype=dtype)


def FloatTensor(*args: Any) -> Tensor:
    """PyTorch's legacy constructor: float32 `data` (``FloatTensor([1, 2, 3])``), or a
    tensor of the sizes given as ints (``FloatTensor(2, 3)``; zeros here, uninitialized
    in PyTorch)."""
    return _legacy("FloatTensor", np.float32, args)


def DoubleTensor(*args: Any) -> Tensor:
    """`FloatTensor` in float64."""
    return _legacy("DoubleTensor", np.float64, args)


def LongTensor(*args: Any) -> Tensor:
    """`FloatTensor` in int64 (class labels: ``LongTensor([0, 2])``)."""
    return _legacy("LongTensor", np.int64, args)
