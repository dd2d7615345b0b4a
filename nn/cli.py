"""The `gradwork` command: train a multilayer perceptron from the shell.

    gradwork                                   # demo: 3-class spiral, 2-64-64-3 MLP, Adam
    gradwork train --dataset moons --epochs 30
    gradwork train --dataset mnist --hidden 128 --optimizer sgd --lr 0.05 --epochs 5
    python -m nn train --dataset fashion --data-dir ~/data/fashion-mnist

It prints the model's summary, a progress bar per epoch, and the final accuracy on
the training data (and on the test data). MNIST and Fashion-MNIST are read with
`nn.datasets.load_mnist` from `--data-dir`, `$GRADWORK_DATA` or the cache folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
import optim
from nn import datasets
from nn.data import train_test_split
from nn.layers import Dense
from nn.sequential import Sequential

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _generated(make: Callable[[int], tuple[np.ndarray, np.ndarray]]) -> Callable[..., Split]:
    """A built-in set split 80/20 into training and test data."""

    def load(args: argparse.Namespace) -> Split:
        X, y = make(args.seed)
        x_train, x_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=args.seed)
        return x_train, y_train, x_test, y_test

    return load


def _xor(args: argparse.Namespace) -> Split:
    X, y = datasets.logic_gate("xor")
    return X, y, X, y  # four points: the truth table is both the training and the test set


def _mnist(kind: str) -> Callable[..., Split]:
    def load(args: argparse.Namespace) -> Split:
        (x_train, y_train), (x_test, y_test) = datasets.load_mnist(kind, path=args.data_dir)
        # Flatten 28x28 images to 784 features scaled to [0, 1], as in the Keras examples.
        x_train = x_train.reshape(len(x_train), -1).astype(np.float32) / 255
        x_test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255
        return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)

    return load


#: name -> (loader, default epochs, default batch size)
DATASETS: dict[str, tuple[Callable[[argparse.Namespace], Split], int, int]] = {
    "spiral": (_generated(lambda seed: datasets.spiral(1000, 3, seed=seed)), 20, 32),
    "moons": (_generated(lambda seed: datasets.moons(2000, noise=0.2, seed=seed)), 20, 32),
    "circles": (_generated(lambda seed: datasets.circles(2000, noise=0.1, seed=seed)), 20, 32),
    "blobs": (_generated(lambda seed: datasets.blobs(2000, centers=4, seed=seed)), 10, 32),
    "xor": (_xor, 300, 4),
    "mnist": (_mnist("digits"), 5, 32),
    "fashion": (_mnist("fashion"), 5, 32),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradwork",
        description="Train a multilayer perceptron with gradwork (no arguments: a demo "
        "on a 3-class spiral).",
    )
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser("train", help="train an MLP on a dataset")
    train.add_argument("--dataset", choices=sorted(DATASETS), default="spiral")
    train.add_argument(
        "--data-dir", default=None, help="folder with the MNIST IDX files (else $GRADWORK_DATA)"
    )
    train.add_argument("--optimizer", default="adam", help=", ".join(optim.OPTIMIZERS))
    train.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    train.add_argument("--epochs", type=int, default=None, help="default depends on the dataset")
    train.add_argument("--batch-size", type=int, default=None)
    train.add_argument(
        "--hidden", type=int, nargs="*", default=[64, 64], help="hidden layer sizes (64 64)"
    )
    train.add_argument("--activation", default="relu", help="hidden activation (relu)")
    train.add_argument("--validation-split", type=float, default=0.0)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--verbose", type=int, choices=[0, 1, 2], default=1)
    return parser


def build_model(n_features: int, hidden: Sequence[int], n_classes: int, activation: str) -> Any:
    """Dense layers n_features -> hidden... -> n_classes, softmax output."""
    model = Sequential()
    sizes = [*hidden, n_classes]
    for i, units in enumerate(sizes):
        last = i == len(sizes) - 1
        model.add(
            Dense(
                units,
                activation="softmax" if last else activation,
                input_dim=n_features if i == 0 else None,
            )
        )
    return model


def train(args: argparse.Namespace) -> float:
    """Train as the arguments say; print the summary, progress and accuracies.

    Returns:
        The final accuracy on the training data.
    """
    load, default_epochs, default_batch = DATASETS[args.dataset]
    x_train, y_train, x_test, y_test = load(args)
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    autograd.manual_seed(args.seed)
    model = build_model(x_train.shape[1], args.hidden, n_classes, args.activation)
    model.build((None, x_train.shape[1]))
    model.compile(
        optimizer=args.optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        lr=args.lr,
    )
    print(f"dataset: {args.dataset} ({len(x_train)} training samples, {n_classes} classes)")
    model.summary()
    model.fit(
        x_train,
        y_train,
        epochs=default_epochs if args.epochs is None else args.epochs,
        batch_size=default_batch if args.batch_size is None else args.batch_size,
        validation_split=args.validation_split,
        verbose=args.verbose,
        seed=args.seed,
    )
    _, train_acc = model.evaluate(x_train, y_train, batch_size=1024)
    _, test_acc = model.evaluate(x_test, y_test, batch_size=1024)
    print(f"final training accuracy: {train_acc:.4f}")
    print(f"test accuracy: {test_acc:.4f}")
    return train_acc


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `gradwork` and `python -m nn`; returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv or ["train"])
    if args.command is None:
        parser.print_help()
        return 0
    try:
        train(args)
    except (FileNotFoundError, ValueError) as err:
        print(f"gradwork: error: {err}", file=sys.stderr)
        return 1
    return 0
