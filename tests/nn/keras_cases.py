"""Shared by the Keras comparison tests: a least-squares problem stepped by an
`nn.optimizers` optimizer and by Keras's optimizer of the same name."""

from __future__ import annotations

import os

import numpy as np

import nn
from autograd import Tensor

os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras 3 on JAX, the backend CI installs

#: (name, options) for both libraries; `lr`/`decay` are translated for Keras 3 below.
CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.9, "centered": True}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-3, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.05, "beta_1": 0.5, "global_clipnorm": 0.5}),
    ("AdamW", {"learning_rate": 0.05}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "clipvalue": 0.2}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-3}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.05, "beta_2": 0.9}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.05, "beta_1": 0.8}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "weight_decay": 0.5}),
    ("Lamb", {}),
    ("Lamb", {"learning_rate": 0.05, "beta_2": 0.9}),
    ("Ftrl", {}),
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01, "beta": 0.1}),
    ("Ftrl", {"learning_rate": 0.1, "l2_shrinkage_regularization_strength": 0.05}),
    ("Adafactor", {}),
    ("Adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.5, "clip_threshold": 0.5}),
    ("Adafactor", {"learning_rate": 0.05, "epsilon_2": 0.5, "relative_step": False}),
    ("Adafactor", {"learning_rate": 0.1, "epsilon_1": 1e-3, "weight_decay": 0.1}),
]


def case_id(case: tuple[str, dict]) -> str:
    name, options = case
    return name + "".join(f"-{k}={v}" for k, v in options.items())


def problem(seed: int = 0):
    """Float32 (W, b) and the gradient of 0.5 * mean ||x @ W + b - y||^2 at (W, b)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 4)).astype(np.float32)
    y = (x @ rng.normal(size=(4, 3)) + 0.1 * rng.normal(size=(16, 3))).astype(np.float32)
    params = [rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=3).astype(np.float32)]

    def grads(w, b):
        r = x @ w + b - y
        return [x.T @ r / len(x), r.mean(axis=0)]

    return params, grads


def trajectory_ours(name: str, options: dict, steps: int = 30) -> list[list[np.ndarray]]:
    start, grads = problem()
    params = [Tensor(p.copy(), requires_grad=True) for p in start]
    opt = getattr(nn.optimizers, name)(**options)
    opt.build(params)
    out = []
    for _ in range(steps):
        for p, g in zip(params, grads(*(p.data for p in params))):
            p.grad = Tensor(g)
        opt.step()
        out.append([p.data.copy() for p in params])
    return out


def keras_options(options: dict) -> dict:
    """Keras 3's spelling of Keras 2's `lr` and `decay` (an inverse-time schedule)."""
    import keras

    options = dict(options)
    lr = options.pop("lr", options.pop("learning_rate", None))
    decay = options.pop("decay", 0.0)
    if decay:
        lr = keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)
    return options if lr is None else {**options, "learning_rate": lr}


def trajectory_keras(name: str, options: dict, steps: int = 30) -> list[list[np.ndarray]]:
    import keras

    start, grads = problem()
    variables = [keras.Variable(p.copy()) for p in start]
    opt = getattr(keras.optimizers, name)(**keras_options(options))
    out = []
    for _ in range(steps):
        g = grads(*(v.numpy() for v in variables))
        opt.apply_gradients(zip(g, variables))
        out.append([np.array(v.numpy()) for v in variables])
    return out
