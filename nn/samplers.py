"""PyTorch's samplers: the order in which a `DataLoader` visits a dataset's samples.

A sampler yields indices of samples; `BatchSampler` groups them into lists, one per
batch. ``DataLoader(ds, batch_size, sampler=RandomSampler(ds))`` batches the indices
of `sampler`, and ``DataLoader(ds, batch_sampler=BatchSampler(...))`` takes the lists
as they are (fast.ai's "04_minibatch_training" builds its loaders this way).

`RandomSampler` draws what torch's draws: without a generator, each pass seeds a
generator of its own from `autograd.default_generator` (torch's
``torch.empty((), dtype=torch.int64).random_()``) and takes `randperm` from it; with
one, it draws from that generator. After ``autograd.manual_seed(s)`` and
``torch.manual_seed(s)`` the orders are the same.

Example:
    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any

from autograd import Generator, default_generator, randint, randperm


class Sampler:
    """Base class of samplers: a subclass defines `__iter__` (the indices of a pass)
    and, where it knows it, `__len__`. As torch's (since 2.2) it takes no arguments
    itself: a subclass keeps the data source it is given."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """The indices 0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices of `data_source` (a new one every pass), or with
    `replacement`, `num_samples` indices drawn independently, as torch's.

    Raises:
        TypeError: `replacement` is not a bool.
        ValueError: `num_samples` is not a positive int.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """How many indices a pass yields: `len(data_source)` unless given."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        generator = self.generator
        if generator is None:  # a generator of its own, seeded from the default one
            generator = Generator().manual_seed(default_generator.seed64())
        if self.replacement:  # drawn 32 at a time, as torch does
            for _ in range(self.num_samples // 32):
                yield from randint(n, size=(32,), generator=generator).tolist()
            yield from randint(n, size=(self.num_samples % 32,), generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=generator).tolist()
            yield from randperm(n, generator=generator).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given `indices` in a random order (a new one every pass)."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices, self.generator = indices, generator

    def __iter__(self) -> Iterator[int]:
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """The indices of `sampler` in lists of `batch_size`; the last list is shorter,
    or left out with `drop_last`.

    Raises:
        ValueError: `batch_size` is not a positive int or `drop_last` not a bool.
    """

    def __init__(self, sampler: Iterable[Any], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self) -> Iterator[list[Any]]:
        batch: list[Any] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
