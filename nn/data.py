"""Mini-batches: `DataLoader` and `train_test_split`; PyTorch's `Dataset`,
`TensorDataset`, `Subset` and `random_split`.

Arrays stay numpy arrays until a batch is handed out. A float batch becomes a
`Tensor` (ready for a model); an integer or boolean batch (class labels, uint8
pixels) stays an ndarray, which is what losses and metrics take for labels. Call
`.astype(np.float32)` (and scale) on integer pixels before making a loader if the
model should see them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd import Generator, Tensor, default_generator, get_default_dtype, randperm
from nn.collate import collate, is_dataset
from nn.samplers import BatchSampler
from nn.samplers import RandomSampler as RandomSampler  # re-exported: torch.utils.data's
from nn.samplers import Sampler as Sampler
from nn.samplers import SequentialSampler as SequentialSampler
from nn.samplers import SubsetRandomSampler as SubsetRandomSampler

#: PyTorch's name of the function that makes a batch from a list of samples.
default_collate = collate


class _DefaultBatchSize(int):
    """The default `batch_size` (32), told apart from a 32 the caller gives: with a
    `sampler`, PyTorch's default (1) applies instead."""


DEFAULT_BATCH_SIZE = _DefaultBatchSize(32)


def as_array(data: Any, name: str = "x") -> np.ndarray:
    """`data` (an ndarray, a Tensor or a nested list) as an ndarray with a batch axis."""
    array = data.data if isinstance(data, Tensor) else np.asarray(data)
    if array.ndim == 0:
        raise ValueError(f"{name} must have a batch axis (at least 1-d), got a scalar")
    return array


def check_lengths(x: np.ndarray, y: np.ndarray | None, names: str = "x and y") -> None:
    """Raise a clear error when `x` and `y` do not hold the same number of samples."""
    if y is not None and len(x) != len(y):
        first, second = names.split(" and ")
        raise ValueError(
            f"{names} must have the same number of samples (first axis), got "
            f"{first} with {len(x)} (shape {x.shape}) and {second} with {len(y)} "
            f"(shape {y.shape})"
        )


def _dataset_arg(x: Any, dataset: Any) -> Any:
    """`DataLoader`'s data: `x`, or `dataset` (PyTorch's name), given once.

    Raises:
        TypeError: both or neither given.
    """
    if dataset is None:
        if x is None:
            raise TypeError("DataLoader: missing the data (a dataset, or arrays x and y)")
        return x
    if x is not None:
        raise TypeError("DataLoader: got the data twice (x and dataset); pass one of them")
    return dataset


class DataLoader:
    """Iterate over `(xb, yb)` mini-batches of arrays, or over batches of a map-style
    dataset as PyTorch's DataLoader, optionally shuffled.

    From arrays, float batches are yielded as `Tensor`, integer and boolean ones
    (labels) as ndarrays; from a dataset (`TensorDataset` too) every batch is a
    `Tensor`, labels int64 ones, as PyTorch's. With `y=None` each item is just `xb`.
    A dataset (anything with `__len__` and `__getitem__(i)` returning a sample such
    as `(x, y)`, including a list of such tuples) is batched by `collate_fn`
    (default `nn.collate.collate`, which stacks each field as PyTorch's
    `default_collate` does).

    The order of a shuffled pass is PyTorch's: without `seed`, every pass (shuffled
    or not) draws a seed from `generator` (default: `autograd.default_generator`) as
    PyTorch's iterator does, and a shuffled pass is `autograd.randperm(n)` from a new
    generator seeded by the next draw (with `generator`: from `generator` itself). So
    after `autograd.manual_seed(s)`, a PyTorch loop with `DataLoader(dataset,
    batch_size, shuffle=True)` sees torch's batches in torch's order.

    Args:
        x: inputs, an array-like whose first axis indexes samples, or a dataset.
        y: targets with the same first-axis length, or None (always None with a
            dataset; an int there is PyTorch's positional `batch_size`).
        batch_size: samples per batch (the last batch may be smaller); 1 by default
            with a `sampler`, as PyTorch's.
        shuffle: draw a new random order at the start of every pass.
        drop_last: skip the last batch when it is smaller than `batch_size`.
        seed: seeds this loader's own `numpy.random.Generator` instead: each pass
            continues it, so pass 1 and pass 2 get different (reproducible) orders,
            and nothing is drawn from autograd's generators.
        generator: an `autograd.Generator` for the passes' draws, PyTorch's argument.
        collate_fn: makes a batch from a list of a dataset's samples.
        num_workers, pin_memory: PyTorch's arguments, accepted: batches are made in
            this process, on the CPU (the same batches in the same order).
        dataset: PyTorch's name of `x` (``DataLoader(dataset=ds, batch_size=2)``).
        sampler: the indices to visit, in order (an `nn.samplers` sampler or any
            iterable of indices), batched `batch_size` at a time as PyTorch's.
        batch_sampler: lists of indices, one per batch (`nn.samplers.BatchSampler`);
            `batch_size` is then unused. With either, arrays are read as the dataset
            of their `(x[i], y[i])` samples, and every batch is collated.

    Raises:
        ValueError: for a non-positive `batch_size`, lengths that do not match, or a
            `sampler` or `batch_sampler` given with options they replace (PyTorch's
            messages).

    Example:
        >>> import numpy as np
        >>> x, y = np.arange(10, dtype=np.float32).reshape(5, 2), np.arange(5)
        >>> loader = DataLoader(x, y, batch_size=2)
        >>> len(loader)
        3
        >>> [(type(xb).__name__, yb.tolist()) for xb, yb in loader]
        [('Tensor', [0, 1]), ('Tensor', [2, 3]), ('Tensor', [4])]
    """

    def __init__(
        self,
        x: npt.ArrayLike | Tensor | None = None,
        y: npt.ArrayLike | Tensor | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        *,
        generator: Generator | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
        sampler: Any = None,
        batch_sampler: Any = None,
        dataset: Any = None,
    ) -> None:
        x = _dataset_arg(x, dataset)
        if isinstance(y, int | np.integer) and not isinstance(y, bool):
            # DataLoader(dataset, 64), DataLoader(tensor, 3): PyTorch's positional
            # batch_size (targets are never a scalar)
            batch_size, y = y, None
        if batch_size is DEFAULT_BATCH_SIZE and sampler is not None:
            batch_size = 1
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(f"num_workers must be a non-negative int, got {num_workers!r}")
        if generator is not None and not isinstance(generator, Generator):
            kind = type(generator).__name__
            raise TypeError(f"DataLoader: generator must be an autograd.Generator, got {kind}")
        self._samples: Any = None  # a dataset given instead of arrays
        self._given: Any = None  # what `dataset` returns, when given
        sampled = sampler is not None or batch_sampler is not None
        plain = not (collate_fn or sampled)
        if isinstance(x, TensorDataset) and len(x.tensors) <= 2 and y is None and plain:
            # Its arrays are batched as arrays are (a gather per batch, not a sample
            # at a time); the batches are those collate would make.
            self._given = x
            x, y = x.tensors if len(x.tensors) == 2 else (x.tensors[0], None)
        if is_dataset(x):
            if y is not None:
                raise ValueError(
                    "DataLoader: a dataset's samples hold their targets; pass y=None with it"
                )
            self._samples, self.n = x, len(x)
        else:
            if collate_fn is not None:
                raise ValueError("DataLoader: collate_fn is for datasets; arrays are sliced")
            self.x = as_array(x, "x")
            self.y = None if y is None else as_array(y, "y")
            check_lengths(self.x, self.y)
            self.n = len(self.x)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = None if seed is None else np.random.default_rng(seed)
        self.generator = generator
        self.collate_fn = collate if collate_fn is None else collate_fn
        self.num_workers, self.pin_memory = int(num_workers), bool(pin_memory)
        self.sampler = sampler
        self.batch_sampler = _batch_sampler(sampler, batch_sampler, batch_size, shuffle, drop_last)
        if sampled and self._samples is None:  # arrays, visited as a dataset of samples
            self._samples = ArrayDataset(self.x, self.y)

    @property
    def dataset(self) -> Any:
        """What the loader batches, as PyTorch's `loader.dataset`: the dataset it was
        given, or the arrays as a dataset of samples (`len(loader.dataset)` counts
        them, `loader.dataset[i]` is `(x[i], y[i])`, or `x[i]` without targets)."""
        if self._given is not None:
            return self._given
        if self._samples is not None:
            return self._samples
        return ArrayDataset(self.x, self.y)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = self.n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is not None:
            yield from self._sampled()
            return
        n, bs = self.n, self.batch_size
        order = self._order()
        partial = not self.drop_last and n % bs != 0
        for start in range(0, len(self) * bs, bs):
            if partial and start + bs > n:
                self._sampler_end(order)
            # Made by a call, so that this generator holds no reference to the batch
            # while the caller trains on it (a gathered batch is freed as soon as the
            # caller lets it go, which lowers the peak memory of a training loop).
            yield self._batch(start, order)
        if not partial:
            self._sampler_end(order)

    def _sampled(self) -> Iterator[Any]:
        """The batches of `batch_sampler`'s lists of indices, collated. The pass first
        draws its base seed, as PyTorch's iterator does (a RandomSampler then draws)."""
        (default_generator if self.generator is None else self.generator).seed64()
        for index in self.batch_sampler:
            yield self.collate_fn([self._samples[i] for i in index])

    def _sampler_end(self, order: np.ndarray | None) -> None:
        """Where a pass runs out of samples, PyTorch's RandomSampler draws one more
        permutation (for its `num_samples % n` leftover): from `generator`, if given."""
        if order is not None and self.rng is None and self.generator is not None:
            self.generator.permutation(self.n)

    def _order(self) -> np.ndarray | None:
        """The sample order of a new pass: None (in order) or a permutation."""
        if self.rng is not None:
            return self.rng.permutation(self.n) if self.shuffle else None
        gen = default_generator if self.generator is None else self.generator
        gen.seed64()  # the pass's base seed, drawn as PyTorch's iterator draws it
        if not self.shuffle:
            return None
        if self.generator is None:  # PyTorch's RandomSampler: a generator of its own
            gen = Generator().manual_seed(default_generator.seed64())
        return gen.permutation(self.n)

    def _batch(self, start: int, order: np.ndarray | None) -> Any:
        """The batch starting at `start` of the epoch's `order` (None: in order). Float
        arrays become Tensors (no copy); labels given as arrays stay arrays."""
        if self._samples is not None:
            stop = min(start + self.batch_size, self.n)
            index = range(start, stop) if order is None else order[start:stop].tolist()
            return self.collate_fn([self._samples[i] for i in index])
        x, y, bs = self.x, self.y, self.batch_size
        if order is None:  # slices are views: no copy
            xb = x[start : start + bs]
            yb = None if y is None else y[start : start + bs]
        else:  # a shuffled batch gathers its rows (np.take: faster than x[index])
            index = order[start : start + bs]
            xb = x.take(index, axis=0)
            yb = None if y is None else y.take(index, axis=0)
        as_tensors = self._given is not None  # a TensorDataset: all Tensors, as collate
        if as_tensors or x.dtype.kind in "fc":
            xb = Tensor(xb)
        if y is None:
            return xb
        return xb, Tensor(yb) if as_tensors or yb.dtype.kind in "fc" else yb

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.n} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def _batch_sampler(
    sampler: Any, batch_sampler: Any, batch_size: int, shuffle: bool, drop_last: bool
) -> Any:
    """The lists of indices a loader given `sampler` or `batch_sampler` batches (None
    without either), or PyTorch's ValueError for options that contradict them."""
    if batch_sampler is not None:
        given_size = batch_size is not DEFAULT_BATCH_SIZE and batch_size != 1
        if given_size or shuffle or sampler is not None or drop_last:
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                "sampler, and drop_last"
            )
        return batch_sampler
    if sampler is None:
        return None
    if shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    return BatchSampler(sampler, batch_size, drop_last)


class ArrayDataset:
    """Arrays x (and y) seen as a dataset of samples: `len` and `[i]` as PyTorch's
    `TensorDataset(x, y)`; what `DataLoader.dataset` returns for arrays."""

    def __init__(self, x: np.ndarray, y: np.ndarray | None = None) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: Any) -> Any:
        return self.x[i] if self.y is None else (self.x[i], self.y[i])

    def __repr__(self) -> str:
        return f"ArrayDataset({len(self)} samples)"


def train_test_split(
    x: npt.ArrayLike | Tensor,
    y: npt.ArrayLike | Tensor | None = None,
    test_size: float | int = 0.25,
    seed: int | None = None,
    shuffle: bool = True,
) -> tuple[np.ndarray, ...]:
    """Split arrays into a training part and a test part, as scikit-learn does.

    Args:
        x: inputs (first axis indexes samples).
        y: targets of the same length, or None.
        test_size: a fraction in (0, 1) of the samples (rounded up), or a count.
        seed: seed of the shuffle.
        shuffle: shuffle before splitting; otherwise the test part is the last samples.

    Returns:
        `(x_train, x_test, y_train, y_test)`, or `(x_train, x_test)` when `y` is None.

    Raises:
        ValueError: for a `test_size` that leaves either part empty, or lengths
            that do not match.

    Example:
        >>> import numpy as np
        >>> x_tr, x_te, y_tr, y_te = train_test_split(np.zeros((10, 2)), np.arange(10), 0.3)
        >>> x_tr.shape, x_te.shape
        ((7, 2), (3, 2))
    """
    xa = as_array(x, "x")
    ya = None if y is None else as_array(y, "y")
    check_lengths(xa, ya)
    n = len(xa)
    n_test = _test_count(test_size, n)
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[: n - n_test], order[n - n_test :]
    if ya is None:
        return xa[train], xa[test]
    return xa[train], xa[test], ya[train], ya[test]


def _test_count(test_size: float | int, n: int) -> int:
    if isinstance(test_size, (bool, np.bool_)):
        raise TypeError("test_size must be a float fraction or an int count, got a bool")
    if isinstance(test_size, (int, np.integer)):
        count = int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        count = math.ceil(test_size * n)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or an int count, got {test_size}")
    if not 0 < count < n:
        raise ValueError(
            f"test_size={test_size} gives {count} test samples out of {n}; "
            "both parts must be non-empty"
        )
    return count


def as_inputs(x: npt.ArrayLike | Tensor) -> np.ndarray:
    """Model inputs as an array of the default float dtype (float32), as Keras casts
    them: integer pixels (uint8) become floats (scale them yourself), float64 float32."""
    array = as_array(x, "x")
    if array.dtype.names:  # a record per sample, one field per input of a functional model
        return array
    return array.astype(get_default_dtype(), copy=False)


def as_targets(y: npt.ArrayLike | Tensor) -> np.ndarray:
    """Targets as an array: integer labels keep their dtype, floats use the default."""
    y = as_array(y, "y")
    return y.astype(get_default_dtype(), copy=False) if y.dtype.kind == "f" else y


def validation_pair(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """`(x_val, y_val)` checked and converted like the training data."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError("fit: validation_data must be a pair (x_val, y_val)")
    x_val, y_val = as_inputs(data[0]), as_targets(data[1])
    check_lengths(x_val, y_val, "x_val and y_val")
    return x_val, y_val


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Keras's `validation_split`: train on the first floor(N * (1 - fraction)) samples
    and validate on the rest, taken before any shuffling.

    Returns:
        `x_train, y_train, (x_val, y_val)`.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {fraction}")
    split = int(len(x) * (1.0 - fraction))
    if split in (0, len(x)):
        raise ValueError(
            f"fit: validation_split={fraction} of {len(x)} samples leaves an empty "
            "training or validation part"
        )
    return x[:split], y[:split], (x[split:], y[split:])


class Dataset:
    """PyTorch's base class of map-style datasets: a subclass defines `__len__` and
    `__getitem__(i)`, returning one sample (often `(x, y)`); `DataLoader` batches it."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Samples from arrays or Tensors of one length: `ds[i]` is `(a[i], b[i], ...)`,
    as PyTorch's `TensorDataset`. `DataLoader` batches one or two of them as arrays."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one array or Tensor")
        lengths = [len(as_array(t, f"tensor {i}")) for i, t in enumerate(tensors)]
        if len(set(lengths)) > 1:
            raise ValueError(f"TensorDataset: every tensor needs the same length, got {lengths}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order (PyTorch's `Subset`)."""

    def __init__(self, dataset: Any, indices: Any) -> None:
        self.dataset, self.indices = dataset, [int(i) for i in indices]

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(
    dataset: Any, lengths: Any, generator: Generator | np.random.Generator | None = None
) -> list[Subset]:
    """Split `dataset` at random into non-overlapping subsets of the given `lengths`,
    counts that add up to its length or fractions that add up to 1 (PyTorch's rule:
    floored, and the samples left over go one each to the first subsets).
    The order is `autograd.randperm(n, generator=generator)`, PyTorch's split for the
    same `autograd.Generator` (default: `autograd.default_generator`); a numpy
    Generator draws numpy's permutation instead."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(0 <= f <= 1 for f in lengths) and math.isclose(sum(lengths), 1):
        counts = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n or any(int(k) != k or k < 0 for k in lengths):
        raise ValueError(
            f"random_split: lengths {lengths} must be counts adding up to the dataset's "
            f"{n} samples, or fractions adding up to 1"
        )
    if isinstance(generator, np.random.Generator):
        order = generator.permutation(n)
    else:
        order = randperm(n, generator=generator).data
    bounds = itertools.accumulate((int(k) for k in lengths), initial=0)
    return [Subset(dataset, order[a:b]) for a, b in itertools.pairwise(bounds)]
