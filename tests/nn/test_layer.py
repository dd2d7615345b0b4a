"""`nn.Layer`, `nn.Model` subclasses written with `call`, and `nn.ops`, on their own
(the comparisons with Keras 3 are in test_keras_subclassing.py)."""

import copy
import doctest
import math
import re

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import ops


class SimpleDense(nn.Layer):
    """Deep Learning with Python, chapter 3, recording each build."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation
        self.builds = []

    def build(self, input_shape):
        self.builds.append(input_shape)
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = ops.matmul(inputs, self.W) + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y


class Recorder(nn.Layer):
    """y = x, remembering the `training` each call got."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


class DropoutModel(nn.Model):
    """A Dropout given `training` by `call`, one left to the mode, and a nested layer."""

    def __init__(self):
        super().__init__()
        self.dense = SimpleDense(4)
        self.passed = nn.Dropout(0.5)
        self.implicit = nn.Dropout(0.5)
        self.recorder = Recorder()
        self.seen = []

    def call(self, inputs, training=False):
        self.seen.append(training)
        x = self.passed(self.dense(inputs), training=training)
        return self.recorder(self.implicit(x))


def data(n=32, features=3, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    return x, (x @ rng.normal(size=(features, outputs))).astype(np.float32)


def test_simple_dense_builds_once_with_the_batch_shape():
    layer = SimpleDense(4, activation=nn.activations.relu)
    assert not layer.built and list(layer.parameters()) == []
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    y = layer(x)
    layer(x[:2])
    assert layer.builds == [(5, 3)] and layer.built
    assert layer.W.shape == (3, 4) and layer.b.shape == (4,)
    np.testing.assert_allclose(y.data, np.maximum(x @ layer.W.data + layer.b.data, 0), rtol=1e-6)
    assert [name for name, _ in layer.named_parameters()] == ["W", "b"]
    assert list(layer.state_dict()) == ["W", "b"] and layer.count_params() == 16
    assert layer.weights == [layer.W, layer.b] and layer.trainable_weights == layer.weights


def test_build_gets_the_shapes_of_a_list_of_inputs():
    shapes = []

    class Pair(nn.Layer):
        def build(self, input_shape):
            shapes.append(input_shape)

        def call(self, inputs):
            return ops.concatenate(inputs, axis=-1)

    out = Pair()([np.ones((2, 3)), Tensor(np.ones((2, 1)))])
    assert shapes == [[(2, 3), (2, 1)]] and out.shape == (2, 4)


def test_layer_gradients_flow_to_its_weights():
    layer = SimpleDense(2, dtype="float64")
    x = np.random.default_rng(1).normal(size=(4, 3))
    layer(x)
    assert layer.W.dtype == np.float64
    assert autograd.gradcheck(lambda w, b: ops.matmul(x, w) + b, (layer.W, layer.b))
    ops.sum(layer(x)).backward()
    np.testing.assert_allclose(layer.W.grad.data, np.broadcast_to(x.sum(0)[:, None], (3, 2)))
    np.testing.assert_allclose(layer.b.grad.data, [4.0, 4.0])


def test_training_flag_reaches_call_and_the_dropouts_inside():
    x, y = data(outputs=4)
    model = DropoutModel()
    model.compile(optimizer="sgd", loss="mse")
    out = model(x)  # a plain call runs in inference mode, as in Keras
    assert model.seen == [False] and model.recorder.seen == [False]
    np.testing.assert_array_equal(out.data, model.dense(x).data)
    assert not model.passed.training  # a Keras model's layers are in its mode
    model.seen.clear()
    model.recorder.seen.clear()
    history = model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert model.seen == [False, True, True]  # the probe that builds, then two steps
    assert model.recorder.seen == [False, True, True]
    assert not model.training and not model.implicit.training  # fit gives the modes back
    model.seen.clear()
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert model.seen == [False, False]
    assert math.isfinite(history.history["loss"][0])
    both = model(x, training=True)  # both dropouts drop: about 3/4 of the outputs are 0
    assert 0.5 < np.mean(both.data == 0) < 0.95
    assert model.seen[-1] is True and model.recorder.seen[-1] is True
    assert not model.training and not model.implicit.training
    model.train()  # PyTorch's switch works too: plain calls then train
    assert model(x).data.tolist() != model.dense(x).data.tolist()
    assert model.seen[-1] is True


def test_training_keyword_sets_the_mode_of_a_module_without_it():
    drop = nn.Dropout(0.5)
    x = np.ones((200, 10), dtype=np.float32)
    np.testing.assert_array_equal(drop(x, training=False).data, x)
    assert drop.training  # its own mode again afterwards
    drop.eval()
    assert (drop(x, training=True).data == 0).any() and not drop.training
    np.testing.assert_array_equal(drop(x, training=None).data, x)


def test_non_trainable_weights_are_left_alone_by_fit():
    class Frozen(nn.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 1))
            self.offset = self.add_weight(shape=(1,), initializer="ones", trainable=False)

        def call(self, inputs):
            return ops.matmul(inputs, self.kernel) + self.offset

    class Net(nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Dense(4, activation="tanh")
            self.out = Frozen()

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    x, y = data()
    model = Net()
    model.predict(x, verbose=0)
    hidden_before = [w.clone() for w in model.hidden.state_dict().values()]
    model.hidden.trainable = False  # nn.Dense has Keras's flag too
    assert model.trainable_weights == [model.out.kernel] and not model.hidden.bias.requires_grad
    model.hidden.trainable = True
    model.out.trainable = False
    model.out.trainable = True  # offset was made non-trainable: it stays so
    assert [w is model.out.kernel for w in model.trainable_weights] == [False, False, True]
    assert model.non_trainable_weights == [model.out.offset]
    assert not model.out.offset.trainable and model.out.kernel.trainable
    frozen = nn.Model(nn.Sequential(model.hidden))
    frozen.trainable = False
    assert frozen.trainable_weights == [] and not model.hidden.weight.requires_grad
    frozen.trainable = True
    kernel_before = model.out.kernel.data.copy()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_array_equal(model.out.offset.data, [1.0])
    assert not np.array_equal(model.out.kernel.data, kernel_before)
    assert not np.array_equal(model.hidden.weight.data, hidden_before[0])
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4
    with pytest.raises(ValueError, match=r"no parameters to train.*all frozen"):
        model.compile(optimizer="sgd", loss="mse")


def test_weights_made_by_add_weight_come_first_trainable_ones_first():
    class Mixed(nn.Layer):
        def __init__(self):
            super().__init__()
            self.inner = SimpleDense(2)

        def build(self, input_shape):
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)
            self.scale = self.add_weight(shape=(2,), initializer="ones", name="scale")

        def call(self, inputs):
            self.count.assign_add(1.0)
            return self.inner(inputs) * self.scale

    layer = Mixed()
    layer(np.ones((3, 4), dtype=np.float32))
    layer(np.ones((3, 4), dtype=np.float32))
    assert list(layer.state_dict()) == ["scale", "count", "inner.W", "inner.b"]
    assert layer.weights == [layer.scale, layer.count, layer.inner.W, layer.inner.b]
    assert layer.count.item() == 2.0 and layer.scale.name == "scale"
    assert layer.non_trainable_weights == [layer.count]
    layer.count.assign(5.0)
    layer.count.assign_sub(1.5)
    assert layer.count.item() == 3.5 and layer.count.grad_fn is None
    arrays = [w + 1 for w in layer.get_weights()]
    layer.set_weights(arrays)
    for a, b in zip(layer.get_weights(), arrays, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("initializer", "limit"),
    [
        ("glorot_uniform", lambda fan_in, fan_out: math.sqrt(6 / (fan_in + fan_out))),
        ("he_uniform", lambda fan_in, fan_out: math.sqrt(6 / fan_in)),
        ("lecun_uniform", lambda fan_in, fan_out: math.sqrt(3 / fan_in)),
    ],
)
@pytest.mark.parametrize(
    ("shape", "fans"), [((400, 20), (400, 20)), ((3, 3, 40, 8), (360, 72)), ((50,), (50, 50))]
)
def test_add_weight_draws_with_keras_fans(initializer, limit, shape, fans):
    w = nn.Layer().add_weight(shape=shape, initializer=initializer)
    bound = limit(*fans)
    assert w.shape == shape and np.abs(w.data).max() <= bound
    assert np.abs(w.data).max() > 0.9 * bound  # not a smaller limit either


def test_add_weight_defaults_and_scalars():
    layer = nn.Layer(dtype="float64")
    w = layer.add_weight((2, 3))  # glorot_uniform, as Keras
    assert w.dtype == np.float64 and np.abs(w.data).max() <= math.sqrt(6 / 5)
    assert w.trainable and w.requires_grad and isinstance(w, nn.Parameter)
    assert layer.add_weight().shape == () and layer.add_weight(shape=[]).shape == ()
    ones = layer.add_weight(shape=(2,), initializer="ones", dtype="float32")
    np.testing.assert_array_equal(ones.data, [1.0, 1.0])
    assert ones.dtype == np.float32
    assert f"Variable name={ones.name}, shape=(2,)" in repr(ones)
    assert re.fullmatch(r"variable(_\d+)?", ones.name)  # Keras's default, numbered


def test_layer_errors_are_clear():
    class NoCall(nn.Layer):
        pass

    with pytest.raises(NotImplementedError, match="NoCall does not have a call method"):
        NoCall()(np.ones((2, 3)))
    with pytest.raises(ValueError, match="unknown initializer 'foo'"):
        nn.Layer().add_weight(shape=(2,), initializer="foo")
    with pytest.raises(ValueError, match=r"shape must be a tuple of non-negative ints.*\(2, -1\)"):
        nn.Layer().add_weight(shape=(2, -1))
    with pytest.raises(ValueError, match=r"got 2$"):
        nn.Layer().add_weight(shape=2)
    with pytest.raises(ValueError, match="name must be passed as a keyword"):
        nn.Layer().add_weight("kernel", (2, 3))
    with pytest.raises(ValueError, match="dtype must be a float dtype"):
        nn.Layer().add_weight(shape=(2,), dtype="int32")
    with pytest.raises(TypeError, match=r"add_weight: invalid trainable: 'yes' \(must be True"):
        nn.Layer().add_weight(shape=(2,), trainable="yes")
    with pytest.raises(
        ValueError, match=r"Unrecognized keyword arguments passed to Layer: \{'foo'"
    ):
        nn.Layer(foo=1)
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        nn.Layer(name=3)
    with pytest.raises(ValueError, match="name cannot contain '/'"):
        nn.Layer(name="a/b")
    with pytest.raises(TypeError, match="Layer: invalid trainable: 1"):
        nn.Layer(trainable=1)
    with pytest.raises(TypeError):
        nn.Layer("positional_name")  # keyword-only, as Keras 3's

    class Early(nn.Layer):
        def __init__(self):
            self.w = self.add_weight(shape=(2,))

    with pytest.raises(RuntimeError, match=r"call super\(\).__init__\(\) first in Early"):
        Early()

    class NoSuper(nn.Layer):
        def __init__(self):
            self.inner = nn.Dense(2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\) first in NoSuper"):
        NoSuper()

    class Model(nn.Model):
        def __init__(self):
            super().__init__(name="net", foo=2)

    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Model"):
        Model()


def test_unbuilt_layer_says_so():
    layer = SimpleDense(3)
    with pytest.raises(ValueError, match="not built yet"):
        layer.count_params()
    with pytest.raises(ValueError, match="not built yet"):
        layer.get_weights()


def test_a_failed_build_runs_again_at_the_next_call():
    class Fussy(nn.Layer):
        def build(self, input_shape):
            if input_shape[-1] != 2:
                raise ValueError("Fussy wants 2 features")
            self.w = self.add_weight(shape=(2,))

        def call(self, inputs):
            return inputs * self.w

    layer = Fussy()
    with pytest.raises(ValueError, match="wants 2"):
        layer(np.ones((1, 3)))
    assert not layer.built
    assert layer(np.ones((1, 2))).shape == (1, 2) and layer.built


def test_layers_in_sequential_and_nn_layers_layer():
    nn.utils.clear_session()  # names are numbered per session, as Keras's
    assert nn.layers.Layer is nn.Layer
    model = nn.Sequential([SimpleDense(5, input_shape=(3,)), nn.Dense(2)])
    assert model.count_params() == 3 * 5 + 5 + 5 * 2 + 2  # built at add, from input_shape
    assert model.layers[0].builds == [(1, 3)]  # by a one-sample probe (Keras: (None, 3))
    text = model.summary(print_fn=None)
    assert "│ simple_dense (SimpleDense)      │ (None, 5)              │            20 │" in (
        text.splitlines()
    )
    named = nn.Sequential([SimpleDense(2, name="first", input_dim=4)])
    assert "first (SimpleDense)" in named.summary(print_fn=None)


def test_subclassed_model_summary_lists_its_layers():
    nn.utils.clear_session()  # names are numbered per session, as Keras's

    class Net(nn.Model):
        def __init__(self):
            super().__init__(name="ticket_model")
            self.block = nn.Sequential(nn.Dense(4), nn.Dense(3))
            self.score = SimpleDense(1)

        def call(self, inputs):
            return self.score(self.block(inputs))

    model = Net()
    unbuilt = model.summary(print_fn=None).splitlines()  # as Keras 3's table
    cells = [[c.strip() for c in line.strip("│").split("│")] for line in unbuilt[4:7:2]]
    assert cells == [
        ["sequential (Sequential)", "?", "0 (unbuilt)"],
        ["simple_dense (SimpleDense)", "?", "0 (unbuilt)"],
    ]
    model.build((None, 6))
    lines = model.summary(print_fn=None).splitlines()
    assert lines[0] == 'Model: "ticket_model"'
    cells = [[c.strip() for c in line.strip("│").split("│")] for line in lines[4:7:2]]
    assert cells == [
        ["sequential (Sequential)", "(None, 3)", "43"],
        ["simple_dense (SimpleDense)", "(None, 1)", "4"],
    ]
    assert " Total params: 47 (188.00 B)" in lines and " Trainable params: 47 (188.00 B)" in lines


def test_model_written_with_forward_or_wrapping_still_works():
    class Net(nn.Model):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 1)

        def forward(self, x):
            return self.lin(x)

    x, y = data()
    for model in (Net(), nn.Model(nn.Linear(3, 1))):
        assert model.training  # PyTorch's default mode, as before
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(x, y, epochs=2, verbose=0)
        assert history.history["loss"][1] < history.history["loss"][0]
        assert model.training
    with pytest.raises(NotImplementedError, match="define call"):
        nn.Model()(x)


def test_model_with_its_own_build():
    class Scaled(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = nn.Dense(2)

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, inputs):
            return self.dense(inputs * self.scale)

    model = Scaled()
    assert not model.built
    with pytest.raises(ValueError, match="not built yet"):
        model.get_weights()
    model(np.ones((2, 3), dtype=np.float32))
    assert model.built and [w.shape for w in model.get_weights()] == [(3,), (3, 2), (2,)]


OPS_VALUES = [
    # (function, arguments, numpy's value)
    (ops.add, (2,), np.add),
    (ops.subtract, (2,), np.subtract),
    (ops.multiply, (2,), np.multiply),
    (ops.divide, (2,), np.divide),
    (ops.maximum, (2,), np.maximum),
    (ops.minimum, (2,), np.minimum),
    (ops.power, (2,), lambda a, b: np.abs(a) ** b),
    (ops.square, (1,), np.square),
    (ops.negative, (1,), np.negative),
    (ops.abs, (1,), np.abs),
    (ops.exp, (1,), np.exp),
    (ops.relu, (1,), lambda a: np.maximum(a, 0)),
    (ops.tanh, (1,), np.tanh),
    (ops.sigmoid, (1,), lambda a: 1 / (1 + np.exp(-a))),
]


@pytest.mark.parametrize(
    ("fn", "arity", "expected"), OPS_VALUES, ids=lambda v: getattr(v, "__name__", "")
)
def test_ops_elementwise_values(fn, arity, expected):
    rng = np.random.default_rng(0)
    args = [rng.normal(size=(3, 4)) for _ in arity[:1] * arity[0]]
    if fn is ops.power:
        args = [np.abs(args[0]), args[1]]
    np.testing.assert_allclose(fn(*args).data, expected(*args), rtol=1e-12)


def test_new_ops_gradients():
    rng = np.random.default_rng(0)
    a = Tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
    b = Tensor(rng.normal(size=(5, 4, 6)), requires_grad=True)
    m = Tensor(rng.normal(size=(4, 2)), requires_grad=True)
    s = Tensor(np.float64(1.5), requires_grad=True)
    assert autograd.gradcheck(ops.dot, (a, b))
    assert autograd.gradcheck(ops.dot, (a, m))
    assert autograd.gradcheck(ops.dot, (a, s))
    assert autograd.gradcheck(ops.square, (a,))
    assert autograd.gradcheck(lambda x: ops.transpose(x, (2, 0, 1)), (a,))
    assert autograd.gradcheck(lambda x: ops.max(x, axis=1, initial=0.5), (a,))
    assert autograd.gradcheck(lambda x: ops.min(x, axis=(0, 2), keepdims=True, initial=-0.2), (a,))
    assert autograd.gradcheck(lambda x: ops.var(x, axis=-1).sum() + ops.std(x, axis=0).sum(), (a,))
    x = Tensor(rng.normal(size=(3, 5)) * 2, requires_grad=True)
    for options in [
        {"negative_slope": 0.1},
        {"max_value": 1.0},
        {"threshold": 0.5},
        {"negative_slope": 0.2, "max_value": 2.0, "threshold": -0.3},
    ]:
        assert autograd.gradcheck(lambda t, o=options: nn.activations.relu(t, **o), (x,))


def test_dot_matches_numpy():
    rng = np.random.default_rng(0)
    for sa, sb in [
        ((4,), (4,)),
        ((3, 4), (4,)),
        ((2, 3, 4), (5, 4, 6)),
        ((3,), (2, 3, 4)),
        ((), (2, 3)),
    ]:
        a, b = rng.normal(size=sa), rng.normal(size=sb)
        np.testing.assert_allclose(ops.dot(a, b).data, np.dot(a, b), rtol=1e-12)


def test_where_without_values_gives_indices():
    rows, cols = ops.where(np.array([[True, False], [False, True]]))
    np.testing.assert_array_equal(rows.data, [0, 1])
    np.testing.assert_array_equal(cols.data, [0, 1])
    with pytest.raises(ValueError, match="give both x1 and x2"):
        ops.where(np.array([True]), 1.0)


def test_deep_copies_keep_the_weight_order():
    class Counter(nn.Layer):
        def build(self, input_shape):
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.scale + self.count

    layer = Counter()
    layer(np.ones((1, 2)))
    clone = copy.deepcopy(layer)
    assert list(clone.state_dict()) == ["scale", "count"] and clone.scale is not layer.scale
    clone.trainable = False
    clone.trainable = True
    assert clone.trainable_weights == [clone.scale]


def test_subclassed_model_weights_round_trip(tmp_path):
    class Net(nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = SimpleDense(3, activation=ops.tanh)
            self.out = nn.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    x, _ = data()
    model, other = Net(), Net()
    expected = model.predict(x, verbose=0)
    other.predict(x, verbose=0)
    model.save_weights(tmp_path / "net.npz")
    other.load_weights(tmp_path / "net.npz")
    np.testing.assert_array_equal(other.predict(x, verbose=0), expected)
    assert list(other.state_dict()) == ["hidden.W", "hidden.b", "out.weight", "out.bias"]
    with pytest.raises(ValueError, match="save_weights"):
        model.save(tmp_path / "net.keras")


@pytest.mark.parametrize(
    "module",
    [
        nn.layer,
        nn.ops,
        nn.recurrent_torch,
        nn.recurrent_cells,
        nn.recurrent_keras,
        nn.bidirectional,
    ],
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 2


def test_has_penalties_says_whether_losses_can_hold_anything():
    plain = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(2)])
    assert not plain.has_penalties() and plain.losses == []
    weighted = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(2, kernel_regularizer="l2")])
    active = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(2, activity_regularizer="l1")])
    assert weighted.has_penalties() and active.has_penalties()
    assert len(weighted.losses) == 1
