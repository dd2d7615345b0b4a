"""`torch.utils`'s place, so PyTorch code written as ``import autograd as torch`` finds
``torch.utils.data`` (and ``from autograd.utils import data``): it is `nn.data`, with
`Dataset`, `TensorDataset`, `DataLoader`, `Subset` and `random_split`."""

from nn import data

__all__ = ["data"]
