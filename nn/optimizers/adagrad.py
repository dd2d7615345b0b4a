"""Keras's Adagrad, Adadelta and Ftrl: per-coordinate step sizes from accumulated squares."""

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


class Adagrad(Optimizer):
    """Keras's Adagrad (Duchi, Hazan and Singer 2011).

    Update rule (``s`` is the state ``accumulator``, starting at
    initial_accumulator_value)::

        s = s + g**2
        p = p - lr * g / sqrt(s + epsilon)

    Differs from `optim.Adagrad` (torch's rule): epsilon sits inside the square root
    (torch: ``sqrt(s) + eps``), and the defaults are lr 0.001, initial accumulator 0.1,
    epsilon 1e-7 (torch: 0.01, 0, 1e-10).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        initial_accumulator_value: starting value of the accumulator.
        epsilon: added under the square root; None means 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float | None = 1e-7,
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
            initial_accumulator_value=initial_accumulator_value,
            epsilon=epsilon_or_default(epsilon),
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return ("initial_accumulator_value", "epsilon")

    def _check_options(self, options: dict[str, Any]) -> None:
        check_non_negative(self, "initial_accumulator_value", options["initial_accumulator_value"])
        check_non_negative(self, "epsilon", options["epsilon"])

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"accumulator": np.full_like(p, group["initial_accumulator_value"])}

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        s, work = state["accumulator"], self._buffer(p, 1)
        s += np.multiply(g, g, out=work)
        denom = np.add(s, group["epsilon"], out=work)
        np.sqrt(denom, out=denom)
        step = np.divide(g, denom, out=denom)
        step *= lr
        p -= step


class Adadelta(Optimizer):
    """Keras's Adadelta (Zeiler 2012, "ADADELTA: An Adaptive Learning Rate Method").

    Update rule (``v``, ``u`` are the state ``accumulated_grad``,
    ``accumulated_delta_var``, from zero; ``rms(x) = sqrt(x + epsilon)``)::

        v = rho * v + (1 - rho) * g**2
        delta = -rms(u) / rms(v) * g
        u = rho * u + (1 - rho) * delta**2
        p = p + lr * delta

    The same rule as `optim.Adadelta`; the defaults differ: lr 0.001 (torch 1.0, as
    the paper, which has no lr; Keras 2 also used 1.0), rho 0.95 (torch 0.9),
    epsilon 1e-7 (torch 1e-6).

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        rho: decay of the running averages.
        epsilon: added under the square roots; None means 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.95,
        epsilon: float | None = 1e-7,
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
            epsilon=epsilon_or_default(epsilon),
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return ("rho", "epsilon")

    def _check_options(self, options: dict[str, Any]) -> None:
        check_fraction(self, "rho", options["rho"])
        check_non_negative(self, "epsilon", options["epsilon"])

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"accumulated_grad": np.zeros_like(p), "accumulated_delta_var": np.zeros_like(p)}

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        rho, eps = group["rho"], group["epsilon"]
        v, u = state["accumulated_grad"], state["accumulated_delta_var"]
        self._moving_average(v, g * g, rho, out=self._buffer(p, 1))
        delta = -np.sqrt(u + eps) / np.sqrt(v + eps) * g
        self._moving_average(u, delta * delta, rho, out=self._buffer(p, 1))
        p += lr * delta


class Ftrl(Optimizer):
    """Keras's FTRL-Proximal (McMahan et al. 2013, "Ad Click Prediction: a View from
    the Trenches"), with L1, L2 and L2-shrinkage regularization.

    Update rule (``n``, ``z`` are the state ``accumulator`` (starting at
    initial_accumulator_value) and ``linear`` (from zero); ``c = -learning_rate_power``)::

        l2 = l2_regularization_strength + beta / (2 * lr)
        g_s = g + 2 * l2_shrinkage_regularization_strength * p
        n_new = n + g**2
        z = z + g_s - (n_new**c - n**c) / lr * p
        q = n_new**c / lr + 2 * l2
        p = (clip(z, -l1, l1) - z) / q                (0 where |z| <= l1)
        n = n_new

    `optim` has no FTRL. The paper's per-coordinate rate ``alpha / (beta + sqrt(n))``
    is ``lr / n**c`` here (c = 0.5), with `beta` entering through the L2 term, as in
    Keras and TensorFlow.

    Args:
        learning_rate: step size (default 0.001); `lr` is Keras 2's name.
        learning_rate_power: <= 0; -0.5 is the paper's square root.
        initial_accumulator_value: starting value of n, >= 0.
        l1_regularization_strength, l2_regularization_strength: >= 0.
        l2_shrinkage_regularization_strength: L2 on the gradient (magnitude), >= 0.
        beta: the paper's beta, >= 0.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, decay: see
            `nn.optimizers.Optimizer`.
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
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
            learning_rate_power=learning_rate_power,
            initial_accumulator_value=initial_accumulator_value,
            l1_regularization_strength=l1_regularization_strength,
            l2_regularization_strength=l2_regularization_strength,
            l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
            beta=beta,
            **kwargs,
        )

    @classmethod
    def _hyper_names(cls) -> tuple[str, ...]:
        return (
            "learning_rate_power",
            "initial_accumulator_value",
            "l1_regularization_strength",
            "l2_regularization_strength",
            "l2_shrinkage_regularization_strength",
            "beta",
        )

    def _check_options(self, options: dict[str, Any]) -> None:
        if not options["learning_rate_power"] <= 0:
            raise ValueError(
                f"Ftrl: learning_rate_power must be <= 0, got {options['learning_rate_power']!r}"
            )
        for name in self._hyper_names()[1:]:
            check_non_negative(self, name, options[name])

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {
            "accumulator": np.full_like(p, group["initial_accumulator_value"]),
            "linear": np.zeros_like(p),
        }

    def _update_step(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], lr: float, t: int, group: dict
    ) -> None:
        if lr == 0:
            return  # every term below divides by lr; a zero step leaves p as it is
        n, z, c = state["accumulator"], state["linear"], -group["learning_rate_power"]
        l1 = group["l1_regularization_strength"]
        l2 = group["l2_regularization_strength"] + group["beta"] / (2 * lr)
        g_shrunk = g + 2 * group["l2_shrinkage_regularization_strength"] * p
        n_new = n + g * g
        z += g_shrunk - (n_new**c - n**c) / lr * p
        quadratic = n_new**c / lr + 2 * l2
        p[...] = (np.clip(z, -l1, l1) - z) / quadratic
        n[...] = n_new
