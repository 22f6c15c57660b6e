"""How many threads numeric's own parallel loops use (BLAS and torch keep their own settings).

Default: ``CNN_BOUNDS_THREADS`` when set, else the CPUs this process may run on. The command line sets it
to the CPUs idle when a command starts.
"""

from __future__ import annotations

import os

from numeric.errors import InvalidInputError

_chosen: int | None = None


def set_threads(count: int) -> None:
    """Use ``count`` threads (a positive integer) from now on."""
    global _chosen
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InvalidInputError(f"the thread count must be a positive integer, got {count!r}")
    _chosen = count


def threads() -> int:
    """The thread count in force (module docstring)."""
    if _chosen is not None:
        return _chosen
    chosen = os.environ.get("CNN_BOUNDS_THREADS", "")
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


__all__ = ["set_threads", "threads"]
