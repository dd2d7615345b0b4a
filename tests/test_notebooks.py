"""Every notebook in notebooks/ runs top to bottom without error, and its committed copy
carries the outputs of such a run and stays small.

Each notebook asserts the results it states (XOR solved, vanishing gradients, ...), so a
change in the packages that breaks a lesson fails here. Notebooks that call
`nn.datasets.load_mnist` are skipped only when the MNIST files cannot be found (set
GRADWORK_DATA to the folder holding them); notebooks that draw graphs (`autograd.viz`)
only when Graphviz's `dot` program is missing.
"""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from nn import datasets

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_BYTES = 1_000_000
CELL_TIMEOUT = 600  # seconds

INSTALL_DOT = "apt-get install graphviz on Debian/Ubuntu, brew install graphviz on macOS"
# viz.draw_graph(...), autograd.viz.save_graph(...): rendering runs Graphviz's dot.
_DRAWS = re.compile(r"\bviz\.\w+\(")
# load_mnist(), load_mnist("fashion"), load_mnist(kind="fashion", ...)
_LOAD_MNIST = re.compile(r"load_mnist\(\s*(?:kind\s*=\s*)?(?:[\"']([\w-]+)[\"'])?")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def mnist_kinds(nb: nbformat.NotebookNode) -> set[str]:
    """The kinds of MNIST the notebook loads ("digits" when no kind is given)."""
    return {
        match.group(1) or "digits"
        for cell in code_cells(nb)
        for match in _LOAD_MNIST.finditer(cell.source)
    }


@functools.cache
def mnist_missing(kind: str) -> str | None:
    """Why `load_mnist(kind)` fails here, or None when the files are found."""
    try:
        datasets.load_mnist(kind)
    except FileNotFoundError as err:
        return str(err)
    return None


def test_notebooks_are_numbered_and_indexed() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names, f"no notebook in {NOTEBOOK_DIR}"
    assert all(re.fullmatch(r"\d\d_\w+\.ipynb", name) for name in names), names
    numbers = [name[:2] for name in names]
    assert len(set(numbers)) == len(numbers), f"two notebooks share a number: {names}"
    index = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(([^)]+\.ipynb)\)", index)
    assert sorted(linked) == names, "notebooks/README.md must link every notebook, once"


def test_mnist_kinds_reads_the_calls() -> None:
    new_code, new_markdown = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook(
        cells=[
            new_code("a = nn.datasets.load_mnist()\nb = load_mnist('fashion', path=p)"),
            new_code('load_mnist(kind="mnist")'),
            new_markdown("`load_mnist('fashion-mnist')` in prose is not a call"),
        ]
    )
    assert mnist_kinds(nb) == {"digits", "fashion", "mnist"}
    assert mnist_kinds(nbformat.v4.new_notebook(cells=[new_code("import nn")])) == set()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_outputs_and_is_small(path: Path) -> None:
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size:,} bytes; keep figures small (dpi 80)"
    cells = code_cells(read(path))
    assert cells, f"{path.name} has no code cell"
    counts = [cell.execution_count for cell in cells]
    assert None not in counts, (
        f"{path.name}: code cell {counts.index(None)} was never run; "
        "commit the notebook with the outputs of a full run"
    )
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts} show the cells were not run once, top to "
        "bottom, in a fresh kernel; restart and run all before committing"
    )
    errors = [out for cell in cells for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"{path.name} was saved with an error: {errors[0].ename}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = read(path)
    if shutil.which("dot") is None and any(_DRAWS.search(c.source) for c in code_cells(nb)):
        pytest.skip(f"{path.name} draws graphs, which needs Graphviz's dot: {INSTALL_DOT}")
    for kind in sorted(mnist_kinds(nb)):
        reason = mnist_missing(kind)
        if reason is not None:
            pytest.skip(f"{path.name} needs MNIST ({kind}): {reason.splitlines()[0]}")
    monkeypatch.setenv("MPLBACKEND", "Agg")  # inherited by the kernel process
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name} failed:\n{err}", pytrace=False)
