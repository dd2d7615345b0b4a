"""Keras's `keras.utils.timeseries_dataset_from_array`: the sliding windows of a
series as a `StreamDataset` of batches, for `fit` (DLwP ch. 10's forecasting)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from nn.stream_dataset import StreamDataset, buffered_shuffle, pass_rng


def _check_positions(
    n: int,
    sequence_stride: int,
    sampling_rate: int,
    start_index: int | None,
    end_index: int | None,
    format: str,
) -> None:
    """Keras's checks of the window arguments against the data's length `n`."""
    if start_index:
        if start_index < 0:
            raise ValueError(
                f"`start_index` must be 0 or greater. Received: start_index={start_index}"
            )
        if start_index >= n:
            raise ValueError(
                "`start_index` must be lower than the length of the data. Received: "
                f"start_index={start_index}, for data of length {n}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. Received: "
                f"start_index={start_index}, and end_index={end_index} "
            )
        if end_index >= n:
            raise ValueError(
                "`end_index` must be lower than the length of the data. Received: "
                f"end_index={end_index}, for data of length {n}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(
            f"`sampling_rate` must be higher than 0. Received: sampling_rate={sampling_rate}"
        )
    if sampling_rate >= n:
        raise ValueError(
            "`sampling_rate` must be lower than the length of the data. Received: "
            f"sampling_rate={sampling_rate}, for data of length {n}"
        )
    if sequence_stride <= 0:
        raise ValueError(
            f"`sequence_stride` must be higher than 0. Received: sequence_stride={sequence_stride}"
        )
    if sequence_stride >= n:
        raise ValueError(
            "`sequence_stride` must be lower than the length of the data. Received: "
            f"sequence_stride={sequence_stride}, for data of length {n}"
        )
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')


def timeseries_dataset_from_array(
    data: Any,
    targets: Any,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
    format: str = "tf",
) -> StreamDataset:
    """Keras's `timeseries_dataset_from_array`: windows of `data[start_index:end_index]`
    in batches `(x, y)` (or `x` alone when `targets` is None).

    Window i starts at position p_i = i * sequence_stride (i = 0, 1, ... while
    p_i < num_seqs = end - start - (sequence_length - 1) * sampling_rate, and below
    len(targets)) and holds the rows start + p_i + k * sampling_rate for
    k = 0 .. sequence_length - 1; its target is targets[start + p_i]. The batches
    hold `batch_size` windows (None: single windows, unbatched).

    With `shuffle`, the start positions are shuffled once with
    `np.random.RandomState(seed)` (exactly as Keras), and each pass (epoch) then
    shuffles them again locally with tf.data's buffered shuffle of `batch_size * 8`
    windows (1024 when unbatched), seeded by `seed`: a new order every epoch, the
    same sequence of orders every run (numpy's random numbers, not TensorFlow's).

    Args:
        data: an array (or list) of rows, the time axis first.
        targets: the target of each row's window, or None.
        sequence_length: the rows in a window.
        sequence_stride: the step between the starts of successive windows.
        sampling_rate: the step between the rows of a window.
        batch_size: the windows in a batch (None: unbatched).
        shuffle: shuffle the windows (see above).
        seed: the shuffles' seed (None: drawn from numpy's global generator).
        start_index, end_index: the rows used, `data[start_index:end_index]`.
        format: Keras's "tf" or "grain" (the same dataset here).

    Returns:
        A `StreamDataset` of numpy batches, re-iterable (one pass per epoch).

    Raises:
        ValueError: an index, rate or stride out of range, as Keras's.

    Example:
        >>> import numpy as np, nn
        >>> ds = nn.utils.timeseries_dataset_from_array(
        ...     np.arange(10), None, sequence_length=3, sequence_stride=3, batch_size=2)
        >>> [b.tolist() for b in ds]
        [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8]]]
    """
    array = np.asarray(data)
    n = len(array)
    _check_positions(n, sequence_stride, sampling_rate, start_index, end_index, format)
    start = 0 if start_index is None else int(start_index)
    end = n if end_index is None else int(end_index)
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    target_array = None if targets is None else np.asarray(targets)
    if target_array is not None:
        num_seqs = min(num_seqs, len(target_array))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(1_000_000))
        np.random.RandomState(seed).shuffle(positions)
    rows = array[start:end]
    target_rows = None if target_array is None else target_array[start:end]
    offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate
    size = len(positions) if batch_size is None else int(batch_size)
    buffer = 1024 if batch_size is None else size * 8
    entropy = np.random.SeedSequence(seed).entropy
    passes = itertools.count()

    def order() -> np.ndarray:
        if not shuffle:
            return positions
        rng = pass_rng(entropy, next(passes))
        return np.fromiter(buffered_shuffle(iter(positions), buffer, rng), np.int64)

    def windows(chunk: np.ndarray) -> Any:
        x = rows[chunk[:, None] + offsets]
        return x if target_rows is None else (x, target_rows[chunk])

    def make() -> Iterator[Any]:
        starts = order()
        if batch_size is None:
            for p in starts:
                x = rows[p + offsets]
                yield x if target_rows is None else (x, target_rows[p])
            return
        for i in range(0, len(starts), max(size, 1)):
            yield windows(starts[i : i + size])

    count = len(positions) if batch_size is None else -(-len(positions) // max(size, 1))
    dataset = StreamDataset(make, count)
    dataset.batched = batch_size is not None
    return dataset
