"""`nn.metrics.AUC` against Keras 3's, batch by batch, over its options and edge cases."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")

POOLED = [
    {},
    {"curve": "PR"},
    {"curve": "pr", "summation_method": "minoring"},
    {"curve": "PR", "summation_method": "majoring"},
    {"summation_method": "minoring"},
    {"summation_method": "Majoring"},
    {"curve": "PRGAIN"},
    {"num_thresholds": 2},
    {"num_thresholds": 7, "curve": "PR"},
    {"num_thresholds": 1000},
    {"thresholds": [0.1, 0.5, 0.3]},
    {"thresholds": [0.1, 0.5, 0.3], "curve": "PR"},
    {"thresholds": [0.25, 0.5, 0.75]},  # evenly spaced with the ends: counted by buckets
    {"thresholds": [0.0, 0.5, 1.0]},  # thresholds at 0 and 1
    {"thresholds": []},
    {"thresholds": [], "curve": "PR"},
    {"from_logits": True},
    {"label_weights": [0.2, 1.0, 3.0]},
    {"label_weights": [0.2, 1.0, 3.0], "curve": "PR"},
]
MULTI = [
    {"multi_label": True},
    {"multi_label": True, "curve": "PR"},
    {"multi_label": True, "curve": "PR", "summation_method": "majoring", "num_labels": 3},
    {"multi_label": True, "label_weights": [0.2, 1.0, 3.0]},
    {"multi_label": True, "label_weights": [0.2, 1.0, 3.0], "curve": "PR"},
    {"multi_label": True, "num_labels": 3, "thresholds": [0.2, 0.4, 0.45]},
    {"multi_label": True, "from_logits": True, "curve": "PRGAIN"},
]


def _batches(seed, weights, sizes=(16, 7, 32, 1, 20, 9), logits=False):
    rng = np.random.default_rng(seed)
    out = []
    for n in sizes:
        y_true = (rng.random((n, 3)) > 0.6).astype(np.float32)
        y_pred = (rng.normal(size=(n, 3)) * 2 if logits else rng.random((n, 3))).astype(np.float32)
        if weights == "row":
            w = rng.random(n).astype(np.float32)
        elif weights == "element":
            w = rng.random((n, 3)).astype(np.float32)
        else:
            w = None
        out.append((y_true, y_pred, w))
    return out


def _assert_same(ours, theirs, batches):
    for y_true, y_pred, w in batches:
        ours.update_state(y_true, y_pred, sample_weight=w)
        theirs.update_state(y_true, y_pred, sample_weight=w)
        got, want = ours.result().data, np.asarray(theirs.result())
        assert got.shape == want.shape == () and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-7)
    for variable in theirs.variables:
        np.testing.assert_allclose(
            getattr(ours, variable.name).data, np.asarray(variable), rtol=2e-6, atol=1e-4
        )


@pytest.mark.parametrize("weights", [None, "row", "element"])
@pytest.mark.parametrize("options", POOLED + MULTI)
def test_auc_matches_keras_over_many_batches(options, weights):
    nn.utils.clear_session()
    keras.utils.clear_session()
    ours, theirs = nn.metrics.AUC(**options), keras.metrics.AUC(**options)
    assert ours.name == theirs.name == "auc"
    assert ours.thresholds == pytest.approx(theirs.thresholds, abs=0)
    batches = _batches(len(str(options)), weights, logits=options.get("from_logits", False))
    _assert_same(ours, theirs, batches)
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_array_equal(ours.result().data, np.asarray(theirs.result()))
    _assert_same(ours, theirs, batches[:2])


@pytest.mark.parametrize("options", [{}, {"curve": "PR"}, {"thresholds": [0.0, 0.3, 1.0]}])
def test_auc_of_one_class_and_of_ties_matches_keras(options):
    """All positives, all negatives, predictions on the thresholds (i/199, 0, 1) and
    outside [0, 1]."""
    grid = np.array([i / 199 for i in range(0, 200, 9)] + [0.0, 1.0, -0.5, 1.5], np.float32)
    ones, zeros = np.ones_like(grid), np.zeros_like(grid)
    mixed = (np.arange(len(grid)) % 3 == 0).astype(np.float32)
    for first in (ones, zeros):
        ours, theirs = nn.metrics.AUC(**options), keras.metrics.AUC(**options)
        _assert_same(ours, theirs, [(first, grid, None)])
        _assert_same(ours, theirs, [(mixed, grid, ones * 0.3), (1 - mixed, grid[::-1], None)])


def test_auc_is_the_exact_roc_area_for_separable_and_random_scores():
    y = np.array([0, 0, 1, 1], np.float32)
    metric = nn.metrics.AUC()
    metric.update_state(y, np.array([0.1, 0.4, 0.35, 0.8], np.float32))
    assert float(metric.result()) == pytest.approx(0.75, abs=1e-3)  # sklearn's 0.75
    metric.reset_state()
    metric.update_state(y, np.array([0.1, 0.2, 0.7, 0.9], np.float32))
    assert float(metric.result()) == pytest.approx(1.0)
    metric.reset_state()
    metric.update_state(y, np.array([0.9, 0.7, 0.2, 0.1], np.float32))
    assert float(metric.result()) == pytest.approx(0.0, abs=1e-6)


def test_multi_label_state_is_made_at_the_first_batch():
    metric = nn.metrics.AUC(multi_label=True)
    assert metric.variables == [] and float(metric.result()) == 0.0
    metric.update_state(np.ones((4, 5)), np.full((4, 5), 0.5))
    assert [v.shape for v in metric.variables] == [(200, 5)] * 4
    assert [v.name for v in metric.variables] == [
        v.name for v in keras.metrics.AUC(multi_label=True, num_labels=5).variables
    ]
    with pytest.raises(ValueError, match="multi_label"):
        metric.update_state(np.ones(4), np.full(4, 0.5))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"num_thresholds": 50, "curve": "PR", "summation_method": "minoring", "name": "pr"},
        {"thresholds": [0.7, 0.2], "from_logits": True},
        {"multi_label": True, "num_labels": 3, "label_weights": [1.0, 0.5, 2.0]},
    ],
)
def test_auc_config_matches_keras_and_round_trips(options):
    nn.utils.clear_session()
    keras.utils.clear_session()
    ours, theirs = nn.metrics.AUC(**options), keras.metrics.AUC(**options)
    config, keras_config = ours.get_config(), theirs.get_config()
    weights = keras_config.pop("label_weights")
    assert config.pop("label_weights") == (
        None if weights is None else np.asarray(weights).tolist()
    )
    assert config == keras_config
    again = nn.metrics.AUC.from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    for metric in (ours, again):
        for y_true, y_pred, w in _batches(2, "row"):
            metric.update_state(y_true, y_pred, sample_weight=w)
    np.testing.assert_array_equal(again.result().data, ours.result().data)


@pytest.mark.parametrize(
    ("options", "error", "argument"),
    [
        ({"num_thresholds": 1}, ValueError, "num_thresholds"),
        ({"num_thresholds": 2.5}, TypeError, "num_thresholds"),
        ({"curve": "AUC"}, ValueError, "curve"),
        ({"summation_method": "trapezoid"}, ValueError, "summation_method"),
        ({"thresholds": [0.5, 1.5]}, ValueError, "thresholds"),
        ({"thresholds": 0.5}, ValueError, "thresholds"),
        ({"num_labels": 3}, ValueError, "num_labels"),
        ({"multi_label": True, "num_labels": 0}, ValueError, "num_labels"),
        ({"label_weights": [1.0, -1.0]}, ValueError, "label_weights"),
        ({"multi_label": "yes"}, TypeError, "multi_label"),
        ({"from_logits": 1}, TypeError, "from_logits"),
    ],
)
def test_auc_bad_arguments_name_the_argument(options, error, argument):
    with pytest.raises(error, match=argument):
        nn.metrics.AUC(**options)


def test_auc_by_name_in_compile():
    for given in ("auc", "AUC"):
        name, metric = nn.metrics.get(given)
        assert name == metric.name == given and isinstance(metric, nn.metrics.AUC)
        assert isinstance(keras.metrics.get(given), keras.metrics.AUC)
