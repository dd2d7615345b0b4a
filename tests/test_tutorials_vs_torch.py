"""Snippets of PyTorch's tutorials and docs, run twice: with torch and with
``import autograd as torch`` (its `nn` and `optim` are gradwork's), seeded alike, in
float64. Each snippet is the documented code with only the data made small; what it
prints (values, reprs, the errors it shows) must be the same.

Covered: "A Gentle Introduction to torch.autograd" and "Autograd mechanics" (backward
with a gradient, hooks, `retain_grad`, accumulation, `torch.autograd.grad` and
`backward` with their options), "Build the Neural Network" (the model's repr, the
softmax, `named_parameters`), "Saving and Loading Models" (`torch.save` /
`torch.load`, strict and non-strict loads, a checkpoint resumed), "How to adjust
learning rate" (the per-batch `CosineAnnealingWarmRestarts` loop) with gradient
clipping.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


def values(out: dict[str, Any]) -> dict[str, Any]:
    """Tensors as ndarrays (copies), everything else as it is."""
    return {k: np.array(v.detach().numpy()) if hasattr(v, "detach") else v for k, v in out.items()}


def assert_same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours.keys() == theirs.keys()
    for k in theirs:
        if isinstance(theirs[k], np.ndarray):
            np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-13, atol=1e-15, err_msg=k)
        elif isinstance(theirs[k], float):
            assert ours[k] == pytest.approx(theirs[k], rel=1e-13), k
        else:
            assert ours[k] == theirs[k], k


def autograd_tutorial(lib: types.ModuleType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    a = lib.tensor([2.0, 3.0], requires_grad=True, dtype=lib.float64)
    b = lib.tensor([6.0, 4.0], requires_grad=True, dtype=lib.float64)
    Q = 3 * a**3 - b**2
    Q.backward(gradient=lib.tensor([1.0, 1.0], dtype=lib.float64))
    out["a.grad"], out["b.grad"] = a.grad, b.grad
    v = lib.tensor([0.0, 0.0, 0.0], requires_grad=True, dtype=lib.float64)
    h = v.register_hook(lambda grad: grad * 2)
    v.backward(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
    out["hooked"] = v.grad.clone()
    h.remove()
    v.backward(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
    out["unhooked"] = v.grad
    x = lib.tensor([1.0, 2.0], requires_grad=True, dtype=lib.float64)
    w = lib.tensor([3.0, 4.0], requires_grad=True, dtype=lib.float64)
    y = x * w
    y.retain_grad()
    out["retains"] = (y.retains_grad, x.retains_grad)
    z = (y**2).sum()
    z.backward(inputs=[x], retain_graph=True)  # only x gets .grad
    out["inputs_x"], out["inputs_w"], out["inputs_y"] = x.grad, w.grad is None, y.grad is None
    lib.autograd.backward([z, y], [None, lib.ones(2, dtype=lib.float64)], retain_graph=True)
    out["two_roots_x"], out["two_roots_w"], out["retained_y"] = x.grad, w.grad, y.grad.clone()
    (g,) = lib.autograd.grad(y, x, grad_outputs=lib.ones_like(y), retain_graph=True)
    (gz,) = lib.autograd.grad(z, x, create_graph=True)
    gg = lib.autograd.grad((gz * gz).sum(), [x, w], retain_graph=True)
    out["grad_outputs"], out["first"], (out["second_x"], out["second_w"]) = g, gz, gg
    out["retained_by_grad"] = y.grad.clone()  # retain_grad() keeps what grad() passes through y
    u = lib.tensor([5.0], requires_grad=True, dtype=lib.float64)
    gx, gu = lib.autograd.grad(z, [x, u], retain_graph=True, allow_unused=True)
    out["used"], out["unused"] = gx, gu is None
    gx, gu = lib.autograd.grad(z, [x, u], materialize_grads=True)
    out["materialized"] = lib.cat([gx, gu])
    e = lib.tensor([-0.5, 0.0, 0.5], requires_grad=True, dtype=lib.float64)
    (de,) = lib.autograd.grad(lib.nn.functional.elu(e).sum(), e, create_graph=True)
    out["elu'"], out["elu''"] = de, lib.autograd.grad(de.sum(), e)[0]
    with lib.no_grad():
        out["no_grad"] = (x * 2).requires_grad
    lib.set_grad_enabled(False)
    out["off"] = (x * 2).requires_grad
    lib.set_grad_enabled(True)
    out["on"] = (x * 2).requires_grad
    return values(out)


def test_the_autograd_tutorials_give_the_same_numbers():
    assert_same(autograd_tutorial(autograd), autograd_tutorial(torch))


def build_the_network(lib: types.ModuleType) -> dict[str, Any]:
    nn = lib.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(6 * 6, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4)
            )

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    lib.manual_seed(0)
    model = NeuralNetwork().double()
    out: dict[str, Any] = {"model": repr(model)}
    logits = model(lib.rand(3, 6, 6, dtype=lib.float64))
    pred_probab = nn.Softmax(dim=1)(logits)
    out["logits"], out["probab"], out["pred"] = logits, pred_probab, pred_probab.argmax(1)
    out["softmax"] = repr(nn.Softmax(dim=1))
    for name, param in model.named_parameters():
        out[f"Layer: {name} | Size: {tuple(param.size())}"] = param[:2]
    out["loss_fn"] = repr(nn.CrossEntropyLoss(label_smoothing=0.1))
    opt = lib.optim.SGD(
        [{"params": model.linear_relu_stack[0].parameters()}, {"params": [], "lr": 0.5}],
        lr=1e-3,
    )
    out["optimizer"] = repr(opt)
    return values(out)


def test_build_the_neural_network_prints_the_same():
    assert_same(build_the_network(autograd), build_the_network(torch))


def saving_and_loading(lib: types.ModuleType, folder: Path) -> dict[str, Any]:
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    optimizer = lib.optim.Adam(model.parameters(), lr=0.01)
    x = lib.rand(5, 3, dtype=lib.float64)

    def train(model, optimizer, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            loss = (model(x) ** 2).mean()
            loss.backward()
            optimizer.step()
        return loss.item()

    out: dict[str, Any] = {"loss": train(model, optimizer, 3)}
    lib.save(model.state_dict(), folder / "model_weights.pth")
    lib.save(
        {
            "epoch": 3,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": out["loss"],
        },
        folder / "checkpoint.tar",
    )
    lib.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    out["matched"] = repr(
        fresh.load_state_dict(lib.load(folder / "model_weights.pth", weights_only=True))
    )
    out["loaded"] = fresh.eval()(x)
    partial = {k: v for k, v in model.state_dict().items() if k != "2.bias"}
    result = fresh.load_state_dict({**partial, "head.weight": x}, strict=False)
    out["non_strict"] = (list(result.missing_keys), list(result.unexpected_keys))
    for name, state in [("missing", partial), ("shape", {**partial, "2.bias": x})]:
        try:
            fresh.load_state_dict(state)
        except RuntimeError as err:
            out[name] = type(err).__mro__[1:]  # the type shown: RuntimeError first
    lib.manual_seed(1)
    resumed = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    resumed_opt = lib.optim.Adam(resumed.parameters(), lr=0.5)
    checkpoint = lib.load(folder / "checkpoint.tar", weights_only=True)
    resumed.load_state_dict(checkpoint["model_state_dict"])
    resumed_opt.load_state_dict(checkpoint["optimizer_state_dict"])
    out["epoch"], out["saved_loss"] = checkpoint["epoch"], checkpoint["loss"]
    out["continued"] = train(model, optimizer, 4)
    out["resumed"] = train(resumed, resumed_opt, 4)
    return values(out)


def test_saving_and_loading_models_gives_the_same_numbers(tmp_path):
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours = saving_and_loading(autograd, tmp_path / "ours")
    theirs = saving_and_loading(torch, tmp_path / "theirs")
    assert ours.pop("missing")[0] is RuntimeError and theirs.pop("missing")[0] is Exception
    assert ours.pop("shape")[0] is RuntimeError and theirs.pop("shape")[0] is Exception
    assert_same(ours, theirs)
    assert ours["continued"] == pytest.approx(ours["resumed"], rel=1e-13)


def adjust_learning_rate(lib: types.ModuleType) -> dict[str, Any]:
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Linear(4, 1).double()
    x, target = lib.rand(8, 4, dtype=lib.float64), lib.rand(8, 1, dtype=lib.float64)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=2)
    iters = 4
    lrs, norms = [], []
    for epoch in range(7):
        for i in range(iters):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x[2 * i : 2 * i + 2]), target[2 * i : 2 * i + 2])
            loss.backward()
            norms.append(nn.utils.clip_grad_norm_(model.parameters(), 0.05, norm_type="inf"))
            optimizer.step()
            scheduler.step(epoch + i / iters)
            lrs.append(scheduler.get_last_lr()[0])
    return values({"lrs": np.array(lrs), "norms": lib.stack(norms), "weight": model.weight})


def test_adjusting_the_learning_rate_per_batch_gives_the_same_numbers():
    assert_same(adjust_learning_rate(autograd), adjust_learning_rate(torch))


def fine_tuning(lib: types.ModuleType) -> dict[str, Any]:
    """ "Exclusion from the DAG": freeze a network, give it a new head, pass every
    parameter to the optimizer; then unfreeze the body with `requires_grad_`."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).double()
    for param in model.parameters():
        param.requires_grad = False
    model[-1] = nn.Linear(8, 2).double()
    optimizer = lib.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    x = lib.rand(5, 4, dtype=lib.float64)
    out: dict[str, Any] = {"frozen": [p.requires_grad for p in model.parameters()]}
    for step in range(6):
        if step == 3:
            out["returned"] = model[0].requires_grad_() is model[0]
        optimizer.zero_grad()
        model(x).pow(2).sum().backward()
        optimizer.step()
        out[f"body {step}"] = model[0].weight.clone()
        out[f"head {step}"] = model[2].weight.clone()
    out["body grad"] = model[0].weight.grad
    for bad in (3, -4):
        try:
            model[bad] = nn.ReLU()
        except IndexError:
            out[f"model[{bad}]"] = "IndexError"
    return values(out)


def test_fine_tuning_a_frozen_network_gives_the_same_numbers():
    ours, theirs = fine_tuning(autograd), fine_tuning(torch)
    assert_same(ours, theirs)
    assert ours["frozen"] == [False, False, True, True]


def optimizer_in_backward(lib: types.ModuleType) -> dict[str, Any]:
    """The optimizer step fused into backward (a post-accumulate-grad hook per
    parameter), against the usual loop; a removed hook no longer runs."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)).double()
    x = lib.rand(4, 3, dtype=lib.float64)
    optimizer_dict = {p: lib.optim.Adam([p], lr=0.05) for p in model.parameters()}
    order: list[tuple[int, ...]] = []

    def optimizer_hook(parameter) -> None:
        order.append(tuple(parameter.shape))
        optimizer_dict[parameter].step()
        optimizer_dict[parameter].zero_grad()

    handles = [p.register_post_accumulate_grad_hook(optimizer_hook) for p in model.parameters()]
    out: dict[str, Any] = {}
    for step in range(4):
        model(x).pow(2).sum().backward()
        out[f"weight {step}"] = model[0].weight.clone()
    out["grads"] = [p.grad is None for p in model.parameters()]
    for handle in handles:
        handle.remove()
    model(x).pow(2).sum().backward()
    out["after remove"] = model[0].weight.clone()
    out["order"] = order
    return values(out)


def test_an_optimizer_step_fused_into_backward_gives_the_same_numbers():
    ours, theirs = optimizer_in_backward(autograd), optimizer_in_backward(torch)
    assert sorted(ours.pop("order")) == sorted(theirs.pop("order"))
    assert_same(ours, theirs)
