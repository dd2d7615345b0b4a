"""Mutation check: does the test suite catch small wrong changes to the math?

Each mutant replaces one snippet of the engine (a derivative, a factor, a comparison)
with a plausible mistake. The script copies the repository to a temporary folder,
applies one mutant at a time, runs the tests that cover the op (stopping at the first
failure) and reports which mutants survived. A surviving mutant is a missing test.

    python tests/mutation_check.py                  # with torch if it is installed
    python tests/mutation_check.py --without-torch  # as a CI without torch runs it
    python tests/mutation_check.py --only relu      # mutants whose name contains "relu"

Prints one line per mutant and the score, killed / total.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("autograd", "nn", "optim", "tests", "pyproject.toml")
OPS = ("tests/autograd/test_ops.py", "tests/autograd/test_edges.py")
PIECEWISE = ("tests/autograd/test_piecewise.py", "tests/nn/test_activations.py")
LOSSES = ("tests/nn/test_loss_edges.py", "tests/nn/test_losses.py")
GRAPH = ("tests/autograd/test_graph.py",)
TORCH = ("tests/autograd/test_vs_torch.py",)


@dataclass
class Mutant:
    name: str
    path: str
    before: str
    after: str
    tests: tuple[str, ...] = OPS + PIECEWISE + LOSSES + GRAPH + TORCH


MUTANTS = [
    Mutant(
        "leaky_relu slope fixed at the default",
        "autograd/ops/elementwise.py",
        "self.xp.where(x > 0, dz, dz * self.slope)",
        "self.xp.where(x > 0, dz, dz * 0.01)",
    ),
    Mutant(
        "elu slope with alpha fixed at the default",
        "autograd/ops/elementwise.py",
        "dz * (self.output + self.alpha)",
        "dz * (self.output + 1.0)",
    ),
    Mutant(
        "relu gradient 1 at x = 0",
        "autograd/ops/elementwise.py",
        "mask = x > scalar_array(0, x.dtype)",
        "mask = x >= scalar_array(0, x.dtype)",
    ),
    Mutant(
        "max backward assumes trailing reduced axes",
        "autograd/ops/reduce.py",
        "return self.expand(dz, x.shape) * self.share.astype(x.dtype)",
        "return dz.reshape(dz.shape + (1,) * (x.ndim - dz.ndim)) * self.share.astype(x.dtype)",
    ),
    Mutant(
        "max ties each take all of dz",
        "autograd/ops/reduce.py",
        "self.share = mask / mask.sum(axis=axes, keepdims=True)",
        "self.share = mask * 1.0",
    ),
    Mutant(
        "bce floors the log only at p = 0",
        "autograd/ops/losses.py",
        "log_p = np.maximum(np.log(p), LOG_FLOOR)",
        "log_p = np.where(p == 0, LOG_FLOOR, np.log(p))",
    ),
    Mutant(
        "bce slope without its floor",
        "autograd/ops/losses.py",
        "xp.maximum(p * (1 - p), SLOPE_FLOOR)",
        "(p * (1 - p) + 1e-300)",
    ),
    Mutant(
        "sigmoid negative tail as 1 - sigmoid(|x|)",
        "autograd/ops/elementwise.py",
        "np.where(x >= 0, 1 / (1 + e), e / (1 + e))",
        "np.where(x >= 0, 1 / (1 + e), 1 - 1 / (1 + e))",
    ),
    Mutant(
        "sigmoid derivative drops (1 - z)",
        "autograd/ops/elementwise.py",
        "return dz * z * (1 - z)",
        "return dz * z",
    ),
    Mutant(
        "tanh derivative 1 - z",
        "autograd/ops/elementwise.py",
        "return dz * (1 - z * z)",
        "return dz * (1 - z)",
    ),
    Mutant(
        "sqrt derivative without the 2",
        "autograd/ops/elementwise.py",
        "return dz / (2 * self.output)",
        "return dz / self.output",
    ),
    Mutant(
        "cos derivative with the wrong sign",
        "autograd/ops/elementwise.py",
        "return -dz * self.xp.sin(x)",
        "return dz * self.xp.sin(x)",
    ),
    Mutant(
        "softplus slope sigmoid(-x)",
        "autograd/ops/elementwise.py",
        "return dz * _sigmoid(x)",
        "return dz * _sigmoid(-x)",
    ),
    Mutant(
        "softplus slope as 1 - exp(-z)",
        "autograd/ops/elementwise.py",
        "return dz * _sigmoid(x)",
        "return dz * (1 - self.xp.exp(-self.output))",
    ),
    Mutant(
        "erf derivative exp(-x)",
        "autograd/ops/elementwise.py",
        "self.xp.exp(-x * x)",
        "self.xp.exp(-x)",
    ),
    Mutant(
        "clip excludes its bounds",
        "autograd/ops/elementwise.py",
        "self.inside &= x >= lo",
        "self.inside &= x > lo",
    ),
    Mutant(
        "division: db with the wrong sign",
        "autograd/ops/arith.py",
        "return da, -da * a / b",
        "return da, da * a / b",
    ),
    Mutant(
        "pow: da without the factor b",
        "autograd/ops/arith.py",
        "da = dz * b * a ** (b - 1) if need_a else None",
        "da = dz * a ** (b - 1) if need_a else None",
    ),
    Mutant(
        "pow: no mask where b = 0",
        "autograd/ops/arith.py",
        "if need_a and b_zero.any():",
        "if False:",
    ),
    Mutant(
        "subtraction: db = dz",
        "autograd/ops/arith.py",
        "return dz, -dz",
        "return dz, dz",
    ),
    Mutant(
        "maximum ties give dz to both",
        "autograd/ops/arith.py",
        "share = (w > l) + 0.5 * (w == l)",
        "share = (w >= l) * 1.0",
    ),
    Mutant(
        "matmul: da = dz @ b",
        "autograd/ops/arith.py",
        "return (dz @ b.T if need_a else None), (a.T @ dz if need_b else None)",
        "return (dz @ b if need_a else None), (a.T @ dz if need_b else None)",
    ),
    Mutant(
        "mean backward without 1 / n",
        "autograd/ops/reduce.py",
        "* (1.0 / self.n if self.n else 0.0)",
        "* 1.0",
    ),
    Mutant(
        "std: nan where the variance is 0",
        "autograd/ops/reduce.py",
        "if not flat.any():",
        "if True:",
    ),
    Mutant(
        "logsumexp backward exp(x)",
        "autograd/ops/reduce.py",
        "return self.expand(dz, x.shape) * self.xp.exp(x - z)",
        "return self.expand(dz, x.shape) * self.xp.exp(x)",
    ),
    Mutant(
        "softmax backward without z in the sum",
        "autograd/ops/reduce.py",
        "return z * (dz - (dz * z).sum(axis=self.axis, keepdims=True))",
        "return z * (dz - dz.sum(axis=self.axis, keepdims=True))",
    ),
    Mutant(
        "log_softmax backward without exp",
        "autograd/ops/reduce.py",
        "return dz - self.xp.exp(self.output) * dz.sum(axis=self.axis, keepdims=True)",
        "return dz - self.output * dz.sum(axis=self.axis, keepdims=True)",
    ),
    Mutant(
        "transpose backward by the permutation itself",
        "autograd/ops/shape.py",
        "return dz.transpose(tuple(int(i) for i in np.argsort(self.axes)))",
        "return dz.transpose(self.axes)",
    ),
    Mutant(
        "transpose keeps negative axes",
        "autograd/ops/shape.py",
        "perm = tuple(a % ndim for a in given)",
        "perm = given",
    ),
    Mutant(
        "indexing: repeated indices do not accumulate",
        "autograd/ops/shape.py",
        "np.add.at(out, index, g)",
        "out[index] = g",
    ),
    Mutant(
        "affine: bias gradient as a mean",
        "autograd/ops/layers.py",
        "return dx, dw, dz.sum(axis=0 if dz.ndim == 2 else tuple(range(dz.ndim - 1)))",
        "return dx, dw, dz.mean(axis=0 if dz.ndim == 2 else tuple(range(dz.ndim - 1)))",
    ),
    Mutant(
        "cross entropy mean without 1 / n",
        "autograd/ops/layers.py",
        "dz.item() / max(n, 1)",
        "dz.item()",
    ),
    Mutant(
        "abs derivative 1",
        "autograd/ops/arith.py",
        "return dz * self.xp.sign(a)",
        "return dz * 1.0",
    ),
]


def apply(workdir: Path, mutant: Mutant) -> tuple[Path, str]:
    """Write the mutated file into `workdir`; returns its path and original text."""
    path = workdir / mutant.path
    text = path.read_text()
    count = text.count(mutant.before)
    if count != 1:
        raise SystemExit(
            f"mutant {mutant.name!r}: {mutant.before!r} occurs {count} times in {mutant.path}; "
            "update the mutant to the current code"
        )
    path.write_text(text.replace(mutant.before, mutant.after))
    return path, text


def run_tests(workdir: Path, tests: tuple[str, ...], env: dict[str, str]) -> bool:
    """True when the tests fail (the mutant is killed)."""
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    return done.returncode != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without-torch", action="store_true", help="hide torch from the tests")
    parser.add_argument("--only", default="", help="run the mutants whose name contains this")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp) / "repo"
        workdir.mkdir()
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(
                    source, workdir / name, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy2(source, workdir / name)
        paths = [str(workdir)]
        if args.without_torch:  # a `torch` that fails to import: importorskip skips
            fake = Path(tmp) / "no-torch" / "torch"
            fake.mkdir(parents=True)
            (fake / "__init__.py").write_text("raise ImportError('torch hidden')\n")
            paths.insert(0, str(fake.parent))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "MPLBACKEND": "Agg"}
        if run_tests(workdir, OPS + PIECEWISE + LOSSES + GRAPH + TORCH, env):
            raise SystemExit("the unmutated tests fail: fix them before checking mutants")
        chosen = [m for m in MUTANTS if args.only in m.name]
        survivors = []
        for mutant in chosen:
            path, original = apply(workdir, mutant)
            start = time.perf_counter()
            try:
                killed = run_tests(workdir, mutant.tests, env)
            finally:
                path.write_text(original)
            status = "killed" if killed else "SURVIVED"
            print(f"{status:9} {time.perf_counter() - start:5.1f}s  {mutant.name}", flush=True)
            if not killed:
                survivors.append(mutant.name)
        torch_note = "without torch" if args.without_torch else "with torch if installed"
        print(f"score: {len(chosen) - len(survivors)} / {len(chosen)} killed ({torch_note})")
        for name in survivors:
            print(f"  survived: {name}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
