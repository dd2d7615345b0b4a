"""keras.io programs built on "Customizing what happens in fit()", run as written with
Keras 3 (JAX backend) and with `nn` from the same initial weights, compared number by
number: "Knowledge Distillation" (a `Distiller` overriding `compile`, `compute_loss`
and `call`) and "Collaborative Filtering for Movie Recommendations" (`RecommenderNet`:
Keras embeddings with a regularizer, `ops.tensordot`, `ops.nn.sigmoid`), dense models
on small synthetic data."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import nn

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(3)
X_TRAIN = RNG.normal(size=(96, 20)).astype("float32")
Y_TRAIN = RNG.integers(0, 10, 96)
X_TEST = RNG.normal(size=(40, 20)).astype("float32")
Y_TEST = RNG.integers(0, 10, 40)


def _close(ours, theirs, rtol=2e-5):
    if isinstance(theirs, dict):
        assert sorted(ours) == sorted(theirs)
        for key in theirs:
            np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=2e-6, err_msg=key)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=2e-6)


def _distillation(k):
    """The example's classes and models (its convolutional networks made dense)."""
    ops = k.ops

    class Distiller(k.Model):
        def __init__(self, student, teacher):
            super().__init__()
            self.teacher = teacher
            self.student = student

        def compile(
            self,
            optimizer,
            metrics,
            student_loss_fn,
            distillation_loss_fn,
            alpha=0.1,
            temperature=3,
        ):
            super().compile(optimizer=optimizer, metrics=metrics)
            self.student_loss_fn = student_loss_fn
            self.distillation_loss_fn = distillation_loss_fn
            self.alpha = alpha
            self.temperature = temperature

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
            teacher_pred = self.teacher(x, training=False)
            student_loss = self.student_loss_fn(y, y_pred)

            distillation_loss = self.distillation_loss_fn(
                ops.softmax(teacher_pred / self.temperature, axis=1),
                ops.softmax(y_pred / self.temperature, axis=1),
            ) * (self.temperature**2)

            loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
            return loss

        def call(self, x):
            return self.student(x)

    teacher = k.Sequential(
        [k.Input(shape=(20,)), k.layers.Dense(32, activation="relu"), k.layers.Dense(10)],
        name="teacher",
    )
    student = k.Sequential(
        [k.Input(shape=(20,)), k.layers.Dense(8, activation="relu"), k.layers.Dense(10)],
        name="student",
    )
    return Distiller, teacher, student


def _run_distillation(k, weights):
    Distiller, teacher, student = _distillation(k)
    student_scratch = k.models.clone_model(student)
    for model, values in zip((teacher, student, student_scratch), weights):
        model.set_weights(values)
    results = {}
    teacher.compile(
        optimizer=k.optimizers.Adam(),
        loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[k.metrics.SparseCategoricalAccuracy()],
    )
    results["teacher"] = teacher.fit(X_TRAIN, Y_TRAIN, epochs=2, shuffle=False, verbose=0)
    results["teacher_test"] = teacher.evaluate(X_TEST, Y_TEST, verbose=0)

    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(
        optimizer=k.optimizers.Adam(),
        metrics=[k.metrics.SparseCategoricalAccuracy()],
        student_loss_fn=k.losses.SparseCategoricalCrossentropy(from_logits=True),
        distillation_loss_fn=k.losses.KLDivergence(),
        alpha=0.1,
        temperature=10,
    )
    results["distiller"] = distiller.fit(X_TRAIN, Y_TRAIN, epochs=3, shuffle=False, verbose=0)
    results["distiller_test"] = distiller.evaluate(X_TEST, Y_TEST, verbose=0)

    student_scratch.compile(
        optimizer=k.optimizers.Adam(),
        loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[k.metrics.SparseCategoricalAccuracy()],
    )
    results["scratch"] = student_scratch.fit(X_TRAIN, Y_TRAIN, epochs=3, shuffle=False, verbose=0)
    results["scratch_test"] = student_scratch.evaluate(X_TEST, Y_TEST, verbose=0)
    results["teacher_weights"] = teacher.get_weights()
    return {key: getattr(value, "history", value) for key, value in results.items()}


def test_knowledge_distillation_as_keras():
    _, teacher, student = _distillation(keras)
    scratch = keras.models.clone_model(student)
    weights = [model.get_weights() for model in (teacher, student, scratch)]
    ours, theirs = _run_distillation(nn, weights), _run_distillation(keras, weights)
    for key in theirs:
        if key == "teacher_weights":  # the distiller trains the teacher too, as Keras's
            for a, b in zip(ours[key], theirs[key]):
                _close(a, b, rtol=1e-4)
        else:
            _close(ours[key], theirs[key])


def test_a_keras_loss_differentiates_its_targets():
    # the distillation loss depends on the teacher through y_true: Keras trains it
    teacher = nn.Dense(3, input_dim=4)
    x = nn.ops.convert_to_tensor(X_TRAIN[:5, :4])
    target = nn.ops.softmax(teacher(x), axis=1)
    loss = nn.losses.KLDivergence()(target, nn.ops.softmax(x[:, :3], axis=1))
    loss.backward()
    assert teacher.weight.grad is not None and np.abs(teacher.weight.grad.data).sum() > 0
    loss = nn.losses.MeanSquaredError()(teacher(x), x[:, :3])
    teacher.zero_grad()
    loss.backward()
    assert teacher.weight.grad is not None


NUM_USERS, NUM_MOVIES = 12, 15
RATINGS = np.stack([RNG.integers(0, NUM_USERS, 200), RNG.integers(0, NUM_MOVIES, 200)], axis=1)
SCORES = RNG.random(200).astype("float32")


def _recommender(k):
    layers, ops = k.layers, k.ops

    class RecommenderNet(k.Model):
        def __init__(self, num_users, num_movies, embedding_size, **kwargs):
            super().__init__(**kwargs)
            self.num_users = num_users
            self.num_movies = num_movies
            self.embedding_size = embedding_size
            self.user_embedding = layers.Embedding(
                num_users,
                embedding_size,
                embeddings_initializer="he_normal",
                embeddings_regularizer=k.regularizers.l2(1e-6),
            )
            self.user_bias = layers.Embedding(num_users, 1)
            self.movie_embedding = layers.Embedding(
                num_movies,
                embedding_size,
                embeddings_initializer="he_normal",
                embeddings_regularizer=k.regularizers.l2(1e-6),
            )
            self.movie_bias = layers.Embedding(num_movies, 1)

        def call(self, inputs):
            user_vector = self.user_embedding(inputs[:, 0])
            user_bias = self.user_bias(inputs[:, 0])
            movie_vector = self.movie_embedding(inputs[:, 1])
            movie_bias = self.movie_bias(inputs[:, 1])
            dot_user_movie = ops.tensordot(user_vector, movie_vector, 2)
            # Add all the components (including bias)
            x = dot_user_movie + user_bias + movie_bias
            # The sigmoid activation forces the rating to between 0 and 1
            return ops.nn.sigmoid(x)

    return RecommenderNet(NUM_USERS, NUM_MOVIES, 8)


def test_collaborative_filtering_as_keras():
    models = {k: _recommender(k) for k in (keras, nn)}
    for model in models.values():
        model(RATINGS[:2])  # (built, as the example's first fit builds it)
    models[nn].set_weights(models[keras].get_weights())
    assert [w.shape for w in models[nn].get_weights()] == [(12, 8), (12, 1), (15, 8), (15, 1)]
    x_train, x_val, y_train, y_val = RATINGS[:160], RATINGS[160:], SCORES[:160], SCORES[160:]
    results = {}
    for k, model in models.items():
        model.compile(
            loss=k.losses.BinaryCrossentropy(),
            optimizer=k.optimizers.Adam(learning_rate=0.01),
        )
        history = model.fit(
            x=x_train,
            y=y_train,
            batch_size=64,
            epochs=3,
            verbose=0,
            validation_data=(x_val, y_val),
            shuffle=False,
        )
        ratings = model.predict(x_val, verbose=0).flatten()
        results[k] = history.history, ratings, len(model.losses)
    for ours, theirs in zip(results[nn], results[keras]):
        _close(ours, theirs)


def test_keras_embedding_arguments_initializer_and_float_indices():
    layer = nn.layers.Embedding(
        input_dim=1000,
        output_dim=4,
        embeddings_initializer="he_normal",
        embeddings_regularizer="l2",
    )
    assert layer.embeddings is layer.weight and layer.weight.shape == (1000, 4)
    # Keras's fans: he_normal of (input_dim, output_dim) draws with std sqrt(2 / 1000)
    assert np.std(layer.weight.data) == pytest.approx(np.sqrt(2 / 1000), rel=0.15)
    np.testing.assert_array_equal(layer(np.array([1.7, 3.0])).data, layer.weight.data[[1, 3]])
    assert len(nn.Sequential(layer).losses) == 1
    with pytest.raises(TypeError, match="num_embeddings or input_dim, not both"):
        nn.layers.Embedding(5, 2, input_dim=5)
    with pytest.raises(TypeError, match="indices must be integers"):  # PyTorch's, outside Keras
        nn.Embedding(10, 3)(nn.ops.convert_to_tensor(np.array([1.0])))


def test_tensordot_as_keras():
    a, b = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    c = RNG.normal(size=(3, 2, 5))
    for x1, x2, axes in ((a, b, 2), (a, c, 1), (a, b, [[0], [0]]), (a, b, (1, 1)), (a, c, 0)):
        ours = nn.ops.tensordot(x1, x2, axes)
        theirs = keras.ops.tensordot(x1, x2, axes)
        np.testing.assert_allclose(ours.data, theirs, rtol=1e-5, atol=1e-6)
    weights = nn.ops.convert_to_tensor(a)
    weights.requires_grad = True
    nn.ops.tensordot(weights, b, 2).backward()
    np.testing.assert_allclose(weights.grad.data, b)
    with pytest.raises(ValueError, match="do not match"):
        nn.ops.tensordot(a, c, [[0], [0]])
    assert nn.ops.nn.sigmoid is nn.ops.sigmoid and nn.ops.nn.softmax is nn.ops.softmax


def _gan(keras, torch):
    """The guide's GAN (its PyTorch-backend edition, as written), made dense: `torch` is
    PyTorch for Keras and `autograd` for `nn`. Returns the GAN and its two models."""
    layers = keras.layers
    latent_dim = 4
    discriminator = keras.Sequential(
        [
            keras.Input(shape=(12,)),
            layers.Dense(16),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(16),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(12, activation="sigmoid"),
        ],
        name="generator",
    )

    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
            self.seed_generator = keras.random.SeedGenerator(1337)
            self.built = True

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def train_step(self, real_images):
            device = "cuda" if torch.cuda.is_available() else "cpu"
            if isinstance(real_images, tuple) or isinstance(real_images, list):
                real_images = real_images[0]
            # Sample random points in the latent space
            batch_size = real_images.shape[0]
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator
            )

            # Decode them to fake images
            generated_images = self.generator(random_latent_vectors)

            # Combine them with real images
            real_images = torch.tensor(real_images, device=device)
            combined_images = torch.concat([generated_images, real_images], axis=0)

            # Assemble labels discriminating real from fake images
            labels = torch.concat(
                [
                    torch.ones((batch_size, 1), device=device),
                    torch.zeros((batch_size, 1), device=device),
                ],
                axis=0,
            )
            # Add random noise to the labels - important trick!
            labels += 0.05 * keras.random.uniform(labels.shape, seed=self.seed_generator)

            # Train the discriminator
            self.zero_grad()
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
            d_loss.backward()
            grads = [v.value.grad for v in self.discriminator.trainable_weights]
            with torch.no_grad():
                self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

            # Sample random points in the latent space
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator
            )

            # Assemble labels that say "all real images"
            misleading_labels = torch.zeros((batch_size, 1), device=device)

            # Train the generator (note that we should *not* update the weights
            # of the discriminator)!
            self.zero_grad()
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
            grads = g_loss.backward()
            grads = [v.value.grad for v in self.generator.trainable_weights]

            # Update the generator's weights
            with torch.no_grad():
                self.g_optimizer.apply(grads, self.generator.trainable_weights)

            # Update metrics and return their value.
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {
                "d_loss": self.d_loss_tracker.result(),
                "g_loss": self.g_loss_tracker.result(),
            }

    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    return gan, discriminator, generator


IMAGES = RNG.random((48, 12)).astype("float32")


def _train_gan(keras, torch, weights=None):
    """Fit the GAN on IMAGES, the random draws of `keras.random` replaced by one numpy
    stream (the same numbers for both); returns the first weights, the history and
    the last weights of the discriminator and the generator."""
    draws = np.random.default_rng(11)
    normal, uniform = keras.random.normal, keras.random.uniform

    def drawn(values):
        return keras.ops.convert_to_tensor(values.astype("float32"))

    keras.random.normal = lambda shape, seed=None: drawn(draws.normal(size=tuple(shape)))
    keras.random.uniform = lambda shape, seed=None: drawn(draws.random(size=tuple(shape)))
    try:
        gan, discriminator, generator = _gan(keras, torch)
        if weights is not None:
            discriminator.set_weights(weights[0])
            generator.set_weights(weights[1])
        first = [discriminator.get_weights(), generator.get_weights()]
        gan.compile(
            d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
            g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
            loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        )
        history = gan.fit(IMAGES, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    finally:
        keras.random.normal, keras.random.uniform = normal, uniform
    return first, history, [discriminator.get_weights(), generator.get_weights()]


def _keras_torch_gan(path):
    """The GAN trained by Keras on its PyTorch backend (run in a child process with
    KERAS_BACKEND=torch), saved to `path`."""
    import keras as keras_torch
    import torch

    assert keras_torch.backend.backend() == "torch"
    first, history, last = _train_gan(keras_torch, torch)
    arrays = {f"first_{i}_{j}": w for i, ws in enumerate(first) for j, w in enumerate(ws)}
    arrays.update({f"last_{i}_{j}": w for i, ws in enumerate(last) for j, w in enumerate(ws)})
    arrays.update({key: np.array(values) for key, values in history.items()})
    np.savez(path, **arrays)


def test_gan_of_the_guide_as_keras_on_pytorch(tmp_path):
    pytest.importorskip("torch")
    import subprocess
    import sys

    import autograd

    path = tmp_path / "gan.npz"
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        f"import sys; sys.path.insert(0, {here!r}); import test_keras_custom_fit as t; "
        f"t._keras_torch_gan({str(path)!r})"
    )
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    theirs = dict(np.load(path))

    def weights(prefix):
        return [[theirs[f"{prefix}_{i}_{j}"] for j in range(4)] for i in range(2)]

    _, history, last = _train_gan(nn, autograd, weights("first"))
    assert sorted(history) == ["d_loss", "g_loss"]
    for key in history:
        np.testing.assert_allclose(history[key], theirs[key], rtol=2e-5, err_msg=key)
    for ours, expected in zip(last, weights("last")):
        for a, b in zip(ours, expected):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_embedding_regularizer_is_saved(tmp_path):
    layer = nn.layers.Embedding(7, 3, embeddings_regularizer=nn.regularizers.l2(0.5))
    model = nn.Sequential(layer, nn.Flatten(), nn.Dense(1))
    model(RATINGS[:2, :2] % 7)
    model.save(tmp_path / "model.npz")
    again = nn.load_model(tmp_path / "model.npz")
    assert repr(again.layers[0].embeddings_regularizer) == "L2(l2=0.5)"
    np.testing.assert_allclose(again.losses[0].data, model.losses[0].data)
