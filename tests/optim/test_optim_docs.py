"""The code of torch.optim's documentation page ("How to use an optimizer", "How to
adjust learning rate"), run with gradwork and with torch from the same weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
from torch_pairs import assert_same_weights, float64, loss, net, pair, train_step

import autograd
import nn
import optim
from optim import lr_scheduler

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _float64():
    with float64(torch):
        yield


def per_parameter_groups(lib, model, named=False):
    """The docs' per-parameter options: the base at lr 1e-2, the classifier at the
    default 1e-3, both with momentum 0.9."""
    params = "named_parameters" if named else "parameters"
    return lib.SGD(
        [
            {"params": getattr(model.base, params)(), "lr": 1e-2},
            {"params": getattr(model.classifier, params)()},
        ],
        lr=1e-3,
        momentum=0.9,
    )


def run_both(ours, theirs, opt, ref, steps, rtol=1e-10):
    for _ in range(steps):
        assert train_step(ours, opt, autograd) == pytest.approx(
            train_step(theirs, ref, torch), rel=rtol
        )


def assert_same_state_dict_layout(opt, ref):
    """Groups equal key by key, in torch's key order; state keyed alike."""
    mine, expected = opt.state_dict(), ref.state_dict()
    assert [list(g.items()) for g in mine["param_groups"]] == [
        list(g.items()) for g in expected["param_groups"]
    ]
    assert {k: sorted(v) for k, v in mine["state"].items()} == {
        k: sorted(v) for k, v in expected["state"].items()
    }


@pytest.mark.parametrize("named", [False, True], ids=["parameters", "named_parameters"])
def test_per_parameter_options_match_torch(named):
    ours, theirs = pair(torch)
    opt = per_parameter_groups(optim, ours, named)
    ref = per_parameter_groups(torch.optim, theirs, named)
    run_both(ours, theirs, opt, ref, 10)
    assert_same_weights(ours, theirs)
    assert_same_state_dict_layout(opt, ref)
    assert repr(opt) == repr(ref)


def test_named_parameters_are_taken_as_torch_takes_them():
    """``SGD(model.named_parameters())``: the names are kept in ``param_names``."""
    ours, theirs = pair(torch)
    opt = optim.Adam(ours.named_parameters(), lr=1e-2)
    ref = torch.optim.Adam(theirs.named_parameters(), lr=1e-2)
    assert opt.param_groups[0]["param_names"] == ref.param_groups[0]["param_names"]
    assert list(opt.param_groups[0]) == list(ref.param_groups[0])
    run_both(ours, theirs, opt, ref, 5)
    assert_same_weights(ours, theirs)
    assert_same_state_dict_layout(opt, ref)


@pytest.mark.parametrize(
    "build",
    [
        lambda lib, m: lib.SGD([("w", m.base.weight), m.base.bias], lr=0.1),
        lambda lib, m: lib.SGD(
            [{"params": m.base.named_parameters()}, {"params": m.classifier.parameters()}]
        ),
        lambda lib, m: lib.SGD(
            [{"params": m.base.parameters()}, {"params": m.classifier.named_parameters()}]
        ),
        lambda lib, m: lib.SGD(m.base.parameters()).add_param_group(
            {"params": m.classifier.named_parameters()}
        ),
    ],
    ids=["pairs-and-tensors", "named-then-not", "not-then-named", "add-named-group"],
)
def test_named_and_unnamed_parameters_mixed_raise_as_torch(build):
    ours, theirs = pair(torch)
    with pytest.raises(ValueError) as expected:
        build(torch.optim, theirs)
    with pytest.raises(ValueError, match="with/without names") as error:
        build(optim, ours)
    assert str(error.value) == str(expected.value)


def test_load_state_dict_keeps_or_takes_parameter_names_as_torch():
    ours, theirs = pair(torch)
    unnamed = optim.SGD(ours.parameters(), lr=0.1).state_dict()
    unnamed_ref = torch.optim.SGD(theirs.parameters(), lr=0.1).state_dict()
    opt = optim.SGD(ours.named_parameters(), lr=0.5)
    ref = torch.optim.SGD(theirs.named_parameters(), lr=0.5)
    opt.load_state_dict(unnamed)
    ref.load_state_dict(unnamed_ref)
    assert opt.param_groups[0]["param_names"] == ref.param_groups[0]["param_names"]
    assert opt.param_groups[0]["lr"] == ref.param_groups[0]["lr"] == 0.1
    plain = optim.SGD(ours.parameters())
    plain_ref = torch.optim.SGD(theirs.parameters())
    plain.load_state_dict(opt.state_dict())
    plain_ref.load_state_dict(ref.state_dict())
    assert plain.param_groups[0]["param_names"] == plain_ref.param_groups[0]["param_names"]


def test_lbfgs_step_with_closure_matches_torch():
    ours, theirs = pair(torch)
    opt, ref = optim.LBFGS(ours.parameters(), lr=1), torch.optim.LBFGS(theirs.parameters(), lr=1)
    for _ in range(4):
        assert train_step(ours, opt, autograd) == pytest.approx(
            train_step(theirs, ref, torch), rel=1e-8
        )
    assert_same_weights(ours, theirs, rtol=1e-7)


def test_add_param_group_while_training_matches_torch():
    ours, theirs = pair(torch)
    opt = optim.Adam(ours.base.parameters(), lr=1e-2)
    ref = torch.optim.Adam(theirs.base.parameters(), lr=1e-2)
    run_both(ours, theirs, opt, ref, 3)
    group = {"lr": 1e-3, "betas": (0.8, 0.9)}
    opt.add_param_group({"params": ours.classifier.parameters(), **group})
    ref.add_param_group({"params": theirs.classifier.parameters(), **group})
    run_both(ours, theirs, opt, ref, 5)
    assert_same_weights(ours, theirs)
    assert_same_state_dict_layout(opt, ref)
    assert repr(opt) == repr(ref)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {"lr": 1e-2, "momentum": 0.9, "nesterov": True}),
        ("Adam", {"lr": 1e-2, "amsgrad": True}),
        ("AdamW", {"lr": 1e-2}),
        ("RMSprop", {"lr": 1e-3, "centered": True, "momentum": 0.5}),
        ("Adagrad", {"lr": 1e-2}),
        ("Adadelta", {}),
        ("Adamax", {}),
        ("NAdam", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
        ("RAdam", {}),
        ("ASGD", {"t0": 2}),
        ("Rprop", {}),
        ("LBFGS", {"history_size": 3, "max_iter": 4}),
    ],
)
def test_saving_and_loading_into_a_fresh_model_continues_as_torch(name, options):
    """Save model and optimizer after some steps, load both into new ones, go on."""
    rtol = 1e-7 if name == "LBFGS" else 1e-10  # its line search magnifies rounding
    ours, theirs = pair(torch)
    opt = getattr(optim, name)(ours.parameters(), **options)
    ref = getattr(torch.optim, name)(theirs.parameters(), **options)
    run_both(ours, theirs, opt, ref, 4, rtol)
    assert_same_state_dict_layout(opt, ref)
    ours2, theirs2 = net(nn), net(torch.nn)
    ours2.load_state_dict(ours.state_dict())
    theirs2.load_state_dict(theirs.state_dict())
    opt2 = getattr(optim, name)(ours2.parameters(), **options)
    ref2 = getattr(torch.optim, name)(theirs2.parameters(), **options)
    opt2.load_state_dict(opt.state_dict())
    ref2.load_state_dict(ref.state_dict())
    run_both(ours2, theirs2, opt2, ref2, 4, rtol)
    assert_same_weights(ours2, theirs2, rtol)


def two_groups(lib, kind="SGD", **options):
    params = [lib.zeros(3, requires_grad=True), lib.zeros(2, requires_grad=True)]
    return getattr(lib.optim if lib is torch else optim, kind)(
        [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}],
        **(options or {"lr": 0.1, "momentum": 0.9}),
    )


def lrs(opt):
    return [group["lr"] for group in opt.param_groups]


def test_the_docs_two_schedulers_stepped_each_epoch_match_torch():
    """``ExponentialLR(gamma=0.9)`` then ``MultiStepLR([30, 80], 0.1)``, both stepped."""
    opt, ref = two_groups(autograd), two_groups(torch)
    mine = [
        lr_scheduler.ExponentialLR(opt, gamma=0.9),
        lr_scheduler.MultiStepLR(opt, milestones=[30, 80], gamma=0.1),
    ]
    theirs = [
        torch.optim.lr_scheduler.ExponentialLR(ref, gamma=0.9),
        torch.optim.lr_scheduler.MultiStepLR(ref, milestones=[30, 80], gamma=0.1),
    ]
    for epoch in range(100):
        opt.step()
        ref.step()
        for a, b in zip(mine, theirs):
            a.step()
            b.step()
            np.testing.assert_allclose(a.get_last_lr(), b.get_last_lr(), rtol=1e-13)
        np.testing.assert_allclose(lrs(opt), lrs(ref), rtol=1e-13, err_msg=f"epoch {epoch}")


SCHEDULES = {
    "LambdaLR": lambda L, o: L.LambdaLR(o, lr_lambda=lambda epoch: 0.95**epoch),
    "LambdaLR-per-group": lambda L, o: L.LambdaLR(
        o, lr_lambda=[lambda epoch: epoch // 30, lambda epoch: 0.95**epoch]
    ),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o,
        schedulers=[L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, gamma=0.9)],
        milestones=[2],
    ),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, gamma=0.9)],
        optimizer=o,
    ),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=0.01, steps_per_epoch=10, epochs=6),
    "CyclicLR": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=0.001
    ),
    "ReduceLROnPlateau": lambda L, o: L.ReduceLROnPlateau(o, "min", patience=2),
}


def metric(epoch):
    return 1.0 if epoch < 20 else 0.5 + math.sin(epoch) / 10


@pytest.mark.parametrize("name", SCHEDULES)
def test_documented_schedules_saved_and_resumed_match_torch(name):
    """60 steps, with model, optimizer and scheduler saved at step 30 and loaded into
    new ones built the documented way (the scheduler before loading)."""
    make = SCHEDULES[name]
    args = (lambda e: (metric(e),)) if name == "ReduceLROnPlateau" else (lambda e: ())
    opt, ref = two_groups(autograd), two_groups(torch)
    mine, theirs = make(lr_scheduler, opt), make(torch.optim.lr_scheduler, ref)
    for epoch in range(60):
        opt.step()
        ref.step()
        mine.step(*args(epoch))
        theirs.step(*args(epoch))
        np.testing.assert_allclose(lrs(opt), lrs(ref), rtol=1e-12, err_msg=f"epoch {epoch}")
        np.testing.assert_allclose(mine.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        if epoch == 30:
            opt2, ref2 = two_groups(autograd), two_groups(torch)
            mine2, theirs2 = make(lr_scheduler, opt2), make(torch.optim.lr_scheduler, ref2)
            opt2.load_state_dict(opt.state_dict())
            ref2.load_state_dict(ref.state_dict())
            mine2.load_state_dict(mine.state_dict())
            theirs2.load_state_dict(theirs.state_dict())
            opt, ref, mine, theirs = opt2, ref2, mine2, theirs2


def test_warm_restarts_stepped_with_fractional_epochs_as_its_docstring_matches_torch():
    """``scheduler.step(epoch + i / iters)`` inside each epoch."""
    opt, ref = two_groups(autograd), two_groups(torch)
    mine = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(ref, T_0=3, T_mult=2)
    iters = 7
    for epoch in range(12):
        for i in range(iters):
            opt.step()
            ref.step()
            mine.step(epoch + i / iters)
            theirs.step(epoch + i / iters)
            np.testing.assert_allclose(lrs(opt), lrs(ref), rtol=1e-12)
            np.testing.assert_allclose(mine.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)


@pytest.mark.parametrize("foreach", [True, False], ids=["multi-tensor", "per-parameter"])
@pytest.mark.parametrize("name", ["Adam", "SGD", "Rprop"])
def test_the_state_of_a_parameter_not_stepped_yet_is_empty_as_torchs(name, foreach):
    """``optimizer.state[p]`` is ``{}`` before p's first step (torch's defaultdict);
    reading it changes nothing of the steps that follow."""
    ours, theirs = pair(torch)
    opt = getattr(optim, name)(ours.parameters(), lr=1e-2)  # SGD's default lr is not torch's
    ref = getattr(torch.optim, name)(theirs.parameters(), lr=1e-2)
    opt.foreach = foreach
    for o, model in ((opt, ours), (ref, theirs)):
        assert [o.state[p] for p in model.parameters()] == [{}, {}, {}, {}]
    run_both(ours, theirs, opt, ref, 3)
    assert_same_weights(ours, theirs)


def custom_sgd(lib, olib):
    """A custom optimizer written as torch's documentation writes one."""

    class MomentumSGD(olib.Optimizer):
        def __init__(self, params, lr=0.1, momentum=0.5):
            super().__init__(params, {"lr": lr, "momentum": momentum})

        @lib.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with lib.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = 0
                        state["buf"] = p.grad.clone()
                    else:
                        state["buf"].mul_(group["momentum"]).add_(p.grad)
                    state["step"] += 1
                    p.add_(state["buf"], alpha=-group["lr"])
            return loss

    return MomentumSGD


def test_a_custom_optimizer_filling_its_state_as_torchs_docs_runs_as_torch():
    ours, theirs = pair(torch)
    opt = custom_sgd(autograd, optim)(ours.parameters())
    ref = custom_sgd(torch, torch.optim)(theirs.parameters())
    run_both(ours, theirs, opt, ref, 3)
    assert_same_weights(ours, theirs)
    assert opt.state_dict()["state"][0]["step"] == 3


EPOCH_SCHEDULES = {
    "StepLR": {"step_size": 2},
    "MultiStepLR": {"milestones": [2, 4]},
    "ExponentialLR": {"gamma": 0.9},
    "CosineAnnealingLR": {"T_max": 10},
    "LambdaLR": {"lr_lambda": lambda epoch: 0.9**epoch},
    "MultiplicativeLR": {"lr_lambda": lambda epoch: 0.9},
    "OneCycleLR": {"max_lr": 0.1, "total_steps": 20},
    "CyclicLR": {"base_lr": 0.01, "max_lr": 0.1},
    "LinearLR": {},
    "ConstantLR": {},
    "PolynomialLR": {},
}


@pytest.mark.parametrize("name", EPOCH_SCHEDULES)
def test_step_with_an_epoch_is_deprecated_and_honoured_as_torchs(name):
    """``scheduler.step(epoch)``: torch's warning, then its closed form where there is
    one (it raised TypeError)."""
    opt, ref = two_groups(autograd), two_groups(torch)
    mine = getattr(lr_scheduler, name)(opt, **EPOCH_SCHEDULES[name])
    theirs = getattr(torch.optim.lr_scheduler, name)(ref, **EPOCH_SCHEDULES[name])
    for epoch in (1, 5, 3, 3, 7):
        opt.step()
        ref.step()
        with pytest.warns(UserWarning) as warned:
            mine.step(epoch)
        with pytest.warns(UserWarning) as expected:
            theirs.step(epoch)
        assert [str(w.message) for w in warned] == [str(w.message) for w in expected]
        np.testing.assert_allclose(mine.get_last_lr(), theirs.get_last_lr(), rtol=1e-13)
        mine.step()
        theirs.step()
        np.testing.assert_allclose(lrs(opt), lrs(ref), rtol=1e-13)


def test_reduce_on_plateau_step_with_an_epoch_as_torchs():
    opt, ref = two_groups(autograd), two_groups(torch)
    mine = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(ref, patience=0)
    for epoch, value in enumerate([1.0, 2.0, 3.0]):
        opt.step()
        ref.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            mine.step(value, epoch * 10)
        with pytest.warns(UserWarning, match="epoch parameter"):
            theirs.step(value, epoch * 10)
        assert mine.last_epoch == theirs.last_epoch == epoch * 10
        np.testing.assert_allclose(lrs(opt), lrs(ref), rtol=1e-13)
    with pytest.raises(TypeError, match="epoch"):
        mine.step(1.0, "ten")


ORDER_SCHEDULES = {
    **SCHEDULES,
    "StepLR": lambda L, o: L.StepLR(o, step_size=2),
    "SWALR": lambda L, o: (
        torch.optim.swa_utils if L is torch.optim.lr_scheduler else optim.swa_utils
    ).SWALR(o, swa_lr=0.05),
}


def warnings_of(step):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        step()
    return [str(w.message) for w in caught]


@pytest.mark.parametrize(
    "optimizer_first", [True, False], ids=["optimizer-first", "scheduler-first"]
)
@pytest.mark.parametrize("name", ORDER_SCHEDULES)
def test_stepping_the_scheduler_before_the_optimizer_warns_as_torch(name, optimizer_first):
    """The docs' order, ``optimizer.step()`` then ``scheduler.step()``, is silent; the
    other order warns at the first step, as torch's (same message, same schedulers)."""
    make = ORDER_SCHEDULES[name]
    args = (1.0,) if name == "ReduceLROnPlateau" else ()
    found = []
    for lib, olib in ((autograd, lr_scheduler), (torch, torch.optim.lr_scheduler)):
        opt = two_groups(lib)
        scheduler = make(olib, opt)
        log = []
        for _ in range(2):
            if optimizer_first:
                opt.step()
            log.append(warnings_of(lambda: scheduler.step(*args)))  # noqa: B023
        found.append(log)
    assert found[0] == found[1]
    silent = optimizer_first or name in ("ReduceLROnPlateau", "CosineAnnealingWarmRestarts")
    assert any(found[0]) != silent


def test_watching_for_the_first_step_costs_nothing_after_it():
    opt = two_groups(autograd)
    lr_scheduler.StepLR(opt, step_size=2)
    assert "step" in vars(opt)
    opt.step()
    assert "step" not in vars(opt) and opt._opt_called


@pytest.mark.parametrize(
    ("shape", "options"),
    [
        ((6, 4), {}),
        ((3, 7), {"nesterov": False, "adjust_lr_fn": "match_rms_adamw"}),
        ((5, 5), {"momentum": 0.3, "weight_decay": 0.0, "lr": 0.02, "ns_steps": 3}),
    ],
)
def test_muon_matches_torch_step_by_step(shape, options):
    """torch.optim.Muon (it was missing): small matrices give the same bfloat16
    Newton-Schulz products, so the same updates."""
    rng = np.random.default_rng(5)
    w = rng.normal(size=shape)
    ours, theirs = (
        autograd.Tensor(w.copy(), requires_grad=True),
        torch.tensor(w, requires_grad=True),
    )
    opt, ref = optim.Muon([ours], **options), torch.optim.Muon([theirs], **options)
    assert repr(opt) == repr(ref)
    for _ in range(6):
        g = rng.normal(size=shape)
        ours.grad, theirs.grad = autograd.Tensor(g.copy()), torch.tensor(g)
        opt.step()
        ref.step()
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert_same_state_dict_layout(opt, ref)


def test_the_muon_docstring_example_matches_torch():
    """Muon for the 2-D weights, AdamW for the rest (biases), one loss."""
    ours, theirs = pair(torch)
    opts = []
    for model in (ours, theirs):
        lib = optim if model is ours else torch.optim
        matrices = [p for p in model.parameters() if p.ndim == 2]
        others = [p for p in model.parameters() if p.ndim != 2]
        opts.append((lib.Muon(matrices, lr=0.02, momentum=0.95), lib.AdamW(others, lr=3e-4)))
    for _ in range(5):
        for model, (muon, adamw), lib in ((ours, opts[0], autograd), (theirs, opts[1], torch)):
            muon.zero_grad()
            adamw.zero_grad()
            loss(model, lib).backward()
            muon.step()
            adamw.step()
    # larger products than a bfloat16 ulp apart may round differently: Muon's own precision
    assert_same_weights(ours, theirs, rtol=1e-2)


@pytest.mark.parametrize(
    "build",
    [
        lambda lib, t: lib.Muon([t(np.zeros(3))]),
        lambda lib, t: lib.Muon([t(np.zeros((2, 2)))], adjust_lr_fn="other"),
        lambda lib, t: lib.Muon([t(np.zeros((2, 2)))], lr=-1.0),
        lambda lib, t: lib.Muon([t(np.zeros((2, 2)))], momentum=-0.5),
    ],
    ids=["1-D", "adjust_lr_fn", "lr", "momentum"],
)
def test_muon_argument_errors_as_torch(build):
    with pytest.raises(ValueError):
        build(torch.optim, lambda a: torch.tensor(a, requires_grad=True))
    with pytest.raises(ValueError):
        build(optim, lambda a: autograd.Tensor(a, requires_grad=True))
