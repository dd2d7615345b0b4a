"""Keras's `keras.utils` dataset helpers: the index of a folder of class subfolders
(`index_directory`, as `text_dataset_from_directory` reads it), the training /
validation split of it, and `split_dataset`."""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np

from nn.stream_dataset import StreamDataset


def check_validation_split_arg(
    validation_split: float | None, subset: str | None, shuffle: bool, seed: int | None
) -> None:
    """Keras's checks of `validation_split` and `subset` (its messages).

    Raises:
        ValueError: a split outside (0, 1), one of the two without the other, an
            unknown subset, or a shuffled split without a seed.
    """
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be between 0 and 1, received: {validation_split}"
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            f'`subset` must be either "training", "validation" or "both", received: {subset}'
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a "
            "`seed` argument, to make sure that there is no overlap between the training "
            "and validation subset."
        )


def _valid_files(directory: str, follow_links: bool, formats: tuple[str, ...]) -> list[str]:
    """The files of `directory` and its subfolders ending with `formats` (any case),
    folder by folder in sorted order, each folder's files sorted, as Keras walks."""
    found = []
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0]):
        found += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(formats)]
    return found


def index_directory(
    directory: str,
    labels: Any,
    formats: tuple[str, ...],
    class_names: list[str] | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> tuple[list[str], np.ndarray | None, list[str] | None]:
    """Keras's `index_directory`: the files of `directory`'s class subfolders (sorted
    names, those starting with "." left out; or `class_names`, in their order), their
    labels (int32 class indices; or the given `labels`, one per file), and the class
    names; with `shuffle`, the files and labels shuffled together by
    `np.random.RandomState(seed)`. Prints "Found N files belonging to K classes."

    Raises:
        ValueError: `class_names` not among the subfolders or given with `labels`, or
            `labels` of another length than the files.
    """
    if labels == "inferred":
        subdirs = [
            d
            for d in sorted(os.listdir(directory))
            if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")
        ]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories "
                    f"of the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}"
                )
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError(
                    "When `labels=None` (no labels), argument `class_names` cannot be specified."
                )
            raise ValueError(
                "When argument `labels` is specified, argument `class_names` cannot be "
                "specified (the `class_names` will be the sorted list of labels)."
            )
    filenames: list[str] = []
    label_list: list[int] = []
    for index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        dirname = os.path.basename(folder)
        for path in _valid_files(folder, follow_links, formats):
            filenames.append(os.path.join(dirname, os.path.relpath(path, folder)))
            label_list.append(index)
    names: list[str] | None = subdirs
    label_array: np.ndarray | None
    if labels == "inferred":
        label_array = np.asarray(label_list, dtype="int32")
    elif labels is None:
        names, label_array = None, None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(filenames)} "
                f"files in directory {directory}."
            )
        names = [str(label) for label in sorted(set(labels))]
        label_array = np.asarray(labels)
        if label_array.dtype.kind in "iuf":  # as tf.data holds Python ints and floats
            label_array = label_array.astype(
                "int32" if label_array.dtype.kind != "f" else "float32"
            )
    if verbose:
        if label_array is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(names or ())} classes.")
    file_paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(1_000_000))
        np.random.RandomState(seed).shuffle(file_paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return file_paths, label_array, names


def get_training_or_validation_split(
    samples: list[str],
    labels: np.ndarray | None,
    validation_split: float | None,
    subset: str | None,
) -> tuple[list[str], np.ndarray | None]:
    """Keras's split: the last `int(validation_split * n)` samples for validation, the
    others for training (printing "Using N files for training.").

    Raises:
        ValueError: a subset other than "training" or "validation".
    """
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        # (Keras's `[:-num_val]`: no training sample when num_val is 0)
        return samples[:-num_val], None if labels is None else labels[:-num_val]
    if subset == "validation":
        print(f"Using {num_val} files for validation.")
        return samples[-num_val:], None if labels is None else labels[-num_val:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def _rescale_split_sizes(left: Any, right: Any, total: int) -> tuple[int, int]:
    """Keras's sizes of the two splits: a float is a fraction of `total` (rounded), an
    int a count; a missing size is the rest.

    Raises:
        TypeError: a size neither int, float nor None.
        ValueError: sizes out of range, summing to more than `total`, or an empty split.
    """
    lt, rt = type(left), type(right)
    if left is not None and lt not in (int, float) and right is not None and rt not in (int, float):
        raise TypeError(
            "Invalid `left_size` and `right_size` Types. Expected: integer or float or None, "
            f"Received: type(left_size)={lt} and type(right_size)={rt}"
        )
    if left is not None and lt not in (int, float):
        raise TypeError(
            f"Invalid `left_size` Type. Expected: int or float or None, Received: "
            f"type(left_size)={lt}.  "
        )
    if right is not None and rt not in (int, float):
        raise TypeError(
            f"Invalid `right_size` Type. Expected: int or float or None,Received: "
            f"type(right_size)={rt}."
        )
    if left == 0 and right == 0:
        raise ValueError(
            "Both `left_size` and `right_size` are zero. At least one of the split sizes "
            "must be non-zero."
        )
    if (lt is int and (left <= 0 or left >= total)) or (lt is float and (left <= 0 or left >= 1)):
        raise ValueError(
            f"`left_size` should be either a positive integer smaller than {total}, or a "
            f"float within the range `[0, 1]`. Received: left_size={left}"
        )
    if (rt is int and (right <= 0 or right >= total)) or (
        rt is float and (right <= 0 or right >= 1)
    ):
        raise ValueError(
            f"`right_size` should be either a positive integer and smaller than {total} or "
            f"a float within the range `[0, 1]`. Received: right_size={right}"
        )
    if rt is lt is float and right + left > 1:
        raise ValueError(
            "The sum of `left_size` and `right_size` is greater than 1. It must be less "
            "than or equal to 1."
        )
    # (Keras's types: a fraction's size is an int, a count's a float, in the messages)
    lsize: Any = round(left * total) if lt is float else (float(left) if lt is int else None)
    rsize: Any = round(right * total) if rt is float else (float(right) if rt is int else None)
    if lsize is None:
        lsize = total - rsize
    elif rsize is None:
        rsize = total - lsize
    if lsize + rsize > total:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be smaller than the {total}. "
            f"Received: left_size + right_size = {lsize + rsize}and total_length = {total}"
        )
    for split, side in ((lsize, "left"), (rsize, "right")):
        if split == 0:
            raise ValueError(
                f"With `dataset` of length={total}, `left_size`={lsize} and "
                f"`right_size`={rsize}.Resulting {side} side dataset split will be "
                "empty. Adjust any of the aforementioned parameters"
            )
    return int(lsize), int(rsize)


def _samples(dataset: Any) -> tuple[list[Any], int | None]:
    """The samples of `dataset` as a list, and its batch size (a batched
    `StreamDataset`'s first batch length; None otherwise)."""
    if isinstance(dataset, (list, tuple)):
        kind = type(dataset).__name__
        if len(dataset) == 0:
            raise ValueError(
                f"Received an empty {kind} dataset. Please provide a non-empty {kind} of arrays."
            )
        for i, element in enumerate(dataset):
            if not isinstance(element, np.ndarray):
                raise ValueError(
                    f"Expected a {kind} of `numpy.ndarray` objects,Received: "
                    f"{type(element)} at index {i}."
                )
            if element.shape[0] != dataset[0].shape[0]:
                raise ValueError(
                    f"Received a {kind} of NumPy arrays with different lengths.Mismatch found "
                    f"at index {i}, Expected shape={dataset[0].shape} Received shape="
                    f"{element.shape}.Please provide a {kind} of NumPy arrays of the same length."
                )
        return list(zip(*dataset, strict=True)), None
    if isinstance(dataset, np.ndarray):
        return list(dataset), None
    if isinstance(dataset, StreamDataset):
        first = next(iter(dataset), None)
        part = first[0] if isinstance(first, tuple) else first
        batched = getattr(dataset, "batched", False)
        size = len(part) if batched and part is not None else None
        return list(dataset.unbatch() if batched else dataset), size
    raise TypeError(
        "The `dataset` argument must be either a `Dataset` object, or a list/tuple of "
        f"arrays. Received: dataset={dataset} of type {type(dataset)}"
    )


def split_dataset(
    dataset: Any,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> tuple[StreamDataset, StreamDataset]:
    """Keras's `keras.utils.split_dataset`: the samples of `dataset` (an array, a
    list or tuple of arrays of one length, or a `StreamDataset`) in two datasets, the
    first `left_size` and the last `right_size` (ints: counts; floats: fractions,
    rounded; one of them None: the rest). With `shuffle`, the samples are first
    shuffled by Python's `random.seed(seed); random.shuffle`, as Keras. A batched
    dataset's splits are batched as it is.

    Returns:
        Two `StreamDataset`s of the samples (tuples of arrays for a list or tuple).

    Raises:
        TypeError, ValueError: as Keras's (another kind of dataset, an empty one,
            arrays of different lengths, sizes out of range or giving an empty split).

    Example:
        >>> import numpy as np, nn
        >>> left, right = nn.utils.split_dataset(np.arange(10), left_size=0.8)
        >>> len(left), len(right)
        (8, 2)
    """
    if isinstance(dataset, (list, tuple, np.ndarray, StreamDataset)) and (
        left_size is None and right_size is None
    ):
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. Received: "
            "left_size=None and right_size=None"
        )
    samples, batch_size = _samples(dataset)
    if not samples:
        raise ValueError(
            "Received an empty dataset. Argument `dataset` must be a non-empty list/tuple of "
            "`numpy.ndarray` objects or `Dataset` objects."
        )
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.seed(seed)
        random.shuffle(samples)
    left, right = _rescale_split_sizes(left_size, right_size, len(samples))
    out = []
    for part in (samples[:left], samples[-right:]):
        split = StreamDataset((lambda p: lambda: iter(p))(part), len(part))
        out.append(split.batch(batch_size) if batch_size else split)
    return out[0], out[1]
