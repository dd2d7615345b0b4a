"""nn.BatchNorm3d, nn.InstanceNorm1d/2d/3d, the lazy batch and instance norms,
F.instance_norm and nn.LocalResponseNorm / F.local_response_norm against torch in
float64: outputs, gradients of inputs and affine weights, running statistics over
train and eval steps, state_dict keys and dtypes, reprs, torch's errors and warnings
(unbatched inputs, a channel count other than num_features)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
import optim
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _same_weights(ours, theirs, rng):
    for name in ("weight", "bias"):
        p = getattr(ours, name)
        if p is not None and p.size:
            v = rng.normal(1.0 if name == "weight" else 0.0, 0.5, p.shape)
            p.data[...] = v
            getattr(theirs, name).data = torch.from_numpy(v.copy())


def _check_state(ours, theirs):
    mine = ours.state_dict()
    ref = {k: v.numpy() for k, v in theirs.state_dict().items()}
    assert list(mine) == list(ref)
    for k in ref:
        assert mine[k].dtype == ref[k].dtype and mine[k].shape == ref[k].shape, k
        np.testing.assert_allclose(mine[k], ref[k], rtol=1e-12, atol=1e-14, err_msg=k)


def _steps(ours, theirs, shape, steps=6, loc=1.5):
    """Train, train, eval, ...: outputs, input and weight gradients, buffers each step."""
    rng = np.random.default_rng(0)
    for step in range(steps):
        train = step % 3 != 2
        ours.train(train), theirs.train(train)
        x, g = rng.normal(loc, 2.0, shape), rng.normal(size=shape)
        a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = ours(a), theirs(t)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        (y * Tensor(g)).sum().backward()
        ty.backward(torch.from_numpy(g))
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-11)
        for name in ("weight", "bias"):
            p, tp = getattr(ours, name), getattr(theirs, name)
            if p is not None:
                np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-9, atol=1e-11)
                p.grad = None
                tp.grad = None
        _check_state(ours, theirs)


# --- BatchNorm3d ---------------------------------------------------------------------

BN_OPTIONS = [
    {},
    {"momentum": None},
    {"momentum": 0.3, "eps": 1e-3, "bias": False},
    {"affine": False, "track_running_stats": False},
]


@pytest.mark.parametrize("options", BN_OPTIONS, ids=str)
@pytest.mark.parametrize("shape", [(2, 3, 4, 3, 5), (3, 2, 1, 1, 1)])
def test_batch_norm3d_steps_match_torch(options, shape):
    ours = nn.BatchNorm3d(shape[1], **options).double()
    theirs = torch.nn.BatchNorm3d(shape[1], **options).double()
    assert repr(ours) == repr(theirs)
    _same_weights(ours, theirs, np.random.default_rng(1))
    _steps(ours, theirs, shape)


def test_batch_norm3d_errors():
    m = nn.BatchNorm3d(3)
    with pytest.raises(ValueError, match="5D input"):
        m(Tensor(np.zeros((2, 3, 4, 4))))
    with pytest.raises(RuntimeError, match=r"expected input of shape"):
        m(Tensor(np.zeros((2, 4, 2, 2, 2))))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        m(Tensor(np.zeros((1, 3, 1, 1, 1))))


def test_batch_norm3d_float32_matches_torch():
    x = np.random.default_rng(2).normal(size=(2, 3, 2, 3, 4)).astype(np.float32)
    y = nn.BatchNorm3d(3)(Tensor(x))
    assert y.dtype == np.float32
    ref = torch.nn.BatchNorm3d(3)(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(y.data, ref, rtol=1e-5, atol=1e-6)


# --- InstanceNorm1d/2d/3d ------------------------------------------------------------

IN_OPTIONS = [
    {},
    {"affine": True},
    {"affine": True, "bias": False, "eps": 1e-3},
    {"track_running_stats": True},
    {"track_running_stats": True, "affine": True, "momentum": 0.3},
    {"track_running_stats": True, "momentum": None},
]
SHAPES = {
    1: [(3, 4, 5), (4, 7), (2, 3, 2)],
    2: [(2, 4, 3, 5), (4, 2, 3), (1, 4, 1, 2)],
    3: [(2, 4, 2, 3, 2), (4, 2, 1, 3)],
}


@pytest.mark.parametrize("options", IN_OPTIONS, ids=str)
@pytest.mark.parametrize("d, shape", [(d, s) for d, shapes in SHAPES.items() for s in shapes])
def test_instance_norm_steps_match_torch(d, shape, options):
    name = f"InstanceNorm{d}d"
    c = shape[1] if len(shape) == d + 2 else shape[0]
    ours = getattr(nn, name)(c, **options).double()
    theirs = getattr(torch.nn, name)(c, **options).double()
    assert repr(ours) == repr(theirs)
    _same_weights(ours, theirs, np.random.default_rng(3))
    _steps(ours, theirs, shape)
    if ours.num_batches_tracked is not None:  # never counted by instance norms
        assert int(ours.num_batches_tracked.data) == 0


def test_instance_norm_defaults_and_state_dict_keys():
    ours, theirs = nn.InstanceNorm2d(3), torch.nn.InstanceNorm2d(3)
    assert ours.weight is None and ours.running_mean is None
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    ours, theirs = (
        nn.InstanceNorm3d(3, affine=True, track_running_stats=True),
        (torch.nn.InstanceNorm3d(3, affine=True, track_running_stats=True)),
    )
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


def test_instance_norm_input_checks_as_torch():
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 5D input\)"):
        nn.InstanceNorm2d(3)(Tensor(np.zeros((1, 3, 2, 2, 2))))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 1D input\)"):
        nn.InstanceNorm1d(3)(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match=r"size at dim=1 to match num_features \(3\), but got: 4"):
        nn.InstanceNorm2d(3, affine=True)(Tensor(np.zeros((2, 4, 2, 2))))
    with pytest.raises(ValueError, match=r"size at dim=0 to match num_features"):
        nn.InstanceNorm2d(3, affine=True)(Tensor(np.zeros((4, 2, 2))))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        nn.InstanceNorm2d(3)(Tensor(np.zeros((2, 3, 1, 1))))
    x = np.random.default_rng(4).normal(size=(2, 4, 3, 3))
    with pytest.warns(UserWarning, match="dim=1 does not match num_features"):
        y = nn.InstanceNorm2d(3)(Tensor(x))  # affine=False: num_features is not used
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.nn.InstanceNorm2d(3)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(y.data, ref, rtol=1e-10, atol=1e-12)


def test_instance_norm_float32_and_eval_without_running_stats():
    x = np.random.default_rng(5).normal(size=(2, 3, 4, 5)).astype(np.float32)
    ours = nn.InstanceNorm2d(3).eval()
    y = ours(Tensor(x))  # eval without running statistics: the instance's own
    assert y.dtype == np.float32
    ref = torch.nn.InstanceNorm2d(3).eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(y.data, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_functional_instance_norm_matches_torch(use_input_stats):
    rng = np.random.default_rng(6)
    x, w, b = rng.normal(size=(2, 3, 4, 2)), rng.normal(size=3), rng.normal(size=3)
    rm, rv = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    ours = [Tensor(v, requires_grad=True) for v in (x, w, b)]
    refs = [torch.tensor(v, requires_grad=True) for v in (x, w, b)]
    mine_rm, mine_rv = Tensor(rm.copy()), Tensor(rv.copy())
    ref_rm, ref_rv = torch.tensor(rm), torch.tensor(rv)
    y = F.instance_norm(ours[0], mine_rm, mine_rv, ours[1], ours[2], use_input_stats, 0.2, 1e-3)
    ty = TF.instance_norm(refs[0], ref_rm, ref_rv, refs[1], refs[2], use_input_stats, 0.2, 1e-3)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.normal(size=x.shape)
    (y * Tensor(g)).sum().backward()
    ty.backward(torch.from_numpy(g))
    for a, t in zip(ours, refs, strict=True):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(mine_rm.data, ref_rm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine_rv.data, ref_rv.numpy(), rtol=1e-12)


# --- lazy norms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, shape",
    [
        ("BatchNorm1d", (4, 3)),
        ("BatchNorm1d", (4, 3, 5)),
        ("BatchNorm2d", (2, 3, 4, 5)),
        ("BatchNorm3d", (2, 3, 2, 2, 3)),
        ("InstanceNorm1d", (2, 3, 5)),
        ("InstanceNorm2d", (2, 3, 4, 5)),
        ("InstanceNorm3d", (2, 3, 2, 2, 3)),
    ],
)
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"bias": False, "momentum": None}])
def test_lazy_norms_become_their_module_as_torch(name, shape, options):
    ours = getattr(nn, f"Lazy{name}")(**options).double()
    theirs = getattr(torch.nn, f"Lazy{name}")(**options).double()
    assert repr(ours) == repr(theirs)
    assert ours.num_features == 0
    params = list(ours.parameters())  # an optimizer may take them before the first call
    assert all(p.size == 0 for p in params)
    ours.train(), theirs.train()
    x = np.random.default_rng(7).normal(size=shape)
    np.testing.assert_allclose(
        ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12
    )
    assert type(ours) is getattr(nn, name)
    assert type(theirs) is getattr(torch.nn, name)
    assert repr(ours) == repr(theirs)
    assert [p is q for p, q in zip(params, ours.parameters(), strict=True)] == [True] * len(params)
    _check_state(ours, theirs)
    _same_weights(ours, theirs, np.random.default_rng(8))
    _steps(ours, theirs, shape)


def test_lazy_instance_norm_without_anything_to_shape_keeps_zero_features():
    """torch's quirk: with affine=False and no running statistics nothing is lazy, so
    num_features stays 0 and every call warns."""
    ours = nn.LazyInstanceNorm2d(affine=False, track_running_stats=False)
    theirs = torch.nn.LazyInstanceNorm2d(affine=False, track_running_stats=False)
    x = np.random.default_rng(9).normal(size=(2, 3, 4, 4))
    with pytest.warns(UserWarning, match="does not match num_features"):
        y = ours(Tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = theirs(torch.from_numpy(x)).numpy()
    assert ours.num_features == theirs.num_features == 0
    assert type(ours) is nn.InstanceNorm2d
    np.testing.assert_allclose(y.data, ref, rtol=1e-5, atol=1e-6)


def test_lazy_instance_norm_unbatched_reads_dim_1_as_torch():
    """An unbatched (C, L) first input gives num_features = L (torch's), so the running
    statistics then do not fit C: torch's error, after its warning."""
    x = np.random.default_rng(10).normal(size=(3, 5))
    ours, theirs = nn.LazyInstanceNorm1d(affine=False), torch.nn.LazyInstanceNorm1d(affine=False)
    for module, arg in ((ours, Tensor(x)), (theirs, torch.from_numpy(x))):
        with pytest.warns(UserWarning, match="dim=0 does not match num_features"):
            with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 5"):
                module(arg)
    assert ours.num_features == theirs.num_features == 5
    with pytest.raises(ValueError, match="4D input"):
        nn.LazyBatchNorm2d()(Tensor(np.zeros((2, 3, 4))))


# --- LocalResponseNorm ---------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("shape", [(2, 6, 5), (2, 6, 3, 4), (1, 4, 2, 3, 2), (2, 1, 3)])
def test_local_response_norm_matches_torch(size, shape):
    rng = np.random.default_rng(11)
    x = rng.normal(size=shape) * 3
    ours, theirs = (
        nn.LocalResponseNorm(size, 1e-2, 0.6, 2.0),
        torch.nn.LocalResponseNorm(size, 1e-2, 0.6, 2.0),
    )
    assert repr(ours) == repr(theirs)
    a, t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(a), theirs(t)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = rng.normal(size=shape)
    (y * Tensor(g)).sum().backward()
    ty.backward(torch.from_numpy(g))
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_local_response_norm_defaults_float32_and_edges():
    x = np.random.default_rng(12).normal(size=(2, 5, 3, 3)).astype(np.float32)
    y = F.local_response_norm(Tensor(x), 3)
    assert y.dtype == np.float32
    ref = TF.local_response_norm(torch.from_numpy(x), 3).numpy()
    np.testing.assert_allclose(y.data, ref, rtol=1e-6, atol=1e-7)
    assert F.local_response_norm(Tensor(np.zeros((0, 3, 2))), 2).shape == (0, 3, 2)
    with pytest.raises(ValueError, match=r"3D or higher dimensionality .* \(got 2 dimensions\)"):
        F.local_response_norm(Tensor(np.zeros((3, 4))), 2)


# --- empty batches -------------------------------------------------------------------


@pytest.mark.parametrize("name, shape", [("BatchNorm1d", (0, 3)), ("BatchNorm3d", (0, 3, 2, 1, 2))])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_empty_batch_counts_and_keeps_statistics(name, shape, momentum):
    ours = getattr(nn, name)(3, momentum=momentum).double()
    theirs = getattr(torch.nn, name)(3, momentum=momentum).double()
    rng = np.random.default_rng(14)
    for x in (rng.normal(size=(4, *shape[1:])), np.zeros(shape), rng.normal(size=(2, *shape[1:]))):
        a = Tensor(x, requires_grad=True)
        y, ty = ours(a), theirs(torch.from_numpy(x))
        assert y.shape == tuple(ty.shape)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        _check_state(ours, theirs)
    ours.eval(), theirs.eval()
    assert ours(Tensor(np.zeros(shape))).shape == shape


def test_instance_norm_empty_batch_and_missing_statistics_as_torch():
    x = np.zeros((0, 3, 5))
    for options in ({}, {"track_running_stats": True, "momentum": 0.5}):
        ours, theirs = nn.InstanceNorm1d(3, **options), torch.nn.InstanceNorm1d(3, **options)
        assert ours(Tensor(x)).shape == tuple(theirs(torch.from_numpy(x)).shape) == x.shape
        _check_state(ours, theirs)  # NaN statistics: the mean of no instance
    with pytest.raises(IndexError):
        torch.nn.InstanceNorm1d(3, affine=True)(torch.from_numpy(x))
    with pytest.raises(IndexError, match="an empty batch takes no weight or bias"):
        nn.InstanceNorm1d(3, affine=True)(Tensor(x))
    msg = "Expected running_mean and running_var to be defined when use_input_stats is false"
    with pytest.raises(RuntimeError, match=msg):
        TF.instance_norm(torch.zeros(2, 3, 4), use_input_stats=False)
    with pytest.raises(RuntimeError, match=msg):
        F.instance_norm(Tensor(np.zeros((2, 3, 4))), use_input_stats=False)


def test_lazy_norm_parameters_taken_before_the_first_call_train_as_torch():
    ours, theirs = nn.LazyBatchNorm2d().double(), torch.nn.LazyBatchNorm2d().double()
    opt, topt = (
        optim.SGD(ours.parameters(), lr=0.5, momentum=0.9),
        torch.optim.SGD(theirs.parameters(), lr=0.5, momentum=0.9),
    )
    rng = np.random.default_rng(17)
    for _ in range(3):
        x, g = rng.normal(size=(3, 4, 2, 3)), rng.normal(size=(3, 4, 2, 3))
        opt.zero_grad(), topt.zero_grad()
        (ours(Tensor(x)) * Tensor(g)).sum().backward()
        theirs(torch.from_numpy(x)).backward(torch.from_numpy(g))
        opt.step(), topt.step()
    _check_state(ours, theirs)
