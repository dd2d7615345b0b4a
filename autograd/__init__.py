"""autograd: reverse-mode automatic differentiation over numpy arrays.

Example:
    >>> from autograd import Tensor
    >>> a, b = Tensor(2.0, requires_grad=True), Tensor(-3.0, requires_grad=True)
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad.item(), b.grad.item()
    (-2.0, 2.0)
"""

import warnings
from typing import Any

from autograd.tensor import Tensor, get_default_dtype, set_default_dtype  # isort: skip
from autograd import heap
from autograd.anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from autograd.creation import (
    DoubleTensor,
    FloatTensor,
    LongTensor,
    arange,
    bernoulli,
    default_rng,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    get_rng_state,
    initial_seed,
    linspace,
    manual_seed,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    range_,
    seed,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from autograd.device import accelerator, backends, cuda, device
from autograd.dtypes import (
    NAMES as _DTYPES,
)
from autograd.dtypes import (
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from autograd.function import Function, unbroadcast
from autograd.generator import Generator, default_generator
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.graph import backward, grad, retain_grads, toposort
from autograd.mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd.ops.along import diff, repeat_interleave, select
from autograd.ops.arith import (
    abs,
    add,
    astype,
    div,
    floor_divide,
    maximum,
    minimum,
    neg,
    power,
    remainder,
    sub,
    where,
)
from autograd.ops.conv_forms import (
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from autograd.ops.cumulative import (
    amax,
    amin,
    cummax,
    cummin,
    cumprod,
    cumsum,
    logcumsumexp,
    prod,
)
from autograd.ops.elementwise import (
    ceil,
    clamp_max,
    clamp_min,
    clip,
    cos,
    cosh,
    elu,
    erf,
    exp,
    floor,
    gelu,
    leaky_relu,
    log,
    log2,
    log10,
    log_sigmoid,
    relu,
    round,
    rsqrt,
    sigmoid,
    sign,
    silu,
    sin,
    sinh,
    softplus,
    sqrt,
    square,
    step,
    tanh,
    trunc,
)
from autograd.ops.histogram import histogram
from autograd.ops.indexing import (
    argsort,
    gather,
    index_put,
    index_select,
    scatter,
    scatter_add,
    sort,
    topk,
)
from autograd.ops.layers import cross_entropy, dense, linear
from autograd.ops.layout import (
    chunk,
    diagonal,
    flatten,
    flip,
    hstack,
    meshgrid,
    movedim,
    narrow,
    roll,
    split,
    unflatten,
    unsqueeze,
    vstack,
)
from autograd.ops.linalg import bmm, diag, dot, einsum, mm, mv, outer, trace
from autograd.ops.logical import (
    count_nonzero,
    isinf,
    isnan,
    logical_and,
    logical_not,
    logical_or,
    nonzero,
)
from autograd.ops.losses import binary_cross_entropy, mse_loss
from autograd.ops.order import aminmax, kthvalue, median, msort, nanmedian
from autograd.ops.out import matmul, mul
from autograd.ops.pooling import (
    adaptive_avg_pool1d,
    avg_pool1d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool3d,
)
from autograd.ops.pooling import adaptive_max_pool1d_with_indices as adaptive_max_pool1d
from autograd.ops.reduce import (
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    mean,
    norm,
    softmax,
    std,
    sum,
    var,
)
from autograd.ops.shape import (
    broadcast_to,
    cat,
    expand_dims,
    getitem,
    index_add,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
)
from autograd.ops.stats import nan_to_num, nanmean, nansum, std_mean, var_mean
from autograd.ops.torch_methods import (
    all,
    allclose,
    any,
    as_tensor,
    equal,
    from_numpy,
    is_tensor,
    isclose,
    masked_fill,
    max,
    min,
    numel,
    tril,
    triu,
    unbind,
)
from autograd.printing import set_printoptions

# numpy warns about the inf and nan its functions make ("divide by zero encountered in
# log"); PyTorch makes the same values silently. Those warnings are ignored when numpy
# raises them in this package's own code, so `tensor([0.]).log()` is -inf without a
# word, as in PyTorch, while numpy called from anywhere else warns as it always has.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"autograd\.")

# A training step makes the same large arrays each time: keep their freed memory for
# the next step instead of page-faulting it back from the kernel (`autograd.heap`).
heap.keep_on_import()

clamp = clip  # PyTorch's names
concat = concatenate = cat
pow = power

#: The version of gradwork (autograd, nn and optim are released together).
__version__ = "0.1.0"

__all__ = [
    "DoubleTensor",
    "FloatTensor",
    "Function",
    "Generator",
    "GradcheckError",
    "LongTensor",
    "Tensor",
    "abs",
    "accelerator",
    "add",
    "all",
    "allclose",
    "amax",
    "amin",
    "aminmax",
    "any",
    "arange",
    "argmax",
    "argmin",
    "argsort",
    "as_tensor",
    "astype",
    "backends",
    "backward",
    "bernoulli",
    "binary_cross_entropy",
    "bmm",
    "broadcast_to",
    "cat",
    "ceil",
    "chunk",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "concat",
    "concatenate",
    "cos",
    "cosh",
    "count_nonzero",
    "cross_entropy",
    "cuda",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "default_generator",
    "default_rng",
    "dense",
    "detect_anomaly",
    "device",
    "diag",
    "diagonal",
    "diff",
    "div",
    "dot",
    "double",
    "einsum",
    "elu",
    "empty",
    "empty_like",
    "enable_grad",
    "equal",
    "erf",
    "exp",
    "expand_dims",
    "eye",
    "flatten",
    "flip",
    "float16",
    "float32",
    "float64",
    "floor",
    "floor_divide",
    "from_numpy",
    "full",
    "full_like",
    "gather",
    "gelu",
    "get_default_dtype",
    "get_rng_state",
    "getitem",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "half",
    "histogram",
    "hstack",
    "index_add",
    "index_put",
    "index_select",
    "inference_mode",
    "initial_seed",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "is_tensor",
    "isclose",
    "isinf",
    "isnan",
    "kthvalue",
    "leaky_relu",
    "linear",
    "linspace",
    "log",
    "log2",
    "log10",
    "log_sigmoid",
    "log_softmax",
    "logcumsumexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logsumexp",
    "long",
    "manual_seed",
    "masked_fill",
    "matmul",
    "max",
    "maximum",
    "mean",
    "median",
    "meshgrid",
    "min",
    "minimum",
    "mm",
    "movedim",
    "mse_loss",
    "msort",
    "mul",
    "multinomial",
    "mv",
    "nan_to_num",
    "nanmean",
    "nanmedian",
    "nansum",
    "narrow",
    "neg",
    "no_grad",
    "nonzero",
    "norm",
    "normal",
    "numel",
    "ones",
    "ones_like",
    "outer",
    "permute",
    "pow",
    "power",
    "prod",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "relu",
    "remainder",
    "repeat_interleave",
    "reshape",
    "retain_grads",
    "roll",
    "round",
    "rsqrt",
    "scatter",
    "scatter_add",
    "seed",
    "select",
    "set_default_dtype",
    "set_detect_anomaly",
    "set_grad_enabled",
    "set_printoptions",
    "set_rng_state",
    "short",
    "sigmoid",
    "sign",
    "silu",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "sort",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "std_mean",
    "step",
    "sub",
    "sum",
    "tanh",
    "tensor",
    "topk",
    "toposort",
    "trace",
    "transpose",
    "tril",
    "triu",
    "trunc",
    "uint8",
    "unbind",
    "unbroadcast",
    "unflatten",
    "unsqueeze",
    "var",
    "var_mean",
    "vstack",
    "where",
    "zeros",
    "zeros_like",
]


# PyTorch's functions, batch 2
from autograd.ops.aliases import (  # noqa: E402
    absolute,
    clone,
    column_stack,
    dstack,
    eq,
    fliplr,
    flipud,
    ge,
    gt,
    hsplit,
    is_floating_point,
    is_nonzero,
    isfinite,
    isneginf,
    isposinf,
    le,
    logical_xor,
    logspace,
    lt,
    moveaxis,
    multiply,
    ne,
    negative,
    ravel,
    rot90,
    signbit,
    subtract,
    swapaxes,
    swapdims,
    t,
    tensor_split,
    tile,
    true_divide,
    vsplit,
)
from autograd.ops.arith import divide  # noqa: E402
from autograd.ops.math_more import (  # noqa: E402
    acos,
    addcdiv,
    addcmul,
    addmm,
    arccos,
    arcsin,
    arctan,
    arctan2,
    asin,
    atan,
    atan2,
    baddbmm,
    deg2rad,
    erfc,
    erfinv,
    exp2,
    expm1,
    float_power,
    fmax,
    fmin,
    fmod,
    frac,
    heaviside,
    hypot,
    lerp,
    log1p,
    logaddexp,
    logit,
    rad2deg,
    reciprocal,
    sgn,
    sinc,
    tan,
    xlogy,
)
from autograd.ops.types import (  # noqa: E402
    Size,
    can_cast,
    finfo,
    iinfo,
    promote_types,
    result_type,
)

__all__ += [
    "Size", "absolute", "acos", "addcdiv", "addcmul", "addmm", "arccos", "arcsin", "arctan",
    "arctan2", "asin", "atan", "atan2",
    "baddbmm", "can_cast", "clone", "column_stack", "deg2rad", "divide", "dstack", "eq",
    "erfc", "erfinv", "exp2", "expm1", "finfo", "fliplr", "flipud", "float_power", "fmax",
    "fmin", "fmod", "frac", "ge", "gt", "heaviside", "hsplit", "hypot", "iinfo",
    "is_floating_point", "is_nonzero", "isfinite", "isneginf", "isposinf", "le", "lerp",
    "log1p", "logaddexp", "logical_xor", "logit", "logspace", "lt", "moveaxis", "multiply",
    "ne", "negative", "promote_types", "rad2deg", "ravel", "reciprocal", "result_type",
    "rot90", "sgn", "signbit", "sinc", "subtract", "swapaxes", "swapdims", "t", "tan",
    "tensor_split", "tile", "true_divide", "vsplit", "xlogy",
]  # fmt: skip
from autograd.ops.gamma import digamma, i0, lgamma, mvlgamma, polygamma  # noqa: E402

__all__ += ["digamma", "i0", "lgamma", "mvlgamma", "polygamma", "special"]
# End of PyTorch's functions, batch 2

# PyTorch's functions, batch 3
from autograd import linalg  # noqa: E402
from autograd.linalg import det, logdet  # noqa: E402
from autograd.linalg import inv as inverse  # noqa: E402
from autograd.ops.products_more import (  # noqa: E402
    block_diag,
    cdist,
    corrcoef,
    cov,
    cross,
    diag_embed,
    diagflat,
    dist,
    inner,
    kron,
    tensordot,
    trapezoid,
    vander,
)
from autograd.ops.select_more import (  # noqa: E402
    argwhere,
    bincount,
    bucketize,
    cartesian_prod,
    combinations,
    histc,
    isin,
    masked_select,
    searchsorted,
    take,
    take_along_dim,
    tril_indices,
    triu_indices,
    unique,
    unique_consecutive,
)

__all__ += [
    "argwhere", "bincount", "block_diag", "bucketize", "cartesian_prod", "cdist",
    "combinations", "corrcoef", "cov", "cross", "det", "diag_embed", "diagflat", "dist",
    "histc", "inner", "inverse", "isin", "kron", "linalg", "logdet", "masked_select",
    "searchsorted", "take", "take_along_dim", "tensordot", "trapezoid", "tril_indices",
    "triu_indices", "unique", "unique_consecutive", "vander",
]  # fmt: skip
# end of PyTorch's functions, batch 3

# PyTorch's functions, batch 4
from autograd.ops.elementwise import trunc as fix  # noqa: E402
from autograd.ops.recurrent_forms import (  # noqa: E402
    gru_cell,
    gru_sequence,
    lstm_cell,
    lstm_sequence,
    rnn_relu_cell,
    rnn_relu_sequence,
    rnn_tanh_cell,
    rnn_tanh_sequence,
)
from autograd.ops.scatter_more import (  # noqa: E402
    diagonal_scatter,
    index_copy,
    index_fill,
    masked_scatter,
    nanquantile,
    quantile,
    renorm,
    scatter_reduce,
    select_scatter,
    slice_scatter,
)
from autograd.ops.torch_more import (  # noqa: E402
    IN_PLACE_FUNCTIONS as _IN_PLACE,
)
from autograd.ops.torch_more import (  # noqa: E402
    TOP_LEVEL_NN as _TOP_LEVEL_NN,
)
from autograd.ops.torch_more import (  # noqa: E402
    acosh,
    addbmm,
    addmv,
    addr,
    arccosh,
    arcsinh,
    arctanh,
    asinh,
    atanh,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    copysign,
    cumulative_trapezoid,
    ger,
    greater,
    greater_equal,
    in_place_function,
    ldexp,
    less,
    less_equal,
    logaddexp2,
    not_equal,
    positive,
    randint_like,
    rsub,
    scalar_tensor,
    split_with_sizes,
    trapz,
    unravel_index,
    vdot,
)

globals().update({name: in_place_function(name) for name in _IN_PLACE})
del in_place_function

__all__ += [
    "acosh", "addbmm", "addmv", "addr", "arccosh", "arcsinh", "arctanh", "asinh", "atanh",
    "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
    "copysign", "cumulative_trapezoid", "fix", "ger", "greater", "greater_equal", "ldexp",
    "less", "less_equal", "logaddexp2", "not_equal", "positive", "rsub", "scalar_tensor",
    "split_with_sizes", "trapz", "unravel_index", "vdot", "randint_like", "diagonal_scatter",
    "index_copy",
    "index_fill", "masked_scatter", "nanquantile", "quantile", "renorm", "scatter_reduce",
    "select_scatter",
    "slice_scatter", "chain_matmul", "cholesky", "matrix_exp", "matrix_power", "pinverse", "qr",
    *_IN_PLACE,
    *_TOP_LEVEL_NN,
]  # fmt: skip
__all__ += [
    "gru_cell",
    "gru_sequence",
    "lstm_cell",
    "lstm_sequence",
    "rnn_relu_cell",
    "rnn_relu_sequence",
    "rnn_tanh_cell",
    "rnn_tanh_sequence",
]
__all__ += [
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "avg_pool1d",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool3d",
]  # fmt: skip
#: torch's top-level names of `autograd.ops.decompositions`' functions.
_LINALG_TOP_LEVEL = {
    "chain_matmul": "chain_matmul",
    "cholesky": "cholesky_",
    "matrix_exp": "matrix_exp",
    "matrix_power": "matrix_power",
    "pinverse": "pinverse",
    "qr": "qr_",
}
# end of PyTorch's functions, batch 4


def __getattr__(name: str) -> Any:
    """`autograd.viz` is imported on first use: `import autograd` stays fast, and
    `autograd.viz.draw_graph(...)` works without importing `autograd.viz` first.
    `autograd.nn` and `autograd.optim` are the `nn` and `optim` packages, so PyTorch
    code written as ``import autograd as torch`` finds ``torch.nn.init.normal_`` and
    ``torch.optim.AdamW``, `autograd.utils.data` is `nn.data` (``torch.utils.data``),
    `autograd.multiprocessing` is Python's (``torch.multiprocessing``), `autograd.random`
    has the default generator's seeding (``torch.random.manual_seed(seed=42)``),
    and `autograd.autograd` is this package itself, for ``torch.autograd.grad(...)``
    (and ``torch.autograd.functional.hessian(...)``, `autograd.functional`).
    `autograd.linalg` has torch.linalg's norms (``torch.linalg.norm(t, ord=2, dim=1)``).
    `autograd.special` is ``torch.special`` (``torch.special.ndtr(x)``).
    `autograd.func` is ``torch.func`` (``torch.func.vmap(torch.func.grad(f))``), its
    `vmap` also ``torch.vmap``.
    `autograd.range` is torch's deprecated ``torch.range`` (`creation.range_`).
    `autograd.save` and `autograd.load` are `nn.serialization`'s (`.npz` files, no
    pickle), for ``torch.save(...)``."""
    if name == "autograd":
        import sys

        return sys.modules[__name__]
    if name in _DTYPES:  # float, int, bool: PyTorch's dtype names that are Python built-ins
        return _DTYPES[name]
    if name == "range":  # torch's deprecated range, not bound here: Python's is used above
        return range_
    if name in _LINALG_TOP_LEVEL:  # imported on first use, as `autograd.linalg`'s
        from autograd.ops import decompositions

        return getattr(decompositions, _LINALG_TOP_LEVEL[name])
    if name in _TOP_LEVEL_NN:
        from nn import functional_top

        return getattr(functional_top, name)
    if name == "vmap":  # torch.vmap is torch.func.vmap
        from autograd.func import vmap

        return vmap
    if name in ("save", "load"):
        from nn import serialization

        return getattr(serialization, name)
    own = ("viz", "utils", "functional", "multiprocessing", "random", "linalg", "special", "func")
    if name in own or name in ("nn", "optim"):
        import importlib

        return importlib.import_module(f"autograd.{name}" if name in own else name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
