"""`fit`, `evaluate` and `predict` on Keras 3's batch sources (Python generators,
`PyDataset`, `DataLoader`), run with Keras and with `nn` from the same initial weights
on the same batches, compared number by number: histories, weights, the warnings, the
errors, the callbacks' calls and a PyDataset's epoch hooks (`nn.fit_sources`)."""

import os
import random
import re
import warnings

import numpy as np
import pytest

import nn
from nn.data import DataLoader, TensorDataset

os.environ.setdefault("KERAS_BACKEND", "jax")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(24, 5)).astype(np.float32)
Y = (X @ RNG.normal(size=(5, 3))).argmax(axis=1)
W = RNG.uniform(0.5, 2.0, size=24).astype(np.float32)
BATCH = 6  # 4 batches


def batch(i, weighted=False):
    part = slice(BATCH * (i % 4), BATCH * (i % 4 + 1))
    return (X[part], Y[part], W[part]) if weighted else (X[part], Y[part])


def gen(count, weighted=False):
    for i in range(count):
        yield batch(i, weighted)


def endless():
    i = 0
    while True:
        yield batch(i)
        i += 1


def dataset_class(lib):
    class Batches(lib.utils.PyDataset):
        """Records the batches read and the epoch hooks called."""

        def __init__(self, count=4, **kwargs):
            super().__init__(**kwargs)
            self.count, self.read, self.begins, self.ends = count, [], 0, 0

        def __len__(self):
            return self.count

        def __getitem__(self, index):
            self.read.append(index)
            return batch(index)

        def on_epoch_begin(self):
            self.begins += 1

        def on_epoch_end(self):
            self.ends += 1

    return Batches


def recorder(lib):
    class Calls(lib.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_train_begin(self, logs=None):
            self.calls.append(("train_begin", self.params.get("steps")))

        def on_epoch_begin(self, epoch, logs=None):
            self.calls.append(("epoch_begin", epoch))

        def on_train_batch_end(self, batch, logs=None):
            self.calls.append(("batch_end", batch))

        def on_test_begin(self, logs=None):
            self.calls.append(("test_begin",))

        def on_epoch_end(self, epoch, logs=None):
            self.calls.append(("epoch_end", epoch, sorted(logs)))

    return Calls()


def pair(keras, optimizer="sgd"):
    """Our model and Keras's, with Keras's initial weights, compiled alike."""
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    ours = nn.Sequential(
        [nn.Input(shape=(5,)), nn.Dense(8, activation="relu"), nn.Dense(3, activation="softmax")]
    )
    ours.set_weights(theirs.get_weights())
    for model in (ours, theirs):
        model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return ours, theirs


def close(ours, theirs, rtol=1e-4):
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=1e-5, err_msg=key)


def same_weights(ours, theirs):
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def run(call):
    """`call()`'s result and the texts of the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize(
    "make, options",
    [
        (lambda: gen(4), {"epochs": 3}),  # runs out: later epochs replay Keras's 2 peeked
        (lambda: gen(7), {"epochs": 3, "steps_per_epoch": 3}),  # runs out in epoch 3
        (endless, {"epochs": 2, "steps_per_epoch": 3}),
        (lambda: gen(4, weighted=True), {"epochs": 2}),  # (x, y, sample_weight) batches
    ],
)
def test_fit_on_a_generator_follows_keras(make, options):
    keras = pytest.importorskip("keras")
    ours, theirs = pair(keras)
    calls = {nn: recorder(nn), keras: recorder(keras)}
    mine, my_warnings = run(lambda: ours.fit(make(), verbose=0, callbacks=[calls[nn]], **options))
    ref, their_warnings = run(
        lambda: theirs.fit(make(), verbose=0, callbacks=[calls[keras]], **options)
    )
    close(mine.history, ref.history)
    assert mine.epoch == ref.epoch
    same_weights(ours, theirs)
    assert calls[nn].calls == calls[keras].calls
    assert my_warnings == their_warnings  # shuffle ignored, "Your input ran out of data"


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("steps", [None, 3])
def test_fit_on_a_pydataset_follows_keras(shuffle, steps):
    keras = pytest.importorskip("keras")
    ours, theirs = pair(keras)
    data, calls, histories = {}, {}, {}
    for model, lib in ((ours, nn), (theirs, keras)):
        data[lib], calls[lib] = dataset_class(lib)(), recorder(lib)
        random.seed(3)  # Keras shuffles a PyDataset's batches with Python's random
        histories[lib], _ = run(
            lambda model=model, lib=lib: model.fit(
                data[lib],
                epochs=3,
                shuffle=shuffle,
                steps_per_epoch=steps,
                verbose=0,
                callbacks=[calls[lib]],
            )
        )
    close(histories[nn].history, histories[keras].history)
    same_weights(ours, theirs)
    assert calls[nn].calls == calls[keras].calls
    mine, ref = data[nn], data[keras]
    assert (mine.read, mine.begins, mine.ends) == (ref.read, ref.begins, ref.ends)


def test_pydataset_with_class_weight_and_validation_sources_follows_keras():
    keras = pytest.importorskip("keras")
    ours, theirs = pair(keras, optimizer="adam")
    data, val, histories = {}, {}, {}
    for model, lib in ((ours, nn), (theirs, keras)):
        data[lib], val[lib] = dataset_class(lib)(), dataset_class(lib)(count=3)
        histories[lib] = model.fit(
            data[lib],
            epochs=3,
            shuffle=False,
            class_weight={0: 0.5, 2: 3.0},
            validation_data=val[lib],
            validation_steps=2,
            verbose=0,
        )
    close(histories[nn].history, histories[keras].history)
    assert (val[nn].read, val[nn].begins, val[nn].ends) == (
        val[keras].read,
        val[keras].begins,
        val[keras].ends,
    )
    with_gen = {}
    for model, lib in ((ours, nn), (theirs, keras)):
        with_gen[lib], _ = run(
            lambda model=model: (
                model.fit(
                    endless(), steps_per_epoch=2, epochs=2, validation_data=gen(3), verbose=0
                ).history
            )
        )
    close(with_gen[nn], with_gen[keras])


def test_evaluate_and_predict_on_sources_follow_keras():
    keras = pytest.importorskip("keras")
    ours, theirs = pair(keras)
    for make in (lambda lib: gen(4), lambda lib: dataset_class(lib)(), lambda lib: gen(7)):
        mine, my_warnings = run(lambda make=make: ours.evaluate(make(nn), verbose=0, steps=None))
        ref, their_warnings = run(lambda make=make: theirs.evaluate(make(keras), verbose=0))
        np.testing.assert_allclose(mine, ref, rtol=1e-5)
        assert my_warnings == their_warnings
    assert ours.evaluate(gen(7), steps=2, verbose=0, return_dict=True) == pytest.approx(
        theirs.evaluate(gen(7), steps=2, verbose=0, return_dict=True), rel=1e-5
    )
    only_x = lambda: ((batch(i)[0],) for i in range(4))  # noqa: E731
    predicted, _ = run(lambda: ours.predict(only_x(), verbose=0))
    expected, _ = run(lambda: theirs.predict(only_x(), verbose=0))
    assert predicted.shape == (24, 3)
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-6)
    data = {nn: dataset_class(nn)(), keras: dataset_class(keras)()}
    np.testing.assert_allclose(
        ours.predict(data[nn], verbose=0), theirs.predict(data[keras], verbose=0), atol=1e-6
    )
    for lib in (nn, keras):  # predict: no reset, one epoch's hooks
        assert (data[lib].begins, data[lib].ends) == (1, 1)
    np.testing.assert_allclose(ours.predict(data[nn], steps=2, verbose=0), predicted[:12])
    evaluated = {nn: dataset_class(nn)(), keras: dataset_class(keras)()}
    ours.evaluate(evaluated[nn], verbose=0)
    theirs.evaluate(evaluated[keras], verbose=0)
    assert (evaluated[nn].begins, evaluated[nn].ends) == (
        evaluated[keras].begins,
        evaluated[keras].ends,
    )


def test_fit_on_a_dataloader_follows_keras_on_torch_s():
    keras = pytest.importorskip("keras")
    torch = pytest.importorskip("torch")
    ours, theirs = pair(keras, optimizer="adam")
    loader = DataLoader(TensorDataset(X, Y), batch_size=5)
    torch_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=5
    )
    mine, my_warnings = run(lambda: ours.fit(loader, epochs=3, verbose=0))
    ref, their_warnings = run(lambda: theirs.fit(torch_loader, epochs=3, verbose=0))
    close(mine.history, ref.history)
    assert [re.sub("torch ", "", w) for w in their_warnings] == my_warnings
    val = DataLoader(TensorDataset(X[:10], Y[:10]), batch_size=4)
    torch_val = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X[:10]), torch.tensor(Y[:10])), batch_size=4
    )
    close(
        ours.fit(loader, validation_data=val, shuffle=False, verbose=0).history,
        theirs.fit(torch_loader, validation_data=torch_val, shuffle=False, verbose=0).history,
    )
    np.testing.assert_allclose(
        ours.evaluate(val, verbose=0), theirs.evaluate(torch_val, verbose=0), rtol=1e-5
    )
    np.testing.assert_allclose(
        ours.predict(val, verbose=0), theirs.predict(torch_val, verbose=0), atol=1e-6
    )


def keras_error(call):
    with pytest.raises(ValueError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call()
    return str(info.value)


@pytest.mark.parametrize(
    "options",
    [
        {"y": Y},
        {"sample_weight": W},
        {"validation_split": 0.25},
        {"class_weight": {0: 2.0}},
    ],
)
@pytest.mark.parametrize("kind", ["generator", "PyDataset"])
def test_arguments_refused_with_a_source_as_keras(options, kind):
    keras = pytest.importorskip("keras")
    ours, theirs = pair(keras)

    def make(lib):
        return gen(4) if kind == "generator" else dataset_class(lib)()

    if kind == "PyDataset" and "class_weight" in options:  # taken, as Keras's
        ours.fit(make(nn), verbose=0, **options)
        return
    theirs_text = keras_error(lambda: theirs.fit(make(keras), verbose=0, **options))
    ours_text = keras_error(lambda: ours.fit(make(nn), verbose=0, **options))
    assert ours_text == theirs_text.replace(str(type(make(keras))), str(type(make(nn))))
    if "y" in options or "sample_weight" in options:
        given = {"y": Y} if "y" in options else {"sample_weight": W}
        assert keras_error(lambda: ours.evaluate(make(nn), verbose=0, **given)) == ours_text


def test_dataloader_refuses_class_weight_and_iterators_are_refused_as_keras():
    keras = pytest.importorskip("keras")
    ours, theirs = pair(keras)
    loader = DataLoader(TensorDataset(X, Y), batch_size=5)
    with pytest.raises(ValueError, match="`class_weight` is not supported for DataLoader"):
        ours.fit(loader, class_weight={0: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="Unrecognized data type") as ref:
        theirs.fit(iter([batch(0)]), verbose=0)
    with pytest.raises(ValueError, match="Unrecognized data type") as mine:
        ours.fit(iter([batch(0)]), verbose=0)
    assert str(mine.value).split(":")[0] == str(ref.value).split(":")[0]
    empty = (b for b in [])
    assert "must yield at least one batch" in keras_error(lambda: ours.fit(empty, verbose=0))
    nothing = DataLoader(TensorDataset(X[:0], Y[:0]), batch_size=5)
    assert (
        keras_error(lambda: ours.fit(nothing, verbose=0)) == "fit: the DataLoader holds no batches"
    )
    ours.fit(dataset_class(nn)(), verbose=0)  # (built: the next fit reads with `first`)
    message = keras_error(lambda: ours.evaluate(dataset_class(nn)(count=0), verbose=0))
    assert message == "evaluate: the PyDataset holds no batches (its length is 0)"


@pytest.mark.parametrize(
    "batches, message",
    [
        ([batch(0), (*batch(1), W[:6], W[:6])], "batch 1 of the generator is a tuple of 4 items"),
        (
            [batch(0), batch(1), ("text", Y[:6])],
            "batch 2 of the generator: x must have a batch axis",
        ),
        ([batch(0), (X[:6], Y[:5])], "batch 1 of the generator: x and y must have the same"),
        ([batch(0), X[:6]], "batch 1 of the generator is ndarray"),
        ([(X[:6],)], "fit: batch 0 of the generator: it holds no targets"),
        ([batch(0), (X[:6],)], "fit: batch 1 of the generator: it holds no targets"),
    ],
)
def test_bad_batches_name_their_index(batches, message):
    model = nn.Sequential([nn.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=re.escape(message)), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit((b for b in batches), verbose=0)


def test_first_fit_after_compile_reads_a_batch_to_build_as_keras():
    keras = pytest.importorskip("keras")
    ours = nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(3, activation="softmax")])
    theirs = keras.Sequential([keras.layers.Dense(4, "relu"), keras.layers.Dense(3, "softmax")])
    data = {}
    for model, lib in ((ours, nn), (theirs, keras)):  # unbuilt: built on a batch read anew
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        data[lib] = [dataset_class(lib)() for _ in range(3)]
        model.fit(data[lib][0], epochs=2, shuffle=False, verbose=0)
        model.fit(data[lib][1], epochs=1, shuffle=False, verbose=0)  # built: read once
        model.compile("sgd", "sparse_categorical_crossentropy")  # a new loss to build
        random.seed(5)
        model.fit(data[lib][2], epochs=1, verbose=0)
    for mine, ref in zip(data[nn], data[keras], strict=True):
        assert (mine.read, mine.begins, mine.ends) == (ref.read, ref.begins, ref.ends)
    assert data[nn][0].read == [0] + [0, 1, 2, 3] * 2


def test_verbose_2_lines_count_the_steps_as_keras(capsys):
    keras = pytest.importorskip("keras")
    ours, theirs = pair(keras)
    # Keras's target, unknown at first, is the first epoch's count of steps (the later
    # epochs of an exhausted generator run 2 batches but show it). Keras's own printed
    # count lags behind at times (its JAX backend runs the batch callbacks in a thread),
    # so only the shape of its lines is compared.
    line = r"^(\d+)/(\d+) - \d+s - \d+[mu]?s/step(?: - |$)"
    lines = {}
    for model, lib in ((ours, nn), (theirs, keras)):
        capsys.readouterr()
        run(lambda model=model: model.fit(gen(4), epochs=3, verbose=2))
        run(lambda model=model: model.evaluate(gen(3), verbose=2))
        run(lambda model=model: model.predict(gen(2), verbose=2))
        lines[lib] = re.findall(line, capsys.readouterr().out, flags=re.M)
    assert len(lines[nn]) == len(lines[keras]) == 5
    assert all(done == target for done, target in lines[keras])
    assert ["/".join(pair) for pair in lines[nn]] == ["4/4"] * 3 + ["3/3", "2/2"]


def test_pydataset_keeps_keras_s_constructor_arguments():
    data = nn.utils.Sequence(workers=4, use_multiprocessing=True, max_queue_size=3)
    assert nn.utils.Sequence is nn.utils.PyDataset
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (4, True, 3)
    with pytest.raises(NotImplementedError, match="__getitem__"):
        data[0]

    class Endless(nn.utils.PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            return batch(index)

    model = nn.Sequential([nn.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="infinite PyDataset"):
        history = model.fit(Endless(), steps_per_epoch=2, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2

    class NoSuper(nn.utils.PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, index):
            return batch(index)

    with pytest.warns(UserWarning, match="should call `super"):
        model.fit(NoSuper(), shuffle=False, verbose=0)


def _guide_model(k):
    inputs = k.Input(shape=(16,), name="digits")
    x = k.layers.Dense(32, activation="relu", name="dense_1")(inputs)
    x = k.layers.Dense(32, activation="relu", name="dense_2")(x)
    outputs = k.layers.Dense(10, activation="softmax", name="predictions")(x)
    model = k.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer=k.optimizers.RMSprop(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model


def test_keras_guide_using_a_pydataset_and_a_generator():
    """The guide "Training & evaluation with the built-in methods", sections "Using a
    PyDataset for training and evaluation" and Python generators (smaller data)."""
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    x_train, y_train = rng.normal(size=(96, 16)).astype("float32"), rng.integers(0, 10, 96)
    x_val, y_val = rng.normal(size=(40, 16)).astype("float32"), rng.integers(0, 10, 40)

    def example_class(lib):
        class ExamplePyDataset(lib.utils.PyDataset):
            def __init__(self, x, y, batch_size, **kwargs):
                super().__init__(**kwargs)
                self.x = x
                self.y = y
                self.batch_size = batch_size

            def __len__(self):
                return int(np.ceil(len(self.x) / float(self.batch_size)))

            def __getitem__(self, idx):
                batch_x = self.x[idx * self.batch_size : (idx + 1) * self.batch_size]
                batch_y = self.y[idx * self.batch_size : (idx + 1) * self.batch_size]
                return batch_x, batch_y

        return ExamplePyDataset

    def generator():
        for start in range(0, 96, 32):
            yield x_train[start : start + 32], y_train[start : start + 32]

    keras.utils.set_random_seed(0)
    theirs = _guide_model(keras)
    ours = _guide_model(nn)
    ours.set_weights(theirs.get_weights())
    results = {}
    for model, lib in ((ours, nn), (theirs, keras)):
        cls = example_class(lib)
        train_py_dataset = cls(x_train, y_train, batch_size=32)
        val_py_dataset = cls(x_val, y_val, batch_size=32)
        random.seed(0)  # fit shuffles the PyDataset's batches (shuffle=True by default)
        history = model.fit(
            train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=2, verbose=0
        )
        more, _ = run(lambda model=model: model.fit(generator(), epochs=1, verbose=0))
        scores = model.evaluate(val_py_dataset, verbose=0, return_dict=True)
        results[lib] = (history.history, more.history, scores)
    for mine, ref in zip(results[nn], results[keras], strict=True):
        close(mine, ref)
    same_weights(ours, theirs)


def _two_in_two_out(k):
    a, b = k.Input((5,), name="a"), k.Input((2,), name="b")
    joined = k.layers.Concatenate()([a, b])
    classes = k.layers.Dense(3, activation="softmax", name="cls")(joined)
    value = k.layers.Dense(1, name="reg")(joined)
    model = k.Model([a, b], [classes, value])
    model.compile("sgd", ["sparse_categorical_crossentropy", "mse"])
    return model


def test_generator_of_several_inputs_and_outputs_follows_keras():
    keras = pytest.importorskip("keras")
    extra = RNG.normal(size=(24, 2)).astype(np.float32)
    values = RNG.normal(size=(24, 1)).astype(np.float32)

    def batches():
        for i in range(4):
            part = slice(BATCH * i, BATCH * (i + 1))
            yield (X[part], extra[part]), (Y[part], values[part])

    keras.utils.set_random_seed(0)
    theirs, ours = _two_in_two_out(keras), _two_in_two_out(nn)
    ours.set_weights(theirs.get_weights())
    mine, _ = run(lambda: ours.fit(batches(), epochs=2, verbose=0))
    ref, _ = run(lambda: theirs.fit(batches(), epochs=2, verbose=0))
    close(mine.history, ref.history)
    scores, _ = run(lambda: ours.evaluate(batches(), verbose=0))
    expected, _ = run(lambda: theirs.evaluate(batches(), verbose=0))
    np.testing.assert_allclose(scores, expected, rtol=1e-5)
    predicted, _ = run(lambda: ours.predict(batches(), verbose=0))
    wanted, _ = run(lambda: theirs.predict(batches(), verbose=0))
    for a, b in zip(predicted, wanted, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_a_pydataset_without_getitem_or_len_says_what_it_must_define():
    class NoItems(nn.utils.PyDataset):
        def __len__(self):
            return 2

    class NoLength(nn.utils.PyDataset):
        def __getitem__(self, index):
            return np.zeros((2, 3)), np.zeros(2)

    with pytest.raises(NotImplementedError, match="NoItems must define __getitem__"):
        NoItems()[0]
    with pytest.raises(NotImplementedError, match="NoLength must define __len__"):
        NoLength().num_batches  # noqa: B018
    data = NoItems()
    assert data.on_epoch_begin() is None and data.on_epoch_end() is None  # hooks to override
