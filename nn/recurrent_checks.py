"""The checks of `nn.RNN`, `nn.LSTM` and `nn.GRU` (and their cells) on their arguments,
inputs and hidden states, with torch's exception types and messages."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

from autograd import Tensor

#: Gates stacked in each weight, by mode.
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}

_DROPOUT = (
    "dropout should be a number in range [0, 1] representing the probability of an "
    "element being zeroed"
)


def check_arguments(
    mode: str, input_size: Any, hidden_size: Any, num_layers: Any, dropout: Any, proj_size: Any
) -> None:
    """torch's checks of the constructor's arguments, with its messages (and its
    warning for dropout with one layer, where it does nothing).

    Raises:
        ValueError: an unknown mode, sizes not above zero, a dropout outside [0, 1], or
            a proj_size that is negative, not below hidden_size or not for an LSTM.
        TypeError: sizes that are not ints.
    """
    if mode not in GATES:
        raise ValueError("Unrecognized RNN mode: " + mode)
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool):
        raise ValueError(_DROPOUT)
    if not 0 <= dropout <= 1:  # type: ignore[operator]
        raise ValueError(_DROPOUT)
    if dropout > 0 and num_layers == 1:  # type: ignore[operator]
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero "
            f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
            f"num_layers={num_layers}",
            stacklevel=5,
        )
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if not isinstance(num_layers, int) or num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if not isinstance(proj_size, int) or proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
    if proj_size and mode != "LSTM":
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")


def check_bool(name: str, value: Any) -> bool:
    """`value`, a bool (torch's TypeError otherwise)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
    return value


def check_input(x: Tensor, input_size: int, dims: int = 3) -> None:
    """A time-major batch (L, N, input_size) (a packed one's data: dims 2), or torch's
    RuntimeError."""
    if x.ndim != dims:
        raise RuntimeError(f"input must have {dims} dimensions, got {x.ndim}")
    if x.shape[-1] != input_size:
        raise RuntimeError(
            f"input.size(-1) must be equal to input_size. Expected {input_size}, got {x.shape[-1]}"
        )


def check_hidden(h: Tensor, expected: tuple[int, int, int], which: str = "") -> None:
    """A hidden state of the expected shape, or torch's RuntimeError (`which`: "[0]" or
    "[1]" for an LSTM's h_0 and c_0)."""
    if tuple(h.shape) != expected:
        raise RuntimeError(f"Expected hidden{which} size {expected}, got {list(h.shape)}")


def as_states(mode: str, hx: Any) -> Any:
    """LSTM's (h_0, c_0) as a tuple; RNN's and GRU's h_0 as it is.

    Raises:
        TypeError: an LSTM's hx that is not a pair.
    """
    if mode != "LSTM":
        return hx
    if isinstance(hx, Tensor) or len(hx) != 2:
        raise TypeError(
            f"LSTM: hx must be a tuple (h_0, c_0) of two tensors, got {type(hx).__name__}"
            + (f" of {len(hx)}" if isinstance(hx, (list, tuple)) else "")
        )
    return tuple(hx)


def check_hidden_dims(hx: Any, batched: bool) -> None:
    """Hidden states of 3 dimensions for a batch, 2 for one sequence (torch's
    RuntimeError otherwise)."""
    states = hx if isinstance(hx, tuple) else (hx,)
    want = 3 if batched else 2
    if all(s.ndim == want for s in states):
        return
    kind = "batched 3-D" if batched else "unbatched 2-D"
    if isinstance(hx, tuple):
        dims = ", ".join(f"{s.ndim}-D" for s in states)
        raise RuntimeError(
            f"For {kind} input, hx and cx should also be {want}-D but got ({dims}) tensors"
        )
    raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {hx.ndim}-D tensor")
