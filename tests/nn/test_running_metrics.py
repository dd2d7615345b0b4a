"""`nn.metrics.Running`: the running means `fit` and `evaluate` report."""

import numpy as np
import pytest

from nn import metrics


def _batches(seed=0, regression=False):
    rng = np.random.default_rng(seed)
    sizes = [32, 32, 7, 32, 1, 20]  # unequal, as the last batch of an epoch is
    if regression:
        return [(rng.normal(size=(n, 3)), rng.normal(size=(n, 3))) for n in sizes]
    return [(rng.integers(0, 4, n), rng.normal(size=(n, 4))) for n in sizes]


def _weighted_mean(fn, batches):
    return sum(fn(y, p) * len(y) for y, p in batches) / sum(len(y) for y, _ in batches)


@pytest.mark.parametrize("rows", [1, 50, 10_000])
@pytest.mark.parametrize("names", [["accuracy"], ["mae", "mse"]])
def test_stacked_metrics_equal_the_batch_weighted_mean(rows, names):
    batches = _batches(regression=names != ["accuracy"])
    resolved = metrics.resolve(names)
    running = metrics.Running(resolved, rows=rows)
    losses = [0.5, 0.25, 2.0, 1.0, 3.0, 0.75]
    for (y, p), loss in zip(batches, losses):
        running.add(len(y), loss, y, p)
    got = running.means()
    n = [len(y) for y, _ in batches]
    assert got["loss"] == pytest.approx(np.dot(losses, n) / sum(n))
    for name, fn in resolved:
        assert got[name] == pytest.approx(_weighted_mean(fn, batches), rel=1e-12), name
    assert all(type(v) is float for v in got.values())  # plain numbers in History, as Keras


def test_custom_metrics_are_called_on_each_batch():
    calls = []

    def largest_error(y_true, y_pred):  # not a per-sample mean: must see single batches
        calls.append(len(y_true))
        return float(np.abs(y_pred.argmax(1) - y_true).max())

    batches = _batches(1)
    running = metrics.Running(metrics.resolve([largest_error, "accuracy"]))
    for y, p in batches:
        running.add(len(y), 0.0, y, p)
    got = running.means()
    assert calls == [len(y) for y, _ in batches]
    assert got["largest_error"] == pytest.approx(_weighted_mean(largest_error, batches))


def test_means_can_be_read_between_batches_and_transform_applies():
    batches = _batches(2)
    running = metrics.Running(metrics.resolve(["accuracy"]), transform=lambda p: -p)
    running.add(len(batches[0][0]), 1.0, *batches[0])
    first = running.means()["accuracy"]
    assert first == metrics.accuracy(batches[0][0], -batches[0][1])
    running.add(len(batches[1][0]), 1.0, *batches[1])
    negated = [(y, -p) for y, p in batches[:2]]
    assert running.means()["accuracy"] == pytest.approx(_weighted_mean(metrics.accuracy, negated))


def test_no_batches_gives_zeros():
    assert metrics.Running(metrics.resolve(["accuracy"])).means() == {"loss": 0.0, "accuracy": 0.0}
