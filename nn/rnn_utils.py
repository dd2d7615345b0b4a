"""`nn.utils.rnn`, as `torch.nn.utils.rnn`: `pad_sequence` (a list of sequences of
different lengths as one padded batch), `PackedSequence`, `pack_padded_sequence`,
`pad_packed_sequence` and `pack_sequence`.

A `PackedSequence` holds the time steps of a batch sorted by decreasing length, step by
step: `data` (sum of lengths, *) has the first step of every sequence, then the second
step of those that have one, ...; `batch_sizes[t]` counts the sequences that have step
t. `nn.RNN`, `nn.LSTM` and `nn.GRU` given one stop each sequence at its length.
Packing and unpacking are one gather each (`getitem` with an index array), so
gradients flow through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, cat, full, stack


class PackedSequence(NamedTuple):
    """A packed batch (see the module's docstring). `sorted_indices[k]` is the batch
    position of the k-th longest sequence (None when the batch was sorted already),
    `unsorted_indices` its inverse."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value))


def pad_sequence(
    sequences: Sequence[Any],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences (L_i, *) into (L_max, B, *) ((B, L_max, *) with batch_first),
    each padded with `padding_value` after its end ("right") or before its start
    ("left").

    Raises:
        ValueError: an unknown padding_side, or no sequences.
    """
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if not len(sequences):
        raise RuntimeError("received an empty list of sequences")
    tensors = [_as_tensor(s) for s in sequences]
    longest = max(t.shape[0] for t in tensors)
    padded = []
    for t in tensors:
        missing = longest - t.shape[0]
        if missing:
            pad = full((missing, *t.shape[1:]), padding_value, dtype=t.dtype)
            t = cat([t, pad] if padding_side == "right" else [pad, t], 0)
        padded.append(t)
    return stack(padded, 0 if batch_first else 1)


def _lengths_array(lengths: Any) -> np.ndarray:
    array = np.asarray(lengths.data if isinstance(lengths, Tensor) else lengths).astype(np.int64)
    if array.ndim != 1:
        raise ValueError(f"lengths must be a 1-D list or tensor, got shape {array.shape}")
    if (array <= 0).any():
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    return array


def _batch_sizes(lengths: np.ndarray) -> np.ndarray:
    """How many sequences have step t, for each t."""
    return (lengths[None, :] > np.arange(lengths.max())[:, None]).sum(1).astype(np.int64)


def _packed_rows(sorted_lengths: np.ndarray, order: np.ndarray, batch: int) -> np.ndarray:
    """The rows of a (L * N, *) padded batch, step by step, that a packed batch holds."""
    steps = np.arange(sorted_lengths.max())
    keep = steps[:, None] < sorted_lengths[None, :]  # (L, N) in sorted order
    rows = steps[:, None] * batch + order[None, :]
    return rows[keep]


def pack_padded_sequence(
    input: Any, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch (L, N, *) ((N, L, *) with batch_first) whose sequence i has
    `lengths[i]` steps.

    Raises:
        RuntimeError: lengths not in decreasing order with enforce_sorted, or a length
            of 0 or less.
        ValueError: lengths that do not match the batch, or longer than L.
    """
    x = _as_tensor(input)
    if batch_first:
        x = x.transpose(0, 1)
    array = _lengths_array(lengths)
    if len(array) != x.shape[1] or array.max() > x.shape[0]:
        raise ValueError(
            f"pack_padded_sequence: lengths {array.tolist()} do not fit a padded batch of "
            f"{x.shape[1]} sequences of up to {x.shape[0]} steps"
        )
    if enforce_sorted:
        if (np.diff(array) > 0).any():
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        order = np.arange(len(array))
        sorted_indices = unsorted_indices = None
    else:
        order = np.argsort(-array, kind="stable")
        sorted_indices = Tensor(order)
        unsorted_indices = Tensor(np.argsort(order))
    rows = _packed_rows(array[order], order, x.shape[1])
    data = x.reshape(x.shape[0] * x.shape[1], *x.shape[2:])[rows]
    return PackedSequence(data, Tensor(_batch_sizes(array)), sorted_indices, unsorted_indices)


def _order(packed: PackedSequence) -> np.ndarray:
    batch = int(packed.batch_sizes.data[0])
    if packed.sorted_indices is None:
        return np.arange(batch)
    return np.asarray(packed.sorted_indices.data)


def packed_lengths(packed: PackedSequence) -> np.ndarray:
    """Each sequence's length, in the batch's original order."""
    sizes = np.asarray(packed.batch_sizes.data)
    sorted_lengths = (sizes[None, :] > np.arange(sizes[0])[:, None]).sum(1)
    lengths = np.empty_like(sorted_lengths)
    lengths[_order(packed)] = sorted_lengths
    return lengths.astype(np.int64)


def unpack_to_padded(packed: PackedSequence, padding_value: float = 0.0) -> tuple[Tensor, Any]:
    """(padded (L, N, *) in the original order, the lengths as an array)."""
    data = packed.data
    lengths = packed_lengths(packed)
    order = _order(packed)
    steps, batch = len(packed.batch_sizes.data), len(lengths)
    rows = _packed_rows(lengths[order], order, batch)
    source = np.full(steps * batch, data.shape[0])  # the padding row, where no step is
    source[rows] = np.arange(data.shape[0])
    pad = full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    padded = cat([data, pad], 0)[source]
    return padded.reshape(steps, batch, *data.shape[1:]), lengths


def pack_by_lengths(padded: Tensor, lengths: np.ndarray, like: PackedSequence) -> PackedSequence:
    """`padded` (L, N, *) packed with the lengths, batch sizes and order of `like`."""
    order = _order(like)
    rows = _packed_rows(lengths[order], order, padded.shape[1])
    data = padded.reshape(padded.shape[0] * padded.shape[1], *padded.shape[2:])[rows]
    return PackedSequence(data, like.batch_sizes, like.sorted_indices, like.unsorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo `pack_padded_sequence`: (padded (T, N, *) in the original order, lengths),
    T the longest length or `total_length`.

    Raises:
        ValueError: total_length shorter than the longest sequence.
    """
    padded, lengths = unpack_to_padded(sequence, padding_value)
    if total_length is not None:
        if total_length < padded.shape[0]:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence "
                f"in input, but got total_length={total_length} and max sequence length "
                f"being {padded.shape[0]}"
            )
        extra = total_length - padded.shape[0]
        if extra:
            pad = full((extra, *padded.shape[1:]), padding_value, dtype=padded.dtype)
            padded = cat([padded, pad], 0)
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, Tensor(lengths)


def pack_sequence(sequences: Sequence[Any], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) (`pad_sequence` then `pack_padded_sequence`)."""
    lengths = [_as_tensor(s).shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)
