"""How many CPUs this process may use, and torch's thread count set from it."""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask), capped by a cgroup v2 CPU quota if one is set.

    ``os.cpu_count()`` counts the host's CPUs, which in a container can be many more than the quota allows;
    running that many threads oversubscribes the CPUs the process really has.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cpus


def configure_torch_threads() -> int:
    """Set torch's intra-op threads to :func:`usable_cpus` unless OMP_NUM_THREADS chooses; return the count."""
    if not os.environ.get("OMP_NUM_THREADS"):
        torch.set_num_threads(usable_cpus())
    return torch.get_num_threads()
