"""Keras 3's other losses (`nn.losses_more`, exported by `nn.losses`) against Keras's
own, number by number: the classes in every reduction with and without sample weights,
the functions, their gradients, configs, names in `compile`, `fit` and saving."""

import os

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

os.environ.setdefault("KERAS_BACKEND", "jax")

REDUCTIONS = ["sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight"]

#: (class name, options, kind of data)
CASES = [
    ("Hinge", {}, "signs"),
    ("Hinge", {}, "pm1"),
    ("SquaredHinge", {}, "signs"),
    ("CategoricalHinge", {}, "onehot"),
    ("KLDivergence", {}, "probs"),
    ("Poisson", {}, "counts"),
    ("LogCosh", {}, "real"),
    ("Huber", {}, "real"),
    ("Huber", {"delta": 0.3}, "real"),
    ("CosineSimilarity", {}, "real"),
    ("CosineSimilarity", {"axis": 0}, "real"),
    ("MeanAbsolutePercentageError", {}, "real"),
    ("MeanSquaredLogarithmicError", {}, "real"),
    ("BinaryFocalCrossentropy", {}, "binary"),
    (
        "BinaryFocalCrossentropy",
        {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "label_smoothing": 0.1},
        "binary",
    ),
    ("BinaryFocalCrossentropy", {"from_logits": True, "gamma": 3.0}, "binary_logits"),
    ("CategoricalFocalCrossentropy", {}, "onehot"),
    (
        "CategoricalFocalCrossentropy",
        {"alpha": 0.5, "gamma": 1.0, "label_smoothing": 0.2, "from_logits": True},
        "onehot_logits",
    ),
]

FUNCTIONS = [
    ("hinge", {}, "signs"),
    ("squared_hinge", {}, "signs"),
    ("categorical_hinge", {}, "onehot"),
    ("kl_divergence", {}, "probs"),
    ("poisson", {}, "counts"),
    ("log_cosh", {}, "real"),
    ("huber", {"delta": 0.5}, "real"),
    ("cosine_similarity", {"axis": -1}, "real"),
    ("mean_absolute_percentage_error", {}, "real"),
    ("mean_squared_logarithmic_error", {}, "real"),
    ("binary_focal_crossentropy", {"gamma": 2.5, "apply_class_balancing": True}, "binary"),
    ("categorical_focal_crossentropy", {"from_logits": True}, "onehot_logits"),
]


def data(kind, seed=0, shape=(6, 4)):
    """(y_true, y_pred) float32 arrays of one kind."""
    rng = np.random.default_rng(seed)
    real = rng.normal(size=shape).astype(np.float32)
    if kind == "real":
        return rng.normal(size=shape).astype(np.float32), real
    if kind == "signs":  # 0/1 labels, converted to -1/1
        return rng.integers(0, 2, shape).astype(np.float32), real
    if kind == "pm1":
        return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32), real
    if kind in ("onehot", "onehot_logits"):
        y = np.eye(shape[-1], dtype=np.float32)[rng.integers(0, shape[-1], shape[0])]
        p = real if kind == "onehot_logits" else _softmax(real)
        return y, p.astype(np.float32)
    if kind == "probs":
        return _softmax(rng.normal(size=shape)).astype(np.float32), _softmax(real).astype(
            np.float32
        )
    if kind == "counts":
        return rng.poisson(2.0, shape).astype(np.float32), np.exp(real).astype(np.float32)
    if kind in ("binary", "binary_logits"):
        y = rng.integers(0, 2, shape).astype(np.float32)
        p = real * 3 if kind == "binary_logits" else 1 / (1 + np.exp(-real))
        return y, p.astype(np.float32)
    raise ValueError(kind)


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def close(ours, theirs, rtol=2e-5, atol=2e-6):
    ours = ours.data if isinstance(ours, Tensor) else ours
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=rtol, atol=atol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, options, kind", CASES)
def test_loss_classes_match_keras_in_every_reduction(name, options, kind, reduction):
    keras = pytest.importorskip("keras")
    y_true, y_pred = data(kind)
    ours = getattr(nn.losses, name)(reduction=reduction, **options)
    theirs = getattr(keras.losses, name)(reduction=reduction, **options)
    close(ours(y_true, y_pred), theirs(y_true, y_pred))
    weights = np.random.default_rng(1).random(len(y_true)).astype(np.float32)
    if options.get("axis") == 0:  # one value per column: the weights go per column
        weights = weights[: y_true.shape[1]]
    close(
        ours(y_true, y_pred, sample_weight=weights), theirs(y_true, y_pred, sample_weight=weights)
    )
    column = weights[:, None]  # (N, 1) weights of (N,) values
    close(ours(y_true, y_pred, sample_weight=column), theirs(y_true, y_pred, sample_weight=column))


@pytest.mark.parametrize("name, options, kind", FUNCTIONS)
def test_loss_functions_give_keras_values_per_sample(name, options, kind):
    keras = pytest.importorskip("keras")
    for seed in range(3):
        y_true, y_pred = data(kind, seed)
        ours = getattr(nn.losses, name)(y_true, y_pred, **options)
        assert ours.shape == (len(y_true),)
        close(ours, getattr(keras.losses, name)(y_true, y_pred, **options))


@pytest.mark.parametrize(
    "name, y_true, y_pred, options",
    [
        ("Hinge", np.zeros((3, 2)), np.zeros((3, 2)), {}),
        ("SquaredHinge", np.ones((3, 2)), np.full((3, 2), 5.0), {}),
        ("CategoricalHinge", np.zeros((3, 2)), np.zeros((3, 2)), {}),
        ("KLDivergence", np.eye(3), np.eye(3), {}),
        ("KLDivergence", np.zeros((2, 3)), np.zeros((2, 3)), {}),
        ("Poisson", np.zeros((2, 3)), np.zeros((2, 3)), {}),
        ("LogCosh", np.ones((2, 3)), np.ones((2, 3)), {}),
        ("LogCosh", np.zeros((2, 3)), np.full((2, 3), 80.0), {}),
        ("Huber", np.ones((2, 3)), np.ones((2, 3)), {}),
        ("CosineSimilarity", np.zeros((2, 3)), np.zeros((2, 3)), {}),
        ("CosineSimilarity", np.ones((2, 3)), np.ones((2, 3)), {}),
        ("MeanAbsolutePercentageError", np.zeros((2, 3)), np.ones((2, 3)), {}),
        ("MeanSquaredLogarithmicError", np.zeros((2, 3)), -np.ones((2, 3)), {}),
        ("BinaryFocalCrossentropy", np.eye(3), np.eye(3), {}),
        ("BinaryFocalCrossentropy", np.eye(3), 200 * (np.eye(3) - 0.5), {"from_logits": True}),
        ("BinaryFocalCrossentropy", np.eye(3), -200 * (np.eye(3) - 0.5), {"from_logits": True}),
        ("CategoricalFocalCrossentropy", np.eye(3), np.eye(3), {}),
        (
            "CategoricalFocalCrossentropy",
            np.eye(3),
            300 * np.eye(3)[::-1],
            {"from_logits": True},
        ),
    ],
)
def test_edge_cases_match_keras(name, y_true, y_pred, options):
    keras = pytest.importorskip("keras")
    y_true, y_pred = y_true.astype(np.float32), y_pred.astype(np.float32)
    for reduction in ("none", "sum"):
        ours = getattr(nn.losses, name)(reduction=reduction, **options)(y_true, y_pred)
        theirs = getattr(keras.losses, name)(reduction=reduction, **options)(y_true, y_pred)
        assert np.all(np.isfinite(ours.data))
        close(ours, theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name, options, kind", FUNCTIONS)
def test_loss_functions_have_the_gradient_of_their_values(name, options, kind):
    y_true, y_pred = data(kind, seed=4, shape=(3, 4))
    if name == "huber":  # keep the errors away from |d| = delta, where the slope jumps
        y_pred = y_pred + np.where(np.abs(y_pred - y_true - 0.5) < 0.05, 0.2, 0.0)
    fn = getattr(nn.losses, name)
    x = Tensor(y_pred.astype(np.float64), requires_grad=True)
    assert autograd.gradcheck(lambda p: fn(y_true.astype(np.float64), p, **options).sum(), (x,))


def test_fit_trains_with_a_loss_class_as_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    y = (x[:, :1] + x[:, 1:2] > 0).astype(np.float32)
    histories = []
    for lib in (keras, nn):
        keras.utils.set_random_seed(0)
        theirs = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])
        model = theirs if lib is keras else nn.Sequential([nn.Dense(1, input_shape=(5,))])
        if lib is nn:
            model.set_weights(theirs.get_weights())
        model.compile(
            optimizer="sgd",
            loss=lib.losses.BinaryFocalCrossentropy(from_logits=True, gamma=1.0),
            metrics=["hinge", "poisson"],
        )
        hist = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
        histories.append((hist.history, model.get_weights()))
    (k_hist, k_weights), (o_hist, o_weights) = histories
    assert sorted(o_hist) == sorted(k_hist)
    for key in k_hist:
        np.testing.assert_allclose(o_hist[key], k_hist[key], rtol=1e-4, atol=1e-6)
    for a, b in zip(o_weights, k_weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "loss",
    ["hinge", "squared_hinge", "kl_divergence", "kld", "poisson", "log_cosh", "mape", "msle"],
)
def test_compile_takes_keras_names_and_evaluates_as_keras(loss):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(2)
    x = rng.random((16, 3)).astype(np.float32)
    y = rng.random((16, 2)).astype(np.float32)
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, "softmax")])
    ours = nn.Sequential([nn.Dense(2, activation="softmax", input_shape=(3,))])
    ours.set_weights(theirs.get_weights())
    theirs.compile(loss=loss)
    ours.compile(loss=loss)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(
        theirs.evaluate(x, y, verbose=0), rel=1e-5
    )


@pytest.mark.parametrize("name, options, _kind", CASES)
def test_get_config_has_keras_entries_and_rebuilds_the_loss(name, options, _kind):
    keras = pytest.importorskip("keras")
    ours = getattr(nn.losses, name)(reduction="sum", **options)
    theirs = getattr(keras.losses, name)(reduction="sum", **options).get_config()
    config = ours.get_config()
    assert {k: v for k, v in config.items() if k in theirs} == theirs
    again = type(ours).from_config(config)
    y_true, y_pred = data(_kind)
    close(again(y_true, y_pred), ours(y_true, y_pred))


def test_serialize_and_deserialize_as_keras():
    keras = pytest.importorskip("keras")
    ours = nn.losses.serialize(nn.losses.BinaryFocalCrossentropy(gamma=3.0))
    theirs = keras.losses.serialize(keras.losses.BinaryFocalCrossentropy(gamma=3.0))
    assert {k: v for k, v in ours.items() if k != "config"} == {
        k: v for k, v in theirs.items() if k != "config"
    }
    assert nn.losses.deserialize(ours).get_config() == ours["config"]
    assert nn.losses.serialize(nn.losses.hinge) == keras.losses.serialize(keras.losses.hinge)
    assert nn.losses.deserialize("hinge") is nn.losses.hinge
    assert isinstance(nn.losses.deserialize({"class_name": "Hinge", "config": {}}), nn.losses.Hinge)
    with pytest.raises(ValueError, match="unknown loss 'nope'"):
        nn.losses.deserialize("nope")


def test_unknown_reduction_and_bad_axis_are_refused():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.losses.Hinge(reduction="avg")
    with pytest.raises(ValueError, match="axis"):
        nn.losses.BinaryFocalCrossentropy(axis=True)


def test_saved_model_with_a_focal_loss_loads_with_it(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(12, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 12)]
    model = nn.Sequential([nn.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(
        optimizer="adam",
        loss=nn.losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, reduction="sum"),
        metrics=["categorical_hinge"],
    )
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "focal.keras"
    model.save(path)
    loaded = nn.load_model(path)
    loss = loaded.loss
    assert isinstance(loss, nn.losses.CategoricalFocalCrossentropy)
    assert loss.get_config() == model.loss.get_config()
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_get_takes_keras_class_names_configs_and_classes():
    keras = pytest.importorskip("keras")
    for identifier in ("Huber", "MeanSquaredError", "SparseCategoricalCrossentropy"):
        ours = nn.losses.get(identifier)
        assert type(ours).__name__ == type(keras.losses.get(identifier)).__name__
    config = {"class_name": "Huber", "config": {"delta": 0.5}}
    assert nn.losses.get(config).get_config()["delta"] == 0.5
    assert isinstance(nn.losses.get(nn.losses.Poisson), nn.losses.Poisson)
    with pytest.raises(ValueError, match="unknown loss 'Nope'"):
        nn.losses.get("Nope")
