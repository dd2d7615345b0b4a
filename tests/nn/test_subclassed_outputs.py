"""A subclassed `nn.Model` whose `call` takes several inputs and returns several
outputs, trained as Keras 3 trains one: per-output losses, `loss_weights` and metrics,
targets as a tuple, `predict` returning a tuple; Keras's names for unnamed outputs and
its errors for a wrong number of losses or targets."""

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")


def two_heads(k):
    """Two inputs, two outputs, as the wide and deep model without its Normalization."""

    class TwoHeads(k.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = k.layers.Dense(4, activation="relu")
            self.main_output = k.layers.Dense(1)
            self.aux_output = k.layers.Dense(1)

        def call(self, inputs):
            wide, deep = inputs
            hidden = self.hidden(deep)
            concat = k.layers.concatenate([wide, hidden])
            return self.main_output(concat), self.aux_output(hidden)

    return TwoHeads()


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    wide, deep = rng.normal(size=(n, 2)), rng.normal(size=(n, 3))
    y = wide[:, 0] - 0.5 * deep[:, 1] + 0.1 * rng.normal(size=n)
    return (wide.astype("float32"), deep.astype("float32")), y.astype("float32")


def built_pair():
    keras.utils.set_random_seed(1)
    x, _ = data(2)
    models = {k: two_heads(k) for k in (keras, nn)}
    for model in models.values():
        model(x)
    models[nn].set_weights(models[keras].get_weights())
    return models


@pytest.mark.parametrize(
    "compile_args",
    [
        {"loss": ("mse", "mae"), "loss_weights": [0.7, 0.3], "metrics": ["mae", ["mse", "mae"]]},
        {"loss": "mse", "metrics": ["mae", "mae"]},
        {"loss": ["mse", "mse"]},
        {"loss": ["mse", None], "metrics": [["mae"], ["mae"]]},  # no per-output loss logs
        # [] is no metrics, as in Keras ("give metrics as a list with one entry per
        # output ..., got 0 entries" before)
        {"loss": ["mse", "mae"], "metrics": [], "weighted_metrics": []},
    ],
    ids=["two_losses", "one_loss_for_both", "no_metrics", "one_output_unscored", "empty_lists"],
)
def test_history_evaluate_and_predict_as_keras(compile_args):
    x, y = data()
    models = built_pair()
    history, results, scores, preds = {}, {}, {}, {}
    for k, model in models.items():
        model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05), **compile_args)
        history[k] = model.fit(
            x,
            (y, y),
            epochs=2,
            batch_size=16,
            shuffle=False,
            verbose=0,
            validation_data=(x, (y, y)),
        )
        results[k] = model.evaluate(x, (y, y), verbose=0)
        scores[k] = model.evaluate(x, (y, y), verbose=0, return_dict=True)
        preds[k] = model.predict(x, verbose=0)
    assert list(history[nn].history) == list(history[keras].history)
    for key, values in history[keras].history.items():
        np.testing.assert_allclose(history[nn].history[key], values, rtol=2e-5, err_msg=key)
    assert list(scores[nn]) == list(scores[keras])
    assert len(results[nn]) == len(results[keras])
    np.testing.assert_allclose(results[nn], results[keras], rtol=2e-5)
    assert isinstance(preds[nn], tuple) and len(preds[nn]) == 2
    for mine, ref in zip(preds[nn], preds[keras], strict=True):
        np.testing.assert_allclose(mine, ref, rtol=2e-5, atol=1e-6)


def test_loss_is_the_weighted_sum_of_the_outputs_losses():
    x, y = data()
    model = two_heads(nn)
    model.compile(optimizer="sgd", loss=("mse", "mae"), loss_weights=[0.9, 0.1])
    scores = model.evaluate(x, (y, y), verbose=0, return_dict=True)
    main, aux = model.predict(x, verbose=0)
    mse = np.mean((main[:, 0] - y) ** 2)
    mae = np.mean(np.abs(aux[:, 0] - y))
    expected = {"loss": 0.9 * mse + 0.1 * mae, "mae_loss": mae, "mse_loss": mse}
    assert scores == pytest.approx(expected)


def test_predict_returns_the_structure_call_returns_and_takes_a_list_or_dict():
    class ListOut(nn.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Dense(2), nn.Dense(3)

        def call(self, inputs):
            return [self.a(inputs["left"]), self.b(inputs["right"])]

    model = ListOut()
    left, right = np.ones((5, 4)), np.zeros((5, 1))
    out = model.predict({"left": left, "right": right}, batch_size=2, verbose=0)
    assert isinstance(out, list) and [o.shape for o in out] == [(5, 2), (5, 3)]
    np.testing.assert_allclose(out[0], model({"left": left, "right": right})[0].data, rtol=1e-6)


def test_one_output_takes_a_list_of_one_loss():
    x, y = data()

    class OneHead(nn.Model):
        def __init__(self):
            super().__init__()
            self.out = nn.Dense(1)

        def call(self, inputs):
            wide, deep = inputs
            return self.out(nn.layers.concatenate([wide, deep]))

    model = OneHead()
    model.compile(optimizer="sgd", loss=["mse"], metrics=["mae"])
    history = model.fit(x, y, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert model.predict(x, verbose=0).shape == (40, 1)


def test_errors_name_the_problem():
    x, y = data()
    model = two_heads(nn)
    model.compile(optimizer="sgd", loss=("mse", "mse", "mse"))
    with pytest.raises(KeyError, match="loss has 3 entries but the model returns 2 outputs"):
        model.fit(x, (y, y), verbose=0)
    model.compile(optimizer="sgd", loss=("mse", "mse"), loss_weights=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"loss_weights must have one entry per output \(2"):
        model.fit(x, (y, y), verbose=0)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    with pytest.raises(ValueError, match=r"one entry .* per output .* got 1 entries"):
        model.fit(x, (y, y), verbose=0)
    model = two_heads(nn)  # a new model: compiled again, one keeps its metrics (Keras 3's)
    model.compile(optimizer="sgd", loss=("mse", "mse"))
    with pytest.raises(ValueError, match=r"the model has 2 outputs .* got one array"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=r"the model has 2 outputs .* got 3 arrays"):
        model.evaluate(x, (y, y, y), verbose=0)
    with pytest.raises(ValueError, match=r"(?i)unknown loss"):
        model.compile(optimizer="sgd", loss=("mse", "not_a_loss"))
    with pytest.raises(ValueError, match="weighted_metrics for several outputs needs named"):
        model.compile(optimizer="sgd", loss=("mse", "mse"), weighted_metrics=["mae"])
        model.fit(x, (y, y), verbose=0)


def dict_heads(k):
    """A subclassed model whose `call` returns a dict of two outputs (keys unsorted)."""

    class DictHeads(k.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = k.layers.Dense(4, activation="relu")
            self.price = k.layers.Dense(1)
            self.kind = k.layers.Dense(2)

        def call(self, inputs):
            hidden = self.hidden(inputs)
            return {"price": self.price(hidden), "kind": self.kind(hidden)}

    return DictHeads()


def dict_data(n=40, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    targets = {
        "price": (x[:, :1] - 0.5 * x[:, 1:2]).astype("float32"),
        "kind": rng.normal(size=(n, 2)).astype("float32"),
    }
    return x, targets


@pytest.mark.parametrize(
    "compile_args, targets_as",
    [
        ({"loss": {"price": "mse", "kind": "mae"}}, "dict"),
        ({"loss": {"kind": "mae", "price": "mse"}, "metrics": {"kind": ["mse"]}}, "dict"),
        ({"loss": "mse", "metrics": {"price": ["mae"], "kind": ["mse", "mae"]}}, "dict"),
        ({"loss": ["mse", "mae"], "loss_weights": {"price": 0.3, "kind": 0.7}}, "list"),
        ({"loss": {"price": "mse", "kind": "mae"}, "metrics": [["mae"], ["mse"]]}, "list"),
    ],
    ids=["loss_dict", "loss_dict_reordered", "one_loss", "loss_list", "metrics_list"],
)
def test_a_model_returning_a_dict_trains_as_keras(compile_args, targets_as):
    """Keras orders a dict's outputs by key (lists of losses, metrics and targets go
    in that order) and names the logs after the keys."""
    x, y = dict_data()
    if targets_as == "list":
        y = [y[key] for key in sorted(y)]
    keras.utils.set_random_seed(2)
    models = {k: dict_heads(k) for k in (keras, nn)}
    for model in models.values():
        model(x[:2])
    models[nn].set_weights(models[keras].get_weights())
    history, results, scores, preds = {}, {}, {}, {}
    for k, model in models.items():
        model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05), **compile_args)
        history[k] = model.fit(
            x, y, epochs=2, batch_size=16, shuffle=False, verbose=0, validation_data=(x, y)
        )
        results[k] = model.evaluate(x, y, verbose=0)
        scores[k] = model.evaluate(x, y, verbose=0, return_dict=True)
        preds[k] = model.predict(x, verbose=0)
    assert list(history[nn].history) == list(history[keras].history)
    for key, values in history[keras].history.items():
        np.testing.assert_allclose(history[nn].history[key], values, rtol=2e-5, err_msg=key)
    assert scores[nn].keys() == scores[keras].keys()
    for key, value in scores[keras].items():
        assert scores[nn][key] == pytest.approx(value, rel=2e-5), key
    np.testing.assert_allclose(results[nn], results[keras], rtol=2e-5)
    assert isinstance(preds[nn], dict) and preds[nn].keys() == preds[keras].keys()
    for key, ref in preds[keras].items():
        np.testing.assert_allclose(preds[nn][key], ref, rtol=2e-5, atol=1e-6)


def test_a_dict_of_outputs_needs_string_keys():
    class NumberedHeads(nn.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Dense(1), nn.Dense(1)

        def call(self, inputs):
            return {0: self.a(inputs), 1: self.b(inputs)}

    model = NumberedHeads()
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 2), np.float32)
    with pytest.raises(ValueError, match="string keys"):
        model.fit(x, {0: np.ones((4, 1)), 1: np.ones((4, 1))}, verbose=0)
