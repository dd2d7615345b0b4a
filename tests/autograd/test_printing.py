"""A Tensor prints as PyTorch prints a tensor (`autograd.printing`)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd

torch = pytest.importorskip("torch")


def as_ours(text: str) -> str:
    """torch's text with this package's spellings: Tensor(, numpy dtype names, ops'
    names without torch's version suffix (and suffixes on one line: `dtype=torch.float64`
    may wrap where the shorter `dtype=float64` does not)."""
    text = text.replace("tensor(", "Tensor(").replace("torch.", "").replace("Backward0", "Backward")
    return unwrapped(text)


def unwrapped(text: str) -> str:
    return re.sub(r",\n *(dtype|grad_fn|requires_grad|size)=", r", \1=", text)


CASES = [
    lambda lib: lib.tensor([1e-5, 1.0]),  # scientific: below 1e-4
    lambda lib: lib.tensor([1.0, 2.0, 3e9]),  # whole numbers, large: scientific
    lambda lib: lib.tensor([float("nan"), 1.0, float("inf")]),
    lambda lib: lib.zeros(3),
    lambda lib: lib.tensor([0.5, float("nan")]),
    lambda lib: lib.tensor(0.66),
    lambda lib: lib.tensor(-0.0),
    lambda lib: lib.tensor(7),
    lambda lib: lib.tensor([True, False]),
    lambda lib: lib.zeros(0, 3),
    lambda lib: lib.zeros(0),
    lambda lib: lib.arange(2000).reshape(2, 1000),  # summarized, int64: no dtype
    lambda lib: lib.ones(3, 1000),
    lambda lib: lib.tensor([[1, -20], [3, 4]], dtype=lib.int32),
    lambda lib: lib.tensor([-1.5, 2.25], dtype=lib.float16),
    lambda lib: lib.tensor(np.linspace(-3, 3, 50)),  # float64: dtype shown, lines of 80
    lambda lib: lib.tensor(np.linspace(-3, 3, 5000).reshape(50, 100)),
    lambda lib: lib.tensor(np.arange(24.0).reshape(2, 3, 4) / 7),
    lambda lib: lib.tensor(np.linspace(0, 1, 30), requires_grad=True),
    lambda lib: lib.tensor(3.5, requires_grad=True) * 2,
]


@pytest.mark.parametrize("make", CASES)
def test_prints_as_torch(make):
    assert unwrapped(repr(make(autograd))) == as_ours(repr(make(torch)))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    shape=st.lists(st.integers(0, 12), min_size=0, max_size=3),
    scale=st.sampled_from([1e-7, 1e-3, 1.0, 1e3, 1e9]),
    kind=st.sampled_from(["float32", "float64", "int64", "whole", "bool"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_arrays_print_as_torch(shape, scale, kind, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=tuple(shape)) * scale
    if kind == "whole":
        values = np.round(values)
    elif kind == "int64":
        values = np.round(values * 100).clip(-1e12, 1e12).astype(np.int64)
    elif kind == "bool":
        values = values > 0
    elif kind == "float32":
        values = values.astype(np.float32)
    assert unwrapped(repr(autograd.tensor(values))) == as_ours(repr(torch.tensor(values)))


OPTIONS = [
    {"precision": 2, "linewidth": 140, "sci_mode": False},  # fast.ai's notebooks
    {"profile": "short"},
    {"profile": "full"},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 0},
    {"edgeitems": 1, "threshold": 10, "linewidth": 60},
    {"sci_mode": True},
    {"precision": 6},
    {"linewidth": 40},
]


@pytest.fixture
def restore_print_options():
    yield
    for lib in (autograd, torch):
        lib.set_printoptions(profile="default")


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("make", [*CASES, lambda lib: lib.tensor(np.linspace(-3, 3, 1500))])
def test_print_options_as_torch(options, make, restore_print_options):
    texts = []
    for lib in (autograd, torch):
        lib.set_printoptions(**options)
        texts.append(repr(make(lib)))
    assert unwrapped(texts[0]) == as_ours(texts[1])


def test_print_options_read_back_and_restored(restore_print_options):
    from autograd.printing import get_printoptions, printoptions

    autograd.set_printoptions(precision=2, sci_mode=False)
    assert get_printoptions() == {
        "precision": 2,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": False,
    }
    with printoptions(precision=1):
        assert repr(autograd.tensor([1.26])) == "Tensor([1.3])"
    assert repr(autograd.tensor([1.26])) == "Tensor([1.26])"
    autograd.set_printoptions(profile="default")
    assert repr(autograd.tensor([1.26])) == "Tensor([1.2600])"
    with pytest.raises(ValueError, match="profile must be one of"):
        autograd.set_printoptions(profile="long")
