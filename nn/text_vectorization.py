"""Keras's `layers.TextVectorization`: strings to token indices or bag-of-words rows,
with the vocabulary given or learned by `adapt` (a `StringLookup` inside, as Keras's).

A batch of strings goes through, as Keras's:

1. standardize: "lower_and_strip_punctuation" (the default), "lower",
   "strip_punctuation", None, or a callable given the numpy array of str. "lower"
   lowers ASCII letters only and the punctuation stripped is Keras's regex
   ``[!"#$%&()\\*\\+,-\\./:;<=>?@\\[\\\\\\]^_`{|}~\\']`` (TensorFlow's ops' behaviour).
2. split: "whitespace" (runs of ASCII whitespace; no empty tokens), "character"
   (code points), None (each string is one token), or a callable given the 1-D
   numpy array of str and returning a list of token lists (or a 2-D array).
3. ngrams: None, n (the 1- to n-grams) or a tuple of widths: each row's tokens are
   replaced by its n-grams of each width in turn, joined by " ".
4. lookup: index 0 is the mask "" (int mode), then "[UNK]" for tokens out of the
   vocabulary, then the vocabulary (by `adapt`: decreasing count, ties by the
   larger UTF-8 bytes first, at most `max_tokens` indices in all).

Output modes: "int" (int64 rows padded with 0 to the longest row, or cut / padded
at the end to `output_sequence_length`), "multi_hot", "count", "tf_idf" (float32
rows of `vocabulary_size()` entries, `max_tokens` with `pad_to_max_tokens`; tf_idf
is count * idf, idf = log(1 + num_documents / (1 + document_count)) from `adapt`,
its OOV entry the mean idf), and "one_hot" (with `split=None`: one string per row).
With `split=None`, "multi_hot", "count" and "tf_idf" read a batch of shape (batch, 1)
as one string per row, and a 1-D batch as one sample (one row), as Keras's
TensorFlow bincount does.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor
from nn.preprocessing import DataLayer, StringLookup, _array, _output_mode
from nn.stream_dataset import StreamDataset

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _check_choice(value: Any, allowed: tuple[str, ...], arg: str) -> None:
    """Keras's `validate_string_arg` (None and callables allowed)."""
    if value is None or callable(value) or (isinstance(value, str) and value in allowed):
        return
    raise ValueError(
        f"Unknown value for `{arg}` argument of TextVectorization. Allowed values are: "
        f"{allowed}. Received: {arg}={value}"
    )


def _ngram_rows(rows: list[list[str]], widths: tuple[int, ...]) -> list[list[str]]:
    """tf.strings.ngrams: each row's n-grams of each width, widths in turn."""
    return [
        [" ".join(row[i : i + w]) for w in widths for i in range(len(row) - w + 1)] for row in rows
    ]


class TextVectorization(DataLayer):
    """Keras's `layers.TextVectorization` (see the module docstring).

    Args:
        max_tokens: the most indices (mask and OOV included); None: no limit.
        standardize: "lower_and_strip_punctuation", "lower", "strip_punctuation",
            None or a callable.
        split: "whitespace", "character", None or a callable.
        ngrams: None, an int n (1- to n-grams) or a tuple of ints.
        output_mode: "int", "multi_hot" ("binary"), "count", "tf_idf" or "one_hot".
        output_sequence_length: the length of each "int" row (None: the longest).
        pad_to_max_tokens: encoded rows of `max_tokens` entries.
        vocabulary: the tokens (a list or array), instead of `adapt`.
        idf_weights: the idf of each vocabulary token ("tf_idf" with `vocabulary`).
        sparse, ragged: Keras's TensorFlow-only outputs (False only).
        encoding: the encoding of bytes inputs ("utf-8").
        name: the layer's name.

    Raises:
        ValueError: an unknown standardize, split or output mode, bad ngrams,
            `output_sequence_length` outside "int" mode, `sparse` or `ragged`, and
            the vocabulary errors of `StringLookup`.

    Example:
        >>> import nn
        >>> layer = nn.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "the dog"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> layer(["the cat", "a dog sat"]).data
        array([[2, 5, 0, 0],
               [1, 4, 3, 0]])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | Callable[..., Any] | None = "lower_and_strip_punctuation",
        split: str | Callable[..., Any] | None = "whitespace",
        ngrams: int | tuple[int, ...] | None = None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary: Any = None,
        idf_weights: Any = None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if ragged:
            raise ValueError("`ragged=True` can only be used with the TensorFlow backend.")
        _check_choice(
            standardize,
            ("lower_and_strip_punctuation", "lower", "strip_punctuation"),
            "standardize",
        )
        _check_choice(split, ("whitespace", "character"), "split")
        mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if not isinstance(mode, str) or mode not in _MODES:
            raise ValueError(
                "Unknown value for `output_mode` argument of TextVectorization. Allowed values "
                f"are: {_MODES}. Received: output_mode={output_mode}"
            )
        if not (
            ngrams is None
            or isinstance(ngrams, int)
            or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))
        ):
            raise ValueError(
                f"`ngrams` must be None, an integer, or a tuple of integers. Received: "
                f"ngrams={ngrams}"
            )
        if mode == "int" and not (
            output_sequence_length is None or isinstance(output_sequence_length, int)
        ):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer when "
                f"`output_mode` is 'int'. Received: output_sequence_length="
                f"{output_sequence_length}"
            )
        if mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                f"Received output_sequence_length={output_sequence_length}."
            )
        if ngrams is not None and split is None:
            raise ValueError(
                "TextVectorization: `ngrams` needs a `split` (n-grams are taken over each "
                f"string's tokens). Received: ngrams={ngrams} and split=None"
            )
        if mode == "one_hot" and split is not None:
            raise ValueError(
                "TextVectorization: `output_mode='one_hot'` encodes one token per string: "
                f"use it with `split=None`. Received: split={split}"
            )
        if idf_weights is not None and mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                f"idf_weights={idf_weights} and output_mode={mode}"
            )
        if mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(
                "When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                "`idf_weights` argument must also be provided."
            )
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(name=name, **kwargs)
        self.max_tokens = max_tokens
        self.standardize, self.split = standardize, split
        self.ngrams = ngrams
        self._widths: tuple[int, ...] | None = (
            tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        )
        self.output_mode = _output_mode("TextVectorization", mode, _MODES)
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens, self.encoding = pad_to_max_tokens, encoding
        self.sparse, self.ragged = False, False
        self.input_idf_weights = None if idf_weights is None else _array(idf_weights).tolist()
        self.idf_weights: np.ndarray | None = None
        self._index_of: tuple[Any, dict[str, int]] | None = None
        self._lookup = StringLookup(
            max_tokens=max_tokens,
            mask_token="" if self.output_mode == "int" else None,
            pad_to_max_tokens=pad_to_max_tokens,
            encoding=encoding,
        )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.input_vocabulary = None if vocabulary is None else _array(vocabulary).tolist()

    # -- preprocessing --------------------------------------------------------
    def _strings(self, inputs: Any) -> np.ndarray:
        """Inputs as a numpy array of str (bytes decoded)."""
        array = _array(inputs)
        if array.dtype.kind == "S" or array.dtype.kind == "O":
            flat = [
                s.decode(self.encoding) if isinstance(s, bytes) else s
                for s in array.reshape(-1).tolist()
            ]
            if not all(isinstance(s, str) for s in flat):
                bad = next(s for s in flat if not isinstance(s, str))
                raise TypeError(
                    f"TextVectorization: expected strings, got {bad!r} ({type(bad).__name__})"
                )
            array = np.array(flat, dtype=str).reshape(array.shape) if flat else array.astype(str)
        elif array.dtype.kind != "U":
            raise TypeError(f"TextVectorization: expected strings, got an array of {array.dtype}")
        return array

    def _standardized(self, strings: np.ndarray) -> np.ndarray:
        if callable(self.standardize):
            return self._strings(self.standardize(strings))
        if self.standardize is None:
            return strings
        flat = strings.reshape(-1).tolist()
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            flat = [s.translate(_ASCII_LOWER) for s in flat]
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [_PUNCTUATION.sub("", s) for s in flat]
        return np.array(flat, dtype=object).reshape(strings.shape)

    def _split_rows(self, strings: np.ndarray) -> list[list[str]]:
        if strings.ndim > 1:
            if strings.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the input rank must "
                    "be 1 or the last shape dimension must be 1. Received: inputs.shape="
                    f"{strings.shape} with rank={strings.ndim}"
                )
            strings = strings[..., 0]
        if strings.ndim != 1:
            raise ValueError(
                "TextVectorization: expected a batch of strings of shape (batch,) or "
                f"(batch, 1), got shape {strings.shape}"
            )
        if self.split == "whitespace":
            rows = [[t for t in _WHITESPACE.split(s) if t] for s in strings.tolist()]
        elif self.split == "character":
            rows = [list(s) for s in strings.tolist()]
        else:
            assert callable(self.split)
            out = self.split(np.asarray(strings.tolist(), dtype=str))
            out = out.data if isinstance(out, Tensor) else out
            rows = [
                [t.decode(self.encoding) if isinstance(t, bytes) else str(t) for t in row]
                for row in out
            ]
        return rows if self._widths is None else _ngram_rows(rows, self._widths)

    def _tokens(self, inputs: Any) -> tuple[list[list[str]] | np.ndarray, bool]:
        """Standardized and split inputs: token rows (or, with `split=None`, the
        array of strings), and whether the input was one string (a scalar)."""
        strings = self._standardized(self._strings(inputs))
        scalar = strings.ndim == 0
        if scalar:
            strings = strings.reshape(1)
        if self.split is None:
            return strings, scalar
        return self._split_rows(strings), scalar

    # -- vocabulary ------------------------------------------------------------
    def _token_start(self) -> int:
        return 2 if self.output_mode == "int" else 1

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learn the vocabulary (and, for "tf_idf", the idf weights) from `data`: an
        array or list of strings (one batch), or a dataset or iterable of batches
        (`steps` of them at most), as Keras's.

        Raises:
            ValueError: the layer was given a vocabulary.
        """
        if self.input_vocabulary is not None:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via "
                "`vocabulary` argument or `set_vocabulary()` method."
            )
        if isinstance(data, (list, tuple, np.ndarray, Tensor, str, bytes)):
            batches: Iterable[Any] = [data]
        elif isinstance(data, StreamDataset) or hasattr(data, "__iter__"):
            batches = data
        else:
            raise TypeError(f"TextVectorization.adapt: expected strings or batches, got {data!r}")
        document_counts: Counter[str] = Counter()
        num_documents = [0]

        def token_batches() -> Iterator[np.ndarray]:
            for i, batch in enumerate(batches):
                if steps is not None and i >= steps:
                    return
                if isinstance(batch, tuple):
                    raise ValueError(
                        "TextVectorization.adapt: expected batches of strings, got a tuple "
                        "(map the dataset to its texts first: `ds.map(lambda x, y: x)`)"
                    )
                rows, _ = self._tokens(batch)
                rows_list = (
                    [[str(t)] for t in np.asarray(rows).reshape(-1)]
                    if (self.split is None)
                    else rows
                )
                if self.output_mode == "tf_idf":
                    for row in rows_list:
                        document_counts.update(set(row))
                    num_documents[0] += len(rows_list)
                flat = np.empty(sum(len(r) for r in rows_list), dtype=object)
                flat[:] = [t for row in rows_list for t in row]
                yield flat

        self._lookup.adapt(token_batches())
        if self.output_mode == "tf_idf":
            tokens = self._lookup.get_vocabulary(include_special_tokens=False)
            df = np.array([document_counts[t] for t in tokens], dtype=np.float64)
            idf = np.log(1 + num_documents[0] / (1 + df)).astype(np.float32)
            self._set_idf(idf, front=1)  # the OOV index

    def _set_idf(self, idf: np.ndarray, front: int) -> None:
        """The idf of every index: `front` leading entries (OOV) the mean idf, the
        tokens', then zeros up to `max_tokens` with `pad_to_max_tokens`."""
        mean = float(np.mean(idf)) if idf.size else 0.0
        weights = np.concatenate([np.full(front, mean), idf]).astype(np.float32)
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, max(self.max_tokens - len(weights), 0)))
        self.idf_weights = weights

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Use `vocabulary` (and, for "tf_idf", the `idf_weights` of its tokens), as
        Keras's: it may start with the special tokens ("" and "[UNK]" in int mode,
        "[UNK]" otherwise).

        Raises:
            ValueError: idf weights missing for "tf_idf", given otherwise, or of
                another length than the vocabulary; and `StringLookup`'s errors.
        """
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        tokens = _array(vocabulary).reshape(-1).tolist()
        self._lookup.set_vocabulary(vocabulary)
        if idf_weights is not None:
            idf = _array(idf_weights).astype(np.float32)
            if idf.ndim != 1:
                raise ValueError(
                    f"TF-IDF data must be a 1-index array. Received: type(idf_weights)="
                    f"{type(idf_weights)}"
                )
            if len(idf) != len(tokens):
                raise ValueError(
                    "`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                    f"{len(idf)}; len(vocabulary) is {len(tokens)}"
                )
            special = tokens[:1] == [self._lookup.oov_token]
            self._set_idf(idf, 0 if special else 1)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The token of each index ("" and "[UNK]" first in int mode), as Keras's."""
        return list(self._lookup.get_vocabulary(include_special_tokens))

    def vocabulary_size(self) -> int:
        """The number of indices, the mask and OOV ones included."""
        return self._lookup.vocabulary_size()

    # -- call --------------------------------------------------------------------
    def _index(self) -> dict[str, int]:
        """The lookup's index of each token (the mask "" -1 outside int mode: no
        entry), kept until its vocabulary changes."""
        tokens = self._lookup._tokens
        if self._index_of is None or self._index_of[0] is not tokens:
            index = {t: i for i, t in enumerate(self._lookup.get_vocabulary())}
            if self.output_mode != "int":
                index[""] = -1
            self._index_of = (tokens, index)
        return self._index_of[1]

    def _indices(self, tokens: list[str]) -> np.ndarray:
        """The index of each token (OOV ones: the OOV index, as the lookup gives)."""
        index, oov = self._index(), self._token_start() - 1
        found = map(index.get, tokens, itertools.repeat(oov, len(tokens)))
        return np.fromiter(found, np.int64, len(tokens))

    def call(self, inputs: Any) -> Tensor:
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            if self._lookup._tokens is None:
                raise RuntimeError(
                    f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens="
                    "False`, you must set the layer's vocabulary before calling it. Either "
                    "pass a `vocabulary` argument to the layer, or call `adapt` with some "
                    "sample data."
                )
        rows, scalar = self._tokens(inputs)
        if isinstance(rows, np.ndarray):  # split=None: one token per string
            out = self._encode_strings(rows)
            if scalar and self.output_mode not in ("int", "one_hot"):
                return Tensor(out)  # (a scalar is one sample already)
        else:
            out = self._encode_rows(rows)
        return Tensor(out[0] if scalar else out)

    def _encode_strings(self, strings: np.ndarray) -> np.ndarray:
        indices: np.ndarray = self._indices([str(s) for s in strings.reshape(-1)])
        indices = indices.reshape(strings.shape)
        if self.output_mode == "int":
            if self.output_sequence_length is not None and indices.ndim > 1:
                indices = _fit_length(indices, self.output_sequence_length)
            return indices
        if self.output_mode == "one_hot":
            if indices.ndim > 1 and np.shape(indices)[-1] == 1:
                indices = indices[..., 0]
            return (np.arange(self._depth()) == indices[..., None]).astype(np.float32)
        if indices.ndim == 1:  # one sample, as Keras's bincount reads a rank-1 input
            return self._bag(np.zeros(len(indices), np.int64), indices, 1)[0]
        rows = indices.reshape(len(indices), -1)
        return self._bag(
            np.repeat(np.arange(len(rows)), rows.shape[1]), rows.reshape(-1), len(rows)
        )

    def _encode_rows(self, rows: list[list[str]]) -> np.ndarray:
        """The token rows looked up at once, as int rows (padded or cut) or bags."""
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        flat = self._indices([t for row in rows for t in row])
        row_of = np.repeat(np.arange(len(rows)), lengths)
        if self.output_mode != "int":
            return self._bag(row_of, flat, len(rows))
        width = self.output_sequence_length
        if width is None:
            width = int(lengths.max()) if len(rows) else 0
        position = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        keep = position < width
        out = np.zeros((len(rows), width), dtype=np.int64)
        out[row_of[keep], position[keep]] = flat[keep]
        return out

    def _depth(self) -> int:
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return int(self.max_tokens)
        return self.vocabulary_size()

    def _bag(self, row_of: np.ndarray, indices: np.ndarray, n: int) -> np.ndarray:
        """multi_hot, count or tf_idf rows: `indices[i]` counted in row `row_of[i]`
        (-1, the mask, nowhere)."""
        out = np.zeros((n, self._depth()), dtype=np.float32)
        valid = (indices >= 0) & (indices < out.shape[1])
        np.add.at(out, (row_of[valid], indices[valid]), 1.0)
        if self.output_mode == "multi_hot":
            return (out > 0).astype(np.float32)
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError(
                    "When `output_mode` is `'tf_idf'`, `idf_weights` must be provided."
                )
            idf = np.zeros(out.shape[1], np.float32)
            n = min(len(idf), len(self.idf_weights))
            idf[:n] = self.idf_weights[:n]
            return out * idf
        return out

    # -- config ------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "vocabulary": self.input_vocabulary,
            "idf_weights": self.input_idf_weights,
            "encoding": self.encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    def saved_config(self) -> dict[str, Any]:
        """`get_config()` with the vocabulary and idf weights `adapt` learned (Keras
        saves them as assets and variables), so `from_config` gives the same layer."""
        config = self.get_config()
        if self.input_vocabulary is None and self._lookup._tokens is not None:
            config["learned_vocabulary"] = self.get_vocabulary()
            if self.idf_weights is not None:
                config["learned_idf_weights"] = self.idf_weights.tolist()
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorization:
        """The layer of `get_config()` (or `saved_config()`)."""
        config = dict(config)
        learned = config.pop("learned_vocabulary", None)
        learned_idf = config.pop("learned_idf_weights", None)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        layer = cls(**config)
        if learned is not None:
            layer._lookup.set_vocabulary(learned)
            if learned_idf is not None:
                layer.idf_weights = np.asarray(learned_idf, dtype=np.float32)
        return layer

    def extra_repr(self) -> str:
        return f"vocabulary_size={self.vocabulary_size()}, output_mode={self.output_mode!r}"


def _fit_length(indices: np.ndarray, length: int) -> np.ndarray:
    """The last axis cut to `length`, or padded with 0 at its end."""
    indices = indices[..., :length]
    pad = [(0, 0)] * (indices.ndim - 1) + [(0, length - indices.shape[-1])]
    return np.pad(indices, pad)
