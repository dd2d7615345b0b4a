"""Keras's data utilities: `pad_sequences` against Keras 3 directly; the dataset
utilities (TensorFlow-backed in Keras, not installed) against Keras's own pure-Python
parts where it has them (`index_directory`, the split sizes, the seeded shuffles) and
against the windows and outputs its documentation gives; and `fit` on the datasets."""

import os
import random
import warnings

import numpy as np
import pytest

import nn
from nn.stream_dataset import StreamDataset, buffered_shuffle

keras = pytest.importorskip("keras")


# -- pad_sequences ----------------------------------------------------------------
PAD_CASES = [
    {},
    {"maxlen": 2},
    {"maxlen": 5, "padding": "post"},
    {"maxlen": 2, "truncating": "post"},
    {"maxlen": 2, "truncating": "post", "padding": "post", "value": -1},
    {"dtype": "float32", "value": 0.5},
    {"maxlen": 1},
]


@pytest.mark.parametrize("kwargs", PAD_CASES)
def test_pad_sequences_matches_keras(kwargs):
    sequences = [[1], [2, 3], [], [4, 5, 6], [7, 8, 9, 10]]
    ours = nn.utils.pad_sequences(sequences, **kwargs)
    theirs = keras.utils.pad_sequences(sequences, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_docs_examples_and_sample_shapes():
    sequence = [[1], [2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(
        nn.utils.pad_sequences(sequence), [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    )
    np.testing.assert_array_equal(
        nn.utils.pad_sequences(sequence, padding="post"), [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    )
    rng = np.random.default_rng(0)
    vectors = [rng.normal(size=(n, 2)) for n in (3, 0, 1, 4)]  # items of shape (2,)
    for kwargs in ({"dtype": "float64"}, {"dtype": "float64", "maxlen": 2, "padding": "post"}):
        ours = nn.utils.pad_sequences(vectors, **kwargs)
        theirs = keras.utils.pad_sequences(vectors, **kwargs)
        assert ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(
        nn.utils.pad_sequences(words, dtype=object, value="<pad>"),
        keras.utils.pad_sequences(words, dtype=object, value="<pad>"),
    )


@pytest.mark.parametrize(
    "args",
    [
        ([[1], [2]], {"padding": "middle"}),
        ([[1], [2]], {"truncating": "middle"}),
        ([[1], [2]], {"value": "x"}),
        ([1, 2], {}),
        (iter([[1]]), {}),
        ([[[1, 2]], [[1, 2, 3]]], {}),
        ([[1, 2], [3]], {"maxlen": 0}),  # s[-0:] is all of s: numpy's broadcast error
    ],
)
def test_pad_sequences_errors_as_keras(args):
    sequences, kwargs = args
    with pytest.raises(ValueError) as theirs:
        keras.utils.pad_sequences(sequences, **kwargs)
    with pytest.raises(ValueError) as ours:
        nn.utils.pad_sequences(sequences, **kwargs)
    assert str(ours.value) == str(theirs.value)


# -- timeseries_dataset_from_array ---------------------------------------------------
def _expected_windows(n, length, stride, rate, start, end, n_targets=None):
    """Keras's documented windows: start p = 0, stride, ... below
    end - start - (length - 1) * rate (and below len(targets))."""
    num = end - start - (length - 1) * rate
    if n_targets is not None:
        num = min(num, n_targets)
    return [[start + p + k * rate for k in range(length)] for p in range(0, max(num, 0), stride)]


def test_timeseries_docs_example_1():
    ds = nn.utils.timeseries_dataset_from_array(
        np.arange(99), None, sequence_length=10, sampling_rate=2, sequence_stride=3
    )
    (batch,) = list(ds)  # 27 windows in one batch of 128
    assert batch[0].tolist() == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert batch[1].tolist() == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert batch[2].tolist() == [6, 8, 10, 12, 14, 16, 18, 20, 22, 24]
    assert batch[-1].tolist() == [78, 80, 82, 84, 86, 88, 90, 92, 94, 96]


def test_timeseries_docs_examples_2_and_3():
    data = np.random.default_rng(1).normal(size=50)
    ds = nn.utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    inputs, targets = next(iter(ds))
    np.testing.assert_array_equal(inputs[0], data[:10])
    assert targets[0] == data[10]
    assert inputs.shape == (31, 10) and targets.shape == (31,)
    x, y = np.arange(100), np.arange(100) * 2
    a = nn.utils.timeseries_dataset_from_array(x, None, sequence_length=20, sequence_stride=20)
    b = nn.utils.timeseries_dataset_from_array(y, None, sequence_length=20, sequence_stride=20)
    for inputs, targets in zip(a, b):
        np.testing.assert_array_equal(inputs[0], x[:20])
        np.testing.assert_array_equal(targets[1], y[20:40])


@pytest.mark.parametrize(
    "length,stride,rate,start,end,batch",
    [
        (3, 1, 1, None, None, 4),
        (4, 2, 3, 5, 40, 3),
        (1, 1, 1, 0, None, 1),
        (5, 7, 2, 3, 44, 128),
        (6, 1, 1, 10, 14, None),  # no full window: an empty dataset
    ],
)
def test_timeseries_windows_targets_and_batches(length, stride, rate, start, end, batch):
    data = np.random.default_rng(2).normal(size=(45, 3))
    targets = np.arange(45) * 10
    ds = nn.utils.timeseries_dataset_from_array(
        data, targets, length, stride, rate, batch, start_index=start, end_index=end
    )
    windows = _expected_windows(45, length, stride, rate, start or 0, end or 45, 45)
    if batch is None:
        got = list(ds)
        xs = [x for x, _ in got]
        ys = [y for _, y in got]
    else:
        got = list(ds)
        assert [len(x) for x, _ in got] == [
            min(batch, len(windows) - i) for i in range(0, len(windows), batch)
        ]
        xs = [w for x, _ in got for w in x]
        ys = [t for _, y in got for t in y]
    assert len(ds) == len(got)
    assert len(xs) == len(windows)
    for x, y, w in zip(xs, ys, windows):
        np.testing.assert_array_equal(x, data[w])
        assert y == targets[w[0]]
    if got:
        assert got[0][0].dtype == np.float64  # the data's dtype kept


def test_timeseries_fewer_targets_than_windows():
    ds = nn.utils.timeseries_dataset_from_array(np.arange(20), np.arange(5), 3, batch_size=None)
    assert [(x.tolist(), int(y)) for x, y in ds] == [([i, i + 1, i + 2], i) for i in range(5)]


def test_timeseries_shuffle_is_keras_global_shuffle_then_a_local_one_per_epoch():
    data = np.arange(300)
    kwargs = dict(sequence_length=4, batch_size=5, shuffle=True, seed=7)
    ds = nn.utils.timeseries_dataset_from_array(data, data * 10, **kwargs)
    epochs = [np.concatenate([x[:, 0] for x, _ in ds]) for _ in range(3)]
    positions = np.arange(297)
    np.random.RandomState(7).shuffle(positions)  # Keras's global shuffle, exactly
    for order in epochs:
        assert sorted(order.tolist()) == list(range(297))  # every window once
        # the local shuffle moves a window at most a buffer (batch_size * 8) ahead
        where = {int(p): i for i, p in enumerate(positions)}
        assert all(where[int(p)] <= i + 40 for i, p in enumerate(order))
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled each epoch
    again = nn.utils.timeseries_dataset_from_array(data, data * 10, **kwargs)
    np.testing.assert_array_equal(np.concatenate([x[:, 0] for x, _ in again]), epochs[0])
    for x, y in ds:  # targets stay with their windows
        np.testing.assert_array_equal(y, x[:, 0] * 10)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"start_index": -1}, "`start_index` must be 0 or greater"),
        ({"start_index": 20}, "`start_index` must be lower than the length"),
        ({"start_index": 5, "end_index": 5}, "`end_index` must be higher than `start_index`"),
        ({"end_index": 20}, "`end_index` must be lower than the length"),
        ({"end_index": -3}, "`end_index` must be higher than 0"),
        ({"sampling_rate": 0}, "`sampling_rate` must be higher than 0"),
        ({"sampling_rate": 20}, "`sampling_rate` must be lower than the length"),
        ({"sequence_stride": 0}, "`sequence_stride` must be higher than 0"),
        ({"sequence_stride": 20}, "`sequence_stride` must be lower than the length"),
        ({"format": "torch"}, '`format` should be either "tf" or "grain"'),
    ],
)
def test_timeseries_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.utils.timeseries_dataset_from_array(np.arange(20), None, 3, **kwargs)


# -- StreamDataset ---------------------------------------------------------------------
def test_stream_dataset_methods():
    ds = StreamDataset.from_tensor_slices((np.arange(7), np.arange(7) * 2))
    assert len(ds) == 7
    batched = ds.batch(3)
    assert len(batched) == 3 and batched.batched
    assert [x.tolist() for x, _ in batched] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(ds.batch(3, drop_remainder=True)) == 2
    assert [x.tolist() for x, _ in ds.batch(3, drop_remainder=True)] == [[0, 1, 2], [3, 4, 5]]
    assert [int(x) for x, _ in batched.unbatch()] == list(range(7))
    assert [int(x + y) for x, y in ds.map(lambda x, y: (x, y)).take(2)] == [0, 3]
    assert [int(x) for x in ds.map(lambda x, y: x).skip(5)] == [5, 6]
    assert [int(x) for x in ds.map(lambda x, y: x).filter(lambda x: x % 2 == 0)] == [0, 2, 4, 6]
    assert ds.filter(lambda x, y: True).cardinality() == -2
    assert ds.repeat().cardinality() == -1 and len(ds.repeat(2)) == 14
    assert [int(x) for x in ds.map(lambda x, y: x).repeat(2)] == list(range(7)) * 2
    assert [int(x) for x in ds.map(lambda x, y: x).repeat().take(9)] == [*range(7), 0, 1]
    with pytest.raises(TypeError, match="unknown"):
        len(ds.filter(lambda x, y: True))
    with pytest.raises(ValueError, match="batch_size must be greater than zero"):
        ds.batch(0)
    calls = []
    cached = ds.map(lambda x, y: calls.append(1) or x).cache()
    assert [int(v) for v in cached] == [int(v) for v in cached] == list(range(7))
    assert len(calls) == 7  # the second pass read the cache
    strings = StreamDataset.from_tensor_slices(np.array(["a", "bb", "c"])).batch(2)
    first = next(iter(strings))
    assert first.tolist() == ["a", "bb"]


def test_buffered_shuffle_is_a_permutation_within_the_buffer():
    rng = np.random.default_rng(0)
    out = list(buffered_shuffle(iter(range(100)), 10, rng))
    assert sorted(out) == list(range(100))
    assert all(v <= i + 10 for i, v in enumerate(out) if i < 90)  # nothing from too far ahead
    assert list(buffered_shuffle(iter(range(5)), 1, rng)) == list(range(5))  # buffer 1: in order
    ds = StreamDataset.from_tensor_slices(np.arange(50)).shuffle(8, seed=3)
    a, b = [x.tolist() for x in ds], [x.tolist() for x in ds]
    assert sorted(a) == sorted(b) == list(range(50)) and a != b
    same = StreamDataset.from_tensor_slices(np.arange(50)).shuffle(8, seed=3)
    assert [x.tolist() for x in same] == a
    fixed = StreamDataset.from_tensor_slices(np.arange(50)).shuffle(
        8, seed=3, reshuffle_each_iteration=False
    )
    assert [x.tolist() for x in fixed] == [x.tolist() for x in fixed]


# -- split_dataset ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "left,right", [(0.8, None), (None, 0.25), (3, None), (None, 4), (0.5, 0.3), (2, 3)]
)
def test_split_dataset_sizes_and_order_as_keras(left, right):
    from keras.src.utils.dataset_utils import _rescale_dataset_split_sizes

    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    want = _rescale_dataset_split_sizes(left, right, 10)
    a, b = nn.utils.split_dataset((x, y), left_size=left, right_size=right)
    assert (len(a), len(b)) == want
    assert [int(v) for _, v in a] == list(range(want[0]))
    assert [int(v) for _, v in b] == list(range(10 - want[1], 10))
    samples = list(range(10))
    random.seed(5)
    random.shuffle(samples)  # Keras's shuffle of the samples: Python's, seeded
    a, b = nn.utils.split_dataset(y, left_size=left, right_size=right, shuffle=True, seed=5)
    assert [int(v) for v in a] == samples[: want[0]]
    assert [int(v) for v in b] == samples[-want[1] :]


def test_split_dataset_of_a_batched_dataset_and_errors():
    from keras.src.utils.dataset_utils import _rescale_dataset_split_sizes

    ds = StreamDataset.from_tensor_slices(np.arange(10)).batch(4)
    a, b = nn.utils.split_dataset(ds, left_size=0.6)
    assert [v.tolist() for v in a] == [[0, 1, 2, 3], [4, 5]]
    assert [v.tolist() for v in b] == [[6, 7, 8, 9]]
    left, right = nn.utils.split_dataset(np.random.random((1000, 4)), left_size=0.8)
    assert len(left) == 800 and len(right) == 200  # the docs' example
    for bad in [(0, 0), (1.5, None), (10, None), (0.7, 0.6), (None, -1), ("a", None), (0.01, None)]:
        with pytest.raises((TypeError, ValueError)) as theirs:
            _rescale_dataset_split_sizes(*bad, 10)
        with pytest.raises(type(theirs.value)) as ours:
            nn.utils.split_dataset(np.arange(10), *bad)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="At least one of the `left_size`"):
        nn.utils.split_dataset(np.arange(10))
    with pytest.raises(ValueError, match="different lengths"):
        nn.utils.split_dataset((np.arange(3), np.arange(4)), left_size=1)
    with pytest.raises(TypeError, match="The `dataset` argument"):
        nn.utils.split_dataset({"a": 1}, left_size=1)


# -- text_dataset_from_directory -----------------------------------------------------------
def _folder(root, counts=(("neg", 7), ("pos", 5)), extra=True):
    for cls, n in counts:
        os.makedirs(root / cls / "sub", exist_ok=True)
        for i in range(n):
            where = root / cls / ("sub" if i % 3 == 0 else "") / f"{cls}_{i:02d}.txt"
            where.write_text(f"{cls} text number {i} é", encoding="utf-8")
    if extra:
        (root / "pos" / "notes.md").write_text("not a txt")
        (root / "pos" / "UPPER.TXT").write_text("pos upper")
        os.makedirs(root / ".hidden")
        (root / ".hidden" / "x.txt").write_text("hidden")
        (root / "loose.txt").write_text("a file at the top")
    return root


@pytest.mark.parametrize("shuffle,seed", [(False, None), (True, 3), (True, 11)])
def test_index_directory_is_keras(tmp_path, shuffle, seed, capsys):
    from keras.src.utils import dataset_utils as kd

    from nn.dataset_utils import index_directory

    root = str(_folder(tmp_path))
    for labels, names in (("inferred", None), ("inferred", ["pos", "neg"]), (None, None)):
        theirs = kd.index_directory(root, labels, (".txt",), names, shuffle, seed)
        keras_out = capsys.readouterr().out
        ours = index_directory(root, labels, (".txt",), names, shuffle, seed)
        assert capsys.readouterr().out == keras_out
        assert ours[0] == theirs[0]
        assert ours[2] == theirs[2]
        if labels is None:
            assert ours[1] is None and theirs[1] is None
        else:
            assert ours[1].dtype == theirs[1].dtype
            np.testing.assert_array_equal(ours[1], theirs[1])
    # labels given, one per file of the whole tree (hidden folders included), sorted
    count = len(kd.index_directory(root, None, (".txt",), None, False, verbose=False)[0])
    given = [(i * 7) % 3 for i in range(count)]
    theirs = kd.index_directory(root, list(given), (".txt",), None, shuffle, seed)
    keras_out = capsys.readouterr().out
    ours = index_directory(root, list(given), (".txt",), None, shuffle, seed)
    assert capsys.readouterr().out == keras_out == f"Found {count} files belonging to 3 classes.\n"
    assert ours[0] == theirs[0] and ours[2] == theirs[2] == ["0", "1", "2"]
    assert ours[1].tolist() == list(theirs[1])
    assert ours[1].dtype == np.int32


def test_text_dataset_from_directory_files_labels_and_messages(tmp_path, capsys):
    root = _folder(tmp_path, extra=False)
    ds = nn.utils.text_dataset_from_directory(root, batch_size=5, shuffle=False)
    assert capsys.readouterr().out == "Found 12 files belonging to 2 classes.\n"
    assert ds.class_names == ["neg", "pos"] and len(ds) == 3
    batches = list(ds)
    assert [len(x) for x, _ in batches] == [5, 5, 2]
    texts = [t for x, _ in batches for t in x]
    labels = [int(v) for _, y in batches for v in y]
    assert batches[0][0].dtype == object and batches[0][1].dtype == np.int32
    # folder by folder, files sorted within each walked folder (sub/ after the top)
    neg = [f"neg text number {i} é" for i in (1, 2, 4, 5, 0, 3, 6)]
    pos = [f"pos text number {i} é" for i in (1, 2, 4, 0, 3)]
    assert texts == neg + pos
    assert labels == [0] * 7 + [1] * 5
    binary = nn.utils.text_dataset_from_directory(
        root, label_mode="binary", shuffle=False, verbose=False, max_length=8
    )
    x, y = next(iter(binary))
    assert y.dtype == np.float32 and y.shape == (12, 1)
    assert x[0] == "neg text"  # the first 8 bytes
    cut = nn.utils.text_dataset_from_directory(
        root, shuffle=False, verbose=False, max_length=19, label_mode=None
    )
    assert next(iter(cut))[0] == "neg text number 1 "  # a character cut in two is dropped
    cat = nn.utils.text_dataset_from_directory(
        root, label_mode="categorical", shuffle=False, verbose=False, batch_size=None
    )
    elements = list(cat)
    assert len(elements) == 12 and elements[-1][1].tolist() == [0.0, 1.0]


def test_text_dataset_split_as_keras(tmp_path, capsys):
    root = _folder(tmp_path, counts=(("a", 9), ("b", 8), ("c", 3)), extra=False)
    train, val = nn.utils.text_dataset_from_directory(
        root, batch_size=4, validation_split=0.3, subset="both", seed=42
    )
    out = capsys.readouterr().out
    assert out == (
        "Found 20 files belonging to 3 classes.\nUsing 14 files for training.\n"
        "Using 6 files for validation.\n"
    )
    paths = [f"{c}_{i:02d}" for c, n in (("a", 9), ("b", 8), ("c", 3)) for i in range(n)]
    from keras.src.utils import dataset_utils as kd

    files, labels, _ = kd.index_directory(str(root), "inferred", (".txt",), None, True, 42)
    capsys.readouterr()
    val_texts = [t for x, _ in val for t in x]
    expected_val = [open(f, encoding="utf-8").read() for f in files[-6:]]
    assert val_texts == expected_val  # Keras's validation files, in order
    assert [int(v) for _, y in val for v in y] == labels[-6:].tolist()
    train_texts = sorted(t for x, _ in train for t in x)
    assert train_texts == sorted(open(f, encoding="utf-8").read() for f in files[:-6])
    for x, y in train:  # labels stay with their texts across the per-epoch shuffle
        assert [t.split()[0] for t in x] == [("a", "b", "c")[int(v)] for v in y]
    assert len(paths) == 20
    only = nn.utils.text_dataset_from_directory(
        root, validation_split=0.3, subset="validation", seed=42, verbose=False
    )
    assert sorted(t for x, _ in only for t in x) == sorted(expected_val)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"labels": "nope"}, "`labels` argument should be a list/tuple"),
        ({"labels": [0, 1], "class_names": ["a"]}, "You can only pass `class_names`"),
        ({"label_mode": "sparse"}, '`label_mode` argument must be one of "int"'),
        ({"validation_split": 1.5, "subset": "training"}, "must be between 0 and 1"),
        ({"validation_split": 0.2}, "If `subset` is set, `validation_split` must be set"),
        ({"validation_split": 0.2, "subset": "train", "seed": 1}, "`subset` must be either"),
        ({"validation_split": 0.2, "subset": "training"}, "you must provide a `seed`"),
        ({"class_names": ["zzz"]}, "The `class_names` passed did not match"),
        ({"labels": [0, 1]}, "Expected the lengths of `labels` to match"),
        ({"format": "np"}, '`format` should be either "tf" or "grain"'),
    ],
)
def test_text_dataset_errors(tmp_path, kwargs, message):
    root = _folder(tmp_path, extra=False)
    with pytest.raises(ValueError, match=message):
        nn.utils.text_dataset_from_directory(root, verbose=False, **kwargs)


def test_text_dataset_binary_needs_two_classes_and_files(tmp_path):
    root = _folder(tmp_path, counts=(("a", 2), ("b", 2), ("c", 2)), extra=False)
    with pytest.raises(ValueError, match="there must be exactly 2 class_names"):
        nn.utils.text_dataset_from_directory(root, label_mode="binary", verbose=False)
    empty = tmp_path / "empty"
    os.makedirs(empty / "a")
    with pytest.raises(ValueError, match="No text files found in directory"):
        nn.utils.text_dataset_from_directory(empty, verbose=False)


# -- fit, evaluate and predict on the datasets ----------------------------------------------
def _regressor(length, features):
    nn.utils.set_random_seed(0)
    inputs = nn.Input(shape=(length, features))
    x = nn.layers.Flatten()(inputs)
    model = nn.Model(inputs, nn.layers.Dense(1)(x))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def test_fit_on_a_timeseries_dataset_equals_fit_on_its_batches():
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(200, 2)).astype("float32")
    ds = nn.utils.timeseries_dataset_from_array(raw[:-5], raw[5:, 0], 5, batch_size=16)
    model = _regressor(5, 2)
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        history = model.fit(ds, epochs=2, verbose=0)
    batches = list(ds)
    twin = _regressor(5, 2)

    def gen():
        while True:
            yield from batches

    expected = twin.fit(gen(), steps_per_epoch=len(batches), epochs=2, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-6)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    scores = model.evaluate(ds, verbose=0)
    x = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    np.testing.assert_allclose(scores, model.evaluate(x, y, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(model.predict(ds, verbose=0), model.predict(x, verbose=0))
    unlabelled = nn.utils.timeseries_dataset_from_array(raw, None, 5, batch_size=32)
    assert model.predict(unlabelled, verbose=0).shape == (196, 1)


def test_fit_on_a_dataset_takes_class_weight_and_validation_data():
    x = np.random.default_rng(1).normal(size=(40, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    ds = StreamDataset.from_tensor_slices((x, y)).batch(8)
    runs = []
    for data in (ds, None):
        nn.utils.set_random_seed(0)
        model = nn.Sequential([nn.Input(shape=(3,)), nn.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if data is None:
                h = model.fit(
                    x,
                    y,
                    batch_size=8,
                    epochs=2,
                    shuffle=False,
                    verbose=0,
                    class_weight={0: 1.0, 1: 3.0},
                    validation_data=(x, y),
                )
            else:
                h = model.fit(
                    data, epochs=2, verbose=0, class_weight={0: 1.0, 1: 3.0}, validation_data=ds
                )
        runs.append(h.history)
    np.testing.assert_allclose(runs[0]["loss"], runs[1]["loss"], rtol=1e-6)
    np.testing.assert_allclose(runs[0]["val_loss"], runs[1]["val_loss"], rtol=1e-6)


def test_fit_on_an_empty_dataset_or_a_failing_map_says_so():
    model = _regressor(5, 2)
    empty = StreamDataset.from_tensor_slices(np.zeros((0, 5, 2))).batch(4)
    with pytest.raises(ValueError, match="the Dataset holds no batches"):
        model.fit(empty, verbose=0, shuffle=False)

    def broken(x):
        raise ValueError("broken map")

    failing = StreamDataset.from_tensor_slices(np.zeros((3, 5, 2))).batch(2).map(broken)
    with pytest.raises(ValueError, match="broken map"):
        model.fit(failing, verbose=0, shuffle=False)


def test_dlwp_ch10_temperature_forecasting_flow():
    """DLwP ch. 10's data pipeline on a synthetic series: its datasets, its naive
    baseline (the last temperature of each window) and a densely connected model."""
    rng = np.random.default_rng(0)
    n = 3000
    t = np.arange(n)
    raw_data = rng.normal(size=(n, 4))
    raw_data[:, 1] = 10 * np.sin(t / 50) + rng.normal(size=n)  # the "temperature"
    temperature = raw_data[:, 1].copy()
    num_train_samples, num_val_samples = n // 2, n // 4
    mean = raw_data[:num_train_samples].mean(axis=0)
    std = raw_data[:num_train_samples].std(axis=0)
    raw_data = (raw_data - mean) / std
    sampling_rate, sequence_length = 6, 12
    delay = sampling_rate * (sequence_length + 24 - 1)
    batch_size = 64

    def dataset(start, end, shuffle):
        return nn.utils.timeseries_dataset_from_array(
            raw_data[:-delay],
            targets=temperature[delay:],
            sampling_rate=sampling_rate,
            sequence_length=sequence_length,
            shuffle=shuffle,
            batch_size=batch_size,
            start_index=start,
            end_index=end,
        )

    train_dataset = dataset(0, num_train_samples, True)
    val_dataset = dataset(num_train_samples, num_train_samples + num_val_samples, True)
    test_dataset = dataset(num_train_samples + num_val_samples, None, True)
    for samples, targets in train_dataset:
        assert samples.shape == (batch_size, sequence_length, 4)
        assert targets.shape == (batch_size,)
        break

    def evaluate_naive_method(ds):
        total_abs_err, samples_seen = 0.0, 0
        for samples, targets in ds:
            preds = samples[:, -1, 1] * std[1] + mean[1]
            total_abs_err += np.sum(np.abs(preds - targets))
            samples_seen += samples.shape[0]
        return total_abs_err / samples_seen

    # the windows by hand: start p, last row start + p + (length - 1) * rate,
    # target temperature[start + p + delay]
    start = num_train_samples
    count = num_val_samples - (sequence_length - 1) * sampling_rate
    last = start + np.arange(count) + (sequence_length - 1) * sampling_rate
    expected = np.mean(np.abs(temperature[last] - temperature[start + np.arange(count) + delay]))
    np.testing.assert_allclose(evaluate_naive_method(val_dataset), expected, rtol=1e-12)

    nn.utils.set_random_seed(0)
    inputs = nn.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = nn.layers.Flatten()(inputs)
    x = nn.layers.Dense(16, activation="relu")(x)
    outputs = nn.layers.Dense(1)(x)
    model = nn.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(train_dataset, epochs=3, validation_data=val_dataset, verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    test_mae = model.evaluate(test_dataset, verbose=0)[1]
    assert np.isfinite(test_mae)
