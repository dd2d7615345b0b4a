"""Keras's softmax shortcut: a crossentropy finds the logits of a softmax output.

A network ending in a softmax, scored with a crossentropy on its probabilities,
computes -log(softmax(z)[y]). Taking the log of a probability loses everything once
it underflows (Keras clips it to 1e-7, so a saturated wrong answer costs 16.1 rather
than its true -log_softmax(z)[y]), and the gradient takes a detour through the
softmax. As in Keras, the softmax layer (`nn.Softmax`, or `Dense(...,
activation="softmax")`) remembers the logits of each output it makes (`softmax`), and
the Keras crossentropies on probabilities use them when they are there (`logits_of`):
the value is -log_softmax(z)[y], the gradient the exact softmax(z) - onehot(y).

Because the shortcut lives in the activation and the loss, `fit`, `evaluate`, the
`val_loss` of `fit`, and a hand-written loop (`loss_fn(y, model(x))`, Keras's loss
objects taking the targets first) all run the same code and report the same numbers.
"""

from __future__ import annotations

import weakref

import autograd
from autograd import Tensor

#: id(probabilities) -> (weak reference to them, the logits they came from). An
#: entry leaves when its probabilities are freed.
_logits: dict[int, tuple[weakref.ref, Tensor]] = {}


def softmax(z: Tensor, axis: int = -1) -> Tensor:
    """softmax(z) along `axis`, remembering z when `axis` is the last one."""
    p = autograd.softmax(z, axis)
    if axis == -1 or axis == p.ndim - 1:
        key = id(p)
        _logits[key] = (weakref.ref(p, lambda _: _logits.pop(key, None)), z)
    return p


def logits_of(p: Tensor) -> Tensor | None:
    """The logits a softmax layer computed `p` from (softmax over the last axis), or None."""
    entry = _logits.get(id(p))
    if entry is None or entry[0]() is not p:
        return None
    return entry[1]
