"""Learning-rate schedules against their formulas and against torch's schedulers."""

import math

import numpy as np
import pytest

import optim
from autograd import Tensor
from optim import lr_scheduler


def make_optimizer(lrs=(0.1,), cls=optim.SGD, **options):
    groups = [{"params": [Tensor(np.zeros(2), requires_grad=True)], "lr": lr} for lr in lrs]
    return cls(groups, **options)


def lr_sequence(scheduler, steps, metric=None):
    """lrs of every group at construction and after each step."""
    lrs = [scheduler.get_last_lr()]
    for i in range(steps):
        scheduler.optimizer.step()
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric(i))
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in scheduler.optimizer.param_groups]
    return np.array(lrs)


def test_step_lr_formula():
    sched = lr_scheduler.StepLR(make_optimizer((0.1, 1.0)), step_size=3, gamma=0.5)
    expected = [[0.1 * 0.5 ** (t // 3), 1.0 * 0.5 ** (t // 3)] for t in range(10)]
    np.testing.assert_allclose(lr_sequence(sched, 9), expected, rtol=1e-15)


def test_multistep_lr_formula_with_repeated_milestone():
    sched = lr_scheduler.MultiStepLR(make_optimizer(), milestones=[5, 2, 5], gamma=0.1)
    k = [0, 0, 1, 1, 1, 3, 3, 3]
    np.testing.assert_allclose(lr_sequence(sched, 7)[:, 0], [0.1 * 0.1**n for n in k])


def test_exponential_lr_formula():
    sched = lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.9)
    np.testing.assert_allclose(lr_sequence(sched, 6)[:, 0], [0.1 * 0.9**t for t in range(7)])


def test_cosine_annealing_formula():
    sched = lr_scheduler.CosineAnnealingLR(make_optimizer(), T_max=4, eta_min=0.01)
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(11)]
    lrs = lr_sequence(sched, 10)[:, 0]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert lrs[4] == pytest.approx(0.01) and lrs[8] == pytest.approx(0.1)


def test_lambda_lr_per_group_functions():
    sched = lr_scheduler.LambdaLR(make_optimizer((0.1, 0.2)), [lambda t: 1 / (t + 1), lambda t: t])
    expected = [[0.1 / (t + 1), 0.2 * t] for t in range(5)]
    np.testing.assert_allclose(lr_sequence(sched, 4), expected)
    assert "lr_lambdas" not in sched.state_dict()


def test_linear_lr_formula():
    sched = lr_scheduler.LinearLR(
        make_optimizer(), start_factor=0.25, end_factor=1.0, total_iters=4
    )
    expected = [0.1 * (0.25 + 0.75 * min(t, 4) / 4) for t in range(8)]
    np.testing.assert_allclose(lr_sequence(sched, 7)[:, 0], expected)


def test_one_cycle_phases():
    opt = make_optimizer(momentum=0.9)
    sched = lr_scheduler.OneCycleLR(
        opt, max_lr=1.0, total_steps=10, pct_start=0.3, div_factor=10.0, final_div_factor=100.0
    )
    lrs = lr_sequence(sched, 9)[:, 0]
    assert lrs[0] == pytest.approx(0.1)  # max_lr / div_factor
    assert lrs[2] == pytest.approx(1.0)  # the peak at step pct_start * total_steps - 1
    assert lrs[9] == pytest.approx(0.1 / 100)  # initial_lr / final_div_factor
    up = [1.0 + (0.1 - 1.0) / 2 * (math.cos(math.pi * t / 2) + 1) for t in range(3)]
    down = [0.001 + (1.0 - 0.001) / 2 * (math.cos(math.pi * (t - 2) / 7) + 1) for t in range(2, 10)]
    np.testing.assert_allclose(lrs, up + down[1:], rtol=1e-12)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)
    sched.step()  # one step past the end is allowed, as in torch
    with pytest.raises(ValueError, match="tried to step 11 times"):
        sched.step()


def test_one_cycle_linear_three_phase_cycles_beta1():
    opt = make_optimizer(cls=optim.Adam)
    sched = lr_scheduler.OneCycleLR(
        opt, max_lr=1.0, epochs=2, steps_per_epoch=5, anneal_strategy="linear", three_phase=True
    )
    lrs = lr_sequence(sched, 2)[:, 0]
    np.testing.assert_allclose(lrs, [0.04, 0.52, 1.0])
    assert opt.param_groups[0]["betas"] == (pytest.approx(0.85), 0.999)


def test_reduce_on_plateau_patience_cooldown_min_lr():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, min_lr=0.2)
    losses = [5, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3]
    lrs = lr_sequence(sched, len(losses), metric=lambda i: losses[i])[:, 0]
    # bad epochs: 2 at index 3 -> cut; cooldown eats index 4; 2 more at 5, 6 -> cut at 6
    np.testing.assert_allclose(lrs, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2])


def test_reduce_on_plateau_max_mode_abs_threshold():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.ReduceLROnPlateau(
        opt, mode="max", patience=0, threshold=0.1, threshold_mode="abs"
    )
    lrs = lr_sequence(sched, 3, metric=lambda i: [0.5, 0.65, 0.7][i])[:, 0]
    np.testing.assert_allclose(lrs, [1.0, 1.0, 1.0, 0.1])


def test_scheduler_state_dict_resume():
    sched = lr_scheduler.CosineAnnealingLR(make_optimizer(), T_max=10)
    lr_sequence(sched, 3)
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3
    opt2 = make_optimizer()
    sched2 = lr_scheduler.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(saved)
    sched.step()
    sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_initial_lr_is_kept_and_needed_to_resume():
    opt = make_optimizer((0.3,))
    lr_scheduler.StepLR(opt, step_size=1, gamma=0.5).step()
    assert opt.param_groups[0]["initial_lr"] == 0.3 and opt.param_groups[0]["lr"] == 0.15
    with pytest.raises(ValueError, match="has no 'initial_lr'"):
        lr_scheduler.StepLR(make_optimizer(), step_size=1, last_epoch=4)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0), "invalid start_factor: 0"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), r"invalid factor: 1\.0"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), "invalid mode: 'up'"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), "give either total_steps"),
        (
            lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"),
            "invalid anneal_strategy: 'exp'",
        ),
        (lambda o: lr_scheduler.StepLR(o, step_size=0), "invalid step_size: 0"),
        (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), "invalid T_0: 0"),
        (lambda o: lr_scheduler.ConstantLR(o, factor=2.0), r"invalid factor: 2\.0"),
        (lambda o: lr_scheduler.MultiplicativeLR(o, lambda t: -1.0).step(), "returned -1.0"),
    ],
)
def test_invalid_scheduler_options_raise(build, message):
    with pytest.raises(ValueError, match=message):
        build(make_optimizer(momentum=0.9))


TORCH_SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5), 12),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3), 12),
    ("ExponentialLR", dict(gamma=0.8), 12),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.001), 17),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=6), 12),
    ("LambdaLR", dict(lr_lambda=lambda t: 0.95**t + 0.1 * (t % 3)), 12),
    ("OneCycleLR", dict(max_lr=[0.5, 2.0], total_steps=20), 20),
    (
        "OneCycleLR",
        dict(max_lr=1.0, total_steps=15, anneal_strategy="linear", three_phase=True, pct_start=0.4),
        15,
    ),
    ("OneCycleLR", dict(max_lr=1.0, epochs=3, steps_per_epoch=4, cycle_momentum=False), 12),
    ("CosineAnnealingWarmRestarts", dict(T_0=3), 12),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=2, eta_min=0.01), 20),
    ("PolynomialLR", dict(total_iters=6), 10),
    ("PolynomialLR", dict(total_iters=4, power=2.5), 8),
    ("ConstantLR", dict(factor=0.25, total_iters=3), 6),
    ("ConstantLR", dict(), 7),
    ("MultiplicativeLR", dict(lr_lambda=lambda t: 0.9 if t % 2 else 0.95), 10),
]


@pytest.mark.parametrize(
    ("cls_name", "options", "steps"),
    TORCH_SCHEDULES,
    ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(TORCH_SCHEDULES)],
)
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_schedule_matches_torch(cls_name, options, steps, opt_name):
    torch = pytest.importorskip("torch")
    ours_opt = (
        make_optimizer((0.1, 0.4), cls=getattr(optim, opt_name), momentum=0.9)
        if opt_name == "SGD"
        else make_optimizer((0.1, 0.4), cls=optim.Adam)
    )
    theirs_opt = getattr(torch.optim, opt_name)(
        [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in (0.1, 0.4)],
        **({"momentum": 0.9} if opt_name == "SGD" else {}),
    )
    ours = getattr(lr_scheduler, cls_name)(ours_opt, **options)
    theirs = getattr(torch.optim.lr_scheduler, cls_name)(theirs_opt, **options)
    for step in range(steps + 1):
        np.testing.assert_allclose(
            ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-9, err_msg=f"step {step}"
        )
        for key in ("momentum", "betas"):
            if key in ours_opt.param_groups[0]:
                for a, b in zip(ours_opt.param_groups, theirs_opt.param_groups):
                    np.testing.assert_allclose(a[key], b[key], rtol=1e-9)
        if step < steps:
            theirs_opt.step()
            ours.step()
            theirs.step()


@pytest.mark.parametrize(
    "options",
    [
        dict(factor=0.5, patience=2),
        dict(mode="max", factor=0.3, patience=1, threshold=0.05, cooldown=2),
        dict(factor=0.5, patience=0, threshold_mode="abs", threshold=0.2, min_lr=[0.02, 0.1]),
    ],
)
def test_reduce_on_plateau_matches_torch(options):
    torch = pytest.importorskip("torch")
    ours_opt = make_optimizer((0.1, 0.4))
    theirs_opt = torch.optim.SGD(
        [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in (0.1, 0.4)]
    )
    ours = lr_scheduler.ReduceLROnPlateau(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **options)
    metrics = np.random.default_rng(0).uniform(0, 1, size=40).cumsum() % 1.7
    for metric in metrics:
        ours.step(metric)
        theirs.step(metric)
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
