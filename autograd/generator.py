"""`Generator`: PyTorch's CPU random number generator, draw for draw.

``g = autograd.Generator().manual_seed(2147483647)`` then ``autograd.randn((27, 10),
generator=g)``, ``autograd.randint(0, n, (32,), generator=g)`` or
``autograd.multinomial(p, 1, generator=g)`` give the numbers PyTorch gives for the same
calls on ``torch.Generator().manual_seed(2147483647)``: a lesson written with a seeded
torch generator prints the same losses and samples here.

PyTorch's CPU generator is the 32-bit Mersenne Twister (mt19937) seeded with the low
32 bits of the seed; numpy's `MT19937` bit generator produces the same words once its
state is set by the reference seeding routine (`_mt19937_key`). Each distribution turns
words into numbers as PyTorch does:

- ``random()`` is one 32-bit word, ``random64()`` two: ``(first << 32) | second``;
- uniform float32 in [0, 1): ``(w & (2**24 - 1)) * 2**-24`` from one word; float64:
  ``(w64 & (2**53 - 1)) * 2**-53`` from random64; ``u * (high - low) + low`` rounded
  once to the dtype (PyTorch's fused multiply-add);
- normal, 16 or more contiguous values: all uniforms first, then Box-Muller on each
  block of 16 (``u1 = 1 - d[j]``, ``u2 = d[j + 8]``, ``r = sqrt(-2 log u1)``,
  ``d[j] = r cos(2 pi u2)``, ``d[j + 8] = r sin(2 pi u2)``); when the count is not a
  multiple of 16 the last 16 values are drawn again from fresh uniforms;
- normal, fewer than 16: pairs from two float64 uniforms ``u1, u2``: ``r =
  sqrt(-2 log1p(-u2))``, ``r cos(2 pi u1)`` now and ``r sin(2 pi u1)`` kept for the
  next draw (the generator holds it until used or reseeded);
- integers in [low, high): ``low + w % (high - low)``, w from random64 when the range
  is 2**28 or more (found by comparing with torch 2.13);
- exponential(1): ``-log1p(-u)`` from a float64 uniform (multinomial's sampler).

Float32 normals in blocks of 16 may differ from PyTorch's in the last bits (up to 3 ulp
seen; 87% are identical): PyTorch computes that transform with vectorized approximations
of log, cos and sin, numpy with its own. Float64 draws and every other distribution are
identical.
"""

from __future__ import annotations

import math
import secrets
import threading
from typing import Any

import numpy as np

#: torch.Generator()'s seed before any manual_seed.
DEFAULT_SEED = 67280421310721

_WORD = np.uint64(0xFFFFFFFF)


def _mt19937_key(seed: int) -> np.ndarray:
    """The 624-word state mt19937 starts from for a 32-bit seed (its reference
    `init_genrand`): key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >> 30)) + i, mod 2**32."""
    key = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


class Generator:
    """A random number generator whose draws equal `torch.Generator`'s (CPU).

    Pass it as ``generator=`` to `autograd.rand`, `randn`, `randint` and `multinomial`.
    Draws are serialized by a lock, so threads may share one generator.

    Args:
        device: only ``"cpu"`` (PyTorch's argument, accepted for copied code).

    Example:
        >>> g = Generator().manual_seed(2147483647)
        >>> g.initial_seed()
        2147483647
    """

    def __init__(self, device: str = "cpu") -> None:
        if str(device) != "cpu":
            raise ValueError(f"Generator: only device='cpu' exists here, got {device!r}")
        self._lock = threading.Lock()
        self._bits = np.random.MT19937(0)
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Start the stream again from `seed` (any int; PyTorch keeps its low 32 bits
        for the twister, and so does this). Returns the generator, as PyTorch."""
        if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: seed must be an int, got {seed!r}")
        seed = int(seed) & 0xFFFFFFFFFFFFFFFF  # as torch stores a negative seed
        with self._lock:
            self._seed = seed
            self._bits.state = {
                "bit_generator": "MT19937",
                "state": {"key": _mt19937_key(seed), "pos": 624},
            }
            self._next_normal: float | None = None
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        seed = secrets.randbits(63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream started from."""
        return self._seed

    def get_state(self) -> np.ndarray:
        """The whole state as a uint32 array (624 words, position, seed, a pending
        normal): pass it to `set_state` to replay the stream from here."""
        with self._lock:
            state = self._bits.state["state"]
            pending = self._next_normal
            tail = np.array(
                [state["pos"], self._seed & 0xFFFFFFFF, self._seed >> 32, pending is not None],
                dtype=np.uint32,
            )
            normal = np.array([0.0 if pending is None else pending]).view(np.uint32)
            return np.concatenate([state["key"].astype(np.uint32), tail, normal])

    def set_state(self, state: Any) -> Generator:
        """Restore a state from `get_state`.

        Raises:
            ValueError: anything that is not such a state (the generator is unchanged).
        """
        words = np.asarray(getattr(state, "data", state))
        if words.dtype != np.uint32 or words.shape != (630,) or words[624] > 624:
            raise ValueError(
                "set_state: expected the uint32 array of 630 words get_state returns, "
                f"got dtype {words.dtype} and shape {words.shape}"
            )
        with self._lock:
            self._bits.state = {
                "bit_generator": "MT19937",
                "state": {"key": words[:624].copy(), "pos": int(words[624])},
            }
            self._seed = int(words[625]) | int(words[626]) << 32
            self._next_normal = float(words[628:630].view(np.float64)[0]) if words[627] else None
        return self

    # --- words ---------------------------------------------------------------------

    def _words(self, n: int) -> np.ndarray:
        """n 32-bit words (as uint64), PyTorch's ``random()`` n times."""
        return self._bits.random_raw(n)

    def _words64(self, n: int) -> np.ndarray:
        """n 64-bit words, PyTorch's ``random64()`` n times."""
        w = self._bits.random_raw(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def _uniform(self, n: int, dtype: np.dtype) -> np.ndarray:
        """n uniforms in [0, 1) as float64, made as PyTorch makes them for `dtype`."""
        if dtype == np.float64:
            return (self._words64(n) & np.uint64(2**53 - 1)) * 2.0**-53
        digits = np.finfo(dtype).nmant + 1  # 24 for float32, 11 for float16
        return (self._words(n) & np.uint64(2**digits - 1)) * 2.0**-digits

    # --- distributions (called under the lock) ------------------------------------

    def uniform(self, shape: tuple[int, ...], dtype: Any, low: float = 0.0, high: float = 1.0):
        """Uniform draws from [low, high) of `shape` in `dtype`, PyTorch's `uniform_`."""
        dtype = np.dtype(dtype)
        low, high = float(dtype.type(low)), float(dtype.type(high))  # as torch holds them
        with self._lock:
            u = self._uniform(math.prod(shape), dtype)
        if dtype == np.float64:  # torch's u * (high - low) + low, fused: one rounding
            u = u.astype(np.longdouble)
        return (u * (high - low) + low).astype(dtype).reshape(shape)

    def normal(self, shape: tuple[int, ...], dtype: Any, mean: float = 0.0, std: float = 1.0):
        """Normal draws of `shape` in `dtype`, PyTorch's `normal_` (and `randn`)."""
        dtype = np.dtype(dtype)
        n = math.prod(shape)
        with self._lock:
            if n >= 16:
                out = self._normal_blocks(n, dtype, mean, std)
            else:
                out = np.array([self._normal_one() * std + mean for _ in range(n)])
        return out.astype(dtype).reshape(shape)

    def _normal_blocks(self, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
        """Box-Muller on blocks of 16 uniforms, in `dtype` as PyTorch's `normal_fill`."""
        work = dtype if dtype == np.float64 else np.dtype(np.float32)
        data = self._uniform(n, dtype).astype(work)
        whole = n - n % 16
        blocks = [data[:whole].reshape(-1, 16)]
        if whole != n:  # the last 16 again, from fresh uniforms
            blocks.append(self._uniform(16, dtype).astype(work).reshape(1, 16))
        done = []
        for block in blocks:
            u1, u2 = 1 - block[:, :8], block[:, 8:]
            radius = np.sqrt(-2 * np.log(u1))
            theta = work.type(2.0 * math.pi) * u2
            done.append(np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], axis=1))
        out = np.concatenate([d.reshape(-1) for d in done])
        if whole != n:
            out = np.concatenate([out[:whole][: n - 16], out[whole:]])
        if work == np.float64:
            return out * std + mean
        # torch computes out * std + mean with one rounding (a fused multiply-add)
        return out.astype(np.float64) * float(work.type(std)) + float(work.type(mean))

    def _normal_one(self) -> float:
        """One standard normal, PyTorch's scalar `normal_distribution<double>`."""
        if self._next_normal is not None:
            value, self._next_normal = self._next_normal, None
            return value
        u1, u2 = self._uniform(2, np.dtype(np.float64))
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        self._next_normal = radius * math.sin(theta)
        return radius * math.cos(theta)

    def integers(self, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
        """Integers from [low, high) of `shape` (int64), PyTorch's `random_(low, high)`."""
        span = high - low
        n = math.prod(shape)
        with self._lock:
            words = self._words64(n) if span >= 2**28 else self._words(n)
        return (words % np.uint64(span)).astype(np.int64).reshape(shape) + low

    def permutation(self, n: int) -> np.ndarray:
        """A random order of range(n) (int64), PyTorch's CPU `randperm`: for i = 0 ..
        n-2, swap positions i and i + (random() mod (n - i)) (Fisher-Yates, with the
        32-bit words PyTorch uses below 2**32 / 20 elements)."""
        if n >= 2**32 // 20:
            raise ValueError(f"randperm: n={n} is too large (at most {2**32 // 20 - 1})")
        with self._lock:
            words = self._words(max(n - 1, 0)).tolist()
        order = list(range(n))
        for i, word in enumerate(words):  # each swap depends on the ones before it
            j = i + word % (n - i)
            order[i], order[j] = order[j], order[i]
        return np.array(order, dtype=np.int64)

    def seed64(self) -> int:
        """A non-negative int64 from this generator, PyTorch's
        ``torch.empty((), dtype=torch.int64).random_(generator=...)`` (a DataLoader's
        seed for each pass)."""
        with self._lock:
            return int(self._words64(1)[0] & np.uint64(2**63 - 1))

    def exponential(self, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """Exponential(1) draws, PyTorch's `exponential_()`."""
        with self._lock:
            u = self._uniform(math.prod(shape), np.dtype(np.float64))
        return (-np.log1p(-u)).astype(dtype).reshape(shape)

    def uniform64(self, n: int) -> np.ndarray:
        """n float64 uniforms in [0, 1), PyTorch's `uniform_real_distribution<double>`."""
        with self._lock:
            return self._uniform(n, np.dtype(np.float64))


#: The generator behind `rand`, `randn`, `randint` and `multinomial` when no
#: ``generator=`` is given: seeded from the operating system's entropy at import, as
#: PyTorch's default generator is, until `autograd.manual_seed`.
default_generator = Generator()
default_generator.seed()
