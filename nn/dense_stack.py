"""`fit`'s fast path for the classic network: a stack of `Dense` layers.

`Sequential.fit` normally runs a training step through the graph: each layer's op
records itself, `loss.backward()` walks the recorded chain, and the optimizer reads
each parameter's `.grad`. For a stack of Dense layers that chain is the same at every
step, so `DenseStackStep` computes the layers' arrays straight through instead,
forward then backward, with no Tensors, graph or walk for them: a few microseconds of
bookkeeping per layer rather than tens (about a third of a 784-64-10 step at batch 32).
The loss is not written again here: it runs as in the plain step, recorded, on the
last layer's output made a leaf, and its `backward()` gives the gradient the layers
start from; for the classic loss, Keras's sparse crossentropy (mean, no weights) on a
softmax or on logits, the `Softmax` and `SoftmaxCrossEntropy` ops' own `forward` and
`backward` are called on the arrays instead, without recording. The arrays are those
of the plain step, computed by the same numpy calls in the same order, so weights,
losses and metrics are equal bit for bit (`tests/nn/test_dense_stack.py` trains both
ways and compares); `zero_grad()` and the optimizer's `step()` are the same calls, at
the same points of the step.

The math, for layers a_0 = x, z_k = a_(k-1) @ W_k + b_k, a_k = f_k(z_k), and the
gradient dL/da_last the loss gives:

    dz_k = dL/da_k * f_k'(z_k)        (f_k' read from a_k, as the fused ops do)
    dL/dW_k = a_(k-1).T @ dz_k      dL/db_k = sum over rows of dz_k
    dL/da_(k-1) = dz_k @ W_k.T

Preconditions, checked by `DenseStackStep.build` (None unless all hold; `fit` asks
at the start of each epoch, so a change made by a callback within an epoch, such as
a layer frozen, takes effect at the next one; Keras needs a new `compile`):

- the model is an `nn.Sequential` (the class itself) holding only `nn.Dense` layers
  (the class itself), all built, with no forward hooks and no regularizers;
- each activation but the last is `Identity`, `ReLU`, `Sigmoid` or `Tanh` (the ones
  the Dense op applies itself) without hooks; the last may be any module (a softmax:
  it runs recorded, with the loss);
- every weight is a leaf that requires grad, and all share one float dtype.

And per batch, checked by `gradients` before it changes anything (None: `fit` runs
the plain step): grad mode is on and x is a 2-d array of the weights' dtype and width;
and the loss depends on the model's output.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.function import scalar_array
from autograd.graph import accumulate
from autograd.mode import state
from autograd.ops.elementwise import FUSABLE
from autograd.ops.layers import SoftmaxCrossEntropy
from autograd.ops.reduce import Softmax
from nn import activations
from nn.fit_data import weighted_loss
from nn.layers import Dense
from nn.losses import SparseCategoricalCrossentropy
from nn.module import has_hooks

#: (the loss, the model's output, [(weight, its gradient), ...]) of one batch
Gradients = tuple[float, np.ndarray, list[tuple[Tensor, np.ndarray]]]

#: False turns the fast path off (`fit` then always runs the plain step).
ENABLED = True

_sum = np.add.reduce
_make = Tensor._make


class DenseStackStep:
    """One training step of a Dense stack: forward, loss, gradients into `.grad`,
    `optimizer.step()`; see the module docstring."""

    def __init__(
        self, layers: list[tuple[Tensor, Tensor | None, str | None]], last: Any, sparse: Any
    ) -> None:
        self.layers = layers  # (kernel (in, out), bias or None, "relu"/"sigmoid"/"tanh"/None)
        self.last = last  # the last activation when not applied by the Dense op, or None
        self.dtype = layers[0][0].data.dtype
        self.classes = layers[-1][0].shape[1]
        self.sparse = sparse  # the loss is the sparse crossentropy (see `_sparse_loss`)

    @classmethod
    def build(cls, model: Any, loss: Any = None) -> DenseStackStep | None:
        """The fast step for `model` trained with `loss`, or None where a precondition
        fails (the module docstring lists them)."""
        from nn.sequential import Sequential  # (it imports the module that imports this one)

        if not ENABLED or type(model) is not Sequential or not _plain(model):
            return None
        modules = list(model._layers())
        if not modules or any(type(m) is not Dense or not _plain_dense(m) for m in modules):
            return None
        layers: list[tuple[Tensor, Tensor | None, str | None]] = []
        for layer in modules:
            act = layer.activation
            name = None if type(act) is activations.Identity else activations.fusable(act)
            if name is None and layer is not modules[-1] and not _plain_identity(act):
                return None
            layers.append((layer.weight, layer.bias, name))
        last = modules[-1].activation
        last = None if layers[-1][2] is not None or _plain_identity(last) else last
        if any(w.shape[1] != v.shape[0] for (w, _, _), (v, _, _) in itertools.pairwise(layers)):
            return None  # (the plain step explains the mismatch)
        weights = [t for layer in layers for t in layer[:2] if t is not None]
        dtype = weights[0].data.dtype
        if dtype.kind != "f" or any(
            t.grad_fn is not None or not t.requires_grad or t.data.dtype != dtype for t in weights
        ):
            return None
        return cls(layers, last, _sparse_crossentropy(loss, last, layers[-1][2]))

    def gradients(
        self, x: Any, y: Any, w: np.ndarray | None, loss_fn: Any, optimizer: Any
    ) -> Gradients | None:
        """Forward and backward on one batch with targets `y`, sample weights `w` (or
        None) and `fit`'s loss: (the loss, the model's output, each weight with its
        gradient), or None if the batch does not meet the preconditions or the loss
        does not depend on the output. As the plain step, it calls
        `optimizer.zero_grad()` between the loss and the backward pass (the old
        gradients are freed before the new ones are made); `step` applies them."""
        a = x.data if type(x) is Tensor else x
        if (
            not state.grad_enabled
            or type(a) is not np.ndarray
            or a.dtype != self.dtype
            or a.ndim != 2
            or a.shape[1] != self.layers[0][0].shape[0]
        ):
            return None
        # forward: the inputs of each layer, and each activation's output
        inputs, outputs = [], []
        for kernel, b, act in self.layers:
            inputs.append(a)
            z = a @ kernel.data
            if b is not None:
                z += b.data
            a = z if act is None else FUSABLE[act][0](z)
            outputs.append(a)
        done = self._sparse_loss(a, y) if self.sparse and w is None else None
        if done is None:
            done = self._recorded_loss(a, y, w, loss_fn)
            if done is None:
                return None
        loss, out, dz = done
        optimizer.zero_grad()
        # backward through the layers
        grads = []
        for k in range(len(self.layers) - 1, -1, -1):
            kernel, b, act = self.layers[k]
            if act is not None:
                dz = FUSABLE[act][1](dz, outputs[k])
            grads.append((kernel, inputs[k].T @ dz))
            if b is not None:
                grads.append((b, _sum(dz, 0)))
            if k:
                dz = dz @ kernel.data.T
        return loss, out, grads

    def _recorded_loss(
        self, a: np.ndarray, y: Any, w: np.ndarray | None, loss_fn: Any
    ) -> tuple[float, np.ndarray, np.ndarray] | None:
        """(the loss, the model's output, dL/d(last layer's output)), the loss and the
        last activation recorded on the output made a leaf; None if the loss does not
        depend on it."""
        leaf = _make(a)
        leaf.requires_grad = True
        out = leaf if self.last is None else self.last(leaf)
        loss = weighted_loss(loss_fn, out, y, w)
        loss.backward()
        if leaf.grad is None:  # (the plain step gives the weights no gradient)
            return None
        return float(loss.data), out.data, leaf.grad.data

    def _sparse_loss(self, z: np.ndarray, y: Any) -> tuple[float, np.ndarray, np.ndarray] | None:
        """As `_recorded_loss` for Keras's sparse crossentropy (mean, no weights) on
        softmax(z) or on the logits z, by the ops' own forward and backward (`Softmax`,
        `SoftmaxCrossEntropy`) called on the arrays; None, for the recorded loss to run
        and raise its error, unless y holds integer labels (n,) in [0, classes)."""
        if type(y) is not np.ndarray or y.dtype.kind not in "iu" or y.shape != z.shape[:1]:
            return None
        labels = y.astype(np.intp, copy=False)
        if not len(y) or labels.view(np.uintp).max() >= self.classes:
            return None
        ce = SoftmaxCrossEntropy()
        if self.sparse == "softmax":  # Keras's shortcut (`nn.softmax_logits`): the logits
            softmax = Softmax()
            out = softmax.forward(z, -1)
            if "max" not in softmax.__dict__:  # a row of infinite logits
                return None
            loss = ce.forward(z, labels, "mean", (_make(out), softmax.max, softmax.sum))
        else:
            out = z
            loss = ce.forward(z, labels, "mean")
        return float(loss), out, ce.backward(scalar_array(1, loss.dtype), z)

    @staticmethod
    def step(gradients: Gradients, optimizer: Any) -> tuple[float, np.ndarray]:
        """Give each weight its gradient (as backward would) and step the optimizer;
        returns (the loss, the model's output)."""
        loss, out, grads = gradients
        for t, g in grads:
            if t.grad is None:
                t.grad = _make(g)
            else:
                accumulate(t, g, False, owned=True)
        optimizer.step()
        return loss, out


def _plain(module: Any) -> bool:
    """No hooks: nothing needs to see the module's call."""
    return not has_hooks(module)


def _plain_dense(layer: Dense) -> bool:
    return (
        layer.built
        and _plain(layer)
        and layer.kernel_regularizer is None
        and layer.bias_regularizer is None
        and layer.activity_regularizer is None
    )


def _sparse_crossentropy(loss: Any, last: Any, fused: str | None) -> str | None:
    """ "softmax" for Keras's sparse crossentropy (mean) on a softmax over the last
    axis, "logits" for it from_logits after no activation; else None."""
    if type(loss) is not SparseCategoricalCrossentropy or not _plain(loss):
        return None
    if loss.reduction != "mean" or fused is not None:
        return None
    if loss.from_logits:
        return "logits" if last is None else None
    softmax = type(last) is activations.Softmax and _plain(last) and last.axis in (-1, 1)
    return "softmax" if softmax else None


def _plain_identity(act: Any) -> bool:
    return type(act) is activations.Identity and _plain(act)
