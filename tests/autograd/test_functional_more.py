"""`autograd.functional` with `strict=True`, tuple and single inputs and outputs,
`jacobian`'s strategies, and PyTorch's errors, compared with torch itself."""

from __future__ import annotations

import re
import types
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


def t64(lib: types.ModuleType, values: Any) -> Any:
    return lib.tensor(np.asarray(values, dtype=np.float64))


def x_(lib):
    return t64(lib, [1.0, 2.0])


def y_(lib):
    return t64(lib, [0.5, -1.0, 3.0])


def pair(lib):
    return (x_(lib), y_(lib))


def v_pair(lib):
    return (t64(lib, [1.0, 0.0]), t64(lib, [0.0, 1.0, 0.0]))


def ones(lib, n):
    return t64(lib, np.ones(n))


CALLS = {
    # values: zeros for inputs the outputs do not use, structures as torch's
    "jacobian unused": lambda F, L: F.jacobian(lambda a, b: a * 2, pair(L)),
    "jacobian constant": lambda F, L: F.jacobian(lambda a: L.ones(3, dtype=L.float64), x_(L)),
    "jacobian scalar output": lambda F, L: F.jacobian(lambda a: a.sum(), x_(L)),
    "jacobian forward-mode": lambda F, L: F.jacobian(
        lambda a: a**2, x_(L), vectorize=True, strategy="forward-mode"
    ),
    "hessian unused": lambda F, L: F.hessian(lambda a, b: (a**2).sum(), pair(L)),
    "hessian linear": lambda F, L: F.hessian(lambda a: a.sum(), x_(L)),
    "vjp unused": lambda F, L: F.vjp(lambda a, b: a * 2, pair(L), ones(L, 2)),
    "jvp tuple": lambda F, L: F.jvp(
        lambda a, b: (a.sum() * b, a * 2), pair(L), (ones(L, 2), t64(L, [1.0, 0, 0]))
    ),
    "hvp tuple": lambda F, L: F.hvp(lambda a, b: (a**2).sum() * b.sum(), pair(L), v_pair(L)),
    "vhp tuple": lambda F, L: F.vhp(lambda a, b: (a**2).sum() * b.sum(), pair(L), v_pair(L)),
    "vhp create_graph strict": lambda F, L: F.vhp(
        lambda a: (a**2).sum(), x_(L), t64(L, [1.0, 0.0]), strict=True, create_graph=True
    ),
    "hessian create_graph strict": lambda F, L: F.hessian(
        lambda a: (a**3).sum(), x_(L), strict=True, create_graph=True
    ),
    "jvp strict": lambda F, L: F.jvp(lambda a: a**2, x_(L), ones(L, 2), strict=True),
    # errors
    "jacobian list": lambda F, L: F.jacobian(lambda a, b: a * b.sum(), [x_(L), y_(L)]),
    "jacobian unused strict": lambda F, L: F.jacobian(lambda a, b: a * 2, pair(L), strict=True),
    "jacobian constant strict": lambda F, L: F.jacobian(
        lambda a: L.ones(3, dtype=L.float64), x_(L), strict=True
    ),
    "jacobian vectorize strict": lambda F, L: F.jacobian(
        lambda a: a**2, x_(L), vectorize=True, strict=True
    ),
    "jacobian forward-mode without vectorize": lambda F, L: F.jacobian(
        lambda a: a**2, x_(L), strategy="forward-mode"
    ),
    "jacobian forward-mode strict": lambda F, L: F.jacobian(
        lambda a: a**2, x_(L), strict=True, strategy="forward-mode"
    ),
    "jacobian forward-mode create_graph": lambda F, L: F.jacobian(
        lambda a: a**2, x_(L), create_graph=True, strategy="forward-mode"
    ),
    "jacobian bad strategy": lambda F, L: F.jacobian(lambda a: a**2, x_(L), strategy="foo"),
    "jacobian non-tensor output": lambda F, L: F.jacobian(lambda a: 3.0, x_(L)),
    "jacobian non-tensor input": lambda F, L: F.jacobian(lambda a: a, 3.0),
    "jacobian create_graph strict": lambda F, L: F.jacobian(
        lambda a: a * 2, x_(L), strict=True, create_graph=True
    ),
    "hessian non-scalar": lambda F, L: F.hessian(lambda a: a**2, x_(L)),
    "hessian tuple output": lambda F, L: F.hessian(lambda a: ((a**2).sum(),), x_(L)),
    "hessian unused strict": lambda F, L: F.hessian(
        lambda a, b: (a**2).sum(), pair(L), strict=True
    ),
    "hessian linear strict": lambda F, L: F.hessian(lambda a: a.sum(), x_(L), strict=True),
    "hessian bad strategy": lambda F, L: F.hessian(
        lambda a: a.sum(), x_(L), outer_jacobian_strategy="x"
    ),
    "vjp v None": lambda F, L: F.vjp(lambda a: a**2, x_(L)),
    "vjp v tuple length": lambda F, L: F.vjp(lambda a, b: (a * 2, b * 2), pair(L), (ones(L, 2),)),
    "vjp v not single": lambda F, L: F.vjp(lambda a: a * 2, x_(L), (ones(L, 2), ones(L, 1))),
    "vjp unused strict": lambda F, L: F.vjp(lambda a, b: a * 2, pair(L), ones(L, 2), strict=True),
    "vjp create_graph strict": lambda F, L: F.vjp(
        lambda a: a * 2, x_(L), ones(L, 2), strict=True, create_graph=True
    ),
    "jvp v None": lambda F, L: F.jvp(lambda a: a**2, x_(L)),
    "jvp v list": lambda F, L: F.jvp(lambda a: a * 2, x_(L), [ones(L, 2)]),
    "jvp unused strict": lambda F, L: F.jvp(
        lambda a, b: a * 2, pair(L), (ones(L, 2), t64(L, [1.0, 0, 0])), strict=True
    ),
    "jvp constant strict": lambda F, L: F.jvp(
        lambda a: L.ones(3, dtype=L.float64), x_(L), ones(L, 2), strict=True
    ),
    "hvp linear strict": lambda F, L: F.hvp(lambda a: a.sum(), x_(L), ones(L, 2), strict=True),
    "vhp linear strict": lambda F, L: F.vhp(lambda a: a.sum(), x_(L), ones(L, 2), strict=True),
    "hvp unused strict": lambda F, L: F.hvp(
        lambda a, b: (a**2).sum(), pair(L), v_pair(L), strict=True
    ),
    "hvp non-scalar": lambda F, L: F.hvp(lambda a: a**2, x_(L), ones(L, 2)),
    "vhp v None": lambda F, L: F.vhp(lambda a: (a**3).sum(), x_(L)),
}


def outcome(lib: types.ModuleType, name: str) -> Any:
    try:
        result = CALLS[name](lib.autograd.functional, lib)
    except Exception as err:  # the error is the result compared
        text = re.sub(r"torch\.Size\(\[([^\]]*)\]\)", lambda m: f"({m.group(1)},)", str(err))
        return type(err).__name__, text.replace("<class 'autograd.tensor.Tensor'>", "T")
    return values(result)


def values(result: Any) -> Any:
    if isinstance(result, tuple):
        return tuple(values(r) for r in result)
    return (
        tuple(result.shape),
        np.asarray(result.detach().numpy()).round(12).tolist(),
        result.requires_grad,
    )


@pytest.mark.parametrize("name", CALLS)
def test_functional_matches_torch(name):
    assert outcome(autograd, name) == outcome(torch, name)
