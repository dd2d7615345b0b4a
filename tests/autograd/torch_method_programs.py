"""Steps of the random programs (`torch_programs`) for PyTorch's Tensor methods and
functions beyond numpy's: each draws its arguments to suit the current shape and
applies the same call on both sides, where torch spells it the same way.

Imported at the end of `torch_programs`, whose `SPECS` these add to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import autograd
from tests.autograd import torch_programs as tp
from tests.autograd.torch_programs import Pair, new_leaf, positive, spec


def _rng(draw: Any) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _dim(draw: Any, ndim: int) -> int:
    return draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))


def _index(array: np.ndarray) -> Any:
    return tp.torch.tensor(array, dtype=tp.torch.int64)


@spec("cumsum", "Cumsum")
def _cumsum(draw, x, pool, leaves):
    dim = _dim(draw, x.ours.ndim)
    return Pair(x.ours.cumsum(dim), tp.torch.cumsum(x.theirs, dim))


@spec("prod", "Prod", "Mul")
def _prod(draw, x, pool, leaves):
    """Over one dim (negative too, keepdim or not) or all, with some elements zeroed
    (a row of one zero, of several) so PyTorch's gradient at zeros is compared too."""
    if draw(st.booleans()):
        mask = (_rng(draw).random(x.shape) < 0.7).astype(np.float64)
        x = Pair(x.ours * mask, x.theirs * tp.torch.tensor(mask))
    if x.ours.ndim == 0 or draw(st.integers(0, 3)) == 0:
        return Pair(x.ours.prod(), x.theirs.prod())
    dim, keepdim = _dim(draw, x.ours.ndim), draw(st.booleans())
    return Pair(x.ours.prod(dim, keepdim), x.theirs.prod(dim, keepdim))


@spec("amax_amin", "Max", "Min", "Clip")
def _amax_amin(draw, x, pool, leaves):
    """Over an int, a tuple or all dims; sometimes after clamping, so several elements
    tie for the extreme and share its gradient evenly, as in torch."""
    name = draw(st.sampled_from(["amax", "amin"]))
    if draw(st.booleans()):
        lo, hi = (None, 0.3) if name == "amax" else (-0.3, None)
        x = Pair(x.ours.clip(lo, hi), tp.torch.clamp(x.theirs, lo, hi))
    ndim = x.ours.ndim
    dim = tp.draw_axis(draw, ndim, allow_none=False) if ndim else ()
    keepdim = draw(st.booleans())
    ours = getattr(autograd, name)(x.ours, dim, keepdim)
    return Pair(ours, getattr(tp.torch, name)(x.theirs, dim, keepdim))


def _smaller_shape(draw: Any, shape: tuple[int, ...], dim: int, along: int) -> tuple[int, ...]:
    """An index shape: no larger than `shape` apart from `dim`, `along` entries on it."""
    return tuple(along if d == dim else draw(st.integers(1, n)) for d, n in enumerate(shape))


@spec("gather", "GetItem", min_ndim=1)
def _gather(draw, x, pool, leaves):
    ndim = x.ours.ndim
    dim = _dim(draw, ndim)
    shape = _smaller_shape(draw, x.shape, dim % ndim, draw(st.integers(1, 4)))
    index = _rng(draw).integers(0, x.shape[dim], shape)  # repeats accumulate
    return Pair(autograd.gather(x.ours, dim, index), tp.torch.gather(x.theirs, dim, _index(index)))


@spec("index_select", "GetItem", min_ndim=1)
def _index_select(draw, x, pool, leaves):
    dim = _dim(draw, x.ours.ndim)
    index = np.array(draw(st.lists(st.integers(0, x.shape[dim] - 1), min_size=1, max_size=5)))
    return Pair(x.ours.index_select(dim, index), x.theirs.index_select(dim, _index(index)))


@spec("scatter", "Scatter", "GetItem", min_ndim=1)
def _scatter(draw, x, pool, leaves):
    """src a fresh leaf or a number; indices distinct along `dim` within each line (with
    repeats, which write wins is unspecified in torch)."""
    ndim = x.ours.ndim
    dim = _dim(draw, ndim) % ndim
    shape = _smaller_shape(draw, x.shape, dim, draw(st.integers(1, x.shape[dim])))
    lines = np.argsort(_rng(draw).random(x.shape), axis=dim)
    index = lines[tuple(slice(0, n) for n in shape)]
    if draw(st.booleans()):
        value = draw(st.sampled_from([0.0, -1.5, 2.0]))
        return Pair(
            x.ours.scatter(dim, index, value=value), x.theirs.scatter(dim, _index(index), value)
        )
    src = new_leaf(draw, shape, leaves)
    return Pair(
        x.ours.scatter(dim, index, src.ours), x.theirs.scatter(dim, _index(index), src.theirs)
    )


@spec("scatter_add", "IndexAdd", "Add", min_ndim=1)
def _scatter_add(draw, x, pool, leaves):
    ndim = x.ours.ndim
    dim = _dim(draw, ndim) % ndim
    shape = _smaller_shape(draw, x.shape, dim, draw(st.integers(1, 4)))
    index = _rng(draw).integers(0, x.shape[dim], shape)
    src = new_leaf(draw, shape, leaves)
    ours = autograd.scatter_add(x.ours, dim, index, src.ours)
    return Pair(ours, tp.torch.scatter_add(x.theirs, dim, _index(index), src.theirs))


def _no_near_ties(values: np.ndarray, dim: int) -> bool:
    """No two values along `dim` differ by less than 1e-9 of the largest without being
    equal."""
    gaps = np.abs(np.diff(np.sort(values, axis=dim), axis=dim))
    scale = max(1.0, float(np.abs(values).max())) if values.size else 1.0
    return not ((gaps > 0) & (gaps < 1e-9 * scale)).any()


@spec("sort", "GetItem")
def _sort(draw, x, pool, leaves):
    """Values and indices (ties kept in order on both sides: torch's stable sort).

    Values that tie only nearly are left out: torch computes one function on equal
    inputs with a last-bit difference by position (its vector loop and its tail: erfc
    of a `repeat`ed row), so its order of such "ties" says nothing."""
    dim, descending = _dim(draw, x.ours.ndim), draw(st.booleans())
    if x.ours.ndim:
        assume(_no_near_ties(x.ours.data, dim) and _no_near_ties(x.theirs.detach().numpy(), dim))
    ours = x.ours.sort(dim, descending)
    theirs = tp.torch.sort(x.theirs, dim=dim, descending=descending, stable=True)
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    return Pair(ours.values, theirs.values)


@spec("topk", "GetItem")
def _topk(draw, x, pool, leaves):
    """The k largest or smallest, sorted; values distinct along `dim` (torch leaves
    the choice among ties unspecified)."""
    ndim = x.ours.ndim
    dim = _dim(draw, ndim)
    if ndim:
        assume((np.diff(np.sort(x.ours.data, axis=dim), axis=dim) != 0).all())
    k = draw(st.integers(0, x.shape[dim] if ndim else 1))
    largest = draw(st.booleans())
    ours = x.ours.topk(k, dim, largest)
    theirs = x.theirs.topk(k, dim, largest)
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    return Pair(ours.values, theirs.values)


@spec("flip", "Flip")
def _flip(draw, x, pool, leaves):
    ndim = x.ours.ndim
    dims = draw(st.lists(st.integers(0, max(ndim - 1, 0)), unique=True, max_size=ndim))
    dims = [d - ndim if draw(st.booleans()) else d for d in dims]
    return Pair(x.ours.flip(dims), x.theirs.flip(dims))


@spec("roll", "Roll")
def _roll(draw, x, pool, leaves):
    ndim = x.ours.ndim
    if ndim == 0 or draw(st.integers(0, 3)) == 0:  # the flattened tensor
        shift = draw(st.integers(-7, 7))
        return Pair(autograd.roll(x.ours, shift), tp.torch.roll(x.theirs, shift))
    dims = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=3))
    shifts = draw(st.lists(st.integers(-5, 5), min_size=len(dims), max_size=len(dims)))
    return Pair(x.ours.roll(shifts, dims), x.theirs.roll(shifts, dims))


@spec("expand", "BroadcastTo")
def _expand(draw, x, pool, leaves):
    sizes = [
        draw(st.sampled_from([-1, 1, 3])) if n == 1 else draw(st.sampled_from([-1, n]))
        for n in x.shape
    ]
    if len(sizes) < 3 and draw(st.booleans()):
        sizes = [2, *sizes]
    if sizes and draw(st.booleans()):
        return Pair(x.ours.expand(*sizes), x.theirs.expand(*sizes))
    return Pair(x.ours.expand(sizes), x.theirs.expand(sizes))


@spec("repeat", "Reshape", "BroadcastTo")
def _repeat(draw, x, pool, leaves):
    reps = [draw(st.integers(1, 2)) for _ in x.shape]
    if len(reps) < 3 and draw(st.booleans()):
        reps = [draw(st.integers(0, 2)), *reps]
    assume(reps)
    return Pair(x.ours.repeat(*reps), x.theirs.repeat(*reps))


@spec("einsum", "Einsum")
def _einsum(draw, x, pool, leaves):
    """Sums, permutations, contractions with a fresh leaf (explicit and implicit
    output, "..." broadcast against size-1 dims), outer products, diagonals."""
    ndim = x.ours.ndim
    letters = "abcdefgh"[:ndim]
    form = draw(st.sampled_from(["sum", "permute", "contract", "ellipsis", "outer", "diagonal"]))
    if form == "sum":
        return _both(f"{letters}->", x)
    if form == "permute":
        perm = "".join(draw(st.permutations(letters)))
        return _both(f"{letters}->{perm}" if draw(st.booleans()) else perm, x)
    if form == "diagonal":
        assume(ndim >= 2 and x.shape[0] == x.shape[1])
        rest = letters[2:]
        return _both(f"aa{rest}->a{rest}" if draw(st.booleans()) else f"aa{rest}", x)
    if form == "outer":
        v = new_leaf(draw, (draw(st.integers(1, 3)),), leaves)
        return _both(f"{letters},z->z{letters}", x, v)
    assume(ndim >= 1)
    k = x.shape[-1]
    if form == "contract":  # x's last dim against a matrix; implicit output sorts letters
        w = new_leaf(draw, (k, draw(st.integers(1, 3))), leaves)
        explicit = draw(st.booleans())
        return _both(f"{letters},{letters[-1]}y" + (f"->{letters[:-1]}y" if explicit else ""), x, w)
    batches = [(), (1,), x.shape[-2:-1]] + ([(2, *x.shape[-2:-1])] if ndim <= 2 else [])
    batch = draw(st.sampled_from(batches))  # broadcasts against x's leading dims
    w = new_leaf(draw, (*batch, 1, k), leaves)  # its 1 broadcasts against x's dims
    return _both("...i,...ji->...j", x, w)


def _both(equation: str, *pairs: Pair) -> Pair:
    return Pair(
        autograd.einsum(equation, *(p.ours for p in pairs)),
        tp.torch.einsum(equation, *(p.theirs for p in pairs)),
    )


def _as_matrix(x: Pair) -> Pair:
    return Pair(x.ours.reshape(x.shape[0], -1), x.theirs.reshape(x.shape[0], -1))


@spec("diag", "GetItem", "IndexAdd", min_ndim=1)
def _diag(draw, x, pool, leaves):
    if x.ours.ndim > 2:
        x = _as_matrix(x)
    k = draw(st.integers(-2, 2))
    return Pair(x.ours.diag(k), tp.torch.diag(x.theirs, k))


@spec("trace", "GetItem", "Sum", min_ndim=1)
def _trace(draw, x, pool, leaves):
    x = _as_matrix(x)
    return Pair(x.ours.trace(), tp.torch.trace(x.theirs))


@spec("products", "MatMul", "Mul", "Reshape")
def _products(draw, x, pool, leaves):
    """dot, outer (x as a vector), mm and bmm (x as a matrix or a batch of them)."""
    name = draw(st.sampled_from(["dot", "outer", "mm", "bmm"]))
    if name in ("dot", "outer"):
        v = Pair(x.ours.reshape(-1), x.theirs.reshape(-1))
        w = new_leaf(draw, v.shape if name == "dot" else (draw(st.integers(1, 3)),), leaves)
    elif name == "mm":
        v = (
            Pair(x.ours.reshape(1, -1), x.theirs.reshape(1, -1))
            if x.ours.ndim < 2
            else _as_matrix(x)
        )
        w = new_leaf(draw, (v.shape[1], draw(st.integers(1, 3))), leaves)
    else:
        n = x.shape[0] if x.ours.ndim else 1
        v = Pair(x.ours.reshape(n, 1, -1), x.theirs.reshape(n, 1, -1))
        w = new_leaf(draw, (n, v.shape[2], 2), leaves)
    pairs = [w, v] if name == "outer" and draw(st.booleans()) else [v, w]
    return Pair(
        getattr(pairs[0].ours, name)(pairs[1].ours),
        getattr(tp.torch, name)(pairs[0].theirs, pairs[1].theirs),
    )


@spec("slices", "GetItem", min_ndim=1)
def _slices(draw, x, pool, leaves):
    """narrow, chunk and split (by size or sizes): views; one piece goes on."""
    ndim = x.ours.ndim
    dim = _dim(draw, ndim)
    n = x.shape[dim]
    form = draw(st.sampled_from(["narrow", "chunk", "split", "sections"]))
    if form == "narrow":
        start = draw(st.integers(-n, n - 1))
        length = draw(st.integers(0, n - start % n))
        assume(length)
        return Pair(x.ours.narrow(dim, start, length), x.theirs.narrow(dim, start, length))
    if form == "chunk":
        arg: Any = draw(st.integers(1, 4))
        ours, theirs = x.ours.chunk(arg, dim), x.theirs.chunk(arg, dim)
    else:
        if form == "split":
            arg = draw(st.integers(1, n))
        else:
            cuts = sorted(draw(st.lists(st.integers(0, n), max_size=2)))
            arg = [b - a for a, b in zip([0, *cuts], [*cuts, n])]
        ours, theirs = x.ours.split(arg, dim), x.theirs.split(arg, dim)
    assert len(ours) == len(theirs)
    i = draw(st.integers(0, len(ours) - 1))
    assume(ours[i].size)
    return Pair(ours[i], theirs[i])


@spec("movedim", "Transpose", min_ndim=1)
def _movedim(draw, x, pool, leaves):
    ndim = x.ours.ndim
    count = draw(st.integers(1, ndim))
    source = draw(st.lists(st.integers(0, ndim - 1), min_size=count, max_size=count, unique=True))
    destination = draw(
        st.lists(
            st.integers(-ndim, ndim - 1),
            min_size=count,
            max_size=count,
            unique_by=lambda d: d % ndim,
        )
    )
    return Pair(x.ours.movedim(source, destination), x.theirs.movedim(source, destination))


@spec("unflatten", "Reshape", min_ndim=1)
def _unflatten(draw, x, pool, leaves):
    dim = _dim(draw, x.ours.ndim)
    n = x.shape[dim]
    first = draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    sizes = draw(st.sampled_from([(first, n // first), (first, -1), (-1, first, 1)]))
    return Pair(x.ours.unflatten(dim, sizes), x.theirs.unflatten(dim, sizes))


@spec("contiguous", "Contiguous", "Transpose", min_ndim=2)
def _contiguous(draw, x, pool, leaves):
    """(Intermediate values may lie otherwise in memory than torch's: the layouts of
    fresh tensors are compared in test_torch_methods.)"""
    ours, theirs = x.ours.transpose(0, -1).contiguous(), x.theirs.transpose(0, -1).contiguous()
    assert ours.is_contiguous()
    return Pair(ours, theirs)


@spec("rsqrt_square", "Pow", "Mul")
def _rsqrt_square(draw, x, pool, leaves):
    if draw(st.booleans()):
        return Pair(x.ours.square(), tp.torch.square(x.theirs))
    p = positive(x)
    return Pair(p.ours.rsqrt(), tp.torch.rsqrt(p.theirs))


@spec("clamp_min_max", "Clip")
def _clamp_min_max(draw, x, pool, leaves):
    bound = draw(st.sampled_from([-0.5, 0.0, 1.0]))
    if draw(st.booleans()):
        return Pair(autograd.clamp_min(x.ours, bound), tp.torch.clamp_min(x.theirs, bound))
    return Pair(autograd.clamp_max(x.ours, bound), tp.torch.clamp_max(x.theirs, bound))


@spec("add_sub_alpha", "Add", "Sub", "Mul")
def _add_sub_alpha(draw, x, pool, leaves):
    other = new_leaf(draw, tp.broadcast_partner(draw, x.shape), leaves)
    alpha = draw(st.sampled_from([1, 2.5, -0.5]))
    name = draw(st.sampled_from(["add", "sub"]))
    return Pair(
        getattr(x.ours, name)(other.ours, alpha=alpha),
        getattr(x.theirs, name)(other.theirs, alpha=alpha),
    )


def _some_zeros(draw: Any, x: Pair) -> Pair:
    """`x`, or `x` with about a third of its elements zeroed (rows of one zero, of several)."""
    if not draw(st.booleans()):
        return x
    mask = (_rng(draw).random(x.shape) < 0.7).astype(np.float64)
    return Pair(x.ours * mask, x.theirs * tp.torch.tensor(mask))


@spec("cumprod", "Cumprod", "Mul")
def _cumprod(draw, x, pool, leaves):
    """Along a dim (negative too), sometimes with zeros: torch's exact gradient there."""
    x = _some_zeros(draw, x)
    dim = _dim(draw, x.ours.ndim)
    return Pair(x.ours.cumprod(dim), tp.torch.cumprod(x.theirs, dim))


@spec("logcumsumexp", "LogCumSumExp")
def _logcumsumexp(draw, x, pool, leaves):
    """Along a dim. (A longer fuzz finds programs where a later step sends this one a
    gradient of exactly 0, e.g. abs at 0: there torch's second derivative is NaN, or off
    (0.62 where central differences give ours, 0.51), from its log|0|; ours takes no
    log of 0.)"""
    dim = _dim(draw, x.ours.ndim)
    return Pair(autograd.logcumsumexp(x.ours, dim), tp.torch.logcumsumexp(x.theirs, dim))


@spec("median_all", "MedianAll", "Mul")
def _median_all(draw, x, pool, leaves):
    """Of all elements, sometimes with zeros, which tie and share the gradient evenly."""
    x = _some_zeros(draw, x)
    name = draw(st.sampled_from(["median", "nanmedian"]))
    return Pair(getattr(x.ours, name)(), getattr(x.theirs, name)())


@spec("order_values", "GetItem", "Mul")
def _order_values(draw, x, pool, leaves):
    """`median`/`nanmedian` along a dim and the running `cummax`/`cummin`, sometimes with
    zeros that tie (for cummax/cummin: the same index on both sides, and the gradient
    taken there). Medians that tie are left out (`_median_is_unique`).

    Which of tied medians torch picks depends on the memory layout among other things
    (its docs leave it open): of the expanded [v, v] it picks index 1, of the same values
    stored apart index 0, as ours does. An expanded input is made contiguous first."""
    x = _some_zeros(draw, x)
    name = draw(st.sampled_from(["median", "nanmedian", "cummax", "cummin"]))
    if name in ("median", "nanmedian") and 0 in x.theirs.stride():
        x = Pair(x.ours.contiguous(), x.theirs.contiguous())
    ndim = x.ours.ndim
    dim = _dim(draw, ndim)
    assume(not ndim or x.shape[dim] > 0)
    ours, theirs = getattr(x.ours, name)(dim), getattr(x.theirs, name)(dim)
    if name in ("median", "nanmedian") and ndim:
        assume(_median_is_unique(x.ours.data, ours.values.data, dim))
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    return Pair(ours.values, theirs.values)


def _median_is_unique(data, medians, dim):
    """True if no slice holds its median (or a NaN median) twice. Which of tied medians
    torch returns follows its selection algorithm, not the layout alone (a column [a, a,
    b] stored apart gave index 1 after a broadcast program): its docs leave it open."""
    along = np.moveaxis(data, dim, -1)
    med = medians[..., None]
    same = (along == med) | (np.isnan(along) & np.isnan(med))
    return bool((same.sum(axis=-1) <= 1).all())


@spec("diff_select_repeat", "Sub", "GetItem", min_ndim=1)
def _diff_select_repeat(draw, x, pool, leaves):
    """`diff` (n of 1 or 2), `select` and `repeat_interleave` along a dim."""
    ndim = x.ours.ndim
    dim = _dim(draw, ndim)
    size = x.shape[dim]
    choice = draw(st.sampled_from(["diff", "select", "repeat_interleave"]))
    if choice == "diff":
        n = draw(st.integers(1, 2))
        return Pair(x.ours.diff(n, dim), tp.torch.diff(x.theirs, n, dim))
    if choice == "select":
        assume(size > 0)
        index = draw(st.integers(-size, size - 1))
        return Pair(x.ours.select(dim, index), x.theirs.select(dim, index))
    counts = _rng(draw).integers(0, 3, size)
    return Pair(
        x.ours.repeat_interleave(autograd.tensor(counts), dim),
        x.theirs.repeat_interleave(_index(counts), dim),
    )
