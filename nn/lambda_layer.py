"""Keras's `Lambda` layer: a function of the inputs as a layer (`Lambda(lambda x: ops.exp(x))`),
with no weights of its own."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from nn.layer import Layer


class Lambda(Layer):
    """y = function(inputs, **arguments), Keras's layer around a function.

    As Keras's, the function also gets `training` and `mask` (the input's mask,
    `nn.masking`) when it names them. It is written with `nn.ops` or autograd's
    operators, so gradients flow through it.

    Args:
        function: a function of the inputs (a Tensor, or a list of them).
        output_shape: Keras's argument, accepted (shapes are found by running the
            function).
        mask: the output's mask, as Keras's: a function `mask(inputs, input_mask)`, or
            a fixed mask (None, the default: the output carries no mask).
        arguments: keyword arguments passed to `function` at each call.
        **kwargs: Keras's layer arguments (`name`, `input_shape`, ...).

    Raises:
        TypeError: a function that is not callable, or `arguments` that is not a dict.

    Example:
        >>> import numpy as np, nn
        >>> exponential_layer = nn.layers.Lambda(lambda x: nn.ops.exp(x))
        >>> exponential_layer(np.array([-1.0, 0.0, 1.0])).numpy().round(4)
        array([0.3679, 1.    , 2.7183], dtype=float32)
    """

    def __init__(
        self,
        function: Callable[..., Any],
        output_shape: Any = None,
        mask: Any = None,
        arguments: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {type(function).__name__}")
        if arguments is not None and not isinstance(arguments, Mapping):
            raise TypeError(
                f"Lambda: arguments must be a dict of keyword arguments, got "
                f"{type(arguments).__name__}"
            )
        self.mask = mask
        # Keras's: with a `mask` the output's mask is `compute_mask`'s; without, a
        # masked input's mask ends here, with Keras's warning
        self.supports_masking = mask is not None
        self.function = function
        self.output_shape = output_shape
        self.arguments = dict(arguments or {})
        self._names = _parameter_names(function)

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None) -> Any:
        extra = dict(self.arguments)
        if "training" in self._names:
            extra["training"] = training
        if "mask" in self._names:
            extra["mask"] = mask
        return self.function(inputs, **extra)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Keras's: `self.mask(inputs, mask)` when it is a function, else `self.mask`."""
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            "Lambda: a Python function cannot be written into a file; save the weights with "
            "model.save_weights(path) and rebuild the model in code"
        )

    def extra_repr(self) -> str:
        return f"function={getattr(self.function, '__name__', self.function)!r}"


def _parameter_names(function: Callable[..., Any]) -> frozenset[str]:
    """The keyword names a function takes (none known for a builtin without a signature)."""
    try:
        return frozenset(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return frozenset()
