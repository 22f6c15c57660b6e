"""A resumable cache of measured points: one JSON object per line, appended and flushed as each point is
measured, so an interrupted sweep resumes where it stopped. A line cut short (a crash, a full disk) is
reported with a CacheWarning on reading and its point measured again; the next point starts on a line of
its own. Appends hold an exclusive lock on the file (POSIX), so runs sharing a cache never interleave
lines. Keys include the package version, so a new version measures afresh."""

from __future__ import annotations

import json
import os
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cnn_bounds.verdicts.points import Points

try:
    from fcntl import LOCK_EX, flock
except ImportError:  # Windows: no advisory locks; concurrent runs there may duplicate work
    LOCK_EX, flock = 0, None

try:
    _VERSION = version("cnn-bounds")
except PackageNotFoundError:  # running from a checkout that was not installed
    _VERSION = "unknown"


class CacheWarning(UserWarning):
    """A cache line that could not be read: its point is measured again."""


class PointCache(Points):
    """Measured points keyed by their parameters, also stored in ``path`` (JSON lines); ``None``: memory only."""

    def __init__(self, path: str | os.PathLike | None) -> None:
        super().__init__()
        self.path = Path(path) if path is not None else None
        if self.path is not None and self.path.exists():
            for number, line in enumerate(self.path.read_text(errors="replace").splitlines(), 1):
                try:
                    entry = json.loads(line)
                    self.points[entry["key"]] = entry["point"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    warnings.warn(
                        f"{self.path}: line {number} is cut short or unreadable (an interrupted write?); "
                        "its point will be measured again",
                        CacheWarning,
                        stacklevel=2,
                    )

    def key(self, parameters: dict) -> str:
        return json.dumps({"version": _VERSION, **parameters}, sort_keys=True)

    def store(self, parameters: dict, measured: dict) -> dict:
        """Record the point ``parameters`` + ``measured`` (appended to the file and flushed); return it."""
        point = super().store(parameters, measured)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            line = (json.dumps({"key": self.key(parameters), "point": point}) + "\n").encode()
            with open(self.path, "a+b") as handle:
                if flock is not None:
                    flock(handle.fileno(), LOCK_EX)  # released when the file closes
                if handle.seek(0, os.SEEK_END) > 0:
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":  # the last line was cut short: start a new one
                        line = b"\n" + line
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        return point
