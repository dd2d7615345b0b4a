"""Bags of embeddings, as torch's `F.embedding_bag` and `nn.EmbeddingBag`: the rows of
a table picked by the indices of each bag, reduced per bag (sum, mean or max), as
`F.embedding` followed by a reduction per bag would give them.

Bags are given either as a 2-d input (B, L): B bags of L indices each, or as a 1-d
input of all the indices and `offsets`, the position where each bag starts. With
`include_last_offset`, `offsets` has one more entry, the end of the last bag, which
torch checks (at most the input's length) but does not use: the last bag runs to the
end of the input, here too. For bag b, with indices i_1..i_n (those equal to
`padding_idx` left out) and weights w_k:

    sum:   out[b] = sum_k w_k * weight[i_k]      (w_k = per_sample_weights, else 1)
    mean:  out[b] = sum_k weight[i_k] / n
    max:   out[b, d] = max_k weight[i_k, d]      (the first of equal maxima)

An empty bag (or one holding only `padding_idx`) gives zeros. Gradients flow to the
table (and to `per_sample_weights`): the rows of a bag share its gradient (divided by n
for the mean); in max mode each column's gradient goes to the row that held its maximum.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.checks import check_bool, check_int
from autograd.device import check_device
from autograd.ops.indexing import index_add
from nn import init
from nn.functional import _renorm_rows
from nn.module import Module, Parameter

_MODES = ("sum", "mean", "max")


def _indices(name: str, x: Any) -> np.ndarray:
    """The integer array of `x`, or torch's RuntimeError for another dtype."""
    values = np.asarray(x.data if isinstance(x, Tensor) else x)
    if values.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 '{name}' to have one of the following scalar "
            f"types: Long, Int; but got {values.dtype} instead (while checking arguments "
            "for embedding_bag)"
        )
    return values.astype(np.int64)


def _bags(idx: np.ndarray, offsets: Any, include_last_offset: bool) -> tuple[np.ndarray, int]:
    """The bag of each index of a 1-d input (-1: in none, when there are no bags),
    and the number of bags."""
    starts = _indices("offsets", offsets)
    if starts.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    n = len(idx)
    if starts.size:
        if starts[0] != 0:
            raise RuntimeError(
                "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                f"start from position 0. However, got {starts[0]}"
            )
        if starts[-1] > n:
            raise RuntimeError(
                f"offsets[-1] can not be greater than input's length {n} but got "
                f"offsets[-1] of {starts[-1]}"
            )
        if (np.diff(starts) < 0).any():
            raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {starts}")
    positions = np.arange(n)
    if include_last_offset:
        if not starts.size:
            return np.full(n, -1), 0
        # as torch's, the last bag runs to the end of the input, whatever offsets[-1]
        bag = np.searchsorted(starts[:-1], positions, side="right") - 1
        return bag, len(starts) - 1
    return np.searchsorted(starts, positions, side="right") - 1, len(starts)


def embedding_bag(
    input: Any,
    weight: Tensor,
    offsets: Any = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """The sums, means or maxima of bags of rows of `weight`, shape (B, embedding_dim),
    as `torch.nn.functional.embedding_bag` (see the module's docstring).

    `max_norm` first scales each picked row whose `norm_type`-norm exceeds it to that
    norm, in place (as `F.embedding`). `scale_grad_by_freq` divides the gradient of
    each row by the number of times its index appears in `input`.

    Raises:
        ValueError: torch's: `input` of neither 1 nor 2 dims, a 2-d input with
            `offsets` or a 1-d one without, `offsets` not 1-d, an unknown `mode`, max
            mode with `scale_grad_by_freq` or `sparse`, a `weight` that is not 2-d,
            `per_sample_weights` of another shape than `input`; also `sparse=True`
            (gradients here are dense).
        RuntimeError: torch's: indices or offsets that are not integers, an index out
            of range, offsets not starting at 0 or ending past the input (or, here,
            decreasing), `padding_idx` out of range, `per_sample_weights` of another
            dtype than `weight`, or given in another mode than "sum" (torch's
            NotImplementedError, a RuntimeError).
    """
    if (
        isinstance(weight, Tensor)
        and weight.dtype.kind in "iu"
        and isinstance(input, Tensor)
        and input.dtype.kind == "f"
    ):
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage "
            "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
            "`embedding_bag(input, weight, ...)`.",
            UserWarning,
            stacklevel=2,
        )
        weight, input = input, weight
    idx = _indices("indices", input)
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != idx.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) is not "
            f"None, then it must have the same shape as the input ({idx.shape})"
        )
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    include_last = check_bool("embedding_bag", "include_last_offset", include_last_offset)
    psw = per_sample_weights
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}"
            )
        count, length = idx.shape
        bag = np.repeat(np.arange(count), length)
        bags = count
        idx = idx.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        bag, bags = _bags(idx, offsets, include_last)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if sparse:
        raise ValueError(
            "embedding_bag: sparse=True asks for a sparse gradient, which this engine does "
            "not make; use sparse=False (the gradient is then a dense table with the same "
            "values)"
        )
    rows = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        bad = idx[(idx < 0) | (idx >= rows)][0]
        raise RuntimeError(
            f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be {bad}"
        )
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise RuntimeError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
            "on GitHub."
        )
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for "
            f"argument #1 'per_sample_weights'; but type {weight.dtype} does not equal "
            f"{psw.dtype} (while checking arguments for embedding_bag)"
        )
    if padding_idx is not None:
        check_int("embedding_bag", "padding_idx", padding_idx)
        if not -rows <= padding_idx < rows:
            raise RuntimeError(
                "padding_idx must be within the number of embeddings, "
                f"{-rows} through {rows - 1}, but got {padding_idx}"
            )
        padding_idx %= rows
    used = bag >= 0
    if padding_idx is not None:
        used &= idx != padding_idx
    picked = np.flatnonzero(used)
    idx, bag = idx[picked], bag[picked]
    table = weight[idx]  # (n, D)
    if mode == "max":
        return _bag_max(table, bag, bags)
    if scale_grad_by_freq and table.requires_grad:
        counts = np.bincount(idx, minlength=rows)[idx]
        scale = (1 / counts)[:, None].astype(table.dtype)
        table.register_hook(lambda g: g * scale)
    if psw is not None and len(picked):
        table = table * psw[picked].reshape(-1, 1)
    zeros = Tensor(np.zeros((bags, weight.shape[1]), dtype=weight.dtype))
    out = index_add(zeros, 0, bag, table)
    if psw is not None and not len(picked):
        out = out + psw.sum() * 0  # nothing read: a zero gradient, as torch's
    if mode == "mean":
        sizes = np.maximum(np.bincount(bag, minlength=bags), 1)
        out = out / sizes[:, None].astype(weight.dtype)
    return out


def _bag_max(table: Tensor, bag: np.ndarray, bags: int) -> Tensor:
    """Each bag's column-wise maximum of `table`'s rows (zeros for an empty bag), read
    from the first row holding it, so its gradient goes to that row. `bag` is
    non-decreasing (offsets are), so each bag's rows are contiguous."""
    dim = table.shape[1]
    if not len(bag):
        return Tensor(np.zeros((bags, dim), dtype=table.dtype)) + table.sum() * 0
    values = table.data
    filled = np.bincount(bag, minlength=bags) > 0
    starts = np.searchsorted(bag, np.flatnonzero(filled))
    top = np.maximum.reduceat(values, starts, axis=0)  # per non-empty bag
    rank = np.cumsum(filled) - 1  # the row of `top` of each bag
    positions = np.arange(len(bag))[:, None]
    peak = top[rank[bag]]
    hit = (values == peak) | (np.isnan(values) & np.isnan(peak))  # NaN: the first NaN row
    at_top = np.where(hit, positions, len(bag))
    first = np.minimum.reduceat(at_top, starts, axis=0)  # (non-empty bags, dim)
    best = np.zeros((bags, dim), dtype=np.int64)
    best[filled] = first
    out = table[best, np.arange(dim)]
    return out * filled[:, None].astype(table.dtype)


class EmbeddingBag(Module):
    """`embedding_bag` with its own table, as `torch.nn.EmbeddingBag`: called
    `bag(input, offsets=None, per_sample_weights=None)`; output (B, embedding_dim).

    The weight (num_embeddings, embedding_dim) starts as N(0, 1) draws (PyTorch's, from
    `autograd.default_generator` or `rng`), the `padding_idx` row set to 0.

    Raises:
        ValueError: counts that are not positive, a `padding_idx` out of range (torch's
            AssertionError), a `_weight` of another shape, or an unknown `mode`.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Any = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device: Any = None,
        dtype: Any = None,
        *,
        rng: init.Rng = None,
    ) -> None:
        super().__init__()
        check_device(device)
        self.num_embeddings = check_int("EmbeddingBag", "num_embeddings", num_embeddings, minimum=0)
        self.embedding_dim = check_int("EmbeddingBag", "embedding_dim", embedding_dim, minimum=0)
        if mode not in _MODES:
            raise ValueError(f"EmbeddingBag: mode has to be one of sum, mean or max, got {mode!r}")
        if padding_idx is not None:
            check_int("EmbeddingBag", "padding_idx", padding_idx)
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"EmbeddingBag: padding_idx must be within num_embeddings "
                    f"({num_embeddings}), got {padding_idx}"
                )
            padding_idx %= num_embeddings
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = padding_idx
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        shape = (num_embeddings, embedding_dim)
        if _weight is None:
            kind = get_default_dtype() if dtype is None else np.dtype(dtype)
            self.weight = Parameter(np.zeros(shape, dtype=kind))
            init.normal_(self.weight, rng=rng)
            if padding_idx is not None:
                self.weight.data[padding_idx] = 0
        else:
            self.weight = Parameter(_weight)
            if self.weight.shape != shape:
                raise ValueError(
                    f"EmbeddingBag: shape of weight {self.weight.shape} does not match "
                    f"num_embeddings and embedding_dim {shape}"
                )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """A bag over the given table (copied in as the weight; no gradient with
        `freeze`)."""
        table = np.asarray(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if table.ndim != 2:
            raise ValueError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = table.shape
        bag = cls(
            rows,
            cols,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            mode,
            sparse,
            table,
            include_last_offset,
            padding_idx,
        )
        bag.weight.requires_grad = not freeze
        return bag

    def forward(
        self, input: Any, offsets: Any = None, per_sample_weights: Tensor | None = None
    ) -> Tensor:
        return embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s
