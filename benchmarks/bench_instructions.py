"""Instructions per step, counted by valgrind's callgrind: figures that do not move with
the machine's load, for changes too small for the clock to see.

Each workload of `bench_speed` runs in a child process under callgrind twice, warmed
up and then repeated `few` and `many` times; the difference of the two totals over
`many - few` is the cost of one repetition, free of start-up and import costs. The
ratio to the floor (the same workload by hand) is printed beside it. Instructions are
not time (numpy's loops retire more instructions per cycle than the interpreter), so
the clock's ratios in `bench_speed` stay the figures that matter; these tell whether
a change removed work.

Workloads: scalar (micrograd's moons demo, per node, 0-d Tensors against the
micrograd-style `Value`), scalar-gc (the same with Python's garbage collector on: its
passes depend on the objects each node leaves it to track, and count as the node's;
the same program gives the same passes, so the figures are still exact; six
repetitions apart, since a full collection comes every few), loop (the
PyTorch-style step on 784-64-10, batch 32, against numpy by hand) and step (the same
step written with the fused ops `autograd.dense` and `autograd.cross_entropy` and a
hand-written SGD update, as `bench_autograd`'s "dense, CE ops"). Needs `valgrind` on
PATH; takes about three minutes.

With `--cache`, cachegrind's simulated caches and branch predictor count, beside the
instructions, first-level instruction and data cache misses and mispredicted
branches per repetition: why a ratio of instructions understates the ratio of times
(an interpreter's dispatch mispredicts far more often than BLAS's loops). Slower:
about ten minutes.

Run: python benchmarks/bench_instructions.py [--cache] [scalar scalar-gc loop]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
#: workload -> (contenders, repetitions (few, many), unit, units per repetition)
WORKLOADS = {
    "scalar": (["value", "tensor"], (1, 3), "node", 21358),
    "scalar-gc": (["value", "tensor"], (2, 8), "node", 21358),
    "loop": (["numpy", "gradwork"], (100, 300), "step", 1),
    "step": (["numpy", "gradwork"], (100, 300), "step", 1),
}


def run_child(workload: str, contender: str, repeats: int) -> None:
    """The child: build the workload, warm it up, then repeat it (counted by callgrind)."""
    import gc

    import numpy as np

    from autograd import Tensor

    sys.path.insert(0, HERE)
    import bench_speed as bench

    if workload.startswith("scalar"):

        def tensor(v: float) -> Tensor:
            return Tensor(np.float64(v), requires_grad=True)

        step = bench.moons_graph(bench.Value if contender == "value" else tensor, 30)
        warm = 1
    elif workload == "step":
        import bench_autograd

        step = bench_autograd.mnist_step(contender)
        warm = 20
    else:
        sizes = [784, 64, 10]
        arrays, batches, lr = bench.glorot(sizes), bench.make_batches(sizes, 32), 0.01
        if contender == "numpy":
            step = bench.numpy_sgd([a.copy() for a in arrays], batches, lr)
        else:
            step = bench.torch_style_loop(*bench.sgd_model(arrays, lr), batches)
        warm = 20
    if workload != "scalar-gc":
        gc.disable()  # the collector's passes depend on allocation history, not on the step
    for _ in range(warm + repeats):
        step()


#: cachegrind's summary lines -> the names printed for them
CACHE_EVENTS = {
    "I   refs": "instructions",
    "I1  misses": "I1 misses",
    "D1  misses": "D1 misses",
    "Mispredicts": "mispredicts",
}


def count(workload: str, contender: str, repeats: int, cache: bool = False) -> dict[str, int]:
    """Events valgrind counts for a child repeating the workload `repeats` times:
    instructions (callgrind), or with `cache` those of `CACHE_EVENTS` (cachegrind)."""
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if cache:
        tool = ["--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes"]
        tool.append("--cachegrind-out-file=/dev/null")
    else:
        tool = ["--tool=callgrind", "--callgrind-out-file=/dev/null"]
    command = [
        "valgrind",
        *tool,
        sys.executable,
        __file__,
        "--child",
        workload,
        contender,
        str(repeats),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    patterns = {name: rf"{re.escape(line)}:\s+([\d,]+)" for line, name in CACHE_EVENTS.items()}
    if not cache:
        patterns = {"instructions": r"Collected : (\d+)"}
    counts = {}
    for name, pattern in patterns.items():
        found = re.search(pattern, done.stderr)
        if found is None:
            raise RuntimeError(f"valgrind printed no {name}:\n{done.stderr[-2000:]}")
        counts[name] = int(found.group(1).replace(",", ""))
    return counts


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        run_child(argv[1], argv[2], int(argv[3]))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    cache = "--cache" in argv
    argv = [a for a in argv if a != "--cache"]
    for workload in argv or list(WORKLOADS):
        contenders, (few, many), unit, units = WORKLOADS[workload]
        per: dict[str, dict[str, float]] = {}
        for contender in contenders:
            low = count(workload, contender, few, cache)
            high = count(workload, contender, many, cache)
            per[contender] = {k: (high[k] - low[k]) / (many - few) / units for k in high}
        floor = per[contenders[0]]
        tool = "cachegrind" if cache else "callgrind"
        print(f"\n{workload}: per {unit} ({tool}; ratio to {contenders[0]})")
        for event in floor:
            for contender, counts in per.items():
                n = counts[event]
                print(f"  {event:13s} {contender:10s} {n:12,.0f}   {n / floor[event]:5.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
