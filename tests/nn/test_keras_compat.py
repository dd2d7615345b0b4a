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


def test_to_categorical_matches_keras():
    keras = pytest.importorskip("keras")
    y = np.array([[3], [0], [1], [3]])
    np.testing.assert_array_equal(nn.utils.to_categorical(y), keras.utils.to_categorical(y))
    np.testing.assert_array_equal(
        nn.utils.to_categorical([1, 2], num_classes=6),
        keras.utils.to_categorical([1, 2], num_classes=6),
    )
