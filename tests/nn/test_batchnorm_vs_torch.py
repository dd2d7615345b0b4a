"""`nn.BatchNorm1d` against `torch.nn.BatchNorm1d` in float64: outputs, gradients and
running statistics over train and eval steps, for every option, and state_dicts
loaded both ways."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

OPTIONS = [
    {},
    {"momentum": None},
    {"momentum": 0.3, "eps": 1e-3},
    {"affine": False},
    {"bias": False},
    {"track_running_stats": False},
    {"track_running_stats": False, "momentum": None, "affine": False},
]


def pair(c: int, **options):
    ours, theirs = nn.BatchNorm1d(c, **options).double(), torch.nn.BatchNorm1d(c, **options)
    theirs = theirs.double()
    rng = np.random.default_rng(7)
    if ours.weight is not None:  # the same non-trivial affine parameters on both sides
        w = rng.normal(1.0, 0.5, c)
        ours.weight.data[...] = w
        theirs.weight.data = torch.from_numpy(w.copy())
    if ours.bias is not None:
        b = rng.normal(0.0, 0.5, c)
        ours.bias.data[...] = b
        theirs.bias.data = torch.from_numpy(b.copy())
    return ours, theirs


def assert_buffers_equal(ours, theirs):
    mine = ours.state_dict()
    ref = {k: v.numpy() for k, v in theirs.state_dict().items()}
    assert list(mine) == list(ref)
    for k in ref:
        assert mine[k].dtype == ref[k].dtype and mine[k].shape == ref[k].shape, k
        np.testing.assert_allclose(mine[k], ref[k], rtol=1e-13, atol=1e-15, err_msg=k)


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)], ids=["NC", "NCL"])
def test_steps_match_torch(options, shape):
    ours, theirs = pair(shape[1], **options)
    rng = np.random.default_rng(0)
    for step in range(7):
        train = step % 3 != 2  # train, train, eval, ...
        ours.train(train), theirs.train(train)
        x = rng.normal(1.5, 2.0, shape)
        g = rng.normal(size=shape)
        xt, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = ours(xt), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-13)
        y.backward(Tensor(g))
        ty.backward(torch.from_numpy(g))
        np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
        for name in ("weight", "bias"):
            p, tp = getattr(ours, name), getattr(theirs, name)
            assert (p is None) == (tp is None)
            if p is not None:
                np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-10, atol=1e-12)
                p.grad, tp.grad = None, None
        assert_buffers_equal(ours, theirs)
    expected = 0 if options.get("track_running_stats") is False else 5
    assert ours.state_dict().get("num_batches_tracked", 0) == expected
    assert repr(ours) == repr(theirs)


def test_momentum_none_is_the_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None).double()
    rng = np.random.default_rng(1)
    batches = [rng.normal(i, 1.0 + i, (5, 2)) for i in range(4)]
    for x in batches:
        bn(Tensor(x))
    np.testing.assert_allclose(bn.running_mean.data, np.mean([x.mean(0) for x in batches], 0))
    # the first batch replaces the initial statistics entirely (factor 1/1)
    np.testing.assert_allclose(
        bn.running_var.data, np.mean([x.var(0, ddof=1) for x in batches], 0), rtol=1e-13
    )
    assert bn.num_batches_tracked.data == 4 and bn.num_batches_tracked.dtype == np.int64


def test_eval_counts_nothing_and_to_keeps_the_counter_int64():
    bn = nn.BatchNorm1d(3)
    bn(Tensor(np.ones((4, 3), np.float32)))
    bn.eval()
    bn(Tensor(np.ones((4, 3), np.float32)))
    bn.double()
    assert bn.num_batches_tracked.dtype == np.int64 and int(bn.num_batches_tracked.data) == 1
    assert bn.running_mean.dtype == np.float64


def test_state_dicts_load_both_ways_strictly():
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).double()
    theirs(torch.randn(8, 3, dtype=torch.float64))  # moves the statistics, counts 1
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert int(ours[1].num_batches_tracked.data) == 1
    assert_buffers_equal(ours, theirs)
    ours(Tensor(np.random.default_rng(2).normal(size=(5, 3))))
    back = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).double()
    back.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    assert int(back[1].num_batches_tracked) == 2
    assert_buffers_equal(ours, back)


def test_without_running_stats_there_are_no_buffers():
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    ref = torch.nn.BatchNorm1d(3, track_running_stats=False)
    assert list(bn.state_dict()) == list(ref.state_dict()) == ["weight", "bias"]
    assert bn.running_mean is None and bn.num_batches_tracked is None
    assert list(nn.BatchNorm1d(3, bias=False).state_dict())[:1] == ["weight"]


def test_counter_is_not_a_keras_weight():
    model = nn.Sequential([nn.Dense(3, input_shape=(4,)), nn.BatchNorm1d(3)])
    assert [w.shape for w in model.get_weights()] == [(4, 3), (3,), (3,), (3,), (3,), (3,)]
    assert model.count_params() == 27
    assert model.state_dict()["1.num_batches_tracked"].dtype == np.int64


def test_errors_as_torch():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(Tensor(np.ones((1, 3, 1))))
    bn.eval()
    bn(Tensor(np.ones((1, 3))))  # eval with running statistics: one sample is fine
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3, track_running_stats=False).eval()(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError, match="2D or 3D input"):
        bn(Tensor(np.ones((2, 3, 4, 5))))
    with pytest.raises(ValueError, match=r"\(batch, 3, length\) or \(batch, 3\), got \(2, 4\)"):
        bn(Tensor(np.ones((2, 4))))
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum=1.5)
    with pytest.raises(TypeError, match="track_running_stats"):
        nn.BatchNorm1d(3, track_running_stats="yes")


def test_from_torch_and_back_keep_the_options_and_buffers():
    from nn.torch_interop import from_torch, to_torch

    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3, momentum=None, track_running_stats=True)
    ).double()
    theirs(torch.randn(6, 2, dtype=torch.float64))
    ours = from_torch(theirs)
    assert ours[1].momentum is None and int(ours[1].num_batches_tracked.data) == 1
    assert_buffers_equal(ours, theirs)
    again = to_torch(ours)
    assert again[1].momentum is None and int(again[1].num_batches_tracked) == 1
    plain = from_torch(torch.nn.Sequential(torch.nn.BatchNorm1d(3, track_running_stats=False)))
    assert plain[0].running_mean is None
