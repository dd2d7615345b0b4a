"""The fast path of backward against the reference walk, on random graphs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, fastpath, graph

SHAPES = [(2, 3), (3,), (1, 3), (2, 1), ()]
#: Shapes that broadcast to the empty (0, 3): a gradient of an input stretched along a
#: length-1 axis has as many elements (none) and as many axes as the input itself.
EMPTY_SHAPES = [(0, 3), (0, 1), (1, 3), (1, 1), (3,), ()]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1),
    lambda a, b: autograd.maximum(a, b),
]
UNARY = [
    lambda a: a.tanh(),
    lambda a: a.sin(),
    lambda a: a.relu(),
    lambda a: (a * 0.5).exp(),
    lambda a: a.sum(axis=-1, keepdims=True) if a.ndim else a * 3,
    lambda a: -a,
]


@st.composite
def graphs(draw, shapes=SHAPES):
    """A recipe: leaf shapes and a list of ops, each on earlier nodes (a random DAG)."""
    leaves = draw(st.lists(st.sampled_from(shapes), min_size=1, max_size=4))
    steps = []
    for i in range(draw(st.integers(1, 14))):
        n = len(leaves) + i
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(UNARY) - 1)), draw(st.integers(0, n - 1))))
        else:
            pair = (draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)))
            steps.append(("b", draw(st.integers(0, len(BINARY) - 1)), pair))
    return leaves, steps, draw(st.integers(0, 2**31 - 1)), draw(st.booleans())


def run(recipe, use_fast: bool, monkeypatch) -> list[np.ndarray | None]:
    leaves, steps, seed, twice = recipe
    rng = np.random.default_rng(seed)
    nodes = [Tensor(rng.normal(size=s), requires_grad=True) for s in leaves]
    for kind, op, args in steps:
        if kind == "u":
            nodes.append(UNARY[op](nodes[args]))
        else:
            nodes.append(BINARY[op](nodes[args[0]], nodes[args[1]]))
    root = sum(n.sum() for n in nodes[len(leaves) :])  # every op reaches the root
    calls = []
    with monkeypatch.context() as m:
        if use_fast:

            def fast(*args):
                calls.append(1)
                fastpath.backward_fast(*args)

            m.setattr(graph, "backward_fast", fast)
        else:
            m.setattr(graph, "backward_fast", lambda r, s, keep: graph.walk([r], [s], keep, False))
        root.backward(retain_graph=twice)
        if twice:  # a second pass accumulates into the .grad of the first
            root.backward()
    assert not use_fast or calls  # the fast path really ran
    return [None if n.grad is None else n.grad.data for n in nodes[: len(leaves)]]


def agree(recipe) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast = run(recipe, True, monkeypatch)
        reference = run(recipe, False, monkeypatch)
    for f, r, shape in zip(fast, reference, recipe[0]):
        assert (f is None) == (r is None)
        if f is not None:
            assert f.shape == r.shape == shape and f.dtype == r.dtype
            np.testing.assert_allclose(f, r, rtol=1e-12, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_fast_path_and_reference_walk_agree_on_random_graphs(recipe):
    agree(recipe)


@settings(max_examples=80, deadline=None)
@given(graphs(EMPTY_SHAPES))
def test_the_walks_agree_on_empty_tensors_broadcast_along_length_1_axes(recipe):
    agree(recipe)


@pytest.mark.parametrize(
    ("a", "b"), [((3, 1), (1, 0)), ((0, 1), (1, 4)), ((5,), (0, 1)), ((2, 1, 3), (1, 0, 1))]
)
def test_an_empty_operand_broadcast_along_a_length_1_axis_gets_a_gradient_of_its_shape(a, b):
    x, y = Tensor(np.ones(a), requires_grad=True), Tensor(np.ones(b), requires_grad=True)
    (x * y + y).sum().backward()
    assert x.grad.shape == a and y.grad.shape == b
    assert not x.grad.data.any()  # x meets only empty products


def test_backward_takes_the_fast_path_only_when_its_preconditions_hold(monkeypatch):
    calls = []
    monkeypatch.setattr(graph, "backward_fast", lambda *a: calls.append(a[0]))
    x = Tensor(np.ones(3), requires_grad=True)
    (x * 2).sum().backward()
    assert len(calls) == 1
    (x * 2).sum().backward(create_graph=True)
    with autograd.retain_grads():
        (x * 2).sum().backward()
    handle = x.register_hook(lambda g: g)
    (x * 2).sum().backward()
    assert len(calls) == 1  # none of the three took it
    handle.remove()
    (x * 2).sum().backward()
    assert len(calls) == 2
