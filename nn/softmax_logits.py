"""Keras's softmax shortcut: train a softmax output from its logits.

A network ending in a softmax, trained with a crossentropy on its probabilities,
computes -log(softmax(z)[y]): a softmax, a log and an index, eight ops with the
Keras loss's normalizing and clipping. The same value is -log_softmax(z)[y], and its
gradient is simply softmax(z) - onehot(y). Keras spots a softmax output and uses the
logits; `fit` does the same with `softmax_logits`, so a training step runs one fused
op (`autograd.cross_entropy`) where the probability path runs eight, and never takes
the log of a probability that underflowed to 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, cross_entropy
from nn import functional as F
from nn import losses
from nn.activations import Softmax
from nn.layers import Dense
from nn.module import Module


def softmax_logits(model: Module, loss_fn: Any) -> tuple[Any, Any]:
    """For a Sequential ending in a softmax (a `Softmax` layer, or a `Dense` with
    activation "softmax") trained with a Keras crossentropy on probabilities: a
    function computing the logits (everything but that softmax) and the loss on them.
    (None, None) otherwise."""
    keras_ce = (losses.SparseCategoricalCrossentropy, losses.CategoricalCrossentropy)
    if not isinstance(loss_fn, keras_ce) or loss_fn.from_logits or loss_fn.reduction != "mean":
        return None, None
    if not hasattr(type(model), "__iter__"):
        return None, None
    *body, head = list(model)  # type: ignore[call-overload]
    if type(head) is Softmax and head.axis in (-1, 1):
        dense = None
    elif (
        isinstance(head, Dense)
        and type(head.activation) is Softmax
        and head.activation.axis in (-1, 1)
    ):
        dense = head
    else:
        return None, None

    def logits(x: Tensor) -> Tensor:
        for layer in body:
            x = layer(x)
        return x if dense is None else dense.pre_activation(x)

    if isinstance(loss_fn, losses.SparseCategoricalCrossentropy):
        return logits, cross_entropy
    return logits, cross_entropy_with_probabilities


def cross_entropy_with_probabilities(z: Tensor, y: Any) -> Tensor:
    """Cross entropy of logits with one-hot or probability rows (integer one-hot too)."""
    y = y.data if isinstance(y, Tensor) else y
    return F.cross_entropy(z, y.astype(z.dtype, copy=False))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
