"""Convolution, pooling and im2col: gradchecks (first and second derivatives) over
their options, values and gradients against PyTorch, max-pool ties, torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.ops import pooling as P

torch = pytest.importorskip("torch")
TF = torch.nn.functional
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")


def _t(shape, seed=0, dtype=np.float64):
    return Tensor(np.random.default_rng(seed).normal(size=shape).astype(dtype), requires_grad=True)


CONV_OPTIONS = [
    {"stride": 1, "padding": 0, "dilation": 1, "groups": 1},
    {"stride": 2, "padding": 1, "dilation": 1, "groups": 1},
    {"stride": (1, 2), "padding": (2, 0), "dilation": (2, 1), "groups": 1},
    {"stride": 2, "padding": 1, "dilation": 2, "groups": 2},
    {"stride": 1, "padding": "same", "dilation": 2, "groups": 2},
    {"stride": 1, "padding": "valid", "dilation": 1, "groups": 4},
]


@pytest.mark.parametrize("options", CONV_OPTIONS, ids=str)
def test_conv2d_gradcheck_and_gradgradcheck(options):
    x, w, b = _t((2, 4, 6, 5)), _t((4, 4 // options["groups"], 3, 2), 1), _t((4,), 2)
    fn = lambda x, w, b: autograd.conv2d(x, w, b, **options)  # noqa: E731
    assert gradcheck(fn, [x, w, b])
    assert gradgradcheck(fn, [x, w, b])


@pytest.mark.parametrize("d", [1, 3])
def test_conv1d_conv3d_gradgradcheck(d):
    conv = autograd.conv1d if d == 1 else autograd.conv3d
    x, w = _t((2, 2, *(4,) * d)), _t((2, 1, *(2,) * d), 1)
    fn = lambda x, w: conv(x, w, stride=2, padding=1, groups=2)  # noqa: E731
    assert gradcheck(fn, [x, w]) and gradgradcheck(fn, [x, w])


@pytest.mark.parametrize(
    "options",
    [
        {"stride": 2, "padding": 1, "output_padding": 1},
        {"stride": (1, 2), "dilation": 2, "groups": 2},
    ],
    ids=str,
)
def test_conv_transpose2d_gradgradcheck(options):
    g, w, b = _t((2, 2, 3, 3)), _t((2, 2 // options.get("groups", 1), 2, 3), 1), _t((2,), 2)
    fn = lambda g, w, b: autograd.conv_transpose2d(g, w, b, **options)  # noqa: E731
    assert gradcheck(fn, [g, w, b]) and gradgradcheck(fn, [g, w, b])


POOLS = {
    "max": lambda x: P.max_pool2d(x, 2, 1, 1),
    "max_ceil_dilated": lambda x: P.max_pool2d(
        x, (2, 3), 2, (1, 1), dilation=(2, 1), ceil_mode=True
    ),
    "max1d": lambda x: P.max_pool1d(x[0], 3, 2, 1, ceil_mode=True),
    "avg": lambda x: P.avg_pool2d(x, 3, 2, 1),
    "avg_ceil_no_pad": lambda x: P.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    "avg_divisor": lambda x: P.avg_pool2d(x, 2, 1, divisor_override=3),
    "avg1d": lambda x: P.avg_pool1d(x[0], 2, 2, 1, ceil_mode=True),
    "adaptive_avg": lambda x: P.adaptive_avg_pool2d(x, (3, 2)),
    "adaptive_max": lambda x: P.adaptive_max_pool2d(x, (2, 3)),
    "adaptive_avg1d": lambda x: P.adaptive_avg_pool1d(x[0], 4),
    "unfold": lambda x: P.unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)),
    "fold": lambda x: P.fold(x, (3, 7), (2, 2), stride=(1, 2), padding=(0, 1)),
}


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pooling_gradcheck_and_gradgradcheck(name):
    x = _t((2, 3, 5, 4) if name != "fold" else (2, 12, 8))  # distinct values: no max ties
    assert gradcheck(POOLS[name], [x]) and gradgradcheck(POOLS[name], [x])


def _same(ours, theirs, inputs, torch_inputs, rtol=1e-10, atol=1e-12):
    """Values, then gradients of sum(out * g) for a random g, alike."""
    if isinstance(ours, tuple):
        np.testing.assert_array_equal(ours[1].data, theirs[1].numpy())
        ours, theirs = ours[0], theirs[0]
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=atol)
    if not inputs:
        return
    g = np.random.default_rng(7).normal(size=ours.shape).astype(ours.dtype)
    (ours * g).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()
    for a, b in zip(inputs, torch_inputs, strict=True):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=atol)


def _pair(shape, seed=0, dtype=np.float64):
    data = np.random.default_rng(seed).normal(size=shape).astype(dtype)
    return Tensor(data.copy(), requires_grad=True), torch.tensor(data.copy(), requires_grad=True)


@pytest.mark.parametrize(("c_in", "c_out", "groups"), [(6, 6, 6), (4, 1, 1), (6, 3, 3), (3, 6, 3)])
@pytest.mark.parametrize("transposed", [False, True])
def test_one_output_per_group_as_torch(c_in, c_out, groups, transposed):
    """Convolutions where each group has one output channel (depthwise, or a single
    output) take broadcast and einsum products instead of BLAS calls per group
    (`one_output_per_group`); (3, 6, 3), two outputs per group, takes the general
    path. Values and gradients of input and weight as torch's."""
    options = {"stride": 2, "padding": 1, "dilation": (1, 2), "groups": groups}
    if transposed:  # a transposed convolution's weight is (C_in, C_out / groups, ...)
        x, tx = _pair((3, c_in, 7, 8))
        w, tw = _pair((c_in, c_out // groups, 3, 2), 1)
        ours = autograd.conv_transpose2d(x, w, **options)
        theirs = torch.conv_transpose2d(tx, tw, **options)
    else:
        x, tx = _pair((3, c_in, 9, 8))
        w, tw = _pair((c_out, c_in // groups, 3, 2), 1)
        ours, theirs = autograd.conv2d(x, w, **options), torch.conv2d(tx, tw, **options)
    _same(ours, theirs, [x, w], [tx, tw])


@st.composite
def conv_cases(draw):
    d = draw(st.sampled_from([1, 2]))
    groups = draw(st.sampled_from([1, 2, 3]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    padding = draw(st.one_of(st.just("same"), st.tuples(*(st.integers(0, 2) for _ in range(d)))))
    if padding == "same":
        stride = (1,) * d
    pads = (0,) * d if padding == "same" else padding
    size = tuple(
        draw(st.integers(max(dl * (k - 1) + 1 - 2 * p, 1), 7))
        for k, dl, p in zip(kernel, dilation, pads, strict=True)
    )
    batch = draw(st.sampled_from([(), (1,), (3,)]))
    shapes = ((*batch, c_in, *size), (c_out, c_in // groups, *kernel))
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return d, shapes, options, draw(st.booleans()), draw(st.integers(0, 99))


@settings(max_examples=60, deadline=None)
@given(case=conv_cases())
def test_conv_matches_torch(case):
    d, (xs, ws), options, with_bias, seed = case
    (x, tx), (w, tw), (b, tb) = _pair(xs, seed), _pair(ws, seed + 1), _pair(ws[:1], seed + 2)
    ours = getattr(autograd, f"conv{d}d")(x, w, b if with_bias else None, **options)
    theirs = getattr(TF, f"conv{d}d")(tx, tw, tb if with_bias else None, **options)
    _same(ours, theirs, [x, w, b] if with_bias else [x, w], [tx, tw, tb] if with_bias else [tx, tw])


@settings(max_examples=40, deadline=None)
@given(case=conv_cases(), extra=st.integers(0, 2))
def test_conv_transpose_matches_torch(case, extra):
    d, (xs, ws), options, with_bias, seed = case
    stride, dilation = options["stride"], options["dilation"]
    pads = (0,) * d if options["padding"] == "same" else options["padding"]
    output_padding = tuple(
        min(extra, max(s, dl) - 1) for s, dl in zip(stride, dilation, strict=True)
    )
    # the weight's first axis is the input's channels: (C_in, C_out / groups, *k)
    ws = (xs[-1 - d], ws[0] // options["groups"], *ws[2:])
    (x, tx), (w, tw), (b, tb) = (
        _pair(xs, seed),
        _pair(ws, seed + 1),
        _pair((ws[1] * options["groups"],), seed + 2),
    )
    kw = {"stride": stride, "padding": pads, "output_padding": output_padding,
          "groups": options["groups"], "dilation": dilation}  # fmt: skip
    try:
        theirs = getattr(TF, f"conv_transpose{d}d")(tx, tw, tb if with_bias else None, **kw)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            getattr(autograd, f"conv_transpose{d}d")(x, w, b if with_bias else None, **kw)
        return
    ours = getattr(autograd, f"conv_transpose{d}d")(x, w, b if with_bias else None, **kw)
    _same(ours, theirs, [x, w, b] if with_bias else [x, w], [tx, tw, tb] if with_bias else [tx, tw])


def test_conv2d_float32_forward_matches_torch():
    (x, tx), (w, tw) = _pair((4, 3, 12, 12), 0, np.float32), _pair((8, 3, 5, 5), 1, np.float32)
    ours, theirs = autograd.conv2d(x, w, padding=2), TF.conv2d(tx, tw, padding=2)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-5, atol=1e-5)


@st.composite
def pool_cases(draw):
    d = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(draw(st.integers(k, 8)) for k in kernel)
    batch = draw(st.sampled_from([(), (2,)]))
    return (
        d,
        (*batch, 2, *size),
        kernel,
        stride,
        padding,
        draw(st.booleans()),
        draw(st.integers(0, 99)),
    )


@settings(max_examples=60, deadline=None)
@given(case=pool_cases(), dilation=st.integers(1, 2), ties=st.booleans())
def test_max_pool_matches_torch(case, dilation, ties):
    d, shape, kernel, stride, padding, ceil_mode, seed = case
    data = np.random.default_rng(seed).normal(size=shape)
    if ties:  # few distinct values: windows with several maxima
        data = np.round(data)
    x, tx = Tensor(data.copy(), requires_grad=True), torch.tensor(data.copy(), requires_grad=True)
    args = (kernel, stride, padding, dilation, ceil_mode, True)
    try:
        theirs = getattr(TF, f"max_pool{d}d")(tx, *args)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            getattr(P, f"max_pool{d}d")(x, *args)
        return
    _same(getattr(P, f"max_pool{d}d")(x, *args), theirs, [x], [tx])


@settings(max_examples=60, deadline=None)
@given(case=pool_cases(), include_pad=st.booleans(), divisor=st.sampled_from([None, 2]))
def test_avg_pool_matches_torch(case, include_pad, divisor):
    d, shape, kernel, stride, padding, ceil_mode, seed = case
    (x, tx) = _pair(shape, seed)
    args = (kernel, stride, padding, ceil_mode, include_pad)
    extra = {"divisor_override": divisor} if d == 2 else {}
    try:
        theirs = getattr(TF, f"avg_pool{d}d")(tx, *args, **extra)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            getattr(P, f"avg_pool{d}d")(x, *args, **extra)
        return
    _same(getattr(P, f"avg_pool{d}d")(x, *args, **extra), theirs, [x], [tx])


@settings(max_examples=50, deadline=None)
@given(
    d=st.sampled_from([1, 2]),
    sizes=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    outs=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    kind=st.sampled_from(["avg", "max"]),
    seed=st.integers(0, 99),
)
def test_adaptive_pools_match_torch(d, sizes, outs, kind, seed):
    x, tx = _pair((2, 3, *sizes[:d]), seed)
    if kind == "max":
        x.data.round(out=x.data)  # ties
        tx.data.round_()
        ours = getattr(P, f"adaptive_max_pool{d}d")(x, outs[:d], return_indices=True)
        theirs = getattr(TF, f"adaptive_max_pool{d}d")(tx, outs[:d], return_indices=True)
    else:
        ours = getattr(P, f"adaptive_avg_pool{d}d")(x, outs[:d])
        theirs = getattr(TF, f"adaptive_avg_pool{d}d")(tx, outs[:d])
    _same(ours, theirs, [x], [tx])


@settings(max_examples=40, deadline=None)
@given(case=pool_cases(), dilation=st.integers(1, 2))
def test_unfold_and_fold_match_torch(case, dilation):
    d, shape, kernel, stride, padding, _, seed = case
    if d == 1:
        return
    x, tx = _pair(shape, seed)
    args = (kernel, dilation, padding, stride)
    try:
        theirs = TF.unfold(tx, *args)
    except RuntimeError:
        return
    ours = P.unfold(x, *args)
    _same(ours, theirs, [x], [tx])
    cols, tcols = _pair(tuple(theirs.shape), seed + 1)
    _same(P.fold(cols, shape[-2:], *args), TF.fold(tcols, shape[-2:], *args), [cols], [tcols])


def test_max_pool_ties_go_to_the_first_maximum():
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    z, idx = P.max_pool2d(x, 2, return_indices=True)
    z.sum().backward()
    np.testing.assert_array_equal(idx.data[0, 0], [[0, 2], [8, 10]])
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.data[0, 0], expected)


@pytest.mark.parametrize(
    ("dtype", "kernel", "stride"),
    [(np.float32, 2, 2), (np.float64, 3, 1), (np.float64, (17, 16), 3), (np.int64, 3, 2)],
)
def test_max_pool_positions_as_torch_for_each_index_width(dtype, kernel, stride):
    """The first maximum's position is found with the narrowest integer type that holds
    the window's positions (uint8 up to 256 of them, uint16 for 17 x 16 = 272): indices,
    values and gradients as torch's, with many ties, in windows that overlap or not."""
    rng = np.random.default_rng(7)
    data = rng.integers(-2, 3, size=(2, 3, 40, 37)).astype(dtype)
    ours = P.max_pool2d(Tensor(data), kernel, stride, return_indices=True)
    theirs = TF.max_pool2d(torch.tensor(data), kernel, stride, return_indices=True)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.data, b.numpy())
    if dtype == np.int64:
        return
    x, tx = Tensor(data.copy(), requires_grad=True), torch.tensor(data.copy(), requires_grad=True)
    P.max_pool2d(x, kernel, stride).sum().backward()
    TF.max_pool2d(tx, kernel, stride).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


@pytest.mark.parametrize("pool", ["max_pool2d", "adaptive_max_pool2d"])
def test_max_pools_pick_nans_as_torch(pool):
    """torch's rule: a NaN wins its window, and a later NaN wins over an earlier one."""
    rng = np.random.default_rng(4)
    data = np.round(rng.normal(size=(2, 3, 6, 7)))
    data[rng.random(data.shape) < 0.25] = np.nan
    args = (3, 2, 1) if pool == "max_pool2d" else ((3, 4),)
    x, tx = Tensor(data.copy(), requires_grad=True), torch.tensor(data.copy(), requires_grad=True)
    _same(
        getattr(P, pool)(x, *args, return_indices=True),
        getattr(TF, pool)(tx, *args, return_indices=True),
        [x],
        [tx],
    )


def test_top_level_names_as_torch():
    x, tx = _pair((2, 3, 9))
    ours, theirs = autograd.adaptive_max_pool1d(x, 4), torch.adaptive_max_pool1d(tx, 4)
    assert isinstance(ours, tuple) and isinstance(theirs, tuple)
    _same(ours, theirs, [], [])
    _same(autograd.max_pool1d_with_indices(x, 2), torch.max_pool1d_with_indices(tx, 2), [], [])
    _same(autograd.avg_pool1d(x, 3, 2), torch.avg_pool1d(tx, 3, 2), [], [])
    w, tw = _pair((4, 3, 2), 1)
    _same(autograd.conv1d(x, w), torch.conv1d(tx, tw), [], [])


ERRORS = [
    (lambda m: m.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((6, 1, 5, 5)))),
    (lambda m: m.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((6, 3, 5, 5)))),
    (lambda m: m.conv2d(np.zeros((4, 4)), np.zeros((6, 1, 3, 3)))),
    (lambda m: m.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((3, 1, 3, 3)), groups=2)),
    (lambda m: m.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((6, 3, 3, 3)), stride=2, padding="same")),
    (lambda m: m.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((6, 3, 3, 3)), padding="foo")),
    (lambda m: m.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((6, 3, 3, 3)), padding=-1)),
    (lambda m: m.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((6, 3, 3, 3)), stride=0)),
    (lambda m: m.conv1d(np.zeros((1, 3, 4)), np.zeros((6, 3, 3)), stride=(1, 1))),
    (lambda m: m.max_pool2d(np.zeros((1, 3, 4, 4)), 3, padding=2)),
    (lambda m: m.max_pool2d(np.zeros((1, 3, 4, 4)), 5)),
    (lambda m: m.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3), np.float32))),
    (lambda m: m.conv_transpose2d(np.zeros((2, 5, 5, 5)), np.zeros((4, 3, 3, 3)))),
    (lambda m: m.conv_transpose2d(np.zeros((2, 4, 5, 5)), np.zeros((4, 3, 3, 3)), padding=-1)),
    (lambda m: m.conv_transpose2d(np.zeros((2, 4, 5, 5)), np.zeros((4, 3, 3, 3)), stride=0)),
    (
        lambda m: m.conv2d(
            np.zeros((1, 1, 4, 4), np.float32), np.zeros((2, 1, 3, 3), np.float32), np.zeros(2)
        )
    ),
]


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.conv2d(np.zeros((0, 2, 5, 5)), np.ones((3, 2, 3, 3)), padding=1),
        lambda m: m.max_pool2d(np.zeros((0, 2, 5, 5)), 2),
        lambda m: m.avg_pool2d(np.zeros((0, 2, 5, 5)), 2, ceil_mode=True),
        lambda m: m.adaptive_max_pool2d(np.zeros((0, 2, 5, 5)), 2),
        lambda m: m.unfold(np.zeros((0, 2, 5, 5)), 2),
    ],
)
def test_empty_batches_as_torch(call):
    ours = call(_Ours)
    assert ours.shape == tuple(call(_Torch).shape)


@pytest.mark.parametrize("call", ERRORS)
def test_errors_are_torchs(call):
    with pytest.raises(RuntimeError) as theirs:
        call(_Torch)
    with pytest.raises(RuntimeError, match=_quoted(theirs.value)):
        call(autograd)


def _quoted(err):
    import re

    return re.escape(str(err).split("\n")[0])


class _Torch:
    """torch's functions taking ndarrays, as ours do."""

    def __getattr__(self, name):
        arrays = lambda a: [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in a]  # noqa: E731
        return lambda *a, **kw: getattr(TF, name)(*arrays(a), **kw)


_Torch = _Torch()  # type: ignore[misc]


class _Ours:
    """Ours by torch's functional names (`torch.nn.functional`'s, as `nn.functional`)."""

    def __getattr__(self, name):
        from nn import functional

        return getattr(functional, name)


_Ours = _Ours()  # type: ignore[misc]
