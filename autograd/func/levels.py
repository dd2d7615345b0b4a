"""How `autograd.func`'s transforms nest, and the arguments they differentiate:
levels, variables, argnums with torch's errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from autograd.creation import zeros_like
from autograd.func.pytree import _Spec, tree_flatten, tree_map, tree_unflatten
from autograd.functional import _raw_grads
from autograd.mode import enable_grad
from autograd.tensor import Tensor

Argnums = int | tuple[int, ...]


_state = threading.local()


@contextmanager
def _inner_level() -> Iterator[None]:
    """While the function of a differentiating transform runs: transforms called in
    it are nested, and keep their results differentiable."""
    depth = getattr(_state, "depth", 0)
    _state.depth = depth + 1
    try:
        with enable_grad():
            yield
    finally:
        _state.depth = depth


def _nested() -> bool:
    return getattr(_state, "depth", 0) > 0


def _keeps_graph(tensors: Sequence[Tensor]) -> bool:
    """Whether results must stay differentiable: inside an outer transform, or when
    an input already requires grad (the user's own graph)."""
    return _nested() or any(t.requires_grad for t in tensors)


def _variable(x: Any, keep_graph: bool) -> Tensor:
    """`x` as a tensor to differentiate with respect to: a fresh leaf, or (keeping the
    graph of an `x` that requires grad) a view of it, so results reach `x` too."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if keep_graph and x.requires_grad:
        return x.view_as(x)
    leaf = x.detach()
    leaf.requires_grad = True
    return leaf


def _detached(tree: Any, keep_graph: bool) -> Any:
    """`tree` with each tensor detached, unless the graph is kept."""
    if keep_graph:
        return tree
    return tree_map(lambda t: t.detach() if isinstance(t, Tensor) else t, tree)


def _grads_of(
    outputs: Sequence[Tensor],
    inputs: Sequence[Tensor],
    cotangents: Sequence[Tensor | None],
    create_graph: bool,
) -> list[Tensor]:
    """d(sum <cotangents, outputs>)/d(inputs), zeros for an input not used."""
    with enable_grad():
        found = _raw_grads(outputs, inputs, cotangents, create_graph)
    return [zeros_like(x) if g is None else g for g, x in zip(found, inputs, strict=True)]


def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if -num_args <= argnum < num_args:
        return argnum % num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _checked_argnums(argnums: Any, num_args: int) -> Argnums:
    """`argnums` made non-negative, with torch's errors."""
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    if not isinstance(argnums, tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    wrapped = tuple(_wrap_argnum(a, num_args) for a in argnums)
    if not wrapped:
        raise RuntimeError("argnums must be non-empty")
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return wrapped


def _with_variables(
    args: tuple[Any, ...], argnums: Argnums
) -> tuple[tuple[Any, ...], Any, list[Tensor], _Spec, bool]:
    """(args with the chosen ones replaced by variables, the chosen ones as a tree
    (one argument's tree for an int `argnums`, a tuple of them for a tuple), the
    variables flat, the tree's structure, whether the graph is kept)."""
    chosen = args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)
    flat, spec = tree_flatten(chosen)
    keep = _keeps_graph([x for x in flat if isinstance(x, Tensor)])
    variables = [_variable(x, keep) for x in flat]
    tree = tree_unflatten(variables, spec)
    new = list(args)
    if isinstance(argnums, int):
        new[argnums] = tree
    else:
        for i, sub in zip(argnums, tree, strict=True):
            new[i] = sub
    return tuple(new), tree, variables, spec, keep


def _split_aux(output: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return output[0], output[1]


def _tensor_leaves(tree: Any, api: str) -> tuple[list[Tensor], _Spec]:
    leaves, spec = tree_flatten(tree)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(x)}"
            )
    return leaves, spec


def _check_randomness(randomness: Any) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )
