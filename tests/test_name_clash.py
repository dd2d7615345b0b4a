"""Another package named `autograd` (HIPS autograd) first on the path fails clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def other_autograd(tmp_path):
    """A folder holding a package named autograd that is not ours, as HIPS's would be."""
    package = tmp_path / "site" / "autograd"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from autograd.core import grad\n")
    (package / "core.py").write_text("def grad(f):\n    return f\n")
    return package


def _run(code, other, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(other.parent), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "code", ["import nn", "import optim", "import nn.cli", "from nn.cli import main"]
)
def test_import_names_the_other_package_and_the_fix(code, other_autograd, tmp_path):
    result = _run(code, other_autograd, tmp_path)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: `import autograd` found another package")
    assert str(other_autograd / "__init__.py") in last
    assert "pip uninstall autograd" in last and "fresh virtual environment" in last


def test_ours_passes_the_check(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", "import nn, optim; print(nn.Linear(2, 1).weight.shape)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(1, 2)"
