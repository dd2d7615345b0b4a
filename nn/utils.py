"""Gradient clipping, parameter counting, Keras's `to_categorical`, `clear_session`,
`set_random_seed`, `plot_model`, `model_to_dot`, `PyDataset` (Keras 2's `Sequence`) and
`unpack_x_y_sample_weight` / `pack_x_y_sample_weight` (for a custom `train_step`),
Keras's data utilities (`pad_sequences`, `timeseries_dataset_from_array`,
`text_dataset_from_directory`, `split_dataset`, `Progbar`),
and `stateless.functional_call` (torch.nn.utils.stateless's)."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

import autograd
from autograd import Tensor, cat, get_default_dtype
from nn import stateless as stateless  # torch.nn.utils.stateless
from nn.custom_objects import CustomObjectScope as CustomObjectScope  # keras.utils's
from nn.custom_objects import custom_object_scope as custom_object_scope
from nn.custom_objects import get_custom_objects as get_custom_objects
from nn.custom_objects import register_keras_serializable as register_keras_serializable
from nn.custom_steps import pack_x_y_sample_weight as pack_x_y_sample_weight
from nn.custom_steps import unpack_x_y_sample_weight as unpack_x_y_sample_weight
from nn.dataset_utils import split_dataset as split_dataset  # keras.utils's data utilities
from nn.fit_sources import PyDataset as PyDataset  # keras.utils.PyDataset
from nn.fit_sources import Sequence as Sequence  # Keras 2's keras.utils.Sequence
from nn.module import Module
from nn.progbar import Progbar as Progbar
from nn.sequence_utils import pad_sequences as pad_sequences
from nn.stream_dataset import StreamDataset as StreamDataset
from nn.symbolic import clear_session as clear_session  # keras.utils.clear_session
from nn.text_dataset import text_dataset_from_directory as text_dataset_from_directory
from nn.timeseries_dataset import timeseries_dataset_from_array as timeseries_dataset_from_array

from nn import rnn_utils as rnn  # isort: skip  # nn.utils.rnn, as torch.nn.utils.rnn

# `from nn.utils.rnn import pad_sequence` as from torch's: this module is no package, so
# its `rnn` is found by the name Python's import looks up first.
sys.modules.setdefault("nn.utils.rnn", rnn)


def set_random_seed(seed: int) -> None:
    """Keras's `keras.utils.set_random_seed`: seed Python's `random`, numpy's global
    generator (`np.random.seed`) and this library's (`autograd.manual_seed`: initial
    weights, dropout masks, shuffling), so a run can be repeated.

    Raises:
        ValueError: `seed` is not an int, as Keras's.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(
            f"set_random_seed: expected the seed to be an int, got {seed!r} ({type(seed).__name__})"
        )
    random.seed(seed)
    np.random.seed(seed)  # a ValueError outside [0, 2**32), as Keras's
    autograd.manual_seed(seed)


def _with_grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in params if p.grad is not None]


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The norm of all `tensors` (usually gradients) taken together, as one vector:

    total = (sum_t ||t||**norm_type) ** (1 / norm_type)  (max |t| for norm_type=inf)

    Args:
        tensors: a Tensor or an iterable of Tensors (None entries are skipped).
        norm_type: the order p of the p-norm; ``inf`` (or ``"inf"``) for the max norm.
        error_if_nonfinite: raise if the total is NaN or infinite.
        foreach: accepted for PyTorch's signature (one numpy loop either way).

    Returns:
        The total, a 0-d Tensor of the tensors' dtype (0.0 for no tensors).

    Raises:
        RuntimeError: `error_if_nonfinite` and the total is NaN or infinite, as torch.
    """
    del foreach
    order = float(norm_type)
    arrays = [
        t.data for t in ([tensors] if isinstance(tensors, Tensor) else tensors) if t is not None
    ]
    if not arrays:
        return Tensor(0.0)
    norms = [np.linalg.norm(a.ravel(), ord=order) for a in arrays]
    total = np.linalg.norm(np.asarray(norms, dtype=np.result_type(*arrays)), ord=order)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {order} of the gradients is non-finite, so it cannot be "
            "clipped; pass error_if_nonfinite=False to scale them by it anyway"
        )
    return Tensor(np.asarray(total))


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor | float,
    foreach: bool | None = None,
) -> None:
    """Multiply every gradient in place by min(1, max_norm / (total_norm + 1e-6)), as
    torch (a NaN total makes every gradient NaN, as there)."""
    del foreach
    total = total_norm.item() if isinstance(total_norm, Tensor) else float(total_norm)
    coef = np.minimum(max_norm / (total + 1e-6), 1.0)  # keeps a NaN, unlike min()
    for p in _with_grads(parameters):
        p.grad.data *= coef


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients in place so that their joint norm is at most `max_norm`.

    total = (sum_p ||g_p||**norm_type) ** (1 / norm_type) (max |g| for norm_type=inf);
    every g is multiplied by min(1, max_norm / (total + 1e-6)), as torch
    (`get_total_norm`, then `clip_grads_with_norm_`).

    Returns:
        The total norm before clipping, a 0-d Tensor.

    Raises:
        RuntimeError: `error_if_nonfinite` and the total is NaN or infinite.
    """
    params = _with_grads(parameters)
    total = get_total_norm([p.grad for p in params], norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place (`foreach` is
    accepted for PyTorch's signature)."""
    del foreach
    for p in _with_grads(parameters):
        np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Every parameter flattened and joined into one vector (differentiable), as
    `torch.nn.utils.parameters_to_vector`."""
    params = list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: no parameters given")
    return cat([p.reshape(-1) for p in params], 0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the vector `vec` into the parameters' values, in
    place (no graph), as `torch.nn.utils.vector_to_parameters`.

    Raises:
        TypeError: `vec` is not a Tensor.
        ValueError: `vec` is not 1-d or its length is not the parameters' total size.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.data.size for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(
            f"vector_to_parameters: vec of shape {vec.shape} does not hold the {total} "
            "values of the parameters"
        )
    start = 0
    for p in params:
        n = p.data.size
        p.data = vec.data[start : start + n].reshape(p.shape).astype(p.dtype, copy=True)
        start += n


def count_parameters(module: Module, trainable_only: bool = False) -> int:
    """Number of scalars in the module's parameters (only those requiring grad when
    `trainable_only`). Example: Linear(784, 100) then Linear(100, 10) has
    784*100 + 100 + 100*10 + 10 = 79,510. A `Dense` layer not built yet (no
    `input_dim`, never called) has no parameters to count: call `model.build(shape)`
    or run data through it first."""
    return sum(p.size for p in module.parameters() if p.requires_grad or not trainable_only)


def to_categorical(
    y: npt.ArrayLike | Tensor, num_classes: int | None = None
) -> np.ndarray | Tensor:
    """Keras's one-hot encoding of integer class labels.

    `y` of shape (N,) (or (N, 1), as Keras squeezes a last axis of 1) gives (N, C)
    with ``out[i, y[i]] = 1``; any other shape gets a last axis of C added. As
    Keras's: an array or list gives a float64 ndarray (`fit` casts targets to
    float32), a Tensor (Keras's backend tensor) a Tensor of the default float dtype.

    Args:
        y: class labels, integers in [0, num_classes) (floats that are whole numbers
            are accepted, as Keras casts them).
        num_classes: C; by default (None or 0, as Keras) ``max(y) + 1``.

    Raises:
        ValueError: labels that are negative, not whole numbers, or >= num_classes,
            or no labels to infer `num_classes` from. (Keras wraps a negative label
            round to the last classes and truncates 1.5 to 1 without a word.)

    Example:
        >>> to_categorical([0, 2, 1])
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]])
    """
    labels = _class_labels(y.data if isinstance(y, Tensor) else np.asarray(y))
    if not num_classes:
        if not labels.size:
            raise ValueError("to_categorical: no labels to infer num_classes from; pass it")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must be in [0, {num_classes}) for num_classes="
            f"{num_classes}, got values from {labels.min()} to {labels.max()}"
        )
    dtype = get_default_dtype() if isinstance(y, Tensor) else np.float64
    out = np.zeros((*labels.shape, num_classes), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return Tensor(out) if isinstance(y, Tensor) else out


def _class_labels(labels: np.ndarray) -> np.ndarray:
    """Whole-number labels as int64, a last axis of 1 squeezed as Keras does."""
    if labels.dtype.kind not in "biuf" or (
        labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels))
    ):
        raise ValueError(f"to_categorical: labels must be whole numbers, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    return labels


def plot_model(model: Module, to_file: Any = "model.png", **kwargs: Any) -> Any:
    """Keras's `keras.utils.plot_model`: draw the model's layers with Graphviz and write
    the picture to `to_file`; see `nn.model_plot.plot_model` for the arguments."""
    from nn.model_plot import plot_model as plot

    return plot(model, to_file, **kwargs)


def model_to_dot(model: Module, **kwargs: Any) -> Any:
    """Keras's `keras.utils.model_to_dot`: the drawing as a `graphviz.Digraph`; see
    `nn.model_plot.model_to_dot`."""
    from nn.model_plot import model_to_dot as to_dot

    return to_dot(model, **kwargs)


def normalize(x: Any, axis: int | None = -1, order: int = 2) -> Any:
    """Keras's `utils.normalize`: x divided by its `order`-norm along `axis` (a zero
    norm counts as 1); an ndarray gives an ndarray, a Tensor a Tensor (`nn.ops.normalize`)."""
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, axis or -1)
    from nn import ops_nn

    return ops_nn.normalize(x, axis=-1 if axis is None else axis, order=order)
