"""PyTorch's LogSigmoid, Softshrink, Hardshrink, RReLU, Dropout1d, GroupNorm,
InstanceNorm1d, Bilinear, LazyLinear, Buffer, MultiMarginLoss, MultiLabelMarginLoss and
the functions batch_norm, group_norm, instance_norm, gumbel_softmax..., compared with
torch: values, gradients, random draws for one seed, running statistics, state_dict
keys and reprs."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def pair(shape, seed=0, scale=2.0, dtype=np.float64):
    values = (np.random.default_rng(seed).normal(size=shape) * scale).astype(dtype)
    return Tensor(values.copy(), requires_grad=True), torch.tensor(
        values.copy(), requires_grad=True
    )


def check(ours, theirs, inputs, atol=1e-10):
    """Equal values and dtypes, and equal gradients of a weighted sum."""
    assert ours.shape == tuple(theirs.shape) and ours.dtype == theirs.detach().numpy().dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), atol=atol, rtol=1e-6)
    w = np.random.default_rng(5).normal(size=ours.shape)
    (ours * Tensor(w.astype(ours.dtype))).sum().backward()
    (theirs * torch.tensor(w.astype(ours.dtype))).sum().backward()
    for a, b in inputs:
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=atol, rtol=1e-6)


EDGES = np.array([-2.0, -0.5, -0.3, 0.0, 0.3, 0.5, 0.7, 2.0])


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (nn.LogSigmoid(), torch.nn.LogSigmoid()),
        (nn.Softshrink(), torch.nn.Softshrink()),
        (nn.Softshrink(0.3), torch.nn.Softshrink(0.3)),
        (nn.Hardshrink(), torch.nn.Hardshrink()),
        (nn.Hardshrink(0.3), torch.nn.Hardshrink(0.3)),
        (nn.RReLU().eval(), torch.nn.RReLU().eval()),
        (nn.RReLU(0.1, 0.4).eval(), torch.nn.RReLU(0.1, 0.4).eval()),
    ],
    ids=lambda m: repr(m),
)
def test_activations_match_torch_at_their_kinks_too(ours, theirs):
    assert repr(ours) == repr(theirs)
    a, b = Tensor(EDGES.copy(), requires_grad=True), torch.tensor(EDGES.copy(), requires_grad=True)
    check(ours(a), theirs(b), [(a, b)])
    a, b = pair((3, 5))
    check(ours(a), theirs(b), [(a, b)])


def test_rrelu_training_draws_torchs_slopes():
    for dtype in (np.float32, np.float64):
        a, b = pair((4, 6), seed=1, dtype=dtype)
        autograd.manual_seed(3)
        torch.manual_seed(3)
        check(F.rrelu(a, training=True), TF.rrelu(b, training=True), [(a, b)], atol=1e-6)
        m, t = nn.RReLU(0.2, 0.5), torch.nn.RReLU(0.2, 0.5)
        a, b = pair((5,), seed=2, dtype=dtype)
        check(m(a), t(b), [(a, b)], atol=1e-6)  # drawn after the first call's draws
    assert repr(nn.RReLU(inplace=True)) == repr(torch.nn.RReLU(inplace=True))
    a, b = pair((3, 4), seed=4)
    x, xt = a * 1.0, b * 1.0
    autograd.manual_seed(5)
    torch.manual_seed(5)
    assert F.rrelu(x, training=True, inplace=True) is x
    TF.rrelu(xt, training=True, inplace=True)
    check(x, xt, [(a, b)], atol=1e-12)


def test_dropout1d_drops_torchs_channels():
    x = np.random.default_rng(0).normal(size=(4, 6, 3)).astype(np.float32)
    autograd.manual_seed(7)
    torch.manual_seed(7)
    ours, theirs = nn.Dropout1d(0.4), torch.nn.Dropout1d(0.4)
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(  # unbatched (C, L)
        ours(Tensor(x[0])).data, theirs(torch.tensor(x[0])).numpy(), rtol=1e-6
    )
    assert ours.eval()(Tensor(x)).data is not None
    np.testing.assert_array_equal(ours(Tensor(x)).data, x)
    with pytest.raises(RuntimeError, match="2D or 3D"):
        F.dropout1d(Tensor(x[None]), 0.5)
    y, yt = Tensor(x.copy()), torch.tensor(x.copy())
    assert F.dropout1d(y, 0.5, inplace=True) is y
    TF.dropout1d(yt, 0.5, inplace=True)
    np.testing.assert_allclose(y.data, yt.numpy(), rtol=1e-6)


def test_group_norm_matches_torch():
    ours, theirs = nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.weight.data = np.arange(1.0, 5.0)
    ours.bias.data = np.arange(4.0) / 3
    with torch.no_grad():
        theirs.weight.copy_(torch.arange(1.0, 5.0))
        theirs.bias.copy_(torch.arange(4.0) / 3)
    a, b = pair((3, 4, 5))
    check(ours(a), theirs(b), [(a, b), (ours.weight, theirs.weight), (ours.bias, theirs.bias)])
    assert repr(nn.GroupNorm(3, 6, affine=False)) == repr(torch.nn.GroupNorm(3, 6, affine=False))
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)
    assert gradcheck(lambda x: F.group_norm(x, 2), [pair((2, 4, 3))[0]])


def test_instance_norm_matches_torch_with_running_statistics():
    ours = nn.InstanceNorm1d(3, affine=True, track_running_stats=True)
    theirs = torch.nn.InstanceNorm1d(3, affine=True, track_running_stats=True).double()
    assert repr(ours) == repr(theirs)
    assert repr(nn.InstanceNorm1d(3)) == repr(torch.nn.InstanceNorm1d(3))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for seed in range(2):
        a, b = pair((4, 3, 5), seed=seed)
        check(ours(a), theirs(b), [(a, b)])
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(
            ours.state_dict()[name].data, theirs.state_dict()[name].numpy(), rtol=1e-6
        )
    ours.eval()
    theirs.eval()
    a, b = pair((2, 3, 4), seed=4)
    check(ours(a), theirs(b), [(a, b)])
    a, b = pair((3, 4), seed=5)  # unbatched
    plain, plain_t = nn.InstanceNorm1d(3), torch.nn.InstanceNorm1d(3)
    check(plain(a), plain_t(b), [(a, b)])


def test_functional_batch_norm_updates_running_statistics_in_place():
    mean, var = np.zeros(3), np.ones(3)
    rm, rv = Tensor(mean.copy()), Tensor(var.copy())
    trm, trv = torch.tensor(mean.copy()), torch.tensor(var.copy())
    a, b = pair((5, 3, 2))
    w, tw = pair((3,), seed=8)
    check(
        F.batch_norm(a, rm, rv, w, None, training=True, momentum=0.3),
        TF.batch_norm(b, trm, trv, tw, None, training=True, momentum=0.3),
        [(a, b), (w, tw)],
    )
    np.testing.assert_allclose(rm.data, trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv.data, trv.numpy(), rtol=1e-12)
    a, b = pair((4, 3), seed=2)
    check(F.batch_norm(a, rm, rv), TF.batch_norm(b, trm, trv), [(a, b)])
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(Tensor(np.ones((1, 3))), rm, rv, training=True)


def test_bilinear_draws_and_computes_as_torch():
    autograd.manual_seed(11)
    torch.manual_seed(11)
    ours, theirs = nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.bias.data, theirs.bias.detach().numpy(), rtol=1e-6)
    (a, b), (c, d) = pair((5, 3), dtype=np.float32), pair((5, 4), seed=1, dtype=np.float32)
    check(ours(a, c), theirs(b, d), [(a, b), (c, d), (ours.weight, theirs.weight)], atol=1e-5)
    with pytest.raises(RuntimeError, match="bilinear"):
        ours(a, a)


def test_lazy_linear_takes_its_in_features_at_the_first_call():
    autograd.manual_seed(2)
    torch.manual_seed(2)
    ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    assert repr(ours) == repr(theirs)
    params = list(ours.parameters())
    x = np.random.default_rng(0).normal(size=(2, 5)).astype(np.float32)
    y = ours(Tensor(x))
    np.testing.assert_allclose(y.data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5)
    assert repr(ours) == repr(theirs) == "Linear(in_features=5, out_features=3, bias=True)"
    assert type(ours) is nn.Linear and list(ours.parameters()) == params
    assert ours.weight.shape == (3, 5) and list(ours.state_dict()) == list(theirs.state_dict())


def test_buffer_assignment_registers_a_buffer():
    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.kept = nn.Buffer(autograd.ones(2))
            self.scratch = nn.Buffer(autograd.zeros(1), persistent=False)

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.kept = torch.nn.Buffer(torch.ones(2))
            self.scratch = torch.nn.Buffer(torch.zeros(1), persistent=False)

    ours, theirs = Ours(), Theirs()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["kept"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert type(ours.kept) is Tensor and not list(ours.parameters())


@pytest.mark.parametrize("p, margin, weighted", [(1, 1.0, False), (2, 0.5, True), (1, 2.0, True)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multi_margin_loss_matches_torch(p, margin, weighted, reduction):
    a, b = pair((4, 5))
    y = np.array([0, 3, 4, 3])
    w = np.linspace(0.5, 2.0, 5) if weighted else None
    ours = nn.MultiMarginLoss(p, margin, None if w is None else Tensor(w), reduction=reduction)
    theirs = torch.nn.MultiMarginLoss(
        p, margin, None if w is None else torch.tensor(w), reduction=reduction
    )
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    check(ours(a, Tensor(y)), theirs(b, torch.tensor(y)), [(a, b)])
    a, b = pair((5,), seed=3)  # one sample (C,)
    check(ours(a, Tensor(np.array(2))), theirs(b, torch.tensor(2)), [(a, b)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_matches_torch(reduction):
    a, b = pair((3, 4))
    y = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 2, 0]])
    ours, theirs = (
        nn.MultiLabelMarginLoss(reduction=reduction),
        torch.nn.MultiLabelMarginLoss(reduction=reduction),
    )
    assert repr(ours) == repr(theirs)
    check(ours(a, Tensor(y)), theirs(b, torch.tensor(y)), [(a, b)])
    a, b = pair((4,), seed=1)
    check(ours(a, Tensor(y[0])), theirs(b, torch.tensor(y[0])), [(a, b)])


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_draws_torchs_noise_and_straight_through_gradient(hard):
    for dtype in (np.float32, np.float64):
        a, b = pair((4, 5), dtype=dtype)
        autograd.manual_seed(4)
        torch.manual_seed(4)
        check(
            F.gumbel_softmax(a, tau=0.7, hard=hard),
            TF.gumbel_softmax(b, tau=0.7, hard=hard),
            [(a, b)],
            atol=1e-5,
        )


def test_gumbel_softmax_statistics():
    autograd.manual_seed(0)
    logits = np.log(np.array([0.1, 0.2, 0.7]))
    samples = F.gumbel_softmax(Tensor(np.tile(logits, (20000, 1))), hard=True).data
    np.testing.assert_allclose(samples.mean(0), [0.1, 0.2, 0.7], atol=0.015)
    np.testing.assert_array_equal(samples.sum(1), 1.0)


def test_functional_shrinks_and_errors():
    a, b = pair((3, 4))
    check(F.softshrink(a, 1.0), TF.softshrink(b, 1.0), [(a, b)])
    a, b = pair((3, 4))
    check(F.hardshrink(a, 1.0), TF.hardshrink(b, 1.0), [(a, b)])
    with pytest.raises(RuntimeError, match="lambda"):
        F.softshrink(a, -1.0)
    for fn, theirs in ((F.hardshrink, TF.hardshrink), (F.softshrink, TF.softshrink)):
        with pytest.raises(NotImplementedError):
            theirs(torch.tensor([1, -2]))
        with pytest.raises(NotImplementedError):
            fn(Tensor(np.array([1, -2])))
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
