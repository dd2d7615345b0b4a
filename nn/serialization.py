"""Saving and loading state dicts as `.npz` archives, never with pickle."""

from __future__ import annotations

import os
import tempfile
import zipfile
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from autograd import Tensor

#: Entries of a file written by `Model.save` that are not weights: the model's
#: description (JSON text) and the optimizer's state. `load_state` leaves them out,
#: `nn.load_model` reads them.
MODEL_CONFIG = "__model_config__"
OPTIMIZER_PREFIX = "__optimizer__/"


def save_state(state: dict[str, Any], path: str | os.PathLike) -> None:
    """Write a name -> array dict to `path` as `.npz`, atomically (temp file + replace)."""
    arrays = {k: np.asarray(v.data if isinstance(v, Tensor) else v) for k, v in state.items()}
    bad = [f"{k} (dtype {a.dtype})" for k, a in arrays.items() if a.dtype.kind not in "biufc"]
    if bad:
        raise TypeError(f"save: only numeric arrays can be saved without pickle, got {bad}")
    write_npz(arrays, path)


def write_npz(arrays: dict[str, np.ndarray], path: str | os.PathLike) -> None:
    """`np.savez` to a temporary file next to `path`, then moved over it: a failed
    write leaves an existing file as it was."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_state(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read an `.npz` archive written by `Module.save` into a name -> ndarray dict
    (what a `Model.save` file holds besides the weights is left out).

    Pickled content is refused (`allow_pickle=False`): an archive holding Python
    objects raises a ValueError instead of running code from the file.
    """
    return {
        name: array
        for name, array in read_npz(path).items()
        if name != MODEL_CONFIG and not name.startswith(OPTIMIZER_PREFIX)
    }


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every entry of an `.npz` archive, refusing pickled content (see `load_state`)."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, NpzFile):
            raise ValueError(f"{path}: expected an .npz archive of named arrays, got one array")
        with archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as err:
        if "pickle" in str(err):
            raise ValueError(
                f"{path}: refusing to load pickled data (Python objects); "
                "save with Module.save, which writes plain numeric arrays"
            ) from None
        raise
    except zipfile.BadZipFile as err:
        raise ValueError(f"{path}: not a readable .npz archive ({err})") from None
