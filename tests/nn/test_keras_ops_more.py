"""`nn.ops`'s further Keras ops against `keras.ops` (JAX backend): values, dtypes and
shapes on float32, int32 and bool inputs, and gradients (gradcheck in float64)."""

import os

import numpy as np
import pytest

import autograd
from autograd import Tensor
from nn import ops

os.environ.setdefault("KERAS_BACKEND", "jax")

RNG = np.random.default_rng(0)
F32 = RNG.uniform(-0.9, 0.9, size=(3, 4)).astype(np.float32)
POS = RNG.uniform(1.1, 3.0, size=(3, 4)).astype(np.float32)
I32 = RNG.integers(-3, 4, size=(3, 4)).astype(np.int32)
B = RNG.integers(0, 2, size=(3, 4)).astype(bool)


def keras_ops():
    return pytest.importorskip("keras").ops


def same(ours, theirs, rtol=1e-5, atol=1e-6):
    """Values, dtype and shape as Keras's (tuples and lists element by element)."""
    if isinstance(theirs, tuple | list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            same(a, b, rtol, atol)
        return
    expected = np.asarray(theirs)
    got = ours.numpy() if isinstance(ours, Tensor) else np.asarray(ours)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


UNARY = [
    "cos", "sin", "tan", "cosh", "sinh", "arcsin", "arccos", "arctan", "arcsinh", "arctanh",
    "erf", "expm1", "log1p", "exp2", "ceil", "floor", "trunc", "sign", "deg2rad", "rad2deg",
    "isnan", "isinf", "isfinite", "logical_not", "ravel", "copy",
]  # fmt: skip


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [F32, I32, B], ids=["float32", "int32", "bool"])
def test_unary_ops_match_keras(name, x):
    k = keras_ops()
    if (name == "sign" and x.dtype == bool) or (name == "erf" and x.dtype != np.float32):
        # Keras's backend refuses these dtypes; ours computes in float32 (erf) or keeps the
        # bools (sign of a bool is itself)
        with pytest.raises(TypeError):
            getattr(k, name)(x)
        want = x if name == "sign" else getattr(k, name)(x.astype(np.float32))
        same(getattr(ops, name)(x), want)
        return
    same(getattr(ops, name)(x), getattr(k, name)(x))


@pytest.mark.parametrize("name", ["log2", "log10", "arccosh", "erfinv", "reciprocal", "rsqrt"])
def test_unary_ops_on_their_domain_match_keras(name):
    k = keras_ops()
    x = POS if name != "erfinv" else F32
    same(getattr(ops, name)(x), getattr(k, name)(x), rtol=1e-5)
    if name != "rsqrt":  # Keras's rsqrt of an int is a backend error
        same(getattr(ops, name)(np.abs(I32) + 1), getattr(k, name)(np.abs(I32) + 1))


BINARY = [
    "equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
    "logical_or", "logical_xor", "true_divide", "arctan2", "logaddexp", "hypot", "fmax",
    "fmin", "outer", "isclose", "divide_no_nan", "logaddexp2",
]  # fmt: skip


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize(
    "pair",
    [(F32, POS), (I32, F32), (I32, np.abs(I32) + 1), (B, I32), (F32, 2), (I32, 1.5)],
    ids=["f32-f32", "i32-f32", "i32-i32", "bool-i32", "f32-pyint", "i32-pyfloat"],
)
def test_binary_ops_match_keras(name, pair):
    k = keras_ops()
    a, b = pair
    if name == "outer" and np.ndim(b) == 0:
        b = np.full(3, b, np.float32 if isinstance(b, float) else np.int32)  # outer: arrays
    same(getattr(ops, name)(a, b), getattr(k, name)(a, b), rtol=2e-5)


def test_divide_no_nan_gives_zero_and_a_zero_gradient_at_zero():
    k = keras_ops()
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = np.array([2.0, 0.0, 4.0])
    out = ops.divide_no_nan(x, y)
    np.testing.assert_allclose(out.numpy(), np.asarray(k.divide_no_nan(x.numpy(), y)))
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 0.0, 0.25])


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("all", {}),
        ("all", {"axis": 1, "keepdims": True}),
        ("any", {"axis": 0}),
        ("amax", {"axis": 1}),
        ("amin", {"axis": (0, 1), "keepdims": True}),
        ("ptp", {"axis": 0}),
        ("prod", {"axis": 1}),
        ("count_nonzero", {}),
        ("count_nonzero", {"axis": 1}),
        ("cumsum", {}),
        ("cumsum", {"axis": 1}),
        ("cumprod", {"axis": 0}),
        ("cumprod", {}),
        ("median", {}),
        ("median", {"axis": 1, "keepdims": True}),
        ("average", {"axis": 1}),
        ("sort", {"axis": 0}),
        ("argsort", {"axis": 1}),
        ("flip", {}),
        ("flip", {"axis": 1}),
        ("roll", {"shift": 2}),
        ("roll", {"shift": -1, "axis": 0}),
        ("diff", {}),
        ("diff", {"n": 2, "axis": 0}),
        ("trace", {}),
        ("tril", {"k": -1}),
        ("triu", {"k": 1}),
        ("diagonal", {"offset": 1}),
        ("nonzero", {}),
        ("repeat", {"repeats": 2, "axis": 1}),
        ("repeat", {"repeats": 2}),
        ("tile", {"repeats": (2, 1)}),
        ("tile", {"repeats": 2}),
        ("moveaxis", {"source": 0, "destination": 1}),
        ("swapaxes", {"axis1": 0, "axis2": 1}),
        ("fliplr", {}),
        ("flipud", {}),
    ],
)
@pytest.mark.parametrize("x", [F32, I32, B], ids=["float32", "int32", "bool"])
def test_array_ops_match_keras(name, kwargs, x):
    k = keras_ops()
    same_or_both_refuse(lambda lib: getattr(lib, name)(x, **kwargs), k)


def same_or_both_refuse(call, k):
    """`call(ops)` and `call(keras.ops)` agree: the same result, or both refuse the input
    with a TypeError or ValueError (a dtype Keras's backend does not take)."""
    try:
        theirs = call(k)
    except (TypeError, ValueError):
        with pytest.raises((TypeError, ValueError)):
            call(ops)
        return
    same(call(ops), theirs)


@pytest.mark.parametrize("q", [0.3, [0.0, 0.25, 1.0]])
@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("axis", [None, 1, (0, 1)])
def test_quantile_and_percentile_match_keras(q, method, axis):
    k = keras_ops()
    x = RNG.normal(size=(4, 5)).astype(np.float32)
    same(ops.quantile(x, q, axis=axis, method=method), k.quantile(x, q, axis=axis, method=method))
    pct = np.asarray(q) * 100
    same(
        ops.percentile(x, pct, axis=axis, method=method, keepdims=True),
        k.percentile(x, pct, axis=axis, method=method, keepdims=True),
    )


@pytest.mark.parametrize(
    "ord, axis",
    [
        (None, None),
        (None, 1),
        (1, 0),
        (np.inf, 1),
        (-np.inf, 1),
        (0, 1),
        (3, 0),
        ("fro", (0, 1)),
        (1, (0, 1)),
        (-1, (0, 1)),
        (np.inf, (0, 1)),
        (-np.inf, (1, 0)),
    ],
)
def test_norm_matches_keras(ord, axis):
    k = keras_ops()
    for x in (F32, I32):
        same(ops.norm(x, ord=ord, axis=axis), k.norm(x, ord=ord, axis=axis))
        same(
            ops.norm(x, ord=ord, axis=axis, keepdims=True),
            k.norm(x, ord=ord, axis=axis, keepdims=True),
        )


def test_norm_without_svd_names_the_order():
    with pytest.raises(ValueError, match="'nuc'"):
        ops.norm(F32, ord="nuc", axis=(0, 1))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.arange(5),
        lambda m: m.arange(1, 7, 2),
        lambda m: m.arange(0.5, 3),
        lambda m: m.arange(3, dtype="float32"),
        lambda m: m.linspace(0, 1, 5),
        lambda m: m.linspace(0, 1, 4, endpoint=False, retstep=True),
        lambda m: m.logspace(0, 2, 3),
        lambda m: m.logspace(0, 3, 4, base=2),
        lambda m: m.eye(3, 4, k=1),
        lambda m: m.eye(2, dtype="int32"),
        lambda m: m.identity(3),
        lambda m: m.tri(3, 4, k=-1),
        lambda m: m.full((2, 3), 7),
        lambda m: m.full((2,), 0.5),
        lambda m: m.full_like(I32, 2),
        lambda m: m.full_like(F32, 2, dtype="int32"),
        lambda m: m.empty((2, 2)),
        lambda m: m.array([1, 2]),
        lambda m: m.array([1.0, 2.0]),
        lambda m: m.array([1, 2], dtype="float32"),
        lambda m: m.zeros_like(I32),
        lambda m: m.ones_like(B),
        lambda m: m.diag(np.array([1.0, 2.0], np.float32), k=1),
        lambda m: m.diag(F32),
        lambda m: m.broadcast_to(np.arange(3, dtype=np.int32), (2, 3)),
        lambda m: m.meshgrid(np.arange(3, dtype=np.int32), np.arange(2, dtype=np.int32)),
        lambda m: m.meshgrid(
            np.arange(3.0, dtype=np.float32), np.arange(2, dtype=np.int32), indexing="ij"
        ),
        lambda m: m.hstack([F32, I32]),
        lambda m: m.vstack([np.arange(3, dtype=np.int32), np.ones(3, bool)]),
        lambda m: m.append(F32, I32, axis=0),
        lambda m: m.append(I32, I32),
        lambda m: m.split(F32, 2, axis=1),
        lambda m: m.split(F32, [1, 2], axis=0),
        lambda m: m.unstack(F32, axis=1),
        lambda m: m.einsum("ij,kj->ik", F32, POS),
        lambda m: m.einsum("ij,ij->i", I32, F32),
        lambda m: m.inner(F32, POS),
        lambda m: m.vdot(F32, POS),
        lambda m: m.take(F32, np.array([[0, 2], [1, 1]])),
        lambda m: m.take(F32, np.array([3, -1]), axis=1),
        lambda m: m.take_along_axis(F32, np.array([[0], [2], [1]]), axis=1),
        lambda m: m.take_along_axis(F32, np.array([[0, 1, 2, 0]]), axis=0),
        lambda m: m.pad(F32, ((1, 0), (2, 1))),
        lambda m: m.pad(I32, 1, constant_values=5),
        lambda m: m.pad(F32, ((1, 2), (2, 1)), mode="reflect"),
        lambda m: m.pad(F32, ((1, 2), (2, 1)), mode="symmetric"),
        lambda m: m.pad(F32, ((1, 2), (0, 1)), mode="edge"),
        lambda m: m.pad(F32, ((1, 2), (0, 1)), mode="wrap"),
        lambda m: m.nan_to_num(np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)),
        lambda m: m.nan_to_num(np.array([np.nan, np.inf, -np.inf], np.float32), 1.0, 2.0, -2.0),
        lambda m: m.isposinf(np.array([np.inf, -np.inf, 1.0], np.float32)),
        lambda m: m.isneginf(np.array([np.inf, -np.inf, 1.0], np.float32)),
        lambda m: m.signbit(F32),
        lambda m: m.allclose(F32, F32 + 1e-9),
        lambda m: m.floor_divide(I32, 2),
        lambda m: m.floor_divide(F32, POS),
        lambda m: m.mod(I32, 3),
        lambda m: m.mod(F32, 0.5),
        lambda m: m.round(F32, 1),
        lambda m: m.round(I32),
        lambda m: m.top_k(F32, 2),
        lambda m: m.in_top_k(np.array([0, 3, 1]), F32, 2),
        lambda m: m.multi_hot(np.array([[0, 2], [1, 1]]), 4),
        lambda m: m.multi_hot(np.array([0, 3]), num_classes=5),
        lambda m: m.average(F32, axis=1, weights=np.array([1.0, 2.0, 0.5, 1.0], np.float32)),
        lambda m: m.average(F32, axis=None, weights=POS),
        lambda m: m.stop_gradient(F32),
    ],
)
def test_creation_and_layout_ops_match_keras(call):
    same(call(ops), call(keras_ops()))


def test_bad_arguments_name_the_problem():
    with pytest.raises(ValueError, match="equal pieces"):
        ops.split(F32, 3, axis=1)
    with pytest.raises(ValueError, match="method"):
        ops.quantile(F32, 0.5, method="cubic")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ops.quantile(F32, 1.5)
    with pytest.raises(ValueError, match="mode"):
        ops.pad(F32, 1, mode="mirror")
    with pytest.raises(ValueError, match="even"):
        ops.glu(np.ones((2, 3)))
    with pytest.raises(ValueError, match="order"):
        ops.normalize(F32, order=0)


def test_introspection_matches_keras():
    k = keras_ops()
    assert ops.ndim(F32) == k.ndim(F32) == 2
    assert ops.dtype(I32) == k.dtype(k.convert_to_tensor(I32)) == "int32"
    assert ops.dtype(F32) == "float32"
    assert ops.is_tensor(Tensor(F32)) and not ops.is_tensor(F32)


NN_UNARY = [
    ("log_sigmoid", {}), ("hard_sigmoid", {}), ("hard_silu", {}), ("hard_swish", {}),
    ("hard_tanh", {}), ("celu", {}), ("celu", {"alpha": 0.5}), ("glu", {}), ("glu", {"axis": 0}),
    ("relu6", {}), ("selu", {}), ("softsign", {}), ("swish", {}), ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 1.0}), ("soft_shrink", {}), ("soft_shrink", {"threshold": 1.0}),
    ("threshold", {"threshold": 0.3, "default_value": -2.0}), ("tanh_shrink", {}),
    ("sparse_plus", {}), ("sparse_sigmoid", {}), ("sparsemax", {}), ("sparsemax", {"axis": 0}),
    ("squareplus", {}), ("squareplus", {"b": 1}),
]  # fmt: skip
SPARSEMAX = [("sparsemax", {}), ("sparsemax", {"axis": 0})]


@pytest.mark.parametrize("name, kwargs", [c for c in NN_UNARY if c not in SPARSEMAX])
def test_nn_activation_ops_match_keras(name, kwargs):
    k = keras_ops()
    x = (RNG.normal(size=(4, 6)) * 3).astype(np.float32)
    same(getattr(ops, name)(x, **kwargs), getattr(k, name)(x, **kwargs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, kwargs", NN_UNARY)
def test_nn_activation_ops_have_gradients(name, kwargs):
    x = Tensor(RNG.normal(size=(4, 4)) * 2, requires_grad=True)
    # keep away from the kinks, where a numerical slope is undefined
    x.data[np.abs(np.abs(x.data) - 1.0) < 0.05] += 0.2
    x.data[np.abs(np.abs(x.data) - 0.5) < 0.05] += 0.2
    x.data[np.abs(x.data - 0.3) < 0.05] += 0.2
    x.data[np.abs(np.abs(x.data) - 3.0) < 0.05] += 0.2
    assert autograd.gradcheck(lambda t: getattr(ops, name)(t, **kwargs), (x,))


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_projects_onto_the_simplex(axis):
    """Keras 3.15's sparsemax sums the running sums over the support for tau, which is
    right only when one element is in it (its rows need not sum to 1); this is the
    paper's (Martins & Astudillo 2016), equal to Keras's where Keras's is right."""
    k = keras_ops()
    x = np.array([[3.0, 2.9, 0.0], [1.0, 2.0, 3.0], [0.5, 0.5, 0.5]], np.float32)
    out = ops.sparsemax(x, axis=axis).numpy()
    np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-6)
    expected = np.array([[0.55, 0.45, 0.0], [0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(out, expected if axis == -1 else out, rtol=1e-5)
    spread = np.array([[10.0, 0.0, 1.0], [0.0, 5.0, -3.0]], np.float32)  # one-element supports
    same(ops.sparsemax(spread), k.sparsemax(spread))


@pytest.mark.parametrize(
    "name", ["arcsin", "arccos", "arctan", "arcsinh", "arctanh", "expm1", "log1p", "erfinv", "tan"]
)
def test_written_out_derivatives_pass_gradcheck(name):
    x = Tensor(RNG.uniform(-0.8, 0.8, size=(5,)), requires_grad=True)
    assert autograd.gradcheck(getattr(ops, name), (x,))


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: ops.arctan2(a, b),
        lambda a, b: ops.logaddexp(a, b),
        lambda a, b: ops.hypot(a, b),
        lambda a, b: ops.true_divide(a, b + 3.0),
        lambda a, b: ops.cumprod(a * b, axis=0),
        lambda a, b: ops.quantile(a, [0.2, 0.7], axis=1),
        lambda a, b: ops.norm(a, ord=3, axis=1) + ops.norm(b, ord=np.inf, axis=(0, 1)),
        lambda a, b: ops.pad(a, ((1, 1), (2, 0)), mode="reflect") * 2,
        lambda a, b: ops.tile(a, (2, 2)) + ops.repeat(b, 2, axis=0)[:3].sum(),
        lambda a, b: ops.take_along_axis(a, np.array([[0], [2], [1]]), axis=1) * b[:, :1],
        lambda a, b: ops.diff(a, n=2) + ops.arccosh(b * b + 2.0)[:, :1],
        lambda a, b: ops.layer_normalization(a, gamma=b[0], beta=b[1]),
        lambda a, b: ops.rms_normalization(a, scale=b[0]),
        lambda a, b: ops.normalize(a, order=3) + ops.normalize(b),
        lambda a, b: ops.categorical_crossentropy(ops.softmax(b), ops.softmax(a)),
        lambda a, b: ops.binary_crossentropy(ops.sigmoid(b), a, from_logits=True),
    ],
)
def test_composite_ops_pass_gradcheck(fn):
    a = Tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    b = Tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    assert autograd.gradcheck(fn, (a, b))


def test_cumprod_gradient_with_a_zero_matches_keras():
    jax = pytest.importorskip("jax")
    x = np.array([2.0, 0.0, 3.0, 4.0], np.float32)
    t = Tensor(x, requires_grad=True)
    ops.sum(ops.cumprod(t)).backward()
    expected = jax.grad(lambda v: jax.numpy.cumprod(v).sum())(x)
    np.testing.assert_allclose(t.grad.numpy(), np.asarray(expected))


def crossentropy_cases():
    logits = RNG.normal(size=(4, 3)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    hot = np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    labels = np.array([0, 2, 1, 1])
    return logits, probs, hot, labels


@pytest.mark.parametrize("from_logits", [False, True])
def test_crossentropy_ops_match_keras(from_logits):
    k = keras_ops()
    logits, probs, hot, labels = crossentropy_cases()
    out = logits if from_logits else probs
    same(
        ops.categorical_crossentropy(hot, out, from_logits),
        k.categorical_crossentropy(hot, out, from_logits),
    )
    same(
        ops.sparse_categorical_crossentropy(labels, out, from_logits),
        k.sparse_categorical_crossentropy(labels, out, from_logits),
    )
    same(
        ops.sparse_categorical_crossentropy(labels[:, None], out, from_logits, axis=-1),
        k.sparse_categorical_crossentropy(labels[:, None], out, from_logits, axis=-1),
    )
    target = (probs > 0.3).astype(np.float32)
    bin_out = logits if from_logits else probs
    same(
        ops.binary_crossentropy(target, bin_out, from_logits),
        k.binary_crossentropy(target, bin_out, from_logits),
    )
    with pytest.raises(ValueError, match="same shape"):
        ops.binary_crossentropy(target[:, :2], bin_out)


def test_normalization_ops_match_keras():
    k = keras_ops()
    x = RNG.normal(size=(4, 3, 5)).astype(np.float32)
    mean, var = np.float32([0.1, -0.2, 0.3]), np.float32([1.0, 2.0, 0.5])
    gamma, beta = np.float32([1.5, 0.5, 2.0]), np.float32([0.0, 1.0, -1.0])
    same(
        ops.batch_normalization(x, mean, var, axis=1, offset=beta, scale=gamma),
        k.batch_normalization(x, mean, var, axis=1, offset=beta, scale=gamma),
    )
    same(ops.batch_normalization(x, mean, var, 1), k.batch_normalization(x, mean, var, 1))
    g5 = RNG.normal(size=5).astype(np.float32)
    same(ops.layer_normalization(x, g5, g5), k.layer_normalization(x, g5, g5), atol=1e-5)
    same(
        ops.layer_normalization(x, axis=(1, 2), epsilon=1e-3),
        k.layer_normalization(x, axis=(1, 2), epsilon=1e-3),
        atol=1e-5,
    )
    same(ops.rms_normalization(x, g5), k.rms_normalization(x, g5), atol=1e-5)
    same(ops.moments(x, axes=(0, 2)), k.moments(x, axes=(0, 2)))
    same(ops.moments(x, axes=[1], keepdims=True), k.moments(x, axes=[1], keepdims=True))
    for order in (1, 2, 3):
        same(ops.normalize(x, axis=1, order=order), k.normalize(x, axis=1, order=order))
    same(ops.normalize(np.zeros((2, 3), np.float32)), k.normalize(np.zeros((2, 3), np.float32)))


KERAS_ACTIVATIONS = [
    "celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus",
    "sparse_sigmoid", "squareplus", "tanh_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "relu6", "selu", "softsign", "exponential", "mish",
]  # fmt: skip


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_dense_takes_keras_activation_names(name):
    keras = pytest.importorskip("keras")
    import nn

    x = RNG.normal(size=(3, 5)).astype(np.float32)
    theirs = keras.layers.Dense(4, activation=name)
    theirs.build((None, 5))
    ours = nn.Dense(4, activation=name, input_shape=(5,))
    ours.set_weights([w * 3 for w in theirs.get_weights()])
    theirs.set_weights([w * 3 for w in theirs.get_weights()])
    same(ours(x), theirs(x), rtol=1e-5, atol=1e-6)
    assert nn.activations.serialize(ours.activation) in (name, "hard_silu")
    if name not in (
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "relu6",
        "selu",
        "softsign",
        "mish",
        "exponential",
    ):
        same(
            getattr(nn.activations, name)(x[:, :4] * 3),
            getattr(keras.activations, name)(x[:, :4] * 3),
            rtol=1e-5,
            atol=1e-6,
        )


def test_threshold_activation_matches_keras():
    keras = pytest.importorskip("keras")
    import nn

    same(nn.activations.threshold(F32, 0.1, -1.0), keras.activations.threshold(F32, 0.1, -1.0))


def test_custom_gradient_matches_keras_docs_example():
    jax = pytest.importorskip("jax")
    k = keras_ops()

    def make(m):
        @m.custom_gradient
        def log1pexp(x):
            e = m.exp(x)

            def grad(*args, upstream=None):
                if upstream is None:
                    (upstream,) = args
                return m.multiply(upstream, 1.0 - 1.0 / m.add(1, e))

            return m.log(1 + e), grad

        return log1pexp

    x = np.array([100.0, 1.0, -3.0], np.float32)
    t = Tensor(x, requires_grad=True)
    out = make(ops)(t)
    out.sum().backward()
    expected = jax.grad(lambda v: make(k)(v).sum())(x)
    same(out, make(k)(x))
    np.testing.assert_allclose(t.grad.numpy(), np.asarray(expected), rtol=1e-6)


def test_custom_gradient_with_two_arguments_checks_the_count():
    @ops.custom_gradient
    def product(a, b):
        return a * b, lambda g: (g * b, g * a * 10.0)

    a = Tensor(np.array([2.0]), requires_grad=True)
    b = Tensor(np.array([3.0]), requires_grad=True)
    product(a, b).sum().backward()
    assert a.grad.item() == 3.0 and b.grad.item() == 20.0

    @ops.custom_gradient
    def wrong(a, b):
        return a * b, lambda g: g

    with pytest.raises(ValueError, match="2 gradients"):
        wrong(a, b).sum().backward()


@pytest.mark.parametrize("name", ["mean", "var", "std"])
@pytest.mark.parametrize("x", [I32, B, [1, 2, 4]], ids=["int32", "bool", "list"])
def test_statistics_of_ints_and_bools_are_floats_as_keras(name, x):
    same(getattr(ops, name)(x), getattr(keras_ops(), name)(x), rtol=1e-6)
