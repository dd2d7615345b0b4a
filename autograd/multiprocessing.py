"""`torch.multiprocessing`'s place, so PyTorch code written as ``import
autograd.multiprocessing as mp`` (``import torch.multiprocessing as mp``) finds it: Python's
`multiprocessing` under the names torch re-exports. Tensors go between processes
pickled (`Tensor.__reduce__`: values, dtype and requires_grad, as a new leaf), not
through shared memory as torch's CUDA and shared-storage tensors do.
"""

from multiprocessing import (
    Barrier,
    Event,
    Lock,
    Manager,
    Pipe,
    Pool,
    Process,
    Queue,
    SimpleQueue,
    active_children,
    cpu_count,
    current_process,
    get_all_start_methods,
    get_context,
    get_start_method,
    set_start_method,
)

__all__ = [
    "Barrier",
    "Event",
    "Lock",
    "Manager",
    "Pipe",
    "Pool",
    "Process",
    "Queue",
    "SimpleQueue",
    "active_children",
    "cpu_count",
    "current_process",
    "get_all_start_methods",
    "get_context",
    "get_start_method",
    "set_start_method",
]
