"""PyTorch's `torch.nn.utils.stateless` (``nn.utils.stateless.functional_call``): a
module called with other parameters and buffers, `autograd.func.functional_call`."""

from autograd.func import functional_call

__all__ = ["functional_call"]
