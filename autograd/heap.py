"""Keeping freed memory for the next training step, as deep-learning frameworks' own
allocators do: glibc's malloc, told not to hand large blocks back to the kernel.

numpy takes every array's memory from malloc. glibc serves a request of 128 KiB or more
(a threshold it raises as such blocks are freed, up to 32 MiB) with pages of its own
from the kernel (`mmap`) and returns them when the array is freed; it also returns the
free top of its heap once that grows past a second threshold. A page returned costs a
page fault the next time an array there is written: about 2 us each on a virtual
machine, a tenth of that on bare metal. A training step makes the same large
temporaries every time, so it pays again every step: the blitz CNN of
`benchmarks/bench_conv.py` (batch 64) takes 3,600 page faults per step, for gradwork
and for the same step in plain numpy alike, and on one virtual machine they are half of
the step's time (numpy 14.4 ms -> 6.3 ms a step, gradwork 17.4 -> 7.4 ms, PyTorch 5.0 ms).

`keep_freed_memory()` sets glibc's M_MMAP_THRESHOLD to its largest value, 32 MiB (larger
arrays still come from the kernel and go back to it), and M_TRIM_THRESHOLD to 1 GiB, so
freed arrays below 32 MiB stay in the heap for the next ones. The price: a process keeps
the memory it freed (its resident size stays near its peak), the trade PyTorch's caching
allocators make too. `import autograd` calls it, unless the environment sets
``GRADWORK_KEEP_FREED_MEMORY=0``; where the C library is not glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import os

#: glibc's `mallopt` parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: The largest M_MMAP_THRESHOLD glibc accepts on 64-bit systems (4 MiB * sizeof(long)).
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 1024 * 1024 * 1024

#: Whether `keep_freed_memory` has set glibc's thresholds in this process.
keeping = False


def _glibc() -> ctypes.CDLL | None:
    """The process's C library if it is glibc (it alone has `gnu_get_libc_version`)."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 (the lookup is the test)
    except (OSError, AttributeError, TypeError):  # no such symbol, or no C library to load
        return None
    return libc


def keep_freed_memory() -> bool:
    """Keep freed arrays' memory (below 32 MiB) in the process for reuse (see the module
    docstring). Returns whether glibc took the settings; False elsewhere."""
    global keeping
    libc = _glibc()
    if libc is None:
        return False
    keeping = bool(
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )
    return keeping


def keep_on_import() -> None:
    """What `import autograd` does: `keep_freed_memory()` unless
    GRADWORK_KEEP_FREED_MEMORY is "0"."""
    if os.environ.get("GRADWORK_KEEP_FREED_MEMORY", "1").strip() != "0":
        keep_freed_memory()
