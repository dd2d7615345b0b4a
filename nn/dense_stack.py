"""`fit`'s fast path for the classic network: a stack of `Dense` layers trained on
integer labels with the sparse categorical crossentropy.

`Sequential.fit` normally runs a training step through the graph: each layer's op
records itself, `loss.backward()` walks the recorded chain, and the optimizer reads
each parameter's `.grad`. For a stack of Dense layers that chain is the same at every
step, so `DenseStackStep` computes its arrays straight through instead, forward then
backward, with no Tensors, no graph and no walk: a few microseconds of bookkeeping per
layer rather than tens (about a third of a 784-64-10 step at batch 32). The arrays
are those of the plain step, computed by the same numpy calls in the same order, so
the weights, losses and metrics are equal bit for bit (`tests/nn/test_dense_stack.py`
trains both ways and compares); the optimizer's `step()` is the same call.

The math, for layers a_0 = x, z_k = a_(k-1) @ W_k + b_k, a_k = f_k(z_k), and the mean
crossentropy L = mean_i(log sum_j exp(z_ij) - z_i,y_i) of the last layer's z:

    dL/dz_last = (softmax(z_last) - onehot(y)) / n
    dL/dW_k = a_(k-1).T @ dz_k      dL/db_k = sum over rows of dz_k
    dL/da_(k-1) = dz_k @ W_k.T      dz_(k-1) = dL/da_(k-1) * f'(z_(k-1))

Preconditions, checked by `DenseStackStep.build` (None unless all hold; `fit` asks
at the start of each epoch, so a change made by a callback within an epoch, such as
a layer frozen, takes effect at the next one; Keras needs a new `compile`):

- the model is an `nn.Sequential` (the class itself) holding only `nn.Dense` layers
  (the class itself), all built, with no forward hooks and no regularizers;
- each layer's activation is `Identity`, `ReLU`, `Sigmoid` or `Tanh` without hooks
  (the last may instead be a `Softmax` over the last axis);
- every weight is a leaf that requires grad, and all share one float dtype;
- the loss is `losses.SparseCategoricalCrossentropy` (the class itself, Keras's
  "sparse_categorical_crossentropy"), reduction "mean", on the softmax's
  probabilities (from_logits=False after a Softmax) or on logits (from_logits=True
  after Identity).

And per batch, checked by `gradients` before it changes anything (None: `fit` runs the
plain step, which raises the plain step's error for bad input): grad mode is on, no
sample weights, a 2-d float x of the weights' dtype, integer labels of shape (n,) in
[0, classes), and (after a softmax) finite row maxima of the logits.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.graph import accumulate
from autograd.mode import state
from autograd.ops.elementwise import FUSABLE
from nn import activations
from nn.layers import Dense
from nn.losses import SparseCategoricalCrossentropy

#: (the loss, the model's output, [(weight, its gradient), ...]) of one batch
Gradients = tuple[float, np.ndarray, list[tuple[Tensor, np.ndarray]]]

#: False turns the fast path off (`fit` then always runs the plain step).
ENABLED = True

_sum = np.add.reduce
_make = Tensor._make


class DenseStackStep:
    """One training step of a Dense stack: forward, loss, gradients into `.grad`,
    `optimizer.step()`; see the module docstring."""

    def __init__(self, layers: list[tuple[Tensor, Tensor | None, str | None]], softmax: bool):
        self.layers = layers  # (kernel (in, out), bias or None, "relu"/"sigmoid"/"tanh"/None)
        self.softmax = softmax  # the last layer's activation is a softmax
        self.dtype = layers[0][0].data.dtype
        self.classes = layers[-1][0].shape[1]

    @classmethod
    def build(cls, model: Any, loss: Any) -> DenseStackStep | None:
        """The fast step for `model` trained with `loss`, or None where a precondition
        fails (the module docstring lists them)."""
        from nn.sequential import Sequential  # (it imports the module that imports this one)

        if not ENABLED or type(model) is not Sequential:
            return None
        if (
            type(loss) is not SparseCategoricalCrossentropy
            or loss.reduction != "mean"
            or not _plain(model)
            or not _plain(loss)
        ):
            return None
        modules = list(model._layers())
        if not modules or any(type(m) is not Dense or not _plain_dense(m) for m in modules):
            return None
        layers: list[tuple[Tensor, Tensor | None, str | None]] = []
        for i, layer in enumerate(modules):
            act = layer.activation
            last = i == len(modules) - 1
            if type(act) is activations.Identity and _plain(act):
                name = None
            else:
                name = activations.fusable(act)
                if name is None and not (last and _last_axis_softmax(act)):
                    return None
            layers.append((layer.weight, layer.bias, name))
        softmax = type(modules[-1].activation) is activations.Softmax
        if softmax == bool(loss.from_logits):  # probabilities after a softmax, else logits
            return None
        if any(w.shape[1] != v.shape[0] for (w, _, _), (v, _, _) in itertools.pairwise(layers)):
            return None  # (the plain step explains the mismatch)
        weights = [t for layer in layers for t in layer[:2] if t is not None]
        dtype = weights[0].data.dtype
        if dtype.kind != "f" or any(
            t.grad_fn is not None or not t.requires_grad or t.data.dtype != dtype for t in weights
        ):
            return None
        return cls(layers, softmax)

    def gradients(self, x: Any, y: Any) -> Gradients | None:
        """Forward and backward on one batch: (the loss, the model's output, each
        weight with its gradient), or None if the batch does not meet the
        preconditions. Changes nothing: `step` applies the gradients."""
        a = x.data if type(x) is Tensor else x
        if (
            not state.grad_enabled
            or type(a) is not np.ndarray
            or a.dtype != self.dtype
            or a.ndim != 2
            or a.shape[1] != self.layers[0][0].shape[0]
            or type(y) is not np.ndarray
            or y.dtype.kind not in "iu"
            or y.shape != a.shape[:1]
        ):
            return None
        n = len(y)
        labels = y.astype(np.intp, copy=False)
        if not n or labels.view(np.uintp).max() >= self.classes:
            return None
        # forward: the inputs of each layer, and each activation's output
        inputs, outputs = [], []
        for w, b, act in self.layers:
            inputs.append(a)
            z = a @ w.data
            if b is not None:
                z += b.data
            a = z if act is None else FUSABLE[act][0](z)
            outputs.append(a)
        logits = a
        rows = np.arange(n)
        if self.softmax:  # the Softmax op, then the crossentropy reusing its max and sums
            top = logits.max(axis=1, keepdims=True)
            if not np.isfinite(top).all():
                return None
            out = np.exp(logits - top)
            s = out.sum(axis=1, keepdims=True)
            out /= s
            top, s = top.reshape(n), s.reshape(n)
        else:  # the crossentropy of logits: its own row maxima and sums
            top = logits.reshape(-1)[logits.argmax(axis=1) + rows * self.classes]
            e = np.exp(logits - top.reshape(n, 1))
            s = _sum(e, 1)
            out = logits
        picked = logits[rows, labels]
        picked -= top
        losses = np.log(s)
        losses -= picked
        loss = _sum(losses) * (1.0 / n)
        # backward: dL/dz of the last layer, softmax(z) - onehot(y), over n
        scale = 1.0 / n  # the seed, 1, as a Python number (as the loss op's backward)
        dz = out * scale if self.softmax else e * (scale / s.reshape(n, 1))
        dz.reshape(-1)[rows * self.classes + labels] -= scale
        grads = []
        for k in range(len(self.layers) - 1, -1, -1):
            w, b, act = self.layers[k]
            if act is not None:
                dz = FUSABLE[act][1](dz, outputs[k])
            grads.append((w, inputs[k].T @ dz))
            if b is not None:
                grads.append((b, _sum(dz, 0)))
            if k:
                dz = dz @ w.data.T
        return float(loss), out, grads

    @staticmethod
    def step(gradients: Gradients, optimizer: Any) -> tuple[float, np.ndarray]:
        """Give each weight its gradient (as backward would, after `zero_grad()`) and
        step the optimizer; returns (the loss, the model's output)."""
        loss, out, grads = gradients
        optimizer.zero_grad()
        for t, g in grads:
            if t.grad is None:
                t.grad = _make(g)
            else:
                accumulate(t, g, False, owned=True)
        optimizer.step()
        return loss, out


def _plain(module: Any) -> bool:
    """No forward hooks: nothing needs to see the module's call."""
    return not module._forward_pre_hooks and not module._forward_hooks


def _plain_dense(layer: Dense) -> bool:
    return (
        layer.built
        and _plain(layer)
        and layer.kernel_regularizer is None
        and layer.bias_regularizer is None
        and layer.activity_regularizer is None
    )


def _last_axis_softmax(act: Any) -> bool:
    return type(act) is activations.Softmax and _plain(act) and act.axis in (-1, 1)
