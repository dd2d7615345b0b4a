"""`autograd.func.vmap` (torch.func.vmap): a function mapped over a dimension of its
arguments, one call per index, the results stacked."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.func.levels import _check_randomness
from autograd.func.pytree import _prefix_leaves, tree_flatten, tree_unflatten
from autograd.generator import default_generator
from autograd.ops.along import select
from autograd.ops.shape import stack
from autograd.tensor import Tensor


def _check_chunk_size(chunk_size: Any) -> None:
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")


def _name(func: Any) -> str:
    if hasattr(func, "__name__"):
        return str(func.__name__)
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return repr(func)


def _check_out_dims(func: Any, out_dims: Any) -> None:
    for d in tree_flatten(out_dims)[0]:
        if d is not None and not isinstance(d, int):
            raise ValueError(
                f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                "None or a python collection of ints representing where in the outputs the "
                "vmapped dimension should appear."
            )


_RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the "
    "'same' or 'different' randomness flags on vmap or perform the randomness operation "
    "out of vmap"
)


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """`func` mapped over a dimension of its arguments, as torch.func.vmap.

    `in_dims` is an int or None for every argument, or a tuple with one entry per
    positional argument, each an int, None (not mapped) or a tree matching the
    argument's; negative dims count from the end. `out_dims` likewise places the
    mapped dimension in each output (None: the output is not mapped). Keyword
    arguments are passed unmapped. An output with out_dim None must be the same in
    every call (torch's error otherwise).

    This runs `func` once per index of the mapped dimension and stacks the results
    (torch vectorizes; the values are the same). `chunk_size` is accepted. With
    ``randomness="error"`` a `func` that draws from the default generator raises
    torch's RuntimeError (detected after the call); with "same" every call draws the
    same numbers; with "different" each draws its own (the numbers are not torch's).
    """
    _check_randomness(randomness)
    _check_chunk_size(chunk_size)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_out_dims(func, out_dims)
        flat, dims, size = _mapped_inputs(func, in_dims, args)
        results = []
        start = default_generator.get_state()
        for i in range(size):
            if randomness == "same":
                default_generator.set_state(start)
            before = default_generator.get_state() if randomness == "error" else None
            sliced = [x if d is None else select(x, d, i) for x, d in zip(flat, dims, strict=True)]
            results.append(func(*tree_unflatten(sliced, tree_flatten(args)[1]), **kwargs))
            if before is not None and not np.array_equal(before, default_generator.get_state()):
                raise RuntimeError(_RANDOM_ERROR)
        return _stacked(func, results, out_dims)

    return wrapper


def _mapped_inputs(func: Any, in_dims: Any, args: tuple[Any, ...]) -> tuple[list, list, int]:
    """(the arguments' leaves, each one's mapped dim (non-negative) or None, the size)."""
    name = _name(func)
    if not isinstance(in_dims, int | tuple) and in_dims is not None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or "
            f"a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}."
        )
    if not args:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
            "are trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat, spec = tree_flatten(args)

    def incompatible() -> Exception:
        return ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
            f"the structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]} "
            f"but inputs has structure {spec}."
        )

    dims = _prefix_leaves(in_dims, spec, incompatible)
    out: list[int | None] = []
    for x, d in zip(flat, dims, strict=True):
        out.append(_in_dim(name, in_dims, x, d))
    sizes = [x.shape[d] for x, d in zip(flat, out, strict=True) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return flat, out, sizes[0]


def _in_dim(name: str, in_dims: Any, x: Any, d: Any) -> int | None:
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if d is None:
        return None
    if not isinstance(d, int):
        raise ValueError(
            f"{where}: Got in_dim={d} for an input but in_dim must be either an integer "
            "dimension or None."
        )
    if not isinstance(x, Tensor):
        raise ValueError(
            f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We "
            "cannot vmap over non-Tensor arguments, please use None as the respective in_dim"
        )
    if not -x.ndim <= d < x.ndim:
        raise ValueError(
            f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
            f"dimensionality {x.ndim} so expected in_dim to satisfy "
            f"-{x.ndim} <= in_dim < {x.ndim}."
        )
    return d % x.ndim


def _stacked(func: Any, results: list[Any], out_dims: Any) -> Any:
    """The per-index results stacked along their `out_dims`."""
    name = _name(func)
    flat0, spec = tree_flatten(results[0])
    columns = [flat0] + [tree_flatten(r)[0] for r in results[1:]]

    def incompatible() -> Exception:
        return ValueError(
            f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible "
            f"with the structure of `outputs`. out_dims has structure "
            f"{tree_flatten(out_dims)[1]} but outputs has structure {spec}."
        )

    dims = _prefix_leaves(out_dims, spec, incompatible)
    out = []
    for k, d in enumerate(dims):
        if d is None:
            out.append(_unmapped(name, [c[k] for c in columns]))
            continue
        parts = [c[k] for c in columns]
        if not all(isinstance(p, Tensor) for p in parts):
            bad = next(type(p) for p in parts if not isinstance(p, Tensor))
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {bad}. Did "
                "you mean to set out_dims= to None for output?"
            )
        out.append(stack(parts, dim=d))
    return tree_unflatten(out, spec)


def _unmapped(name: str, parts: list[Any]) -> Any:
    """The output of out_dim None: the same in every call (torch's rule is that it does
    not depend on the mapped inputs; results that differ tell that they do)."""
    first = parts[0]
    for p in parts[1:]:
        same = (
            isinstance(p, Tensor) and p.shape == first.shape and np.array_equal(p.data, first.data)
            if isinstance(first, Tensor)
            else p == first
        )
        if not same:
            raise ValueError(
                f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None"
            )
    return first
