"""Memory estimates and the refusal of requests that cannot fit, made before allocating.

The limit is ``CNN_BOUNDS_MEMORY_LIMIT`` (bytes, or with a suffix K, M, G: ``"8G"``) when set, otherwise
80 % of the memory the operating system reports as available.
"""

from __future__ import annotations

import os

from numeric.errors import InvalidInputError, TooLargeError

MEMORY_LIMIT_ENV = "CNN_BOUNDS_MEMORY_LIMIT"
_NEVER_REFUSED = 1 << 24
_SUFFIXES = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def memory_limit_bytes() -> int:
    """The number of bytes one request may use (see the module docstring for where it comes from)."""
    setting = os.environ.get(MEMORY_LIMIT_ENV, "").strip().upper().removesuffix("B")
    if not setting:
        return int(0.8 * _available_bytes())
    number, suffix = (setting[:-1], setting[-1]) if setting[-1] in _SUFFIXES else (setting, "")
    try:
        return int(float(number) * _SUFFIXES[suffix])
    except ValueError:
        raise InvalidInputError(
            f"{MEMORY_LIMIT_ENV}={os.environ[MEMORY_LIMIT_ENV]!r} is not a size; use bytes or e.g. '8G'"
        ) from None


def format_bytes(nbytes: float) -> str:
    """Human-readable size in binary units, e.g. ``'1.5 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(nbytes) < 1024 or unit == "PiB":
            return f"{nbytes:.1f} {unit}" if unit != "B" else f"{int(nbytes)} B"
        nbytes /= 1024
    raise AssertionError("unreachable")


def require_memory(nbytes: int, what: str, fix: str) -> None:
    """Raise :class:`~numeric.errors.TooLargeError` if ``nbytes`` exceeds the limit, naming ``what`` needs
    it and ``fix``."""
    if nbytes < _NEVER_REFUSED and not os.environ.get(MEMORY_LIMIT_ENV):
        return  # not worth reading /proc/meminfo for: a machine with less than this free cannot run Python
    limit = memory_limit_bytes()
    if nbytes > limit:
        raise TooLargeError(
            f"{what} needs about {format_bytes(nbytes)}, more than the memory limit of "
            f"{format_bytes(limit)} (set {MEMORY_LIMIT_ENV} to change it); {fix}"
        )
