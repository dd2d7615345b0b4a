"""The 60-minute blitz's CNN, one training step (batch 64, 1x32x32 float32 images,
conv 5x5 1->6, max pool 2, conv 5x5 6->16, max pool 2, 400-120-84-10, cross entropy,
SGD), against the same step written by hand in numpy with im2col (the floor: one
product per convolution and per sample's weight gradient, col2im by a loop over
kernel offsets, 2x2 pooling by the maxima of four strided corners) and against
PyTorch on one thread.

Run: python benchmarks/bench_conv.py. It prints each step's median time and its ratio
to the floor, and asserts nothing but the agreement of the first losses.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import itertools
import sys
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, str(Path(__file__).parent))
from bench_speed import Step, race, report

import autograd
import nn
import optim
from nn import functional as F

BATCH, LR = 64, 0.01


class Net(nn.Module):
    """The blitz's `Net`."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x: autograd.Tensor) -> autograd.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = autograd.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


# --- the floor: the same step by hand ----------------------------------------------------


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A valid, stride-1 convolution by im2col: the columns (N, C * k * k, H' * W') (one
    copy of the windows), then W (C_out, C * k * k) @ columns; also the columns."""
    n, c, h, w_ = x.shape
    k = w.shape[2]
    out = (h - k + 1, w_ - k + 1)
    view = sliding_window_view(x, (k, k), axis=(2, 3))  # (N, C, H', W', k, k)
    cols = view.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k * k, out[0] * out[1])
    z = w.reshape(len(w), -1) @ cols + b.reshape(-1, 1)
    return z.reshape(n, len(w), *out), cols


def conv_backward(dz: np.ndarray, cols: np.ndarray, w: np.ndarray, shape: tuple, need_dx: bool):
    """dW by one product per sample (summed), db by a sum, dx by col2im (a loop over
    kernel offsets)."""
    n, c_out, h, w_ = dz.shape
    g = dz.reshape(n, c_out, h * w_)
    dw = np.add.reduce(g @ cols.transpose(0, 2, 1), axis=0).reshape(w.shape)
    db = g.sum(axis=(0, 2))
    if not need_dx:
        return None, dw, db
    k = w.shape[2]
    spread = (w.reshape(c_out, -1).T @ g).reshape(n, shape[1], k, k, h, w_)
    dx = np.zeros(shape, dz.dtype)
    for i, j in itertools.product(range(k), range(k)):
        dx[:, :, i : i + h, j : j + w_] += spread[:, :, i, j]
    return dx, dw, db


#: The four positions of a 2x2 window, as slices of the rows and of the columns.
CORNERS = [(slice(i, None, 2), slice(j, None, 2)) for i in (0, 1) for j in (0, 1)]


def pool(x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """2x2 max pooling by elementwise maxima of the four strided corners; also where
    each maximum was (the first of ties)."""
    corners = [x[:, :, r, c] for r, c in CORNERS]
    z = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
    taken = np.zeros(z.shape, bool)
    masks = []
    for corner in corners:
        mask = (corner == z) & ~taken
        taken |= mask
        masks.append(mask)
    return z, masks


def unpool(dz: np.ndarray, masks: list[np.ndarray]) -> np.ndarray:
    n, c, h, w = dz.shape
    dx = np.empty((n, c, 2 * h, 2 * w), dz.dtype)
    for (r, col), mask in zip(CORNERS, masks, strict=True):
        dx[:, :, r, col] = dz * mask
    return dx


def numpy_step(params: list[np.ndarray], batches: list) -> Step:
    """One SGD step of the blitz's net by hand, per call, on the next batch."""
    batch = itertools.cycle(batches)

    def step() -> float:
        x, y = next(batch)
        w1, b1, w2, b2, f1, c1, f2, c2, f3, c3 = params
        z1, cols1 = conv(x, w1, b1)
        a1 = np.maximum(z1, 0)
        p1, m1 = pool(a1)
        z2, cols2 = conv(p1, w2, b2)
        a2 = np.maximum(z2, 0)
        p2, m2 = pool(a2)
        h0 = p2.reshape(len(x), -1)
        h1 = np.maximum(h0 @ f1.T + c1, 0)
        h2 = np.maximum(h1 @ f2.T + c2, 0)
        logits = h2 @ f3.T + c3
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) - shifted[np.arange(len(y)), y]))
        d = e / s
        d[np.arange(len(y)), y] -= 1
        d /= len(y)
        grads = [None] * 10
        grads[8], grads[9] = d.T @ h2, d.sum(0)
        d = (d @ f3) * (h2 > 0)
        grads[6], grads[7] = d.T @ h1, d.sum(0)
        d = (d @ f2) * (h1 > 0)
        grads[4], grads[5] = d.T @ h0, d.sum(0)
        d = (d @ f1).reshape(p2.shape)
        d = unpool(d, m2) * (a2 > 0)
        d, grads[2], grads[3] = conv_backward(d, cols2, w2, p1.shape, True)
        d = unpool(d, m1) * (a1 > 0)
        _, grads[0], grads[1] = conv_backward(d, cols1, w1, x.shape, False)
        for p, g in zip(params, grads, strict=True):
            p -= LR * g
        return loss

    return step


def gradwork_step(model: Net, batches: list) -> Step:
    opt = optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    batch = itertools.cycle([(autograd.tensor(x), autograd.tensor(y)) for x, y in batches])

    def step() -> float:
        x, y = next(batch)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_step(arrays: list[np.ndarray], batches: list) -> Step | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    tnn, tF = torch.nn, torch.nn.functional

    class TorchNet(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1, self.conv2 = tnn.Conv2d(1, 6, 5), tnn.Conv2d(6, 16, 5)
            self.fc1, self.fc2 = tnn.Linear(400, 120), tnn.Linear(120, 84)
            self.fc3 = tnn.Linear(84, 10)

        def forward(self, x):
            x = tF.max_pool2d(tF.relu(self.conv1(x)), 2)
            x = tF.max_pool2d(tF.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            return self.fc3(tF.relu(self.fc2(tF.relu(self.fc1(x)))))

    model = TorchNet()
    with torch.no_grad():
        for p, a in zip(model.parameters(), arrays, strict=True):
            p.copy_(torch.from_numpy(a))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = tnn.CrossEntropyLoss()
    batch = itertools.cycle([(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches])

    def step() -> float:
        x, y = next(batch)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main() -> None:
    rng = np.random.default_rng(0)
    batches = [
        (rng.random((BATCH, 1, 32, 32), dtype=np.float32), rng.integers(0, 10, BATCH))
        for _ in range(4)
    ]
    autograd.manual_seed(0)
    model = Net()
    arrays = [np.array(p.data, order="C") for p in model.parameters()]
    contenders = {
        "numpy im2col by hand (floor)": numpy_step([a.copy() for a in arrays], batches),
        "gradwork nn.Conv2d + F.max_pool2d": gradwork_step(model, batches),
    }
    theirs = torch_step([a.copy() for a in arrays], batches)
    if theirs is not None:
        contenders["torch (1 thread)"] = theirs
    first = {name: step() for name, step in contenders.items()}
    values = list(first.values())
    assert np.allclose(values, values[0], rtol=1e-4), first
    print(f"blitz CNN training step, batch {BATCH}, float32 (first losses {first})")
    report(race(contenders, rounds=9, seconds=0.3), "numpy im2col by hand (floor)", 1e3, "ms")


if __name__ == "__main__":
    main()
