"""Semantics of the graph: accumulation, reuse, modes, hooks, freeing, higher order."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import autograd
from autograd import Tensor

pytestmark = pytest.mark.usefixtures("walk_kind")  # every test on both walks


def leaf(value, dtype=np.float64):
    return Tensor(np.asarray(value, dtype=dtype), requires_grad=True)


def test_scalar_expression_gradients():
    a, b, c = leaf(2.0), leaf(-3.0), leaf(10.0)
    d = a * b + c
    e = d * d
    e.backward()
    # e = (ab + c)^2: de/da = 2(ab + c) b
    assert a.grad.item() == pytest.approx(2 * 4.0 * -3.0)
    assert b.grad.item() == pytest.approx(2 * 4.0 * 2.0)
    assert c.grad.item() == pytest.approx(2 * 4.0)


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3 + 2, 3 + 4])
    assert x.grad is first  # accumulated in place


def test_accumulation_never_aliases_two_leaves():
    a, b = leaf([1.0, 1.0]), leaf([2.0, 2.0])
    (a + b).sum().backward()
    (a * 5).sum().backward()
    np.testing.assert_allclose(a.grad.data, [6, 6])
    np.testing.assert_allclose(b.grad.data, [1, 1])


def test_user_gradient_array_is_not_modified_by_accumulation():
    x = leaf([1.0, 2.0])
    g = np.array([1.0, 1.0])
    (x + 0).backward(g)
    (x + 0).backward(g)
    np.testing.assert_allclose(g, [1, 1])
    np.testing.assert_allclose(x.grad.data, [2, 2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_shared_scalar_seed_is_never_a_gradient(dtype):
    # backward() of a 0-d output starts from one shared, read-only 1: neither a leaf
    # root nor an op that passes dz through may keep it as (or write it into) .grad.
    x = Tensor(np.array(2.0, dtype), requires_grad=True)
    x.backward()
    assert x.grad.data.flags.writeable  # its own copy of the seed
    x.backward()
    (x + 0).backward()
    (x * 1).backward()
    assert x.grad.item() == 4 and x.grad.dtype == dtype
    x.grad.data += 1  # still the leaf's own, writable array
    y = Tensor(np.array(3.0, dtype), requires_grad=True)
    (y + 0).backward()
    assert y.grad.item() == 1


def test_diamond_and_reused_input():
    x = leaf(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad.item() == 7.0
    x.grad = None
    a = x * 2
    z = a * a + a.sin()  # two paths from a
    z.backward()
    assert x.grad.item() == pytest.approx(2 * (2 * 6.0 + np.cos(6.0)))


def test_no_grad_and_enable_grad():
    x = leaf(1.0)
    with autograd.no_grad():
        y = x * 2
        assert not autograd.is_grad_enabled()
        with autograd.enable_grad():
            z = x * 2
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @autograd.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad


def test_grad_modes_decorate_with_or_without_parentheses():
    x = leaf(1.0)

    @autograd.no_grad
    def doubled(t):
        """Twice t."""
        return t * 2

    @autograd.enable_grad
    def tripled(t):
        return t * 3

    assert doubled.__name__ == "doubled" and doubled.__doc__ == "Twice t."
    assert not doubled(x).requires_grad
    with autograd.no_grad():
        assert tripled(x).requires_grad
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    with pytest.raises(TypeError, match="no_grad\\(\\) takes no arguments"):
        autograd.no_grad(3)
    with pytest.raises(TypeError, match="decorates a function"):
        autograd.set_grad_enabled(False)(3)


def test_detach_cuts_the_graph_and_shares_data():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = (d * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.data, d.data)


def test_second_backward_through_freed_graph_raises():
    x = leaf(2.0)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf(2.0)
    y = x.exp() * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * (np.exp(2) * 3))


def test_backward_of_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0])
    y = x * 2
    with pytest.raises(RuntimeError, match=r"not a scalar.*gradient="):
        y.backward()
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.data, [2, 20])
    with pytest.raises(ValueError, match="shape"):
        (x * 2).backward(np.ones(3))


def test_backward_without_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        Tensor([1.0]).sum().backward()


def test_requires_grad_needs_float():
    with pytest.raises(TypeError, match="float"):
        Tensor(np.array([1, 2]), requires_grad=True)


def test_hooks_see_and_replace_gradients():
    x = leaf([1.0, 2.0])
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g.data.copy()))
    handle = x.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_allclose(seen[0], [1, 1])
    np.testing.assert_allclose(x.grad.data, [30, 30])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3, 3])


def test_retain_grad_on_intermediate():
    x = leaf([1.0, 2.0])
    y = x * x
    y.retain_grad()
    z = (y * 2).sum()
    z.backward()
    np.testing.assert_allclose(y.grad.data, [2, 2])
    w = x * 4
    (w * 1).sum().backward()
    assert w.grad is None  # not retained unless asked


def test_retain_grad_without_requires_grad_raises_as_torch():
    """torch refuses retain_grad() on a tensor that gets no gradient (a one-hot input,
    a constant); silently accepting it would leave .grad None with no hint why."""
    torch = pytest.importorskip("torch")
    for lib in (autograd, torch):
        x = lib.ones(2, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="requires_grad=False"):
            x.retain_grad()
        w = lib.ones(2, dtype=lib.float64, requires_grad=True)
        w.retain_grad()  # a leaf that requires grad: fine, it keeps .grad anyway
        assert not w.retains_grad


def test_retain_grads_context_keeps_all():
    x = leaf([1.0, 2.0])
    with autograd.retain_grads():
        y = x.exp()
        z = (y * 2).sum()
        z.backward()
    np.testing.assert_allclose(y.grad.data, [2, 2])


def test_grad_returns_without_touching_dot_grad():
    x, y = leaf(2.0), leaf(5.0)
    z = x * x * 3
    (gx,) = autograd.grad(z, x)
    assert gx.item() == 12.0 and x.grad is None
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.grad(x * 2, [x, y])
    gx, gy = autograd.grad(x * 2, [x, y], allow_unused=True)
    assert gx.item() == 2.0 and gy is None


def test_grad_fills_retained_grads_as_torch():
    """torch's `retain_grad()` keeps the gradient that passes through the tensor under
    `grad()` too; leaves' `.grad` stay untouched."""
    torch = pytest.importorskip("torch")
    x, t = leaf(2.0), torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    h, th = x * 3, t * 3
    h.retain_grad()
    th.retain_grad()
    (gx,) = autograd.grad(h * h, x)
    (gt,) = torch.autograd.grad(th * th, t)
    assert gx.item() == gt.item() == 36.0
    assert h.grad.item() == th.grad.item() == 12.0
    assert x.grad is None and t.grad is None


def test_grad_with_respect_to_intermediate():
    x = leaf(3.0)
    h = x * 2
    out = h * h
    (gh,) = autograd.grad(out, h)
    assert gh.item() == 12.0


def test_second_derivatives_closed_forms():
    xs = np.array([-1.3, -0.2, 0.4, 1.7])

    def second(f):
        x = leaf(xs)
        (g,) = autograd.grad(f(x).sum(), x, create_graph=True)
        (h,) = autograd.grad(g.sum(), x)
        return h.data

    s = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(second(lambda x: x**3), 6 * xs)
    np.testing.assert_allclose(
        second(lambda x: x.tanh()), -2 * np.tanh(xs) * (1 - np.tanh(xs) ** 2)
    )
    np.testing.assert_allclose(second(lambda x: x.sigmoid()), s * (1 - s) * (1 - 2 * s))
    np.testing.assert_allclose(second(lambda x: x.exp() * x.sin()), 2 * np.exp(xs) * np.cos(xs))


def test_hessian_vector_product():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = leaf([1.0, -1.0])
    v = Tensor(np.array([0.5, 2.0]))
    f = 0.5 * (x @ (Tensor(a) @ x))  # Hessian is a
    (g,) = autograd.grad(f, x, create_graph=True)
    (hv,) = autograd.grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.data, a @ v.data)


def test_backward_create_graph_gives_differentiable_grad():
    x = leaf(2.0)
    y = x**3
    y.backward(create_graph=True)
    g = x.grad  # 3x^2, itself a graph
    assert g.requires_grad
    (d2,) = autograd.grad(g, x)
    assert d2.item() == pytest.approx(12.0)


def test_long_chain_has_no_recursion_limit():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_long_chain_is_freed_without_backward():
    x = leaf(1.0)
    first = x * 1.0
    probe = weakref.ref(first)
    y = first
    for _ in range(100_000):
        y = y * 1.0
    del first
    assert probe() is not None
    del y  # deallocating 100,000 nested nodes must not hit the recursion limit
    assert probe() is None


def test_item_assignment_on_a_leaf_that_requires_grad_is_refused_with_advice():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad.*no_grad.*where"):
        x[0] = 5.0
    assert x.data.tolist() == [1.0, 2.0] and x.version == 0


def test_large_graph_is_released_after_backward():
    x = leaf(np.ones(20_000))  # 160 kB per value: more than autograd.graph.KEEP_BYTES
    y = x.exp()
    saved = weakref.ref(y.data)  # an intermediate array that backward of Mul needs
    z = (y * 3).sum()
    del y
    gc.collect()
    assert saved() is not None  # held by the graph until backward
    z.backward()
    assert saved() is None  # released by backward, without waiting for z to go
    assert z.grad_fn.inputs is None
    # the structure stays: from the root back to the leaf, as PyTorch's next_functions
    ((mul, _),) = z.grad_fn.next_functions
    (exp, _), (const, _) = mul.next_functions
    assert exp.name() == "ExpBackward" and const is None
    ((node, index),) = exp.next_functions
    assert node.name() == "AccumulateGrad" and node.variable is x and index == 0
    assert exp.parents() == (x,)  # the same structure, as the walks read it


def test_small_graph_keeps_values_and_gradients_after_backward():
    x = leaf([1.0, 2.0])
    h = x.exp()
    z = (h * 3).sum()
    z.backward()
    mul = z.grad_fn.next_functions[0][0]
    assert mul.inputs[0] is h and h.grad is None  # .grad of a non-leaf stays None
    np.testing.assert_allclose(h.grad_fn.out_grad, [3.0, 3.0])
    np.testing.assert_allclose(mul.out_grad, [1.0, 1.0])
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        z.backward()  # kept for reading, not for a second pass


def test_kept_graph_is_released_when_its_root_is_dropped():
    gc.collect()
    gc.disable()
    try:
        x = leaf(np.ones(10))
        h = (x * 2).exp()
        probes = [weakref.ref(h), weakref.ref(h.grad_fn), weakref.ref(h.data)]
        out = (h + 1).sum()
        del h
        out.backward()
        assert all(p() is not None for p in probes)  # kept to be drawn
        del out
        assert all(p() is None for p in probes)  # freed by refcounting alone
    finally:
        gc.enable()


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = leaf(np.ones(10))
        h = (x * 2).exp()
        probe = weakref.ref(h)
        fn_probe = weakref.ref(h.grad_fn)
        out = (h + 1).sum()
        del h
        assert probe() is not None  # held by the graph
        del out
        assert probe() is None and fn_probe() is None  # freed by refcounting alone
    finally:
        gc.enable()


def test_float32_stays_float32_and_scalars_do_not_upcast():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (x * 2.5 + 1) / 3
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    assert Tensor([1, 2]).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64


def test_ndarray_on_the_left_uses_tensor_ops():
    x = leaf([1.0, 2.0])
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [3, 4])


def test_comparisons_return_bool_tensors_without_grad():
    x = leaf([1.0, 2.0, 3.0])
    m = x > 1.5
    assert m.dtype == bool and not m.requires_grad
    np.testing.assert_array_equal((x == 2.0).data, [False, True, False])


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_is_stable_at_large_inputs(op):
    x = leaf([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    y = getattr(x, op)(axis=1)
    assert np.isfinite(y.data).all()
    (y * Tensor(np.arange(y.size, dtype=np.float64).reshape(y.shape))).sum().backward()
    assert np.isfinite(x.grad.data).all()


def test_shape_errors_are_clear():
    with pytest.raises(ValueError, match=r"matmul shapes \(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"Add: .*broadcast.*\(2, 3\), \(4,\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        Tensor(np.ones((2, 3))).sum(axis=2)
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        Tensor(np.ones((2, 3)))[5]


def test_creation_functions():
    autograd.manual_seed(0)
    a = autograd.randn(2, 3)
    autograd.manual_seed(0)
    b = autograd.randn((2, 3))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == np.float32 and a.shape == (2, 3)
    assert autograd.zeros(2, requires_grad=True).requires_grad
    assert autograd.full((2, 2), 7.0).data.sum() == 28
    assert autograd.eye(3).data.trace() == 3
    np.testing.assert_array_equal(autograd.arange(4).data, [0, 1, 2, 3])
    t = autograd.tensor(np.ones(2))
    assert t.dtype == np.float64
    r = autograd.rand(100)
    assert 0 <= r.data.min() and r.data.max() < 1


def test_item_numpy_tolist_len_repr():
    x = Tensor([[1.0, 2.0]], requires_grad=True, name="x")
    assert len(x) == 1 and x.tolist() == [[1.0, 2.0]]
    assert np.asarray(x) is x.data
    assert "requires_grad=True" in repr(x) and "name='x'" in repr(x)
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    assert (x.sum()).item() == 3.0
    assert x.argmax() == 1


@pytest.mark.parametrize(
    ("target", "error", "match"),
    [
        (np.array([0, -1]), ValueError, "class index -1 is outside"),
        (np.array([0, 3], np.int32), ValueError, "class index 3 is outside"),
        (np.array([0, 3], np.uint8), ValueError, "class index 3 is outside"),
        (np.array([2, 255], np.uint8), ValueError, "class index 255 is outside"),
        (np.array([0, 70000], np.uint32), ValueError, "class index 70000 is outside"),
        (np.array([0, 3], np.uint64), ValueError, "class index 3 is outside"),
        (np.array([0, 2**64 - 1], np.uint64), ValueError, "is outside"),
        (np.array([[0], [3]], np.uint16), ValueError, r"target of shape \(2, 1\)"),
        (np.array([0, 1, 2]), ValueError, r"target of shape \(3,\)"),
        (np.array([0.0, 1.0]), TypeError, "integer class indices"),
    ],
)
def test_cross_entropy_rejects_bad_targets(target, error, match):
    logits = leaf(np.zeros((2, 3)))
    with pytest.raises(error, match=match):
        autograd.cross_entropy(logits, target)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint16, np.uint64])
def test_cross_entropy_takes_every_integer_dtype(dtype):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4))
    y = rng.integers(0, 4, size=(2, 3))
    expected = autograd.cross_entropy(leaf(x), y, reduction="none").data
    got = autograd.cross_entropy(leaf(x), y.astype(dtype), reduction="none").data
    np.testing.assert_array_equal(got, expected)


def test_cross_entropy_matches_log_softmax_formula():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5)) * 50
    y = np.array([4, 0, 2, 2])
    logp = x - x.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    expected = -logp[np.arange(4), y]
    got = autograd.cross_entropy(leaf(x), y, reduction="none").data
    np.testing.assert_allclose(got, expected)
    assert autograd.cross_entropy(leaf(x), y).item() == pytest.approx(expected.mean())


def test_backward_frees_each_op_as_soon_as_it_has_run(monkeypatch):
    monkeypatch.setattr(autograd.graph, "KEEP_BYTES", 0)  # as for a large graph
    # While the first op's backward runs, the later op's saved softmax is already gone,
    # yet an op whose output only its (freed) consumer held can still read its output.
    seen = {}

    class _Probe(autograd.Function):  # private: not registered as an op
        def forward(self, x):
            return x * 1.0

        def backward(self, dz, x):
            seen["later op freed"] = saved() is None
            return dz

    x = Tensor(np.array([[0.5, -1.0, 2.0]]), requires_grad=True)
    h = autograd.exp(_Probe.apply(x))  # Exp's backward reads its own output
    loss = autograd.cross_entropy(h, np.array([2]))
    saved = weakref.ref(loss.grad_fn.e)
    del h  # now only the cross entropy node holds exp's output
    loss.backward()
    assert seen == {"later op freed": True}
    p = np.exp(np.exp(x.data))
    p /= p.sum()
    expected = (p - [0, 0, 1]) * np.exp(x.data)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


@pytest.mark.parametrize("shared_first", [True, False])
def test_diamond_graph_sums_both_paths_before_the_shared_op(shared_first):
    # a feeds two branches that meet again: a's op must run once, after both
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    a = autograd.exp(x)
    b, c = (a * 2, autograd.sin(a)) if shared_first else (autograd.sin(a), a * 2)
    y = (b * c + a * a).sum()
    y.backward()
    e = np.exp(x.data)
    # y = sum(2 e sin(e) + e^2), dy/dx = (2 sin(e) + 2 e cos(e) + 2 e) e
    expected = (2 * np.sin(e) + 2 * e * np.cos(e) + 2 * e) * e
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_a_scalar_broadcast_over_a_batch_gets_a_0d_array_gradient():
    # numpy sums a vector into a scalar (np.float64), which an optimizer cannot update
    # in place: SGD's momentum buffer silently stopped following (the gradient was one)
    a = Tensor(np.float64(0.5), requires_grad=True)
    x = Tensor(np.array([1.0, 2.0, 3.0]))
    for make in (lambda: (a * x).sum(), lambda: (a + x).sum(), lambda: (x - a).mean()):
        a.grad = None
        make().backward()
        assert type(a.grad.data) is np.ndarray and a.grad.shape == ()
        (g,) = autograd.grad(make(), a)
        assert type(g.data) is np.ndarray
    a.grad.data[...] = 0  # writable in place, as zero_grad(set_to_none=False) does


def test_backward_inputs_and_several_roots_as_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([0.5, 3.0], dtype=lib.float64, requires_grad=True)
        y = (x * w).exp()
        z = (y * x).sum()
        z.backward(inputs=[w, w], retain_graph=True)  # a repeated input counts once
        first = (x.grad, w.grad.clone())
        lib.autograd.backward([z, y], grad_tensors=[None, lib.ones(2, dtype=lib.float64)], inputs=x)
        return first, x.grad, w.grad

    (none, w1), x2, w2 = run(autograd)
    (tnone, tw1), tx2, tw2 = run(torch)
    assert none is None and tnone is None
    for ours, theirs in [(w1, tw1), (x2, tx2), (w2, tw2)]:
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-14)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: (x * 2).sum().backward(inputs=[]),
        lambda lib, x: (x * 2).sum().backward(inputs=[lib.ones(2)]),
        lambda lib, x: lib.autograd.backward([(x * 2).sum(), x * 2]),
    ],
)
def test_backward_refuses_what_torch_refuses(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        call(torch, torch.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError):
        call(autograd, autograd.ones(2, requires_grad=True))


def test_materialize_grads_as_torch():
    torch = pytest.importorskip("torch")
    x, u = leaf([1.0, 2.0]), leaf([3.0])
    t, tu = (torch.tensor(a.data, requires_grad=True) for a in (x, u))
    gx, gu = autograd.grad((x * x).sum(), [x, u], materialize_grads=True)
    tgx, tgu = torch.autograd.grad((t * t).sum(), [t, tu], materialize_grads=True)
    np.testing.assert_array_equal(gu.data, tgu.numpy())
    np.testing.assert_array_equal(gx.data, tgx.numpy())
    with pytest.raises(ValueError):
        torch.autograd.grad((t * t).sum(), [t, tu], allow_unused=False, materialize_grads=True)
    with pytest.raises(ValueError, match="allow_unused"):
        autograd.grad((x * x).sum(), [x, u], allow_unused=False, materialize_grads=True)


def test_post_accumulate_grad_hook_sees_the_total_as_torch():
    torch = pytest.importorskip("torch")
    seen: dict[str, list] = {"ours": [], "theirs": []}
    x = leaf([1.0, 2.0])
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda p: seen["ours"].append(p.grad.data.copy()))
    t.register_post_accumulate_grad_hook(lambda p: seen["theirs"].append(p.grad.numpy().copy()))
    x.register_hook(lambda g: g * 3)  # a gradient hook runs before, on the gradient
    t.register_hook(lambda g: g * 3)
    for _ in range(2):  # the second pass sees the accumulated total
        (x * x).sum().backward()
        (t * t).sum().backward()
    autograd.grad((x * x).sum(), x)  # grad() accumulates nothing: no call
    torch.autograd.grad((t * t).sum(), t)
    assert len(seen["ours"]) == len(seen["theirs"]) == 2
    for a, b in zip(seen["ours"], seen["theirs"]):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(RuntimeError):
        (t * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError):
        torch.ones(1).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.ones(1).register_post_accumulate_grad_hook(print)


def test_an_op_leaves_the_collector_four_objects_and_no_reference_to_its_output():
    # Tensor, Function, its inputs tuple and its next_functions list: a scalar graph's
    # cost with the garbage collector on grows with every object a node adds (its
    # output is lent to backward, not held; a weak reference is made on release only)
    x, w, b = leaf(1.5), leaf(1.001), leaf(0.5)
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        y = x
        for _ in range(1000):
            y = y * w + b
        per_op = (len(gc.get_objects()) - before) / 2000
    finally:
        gc.enable()
    assert per_op <= 4.01, per_op
    assert not any(r is y for r in gc.get_referents(y.grad_fn))
    z = (y * 1e-3).exp()  # Exp reads its output in backward, lent to it by the walk
    z.backward()
    assert autograd.mode.state.output is None and np.isfinite(x.grad.item())
    assert not any(r is z for r in gc.get_referents(z.grad_fn))


def test_a_released_op_keeps_a_reference_to_its_output_only_if_something_holds_it(
    monkeypatch, walk_kind
):
    monkeypatch.setattr(autograd.graph, "KEEP_BYTES", 0)  # release every op as it passes
    x, w = leaf(1.5), leaf(0.999)
    held = x * w
    y = held
    for _ in range(50):
        y = y * w
    z = y.exp()
    z.backward()
    # a drawing can still show the tensors the user holds
    assert held.grad_fn._out_ref() is held and y.grad_fn._out_ref() is y
    fn, unheld = y.grad_fn.parents()[0], 0
    while fn is not held.grad_fn:
        unheld += getattr(fn, "_out_ref", None) is None
        fn = fn.parents()[0]
    # the fast walk leaves nothing for outputs nothing else held (the reference walk
    # keeps a weak reference for every op it releases: the rule stated simply)
    assert unheld == (49 if walk_kind == "fast" else 0)
