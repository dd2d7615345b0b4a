"""An LSTM training step: gradwork's `nn.LSTM` against torch (one thread) and against the
same step written by hand in numpy (the floor), as ratios to the floor.

The step: nn.LSTM(64 -> 128) over a batch of 32 sequences of 50 steps (float32), a
Linear(128 -> 1) on the last output, MSE against targets, backward, SGD. The numpy
floor does the same work: the input projection of all steps in one product, a loop
over the steps, backpropagation through time by hand, the same update.

Run: python benchmarks/bench_rnn.py. It prints figures and asserts only that the three
losses agree.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from bench_speed import race, report

import nn
import optim
from autograd import Tensor

INPUT, HIDDEN, BATCH, LENGTH, LR = 64, 128, 32, 50, 0.01


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


class NumpyLSTM:
    """The step by hand, with torch's layout: w_ih (4H, I), w_hh (4H, H), one bias (the
    two of torch's add up to one), gates i, f, g, o; a head (1, H) + b."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.w_ih = params["lstm.weight_ih_l0"].copy()
        self.w_hh = params["lstm.weight_hh_l0"].copy()
        self.b_ih = params["lstm.bias_ih_l0"].copy()
        self.b_hh = params["lstm.bias_hh_l0"].copy()
        self.w_out = params["head.weight"].copy()
        self.b_out = params["head.bias"].copy()

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        length, batch, _ = x.shape
        n = HIDDEN
        xw = (x.reshape(-1, INPUT) @ self.w_ih.T).reshape(length, batch, 4 * n)
        xw += self.b_ih + self.b_hh
        h = np.zeros((batch, n), np.float32)
        c = np.zeros((batch, n), np.float32)
        cache = []
        for t in range(length):
            a = xw[t] + h @ self.w_hh.T
            i, f = _sigmoid(a[:, :n]), _sigmoid(a[:, n : 2 * n])
            g, o = np.tanh(a[:, 2 * n : 3 * n]), _sigmoid(a[:, 3 * n :])
            c_prev, h_prev = c, h
            c = f * c_prev + i * g
            tc = np.tanh(c)
            h = o * tc
            cache.append((i, f, g, o, c_prev, h_prev, tc))
        pred = h @ self.w_out.T + self.b_out
        diff = pred - y
        loss = float((diff**2).mean())
        dpred = 2 * diff / diff.size
        dw_out, db_out = dpred.T @ h, dpred.sum(0)
        dh = dpred @ self.w_out
        dc = np.zeros_like(c)
        dxw = np.empty_like(xw)
        dw_hh = np.zeros_like(self.w_hh)
        for t in range(length - 1, -1, -1):
            i, f, g, o, c_prev, h_prev, tc = cache[t]
            dc = dc + dh * o * (1 - tc * tc)
            da = dxw[t]
            da[:, :n] = dc * g * i * (1 - i)
            da[:, n : 2 * n] = dc * c_prev * f * (1 - f)
            da[:, 2 * n : 3 * n] = dc * i * (1 - g * g)
            da[:, 3 * n :] = dh * tc * o * (1 - o)
            dw_hh += da.T @ h_prev
            dh = da @ self.w_hh
            dc = dc * f
        flat = dxw.reshape(-1, 4 * n)
        dw_ih = flat.T @ x.reshape(-1, INPUT)
        db = flat.sum(0)
        for p, grad in (
            (self.w_ih, dw_ih),
            (self.w_hh, dw_hh),
            (self.b_ih, db),
            (self.b_hh, db),
            (self.w_out, dw_out),
            (self.b_out, db_out),
        ):
            p -= LR * grad
        return loss


class Model(nn.Module):
    """nn.LSTM and a Linear head on the last output (the same class serves torch)."""

    def __init__(self, lib) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.lstm = lib.LSTM(INPUT, HIDDEN)
        self.head = lib.Linear(HIDDEN, 1)

    def forward(self, x):  # type: ignore[no-untyped-def]
        output, _ = self.lstm(x)
        return self.head(output[-1])


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(LENGTH, BATCH, INPUT)).astype(np.float32)
    y = rng.normal(size=(BATCH, 1)).astype(np.float32)
    ours = Model(nn)
    params = {k: np.array(v.data) for k, v in ours.state_dict().items()}
    floor = NumpyLSTM(params)
    opt = optim.SGD(ours.parameters(), lr=LR)
    loss_fn = nn.MSELoss()
    xt, yt = Tensor(x), Tensor(y)

    def ours_step() -> float:
        opt.zero_grad()
        loss = loss_fn(ours(xt), yt)
        loss.backward()
        opt.step()
        return loss.item()

    contenders = {"numpy by hand (floor)": lambda: floor.step(x, y), "gradwork nn.LSTM": ours_step}
    losses = [floor.step(x, y), ours_step()]
    try:
        import torch

        torch.set_num_threads(1)

        class TorchModel(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lstm = torch.nn.LSTM(INPUT, HIDDEN)
                self.head = torch.nn.Linear(HIDDEN, 1)

            def forward(self, x):  # type: ignore[no-untyped-def]
                output, _ = self.lstm(x)
                return self.head(output[-1])

        theirs = TorchModel()
        theirs.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
        topt = torch.optim.SGD(theirs.parameters(), lr=LR)
        tx, ty = torch.tensor(x), torch.tensor(y)

        def torch_step() -> float:
            topt.zero_grad()
            loss = torch.nn.functional.mse_loss(theirs(tx), ty)
            loss.backward()
            topt.step()
            return loss.item()

        losses.append(torch_step())
        contenders["torch 2.13, 1 thread"] = torch_step
    except ImportError:
        print("  (torch is not installed: no torch figure)")
    assert np.allclose(losses, losses[0], rtol=1e-4), losses  # the same step, the same loss
    print(f"LSTM({INPUT} -> {HIDDEN}) training step, batch {BATCH}, length {LENGTH}, float32:")
    times = race(contenders, rounds=7, seconds=0.5)
    report(times, floor="numpy by hand (floor)", unit=1e3, per="ms")


if __name__ == "__main__":
    main()
