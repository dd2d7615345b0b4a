"""Datasets: small generated ones for lessons, and MNIST / Fashion-MNIST from IDX files.

Example:
    >>> from nn import datasets
    >>> X, y = datasets.spiral(n_per_class=50, n_classes=3)
    >>> X.shape, X.dtype, y.dtype
    ((150, 2), dtype('float32'), dtype('int64'))
"""

from nn.datasets.idx import IDXError, parse_idx, read_idx
from nn.datasets.mnist import cache_dir, load_mnist
from nn.datasets.synthetic import LOGIC_GATES, blobs, circles, logic_gate, moons, sine, spiral

__all__ = [
    "LOGIC_GATES",
    "IDXError",
    "blobs",
    "cache_dir",
    "circles",
    "load_mnist",
    "logic_gate",
    "moons",
    "parse_idx",
    "read_idx",
    "sine",
    "spiral",
]
