"""Functions written PyTorch's way (static forward(ctx, ...) / backward(ctx, grad))."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, gradcheck, gradgradcheck


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x**2  # differentiable: second derivatives work


class ScaledShift(Function):
    """Non-tensor arguments get None; needs_input_grad says which inputs want one."""

    @staticmethod
    def forward(ctx, x, alpha, y):
        ctx.alpha = alpha
        ctx.seen = ctx.needs_input_grad
        return x * alpha + y

    @staticmethod
    def backward(ctx, grad_output):
        grad_y = grad_output if ctx.needs_input_grad[2] else None
        return grad_output * ctx.alpha, None, grad_y


class Square(Function):
    """PyTorch 2's form: forward without ctx, and setup_context."""

    @staticmethod
    def forward(x):
        return x * x

    @staticmethod
    def setup_context(ctx, inputs, output):
        (ctx.x,) = inputs

    @staticmethod
    def backward(ctx, grad_output):
        return 2 * ctx.x * grad_output


def leaf(value):
    return Tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


def test_gradients_and_second_derivatives_of_a_pytorch_style_function():
    x = leaf([0.5, -1.5, 2.0])
    assert gradcheck(Cube.apply, [x])
    assert gradgradcheck(Cube.apply, [x])
    assert gradcheck(Square.apply, [x])
    y = Cube.apply(x)
    assert repr(y.grad_fn) == "<CubeBackward>" and "Cube" not in Function.registry
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * x.data**2)


def test_non_tensor_arguments_and_needs_input_grad():
    x, y = leaf([1.0, 2.0]), Tensor(np.array([10.0, 20.0]))
    out = ScaledShift.apply(x, 3.0, y)
    assert out.grad_fn.ctx.seen == (True, False, False)
    out.sum().backward()
    assert x.grad.data.tolist() == [3.0, 3.0] and y.grad is None
    with autograd.no_grad():
        plain = ScaledShift.apply(x, 3.0, y)
    assert plain.grad_fn is None and plain.data.tolist() == [13.0, 26.0]


def test_mistakes_raise_clear_errors():
    class TooFew(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    x = leaf([1.0, 2.0])
    with pytest.raises(
        RuntimeError,
        match=r"function TooFewBackward returned an incorrect number of gradients "
        r"\(expected 2, got 1\)",
    ):
        TooFew.apply(x, x).sum().backward()

    class SavesNumber(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(2.0)
            return x

    with pytest.raises(TypeError, match=r"save_for_backward takes tensors"):
        SavesNumber.apply(x)

    b = x * 1
    y = Cube.apply(b)
    with autograd.no_grad():
        b += 1  # the tensor Cube saved
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*version 1"):
        y.sum().backward()


def test_a_non_differentiable_output_sends_no_gradient():
    class Rank(Function):
        @staticmethod
        def forward(ctx, x):
            out = autograd.tensor(np.argsort(np.argsort(x.data)).astype(np.float64))
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, grad_output):
            raise AssertionError("not called")

    x = leaf([3.0, 1.0, 2.0])
    (Rank.apply(x) * x).sum().backward()
    assert x.grad.data.tolist() == [2.0, 0.0, 1.0]  # only through the product's x
