"""Every registered op, gradchecked in float64 against central differences.

One row per case: (id, function, input shapes, domain, smooth). A coverage test
fails when a registered op appears in no row's graph.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd
import autograd.special
from autograd import Function, Tensor, gradcheck, gradgradcheck
from autograd.ops.conv import ConvWeight
from autograd.ops.unpooling import max_unpool2d
from tests.autograd.torch_programs import legendre3

POS = (0.5, 2.0)  # strictly positive inputs (log, sqrt, division)
ANY = (-2.0, 2.0)
AWAY = "away"  # values kept at least 0.1 away from 0 (kinks of abs, relu, step)

REPEATED = np.array([0, 2, 0, 1, 0])
MASK = np.array([True, False, True, False])
LABELS = np.array([0, 2, 1, 2, 2])
LABELS2 = np.array([[0, 3, 1], [2, 2, 0]])
ZEROS = np.array(
    [[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
)  # rows of 1, 2, 0 zeros
REPEATS = autograd.tensor(np.array([2, 0, 1, 3]))
NANS = np.array([[1.0, np.nan, 1.0, 1.0], [np.nan, np.nan, np.nan, 1.0], [1.0, 1.0, 1.0, 1.0]])
SPECIALS = np.array([[1.0, np.inf, 1.0, -np.inf], [np.nan, 1.0, 1.0, 1.0], [1.0] * 4])
GATHER = np.array([[0, 2, 2], [1, 0, 1]])  # repeated entries accumulate
SCATTER = np.array([[3, 0], [1, 2]])  # distinct per row: each written element is one src's


def with_nans(a):
    """`a` with NaN where NANS has it (no gradient there)."""
    return autograd.where(np.isnan(NANS), NANS, a)


def with_specials(a):
    """`a` with NaN, inf and -inf where SPECIALS has them (no gradient there)."""
    return autograd.where(~np.isfinite(SPECIALS), SPECIALS, a)


def written(a, index, value, add=False):
    """A copy of `a` written in place at `index` (`y[index] = value`, or `+= value`)."""
    y = a * 1
    if add:
        y[index] += value * value
    else:
        y[index] = value * value
    return y * a


def flat(outputs):
    """A recurrent op's outputs and final states, flattened end to end."""
    return autograd.cat([o.reshape(-1) for o in outputs])


#: indices into 3 x 3 planes for the max_unpool2d case (distinct: where two values
#: name one position, only the later one shows, yet both get its gradient, as torch's)
UNPOOL_INDICES = Tensor(np.array([0, 4, 2, 8, 1, 3, 5, 7]).reshape(1, 2, 2, 2))
Legendre3 = legendre3(autograd)  # a Function written PyTorch's way (`autograd.custom`)


CASES = [
    ("add_broadcast", lambda a, b: a + b, [(3, 1), (1, 4)], ANY, True),
    ("add_scalar_array", lambda a, b: a + b, [(), (2, 3)], ANY, True),
    ("add_python_scalar", lambda a: 2.5 + a, [(3,)], ANY, True),
    ("sub_broadcast", lambda a, b: a - b, [(2, 3, 4), (3, 1)], ANY, True),
    ("rsub_scalar", lambda a: 1.0 - a, [(3,)], ANY, True),
    ("mul_broadcast", lambda a, b: a * b, [(3, 1), (1, 4)], ANY, True),
    ("mul_0d", lambda a, b: a * b, [(), ()], ANY, True),
    ("div_broadcast", lambda a, b: a / b, [(2, 3), (3,)], POS, True),
    ("remainder_broadcast", lambda a, b: (a * 3) % b, [(2, 3), (3,)], POS, True),
    ("rdiv_scalar", lambda a: 1.0 / a, [(4,)], POS, True),
    ("neg", lambda a: -a, [(2, 3)], ANY, True),
    ("pow_const", lambda a: a**3, [(2, 3)], ANY, True),
    ("pow_tensor", lambda a, b: a**b, [(2, 3), (3,)], POS, True),
    ("rpow", lambda a: 2.0**a, [(4,)], ANY, True),
    ("abs", lambda a: abs(a), [(5,)], AWAY, False),
    ("maximum", lambda a, b: autograd.maximum(a, b), [(3, 4), (4,)], ANY, False),
    ("minimum", lambda a, b: autograd.minimum(a, b), [(3, 1), (1, 4)], ANY, False),
    ("where", lambda a, b: autograd.where(a.data > 0, a, b * 2), [(3, 4), (4,)], ANY, True),
    ("matmul_2d", lambda a, b: a @ b, [(3, 4), (4, 2)], ANY, True),
    ("matmul_1d_2d", lambda a, b: a @ b, [(4,), (4, 2)], ANY, True),
    ("matmul_2d_1d", lambda a, b: a @ b, [(3, 4), (4,)], ANY, True),
    ("matmul_1d_1d", lambda a, b: a @ b, [(4,), (4,)], ANY, True),
    ("matmul_batched", lambda a, b: a @ b, [(2, 3, 4), (2, 4, 5)], ANY, True),
    ("matmul_batch_broadcast", lambda a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)], ANY, True),
    ("matmul_1d_batched", lambda a, b: a @ b, [(4,), (2, 4, 3)], ANY, True),
    ("matmul_batched_1d", lambda a, b: a @ b, [(2, 3, 4), (4,)], ANY, True),
    ("astype", lambda a: a.astype(np.float64) * 2, [(3,)], ANY, True),
    ("exp", lambda a: a.exp(), [(2, 3)], ANY, True),
    ("log", lambda a: a.log(), [(2, 3)], POS, True),
    ("log10", lambda a: a.log10(), [(2, 3)], POS, True),
    ("log2", lambda a: autograd.log2(a), [(2, 3)], POS, True),
    ("sqrt", lambda a: a.sqrt(), [(2, 3)], POS, True),
    ("sin", lambda a: a.sin(), [(2, 3)], ANY, True),
    ("cos", lambda a: a.cos(), [(2, 3)], ANY, True),
    ("sinh", lambda a: a.sinh(), [(2, 3)], ANY, True),
    ("cosh", lambda a: autograd.cosh(a), [(2, 3)], ANY, True),
    ("tanh", lambda a: a.tanh(), [(2, 3)], ANY, True),
    ("sigmoid", lambda a: a.sigmoid(), [(2, 3)], ANY, True),
    ("relu", lambda a: a.relu(), [(2, 3)], AWAY, False),
    ("leaky_relu", lambda a: a.leaky_relu(0.1), [(2, 3)], AWAY, False),
    ("elu", lambda a: a.elu(0.7), [(2, 3)], AWAY, False),
    ("erf", lambda a: a.erf(), [(2, 3)], ANY, True),
    ("gelu", lambda a: a.gelu(), [(2, 3)], ANY, True),
    ("gelu_tanh", lambda a: a.gelu("tanh"), [(2, 3)], ANY, True),
    ("softplus", lambda a: a.softplus(), [(2, 3)], ANY, True),
    ("silu", lambda a: a.silu(), [(2, 3)], ANY, True),
    ("clip", lambda a: a.clip(-1.0, 1.0), [(3, 4)], (-1.7, 1.7), False),
    ("sign", lambda a: a.sign() * a, [(4,)], AWAY, False),
    ("step", lambda a: a.step() * a, [(4,)], AWAY, False),
    ("round", lambda a: autograd.round(a) * a, [(4,)], AWAY, False),
    ("sum_all", lambda a: a.sum(), [(2, 3)], ANY, True),
    ("sum_axis", lambda a: a.sum(axis=1), [(2, 3, 4)], ANY, True),
    ("sum_tuple_keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True), [(2, 3, 4)], ANY, True),
    ("sum_0d", lambda a: a.sum(), [()], ANY, True),
    ("mean_axis", lambda a: a.mean(axis=-1), [(3, 4)], ANY, True),
    ("mean_tuple", lambda a: a.mean(axis=(0, 1), keepdims=True), [(2, 3, 2)], ANY, True),
    ("max_all", lambda a: a.max(), [(3, 4)], ANY, False),
    ("max_axis", lambda a: a.max(axis=0), [(3, 4)], ANY, False),
    ("min_keepdims", lambda a: a.min(axis=1, keepdims=True), [(3, 4)], ANY, False),
    ("var", lambda a: a.var(axis=1), [(3, 4)], ANY, True),
    ("var_ddof", lambda a: a.var(ddof=1), [(3, 4)], ANY, True),
    ("std", lambda a: a.std(axis=0, keepdims=True), [(3, 4)], ANY, True),
    ("norm_rows", lambda a: a.norm(dim=1), [(3, 4)], ANY, True),
    ("norm_all_keepdims", lambda a: autograd.norm(a, keepdims=True), [(2, 3)], ANY, True),
    ("logsumexp", lambda a: a.logsumexp(axis=1), [(3, 4)], ANY, True),
    ("logsumexp_all", lambda a: a.logsumexp(), [(3, 4)], ANY, True),
    ("softmax", lambda a: a.softmax(axis=-1), [(3, 4)], ANY, True),
    ("softmax_axis0", lambda a: a.softmax(axis=0), [(3, 4)], ANY, True),
    ("log_softmax", lambda a: a.log_softmax(axis=1), [(3, 4)], ANY, True),
    ("reshape", lambda a: a.reshape(3, 2) * 1.5, [(2, 3)], ANY, True),
    ("transpose", lambda a: a.transpose(2, 0, 1), [(2, 3, 4)], ANY, True),
    ("T", lambda a, b: a.T @ b, [(3, 2), (3, 4)], ANY, True),
    ("squeeze", lambda a: a.squeeze(1), [(3, 1, 2)], ANY, True),
    ("expand_dims", lambda a, b: a.expand_dims(0) * b, [(3,), (2, 1)], ANY, True),
    ("flatten", lambda a: a.flatten(), [(2, 3)], ANY, True),
    ("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)), [(3, 1)], ANY, True),
    ("getitem_slice", lambda a: a[1:, ::2], [(3, 4)], ANY, True),
    ("getitem_int_none_ellipsis", lambda a: a[1, None, ..., 0], [(3, 4, 2)], ANY, True),
    ("getitem_repeated", lambda a: a[REPEATED], [(3, 2)], ANY, True),
    ("getitem_pairs", lambda a: a[np.arange(5), REPEATED], [(5, 3)], ANY, True),
    ("getitem_mask", lambda a: a[MASK], [(4, 2)], ANY, True),
    ("index_add", lambda a: autograd.index_add(a, REPEATED, (4,)), [(5,)], ANY, True),
    ("custom_function", lambda a, b: Legendre3.apply(a * b), [(2, 3), (3,)], ANY, True),
    ("setitem_row_broadcast", lambda a, v: written(a, 1, v), [(3, 4), (1,)], ANY, True),
    ("setitem_mask", lambda a, v: written(a, MASK, v), [(4, 2), (2,)], ANY, True),
    ("setitem_pairs", lambda a, v: written(a, ([0, 2], [1, 0]), v), [(3, 2), (2,)], ANY, True),
    (
        "setitem_view_add",
        lambda a, v: written(a, (slice(None), 1), v, add=True),
        [(3, 2), (3,)],
        ANY,
        True,
    ),
    ("linear", lambda x, w, b: autograd.linear(x, w, b), [(3, 4), (2, 4), (2,)], ANY, True),
    ("linear_batched_no_bias", lambda x, w: autograd.linear(x, w), [(2, 3, 4), (2, 4)], ANY, True),
    ("dense", lambda x, w, b: autograd.dense(x, w, b), [(3, 4), (4, 2), (2,)], ANY, True),
    ("dense_batched_no_bias", lambda x, w: autograd.dense(x, w), [(2, 3, 4), (4, 2)], ANY, True),
    (
        "linear_relu",
        lambda x, w, b: autograd.linear(x, w, b, "relu"),
        [(3, 4), (2, 4), (2,)],
        ANY,
        True,
    ),
    (
        "linear_tanh_batched_no_bias",
        lambda x, w: autograd.linear(x, w, activation="tanh"),
        [(2, 3, 4), (2, 4)],
        ANY,
        True,
    ),
    (
        "dense_sigmoid",
        lambda x, w, b: autograd.dense(x, w, b, "sigmoid"),
        [(3, 4), (4, 2), (2,)],
        ANY,
        True,
    ),
    ("cross_entropy", lambda x: autograd.cross_entropy(x, LABELS), [(5, 3)], ANY, True),
    (
        "cross_entropy_column_major",
        lambda x: autograd.cross_entropy(x.T, LABELS),
        [(3, 5)],
        ANY,
        True,
    ),
    ("cross_entropy_sum", lambda x: autograd.cross_entropy(x, LABELS, "sum"), [(5, 3)], ANY, True),
    (
        "cross_entropy_none",
        lambda x: autograd.cross_entropy(x, LABELS2, "none"),
        [(2, 3, 4)],
        ANY,
        True,
    ),
    ("mse_loss", lambda x, y: autograd.mse_loss(x, y), [(3, 4), (3, 4)], ANY, True),
    ("mse_loss_sum", lambda x, y: autograd.mse_loss(x, y, "sum"), [(2, 3), (2, 3)], ANY, True),
    ("mse_loss_none", lambda x, y: autograd.mse_loss(x, y, "none"), [(2, 3), (2, 3)], ANY, True),
    (
        "binary_cross_entropy",
        lambda p, y: autograd.binary_cross_entropy(p, y),
        [(3, 4), (4,)],
        (0.1, 0.9),
        True,
    ),
    ("log_sigmoid", lambda a: autograd.log_sigmoid(a * 20), [(2, 3)], ANY, True),
    ("cat", lambda a, b: autograd.cat([a, b], axis=1), [(2, 3), (2, 2)], ANY, True),
    ("cumsum", lambda a: a.cumsum(1), [(3, 4)], ANY, True),
    ("cumsum_negative_dim_0d", lambda a, b: a.cumsum(-1) * b.cumsum(0), [(2, 3), ()], ANY, True),
    ("prod_dim", lambda a: a.prod(dim=1), [(3, 4)], ANY, True),
    ("prod_all_keepdims", lambda a: a.prod(axis=(0, 1), keepdims=True), [(2, 3)], ANY, True),
    ("prod_zeros", lambda a: (a * ZEROS).prod(dim=1), [(3, 4)], ANY, True),
    ("prod_zeros_all", lambda a: (a * ZEROS[0]).prod(), [(4,)], ANY, True),
    ("prod_zeros_columns", lambda a: (a * ZEROS).prod(0, keepdim=True), [(3, 4)], ANY, True),
    ("amax", lambda a: a.amax((0, -1), keepdim=True), [(2, 3, 2)], ANY, False),
    ("amin_all", lambda a: autograd.amin(a), [(3, 4)], ANY, False),
    ("gather", lambda a: a.gather(1, GATHER), [(2, 4)], ANY, True),
    ("gather_dim0", lambda a: autograd.gather(a, 0, GATHER), [(3, 3)], ANY, True),
    ("scatter", lambda a, s: a.scatter(1, SCATTER, s), [(2, 4), (2, 2)], ANY, True),
    ("scatter_larger_src", lambda a, s: a.scatter(-1, SCATTER, s) * a, [(2, 4), (2, 3)], ANY, True),
    (
        "scatter_value",
        lambda a: autograd.scatter(a, 1, SCATTER, value=0.5) * a,
        [(2, 4)],
        ANY,
        True,
    ),
    ("scatter_add", lambda a, s: a.scatter_add(1, GATHER, s), [(2, 4), (2, 3)], ANY, True),
    (
        "scatter_add_larger_src",
        lambda a, s: a.scatter_add(0, GATHER, s),
        [(3, 4), (3, 4)],
        ANY,
        True,
    ),
    ("index_select", lambda a: a.index_select(-1, REPEATED), [(2, 3)], ANY, True),
    ("index_add", lambda a, s: a.index_add(0, REPEATED, s, alpha=-2), [(3, 2), (5, 2)], ANY, True),
    (
        "index_add_dim1",
        lambda a, s: a.index_add(1, REPEATED, s),
        [(2, 3), (2, 5)],
        ANY,
        True,
    ),
    ("sort_values", lambda a: a.sort(0, descending=True).values, [(3, 4)], ANY, True),
    ("topk_values", lambda a: autograd.topk(a, 2, largest=False).values, [(3, 4)], ANY, True),
    ("flip", lambda a: a.flip(0, -1), [(3, 4)], ANY, True),
    ("roll", lambda a: a.roll((1, -3), (0, 1)), [(3, 4)], ANY, True),
    ("roll_flattened", lambda a: autograd.roll(a, 5), [(3, 4)], ANY, True),
    ("expand", lambda a: a.expand(2, -1, 4), [(3, 1)], ANY, True),
    ("repeat", lambda a: a.repeat(2, 1, 3), [(3, 2)], ANY, True),
    ("einsum_matmul", lambda a, b: autograd.einsum("ij,jk->ik", a, b), [(3, 4), (4, 2)], ANY, True),
    (
        "einsum_batched_implicit",
        lambda a, b: autograd.einsum("bij,bkj", a, b),
        [(2, 3, 4), (2, 2, 4)],
        ANY,
        True,
    ),
    (
        "einsum_ellipsis_broadcast",
        lambda a, b: autograd.einsum("...ij,jk->...ik", a, b),
        [(2, 3, 1), (4, 2)],
        ANY,
        True,
    ),
    (
        "einsum_sum_alone",
        lambda a, b: autograd.einsum("ij,j->i", a, b) * 1,
        [(3, 4), (1,)],
        ANY,
        True,
    ),
    ("einsum_diagonal", lambda a, b: autograd.einsum("ii,j->ij", a, b), [(3, 3), (2,)], ANY, True),
    (
        "einsum_three",
        lambda a, b, c: autograd.einsum("i,j,ij->", a, b, c),
        [(3,), (2,), (3, 2)],
        ANY,
        True,
    ),
    ("diag_vector", lambda a: a.diag(1), [(3,)], ANY, True),
    ("diag_matrix", lambda a: autograd.diag(a, -1), [(3, 4)], ANY, True),
    ("trace", lambda a: a.trace(), [(3, 4)], ANY, True),
    ("outer", lambda a, b: autograd.outer(a, b), [(3,), (2,)], ANY, True),
    ("dot", lambda a, b: a.dot(b), [(3,), (3,)], ANY, True),
    ("mm", lambda a, b: a.mm(b), [(3, 4), (4, 2)], ANY, True),
    ("bmm", lambda a, b: autograd.bmm(a, b), [(2, 3, 4), (2, 4, 2)], ANY, True),
    ("narrow", lambda a: a.narrow(1, -3, 2), [(3, 4)], ANY, True),
    ("diagonal", lambda a: a.diagonal(1, 2, 0) ** 2, [(3, 2, 4)], ANY, True),
    ("movedim", lambda a: a.movedim((0, 1), (2, 0)), [(2, 3, 4)], ANY, True),
    ("unflatten", lambda a: a.unflatten(1, (2, -1)), [(3, 4)], ANY, True),
    ("chunk_split", lambda a: a.chunk(2, 1)[1] * a.split([1, 2], 1)[0], [(3, 3)], ANY, True),
    ("contiguous", lambda a: a.T.contiguous(), [(3, 4)], ANY, True),
    ("rsqrt", lambda a: a.rsqrt(), [(2, 3)], POS, True),
    ("square", lambda a: autograd.square(a), [(2, 3)], ANY, True),
    (
        "clamp_min_max",
        lambda a: autograd.clamp_max(autograd.clamp_min(a, -1.0), 1.2),
        [(3, 4)],
        (-1.7, 1.7),
        False,
    ),
    (
        "add_sub_alpha",
        lambda a, b: a.add(b, alpha=2.5).sub(a, alpha=0.5),
        [(2, 3), (3,)],
        ANY,
        True,
    ),
    ("stack", lambda a, b: autograd.stack([a, b], axis=-1), [(2, 3), (2, 3)], ANY, True),
    # PyTorch's functions, batch 2 (`autograd.ops.math_more`), broadcasting where binary
    ("log1p", lambda a: autograd.log1p(a), [(2, 3)], POS, True),
    ("expm1", lambda a: a.expm1(), [(2, 3)], ANY, True),
    ("tan", lambda a: autograd.tan(a), [(2, 3)], (-1.2, 1.2), True),
    ("asin", lambda a: autograd.asin(a), [(2, 3)], (-0.9, 0.9), True),
    ("acos", lambda a: a.acos(), [(2, 3)], (-0.9, 0.9), True),
    ("atan", lambda a: autograd.atan(a), [(2, 3)], ANY, True),
    ("atan2", lambda a, b: autograd.atan2(a, b), [(2, 3), (3,)], AWAY, True),
    ("reciprocal", lambda a: a.reciprocal(), [(2, 3)], POS, True),
    ("lerp_tensor", lambda a, b, w: autograd.lerp(a, b, w), [(2, 3), (3,), (2, 1)], ANY, True),
    (
        "lerp_number",
        lambda a, b: a.lerp(b, 0.7) * autograd.lerp(b, a, 0.2),
        [(2, 3), (3,)],
        ANY,
        True,
    ),
    ("logit", lambda a: autograd.logit(a), [(2, 3)], (0.1, 0.9), True),
    ("logit_eps", lambda a: autograd.logit(a * 1.4 - 0.2, eps=0.05), [(2, 3)], (0.1, 0.9), False),
    ("hypot", lambda a, b: autograd.hypot(a, b), [(2, 3), (2, 1)], AWAY, True),
    ("xlogy", lambda a, b: autograd.xlogy(a, b), [(2, 3), (3,)], POS, True),
    ("logaddexp", lambda a, b: autograd.logaddexp(a, b), [(3, 1), (1, 4)], ANY, True),
    ("erfc", lambda a: autograd.erfc(a), [(2, 3)], ANY, True),
    ("erfinv", lambda a: a.erfinv(), [(2, 3)], (-0.9, 0.9), True),
    ("exp2", lambda a: autograd.exp2(a), [(2, 3)], ANY, True),
    ("sinc", lambda a: autograd.sinc(a), [(2, 3)], ANY, True),
    ("lgamma", lambda a: autograd.lgamma(a * 0.8 - 2.9) + a.lgamma(), [(2, 3)], (0.1, 0.9), True),
    ("digamma", lambda a: a.digamma(), [(2, 3)], POS, True),
    (
        "polygamma",
        lambda a, b: autograd.polygamma(2, a) * b.polygamma(1),
        [(2, 3), (3,)],
        POS,
        True,
    ),
    ("bessel", lambda a: autograd.special.i1e(a * 3) + autograd.i0(a), [(2, 3)], ANY, True),
    (
        "erfcx_entr",
        lambda a: autograd.special.erfcx(a) * autograd.special.entr(a),
        [(2, 3)],
        POS,
        True,
    ),
    ("log_ndtr", lambda a: autograd.special.log_ndtr(a * 4), [(2, 3)], ANY, True),
    ("ndtri", lambda a: autograd.special.ndtri(a), [(2, 3)], (0.1, 0.9), True),
    ("xlog1py", lambda a, b: autograd.special.xlog1py(a, b), [(2, 3), (3,)], POS, True),
    ("fmod", lambda a, b: autograd.fmod(a * 3, b), [(2, 3), (3,)], POS, False),
    ("fmax", lambda a, b: autograd.fmax(a, b), [(3, 4), (4,)], ANY, False),
    ("fmin", lambda a, b: a.fmin(b), [(3, 1), (1, 4)], ANY, False),
    # PyTorch's functions, batch 4 (`autograd.ops.torch_more`)
    ("asinh", lambda a: autograd.asinh(a), [(2, 3)], ANY, True),
    ("acosh", lambda a: a.acosh(), [(2, 3)], (1.2, 3.0), True),
    ("atanh", lambda a: autograd.atanh(a), [(2, 3)], (-0.9, 0.9), True),
    ("copysign", lambda a, b: autograd.copysign(a, b), [(2, 3), (3,)], AWAY, True),
    (
        "addcmul_addcdiv",
        lambda a, b, c: autograd.addcdiv(autograd.addcmul(a, b, c, value=0.5), b, c + 3, value=2),
        [(2, 3), (3,), (2, 1)],
        ANY,
        True,
    ),
    ("cumprod", lambda a: a.cumprod(1), [(3, 4)], ANY, True),
    ("cumprod_broadcast_negative_dim", lambda a, b: (a * b).cumprod(-2), [(3, 1), (4,)], ANY, True),
    ("cumprod_zeros", lambda a: autograd.cumprod(a * ZEROS, -1), [(3, 4)], ANY, True),
    ("cumprod_zeros_dim0", lambda a: (a * ZEROS).cumprod(0), [(3, 4)], ANY, True),
    ("logcumsumexp", lambda a: a.logcumsumexp(1), [(3, 4)], ANY, True),
    (
        "logcumsumexp_broadcast_negative_dim",
        lambda a, b: autograd.logcumsumexp(a + b, -2),
        [(2, 3, 1), (4,)],
        ANY,
        True,
    ),
    ("cummax", lambda a: a.cummax(-1).values, [(3, 4)], ANY, False),
    ("cummin_broadcast", lambda a, b: autograd.cummin(a * b, 0).values, [(3, 1), (4,)], ANY, False),
    ("median_all", lambda a: a.median(), [(3, 4)], ANY, False),
    ("median_dim", lambda a, b: (a + b).median(-1).values, [(3, 5), (5,)], ANY, False),
    ("nanmedian_all", lambda a: autograd.nanmedian(a), [(2, 3)], ANY, False),
    ("nanmedian_dim", lambda a: a.nanmedian(0, keepdim=True).values, [(3, 4)], ANY, False),
    ("kthvalue", lambda a: autograd.kthvalue(a, 2, -2).values, [(3, 4)], ANY, False),
    ("mode", lambda a: a.mode(0).values, [(3, 4)], ANY, False),
    ("msort", lambda a: autograd.msort(a), [(3, 4)], ANY, False),
    ("aminmax", lambda a: a.aminmax(dim=-1).min * a.aminmax(dim=-1).max, [(3, 4)], ANY, False),
    ("diff", lambda a, b: autograd.diff(a, 2, -1, prepend=b), [(3, 4), (3, 2)], ANY, True),
    ("repeat_interleave", lambda a: a.repeat_interleave(REPEATS, -1), [(3, 4)], ANY, True),
    ("select", lambda a, b: a.select(-1, 1) * b, [(3, 4), (2, 1)], ANY, True),
    ("nansum", lambda a: autograd.nansum(with_nans(a), -1), [(3, 4)], ANY, True),
    ("nanmean", lambda a: with_nans(a).nanmean(0, keepdim=True), [(3, 4)], ANY, True),
    (
        "nan_to_num",
        lambda a: autograd.nan_to_num(with_specials(a), 1.0, 5.0, -5.0),
        [(3, 4)],
        ANY,
        True,
    ),
    (
        "addmm_baddbmm",
        lambda a, b, c: (
            autograd.addmm(a, b, c, beta=0.5, alpha=2).sum()
            + autograd.baddbmm(a, b.unsqueeze(0), c.unsqueeze(0), alpha=-1).sum()
        ),
        [(2,), (3, 4), (4, 2)],
        ANY,
        True,
    ),
    ("float_power", lambda a, b: autograd.float_power(a, b), [(2, 3), (3,)], POS, True),
    ("frac_deg2rad", lambda a: autograd.frac(a * 2).deg2rad() + a.rad2deg(), [(2, 3)], AWAY, True),
    # end of PyTorch's functions, batch 2
    (
        "var_mean",
        lambda a: autograd.var_mean(a, -1)[0] * autograd.var_mean(a, 0)[1][0],
        [(3, 4)],
        ANY,
        True,
    ),
    (
        "std_mean",
        lambda a: autograd.std_mean(a, (0, -1))[0] + autograd.std_mean(a)[1],
        [(3, 4)],
        ANY,
        True,
    ),
    (
        "conv2d",
        lambda x, w, b: autograd.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)),
        [(2, 2, 5, 6), (3, 2, 2, 2), (3,)],
        ANY,
        True,
    ),
    (
        "max_pool2d",  # the gradient goes to each window's maximum (MaxPool)
        lambda x: (
            autograd.max_pool2d(x, 2, 1, 1, ceil_mode=True) * autograd.max_pool2d(x, 2)[0, 0, 0, 0]
        ),
        [(1, 2, 3, 4)],
        ANY,
        True,
    ),
    (
        "max_unpool2d",  # each value written at its index in a plane of zeros (MaxUnpool)
        lambda x: max_unpool2d(x, UNPOOL_INDICES, 2, 1) * max_unpool2d(x, UNPOOL_INDICES, 2, 1),
        [(1, 2, 2, 2)],
        ANY,
        True,
    ),
    (
        "conv_transpose1d",
        lambda g, w: autograd.conv_transpose1d(g, w, stride=2, padding=1, output_padding=1),
        [(2, 2, 4), (2, 3, 3)],
        ANY,
        True,
    ),
    (
        "conv_weight_gradient",  # dw of a convolution is an op of its own (ConvWeight)
        lambda x, g: ConvWeight.apply(
            x, g, kernel=(2,), stride=(2,), padding=((1, 1),), dilation=(1,), groups=1
        ),
        [(2, 2, 5), (2, 3, 3)],
        ANY,
        True,
    ),
    (
        "rnn_tanh_sequence_reverse",  # one op over all steps (RNNSequence)
        lambda xw, h, w, b: flat(autograd.rnn_tanh_sequence(xw, h, w, b, reverse=True)),
        [(3, 2, 2), (2, 2), (2, 2), (2,)],
        ANY,
        True,
    ),
    (
        "rnn_relu_sequence_lengths",
        lambda xw, h, w: flat(autograd.rnn_relu_sequence(xw, h, w, lengths=(3, 1))),
        [(3, 2, 2), (2, 2), (2, 2)],
        AWAY,
        False,
    ),
    (
        "lstm_sequence_projection_lengths",  # LSTMSequence, packed, with w_hr
        lambda xw, h, c, w, b, r: flat(autograd.lstm_sequence(xw, h, c, w, b, r, lengths=(2, 3))),
        [(3, 2, 8), (2, 1), (2, 2), (8, 1), (8,), (1, 2)],
        ANY,
        True,
    ),
    (
        "gru_sequence_reverse_lengths",  # GRUSequence
        lambda xw, h, w, b: flat(autograd.gru_sequence(xw, h, w, b, reverse=True, lengths=(1, 3))),
        [(3, 2, 6), (2, 2), (6, 2), (6,)],
        ANY,
        True,
    ),
]


def _inputs(shapes, domain, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for shape in shapes:
        if domain == AWAY:
            x = rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
        else:
            x = rng.uniform(*domain, shape)
        out.append(Tensor(np.asarray(x, dtype=np.float64), requires_grad=True))
    return out


def _ops_in_graph(root):
    return {type(fn).__name__ for fn in autograd.toposort([root.grad_fn])}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(case):
    _, fn, shapes, domain, _ = case
    assert gradcheck(fn, _inputs(shapes, domain))


@pytest.mark.parametrize("case", [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_gradgradcheck(case):
    _, fn, shapes, domain, _ = case
    assert gradgradcheck(fn, _inputs(shapes, domain))


def test_every_registered_op_has_a_case():
    covered = set()
    for _, fn, shapes, domain, _ in CASES:
        covered |= _ops_in_graph(fn(*_inputs(shapes, domain)))
    missing = set(Function.registry) - covered
    assert not missing, f"ops without a gradcheck case: {sorted(missing)}"


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "pow": lambda a, b: (a * a + 0.5) ** b,
}


@settings(max_examples=25, deadline=None)
@given(
    op=st.sampled_from(sorted(BINARY)),
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_binary_ops_broadcast_any_shapes(op, shapes, seed):
    a, b = _inputs(shapes.input_shapes, ANY, seed)
    out = BINARY[op](a, b)
    assert out.shape == shapes.result_shape
    assert gradcheck(BINARY[op], [a, b])
    out.sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


def test_gradcheck_reports_input_element_and_values():
    class WrongExp(Function):
        def forward(self, x):
            return np.exp(x)

        def backward(self, dz, x):
            return dz * self.output * 1.5

    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    try:
        with pytest.raises(
            AssertionError,
            match=r"(?s)Jacobian mismatch for output 0 with respect to input 0,\n"
            r"numerical:.*worst: input element \d, output element \d: analytic",
        ):
            gradcheck(lambda x: WrongExp.apply(x), x)
        assert gradcheck(lambda x: WrongExp.apply(x), x, raise_exception=False) is False
    finally:
        del Function.registry["WrongExp"]


def test_gradcheck_warns_of_float32_as_torch_and_refuses_nan():
    x32 = Tensor(np.ones(2, np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double"):
        gradcheck(lambda x: x**3, x32, raise_exception=False)
    with pytest.raises(ValueError, match="NaN or inf"):
        gradcheck(lambda x: x * 2, Tensor(np.array([1.0, np.nan]), requires_grad=True))


def test_erf_matches_math_erf():
    import math

    xs = np.linspace(-7, 7, 4001)
    expected = np.array([math.erf(v) for v in xs])
    assert np.abs(autograd.erf(xs).data - expected).max() < 1e-14  # float64: exact
    approx = autograd.erf(xs.astype(np.float32)).data
    assert approx.dtype == np.float32
    assert np.abs(approx - expected).max() < 3e-7  # float32: within its precision


REDUCTIONS = {  # name: (op on Tensors, numpy reference)
    "sum": (lambda x, **kw: x.sum(**kw), np.sum),
    "mean": (lambda x, **kw: x.mean(**kw), np.mean),
    "max": (lambda x, **kw: x.max(**kw), np.max),
    "var": (lambda x, **kw: x.var(**kw), np.var),
    "logsumexp": (lambda x, **kw: x.logsumexp(**kw), lambda a, **kw: np.log(np.exp(a).sum(**kw))),
}


@st.composite
def shape_and_axes(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    ndim = len(shape)
    axes = draw(st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda a: a % ndim))
    return shape, (tuple(axes) if axes else None), draw(st.booleans())


@settings(max_examples=30, deadline=None)
@given(op=st.sampled_from(sorted(REDUCTIONS)), case=shape_and_axes(), seed=st.integers(0, 2**16))
def test_reductions_over_any_axes(op, case, seed):
    shape, axis, keepdims = case
    (x,) = _inputs([shape], ANY, seed)
    fn, reference = REDUCTIONS[op]
    out = fn(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, reference(x.data, axis=axis, keepdims=keepdims))
    assert gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), [x])
