"""The Keras snippets of the study notes, as written (only the imports differ), on real
Fashion-MNIST and MNIST; prints their accuracies, and Keras's own with `keras`.

Run with the IDX files in `$GRADWORK_DATA/mnist/` and `$GRADWORK_DATA/fashion-mnist/`:

    GRADWORK_DATA=/path/to/datasets python benchmarks/bench_keras_seeds.py [1] [2] [3] [keras]

1. Fashion-MNIST softmax regression: `Dense(10, activation='softmax',
   input_shape=(784,))` in `Sequential(dense)`, `compile(loss=
   'sparse_categorical_crossentropy', metrics='accuracy')` (so the default optimizer,
   Keras's RMSprop), 5 epochs on 80% of the training images (the notes hold out 20%
   with `train_test_split(test_size=0.2, random_state=42)`; here a seeded
   permutation), accuracy on the held-out 20% and on the test set.
2. MNIST: `Sequential()`, `add(Dense(units=64, input_dim=784, activation='relu'))`,
   `add(Dense(units=10, activation='softmax'))`, `to_categorical` labels,
   `compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])`,
   5 epochs of batch 32, test accuracy.
3. The same network with `Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None,
   decay=0.0, amsgrad=False)`, 5 epochs, test accuracy.

With `keras` on the command line (and Keras 3 installed, `KERAS_BACKEND=jax` by
default), each snippet also runs in Keras on the same split; Keras 3 spells the third
optimizer `Adam(learning_rate=0.001, ...)` (it refuses `lr`, `decay` and
`epsilon=None`). Seeds differ between the two, so figures agree to about 0.01.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS
os.environ.setdefault("KERAS_BACKEND", "jax")

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
import nn
from nn.datasets import load_mnist
from nn.optimizers import Adam

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load(kind: str) -> tuple[Split, tuple[np.ndarray, np.ndarray]]:
    """Scaled pixels (N, 784) in [0, 1]: a seeded 80/20 split of train, and the test set."""
    (x_train, y_train), (x_test, y_test) = load_mnist(kind)
    x = x_train.reshape(-1, 784).astype(np.float32) / 255.0
    order = np.random.default_rng(42).permutation(len(x))
    cut = int(0.8 * len(x))
    fit_idx, val_idx = order[:cut], order[cut:]
    split = (x[fit_idx], y_train[fit_idx], x[val_idx], y_train[val_idx])
    test = (x_test.reshape(-1, 784).astype(np.float32) / 255.0, y_test)
    return split, test


def seed_1(keras: Any, split: Split, test: tuple[np.ndarray, np.ndarray]) -> list[float]:
    train_scaled, train_target, val_scaled, val_target = split
    dense = keras.layers.Dense(10, activation="softmax", input_shape=(784,))
    if keras is Ours:  # as the notes' Keras 2 took them
        model = keras.Sequential(dense)
        model.compile(loss="sparse_categorical_crossentropy", metrics="accuracy")
    else:  # Keras 3 wants lists for both
        model = keras.Sequential([dense])
        model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_scaled, train_target, epochs=5, verbose=0)
    return [
        model.evaluate(val_scaled, val_target, verbose=0)[1],
        model.evaluate(*test, verbose=0)[1],
    ]


def seed_2(
    keras: Any, split: Split, test: tuple[np.ndarray, np.ndarray], optimizer: Any
) -> list[float]:
    x_train, y_train = split[0], split[1]
    Dense, Sequential = keras.layers.Dense, keras.Sequential  # the notes' names
    model = Sequential()
    model.add(Dense(units=64, input_dim=28 * 28, activation="relu"))
    model.add(Dense(units=10, activation="softmax"))
    y_train = keras.utils.to_categorical(y_train)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=0)
    x_test, y_test = test
    return [model.evaluate(x_test, keras.utils.to_categorical(y_test, 10), verbose=0)[1]]


class Ours:
    """This library under the names the snippets use (`keras.layers.Dense`, ...)."""

    layers = nn
    Sequential = nn.Sequential
    utils = nn.utils


def run(label: str, fn: Callable[..., list[float]], *args: Any) -> None:
    start = time.perf_counter()
    scores = fn(*args)
    seconds = time.perf_counter() - start
    print(f"  {label:<8} accuracy {' / '.join(f'{s:.4f}' for s in scores)}  ({seconds:.0f} s)")


def main(argv: list[str]) -> None:
    setups = [a for a in argv if a != "keras"] or ["1", "2", "3"]
    libraries: list[tuple[str, Any]] = [("gradwork", Ours)]
    if "keras" in argv:
        import keras

        libraries.append((f"keras {keras.__version__}", keras))
    print(f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    fashion = load("fashion") if "1" in setups else None
    digits = load("digits") if {"2", "3"} & set(setups) else None
    for name, lib in libraries:
        print(name)
        autograd.manual_seed(0)
        if lib is not Ours:
            lib.utils.set_random_seed(0)
        if fashion is not None:
            run("(1)", seed_1, lib, *fashion)
            print("      Fashion-MNIST softmax regression, default optimizer: held-out 20% / test")
        if digits is not None and "2" in setups:
            run("(2)", seed_2, lib, *digits, "sgd")
            print("      MNIST 784-64 relu-10 softmax, optimizer='sgd': test")
        if digits is not None and "3" in setups:
            adam = (
                Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
                if lib is Ours
                else lib.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999)
            )
            run("(3)", seed_2, lib, *digits, adam)
            print("      MNIST 784-64 relu-10 softmax, Adam(lr=0.001, ...): test")


if __name__ == "__main__":
    main(sys.argv[1:])
