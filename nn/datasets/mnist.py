"""MNIST and Fashion-MNIST from the original IDX files.

`load_mnist` looks for the four files (`train-images-idx3-ubyte`,
`train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each
either gzip-compressed with a `.gz` suffix or raw) in, in order:

1. `path`, when given (and only there);
2. `$GRADWORK_DATA/mnist/` (or `$GRADWORK_DATA/fashion-mnist/`), then `$GRADWORK_DATA/`;
3. the cache folder `$XDG_CACHE_HOME/gradwork/<name>/` (default `~/.cache/gradwork/<name>/`).

Only with `download=True` does it fetch missing files from public mirrors, into
`path` or the cache. Each download goes to a temporary file, its MD5 is checked
against the published one, and only then is it renamed into place. Files found
locally are checked the same way (against the published MD5 of the `.gz` file, or of
its uncompressed content for a raw file), so a corrupted copy never loads silently.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from nn.datasets.idx import IDXError, read_idx

FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

#: Folder name under $GRADWORK_DATA and the cache for each kind.
FOLDERS = {"digits": "mnist", "fashion": "fashion-mnist"}

#: Mirrors tried in order for each kind; a file's URL is the mirror + its name + ".gz".
MIRRORS: dict[str, list[str]] = {
    "digits": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    "fashion": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
}

#: Published MD5 of each original .gz file.
MD5: dict[str, dict[str, str]] = {
    "digits": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}


#: MD5 of each original file once uncompressed (for raw IDX files found locally).
RAW_MD5: dict[str, dict[str, str]] = {
    "digits": {
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    },
    "fashion": {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    },
}


def cache_dir(kind: str = "digits") -> Path:
    """`$XDG_CACHE_HOME/gradwork/<name>` (default `~/.cache/gradwork/<name>`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gradwork" / FOLDERS[_check_kind(kind)]


def search_dirs(kind: str = "digits", path: str | os.PathLike | None = None) -> list[Path]:
    """The folders `load_mnist` looks in, in order."""
    if path is not None:
        return [Path(path)]
    dirs = []
    data = os.environ.get("GRADWORK_DATA")
    if data:
        dirs += [Path(data) / FOLDERS[_check_kind(kind)], Path(data)]
    return [*dirs, cache_dir(kind)]


def load_mnist(
    kind: str = "digits",
    path: str | os.PathLike | None = None,
    download: bool = False,
    verify: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST digits or Fashion-MNIST, as `keras.datasets.mnist.load_data()` does.

    Args:
        kind: "digits" (MNIST, also "mnist") or "fashion" (Fashion-MNIST, also
            "fashion-mnist").
        path: a folder holding the four IDX files; when None, look in
            `$GRADWORK_DATA` and the cache folder (see the module docstring).
        download: fetch missing files from public mirrors (MD5-checked) into `path`
            or the cache folder.
        verify: check every file against the published MD5 (pass False to load a
            modified copy on purpose).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: images uint8 of shape (N, 28, 28)
        with pixels in 0..255 (60,000 train and 10,000 test), labels uint8 in 0..9.

    Raises:
        FileNotFoundError: when the files are not found (the message lists where it
            looked and how to point at them).
        IDXError (a ValueError): for a corrupt or truncated file, a file whose MD5
            is not the published one, labels outside 0..9, or label and image
            counts that differ.
        OSError: when a download fails from every mirror or fails its checksum.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((60000, 28, 28), (60000,))
    """
    kind = _check_kind(kind)
    dirs = search_dirs(kind, path)
    folder = next((d for d in dirs if _find_all(d) is not None), None)
    if folder is None and download:
        folder = dirs[0] if path is not None else cache_dir(kind)
        for name in FILES.values():
            if _find(folder, name) is None:
                fetch(kind, name + ".gz", folder)
    if folder is None:
        looked = "\n".join(f"  {d}" for d in dirs)
        raise FileNotFoundError(
            f"MNIST ({kind}) files not found. Looked for {', '.join(FILES.values())} "
            f"(.gz or raw) in:\n{looked}\nFix: set GRADWORK_DATA to a folder holding them "
            f"(or its '{FOLDERS[kind]}' subfolder), pass path=, or pass download=True "
            "to fetch them from a public mirror."
        )
    files = _find_all(folder)
    assert files is not None
    arrays = {key: read_idx(files[key], ndim=3 if key[0] == "x" else 1) for key in FILES}
    for part in ("train", "test"):
        x, y = arrays["x_" + part], arrays["y_" + part]
        if y.size and y.max() > 9:
            raise IDXError(f"{files['y_' + part]} holds a label {y.max()}; MNIST labels are 0..9")
        if len(x) != len(y):
            raise IDXError(
                f"{files['x_' + part]} holds {len(x)} images but {files['y_' + part]} "
                f"holds {len(y)} labels; one of them is corrupt or from another set"
            )
    if verify:
        for file in files.values():
            check_md5(kind, file)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


_verified: set[tuple[str, int, int]] = set()  # (path, size, mtime) already checked


def check_md5(kind: str, file: Path) -> None:
    """Compare a local file's MD5 with the published one (of the `.gz`, or of the
    uncompressed content for a raw file); each unchanged file is hashed once.

    Raises:
        IDXError: the digests differ.
    """
    info = file.stat()
    key = (str(file.resolve()), info.st_size, info.st_mtime_ns)
    if key in _verified:
        return
    expected = (MD5 if file.suffix == ".gz" else RAW_MD5)[kind][file.name]
    got = md5sum(file)
    if got != expected:
        raise IDXError(
            f"{file}: MD5 {got}, expected {expected} (the published file's): the file is "
            "corrupt or not the original; delete it and fetch it again "
            "(load_mnist(download=True)), or pass verify=False to load it anyway"
        )
    _verified.add(key)


_KINDS = {"digits": "digits", "mnist": "digits", "fashion": "fashion", "fashion-mnist": "fashion"}


def _check_kind(kind: str) -> str:
    key = _KINDS.get(kind.lower() if isinstance(kind, str) else kind)
    if key is None:
        raise ValueError(f"unknown MNIST kind {kind!r}; use 'digits' or 'fashion'")
    return key


def _find(folder: Path, name: str) -> Path | None:
    for candidate in (folder / (name + ".gz"), folder / name):
        if candidate.is_file():
            return candidate
    return None


def _find_all(folder: Path) -> dict[str, Path] | None:
    """The four files in `folder`, or None when any is missing."""
    found = {key: _find(folder, name) for key, name in FILES.items()}
    return None if any(p is None for p in found.values()) else found  # type: ignore[return-value]


def md5sum(path: str | os.PathLike) -> str:
    """The hex MD5 of a file, read in chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def urlretrieve(url: str, dest: Path) -> None:
    """Copy the body at `url` into the file `dest` (any scheme urllib knows, file:// too)."""
    import urllib.request  # only when downloading: it pulls in http, ssl and email

    with urllib.request.urlopen(url, timeout=60) as response, open(dest, "wb") as out:
        for chunk in iter(lambda: response.read(1 << 20), b""):
            out.write(chunk)


def fetch(kind: str, filename: str, folder: Path) -> Path:
    """Download `filename` into `folder` from the first mirror whose copy has the right MD5.

    The body goes to a temporary file in `folder`, which is renamed to `filename` only
    after its MD5 matches, so an interrupted or corrupt download never looks valid.

    Raises:
        OSError: when no mirror gives a file with the published MD5.
    """
    expected = MD5[kind][filename]
    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in MIRRORS[kind]:
        url = mirror + filename
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=filename + ".", suffix=".part")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            urlretrieve(url, tmp)
            got = md5sum(tmp)
            if got == expected:
                return tmp.replace(folder / filename)
            errors.append(f"{url}: MD5 {got}, expected {expected}")
        except OSError as err:
            errors.append(f"{url}: {err}")
        finally:
            tmp.unlink(missing_ok=True)
    raise OSError(f"could not download {filename}:\n  " + "\n  ".join(errors))
