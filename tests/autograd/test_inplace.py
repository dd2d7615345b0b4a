"""In-place operators, version counters, and hooks that never alias."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

pytestmark = pytest.mark.usefixtures("walk_kind")  # every test on both walks


def leaf(value) -> Tensor:
    return Tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


def test_manual_sgd_loop_keeps_each_weight_the_same_leaf():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    w, b = leaf(np.zeros(3)), leaf(0.0)
    ids, data = (id(w), id(b)), w.data
    losses = []
    for _ in range(200):
        loss = ((x @ w + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        with autograd.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
        losses.append(loss.item())
    assert (id(w), id(b)) == ids and w.data is data  # same objects, same array
    assert w.is_leaf and w.requires_grad and b.is_leaf and b.requires_grad
    assert w.version == 200
    best = np.linalg.lstsq(np.c_[x, np.ones(20)], y, rcond=None)[0]
    np.testing.assert_allclose(np.r_[w.data, b.data], best, atol=1e-6)
    assert losses[-1] < losses[0]


def test_updating_data_with_a_tensor_operand_works_in_place():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    data = w.data
    w.data -= 0.5 * w.grad  # numpy's in-place operator with a Tensor on the right
    assert w.data is data and isinstance(w.data, np.ndarray)
    np.testing.assert_allclose(w.data, [0.0, 0.0])
    assert w.version == 0  # as in PyTorch, writing through .data is not tracked


def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad():
    w = leaf([1.0, 2.0])
    for update in ("__iadd__", "__isub__", "__imul__", "__itruediv__"):
        with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad.*no_grad"):
            getattr(w, update)(1.0)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])
    assert w.version == 0


def test_in_place_on_a_non_leaf_is_recorded():
    a = leaf([1.0, -2.0, 3.0])
    b = a * 2
    b += 1
    b *= a  # b = (2a + 1) * a, d/da = 4a + 1
    b -= a  # d/da = 4a
    b /= 2  # d/da = 2a
    b.sum().backward()
    np.testing.assert_allclose(b.data, ((2 * a.data + 1) * a.data - a.data) / 2)
    np.testing.assert_allclose(a.grad.data, 2 * a.data)


def test_in_place_on_a_constant_with_a_grad_operand_records_it():
    a = leaf([1.0, 2.0])
    total = Tensor(np.zeros(2))
    data = total.data
    total += a * a
    assert total.data is data and total.grad_fn is not None
    total.sum().backward()
    np.testing.assert_allclose(a.grad.data, 2 * a.data)


def test_recorded_in_place_leaves_earlier_uses_right():
    a = leaf([1.0, 2.0])
    b = a * 3
    c = b + 1  # Add reads no input value, so b may change afterwards
    b += 10
    (c.sum() + b.sum()).backward()
    np.testing.assert_allclose(a.grad.data, [6.0, 6.0])


def test_changing_a_saved_input_in_place_raises_naming_the_op():
    a = leaf([1.0, 2.0])
    b = a * 1
    c = (b * b).sum()
    with autograd.no_grad():
        b += 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Mul"):
        c.backward()


def test_changing_a_saved_output_in_place_raises_naming_the_op():
    x = leaf([0.5, 1.0])
    y = x.exp()  # Exp's backward reads its output
    with autograd.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Exp"):
        y.sum().backward()


def test_changing_an_input_that_backward_does_not_read_is_allowed():
    a = leaf([1.0, 2.0])
    b = a * 1
    c = (b + 5).sum()
    with autograd.no_grad():
        b += 1
    c.backward()
    np.testing.assert_allclose(a.grad.data, [1.0, 1.0])


# Views share their base's versions, as in PyTorch: each way of sharing memory, and a
# write through either side (the view, or the tensor it views).
VIEWS = {
    "slice": lambda b: b[0:2],
    "row": lambda b: b.reshape(2, 2)[1],
    "reshape": lambda b: b.reshape(2, 2),
    "transpose": lambda b: b.reshape(2, 2).T,
    "view of a view": lambda b: b.reshape(2, 2)[0],
    "detach": lambda b: b.detach(),
    "Tensor(t)": lambda b: Tensor(b),
}


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("write_through", ["view", "base"])
def test_writing_memory_shared_with_a_saved_tensor_raises(make, write_through):
    a = leaf([1.0, 2.0, 3.0, 4.0])
    b = a * 1
    view = make(b)
    c = (b * b).sum()  # Mul saves b
    with autograd.no_grad():
        if write_through == "view":
            view += 1
        else:
            b += 1
    assert view.version == b.version == 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Mul"):
        c.backward()


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
def test_writing_a_base_invalidates_ops_that_saved_its_view(make):
    a = leaf([1.0, 2.0, 3.0, 4.0])
    b = a * 1
    view, scale = make(b), leaf(3.0)
    c = (view * scale).sum()  # Mul saves the view (for scale's gradient)
    with autograd.no_grad():
        b *= 2
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Mul"):
        c.backward()


def test_sibling_views_share_versions():
    a = leaf([1.0, 2.0, 3.0, 4.0])
    b = a * 1
    first, second = b[0:2], b[1:3]
    c = (second * second).sum()
    with autograd.no_grad():
        first += 1  # b[1] is in both
    assert second.version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.backward()


def test_a_copy_is_not_a_view():
    a = leaf([1.0, 2.0, 3.0, 4.0])
    b = a * 1
    picked = b[[0, 2]]  # advanced indexing copies
    doubled = b * 2
    c = (b * b).sum()
    with autograd.no_grad():
        picked += 1
        doubled += 1
    assert b.version == 0
    c.backward()
    np.testing.assert_allclose(a.grad.data, [2.0, 4.0, 6.0, 8.0])


def test_recording_an_in_place_op_on_shared_memory_reaches_every_view():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (autograd, torch):
        a = lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([10.0, 20.0], dtype=lib.float64, requires_grad=True)
        b = a * 1
        view = b.reshape(2, 2)
        view += w  # recorded on b as well: b's later uses see w
        b *= 2  # and view's see this write
        (b * view.reshape(4)).sum().backward()
        results.append([b.tolist(), view.tolist(), a.grad.tolist(), w.grad.tolist()])
    assert results[0] == results[1]


def _keras_sgd(params):
    import nn

    opt = nn.optimizers.SGD(0.1)
    opt.build(params)
    return opt


@pytest.mark.parametrize("optimizer", ["optim.SGD", "optim.Adam", "nn.optimizers.SGD", "torch"])
def test_an_optimizer_step_counts_as_an_in_place_write(optimizer):
    import nn
    import optim

    if optimizer == "torch":
        torch = pytest.importorskip("torch")
        lib, x, make = torch.nn, torch.ones(4, 3), lambda p: torch.optim.SGD(p, lr=0.1)
    else:
        lib, x = nn, Tensor(np.ones((4, 3), np.float32))
        make = {
            "optim.SGD": lambda p: optim.SGD(p, lr=0.1),
            "optim.Adam": lambda p: optim.Adam(p, lr=0.1),
            "nn.optimizers.SGD": _keras_sgd,
        }[optimizer]
    model = lib.Sequential(lib.Linear(3, 4), lib.Tanh(), lib.Linear(4, 2))
    opt = make(model.parameters())
    loss = (model(x) ** 2).sum()  # the second Linear saves its weight (torch too)
    loss.backward(retain_graph=True)
    weight = model[2].weight
    before = weight._version
    opt.step()
    assert weight._version == before + 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace"):
        loss.backward()  # the weight it saved was updated


def test_a_product_checks_only_the_factors_its_gradients_read():
    torch = pytest.importorskip("torch")
    for lib, x, no_grad in (
        ("ours", leaf([1.0, 2.0]), autograd.no_grad),
        ("torch", torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True), torch.no_grad),
    ):
        b = x * 1
        y = (b * 2).sum()  # the gradient reads the 2, not b
        z = (b * b).sum()  # reads b
        with no_grad():
            b += 1
        y.backward()
        assert x.grad.tolist() == [2.0, 2.0], lib
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.backward()


def test_stepping_a_one_layer_model_between_backwards_is_allowed_as_in_torch():
    torch = pytest.importorskip("torch")
    import nn
    import optim

    state = {
        "weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 10,
        "bias": np.full(2, 0.5, np.float32),
    }
    x = np.ones((4, 3), np.float32)
    grads = []
    for lib in ("ours", "torch"):
        if lib == "ours":
            model, inputs = nn.Linear(3, 2), Tensor(x)
            model.load_state_dict(state)
            opt = optim.SGD(model.parameters(), lr=0.1)
        else:
            model, inputs = torch.nn.Linear(3, 2), torch.tensor(x)
            model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loss = (model(inputs) ** 2).sum()  # the weight's gradient reads x, not the weight
        loss.backward(retain_graph=True)
        opt.step()
        loss.backward()  # allowed: the weight changed, but no gradient reads it
        grads.append(np.array(model.weight.grad.tolist()))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_a_tensor_viewed_at_every_step_does_not_collect_dead_views():
    w = leaf(np.ones((3, 2)))
    for _ in range(10_000):
        (w.T * 2).sum()  # a view of w, dead at the end of the line
    assert len(w._family) <= 32
    alive = [w.T for _ in range(100)]
    with autograd.no_grad():
        w += 1
    assert {v.version for v in alive} == {1}


def test_view_versions_match_torch():
    torch = pytest.importorskip("torch")
    seen = []
    for t, no_grad in (
        (leaf([1.0, 2.0, 3.0, 4.0]) * 1, autograd.no_grad),
        (torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1, torch.no_grad),
    ):
        v, d, r = t[0:2], t.detach(), t.reshape(2, 2)
        other = t * 1  # its own memory
        with no_grad():
            v += 1
            d *= 2
        seen.append((v._version, d._version, r._version, t._version, other._version))
    assert seen[0] == seen[1] == (2, 2, 2, 2, 0)


def test_item_assignment_writes_where_pytorch_allows_it():
    x = Tensor(np.array([-1.0, 2.0, -3.0]))
    x[x < 0] = 0  # data preparation: nothing requires grad
    assert x.data.tolist() == [0.0, 2.0, 0.0] and x.version == 1
    x[Tensor(np.array([0, 2]))] = Tensor(np.array([5.0, 6.0]))
    assert x.data.tolist() == [5.0, 2.0, 6.0] and x.version == 2
    w = leaf(np.zeros((2, 3)))
    data = w.data
    with autograd.no_grad():
        w[0, 1] = 5.0
        w[1] -= 1  # a view of the row, written, then written back
    assert w.data is data and w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w.data.tolist() == [[0.0, 5.0, 0.0], [-1.0, -1.0, -1.0]]
    assert w.version == 3  # as in torch: the write, then the row's -= and its copy back


def test_item_assignment_on_a_leaf_or_its_view_that_requires_grad_raises():
    w = leaf([1.0, 2.0])
    for write in (lambda: w.__setitem__(0, 5.0), lambda: w[0].__iadd__(1.0)):
        with pytest.raises(RuntimeError, match=r"leaf tensor.*requires grad.*in-place"):
            write()
        assert w.data.tolist() == [1.0, 2.0] and w.version == 0 and w.is_leaf


def test_item_assignment_errors_name_shapes():
    x = Tensor(np.zeros(3))
    with pytest.raises(IndexError, match=r"shape \(3,\).*index 5 is out of bounds"):
        x[5] = 1.0
    with pytest.raises(ValueError, match=r"shape \(3,\).*value of shape \(4,\)"):
        x[:] = np.ones(4)
    assert x.version == 0


def test_an_integer_index_is_a_view_as_in_torch():
    torch = pytest.importorskip("torch")
    seen = []
    for b, no_grad in (
        (leaf([1.0, 2.0, 3.0]) * 1, autograd.no_grad),
        (torch.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1, torch.no_grad),
    ):
        v = b[1]
        with no_grad():
            v += 10
            b[0] = 7
            b[2] -= 1
        seen.append((b.tolist(), v.tolist(), v._version, b._version))
    assert seen[0] == seen[1] == ([7.0, 12.0, 2.0], 12.0, 4, 4)


def test_in_place_shape_and_dtype_errors_are_clear():
    t = Tensor(np.zeros(3))
    with pytest.raises(ValueError, match=r"in-place \+= on a tensor of shape \(3,\)"):
        t += np.ones((2, 3))
    i = Tensor(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match=r"in-place \*="):
        i *= 0.5
    a = leaf([1.0, 2.0])
    b = a * 1
    with pytest.raises(ValueError, match="cannot broadcast"):
        b += a.reshape(2, 1)


def test_no_grad_in_place_keeps_dtype_and_tracks_the_version():
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    with autograd.no_grad():
        w *= np.float64(0.5)
        w /= 2
    assert w.dtype == np.float32 and w.version == 2
    np.testing.assert_allclose(w.data, 0.25)


def test_ndarray_operators_with_a_tensor_still_give_tensors():
    x = leaf([1.0, 2.0])
    y = np.array([3.0, 4.0]) * x - np.array([1.0, 1.0])
    assert isinstance(y, Tensor) and y.grad_fn is not None
    assert isinstance(np.array([1.5, 1.5]) < x, Tensor)
    with pytest.raises(TypeError):
        np.exp(x)


def test_a_hooks_returned_tensor_is_never_written_into():
    x = leaf([1.0, 2.0])
    fixed = Tensor(np.array([10.0, 20.0]))
    x.register_hook(lambda g: fixed)
    for _ in range(3):
        (x * 3).sum().backward()
    np.testing.assert_array_equal(fixed.data, [10.0, 20.0])
    np.testing.assert_array_equal(x.grad.data, [30.0, 60.0])


def test_a_non_leaf_hooks_returned_array_is_never_written_into():
    x = leaf([1.0, 2.0])
    h = x * 1
    fixed = np.array([1.0, 1.0])
    h.register_hook(lambda g: fixed)
    h.retain_grad()
    (h * 2).sum().backward(retain_graph=True)
    (h * 2).sum().backward()
    np.testing.assert_array_equal(fixed, [1.0, 1.0])
    np.testing.assert_array_equal(h.grad.data, [2.0, 2.0])
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


# Random families of views, written under no_grad, against torch: backward raises in
# both or in neither, and gives the same gradient when it does not.
MEMBERS = {
    "rows": lambda t: t[-1:],
    "row": lambda t: t[0],
    "column": lambda t: t[:, 0],
    "element": lambda t: t[0, -1],
    "transpose": lambda t: t.T if isinstance(t, Tensor) else t.t(),
    "reshape": lambda t: t.reshape(-1),
    "transposed reshape (a copy)": lambda t: (t.T if isinstance(t, Tensor) else t.t()).reshape(-1),
    "unsqueeze": lambda t: t.unsqueeze(0),
    "detach": lambda t: t.detach(),
    "picked rows (a copy)": lambda t: t[[0, 0]],
    "product (new memory)": lambda t: t * 2,
}


SAVING_OPS = {  # (s, library) -> a new tensor; each keeps s, or its output, or nothing
    "square": lambda s, lib: s * s,
    "times 2": lambda s, lib: s * 2,
    "exp": lambda s, lib: s.exp(),
    "tanh": lambda s, lib: s.tanh(),
    "sigmoid": lambda s, lib: s.sigmoid(),
    "relu": lambda s, lib: s.relu(),
    "sin": lambda s, lib: s.sin(),
    "softmax": lambda s, lib: s.softmax(-1) if s.ndim else s.exp(),
    "log_softmax": lambda s, lib: s.log_softmax(-1) if s.ndim else s.exp(),
    "sum": lambda s, lib: s.sum() * 1,
    "divided": lambda s, lib: 3 / (s * s + 1),
}


def test_random_view_writes_raise_exactly_when_torch_does():
    torch = pytest.importorskip("torch")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(
        chain=st.lists(st.sampled_from(sorted(MEMBERS)), min_size=1, max_size=3),
        saved=st.integers(0, 3),
        written=st.integers(-1, 3),
        op=st.sampled_from(sorted(SAVING_OPS)),
    )
    def check(chain, saved, written, op):
        outcomes = []
        for lib in ("ours", "torch"):
            values = np.arange(6.0).reshape(2, 3) - 2.5
            if lib == "ours":
                a, no_grad = Tensor(values, requires_grad=True), autograd.no_grad
            else:
                a, no_grad = torch.tensor(values, requires_grad=True), torch.no_grad
            members = [a * 1]
            for name in chain:
                if members[-1].ndim < 2 and name in ("rows", "row", "column", "element"):
                    break  # needs two axes
                if name in ("transpose", "transposed reshape (a copy)", "picked rows (a copy)"):
                    if members[-1].ndim != 2:
                        break
                members.append(MEMBERS[name](members[-1]))
            s = members[min(saved, len(members) - 1)]
            loss = (SAVING_OPS[op](s, lib) ** 2).sum()  # what `op` keeps of s varies
            if written >= 0:
                with no_grad():
                    members[min(written, len(members) - 1)].__iadd__(1.0)
            try:
                loss.backward()
            except RuntimeError:
                outcomes.append("raised")
                continue
            grad = a.grad.data if lib == "ours" else a.grad.numpy()
            outcomes.append(np.round(grad, 12).tolist())
        assert outcomes[0] == outcomes[1], (chain, saved, written, op, outcomes)

    check()


def test_copies_share_versions_only_when_they_share_memory():
    import copy

    import nn

    model = nn.Linear(3, 2)
    x = Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    loss = (x @ model.weight.T).sum()  # saves a view of the weight: they share versions
    target = copy.deepcopy(model)  # e.g. a target network
    assert target.weight.data is not model.weight.data
    with autograd.no_grad():
        target.weight *= 0.5  # its own memory: the model's graph is untouched
    loss.backward()
    shallow = copy.copy(model.weight)
    assert shallow.data is model.weight.data
    with autograd.no_grad():
        shallow += 1
    assert model.weight.version == shallow.version > 0


# Writes recorded in a graph, compared with PyTorch: each program takes the library
# (autograd or torch) and its leaves, and returns the loss and the tensors to compare.
def _alias(lib, a, w):
    b = a * 1
    alias = b  # the same tensor under another name
    b *= 3
    return alias.sum(), [alias]


def _uses_between_writes(lib, a, w):
    b = a.reshape(2, 2) * 1
    c1 = b * 2  # used before the first write: its gradient goes to b as it was
    b += w
    c2 = b * 3
    b *= w  # Mul reads the old b for w's gradient
    b -= 1
    return c1.sum() + (c2 * c2).sum() + (b * b).sum(), [b, c1, c2]


def _constant_written_with_a_value_that_requires_grad(lib, a, w):
    z = lib.zeros(2, dtype=a.dtype)
    before = z * 4  # recorded while z was a constant
    z += w
    z[0] = a[1] * 5
    return (z * z).sum() + before.sum(), [z]


def _item_assignments(lib, a, w):
    x = a.reshape(2, 2) * 1
    x[0, 1] = w[0]  # an element
    x[1] = w * 2  # a row, a view
    x[1][0] = a[0] ** 2  # a view of a view
    x[:, 1] -= w  # a column, through its view
    x[x > 100] = 0  # a mask (a copy)
    x[[1, 0], [0, 1]] *= w  # an integer array (a copy)
    return (x**2).sum(), [x]


def _lesson_dlogits(lib, a, w):
    logits = a.reshape(2, 2) * w  # the backprop-by-hand lesson's gradient of the loss
    dlogits = logits.softmax(1) * 1
    dlogits[range(2), [1, 0]] -= 1
    dlogits /= 2
    return (dlogits * lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=a.dtype)).sum(), [dlogits]


def _lesson_embedding_gradient(lib, a, w):
    C = a.reshape(2, 2) * 1  # the same lesson's gradient of an embedding table
    dC = lib.zeros_like(C)
    X = lib.tensor([[0, 1], [1, 1]])
    emb = C[X] * w
    for k in range(2):
        for j in range(2):
            ix = X[k, j]
            dC[ix] += emb[k, j]
    return (dC**3).sum(), [dC]


def _in_place_methods(lib, a, w):
    b = a.reshape(2, 2) * 2
    zeroed = (b * 1).zero_()
    clamped = (b * 1).clamp_(-1.5, 3.0)
    mixed = (b * 1).add_(w, alpha=0.5).mul_(w).sub_(1.0, alpha=2).div_(w * w + 1)
    copied = lib.zeros(2, 2, dtype=a.dtype)
    copied.copy_(w * 3)  # broadcast, as torch's copy_
    filled = (b * 1).fill_(2.0)
    loss = (zeroed * w).sum() + (clamped * w).sum() + mixed.sum() + (copied**2).sum()
    return loss + (filled * b).sum(), [zeroed, clamped, mixed, copied, filled]


WRITES = {
    "an alias": _alias,
    "uses between writes": _uses_between_writes,
    "a constant": _constant_written_with_a_value_that_requires_grad,
    "item assignments": _item_assignments,
    "dlogits": _lesson_dlogits,
    "dC[ix] += ...": _lesson_embedding_gradient,
    "in-place methods": _in_place_methods,
}


@pytest.mark.parametrize("program", WRITES.values(), ids=WRITES.keys())
def test_recorded_writes_match_torch(program):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (autograd, torch):
        a = lib.tensor([0.5, -1.0, 2.0, 1.5], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([0.75, -2.0], dtype=lib.float64, requires_grad=True)
        loss, shown = program(lib, a, w)
        loss.backward()
        results.append(
            [loss.item(), a.grad.tolist(), w.grad.tolist() if w.grad is not None else [0, 0]]
            + [t.tolist() for t in shown]
        )
    ours, theirs = results
    assert len(ours) == len(theirs)
    for x, y in zip(ours, theirs):
        np.testing.assert_allclose(x, y, rtol=1e-12)


def test_second_derivatives_through_writes_match_torch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (autograd, torch):
        a = lib.tensor([0.5, -1.0, 2.0, 1.5], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([0.75, -2.0], dtype=lib.float64, requires_grad=True)
        loss, _ = _item_assignments(lib, a, w)
        (ga, gw) = lib.autograd.grad(loss, [a, w], create_graph=True)
        (ga.sum() * (gw**2).sum()).backward()
        results.append([a.grad.tolist(), w.grad.tolist()])
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_hooks_keep_the_value_they_were_registered_on_and_retain_grad_follows():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (autograd, torch):
        seen = []
        a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        b = a * 1
        b.register_hook(lambda g, seen=seen: seen.append(("before", g.tolist())))
        b.retain_grad()
        c = b * 2
        b *= 3
        b.register_hook(lambda g, seen=seen: seen.append(("after", g.tolist())))
        (c.sum() + b.sum() * 10).backward()
        results.append((seen, a.grad.tolist(), b.grad.tolist()))
    assert results[0] == results[1]
    assert results[0][0] == [("after", [10.0, 10.0]), ("before", [32.0, 32.0])]


def test_grad_of_a_tensor_written_in_place_is_taken_at_its_new_value():
    a = leaf([1.0, 2.0])
    b = a * 1
    first = b * 5
    b *= 3
    (gb,) = autograd.grad(first.sum() + (b * b).sum(), b)
    assert gb.data.tolist() == [6.0, 12.0]  # 2 * b at its new value; `first` used the old b


def test_a_write_into_a_value_backward_reads_raises_as_in_torch():
    x = leaf([0.5, 1.0])
    y = x.exp()  # Exp's backward reads its output
    y += 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Exp"):
        y.sum().backward()
    s = x.sin()
    z = (s * s).sum()  # Mul reads s
    s[0] = 0.0
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Mul"):
        z.backward()


def test_a_graph_with_writes_can_be_drawn_after_backward():
    from autograd.viz import draw_graph

    a = leaf([1.0, 2.0])
    w = leaf(3.0)
    b = a * 2
    c = b + 1  # recorded before the write
    b[0] = w
    loss = (b * c).sum()
    loss.backward()
    graph = draw_graph(loss)
    dot = graph.source
    assert "SetItem" in dot and "Add" in dot and "Mul" in dot
    assert "overwritten in place by the SetItem it feeds" in dot  # b's old value is gone
    # Add used b before the write: its input is the tensor SetItem wrote into, not b
    from autograd.viz.draw import trace_graph

    traced = trace_graph(loss)
    (add,) = [fn for fn in traced.functions if fn.op_name == "Add"]
    (setitem,) = [fn for fn in traced.functions if fn.op_name == "SetItem"]
    assert traced.inputs[add][0] is traced.inputs[setitem][0]
    assert traced.outputs[setitem] is b
    assert a.grad.data.tolist() == [6.0, 18.0]  # c = b + 1 used b before the write
    assert w.grad.item() == 3.0


def test_in_place_methods_on_a_leaf_follow_the_rules_of_in_place_operators():
    w = leaf([1.0, -2.0, 3.0])
    for method in (lambda: w.zero_(), lambda: w.add_(1.0), lambda: w.clamp_(max=0.0)):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            method()
    assert w.data.tolist() == [1.0, -2.0, 3.0] and w.version == 0
    with autograd.no_grad():
        same = w.mul_(2).add_(1.0, alpha=3).clamp_(max=6.0).sub_(0.5)
    assert same is w and w.is_leaf and w.requires_grad
    assert w.data.tolist() == [4.5, -1.5, 5.5] and w.version == 4


WRITE_AFTER = {
    "clone": lambda lib, x: x.clone(),
    "double": lambda lib, x: x.double(),
    "float": lambda lib, x: x.float(),
    "cat": lambda lib, x: lib.cat([x, x * 2]),
    "stack": lambda lib, x: lib.stack([x, x]),
}


@pytest.mark.parametrize("name", WRITE_AFTER)
def test_ops_that_read_no_input_value_allow_writing_it_afterwards_as_torch(name):
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (autograd, torch):
        leaf = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
        x = leaf * 1
        y = WRITE_AFTER[name](lib, x)
        x.add_(1)  # neither the copy, the cast nor the join reads x in backward
        (y * y).sum().backward()
        grads.append(leaf.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-14)
