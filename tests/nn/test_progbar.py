"""`nn.utils.Progbar` against Keras 3's `keras.utils.Progbar` (pure Python in Keras):
the same updates on the same clock print the same text."""

import itertools

import pytest

import nn

keras = pytest.importorskip("keras")


class Clock:
    """A fake `time.time`: each call moves on by the next of `steps` seconds."""

    def __init__(self, steps):
        self.now, self.steps = 1000.0, itertools.cycle(steps)

    def __call__(self):
        self.now += next(self.steps)
        return self.now


def _run(lib, monkeypatch, capsys, steps, kwargs, updates):
    from keras.src.utils import progbar as keras_progbar

    from nn import progbar

    module = keras_progbar if lib is keras else progbar
    monkeypatch.setattr(module.time, "time", Clock(steps))
    bar = lib.utils.Progbar(**kwargs)
    for method, args in updates:
        getattr(bar, method)(*args)
    monkeypatch.undo()
    return capsys.readouterr().out


UPDATES = [
    ("update", (1, [("loss", 0.5), ("acc", 0.25)])),
    ("update", (3, [("loss", 0.3), ("acc", 0.5)])),
    ("add", (2, [("loss", 1e-5), ("acc", 0.75)])),
    ("update", (7, [("loss", -0.2), ("acc", 1.0)])),
    ("update", (10, [("loss", 0.1), ("acc", 0.0)])),
]


@pytest.mark.parametrize(
    "steps,kwargs",
    [
        ((0.01,), {"target": 10}),
        ((0.3,), {"target": 10, "width": 7}),
        ((0.5, 40.0), {"target": 10, "stateful_metrics": ["acc"]}),
        ((700.0,), {"target": 10, "stateless_metrics": ["loss"]}),
        ((2e-5,), {"target": 10, "interval": 0.0, "unit_name": "batch"}),
        ((0.2,), {"target": None}),
        ((0.2,), {"target": 10, "verbose": 2}),
        ((0.2,), {"target": 10, "verbose": 0}),
    ],
)
def test_progbar_prints_what_keras_prints(monkeypatch, capsys, steps, kwargs):
    theirs = _run(keras, monkeypatch, capsys, steps, kwargs, UPDATES)
    ours = _run(nn, monkeypatch, capsys, steps, kwargs, UPDATES)
    assert ours == theirs
    if kwargs.get("verbose", 1) != 0:
        assert "loss:" in ours


def test_progbar_finalize_and_errors(monkeypatch, capsys):
    updates = [("update", (2, [("x", 3.0)])), ("update", (2, [("x", 1.0)], True))]
    kwargs = {"target": 5}
    theirs = _run(keras, monkeypatch, capsys, (0.1,), kwargs, updates)
    assert _run(nn, monkeypatch, capsys, (0.1,), kwargs, updates) == theirs
    assert theirs.endswith("\n")
    with pytest.raises(ValueError, match="Only one of `stateful_metrics`"):
        nn.utils.Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
