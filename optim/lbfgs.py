"""L-BFGS: a quasi-Newton method that re-evaluates the loss through a closure."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import enable_grad
from autograd.checks import check_int, check_real
from autograd.tensor import increment_version
from optim.line_search import strong_wolfe
from optim.optimizer import Optimizer, ParamsT


class LBFGS(Optimizer):
    """L-BFGS (Liu and Nocedal 1989, "On the Limited Memory BFGS Method for Large Scale
    Optimization"; Nocedal and Wright, "Numerical Optimization", algorithms 7.4-7.5).

    All parameters are treated as one flat vector ``x`` (concatenated in order, each
    in C order) with the flat gradient ``g``. One `step` runs up to ``max_iter``
    iterations of::

        s = t * d,  y = g - g_prev                    (from the previous iteration)
        if y . s > 1e-10:                             (keep the pair, at most
            remember (s, y), rho = 1 / (y . s)        history_size of them)
            H0 = (y . s) / (y . y)
        d = -H g                                      (two-loop recursion over the
                                                       pairs, starting from H0 * I)
        t = lr  (min(1, 1 / sum(|g|)) * lr at the very first iteration)
        t = strong_wolfe(x, d, t)                     (if line_search_fn)
        x = x + t * d

    with ``d = -g`` at the first iteration. The loss and gradient are evaluated again
    at the new ``x`` by calling the closure (several times in a line search). The step
    stops early when ``max(|g|) <= tolerance_grad``, when the directional derivative
    ``g . d > -tolerance_change``, when ``max(|t * d|) <= tolerance_change``, when the
    loss changed by less than ``tolerance_change``, or after ``max_eval`` evaluations.

    The line search (``line_search_fn="strong_wolfe"``) looks for a ``t`` meeting the
    strong Wolfe conditions (c1 = 1e-4, c2 = 0.9; Nocedal and Wright, algorithms
    3.5-3.6): it grows ``t`` by cubic interpolation until an interval brackets such a
    step, then shrinks the interval ("zoom") the same way; see `optim.line_search`. It
    evaluates at most ``max_eval`` minus the evaluations made so far, plus one, and
    stops zooming on an interval narrower than 1e-9 / max(|d|) whatever
    ``tolerance_change`` (as torch's).

    Follows torch.optim.LBFGS (itself from minFunc): the same first step size, stopping
    tests, curvature threshold 1e-10 and line search, so a run gives the same numbers.
    Without a line search the loss is not evaluated after the last iteration (as in
    torch: the next step evaluates it first). The state (``func_evals``, ``n_iter``
    across steps; ``d``, ``t``, ``old_dirs`` (the y's), ``old_stps`` (the s's), ``ro``,
    ``H_diag``, ``prev_flat_grad``, ``prev_loss``) is kept under the first parameter,
    as torch keeps it, so a `state_dict` resumes a run; torch's scratch list ``al``
    is not state here. Only one parameter group is allowed, as in torch. Meant for
    full-batch problems: each step costs several evaluations of the whole loss.

    Args:
        params: the Tensors to optimize (one group).
        lr: the step size (the line search's first trial step with strong_wolfe).
        max_iter: the most iterations in one `step`.
        max_eval: the most closure calls in one `step` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient entry is at most this.
        tolerance_change: stop when the loss or the parameters change less than this.
        history_size: how many (s, y) pairs approximate the inverse Hessian.
        line_search_fn: None (fixed step ``lr``) or ``"strong_wolfe"``.

    Example:
        >>> import numpy as np
        >>> from autograd import Tensor
        >>> from optim import LBFGS
        >>> w = Tensor(np.array([3.0, -1.0]), requires_grad=True)
        >>> opt = LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - 1.0) * (w - 1.0)).sum()
        ...     loss.backward()
        ...     return loss
        >>> float(opt.step(closure))      # the loss before the step
        8.0
        >>> np.round(w.data, 6)
        array([1., 1.])
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = check_int("LBFGS", "max_iter", max_iter, 1) * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        self._params = self.param_groups[0]["params"]
        self._numel = sum(p.data.size for p in self._params)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Set the one parameter group (LBFGS works on all parameters as one vector).

        Raises:
            ValueError: when a group is already there.
        """
        if self.param_groups:
            raise ValueError(
                "LBFGS doesn't support per-parameter options (parameter groups): "
                "give all parameters in one list"
            )
        super().add_param_group(param_group)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        check_int("LBFGS", "max_iter", group["max_iter"], 1)
        check_int("LBFGS", "max_eval", group["max_eval"], 1)
        check_int("LBFGS", "history_size", group["history_size"], 1)
        check_real("LBFGS", "tolerance_grad", group["tolerance_grad"], 0)
        check_real("LBFGS", "tolerance_change", group["tolerance_change"], 0)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: invalid line_search_fn: {group['line_search_fn']!r} "
                "(must be None or 'strong_wolfe')"
            )

    def _state_shape(self, p: np.ndarray, key: str) -> tuple[int, ...]:
        return (self._numel,)  # every array of the state is a flat vector

    def _flat_grad(self) -> np.ndarray:
        """The gradients of all parameters as one vector (zeros for a missing one)."""
        return np.concatenate(
            [
                np.zeros(p.data.size, p.data.dtype) if p.grad is None else p.grad.data.ravel()
                for p in self._params
            ]
        )

    def _move(self, t: float, d: np.ndarray) -> None:
        """x = x + t * d, in place."""
        offset = 0
        for p in self._params:
            n = p.data.size
            p.data += t * d[offset : offset + n].reshape(p.data.shape)
            increment_version(p)
            offset += n

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[float, np.ndarray]:
        with enable_grad():
            loss = float(closure())
        return loss, self._flat_grad()

    def _evaluate_at(
        self, closure: Callable[[], Any], x: list[np.ndarray], d: np.ndarray, t: float
    ) -> tuple[float, np.ndarray]:
        """The loss and gradient at ``x + t * d``; the parameters are put back to `x`."""
        self._move(t, d)
        result = self._evaluate(closure)
        for p, saved in zip(self._params, x, strict=True):
            p.data[...] = saved
            increment_version(p)
        return result

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to ``max_iter`` L-BFGS iterations.

        Args:
            closure: a function that clears the gradients, computes the loss, calls
                ``backward`` and returns the loss; it runs with grad enabled, once per
                evaluation.

        Returns:
            The loss returned by the first call of the closure (before any update).

        Raises:
            TypeError: without a closure.
        """
        if closure is None:
            raise TypeError(
                "LBFGS.step needs a closure that clears the gradients, computes the loss, "
                "calls backward and returns the loss"
            )
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            first_loss = closure()
        loss, g = float(first_loss), self._flat_grad()
        evals = 1
        state["func_evals"] += 1
        if np.abs(g).max() <= tolerance_grad:
            return first_loss

        # Where the previous step stopped (used from the second iteration on).
        d: Any = state.get("d")
        t: Any = state.get("t")
        old_dirs: list[np.ndarray] = state.get("old_dirs", [])
        old_stps: list[np.ndarray] = state.get("old_stps", [])
        ro: list[float] = state.get("ro", [])
        h_diag: float = state.get("H_diag", 1.0)
        g_prev: Any = state.get("prev_flat_grad")
        loss_prev = state.get("prev_loss")
        optimal = False
        for n_iter in range(1, max_iter + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -g, [], [], [], 1.0
            else:
                y, s = g - g_prev, d * t
                ys = float(y @ s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history_size:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y @ y)
                al = state.setdefault("al", [None] * history_size)  # kept, as torch keeps it
                d = _two_loop(-g, old_dirs, old_stps, ro, h_diag, al)
            if g_prev is None:
                g_prev = g.copy()
            else:
                g_prev[...] = g
            loss_prev = loss

            t = min(1.0, 1.0 / float(np.abs(g).sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(g @ d)
            if gtd > -tolerance_change:  # not a descent direction (any more)
                break

            if group["line_search_fn"] is not None:
                x = [p.data.copy() for p in self._params]
                evaluate = functools.partial(self._evaluate_at, closure, x, d)
                loss, g, t, ls_evals = strong_wolfe(
                    evaluate, t, d, loss, g, gtd, max_ls=max_eval - evals
                )
                self._move(t, d)
                optimal = np.abs(g).max() <= tolerance_grad
            else:
                self._move(t, d)
                ls_evals = 0
                if n_iter != max_iter:  # the next step evaluates it first anyway
                    loss, g = self._evaluate(closure)
                    optimal = np.abs(g).max() <= tolerance_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or evals >= max_eval or optimal:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - loss_prev) < tolerance_change:
                break  # no progress

        state.update(
            d=d,
            t=t,
            old_dirs=old_dirs,
            old_stps=old_stps,
            ro=ro,
            H_diag=h_diag,
            prev_flat_grad=g_prev,
            prev_loss=loss_prev,
        )
        return first_loss


def _two_loop(
    q: np.ndarray,
    ys: list[np.ndarray],
    ss: list[np.ndarray],
    rhos: list[float],
    h0: float,
    alphas: list[Any],
) -> np.ndarray:
    """``-H g`` from ``q = -g`` (modified in place) by the L-BFGS two-loop recursion:
    H is the inverse Hessian approximation built from the pairs (s, y) on top of
    ``h0 * I``; the first ``len(ys)`` entries of `alphas` receive the recursion's
    coefficients (torch's ``al``)."""
    for i in reversed(range(len(ys))):
        alphas[i] = float(ss[i] @ q) * rhos[i]
        q -= alphas[i] * ys[i]
    r = q * h0
    for i in range(len(ys)):
        beta = float(ys[i] @ r) * rhos[i]
        r += (alphas[i] - beta) * ss[i]
    return r
