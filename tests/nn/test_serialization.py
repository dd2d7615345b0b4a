"""Saving without pickle: awkward parameter names, file permissions, partial files,
and a nested optimizer state that resumes training to the bit."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nn
import optim
from nn.module import Module, Parameter


class Awkward(Module):
    def __init__(self):
        super().__init__()
        self.file = Parameter(np.arange(3.0))
        self.allow_pickle = Parameter(np.ones((2, 2)))
        self.args = Parameter(np.zeros(1))


def test_parameters_named_like_savez_arguments_round_trip(tmp_path):
    model = Awkward()
    model.save(tmp_path / "m.npz")
    loaded = nn.load_state(tmp_path / "m.npz")
    assert sorted(loaded) == ["allow_pickle", "args", "file"]
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded[name], value)


def test_saved_files_get_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        nn.Linear(2, 3).save(tmp_path / "a.npz")
        os.umask(0o027)
        nn.save_state({"x": np.zeros(2)}, tmp_path / "b.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "a.npz").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / "b.npz").st_mode) == 0o640


def test_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.Linear(2, 3).save(path)
    before = path.read_bytes()
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the user stops the program mid-write
        return write(*args, **kwargs)

    write = np.lib.format.write_array
    monkeypatch.setattr(np.lib.format, "write_array", fail_on_second)
    with pytest.raises(KeyboardInterrupt):
        nn.Linear(2, 3).save(path)
    assert os.listdir(tmp_path) == ["m.npz"]
    assert path.read_bytes() == before


def test_a_save_killed_midway_is_cleaned_up_by_the_next(tmp_path):
    path = tmp_path / "m.npz"
    nn.Linear(2, 3).save(path)
    before = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, signal
        import numpy as np
        import nn
        write = np.lib.format.write_array
        def die(*args, **kwargs):
            write(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        np.lib.format.write_array = die
        nn.Linear(2, 3).save({str(path)!r})
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert done.returncode == -9
    assert path.read_bytes() == before  # the old file is intact
    assert sorted(os.listdir(tmp_path)) == ["m.npz", "m.npz.partial"]  # visible, one only
    nn.Linear(2, 3).save(path)
    assert os.listdir(tmp_path) == ["m.npz"]


def _train(model, opt, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = rng.normal(size=(8, 3))
        loss = ((model(x) - x.sum(axis=1, keepdims=True)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def _model():
    import autograd

    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    return model


OPTIMIZERS = {
    "adam_amsgrad": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.1),
    "sgd_momentum_groups": lambda ps: optim.SGD(
        [{"params": ps[:2], "lr": 0.05}, {"params": ps[2:]}], lr=0.01, momentum=0.9
    ),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01, centered=True),
    "nadam": lambda ps: optim.NAdam(ps, lr=0.01),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_state_saved_without_pickle_resumes_to_the_bit(name, tmp_path):
    make = OPTIMIZERS[name]
    straight = _model()
    opt = make(list(straight.parameters()))
    _train(straight, opt, 5, seed=1)
    nn.save_state(opt.state_dict(), tmp_path / "opt.npz")
    straight.save(tmp_path / "model.npz")
    _train(straight, opt, 4, seed=2)

    resumed = _model()
    resumed.load_state_dict(nn.load_state(tmp_path / "model.npz"))
    opt2 = make(list(resumed.parameters()))
    loaded = nn.load_state(tmp_path / "opt.npz")
    assert loaded["param_groups"][0]["params"] == opt.state_dict()["param_groups"][0]["params"]
    opt2.load_state_dict(loaded)
    _train(resumed, opt2, 4, seed=2)
    for (key, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert np.array_equal(a, b), key  # bit for bit, not approximately


def test_nested_state_keeps_types(tmp_path):
    state = {
        "state": {0: {"step": 3, "buf": np.arange(3.0), "t": np.float32(0.5)}},
        "param_groups": [{"lr": 0.1 + 0.2, "betas": (0.9, 0.999), "flag": True, "none": None}],
        "name": "adam",
        "inf": float("inf"),
    }
    nn.save_state(state, tmp_path / "s.npz")
    loaded = nn.load_state(tmp_path / "s.npz")
    assert loaded["state"][0]["step"] == 3 and type(loaded["state"][0]["step"]) is int
    assert loaded["state"][0]["t"] == np.float32(0.5)
    assert type(loaded["state"][0]["t"]) is np.float32
    group = loaded["param_groups"][0]
    assert group["lr"] == 0.1 + 0.2 and group["betas"] == (0.9, 0.999)
    assert group["flag"] is True and group["none"] is None
    assert loaded["name"] == "adam" and loaded["inf"] == float("inf")


def test_nested_state_refuses_what_needs_pickle(tmp_path):
    with pytest.raises(TypeError, match=r"state\['f'\] is a function"):
        nn.save_state({"f": lambda: 0, "x": 1}, tmp_path / "s.npz")
    assert not os.listdir(tmp_path)
