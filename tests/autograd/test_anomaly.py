"""Anomaly detection (`autograd.detect_anomaly`, `set_detect_anomaly`), as PyTorch's:
the op whose backward returned NaN is named, and the forward line that made it shown."""

from __future__ import annotations

import inspect
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

import autograd
from autograd import Tensor


@contextmanager
def quiet() -> Iterator[None]:
    """No warnings shown inside (`catch_warnings(action=...)` needs Python 3.11)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def nan_graph() -> tuple[Tensor, Tensor, int]:
    """a -> sqrt -> * 0: Mul's backward sends 0, Sqrt's backward 0 / (2 * 0) = nan.
    Also returns the line of the sqrt call."""
    a = Tensor(np.float64(0.0), requires_grad=True)
    line = inspect.currentframe().f_lineno + 1
    b = a.sqrt()
    return a, b * 0, line


def test_a_nan_gradient_raises_naming_the_op_and_warns_with_its_forward_line():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        block = autograd.detect_anomaly()
    with block:
        _, c, line = nan_graph()
        with (
            pytest.raises(
                RuntimeError,
                match=r"^Function 'SqrtBackward' returned nan values in its 0th output\.$",
            ),
            pytest.warns(UserWarning, match="Error detected in SqrtBackward") as record,
            np.errstate(invalid="ignore", divide="ignore"),
        ):
            backward_line = inspect.currentframe().f_lineno + 1
            c.backward()
    # the warning is the user's backward() line's, as torch's points at user code
    assert record[-1].filename == __file__ and record[-1].lineno == backward_line
    trace = str(record[-1].message)
    assert f'test_anomaly.py", line {line}, in nan_graph' in trace
    assert "b = a.sqrt()" in trace
    assert "autograd/ops" not in trace  # the trace ends at the user's line
    assert not autograd.is_anomaly_enabled()  # restored after the block


def test_without_anomaly_detection_the_nan_reaches_the_leaf_silently():
    a, c, _ = nan_graph()
    with np.errstate(invalid="ignore", divide="ignore"):
        c.backward()
    assert np.isnan(a.grad.item())


def test_the_message_is_torchs_for_the_same_graph():
    torch = pytest.importorskip("torch")
    a = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    with (
        quiet(),
        torch.autograd.detect_anomaly(),
        pytest.raises(RuntimeError) as theirs,
    ):
        (a.sqrt() * 0).backward()
    with (
        quiet(),
        autograd.detect_anomaly(),
        pytest.raises(RuntimeError) as ours,
        np.errstate(invalid="ignore", divide="ignore"),
    ):
        nan_graph()[1].backward()
    # torch numbers its node classes (SqrtBackward0); the sentence is the same
    assert str(theirs.value) == str(ours.value).replace("SqrtBackward", "SqrtBackward0")


def test_check_nan_false_lets_nan_through():
    with quiet():
        block = autograd.detect_anomaly(check_nan=False)
    with block, np.errstate(invalid="ignore", divide="ignore"):
        assert autograd.is_anomaly_enabled() and not autograd.is_anomaly_check_nan_enabled()
        a, c, _ = nan_graph()
        c.backward()
    assert np.isnan(a.grad.item())


def test_an_error_in_backward_comes_with_the_forward_line_of_its_op():
    """The in-place error of issue-style code: which multiplication saved `b`?"""
    a = Tensor(np.ones(3), requires_grad=True)
    with autograd.set_detect_anomaly(True):
        b = a * 1
        line = inspect.currentframe().f_lineno + 1
        c = (b * b).sum()
        with autograd.no_grad():
            b += 1
        with (
            pytest.raises(RuntimeError, match="modified by an inplace operation"),
            pytest.warns(UserWarning, match="Error detected in MulBackward") as record,
        ):
            c.backward()
    assert f"line {line}, in test_an_error_in_backward" in str(record[-1].message)


def test_set_detect_anomaly_as_a_call_and_as_a_block():
    assert not autograd.is_anomaly_enabled()
    autograd.set_detect_anomaly(True)
    try:
        assert autograd.is_anomaly_enabled() and autograd.is_anomaly_check_nan_enabled()
        with autograd.set_detect_anomaly(False):
            assert not autograd.is_anomaly_enabled()
        assert autograd.is_anomaly_enabled()  # the block restores what was before it
    finally:
        autograd.set_detect_anomaly(False)
    assert not autograd.is_anomaly_enabled()
    assert autograd.autograd.detect_anomaly is autograd.detect_anomaly  # torch.autograd.*


def test_detect_anomaly_decorates_a_function():
    with quiet():

        @autograd.detect_anomaly()
        def step():
            assert autograd.is_anomaly_enabled()
            nan_graph()[1].backward()

    with (
        pytest.raises(RuntimeError, match="SqrtBackward"),
        quiet(),
        np.errstate(invalid="ignore", divide="ignore"),
    ):
        step()
    assert not autograd.is_anomaly_enabled()


def test_anomaly_detection_belongs_to_the_thread_that_sets_it():
    seen = []
    with autograd.set_detect_anomaly(True):
        thread = threading.Thread(target=lambda: seen.append(autograd.is_anomaly_enabled()))
        thread.start()
        thread.join()
        assert autograd.is_anomaly_enabled()
    assert seen == [False]


@pytest.mark.parametrize("create_graph", [False, True])
def test_gradients_are_the_same_with_anomaly_detection(create_graph):
    """Anomaly mode takes the reference walk and checks every op: the numbers must not
    change (a training-like graph: affine, tanh, softmax cross entropy, broadcasting)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4))
    y = np.array([0, 2, 1, 2, 0])

    def grads(anomaly: bool):
        w = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
        b = Tensor(np.zeros(3), requires_grad=True)
        with autograd.set_detect_anomaly(anomaly):
            loss = autograd.cross_entropy(autograd.linear(Tensor(x), w, b).tanh() * 2, y)
            gw, gb = autograd.grad(loss, [w, b], retain_graph=True, create_graph=create_graph)
            if create_graph:  # a second derivative through the checked walk
                (gw.square().sum() + gb.sum()).backward()
            else:
                loss.backward()
        return [gw.data, gb.data, w.grad.data, b.grad.data]

    state = rng.bit_generator.state
    plain = grads(False)
    rng.bit_generator.state = state
    checked = grads(True)
    for p, c in zip(plain, checked, strict=True):
        np.testing.assert_array_equal(p, c)
