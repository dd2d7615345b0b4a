"""PyTorch's module hooks (forward, full backward, global) against torch itself."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

LIBS = {"ours": (autograd, nn), "torch": (torch, torch.nn)}


def as_np(t):
    if t is None:
        return None
    if isinstance(t, autograd.Tensor):
        return np.array(t.data)
    return t.detach().numpy().copy()


def mlp(lib, seed=0):
    """784-style MLP (small) with the same float64 weights in both libraries."""
    _, lnn = LIBS[lib]
    model = lnn.Sequential(
        lnn.Linear(4, 8), lnn.Tanh(), lnn.Linear(8, 8), lnn.Sigmoid(), lnn.Linear(8, 3)
    ).double()
    rng = np.random.default_rng(seed)
    state = {k: rng.normal(size=tuple(v.shape)) for k, v in model.state_dict().items()}
    model.load_state_dict({k: LIBS[lib][0].tensor(v) for k, v in state.items()})
    return model


def test_hook_order_prepend_and_handles_as_torch():
    def run(lib):
        mod, lnn = LIBS[lib]
        m = lnn.Linear(4, 3).double()
        order = []
        m.register_forward_pre_hook(lambda mm, a: order.append("pre1"))
        m.register_forward_pre_hook(lambda mm, a: order.append("pre0"), prepend=True)
        m.register_forward_hook(lambda mm, a, o: order.append("f1"))
        first = m.register_forward_hook(lambda mm, a, o: order.append("f0"), prepend=True)
        x = mod.ones(2, 4, dtype=mod.float64)
        m(x)
        first.remove()
        m(x)
        with m.register_forward_hook(lambda mm, a, o: o * 0):
            inside = float(m(x).sum().detach())
        outside = float(m(x).sum())
        return order, inside == 0.0, outside != 0.0, type(first).__name__

    assert run("ours") == run("torch")


def test_hooks_with_kwargs_and_always_call_as_torch():
    def run(lib):
        mod, lnn = LIBS[lib]

        class Scale(lnn.Module):
            def forward(self, x, scale=1.0):
                return x * scale

        class Broken(lnn.Module):
            def forward(self, x):
                raise ValueError("boom")

        seen = []
        k = Scale()
        k.register_forward_pre_hook(
            lambda m, args, kwargs: (args, {"scale": kwargs["scale"] * 2}), with_kwargs=True
        )
        k.register_forward_hook(
            lambda m, args, kwargs, out: seen.append(dict(kwargs)) or out + 1, with_kwargs=True
        )
        out = as_np(k(mod.ones(2, dtype=mod.float64), scale=3.0))
        b = Broken()
        b.register_forward_hook(lambda m, a, o: seen.append(("always", o)), always_call=True)
        b.register_forward_hook(lambda m, a, o: seen.append("never"))
        with pytest.raises(ValueError, match="boom"):
            b(mod.ones(1))
        bad = Scale()
        bad.register_forward_pre_hook(lambda m, a, kw: a, with_kwargs=True)
        with pytest.raises(RuntimeError) as err:
            bad(mod.ones(1), scale=2.0)
        return out.tolist(), seen, str(err.value).split(", but got")[0]

    assert run("ours") == run("torch")


def test_a_pre_hook_returning_one_value_replaces_the_only_argument():
    def run(lib):
        mod, _ = LIBS[lib]
        m = mlp(lib)
        m.register_forward_pre_hook(lambda mm, a: a[0] * 2)
        return as_np(m(mod.ones(2, 4, dtype=mod.float64)))

    np.testing.assert_allclose(run("ours"), run("torch"), rtol=1e-12)


def test_global_forward_hooks_see_every_module_as_torch():
    from torch.nn.modules.module import register_module_forward_hook

    def run(lib, register):
        mod, _ = LIBS[lib]
        seen = []
        handle = register(lambda m, a, o: seen.append(type(m).__name__))
        try:
            mlp(lib)(mod.ones(1, 4, dtype=mod.float64))
        finally:
            handle.remove()
        mlp(lib)(mod.ones(1, 4, dtype=mod.float64))  # removed: not seen
        return seen

    assert run("ours", nn.register_module_forward_hook) == run(
        "torch", register_module_forward_hook
    )


def _gradient_norms(lib, x_requires_grad):
    """The "vanishing gradients" plot's numbers: per layer, the norms of the
    gradients of its input and output, captured by full backward hooks, and the
    activations captured by forward hooks."""
    mod, _ = LIBS[lib]
    model = mlp(lib)
    records = []
    for name, layer in model.named_children():
        layer.register_forward_hook(
            lambda m, a, o, name=name: records.append(("act", name, as_np(o)))
        )
        layer.register_full_backward_hook(
            lambda m, gi, go, name=name: records.append(
                ("grad", name, [as_np(g) for g in gi], [as_np(g) for g in go])
            )
        )
    x = mod.tensor(np.linspace(-2, 2, 12).reshape(3, 4), requires_grad=x_requires_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model(x).pow(2).sum().backward()
    return records


def _assert_same_records(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a[:2] == b[:2]
        for x, y in zip(a[2:], b[2:]):
            if isinstance(x, list):
                assert [v is None for v in x] == [v is None for v in y]
                for u, v in zip(x, y):
                    if u is not None:
                        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)
            else:
                np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("x_requires_grad", [False, True])
def test_full_backward_hooks_capture_every_layer_as_torch(x_requires_grad):
    _assert_same_records(
        _gradient_norms("ours", x_requires_grad), _gradient_norms("torch", x_requires_grad)
    )


def _two_input_run(lib, second_is_number):
    mod, lnn = LIBS[lib]

    class Two(lnn.Module):
        def forward(self, a, b, k=2.0):
            return a * b * k, a.sum()

    seen = []
    t = Two()
    t.register_full_backward_pre_hook(lambda m, go: seen.append(("pre", [as_np(g) for g in go])))
    t.register_full_backward_hook(
        lambda m, gi, go: seen.append(("full", [as_np(g) for g in gi], [as_np(g) for g in go]))
    )
    a = mod.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = 5.0 if second_is_number else mod.tensor(np.ones((2, 3)) * 0.5)
    o1, o2 = t(a, b, 3.0)
    (o1.sum() if not second_is_number else o1.sum() + o2).backward()
    return seen, as_np(a.grad)


@pytest.mark.parametrize("second_is_number", [False, True])
def test_backward_hooks_of_several_inputs_and_outputs_as_torch(second_is_number):
    ours, theirs = (
        _two_input_run("ours", second_is_number),
        _two_input_run("torch", second_is_number),
    )
    np.testing.assert_allclose(ours[1], theirs[1])
    assert [r[0] for r in ours[0]] == [r[0] for r in theirs[0]]
    for a, b in zip(ours[0], theirs[0]):
        for x, y in zip(a[1:], b[1:]):
            assert [v is None for v in x] == [v is None for v in y]
            for u, v in zip(x, y):
                if u is not None:
                    np.testing.assert_allclose(u, v)


def _replacing_run(lib, which):
    mod, _ = LIBS[lib]
    model = mlp(lib)
    first, second = model[0], model[2]
    if which == "grad_input":
        second.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.5,))
    else:
        second.register_full_backward_pre_hook(lambda m, go: (go[0] * -1.0,))
    x = mod.tensor(np.linspace(-1, 1, 8).reshape(2, 4), requires_grad=True)
    model(x).sum().backward()
    return as_np(x.grad), as_np(first.weight.grad), as_np(second.weight.grad)


@pytest.mark.parametrize("which", ["grad_input", "grad_output"])
def test_a_returned_gradient_replaces_it_as_torch(which):
    for a, b in zip(_replacing_run("ours", which), _replacing_run("torch", which)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def _error_of(lib, kind):
    mod, lnn = LIBS[lib]
    m = lnn.Linear(3, 2).double()
    x = mod.ones(4, 3, dtype=mod.float64)
    if kind == "count":
        m.register_full_backward_hook(lambda mm, gi, go: (None, None))
        x.requires_grad_()
    elif kind == "no-input-grad":
        m.register_full_backward_hook(lambda mm, gi, go: (mod.ones(4, 3),))
    elif kind == "pre-count":
        m.register_full_backward_pre_hook(lambda mm, go: (go[0], go[0]))
    elif kind == "inplace":
        m.register_full_backward_hook(lambda mm, gi, go: None)
        with pytest.raises(RuntimeError) as err:
            m(x).mul_(2)
        return str(err.value).replace(" (x *= value)", "").replace(" (*=)", "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError) as err:
            m(x).sum().backward()
    return str(err.value)


@pytest.mark.parametrize("kind", ["count", "no-input-grad", "pre-count", "inplace"])
def test_misused_backward_hooks_raise_torchs_errors(kind):
    assert _error_of("ours", kind) == _error_of("torch", kind)


def test_no_input_requiring_grad_warns_as_torch():
    for lib in ("ours", "torch"):
        mod, lnn = LIBS[lib]
        m = lnn.Linear(3, 2).double()
        m.register_full_backward_hook(lambda mm, gi, go: None)
        with pytest.warns(UserWarning, match="Full backward hook is firing when gradients"):
            m(mod.ones(1, 3, dtype=mod.float64)).sum().backward()


def test_hooks_in_place_at_the_forward_call_are_called_and_removal_works():
    def run(lib):
        mod, lnn = LIBS[lib]
        m = lnn.Linear(3, 2).double()
        calls = []
        handle = m.register_full_backward_hook(lambda mm, gi, go: calls.append(1))
        x = mod.ones(1, 3, dtype=mod.float64, requires_grad=True)
        y = m(x)
        handle.remove()  # after the forward: PyTorch still calls it
        y.sum().backward()
        m(x).sum().backward()
        return calls, m.weight.grad is not None

    assert run("ours") == run("torch")


def test_backward_hooks_leave_double_backward_right():
    def run(lib):
        mod, lnn = LIBS[lib]
        m = lnn.Tanh()
        m.register_full_backward_hook(lambda mm, gi, go: None)
        x = mod.tensor([0.3, -0.7], dtype=mod.float64, requires_grad=True)
        (g,) = (torch if lib == "torch" else autograd).autograd.grad(
            m(x).sum(), x, create_graph=True
        )
        g.sum().backward()
        return as_np(g), as_np(x.grad)

    for a, b in zip(run("ours"), run("torch")):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_a_hooked_activation_is_not_fused_into_the_layer():
    model = nn.Sequential(nn.Dense(3, activation="relu"))
    model.build((None, 2))
    seen = []
    model.layers[0].activation.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    model(autograd.ones(1, 2)).sum().backward()
    assert len(seen) == 1


def test_parameter_and_buffer_lookups_raise_torchs_errors():
    def run(lib):
        _, lnn = LIBS[lib]

        class B(lnn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("a", LIBS[lib][0].ones(2))
                self.register_buffer("b", LIBS[lib][0].zeros(2), persistent=False)
                self.lin = lnn.Linear(2, 2)

        s = lnn.Sequential(B(), lnn.Sequential(lnn.ReLU(), lnn.Linear(2, 1)))
        messages = []
        for call in (
            lambda: s.get_parameter("1.1.nope"),
            lambda: s.get_parameter("1.0"),
            lambda: s.get_buffer("0.lin.weight"),
            lambda: s.get_submodule("1.5"),
        ):
            with pytest.raises(AttributeError) as err:
                call()
            messages.append(str(err.value))
        keys = list(s.state_dict())
        buffers = [n for n, _ in s.named_buffers()]
        return messages, keys, buffers

    assert run("ours") == run("torch")


def _state_dict_hooks_run(lib):
    mod, lnn = LIBS[lib]
    seen = []

    class C(lnn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("a", mod.ones(2))
            self.register_buffer("b", mod.zeros(2), persistent=False)
            self.lin = lnn.Linear(2, 2)
            self.out = lnn.Linear(2, 1)

    c = C()
    c.register_state_dict_pre_hook(lambda m, prefix, keep: seen.append(("pre", prefix, keep)))
    c.lin.register_state_dict_pre_hook(lambda m, prefix, keep: seen.append(("pre lin", prefix)))
    c._register_state_dict_hook(
        lambda m, sd, prefix, meta: seen.append(("post", list(sd), prefix, meta))
    )
    c.out._register_state_dict_hook(lambda m, sd, prefix, meta: {"dropped": 1})
    keys = list(c.state_dict(keep_vars=True))
    public = C()
    public.register_state_dict_post_hook(lambda *args: {"y": 2})
    with pytest.raises(RuntimeError) as err:
        public.state_dict()
    seen.append(str(err.value))

    def forgive(m, incompatible):
        seen.append(("load", sorted(incompatible.missing_keys), incompatible.unexpected_keys))
        incompatible.missing_keys.clear()

    c.register_load_state_dict_post_hook(forgive)
    c.lin.register_load_state_dict_post_hook(
        lambda m, incompatible: seen.append(("load lin", sorted(incompatible.missing_keys)))
    )
    partial = {k: v for k, v in c.state_dict().items() if not k.startswith("out.")}
    result = repr(c.load_state_dict(partial))
    strict = C()
    strict.register_load_state_dict_post_hook(lambda m, k: k.unexpected_keys.append("zzz"))
    with pytest.raises(RuntimeError) as err:
        strict.load_state_dict(strict.state_dict())
    return keys, seen, result, str(err.value)


def test_state_dict_hooks_as_torch():
    assert _state_dict_hooks_run("ours") == _state_dict_hooks_run("torch")


def test_global_backward_and_pre_hooks_run_in_torchs_order():
    from torch.nn.modules import module as torch_module

    def run(lib, full, pre, forward_pre):
        mod, lnn = LIBS[lib]
        seen = []
        handles = [
            full(
                lambda m, gi, go: seen.append(
                    ("full", type(m).__name__, [None if g is None else tuple(g.shape) for g in gi])
                )
            ),
            pre(lambda m, go: seen.append(("pre", type(m).__name__))),
            forward_pre(lambda m, a: seen.append(("forward pre", type(m).__name__))),
        ]
        model = lnn.Sequential(lnn.Linear(3, 4), lnn.ReLU(), lnn.Linear(4, 1)).double()
        x = mod.ones(2, 3, dtype=mod.float64, requires_grad=True)
        try:
            model(x).sum().backward()
        finally:
            for handle in handles:
                handle.remove()
        model(x).sum().backward()  # removed: not seen
        return seen

    ours = run(
        "ours",
        nn.register_module_full_backward_hook,
        nn.register_module_full_backward_pre_hook,
        nn.register_module_forward_pre_hook,
    )
    theirs = run(
        "torch",
        torch_module.register_module_full_backward_hook,
        torch_module.register_module_full_backward_pre_hook,
        torch_module.register_module_forward_pre_hook,
    )
    assert ours == theirs
