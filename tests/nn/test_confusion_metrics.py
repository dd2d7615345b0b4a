"""Confusion-count metrics (TruePositives ... FalseNegatives, Precision and Recall with
thresholds / top_k / class_id, the `*At*` family) against Keras 3, batch by batch."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import nn
from nn.confusion_counts import confusion_counts, evenly_spaced

keras = pytest.importorskip("keras")

COUNTS = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]
AT = [
    ("SensitivityAtSpecificity", "specificity", 0.6),
    ("SpecificityAtSensitivity", "sensitivity", 0.4),
    ("PrecisionAtRecall", "recall", 0.7),
    ("RecallAtPrecision", "precision", 0.5),
]

CASES = [
    *((name, (), {}) for name in COUNTS),
    *((name, (), {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}) for name in COUNTS),  # buckets
    *((name, (), {"thresholds": [0.1, 0.7, 0.3]}) for name in COUNTS),
    *(
        (name, (), options)
        for name in ("Precision", "Recall")
        for options in [
            {},
            {"thresholds": 0.3},
            {"thresholds": [0.7]},
            {"thresholds": [0.2, 0.5, 0.9]},
            {"thresholds": [i / 10 for i in range(11)]},
            {"top_k": 2},
            {"top_k": 1, "thresholds": [0.3, 0.6]},
            {"class_id": 1},
            {"class_id": 2, "thresholds": [0.0, 0.5, 1.0]},
            {"top_k": 2, "class_id": 0},
        ]
    ),
    *(
        (name, (value,), options)
        for name, _, value in AT
        for options in [{}, {"num_thresholds": 1}, {"num_thresholds": 11}, {"class_id": 2}]
    ),
]


def _batches(seed, weights, shape=(3,), sizes=(16, 7, 32, 1, 20, 9)):
    """Batches of (targets, predictions, weights): weights None, per row or per element."""
    rng = np.random.default_rng(seed)
    out = []
    for n in sizes:
        y_true = (rng.random((n, *shape)) > 0.6).astype(np.float32)
        y_pred = rng.random((n, *shape)).astype(np.float32)
        if weights == "row":
            w = rng.random(n).astype(np.float32)
        elif weights == "element":
            w = rng.random((n, *shape)).astype(np.float32)
        else:
            w = None
        out.append((y_true, y_pred, w))
    return out


def _assert_same(ours, theirs, batches):
    for y_true, y_pred, w in batches:
        ours.update_state(y_true, y_pred, sample_weight=w)
        theirs.update_state(y_true, y_pred, sample_weight=w)
        want = np.asarray(theirs.result())
        got = ours.result().data
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-5)
    for variable in theirs.variables:  # Keras's state, by name
        np.testing.assert_allclose(
            getattr(ours, variable.name).data, np.asarray(variable), rtol=2e-6, atol=1e-5
        )


@pytest.mark.parametrize("weights", [None, "row"])
@pytest.mark.parametrize(("name", "args", "options"), CASES)
def test_matches_keras_over_many_batches(name, args, options, weights):
    nn.utils.clear_session()
    keras.utils.clear_session()
    ours = getattr(nn.metrics, name)(*args, **options)
    theirs = getattr(keras.metrics, name)(*args, **options)
    assert ours.name == theirs.name
    _assert_same(ours, theirs, _batches(len(name) + len(options), weights))
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_array_equal(ours.result().data, np.asarray(theirs.result()))
    _assert_same(ours, theirs, _batches(7, weights)[:2])  # counts again from zero


@pytest.mark.parametrize(
    ("name", "args", "options"),
    [
        ("Precision", (), {"thresholds": [0.2, 0.5]}),
        ("Recall", (), {"thresholds": [0.0, 0.5, 1.0]}),
        ("FalseNegatives", (), {}),
        ("SpecificityAtSensitivity", (0.5,), {"num_thresholds": 5}),
    ],
)
def test_weights_per_element_and_rank_one_data_match_keras(name, args, options):
    ours = getattr(nn.metrics, name)(*args, **options)
    theirs = getattr(keras.metrics, name)(*args, **options)
    _assert_same(ours, theirs, _batches(1, "element"))
    ours.reset_state()
    theirs.reset_state()
    _assert_same(ours, theirs, _batches(2, "row", shape=()))  # targets and predictions (N,)
    rng = np.random.default_rng(3)
    y_true = (rng.random(10) > 0.5).astype(np.float32)
    y_pred = rng.random((10, 1)).astype(np.float32)  # (N,) targets for an (N, 1) output
    _assert_same(ours, theirs, [(y_true, y_pred, rng.random(10).astype(np.float32))])


def _edge_batches():
    """Predictions exactly on the thresholds (0, k/10, 0.5, 1), outside [0, 1], and
    targets of one class only."""
    on = np.array([0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.0, 0.0], np.float32)
    out = np.array([-0.5, 1.5, 0.5, 0.25, 2.0, -1.0, 0.75, 0.6, 0.4, 1.0], np.float32)
    ones, zeros = np.ones(10, np.float32), np.zeros(10, np.float32)
    mixed = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0], np.float32)
    # where rounding puts p*(T-1) on the other side of a threshold than p > t does:
    # just above 0.9 for T = 11, and i/199 (T = 200) for some i
    grid = np.array([i / 199 for i in range(0, 200, 20)], np.float32)
    grid[0] = np.nextafter(np.float32(0.9), np.float32(1))
    return [
        (ones, on, None),
        (zeros, out, None),
        (mixed, on, ones * 0.5),
        (mixed, out, None),
        (mixed, grid, None),
        (1 - mixed, grid, ones * 2),
    ]


@pytest.mark.parametrize(
    ("name", "args", "options"),
    [
        ("Precision", (), {"thresholds": [i / 10 for i in range(11)]}),
        ("Recall", (), {"thresholds": [0.0, 0.5, 1.0]}),
        ("Recall", (), {"thresholds": [0.0, 0.3, 0.5, 1.0]}),
        ("TruePositives", (), {"thresholds": [0.0, 1.0]}),
        ("TrueNegatives", (), {"thresholds": [i / 10 for i in range(11)]}),
        ("SensitivityAtSpecificity", (0.5,), {"num_thresholds": 11}),
        ("PrecisionAtRecall", (1.0,), {"num_thresholds": 3}),
        ("RecallAtPrecision", (0.0,), {}),
    ],
)
def test_ties_with_thresholds_and_one_class_match_keras(name, args, options):
    ours = getattr(nn.metrics, name)(*args, **options)
    theirs = getattr(keras.metrics, name)(*args, **options)
    edges = _edge_batches()
    _assert_same(ours, theirs, edges[:1])  # positives only
    ours.reset_state()
    theirs.reset_state()
    _assert_same(ours, theirs, edges[1:2])  # negatives only: no positives, rates 0
    _assert_same(ours, theirs, edges[2:])


def test_buckets_count_as_comparisons_away_from_ties():
    """The bucketed count equals the plain count p > t for predictions off the grid."""
    rng = np.random.default_rng(5)
    y_true = (rng.random((50, 2)) > 0.5).astype(np.float32)
    y_pred = (rng.integers(0, 10, (50, 2)) / 10 + 0.05).astype(np.float32)
    w = rng.random(50)
    thresholds = [i / 10 for i in range(11)]
    assert evenly_spaced(thresholds) and not evenly_spaced([0.0, 0.4, 1.0])
    names = ("true_positives", "false_positives", "true_negatives", "false_negatives")
    for multi_label in (False, True):
        args = (names, y_true, y_pred, thresholds, np.float64)
        options = dict(sample_weight=w, multi_label=multi_label)
        fast = confusion_counts(*args, evenly=True, **options)
        plain = confusion_counts(*args, evenly=False, **options)
        for name in names:
            np.testing.assert_allclose(fast[name], plain[name], rtol=1e-12, atol=1e-12)
        expected_tp = [((y_pred > t) * y_true * w[:, None]).sum() for t in thresholds]
        got_tp = fast["true_positives"].sum(axis=1) if multi_label else fast["true_positives"]
        np.testing.assert_allclose(got_tp, expected_tp, rtol=1e-12)


def test_top_k_keeps_the_lower_index_of_ties():
    y_true = np.array([[0, 1, 1, 0]], np.float32)
    y_pred = np.array([[0.5, 0.5, 0.5, 0.1]], np.float32)
    for k in (1, 2):
        ours, theirs = nn.metrics.Precision(top_k=k), keras.metrics.Precision(top_k=k)
        ours.update_state(y_true, y_pred)
        theirs.update_state(y_true, y_pred)
        assert float(ours.result()) == pytest.approx(float(theirs.result()))
    assert float(ours.result()) == pytest.approx(0.5)  # (indices 0 and 1) one of two


@pytest.mark.parametrize(
    ("name", "args", "options"),
    [
        ("TruePositives", (), {"thresholds": [0.2, 0.6]}),
        ("FalsePositives", (), {}),
        ("Precision", (), {"thresholds": [0.2, 0.6], "class_id": 1}),
        ("Recall", (), {"top_k": 3, "name": "r3"}),
        *((name, (value,), {"num_thresholds": 20, "class_id": 0}) for name, _, value in AT),
    ],
)
def test_config_matches_keras_and_round_trips(name, args, options):
    nn.utils.clear_session()
    keras.utils.clear_session()
    ours = getattr(nn.metrics, name)(*args, **options)
    theirs = getattr(keras.metrics, name)(*args, **options)
    assert ours.get_config() == theirs.get_config()
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    batches = _batches(4, "row")
    for metric in (ours, again):
        for y_true, y_pred, w in batches:
            metric.update_state(y_true, y_pred, sample_weight=w)
    np.testing.assert_array_equal(again.result().data, ours.result().data)


@pytest.mark.parametrize(
    ("make", "error", "argument"),
    [
        (lambda: nn.metrics.Precision(thresholds=1.5), ValueError, "thresholds"),
        (lambda: nn.metrics.Recall(thresholds=[0.2, -0.1]), ValueError, "thresholds"),
        (lambda: nn.metrics.Precision(thresholds=[]), ValueError, "thresholds"),
        (lambda: nn.metrics.Recall(thresholds="0.5"), ValueError, "thresholds"),
        (lambda: nn.metrics.TruePositives(thresholds=[0.5, 2]), ValueError, "thresholds"),
        (lambda: nn.metrics.Precision(top_k=0), ValueError, "top_k"),
        (lambda: nn.metrics.Recall(top_k=1.5), TypeError, "top_k"),
        (lambda: nn.metrics.Precision(class_id="1"), ValueError, "class_id"),
        (lambda: nn.metrics.PrecisionAtRecall(1.2), ValueError, "recall"),
        (lambda: nn.metrics.RecallAtPrecision(-0.1), ValueError, "precision"),
        (lambda: nn.metrics.SensitivityAtSpecificity(2), ValueError, "specificity"),
        (lambda: nn.metrics.SpecificityAtSensitivity(-1), ValueError, "sensitivity"),
        (lambda: nn.metrics.PrecisionAtRecall(0.5, num_thresholds=0), ValueError, "num_thresholds"),
        (lambda: nn.metrics.RecallAtPrecision(0.5, num_thresholds=2.5), TypeError, "num_thresh"),
    ],
)
def test_bad_arguments_name_the_argument(make, error, argument):
    with pytest.raises(error, match=argument):
        make()


def test_class_id_needs_columns():
    metric = nn.metrics.Precision(class_id=0)
    with pytest.raises(ValueError, match="class_id"):
        metric.update_state(np.ones(4), np.full(4, 0.7))


@pytest.mark.parametrize(
    ("given", "cls"),
    [
        ("precision", "Precision"),
        ("Recall", "Recall"),
        ("true_positives", "TruePositives"),
        ("FalseNegatives", "FalseNegatives"),
        ("true_negatives", "TrueNegatives"),
        ("false_positives", "FalsePositives"),
    ],
)
def test_names_in_compile_make_the_class_named_as_given(given, cls):
    name, metric = nn.metrics.get(given)
    assert name == metric.name == given
    assert type(metric) is getattr(nn.metrics, cls)
    assert type(keras.metrics.get(given)).__name__ == cls
