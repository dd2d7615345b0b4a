"""`fit`'s fast path for Dense stacks (`nn.dense_stack`) against the plain graph step:
the same weights, losses and metrics, bit for bit, and the plain step wherever a
precondition fails."""

import itertools

import numpy as np
import pytest

import autograd
import nn
import optim
from nn import dense_stack
from nn.dense_stack import DenseStackStep


def data(n=70, features=6, classes=4, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(dtype)
    y = (x @ rng.normal(size=(features, classes))).argmax(axis=1)
    return x, y


def model(hidden="relu", last="softmax", use_bias=True, dtype=None, sizes=(6, 5, 3, 4)):
    autograd.manual_seed(0)
    layers = [
        nn.Dense(n_out, activation=hidden, use_bias=use_bias, input_dim=n_in)
        for n_in, n_out in itertools.pairwise(sizes[:-1])
    ]
    layers.append(nn.Dense(sizes[-1], activation=last, use_bias=use_bias, input_dim=sizes[-2]))
    m = nn.Sequential(layers)
    if dtype is not None:
        for p in m.parameters():
            p.data = p.data.astype(dtype)
    return m


def train(make, compile_args, fast, monkeypatch, x, y, **fit_args):
    monkeypatch.setattr(dense_stack, "ENABLED", fast)
    m = make()
    m.compile(**compile_args)
    calls = []
    gradients = DenseStackStep.gradients

    def counted(self, *args):
        result = gradients(self, *args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(DenseStackStep, "gradients", counted)
    history = m.fit(x, y, epochs=2, batch_size=16, verbose=0, seed=3, **fit_args)
    return m, history.history, calls


def assert_same_training(make, compile_args, monkeypatch, x, y, fast_used=True, **fit_args):
    plain, h_plain, calls = train(make, compile_args, False, monkeypatch, x, y, **fit_args)
    assert not calls
    fast, h_fast, calls = train(make, compile_args, True, monkeypatch, x, y, **fit_args)
    if fast_used:
        assert calls and all(calls)
    else:
        assert not any(calls)
    for a, b in zip(plain.parameters(), fast.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    assert h_plain == h_fast
    return fast


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh", None])
@pytest.mark.parametrize("last", ["softmax", None])
def test_fast_step_trains_exactly_as_the_graph(hidden, last, monkeypatch):
    x, y = data()
    loss = nn.losses.SparseCategoricalCrossentropy(from_logits=last is None)
    args = {"optimizer": "sgd", "loss": loss, "metrics": ["accuracy"], "lr": 0.1}
    assert_same_training(lambda: model(hidden, last), args, monkeypatch, x, y)


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_step_with_each_optimizer_and_dtype(optimizer, dtype, monkeypatch):
    x, y = data(dtype=dtype)
    args = {"optimizer": optimizer, "loss": "sparse_categorical_crossentropy"}
    before = autograd.get_default_dtype()
    autograd.set_default_dtype(dtype)  # fit casts x to it
    try:
        m = assert_same_training(lambda: model(dtype=dtype), args, monkeypatch, x, y)
    finally:
        autograd.set_default_dtype(before)
    assert next(m.parameters()).data.dtype == dtype


def test_fast_step_without_bias_one_layer_and_validation(monkeypatch):
    x, y = data()
    args = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
    assert_same_training(
        lambda: model(use_bias=False, sizes=(6, 4)), args, monkeypatch, x, y, validation_split=0.25
    )


def test_a_pytorch_optimizer_and_unsigned_labels(monkeypatch):
    x, y = data()

    def make():
        m = model()
        m.compile(
            optim.SGD(m.parameters(), lr=0.05, momentum=0.9), "sparse_categorical_crossentropy"
        )
        return m

    args = {"x": x, "y": y.astype(np.uint8), "epochs": 2, "batch_size": 16, "verbose": 0}
    monkeypatch.setattr(dense_stack, "ENABLED", False)
    plain = make()
    plain.fit(**args)
    monkeypatch.setattr(dense_stack, "ENABLED", True)
    fast = make()
    fast.fit(**args)
    for a, b in zip(plain.parameters(), fast.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_sample_weights_and_x_of_another_dtype_take_the_plain_step(monkeypatch):
    x, y = data()
    args = {"optimizer": "sgd", "loss": "sparse_categorical_crossentropy"}
    w = np.linspace(0.5, 2, len(y))
    assert_same_training(model, args, monkeypatch, x, y, fast_used=False, sample_weight=w)
    # float32 batches (fit's default dtype) through float64 weights
    float64 = lambda: model(dtype=np.float64)  # noqa: E731
    assert_same_training(float64, args, monkeypatch, x, y, fast_used=False)


def test_bad_labels_raise_the_plain_steps_error(monkeypatch):
    x, y = data()
    y[5] = 9
    errors = []
    for fast in (False, True):
        monkeypatch.setattr(dense_stack, "ENABLED", fast)
        m = model()
        m.compile("sgd", "sparse_categorical_crossentropy")
        weights = [p.data.copy() for p in m.parameters()]
        with pytest.raises(ValueError) as err:
            m.fit(x, y, epochs=1, batch_size=len(y), verbose=0)
        errors.append(str(err.value))
        for a, b in zip(weights, m.parameters(), strict=True):
            np.testing.assert_array_equal(a, b.data)  # a failed step changes nothing
    assert errors[0] == errors[1] and "9" in errors[0]


def test_infinite_logits_take_the_plain_step(monkeypatch):
    x, y = data(n=16)
    monkeypatch.setattr(dense_stack, "ENABLED", True)
    m = model(sizes=(6, 4))
    m.compile("sgd", "sparse_categorical_crossentropy")
    x[0, 0] = np.inf
    step = DenseStackStep.build(m, m._compiled.loss)
    assert step is not None
    assert step.gradients(x, y) is None


def _hooked(m):
    m.layers[0].register_forward_hook(lambda *args: None)


def _activation_hooked(m):
    m.layers[0].activation.register_forward_hook(lambda *args: None)


def _frozen(m):
    m.layers[0].trainable = False


def _regularized(m):
    m.layers[0].kernel_regularizer = nn.regularizers.L2(0.01)


@pytest.mark.parametrize(
    "change", [_hooked, _activation_hooked, _frozen, _regularized], ids=lambda f: f.__name__
)
def test_build_refuses_what_the_fast_step_cannot_see(change):
    m = model()
    loss = nn.losses.SparseCategoricalCrossentropy()
    assert DenseStackStep.build(m, loss) is not None
    change(m)
    assert DenseStackStep.build(m, loss) is None


@pytest.mark.parametrize(
    "make, loss",
    [
        (lambda: model(last=None), nn.losses.SparseCategoricalCrossentropy()),  # probabilities?
        (lambda: model(), nn.losses.SparseCategoricalCrossentropy(from_logits=True)),
        (lambda: model(), nn.losses.SparseCategoricalCrossentropy(reduction="sum")),
        (lambda: model(), nn.losses.CategoricalCrossentropy()),
        (lambda: model(), nn.CrossEntropyLoss()),
        (lambda: model(hidden="elu"), nn.losses.SparseCategoricalCrossentropy()),
        (lambda: model(last="sigmoid"), nn.losses.SparseCategoricalCrossentropy()),
        (
            lambda: nn.Sequential(nn.Dense(5, "relu", input_dim=6), nn.Dropout(0.5), nn.Dense(4)),
            nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        ),
        (
            lambda: nn.Sequential(nn.Dense(5, "relu"), nn.Dense(4)),
            nn.losses.SparseCategoricalCrossentropy(),
        ),
    ],
)
def test_build_refuses_other_models_and_losses(make, loss):
    assert DenseStackStep.build(make(), loss) is None


def test_the_fast_step_is_used_by_the_mnist_setup():
    """The classic network of the benchmarks and the README qualifies."""
    autograd.manual_seed(0)
    m = nn.Sequential(
        nn.Dense(64, activation="relu", input_dim=784), nn.Dense(10, activation="softmax")
    )
    m.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert DenseStackStep.build(m, m._compiled.loss) is not None
