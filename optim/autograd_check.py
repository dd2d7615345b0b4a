"""Importing this module makes sure `import autograd` gives gradwork's engine.

`autograd` is also the import name of HIPS autograd, which other packages pull in as
a dependency. With it installed, `import autograd` can silently find that package,
and `nn` and `optim` would fail later with a puzzling "cannot import name 'Tensor'".
`nn` and `optim` import this module before anything else, so the clash fails at
once, with an ImportError that says where the other package is and how to fix it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FIX = (
    "Use a fresh virtual environment for gradwork (python3 -m venv .venv && "
    ". .venv/bin/activate && pip install -e .), or remove the other package: "
    "pip uninstall autograd"
)


def location(module: ModuleType) -> str:
    """Where a module was loaded from: its file, or its folders for a namespace package."""
    path = getattr(module, "__file__", None)
    return str(path) if path else ", ".join(getattr(module, "__path__", [])) or "unknown"


def check_autograd() -> None:
    """Raise ImportError unless `import autograd` gives gradwork's `autograd` package.

    Raises:
        ImportError: another package named `autograd` (HIPS autograd) is found first,
            or gradwork's cannot be imported; the message names its location and the fix.
    """
    try:
        autograd = importlib.import_module("autograd")
    except ImportError as err:
        raise ImportError(f"gradwork's nn and optim need its autograd package: {err}") from err
    if not (hasattr(autograd, "Tensor") and hasattr(autograd, "Function")):
        raise ImportError(
            f"`import autograd` found another package named autograd at {location(autograd)} "
            "(probably HIPS autograd, installed as a dependency of something else), not "
            f"gradwork's engine, which nn and optim are built on. {FIX}"
        )


check_autograd()
