"""Keras's `EinsumDense`: a dense layer whose product is an einsum.

    y = activation(einsum(equation, x, kernel) + bias)

`equation` is "ab,bc->ac", "...ab,bc->...ac" or "ab...,bc->ac...": the input's
subscripts, the kernel's and the output's. The kernel's shape is read from the input's
shape (its letters that the input has) and `output_shape` (those the output has); the
bias has the output's letters from the first of `bias_axes` to the last output letter,
of size 1 where a letter is not in `bias_axes` (so it broadcasts). (Keras's
`compute_output_shape` gives the axes of a leading ellipsis of two or more axes in
reverse order; here they are in the order the layer outputs them.) Weights as Keras
names and shapes them: `kernel`, then `bias`, then LoRA's `lora_kernel_a`,
`lora_kernel_b`.

A Keras initializer of the VarianceScaling family (the default glorot_uniform) counts
its fans as Keras's EinsumDense makes it: fan_in the product of the kernel's axes
the input has, fan_out of those the output has (a (dim, heads, key_dim) kernel
of "abc,cde->abde" has fan_in dim and fan_out heads * key_dim).

Example:
    >>> import numpy as np, nn
    >>> layer = nn.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 4), bias_axes="de")
    >>> layer(np.ones((3, 5, 8), np.float32)).shape, layer.kernel.shape, layer.bias.shape
    ((3, 5, 2, 4), (8, 2, 4), (2, 4))
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.checks import check_int
from nn import activations, constraints, init, initializers, regularizers
from nn.layer import Layer, Variable

Shape = Sequence[int | None]


def analyze_einsum_string(
    equation: str, bias_axes: str | None, input_shape: Shape, output_shape: Any
) -> tuple[list[int], list[int] | None, list[int | None], list[int], list[int]]:
    """(kernel shape, bias shape or None, full output shape, the kernel's input axes,
    its output axes) of an EinsumDense, as Keras's `_analyze_einsum_string`.

    Raises:
        ValueError: an equation of another form, or shapes and letters that do not fit.
    """
    dotted = re.sub(r"\.\.\.", "0", equation)
    for pattern, left in (
        ("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
        ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
        ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
    ):
        split = re.match(pattern, dotted)
        if split:
            return _analyze_split(split, bias_axes, input_shape, output_shape, left)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form "
        "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def _analyze_split(
    split: re.Match[str], bias_axes: str | None, input_shape: Shape, output_shape: Any, left: bool
) -> tuple[list[int], list[int] | None, list[int | None], list[int], list[int]]:
    input_spec, weight_spec, output_spec = split.group(1), split.group(2), split.group(3)
    input_shape = list(input_shape)
    elided = len(input_shape) - len(input_spec)
    out: list[int | None] = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out.insert(0, input_shape[0])
    if elided > 0 and left:  # (in order: Keras's own inserts them reversed)
        out[1:1] = input_shape[1:elided]
    elif elided > 0:
        out.extend(input_shape[len(input_shape) - elided :])
    if left:
        input_map = {d: i + elided - len(input_shape) for i, d in enumerate(input_spec)}
        output_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_map = {d: i for i, d in enumerate(input_spec)}
        output_map = {d: i for i, d in enumerate(output_spec)}
    for d in input_spec:
        size = input_shape[input_map[d]]
        if d in output_map and out[output_map[d]] is not None and out[output_map[d]] != size:
            raise ValueError(
                "Input shape and output shape do not match at shared dimension "
                f"'{d}'. Input shape is {size}, and output shape is {out[output_map[d]]}."
            )
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(
                f"Dimension '{d}' was specified in the output '{output_spec}' but has no "
                f"corresponding dim in the input spec '{input_spec}' or weight spec "
                f"'{output_spec}'"
            )
    kernel: list[Any] = []
    input_axes, output_axes = [], []
    for i, d in enumerate(weight_spec):
        if d in output_map:
            kernel.append(out[output_map[d]])
            output_axes.append(i)
        elif d in input_map:
            kernel.append(input_shape[input_map[d]])
            input_axes.append(i)
        else:
            raise ValueError(
                f"Weight dimension '{d}' did not have a match in either the input spec "
                f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the "
                "weight must be fully specified."
            )
    bias: list[Any] | None = None
    if bias_axes is not None:
        shift = elided if left else 0
        sizes = {c: out[i + shift] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(
                    f"Bias dimension '{c}' was requested, but is not part of the output "
                    f"spec '{output_spec}'"
                )
        first = min(output_spec.find(c) for c in bias_axes)
        bias = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left:
            bias.extend([1] * elided)
    return kernel, bias, out, input_axes, output_axes


def draw(
    layer: Layer,
    initializer: Any,
    shape: tuple[int, ...],
    name: str,
    regularizer: Any,
    constraint: Any,
    fans: tuple[int, int] | None = None,
) -> Variable:
    """`layer.add_weight` of a weight drawn by `initializer`: a Keras initializer
    draws in Keras's layout with `fans` (VarianceScaling's family; Keras's own fans
    of the shape when None), an `nn.init` function as `add_weight` draws it."""
    if not isinstance(initializer, initializers.Initializer):
        return layer.add_weight(
            shape=shape,
            initializer=initializer,
            name=name,
            regularizer=regularizer,
            constraint=constraint,
        )
    weight = layer.add_weight(
        shape=shape, initializer="zeros", name=name, regularizer=regularizer, constraint=constraint
    )
    if isinstance(initializer, initializers.VarianceScaling):
        fans = initializers.keras_fans(shape) if fans is None else fans
        values = initializer.sample(shape, fans, initializer._rng(None))
    else:
        values = initializer(shape, weight.dtype)
    weight.data[...] = np.asarray(values.data if isinstance(values, Tensor) else values)
    return weight


def keras_initializer(identifier: Any) -> Any:
    """A name or config as Keras's initializer object (whose fans Keras's layers
    set), anything else (an initializer, an `nn.init` function) as it is."""
    if isinstance(identifier, (str, dict)):
        return initializers.get(identifier)
    return identifier


class EinsumDense(Layer):
    """Keras's `layers.EinsumDense`: y = activation(einsum(equation, x, kernel) + bias)
    (see the module docstring for the shapes).

    Args:
        equation: "ab,bc->ac", "...ab,bc->...ac" or "ab...,bc->ac...".
        output_shape: the output's shape without the batch axis and the ellipsis' axes
            (an int for one axis); None for an axis the input gives.
        activation: a name, a function or None (identity).
        bias_axes: the output letters the bias has (None: no bias).
        kernel_initializer, bias_initializer: names or initializers.
        kernel_regularizer, bias_regularizer: penalties on the weights.
        kernel_constraint, bias_constraint: projections after each update.
        lora_rank: a rank r to train a low-rank update instead of the kernel: the
            kernel is frozen and the product uses
            kernel + (lora_alpha / r) * lora_kernel_a @ lora_kernel_b (see `enable_lora`).
        lora_alpha: the scale's numerator (`lora_rank` by default).
        gptq_unpacked_column_size, quantization_config: Keras's quantization, which
            is not here: only None is taken.
        **kwargs: Keras's layer arguments (`name`, `dtype`, `activity_regularizer`, ...).

    Raises:
        ValueError: a quantization argument, or a lora_rank that is not a positive int.
    """

    def __init__(
        self,
        equation: str,
        output_shape: int | Sequence[int | None],
        activation: str | Callable[[Tensor], Tensor] | None = None,
        bias_axes: str | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: regularizers.RegularizerLike = None,
        bias_regularizer: regularizers.RegularizerLike = None,
        kernel_constraint: constraints.ConstraintLike = None,
        bias_constraint: constraints.ConstraintLike = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        gptq_unpacked_column_size: int | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        for argument, value in (
            ("gptq_unpacked_column_size", gptq_unpacked_column_size),
            ("quantization_config", quantization_config),
        ):
            if value is not None:
                raise ValueError(
                    f"EinsumDense: {argument}={value!r} asks for a quantized layer; "
                    "quantization is not supported, use None"
                )
        super().__init__(**kwargs)
        if not isinstance(equation, str):
            raise TypeError(f"EinsumDense: equation must be a str, got {equation!r}")
        self.equation = equation
        self.partial_output_shape = (
            (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        )
        self.bias_axes = bias_axes
        self.activation = activations.get(activation, keras=True)
        self.kernel_initializer = keras_initializer(kernel_initializer)
        self.bias_initializer = keras_initializer(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, "bias_regularizer")
        self.kernel_constraint = constraints.get(kernel_constraint, "kernel_constraint")
        self.bias_constraint = constraints.get(bias_constraint, "bias_constraint")
        if lora_rank is not None:
            check_int("EinsumDense", "lora_rank", lora_rank, minimum=1)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False
        self.kernel: Variable | None = None
        self.bias: Variable | None = None

    def build(self, input_shape: Shape) -> None:
        """Make `kernel` (and `bias`) for inputs of `input_shape`."""
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        shape = tuple(int(n) for n in kernel_shape)
        fans = (
            math.prod(shape[a] for a in input_axes),
            math.prod(shape[a] for a in output_axes),
        )
        self.kernel = draw(
            self,
            self.kernel_initializer,
            shape,
            "kernel",
            self.kernel_regularizer,
            self.kernel_constraint,
            fans,
        )
        if bias_shape is not None:
            self.bias = draw(
                self,
                self.bias_initializer,
                tuple(int(n) for n in bias_shape),
                "bias",
                self.bias_regularizer,
                self.bias_constraint,
            )
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    def enable_lora(
        self,
        rank: int,
        lora_alpha: float | None = None,
        a_initializer: Any = "he_uniform",
        b_initializer: Any = "zeros",
    ) -> None:
        """Keras's LoRA: freeze `kernel` and learn lora_kernel_a (kernel.shape[:-1] +
        (rank,)) and lora_kernel_b ((rank, kernel.shape[-1])); the product then uses
        kernel + (lora_alpha / rank) * lora_kernel_a @ lora_kernel_b.

        Raises:
            ValueError: a kernel constraint, an unbuilt layer, or LoRA enabled already.
        """
        if self.kernel_constraint:
            raise ValueError(
                "Lora is incompatible with kernel constraints. In order to enable lora on "
                "this layer, remove the `kernel_constraint` argument."
            )
        if not self.built or self.kernel is None:
            raise ValueError("Cannot enable lora on a layer that isn't yet built.")
        if self.lora_enabled:
            raise ValueError("lora is already enabled. This can only be done once per layer.")
        rank = check_int("EinsumDense", "rank", rank, minimum=1)
        shape = tuple(self.kernel.shape)
        self.lora_kernel_a = self.add_weight(
            shape=(*shape[:-1], rank),
            initializer=init.get(a_initializer),
            name="lora_kernel_a",
            regularizer=self.kernel_regularizer,
        )
        self.lora_kernel_b = self.add_weight(
            shape=(rank, shape[-1]),
            initializer=init.get(b_initializer),
            name="lora_kernel_b",
            regularizer=self.kernel_regularizer,
        )
        self.kernel.trainable = False  # (set back by `trainable = True`, as Keras's)
        self.lora_enabled = True
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def effective_kernel(self) -> Tensor:
        """The kernel the product uses: `kernel`, plus LoRA's update when enabled."""
        assert self.kernel is not None
        if not self.lora_enabled:
            return self.kernel
        scale = float(self.lora_alpha) / float(self.lora_rank)  # type: ignore[arg-type]
        return self.kernel + scale * autograd.matmul(self.lora_kernel_a, self.lora_kernel_b)

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(self.dtype)
        x = autograd.einsum(self.equation, inputs, self.effective_kernel())
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape: Shape) -> tuple[int | None, ...]:
        """The output's shape for inputs of `input_shape` (Keras's)."""
        _, _, out, _, _ = analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        return tuple(out)

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.config_of(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.config_of(self.kernel_initializer),
            "bias_initializer": initializers.config_of(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(
                self.__dict__.get("activity_regularizer")
            ),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
        if self.lora_rank:
            config["lora_rank"] = self.lora_rank
            config["lora_alpha"] = self.lora_alpha
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> EinsumDense:
        """A new layer from `get_config()`'s dict (or Keras's: a dtype policy is read)."""
        config = dict(config)
        dtype = config.get("dtype")
        if isinstance(dtype, dict):  # Keras's DTypePolicy
            config["dtype"] = dtype.get("config", {}).get("name")
        return cls(**config)

    def extra_repr(self) -> str:
        return f"equation={self.equation!r}, output_shape={self.partial_output_shape}"
