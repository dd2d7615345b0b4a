"""100-step trajectories on a least-squares problem, against independent references."""

import numpy as np
import pytest
from optim_cases import (
    CASES,
    CLASSES,
    case_id,
    least_squares,
    trajectory_optim,
    trajectory_reference,
    trajectory_torch,
)

import optim

TORCH_CASES = [case for case in CASES if case[0] != "lion"]  # torch.optim has no Lion


def assert_trajectories_close(ours, theirs, rtol):
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for p, q in zip(a, b):
            np.testing.assert_allclose(p, q, rtol=rtol, atol=1e-9, err_msg=f"step {step + 1}")


def test_every_optimizer_has_cases():
    assert {name for name, _ in CASES} == set(CLASSES) >= set(optim.OPTIMIZERS)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_trajectory_matches_reference(case):
    name, options = case
    ours = trajectory_optim(name, options)
    assert_trajectories_close(ours, trajectory_reference(name, options), rtol=1e-9)


@pytest.mark.parametrize("case", TORCH_CASES, ids=case_id)
def test_trajectory_matches_torch(case):
    pytest.importorskip("torch")
    name, options = case
    ours = trajectory_optim(name, options)
    assert_trajectories_close(ours, trajectory_torch(name, options), rtol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_trajectory_decreases_loss(case):
    name, options = case
    (w, b), loss_and_grads = least_squares()
    start, _ = loss_and_grads(w, b)
    end, _ = loss_and_grads(*trajectory_optim(name, options)[-1])
    assert end < 0.8 * start


@pytest.mark.parametrize("case", TORCH_CASES[::3], ids=case_id)
def test_float32_trajectory_close_to_torch(case):
    pytest.importorskip("torch")
    name, options = case
    ours = trajectory_optim(name, options, steps=20, dtype=np.float32)
    assert ours[-1][0].dtype == np.float32
    theirs = trajectory_torch(name, options, steps=20, dtype="float32")
    for p, q in zip(ours[-1], theirs[-1]):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-5)
