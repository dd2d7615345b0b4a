"""`autograd.func.functional_call` and `stack_module_state` (torch.func's): modules
called with other parameters and buffers, and the parameters of several models
stacked for `vmap`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from autograd.ops.shape import stack
from autograd.tensor import Tensor


def _merged(dicts: Any) -> dict[str, Any]:
    if isinstance(dicts, Mapping):
        return dict(dicts)
    merged: dict[str, Any] = {}
    for d in dicts:
        repeated = sorted(set(merged) & set(d))
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call "
                "is ambiguous"
            )
        merged.update(d)
    return merged


def _tied_names(module: Any, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with each tensor given for one name of a tied parameter or buffer given
    for its other names too (torch's ``tie_weights=True``)."""
    groups: dict[int, list[str]] = {}
    members = [
        *module.named_parameters(remove_duplicate=False),
        *module.named_buffers(remove_duplicate=False),
    ]
    for name, t in members:
        groups.setdefault(id(t), []).append(name)
    out = dict(values)
    for names in groups.values():
        given = [n for n in names if n in values]
        if len(names) < 2 or not given:
            continue
        for n in given[1:]:
            if values[n] is not values[given[0]]:
                raise ValueError(
                    f"functional_call got multiple values for keys {sorted(names)}, which "
                    "are tied. Consider using tie_weights=False"
                )
        for n in names:
            out.setdefault(n, values[given[0]])
    return out


def _check_strict(module: Any, values: dict[str, Any]) -> None:
    expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    missing, unexpected = sorted(expected - set(values)), sorted(set(values) - expected)
    if missing or unexpected:
        parts = []
        if unexpected:
            parts.append("Unexpected key(s): " + ", ".join(map(repr, unexpected)) + ".")
        if missing:
            parts.append("Missing key(s): " + ", ".join(map(repr, missing)) + ".")
        raise RuntimeError(
            f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(parts)
        )


@contextmanager
def _swapped(module: Any, values: dict[str, Any]) -> Iterator[None]:
    """`module`'s parameters and buffers named in `values` replaced by them while in
    the block (new attributes added, then removed), restored after it."""
    saved: list[tuple[Any, str, Any, bool]] = []
    try:
        for path, value in values.items():
            owner_path, _, name = path.rpartition(".")
            owner = module.get_submodule(owner_path)
            had = name in owner.__dict__
            saved.append((owner, name, owner.__dict__.get(name), had))
            object.__setattr__(owner, name, value)
        yield
    finally:
        for owner, name, old, had in reversed(saved):
            if had:
                object.__setattr__(owner, name, old)
            else:
                object.__delattr__(owner, name)


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: Any,
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with its parameters and buffers replaced by the
    tensors of `parameter_and_buffer_dicts` (a dict by dotted name, or a tuple of
    dicts), as torch.func.functional_call: the module is unchanged afterwards, and the
    result is differentiable with respect to the tensors given. `args` that is not a
    tuple is the single argument. With `tie_weights`, a tensor given for one name of a
    tied parameter serves its other names; with `strict`, every parameter and buffer
    must be given and nothing else."""
    values = _merged(parameter_and_buffer_dicts)
    if tie_weights:
        values = _tied_names(module, values)
    if strict:
        _check_strict(module, values)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))


def stack_module_state(models: Sequence[Any]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """(params, buffers) of models of one class, each tensor the models' stacked along a
    new first dim, as torch.func.stack_module_state: parameters that require grad are
    fresh leaves that require grad (the models' own tensors are not linked to them)."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({bool(m.training) for m in models}) != 1:
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if len({type(m) for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params = [dict(m.named_parameters()) for m in models]
    buffers = [dict(m.named_buffers()) for m in models]
    return (
        {k: _stacked_leaf([p[k] for p in params], k) for k in params[0]},
        {k: _stacked_leaf([b[k] for b in buffers], k) for k in buffers[0]},
    )


def _stacked_leaf(tensors: list[Tensor], name: str) -> Tensor:
    flags = {t.requires_grad for t in tensors}
    if len(flags) != 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    out = stack([t.detach() for t in tensors])
    out.requires_grad = flags.pop()
    return out
