"""Target functions by name, for the command line: ``NAME[:key=value,...]``.

Examples: ``pattern-present``, ``pattern-present:size=3``, ``pattern-present:pattern=1001`` (a 2x2
pattern, digits row-major), ``count-threshold:size=2,threshold=3``, ``count-threshold:threshold=balanced``
(the threshold closest to half the images), ``far-apart:i=0,j=15``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from numeric import targets
from numeric.errors import InvalidInputError
from numeric.feature_mps import balanced_threshold
from numeric.lattice import Lattice


def _pattern(lattice: Lattice, size: int, pattern: str | None) -> np.ndarray:
    """The square pattern: the digits of ``pattern`` row-major, or all pixels at level 1."""
    if pattern is None:
        return np.ones((size, size), dtype=np.int64)
    side = math.isqrt(len(pattern))
    if side * side != len(pattern) or not pattern.isdigit():
        raise InvalidInputError(f"pattern={pattern!r} must be k*k digits (a square pattern, row-major), e.g. 1001")
    return np.array([int(c) for c in pattern], dtype=np.int64).reshape(side, side)


def _threshold(lattice: Lattice, pattern: np.ndarray, threshold: int | str) -> int:
    """A count threshold: 1..(number of windows), or ``balanced`` (closest to half the images, computed
    exactly by :func:`numeric.feature_mps.balanced_threshold`)."""
    if threshold == "balanced":
        return balanced_threshold(lattice, pattern)
    positions = len(targets.windows(lattice, *pattern.shape))  # refuses a pattern that does not fit
    if not 1 <= threshold <= positions:
        raise InvalidInputError(
            f"threshold must be in 1..{positions} (the number of windows) or 'balanced', got "
            f"{threshold}: other values give a constant function"
        )
    return threshold


@dataclass(frozen=True)
class TargetSpec:
    """A named target function: ``build(lattice, seed, dtype, **params)`` returns its values on every image;
    for local-feature targets, ``features(lattice, **params)`` gives (accepted patterns, aggregator,
    threshold) for the exact tensor-network engine (:mod:`numeric.feature_mps`)."""

    name: str
    summary: str
    build: Callable[..., np.ndarray]
    defaults: dict[str, int | str | None] = field(default_factory=dict)
    features: Callable[..., tuple[np.ndarray, str, int]] | None = None


CATALOG: dict[str, TargetSpec] = {
    spec.name: spec
    for spec in (
        TargetSpec(
            "pattern-present",
            "1 if some size x size window shows the pattern (OR of local detectors)",
            lambda lat, seed, dtype, size, pattern: targets.pattern_present(
                lat, _pattern(lat, size, pattern), dtype=dtype
            ),
            {"size": 2, "pattern": None},
            lambda lat, size, pattern: (_pattern(lat, size, pattern), "or", 1),
        ),
        TargetSpec(
            "pattern-absent",
            "1 if no window shows the pattern",
            lambda lat, seed, dtype, size, pattern: targets.pattern_absent(
                lat, _pattern(lat, size, pattern), dtype=dtype
            ),
            {"size": 2, "pattern": None},
            lambda lat, size, pattern: (_pattern(lat, size, pattern), "nor", 1),
        ),
        TargetSpec(
            "count-threshold",
            "1 if at least `threshold` windows show the pattern",
            lambda lat, seed, dtype, size, threshold, pattern: targets.count_threshold(
                lat, _threshold(lat, _pattern(lat, size, pattern), threshold), _pattern(lat, size, pattern), dtype=dtype
            ),
            {"size": 2, "threshold": 2, "pattern": None},
            lambda lat, size, threshold, pattern: (
                _pattern(lat, size, pattern),
                "count",
                _threshold(lat, _pattern(lat, size, pattern), threshold),
            ),
        ),
        TargetSpec(
            "majority",
            "1 if the pixel sum exceeds half its maximum",
            lambda lat, seed, dtype: targets.majority(lat, dtype=dtype),
        ),
        TargetSpec("parity", "pixel sum mod 2", lambda lat, seed, dtype: targets.parity(lat, dtype=dtype)),
        TargetSpec(
            "product",
            "product of random per-pixel factors (no entanglement)",
            lambda lat, seed, dtype: targets.product_function(lat, seed, dtype=dtype),
        ),
        TargetSpec(
            "random-gaussian",
            "i.i.d. normal values (volume-law control)",
            lambda lat, seed, dtype: targets.random_gaussian(lat, seed, dtype=dtype),
        ),
        TargetSpec(
            "random-boolean",
            "i.i.d. 0/1 labels (volume-law control)",
            lambda lat, seed, dtype: targets.random_boolean(lat, seed, dtype=dtype),
        ),
        TargetSpec(
            "far-apart",
            "1 if pixels i and j are equal (default: first and last pixel)",
            lambda lat, seed, dtype, i, j: targets.far_apart_equal(lat, i, j, dtype=dtype),
            {"i": 0, "j": None},
        ),
    )
}


def parse_function_spec(text: str) -> tuple[TargetSpec, dict[str, int | str | None]]:
    """Split ``NAME[:key=value,...]`` into its catalog entry and its parameters (defaults filled in)."""
    name, _, arguments = text.partition(":")
    if name not in CATALOG:
        raise InvalidInputError(f"unknown function {name!r}; choose one of: {', '.join(CATALOG)}")
    spec = CATALOG[name]
    params = dict(spec.defaults)
    for item in filter(None, arguments.split(",")):
        key, equals, value = item.partition("=")
        if not equals or key not in spec.defaults:
            known = ", ".join(spec.defaults) or "none"
            raise InvalidInputError(f"{name} takes key=value parameters from: {known}; got {item!r}")
        if key == "pattern" or (key == "threshold" and value == "balanced"):
            params[key] = value
        else:
            try:
                params[key] = int(value)
            except ValueError:
                also = " or 'balanced'" if key == "threshold" else ""
                raise InvalidInputError(f"{name}: {key} must be an integer{also}, got {value!r}") from None
    return spec, params


def build_target(text: str, lattice: Lattice, seed: int = 0, dtype: np.dtype = np.float64) -> np.ndarray:
    """Evaluate the function named by ``text`` on every image of ``lattice`` (float64, or float32)."""
    spec, params = parse_function_spec(text)
    return spec.build(lattice, seed, dtype, **params)
