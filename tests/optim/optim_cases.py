"""Shared test data: a small least-squares problem, the option combinations tested for
each optimizer, and reference update rules written from the published formulas.

The reference rules are plain functional numpy (new arrays every step, no in-place
updates) so that they share nothing with the code under test:
``rule(p, g, state, **options) -> (new_p, new_state)``.
"""

from __future__ import annotations

import math

import numpy as np

import optim
from autograd import Tensor


def least_squares(dtype=np.float64, seed=0):
    """Parameters (W, b) and a gradient function of 0.5 * mean ||x @ W + b - y||^2."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 4))
    y = x @ rng.normal(size=(4, 3)) + 0.1 * rng.normal(size=(16, 3))
    params = [rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)]

    def loss_and_grads(w, b):
        r = x @ w + b - y
        return 0.5 * np.mean(np.sum(r * r, axis=1)), [x.T @ r / len(x), r.mean(axis=0)]

    return params, loss_and_grads


def _grad(p, g, maximize=False, weight_decay=0.0):
    return (-g if maximize else g) + weight_decay * p


def _decayed(p, g, lr, weight_decay, maximize, decoupled):
    """(p, g) after weight decay: on the weights if decoupled, else in the gradient."""
    if decoupled:
        return p * (1 - lr * weight_decay), _grad(p, g, maximize)
    return p, _grad(p, g, maximize, weight_decay)


def ref_sgd(
    p, g, s, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False
):
    g = _grad(p, g, maximize, weight_decay)
    if momentum != 0:
        b = g if "b" not in s else momentum * s["b"] + (1 - dampening) * g
        s = {"b": b}
        g = g + momentum * b if nesterov else b
    return p - lr * g, s


def ref_momentum(p, g, s, lr, momentum=0.9, **options):
    return ref_sgd(p, g, s, lr, momentum=momentum, **options)


def ref_nag(p, g, s, lr, momentum=0.9, **options):
    return ref_sgd(p, g, s, lr, momentum=momentum, nesterov=True, **options)


def ref_adagrad(
    p,
    g,
    s,
    lr,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    maximize=False,
):
    t = s.get("t", 0) + 1
    g = _grad(p, g, maximize, weight_decay)
    acc = s.get("sum", np.full_like(p, initial_accumulator_value)) + g**2
    clr = lr / (1 + (t - 1) * lr_decay)
    return p - clr * g / (np.sqrt(acc) + eps), {"t": t, "sum": acc}


def ref_adadelta(p, g, s, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    g = _grad(p, g, maximize, weight_decay)
    v = rho * s.get("v", 0.0) + (1 - rho) * g**2
    u = s.get("u", np.zeros_like(p))
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = rho * u + (1 - rho) * delta**2
    return p - lr * delta, {"v": v, "u": u}


def ref_rmsprop(
    p,
    g,
    s,
    lr,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    maximize=False,
):
    g = _grad(p, g, maximize, weight_decay)
    v = alpha * s.get("v", 0.0) + (1 - alpha) * g**2
    a = alpha * s.get("a", 0.0) + (1 - alpha) * g
    d = (np.sqrt(v - a**2) if centered else np.sqrt(v)) + eps
    if momentum > 0:
        b = momentum * s.get("b", 0.0) + g / d
        return p - lr * b, {"v": v, "a": a, "b": b}
    return p - lr * g / d, {"v": v, "a": a}


def ref_adam(
    p,
    g,
    s,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled_weight_decay=False,
):
    beta1, beta2 = betas
    t = s.get("t", 0) + 1
    p, g = _decayed(p, g, lr, weight_decay, maximize, decoupled_weight_decay)
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * s.get("v", 0.0) + (1 - beta2) * g**2
    v_max = np.maximum(s.get("v_max", 0.0), v)
    m_hat = m / (1 - beta1**t)
    v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v, "v_max": v_max}


def ref_adamw(p, g, s, lr, weight_decay=1e-2, **options):
    return ref_adam(p, g, s, lr, weight_decay=weight_decay, decoupled_weight_decay=True, **options)


def ref_adamax(p, g, s, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    beta1, beta2 = betas
    t = s.get("t", 0) + 1
    g = _grad(p, g, maximize, weight_decay)
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    u = np.maximum(beta2 * s.get("u", 0.0), np.abs(g) + eps)
    return p - lr / (1 - beta1**t) * m / u, {"t": t, "m": m, "u": u}


def ref_nadam(
    p,
    g,
    s,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    momentum_decay=4e-3,
    maximize=False,
    decoupled_weight_decay=False,
):
    beta1, beta2 = betas
    t = s.get("t", 0) + 1
    p, g = _decayed(p, g, lr, weight_decay, maximize, decoupled_weight_decay)
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_prod = s.get("mu_prod", 1.0) * mu
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * s.get("v", 0.0) + (1 - beta2) * g**2
    d = np.sqrt(v / (1 - beta2**t)) + eps
    p = p - lr * (1 - mu) / (1 - mu_prod) * g / d - lr * mu_next / (1 - mu_prod * mu_next) * m / d
    return p, {"t": t, "m": m, "v": v, "mu_prod": mu_prod}


def ref_radam(
    p,
    g,
    s,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    maximize=False,
    decoupled_weight_decay=False,
):
    beta1, beta2 = betas
    t = s.get("t", 0) + 1
    p, g = _decayed(p, g, lr, weight_decay, maximize, decoupled_weight_decay)
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * s.get("v", 0.0) + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t > 5:
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        p = p - lr * m_hat * r * math.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
    else:
        p = p - lr * m_hat
    return p, {"t": t, "m": m, "v": v}


def ref_lion(p, g, s, lr, betas=(0.9, 0.99), weight_decay=0.0):
    beta1, beta2 = betas
    m = s.get("m", np.zeros_like(p))
    c = beta1 * m + (1 - beta1) * g
    p = p - lr * (np.sign(c) + weight_decay * p)
    return p, {"m": beta2 * m + (1 - beta2) * g}


def ref_rprop(p, g, s, lr, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    eta_minus, eta_plus = etas
    g = _grad(p, g, maximize)
    prev = s.get("prev", np.zeros_like(p))
    step = s.get("step", np.full_like(p, lr))
    sign = np.sign(g * prev)
    factor = np.where(sign > 0, eta_plus, np.where(sign < 0, eta_minus, 1.0))
    step = np.clip(step * factor, *step_sizes)
    g = np.where(sign < 0, 0.0, g)
    return p - np.sign(g) * step, {"prev": g, "step": step}


def ref_asgd(p, g, s, lr, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False):
    t = s.get("t", 0) + 1
    eta, mu = s.get("eta", lr), s.get("mu", 1.0)
    g = _grad(p, g, maximize, weight_decay)
    p = p * (1 - lambd * eta) - eta * g
    ax = p if mu == 1 else s["ax"] + mu * (p - s["ax"])
    eta, mu = lr / (1 + lambd * lr * t) ** alpha, 1 / max(1, t - t0)
    return p, {"t": t, "eta": eta, "mu": mu, "ax": ax}


def ref_adafactor(
    p, g, s, lr, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, maximize=False
):
    t = s.get("t", 0) + 1
    g = -g if maximize else g
    eps1 = np.finfo(p.dtype).eps if eps[0] is None else eps[0]
    beta2_hat = 1 - t**beta2_decay
    alpha = max(eps[1], np.sqrt(np.mean(p**2))) * min(lr, 1 / math.sqrt(t))
    p = p * (1 - lr * weight_decay)
    if p.ndim >= 2:
        r = beta2_hat * s.get("r", 0.0) + (1 - beta2_hat) * np.mean(g**2, axis=-1, keepdims=True)
        c = beta2_hat * s.get("c", 0.0) + (1 - beta2_hat) * np.mean(g**2, axis=-2, keepdims=True)
        v = r * c / np.maximum(np.mean(r, axis=-2, keepdims=True), eps1)
        moments = {"r": r, "c": c}
    else:
        v = beta2_hat * s.get("v", 0.0) + (1 - beta2_hat) * g**2
        moments = {"v": v}
    u = g / np.sqrt(np.maximum(v, eps1**2))
    p = p - alpha * u / max(1, np.sqrt(np.mean(u**2)) / d)
    return p, {"t": t, **moments}


#: Every optimizer class by name that steps without a closure: those `optim.get`
#: knows, and Rprop, ASGD and Adafactor (classes only). LBFGS has tests of its own.
CLASSES = {
    **optim.OPTIMIZERS,
    "rprop": optim.Rprop,
    "asgd": optim.ASGD,
    "adafactor": optim.Adafactor,
}

REFERENCE = {
    "sgd": ref_sgd,
    "momentum": ref_momentum,
    "nag": ref_nag,
    "adagrad": ref_adagrad,
    "adadelta": ref_adadelta,
    "rmsprop": ref_rmsprop,
    "adam": ref_adam,
    "adamw": ref_adamw,
    "adamax": ref_adamax,
    "nadam": ref_nadam,
    "radam": ref_radam,
    "lion": ref_lion,
    "rprop": ref_rprop,
    "asgd": ref_asgd,
    "adafactor": ref_adafactor,
}

# (optimizer name, options): every main option and a few combinations. lr is always
# given (SGD's default differs from torch's on purpose).
CASES = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.1, weight_decay=0.1)),
    ("sgd", dict(lr=0.05, momentum=0.9)),
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05)),
    ("sgd", dict(lr=0.1, maximize=True)),
    ("momentum", dict(lr=0.05)),
    ("nag", dict(lr=0.05)),
    ("adagrad", dict(lr=0.3)),
    ("adagrad", dict(lr=0.3, lr_decay=0.05, initial_accumulator_value=0.1)),
    ("adagrad", dict(lr=0.3, weight_decay=0.1, maximize=True)),
    ("adadelta", dict(lr=1.0)),
    ("adadelta", dict(lr=5.0, rho=0.95, eps=1e-4, weight_decay=0.1)),
    ("adadelta", dict(lr=1.0, maximize=True)),
    ("rmsprop", dict(lr=0.01)),
    ("rmsprop", dict(lr=0.01, centered=True)),
    ("rmsprop", dict(lr=0.005, momentum=0.9)),
    ("rmsprop", dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.1, alpha=0.9)),
    ("rmsprop", dict(lr=0.01, maximize=True)),
    ("adam", dict(lr=0.05)),
    ("adam", dict(lr=0.05, amsgrad=True)),
    ("adam", dict(lr=0.05, weight_decay=0.1, betas=(0.8, 0.99), eps=1e-6)),
    ("adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, amsgrad=True)),
    ("adam", dict(lr=0.05, maximize=True)),
    ("adamw", dict(lr=0.05)),
    ("adamw", dict(lr=0.05, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("adamax", dict(lr=0.05)),
    ("adamax", dict(lr=0.05, weight_decay=0.1, betas=(0.8, 0.99))),
    ("adamax", dict(lr=0.05, maximize=True)),
    ("nadam", dict(lr=0.05)),
    ("nadam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    ("nadam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("nadam", dict(lr=0.05, maximize=True)),
    ("radam", dict(lr=0.05)),
    ("radam", dict(lr=0.05, weight_decay=0.1, betas=(0.9, 0.99))),
    ("radam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("radam", dict(lr=0.05, maximize=True)),
    ("lion", dict(lr=0.01)),
    ("lion", dict(lr=0.01, weight_decay=0.5, betas=(0.95, 0.98))),
    ("rprop", dict(lr=0.01)),
    ("rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.5))),
    ("rprop", dict(lr=0.01, maximize=True)),
    ("asgd", dict(lr=0.05)),
    ("asgd", dict(lr=0.05, t0=10, lambd=1e-2, alpha=0.5)),
    ("asgd", dict(lr=0.05, t0=0, weight_decay=0.1, maximize=True)),
    ("adafactor", dict(lr=0.03)),  # larger steps end in a chaotic hop around the minimum
    ("adafactor", dict(lr=0.1, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0, weight_decay=0.05)),
    ("adafactor", dict(lr=0.1, eps=(0.5, 1e-3), maximize=True)),
]


def case_id(case):
    name, options = case
    return name + "".join(f"-{k}={v}" for k, v in options.items() if k != "lr")


def _sign(options):
    # With maximize, feed the gradient of -loss so the trajectory still converges.
    return -1.0 if options.get("maximize") else 1.0


def trajectory_optim(name, options, steps=100, dtype=np.float64):
    """Parameter values after each step, using `optim` and autograd Tensors."""
    arrays, loss_and_grads = least_squares(dtype)
    params = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = optim.get(CLASSES[name], params, **options)
    out = []
    for _ in range(steps):
        _, grads = loss_and_grads(*(p.data for p in params))
        for p, g in zip(params, grads):
            p.grad = Tensor(_sign(options) * g.astype(dtype))
        opt.step()
        out.append([p.data.copy() for p in params])
    return out


def trajectory_reference(name, options, steps=100):
    """Parameter values after each step, using the reference rule above."""
    params, loss_and_grads = least_squares()
    states = [{} for _ in params]
    out = []
    for _ in range(steps):
        _, grads = loss_and_grads(*params)
        new = [
            REFERENCE[name](p, _sign(options) * g, s, **options)
            for p, g, s in zip(params, grads, states)
        ]
        params, states = [p for p, _ in new], [s for _, s in new]
        out.append(params)
    return out


def trajectory_torch(name, options, steps=100, dtype="float64"):
    """Parameter values after each step, using torch.optim (which must be importable)."""
    import torch

    arrays, loss_and_grads = least_squares(np.dtype(dtype))
    params = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    options = dict(options)
    if name == "momentum":
        name, options = "sgd", {"momentum": 0.9, **options}
    elif name == "nag":
        name, options = "sgd", {"momentum": 0.9, "nesterov": True, **options}
    cls = {n.lower(): getattr(torch.optim, n) for n in dir(torch.optim)}[name]
    # torch keeps scalar state (e.g. NAdam's mu_product) in the default dtype.
    default_dtype = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, dtype))
    try:
        opt = cls(params, **options)
        out = []
        for _ in range(steps):
            _, grads = loss_and_grads(*(p.detach().numpy() for p in params))
            for p, g in zip(params, grads):
                p.grad = torch.from_numpy(_sign(options) * g.astype(dtype))
            opt.step()
            out.append([p.detach().numpy().copy() for p in params])
    finally:
        torch.set_default_dtype(default_dtype)
    return out
