"""Keras's BatchNormalization, LayerNormalization, Normalization, ... and regularizers:
save / load round trips, `losses` by hand, and the errors for bad arguments."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import layers, regularizers


def every_layer_model():
    x = np.random.default_rng(0).normal(size=(30, 4)).astype(np.float32)
    norm = layers.Normalization()
    norm.adapt(x)
    model = nn.Sequential(
        [
            nn.Input((4,)),
            norm,
            layers.BatchNormalization(momentum=0.9, epsilon=1e-2, center=False),
            layers.Dense(
                6,
                activation="relu",
                kernel_regularizer=regularizers.L2(0.05),
                bias_regularizer="l1",
                activity_regularizer=regularizers.L1L2(l1=0.01, l2=0.02),
            ),
            layers.LayerNormalization(axis=-1, epsilon=1e-4, gamma_regularizer="l2"),
            layers.Rescaling(0.5, offset=1.0),
            layers.GaussianNoise(0.1, seed=4),
            layers.Activation("tanh"),
            layers.Reshape((3, 2)),
            layers.UnitNormalization(axis=[1, 2]),
            layers.Flatten(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    return model, x


def test_save_and_load_keep_every_layer_and_regularizer(tmp_path):
    model, x = every_layer_model()
    y = (x[:, 0] > 0).astype(np.float32)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=0)
    model.save(tmp_path / "m.keras")
    loaded = nn.load_model(tmp_path / "m.keras")
    assert [type(m) for m in loaded.layers] == [type(m) for m in model.layers]
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # moving statistics and adapted mean too
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    dense = loaded.layers[2]
    assert dense.kernel_regularizer.get_config() == {"l2": 0.05}
    assert dense.bias_regularizer.get_config() == regularizers.L1().get_config()
    assert dense.activity_regularizer.get_config() == {"l1": 0.01, "l2": 0.02}
    bn, ln = loaded.layers[1], loaded.layers[3]
    assert (bn.momentum, bn.epsilon, bn.center, bn.beta) == (0.9, 1e-2, False, None)
    assert type(ln.gamma_regularizer) is regularizers.L2 and ln.epsilon == 1e-4
    assert loaded.layers[7].target_shape == (3, 2) and loaded.layers[8].axis == (1, 2)
    assert loaded.layers[5].seed == 4 and loaded.layers[6].activation == "tanh"
    np.testing.assert_allclose(
        [float(v.data) for v in loaded.losses], [float(v.data) for v in model.losses], rtol=1e-6
    )


def test_functional_model_with_new_layers_round_trips(tmp_path):
    inputs = nn.Input((3, 2))
    a = layers.BatchNormalization(axis=1)(inputs)
    b = layers.Reshape((6,))(layers.LayerNormalization(axis=[1, 2])(inputs))
    merged = layers.Concatenate()([layers.Flatten()(a), b])
    model = nn.Model(inputs, layers.Dense(2, kernel_regularizer="l1")(merged))
    x = np.random.default_rng(1).normal(size=(5, 3, 2)).astype(np.float32)
    model.save(tmp_path / "f.keras")
    loaded = nn.load_model(tmp_path / "f.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [w.shape for w in loaded.layers[1].weights] == [(3,)] * 4


def test_normalization_given_statistics_round_trips(tmp_path):
    model = nn.Sequential(
        [nn.Input((3,)), layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0])]
    )
    model.save(tmp_path / "n.keras")
    loaded = nn.load_model(tmp_path / "n.keras")
    x = np.array([[2.0, 4.0, 6.0]], np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), [[1.0, 1.0, 1.0]])


def test_a_function_regularizer_or_activation_cannot_be_saved(tmp_path):
    model = nn.Sequential([nn.Dense(2, input_shape=(3,), kernel_regularizer=lambda w: w.sum())])
    with pytest.raises(ValueError, match="regularizer"):
        model.save(tmp_path / "m.keras")
    model = nn.Sequential([nn.Dense(2, input_shape=(3,)), layers.Activation(lambda t: t.tanh())])
    with pytest.raises(ValueError, match="Activation"):
        model.save(tmp_path / "m.keras")


def test_losses_are_the_penalties_by_hand():
    dense = nn.Dense(
        3,
        input_dim=2,
        kernel_initializer="ones",
        kernel_regularizer=regularizers.L1(0.5),
        bias_regularizer=regularizers.L2(2.0),
        activity_regularizer=regularizers.L2(0.1),
    )
    dense.bias.data[...] = [1.0, -1.0, 2.0]
    x = np.array([[1.0, 2.0], [0.0, 1.0]], np.float32)
    out = dense(x).data
    activity, kernel, bias = (float(v.data) for v in dense.losses)
    assert activity == pytest.approx(0.1 * (out**2).sum() / 2)  # divided by the batch size
    assert kernel == pytest.approx(0.5 * 6) and bias == pytest.approx(2.0 * 6)
    penalty = dense.losses[1] + dense.losses[2]
    penalty.backward()  # the penalties are in the graph: d(l1 * sum|w|)/dw = l1 * sign(w)
    np.testing.assert_allclose(dense.kernel.grad.data, np.full((2, 3), 0.5))
    np.testing.assert_allclose(dense.bias.grad.data, 2 * 2.0 * dense.bias.data)


def test_fit_minimizes_the_loss_plus_the_penalties():
    x = np.zeros((8, 2), np.float32)  # the data loss does not depend on the kernel
    y = np.zeros((8, 1), np.float32)
    model = nn.Sequential([nn.Dense(1, input_dim=2, use_bias=False, kernel_regularizer="l2")])
    model.set_weights([np.array([[1.0], [-2.0]], np.float32)])
    model.compile(optimizer=nn.optimizers.SGD(0.5), loss="mse")
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(0.01 * 5)  # the penalty, reported
    np.testing.assert_allclose(model.get_weights()[0], [[0.99], [-1.98]], rtol=1e-6)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(0.01 * (0.99**2 + 1.98**2))


def test_regularizer_names_and_errors():
    assert type(regularizers.get("l1")) is regularizers.L1
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}
    assert regularizers.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.get({"class_name": "L2", "config": {"l2": 0.3}}).l2 == 0.3
    assert float(regularizers.L1L2()(Tensor(np.ones(3)))) == 0.0
    with pytest.raises(ValueError, match=r"kernel_regularizer.*'l3'"):
        nn.Dense(2, kernel_regularizer="l3")
    with pytest.raises(TypeError, match="activity_regularizer"):
        nn.Dense(2, activity_regularizer=3)
    with pytest.raises(ValueError, match="l2"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="regularizer"):
        nn.Layer().add_weight(shape=(2,), regularizer="nope")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.BatchNormalization(momentum=1.5), "momentum"),
        (lambda: layers.BatchNormalization(epsilon=0), "epsilon"),
        (lambda: layers.BatchNormalization(center="yes"), "center"),
        (lambda: layers.LayerNormalization(axis="last"), "axis"),
        (lambda: layers.Normalization(mean=1.0), "mean and variance"),
        (lambda: layers.Normalization(mean=0.0, variance=-1.0), "variance"),
        (lambda: layers.Rescaling("2"), "scale"),
        (lambda: layers.Rescaling(2.0, offset=None), "offset"),
        (lambda: layers.Reshape(6), "target_shape"),
        (lambda: layers.Reshape((-1, -1)), "target_shape"),
        (lambda: layers.Reshape((0, 2)), "target_shape"),
        (lambda: layers.GaussianNoise(-0.1), "stddev"),
        (lambda: layers.Activation(3), "activation"),
        (lambda: layers.Activation("nope"), "unknown activation"),
        (lambda: layers.BatchNormalization(foo=1), "foo"),
    ],
)
def test_bad_arguments_are_named(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="axis 2"):
        layers.BatchNormalization(axis=2).build((None, 3))
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape((4, 2))(np.zeros((2, 6), np.float32))
    norm = layers.Normalization()
    norm.adapt(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match="built for inputs of shape"):
        norm.adapt(np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match="reshape"):  # a functional call names the layer
        layers.Reshape((5,))(nn.Input((6,)))


def test_batch_normalization_updates_moving_statistics_by_keras_rule():
    layer = layers.BatchNormalization(momentum=0.75)
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]], np.float32)
    y = layer(x, training=True).data
    np.testing.assert_allclose(layer.moving_mean.data, 0.25 * x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(
        layer.moving_variance.data, 0.75 + 0.25 * x.var(axis=0), rtol=1e-6
    )  # the biased variance, unlike BatchNorm1d's
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(
        layer(x).data,
        (x - layer.moving_mean.data) / np.sqrt(layer.moving_variance.data + 1e-3),
        rtol=1e-6,
    )


def test_pytorch_norms_still_compute_their_formulas():
    x = np.random.default_rng(2).normal(size=(6, 4)).astype(np.float32)
    bn, ln = nn.BatchNorm1d(4, affine=False), nn.LayerNorm(4)
    np.testing.assert_allclose(
        bn.train()(Tensor(x)).data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-6)
    mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    np.testing.assert_allclose(
        ln(Tensor(x)).data, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-5, atol=1e-6
    )
