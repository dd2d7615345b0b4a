"""`optim.swa_utils` (SWA and EMA weight averaging) against `torch.optim.swa_utils`,
on torch's documented examples, value by value in float64."""

from __future__ import annotations

import numpy as np
import pytest
from torch_pairs import copy_weights, float64

import autograd
import nn
import optim
from autograd import Tensor
from optim import swa_utils

torch = pytest.importorskip("torch")
tsw = torch.optim.swa_utils

RNG = np.random.default_rng(3)
BATCHES = [(RNG.normal(size=(8, 4)), RNG.normal(size=(8, 2))) for _ in range(4)]
TEST_INPUT = RNG.normal(size=(5, 4))


@pytest.fixture(autouse=True)
def _float64():
    with float64(torch):
        yield


def bn_model(lib):
    return lib.Sequential(lib.Linear(4, 6), lib.BatchNorm1d(6), lib.ReLU(), lib.Linear(6, 2))


def models():
    ours, theirs = bn_model(nn), bn_model(torch.nn)
    copy_weights(ours, theirs, torch)
    return ours, theirs


def loaders():
    ours = [(Tensor(x), Tensor(y)) for x, y in BATCHES]
    return ours, [(torch.tensor(x), torch.tensor(y)) for x, y in BATCHES]


def arrays(model):
    return {
        k: np.array(v.detach().numpy() if torch.is_tensor(v) else v.data)
        for k, v in model.state_dict().items()
    }


def assert_same_state(ours, theirs):
    mine, expected = arrays(ours), arrays(theirs)
    assert list(mine) == list(expected)
    for key, value in expected.items():
        assert mine[key].dtype == value.dtype, key
        np.testing.assert_allclose(mine[key], value, rtol=1e-11, atol=1e-13, err_msg=key)


def assert_same_predictions(ours, theirs):
    np.testing.assert_allclose(
        ours(Tensor(TEST_INPUT)).data,
        theirs(torch.tensor(TEST_INPUT)).detach().numpy(),
        rtol=1e-11,
        atol=1e-13,
    )


def swa_docs_example(lib, nnlib, sw, model, loader, epochs=12):
    """torch's SWA example (annealing in 3 epochs here to see it in 12)."""
    optimizer = lib.SGD(model.parameters(), lr=0.1)
    loss_fn = nnlib.MSELoss()
    swa_model = sw.AveragedModel(model)
    scheduler = lib.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    swa_start = 5
    swa_scheduler = sw.SWALR(optimizer, swa_lr=0.05, anneal_epochs=3)
    lrs = []
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
        if epoch > swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
        lrs.append(swa_scheduler.get_last_lr() + scheduler.get_last_lr())
    return swa_model, lrs


def test_the_swa_example_matches_torch_value_by_value():
    (ours, theirs), (loader, torch_loader) = models(), loaders()
    swa_model, lrs = swa_docs_example(optim, nn, swa_utils, ours, loader)
    swa_ref, lrs_ref = swa_docs_example(torch.optim, torch.nn, tsw, theirs, torch_loader)
    np.testing.assert_allclose(lrs, lrs_ref, rtol=1e-13)
    assert int(swa_model.n_averaged.data) == int(swa_ref.n_averaged) == 6
    assert_same_state(swa_model, swa_ref)  # the averages, the buffers copied
    swa_utils.update_bn(loader, swa_model)
    tsw.update_bn(torch_loader, swa_ref)
    assert_same_state(swa_model, swa_ref)  # the statistics of the averaged weights
    assert swa_model.module[1].momentum == 0.1 and swa_model.training
    assert_same_predictions(swa_model, swa_ref)  # `preds = swa_model(test_input)`
    assert_same_predictions(swa_model.eval(), swa_ref.eval())


@pytest.mark.parametrize("use_buffers", [False, True])
def test_the_ema_example_matches_torch_value_by_value(use_buffers):
    """``AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))``, updated after
    every optimizer step; with use_buffers the BatchNorm statistics are averaged too."""
    (ours, theirs), (loader, torch_loader) = models(), loaders()
    ema = swa_utils.AveragedModel(
        ours, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.999), use_buffers=use_buffers
    )
    ema_ref = tsw.AveragedModel(
        theirs, multi_avg_fn=tsw.get_ema_multi_avg_fn(0.999), use_buffers=use_buffers
    )
    opt, ref = optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(5):
        for (x, y), (xt, yt) in zip(loader, torch_loader):
            for model, o, a, b, lib in ((ours, opt, x, y, nn), (theirs, ref, xt, yt, torch.nn)):
                o.zero_grad()
                lib.functional.mse_loss(model(a), b).backward()
                o.step()
            ema.update_parameters(ours)
            ema_ref.update_parameters(theirs)
    assert_same_state(ema, ema_ref)
    swa_utils.update_bn(loader, ema)
    tsw.update_bn(torch_loader, ema_ref)
    assert_same_state(ema, ema_ref)
    assert_same_predictions(ema.eval(), ema_ref.eval())


@pytest.mark.parametrize(
    "functions",
    [
        {},
        {"avg_fn": "get_ema_avg_fn"},
        {"avg_fn": "get_swa_avg_fn"},
        {"multi_avg_fn": "get_ema_multi_avg_fn"},
    ],
    ids=["default", "ema", "swa", "ema-multi"],
)
def test_averaging_buffers_matches_torch_also_the_integer_count(functions):
    """use_buffers: `num_batches_tracked` (int64) is averaged and truncated as torch's."""
    ours, theirs = models()
    ours[1].momentum = theirs[1].momentum = 0.5
    mine = swa_utils.AveragedModel(
        ours, use_buffers=True, **{k: getattr(swa_utils, v)() for k, v in functions.items()}
    )
    ref = tsw.AveragedModel(
        theirs, use_buffers=True, **{k: getattr(tsw, v)() for k, v in functions.items()}
    )
    for i in range(5):
        x = RNG.normal(size=(6, 4))
        for _ in range(i + 1):
            ours(Tensor(x))
            theirs(torch.tensor(x))
        mine.update_parameters(ours)
        ref.update_parameters(theirs)
        assert_same_state(mine, ref)


def test_averaged_model_has_torchs_layout():
    ours, theirs = models()
    mine, ref = swa_utils.AveragedModel(ours), tsw.AveragedModel(theirs)
    assert repr(mine) == repr(ref)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in mine.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert mine.module is not ours and mine.module[0].weight is not ours[0].weight
    assert mine.n_averaged.data.dtype == np.int64 and int(mine.n_averaged.data) == 0
    assert_same_state(mine, ref)
    mine.update_parameters(ours)
    resumed = swa_utils.AveragedModel(bn_model(nn))
    resumed.load_state_dict(mine.state_dict())
    assert int(resumed.n_averaged.data) == 1


def test_averaged_model_is_callable_with_the_optimizer_on_its_parameters():
    """The averaged copy trains on its own: `parameters()` are the copy's."""
    ours, theirs = models()
    mine, ref = swa_utils.AveragedModel(ours), tsw.AveragedModel(theirs)
    opt, ref_opt = optim.SGD(mine.parameters(), lr=0.1), torch.optim.SGD(ref.parameters(), lr=0.1)
    for model, o, lib in ((mine, opt, autograd), (ref, ref_opt, torch)):
        tensor = Tensor if lib is autograd else torch.tensor
        o.zero_grad()
        (model(tensor(TEST_INPUT)) ** 2).mean().backward()
        o.step()
    assert_same_state(mine, ref)


@pytest.mark.parametrize(
    "options",
    [
        {"swa_lr": 0.05},
        {"swa_lr": [0.05, 0.01], "anneal_strategy": "linear", "anneal_epochs": 5},
        {"swa_lr": 0.05, "anneal_epochs": 0},
        {"swa_lr": 0.2, "anneal_epochs": 1},
    ],
)
def test_swalr_matches_torch(options):
    opt, ref = sgd_of_two_groups(optim), sgd_of_two_groups(torch.optim)
    mine, theirs = swa_utils.SWALR(opt, **options), tsw.SWALR(ref, **options)
    assert repr(opt) == repr(ref)  # each group's swa_lr
    for _ in range(12):
        np.testing.assert_allclose(mine.get_last_lr(), theirs.get_last_lr(), rtol=1e-13)
        opt.step()
        ref.step()
        mine.step()
        theirs.step()
    resumed = swa_utils.SWALR(sgd_of_two_groups(optim), **options)
    resumed.load_state_dict(mine.state_dict())
    resumed.step()
    theirs.step()
    np.testing.assert_allclose(resumed.get_last_lr(), theirs.get_last_lr(), rtol=1e-13)


def test_update_bn_restores_mode_and_momentum_and_skips_models_without_batchnorm():
    (ours, theirs), (loader, torch_loader) = models(), loaders()
    ours.eval()
    theirs.eval()
    swa_utils.update_bn([x for x, _ in loader], ours)  # batches of inputs alone
    tsw.update_bn([x for x, _ in torch_loader], theirs)
    assert not ours.training and ours[1].momentum == 0.1
    assert_same_state(ours, theirs)
    plain = nn.Linear(2, 2)
    swa_utils.update_bn(iter(()), plain)  # nothing to do: the loader is not even read
    assert plain.training


def test_batchnorm_reset_running_stats_as_torch():
    ours, theirs = models()
    ours(Tensor(TEST_INPUT))
    theirs(torch.tensor(TEST_INPUT))
    ours[1].reset_running_stats()
    theirs[1].reset_running_stats()
    assert_same_state(ours, theirs)
    assert int(ours[1].num_batches_tracked.data) == 0


def sgd_of_two_groups(lib):
    """SGD over two groups, from `optim` or `torch.optim`."""
    tensors = torch if lib is torch.optim else autograd
    params = [tensors.ones(3, requires_grad=True), tensors.ones(2, requires_grad=True)]
    return lib.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.1)


@pytest.mark.parametrize(
    "build",
    [
        lambda sw, lib: sw.SWALR(sgd_of_two_groups(lib), swa_lr=[0.1]),
        lambda sw, lib: sw.SWALR(sgd_of_two_groups(lib), swa_lr=0.1, anneal_strategy="exp"),
        lambda sw, lib: sw.SWALR(sgd_of_two_groups(lib), swa_lr=0.1, anneal_epochs=-1),
        lambda sw, lib: sw.SWALR(sgd_of_two_groups(lib), swa_lr=0.1, anneal_epochs=2.0),
        lambda sw, lib: sw.get_ema_multi_avg_fn(1.5),
        lambda sw, lib: sw.get_ema_avg_fn(-0.1),
    ],
    ids=["swa-lr-list", "strategy", "anneal-negative", "anneal-float", "decay", "decay-one"],
)
def test_argument_errors_as_torch(build):
    with pytest.raises(ValueError) as expected:
        build(tsw, torch.optim)
    with pytest.raises(ValueError) as error:
        build(swa_utils, optim)
    assert str(error.value) == str(expected.value)


def test_model_errors_have_torchs_types():
    ours, theirs = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    for sw, model in ((tsw, theirs), (swa_utils, ours)):
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            sw.AveragedModel(
                model, avg_fn=sw.get_swa_avg_fn(), multi_avg_fn=sw.get_swa_multi_avg_fn()
            )
        with pytest.raises(AttributeError):
            sw.AveragedModel(model).update_parameters(5)
        with pytest.raises(AttributeError):
            sw.update_bn([], 5)
    with pytest.raises(RuntimeError):
        tsw.AveragedModel(theirs).update_parameters(torch.nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\) does not match"):
        swa_utils.AveragedModel(ours).update_parameters(nn.Linear(3, 2))
    with pytest.raises(TypeError, match="expected a Module, got int"):
        swa_utils.AveragedModel(ours).update_parameters(5)


def test_swa_utils_is_reachable_as_torchs():
    import importlib

    assert optim.swa_utils is importlib.import_module("optim.swa_utils")
    assert set(swa_utils.__all__) <= set(dir(tsw))
