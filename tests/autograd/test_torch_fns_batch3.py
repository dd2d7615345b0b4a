"""PyTorch's selection, counting, product, distance and `linalg` functions, compared
with torch: values, dtypes, errors, and float64 gradchecks of the differentiable ones."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def leaf(shape, seed=0, low=-2.0, high=2.0):
    values = np.random.default_rng(seed).uniform(low, high, shape)
    return Tensor(values, requires_grad=True)


def same(ours, theirs, atol=1e-6):
    """Equal values, shapes and dtypes (tuples compared element by element)."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            same(o, t, atol)
        return
    t = theirs.detach().numpy()
    assert ours.dtype == t.dtype, (ours.dtype, t.dtype)
    assert ours.shape == t.shape, (ours.shape, t.shape)
    np.testing.assert_allclose(ours.data, t, atol=atol, rtol=1e-6)


def both(fn, *arrays):
    """fn applied to autograd tensors and to torch tensors made of `arrays`."""
    ours = fn(autograd, *(Tensor(a) for a in arrays))
    theirs = fn(torch, *(torch.from_numpy(np.asarray(a)) for a in arrays))
    same(ours, theirs)


INTS = np.array([[3, 1, 2], [3, 1, 2], [0, 1, 1]])
FLOATS = np.array([2.5, -1.0, 2.5, 0.0, 7.0, -1.0], dtype=np.float32)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.unique(x),
        lambda m, x: m.unique(x, return_inverse=True, return_counts=True),
        lambda m, x: m.unique(x, return_inverse=True, dim=0),
        lambda m, x: m.unique(x, return_counts=True, dim=1),
        lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True),
        lambda m, x: m.unique_consecutive(x, return_counts=True, dim=0),
        lambda m, x: m.isin(x, m.tensor([1, 3])),
        lambda m, x: m.isin(x, 2, invert=True),
        lambda m, x: m.argwhere(x),
        lambda m, x: m.take(x, m.tensor([[0, -1], [4, 2]])),
        lambda m, x: m.take_along_dim(x, m.tensor([[2, 0]]), dim=1),
        lambda m, x: m.take_along_dim(x, m.tensor([5, 0])),
        lambda m, x: m.masked_select(x, x > 1),
        lambda m, x: m.bucketize(x, m.tensor([1, 2, 3])),
        lambda m, x: m.bucketize(x, m.tensor([1, 2, 3]), right=True, out_int32=True),
        lambda m, x: m.searchsorted(m.tensor([0, 1, 3]), x, side="right"),
        lambda m, x: m.searchsorted(m.sort(x, dim=1)[0], x),
        lambda m, x: m.bincount(x[0]),
        lambda m, x: m.bincount(x[2], minlength=5),
        lambda m, x: m.bincount(x[0], weights=m.tensor([0.5, 1.0, 2.0])),
        lambda m, x: m.bincount(x[0], weights=m.tensor([1, 2, 3])),
    ],
)
def test_integer_functions_match_torch(fn):
    both(fn, INTS)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.unique(x, return_inverse=True),
        lambda m, x: m.unique_consecutive(x),
        lambda m, x: m.histc(x, bins=4),
        lambda m, x: m.histc(x, bins=5, min=-1, max=3),
        lambda m, x: m.bucketize(x, m.tensor([0.0, 2.5])),
        lambda m, x: m.combinations(x[:4]),
        lambda m, x: m.combinations(x[:3], r=3, with_replacement=True),
        lambda m, x: m.cartesian_prod(x[:2], x[3:]),
        lambda m, x: m.vander(x[:3], N=4, increasing=True),
        lambda m, x: m.vander(x[:3]),
        lambda m, x: m.trapezoid(x),
        lambda m, x: m.trapezoid(x, dx=0.5),
        lambda m, x: m.cov(x.reshape(2, 3)),
        lambda m, x: m.cov(x.reshape(2, 3), correction=0, fweights=m.tensor([1, 2, 1])),
        lambda m, x: m.cov(x.reshape(3, 2), aweights=m.tensor([0.5, 2.0])),
        lambda m, x: m.corrcoef(x.reshape(2, 3)),
        lambda m, x: m.diagflat(x[:3], 1),
        lambda m, x: m.diag_embed(x.reshape(2, 3), offset=-1),
        lambda m, x: m.diag_embed(x.reshape(2, 3), dim1=0, dim2=2),
        lambda m, x: m.block_diag(x[:2].reshape(1, 2), x[0], x[2:].reshape(2, 2)),
        lambda m, x: m.kron(x.reshape(2, 3), x[:2]),
        lambda m, x: m.inner(x.reshape(2, 3), x.reshape(3, 2).T),
        lambda m, x: m.tensordot(x.reshape(2, 3), x.reshape(3, 2), dims=1),
        lambda m, x: m.tensordot(x.reshape(2, 3), x.reshape(2, 3), dims=([1, 0], [1, 0])),
        lambda m, x: m.cross(x.reshape(2, 3), x.reshape(2, 3).flip(1), dim=1),
        lambda m, x: m.dist(x, x.flip(0), p=3),
        lambda m, x: m.linalg.vector_norm(x, ord=0),
        lambda m, x: m.linalg.vector_norm(x.reshape(2, 3), ord=float("inf"), dim=1),
    ],
)
def test_float_functions_match_torch(fn):
    both(fn, FLOATS)


def test_index_functions_match_torch():
    same(autograd.tril_indices(3, 4, 1), torch.tril_indices(3, 4, 1))
    same(  # int64 with float32 is float32, as torch promotes
        autograd.block_diag(autograd.tensor([[1, 2]]), autograd.tensor([3.5])),
        torch.block_diag(torch.tensor([[1, 2]]), torch.tensor([3.5])),
    )
    same(autograd.triu_indices(4, 3, -1), torch.triu_indices(4, 3, -1))
    same(autograd.vander(autograd.tensor([1, 2, 3])), torch.vander(torch.tensor([1, 2, 3])))
    same(
        autograd.cov(autograd.tensor([[1, 2, 3], [2, 4, 7]])),
        torch.cov(torch.tensor([[1, 2, 3], [2, 4, 7]])),
    )
    same(
        autograd.searchsorted(autograd.tensor([1, 3, 5]), 3),
        torch.searchsorted(torch.tensor([1, 3, 5]), 3),
    )


def test_histc_bins_values_on_bin_edges_as_torch():
    for seed in range(40):
        rng = np.random.default_rng(seed)
        for dtype in (np.float32, np.float64):
            x = (rng.integers(0, 50, size=40) / rng.integers(1, 20)).astype(dtype)
            bins = int(rng.integers(1, 30))
            for low, high in ((0, 0), (0.1, 2.3), (-1, 1.7)):
                same(
                    autograd.histc(Tensor(x), bins, low, high),
                    torch.histc(torch.tensor(x), bins, low, high),
                    atol=0,
                )


def test_cross_without_dim_warns_and_takes_the_first_dim_of_size_3():
    a = np.random.default_rng(0).normal(size=(3, 3))
    b = np.random.default_rng(1).normal(size=(3, 3))
    with pytest.warns(UserWarning, match="without specifying the dim"):
        ours = autograd.cross(Tensor(a), Tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(ours, torch.cross(torch.tensor(a), torch.tensor(b)))


@pytest.mark.parametrize(
    "fn, error",
    [
        (lambda m: m.bincount(m.tensor([-1, 2])), RuntimeError),
        (lambda m: m.bincount(m.tensor([[1, 2]])), RuntimeError),
        (lambda m: m.take(m.tensor([1.0, 2.0]), m.tensor([2])), IndexError),
        (lambda m: m.masked_select(m.tensor([1.0, 2.0]), m.tensor([1, 0])), RuntimeError),
        (lambda m: m.searchsorted(m.tensor([1, 2]), 1, right=True, side="left"), RuntimeError),
        (lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4)), RuntimeError),
        (lambda m: m.cdist(m.ones(2, 3), m.ones(2, 3), compute_mode="fast"), ValueError),
        (lambda m: m.linalg.inv(m.ones(2, 3)), RuntimeError),
        (lambda m: m.linalg.inv(m.ones(2, 2)), RuntimeError),
        (lambda m: m.linalg.solve(m.ones(2, 2), m.ones(2)), RuntimeError),
        (lambda m: m.tensordot(m.ones(2, 3), m.ones(2, 3), dims=1), RuntimeError),
        (lambda m: m.combinations(m.ones(2, 2)), RuntimeError),
        (lambda m: m.block_diag(m.ones(1, 1, 1)), RuntimeError),
        (lambda m: m.linalg.norm(m.ones(2, 2, 2), ord=1), RuntimeError),
        (lambda m: m.cross(m.ones(2, 3), m.ones(3), dim=-1), RuntimeError),
        (lambda m: m.linalg.norm(m.ones(3), "fro"), RuntimeError),
        (lambda m: m.histc(m.tensor([1, 2])), NotImplementedError),
    ],
)
def test_errors_are_torchs(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(autograd)


NO_MM = "donot_use_mm_for_euclid_dist"

GRADCHECKED = [
    ("masked_select", lambda a: autograd.masked_select(a, a.data > 0), [(3, 4)]),
    (
        "masked_select_broadcast",
        lambda a: autograd.masked_select(a, np.array([[True], [False]])),
        [(2, 3)],
    ),
    ("take", lambda a: autograd.take(a, np.array([[0, 5], [5, -1]])), [(2, 3)]),
    ("take_along_dim", lambda a: autograd.take_along_dim(a, np.array([[2, 0, 2]]), 1), [(2, 3)]),
    (
        "take_along_dim_broadcast",
        lambda a: autograd.take_along_dim(a, np.array([[[1], [0]]]), 2),
        [(3, 1, 4)],
    ),
    (
        "tensordot",
        lambda a, b: autograd.tensordot(a, b, dims=([0, 2], [1, 0])),
        [(2, 3, 4), (4, 2, 5)],
    ),
    ("inner", lambda a, b: autograd.inner(a, b), [(2, 3), (4, 3)]),
    ("kron", lambda a, b: autograd.kron(a, b), [(2, 3), (2,)]),
    ("cross", lambda a, b: autograd.cross(a, b, dim=-1), [(2, 1, 3), (1, 4, 3)]),
    ("cdist_p2", lambda a, b: autograd.cdist(a, b), [(2, 3, 4), (1, 5, 4)]),
    ("cdist_mm", lambda a, b: autograd.cdist(a, b), [(2, 30, 3), (1, 4, 3)]),
    ("cdist_no_mm", lambda a, b: autograd.cdist(a, b, compute_mode=NO_MM), [(30, 3), (4, 3)]),
    ("cdist_p1", lambda a, b: autograd.cdist(a, b, p=1), [(3, 4), (5, 4)]),
    ("cdist_p3", lambda a, b: autograd.cdist(a, b, p=3.0), [(3, 4), (5, 4)]),
    ("cdist_inf", lambda a, b: autograd.cdist(a, b, p=float("inf")), [(3, 4), (5, 4)]),
    ("diag_embed", lambda a: autograd.diag_embed(a, 1, 0, 2), [(2, 3)]),
    ("diagflat", lambda a: autograd.diagflat(a, -1), [(2, 2)]),
    ("block_diag", lambda a, b, c: autograd.block_diag(a, b, c), [(2, 3), (3,), ()]),
    ("cartesian_prod", lambda a, b: autograd.cartesian_prod(a, b), [(3,), (2,)]),
    ("combinations", lambda a: autograd.combinations(a, 3), [(4,)]),
    ("cov", lambda a: autograd.cov(a, aweights=np.array([1.0, 2.0, 0.5, 1.0])), [(3, 4)]),
    ("corrcoef", lambda a: autograd.corrcoef(a), [(3, 5)]),
    ("dist", lambda a, b: autograd.dist(a, b, 3), [(2, 3), (3,)]),
    ("vander", lambda a: autograd.vander(a, 4), [(3,)]),
    ("trapezoid_x", lambda a, b: autograd.trapezoid(a, b, dim=0), [(4, 2), (4, 1)]),
    ("vector_norm_p3", lambda a: autograd.linalg.vector_norm(a, 3, dim=(0, 2)), [(2, 3, 4)]),
    ("matrix_norm_1", lambda a: autograd.linalg.matrix_norm(a, 1), [(2, 3, 4)]),
    (
        "matrix_norm_inf",
        lambda a: autograd.linalg.matrix_norm(a, float("inf"), keepdim=True),
        [(3, 4)],
    ),
    ("norm_fro", lambda a: autograd.linalg.norm(a, dim=(0, 1)), [(3, 4, 2)]),
    ("inv", lambda a: autograd.linalg.inv(a + 3 * np.eye(3)), [(2, 3, 3)]),
    ("det", lambda a: autograd.linalg.det(a), [(2, 3, 3)]),
    ("slogdet", lambda a: autograd.linalg.slogdet(a)[1], [(3, 3)]),
    ("solve", lambda a, b: autograd.linalg.solve(a + 3 * np.eye(3), b), [(2, 3, 3), (3, 2)]),
    ("solve_vector", lambda a, b: autograd.linalg.solve(a + 3 * np.eye(3), b), [(2, 3, 3), (2, 3)]),
    (
        "solve_right",
        lambda a, b: autograd.linalg.solve(a + 3 * np.eye(3), b, left=False),
        [(3, 3), (2, 3)],
    ),
]


@pytest.mark.parametrize("case", GRADCHECKED, ids=[c[0] for c in GRADCHECKED])
def test_gradients_gradcheck(case):
    _, fn, shapes = case
    assert gradcheck(fn, [leaf(s, seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("name", ["inv", "det", "solve", "cdist_p2", "kron"])
def test_second_derivatives(name):
    _, fn, shapes = next(c for c in GRADCHECKED if c[0] == name)
    assert gradgradcheck(fn, [leaf(s, seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("case", GRADCHECKED, ids=[c[0] for c in GRADCHECKED])
def test_gradients_match_torch(case):
    name, fn, shapes = case
    inputs = [leaf(s, seed=i) for i, s in enumerate(shapes)]
    theirs = [torch.tensor(x.data, requires_grad=True) for x in inputs]
    out = fn(*inputs)
    weights = np.random.default_rng(9).normal(size=out.shape)
    (out * Tensor(weights)).sum().backward()
    expected = _torch_case(name, theirs)
    same(out, expected)
    (expected * torch.tensor(weights)).sum().backward()
    for ours, t in zip(inputs, theirs):
        np.testing.assert_allclose(ours.grad.data, t.grad.numpy(), atol=1e-8, rtol=1e-6)


def _torch_case(name, t):
    """The torch expression of each GRADCHECKED case."""
    eye = torch.eye(3, dtype=torch.float64)
    cases = {
        "masked_select": lambda: torch.masked_select(t[0], t[0] > 0),
        "masked_select_broadcast": lambda: torch.masked_select(
            t[0], torch.tensor([[True], [False]])
        ),
        "take": lambda: torch.take(t[0], torch.tensor([[0, 5], [5, -1]])),
        "take_along_dim": lambda: torch.take_along_dim(t[0], torch.tensor([[2, 0, 2]]), 1),
        "take_along_dim_broadcast": lambda: torch.take_along_dim(
            t[0], torch.tensor([[[1], [0]]]), 2
        ),
        "tensordot": lambda: torch.tensordot(t[0], t[1], dims=([0, 2], [1, 0])),
        "inner": lambda: torch.inner(t[0], t[1]),
        "kron": lambda: torch.kron(t[0], t[1]),
        "cross": lambda: torch.cross(t[0], t[1], dim=-1),
        "cdist_p2": lambda: torch.cdist(t[0], t[1]),
        "cdist_mm": lambda: torch.cdist(t[0], t[1]),
        "cdist_no_mm": lambda: torch.cdist(t[0], t[1], compute_mode=NO_MM),
        "cdist_p1": lambda: torch.cdist(t[0], t[1], p=1),
        "cdist_p3": lambda: torch.cdist(t[0], t[1], p=3.0),
        "cdist_inf": lambda: torch.cdist(t[0], t[1], p=float("inf")),
        "diag_embed": lambda: torch.diag_embed(t[0], 1, 0, 2),
        "diagflat": lambda: torch.diagflat(t[0], -1),
        "block_diag": lambda: torch.block_diag(*t),
        "cartesian_prod": lambda: torch.cartesian_prod(*t),
        "combinations": lambda: torch.combinations(t[0], 3),
        "cov": lambda: torch.cov(
            t[0], aweights=torch.tensor([1.0, 2.0, 0.5, 1.0], dtype=torch.float64)
        ),
        "corrcoef": lambda: torch.corrcoef(t[0]),
        "dist": lambda: torch.dist(t[0], t[1], 3),
        "vander": lambda: (
            t[0].unsqueeze(1) ** torch.arange(3, -1, -1)
        ),  # torch.vander's backward fails
        "trapezoid_x": lambda: torch.trapezoid(t[0], t[1], dim=0),
        "vector_norm_p3": lambda: torch.linalg.vector_norm(t[0], 3, dim=(0, 2)),
        "matrix_norm_1": lambda: torch.linalg.matrix_norm(t[0], 1),
        "matrix_norm_inf": lambda: torch.linalg.matrix_norm(t[0], float("inf"), keepdim=True),
        "norm_fro": lambda: torch.linalg.norm(t[0], dim=(0, 1)),
        "inv": lambda: torch.linalg.inv(t[0] + 3 * eye),
        "det": lambda: torch.linalg.det(t[0]),
        "slogdet": lambda: torch.linalg.slogdet(t[0])[1],
        "solve": lambda: torch.linalg.solve(t[0] + 3 * eye, t[1]),
        "solve_vector": lambda: torch.linalg.solve(t[0] + 3 * eye, t[1]),
        "solve_right": lambda: torch.linalg.solve(t[0] + 3 * eye, t[1], left=False),
    }
    return cases[name]()


def test_cdist_gradient_at_zero_distance_is_torchs():
    for p in (2.0, 1.0, 3.0):
        x = Tensor(np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]]), requires_grad=True)
        xt = torch.tensor(x.data, requires_grad=True)
        autograd.cdist(x, x, p=p).sum().backward()
        torch.cdist(xt, xt, p=p).sum().backward()
        np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), atol=1e-12)
        assert not np.isnan(x.grad.data).any()


def test_cdist_takes_torchs_matrix_product_path():
    """Beyond 25 rows (or when asked) torch computes sqrt(max(|a|^2 - 2 a.b + |b|^2, 0)),
    with gradient (a - b) / d, 0 where d is 0."""
    x = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    for mode in ("use_mm_for_euclid_dist", None):
        rows = x if mode else np.tile(x, (10, 1))
        ours = Tensor(rows, requires_grad=True)
        theirs = torch.tensor(rows, requires_grad=True)
        kwargs = {"compute_mode": mode} if mode else {}
        out, expected = autograd.cdist(ours, ours, **kwargs), torch.cdist(theirs, theirs, **kwargs)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=0)
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_linalg_values_match_torch():
    a = np.random.default_rng(3).normal(size=(2, 4, 4))
    ta = torch.tensor(a)
    same(autograd.linalg.svdvals(Tensor(a)), torch.linalg.svdvals(ta))
    u, s, vh = autograd.linalg.svd(Tensor(a[0]), full_matrices=False)
    np.testing.assert_allclose((u.data * s.data) @ vh.data, a[0], atol=1e-12)
    sign, logabs = autograd.linalg.slogdet(Tensor(a))
    same((sign, logabs), tuple(torch.linalg.slogdet(ta)))
    same(autograd.inverse(Tensor(a)), torch.inverse(ta))
    same(autograd.det(Tensor(a)), torch.det(ta))
    same(autograd.logdet(Tensor(a)), torch.logdet(ta))
    for ord in ("fro", "nuc", 2, -2, 1, -1, float("inf"), float("-inf")):
        same(autograd.linalg.matrix_norm(Tensor(a), ord), torch.linalg.matrix_norm(ta, ord))
        same(autograd.linalg.norm(Tensor(a[0]), ord), torch.linalg.norm(ta[0], ord))
    for ord in (None, 1, 3.5, float("-inf")):
        same(autograd.linalg.norm(Tensor(a[0, 0]), ord), torch.linalg.norm(ta[0, 0], ord))
    same(autograd.linalg.norm(Tensor(a)), torch.linalg.norm(ta))


def test_singular_matrices_are_named_by_the_function_called():
    with pytest.raises(RuntimeError, match=r"linalg\.solve: The solver failed because the input"):
        autograd.linalg.solve(autograd.ones(2, 2), autograd.ones(2))
    with pytest.raises(RuntimeError, match=r"linalg\.inv: .*singular"):
        autograd.inverse(autograd.ones(2, 2))


def test_unique_values_have_no_derivative_as_torchs():
    for name in ("unique", "unique_consecutive"):
        x = leaf((4,))
        values = getattr(autograd, name)(x)
        assert values.requires_grad
        with pytest.raises(RuntimeError, match=f"{name}: the gradient is not implemented"):
            (values * 2).sum().backward()


def test_svd_without_gradient_raises_at_backward():
    a = leaf((3, 3))
    s = autograd.linalg.svdvals(a)
    assert s.requires_grad
    with pytest.raises(RuntimeError, match="svdvals: the gradient is not implemented"):
        s.sum().backward()
    with pytest.raises(RuntimeError, match="matrix_norm"):
        autograd.linalg.matrix_norm(leaf((3, 3)), "nuc").backward()


def test_tensor_methods_call_the_same_functions():
    x = Tensor(np.array([[1.0, 0.0, 2.0], [2.0, 0.0, 1.0]]))
    xt = torch.tensor(x.data)
    same(x.unique(), xt.unique())
    same(x.unique_consecutive(), xt.unique_consecutive())
    same(x.masked_select(x.data > 0), xt.masked_select(xt > 0))
    same(x.take(Tensor(np.array([1, 4]))), xt.take(torch.tensor([1, 4])))
    same(
        x.take_along_dim(Tensor(np.array([[0], [2]])), 1),
        xt.take_along_dim(torch.tensor([[0], [2]]), 1),
    )
    same(x.argwhere(), xt.argwhere())
    same(x.histc(3), xt.histc(3))
    same(x.cross(x.flip(1), dim=1), xt.cross(xt.flip(1), dim=1))
    same(x.kron(x), xt.kron(xt))
    same(x.inner(x), xt.inner(xt))
    same(x.diag_embed(), xt.diag_embed())
    same(x.diagflat(), xt.diagflat())
    same(x.cov(), xt.cov())
    same(x.corrcoef(), xt.corrcoef())
    same(x.dist(x.flip(1)), xt.dist(xt.flip(1)))
    assert not hasattr(x, "isin") and not hasattr(xt, "isin")
    same(Tensor(np.array([1, 1, 3])).bincount(), torch.tensor([1, 1, 3]).bincount())
    sq = Tensor(np.array([[2.0, 1.0], [1.0, 3.0]]))
    sqt = torch.tensor(sq.data)
    same(sq.inverse(), sqt.inverse())
    same(sq.det(), sqt.det())
    same(sq.logdet(), sqt.logdet())
