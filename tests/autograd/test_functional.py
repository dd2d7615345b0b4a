"""`autograd.functional` (``torch.autograd.functional`` under ``import autograd as
torch``): Jacobians, Hessians and their vector products give torch's numbers, in
torch's structure, in float64."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


def t64(lib: types.ModuleType, values: Any, requires_grad: bool = False) -> Any:
    return lib.tensor(values, dtype=lib.float64, requires_grad=requires_grad)


def cubic(x):
    return (x**3).sum() + x[0] * x[1] * x[2]


def two_inputs(x, y):
    return (x.sin() * y.exp()).sum() + (x * x).sum() * y[0]


def squares_exp(x):
    return (x**2).exp()


def three_outputs(x, y):
    return (x * y[:2], y.sin(), x.sum() * y)


CASES = {
    "hvp": lambda F, lib: F.hvp(cubic, t64(lib, [1.0, 2, 3]), t64(lib, [1.0, 0, -1])),
    "vhp": lambda F, lib: F.vhp(cubic, t64(lib, [1.0, 2, 3]), t64(lib, [1.0, 0, -1])),
    "hvp of two inputs": lambda F, lib: F.hvp(
        two_inputs,
        (t64(lib, [1.0, 2]), t64(lib, [0.5, -1])),
        (t64(lib, [1.0, 0]), t64(lib, [2.0, 1])),
    ),
    "hessian": lambda F, lib: F.hessian(cubic, t64(lib, [1.0, 2, 3])),
    "hessian of two inputs": lambda F, lib: F.hessian(
        two_inputs, (t64(lib, [1.0, 2]), t64(lib, [0.5, -1]))
    ),
    "jacobian": lambda F, lib: F.jacobian(squares_exp, t64(lib, [[0.1, 0.2], [0.3, -0.4]])),
    "jacobian of tuples": lambda F, lib: F.jacobian(
        three_outputs, (t64(lib, [1.0, 2]), t64(lib, [0.5, -1, 3]))
    ),
    "jacobian with an unused input": lambda F, lib: F.jacobian(
        lambda x, y: x * 2, (t64(lib, [1.0, 2]), t64(lib, [3.0, 4]))
    ),
    "jacobian of a 0-d input": lambda F, lib: F.jacobian(lambda x: x**3, t64(lib, 2.0)),
    "vjp": lambda F, lib: F.vjp(squares_exp, t64(lib, [0.1, 0.2]), t64(lib, [1.0, 2])),
    "vjp of a scalar": lambda F, lib: F.vjp(cubic, t64(lib, [1.0, 2, 3])),
    "jvp": lambda F, lib: F.jvp(squares_exp, t64(lib, [0.1, 0.2]), t64(lib, [1.0, 2])),
    "jvp of tuples": lambda F, lib: F.jvp(
        three_outputs,
        (t64(lib, [1.0, 2]), t64(lib, [0.5, -1, 3])),
        (t64(lib, [1.0, 2]), t64(lib, [1.0, 1, 1])),
    ),
}


def plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return tuple(plain(v) for v in value)
    assert not value.requires_grad
    return np.array(value.detach().numpy())


def assert_same(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert_same(a, b)
    else:
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", CASES)
def test_functional_gives_torchs_numbers_and_structure(name):
    call = CASES[name]
    ours = call(autograd.autograd.functional, autograd)
    theirs = call(torch.autograd.functional, torch)
    assert_same(plain(ours), plain(theirs))


def test_hessian_with_create_graph_is_differentiable_as_torch():
    out = {}
    for lib in (autograd, torch):
        x = t64(lib, [1.0, 2.0], requires_grad=True)
        h = lib.autograd.functional.hessian(lambda z: (z**4).sum(), x, create_graph=True)
        h.sum().backward()
        out[lib.__name__] = (h.detach().numpy().copy(), x.grad.numpy().copy())
    for a, b in zip(out["autograd"], out["torch"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_functional_works_under_no_grad():
    with autograd.no_grad():
        _, hv = autograd.functional.hvp(
            cubic, t64(autograd, [1.0, 2, 3]), t64(autograd, [1.0, 0, -1])
        )
    np.testing.assert_allclose(hv.data, [4.0, 2.0, -16.0])


@pytest.mark.parametrize(
    "call",
    [
        lambda F, lib: F.hessian(squares_exp, t64(lib, [1.0, 2])),
        lambda F, lib: F.vjp(squares_exp, t64(lib, [0.1, 0.2]), t64(lib, [1.0, 2, 3])),
        lambda F, lib: F.vjp(squares_exp, t64(lib, [0.1, 0.2])),
    ],
)
def test_bad_calls_raise_runtime_errors_as_torch(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch.autograd.functional, torch)
    with pytest.raises(RuntimeError) as ours:
        call(autograd.functional, autograd)
    # the same words; torch prints a shape as torch.Size([2]), autograd as (2,)
    expected = (
        str(theirs.value).replace("torch.Size([3])", "(3,)").replace("torch.Size([2])", "(2,)")
    )
    assert str(ours.value) == expected
