"""Check analytic gradients against central differences, as PyTorch's `gradcheck`.

For each output y_i of f and each input x_j that requires grad, the full Jacobian is
computed twice and compared with `allclose` (|analytic - numerical| <= atol + rtol *
|numerical|, element by element):

- numerically, a column per element k of x_j: (f(x + eps e_k) - f(x - eps e_k)) / (2 eps);
- analytically, by one backward pass per element of y_i (`grad` with a one-hot vector).

Both are laid out as PyTorch's, one row per input element and one column per output
element, and a mismatch raises PyTorch's message ("Jacobian mismatch for output i with
respect to input j, numerical: ... analytical: ...") followed by the worst element.
`gradgradcheck` applies the same check to the function that returns the first
gradients (built with `create_graph=True` against random vectors).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.graph import grad
from autograd.mode import enable_grad, no_grad
from autograd.tensor import Tensor

NOT_DOUBLE = (
    "Input #{i} requires gradient and is not a double precision floating point or complex. "
    "This check will likely fail if all the inputs are not of double precision floating "
    "point or complex. "
)
NO_INPUT = (
    "gradcheck expects at least one input tensor to require gradient, but none of them "
    "have requires_grad=True."
)


class GradcheckError(AssertionError, RuntimeError):
    """Raised when an analytic gradient disagrees with central differences: a
    RuntimeError, as PyTorch's, and an AssertionError (a failed check)."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float_outputs(result: Any) -> list[Tensor]:
    outs = [o for o in _as_tuple(result) if isinstance(o, Tensor) and o.dtype.kind == "f"]
    if not outs:
        raise TypeError("gradcheck: the function must return a float Tensor or a tuple of them")
    return outs


def _checked_inputs(inputs: Sequence[Any]) -> list[Tensor]:
    """The inputs that require grad (PyTorch's warning for one that is not float64)."""
    wrt = []
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            continue
        if t.dtype != np.float64:
            warnings.warn(NOT_DOUBLE.format(i=i), UserWarning, stacklevel=3)
        if not np.isfinite(t.data).all():
            raise ValueError(f"gradcheck: input {i} contains NaN or inf")
        wrt.append(t)
    if not wrt:
        raise ValueError(NO_INPUT)
    return wrt


def _numerical(
    fn: Callable[..., Any], inputs: Sequence[Any], t: Tensor, n_outputs: int, eps: float
) -> list[np.ndarray]:
    """d outputs / d t by central differences: per output, (t.numel(), output.numel())."""
    columns: list[list[np.ndarray]] = [[] for _ in range(n_outputs)]
    with no_grad():
        for idx in np.ndindex(t.shape):
            orig = t.data[idx].copy()
            t.data[idx] = orig + eps
            plus = [o.data.astype(np.float64) for o in _float_outputs(fn(*inputs))]
            t.data[idx] = orig - eps
            minus = [o.data.astype(np.float64) for o in _float_outputs(fn(*inputs))]
            t.data[idx] = orig
            for i, (p, m) in enumerate(zip(plus, minus)):
                columns[i].append(((p - m) / (2 * eps)).reshape(-1))
    return [np.stack(c) if c else np.zeros((0, 0)) for c in columns]


def _analytical(out: Tensor, wrt: list[Tensor]) -> list[np.ndarray]:
    """d out / d wrt[j] by one backward pass per element of `out`: (numel, out.numel())."""
    jacobians = [np.zeros((t.data.size, out.data.size)) for t in wrt]
    if not out.requires_grad:
        return jacobians
    for m in range(out.data.size):
        onehot = np.zeros(out.data.size, dtype=out.dtype)
        onehot[m] = 1
        grads = grad(
            [out],
            wrt,
            grad_outputs=[Tensor(onehot.reshape(out.shape))],
            retain_graph=True,
            allow_unused=True,
        )
        for j, g in enumerate(grads):
            if g is not None:
                jacobians[j][:, m] = g.data.reshape(-1)
    return jacobians


def _mismatch(
    a: np.ndarray, n: np.ndarray, i: int, j: int, atol: float, rtol: float, dtype: Any
) -> str:
    """PyTorch's message (the Jacobians in the output's dtype), then the worst element
    (input element, output element)."""
    excess = np.abs(a - n) - (atol + rtol * np.abs(n))
    worst = np.unravel_index(int(np.nanargmax(np.where(np.isfinite(a), excess, np.inf))), a.shape)
    return (
        f"Jacobian mismatch for output {i} with respect to input {j},\n"
        f"numerical:{Tensor(n.astype(dtype))!r}\nanalytical:{Tensor(a.astype(dtype))!r}\n"
        f"(worst: input element {int(worst[0])}, output element {int(worst[1])}: analytic "
        f"{float(a[worst])!r}, central differences {float(n[worst])!r}; "
        f"atol={atol}, rtol={rtol})"
    )


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
    **torch_options: Any,
) -> bool:
    """Compare `fn`'s analytic Jacobians with central differences, as PyTorch's.

    Args:
        fn: maps the inputs to a Tensor (or a tuple of Tensors).
        inputs: a Tensor or a sequence of arguments; each Tensor with
            `requires_grad=True` is checked (float64, or PyTorch's warning).
        eps: the finite-difference step.
        atol, rtol: an element passes when |analytic - numerical| <= atol + rtol * |numerical|.
        raise_exception: raise `GradcheckError` on failure instead of returning False.
        seed: seed of `gradgradcheck`'s random vectors (unused here).
        **torch_options: PyTorch's other options (`nondet_tol`, `fast_mode`,
            `check_undefined_grad`, ...), accepted and not used.

    Returns:
        True when every Jacobian matches.

    Raises:
        GradcheckError: PyTorch's "Jacobian mismatch for output i with respect to
            input j" with both Jacobians, then the worst element and both values.
        ValueError: no input requires grad (PyTorch's message), or one has NaN or inf.

    Example:
        >>> import numpy as np, autograd
        >>> x = autograd.tensor(np.array([0.5, -1.0]), requires_grad=True)
        >>> autograd.gradcheck(lambda x: (x * x.sin()).sum(), x)
        True
    """
    inputs = _as_tuple(inputs)
    wrt = _checked_inputs(inputs)
    with enable_grad():
        outs = _float_outputs(fn(*inputs))
    numerical = [_numerical(fn, inputs, t, len(outs), eps) for t in wrt]
    live = [(i, o) for i, o in enumerate(outs) if o.requires_grad]
    if not live:  # then every numerical Jacobian must be zero, as PyTorch checks
        if all((np.abs(n) <= atol).all() for per_input in numerical for n in per_input):
            return True
        if raise_exception:
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return False
    for i, out in enumerate(o for _, o in live):
        for j, a in enumerate(_analytical(out, wrt)):
            n = numerical[j][live[i][0]]
            close = np.isfinite(a).all() and (np.abs(a - n) <= atol + rtol * np.abs(n)).all()
            if not close:
                if raise_exception:
                    raise GradcheckError(_mismatch(a, n, i, j, atol, rtol, out.dtype))
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
    **torch_options: Any,
) -> bool:
    """Check second derivatives: `gradcheck` applied to the first gradients of `fn`.

    The first gradients are taken with `create_graph=True` against a fixed random
    vector, so the check covers Hessian-vector products of every input. PyTorch's
    other options (`gen_non_contig_grad_outputs`, ...) are accepted and not used.
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
