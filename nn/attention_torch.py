"""PyTorch's `nn.MultiheadAttention` (and the `NonDynamicallyQuantizableLinear` of its
output projection), forwarding through `F.multi_head_attention_forward`.

Parameters are named, shaped and drawn as torch's, so a torch `state_dict` loads as it
is: `in_proj_weight` (3E, E) when key and value have the query's size E, else
`q_proj_weight` (E, E), `k_proj_weight` (E, kdim), `v_proj_weight` (E, vdim);
`in_proj_bias` (3E,), `bias_k` and `bias_v` (1, 1, E), `out_proj.weight` (E, E) and
`out_proj.bias` (E,).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.checks import check_bool
from nn import init
from nn.functional_attention import multi_head_attention_forward
from nn.layers import Linear
from nn.module import Module, Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """`Linear` under the name PyTorch gives `MultiheadAttention.out_proj`'s class."""


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al., 2017), as `torch.nn.MultiheadAttention`:

        MultiHead(Q, K, V) = concat(head_1, ..., head_H) W_o^T + b_o
        head_h = softmax(Q W_q,h^T (K W_k,h^T)^T / sqrt(E / H) + mask) V W_v,h^T

    Args:
        embed_dim: E, the query's (and output's) size; a multiple of `num_heads`.
        num_heads: H, parallel heads of size E / H each.
        dropout: probability of dropping an attention weight in training.
        bias: learn `in_proj_bias` and `out_proj.bias` (initialised to zero).
        add_bias_kv: learn `bias_k` and `bias_v`, one more key and value appended.
        add_zero_attn: append a zero key and value (after `bias_k`/`bias_v`).
        kdim, vdim: the sizes of key and value (default E).
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).

    Initialisation as torch's, draw for draw: `out_proj` as a Linear, then
    xavier_uniform_ of `in_proj_weight` (or of the q, k, v weights in turn),
    xavier_normal_ of `bias_k` and `bias_v`; biases zero.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                "embed_dim and num_heads must be greater than 0, got "
                f"embed_dim={embed_dim} and num_heads={num_heads} instead"
            )
        super().__init__()
        dtype = np.dtype(dtype or get_default_dtype())
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = check_bool("MultiheadAttention", "batch_first", batch_first)
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def empty(*shape: int) -> Parameter:
            return Parameter(np.zeros(shape, dtype))

        # attribute order is torch's parameter order: in_proj_weight, q/k/v_proj_weight,
        # in_proj_bias, bias_k, bias_v, then out_proj's
        if self._qkv_same_embed_dim:
            self.in_proj_weight: Parameter | None = empty(3 * embed_dim, embed_dim)
            self.q_proj_weight: Parameter | None = None
            self.k_proj_weight: Parameter | None = None
            self.v_proj_weight: Parameter | None = None
        else:
            self.in_proj_weight = None
            self.q_proj_weight = empty(embed_dim, embed_dim)
            self.k_proj_weight = empty(embed_dim, self.kdim)
            self.v_proj_weight = empty(embed_dim, self.vdim)
        self.in_proj_bias = empty(3 * embed_dim) if bias else None
        self.bias_k = empty(1, 1, embed_dim) if add_bias_kv else None
        self.bias_v = empty(1, 1, embed_dim) if add_bias_kv else None
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias)
        if dtype != self.out_proj.weight.dtype:
            self.out_proj.to(dtype)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()
        if device is not None:
            self.to(device)  # only the CPU exists: another device raises

    def _reset_parameters(self) -> None:
        if self.in_proj_weight is not None:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                if w is not None:
                    init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
        if self.out_proj.bias is not None:
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Attention of `query` over `key`/`value`; returns (output, weights).

        Shapes: query (L, N, E), key (S, N, kdim), value (S, N, vdim) ((N, L, E) ...
        with `batch_first`; (L, E) ... unbatched); output as query; weights (N, L, S),
        or (N, H, L, S) with `average_attn_weights=False`, or None without
        `need_weights`. `key_padding_mask` (N, S) and `attn_mask` (L, S) or
        (N * H, L, S): bool True = ignore, float = added. `is_causal` is a hint that
        `attn_mask` is the causal mask.
        """
        query, key, value = (x if isinstance(x, Tensor) else Tensor(x) for x in (query, key, value))
        if self.batch_first and query.ndim == 3:
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=separate,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )
        if self.batch_first and query.ndim == 3:
            out = out.transpose(1, 0)
        return out, weights
