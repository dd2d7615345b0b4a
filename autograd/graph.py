"""Reverse-mode traversal: topological order, `backward` and `grad`.

The graph is made of `Function` nodes: each holds its input tensors, and each
non-leaf tensor holds the function that made it (`grad_fn`). `walk` below is the
backward pass as a textbook states it:

1. order the functions so that each comes before the functions that made its
   inputs (descending creation number);
2. give each root its seed gradient;
3. for each function in that order, sum the gradients its output received, run the
   output's hooks, and call its `backward` to get one gradient per input, which is
   added to what that input has received so far;
4. give every leaf its total: into `.grad`, or into the answer of `grad()`.

`autograd.fastpath.backward_fast` does the same for the common case (one root, plain
arrays, no hooks, no `grad()` targets) with less bookkeeping; `backward` picks it with
one `if`, and the tests run the graph suite on both walks.

Gradients flow as raw ndarrays unless `create_graph=True`, in which case they are
Tensors and every step of the backward pass is itself recorded. The walks are
iterative, so a chain of 100,000 ops needs no recursion.

What a graph keeps after backward (`Keeper`): its structure always stays reachable
from the root (`grad_fn.next_functions`, as in PyTorch), so it can be drawn. A small
graph, at most `KEEP_NODES` ops whose outputs and constant inputs hold at most
`KEEP_BYTES` bytes, also keeps every value and the gradient of every intermediate
(`fn.out_grad`): `o.backward(); draw_graph(o)` shows them all, as micrograd does.
A larger graph frees each op's saved values as soon as backward has passed it, as
training needs. Either way everything is released when the root is dropped, and a
second backward without `retain_graph=True` raises, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import Any

import numpy as np

from autograd import anomaly
from autograd import tensor as _tensor
from autograd.function import Function, as_used_by, lend_output, scalar_array, unbroadcast
from autograd.mode import state
from autograd.ops.args import OperandError
from autograd.tensor import PostAccumulateGradHook, Tensor
from autograd.tensor import increment_version as increment_version  # torch's place for it

#: A graph of at most this many ops keeps its values and gradients after backward...
KEEP_NODES = 1000
#: ...if its intermediate values and constant inputs hold at most this many bytes.
KEEP_BYTES = 64 * 1024

FREED = (
    "the graph behind this tensor was already used by an earlier backward, which freed "
    "the values it saved; pass retain_graph=True to the first backward (or grad) to go "
    "through it twice"
)


@contextmanager
def retain_grads() -> Iterator[None]:
    """Inside this block (in this thread), backward keeps `.grad` on every non-leaf
    tensor it passes, as if `retain_grad()` had been called on each."""
    prev = state.retain_grads
    state.retain_grads = True
    try:
        yield
    finally:
        state.retain_grads = prev


_by_seq = attrgetter("seq")


def toposort(roots: Sequence[Function]) -> list[Function]:
    """Functions reachable from `roots`, each before the functions that made its inputs.

    Every recorded Function carries a creation number (`seq`), and a function's inputs
    were always made before it, so descending creation order is a topological order.
    """
    seen = set(roots)
    stack = list(seen)
    while stack:
        for parent in stack.pop().parents():
            if isinstance(parent, Function) and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_by_seq, reverse=True)


def seed(root: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The starting gradient d(root)/d(root): ones for a scalar, else `gradient`."""
    data = root.data
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn; "
            "create its inputs with requires_grad=True"
        )
    if data.dtype.kind not in "fc":
        raise TypeError(f"backward: the output must be a float tensor, got dtype {data.dtype}")
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"backward: output of shape {data.shape} is not a scalar; pass gradient= "
                "of the same shape (or reduce it first, e.g. with .sum())"
            )
        # A 0-d seed is shared and read-only: no op writes into its dz.
        g: Any = scalar_array(1, data.dtype) if not data.shape else np.ones(data.shape, data.dtype)
    else:
        g = gradient if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=root.dtype)
        if g.shape != root.shape:
            raise OperandError(  # torch's RuntimeError (a ValueError, as before)
                f"Mismatch in shape: grad_output has a shape of {g.shape} and output has a "
                f"shape of {root.shape} (backward's gradient must have the output's shape)"
            )
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor(np.array(g))  # writable, its own
    return g.data if isinstance(g, Tensor) else g


@contextmanager
def backward_mode(create_graph: bool) -> Iterator[None]:
    """While a backward pass runs in this thread, ops see Tensors and record a graph
    exactly when `create_graph` is true."""
    prev = state.grad_enabled, state.tensor_backward
    state.grad_enabled = state.tensor_backward = create_graph
    try:
        yield
    finally:
        state.grad_enabled, state.tensor_backward = prev


def walk(
    roots: Sequence[Tensor],
    seeds: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    targets: Sequence[Tensor] | None = None,
) -> dict[int, Any]:
    """The reference backward pass shared by `backward` and `grad` (see the module doc).

    With `targets` (the inputs of `grad`), their gradients are returned in a dict by
    id(tensor) and only the `.grad` of non-leaves that `retain_grad()` changes (as in
    torch); without, leaves accumulate into `.grad`.
    """
    order = toposort([r.grad_fn for r in roots if r.grad_fn is not None])
    pending: dict[Function, list[Any]] = {}  # fn -> [its output tensor, summed gradient]
    leaf_grads: dict[int, list[Any]] = {}  # id(leaf) -> [leaf, summed gradient]
    captured: dict[int, Any] = {id(t): None for t in targets or ()}

    def send(t: Tensor, g: Any) -> None:
        """Add g to the gradient that tensor t has received."""
        entry = pending.get(t.grad_fn) if t.grad_fn is not None else leaf_grads.get(id(t))
        if entry is not None:
            entry[1] = entry[1] + g
        elif t.grad_fn is not None:
            pending[t.grad_fn] = [t, g]
        else:
            leaf_grads[id(t)] = [t, g]

    for root, g in zip(roots, seeds):
        send(root, g)
    keeper = Keeper(retain_graph)
    with backward_mode(create_graph):
        for fn in order:
            if fn not in pending:
                continue  # no gradient reaches it (an op returned None for its output)
            if fn.spent:
                raise RuntimeError(FREED)
            out, dz = pending.pop(fn)
            dz = run_hooks(out, dz, create_graph)
            if "_prehooks" in fn.__dict__:  # a node's own hooks (`register_prehook`)
                dz = run_node_prehooks(fn, dz, out, create_graph)
            # as in torch, `retain_grad()` keeps .grad under `grad()` and `inputs=` too
            if out._retains_grad or (targets is None and state.retain_grads):
                accumulate(out, dz, create_graph)
            if id(out) in captured:
                captured[id(out)] = dz
            inputs = fn.inputs
            try:
                fn.check_versions()
                with lend_output(out):
                    grads = fn.backward(dz, *(inputs if create_graph else [t.data for t in inputs]))
            except Exception:
                if state.anomaly:
                    anomaly.warn_forward_call(fn)
                raise
            if type(grads) is not tuple:
                grads = (grads,)
            if state.anomaly:
                anomaly.check_gradients(fn, grads)
            if "_posthooks" in fn.__dict__:  # `register_hook` of the node
                grads = run_node_hooks(fn, grads, dz, create_graph)
            for t, g in zip(inputs, grads):
                if t.grad_fn is not None and t.grad_fn.seq > fn.seq:
                    t = as_used_by(t, fn.seq)  # t was written in place after fn used it
                if g is not None and t.requires_grad:
                    send(t, shaped(g, t, create_graph))
            keeper.passed(fn, out, dz)
    for t, g in leaf_grads.values():
        g = run_hooks(t, g, create_graph)
        if targets is None:
            accumulate_leaf(t, g, create_graph)
        elif id(t) in captured:
            captured[id(t)] = g
    return captured


def shaped(g: Any, t: Tensor, create_graph: bool) -> Any:
    """The gradient g of input t as an array (or Tensor) of t's shape."""
    if not create_graph and type(g) is not np.ndarray:
        g = np.asarray(g)  # numpy returns scalars, not 0-d arrays, from some ops
    return g if g.shape == t.shape else unbroadcast(g, t.shape)


def run_hooks(t: Tensor, g: Any, create_graph: bool) -> Any:
    """Pass g through t's hooks in order; a hook's returned tensor replaces it.

    A returned tensor is copied (outside `create_graph`), so that accumulating into
    `.grad` later never writes into a tensor the hook's author still holds."""
    for hook in list(t._hooks or ()):
        if type(hook) is PostAccumulateGradHook:
            continue  # called by `accumulate_leaf`, with the tensor
        new = hook(g if create_graph else Tensor._make(g))
        if new is not None:
            if create_graph:
                g = new
            else:
                g = np.array(new.data if isinstance(new, Tensor) else new, dtype=t.dtype)
    return g


def _as_hook_argument(g: Any, create_graph: bool) -> Any:
    return g if create_graph or g is None else Tensor._make(np.asarray(g))


def _from_hook(new: Any, like: Tensor, create_graph: bool) -> Any:
    """A gradient a node hook returned, in the walk's form (an owned array of the
    tensor's dtype, or the Tensor itself under `create_graph`)."""
    if new is None or create_graph:
        return new
    return np.array(new.data if isinstance(new, Tensor) else new, dtype=like.dtype)


def _hook_result(fn: Function, new: Any, count: int, what: str) -> tuple[Any, ...] | None:
    if new is None:
        return None
    if not isinstance(new, (tuple, list)) or len(new) != count:
        raise RuntimeError(
            f"hook of {fn.name()} returned {new!r}: it must return None or a tuple of "
            f"{count} {what} (one per {'input' if what == 'grad_inputs' else 'output'})"
        )
    return tuple(new)


def run_node_prehooks(fn: Function, dz: Any, out: Tensor, create_graph: bool) -> Any:
    """Pass the gradient of fn's output through fn's pre-hooks, in order; a returned
    one-tuple replaces it (PyTorch's `Node.register_prehook`)."""
    for hook in list(fn.__dict__["_prehooks"]):
        new = _hook_result(fn, hook((_as_hook_argument(dz, create_graph),)), 1, "grad_outputs")
        if new is not None:
            dz = _from_hook(new[0], out, create_graph)
    return dz


def run_node_hooks(fn: Function, grads: tuple[Any, ...], dz: Any, create_graph: bool) -> Any:
    """Pass the gradients fn's backward returned through fn's hooks, in order, each
    hook seeing them shaped as the inputs (None for an input that needs none); a
    returned tuple replaces them (PyTorch's `Node.register_hook`)."""
    inputs = fn.inputs or ()
    grads = tuple(
        shaped(g, t, create_graph) if g is not None and t.requires_grad else None
        for t, g in zip(inputs, grads)
    )
    outputs = (_as_hook_argument(dz, create_graph),)
    for hook in list(fn.__dict__["_posthooks"]):
        args = tuple(_as_hook_argument(g, create_graph) for g in grads)
        new = _hook_result(fn, hook(args, outputs), len(inputs), "grad_inputs")
        if new is not None:
            grads = tuple(_from_hook(g, t, create_graph) for g, t in zip(new, inputs))
    return grads


def accumulate(t: Tensor, g: Any, create_graph: bool, owned: bool = False) -> None:
    """Add g into t.grad: a copy the first time (g may be shared: an op passing dz
    through, a view, the caller's gradient), in place afterwards. With `owned` (an
    array nothing else holds) the first gradient is taken as it is, cast if needed."""
    if create_graph:
        if g.dtype != t.dtype:
            g = g.astype(t.dtype)
        t.grad = g if t.grad is None else t.grad + g
    elif t.grad is None:
        dtype = t.data.dtype
        if not owned:
            g = g.astype(dtype, copy=True)
        elif g.dtype != dtype:
            g = g.astype(dtype)
        t.grad = Tensor._make(g)
    elif t.grad.grad_fn is None and t.grad.data.flags.writeable:
        np.add(t.grad.data, g, out=t.grad.data, casting="unsafe")
    else:
        t.grad = Tensor._make(t.grad.data + g)


def accumulate_leaf(t: Tensor, g: Any, create_graph: bool) -> None:
    """`accumulate` into a leaf (or a tensor named by `inputs=`), then call its
    post-accumulate-grad hooks with it."""
    accumulate(t, g, create_graph)
    for hook in list(t._hooks or ()):
        if type(hook) is PostAccumulateGradHook:
            hook(t)


class Keeper:
    """What a backward pass leaves in the graph it has passed (see the module doc).

    Functions are kept, with their values and their output's gradient, while the
    graph is small; once it proves larger than `KEEP_NODES` ops or `KEEP_BYTES`
    bytes, those kept so far and all later ones are released instead (unless
    `retain_graph`, which keeps every value but stores no gradients for large graphs).
    """

    def __init__(self, retain_graph: bool) -> None:
        self.retain_graph = retain_graph
        self.kept: list[tuple[Function, Tensor]] | None = []
        self.nbytes = 0

    def passed(self, fn: Function, out: Tensor, dz: Any) -> None:
        """fn's backward has run, with dz the gradient of its output `out`."""
        if not self.retain_graph:
            fn.spent = True
        kept = self.kept
        if kept is None:
            if not self.retain_graph:
                fn.release(out)
            return
        self.nbytes += out.data.nbytes
        for t in fn.inputs:
            if not t.requires_grad:
                self.nbytes += t.data.nbytes
        if len(kept) < KEEP_NODES and self.nbytes <= KEEP_BYTES:
            fn.out_grad = dz.data if isinstance(dz, Tensor) else dz
            kept.append((fn, out))
            return
        self.kept = None  # too large: release what was kept, and from now on each op
        kept.append((fn, out))
        self.give_up(kept, self.retain_graph)

    @staticmethod
    def give_up(kept: list[tuple[Function, Tensor]], retain_graph: bool) -> None:
        """The graph proved too large to keep: drop the gradients stored on the ops
        kept so far (each with its output) and, unless `retain_graph`, release them."""
        for f, out in kept:
            f.out_grad = None
            if not retain_graph:
                f.release(out)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulate d(tensors)/d(leaf) into `.grad` of every leaf that requires grad, as
    `torch.autograd.backward`: several roots (each with its gradient in `grad_tensors`,
    None for a scalar) add up; with `inputs`, only those tensors (leaves or not) get
    `.grad`. `retain_graph` defaults to `create_graph`."""
    if isinstance(tensors, Tensor) and inputs is None:  # `Tensor.backward`, the common call
        g = seed(tensors, grad_tensors, create_graph)
        if not (create_graph or state.retain_grads or state.anomaly or _tensor.hooked_tensors):
            backward_fast(tensors, g, bool(retain_graph))
        else:
            walk([tensors], [g], bool(retain_graph) or create_graph, create_graph)
        return
    roots = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    seeds = [
        seed(r, g, create_graph) for r, g in zip(roots, per_output(grad_tensors, roots, "backward"))
    ]
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        walk(roots, seeds, retain, create_graph)
        return
    targets = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not targets:
        raise RuntimeError("backward: inputs= cannot be empty; pass None for every leaf")
    for i, t in enumerate(targets):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"backward: inputs[{i}] does not require grad")
    captured = walk(roots, seeds, retain, create_graph, targets)
    for t in dict.fromkeys(targets):  # each tensor once, even if listed twice
        if captured[id(t)] is not None:
            accumulate_leaf(t, captured[id(t)], create_graph)


def per_output(grads: Any, outputs: list[Tensor], name: str) -> list[Any]:
    """One gradient (or None) per output: a single one for a single output."""
    if grads is None:
        return [None] * len(outputs)
    grads = [grads] if isinstance(grads, (Tensor, np.ndarray)) else list(grads)
    if len(grads) != len(outputs):
        raise ValueError(f"{name}: {len(grads)} gradients given for {len(outputs)} outputs")
    return grads


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
    is_grads_batched: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of `outputs` with respect to `inputs`, returned (not stored in `.grad`).

    Args:
        outputs: a tensor or a sequence of tensors to differentiate.
        inputs: the tensors to differentiate with respect to (leaves or not).
        grad_outputs: the vector(s) in the vector-Jacobian product; None for scalars.
        retain_graph: keep the graph for another pass (defaults to `create_graph`).
        create_graph: make the returned gradients differentiable (higher order).
        allow_unused: return None for an input the outputs do not depend on,
            instead of raising (default: `materialize_grads`).
        materialize_grads: return zeros instead of None for such an input.
        is_grads_batched: the first axis of each of `grad_outputs` is a batch: the
            result holds one vector-Jacobian product per row (`batched_grad`).

    Returns:
        A tuple with one gradient per input.
    """
    if is_grads_batched:
        return batched_grad(
            outputs,
            inputs,
            grad_outputs,
            retain_graph,
            create_graph,
            allow_unused,
            materialize_grads,
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("grad: materialize_grads=True needs allow_unused=True (or None)")
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    seeds = [
        seed(o, g, create_graph) for o, g in zip(outputs, per_output(grad_outputs, outputs, "grad"))
    ]
    retain = create_graph if retain_graph is None else retain_graph
    captured = walk(outputs, seeds, retain, create_graph, inputs)
    result: list[Tensor | None] = []
    for i, t in enumerate(inputs):
        g = captured[id(t)]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            result.append(Tensor._make(np.zeros_like(t.data)) if materialize_grads else None)
        else:
            result.append(g if create_graph else Tensor._make(np.array(g)))  # never shared
    return tuple(result)


def batched_grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any,
    retain_graph: bool | None,
    create_graph: bool,
    allow_unused: bool | None,
    materialize_grads: bool,
) -> tuple[Tensor | None, ...]:
    """`grad(..., is_grads_batched=True)`: for each row b of the grad_outputs (their
    first axis, of one length B for all), the vector-Jacobian product
    g_b^T (d outputs / d input); each gradient returned has shape (B, *input.shape).

    PyTorch maps the rows with vmap; here the graph is walked once per row, which gives
    the same numbers. As PyTorch's, an input the outputs do not use gets None, or with
    `materialize_grads` zeros of the input's own shape (without the batch axis)."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    rows: list[Any] = [
        g if isinstance(g, Tensor) else None if g is None else np.asarray(g)
        for g in per_output(grad_outputs, outputs, "grad")
    ]
    for i, (o, g) in enumerate(zip(outputs, rows)):
        if g is None:
            raise RuntimeError(
                f"grad: is_grads_batched=True needs a batch of grad_outputs for output {i} "
                "(grad can be implicitly created only for scalar outputs)"
            )
        if g.shape[1:] != o.shape:
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                "grad_output as the batch dimension. The sizes of the remaining dimensions "
                f"are expected to match the shape of corresponding output, but a mismatch "
                f"was detected: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {o.shape}"
            )
    sizes = sorted({g.shape[0] for g in rows})
    if len(sizes) > 1:
        raise ValueError(
            "grad: is_grads_batched=True needs one batch size for all grad_outputs, got "
            f"sizes {[g.shape[0] for g in rows]}"
        )
    if sizes[0] == 0:
        raise IndexError("grad: is_grads_batched=True got grad_outputs with an empty batch")
    retain = create_graph if retain_graph is None else retain_graph
    per_row = [
        grad(
            outputs,
            inputs,
            [g[b] for g in rows],
            retain_graph=retain or b < sizes[0] - 1,
            create_graph=create_graph,
            allow_unused=materialize_grads if allow_unused is None else allow_unused,
        )
        for b in range(sizes[0])
    ]
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    result: list[Tensor | None] = []
    for i, t in enumerate(inputs):
        found = [row[i] for row in per_row]
        if found[0] is None:
            result.append(Tensor._make(np.zeros_like(t.data)) if materialize_grads else None)
        elif create_graph:
            from autograd.ops.shape import stack

            result.append(stack(found))
        else:
            result.append(Tensor._make(np.stack([g.data for g in found])))
    return tuple(result)


from autograd.fastpath import backward_fast  # noqa: E402  (it uses Keeper and FREED above)
