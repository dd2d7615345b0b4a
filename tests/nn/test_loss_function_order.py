"""A plain function given to `compile(loss=...)` is called as Keras calls it,
`fn(y_true, y_pred)`: an asymmetric loss copied from a Keras guide trains to
Keras's numbers (prediction first, it trained silently on other numbers)."""

import numpy as np
import pytest

import nn
from nn import ops

keras = pytest.importorskip("keras")


def asymmetric_loss(y_true, y_pred):
    """Under-predictions cost 3 times over-predictions (not symmetric in its arguments)."""
    d = y_true - y_pred
    return ops.mean(ops.maximum(d, 0.0) * 3.0 + ops.maximum(-d, 0.0), axis=-1)


def keras_loss(y_true, y_pred):
    d = y_true - y_pred
    return keras.ops.mean(keras.ops.maximum(d, 0.0) * 3.0 + keras.ops.maximum(-d, 0.0), axis=-1)


def test_function_loss_takes_targets_first_as_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    y = (x @ rng.normal(size=(5, 2))).astype(np.float32)
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(
        [keras.Input(shape=(5,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]
    )
    ours = nn.Sequential([nn.Dense(8, activation="relu", input_dim=5), nn.Dense(2)])
    ours.set_weights(theirs.get_weights())
    theirs.compile(optimizer="sgd", loss=keras_loss)
    ours.compile(optimizer="sgd", loss=asymmetric_loss)
    w = np.linspace(0.5, 1.5, len(x))
    k = theirs.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0, sample_weight=w)
    o = ours.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0, sample_weight=w)
    np.testing.assert_allclose(o.history["loss"], k.history["loss"], rtol=2e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0), 2e-5)


def test_modules_keep_the_prediction_first():
    """nn's loss modules (PyTorch's order) are not wrapped."""
    loss = nn.MSELoss()
    assert nn.losses.get(loss) is loss
    wrapped = nn.losses.get(asymmetric_loss)
    assert isinstance(wrapped, nn.losses.LossFunctionWrapper)
    assert wrapped.name == "asymmetric_loss"
