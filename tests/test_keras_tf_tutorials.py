"""TensorFlow's Keras tutorials (tensorflow.org/tutorials/keras), their dense parts, as
the tutorials write them, with Keras 3 (JAX backend) and with `nn`, on small synthetic
data shaped like the tutorials' (Auto MPG, the Higgs features, PetFinder), from the
same initial weights (copied from the Keras model) and in the same batch order,
compared number by number (`shuffle=False` added to `fit`, for the same batches).
`tf.` calls are spelled with numpy; pandas frames are dicts
of numpy columns; `tfdocs` callbacks are left out."""

import numpy as np
import pytest
from keras_tables import keras_summary_rows, summary_rows

import nn

keras = pytest.importorskip("keras")

LIBS = [keras, nn]
FEATURES = [
    "Cylinders",
    "Displacement",
    "Horsepower",
    "Weight",
    "Acceleration",
    "Model Year",
    "Europe",
    "Japan",
    "USA",
]


def _session(k):
    keras.utils.set_random_seed(0)
    k.utils.clear_session() if k is nn else k.backend.clear_session()


def _close(ours, theirs, rtol=2e-5, atol=2e-6):
    """Two `history` or `evaluate(return_dict=True)` dicts: the same keys in the same
    order, the same numbers to float32 precision."""
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=atol, err_msg=key)


def _auto_mpg():
    """Auto MPG's shape: 9 features of different scales (the origin one-hot), MPG."""
    rng = np.random.default_rng(0)
    n = 64
    origin = rng.integers(0, 3, n)
    columns = {
        "Cylinders": rng.choice([4.0, 6.0, 8.0], n),
        "Displacement": rng.uniform(70, 450, n),
        "Horsepower": rng.uniform(46, 230, n),
        "Weight": rng.uniform(1600, 5100, n),
        "Acceleration": rng.uniform(8, 25, n),
        "Model Year": rng.integers(70, 83, n).astype(float),
        "Europe": (origin == 0).astype(float),
        "Japan": (origin == 1).astype(float),
        "USA": (origin == 2).astype(float),
    }
    mpg = 46 - 0.1 * columns["Horsepower"] - 0.004 * columns["Weight"] + rng.normal(0, 2, n)
    features = np.stack([columns[name] for name in FEATURES], axis=1).astype("float32")
    return features, mpg.astype("float32")


def test_basic_regression_normalizer_and_linear_horsepower_model():
    """ "Basic regression: Predict fuel efficiency": the Normalization layer, the
    one-input linear model fed a 1-D column, fit with validation_split."""
    train_features, train_labels = _auto_mpg()
    horsepower = np.array(train_features[:, 2])
    results, history, predictions, means, summaries = {}, {}, {}, {}, {}
    models = {}
    for k in LIBS:
        _session(k)
        layers = k.layers
        normalizer = layers.Normalization(axis=-1)
        normalizer.adapt(np.array(train_features))
        means[k] = np.asarray(normalizer.mean)
        first = np.array(train_features[:1])
        predictions[k, "first"] = np.asarray(normalizer(first))
        horsepower_normalizer = layers.Normalization(input_shape=[1], axis=None)
        horsepower_normalizer.adapt(horsepower)
        horsepower_model = k.Sequential([horsepower_normalizer, layers.Dense(units=1)])
        summaries[k] = horsepower_model
        models[k] = horsepower_model
    models[nn].set_weights(models[keras].get_weights())
    for k in LIBS:
        horsepower_model = models[k]
        predictions[k, "untrained"] = horsepower_model.predict(horsepower[:10], verbose=0)
        horsepower_model.compile(
            optimizer=k.optimizers.Adam(learning_rate=0.1), loss="mean_absolute_error"
        )
        fitted = horsepower_model.fit(
            horsepower, train_labels, epochs=5, verbose=0, validation_split=0.2, shuffle=False
        )
        history[k] = fitted.history
        assert fitted.epoch == [0, 1, 2, 3, 4]
        results[k] = horsepower_model.evaluate(horsepower, train_labels, verbose=0)
        x = np.linspace(0.0, 250, 251)
        predictions[k, "line"] = horsepower_model.predict(x, verbose=0)
    np.testing.assert_allclose(means[nn], means[keras], rtol=1e-6)
    assert means[nn].shape == (1, 9)
    for key in ("first", "untrained", "line"):
        assert predictions[nn, key].shape == predictions[keras, key].shape
        np.testing.assert_allclose(
            predictions[nn, key], predictions[keras, key], rtol=2e-5, atol=2e-5, err_msg=key
        )
    _close(history[nn], history[keras])
    np.testing.assert_allclose(results[nn], results[keras], rtol=2e-5)
    assert summary_rows(summaries[nn].summary(print_fn=None)) == keras_summary_rows(
        summaries[keras]
    )


def _build_and_compile_model(k, norm):
    model = k.Sequential(
        [
            norm,
            k.layers.Dense(64, activation="relu"),
            k.layers.Dense(64, activation="relu"),
            k.layers.Dense(1),
        ]
    )
    model.compile(loss="mean_absolute_error", optimizer=k.optimizers.Adam(0.001))
    return model


def test_basic_regression_dnn_model_saved_and_loaded(tmp_path):
    """The DNN of all features, `summary`, `save('dnn_model.keras')` and `load_model`
    giving the same `evaluate`."""
    train_features, train_labels = _auto_mpg()
    models, history, results = {}, {}, {}
    for k in LIBS:
        _session(k)
        normalizer = k.layers.Normalization(axis=-1)
        normalizer.adapt(np.array(train_features))
        models[k] = _build_and_compile_model(k, normalizer)
        models[k].build((None, 9))
    assert summary_rows(models[nn].summary(print_fn=None)) == keras_summary_rows(models[keras])
    models[nn].set_weights(models[keras].get_weights())
    for k in LIBS:
        dnn_model = models[k]
        fitted = dnn_model.fit(
            train_features,
            train_labels,
            validation_split=0.2,
            verbose=0,
            epochs=4,
            shuffle=False,
        )
        history[k] = fitted.history
        results[k] = dnn_model.evaluate(train_features, train_labels, verbose=0)
        path = tmp_path / f"{k.__name__}_dnn_model.keras"
        dnn_model.save(path)
        reloaded = k.models.load_model(path)
        assert reloaded.evaluate(train_features, train_labels, verbose=0) == pytest.approx(
            results[k], rel=1e-6
        )
    _close(history[nn], history[keras])
    np.testing.assert_allclose(results[nn], results[keras], rtol=2e-5)


N_TRAIN, N_VALIDATION, BATCH_SIZE, FEATURES_HIGGS = 160, 40, 32, 28
STEPS_PER_EPOCH = N_TRAIN // BATCH_SIZE


def _higgs():
    """The Higgs data's shape: 28 float features, a 0/1 label (a column, as Keras 3 on
    JAX wants it for the BinaryCrossentropy metric)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(N_TRAIN + N_VALIDATION, FEATURES_HIGGS)).astype("float32")
    y = (x[:, :3].sum(1) + rng.normal(size=len(x)) > 0).astype("float32")[:, None]
    return x, y


def _overfit_tutorial(k):
    """ "Overfit and underfit", as written: the schedule, `get_optimizer`,
    `get_callbacks` (without `tfdocs`), `compile_and_fit`, and three of the models
    (the tiny one, L2 on narrower layers, L2 + dropout; Keras compiles each model's
    steps for seconds)."""
    layers, regularizers = k.layers, k.regularizers
    x, y = _higgs()

    lr_schedule = k.optimizers.schedules.InverseTimeDecay(
        0.001, decay_steps=STEPS_PER_EPOCH * 1000, decay_rate=1, staircase=False
    )

    def get_optimizer():
        return k.optimizers.Adam(lr_schedule)

    def get_callbacks(name):
        return [k.callbacks.EarlyStopping(monitor="val_binary_crossentropy", patience=200)]

    def train_batches():
        """`train_ds.shuffle(...).repeat().batch(BATCH_SIZE)`, unshuffled."""
        while True:
            for start in range(0, N_TRAIN, BATCH_SIZE):
                yield x[start : start + BATCH_SIZE], y[start : start + BATCH_SIZE]

    def compile_and_fit(model, name, optimizer=None, max_epochs=3):
        if optimizer is None:
            optimizer = get_optimizer()
        model.compile(
            optimizer=optimizer,
            loss=k.losses.BinaryCrossentropy(from_logits=True),
            metrics=[
                k.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy"),
                "accuracy",
            ],
        )
        model.summary(print_fn=lambda *args, **kwargs: None)
        history = model.fit(
            train_batches(),
            steps_per_epoch=STEPS_PER_EPOCH,
            epochs=max_epochs,
            validation_data=(x[N_TRAIN:], y[N_TRAIN:]),
            callbacks=get_callbacks(name),
            verbose=0,
        )
        return history

    def dense(units, **kwargs):
        return layers.Dense(units, activation="elu", **kwargs)

    def l2():
        return regularizers.l2(0.001)

    models = {
        "Tiny": k.Sequential([dense(16, input_shape=(FEATURES_HIGGS,)), layers.Dense(1)]),
        "L2": k.Sequential(
            [
                dense(64, kernel_regularizer=l2(), input_shape=(FEATURES_HIGGS,)),
                dense(64, kernel_regularizer=l2()),
                dense(64, kernel_regularizer=l2()),
                dense(64, kernel_regularizer=l2()),
                layers.Dense(1),
            ]
        ),
        "Combined": k.Sequential(
            [
                dense(16, kernel_regularizer=l2(), input_shape=(FEATURES_HIGGS,)),
                layers.Dropout(0.5),
                dense(16, kernel_regularizer=l2()),
                layers.Dropout(0.5),
                layers.Dense(1),
            ]
        ),
    }
    return lr_schedule, models, compile_and_fit


def test_overfit_and_underfit_schedule_models_and_histories():
    tutorials = {}
    for k in LIBS:
        _session(k)
        tutorials[k] = _overfit_tutorial(k)
    step = np.linspace(0, 100000)
    lr = {k: np.asarray(tutorials[k][0](step)) for k in LIBS}
    np.testing.assert_allclose(lr[nn] * STEPS_PER_EPOCH, lr[keras] * STEPS_PER_EPOCH, rtol=1e-6)
    histories = {}
    for name, theirs in tutorials[keras][1].items():
        ours = tutorials[nn][1][name]
        ours.set_weights(theirs.get_weights())
        assert ours.count_params() == theirs.count_params()
        for k, model in ((keras, theirs), (nn, ours)):
            histories[k] = tutorials[k][2](model, f"regularizers/{name}").history
        if name == "Combined":  # the random masks differ
            assert list(histories[nn]) == list(histories[keras])
            assert all(len(v) == 3 for v in histories[nn].values())
        else:
            _close(histories[nn], histories[keras], rtol=1e-5, atol=1e-6)


def _petfinder():
    """PetFinder's shape: numeric, integer and string columns as (n, 1) arrays (the
    tutorial's `df_to_dataset` adds that axis) and a 0/1 target."""
    rng = np.random.default_rng(2)
    n = 48
    columns = {
        "PhotoAmt": rng.integers(0, 12, n).astype("float32"),
        "Fee": (rng.integers(0, 5, n) * 50).astype("float32"),
        "Age": rng.choice([1, 2, 3, 4, 6, 12, 24, 36], n).astype("int64"),
        "Type": rng.choice(["Cat", "Dog"], n),
        "Color1": rng.choice(["Black", "Brown", "Cream", "Golden", "Gray", "White"], n),
    }
    target = (rng.random(n) < 0.7).astype("float32")
    return {key: value[:, None] for key, value in columns.items()}, target[:, None]


def _petfinder_model(k, data, lookups):
    """The tutorial's model: Normalization(axis=None) adapted on each numeric column,
    IntegerLookup (max_tokens=5) and CategoryEncoding of `Age`, the string columns'
    indices one-hot (`lookups` gives each string column's `StringLookup`, applied to
    the data beforehand, as the tutorial's `ds.map` would), `concatenate`, Dense,
    Dropout, Dense. Keras runs IntegerLookup only with TensorFlow: Keras's model gets
    nn's `Age` indices instead (`nn.layers.IntegerLookup` is tested against Keras's
    docstring examples)."""
    layers = k.layers
    all_inputs, encoded_features = {}, []
    for header in ["PhotoAmt", "Fee"]:
        numeric_col = k.Input(shape=(1,), name=header)
        normalizer = layers.Normalization(axis=None)
        normalizer.adapt(data[header])
        all_inputs[header] = numeric_col
        encoded_features.append(normalizer(numeric_col))
    age_col = k.Input(shape=(1,), name="Age", dtype="int64")
    index = lookups["Age"]
    encoder = layers.CategoryEncoding(num_tokens=index.vocabulary_size())
    encoded_features.append(encoder(index(age_col) if k is nn else age_col))
    all_inputs["Age"] = age_col
    for header in ["Type", "Color1"]:
        categorical_col = k.Input(shape=(1,), name=header, dtype="int64")
        encoder = layers.CategoryEncoding(num_tokens=lookups[header].vocabulary_size())
        encoded_features.append(encoder(categorical_col))
        all_inputs[header] = categorical_col
    all_features = layers.concatenate(encoded_features)
    x = layers.Dense(32, activation="relu")(all_features)
    x = layers.Dropout(0.5)(x)
    output = layers.Dense(1)(x)
    model = k.Model(all_inputs, output)
    model.compile(
        optimizer="adam",
        loss=k.losses.BinaryCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def test_structured_data_with_preprocessing_layers_on_a_dict_of_inputs(tmp_path):
    """ "Classify structured data using Keras preprocessing layers" (PetFinder)."""
    data, target = _petfinder()
    lookups = {"Age": nn.layers.IntegerLookup(max_tokens=5)}
    lookups["Age"].adapt(data["Age"])
    assert lookups["Age"].vocabulary_size() == 5
    indexed = dict(data)
    for header in ["Type", "Color1"]:
        lookups[header] = nn.layers.StringLookup()
        lookups[header].adapt(data[header])
        indexed[header] = lookups[header](data[header]).data
    theirs_x = {**indexed, "Age": lookups["Age"](data["Age"]).data}
    models = {}
    for k in LIBS:
        _session(k)
        models[k] = _petfinder_model(k, data, lookups)
    models[nn].set_weights(models[keras].get_weights())
    assert (
        summary_rows(models[nn].summary(print_fn=None))[1] == keras_summary_rows(models[keras])[1]
    )
    x = {keras: theirs_x, nn: indexed}
    untrained = {k: models[k].evaluate(x[k], target, verbose=0) for k in LIBS}
    np.testing.assert_allclose(untrained[nn], untrained[keras], rtol=2e-5)
    predictions = {k: models[k].predict(x[k], verbose=0) for k in LIBS}
    np.testing.assert_allclose(predictions[nn], predictions[keras], rtol=2e-5, atol=1e-6)
    history = {
        k: models[k].fit(x[k], target, epochs=2, batch_size=16, verbose=0).history for k in LIBS
    }
    assert list(history[nn]) == list(history[keras]) == ["accuracy", "loss"]
    # The model as saved and loaded, its lookup included, predicts the same.
    models[nn].save(tmp_path / "petfinder.keras")
    reloaded = nn.models.load_model(tmp_path / "petfinder.keras")
    np.testing.assert_allclose(
        reloaded.predict(indexed, verbose=0), models[nn].predict(indexed, verbose=0), rtol=1e-6
    )
    # Inference on a new sample, as the tutorial's `sample` dict of one value each.
    sample = {key: value[:1] for key, value in indexed.items()}
    assert models[nn].predict(sample, verbose=0).shape == (1, 1)
