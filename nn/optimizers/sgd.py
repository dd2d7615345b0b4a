"""Keras's SGD (with momentum and Nesterov) and RMSprop."""

from __future__ import annotations

from typing import Any

import numpy as np

from nn.optimizers.optimizer import (
    LearningRate,
    Optimizer,
    check_fraction,
    check_non_negative,
    epsilon_or_default,
)


class SGD(Optimizer):
    """Keras's stochastic gradient descent, with momentum and Nesterov momentum.

    Update rule (``v`` is the state ``momentum``, starting at zero)::

        p = p - lr * g                                (if momentum == 0)
        v = momentum * v - lr * g                     (otherwise)
        p = p + v                                     (nesterov=False)
        p = p + momentum * v - lr * g                 (nesterov=True)

    Differs from `optim.SGD` (torch's rule): Keras's velocity holds the step
    ``-lr * g`` rather than the gradient (``b = momentum * b + g``, ``p = p - lr * b``),
    so the two agree for a constant lr and differ when the lr changes during training;
    Keras has no dampening.

    Args:
        learning_rate: step size (Keras's default 0.01); `lr` is Keras 2's name.
        momentum: momentum factor in [0, 1].
        nesterov: use Nesterov momentum (Sutskever et al. 2013).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.

    Example:
        >>> import numpy as np, nn
        >>> from autograd import Tensor
        >>> w = Tensor(np.array([1.0]), requires_grad=True)
        >>> opt = nn.optimizers.SGD(learning_rate=0.1, momentum=0.9)
        >>> opt.build([w])
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> np.round(w.data, 4)      # v = -0.2, then v = 0.9 * -0.2 - 0.1 * 1.6
        array([0.46])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
            momentum=momentum,
            nesterov=bool(nesterov),
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return ("momentum", "nesterov")

    def _check_options(self, options: dict[str, Any]) -> None:
        check_fraction(self, "momentum", options["momentum"], closed=True)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": np.zeros_like(p)} if group["momentum"] else {}

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        momentum = group["momentum"]
        if not momentum:
            p -= lr * g
            return
        v = state.setdefault("momentum", np.zeros_like(p))
        v *= momentum
        v -= lr * g
        if group["nesterov"]:
            p += momentum * v - lr * g
        else:
            p += v


class RMSprop(Optimizer):
    """Keras's RMSprop (Hinton, Srivastava and Swersky 2012, lecture 6e), centered
    variant from Graves 2013.

    Update rule (``v``, ``a``, ``b`` are the state ``velocity``, ``average_gradient``,
    ``momentum``, starting at zero)::

        v = rho * v + (1 - rho) * g**2
        a = rho * a + (1 - rho) * g                   (if centered)
        d = sqrt(v - a**2 + epsilon)                  (if centered)
        d = sqrt(v + epsilon)                         (otherwise)
        b = momentum * b + lr * g / d                 (if momentum > 0)
        p = p - b                                     (if momentum > 0)
        p = p - lr * g / d                            (otherwise)

    Differs from `optim.RMSprop` (torch's rule) in its defaults (lr 1e-3, rho 0.9,
    epsilon 1e-7 against torch's lr 1e-2, alpha 0.99, eps 1e-8), in where epsilon sits
    (inside the square root here, ``sqrt(v) + eps`` in torch), and in the momentum
    buffer, which holds the step ``lr * g / d`` (torch keeps ``g / d``). Keras 2
    added epsilon outside the root, as torch does; this is Keras 3's rule.

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        rho: decay of the running mean of squared gradients.
        momentum: momentum factor (0 disables it).
        epsilon: added under the square root; None means 1e-7.
        centered: divide by an estimate of the gradient's variance instead.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float | None = 1e-7,
        centered: bool = False,
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
            rho=rho,
            momentum=momentum,
            epsilon=epsilon_or_default(epsilon),
            centered=bool(centered),
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return ("rho", "momentum", "epsilon", "centered")

    def _check_options(self, options: dict[str, Any]) -> None:
        check_fraction(self, "rho", options["rho"])
        check_fraction(self, "momentum", options["momentum"], closed=True)
        check_non_negative(self, "epsilon", options["epsilon"])

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"velocity": np.zeros_like(p)}
        if group["momentum"]:
            state["momentum"] = np.zeros_like(p)
        if group["centered"]:
            state["average_gradient"] = np.zeros_like(p)
        return state

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        rho, v = group["rho"], state["velocity"]
        d = self._buffer(p, 1)
        self._moving_average(v, np.multiply(g, g, out=d), rho, out=d)
        if group["centered"]:
            a = state.setdefault("average_gradient", np.zeros_like(p))
            self._moving_average(a, g, rho, out=d)
            np.subtract(v, np.multiply(a, a, out=d), out=d)
            d += group["epsilon"]
        else:
            np.add(v, group["epsilon"], out=d)
        np.sqrt(d, out=d)
        step = np.divide(g, d, out=d)
        step *= lr
        if group["momentum"]:
            b = state.setdefault("momentum", np.zeros_like(p))
            b *= group["momentum"]
            b += step
            step = b
        p -= step
