"""Edge cases where a formula breaks down: negative axes, zeros in pow and std,
the tails of sigmoid, empty tensors, and dtypes that are refused."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck, gradgradcheck


def _leaf(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_transpose_negative_axes_gradient():
    x = _leaf(np.arange(6.0).reshape(2, 3))
    weights = np.arange(6.0).reshape(3, 2)
    (x.transpose(-1, 0) * weights).sum().backward()
    assert x.grad.shape == (2, 3)
    np.testing.assert_array_equal(x.grad.data, weights.T)


def test_transpose_negative_axes_3d_gradcheck():
    x = _leaf(np.random.default_rng(0).normal(size=(2, 3, 4)))
    assert gradcheck(lambda t: t.transpose(-1, 0, -2) * np.arange(24.0).reshape(4, 2, 3), [x])


def test_transpose_rejects_non_permutations():
    x = Tensor(np.zeros((2, 3)))
    for axes in [(0,), (0, 1, 2), ((0, 0),), ((1, -1),)]:
        with pytest.raises(ValueError, match="not a permutation"):
            x.transpose(*axes)
    for axes in [(0, 0), (1, -1), (0, 2)]:
        with pytest.raises(ValueError, match="not a permutation"):
            x.permute(*axes)
    with pytest.raises(IndexError, match=r"transpose: dimension out of range .*but got 2"):
        x.transpose(0, 2)


def test_transpose_of_two_dims_swaps_them_as_torch():
    torch = pytest.importorskip("torch")

    data = np.random.default_rng(0).normal(size=(2, 3, 4))
    for dims in [(0, 1), (1, 0), (-2, -1), (0, 2), (1, 1)]:
        x, t = _leaf(data), torch.tensor(data, requires_grad=True)
        ours, theirs = x.transpose(*dims), t.transpose(*dims)
        np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
        (ours * np.arange(ours.data.size).reshape(ours.shape)).sum().backward()
        (theirs * torch.arange(theirs.numel()).reshape(theirs.shape)).sum().backward()
        np.testing.assert_array_equal(x.grad.data, t.grad.numpy())
    w = Tensor(data[0])  # 2-d: (0, 1) transposes, as W.transpose(0, 1) in torch code
    np.testing.assert_array_equal(w.transpose(0, 1).data, data[0].T)
    np.testing.assert_array_equal(autograd.transpose(w, 1, 0).data, data[0].T)
    np.testing.assert_array_equal(w.permute(0, 1).data, data[0])  # a permutation: as torch
    np.testing.assert_array_equal(w.swapaxes(0, 1).data, np.swapaxes(data[0], 0, 1))


def test_std_zero_variance_gradient_is_zero():
    x = _leaf([2.0, 2.0, 2.0])
    x.std().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])
    rows = _leaf([[1.0, 1.0], [1.0, 3.0]])
    rows.std(axis=1).sum().backward()
    np.testing.assert_array_equal(rows.grad.data, [[0.0, 0.0], [-0.5, 0.5]])


def test_std_gradgradcheck_with_ddof():
    x = _leaf(np.random.default_rng(1).normal(size=(3, 4)))
    assert gradgradcheck(lambda t: t.std(axis=0, ddof=1), [x])


def test_pow_zero_exponent_at_zero_base():
    x = _leaf([0.0, 2.0])
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_pow_of_zero_base_exponent_gradient():
    b = _leaf([0.0, 1.0, 2.5])
    (Tensor(np.zeros(3)) ** b).sum().backward()
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0, 0.0])


def test_pow_zero_to_the_zero_gradients_as_torch():
    a, b = _leaf(0.0), _leaf(0.0)
    (a**b).backward()
    assert (a.grad.item(), b.grad.item()) == (0.0, 0.0)


def test_pow_still_infinite_where_the_slope_is():
    x = _leaf([0.0])
    (x**0.5).sum().backward()
    assert np.isinf(x.grad.data[0])


@pytest.mark.parametrize(
    "dtype, x, expected",
    [
        (np.float32, -20.0, 2.0611536e-09),
        (np.float32, -80.0, 1.8048513e-35),
        (np.float32, 20.0, 1.0),
        (np.float64, -40.0, 4.248354255291589e-18),
        (np.float64, -700.0, 9.85967654375977e-305),
        (np.float64, 40.0, 1.0),
    ],
)
def test_sigmoid_exact_in_both_tails(dtype, x, expected):
    z = autograd.sigmoid(np.array(x, dtype=dtype))
    assert z.dtype == dtype
    np.testing.assert_allclose(z.data, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)


def test_log_of_sigmoid_in_the_negative_tail_is_finite():
    x = _leaf(np.float32(-20.0), np.float32)
    y = x.sigmoid().log()
    np.testing.assert_allclose(y.data, -20.0, rtol=1e-6)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 1.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_sigmoid_in_both_tails(dtype):
    x = _leaf([-800.0, -20.0, 0.0, 40.0, 800.0], dtype)
    y = autograd.log_sigmoid(x)
    expected = [-800.0, -20.000000002061153, -0.6931471805599453, -4.248354255291589e-18, 0.0]
    np.testing.assert_allclose(y.data, np.array(expected, dtype), rtol=1e-6, atol=0)
    y.sum().backward()
    slope = [1.0, 1.0, 0.5, 4.248354255291589e-18, 0.0]  # sigmoid(-x)
    np.testing.assert_allclose(x.grad.data, np.array(slope, dtype), rtol=1e-6, atol=0)


def test_softplus_slope_in_the_negative_tail():
    x = _leaf([-40.0, -745.0])
    autograd.softplus(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.248354255291589e-18, 5e-324], rtol=1e-14)


def test_softplus_and_logsumexp_finite_for_huge_inputs():
    x = _leaf([-1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(autograd.softplus(x).data, [0.0, np.log(2.0), 1000.0])
    lse = autograd.logsumexp(x)
    np.testing.assert_allclose(lse.data, 1000.0)
    lse.backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0, 1.0])


def test_complex_tensors_are_refused():
    with pytest.raises(TypeError, match="complex"):
        Tensor(np.array([1 + 2j]))
    with pytest.raises(TypeError, match="complex"):
        Tensor([1j, 2j])
    x = _leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="complex"):
        x * np.array([1j, 1j])
    with pytest.raises(TypeError, match="complex"):
        x + 1j
    with pytest.raises(TypeError, match="complex"):
        x.astype(np.complex128)


def test_string_and_object_tensors_are_refused():
    with pytest.raises(TypeError, match="not numeric"):
        Tensor(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="not numeric"):
        Tensor(np.array([object()]))
    with pytest.raises(TypeError, match="not numeric"):
        Tensor([1.0]) * np.array(["a"])


def test_mean_of_empty_is_nan():
    x = _leaf(np.zeros((0, 3)))
    assert np.isnan(x.mean().data)
    out = x.mean(axis=0)
    assert out.shape == (3,) and np.isnan(out.data).all()
    out.sum().backward()
    assert x.grad.shape == (0, 3)


def test_max_and_min_over_a_full_axis_of_an_empty_tensor():
    x = _leaf(np.zeros((0, 3)))
    for op in (x.max, x.min):
        out = op(axis=1)
        assert out.shape == (0,)
        out.sum().backward()
        assert x.grad.shape == (0, 3)
    with pytest.raises(ValueError, match="axis of length 0"):
        x.max(axis=0)
    with pytest.raises(ValueError, match="axis of length 0"):
        x.max()


def test_cross_entropy_of_an_empty_batch():
    x = _leaf(np.zeros((0, 3)))
    labels = np.zeros(0, dtype=np.int64)
    loss = autograd.cross_entropy(x, labels)
    assert np.isnan(loss.data)
    assert autograd.cross_entropy(x, labels, "sum").item() == 0.0
    autograd.cross_entropy(x, labels, "sum").backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("axis", [5, -3, 2, (1, 2)])
def test_squeeze_out_of_range_axis_raises_index_error(axis):
    with pytest.raises(IndexError, match="out of range"):
        Tensor(np.zeros((3, 1))).squeeze(axis)


def test_squeeze_of_a_0d_tensor_takes_axis_0_and_minus_1():
    x = Tensor(np.array(5.0))
    assert x.squeeze(0).shape == () and x.squeeze(-1).shape == ()
    with pytest.raises(IndexError, match="out of range"):
        x.squeeze(1)
    assert Tensor(np.zeros((3, 1))).squeeze(-1).shape == (3,)


def test_pow_second_derivatives_at_zero_are_finite():
    x = _leaf(0.0)
    (g,) = autograd.grad(x**0, [x], create_graph=True)
    g.backward()
    assert g.item() == 0.0 and x.grad.item() == 0.0
    b = _leaf([0.0, 2.0])
    (h,) = autograd.grad((Tensor(np.zeros(2)) ** b).sum(), [b], create_graph=True)
    h.sum().backward()
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0])


def test_python_number_operands_keep_their_exact_value_and_dtype():
    """Numbers are wrapped once per (number, dtype) and shared read-only: the sign of
    zero, True against 1, NaN and each dtype must still give their own constants."""
    x32 = Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    x64 = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    assert np.signbit((x32 * -0.0).data).tolist() == [True, False]
    assert np.signbit((x32 * 0.0).data).tolist() == [False, True]
    assert np.signbit((x32 * -0.0).data).tolist() == [True, False]  # after 0.0: not cached
    assert (x32 * True).dtype == np.float32 and (x32 * 1.5).dtype == np.float32
    assert (x64 * 1.5).dtype == np.float64 and (x64 * 1.5).data.tolist() == [1.5, -3.0]
    assert (x32 + 0.1).data[0] == np.float32(1) + np.float32(0.1)  # 0.1 rounded to float32
    assert (x64 + 0.1).data[0] == 1.1
    assert np.isnan((x32 * float("nan")).data).all()
    y = 2.5 * x32
    y.sum().backward()
    assert x32.grad.data.tolist() == [2.5, 2.5]
    constant = y.grad_fn.inputs[0].data
    assert constant.shape == () and not constant.flags.writeable  # shared: read-only
    assert (3.0 - x32).data.tolist() == [2.0, 5.0] and (x32 / 4).data.tolist() == [0.25, -0.5]


def test_numpy_array_protocol_copies_as_asked():
    """np.array(t) is a snapshot (torch copies too), np.asarray(t) shares the data, and
    copy=False with another dtype raises as numpy's arrays do."""
    t = Tensor(np.array([1.0, 2.0]))
    snapshot, shared = np.array(t), np.asarray(t)
    t.data[0] = 5.0
    assert snapshot.tolist() == [1.0, 2.0]
    assert shared.tolist() == [5.0, 2.0] and np.shares_memory(shared, t.data)
    assert np.shares_memory(np.array(t, copy=False), t.data)
    assert np.array(t, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="float64, not float32"):
        np.array(t, dtype=np.float32, copy=False)
    torch = pytest.importorskip("torch")
    tt = torch.tensor([1.0, 2.0], dtype=torch.float64)
    with warnings.catch_warnings():  # torch's __array__ predates numpy 2's copy keyword
        warnings.simplefilter("ignore", DeprecationWarning)
        snap = np.array(tt)
    tt[0] = 5.0
    assert snap.tolist() == [1.0, 2.0]  # torch's np.array is a copy as well


WARNINGS_SCRIPT = """
import json
import numpy as np
import autograd
x = autograd.tensor([0.0, 1.0], requires_grad=True)
parts = [x.log(), autograd.tensor([-5.0, 100.0]).exp(), x / x, x.sqrt(), 1 / x]
sum(parts).sum().backward()
print(json.dumps([[p.tolist() for p in parts], x.grad.tolist()]))
np.log(np.array([0.0]))  # the user's own numpy: warns as always
"""


def test_inf_and_nan_come_without_numpys_warnings_as_in_torch():
    """log(0), exp(100) in float32, 0 / 0 and the backward of sqrt at 0 make inf and nan
    silently, as torch does; numpy called outside the package still warns. In a fresh
    interpreter, with Python's default warning filters."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("PYTHONWARNINGS", None)
    done = subprocess.run(
        [sys.executable, "-c", WARNINGS_SCRIPT], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    (log, exp, ratio, root, inverse), grad = json.loads(done.stdout)
    assert log[0] == -np.inf and exp[1] == np.inf and np.isnan(ratio[0])
    assert root[0] == 0 and inverse[0] == np.inf and np.isnan(grad[0])
    warned = [line for line in done.stderr.splitlines() if "RuntimeWarning" in line]
    assert warned == ["<string>:9: RuntimeWarning: divide by zero encountered in log"], done.stderr


@pytest.mark.parametrize(("z", "target"), [(10.774, 0.0), (-10.774, 1.0), (15.0, 0.0)])
def test_bce_of_sigmoid_second_derivative_exact_near_saturation(z, target):
    """d2/dz2 bce(sigmoid(z), t) = sigmoid(z) sigmoid(-z), for either t, computed here
    without cancellation; at p = 1 - 2e-5 torch's double backward is 0.5% off it."""
    x = Tensor(np.array([z]), requires_grad=True)
    loss = autograd.binary_cross_entropy(x.sigmoid(), np.array([target])).sum()
    (g,) = autograd.grad(loss, [x], create_graph=True)
    (h,) = autograd.grad(g.sum(), [x])
    exact = 1 / (1 + np.exp(-z)) / (1 + np.exp(z))
    np.testing.assert_allclose(h.data, [exact], rtol=1e-9)


@pytest.mark.parametrize(
    "data", [[[1, 2], [3]], [[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0]]]], ids=["2d", "3d"]
)
def test_ragged_lists_name_where_they_are_ragged_as_torch(data):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        torch.tensor(data)
    for make in (autograd.tensor, Tensor):
        with pytest.raises(ValueError) as ours:
            make(data)
        assert str(ours.value) == str(theirs.value)


def test_a_list_mixing_numbers_and_sequences_says_so():
    with pytest.raises(ValueError, match="a sequence and a number are mixed at dim 1"):
        autograd.tensor([[1.0, 2.0], 3.0])


def test_comparing_with_none_gives_a_bool_as_torch():
    """`t.grad == None` in a learner's check: torch answers False, not a tensor."""
    torch = pytest.importorskip("torch")
    for lib in (autograd, torch):
        x = lib.tensor([1.0, 2.0])
        assert (x == None) is False and (x != None) is True  # noqa: E711
        assert (x == 1).tolist() == [True, False]


@pytest.mark.parametrize(
    "case", ["nonscalar", "unused", "no_grad_out", "grad_shape", "backward_shape", "twice"]
)
def test_backward_and_grad_misuse_raise_torchs_runtime_error(case):
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.ones(3, requires_grad=True)
        z = lib.ones(3, requires_grad=True)
        if case == "nonscalar":
            lib.autograd.grad(x * 2, x)
        elif case == "unused":
            lib.autograd.grad((x * 2).sum(), [x, z])
        elif case == "no_grad_out":
            lib.autograd.grad(lib.ones(3).sum(), x)
        elif case == "grad_shape":
            lib.autograd.grad(x * 2, x, grad_outputs=lib.ones(2))
        elif case == "backward_shape":
            (x * 2).backward(lib.ones(2))
        else:
            y = (x * x).sum()
            y.backward()
            y.backward()

    for lib in (torch, autograd):
        with pytest.raises(RuntimeError):
            run(lib)
