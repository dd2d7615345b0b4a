"""`F.scaled_dot_product_attention`, `F.multi_head_attention_forward` and
`nn.MultiheadAttention` against PyTorch: outputs, attention weights and gradients of
the inputs, of float masks and of every parameter (torch's state_dict copied in), in
float64 and float32, with every kind of mask, and torch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def pair(shape, seed, dtype=np.float64, grad=True):
    values = np.random.default_rng(seed).normal(size=shape).astype(dtype)
    return Tensor(values.copy(), requires_grad=grad), torch.tensor(
        values.copy(), requires_grad=grad
    )


def tol(dtype):
    return dict(atol=1e-11, rtol=1e-9) if dtype == np.float64 else dict(atol=2e-5, rtol=2e-4)


def backward_both(ours, theirs, seed=9):
    w = np.random.default_rng(seed).normal(size=ours.shape).astype(ours.dtype)
    (ours * Tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()


def same(ours, theirs, dtype=np.float64):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours.data, theirs, **tol(dtype))


def same_grads(pairs, dtype=np.float64):
    for a, b in pairs:
        assert b.grad is not None
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), **tol(dtype))


# ----------------------------------------------------------------- scaled_dot_product_attention


def sdpa_case(qshape, kshape, vshape, seed=0, dtype=np.float64):
    q, k, v = (
        pair(qshape, seed, dtype),
        pair(kshape, seed + 1, dtype),
        pair(vshape, seed + 2, dtype),
    )
    return (q, k, v)


def run_sdpa(tensors, dtype=np.float64, **kwargs):
    ours = F.scaled_dot_product_attention(*(a for a, _ in tensors), **kwargs.get("ours", {}))
    theirs = TF.scaled_dot_product_attention(*(b for _, b in tensors), **kwargs.get("theirs", {}))
    same(ours, theirs, dtype)
    backward_both(ours, theirs)
    same_grads(tensors, dtype)
    return ours


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "qshape, kshape, vshape",
    [
        ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)),
        ((4, 8), (5, 8), (5, 3)),  # no batch axes
        ((2, 3, 1, 4), (3, 6, 4), (1, 6, 2)),  # batch axes broadcast, L = 1
        ((2, 1, 4, 4), (2, 3, 1, 4), (2, 3, 1, 4)),  # S = 1
    ],
)
def test_sdpa_plain_and_scaled(dtype, qshape, kshape, vshape):
    run_sdpa(sdpa_case(qshape, kshape, vshape, dtype=dtype), dtype)
    run_sdpa(
        sdpa_case(qshape, kshape, vshape, seed=3, dtype=dtype),
        dtype,
        ours=dict(scale=0.3),
        theirs=dict(scale=0.3),
    )


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(
    "qshape, kshape, vshape",
    [((2, 0, 4), (2, 3, 4), (2, 3, 5)), ((2, 3, 4), (2, 0, 4), (2, 0, 5)), ((0, 3, 4),) * 3],
)
def test_sdpa_empty_axes(qshape, kshape, vshape, causal):
    out = run_sdpa(
        sdpa_case(qshape, kshape, vshape),
        ours=dict(is_causal=causal),
        theirs=dict(is_causal=causal),
    )
    assert (out.data == 0).all()


@pytest.mark.parametrize("L, S", [(4, 6), (6, 4), (5, 5), (1, 3)])
def test_sdpa_causal_is_aligned_top_left(L, S):
    out = run_sdpa(
        sdpa_case((2, 2, L, 4), (2, 2, S, 4), (2, 2, S, 3)),
        ours=dict(is_causal=True),
        theirs=dict(is_causal=True),
    )
    # the first query sees the first key only
    _, _, v = sdpa_case((2, 2, L, 4), (2, 2, S, 4), (2, 2, S, 3))
    np.testing.assert_allclose(out.data[..., 0, :], v[0].data[..., 0, :], atol=1e-12)


def masks(shape, seed):
    """Random bool masks of `shape` with a row of all True and a row of all False."""
    mask = np.random.default_rng(seed).random(shape) < 0.6
    mask[..., 0, :] = True
    mask[..., -1, :] = False
    return mask


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mask_shape", [(4, 5), (1, 3, 4, 5), (2, 1, 4, 5), (1, 5)])
def test_sdpa_bool_mask_takes_part_where_true_and_empty_rows_give_zeros(dtype, mask_shape):
    one_row = mask_shape == (1, 5)
    mask = np.array([[1, 0, 1, 1, 0]], bool) if one_row else masks(mask_shape, 4)
    tensors = sdpa_case((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), dtype=dtype)
    out = run_sdpa(
        tensors,
        dtype,
        ours=dict(attn_mask=Tensor(mask)),
        theirs=dict(attn_mask=torch.tensor(mask)),
    )
    assert np.isfinite(out.data).all()
    if not one_row:  # the row with every key masked out: zeros, zero gradients
        assert (out.data[..., -1, :] == 0).all()
        assert (tensors[0][0].grad.data[..., -1, :] == 0).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_float_mask_is_added_and_gets_its_gradient(dtype):
    values = np.random.default_rng(5).normal(size=(3, 4, 5)).astype(dtype)
    values[1, 2, :] = -np.inf  # a whole row of -inf: zeros, as torch
    values[0, 1, 3] = -np.inf
    m_ours = Tensor(values.copy(), requires_grad=True)
    m_theirs = torch.tensor(values.copy(), requires_grad=True)
    tensors = sdpa_case((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), dtype=dtype)
    run_sdpa(tensors, dtype, ours=dict(attn_mask=m_ours), theirs=dict(attn_mask=m_theirs))
    grad = np.nan_to_num(m_theirs.grad.numpy())
    np.testing.assert_allclose(np.nan_to_num(m_ours.grad.data), grad, **tol(dtype))


def test_sdpa_grouped_query_attention_repeats_key_and_value_heads():
    tensors = sdpa_case((2, 6, 4, 8), (2, 2, 5, 8), (2, 3, 5, 4))
    run_sdpa(tensors, ours=dict(enable_gqa=True), theirs=dict(enable_gqa=True))
    tensors = sdpa_case((6, 3, 8), (1, 5, 8), (2, 5, 4), seed=7)
    run_sdpa(
        tensors,
        ours=dict(enable_gqa=True, is_causal=True),
        theirs=dict(enable_gqa=True, is_causal=True),
    )


def test_sdpa_dropout_draws_torchs_masks():
    tensors = sdpa_case((2, 2, 4, 8), (2, 2, 5, 8), (2, 2, 5, 6))
    autograd.manual_seed(11)
    torch.manual_seed(11)
    run_sdpa(tensors, ours=dict(dropout_p=0.4), theirs=dict(dropout_p=0.4))
    tensors = sdpa_case((2, 2, 4, 8), (2, 2, 5, 8), (2, 2, 5, 6), seed=1)
    run_sdpa(tensors, ours=dict(dropout_p=1.0), theirs=dict(dropout_p=1.0))


def test_sdpa_default_scale_is_one_over_sqrt_e():
    (q, _), (k, _), (v, _) = sdpa_case((3, 9), (4, 9), (4, 2))
    a = F.scaled_dot_product_attention(q, k, v)
    b = F.scaled_dot_product_attention(q, k, v, scale=1 / math.sqrt(9))
    np.testing.assert_array_equal(a.data, b.data)


def sdpa_error(ours_args, ours_kwargs, theirs_args, theirs_kwargs):
    with pytest.raises(RuntimeError) as theirs:
        TF.scaled_dot_product_attention(*theirs_args, **theirs_kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        F.scaled_dot_product_attention(*ours_args, **ours_kwargs)
    return str(ours.value), str(theirs.value)


def test_sdpa_errors_as_torch():
    (q, qt), (k, kt), (v, vt) = sdpa_case((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6))
    m = np.ones((4, 5), bool)
    ours, theirs = sdpa_error(
        (q, k, v), dict(attn_mask=m, is_causal=True), (qt, kt, vt),
        dict(attn_mask=torch.tensor(m), is_causal=True),
    )  # fmt: skip
    assert ours == theirs
    ours, theirs = sdpa_error((q[0, 0, 0], k, v), {}, (qt[0, 0, 0], kt, vt), {})
    assert ours == theirs
    ours, theirs = sdpa_error((q, k, v), dict(dropout_p=1.5), (qt, kt, vt), dict(dropout_p=1.5))
    assert ours == theirs
    ours, _ = sdpa_error(
        (q, k, v), dict(attn_mask=np.ones((4, 5), np.int64)), (qt, kt, vt),
        dict(attn_mask=torch.ones(4, 5, dtype=torch.int64)),
    )  # fmt: skip
    assert "attn_mask dtype" in ours and "int64" in ours
    ours, _ = sdpa_error((q, k.float(), v), {}, (qt, kt.float(), vt), {})
    assert "same dtype" in ours
    ours, _ = sdpa_error(
        (q, k[:, :2], v[:, :2]), dict(enable_gqa=True), (qt, kt[:, :2], vt[:, :2]),
        dict(enable_gqa=True),
    )  # fmt: skip
    assert "divide the number of heads" in ours
    with pytest.raises(IndexError):
        TF.scaled_dot_product_attention(qt, kt, vt, attn_mask=torch.ones(5, dtype=torch.bool))
    with pytest.raises(IndexError, match="attn_mask needs the axes"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=np.ones(5, bool))
    ours, _ = sdpa_error((q, k[..., :7], v), {}, (qt, kt[..., :7], vt), {})
    assert "7" in ours and "8" in ours
    ours, _ = sdpa_error((q, k, v[:, :, :4]), {}, (qt, kt, vt[:, :, :4]), {})
    assert "4" in ours and "5" in ours


# ------------------------------------------------------------------------- MultiheadAttention


def twins(seed=0, dtype=np.float64, **kwargs):
    """Our module and torch's with torch's parameters copied in."""
    torch.manual_seed(seed)
    theirs = torch.nn.MultiheadAttention(**kwargs).to(
        torch.float64 if dtype == np.float64 else torch.float32
    )
    ours = nn.MultiheadAttention(**kwargs, dtype=dtype)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def parameter_pairs(ours, theirs):
    mine = dict(ours.named_parameters())
    other = dict(theirs.named_parameters())
    assert list(mine) == list(other)
    return [(mine[k], other[k]) for k in mine]


def run_mha(ours, theirs, inputs, dtype=np.float64, **kwargs):
    """Forward both with `kwargs` (masks given as numpy arrays), compare outputs,
    weights and gradients of inputs and parameters."""
    mine = {k: Tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    other = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    out, w = ours(*(a for a, _ in inputs), **mine)
    out_t, w_t = theirs(*(b for _, b in inputs), **other)
    same(out, out_t, dtype)
    if w_t is None:
        assert w is None
    else:
        np.testing.assert_allclose(w.data, w_t.detach().numpy(), equal_nan=True, **tol(dtype))
        assert w.shape == tuple(w_t.shape)
    if np.isnan(out_t.detach().numpy()).any():
        return out, w
    loss = out.sum() * 0.5 + (out * out).sum()
    loss_t = out_t.sum() * 0.5 + (out_t * out_t).sum()
    if w is not None:
        loss = loss + (w * w).sum()
        loss_t = loss_t + (w_t * w_t).sum()
    loss.backward()
    loss_t.backward()
    same_grads([p for p in inputs if p[1].grad is not None], dtype)
    same_grads(parameter_pairs(ours, theirs), dtype)
    return out, w


def mha_inputs(L, S, N, E, kdim=None, vdim=None, batch_first=False, seed=0, dtype=np.float64):
    def shape(n, e):
        if N is None:
            return (n, e)
        return (N, n, e) if batch_first else (n, N, e)

    return (
        pair(shape(L, E), seed, dtype),
        pair(shape(S, kdim or E), seed + 1, dtype),
        pair(shape(S, vdim or E), seed + 2, dtype),
    )


def test_initialisation_is_torchs_draw_for_draw():
    for kwargs in (
        dict(embed_dim=8, num_heads=2),
        dict(embed_dim=6, num_heads=3, kdim=4, vdim=5, add_bias_kv=True),
        dict(embed_dim=4, num_heads=1, bias=False),
    ):
        autograd.manual_seed(7)
        torch.manual_seed(7)
        ours, theirs = nn.MultiheadAttention(**kwargs), torch.nn.MultiheadAttention(**kwargs)
        mine, other = ours.state_dict(), theirs.state_dict()
        assert list(mine) == list(other)
        for key in mine:
            assert tuple(mine[key].shape) == tuple(other[key].shape)
            np.testing.assert_allclose(np.asarray(mine[key]), other[key].numpy(), atol=1e-7)
        assert repr(ours) == repr(theirs)
    assert nn.MultiheadAttention(4, 2).in_proj_bias.data.sum() == 0


CONFIGS = [
    dict(embed_dim=8, num_heads=2),
    dict(embed_dim=8, num_heads=1, bias=False),
    dict(embed_dim=6, num_heads=3, kdim=4, vdim=5),
    dict(embed_dim=8, num_heads=2, add_bias_kv=True),
    dict(embed_dim=8, num_heads=4, add_zero_attn=True),
    dict(embed_dim=6, num_heads=2, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=7),
    dict(embed_dim=8, num_heads=2, batch_first=True),
    dict(embed_dim=6, num_heads=3, kdim=5, vdim=4, batch_first=True, add_zero_attn=True),
]


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items())
)
def test_mha_matches_torch_with_masks(config, need_weights):
    ours, theirs = twins(**config)
    E, kdim, vdim = config["embed_dim"], config.get("kdim"), config.get("vdim")
    bf = config.get("batch_first", False)
    L, S, N, H = 4, 5, 3, config["num_heads"]
    rng = np.random.default_rng(1)
    kpm = rng.random((N, S)) < 0.3
    kpm[:, 0] = False
    attn = rng.random((L, S)) < 0.3
    attn[:, 1] = False
    cases = [
        {},
        dict(key_padding_mask=kpm),
        dict(attn_mask=attn),
        dict(attn_mask=attn, key_padding_mask=kpm),
        dict(key_padding_mask=np.where(kpm, -1e9, rng.normal(size=(N, S)))),
        dict(attn_mask=rng.normal(size=(N * H, L, S))),
        dict(attn_mask=rng.normal(size=(L, S)), key_padding_mask=rng.normal(size=(N, S))),
        dict(attn_mask=rng.random((N * H, L, S)) < 0.3),
        dict(average_attn_weights=False, key_padding_mask=kpm),
    ]
    for i, case in enumerate(cases):
        inputs = mha_inputs(L, S, N, E, kdim, vdim, bf, seed=10 * i)
        ours.zero_grad()
        theirs.zero_grad()
        run_mha(ours, theirs, inputs, need_weights=need_weights, **case)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_causal_mask_and_hint(need_weights):
    ours, theirs = twins(embed_dim=8, num_heads=2, batch_first=True)
    causal = np.triu(np.ones((5, 5), bool), 1)
    x = pair((2, 5, 8), 3)
    run_mha(ours, theirs, [x, x, x], need_weights=need_weights, attn_mask=causal, is_causal=True)
    ours.zero_grad()
    theirs.zero_grad()
    float_causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=np.float64).data
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    x = pair((2, 5, 8), 4)
    run_mha(
        ours, theirs, [x, x, x], need_weights=need_weights, attn_mask=float_causal,
        is_causal=True, key_padding_mask=kpm,
    )  # fmt: skip


@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("config", CONFIGS[:6], ids=str)
def test_mha_unbatched(config, average):
    ours, theirs = twins(**config)
    E, kdim, vdim = config["embed_dim"], config.get("kdim"), config.get("vdim")
    kpm = np.array([False, True, False, False, True])
    attn3 = np.random.default_rng(2).normal(size=(config["num_heads"], 4, 5))
    for i, case in enumerate([{}, dict(key_padding_mask=kpm), dict(attn_mask=attn3)]):
        ours.zero_grad()
        theirs.zero_grad()
        inputs = mha_inputs(4, 5, None, E, kdim, vdim, seed=i)
        out, w = run_mha(ours, theirs, inputs, average_attn_weights=average, **case)
        S = 5 + config.get("add_bias_kv", False) + config.get("add_zero_attn", False)
        assert out.shape == (4, E)
        assert w.shape == ((4, S) if average else (config["num_heads"], 4, S))


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_mha_fully_masked_query_nan_with_weights_zero_without():
    ours, theirs = twins(embed_dim=4, num_heads=2)
    kpm = np.array([[True, True, True], [False, True, False]])
    for need_weights in (True, False):
        inputs = mha_inputs(2, 3, 2, 4, seed=5)
        out, _ = run_mha(ours, theirs, inputs, key_padding_mask=kpm, need_weights=need_weights)
        assert np.isnan(out.data[:, 0]).all() == need_weights


def test_mha_float32_and_self_attention_with_one_tensor():
    ours, theirs = twins(dtype=np.float32, embed_dim=8, num_heads=2, batch_first=True)
    x = pair((3, 4, 8), 0, np.float32)
    kpm = np.zeros((3, 4), bool)
    kpm[0, 2:] = True
    out, w = run_mha(ours, theirs, [x, x, x], np.float32, key_padding_mask=kpm)
    assert out.dtype == np.float32 and w.dtype == np.float32


def test_mha_training_dropout_zero_and_dropout_draws_as_torch():
    for p in (0.0, 0.3):
        ours, theirs = twins(embed_dim=8, num_heads=2, dropout=p)
        ours.train()
        theirs.train()
        inputs = mha_inputs(4, 5, 2, 8, seed=2)
        autograd.manual_seed(5)
        torch.manual_seed(5)
        run_mha(ours, theirs, inputs)
        ours.eval()
        theirs.eval()
        ours.zero_grad()
        theirs.zero_grad()
        run_mha(ours, theirs, mha_inputs(4, 5, 2, 8, seed=3))


def test_functional_multi_head_attention_forward_static_kv():
    E, H, N, L, S = 6, 2, 2, 3, 4
    rng = np.random.default_rng(0)
    arrays = dict(
        in_w=rng.normal(size=(3 * E, E)), in_b=rng.normal(size=3 * E),
        out_w=rng.normal(size=(E, E)), out_b=rng.normal(size=E),
        sk=rng.normal(size=(N * H, S, E // H)), sv=rng.normal(size=(N * H, S, E // H)),
    )  # fmt: skip
    ours = {k: Tensor(v.copy(), requires_grad=True) for k, v in arrays.items()}
    theirs = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in arrays.items()}
    inputs = mha_inputs(L, S, N, E, seed=1)

    def call(fn, t, q, k, v):
        return fn(
            q, k, v, E, H, t["in_w"], t["in_b"], None, None, True, 0.0, t["out_w"], t["out_b"],
            static_k=t["sk"], static_v=t["sv"], average_attn_weights=False,
        )  # fmt: skip

    out, w = call(F.multi_head_attention_forward, ours, *(a for a, _ in inputs))
    out_t, w_t = call(TF.multi_head_attention_forward, theirs, *(b for _, b in inputs))
    same(out, out_t)
    same(w, w_t)
    backward_both(out, out_t)
    same_grads([(ours[k], theirs[k]) for k in arrays])
    same_grads(inputs[:1])


def mha_error(config, args, kwargs, ours_args=None):
    ours, theirs = twins(**config)
    with pytest.raises(Exception) as caught:
        theirs(*[torch.tensor(a) for a in args], **{k: torch.tensor(v) for k, v in kwargs.items()})
    with pytest.raises(type(caught.value)) as mine:
        ours(*[Tensor(a) for a in args], **{k: Tensor(v) for k, v in kwargs.items()})
    return str(mine.value), str(caught.value)


def test_mha_errors_as_torch():
    r = np.random.default_rng(0).normal
    x3, x2 = r(size=(4, 2, 8)), r(size=(4, 8))
    cfg = dict(embed_dim=8, num_heads=2)
    for args, kwargs in [
        ((x3, x3, x2), {}),
        ((x2, x2, x3), {}),
        ((x3, x3, x3), dict(key_padding_mask=np.zeros((2, 4, 1), bool))),
        ((x3, x3, x3), dict(attn_mask=np.zeros((4, 4, 1, 1)))),
        ((x2, x2, x2), dict(attn_mask=np.zeros((3, 4, 4)))),
        ((x3, x3, x3), dict(attn_mask=np.zeros((3, 4)))),
        ((x3, x3, x3), dict(attn_mask=np.zeros((5, 4, 4)))),
        ((x3, x3, x3), dict(key_padding_mask=np.zeros((2, 3), bool))),
        ((x3, x3, x3), dict(key_padding_mask=np.zeros((2, 4), np.int64))),
        ((r(size=(4, 2, 6)), x3, x3), {}),
        ((x3, x3[:3], x3), {}),
        ((r(size=(2, 4, 2, 8)), x3, x3), {}),
    ]:
        ours, theirs = mha_error(cfg, args, kwargs)
        assert ours == theirs.replace("torch.Size([", "(").replace("])", ")")
    ours, theirs = mha_error(cfg, (x3, x3, x3), dict(is_causal=True))
    assert ours == theirs
    for bad in (dict(embed_dim=0, num_heads=2), dict(embed_dim=4, num_heads=-1)):
        with pytest.raises(ValueError) as caught:
            torch.nn.MultiheadAttention(**bad)
        with pytest.raises(ValueError, match=str(caught.value)):
            nn.MultiheadAttention(**bad)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)


def test_mismatched_mask_types_warn_as_torch():
    ours, theirs = twins(embed_dim=4, num_heads=2)
    x = np.random.default_rng(0).normal(size=(3, 2, 4))
    kpm = np.zeros((2, 3), bool)
    attn = np.zeros((3, 3))
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask"):
        theirs(
            *[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(kpm), attn_mask=torch.tensor(attn)
        )
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask"):
        ours(*[Tensor(x)] * 3, key_padding_mask=kpm, attn_mask=attn)
