"""`compile(weighted_metrics=...)` in fit and evaluate, and AUC / precision in fit,
against Keras 3's History and evaluate."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import nn
from nn import metrics, weighted_metrics

keras = pytest.importorskip("keras")


def _data(n=45, classes=None, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    if classes is None:
        y = ((x[:, 0] + rng.normal(size=n)) > 0).astype(np.float32)
    else:
        y = rng.integers(0, classes, size=n)
    return x, y, (rng.random(n) * 2).astype(np.float32)


def _pair(out, activation, loss, make_metrics):
    """The same network in Keras and here, compiled alike; `make_metrics(lib)` gives
    (metrics, weighted_metrics) made with that library's classes."""
    nn.utils.clear_session()
    keras.utils.clear_session()
    theirs = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(6, activation="tanh"),
            keras.layers.Dense(out, activation=activation),
        ]
    )
    ours = nn.Sequential(
        [nn.Input((3,)), nn.Dense(6, activation="tanh"), nn.Dense(out, activation=activation)]
    )
    ours.set_weights(theirs.get_weights())
    for model, lib in ((theirs, keras), (ours, nn)):
        plain, weighted = make_metrics(lib)
        model.compile(
            optimizer=lib.optimizers.SGD(0.1),
            loss=loss,
            metrics=plain,
            weighted_metrics=weighted,
        )
    return ours, theirs


def _same(ours, theirs):
    assert set(ours) == set(theirs)  # the same names
    for key, values in theirs.items():
        np.testing.assert_allclose(ours[key], values, rtol=1e-5, atol=2e-6, err_msg=key)


def _binary_metrics(lib):
    plain = ["accuracy", lib.metrics.AUC(), "precision"]
    weighted = ["accuracy", "auc", lib.metrics.Recall(thresholds=[0.3, 0.6]), "mse"]
    return plain, weighted


@pytest.mark.parametrize("weighting", ["sample_weight", "class_weight", None])
def test_fit_history_with_auc_precision_and_weighted_metrics_matches_keras(weighting):
    x, y, w = _data()
    ours, theirs = _pair(1, "sigmoid", "binary_crossentropy", _binary_metrics)
    args = dict(batch_size=8, epochs=4, shuffle=False, verbose=0)
    if weighting == "sample_weight":
        args.update(sample_weight=w, validation_data=(x[:20], y[:20], w[:20]))
    elif weighting == "class_weight":
        args.update(class_weight={0: 0.4, 1: 2.5}, validation_data=(x[:20], y[:20]))
    else:
        args.update(validation_split=0.2)
    history, keras_history = ours.fit(x, y, **args), theirs.fit(x, y, **args)
    assert {"weighted_accuracy", "weighted_auc", "val_weighted_auc", "recall"} <= set(
        history.history
    )
    _same(history.history, keras_history.history)
    assert ours.metrics_names == [
        "loss",
        "accuracy",
        "auc",
        "precision",
        "weighted_accuracy",
        "weighted_auc",
        "recall",
        "mse",
    ]
    got = ours.evaluate(x, y, sample_weight=w, batch_size=7, verbose=0, return_dict=True)
    want = theirs.evaluate(x, y, sample_weight=w, batch_size=7, verbose=0, return_dict=True)
    _same(got, want)
    values = ours.evaluate(x, y, sample_weight=w, batch_size=7, verbose=0)
    assert len(values) == len(ours.metrics_names)
    for value, name in zip(values, ours.metrics_names):
        np.testing.assert_array_equal(value, got[name], err_msg=name)


@pytest.mark.parametrize("sparse", [True, False])
def test_weighted_metrics_of_a_softmax_model_match_keras(sparse):
    x, _, w = _data(seed=1)
    labels = np.random.default_rng(2).integers(0, 3, size=len(x))
    if sparse:
        y, loss = labels, "sparse_categorical_crossentropy"
        pick = lambda lib: (["accuracy"], ["accuracy", "acc"])  # noqa: E731
    else:
        y, loss = np.eye(3, dtype=np.float32)[labels], "categorical_crossentropy"
        pick = lambda lib: (  # noqa: E731
            ["accuracy"],
            ["accuracy", "mae", lib.metrics.AUC(multi_label=True, name="ml")],
        )
    ours, theirs = _pair(3, "softmax", loss, pick)
    args = dict(batch_size=10, epochs=3, shuffle=False, verbose=0, sample_weight=w)
    _same(ours.fit(x, y, **args).history, theirs.fit(x, y, **args).history)


def test_weighted_metrics_equal_unweighted_ones_without_weights():
    x, y, _ = _data(seed=3)
    ours, _ = _pair(1, "sigmoid", "binary_crossentropy", lambda lib: (["accuracy"], ["accuracy"]))
    logs = ours.fit(x, y, batch_size=9, epochs=2, verbose=0).history
    np.testing.assert_allclose(logs["weighted_accuracy"], logs["accuracy"], rtol=1e-6)


def test_running_weights_each_sample_by_hand():
    rng = np.random.default_rng(4)
    batches = [(rng.integers(0, 2, (n, 1)), rng.random((n, 1)), rng.random(n)) for n in (5, 8, 1)]

    def largest(y_true, y_pred):  # one value per batch: stands for each of its samples
        assert isinstance(y_true, np.ndarray) and isinstance(y_pred, np.ndarray)
        return float(np.abs(y_pred - y_true).max())

    weighted = weighted_metrics.resolve(["acc", "mae", largest, "precision"])
    running = metrics.Running(metrics.resolve(["acc"]), weighted=weighted)
    assert running.names == ["loss", "acc", "weighted_acc", "mae", "largest", "precision"]
    for y_true, y_pred, w in batches:
        running.add(len(w), 0.0, y_true, y_pred, w)
    got = running.means()
    y = np.concatenate([b[0] for b in batches])[:, 0]
    p = np.concatenate([b[1] for b in batches])[:, 0]
    w = np.concatenate([b[2] for b in batches])
    hits = ((p > 0.5) == y).astype(float)
    assert got["acc"] == pytest.approx(hits.mean())
    assert got["weighted_acc"] == pytest.approx(np.sum(w * hits) / w.sum(), rel=1e-6)
    assert got["mae"] == pytest.approx(np.sum(w * np.abs(p - y)) / w.sum(), rel=1e-6)
    per_batch = sum(largest(b[0], b[1]) * b[2].sum() for b in batches) / w.sum()
    assert got["largest"] == pytest.approx(per_batch, rel=1e-6)
    positive = p > 0.5
    precision = np.sum(w * positive * y) / np.sum(w * positive)
    assert got["precision"] == pytest.approx(precision, rel=1e-6)


def test_report_names_follow_keras():
    names = metrics.report_names(["acc", "auc", "acc"], ["acc", "acc", "auc", "mse", "acc_1"])
    assert names == [
        "acc",
        "auc",
        "acc_1",
        "weighted_acc",
        "weighted_acc_1",
        "weighted_auc",
        "mse",
        "acc_1",  # as Keras: a numbered name is not counted, so this one repeats it
    ]


def test_accuracy_on_keras_logits_thresholds_at_half_as_keras():
    """Keras's "accuracy" beside `BinaryCrossentropy(from_logits=True)` counts a logit
    above 0.5 as class 1 (not above 0): the same numbers here, weighted or not."""
    keras = pytest.importorskip("keras")
    x, y, w = _data(seed=5)
    ours = nn.Sequential([nn.Input((3,)), nn.Dense(1)])
    ours.compile(
        "sgd",
        nn.losses.BinaryCrossentropy(from_logits=True),
        metrics=["accuracy"],
        weighted_metrics=["acc"],
    )
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    theirs.set_weights(ours.get_weights())
    theirs.compile(
        "sgd",
        keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=["accuracy"],
        weighted_metrics=["acc"],
    )
    got = ours.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    want = theirs.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    scores = ours.predict(x, verbose=0)[:, 0]
    assert ((scores > 0) != (scores > 0.5)).any()  # the two thresholds differ on this data
    for key in ("accuracy", "acc"):
        assert got[key] == pytest.approx(float(want[key]), rel=1e-6)


def test_accuracy_on_a_pytorch_logits_loss_thresholds_at_zero():
    x, y, w = _data(seed=5)
    model = nn.Sequential([nn.Input((3,)), nn.Dense(1)])
    model.compile("sgd", nn.BCEWithLogitsLoss(), weighted_metrics=["acc"])
    got = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    scores = model.predict(x, verbose=0)[:, 0]
    hits = (scores > 0) == (y > 0.5)
    assert got["acc"] == pytest.approx(np.sum(w * hits) / w.sum(), rel=1e-6)


def test_bad_weighted_metrics_are_refused_by_name():
    model = nn.Sequential([nn.Input((3,)), nn.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="weighted_metrics"):
        model.compile("sgd", "binary_crossentropy", weighted_metrics="accuracy")
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile("sgd", "binary_crossentropy", weighted_metrics=["accuracyy"])
    a = nn.Input((3,))
    two = nn.Model(a, [nn.Dense(1, name="p")(a), nn.Dense(1, name="q")(a)])
    with pytest.raises(ValueError, match="weighted_metrics"):
        two.compile("sgd", "mse", weighted_metrics=["mae"])
    one = nn.Model(a, nn.Dense(1, activation="sigmoid", name="o")(a))
    one.compile("sgd", "binary_crossentropy", weighted_metrics={"o": ["acc"]})
    assert one.metrics_names == ["loss", "acc"]


def test_progress_lines_show_a_metric_of_several_thresholds_by_its_mean(capsys):
    x, y, w = _data(n=12, seed=6)
    model = nn.Sequential([nn.Input((3,)), nn.Dense(1, activation="sigmoid")])
    recall = nn.metrics.Recall(thresholds=[0.3, 0.6])
    model.compile("sgd", "binary_crossentropy", metrics=[recall], weighted_metrics=["auc"])
    history = model.fit(x, y, epochs=1, verbose=2, sample_weight=w)
    line = capsys.readouterr().out
    assert f"recall: {np.mean(history.history['recall'][0]):.4f}" in line
    assert f"auc: {history.history['auc'][0]:.4f}" in line
    for verbose in (1, 2):
        model.fit(x, y, epochs=1, verbose=verbose)
        model.evaluate(x, y, verbose=verbose)


def _two_outputs(k):
    """A functional model with two named outputs, `a` and `b`."""
    inputs = k.Input((3,))
    hidden = k.layers.Dense(4, activation="relu", name="hidden")(inputs)
    outputs = [k.layers.Dense(1, name="a")(hidden), k.layers.Dense(2, name="b")(hidden)]
    return k.Model(inputs, outputs)


@pytest.mark.parametrize(
    "compile_args",
    [
        {"weighted_metrics": ["mae", ["mse"]]},
        {"weighted_metrics": {"a": ["mae"], "b": ["mse", "mae"]}},
        {"metrics": [["mae"], ["mae"]], "weighted_metrics": [["mae"], ["mae"]]},
        {"weighted_metrics": [["mae"], None]},
    ],
    ids=["list", "dict", "also_unweighted", "one_output_only"],
)
def test_weighted_metrics_per_output_match_keras(compile_args):
    """Keras takes `weighted_metrics` per output as `metrics` (a list with one entry per
    output, or a dict by output name), names them `<output>_<metric>` (with
    `weighted_` before the metric where an unweighted one has its name) and weighs
    them by the sample weights."""
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = [rng.normal(size=(40, 1)).astype("float32"), rng.normal(size=(40, 2)).astype("float32")]
    w = rng.uniform(0.1, 2.0, size=40).astype("float32")
    keras.utils.set_random_seed(0)
    models = {k: _two_outputs(k) for k in (keras, nn)}
    models[nn].set_weights(models[keras].get_weights())
    history, results, scores = {}, {}, {}
    for k, model in models.items():
        model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05), loss="mse", **compile_args)
        history[k] = model.fit(
            x, y, sample_weight=w, epochs=2, batch_size=16, shuffle=False, verbose=0
        )
        results[k] = model.evaluate(x, y, sample_weight=w, verbose=0)
        scores[k] = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(history[nn].history) == list(history[keras].history)
    for key, values in history[keras].history.items():
        np.testing.assert_allclose(history[nn].history[key], values, rtol=2e-5, err_msg=key)
    np.testing.assert_allclose(results[nn], results[keras], rtol=2e-5)
    assert scores[nn] == pytest.approx(scores[keras], rel=2e-5)


def test_weighted_metrics_of_unnamed_outputs_are_refused():
    class TwoHeads(nn.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Dense(1), nn.Dense(1)

        def call(self, inputs):
            return self.a(inputs), self.b(inputs)

    model = TwoHeads()
    model.compile(optimizer="sgd", loss="mse", weighted_metrics=[["mae"], ["mae"]])
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    with pytest.raises(ValueError, match="needs named outputs"):
        model.fit(x, (y, y), verbose=0)
