"""Keras's image preprocessing and augmentation layers and image ops against Keras 3
(JAX backend): `affine_transform` and `resize` values and input gradients in float64
(under jax.enable_x64), each layer's `transform_images` on the transformation Keras's
layer drew, `Resizing` / `CenterCrop` outputs, configs, inference identity, seeded
draws, the range of the random factors, errors, saving, and DLwP's augmented convnet."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import keras_image_affine
from nn.image_affine import affine_transform, resize, smart_resize

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")

FILL_MODES = ["constant", "nearest", "wrap", "mirror", "reflect"]
TRANSFORMS = np.array(
    [
        [0.9, -0.3, 1.2, 0.4, 1.1, -0.7, 0.0, 0.0],
        [1.3, 0.2, -2.5, -0.1, 0.8, 1.9, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
    ]
)


def _keras_grad(fn, x, upstream):
    """jax.grad of sum(fn(x) * upstream) in float64."""
    with jax.enable_x64(True):
        value = np.asarray(fn(x))
        grad = np.asarray(jax.grad(lambda v: (fn(v) * upstream).sum())(x))
    assert value.dtype == grad.dtype == np.float64
    return value, grad


def _ours_grad(fn, x, upstream):
    xt = Tensor(x, requires_grad=True)
    y = fn(xt)
    (y * Tensor(upstream)).sum().backward()
    return y.data, xt.grad.data


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("layout", ["batched", "unbatched", "channels_first"])
def test_affine_transform_values_and_gradients_match_keras(fill_mode, interpolation, layout):
    rng = np.random.default_rng(0)
    fmt = "channels_first" if layout == "channels_first" else "channels_last"
    shape = {"batched": (3, 5, 7, 2), "unbatched": (5, 7, 2), "channels_first": (3, 2, 5, 7)}
    x = rng.normal(size=shape[layout])
    transform = TRANSFORMS[0] if layout == "unbatched" else TRANSFORMS
    kwargs = dict(interpolation=interpolation, fill_mode=fill_mode, fill_value=0.5, data_format=fmt)

    def theirs(v):
        return keras.ops.image.affine_transform(v, transform, **kwargs)

    upstream = rng.normal(size=x.shape)
    expected, expected_grad = _keras_grad(theirs, x, upstream)
    got, got_grad = _ours_grad(lambda v: affine_transform(v, transform, **kwargs), x, upstream)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-12, atol=1e-12)


def test_affine_transform_edges_one_pixel_and_float32():
    rng = np.random.default_rng(1)
    empty = np.zeros((0, 4, 5, 2), dtype="float32")  # no images
    assert affine_transform(empty, np.zeros((0, 8), "float32")).shape == (0, 4, 5, 2)
    for name, args in [("RandomRotation", (0.2,)), ("RandomZoom", (0.2,)), ("Resizing", (2, 3))]:
        expected = getattr(keras.layers, name)(*args)(empty, training=True).shape
        assert getattr(nn.layers, name)(*args)(empty, training=True).shape == tuple(expected)
    one = rng.normal(size=(2, 1, 1, 3))
    for mode in FILL_MODES:  # a 1x1 image: every index fixer on a dim of length 1
        expected = np.asarray(
            keras.ops.image.affine_transform(one.astype("float32"), TRANSFORMS[:2], fill_mode=mode)
        )
        got = affine_transform(
            one.astype("float32"), TRANSFORMS[:2].astype("float32"), "bilinear", mode
        )
        assert got.dtype == np.float32
        np.testing.assert_allclose(got.data, expected, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="fill_mode"):
        affine_transform(one, TRANSFORMS[:2], fill_mode="circular")
    with pytest.raises(ValueError, match="interpolation"):
        affine_transform(one, TRANSFORMS[:2], interpolation="bicubic")
    with pytest.raises(ValueError, match="rank"):
        affine_transform(one[0, 0], TRANSFORMS[0])
    assert nn.ops.image.affine_transform is affine_transform  # keras.ops.image's names
    assert nn.ops.image.resize is resize


RESIZES = [
    ((3, 4), {}),
    ((8, 11), {}),
    ((3, 4), {"antialias": True}),
    ((2, 9), {"antialias": True, "interpolation": "bicubic"}),
    ((8, 4), {"interpolation": "nearest"}),
    ((3, 3), {"interpolation": "lanczos3", "antialias": True}),
    ((9, 12), {"interpolation": "lanczos5"}),
    ((4, 4), {"crop_to_aspect_ratio": True}),
    ((4, 9), {"pad_to_aspect_ratio": True, "fill_value": 2.0}),
    ((9, 4), {"pad_to_aspect_ratio": True, "fill_value": -1.0}),
    ((5, 7), {}),  # the same size: the identity
]


@pytest.mark.parametrize("size, kwargs", RESIZES)
@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_resize_values_and_gradients_match_keras(size, kwargs, fmt):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 7, 3) if fmt == "channels_last" else (2, 3, 5, 7))

    def theirs(v):
        return keras.ops.image.resize(v, size, data_format=fmt, **kwargs)

    with jax.enable_x64(True):
        out_shape = np.asarray(theirs(x)).shape
    upstream = rng.normal(size=out_shape)
    expected, expected_grad = _keras_grad(theirs, x, upstream)
    got, got_grad = _ours_grad(lambda v: resize(v, size, data_format=fmt, **kwargs), x, upstream)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-12, atol=1e-12)


def test_smart_resize_and_integer_resize_match_keras():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 255, size=(7, 5, 3)).astype("float32")
    expected = np.asarray(keras.preprocessing.image.smart_resize(x, (4, 6)))
    np.testing.assert_allclose(smart_resize(x, (4, 6)).data, expected, rtol=1e-5, atol=1e-4)
    images = rng.integers(0, 256, size=(2, 7, 5, 3)).astype("uint8")
    for interpolation in ("bilinear", "bicubic", "nearest"):
        expected = np.asarray(keras.layers.Resizing(4, 9, interpolation=interpolation)(images))
        got = nn.layers.Resizing(4, 9, interpolation=interpolation)(images)
        assert got.dtype == expected.dtype == np.uint8
        # rounded from float32 sums in another order: a value at a half may round apart
        difference = np.abs(got.data.astype(int) - expected.astype(int))
        assert difference.max() <= 1 and (difference > 0).mean() < 0.01


# (layer, args, kwargs): each layer's transform_images against Keras's on Keras's draw
LAYER_CASES = [
    ("RandomFlip", (), {}),
    ("RandomFlip", ("horizontal",), {}),
    ("RandomFlip", ("vertical",), {"data_format": "channels_first"}),
    ("RandomRotation", (0.2,), {}),
    (
        "RandomRotation",
        ((-0.3, 0.1),),
        {"fill_mode": "constant", "fill_value": 3.0, "interpolation": "nearest"},
    ),
    ("RandomRotation", (0.5,), {"fill_mode": "wrap", "data_format": "channels_first"}),
    ("RandomZoom", (0.3,), {}),
    ("RandomZoom", ((-0.5, 0.2), (0.1, 0.4)), {"fill_mode": "wrap"}),
    ("RandomZoom", (0.3,), {"fill_mode": "nearest", "data_format": "channels_first"}),
    ("RandomTranslation", (0.3, 0.2), {}),
    (
        "RandomTranslation",
        ((-0.2, 0.4), 0.3),
        {"fill_mode": "constant", "interpolation": "nearest", "fill_value": 9.0},
    ),
    ("RandomContrast", (0.5,), {}),
    ("RandomContrast", ((0.2, 0.6),), {"value_range": (0, 100)}),
    ("RandomBrightness", (0.3,), {}),
    ("RandomBrightness", ((-0.2, 0.5),), {"value_range": (0, 200)}),
    ("RandomCrop", (4, 5), {}),
    ("RandomCrop", (8, 5), {}),
    ("RandomCrop", (3, 2), {"data_format": "channels_first"}),
    ("CenterCrop", (4, 5), {}),
    ("CenterCrop", (8, 5), {}),
    ("Resizing", (4, 9), {}),
    ("Resizing", (9, 4), {"interpolation": "bicubic", "crop_to_aspect_ratio": True}),
    ("Resizing", (3, 3), {"antialias": True, "pad_to_aspect_ratio": True}),
]
LAYER_IDS = [f"{name}-{i}" for i, (name, *_) in enumerate(LAYER_CASES)]


def _numpy(transformation):
    if isinstance(transformation, dict):
        return {
            k: v if isinstance(v, (int, tuple)) else np.asarray(v)
            for k, v in transformation.items()
        }
    if isinstance(transformation, tuple):
        return tuple(int(v) for v in transformation)
    return transformation


@pytest.mark.parametrize("name, args, kwargs", LAYER_CASES, ids=LAYER_IDS)
@pytest.mark.parametrize("batched", [True, False])
def test_transform_images_matches_keras_on_its_transformation(name, args, kwargs, batched):
    rng = np.random.default_rng(4)
    first = kwargs.get("data_format") == "channels_first"
    x = rng.uniform(0, 255, size=(3, 2, 6, 7) if first else (3, 6, 7, 2)).astype("float32")
    if not batched:
        x = x[1]
    keras.utils.set_random_seed(5)
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    ours = getattr(nn.layers, name)(*args, **kwargs)
    for _ in range(3):  # three draws of Keras's
        transformation = theirs.get_random_transformation(x, training=True)
        if batched:
            expected = np.asarray(theirs.transform_images(x, transformation, training=True))
            got = ours.transform_images(x, _numpy(transformation), training=True)
        else:
            expected = np.asarray(theirs.transform_single_image(x, transformation, training=True))
            got = ours.transform_images(Tensor(x[None]), _numpy(transformation)).squeeze(0)
        assert got.shape == expected.shape
        assert got.dtype == np.float32
        np.testing.assert_allclose(got.data, expected, rtol=1e-5, atol=1e-3)  # pixels to 255


GRADIENT_CASES = [c for c in LAYER_CASES if c[0] not in ("RandomCrop",)][::2]


@pytest.mark.parametrize(
    "name, args, kwargs", GRADIENT_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADIENT_CASES)]
)
def test_gradients_reach_the_images_as_keras_in_float64(name, args, kwargs):
    rng = np.random.default_rng(6)
    first = kwargs.get("data_format") == "channels_first"
    x = rng.uniform(1, 254, size=(2, 2, 6, 7) if first else (2, 6, 7, 2))
    keras.utils.set_random_seed(7)
    theirs = getattr(keras.layers, name)(*args, dtype="float64", **kwargs)
    ours = getattr(nn.layers, name)(*args, dtype="float64", **kwargs)
    transformation = theirs.get_random_transformation(x, training=True)

    def fn(v):
        return theirs.transform_images(v, transformation, training=True)

    with jax.enable_x64(True):
        upstream = rng.normal(size=np.asarray(fn(x)).shape)
    expected, expected_grad = _keras_grad(fn, x, upstream)
    got, got_grad = _ours_grad(
        lambda v: ours.transform_images(v, _numpy(transformation), training=True), x, upstream
    )
    # Keras's contrast is 7e-6 off the float64 formula (ours is exact, as checked below)
    tolerance = 1e-4 if name == "RandomContrast" else 1e-9
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(got_grad, expected_grad, rtol=tolerance, atol=tolerance)
    if name == "RandomContrast":
        factor = np.asarray(transformation["contrast_factor"], np.float64)
        mean = x.mean(axis=(-3, -2), keepdims=True)
        exact = np.clip((x - mean) * factor + mean, *kwargs.get("value_range", (0, 255)))
        np.testing.assert_allclose(got, exact, rtol=1e-13, atol=1e-12)


def test_layer_calls_match_keras_for_the_deterministic_layers():
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 1, size=(2, 9, 6, 3)).astype("float32")
    for name, args, kwargs in LAYER_CASES:
        if name not in ("Resizing", "CenterCrop"):
            continue
        expected = np.asarray(getattr(keras.layers, name)(*args, **kwargs)(x))
        for data in (x, x[0]):
            got = getattr(nn.layers, name)(*args, **kwargs)(data)
            want = expected if data.ndim == 4 else expected[0]
            np.testing.assert_allclose(got.data, want, rtol=1e-5, atol=1e-6)
    # RandomCrop's center window, as Keras's layer with its inference transformation
    theirs, ours = keras.layers.RandomCrop(8, 4), nn.layers.RandomCrop(8, 4)
    transformation = theirs.get_random_transformation(x, training=False)
    expected = np.asarray(theirs.transform_images(x, transformation, training=True))
    np.testing.assert_allclose(ours(x, training=False).data, expected, rtol=1e-5, atol=1e-6)


RANDOM = [
    ("RandomFlip", ()),
    ("RandomRotation", (0.3,)),
    ("RandomZoom", (0.3, 0.2)),
    ("RandomTranslation", (0.3, 0.2)),
    ("RandomContrast", (0.5,)),
    ("RandomBrightness", (0.3,)),
]


@pytest.mark.parametrize("name, args", RANDOM)
def test_identity_in_inference_random_in_training_and_seeded(name, args):
    rng = np.random.default_rng(9)
    x = rng.uniform(0, 255, size=(4, 6, 5, 3)).astype("float32")
    layer = getattr(nn.layers, name)(*args, seed=11)
    np.testing.assert_array_equal(layer(x, training=False).data, x)
    np.testing.assert_array_equal(layer(x[0], training=False).data, x[0])
    first, second = layer(x, training=True).data, layer(x, training=True).data
    assert not np.array_equal(first, second)  # a new draw per call
    assert first.shape == x.shape and first.dtype == np.float32
    drawn = [layer.get_random_transformation(x, seed=5) for _ in range(2)]  # a call's seed
    for key, value in drawn[0].items():
        np.testing.assert_array_equal(value, drawn[1][key])
    again = getattr(nn.layers, name)(*args, seed=11)
    np.testing.assert_array_equal(again(x, training=True).data, first)
    np.testing.assert_array_equal(again(x, training=True).data, second)
    model = nn.Sequential([getattr(nn.layers, name)(*args, seed=1)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    np.testing.assert_array_equal(model(x, training=False).data, x)
    assert not np.array_equal(model(x).data, x)  # nothing asked: the layer's default, True
    assert not np.array_equal(model(x, training=True).data, x)
    assert not np.array_equal(getattr(nn.layers, name)(*args)(x).data, x)  # alone: trains
    draws = []
    for _ in range(2):  # unseeded layers repeat after set_random_seed
        nn.utils.set_random_seed(4)
        draws.append(getattr(nn.layers, name)(*args)(x).data)
    np.testing.assert_array_equal(draws[0], draws[1])


def test_random_factors_stay_within_their_ranges():
    images = np.zeros((4000, 10, 8, 1), dtype="float32")
    flip = nn.layers.RandomFlip(seed=0).get_random_transformation(images)
    assert flip["flips"].shape == (4000, 1, 1, 1)
    assert abs(flip["flips"].mean() - 0.5) < 0.03
    rotation = nn.layers.RandomRotation((-0.1, 0.25), seed=0).get_random_transformation(images)
    angle = rotation["angle"]
    assert -36.0 <= angle.min() < -34.0 and 88.0 < angle.max() <= 90.0
    keras_rotation = keras.layers.RandomRotation((-0.1, 0.25)).get_random_transformation(images[:3])
    zeros, ones = np.zeros(3, np.float32), np.ones(3, np.float32)
    angle = np.asarray(keras_rotation["angle"])
    matrix = keras_image_affine.affine_matrix(
        0.5, 0.5, angle, zeros, zeros, ones, zeros, zeros, 10, 8
    )
    np.testing.assert_allclose(
        matrix, np.asarray(keras_rotation["rotation_matrix"]), rtol=1e-6, atol=1e-5
    )
    zoom = nn.layers.RandomZoom((-0.2, 0.3), (0.1, 0.5), seed=0).get_random_transformation(images)
    assert 0.8 <= zoom["height_zoom"].min() < 0.81 and 1.29 < zoom["height_zoom"].max() <= 1.3
    assert 1.1 <= zoom["width_zoom"].min() < 1.11 and 1.49 < zoom["width_zoom"].max() <= 1.5
    same = nn.layers.RandomZoom(0.2, seed=0).get_random_transformation(images)
    assert same["width_zoom"] is same["height_zoom"]  # no width factor: one zoom
    shift = nn.layers.RandomTranslation(0.2, (-0.5, 0.0), seed=0).get_random_transformation(images)
    dx, dy = shift["translations"][:, 0], shift["translations"][:, 1]
    assert -2.0 <= dy.min() < -1.9 and 1.9 < dy.max() <= 2.0  # 0.2 of 10 rows
    assert -4.0 <= dx.min() < -3.9 and -0.1 < dx.max() <= 0.0  # up to half of 8 columns
    contrast = nn.layers.RandomContrast(0.4, seed=0).get_random_transformation(images)
    factor = contrast["contrast_factor"]
    assert 1.0 <= factor.min() < 1.01 and 1.39 < factor.max() <= 1.4  # Keras 3: (0, f)
    bright = nn.layers.RandomBrightness(0.1, value_range=(0, 1), seed=0)
    delta = bright.get_random_transformation(images)["rgb_delta"]
    assert -0.1 <= delta.min() < -0.09 and 0.09 < delta.max() <= 0.1
    crop = nn.layers.RandomCrop(4, 5, seed=0)
    starts = np.array([crop.get_random_transformation(images) for _ in range(400)])
    assert starts[:, 0].min() == 0 and starts[:, 0].max() == 6
    assert starts[:, 1].min() == 0 and starts[:, 1].max() == 3
    center = keras.layers.RandomCrop(4, 5).get_random_transformation(images[:1], training=False)
    assert crop.get_random_transformation(images, training=False) == (2, 0) == tuple(center)


def test_configs_match_keras_and_round_trip():
    for name, args, kwargs in LAYER_CASES:
        theirs = getattr(keras.layers, name)(*args, **kwargs).get_config()
        ours = getattr(nn.layers, name)(*args, **kwargs)
        config = ours.get_config()
        for key, value in theirs.items():
            if key in ("name", "dtype", "trainable") or (name == "RandomCrop" and key == "seed"):
                continue
            assert config[key] == value, (name, key)
        assert set(config) == set(theirs), name
        theirs_layer = getattr(keras.layers, name)(*args, **kwargs)
        for shape in ((None, 20, 16, 3), (20, 16, 3), (2, 3, 20, 16)):
            expected = tuple(theirs_layer.compute_output_shape(shape))
            assert ours.compute_output_shape(shape) == expected, (name, shape)
        clone = type(ours).from_config(config)
        assert clone.get_config() == config
    nn.utils.clear_session()
    names = [
        nn.layers.RandomFlip().name,
        nn.layers.RandomFlip().name,
        nn.layers.Resizing(2, 2).name,
    ]
    assert names == ["random_flip", "random_flip_1", "resizing"]


def test_errors_match_keras():
    with pytest.raises(ValueError, match="factor"):
        nn.layers.RandomRotation(1.5)
    with pytest.raises(ValueError, match="factor"):
        nn.layers.RandomContrast(-0.1)
    with pytest.raises(ValueError, match="factor"):
        nn.layers.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="factor"):
        nn.layers.RandomTranslation((0.1, 0.2, 0.3), 0.1)
    with pytest.raises(ValueError, match="fill_mode"):
        nn.layers.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="interpolation"):
        nn.layers.RandomZoom(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="value_range"):
        nn.layers.RandomBrightness(0.1, value_range=5)
    with pytest.raises(ValueError, match="mode"):
        nn.layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="pad_to_aspect_ratio"):
        nn.layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="interpolation"):
        nn.layers.Resizing(2, 2, interpolation="area")
    with pytest.raises(ValueError, match="rank 3"):
        nn.layers.RandomFlip()(np.zeros((4, 4), dtype="float32"))
    with pytest.raises(ValueError, match="data_format"):
        nn.layers.CenterCrop(2, 2, data_format="channels_middle")


def test_dict_inputs_move_masks_with_nearest_and_keep_labels():
    rng = np.random.default_rng(12)
    images = rng.uniform(0, 255, size=(2, 6, 7, 3)).astype("float32")
    masks = rng.integers(0, 4, size=(2, 6, 7, 1)).astype("float32")
    keras.utils.set_random_seed(3)
    theirs, ours = keras.layers.RandomRotation(0.2), nn.layers.RandomRotation(0.2)
    transformation = theirs.get_random_transformation(images)
    expected = np.asarray(theirs.transform_segmentation_masks(masks, transformation))
    got = ours.transform_segmentation_masks(masks, _numpy(transformation))
    np.testing.assert_allclose(got.data, expected, atol=1e-6)
    out = nn.layers.RandomZoom(0.3, seed=2)(
        {"images": images, "labels": np.arange(2), "segmentation_masks": masks}
    )
    assert out["images"].shape == images.shape and out["segmentation_masks"].shape == masks.shape
    assert set(np.unique(out["segmentation_masks"].data)) <= set(range(4))
    np.testing.assert_array_equal(np.asarray(out["labels"].data), np.arange(2))
    with pytest.raises(ValueError, match="bounding"):
        nn.layers.RandomFlip()({"images": images, "bounding_boxes": {}})


def test_dlwp_augmented_convnet_fits_one_epoch_and_saves(tmp_path):
    """DLwP ch. 8's model, small: augmentation, Rescaling, a convnet, `fit` one epoch."""
    from nn import layers

    rng = np.random.default_rng(13)
    x = rng.uniform(0, 255, size=(24, 20, 20, 3)).astype("float32")
    y = (x[:, :10].mean(axis=(1, 2, 3)) > x[:, 10:].mean(axis=(1, 2, 3))).astype("float32")
    nn.utils.set_random_seed(0)
    data_augmentation = nn.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.2)]
    )
    inputs = nn.Input(shape=(20, 20, 3))
    h = data_augmentation(inputs)
    h = layers.Rescaling(1.0 / 255)(h)
    h = layers.Conv2D(filters=4, kernel_size=3, activation="relu")(h)
    h = layers.MaxPooling2D(pool_size=2)(h)
    h = layers.Flatten()(h)
    h = layers.Dropout(0.5)(h)
    outputs = layers.Dense(1, activation="sigmoid")(h)
    model = nn.Model(inputs=inputs, outputs=outputs)
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    first = model.predict(x, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), first)  # no augmentation
    stack = nn.Sequential(
        [
            layers.Resizing(12, 14),
            layers.CenterCrop(10, 10),
            layers.RandomCrop(8, 8, seed=1),
            layers.RandomContrast(0.2),
            layers.RandomTranslation(0.1, 0.1),
            layers.Flatten(),
            layers.Dense(1),
        ]
    )
    stack.build((None, 20, 20, 3))
    stack.compile(loss="mse", optimizer="sgd")
    stack.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "model.npz")
    stack.save(path)
    again = nn.load_model(path)
    assert [type(a).__name__ for a in again.layers] == [type(a).__name__ for a in stack.layers]
    assert again.layers[2].get_config() == stack.layers[2].get_config()
    np.testing.assert_allclose(again.predict(x, verbose=0), stack.predict(x, verbose=0))


def test_summary_shapes_as_keras():
    x_shape = (None, 30, 24, 3)
    ours = nn.Sequential(
        [
            nn.Input(shape=x_shape[1:]),
            nn.layers.Resizing(20, 16),
            nn.layers.CenterCrop(18, 12),
            nn.layers.RandomCrop(10, 10),
            nn.layers.RandomFlip(),
        ]
    )
    theirs = keras.Sequential(
        [
            keras.Input(shape=x_shape[1:]),
            keras.layers.Resizing(20, 16),
            keras.layers.CenterCrop(18, 12),
            keras.layers.RandomCrop(10, 10),
            keras.layers.RandomFlip(),
        ]
    )
    assert len(ours.inputs) == 1  # the symbolic call that gives each layer its `output`
    for a, b in zip(ours.layers, theirs.layers, strict=True):
        assert tuple(a.output.shape) == tuple(b.output.shape)
    assert ours.count_params() == 0


def test_a_model_with_preprocessing_predicts_and_evaluates_as_keras():
    """The same weights: Keras's and our predictions and losses, augmentation idle."""
    rng = np.random.default_rng(14)
    x = rng.uniform(0, 255, size=(6, 15, 13, 3)).astype("float32")
    y = rng.uniform(size=(6, 1)).astype("float32")

    def stack(lib):
        return lib.Sequential(
            [
                lib.Input(shape=(15, 13, 3)),
                lib.layers.RandomFlip("horizontal"),
                lib.layers.RandomRotation(0.1),
                lib.layers.RandomZoom(0.2),
                lib.layers.Resizing(12, 12, antialias=True),
                lib.layers.CenterCrop(10, 10),
                lib.layers.Rescaling(1.0 / 255),
                lib.layers.Conv2D(4, 3, activation="relu"),
                lib.layers.Flatten(),
                lib.layers.Dense(1),
            ]
        )

    theirs, ours = stack(keras), stack(nn)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    theirs.compile(loss="mse")
    ours.compile(loss="mse")
    np.testing.assert_allclose(
        ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-5
    )


def test_which_calls_augment_as_keras():
    """Keras's rule for `training`: given, else the mode asked around the call (`fit`
    True; `predict`, `evaluate` False), else the `call`'s default, True for these layers;
    Dropout's default is False, so a model called plainly augments but does not drop."""
    from nn import layers

    x = np.random.default_rng(3).uniform(0, 255, size=(2, 8, 8, 3)).astype("float32")

    def changed(lib):
        augment = lib.Sequential([lib.layers.RandomRotation(0.2, seed=2)])
        inputs = lib.Input(shape=(8, 8, 3))
        model = lib.Model(inputs, lib.layers.Dropout(0.5)(augment(inputs)))
        calls = {
            "sequential": lambda: augment(x),
            "sequential, training=False": lambda: augment(x, training=False),
            "sequential, training=True": lambda: augment(x, training=True),
            "sequential, predict": lambda: augment.predict(x, verbose=0),
            "model": lambda: model(x),
            "model, training=False": lambda: model(x, training=False),
            "model, predict": lambda: model.predict(x, verbose=0),
        }
        return {name: not np.allclose(np.asarray(call()), x) for name, call in calls.items()}

    ours = changed(nn)
    assert ours == changed(keras)
    assert ours["model"] and not ours["model, predict"]  # the comparison is not vacuous
    model = nn.Sequential([layers.RandomRotation(0.2), layers.Dropout(0.99)])
    out = model(x).data  # rotated, and Dropout (default training=False) keeps every value
    assert not np.allclose(out, x) and np.count_nonzero(out) > out.size // 2
