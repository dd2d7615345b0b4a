"""PyTorch's attention functions: `scaled_dot_product_attention` and
`multi_head_attention_forward` (the computation behind `nn.MultiheadAttention`), built
on public autograd ops, with PyTorch's shapes, masks, defaults and errors.

Masks follow PyTorch's two conventions. In `scaled_dot_product_attention` a bool mask
marks the positions that TAKE PART (True = attend); in `multi_head_attention_forward`
(and the modules built on it) a bool mask marks the positions that are MASKED OUT
(True = ignore). Float masks are added to the attention scores in both.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, cat, linear, matmul, softmax, where, zeros
from nn.functional import dropout as _dropout
from nn.functional import pad as _pad

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _is_float(x: Tensor) -> bool:
    return bool(np.issubdtype(x.dtype, np.floating))


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last axis, with rows of only -inf scores (every key masked)
    giving zeros instead of NaN, as PyTorch's `_safe_softmax` in its attention."""
    if scores.shape[-1] == 0:  # no keys: no weights, and a zero output
        return scores
    dead = np.all(np.isneginf(scores.data), axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, -1)
    zero = Tensor(np.zeros((), scores.dtype))
    return where(Tensor(dead), zero, softmax(where(Tensor(dead), zero, scores), -1))


def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """Attention of each query over the keys, as `torch.nn.functional.
    scaled_dot_product_attention`:

        A = softmax(Q @ K^T * scale + bias) ;  out = dropout(A, dropout_p) @ V

    with scale = 1 / sqrt(E) unless given, and bias = 0 where a position takes part,
    -inf where it is masked (a bool `attn_mask`: True takes part), or the float
    `attn_mask` itself. A query whose keys are all masked gets a zero output (and zero
    gradients), as PyTorch's.

    Shapes: query (*, L, E), key (*, S, E), value (*, S, Ev) -> (*, L, Ev); the batch
    axes * broadcast; `attn_mask` broadcasts to (*, L, S).

    Args:
        attn_mask: bool (True = attend) or float (added) mask.
        dropout_p: probability of dropping an attention weight; dropout is applied
            whenever it is positive (pass 0.0 in evaluation, as with PyTorch).
        is_causal: query i attends keys 0..i (the mask is aligned top-left, so with
            L != S it is tril(ones(L, S))); not together with `attn_mask`.
        scale: the factor of the scores (default 1 / sqrt(E)).
        enable_gqa: grouped-query attention: query's heads (axis -3) are a multiple of
            key's and value's, whose heads are each repeated for their group.

    Raises:
        RuntimeError: as PyTorch, for inputs of fewer than 2 axes, mixed dtypes, a mask
            of another dtype, `attn_mask` with `is_causal`, mismatched sizes, heads
            that do not divide, or `dropout_p` outside [0, 1].
    """
    query, key, value = _as_tensor(query), _as_tensor(key), _as_tensor(value)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead."
        )
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        )
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    if key.shape[-1] != query.shape[-1]:
        raise RuntimeError(
            f"scaled_dot_product_attention: key's embedding size {key.shape[-1]} does not "
            f"match query's {query.shape[-1]}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: value's sequence length {value.shape[-2]} does "
            f"not match key's {key.shape[-2]}"
        )
    if enable_gqa:
        key, value = _repeat_groups(query, key, value)
    L, S = query.shape[-2], key.shape[-2]
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    scores = matmul(query, key.mT) * factor
    if is_causal:
        keep = np.tril(np.ones((L, S), dtype=bool))
        scores = where(Tensor(keep), scores, Tensor(np.array(-np.inf, scores.dtype)))
    elif attn_mask is not None:
        mask = _as_tensor(attn_mask)
        if mask.ndim < 2:
            raise IndexError(
                "scaled_dot_product_attention: attn_mask needs the axes (L, S), got shape "
                f"{mask.shape}"
            )
        if mask.dtype == np.bool_:
            scores = where(mask, scores, Tensor(np.array(-np.inf, scores.dtype)))
        elif _is_float(mask) or mask.dtype == query.dtype:
            scores = scores + mask
        else:
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but "
                f"got attn_mask.dtype: {mask.dtype} and  query.dtype: {query.dtype} instead."
            )
    return matmul(_attention_dropout(_safe_softmax(scores), dropout_p), value)


def _attention_dropout(weights: Tensor, p: float) -> Tensor:
    """Dropout of attention weights in training: p = 1 drops all of them, as PyTorch."""
    if p >= 1.0:
        return weights * 0.0
    return _dropout(weights, p, True) if p > 0.0 else weights


def _repeat_groups(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Key's and value's heads (axis -3), each repeated for the query heads it serves."""
    if query.ndim < 3 or key.ndim < 3 or value.ndim < 3:
        raise RuntimeError(
            "scaled_dot_product_attention: enable_gqa needs a heads axis (-3) in query, key "
            f"and value, got {query.ndim}, {key.ndim} and {value.ndim} axes"
        )
    hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
    if hk == 0 or hv == 0 or hq % hk or hq % hv:
        raise RuntimeError(
            "Number of heads in key and value must divide the number of heads in query, "
            f"got {hq} query heads, {hk} key heads and {hv} value heads"
        )
    return key.repeat_interleave(hq // hk, -3), value.repeat_interleave(hq // hv, -3)


def canonical_mask(
    mask: Any,
    mask_name: str,
    other: Any,
    other_name: str,
    target_type: Any,
    check_other: bool = True,
) -> Tensor | None:
    """A bool mask (True = masked out) as a float mask of `target_type` (-inf where
    True, 0 elsewhere); a float mask as it is (PyTorch's `F._canonical_mask`).

    Raises:
        AssertionError: a mask neither bool nor floating, as PyTorch.
    """
    if mask is None:
        return None
    mask = _as_tensor(mask)
    if mask.dtype != np.bool_ and not _is_float(mask):
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other is not None and _as_tensor(other).dtype != mask.dtype:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same "
            "type for both instead.",
            stacklevel=3,
        )
    if _is_float(mask):
        return mask
    return Tensor(np.where(mask.data, -np.inf, 0.0).astype(target_type))


def _shape_check(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    key_padding_mask: Tensor | None,
    attn_mask: Tensor | None,
    num_heads: int,
) -> bool:
    """True for batched (3-D) inputs, False for unbatched (2-D); PyTorch's errors else."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.ndim}-D and {value.ndim}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D "
                f"but found {key_padding_mask.ndim}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                f"but found {attn_mask.ndim}-D tensor instead"
            )
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.ndim}-D and {value.ndim}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or "
                f"1-D but found {key_padding_mask.ndim}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                    f"3-D but found {attn_mask.ndim}-D tensor instead"
                )
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and attn_mask.shape != expected:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                )
        return False
    raise AssertionError(
        "query should be unbatched 2D or batched 3D tensor but received "
        f"{query.ndim}-D query tensor"
    )


def _in_projection(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    weights: tuple[Tensor, Tensor, Tensor],
    bias: Tensor | None,
) -> tuple[Tensor, Tensor, Tensor]:
    """q, k, v = x W_x^T + b_x for the three inputs; `bias` packs b_q, b_k, b_v."""
    biases: tuple[Any, ...] = (None, None, None) if bias is None else tuple(bias.chunk(3))
    return (
        linear(query, weights[0], biases[0]),
        linear(key, weights[1], biases[1]),
        linear(value, weights[2], biases[2]),
    )


def multi_head_attention_forward(
    query: Any,
    key: Any,
    value: Any,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Any = None,
    need_weights: bool = True,
    attn_mask: Any = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention (Vaswani et al., 2017), as `torch.nn.functional.
    multi_head_attention_forward`:

        head_h = softmax(Q_h K_h^T / sqrt(d) + mask) V_h ,  Q = query W_q^T + b_q, ...
        out = concat(head_1, ..., head_H) W_o^T + b_o ,  d = embed_dim / H

    Shapes (sequence first): query (L, N, E) or (L, E); key (S, N, E_k), value
    (S, N, E_v) or unbatched; output like query; weights (N, L, S) averaged over the
    heads, or (N, H, L, S) with `average_attn_weights=False` (unbatched: no N).

    Masks: `key_padding_mask` (N, S) or (S,), `attn_mask` (L, S) or (N * H, L, S); bool
    True = ignore that key, float = added. `bias_k`/`bias_v` (1, 1, E) append one key
    and value; `add_zero_attn` appends a zero key and value after them; `static_k`/
    `static_v` (N * H, S, d) replace the projected keys/values. `is_causal` is a hint
    that `attn_mask` is the causal mask (it is required).

    With `need_weights` the weights are an ordinary softmax (a query with every key
    masked gives NaN, as PyTorch's); without, the attention runs through
    `scaled_dot_product_attention` (zeros for such a query, as PyTorch's).
    """
    query, key, value = _as_tensor(query), _as_tensor(key), _as_tensor(value)
    kpm = None if key_padding_mask is None else _as_tensor(key_padding_mask)
    mask = None if attn_mask is None else _as_tensor(attn_mask)
    is_batched = _shape_check(query, key, value, kpm, mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if kpm is not None:
            kpm = kpm.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    kpm = canonical_mask(kpm, "key_padding_mask", mask, "attn_mask", query.dtype)
    if is_causal and mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and kpm is None and not need_weights:
        mask = None  # scaled_dot_product_attention builds the causal mask itself
    else:
        mask = canonical_mask(mask, "attn_mask", None, "", query.dtype, check_other=False)
        if kpm is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {name}_proj_weight is None"
                )
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = tuple(in_proj_weight.chunk(3))  # type: ignore[assignment]
    q, k, v = _in_projection(query, key, value, weights, in_proj_bias)  # type: ignore[arg-type]

    if mask is not None:
        if mask.ndim == 2:
            if mask.shape != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            mask = mask.unsqueeze(0)
        elif mask.ndim == 3:
            if mask.shape != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {mask.shape}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        mask = None if mask is None else _pad(mask, (0, 1))
        kpm = None if kpm is None else _pad(kpm, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # (len, N, E) -> (N * H, len, d)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, "static_k", bsz * num_heads, head_dim)
    v = _heads(v, static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        k = cat([k, zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)], 1)
        v = cat([v, zeros((bsz * num_heads, 1, head_dim), dtype=v.dtype)], 1)
        mask = None if mask is None else _pad(mask, (0, 1))
        kpm = None if kpm is None else _pad(kpm, (0, 1))
    src_len = k.shape[1]

    if kpm is not None:
        if kpm.shape[0] != bsz:
            raise AssertionError(
                f"Expected key_padded_mask.shape[0] to be {bsz}, but got {kpm.shape[0]}"
            )
        if kpm.shape[1] != src_len:
            raise AssertionError(
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got {kpm.shape[1]}"
            )
        kpm = (
            kpm.reshape(bsz, 1, 1, src_len)
            .expand(-1, num_heads, -1, -1)
            .reshape(bsz * num_heads, 1, src_len)
        )
        mask = kpm if mask is None else mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
        scores = matmul(q_scaled, k.transpose(-2, -1))
        if mask is not None:
            scores = mask + scores
        attn = _attention_dropout(softmax(scores, -1), dropout_p)
        out = matmul(attn, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        attn = attn.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn = attn.mean(1)
        if not is_batched:
            out, attn = out.squeeze(1), attn.squeeze(0)
        return out, attn

    if mask is not None:
        if mask.shape[0] == 1 and mask.ndim == 3:
            mask = mask.unsqueeze(0)
        else:
            mask = mask.reshape(bsz, num_heads, -1, src_len)
    out = scaled_dot_product_attention(
        q.reshape(bsz, num_heads, tgt_len, head_dim),
        k.reshape(bsz, num_heads, src_len, head_dim),
        v.reshape(bsz, num_heads, src_len, head_dim),
        mask,
        dropout_p,
        is_causal,
    )
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _heads(x: Tensor, static: Tensor | None, name: str, batch_heads: int, head_dim: int) -> Tensor:
    """Keys or values (S, N, E) as (N * H, S, d), or the given `static_k`/`static_v`."""
    if static is None:
        return x.reshape(x.shape[0], batch_heads, head_dim).transpose(0, 1)
    static = _as_tensor(static)
    if static.shape[0] != batch_heads:
        raise AssertionError(
            f"expecting {name}.size(0) of {batch_heads}, but got {static.shape[0]}"
        )
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static
