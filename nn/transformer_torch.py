"""PyTorch's transformer modules (Vaswani et al., 2017): `TransformerEncoderLayer`,
`TransformerEncoder`, `TransformerDecoderLayer`, `TransformerDecoder` and
`Transformer`, with torch's sub-module names (`self_attn`, `multihead_attn`,
`linear1`, `dropout`, `linear2`, `norm1`..`norm3`, `dropout1`..`dropout3`, `layers.0`,
`encoder`, `decoder`, ...), so `state_dict` keys and shapes are torch's.

Masks are those of `nn.MultiheadAttention`: bool True = ignore that position, float =
added to the scores. Shapes are sequence first, (L, N, E), or (N, L, E) with
`batch_first`, or unbatched (L, E).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, get_default_dtype
from nn import functional as F
from nn import init
from nn.activations import GELU, ReLU
from nn.attention_torch import MultiheadAttention
from nn.containers import ModuleList
from nn.functional_attention import canonical_mask
from nn.layers import Dropout, LayerNorm, Linear
from nn.module import Module

__all__ = [
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

Activation = str | Callable[[Tensor], Tensor]


def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
    """The causal float mask of size (sz, sz): -inf above the diagonal, 0 on and below
    it (position i attends 0..i)."""
    mask = np.triu(np.full((sz, sz), -np.inf), 1)
    return Tensor(mask.astype(dtype or get_default_dtype()))


def _activation(activation: Activation) -> Callable[[Tensor], Tensor]:
    if isinstance(activation, str):
        if activation == "relu":
            return F.relu
        if activation == "gelu":
            return F.gelu
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")
    return activation


def _seq_len(src: Tensor, batch_first: bool) -> int:
    if src.ndim == 2:
        return int(src.shape[0])
    return int(src.shape[1 if batch_first else 0])


def _detect_is_causal_mask(mask: Any, is_causal: bool | None, size: int | None) -> bool:
    """`is_causal` when given; with None, whether `mask` is exactly the causal mask."""
    if is_causal is not None or mask is None:
        return is_causal is True
    mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    sz = size if size is not None else mask.shape[-2]
    causal = np.triu(np.full((sz, sz), -np.inf), 1).astype(mask.dtype)
    return mask.shape == causal.shape and bool((mask == causal).all())


def _masks(
    src: Tensor, mask: Any, key_padding_mask: Any, names: tuple[str, str]
) -> tuple[Tensor | None, Tensor | None]:
    """Both masks as float masks of src's dtype (torch's canonical masks)."""
    key_padding_mask = canonical_mask(key_padding_mask, names[1], mask, names[0], src.dtype)
    mask = canonical_mask(mask, names[0], None, "", src.dtype, check_other=False)
    return mask, key_padding_mask


def _attention_dropout(dropout: Module, x: Tensor, batch_first: bool) -> Tensor:
    """`dropout` of an attention output. A batch-first output of PyTorch's attention is
    a transposed view of a sequence-first array, and torch draws a dropout mask in
    memory order; drawing it sequence-first here gives the same mask for one seed."""
    if batch_first and x.ndim == 3 and isinstance(dropout, Dropout):
        return dropout(x.transpose(0, 1)).transpose(0, 1)
    return dropout(x)


def _clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each with a residual connection and
    layer normalization, as `torch.nn.TransformerEncoderLayer`:

        post-norm:  x = norm1(x + SA(x)) ;  x = norm2(x + FF(x))
        pre-norm (norm_first):  x = x + SA(norm1(x)) ;  x = x + FF(norm2(x))
        SA(x) = dropout1(self_attn(x, x, x)) ;
        FF(x) = dropout2(linear2(dropout(activation(linear1(x)))))

    Args:
        d_model: E, the size of each position's vector.
        nhead: heads of the self-attention.
        dim_feedforward: the hidden size of the feed-forward block.
        dropout: the probability of every dropout (attention weights included).
        activation: "relu", "gelu" or a callable.
        layer_norm_eps: eps of the layer norms.
        batch_first: (N, L, E) inputs instead of (L, N, E).
        norm_first: normalize before each block instead of after.
        bias: biases in the linear layers, the attention and the layer norms.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Activation = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        activation = _activation(activation)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation
        if dtype is not None:
            self.to(dtype)
        if device is not None:
            self.to(device)  # only the CPU exists: another device raises

    def forward(
        self,
        src: Any,
        src_mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool = False,
    ) -> Tensor:
        """The layer on `src`; `src_mask` (L, L) or (N * nhead, L, L),
        `src_key_padding_mask` (N, L); `is_causal` hints that `src_mask` is causal."""
        src = src if isinstance(src, Tensor) else Tensor(src)
        src_mask, src_key_padding_mask = _masks(
            src, src_mask, src_key_padding_mask, ("src_mask", "src_key_padding_mask")
        )
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return _attention_dropout(self.dropout1, x, self.self_attn.batch_first)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's output (`memory`), then a
    feed-forward block, each with a residual connection and layer normalization, as
    `torch.nn.TransformerDecoderLayer`:

        post-norm:  x = norm1(x + SA(x)) ;  x = norm2(x + MHA(x, mem)) ;
                    x = norm3(x + FF(x))
        pre-norm:   x = x + SA(norm1(x)) ;  x = x + MHA(norm2(x), mem) ;
                    x = x + FF(norm3(x))

    with dropout1, dropout2, dropout3 after the three blocks. Arguments as
    `TransformerEncoderLayer`'s.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Activation = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, dtype=dtype
        )
        self.multihead_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)
        if dtype is not None:
            self.to(dtype)
        if device is not None:
            self.to(device)  # only the CPU exists: another device raises

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """The layer on `tgt` attending `memory`; `tgt_mask` (T, T), `memory_mask`
        (T, S), `tgt_key_padding_mask` (N, T), `memory_key_padding_mask` (N, S)."""
        x = tgt if isinstance(tgt, Tensor) else Tensor(tgt)
        memory = memory if isinstance(memory, Tensor) else Tensor(memory)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(
            x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal)
        )
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return _attention_dropout(self.dropout1, x, self.self_attn.batch_first)

    def _mha_block(
        self, x: Tensor, mem: Tensor, mask: Any, key_padding_mask: Any, is_causal: bool
    ) -> Tensor:
        x = self.multihead_attn(
            x,
            mem,
            mem,
            attn_mask=mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return _attention_dropout(self.dropout2, x, self.multihead_attn.batch_first)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _why_not_nested(layer: Any) -> str:
    """Why torch's encoder would not take its nested-tensor path with this layer ("" if
    it would)."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    if layer.norm_first:
        return f"{name}.norm_first was True"
    if not layer.self_attn.batch_first:
        return (
            f"{name}.self_attn.batch_first was not True"
            "(use batch_first for better inference performance)"
        )
    if not layer.self_attn._qkv_same_embed_dim:
        return f"{name}.self_attn._qkv_same_embed_dim was not True"
    if layer.self_attn.in_proj_bias is None:
        return f"{name}.self_attn was passed bias=False"
    if not layer.activation_relu_or_gelu:
        return f"{name}.activation_relu_or_gelu was not True"
    if layer.norm1.eps != layer.norm2.eps:
        return f"{name}.norm1.eps was not equal to {name}.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return f"{name}.self_attn.num_heads is odd"
    return ""


class TransformerEncoder(Module):
    """`num_layers` deep copies of `encoder_layer` applied in turn (`layers.0`, ...),
    then `norm` if given, as `torch.nn.TransformerEncoder`.

    Args:
        encoder_layer: the layer copied (a `TransformerEncoderLayer`).
        num_layers: how many copies.
        norm: applied to the last layer's output (e.g. a `LayerNorm`).
        enable_nested_tensor: PyTorch's inference path for padded batches. When it is
            taken (evaluation mode, no gradient wanted, batched `batch_first` input,
            a `src_key_padding_mask` and no `mask`, a post-norm layer with ReLU/GELU
            and an even number of heads, padding at the end of each sequence unless
            `mask_check=False`), PyTorch's outputs at the padded positions are zeros
            before `norm`; so are these. PyTorch's warning when the layer rules it
            out is given too.
        mask_check: check that padding is at the end of each sequence before taking
            that path.
    """

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(
                "enable_nested_tensor is True, but self.use_nested_tensor is False because "
                f"{why_not}",
                stacklevel=2,
            )
            self.use_nested_tensor = False

    def forward(
        self,
        src: Any,
        mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """The layers on `src`; `mask` (L, L) or (N * nhead, L, L),
        `src_key_padding_mask` (N, L); `is_causal` None detects a causal `mask`."""
        src = src if isinstance(src, Tensor) else Tensor(src)
        mask, src_key_padding_mask = _masks(
            src, mask, src_key_padding_mask, ("mask", "src_key_padding_mask")
        )
        first = self.layers[0]
        is_causal = _detect_is_causal_mask(
            mask, is_causal, _seq_len(src, first.self_attn.batch_first)
        )
        output = src
        for layer in self.layers:
            output = layer(
                output,
                src_mask=mask,
                is_causal=is_causal,
                src_key_padding_mask=src_key_padding_mask,
            )
        if self._nested_path(src, mask, src_key_padding_mask):
            keep = (src_key_padding_mask.data == 0)[..., None]
            output = output * Tensor(keep.astype(output.dtype))
        if self.norm is not None:
            output = self.norm(output)
        return output

    def _nested_path(self, src: Tensor, mask: Any, key_padding_mask: Tensor | None) -> bool:
        """Whether PyTorch would run this call on nested tensors (see the class)."""
        first = self.layers[0]
        if not self.use_nested_tensor or first.training or src.ndim != 3:
            return False
        if key_padding_mask is None or mask is not None:
            return False
        valid = key_padding_mask.data == 0
        # left aligned: no valid position after a padded one
        if self.mask_check and bool((np.diff(valid.astype(np.int8), axis=-1) > 0).any()):
            return False
        attn = first.self_attn
        tensors = [
            src,
            attn.in_proj_weight,
            attn.in_proj_bias,
            attn.out_proj.weight,
            attn.out_proj.bias,
            first.norm1.weight,
            first.norm1.bias,
            first.norm2.weight,
            first.norm2.bias,
            first.linear1.weight,
            first.linear1.bias,
            first.linear2.weight,
            first.linear2.bias,
        ]
        wants_grad = any(t is not None and t.requires_grad for t in tensors)
        return not (autograd.is_grad_enabled() and wants_grad)


class TransformerDecoder(Module):
    """`num_layers` deep copies of `decoder_layer` applied in turn, then `norm` if
    given, as `torch.nn.TransformerDecoder`."""

    def __init__(
        self,
        decoder_layer: TransformerDecoderLayer,
        num_layers: int,
        norm: Module | None = None,
    ) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """The layers on `tgt` attending `memory`; `tgt_is_causal` None detects a
        causal `tgt_mask`."""
        output = tgt if isinstance(tgt, Tensor) else Tensor(tgt)
        seq_len = _seq_len(output, self.layers[0].self_attn.batch_first)
        causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
        for layer in self.layers:
            output = layer(
                output,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=causal,
                memory_is_causal=memory_is_causal,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """The encoder-decoder transformer of "Attention is all you need", as
    `torch.nn.Transformer`: `encoder` (a `TransformerEncoder` of `num_encoder_layers`
    layers and a final `LayerNorm`) and `decoder` (likewise), or the given
    `custom_encoder`/`custom_decoder`. Every parameter of two or more axes is then
    redrawn with xavier_uniform_, in `parameters()` order, as torch's.

    Arguments of the layers as `TransformerEncoderLayer`'s; forward(src, tgt, ...)
    returns the decoder's output, (T, N, E) (or (N, T, E) with `batch_first`).
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Activation = F.relu,
        custom_encoder: Any | None = None,
        custom_decoder: Any | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        layer_args = (
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation,
            layer_norm_eps,
            batch_first,
            norm_first,
            bias,
        )
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            encoder_layer = TransformerEncoderLayer(*layer_args, dtype=dtype)
            encoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
            self.encoder = TransformerEncoder(encoder_layer, num_encoder_layers, encoder_norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            decoder_layer = TransformerDecoderLayer(*layer_args, dtype=dtype)
            decoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
            self.decoder = TransformerDecoder(decoder_layer, num_decoder_layers, decoder_norm)
        if dtype is not None:
            self.to(dtype)
        if device is not None:
            self.to(device)  # only the CPU exists: another device raises
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(
        self,
        src: Any,
        tgt: Any,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Encode `src` (S, N, E), decode `tgt` (T, N, E) attending the encoding."""
        src = src if isinstance(src, Tensor) else Tensor(src)
        tgt = tgt if isinstance(tgt, Tensor) else Tensor(tgt)
        is_batched = src.ndim == 3
        batch_axis = 0 if self.batch_first else 1
        if is_batched and src.shape[batch_axis] != tgt.shape[batch_axis]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal float mask (sz, sz): -inf above the diagonal, 0 elsewhere."""
        return generate_square_subsequent_mask(sz, device, dtype)

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
