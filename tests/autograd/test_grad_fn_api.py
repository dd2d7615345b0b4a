"""`grad_fn` as PyTorch shows it: `name()`, `next_functions` as (node, index) pairs with
an `AccumulateGrad` node (holding `variable`) for each leaf that requires grad, None for
a constant; walked the way torchviz and the 60-minute blitz walk it."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.tensor import hooked_tensors


def _walk(lib, root):
    """Every node from `root`'s grad_fn back to the leaves, as (name, [(input name,
    index), ...]) in the order a depth-first walk of `next_functions` meets them."""
    out, seen, stack = [], set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        pairs = [(None if n is None else n.name(), i) for n, i in node.next_functions]
        out.append((node.name(), pairs))
        stack.extend(n for n, _ in reversed(node.next_functions))
    return out


def _program(lib, a, b, c):
    return ((a * b).exp() + c.tanh() * 2.0).sum()


def _ours_named_as_torch(walk):
    """Our names in torch's spelling: torch numbers its backward nodes ("MulBackward0");
    and its AccumulateGrad is named with its C++ namespace."""

    def name(n):
        if n is None:
            return None
        return "torch::autograd::AccumulateGrad" if n == "AccumulateGrad" else n + "0"

    return [(name(n), [(name(m), i) for m, i in pairs]) for n, pairs in walk]


def test_next_functions_walk_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(2, 3)) for _ in range(3)]
    ours = [Tensor(a, requires_grad=i < 2) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i < 2) for i, a in enumerate(arrays)]
    ours_walk = _walk(autograd, _program(autograd, *ours))
    assert _ours_named_as_torch(ours_walk) == _walk(torch, _program(torch, *theirs))
    assert ours_walk[0] == ("SumBackward", [("AddBackward", 0)])


def test_accumulate_grad_node_is_the_leafs_while_held():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2 + x
    (mul, _), (acc, index) = y.grad_fn.next_functions
    assert (acc.variable is x, index, acc.next_functions, repr(acc)) == (
        True,
        0,
        (),
        "<AccumulateGrad>",
    )
    assert mul.next_functions[0][0] is acc  # one node per leaf, as in PyTorch
    assert mul.next_functions[1] == (None, 0)  # a constant
    assert y.grad_fn.parents() == (mul, x)


def test_accumulate_grad_node_does_not_keep_the_leaf_alive():
    x = Tensor([1.0], requires_grad=True)
    y = x * 2
    assert y.grad_fn.next_functions[0][0].variable is x  # a node nothing holds afterwards
    ref = weakref.ref(x)
    del x, y
    gc.collect()
    assert ref() is None


def test_blitz_prints_the_loss_and_its_first_nodes():
    """The 60-minute blitz's "Neural Networks": loss.grad_fn, then two steps back."""
    net = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    loss = nn.MSELoss()(net(autograd.ones(1, 3)), autograd.zeros(1, 2))
    assert repr(loss.grad_fn) == "<MseLossBackward>"  # torch: MseLossBackward0
    assert loss.grad_fn.next_functions[0][0].name() == "ReluBackward"
    assert loss.grad_fn.next_functions[1] == (None, 0)  # the target
    affine = loss.grad_fn.next_functions[0][0].next_functions[0][0]
    assert affine.name() == "AffineBackward"  # torch: AddmmBackward0 (one fused op here)
    leaves = {n.variable for n, _ in affine.next_functions if n is not None}
    assert leaves == set(net[0].parameters())


def test_custom_function_keeps_its_name_after_backward():
    class Cube(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g

    x = Tensor([1.0, 2.0], requires_grad=True)
    z = Cube.apply(x).sum()
    node = z.grad_fn.next_functions[0][0]
    assert node.name() == "CubeBackward"
    z.backward()
    assert node.name() == "CubeBackward"  # torch's name stays after backward frees it


def _node_hooks_program(lib, create_graph=False):
    """Tensor hooks, then a node's pre-hook, then its post-hook, as torch orders them;
    the pre-hook and the post-hook change the gradients."""
    x = lib.tensor([0.1, 0.2], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([0.5, -0.5], dtype=lib.float64, requires_grad=True)
    y = (x * w).exp()
    z = (y * 2).sum()
    log = []

    def pre(grad_outputs):
        log.append(("pre", [g.tolist() for g in grad_outputs]))
        return (grad_outputs[0] * 3,)

    def post(grad_inputs, grad_outputs):
        log.append(("post", [g.tolist() for g in grad_inputs], [g.tolist() for g in grad_outputs]))
        return (grad_inputs[0] * 10,)

    y.grad_fn.register_prehook(pre)
    y.grad_fn.register_hook(post)
    mul = y.grad_fn.next_functions[0][0]
    mul.register_hook(lambda gi, go: log.append(("mul", [g.tolist() for g in gi])))
    y.register_hook(lambda g: log.append(("tensor", g.tolist())))
    z.backward(create_graph=create_graph)
    return log, x.grad.tolist(), w.grad.tolist()


@pytest.mark.parametrize("create_graph", [False, True])
def test_node_hooks_match_torch(create_graph):
    torch = pytest.importorskip("torch")
    assert _node_hooks_program(autograd, create_graph) == _node_hooks_program(torch, create_graph)


def test_node_hook_sees_none_for_an_input_that_needs_no_gradient():
    torch = pytest.importorskip("torch")

    def program(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * lib.tensor([3.0, 4.0], dtype=lib.float64)
        seen = []
        y.grad_fn.register_hook(lambda gi, go: seen.append([g is None for g in gi]))
        y.sum().backward()
        return seen, x.grad.tolist()

    assert program(autograd) == program(torch) == ([[False, True]], [3.0, 4.0])


def test_removed_node_hooks_stop_and_leave_the_fast_walk():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    calls = []
    handle = y.grad_fn.register_prehook(lambda go: calls.append(1))
    with y.grad_fn.register_hook(lambda gi, go: calls.append(2)):
        assert id(y.grad_fn) in hooked_tensors
    handle.remove()
    assert id(y.grad_fn) not in hooked_tensors
    y.sum().backward()
    assert calls == []


def test_node_hook_errors_name_the_node():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match=r"ExpBackward returned .* tuple of 1 grad_inputs"):
        y.sum().backward()
    z = x * 2
    z.sum().backward()
    with pytest.raises(RuntimeError, match="MulBackward: backward already freed this node"):
        z.grad_fn.register_hook(lambda gi, go: None)


def test_a_dead_node_with_hooks_leaves_no_trace():
    x = Tensor([1.0], requires_grad=True)
    y = x.exp()
    y.grad_fn.register_hook(lambda gi, go: None)
    key = id(y.grad_fn)
    del y
    gc.collect()
    assert key not in hooked_tensors
