"""A resumable cache of measured points: one JSON object per line, appended and flushed as each point is
measured, so an interrupted sweep resumes where it stopped. A line cut short by an interruption is
ignored on reading. Keys include the package version, so a new version measures afresh."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    _VERSION = version("cnn-bounds")
except PackageNotFoundError:  # running from a checkout that was not installed
    _VERSION = "unknown"


class PointCache:
    """Measured points keyed by their parameters, stored in ``path`` (JSON lines); ``None``: memory only."""

    def __init__(self, path: str | os.PathLike | None) -> None:
        self.path = Path(path) if path is not None else None
        self.points: dict[str, dict] = {}
        if self.path is not None and self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self.points[entry["key"]] = entry["point"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short by an interruption

    @staticmethod
    def key(parameters: dict) -> str:
        return json.dumps({"version": _VERSION, **parameters}, sort_keys=True)

    def __contains__(self, parameters: dict) -> bool:
        return self.key(parameters) in self.points

    def store(self, parameters: dict, measured: dict) -> dict:
        """Record the point ``parameters`` + ``measured`` (appended to the file and flushed); return it."""
        key = self.key(parameters)
        point = {**parameters, **measured}
        self.points[key] = point
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"key": key, "point": point}) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        return point

    def get_or_measure(self, parameters: dict, measure: Callable[[], dict]) -> dict:
        """The cached point for ``parameters``, or ``measure()`` stored and returned."""
        if parameters not in self:
            return self.store(parameters, measure())
        return self.points[self.key(parameters)]
