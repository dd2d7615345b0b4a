"""Keras 3's attention layers here and in Keras (JAX backend), from the same weights:
`EinsumDense`, `MultiHeadAttention`, `Attention` and `AdditiveAttention`. Outputs,
attention scores and the gradients of the inputs and of every weight in float64
(jax.grad of Keras's stateless_call under jax.enable_x64); masks given and carried by
the inputs (`_keras_mask`), masks all True and rows masked everywhere, causal masks,
attention axes; weight names, shapes and order, configs, summaries; the Transformer
encoder of "Deep Learning with Python" (ch. 11) on embedded tokens, and a functional
model with MultiHeadAttention fitted for an epoch."""

from __future__ import annotations

import numpy as np
import pytest
from keras_tables import keras_summary_rows, keras_summary_text, summary_rows

import nn
from autograd import Tensor
from nn import layers

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")
from keras.src.backend import set_keras_mask  # noqa: E402

EXACT = 1e-10
# Keras's MultiHeadAttention without scores or dropout runs JAX's dot_product_attention,
# whose softmax is float32 even for float64 layers: agreement to float32's precision.
FLOAT32_SOFTMAX = 2e-6


def rng(seed=0):
    return np.random.default_rng(seed)


def copy_weights(ours, theirs, seed=1, scale=0.5):
    """Random weights (not Keras's initial zeros for the biases) in both layers."""
    arrays = [rng(seed).normal(size=w.shape) * scale for w in theirs.weights]
    theirs.set_weights(arrays)
    ours.set_weights(arrays)
    return arrays


def keras_grads(layer, weights, inputs, upstream, call_kwargs=None, masks=None, scores_up=None):
    """Keras's output(s) and the gradients of sum(output * upstream) (+ sum(scores *
    scores_up)) with respect to the weights and the inputs, in float64. `masks[i]` is
    put on input i as its Keras mask."""
    call_kwargs = call_kwargs or {}

    def loss(ws, *xs):
        if masks is not None:
            for x, m in zip(xs, masks):
                if m is not None:
                    set_keras_mask(x, jax.numpy.asarray(m))
        out, _ = layer.stateless_call(ws, [], *xs, **call_kwargs)
        if scores_up is not None:
            return (out[0] * upstream).sum() + (out[1] * scores_up).sum(), out
        return (out * upstream).sum(), out

    with jax.enable_x64(True):
        ws = [np.asarray(w, np.float64) for w in weights]
        argnums = tuple(range(len(inputs) + 1))
        grads, out = jax.grad(loss, argnums=argnums, has_aux=True)(ws, *inputs)
    return out, grads[0], grads[1:]


def our_grads(layer, inputs, upstream, call_kwargs=None, masks=None, scores_up=None):
    tensors = [Tensor(x, requires_grad=True) for x in inputs]
    for t, m in zip(tensors, masks or []):
        if m is not None:
            t._keras_mask = m
    out = layer(*tensors, **(call_kwargs or {}))
    if scores_up is not None:
        total = (out[0] * Tensor(upstream)).sum() + (out[1] * Tensor(scores_up)).sum()
    else:
        total = (out * Tensor(upstream)).sum()
    total.backward()
    return out, [w.grad.data for w in layer.trainable_weights], [t.grad.data for t in tensors]


def assert_close(ours, theirs, tol):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=tol, atol=tol)


# ----------------------------------------------------------------------------- EinsumDense

EINSUM_CASES = [
    ("ab,bc->ac", 6, "c", (4, 3)),
    ("abc,cde->abde", (None, 2, 4), "de", (3, 5, 8)),
    ("abc,cde->abde", (None, 2, 4), "e", (3, 5, 8)),
    ("abcd,cde->abe", (None, 7), "e", (2, 3, 4, 5)),
    ("...b,bc->...c", 6, None, (2, 3, 4, 5)),
    ("ab...,bc->ac...", (6,), "c", (2, 3, 4, 5)),
    ("abc,cd->abd", (None, 1), "d", (2, 1, 3)),
]


@pytest.mark.parametrize("equation, output_shape, bias_axes, shape", EINSUM_CASES)
def test_einsum_dense_matches_keras_values_gradients_shapes_and_config(
    equation, output_shape, bias_axes, shape
):
    kwargs = {"bias_axes": bias_axes, "activation": "tanh" if bias_axes == "e" else None}
    theirs = keras.layers.EinsumDense(equation, output_shape, dtype="float64", **kwargs)
    ours = layers.EinsumDense(equation, output_shape, dtype="float64", **kwargs)
    theirs.build(shape)
    ours.build(shape)
    assert [(w.name, w.shape) for w in ours.weights] == [
        (w.name, tuple(w.shape)) for w in theirs.weights
    ]
    weights = copy_weights(ours, theirs)
    x = rng(2).normal(size=shape)
    full = ours(x).shape
    assert all(n in (None, m) for n, m in zip(ours.compute_output_shape(shape), full, strict=True))
    if not (equation.startswith("...") and len(shape) > 3):  # Keras reverses those axes
        assert ours.compute_output_shape(shape) == tuple(theirs.compute_output_shape(shape))
    up = rng(3).normal(size=full)
    out_k, dw_k, (dx_k,) = keras_grads(theirs, weights, [x], up)
    out, dw, (dx,) = our_grads(ours, [x], up)
    # Keras's tanh is float32 inside even for float64 layers
    tol = 1e-6 if kwargs["activation"] else EXACT
    assert_close(out.data, out_k, tol)
    assert_close(dx, dx_k, tol)
    for a, b in zip(dw, dw_k, strict=True):
        assert_close(a, b, tol)
    config, keras_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(keras_config)
    for key in ("equation", "output_shape", "bias_axes", "activation", "kernel_regularizer"):
        assert config[key] == keras_config[key], key
    again = layers.EinsumDense.from_config(keras_config)
    again.build(shape)
    assert [w.shape for w in again.get_weights()] == [w.shape for w in ours.get_weights()]


def test_einsum_dense_kernel_draws_with_keras_fans():
    """glorot_uniform with fan_in = dim and fan_out = heads * key_dim, as Keras's."""
    layer = layers.EinsumDense("abc,cde->abde", (None, 4, 64), bias_axes="de")
    layer.build((None, 10, 32))
    limit = np.sqrt(6 / (32 + 4 * 64))
    kernel = layer.kernel.data
    assert kernel.shape == (32, 4, 64) and kernel.dtype == np.float32
    assert limit * 0.98 < np.abs(kernel).max() <= limit
    np.testing.assert_array_equal(layer.bias.data, np.zeros((4, 64), np.float32))
    he = layers.EinsumDense("ab,bc->ac", 300, kernel_initializer=nn.initializers.HeNormal(seed=3))
    he.build((None, 200))
    assert abs(he.kernel.data.std() - np.sqrt(2 / 200)) < 0.01


def test_einsum_dense_lora_matches_keras():
    theirs = keras.layers.EinsumDense("abc,cd->abd", (None, 5), bias_axes="d", dtype="float64")
    ours = layers.EinsumDense("abc,cd->abd", (None, 5), bias_axes="d", dtype="float64")
    theirs.build((2, 3, 4))
    ours.build((2, 3, 4))
    theirs.enable_lora(2, lora_alpha=3)
    ours.enable_lora(2, lora_alpha=3)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [w.name for w in ours.trainable_weights] == [w.name for w in theirs.trainable_weights]
    weights = copy_weights(ours, theirs)
    x = rng(2).normal(size=(2, 3, 4))
    with jax.enable_x64(True):
        expected = theirs.stateless_call(
            [w for w, v in zip(weights, theirs.weights) if v.trainable],
            [w for w, v in zip(weights, theirs.weights) if not v.trainable],
            x,
        )[0]
    assert_close(ours(x).data, expected, 1e-6)  # Keras's LoRA factors are float32 always
    assert ours.get_config()["lora_rank"] == 2 and ours.get_config()["lora_alpha"] == 3
    with pytest.raises(ValueError, match="already enabled"):
        ours.enable_lora(2)


@pytest.mark.parametrize(
    "equation, output_shape, bias_axes, shape",
    [
        ("ab,bc", 4, None, (2, 3)),  # no output
        ("ab,bc->ac", 4, "x", (2, 3)),  # bias letter not in the output
        ("ab,bd->ac", 4, None, (2, 3)),  # output letter nowhere
        ("abc,cd->abd", (5, 4), None, (2, 3, 6)),  # shared axis of another size
    ],
)
def test_einsum_dense_refuses_what_keras_refuses(equation, output_shape, bias_axes, shape):
    for lib in (keras.layers, layers):
        with pytest.raises(ValueError):
            lib.EinsumDense(equation, output_shape, bias_axes=bias_axes).build(shape)


# ---------------------------------------------------------------------- MultiHeadAttention


def mha_pair(q_shape, v_shape, k_shape=None, **kwargs):
    theirs = keras.layers.MultiHeadAttention(dtype="float64", **kwargs)
    ours = layers.MultiHeadAttention(dtype="float64", **kwargs)
    theirs.build(q_shape, v_shape, k_shape)
    ours.build(q_shape, v_shape, k_shape)
    assert [(w.name, w.shape) for w in ours.weights] == [
        (w.name, tuple(w.shape)) for w in theirs.weights
    ]
    return ours, theirs, copy_weights(ours, theirs)


MHA_CASES = [
    # (layer arguments, query shape, value shape, key shape, call arguments)
    ({"num_heads": 2, "key_dim": 3}, (2, 4, 5), (2, 4, 5), None, {}),
    ({"num_heads": 2, "key_dim": 3}, (2, 4, 5), (2, 6, 3), (2, 6, 7), {}),
    ({"num_heads": 3, "key_dim": 2}, (2, 5, 4), (2, 5, 4), None, {"use_causal_mask": True}),
    ({"num_heads": 1, "key_dim": 4, "use_bias": False}, (3, 1, 2), (3, 1, 2), None, {}),
    (
        {"num_heads": 2, "key_dim": 3, "value_dim": 4, "output_shape": 6, "use_gate": True},
        (2, 4, 5),
        (2, 6, 5),
        None,
        {"return_attention_scores": True},
    ),
    (
        {"num_heads": 2, "key_dim": 3, "output_shape": (2, 3)},
        (2, 4, 5),
        (2, 4, 5),
        None,
        {"return_attention_scores": True, "use_causal_mask": True},
    ),
    ({"num_heads": 2, "key_dim": 2, "sliding_window": 2}, (2, 5, 3), (2, 5, 3), None, {}),
    (
        {"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2)},
        (2, 3, 4, 5),
        (2, 3, 4, 5),
        None,
        {"return_attention_scores": True},
    ),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": 2}, (2, 3, 4, 5), (2, 3, 4, 5), None, {}),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": -2}, (2, 3, 4, 5), (2, 3, 2, 5), None, {}),
]


def _mha_case(args, q_shape, v_shape, k_shape, call, masks=None, attention_mask=None):
    ours, theirs, weights = mha_pair(q_shape, v_shape, k_shape, **args)
    r = rng(5)
    inputs = [r.normal(size=q_shape), r.normal(size=v_shape)]
    if k_shape is not None:
        inputs.append(r.normal(size=k_shape))
    call = dict(call)
    if attention_mask is not None:
        call["attention_mask"] = attention_mask
    out_shape = ours.compute_output_shape(q_shape, v_shape, k_shape)
    assert out_shape == tuple(theirs.compute_output_shape(q_shape, v_shape, k_shape))
    up = r.normal(size=out_shape)
    scores_up = None
    if call.get("return_attention_scores"):
        scores_shape = ours(*[Tensor(x) for x in inputs], **call)[1].shape
        scores_up = r.normal(size=scores_shape)
    # Keras's stateless_call runs `call` alone: the value's mask is what Keras's
    # __call__ would pass it, and `call` reads the query's itself
    keras_call = dict(call)
    if masks is not None and masks[1] is not None:
        keras_call["value_mask"] = masks[1]
    keras_masks = None if masks is None else [masks[0]]
    expected, dw_k, dx_k = keras_grads(
        theirs, weights, inputs, up, keras_call, keras_masks, scores_up
    )
    out, dw, dx = our_grads(ours, inputs, up, call, masks, scores_up)
    explicit = call.get("return_attention_scores") or len(q_shape) != 3
    tol = EXACT if explicit else FLOAT32_SOFTMAX
    if scores_up is not None:
        assert_close(out[0].data, expected[0], tol)
        assert_close(out[1].data, expected[1], tol)
    else:
        assert_close(out.data, expected, tol)
    for a, b in zip(dx, dx_k, strict=True):
        assert_close(a, b, tol)
    for a, b in zip(dw, dw_k, strict=True):
        assert_close(a, b, tol)
    return ours, out


@pytest.mark.parametrize("args, q_shape, v_shape, k_shape, call", MHA_CASES)
def test_multi_head_attention_matches_keras(args, q_shape, v_shape, k_shape, call):
    _mha_case(args, q_shape, v_shape, k_shape, call)


@pytest.mark.parametrize("scores", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_masks_match_keras(scores, causal):
    """attention_mask given, the query's and the value's Keras masks carried by the
    inputs, all together, with a row masked everywhere (sample 1 has no valid value)."""
    query_mask = np.array([[True, True, False, True], [True, False, True, True]])
    value_mask = np.array([[True, True, True, False, False], [False] * 5])
    attention_mask = rng(7).random((2, 4, 5)) > 0.3
    call = {"return_attention_scores": scores, "use_causal_mask": causal}
    args = {"num_heads": 2, "key_dim": 3}
    for masks, given in [
        ([query_mask, value_mask], None),
        (None, attention_mask),
        ([query_mask, None], attention_mask),
        ([np.ones(4, bool)[None].repeat(2, 0), np.ones((2, 5), bool)], None),
    ]:
        _mha_case(args, (2, 4, 3), (2, 5, 3), None, call, masks, given)


def test_multi_head_attention_reads_and_moves_the_keras_masks():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    x = Tensor(rng().normal(size=(2, 3, 4)).astype(np.float32))
    mask = np.array([[True, True, False], [True, False, False]])
    x._keras_mask = mask
    out = layer(x, x)
    np.testing.assert_array_equal(out._keras_mask, mask)
    assert x._keras_mask is None  # cleared, as Keras clears it
    # a masked value position changes nothing, an unmasked one does
    y = Tensor(x.data.copy())
    y.data[0, 2] += 10.0
    y._keras_mask = mask
    np.testing.assert_allclose(layer(y, y).data[0, :2], out.data[0, :2], rtol=1e-6, atol=1e-6)
    # the key's mask, given or carried, masks key positions
    value = Tensor(x.data)
    key = Tensor(x.data * 2)
    key._keras_mask = mask
    carried = layer(x, value, key)
    given = layer(x, value, Tensor(x.data * 2), key_mask=mask)
    np.testing.assert_allclose(carried.data, given.data, rtol=1e-6)


def test_multi_head_attention_weights_config_and_errors_as_keras():
    ours = layers.MultiHeadAttention(num_heads=4, key_dim=8, value_dim=6, output_shape=10)
    theirs = keras.layers.MultiHeadAttention(num_heads=4, key_dim=8, value_dim=6, output_shape=10)
    ours.build((None, 7, 16), (None, 9, 12))
    theirs.build((None, 7, 16), (None, 9, 12))
    assert [w.path.split("/", 1)[1] for w in theirs.weights] == [
        name.replace("_dense.", "/").replace("output/", "attention_output/").replace(".", "/")
        for name in ours.state_dict()
    ]
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.weights]
    assert ours.count_params() == theirs.count_params()
    config, keras_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(keras_config)
    for key in set(config) - {"dtype", "kernel_initializer", "bias_initializer", "name"}:
        assert config[key] == keras_config[key], key
    for lib in (keras.layers, layers):  # frozen before it is built: every weight
        frozen = lib.MultiHeadAttention(num_heads=2, key_dim=2, trainable=False)
        frozen.build((2, 3, 4), (2, 3, 4))
        assert (len(frozen.trainable_weights), len(frozen.non_trainable_weights)) == (0, 8)
    again = layers.MultiHeadAttention.from_config(keras_config)
    assert again.get_config()["attention_axes"] == (1,)
    for bad in (
        {"num_heads": 0, "key_dim": 2},
        {"num_heads": 2, "key_dim": 2.5},
        {"num_heads": 2, "key_dim": 2, "value_dim": -1},
        {"num_heads": 2, "key_dim": 2, "attention_axes": "1"},
        {"num_heads": 2, "key_dim": 2, "sliding_window": 0},
        {"num_heads": 2, "key_dim": 2, "dropout": 0.1, "flash_attention": True},
    ):
        for lib in (keras.layers, layers):
            with pytest.raises(ValueError):
                lib.MultiHeadAttention(**bad)
    for lib in (keras.layers, layers):
        with pytest.raises(ValueError, match="except the last one"):
            lib.MultiHeadAttention(num_heads=2, key_dim=2).build((2, 3, 4), (2, 5, 4), (2, 6, 4))


def test_multi_head_attention_dropout_drops_scores_in_training_only():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)
    x = rng().normal(size=(2, 6, 8)).astype(np.float32)
    out, scores = layer(x, x, return_attention_scores=True)
    again = layer(x, x)
    np.testing.assert_allclose(out.data, again.data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores.data.sum(-1), 1.0, rtol=1e-5)
    trained = layer(x, x, training=True)
    assert not np.allclose(trained.data, out.data)
    same_seed = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)
    same_seed(x, x)
    same_seed.set_weights(layer.get_weights())
    fresh = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)
    fresh(x, x)
    fresh.set_weights(layer.get_weights())
    np.testing.assert_array_equal(
        fresh(x, x, training=True).data, same_seed(x, x, training=True).data
    )


# ------------------------------------------------------------ Attention, AdditiveAttention

ATTENTION_CASES = [
    ("Attention", {}, {}),
    ("Attention", {}, {"use_causal_mask": True, "return_attention_scores": True}),
    ("Attention", {"use_scale": True}, {"return_attention_scores": True}),
    ("Attention", {"score_mode": "concat"}, {"use_causal_mask": True}),
    (
        "Attention",
        {"score_mode": "concat", "use_scale": True},
        {"return_attention_scores": True, "use_causal_mask": True},
    ),
    ("AdditiveAttention", {}, {"return_attention_scores": True}),
    ("AdditiveAttention", {"use_scale": False}, {"use_causal_mask": True}),
]


def _attention_grads_keras(layer, weights, inputs, mask, call, up, scores_up):
    def loss(ws, xs):
        out, _ = layer.stateless_call(ws, [], list(xs), mask=mask, **call)
        if scores_up is not None:
            return (out[0] * up).sum() + (out[1] * scores_up).sum(), out
        return (out * up).sum(), out

    with jax.enable_x64(True):
        ws = [np.asarray(w, np.float64) for w in weights]
        (dw, dx), out = jax.grad(loss, argnums=(0, 1), has_aux=True)(ws, tuple(inputs))
    return out, dw, dx


@pytest.mark.parametrize("name, args, call", ATTENTION_CASES)
@pytest.mark.parametrize("with_key", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_attention_layers_match_keras(name, args, call, with_key, masked):
    r = rng(11)
    shapes = [(2, 4, 3), (2, 5, 3)] + ([(2, 5, 3)] if with_key else [])
    theirs = getattr(keras.layers, name)(dtype="float64", **args)
    ours = getattr(layers, name)(dtype="float64", **args)
    theirs.build(shapes)
    ours.build(shapes)
    assert [(w.name, w.shape) for w in ours.weights] == [
        (w.name, tuple(w.shape)) for w in theirs.weights
    ]
    weights = copy_weights(ours, theirs, scale=1.0)
    inputs = [r.normal(size=s) for s in shapes]
    mask = None
    if masked:  # query row 1 of sample 0 masked; sample 1 has one valid value
        # (with tanh's scores, which Keras computes in float32 even for float64 layers,
        # score - 1e9 rounds to -1e9: the causal rows masked everywhere are left out)
        dot = name == "Attention" and args.get("score_mode") != "concat"
        mask = [
            np.array([[True, False, True, True], [True] * 4]),
            np.array([[True, True, False, True, False], [not dot, False, True, False, False]]),
        ]
    up = r.normal(size=(2, 4, 3))
    scores_up = r.normal(size=(2, 4, 5)) if call.get("return_attention_scores") else None
    expected, dw_k, dx_k = _attention_grads_keras(
        theirs, weights, inputs, mask, call, up, scores_up
    )
    tensors = [Tensor(x, requires_grad=True) for x in inputs]
    out = ours(tensors, mask=mask, **call)
    if scores_up is not None:
        total = (out[0] * Tensor(up)).sum() + (out[1] * Tensor(scores_up)).sum()
        assert_close(out[0].data, expected[0], 1e-6)
        assert_close(out[1].data, expected[1], 1e-6)
    else:
        total = (out * Tensor(up)).sum()
        assert_close(out.data, expected, 1e-6)
    total.backward()
    # Keras computes tanh in float32 (concat and additive scores): 1e-6 there
    tol = EXACT if name == "Attention" and args.get("score_mode") != "concat" else 1e-6
    for t, g in zip(tensors, dx_k, strict=True):
        assert_close(t.grad.data, g, tol)
    for w, g in zip(ours.trainable_weights, dw_k, strict=True):
        assert_close(w.grad.data, g, tol)
    config, keras_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(keras_config)
    assert {k: config[k] for k in config if k != "dtype"} == {
        k: keras_config[k] for k in keras_config if k != "dtype"
    }


def test_attention_reads_the_inputs_keras_masks_and_passes_the_query_s():
    query = Tensor(rng().normal(size=(2, 3, 4)).astype(np.float32))
    value = Tensor(rng(1).normal(size=(2, 5, 4)).astype(np.float32))
    query_mask = np.array([[True, False, True], [True, True, True]])
    value_mask = np.array([[True, True, False, False, True], [True] * 5])
    query._keras_mask, value._keras_mask = query_mask, value_mask
    layer = layers.Attention()
    carried = layer([query, value])
    given = layers.Attention()(
        [Tensor(query.data), Tensor(value.data)], mask=[query_mask, value_mask]
    )
    np.testing.assert_allclose(carried.data, given.data, rtol=1e-6)
    np.testing.assert_array_equal(carried._keras_mask, query_mask)
    assert np.all(carried.data[0, 1] == 0)


def test_attention_errors_as_keras():
    x = np.zeros((2, 3, 4), np.float32)
    for lib in (keras.layers, layers):
        with pytest.raises(ValueError, match="score_mode"):
            lib.Attention(score_mode="add")
        with pytest.raises(ValueError, match="list of inputs"):
            lib.Attention()(x)
        with pytest.raises(ValueError, match="length 2 or 3"):
            lib.Attention()([x])
        with pytest.raises(ValueError, match="mask must be a list"):
            lib.Attention()([x, x], mask=np.ones((2, 3), bool))
    additive = layers.AdditiveAttention()
    additive([x, x])
    assert additive.scale.shape == (4,) and np.abs(additive.scale.data).max() <= np.sqrt(6 / 8)


# -------------------------------------------------------- models: summary, encoder, fit


def _attention_model(k, lay):
    inputs = k.Input(shape=(6, 8))
    x = lay.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(inputs, inputs)
    x = lay.LayerNormalization()(x)
    x = lay.GlobalAveragePooling1D()(x)
    outputs = lay.Dense(1)(x)
    return k.Model(inputs, outputs)


def test_functional_model_summarizes_and_fits_an_epoch_as_keras():
    keras.utils.clear_session()  # both libraries' default names start again
    nn.utils.clear_session()
    keras.utils.set_random_seed(0)
    theirs, ours = _attention_model(keras, keras.layers), _attention_model(nn, layers)
    ours.set_weights(theirs.get_weights())
    text = ours.summary(print_fn=None)
    assert text == keras_summary_text(theirs)
    assert summary_rows(text)[1] == keras_summary_rows(theirs)[1]
    assert "│ mha                 │ (None, 6, 8)      │        288 │" in text
    r = rng(3)
    x = r.normal(size=(64, 6, 8)).astype(np.float32)
    y = r.normal(size=(64, 1)).astype(np.float32)
    history = {}
    for lib, model in ((keras, theirs), (nn, ours)):
        model.compile(optimizer=lib.optimizers.Adam(1e-2), loss="mse")
        history[lib] = model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history[nn]["loss"], history[keras]["loss"], rtol=1e-5)
    # the key's bias gets no gradient (softmax is blind to it): Adam's steps from
    # rounding noise there differ; every other weight moved as Keras's
    names = [w.path for w in theirs.weights]
    for name, a, b in zip(names, ours.get_weights(), theirs.get_weights(), strict=True):
        if name != "mha/key/bias":
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5, err_msg=name)


def _transformer_encoder(lib, lay):
    """DLwP ch. 11's TransformerEncoder, as the book writes it."""

    class TransformerEncoder(lay.Layer):
        def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.embed_dim = embed_dim
            self.dense_dim = dense_dim
            self.num_heads = num_heads
            self.attention = lay.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = lib.Sequential(
                [lay.Dense(dense_dim, activation="relu"), lay.Dense(embed_dim)]
            )
            self.layernorm_1 = lay.LayerNormalization()
            self.layernorm_2 = lay.LayerNormalization()

        def call(self, inputs, mask=None):
            if mask is not None:
                mask = mask[:, None, :]
            attention_output = self.attention(inputs, inputs, attention_mask=mask)
            proj_input = self.layernorm_1(inputs + attention_output)
            proj_output = self.dense_proj(proj_input)
            return self.layernorm_2(proj_input + proj_output)

        def get_config(self):
            config = super().get_config()
            config.update(
                {
                    "embed_dim": self.embed_dim,
                    "num_heads": self.num_heads,
                    "dense_dim": self.dense_dim,
                }
            )
            return config

    return TransformerEncoder


def test_dlwp_transformer_encoder_on_embedded_tokens_matches_keras():
    vocab, embed_dim, dense_dim, num_heads = 30, 8, 16, 2
    tokens = rng(4).integers(1, vocab, size=(3, 7))
    tokens[0, 5:] = 0  # padding
    tokens[1, 2:] = 0
    mask = tokens != 0
    keras.utils.set_random_seed(1)
    k_embed = keras.layers.Embedding(vocab, embed_dim)
    k_encoder = _transformer_encoder(keras, keras.layers)(embed_dim, dense_dim, num_heads)
    o_embed = layers.Embedding(vocab, embed_dim)
    o_encoder = _transformer_encoder(nn, layers)(embed_dim, dense_dim, num_heads)
    embedded_k = k_embed(tokens)
    embedded_o = o_embed(tokens)
    for with_mask in (None, mask):
        expected = k_encoder(embedded_k, mask=with_mask)
        got = o_encoder(embedded_o, mask=with_mask)
        if with_mask is None:  # weights exist now: copy Keras's and run again
            o_embed.weight.data[...] = k_embed.get_weights()[0]
            assert [w.shape for w in o_encoder.weights] == [
                tuple(w.shape) for w in k_encoder.weights
            ]
            o_encoder.set_weights(k_encoder.get_weights())
            embedded_o = o_embed(tokens)
            got = o_encoder(embedded_o)
        np.testing.assert_allclose(got.data, np.asarray(expected), rtol=1e-5, atol=1e-5)
    assert o_encoder.count_params() == k_encoder.count_params()
    assert o_encoder.get_config()["embed_dim"] == embed_dim


def test_attention_model_saves_and_loads_with_its_weights(tmp_path):
    inputs = nn.Input(shape=(6, 8))
    x = layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, output_shape=5)(
        inputs, inputs
    )
    x = layers.Attention(use_scale=True, score_mode="concat")([x, x])
    x = layers.AdditiveAttention()([x, x])
    x = layers.EinsumDense("abc,cd->abd", (None, 3), bias_axes="d", activation="relu")(x)
    model = nn.Model(inputs, x)
    data = rng().normal(size=(2, 6, 8)).astype(np.float32)
    path = tmp_path / "attention.keras"
    model.save(path)
    loaded = nn.load_model(path)
    np.testing.assert_array_equal(loaded.predict(data, verbose=0), model.predict(data, verbose=0))
    assert [w.shape for w in loaded.get_weights()] == [w.shape for w in model.get_weights()]
    assert loaded.layers[1].get_config() == model.layers[1].get_config()


def test_multi_head_attention_edges_as_keras():
    """An empty batch, float64 data autocast to the float32 layer, and Keras's
    `query_mask` argument, which its `call` does not read (the carried mask is)."""
    theirs = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    ours = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    empty = np.zeros((0, 4, 5), np.float32)
    assert ours(empty, empty).shape == tuple(theirs(empty, empty).shape) == (0, 4, 5)
    ours.set_weights(theirs.get_weights())
    x = rng().normal(size=(2, 4, 5))
    query_mask = np.array([[True, False, True, True], [False] * 4])
    out = ours(x, x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, np.asarray(theirs(x, x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours(x, x, query_mask=query_mask).data, out.data)
    np.testing.assert_array_equal(
        np.asarray(theirs(x, x, query_mask=query_mask)), np.asarray(theirs(x, x))
    )


def test_einsum_dense_in_a_sequential_counts_and_fits_as_keras():
    keras.utils.set_random_seed(2)
    models = {
        lib: lib.Sequential(
            [
                lib.Input((4, 5)),
                lib.layers.EinsumDense("abc,cd->abd", (4, 7), bias_axes="d", activation="relu"),
                lib.layers.Flatten(),
                lib.layers.Dense(1),
            ]
        )
        for lib in (keras, nn)
    }
    models[nn].set_weights(models[keras].get_weights())
    assert models[nn].count_params() == models[keras].count_params() == 42 + 29
    r = rng(6)
    x, y = r.normal(size=(32, 4, 5)).astype(np.float32), r.normal(size=(32, 1)).astype(np.float32)
    losses = {}
    for lib, model in models.items():
        model.compile(optimizer="sgd", loss="mse")
        losses[lib] = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    np.testing.assert_allclose(losses[nn]["loss"], losses[keras]["loss"], rtol=1e-5)


def test_dlwp_transformer_text_classifier_summarizes_and_fits_as_keras():
    """DLwP ch. 11's model: Embedding, TransformerEncoder, GlobalMaxPooling1D, Dense
    (its Dropout left out: random masks), 2 epochs of rmsprop on integer sequences."""

    def build(lib, lay):
        inputs = lib.Input(shape=(None,), dtype="int64")
        x = lay.Embedding(50, 8)(inputs)
        x = _transformer_encoder(lib, lay)(8, 16, 2)(x)
        x = lay.GlobalMaxPooling1D()(x)
        return lib.Model(inputs, lay.Dense(1, activation="sigmoid")(x))

    keras.utils.set_random_seed(0)
    models = {keras: build(keras, keras.layers), nn: build(nn, layers)}
    models[nn].set_weights(models[keras].get_weights())
    ours_rows, ours_totals = summary_rows(models[nn].summary(print_fn=None))
    keras_rows, keras_totals = keras_summary_rows(models[keras])
    assert ours_totals == keras_totals and ours_totals[0] == ("Total", "1,289")
    assert [r[2:] for r in ours_rows] == [r[2:] for r in keras_rows]
    r = rng(8)
    x = r.integers(1, 50, size=(64, 10))
    y = r.integers(0, 2, size=(64, 1)).astype(np.float32)
    np.testing.assert_allclose(
        models[nn].predict(x, verbose=0), models[keras].predict(x, verbose=0), atol=1e-6
    )
    history = {}
    for lib, model in models.items():
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        history[lib] = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history[nn]["loss"], history[keras]["loss"], rtol=1e-5)
    assert history[nn]["accuracy"] == pytest.approx(history[keras]["accuracy"])


@pytest.mark.parametrize(
    "name, args",
    [("Attention", {}), ("Attention", {"score_mode": "concat"}), ("AdditiveAttention", {})],
)
def test_attention_rows_masked_everywhere_match_keras_in_float32(name, args):
    """Causal rows with no valid value (sample 1, rows 0 and 1): score - 1e9 in
    float32 as Keras computes it."""
    r = rng(12)
    query = r.normal(size=(2, 4, 3)).astype(np.float32)
    value = r.normal(size=(2, 5, 3)).astype(np.float32)
    mask = [
        np.array([[True, False, True, True], [True] * 4]),
        np.array([[True, True, False, True, False], [False, False, True, False, False]]),
    ]
    theirs, ours = getattr(keras.layers, name)(**args), getattr(layers, name)(**args)
    expected = theirs([query, value], mask=mask, use_causal_mask=True)
    ours([query, value])
    ours.set_weights(theirs.get_weights())
    got = ours([query, value], mask=mask, use_causal_mask=True)
    np.testing.assert_allclose(got.data, np.asarray(expected), rtol=1e-6, atol=1e-6)
