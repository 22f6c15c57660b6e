"""Measured points: a sweep's unit of work. Each point is a dict of parameters; its measurement is a dict of
numbers. :class:`Points` keeps them by their parameters, so a point is measured once; the driver's
:class:`cnn_bounds.driver.cache.PointCache` also appends each to a file, so an interrupted sweep resumes.
:func:`run_points` measures the missing ones in parallel (joblib: local processes or a Dask cluster).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from joblib import Parallel, delayed, parallel_config
from tqdm import tqdm

from numeric import InvalidInputError


class Points:
    """Measured points keyed by their parameters, in memory."""

    def __init__(self) -> None:
        self.points: dict[str, dict] = {}

    def key(self, parameters: dict) -> str:
        return json.dumps(parameters, sort_keys=True)

    def __contains__(self, parameters: dict) -> bool:
        return self.key(parameters) in self.points

    def store(self, parameters: dict, measured: dict) -> dict:
        """Record the point ``parameters`` + ``measured``; return it."""
        point = {**parameters, **measured}
        self.points[self.key(parameters)] = point
        return point

    def get_or_measure(self, parameters: dict, measure: Callable[[], dict]) -> dict:
        """The stored point for ``parameters``, or ``measure()`` stored and returned."""
        if parameters not in self:
            return self.store(parameters, measure())
        return self.points[self.key(parameters)]


def _connect(address: str, timeout: str = "5s"):
    """A distributed.Client for the scheduler at ``address``, or one clear error naming the fix."""
    try:
        from distributed import Client
    except ImportError:
        raise InvalidInputError(
            "running on a Dask cluster needs the distributed package: pip install 'cnn-bounds[cluster]'"
        ) from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise InvalidInputError(
            f"cannot reach a Dask scheduler at {address!r} ({type(error).__name__}); start one "
            "with `dask scheduler` and pass the address it prints, or drop --scheduler"
        ) from None


def run_points(
    measure: Callable[[dict], dict],
    points: list[dict],
    cache: Points,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> list[dict]:
    """``measure`` at every point not yet in ``cache``, in parallel through joblib: ``jobs`` local processes,
    or the workers of the Dask scheduler at ``scheduler`` (an address, or a distributed.Client); each result
    is stored as it arrives, so an interrupted sweep resumes. Returns every point, cached or new, in order."""
    missing = [point for point in points if point not in cache]
    if missing:
        client = None
        if scheduler is not None:
            client = scheduler if not isinstance(scheduler, str) else _connect(scheduler)
            config = parallel_config(backend="dask", n_jobs=-1)
        else:
            config = parallel_config(
                backend="loky" if jobs > 1 else "sequential", n_jobs=jobs, inner_max_num_threads=1 if jobs > 1 else None
            )
        try:
            with config:
                results = Parallel(return_as="generator")(delayed(measure)(point) for point in missing)
                for point, result in tqdm(
                    zip(missing, results),
                    total=len(missing),
                    desc="points",
                    leave=False,
                    disable=None if progress else True,
                ):
                    cache.store(point, result)
        finally:
            if client is not None and client is not scheduler:
                client.close()
    return [cache.points[cache.key(point)] for point in points]
