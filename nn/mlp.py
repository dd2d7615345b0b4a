"""`MLP`: a multilayer perceptron built from a list of layer sizes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

from autograd import Tensor
from nn import activations, init
from nn.layers import BatchNorm1d, Dropout, Linear
from nn.module import Module
from nn.sequential import Sequential

ActivationLike = str | Module | Callable[[Tensor], Tensor] | None


class MLP(Module):
    """Fully connected layers of the given sizes, e.g. sizes=[2, 16, 16, 1]:

        Linear(2, 16) [BatchNorm1d] act [Dropout]  Linear(16, 16) [BatchNorm1d] act
        [Dropout]  Linear(16, 1) [output_activation]

    The layers sit in `self.layers`, a Sequential, so parameters are named
    `layers.0.weight`, `layers.0.bias`, ...

    Args:
        sizes: input size, hidden sizes..., output size (at least two numbers).
        activation: activation after each hidden layer (name, Module or function).
        output_activation: activation after the last layer (None: raw outputs).
        dropout: dropout probability after each hidden activation (0: none).
        batch_norm: BatchNorm1d before each hidden activation.
        rng: generator for the initial weights and dropout masks (an
            `autograd.Generator`, by default `autograd.default_generator`, or a
            `numpy.random.Generator`).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: ActivationLike = "relu",
        output_activation: ActivationLike = None,
        dropout: float = 0.0,
        batch_norm: bool = False,
        rng: init.Rng = None,
    ) -> None:
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2 or any(not isinstance(n, int) or n < 1 for n in sizes):
            raise ValueError(f"MLP: sizes must be two or more positive ints, got {sizes}")
        self.sizes = sizes
        self.layers = Sequential()
        for n_in, n_out in pairwise(sizes[:-1]):
            self.layers.add(Linear(n_in, n_out, rng=rng))
            if batch_norm:
                self.layers.add(BatchNorm1d(n_out))
            self.layers.add(activations.get(activation))
            if dropout:
                self.layers.add(Dropout(dropout, rng=rng))
        self.layers.add(Linear(sizes[-2], sizes[-1], rng=rng))
        if output_activation is not None:
            self.layers.add(activations.get(output_activation))

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)
