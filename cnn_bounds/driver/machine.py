"""How many CPUs this process may use and how many are free, and the thread counts set from them.

Torch's OpenMP threads and the BLAS threads of numpy and scipy wait for each other at every parallel
step; beside another busy process, a team as large as the machine waits for its slowest member, whose
CPU is shared. Measured (bench/load_bench.py, 2 cores, against the quiet time on both): both threads ran
3.0x (training) and 3.4x (spectra) slower beside one busy loop and 6.8x and 10.4x slower beside a
two-thread BLAS job; one thread, 1.16x and 1.36x, and 2.05x and 2.24x. So the toolkit uses as many threads
as there are idle CPUs when it starts (:func:`deliberate_threads`), all of them on a quiet machine.
"""

from __future__ import annotations

import importlib
import math
import os
import time
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

from numeric import InvalidInputError, set_threads


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


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies over all CPUs from /proc/stat (Linux); None elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def idle_cpus(window: float = 0.1) -> float:
    """CPUs of this machine left idle by other processes over the next ``window`` seconds (this one sleeps
    meanwhile): from /proc/stat on Linux, else the 1-minute load average; at most :func:`usable_cpus`.
    /proc/stat counts the whole machine (in a container without lxcfs, the host), so a busy neighbour
    inside the same CPU quota may go unseen there."""
    cpus = usable_cpus()
    before = _cpu_times()
    if before is None:
        try:
            return max(0.0, min(cpus, (os.cpu_count() or cpus) - os.getloadavg()[0]))
        except (AttributeError, OSError):
            return float(cpus)
    time.sleep(window)
    after = _cpu_times()
    total = after[1] - before[1]
    if total <= 0:
        return float(cpus)
    machine = os.cpu_count() or cpus
    return max(0.0, min(cpus, machine * (1 - (after[0] - before[0]) / total)))


def deliberate_threads() -> int:
    """Set torch's intra-op threads, every loaded BLAS / OpenMP pool (threadpoolctl) and numeric's own loops
    (numeric.set_threads) to the CPUs idle now, at least 1; returns the count. ``CNN_BOUNDS_THREADS=N``
    chooses N instead, and a set OMP_NUM_THREADS is left to torch and the libraries as the user asked (numeric
    then follows torch)."""
    importlib.import_module("scipy.linalg")  # load scipy's own BLAS first: a limit reaches only loaded libraries

    chosen = os.environ.get("CNN_BOUNDS_THREADS")
    if chosen is None and os.environ.get("OMP_NUM_THREADS"):
        set_threads(torch.get_num_threads())
        return torch.get_num_threads()
    if chosen is not None and not (chosen.isdigit() and int(chosen) > 0):
        raise InvalidInputError(
            f"CNN_BOUNDS_THREADS must be a positive integer (threads per process), got {chosen!r}; "
            "unset it to use the CPUs idle at start"
        )
    threads = int(chosen) if chosen is not None else max(1, round(idle_cpus()))
    torch.set_num_threads(threads)
    threadpool_limits(threads)
    set_threads(threads)
    return threads
