"""Saving and loading state dicts as `.npz` archives, never with pickle.

A module's `state_dict()` (name -> Tensor) is stored one array per name, as numpy's
`savez` would, and loads as name -> Tensor again (a dict of ndarrays as ndarrays). A
nested state, such as an optimizer's `state_dict()` (parameter groups, per-parameter
buffers, step counts), is stored as its arrays plus a JSON description of the
structure under the name `~tree` (no parameter can have that name): numbers,
strings, None, lists, tuples and dicts with int or str keys are kept exactly (floats
by their shortest repr, which reads back to the same bits), arrays bit for bit.
Example of a resume across processes::

    nn.save_state(optimizer.state_dict(), "opt.npz")
    optimizer.load_state_dict(nn.load_state("opt.npz"))

`save` and `load` are the same under PyTorch's names, which `import autograd as
torch` code finds as ``torch.save(model.state_dict(), "model.pth")`` and
``model.load_state_dict(torch.load("model.pth", weights_only=True))``. As PyTorch's,
they also take a Tensor, a list or a dict of Tensors (``torch.save(x, "x-file")``).
A Tensor saved comes back a Tensor (a Parameter a Parameter, `requires_grad` kept), an
ndarray an ndarray.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from autograd import Tensor

TREE = "~tree"
#: Present (empty) in the archive of a flat name -> Tensor dict (a module's
#: `state_dict()`): its arrays load as Tensors.
TENSORS = "~tensors"
#: Entries of a file written by `Model.save` that are not weights: the model's
#: description (JSON text) and the optimizer's state. `load_state` leaves them out,
#: `nn.load_model` reads them.
MODEL_CONFIG = "__model_config__"
OPTIMIZER_PREFIX = "__optimizer__/"


def save_state(state: Mapping[Any, Any], path: str | os.PathLike) -> None:
    """Write a state dict to `path` as `.npz`, atomically.

    The archive is written to `<path>.partial` and then renamed over `path`, so a
    failed write never destroys an existing file; on an error the partial file is
    removed, and one left by a killed process is replaced by the next save to the
    same path. The file gets the usual permissions (0666 less the umask, 0644
    typically).

    Args:
        state: name -> Tensor or array (a module's `state_dict()`), or a nested state
            of dicts, lists, tuples, numbers, strings, None, arrays and Tensors (an
            optimizer's or a scheduler's `state_dict()`).
        path: where to write.

    Raises:
        TypeError: a value that cannot be stored without pickle (a function, an
            object array, a complex value), named by its place in the state.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"save: expected a dict, got {type(state).__name__}")
    _write_atomically(_archive_arrays(state), os.fspath(path))


def _archive_arrays(obj: Any) -> dict[str, np.ndarray]:
    """The members of the archive of `obj`: a flat name -> ndarray dict as it is, anything
    else as its arrays plus the JSON description of its structure under `TREE`."""
    arrays = _flat_arrays(obj) if isinstance(obj, Mapping) else None
    if arrays is None:
        arrays = {}
        tree = _encode(obj, arrays, "state")
        arrays[TREE] = np.array(json.dumps(tree, allow_nan=True))
    return arrays


def _flat_arrays(state: Mapping[Any, Any]) -> dict[str, np.ndarray] | None:
    """The arrays of a flat name -> ndarray dict, or of a module's `state_dict()` (name
    -> plain Tensor not requiring grad, marked by a `TENSORS` member so that they load
    as Tensors again); None for any other state (other Tensors go into the tree, which
    remembers what they were)."""
    if not all(isinstance(k, str) and k not in (TREE, TENSORS) for k in state):
        return None
    values = list(state.values())
    if all(isinstance(v, np.ndarray) for v in values):
        arrays = {k: np.asarray(v) for k, v in state.items()}
    elif all(type(v) is Tensor and not v.requires_grad for v in values):
        arrays = {k: v.data for k, v in state.items()}
        arrays[TENSORS] = np.array("")
    else:
        return None
    for k, a in arrays.items():
        _check_storable(a, k)
    return arrays


def _check_storable(array: np.ndarray, where: str) -> None:
    if array.dtype.kind not in "biuf" and array.dtype.kind != "U":
        raise TypeError(
            f"save: {where} has dtype {array.dtype}; only numeric (and string) arrays can be "
            "saved without pickle"
        )


def _encode(value: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    """A JSON-ready description of `value`; its arrays go into `arrays`."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Tensor):
        node = _encode(value.data, arrays, where)
        node["tensor"] = type(value).__name__ if type(value).__name__ == "Parameter" else "Tensor"
        node["requires_grad"] = value.requires_grad
        return node
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        _check_storable(array, where)
        key = f"a{len(arrays)}"
        arrays[key] = array
        return {"array": key, "scalar": isinstance(value, np.generic)}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        bad = [k for k in value if isinstance(k, bool) or not isinstance(k, (int, str))]
        if bad:
            raise TypeError(f"save: {where} has a key {bad[0]!r}; keys must be str or int")
        return {"dict": [[k, _encode(v, arrays, f"{where}[{k!r}]")] for k, v in value.items()]}
    raise TypeError(
        f"save: {where} is a {type(value).__name__}, which cannot be saved without pickle"
    )


def _decode(node: Any, archive: Mapping[str, np.ndarray]) -> Any:
    if isinstance(node, list):
        return [_decode(v, archive) for v in node]
    if not isinstance(node, dict):
        return node
    if "array" in node:
        array = archive[node["array"]]
        if "tensor" in node:
            return _tensor(array, node["tensor"], node["requires_grad"])
        return array[()] if node["scalar"] else array
    if "tuple" in node:
        return tuple(_decode(v, archive) for v in node["tuple"])
    return {k: _decode(v, archive) for k, v in node["dict"]}


def _tensor(array: np.ndarray, kind: str, requires_grad: bool) -> Tensor:
    if kind == "Parameter":
        from nn.module import Parameter  # nn.module imports this module

        return Parameter(array, requires_grad=requires_grad)
    return Tensor(array, requires_grad=requires_grad)


def write_npz(arrays: dict[str, np.ndarray], path: str | os.PathLike) -> None:
    """Write named numeric or string arrays as an `.npz`, atomically (as `save_state`)."""
    for name, array in arrays.items():
        _check_storable(array, name)
    _write_atomically(arrays, os.fspath(path))


def _write_atomically(arrays: dict[str, np.ndarray], path: str) -> None:
    """Write the arrays as an `.npz` (one `.npy` member per name) via `<path>.partial`.

    The members are written here rather than by `np.savez`, whose own keyword
    arguments (`file`, `allow_pickle`) would clash with arrays of those names.
    """
    partial = path + ".partial"
    if os.path.lexists(partial):  # left by a process killed during a save
        os.remove(partial)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for name, array in arrays.items():
                    with archive.open(name + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)
    except BaseException:
        if os.path.lexists(partial):
            os.remove(partial)
        raise


def load_state(path: str | os.PathLike) -> dict[Any, Any]:
    """Read an `.npz` archive written by `save_state` or `Module.save`.

    Returns:
        The state as saved: a name -> ndarray dict, a name -> Tensor dict (a module's
        `state_dict()`), or the nested state (numbers as they were, arrays as ndarrays,
        Tensors as Tensors). Of a file written by `Model.save`, the weights (the model's
        description and optimizer state are for `nn.load_model`).

    Raises:
        ValueError: the file holds pickled data (refused: loading it could run code
            from the file) or is not an `.npz` archive.
    """
    arrays = {
        name: array
        for name, array in read_npz(path).items()
        if name != MODEL_CONFIG and not name.startswith(OPTIMIZER_PREFIX)
    }
    if TENSORS in arrays:
        del arrays[TENSORS]
        return {name: Tensor(array) for name, array in arrays.items()}
    if TREE not in arrays:
        return arrays
    return _decode(json.loads(str(arrays.pop(TREE))), arrays)


def save(obj: Any, f: str | os.PathLike) -> None:
    """`save_state` under PyTorch's name and argument order: `obj` a dict (a state
    dict, or a checkpoint of several), a Tensor, an ndarray, or a list or tuple of them,
    written to the file `f` whatever its suffix.

    Raises:
        TypeError: a value that cannot be stored without pickle, named by its place.
    """
    _write_atomically(_archive_arrays(obj), os.fspath(f))


def load(
    f: str | os.PathLike, map_location: Any = None, *, weights_only: bool | None = None
) -> Any:
    """`load_state` under PyTorch's name: what `save` wrote, Tensors (what
    `state_dict()` gives) as Tensors and ndarrays as ndarrays. `map_location` is accepted
    for PyTorch's signature (everything is on the CPU); `weights_only` too: nothing is
    unpickled either way."""
    del map_location, weights_only
    return load_state(f)


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every entry of an `.npz` archive, refusing pickled data (see `load_state`)."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, NpzFile):
            raise ValueError(f"{path}: expected an .npz archive of named arrays, got one array")
        with archive:
            arrays = {name: archive[name] for name in archive.files}
    except ValueError as err:
        if "pickle" in str(err):
            raise ValueError(
                f"{path}: refusing to load pickled data (Python objects); "
                "save with Module.save or nn.save_state, which write plain arrays"
            ) from None
        raise
    except zipfile.BadZipFile as err:
        raise ValueError(f"{path}: not a readable .npz archive ({err})") from None
    return arrays
