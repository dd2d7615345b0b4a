"""PyTorch's `torch.nn.utils.stateless` (``nn.utils.stateless.functional_call``): a
module called with other parameters and buffers, `autograd.func.functional_call`."""

from __future__ import annotations

from typing import Any


def functional_call(*args: Any, **kwargs: Any) -> Any:
    """`autograd.func.functional_call` (loaded on first use, as `autograd.func` is)."""
    from autograd.func import functional_call as call

    return call(*args, **kwargs)


__all__ = ["functional_call"]
