"""Learning-rate schedules against their formulas and against torch's schedulers."""

import copy
import math

import numpy as np
import pytest

import optim
from autograd import Tensor
from optim import lr_scheduler

torch = pytest.importorskip("torch")  # the comparisons need it (CI installs it)


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
    ours_opt, theirs_opt = paired_optimizers()
    with pytest.raises(KeyError):
        torch.optim.lr_scheduler.StepLR(theirs_opt, step_size=1, last_epoch=4)
    with pytest.raises(KeyError, match=r"^param_groups\[0\] has no 'initial_lr'"):
        lr_scheduler.StepLR(ours_opt, step_size=1, last_epoch=4)


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
    ("StepLR", dict(step_size=1.0, gamma=0.95), 6),  # a float, as torch's nn.Transformer tutorial
    ("StepLR", dict(step_size=2.5, gamma=0.5), 12),
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


def paired_optimizers(name="SGD", lrs=(0.1, 0.4), **options):
    """The same optimizer (two groups by default) in gradwork and in torch."""
    ours = make_optimizer(lrs, cls=getattr(optim, name), **options)
    theirs = getattr(torch.optim, name)(
        [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs], **options
    )
    return ours, theirs


def group_values(optimizer):
    """Each group's lr, momentum and beta1 (where the optimizer has them)."""
    rows = []
    for group in optimizer.param_groups:
        row = [group["lr"]]
        if "momentum" in group:
            row.append(group["momentum"])
        if "betas" in group:
            row.append(group["betas"][0])
        rows.append(row)
    return rows


def assert_same_schedule(build, steps, name="SGD", rtol=1e-12, **options):
    """Run `build(lr_scheduler_module, optimizer)` with gradwork and with torch side by
    side for `steps` steps: lrs (get_last_lr and the groups'), momentum and betas agree
    at construction and after every step. Returns gradwork's optimizer and scheduler."""
    ours_opt, theirs_opt = paired_optimizers(name, **options)
    ours = build(lr_scheduler, ours_opt)
    theirs = build(torch.optim.lr_scheduler, theirs_opt)
    for step in range(steps + 1):
        message = f"step {step}"
        np.testing.assert_allclose(
            ours.get_last_lr(), theirs.get_last_lr(), rtol=rtol, atol=1e-300, err_msg=message
        )
        np.testing.assert_allclose(
            group_values(ours_opt), group_values(theirs_opt), rtol=rtol, err_msg=message
        )
        assert ours.get_last_lr() == [g["lr"] for g in ours_opt.param_groups]
        if step < steps:
            ours_opt.step()
            theirs_opt.step()
            ours.step()
            theirs.step()
    return ours_opt, ours


SEQUENTIAL = {
    "constant-then-exponential": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.1, total_iters=20), L.ExponentialLR(o, gamma=0.9)], [20]
    ),
    "linear-cosine-step": lambda L, o: L.SequentialLR(
        o,
        [
            L.LinearLR(o, start_factor=0.2, total_iters=4),
            L.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
            L.StepLR(o, step_size=5, gamma=0.5),
        ],
        [4, 25],
    ),
    # MultiplicativeLR has no closed form: at its milestone it scales the lr it finds
    "exponential-multiplicative-polynomial": lambda L, o: L.SequentialLR(
        o,
        [
            L.ExponentialLR(o, gamma=0.8),
            L.MultiplicativeLR(o, lambda t: 0.9 if t % 2 else 0.5),
            L.PolynomialLR(o, total_iters=6, power=1.5),
        ],
        [3, 11],
    ),
    "lambda-warm-restarts-multistep": lambda L, o: L.SequentialLR(
        o,
        [
            L.LambdaLR(o, lambda t: (t + 1) / 4),
            L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.005),
            L.MultiStepLR(o, milestones=[0, 2, 2, 7], gamma=0.6),
        ],
        [4, 30],
    ),
    # the first scheduler built sets initial_lr: CyclicLR sets it to its base_lr
    "cyclic-then-constant": lambda L, o: L.SequentialLR(
        o,
        [L.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3), L.ConstantLR(o, factor=0.5)],
        [15],
    ),
    "one-cycle-then-linear": lambda L, o: L.SequentialLR(
        o,
        [L.OneCycleLR(o, max_lr=1.0, total_steps=12), L.LinearLR(o, 0.5, 0.1, total_iters=9)],
        [12],
    ),
    # a chain first: its restart is not in initial mode, so ExponentialLR scales at once
    "chained-then-step": lambda L, o: L.SequentialLR(
        o,
        [
            L.ChainedScheduler([L.ConstantLR(o, factor=0.5), L.ExponentialLR(o, gamma=0.9)]),
            L.StepLR(o, step_size=3, gamma=0.1),
        ],
        [8],
    ),
    "one-scheduler": lambda L, o: L.SequentialLR(o, [L.ExponentialLR(o, 0.95)], []),
    "resumed-last-epoch": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.3, total_iters=2), L.ExponentialLR(o, 0.9)], [5], 3
    ),
}

CHAINED = {
    "constant-times-exponential": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.1, total_iters=20), L.ExponentialLR(o, gamma=0.9)]
    ),
    # cosine scales the distance to eta_min: chained it is not a plain product
    "linear-cosine-multistep": lambda L, o: L.ChainedScheduler(
        [
            L.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=10),
            L.CosineAnnealingLR(o, T_max=6, eta_min=0.02),
            L.MultiStepLR(o, milestones=[5, 17, 17], gamma=0.5),
        ],
        optimizer=o,
    ),
    "step-polynomial-multiplicative": lambda L, o: L.ChainedScheduler(
        [
            L.StepLR(o, step_size=4, gamma=0.7),
            L.PolynomialLR(o, total_iters=30, power=0.5),
            L.MultiplicativeLR(o, lambda t: 1.02),
        ]
    ),
    # LambdaLR and CyclicLR set the lr from base_lrs: what precedes them is overwritten
    "exponential-then-lambda": lambda L, o: L.ChainedScheduler(
        [L.ExponentialLR(o, gamma=0.5), L.LambdaLR(o, lambda t: 1 / (1 + t))]
    ),
    "cyclic-times-exponential": lambda L, o: L.ChainedScheduler(
        [L.CyclicLR(o, 0.01, 0.1, step_size_up=4, mode="triangular2"), L.ExponentialLR(o, 0.98)]
    ),
    "sequential-inside": lambda L, o: L.ChainedScheduler(
        [
            L.SequentialLR(
                o, [L.LinearLR(o, 0.1, total_iters=5), L.ExponentialLR(o, gamma=0.9)], [5]
            ),
            L.ConstantLR(o, factor=0.5, total_iters=12),
        ]
    ),
}


@pytest.mark.parametrize("build", SEQUENTIAL.values(), ids=SEQUENTIAL.keys())
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_sequential_lr_matches_torch(build, name):
    options = {"momentum": 0.9} if name == "SGD" else {}
    assert_same_schedule(build, 60, name, **options)


@pytest.mark.parametrize("build", CHAINED.values(), ids=CHAINED.keys())
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_chained_scheduler_matches_torch(build, name):
    options = {"momentum": 0.9} if name == "SGD" else {}
    assert_same_schedule(build, 60, name, **options)


def test_sequential_lr_restarts_each_schedule_at_its_milestone():
    opt = make_optimizer((1.0,))
    sched = lr_scheduler.SequentialLR(
        opt,
        [
            lr_scheduler.ExponentialLR(opt, gamma=0.5),
            lr_scheduler.StepLR(opt, step_size=2, gamma=0.1),
            lr_scheduler.ExponentialLR(opt, gamma=0.5),
        ],
        milestones=[3, 5],
    )
    lrs = lr_sequence(sched, 7)[:, 0]
    # epoch 3 restarts StepLR at its epoch 0 (base lr), epoch 5 the second ExponentialLR
    np.testing.assert_allclose(lrs, [1, 0.5, 0.25, 1, 1, 1, 0.5, 0.25])


def test_chained_scheduler_multiplies_the_factors():
    opt = make_optimizer((2.0,))
    sched = lr_scheduler.ChainedScheduler(
        [
            lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
            lr_scheduler.ExponentialLR(opt, gamma=0.9),
            lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=4),
        ]
    )
    lrs = lr_sequence(sched, 10)[:, 0]
    expected = [2.0 * 0.5 ** (t // 3) * 0.9**t * (0.1 if t < 4 else 1) for t in range(11)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-13)


CYCLIC = [
    dict(base_lr=0.01, max_lr=0.1, step_size_up=4),
    dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=7, mode="triangular2"),
    dict(base_lr=[0.001, 0.01], max_lr=[0.5, 0.05], step_size_up=5, mode="exp_range", gamma=0.97),
    dict(base_lr=0.02, max_lr=0.3, step_size_up=6, step_size_down=2, scale_fn=lambda x: 0.9**x),
    dict(
        base_lr=0.02,
        max_lr=0.3,
        step_size_up=4,
        scale_fn=lambda x: 1 / (1 + 0.1 * x),
        scale_mode="iterations",
    ),
    dict(base_lr=0.05, max_lr=0.2, step_size_up=2.5, step_size_down=0),
    dict(
        base_lr=0.01,
        max_lr=0.1,
        step_size_up=3,
        base_momentum=[0.5, 0.7],
        max_momentum=[0.95, 0.8],
    ),
    dict(base_lr=0.01, max_lr=0.1, step_size_up=3, cycle_momentum=False),
]


@pytest.mark.parametrize("options", CYCLIC, ids=range(len(CYCLIC)))
@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_cyclic_lr_matches_torch(options, name):
    extra = {"momentum": 0.9} if name == "SGD" else {}
    assert_same_schedule(lambda L, o: L.CyclicLR(o, **options), 200, name, **extra)


def test_cyclic_lr_without_momentum_cycle_on_adagrad_matches_torch():
    build = lambda L, o: L.CyclicLR(o, 0.1, 1.0, step_size_up=7, cycle_momentum=False)  # noqa: E731
    assert_same_schedule(build, 50, "Adagrad")


def test_cyclic_lr_triangle_by_hand():
    opt = make_optimizer((5.0,), momentum=0.0)
    sched = lr_scheduler.CyclicLR(opt, base_lr=1.0, max_lr=3.0, step_size_up=2, step_size_down=4)
    lrs, momenta = [], []
    for _ in range(13):
        lrs.append(sched.get_last_lr()[0])
        momenta.append(opt.param_groups[0]["momentum"])
        sched.step()
    np.testing.assert_allclose(lrs, [1, 2, 3, 2.5, 2, 1.5, 1, 2, 3, 2.5, 2, 1.5, 1])
    # momentum goes the other way, from max_momentum (0.9) to base_momentum (0.8)
    np.testing.assert_allclose(momenta, [0.9 - 0.05 * (lr - 1) for lr in lrs])


def resumed_run(build, steps, stop, name="SGD", **options):
    """lrs and momenta over `steps` steps, saving the optimizer's and the scheduler's
    state_dicts after `stop` steps and loading them into a freshly built optimizer and
    scheduler (the momentum a schedule set lives in the optimizer's groups)."""
    opt = make_optimizer((0.1, 0.4), cls=getattr(optim, name), **options)
    sched = build(lr_scheduler, opt)
    rows = [group_values(opt)]
    for _ in range(stop):
        sched.step()
        rows.append(group_values(opt))
    saved = copy.deepcopy(sched.state_dict())
    saved_opt = opt.state_dict()
    opt = make_optimizer((0.1, 0.4), cls=getattr(optim, name), **options)
    sched = build(lr_scheduler, opt)
    opt.load_state_dict(saved_opt)
    sched.load_state_dict(saved)
    assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups] == [r[0] for r in rows[-1]]
    for _ in range(steps - stop):
        sched.step()
        rows.append(group_values(opt))
    return rows


RESUMABLE = {
    **{f"sequential-{k}": v for k, v in SEQUENTIAL.items() if k != "resumed-last-epoch"},
    **{f"chained-{k}": v for k, v in CHAINED.items()},
    "cyclic": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9),
}


@pytest.mark.parametrize("build", RESUMABLE.values(), ids=RESUMABLE.keys())
@pytest.mark.parametrize("stop", [2, 9, 26])
def test_state_dict_round_trip_resumes_identically(build, stop):
    whole = resumed_run(build, 40, stop=40, momentum=0.9)
    resumed = resumed_run(build, 40, stop=stop, momentum=0.9)
    assert resumed == whole


class Halving:
    """A scale_fn with state: CyclicLR's state_dict keeps its attributes."""

    def __init__(self, base):
        self.base = base

    def __call__(self, x):
        return self.base**x


def test_cyclic_lr_state_dict_keeps_callable_objects_not_functions():
    opt = make_optimizer(momentum=0.9)
    sched = lr_scheduler.CyclicLR(opt, 0.1, 1.0, step_size_up=2, scale_fn=Halving(0.5))
    sched.scale_fn.__self__._scale_fn_custom.base = 0.25
    saved = sched.state_dict()
    assert saved["_scale_fn_custom"] == {"base": 0.25}
    other = lr_scheduler.CyclicLR(make_optimizer(momentum=0.9), 0.1, 1.0, 2, scale_fn=Halving(0.5))
    other.load_state_dict(saved)
    assert other.scale_fn(2) == 0.0625
    with_lambda = lr_scheduler.CyclicLR(opt, 0.1, 1.0, scale_fn=lambda x: 1.0)
    assert with_lambda.state_dict()["_scale_fn_custom"] is None


def not_a_scheduler(L, o):
    return object()


def plateau(L, o):
    return L.ReduceLROnPlateau(o)


def other_optimizer(L, o):
    other = type(o)([{"params": o.param_groups[0]["params"], "lr": 0.1}])
    return L.ExponentialLR(other, 0.9)


COMPOSITE_ERRORS = [
    (lambda L, o: L.SequentialLR(o, [], []), ValueError, "at least one scheduler"),
    (
        lambda L, o: L.SequentialLR(o, [L.ExponentialLR(o, 0.9), L.StepLR(o, 2)], []),
        ValueError,
        "one milestone fewer than schedulers: got 2 schedulers and 0 milestones",
    ),
    (
        lambda L, o: L.SequentialLR(o, [L.ExponentialLR(o, 0.9)], [3]),
        ValueError,
        "got 1 schedulers and 1 milestones",
    ),
    (lambda L, o: L.SequentialLR(o, [plateau(L, o)], []), ValueError, "ReduceLROnPlateau"),
    (lambda L, o: L.SequentialLR(o, [not_a_scheduler(L, o)], []), TypeError, "index 0"),
    (lambda L, o: L.SequentialLR(o, [other_optimizer(L, o)], []), ValueError, "another opt"),
    (lambda L, o: L.ChainedScheduler([]), ValueError, "at least one scheduler"),
    (
        lambda L, o: L.ChainedScheduler([L.StepLR(o, 2), plateau(L, o)]),
        ValueError,
        r"ReduceLROnPlateau \(at index 1\)",
    ),
    (
        lambda L, o: L.ChainedScheduler([L.StepLR(o, 2), not_a_scheduler(L, o)]),
        TypeError,
        "index 1",
    ),
    (lambda L, o: L.ChainedScheduler([not_a_scheduler(L, o)]), (TypeError, AttributeError), ""),
    (
        lambda L, o: L.ChainedScheduler([L.StepLR(o, 2), other_optimizer(L, o)]),
        ValueError,
        "index 1 \\(ExponentialLR\\) belongs to another optimizer",
    ),
    (
        lambda L, o: L.ChainedScheduler([L.StepLR(o, 2)], other_optimizer(L, o).optimizer),
        ValueError,
        "index 0",
    ),
    (lambda L, o: L.CyclicLR(o, 0.1, 1.0, mode="cosine"), ValueError, "invalid mode: 'cosine'"),
    (lambda L, o: L.CyclicLR(o, [0.1, 0.2, 0.3], 1.0), ValueError, "base_lr"),
    (lambda L, o: L.CyclicLR(o, 0.1, [1.0]), ValueError, "max_lr"),
    (lambda L, o: L.CyclicLR(o, 0.1, 1.0, max_momentum=[0.9]), ValueError, "max_momentum"),
    (lambda L, o: L.CyclicLR(object(), 0.1, 1.0), TypeError, "expected an Optimizer"),
]


@pytest.mark.parametrize(("build", "error", "message"), COMPOSITE_ERRORS)
def test_composite_and_cyclic_argument_errors_as_torch(build, error, message):
    ours_opt, theirs_opt = paired_optimizers(momentum=0.9)
    with pytest.raises(error):
        build(torch.optim.lr_scheduler, theirs_opt)
    with pytest.raises(error, match=message):
        build(lr_scheduler, ours_opt)


def test_cyclic_lr_needs_momentum_or_betas_to_cycle():
    ours_opt, theirs_opt = paired_optimizers("Adagrad")
    with pytest.raises(ValueError, match="momentum"):
        torch.optim.lr_scheduler.CyclicLR(theirs_opt, 0.1, 1.0)
    with pytest.raises(ValueError, match="Adagrad has neither 'momentum' nor 'betas'"):
        lr_scheduler.CyclicLR(ours_opt, 0.1, 1.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(step_size_up=0), "invalid step_size_up: 0"),
        (dict(step_size_down=-1), "invalid step_size_down: -1"),
        (dict(gamma=0.0, mode="exp_range"), "invalid gamma: 0.0"),
        (dict(scale_fn=abs, scale_mode="epochs"), "invalid scale_mode: 'epochs'"),
    ],
)
def test_cyclic_lr_invalid_options(options, message):
    with pytest.raises(ValueError, match=message):
        lr_scheduler.CyclicLR(make_optimizer(momentum=0.9), 0.1, 1.0, **options)


@pytest.mark.parametrize(("T_0", "T_mult", "eta_min"), [(5, 1, 0.0), (3, 2, 0.01), (2, 3, 0.0)])
def test_warm_restarts_fractional_epochs_match_torch(T_0, T_mult, eta_min):
    """The loop of torch's docs, ``step(epoch + i / iters)`` after each batch, then plain
    steps that carry on from the fractional position kept in ``T_cur``."""
    ours_opt, theirs_opt = paired_optimizers()
    ours = lr_scheduler.CosineAnnealingWarmRestarts(ours_opt, T_0, T_mult, eta_min)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs_opt, T_0, T_mult, eta_min)
    iters = 3
    for epoch in range(12):
        for i in range(iters):
            theirs_opt.step()
            ours.step(epoch + i / iters)
            theirs.step(epoch + i / iters)
            np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
    ours.step(2.5)
    theirs.step(2.5)
    for _ in range(15):
        theirs_opt.step()
        ours.step()
        theirs.step()
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        assert (ours.last_epoch, ours.T_cur, ours.T_i) == (
            theirs.last_epoch,
            theirs.T_cur,
            theirs.T_i,
        )
    restored = lr_scheduler.CosineAnnealingWarmRestarts(
        paired_optimizers()[0], T_0, T_mult, eta_min
    )
    restored.load_state_dict(ours.state_dict())
    ours.step(7.25)
    restored.step(7.25)
    theirs.step(7.25)
    np.testing.assert_allclose(restored.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
    with pytest.raises(ValueError):
        theirs.step(-1)
    with pytest.raises(ValueError, match="invalid epoch: -1"):
        ours.step(-1)


def test_warm_restarts_in_sequential_lr_restart_at_the_milestone():
    ours_opt, theirs_opt = paired_optimizers()
    L, T = lr_scheduler, torch.optim.lr_scheduler
    ours = L.SequentialLR(
        ours_opt, [L.ConstantLR(ours_opt, 0.5, 3), L.CosineAnnealingWarmRestarts(ours_opt, 4)], [5]
    )
    theirs = T.SequentialLR(
        theirs_opt,
        [T.ConstantLR(theirs_opt, 0.5, 3), T.CosineAnnealingWarmRestarts(theirs_opt, 4)],
        [5],
    )
    for _ in range(20):
        theirs_opt.step()
        ours.step()
        theirs.step()
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
