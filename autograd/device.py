"""PyTorch's device names for the one device here, the CPU.

PyTorch tutorials pick a device and move models and tensors to it::

    device = "cuda" if autograd.cuda.is_available() else "cpu"
    model = Net().to(device)
    X, y = X.to(device), y.to(device)

This engine computes with numpy on the CPU: `cuda.is_available()` (and
`accelerator.is_available()`, `backends.mps.is_available()`,
`backends.cudnn.is_available()`) are False, "cpu" is
accepted wherever PyTorch takes a device (`device=` of the creation functions,
`Tensor.to`, `Module.to`), and any other device is refused with a clear error.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


class device:
    """A device: only ``device("cpu")`` (also written ``"cpu"`` or ``"cpu:0"``).

    Raises:
        RuntimeError: any other device ("cuda", "mps", ...), naming it.
    """

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:
        name = str(getattr(type, "type", type))  # a device, or its name
        kind, _, number = name.partition(":")
        if kind != "cpu" or (number and number != "0") or index not in (None, 0):
            raise RuntimeError(
                f"device {name if index is None else f'{name}:{index}'!r} is not available: "
                "this engine computes with numpy on the CPU; use 'cpu' (here "
                "autograd.cuda.is_available() is False)"
            )
        self.type: str = "cpu"
        self.index: int | None = None

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) or other == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


def check_device(where: Any) -> None:
    """Accept None and the CPU (as a name or a `device`); refuse any other device."""
    if where is not None:
        device(where)


def _false() -> bool:
    return False


def _no_op(*args: Any) -> None:
    return None


#: `autograd.cuda`: no CUDA device here.
cuda = SimpleNamespace(
    is_available=_false,
    device_count=lambda: 0,
    manual_seed=_no_op,
    manual_seed_all=_no_op,
)
#: `autograd.accelerator`: no accelerator here.
accelerator = SimpleNamespace(is_available=_false, current_accelerator=lambda: None)
#: `autograd.backends.mps.is_available()`: False. `backends.cudnn` holds the flags that
#: seeding recipes set (``torch.backends.cudnn.deterministic = True``), with torch's
#: defaults; they change nothing here (numpy on the CPU is deterministic already).
backends = SimpleNamespace(
    mps=SimpleNamespace(is_available=_false, is_built=_false),
    cudnn=SimpleNamespace(
        is_available=_false,
        version=_no_op,
        enabled=True,
        deterministic=False,
        benchmark=False,
        allow_tf32=True,
    ),
)
