"""LSTM and GRU training steps: gradwork's `nn.LSTM` / `nn.GRU` (the fused path, and for
the LSTM also the composed steps, `nn.recurrent_steps.FUSED = False`) against torch (one
thread) and against the same step written by hand in numpy (the floor), as ratios to
the floor.

The step: nn.LSTM(64 -> 128) (or nn.GRU) over a batch of 32 sequences of 50 steps
(float32), a Linear(128 -> 1) on the last output, MSE against targets, backward, SGD.
The numpy floor does the same work: the input projection of all steps in one product,
a loop over the steps, backpropagation through time by hand, the same update.

Run: python benchmarks/bench_rnn.py. It prints figures and asserts only that the
losses of each race agree.
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
from nn import recurrent_steps

INPUT, HIDDEN, BATCH, LENGTH, LR = 64, 128, 32, 50, 0.01


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


class _NumpyRecurrent:
    """What the two numpy steps share: torch's parameters (named `prefix`.weight_ih_l0,
    ...) and a head (1, H) + b, copied; and the SGD update from the gradient of the
    input projections of every step."""

    prefix = ""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.w_ih = params[f"{self.prefix}.weight_ih_l0"].copy()
        self.w_hh = params[f"{self.prefix}.weight_hh_l0"].copy()
        self.b_ih = params[f"{self.prefix}.bias_ih_l0"].copy()
        self.b_hh = params[f"{self.prefix}.bias_hh_l0"].copy()
        self.w_out = params["head.weight"].copy()
        self.b_out = params["head.bias"].copy()

    def update(
        self,
        dxw: np.ndarray,
        x: np.ndarray,
        dw_hh: np.ndarray,
        db_hh: np.ndarray | None,
        dw_out: np.ndarray,
        db_out: np.ndarray,
    ) -> None:
        """p -= LR * grad for every parameter; dW_ih and db_ih from dxw (L, N, G), and
        db_hh = db_ih where b_hh adds to the projections as b_ih does (None)."""
        flat = dxw.reshape(-1, dxw.shape[-1])
        dw_ih = flat.T @ x.reshape(-1, INPUT)
        db_ih = flat.sum(0)
        for p, grad in (
            (self.w_ih, dw_ih),
            (self.w_hh, dw_hh),
            (self.b_ih, db_ih),
            (self.b_hh, db_ih if db_hh is None else db_hh),
            (self.w_out, dw_out),
            (self.b_out, db_out),
        ):
            p -= LR * grad


class NumpyLSTM(_NumpyRecurrent):
    """The step by hand, with torch's layout: w_ih (4H, I), w_hh (4H, H), one bias (the
    two of torch's add up to one), gates i, f, g, o; a head (1, H) + b."""

    prefix = "lstm"

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
        self.update(dxw, x, dw_hh, None, dw_out, db_out)
        return loss


class NumpyGRU(_NumpyRecurrent):
    """The GRU step by hand, with torch's layout and gates r, z, n: n = tanh(x_n + r *
    (h W_hn^T + b_hn)), h' = (1 - z) * n + z * h; a head (1, H) + b."""

    prefix = "rnn"

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        length, batch, _ = x.shape
        n = HIDDEN
        xw = (x.reshape(-1, INPUT) @ self.w_ih.T).reshape(length, batch, 3 * n)
        xw += self.b_ih
        h = np.zeros((batch, n), np.float32)
        cache = []
        for t in range(length):
            hw = h @ self.w_hh.T + self.b_hh
            rz = _sigmoid(xw[t, :, : 2 * n] + hw[:, : 2 * n])
            r, z = rz[:, :n], rz[:, n:]
            hn = hw[:, 2 * n :]
            g = np.tanh(xw[t, :, 2 * n :] + r * hn)
            cache.append((r, z, g, hn, h))
            h = (1 - z) * g + z * h
        pred = h @ self.w_out.T + self.b_out
        diff = pred - y
        loss = float((diff**2).mean())
        dpred = 2 * diff / diff.size
        dw_out, db_out = dpred.T @ h, dpred.sum(0)
        dh = dpred @ self.w_out
        dxw = np.empty_like(xw)
        dhw = np.empty((batch, 3 * n), np.float32)
        dw_hh = np.zeros_like(self.w_hh)
        db_hh = np.zeros_like(self.b_hh)
        for t in range(length - 1, -1, -1):
            r, z, g, hn, h_prev = cache[t]
            dg = dh * (1 - z) * (1 - g * g)
            dx = dxw[t]
            dx[:, 2 * n :] = dg
            dx[:, n : 2 * n] = dh * (h_prev - g) * z * (1 - z)
            dx[:, :n] = dg * hn * r * (1 - r)
            dhw[:, : 2 * n] = dx[:, : 2 * n]
            dhw[:, 2 * n :] = dg * r
            dw_hh += dhw.T @ h_prev
            db_hh += dhw.sum(0)
            dh = dhw @ self.w_hh + dh * z
        self.update(dxw, x, dw_hh, db_hh, dw_out, db_out)
        return loss


class Model(nn.Module):
    """An LSTM or GRU (`kind`) and a Linear head on the last output (the same class
    serves torch)."""

    def __init__(self, lib, kind: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        setattr(self, "lstm" if kind == "LSTM" else "rnn", getattr(lib, kind)(INPUT, HIDDEN))
        self.kind = kind
        self.head = lib.Linear(HIDDEN, 1)

    def forward(self, x):  # type: ignore[no-untyped-def]
        output, _ = (self.lstm if self.kind == "LSTM" else self.rnn)(x)
        return self.head(output[-1])


def _trainer(model, x, y):  # type: ignore[no-untyped-def]
    """One training step of `model` (gradwork's) as a function returning the loss."""
    opt = optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.MSELoss()
    xt, yt = Tensor(x), Tensor(y)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _composed(step):  # type: ignore[no-untyped-def]
    """`step` with the recurrent layers on their composed steps."""

    def run() -> float:
        recurrent_steps.FUSED = False
        try:
            return step()
        finally:
            recurrent_steps.FUSED = True

    return run


def contest(kind: str) -> None:
    """Race the floor, gradwork (fused, and composed for the LSTM) and torch on `kind`."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(LENGTH, BATCH, INPUT)).astype(np.float32)
    y = rng.normal(size=(BATCH, 1)).astype(np.float32)
    ours = Model(nn, kind)
    params = {k: np.array(v.data) for k, v in ours.state_dict().items()}
    floor = (NumpyLSTM if kind == "LSTM" else NumpyGRU)(params)
    ours_step = _trainer(ours, x, y)
    contenders = {
        "numpy by hand (floor)": lambda: floor.step(x, y),
        f"gradwork nn.{kind}": ours_step,
    }
    losses = [floor.step(x, y), ours_step()]
    if kind == "LSTM":  # a copy from the same weights, on the composed steps
        twin = Model(nn, kind)
        twin.load_state_dict(params)
        twin_step = _composed(_trainer(twin, x, y))
        contenders[f"gradwork nn.{kind}, composed steps"] = twin_step
        losses.append(twin_step())
    try:
        import torch

        torch.set_num_threads(1)
        theirs = TorchModel(torch, kind)
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
    print(f"{kind}({INPUT} -> {HIDDEN}) training step, batch {BATCH}, length {LENGTH}, float32:")
    times = race(contenders, rounds=7, seconds=0.5)
    report(times, floor="numpy by hand (floor)", unit=1e3, per="ms")


def TorchModel(torch, kind: str):  # type: ignore[no-untyped-def]
    """`Model` built from torch's modules."""

    class Theirs(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            setattr(
                self, "lstm" if kind == "LSTM" else "rnn", getattr(torch.nn, kind)(INPUT, HIDDEN)
            )
            self.head = torch.nn.Linear(HIDDEN, 1)

        def forward(self, x):  # type: ignore[no-untyped-def]
            output, _ = (self.lstm if kind == "LSTM" else self.rnn)(x)
            return self.head(output[-1])

    return Theirs()


def main() -> None:
    contest("LSTM")
    contest("GRU")


if __name__ == "__main__":
    main()
