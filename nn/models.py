"""Keras's `keras.models` namespace: `Model`, `Sequential`, `load_model` and
`clone_model`, so that `keras.models.load_model("model.keras")` reads as
`nn.models.load_model(...)`."""

from nn.saving import clone_model, load_model
from nn.sequential import Sequential
from nn.training import Model

__all__ = ["Model", "Sequential", "clone_model", "load_model"]
