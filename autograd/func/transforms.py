"""`autograd.func`'s differentiating transforms: grad, grad_and_value, vjp, jvp,
jacrev, jacfwd, hessian (torch.func's), all by reverse mode."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.creation import zeros_like
from autograd.func.levels import (
    Argnums,
    _check_randomness,
    _checked_argnums,
    _detached,
    _grads_of,
    _inner_level,
    _keeps_graph,
    _split_aux,
    _tensor_leaves,
    _with_variables,
)
from autograd.func.pytree import _Spec, tree_flatten, tree_unflatten
from autograd.ops.shape import stack
from autograd.tensor import Tensor


def grad_and_value(
    func: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """`func` -> a function returning (gradient, value) of `func` (its value, with
    `has_aux`, the pair (value, aux)), as torch.func.grad_and_value: the gradient with
    respect to the argument(s) `argnums` (their pytree structure; a tuple of them for a
    tuple `argnums`). `func` must return a scalar tensor."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        api = "grad_and_value(f)(*args)"
        nums = _checked_argnums(argnums, len(args))
        new_args, _, variables, spec, keep = _with_variables(args, nums)
        with _inner_level():
            output, aux = _split_aux(func(*new_args, **kwargs), has_aux, api)
        if not isinstance(output, Tensor):
            raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(output)}")
        if output.ndim != 0:
            raise RuntimeError(
                f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                f"{output.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs instead?"
            )
        grads = tree_unflatten(_grads_of([output], variables, [None], keep), spec)
        value = _detached(output, keep)
        if has_aux:
            return grads, (value, _detached(aux, keep))
        return grads, value

    return wrapper


def grad(func: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """`func` -> its gradient function, as torch.func.grad: the gradient of the scalar
    `func` returns with respect to its argument(s) `argnums` (with `has_aux`, the
    pair (gradient, aux)). Example: ``grad(lambda x: (x**2).sum())(x)`` is ``2 * x``."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        grads, value = inner(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """(``func(*primals)``, vjp_fn) as torch.func.vjp (with `has_aux`, (output, vjp_fn,
    aux)): ``vjp_fn(cotangents)``, cotangents shaped as the output, returns the tuple
    of the vector-Jacobian products, one per primal, each shaped as its primal.
    `vjp_fn` can be called any number of times (the graph is kept while it lives;
    its `retain_graph` is accepted); with `create_graph` None its results are
    differentiable inside an outer transform or when a primal or cotangent requires
    grad."""
    api = "vjp(f, *primals)"
    new, _, variables, spec, keep = _with_variables(primals, tuple(range(len(primals))))
    with _inner_level():
        output, aux = _split_aux(func(*new), has_aux, api)
    outputs, out_spec = _tensor_leaves(output, api)

    def vjp_fn(cotangents: Any, retain_graph: bool = True, create_graph: Any = None) -> Any:
        flat, cot_spec = tree_flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {cot_spec}, primal output: {out_spec}"
            )
        for i, (c, o) in enumerate(zip(flat, outputs, strict=True)):
            if not isinstance(c, Tensor) or c.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{getattr(c, 'shape', type(c))} and output[{i}] has a shape of {o.shape}."
                )
        graph = keep or _keeps_graph(flat) if create_graph is None else bool(create_graph)
        grads = _grads_of(outputs, variables, flat, graph)
        return tuple(_detached(tree_unflatten(grads, spec), graph))

    result = (_detached(output, keep), vjp_fn)
    return (*result, _detached(aux, keep)) if has_aux else result


def _check_primals(primals: Any, tangents: Any, api: str) -> tuple[list[Any], list[Any]]:
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    flat_p, spec_p = tree_flatten(primals)
    flat_t, spec_t = tree_flatten(tangents)
    if spec_p != spec_t:
        raise RuntimeError(
            f"{api}: Expected primals and tangents to have the same python structure. For "
            f"example, if primals is a tuple of 3 tensors, tangents also must be. Got "
            f"primals with structure {spec_p} and tangents with structure {spec_t}"
        )
    for p, t in zip(flat_p, flat_t, strict=True):
        if not isinstance(p, Tensor) or not isinstance(t, Tensor):
            raise RuntimeError(f"{api}: Expected primals and tangents to be only tensors")
        if p.shape != t.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}."
            )
    return flat_p, flat_t


def jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> tuple[Any, ...]:
    """(``func(*primals)``, J @ tangents) as torch.func.jvp (with `has_aux`, also aux):
    the Jacobian-vector product, shaped as the output. Computed by two reverse passes
    (no forward mode here): the same numbers. With `strict`, an output that does not
    depend on the primals raises torch's RuntimeError (otherwise its product is 0)."""
    api = "jvp(f, primals, tangents)"
    _, flat_t = _check_primals(primals, tangents, api)
    new, _, variables, _, keep = _with_variables(primals, tuple(range(len(primals))))
    with _inner_level():
        output, aux = _split_aux(func(*new), has_aux, api)
    outputs, out_spec = _tensor_leaves(output, api)
    keep = keep or _keeps_graph(flat_t)
    if strict and not all(o.requires_grad for o in outputs):
        raise RuntimeError(
            "jvp(f, primals, tangents, strict=True): The output of f is independent of "
            "the inputs. This is not allowed with strict=True."
        )
    dummies = []
    for o in outputs:
        u = zeros_like(o)
        u.requires_grad = True
        dummies.append(u)
    # J^T u, linear in u; its gradient with respect to u along the tangents is J t
    back = _grads_of(outputs, variables, dummies, create_graph=True)
    out = _grads_of(back, dummies, list(flat_t), keep)
    jvps = tree_unflatten(out, out_spec)
    result = (_detached(output, keep), _detached(jvps, keep))
    return (*result, _detached(aux, keep)) if has_aux else result


def _jacobian(
    func: Callable[..., Any],
    argnums: Argnums,
    has_aux: bool,
    api: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    nums = _checked_argnums(argnums, len(args))
    new_args, _, variables, spec, keep = _with_variables(args, nums)
    with _inner_level():
        output, aux = _split_aux(func(*new_args, **kwargs), has_aux, api)
    outputs, out_spec = _tensor_leaves(output, api)
    blocks = [_jacobian_block(o, variables, spec, keep) for o in outputs]
    jac = tree_unflatten(blocks, out_spec)
    return (jac, _detached(aux, keep)) if has_aux else jac


def _jacobian_block(output: Tensor, variables: list[Tensor], spec: _Spec, keep: bool) -> Any:
    """d output / d variables as the variables' tree, each leaf shaped
    output.shape + variable.shape: one reverse pass per element of `output`."""
    n = output.numel()
    rows: list[list[Tensor]] = [[] for _ in variables]
    for k in range(n):
        onehot = np.zeros(n, dtype=output.dtype)
        onehot[k] = 1
        cot = Tensor(onehot.reshape(output.shape))
        for row, g in zip(rows, _grads_of([output], variables, [cot], keep), strict=True):
            row.append(g)
    blocks = []
    for row, x in zip(rows, variables, strict=True):
        full = stack(row) if row else zeros_like(x).reshape((0, *x.shape))
        blocks.append(_detached(full.reshape((*output.shape, *x.shape)), keep))
    return tree_unflatten(blocks, spec)


def jacrev(
    func: Callable[..., Any],
    argnums: Argnums = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable[..., Any]:
    """`func` -> its Jacobian function by reverse mode, as torch.func.jacrev: for each
    output leaf, the Jacobian with respect to the argument(s) `argnums` (shaped
    output.shape + input.shape, in the argument's tree; a tuple of trees for a tuple
    `argnums`). One reverse pass per output element (`chunk_size` is accepted)."""
    if chunk_size is not None and not chunk_size > 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _jacobian(func, argnums, has_aux, "vjp(f, *primals)", args, kwargs)

    return wrapper


def jacfwd(
    func: Callable[..., Any],
    argnums: Argnums = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """`func` -> its Jacobian function, as torch.func.jacfwd: torch's results, shapes
    and structure; computed by reverse mode here (the same numbers as forward mode)."""
    _check_randomness(randomness)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _jacobian(func, argnums, has_aux, "jvp(f, primals, tangents)", args, kwargs)

    return wrapper


def hessian(func: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """`func` -> its Hessian function, as torch.func.hessian (``jacfwd(jacrev(func))``):
    shaped output.shape + input.shape + input.shape."""
    return jacfwd(jacrev(func, argnums), argnums)
