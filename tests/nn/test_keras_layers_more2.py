"""Keras 3's Identity, Permute, RepeatVector, GaussianDropout, SpatialDropout1D,
ActivityRegularization, PReLU, Dot, GroupNormalization and RMSNormalization here and
in Keras (JAX backend), given the same weights: outputs, `get_config` keys, and a
save/load round trip through `nn.load_model`."""

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


def sample(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def built_pair(name, shape, **kwargs):
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs.build(shape)
    ours.build(shape)
    ours.built = True
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=w.shape).astype(np.float32) for w in theirs.weights]
    theirs.set_weights(arrays)
    ours.set_weights(arrays)
    return ours, theirs


def keys_match(ours, theirs):
    """Our config's keys are Keras's, but for the dtype policy, `trainable`, and the
    initializers and constraints (which nn's saved layers do not keep)."""
    skipped = {"dtype", "trainable"}
    theirs_keys = {k for k in theirs.get_config() if k not in skipped}
    theirs_keys = {k for k in theirs_keys if "initializer" not in k}
    theirs_keys -= {"beta_constraint", "gamma_constraint"}  # as LayerNormalization's
    assert set(ours.get_config()) == theirs_keys


CASES = [
    ("Identity", (2, 3), {}),
    ("Permute", (2, 3, 4), {"dims": (2, 1)}),
    ("Permute", (2, 3, 4, 5), {"dims": (3, 1, 2)}),
    ("RepeatVector", (2, 3), {"n": 4}),
    ("PReLU", (4, 3, 5), {}),
    ("PReLU", (4, 3, 5), {"shared_axes": [1]}),
    ("GroupNormalization", (4, 3, 6), {"groups": 3}),
    ("GroupNormalization", (4, 6, 3), {"groups": 2, "axis": 1, "epsilon": 1e-2}),
    ("GroupNormalization", (4, 6), {"groups": -1, "center": False}),
    ("RMSNormalization", (4, 3, 5), {}),
    ("RMSNormalization", (4, 5, 3), {"axis": -1, "epsilon": 1e-3}),
    ("ActivityRegularization", (4, 3), {"l1": 0.1, "l2": 0.01}),
    ("GaussianDropout", (4, 3), {"rate": 0.3}),
    ("SpatialDropout1D", (4, 3, 5), {"rate": 0.3}),
]


@pytest.mark.parametrize("name, shape, kwargs", CASES)
def test_layer_matches_keras_with_the_same_weights(name, shape, kwargs):
    ours, theirs = built_pair(name, shape, **kwargs)
    x = sample(*shape)
    out = ours(x)
    np.testing.assert_allclose(values(out), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
    assert values(out).dtype == np.float32
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    keys_match(ours, theirs)


@pytest.mark.parametrize("name, shape, kwargs", CASES)
def test_layer_saves_and_loads(name, shape, kwargs, tmp_path):
    ours, _ = built_pair(name, shape, **kwargs)
    model = nn.Sequential([layers.Input(shape[1:]), ours])
    x = sample(*shape, seed=3)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = nn.load_model(path)
    assert type(loaded.layers[-1] if hasattr(loaded, "layers") else loaded[-1]) is type(ours)
    np.testing.assert_allclose(values(loaded(x)), values(model(x)), rtol=1e-6)


@pytest.mark.parametrize(
    "shapes, axes, normalize",
    [
        (((4, 5), (4, 5)), 1, False),
        (((4, 5), (4, 5)), -1, True),
        (((4, 3, 5), (4, 2, 5)), 2, False),
        (((4, 3, 5), (4, 3, 2)), (1, 1), False),
        (((4, 3, 5), (4, 5, 2)), (2, 1), True),
    ],
)
def test_dot_matches_keras(shapes, axes, normalize, tmp_path):
    a, b = sample(*shapes[0], seed=1), sample(*shapes[1], seed=2)
    ours = layers.Dot(axes=axes, normalize=normalize)
    theirs = keras.layers.Dot(axes=axes, normalize=normalize)
    np.testing.assert_allclose(
        values(ours([a, b])), np.asarray(theirs([a, b])), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        values(layers.dot([a, b], axes=axes, normalize=normalize)),
        np.asarray(keras.layers.dot([a, b], axes=axes, normalize=normalize)),
        rtol=1e-5,
        atol=1e-6,
    )
    keys_match(ours, theirs)


def test_dot_rejects_axes_of_different_lengths():
    with pytest.raises(ValueError, match="differ in length"):
        layers.Dot(axes=1)([np.ones((2, 3)), np.ones((2, 4))])


def test_gaussian_dropout_noise_has_keras_variance():
    layer = layers.GaussianDropout(0.5, seed=0)
    x = np.ones((400, 50), np.float32)
    out = values(layer(x, training=True))
    assert abs(out.mean() - 1.0) < 0.02 and abs(out.var() - 1.0) < 0.05  # rate / (1 - rate)
    np.testing.assert_array_equal(values(layer(x)), x)


def test_spatial_dropout_drops_whole_channels():
    layer = layers.SpatialDropout1D(0.5, seed=0)
    out = values(layer(np.ones((64, 7, 10), np.float32), training=True))
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert (out == out[:, :1, :]).all()  # the same for every step
    assert 0.4 < (out == 0).mean() < 0.6


def test_activity_regularization_adds_keras_loss():
    x = sample(4, 3)
    ours = nn.Sequential([layers.Input((3,)), layers.ActivityRegularization(l1=0.1, l2=0.01)])
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.ActivityRegularization(0.1, 0.01)])
    ours(x)
    theirs(x)
    assert float(sum(values(v) for v in ours.losses)) == pytest.approx(
        float(sum(np.asarray(v) for v in theirs.losses)), rel=1e-5
    )


def test_bad_layer_arguments_name_the_problem():
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=4).build((2, 6))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        layers.GaussianDropout(1.5)


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (6, 2), (2, 3, 4)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_initializer_has_keras_properties(shape, gain):
    ours = nn.initializers.get({"class_name": "Orthogonal", "config": {"gain": gain, "seed": 3}})
    theirs = keras.initializers.Orthogonal(gain=gain, seed=3)
    w, k = ours(shape), np.asarray(theirs(shape))
    assert w.shape == k.shape and w.dtype == k.dtype == np.float32
    flat = w.reshape(-1, shape[-1])
    small = min(flat.shape)
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(small), atol=1e-5)
    np.testing.assert_array_equal(w, nn.initializers.Orthogonal(gain, seed=3)(shape))  # seeded
    assert ours.get_config() == {"gain": gain, "seed": 3}
    assert set(ours.get_config()) == set(theirs.get_config())


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
def test_identity_initializer_matches_keras(shape):
    for ours, theirs in [
        (nn.initializers.Identity(gain=0.5), keras.initializers.Identity(gain=0.5)),
        (nn.initializers.get("identity"), keras.initializers.get("identity")),
    ]:
        np.testing.assert_array_equal(ours(shape), np.asarray(theirs(shape)))
    with pytest.raises(ValueError, match="exactly 2"):
        nn.initializers.Identity()((2, 2, 2))
    dense = nn.Dense(3, kernel_initializer="orthogonal", input_shape=(3,))
    kernel = dense.get_weights()[0]
    np.testing.assert_allclose(kernel.T @ kernel, np.eye(3), atol=1e-5)


def test_utils_normalize_matches_keras():
    x = sample(3, 4)
    x[1] = 0
    for axis, order in [(-1, 2), (1, 1), (1, 3)]:  # (axis 0 fails in Keras: `axis or -1`)
        np.testing.assert_allclose(
            nn.utils.normalize(x, axis, order), keras.utils.normalize(x, axis, order), rtol=1e-6
        )
        np.testing.assert_allclose(
            values(nn.utils.normalize(Tensor(x), axis, order)),
            np.asarray(keras.utils.normalize(keras.ops.convert_to_tensor(x), axis, order)),
            rtol=1e-5,
        )


def scaled_relu(x):
    return nn.ops.relu(x) * 2.0


def test_registered_objects_save_and_load_without_custom_objects(tmp_path):
    registered = nn.utils.register_keras_serializable(package="Tests")(scaled_relu)
    assert registered is scaled_relu
    assert nn.utils.get_custom_objects()["Tests>scaled_relu"] is scaled_relu
    assert keras.utils.register_keras_serializable(package="Tests")(scaled_relu) is scaled_relu
    model = nn.Sequential([layers.Input((3,)), nn.Dense(2, activation=scaled_relu)])
    path = tmp_path / "m.keras"
    nn.models.save_model(model, path)
    x = sample(4, 3)
    np.testing.assert_allclose(values(nn.load_model(path)(x)), values(model(x)))
    with pytest.raises(FileExistsError):
        nn.models.save_model(model, path, overwrite=False)
    with pytest.raises(ValueError, match="registered already"):
        nn.utils.register_keras_serializable(package="Tests", name="scaled_relu")(abs)


def doubled(x):
    return x * 2.0


def test_custom_object_scope_gives_load_model_the_names(tmp_path):
    model = nn.Sequential([layers.Input((3,)), nn.Dense(2, activation=doubled)])
    path = tmp_path / "m.keras"
    model.save(path)
    with pytest.raises(ValueError, match="doubled"):
        nn.load_model(path)
    with nn.utils.custom_object_scope({"doubled": doubled}):
        loaded = nn.load_model(path)
    with nn.utils.CustomObjectScope({"other": abs}, {"doubled": doubled}) as scope:
        assert set(scope.custom_objects) == {"other", "doubled"}
        nn.load_model(path)
    with pytest.raises(ValueError, match="doubled"):
        nn.load_model(path)  # the scope ended
    x = sample(2, 3)
    np.testing.assert_allclose(values(loaded(x)), values(model(x)))


def test_input_layer_takes_keras_arguments(tmp_path):
    for layer in (layers.InputLayer(shape=(3,)), layers.InputLayer(batch_shape=(None, 3))):
        model = nn.Sequential([layer, nn.Dense(2)])
        assert (
            model.count_params()
            == keras.Sequential(
                [keras.layers.InputLayer(shape=(3,)), keras.layers.Dense(2)]
            ).count_params()
        )
        path = tmp_path / "m.keras"
        model.save(path)
        x = sample(2, 3)
        np.testing.assert_allclose(values(nn.load_model(path)(x)), values(model(x)))
    with pytest.raises(ValueError, match="shape or batch_shape"):
        layers.InputLayer()
    with pytest.raises(ValueError, match="sparse"):
        layers.InputLayer(shape=(3,), sparse=True)


def test_prelu_keeps_its_constraint_through_save_and_load(tmp_path):
    model = nn.Sequential(
        [layers.Input((3,)), layers.PReLU(alpha_constraint="non_neg", alpha_regularizer="l2")]
    )
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = nn.load_model(path).layers[-1]
    assert type(loaded.alpha_constraint).__name__ == "NonNeg"
    assert loaded.get_config() == model.layers[-1].get_config()
