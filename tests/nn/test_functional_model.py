"""Keras's functional API against Keras 3 itself: the same graph built in both, Keras's
weights copied in, then predictions, losses, training runs, layer lists and summary
tables compared; and the errors of graphs that cannot be built."""

import os
import warnings

import numpy as np
import pytest

import autograd
import nn

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
layers = keras.layers


@pytest.fixture(autouse=True)
def fresh_names(monkeypatch):
    """Both libraries number default names per session: start both at `dense`. (And
    Keras's table is as wide as the terminal allows: give it room.)"""
    monkeypatch.setenv("COLUMNS", "200")
    keras.utils.clear_session()
    nn.utils.clear_session()


def arrays(n, *features, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, f)).astype(dtype) for f in features]


def copy_weights(ours, theirs):
    ours.set_weights(theirs.get_weights())


def check_training_matches(ours, theirs, x, y, loss, epochs=4, batch_size=8, rtol=1e-4):
    """Same SGD steps in both (no shuffling): per-epoch losses, weights, evaluate."""
    copy_weights(ours, theirs)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    theirs.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss)
    ours.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), loss=loss)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0), 1e-5)
    k = theirs.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    o = ours.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    np.testing.assert_allclose(o.history["loss"], k.history["loss"], rtol=rtol)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0), 1e-4)
    return o, k


def keras_table(model):
    """Title, header, rows (cells, wrapped lines joined) and totals of Keras's summary."""
    printed = []
    model.summary(print_fn=lambda text, line_break=False: printed.append(text))
    return read_table("\n".join(printed))


def read_table(text):
    """Title, header, rows (cells, wrapped lines joined) and totals of a summary table
    drawn as Keras 3 draws it."""
    lines = text.splitlines()
    header, rows, row = None, [], None
    for line in lines:
        if line.startswith("┃"):
            header = [c.strip() for c in line.strip("┃").split("┃")]
        elif line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            row = cells if row is None else [f"{a} {b}".strip() for a, b in zip(row, cells)]
        elif line.startswith(("├", "└")) and row is not None:
            rows.append(row)
            row = None
    totals = [line.split(" (")[0].strip() for line in lines if "params:" in line]
    return lines[0], header, rows, totals


def our_table(model):
    return read_table(model.summary(print_fn=None))


def test_book_mnist_snippet_matches_keras():
    def build(lib, Dense):
        inputs = lib.Input(shape=(20,))
        x = Dense(16, activation="relu")(inputs)
        outputs = Dense(10, activation="softmax")(x)
        return lib.Model(inputs=inputs, outputs=outputs)

    theirs, ours = build(keras, layers.Dense), build(nn, nn.Dense)
    assert isinstance(ours, nn.Model) and type(ours).__name__ == "Functional"
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert [type(layer).__name__ for layer in ours.layers] == ["Input", "Dense", "Dense"]
    assert our_table(ours) == keras_table(theirs)
    assert ours.count_params() == theirs.count_params() == 20 * 16 + 16 + 16 * 10 + 10
    x, y = arrays(64, 20)[0], np.arange(64) % 10
    check_training_matches(ours, theirs, x, y, "sparse_categorical_crossentropy")
    # the brief's exact calls: rmsprop, metrics, validation_split, positional Model(...)
    again = nn.Model(ours.input, ours.output)
    again.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = again.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_input_is_a_symbolic_tensor_and_still_a_sequential_layer():
    x = nn.Input(shape=(784,))
    assert x.shape == (None, 784) and x.dtype == "float32" and x.name == "input_layer"
    named = nn.Input(shape=(None,), name="tokens", dtype="int32")
    assert (named.shape, named.dtype, named.name) == ((None, None), "int32", "tokens")
    assert repr(named) == "<KerasTensor shape=(None, None), dtype=int32, name=tokens>"
    h = nn.Dense(3)(x)
    assert isinstance(h, nn.KerasTensor) and h.shape == (None, 3) and h.dtype == "float32"
    model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(3)])
    assert model.count_params() == 15 and len(model.layers) == 1
    assert model.predict(np.ones((2, 4), np.float32), verbose=0).shape == (2, 3)
    with pytest.raises(TypeError, match="is symbolic: it has no values"):
        np.asarray(x)


def test_every_layer_infers_its_output_shape():
    x = nn.Input(shape=(6,))
    assert nn.Dropout(0.5)(x).shape == (None, 6)
    assert nn.BatchNorm1d(6)(x).shape == (None, 6)
    assert nn.LayerNorm(6)(x).shape == (None, 6)
    assert nn.Tanh()(x).shape == nn.Softmax()(x).shape == (None, 6)
    assert nn.Linear(6, 2)(x).shape == (None, 2)
    assert nn.Flatten()(nn.Input(shape=(2, 3, 4))).shape == (None, 24)
    seq = nn.Sequential([nn.Dense(5, activation="relu"), nn.Dense(2)])
    assert seq(x).shape == (None, 2) and seq.layers[0].kernel.shape == (6, 5)
    tokens = nn.Input(shape=(None,), dtype="int64")
    embedded = nn.Embedding(10, 4)(tokens)
    assert embedded.shape == (None, None, 4) and embedded.dtype == "float32"
    dense = nn.Dense(7)
    assert not dense.built
    dense(nn.Input(shape=(3, 5)))
    assert dense.built and dense.kernel.shape == (5, 7)  # built from the symbolic shape
    bn = nn.BatchNorm1d(6)
    bn(x)  # the trial run leaves the running statistics and the mode alone
    assert bn.training and np.all(bn.running_mean.data == 0) and np.all(bn.running_var.data == 1)


def test_multi_input_concatenate_matches_keras():
    def build(lib, L):
        a, b = lib.Input(shape=(4,), name="a"), lib.Input(shape=(3,), name="b")
        h = L.Concatenate()([a, b])
        h = L.Dense(8, activation="tanh")(h)
        return lib.Model([a, b], L.Dense(1)(h))

    theirs, ours = build(keras, layers), build(nn, nn.layers)
    assert [layer.name for layer in ours.layers] == ["a", "b", "concatenate", "dense", "dense_1"]
    assert our_table(ours) == keras_table(theirs)
    xa, xb, y = arrays(40, 4, 3, 1)
    check_training_matches(ours, theirs, [xa, xb], y, "mse")
    as_dict = ours.predict({"b": xb, "a": xa}, verbose=0)
    np.testing.assert_allclose(as_dict, theirs.predict([xa, xb], verbose=0), rtol=1e-4, atol=1e-5)
    direct = ours([xa, xb]).data  # calling the model on arrays, as Keras
    np.testing.assert_allclose(direct, as_dict, rtol=1e-6)
    scores = ours.fit([xa, xb], y, epochs=1, validation_data=([xa, xb], y), verbose=0)
    assert "val_loss" in scores.history


def test_residual_add_and_layer_order_by_depth_match_keras():
    def build(lib, L):
        a, b = lib.Input(shape=(4,), name="a"), lib.Input(shape=(5,), name="b")
        h = L.Dense(5, activation="relu", name="d1")(a)
        r = L.Dense(5, name="d2")(h)
        h = L.Add()([h, r, b])  # b joins late: it sorts after d1 and d2 (by depth)
        return lib.Model([a, b], L.Dense(2, activation="softmax")(h))

    theirs, ours = build(keras, layers), build(nn, nn.layers)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert [layer.name for layer in ours.layers] == ["a", "d1", "d2", "b", "add", "dense"]
    assert our_table(ours) == keras_table(theirs)
    xa, xb = arrays(32, 4, 5)
    y = (xa[:, 0] > 0).astype(np.int64)
    check_training_matches(ours, theirs, [xa, xb], y, "sparse_categorical_crossentropy")


def test_weights_follow_the_graph_not_the_creation_order():
    def build(lib, L):
        x = lib.Input(shape=(2,))
        late, early = L.Dense(3, name="late"), L.Dense(4, name="early")
        p, q = early(x), late(x)
        return lib.Model(x, L.Concatenate()([q, p]))

    theirs, ours = build(keras, layers), build(nn, nn.layers)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert [name for name, _ in ours.named_parameters()][:2] == ["late.weight", "late.bias"]
    copy_weights(ours, theirs)
    x = arrays(5, 2)[0]
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), 1e-5)


def test_shared_layer_keeps_one_set_of_weights_and_matches_keras():
    def build(lib, L):
        x = lib.Input(shape=(4,))
        shared = L.Dense(4, activation="tanh")
        y1 = shared(x)
        y2 = shared(y1)
        return lib.Model(x, L.Dense(1)(L.Add()([y1, y2]))), shared

    (theirs, _), (ours, shared) = build(keras, layers), build(nn, nn.layers)
    assert ours.count_params() == theirs.count_params() == 20 + 5
    assert our_table(ours) == keras_table(theirs)  # "Connected to": dense[0][0], dense[1][0]
    assert shared.output.shape == (None, 4)  # the first call's output, as Keras
    x, y = arrays(24, 4, 1)
    check_training_matches(ours, theirs, x, y, "mse")


def test_feature_extraction_and_nested_models_match_keras():
    def build(lib, L):
        x = lib.Input(shape=(6,))
        h = L.Dense(5, activation="relu")(x)
        h = L.Dense(4, activation="relu")(h)
        return lib.Model(x, L.Dense(3, activation="softmax")(h))

    theirs, ours = build(keras, layers), build(nn, nn.layers)
    copy_weights(ours, theirs)
    k_features = keras.Model(theirs.input, theirs.get_layer("dense_1").output)
    o_features = nn.Model(ours.input, ours.get_layer("dense_1").output)
    x = arrays(10, 6)[0]
    np.testing.assert_allclose(
        o_features.predict(x, verbose=0), k_features.predict(x, verbose=0), 1e-5, 1e-6
    )
    assert o_features.get_layer(index=-1) is ours.layers[2]  # the same layer objects

    def outer(lib, L, inner, seq):
        x = lib.Input(shape=(6,))
        return lib.Model(x, L.Average()([inner(x), seq(x)]), name="outer")

    k_seq = keras.Sequential([layers.Dense(3, activation="softmax")])
    o_seq = nn.Sequential([nn.Dense(3, activation="softmax")])
    k_outer, o_outer = outer(keras, layers, theirs, k_seq), outer(nn, nn.layers, ours, o_seq)
    assert [type(m).__name__ for m in o_outer.layers] == [
        "Input",
        "Functional",
        "Sequential",
        "Average",
    ]
    assert our_table(o_outer) == keras_table(k_outer)
    copy_weights(o_outer, k_outer)
    np.testing.assert_allclose(o_outer.predict(x, verbose=0), k_outer.predict(x, verbose=0), 1e-5)


@pytest.mark.parametrize(
    "merge", ["Subtract", "Multiply", "Average", "Maximum", "Minimum", "Add", "Concatenate"]
)
def test_merge_layers_and_their_functional_forms_match_keras(merge):
    def build(lib, L):
        a, b = lib.Input(shape=(3, 4)), lib.Input(shape=(3, 4))
        ha, hb = L.Dense(4)(a), L.Dense(4)(b)
        merged = (
            getattr(L, merge.lower())([ha, hb])
            if merge != "Concatenate"
            else (L.Concatenate(axis=1)([ha, hb]))
        )
        return lib.Model(
            [a, b],
            getattr(L, merge)(**({"axis": 1} if merge == "Concatenate" else {}))([merged, merged]),
        )

    theirs, ours = build(keras, layers), build(nn, nn.layers)
    assert ours.outputs[0].shape == tuple(theirs.outputs[0].shape)
    copy_weights(ours, theirs)
    xa, xb = (x.reshape(6, 3, 4) for x in arrays(6, 12, 12))
    got, want = ours.predict([xa, xb], verbose=0), theirs.predict([xa, xb], verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_integer_inputs_embedding_model_matches_keras():
    def build(lib, L, Embedding):
        tokens = lib.Input(shape=(5,), dtype="int32")
        h = L.Flatten()(Embedding(10, 4)(tokens))
        return lib.Model(tokens, L.Dense(1)(h))

    theirs = build(keras, layers, layers.Embedding)
    ours = build(nn, nn.layers, nn.Embedding)
    x = np.random.default_rng(0).integers(0, 10, size=(32, 5))
    y = arrays(32, 1)[0]
    check_training_matches(ours, theirs, x, y, "mse")


def test_save_and_load_round_trip(tmp_path):
    a, b = nn.Input(shape=(4,), name="a"), nn.Input(shape=(3,), name="b")
    shared = nn.Dense(4, activation="relu")
    h = nn.layers.concatenate([shared(a), shared(nn.Dense(4)(b))])
    h = nn.Dropout(0.1)(nn.BatchNorm1d(8)(h))
    out = nn.Dense(2, activation="softmax", name="out")(h)
    model = nn.Model([a, b], out, name="two_inputs")
    model.compile(nn.optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"])
    xa, xb = arrays(30, 4, 3)
    y = (xa[:, 0] > xb[:, 0]).astype(np.int64)
    model.fit([xa, xb], y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = nn.load_model(path)
    assert type(loaded).__name__ == "Functional" and loaded.name == "two_inputs"
    assert [m.name for m in loaded.layers] == [m.name for m in model.layers]
    assert model.summary(print_fn=None) == loaded.summary(print_fn=None)
    np.testing.assert_array_equal(
        loaded.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0)
    )
    more = []
    for m in (model, loaded):
        autograd.manual_seed(1)  # the same dropout masks
        more.append(m.fit([xa, xb], y, epochs=2, batch_size=8, shuffle=False, verbose=0))
    np.testing.assert_allclose(more[0].history["loss"], more[1].history["loss"], rtol=1e-6)
    for w, v in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_allclose(w, v, rtol=1e-6)


def ticket_model(lib, L, vocabulary=30, tags=6, departments=4):
    """Deep Learning with Python (2nd ed.), listing 7.9, scaled down: three inputs,
    two outputs."""
    title = lib.Input(shape=(vocabulary,), name="title")
    text_body = lib.Input(shape=(vocabulary,), name="text_body")
    tags_input = lib.Input(shape=(tags,), name="tags")
    features = L.Concatenate()([title, text_body, tags_input])
    features = L.Dense(16, activation="relu")(features)
    priority = L.Dense(1, activation="sigmoid", name="priority")(features)
    department = L.Dense(departments, activation="softmax", name="department")(features)
    return lib.Model(inputs=[title, text_body, tags_input], outputs=[priority, department])


def ticket_data(n=40, vocabulary=30, tags=6, departments=4):
    rng = np.random.default_rng(0)
    x = [rng.integers(0, 2, size=(n, k)) for k in (vocabulary, vocabulary, tags)]
    y = [rng.random((n, 1)), rng.integers(0, 2, size=(n, departments))]
    return x, y


@pytest.mark.parametrize("form", ["lists", "dicts", "one_loss"])
def test_several_outputs_train_as_in_keras(form):
    theirs, ours = ticket_model(keras, layers), ticket_model(nn, nn.layers)
    assert ours.output_names == ["priority", "department"]
    copy_weights(ours, theirs)
    x, y = ticket_data()
    if form == "lists":
        options = {
            "loss": ["mean_squared_error", "categorical_crossentropy"],
            "metrics": [["mean_absolute_error"], ["accuracy"]],
            "loss_weights": [2.0, 0.5],
        }
    elif form == "dicts":
        options = {
            "loss": {"priority": "mse", "department": "categorical_crossentropy"},
            "metrics": {"department": ["accuracy"]},
            "loss_weights": {"priority": 0.5, "department": 1.5},
        }
        x = dict(zip(["title", "text_body", "tags"], x))
        y = dict(zip(["priority", "department"], y))
    else:
        options = {"loss": "mse"}  # one loss for every output
    theirs.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), **options)
    ours.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), **options)
    k = theirs.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    o = ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    assert sorted(o) == sorted(k)
    for key in k:
        np.testing.assert_allclose(o[key], k[key], rtol=1e-5, err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    ours_scores, their_scores = ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(ours_scores, their_scores, rtol=1e-5)  # Keras's order too
    predictions = ours.predict(x, verbose=0)
    for got, want in zip(predictions, theirs.predict(x, verbose=0), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_several_outputs_predict_in_the_structure_of_outputs_and_check_arguments():
    x = nn.Input(shape=(4,))
    h = nn.Dense(3)(x)
    model = nn.Model(x, [h, nn.Dense(2, name="head")(h)])
    out = model.predict(np.ones((5, 4), np.float32), verbose=0)
    assert isinstance(out, list) and [o.shape for o in out] == [(5, 3), (5, 2)]
    by_name = nn.Model(x, {"features": h}).predict(np.ones((2, 4), np.float32), verbose=0)
    assert list(by_name) == ["features"] and by_name["features"].shape == (2, 3)
    with pytest.raises(ValueError, match=r"loss must have one entry per output \(2: dense, head\)"):
        model.compile("sgd", ["mse"])
    with pytest.raises(ValueError, match="loss names unknown outputs tail"):
        model.compile("sgd", {"tail": "mse"})
    with pytest.raises(ValueError, match=r"one entry .* per output .*got 1 entries"):
        model.compile("sgd", "mse", metrics=["mae"])
    model.compile("sgd", "mse", metrics=[None, ["mae"]])
    with pytest.raises(ValueError, match=r"2 outputs \(dense, head\): pass a list of 2 arrays"):
        model.fit(np.ones((5, 4)), np.ones((5, 2)), verbose=0)
    with pytest.raises(ValueError, match="no data for the outputs head"):
        model.fit(np.ones((5, 4)), {"dense": np.ones((5, 3))}, verbose=0)
    history = model.fit(np.ones((5, 4)), [np.ones((5, 3)), np.ones((5, 2))], epochs=1, verbose=0)
    assert sorted(history.history) == ["dense_loss", "head_loss", "head_mae", "loss"]


def test_errors_name_the_problem():
    x = nn.Input(shape=(4,), name="x")
    dense = nn.Dense(3, name="hidden")
    dense(x)
    with pytest.raises(
        ValueError,
        match=r"'hidden' \(Dense\) expects an input of shape \(None, 4\), but it was "
        r"called on a tensor of shape \(None, 5\)",
    ):
        dense(nn.Input(shape=(5,)))
    with pytest.raises(
        ValueError,
        match=r"'concatenate' \(Concatenate\) cannot be called on an input of shape "
        r"\[\(None, 4\), \(None, 3, 2\)\].*matching shapes except",
    ):
        nn.Concatenate()([x, nn.Input(shape=(3, 2))])
    with pytest.raises(ValueError, match="exactly 2 inputs, got 3"):
        nn.Subtract()([x, x, x])
    with pytest.raises(ValueError, match=r"broadcast together; got \(None, 4\), \(None, 3\)"):
        nn.Add()([x, nn.Input(shape=(3,))])
    with pytest.raises(ValueError, match="called on a list of inputs"):
        nn.Add()(np.ones((2, 3)))
    other = nn.Input(shape=(2,), name="other")
    y = nn.Concatenate()([nn.Dense(2)(x), other])
    with pytest.raises(ValueError, match=r"Graph disconnected.*needs the input other \(None, 2\)"):
        nn.Model(x, y)
    with pytest.raises(TypeError, match=r"inputs must be nn\.Input tensors"):
        nn.Model(dense.output, y)
    with pytest.raises(TypeError, match="outputs must be symbolic tensors"):
        nn.Model(x, np.ones(3))
    with pytest.raises(ValueError, match='name "hidden" is used 2 times'):
        nn.Model(x, nn.Dense(2, name="hidden")(dense.output))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unused = nn.Model([x, other], dense.output)  # Keras allows it: a warning here
    assert "the input other (None, 2) is not used" in str(caught[0].message)
    assert [m.name for m in unused.layers] == ["x", "other", "hidden"]  # Keras's order
    model = nn.Model(x, dense.output)
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="fit: x holds symbolic tensors"):
        model.fit(x, np.ones((2, 3)))
    with pytest.raises(TypeError, match="is symbolic: it has no values"):
        nn.Sequential([nn.Dense(3, input_dim=4)]).predict(x)
    two = nn.Model([x, other], nn.Concatenate()([x, other]))
    with pytest.raises(
        ValueError, match=r"2 inputs \(x, other\): pass a list of 2 arrays in that order"
    ):
        two.predict(np.ones((3, 4)))
    with pytest.raises(ValueError, match="x and other must have the same number of samples"):
        two.predict([np.ones((3, 4)), np.ones((2, 2))])
    with pytest.raises(
        ValueError, match=r"Input\(shape=\(4,\)\): expected input of shape \(batch, 4\)"
    ):
        model.predict(np.ones((3, 5), np.float32))
    with pytest.raises(ValueError, match="no layer named 'nope'; the layers are: x, hidden"):
        model.get_layer("nope")
    with pytest.raises(AttributeError, match="has never been called"):
        _ = nn.Dense(2).output
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        nn.Model(x, dense.output, name=3)


def test_module_wrapping_model_still_works():
    model = nn.Model(nn.MLP([2, 4, 2]))
    assert type(model) is nn.Model and model.count_params() == 2 * 4 + 4 + 4 * 2 + 2
    with pytest.raises(TypeError, match="Model wraps a Module, got str"):
        nn.Model("mlp")


def test_dlwp_chapter_7_multi_input_snippet_runs():
    # Deep Learning with Python (2nd ed.), listings 7.9-7.10 as printed, scaled down
    vocabulary_size = 100
    num_tags = 10
    num_departments = 4

    title = nn.Input(shape=(vocabulary_size,), name="title")
    text_body = nn.Input(shape=(vocabulary_size,), name="text_body")
    tags = nn.Input(shape=(num_tags,), name="tags")

    features = nn.layers.Concatenate()([title, text_body, tags])
    features = nn.layers.Dense(64, activation="relu")(features)

    priority = nn.layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = nn.layers.Dense(num_departments, activation="softmax", name="department")(features)

    model = nn.Model(inputs=[title, text_body, tags], outputs=[priority, department])

    num_samples = 128
    rng = np.random.default_rng(0)
    title_data = rng.integers(0, 2, size=(num_samples, vocabulary_size))
    text_body_data = rng.integers(0, 2, size=(num_samples, vocabulary_size))
    tags_data = rng.integers(0, 2, size=(num_samples, num_tags))
    priority_data = rng.random(size=(num_samples, 1))
    department_data = rng.integers(0, 2, size=(num_samples, num_departments))

    model.compile(
        optimizer="rmsprop",
        loss=["mean_squared_error", "categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    history = model.fit(
        [title_data, text_body_data, tags_data], [priority_data, department_data], epochs=1
    )
    scores = model.evaluate(
        [title_data, text_body_data, tags_data], [priority_data, department_data]
    )
    priority_preds, department_preds = model.predict([title_data, text_body_data, tags_data])
    assert sorted(history.history) == [
        "department_accuracy",
        "department_loss",
        "loss",
        "priority_loss",
        "priority_mean_absolute_error",
    ]
    assert len(scores) == 5 and all(np.isfinite(scores))
    assert priority_preds.shape == (128, 1) and department_preds.shape == (128, 4)
    model.summary()


def test_one_output_given_in_a_list_is_returned_unpacked_as_keras():
    x = nn.Input(shape=(3,))
    model = nn.Model(inputs=[x], outputs=[nn.Dense(1)(x)])
    data = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert isinstance(model(data), autograd.Tensor) and model(data).shape == (4, 1)
    out = model.predict(data, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (4, 1)
    assert isinstance(model.output, list)  # as given, as Keras's `output`
    model.compile("sgd", "mse")
    history = model.fit(data, np.ones(4), epochs=1, verbose=0)
    assert list(history.history) == ["loss"]


def test_several_outputs_take_a_flat_list_of_metrics_one_per_output_as_keras():
    x = nn.Input(shape=(4,))
    h = nn.Dense(3, name="first")(x)
    model = nn.Model(x, [h, nn.Dense(2, name="head")(h)])
    model.compile("sgd", "mse", metrics=["mae", ["mse", "mae"]])
    data = np.ones((5, 4), np.float32)
    history = model.fit(data, [np.ones((5, 3)), np.ones((5, 2))], epochs=1, verbose=0)
    assert list(history.history) == [
        "first_loss",
        "first_mae",
        "head_loss",
        "head_mae",
        "head_mse",
        "loss",
    ]
    with pytest.raises(ValueError, match=r"one entry .* per output .*got 3 entries"):
        model.compile("sgd", "mse", metrics=["mae", "mse", "mae"])
