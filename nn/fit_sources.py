"""Keras 3's batch sources for `fit`, `evaluate` and `predict`: Python generators,
`PyDataset` (Keras 2's `Sequence`), `DataLoader` and `StreamDataset` (what Keras's
data utilities return, its `tf.data.Dataset`), each item one whole batch.

A source yields `(x,)`, `(x, y)` or `(x, y, sample_weight)`. `SourceBatches` walks
it as Keras 3's `EpochIterator` does, which fixes what happens at its end:

- Without `steps_per_epoch`, an epoch runs until the source is exhausted, with
  Keras's warning "Your input ran out of data" when a generator stops. A Python
  generator cannot restart: as in Keras, later epochs see only the first two batches
  again (Keras keeps them from the look it takes at the data), so pass
  `steps_per_epoch` with an endless generator instead.
- With `steps_per_epoch`, the pass goes on where the last epoch stopped; a
  `PyDataset` or `DataLoader` that runs out ends the epoch early (with the warning)
  and the next epoch starts a new pass.
- A `StreamDataset` is read as a `DataLoader`: a new pass each epoch; it takes
  `class_weight`, and ignores `shuffle` (Keras's warning), as Keras does a
  `tf.data.Dataset`.
- A `PyDataset`'s `on_epoch_begin` and `on_epoch_end` are called as Keras calls
  them: `on_epoch_end` once more when `fit` or `evaluate` starts (Keras's reset).

Keras's rules for the other arguments apply: `y` and `sample_weight` are refused,
`class_weight` is taken for a `PyDataset` only, `shuffle` is ignored (with Keras's
warning) for a generator, a `DataLoader` and an endless `PyDataset`, and shuffles
the order of a `PyDataset`'s batches (Python's `random.shuffle`, as Keras).
"""

from __future__ import annotations

import abc
import itertools
import random
import types
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from nn.data import DataLoader
from nn.stream_dataset import StreamDataset

#: How many batches of a generator Keras looks at first (and keeps).
PEEKED_BATCHES = 2
_EMPTY = object()  # what an exhausted iterator gives `next`

_RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset "
    "or generator can generate at least `steps_per_epoch * epochs` batches. You may "
    "need to use the `.repeat()` function when building your dataset."
)


class PyDataset:
    """Keras's `keras.utils.PyDataset` (Keras 2's `Sequence`): a data set of whole
    batches. A subclass defines `__len__` (the number of batches; or the
    `num_batches` property, None for an endless data set) and `__getitem__(index)`
    returning batch `index` as `(x,)`, `(x, y)` or `(x, y, sample_weight)` (a lone
    array is `x`); `on_epoch_begin` / `on_epoch_end` run around every epoch of `fit`
    (to reshuffle, for example).

    `workers`, `use_multiprocessing` and `max_queue_size` are Keras's and are kept,
    but here the batches are always read one after the other in the calling thread,
    in order (`fit(shuffle=True)`, its default, shuffles the order of the batches).

    Example:
        >>> import numpy as np
        >>> class Batches(PyDataset):
        ...     def __init__(self, x, y, batch_size, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x, self.y, self.batch_size = x, y, batch_size
        ...     def __len__(self):
        ...         return -(-len(self.x) // self.batch_size)
        ...     def __getitem__(self, index):
        ...         part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        ...         return self.x[part], self.y[part]
        >>> data = Batches(np.zeros((5, 2)), np.zeros(5), batch_size=2)
        >>> len(data), data.num_batches, data[2][0].shape
        (3, 3, (1, 2))
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __iter__(self) -> Iterator[Any]:
        count = self.num_batches
        for index in itertools.count() if count is None else range(count):
            yield self[index]

    @property
    def num_batches(self) -> int | None:
        """The number of batches (`len(self)`), or None for an endless data set."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__ or the num_batches property "
            "(None for an endless data set)"
        )

    def on_epoch_begin(self) -> None:
        """Called at the beginning of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""


#: Keras 2's name of `PyDataset`.
Sequence = PyDataset


def is_source(x: Any) -> bool:
    """Whether `x` is a batch source rather than arrays.

    Raises:
        ValueError: another iterator (`iter(batches)`), which Keras refuses too (its
            message): pass a generator.
    """
    if isinstance(x, (types.GeneratorType, PyDataset, DataLoader, StreamDataset)):
        return True
    if isinstance(x, Iterator):
        raise ValueError(f"Unrecognized data type: x={x} (of type {type(x)})")
    return False


def _kind(x: Any) -> str:
    if isinstance(x, PyDataset):
        return "PyDataset"
    if isinstance(x, StreamDataset):
        return "Dataset"
    return "DataLoader" if isinstance(x, DataLoader) else "generator"


def _unsupported(kind: str, name: str, what: str) -> ValueError:
    return ValueError(
        f"When providing `x` as a {kind}, `{name}` should not be passed. Instead, "
        f"{what} should be included as part of the {kind}."
    )


def check_arguments(
    x: Any,
    y: Any,
    sample_weight: Any = None,
    class_weight: Any = None,
    shuffle: bool = False,
    validation_split: float = 0.0,
) -> None:
    """Keras's rules for the arguments given with a source `x` (its messages).

    Raises:
        ValueError: `y`, `sample_weight` or `validation_split` given, or `class_weight`
            with a generator or a DataLoader.
    """
    kind = _kind(x)
    if validation_split:
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays."
            f"Found incompatible type in the input: [{type(x)}]"
        )
    if y is not None:
        raise _unsupported(kind, "y", "the targets")
    if sample_weight is not None:
        raise _unsupported(kind, "sample_weights", "the sample weights")
    if class_weight is not None and kind == "generator":
        raise ValueError(
            "Argument `class_weight` is not supported for Python generator inputs. "
            f"Received: class_weight={class_weight}"
        )
    if class_weight is not None and kind == "DataLoader":
        raise ValueError(
            "Argument `class_weight` is not supported for DataLoader inputs: return "
            "(x, y, sample_weight) batches instead. "
            f"Received: class_weight={class_weight}"
        )
    endless = kind == "PyDataset" and x.num_batches is None
    if shuffle and (kind != "PyDataset" or endless):
        given = {
            "generator": "a generator. The generator is expected to yield already-shuffled data.",
            "DataLoader": "a DataLoader. The DataLoader is expected to already be shuffled.",
            "Dataset": "a Dataset. The Dataset is expected to already be shuffled (via "
            "`.shuffle(buffer_size)`).",
            "PyDataset": "an infinite PyDataset. The PyDataset is expected to already be shuffled.",
        }[kind]
        warnings.warn(
            f"`shuffle=True` was passed, but will be ignored since the data `x` was "
            f"provided as {given}",
            UserWarning,
            stacklevel=4,
        )


def as_tuple(kind: str, index: int, batch: Any) -> tuple[Any, ...]:
    """A source's batch as `(x,)`, `(x, y)` or `(x, y, sample_weight)`: Keras's reading
    (a lone array or dict is `x`; a generator must yield tuples).

    Raises:
        ValueError: another kind of batch, naming its index.
    """
    if kind != "generator":
        if isinstance(batch, (np.ndarray, Tensor, Mapping)):
            batch = (batch,)
        elif isinstance(batch, list):
            batch = tuple(batch)
    if not isinstance(batch, tuple) or len(batch) not in (1, 2, 3):
        got = f"a tuple of {len(batch)} items" if isinstance(batch, tuple) else type(batch).__name__
        raise ValueError(
            f"batch {index} of the {kind} is {got}: each batch must be a tuple, either "
            "(input,) or (inputs, targets) or (inputs, targets, sample_weights)"
        )
    return batch


class _Source(abc.ABC):
    """One kind of source as Keras's data adapters see it: the batches of a new pass,
    their count (None: unknown), and the epoch hooks (nothing to do, but for a
    `PyDataset`, whose own hooks `_PyDataset` calls)."""

    kind = "generator"

    def __init__(self, data: Any, shuffle: bool = False) -> None:
        self.data, self.shuffle = data, shuffle
        self.num_batches: int | None = None
        self._first: list[Any] = []

    @abc.abstractmethod
    def iterator(self) -> Iterator[Any]:
        """The batches of a new pass."""

    @abc.abstractmethod
    def first(self) -> Any:
        """The first batch, read once and handed out again as the first of the first pass."""

    def on_epoch_begin(self) -> None:  # noqa: B027  (a deliberate no-op default)
        """Called before each epoch's pass; a generator or a DataLoader has no hook."""

    def on_epoch_end(self) -> None:  # noqa: B027  (a deliberate no-op default)
        """Called after each epoch's pass; a generator or a DataLoader has no hook."""


class _Generator(_Source):
    """Keras's look at a generator: the first two batches are taken out and put
    back in front of what is left, at every pass (so later passes see them again)."""

    def __init__(self, data: Any, shuffle: bool = False) -> None:
        super().__init__(data, shuffle)
        self._peeked = list(itertools.islice(data, PEEKED_BATCHES))
        if not self._peeked:
            raise ValueError(
                "When passing a Python generator to a Keras model, the generator must "
                "yield at least one batch. Received an empty generator."
            )

    def iterator(self) -> Iterator[Any]:
        return itertools.chain(self._peeked, self.data)

    def first(self) -> Any:
        return self._peeked[0]


class _Loader(_Source):
    kind = "DataLoader"

    def __init__(self, data: Any, shuffle: bool = False) -> None:
        super().__init__(data, shuffle)
        self.num_batches = len(data)
        self._pending: Iterator[Any] | None = None

    def first(self) -> Any:
        if self._pending is None and not self._first:
            self._pending = iter(self.data)
            self._first = [next(self._pending, _EMPTY)]
            if self._first[0] is _EMPTY:
                raise ValueError("the DataLoader holds no batches")
        return self._first[0]

    def iterator(self) -> Iterator[Any]:
        # (a generator: a pass made but never read draws no order, as Keras's)
        if self._pending is not None:  # the pass `first` began
            pending, self._pending = self._pending, None
            yield from itertools.chain(self._first, pending)
        else:
            yield from self.data


class _Stream(_Loader):
    """A `StreamDataset`, read as a `DataLoader` (its count None when unknown)."""

    kind = "Dataset"

    def __init__(self, data: Any, shuffle: bool = False) -> None:
        _Source.__init__(self, data, shuffle)
        count = data.cardinality()
        self.num_batches = count if count >= 0 else None
        self._pending = None

    def first(self) -> Any:
        if self._pending is None and not self._first:
            self._pending = iter(self.data)
            self._first = [next(self._pending, _EMPTY)]
            if self._first[0] is _EMPTY:
                raise ValueError("the Dataset holds no batches")
        return self._first[0]


class _PyData(_Source):
    kind = "PyDataset"

    def __init__(self, data: Any, shuffle: bool = False) -> None:
        super().__init__(data, shuffle)
        if not all(hasattr(data, name) for name in ("workers", "max_queue_size")):
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                "constructor. `**kwargs` can include `workers`, `use_multiprocessing`, "
                "`max_queue_size`. Do not pass these arguments to `fit()`, as they will "
                "be ignored.",
                UserWarning,
                stacklevel=5,
            )
        self.num_batches = data.num_batches
        self._cached: dict[int, Any] = {}
        self._order: list[int] | None = None  # the first pass's, drawn by `first`

    def first(self) -> Any:
        """The first batch of the first pass (its order drawn now), read once: the
        batches are read as often and in the order Keras reads them."""
        if self.num_batches == 0:
            raise ValueError("the PyDataset holds no batches (its length is 0)")
        if not self._cached:
            self._order = self._indices()
            index = 0 if self._order is None else self._order[0]
            self._cached[index] = self.data[index]
        return next(iter(self._cached.values()))

    def _indices(self) -> list[int] | None:
        """A pass's order (None: endless, in order), shuffled with Python's `random`."""
        if self.num_batches is None:
            return None
        indices = list(range(self.num_batches))
        if self.shuffle:
            random.shuffle(indices)
        return indices

    def _get(self, index: int) -> Any:
        return self._cached.pop(index) if index in self._cached else self.data[index]

    def iterator(self) -> Iterator[Any]:
        # (a generator: a pass made but never read draws no order, as Keras's)
        order, self._order = self._order, None
        if order is None:
            order = self._indices()
        for index in itertools.count() if order is None else order:
            yield self._get(index)

    def on_epoch_begin(self) -> None:
        self.data.on_epoch_begin()

    def on_epoch_end(self) -> None:
        self.data.on_epoch_end()


def _source(x: Any, shuffle: bool) -> _Source:
    if isinstance(x, PyDataset):
        return _PyData(x, shuffle)
    if isinstance(x, DataLoader):
        return _Loader(x)
    if isinstance(x, StreamDataset):
        return _Stream(x)
    return _Generator(x)


Batch = tuple[Any, ...]


class SourceBatches:
    """The batches of each epoch from a source, as Keras 3's `EpochIterator` gives them
    (see the module docstring), each made `(xb, yb, wb)` by `prepare(index, batch)`
    from the batch read as a tuple (`as_tuple`).

    Args:
        x: a generator, a `PyDataset` or a `DataLoader`.
        steps: batches per epoch (`steps_per_epoch`, evaluate's `steps`), or None.
        prepare: the batch as the training or evaluation step takes it.
        caller: "fit", "evaluate" or "predict", named in the errors.
        shuffle: shuffle a `PyDataset`'s batch order at every pass.
    """

    def __init__(
        self,
        x: Any,
        steps: int | None,
        prepare: Callable[[int, Batch], Any],
        caller: str = "fit",
        shuffle: bool = False,
    ) -> None:
        self.source = _source(x, shuffle)
        self.steps, self.prepare, self.caller = steps, prepare, caller
        self._current: Iterator[Any] | None = None
        self._seen = 0
        self._count = self.source.num_batches
        self.last_steps = 0  # the batches of the last epoch

    @property
    def num_batches(self) -> int | None:
        """Keras's `params["steps"]`: `steps`, else the source's count (None: unknown
        until a generator ran out)."""
        return self.steps or self._count

    def first(self) -> Batch:
        """The first batch as a tuple (read once: the first pass hands it out again)."""
        try:
            return as_tuple(self.source.kind, 0, self.source.first())
        except ValueError as err:
            raise ValueError(f"{self.caller}: {err}") from None

    def keras_peek(self) -> Batch:
        """Keras's look at the data while the model, its loss or its metrics are not
        built (the first `fit` or `evaluate` after `compile`): a pass begun (a
        PyDataset's `on_epoch_begin`, its order drawn), its first batch read, then left."""
        self.source.on_epoch_begin()
        try:
            return as_tuple(self.source.kind, 0, next(self.source.iterator()))
        except StopIteration:
            raise ValueError(f"{self.caller}: the {self.source.kind} holds no batches") from None
        except ValueError as err:
            raise ValueError(f"{self.caller}: {err}") from None

    def reset(self) -> None:
        """Keras's reset when `fit` or `evaluate` starts (a PyDataset's `on_epoch_end`)."""
        self._current, self._seen = None, 0
        self._count = self.source.num_batches
        self.source.on_epoch_end()

    def _ran_out(self) -> None:
        if self._count is None:
            self._count = self._seen
        warnings.warn(_RAN_OUT, UserWarning, stacklevel=5)
        self._current = None
        self.source.on_epoch_end()

    def _read(self, iterator: Iterator[Any], step: int) -> Any:
        """The next batch prepared, or None when `iterator` is exhausted."""
        try:
            batch = next(iterator)
        except StopIteration:
            self._ran_out()
            return None
        self.last_steps = step + 1
        kind = self.source.kind
        try:
            return self.prepare(step, as_tuple(kind, step, batch))
        except (ValueError, TypeError) as err:
            message = str(err)
            if not message.startswith("batch "):  # (as_tuple's names the batch already)
                message = f"batch {step} of the {kind}: {message}"
            raise ValueError(f"{self.caller}: {message}") from None

    def epoch(self) -> Iterator[Any]:
        """One epoch's prepared batches."""
        self.source.on_epoch_begin()
        self.last_steps = 0
        steps = self.steps or self._count or -1
        if steps > 0:
            if self._current is None or self.steps is None:
                self._current, self._seen = self.source.iterator(), 0
            for step in range(steps):
                if self._count and self._seen >= self._count:
                    if self.steps:
                        warnings.warn(_RAN_OUT, UserWarning, stacklevel=3)
                    break
                self._seen += 1
                batch = self._read(self._current, step)
                if batch is None:
                    return
                yield batch
            if self._count and self._seen >= self._count:
                self._current, self._seen = self.source.iterator(), 0
        else:
            iterator = self.source.iterator()
            for step in itertools.count():
                self._seen = step + 1
                batch = self._read(iterator, step)
                if batch is None:
                    return
                yield batch
        self.source.on_epoch_end()
