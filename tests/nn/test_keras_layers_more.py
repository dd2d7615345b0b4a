"""Keras 3's normalization, preprocessing and reshaping layers, its regularizers and
`model.losses` here and in Keras, given the same weights: outputs in training and
inference, moving statistics, `adapt`, fit losses per epoch, evaluate, param counts,
symbolic shapes. In float32: Keras on JAX computes in float32 unless JAX's x64 mode,
a process-wide switch, is on."""

import os

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import layers

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")


def values(out):
    return np.asarray(out.data if isinstance(out, Tensor) else out)


def pair(name, *args, dtype="float32", **kwargs):
    """The same layer made here and in Keras."""
    ours = getattr(layers, name)(*args, dtype=dtype, **kwargs)
    theirs = getattr(keras.layers, name)(*args, dtype=dtype, **kwargs)
    return ours, theirs


def built_pair(name, shape, *args, **kwargs):
    """A pair built for inputs of `shape`, with Keras's random-looking weights copied
    over (ours get Keras's, so the comparison is on equal footing)."""
    ours, theirs = pair(name, *args, **kwargs)
    theirs.build(shape)
    ours.build(shape)
    ours.built = True
    rng = np.random.default_rng(1)
    arrays = [
        (
            rng.uniform(0.5, 1.5, w.shape) if "variance" in w.name else rng.normal(size=w.shape)
        ).astype(np.float32)
        for w in theirs.weights
    ]
    theirs.set_weights(arrays)
    ours.set_weights(arrays)
    return ours, theirs


def sample(*shape, seed=0, scale=2.0, shift=0.5):
    return (np.random.default_rng(seed).normal(size=shape) * scale + shift).astype(np.float32)


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((6, 4), {}),
        ((6, 4), {"momentum": 0.7, "epsilon": 1e-2}),
        ((5, 3, 4), {"axis": 1, "center": False}),
        ((5, 3, 4), {"axis": -1, "scale": False}),
        ((5, 2, 3, 4), {"axis": 2, "momentum": 0.5}),
    ],
)
def test_batch_normalization_matches_keras_in_training_and_inference(shape, kwargs):
    ours, theirs = built_pair("BatchNormalization", shape, **kwargs)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    for step in range(3):  # moving statistics move the same way step after step
        x = sample(*shape, seed=step)
        np.testing.assert_allclose(
            values(ours(x, training=True)), values(theirs(x, training=True)), atol=2e-6
        )
        for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    x = sample(*shape, seed=9)
    np.testing.assert_allclose(values(ours(x)), values(theirs(x)), atol=2e-6)
    np.testing.assert_allclose(
        values(ours(x, training=False)), values(theirs(x, training=False)), atol=2e-6
    )


def test_batch_normalization_weights_and_counts_as_keras():
    ours, theirs = layers.BatchNormalization(), keras.layers.BatchNormalization()
    ours.build((None, 5))
    theirs.build((None, 5))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 2
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights) == 2
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # ones, zeros, zeros, ones
    assert (ours.momentum, ours.epsilon) == (theirs.momentum, theirs.epsilon) == (0.99, 1e-3)


def test_frozen_batch_normalization_runs_in_inference_mode_as_keras():
    ours, theirs = built_pair("BatchNormalization", (8, 3))
    ours.trainable = theirs.trainable = False
    x = sample(8, 3)
    np.testing.assert_allclose(
        values(ours(x, training=True)), values(theirs(x, training=True)), atol=2e-6
    )
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((4, 6), {}),
        ((4, 6), {"epsilon": 1e-5, "center": False}),
        ((3, 4, 5), {"axis": [1, 2]}),
        ((3, 4, 5), {"axis": 1, "scale": False}),
    ],
)
def test_layer_normalization_matches_keras(shape, kwargs):
    ours, theirs = built_pair("LayerNormalization", shape, **kwargs)
    x = sample(*shape)
    np.testing.assert_allclose(values(ours(x)), values(theirs(x)), atol=2e-6)
    np.testing.assert_allclose(
        values(ours(x, training=True)), values(theirs(x, training=True)), atol=2e-6
    )
    assert ours.epsilon == theirs.epsilon


@pytest.mark.parametrize(
    "shape, axis",
    [((20, 3), -1), ((20, 3), None), ((10, 4, 3), 1), ((10, 4, 3), (1, 2)), ((10, 4, 3), -1)],
)
def test_normalization_adapt_matches_keras(shape, axis):
    ours, theirs = pair("Normalization", axis=axis)
    data = sample(*shape, scale=3.0, shift=-1.0)
    ours.adapt(data)
    theirs.adapt(data)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    x = sample(*shape, seed=5)
    np.testing.assert_allclose(values(ours(x)), values(theirs(x)), rtol=1e-6, atol=2e-6)


def test_normalization_adapts_batches_to_the_statistics_of_all():
    # (Keras merges batches the same way, but only with TensorFlow installed)
    ours, theirs = pair("Normalization")
    batches = [sample(n, 3, seed=n) for n in (7, 2, 11)]
    ours.adapt(iter(batches))
    theirs.adapt(np.concatenate(batches))
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mean": 2.0, "variance": 4.0},
        {"mean": [1.0, -2.0, 0.5], "variance": [4.0, 0.25, 0.0]},  # a zero variance: floor
        {"mean": [1.0, -2.0, 0.5], "variance": [4.0, 0.25, 1.0], "invert": True},
    ],
)
def test_normalization_with_given_statistics_matches_keras(kwargs):
    ours, theirs = pair("Normalization", **kwargs)
    x = sample(5, 3)
    np.testing.assert_allclose(values(ours(x)), values(theirs(x)), rtol=1e-6)
    assert ours.weights == [] and theirs.weights == []


@pytest.mark.parametrize(
    "name, args, kwargs, shape",
    [
        ("Rescaling", (1 / 255,), {}, (4, 3)),
        ("Rescaling", (2.0,), {"offset": -1.0}, (2, 3, 2)),
        ("Reshape", ((3, 2),), {}, (4, 6)),
        ("Reshape", ((-1, 2),), {}, (4, 2, 3)),
        ("UnitNormalization", (), {}, (4, 5)),
        ("UnitNormalization", (), {"axis": [1, 2]}, (3, 2, 4)),
        ("Activation", ("relu",), {}, (4, 5)),
        ("Activation", ("tanh",), {}, (4, 5)),
        ("Activation", ("softmax",), {}, (4, 5)),
        ("GaussianNoise", (0.3,), {}, (4, 5)),  # inference: the identity
    ],
)
def test_stateless_layers_match_keras(name, args, kwargs, shape):
    ours = getattr(layers, name)(*args, **kwargs)
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    x = sample(*shape).astype(np.float32)
    np.testing.assert_allclose(values(ours(x)), values(theirs(x)), rtol=1e-6, atol=1e-7)


def test_unit_normalization_of_zero_rows_matches_keras():
    x = np.zeros((2, 3), np.float32)
    np.testing.assert_array_equal(
        values(layers.UnitNormalization()(x)), values(keras.layers.UnitNormalization()(x))
    )


def test_gaussian_noise_adds_noise_in_training_only():
    layer = layers.GaussianNoise(0.5, seed=3)
    x = np.ones((4000, 5), np.float32)
    noisy = values(layer(x, training=True))
    assert abs(noisy.mean() - 1) < 0.02 and abs(noisy.std() - 0.5) < 0.01
    again = values(layers.GaussianNoise(0.5, seed=3)(x, training=True))
    np.testing.assert_array_equal(noisy, again)  # a seed gives the same noise
    np.testing.assert_array_equal(values(layer(x)), x)
    model = nn.Sequential([nn.Input((5,)), layer])
    np.testing.assert_array_equal(model.predict(x[:7], verbose=0), x[:7])


def regularized(lib, with_noise=False):
    """A model with every regularizer kind, Batch and Layer normalization."""
    regs = lib.regularizers
    return lib.Sequential(
        [
            lib.Input((5,)),
            lib.layers.Dense(
                6,
                activation="relu",
                kernel_regularizer=regs.L2(0.05),
                bias_regularizer=regs.L1(0.02),
                activity_regularizer=regs.L1L2(l1=0.01, l2=0.03),
            ),
            lib.layers.BatchNormalization(momentum=0.8),
            lib.layers.Dense(4, kernel_regularizer="l1", activation="tanh"),
            lib.layers.LayerNormalization(gamma_regularizer=regs.L2(0.1)),
            lib.layers.Dense(1, activation="sigmoid", kernel_regularizer="l2"),
        ]
    )


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    y = (x @ rng.normal(size=5) > 0).astype(np.float32)
    return x, y


def keras_and_ours():
    keras.utils.set_random_seed(0)
    theirs, ours = regularized(keras), regularized(nn)
    arrays = theirs.get_weights()
    arrays = [a + 0.05 if a.ndim == 1 and i < 2 else a for i, a in enumerate(arrays)]
    theirs.set_weights(arrays)
    ours.set_weights(arrays)
    return ours, theirs


def test_model_losses_match_keras():
    ours, theirs = keras_and_ours()
    x, _ = data()
    theirs(x)
    ours(x)
    assert len(ours.losses) == len(theirs.losses) == 6
    np.testing.assert_allclose(
        [float(values(v)) for v in ours.losses], [float(v) for v in theirs.losses], rtol=1e-6
    )
    dense = ours.layers[0]
    assert len(dense.losses) == 3  # its activity penalty, then its kernel's and bias's


def test_regularized_fit_and_evaluate_match_keras():
    ours, theirs = keras_and_ours()
    x, y = data()
    theirs.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    ours.compile(optimizer=nn.optimizers.SGD(0.1), loss="binary_crossentropy")
    k_hist = theirs.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0)
    o_hist = ours.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(o_hist.history["loss"], k_hist.history["loss"], rtol=2e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):  # moving stats too
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(
        theirs.evaluate(x, y, verbose=0), rel=2e-5
    )


def test_frozen_weights_are_not_penalized_as_in_keras():
    ours, theirs = keras_and_ours()
    ours.layers[0].trainable = theirs.layers[0].trainable = False
    x, _ = data()
    theirs(x)
    ours(x)
    np.testing.assert_allclose(
        [float(values(v)) for v in ours.losses], [float(v) for v in theirs.losses], rtol=1e-6
    )


def test_regularizers_compute_what_keras_computes():
    x = sample(4, 3).astype(np.float32)
    cases = [("L1", (0.3,)), ("L2", (0.1,)), ("L1L2", (0.01, 0.02)), ("L1L2", ()), ("L1", ())]
    for name, args in cases:
        ours, theirs = (
            getattr(nn.regularizers, name)(*args),
            getattr(keras.regularizers, name)(*args),
        )
        assert float(values(ours(Tensor(x)))) == pytest.approx(float(theirs(x)), rel=1e-6)
        assert ours.get_config() == pytest.approx(theirs.get_config())
    for name in ("l1", "l2"):
        ours = nn.regularizers.get(name)
        theirs = keras.regularizers.get(name)
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.get_config() == pytest.approx(theirs.get_config())
    assert nn.regularizers.l1_l2 is nn.regularizers.L1L2  # Keras 3's alias, defaults 0
    assert nn.regularizers.l1_l2().get_config() == keras.regularizers.l1_l2().get_config()


def test_add_weight_regularizer_matches_keras():
    def scale_layer(lib):
        class Scale(lib.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(
                    shape=(input_shape[-1],),
                    initializer="ones",
                    regularizer=lib.regularizers.L2(0.5),
                )
                self.frozen = self.add_weight(
                    shape=(2,), initializer="ones", trainable=False, regularizer="l1"
                )

            def call(self, inputs):
                return inputs * self.scale

        return Scale(activity_regularizer="l2")

    ours, theirs = scale_layer(nn), scale_layer(keras)
    x = sample(3, 4).astype(np.float32)
    ours(x)
    theirs(x)
    np.testing.assert_allclose(
        [float(values(v)) for v in ours.losses], [float(v) for v in theirs.losses], rtol=1e-6
    )


def all_layers(lib):
    L = lib.layers
    return [
        L.Normalization(),
        L.BatchNormalization(),
        L.Dense(6, activation="relu"),
        L.LayerNormalization(),
        L.Rescaling(0.5, offset=1.0),
        L.GaussianNoise(0.1),
        L.Activation("tanh"),
        L.Reshape((3, 2)),
        L.UnitNormalization(axis=1),
    ]


def test_param_counts_and_symbolic_shapes_match_keras():
    nn.utils.clear_session()  # names are numbered per session, as Keras's
    keras.utils.clear_session()
    theirs = keras.Sequential([keras.Input((4,)), *all_layers(keras)])
    ours = nn.Sequential([nn.Input((4,)), *all_layers(nn)])
    assert ours.count_params() == theirs.count_params() == 67
    for o, t in zip(ours.layers, theirs.layers, strict=True):
        assert sum(a.size for a in o.state_dict().values()) == t.count_params()
        frozen = sum(w.size for w in getattr(o, "non_trainable_weights", []))
        assert frozen == sum(int(np.prod(w.shape)) for w in t.non_trainable_weights)
    text = ours.summary(print_fn=None)
    assert "Trainable params: 50" in text and "Non-trainable params: 17" in text
    assert "normalization (Normalization)" in text and "(None, 3, 2)" in text
    k_in, o_in = keras.Input((4,)), nn.Input((4,))
    k_x, o_x = k_in, o_in
    for k_layer, o_layer in zip(all_layers(keras), all_layers(nn), strict=True):
        k_x, o_x = k_layer(k_x), o_layer(o_x)
        assert o_x.shape == tuple(k_x.shape)
    assert nn.Model(o_in, o_x).count_params() == keras.Model(k_in, k_x).count_params()


def test_normalized_model_predicts_as_keras():
    x = sample(32, 4).astype(np.float32)
    theirs = keras.Sequential([keras.Input((4,)), *all_layers(keras)])
    ours = nn.Sequential([nn.Input((4,)), *all_layers(nn)])
    theirs.layers[0].adapt(x)
    ours.layers[0].adapt(x)
    arrays = theirs.get_weights()
    # Keras reads a Normalization's statistics when adapted, not from set_weights
    arrays = arrays[:3] + [a + 0.1 for a in arrays[3:]]
    theirs.set_weights(arrays)
    ours.set_weights(arrays)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), atol=1e-6)
