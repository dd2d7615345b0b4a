"""PyTorch's further activation modules: ReLU6, PReLU, SELU, CELU, Mish, Hardtanh,
Hardswish, Hardsigmoid, Softsign, Softmin, Tanhshrink, Threshold and GLU.

Each forward is the function of the same name in `nn.functional` (composed from
autograd ops, with PyTorch's gradients at the kinks); arguments, defaults and reprs
are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.checks import check_int, check_real
from nn import functional_activations as FA
from nn.activations import ACTIVATIONS, _Elementwise, _InPlaceFlag
from nn.module import Module, Parameter


class _ElementwiseInPlace(_InPlaceFlag, _Elementwise):
    """An elementwise activation with PyTorch's `inplace=` flag, printed when set."""

    fn: Callable[[Tensor], Tensor]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self._set_inplace(inplace)

    def extra_repr(self) -> str:
        return self._with_inplace()


class Hardtanh(_InPlaceFlag, Module):
    """f(x) = min(max(x, min_val), max_val)      f'(x) = [min_val < x < max_val]"""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        self.min_val = check_real(name, "min_val", min_val)
        self.max_val = check_real(name, "max_val", max_val)
        if not max_val > min_val:
            raise ValueError(
                f"{name}: max_val must be greater than min_val, got {min_val} and {max_val}"
            )
        self._set_inplace(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return FA.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return self._with_inplace(f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(Hardtanh):
    """f(x) = min(max(x, 0), 6)      f'(x) = [0 < x < 6]"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return self._with_inplace()


class SELU(_ElementwiseInPlace):
    """f(x) = scale * x for x > 0, else scale * alpha * (exp(x) - 1), alpha = 1.6733,
    scale = 1.0507 (self-normalizing networks, Klambauer et al., 2017)"""

    fn = staticmethod(FA.selu)


class CELU(_InPlaceFlag, Module):
    """f(x) = x for x > 0, else alpha * (exp(x / alpha) - 1)      f'(0) = 1"""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = check_real("CELU", "alpha", alpha)
        if alpha == 0:
            raise ValueError("CELU: alpha must not be 0 (it divides x)")
        self._set_inplace(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return FA.celu(x, self.alpha)

    def extra_repr(self) -> str:
        return self._with_inplace(f"alpha={self.alpha}")


class Mish(_ElementwiseInPlace):
    """f(x) = x * tanh(softplus(x))"""

    fn = staticmethod(FA.mish)


class Hardswish(_ElementwiseInPlace):
    """f(x) = x * min(max(x + 3, 0), 6) / 6 (PyTorch prints no inplace flag for it)"""

    fn = staticmethod(FA.hardswish)

    def extra_repr(self) -> str:
        return ""


class Hardsigmoid(_ElementwiseInPlace):
    """f(x) = min(max(x / 6 + 1/2, 0), 1) (PyTorch prints no inplace flag for it)"""

    fn = staticmethod(FA.hardsigmoid)

    def extra_repr(self) -> str:
        return ""


class Softsign(_Elementwise):
    """f(x) = x / (1 + |x|)"""

    fn = staticmethod(FA.softsign)


class Tanhshrink(_Elementwise):
    """f(x) = x - tanh(x)"""

    fn = staticmethod(FA.tanhshrink)


class Softmin(Module):
    """f(x)_i = exp(-x_i) / sum_j exp(-x_j) along `dim` (PyTorch's implicit choice,
    with its warning, when `dim` is None)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = None if dim is None else check_int("Softmin", "dim", dim)

    def forward(self, x: Tensor) -> Tensor:
        return FA.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(_InPlaceFlag, Module):
    """f(x) = x if x > threshold else value      f'(x) = [x > threshold]"""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = check_real("Threshold", "threshold", threshold)
        self.value = check_real("Threshold", "value", value)
        self._set_inplace(inplace)

    def forward(self, x: Tensor) -> Tensor:
        return FA.threshold(x, self.threshold, self.value)

    def extra_repr(self) -> str:
        return self._with_inplace(f"threshold={self.threshold}, value={self.value}")


class GLU(Module):
    """Gated linear unit: a * sigmoid(b), a and b the halves of x along `dim`
    (Dauphin et al., 2017). Shape: size n along `dim` in, n / 2 out."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = check_int("GLU", "dim", dim)

    def forward(self, x: Tensor) -> Tensor:
        return FA.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """f(x) = x if x > 0 else a * x, with a learnable slope `weight` (He et al., 2015):
    one for all channels, or one per channel (dim 1 of the input).

    Args:
        num_parameters: 1, or the number of channels.
        init: the slopes' initial value (0.25).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        self.num_parameters = check_int("PReLU", "num_parameters", num_parameters, 1)
        self.init = check_real("PReLU", "init", init)
        self.weight = Parameter(np.full(self.num_parameters, init, dtype=get_default_dtype()))

    def forward(self, x: Tensor) -> Tensor:
        return FA.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


# Keras's names for these (`Dense(100, activation="selu")`), which `nn.activations.get`
# resolves; registered here because nn.activations cannot import this module.
ACTIVATIONS.update(
    {
        "selu": SELU,
        "mish": Mish,
        "relu6": ReLU6,
        "softsign": Softsign,
        "hard_sigmoid": Hardsigmoid,
        "hard_silu": Hardswish,
        "hard_swish": Hardswish,
    }
)
