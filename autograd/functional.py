"""PyTorch's `torch.autograd.functional`: Jacobians, Hessians and their products with
vectors, of a function of tensors, built on `autograd.grad`.

Each takes `func` and `inputs` (a Tensor or a tuple of Tensors) as PyTorch's does and
returns the same structure: a Tensor where the function takes one Tensor (and returns
one), tuples where it takes or returns tuples. The inputs are differentiated as fresh
leaves (`detach()`), so the results are plain tensors outside any graph unless
`create_graph=True`, which keeps them differentiable with respect to the inputs given.
An input the outputs do not depend on gets zeros; with `strict=True` it raises
PyTorch's RuntimeError instead (as do outputs that do not depend on the inputs at all).
As in PyTorch, the inputs are a Tensor or a tuple (a list is refused), and errors carry
PyTorch's messages.

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

Inputs = Tensor | tuple[Tensor, ...]

STRATEGY_HINT = (
    'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
    'function has more outputs than inputs, "forward-mode" tends to be more performant. '
    'Otherwise, prefer to use "reverse-mode".'
)
OUTPUTS = "outputs of the user-provided function"


def _as_tuple(name: str, what: str, value: Any) -> tuple[bool, tuple[Tensor, ...]]:
    """(whether `value` was a tuple, its tensors as a tuple), with PyTorch's errors."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            given = f"value at index {i}" if is_tuple else f"given {what}"
            raise TypeError(
                f"The {what} given to {name} must be either a Tensor or a tuple of Tensors "
                f"but the {given} has type {type(t)}."
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


def _raw_grads(
    outputs: Sequence[Tensor | None],
    inputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor | None],
    create_graph: bool,
) -> tuple[Tensor | None, ...]:
    """d(sum_i <grad_outputs[i], outputs[i]>)/d(inputs), None where unused (outputs
    that are None or do not require grad are left out, as PyTorch's)."""
    used = [
        (o, g)
        for o, g in zip(outputs, grad_outputs, strict=True)
        if o is not None and o.requires_grad
    ]
    if not used:
        return (None,) * len(inputs)
    return grad(
        [o for o, _ in used],
        list(inputs),
        [g for _, g in used],
        retain_graph=True,
        create_graph=create_graph,
        allow_unused=True,
    )


#: PyTorch's errors of `strict=True` for a gradient that is None, by stage.
_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in "
    "the grad_outputs when using the double backward trick to compute forward mode "
    "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input "
    "{i}. This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of "
    "entry {i} in the grad_jacobian. This is not allowed in strict mode as it prevents "
    "from using the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(
    grads: Sequence[Tensor | None],
    refs: Sequence[Tensor],
    strict: bool,
    create_graph: bool,
    stage: str,
) -> tuple[Tensor, ...]:
    """Zeros shaped as `refs[i]` where `grads[i]` is None, or PyTorch's strict errors."""
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        out.append(g)
    return tuple(out)


def _grads(
    outputs: Sequence[Tensor | None],
    inputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor | None],
    create_graph: bool,
    strict: bool = False,
    stage: str = "back",
) -> tuple[Tensor, ...]:
    """`_raw_grads` with zeros where unused (PyTorch's errors under `strict`)."""
    found = _raw_grads(outputs, inputs, grad_outputs, create_graph)
    return _fill_in_zeros(found, inputs, strict, create_graph, stage)


def _check_requires_grad(values: Sequence[Tensor | None], kind: str, strict: bool) -> None:
    """PyTorch's `strict=True` checks of outputs, gradients and Jacobians."""
    if not strict:
        return
    for i, value in enumerate(values):
        if value is None:
            raise RuntimeError(_INDEPENDENT["back"].format(i=i))
        if value.requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should "
                "ensure that your function is thrice differentiable and that the hessian "
                "depends on the inputs."
            )
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example)."
            )
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The "
            "outputs must be computed in a differentiable manner from the input when "
            "running in strict mode."
        )


def _finish(value: Tensor, create_graph: bool) -> Tensor:
    return value if create_graph else value.detach()


def _shaped(is_tuple: bool, items: tuple[Any, ...]) -> Any:
    return items if is_tuple else items[0]


def _finished(is_tuple: bool, values: Any, create_graph: bool) -> Any:
    """`values` (detached unless `create_graph`), as a tuple or its only item."""
    return _shaped(is_tuple, tuple(_finish(v, create_graph) for v in values))


def _check_v(
    name: str, v: Any, like: tuple[Tensor, ...], like_tuple: bool, what: str
) -> tuple[Tensor, ...]:
    """`v` as a tuple of tensors shaped as `like`, with PyTorch's errors; None only
    where `like` is one single-element tensor."""
    if v is None:
        if len(like) != 1 or like[0].size != 1:
            raise RuntimeError(
                f"The vector v can only be None if the {what} a single Tensor with a single "
                "element."
            )
        return (zeros_like(like[0]) + 1,)
    _, vs = _as_tuple(name, "v", v)
    if len(vs) != len(like):
        if like_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(like)} but got {len(vs)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(vs, like, strict=True)):
        if a.shape != b.shape:
            entry = f"Entry {i} in " if like_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {b.shape} but got {a.shape}.")
    return vs


_OUTPUT_IS = "user-provided function returns"
_INPUT_IS = "input to the user-provided function is"


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
    in_tuple, xs = _as_tuple("vjp", "inputs", inputs)
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _as_tuple("vjp", OUTPUTS, func(*leaves))
        _check_requires_grad(outs, "outputs", strict)
        vs = _check_v("vjp", v, outs, out_tuple, _OUTPUT_IS)
        result = _grads(outs, leaves, vs, create_graph, strict)
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
    in_tuple, xs = _as_tuple("jvp", "inputs", inputs)
    vs = _check_v("jvp", v, xs, in_tuple, _INPUT_IS)
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _as_tuple("jvp", OUTPUTS, func(*leaves))
        _check_requires_grad(outs, "outputs", strict)
        dummies = tuple(_dummy(o) for o in outs)
        linear = _raw_grads(outs, leaves, dummies, create_graph=True)
        _check_requires_grad(linear, "grad_inputs", strict)
        result = _grads(linear, dummies, vs, create_graph, strict, "back_trick")
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
    (one backward pass per output element). `vectorize` changes nothing but PyTorch's
    errors; ``strategy="forward-mode"`` (which PyTorch allows with `vectorize` only)
    gives the same numbers."""
    _check_strategy(strategy, create_graph, strict, vectorize)
    in_tuple, xs = _as_tuple("jacobian", "inputs", inputs)
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _as_tuple("jacobian", OUTPUTS, func(*leaves))
        _check_requires_grad(outs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`."
            )
        rows = tuple(_jacobian_of(i, o, leaves, create_graph, strict) for i, o in enumerate(outs))
    blocks = tuple(_shaped(in_tuple, row) for row in rows)
    return _shaped(out_tuple, blocks)


def _check_strategy(strategy: str, create_graph: bool, strict: bool, vectorize: bool) -> None:
    """PyTorch's errors for `jacobian`'s `strategy`."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(STRATEGY_HINT)
    if strategy == "reverse-mode":
        return
    if create_graph:
        raise NotImplementedError(
            "torch.autograd.functional.jacobian: `create_graph=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`create_graph=False` or `strategy="reverse-mode"`.'
        )
    if strict:
        raise RuntimeError(
            'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
            "are not supported together (yet). Please either set `strict=False` or "
            '`strategy="reverse-mode"`.'
        )
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
            "only implemented for `vectorize=True`."
        )


def _jacobian_of(
    i: int, out: Tensor, leaves: tuple[Tensor, ...], create_graph: bool, strict: bool
) -> tuple[Tensor, ...]:
    """d out / d leaves[j] for each j, shaped out.shape + leaves[j].shape (output `i`
    of the function, for PyTorch's strict errors)."""
    flat = out.reshape(-1)
    per_element = []
    for k in range(flat.shape[0]):
        found = _raw_grads([flat[k]], leaves, [None], create_graph)
        for j, g in enumerate(found):
            if g is None and strict:
                raise RuntimeError(
                    f"Output {i} of the user-provided function is independent of input {j}. "
                    "This is not allowed in strict mode."
                )
        per_element.append(_fill_in_zeros(found, leaves, strict, create_graph, "back"))
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
    in_tuple, xs = _as_tuple("hessian", "inputs", inputs)
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def gradient(*args: Tensor) -> tuple[Tensor, ...]:
        out = _scalar_output("hessian", func(*args), strict)
        jac = _grads([out], args, [None], create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, xs, create_graph, strict, vectorize, outer_jacobian_strategy)
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

    def product(gradient: tuple[Tensor | None, ...], leaves: tuple[Tensor, ...], vs: Any) -> Any:
        return _grads(gradient, leaves, vs, create_graph, strict, "double_back")

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

    def product(gradient: tuple[Tensor | None, ...], leaves: tuple[Tensor, ...], vs: Any) -> Any:
        dummies = tuple(_dummy(x) for x in leaves)
        linear = _raw_grads(gradient, leaves, dummies, create_graph=True)
        _check_requires_grad(gradient, "hessian", strict)
        return _grads(linear, dummies, vs, create_graph, strict, "double_back_trick")

    return _hessian_product("hvp", func, inputs, v, create_graph, strict, product)


def _hessian_product(
    name: str,
    func: Callable[..., Any],
    inputs: Inputs,
    v: Any,
    create_graph: bool,
    strict: bool,
    product: Callable[[tuple[Tensor | None, ...], tuple[Tensor, ...], Any], Any],
) -> tuple[Any, Any]:
    """(func(inputs), product(gradient of func, inputs, v)): `vhp` and `hvp`."""
    in_tuple, xs = _as_tuple(name, "inputs", inputs)
    vs = _check_v(name, v, xs, in_tuple, _INPUT_IS)
    with enable_grad():
        leaves = _leaves(xs, create_graph)
        out = _scalar_output(name, func(*leaves), strict)
        gradient = _raw_grads([out], leaves, [None], create_graph=True)
        _check_requires_grad(gradient, "jacobian", strict)
        result = product(gradient, leaves, vs)
    return _finish(out, create_graph), _finished(in_tuple, result, create_graph)


def _scalar_output(name: str, out: Any, strict: bool) -> Tensor:
    """The single-element Tensor `func` returned, with PyTorch's errors."""
    is_tuple, outs = _as_tuple(name, OUTPUTS, out)
    _check_requires_grad(outs, "outputs", strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outs[0].size != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {name} should contain a single element"
        )
    return outs[0].reshape(())
