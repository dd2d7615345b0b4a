"""Batches from a map-style dataset, as PyTorch's `default_collate` makes them.

A map-style dataset is anything with `__len__` and `__getitem__(i)` returning one
sample, usually a tuple `(x, y)`. `collate` turns a list of samples into one batch
of the same structure: tuples and lists field by field, dicts key by key, and the
leaves stacked along a new first axis into a `Tensor` (float, integer or boolean: labels
are int64 Tensors, as in PyTorch); strings stay a list.

Leaves can be numpy arrays, our Tensors, Python numbers (as PyTorch: floats become
float64, ints int64, bools bool) or anything numpy converts (a torch tensor too).

Example:
    >>> import numpy as np
    >>> samples = [(np.array([0.5, 1.0], np.float32), 1), (np.array([2.0, 3.0], np.float32), 0)]
    >>> xb, yb = collate(samples)
    >>> type(xb).__name__, xb.shape, type(yb).__name__, yb.dtype, yb.tolist()
    ('Tensor', (2, 2), 'Tensor', dtype('int64'), [1, 0])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor


def is_dataset(data: Any) -> bool:
    """True for a map-style dataset rather than an array: `__len__` and `__getitem__`,
    and not an ndarray or Tensor; a list or tuple counts when it holds samples (tuples
    or dicts), as `[(x0, y0), (x1, y1), ...]`, and is an array otherwise."""
    if isinstance(data, (np.ndarray, Tensor, str, bytes)):
        return False
    if not (hasattr(data, "__len__") and hasattr(data, "__getitem__")):
        return False
    if isinstance(data, (list, tuple)):
        return len(data) > 0 and isinstance(data[0], (tuple, Mapping))
    return not hasattr(data, "__array__")


def collate(samples: Sequence[Any]) -> Any:
    """One batch from a list of samples of one structure; see the module docstring.

    Raises:
        TypeError: samples of different structures (a tuple then a dict, tuples of
            different lengths, dicts with different keys).
        ValueError: leaves of different shapes, which cannot be stacked.
    """
    first = samples[0]
    if isinstance(first, Mapping):
        keys = list(first)
        if any(not isinstance(s, Mapping) or list(s) != keys for s in samples):
            raise TypeError(f"collate: every sample must be a dict with the keys {keys}")
        return {k: collate([s[k] for s in samples]) for k in keys}
    if isinstance(first, (tuple, list)):
        if any(not isinstance(s, (tuple, list)) or len(s) != len(first) for s in samples):
            raise TypeError(
                f"collate: every sample must be a tuple of {len(first)} fields, as the first"
            )
        fields = [collate(list(field)) for field in zip(*samples)]
        return tuple(fields) if isinstance(first, tuple) else fields
    if isinstance(first, (str, bytes)):
        return list(samples)
    return _batch(_stack(samples))


def _stack(leaves: Sequence[Any]) -> np.ndarray:
    arrays = [leaf.data if isinstance(leaf, Tensor) else leaf for leaf in leaves]
    if all(isinstance(a, (bool, int, float)) for a in arrays):
        if all(isinstance(a, bool) for a in arrays):
            return np.array(arrays, dtype=bool)
        if all(isinstance(a, int) for a in arrays):
            return np.array(arrays, dtype=np.int64)
        return np.array(arrays, dtype=np.float64)  # torch's collate_float_fn
    arrays = [np.asarray(a) for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(
            f"collate: samples of different shapes {sorted(shapes)} cannot be stacked into "
            "one batch"
        )
    return np.stack(arrays)


def _batch(array: np.ndarray) -> Tensor:
    """The stacked leaves as a Tensor (no copy), labels too, as PyTorch's collate."""
    return Tensor(array)
