"""PyTorch's order statistics, running ops, NaN-skipping reductions and ops along one
dim (`median`, `kthvalue`, `mode`, `cumprod`, `cummax`, `logcumsumexp`, `diff`,
`repeat_interleave`, `select`, `nansum`, `nan_to_num`, `var_mean`, `aminmax`...):
values, dtypes, shapes, indices and errors as torch's, and gradients (first and, for
`cumprod` and `logcumsumexp`, second) compared with torch's.

The float64 gradchecks of these ops are in test_ops.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor
from tests.autograd.test_torch_methods import _error, assert_same, both

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(2)
X = RNG.normal(size=(3, 4))
X3 = RNG.normal(size=(2, 3, 4))
TIES = np.array([[1.0, 3.0, 3.0, 1.0, 3.0], [2.0, 2.0, 0.0, 2.0, -1.0]])
LONG_TIES = np.array([2.0, 1, 2, 1, 2, 1, 2, 1, 3, 3, 2, 1, 2, 1, 2, 1, 2, 2])  # > 16 elements
NAN = float("nan")
INF = float("inf")
NANS = np.array([[1.0, NAN, 3.0, 0.0], [NAN, 2.0, NAN, -1.0], [4.0, 4.0, 1.0, 1.0]])
SPECIAL = np.array([1.0, NAN, -INF, 0.0, INF, -0.0])
INTS = np.array([[3, 0, -2, 5], [0, 5, 5, 1]])
BOOLS = np.array([[True, False, False, True], [False, False, True, True]])
ZEROS = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 1.5, 2.0], [1.0, -2.0, 3.0, 0.0]])
ONE_NAN = np.array([[1.0, NAN, 3.0, 0.0], [2.0, 5.0, NAN, -1.0]])
STATS = np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])

SAME = {
    "median_all": lambda lib, t: lib.median(t(X)),
    "median_all_even_count_is_the_lower": lambda lib, t: t(np.array([4.0, 1.0, 3.0, 2.0])).median(),
    "median_all_nan": lambda lib, t: lib.median(t(NANS)),
    "median_all_ints": lambda lib, t: t(INTS).median(),
    "median_dim": lambda lib, t: lib.median(t(X), 1),
    "median_dim_ties": lambda lib, t: t(TIES).median(dim=1),
    "median_long_ties": lambda lib, t: t(LONG_TIES).median(0),
    "median_negative_dim_keepdim": lambda lib, t: lib.median(t(X3), -2, keepdim=True),
    "median_dim_nan_first": lambda lib, t: t(NANS).median(1),
    "median_dim_ints": lambda lib, t: t(INTS).median(0),
    "median_0d": lambda lib, t: t(np.array(3.0)).median(0),
    "median_empty_rows": lambda lib, t: lib.median(t(np.zeros((0, 3))), 1),
    "nanmedian_all": lambda lib, t: lib.nanmedian(t(NANS)),
    "nanmedian_all_ints": lambda lib, t: lib.nanmedian(t(INTS)),
    "nanmedian_dim": lambda lib, t: t(NANS).nanmedian(1),
    "nanmedian_dim_keepdim": lambda lib, t: lib.nanmedian(t(NANS), 0, keepdim=True),
    "kthvalue": lambda lib, t: lib.kthvalue(t(X), 2, 1),
    "kthvalue_default_dim": lambda lib, t: t(X3).kthvalue(4),
    "kthvalue_keepdim": lambda lib, t: t(X3).kthvalue(1, 0, True),
    "kthvalue_ints": lambda lib, t: lib.kthvalue(t(INTS), 1, 1),
    "kthvalue_nan_is_largest": lambda lib, t: t(ONE_NAN).kthvalue(4, 1),
    "kthvalue_0d": lambda lib, t: t(np.array(2.0)).kthvalue(1),
    "mode_ties": lambda lib, t: t(TIES).mode(1),
    "mode_dim0_keepdim": lambda lib, t: t(INTS).mode(0, keepdim=True),
    "mode_default_dim": lambda lib, t: t(np.array([[1, 2, 2, 1, 3], [4, 4, 4, 0, 0]])).mode(),
    "mode_equal_counts_smallest": lambda lib, t: t(X).mode(1),
    "mode_0d": lambda lib, t: t(np.array(2.0)).mode(),
    "mode_bools": lambda lib, t: t(BOOLS).mode(1),
    "mode_0d_bool": lambda lib, t: t(np.array(True)).mode(0),
    "mode_empty_rows": lambda lib, t: t(np.zeros((2, 0))).mode(0),
    "cumprod": lambda lib, t: lib.cumprod(t(X), 1),
    "cumprod_zeros": lambda lib, t: t(ZEROS).cumprod(dim=-1),
    "cumprod_ints": lambda lib, t: t(INTS).cumprod(1),
    "cumprod_int32_is_int64": lambda lib, t: t(INTS.astype(np.int32)).cumprod(0),
    "cumprod_bools": lambda lib, t: lib.cumprod(t(BOOLS), 1),
    "cumprod_dtype": lambda lib, t: lib.cumprod(t(INTS), 1, dtype=lib.float64),
    "cumprod_0d": lambda lib, t: t(np.array(2.5)).cumprod(0),
    "cummax": lambda lib, t: lib.cummax(t(TIES), 1),
    "cummin": lambda lib, t: t(TIES).cummin(dim=-1),
    "cummax_dim0": lambda lib, t: t(X3).cummax(0),
    "cummax_nan": lambda lib, t: lib.cummax(t(NANS), 1),
    "cummin_nan": lambda lib, t: t(NANS).cummin(1),
    "cummin_special": lambda lib, t: t(SPECIAL).cummin(0),
    "cummax_ints": lambda lib, t: t(INTS).cummax(1),
    "cummax_bools": lambda lib, t: lib.cummax(t(BOOLS), 1),
    "cummin_bools": lambda lib, t: lib.cummin(t(BOOLS), 1),
    "cummax_0d": lambda lib, t: lib.cummax(t(np.array(1.5)), 0),
    "logcumsumexp": lambda lib, t: lib.logcumsumexp(t(X), 1),
    "logcumsumexp_large": lambda lib, t: t(X * 1000).logcumsumexp(0),
    "logcumsumexp_minus_inf": lambda lib, t: t(np.array([-INF, 0.0, -INF])).logcumsumexp(0),
    "diff": lambda lib, t: lib.diff(t(X)),
    "diff_n2_dim0": lambda lib, t: t(X3).diff(n=2, dim=0),
    "diff_ints": lambda lib, t: t(INTS).diff(),
    "diff_bools": lambda lib, t: t(BOOLS).diff(dim=1),
    "diff_bools_n2": lambda lib, t: lib.diff(t(BOOLS), 2),
    "diff_past_the_length": lambda lib, t: t(X).diff(5),
    "diff_n0": lambda lib, t: t(X).diff(0),
    "diff_prepend_append": lambda lib, t: lib.diff(
        t(X), prepend=t(np.zeros((3, 1))), append=t(np.ones((3, 2)))
    ),
    "diff_prepend_promotes": lambda lib, t: t(X.astype(np.float32)).diff(
        dim=0, prepend=t(np.zeros((1, 4)))
    ),
    "repeat_interleave_flat": lambda lib, t: lib.repeat_interleave(t(INTS), 2),
    "repeat_interleave_tensor": lambda lib, t: t(X).repeat_interleave(t(np.array([1, 0, 2])), 0),
    "repeat_interleave_one_count": lambda lib, t: t(X).repeat_interleave(t(np.array([2])), dim=1),
    "repeat_interleave_0d_count": lambda lib, t: t(INTS).repeat_interleave(t(np.array(3)), -1),
    "repeat_interleave_counts_alone": lambda lib, t: lib.repeat_interleave(t(np.array([2, 0, 3]))),
    "repeat_interleave_0d": lambda lib, t: lib.repeat_interleave(t(np.array(2.0)), 3),
    "select": lambda lib, t: lib.select(t(X3), 1, 2),
    "select_negative": lambda lib, t: t(X3).select(-1, -1),
    "select_vector": lambda lib, t: t(X[0]).select(0, 1),
    "nansum": lambda lib, t: lib.nansum(t(NANS)),
    "nansum_dim": lambda lib, t: t(NANS).nansum(1),
    "nansum_dims_keepdim": lambda lib, t: lib.nansum(t(NANS), (0, 1), keepdim=True),
    "nansum_ints": lambda lib, t: t(INTS).nansum(0),
    "nansum_bools": lambda lib, t: lib.nansum(t(BOOLS)),
    "nansum_dtype": lambda lib, t: lib.nansum(t(NANS.astype(np.float32)), dtype=lib.float64),
    "nanmean": lambda lib, t: lib.nanmean(t(NANS)),
    "nanmean_dim": lambda lib, t: t(NANS).nanmean(0),
    "nanmean_all_nan_row": lambda lib, t: t(np.array([[NAN, NAN], [1.0, 2.0]])).nanmean(1),
    "nanmean_keepdim": lambda lib, t: lib.nanmean(t(NANS), -1, keepdim=True),
    "nan_to_num": lambda lib, t: lib.nan_to_num(t(SPECIAL)),
    "nan_to_num_float32": lambda lib, t: t(SPECIAL.astype(np.float32)).nan_to_num(),
    "nan_to_num_values": lambda lib, t: t(SPECIAL).nan_to_num(2.0, posinf=1e3, neginf=-7.0),
    "nan_to_num_ints": lambda lib, t: lib.nan_to_num(t(INTS), nan=1.5),
    "var_mean": lambda lib, t: lib.var_mean(t(STATS)),
    "var_mean_dim": lambda lib, t: lib.var_mean(t(STATS), 1),
    "var_mean_correction": lambda lib, t: lib.var_mean(t(STATS), 1, keepdim=True, correction=0),
    "var_mean_dims": lambda lib, t: lib.var_mean(t(X3), (0, -1)),
    "std_mean": lambda lib, t: lib.std_mean(t(STATS)),
    "std_mean_unbiased_positional": lambda lib, t: lib.std_mean(t(STATS), 0, True),
    "std_mean_biased": lambda lib, t: lib.std_mean(t(STATS), dim=(0, 1), unbiased=False),
    "aminmax": lambda lib, t: lib.aminmax(t(X)),
    "aminmax_dim": lambda lib, t: t(TIES).aminmax(dim=1),
    "aminmax_keepdim": lambda lib, t: lib.aminmax(t(X3), dim=-1, keepdim=True),
    "aminmax_ints": lambda lib, t: t(INTS).aminmax(),
    "aminmax_bools": lambda lib, t: lib.aminmax(t(BOOLS), dim=0),
    "aminmax_0d": lambda lib, t: lib.aminmax(t(np.array(2.0)), dim=0),
    "aminmax_empty_rows": lambda lib, t: lib.aminmax(t(np.zeros((0, 3))), dim=1),
    "msort": lambda lib, t: lib.msort(t(X)),
    "msort_ints_method": lambda lib, t: t(INTS).msort(),
    "msort_nan": lambda lib, t: lib.msort(t(SPECIAL)),
    "msort_0d": lambda lib, t: lib.msort(t(np.array(2.0))),
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_same_as_torch(name):
    ours, theirs = both(SAME[name])
    assert_same(ours, theirs)


ERRORS = {  # name: (call, a word the message must hold)
    "median_dim_range": (lambda lib, t: lib.median(t(X), 2), "range"),
    "median_0d_dim_range": (lambda lib, t: t(np.array(3.0)).median(1), "range"),
    "median_empty_dim": (lambda lib, t: lib.median(t(np.zeros((0, 3))), 0), "non-zero"),
    "median_bools": (lambda lib, t: lib.median(t(BOOLS)), "bool"),
    "median_dim_bools": (lambda lib, t: t(BOOLS).median(1), "bool"),
    "nanmedian_bools": (lambda lib, t: lib.nanmedian(t(BOOLS), 0), "bool"),
    "kthvalue_bools": (lambda lib, t: t(BOOLS).kthvalue(1), "bool"),
    "nanmedian_dim_range": (lambda lib, t: t(X).nanmedian(-3), "range"),
    "kthvalue_k_too_large": (lambda lib, t: lib.kthvalue(t(X), 5, 1), "k"),
    "kthvalue_k_zero": (lambda lib, t: t(X).kthvalue(0), "k"),
    "kthvalue_dim_range": (lambda lib, t: t(X).kthvalue(1, 2), "range"),
    "mode_dim_range": (lambda lib, t: t(X).mode(3), "range"),
    "mode_empty_dim": (lambda lib, t: t(np.zeros((0, 3))).mode(0), "non-zero"),
    "cumprod_dim_range": (lambda lib, t: lib.cumprod(t(X), 2), "range"),
    "cummax_dim_range": (lambda lib, t: t(X).cummax(-3), "range"),
    "cummin_dim_range": (lambda lib, t: lib.cummin(t(X), 2), "range"),
    "logcumsumexp_dim_range": (lambda lib, t: t(X).logcumsumexp(2), "range"),
    "logcumsumexp_ints": (lambda lib, t: lib.logcumsumexp(t(INTS), 1), "dtype"),
    "diff_0d": (lambda lib, t: lib.diff(t(np.array(1.0))), "one-dimensional"),
    "diff_dim_range": (lambda lib, t: t(X).diff(dim=2), "range"),
    "diff_negative_n": (lambda lib, t: t(X).diff(-1), "non-negative"),
    "diff_prepend_ndim": (lambda lib, t: t(X).diff(prepend=t(np.zeros(1))), "dimension"),
    "repeat_interleave_dim_range": (lambda lib, t: t(X).repeat_interleave(2, dim=2), "range"),
    "repeat_interleave_negative": (lambda lib, t: t(X).repeat_interleave(-1), "non-negative"),
    "repeat_interleave_negative_tensor": (
        lambda lib, t: t(X).repeat_interleave(t(np.array([1, -1, 1])), dim=0),
        "negative",
    ),
    "repeat_interleave_lengths": (
        lambda lib, t: lib.repeat_interleave(t(X), t(np.array([1, 2])), dim=0),
        "same size",
    ),
    "repeat_interleave_float_repeats": (
        lambda lib, t: t(X).repeat_interleave(t(np.array([1.0, 2.0, 1.0])), dim=0),
        "int",
    ),
    "select_dim_range": (lambda lib, t: lib.select(t(X), 2, 0), "range"),
    "select_index_range": (lambda lib, t: t(X).select(1, 4), "out of range"),
    "select_negative_index_range": (lambda lib, t: t(X).select(0, -4), "out of range"),
    "select_0d": (lambda lib, t: lib.select(t(np.array(1.0)), 0, 0), "0-dim"),
    "nansum_dim_range": (lambda lib, t: lib.nansum(t(X), 2), "range"),
    "nanmean_ints": (lambda lib, t: lib.nanmean(t(INTS)), "float"),
    "nanmean_dim_range": (lambda lib, t: t(X).nanmean(dim=-3), "range"),
    "var_mean_ints": (lambda lib, t: lib.var_mean(t(INTS)), "float"),
    "std_mean_dim_range": (lambda lib, t: lib.std_mean(t(X), 2), "range"),
    "aminmax_dim_range": (lambda lib, t: lib.aminmax(t(X), dim=2), "range"),
    "aminmax_empty": (lambda lib, t: lib.aminmax(t(np.zeros(0))), "empty"),
    "aminmax_empty_dim": (lambda lib, t: lib.aminmax(t(np.zeros((0, 3))), dim=0), "non-zero"),
    "aminmax_dims_tuple": (lambda lib, t: lib.aminmax(t(X), dim=(0, 1)), "int"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_torch(name):
    call, word = ERRORS[name]
    ours, theirs = _error(call, autograd), _error(call, torch)
    assert theirs is not None, "torch accepts this call"
    assert ours is not None, "autograd accepts a call torch refuses"
    assert isinstance(ours, type(theirs)), (ours, theirs)
    assert word in str(ours), str(ours)


GRADS = {  # name: (values of the op given lib and a tensor, the input)
    "median_all_ties": (lambda lib, a: lib.median(a), TIES),
    "median_all_nan": (lambda lib, a: a.median(), NANS),
    "nanmedian_all_ties": (lambda lib, a: lib.nanmedian(a), NANS),
    "median_dim": (lambda lib, a: lib.median(a, 1).values, X),
    "median_dim_ties_keepdim": (lambda lib, a: a.median(-1, keepdim=True).values, TIES),
    "median_long_ties": (lambda lib, a: a.median(0).values, LONG_TIES),
    "nanmedian_dim": (lambda lib, a: a.nanmedian(1).values, NANS),
    "kthvalue": (lambda lib, a: lib.kthvalue(a, 3, -1).values, X3),
    "mode_ties": (lambda lib, a: a.mode(1).values, TIES),
    "cumprod": (lambda lib, a: lib.cumprod(a, 1), X),
    "cumprod_zeros": (lambda lib, a: a.cumprod(-1), ZEROS),
    "cumprod_zeros_dim0": (lambda lib, a: lib.cumprod(a, 0), ZEROS),
    "cummax_ties": (lambda lib, a: lib.cummax(a, 1).values, TIES),
    "cummin_dim0": (lambda lib, a: a.cummin(0).values, X3),
    "logcumsumexp": (lambda lib, a: lib.logcumsumexp(a, -1), X3),
    "logcumsumexp_large": (lambda lib, a: a.logcumsumexp(0), X * 1000),
    "diff_twice_prepend": (lambda lib, a: lib.diff(a, 2, 0, prepend=a[:1] * 3), X),
    "repeat_interleave": (
        lambda lib, a: a.repeat_interleave(lib.tensor(np.array([2, 0, 1, 3])), 1),
        X,
    ),
    "repeat_interleave_flat": (lambda lib, a: lib.repeat_interleave(a, 3), X),
    "select": (lambda lib, a: a.select(1, -2) * a.select(0, 0)[:3], X),
    "nansum": (lambda lib, a: lib.nansum(a, 1), NANS),
    "nanmean": (lambda lib, a: a.nanmean(0, keepdim=True), NANS),
    "nan_to_num": (lambda lib, a: lib.nan_to_num(a, 1.0, 2.0, -2.0), SPECIAL),
    "var_mean": (lambda lib, a: lib.var_mean(a, 1)[0] * lib.var_mean(a, 1)[1], X),
    "std_mean": (lambda lib, a: lib.std_mean(a)[0] + lib.std_mean(a, -1, keepdim=True)[1], X),
    "aminmax_ties": (lambda lib, a: a.aminmax()[0] * 2 + a.aminmax()[1], TIES),
    "aminmax_dim_ties": (
        lambda lib, a: lib.aminmax(a, dim=1).min * lib.aminmax(a, dim=1).max,
        TIES,
    ),
    "msort": (lambda lib, a: lib.msort(a), TIES.T),
}


def _weights(shape):
    return np.random.default_rng(7).normal(size=shape)


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients_as_torch(name):
    """d/dx of a weighted sum of the op's values, NaN in the same places."""
    fn, data = GRADS[name]
    a = Tensor(data.copy(), requires_grad=True)
    b = torch.tensor(data.copy(), requires_grad=True)
    ours, theirs = fn(autograd, a), fn(torch, b)
    w = _weights(ours.shape)
    (ours * w).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12, atol=1e-12)


SECOND = {
    "cumprod": (lambda lib, a: lib.cumprod(a, 1), X),
    "cumprod_zeros": (lambda lib, a: a.cumprod(-1), ZEROS),
    "cumprod_zeros_dim0": (lambda lib, a: lib.cumprod(a, 0), ZEROS),
    "logcumsumexp": (lambda lib, a: lib.logcumsumexp(a, 1), X),
    "logcumsumexp_3d": (lambda lib, a: a.logcumsumexp(0), X3),
}


@pytest.mark.parametrize("name", sorted(SECOND))
def test_second_derivatives_as_torch(name):
    """d/dx of <v, d/dx <w, f(x)>>, through backward with create_graph=True."""
    fn, data = SECOND[name]
    a = Tensor(data.copy(), requires_grad=True)
    b = torch.tensor(data.copy(), requires_grad=True)
    ours, theirs = fn(autograd, a), fn(torch, b)
    w, v = _weights(ours.shape), np.random.default_rng(8).normal(size=data.shape)
    (g,) = autograd.grad((ours * w).sum(), a, create_graph=True)
    (h,) = torch.autograd.grad((theirs * torch.tensor(w)).sum(), b, create_graph=True)
    np.testing.assert_allclose(g.data, h.detach().numpy(), rtol=1e-12, atol=1e-12)
    (g * v).sum().backward()
    (h * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("name", ["cumprod", "logcumsumexp"])
def test_derivatives_at_random_shapes_dims_and_zeros_as_torch(name):
    """Random shapes and dims (negative too), a third of the elements 0 (rows of several
    zeros): first and second derivatives as torch's."""
    rng = np.random.default_rng(5)
    for _ in range(40):
        shape = tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 4)))
        data = rng.normal(size=shape) * (1.0 if name == "cumprod" else 30.0)
        data[rng.random(shape) < 0.35] = 0.0
        dim = int(rng.integers(-len(shape), len(shape)))
        w, v = rng.normal(size=shape), rng.normal(size=shape)
        a = Tensor(data.copy(), requires_grad=True)
        b = torch.tensor(data.copy(), requires_grad=True)
        (g,) = autograd.grad((getattr(a, name)(dim) * w).sum(), a, create_graph=True)
        (h,) = torch.autograd.grad(
            (getattr(b, name)(dim) * torch.tensor(w)).sum(), b, create_graph=True
        )
        np.testing.assert_allclose(g.data, h.detach().numpy(), rtol=1e-10, atol=1e-12)
        if h.requires_grad:  # torch's is constant along a dim of length 1
            (g * v).sum().backward()
            (h * torch.tensor(v)).sum().backward()
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_logcumsumexp_keeps_float32_within_its_precision():
    ours = autograd.logcumsumexp(Tensor(X.astype(np.float32)), -1)
    theirs = torch.logcumsumexp(torch.tensor(X.astype(np.float32)), -1).numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs, rtol=3e-7)


def test_indices_are_int64_outside_the_graph_and_named():
    a = Tensor(X.copy(), requires_grad=True)
    for out in (a.median(1), a.kthvalue(2), a.mode(0), a.cummax(1), autograd.cummin(a, 0)):
        assert out.values is out[0] and out.indices is out[1]
        assert out.indices.dtype == np.int64 and not out.indices.requires_grad
        assert out.values.requires_grad
    pair = autograd.aminmax(a)
    assert pair.min is pair[0] and pair.max is pair[1]


def test_select_is_a_view_that_writes_through():
    for lib in (autograd, torch):
        base = lib.zeros(2, 3)
        base.select(1, -1)[0] = 5.0
        assert base[0, 2].item() == 5.0


def test_mode_stays_the_grad_mode_module():
    """`autograd.mode` is the module of `no_grad`; the mode of a tensor is its method."""
    import autograd.mode as grad_mode

    assert autograd.mode is grad_mode and hasattr(autograd.mode, "no_grad")
    assert Tensor(TIES).mode(1).values.tolist() == [3.0, 2.0]


@pytest.mark.parametrize("name", ["median", "nanmedian", "cummax", "cummin", "mode"])
def test_indices_of_ties_and_nans_as_torch_on_random_rows(name):
    """Rows of few distinct values (many ties), a fifth NaN in every other batch. `mode`
    only without NaN and up to 16 elements: there torch's sort is a stable insertion sort
    (past 16 elements, and with NaN, the place it reports among equal values is not
    defined by a rule)."""
    rng = np.random.default_rng(3)
    for trial in range(60):
        n = int(rng.integers(1, 17 if name == "mode" else 40))
        data = rng.integers(0, 4, (3, n)).astype(float)
        if trial % 2 and name != "mode":
            data[rng.random(data.shape) < 0.2] = NAN
        ours = getattr(Tensor(data), name)(1)
        theirs = getattr(torch.tensor(data), name)(1)
        assert_same(ours, theirs, f"{name} of {data.tolist()}")


def test_sign_sends_zeros_back_even_from_nan_as_torch():
    """sign's gradient is zeros, not dz * 0 (NaN where dz is NaN or inf); rounding's too."""
    a = Tensor(np.array([0.5, -1.0, 0.0]), requires_grad=True)
    b = torch.tensor([0.5, -1.0, 0.0], dtype=torch.float64, requires_grad=True)
    for name in ("sign", "round", "floor", "ceil", "trunc"):
        a.grad, b.grad = None, None
        getattr(autograd, name)(a).backward(Tensor(np.array([NAN, INF, 1.0])))
        getattr(torch, name)(b).backward(torch.tensor([NAN, INF, 1.0], dtype=torch.float64))
        assert_same(a.grad, b.grad, name)


def test_logcumsumexp_second_derivative_where_its_gradient_is_zero_as_torch():
    """A scatter overwrites logcumsumexp's output, so the gradient it gets is 0: torch's
    log|0| makes a NaN there that its scatter's backward stops; here none is made (our
    scatter multiplies by its mask, which would pass it), and the second derivatives
    agree."""
    results = []
    for lib, leaf in ((autograd, Tensor), (torch, torch.tensor)):
        x = leaf(np.array([0.3, -1.2]), requires_grad=True)
        src = leaf(np.array([0.7, -0.4]), requires_grad=True)
        out = lib.logcumsumexp(x, 0).scatter(0, leaf(np.array([1, 0])), src).cos()
        g = lib.autograd.grad(
            (out * leaf(np.array([0.5, -1.0]))).sum(), [x, src], create_graph=True
        )
        projection = (g[0] * leaf(np.array([-1.0, 0.5]))).sum() + (g[1] * leaf(np.ones(2))).sum()
        (h,) = lib.autograd.grad(projection, src)
        results.append(h.tolist())
    assert np.isfinite(results[0]).all()
    np.testing.assert_allclose(results[0], results[1], rtol=1e-13)
