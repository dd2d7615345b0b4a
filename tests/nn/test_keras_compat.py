"""`compile`'s optimizer names and `fit` against Keras's own, on the same weights and data."""

import os

import numpy as np
import pytest

import nn

os.environ.setdefault("KERAS_BACKEND", "jax")


def data(n=64, features=5, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = (x @ rng.normal(size=(features, classes))).argmax(axis=1)
    return x, y


def keras_model(keras, features, classes):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input(shape=(features,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(classes, activation="softmax"),
        ]
    )


@pytest.mark.parametrize("optimizer", [None, "sgd", "adam"])  # None: the default, "rmsprop"
def test_fit_with_optimizer_name_follows_keras(optimizer):
    keras = pytest.importorskip("keras")
    x, y = data()
    theirs = keras_model(keras, 5, 3)
    ours = nn.Sequential(
        [nn.Dense(8, activation="relu", input_shape=(5,)), nn.Dense(3, activation="softmax")]
    )
    ours.set_weights(theirs.get_weights())  # Keras's layouts: kernel (in, out), then bias
    options = {} if optimizer is None else {"optimizer": optimizer}
    theirs.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"], **options)
    ours.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"], **options)
    k_hist = theirs.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    o_hist = ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(o_hist.history["loss"], k_hist.history["loss"], rtol=1e-4)
    k_loss, k_acc = theirs.evaluate(x, y, verbose=0)
    o_loss, o_acc = ours.evaluate(x, y, verbose=0)
    assert o_loss == pytest.approx(k_loss, rel=1e-4) and o_acc == pytest.approx(k_acc)


@pytest.mark.parametrize(
    "labels, num_classes",
    [
        (np.array([[3], [0], [1], [3]]), None),  # (N, 1) squeezed
        ([1, 2], 6),
        ([1, 2], 0),  # 0 counts as not given, as Keras's `if not num_classes`
        (np.array([[0, 1], [1, 1]]), None),  # any other shape gains a class axis
        (np.array([2.0, 0.0]), None),  # whole-number floats
        (np.array([1, 0], dtype=np.uint8), 3),
        (3, 5),  # a scalar
    ],
)
def test_to_categorical_matches_keras(labels, num_classes):
    keras = pytest.importorskip("keras")
    ours = nn.utils.to_categorical(labels, num_classes)
    theirs = keras.utils.to_categorical(labels, num_classes)
    assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_of_a_tensor_is_a_float32_tensor_as_keras_of_a_backend_tensor():
    keras = pytest.importorskip("keras")
    from autograd import Tensor

    ours = nn.utils.to_categorical(Tensor(np.array([0, 2])), 3)
    theirs = keras.utils.to_categorical(keras.ops.convert_to_tensor([0, 2]), 3)
    assert isinstance(ours, Tensor) and ours.dtype == theirs.dtype == np.float32
    np.testing.assert_array_equal(ours.data, np.asarray(theirs))


def test_to_categorical_refuses_labels_keras_rejects_or_misreads():
    keras = pytest.importorskip("keras")
    with pytest.raises(IndexError):
        keras.utils.to_categorical([0, 5], num_classes=3)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        nn.utils.to_categorical([0, 5], num_classes=3)
    # Keras wraps -1 round to the last class without a word; a label error here.
    assert keras.utils.to_categorical([-1, 0], num_classes=3)[0, 2] == 1
    with pytest.raises(ValueError, match=r"from -1 to 0"):
        nn.utils.to_categorical([-1, 0], num_classes=3)
    with pytest.raises(ValueError):
        keras.utils.to_categorical([])
    with pytest.raises(ValueError, match="no labels to infer num_classes"):
        nn.utils.to_categorical([])
    assert nn.utils.to_categorical([], num_classes=3).shape == (0, 3)


def test_fit_on_float64_one_hot_targets_trains_in_float32():
    """`to_categorical` gives float64 rows, as Keras's; `fit` casts them to the model's
    float32, so training on them is bit for bit training on float32 rows."""
    x, labels = data()
    runs = []
    for targets in (nn.utils.to_categorical(labels), np.eye(3, dtype=np.float32)[labels]):
        model = nn.Sequential([nn.Input((5,)), nn.Dense(8, activation="relu"), nn.Dense(3)])
        model.set_weights([w.astype(np.float32) for w in _fixed_weights()])
        model.compile(
            optimizer="adam",
            loss=nn.losses.CategoricalCrossentropy(from_logits=True),
            metrics=["categorical_accuracy", "mse", "auc"],
        )
        history = model.fit(x, targets, epochs=2, batch_size=16, shuffle=False, verbose=0)
        scores = model.evaluate(x, targets, verbose=0)
        assert {w.dtype for w in model.get_weights()} == {np.dtype(np.float32)}
        assert model.predict(x, verbose=0).dtype == np.float32
        runs.append((model.get_weights(), history.history, scores))
    (w64, h64, s64), (w32, h32, s32) = runs
    for a, b in zip(w64, w32, strict=True):
        np.testing.assert_array_equal(a, b)
    assert h64 == h32 and s64 == s32


def _fixed_weights():
    rng = np.random.default_rng(1)
    return [rng.normal(size=s) * 0.3 for s in [(5, 8), (8,), (8, 3), (3,)]]


@pytest.mark.parametrize(
    "targets",
    [
        np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0], np.float32),  # 0/1: the usual case
        np.array([0.1, 0.9, 0.95, 0.05, 0.9, 0.1], np.float32),  # smoothed labels
        np.array([1e-5, 0.6, 0.2, 1.0, 3.5, 0.0], np.float32),  # regression targets
    ],
)
def test_accuracy_of_one_output_counts_exact_matches_as_keras(targets):
    """ "accuracy" of a single sigmoid output counted a target above 0.5 as class 1;
    Keras's binary accuracy counts a prediction (0 or 1) equal to the target, so
    smoothed or regression targets are never matched."""
    keras = pytest.importorskip("keras")
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2)
    scores = {}
    for k in (keras, nn):
        model = k.Sequential([k.Input((2,)), k.layers.Dense(1, activation="sigmoid")])
        model.set_weights([np.array([[2.0], [-1.0]], np.float32), np.zeros(1, np.float32)])
        model.compile(loss="mse", metrics=["accuracy"], weighted_metrics=["accuracy"])
        scores[k] = model.evaluate(x, targets, verbose=0, return_dict=True)
        scores[k]["fit"] = model.fit(x, targets, epochs=1, verbose=0).history["accuracy"][0]
    assert scores[nn] == pytest.approx(scores[keras], rel=1e-6)


def test_set_random_seed_seeds_python_numpy_and_the_weights_as_keras():
    """`nn.utils.set_random_seed` did not exist (Keras code calls
    `keras.utils.set_random_seed(seed)` to make a run repeatable)."""
    import random

    keras = pytest.importorskip("keras")
    draws = {}
    for k in (keras, nn):
        k.utils.set_random_seed(7)
        draws[k] = (random.random(), np.random.random(3))
    assert draws[nn][0] == draws[keras][0]
    np.testing.assert_array_equal(draws[nn][1], draws[keras][1])
    weights = []
    for seed in (3, 3, 4):
        nn.utils.set_random_seed(seed)
        model = nn.Sequential([nn.Input((4,)), nn.Dense(5), nn.Dropout(0.5)])
        weights.append((model.get_weights()[0], model(np.ones((2, 4)), training=True).data))
    np.testing.assert_array_equal(weights[0][0], weights[1][0])
    np.testing.assert_array_equal(weights[0][1], weights[1][1])  # the same dropout mask
    assert not np.array_equal(weights[0][0], weights[2][0])
    for bad in (1.5, "3", True):
        with pytest.raises(ValueError, match="seed"):
            nn.utils.set_random_seed(bad)
        if bad is not True:  # Keras takes a bool for an int
            with pytest.raises(ValueError, match="seed"):
                keras.utils.set_random_seed(bad)
