"""Keras's generic recurrent layer `RNN(cell)` and `StackedRNNCells`. (`nn.RNN` is
PyTorch's Elman RNN; this `RNN` is `nn.layers.RNN`, as `keras.layers.RNN`.)

`RNN` runs any cell over the time axis of (batch, time, ...) inputs: a cell is an
object with `call(inputs, states[, training])` returning `(output, new_states)` and a
`state_size` (an int, or a list of them, one per state), as in Keras's guide "Working
with RNNs"::

    class MinimalRNNCell(nn.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units))

        def call(self, inputs, states):
            output = nn.ops.matmul(inputs, self.kernel) + nn.ops.matmul(
                states[0], self.recurrent_kernel
            )
            return output, [output]

    layer = nn.layers.RNN(MinimalRNNCell(32))

With y_t, s_t = cell(x_t, s_{t-1}) from s_0 (`initial_state`, or the cell's
`get_initial_state(batch)`, or zeros of `state_size`), the layer returns y_T, or
[y_1 .. y_T] with `return_sequences`, followed by the final states with
`return_state`; `go_backwards` reads x_T first (the outputs in that order). Keras's
own cells (`SimpleRNNCell`, `LSTMCell`, `GRUCell`) run as their layers do (one
product for every step's inputs, torch's fused op where the equations allow), so
`RNN(LSTMCell(n))` gives what `LSTM(n)` gives. A list of cells is a
`StackedRNNCells`: each cell's output is the next one's input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, stack, where
from autograd.checks import check_bool
from nn.layer import Layer, _takes_training
from nn.recurrent_base import given_states, kept_steps, output_mask, run_core
from nn.recurrent_cells_keras import KerasCell
from nn.recurrent_steps import time_steps


def describe(layer: Any) -> dict[str, Any]:
    """A layer as its description `{"class_name": ..., "config": ...}` (`nn.saving`'s)."""
    from nn.saving import layer_config

    return layer_config(layer)


def rebuilt(layer: Any) -> Any:
    """A layer as it is, or made again from its description (a saved config's)."""
    if isinstance(layer, dict) and "class_name" in layer:
        from nn.saving import from_layer_config

        made = from_layer_config(layer)
        shape = layer.get("config", {}).get("build_input_shape")
        if shape is not None and getattr(made, "built", False):  # built for it: say so
            object.__setattr__(made, "build_input_shape", tuple(shape))
        return made
    return layer


def _check_cell(owner: str, cell: Any) -> None:
    if "call" not in dir(cell):
        raise ValueError(f"{owner}: the cell should have a `call` method. Received: cell={cell!r}")
    if "state_size" not in dir(cell):
        raise ValueError(
            f"{owner}: the RNN cell should have a `state_size` attribute (single integer "
            f"or list of integers, one integer per RNN state). Received: cell={cell!r}"
        )


def _zeros(batch: int, size: Any, dtype: Any) -> Any:
    """Zeros (batch, size) for an int size, a list of them for a list."""
    if isinstance(size, (list, tuple)):
        return [_zeros(batch, s, dtype) for s in size]
    return Tensor(np.zeros((batch, int(size)), dtype))


def _as_tensors(value: Any, dtype: Any) -> Any:
    """States given as arrays (also nested in lists) as Tensors."""
    if isinstance(value, (list, tuple)):
        return [_as_tensors(v, dtype) for v in value]
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype))


def initial_state_of(cell: Any, batch: int, dtype: Any) -> list[Any]:
    """The cell's `get_initial_state(batch_size=batch)` (as a list), or zeros of its
    `state_size`."""
    get = getattr(cell, "get_initial_state", None)
    if get is not None:
        state = get(batch_size=batch)
        return list(state) if isinstance(state, (list, tuple)) else [state]
    size = cell.state_size
    return _zeros(batch, size if isinstance(size, (list, tuple)) else [size], dtype)


def _call_cell(cell: Any, inputs: Tensor, states: Any, training: bool) -> tuple[Any, Any]:
    """`cell(inputs, states)`, with `training` when the cell is a Layer whose call
    takes it (Keras's rule)."""
    if isinstance(cell, Layer) and _takes_training(type(cell).call):
        return cell(inputs, states, training=training)
    return cell(inputs, states)


class StackedRNNCells(Layer):
    """Keras's stack of cells run as one: at each step cell k reads cell k-1's output
    (the first cell reads the input) and its own states; the output is the last
    cell's. `state_size` is the list of the cells' state sizes, the states a list of
    each cell's states (a cell whose state_size is an int has one tensor there).

    Args:
        cells: the cells, first to last (or their descriptions, from a config).
        **kwargs: Keras's layer arguments (`name`, ...).

    Raises:
        ValueError: a cell without `call` or `state_size`.
    """

    def __init__(self, cells: Sequence[Any], **kwargs: Any) -> None:
        cells = [rebuilt(c) for c in cells]
        for cell in cells:
            _check_cell("StackedRNNCells", cell)
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self) -> list[Any]:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return int(last.output_size)
        size = last.state_size
        return int(size[0] if isinstance(size, (list, tuple)) else size)

    def get_initial_state(self, batch_size: int | None = None) -> list[Any]:
        states = []
        for cell in self.cells:
            if getattr(cell, "get_initial_state", None) is not None:
                states.append(cell.get_initial_state(batch_size=batch_size))
            else:
                states.append(_zeros(int(batch_size or 0), cell.state_size, self.dtype))
        return states

    def build(self, input_shape: Any) -> None:
        """Build each cell for the output of the one before it."""
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                object.__setattr__(cell, "build_input_shape", tuple(input_shape))
                cell.build(tuple(input_shape))
                cell.built = True
            if getattr(cell, "output_size", None) is not None:
                features = cell.output_size
            elif isinstance(cell.state_size, (list, tuple)):
                features = cell.state_size[0]
            else:
                features = cell.state_size
            input_shape = (input_shape[0], features)
        self.built = True

    def call(self, inputs: Tensor, states: Any, training: bool | None = False) -> Any:
        new_states: list[Any] = []
        for cell, cell_states in zip(self.cells, states):
            is_list = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if is_list else [cell_states]
            inputs, cell_states = _call_cell(cell, inputs, cell_states, bool(training))
            if not isinstance(cell_states, (list, tuple)):
                cell_states = [cell_states]
            new_states.append(
                cell_states[0] if len(cell_states) == 1 and not is_list else cell_states
            )
        return inputs, (new_states[0] if len(new_states) == 1 else new_states)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cells": [describe(c) for c in self.cells]}


class RNN(Layer):
    """Keras's recurrent layer for any cell (see the module's docstring).

    Args:
        cell: a cell (`SimpleRNNCell`, `LSTMCell`, `GRUCell`, `StackedRNNCells`, your
            own), or a list of cells (a `StackedRNNCells`).
        return_sequences: every step's output (batch, time, output_size), not the last.
        return_state: also the final states: [output, *states].
        go_backwards: read the steps last to first (outputs in that order).
        stateful: must be False (states kept from batch to batch are not supported).
        unroll: taken, as Keras's (the steps always run as a Python loop here); with a
            time-step mask, a masked step's output is the previous step's, as in
            Keras's unrolled loop.
        zero_output_for_mask: a masked step's output is zeros, not the last output
            (a mask comes with the input: `Embedding(mask_zero=True)`, `Masking`).
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Raises:
        ValueError: a cell without `call` or `state_size`, or a state_size that is
            not an int or a list of them.

    Example:
        >>> import numpy as np, nn
        >>> layer = nn.layers.RNN(nn.layers.LSTMCell(4), return_state=True)
        >>> output, h, c = layer(np.zeros((2, 5, 3), dtype=np.float32))
        >>> output.shape, c.shape
        ((2, 4), (2, 4))
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        cell = rebuilt(cell)
        _check_cell("RNN", cell)
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (list, tuple, int)) or isinstance(state_size, bool):
            raise ValueError(
                "RNN: state_size must be an integer, or a list/tuple of integers (one for "
                f"each state tensor), got {state_size!r}"
            )
        super().__init__(**kwargs)
        if check_bool("RNN", "stateful", stateful):
            raise NotImplementedError(
                "RNN: stateful=True (states kept from batch to batch) is not supported"
            )
        self.cell = cell
        self.return_sequences = check_bool("RNN", "return_sequences", return_sequences)
        self.return_state = check_bool("RNN", "return_state", return_state)
        self.go_backwards = check_bool("RNN", "go_backwards", go_backwards)
        self.stateful = False
        self.unroll = check_bool("RNN", "unroll", unroll)
        self.zero_output_for_mask = check_bool("RNN", "zero_output_for_mask", zero_output_for_mask)
        self.state_size = (
            list(state_size) if isinstance(state_size, (list, tuple)) else [state_size]
        )

    def build(self, input_shape: Any) -> None:
        """Build the cell for one step's inputs (batch, *features)."""
        if len(input_shape) < 3:
            raise ValueError(
                f"RNN: expected inputs of shape (batch, time, features), got {tuple(input_shape)}"
            )
        step_shape = (input_shape[0], *input_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            object.__setattr__(self.cell, "build_input_shape", tuple(step_shape))
            self.cell.build(step_shape)
            self.cell.built = True
        self.built = True

    def get_initial_state(self, batch_size: int) -> list[Any]:
        """The cell's initial states for `batch_size` sequences (zeros by default)."""
        return initial_state_of(self.cell, batch_size, self.dtype)

    def compute_mask(self, inputs: Any, mask: Any) -> Any:
        return output_mask(
            mask, self.return_sequences, self.return_state, len(self.get_initial_state(1))
        )

    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        if sequences.ndim < 3:
            raise ValueError(
                f"RNN: expected inputs of shape (batch, time, features), got "
                f"{tuple(sequences.shape)}"
            )
        keep = kept_steps("RNN", sequences, mask)
        training = bool(training)
        batch = sequences.shape[0]
        if initial_state is not None and not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        if isinstance(self.cell, KerasCell) and sequences.ndim == 3:
            zeros = tuple(self.get_initial_state(batch))
            states = given_states("RNN", zeros, initial_state, sequences.dtype)
            output, final = run_core(
                self.cell,
                sequences,
                states,
                training,
                self.go_backwards,
                self.return_sequences,
                keep,
                self.zero_output_for_mask,
                self.unroll,
            )
            return [output, *final] if self.return_state else output
        if initial_state is None:
            state: Any = self.get_initial_state(batch)
        else:
            state = _as_tensors(list(initial_state), sequences.dtype)
        for module in self.cell.modules() if isinstance(self.cell, Layer) else ():
            if isinstance(module, KerasCell):  # new dropout masks for each sequence
                module.reset_dropout_mask()
                module.reset_recurrent_dropout_mask()
        steps = time_steps(sequences, 1)
        if self.go_backwards:
            steps = steps[::-1]
            keep = None if keep is None else keep[:, ::-1]
        outputs: list[Any] = []
        for t, x_t in enumerate(steps):
            output, new = _call_cell(self.cell, x_t, state, training)
            if not isinstance(new, (list, tuple)):
                new = [new]
            if keep is not None:  # as `run_core`: masked steps keep states and output
                kept = keep[:, t : t + 1]
                if self.unroll:
                    previous: Any = outputs[-1] if outputs else 0.0
                else:
                    previous = 0.0 if self.zero_output_for_mask or not outputs else outputs[-1]
                output = where(kept, output, previous)
                new = [where(kept, n, s) for n, s in zip(new, state)]
            state = new
            outputs.append(output)
        result = stack(outputs, 1) if self.return_sequences else outputs[-1]
        return [result, *state] if self.return_state else result

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": describe(self.cell),
        }

    def extra_repr(self) -> str:
        return f"cell={type(self.cell).__name__}, name={self.name!r}"
