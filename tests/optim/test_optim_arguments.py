"""Optimizer and scheduler arguments are checked at construction, and a scheduler
resumes with PyTorch's lr sequence in either order of loading."""

from __future__ import annotations

import numpy as np
import pytest

import optim
from autograd import Tensor
from optim import lr_scheduler


def _params():
    return [Tensor(np.zeros(3), requires_grad=True)]


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda p: optim.Adam(p, betas=(0.9,)), ValueError, r"invalid betas: \(0\.9,\).*pair"),
        (lambda p: optim.Adam(p, betas=(0.9, 0.99, 0.9)), ValueError, "pair"),
        (lambda p: optim.Adam(p, betas=0.9), ValueError, "pair"),
        (lambda p: optim.Adam(p, betas=(0.9, "0.99")), TypeError, "beta at index 1"),
        (lambda p: optim.Adam(p, lr="0.1"), TypeError, r"Adam: invalid lr: '0\.1'"),
        (lambda p: optim.SGD(p, lr=float("nan")), ValueError, r"lr: nan \(must be >= 0\)"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=True), TypeError, "momentum"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov="yes"), TypeError, "nesterov"),
        (lambda p: optim.Adam(p, amsgrad=1), TypeError, "amsgrad"),
        (lambda p: optim.RMSprop(p, eps=-1e-8), ValueError, r"eps: -1e-08 \(must be >= 0\)"),
    ],
)
def test_optimizer_arguments_are_checked_at_construction(make, error, match):
    with pytest.raises(error, match=match):
        make(_params())


def _opt(lr=1.0):
    return optim.SGD(_params(), lr=lr)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=-1), ValueError, r"gamma: -1 \(must be > 0"),
        (lambda o: lr_scheduler.StepLR(o, step_size="2"), TypeError, "step_size"),
        (lambda o: lr_scheduler.StepLR(o, step_size=0.0), ValueError, "step_size"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma="0.1"), TypeError, "gamma"),
        (lambda o: lr_scheduler.MultiStepLR(o, [2, 4.5]), TypeError, "milestone"),
        (lambda o: lr_scheduler.LinearLR(o, total_iters=0), ValueError, "total_iters: 0"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, 5, eta_min=-1), ValueError, "eta_min"),
        (lambda o: lr_scheduler.LambdaLR(o, lambda e: -1.0), ValueError, r"returned -1\.0"),
        (lambda o: lr_scheduler.LambdaLR(o, [0.5]), TypeError, "lr_lambda"),
        (lambda o: lr_scheduler.StepLR(o, 2, last_epoch=-2), ValueError, "last_epoch"),
    ],
)
def test_scheduler_arguments_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make(_opt())


def test_lambda_lr_refuses_a_negative_factor_when_it_appears():
    sched = lr_scheduler.LambdaLR(_opt(), lambda e: 1.0 - e)
    sched.step()  # factor 0: allowed
    with pytest.raises(ValueError, match=r"lr_lambda\(2\) returned -1"):
        sched.step()


def _lrs_resumed(build, order, stop=4, total=9):
    """lrs of a run stopped after `stop` epochs and resumed in a fresh optimizer."""
    opt = _opt()
    sched = build(opt)
    lrs = []
    for _ in range(stop):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    opt = _opt()
    if order == "scheduler first":  # the documented order
        sched = build(opt)
        opt.load_state_dict(saved_opt)
    else:
        opt.load_state_dict(saved_opt)
        sched = build(opt)
    sched.load_state_dict(saved_sched)
    for _ in range(stop, total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


SCHEDULES = {
    "step": lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
    "exponential": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
    "linear": lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=6),
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=6),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@pytest.mark.parametrize("order", ["scheduler first", "optimizer first"])
def test_resumed_schedule_continues_in_either_order(name, order):
    build = SCHEDULES[name]
    opt = _opt()
    sched = build(opt)
    straight = []
    for _ in range(9):
        straight.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(_lrs_resumed(build, order), straight, rtol=1e-15)


@pytest.mark.parametrize("order", ["scheduler first", "optimizer first"])
def test_resumed_step_lr_matches_torch(order):
    torch = pytest.importorskip("torch")

    def run():
        opt = torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr=1.0)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        lrs = []
        for _ in range(4):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
        opt = torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr=1.0)
        if order == "scheduler first":
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
            opt.load_state_dict(saved_opt)
        else:
            opt.load_state_dict(saved_opt)
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        sched.load_state_dict(saved_sched)
        for _ in range(4, 9):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return lrs

    assert _lrs_resumed(SCHEDULES["step"], order) == run()
