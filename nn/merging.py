"""Keras's merge layers: one output from a list of inputs, for models with branches.

`Concatenate(axis=-1)` joins its inputs along an axis; `Add`, `Subtract`, `Multiply`,
`Average`, `Maximum` and `Minimum` combine them element by element (numpy's
broadcasting, as Keras allows an axis of length 1 to stretch). Each is called on a list,
`nn.Add()([x, y])`, and has a functional form, `nn.layers.add([x, y])`, as in
`keras.layers`. Each is written with autograd's ops, so its gradient is theirs.

Example:
    >>> import nn
    >>> a, b = nn.Input(shape=(4,)), nn.Input(shape=(3,))
    >>> nn.Concatenate()([a, b]).shape
    (None, 7)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, cat
from autograd.checks import check_int
from nn.layer import autocast
from nn.module import Module
from nn.symbolic import default_name


def _bools(mask: Any) -> np.ndarray:
    return np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)


def _mask_list(inputs: Any, mask: Any) -> list[Any] | None:
    """The masks of a merge's inputs, checked as Keras's `compute_mask` checks them."""
    if mask is None:
        return None
    if not isinstance(mask, (tuple, list)):
        raise ValueError(f"`mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, (tuple, list)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(
            "The lists `inputs` and `mask` should have the same length. Received: "
            f"inputs of length {len(inputs)}, and mask of length {len(mask)}"
        )
    return list(mask)


class Merge(Module):
    """Base of the merge layers: `forward(inputs)` takes a list of tensors.

    Args:
        name: Keras's name, shown by `summary` (default: the class in snake_case,
            numbered for the session: `add`, `add_1`, ...).
    """

    #: the number of inputs the layer takes, when it takes exactly that many
    arity: int | None = None

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = default_name(self, name)

    supports_masking = True  # Keras's: see `compute_mask`

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Keras's mask of a merge (`nn.masking`): the OR of the inputs' masks, None
        when one of them has none."""
        masks = _mask_list(inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        return Tensor(np.logical_or.reduce([_bools(m) for m in masks]))

    def forward(self, inputs: Sequence[Any]) -> Tensor:
        if not isinstance(inputs, (list, tuple)) or not inputs:
            raise ValueError(
                f"A `{type(self).__name__}` layer should be called on a list of inputs, "
                f"e.g. {type(self).__name__}()([x, y]); got {type(inputs).__name__}"
            )
        if self.arity is not None and len(inputs) != self.arity:
            raise ValueError(
                f"A `{type(self).__name__}` layer should be called on exactly "
                f"{self.arity} inputs, got {len(inputs)}"
            )
        # Tensors with floats in the default dtype, as Keras autocasts a layer's inputs
        tensors = [x if isinstance(x, Tensor) else Tensor(np.asarray(x)) for x in autocast(inputs)]
        self._check_shapes([t.shape for t in tensors])
        return self.merge(tensors)

    def _check_shapes(self, shapes: list[tuple[int, ...]]) -> None:
        """Element-wise merges: the shapes must broadcast together."""
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise ValueError(
                f"A `{type(self).__name__}` layer requires inputs of shapes that broadcast "
                f"together; got {', '.join(map(str, shapes))}"
            ) from None

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """The merged tensor (each merge layer defines it)."""
        raise NotImplementedError(f"{type(self).__name__} must define merge(tensors)")


class Add(Merge):
    """y = x1 + x2 + ... + xn, element by element."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = out + t
        return out


class Subtract(Merge):
    """y = x1 - x2, for exactly two inputs."""

    arity = 2

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return tensors[0] - tensors[1]


class Multiply(Merge):
    """y = x1 * x2 * ... * xn, element by element."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = out * t
        return out


class Average(Merge):
    """y = (x1 + x2 + ... + xn) / n, element by element."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = out + t
        return out / len(tensors)


class Maximum(Merge):
    """y = max(x1, x2, ..., xn), element by element (the gradient goes to the largest)."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = autograd.maximum(out, t)
        return out


class Minimum(Merge):
    """y = min(x1, x2, ..., xn), element by element (the gradient goes to the smallest)."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = autograd.minimum(out, t)
        return out


class Concatenate(Merge):
    """Join the inputs along `axis`: shapes (N, a) and (N, b) give (N, a + b) for the
    last axis. All other axes must match.

    Args:
        axis: the axis to join along (negative counts from the end; never the batch
            axis 0).
        name: Keras's name.
    """

    def __init__(self, axis: int = -1, name: str | None = None) -> None:
        super().__init__(name)
        self.axis = check_int("Concatenate", "axis", axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Keras's: each input's mask (all True for one without, a mask of fewer axes
        spread over the last), joined along `axis`, then any() over the last axis."""
        masks = _mask_list(inputs, mask)
        if masks is None or all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            shape = np.shape(x.data if isinstance(x, Tensor) else x)
            if m is None:
                full.append(np.ones(shape, bool))
            elif _bools(m).ndim < len(shape):
                full.append(np.broadcast_to(_bools(m)[..., None], shape))
            else:
                full.append(_bools(m))
        return Tensor(np.concatenate(full, axis=self.axis).any(axis=-1))

    def _check_shapes(self, shapes: list[tuple[int, ...]]) -> None:
        ndim = len(shapes[0])
        axis = self.axis
        ok = all(len(s) == ndim for s in shapes) and -ndim <= axis < ndim
        if ok:
            axis %= ndim
            ok = all(
                s[:axis] + s[axis + 1 :] == shapes[0][:axis] + shapes[0][axis + 1 :] for s in shapes
            )
        if not ok:
            raise ValueError(
                f"A `Concatenate` layer requires inputs with matching shapes except for the "
                f"concatenation axis (axis={self.axis}); got {', '.join(map(str, shapes))}"
            )

    def merge(self, tensors: list[Tensor]) -> Tensor:
        return cat(tensors, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Add(**kwargs)(inputs)`: the sum of the inputs."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Subtract(**kwargs)(inputs)`: the first input minus the second."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Multiply(**kwargs)(inputs)`: the product of the inputs."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Average(**kwargs)(inputs)`: the mean of the inputs."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Maximum(**kwargs)(inputs)`: the element-wise largest input."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Minimum(**kwargs)(inputs)`: the element-wise smallest input."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """`Concatenate(axis, **kwargs)(inputs)`: the inputs joined along `axis`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
