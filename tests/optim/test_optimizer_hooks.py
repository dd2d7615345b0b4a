"""Optimizer hooks (step, state_dict and load_state_dict pre- and post-hooks, and the
global step hooks), compared with torch.optim's."""

from __future__ import annotations

import importlib
import subprocess
import sys

import numpy as np
import pytest

import optim
import optim.optimizer
from autograd import Tensor

torch = pytest.importorskip("torch")
torch_optimizer = importlib.import_module("torch.optim.optimizer")


def tensor(lib, values):
    if lib is optim:
        return Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def grad(lib, values):
    return Tensor(np.array(values)) if lib is optim else torch.tensor(values, dtype=torch.float64)


def weights(p):
    return p.data.tolist() if isinstance(p, Tensor) else p.detach().tolist()


def step_hooks_log(lib, module):
    """Global and own step hooks, a pre-hook replacing the arguments, removals."""
    log = []
    p, q = tensor(lib, [1.0, 1.0]), tensor(lib, [1.0, 1.0])
    sgd, adam = lib.SGD([p], lr=0.1), lib.Adam([q], lr=0.1)
    handles = [
        module.register_optimizer_step_pre_hook(
            lambda opt, args, kwargs: log.append(
                ("global pre", type(opt).__name__, len(args), args[0] is opt, dict(kwargs))
            )
        ),
        module.register_optimizer_step_post_hook(
            lambda opt, args, kwargs: log.append(("global post", type(opt).__name__))
        ),
    ]
    try:
        handles.append(
            sgd.register_step_pre_hook(lambda opt, a, k: log.append(("pre", len(a), dict(k))))
        )
        handles.append(sgd.register_step_post_hook(lambda opt, a, k: log.append("post")))

        def closure():
            log.append("closure")
            return grad(lib, 3.0)

        def swap(opt, args, kwargs):
            log.append("swap")
            return (args[0],), {"closure": closure}

        swap_handle = sgd.register_step_pre_hook(swap)
        p.grad, q.grad = grad(lib, [1.0, 1.0]), grad(lib, [1.0, 1.0])
        log.append(("loss", float(sgd.step())))
        adam.step()
        swap_handle.remove()
        swap_handle.remove()  # twice: nothing more happens, as torch's
        sgd.step(closure=None)
    finally:
        for handle in handles:
            handle.remove()
    sgd.step()
    adam.step()
    log.append(("weights", weights(p), weights(q)))
    return log


def test_step_hooks_run_as_torchs():
    assert step_hooks_log(optim, optim.optimizer) == step_hooks_log(torch.optim, torch_optimizer)


def state_dict_hooks_log(lib):
    log = []
    opt = lib.SGD([tensor(lib, [1.0])], lr=0.1, momentum=0.9)
    opt.register_state_dict_pre_hook(lambda o: log.append("pre A"))
    opt.register_state_dict_pre_hook(lambda o: log.append("pre B"), prepend=True)

    def add_entry(o, state_dict):
        log.append(("post", sorted(state_dict)))
        return {**state_dict, "extra": 1}

    opt.register_state_dict_post_hook(add_entry)
    opt.register_state_dict_post_hook(lambda o, sd: log.append(("first", sorted(sd))), True)
    state_dict = opt.state_dict()
    log.append(("state_dict", sorted(state_dict)))

    def drop_entry(o, sd):
        log.append(("load pre", sorted(sd)))
        sd.pop("extra")  # on the shallow copy: the caller's dict keeps it

    opt.register_load_state_dict_pre_hook(drop_entry)
    opt.register_load_state_dict_pre_hook(
        lambda o, sd: {**sd, "param_groups": [{**sd["param_groups"][0], "lr": 0.5}]},
        prepend=True,
    )
    opt.register_load_state_dict_post_hook(
        lambda o: log.append(("loaded", o.param_groups[0]["lr"]))
    )
    handle = opt.register_load_state_dict_post_hook(lambda o: log.append("removed"))
    handle.remove()
    opt.load_state_dict(state_dict)
    log.append(("caller's dict", sorted(state_dict)))
    return log


def test_state_dict_hooks_run_as_torchs():
    assert state_dict_hooks_log(optim) == state_dict_hooks_log(torch.optim)


@pytest.mark.parametrize("lib", [optim, torch.optim], ids=["gradwork", "torch"])
def test_a_pre_hook_returning_something_else_raises_torchs_error(lib):
    opt = lib.SGD([tensor(lib, [1.0])], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: 5)
    with pytest.raises(
        RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\), but got 5"
    ):
        opt.step()


def test_hooks_of_lbfgs_see_its_closure():
    calls = []
    opt = optim.LBFGS([tensor(optim, [1.0, 2.0])], max_iter=2)
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append(len(args)))
    p = opt.param_groups[0]["params"][0]

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert calls == [2]


def test_a_global_hook_reaches_classes_defined_later_and_runs_once_through_super():
    class Traced(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    calls = []
    with optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(type(o))):

        class Later(optim.Adam):
            def step(self, closure=None):
                return super().step(closure)

        for cls in (Traced, Later, optim.RMSprop):
            cls([tensor(optim, [1.0])]).step()
    optim.SGD([tensor(optim, [1.0])]).step()  # removed by the with block
    assert calls == [Traced, Later, optim.RMSprop]


def test_hooks_must_be_callable():
    opt = optim.SGD([tensor(optim, [1.0])])
    with pytest.raises(TypeError, match="callable"):
        opt.register_step_pre_hook(5)
    with pytest.raises(TypeError, match="callable"):
        optim.optimizer.register_optimizer_step_post_hook("hook")


def test_step_is_not_wrapped_until_a_step_hook_is_registered():
    """No hook, no cost: `step` is the plain function until the first registration."""
    code = (
        "import numpy as np, optim; from autograd import Tensor\n"
        "opt = optim.SGD([Tensor(np.ones(2), requires_grad=True)])\n"
        "opt.register_state_dict_pre_hook(print)\n"
        "assert optim.SGD.step is optim.Optimizer.step and 'step' not in vars(optim.SGD)\n"
        "opt.register_step_post_hook(print)\n"
        "assert getattr(optim.SGD.step, 'hooked', False)\n"
        "assert not getattr(optim.Adam.step, 'hooked', False)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
