"""PyTorch's `torch.func` (``from autograd.func import grad, vmap, ...``): function
transforms that compose, on functions of pytrees (tensors in nested tuples, lists
and dicts), with torch's names, signatures, results and errors.

How they work here (the numbers are torch's; the machinery is simpler):

* `grad`, `grad_and_value`, `vjp`, `jacrev` differentiate by reverse mode
  (`autograd.grad`) with respect to fresh copies of the chosen arguments.
* `jvp` and `jacfwd` have no forward mode under them: `jvp` uses the double
  vector-Jacobian product (the Jacobian-vector product is the gradient of
  ``<J^T u, v>`` with respect to ``u``), `jacfwd` computes what `jacrev` computes.
* `vmap` runs the function once per index of the mapped dimension and stacks the
  results: the semantics of torch's, without its vectorization.
* Nesting: a transform called inside another (``grad(grad(f))``, ``jvp(grad(f), ...)``,
  ``jacrev(jacrev(f))``) differentiates with ``create_graph=True`` so the outer one can
  differentiate its result. At the outermost level the results leave no graph behind
  (no ``grad_fn``, as torch's) unless an argument already requires grad: then the
  results are differentiable with respect to the user's own tensors, as torch's are.
  Differences from torch: tensors a function closes over that require grad are not
  followed at the outermost level (torch's results would have a ``grad_fn`` for them),
  and a closure over a tensor of an outer level is differentiated as one variable
  (torch tells the levels apart).
* No transform touches any tensor's ``.grad``.

Example:
    >>> import autograd
    >>> from autograd.func import grad, vmap
    >>> vmap(grad(lambda x: (x**3).sum()))(autograd.tensor([[1.0, 2.0], [3.0, 4.0]]))
    Tensor([[ 3., 12.],
            [27., 48.]])
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd.creation import zeros_like
from autograd.functional import _raw_grads
from autograd.generator import default_generator
from autograd.mode import enable_grad
from autograd.ops.along import select
from autograd.ops.shape import stack
from autograd.tensor import Tensor

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "stack_module_state",
    "vjp",
    "vmap",
]

Argnums = int | tuple[int, ...]

# ---------------------------------------------------------------- pytrees


class _Spec:
    """The structure of a pytree: a leaf (`kind` None) or a tuple, list or dict
    (`kind` the container's type, `keys` a dict's keys) of sub-structures."""

    __slots__ = ("children", "keys", "kind")

    def __init__(self, kind: type | None, keys: tuple[Any, ...], children: list[_Spec]) -> None:
        self.kind, self.keys, self.children = kind, keys, children

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Spec)
            and (self.kind, self.keys) == (other.kind, other.keys)
            and self.children == other.children
        )

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        inner = ", ".join(
            f"{k!r}: {c!r}" if self.kind is dict else repr(c)
            for k, c in zip(self.keys or range(len(self.children)), self.children, strict=False)
        )
        if self.kind is tuple:
            return f"({inner})"
        if self.kind is list:
            return f"[{inner}]"
        if self.kind is dict:
            return f"{{{inner}}}"
        return f"{self.kind.__name__}({inner})"


_LEAF = _Spec(None, (), [])


def tree_flatten(tree: Any) -> tuple[list[Any], _Spec]:
    """The leaves of `tree` (left to right, a dict's in key order) and its structure."""
    leaves: list[Any] = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree: Any, leaves: list[Any]) -> _Spec:
    if isinstance(tree, dict):
        keys = tuple(tree)
        return _Spec(dict, keys, [_flatten_into(tree[k], leaves) for k in keys])
    if isinstance(tree, tuple | list):
        return _Spec(type(tree), (), [_flatten_into(x, leaves) for x in tree])
    leaves.append(tree)
    return _LEAF


def tree_unflatten(leaves: Sequence[Any], spec: _Spec) -> Any:
    """The pytree of structure `spec` holding `leaves` (`tree_flatten`'s inverse)."""
    it = iter(leaves)
    return _build(spec, it)


def _build(spec: _Spec, it: Iterator[Any]) -> Any:
    if spec.kind is None:
        return next(it)
    children = [_build(c, it) for c in spec.children]
    if spec.kind is dict:
        return dict(zip(spec.keys, children, strict=True))
    if spec.kind in (tuple, list):
        return spec.kind(children)
    if hasattr(spec.kind, "_fields"):  # a namedtuple
        return spec.kind(*children)
    return spec.kind(children)


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def _prefix_leaves(prefix: Any, spec: _Spec, error: Callable[[], Exception]) -> list[Any]:
    """One value per leaf of `spec`: `prefix` is a tree whose leaves (ints or None)
    each stand for a whole sub-tree of `spec` (torch's in_dims / out_dims)."""
    if prefix is None or isinstance(prefix, int):
        return [prefix] * _count(spec)
    kind = dict if isinstance(prefix, dict) else type(prefix)
    if not isinstance(prefix, tuple | list | dict) or spec.kind is None:
        raise error()
    if (kind is dict) != (spec.kind is dict) or len(prefix) != len(spec.children):
        raise error()
    if kind is dict:
        if set(prefix) != set(spec.keys):
            raise error()
        items = [prefix[k] for k in spec.keys]
    else:
        items = list(prefix)
    out: list[Any] = []
    for item, child in zip(items, spec.children, strict=True):
        out.extend(_prefix_leaves(item, child, error))
    return out


def _count(spec: _Spec) -> int:
    return 1 if spec.kind is None else sum(_count(c) for c in spec.children)


# ---------------------------------------------------------------- levels

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


# ---------------------------------------------------------------- argnums


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
                f"{api}: Expected f(*primals) to return only tensors, got unsupported type "
                f"{type(x)}"
            )
    return leaves, spec


# ---------------------------------------------------------------- grad, vjp


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
    of the vector-Jacobian products, one per primal, each shaped as its primal."""
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
        for c, o in zip(flat, outputs, strict=True):
            if not isinstance(c, Tensor) or c.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output has a shape of "
                    f"{getattr(c, 'shape', type(c))} and output has a shape of {o.shape}"
                )
        graph = keep or _keeps_graph(flat) if create_graph is None else bool(create_graph)
        grads = _grads_of(outputs, variables, flat, graph)
        return tuple(_detached(tree_unflatten(grads, spec), graph))

    result = (_detached(output, keep), vjp_fn)
    return (*result, _detached(aux, keep)) if has_aux else result


# ---------------------------------------------------------------- jvp


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
                f"{api}: Expected primals and tangents to have the same shape, got "
                f"{p.shape} and {t.shape}"
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


# ---------------------------------------------------------------- Jacobians


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
        return _jacobian(func, argnums, has_aux, "jacrev(f, ...)(*args)", args, kwargs)

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
        return _jacobian(func, argnums, has_aux, "jacfwd(f, ...)(*args)", args, kwargs)

    return wrapper


def hessian(func: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """`func` -> its Hessian function, as torch.func.hessian (``jacfwd(jacrev(func))``):
    shaped output.shape + input.shape + input.shape."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------- vmap


def _check_randomness(randomness: Any) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )


def _check_chunk_size(chunk_size: Any) -> None:
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")


def _name(func: Any) -> str:
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return getattr(func, "__name__", repr(func))


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
    if not isinstance(d, int) or isinstance(d, bool):
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


# ---------------------------------------------------------------- modules


def _merged(dicts: Any) -> dict[str, Any]:
    if isinstance(dicts, Mapping):
        return dict(dicts)
    merged: dict[str, Any] = {}
    for d in dicts:
        repeated = sorted(set(merged) & set(d))
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call "
                "is ambiguous"
            )
        merged.update(d)
    return merged


def _tied_names(module: Any, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with each tensor given for one name of a tied parameter or buffer given
    for its other names too (torch's ``tie_weights=True``)."""
    groups: dict[int, list[str]] = {}
    members = [
        *module.named_parameters(remove_duplicate=False),
        *module.named_buffers(remove_duplicate=False),
    ]
    for name, t in members:
        groups.setdefault(id(t), []).append(name)
    out = dict(values)
    for names in groups.values():
        given = [n for n in names if n in values]
        if len(names) < 2 or not given:
            continue
        for n in given[1:]:
            if values[n] is not values[given[0]]:
                raise ValueError(
                    f"functional_call got multiple values for keys {sorted(names)}, which "
                    "are tied. Consider using tie_weights=False"
                )
        for n in names:
            out.setdefault(n, values[given[0]])
    return out


def _check_strict(module: Any, values: dict[str, Any]) -> None:
    expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    missing, unexpected = sorted(expected - set(values)), sorted(set(values) - expected)
    if missing or unexpected:
        parts = []
        if unexpected:
            parts.append("Unexpected key(s): " + ", ".join(map(repr, unexpected)) + ".")
        if missing:
            parts.append("Missing key(s): " + ", ".join(map(repr, missing)) + ".")
        raise RuntimeError(
            f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(parts)
        )


@contextmanager
def _swapped(module: Any, values: dict[str, Any]) -> Iterator[None]:
    """`module`'s parameters and buffers named in `values` replaced by them while in
    the block (new attributes added, then removed), restored after it."""
    saved: list[tuple[Any, str, Any, bool]] = []
    try:
        for path, value in values.items():
            owner_path, _, name = path.rpartition(".")
            owner = module.get_submodule(owner_path)
            had = name in owner.__dict__
            saved.append((owner, name, owner.__dict__.get(name), had))
            object.__setattr__(owner, name, value)
        yield
    finally:
        for owner, name, old, had in reversed(saved):
            if had:
                object.__setattr__(owner, name, old)
            else:
                object.__delattr__(owner, name)


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: Any,
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with its parameters and buffers replaced by the
    tensors of `parameter_and_buffer_dicts` (a dict by dotted name, or a tuple of
    dicts), as torch.func.functional_call: the module is unchanged afterwards, and the
    result is differentiable with respect to the tensors given. `args` that is not a
    tuple is the single argument. With `tie_weights`, a tensor given for one name of a
    tied parameter serves its other names; with `strict`, every parameter and buffer
    must be given and nothing else."""
    values = _merged(parameter_and_buffer_dicts)
    if tie_weights:
        values = _tied_names(module, values)
    if strict:
        _check_strict(module, values)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))


def stack_module_state(models: Sequence[Any]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """(params, buffers) of models of one class, each tensor the models' stacked along a
    new first dim, as torch.func.stack_module_state: parameters that require grad are
    fresh leaves that require grad (the models' own tensors are not linked to them)."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({bool(m.training) for m in models}) != 1:
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if len({type(m) for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params = [dict(m.named_parameters()) for m in models]
    buffers = [dict(m.named_buffers()) for m in models]
    return (
        {k: _stacked_leaf([p[k] for p in params], k) for k in params[0]},
        {k: _stacked_leaf([b[k] for b in buffers], k) for k in buffers[0]},
    )


def _stacked_leaf(tensors: list[Tensor], name: str) -> Tensor:
    flags = {t.requires_grad for t in tensors}
    if len(flags) != 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    out = stack([t.detach() for t in tensors])
    out.requires_grad = flags.pop()
    return out
