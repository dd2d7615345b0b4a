"""Custom Functions as "Extending PyTorch" writes them (several outputs, materialized
gradients, non-differentiable outputs, once_differentiable, PyTorch's errors) and
gradcheck's failure messages, compared with torch itself."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd.custom import once_differentiable as our_once_differentiable

torch = pytest.importorskip("torch")
from torch.autograd.function import once_differentiable as torch_once_differentiable  # noqa: E402

LIBS = {"ours": autograd, "torch": torch}


def as_np(t):
    if t is None:
        return None
    if isinstance(t, autograd.Tensor):
        return np.array(t.data)
    return t.detach().numpy().copy()


def leaf(lib, values):
    return LIBS[lib].tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def functions(lib):
    """The same Functions written against each library."""
    mod = LIBS[lib]
    base = mod.autograd.Function
    once = our_once_differentiable if lib == "ours" else torch_once_differentiable
    seen: list = []

    class SplitTwo(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x**2

        @staticmethod
        def backward(ctx, g1, g2):
            (x,) = ctx.saved_tensors
            seen.append((as_np(g1), as_np(g2)))
            return g1 * 2 + g2 * 2 * x

    class NoMaterialize(base):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x.clone(), x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1 is None, g2 is None))
            return g2 * 3

    class Sort(base):
        @staticmethod
        def forward(ctx, x):
            idx = x.argsort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x.sort().values, idx

        @staticmethod
        def backward(ctx, g_values, g_idx):
            (idx,) = ctx.saved_tensors
            seen.append(as_np(g_idx).tolist())
            grad = g_values.new_zeros(g_values.shape)
            grad[idx] = g_values
            return grad

    class Square(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        @once
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class Linear(base):
        """The "Extending PyTorch" LinearFunction, bias optional."""

        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output = output + bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    class Plain(base):
        @staticmethod
        def forward(ctx, x):
            return 3

        @staticmethod
        def backward(ctx, g):
            return g

    return {
        "SplitTwo": SplitTwo,
        "NoMaterialize": NoMaterialize,
        "Sort": Sort,
        "Square": Square,
        "Linear": Linear,
        "Plain": Plain,
        "seen": seen,
    }


def run_several_outputs(lib, use_both):
    f = functions(lib)
    x = leaf(lib, [1.0, 3.0])
    a, b = f["SplitTwo"].apply(x)
    loss = a.sum() + 3 * b.sum() if use_both else a.sum()
    loss.backward()
    return as_np(a), as_np(b), a.requires_grad, b.requires_grad, as_np(x.grad), f["seen"]


@pytest.mark.parametrize("use_both", [True, False])
def test_several_outputs_as_torch(use_both):
    ours, theirs = run_several_outputs("ours", use_both), run_several_outputs("torch", use_both)
    for a, b in zip(ours[:5], theirs[:5]):
        np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(np.array(ours[5]), np.array(theirs[5]))  # zeros for b's


def test_set_materialize_grads_false_gives_none_as_torch():
    def run(lib):
        f = functions(lib)
        x = leaf(lib, [1.0, 3.0])
        _, b = f["NoMaterialize"].apply(x)
        b.sum().backward()
        return as_np(x.grad).tolist(), f["seen"]

    assert run("ours") == run("torch")


def test_mark_non_differentiable_output_as_torch():
    def run(lib):
        f = functions(lib)
        x = leaf(lib, [3.0, 1.0, 2.0])
        values, idx = f["Sort"].apply(x)
        weights = LIBS[lib].tensor([1.0, 2.0, 3.0], dtype=LIBS[lib].float64)
        (values * weights).sum().backward()
        return values.requires_grad, idx.requires_grad, as_np(x.grad).tolist(), f["seen"]

    assert run("ours") == run("torch")


def test_non_tensor_output_and_optional_arguments_as_torch():
    def run(lib):
        f = functions(lib)
        rng = np.random.default_rng(0)
        x, w = leaf(lib, rng.normal(size=(2, 3))), leaf(lib, rng.normal(size=(4, 3)))
        f["Linear"].apply(x, w).sum().backward()  # backward returns 3 gradients for 2 inputs
        return f["Plain"].apply(x), as_np(x.grad), as_np(w.grad)

    ours, theirs = run("ours"), run("torch")
    assert ours[0] == theirs[0] == 3
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(a, b)


def test_once_differentiable_as_torch():
    def run(lib):
        f = functions(lib)
        x = leaf(lib, [1.5])
        (g,) = LIBS[lib].autograd.grad(f["Square"].apply(x).sum(), x, create_graph=True)
        plain = (g.requires_grad, as_np(g).tolist())
        # with a grad_output that requires grad the second derivative raises
        y = f["Square"].apply(x)
        v = leaf(lib, [1.0])
        (g2,) = LIBS[lib].autograd.grad(y, x, grad_outputs=v, create_graph=True)
        with pytest.raises(RuntimeError) as err:
            g2.sum().backward()
        return plain, g2.requires_grad, str(err.value)

    assert run("ours") == run("torch")


def _mistake(lib, kind):
    mod = LIBS[lib]
    base = mod.autograd.Function

    class TooMany(base):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g  # a gradient for the number k

    class WrongShape(base):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return mod.ones(3, dtype=mod.float64)

    class NoBackward(base):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    x = leaf(lib, [1.0, 2.0])
    call = {
        "number": lambda: TooMany.apply(x, 2.0),
        "shape": lambda: WrongShape.apply(x),
        "missing": lambda: NoBackward.apply(x),
    }[kind]
    with pytest.raises((RuntimeError, NotImplementedError)) as err:
        call().sum().backward()
    return type(err.value).__name__, str(err.value)


@pytest.mark.parametrize("kind", ["number", "shape", "missing"])
def test_mistakes_in_backward_raise_torchs_errors(kind):
    assert _mistake("ours", kind) == _mistake("torch", kind)


def _numbers(text):
    """The numbers of a printed tensor, without its dtype."""
    text = text.split("dtype")[0]
    for c in "[](),":
        text = text.replace(c, " ")
    return [float(v) for v in text.split() if v[0].isdigit() or v[0] == "-"]


def _gradcheck_run(lib):
    mod = LIBS[lib]

    class BadSquare(mod.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x

    x = leaf(lib, [1.0, 2.0])
    check = mod.autograd.gradcheck
    with pytest.raises(RuntimeError) as err:
        check(BadSquare.apply, (x,), eps=1e-6, atol=1e-4)
    quiet = check(BadSquare.apply, (x,), eps=1e-6, atol=1e-4, raise_exception=False)
    second = mod.autograd.gradgradcheck(BadSquare.apply, (x,), raise_exception=False)
    with pytest.raises(ValueError) as none:
        check(BadSquare.apply, (mod.tensor([1.0], dtype=mod.float64),))
    f32 = mod.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(lambda t: t * 2, (f32,), raise_exception=False)
    message = str(err.value).split("\n")
    return (
        message[0],
        _numbers(str(err.value).split("numerical:")[1].split("analytical:")[0]),
        _numbers(str(err.value).split("analytical:")[1].split("\n(worst")[0]),
        quiet,
        second,
        str(none.value),
        [str(w.message) for w in caught if w.category is UserWarning],
    )


def test_gradcheck_failures_as_torch():
    ours, theirs = _gradcheck_run("ours"), _gradcheck_run("torch")
    assert ours == theirs


def _dirty_run(lib):
    mod = LIBS[lib]

    class AddOne_(mod.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class NotReturned(mod.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(as_np(g).tolist()))  # before the write
    out = AddOne_.apply(y)
    (out * 2).sum().backward()
    errors = []
    for call in (
        lambda: AddOne_.apply(leaf(lib, [1.0])),
        lambda: NotReturned.apply(leaf(lib, [1.0]) * 1),
    ):
        with pytest.raises(RuntimeError) as err:
            call()
        errors.append(str(err.value))
    return out is y, as_np(y).tolist(), y._version, as_np(x.grad).tolist(), seen, errors


def test_mark_dirty_as_torch():
    assert _dirty_run("ours") == _dirty_run("torch")
