"""The scalar path (`Function.scalars`) against the plain path on 0-d arrays.

Arithmetic on 0-d tensors hands numpy scalars to the ops that declare `scalars`; these
tests check that every such op computes exactly what it computes on 0-d arrays, that
a scalar graph's gradients are the same with the path on and off (and as PyTorch's),
and that scalars never leak out where an ndarray is expected.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, fastpath

SCALAR_OPS = sorted(
    (cls for cls in Function.registry.values() if cls.scalars), key=lambda c: c.__name__
)
VALUES = [0.0, -0.0, 1.0, -2.5, 3e-8, 7e30, -1e-300, math.inf, -math.inf, math.nan, 0.1]
DTYPES = [np.float32, np.float64]


def test_the_scalar_ops_are_the_arithmetic_operators():
    assert [c.__name__ for c in SCALAR_OPS] == ["Add", "Div", "Mul", "Neg", "Sub"]


def same(a, b) -> bool:
    """Equal to the last bit: dtype, value and sign of zero (a nan's sign bit and payload
    may differ: numpy's array loops and its scalar math make different nans of 0/0)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return bool(np.isnan(a) and np.isnan(b)) or a.tobytes() == b.tobytes()


def op_results(cls, operands, scalars: bool):
    """(output, gradients) of one op, run on numpy scalars or on 0-d arrays."""
    args = [x[()] if scalars else x for x in operands]
    fn = cls()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf and nan on purpose
        out = fn.forward(*args)
        fn.inputs = tuple(Tensor(x, requires_grad=True) for x in operands)
        dz = np.asarray(np.float32(1.5), out.dtype)
        grads = fn.backward(dz[()] if scalars else dz, *args)
    assert vars(fn) == {}  # saves nothing on itself: the walk does not empty its __dict__
    return out, grads if isinstance(grads, tuple) else (grads,)


@pytest.mark.parametrize("cls", SCALAR_OPS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtypes", list(itertools.product(DTYPES, repeat=2)), ids=str)
def test_each_scalar_op_computes_on_scalars_what_it_computes_on_0d_arrays(cls, dtypes):
    arity = 1 if cls.__name__ == "Neg" else 2
    for values in itertools.product(VALUES, repeat=arity):
        operands = [np.array(v, dtype=d) for v, d in zip(values, dtypes)]
        out_s, grads_s = op_results(cls, operands, scalars=True)
        out_a, grads_a = op_results(cls, operands, scalars=False)
        assert isinstance(out_s, np.generic), (cls, values)  # a numpy scalar, not a float
        assert same(out_s, out_a), (cls, values, out_s, out_a)
        for g_s, g_a in zip(grads_s, grads_a, strict=True):
            assert isinstance(g_s, np.generic), (cls, values)
            assert same(g_s, g_a), (cls, values, g_s, g_a)


def scalar_graph(dtype, make=None):
    """A small micrograd-style graph of 0-d tensors: a 2-3-1 neuron net and a hinge loss,
    with every scalar op, Python numbers, and ops that are not on the scalar path
    (tanh, relu) between them. Returns (leaves, loss)."""
    rng = np.random.default_rng(3)
    make = make or (lambda v: Tensor(np.asarray(v, dtype), requires_grad=True))
    w1 = [[make(v) for v in rng.uniform(-1, 1, 2)] for _ in range(3)]
    b1 = [make(v) for v in rng.uniform(-1, 1, 3)]
    w2 = [make(v) for v in rng.uniform(-1, 1, 3)]
    leaves = [*itertools.chain(*w1), *b1, *w2]
    losses = []
    for x, y in [((0.5, -1.5), 1.0), ((2.0, 0.25), -1.0), ((-0.75, 1.0), 1.0)]:
        h = [sum((wi * xi for wi, xi in zip(w, x)), b).tanh() for w, b in zip(w1, b1)]
        score = sum((wi * hi for wi, hi in zip(w2, h)), 0.0)
        losses.append((1 + -y * score).relu() / 2 - score * score / (h[0] * h[0] + 1))
    loss = sum(losses) * (1.0 / len(losses)) + 1e-2 * sum(p * p for p in leaves)
    return leaves, loss


def gradients(dtype, scalar_path: bool, monkeypatch) -> list[np.ndarray]:
    with monkeypatch.context() as m:
        if not scalar_path:
            for cls in SCALAR_OPS:
                m.setattr(cls, "scalars", False)
        leaves, loss = scalar_graph(dtype)
        loss.backward()
    grads = [p.grad.data for p in leaves]
    assert all(type(g) is np.ndarray and g.shape == () and g.dtype == dtype for g in grads)
    return grads


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_a_scalar_graph_has_the_same_gradients_with_the_path_on_and_off(dtype, monkeypatch):
    on = gradients(dtype, True, monkeypatch)
    off = gradients(dtype, False, monkeypatch)
    for a, b in zip(on, off, strict=True):
        assert same(a, b)


def test_a_scalar_graph_matches_torch():
    torch = pytest.importorskip("torch")
    leaves, loss = scalar_graph(np.float64)
    loss.backward()
    t_leaves, t_loss = scalar_graph(
        np.float64, make=lambda v: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
    )
    t_loss.backward()
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-13)
    for p, q in zip(leaves, t_leaves, strict=True):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_the_scalar_path_runs_and_hands_ops_numpy_scalars(monkeypatch):
    seen = []
    backward = autograd.ops.arith.Mul.backward

    def spy(self, dz, a, b):
        seen.append((type(dz), type(a), type(b)))
        return backward(self, dz, a, b)

    monkeypatch.setattr(autograd.ops.arith.Mul, "backward", spy)
    x = Tensor(np.float64(2.0), requires_grad=True)
    (x * 3.0 * x).backward()
    assert seen and all(kinds == (np.float64,) * 3 for kinds in seen)
    assert x.grad.item() == 12.0
    seen.clear()
    v = Tensor(np.ones(3), requires_grad=True)
    (v * x).sum().backward()  # a vector operand: the plain path, arrays
    assert seen == [(np.ndarray, np.ndarray, np.ndarray)]
    np.testing.assert_array_equal(x.grad.data, 15.0)


def spy_on(backward, seen):
    def spy(self, dz, *inputs):
        seen.append(type(dz))
        return backward(self, dz, *inputs)

    return spy


def test_mixed_graphs_pass_scalar_gradients_back_into_arrays(monkeypatch):
    """A 0-d result of a reduction feeds scalar ops, whose scalar gradient must come
    back to the reduction's backward as an array."""
    seen = []
    for cls in (autograd.ops.reduce.Sum, autograd.ops.elementwise.Tanh):
        monkeypatch.setattr(cls, "backward", spy_on(cls.backward, seen))
    x = Tensor(np.float64(0.25), requires_grad=True)
    ((x * 2.0).tanh() * x.sum()).backward()
    assert seen == [np.ndarray, np.ndarray]
    v = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    s = Tensor(np.float64(0.5), requires_grad=True)
    total = v.sum() * s - v.max() / s + (v * s).mean()
    total.backward()
    np.testing.assert_allclose(v.grad.data, [0.5 + 0.5 / 3, 0.5 + 0.5 / 3, 0.5 - 2 + 0.5 / 3])
    np.testing.assert_allclose(s.grad.data, 2.0 + 3.0 / 0.25 + 2.0 / 3)
    assert type(v.grad.data) is np.ndarray and type(s.grad.data) is np.ndarray


def test_scalar_gradients_of_a_float32_leaf_keep_its_dtype_and_accumulate():
    x = Tensor(np.float32(1.5), requires_grad=True)
    c = Tensor(np.float64(2.0))  # two 0-d operands: numpy's widest dtype, as torch
    y = x * c + x * x
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float32 and x.grad.item() == 5.0
    (x * 4.0).backward()  # a second backward adds into the same .grad
    assert x.grad.dtype == np.float32 and x.grad.item() == 9.0


def test_a_leaf_grad_that_is_read_only_or_in_a_graph_is_replaced_not_written():
    x = Tensor(np.float64(3.0), requires_grad=True)
    frozen = np.array(1.0)
    frozen.flags.writeable = False
    x.grad = Tensor(frozen)
    (x * x).backward()
    assert x.grad.item() == 7.0 and frozen == 1.0
    (x * x).backward(create_graph=True)  # .grad now has a graph of its own
    assert x.grad.grad_fn is not None
    before = x.grad
    (x * 2.0).backward()
    assert x.grad.item() == 15.0 and before.item() == 13.0


def test_a_small_scalar_graph_keeps_its_gradients_as_arrays_for_drawing():
    a = Tensor(np.float64(2.0), requires_grad=True, name="a")
    b = Tensor(np.float64(-3.0), requires_grad=True, name="b")
    e = a * b
    d = e + 10.0
    loss = d * d
    loss.backward()
    for t, expected in [(e, 2 * 4.0), (d, 2 * 4.0), (loss, 1.0)]:
        kept = t.grad_fn.out_grad
        assert type(kept) is np.ndarray and kept == expected
    source = autograd.viz.draw_graph(loss).source
    assert source.count(">grad 8<") == 2 and ">grad -24<" in source and ">grad 16<" in source


def test_a_second_backward_through_a_released_scalar_graph_raises():
    xs = [Tensor(np.float64(i), requires_grad=True) for i in range(1200)]
    total = sum(x * x for x in xs)  # past graph.KEEP_NODES: released as it goes
    total.backward()
    assert xs[5].grad.item() == 10.0
    with pytest.raises(RuntimeError, match="already used"):
        total.backward()


def test_backward_fast_is_what_ran(monkeypatch):
    calls = []
    fast = fastpath.backward_fast
    monkeypatch.setattr(autograd.graph, "backward_fast", lambda *a: calls.append(fast(*a)))
    x = Tensor(np.float64(2.0), requires_grad=True)
    (x * x).backward()
    assert calls and x.grad.item() == 4.0
