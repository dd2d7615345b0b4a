"""Keras's `layers.Hashing`: values to bins by a hash of their text, with the hashes
TensorFlow's string ops use, so the bins are Keras's:

- without a salt, FarmHash's `Fingerprint64` (farmhashna's 64-bit hash; TensorFlow's
  `strings.to_hash_bucket_fast`);
- with a salt, SipHash-2-4 keyed by the salt's two 64-bit words (TensorFlow's
  `strings.to_hash_bucket_strong`).

The bin is the hash modulo the number of bins. Integers (and floats, truncated) are
hashed as their decimal text, as Keras's `tf.as_string`.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.checks import check_int
from nn.preprocessing import ENCODINGS, DataLayer, _array, _output_mode, encode

_MASK = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _fetch64(s: bytes, i: int) -> int:
    return int(struct.unpack_from("<Q", s, i)[0])


def _fetch32(s: bytes, i: int) -> int:
    return int(struct.unpack_from("<I", s, i)[0])


def _rotate(v: int, shift: int) -> int:
    """v rotated right by `shift` bits, in 64 bits."""
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _MASK


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _hash16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _hash0to16(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = (_K2 + n * 2) & _MASK
        a = (_fetch64(s, 0) + _K2) & _MASK
        b = _fetch64(s, n - 8)
        c = (_rotate(b, 37) * mul + a) & _MASK
        d = ((_rotate(a, 25) + b) * mul) & _MASK
        return _hash16(c, d, mul)
    if n >= 4:
        mul = (_K2 + n * 2) & _MASK
        return _hash16((n + (_fetch32(s, 0) << 3)) & _MASK, _fetch32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _hash17to32(s: bytes) -> int:
    n = len(s)
    mul = (_K2 + n * 2) & _MASK
    a = (_fetch64(s, 0) * _K1) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    return _hash16(
        (_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK,
        (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK,
        mul,
    )


def _hash33to64(s: bytes) -> int:
    n = len(s)
    mul = (_K2 + n * 2) & _MASK
    a = (_fetch64(s, 0) * _K2) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    y = (_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK
    z = _hash16(y, (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_fetch64(s, 16) * mul) & _MASK
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _MASK
    h = ((z + _fetch64(s, n - 24)) * mul) & _MASK
    return _hash16(
        (_rotate((e + f) & _MASK, 43) + _rotate(g, 30) + h) & _MASK,
        (e + _rotate((f + a) & _MASK, 18) + g) & _MASK,
        mul,
    )


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    """farmhash's WeakHashLen32WithSeeds of the 32 bytes at s[i:]."""
    w, x, y, z = (_fetch64(s, i + 8 * k) for k in range(4))
    a = (a + w) & _MASK
    b = _rotate((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rotate(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def _hash_long(s: bytes) -> int:
    """farmhashna's Hash64 of more than 64 bytes: 64-byte blocks, then the last 64."""
    n = len(s)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v = w = (0, 0)
    x = (x * _K2 + _fetch64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = n - 64
    for i in range(0, end, 64):
        x = (_rotate((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rotate((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w[1]
        y = (y + v[0] + _fetch64(s, i + 40)) & _MASK
        z = (_rotate((z + w[0]) & _MASK, 33) * _K1) & _MASK
        v = _weak32(s, i, (v[1] * _K1) & _MASK, (x + w[0]) & _MASK)
        w = _weak32(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
        z, x = x, z
    mul = (_K1 + ((z & 0xFF) << 1)) & _MASK
    i = last64
    w0 = (w[0] + ((n - 1) & 63)) & _MASK
    v0 = (v[0] + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    v, w = (v0, v[1]), (w0, w[1])
    x = (_rotate((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rotate((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK
    y = (y + v[0] * 9 + _fetch64(s, i + 40)) & _MASK
    z = (_rotate((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak32(s, i, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak32(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
    z, x = x, z
    return _hash16(
        (_hash16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
        (_hash16(v[1], w[1], mul) + x) & _MASK,
        mul,
    )


def fingerprint64(data: bytes) -> int:
    """FarmHash's `Fingerprint64` of `data` (an unsigned 64-bit int), TensorFlow's
    `Fingerprint64` and the hash of `strings.to_hash_bucket_fast`."""
    n = len(data)
    if n <= 16:
        return _hash0to16(data)
    if n <= 32:
        return _hash17to32(data)
    if n <= 64:
        return _hash33to64(data)
    return _hash_long(data)


def _sip_round(v0: int, v1: int, v2: int, v3: int) -> tuple[int, int, int, int]:
    v0 = (v0 + v1) & _MASK
    v1 = _rotate(v1, 64 - 13) ^ v0
    v0 = _rotate(v0, 32)
    v2 = (v2 + v3) & _MASK
    v3 = _rotate(v3, 64 - 16) ^ v2
    v0 = (v0 + v3) & _MASK
    v3 = _rotate(v3, 64 - 21) ^ v0
    v2 = (v2 + v1) & _MASK
    v1 = _rotate(v1, 64 - 17) ^ v2
    v2 = _rotate(v2, 32)
    return v0, v1, v2, v3


def siphash(key: tuple[int, int], data: bytes) -> int:
    """SipHash-2-4 of `data` keyed by two 64-bit words (TensorFlow's
    `strings.to_hash_bucket_strong`)."""
    k0, k1 = (int(k) & _MASK for k in key)
    v = (
        k0 ^ 0x736F6D6570736575,
        k1 ^ 0x646F72616E646F6D,
        k0 ^ 0x6C7967656E657261,
        k1 ^ 0x7465646279746573,
    )
    n = len(data)
    end = n - n % 8
    last = (n & 0xFF) << 56
    for j, byte in enumerate(data[end:]):
        last |= byte << (8 * j)
    for m in [_fetch64(data, i) for i in range(0, end, 8)] + [last]:
        v = (v[0], v[1], v[2], v[3] ^ m)
        v = _sip_round(*_sip_round(*v))
        v = (v[0] ^ m, v[1], v[2], v[3])
    v = (v[0], v[1], v[2] ^ 0xFF, v[3])
    for _ in range(4):
        v = _sip_round(*v)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def hash_bucket(value: Any, bins: int, salt: list[int] | None = None) -> int:
    """The bin of `value` among `bins`: its text's FarmHash `Fingerprint64`, or its
    SipHash keyed by `salt`, modulo `bins` (TensorFlow's `to_hash_bucket_fast` and
    `to_hash_bucket_strong` of Keras's `as_string`)."""
    text = _text(value)
    digest = fingerprint64(text) if salt is None else siphash((salt[0], salt[1]), text)
    return digest % bins


def _text(value: Any) -> bytes:
    """A value as the bytes Keras hashes: strings in UTF-8, numbers as decimal ints."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Hashing: expected strings or numbers, got {value!r}")
    if isinstance(value, (int, np.integer, float, np.floating)):
        return str(int(value)).encode()
    raise TypeError(f"Hashing: expected strings or numbers, got {value!r} ({type(value).__name__})")


class Hashing(DataLayer):
    """Keras's `layers.Hashing(num_bins, mask_value=None, salt=None,
    output_mode="int")`: each value's bin, `hash(value) % num_bins` (see the module
    docstring); with `mask_value`, that value gets bin 0 and the others
    1 + hash % (num_bins - 1).

    Args:
        num_bins: the number of bins (the mask's included).
        mask_value: a value for bin 0, or None.
        salt: an int, or two ints, keying SipHash; None for FarmHash.
        output_mode: "int" (int64 bins), "one_hot", "multi_hot" or "count" (rows of
            num_bins, as `CategoryEncoding`).
        sparse: Keras's sparse output; not available (False only).
        **kwargs: Keras's layer arguments (`name`, `dtype`).

    Raises:
        ValueError: num_bins not positive, a bad salt or output mode.

    Example:
        >>> import nn
        >>> nn.layers.Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).data.ravel()
        array([1, 0, 1, 1, 2])
    """

    def __init__(
        self,
        num_bins: int,
        mask_value: Any = None,
        salt: int | tuple[int, int] | list[int] | None = None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        if num_bins is None or check_int("Hashing", "num_bins", num_bins) <= 0:
            raise ValueError(
                "Hashing: The `num_bins` for `Hashing` cannot be `None` or non-positive "
                f"values. Received: num_bins={num_bins}."
            )
        self.output_mode = _output_mode("Hashing", output_mode, ("int", *ENCODINGS))
        if output_mode == "int" and np.dtype(self.dtype).kind != "i":
            raise ValueError(
                f'Hashing: When `output_mode="int"`, `dtype` should be an integer type, '
                f"'int32' or 'int64'. Received: dtype={self.dtype}"
            )
        if sparse:
            raise ValueError("Hashing: sparse=True is not available")
        if salt is None:
            self.salt: list[int] | None = None
        elif isinstance(salt, (tuple, list)) and len(salt) == 2:
            self.salt = [check_int("Hashing", "salt", s) for s in salt]
        elif isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
            self.salt = [int(salt), int(salt)]
        else:
            raise ValueError(
                "Hashing: The `salt` argument for `Hashing` can only be a tuple of size 2 "
                f"integers, or a single integer. Received: salt={salt}."
            )
        self.num_bins, self.mask_value, self.sparse = int(num_bins), mask_value, False

    def call(self, inputs: Any) -> Tensor:
        array = _array(inputs)
        if self.output_mode == "one_hot" and array.ndim and array.shape[-1] == 1:
            array = array[..., 0]
        masked = self.mask_value is not None and self.num_bins > 1
        bins = self.num_bins - 1 if masked else self.num_bins
        flat = []
        for value in array.reshape(-1).tolist():
            if masked and value == self.mask_value:
                flat.append(0)
            else:
                flat.append(hash_bucket(value, bins, self.salt) + (1 if masked else 0))
        indices = np.array(flat, dtype=np.int64).reshape(array.shape)
        if self.output_mode == "int":
            return Tensor(indices.astype(self.dtype))
        return encode(indices, self.output_mode, self.num_bins, dtype=self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }

    def extra_repr(self) -> str:
        return f"num_bins={self.num_bins}, salt={self.salt}, output_mode={self.output_mode!r}"
