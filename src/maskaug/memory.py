"""Give freed memory back to the system between chunks, so a long run's resident memory stays flat.

PyTorch's CPU tensors come from the C allocator. With glibc, the freed activations of one batch are kept in
the heap and arenas rather than returned, and glibc raises its mmap threshold after each freed large block,
so a run of 200k rows grew by 140 MB although nothing was held (``benchmarks/rss_stream.py``; one
``malloc_trim(0)`` at the end gave 340 MB back). ``release`` calls ``malloc_trim(0)`` where it exists
(glibc) and does nothing elsewhere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.lru_cache(maxsize=1)
def _trim():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc.malloc_trim if libc is not None and hasattr(libc, "malloc_trim") else None
    except OSError:  # pragma: no cover - no C library to load
        return None


def release() -> bool:
    """Return the C heap's free memory to the system; whether it could (glibc only)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
