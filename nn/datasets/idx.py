"""Reading IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number, then one big-endian uint32 per dimension, then
the data in C order::

    magic = 0x00 0x00 <type code> <number of dimensions>
    type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64

Multi-byte data are big-endian. The file may be gzip-compressed (name ending in .gz).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IDXError(ValueError):
    """A file that is not a valid IDX file of the expected kind (corrupt or truncated)."""


def read_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, decompressed when the name ends in .gz."""
    with open(path, "rb") as f:
        raw = f.read()
    if not os.fspath(path).endswith(".gz"):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        # gzip raises BadGzipFile (an OSError) for a bad header and EOFError when cut short.
        raise IDXError(
            f"{path}: not a valid gzip file ({err}); delete it and get it again"
        ) from None


def parse_idx(data: bytes, ndim: int | None = None, source: str = "IDX data") -> np.ndarray:
    """Parse the bytes of an IDX file into a writable array in native byte order.

    Args:
        data: the whole (decompressed) file.
        ndim: the number of dimensions expected (3 for images, 1 for labels), or None.
        source: a name for error messages (the file's path).

    Raises:
        IDXError: for a bad magic number, an unexpected number of dimensions, or a
            data size that does not match the header.
    """
    if len(data) < 4:
        raise IDXError(f"{source}: {len(data)} bytes is too short for an IDX header")
    zero1, zero2, type_code, n_dims = data[:4]
    if zero1 or zero2 or type_code not in IDX_TYPES:
        raise IDXError(
            f"{source}: bad magic number 0x{data[:4].hex()} (expected 0x0000 then an IDX "
            "type code and the number of dimensions); the file is corrupt or not IDX"
        )
    if ndim is not None and n_dims != ndim:
        raise IDXError(f"{source}: expected an IDX file with {ndim} dimension(s), got {n_dims}")
    header = 4 + 4 * n_dims
    if len(data) < header:
        raise IDXError(f"{source}: truncated header ({len(data)} bytes, need {header})")
    shape = struct.unpack(f">{n_dims}I", data[4:header])
    dtype = IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise IDXError(
            f"{source}: header says shape {shape} ({expected} data bytes) but the file has "
            f"{len(data) - header} data bytes; it is truncated or corrupt"
        )
    # astype copies: the result is writable and in native byte order.
    return (
        np.frombuffer(data, dtype=dtype, offset=header)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def read_idx(path: str | os.PathLike, ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed when its name ends in .gz) into an array."""
    return parse_idx(read_bytes(path), ndim, os.fspath(path))
