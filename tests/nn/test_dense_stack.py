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


def test_x_of_another_dtype_takes_the_plain_step(monkeypatch):
    x, y = data()
    args = {"optimizer": "sgd", "loss": "sparse_categorical_crossentropy"}
    # float32 batches (fit's default dtype) through float64 weights
    float64 = lambda: model(dtype=np.float64)  # noqa: E731
    assert_same_training(float64, args, monkeypatch, x, y, fast_used=False)


@pytest.mark.parametrize(
    "last, loss, target",
    [
        ("softmax", "categorical_crossentropy", "onehot"),
        ("softmax", nn.losses.SparseCategoricalCrossentropy(), "labels"),
        (None, nn.CrossEntropyLoss(), "labels"),
        (None, "mse", "onehot"),
        (None, "mae", "onehot"),
        ("sigmoid", "binary_crossentropy", "onehot"),
        (None, nn.losses.BinaryCrossentropy(from_logits=True), "onehot"),
        ("tanh", "huber", "onehot"),
        ("elu", "mse", "onehot"),
        ("softplus", lambda p, t: ((p - t) ** 2).sum(), "onehot"),
    ],
    ids=str,
)
def test_every_loss_and_last_activation_as_the_graph(last, loss, target, monkeypatch):
    """The loss runs recorded on the output: any loss, any last activation."""
    x, y = data()
    t = nn.utils.to_categorical(y, 4).astype(np.float32) if target == "onehot" else y
    args = {"optimizer": "adam", "loss": loss, "metrics": ["accuracy"]}
    assert_same_training(lambda: model("tanh", last), args, monkeypatch, x, t)


def test_sample_and_class_weights_as_the_graph(monkeypatch):
    x, y = data()
    args = {
        "optimizer": "rmsprop",
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
        "weighted_metrics": ["accuracy"],
    }
    w = np.linspace(0.5, 2, len(y))
    assert_same_training(model, args, monkeypatch, x, y, sample_weight=w)
    assert_same_training(
        model, args, monkeypatch, x, y, class_weight={0: 1.0, 1: 2.0, 2: 0.5, 3: 3.0}
    )


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


def test_x_of_another_dtype_is_refused_by_the_step(monkeypatch):
    x, y = data(n=16)
    monkeypatch.setattr(dense_stack, "ENABLED", True)
    m = model(sizes=(6, 4))
    m.compile("sgd", "sparse_categorical_crossentropy")
    step = DenseStackStep.build(m)
    assert step is not None
    assert (
        step.gradients(x.astype(np.float64), y, None, m._compiled.loss, m._compiled.optimizer)
        is None
    )


def _hooked(m):
    m.layers[0].register_forward_hook(lambda *args: None)


def _activation_hooked(m):
    m.layers[0].activation.register_forward_hook(lambda *args: None)


def _frozen(m):
    m.layers[0].trainable = False


def _regularized(m):
    m.layers[0].kernel_regularizer = nn.regularizers.L2(0.01)


def _hidden_identity_hooked(m):
    m.layers[0].activation = nn.Identity()
    m.layers[0].activation.register_forward_hook(lambda *args: None)


def _model_hooked(m):
    m.register_forward_pre_hook(lambda *args: None)


@pytest.mark.parametrize(
    "change",
    [_hooked, _activation_hooked, _hidden_identity_hooked, _frozen, _regularized, _model_hooked],
    ids=lambda f: f.__name__,
)
def test_build_refuses_what_the_fast_step_cannot_see(change):
    m = model()
    assert DenseStackStep.build(m) is not None
    change(m)
    assert DenseStackStep.build(m) is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: model(hidden="elu"),  # the Dense op does not apply it itself
        lambda: model(hidden="softmax"),
        lambda: nn.Sequential(nn.Dense(5, "relu", input_dim=6), nn.Dropout(0.5), nn.Dense(4)),
        lambda: nn.Sequential(nn.Dense(5, "relu"), nn.Dense(4)),  # not built
        lambda: nn.Sequential(nn.Linear(6, 4)),
    ],
)
def test_build_refuses_other_models(make):
    assert DenseStackStep.build(make()) is None


def test_a_hooked_last_activation_runs_with_the_loss(monkeypatch):
    """Only the layers are computed by hand: a hook on the last activation still runs."""
    x, y = data()
    seen = []

    def make():
        m = model(last="relu")
        m.layers[-1].activation.register_forward_hook(lambda mod, i, o: seen.append(o.shape))
        return m

    args = {"optimizer": "sgd", "loss": "mse"}
    t = nn.utils.to_categorical(y, 4).astype(np.float32)
    assert_same_training(make, args, monkeypatch, x, t)
    assert seen and seen[-1] == (6, 4)  # 70 samples: the last batch of each epoch has 6


def test_the_fast_step_is_used_by_the_mnist_setup():
    """The classic network of the benchmarks and the README qualifies."""
    autograd.manual_seed(0)
    m = nn.Sequential(
        nn.Dense(64, activation="relu", input_dim=784), nn.Dense(10, activation="softmax")
    )
    assert DenseStackStep.build(m) is not None


@pytest.mark.parametrize("from_logits", [False, True])
def test_the_sparse_crossentropy_by_its_ops_equals_the_recorded_loss(from_logits):
    """`_sparse_loss` calls the ops' forward and backward on arrays; the recorded loss
    runs the loss module: the same loss, output and gradient, bit for bit."""
    m = model(last=None if from_logits else "softmax", sizes=(6, 4))
    loss = nn.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    step = DenseStackStep.build(m, loss)
    assert step is not None and step.sparse == ("logits" if from_logits else "softmax")
    rng = np.random.default_rng(0)
    for scale in (1, 30, 1e4):  # up to saturated rows
        z = (rng.normal(size=(9, 4)) * scale).astype(np.float32)
        y = rng.integers(0, 4, 9)
        fast, recorded = step._sparse_loss(z, y), step._recorded_loss(z, y, None, loss)
        assert fast[0] == recorded[0]
        for a, b in zip(fast[1:], recorded[1:], strict=True):
            np.testing.assert_array_equal(a, b)


def test_infinite_logits_and_odd_labels_go_to_the_recorded_loss():
    m = model(sizes=(6, 4))
    loss = nn.losses.SparseCategoricalCrossentropy()
    step = DenseStackStep.build(m, loss)
    z = np.zeros((3, 4), np.float32)
    z[1, 2] = np.inf
    assert step._sparse_loss(z, np.array([0, 1, 2])) is None
    z[1, 2] = 0
    assert step._sparse_loss(z, np.array([0, 1, 4])) is None  # the recorded loss raises
    assert step._sparse_loss(z, np.array([[0], [1], [2]])) is None  # a column: recorded
    assert step._sparse_loss(z, np.array([0.0, 1.0, 2.0])) is None
    assert step._sparse_loss(z, np.array([0, 1, 2], np.uint8)) is not None


def test_fit_peak_memory_is_not_above_the_graph_steps(monkeypatch):
    """Gradients of one batch must be gone before the next batch makes its own (they
    were held by fit's loop variable: +117 KiB at the peak of a 784-64-10 fit)."""
    import tracemalloc

    rng = np.random.default_rng(0)
    x, y = rng.random((320, 784), dtype=np.float32), rng.integers(0, 10, 320)
    peaks = {}
    for fast in (False, True):
        monkeypatch.setattr(dense_stack, "ENABLED", fast)
        autograd.manual_seed(0)
        m = nn.Sequential(nn.Dense(64, "relu", input_dim=784), nn.Dense(10, "softmax"))
        m.compile("sgd", "sparse_categorical_crossentropy")
        m.fit(x[:64], y[:64], batch_size=32, verbose=0)  # optimizer and caches made
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            m.fit(x, y, batch_size=32, verbose=0)
            peaks[fast] = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    assert peaks[True] <= peaks[False] + 8 * 1024, peaks
