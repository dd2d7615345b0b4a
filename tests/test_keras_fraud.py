"""The keras.io example "Imbalanced classification: credit card fraud detection", run
as written with Keras and with `nn` on synthetic data of its shape (30 features, a few
percent of positives), from the same initial weights; and Keras's rule that a model
called without `training` runs in inference mode."""

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]


def _data(n=600, seed=0):
    """Features and targets shaped as the example's, normalized as it does."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 30)).astype("float32")
    targets = (rng.uniform(size=(n, 1)) < 0.03).astype("uint8")
    features[targets[:, 0] == 1] += 1.5
    num_val_samples = int(len(features) * 0.2)
    train_features, val_features = features[:-num_val_samples], features[-num_val_samples:]
    train_targets, val_targets = targets[:-num_val_samples], targets[-num_val_samples:]
    mean = np.mean(train_features, axis=0)
    train_features -= mean
    val_features -= mean
    std = np.std(train_features, axis=0)
    train_features /= std
    val_features /= std
    return train_features, train_targets, val_features, val_targets


def _model(k, rate, n_features=30):
    return k.Sequential(
        [
            k.layers.Dense(256, activation="relu", input_shape=(n_features,)),
            k.layers.Dense(256, activation="relu"),
            k.layers.Dropout(rate),
            k.layers.Dense(256, activation="relu"),
            k.layers.Dropout(rate),
            k.layers.Dense(1, activation="sigmoid"),
        ]
    )


def _run(rate, tmp_path, capsys):
    """The example's compile and fit with each library; returns the histories, the
    printed epoch lines and the checkpoint files."""
    train_features, train_targets, val_features, val_targets = _data()
    counts = np.bincount(train_targets[:, 0])
    weight_for_0, weight_for_1 = 1.0 / counts[0], 1.0 / counts[1]
    keras.utils.set_random_seed(1)
    models = {k: _model(k, rate) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    history, lines = {}, {}
    for k, model in models.items():
        metrics = [
            k.metrics.FalseNegatives(name="fn"),
            k.metrics.FalsePositives(name="fp"),
            k.metrics.TrueNegatives(name="tn"),
            k.metrics.TruePositives(name="tp"),
            k.metrics.Precision(name="precision"),
            k.metrics.Recall(name="recall"),
        ]
        model.compile(
            optimizer=k.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=metrics
        )
        folder = tmp_path / k.__name__
        folder.mkdir()
        callbacks = [
            k.callbacks.ModelCheckpoint(str(folder / "fraud_model_at_epoch_{epoch}.keras"))
        ]
        capsys.readouterr()
        history[k] = model.fit(
            train_features,
            train_targets,
            batch_size=2048,
            epochs=3,
            verbose=2,
            callbacks=callbacks,
            validation_data=(val_features, val_targets),
            class_weight={0: weight_for_0, 1: weight_for_1},
        ).history
        lines[k] = [line for line in capsys.readouterr().out.splitlines() if " - " in line]
        assert sorted(p.name for p in folder.iterdir()) == [
            f"fraud_model_at_epoch_{epoch}.keras" for epoch in (1, 2, 3)
        ]
    return history, lines


def _values(line):
    """The `name: value` pairs of a `verbose=2` epoch line (the timing dropped)."""
    return [part for part in line.split(" - ")[3:]]


def test_fraud_example_without_dropout_gives_keras_numbers_and_lines(tmp_path, capsys):
    history, lines = _run(0.0, tmp_path, capsys)
    assert list(history[nn]) == list(history[keras])
    for key in history[keras]:
        np.testing.assert_allclose(
            history[nn][key], history[keras][key], rtol=1e-4, atol=1e-6, err_msg=key
        )
    assert len(lines[nn]) == len(lines[keras]) == 3
    for ours, theirs in zip(lines[nn], lines[keras], strict=True):
        assert [v.split(":")[0] for v in _values(ours)] == [
            v.split(":")[0] for v in _values(theirs)
        ]


def test_fraud_example_with_dropout_reports_keras_keys(tmp_path, capsys):
    """Dropout makes the runs random: the same keys, epochs and counts."""
    history, _ = _run(0.3, tmp_path, capsys)
    assert list(history[nn]) == list(history[keras])
    n_train, n_val = 480, 120
    for k in LIBS:
        counts = np.add.reduce([history[k][key] for key in ("fn", "fp", "tn", "tp")])
        assert counts.tolist() == [n_train] * 3
        val_counts = np.add.reduce([history[k][f"val_{key}"] for key in ("fn", "fp", "tn", "tp")])
        assert val_counts.tolist() == [n_val] * 3


def _functional(k):
    inputs = k.Input(shape=(4,))
    hidden = k.layers.Dropout(0.5)(k.layers.Dense(8)(inputs))
    return k.Model(inputs, k.layers.BatchNormalization()(hidden))


def test_functional_model_called_without_training_is_in_inference_as_keras():
    """`model(x)` on a functional model: Keras runs it in inference (no dropping, the
    moving statistics); nn's dropped (a Module starts in training mode). `training=True`
    and `fit` train; `train()` still sets the mode, as PyTorch's."""
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32") * 3 + 1
    keras.utils.set_random_seed(0)
    models = {k: _functional(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    plain = {k: np.asarray(model(x)) for k, model in models.items()}
    np.testing.assert_allclose(plain[nn], plain[keras], rtol=1e-5, atol=1e-5)
    for k, model in models.items():
        np.testing.assert_array_equal(np.asarray(model(x, training=False)), plain[k])
        moving_mean = model.get_weights()[-2].copy()
        trained = np.asarray(model(x, training=True))
        assert not np.allclose(trained, plain[k])
        assert not np.allclose(model.get_weights()[-2], moving_mean)  # training updates them
    model = models[nn]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((16, 8), "float32"), verbose=0)
    assert not model.training and not any(m.training for m in model.modules())
    model.train()
    assert not np.allclose(model(x).numpy(), model(x, training=False).numpy())


def _quickstart(k):
    """The beginner quickstart's model, as written (Flatten, Dense, Dropout, Dense)."""
    return k.models.Sequential(
        [
            k.layers.Flatten(input_shape=(28, 28)),
            k.layers.Dense(128, activation="relu"),
            k.layers.Dropout(0.2),
            k.layers.Dense(10),
        ]
    )


def test_keras_sequential_called_without_training_is_in_inference_as_keras():
    """``predictions = model(x_train[:1])`` of the beginner quickstart: Keras's
    Sequential runs in inference (nn's dropped: a Module starts in training mode);
    also after `fit`, and for a Sequential wrapping it with a Softmax. A stack of
    PyTorch's modules keeps torch's training mode."""
    x = np.random.default_rng(0).random((4, 28, 28)).astype("float32")
    keras.utils.set_random_seed(0)
    models = {k: _quickstart(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    plain = {k: np.asarray(model(x[:1])) for k, model in models.items()}
    np.testing.assert_allclose(plain[nn], plain[keras], rtol=1e-5, atol=1e-6)
    ours = models[nn]
    assert not ours.training and not any(m.training for m in ours.modules())
    assert not np.allclose(ours(x, training=True).numpy(), ours(x, training=True).numpy())
    ours.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    ours.fit(x, np.arange(4), epochs=1, verbose=0)
    np.testing.assert_array_equal(ours(x).numpy(), ours(x).numpy())
    probability = nn.Sequential([ours, nn.Softmax()])
    assert not probability.training
    np.testing.assert_allclose(probability(x).numpy().sum(axis=1), 1.0, rtol=1e-6)
    torch_style = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5))
    assert torch_style.training and nn.Sequential(torch_style, nn.ReLU()).training
