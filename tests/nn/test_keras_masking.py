"""Keras 3's masking here and in Keras (JAX backend), from the same weights:
`Embedding(mask_zero=True)` and `Masking` make masks, the recurrent layers and
`Bidirectional` skip masked steps (outputs and gradients of every weight in float64,
padding at the end, at the start, all steps kept, every step masked), the pass-through
layers keep masks, `GlobalAveragePooling1D` averages the kept steps, losses weigh by
the mask, and the models of "Deep Learning with Python" chapter 11 fit 2 epochs with
Keras's losses."""

from __future__ import annotations

import itertools
import os
import warnings

import numpy as np
import pytest
from keras_tables import keras_summary_rows, summary_rows

import nn
from autograd import Tensor, get_default_dtype, set_default_dtype
from nn import layers, recurrent_steps

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")
from keras.src.backend import get_keras_mask, set_keras_mask  # noqa: E402

#: padding at the end, none, at both ends, every step (the last row)
TOKENS = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [0, 0, 3, 4, 0, 0], [0, 0, 0, 0, 0, 0]])
# float64 with Keras's weights and JAX's x64 mode; XLA's tanh on CPU is accurate to
# about 2e-7 even in float64, so the recurrent layers agree to that
# (gradients sum such errors over batch and time: 1.1e-6 seen on a bias gradient of
# -0.0043 beside elements of 6.4, so atol 5e-6)
TOL64 = {"rtol": 1e-5, "atol": 5e-6}
EXACT64 = {"rtol": 1e-10, "atol": 1e-12}  # (no tanh)
TOL32 = {"rtol": 2e-5, "atol": 2e-6}


@pytest.fixture(autouse=True, params=[True, False], ids=["fused", "composed"])
def fused(request, monkeypatch):
    """Each test with the fused recurrent ops allowed (they run when no step is
    masked) and without."""
    monkeypatch.setattr(recurrent_steps, "FUSED", request.param)
    return request.param


@pytest.fixture
def float64():
    """Our default float dtype float64 for the test (Keras's is set in `keras_run`)."""
    previous = get_default_dtype()
    set_default_dtype(np.float64)
    yield
    set_default_dtype(previous)


def keras_run(build, x, upstream_seed=0):
    """Keras's model from `build(keras, keras.layers)`, made and run in float64 (JAX's
    x64 mode): (model, output, gradients of sum(output * upstream) for the trainable
    weights and, for float inputs, the inputs, upstream)."""
    with jax.enable_x64(True):
        keras.config.set_dtype_policy("float64")
        try:
            model = build(keras, keras.layers)
            trainable = [v.value for v in model.trainable_variables]
            others = [v.value for v in model.non_trainable_variables]
            shape = (len(x), *model.output.shape[1:])
            upstream = np.random.default_rng(upstream_seed).normal(size=shape)

            def loss(trainable, inputs):
                y, _ = model.stateless_call(trainable, others, inputs)
                return (y * upstream).sum(), y

            floating = np.asarray(x).dtype.kind == "f"
            argnums = (0, 1) if floating else 0
            (_, y), grads = jax.value_and_grad(loss, argnums=argnums, has_aux=True)(trainable, x)
        finally:
            keras.config.set_dtype_policy("float32")
    if not floating:
        grads = (grads, None)
    return model, np.asarray(y), grads, upstream


def compare_with_keras(build, x, tol=TOL64):
    """Our model from `build(nn, layers)` with Keras's weights: outputs and gradients
    (of the weights, and of float inputs) as Keras's, in float64. Returns our output."""
    theirs, expected, (weight_grads, input_grad), upstream = keras_run(build, x)
    ours = build(nn, layers)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    inputs = Tensor(x, requires_grad=True) if input_grad is not None else x
    out = ours(inputs)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, **tol)
    (out * Tensor(upstream)).sum().backward()
    for w, g in zip(ours.trainable_weights, weight_grads, strict=True):
        np.testing.assert_allclose(w.grad.data, np.asarray(g), **tol, err_msg=w.name)
    if input_grad is not None:
        np.testing.assert_allclose(inputs.grad.data, np.asarray(input_grad), **tol)
    return out


def embedded(kind, wrap=False, tokens=TOKENS, **options):
    """Input -> Embedding(mask_zero=True) -> a recurrent layer (in Bidirectional)."""

    def build(k, lay):
        inputs = k.Input(shape=(tokens.shape[1],), dtype="int64")
        x = lay.Embedding(10, 4, mask_zero=True)(inputs)
        layer = getattr(lay, kind)(5, **options)
        return k.Model(inputs, (lay.Bidirectional(layer) if wrap else layer)(x))

    return build


RECURRENT = [
    (kind, {"return_sequences": seq, "go_backwards": back})
    for kind, seq, back in itertools.product(
        ("SimpleRNN", "LSTM", "GRU"), (False, True), (False, True)
    )
] + [
    ("LSTM", {"return_sequences": True, "zero_output_for_mask": True}),
    ("LSTM", {"return_sequences": False, "zero_output_for_mask": True, "go_backwards": True}),
    ("GRU", {"return_sequences": True, "reset_after": False}),
    ("GRU", {"return_sequences": True, "unroll": True}),
    ("SimpleRNN", {"return_sequences": True, "unroll": True, "zero_output_for_mask": True}),
    ("LSTM", {"return_sequences": True, "activation": "relu"}),
]


@pytest.mark.parametrize(("kind", "options"), RECURRENT)
def test_recurrent_layers_skip_masked_steps_as_keras(float64, kind, options):
    out = compare_with_keras(embedded(kind, **options), TOKENS)
    mask = getattr(out, "_keras_mask", None)
    if options["return_sequences"]:
        np.testing.assert_array_equal(mask.data, TOKENS != 0)  # the input's mask, as Keras's
    else:
        assert mask is None


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_recurrent_layers_without_tanh_match_keras_to_float64_rounding(float64, kind, go_backwards):
    """With relu for tanh (sigmoid is exact in XLA), the masked loop agrees with Keras's
    to float64 rounding."""
    options = {"activation": "relu", "return_sequences": True, "go_backwards": go_backwards}
    compare_with_keras(embedded(kind, **options), TOKENS, tol=EXACT64)
    if not go_backwards:  # (Bidirectional makes the backward copy itself)
        compare_with_keras(embedded(kind, wrap=True, **options), TOKENS, tol=EXACT64)


@pytest.mark.parametrize(
    ("kind", "merge_mode", "return_sequences"),
    list(itertools.product(("LSTM", "GRU"), ("concat", "sum", "mul"), (False, True))),
)
def test_bidirectional_skips_masked_steps_as_keras(float64, kind, merge_mode, return_sequences):
    def build(k, lay):
        inputs = k.Input(shape=(6,), dtype="int64")
        x = lay.Embedding(10, 4, mask_zero=True)(inputs)
        layer = getattr(lay, kind)(5, return_sequences=return_sequences)
        return k.Model(inputs, lay.Bidirectional(layer, merge_mode=merge_mode)(x))

    out = compare_with_keras(build, TOKENS)
    if return_sequences:
        np.testing.assert_array_equal(out._keras_mask.data, TOKENS != 0)
        # Keras forces zero outputs at the masked steps of both directions
        assert not out.data[TOKENS == 0].any() or merge_mode != "concat"
    else:
        assert getattr(out, "_keras_mask", None) is None


def test_bidirectional_sets_zero_output_for_mask_as_keras():
    for return_sequences in (False, True):
        ours = layers.Bidirectional(layers.LSTM(3, return_sequences=return_sequences))
        theirs = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=return_sequences))
        for a, b in (
            (ours.forward_layer, theirs.forward_layer),
            (ours.backward_layer, theirs.backward_layer),
        ):
            assert a.zero_output_for_mask == b.zero_output_for_mask == return_sequences
            assert a.get_config()["zero_output_for_mask"] == b.get_config()["zero_output_for_mask"]


def test_return_state_masks_and_states_match_keras(float64):
    """With return_state, the states of a sample stop at its last kept step."""
    x = TOKENS[:3]
    build = embedded("LSTM", tokens=x, return_sequences=True, return_state=True)
    with jax.enable_x64(True):
        keras.config.set_dtype_policy("float64")
        try:
            theirs = build(keras, keras.layers)
            expected = [np.asarray(t) for t in theirs(x)]
        finally:
            keras.config.set_dtype_policy("float32")
    ours = build(nn, layers)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    got = ours(x)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a.data, b, **TOL64)
    np.testing.assert_array_equal(got[0]._keras_mask.data, x != 0)
    assert getattr(got[1], "_keras_mask", None) is None


def test_every_step_kept_gives_the_unmasked_result(float64):
    """A mask of all True changes nothing (and lets the fused op run)."""
    tokens = np.arange(1, 13).reshape(2, 6) % 9 + 1
    out = compare_with_keras(embedded("LSTM", tokens=tokens, return_sequences=True), tokens)
    plain = embedded("LSTM", tokens=tokens, return_sequences=True)(nn, layers)
    layer = plain.layers[-1]
    masked_model = embedded("LSTM", tokens=tokens, return_sequences=True)(nn, layers)
    masked_model.set_weights(plain.get_weights())
    embedding = plain.layers[1](tokens)
    del embedding._keras_mask
    np.testing.assert_allclose(masked_model(tokens).data, layer(embedding).data, rtol=1e-12)
    assert out._keras_mask.data.all()


def test_masked_steps_change_the_output():
    """The same embedded sequences without their mask give other outputs (so the
    comparisons above test the masks)."""
    model = embedded("GRU")(nn, layers)
    embedding, recurrent = model.layers[1], model.layers[2]
    x = embedding(TOKENS)
    masked = recurrent(x).data
    del x._keras_mask
    plain = recurrent(x).data
    assert np.abs(masked[0] - plain[0]).max() > 1e-3  # padding at the end
    # no padding: the same values, to float32 rounding (the masked call runs the step
    # loop, the plain one the fused op where it is on)
    np.testing.assert_allclose(masked[1], plain[1], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(masked[3], 0 * masked[3])  # every step masked: h0


def test_masking_layer_matches_keras(float64):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(4, 5, 3))
    x[0, 3:] = 0.0  # padding at the end
    x[1, :2] = 0.0  # at the start
    x[2, 2, 0] = 0.0  # one zero feature: kept
    x[3] = 0.0  # every step

    def build(k, lay):
        inputs = k.Input(shape=(5, 3))
        masked = lay.Masking(mask_value=0.0)(inputs)
        return k.Model(inputs, lay.LSTM(4, return_sequences=True)(masked))

    out = compare_with_keras(build, x)
    np.testing.assert_array_equal(out._keras_mask.data, np.any(x != 0, axis=-1))


def test_masking_layer_values_mask_config_and_shape():
    x = np.array([[[1.0, 2.0], [-1.0, -1.0], [3.0, -1.0]]], dtype=np.float32)
    ours, theirs = layers.Masking(mask_value=-1.0), keras.layers.Masking(mask_value=-1.0)
    y, expected = ours(x), theirs(x)
    np.testing.assert_array_equal(y.data, np.asarray(expected))
    np.testing.assert_array_equal(y._keras_mask.data, np.asarray(get_keras_mask(expected)))
    np.testing.assert_array_equal(ours.compute_mask(x).data, np.asarray(theirs.compute_mask(x)))
    assert ours.get_config()["mask_value"] == theirs.get_config()["mask_value"] == -1.0
    assert layers.Masking.from_config(ours.get_config()).mask_value == -1.0
    assert ours.name.startswith("masking")


def test_embedding_mask_zero_as_keras():
    ours = layers.Embedding(10, 3, mask_zero=True)
    theirs = keras.layers.Embedding(10, 3, mask_zero=True)
    y, expected = ours(TOKENS), theirs(TOKENS)
    np.testing.assert_array_equal(y._keras_mask.data, np.asarray(get_keras_mask(expected)))
    np.testing.assert_array_equal(
        ours.compute_mask(TOKENS).data, np.asarray(theirs.compute_mask(TOKENS))
    )
    assert ours.supports_masking and theirs.supports_masking
    plain = layers.Embedding(10, 3)
    assert getattr(plain(TOKENS), "_keras_mask", None) is None
    assert plain.compute_mask(TOKENS) is None and not plain.supports_masking
    with pytest.raises(TypeError, match="mask_zero"):
        layers.Embedding(10, 3, mask_zero="yes")


def test_pass_through_layers_keep_the_mask_as_keras():
    x = layers.Embedding(10, 4, mask_zero=True)(TOKENS)
    expected = TOKENS != 0
    for layer in (
        layers.Dense(3),
        layers.Dropout(0.5),
        layers.Activation("relu"),
        layers.LayerNormalization(),
        layers.ReLU(),
        layers.GaussianNoise(0.1),
        layers.SpatialDropout1D(0.2),
    ):
        y = layer(x)
        np.testing.assert_array_equal(y._keras_mask.data, expected, err_msg=type(layer).__name__)
    for name in ("Dense", "Dropout", "Activation", "LayerNormalization", "ReLU"):
        assert getattr(keras.layers, name).__init__  # (Keras's layers of these names)
    keras_x = keras.layers.Embedding(10, 4, mask_zero=True)(TOKENS)
    for theirs in (
        keras.layers.Dense(3),
        keras.layers.Dropout(0.5),
        keras.layers.Activation("relu"),
    ):
        np.testing.assert_array_equal(np.asarray(get_keras_mask(theirs(keras_x))), expected)


def test_a_layer_without_masking_drops_the_mask_with_keras_s_warning():
    x = layers.Embedding(10, 4, mask_zero=True)(TOKENS)
    layer = layers.GlobalMaxPooling1D()
    with pytest.warns(UserWarning, match="does not support masking"):
        y = layer(x)
    assert getattr(y, "_keras_mask", None) is None
    # the maximum over every step, as Keras's (it reads no mask)
    np.testing.assert_allclose(y.data, x.data.max(axis=1))


def test_global_average_pooling_1d_averages_the_kept_steps_as_keras(float64):
    tokens = TOKENS[:3]

    def build(k, lay):
        inputs = k.Input(shape=(6,), dtype="int64")
        x = lay.Embedding(10, 4, mask_zero=True)(inputs)
        return k.Model(inputs, lay.GlobalAveragePooling1D()(x))

    out = compare_with_keras(build, tokens, tol=EXACT64)
    assert getattr(out, "_keras_mask", None) is None
    layer = layers.GlobalAveragePooling1D(keepdims=True)
    x = np.random.default_rng(0).normal(size=(3, 6, 2))
    mask = tokens != 0
    expected = keras.layers.GlobalAveragePooling1D(keepdims=True)(x, mask=mask)
    np.testing.assert_allclose(layer(x, mask=mask).data, np.asarray(expected), rtol=1e-6)
    first = layers.GlobalAveragePooling1D(data_format="channels_first")
    xt = x.transpose(0, 2, 1)
    expected = keras.layers.GlobalAveragePooling1D(data_format="channels_first")(xt, mask=mask)
    np.testing.assert_allclose(first(xt, mask=mask).data, np.asarray(expected), rtol=1e-6)


def test_an_explicit_mask_argument_as_keras(float64):
    """`layer(x, mask=m)` uses m, as Keras's call does."""
    x = np.random.default_rng(5).normal(size=(4, 6, 3))
    mask = TOKENS != 0
    with jax.enable_x64(True):
        keras.config.set_dtype_policy("float64")
        try:
            theirs = keras.layers.GRU(4, return_sequences=True)
            expected = np.asarray(theirs(x, mask=mask))
        finally:
            keras.config.set_dtype_policy("float32")
    ours = layers.GRU(4, return_sequences=True)
    ours.build((None, 6, 3))
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    y = ours(x, mask=mask)
    np.testing.assert_allclose(y.data, expected, **TOL64)
    np.testing.assert_array_equal(y._keras_mask.data, mask)
    with pytest.raises(ValueError, match="mask must have shape"):
        ours(x, mask=mask[:, :3])


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean", "none"])
def test_losses_weigh_by_the_mask_as_keras(reduction):
    rng = np.random.default_rng(6)
    y_pred = rng.uniform(0.05, 1.0, size=(4, 6, 5)).astype(np.float32)
    y_pred /= y_pred.sum(-1, keepdims=True)
    y_true = rng.integers(0, 5, size=(4, 6))
    weights = rng.uniform(size=(4, 6)).astype(np.float32)
    for mask in (TOKENS != 0, np.ones((4, 6), bool), np.zeros((4, 6), bool)):
        for sample_weight in (None, weights):
            theirs = keras.losses.SparseCategoricalCrossentropy(reduction=reduction)
            ours = nn.losses.SparseCategoricalCrossentropy(reduction=reduction)
            keras_pred = jax.numpy.asarray(y_pred)
            set_keras_mask(keras_pred, mask)
            expected = theirs(y_true, keras_pred, sample_weight=sample_weight)
            pred = Tensor(y_pred)
            pred._keras_mask = Tensor(mask)
            got = ours(y_true, pred, sample_weight=sample_weight)
            np.testing.assert_allclose(got.data, np.asarray(expected), rtol=1e-5, atol=1e-7)


def assert_same_summary(ours, theirs):
    """The same totals, and each of Keras's layer rows (type, output shape, parameters;
    the names count per library) among ours. (Keras's functional summary also lists
    the `not_equal` op that computes Embedding's mask, with a "Connected to" column
    whose narrow cells wrap most rows; ours lists the layers.)"""
    rows, totals = summary_rows(ours.summary(print_fn=None))
    keras_rows, keras_totals = keras_summary_rows(theirs)
    assert keras_rows and {r[1:] for r in keras_rows} <= {r[1:] for r in rows}
    assert totals == keras_totals


def _chapter11(k, lay, vocabulary=50):
    """Chapter 11's bidirectional LSTM on padded integer sequences (the book's
    Embedding(mask_zero=True) version, smaller; without its Dropout, whose draws
    differ)."""
    inputs = k.Input(shape=(None,), dtype="int64")
    embedded_ = lay.Embedding(input_dim=vocabulary, output_dim=8, mask_zero=True)(inputs)
    x = lay.Bidirectional(lay.LSTM(8))(embedded_)
    outputs = lay.Dense(1, activation="sigmoid")(x)
    return k.Model(inputs, outputs)


def _padded(rng, count, length, vocabulary, at_start=False):
    """Integer sequences of random lengths (1..length) padded with 0."""
    tokens = np.zeros((count, length), dtype=np.int64)
    for row, n in enumerate(rng.integers(1, length + 1, size=count)):
        values = rng.integers(1, vocabulary, size=n)
        if at_start:
            tokens[row, length - n :] = values
        else:
            tokens[row, :n] = values
    return tokens


@pytest.mark.parametrize("at_start", [False, True], ids=["padded_at_end", "padded_at_start"])
def test_chapter11_bidirectional_lstm_fits_as_keras(at_start):
    rng = np.random.default_rng(0)
    x = _padded(rng, 64, 12, 50, at_start)
    y = rng.integers(0, 2, size=64).astype(np.float32)
    keras.utils.set_random_seed(0)
    theirs, ours = _chapter11(keras, keras.layers), _chapter11(nn, layers)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), **TOL32)
    assert_same_summary(ours, theirs)
    history = {}
    for lib, model in ((keras, theirs), (nn, ours)):
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        history[lib] = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    assert list(history[nn]) == list(history[keras])
    for key in history[keras]:
        np.testing.assert_allclose(history[nn][key], history[keras][key], rtol=1e-4, err_msg=key)
    np.testing.assert_allclose(
        ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-4
    )


def test_chapter11_sequential_model_summarizes_as_keras():
    def build(k, lay):
        return k.Sequential(
            [
                k.Input(shape=(10,), dtype="int64"),
                lay.Embedding(50, 8, mask_zero=True),
                lay.Bidirectional(lay.LSTM(8)),
                lay.Dropout(0.5),
                lay.Dense(1, activation="sigmoid"),
            ]
        )

    theirs, ours = build(keras, keras.layers), build(nn, layers)
    assert_same_summary(ours, theirs)
    ours.set_weights(theirs.get_weights())
    x = _padded(np.random.default_rng(1), 8, 10, 50)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), **TOL32)


@pytest.mark.parametrize(
    "metric", ["accuracy", "sparse_categorical_accuracy_object"], ids=["accuracy", "object"]
)
def test_sequence_outputs_fit_with_the_masked_loss_as_keras(metric):
    """A model whose output carries the mask (return_sequences, then Dense): the loss
    and the accuracy of fit and evaluate are means over the kept steps, as Keras's."""

    def build(k, lay):
        return k.Sequential(
            [
                k.Input(shape=(7,), dtype="int64"),
                lay.Embedding(20, 6, mask_zero=True),
                lay.GRU(8, return_sequences=True),
                lay.Dense(20, activation="softmax"),
            ]
        )

    rng = np.random.default_rng(2)
    x = _padded(rng, 48, 7, 20)
    y = np.where(x != 0, (x + 1) % 20, rng.integers(0, 20, size=x.shape))
    keras.utils.set_random_seed(1)
    theirs, ours = build(keras, keras.layers), build(nn, layers)
    ours.set_weights(theirs.get_weights())
    history = {}
    for lib, model in ((keras, theirs), (nn, ours)):
        if metric == "accuracy":
            metrics = ["accuracy"]
        else:
            metrics = [lib.metrics.SparseCategoricalAccuracy(name="acc")]
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=metrics)
        history[lib] = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    assert list(history[nn]) == list(history[keras])
    for key in history[keras]:
        np.testing.assert_allclose(history[nn][key], history[keras][key], rtol=1e-4, err_msg=key)
    # Keras's fit scores the training metrics on every position (its JAX train step's
    # outputs lose their mask), evaluate on the kept ones only
    scores = ours.evaluate(x, y, verbose=0, batch_size=16)
    np.testing.assert_allclose(scores, theirs.evaluate(x, y, verbose=0, batch_size=16), rtol=1e-4)
    hits = ours.predict(x, verbose=0).argmax(-1) == y
    np.testing.assert_allclose(scores[1], hits[x != 0].mean(), rtol=1e-6)
    assert abs(hits[x != 0].mean() - hits.mean()) > 1e-4


def test_masks_in_eager_calls_functional_and_sequential_models_agree():
    model = _chapter11(nn, layers)
    embedding, bidirectional, dense = model.layers[1:]
    eager = dense(bidirectional(embedding(TOKENS[:3])))
    sequential = nn.Sequential([embedding, bidirectional, dense])
    np.testing.assert_allclose(model(TOKENS[:3]).data, eager.data, rtol=1e-6)
    np.testing.assert_allclose(sequential(TOKENS[:3]).data, eager.data, rtol=1e-6)


def test_saved_model_keeps_mask_zero_and_masking(tmp_path):
    model = nn.Sequential(
        [
            nn.Input((6,)),
            layers.Embedding(10, 4, mask_zero=True),
            layers.LSTM(3),
        ]
    )
    expected = model.predict(TOKENS, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    assert loaded.layers[0].mask_zero
    np.testing.assert_allclose(loaded.predict(TOKENS, verbose=0), expected, rtol=1e-6)
    other = nn.Sequential([nn.Input((5, 2)), layers.Masking(-1.0), layers.GRU(2)])
    other.save(tmp_path / "o.npz")
    assert nn.load_model(tmp_path / "o.npz").layers[0].mask_value == -1.0


def test_torch_modules_ignore_keras_masks_silently():
    """A PyTorch-style module's `mask=` argument is its own, not Keras's."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor(np.ones((2, 3), np.float32))
        assert nn.Linear(3, 2)(x).shape == (2, 2)


def test_batch_normalization_uses_the_kept_steps_in_training_as_keras():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 6, 3)).astype(np.float32)
    mask = TOKENS != 0
    theirs = keras.layers.BatchNormalization(momentum=0.5)
    ours = layers.BatchNormalization(momentum=0.5)
    for training in (True, False):
        expected = theirs(x, training=training, mask=mask)
        got = ours(x, training=training, mask=mask)
        np.testing.assert_allclose(got.data, np.asarray(expected), rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(got._keras_mask.data, mask)  # passed on
    np.testing.assert_allclose(ours.moving_mean.data, theirs.moving_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.moving_variance.data, theirs.moving_variance.numpy(), rtol=1e-5)
    # the statistics of the kept steps differ from the whole batch's
    assert np.abs(ours.moving_mean.data - x.mean(axis=(0, 1)) * 0.5).max() > 1e-3
    with pytest.raises(ValueError, match="one dimension less"):
        ours(x, training=True, mask=np.ones((4, 6, 3), bool))


def test_batch_normalization_gradients_with_a_mask_match_keras(float64):
    def build(k, lay):
        inputs = k.Input(shape=(6,), dtype="int64")
        x = lay.Embedding(10, 4, mask_zero=True)(inputs)
        return k.Model(inputs, lay.BatchNormalization()(x, training=True))

    compare_with_keras(build, TOKENS[:3])  # (Keras's output comes rounded to float32)


def test_softmax_with_a_mask_as_keras():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3, 4)).astype(np.float32)
    full = rng.uniform(size=(2, 3, 4)) > 0.4
    full[0, 0] = False  # a row with every entry masked: zeros, as Keras's
    for mask in (full, full[0], full.astype(np.float32)):
        expected = keras.layers.Softmax()(x, mask=mask)
        got = layers.Softmax()(x, mask=mask)
        np.testing.assert_allclose(got.data, np.asarray(expected), rtol=1e-6, atol=1e-7)
    assert not layers.Softmax()(x, mask=full).data[0, 0].any()
    with pytest.raises(ValueError, match="broadcastable"):
        layers.Softmax()(x, mask=np.ones((2, 3), bool))


@pytest.mark.parametrize(
    ("name", "options", "third_unmasked"),
    [
        ("Add", {}, False),
        ("Add", {}, True),
        ("Multiply", {}, False),
        ("Concatenate", {}, False),
        ("Concatenate", {}, True),
        ("Concatenate", {"axis": 1}, False),
    ],
)
def test_merges_combine_masks_as_keras(name, options, third_unmasked):
    first = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    second = np.array([[1, 0, 0, 0], [3, 4, 5, 0]])

    def masks(k, lay, read):
        a = lay.Embedding(10, 3, mask_zero=True)(first)
        b = lay.Embedding(10, 3, mask_zero=not third_unmasked)(second)
        return read(getattr(lay, name)(**options)([a, b]))

    expected = masks(keras, keras.layers, get_keras_mask)
    got = masks(nn, layers, lambda y: getattr(y, "_keras_mask", None))
    if expected is None:
        assert got is None
    else:
        np.testing.assert_array_equal(got.data, np.asarray(expected))


def test_lambda_passes_its_mask_function_s_mask_as_keras():
    tokens = np.array([[1, 2, 0], [3, 0, 0]])
    for lib, lay, read in (
        (keras, keras.layers, get_keras_mask),
        (nn, layers, lambda y: getattr(y, "_keras_mask", None)),
    ):
        x = lay.Embedding(10, 3, mask_zero=True)(tokens)
        with pytest.warns(UserWarning, match="does not support masking"):
            assert read(lay.Lambda(lambda t: t * 2)(x)) is None  # no mask by default
        kept = read(lay.Lambda(lambda t: t * 2, mask=lambda i, m: m)(x))
        np.testing.assert_array_equal(np.asarray(getattr(kept, "data", kept)), tokens != 0)
        with pytest.warns(UserWarning, match="does not support masking"):
            zeroed = lay.Lambda(
                lambda t, mask=None, ops=lib.ops: t * ops.expand_dims(ops.cast(mask, "float32"), -1)
            )(x)
        values = np.asarray(getattr(zeroed, "data", zeroed))
        assert not values[tokens == 0].any() and values[tokens != 0].all()


def test_activation_warns_of_nothing():
    x = layers.Embedding(10, 4, mask_zero=True)(TOKENS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layers.Activation("relu")(layers.Dense(2, activation="tanh")(x))
    np.testing.assert_array_equal(y._keras_mask.data, TOKENS != 0)


def test_running_metrics_over_masked_outputs_count_the_kept_entries_only():
    from nn import metrics as metrics_mod

    rng = np.random.default_rng(9)
    mask = TOKENS != 0
    accuracy = metrics_mod.Running([("accuracy", metrics_mod.accuracy)])
    mae = metrics_mod.Running([("mae", metrics_mod.mean_absolute_error)])
    batches = []
    for _ in range(2):
        y_pred = rng.uniform(size=(4, 6, 5))
        y_true = rng.integers(0, 5, size=(4, 6))
        accuracy.add(4, 0.0, y_true, y_pred, None, mask)
        mae.add(4, 0.0, y_pred[..., ::-1], y_pred, None, mask)
        batches.append((y_true, y_pred))
    hits = np.concatenate([p.argmax(-1) == t for t, p in batches])
    errors = np.concatenate([np.abs(p - p[..., ::-1]).mean(-1) for _, p in batches])
    kept = np.concatenate([mask, mask])
    np.testing.assert_allclose(accuracy.means()["accuracy"], hits[kept].mean())
    np.testing.assert_allclose(mae.means()["mae"], errors[kept].mean())
    assert abs(hits[kept].mean() - hits.mean()) > 1e-3
    other = metrics_mod.Running([("top", lambda t, p: 0.5)])
    with pytest.raises(ValueError, match="carries a mask"):
        other.add(4, 0.0, batches[0][0], batches[0][1], None, mask)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_one_step_sequences_as_keras(float64, kind):
    """Sequences of length 1, some of them padding only."""
    tokens = TOKENS[:, :1]
    build = embedded(kind, tokens=tokens, return_sequences=True)
    out = compare_with_keras(build, tokens)
    np.testing.assert_array_equal(out._keras_mask.data, tokens != 0)
    build = embedded(kind, wrap=True, tokens=tokens)
    compare_with_keras(build, tokens)


def test_float32_masked_bidirectional_matches_keras():
    """In float32 (Keras's floatx), with padding at the start."""
    tokens = _padded(np.random.default_rng(3), 5, 8, 10, at_start=True)

    def build(k, lay):
        inputs = k.Input(shape=(8,), dtype="int64")
        x = lay.Embedding(10, 4, mask_zero=True)(inputs)
        return k.Model(inputs, lay.Bidirectional(lay.GRU(3, return_sequences=True))(x))

    theirs, ours = build(keras, keras.layers), build(nn, layers)
    ours.set_weights(theirs.get_weights())
    got = ours(tokens)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.data, np.asarray(theirs(tokens)), **TOL32)
    np.testing.assert_array_equal(got._keras_mask.data, tokens != 0)


def test_initial_state_tensors_keep_the_mask_from_the_call_as_keras():
    """Keras passes `mask` only to a call with one tensor argument: a recurrent layer
    given `initial_state` runs unmasked unless `mask=` is given."""
    tokens = TOKENS[:2]
    states = [np.zeros((2, 3), np.float32), np.full((2, 3), 0.5, np.float32)]
    results = {}
    for lib, lay in ((keras, keras.layers), (nn, layers)):
        embedding = lay.Embedding(10, 4, mask_zero=True)
        lstm = lay.LSTM(3, return_sequences=True)
        x = embedding(tokens)
        results[lib] = (embedding, lstm, [lstm(x, initial_state=states)])
    (k_emb, k_lstm, _), (emb, lstm, _) = results[keras], results[nn]
    emb.weight.data[...] = k_emb.get_weights()[0]
    lstm.set_weights(k_lstm.get_weights())
    x, keras_x = emb(tokens), k_emb(tokens)
    for kwargs in ({}, {"mask": tokens != 0}):
        got = lstm(x, initial_state=states, **kwargs)
        expected = k_lstm(keras_x, initial_state=states, **kwargs)
        np.testing.assert_allclose(got.data, np.asarray(expected), **TOL32)
    unmasked = lstm(x, initial_state=states).data
    masked = lstm(x, initial_state=states, mask=tokens != 0).data
    assert np.abs(unmasked[0, 3:] - masked[0, 3:]).max() > 1e-4


def test_each_tensor_argument_s_mask_goes_to_its_name_mask_parameter():
    """As Keras 3: with several tensor arguments, `value`'s mask is `value_mask`."""

    class Pair(nn.Layer):
        def call(self, query, value, query_mask=None, value_mask=None):
            self.seen = (query_mask, value_mask)
            return query

    class PairKeras(keras.layers.Layer):
        def call(self, query, value, query_mask=None, value_mask=None):
            self.seen = (query_mask, value_mask)
            return query

    first, second = TOKENS[:2], TOKENS[2:]
    for lay, layer in ((keras.layers, PairKeras()), (layers, Pair())):
        query = lay.Embedding(10, 2)(first)
        value = lay.Embedding(10, 2, mask_zero=True)(second)
        layer(query, value)
        assert layer.seen[0] is None
        seen = layer.seen[1]
        np.testing.assert_array_equal(np.asarray(getattr(seen, "data", seen)), second != 0)


def rnn_of_cell(cell, **options):
    """Input -> Embedding(mask_zero=True) -> RNN(cell(5)), Keras's generic layer."""

    def build(k, lay):
        inputs = k.Input(shape=(TOKENS.shape[1],), dtype="int64")
        x = lay.Embedding(10, 4, mask_zero=True)(inputs)
        return k.Model(inputs, lay.RNN(getattr(lay, cell)(5), **options)(x))

    return build


@pytest.mark.parametrize("cell", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize(
    "options",
    [
        {"return_sequences": True},
        {"return_sequences": False, "go_backwards": True},
        {"return_sequences": True, "zero_output_for_mask": True},
    ],
)
def test_rnn_of_a_cell_skips_masked_steps_as_keras(cell, options):
    """`RNN(LSTMCell(n))` reads the mask as `LSTM(n)` does (in float32: Keras's RNN
    runs its cells in float32 under JAX)."""
    theirs = rnn_of_cell(cell, **options)(keras, keras.layers)
    ours = rnn_of_cell(cell, **options)(nn, layers)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    expected = np.asarray(theirs(TOKENS))
    out = ours(TOKENS)
    np.testing.assert_allclose(out.data, expected, **TOL32)
    if options["return_sequences"]:
        np.testing.assert_array_equal(out._keras_mask.data, TOKENS != 0)
    plain = ours.layers[-1](ours.layers[1](TOKENS).detach())  # the mask dropped with detach
    assert np.abs(plain.data - out.data).max() > 1e-3  # so the mask was read
