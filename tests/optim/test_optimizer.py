"""The Optimizer base: groups, validation, zero_grad, closures, state_dict, in place."""

from typing import Any

import numpy as np
import pytest
from optim_cases import CASES, CLASSES, least_squares

import optim
from autograd import Tensor

ALL_NAMES = sorted(CLASSES)
# One case with its main options per optimizer, for the behaviour every one shares.
RICH_CASES = {name: options for name, options in CASES}


def param(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def set_grads(params, loss_and_grads):
    loss, grads = loss_and_grads(*(p.data for p in params))
    for p, g in zip(params, grads):
        p.grad = Tensor(g)
    return loss


def train(opt, params, loss_and_grads, steps):
    for _ in range(steps):
        set_grads(params, loss_and_grads)
        opt.step()


@pytest.mark.parametrize("name", ALL_NAMES)
def test_state_dict_round_trip_resumes_bitwise(name):
    options = RICH_CASES[name]
    arrays, loss_and_grads = least_squares()
    straight = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    train(optim.get(CLASSES.get(name, name), straight, **options), straight, loss_and_grads, 10)

    first = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = optim.get(CLASSES.get(name, name), first, **options)
    train(opt, first, loss_and_grads, 5)
    saved = opt.state_dict()
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    # the options come back from the state dict
    opt2 = optim.get(CLASSES.get(name, name), resumed, lr=123.0)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == options["lr"]
    train(opt2, resumed, loss_and_grads, 5)
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_state_dict_is_plain_deep_copied_data(name):
    arrays, loss_and_grads = least_squares()
    params = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = optim.get(CLASSES.get(name, name), params, **RICH_CASES[name])
    train(opt, params, loss_and_grads, 2)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1]
    # a parameter with an empty state (SGD without momentum) is left out, as in torch
    assert set(saved["state"]) == {i for i, p in enumerate(params) if opt.state[p]}
    for index, state in saved["state"].items():
        for key, value in state.items():
            assert isinstance(value, (np.ndarray, int, float)), (key, type(value))
            if isinstance(value, np.ndarray):
                assert not np.shares_memory(value, params[index].data)
                assert all(value is not v for v in opt.state[params[index]].values())
    before = {k: {n: np.copy(v) for n, v in s.items()} for k, s in saved["state"].items()}
    train(opt, params, loss_and_grads, 1)
    for index, state in saved["state"].items():
        for key, value in state.items():
            np.testing.assert_array_equal(value, before[index][key])


def test_state_keys_follow_torch():
    arrays, loss_and_grads = least_squares()
    expected = {
        ("sgd", ()): set(),
        ("sgd", (("momentum", 0.9),)): {"momentum_buffer"},
        ("adagrad", ()): {"step", "sum"},
        ("adadelta", ()): {"step", "square_avg", "acc_delta"},
        ("rmsprop", (("centered", True), ("momentum", 0.9))): {
            "step",
            "square_avg",
            "grad_avg",
            "momentum_buffer",
        },
        ("adam", ()): {"step", "exp_avg", "exp_avg_sq"},
        ("adam", (("amsgrad", True),)): {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
        ("adamax", ()): {"step", "exp_avg", "exp_inf"},
        ("nadam", ()): {"step", "mu_product", "exp_avg", "exp_avg_sq"},
        ("radam", ()): {"step", "exp_avg", "exp_avg_sq"},
        ("lion", ()): {"step", "exp_avg"},
        ("asgd", ()): {"step", "eta", "mu", "ax"},
    }
    for (name, options), keys in expected.items():
        params = [Tensor(a.copy(), requires_grad=True) for a in arrays]
        opt = optim.get(CLASSES.get(name, name), params, **dict(options))
        train(opt, params, loss_and_grads, 2)
        assert set(opt.state[params[0]]) == keys, name
        if "step" in keys:
            assert opt.state[params[0]]["step"] == 2
    params = [Tensor(a.copy(), requires_grad=True) for a in arrays]  # a matrix and a vector
    opt = optim.Adafactor(params)
    train(opt, params, loss_and_grads, 2)
    assert set(opt.state[params[0]]) == {"step", "row_var", "col_var"}
    assert set(opt.state[params[1]]) == {"step", "variance"}


def test_load_state_dict_rejects_mismatched_groups():
    a, b = param(1.0), param(2.0, 3.0)
    saved = optim.Adam([a, b]).state_dict()
    with pytest.raises(ValueError, match="1 parameter groups, this optimizer has 2"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match="has 2 parameters, this optimizer's has 1"):
        optim.Adam([a]).load_state_dict(saved)


def test_load_state_dict_rejects_wrong_shape():
    a = param(1.0, 2.0)
    a.grad = Tensor(np.ones(2))
    opt = optim.Adam([a])
    opt.step()
    with pytest.raises(ValueError, match=r"'exp_avg' has shape \(2,\), its parameter has"):
        optim.Adam([param(1.0, 2.0, 3.0)]).load_state_dict(opt.state_dict())


def test_load_state_dict_casts_to_parameter_dtype():
    a = param(1.0, 2.0)
    a.grad = Tensor(np.ones(2))
    opt = optim.Adam([a])
    opt.step()
    b = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    opt32 = optim.Adam([b])
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[b]["exp_avg"].dtype == np.float32


@pytest.mark.parametrize("name", ALL_NAMES)
def test_step_updates_data_in_place(name):
    arrays, loss_and_grads = least_squares()
    params = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    held = [p.data for p in params]  # arrays the caller keeps: they see every update
    before = [p.data.copy() for p in params]
    opt = optim.get(CLASSES.get(name, name), params, **RICH_CASES[name])
    train(opt, params, loss_and_grads, 3)
    grads = [p.grad.data.copy() for p in params]
    opt.step()
    assert all(p.data is h for p, h in zip(params, held))
    assert all(not np.array_equal(p.data, b) for p, b in zip(params, before))
    for p, g in zip(params, grads):  # the gradient itself is never modified
        np.testing.assert_array_equal(p.grad.data, g)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_step_skips_params_without_grad(name):
    a, b = param(1.0, -1.0), param(2.0, -2.0)
    a.grad = Tensor(np.array([0.5, 0.5]))
    opt = optim.get(CLASSES.get(name, name), [a, b], lr=0.1)
    opt.step()
    np.testing.assert_array_equal(b.data, [2.0, -2.0])
    assert b not in opt.state
    assert not np.array_equal(a.data, [1.0, -1.0])


def test_param_groups_use_their_own_options():
    a, b = param(1.0), param(1.0)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.0
    a.grad, b.grad = Tensor(np.array([1.0])), Tensor(np.array([1.0]))
    opt.step()
    np.testing.assert_allclose(a.data, [0.9])
    np.testing.assert_allclose(b.data, [0.5])


def test_add_param_group_adds_params_with_defaults():
    a, b = param(1.0), param(1.0)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "betas": (0.5, 0.9)})
    assert opt.param_groups[1]["lr"] == 0.1
    assert opt.param_groups[1]["betas"] == (0.5, 0.9)
    assert opt.param_groups[1]["params"] == [b]
    b.grad = Tensor(np.array([2.0]))
    opt.step()
    np.testing.assert_allclose(b.data, [0.9], rtol=1e-6)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="invalid lr: -1"):
        opt.add_param_group({"params": [param(0.0)], "lr": -1})


def test_zero_grad_set_to_none():
    a, b = param(1.0), param(2.0)
    a.grad = Tensor(np.array([3.0]))
    opt = optim.SGD([a, b])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_zero_grad_in_place_keeps_the_gradient_array():
    a = param(1.0, 2.0)
    a.grad = Tensor(np.array([3.0, 4.0]))
    grad, data = a.grad, a.grad.data
    optim.SGD([a]).zero_grad(set_to_none=False)
    assert a.grad is grad and a.grad.data is data
    np.testing.assert_array_equal(data, [0.0, 0.0])


def test_step_with_closure_returns_its_loss_and_uses_fresh_grads():
    w = param(3.0)
    opt = optim.SGD([w], lr=0.25)
    calls = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        calls.append(loss.item())
        return loss

    loss = opt.step(closure)
    assert loss.item() == 9.0 and calls == [9.0]
    np.testing.assert_allclose(w.data, [3.0 - 0.25 * 6.0])
    assert opt.step() is None


def test_works_with_autograd_backward():
    w = param(1.0, -2.0)
    opt = optim.Adam([w], lr=0.1)
    for _ in range(50):
        opt.zero_grad()
        ((w - 3.0) * (w - 3.0)).sum().backward()
        opt.step()
    assert np.all(np.abs(w.data - 3.0) < np.abs(np.array([1.0, -2.0]) - 3.0) / 2)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), r"invalid lr: -0\.1"),
        (lambda p: optim.SGD(p, momentum=-0.5), r"invalid momentum: -0\.5"),
        (lambda p: optim.SGD(p, weight_decay=-1e-3), r"invalid weight_decay: -0\.001"),
        (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires momentum > 0"),
        (
            lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
            r"dampening = 0, got momentum=0\.9, dampening=0\.1",
        ),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), r"invalid beta at index 0: 1\.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), r"invalid beta at index 1: -0\.1"),
        (lambda p: optim.AdamW(p, eps=-1e-8), r"invalid eps: -1e-08"),
        (lambda p: optim.Lion(p, betas=(0.9, 1.5)), r"invalid beta at index 1: 1\.5"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "invalid lr_decay: -1"),
        (
            lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
            "invalid initial_accumulator_value: -1",
        ),
        (lambda p: optim.Adadelta(p, rho=1.1), r"invalid rho: 1\.1"),
        (lambda p: optim.RMSprop(p, alpha=-0.9), r"invalid alpha: -0\.9"),
        (lambda p: optim.NAdam(p, momentum_decay=-1), "invalid momentum_decay: -1"),
        (lambda p: optim.SGD([{"params": p, "lr": -2}]), "invalid lr: -2"),
    ],
)
def test_invalid_options_raise(build, message):
    with pytest.raises(ValueError, match=message):
        build([param(1.0)])


def test_invalid_params_raise():
    a = param(1.0)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="can only optimize Tensors, got ndarray"):
        optim.SGD([np.zeros(2)])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}])
    with pytest.raises(ValueError, match="same parameter more than once"):
        optim.SGD([a, a])
    with pytest.raises(TypeError, match="got a Tensor: pass"):
        optim.SGD(a)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([a * 2.0])


def test_repr_lists_groups_and_options():
    text = repr(optim.SGD([param(1.0)], lr=0.5))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.5" in text


def test_repr_of_two_groups_is_laid_out_as_torchs():
    torch = pytest.importorskip("torch")
    ours = optim.Adam([{"params": [param(1.0)]}, {"params": [param(2.0)], "lr": 0.5}])
    theirs = torch.optim.Adam(
        [{"params": [torch.zeros(1, requires_grad=True)]}, {"params": [], "lr": 0.5}]
    )
    assert repr(ours) == repr(theirs)


def test_frozen_parameters_are_taken_and_skipped_as_torch():
    """The fine-tuning recipe: every parameter goes to the optimizer, the frozen ones
    stay as they are until they are unfrozen."""
    torch = pytest.importorskip("torch")
    start = np.array([1.0, -2.0])
    frozen, trained = Tensor(start.copy()), param(0.5)
    tfrozen = torch.tensor(start)
    ttrained = torch.tensor(np.array([0.5]), requires_grad=True)
    ours = optim.SGD([frozen, trained], lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD([tfrozen, ttrained], lr=0.1, momentum=0.9)
    for step in range(6):
        if step == 3:
            frozen.requires_grad = True
            tfrozen.requires_grad_(True)
        for opt, a, b in [(ours, frozen, trained), (theirs, tfrozen, ttrained)]:
            opt.zero_grad()
            ((a * b) ** 2).sum().backward()
            opt.step()
        np.testing.assert_allclose(frozen.data, tfrozen.detach().numpy(), rtol=1e-14)
        np.testing.assert_allclose(trained.data, ttrained.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert not np.array_equal(frozen.data, start)


def step_both(opt: optim.Optimizer, ref: Any, loss_and_grads: Any, steps: int) -> None:
    """`steps` steps of our optimizer and torch's `ref` on the same gradients (ours
    computed by `set_grads`, copied to torch's parameters)."""
    import torch

    ours = [p for group in opt.param_groups for p in group["params"]]
    theirs = [p for group in ref.param_groups for p in group["params"]]
    for _ in range(steps):
        set_grads(ours, loss_and_grads)
        for p, q in zip(theirs, ours, strict=True):
            p.grad = torch.from_numpy(q.grad.data.copy())
        opt.step()
        ref.step()


@pytest.mark.parametrize(
    ("name", "options"),
    [("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.1})],
)
def test_state_dict_lists_the_states_torch_lists(name, options):
    """SGD without momentum keeps no state: torch's `state_dict()["state"]` is empty,
    not one empty dict per parameter."""
    torch = pytest.importorskip("torch")
    arrays, loss_and_grads = least_squares()
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    opt, ref = getattr(optim, name)(ours, **options), getattr(torch.optim, name)(theirs, **options)
    step_both(opt, ref, loss_and_grads, 2)
    mine, expected = opt.state_dict()["state"], ref.state_dict()["state"]
    assert {k: sorted(v) for k, v in mine.items()} == {k: sorted(v) for k, v in expected.items()}
    resumed = getattr(optim, name)([Tensor(a.copy(), requires_grad=True) for a in arrays])
    resumed.load_state_dict(opt.state_dict())
    assert resumed.state_dict()["state"].keys() == mine.keys()


@pytest.mark.parametrize(
    "name",
    [
        "SGD",
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Adamax",
        "NAdam",
        "RAdam",
        "ASGD",
        "Rprop",
    ],
)
def test_default_groups_print_as_torchs(name):
    """The options a state_dict lists, in torch's order with torch's default values
    (``weight_decay: 0``, not 0.0, and torch's foreach, capturable, differentiable and
    fused), as the "What is a state_dict" recipe prints them; but SGD's default lr,
    which the contract keeps at 1e-2."""
    torch = pytest.importorskip("torch")
    ours = getattr(optim, name)([param(1.0, 2.0)]).state_dict()["param_groups"][0]
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    expected = theirs.state_dict()["param_groups"][0]
    if name == "SGD":
        expected["lr"] = 1e-2
    assert repr(ours) == repr(expected)


@pytest.mark.parametrize(
    ("name", "implementation"),
    [
        (name, implementation)
        for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]
        for implementation in [{"foreach": False}, {"foreach": True}, {"fused": True}]
        if not (name == "RMSprop" and "fused" in implementation)  # torch's has no fused
    ],
)
def test_torchs_implementation_options_give_torchs_numbers(name, implementation):
    """``foreach=False`` runs the per-parameter reference, ``foreach``/``fused`` True
    the multi-tensor path where it applies; the numbers are torch's either way."""
    torch = pytest.importorskip("torch")
    arrays, loss_and_grads = least_squares()
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    opt = getattr(optim, name)(ours, lr=0.01, **implementation)
    ref = getattr(torch.optim, name)(theirs, lr=0.01, **implementation)
    step_both(opt, ref, loss_and_grads, 5)
    assert bool(opt._flat) is (implementation.get("foreach") is not False and opt.elementwise)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert opt.state_dict()["param_groups"][0].items() >= implementation.items()


def test_torchs_implementation_options_are_checked():
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        optim.Adam([param(1.0)], foreach=True, fused=True)
    with pytest.raises(ValueError, match="capturable=True is for CUDA graphs"):
        optim.Adam([param(1.0)], capturable=True)
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        optim.SGD([param(1.0)], differentiable=True)
    with pytest.raises(TypeError, match="foreach"):
        optim.SGD([param(1.0)], foreach="yes")
