"""Two models built on `Conv2DTranspose`, as their sources write them, with Keras 3 and
with `nn`: "Deep Learning with Python" (2nd edition) chapter 9's image segmentation
model (its summary, row by row, and its parameter counts against Keras's), and keras.io's
"Convolutional autoencoder for image denoising" fitted one epoch on a few random 28 x 28
images from the same initial weights (losses, predictions)."""

from __future__ import annotations

import numpy as np
import pytest
from keras_tables import keras_summary_rows, summary_rows

import nn

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _fresh_names():
    """Both libraries number default layer names per session ("input_layer_4"): start
    both at zero, whatever tests ran before."""
    keras.backend.clear_session()
    nn.utils.clear_session()


def _segmentation_model(k, img_size=(200, 200), num_classes=3):
    """DLwP 2nd ed. listing 9.4, as printed."""
    layers = k.layers
    inputs = k.Input(shape=img_size + (3,))  # noqa: RUF005  (as the book writes it)
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(64, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(128, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(128, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(256, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(256, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(256, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(256, 3, activation="relu", padding="same", strides=2)(x)
    x = layers.Conv2DTranspose(128, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(128, 3, activation="relu", padding="same", strides=2)(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", padding="same", strides=2)(x)
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)
    return k.Model(inputs, outputs)


def test_segmentation_model_summary_is_the_books():
    lines: list[str] = []
    model, reference = _segmentation_model(nn), _segmentation_model(keras)
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    ours, theirs = summary_rows(text), keras_summary_rows(reference)
    assert len(ours[0]) >= 9  # the rows whose name and type fit on one line
    assert ours == theirs
    assert ("Total", "2,880,643") in ours[1]
    assert [m.count_params() for m in model.layers[1:]] == [
        m.count_params() for m in reference.layers[1:]
    ]
    for shape, count in [("(None, 50, 50, 256)", "590,080"), ("(None, 200, 200, 64)", "36,928")]:
        rows = text.split("\n")
        assert any(shape in row and row.rstrip(" │").endswith(count) for row in rows), shape


def _denoising_autoencoder(k):
    """keras.io's "Convolutional autoencoder for image denoising", as written."""
    layers = k.layers
    input = layers.Input(shape=(28, 28, 1))
    # Encoder
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    # Decoder
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    # Autoencoder
    autoencoder = k.Model(input, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder


def test_denoising_autoencoder_fits_one_epoch_as_keras():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    clean = rng.random((48, 28, 28, 1)).astype("float32")
    noisy = np.clip(clean + 0.4 * rng.normal(size=clean.shape), 0, 1).astype("float32")
    models = {k: _denoising_autoencoder(k) for k in (keras, nn)}
    models[nn].set_weights(models[keras].get_weights())
    lines: list[str] = []
    models[nn].summary(print_fn=lines.append)
    assert summary_rows("\n".join(lines)) == keras_summary_rows(models[keras])
    out = {}
    for k, model in models.items():
        history = model.fit(
            x=noisy, y=clean, epochs=1, batch_size=16, shuffle=False,
            validation_data=(noisy[:8], clean[:8]), verbose=0,
        )  # fmt: skip
        out[k] = (history.history, model.predict(noisy[:4], verbose=0))
    assert list(out[nn][0]) == list(out[keras][0]) == ["loss", "val_loss"]
    for key, values in out[keras][0].items():
        np.testing.assert_allclose(out[nn][0][key], values, rtol=2e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(out[nn][1], out[keras][1], rtol=1e-4, atol=1e-5)
