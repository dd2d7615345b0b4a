"""Snippets of the Keras 3 guides (the functional API, subclassing layers and models,
transfer learning, saving), dense models on small synthetic data, run with Keras and
with `nn` from the same initial weights, compared number by number."""

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(1)
TITLE = RNG.normal(size=(32, 5)).astype("float32")
BODY = RNG.normal(size=(32, 4)).astype("float32")
PRIORITY = (RNG.normal(size=(32, 1)) > 0).astype("float32")
DEPARTMENT = RNG.integers(0, 3, size=(32,))


def _close(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=2e-6, err_msg=key)


def _ticket_model(k):
    """Two named inputs, a shared layer, two outputs given as a dict not in key order."""
    title, body = k.Input(shape=(5,), name="title"), k.Input(shape=(4,), name="body")
    features = k.layers.concatenate(
        [k.layers.Dense(6, activation="relu")(title), k.layers.Dense(6)(body)]
    )
    priority = k.layers.Dense(1, name="priority")(features)
    department = k.layers.Dense(3, name="department")(features)
    return k.Model(inputs=[title, body], outputs={"priority": priority, "department": department})


def test_dict_outputs_order_weights_by_key_and_train_as_keras():
    ours, theirs = _ticket_model(nn), _ticket_model(keras)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    assert ours.count_params() == theirs.count_params()
    inputs = {"title": TITLE, "body": BODY}
    targets = {"priority": PRIORITY, "department": DEPARTMENT}
    history, scores, predictions = {}, {}, {}
    for model, k in ((ours, nn), (theirs, keras)):
        model.compile(
            optimizer=k.optimizers.RMSprop(1e-2),
            loss={
                "priority": k.losses.BinaryCrossentropy(from_logits=True),
                "department": k.losses.SparseCategoricalCrossentropy(from_logits=True),
            },
            loss_weights={"priority": 1.0, "department": 0.2},
        )
        history[k] = model.fit(
            inputs, targets, epochs=3, batch_size=8, shuffle=False, verbose=0
        ).history
        scores[k] = model.evaluate(inputs, targets, verbose=0, return_dict=True)
        predictions[k] = model.predict(inputs, verbose=0)
    _close(history[nn], history[keras])
    _close(scores[nn], scores[keras])
    _close(predictions[nn], predictions[keras])


def _subclassed(k):
    class Linear(k.layers.Layer):
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units), initializer="random_normal"
            )
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")
            self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, inputs, training=None):
            self.add_loss(1e-2 * k.ops.sum(k.ops.square(self.w)))
            return k.ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    class Block(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first, self.second = Linear(8), Linear(1)

        def call(self, inputs, training=None):
            return self.second(k.ops.relu(self.first(inputs)))

    class Regressor(k.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.block = Block()

        def call(self, inputs, training=None):
            return self.block(inputs)

    return Linear, Block, Regressor


def test_subclassed_layer_config_round_trip_and_nested_weights():
    for k in (nn, keras):
        Linear, Block, _ = _subclassed(k)
        layer = Linear(3, name="projection", trainable=False)
        config = layer.get_config()
        assert (config["name"], config["units"], config["trainable"]) == ("projection", 3, False)
        again = Linear.from_config(config)
        assert (again.name, again.units, again.trainable) == ("projection", 3, False)
        block = Block()
        block(TITLE[:2])
        counts = len(block.weights), len(block.trainable_weights), len(block.non_trainable_weights)
        assert counts == (6, 4, 2)
        assert len(block.losses) == 2


def test_subclassed_model_with_add_loss_fits_as_keras():
    models = {}
    for k in (keras, nn):
        models[k] = _subclassed(k)[2]()
        models[k](TITLE[:2])
    models[nn].set_weights(models[keras].get_weights())
    history, score = {}, {}
    for k, model in models.items():
        model.compile(optimizer=k.optimizers.Adam(1e-2), loss="mse")
        history[k] = model.fit(
            TITLE, PRIORITY, epochs=3, batch_size=8, shuffle=False, verbose=0
        ).history
        score[k] = model.evaluate(TITLE, PRIORITY, verbose=0)
    _close(history[nn], history[keras])
    np.testing.assert_allclose(score[nn], score[keras], rtol=2e-5)


def _base(k):
    inputs = k.Input(shape=(5,))
    hidden = k.layers.BatchNormalization()(k.layers.Dense(6, activation="relu")(inputs))
    return k.Model(inputs, k.layers.Dense(4)(hidden))


def test_frozen_base_with_batchnorm_stays_put_while_a_new_head_trains():
    bases, heads = {}, {}
    for k in (keras, nn):
        bases[k] = _base(k)
        bases[k].trainable = False
        assert (len(bases[k].trainable_weights), len(bases[k].non_trainable_weights)) == (0, 8)
        inputs = k.Input(shape=(5,))
        heads[k] = k.Model(inputs, k.layers.Dense(1)(bases[k](inputs, training=False)))
    bases[nn].set_weights(bases[keras].get_weights())
    heads[nn].set_weights(heads[keras].get_weights())
    history = {}
    for k, model in heads.items():
        before = bases[k].get_weights()
        model.compile(optimizer=k.optimizers.Adam(1e-2), loss="mse")
        history[k] = model.fit(
            TITLE, PRIORITY, epochs=2, batch_size=8, shuffle=False, verbose=0
        ).history
        for old, new in zip(before, bases[k].get_weights()):
            np.testing.assert_array_equal(old, new)
    _close(history[nn], history[keras])
