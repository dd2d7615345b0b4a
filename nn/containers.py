"""`ModuleList`: modules held in a list that a parent module registers, as PyTorch's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from nn.module import Module


class ModuleList(Module):
    """A list of modules whose parameters belong to the module that holds it.

    The modules are named "0", "1", ... (so parameters read `layers.0.weight`). It has
    no forward of its own: the holder decides how to call them.

    Example:
        >>> import nn
        >>> class Deep(nn.Module):
        ...     def __init__(self, sizes):
        ...         super().__init__()
        ...         self.layers = nn.ModuleList(
        ...             nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])
        ...         )
        ...     def forward(self, x):
        ...         for layer in self.layers:
        ...             x = layer(x).tanh()
        ...         return x
        >>> [name for name, _ in Deep([2, 4, 1]).named_parameters()]
        ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _modules(self) -> list[Module]:
        return [v for k, v in self.__dict__.items() if k.isdigit()]

    def _index(self, index: int) -> int:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ModuleList index {index} is out of range for {n} modules")
        return index % n

    def _check(self, module: Any) -> Module:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList holds Modules, got {type(module).__name__}")
        return module

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ModuleList(self._modules()[index])
        return getattr(self, str(self._index(index)))

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, str(self._index(index)), self._check(module))

    def __delitem__(self, index: int | slice) -> None:
        kept = self._modules()
        del kept[index]
        self._replace(kept)

    def __len__(self) -> int:
        return len(self._modules())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules())

    def append(self, module: Module) -> ModuleList:
        setattr(self, str(len(self)), self._check(module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        modules = self._modules()
        modules.insert(index, self._check(module))
        self._replace(modules)

    def _replace(self, modules: list[Module]) -> None:
        """Hold exactly `modules`, named "0", "1", ... in their order."""
        for name in [k for k in self.__dict__ if k.isdigit()]:
            delattr(self, name)
        self.extend(modules)

    def __repr__(self) -> str:
        """PyTorch's: runs of equal modules shown once, as ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(module) for module in self]
        if not reprs:
            return f"{type(self).__name__}()"
        runs: list[list[Any]] = []  # [first index, last index, repr]
        for i, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = []
        for first, last, text in runs:
            name = f"({first})" if first == last else f"({first}-{last}): {last - first + 1} x"
            head = f"{name}:" if first == last else name
            lines.append(f"  {head} {text}".replace("\n", "\n  "))
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"
