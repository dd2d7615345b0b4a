"""Resizing and transposed convolution, forward and backward, against PyTorch on one
thread: `F.interpolate` x2 (nearest, bilinear, bicubic, and a bilinear antialiased
shrink) of a (32, 16, 28, 28) float32 batch, and Keras's
`Conv2DTranspose(32, 3, strides=2, padding="same")` on (32, 14, 14, 32) against
`nn.ConvTranspose2d(32, 32, 3, stride=2)` cut to Keras's 28 x 28 (Keras's "same"
keeps the full output's first 28 positions; torch's padding=1 would drop the first).

Run: python benchmarks/bench_resize.py. It prints each case's median time in ms and
the ratio to torch's, and asserts that the outputs agree.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import nn
from autograd import Tensor

torch.set_num_threads(1)


def median_ms(step: Callable[[], Any], repeats: int = 7) -> float:
    step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def ours_and_torch(fn_ours: Callable, fn_torch: Callable, x: np.ndarray) -> tuple[float, float]:
    def ours() -> np.ndarray:
        xt = Tensor(x, requires_grad=True)
        y = fn_ours(xt)
        y.sum().backward()
        return y.data

    def theirs() -> np.ndarray:
        xt = torch.tensor(x, requires_grad=True)
        y = fn_torch(xt)
        y.sum().backward()
        return y.detach().numpy()

    np.testing.assert_allclose(ours(), theirs(), rtol=1e-4, atol=1e-4)
    return median_ms(ours), median_ms(theirs)


def main() -> None:
    x = np.random.default_rng(0).random((32, 16, 28, 28)).astype(np.float32)
    cases = [
        (f"interpolate {mode} x2", {"scale_factor": 2, "mode": mode})
        for mode in ("nearest", "bilinear", "bicubic")
    ] + [("interpolate bilinear antialias /2", {"size": 14, "mode": "bilinear", "antialias": True})]
    for name, kw in cases:
        ours, theirs = ours_and_torch(
            lambda t, kw=kw: nn.functional.interpolate(t, **kw),
            lambda t, kw=kw: torch.nn.functional.interpolate(t, **kw),
            x,
        )
        print(f"{name:36s} ours {ours:7.1f} ms  torch {theirs:7.1f} ms  ratio {ours / theirs:5.2f}")
    layer = nn.layers.Conv2DTranspose(32, 3, strides=2, padding="same")
    layer.build((None, 14, 14, 32))
    module = torch.nn.ConvTranspose2d(32, 32, 3, stride=2)
    with torch.no_grad():  # the same weights: Keras's (k, k, out, in) is torch's (in, out, k, k)
        module.weight.copy_(torch.tensor(layer.kernel.data.transpose(3, 2, 0, 1)))
        module.bias.zero_()
    xk = np.random.default_rng(1).random((32, 32, 14, 14)).astype(np.float32)
    ours, theirs = ours_and_torch(
        lambda t: layer(t.permute(0, 2, 3, 1)).permute(0, 3, 1, 2),
        lambda t: module(t)[:, :, :28, :28],
        xk,
    )
    name = "Conv2DTranspose(32, 3, strides=2)"
    print(f"{name:36s} ours {ours:7.1f} ms  torch {theirs:7.1f} ms  ratio {ours / theirs:5.2f}")


if __name__ == "__main__":
    main()
