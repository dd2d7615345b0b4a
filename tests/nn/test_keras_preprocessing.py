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


CATEGORY_CASES = [
    ("one_hot", [3, 2, 0, 1]),
    ("one_hot", [[3], [2], [0]]),
    ("one_hot", [[3, 1], [2, 0]]),
    ("multi_hot", [[0, 1], [0, 0], [1, 2], [3, 1]]),
    ("multi_hot", [0, 3, 3]),
    ("count", [[0, 1], [0, 0], [1, 2], [3, 1]]),
    ("count", [1, 1, 2]),
    ("one_hot", [4, -1, 2]),  # out of range: no 1 (Keras on JAX)
]


@pytest.mark.parametrize(("mode", "data"), CATEGORY_CASES)
def test_category_encoding_gives_keras_rows(mode, data):
    ours = nn.layers.CategoryEncoding(num_tokens=4, output_mode=mode)(np.array(data))
    theirs = keras.layers.CategoryEncoding(num_tokens=4, output_mode=mode)(np.array(data))
    assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.data, np.asarray(theirs))


def test_category_encoding_count_weights_config_and_errors():
    weights = np.array([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]])
    data = [[0, 1], [0, 0], [1, 2], [3, 1]]
    out = {}
    for k in LIBS:
        layer = k.layers.CategoryEncoding(num_tokens=4, output_mode="count")
        out[k] = np.asarray(getattr(layer(data, count_weights=weights), "data", None))
        if k is keras:
            out[k] = np.asarray(layer(data, count_weights=weights))
    np.testing.assert_allclose(out[nn], out[keras], rtol=1e-6)
    assert out[nn].dtype == out[keras].dtype
    config = nn.layers.CategoryEncoding(num_tokens=3, output_mode="binary", name="c").get_config()
    theirs = keras.layers.CategoryEncoding(num_tokens=3, output_mode="binary", name="c")
    for key in ("num_tokens", "output_mode", "name"):
        assert config[key] == theirs.get_config()[key]
    for kwargs in ({}, {"num_tokens": 0}, {"num_tokens": 3, "output_mode": "int"}):
        with pytest.raises(ValueError):
            keras.layers.CategoryEncoding(**kwargs)
        with pytest.raises(ValueError):
            nn.layers.CategoryEncoding(**kwargs)
    with pytest.raises(ValueError, match="count_weights"):
        nn.layers.CategoryEncoding(num_tokens=4)(data, count_weights=weights)
    with pytest.raises(TypeError, match="integer"):
        nn.layers.CategoryEncoding(num_tokens=4)(np.array([0.5, 1.0]))


def _keras_adapt(layer, batches):
    """Keras's `Discretization.adapt` of arrays, step by step (its own `adapt` first
    asks whether the data is a `tf.data.Dataset`, which needs TensorFlow)."""
    layer.reset_state()
    for batch in batches:
        layer.update_state(batch)
    layer.finalize_state()


DISCRETE = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_with_boundaries_gives_keras_bins(mode):
    data = DISCRETE if mode != "one_hot" else DISCRETE[:, :1]
    ours = nn.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)(data)
    theirs = keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)(data)
    assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.data, np.asarray(theirs))


@pytest.mark.parametrize(
    ("num_bins", "epsilon", "batches"), [(4, 0.01, 1), (3, 0.01, 3), (5, 0.1, 4), (2, 0.3, 1)]
)
def test_discretization_adapt_learns_keras_boundaries(num_bins, epsilon, batches):
    data = np.random.default_rng(num_bins).normal(size=(60, 3)).astype("float32")
    layers = {k: k.layers.Discretization(num_bins=num_bins, epsilon=epsilon) for k in LIBS}
    split = [data] if batches == 1 else np.array_split(data, batches)
    layers[nn].adapt(data if batches == 1 else split)
    _keras_adapt(layers[keras], split)
    np.testing.assert_allclose(layers[nn].bin_boundaries, layers[keras].bin_boundaries, rtol=1e-6)
    np.testing.assert_array_equal(layers[nn](data).data, np.asarray(layers[keras](data)))
    small = {k: k.layers.Discretization(num_bins=4, epsilon=0.01) for k in LIBS}
    small[nn].adapt(DISCRETE)
    _keras_adapt(small[keras], [DISCRETE])
    assert small[nn].bin_boundaries == small[keras].bin_boundaries
    np.testing.assert_array_equal(
        small[nn](DISCRETE).data, [[0, 2, 3, 2], [1, 3, 3, 1]]
    )  # Keras's docstring example


def test_discretization_config_saving_and_errors(tmp_path):
    layer = nn.layers.Discretization(num_bins=3, name="bins")
    layer.adapt(DISCRETE)
    theirs = keras.layers.Discretization(num_bins=3, name="bins")
    _keras_adapt(theirs, [DISCRETE])
    config = layer.get_config()
    assert {k: config[k] for k in ("bin_boundaries", "num_bins", "epsilon", "output_mode")} == {
        k: theirs.get_config()[k] for k in ("bin_boundaries", "num_bins", "epsilon", "output_mode")
    }
    copy = nn.layers.Discretization.from_config(config)
    assert copy.bin_boundaries == layer.bin_boundaries
    model = nn.Sequential([nn.Input(shape=(4,)), layer])
    model.save(tmp_path / "bins.keras")
    loaded = nn.models.load_model(tmp_path / "bins.keras")
    np.testing.assert_array_equal(
        loaded.predict(DISCRETE, verbose=0), model.predict(DISCRETE, verbose=0)
    )
    for kwargs in ({}, {"num_bins": 2, "bin_boundaries": [0.0]}, {"num_bins": -1}):
        with pytest.raises(ValueError):
            keras.layers.Discretization(**kwargs)
        with pytest.raises(ValueError):
            nn.layers.Discretization(**kwargs)
    with pytest.raises(ValueError, match="adapt"):
        nn.layers.Discretization(num_bins=3)(DISCRETE)
    with pytest.raises(ValueError, match="num_bins"):
        nn.layers.Discretization(bin_boundaries=[0.0]).adapt(DISCRETE)
