"""Keras 3's default names, here and in Keras: every Keras-style layer and model is
named when it is made (`dense`, `dense_1`, ..., one counter per snake_case class name for
the session, reset by `clear_session`), and `layers`, `get_layer`, `summary` and
`load_model` read those names. Each test clears both sessions and then builds the same
layers in the same order in both libraries."""

import os
import re

import numpy as np
import pytest

import nn
from nn import layers
from nn.symbolic import snake_case

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def fresh_sessions():
    keras.utils.clear_session()
    nn.utils.clear_session()


def both(build):
    """`build(lib)` run in Keras, then here, each from a cleared session."""
    keras.utils.clear_session()
    theirs = build(keras)
    nn.utils.clear_session()
    ours = build(nn)
    return ours, theirs


def names(items):
    return [item.name for item in items]


def keras_summary_names(model):
    lines = []
    model.summary(line_length=250, print_fn=lambda line, line_break=True: lines.append(line))
    return re.findall(r"│ (\S+) \((\w+)\)", "\n".join(lines))


def our_summary_names(model):
    text = model.summary(line_length=250, print_fn=None)
    return re.findall(r"│ (\S+) \((\w+)\)", text)


def every_layer(lib):
    L = lib.layers
    return [
        L.Dense(3),
        L.Dense(3, name="head"),  # a given name takes no number
        L.Dense(3),
        L.Dropout(0.5),
        L.Dropout(rate=0.2),
        L.Flatten(),
        L.Activation("relu"),
        L.BatchNormalization(),
        L.LayerNormalization(),
        L.UnitNormalization(),
        L.Normalization(),
        L.Rescaling(0.5),
        L.Reshape((3,)),
        L.GaussianNoise(0.1),
        L.Add(),
        L.Subtract(),
        L.Multiply(),
        L.Average(),
        L.Maximum(),
        L.Minimum(),
        L.Concatenate(),
        L.Add(),
        L.Concatenate(axis=1),
        L.Dense(3),
        L.Flatten(name="dense_9"),  # nor does a name that looks numbered
        L.Dense(3),
    ]


def test_every_keras_style_layer_is_named_at_construction_as_keras():
    ours, theirs = both(every_layer)
    assert names(ours) == names(theirs)
    assert names(ours)[:4] == ["dense", "head", "dense_1", "dropout"]
    assert names(ours)[-3:] == ["dense_2", "dense_9", "dense_3"]


def test_clear_session_starts_the_numbering_again_and_the_alias_is_the_same():
    assert nn.utils.clear_session is nn.symbolic.clear_session
    assert [nn.Dense(1).name, nn.Dense(1).name] == ["dense", "dense_1"]
    nn.utils.clear_session()
    assert [nn.Dense(1).name, nn.Sequential().name] == ["dense", "sequential"]
    assert keras.layers.Dense(1).name == "dense"  # the fixture cleared Keras's too


def test_subclassed_layers_and_models_take_their_class_name():
    def build(lib):
        made = []
        for cls_name in ("SimpleDense", "ReLU", "Conv2D", "GlobalAveragePooling1D", "HTTPServer"):
            cls = type(cls_name, (lib.layers.Layer,), {"call": lambda self, x: x})
            made += [cls(), cls()]

        class TicketModel(lib.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.dense = lib.layers.Dense(2)

            def call(self, x):
                return self.dense(x)

        model = TicketModel()
        return [*made, model, model.dense, TicketModel(name="tickets"), TicketModel()]

    ours, theirs = both(build)
    assert names(ours) == names(theirs)
    assert names(ours)[:4] == ["simple_dense", "simple_dense_1", "re_lu", "re_lu_1"]
    assert names(ours)[4:10:2] == ["conv2d", "global_average_pooling1d", "http_server"]
    assert names(ours)[-4:] == ["ticket_model", "dense", "tickets", "ticket_model_1"]
    for cls_name in ("BatchNormalization", "LayerNorm", "Conv2DTranspose", "A", "ABCDef"):
        assert snake_case(cls_name) == keras.src.utils.naming.to_snake_case(cls_name)


def sequential_pair(lib):
    L = lib.layers
    first = lib.Sequential([lib.Input((4,)), L.Dense(8, activation="relu"), L.Dense(3)])
    L.Dense(5)  # made between the models: the second model's Dense layers come after it
    second = lib.Sequential(
        [lib.Input((4,)), L.Dense(6), L.Dropout(0.5), L.Dense(2, name="out"), L.Dense(2)]
    )
    third = lib.Sequential(name="empty")
    return first, second, third, lib.Sequential()


def test_sequential_models_and_their_layers_are_named_as_keras():
    ours, theirs = both(sequential_pair)
    assert names(ours) == names(theirs) == ["sequential", "sequential_1", "empty", "sequential_2"]
    for o, t in zip(ours[:2], theirs[:2], strict=True):
        assert names(o.layers) == names(t.layers)
    assert names(ours[1].layers) == ["dense_3", "dropout", "out", "dense_4"]
    second, keras_second = ours[1], theirs[1]
    for name in ("dense_3", "dropout", "out", "dense_4"):
        assert second.get_layer(name) is second.layers[names(second.layers).index(name)]
        assert keras_second.get_layer(name).name == name
    with pytest.raises(ValueError, match="no layer named 'dense'"):
        second.get_layer("dense")  # the first model's
    with pytest.raises(ValueError):
        keras_second.get_layer("dense")


def test_summary_of_a_second_model_names_its_layers_as_keras():
    ours, theirs = both(sequential_pair)
    for o, t in zip(ours[:2], theirs[:2], strict=True):
        rows = our_summary_names(o)
        assert (
            rows
            == keras_summary_names(t)
            == [(n, type(m).__name__) for n, m in zip(names(o.layers), o.layers, strict=True)]
        )
        assert o.summary(print_fn=None).splitlines()[0] == f'Model: "{o.name}"'
    assert our_summary_names(ours[1])[0] == ("dense_3", "Dense")  # after three others


def functional_pair(lib):
    L = lib.layers
    a, b = lib.Input((4,)), lib.Input((4,), name="other")
    hidden = L.Dense(8, activation="relu")
    x = L.Concatenate()([hidden(a), hidden(b)])  # one layer called twice
    x = L.BatchNormalization()(L.Dropout(0.1)(x))
    first = lib.Model([a, b], L.Dense(1)(x))
    c = lib.Input((3,))
    second = lib.Model(c, L.Dense(2, name="logits")(L.Dense(4)(c)), name="small")
    d = lib.Input((3,))
    third = lib.Model(d, L.Add()([L.Dense(3)(d), d]))
    return first, second, third


def test_functional_models_inputs_and_layers_are_named_as_keras():
    ours, theirs = both(functional_pair)
    assert names(ours) == names(theirs) == ["functional", "small", "functional_1"]
    for o, t in zip(ours, theirs, strict=True):
        assert names(o.layers) == names(t.layers)
        assert our_summary_names(o) == keras_summary_names(t)
        for name in names(t.layers):
            assert o.get_layer(name).name == name == t.get_layer(name).name
    assert names(ours[0].layers) == [
        "input_layer", "other", "dense", "concatenate", "dropout", "batch_normalization",
        "dense_1",
    ]  # fmt: skip
    assert names(ours[2].layers) == ["input_layer_2", "dense_3", "add"]


def test_layers_made_before_the_graph_keep_their_construction_order_names():
    """Names come from construction, not from the order of the calls in the graph."""

    def build(lib):
        late, early = lib.layers.Dense(2), lib.layers.Dense(3)  # late is "dense"
        x = lib.Input((4,))
        return lib.Model(x, late(early(x)))

    ours, theirs = both(build)
    assert names(ours.layers) == names(theirs.layers) == ["input_layer", "dense_1", "dense"]


def weights_of(model):
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_load_model_keeps_the_saved_names_when_this_session_numbers_on(tmp_path, kind):
    def build(lib):
        L = lib.layers
        if kind == "sequential":
            return lib.Sequential([lib.Input((4,)), L.Dense(5), L.Dropout(0.5), L.Dense(2)])
        x = lib.Input((4,))
        return lib.Model(x, L.Dense(2)(L.Dropout(0.5)(L.Dense(5)(x))))

    ours, theirs = both(build)
    theirs.save(tmp_path / "theirs.keras")
    ours.save(tmp_path / "ours.keras")
    for lib in (keras, nn):
        for _ in range(3):
            lib.layers.Dense(1)  # dense_2, dense_3, dense_4: the saved names are taken again
    loaded_theirs = keras.models.load_model(tmp_path / "theirs.keras")
    loaded = nn.load_model(tmp_path / "ours.keras")
    assert loaded.name == ours.name == loaded_theirs.name == theirs.name
    assert names(loaded.layers) == names(ours.layers) == names(loaded_theirs.layers)
    for got, want in zip(weights_of(loaded), weights_of(ours), strict=True):
        np.testing.assert_array_equal(got, want)
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), ours.predict(x, verbose=0))
    assert keras.layers.Dense(1).name == nn.layers.Dense(1).name == "dense_5"


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_load_weights_matches_by_order_not_by_the_numbered_names(tmp_path, kind):
    def build():
        if kind == "sequential":
            return nn.Sequential([nn.Input((4,)), nn.Dense(5), nn.Dense(2)])
        x = nn.Input((4,))
        return nn.Model(x, nn.Dense(2)(nn.Dense(5)(x)))

    saved = build()
    saved.save_weights(tmp_path / "model.weights.npz")
    nn.Dense(1), nn.Dense(1), nn.Dense(1)
    other = build()
    assert names(other.layers)[-2:] != names(saved.layers)[-2:]  # numbered on
    other.load_weights(tmp_path / "model.weights.npz")
    for got, want in zip(weights_of(other), weights_of(saved), strict=True):
        np.testing.assert_array_equal(got, want)


def test_torch_style_models_print_and_walk_as_torch_does():
    """Dropout, Flatten and Sequential serve both halves: their Keras name is a plain
    attribute that PyTorch-style use never sees."""
    ours = nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.Dropout(0.25), nn.ReLU())
    theirs = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(6, 4), torch.nn.Dropout(0.25), torch.nn.ReLU()
    )
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert (ours.name, ours[0].name, ours[2].name) == ("sequential", "flatten", "dropout")


def test_bad_names_are_refused_as_keras_refuses_them():
    for make in (
        lambda: nn.Dense(2, name=3),
        lambda: nn.Dropout(0.5, name=""),
        lambda: nn.Flatten(name=1.5),
        lambda: nn.Sequential(name=7),
        lambda: layers.BatchNormalization(name=0),
        lambda: layers.Add(name=[]),
        lambda: nn.Activation("relu", name=2),
    ):
        with pytest.raises(TypeError, match="name must be a non-empty str"):
            make()
    with pytest.raises(ValueError, match="name cannot contain '/'"):
        layers.BatchNormalization(name="a/b")
    assert nn.Dense(1).name == "dense"  # a refused name took no number
