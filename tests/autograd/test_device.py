"""PyTorch's device idiom on the one device here: the CPU."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")  # the comparisons need it (CI installs it)


def test_only_the_cpu_is_available():
    assert autograd.cuda.is_available() is False and autograd.cuda.device_count() == 0
    assert autograd.accelerator.is_available() is False
    assert autograd.backends.mps.is_available() is False
    cpu = autograd.device("cpu")
    assert cpu == autograd.device("cpu:0") == "cpu" and str(cpu) == "cpu"
    assert repr(cpu) == repr(torch.device("cpu")) and cpu.type == torch.device("cpu").type
    for name in ("cuda", "cuda:0", "mps", "cpu:1"):
        with pytest.raises(RuntimeError, match=f"device '{name}' is not available"):
            autograd.device(name)


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: autograd.zeros(2, 3, **kw),
        lambda **kw: autograd.ones((2, 3), **kw),
        lambda **kw: autograd.full((2,), 1.5, **kw),
        lambda **kw: autograd.empty(2, 3, **kw),
        lambda **kw: autograd.arange(5, **kw),
        lambda **kw: autograd.linspace(0, 1, 5, **kw),
        lambda **kw: autograd.eye(3, **kw),
        lambda **kw: autograd.rand(2, **kw),
        lambda **kw: autograd.randn(2, **kw),
        lambda **kw: autograd.randint(0, 5, (3,), **kw),
        lambda **kw: autograd.normal(0.0, 1.0, (2,), **kw),
        lambda **kw: autograd.tensor([1, 2], **kw),
        lambda **kw: autograd.zeros_like(np.ones(2), **kw),
        lambda **kw: autograd.full_like(np.ones(2), 7, **kw),
        lambda **kw: autograd.empty_like(np.ones(2), **kw),
    ],
)
def test_creation_takes_device_cpu_and_refuses_others(make):
    assert make(device="cpu").device == autograd.device("cpu")
    assert make(device=autograd.device("cpu")).device.type == "cpu"
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        make(device="cuda")


def test_like_functions_as_torch():
    x = np.arange(6.0).reshape(2, 3)
    for ours, theirs in (
        (autograd.full_like(x, 7), torch.full_like(torch.tensor(x), 7)),
        (autograd.full_like(x.astype(np.int64), 2), torch.full_like(torch.tensor(x).long(), 2)),
        (autograd.empty(2, 3), torch.empty(2, 3)),
    ):
        assert ours.shape == tuple(theirs.shape) and ours.dtype == theirs.numpy().dtype


def test_tensor_to_as_torch():
    x = autograd.randn(3, requires_grad=True)
    assert x.to("cpu") is x and x.to(autograd.device("cpu")) is x and x.cpu() is x
    assert x.to(autograd.float32) is x and x.to("cpu", non_blocking=True) is x
    y = x.to(autograd.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None  # in the graph, as in torch
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones(3, np.float32))
    assert x.to(Tensor(np.zeros(1))).dtype == np.float64
    assert x.to("cpu", autograd.float64).dtype == x.to(device="cpu", dtype=np.float64).dtype
    copied = x.to("cpu", copy=True)
    assert copied is not x and np.array_equal(copied.data, x.data)
    assert x.long().to(autograd.float32).dtype == np.float32
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        x.cuda()
    with pytest.raises(TypeError, match="unexpected keyword arguments"):
        x.to(memory_format=None)


def test_module_to_and_zero_grad_as_torch():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert model.to("cpu") is model and model.cpu() is model
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        model.cuda()
    model.double()
    assert all(t.dtype == np.float64 for t in model.state_dict().values() if t.dtype.kind == "f")
    assert model(autograd.randn(4, 3, dtype=np.float64)).dtype == np.float64
    assert model[0].weight.data.flags.f_contiguous  # the layout nn.Linear keeps
    model.float()
    assert model[0].weight.dtype == np.float32
    model(autograd.randn(4, 3)).sum().backward()
    grad = model[0].weight.grad
    model.zero_grad(set_to_none=False)
    assert model[0].weight.grad is grad and not grad.data.any()
    model.zero_grad()
    assert model[0].weight.grad is None
