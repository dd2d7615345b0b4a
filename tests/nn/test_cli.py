import gzip
import re
import struct

import numpy as np
import pytest

from nn import cli
from nn.datasets import mnist


def run(capsys, argv):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_train_tiny_run_prints_summary_bars_and_accuracy(capsys):
    argv = ["train", "--dataset", "moons", "--epochs", "2", "--hidden", "8", "--seed", "1"]
    code, out, _ = run(capsys, argv)
    assert code == 0
    assert "dataset: moons (1600 training samples, 2 classes)" in out
    assert "Total params: 42" in out  # 2*8 + 8 + 8*2 + 2
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "50/50" in out
    final = [line for line in out.splitlines() if line.startswith("final training accuracy: ")]
    assert len(final) == 1 and 0.5 < float(final[0].split(": ")[1]) <= 1.0


def test_options_reach_the_model_and_optimizer(capsys, monkeypatch):
    seen = {}
    real = cli.build_model

    def spy(*args):
        model = real(*args)
        seen["model"] = model
        return model

    monkeypatch.setattr(cli, "build_model", spy)
    argv = ["train", "--dataset", "blobs", "--hidden", "5", "3", "--activation", "tanh"]
    argv += ["--optimizer", "sgd", "--lr", "0.2", "--epochs", "1", "--verbose", "0"]
    code, out, _ = run(capsys, argv)
    model = seen["model"]
    assert code == 0 and "Epoch" not in out
    assert [layer.units for layer in model] == [5, 3, 4]
    assert type(model.optimizer).__name__ == "SGD"
    assert model.optimizer.param_groups[0]["lr"] == 0.2
    assert type(model[0].activation).__name__ == "Tanh"


def test_no_arguments_runs_the_spiral_demo(capsys, monkeypatch):
    monkeypatch.setitem(cli.DATASETS, "spiral", (cli.DATASETS["spiral"][0], 1, 32))
    code, out, _ = run(capsys, [])
    assert code == 0
    assert "dataset: spiral (2400 training samples, 3 classes)" in out
    assert "Total params: 4,547" in out  # 2-64-64-3
    assert "final training accuracy: " in out


def test_mnist_from_data_dir_and_missing_files(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("GRADWORK_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, err = run(capsys, ["train", "--dataset", "mnist", "--data-dir", str(tmp_path)])
    assert code == 1 and out == "" and str(tmp_path) in err
    assert "--data-dir" in err and "GRADWORK_DATA" in err and "--download" in err
    assert "download=True" not in err and "path=" not in err  # the CLI's own options
    # Small stand-ins for the real files, which would fail the published MD5.
    monkeypatch.setattr(mnist, "check_md5", lambda kind, file: None)
    rng = np.random.default_rng(0)
    for prefix, n in [("train", 40), ("t10k", 10)]:
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.arange(n, dtype=np.uint8) % 10
        head = struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28)
        (tmp_path / f"{prefix}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(head + images.tobytes())
        )
        (tmp_path / f"{prefix}-labels-idx1-ubyte").write_bytes(
            struct.pack(">BBBBI", 0, 0, 8, 1, n) + labels.tobytes()
        )
    argv = ["train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "1"]
    code, out, _ = run(capsys, [*argv, "--hidden", "16", "--verbose", "2"])
    assert code == 0
    assert "dataset: mnist (40 training samples, 10 classes)" in out
    assert "(None, 16)" in out and "12,560" in out  # 784*16 + 16
    # verbose 2: Keras's epoch line (no "Epoch 1/1" header for a single epoch)
    assert re.search(r"^\d+/\d+ - \d+s - \d+(ms|us|s)/step - accuracy: ", out, re.MULTILINE)
    assert "Epoch 1/1" not in out and "test accuracy: " in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dataset", "cifar"], "unknown dataset 'cifar' (choose from blobs, circles"),
        (["--dataset", "mnsit"], "unknown dataset 'mnsit'; did you mean 'mnist'?"),
        (["--optimizer", "adma"], "unknown optimizer 'adma'; did you mean 'adam'?"),
        (["--optimizer", "rmsrpop"], "did you mean 'rmsprop'?"),
        (["--activation", "rleu"], "unknown activation 'rleu'; did you mean 'relu'?"),
        (["--lr", "0"], "argument --lr: must be positive, got 0"),
        (["--lr", "fast"], "argument --lr: 'fast' is not a number"),
        (["--epochs", "-2"], "argument --epochs: must be positive, got -2"),
        (["--hidden", "8", "0"], "argument --hidden: must be positive, got 0"),
        (["--validation-split", "1.5"], "argument --validation-split: must be in [0, 1)"),
    ],
)
def test_bad_arguments_exit_with_usage_before_printing_anything(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", *argv, "--epochs", "1"] if "--epochs" not in argv else ["train", *argv])
    out = capsys.readouterr()
    assert info.value.code == 2 and out.out == ""
    assert message in out.err and "usage: gradwork train" in out.err
    assert "compile:" not in out.err


def test_names_are_taken_in_any_case(capsys):
    code, out, _ = run(capsys, ["train", "--dataset", "XOR", "--optimizer", "SGD", "--epochs", "1"])
    assert code == 0 and "dataset: xor" in out


def test_closest_name_needs_a_near_typo():
    assert cli.edit_distance("adma", "adam") == 1  # a swap counts once
    assert cli.closest("adma", ["adamax", "adam", "sgd"]) == "adam"
    assert cli.closest("sgdd", ["sgd", "adam"]) == "sgd"
    assert cli.closest("xyz", ["sgd", "adam"]) is None


def test_help_shows_defaults_and_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    out = capsys.readouterr().out
    assert "(default: adam)" in out and "(default: 0.01)" in out and "(default: spiral)" in out
    assert "mnist 5" in out and "(default: None)" not in out
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    import autograd
    import nn
    import optim

    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"gradwork {autograd.__version__}"
    assert autograd.__version__ == nn.__version__ == optim.__version__
    assert all(part.isdigit() for part in autograd.__version__.split("."))


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "nn", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "usage: gradwork" in result.stdout
