"""Keras's other layer names (MaxPool2D, Convolution2D, ...), its recurrent cells
`SimpleRNNCell`, `LSTMCell`, `GRUCell`, `RNN(cell)` and `StackedRNNCells`, against
Keras 3 (JAX backend) in float64 from the same weights: outputs, states, gradients
of inputs, states and weights; RNN(cell) against our SimpleRNN / LSTM / GRU; the
custom cell of Keras's guide "Working with RNNs"; names, configs, summaries."""

from __future__ import annotations

import numpy as np
import pytest
from keras_tables import keras_summary_text

import nn
from autograd import Tensor
from nn import layers, recurrent_steps

keras = pytest.importorskip("keras")

TOL = {"rtol": 1e-10, "atol": 1e-12}
GRAD_TOL = {"rtol": 1e-9, "atol": 1e-11}
# Keras's float64 cells compute tanh and sigmoid in float32 (JAX backend), and its
# float64 RNN does not run (its scan's carry turns float32): those are compared at
# float32's precision, ours staying in float64
TOL32 = {"rtol": 2e-5, "atol": 2e-6}
GRAD_TOL32 = {"rtol": 1e-4, "atol": 1e-5}

ALIASES = {
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "Convolution1DTranspose": "Conv1DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3DTranspose": "Conv3DTranspose",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
}

CELLS = [
    ("SimpleRNNCell", {}),
    ("SimpleRNNCell", {"activation": "relu", "use_bias": False}),
    ("LSTMCell", {}),
    ("LSTMCell", {"use_bias": False, "recurrent_activation": "hard_sigmoid"}),
    ("LSTMCell", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("GRUCell", {}),
    ("GRUCell", {"reset_after": False}),
    ("GRUCell", {"use_bias": False}),
    ("GRUCell", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
]


def _tols(kind, options):
    """Float64's tolerances where Keras computes in float64 (piecewise linear
    activations), float32's where it computes tanh or sigmoid in float32."""
    exact = options.get("activation") == "relu" and (
        kind == "SimpleRNNCell" or options.get("recurrent_activation") == "hard_sigmoid"
    )
    return (TOL, GRAD_TOL) if exact else (TOL32, GRAD_TOL32)


@pytest.fixture(autouse=True)
def fresh_names_and_float64():
    """Names numbered from the start in both libraries; JAX computing in float64 (it
    truncates float64 to float32 unless told)."""
    jax = pytest.importorskip("jax")
    nn.utils.clear_session()
    keras.utils.clear_session()
    with jax.enable_x64(True):
        yield


@pytest.fixture(params=[True, False], ids=["fused", "composed"])
def fused(request, monkeypatch):
    """A test once on the fused path (where the equations allow it), once on steps."""
    monkeypatch.setattr(recurrent_steps, "FUSED", request.param)
    return request.param


def _rng(seed=0):
    return np.random.default_rng(seed)


def _copy_weights(ours, theirs):
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])


def _compare(ours, theirs, tol=TOL):
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _compare(a, b, tol)
        return
    assert isinstance(ours, Tensor)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours.data, np.asarray(theirs), **tol)


def _cell_pair(kind, units=5, features=4, **options):
    theirs = getattr(keras.layers, kind)(units, dtype="float64", **options)
    ours = getattr(layers, kind)(units, dtype="float64", **options)
    theirs.build((None, features))
    ours.build((None, features))
    _copy_weights(ours, theirs)
    # random biases (zeros by default), so that a bias mistake shows
    if ours.use_bias:
        bias = _rng(7).normal(size=ours.bias.shape)
        ours.bias.data[...] = bias
        theirs.bias.assign(bias)
    return ours, theirs


# ---- aliases


@pytest.mark.parametrize(("alias", "name"), ALIASES.items())
def test_aliases_are_the_same_classes_as_in_keras(alias, name):
    assert getattr(layers, alias) is getattr(layers, name)
    assert getattr(nn, alias) is getattr(layers, name)
    assert getattr(keras.layers, alias) is getattr(keras.layers, name)  # as in Keras


@pytest.mark.parametrize(("alias", "name"), ALIASES.items())
def test_alias_layers_are_named_as_keras_s(alias, name):
    args = {"filters": 2, "kernel_size": 3} if "Conv" in alias else {}
    if alias.startswith(("MaxPool", "AvgPool")):
        args = {"pool_size": 2}
    ours = [getattr(layers, alias)(**args).name for _ in range(2)]
    theirs = [getattr(keras.layers, alias)(**args).name for _ in range(2)]
    assert ours == theirs


def test_alias_layers_compute_as_their_class():
    x = _rng().normal(size=(2, 6, 6, 3)).astype(np.float32)
    model = nn.Sequential([nn.Input((6, 6, 3)), layers.Convolution2D(4, 3), layers.MaxPool2D()])
    keras_model = keras.Sequential(
        [keras.Input((6, 6, 3)), keras.layers.Convolution2D(4, 3), keras.layers.MaxPool2D()]
    )
    model.set_weights(keras_model.get_weights())
    np.testing.assert_allclose(model(x).data, np.asarray(keras_model(x)), rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in model.layers] == [layer.name for layer in keras_model.layers]


# ---- the cells, one step


@pytest.mark.parametrize(("kind", "options"), CELLS)
@pytest.mark.parametrize("batch", [3, 1])
def test_cell_step_matches_keras(kind, options, batch):
    ours, theirs = _cell_pair(kind, **options)
    rng = _rng(1)
    x = rng.normal(size=(batch, 4))
    states = [rng.normal(size=(batch, 5)) for _ in range(2 if kind == "LSTMCell" else 1)]
    ours_out = ours(x, [Tensor(s) for s in states])
    theirs_out = theirs(x, states)
    _compare(list(ours_out), [theirs_out[0], list(theirs_out[1])], _tols(kind, options)[0])
    assert isinstance(ours_out[1], list)


@pytest.mark.parametrize(("kind", "options"), CELLS)
def test_cell_gradients_match_keras(kind, options):
    """Gradients of the inputs, the states and every weight against JAX's."""
    jax = pytest.importorskip("jax")
    ours, theirs = _cell_pair(kind, **options)
    rng = _rng(2)
    x = rng.normal(size=(3, 4))
    count = 2 if kind == "LSTMCell" else 1
    states = [rng.normal(size=(3, 5)) for _ in range(count)]
    weights = [rng.normal(size=(3, 5)) for _ in range(count + 1)]
    trainable = [v.value for v in theirs.trainable_variables]
    others = [v.value for v in theirs.non_trainable_variables]  # (its seed's state)

    def loss(trainable, x, states):
        (output, new), _ = theirs.stateless_call(trainable, others, x, list(states))
        total = (output * weights[0]).sum()
        for s, w in zip(new, weights[1:]):
            total = total + (s * w).sum()
        return total

    grads = jax.grad(loss, argnums=(0, 1, 2))(trainable, x, states)
    x_t = Tensor(x, requires_grad=True)
    state_t = [Tensor(s, requires_grad=True) for s in states]
    output, new = ours(x_t, state_t)
    total = (output * Tensor(weights[0])).sum()
    for s, w in zip(new, weights[1:]):
        total = total + (s * Tensor(w)).sum()
    total.backward()
    tol = _tols(kind, options)[1]
    np.testing.assert_allclose(x_t.grad.data, np.asarray(grads[1]), **tol)
    for s, g in zip(state_t, grads[2]):
        np.testing.assert_allclose(s.grad.data, np.asarray(g), **tol)
    for w, g in zip(ours.trainable_weights, grads[0], strict=True):
        np.testing.assert_allclose(w.grad.data, np.asarray(g), **tol, err_msg=w.name)


@pytest.mark.parametrize("kind", ["SimpleRNNCell", "GRUCell"])
def test_a_single_state_tensor_gives_a_single_tensor_back(kind):
    ours, theirs = _cell_pair(kind)
    x, h = _rng(3).normal(size=(2, 4)), _rng(4).normal(size=(2, 5))
    ours_out, ours_state = ours(x, Tensor(h))
    theirs_out, theirs_state = theirs(x, h)
    assert isinstance(ours_state, Tensor)
    _compare([ours_out, ours_state], [theirs_out, theirs_state], TOL32)


@pytest.mark.parametrize(("kind", "size"), [("SimpleRNNCell", 5), ("LSTMCell", [5, 5])])
def test_cell_attributes_are_keras_s(kind, size):
    ours, theirs = _cell_pair(kind)
    assert ours.state_size == theirs.state_size == size
    assert ours.output_size == theirs.output_size == 5
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    ours_zeros = ours.get_initial_state(batch_size=3)
    theirs_zeros = theirs.get_initial_state(batch_size=3)
    assert len(ours_zeros) == len(theirs_zeros)
    for a, b in zip(ours_zeros, theirs_zeros):
        assert a.shape == tuple(b.shape) and not a.data.any()


def test_cells_are_named_and_initialized_as_keras_s():
    names = [layers.LSTMCell(3).name, layers.LSTMCell(3).name, layers.GRUCell(3).name]
    names.append(layers.SimpleRNNCell(3).name)
    assert names == ["lstm_cell", "lstm_cell_1", "gru_cell", "simple_rnn_cell"]
    cell = layers.LSTMCell(4)
    cell.build((None, 3))
    np.testing.assert_array_equal(cell.bias.data, [0] * 4 + [1] * 4 + [0] * 8)  # forget gate
    recurrent = cell.recurrent_kernel.data
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(4), atol=1e-5)  # orthogonal
    gru = layers.GRUCell(4)
    gru.build((None, 3))
    assert gru.bias.shape == (2, 12)
    assert layers.GRUCell(4, reset_after=False).get_config()["reset_after"] is False


@pytest.mark.parametrize("kind", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_cell_dropout_masks_are_kept_between_calls_until_reset(kind):
    cell = layers.__dict__[kind](5, dropout=0.5, recurrent_dropout=0.4, seed=1)
    cell.build((None, 4))
    x = _rng(5).normal(size=(3, 4)).astype(np.float32)
    states = cell.get_initial_state(3)
    states = [Tensor(_rng(6).normal(size=s.shape).astype(np.float32)) for s in states]
    inferred = cell(x, states)[0].data
    np.testing.assert_array_equal(inferred, cell(x, states, training=False)[0].data)
    first = cell(x, states, training=True)[0].data
    assert not np.allclose(first, inferred)
    np.testing.assert_array_equal(first, cell(x, states, training=True)[0].data)  # kept
    cell.reset_dropout_mask()
    cell.reset_recurrent_dropout_mask()
    assert not np.allclose(first, cell(x, states, training=True)[0].data)  # new masks


def test_cell_config_matches_keras_and_round_trips():
    for kind, options in CELLS:
        options = {**options, "dropout": 0.25, "seed": 3, "name": "cell"}
        ours = getattr(layers, kind)(7, **options).get_config()
        theirs = getattr(keras.layers, kind)(7, **options).get_config()
        assert set(ours) == set(theirs), kind
        for key, value in theirs.items():
            if isinstance(value, (str, bool, int, float)) or value is None:
                assert ours[key] == value, (kind, key)
        assert getattr(layers, kind).from_config(ours).get_config() == ours


def test_cells_refuse_what_keras_refuses():
    with pytest.raises(ValueError, match="units"):
        layers.LSTMCell(0)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layers.SimpleRNNCell(3, implementation=1)  # Keras's SimpleRNNCell has none
    cell = layers.LSTMCell(3)
    with pytest.raises(ValueError, match="2 state"):
        cell(np.zeros((2, 4), np.float32), [np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match=r"\(batch, features\)"):
        cell(np.zeros((2, 5, 4), np.float32), cell.get_initial_state(2))


# ---- RNN(cell)


def _rnn_pair(cells, features=4, **flags):
    """RNN of Keras's cells (float32: see TOL32) and of ours (float64), the same
    weights (random biases)."""
    kinds = cells if isinstance(cells, list) else [cells]
    theirs_cells = [getattr(keras.layers, k)(u, **o) for k, u, o in kinds]
    ours_cells = [getattr(layers, k)(u, dtype="float64", **o) for k, u, o in kinds]
    wrap = (lambda c: c) if isinstance(cells, list) else (lambda c: c[0])
    theirs = keras.layers.RNN(wrap(theirs_cells), **flags)
    ours = layers.RNN(wrap(ours_cells), dtype="float64", **flags)
    theirs.build((None, None, features))
    ours.build((None, None, features))
    _copy_weights(ours, theirs)
    values = [
        _rng(9 + i).normal(size=w.shape).astype(np.float32)
        for i, w in enumerate(theirs.get_weights())
    ]
    theirs.set_weights(values)
    ours.set_weights(values)
    return ours, theirs


@pytest.mark.parametrize(("kind", "options"), CELLS)
@pytest.mark.parametrize(
    ("return_sequences", "return_state", "go_backwards"),
    # each flag both ways, each pair of them in two of the combinations
    [(False, False, False), (True, True, False), (False, True, True), (True, False, True)],
)
def test_rnn_of_a_cell_matches_keras(fused, kind, options, return_sequences, return_state,
                                     go_backwards):  # fmt: skip
    flags = {
        "return_sequences": return_sequences,
        "return_state": return_state,
        "go_backwards": go_backwards,
    }
    ours, theirs = _rnn_pair((kind, 5, options), **flags)
    x = _rng(1).normal(size=(3, 6, 4)).astype(np.float32)
    _compare(ours(x.astype(np.float64)), theirs(x), TOL32)


@pytest.mark.parametrize(("kind", "options"), CELLS)
def test_rnn_of_a_cell_gradients_match_keras(fused, kind, options):
    jax = pytest.importorskip("jax")
    ours, theirs = _rnn_pair((kind, 5, options), return_sequences=True, go_backwards=True)
    x = _rng(1).normal(size=(3, 6, 4)).astype(np.float32)
    weight = _rng(2).normal(size=(3, 6, 5)).astype(np.float32)
    trainable = [v.value for v in theirs.trainable_variables]
    others = [v.value for v in theirs.non_trainable_variables]

    def loss(trainable, x):
        output, _ = theirs.stateless_call(trainable, others, x)
        return (output * weight).sum()

    weight_grads, input_grad = jax.grad(loss, argnums=(0, 1))(trainable, x)
    inputs = Tensor(x.astype(np.float64), requires_grad=True)
    (ours(inputs) * Tensor(weight.astype(np.float64))).sum().backward()
    assert inputs.grad.dtype == np.float64
    np.testing.assert_allclose(inputs.grad.data, np.asarray(input_grad), **GRAD_TOL32)
    for w, g in zip(ours.trainable_weights, weight_grads, strict=True):
        np.testing.assert_allclose(w.grad.data, np.asarray(g), **GRAD_TOL32, err_msg=w.name)


@pytest.mark.parametrize(("kind", "options"), CELLS)
def test_rnn_initial_state_matches_keras(kind, options):
    ours, theirs = _rnn_pair((kind, 5, options), return_sequences=True, return_state=True)
    rng = _rng(3)
    states = [rng.normal(size=(3, 5)) for _ in range(2 if kind == "LSTMCell" else 1)]
    x = rng.normal(size=(3, 6, 4))
    theirs_out = theirs(x.astype(np.float32), initial_state=[s.astype(np.float32) for s in states])
    _compare(ours(x, initial_state=states), theirs_out, TOL32)


@pytest.mark.parametrize("length", [1, 7])
def test_stacked_cells_match_keras(fused, length):
    cells = [("LSTMCell", 4, {}), ("SimpleRNNCell", 3, {}), ("GRUCell", 2, {"reset_after": False})]
    ours, theirs = _rnn_pair(cells, return_sequences=True, return_state=True)
    assert isinstance(ours.cell, layers.StackedRNNCells)
    assert ours.cell.state_size == theirs.cell.state_size == [[4, 4], 3, 2]
    x = _rng(4).normal(size=(2, length, 4))
    ours_out, theirs_out = ours(x), theirs(x.astype(np.float32))
    # Keras: output, then each cell's states as its get_initial_state gave them (lists)
    _compare(ours_out[0], theirs_out[0], TOL32)
    _compare([list(s) for s in ours_out[1:]], [list(s) for s in theirs_out[1:]], TOL32)


def test_stacked_cells_step_matches_keras():
    ours = layers.StackedRNNCells(
        [layers.LSTMCell(4, dtype="float64"), layers.GRUCell(3, dtype="float64")]
    )
    theirs = keras.layers.StackedRNNCells(
        [keras.layers.LSTMCell(4, dtype="float64"), keras.layers.GRUCell(3, dtype="float64")]
    )
    ours.build((None, 5))
    theirs.build((None, 5))
    _copy_weights(ours, theirs)
    assert ours.output_size == theirs.output_size == 3
    rng = _rng(5)
    x = rng.normal(size=(2, 5))
    states = [[rng.normal(size=(2, 4)), rng.normal(size=(2, 4))], rng.normal(size=(2, 3))]
    theirs_out = theirs(x, states)
    ours_out = ours(x, [[Tensor(s) for s in states[0]], Tensor(states[1])])
    _compare(ours_out[0], theirs_out[0], TOL32)
    _compare(list(ours_out[1][0]), list(theirs_out[1][0]), TOL32)
    _compare(ours_out[1][1], theirs_out[1][1], TOL32)


@pytest.mark.parametrize(
    ("layer", "cell", "options"),
    [
        ("SimpleRNN", "SimpleRNNCell", {}),
        ("LSTM", "LSTMCell", {}),
        ("GRU", "GRUCell", {}),
        ("GRU", "GRUCell", {"reset_after": False, "activation": "relu"}),
    ],
)
@pytest.mark.parametrize("training", [False, True])
def test_rnn_of_a_cell_equals_our_layer(fused, layer, cell, options, training):
    """The same weights, the same seed: the same outputs and states, dropout too."""
    options = {**options, "dropout": 0.3, "recurrent_dropout": 0.2, "seed": 11}
    flags = {"return_sequences": True, "return_state": True, "go_backwards": True}
    ours = getattr(layers, layer)(5, **options, **flags)
    wrapped = layers.RNN(getattr(layers, cell)(5, **options), **flags)
    ours.build((None, 6, 4))
    wrapped.build((None, 6, 4))
    wrapped.set_weights(ours.get_weights())
    x = _rng(6).normal(size=(3, 6, 4)).astype(np.float32)
    for a, b in zip(ours(x, training=training), wrapped(x, training=training), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_rnn_refuses_what_keras_refuses():
    with pytest.raises(ValueError, match="call"):
        layers.RNN(object())

    class NoState(layers.Layer):
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match="state_size"):
        layers.RNN(NoState())
    with pytest.raises(ValueError, match="state_size"):
        layers.StackedRNNCells([layers.LSTMCell(3), NoState()])
    with pytest.raises(NotImplementedError, match="stateful"):
        layers.RNN(layers.LSTMCell(3), stateful=True)
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        layers.RNN(layers.LSTMCell(3))(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="initial state"):
        layers.RNN(layers.LSTMCell(3))(np.zeros((2, 5, 4), np.float32), initial_state=[0])


# ---- the custom cell of "Working with RNNs"


def _minimal_cell_class(lib):
    class MinimalRNNCell(lib.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(
                shape=(input_shape[-1], self.units), initializer="uniform", name="kernel"
            )
            self.recurrent_kernel = self.add_weight(
                shape=(self.units, self.units), initializer="uniform", name="recurrent_kernel"
            )
            self.built = True

        def call(self, inputs, states):
            prev_output = states[0]
            h = lib.ops.matmul(inputs, self.kernel)
            output = h + lib.ops.matmul(prev_output, self.recurrent_kernel)
            return output, [output]

    return MinimalRNNCell


@pytest.mark.parametrize("stacked", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_the_guide_s_minimal_cell_matches_keras(stacked, go_backwards):
    jax = pytest.importorskip("jax")
    built = {}
    for lib in (keras, nn):
        cell = _minimal_cell_class(lib)
        cells = cell(3, dtype="float64")
        if stacked:  # (Keras's own StackedRNNCells of a list would start in float32)
            cells = lib.layers.StackedRNNCells(
                [cell(6, dtype="float64"), cell(3, dtype="float64")], dtype="float64"
            )
        built[lib] = lib.layers.RNN(
            cells, return_sequences=True, return_state=True, go_backwards=go_backwards,
            dtype="float64",
        )  # fmt: skip
        built[lib].build((None, 5, 4))
    ours, theirs = built[nn], built[keras]
    values = [_rng(i).normal(size=w.shape) * 0.5 for i, w in enumerate(theirs.get_weights())]
    theirs.set_weights(values)
    ours.set_weights(values)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    x = _rng(8).normal(size=(2, 5, 4))
    ours_out, theirs_out = ours(x), theirs(x)
    _compare(ours_out[0], theirs_out[0])
    flat = [s for group in ours_out[1:] for s in (group if isinstance(group, list) else [group])]
    theirs_flat = jax.tree_util.tree_leaves(list(theirs_out[1:]))
    _compare(flat, theirs_flat)

    trainable = [v.value for v in theirs.trainable_variables]
    weight = _rng(9).normal(size=(2, 5, 3))

    def loss(trainable, x):
        (output, *_), _ = theirs.stateless_call(trainable, [], x)
        return (output * weight).sum()

    weight_grads, input_grad = jax.grad(loss, argnums=(0, 1))(trainable, x)
    inputs = Tensor(x, requires_grad=True)
    (ours(inputs)[0] * Tensor(weight)).sum().backward()
    np.testing.assert_allclose(inputs.grad.data, np.asarray(input_grad), **GRAD_TOL)
    for w, g in zip(ours.trainable_weights, weight_grads, strict=True):
        np.testing.assert_allclose(w.grad.data, np.asarray(g), **GRAD_TOL)


def test_the_guide_s_minimal_cell_in_a_functional_model_fits_as_keras():
    rng = _rng(10)
    x = rng.normal(size=(32, 5, 4)).astype(np.float32)
    y = rng.normal(size=(32, 1)).astype(np.float32)
    models, histories = {}, {}
    for lib in (keras, nn):
        inputs = lib.Input((None, 4))
        hidden = lib.layers.RNN(_minimal_cell_class(lib)(8))(inputs)
        models[lib] = lib.Model(inputs, lib.layers.Dense(1)(hidden))
    values = [_rng(i).normal(size=w.shape) * 0.3 for i, w in enumerate(models[keras].get_weights())]
    assert models[nn].summary(print_fn=None) == keras_summary_text(models[keras])
    for lib, model in models.items():
        model.set_weights(values)
        model.compile(optimizer="adam", loss="mse")
        histories[lib] = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history
    np.testing.assert_allclose(histories[nn]["loss"], histories[keras]["loss"], rtol=1e-4)


@pytest.mark.parametrize("stacked", [False, True])
def test_rnn_config_has_keras_s_keys_and_round_trips(stacked):
    flags = {"return_sequences": True, "go_backwards": True, "unroll": True, "name": "seq"}
    made = {}
    for lib in (nn, keras):
        cells = [lib.layers.LSTMCell(4, dropout=0.1), lib.layers.GRUCell(2)]
        made[lib] = lib.layers.RNN(cells if stacked else cells[0], **flags)
    ours, theirs = made[nn].get_config(), made[keras].get_config()
    assert set(ours) == set(theirs)
    for key in ("name", "return_sequences", "return_state", "go_backwards", "stateful", "unroll"):
        assert ours[key] == theirs[key], key
    assert ours["cell"]["class_name"] == theirs["cell"]["class_name"]
    inner, keras_inner = ours["cell"]["config"], theirs["cell"]["config"]
    if stacked:
        assert [c["class_name"] for c in inner["cells"]] == ["LSTMCell", "GRUCell"]
        assert [c["class_name"] for c in keras_inner["cells"]] == ["LSTMCell", "GRUCell"]
    else:
        assert inner["dropout"] == keras_inner["dropout"] == 0.1
    rebuilt = layers.RNN.from_config(ours)
    assert rebuilt.get_config() == ours
    assert rebuilt.cell is not made[nn].cell
    x = _rng(1).normal(size=(2, 3, 5)).astype(np.float32)
    assert rebuilt(x).shape == made[nn](x).shape == tuple(made[keras](x).shape)


@pytest.mark.parametrize("return_state", [False, True])
def test_bidirectional_rnn_of_a_cell_matches_keras(fused, return_state):
    made = {}
    for lib in (keras, nn):
        cell = lib.layers.GRUCell(3)
        inner = lib.layers.RNN(cell, return_sequences=True, return_state=return_state)
        made[lib] = lib.layers.Bidirectional(inner, merge_mode="concat")
        made[lib].build((None, 5, 4))
    ours, theirs = made[nn], made[keras]
    assert ours.forward_layer.name == theirs.forward_layer.name == "forward_rnn"
    assert ours.backward_layer.name == theirs.backward_layer.name == "backward_rnn"
    assert ours.backward_layer.cell is not ours.forward_layer.cell
    values = [_rng(i).normal(size=w.shape).astype(np.float32) for i, w in enumerate(theirs.weights)]
    theirs.set_weights(values)
    ours.set_weights(values)
    x = _rng(9).normal(size=(2, 5, 4)).astype(np.float32)
    ours_out, theirs_out = ours(x), theirs(x)
    if not return_state:
        ours_out, theirs_out = [ours_out], [theirs_out]
    for a, b in zip(ours_out, theirs_out, strict=True):
        np.testing.assert_allclose(a.data, np.asarray(b), **TOL32)
    config = ours.get_config()
    assert config["layer"]["class_name"] == "RNN"
    rebuilt = layers.Bidirectional.from_config(config)
    rebuilt.build((None, 5, 4))  # (a built cell's description holds its input shape)
    assert rebuilt.get_config() == config


def test_stacked_cells_draw_new_dropout_masks_for_each_sequence():
    """Keras's RNN resets its cells' masks after each call: fixed for the steps of a
    sequence, new for the next call."""
    cells = [layers.SimpleRNNCell(4, dropout=0.5, seed=1), layers.SimpleRNNCell(3)]
    layer = layers.RNN(cells, return_sequences=True)
    layer.build((None, 5, 4))
    cells[0].recurrent_kernel.data[...] = 0  # the first cell's outputs: its own step only
    x = np.repeat(_rng(1).normal(size=(2, 1, 4)).astype(np.float32), 5, axis=1)
    layer(x, training=True)
    first = cells[0](x[:, 0], [np.zeros((2, 4), np.float32)], training=True)[0].data
    second = layer(x, training=True).data
    assert not np.allclose(second, layer(x, training=True).data)  # new masks each call
    masked = cells[0](x[:, 0], [np.zeros((2, 4), np.float32)], training=True)[0].data
    assert not np.allclose(first, masked)  # (the masks of the call between them)
    inferred = layer(x).data
    np.testing.assert_array_equal(inferred, layer(x, training=False).data)
