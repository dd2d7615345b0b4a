"""PyTorch's `torch.autograd.functional`: Jacobians, Hessians and their products with
vectors, of a function of tensors, built on `autograd.grad`.

Each takes `func` and `inputs` (a Tensor or a tuple of Tensors) as PyTorch's does and
returns the same structure: a Tensor where the function takes one Tensor (and returns
one), tuples where it takes or returns tuples. The inputs are differentiated as fresh
leaves (`detach()`), so the results are plain tensors outside any graph unless
`create_graph=True`, which keeps them differentiable with respect to the inputs given.
An input the outputs do not depend on gets zeros (PyTorch's `strict=False`).

Example:
    >>> import autograd
    >>> from autograd.functional import hessian
    >>> hessian(lambda x: (x**3).sum(), autograd.tensor([1.0, 2.0]))
    Tensor([[ 6.,  0.],
            [ 0., 12.]])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd.creation import zeros_like
from autograd.graph import grad
from autograd.mode import enable_grad
from autograd.ops.shape import stack
from autograd.tensor import Tensor

Inputs = Tensor | Sequence[Tensor]


def _as_tuple(name: str, what: str, value: Any) -> tuple[bool, tuple[Tensor, ...]]:
    """(whether `value` was a tuple or list, its tensors as a tuple)."""
    is_tuple = isinstance(value, (tuple, list))
    items = tuple(value) if is_tuple else (value,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{name}: {what} must be a Tensor or a tuple of Tensors, got "
                f"{type(t).__name__} at position {i}"
            )
    return is_tuple, items


def _leaves(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """The inputs as tensors to differentiate: fresh leaves, or, with `create_graph`,
    views that keep an input's own graph (so the results stay differentiable)."""
    out = []
    for x in inputs:
        if create_graph and x.requires_grad:
            out.append(x.reshape(x.shape))
        else:
            leaf = x.detach()
            leaf.requires_grad = True
            out.append(leaf)
    return tuple(out)


def _grads(
    outputs: Sequence[Tensor],
    inputs: tuple[Tensor, ...],
    grad_outputs: Sequence[Tensor | None],
    create_graph: bool,
) -> tuple[Tensor, ...]:
    """d(sum_i <grad_outputs[i], outputs[i]>)/d(inputs), zeros where unused."""
    used = [(o, g) for o, g in zip(outputs, grad_outputs, strict=True) if o.requires_grad]
    if not used:
        return tuple(zeros_like(x) for x in inputs)
    found = grad(
        [o for o, _ in used],
        inputs,
        [g for _, g in used],
        retain_graph=True,
        create_graph=create_graph,
        allow_unused=True,
    )
    return tuple(zeros_like(x) if g is None else g for g, x in zip(found, inputs, strict=True))


def _finish(value: Tensor, create_graph: bool) -> Tensor:
    return value if create_graph else value.detach()


def _shaped(is_tuple: bool, items: tuple[Any, ...]) -> Any:
    return items if is_tuple else items[0]


def _finished(is_tuple: bool, values: Any, create_graph: bool) -> Any:
    """`values` (detached unless `create_graph`), as a tuple or its only item."""
    return _shaped(is_tuple, tuple(_finish(v, create_graph) for v in values))


def _check_v(name: str, v: Any, like: tuple[Tensor, ...], what: str) -> tuple[Tensor, ...]:
    """`v` as a tuple of tensors shaped as `like`; None only where `like` is one
    single-element tensor."""
    if v is None:
        if len(like) != 1 or like[0].size != 1:
            raise RuntimeError(
                f"{name}: v can only be None when the {what} is a single-element Tensor"
            )
        return (zeros_like(like[0]) + 1,)
    _, vs = _as_tuple(name, "v", v)
    if len(vs) != len(like) or any(a.shape != b.shape for a, b in zip(vs, like, strict=True)):
        raise RuntimeError(
            f"{name}: v has shapes {[a.shape for a in vs]}, the {what} "
            f"{[b.shape for b in like]}: they must match"
        )
    return vs


def vjp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), v^T J): the vector-Jacobian product, as
    `torch.autograd.functional.vjp`. `v` is shaped as the outputs (optional for a
    single-element output)."""
    _no_strict("vjp", strict)
    in_tuple, xs = _as_tuple("vjp", "inputs", inputs)
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _as_tuple("vjp", "outputs of func", func(*leaves))
        vs = _check_v("vjp", v, outs, "output")
        result = _grads(outs, leaves, vs, create_graph)
    return _finished(out_tuple, outs, create_graph), _finished(in_tuple, result, create_graph)


def jvp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product, as
    `torch.autograd.functional.jvp` (by the double-backward trick: the vjp with a
    dummy vector u is linear in u, and its vjp with `v` is J v). `v` is shaped as the
    inputs (optional for a single-element input)."""
    _no_strict("jvp", strict)
    _, xs = _as_tuple("jvp", "inputs", inputs)
    vs = _check_v("jvp", v, xs, "input")
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _as_tuple("jvp", "outputs of func", func(*leaves))
        dummies = tuple(_dummy(o) for o in outs)
        linear = _grads(outs, leaves, dummies, create_graph=True)
        result = _grads(linear, dummies, vs, create_graph)
    return _finished(out_tuple, outs, create_graph), _finished(out_tuple, result, create_graph)


def _dummy(like: Tensor) -> Tensor:
    u = zeros_like(like)
    u.requires_grad = True
    return u


def jacobian(
    func: Callable[..., Any],
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of `func` at `inputs`, as `torch.autograd.functional.jacobian`:
    for output i and input j, a tensor of shape ``outputs[i].shape + inputs[j].shape``
    (one backward pass per output element; `vectorize` is accepted and changes nothing)."""
    _no_strict("jacobian", strict)
    if strategy != "reverse-mode":
        raise ValueError(f"jacobian: only strategy='reverse-mode' is supported, got {strategy!r}")
    in_tuple, xs = _as_tuple("jacobian", "inputs", inputs)
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _as_tuple("jacobian", "outputs of func", func(*leaves))
        rows = tuple(_jacobian_of(o, leaves, create_graph) for o in outs)
    blocks = tuple(_shaped(in_tuple, row) for row in rows)
    return _shaped(out_tuple, blocks)


def _jacobian_of(out: Tensor, leaves: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """d out / d leaves[j] for each j, shaped out.shape + leaves[j].shape."""
    flat = out.reshape(-1)
    per_element = [_grads([flat[k]], leaves, [None], create_graph) for k in range(flat.shape[0])]
    blocks = []
    for j, x in enumerate(leaves):
        if per_element:
            block = stack([g[j] for g in per_element]).reshape(*out.shape, *x.shape)
        else:
            block = zeros_like(x).reshape(0, *x.shape).reshape(*out.shape, *x.shape)
        blocks.append(_finish(block, create_graph))
    return tuple(blocks)


def hessian(
    func: Callable[..., Any],
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of the scalar function `func` at `inputs`, as
    `torch.autograd.functional.hessian`: the Jacobian of its gradient; for inputs i
    and j a tensor of shape ``inputs[i].shape + inputs[j].shape``."""
    _no_strict("hessian", strict)
    in_tuple, xs = _as_tuple("hessian", "inputs", inputs)

    def gradient(*args: Tensor) -> tuple[Tensor, ...]:
        out = _scalar_output("hessian", func(*args))
        return _grads([out], args, [None], create_graph=True)

    result = jacobian(gradient, xs, create_graph, strategy=outer_jacobian_strategy)
    return result if in_tuple else result[0][0]


def vhp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), v^T H) for the scalar function `func`, as
    `torch.autograd.functional.vhp`."""

    def product(gradient: tuple[Tensor, ...], leaves: tuple[Tensor, ...], vs: Any) -> Any:
        return _grads(gradient, leaves, vs, create_graph)

    return _hessian_product("vhp", func, inputs, v, create_graph, strict, product)


def hvp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), H v) for the scalar function `func`, as
    `torch.autograd.functional.hvp` (by the double-backward trick, as PyTorch's)."""

    def product(gradient: tuple[Tensor, ...], leaves: tuple[Tensor, ...], vs: Any) -> Any:
        dummies = tuple(_dummy(g) for g in gradient)
        linear = _grads(gradient, leaves, dummies, create_graph=True)
        return _grads(linear, dummies, vs, create_graph)

    return _hessian_product("hvp", func, inputs, v, create_graph, strict, product)


def _hessian_product(
    name: str,
    func: Callable[..., Any],
    inputs: Inputs,
    v: Any,
    create_graph: bool,
    strict: bool,
    product: Callable[[tuple[Tensor, ...], tuple[Tensor, ...], Any], Any],
) -> tuple[Any, Any]:
    """(func(inputs), product(gradient of func, inputs, v)): `vhp` and `hvp`."""
    _no_strict(name, strict)
    in_tuple, xs = _as_tuple(name, "inputs", inputs)
    vs = _check_v(name, v, xs, "input")
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out = _scalar_output(name, func(*leaves))
        gradient = _grads([out], leaves, [None], create_graph=True)
        result = product(gradient, leaves, vs)
    return _finish(out, create_graph), _finished(in_tuple, result, create_graph)


def _scalar_output(name: str, out: Any) -> Tensor:
    if not isinstance(out, Tensor) or out.size != 1:
        raise RuntimeError(
            f"{name}: func must return a single-element Tensor, got "
            f"{getattr(out, 'shape', type(out).__name__)}"
        )
    return out.reshape(())


def _no_strict(name: str, strict: bool) -> None:
    """PyTorch's `strict=True` only adds errors (an output that does not depend on an
    input); it is refused by name rather than ignored, and the default gives the values."""
    if strict:
        raise NotImplementedError(
            f"{name}: strict=True is not supported (unused inputs get zeros, as strict=False)"
        )
