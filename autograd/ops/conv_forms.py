"""The convolutions' functional forms, as PyTorch's: `conv1d/2d/3d` and
`conv_transpose1d/2d/3d` with torch's arguments (padding an int, a tuple, "valid" or
"same"), unbatched inputs and torch's messages for bad ones; and `conv_padded` (padding
as (before, after) pairs) for `nn`'s Keras layers. The ops are `autograd.ops.conv`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.ops.conv import ConvNd, ConvTransposeNd, Ints, Pairs


def ntuple(name: str, value: Any, d: int) -> Ints:
    """An int or a sequence of d ints as a tuple of d ints (torch's message otherwise)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * d
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values * d
    if len(values) != d:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {d} values to match "
            f"the convolution dimensions, but got {name}={list(values)}"
        )
    return values


def conv_padding(padding: Any, kernel: Ints, stride: Ints, dilation: Ints) -> Pairs:
    """torch's padding argument (int, tuple, "valid" or "same") as (before, after) pairs.
    "same" pads dilation * (kernel - 1) in all, the odd one at the end, as torch."""
    d = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * d
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [di * (k - 1) for k, di in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in total)
    pads = ntuple("padding", padding, d)
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in pads)


def _dims(shape: tuple[int, ...]) -> str:
    return f"[{', '.join(map(str, shape))}]"


def check_conv_input(
    name: str, x: np.ndarray, w: np.ndarray, groups: int, transposed: bool = False
) -> None:
    """torch's checks of a convolution's batched input (N, C, *spatial) and weight."""
    if groups < 1:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] % groups and not transposed:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{_dims(w.shape)}] instead"
        )
    expected = w.shape[0] if transposed else w.shape[1] * groups
    if x.shape[1] != expected:
        given = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(
            f"Given {given}, weight of size {_dims(w.shape)}, "
            f"expected input{_dims(x.shape)} to have {expected} channels, "
            f"but got {x.shape[1]} channels instead"
        )


#: torch's names of dtypes in its messages ("expected scalar type Double but found Float").
_TORCH_NAMES = {
    "float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}  # fmt: skip


def check_dtypes(x: Any, w: Any, b: Any) -> None:
    """torch's errors for a weight or bias of another dtype than the input (no promotion)."""
    if w.dtype != x.dtype:
        theirs, ours = (_TORCH_NAMES.get(t.name, t.name) for t in (x.dtype, w.dtype))
        raise RuntimeError(f"expected scalar type {theirs} but found {ours}")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(
            f"Input type ({_TORCH_NAMES.get(x.dtype.name, x.dtype.name).lower()}) and bias type "
            f"({_TORCH_NAMES.get(b.dtype.name, b.dtype.name).lower()}) should be the same"
        )


def check_steps(stride: Ints, dilation: Ints) -> None:
    """torch's errors for a stride or dilation below 1."""
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in dilation):
        raise RuntimeError("dilation should be greater than zero")


def check_weight(name: str, weight: Any, d: int) -> None:
    if weight.ndim != d + 2:
        raise RuntimeError(
            f"{name}: weight should have {d + 2} dimensions, got shape {_dims(weight.shape)}"
        )


def batched(name: str, x: Any, d: int) -> tuple[Any, bool]:
    """x with a batch axis (unbatched (C, *spatial) input gets one), and whether it was
    added; torch's message for another number of dims."""
    from autograd.ops.shape import reshape

    if x.ndim == d + 2:
        return x, False
    if x.ndim == d + 1:
        return reshape(x, (1, *x.shape)), True
    raise RuntimeError(
        f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {name}, "
        f"but got input of size: {_dims(x.shape)}"
    )


def unbatched(z: Any, added: bool) -> Any:
    from autograd.ops.shape import reshape

    return reshape(z, z.shape[1:]) if added else z


def _checked(
    name: str,
    d: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    dilation: Any,
    groups: int,
    transposed: bool = False,
) -> tuple[Any, bool, tuple[int, ...], Ints, Ints]:
    """The checks a convolution and a transposed one share: the input as a batched
    Tensor (and whether a batch axis was added), the kernel's size, stride and dilation
    as d-tuples. Raises torch's errors for a weight, input, dtype or step that does not fit."""
    from autograd.tensor import Tensor

    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    check_weight(name, weight, d)
    x, added = batched(name, x, d)
    check_conv_input(name, x, weight, groups, transposed=transposed)
    check_dtypes(x, weight, bias)
    st, di = ntuple("stride", stride, d), ntuple("dilation", dilation, d)
    check_steps(st, di)
    return x, added, tuple(weight.shape[2:]), st, di


def _convnd(
    d: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Any:
    x, added, kernel, st, di = _checked(
        f"conv{d}d", d, input, weight, bias, stride, dilation, groups
    )
    pads = conv_padding(padding, kernel, st, di)
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads, strict=True)]
    span = [v * (k - 1) + 1 for k, v in zip(kernel, di, strict=True)]
    if any(p < s for p, s in zip(padded, span, strict=True)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, span))}). "
            "Kernel size can't be greater than actual input size"
        )
    args = (x, weight) if bias is None else (x, weight, bias)
    z = ConvNd.apply(*args, stride=st, padding=pads, dilation=di, groups=groups)
    return unbatched(z, added)


def conv_padded(
    input: Any, weight: Any, bias: Any, stride: Ints, padding: Pairs, dilation: Ints, groups: int
) -> Any:
    """The convolution of a batched (N, C_in, *spatial) input with padding given as
    (before, after) pairs per spatial dim (Keras's "same" puts the odd one after), for
    `nn`'s Keras layers; the options are tuples, unchecked."""
    args = (input, weight) if bias is None else (input, weight, bias)
    return ConvNd.apply(*args, stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv_transpose_padded(
    input: Any, weight: Any, bias: Any, stride: Ints, starts: Ints, dilation: Ints, size: Ints
) -> Any:
    """The transposed convolution of a batched (N, C_in, *spatial) input, weight
    (C_in, C_out, *k), as positions start .. start + size of its full output
    ((n - 1) * stride + dilation (k - 1) + 1 long, zeros past its end), for `nn`'s Keras
    layers (Keras's "same" and `output_padding` crop unevenly); the options are tuples,
    unchecked."""
    from autograd.ops.shape import reshape

    full = [
        (n - 1) * s + v * (k - 1) + 1
        for n, s, v, k in zip(input.shape[2:], stride, dilation, weight.shape[2:], strict=True)
    ]
    pairs = tuple((a, max(f - a - n, 0)) for a, f, n in zip(starts, full, size, strict=True))
    y = ConvTransposeNd.apply(
        input, weight, size=tuple(size), stride=stride, padding=pairs, dilation=dilation, groups=1
    )
    if bias is not None:
        y = y + reshape(bias, (-1, *(1,) * len(size)))
    return y


def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Any:
    """1-d convolution (cross-correlation, as torch): input (N, C_in, L) or (C_in, L),
    weight (C_out, C_in / groups, k); padding an int, a tuple, "valid" or "same"."""
    return _convnd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Any:
    """2-d convolution, as `torch.nn.functional.conv2d`: input (N, C_in, H, W) or
    (C_in, H, W), weight (C_out, C_in / groups, kH, kW), bias (C_out,).

    Example:
        >>> conv2d(x, w, b, stride=2, padding=1)  # (N, C_out, H_out, W_out)

    Raises:
        RuntimeError: torch's messages for a wrong number of dims, channel counts that do
            not match, an input smaller than the (dilated) kernel, bad options.
    """
    return _convnd(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Any:
    """3-d convolution: input (N, C_in, D, H, W) or unbatched, weight (C_out, C_in / groups, *k)."""
    return _convnd(3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transposend(
    d: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
) -> Any:
    from autograd.ops.shape import reshape

    name = f"conv_transpose{d}d"
    x, added, kernel, st, di = _checked(
        name, d, input, weight, bias, stride, dilation, groups, True
    )
    pads, extra = ntuple("padding", padding, d), ntuple("output_padding", output_padding, d)
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    if any(e >= s and e >= v for e, s, v in zip(extra, st, di, strict=True)):
        raise RuntimeError("output padding must be smaller than either stride or dilation")
    size = tuple(
        (i - 1) * s - 2 * p + v * (k - 1) + e + 1
        for i, s, p, v, k, e in zip(x.shape[2:], st, pads, di, kernel, extra, strict=True)
    )
    if any(n <= 0 for n in size):
        raise RuntimeError(f"{name}: the output size {size} is not positive")
    y = ConvTransposeNd.apply(
        x,
        weight,
        size=size,
        stride=st,
        padding=tuple((p, p) for p in pads),
        dilation=di,
        groups=groups,
    )
    if bias is not None:
        y = y + reshape(bias, (-1, *(1,) * d))
    return unbatched(y, added)


def conv_transpose1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Any:
    """1-d transposed convolution: weight (C_in, C_out / groups, k), as torch."""
    return _conv_transposend(
        1, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Any:
    """2-d transposed convolution (the gradient of conv2d with respect to its input):
    input (N, C_in, H, W), weight (C_in, C_out / groups, kH, kW), output size
    (H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1."""
    return _conv_transposend(
        2, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Any:
    """3-d transposed convolution: weight (C_in, C_out / groups, *k), as torch."""
    return _conv_transposend(
        3, input, weight, bias, stride, padding, output_padding, groups, dilation
    )
