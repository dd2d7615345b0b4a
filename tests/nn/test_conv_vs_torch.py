"""PyTorch's convolution and pooling modules against torch: values, gradients,
initialization draw for draw, reprs, state_dict keys and errors; the 60-minute blitz
`Net` and pytorch/examples' MNIST `Net` run as written (``import autograd as torch``)."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from nn import functional as F

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel"),
    pytest.mark.filterwarnings("ignore:dropout2d. Received a 3D input"),
]


def _copy_weights(ours: Any, theirs: Any) -> None:
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})


def _close(a: Any, b: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def _run_both(ours: Any, theirs: Any, shape: tuple[int, ...], seed: int = 0) -> None:
    """Same input, same output, same gradients of every parameter and of the input."""
    data = np.random.default_rng(seed).normal(size=shape)
    x, tx = autograd.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    _close(y.data, ty.detach().numpy())
    g = np.random.default_rng(seed + 1).normal(size=y.shape)
    (y * g).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    _close(x.grad.data, tx.grad.numpy())
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        _close(p.grad.data, tp.grad.numpy()), name


@settings(max_examples=40, deadline=None)
@given(
    d=st.sampled_from([1, 2]),
    groups=st.sampled_from([1, 2]),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 2),
    padding=st.sampled_from([0, 1, 2, "same", "valid"]),
    dilation=st.integers(1, 2),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    bias=st.booleans(),
    batched=st.booleans(),
)
def test_conv_modules_match_torch(
    d, groups, kernel, stride, padding, dilation, mode, bias, batched
):
    if padding == "same":
        stride = 1
    kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups,
          "bias": bias, "padding_mode": mode, "dtype": torch.float64}  # fmt: skip
    theirs = getattr(torch.nn, f"Conv{d}d")(2, 4, kernel, **kw)
    ours = getattr(nn, f"Conv{d}d")(2, 4, kernel, **{**kw, "dtype": np.float64})
    _copy_weights(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _run_both(ours, theirs, ((3,) if batched else ()) + (2,) + (6,) * d)


@pytest.mark.parametrize("d", [1, 2])
def test_conv_transpose_modules_match_torch(d):
    kw = {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dtype": torch.float64}
    theirs = getattr(torch.nn, f"ConvTranspose{d}d")(4, 6, 3, **kw)
    ours = getattr(nn, f"ConvTranspose{d}d")(4, 6, 3, **{**kw, "dtype": np.float64})
    _copy_weights(ours, theirs)
    assert repr(ours) == repr(theirs)
    _run_both(ours, theirs, (2, 4) + (5,) * d)
    x = np.zeros((1, 4) + (5,) * d)
    size = (10,) * d
    assert ours(x, output_size=size).shape == tuple(theirs(torch.tensor(x), output_size=size).shape)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.MaxPool2d(2),
        lambda m: m.MaxPool2d((2, 3), 1, 1, ceil_mode=True),
        lambda m: m.MaxPool1d(3, 2, 1),
        lambda m: m.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda m: m.AvgPool2d(2, divisor_override=3),
        lambda m: m.AvgPool1d(2),
        lambda m: m.AdaptiveAvgPool2d((3, None)),
        lambda m: m.AdaptiveAvgPool1d(4),
        lambda m: m.AdaptiveMaxPool2d(2),
        lambda m: m.AdaptiveMaxPool1d(3),
        lambda m: m.Unfold((2, 3), padding=1),
        lambda m: m.Flatten(),
    ],
)
def test_pooling_modules_match_torch(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    one_d = type(theirs).__name__.endswith("1d")
    _run_both(ours, theirs, (2, 3, 7) if one_d else (2, 3, 7, 6))


def test_fold_module_matches_torch():
    ours, theirs = nn.Fold((4, 5), 2), torch.nn.Fold((4, 5), 2)
    assert repr(ours) == repr(theirs)
    _run_both(ours, theirs, (2, 8, 12))


def test_initialization_is_torchs_draw_for_draw():
    for make in (
        lambda m: m.Conv2d(4, 6, (3, 2), groups=2),
        lambda m: m.Conv1d(3, 5, 4, bias=False),
        lambda m: m.ConvTranspose2d(4, 6, 3, groups=2),
    ):
        torch.manual_seed(5)
        autograd.manual_seed(5)
        ours, theirs = make(nn), make(torch.nn)
        for (k, v), (tk, tv) in zip(
            ours.state_dict().items(), theirs.state_dict().items(), strict=True
        ):
            assert k == tk and v.dtype == np.float32
            _close(v.data, tv.numpy(), rtol=0, atol=0)


@pytest.mark.parametrize("d", [2, 3])
def test_dropout2d_3d_masks_are_torchs(d):
    shape = (3, 4) + (2,) * d
    for batched in (True, False):
        x = np.ones(shape if batched else shape[1:])
        torch.manual_seed(1)
        autograd.manual_seed(1)
        ours = getattr(nn, f"Dropout{d}d")(0.4)(autograd.tensor(x))
        theirs = getattr(torch.nn, f"Dropout{d}d")(0.4)(torch.tensor(x))
        _close(ours.data, theirs.numpy(), rtol=0, atol=0)
    module = getattr(nn, f"Dropout{d}d")(0.4).eval()
    assert module(x).data is not None and repr(module) == f"Dropout{d}d(p=0.4, inplace=False)"


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.Conv2d(3, 6, 3, groups=2),
        lambda m: m.Conv2d(4, 6, 3, groups=4),
        lambda m: m.Conv2d(4, 6, 3, padding="foo"),
        lambda m: m.Conv2d(4, 6, 3, padding="same", stride=2),
        lambda m: m.Conv2d(4, 6, 3, padding_mode="foo"),
    ],
)
def test_constructor_errors_are_torchs(call):
    with pytest.raises(ValueError) as theirs:
        call(torch.nn)
    with pytest.raises(ValueError, match=_escaped(theirs.value)):
        call(nn)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda m: m.Conv2d(1, 6, 5), (1, 3, 32, 32)),  # wrong channel count
        (lambda m: m.Conv2d(1, 6, 5), (1, 1, 4, 4)),  # smaller than the kernel
        (lambda m: m.Conv2d(1, 6, 5), (32, 32)),  # neither batched nor unbatched
        (lambda m: m.MaxPool2d(5), (1, 3, 4, 4)),  # output size zero
    ],
)
def test_input_errors_are_torchs(make, shape):
    with pytest.raises(RuntimeError) as theirs:
        make(torch.nn)(torch.zeros(shape))
    with pytest.raises(RuntimeError, match=_escaped(theirs.value)):
        make(nn)(np.zeros(shape, np.float32))


def _escaped(err: BaseException) -> str:
    import re

    # torch prints sets of options, in an order that varies between runs: up to them
    return re.escape(str(err).split("\n")[0].split("{")[0])


# --- the tutorials' networks, run as written ------------------------------------------


def blitz_net(lib: types.ModuleType) -> Any:
    """The `Net` of PyTorch's "Deep Learning with PyTorch: A 60 Minute Blitz"
    (neural_networks_tutorial), as written."""
    nn_, F_ = lib.nn, lib.nn.functional

    class Net(nn_.Module):
        def __init__(self):
            super().__init__()
            # 1 input image channel, 6 output channels, 5x5 square convolution kernel
            self.conv1 = nn_.Conv2d(1, 6, 5)
            self.conv2 = nn_.Conv2d(6, 16, 5)
            # an affine operation: y = Wx + b
            self.fc1 = nn_.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
            self.fc2 = nn_.Linear(120, 84)
            self.fc3 = nn_.Linear(84, 10)

        def forward(self, input):
            c1 = F_.relu(self.conv1(input))
            s2 = F_.max_pool2d(c1, (2, 2))
            c3 = F_.relu(self.conv2(s2))
            s4 = F_.max_pool2d(c3, 2)
            s4 = lib.flatten(s4, 1)
            f5 = F_.relu(self.fc1(s4))
            f6 = F_.relu(self.fc2(f5))
            output = self.fc3(f6)
            return output

    return Net()


def mnist_net(lib: types.ModuleType) -> Any:
    """The `Net` of pytorch/examples' mnist/main.py, as written."""
    nn_, F_ = lib.nn, lib.nn.functional

    class Net(nn_.Module):
        def __init__(self):
            super(Net, self).__init__()  # noqa: UP008  # as the example writes it
            self.conv1 = nn_.Conv2d(1, 32, 3, 1)
            self.conv2 = nn_.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn_.Dropout(0.25)
            self.dropout2 = nn_.Dropout(0.5)
            self.fc1 = nn_.Linear(9216, 128)
            self.fc2 = nn_.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F_.relu(x)
            x = self.conv2(x)
            x = F_.relu(x)
            x = F_.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = lib.flatten(x, 1)
            x = self.fc1(x)
            x = F_.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F_.log_softmax(x, dim=1)
            return output

    return Net()


def _blitz_steps(lib: types.ModuleType, net: Any, data: np.ndarray, target: np.ndarray) -> dict:
    """The blitz's training loop (SGD lr 0.01, MSELoss against a random target)."""
    out: dict[str, Any] = {}
    optimizer = lib.optim.SGD(net.parameters(), lr=0.01)
    criterion = lib.nn.MSELoss()
    x, y = lib.tensor(data), lib.tensor(target)
    for step in range(3):
        optimizer.zero_grad()
        output = net(x)
        loss = criterion(output, y)
        loss.backward()
        out[f"loss {step}"] = loss.item()
        out[f"conv1.bias.grad {step}"] = net.conv1.bias.grad.detach().numpy().copy()
        out[f"conv2.weight.grad {step}"] = net.conv2.weight.grad.detach().numpy().copy()
        optimizer.step()
    return out


def _mnist_steps(lib: types.ModuleType, net: Any, data: np.ndarray, target: np.ndarray) -> dict:
    """The example's `train` loop (Adadelta lr 1.0, StepLR gamma 0.7 per epoch, nll_loss)
    for 2 epochs of 2 batches, dropout on (masks drawn alike after one seed)."""
    out: dict[str, Any] = {}
    optimizer = lib.optim.Adadelta(net.parameters(), lr=1.0)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    lib.manual_seed(3)
    for epoch in range(2):
        net.train()
        for batch in range(2):
            x = lib.tensor(data[batch * 4 : batch * 4 + 4])
            y = lib.tensor(target[batch * 4 : batch * 4 + 4])
            optimizer.zero_grad()
            output = net(x)
            loss = lib.nn.functional.nll_loss(output, y)
            loss.backward()
            optimizer.step()
            out[f"loss {epoch} {batch}"] = loss.item()
            out[f"conv1.weight.grad {epoch} {batch}"] = (
                net.conv1.weight.grad.detach().numpy().copy()
            )
        scheduler.step()
    net.eval()
    with lib.no_grad():
        out["eval"] = net(lib.tensor(data)).detach().numpy().copy()
    return out


def _same(ours: dict, theirs: dict, rtol: float = 1e-9) -> None:
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        np.testing.assert_allclose(ours[key], value, rtol=rtol, atol=1e-12, err_msg=key)


def test_blitz_net_trains_as_torchs():
    rng = np.random.default_rng(0)
    data, target = rng.normal(size=(2, 1, 32, 32)), rng.normal(size=(2, 10))
    torch.set_default_dtype(torch.float64)
    try:
        theirs_net = blitz_net(torch)
    finally:
        torch.set_default_dtype(torch.float32)
    ours_net = blitz_net(autograd).double()
    assert repr(ours_net) == repr(theirs_net)
    _copy_weights(ours_net, theirs_net)
    _same(
        _blitz_steps(autograd, ours_net, data, target),
        _blitz_steps(torch, theirs_net, data, target),
    )


def test_mnist_example_net_trains_as_torchs():
    rng = np.random.default_rng(1)
    data, target = rng.normal(size=(8, 1, 28, 28)), rng.integers(0, 10, 8)
    torch.set_default_dtype(torch.float64)
    try:
        theirs_net = mnist_net(torch)
    finally:
        torch.set_default_dtype(torch.float32)
    ours_net = mnist_net(autograd).double()
    _copy_weights(ours_net, theirs_net)
    _same(
        _mnist_steps(autograd, ours_net, data, target),
        _mnist_steps(torch, theirs_net, data, target),
    )


def test_padding_modes_of_f_pad_match_torch():
    data = np.random.default_rng(2).normal(size=(2, 3, 5, 6))
    for mode in ("reflect", "replicate", "circular"):
        x, tx = autograd.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        y, ty = (
            F.pad(x, (1, 2, 3, 0), mode=mode),
            torch.nn.functional.pad(tx, (1, 2, 3, 0), mode=mode),
        )
        _close(y.data, ty.detach().numpy())
        (y * y).sum().backward()
        (ty * ty).sum().backward()
        _close(x.grad.data, tx.grad.numpy())
    with pytest.raises(RuntimeError, match="too large"):
        F.pad(autograd.tensor(data), (6, 6), mode="reflect")
