"""Keras's preprocessing layers (`Normalization`, `CategoryEncoding`, `Discretization`,
`StringLookup`, `IntegerLookup`, `Hashing`) compared with Keras 3 on the JAX
backend where Keras runs without TensorFlow, and with the examples (and printed
outputs) of Keras's docstrings where it does not."""

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")

LIBS = [keras, nn]


def test_normalization_mean_and_variance_have_keras_broadcast_shape():
    data = np.array([[0.0, 10.0, 4.0], [2.0, 30.0, 8.0]], "float32")
    for axis, shape in ((-1, (1, 3)), (None, (1, 1))):
        found = {}
        for k in LIBS:
            layer = k.layers.Normalization(axis=axis)
            assert layer.mean is None
            layer.adapt(data)
            found[k] = np.asarray(layer.mean), np.asarray(layer.variance)
        for ours, theirs in zip(found[nn], found[keras]):
            assert ours.shape == theirs.shape == shape
            np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    given = {k: k.layers.Normalization(mean=2.0, variance=4.0) for k in LIBS}
    for layer in given.values():
        layer.build((None, 3))
    np.testing.assert_array_equal(np.asarray(given[nn].mean), np.asarray(given[keras].mean))
    assert nn.layers.Normalization().mean is None
    # The weights keep Keras's names and shapes (mean, variance, count).
    layer = nn.layers.Normalization()
    layer.adapt(data)
    theirs = keras.layers.Normalization()
    theirs.adapt(data)
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in theirs.get_weights()]


@pytest.mark.parametrize("first", ["input_shape", "Input", "functional"])
def test_a_column_feeds_a_model_of_one_feature_as_keras(first):
    """Keras's models add (or drop) a last axis of length 1 to fit the declared input:
    the regression tutorial's `predict(horsepower[:10])` on a 1-D column."""
    column = np.arange(6, dtype="float32")
    out = {}
    for k in LIBS:
        if first == "functional":
            inputs = k.Input(shape=(1,))
            model = k.Model(inputs, k.layers.Dense(2)(inputs))
        elif first == "Input":
            model = k.Sequential([k.Input(shape=(1,)), k.layers.Dense(2)])
        else:
            model = k.Sequential([k.layers.Dense(2, input_shape=(1,))])
        out[k] = model
    out[nn].set_weights(out[keras].get_weights())
    for x in (column, column[:, None], column[:, None, None]):
        np.testing.assert_allclose(
            out[nn].predict(x, verbose=0), out[keras].predict(x, verbose=0), rtol=1e-6
        )
    with pytest.raises(ValueError):
        out[nn].predict(np.zeros((6, 2, 2), "float32"), verbose=0)
