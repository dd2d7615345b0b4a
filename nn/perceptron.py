"""Rosenblatt's perceptron (1958): a weighted sum, a bias and a step."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from autograd import Tensor, no_grad
from autograd.graph import increment_version
from nn import activations, init
from nn.layers import check_features
from nn.module import Module, Parameter


class ConvergenceWarning(UserWarning):
    """A learning rule ran out of epochs before it converged."""


class Perceptron(Module):
    """y = activation(x @ weight + bias), step by default: 1 if z >= 0 else 0.

    Shapes: x (N, n_inputs) -> y (N,); weight (n_inputs,), bias ().

    With weight (0.5, 0.5) and bias -0.7 it computes AND; with (0.6, 0.6) and -0.5, OR.

    Attributes (after `fit`, named as scikit-learn's):
        errors_: number of misclassified samples in each epoch.
        converged_: whether an epoch ended with no errors.
        n_iter_: epochs run.

    Example:
        >>> import numpy as np, nn
        >>> p = nn.Perceptron(2)
        >>> p.weight.data[:] = 0.5; p.bias.data[...] = -0.7
        >>> p.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))
        array([0., 0., 0., 1.], dtype=float32)
    """

    def __init__(
        self,
        n_inputs: int,
        activation: str | Module | Callable[[Tensor], Tensor] = "step",
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.n_inputs = n_inputs
        self.weight = init.uniform_(Parameter(np.zeros(n_inputs, np.float32)), -0.5, 0.5, rng)
        self.bias = Parameter(np.zeros((), np.float32))
        self.activation = activations.get(activation)
        self.errors_: list[int] = []
        self.converged_ = False
        self.n_iter_ = 0

    def forward(self, x: Tensor) -> Tensor:
        check_features(self, x, self.n_inputs)
        return self.activation(x @ self.weight + self.bias)

    def predict(self, X: npt.ArrayLike) -> np.ndarray:
        """The outputs for inputs X (N, n_inputs), as an ndarray (0/1 for step)."""
        with no_grad():
            return self(Tensor(np.asarray(X, dtype=self.weight.dtype))).data

    def fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, epochs: int = 100, lr: float = 1.0
    ) -> Perceptron:
        """Train by the perceptron learning rule, one sample at a time:

            y_hat = activation(x . w + b)
            w = w + lr * (y - y_hat) * x        b = b + lr * (y - y_hat)

        Stops after the first epoch without errors; after `epochs` epochs with errors
        (data that is not linearly separable, like XOR) it warns and stops.

        Returns:
            self, with `errors_`, `converged_` and `n_iter_` set.
        """
        X = np.asarray(X, dtype=self.weight.dtype)
        y = np.asarray(y, dtype=self.weight.dtype).reshape(-1)
        check_features(self, X, self.n_inputs)
        if len(X) != len(y):
            raise ValueError(f"Perceptron.fit: X has {len(X)} samples but y has {len(y)}")
        w, b = self.weight.data, self.bias.data
        self.errors_, self.converged_ = [], False
        with no_grad():
            for _ in range(epochs):
                errors = 0
                for x_i, y_i in zip(X, y):
                    y_hat = self.activation(Tensor(x_i @ w + b)).item()
                    if y_hat != y_i:
                        w += lr * (y_i - y_hat) * x_i
                        b += lr * (y_i - y_hat)
                        errors += 1
                self.errors_.append(errors)
                if errors == 0:
                    self.converged_ = True
                    break
        self.n_iter_ = len(self.errors_)
        if any(self.errors_):  # the weights were written in place
            increment_version(self.weight)
            increment_version(self.bias)
        if not self.converged_:
            warnings.warn(
                f"Perceptron did not converge in {epochs} epochs ({self.errors_[-1]} errors "
                "in the last): the classes may not be linearly separable",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def extra_repr(self) -> str:
        return f"n_inputs={self.n_inputs}"
