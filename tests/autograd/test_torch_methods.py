"""PyTorch's Tensor methods and functions that are not plain differentiable ops: each
call runs on `autograd` and on torch (``lib`` is either module), and the results
(values, dtypes, shapes, index tensors, tuples, strides) or the errors must agree.

Gradients of the differentiable ones are in test_ops.py (gradcheck) and
test_vs_torch.py (random programs); here only what those cannot see.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4))
TIES = np.array([[1.0, 3.0, 3.0, 1.0, 3.0], [2.0, 2.0, 0.0, 2.0, -1.0]])
SPECIAL = np.array([1.0, np.nan, -np.inf, 0.0, np.inf, -0.0])
INTS = np.array([[3, 0, -2], [0, 5, 5]])
SAMPLE = RNG.normal(size=500).astype(np.float32)


def both(fn):
    """`fn(lib, t)` on autograd and on torch, `t` making a tensor of an array there."""
    return fn(autograd, autograd.tensor), fn(torch, lambda a: torch.tensor(np.asarray(a)))


def assert_same(ours, theirs, where="result"):
    """Tensors with equal values, dtypes and shapes; tuples (named or not) item by item;
    anything else equal."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, Tensor), f"{where}: {type(ours).__name__} is not a Tensor"
        assert ours.shape == tuple(theirs.shape), f"{where}: shape {ours.shape} vs {theirs.shape}"
        expected = theirs.detach().numpy()
        assert ours.dtype == expected.dtype, f"{where}: dtype {ours.dtype} vs {expected.dtype}"
        if expected.dtype.kind == "f":  # sums in another order differ in the last bit
            np.testing.assert_allclose(ours.data, expected, rtol=1e-15, atol=1e-15, err_msg=where)
        else:
            np.testing.assert_array_equal(ours.data, expected, err_msg=where)
        assert not ours.requires_grad or theirs.requires_grad, f"{where}: requires grad"
    elif isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), f"{where}: {ours!r}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]")
        for field in getattr(theirs, "_fields", ()):
            assert_same(getattr(ours, field), getattr(theirs, field), f"{where}.{field}")
    else:
        assert ours == theirs, f"{where}: {ours!r} vs {theirs!r}"


SAME = {
    "eq": lambda lib, t: t(X).eq(t(X).T.T),
    "ne_number": lambda lib, t: t(X).ne(0.5),
    "lt_broadcast": lambda lib, t: t(X).lt(t(X[0])),
    "le": lambda lib, t: t(INTS).le(0),
    "gt": lambda lib, t: t(X).gt(t(X[:, :1])),
    "ge": lambda lib, t: t(TIES).ge(2.0),
    "isnan": lambda lib, t: lib.isnan(t(SPECIAL)),
    "isinf_method": lambda lib, t: t(SPECIAL).isinf(),
    "isnan_ints": lambda lib, t: lib.isnan(t(INTS)),
    "logical_not": lambda lib, t: t(SPECIAL).logical_not(),
    "logical_and": lambda lib, t: lib.logical_and(t(INTS), t(INTS[0])),
    "logical_or": lambda lib, t: lib.logical_or(t(SPECIAL), t(SPECIAL[::-1].copy())),
    "logical_not_fn": lambda lib, t: lib.logical_not(t(INTS)),
    "nonzero": lambda lib, t: t(INTS).nonzero(),
    "nonzero_as_tuple": lambda lib, t: lib.nonzero(t(INTS), as_tuple=True),
    "nonzero_0d": lambda lib, t: t(np.array(2.0)).nonzero(),
    "nonzero_0d_zero_tuple": lambda lib, t: t(np.array(0.0)).nonzero(as_tuple=True),
    "count_nonzero": lambda lib, t: t(INTS).count_nonzero(),
    "count_nonzero_dim": lambda lib, t: lib.count_nonzero(t(INTS), dim=-1),
    "count_nonzero_dims": lambda lib, t: lib.count_nonzero(t(INTS), dim=(0, 1)),
    "sort_ties": lambda lib, t: lib.sort(t(TIES), stable=True),
    "sort_ties_descending": lambda lib, t: t(TIES).sort(dim=1, descending=True, stable=True),
    "sort_dim0": lambda lib, t: t(TIES).sort(0),
    "sort_nan_first_descending": lambda lib, t: t(SPECIAL).sort(descending=True),
    "sort_nan_last": lambda lib, t: lib.sort(t(SPECIAL)),
    "sort_ints": lambda lib, t: t(INTS).sort(),
    "sort_0d": lambda lib, t: t(np.array(3.0)).sort(),
    "sort_empty": lambda lib, t: t(np.zeros((2, 0))).sort(),
    "argsort": lambda lib, t: lib.argsort(t(TIES), dim=0, descending=True, stable=True),
    "argsort_method": lambda lib, t: t(X).argsort(),
    "topk": lambda lib, t: t(X).topk(2),
    "topk_dim0_smallest": lambda lib, t: lib.topk(t(X), 3, dim=0, largest=False),
    "topk_zero": lambda lib, t: t(X).topk(0, -1),
    "topk_ints": lambda lib, t: t(INTS).topk(1, 0),
    "topk_0d": lambda lib, t: t(np.array(3.0)).topk(1),
    "chunk": lambda lib, t: t(np.arange(5)).chunk(3),
    "chunk_runs_out": lambda lib, t: lib.chunk(t(np.arange(6)), 4),
    "chunk_empty": lambda lib, t: lib.chunk(t(np.arange(0)), 3),
    "chunk_dim": lambda lib, t: t(X).chunk(2, dim=-1),
    "split_size": lambda lib, t: t(np.arange(5)).split(2),
    "split_sizes": lambda lib, t: lib.split(t(X), [1, 0, 2], dim=0),
    "split_empty": lambda lib, t: lib.split(t(np.arange(0)), 0),
    "split_larger": lambda lib, t: t(X).split(7, 1),
    "narrow": lambda lib, t: t(X).narrow(1, -1, 1),
    "narrow_empty": lambda lib, t: lib.narrow(t(X), 1, 4, 0),
    "movedim": lambda lib, t: lib.movedim(t(np.zeros((2, 3, 4, 5))), (0, -1), (-1, 1)).shape,
    "movedim_swap": lambda lib, t: t(np.arange(24).reshape(2, 3, 4)).movedim((0, 1), (1, 0)),
    "movedim_one": lambda lib, t: lib.movedim(t(np.arange(24).reshape(2, 3, 4)), 2, 0),
    "unflatten": lambda lib, t: t(np.zeros((2, 12))).unflatten(-1, (2, -1, 3)).shape,
    "view_as": lambda lib, t: t(X).view_as(t(np.zeros((4, 3)))),
    "reshape_as": lambda lib, t: t(X).reshape_as(t(np.zeros((2, 6)))),
    "expand_as": lambda lib, t: t(X[:1]).expand_as(t(X)),
    "type_as": lambda lib, t: t(INTS).type_as(t(X)),
    "half": lambda lib, t: t(X).half(),
    "repeat_ints": lambda lib, t: t(INTS).repeat(2, 1, 2),
    "repeat_zero": lambda lib, t: t(INTS).repeat(0, 2),
    "flip_ints": lambda lib, t: lib.flip(t(INTS), (0, 1)),
    "roll_ints": lambda lib, t: lib.roll(t(INTS), (1, 2), (0, 1)),
    "gather_ints": lambda lib, t: t(INTS).gather(1, t(np.array([[2, 2], [0, 1]]))),
    "gather_0d": lambda lib, t: lib.gather(t(np.array(5.0)), 0, t(np.array(0))),
    "index_select_0d": lambda lib, t: lib.index_select(t(np.array(5.0)), 0, t(np.array([0]))),
    "scatter_repeated_last_wins": lambda lib, t: t(X).scatter(
        1, t(np.array([[0, 0, 0]])), t(np.array([[1.0, 2.0, 3.0]]))
    ),
    "scatter_value": lambda lib, t: lib.scatter(t(X), 0, t(np.array([[2, 0]])), value=7.0),
    "scatter_add_ints": lambda lib, t: t(INTS).scatter_add(
        1, t(np.array([[0, 0, 0], [2, 2, 1]])), t(np.array([[1, 2, 3], [4, 5, 6]]))
    ),
    "scatter_add_larger_src": lambda lib, t: t(X).scatter_add(
        1, t(IDX), t(np.arange(6.0).reshape(2, 3))
    ),
    "index_add_ints": lambda lib, t: t(INTS).index_add(
        1, t(np.array([2, 2, 0])), t(np.array([[1, 2, 3], [4, 5, 6]])), alpha=3
    ),
    "index_add_in_place": lambda lib, t: t(X).index_add_(0, t(np.array([0, 0])), t(X[:2])),
    "scatter_in_place_one_hot": lambda lib, t: t(np.zeros((3, 4))).scatter_(
        1, t(np.array([[2], [0], [3]])), 1.0
    ),
    "scatter_in_place_value": lambda lib, t: t(X).scatter_(0, t(np.array([[2, 0]])), value=7.0),
    "scatter_add_in_place": lambda lib, t: t(X).scatter_add_(
        1, t(np.array([[0, 0, 0]])), t(np.array([[1.0, 2.0, 3.0]]))
    ),
    "index_add_0d": lambda lib, t: t(np.array(5.0)).index_add(
        0, t(np.array([0])), t(np.array(2.0)), alpha=3
    ),
    "index_add_0d_index": lambda lib, t: t(np.zeros(3)).index_add(
        0, t(np.array(1)), t(np.array([2.0]))
    ),
    "scatter_larger_src": lambda lib, t: t(X).scatter(0, t(IDX), t(np.arange(6.0).reshape(2, 3))),
    "scatter_0d_index_one_hot": lambda lib, t: lib.zeros(10).scatter_(0, t(np.array(3)), value=1),
    "scatter_0d_index_and_src": lambda lib, t: t(X[0]).scatter(
        -1, t(np.array(2)), t(np.array(7.0))
    ),
    "scatter_0d_src": lambda lib, t: t(X[0]).scatter(0, t(np.array([1])), t(np.array(7.0))),
    "scatter_0d_input": lambda lib, t: t(np.array(2.0)).scatter(0, t(np.array(0)), value=1.0),
    "scatter_add_0d_index": lambda lib, t: t(X[0]).scatter_add(0, t(np.array(1)), t(X[1])),
    "scatter_add_0d_input": lambda lib, t: t(np.array(2.0)).scatter_add(
        0, t(np.array([0, 0])), t(np.array([1.0, 2.0]))
    ),
    "gather_0d_index": lambda lib, t: t(X[0]).gather(0, t(np.array(2))),
    "histogram_makemore": lambda lib, t: lib.histogram(t(np.tanh(X * 3)), density=True),
    "histogram_float32": lambda lib, t: t(SAMPLE).histogram(7),
    "histogram_range": lambda lib, t: lib.histogram(t(X), 4, range=(-1.0, 0.5)),
    "histogram_edges": lambda lib, t: t(X).histogram(t(np.array([-2.0, 0.0, 0.3, 5.0]))),
    "histogram_weight_density": lambda lib, t: lib.histogram(
        t(X), 3, weight=t(np.abs(X)), density=True
    ),
    "histogram_equal_values": lambda lib, t: lib.histogram(t(np.ones((2, 3))), 2),
    "histogram_empty": lambda lib, t: lib.histogram(t(np.zeros(0)), 2),
    "histogram_0d": lambda lib, t: lib.histogram(t(np.array(3.0)), 2),
    "histogram_nan_left_out": lambda lib, t: lib.histogram(
        t(np.array([1.0, np.nan, 2.0, 7.0])), 2, range=(0.0, 3.0)
    ),
    "cumsum_ints": lambda lib, t: t(INTS).cumsum(1),
    "cumsum_bool": lambda lib, t: lib.cumsum(t(INTS > 0), 0),
    "cumsum_dtype": lambda lib, t: t(INTS).cumsum(0, dtype=lib.float64),
    "cumsum_0d": lambda lib, t: lib.cumsum(t(np.array(2.5)), -1),
    "prod_ints": lambda lib, t: t(INTS).prod(),
    "prod_ints_dim": lambda lib, t: lib.prod(t(INTS), 1, keepdim=True),
    "prod_bool": lambda lib, t: lib.prod(t(INTS != 0)),
    "amax_ints": lambda lib, t: t(INTS).amax(),
    "amin_dims": lambda lib, t: lib.amin(t(X), (0, 1), keepdim=True),
    "amax_empty_other_dim": lambda lib, t: lib.amax(t(np.zeros((0, 3))), 1),
    "diag_ints": lambda lib, t: lib.diag(t(np.array([1, 2])), -2),
    "diag_wide": lambda lib, t: t(X).diag(2),
    "diag_past_the_end": lambda lib, t: t(X).diag(7),
    "trace_ints": lambda lib, t: t(INTS).trace(),
    "dot_ints": lambda lib, t: lib.dot(t(np.array([1, 2])), t(np.array([3, 4]))),
    "einsum_list": lambda lib, t: lib.einsum("ij,jk", [t(X), t(X.T)]),
    "einsum_implicit_order": lambda lib, t: lib.einsum("ba,bA", t(X), t(X[:, :2])),
    "einsum_ellipsis_summed": lambda lib, t: lib.einsum("...ij->ij", t(np.ones((2, 3, 4)))),
    "einsum_spaces": lambda lib, t: lib.einsum("i j , j -> i", t(X), t(X[0])),
    "clamp_min_ints": lambda lib, t: lib.clamp_min(t(INTS), 1),
    "clamp_max": lambda lib, t: lib.clamp_max(t(X), 0.1),
    "add_alpha_ints": lambda lib, t: t(INTS).add(t(INTS), alpha=3),
    "sub_alpha": lambda lib, t: t(X).sub(1.5, alpha=2),
    "mul_div_neg": lambda lib, t: t(X).mul(2.0).div(t(X[0])).neg(),
    "div_trunc": lambda lib, t: t(X * 5).div(2.0, rounding_mode="trunc"),
    "div_floor": lambda lib, t: t(X * 5).div(t(X[0]), rounding_mode="floor"),
    "div_floor_not_floor_of_quotient": lambda lib, t: t(np.array([1.0, -1.0])).div(
        0.1, rounding_mode="floor"
    ),
    "div_floor_ints": lambda lib, t: t(INTS).div(2, rounding_mode="floor"),
    "div_trunc_ints": lambda lib, t: t(INTS).div(t(np.array([2, -2, 4])), rounding_mode="trunc"),
    "div_ints_true": lambda lib, t: t(INTS).div(2),
    "rsqrt_square": lambda lib, t: (t(X).square() + 1).rsqrt(),
    "matmul_method": lambda lib, t: t(X).matmul(t(X[0])),
    "element_size": lambda lib, t: (t(X).element_size(), t(INTS.astype(np.int32)).element_size()),
    "nbytes_itemsize": lambda lib, t: (t(X).nbytes, t(X).itemsize, t(INTS > 0).itemsize),
    "stride": lambda lib, t: t(X).stride(),
    "stride_dim": lambda lib, t: (t(X).stride(0), t(X).stride(-1)),
    "stride_transposed": lambda lib, t: t(X).t().stride(),
    "stride_expanded": lambda lib, t: t(X[:1]).expand(5, 3, 4).stride(),
    "stride_sliced": lambda lib, t: t(X)[:, 1:].stride(),
    "is_contiguous": lambda lib, t: (
        t(X).is_contiguous(),
        t(X).t().is_contiguous(),
        t(X)[:, ::2].is_contiguous(),
        t(X)[1:].is_contiguous(),
        t(X[:1]).expand(2, 4).is_contiguous(),
        t(X).t().contiguous().is_contiguous(),
    ),
    "contiguous_values": lambda lib, t: t(X).t().contiguous(),
    "new_zeros": lambda lib, t: t(INTS).new_zeros(2, 3),
    "new_zeros_tuple_dtype": lambda lib, t: t(X).new_zeros((2,), dtype=lib.int32),
    "new_ones": lambda lib, t: t(X).new_ones([1, 2]),
    "new_full": lambda lib, t: t(INTS).new_full((2, 2), 7),
    "new_tensor": lambda lib, t: t(X).new_tensor([1, 2, 3]),
    "new_tensor_dtype": lambda lib, t: t(X).new_tensor([1.5, 2.0], dtype=lib.float32),
    "new_empty_shape": lambda lib, t: (t(X).new_empty(3, 1).shape, t(X).new_empty(3, 1).dtype),
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_same_as_torch(name):
    ours, theirs = both(SAME[name])
    if name == "new_empty_shape":  # torch's dtype object, our numpy dtype
        assert ours[0] == tuple(theirs[0]) and ours[1] == theirs[1].__repr__().replace("torch.", "")
        return
    if isinstance(theirs, torch.Size):
        theirs = tuple(theirs)
    assert_same(ours, theirs)


def test_sort_and_topk_return_named_int64_indices():
    values, indices = autograd.sort(Tensor(TIES), dim=1)
    out = autograd.topk(Tensor(TIES), 2)
    assert out.values is out[0] and out.indices is out[1]
    assert indices.dtype == np.int64 and out.indices.dtype == np.int64
    assert not indices.requires_grad
    assert type(values) is Tensor


def test_chunk_and_split_are_views_that_share_versions():
    x = Tensor(X.copy())
    pieces = x.chunk(2, 1)
    with autograd.no_grad():
        x[0, 0] = 100.0
    assert pieces[0].data[0, 0] == 100.0
    assert pieces[0].version == x.version == 1
    flipped = x.flip(0)  # a copy, as in torch
    x[0, 1] = -1.0
    assert flipped.data[-1, 1] != -1.0 and flipped.version == 0


def test_expand_is_a_view_of_the_input():
    x = Tensor(X[:1].copy())
    e = x.expand(3, 4)
    assert np.shares_memory(e.data, x.data) and e.stride() == (0, 1)


def test_masked_fill_in_place_matches_torch_in_a_graph():
    mask = X > 0.3
    a = Tensor(X.copy(), requires_grad=True)
    b = torch.tensor(X.copy(), requires_grad=True)
    y, z = a * 2, b * 2
    assert y.masked_fill_(mask, -1.5) is y
    z.masked_fill_(torch.tensor(mask), -1.5)
    np.testing.assert_array_equal(y.data, z.detach().numpy())
    (y * y).sum().backward()
    (z * z).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-15)
    leaf = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf.masked_fill_(mask, 0.0)


def test_detach_in_place_cuts_the_graph():
    a = Tensor(X.copy(), requires_grad=True)
    y = a * 2
    assert y.detach_() is y
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    (y * a).sum().backward()
    np.testing.assert_allclose(a.grad.data, 2 * X)  # nothing flows through y


def test_new_factories_take_requires_grad_and_keep_device():
    x = Tensor(X)
    z = x.new_zeros(2, requires_grad=True)
    assert z.requires_grad and z.dtype == X.dtype
    assert x.new_full([2], 1.5, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError):
        x.new_ones(2, device="cuda")


def test_comparisons_are_outside_the_graph():
    a = Tensor(X, requires_grad=True)
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        out = getattr(a, name)(0.0)
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None


def test_prod_gradient_at_zeros_is_torchs():
    """One zero: only it gets a gradient (the product of the others); two: none."""
    data = np.array([[2.0, 0.0, 3.0], [0.0, 5.0, 0.0], [1.0, 2.0, 4.0]])
    a = Tensor(data.copy(), requires_grad=True)
    b = torch.tensor(data.copy(), requires_grad=True)
    a.prod(dim=1).sum().backward()
    b.prod(dim=1).sum().backward()
    np.testing.assert_array_equal(a.grad.data, b.grad.numpy())
    np.testing.assert_array_equal(a.grad.data[0], [0.0, 6.0, 0.0])
    a.grad = None
    b.grad = None
    a.prod().backward()
    b.prod().backward()
    np.testing.assert_array_equal(a.grad.data, b.grad.numpy())


def test_amax_splits_ties_evenly_where_max_with_dim_picks_one():
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    for ours_fn, theirs_fn in (
        (lambda t: t.amax(1), lambda t: t.amax(1)),
        (lambda t: autograd.amin(t, 0), lambda t: torch.amin(t, 0)),
    ):
        a = Tensor(data.copy(), requires_grad=True)
        b = torch.tensor(data.copy(), requires_grad=True)
        ours_fn(a).sum().backward()
        theirs_fn(b).sum().backward()
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-15)


def _error(call, lib):
    try:
        call(lib, autograd.tensor if lib is autograd else lambda a: torch.tensor(np.asarray(a)))
    except Exception as err:  # the type is what is compared
        return err
    return None


IDX = np.array([[0, 1]])

ERRORS = {  # name: (call, a word the message must hold)
    "gather_out_of_bounds": (lambda lib, t: t(X).gather(1, t(np.array([[4]]))), "out of bounds"),
    "gather_negative": (lambda lib, t: t(X).gather(1, t(np.array([[-1]]))), "out of bounds"),
    "gather_ndim": (lambda lib, t: t(X).gather(1, t(np.array([0]))), "dimensions"),
    "matmul_shapes": (lambda lib, t: t(X) @ t(X), "do not align"),
    "add_broadcast": (lambda lib, t: t(X) + t(np.ones((3, 5))), "(3, 5)"),
    "mul_broadcast": (lambda lib, t: t(X) * t(np.ones(3)), "(3,)"),
    "matmul_0d": (lambda lib, t: t(X[0]) @ t(np.array(2.0)), "at least 1 dimension"),
    "matmul_batch": (
        lambda lib, t: t(np.ones((2, 3, 4))) @ t(np.ones((5, 4, 6))),
        "do not broadcast",
    ),
    "histogram_ints": (lambda lib, t: lib.histogram(t(INTS), 2), "float"),
    "histogram_no_bins": (lambda lib, t: lib.histogram(t(X), 0), "bins"),
    "histogram_reversed_range": (lambda lib, t: lib.histogram(t(X), 2, range=(3.0, 1.0)), "max"),
    "histogram_infinite": (lambda lib, t: lib.histogram(t(np.array([1.0, np.inf])), 2), "finite"),
    "histogram_nan": (lambda lib, t: lib.histogram(t(np.array([1.0, np.nan])), 2), "finite"),
    "histogram_edges_dtype": (
        lambda lib, t: lib.histogram(t(X), t(np.array([0.0, 1.0], np.float32))),
        "dtype",
    ),
    "histogram_edges_matrix": (lambda lib, t: lib.histogram(t(X), t(X)), "1-d"),
    "histogram_weight_shape": (lambda lib, t: lib.histogram(t(X), 2, weight=t(X[0])), "shape"),
    "scatter_0d_src_too_small": (
        lambda lib, t: t(X[0]).scatter(0, t(np.array([1, 2])), t(np.array(7.0))),
        "larger",
    ),
    "scatter_add_0d_src_too_small": (
        lambda lib, t: t(X[0]).scatter_add(0, t(np.array([1, 2])), t(np.array(7.0))),
        "larger",
    ),
    "gather_0d_index_of_a_matrix": (lambda lib, t: t(X).gather(0, t(np.array(0))), "dimensions"),
    "scatter_0d_index_of_a_matrix": (
        lambda lib, t: t(X).scatter(0, t(np.array(0)), value=1.0),
        "dimensions",
    ),
    "gather_too_large": (lambda lib, t: t(X).gather(0, t(np.zeros((1, 5), int))), "larger"),
    "gather_float_index": (lambda lib, t: t(X).gather(0, t(np.zeros((1, 1)))), "int"),
    "gather_dim": (lambda lib, t: t(X).gather(2, t(IDX)), "range"),
    "index_select_matrix": (lambda lib, t: t(X).index_select(1, t(IDX)), "vector"),
    "index_add_matrix": (
        lambda lib, t: t(X).index_add(0, t(IDX), t(np.ones((2, 4)))),
        "vector",
    ),
    "index_add_out_of_bounds": (
        lambda lib, t: t(X).index_add(1, t(np.array([4])), t(np.ones((3, 1)))),
        "out of bounds",
    ),
    "index_add_source_shape": (
        lambda lib, t: t(X).index_add(0, t(np.array([0, 1])), t(np.ones((2, 3)))),
        "source",
    ),
    "index_add_dtype": (
        lambda lib, t: t(X).index_add(0, t(np.array([0])), t(np.ones((1, 4), np.float32))),
        "dtype",
    ),
    "index_select_out_of_bounds": (
        lambda lib, t: t(X).index_select(1, t(np.array([4]))),
        "out of bounds",
    ),
    "scatter_dtype": (
        lambda lib, t: t(X).scatter(1, t(IDX), t(np.ones((1, 2), np.float32))),
        "dtype",
    ),
    "scatter_src_small": (lambda lib, t: t(X).scatter(1, t(IDX), t(np.ones((1, 1)))), "src"),
    "scatter_add_bounds": (
        lambda lib, t: t(X).scatter_add(0, t(np.array([[3]])), t(np.ones((1, 1)))),
        "out of bounds",
    ),
    "topk_too_many": (lambda lib, t: t(X).topk(5), "k"),
    "topk_negative": (lambda lib, t: t(X).topk(-1), "k"),
    "sort_dim": (lambda lib, t: t(X).sort(2), "range"),
    "chunk_zero": (lambda lib, t: t(X).chunk(0), "chunks"),
    "split_zero": (lambda lib, t: t(X).split(0), "split_size"),
    "split_sizes_sum": (lambda lib, t: t(X).split([1, 1]), "sum"),
    "narrow_past_end": (lambda lib, t: t(X).narrow(1, 2, 3), "exceeds"),
    "narrow_start": (lambda lib, t: t(X).narrow(1, -5, 1), "start"),
    "narrow_length": (lambda lib, t: t(X).narrow(1, 0, -1), "length"),
    "movedim_repeated": (lambda lib, t: t(X).movedim((0, 0), (1, 0)), "more than once"),
    "movedim_lengths": (lambda lib, t: t(X).movedim((0, 1), (1,)), "as many"),
    "movedim_range": (lambda lib, t: t(X).movedim(2, 0), "range"),
    "unflatten_product": (lambda lib, t: t(X).unflatten(1, (3, 2)), "multiply"),
    "unflatten_two_inferred": (lambda lib, t: t(X).unflatten(1, (-1, -1)), "-1"),
    "expand_fewer": (lambda lib, t: t(X).expand(4), "number of sizes"),
    "expand_mismatch": (lambda lib, t: t(X).expand(3, 5), "non-singleton"),
    "expand_new_minus_one": (lambda lib, t: t(X).expand(-1, 3, 4), "leading"),
    "repeat_fewer": (lambda lib, t: t(X).repeat(2), "number of repeats"),
    "repeat_negative": (lambda lib, t: t(X).repeat(-1, 2), "non-negative"),
    "flip_twice": (lambda lib, t: t(X).flip((0, 0)), "more than once"),
    "flip_range": (lambda lib, t: lib.flip(t(X), (2,)), "range"),
    "roll_align": (lambda lib, t: t(X).roll((1, 2)), "align"),
    "roll_dims_align": (lambda lib, t: lib.roll(t(X), (1,), (0, 1)), "align"),
    "roll_range": (lambda lib, t: t(X).roll(1, 2), "range"),
    "cumsum_range": (lambda lib, t: t(X).cumsum(2), "range"),
    "diag_3d": (lambda lib, t: lib.diag(t(np.zeros((2, 2, 2)))), "1-d or 2-d"),
    "diag_0d": (lambda lib, t: lib.diag(t(np.array(1.0))), "1-d or 2-d"),
    "trace_3d": (lambda lib, t: t(np.zeros((2, 2, 2))).trace(), "matrix"),
    "outer_matrix": (lambda lib, t: lib.outer(t(X), t(X[0])), "1-d"),
    "dot_matrix": (lambda lib, t: lib.dot(t(X), t(X)), "1-d"),
    "dot_lengths": (lambda lib, t: t(X[0]).dot(t(X[:, 0])), "length"),
    "dot_dtypes": (lambda lib, t: t(X[0]).dot(t(X[0].astype(np.float32))), "dtype"),
    "mm_vector": (lambda lib, t: lib.mm(t(X[0]), t(X)), "matrices"),
    "mm_shapes": (lambda lib, t: t(X).mm(t(X)), "3x4 and 3x4"),
    "bmm_2d": (lambda lib, t: lib.bmm(t(X), t(X)), "3-d"),
    "bmm_batch": (lambda lib, t: t(np.ones((2, 2, 3))).bmm(t(np.ones((3, 3, 5)))), "[2, 3]"),
    "einsum_operands": (lambda lib, t: lib.einsum("ij,jk", t(X)), "operands"),
    "einsum_subscripts": (lambda lib, t: lib.einsum("ij", t(np.ones((2, 3, 4)))), "subscripts"),
    "einsum_output_repeated": (lambda lib, t: lib.einsum("ij->ii", t(X)), "output"),
    "einsum_output_unknown": (lambda lib, t: lib.einsum("ij->k", t(X)), "output"),
    "einsum_sizes": (lambda lib, t: lib.einsum("ij,jk", t(X), t(X)), "ij,jk"),
    "amax_empty": (lambda lib, t: lib.amax(t(np.zeros((0, 3))), 0), "0"),
    "amax_empty_all": (lambda lib, t: lib.amax(t(np.zeros((0, 3)))), "length 0"),
    "amax_range": (lambda lib, t: lib.amax(t(X), 2), "range"),
    "amin_range": (lambda lib, t: t(X).amin(dim=-3), "range"),
    "amax_repeated": (lambda lib, t: lib.amax(t(X), (0, -2)), "repeated"),
    "sum_range": (lambda lib, t: t(X).sum(dim=2), "range"),
    "mean_range": (lambda lib, t: t(X).mean(dim=(0, 2)), "range"),
    "softmax_range": (lambda lib, t: lib.softmax(t(X), dim=2), "range"),
    "einsum_symbol": (lambda lib, t: lib.einsum("i1,jk", t(X), t(X)), "symbol"),
    "div_rounding_mode": (lambda lib, t: t(X).div(2, rounding_mode="round"), "rounding_mode"),
    "scatter_src_and_value": (
        lambda lib, t: lib.scatter(t(X), 0, t(IDX), t(X[:1, :2]), value=1.0),
        "scatter",
    ),
    "scatter_neither": (lambda lib, t: t(X).scatter(0, t(IDX)), "scatter"),
    "stride_range": (lambda lib, t: t(X).stride(2), "range"),
    "view_of_a_transpose": (lambda lib, t: t(X).t().view(-1), "reshape"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_torch(name):
    """The type is torch's; dims out of range and operands that do not fit are numpy's
    ValueError too (`DimError`, `OperandError`), as they were before."""
    call, word = ERRORS[name]
    ours, theirs = _error(call, autograd), _error(call, torch)
    assert theirs is not None, "torch accepts this call"
    assert ours is not None, "autograd accepts a call torch refuses"
    assert isinstance(ours, type(theirs)), (ours, theirs)
    assert word in str(ours), str(ours)


@pytest.mark.parametrize(
    ("call", "kinds"),
    [
        (lambda: autograd.amax(autograd.tensor(X), 2), (IndexError, ValueError)),
        (
            lambda: autograd.einsum("ij,jk", autograd.tensor(X), autograd.tensor(X)),
            (RuntimeError, ValueError),
        ),
        (lambda: autograd.tensor(X).sum(axis=(1, 1)), (RuntimeError, ValueError)),
        (lambda: autograd.tensor(X) + autograd.ones(3), (RuntimeError, ValueError)),
    ],
)
def test_dim_and_operand_errors_are_also_value_errors(call, kinds):
    for kind in kinds:
        with pytest.raises(kind):
            call()


def test_view_keeps_memory_shared_where_torch_can_view():
    """A view where the strides allow one (a slice's rows, a transpose kept 2-d): writes
    through it reach the base, in both libraries."""
    for lib in (autograd, torch):
        base = lib.arange(24.0).reshape(4, 6)
        for view in (base[1:3].view(12), base.t().view(6, 2, 2), base[:, :3].view(4, 3)):
            view[0] = -1.0
        assert base[1, 0].item() == base[0, 0].item() == -1.0
    ours, theirs = autograd.arange(24.0).reshape(4, 6), torch.arange(24.0).reshape(4, 6)
    assert ours.t().view(3, 2, 4).shape == tuple(theirs.t().view(3, 2, 4).shape)
    not_views = (
        lambda b: b.t().view(24),
        lambda b: b[:, :3].view(12),
        lambda b: b[:, :3].view(2, 6),
    )
    for call in not_views:
        with pytest.raises(RuntimeError):
            call(theirs)
        with pytest.raises(RuntimeError, match="reshape"):
            call(ours)


def test_scatter_and_gather_take_0d_tensors_as_vectors_with_torch_gradients():
    """A 0-d index, src or input is a 1-element vector to PyTorch's scatter and gather
    (the one-hot target transform ``zeros(10).scatter_(0, tensor(y), value=1)``); the
    results keep their 0-d shapes and the gradients reach every input as in torch."""
    grads = []
    for lib in (autograd, torch):
        x = lib.tensor(X[0].copy(), requires_grad=True)
        s = lib.tensor(7.0, dtype=lib.float64, requires_grad=True)
        z = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        i, w = lib.tensor(2), lib.tensor(np.arange(1.0, 5.0))
        out = (x * 1.0).scatter(0, i, s) * w
        out = out.sum() + x.gather(0, i) * 3.0 + (z * 1.0).scatter_add(0, lib.tensor(0), s) * 5.0
        out.backward()
        grads.append([t.grad.numpy() for t in (x, s, z)])
    for ours, theirs in zip(*grads, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-15)


def storage_lesson(lib):
    """makemore's look under `view` (``a.storage()``), and where views start in it."""
    a = lib.arange(18)
    s = a.view(3, 3, 2).storage()
    out = [len(s), s.tolist(), s[4], type(s[4]), s.size(), s.element_size(), s.nbytes()]
    out += [s.data_ptr() == a.data_ptr() == a.t().storage().data_ptr()]
    out += [a[2:5].storage_offset(), a.view(3, 6).t()[1:].storage_offset(), len(a[2:5].storage())]
    s[0] = 7  # writes into `a` and every view of it
    out += [a[:2].tolist(), str(s).splitlines()[:18], list(lib.tensor([0.1, 0.2]).storage())]
    with pytest.raises(IndexError, match="out of range for storage of size 18"):
        s[18]
    return out


@pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")
def test_storage_is_the_memory_under_every_view_as_torch():
    assert storage_lesson(autograd) == storage_lesson(torch)
    assert str(autograd.arange(3.0).storage()).splitlines()[-1] == (
        "[autograd.Storage(dtype=float32, device=cpu) of size 3]"
    )


def test_scatter_in_place_keeps_the_tensor_and_its_gradient_as_torch():
    """`scatter_` / `scatter_add_` write into the tensor itself (the same object, version
    bumped) and are recorded on a non-leaf: gradients as torch's; on a leaf that
    requires grad they raise, as torch."""
    idx, src = np.array([[1, 0, 2]]), np.array([[1.0, 2.0, 3.0]])
    grads = []
    for lib in (autograd, torch):
        w = lib.tensor(X.copy(), requires_grad=True)
        s = lib.tensor(src, requires_grad=True)
        h = w * 2.0
        out = h.scatter_(0, lib.tensor(idx), s)
        assert out is h
        out2 = (h * h).scatter_add_(1, lib.tensor(idx), s)
        (out2 * lib.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        grads.append((w.grad.numpy(), s.grad.numpy(), h._version))
        with pytest.raises(RuntimeError):
            w.scatter_(0, lib.tensor(idx), s)
    (w1, s1, v1), (w2, s2, v2) = grads
    np.testing.assert_allclose(w1, w2, rtol=1e-12)
    np.testing.assert_allclose(s1, s2, rtol=1e-12)
    assert v1 == v2 == 1


def test_attributes_of_ones_own_on_tensors_as_torch():
    """`inp.g = ...` (fast.ai's backprop by hand): set, read, and kept by copy (the same
    object), deepcopy (a copy) and pickle, as torch's; an attribute never set raises."""
    import copy
    import pickle

    def program(lib, t):
        x = t(X)
        x.g = t(np.ones(3))
        x.note = "input"
        shallow, deep, sent = copy.copy(x), copy.deepcopy(x), pickle.loads(pickle.dumps(x))
        return [
            x.g.tolist(),
            shallow.g is x.g,
            deep.g is x.g,
            deep.g.tolist(),
            sent.g.tolist(),
            sent.note,
            hasattr(x, "h"),
        ]

    ours, theirs = both(program)
    assert ours == theirs


def test_view_of_a_linear_weight_says_why_it_is_column_major():
    """nn.Linear keeps weight and grad column-major (x @ weight.T is faster so), where
    torch's are row-major: view(-1) cannot be a view, and its error says why and gives
    reshape, whose values are torch's; a transposed row-major tensor gets no such note."""
    import nn
    import optim

    autograd.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = nn.Linear(4, 3), torch.nn.Linear(4, 3)
    for lib, layer in ((autograd, ours), (torch, theirs)):
        layer(lib.ones(2, 4, dtype=lib.float32)).sum().backward()
    optim.SGD(ours.parameters(), lr=0.1).step()  # (the weight is now in a flat buffer)
    torch.optim.SGD(theirs.parameters(), lr=0.1).step()
    for mine, torchs in ((ours.weight, theirs.weight), (ours.weight.grad, theirs.weight.grad)):
        with pytest.raises(RuntimeError, match=r"stored column-major: nn\.Linear stores its"):
            mine.view(-1)
        np.testing.assert_array_equal(mine.reshape(-1).data, torchs.reshape(-1).detach())
    with pytest.raises(RuntimeError) as raised:
        autograd.zeros(3, 4).T.view(-1)
    assert "column-major" not in str(raised.value)


@pytest.mark.parametrize("name", ["allclose", "isclose"])
def test_allclose_and_isclose_refuse_what_torch_refuses(name):
    """GPT lecture's ``torch.allclose(xbow, xbow2)``: tensors of two dtypes (before,
    True) and shapes that do not broadcast (before, numpy's ValueError) raise torch's
    RuntimeError."""
    for a, b, match in [
        ((2,), np.float64, "did not match"),
        ((3,), np.float32, "broadcast"),
    ]:
        with pytest.raises(RuntimeError):
            getattr(torch, name)(torch.zeros(2), torch.zeros(*a, dtype=getattr(torch, b.__name__)))
        with pytest.raises(RuntimeError, match=match):
            getattr(autograd, name)(autograd.zeros(2), autograd.zeros(*a, dtype=b))
    assert autograd.allclose(autograd.zeros(2, 3), autograd.zeros(3))  # broadcast, as torch


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda t: t.stack([]), RuntimeError),
        (lambda t: t.cat([]), ValueError),  # torch's own choice for cat
        (lambda t: t.stack([t.zeros(2)], dim=3), IndexError),
        (lambda t: t.cat([t.zeros(2)], dim=1), IndexError),
        (lambda t: t.tril(t.ones(3)), RuntimeError),
        (lambda t: t.triu(t.ones(3)), RuntimeError),
    ],
)
def test_join_and_triangle_errors_are_torchs_types(call, error):
    with pytest.raises(error):
        call(torch)
    with pytest.raises(error):
        call(autograd)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.zeros(3).masked_fill(t.ones(3), 0.0),
        lambda t: t.zeros(3).masked_fill(t.ones(3, dtype=t.long), 0.0),
        lambda t: t.nn.functional.embedding(t.tensor([1.0]), t.zeros(3, 2)),
        lambda t: t.nn.functional.embedding(t.tensor([True]), t.zeros(3, 2)),
        lambda t: t.nn.functional.one_hot(t.tensor([1.0])),
    ],
)
def test_masks_and_indices_of_the_wrong_dtype_raise_torchs_runtime_error(call):
    """Before, a TypeError only (DtypeError is both)."""
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(autograd)
    with pytest.raises(TypeError):
        call(autograd)
