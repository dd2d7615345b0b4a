"""Keras's masking: which time steps of a padded sequence a layer should skip.

A mask is a bool Tensor of shape (batch, time), True where a step holds data. It
travels with the tensor it describes, as its attribute `_keras_mask` (Keras 3's
convention), and is made by `Embedding(mask_zero=True)` (True where the index is not 0)
or `Masking(mask_value)` (True where some feature differs from mask_value).

When a layer is called on a tensor that carries a mask (or with `mask=` given), as in
Keras 3's `Layer.__call__`:

- the mask is passed as the `mask` argument of the layer's `call` (or `forward`) when
  that names a `mask` parameter and the call has a single tensor argument (the
  recurrent layers, `Bidirectional`, `GlobalAveragePooling1D`, `BatchNormalization`,
  `Softmax`, `Lambda`; a recurrent layer given `initial_state` tensors gets none, as
  in Keras); with several tensor arguments, each one's mask goes to a
  `<name>_mask` parameter (`query_mask`, `value_mask`, ...) when the call names it;
- a layer that `supports_masking` gives its outputs the mask `compute_mask(inputs,
  mask)` returns (the input's mask for the layers that keep the time axis, such as
  `Dense`, `Dropout` and `Activation`; the recurrent layers keep it only with
  return_sequences; the merge layers combine their inputs' masks);
- a layer that does not support masking drops the mask, with Keras's warning.

A loss (`nn.losses`, and those `fit` and `evaluate` use) weighs its values by the mask
of the predictions, as Keras's: masked entries count 0, the others total / valid, so
the mean is over the kept entries; `evaluate`'s metrics are means over the kept
entries too (`nn.masked_metrics`), while `fit`'s training metrics count every entry,
as Keras 3 on JAX does.
"""

from __future__ import annotations

import inspect
import warnings
from functools import cache
from typing import Any

import numpy as np

from autograd import Tensor
from nn.layer import Layer

MASK = "_keras_mask"


def get_keras_mask(x: Any) -> Tensor | None:
    """The mask `x` carries (a bool Tensor (batch, time)), or None."""
    return getattr(x, MASK, None) if isinstance(x, Tensor) else None


def set_keras_mask(x: Any, mask: Any) -> None:
    """Attach `mask` (an array or Tensor of bools; None removes it) to the Tensor `x`."""
    if not isinstance(x, Tensor):
        return
    if mask is None:
        x.__dict__.pop(MASK, None)
        return
    setattr(x, MASK, as_mask(mask))


def input_masks(first: Any) -> Any:
    """The mask of a layer's first input, or the list of the masks of a list of
    inputs (a merge's) when one of them has one; else None."""
    if isinstance(first, (list, tuple)):
        masks = [get_keras_mask(x) for x in first]
        return masks if any(m is not None for m in masks) else None
    return get_keras_mask(first)


def as_mask(mask: Any) -> Tensor:
    """`mask` as a bool Tensor (no gradient)."""
    data = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if data.dtype != np.bool_:
        data = data.astype(bool)
    return mask if isinstance(mask, Tensor) and mask.data is data else Tensor(data)


def mask_array(mask: Any) -> np.ndarray:
    """`mask` as a numpy bool array."""
    data = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    return data.astype(bool, copy=False)


def supports_masking(layer: Any) -> bool:
    """Keras's `supports_masking`: set on the layer (or its class), or True when the
    layer's class defines its own `compute_mask`."""
    given = getattr(layer, "supports_masking", None)
    if given is not None:
        return bool(given)
    return getattr(type(layer), "compute_mask", None) not in (None, Layer.compute_mask)


@cache
def _signature(function: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None


@cache
def _mask_parameters(function: Any) -> frozenset[str]:
    """The parameters of `function` Keras fills with masks: `mask` and `<name>_mask`."""
    signature = _signature(function)
    if signature is None:
        return frozenset()
    return frozenset(n for n in signature.parameters if n == "mask" or n.endswith("_mask"))


def _computation(layer: Any) -> Any:
    """The layer's `call` (a Keras `Layer`'s), else its `forward`."""
    call = getattr(type(layer), "call", None)
    return call if call is not None else type(layer).forward


def takes_mask(layer: Any) -> bool:
    """Whether the layer's `call` (or `forward`) has a `mask` parameter."""
    return "mask" in _mask_parameters(_computation(layer))


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, (Tensor, np.ndarray))


def _tensor_arguments(function: Any, layer: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Keras's `tensor_arguments_dict`: the arguments of the call (by parameter name)
    that are tensors (arrays, which Keras converts) or lists of them."""
    signature = _signature(function)
    if signature is None:
        return {}
    try:
        bound = signature.bind_partial(layer, *args, **kwargs).arguments
    except TypeError:
        return {}
    found: dict[str, Any] = {}
    items = list(bound.items())[1:]  # (not self)
    for name, value in items:
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            items += list(value.items())
            continue
        if kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        if _is_tensor_like(value) or (
            isinstance(value, (list, tuple)) and value and all(map(_is_tensor_like, value))
        ):
            found[name] = value
    return found


def _populate_masks(layer: Any, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keras's step "populate mask argument(s)": with one tensor argument, its mask
    for a `mask` parameter; with several, each one's mask for a `<name>_mask`
    parameter (an attention layer's `query_mask`, `value_mask`); given ones kept."""
    function = _computation(layer)
    wanted = _mask_parameters(function)
    if not wanted:
        return kwargs
    tensors = _tensor_arguments(function, layer, args, kwargs)
    if len(tensors) == 1:
        if "mask" in wanted and kwargs.get("mask") is None:
            mask = input_masks(next(iter(tensors.values())))
            if mask is not None:
                kwargs = {**kwargs, "mask": mask}
        return kwargs
    for name, value in tensors.items():
        key = f"{name}_mask"
        if key in wanted and kwargs.get(key) is None:
            mask = input_masks(value)
            if mask is not None:
                kwargs = {**kwargs, key: mask}
    return kwargs


def _is_keras(layer: Any) -> bool:
    """A Keras `Layer` (it computes in `call`), which `mask=` is meant for."""
    return hasattr(type(layer), "call")


def masked_call(layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any], run: Any) -> Any:
    """`run(args, kwargs)` (the layer's call) under Keras's masking rules (see the
    module's docstring): a call on tensors with masks, or given `mask=`."""
    from nn.training import Model

    first = args[0] if args else None
    if isinstance(layer, Model) or (
        kwargs.get("mask") is None and input_masks(first) is None and not _is_keras(layer)
    ):
        return run(args, kwargs)  # a model's layers see the masks; torch's `mask=` as it is
    kwargs = _populate_masks(layer, args, kwargs)
    # Keras's `previous_mask`: the `mask` argument, else the first input's
    previous = kwargs.get("mask")
    if previous is None:
        previous = input_masks(first)
    outputs = run(args, kwargs)
    if supports_masking(layer):
        _set_output_masks(layer, first, outputs, previous)
    elif not _no_mask(previous) and get_keras_mask(outputs) is None and _named(layer):
        warnings.warn(
            f"Layer '{getattr(layer, 'name', None)}' (of type {type(layer).__name__}) was "
            "passed an input with a mask attached to it. However, this layer does not "
            "support masking and will therefore destroy the mask information. Downstream "
            "layers will not see the mask.",
            stacklevel=3,
        )
    return outputs


def _no_mask(masks: Any) -> bool:
    if isinstance(masks, (list, tuple)):
        return all(m is None for m in masks)
    return masks is None


def _named(layer: Any) -> bool:
    """A Keras layer (it has a name), not a function module used inside one (the
    `ReLU` an `Activation("relu")` calls), which warns of nothing, as in Keras."""
    return getattr(layer, "name", None) is not None


def _flat(outputs: Any) -> list[Any]:
    if isinstance(outputs, (list, tuple)):
        return [leaf for item in outputs for leaf in _flat(item)]
    return [outputs]


def _set_output_masks(layer: Any, inputs: Any, outputs: Any, previous: Any) -> None:
    """Keras's `_set_mask_metadata`: unless every output has a mask already, give each
    output without one its mask from `compute_mask`."""
    flat_outputs = _flat(outputs)
    if all(get_keras_mask(x) is not None for x in flat_outputs):
        return
    compute = getattr(layer, "compute_mask", None)
    masks = previous if compute is None else compute(inputs, previous)
    if masks is None:
        return
    flat_masks = _flat(masks) if isinstance(masks, (list, tuple)) else [masks]
    for tensor, mask in zip(flat_outputs, flat_masks):
        if mask is not None and get_keras_mask(tensor) is None:
            set_keras_mask(tensor, mask)


class Masking(Layer):
    """Keras's `Masking`: marks the time steps whose features all equal `mask_value`
    as masked (skipped by the recurrent layers and the other layers that read masks),
    and sets them to 0.

        mask[b, t] = any_f(x[b, t, f] != mask_value)
        y[b, t] = x[b, t] if mask[b, t] else 0

    Args:
        mask_value: the padding value.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Example:
        >>> import numpy as np, nn
        >>> y = nn.layers.Masking()(np.array([[[1.0], [0.0]]], dtype=np.float32))
        >>> y._keras_mask.numpy()
        array([[ True, False]])
    """

    supports_masking = True

    def __init__(self, mask_value: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor:
        data = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return Tensor(np.any(data != self.mask_value, axis=-1))

    def call(self, inputs: Tensor) -> Tensor:
        keep = np.any(inputs.data != self.mask_value, axis=-1, keepdims=True)
        outputs = inputs.where(Tensor(keep), 0.0)
        set_keras_mask(outputs, keep[..., 0])
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
