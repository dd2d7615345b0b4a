"""Keras's Adafactor: Adam-like steps with a factored second moment (row and column means)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nn.optimizers.optimizer import LearningRate, Optimizer, check_non_negative


def _rms(x: np.ndarray) -> float:
    """Root mean square of all the elements."""
    return math.sqrt(float(np.mean(np.square(x))))


class Adafactor(Optimizer):
    """Keras's Adafactor (Shazeer and Stern 2018, "Adafactor: Adaptive Learning Rates
    with Sublinear Memory Cost").

    Update rule (``t`` counts steps from 1; for a parameter of 2 or more dimensions
    the second moment is kept as its means over the last axis, ``r`` (state
    ``row_var``), and over the second-to-last axis, ``c`` (``col_var``); for fewer
    dimensions in full, ``v`` (``variance``); all start at zero)::

        rho = min(lr, 1 / sqrt(t))
        alpha = max(epsilon_2, rms(p)) * rho
        g2 = g**2 + epsilon_1
        beta_2 = 1 - t**beta_2_decay
        r = beta_2 * r + (1 - beta_2) * mean(g2, axis=-1)         (ndim >= 2)
        c = beta_2 * c + (1 - beta_2) * mean(g2, axis=-2)
        v = (r / mean(r, axis=-1))[..., :, None] * c[..., None, :]
        v = beta_2 * v + (1 - beta_2) * g2                         (ndim < 2)
        u = g / sqrt(v)
        u = u / max(1, rms(u) / clip_threshold)
        p = p - alpha * u

    where ``rms(x) = sqrt(mean(x**2))`` over the whole array. This is Keras 3's rule:
    the step size is relative to the parameter's scale (`epsilon_2` keeps it from
    vanishing at zero) and is ``min(lr, 1 / sqrt(t))``, whatever `relative_step` (Keras
    takes that minimum twice when it is True, which changes nothing); there is no
    first moment (the paper's beta_1 = 0). `optim` has no Adafactor; torch's
    ``torch.optim.Adafactor`` takes the step size differently.

    Args:
        learning_rate: the step size before the ``1 / sqrt(t)`` cap (default 0.001);
            `lr` is Keras 2's name.
        beta_2_decay: the exponent of ``t`` in ``beta_2 = 1 - t**beta_2_decay``, <= 0.
        epsilon_1: added to the squared gradient, >= 0.
        epsilon_2: the smallest parameter scale, >= 0.
        clip_threshold: the largest rms of the update ``u`` (> 0); independent of
            clipnorm, clipvalue and global_clipnorm.
        relative_step: Keras's argument, kept in the config (see above).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.

    Example:
        >>> import numpy as np, nn
        >>> from autograd import Tensor
        >>> w = Tensor(np.array([3.0, -4.0]), requires_grad=True)
        >>> opt = nn.optimizers.Adafactor(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = Tensor(np.array([1.0, 1.0])); opt.step()
        >>> w.data          # u = g / |g| = 1, rms(w) = sqrt(12.5), step = 0.1 * sqrt(12.5)
        array([ 2.64644661, -4.35355339])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            name,
            beta_2_decay=beta_2_decay,
            epsilon_1=epsilon_1,
            epsilon_2=epsilon_2,
            clip_threshold=clip_threshold,
            relative_step=bool(relative_step),
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step")

    def _check_options(self, options: dict[str, Any]) -> None:
        decay = options["beta_2_decay"]
        if isinstance(decay, bool) or not isinstance(decay, (int, float, np.number)):
            raise TypeError(f"Adafactor: beta_2_decay must be a number, got {decay!r}")
        if not decay <= 0:
            raise ValueError(
                f"Adafactor: beta_2_decay must be <= 0 (beta_2 = 1 - t**beta_2_decay), "
                f"got {decay!r}"
            )
        check_non_negative(self, "epsilon_1", options["epsilon_1"])
        check_non_negative(self, "epsilon_2", options["epsilon_2"])
        check_non_negative(self, "clip_threshold", options["clip_threshold"])
        if options["clip_threshold"] == 0:
            raise ValueError("Adafactor: clip_threshold must be > 0, got 0")

    def _state_shape(self, p: np.ndarray, key: str) -> tuple[int, ...]:
        if key == "row_var":
            return p.shape[:-1]
        if key == "col_var":
            return p.shape[:-2] + p.shape[-1:]
        return p.shape

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        if p.ndim < 2:
            return {"variance": np.zeros_like(p)}
        return {
            key: np.zeros(self._state_shape(p, key), dtype=p.dtype)
            for key in ("row_var", "col_var")
        }

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(group["epsilon_2"], _rms(p)) * rho
        g2 = np.square(g) + group["epsilon_1"]
        beta_2 = 1 - t ** group["beta_2_decay"]
        if p.ndim >= 2:
            r, c = state["row_var"], state["col_var"]
            self._moving_average(r, g2.mean(axis=-1), beta_2, out=np.empty_like(r))
            self._moving_average(c, g2.mean(axis=-2), beta_2, out=np.empty_like(c))
            v = (r / r.mean(axis=-1, keepdims=True))[..., :, None] * c[..., None, :]
        else:
            v = state["variance"]
            self._moving_average(v, g2, beta_2, out=self._buffer(p, 1))
        u = g / np.sqrt(v)
        u /= max(1.0, _rms(u) / group["clip_threshold"])
        u *= alpha
        p -= u
