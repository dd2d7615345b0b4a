"""Keras's `keras.models` namespace: `Model`, `Sequential`, `load_model` and
`clone_model`, so that `keras.models.load_model("model.keras")` reads as
`nn.models.load_model(...)`, and `save_model(model, "model.keras")`."""

import os

from nn.module import Module
from nn.saving import clone_model, load_model
from nn.saving import save_model as _save_model
from nn.sequential import Sequential
from nn.training import Model

__all__ = ["Model", "Sequential", "clone_model", "load_model", "save_model"]


def save_model(model: Module, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Keras's `models.save_model`: `model.save(filepath)`; with overwrite=False, an
    existing file is a FileExistsError (Keras asks on the console)."""
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"save_model: {os.fspath(filepath)!r} exists and overwrite=False")
    _save_model(model, filepath)
