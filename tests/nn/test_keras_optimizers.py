"""`nn.optimizers` against Keras's own optimizers, step by step, on the same problem."""

import os

import numpy as np
import pytest
from keras_cases import CASES, case_id, trajectory_keras, trajectory_ours

import nn

os.environ.setdefault("KERAS_BACKEND", "jax")


def test_every_optimizer_has_cases():
    assert {name.lower() for name, _ in CASES} == set(nn.optimizers.OPTIMIZERS)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_trajectory_matches_keras(case):
    pytest.importorskip("keras")
    ours, theirs = trajectory_ours(*case), trajectory_keras(*case)
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for p, q in zip(a, b, strict=True):
            # float32 on both sides; Keras also takes beta**t in float32
            np.testing.assert_allclose(p, q, rtol=1e-4, atol=3e-5, err_msg=f"step {step + 1}")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_trajectory_moves_and_stays_float32(case):
    start = trajectory_ours(*case, steps=1)[0]
    assert all(p.dtype == np.float32 for p in start)
    end = trajectory_ours(*case, steps=5)[-1]
    assert any(not np.array_equal(p, q) for p, q in zip(start, end))


@pytest.mark.parametrize("name", sorted(nn.optimizers.OPTIMIZERS))
def test_defaults_match_keras(name):
    keras = pytest.importorskip("keras")
    cls = nn.optimizers.OPTIMIZERS[name]
    ours = cls().get_config()
    theirs = getattr(keras.optimizers, cls.__name__)().get_config()
    shared = set(ours) & set(theirs) - {"name"}
    assert {"learning_rate", "weight_decay", "clipnorm"} <= shared
    for key in shared:
        assert ours[key] == pytest.approx(theirs[key]), key
