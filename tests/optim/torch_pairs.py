"""A small model built twice, with gradwork and with torch, from the same weights in
float64, to run torch.optim's documented code on both and compare them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import autograd
import nn

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 4))
Y = RNG.normal(size=(16, 3))


@contextmanager
def float64(torch: Any) -> Iterator[None]:
    """Both libraries' default dtype float64 inside, restored after."""
    ours, theirs = autograd.get_default_dtype(), torch.get_default_dtype()
    autograd.set_default_dtype(np.float64)
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        autograd.set_default_dtype(ours)
        torch.set_default_dtype(theirs)


def net(lib: Any) -> Any:
    """A ``base`` layer and a ``classifier`` (the names of torch's docs), from `lib`'s
    nn (``nn`` or ``torch.nn``)."""

    class Net(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = lib.Linear(4, 8)
            self.classifier = lib.Linear(8, 3)

        def forward(self, x: Any) -> Any:
            return self.classifier(self.base(x).relu())

    return Net()


def pair(torch: Any) -> tuple[Any, Any]:
    """`net` in gradwork and in torch, with the same (gradwork's) initial weights."""
    ours, theirs = net(nn), net(torch.nn)
    copy_weights(ours, theirs, torch)
    return ours, theirs


def copy_weights(ours: Any, theirs: Any, torch: Any) -> None:
    state = {k: torch.tensor(np.array(v.data)) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


def loss(model: Any, lib: Any) -> Any:
    """The mean squared error on (X, Y); `lib` is ``autograd`` or ``torch``."""
    tensor = lib.Tensor if lib is autograd else lib.tensor
    d = model(tensor(X)) - tensor(Y)
    return (d * d).mean()


def train_step(model: Any, opt: Any, lib: Any) -> Any:
    """One documented training step: zero_grad, loss, backward, step (with a closure,
    so that LBFGS runs too). Returns the loss as a float."""

    def closure() -> Any:
        opt.zero_grad()
        value = loss(model, lib)
        value.backward()
        return value

    return float(opt.step(closure).item())


def assert_same_weights(ours: Any, theirs: Any, rtol: float = 1e-10) -> None:
    mine, expected = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert mine.keys() == expected.keys()
    for name, p in mine.items():
        np.testing.assert_allclose(
            p.data, expected[name].detach().numpy(), rtol=rtol, atol=1e-12, err_msg=name
        )
