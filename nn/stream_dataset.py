"""`StreamDataset`: the datasets Keras's data utilities return (a `tf.data.Dataset`
in Keras), here a re-iterable stream of numpy elements with the `tf.data.Dataset`
methods their users call: `map`, `batch`, `unbatch`, `shuffle`, `take`, `skip`,
`repeat`, `filter`, `cache`, `prefetch`, `as_numpy_iterator`.

Every `iter(dataset)` is a new pass. An element is an array, or a tuple of arrays
(`(x, y)`), one batch of them after `batch`. `fit`, `evaluate` and `predict` take a
dataset of batches as Keras takes a `tf.data.Dataset`: each epoch is one pass, its
`shuffle` argument is ignored (with Keras's warning), `class_weight` applies.

`shuffle(buffer_size, seed)` is tf.data's buffered shuffle: a buffer of
`buffer_size` elements, each output drawn uniformly from it and its place refilled
from the input; with `reshuffle_each_iteration=True` (the default) each pass draws
a new order, the passes of a seeded dataset the same sequence every run. The random
numbers are numpy's, not TensorFlow's: the orders are not TensorFlow's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor

#: tf.data's constants: an unknown or infinite number of elements, and AUTOTUNE.
UNKNOWN_CARDINALITY = -2
INFINITE_CARDINALITY = -1
AUTOTUNE = -1


def _stack(items: list[Any]) -> Any:
    """Elements stacked into one batch (tuples and dicts field by field)."""
    first = items[0]
    if isinstance(first, tuple):
        return tuple(_stack([item[i] for item in items]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack([item[k] for item in items]) for k in first}
    arrays = [item.data if isinstance(item, Tensor) else item for item in items]
    if all(isinstance(a, str) for a in arrays):
        out = np.empty(len(arrays), dtype=object)
        out[:] = arrays
        return out
    return np.stack([np.asarray(a) for a in arrays])


def _rows(batch: Any) -> list[Any]:
    """A batch split into its elements (the inverse of `_stack`)."""
    if isinstance(batch, tuple):
        columns = [_rows(part) for part in batch]
        return list(zip(*columns, strict=True))
    if isinstance(batch, dict):
        keys = list(batch)
        columns = [_rows(batch[k]) for k in keys]
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
    array = batch.data if isinstance(batch, Tensor) else np.asarray(batch)
    if array.ndim == 0:
        raise ValueError("Cannot unbatch an input with scalar components.")
    return list(array)


def _apply(fn: Callable[..., Any], element: Any) -> Any:
    """tf.data's call of a mapped function: a tuple element is unpacked."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


class StreamDataset:
    """A re-iterable dataset of numpy elements, as the `tf.data.Dataset` Keras's
    utilities return (see the module docstring).

    Args:
        make: a function giving a new iterator over the elements (one pass).
        cardinality: the number of elements; `UNKNOWN_CARDINALITY` (-2) when not
            known, `INFINITE_CARDINALITY` (-1) for an endless dataset.

    Example:
        >>> from nn.stream_dataset import StreamDataset
        >>> ds = StreamDataset.from_tensor_slices(np.arange(5)).batch(2)
        >>> [b.tolist() for b in ds]
        [[0, 1], [2, 3], [4]]
    """

    def __init__(
        self, make: Callable[[], Iterator[Any]], cardinality: int = UNKNOWN_CARDINALITY
    ) -> None:
        self._make = make
        self._cardinality = int(cardinality)
        self.batched = False  # whether the elements are batches (`batch`)

    @classmethod
    def from_tensor_slices(cls, tensors: Any) -> StreamDataset:
        """The rows of an array (or of each array of a tuple or dict, row by row)."""
        if isinstance(tensors, list):
            tensors = np.asarray(tensors)
        rows = _rows(tensors)
        return cls(lambda: iter(rows), len(rows))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._make())

    def cardinality(self) -> int:
        """The number of elements (-2: unknown, -1: infinite), as tf.data's."""
        return self._cardinality

    def __len__(self) -> int:
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality < 0:
            raise TypeError("The dataset length is unknown. Iterate over it to count its elements.")
        return self._cardinality

    def __bool__(self) -> bool:
        return True

    def as_numpy_iterator(self) -> Iterator[Any]:
        """The elements (already numpy arrays), as tf.data's."""
        return iter(self)

    def _derive(self, make: Callable[[], Iterator[Any]], cardinality: int) -> StreamDataset:
        derived = StreamDataset(make, cardinality)
        for name in ("class_names", "batched"):  # (class_names: set by the utilities)
            if hasattr(self, name):
                setattr(derived, name, getattr(self, name))
        return derived

    def map(
        self,
        map_func: Callable[..., Any],
        num_parallel_calls: int | None = None,
        deterministic: bool | None = None,
        name: str | None = None,
    ) -> StreamDataset:
        """Each element through `map_func` (a tuple element's parts as its
        arguments); `num_parallel_calls` is accepted (one thread here)."""
        return self._derive(lambda: (_apply(map_func, e) for e in self), self._cardinality)

    def filter(self, predicate: Callable[..., Any], name: str | None = None) -> StreamDataset:
        """The elements for which `predicate` is true (count unknown)."""
        infinite = self._cardinality == INFINITE_CARDINALITY
        return self._derive(
            lambda: (e for e in self if bool(np.asarray(_apply(predicate, e)))),
            INFINITE_CARDINALITY if infinite else UNKNOWN_CARDINALITY,
        )

    def batch(
        self,
        batch_size: int,
        drop_remainder: bool = False,
        num_parallel_calls: int | None = None,
        deterministic: bool | None = None,
        name: str | None = None,
    ) -> StreamDataset:
        """Consecutive elements stacked into batches of `batch_size` (the last one
        smaller unless `drop_remainder`).

        Raises:
            ValueError: `batch_size` below 1.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"batch: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be greater than zero. Received: {batch_size}")
        size = int(batch_size)

        def make() -> Iterator[Any]:
            iterator = iter(self)
            while chunk := list(itertools.islice(iterator, size)):
                if drop_remainder and len(chunk) < size:
                    return
                yield _stack(chunk)

        n = self._cardinality
        if n >= 0:
            n = n // size if drop_remainder else -(-n // size)
        batched = self._derive(make, n)
        batched.batched = True
        return batched

    def unbatch(self, name: str | None = None) -> StreamDataset:
        """The elements of each batch, one by one (count unknown)."""
        infinite = self._cardinality == INFINITE_CARDINALITY
        rows = self._derive(
            lambda: (row for batch in self for row in _rows(batch)),
            INFINITE_CARDINALITY if infinite else UNKNOWN_CARDINALITY,
        )
        rows.batched = False
        return rows

    def take(self, count: int, name: str | None = None) -> StreamDataset:
        """The first `count` elements (all of them for -1)."""
        if count < 0:
            return self
        n = self._cardinality
        n = count if n == INFINITE_CARDINALITY else (min(n, count) if n >= 0 else n)
        return self._derive(lambda: itertools.islice(self, count), n)

    def skip(self, count: int, name: str | None = None) -> StreamDataset:
        """All but the first `count` elements (none for -1)."""
        if count < 0:
            return self._derive(lambda: iter(()), 0)
        n = self._cardinality
        n = max(n - count, 0) if n >= 0 else n
        return self._derive(lambda: itertools.islice(self, count, None), n)

    def repeat(self, count: int | None = None, name: str | None = None) -> StreamDataset:
        """The passes one after the other, `count` times (None or -1: endlessly)."""
        endless = count is None or count < 0

        def make() -> Iterator[Any]:
            for _ in itertools.count() if endless else range(int(count or 0)):
                yield from self

        n = self._cardinality
        if endless:
            n = 0 if n == 0 else INFINITE_CARDINALITY
        elif n >= 0:
            n = n * int(count or 0)
        return self._derive(make, n)

    def shuffle(
        self,
        buffer_size: int,
        seed: int | None = None,
        reshuffle_each_iteration: bool = True,
        name: str | None = None,
    ) -> StreamDataset:
        """tf.data's buffered shuffle (see the module docstring).

        Raises:
            ValueError: `buffer_size` below 1.
        """
        if buffer_size < 1:
            raise ValueError(f"buffer_size must be greater than zero. Received: {buffer_size}")
        entropy = np.random.SeedSequence(seed).entropy
        passes = itertools.count()

        def make() -> Iterator[Any]:
            index = next(passes) if reshuffle_each_iteration else 0
            return buffered_shuffle(iter(self), int(buffer_size), pass_rng(entropy, index))

        return self._derive(make, self._cardinality)

    def cache(self, filename: str = "", name: str | None = None) -> StreamDataset:
        """The elements of the first complete pass kept in memory for the next ones
        (`filename` is accepted; the cache is in memory)."""
        kept: list[Any] = []
        done = [False]

        def make() -> Iterator[Any]:
            if done[0]:
                yield from kept
                return
            fresh: list[Any] = []
            for element in self:
                fresh.append(element)
                yield element
            kept[:], done[0] = fresh, True

        return self._derive(make, self._cardinality)

    def prefetch(self, buffer_size: int, name: str | None = None) -> StreamDataset:
        """The same elements (read one at a time: there is no background thread)."""
        return self

    def __repr__(self) -> str:
        n = self._cardinality
        count = {UNKNOWN_CARDINALITY: "unknown", INFINITE_CARDINALITY: "infinite"}.get(n, n)
        return f"<StreamDataset cardinality={count}>"


def pass_rng(entropy: Any, index: int) -> np.random.Generator:
    """The generator of a seeded shuffle's pass `index` (its own stream per pass)."""
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(index,)))


def buffered_shuffle(
    iterator: Iterator[Any], buffer_size: int, rng: np.random.Generator
) -> Iterator[Any]:
    """tf.data's shuffle of a stream: fill a buffer of `buffer_size` elements, then
    repeatedly yield a uniformly drawn one and put the next input in its place; the
    last ones come out of the buffer in random order."""
    buffer = list(itertools.islice(iterator, buffer_size))
    for element in iterator:
        i = int(rng.integers(len(buffer)))
        yield buffer[i]
        buffer[i] = element
    while buffer:
        i = int(rng.integers(len(buffer)))
        buffer[i], buffer[-1] = buffer[-1], buffer[i]
        yield buffer.pop()
