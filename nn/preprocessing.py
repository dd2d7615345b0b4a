"""Keras's preprocessing layers for structured data: `CategoryEncoding`,
`Discretization`, `IntegerLookup` and `StringLookup`.

They take data, not gradients: ints and strings pass through as numpy arrays (Keras
does not cast them to floats), and their outputs are Tensors without a graph. As
Keras's:

- `CategoryEncoding(num_tokens, output_mode)` turns integer indices into one-hot,
  multi-hot or count rows ("count" may weigh each index with `count_weights`);
  an index outside [0, num_tokens) gives no 1, as on Keras's JAX backend.
- `Discretization` gives each value the index of its bin (`bin_boundaries`, or
  `num_bins` quantile boundaries learned by `adapt` with Keras's approximate
  quantile summaries), then encodes it as `CategoryEncoding` does.
- `StringLookup` and `IntegerLookup` map tokens to indices of a vocabulary (given,
  or learned by `adapt`: most frequent first, ties by the larger token first),
  after the mask index (0, when `mask_token` is set, in "int" mode) and
  `num_oov_indices` indices for out-of-vocabulary tokens (several are told apart by
  the hash `nn.hashing` computes, as Keras's). `invert=True` maps indices back to
  tokens.

Keras's "int" mode gives int64 indices; the other modes give float32 rows (Keras's
declared output dtype; its TensorFlow-backed call gives int64 counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.checks import check_int, check_real
from nn.layer import Layer

ENCODINGS = ("one_hot", "multi_hot", "count")


def _array(value: Any) -> np.ndarray:
    """Data (a Tensor, array, list or scalar) as an ndarray."""
    return np.asarray(value.data if isinstance(value, Tensor) else value)


def _output_mode(owner: str, mode: str, allowed: tuple[str, ...]) -> str:
    """Keras's output mode, with its old names ("binary" is "multi_hot")."""
    mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(mode, mode)
    if mode not in allowed:
        raise ValueError(
            f"{owner}: Unknown value for `output_mode`: {mode!r}; it must be one of "
            f"{', '.join(repr(m) for m in allowed)}"
        )
    return mode


def encode(
    indices: np.ndarray, mode: str, depth: int, weights: Any = None, dtype: Any = np.float32
) -> Tensor:
    """Keras's `encode_categorical_inputs` of integer `indices`: "one_hot" adds an axis
    of `depth` (replacing a last axis of length 1), "multi_hot" and "count" reduce the
    last axis of a rank-2 input (a rank-1 input is one sample); "int" is the indices
    as int64. Rows are in `dtype` (weighted counts in the weights' dtype). An index
    outside [0, depth) counts nowhere (Keras on JAX)."""
    if mode == "int":
        return Tensor(indices.astype(np.int64))
    if indices.ndim == 0:
        indices = indices[None]
    if mode == "one_hot" and indices.ndim > 1 and indices.shape[-1] == 1:
        indices = indices[..., 0]
    hot = (np.arange(depth) == indices[..., None]).astype(dtype)
    if mode == "one_hot":
        return Tensor(hot)
    axis = 1 if indices.ndim > 1 else 0
    if mode == "multi_hot":
        return Tensor(hot.max(axis=axis))
    if weights is not None:
        w = _array(weights)
        hot = hot.astype(w.dtype) * w[..., None]
    return Tensor(hot.sum(axis=axis))


class DataLayer(Layer):
    """A layer that takes its inputs as they are (ints and strings are not Tensors)."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("training", None)
        if not self.built:
            self.build(np.shape(_array(args[0])))
            self.built = True
        return self.call(*args, **kwargs)


class CategoryEncoding(DataLayer):
    """Keras's `layers.CategoryEncoding(num_tokens, output_mode="multi_hot")`: integer
    indices in [0, num_tokens) as one-hot, multi-hot or count rows (float32).

    Args:
        num_tokens: the number of indices (the length of each row).
        output_mode: "one_hot", "multi_hot" (default; "binary" is its old name) or
            "count".
        sparse: Keras's sparse output; not available (False only).
        **kwargs: Keras's layer arguments (`name`, ...).

    Raises:
        ValueError: no `num_tokens`, one below 1, or an unknown output mode.

    Example:
        >>> import nn
        >>> nn.layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")([3, 0]).data
        array([[0., 0., 0., 1.],
               [1., 0., 0., 0.]], dtype=float32)
    """

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.output_mode = _output_mode("CategoryEncoding", output_mode, ENCODINGS)
        if num_tokens is None:
            raise ValueError(
                "CategoryEncoding: num_tokens must be set to use this layer. If the number "
                "of tokens is not known beforehand, use the IntegerLookup layer instead."
            )
        if check_int("CategoryEncoding", "num_tokens", num_tokens) < 1:
            raise ValueError(f"CategoryEncoding: `num_tokens` must be >= 1, got {num_tokens}")
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not available")
        self.num_tokens, self.sparse = int(num_tokens), False

    def call(self, inputs: Any, count_weights: Any = None) -> Tensor:
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "CategoryEncoding: `count_weights` is not used when `output_mode` is not "
                f"'count'. Received `count_weights={count_weights}`."
            )
        indices = _indices("CategoryEncoding", inputs)
        if count_weights is not None:  # in the layer's dtype, as Keras's
            count_weights = _array(count_weights).astype(self.dtype)
        return encode(indices, self.output_mode, self.num_tokens, count_weights, self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }

    def extra_repr(self) -> str:
        return f"num_tokens={self.num_tokens}, output_mode={self.output_mode!r}"


def _indices(owner: str, inputs: Any) -> np.ndarray:
    """Integer inputs (ints, or floats holding integers) as an int64 array."""
    array = _array(inputs)
    if array.dtype.kind not in "iub" and not (
        array.dtype.kind == "f" and np.array_equal(array, np.round(array))
    ):
        raise TypeError(f"{owner}: expected integer indices, got an array of {array.dtype}")
    return array.astype(np.int64)


class Discretization(DataLayer):
    """Keras's `layers.Discretization`: each value's bin index, for bins
    (-inf, b0), [b0, b1), ..., [b_last, inf).

    Args:
        bin_boundaries: the sorted boundaries; or
        num_bins: the number of bins, whose boundaries `adapt` learns (approximate
            quantiles, with Keras's summaries).
        epsilon: the quantiles' error tolerance.
        output_mode: "int" (default: the bin indices, int32), "one_hot", "multi_hot"
            or "count" (as `CategoryEncoding`, over len(bin_boundaries) + 1 bins).
        sparse: Keras's sparse output; not available (False only).
        dtype, name: Keras's layer arguments.

    Raises:
        ValueError: both or neither of bin_boundaries and num_bins, a negative
            num_bins, an unknown output mode, or a call before the boundaries are set.

    Example:
        >>> import numpy as np, nn
        >>> layer = nn.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5]])).data
        array([[0, 2, 3, 1]], dtype=int32)
    """

    def __init__(
        self,
        bin_boundaries: Sequence[float] | None = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        owner = "Discretization"
        self.output_mode = _output_mode(owner, output_mode, ("int", *ENCODINGS))
        if sparse:
            raise ValueError(f"{owner}: sparse=True is not available")
        if num_bins is not None and check_int(owner, "num_bins", num_bins) < 0:
            raise ValueError(
                f"{owner}: `num_bins` must be greater than or equal to 0. Received: "
                f"`num_bins={num_bins}`"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                f"{owner}: Both `num_bins` and `bin_boundaries` should not be set. Received: "
                f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{owner}: You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = check_real(owner, "epsilon", epsilon, 0, low_open=True)
        self.sparse = False
        self._summary = np.array([[], []], dtype="float32")

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn `num_bins` - 1 boundaries from the quantiles of `data` (an array, or an
        iterable of batches; `steps` batches at most), as Keras's `adapt`.

        Raises:
            ValueError: the layer was given `bin_boundaries`.
        """
        if self.num_bins is None:
            raise ValueError(
                "Discretization: Cannot adapt a Discretization layer that has been "
                "initialized with `bin_boundaries`, use `num_bins` instead."
            )
        self._summary = np.array([[], []], dtype="float32")
        if isinstance(data, (np.ndarray, Tensor)) or not isinstance(data, Iterable):
            batches: Iterable[Any] = [data]
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            values = _array(batch).astype("float32")
            self._summary = _merge(_summarize(values, self.epsilon), self._summary, self.epsilon)
        self.bin_boundaries = _compress(self._summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs: Any) -> Tensor:
        if self.bin_boundaries is None:
            raise ValueError(
                "Discretization: You need to either pass the `bin_boundaries` argument at "
                "construction time or call `adapt(dataset)` before you can start using "
                "the `Discretization` layer."
            )
        values = _array(inputs)
        if values.dtype.kind == "f":  # Keras's digitize runs in float32
            values = values.astype(np.float32)
            edges = np.asarray(self.bin_boundaries, dtype=np.float32)
        else:
            edges = np.asarray(self.bin_boundaries)
        indices = np.digitize(values, edges).astype(np.int32)
        if self.output_mode == "int":
            return Tensor(indices)
        return encode(indices, self.output_mode, len(self.bin_boundaries) + 1, dtype=self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discretization:
        """As Keras's: an adapted layer's config holds both bin_boundaries and
        num_bins; the boundaries are set after making the layer from num_bins."""
        config = dict(config)
        config.pop("trainable", None)
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = list(boundaries)
            return layer
        return cls(**config)

    def extra_repr(self) -> str:
        return f"bin_boundaries={self.bin_boundaries}, output_mode={self.output_mode!r}"


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Keras's summary of values: about 1 / epsilon of the sorted values, evenly
    spaced, each with the weight of the values it stands for."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1) :: int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge(prev: np.ndarray, new: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((prev, new), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress(merged, epsilon)


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Keras's `compress_summary`: the summary interpolated at cumulative weights
    epsilon, 2 epsilon, ..., 1 (unchanged when it is already that small)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


class _IndexLookup(DataLayer):
    """Keras's `IndexLookup`, the base of `StringLookup` and `IntegerLookup` (see the
    module docstring)."""

    def __init__(
        self,
        max_tokens: int | None,
        num_oov_indices: int,
        mask_token: Any,
        oov_token: Any,
        vocabulary: Any,
        invert: bool,
        output_mode: str,
        pad_to_max_tokens: bool,
        sparse: bool,
        name: str | None,
        salt: Any = None,
    ) -> None:
        super().__init__(name=name)
        owner = type(self).__name__
        self.salt = _salt(owner, salt)
        self.output_mode = _output_mode(owner, output_mode, ("int", *ENCODINGS))
        if max_tokens is not None and check_int(owner, "max_tokens", max_tokens) <= 1:
            raise ValueError(
                f"{owner}: If `max_tokens` is set, it must be greater than 1. Received: "
                f"max_tokens={max_tokens}"
            )
        if check_int(owner, "num_oov_indices", num_oov_indices) < 0:
            raise ValueError(
                f"{owner}: `num_oov_indices` must be >= 0. Received: "
                f"num_oov_indices={num_oov_indices}"
            )
        if invert and self.output_mode != "int":
            raise ValueError(
                f"{owner}: `output_mode` must be `'int'` when `invert` is true. Received: "
                f"output_mode={self.output_mode}"
            )
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` can only be used with TensorFlow")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.pad_to_max_tokens, self.sparse = bool(invert), pad_to_max_tokens, False
        self.input_vocabulary = None if vocabulary is None else list(_tokens(vocabulary))
        self._tokens: list[Any] | None = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)

    # The indices: [mask (int mode)] [OOV x num_oov_indices] [tokens...]
    def _oov_start(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def _key(self, token: Any) -> Any:
        """A token as the vocabulary keeps it (overridden: str for strings)."""
        return token

    def set_vocabulary(self, vocabulary: Any) -> None:
        """Use `vocabulary` (a list or 1-D array of tokens; it may start with the mask
        and OOV tokens, in that order), as Keras's.

        Raises:
            ValueError: an empty vocabulary, a repeated token, the mask token later in
                it, or more than `max_tokens` indices in all.
        """
        owner = type(self).__name__
        tokens = [self._key(t) for t in _tokens(vocabulary)]
        if not tokens:
            raise ValueError(
                f"{owner}: Cannot set an empty vocabulary. Received: vocabulary={vocabulary}"
            )
        special = [self._key(self.mask_token)] if self._oov_start() else []
        if self.oov_token is not None:
            special += [self._key(self.oov_token)] * self.num_oov_indices
        if tokens[: len(special)] == special:
            tokens = tokens[len(special) :]
        repeated = sorted({t for t, n in Counter(tokens).items() if n > 1}, key=str)
        if repeated:
            raise ValueError(
                f"{owner}: The passed vocabulary has at least one repeated term. Please "
                f"uniquify your dataset. The repeated terms are: {repeated}"
            )
        if self.mask_token is not None and self._key(self.mask_token) in tokens:
            raise ValueError(
                f"{owner}: Found reserved mask token at unexpected location in "
                f"`vocabulary`: include the OOV and mask tokens only at its start, in this "
                f"order: {special}. Received: mask_token={self.mask_token}"
            )
        if self.invert and self.oov_token is not None and self._key(self.oov_token) in tokens:
            raise ValueError(
                f"{owner}: Found reserved OOV token at unexpected location in `vocabulary`: "
                f"include the OOV and mask tokens only at its start, in this order: "
                f"{special}. Received: oov_token={self.oov_token}"
            )
        size = self._token_start() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                f"{owner}: Attempted to set a vocabulary larger than the maximum vocab size. "
                f"Received vocabulary size is {size}; `max_tokens` is {self.max_tokens}."
            )
        self._set_tokens(tokens)

    def _set_tokens(self, tokens: list[Any]) -> None:
        self._tokens = tokens
        start = self._token_start()
        self._index = {t: start + i for i, t in enumerate(tokens)}

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary from `data` (an array or list of tokens, or an iterable
        of batches): the tokens by decreasing count, ties by decreasing token, the mask
        and OOV tokens left out, at most `max_tokens` indices in all.

        Raises:
            ValueError: the layer was given a vocabulary.
        """
        if self.input_vocabulary is not None:
            raise ValueError(
                f"{type(self).__name__}: Cannot adapt layer '{self.name}' after setting a "
                "static vocabulary via `vocabulary` argument or `set_vocabulary()` method."
            )
        if isinstance(data, (list, tuple, np.ndarray, Tensor)):
            batches: Iterable[Any] = [data]
        else:
            batches = data
        counts: Counter[Any] = Counter()
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            counts.update(self._key(t) for t in _array(batch).reshape(-1).tolist())
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._key(special), None)
        ordered = sorted(counts, key=lambda t: (counts[t], self._order(t)), reverse=True)
        if self.max_tokens:
            ordered = ordered[: self.max_tokens - self._token_start()]
        self._set_tokens(ordered)

    def _order(self, token: Any) -> Any:
        """How ties in `adapt` are ordered (Keras sorts strings by their bytes)."""
        return token

    def vocabulary_size(self) -> int:
        """The number of indices, the mask and OOV ones included."""
        return self._token_start() + len(self._tokens or ())

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The token of each index (the mask, OOV and learned ones), as Keras's."""
        vocab = [self.oov_token] * self._token_start() + list(self._tokens or ())
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start() :]

    def call(self, inputs: Any) -> Any:
        owner = type(self).__name__
        if self._tokens is None and (self.output_mode != "int" or self.invert):
            if not self.pad_to_max_tokens:
                raise RuntimeError(
                    f"{owner}: When using `output_mode={self.output_mode}` and "
                    "`pad_to_max_tokens=False`, you must set the layer's vocabulary before "
                    "calling it. Either pass a `vocabulary` argument to the layer, or call "
                    "`adapt` with some sample data."
                )
        array = _array(inputs)
        if self.invert:
            return self._invert(array)
        indices = np.array([self._lookup(t) for t in array.reshape(-1).tolist()], np.int64)
        indices = indices.reshape(array.shape)
        if self.output_mode == "int":
            return Tensor(indices)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        return encode(indices, self.output_mode, int(depth or 0))

    def _lookup(self, token: Any) -> int:
        key = self._key(token)
        if self.mask_token is not None and key == self._key(self.mask_token):
            # The mask: index 0 in "int" mode, no index (a row of zeros) otherwise.
            return 0 if self.output_mode == "int" else -1
        index = self._index.get(key) if self._tokens is not None else None
        if index is not None:
            return index
        if self.num_oov_indices == 0:
            raise ValueError(
                f"{type(self).__name__}: When `num_oov_indices=0` all inputs should be in "
                f"vocabulary, found OOV value {token!r}; consider setting `num_oov_indices=1`."
            )
        return self._oov_start() + self._oov_bucket(key)

    def _oov_bucket(self, key: Any) -> int:
        """The OOV index of a token, among `num_oov_indices`: its text's FarmHash
        (SipHash keyed by `salt` when given) modulo their number, as Keras's."""
        if self.num_oov_indices == 1:
            return 0
        from nn.hashing import hash_bucket

        return hash_bucket(key, self.num_oov_indices, self.salt)

    def _invert(self, indices: np.ndarray) -> np.ndarray:
        vocab = self.get_vocabulary()
        flat = [
            self._out(vocab[i] if 0 <= i < len(vocab) else self.oov_token)
            for i in _indices(type(self).__name__, indices).reshape(-1).tolist()
        ]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(indices.shape)

    def _out(self, token: Any) -> Any:
        return token

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": self.input_vocabulary,
            "salt": self.salt,
        }

    def saved_config(self) -> dict[str, Any]:
        """`get_config()`, with the vocabulary `adapt` learned (Keras saves it as an
        asset of the file), so `load_model` gives the same lookups."""
        config = self.get_config()
        if self.input_vocabulary is None and self._tokens is not None:
            config["learned_vocabulary"] = list(self._tokens)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """The layer of `get_config()` (or `saved_config()`)."""
        config = dict(config)
        learned = config.pop("learned_vocabulary", None)  # saved by `nn.saving`
        for key in ("trainable", "dtype"):
            config.pop(key, None)
        layer = cls(**config)
        if learned is not None:
            layer._set_tokens([layer._key(t) for t in learned])
        return layer

    def extra_repr(self) -> str:
        return f"vocabulary_size={self.vocabulary_size()}, output_mode={self.output_mode!r}"


def _salt(owner: str, salt: Any) -> list[int] | None:
    """Keras's salt: None, or two ints (one int is used twice)."""
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return [check_int(owner, "salt", s) for s in salt]
    if isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
        return [int(salt), int(salt)]
    raise ValueError(
        f"{owner}: The `salt` argument can only be a tuple of 2 integers, or a single "
        f"integer. Received: salt={salt}."
    )


def _tokens(vocabulary: Any) -> list[Any]:
    if isinstance(vocabulary, str):
        raise ValueError(
            "a vocabulary file is not available here; pass the tokens as a list or array"
        )
    return _array(vocabulary).reshape(-1).tolist()


class StringLookup(_IndexLookup):
    """Keras's `layers.StringLookup`: strings to indices of a vocabulary (see the
    module docstring), or back with `invert=True` (to bytes, as Keras's tensors).

    Args:
        max_tokens: the most indices (mask and OOV ones included); None: no limit.
        num_oov_indices: indices for tokens not in the vocabulary (0 makes such a
            token an error; several take the token's FarmHash modulo their number,
            or its SipHash keyed by `salt`, as Keras's).
        mask_token: a token for index 0 in "int" mode (a row of zeros otherwise).
        oov_token: the token `invert` gives an OOV index ("[UNK]").
        vocabulary: the tokens (a list or array), instead of `adapt`.
        invert: map indices to tokens.
        output_mode: "int", "one_hot", "multi_hot" or "count".
        pad_to_max_tokens: encoded rows of `max_tokens` entries.
        sparse, encoding: Keras's (sparse False only; strings are UTF-8).
        name: the layer's name.
        salt: an int or two ints keying the OOV tokens' hash (SipHash).

    Example:
        >>> import nn
        >>> layer = nn.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]]).data
        array([[1, 3, 4],
               [4, 0, 2]])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | None = None,
        oov_token: str = "[UNK]",
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        if idf_weights is not None or output_mode in ("tf_idf", "tf-idf"):
            raise ValueError("StringLookup: output_mode='tf_idf' is not available")
        kwargs.pop("vocabulary_dtype", None)
        kwargs.pop("vocabulary_size", None)
        self.encoding = encoding
        if kwargs:
            raise ValueError(f"StringLookup: Unrecognized keyword argument(s): {kwargs}")
        super().__init__(
            max_tokens,
            num_oov_indices,
            mask_token,
            oov_token,
            vocabulary,
            invert,
            output_mode,
            pad_to_max_tokens,
            sparse,
            name,
            salt,
        )

    def _key(self, token: Any) -> Any:
        if isinstance(token, bytes):
            return token.decode(self.encoding)
        if not isinstance(token, str):
            raise TypeError(
                f"StringLookup: expected strings, got {token!r} ({type(token).__name__})"
            )
        return token

    def _order(self, token: Any) -> Any:
        return token.encode(self.encoding)

    def _out(self, token: Any) -> Any:
        return token.encode(self.encoding) if isinstance(token, str) else token

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "encoding": self.encoding, "vocabulary_dtype": "string"}


class IntegerLookup(_IndexLookup):
    """Keras's `layers.IntegerLookup`: integers to indices of a vocabulary (see the
    module docstring), or back with `invert=True`.

    Args:
        max_tokens, num_oov_indices, mask_token, vocabulary, invert, output_mode,
        pad_to_max_tokens, sparse, name: as `StringLookup`'s (the tokens are ints;
            several OOV indices take the token modulo their number with
            `oov_method="floormod"`, or its text's hash with "farmhash", keyed by
            `salt` when given).
        oov_token: the token `invert` gives an OOV index (-1).
        vocabulary_dtype: "int64" only, as Keras's.
        oov_method: "floormod" (default) or "farmhash".

    Example:
        >>> import nn, numpy as np
        >>> layer = nn.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]])).data
        array([[1, 3, 4],
               [4, 0, 2]])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | None = None,
        oov_token: int = -1,
        vocabulary: Any = None,
        vocabulary_dtype: str = "int64",
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if idf_weights is not None or output_mode in ("tf_idf", "tf-idf"):
            raise ValueError("IntegerLookup: output_mode='tf_idf' is not available")
        if vocabulary_dtype != "int64":
            raise ValueError(
                "IntegerLookup: Only `vocabulary_dtype='int64'` is supported at this time. "
                f"Received: vocabulary_dtype={vocabulary_dtype}"
            )
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                "IntegerLookup: `oov_method` must be 'floormod' or 'farmhash'. Received: "
                f"oov_method={oov_method}"
            )
        kwargs.pop("vocabulary_size", None)
        if kwargs:
            raise ValueError(f"IntegerLookup: Unrecognized keyword argument(s): {kwargs}")
        self.vocabulary_dtype, self.oov_method = vocabulary_dtype, oov_method
        super().__init__(
            max_tokens,
            num_oov_indices,
            mask_token,
            oov_token,
            vocabulary,
            invert,
            output_mode,
            pad_to_max_tokens,
            sparse,
            name,
            salt,
        )

    def _key(self, token: Any) -> Any:
        if isinstance(token, (bool, np.bool_)) or not isinstance(
            token, (int, np.integer, float, np.floating)
        ):
            raise TypeError(
                f"IntegerLookup: expected integers, got {token!r} ({type(token).__name__})"
            )
        if isinstance(token, (float, np.floating)) and token != int(token):
            raise TypeError(f"IntegerLookup: expected integers, got {token!r}")
        return int(token)

    def _oov_bucket(self, key: Any) -> int:
        if self.oov_method == "floormod":
            return int(key) % self.num_oov_indices
        return super()._oov_bucket(key)  # the hash of the integer's decimal text

    def _out(self, token: Any) -> Any:
        return int(token) if token is not None else token

    def _invert(self, indices: np.ndarray) -> Any:
        out = super()._invert(indices)
        if self.mask_token is None or all(v is not None for v in out.reshape(-1)):
            return Tensor(out.astype(np.int64))
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "vocabulary_dtype": self.vocabulary_dtype,
            "oov_method": self.oov_method,
        }
