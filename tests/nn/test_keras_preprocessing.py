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
        result = layer(data, count_weights=weights)
        out[k] = result.data if k is nn else np.asarray(result)
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


# StringLookup and IntegerLookup need TensorFlow in Keras 3: their docstring examples
# (the calls and the printed outputs) stand in for it.
VOCAB = ["a", "b", "c", "d"]
STRINGS = [["a", "c", "d"], ["d", "z", "b"]]
COUNTED = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]


def _keras_needs_tensorflow(cls, **kwargs):
    """Keras's lookup layers refuse to be made without TensorFlow (so the docstrings
    are the reference); the check fails, telling to compare with Keras directly, once
    TensorFlow is installed."""
    with pytest.raises(ImportError, match="TensorFlow"):
        cls(**kwargs)


def test_string_lookup_docstring_examples():
    _keras_needs_tensorflow(keras.layers.StringLookup, vocabulary=VOCAB)
    lookup = nn.layers.StringLookup
    out = lookup(vocabulary=VOCAB)(STRINGS)
    np.testing.assert_array_equal(out.data, [[1, 3, 4], [4, 0, 2]])
    assert out.dtype == np.int64
    layer = lookup()
    layer.adapt(STRINGS)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert layer.vocabulary_size() == 6
    np.testing.assert_array_equal(layer(STRINGS).data, [[5, 3, 1], [1, 2, 4]])
    np.testing.assert_array_equal(
        lookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"]).data,
        [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0]],
    )
    np.testing.assert_array_equal(
        lookup(vocabulary=VOCAB, output_mode="multi_hot")(COUNTED).data,
        [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]],
    )
    np.testing.assert_array_equal(
        lookup(vocabulary=VOCAB, output_mode="count")(COUNTED).data,
        [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]],
    )
    inverse = lookup(vocabulary=VOCAB, invert=True)
    expected = np.array([[b"a", b"c", b"d"], [b"d", b"[UNK]", b"b"]], dtype=object)
    np.testing.assert_array_equal(inverse([[1, 3, 4], [4, 0, 2]]), expected)
    np.testing.assert_array_equal(inverse(lookup(vocabulary=VOCAB)(STRINGS)), expected)


def test_string_lookup_mask_max_tokens_special_tokens_and_errors():
    lookup = nn.layers.StringLookup
    masked = lookup(vocabulary=VOCAB, mask_token="")
    assert masked.get_vocabulary() == ["", "[UNK]", "a", "b", "c", "d"]
    np.testing.assert_array_equal(masked([["a", ""], ["z", "d"]]).data, [[2, 0], [1, 5]])
    hot = lookup(vocabulary=VOCAB, mask_token="", output_mode="multi_hot")
    np.testing.assert_array_equal(hot([["a", ""]]).data, [[0, 1, 0, 0, 0]])  # mask: no 1
    # A vocabulary may start with the special tokens, in that order.
    assert lookup(vocabulary=["", "[UNK]", *VOCAB], mask_token="").vocabulary_size() == 6
    capped = lookup(max_tokens=3)
    capped.adapt([["a", "b", "b", "c", "c", "c"]])
    assert capped.get_vocabulary() == ["[UNK]", "c", "b"]
    assert capped.get_vocabulary(include_special_tokens=False) == ["c", "b"]
    padded = lookup(vocabulary=VOCAB, max_tokens=7, pad_to_max_tokens=True, output_mode="count")
    assert padded(["a"]).shape == (7,)
    strict = lookup(vocabulary=VOCAB, num_oov_indices=0)
    np.testing.assert_array_equal(strict(["a", "d"]).data, [0, 3])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        strict(["z"])
    with pytest.raises(ValueError, match="repeated"):
        lookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="mask token"):
        lookup(vocabulary=["a", ""], mask_token="")
    with pytest.raises(ValueError, match="max_tokens"):
        lookup(vocabulary=VOCAB, max_tokens=3)
    with pytest.raises(ValueError, match="invert"):
        lookup(vocabulary=VOCAB, invert=True, output_mode="one_hot")
    with pytest.raises(ValueError, match="static vocabulary"):
        lookup(vocabulary=VOCAB).adapt(STRINGS)
    with pytest.raises(RuntimeError, match="vocabulary"):
        lookup(output_mode="one_hot")(["a"])
    with pytest.raises(TypeError, match="strings"):
        lookup(vocabulary=VOCAB)([1, 2])


INTS = np.array([[12, 1138, 42], [42, 1000, 36]])


def test_integer_lookup_docstring_examples():
    _keras_needs_tensorflow(keras.layers.IntegerLookup, vocabulary=[12, 36, 1138, 42])
    lookup = nn.layers.IntegerLookup
    vocab = [12, 36, 1138, 42]
    np.testing.assert_array_equal(lookup(vocabulary=vocab)(INTS).data, [[1, 3, 4], [4, 0, 2]])
    layer = lookup()
    layer.adapt(INTS)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(layer(INTS).data, [[5, 2, 1], [1, 3, 4]])
    two = lookup(vocabulary=vocab, num_oov_indices=2)
    np.testing.assert_array_equal(
        two(np.array([[12, 1138, 42], [37, 1000, 36]])).data, [[2, 4, 5], [1, 0, 3]]
    )
    floormod = lookup(vocabulary=[10, 20, 30], num_oov_indices=4)
    np.testing.assert_array_equal(
        floormod(np.array([100, 300, 700, 1100, 1700, 2000])).data, [0, 0, 0, 0, 0, 0]
    )
    one_hot = lookup(vocabulary=vocab, output_mode="one_hot")(np.array([12, 36, 1138, 42, 7]))
    np.testing.assert_array_equal(one_hot.data, np.eye(5)[[1, 2, 3, 4, 0]])
    assert one_hot.dtype == np.float32
    counted = np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])
    np.testing.assert_array_equal(
        lookup(vocabulary=vocab, output_mode="multi_hot")(counted).data,
        [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]],
    )
    np.testing.assert_array_equal(
        lookup(vocabulary=vocab, output_mode="count")(counted).data,
        [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]],
    )
    inverse = lookup(vocabulary=vocab, invert=True)
    np.testing.assert_array_equal(
        inverse(np.array([[1, 3, 4], [4, 0, 2]])).data, [[12, 1138, 42], [42, -1, 36]]
    )
    with pytest.raises(TypeError, match="integers"):
        lookup(vocabulary=vocab)(["a"])
    with pytest.raises(ValueError, match="int64"):
        lookup(vocabulary_dtype="int32")
    with pytest.raises(ValueError, match="greater than 1"):
        lookup(max_tokens=1)


def test_lookups_config_and_saving_keep_the_vocabulary(tmp_path):
    strings = nn.layers.StringLookup(output_mode="one_hot", name="lookup")
    strings.adapt(STRINGS)
    config = strings.get_config()
    assert config["vocabulary"] is None and config["output_mode"] == "one_hot"
    copy = nn.layers.StringLookup.from_config(strings.saved_config())
    assert copy.get_vocabulary() == strings.get_vocabulary()
    ints = nn.layers.IntegerLookup(vocabulary=[12, 36], output_mode="multi_hot")
    inputs = nn.Input(shape=(2,), dtype="int64")
    model = nn.Model(inputs, nn.layers.Dense(1)(ints(inputs)))
    model.save(tmp_path / "lookup.keras")
    loaded = nn.models.load_model(tmp_path / "lookup.keras")
    x = np.array([[12, 5], [36, 36]])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[1].get_vocabulary() == [-1, 12, 36]


def test_a_string_input_says_to_look_strings_up_first():
    """Keras's `Input(dtype="string")` (the PetFinder tutorial's string columns) is not
    available: the error says what to do instead (it was numpy's "data type 'string'
    not understood")."""
    assert keras.Input(shape=(1,), dtype="string").dtype == "string"
    for dtype in ("string", str, object):
        with pytest.raises(TypeError, match="StringLookup"):
            nn.Input(shape=(1,), dtype=dtype)


# Hashing: Keras 3 needs TensorFlow for it; the expected bins are those of Keras's
# docstring and of its own test suite (keras/src/layers/preprocessing/hashing_test.py).
LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]
NAMES = [["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]]
HASHING_CASES = [
    ({"num_bins": 3}, LETTERS, [1, 0, 1, 1, 2]),
    ({"num_bins": 3, "mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]], [1, 1, 0, 2, 2]),
    ({"num_bins": 3, "salt": [133, 137]}, LETTERS, [1, 2, 1, 0, 2]),
    ({"num_bins": 3, "salt": 133}, LETTERS, [0, 0, 2, 1, 0]),
    ({"num_bins": 1}, LETTERS, [0, 0, 0, 0, 0]),
    ({"num_bins": 2}, NAMES, [0, 0, 1, 0, 0]),
    ({"num_bins": 3, "mask_value": ""}, NAMES, [1, 1, 2, 1, 1]),
    ({"num_bins": 3, "mask_value": "omar"}, NAMES, [0, 1, 2, 1, 1]),
    ({"num_bins": 3}, [[0], [1], [2], [3], [4]], [1, 0, 1, 0, 2]),
    ({"num_bins": 2, "salt": [133, 137]}, NAMES, [0, 1, 0, 1, 0]),
    ({"num_bins": 2, "salt": [211, 137]}, NAMES, [1, 0, 1, 0, 1]),
    ({"num_bins": 3, "salt": [133, 137]}, [[0], [1], [2], [3], [4]], [1, 1, 2, 0, 1]),
]


@pytest.mark.parametrize(("kwargs", "data", "expected"), HASHING_CASES)
def test_hashing_gives_keras_bins(kwargs, data, expected):
    out = nn.layers.Hashing(**kwargs)(np.asarray(data))
    assert out.shape == (5, 1) and out.dtype == np.int64
    np.testing.assert_array_equal(out.data.ravel(), expected)


def test_hashing_is_farmhash_fingerprint64_and_siphash_2_4():
    """The hashes themselves, on the reference values: FarmHash's Fingerprint64 test
    strings of every length class (0-16, 17-32, 33-64, over 64 bytes) and SipHash-2-4's
    paper vectors (key 00..0f, messages 00.., 8 and 15 bytes)."""
    from nn.hashing import fingerprint64, siphash

    fingerprints = {
        "": 0x9AE16A3B2F90404F,
        "a": 0xB3454265B6DF75E3,
        "abcdefgh": 0xFEE9D22990C82909,
        "0123456789=012345": 0x46A7416ED4861E3B,
        "C is as portable as Stonehedge!!": 0xB944F8A16261E414,
        "Discard medicine more than two years old.": 0xE8F89AB6DF9BDD25,
        "The days of the digital watch are numbered.  -Tom Stoppard": 0x2A578B80BB82147C,
        "For every action there is an equal and opposite government program.": (0x55182F8859ECA4CE),
    }
    for text, expected in fingerprints.items():
        assert fingerprint64(text.encode()) == expected, text
    key = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little"))
    assert siphash(key, b"") == 0x726FDB47DD0E0E31
    assert siphash(key, bytes(range(8))) == 0x93F5F5799A932462
    assert siphash(key, bytes(range(15))) == 0xA129CA6149BE45E5


def test_hashing_modes_config_saving_and_errors(tmp_path):
    with pytest.raises(ImportError, match="TensorFlow"):
        keras.layers.Hashing(num_bins=3)
    hot = nn.layers.Hashing(num_bins=3, output_mode="one_hot")(np.asarray(LETTERS))
    np.testing.assert_array_equal(hot.data, np.eye(3, dtype="float32")[[1, 0, 1, 1, 2]])
    counts = nn.layers.Hashing(num_bins=3, output_mode="count")(np.array([[0, 1, 2, 3, 4]]))
    np.testing.assert_array_equal(counts.data, [[2.0, 2.0, 1.0]])  # Keras's test
    multi = nn.layers.Hashing(num_bins=3, output_mode="multi_hot")(np.array([[0, 1, 2, 3, 4]]))
    np.testing.assert_array_equal(multi.data, [[1.0, 1.0, 1.0]])
    layer = nn.layers.Hashing(num_bins=4, salt=7, mask_value="", name="hash")
    config = layer.get_config()
    assert config["salt"] == [7, 7] and config["mask_value"] == "" and config["num_bins"] == 4
    inputs = nn.Input(shape=(2,), dtype="int64")
    model = nn.Model(inputs, nn.layers.Hashing(num_bins=5, output_mode="multi_hot")(inputs))
    model.save(tmp_path / "hash.keras")
    x = np.array([[3, 9], [12, 40]])
    loaded = nn.models.load_model(tmp_path / "hash.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for kwargs in (
        {"num_bins": 0},
        {"num_bins": 3, "salt": "x"},
        {"num_bins": 3, "output_mode": "tf_idf"},
        {"num_bins": 3, "dtype": "float32"},
    ):
        with pytest.raises(ValueError):
            nn.layers.Hashing(**kwargs)
    with pytest.raises(TypeError, match="strings or numbers"):
        nn.layers.Hashing(num_bins=3)([[None]])


def test_lookups_hash_several_oov_indices_as_keras():
    """Several OOV indices: FarmHash of the token (of an integer's text with
    oov_method="farmhash"), as Keras's docstring examples."""
    layer = nn.layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    np.testing.assert_array_equal(
        layer([["a", "c", "d"], ["m", "z", "b"]]).data, [[2, 4, 5], [0, 1, 3]]
    )
    farmhash = nn.layers.IntegerLookup(
        vocabulary=[10, 20, 30], num_oov_indices=4, oov_method="farmhash"
    )
    oov_values = np.array([100, 300, 700, 1100, 1700, 2000])
    np.testing.assert_array_equal(farmhash(oov_values).data, [3, 3, 2, 2, 0, 1])
    assert farmhash.get_config()["oov_method"] == "farmhash"
    with pytest.raises(ValueError, match="salt"):
        nn.layers.StringLookup(vocabulary=VOCAB, salt="x")


def test_a_model_file_with_normalization_statistics_under_their_old_names_loads(tmp_path):
    """Normalization's weights became `adapt_mean` and `adapt_variance` (Keras's
    attribute names; `mean` is Keras's broadcast tensor): a file written before, with
    `mean` and `variance`, still loads."""
    from nn.serialization import read_npz, write_npz

    layer = nn.layers.Normalization()
    layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]], "float32"))
    model = nn.Sequential([nn.Input(shape=(2,)), layer, nn.layers.Dense(1)])
    path = tmp_path / "old.keras"
    model.save(path)
    entries = read_npz(path)
    old = {
        k.replace("adapt_mean", "mean").replace("adapt_variance", "variance"): v
        for k, v in entries.items()
    }
    assert old != entries
    write_npz(old, path)
    x = np.array([[1.0, 20.0], [3.0, 5.0]], "float32")
    np.testing.assert_array_equal(
        nn.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0)
    )
