"""A line search for the strong Wolfe conditions, by cubic interpolation (for LBFGS).

Given a point ``x``, a descent direction ``d``, the loss ``f`` and the slope
``gtd = g . d`` there, it looks for a step ``t`` where

    f(x + t d) <= f + c1 * t * gtd                    (sufficient decrease)
    |g(x + t d) . d| <= c2 * |gtd|                    (the slope has flattened)

as in Nocedal and Wright, "Numerical Optimization", algorithms 3.5 (bracketing) and
3.6 (zoom), with each trial step the minimizer of the cubic through the two latest
points (their losses and slopes), kept inside safeguards. It follows
torch.optim.lbfgs's `_strong_wolfe` (itself from minFunc's) step by step, so that
LBFGS gives torch's numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class _Point(NamedTuple):
    """A trial step: the step size, the loss, the gradient and the slope along d."""

    t: float
    f: float
    g: np.ndarray
    gtd: float


def cubic_minimum(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimizer of the cubic with values f1, f2 and slopes g1, g2 at x1, x2,
    clipped to `bounds` (default: between x1 and x2); the middle of the bounds when the
    cubic has no minimum.

    Example:
        >>> cubic_minimum(0.0, 1.0, -2.0, 2.0, 1.0, 2.0)  # (x - 1)**2: minimum at 1
        1.0
    """
    low, high = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    # numpy scalars: a zero width or slope gives inf or nan (as torch's tensors), not
    # a ZeroDivisionError
    x1, f1, g1, x2, f2, g2 = (np.float64(v) for v in (x1, f1, g1, x2, f2, g2))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        d2_square = d1 * d1 - g1 * g2
        if not d2_square >= 0:
            return float((low + high) / 2.0)
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return float(min(max(x, low), high))


def strong_wolfe(
    evaluate: Callable[[float], tuple[float, np.ndarray]],
    t: float,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, float, int]:
    """Search a step along `d` meeting the strong Wolfe conditions.

    Args:
        evaluate: ``evaluate(t)`` returns the loss and flat gradient at ``x + t d``.
        t: the first trial step.
        d: the direction.
        f, g, gtd: the loss, gradient and slope ``g . d`` at ``x`` (t = 0).
        c1, c2: the constants of the two conditions.
        tolerance_change: stop when the interval is shorter than this (times max|d|).
        max_ls: the most evaluations after the first one.

    Returns:
        ``(f_new, g_new, t, evaluations)``: the best point found and the number of
        calls of `evaluate`.
    """
    d_norm = float(np.abs(d).max())

    def at(step: float) -> _Point:
        f_new, g_new = evaluate(step)
        return _Point(step, f_new, g_new, float(g_new @ d))

    start = _Point(0.0, f, g.copy(), gtd)
    prev, new = start, at(t)
    evals, ls_iter, done = 1, 0, False
    bracket: list[_Point] = []
    # Bracketing: grow the step until an interval holds a point meeting the conditions.
    while ls_iter < max_ls:
        if new.f > f + c1 * new.t * gtd or (ls_iter > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket, done = [new], True
            break
        if new.gtd >= 0:  # the slope turned: a minimum lies between prev and new
            bracket = [prev, new]
            break
        bounds = (new.t + 0.01 * (new.t - prev.t), new.t * 10)
        step = cubic_minimum(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd, bounds)
        prev, new = new, at(step)
        evals += 1
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = [start, new]

    # Zoom: shrink the bracket [low, high] (low: the lower loss) around a good step.
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    insufficient_progress = False
    while not done and ls_iter < max_ls:
        a, b = bracket
        if abs(b.t - a.t) * d_norm < tolerance_change:
            break
        step = cubic_minimum(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        # A trial too close to an end of the interval (twice in a row, or outside it)
        # moves to 10% of the interval's width inside.
        lo, hi = min(a.t, b.t), max(a.t, b.t)
        margin = 0.1 * (hi - lo)
        if min(hi - step, step - lo) < margin:
            if insufficient_progress or step >= hi or step <= lo:
                step = hi - margin if abs(step - hi) < abs(step - lo) else lo + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = at(step)
        evals += 1
        ls_iter += 1
        if new.f > f + c1 * new.t * gtd or new.f >= bracket[low].f:
            bracket[high] = new  # not lower: the new high end
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(new.gtd) <= -c2 * gtd:
                done = True
            elif new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]  # the minimum lies on the other side
            bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evals
