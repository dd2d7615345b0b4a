"""Data for a functional model: arrays in, one per input, and targets, one per output.

A model with several inputs takes a list of arrays in the order of its inputs, or a
dict by input name (Keras's two ways). `fit` and friends batch one array, so
`pack_inputs` puts the inputs side by side in a record array, one field per input
(each cast to its input's dtype: floats to the default float dtype, integer indices
kept), which the usual mini-batching shuffles and slices like any array; `feed`
unpacks each batch again. Targets of several outputs are packed the same way
(`pack_targets`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from nn.data import as_array, check_lengths
from nn.input import Input
from nn.symbolic import KerasTensor, is_symbolic


def records(caller: str, names: Sequence[str], arrays: Sequence[np.ndarray]) -> np.ndarray:
    """One record per sample, the arrays as its fields (named `names`)."""
    for name, array in zip(names[1:], arrays[1:]):
        check_lengths(arrays[0], array, f"{names[0]} and {name}")
    fields = [(name, a.dtype, a.shape[1:]) for name, a in zip(names, arrays)]
    packed = np.empty(len(arrays[0]), dtype=fields)
    for name, array in zip(names, arrays):
        packed[name] = array
    return packed


def _by_position_or_name(caller: str, kind: str, data: Any, names: list[str]) -> list[Any]:
    """One entry of `data` per name: from a dict by name, a list in order, or (for a
    single name) the value itself or a one-item list."""
    if isinstance(data, Mapping):
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError(
                f"{caller}: no data for the {kind}s {', '.join(missing)} (the dict has "
                f"{', '.join(map(str, data))}; the {kind}s are {', '.join(names)})"
            )
        return [data[name] for name in names]
    if len(names) == 1:
        if isinstance(data, (list, tuple)) and len(data) == 1 and _is_array(data[0]):
            return [data[0]]
        return [data]
    if not isinstance(data, (list, tuple)) or len(data) != len(names):
        got = f"{len(data)} arrays" if isinstance(data, (list, tuple)) else "one array"
        raise ValueError(
            f"{caller}: the model has {len(names)} {kind}s ({', '.join(names)}): pass a list "
            f"of {len(names)} arrays in that order, or a dict by {kind} name; got {got}"
        )
    return list(data)


def _refuse_symbolic(caller: str, argument: str, data: Any) -> None:
    if is_symbolic(data):
        raise TypeError(
            f"{caller}: {argument} holds symbolic tensors (nn.Input or a layer's output), "
            "which have no values; pass arrays of data"
        )


def pack_inputs(caller: str, inputs: list[Input], x: Any) -> Any:
    """`x` as `fit` batches it: the array of a single float input, else a record
    array with one field per input."""
    _refuse_symbolic(caller, "x", x)
    single = len(inputs) == 1 and np.dtype(inputs[0].dtype).kind == "f"
    if single and not isinstance(x, (Mapping, list, tuple)):
        return x
    given = _by_position_or_name(caller, "input", x, [t.name for t in inputs])
    arrays = [as_array(a, t.name).astype(_data_dtype(t), copy=False) for t, a in zip(inputs, given)]
    if single:
        return arrays[0]
    return records(caller, [t.name for t in inputs], arrays)


def pack_targets(caller: str, y: Any, names: list[str]) -> Any:
    """Targets of several outputs (a list in their order, or a dict by output name)
    as one record array with a field per output (floats in the default dtype); a
    single output's targets as they are."""
    _refuse_symbolic(caller, "y", y)
    given = _by_position_or_name(caller, "output", y, names)
    if len(names) == 1:
        return given[0]
    arrays = [as_array(a, name) for a, name in zip(given, names)]
    arrays = [a.astype(get_default_dtype()) if a.dtype.kind == "f" else a for a in arrays]
    return records(caller, names, arrays)


def feed(model_name: str, inputs: list[Input], data: Any) -> dict[int, Any]:
    """id(input) -> its value (converted to the input's dtype, and its shape checked
    by the Input), from what a functional model is called on."""
    names = [t.name for t in inputs]
    if isinstance(data, np.ndarray) and data.dtype.names:
        arrays = [data[name] for name in names]
    else:
        arrays = _by_position_or_name(model_name, "input", data, names)
    return {id(t): t(_converted(t, a)) for t, a in zip(inputs, arrays)}


def _is_array(value: Any) -> bool:
    return isinstance(value, (np.ndarray, Tensor)) or hasattr(value, "__array__")


def _data_dtype(tensor: KerasTensor) -> np.dtype:
    """Float data takes the default float dtype (float32), as `fit` always has; other
    inputs (integer indices) their own dtype."""
    dtype = np.dtype(tensor.dtype)
    return np.dtype(get_default_dtype()) if dtype.kind == "f" else dtype


def _converted(tensor: KerasTensor, value: Any) -> Any:
    """A value for `tensor`: Tensors as they are (their graph is kept), arrays cast to
    the input's dtype, floats as Tensors and other kinds (indices) as ndarrays."""
    if isinstance(value, Tensor):
        return value
    array = np.ascontiguousarray(value, dtype=tensor.dtype)
    return Tensor(array) if array.dtype.kind in "fc" else array


def pack_call_inputs(model: Any, caller: str, x: Any) -> Any:
    """A subclassed model's several inputs (a list or tuple of arrays, or a dict of
    them, as its `call` takes them) as one record array, their layout kept on the
    model for `unpack_call_inputs`; anything else is returned as it is."""
    if isinstance(x, Mapping):
        kind: type = dict
        names = [str(key) for key in x]
        given = list(x.values())
    elif isinstance(x, (list, tuple)) and len(x) > 1 and all(map(_is_array, x)):
        kind, names, given = type(x), [f"input_{i}" for i in range(len(x))], list(x)
    else:
        return x
    _refuse_symbolic(caller, "x", x)
    arrays = [as_array(a, name) for a, name in zip(given, names)]
    arrays = [a.astype(get_default_dtype()) if a.dtype.kind == "f" else a for a in arrays]
    object.__setattr__(model, "_input_layout", (kind, names))
    return records(caller, names, arrays)


def unpack_call_inputs(layout: tuple[type, list[str]], data: np.ndarray) -> Any:
    """The record batch `data` as `pack_call_inputs` found the inputs: a list, tuple
    or dict of values (floats as Tensors, other kinds as ndarrays)."""
    kind, names = layout
    arrays = [np.ascontiguousarray(data[name]) for name in names]
    values = [Tensor(a) if a.dtype.kind in "fc" else a for a in arrays]
    return dict(zip(names, values)) if kind is dict else kind(values)
