"""keras.io's "Introduction to Keras for researchers" (Keras 3), its dense parts, run
as written with Keras and with `nn` (small synthetic arrays): `keras.ops` tensors and
`keras.random` draws (shapes, dtypes and statistics, not draws), `keras.Variable`,
layers with weights made in `__init__` or `build`, non-trainable weights, `add_loss`,
metric and loss objects, `keras.random.dropout` with `training` passed through, and
training with `fit` or by hand (gradients from `autograd.grad`, then the optimizer's
`apply`; Keras's JAX step, `stateless_call`, has no counterpart here)."""

import numpy as np
import pytest

import autograd
import nn

keras = pytest.importorskip("keras")
LIBS = [keras, nn]

RNG = np.random.default_rng(0)


def _linear(k):
    """The guide's lazily built `Linear` layer."""
    ops = k.ops

    class Linear(k.layers.Layer):
        def __init__(self, units=32):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True
            )
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

    return Linear


def _sparse_mlp(k, base):
    """The guide's MLP of three `Linear` layers with the `ActivityRegularization`
    layer's `add_loss` after the first, on `base` (a Layer, or a Model to `fit`)."""
    ops, linear = k.ops, _linear(k)

    class ActivityRegularization(k.layers.Layer):
        def __init__(self, rate=1e-2):
            super().__init__()
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * ops.sum(inputs))
            return inputs

    class SparseMLP(base):
        def __init__(self):
            super().__init__()
            self.linear_1 = linear(16)
            self.reg = ActivityRegularization(1e-2)
            self.linear_3 = linear(4)

        def call(self, inputs):
            x = self.linear_1(inputs)
            x = ops.relu(x)
            x = self.reg(x)
            return self.linear_3(x)

    return SparseMLP()


def test_tensors_random_draws_and_variables_as_keras():
    """Python ints became int64 (Keras: int32); `keras.random.uniform` of an int dtype
    drew integers (Keras refuses it); `keras.Variable(initializer=..., shape=...)`
    raised TypeError, and a float64 array stayed float64 (Keras: floatx)."""
    out = {}
    for k in LIBS:
        ops, random = k.ops, k.random
        x = ops.convert_to_tensor([[5, 2], [1, 3]])
        draws = [
            random.normal(shape=(4000,), mean=1.0, stddev=2.0, seed=1),
            random.uniform(shape=(4000,), minval=0, maxval=10, seed=2),
        ]
        stats = [(d.shape, str(d.dtype), float(ops.mean(d)), float(ops.std(d))) for d in draws]
        a = k.Variable(np.arange(4.0).reshape(2, 2))
        b = k.Variable(initializer="ones", shape=(2, 2), dtype="float32", name="b")
        c = k.Variable(k.initializers.Constant(3.0), shape=(2,), trainable=False)
        a.assign(ops.square(a))
        a.assign_add(b)
        a.assign_sub(ops.ones((2, 2)) * 0.5)
        e = ops.exp(ops.square(ops.convert_to_tensor([[1.0, 0.5], [0.0, -1.0]])))
        out[k] = [
            (str(x.dtype), tuple(x.shape), ops.convert_to_numpy(x).tolist()),
            (str(ops.ones((2, 1)).dtype), str(ops.zeros((2, 1)).dtype)),
            (str(a.dtype), a.name, b.name, c.trainable, b.trainable),
            ops.convert_to_numpy(a).tolist(),
            ops.convert_to_numpy(c).tolist(),
            float(ops.sum(e)),
        ]
        with pytest.raises(ValueError, match="float"):
            random.uniform(shape=(2, 2), minval=0, maxval=10, dtype="int32")
        with pytest.raises(ValueError, match="shape"):
            k.Variable("zeros")
        out[k].append([s[:2] for s in stats])
        means = np.array([s[2:] for s in stats])
        np.testing.assert_allclose(means, [[1.0, 2.0], [5.0, 10 / np.sqrt(12)]], atol=0.12)
    assert out[nn][2][1].startswith("variable") and out[keras][2][1].startswith("variable")
    out[nn][2] = out[nn][2][:1] + out[nn][2][2:]
    out[keras][2] = out[keras][2][:1] + out[keras][2][2:]
    assert out[nn][5] == pytest.approx(out[keras][5], rel=1e-6)
    assert out[nn][:5] + out[nn][6:] == out[keras][:5] + out[keras][6:]


def test_dropout_of_keras_random_with_training_passed_through():
    """`keras.random.dropout` (missing: AttributeError) in a layer's `call`, `training`
    passed on by the layer holding it, and in a functional model."""
    linear = {k: _linear(k) for k in LIBS}
    for k in LIBS:

        class Dropout(k.layers.Layer):
            def __init__(self, rate):
                super().__init__()
                self.rate = rate

            def call(self, inputs, training=None, k=k):
                if training:
                    return k.random.dropout(inputs, rate=self.rate)
                return inputs

        class MLPWithDropout(k.layers.Layer):
            def __init__(self, k=k):
                super().__init__()
                self.linear_1 = linear[k](32)
                self.dropout = Dropout(0.5)
                self.linear_3 = linear[k](10)

            def call(self, inputs, training=None, k=k):
                x = self.linear_1(inputs)
                x = k.ops.relu(x)
                x = self.dropout(x, training=training)
                return self.linear_3(x)

        mlp = MLPWithDropout()
        x = k.ops.ones((2, 2))
        np.testing.assert_array_equal(np.asarray(mlp(x)), np.asarray(mlp(x, training=False)))
        assert tuple(mlp(x, training=True).shape) == (2, 10)
        inputs = k.Input(shape=(16,), dtype="float32")
        outputs = linear[k](10)(Dropout(0.5)(linear[k](32)(inputs)))
        model = k.Model(inputs, outputs)
        assert len(model.weights) == 4 and tuple(model(k.ops.ones((2, 16))).shape) == (2, 10)
        dropped = np.asarray(k.random.dropout(k.ops.ones((4000,)), rate=0.25, seed=3))
        np.testing.assert_allclose(np.unique(dropped), [0.0, 4 / 3], rtol=1e-6)
        assert abs((dropped == 0).mean() - 0.25) < 0.03
        shared = np.asarray(k.random.dropout(k.ops.ones((3, 50)), 0.5, noise_shape=(1, 50)))
        assert (shared == shared[0]).all()
    with pytest.raises(ValueError, match="rate"):
        nn.random.dropout(np.ones(3), rate=1.5)
    with pytest.raises(ValueError, match="noise_shape"):
        nn.random.dropout(np.ones((2, 3)), rate=0.5, noise_shape=(4,))


def test_layers_weights_losses_and_metric_objects_as_keras():
    """The guide's `Linear`, `ComputeSum`, the MLP's `losses` (reset at each call), the
    accuracy object and the loss object, on the same weights."""
    x = RNG.normal(size=(6, 5)).astype("float32")
    targets = np.array([0, 1, 2, 3, 1, 0])
    out = {}
    mlps = {k: _sparse_mlp(k, k.layers.Layer) for k in LIBS}
    for mlp in mlps.values():
        assert len(mlp.losses) == 0 and len(mlp.weights) == 0
        mlp(x)
    for ours, theirs in zip(mlps[nn].weights, mlps[keras].weights, strict=True):
        ours.assign(np.asarray(theirs))
    for k, mlp in mlps.items():
        ops = k.ops

        class ComputeSum(k.layers.Layer):
            def __init__(self, input_dim):
                super().__init__()
                self.total = self.add_weight(
                    initializer="zeros", shape=(input_dim,), trainable=False
                )

            def call(self, inputs, ops=ops):
                self.total.assign_add(ops.sum(inputs, axis=0))
                return self.total

        my_sum = ComputeSum(2)
        first = ops.convert_to_numpy(my_sum(ops.ones((2, 2))))
        second = ops.convert_to_numpy(my_sum(ops.ones((2, 2))))
        counts = [len(w) for w in (my_sum.weights, my_sum.trainable_weights)]
        counts.append(len(my_sum.non_trainable_weights))
        logits = mlp(x)
        mlp(x)
        losses = [float(v) for v in mlp.losses]
        accuracy = k.metrics.SparseCategoricalAccuracy()
        accuracy.update_state(targets, logits)
        halfway = float(accuracy.result())
        accuracy.update_state(targets[:3], np.asarray(logits)[::-1][:3])
        after = float(accuracy.result())
        accuracy.reset_state()
        loss_fn = k.losses.SparseCategoricalCrossentropy(from_logits=True)
        out[k] = [first.tolist(), second.tolist(), counts, np.asarray(logits), losses]
        out[k] += [halfway, after, float(accuracy.result()), float(loss_fn(targets, logits))]
        assert [w.shape for w in mlp.trainable_weights] == [(5, 16), (16,), (16, 4), (4,)]
    for ours, theirs in zip(out[nn], out[keras], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_fit_and_a_training_step_by_hand_as_keras():
    """The subclassed MLP with its `add_loss` trained by `fit`, and the same steps
    written by hand with `autograd.grad` and `optimizer.apply` (missing: no `apply` nor
    `apply_gradients`), give Keras's `fit` numbers."""
    x = RNG.normal(size=(48, 5)).astype("float32")
    y = RNG.integers(0, 4, 48)
    models = {k: _sparse_mlp(k, k.Model) for k in LIBS}
    by_hand = _sparse_mlp(nn, nn.layers.Layer)
    for model in [*models.values(), by_hand]:
        model(x[:1])
    for model in (models[nn], by_hand):
        model.set_weights(models[keras].get_weights())
    history = {}
    for k, model in models.items():
        model.compile(
            optimizer=k.optimizers.Adam(learning_rate=1e-2),
            loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=[k.metrics.SparseCategoricalAccuracy()],
        )
        history[k] = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history
    for key in history[keras]:
        np.testing.assert_allclose(history[nn][key], history[keras][key], rtol=1e-5, err_msg=key)

    optimizer = nn.optimizers.Adam(learning_rate=1e-2)
    loss_fn = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    losses = []
    for _ in range(2):
        for start in range(0, 48, 16):
            logits = by_hand(x[start : start + 16], training=True)
            loss = loss_fn(y[start : start + 16], logits) + sum(by_hand.losses)
            gradients = autograd.grad(loss, by_hand.trainable_weights)
            optimizer.apply(gradients, by_hand.trainable_weights)
            losses.append(float(loss))
    first_epoch = np.mean(losses[:3])
    np.testing.assert_allclose(first_epoch, history[keras]["loss"][0], rtol=1e-5)
    for ours, theirs in zip(by_hand.get_weights(), models[keras].get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    assert all(w.grad is None for w in by_hand.trainable_weights)  # left as they were
    with pytest.raises(ValueError, match="2 gradients for 4 variables"):
        optimizer.apply(gradients[:2], by_hand.trainable_weights[:4])
    with pytest.raises(ValueError, match="not built with"):
        optimizer.apply([np.zeros(2)], [nn.Variable(np.zeros(2))])
    again = nn.optimizers.SGD(0.5)
    again.apply_gradients(zip([np.ones(2)], [weight := nn.Variable(np.zeros(2))], strict=True))
    np.testing.assert_array_equal(weight.numpy(), [-0.5, -0.5])
