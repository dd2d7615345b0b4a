"""`Input`: Keras's way to declare the shape of a model's samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.tensor import check_dtype
from nn.module import Module
from nn.symbolic import KerasTensor, Node, default_float, unique_name
from nn.symbolic import check_name as _layer_name


class Input(Module, KerasTensor):
    """The input of a model, of samples of `shape` (no batch axis): y = x.

    It is Keras's `keras.Input` and its `InputLayer` in one object:

    - a symbolic tensor (`KerasTensor`) of shape `(None, *shape)`: call layers on it
      and give it to `nn.Model(inputs, outputs)` (Keras's functional API);
    - as the first layer of a `Sequential`, it lets the model build its weights at
      once, so `summary`, `count_params` and `compile` work before any data has been
      seen.

    Either way it checks that the data has that shape.

    Args:
        shape: the shape of one sample, e.g. (784,) or (28, 28); None for an axis of
            any length (`(None,)` for sequences of any length).
        name: Keras's name (default `input_layer`, `input_layer_1`, ...).
        dtype: the dtype of the data (default the default float dtype, float32);
            e.g. "int64" for the indices an `Embedding` takes.

    Example:
        >>> import nn
        >>> model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(3)])
        >>> model.count_params()
        15
        >>> nn.Input(shape=(4,), name="features")
        <KerasTensor shape=(None, 4), dtype=float32, name=features>
    """

    def __init__(
        self, shape: tuple[int | None, ...] | int, name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.input_shape = _input_shape(shape)
        name = _layer_name("Input", name) or unique_name("input_layer")
        dtype = default_float() if dtype is None else dtype
        if dtype in ("string", str, bytes, object):
            raise TypeError(
                f"Input: dtype {dtype!r} is not available (tensors hold bool, int or float): "
                "map strings to indices with nn.layers.StringLookup before the model, and "
                'give it Input(..., dtype="int64") columns'
            )
        check_dtype(np.dtype(dtype), "Input")
        self._set_symbolic((None, *self.input_shape), dtype, name)
        Node(self, (), {}, [self], 0)

    def forward(self, x: Any) -> Any:
        x = adjust_rank(x, self.input_shape)
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        sample = self.input_shape
        if len(shape) != len(sample) + 1 or any(
            n is not None and n != m for n, m in zip(sample, shape[1:])
        ):
            raise ValueError(
                f"Input(shape={sample}): expected input of shape "
                f"{(None, *sample)}, got {shape}".replace("None", "batch", 1)
            )
        return self._converted(x)

    def _converted(self, x: Any) -> Any:
        """Data for a float input in its dtype, as a Tensor (Keras converts a model's
        inputs to its Inputs' dtypes: float64 or uint8 arrays give float32); a Tensor
        is cast in the graph. Data of other inputs (integer indices) as it is."""
        dtype = np.dtype(self.dtype)
        if dtype.kind != "f":
            return x
        if isinstance(x, Tensor):
            return x if x.dtype == dtype else x.astype(dtype)
        return Tensor(np.asarray(x, dtype=dtype))

    def extra_repr(self) -> str:
        return f"shape={self.input_shape}"

    def __repr__(self) -> str:
        return self._symbolic_repr()


def adjust_rank(x: Any, sample: tuple[int | None, ...]) -> Any:
    """`x` with a last axis of length 1 added or dropped to fit samples of shape
    `sample`, as Keras's functional models adjust their inputs: data of shape (n,) for
    samples of shape (1,) becomes (n, 1), and (n, k, 1) for samples (k,) becomes (n, k);
    any other `x` as it is."""
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    if len(shape) == len(sample) + 2 and shape[-1] == 1:
        new = shape[:-1]
    elif len(shape) == len(sample) and sample and sample[-1] == 1:
        new = (*shape, 1)
    else:
        return x
    return x.reshape(new) if isinstance(x, Tensor) else np.reshape(x, new)


def _input_shape(shape: Any) -> tuple[int | None, ...]:
    """One sample's shape as a tuple of positive ints and None (any length)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        n is None or (isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0)
        for n in shape
    ):
        raise ValueError(
            "Input: shape must be the shape of one sample, without the batch axis, "
            f"e.g. shape=(784,) (None for an axis of any length); got {shape!r}"
        )
    return tuple(None if n is None else int(n) for n in shape)


def InputLayer(  # Keras's class name; makes an `Input`
    shape: tuple[int | None, ...] | int | None = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: tuple[int | None, ...] | None = None,
    input_tensor: Any = None,
    optional: bool = False,
    name: str | None = None,
) -> Input:
    """Keras's `layers.InputLayer(shape=..., batch_shape=..., dtype=..., name=...)`: an
    `Input` of samples of `shape` (or of `batch_shape` without its batch axis; the
    batch size is not fixed here).

    Raises:
        ValueError: neither shape nor batch_shape, both of them, or an argument not
            available here (sparse, input_tensor, optional).
    """
    if sparse or input_tensor is not None or optional:
        raise ValueError("InputLayer: sparse, input_tensor and optional are not available")
    if (shape is None) == (batch_shape is None):
        raise ValueError(
            f"InputLayer: give shape or batch_shape (one of them), got shape={shape!r}, "
            f"batch_shape={batch_shape!r}"
        )
    if batch_shape is not None:
        if batch_size is not None and batch_shape[0] not in (None, batch_size):
            raise ValueError(
                f"InputLayer: batch_size={batch_size} differs from batch_shape {batch_shape}"
            )
        shape = tuple(batch_shape[1:])
    assert shape is not None
    return Input(shape, name=name, dtype=dtype)
