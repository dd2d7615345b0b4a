"""Keras 3's other metrics (`nn.metrics_more`, exported by `nn.metrics`) against Keras's
own, number by number: several `update_state` calls with sample weights, `reset_state`,
configs, the metric functions, `compile`/`fit`/`evaluate` and saving."""

import os

import numpy as np
import pytest

import nn

os.environ.setdefault("KERAS_BACKEND", "jax")


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def data(kind, seed, n=8, c=4):
    """(y_true, y_pred) float32 arrays of one kind, for one batch."""
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(n, c)).astype(np.float32)
    labels = rng.integers(0, c, n)
    if kind == "real":
        return rng.normal(size=(n, c)).astype(np.float32), real
    if kind == "positive":
        return rng.random((n, c)).astype(np.float32) * 3, np.exp(real).astype(np.float32)
    if kind == "onehot":
        return np.eye(c, dtype=np.float32)[labels], _softmax(real).astype(np.float32)
    if kind == "onehot_logits":
        return np.eye(c, dtype=np.float32)[labels], real
    if kind == "sparse":
        return labels.astype(np.float32), _softmax(real).astype(np.float32)
    if kind == "sparse_logits":
        return labels.astype(np.int64), real
    if kind == "ties":  # rounded scores: many ties at the k-th place
        return labels.astype(np.int64), np.round(real).astype(np.float32)
    if kind == "onehot_ties":
        return np.eye(c, dtype=np.float32)[labels], np.round(real).astype(np.float32)
    if kind == "binary":
        y = rng.integers(0, 2, (n, c)).astype(np.float32)
        return y, (1 / (1 + np.exp(-real))).astype(np.float32)
    if kind == "multilabel":
        return rng.integers(0, 2, (n, c)).astype(np.float32), rng.random((n, c)).astype(np.float32)
    if kind == "probs":
        return _softmax(rng.normal(size=(n, c))).astype(np.float32), _softmax(real).astype(
            np.float32
        )
    raise ValueError(kind)


#: (class name, options, kind of data)
CASES = [
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "real"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "onehot_logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "sparse"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 0, "from_logits": True}, "sparse_logits"),
    ("Hinge", {}, "binary"),
    ("SquaredHinge", {}, "real"),
    ("CategoricalHinge", {}, "onehot"),
    ("KLDivergence", {}, "probs"),
    ("LogCoshError", {}, "real"),
    ("MeanAbsolutePercentageError", {}, "real"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("Poisson", {}, "positive"),
    ("CosineSimilarity", {}, "real"),
    ("CosineSimilarity", {"axis": 0}, "real"),
    ("TopKCategoricalAccuracy", {}, "onehot"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot_ties"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse_logits"),
    ("SparseTopKCategoricalAccuracy", {"k": 1}, "ties"),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "ties"),
    ("R2Score", {}, "real"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "real"),
    ("R2Score", {"class_aggregation": None}, "real"),
    ("R2Score", {"num_regressors": 3}, "real"),
    ("F1Score", {}, "multilabel"),
    ("F1Score", {"average": "micro", "threshold": 0.5}, "multilabel"),
    ("F1Score", {"average": "macro", "threshold": 0.3}, "multilabel"),
    ("F1Score", {"average": "weighted"}, "onehot"),
    ("FBetaScore", {"beta": 2.0, "average": "macro"}, "multilabel"),
    ("FBetaScore", {"beta": 0.5, "threshold": 0.6}, "multilabel"),
    ("PearsonCorrelation", {}, "real"),
    ("PearsonCorrelation", {"axis": 0}, "real"),
    ("ConcordanceCorrelation", {}, "real"),
]


def close(ours, theirs, rtol=2e-5, atol=2e-6):
    np.testing.assert_allclose(
        np.asarray(getattr(ours, "data", ours)), np.asarray(theirs), rtol=rtol, atol=atol
    )


@pytest.mark.parametrize("name, options, kind", CASES)
def test_metric_follows_keras_over_weighted_updates_and_resets(name, options, kind):
    keras = pytest.importorskip("keras")
    ours = getattr(nn.metrics, name)(**options)
    theirs = getattr(keras.metrics, name)(**options)
    assert ours.name == theirs.name
    for seed in range(3):
        y_true, y_pred = data(kind, seed)
        weights = np.random.default_rng(10 + seed).random(len(y_true)).astype(np.float32)
        if options.get("axis") == 0:
            weights = weights[: y_true.shape[1]]
        weights = None if seed == 1 else weights  # an unweighted batch between weighted ones
        ours.update_state(y_true, y_pred, sample_weight=weights)
        theirs.update_state(y_true, y_pred, sample_weight=weights)
        close(ours.result(), theirs.result())
    ours.reset_state()
    theirs.reset_state()
    close(ours.result(), theirs.result())
    y_true, y_pred = data(kind, 7)
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    close(ours.result(), theirs.result())


@pytest.mark.parametrize("name, options, _kind", CASES)
def test_get_config_is_keras_and_rebuilds_the_metric(name, options, _kind):
    keras = pytest.importorskip("keras")
    ours = getattr(nn.metrics, name)(**options)
    theirs = getattr(keras.metrics, name)(**options).get_config()
    config = ours.get_config()
    if name == "CosineSimilarity":  # Keras's leaves axis out; ours keeps it
        assert config.pop("axis") == options.get("axis", -1)
    assert config == theirs
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()


def test_sum_matches_keras():
    keras = pytest.importorskip("keras")
    ours, theirs = nn.metrics.Sum(), keras.metrics.Sum()
    rng = np.random.default_rng(0)
    for values, weights in [
        (rng.normal(size=(5,)), None),
        (rng.normal(size=(4, 3)), rng.random(4)),
        (rng.normal(size=(3, 2)), rng.random((3, 1))),
        (np.float32(2.5), None),
    ]:
        ours.update_state(values, sample_weight=weights)
        theirs.update_state(values, sample_weight=weights)
        close(ours.result(), theirs.result())
    assert ours.name == theirs.name == "sum"
    ours.reset_state()
    assert float(ours.result().data) == 0.0


@pytest.mark.parametrize(
    "name, options, kind",
    [
        ("top_k_categorical_accuracy", {"k": 2}, "onehot_ties"),
        ("sparse_top_k_categorical_accuracy", {"k": 2}, "ties"),
        ("sparse_top_k_categorical_accuracy", {}, "sparse_logits"),
        ("binary_accuracy", {}, "binary"),
        ("categorical_accuracy", {}, "onehot"),
        ("sparse_categorical_accuracy", {}, "sparse"),
        ("binary_crossentropy", {"label_smoothing": 0.3}, "binary"),
        ("categorical_crossentropy", {"label_smoothing": 0.3}, "onehot"),
        ("sparse_categorical_crossentropy", {"from_logits": True}, "sparse_logits"),
        ("sparse_categorical_crossentropy", {"ignore_class": 2}, "sparse_logits"),
        ("pearson_correlation", {}, "real"),
        ("concordance_correlation", {"axis": 0}, "real"),
        ("kl_divergence", {}, "probs"),
        ("poisson", {}, "positive"),
        ("hinge", {}, "binary"),
        ("huber", {"delta": 0.5}, "real"),
        ("log_cosh", {}, "real"),
    ],
)
def test_metric_functions_give_keras_values(name, options, kind):
    keras = pytest.importorskip("keras")
    y_true, y_pred = data(kind, 3)
    if name == "sparse_categorical_crossentropy" and not options.get("from_logits"):
        y_pred = _softmax(y_pred).astype(np.float32)
    close(
        getattr(nn.metrics, name)(y_true, y_pred, **options),
        getattr(keras.metrics, name)(y_true, y_pred, **options),
    )


def test_sparse_top_k_from_sorted_ids_matches_keras():
    keras = pytest.importorskip("keras")
    y_true = np.array([3, 1, 0, 2])
    ids = np.array([[3, 0, 1], [0, 2, 1], [1, 2, 3], [2, 1, 0]], dtype=np.float32)
    for k in (1, 2, 3):
        ours = nn.metrics.sparse_top_k_categorical_accuracy(y_true, ids, k, from_sorted_ids=True)
        theirs = keras.metrics.sparse_top_k_categorical_accuracy(
            y_true, ids, k, from_sorted_ids=True
        )
        close(ours, theirs)


def test_invalid_options_are_refused_as_keras_refuses_them():
    with pytest.raises(ValueError, match="average"):
        nn.metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="beta"):
        nn.metrics.FBetaScore(beta=1)
    with pytest.raises(ValueError, match="threshold"):
        nn.metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="class_aggregation"):
        nn.metrics.R2Score(class_aggregation="sum")
    with pytest.raises(ValueError, match="num_regressors"):
        nn.metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match="2D inputs"):
        nn.metrics.R2Score().update_state(np.zeros(3), np.zeros(3))


def _models(keras, classes=3, features=5):
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(
        [
            keras.Input(shape=(features,)),
            keras.layers.Dense(6, activation="relu"),
            keras.layers.Dense(classes, activation="softmax"),
        ]
    )
    ours = nn.Sequential(
        [
            nn.Dense(6, activation="relu", input_shape=(features,)),
            nn.Dense(classes, activation="softmax"),
        ]
    )
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def test_compile_fit_evaluate_with_metric_names_and_objects_as_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 5)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)]
    ours, theirs = _models(keras)
    metric_lists = []
    for lib in (nn, keras):
        metric_lists.append(
            [
                "top_k_categorical_accuracy",
                "kl_divergence",
                "poisson",
                "hinge",
                "categorical_crossentropy",
                lib.metrics.TopKCategoricalAccuracy(k=1, name="top1"),
                lib.metrics.F1Score(average="macro"),
                lib.metrics.R2Score(),
                lib.metrics.CategoricalHinge(),
            ]
        )
    ours.compile(optimizer="adam", loss="categorical_crossentropy", metrics=metric_lists[0])
    theirs.compile(optimizer="adam", loss="categorical_crossentropy", metrics=metric_lists[1])
    o_hist = ours.fit(
        x, y, epochs=2, batch_size=16, shuffle=False, verbose=0, validation_split=0.25
    )
    k_hist = theirs.fit(
        x, y, epochs=2, batch_size=16, shuffle=False, verbose=0, validation_split=0.25
    )
    assert list(o_hist.history) == list(k_hist.history)
    for key, values in k_hist.history.items():
        np.testing.assert_allclose(o_hist.history[key], values, rtol=2e-4, atol=1e-5, err_msg=key)
    o_eval = ours.evaluate(x, y, verbose=0, return_dict=True)
    k_eval = theirs.evaluate(x, y, verbose=0, return_dict=True)
    assert list(o_eval) == list(k_eval)
    for key, value in k_eval.items():
        assert o_eval[key] == pytest.approx(value, rel=2e-4, abs=1e-5), key


def test_weighted_metrics_take_sample_weights_as_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 5)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    w = rng.random(32).astype(np.float32)
    ours, theirs = _models(keras)
    ours.compile(
        loss="sparse_categorical_crossentropy",
        weighted_metrics=["sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy"],
    )
    theirs.compile(
        loss="sparse_categorical_crossentropy",
        weighted_metrics=["sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy"],
    )
    o_eval = ours.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    k_eval = theirs.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    assert list(o_eval) == list(k_eval)
    for key, value in k_eval.items():
        assert o_eval[key] == pytest.approx(value, rel=2e-5, abs=1e-6), key


def test_saved_model_keeps_its_metrics(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(20, 5)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 20)]
    model = nn.Sequential([nn.Dense(3, activation="softmax", input_shape=(5,))])
    model.compile(
        optimizer="adam",
        loss=nn.losses.KLDivergence(),
        metrics=[
            "squared_hinge",
            nn.metrics.FBetaScore(beta=2.0, average="weighted", threshold=0.4),
            nn.metrics.TopKCategoricalAccuracy(k=2, name="top2"),
            nn.metrics.PearsonCorrelation(axis=0),
        ],
    )
    model.fit(x, y, epochs=1, verbose=0)
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    model.save(tmp_path / "m.keras")
    loaded = nn.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.loss, nn.losses.KLDivergence)
    fbeta = [m for _, m in loaded._compiled.metrics if isinstance(m, nn.metrics.FBetaScore)]
    assert fbeta and fbeta[0].get_config()["beta"] == 2.0
    after = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert list(after) == list(before)
    for key, value in before.items():
        assert after[key] == pytest.approx(value, rel=1e-6), key


def test_serialize_and_deserialize_as_keras():
    keras = pytest.importorskip("keras")
    for ours, theirs in [
        (nn.metrics.F1Score(average="macro"), keras.metrics.F1Score(average="macro")),
        (nn.metrics.TopKCategoricalAccuracy(k=3), keras.metrics.TopKCategoricalAccuracy(k=3)),
        (nn.metrics.hinge, keras.metrics.hinge),
    ]:
        assert nn.metrics.serialize(ours) == keras.metrics.serialize(theirs)
    config = nn.metrics.serialize(nn.metrics.R2Score(num_regressors=2))
    assert nn.metrics.deserialize(config).get_config()["num_regressors"] == 2
    for name in ("hinge", "Hinge", "f1_score", "log_cosh_error"):
        assert (
            type(nn.metrics.deserialize(name)).__name__
            == type(keras.metrics.deserialize(name)).__name__
        )
    assert nn.metrics.deserialize("top_k_categorical_accuracy").name == "top_k_categorical_accuracy"
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        nn.metrics.deserialize("nope")
