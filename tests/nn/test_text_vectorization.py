"""`layers.TextVectorization` (Keras's needs TensorFlow, not installed): its
documentation's examples and their printed outputs, small cases worked out by hand
from Keras's documented algorithm, and the IMDB-like pipeline end to end (a folder,
`text_dataset_from_directory`, `adapt`, `fit`), its model compared with Keras's on
the same integer batches."""

import os

import numpy as np
import pytest

import nn
from nn.layers import TextVectorization
from nn.stream_dataset import StreamDataset


def test_docs_example_adapt_and_int_output():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    # counts: bar 2, baz 2, then 1 each; ties by the larger bytes first
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]
    out = layer([["foo qux bar"], ["qux baz"]]).data
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [[4, 1, 3, 0], [1, 2, 0, 0]])
    assert layer.vocabulary_size() == 7
    assert layer.get_vocabulary(include_special_tokens=False) == [
        "baz",
        "bar",
        "foo",
        "boom",
        "bada",
    ]


def test_docs_example_given_vocabulary():
    layer = TextVectorization(
        max_tokens=5000,
        output_mode="int",
        output_sequence_length=4,
        vocabulary=["earth", "wind", "and", "fire"],
    )
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(
        layer(["Earth, wind & FIRE!", "and and and and and"]).data,
        [[2, 3, 5, 0], [4, 4, 4, 4]],  # "&" is punctuation: stripped
    )
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        layer.adapt(["earth"])


def test_standardize_and_split_as_tensorflow_ops():
    text = "Hello,\tWORLD!  \n Étude's\xa0café (x-y) [z] a.b"
    cases = {
        "lower_and_strip_punctuation": ["hello", "world", "Études\xa0café", "xy", "z", "ab"],
        "lower": ["hello,", "world!", "Étude's\xa0café", "(x-y)", "[z]", "a.b"],
        "strip_punctuation": ["Hello", "WORLD", "Études\xa0café", "xy", "z", "ab"],
        None: ["Hello,", "WORLD!", "Étude's\xa0café", "(x-y)", "[z]", "a.b"],
    }
    for standardize, tokens in cases.items():
        # ASCII letters lowered only; runs of ASCII whitespace split (not U+00A0)
        layer = TextVectorization(standardize=standardize)
        layer.adapt([text])
        assert sorted(layer.get_vocabulary()[2:]) == sorted(tokens)
        index = {t: i for i, t in enumerate(layer.get_vocabulary())}
        np.testing.assert_array_equal(layer([text]).data[0], [index[t] for t in tokens])
    chars = TextVectorization(split="character", standardize=None)
    chars.adapt(["abcab", "é"])
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "a", "é", "c"]
    np.testing.assert_array_equal(chars(["cab", "zé"]).data, [[5, 3, 2], [1, 4, 0]])


def test_ngrams_order_and_tie_breaking():
    layer = TextVectorization(ngrams=2)
    layer.adapt(["a b c", "b c"])
    # counts: b 2, c 2, "b c" 2, a 1, "a b" 1; ties by the larger UTF-8 bytes first
    assert layer.get_vocabulary() == ["", "[UNK]", "c", "b c", "b", "a b", "a"]
    # each row: its 1-grams, then its 2-grams
    np.testing.assert_array_equal(layer(["a b c", "c"]).data, [[6, 4, 2, 5, 3], [2, 0, 0, 0, 0]])
    widths = TextVectorization(ngrams=(2, 3), standardize=None)
    widths.adapt(["x y z"])
    assert sorted(widths.get_vocabulary()[2:]) == ["x y", "x y z", "y z"]
    assert TextVectorization(ngrams=3).get_config()["ngrams"] == 3


def test_max_tokens_counts_the_special_indices():
    layer = TextVectorization(max_tokens=4)
    layer.adapt(["a a a b b c", "d"])
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b"]  # c and d left out
    np.testing.assert_array_equal(layer(["c b a"]).data, [[1, 3, 2]])
    hot = TextVectorization(max_tokens=4, output_mode="multi_hot")
    hot.adapt(["a a a b b c", "d"])
    assert hot.get_vocabulary() == ["[UNK]", "a", "b", "d"]  # no mask outside int mode; d > c


def test_multi_hot_count_and_tf_idf_by_hand():
    docs = ["the cat the hat", "the dog", "cat cat"]
    counts = {}
    for mode in ("multi_hot", "count", "tf_idf"):
        layer = TextVectorization(output_mode=mode)
        layer.adapt(docs)
        assert layer.get_vocabulary() == ["[UNK]", "the", "cat", "hat", "dog"]
        counts[mode] = layer(["the cat cat zebra", "", "dog the"]).data
        assert counts[mode].dtype == np.float32
    np.testing.assert_array_equal(
        counts["count"], [[1, 1, 2, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]]
    )
    np.testing.assert_array_equal(counts["multi_hot"], np.minimum(counts["count"], 1))
    # idf = log(1 + documents / (1 + documents holding the token)); OOV: their mean
    df = np.array([2, 2, 1, 1])  # the, cat, hat, dog
    idf = np.log(1 + 3 / (1 + df))
    idf = np.concatenate([[idf.mean()], idf])
    np.testing.assert_allclose(counts["tf_idf"], counts["count"] * idf, rtol=1e-6)
    padded = TextVectorization(output_mode="count", max_tokens=8, pad_to_max_tokens=True)
    padded.adapt(docs)
    out = padded(["the dog dog"]).data
    assert out.shape == (1, 8)
    np.testing.assert_array_equal(out, [[0, 1, 0, 0, 2, 0, 0, 0]])
    tfidf = TextVectorization(output_mode="tf_idf", max_tokens=8, pad_to_max_tokens=True)
    tfidf.adapt(docs)
    np.testing.assert_allclose(tfidf.idf_weights, np.pad(idf, (0, 3)), rtol=1e-6)


def test_tf_idf_with_given_vocabulary_and_weights():
    layer = TextVectorization(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[0.5, 1.5])
    assert layer.get_vocabulary() == ["[UNK]", "a", "b"]
    # the OOV weight is the mean of the given ones, as Keras pads them
    np.testing.assert_allclose(layer(["a b b z"]).data, [[1.0, 0.5, 3.0]])
    with_special = TextVectorization(
        output_mode="tf_idf", vocabulary=["[UNK]", "a"], idf_weights=[0.25, 0.5]
    )
    np.testing.assert_allclose(with_special(["a q q"]).data, [[0.5, 0.5]])
    with pytest.raises(ValueError, match="the `idf_weights` argument must also be provided"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="`idf_weights` must be set if output_mode"):
        layer.set_vocabulary(["a"])
    with pytest.raises(ValueError, match="same length as vocabulary"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"], idf_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="should only be set if `output_mode`"):
        TextVectorization(vocabulary=["a"], idf_weights=[1.0])


def test_one_hot_with_split_none_and_shapes():
    layer = TextVectorization(output_mode="one_hot", split=None, standardize=None)
    layer.adapt(np.array(["red", "blue", "red"]))
    assert layer.get_vocabulary() == ["[UNK]", "red", "blue"]
    np.testing.assert_array_equal(
        layer(np.array([["blue"], ["green"]])).data, [[0, 0, 1], [1, 0, 0]]
    )
    counts = TextVectorization(output_mode="count", split=None, vocabulary=["red", "blue"])
    np.testing.assert_array_equal(
        counts(np.array([["red"], ["blue"], ["red"]])).data, [[0, 1, 0], [0, 0, 1], [0, 1, 0]]
    )
    # a 1-D batch is one sample (Keras's bincount of a rank-1 input), a scalar too
    np.testing.assert_array_equal(counts(np.array(["red", "blue", "red", "x"])).data, [1, 2, 1])
    np.testing.assert_array_equal(counts("blue").data, [0, 0, 1])
    np.testing.assert_array_equal(layer("red").data, [0, 1, 0])
    whole = TextVectorization(split=None)
    whole.adapt(["New York", "Paris", "new york!"])
    assert whole.get_vocabulary() == ["", "[UNK]", "new york", "paris"]
    np.testing.assert_array_equal(whole(["Paris", "Rome"]).data, [3, 1])
    np.testing.assert_array_equal(whole("paris").data, 3)
    words = TextVectorization()
    words.adapt(["x y"])
    assert words.get_vocabulary() == ["", "[UNK]", "y", "x"]
    np.testing.assert_array_equal(words("y x y").data, [2, 3, 2])  # a scalar: one row
    empty = words(np.array([], dtype=str)).data
    assert empty.shape == (0, 0) and empty.dtype == np.int64
    assert words(["", " "]).data.shape == (2, 0)
    with pytest.raises(ValueError, match="the last shape dimension must be 1"):
        words(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="expected strings"):
        words(np.array([1.0, 2.0]))
    assert np.asarray(words([b"x", b"y"]).data).tolist() == [[3], [2]]


def test_output_sequence_length_cuts_and_pads():
    layer = TextVectorization(output_sequence_length=3, vocabulary=["a", "b", "c", "d"])
    np.testing.assert_array_equal(
        layer(["a b c d", "d", ""]).data, [[2, 3, 4], [5, 0, 0], [0, 0, 0]]
    )
    np.testing.assert_array_equal(layer(["a b c d", "d"]).data.shape, (2, 3))
    longest = TextVectorization(vocabulary=["a", "b"])
    np.testing.assert_array_equal(longest(["a", "b a a"]).data, [[2, 0, 0], [3, 2, 2]])


def test_callables_get_numpy_strings():
    seen = []

    def standardize(x):
        seen.append(x)
        return np.char.upper(x)

    def split(x):
        return [s.split("-") for s in x]

    layer = TextVectorization(standardize=standardize, split=split)
    layer.adapt(["a-b", "b-c-b"])
    assert isinstance(seen[0], np.ndarray) and seen[0].dtype.kind == "U"
    assert layer.get_vocabulary() == ["", "[UNK]", "B", "C", "A"]
    np.testing.assert_array_equal(layer(["c-a-x"]).data, [[3, 4, 1]])


def test_adapt_on_a_dataset_with_steps_and_again():
    ds = StreamDataset.from_tensor_slices(np.array(["a", "b b", "c c c", "d d d d"])).batch(2)
    layer = TextVectorization()
    layer.adapt(ds, steps=1)
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "a"]
    layer.adapt(ds)  # a new adapt starts over
    assert layer.get_vocabulary() == ["", "[UNK]", "d", "c", "b", "a"]
    labelled = StreamDataset.from_tensor_slices((np.array(["a"]), np.array([1]))).batch(1)
    with pytest.raises(ValueError, match="map the dataset to its texts"):
        layer.adapt(labelled)
    layer.set_vocabulary(["q", "r"])
    assert layer.get_vocabulary() == ["", "[UNK]", "q", "r"]
    layer.set_vocabulary(["", "[UNK]", "s"])  # the special tokens may lead
    assert layer.get_vocabulary() == ["", "[UNK]", "s"]
    with pytest.raises(ValueError, match="repeated term"):
        layer.set_vocabulary(["s", "s"])


def test_config_round_trip_and_saved_vocabulary():
    layer = TextVectorization(max_tokens=10, ngrams=(1, 2), output_sequence_length=5, name="tv")
    config = layer.get_config()
    assert config == {
        "name": "tv",
        "trainable": True,
        "dtype": config["dtype"],
        "max_tokens": 10,
        "standardize": "lower_and_strip_punctuation",
        "split": "whitespace",
        "ngrams": (1, 2),
        "output_mode": "int",
        "output_sequence_length": 5,
        "pad_to_max_tokens": False,
        "sparse": False,
        "ragged": False,
        "vocabulary": None,
        "idf_weights": None,
        "encoding": "utf-8",
        "vocabulary_size": 2,  # the mask and OOV indices
    }
    layer.adapt(["one two two", "three"])
    twin = TextVectorization.from_config({**layer.saved_config(), "ngrams": [1, 2]})
    assert twin.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(twin(["two one"]).data, layer(["two one"]).data)
    tfidf = TextVectorization(output_mode="tf_idf")
    tfidf.adapt(["a b", "a"])
    again = TextVectorization.from_config(tfidf.saved_config())
    np.testing.assert_allclose(again(["a b b"]).data, tfidf(["a b b"]).data)
    given = TextVectorization(vocabulary=["x"]).get_config()
    assert given["vocabulary"] == ["x"] and given["vocabulary_size"] == 3
    assert TextVectorization().name.startswith("text_vectorization")


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"standardize": "upper"}, "Unknown value for `standardize` argument of Text"),
        ({"split": "comma"}, "Unknown value for `split` argument"),
        ({"output_mode": "tfidf"}, "Unknown value for `output_mode` argument"),
        ({"ngrams": "2"}, "`ngrams` must be None, an integer, or a tuple"),
        ({"output_sequence_length": 2.5}, "`output_sequence_length` must be either None"),
        ({"output_mode": "count", "output_sequence_length": 2}, "must not be set if"),
        ({"sparse": True}, "`sparse=True` can only be used with the TensorFlow backend"),
        ({"ragged": True}, "`ragged=True` can only be used with the TensorFlow backend"),
        ({"max_tokens": 1}, "must be greater than 1"),
        ({"output_mode": "one_hot"}, "use it with `split=None`"),
        ({"ngrams": 2, "split": None}, "`ngrams` needs a `split`"),
    ],
)
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TextVectorization(**kwargs)


def test_encoded_output_needs_a_vocabulary():
    with pytest.raises(RuntimeError, match="you must set the layer's vocabulary"):
        TextVectorization(output_mode="multi_hot")(["a"])
    padded = TextVectorization(output_mode="multi_hot", max_tokens=3, pad_to_max_tokens=True)
    np.testing.assert_array_equal(padded(["a"]).data, [[1, 0, 0]])  # all OOV


# -- end to end: an IMDB-like folder --------------------------------------------------------
def _reviews(root, rng, n=24):
    good = "great wonderful superb loved moving".split()
    bad = "awful boring worst hated dull".split()
    filler = "the a movie film plot it was and".split()
    for split in ("train", "test"):
        for label, words in (("neg", bad), ("pos", good)):
            os.makedirs(root / split / label)
            for i in range(n):
                text = " ".join(rng.choice(words + filler, size=int(rng.integers(4, 14))))
                (root / split / label / f"{i}_{label}.txt").write_text(text.title() + ".<br />")
    return root


def test_imdb_like_pipeline_fits_as_keras_on_the_same_batches(tmp_path, capsys):
    keras = pytest.importorskip("keras")
    root = _reviews(tmp_path, np.random.default_rng(0))
    train_ds, val_ds = nn.utils.text_dataset_from_directory(
        root / "train", batch_size=8, validation_split=0.25, subset="both", seed=1337
    )
    assert capsys.readouterr().out.startswith("Found 48 files belonging to 2 classes.\n")
    vectorize = TextVectorization(max_tokens=30, output_sequence_length=10)
    vectorize.adapt(train_ds.map(lambda x, y: x))
    vocab = vectorize.get_vocabulary()
    assert vocab[:2] == ["", "[UNK]"]
    assert any(t.endswith("br") for t in vocab)  # "word.<br />" -> "wordbr", as in Keras
    int_train = train_ds.map(lambda x, y: (vectorize(x), y), num_parallel_calls=4).cache()
    batches = list(int_train)  # the first epoch's batches (cached: every epoch's)
    assert [len(y) for _, y in batches] == [8, 8, 8, 8, 4]
    assert all(x.dtype == np.int64 and x.shape[1] == 10 for x, _ in batches)

    def model(lib):
        lib.utils.set_random_seed(0)
        m = lib.Sequential(
            [
                lib.Input(shape=(10,), dtype="int64"),
                lib.layers.Embedding(input_dim=len(vocab), output_dim=4),
                lib.layers.GlobalAveragePooling1D(),
                lib.layers.Dense(1, activation="sigmoid"),
            ]
        )
        m.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        return m

    ours, theirs = model(nn), model(keras)
    ours.set_weights(theirs.get_weights())
    ours_history = ours.fit(int_train, epochs=3, verbose=0, shuffle=False)
    x = np.concatenate([np.asarray(b[0].data if hasattr(b[0], "data") else b[0]) for b in batches])
    y = np.concatenate([b[1] for b in batches])
    theirs_history = theirs.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
    np.testing.assert_allclose(
        ours_history.history["loss"], theirs_history.history["loss"], rtol=1e-5
    )
    np.testing.assert_allclose(
        ours_history.history["accuracy"], theirs_history.history["accuracy"], rtol=1e-6
    )
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    int_val = val_ds.map(lambda x, y: (vectorize(x), y))
    loss, acc = ours.evaluate(int_val, verbose=0)
    xv = np.concatenate([np.asarray(vectorize(t).data) for t, _ in val_ds])
    yv = np.concatenate([y for _, y in val_ds])
    np.testing.assert_allclose([loss, acc], theirs.evaluate(xv, yv, verbose=0), rtol=1e-5)


def test_imdb_like_bag_of_bigrams_learns(tmp_path, capsys):
    root = _reviews(tmp_path, np.random.default_rng(1), n=40)
    train_ds = nn.utils.text_dataset_from_directory(root / "train", batch_size=16, seed=3)
    test_ds = nn.utils.text_dataset_from_directory(root / "test", batch_size=16, seed=3)
    capsys.readouterr()
    vectorize = TextVectorization(ngrams=2, max_tokens=200, output_mode="tf_idf")
    vectorize.adapt(train_ds.map(lambda x, y: x))
    size = vectorize.vocabulary_size()
    train = train_ds.map(lambda x, y: (vectorize(x), y))
    nn.utils.set_random_seed(0)
    model = nn.Sequential(
        [
            nn.Input(shape=(size,)),
            nn.layers.Dense(8, activation="relu"),
            nn.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train.cache(), epochs=30, verbose=0, shuffle=False)
    assert history.history["loss"][-1] < history.history["loss"][0]
    _, accuracy = model.evaluate(test_ds.map(lambda x, y: (vectorize(x), y)), verbose=0)
    assert accuracy > 0.8  # the sentiment words separate the classes
