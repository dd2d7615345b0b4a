"""Activation functions as modules, and `get()` to resolve one from a name.

Each module's forward is the autograd op of the same name, so its derivative is the
op's (gradchecked) backward. `get("relu")`, `get(nn.ReLU())`, `get(autograd.tanh)` and
`get(None)` (identity) all return a Module, which is what layers taking an
`activation=` argument store.

Keras's functions of the same names come last (`nn.activations.relu(x)`, as
`keras.activations.relu`), with Keras's arguments and defaults.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd
from autograd import Tensor, where
from autograd.checks import check_bool, check_real
from autograd.ops.args import axis_arg
from nn import custom_objects as own
from nn import functional as F
from nn import ops_nn, softmax_logits
from nn.layer import autocast
from nn.module import Module, has_hooks
from nn.ops import elu as elu  # the same functions in keras.activations
from nn.ops import leaky_relu as leaky_relu
from nn.ops import log_softmax as log_softmax
from nn.symbolic import default_name


class _Elementwise(Module):
    """An activation that applies `fn` to its input, with no parameters."""

    fn: Callable[[Tensor], Tensor]

    def forward(self, x: Tensor) -> Tensor:
        return type(self).fn(x)


class Identity(_Elementwise):
    """f(x) = x      f'(x) = 1"""

    fn = staticmethod(F.identity)


class Step(_Elementwise):
    """f(x) = 1 if x >= 0 else 0 (Heaviside)      f'(x) = 0"""

    fn = staticmethod(F.step)


class Sign(_Elementwise):
    """f(x) = sign(x) in {-1, 0, 1}      f'(x) = 0"""

    fn = staticmethod(F.sign)


class Sigmoid(_Elementwise):
    """f(x) = 1 / (1 + exp(-x))      f'(x) = f(x) * (1 - f(x))"""

    fn = staticmethod(F.sigmoid)


class Tanh(_Elementwise):
    """f(x) = tanh(x)      f'(x) = 1 - f(x)**2"""

    fn = staticmethod(F.tanh)


class _InPlaceFlag:
    """PyTorch's `inplace=` argument, accepted for code written for PyTorch: the result
    is computed out of place, with the same values and gradients (in PyTorch the flag
    only saves memory)."""

    inplace: bool

    def _set_inplace(self, inplace: bool) -> None:
        self.inplace = check_bool(type(self).__name__, "inplace", inplace)

    def _with_inplace(self, text: str = "") -> str:
        """`text`, then "inplace=True" when set, as PyTorch prints them."""
        return ", ".join(filter(None, [text, "inplace=True" if self.inplace else ""]))


class ReLU(_InPlaceFlag, _Elementwise):
    """f(x) = max(x, 0)      f'(x) = [x > 0]"""

    fn = staticmethod(F.relu)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self._set_inplace(inplace)

    def extra_repr(self) -> str:
        return self._with_inplace()


#: The activation modules the affine ops can apply inside their own node (`dense` and
#: `linear` with `activation=`), by type: subclasses may change what they compute.
_FUSABLE: dict[type, str] = {ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}


def fusable(module: object) -> str | None:
    """The `activation=` name under which `dense` / `linear` compute `module` in their
    own op ("relu", "sigmoid", "tanh"), or None: for a ReLU, Sigmoid or Tanh module
    exactly, without forward hooks (a hook must see the call)."""
    name = _FUSABLE.get(type(module))
    if name is None or has_hooks(module):
        return None
    return name


class GELU(Module):
    """f(x) = x * Phi(x), Phi the standard normal CDF      f'(x) = Phi(x) + x * phi(x)

    `approximate="tanh"` computes 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x**3))),
    as PyTorch's option of the same name."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_InPlaceFlag, _Elementwise):
    """f(x) = x * sigmoid(x) (swish)      f'(x) = s + x * s * (1 - s), s = sigmoid(x)"""

    fn = staticmethod(F.silu)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self._set_inplace(inplace)

    def extra_repr(self) -> str:
        return self._with_inplace()


class Softplus(Module):
    """f(x) = log(1 + exp(beta x)) / beta, and x where beta x > threshold (as torch)
    f'(x) = sigmoid(beta x), and 1 above the threshold"""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = check_real("Softplus", "beta", beta, 0, low_open=True)
        self.threshold = check_real("Softplus", "threshold", threshold)

    def forward(self, x: Tensor) -> Tensor:
        if self.beta == 1 and self.threshold == 20:  # the op: exact in both tails
            return F.softplus(x)
        scaled = x * self.beta
        linear = np.asarray(scaled.data if isinstance(scaled, Tensor) else scaled) > self.threshold
        return where(linear, x, F.softplus(scaled) * (1 / self.beta))

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LeakyReLU(_InPlaceFlag, Module):
    """f(x) = x if x > 0 else negative_slope * x      f'(x) = 1 or negative_slope"""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = check_real("LeakyReLU", "negative_slope", negative_slope)
        self._set_inplace(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return self._with_inplace(f"negative_slope={self.negative_slope}")


class ELU(_InPlaceFlag, Module):
    """f(x) = x if x > 0 else alpha * (exp(x) - 1)      f'(x) = 1 or f(x) + alpha"""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = check_real("ELU", "alpha", alpha)
        self._set_inplace(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return self._with_inplace(f"alpha={self.alpha}")


class Softmax(Module):
    """f(x)_i = exp(x_i) / sum_j exp(x_j) along `axis` (`dim` in PyTorch's spelling,
    `nn.Softmax(dim=1)`); the last axis by default."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        super().__init__()
        self.axis = axis_arg(type(self).__name__, axis, dim, default=-1)

    def forward(self, x: Tensor) -> Tensor:
        # Remembers the logits, so a Keras crossentropy can score them (`nn.softmax_logits`).
        return softmax_logits.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"dim={self.axis}"  # PyTorch's spelling, as it prints `Softmax(dim=1)`


class LogSoftmax(Softmax):
    """f(x)_i = x_i - log(sum_j exp(x_j)) along `axis` or `dim` (stable)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)


class Activation(Module):
    """An activation as a layer: Keras's `Activation("relu")` (any name `get` knows),
    or any function of one Tensor: `Activation(autograd.tanh)`.

    Args:
        activation: a name or a function of one Tensor.
        name: Keras's layer name, shown by `summary` (default `activation`,
            `activation_1`, ...).
    """

    supports_masking = True  # Keras's: the mask passes on (`nn.masking`)

    def __init__(
        self, activation: str | Callable[[Tensor], Tensor], name: str | None = None
    ) -> None:
        super().__init__()
        if not isinstance(activation, str) and not callable(activation):
            raise TypeError(
                f"Activation: activation must be a name ('relu') or a function, got "
                f"{type(activation).__name__}"
            )
        self.name = default_name(self, name)
        self.activation = activation if isinstance(activation, str) else None
        self.fn = get(activation, keras=True) if isinstance(activation, str) else activation

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(autocast(x))  # floats in the default dtype, as Keras's layer

    def extra_repr(self) -> str:
        return self.activation or str(getattr(self.fn, "__name__", repr(self.fn)))


ACTIVATIONS: dict[str, type[Module]] = {
    "step": Step,
    "sign": Sign,
    "linear": Identity,
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "gelu": GELU,
    "silu": SiLU,
    "swish": SiLU,
    "softplus": Softplus,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
}


def _keras_function(name: str, fn: Callable[..., Tensor]) -> type[Module]:
    """A parameterless module class applying Keras's activation `fn` (for the names
    Keras's `activation=` takes that have no PyTorch module here)."""
    title = "".join(part.capitalize() for part in name.split("_"))
    doc = f"Keras's `{name}` activation as a module (`nn.ops.{name}`)."
    return type(title, (_Elementwise,), {"fn": staticmethod(fn), "__doc__": doc})


ACTIVATIONS.update(
    {
        name: _keras_function(name, getattr(ops_nn, name))
        for name in (
            "celu",
            "glu",
            "hard_shrink",
            "hard_tanh",
            "log_sigmoid",
            "soft_shrink",
            "sparse_plus",
            "sparse_sigmoid",
            "sparsemax",
            "squareplus",
            "tanh_shrink",
            "hard_sigmoid",
            "hard_silu",
            "relu6",
            "selu",
            "softsign",
        )
    }
)
ACTIVATIONS["hard_swish"] = ACTIVATIONS["hard_silu"]
ACTIVATIONS["exponential"] = _keras_function("exponential", autograd.exp)
ACTIVATIONS["mish"] = _keras_function("mish", F.mish)


#: Keras's arguments for the names whose PyTorch module defaults to others: Keras's
#: `activation="leaky_relu"` is `keras.activations.leaky_relu`, of slope 0.2 (PyTorch's
#: `nn.LeakyReLU()`: 0.01).
KERAS_DEFAULTS: dict[str, Callable[[], Module]] = {"leaky_relu": lambda: LeakyReLU(0.2)}


def get(
    activation: str | Module | Callable[[Tensor], Tensor] | None, keras: bool = False
) -> Module:
    """The activation module for a name, a module, a function or None (identity).

    `keras=True` (Keras's layers: `Dense`, `Activation`) gives a name Keras's defaults
    where they differ from PyTorch's module (`KERAS_DEFAULTS`).

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: anything else.
    """
    if activation is None:
        return Identity()
    if isinstance(activation, Module):
        return activation
    if isinstance(activation, dict):
        if own.is_description(activation):  # what `serialize` wrote for your own function
            return get(own.resolve(activation, "activation"), keras)
        from nn.saving import from_layer_config  # (which imports this module)

        return from_layer_config(activation)  # a module, as `config_of` describes one
    if isinstance(activation, str):
        if keras and activation.lower() in KERAS_DEFAULTS:
            return KERAS_DEFAULTS[activation.lower()]()
        try:
            return ACTIVATIONS[activation.lower()]()
        except KeyError:
            raise ValueError(
                f"unknown activation {activation!r}; valid names: {', '.join(ACTIVATIONS)}"
            ) from None
    if callable(activation):
        return Activation(activation)
    raise TypeError(
        f"activation must be a name, a Module, a function or None, got {type(activation).__name__}"
    )


def serialize(activation: Module | Callable[[Tensor], Tensor] | str | None) -> str | dict:
    """Keras's `activations.serialize`, for a custom layer's `get_config`: the name of
    an activation `get` makes from a name ("relu"; "linear" for None), or for a
    function of your own its description, which `get` (as `load_model` runs it, with
    `custom_objects`) turns back into the function.

    Raises:
        ValueError: a lambda, or a module no name gives.
    """
    if activation is None or isinstance(activation, str):
        return activation or "linear"
    if isinstance(activation, Activation):
        return activation.activation or own.describe(activation.fn, "activation")
    if not isinstance(activation, Module):
        return own.describe(activation, "activation")
    for name in ACTIVATIONS:
        if repr(get(name, keras=True)) == repr(activation):
            return name
    raise ValueError(f"serialize: no activation name gives {activation!r}")


def config_of(activation: Module) -> str | dict:
    """An activation as a layer's `get_config` gives it: Keras's name where one makes it
    ("relu", as Keras writes it), else its description, which `get` turns back into it
    (a module of its own, `LeakyReLU(0.3)`, or a function of yours)."""
    try:
        return serialize(activation)
    except ValueError:
        from nn.saving import layer_config  # (which imports this module)

        return layer_config(activation)


def relu(
    x: Tensor, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Tensor:
    """Keras's relu: x for threshold < x (at most max_value), else
    negative_slope * (x - threshold); max(x, 0) by default."""
    if negative_slope != 0 and max_value is None and threshold == 0:
        return F.leaky_relu(x, negative_slope)
    if threshold != 0:
        mask = np.asarray(x.data if isinstance(x, Tensor) else x) > threshold
        y = where(mask, x, 0.0)
    else:
        y = F.relu(x)
    if max_value is not None:
        y = autograd.clip(y, 0.0, max_value)
    if negative_slope != 0:
        y = y - negative_slope * F.relu(threshold - x)
    return y


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, remembering the logits as `Softmax` does."""
    return softmax_logits.softmax(autograd.as_tensor(x), axis)


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    """x * Phi(x), exact by default (Keras's activation; `nn.ops.gelu` approximates)."""
    return F.gelu(x, "tanh" if approximate else "none")


def exponential(x: Tensor) -> Tensor:
    return autograd.exp(x)


sigmoid = F.sigmoid
tanh = F.tanh
silu = swish = F.silu
softplus = F.softplus
linear = F.identity
selu = F.selu
mish = F.mish
relu6 = F.relu6
softsign = F.softsign
hard_sigmoid = F.hardsigmoid
hard_silu = hard_swish = F.hardswish


# Keras 3's further activations (keras.activations.celu, ...), from nn.ops
celu = ops_nn.celu
glu = ops_nn.glu
hard_shrink = ops_nn.hard_shrink
hard_tanh = ops_nn.hard_tanh
log_sigmoid = ops_nn.log_sigmoid
soft_shrink = ops_nn.soft_shrink
sparse_plus = ops_nn.sparse_plus
sparse_sigmoid = ops_nn.sparse_sigmoid
sparsemax = ops_nn.sparsemax
squareplus = ops_nn.squareplus
tanh_shrink = ops_nn.tanh_shrink
threshold = ops_nn.threshold
