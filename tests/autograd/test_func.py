"""`autograd.func` (``torch.func`` under ``import autograd as torch``): each transform
gives torch.func's numbers, structure and errors in float64, composes, leaves `.grad`
alone and no graph at top level; the code of torch's four torch.func tutorials runs with
the import swap and gives torch's numbers."""

from __future__ import annotations

import copy
import types
from functools import partial
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import func as gfunc

torch = pytest.importorskip("torch")
tfunc = torch.func

RNG = np.random.default_rng(0)


def arr(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def lift(lib: types.ModuleType, tree: Any) -> Any:
    """`tree` with numpy arrays made `lib` float64 tensors."""
    if isinstance(tree, dict):
        return {k: lift(lib, v) for k, v in tree.items()}
    if isinstance(tree, tuple | list):
        return type(tree)(lift(lib, v) for v in tree)
    return lib.tensor(tree, dtype=lib.float64)


def close(ours: Any, theirs: Any, atol: float = 1e-10) -> None:
    """Same structure, same numbers."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for k in theirs:
            close(ours[k], theirs[k], atol)
    elif isinstance(theirs, tuple | list):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs, strict=True):
            close(a, b, atol)
    else:
        assert isinstance(ours, autograd.Tensor), type(ours)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=atol, rtol=1e-10)


def no_graph(tree: Any) -> None:
    leaves, _ = gfunc.tree_flatten(tree)
    for t in leaves:
        assert t.grad_fn is None and not t.requires_grad


def pytree_fn(lib: types.ModuleType) -> Any:
    def f(p, x):
        h = (p["w"] @ x + p["b"][0]).tanh()
        return (h * p["b"][1]).sum() + (x**3).sum()

    return f


PARAMS = {"w": arr(3, 4), "b": [arr(3), arr(3)]}
X = arr(4)


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1, (-2,)])
def test_grad_of_pytrees_and_argnums_as_torch(argnums: Any) -> None:
    ours = gfunc.grad(pytree_fn(autograd), argnums)(*lift(autograd, (PARAMS, X)))
    theirs = tfunc.grad(pytree_fn(torch), argnums)(*lift(torch, (PARAMS, X)))
    close(ours, theirs)
    no_graph(ours)


def test_grad_of_an_unused_argument_is_zeros_as_torch() -> None:
    def f(x, y):
        return (x * 2).sum() + y.detach().sum()

    args = (arr(3), arr(2))
    ours = gfunc.grad(f, (0, 1))(*lift(autograd, args))
    close(ours, tfunc.grad(f, (0, 1))(*lift(torch, args)))
    assert ours[1].tolist() == [0.0, 0.0]


def test_grad_and_value_with_aux_as_torch() -> None:
    def f(lib, x, y):
        loss = (x.sin() * y).sum()
        return loss, {"aux": x * 2, "n": [y.exp()]}

    args = (arr(3), arr(3))
    ours = gfunc.grad_and_value(partial(f, autograd), argnums=(0, 1), has_aux=True)(
        *lift(autograd, args)
    )
    theirs = tfunc.grad_and_value(partial(f, torch), argnums=(0, 1), has_aux=True)(
        *lift(torch, args)
    )
    close(ours, theirs)
    no_graph(ours)
    g, aux = gfunc.grad(partial(f, autograd), has_aux=True)(*lift(autograd, args))
    tg, taux = tfunc.grad(partial(f, torch), has_aux=True)(*lift(torch, args))
    close((g, aux), (tg, taux))


def multi_out(x, p):
    return {"a": (x * p["s"]).sin(), "b": [x.sum() * p["t"], (x**2).cumsum(0)]}


MULTI = (arr(3), {"s": arr(3), "t": arr(2)})


def test_vjp_of_pytrees_as_torch() -> None:
    cot = {"a": arr(3), "b": [arr(2), arr(3)]}
    out, fn = gfunc.vjp(multi_out, *lift(autograd, MULTI))
    tout, tfn = tfunc.vjp(multi_out, *lift(torch, MULTI))
    close(out, tout)
    close(fn(lift(autograd, cot)), tfn(lift(torch, cot)))
    close(fn(lift(autograd, cot)), tfn(lift(torch, cot)))  # vjp_fn can be called again
    no_graph((out, fn(lift(autograd, cot))))
    out, fn, aux = gfunc.vjp(lambda x: (x.exp(), x.sum()), lift(autograd, X), has_aux=True)
    tout, tfn, taux = tfunc.vjp(lambda x: (x.exp(), x.sum()), lift(torch, X), has_aux=True)
    close((out, aux, fn(lift(autograd, X))), (tout, taux, tfn(lift(torch, X))))


def test_jvp_of_pytrees_as_torch() -> None:
    tangents = (arr(3), {"s": arr(3), "t": arr(2)})
    ours = gfunc.jvp(multi_out, lift(autograd, MULTI), lift(autograd, tangents))
    theirs = tfunc.jvp(multi_out, lift(torch, MULTI), lift(torch, tangents))
    close(ours, theirs)
    no_graph(ours)

    def with_aux(x):
        return x.sin() * 2, {"c": x.cos()}

    ours = gfunc.jvp(with_aux, (lift(autograd, X),), (lift(autograd, X),), has_aux=True)
    theirs = tfunc.jvp(with_aux, (lift(torch, X),), (lift(torch, X),), has_aux=True)
    close(ours, theirs)
    # an output that does not depend on the primals: zeros, or torch's error when strict
    ours = gfunc.jvp(lambda x: x.detach() * 2, (lift(autograd, X),), (lift(autograd, X),))
    close(ours, tfunc.jvp(lambda x: x.detach() * 2, (lift(torch, X),), (lift(torch, X),)))
    with pytest.raises(RuntimeError, match="independent of the inputs"):
        gfunc.jvp(lambda x: x.detach(), (lift(autograd, X),), (lift(autograd, X),), strict=True)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_jacobians_of_pytrees_as_torch(name: str, argnums: Any) -> None:
    ours = getattr(gfunc, name)(multi_out, argnums)(*lift(autograd, MULTI))
    theirs = getattr(tfunc, name)(multi_out, argnums)(*lift(torch, MULTI))
    close(ours, theirs)
    no_graph(ours)


def test_jacobian_with_aux_and_hessian_as_torch() -> None:
    def f(x, y):
        return (x * y).sin(), x.sum()

    args = (arr(3), arr(3))
    ours = gfunc.jacrev(f, (0, 1), has_aux=True)(*lift(autograd, args))
    close(ours, tfunc.jacrev(f, (0, 1), has_aux=True)(*lift(torch, args)))
    ours = gfunc.jacfwd(f, 1, has_aux=True)(*lift(autograd, args))
    close(ours, tfunc.jacfwd(f, 1, has_aux=True)(*lift(torch, args)))
    for argnums in (0, (0, 1)):
        ours = gfunc.hessian(pytree_fn(autograd), argnums)(*lift(autograd, (PARAMS, X)))
        close(ours, tfunc.hessian(pytree_fn(torch), argnums)(*lift(torch, (PARAMS, X))))
        no_graph(ours)


def cube(x):
    return (x.sin() * x**2).sum()


def test_compositions_as_torch() -> None:
    xb = arr(4, 3)
    cases = [
        lambda f: f.grad(f.grad(lambda s: s.sin() * s**3)),
        lambda f: f.grad(lambda x: f.grad(cube)(x).pow(2).sum()),
        lambda f: f.vmap(f.grad(cube)),
        lambda f: f.jacrev(f.jacrev(lambda x: x.sin() * x.sum())),
        lambda f: f.vmap(f.jacrev(lambda x: x.exp() * x[0])),
        lambda f: f.vmap(f.hessian(cube)),
        lambda f: f.jacrev(f.vmap(f.grad(cube))),
        lambda f: f.grad(lambda x: f.vmap(cube)(x).sum()),
    ]
    inputs = [arr(), X, xb, X, xb, xb, xb, xb]
    for case, x in zip(cases, inputs, strict=True):
        ours = case(gfunc)(lift(autograd, x))
        close(ours, case(tfunc)(lift(torch, x)))
        no_graph(ours)
    # an inner transform of a constant, differentiated through what it closes over
    c = arr(4)

    def closure(f, lib):
        return f.grad(lambda y: f.grad(lambda x: (x * y).sin().sum())(lift(lib, c)).sum())

    close(closure(gfunc, autograd)(lift(autograd, X)), closure(tfunc, torch)(lift(torch, X)))
    with autograd.no_grad():  # the transforms differentiate all the same, as torch's
        ours = gfunc.vjp(gfunc.grad(cube), lift(autograd, X))[1](lift(autograd, X))
    with torch.no_grad():
        close(ours, tfunc.vjp(tfunc.grad(cube), lift(torch, X))[1](lift(torch, X)))
    ours = gfunc.jvp(gfunc.grad(cube), (lift(autograd, X),), (lift(autograd, X[::-1]),))
    theirs = tfunc.jvp(tfunc.grad(cube), (lift(torch, X),), (lift(torch, X[::-1].copy()),))
    close(ours, theirs)
    no_graph(ours)


def test_grad_leaves_dot_grad_alone_and_follows_the_users_graph() -> None:
    x = autograd.tensor(X, dtype=autograd.float64, requires_grad=True)
    tx = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    x.grad = autograd.ones(4, dtype=autograd.float64)
    g = gfunc.grad(cube)(x * 1.0)
    tg = tfunc.grad(cube)(tx * 1.0)
    close(g, tg)
    assert x.grad.tolist() == [1.0] * 4
    assert g.grad_fn is not None and tg.grad_fn is not None
    # differentiable with respect to the user's tensor, as torch's
    (ours,) = autograd.grad(g.sum(), [x])
    (theirs,) = torch.autograd.grad(tg.sum(), [tx])
    close(ours, theirs)
    assert x.grad.tolist() == [1.0] * 4


def vmapped(lib: types.ModuleType, x: Any, y: Any, z: Any) -> Any:
    return {"s": x * y["a"] + z, "t": (x.sum(), y["b"][0] * 2)}


Y_LIST = {"a": arr(3, 3), "b": [arr(3, 3)]}
Y_TUPLE = {"a": arr(3, 3), "b": (arr(3, 3),)}


@pytest.mark.parametrize(
    ("y", "in_dims", "out_dims"),
    [
        (Y_LIST, (0, {"a": 1, "b": [0]}, None), 0),
        (Y_LIST, (-1, {"a": -1, "b": [None]}, None), {"s": 1, "t": (0, None)}),
        (Y_TUPLE, (0, 0, None), {"s": -1, "t": (0, 0)}),
        (Y_TUPLE, (1, {"a": 0, "b": (1,)}, None), 0),
        (Y_TUPLE, (1, {"a": 0, "b": None}, None), {"s": 0, "t": (-1, None)}),
    ],
)
def test_vmap_in_dims_and_out_dims_as_torch(y: Any, in_dims: Any, out_dims: Any) -> None:
    x, z = arr(3, 3), arr(3)
    ours = gfunc.vmap(partial(vmapped, autograd), in_dims, out_dims)(*lift(autograd, (x, y, z)))
    theirs = tfunc.vmap(partial(vmapped, torch), in_dims, out_dims)(*lift(torch, (x, y, z)))
    close(ours, theirs)


def test_func_is_reached_as_torch_func_and_vmap_as_torch_vmap() -> None:
    assert autograd.func is gfunc and autograd.vmap is gfunc.vmap
    x = arr(2, 3)
    close(autograd.vmap(autograd.sum)(lift(autograd, x)), torch.vmap(torch.sum)(lift(torch, x)))


def test_vmap_keyword_arguments_non_tensors_and_chunk_size_as_torch() -> None:
    def f(x, scale, *, shift):
        return x * scale + shift

    x = arr(5, 2)
    ours = gfunc.vmap(f, (0, None), chunk_size=2)(lift(autograd, x), 3.0, shift=1.0)
    theirs = tfunc.vmap(f, (0, None), chunk_size=2)(lift(torch, x), 3.0, shift=1.0)
    close(ours, theirs)
    nested = gfunc.vmap(gfunc.vmap(lambda a, b: a * b), (0, None))
    tnested = tfunc.vmap(tfunc.vmap(lambda a, b: a * b), (0, None))
    a, b = arr(2, 3), arr(3)
    close(nested(*lift(autograd, (a, b))), tnested(*lift(torch, (a, b))))


def error_of(call: Any) -> tuple[type, str]:
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


def both_errors(make: Any, args: tuple[Any, ...]) -> None:
    """The same exception and message (up to how torch prints a pytree's structure)."""
    ours = error_of(lambda: make(gfunc)(*lift(autograd, args)))
    theirs = error_of(lambda: make(tfunc)(*lift(torch, args)))
    assert ours[0] is theirs[0]
    assert ours[1].partition("has structure")[0] == theirs[1].partition("has structure")[0]


def add(x, y):
    return x + y


def test_errors_as_torch() -> None:
    x = arr(3)
    both_errors(lambda f: f.vmap(add), (arr(3), arr(4)))
    both_errors(lambda f: f.vmap(add, (0, 2)), (arr(3, 2), arr(3, 2)))
    both_errors(lambda f: f.vmap(add, (0, None, 0)), (arr(3), arr(3)))
    both_errors(lambda f: f.vmap(add, (None, None)), (arr(3), arr(3)))
    both_errors(lambda f: f.vmap(lambda x: 1.0), (x,))
    both_errors(lambda f: f.vmap(lambda x: x * 2, out_dims=None), (x,))
    both_errors(lambda f: f.grad(lambda x: x * 2), (x,))
    both_errors(lambda f: f.grad(lambda x: 2.0), (x,))
    both_errors(lambda f: f.grad(lambda x: x.sum(), argnums=1), (x,))
    both_errors(lambda f: f.grad(lambda x, y: x.sum(), argnums=(0, 0)), (x, x))
    both_errors(lambda f: f.grad(lambda x: x.sum(), argnums=()), (x,))
    both_errors(lambda f: f.grad(lambda x: x.sum(), has_aux=True), (x,))
    both_errors(lambda f: f.vjp(lambda x: x.sum(), x, has_aux=True)[0], (x,))
    both_errors(lambda f: f.vmap(add, in_dims=[0, 0]), (x, x))
    both_errors(lambda f: f.vmap(add, in_dims=(0.5, 0)), (x, x))
    both_errors(lambda f: f.vmap(add, out_dims=(0.5,)), (x, x))
    both_errors(lambda f: f.jacrev(lambda x: x.sum(), has_aux=True), (x,))
    both_errors(lambda f: f.jacfwd(lambda x: x.sum(), has_aux=True), (x,))
    both_errors(lambda f: f.jacrev(lambda x: 1.0), (x,))
    both_errors(lambda f: lambda x: f.jvp(lambda x: 1.0, (x,), (x,)), (x,))
    both_errors(lambda f: lambda x: f.jvp(lambda x: x, (x,), (x[:2],)), (x,))
    both_errors(lambda f: lambda x: f.vjp(lambda x: x * 2, x)[1]((x,)), (x,))
    both_errors(lambda f: lambda x: f.grad(lambda x: x.sum())(1.0), (x,))
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        gfunc.jvp(cube, lift(autograd, x), lift(autograd, x))
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        gfunc.vmap(cube, randomness="sometimes")


def test_vmap_randomness() -> None:
    x = autograd.zeros(4, 3)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        gfunc.vmap(lambda r: r + autograd.rand(3))(x)
    same = gfunc.vmap(lambda r: r + autograd.rand(3), randomness="same")(x)
    assert np.all(same.numpy() == same.numpy()[0])
    different = gfunc.vmap(lambda r: r + autograd.rand(3), randomness="different")(x)
    assert len({tuple(row) for row in different.numpy().tolist()}) == 4


def mlp_class(lib: types.ModuleType) -> type:
    class SimpleMLP(lib.nn.Module):
        def __init__(self, sizes: tuple[int, ...]) -> None:
            super().__init__()
            self.fc1 = lib.nn.Linear(sizes[0], sizes[1])
            self.fc2 = lib.nn.Linear(sizes[1], sizes[2])

        def forward(self, x):
            return self.fc2(lib.nn.functional.relu(self.fc1(x)))

    return SimpleMLP


MLPS = {"autograd": mlp_class(autograd), "torch": mlp_class(torch)}


def mlp(lib: types.ModuleType, sizes: tuple[int, ...] = (5, 7, 3)) -> Any:
    return MLPS[lib.__name__](sizes)


def twin_mlps(sizes: tuple[int, ...] = (5, 7, 3)) -> tuple[Any, Any]:
    theirs = mlp(torch, sizes).double()
    ours = mlp(autograd, sizes).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def test_functional_call_as_torch() -> None:
    ours, theirs = twin_mlps()
    new = {"fc1.weight": arr(7, 5), "fc2.bias": arr(3)}
    x = arr(2, 5)
    close(
        gfunc.functional_call(ours, lift(autograd, new), lift(autograd, x)),
        tfunc.functional_call(theirs, lift(torch, new), lift(torch, x)),
    )
    before = ours.fc1.weight
    split = ({"fc1.weight": new["fc1.weight"]}, {"fc2.bias": new["fc2.bias"]})
    close(
        gfunc.functional_call(ours, lift(autograd, split), (lift(autograd, x),)),
        tfunc.functional_call(theirs, lift(torch, split), (lift(torch, x),)),
    )
    close(
        nn.utils.stateless.functional_call(ours, lift(autograd, new), (lift(autograd, x),)),
        torch.nn.utils.stateless.functional_call(theirs, lift(torch, new), (lift(torch, x),)),
    )
    assert ours.fc1.weight is before and isinstance(before, nn.Parameter)
    assert [n for n, _ in ours.named_parameters()] == [
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    for module, lib in ((ours, autograd), (theirs, torch)):
        assert error_of(
            lambda m=module, lib=lib: lib.func.functional_call(
                m, lift(lib, {"fc1.weight": arr(7, 5), "nope": arr(1)}), lift(lib, x), strict=True
            )
        ) == error_of(
            lambda: tfunc.functional_call(
                theirs,
                lift(torch, {"fc1.weight": arr(7, 5), "nope": arr(1)}),
                lift(torch, x),
                strict=True,
            )
        )
    dup = ({"fc1.weight": arr(7, 5)}, {"fc1.weight": arr(7, 5)})
    assert error_of(
        lambda: gfunc.functional_call(ours, lift(autograd, dup), lift(autograd, x))
    ) == (error_of(lambda: tfunc.functional_call(theirs, lift(torch, dup), lift(torch, x))))


def test_functional_call_with_buffers_as_torch() -> None:
    """BatchNorm in training mode updates the buffers given in place, not the module's."""
    x = np.arange(12.0).reshape(4, 3) ** 1.5
    results = []
    for lib, f in ((autograd, gfunc), (torch, tfunc)):
        bn = lib.nn.BatchNorm1d(3).double()
        buffers = {k: v.detach().clone() for k, v in bn.named_buffers()}
        out = f.functional_call(bn, buffers, (lift(lib, x),))
        assert bn.running_mean.tolist() == [0.0] * 3
        results.append((out, buffers))
    close(*results)
    with pytest.raises(ValueError, match="chunk_size should be None or greater than 0"):
        gfunc.vmap(cube, chunk_size=0)
    with pytest.raises(ValueError, match="jacrev: `chunk_size` should be greater than 0"):
        gfunc.jacrev(cube, chunk_size=0)


def test_functional_call_ties_weights_as_torch() -> None:
    def tied(lib):
        class Tied(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.a = lib.nn.Linear(3, 3)
                self.b = lib.nn.Linear(3, 3)
                self.b.weight = self.a.weight

            def forward(self, x):
                return self.b(self.a(x))

        return Tied()

    theirs = tied(torch).double()
    ours = tied(autograd).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    w, x = arr(3, 3), arr(2, 3)
    for tie in (True, False):
        close(
            gfunc.functional_call(
                ours, {"a.weight": lift(autograd, w)}, lift(autograd, x), tie_weights=tie
            ),
            tfunc.functional_call(
                theirs, {"a.weight": lift(torch, w)}, lift(torch, x), tie_weights=tie
            ),
        )
    both = {"a.weight": w, "b.weight": arr(3, 3)}
    assert error_of(
        lambda: gfunc.functional_call(ours, lift(autograd, both), lift(autograd, x))
    ) == (error_of(lambda: tfunc.functional_call(theirs, lift(torch, both), lift(torch, x))))


def test_stack_module_state_as_torch() -> None:
    pairs = [twin_mlps() for _ in range(3)]
    params, buffers = gfunc.stack_module_state([o for o, _ in pairs])
    tparams, tbuffers = tfunc.stack_module_state([t for _, t in pairs])
    close(params, tparams)
    assert buffers == tbuffers == {}
    assert all(p.requires_grad and p.grad_fn is None for p in params.values())
    assert error_of(lambda: gfunc.stack_module_state([])) == error_of(
        lambda: tfunc.stack_module_state([])
    )


# ---------------------------------------------------------------- the tutorials


def test_tutorial_per_sample_grads() -> None:
    """torch's "Per-sample-gradients" tutorial (an MLP in place of its conv net)."""
    ours, theirs = twin_mlps((6, 8, 4))
    data, targets = arr(5, 6), RNG.integers(0, 4, 5)

    def run(torch: Any, F: Any, model: Any) -> Any:
        from functools import partial  # noqa: F401

        functional_call, vmap, grad = torch.func.functional_call, torch.func.vmap, torch.func.grad

        def loss_fn(predictions, targets):
            return F.nll_loss(F.log_softmax(predictions, dim=-1), targets)

        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def compute_loss(params, buffers, sample, target):
            batch = sample.unsqueeze(0)
            targets = target.unsqueeze(0)
            predictions = functional_call(model, (params, buffers), (batch,))
            return loss_fn(predictions, targets)

        ft_compute_grad = grad(compute_loss)
        ft_compute_sample_grad = vmap(ft_compute_grad, in_dims=(None, None, 0, 0))
        x, y = torch.tensor(data), torch.tensor(targets)
        return ft_compute_sample_grad(params, buffers, x, y)

    result = run(autograd, autograd.nn.functional, ours)
    close(result, run(torch, torch.nn.functional, theirs))
    no_graph(result)
    assert all(p.grad is None for p in ours.parameters())


def test_tutorial_jacobians_hessians() -> None:
    """torch's "Jacobians, Hessians, hvp, vhp, and more" tutorial (smaller sizes)."""

    def run(torch: Any, D: int = 5, batch_size: int = 3, Din: int = 4, Dout: int = 5) -> list:
        F = torch.nn.functional
        vjp, jacrev, jacfwd = torch.func.vjp, torch.func.jacrev, torch.func.jacfwd
        vmap, hessian, jvp, grad = (
            torch.func.vmap,
            torch.func.hessian,
            torch.func.jvp,
            torch.func.grad,
        )

        def predict(weight, bias, x):
            return F.linear(x, weight, bias).tanh()

        rng = np.random.default_rng(1)
        weight = torch.tensor(rng.standard_normal((D, D)))
        bias = torch.tensor(rng.standard_normal(D))
        x = torch.tensor(rng.standard_normal(D))
        out = []
        _, vjp_fn = vjp(partial(predict, weight, bias), x)
        unit_vectors = torch.eye(D, dtype=torch.float64)
        (ft_jacobian,) = vmap(vjp_fn)(unit_vectors)
        out.append(ft_jacobian)
        out.append(jacrev(predict, argnums=2)(weight, bias, x))
        out.extend(jacrev(predict, argnums=(0, 1))(weight, bias, x))
        out.append(jacfwd(predict, argnums=2)(weight, bias, x))
        out.append(hessian(predict, argnums=2)(weight, bias, x))
        out.append(jacfwd(jacfwd(predict, argnums=2), argnums=2)(weight, bias, x))
        out.append(jacrev(jacrev(predict, argnums=2), argnums=2)(weight, bias, x))
        weight = torch.tensor(rng.standard_normal((Dout, Din)))
        bias = torch.tensor(rng.standard_normal(Dout))
        x = torch.tensor(rng.standard_normal((batch_size, Din)))
        compute_batch_jacobian = vmap(jacrev(predict, argnums=2), in_dims=(None, None, 0))
        out.append(compute_batch_jacobian(weight, bias, x))

        def predict_with_output_summed(weight, bias, x):
            return predict(weight, bias, x).sum(0)

        out.append(jacrev(predict_with_output_summed, argnums=2)(weight, bias, x).movedim(1, 0))
        out.append(vmap(hessian(predict, argnums=2), in_dims=(None, None, 0))(weight, bias, x))

        def hvp(f, primals, tangents):
            return jvp(grad(f), primals, tangents)[1]

        def f(x):
            return x.sin().sum()

        x, tangent = torch.tensor(rng.standard_normal(8)), torch.tensor(rng.standard_normal(8))
        out.append(hvp(f, (x,), (tangent,)))
        return out

    ours = run(autograd)
    close(ours, run(torch))
    no_graph(ours)


def test_tutorial_neural_tangent_kernels() -> None:
    """torch's "Neural Tangent Kernels" tutorial (an MLP of Linear and ReLU in place
    of its conv net): both ways of computing the NTK, 'full', 'trace' and 'diagonal'."""
    ours, theirs = twin_mlps((4, 6, 3))
    x_train, x_test = arr(3, 4), arr(2, 4)

    def run(torch: Any, net: Any) -> list:
        functional_call, vmap, vjp, jvp, jacrev = (
            torch.func.functional_call,
            torch.func.vmap,
            torch.func.vjp,
            torch.func.jvp,
            torch.func.jacrev,
        )
        params = {k: v.detach() for k, v in net.named_parameters()}

        def fnet_single(params, x):
            return functional_call(net, params, (x.unsqueeze(0),)).squeeze(0)

        def empirical_ntk_jacobian_contraction(fnet_single, params, x1, x2, compute="full"):
            jac1 = vmap(jacrev(fnet_single), (None, 0))(params, x1)
            jac1 = jac1.values()
            jac1 = [j.flatten(2) for j in jac1]
            jac2 = vmap(jacrev(fnet_single), (None, 0))(params, x2)
            jac2 = jac2.values()
            jac2 = [j.flatten(2) for j in jac2]
            einsum_expr = None
            if compute == "full":
                einsum_expr = "Naf,Mbf->NMab"
            elif compute == "trace":
                einsum_expr = "Naf,Maf->NM"
            elif compute == "diagonal":
                einsum_expr = "Naf,Maf->NMa"
            result = torch.stack(
                [torch.einsum(einsum_expr, j1, j2) for j1, j2 in zip(jac1, jac2, strict=True)]
            )
            return result.sum(0)

        def empirical_ntk_ntk_vps(func, params, x1, x2, compute="full"):
            def get_ntk(x1, x2):
                def func_x1(params):
                    return func(params, x1)

                def func_x2(params):
                    return func(params, x2)

                output, vjp_fn = vjp(func_x1, params)

                def get_ntk_slice(vec):
                    vjps = vjp_fn(vec)
                    _, jvps = jvp(func_x2, (params,), vjps)
                    return jvps

                basis = torch.eye(output.numel(), dtype=output.dtype).view(output.numel(), -1)
                return vmap(get_ntk_slice)(basis)

            result = vmap(vmap(get_ntk, (None, 0)), (0, None))(x1, x2)
            if compute == "full":
                return result
            if compute == "trace":
                return torch.einsum("NMKK->NM", result)
            if compute == "diagonal":
                return torch.einsum("NMKK->NMK", result)

        x1, x2 = torch.tensor(x_train), torch.tensor(x_test)
        out = [
            empirical_ntk_jacobian_contraction(fnet_single, params, x1, x2, c)
            for c in ("full", "trace", "diagonal")
        ]
        out.extend(
            empirical_ntk_ntk_vps(fnet_single, params, x1, x2, c)
            for c in ("full", "trace", "diagonal")
        )
        return out

    result = run(autograd, ours)
    close(result, run(torch, theirs))
    for a, b in zip(result[3:], result[:3], strict=True):  # the two ways agree
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)
    no_graph(result)


def test_tutorial_model_ensembling() -> None:
    """torch's "Model ensembling" tutorial; the copy of the model is not moved to the
    'meta' device (this library has none): ``base_model = copy.deepcopy(models[0])``."""
    pairs = [twin_mlps((6, 8, 4)) for _ in range(3)]
    data = arr(3, 5, 6)

    def run(torch: Any, models: list) -> list:
        functional_call = torch.func.functional_call
        stack_module_state, vmap = torch.func.stack_module_state, torch.func.vmap
        minibatches = torch.tensor(data)
        minibatch = minibatches[0]
        predictions_diff_minibatch_loop = [
            model(mb) for model, mb in zip(models, minibatches, strict=True)
        ]
        predictions2 = [model(minibatch) for model in models]
        params, buffers = stack_module_state(models)
        base_model = copy.deepcopy(models[0])
        if torch is not autograd:
            base_model = base_model.to("meta")

        def fmodel(params, buffers, x):
            return functional_call(base_model, (params, buffers), (x,))

        predictions1_vmap = vmap(fmodel)(params, buffers, minibatches)
        predictions2_vmap = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, minibatch)
        for loop, mapped in (
            (predictions_diff_minibatch_loop, predictions1_vmap),
            (predictions2, predictions2_vmap),
        ):
            np.testing.assert_allclose(
                torch.stack(loop).detach().numpy(), mapped.detach().numpy(), atol=1e-12
            )
        return [predictions1_vmap, predictions2_vmap]

    with pytest.raises(RuntimeError, match="device 'meta' is not available"):
        copy.deepcopy(pairs[0][0]).to("meta")
    results = [run(autograd, [o for o, _ in pairs]), run(torch, [t for _, t in pairs])]
    close(results[0], results[1])
    assert results[0][0].requires_grad  # as torch's: the stacked params require grad


def _simple_cnn(torch: Any) -> Any:
    """The per-sample-gradients tutorial's model, as written there."""
    nn, F = torch.nn, torch.nn.functional

    class SimpleCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    return SimpleCNN()


def test_tutorial_per_sample_grads_of_its_cnn() -> None:
    """The tutorial's own conv net: per-sample gradients by vmap(grad(...)) equal torch's
    and equal one backward per sample (the tutorial's check)."""
    theirs = _simple_cnn(torch).double()
    ours = _simple_cnn(autograd).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    data, targets = RNG.standard_normal((3, 1, 28, 28)), RNG.integers(0, 10, 3)

    def per_sample(lib: Any, model: Any) -> Any:
        F = lib.nn.functional
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def compute_loss(params, buffers, sample, target):
            batch, target_batch = sample.unsqueeze(0), target.unsqueeze(0)
            predictions = lib.func.functional_call(model, (params, buffers), (batch,))
            return F.nll_loss(predictions, target_batch)

        fn = lib.func.vmap(lib.func.grad(compute_loss), in_dims=(None, None, 0, 0))
        return fn(params, buffers, lib.tensor(data), lib.tensor(targets))

    result = per_sample(autograd, ours)
    close(result, per_sample(torch, theirs), atol=1e-9)
    no_graph(result)
    # the tutorial's check: the same as a backward of each sample alone
    for i in range(len(data)):
        ours.zero_grad()
        x = autograd.tensor(data[i : i + 1])
        autograd.nn.functional.nll_loss(ours(x), autograd.tensor(targets[i : i + 1])).backward()
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(result[name].numpy()[i], p.grad.numpy(), atol=1e-10)
