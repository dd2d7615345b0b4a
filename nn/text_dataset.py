"""Keras's `keras.utils.text_dataset_from_directory`: the .txt files of a folder of
class subfolders as a `StreamDataset` of batches (texts, labels) (DLwP ch. 11's IMDB)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nn.dataset_utils import (
    check_validation_split_arg,
    get_training_or_validation_split,
    index_directory,
)
from nn.stream_dataset import StreamDataset, buffered_shuffle, pass_rng


def _read(path: str, max_length: int | None) -> str:
    """A file's text: its first `max_length` bytes (tf.strings.substr's unit), as
    UTF-8 (a character cut at the end is dropped)."""
    with open(path, "rb") as f:
        data = f.read() if max_length is None else f.read(max_length)
    return data.decode("utf-8", errors="ignore" if max_length is not None else "strict")


def _labels(labels: np.ndarray, label_mode: str, num_classes: int) -> np.ndarray:
    """Keras's labels: "int" as they are, "binary" float32 (n, 1), "categorical"
    float32 one-hot rows."""
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return (labels[:, None] == np.arange(num_classes)).astype("float32")
    return labels


def _paths_to_dataset(
    paths: list[str],
    labels: np.ndarray | None,
    label_mode: str | None,
    num_classes: int,
    max_length: int | None,
    batch_size: int | None,
    shuffle: bool,
    buffer_size: int,
    seed: int | None,
) -> StreamDataset:
    """The files' texts (object arrays of str) and labels, in batches (or one by one
    when `batch_size` is None), locally reshuffled at every pass when `shuffle`."""
    targets = None if labels is None or not label_mode else _labels(labels, label_mode, num_classes)
    entropy = np.random.SeedSequence(seed).entropy
    passes = iter(range(2**62))

    def order() -> list[int]:
        indices = list(range(len(paths)))
        if not shuffle:
            return indices
        return list(buffered_shuffle(iter(indices), buffer_size, pass_rng(entropy, next(passes))))

    def element(chunk: list[int]) -> Any:
        texts = np.empty(len(chunk), dtype=object)
        texts[:] = [_read(paths[i], max_length) for i in chunk]
        return texts if targets is None else (texts, targets[chunk])

    def make() -> Iterator[Any]:
        indices = order()
        if batch_size is None:
            for i in indices:
                text = _read(paths[i], max_length)
                yield text if targets is None else (text, targets[i])
            return
        for start in range(0, len(indices), batch_size):
            yield element(indices[start : start + batch_size])

    count = len(paths) if batch_size is None else -(-len(paths) // batch_size)
    dataset = StreamDataset(make, count)
    dataset.batched = batch_size is not None
    return dataset


def text_dataset_from_directory(
    directory: str,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    format: str = "tf",
    verbose: bool = True,
) -> Any:
    """Keras's `text_dataset_from_directory`: the .txt files under `directory`'s class
    subfolders (class i: the i-th subfolder in sorted order, or of `class_names`),
    as batches `(texts, labels)`: `texts` an object array of str, `labels` int32 class
    indices ("int"), float32 (n, 1) ("binary", two classes) or float32 one-hot rows
    ("categorical"); texts alone for `labels=None` or `label_mode=None`.

    As Keras: the files are listed folder by folder, sorted; with `shuffle` they are
    shuffled once by `np.random.RandomState(seed)` (so the files and the
    training / validation split are Keras's), and each pass (epoch) reshuffles them
    locally with tf.data's buffered shuffle of `batch_size * 8` files (numpy's random
    numbers, seeded by `seed`: not TensorFlow's orders). The validation subset is the
    last `int(validation_split * n)` files (not reshuffled with `subset="both"`). It prints "Found N
    files belonging to K classes." (with `verbose`) and "Using N files for training."
    The dataset has Keras's `class_names`.

    Args:
        directory: the folder of class subfolders (or of files, with `labels` given).
        labels: "inferred", None, or a list of one integer label per file (in the
            sorted order of the file paths).
        label_mode: "int", "categorical", "binary" or None.
        class_names: the subfolders to use, in the order of their classes.
        batch_size: the files in a batch (None: one by one).
        max_length: keep only the first `max_length` bytes of each text.
        shuffle, seed: shuffle the files (see above).
        validation_split, subset: the fraction held out, and which part to return:
            "training", "validation" or "both" (a list of the two).
        follow_links: follow symbolic links to subfolders.
        format: Keras's "tf" or "grain" (the same dataset here).
        verbose: print the number of files found.

    Returns:
        A `StreamDataset` (a list of two for `subset="both"`).

    Raises:
        ValueError: bad `labels`, `label_mode`, `class_names`, split arguments or
            `format`, "binary" without exactly two classes, or no files (Keras's
            messages).
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same "
                "size as the number of text files in the target directory. If you wish to "
                "infer the labels from the subdirectory names in the target directory, "
                'pass `labels="inferred"`. If you wish to get a dataset that only contains '
                f"text samples (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                'You can only pass `class_names` if `labels="inferred"`. Received: '
                f"labels={labels}, and class_names={class_names}"
            )
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode}"
        )
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(np.random.randint(1_000_000))
    file_paths, label_array, names = index_directory(
        directory,
        labels,
        formats=(".txt",),
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if label_mode == "binary" and len(names or ()) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
            f"Received: class_names={names}"
        )
    buffer_size = batch_size * 8 if batch_size is not None else 1024
    num_classes = len(names) if names else 0

    def dataset(paths: list[str], labels_: np.ndarray | None, shuffled: bool) -> StreamDataset:
        ds = _paths_to_dataset(
            paths,
            labels_,
            label_mode,
            num_classes,
            max_length,
            batch_size,
            shuffled,
            buffer_size,
            seed,
        )
        ds.class_names = names  # type: ignore[attr-defined]
        return ds

    if subset == "both":
        train = get_training_or_validation_split(
            file_paths, label_array, validation_split, "training"
        )
        val = get_training_or_validation_split(
            file_paths, label_array, validation_split, "validation"
        )
        if not train[0]:
            raise ValueError(
                f"No training text files found in directory {directory}. Allowed format: .txt"
            )
        if not val[0]:
            raise ValueError(
                f"No validation text files found in directory {directory}. Allowed format: .txt"
            )
        return [dataset(*train, shuffle), dataset(*val, False)]
    paths, split_labels = get_training_or_validation_split(
        file_paths, label_array, validation_split, subset
    )
    if not paths:
        raise ValueError(f"No text files found in directory {directory}. Allowed format: .txt")
    return dataset(paths, split_labels, shuffle)
