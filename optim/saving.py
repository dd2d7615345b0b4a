"""An optimizer's state as plain data: `Optimizer.state_dict` and `load_state_dict`."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import numpy as np

from autograd import Tensor


def state_dict(opt: Any) -> dict[str, Any]:
    """`opt`'s groups and state, deep-copied, parameters replaced by their index. A
    parameter with an empty state (SGD without momentum) has no entry, as in torch."""
    index: dict[int, int] = {}
    groups = []
    for group in opt.param_groups:
        packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
        packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
        groups.append(packed)
    state = {index[id(p)]: copy.deepcopy(s) for p, s in opt.state.items() if s}
    return {"state": state, "param_groups": groups}


def load_state_dict(opt: Any, state_dict: dict[str, Any]) -> None:
    """Replace `opt`'s state and group options by copies of those in `state_dict`."""
    saved_groups = state_dict["param_groups"]
    if len(saved_groups) != len(opt.param_groups):
        raise ValueError(
            f"loaded state dict has {len(saved_groups)} parameter groups, "
            f"this optimizer has {len(opt.param_groups)}"
        )
    by_index: dict[int, Tensor] = {}
    for i, (saved, group) in enumerate(zip(saved_groups, opt.param_groups, strict=True)):
        if len(saved["params"]) != len(group["params"]):
            raise ValueError(
                f"parameter group {i} of the loaded state dict has {len(saved['params'])} "
                f"parameters, this optimizer's has {len(group['params'])}"
            )
        by_index.update(zip(saved["params"], group["params"], strict=True))
    state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
    for index, saved_state in state_dict["state"].items():
        if index not in by_index:
            raise ValueError(f"loaded state dict has state for unknown parameter {index}")
        param = by_index[index]
        state[param] = {k: _load_value(opt, param, k, v) for k, v in saved_state.items()}
    opt.state = state
    opt.param_groups = [
        _loaded_group(saved, g) for saved, g in zip(saved_groups, opt.param_groups, strict=True)
    ]


def _loaded_group(saved: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    """A copy of the saved group's options over `group`'s parameters; `group`'s
    parameter names are kept when the saved group has none (as torch does)."""
    loaded = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
    loaded["params"] = group["params"]
    if "param_names" in group and "param_names" not in loaded:
        loaded["param_names"] = group["param_names"]
    return loaded


def _load_value(opt: Any, param: Tensor, key: str, value: Any) -> Any:
    """A copy of a saved state value; arrays (also inside lists, as LBFGS's history)
    take the parameter's dtype (as in torch) and, when shaped like it, its memory
    layout (so that the update runs over arrays laid out alike)."""
    if isinstance(value, (list, tuple)):
        return type(value)(_load_value(opt, param, key, v) for v in value)
    if not isinstance(value, np.ndarray):
        return copy.deepcopy(value)
    p = param.data
    shape = opt._state_shape(p, key)
    if value.shape != shape:
        expected = "its parameter has" if shape == p.shape else "the optimizer keeps"
        raise ValueError(f"state {key!r} has shape {value.shape}, {expected} shape {shape}")
    out = np.empty_like(p) if shape == p.shape else np.empty(shape, p.dtype)
    out[...] = value
    return out
