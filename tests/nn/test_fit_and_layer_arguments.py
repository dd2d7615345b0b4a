"""Bad arguments fail where they are written, with the argument and its range named;
bad data (empty sets, diverged losses, wrong state dicts) fails clearly too."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: nn.Linear(0, 2), ValueError, r"in_features: 0 \(must be an int >= 1\)"),
        (lambda: nn.Linear(-1, 2), ValueError, r"in_features: -1 \(must be an int >= 1\)"),
        (lambda: nn.Linear(2, 0), ValueError, "out_features"),
        (lambda: nn.Linear(2.0, 3), TypeError, "in_features.*must be an int"),
        (lambda: nn.Linear(2, 3, bias="no"), TypeError, "bias"),
        (lambda: nn.Dense("10"), TypeError, r"units: '10' \(must be an int"),
        (lambda: nn.Dense(0), ValueError, "units"),
        (lambda: nn.Dense(3, input_dim=0), ValueError, "input_dim"),
        (lambda: nn.Dropout("0.5"), TypeError, r"p: '0.5' \(must be a number"),
        (lambda: nn.Dropout(1.0), ValueError, r"must be in \[0, 1\)"),
        (lambda: nn.Dropout(-0.1), ValueError, r"must be in \[0, 1\)"),
        (lambda: nn.BatchNorm1d(0), ValueError, "num_features"),
        (lambda: nn.BatchNorm1d(3, eps=0), ValueError, r"eps: 0 \(must be > 0\)"),
        (lambda: nn.BatchNorm1d(3, momentum=2), ValueError, r"momentum.*\[0, 1\]"),
        (lambda: nn.LeakyReLU("0.1"), TypeError, "negative_slope"),
        (lambda: nn.ELU(None), TypeError, "alpha"),
    ],
)
def test_layer_arguments_are_checked_at_construction(make, error, match):
    with pytest.raises(error, match=match):
        make()


def _compiled(seed=0):
    model = nn.Sequential(nn.Dense(4, activation="tanh", input_dim=2), nn.Dense(1))
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(seed)
    return model, rng.normal(size=(16, 2)), rng.normal(size=(16, 1))


def test_fit_checks_its_arguments():
    model, x, y = _compiled()
    with pytest.raises(ValueError, match=r"batch_size: 0 \(must be an int >= 1\)"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(TypeError, match="batch_size"):
        model.fit(x, y, batch_size=8.0, verbose=0)
    with pytest.raises(TypeError, match=r"callbacks must be a list.*\[EarlyStopping\(\.\.\.\)\]"):
        model.fit(x, y, callbacks=nn.callbacks.EarlyStopping(), verbose=0)
    with pytest.raises(ValueError, match="verbose"):
        model.fit(x, y, verbose=3)
    with pytest.raises(TypeError, match="epochs"):
        model.fit(x, y, epochs="2", verbose=0)


def test_evaluate_and_fit_on_no_samples_raise():
    model, x, y = _compiled()
    with pytest.raises(ValueError, match="no samples"):
        model.evaluate(x[:0], y[:0])
    with pytest.raises(ValueError, match="no samples"):
        model.fit(x[:0], y[:0], verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.evaluate(x, y, batch_size=0)


def _diverging():
    model, x, y = _compiled()
    model.compile(optimizer="sgd", loss="mse", lr=1e12)
    return model, x, y * 1e6


def test_fit_warns_when_the_loss_becomes_nan_or_inf():
    model, x, y = _diverging()
    with pytest.warns(RuntimeWarning, match="loss became (nan|inf)"):
        model.fit(x, y, epochs=3, batch_size=4, verbose=0)


def test_fit_does_not_warn_for_a_finite_loss():
    model, x, y = _compiled()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model.fit(x, y, epochs=2, batch_size=4, verbose=0)


def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    model, x, y = _diverging()
    stop = nn.callbacks.TerminateOnNaN()
    seen = []

    class Count(nn.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(logs["loss"])

    with pytest.warns(RuntimeWarning):
        history = model.fit(x, y, epochs=5, batch_size=4, verbose=0, callbacks=[Count(), stop])
    assert stop.stopped_batch is not None
    assert len(seen) == stop.stopped_batch + 1  # no batch ran after the bad one
    assert not np.isfinite(seen[-1]) and np.isfinite(seen[:-1]).all()
    assert len(history.epoch) == 1
    assert "invalid loss" in capsys.readouterr().out


def test_load_state_dict_refuses_a_path():
    model = nn.Linear(2, 3)
    with pytest.raises(TypeError, match=r"expects a dict.*nn\.load_state\('model.npz'\)"):
        model.load_state_dict("model.npz")


def test_failed_load_state_dict_changes_nothing():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = model.state_dict()
    state = {k: np.full_like(v, 7.0) for k, v in before.items()}
    state["1.bias"] = np.array([1j], dtype=np.complex64)  # the last key is the bad one
    with pytest.raises(TypeError, match=r"1\.bias: complex64"):
        model.load_state_dict(state)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    state["1.bias"] = np.array(["x"])
    with pytest.raises(TypeError, match="wrong dtypes"):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model.state_dict()["0.weight"], before["0.weight"])
