"""Keras-style weights and whole-model files: get/set_weights, save_weights,
model.save and nn.load_model (architecture, weights, compile settings, optimizer)."""

import json
import zipfile

import numpy as np
import pytest

import autograd
import nn


def data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64)


def model_of_every_kind():
    autograd.manual_seed(0)
    return nn.Sequential(
        [
            nn.Input(shape=(4,)),
            nn.Dense(8, activation="relu"),
            nn.BatchNorm1d(8),
            nn.Dense(8, activation=nn.LeakyReLU(0.2)),
            nn.Dropout(0.25),
            nn.Linear(8, 6),
            nn.ELU(alpha=0.5),
            nn.Dense(2, activation="softmax", use_bias=False),
        ]
    )


def test_get_weights_in_keras_order_and_layouts():
    model = nn.Sequential([nn.Dense(3, input_shape=(4,)), nn.BatchNorm1d(3), nn.Dense(2)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(4, 3), (3,), (3,), (3,), (3,), (3,), (3, 2), (2,)]
    assert model.count_params() == sum(int(np.prod(s)) for s in shapes)
    np.testing.assert_array_equal(model.get_weights()[0], model.layers[0].kernel.data)


def test_set_weights_copies_and_checks():
    model = nn.Sequential([nn.Dense(3, input_shape=(4,)), nn.Dense(2)])
    new = [np.full(w.shape, i, dtype=np.float32) for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    new[0][...] = 99  # the model holds copies
    assert model.get_weights()[0][0, 0] == 0 and model.layers[1].bias.data[0] == 3
    before = model.get_weights()
    with pytest.raises(
        ValueError, match=r"wrong shapes: 1\.weight: expected \(3, 2\), got \(2, 3\)"
    ):
        model.set_weights([before[0], before[1], before[2].T, before[3]])
    with pytest.raises(ValueError, match="has 4 weight arrays"):
        model.set_weights(before[:2])
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)  # a failed set changes nothing
    with pytest.raises(ValueError, match="not built yet"):
        nn.Sequential([nn.Dense(3)]).get_weights()


def test_save_weights_and_load_weights(tmp_path):
    model = nn.Sequential([nn.Dense(3, input_shape=(4,)), nn.Dense(2)])
    path = tmp_path / "w.weights.npz"
    model.save_weights(path)
    other = nn.Sequential([nn.Dense(3, input_shape=(4,)), nn.Dense(2)])
    other.load_weights(path)
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"size mismatch for 0\.weight"):
        nn.Sequential([nn.Dense(5, input_shape=(4,)), nn.Dense(2)]).load_weights(path)


def test_save_and_load_model_rebuilds_layers_weights_and_compile(tmp_path):
    x, y = data()
    model = model_of_every_kind()
    model.compile(
        optimizer=nn.optimizers.Adam(learning_rate=0.01),
        loss="sparse_categorical_crossentropy",
        metrics="accuracy",
    )
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, seed=0)
    path = tmp_path / "model.keras"
    model.save(path)
    assert zipfile.is_zipfile(path) and not list(tmp_path.glob("*.partial"))

    loaded = nn.load_model(path)
    assert [type(m).__name__ for m in loaded.layers] == [type(m).__name__ for m in model.layers]
    assert loaded.layers[2].activation.negative_slope == 0.2 and loaded.layers[3].p == 0.25
    assert loaded.layers[5].alpha == 0.5 and loaded.layers[6].bias is None
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    assert (
        isinstance(loaded.optimizer, nn.optimizers.Adam) and loaded.optimizer.learning_rate == 0.01
    )
    assert loaded.optimizer.iterations == model.optimizer.iterations == 6
    assert loaded.metrics_names == ["loss", "accuracy"]
    # the optimizer state came along: one more epoch gives the same weights on both
    for m in (model, loaded):
        autograd.manual_seed(1)  # the same dropout masks
        m.fit(x, y, epochs=1, batch_size=16, verbose=0, shuffle=False)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert nn.load_model(path, compile=False).optimizer is None


def test_saved_file_is_plain_data(tmp_path):
    model = nn.Sequential(nn.Dense(2, activation="softmax", input_shape=(3,)))
    model.compile(optimizer="sgd", loss="categorical_crossentropy", lr=0.1)
    path = tmp_path / "m.npz"
    model.save(path)
    archive = np.load(path, allow_pickle=False)  # no pickle anywhere in the file
    config = json.loads(str(archive["__model_config__"]))
    assert config["model"]["config"]["layers"][0]["config"]["units"] == 2
    assert config["compile"]["optimizer"]["config"]["learning_rate"] == 0.1
    assert set(nn.load_state(path)) == {"0.weight", "0.bias"}  # weights only


def test_save_refuses_what_it_cannot_describe_and_load_refuses_weights_only(tmp_path):
    class Block(nn.Module):
        def forward(self, x):
            return x

    model = nn.Sequential([nn.Dense(2, input_shape=(3,)), Block()])
    path = tmp_path / "m.npz"
    with pytest.raises(ValueError, match=r"cannot describe the layer .*Block.*save_weights"):
        model.save(path)
    assert not path.exists()
    model.save_weights(path)
    with pytest.raises(ValueError, match=r"holds weights only.*load_weights"):
        nn.load_model(path)


def test_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.npz"
    good = nn.Sequential(nn.Dense(2, input_shape=(3,)))
    good.save(path)
    before = path.read_bytes()
    bad = nn.Sequential([nn.Dense(2, input_shape=(3,)), nn.Activation(lambda x: x)])
    with pytest.raises(ValueError):
        bad.save(path)
    assert path.read_bytes() == before


def test_layer_options_survive_save_and_load(tmp_path):
    autograd.manual_seed(0)
    model = nn.Sequential(
        nn.Flatten(1, 2),
        nn.Linear(6, 5),
        nn.LayerNorm(5, eps=1e-3, bias=False),
        nn.GELU(approximate="tanh"),
        nn.Linear(5, 4),
        nn.Softplus(beta=2.0, threshold=5.0),
        nn.Dropout(0.1, inplace=True),
        nn.Linear(4, 2),
        nn.ReLU(inplace=True),
    )
    path = tmp_path / "options.keras"
    model.save(path)
    loaded = nn.load_model(path)
    assert [repr(m) for m in loaded.layers] == [repr(m) for m in model.layers[:6]] + [
        "Dropout(p=0.1, inplace=False)",  # the flag changes nothing computed: not saved
        repr(model.layers[7]),
        "ReLU()",
    ]
    with autograd.no_grad():
        model.layers[2].weight.data[...] = np.arange(5) / 5  # trained values come back too
    model.save(path)
    loaded = nn.load_model(path)
    x = np.random.default_rng(1).normal(size=(3, 2, 3)).astype(np.float32)
    model.eval(), loaded.eval()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
