"""A way on to PyTorch and back: `to_torch(model)` and `from_torch(module)`.

Both build the same network in the other library, with copies of the same weights,
buffers and train/eval mode, so it gives the same outputs. The layers both have:
`Linear` (and `Dense`, which becomes `torch.nn.Linear` followed by its activation),
the activations, `Dropout`, `BatchNorm1d`, `LayerNorm`, `Embedding`, `Flatten`, `Identity` and
`Sequential` (`nn.MLP` becomes the Sequential of its layers). A layer with no counterpart raises
a `TypeError` that names it and where it sits. torch is imported here, when called,
so it stays an optional extra (`pip install -e ".[torch]"`).

Example:
    >>> import nn
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> nn.to_torch(model)  # doctest: +SKIP
    Sequential(
      (0): Linear(in_features=2, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=1, bias=True)
    )
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nn import activations as A
from nn import activations_torch as AT
from nn import norms_torch as NT
from nn.layers import BatchNorm1d, Dense, Dropout, Embedding, Flatten, LayerNorm, Linear
from nn.mlp import MLP
from nn.module import Module
from nn.sequential import Sequential


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            'to_torch / from_torch need PyTorch: pip install -e ".[torch]" (or pip install torch)'
        ) from None
    return torch


def _no_counterpart(layer: Any, where: str, other: str) -> TypeError:
    place = f" at {where!r}" if where else ""
    return TypeError(
        f"{type(layer).__name__}{place} has no counterpart in {other}; the layers both have "
        "are Linear/Dense, the activations (PReLU too), Dropout, AlphaDropout, BatchNorm1d, "
        "LayerNorm, RMSNorm, "
        "Embedding, Flatten, Identity and Sequential"
    )


# Activations whose torch class takes no arguments: ours -> torch's class name.
_PLAIN = {
    A.Identity: "Identity",
    A.Sigmoid: "Sigmoid",
    A.Tanh: "Tanh",
    A.ReLU: "ReLU",
    A.SiLU: "SiLU",
    AT.SELU: "SELU",
    AT.Mish: "Mish",
    AT.Hardswish: "Hardswish",
    AT.Hardsigmoid: "Hardsigmoid",
    AT.Softsign: "Softsign",
    AT.Tanhshrink: "Tanhshrink",
    AT.ReLU6: "ReLU6",
}


def to_torch(model: Module) -> Any:
    """The same network as a `torch.nn.Module`, with copies of the weights.

    Raises:
        TypeError: a layer with no PyTorch counterpart (named in the message).
        ImportError: torch is not installed.
    """
    torch = _torch()
    layers = _to_torch_layers(torch, model, "")
    single = len(layers) == 1 and not isinstance(model, (Sequential, MLP))
    out = layers[0] if single else torch.nn.Sequential(*layers)
    out.train(model.training)
    return out


def _to_torch_layers(torch: Any, layer: Any, where: str) -> list[Any]:
    """The torch modules for one of our layers (a Dense gives two, a Sequential many)."""
    tnn = torch.nn
    kind = type(layer)
    if isinstance(layer, MLP):
        return _to_torch_layers(torch, layer.layers, where)
    if isinstance(layer, Sequential):
        return [
            t
            for i, child in enumerate(layer)
            for t in _to_torch_layers(torch, child, f"{where}.{i}" if where else str(i))
        ]
    if kind is Linear:
        out = tnn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
        return [_copy_into(torch, out, layer.weight, layer.bias)]
    if kind is Dense:
        if not layer.built:
            raise ValueError(
                f"Dense at {where!r} has no weights yet: give it input_dim, or call the model once"
            )
        out = tnn.Linear(layer.input_dim, layer.units, bias=layer.bias is not None)
        _copy_into(torch, out, layer.weight.data.T, layer.bias)  # Keras's (in, out) kernel
        act = _to_torch_layers(torch, layer.activation, f"{where}.activation")
        return [out] if isinstance(act[0], tnn.Identity) else [out, *act]
    if kind in _PLAIN:
        return [getattr(tnn, _PLAIN[kind])()]
    if kind is A.GELU:
        return [tnn.GELU(approximate=layer.approximate)]
    if kind is A.Softplus:
        return [tnn.Softplus(layer.beta, layer.threshold)]
    if kind is A.LeakyReLU:
        return [tnn.LeakyReLU(layer.negative_slope)]
    if kind is A.ELU:
        return [tnn.ELU(layer.alpha)]
    if kind in (A.Softmax, A.LogSoftmax):
        return [getattr(tnn, kind.__name__)(dim=layer.axis)]
    if kind is AT.Hardtanh:
        return [tnn.Hardtanh(layer.min_val, layer.max_val)]
    if kind is AT.CELU:
        return [tnn.CELU(layer.alpha)]
    if kind is AT.Threshold:
        return [tnn.Threshold(layer.threshold, layer.value)]
    if kind in (AT.Softmin, AT.GLU):
        return [getattr(tnn, kind.__name__)(layer.dim)]
    if kind is AT.PReLU:
        out = tnn.PReLU(layer.num_parameters)
        out.weight = torch.nn.Parameter(torch.from_numpy(np.array(layer.weight.data)))
        return [out]
    if kind is Dropout:
        return [tnn.Dropout(layer.p)]
    if kind is NT.AlphaDropout:
        return [tnn.AlphaDropout(layer.p)]
    if kind is NT.RMSNorm:
        out = tnn.RMSNorm(layer.normalized_shape, layer.eps, layer.elementwise_affine)
        if layer.weight is not None:
            _copy_into(torch, out, layer.weight, None)
        return [out]
    if kind is Flatten:
        return [tnn.Flatten(layer.start_dim, layer.end_dim)]
    if kind is BatchNorm1d:
        out = tnn.BatchNorm1d(
            layer.num_features,
            layer.eps,
            layer.momentum,
            layer.affine,
            layer.track_running_stats,
            bias=layer.bias is not None or not layer.affine,
        )
        if layer.affine:
            _copy_into(torch, out, layer.weight, layer.bias)
        for name, buffer in layer.named_buffers():
            setattr(out, name, torch.from_numpy(np.array(buffer.data)))
        return [out]
    if kind is Embedding:
        out = tnn.Embedding(layer.num_embeddings, layer.embedding_dim, layer.padding_idx)
        out.weight = torch.nn.Parameter(torch.from_numpy(np.array(layer.weight.data)))
        return [out]
    if kind is LayerNorm:
        out = tnn.LayerNorm(
            layer.normalized_shape, layer.eps, layer.elementwise_affine, layer.bias is not None
        )
        if layer.weight is not None:
            _copy_into(torch, out, layer.weight, layer.bias)
        return [out]
    raise _no_counterpart(layer, where, "PyTorch")


def _copy_into(torch: Any, out: Any, weight: Any, bias: Any) -> Any:
    """Replace `out`'s weight and bias by copies of ours (their dtype too)."""
    w = np.array(getattr(weight, "data", weight))  # a copy, C-ordered
    out.weight = torch.nn.Parameter(torch.from_numpy(w))
    if bias is not None:
        out.bias = torch.nn.Parameter(torch.from_numpy(np.array(bias.data)))
    return out


def from_torch(module: Any) -> Module:
    """The same network built from `nn` layers, with copies of the weights: a
    `torch.nn.Linear` becomes `nn.Linear` (PyTorch's layout), a `torch.nn.Sequential`
    an `nn.Sequential`.

    Raises:
        TypeError: a layer with no counterpart here (named in the message).
        ImportError: torch is not installed.
    """
    torch = _torch()
    out = _from_torch(torch, module, "")
    out.train(module.training)
    return out


def _param(t: Any) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def _from_torch(torch: Any, module: Any, where: str) -> Module:
    tnn = torch.nn
    name = type(module).__name__
    if type(module) is tnn.Sequential:
        children = [
            _from_torch(torch, child, f"{where}.{key}" if where else key)
            for key, child in module.named_children()
        ]
        return Sequential(*children)
    if type(module) is tnn.Linear:
        layer = Linear(module.in_features, module.out_features, bias=module.bias is not None)
        _load(layer, module)
        return layer
    build = _FROM_TORCH.get(name) if type(module) is getattr(tnn, name, None) else None
    if build is None:
        raise _no_counterpart(module, where, "nn")
    built = build(module)
    if built is None:
        raise _no_counterpart(module, where, "nn")
    _load(built, module)
    return built


def _load(layer: Module, module: Any) -> None:
    """Copy the torch module's parameters and buffers into `layer`, dtype included."""
    state = {k: _param(v) for k, v in module.state_dict().items()}
    for name, t in layer._state_tensors().items():
        t.data = state[name]


def _batch_norm(m: Any) -> Module:
    bias = not m.affine or m.bias is not None
    return BatchNorm1d(
        m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats, bias=bias
    )


_FROM_TORCH: dict[str, Callable[[Any], Module | None]] = {
    "Identity": lambda m: A.Identity(),
    "Sigmoid": lambda m: A.Sigmoid(),
    "Tanh": lambda m: A.Tanh(),
    "ReLU": lambda m: A.ReLU(),
    "SiLU": lambda m: A.SiLU(),
    "GELU": lambda m: A.GELU(m.approximate),
    "Softplus": lambda m: A.Softplus(m.beta, m.threshold),
    "LeakyReLU": lambda m: A.LeakyReLU(m.negative_slope),
    "ELU": lambda m: A.ELU(m.alpha),
    "Softmax": lambda m: A.Softmax(dim=-1 if m.dim is None else m.dim),
    "LogSoftmax": lambda m: A.LogSoftmax(dim=-1 if m.dim is None else m.dim),
    "SELU": lambda m: AT.SELU(),
    "Mish": lambda m: AT.Mish(),
    "Hardswish": lambda m: AT.Hardswish(),
    "Hardsigmoid": lambda m: AT.Hardsigmoid(),
    "Softsign": lambda m: AT.Softsign(),
    "Tanhshrink": lambda m: AT.Tanhshrink(),
    "ReLU6": lambda m: AT.ReLU6(),
    "Hardtanh": lambda m: AT.Hardtanh(m.min_val, m.max_val),
    "CELU": lambda m: AT.CELU(m.alpha),
    "Threshold": lambda m: AT.Threshold(m.threshold, m.value),
    "Softmin": lambda m: AT.Softmin(m.dim),
    "GLU": lambda m: AT.GLU(m.dim),
    "PReLU": lambda m: AT.PReLU(m.num_parameters),
    "Dropout": lambda m: Dropout(m.p),
    "AlphaDropout": lambda m: NT.AlphaDropout(m.p),
    "RMSNorm": lambda m: NT.RMSNorm(m.normalized_shape, m.eps, m.elementwise_affine),
    "Flatten": lambda m: Flatten(m.start_dim, m.end_dim),
    "BatchNorm1d": _batch_norm,
    "Embedding": lambda m: (
        None  # max_norm, scale_grad_by_freq, sparse: no counterpart
        if m.max_norm is not None or m.scale_grad_by_freq or m.sparse
        else Embedding(m.num_embeddings, m.embedding_dim, m.padding_idx)
    ),
    "LayerNorm": lambda m: LayerNorm(
        m.normalized_shape, m.eps, m.elementwise_affine, m.bias is not None
    ),
}
