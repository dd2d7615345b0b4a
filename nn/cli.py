"""The `gradwork` command: train a multilayer perceptron from the shell.

    gradwork                                   # demo: 3-class spiral, 2-64-64-3 MLP, Adam
    gradwork train --dataset moons --epochs 30
    gradwork train --dataset mnist --hidden 128 --optimizer sgd --lr 0.05 --epochs 5
    python -m nn train --dataset fashion --data-dir ~/data/fashion-mnist

It prints the model's summary, a progress bar per epoch, and the final accuracy on
the training data (and on the test data). MNIST and Fashion-MNIST are read with
`nn.datasets.load_mnist` from `--data-dir`, `$GRADWORK_DATA` or the cache folder
(`--download` fetches them). Every argument is checked before anything is printed or
loaded; a misspelt name gets the closest valid one as a suggestion.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
import optim
from nn import activations, datasets
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
        try:
            (x_train, y_train), (x_test, y_test) = datasets.load_mnist(
                kind, path=args.data_dir, download=args.download
            )
        except FileNotFoundError:
            looked = "\n".join(f"  {d}" for d in datasets.mnist.search_dirs(kind, args.data_dir))
            raise FileNotFoundError(
                f"the {TITLES[kind]} files were not found; looked in:\n{looked}\n"
                "Pass --data-dir DIR (a folder holding the IDX files), set GRADWORK_DATA, "
                "or add --download to fetch them from a public mirror."
            ) from None
        # Flatten 28x28 images to 784 features scaled to [0, 1], as in the Keras examples.
        x_train = x_train.reshape(len(x_train), -1).astype(np.float32) / 255
        x_test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255
        return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)

    return load


TITLES = {"digits": "MNIST", "fashion": "Fashion-MNIST"}

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


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`:
    the optimal string alignment distance, so "adma" is 1 from "adam"."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def closest(name: str, valid: Sequence[str]) -> str | None:
    """The valid name nearest to a typo, if it is within 2 edits (and not all of it)."""
    distance, best = min((edit_distance(name, v), v) for v in valid)
    return best if distance <= min(2, len(name) - 1) else None


def _name(kind: str, valid: Sequence[str]) -> Callable[[str], str]:
    """An argparse type accepting one of `valid` (any case), suggesting the closest
    name for a typo: `--optimizer adma` -> "did you mean 'adam'?"."""

    def check(value: str) -> str:
        name = value.lower()
        if name in valid:
            return name
        close = closest(name, valid)
        hint = f"; did you mean {close!r}?" if close else ""
        raise argparse.ArgumentTypeError(
            f"unknown {kind} {value!r}{hint} (choose from {', '.join(valid)})"
        )

    check.__name__ = kind  # argparse names the type in its messages
    return check


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def check(value: str) -> int | float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
        if number <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {value}")
        return number

    check.__name__ = f"positive {kind.__name__}"
    return check


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0.0 <= number < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value}")
    return number


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """--help shows each option's default, where it has one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradwork",
        description="Train a multilayer perceptron with gradwork (no arguments: a demo "
        "on a 3-class spiral).",
    )
    parser.add_argument("--version", action="version", version=f"gradwork {autograd.__version__}")
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser(
        "train",
        help="train an MLP on a dataset",
        formatter_class=_Help,
    )
    names = sorted(DATASETS)
    train.add_argument(
        "--dataset", type=_name("dataset", names), default="spiral", help=", ".join(names)
    )
    train.add_argument(
        "--data-dir", default=None, help="folder with the MNIST IDX files (else $GRADWORK_DATA)"
    )
    train.add_argument(
        "--download",
        action="store_true",
        help="fetch MNIST / Fashion-MNIST from a public mirror when the files are missing",
    )
    optimizers = list(optim.OPTIMIZERS)
    train.add_argument(
        "--optimizer",
        type=_name("optimizer", optimizers),
        default="adam",
        help=", ".join(optimizers),
    )
    train.add_argument("--lr", type=_positive(float), default=0.01, help="learning rate")
    per_set = ", ".join(f"{name} {DATASETS[name][1]}" for name in names)
    train.add_argument(
        "--epochs", type=_positive(int), default=None, help=f"default per dataset: {per_set}"
    )
    batches = ", ".join(f"{name} {DATASETS[name][2]}" for name in names)
    train.add_argument(
        "--batch-size", type=_positive(int), default=None, help=f"default per dataset: {batches}"
    )
    train.add_argument(
        "--hidden", type=_positive(int), nargs="*", default=[64, 64], help="hidden layer sizes"
    )
    hidden = [name for name in activations.ACTIVATIONS if "softmax" not in name]
    train.add_argument(
        "--activation",
        type=_name("activation", hidden),
        default="relu",
        help="hidden activation: " + ", ".join(hidden),
    )
    train.add_argument(
        "--validation-split", type=_fraction, default=0.0, help="fraction held out, in [0, 1)"
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the weights and shuffles")
    train.add_argument(
        "--verbose", type=int, choices=[0, 1, 2], default=1, help="0 silent, 1 bars, 2 lines"
    )
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
