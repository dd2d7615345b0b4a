"""`autograd.heap`: `import autograd` keeps freed memory in the process (glibc), so a
training step stops page-faulting its large temporaries back from the kernel; the
environment can turn it off. Each case runs in a fresh interpreter, since the setting
belongs to the process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd import heap

ROOT = Path(__file__).resolve().parents[2]

#: A small CNN's SGD step on a batch of 16, run 10 times after 3 warm-up steps; prints
#: whether memory is kept and the page faults per step.
STEPS = textwrap.dedent(
    """
    import resource
    import numpy as np
    import autograd, nn, optim
    import nn.functional as F

    autograd.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10),
    )
    opt = optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.random((16, 1, 32, 32), dtype=np.float32))
    y = autograd.tensor(rng.integers(0, 10, 16))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        step()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    print(autograd.heap.keeping, (after - before) / 10)
    """
)


def _run(keep: str | None) -> tuple[bool, float]:
    env = {k: v for k, v in os.environ.items() if k != "GRADWORK_KEEP_FREED_MEMORY"}
    if keep is not None:
        env["GRADWORK_KEEP_FREED_MEMORY"] = keep
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", STEPS], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0] == "True", float(out[1])


glibc_only = pytest.mark.skipif(
    heap._glibc() is None, reason="keeping freed memory needs glibc's malloc (Linux)"
)


@glibc_only
def test_a_training_step_stops_page_faulting_and_the_environment_can_turn_it_off():
    """With glibc's defaults the step returns its large temporaries to the kernel and
    faults them back every step (about 740 page faults a step here); kept, none."""
    kept, faults_kept = _run(None)
    off, faults_off = _run("0")
    assert kept and not off
    assert faults_kept < 20, faults_kept
    assert faults_off > 10 * max(faults_kept, 10), (faults_kept, faults_off)


@glibc_only
def test_keep_freed_memory_reports_that_glibc_took_the_settings():
    assert heap.keep_freed_memory() is True
    assert heap.keeping is True


def test_without_glibc_nothing_is_set(monkeypatch):
    monkeypatch.setattr(heap, "_glibc", lambda: None)
    monkeypatch.setattr(heap, "keeping", False)
    assert heap.keep_freed_memory() is False
    assert heap.keeping is False
