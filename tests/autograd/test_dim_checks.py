"""Dims out of range, repeated, or given to a 0-d tensor: every op that takes a dim
checks it as PyTorch does (an IndexError that says "out of range", a RuntimeError for a
repeated dim, dims 0 and -1 accepted on a 0-d tensor), never numpy's AxisError from
deep inside a call. Each case runs on autograd and on torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

X = np.arange(6.0).reshape(2, 3)

OUT_OF_RANGE = {
    "unsqueeze": lambda t: t.unsqueeze(3),
    "unsqueeze negative": lambda t: t.unsqueeze(-4),
    "argmax": lambda t: t.argmax(dim=2),
    "argmin": lambda t: t.argmin(dim=-3),
    "max": lambda t: t.max(dim=2),
    "min": lambda t: t.min(dim=5),
    "all": lambda t: t.all(dim=2),
    "any tuple": lambda t: t.any(dim=(0, 5)),
    "count_nonzero": lambda t: t.count_nonzero(dim=3),
    "transpose": lambda t: t.transpose(0, 5),
    "unbind": lambda t: t.unbind(2),
    "cumsum": lambda t: t.cumsum(dim=2),
    "squeeze": lambda t: t.squeeze(2),
    "flatten": lambda t: t.flatten(0, 2),
}


@pytest.mark.parametrize("case", OUT_OF_RANGE, ids=list(OUT_OF_RANGE))
def test_dim_out_of_range_is_an_index_error_as_in_torch(case):
    fn = OUT_OF_RANGE[case]
    with pytest.raises(IndexError) as theirs:
        fn(torch.tensor(X))
    with pytest.raises(IndexError, match="out of range") as ours:
        fn(autograd.tensor(X))
    assert "AxisError" not in type(ours.value).__name__
    assert "out of range" in str(theirs.value)


REPEATED = {
    "all": lambda t: t.all(dim=(0, 0)),
    "any": lambda t: t.any(dim=(1, -1)),
    "count_nonzero": lambda t: t.count_nonzero(dim=(0, -2)),
}


@pytest.mark.parametrize("case", REPEATED, ids=list(REPEATED))
def test_repeated_dim_is_a_runtime_error_as_in_torch(case):
    fn = REPEATED[case]
    with pytest.raises(RuntimeError, match="multiple times"):
        fn(torch.tensor(X))
    with pytest.raises(RuntimeError, match="multiple times"):
        fn(autograd.tensor(X))


ZERO_D = {
    "argmax 0": lambda t: t.argmax(dim=0),
    "argmin -1": lambda t: t.argmin(dim=-1, keepdim=True),
    "max values": lambda t: t.max(dim=0)[0],
    "max indices": lambda t: t.max(dim=-1)[1],
    "all": lambda t: t.all(dim=0),
    "any": lambda t: t.any(dim=-1),
    "transpose": lambda t: t.transpose(0, -1),
    "unsqueeze 0": lambda t: t.unsqueeze(0),
    "unsqueeze -1": lambda t: t.unsqueeze(-1),
}


@pytest.mark.parametrize("case", ZERO_D, ids=list(ZERO_D))
def test_zero_d_tensor_takes_dim_0_and_minus_1_as_in_torch(case):
    fn = ZERO_D[case]
    theirs = fn(torch.tensor(2.5)).numpy()
    ours = fn(autograd.tensor(2.5))
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours.data, theirs)


def test_count_nonzero_of_a_zero_d_tensor_along_dim_0_as_in_torch():
    ours = autograd.count_nonzero(autograd.tensor(2.5), dim=0)
    theirs = torch.count_nonzero(torch.tensor(2.5), dim=0)
    assert ours.shape == tuple(theirs.shape) and ours.item() == theirs.item() == 1


def test_unsqueeze_out_of_range_names_the_range():
    with pytest.raises(IndexError, match=r"range of \[-3, 2\], but got 3"):
        autograd.tensor(X).unsqueeze(3)


def test_unbind_of_a_zero_d_tensor_is_an_index_error_as_in_torch():
    with pytest.raises(IndexError, match="no dimensions"):
        torch.tensor(2.5).unbind(0)
    with pytest.raises(IndexError, match="no dimensions"):
        autograd.tensor(2.5).unbind(0)


def test_masked_fill_with_a_mask_that_does_not_broadcast_names_both_shapes():
    mask = np.ones(4, dtype=bool)
    with pytest.raises(RuntimeError, match="must match"):
        torch.zeros(2, 3).masked_fill(torch.tensor(mask), 1.0)
    with pytest.raises(RuntimeError, match=r"mask's shape \(4,\) .* input's shape \(2, 3\)"):
        autograd.zeros(2, 3).masked_fill(autograd.tensor(mask), 1.0)


@pytest.mark.parametrize("name", ["var", "std", "mean"])
def test_var_std_and_mean_refuse_integers_as_torch(name):
    for lib in (torch, autograd):
        with pytest.raises(RuntimeError, match="floating point"):
            getattr(lib, name)(lib.tensor([1, 2, 4]))
