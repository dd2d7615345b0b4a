"""`Optimizer`: parameter groups, per-parameter state and the bookkeeping of a step.

A subclass gives its defaults, creates a parameter's state in `_init_state` and writes
its update rule in `_update(p, g, state, group)`, where `p` is the parameter's ndarray
(updated in place) and `g` the gradient's ndarray (never modified). Everything else
(groups, validation, skipping parameters without a gradient, `zero_grad`, closures,
`state_dict`) lives here once.

`step` applies the rule parameter by parameter: that loop is the reference. When the
rule is elementwise (`Optimizer.elementwise`), a group whose parameters can share one
buffer is updated by a single call of the same rule on the whole buffer instead
(`optim.flat`, the multi-tensor fast path), with bit for bit the same result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Tensor, enable_grad
from autograd.checks import check_bool, check_real
from autograd.graph import increment_version
from optim import hooks, saving
from optim.flat import FlatGroup
from optim.hooks import register_optimizer_step_post_hook as register_optimizer_step_post_hook
from optim.hooks import register_optimizer_step_pre_hook as register_optimizer_step_pre_hook
from optim.packing import prepare

if TYPE_CHECKING:
    from nn.hooks import RemovableHandle

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]

# Options that must be >= 0 wherever an optimizer has them (as torch checks them).
_NON_NEGATIVE = (
    "lr",
    "eps",
    "weight_decay",
    "momentum",
    "dampening",
    "alpha",
    "lr_decay",
    "initial_accumulator_value",
    "momentum_decay",
)
# Options that are flags wherever an optimizer has them.
_FLAGS = (
    "maximize",
    "nesterov",
    "amsgrad",
    "centered",
    "decoupled_weight_decay",
    "capturable",
    "differentiable",
)
# torch's implementation options that may also be None ("let the library choose").
_AUTO_FLAGS = ("foreach", "fused")


class Optimizer:
    """Base class of every optimizer.

    Args:
        params: an iterable of Tensors that require grad, of ``(name, Tensor)``
            pairs (``model.named_parameters()``, as torch takes them: the names are
            kept in the group's ``"param_names"``), or of dicts (parameter groups)
            each with a ``"params"`` entry of either kind and any options that
            override ``defaults`` for that group.
        defaults: the option values used by groups that do not set them.

    Attributes:
        param_groups: a list of dicts, each with ``"params"`` (a list of Tensors) and
            every option of the optimizer.
        state: per-parameter dicts (keyed by the parameter Tensor), created at the
            parameter's first step; a ``defaultdict(dict)``, as torch's, so that
            ``optimizer.state[p]`` is ``{}`` before it (and a custom `step` may fill
            it as in torch).
        foreach: use the multi-tensor fast path where its preconditions hold (True
            by default); False always runs the per-parameter reference. A group's
            torch option ``foreach=False`` does the same for that group; its
            ``fused`` is taken as torch takes it (the same numbers), and
            ``capturable`` and ``differentiable`` must stay False (CUDA graphs and
            steps in the graph have no counterpart here).
        elementwise: (class attribute) True when `_grad` and `_update` treat every
            element on its own, so that they may run on a concatenation of the
            parameters; a subclass whose rule uses a parameter's shape or a norm over
            it must leave it False.

    Raises:
        ValueError: on an empty parameter list, an invalid option value, or a
            parameter given twice or in two groups.
        TypeError: when a parameter is not a Tensor.
    """

    elementwise = False
    #: An empty state is one not made yet (`_init_state` makes it at the next step):
    #: ``optimizer.state[p]`` gives ``{}`` for any parameter, as torch's defaultdict.
    #: False where an empty state is a state (SGD without momentum).
    empty_state_is_new = True

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.foreach = True
        # The multi-tensor buffers of each group, by the group's position.
        self._flat: dict[int, FlatGroup] = {}
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        # Work arrays reused by every step, keyed by (shape, dtype, slot). They hold
        # nothing between steps, so they are not part of `state` or `state_dict`.
        self._work: dict[tuple[Any, ...], np.ndarray] = {}
        if isinstance(params, Tensor):
            raise TypeError(
                "params must be an iterable of Tensors or dicts, got a Tensor: pass [p]"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hooks.class_defined(cls)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")  # a blank line between groups, as torch prints them
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join([*lines, ")"])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. a layer to unfreeze).

        Args:
            param_group: a dict with ``"params"`` and optional option overrides.

        Raises:
            ValueError: if a parameter is already in a group or is not a leaf, if an
                option is missing or invalid, or if the group's parameters are named
                (``(name, Tensor)`` pairs) and the other groups' not, or the reverse.
                (A parameter that does not require grad is taken, as in torch: a
                frozen layer, skipped until it is unfrozen.)
            TypeError: if a parameter is not a Tensor.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("parameters must be given in a fixed order (a list), not a set")
        params, names = _split_names(list(params))
        for p in params:
            _check_param(p)
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            raise ValueError("a parameter group contains the same parameter more than once")
        if any(id(p) in ids for g in self.param_groups for p in g["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        _check_names_like_groups(names is not None, self.param_groups)
        # torch's key order: the group's own keys, its names, then the defaults
        group = {**param_group, "params": params}
        if names is not None:
            group["param_names"] = names
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._validate(group)
        self.param_groups.append(group)

    def _validate(self, group: dict[str, Any]) -> None:
        """Check a group's options (types, ranges, the length of `betas`); subclasses
        add their own rules after this one. Errors name the option and its range."""
        owner = type(self).__name__
        for name in _NON_NEGATIVE:
            if name in group:
                check_real(owner, name, group[name], 0)
        for name in _FLAGS:
            if name in group:
                check_bool(owner, name, group[name])
        for name in _AUTO_FLAGS:
            if group.get(name) is not None:
                check_bool(owner, name, group[name])
        _check_implementation(owner, group)
        if "betas" in group:
            betas = group["betas"]
            if not isinstance(betas, (tuple, list)) or len(betas) != 2:
                raise ValueError(
                    f"{owner}: invalid betas: {betas!r} (must be a pair (beta1, beta2), "
                    "each in [0, 1))"
                )
            for i, beta in enumerate(betas):
                check_real(owner, f"beta at index {i}", beta, 0, 1, high_open=True)
            group["betas"] = tuple(betas)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter.

        Args:
            set_to_none: if True, set ``p.grad`` to None (the next backward allocates a
                fresh one); otherwise fill the existing gradient array with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, once.

        Args:
            closure: an optional function that clears the gradients, recomputes the
                loss, calls ``backward`` and returns the loss. It runs first, with grad
                enabled.

        Returns:
            The closure's loss, or None without a closure.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for index, group in enumerate(self.param_groups):
            # maximize and weight decay are applied first, by `_grad`, where asked for.
            adjust = bool(group.get("maximize") or group.get("weight_decay"))
            flat = prepare(self, index, group) if self._multi_tensor(group) else None
            if flat is not None:
                self._flat_step(flat, group, adjust)
                for param in group["params"]:  # each was written in place, as in torch
                    increment_version(param)
                continue
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                p, g = param.data, grad.data
                state = self.state.get(param)
                if not state and (state is None or self.empty_state_is_new):
                    state = self.state[param] = self._init_state(p, group)
                self._update(p, self._grad(p, g, group) if adjust else g, state, group)
                increment_version(param)
        return loss

    def _multi_tensor(self, group: dict[str, Any]) -> bool:
        """Whether the group may take the multi-tensor path: not with the optimizer's
        `foreach` attribute or the group's ``foreach`` option False (torch's option)."""
        return self.foreach and self.elementwise and group.get("foreach") is not False

    def _flat_step(self, flat: FlatGroup, group: dict[str, Any], adjust: bool) -> None:
        """The multi-tensor fast path: the update rule on the group's buffers, a few
        chunks instead of one call per parameter (preconditions: `optim.flat`)."""

        def rule(p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
            self._update(p, self._grad(p, g, group) if adjust else g, state, group)

        flat.update(rule)

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        """The state of parameter array `p` before its first step."""
        return {"step": 0}

    def _state_shape(self, p: np.ndarray, key: str) -> tuple[int, ...]:
        """The shape of state array `key` of parameter array `p` (its own shape unless
        the optimizer keeps other statistics), checked by `load_state_dict`."""
        return p.shape

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        """Apply the update rule to `p` in place, given its gradient `g` (after `_grad`)."""
        raise NotImplementedError

    def _buffer(self, like: np.ndarray, slot: int) -> np.ndarray:
        """A reusable work array shaped (and laid out) like `like`; slots 0, 1, ... are
        distinct."""
        key = (like.shape, like.strides, like.dtype, slot)
        out = self._work.get(key)
        if out is None:
            out = self._work[key] = np.empty_like(like)
        return out

    def _grad(self, p: np.ndarray, g: np.ndarray, group: dict[str, Any]) -> np.ndarray:
        """The gradient the update rule sees, after maximize and weight decay.

        ``g = -g`` if maximize; then ``g = g + weight_decay * p`` (L2 weight decay), or,
        if the group has ``decoupled_weight_decay``, ``p = p * (1 - lr * weight_decay)``
        with `g` left alone. Returns `g` itself when it is unchanged, otherwise work
        array 0, so the parameter's gradient is never modified.
        """
        maximize, weight_decay = group.get("maximize", False), group.get("weight_decay", 0.0)
        if group.get("decoupled_weight_decay", False):
            self._decay(p, group["lr"], weight_decay)
            weight_decay = 0
        if weight_decay == 0:
            return np.negative(g, out=self._buffer(g, 0)) if maximize else g
        out = np.multiply(p, weight_decay, out=self._buffer(g, 0))
        return np.subtract(out, g, out=out) if maximize else np.add(out, g, out=out)

    @staticmethod
    def _decay(p: np.ndarray, lr: float, weight_decay: float) -> None:
        """Decoupled weight decay: ``p = p * (1 - lr * weight_decay)``."""
        if weight_decay != 0:
            p *= 1 - lr * weight_decay

    @staticmethod
    def _moving_average(avg: np.ndarray, x: np.ndarray, beta: float, out: np.ndarray) -> None:
        """``avg = beta * avg + (1 - beta) * x`` in place (`out` is a work array)."""
        avg *= beta
        avg += np.multiply(x, 1 - beta, out=out)

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data, deep-copied.

        The state-dict pre-hooks run first (``hook(optimizer)``), the post-hooks last
        (``hook(optimizer, state_dict)``, a returned dict replacing it), as torch's.

        Returns:
            ``{"state": {index: {key: ndarray or number}}, "param_groups": [...]}``
            where parameters are replaced by their index in the order of the groups
            (as in torch), so it can be loaded into an optimizer over new Tensors.
        """
        for pre_hook in hooks.hooks_of(self, hooks.STATE_DICT_PRE).values():
            pre_hook(self)
        state_dict = saving.state_dict(self)
        for post_hook in hooks.hooks_of(self, hooks.STATE_DICT_POST).values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a `state_dict()`; training then goes on exactly as if never stopped.

        Args:
            state_dict: a dict returned by `state_dict()` of an optimizer of the same
                kind with the same group sizes.

        The load pre-hooks run first on a shallow copy of `state_dict`
        (``hook(optimizer, state_dict)``, a returned dict replacing it), the post-hooks
        last (``hook(optimizer)``), as torch's.

        Raises:
            ValueError: if the groups or the state arrays do not match this optimizer.
        """
        state_dict = dict(state_dict)
        for pre_hook in hooks.hooks_of(self, hooks.LOAD_PRE).values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        saving.load_state_dict(self, state_dict)
        for post_hook in hooks.hooks_of(self, hooks.LOAD_POST).values():
            post_hook(self)

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Run ``hook(optimizer, args, kwargs)`` before each `step` (after the global
        pre-hooks); returning a pair ``(args, kwargs)`` replaces the step's arguments
        (`args` holds the optimizer first, as torch passes it).

        Returns:
            A handle whose `remove()` unregisters the hook.

        Raises:
            TypeError: if `hook` is not callable.
        """
        return hooks.register(self, hooks.STEP_PRE, hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Run ``hook(optimizer, args, kwargs)`` after each `step` (before the global
        post-hooks).

        Returns:
            A handle whose `remove()` unregisters the hook.
        """
        return hooks.register(self, hooks.STEP_POST, hook)

    def register_state_dict_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Run ``hook(optimizer)`` at the start of `state_dict` (first of all with
        `prepend`).

        Returns:
            A handle whose `remove()` unregisters the hook.
        """
        return hooks.register(self, hooks.STATE_DICT_PRE, hook, prepend)

    def register_state_dict_post_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Run ``hook(optimizer, state_dict)`` at the end of `state_dict`; a returned
        dict replaces the state dict (first of all with `prepend`).

        Returns:
            A handle whose `remove()` unregisters the hook.
        """
        return hooks.register(self, hooks.STATE_DICT_POST, hook, prepend)

    def register_load_state_dict_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Run ``hook(optimizer, state_dict)`` before `load_state_dict` loads; a
        returned dict is loaded instead (first of all with `prepend`).

        Returns:
            A handle whose `remove()` unregisters the hook.
        """
        return hooks.register(self, hooks.LOAD_PRE, hook, prepend)

    def register_load_state_dict_post_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Run ``hook(optimizer)`` after `load_state_dict` has loaded (first of all
        with `prepend`).

        Returns:
            A handle whose `remove()` unregisters the hook.
        """
        return hooks.register(self, hooks.LOAD_POST, hook, prepend)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place, computed as torch's lerp: from
    `end` when the weight is 0.5 or more (so that weight 1 gives `end` exactly)."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def _check_implementation(owner: str, group: dict[str, Any]) -> None:
    """torch's implementation options: `foreach` and `fused` choose how the same numbers
    are computed (``foreach=False`` runs the per-parameter reference here, the others
    the multi-tensor path where it applies), and are refused together as torch refuses
    them; `capturable` (CUDA graphs) and `differentiable` (a step recorded in the
    graph) have no counterpart here."""
    if group.get("foreach") and group.get("fused"):
        raise RuntimeError(f"{owner}: `fused` and `foreach` cannot be `True` together.")
    if group.get("capturable"):
        raise ValueError(
            f"{owner}: capturable=True is for CUDA graphs, and everything runs on the CPU "
            "here (torch refuses it for CPU tensors too)"
        )
    if group.get("differentiable"):
        raise NotImplementedError(
            f"{owner}: differentiable=True is not supported: a step updates the arrays "
            "outside the graph"
        )


def _split_names(params: list[Any]) -> tuple[list[Any], list[Any] | None]:
    """The parameters of a group and their names, given as in torch either as Tensors
    or as ``(name, Tensor)`` pairs (``model.named_parameters()``); names are None for
    Tensors.

    Raises:
        ValueError: when some parameters are named and others not (torch's message).
    """
    named = [isinstance(p, tuple) for p in params]
    if not any(named):
        return params, None
    if not all(named):
        raise ValueError(
            "all optimizer params should be with/without names. Some param names are missing"
        )
    for pair in params:
        if len(pair) != 2:
            raise ValueError(
                f"a named parameter must be a (name, Tensor) pair, got a tuple of {len(pair)}"
            )
    return [p for _, p in params], [name for name, _ in params]


def _check_names_like_groups(named: bool, groups: list[dict[str, Any]]) -> None:
    """A group with names may only join groups with names, and one without names only
    groups without (torch's rule and message)."""
    if any(("param_names" in g) != named for g in groups):
        kind = "with" if named else "without"
        raise ValueError(
            "all optimizer param groups should be with/without names. "
            f"cannot add param group {kind} names to the optimizer"
        )


def _check_param(p: Any) -> None:
    if not isinstance(p, Tensor):
        raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
    if not getattr(p, "is_leaf", True):
        raise ValueError("can't optimize a non-leaf Tensor; optimize the leaf it was made from")
