"""How the packages present themselves: lazy `autograd.viz`, versions and type
information."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
import nn
import optim

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_viz_is_an_attribute_imported_on_first_use(tmp_path):
    code = (
        "import sys, autograd\n"
        "print('autograd.viz' in sys.modules, 'graphviz' in sys.modules)\n"
        "w = autograd.Tensor(2.0, requires_grad=True, name='w')\n"
        "g = autograd.viz.draw_graph((w * w).tanh())\n"
        "print('autograd.viz' in sys.modules, type(g).__name__, 'label=Tanh' in g.source)"
    )
    assert _python(code, tmp_path).splitlines() == ["False False", "True Digraph True"]


def test_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'vizz'"):
        autograd.vizz  # noqa: B018


PYPROJECT = (ROOT / "pyproject.toml").read_text()  # (tomllib is Python 3.11+)


def test_versions_agree_with_the_project():
    assert 'dynamic = ["version"]' in PYPROJECT
    assert 'version = { attr = "autograd.__version__" }' in PYPROJECT
    assert autograd.__version__ == nn.__version__ == optim.__version__


def test_packages_ship_py_typed():
    assert '"*" = ["py.typed"]' in PYPROJECT.split("[tool.setuptools.package-data]")[1]
    for package in (autograd, nn, optim):
        assert (Path(package.__file__).parent / "py.typed").is_file(), package.__name__
