"""Check analytic gradients against central differences, in float64.

For outputs y = f(x) and a fixed random vector v (one per output), the analytic
vector-Jacobian product v^T J from `grad` is compared, element by element of each
input, with the numerical one:

    d/dx_i sum(v * f(x))  ~=  (sum(v * f(x + eps e_i)) - sum(v * f(x - eps e_i))) / (2 eps)

A random v makes a wrong Jacobian entry show up with probability one, at the cost of a
single backward pass. `gradgradcheck` applies the same check to the function that
returns the first gradients (built with `create_graph=True`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.graph import grad
from autograd.mode import enable_grad, no_grad
from autograd.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with central differences."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float_outputs(result: Any) -> list[Tensor]:
    outs = [o for o in _as_tuple(result) if isinstance(o, Tensor) and o.dtype.kind == "f"]
    if not outs:
        raise TypeError("gradcheck: the function must return a float Tensor or a tuple of them")
    return outs


def _checked_inputs(inputs: Sequence[Any]) -> list[Tensor]:
    wrt = []
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            continue
        if t.dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} has dtype {t.dtype}; central differences need float64 "
                "(create it with dtype=np.float64)"
            )
        if not np.isfinite(t.data).all():
            raise ValueError(f"gradcheck: input {i} contains NaN or inf")
        wrt.append(t)
    if not wrt:
        raise ValueError("gradcheck: no input requires grad")
    return wrt


def _analytic(outs: list[Tensor], vs: list[np.ndarray], wrt: list[Tensor]) -> list[np.ndarray]:
    live = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    if not live:
        return [np.zeros_like(t.data) for t in wrt]
    grads = grad([o for o, _ in live], wrt, grad_outputs=[v for _, v in live], allow_unused=True)
    return [np.zeros_like(t.data) if g is None else g.data for g, t in zip(grads, wrt)]


def _numerical(
    fn: Callable[..., Any], inputs: Sequence[Any], vs: list[np.ndarray], t: Tensor, eps: float
) -> np.ndarray:
    def phi() -> float:
        return float(sum((o.data * v).sum() for o, v in zip(_float_outputs(fn(*inputs)), vs)))

    num = np.zeros_like(t.data)
    with no_grad():
        for idx in np.ndindex(t.shape):
            orig = t.data[idx]
            t.data[idx] = orig + eps
            plus = phi()
            t.data[idx] = orig - eps
            minus = phi()
            t.data[idx] = orig
            num[idx] = (plus - minus) / (2 * eps)
    return num


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Compare `fn`'s analytic gradients with central differences.

    Args:
        fn: maps the inputs to a Tensor (or a tuple of Tensors).
        inputs: a Tensor or a sequence of arguments; each float64 Tensor with
            `requires_grad=True` is checked.
        eps: the finite-difference step.
        atol, rtol: an element passes when |analytic - numerical| <= atol + rtol * |numerical|.
        raise_exception: raise `GradcheckError` on failure instead of returning False.
        seed: seed of the random projection vectors.

    Returns:
        True when every gradient matches.

    Raises:
        GradcheckError: naming the input, the worst element and both values.
        TypeError: an input to check is not float64.
        ValueError: an input contains NaN or inf.

    Example:
        >>> import numpy as np, autograd
        >>> x = autograd.tensor(np.array([0.5, -1.0]), requires_grad=True)
        >>> autograd.gradcheck(lambda x: (x * x.sin()).sum(), x)
        True
    """
    inputs = _as_tuple(inputs)
    wrt = _checked_inputs(inputs)
    outs = _float_outputs(fn(*inputs))
    rng = np.random.default_rng(seed)
    vs = [rng.standard_normal(o.shape) for o in outs]
    for t, a in zip(wrt, _analytic(outs, vs, wrt)):
        n = _numerical(fn, inputs, vs, t, eps)
        excess = np.abs(a - n) - (atol + rtol * np.abs(n))
        if (excess > 0).any() or not np.isfinite(a).all():
            worst = np.unravel_index(
                int(np.nanargmax(np.where(np.isfinite(a), excess, np.inf))), t.shape
            )
            i = next(k for k, x in enumerate(inputs) if x is t)
            label = f"input {i}" + (f" ({t.name})" if t.name else "") + f" of shape {t.shape}"
            msg = (
                f"gradcheck failed for {label}: at element {tuple(int(j) for j in worst)} the "
                f"analytic gradient is {float(a[worst])!r} but central differences give "
                f"{float(n[worst])!r} "
                f"(atol={atol}, rtol={rtol})"
            )
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check second derivatives: `gradcheck` applied to the first gradients of `fn`.

    The first gradients are taken with `create_graph=True` against a fixed random
    vector, so the check covers Hessian-vector products of every input.
    """
    inputs = _as_tuple(inputs)
    _checked_inputs(inputs)
    rng = np.random.default_rng(seed + 1)
    vs = [rng.standard_normal(o.shape) for o in _float_outputs(fn(*inputs))]

    @enable_grad()
    def first_grads(*xs: Any) -> tuple[Tensor, ...]:
        outs = _float_outputs(fn(*xs))
        live = [(o, Tensor(v)) for o, v in zip(outs, vs) if o.requires_grad]
        xs_wrt = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        if not live:
            return tuple(Tensor(np.zeros_like(x.data)) for x in xs_wrt)
        gs = grad(
            [o for o, _ in live],
            xs_wrt,
            grad_outputs=[v for _, v in live],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(Tensor(np.zeros_like(x.data)) if g is None else g for g, x in zip(gs, xs_wrt))

    return gradcheck(first_grads, inputs, eps, atol, rtol, raise_exception, seed)
