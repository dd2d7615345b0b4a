"""Keras-style model building: input_shape, Input, Sequential([...]), to_categorical,
evaluate's line, and the seeds' snippets on small synthetic data."""

import numpy as np
import pytest

import autograd
import nn
from nn.progress import logs_text
from nn.utils import to_categorical


def blobs(n=300, features=20, classes=3, seed=0):
    """Well separated Gaussian classes, float32 features and int labels."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(classes, features))
    y = rng.integers(0, classes, size=n)
    x = (centers[y] + rng.normal(size=(n, features))).astype(np.float32)
    return x, y


def test_dense_input_shape_builds_like_input_dim():
    dense = nn.Dense(10, activation="softmax", input_shape=(784,))
    assert dense.built and dense.kernel.shape == (784, 10) and dense.bias.shape == (10,)
    assert dense.input_shape == (784,)
    assert nn.Dense(3, input_dim=5, input_shape=(5,)).kernel.shape == (5, 3)
    with pytest.raises(ValueError, match="input_dim=4 and input_shape=\\(5,\\) disagree"):
        nn.Dense(3, input_dim=4, input_shape=(5,))
    # a sample of any number of rows of 5 (Keras's (None, 5)): the kernel reads the last
    assert nn.Dense(3, input_shape=(None, 5)).kernel.shape == (5, 3)
    with pytest.raises(ValueError, match="last dimension of the inputs to a Dense layer"):
        nn.Dense(3, input_shape=(5, None))
    with pytest.raises(ValueError, match="shape of one sample"):
        nn.Dense(3, input_shape=(0, 5))


def test_dense_kernel_stays_in_out_layout():
    dense = nn.Dense(3, input_dim=2)
    dense.kernel.data[...] = np.arange(6, dtype=np.float32).reshape(2, 3)
    dense.bias.data[...] = 1.0
    out = dense(np.array([[1.0, 2.0]], dtype=np.float32))
    np.testing.assert_allclose(out.data, [[1 + 0 + 6, 1 + 1 + 8, 1 + 2 + 10]])


def test_sequential_single_layer_list_and_add():
    dense = nn.Dense(10, activation="softmax", input_shape=(784,))
    single = nn.Sequential(dense)
    assert single.layers == [dense]
    first, second = nn.Dense(8, input_shape=(4,)), nn.Dense(2)
    listed = nn.Sequential([first, second])
    assert listed.layers == [first, second] and second.built  # built at once, as Keras
    assert listed.count_params() == 4 * 8 + 8 + 8 * 2 + 2
    added = nn.Sequential()
    added.add(nn.Dense(units=64, input_dim=784, activation="relu"))
    added.add(nn.Dense(10, activation="softmax"))
    assert [layer.units for layer in added.layers] == [64, 10]
    assert added.layers[1].kernel.shape == (64, 10)


def test_input_declares_the_shape_and_checks_it():
    model = nn.Sequential([nn.Input(shape=(28, 28)), nn.Flatten(), nn.Dense(10)])
    assert model.count_params() == 28 * 28 * 10 + 10
    assert len(model.layers) == 2  # Keras does not count the Input as a layer
    assert "input" not in model.summary(print_fn=None).lower().split("model:")[1]
    assert model.predict(np.zeros((2, 28, 28), np.float32), batch_size=2).shape == (2, 10)
    with pytest.raises(ValueError, match=r"Input\(shape=\(28, 28\)\): expected input"):
        model.predict(np.zeros((2, 784), np.float32))
    flat = nn.Sequential([nn.Flatten(input_shape=(2, 3)), nn.Dense(4)])
    assert flat.layers[1].kernel.shape == (6, 4)
    with pytest.raises(ValueError, match="shape of one sample"):
        nn.Input(shape=(0,))


def test_to_categorical():
    np.testing.assert_array_equal(to_categorical([2, 0, 1]), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    out = to_categorical(np.array([[1], [3]]), num_classes=5)
    assert out.shape == (2, 5) and out.dtype == np.float64 and out[1, 3] == 1
    assert to_categorical(np.array([[0, 1], [1, 1]])).shape == (2, 2, 2)
    assert to_categorical(np.array([1.0, 0.0])).tolist() == [[0, 1], [1, 0]]
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\)"):
        to_categorical([0, 2], num_classes=2)
    with pytest.raises(ValueError, match="whole numbers"):
        to_categorical([0.5, 1.0])


def test_evaluate_prints_a_line_by_default(capsys):
    x, y = blobs(n=64)
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_shape=(20,)))
    model.compile(loss="sparse_categorical_crossentropy", metrics="accuracy")
    loss, accuracy = model.evaluate(x, y)
    line = capsys.readouterr().out.strip()
    assert line.startswith("2/2 ━━━━━━━━━━━━━━━━━━━━ ")  # Keras's finished bar
    # Keras's numbers: 4 decimals, or 0.0000e+00 at or below 1e-3 (tested against Keras
    # in test_training)
    assert line.endswith("/step" + logs_text({"accuracy": accuracy, "loss": loss}, "abs"))
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""


def test_seed_softmax_regression_with_input_shape_and_default_optimizer():
    x, y = blobs(n=3000, features=30, classes=4)
    autograd.manual_seed(0)
    dense = nn.Dense(4, activation="softmax", input_shape=(30,))
    model = nn.Sequential(dense)
    model.compile(loss="sparse_categorical_crossentropy", metrics="accuracy")
    assert isinstance(model.optimizer, nn.optimizers.RMSprop)
    history = model.fit(x, y, epochs=5, verbose=0, seed=0)
    assert history.history["accuracy"][-1] > 0.95
    assert model.evaluate(x, y, verbose=0)[1] > 0.95


def test_seed_mlp_with_add_to_categorical_and_sgd():
    x, y = blobs(n=600, features=40, classes=5, seed=1)
    autograd.manual_seed(0)
    model = nn.Sequential()
    model.add(nn.Dense(units=64, input_dim=40, activation="relu"))
    model.add(nn.Dense(units=5, activation="softmax"))
    y_onehot = to_categorical(y)
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    assert isinstance(model.optimizer, nn.optimizers.SGD) and model.optimizer.learning_rate == 0.01
    history = model.fit(x, y_onehot, epochs=5, batch_size=32, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(x, y_onehot, verbose=0)[1] > 0.95


def test_seed_keras2_adam_call_trains():
    x, y = blobs(n=400, features=10, classes=3, seed=2)
    autograd.manual_seed(0)
    model = nn.Sequential(
        [nn.Dense(16, activation="relu", input_shape=(10,)), nn.Dense(3, activation="softmax")]
    )
    adam = nn.optimizers.Adam(
        lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False
    )
    model.compile(optimizer=adam, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=20, verbose=0, seed=0)
    assert adam.iterations == 20 * 13
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_verbose_as_keras_takes_it_in_fit_evaluate_and_predict(capsys):
    rng = np.random.default_rng(0)
    x, y = rng.random((10, 4), dtype=np.float32), rng.integers(0, 3, 10)
    model = nn.Sequential(nn.Dense(3, activation="softmax", input_dim=4))
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    capsys.readouterr()
    out = model.predict(x, batch_size=4, verbose=0)  # Keras code passes it
    assert out.shape == (10, 3) and capsys.readouterr().out == ""
    np.testing.assert_array_equal(model.predict(x, batch_size=4), out)
    assert capsys.readouterr().out.startswith("3/3 ━")  # Keras prints by default
    model.fit(x, y, epochs=1, batch_size=4, verbose="auto")
    model.evaluate(x, y, verbose="auto")
    assert "loss" in capsys.readouterr().out
    for call in (lambda: model.predict(x, verbose=3), lambda: model.evaluate(x, y, verbose="yes")):
        with pytest.raises(ValueError, match="invalid verbose"):
            call()


def test_declared_sample_shapes_may_leave_lengths_open_as_keras():
    """Keras's `input_shape=(None, None, 3)` (a fully convolutional net for images of
    any size) and `(None, 3)` (rows of 3, any number of them)."""
    conv = nn.Sequential(
        [
            nn.layers.Conv2D(4, 3, input_shape=(None, None, 3)),
            nn.layers.GlobalAveragePooling2D(),
            nn.layers.Dense(2),
        ]
    )
    assert conv(np.ones((2, 9, 11, 3), np.float32)).shape == (2, 2)
    assert conv(np.ones((1, 5, 5, 3), np.float32)).shape == (1, 2)
    flat = nn.Sequential([nn.layers.Flatten(input_shape=(None, 3))])
    assert flat(np.ones((2, 5, 3), np.float32)).shape == (2, 15)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, None, 3\)"):
        flat(np.ones((2, 5, 4), np.float32))
