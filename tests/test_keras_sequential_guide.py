"""The Keras 3 guide "The Sequential model", run as written with Keras and with `nn`:
calling a model and its layers one by one, `layers`, `add`, `pop`, names, weights made
at the first call, `summary()` before and after the model is built (by a call, by
`build`, or from an `Input`), and transfer learning with frozen layers. (The feature
extraction part is in test_keras_guides.py.)"""

import numpy as np
import pytest
from keras_tables import keras_summary_rows, summary_rows

import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]


def _rows(model, k):
    if k is keras:
        return keras_summary_rows(model)
    return summary_rows(model.summary(print_fn=None))


def _three(k, **names):
    layers = k.layers
    return [
        layers.Dense(2, activation="relu", **({"name": "layer1"} if names else {})),
        layers.Dense(3, activation="relu", **({"name": "layer2"} if names else {})),
        layers.Dense(4, **({"name": "layer3"} if names else {})),
    ]


def test_a_model_and_its_layers_called_one_by_one_as_keras():
    out = {}
    keras.utils.set_random_seed(0)
    models = {k: k.Sequential(_three(k, names=True), name="my_sequential") for k in LIBS}
    x = {k: k.ops.ones((3, 3)) for k in LIBS}
    models[keras](x[keras])
    models[nn](x[nn])
    models[nn].set_weights(models[keras].get_weights())
    for k, model in models.items():
        layer1, layer2, layer3 = model.layers
        y = np.asarray(model(x[k]))
        one_by_one = np.asarray(layer3(layer2(layer1(x[k]))))
        out[k] = [y, one_by_one, [layer.name for layer in model.layers], model.name]
    np.testing.assert_allclose(out[nn][0], out[keras][0], rtol=1e-6)
    np.testing.assert_allclose(out[nn][1], out[nn][0], rtol=1e-6)
    assert out[nn][2:] == out[keras][2:] == [["layer1", "layer2", "layer3"], "my_sequential"]


def test_summary_of_a_model_built_by_its_first_call_shows_that_batch_as_keras():
    """Built without an `Input`, a Keras Sequential keeps the batch size of the call (or
    `build`, or the first batch of fit, predict, evaluate) that built it: its summary
    showed `(None, 2)` where Keras shows `(1, 2)`."""
    x = np.ones((5, 4), dtype="float32")
    y = np.ones((5, 4), dtype="float32")
    builds = {
        "call": lambda m: m(x[:1]),
        "call, then another batch": lambda m: (m(x[:1]), m(x)),
        "build": lambda m: m.build((3, 4)),
        "build (None, 4)": lambda m: m.build((None, 4)),
        "predict": lambda m: m.predict(x, verbose=0),
        "fit": lambda m: (m.compile(loss="mse"), m.fit(x, y, batch_size=2, verbose=0)),
        "Input": lambda m: None,
    }
    for how, build in builds.items():
        rows = {}
        for k in LIBS:
            first = [k.Input(shape=(4,))] if how == "Input" else []
            model = k.Sequential([*first, *_three(k)])
            assert len(model.weights) == (6 if how == "Input" else 0)
            if how != "Input":
                unbuilt = _rows(model, k)
                assert [row[2:] for row in unbuilt[0]] == [("?", "0 (unbuilt)")] * 3
            build(model)
            assert len(model.weights) == 6
            rows[k] = _rows(model, k)
        assert [r[1:] for r in rows[nn][0]] == [r[1:] for r in rows[keras][0]], how
        assert rows[nn][1] == rows[keras][1]
    model = nn.Sequential(_three(nn))
    model(x[:1])
    model.add(nn.layers.Dense(5))  # added later, as Keras: the same batch size
    model.pop(), model.pop()
    assert [r[2] for r in summary_rows(model.summary(print_fn=None))[0]] == ["(1, 2)", "(1, 3)"]
    torch_style = nn.Sequential(nn.Linear(4, 2), nn.ReLU())
    torch_style(x[:1])
    assert summary_rows(torch_style.summary(print_fn=None))[0][0][2] == "(None, 2)"


def test_debugging_with_summary_after_each_add_and_transfer_learning_as_keras():
    """The guide's debugging workflow (summary after each `add`) and its transfer
    learning recipe (every layer but the last frozen), trained on the same weights."""
    rng = np.random.default_rng(0)
    x = rng.random((32, 20)).astype("float32")
    y = rng.integers(0, 10, 32)
    tables, models = {}, {}
    for k in LIBS:
        layers = k.layers
        model = k.Sequential()
        model.add(k.Input(shape=(20,)))
        model.add(layers.Dense(32, activation="relu"))
        model.add(layers.Dense(32, activation="relu"))
        tables[k] = [_rows(model, k)]
        model.add(layers.Dense(10))
        tables[k].append(_rows(model, k))
        for layer in model.layers[:-1]:
            layer.trainable = False
        tables[k].append(_rows(model, k))
        models[k] = model
    for ours, theirs in zip(tables[nn], tables[keras], strict=True):
        assert [r[1:] for r in ours[0]] == [r[1:] for r in theirs[0]]
        assert ours[1] == theirs[1]
    models[nn].set_weights(models[keras].get_weights())
    history = {}
    for k, model in models.items():
        model.compile(
            optimizer=k.optimizers.RMSprop(1e-2),
            loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        history[k] = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    for key in history[keras]:
        np.testing.assert_allclose(history[nn][key], history[keras][key], rtol=1e-5, err_msg=key)
    for ours, theirs in zip(models[nn].get_weights(), models[keras].get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert len(models[nn].trainable_weights) == len(models[keras].trainable_weights) == 2
