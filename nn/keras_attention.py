"""Keras's attention layers: `MultiHeadAttention`, `Attention` (Luong's dot-product
attention) and `AdditiveAttention` (Bahdanau's), with Keras 3's arguments, weights,
masks and configs.

MultiHeadAttention projects with `EinsumDense` sub-layers named query, key, value and
attention_output (kernels (dim, heads, key_dim) and (heads, value_dim, dim), in that
order of weights) and computes, per head,

    scores = softmax(q k^T / sqrt(key_dim))      over the attention axes
    output = attention_output(scores v)

A mask (True: attend) comes from `attention_mask` (batch, T, S), from the Keras masks
the inputs carry (their `_keras_mask`, a bool array (batch, time): the query's becomes
(batch, T, 1), the value's and the key's (batch, 1, S)) and from `use_causal_mask`
(row >= column); they are and-ed. Masked scores are replaced before the softmax as
Keras replaces them: by -1e9 when the scores are returned, with dropout or other
ranks than (batch, time, dim), and then zeroed after the softmax (a row masked
everywhere attends to nothing); otherwise, on Keras's `dot_product_attention` path,
by -0.7 times float32's largest number, and not zeroed (such a row attends to every
position alike). Keras's JAX backend computes that path's softmax in float32 even for
float64 layers; here it stays in the layer's dtype.

Attention and AdditiveAttention take `[query, value]` or `[query, value, key]` and
`mask=[query_mask, value_mask]`: masked value positions get score - 1e9, and the
output is zeroed where the query is masked.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Generator, Tensor, rand
from autograd.checks import check_bool, check_int, check_real
from nn import constraints, initializers, regularizers
from nn.einsum_dense import EinsumDense, draw, keras_initializer
from nn.layer import Layer, run_call, shapes_of

#: What Keras's Softmax puts in place of masked scores (MultiHeadAttention).
LARGE_NEGATIVE = -1e9
#: What Keras's Attention subtracts from masked scores.
MASKED_SCORE_SHIFT = 1.0e9
#: What JAX's dot-product attention puts in place of masked scores: -0.7 times the
#: largest float32 (Keras's MultiHeadAttention without scores, dropout or other ranks).
DOT_PRODUCT_NEGATIVE = -0.7 * float(np.finfo(np.float32).max)


def keras_mask(x: Any) -> np.ndarray | None:
    """The Keras mask `x` carries (its `_keras_mask`), as a bool array, or None."""
    return as_bool(getattr(x, "_keras_mask", None))


def as_bool(mask: Any) -> np.ndarray | None:
    """A mask (array, Tensor, list) as a bool array: nonzero is True, as Keras's cast."""
    if mask is None:
        return None
    return np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)


def set_keras_mask(x: Any, mask: np.ndarray | None) -> None:
    """Put `mask` on the Tensor `x` as its `_keras_mask` (None clears it), as Keras's
    `set_keras_mask`."""
    if isinstance(x, Tensor) and (mask is not None or getattr(x, "_keras_mask", None) is not None):
        x._keras_mask = mask  # type: ignore[attr-defined]


def causal_mask(rows: int, columns: int) -> np.ndarray:
    """Keras's causal mask (1, rows, columns): True where row >= column."""
    return (np.arange(rows)[:, None] >= np.arange(columns)[None, :])[None]


def dropout(x: Tensor, rate: float, generator: Generator | None) -> Tensor:
    """Inverted dropout: each element kept with probability 1 - rate and scaled by
    1 / (1 - rate)."""
    keep = rand(*x.shape, dtype=x.dtype, generator=generator).data >= rate
    return x * Tensor((keep / (1.0 - rate)).astype(x.dtype))


def _letters(i: int) -> str:
    return string.ascii_lowercase[i]


def build_proj_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    """(equation, bias axes, output rank) of a projection, as Keras's: the free axes
    kept, the bound axes summed against the kernel, the output axes made."""
    free = "".join(_letters(i) for i in range(free_dims))
    bound = "".join(_letters(free_dims + i) for i in range(bound_dims))
    made = "".join(_letters(free_dims + bound_dims + i) for i in range(output_dims))
    return f"{free}{bound},{bound}{made}->{free}{made}", made, len(free + made)


def build_attention_equation(rank: int, attn_axes: tuple[int, ...]) -> tuple[str, str, int]:
    """(dot-product equation, combine equation, scores rank) of Keras's attention over
    `attn_axes` of projected tensors of `rank` axes (batch, ..., heads, channels)."""
    target = "".join(_letters(i) for i in range(rank))
    batch_dims = [i for i in range(rank) if i not in (*attn_axes, rank - 1)]
    offset, source = rank, ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _letters(offset)
            offset += 1
    product = "".join(
        [target[i] for i in batch_dims]
        + [target[i] for i in attn_axes]
        + [source[i] for i in attn_axes]
    )
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def masked_softmax(scores: Tensor, mask: np.ndarray | None, axes: tuple[int, ...]) -> Tensor:
    """Keras's `Softmax(axis=axes)(scores, mask)`: masked scores replaced by -1e9, the
    softmax over `axes` (exp(x - logsumexp(x)) over several), masked entries zeroed."""
    if mask is not None:
        scores = autograd.where(mask, scores, LARGE_NEGATIVE)
    if len(axes) > 1:
        out = autograd.exp(scores - autograd.logsumexp(scores, axis=axes, keepdims=True))
    else:
        out = autograd.softmax(scores, axis=axes[0])
    return out if mask is None else autograd.where(mask, out, 0.0)


def _positive_int(argument: str, value: Any, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        expected = "a positive integer or `None`" if allow_none else "a positive integer"
        raise ValueError(
            f"Received an invalid value for argument `{argument}`, expected {expected}. "
            f"Received: {argument}={value}"
        )
    return value


class MultiHeadAttention(Layer):
    """Keras's `layers.MultiHeadAttention` (see the module docstring for the math).

    Args:
        num_heads: the number of heads.
        key_dim: the size of each head's query and key.
        value_dim: the size of each head's value (`key_dim` by default).
        dropout: the rate of dropout on the attention scores, in training.
        use_bias: whether the projections have biases.
        output_shape: the output's last axes (the query's last axis by default).
        attention_axes: the axes attention runs over (the axes between batch and
            features by default); an int or a tuple, negative counting from the end.
        sliding_window: each query attends to the keys less than this many
            positions away (a band mask, and-ed with the others).
        flash_attention: Keras's choice of kernel; the same numbers here, with
            Keras's refusals (no dropout, no scores returned with it).
        kernel_initializer, bias_initializer: initializers of the projections.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties on the
            projections' weights and outputs.
        kernel_constraint, bias_constraint: projections after each update.
        use_gate: a gate sigmoid(query projection) multiplying the attended values.
        seed: the seed of the dropout's generator.
        **kwargs: Keras's layer arguments (`name`, `dtype`, ...).

    Call arguments:
        query (batch, T, dim), value (batch, S, dim), key (batch, S, dim; `value`
        by default), attention_mask (batch, T, S) bool, return_attention_scores
        (then (output, scores (batch, heads, T, S)) is returned), training,
        use_causal_mask. The query's mask is the Keras mask it carries (as in
        Keras, a `query_mask` argument is not read); `value_mask` and `key_mask`
        are those the value and the key carry unless given. The inputs' Keras masks
        are cleared and the output carries the query's.

    Raises:
        ValueError: a num_heads, key_dim, value_dim or sliding_window that is not a
            positive int, attention_axes of another type, dropout with flash
            attention, value and key of different shapes but for the last axis.

    Example:
        >>> import numpy as np, nn
        >>> mha = nn.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = np.ones((3, 5, 8), np.float32)
        >>> out, scores = mha(x, x, return_attention_scores=True, use_causal_mask=True)
        >>> out.shape, scores.shape, mha.count_params()
        ((3, 5, 8), (3, 2, 5, 5), 288)
        >>> [w.shape for w in mha.get_weights()][::2]
        [(8, 2, 4), (8, 2, 4), (8, 2, 4), (2, 4, 8)]
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: int | Sequence[int] | None = None,
        attention_axes: int | Sequence[int] | None = None,
        sliding_window: int | None = None,
        flash_attention: bool | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: regularizers.RegularizerLike = None,
        bias_regularizer: regularizers.RegularizerLike = None,
        activity_regularizer: regularizers.RegularizerLike = None,
        kernel_constraint: constraints.ConstraintLike = None,
        bias_constraint: constraints.ConstraintLike = None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        _positive_int("num_heads", num_heads)
        _positive_int("key_dim", key_dim)
        _positive_int("value_dim", value_dim, allow_none=True)
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads, self._key_dim = num_heads, key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = check_real("MultiHeadAttention", "dropout", dropout, 0)
        if not 0 <= self._dropout < 1:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1), got {dropout}")
        self._use_bias = check_bool("MultiHeadAttention", "use_bias", use_bias)
        self._use_gate = check_bool("MultiHeadAttention", "use_gate", use_gate)
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"Invalid `output_shape`: {output_shape}. When specified, the "
                    "`output_shape` should be of type tuple, list, or int."
                ) from None
        self._output_shape = output_shape or None
        self._flash_attention = bool(flash_attention)
        self._kernel_initializer = keras_initializer(kernel_initializer)
        self._bias_initializer = keras_initializer(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer, "kernel_regularizer")
        self._bias_regularizer = regularizers.get(bias_regularizer, "bias_regularizer")
        self._activity_regularizer = regularizers.get(activity_regularizer, "activity_regularizer")
        self._kernel_constraint = constraints.get(kernel_constraint, "kernel_constraint")
        self._bias_constraint = constraints.get(bias_constraint, "bias_constraint")
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                "`attention_axes` must be an int, list, or tuple."
                f"Received: attention_axes={attention_axes}"
            )
        self._attention_axes: Any = attention_axes
        self._sliding_window = _positive_int("sliding_window", sliding_window, allow_none=True)
        self.seed = None if seed is None else check_int("MultiHeadAttention", "seed", seed)
        self.generator = None if seed is None else Generator().manual_seed(seed)
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        if self._flash_attention and self._dropout > 0.0:
            raise ValueError(
                "Dropout is not supported when flash attention is enabled. Please set "
                "dropout to 0.0 to use flash attention."
            )
        self.query_dense: EinsumDense | None = None
        self.key_dense: EinsumDense | None = None
        self.gate_dense: EinsumDense | None = None
        self.value_dense: EinsumDense | None = None
        self.output_dense: EinsumDense | None = None

    num_heads = property(lambda self: self._num_heads, doc="The number of heads.")
    key_dim = property(lambda self: self._key_dim, doc="The size of a head's query and key.")
    value_dim = property(lambda self: self._value_dim, doc="The size of a head's value.")
    dropout = property(lambda self: self._dropout, doc="The rate of dropout on the scores.")
    use_bias = property(lambda self: self._use_bias, doc="Whether the projections have biases.")
    attention_axes = property(
        lambda self: self._attention_axes, doc="The axes attention runs over."
    )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.config_of(self._kernel_initializer),
            "bias_initializer": initializers.config_of(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MultiHeadAttention:
        """A new layer from `get_config()`'s dict (or Keras's: a dtype policy is read)."""
        config = dict(config)
        dtype = config.get("dtype")
        if isinstance(dtype, dict):  # Keras's DTypePolicy
            config["dtype"] = dtype.get("config", {}).get("name")
        return cls(**config)

    def _sublayer(
        self,
        equation: str,
        output_shape: list[Any],
        bias_axes: str,
        name: str,
        activation: str | None = None,
    ) -> EinsumDense:
        return EinsumDense(
            equation,
            output_shape=output_shape,
            activation=activation,
            bias_axes=bias_axes if self._use_bias else None,
            name=name,
            kernel_initializer=self._kernel_initializer,
            bias_initializer=self._bias_initializer,
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            dtype=self.dtype,
        )

    def build(
        self,
        query_shape: Sequence[Any],
        value_shape: Sequence[int | None] | None = None,
        key_shape: Sequence[int | None] | None = None,
    ) -> None:
        """Make the projections for inputs of these shapes (Keras's order of weights:
        query, key, gate, value, attention_output). The three shapes may also come as
        one sequence, as `build_input_shape` keeps them (how a saved layer is built)."""
        if value_shape is None and query_shape and isinstance(query_shape[0], (list, tuple)):
            query_shape, value_shape, key_shape = (*query_shape, None)[:3]
        if value_shape is None:
            raise ValueError(
                "MultiHeadAttention.build: value_shape is required, got "
                f"build({query_shape!r}, value_shape=None)"
            )
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        given_key = key_shape
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        shapes = [
            list(query_shape),
            list(value_shape),
            None if given_key is None else list(key_shape),
        ]
        object.__setattr__(self, "build_input_shape", shapes)  # (kept by `save`)
        heads = self._num_heads

        def projection(
            rank: int, last: int, name: str, activation: str | None = None
        ) -> EinsumDense:
            equation, bias_axes, out_rank = build_proj_equation(rank - 1, 1, 2)
            shape = [None] * (out_rank - 1 - 2) + [heads, last]
            return self._sublayer(equation, shape, bias_axes, name, activation)

        self.query_dense = projection(len(query_shape), self._key_dim, "query")
        self.query_dense.build(query_shape)
        self.key_dense = projection(len(key_shape), self._key_dim, "key")
        self.key_dense.build(key_shape)
        if self._use_gate:
            self.gate_dense = projection(len(query_shape), self._value_dim, "gate", "sigmoid")
            self.gate_dense.build(query_shape)
        self.value_dense = projection(len(value_shape), self._value_dim, "value")
        self.value_dense.build(value_shape)
        rank = len(value_shape) + 1
        self._build_attention(rank)
        output_shape: list[Any] = list(self._output_shape or (query_shape[-1],))
        equation, bias_axes, out_rank = build_proj_equation(
            len(query_shape) - 1, 2, len(output_shape)
        )
        self.output_dense = self._sublayer(
            equation,
            [None] * (out_rank - 1 - len(output_shape)) + output_shape,
            bias_axes,
            "attention_output",
        )
        inner = list(self.query_dense.compute_output_shape(query_shape))
        inner[-1] = self._value_dim
        self.output_dense.build(tuple(inner))
        if not self.trainable:  # a frozen layer's sub-layers are frozen too, as Keras's
            self.trainable = False
        self.built = True

    def _build_attention(self, rank: int) -> None:
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(
                axis if axis >= 0 else (rank - 1) + axis for axis in self._attention_axes
            )
        self._dot_product_equation, self._combine_equation, scores_rank = build_attention_equation(
            rank, self._attention_axes
        )
        self._norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))

    def forward(
        self,
        query: Any,
        value: Any,
        key: Any = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
    ) -> Any:
        # Keras's Layer.__call__: the inputs' masks fill the *_mask arguments left None
        # (the query's is read by `call` itself, over the argument, as Keras's), then
        # the inputs' masks are cleared and the output gets the query's
        query_mask = keras_mask(query)
        value_mask = keras_mask(value) if value_mask is None else as_bool(value_mask)
        if key is not None:
            key_mask = keras_mask(key) if key_mask is None else as_bool(key_mask)
        for x in (query, value, key):
            set_keras_mask(x, None)
        if not self.built:
            self.build(*(shapes_of(x) for x in (query, value, key) if x is not None))
        outputs = run_call(
            self,
            (query, value, key),
            {
                "query_mask": query_mask,
                "value_mask": value_mask,
                "key_mask": as_bool(key_mask),
                "attention_mask": as_bool(attention_mask),
                "return_attention_scores": return_attention_scores,
                "training": training,
                "use_causal_mask": use_causal_mask,
            },
        )
        if query_mask is not None:
            set_keras_mask(outputs[0] if return_attention_scores else outputs, query_mask)
        return outputs

    def call(
        self,
        query: Tensor,
        value: Tensor,
        key: Tensor | None = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
    ) -> Any:
        key = value if key is None else key
        masks = [as_bool(m) for m in (query_mask, value_mask, key_mask, attention_mask)]
        causal_only = (
            use_causal_mask
            and all(m is None for m in masks)
            and self._sliding_window is None
            and type(self)._compute_attention is MultiHeadAttention._compute_attention
        )
        if causal_only:
            mask = None
        else:
            query_m, value_m, key_m, given = masks
            mask = self._compute_attention_mask(
                query, value, query_m, value_m, key_m, given, use_causal_mask
            )
        assert self.query_dense and self.key_dense and self.value_dense and self.output_dense
        gate = self.gate_dense(query) if self.gate_dense is not None else None
        q, k, v = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        output, scores = self._compute_attention(
            q,
            k,
            v,
            mask,
            training,
            return_attention_scores,
            **({"use_causal_mask": True} if causal_only else {}),
        )
        output = self.output_dense(output if gate is None else output * gate)
        return (output, scores) if return_attention_scores else output

    def _compute_attention_mask(
        self,
        query: Tensor,
        value: Tensor,
        query_mask: np.ndarray | None = None,
        value_mask: np.ndarray | None = None,
        key_mask: np.ndarray | None = None,
        attention_mask: np.ndarray | None = None,
        use_causal_mask: bool = False,
    ) -> np.ndarray | None:
        """The and of the masks: query (B, T, 1), value and key (B, 1, S), causal and
        sliding window (1, T, S), `attention_mask` (B, T, S); None without any."""
        auto = None if query_mask is None else query_mask[..., None]
        for mask in (value_mask, key_mask):
            if mask is not None:
                mask = np.expand_dims(mask, -2)
                auto = mask if auto is None else auto & mask
        t, s = query.shape[1], value.shape[1]
        if use_causal_mask:
            auto = causal_mask(t, s) if auto is None else auto & causal_mask(t, s)
        if self._sliding_window is not None:
            band = (np.abs(np.arange(t)[:, None] - np.arange(s)[None, :]) < self._sliding_window)[
                None
            ]
            auto = band if auto is None else auto & band
        if auto is None:
            return attention_mask
        return auto if attention_mask is None else attention_mask & auto

    def _compute_attention(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        attention_mask: np.ndarray | None = None,
        training: bool | None = None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """(output, scores) of the projected query (B, T, N, key_dim), key and value:
        Keras's `dot_product_attention` path (scores None) when it takes it, else the
        einsum path (see the module docstring)."""
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                "Returning attention scores is not supported when flash attention is "
                "enabled. Please disable flash attention to access attention scores."
            )
        expand_at = -len(self._attention_axes) * 2 - 1
        if not (self._dropout > 0.0 or return_attention_scores or query.ndim != 4):
            logits = autograd.einsum("BTNH,BSNH->BNTS", query, key) * self._inverse_sqrt_key_dim
            mask = attention_mask
            if mask is not None:
                while mask.ndim < 4:
                    mask = np.expand_dims(mask, expand_at)
            if use_causal_mask:
                tril = causal_mask(*logits.shape[2:])[None]
                mask = tril if mask is None else mask & tril
            if mask is not None:
                logits = autograd.where(mask, logits, DOT_PRODUCT_NEGATIVE)
            probs = autograd.softmax(logits, axis=-1)
            return autograd.einsum("BNTS,BSNH->BTNH", probs, value), None
        if use_causal_mask:
            causal = causal_mask(query.shape[1], value.shape[1])
            attention_mask = causal if attention_mask is None else attention_mask & causal
        query = query * self._inverse_sqrt_key_dim
        scores = autograd.einsum(self._dot_product_equation, key, query)
        mask = attention_mask
        if mask is not None:
            while mask.ndim < scores.ndim:
                mask = np.expand_dims(mask, expand_at)
        scores = masked_softmax(scores, mask, self._norm_axes)
        dropped = scores
        if self._dropout > 0.0 and training:
            dropped = dropout(scores, self._dropout, self.generator)
        return autograd.einsum(self._combine_equation, dropped, value), scores

    def compute_output_shape(
        self,
        query_shape: Sequence[int | None],
        value_shape: Sequence[int | None],
        key_shape: Sequence[int | None] | None = None,
    ) -> tuple[int | None, ...]:
        """The output's shape: the query's, with `output_shape` as its last axes."""
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def extra_repr(self) -> str:
        return f"num_heads={self._num_heads}, key_dim={self._key_dim}, name={self.name!r}"


class Attention(Layer):
    """Keras's `layers.Attention`, Luong's dot-product attention:

        scores = query @ key^T (* scale)                         score_mode "dot"
        scores = concat_score_weight * sum(tanh(scale * (q + k)), -1)   "concat"
        output = softmax(scores) @ value

    Args:
        use_scale: learn a scalar `scale` (initially 1) multiplying the scores.
        score_mode: "dot" or "concat" (which learns `concat_score_weight`).
        dropout: the rate of dropout on the attention distribution, in training.
        seed: the seed of the dropout's generator.
        **kwargs: Keras's layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: a list [query (batch, Tq, dim), value (batch, Tv, dim)] or [query,
        value, key (batch, Tv, dim)] (the key is the value when left out); mask: a
        list [query_mask (batch, Tq), value_mask (batch, Tv)] (the Keras masks the
        inputs carry by default); training; return_attention_scores (then (output,
        scores (batch, Tq, Tv)) is returned); use_causal_mask. Masked value positions
        get score - 1e9; the output is zero where the query is masked and carries the
        query's mask.

    Raises:
        ValueError: an unknown score_mode; inputs or masks that are not lists of 2 or
            3 (Keras's messages).
    """

    score_mode_choices = ("dot", "concat")

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.use_scale = check_bool(owner, "use_scale", use_scale)
        self.score_mode = score_mode
        self.dropout = check_real(owner, "dropout", dropout, 0)
        if not 0 <= self.dropout < 1:
            raise ValueError(f"{owner}: dropout must be in [0, 1), got {dropout}")
        self.seed = None if seed is None else check_int(owner, "seed", seed)
        self.generator = None if seed is None else Generator().manual_seed(seed)
        if score_mode not in self.score_mode_choices:
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )
        self.scale: Tensor | None = None
        self.concat_score_weight: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        """Make `scale` and `concat_score_weight` when asked for; `input_shape` is the
        list of the inputs' shapes (a tuple of them too, as a saved layer keeps it)."""
        input_shape = _shape_list(input_shape)
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                shape=(), initializer="ones", name="concat_score_weight"
            )
        self.built = True

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        """Scores (batch, Tq, Tv) of the queries against the keys."""
        if self.score_mode == "dot":
            scores = autograd.matmul(query, autograd.swapaxes(key, -2, -1))
            return scores if self.scale is None else scores * self.scale
        summed = autograd.expand_dims(query, -2) + autograd.expand_dims(key, -3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * autograd.tanh(summed).sum(axis=-1)

    def _apply_scores(
        self,
        scores: Tensor,
        value: Tensor,
        scores_mask: np.ndarray | None = None,
        training: bool | None = False,
    ) -> tuple[Tensor, Tensor]:
        """(softmax(scores) @ value, softmax(scores)), masked scores shifted by -1e9
        and the distribution dropped out in training."""
        if scores_mask is not None:
            padding = ~scores_mask
            if padding.ndim == 2:
                padding = np.expand_dims(padding, -2)
            scores = autograd.where(padding, scores - MASKED_SCORE_SHIFT, scores)
        weights = autograd.softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = dropout(weights, self.dropout, self.generator)
        return autograd.matmul(dropped, value), weights

    def forward(
        self,
        inputs: Any,
        mask: Any = None,
        training: bool | None = None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        # Keras's Layer.__call__: the mask is the inputs' Keras masks unless given
        if mask is None and isinstance(inputs, list):
            mask = [keras_mask(x) for x in inputs]
        outputs = run_call(
            self,
            (inputs,),
            {
                "mask": mask,
                "training": training,
                "return_attention_scores": return_attention_scores,
                "use_causal_mask": use_causal_mask,
            },
        )
        query_mask = self.compute_mask(inputs, mask)
        if query_mask is not None:
            set_keras_mask(outputs[0] if return_attention_scores else outputs, query_mask)
        return outputs

    def call(
        self,
        inputs: list[Tensor],
        mask: Any = None,
        training: bool | None = False,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = as_bool(mask[0]) if mask else None
        value_mask = as_bool(mask[1]) if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = value_mask
        if use_causal_mask:
            causal = causal_mask(*scores.shape[-2:])
            scores_mask = causal if value_mask is None else np.expand_dims(value_mask, -2) & causal
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            output = autograd.where(query_mask[..., None], output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs: Any, mask: Any = None) -> np.ndarray | None:
        """The output's mask: the query's."""
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return as_bool(mask[0])

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:
        """(*query_shape[:-1], value_shape[-1])."""
        return (*input_shape[0][:-1], input_shape[1][-1])

    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] "
                f"or [query, value, key]. Received: inputs={inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] "
                f"or [query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                    f"Received: mask={mask}."
                )
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. "
                    f"Received: inputs={inputs}, mask={mask}."
                )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }

    def extra_repr(self) -> str:
        return f"use_scale={self.use_scale}, score_mode={self.score_mode!r}, name={self.name!r}"


def _shape_list(shapes: Any) -> Any:
    """A tuple of shapes as the list Keras's attention layers build from."""
    if isinstance(shapes, tuple) and shapes and all(isinstance(s, (list, tuple)) for s in shapes):
        return list(shapes)
    return shapes


class AdditiveAttention(Attention):
    """Keras's `layers.AdditiveAttention`, Bahdanau's attention:

        scores = sum(scale * tanh(query[:, :, None] + key[:, None]), -1)
        output = softmax(scores) @ value

    `scale` (dim,) is learned when `use_scale` (glorot_uniform), else 1. Inputs,
    masks and call arguments as `Attention`'s.
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape: Any) -> None:
        input_shape = _shape_list(input_shape)
        self._validate_inputs(input_shape)
        if self.use_scale:
            dim = int(input_shape[0][-1])
            glorot = initializers.get("glorot_uniform")
            self.scale = draw(self, glorot, (dim,), "scale", None, None)
        self.built = True

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        summed = autograd.tanh(autograd.expand_dims(query, -2) + autograd.expand_dims(key, -3))
        if self.scale is not None:
            summed = self.scale * summed
        return summed.sum(axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["score_mode"]
        return config
