"""The TensorFlow 2 "quickstart for beginners" (Keras), run as written with Keras and with
`nn` on small synthetic images from the same initial weights: the untrained model
called on one image, the loss object called targets first, training, evaluation and
the probability model; and Keras's loss objects and activation layers it leads to."""

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]

RNG = np.random.default_rng(0)
X_TRAIN = RNG.random((96, 28, 28)).astype("float32")
Y_TRAIN = RNG.integers(0, 10, 96)


def _quickstart(k):
    return k.models.Sequential(
        [
            k.layers.Flatten(input_shape=(28, 28)),
            k.layers.Dense(128, activation="relu"),
            k.layers.Dropout(0.0),  # the guide's 0.2 draws masks neither library shares
            k.layers.Dense(10),
        ]
    )


def test_quickstart_as_keras():
    keras.utils.set_random_seed(0)
    models = {k: _quickstart(k) for k in LIBS}
    models[nn].set_weights(models[keras].get_weights())
    out = {}
    for k, model in models.items():
        predictions = np.asarray(model(X_TRAIN[:1]))
        loss_fn = k.losses.SparseCategoricalCrossentropy(from_logits=True)
        first = float(np.asarray(loss_fn(Y_TRAIN[:1], predictions)))
        model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
        history = model.fit(X_TRAIN, Y_TRAIN, epochs=2, batch_size=32, verbose=0, shuffle=False)
        evaluated = model.evaluate(X_TRAIN, Y_TRAIN, verbose=0)
        probability_model = k.Sequential([model, k.layers.Softmax()])
        probabilities = np.asarray(probability_model(X_TRAIN[:5]))
        out[k] = (predictions, first, history.history["loss"], evaluated, probabilities)
    for ours, theirs in zip(out[nn], out[keras], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("from_logits", [False, True])
def test_keras_crossentropy_objects_take_targets_first(from_logits):
    """``loss_fn(y_true, y_pred)`` of every Keras crossentropy, with sample weights and
    each reduction; binary crossentropy of two arrays of one shape was computed with the
    arguments swapped, silently."""
    logits = RNG.normal(size=(6, 3)).astype("float32")
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_pred = logits if from_logits else probabilities
    labels = RNG.integers(0, 3, 6)
    binary_true = (RNG.random((6, 3)) > 0.5).astype("float32")
    binary_pred = logits if from_logits else 1 / (1 + np.exp(-logits))
    weights = RNG.uniform(0.5, 2.0, 6).astype("float32")
    cases = [
        ("SparseCategoricalCrossentropy", labels, y_pred),
        ("CategoricalCrossentropy", np.eye(3, dtype="float32")[labels], y_pred),
        ("BinaryCrossentropy", binary_true, binary_pred),
    ]
    for name, y_true, pred in cases:
        for reduction in ("sum_over_batch_size", "sum", "none"):
            values = {}
            for k in LIBS:
                loss = getattr(k.losses, name)(from_logits=from_logits, reduction=reduction)
                values[k] = [np.asarray(loss(y_true, pred))]
                if reduction == "sum_over_batch_size":
                    values[k].append(np.asarray(loss(y_true, pred, sample_weight=weights)))
            for ours, theirs in zip(values[nn], values[keras], strict=True):
                np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg=name)


def test_activation_layers_as_keras():
    x = np.linspace(-3, 8, 45, dtype="float32").reshape(5, 9)
    layers = [
        lambda k: k.layers.ReLU(),
        lambda k: k.layers.ReLU(max_value=6.0),
        lambda k: k.layers.ReLU(negative_slope=0.1),
        lambda k: k.layers.ReLU(max_value=4.0, negative_slope=0.2, threshold=1.0),
        lambda k: k.layers.ReLU(threshold=0.5),
        lambda k: k.layers.ELU(alpha=0.5),
        lambda k: k.layers.Softmax(),
        lambda k: k.layers.Softmax(axis=0),
    ]
    for make in layers:
        ours, theirs = make(nn), make(keras)
        np.testing.assert_allclose(
            np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-6, atol=1e-7, err_msg=repr(ours)
        )
    assert nn.layers.ReLU().name.startswith("re_lu")
    assert nn.layers.Softmax().name.startswith("softmax")
    with pytest.raises(ValueError, match="max_value must be >= 0"):
        nn.layers.ReLU(max_value=-1.0)
    with pytest.raises(ValueError, match="threshold must be >= 0"):
        nn.layers.ReLU(threshold=-1.0)


def test_keras_loss_functions_give_one_value_per_sample_as_keras():
    """``per_sample_losses = keras.losses.sparse_categorical_crossentropy(labels_batch,
    predictions)`` of "Deep Learning with Python"'s training loop by hand, and the others."""
    logits = RNG.normal(size=(5, 3)).astype("float32")
    labels = RNG.integers(0, 3, 5)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    binary = (RNG.random((5, 3)) > 0.5).astype("float32")
    targets = RNG.normal(size=(5, 3)).astype("float32")
    cases = [
        ("sparse_categorical_crossentropy", labels, logits, {"from_logits": True}),
        ("sparse_categorical_crossentropy", labels, probabilities, {}),
        ("categorical_crossentropy", np.eye(3, dtype="float32")[labels], probabilities, {}),
        ("binary_crossentropy", binary, 1 / (1 + np.exp(-logits)), {}),
        ("binary_crossentropy", binary, logits, {"from_logits": True}),
        ("mean_squared_error", targets, logits, {}),
        ("mean_absolute_error", targets, logits, {}),
    ]
    for name, y_true, y_pred, options in cases:
        ours = getattr(nn.losses, name)(y_true, y_pred, **options)
        theirs = np.asarray(getattr(keras.losses, name)(y_true, y_pred, **options))
        assert ours.shape == theirs.shape, name
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-6, atol=1e-6, err_msg=name)


def test_keras_activation_layers_save_and_load_as_themselves(tmp_path):
    """Keras's ReLU, Softmax and ELU share their class names with PyTorch's modules:
    each loads back as the class it was, with its options and name."""
    x = np.linspace(-3, 3, 6, dtype="float32").reshape(2, 3)
    for layer in (
        nn.layers.ReLU(max_value=1.0, negative_slope=0.1, name="capped"),
        nn.layers.Softmax(axis=0),
        nn.layers.ELU(0.5),
        nn.ReLU(),
        nn.Softmax(dim=1),
        nn.ELU(0.3),
    ):
        model = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(3), layer])
        model.save(tmp_path / "model.keras")
        loaded = nn.load_model(tmp_path / "model.keras")
        assert type(loaded.layers[-1]) is type(layer)
        assert getattr(loaded.layers[-1], "name", None) == getattr(layer, "name", None)
        np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())


def test_a_model_with_a_lambda_layer_is_not_saved_and_the_file_is_kept(tmp_path):
    """A Python function cannot go into the file (no pickle): save refuses with a
    message naming the layer and the way out, and leaves the old file as it was."""
    path = tmp_path / "model.keras"
    path.write_text("the old file")
    model = nn.Sequential([nn.Input(shape=(3,)), nn.layers.Lambda(lambda x: x * 2)])
    with pytest.raises(ValueError, match=r"Lambda.*save_weights"):
        model.save(path)
    assert path.read_text() == "the old file"
