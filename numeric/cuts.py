"""Entanglement of a named target function across many cuts, by either engine.

- ``dense``: f on all d^N images, Gram matrices and LAPACK (:mod:`numeric.entanglement`): any function,
  up to about 28 pixels (the memory of d^N values).
- ``tn``: the exact automaton tensor network of a local-feature target (:mod:`numeric.feature_mps`):
  pattern-present, pattern-absent and count-threshold on lattices far beyond enumeration (16x16).
- ``auto``: tn where the dense function would not fit in memory, dense otherwise.

Both give the same numbers on every case tested (|dS| <= 1e-9, equal rank: tests/test_feature_mps.py),
each spectrum with its computed rounding-error bound in nats. Neither truncates, so there is no discarded
weight to report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from numeric.catalog import build_target, parse_function_spec
from numeric.entanglement import Precision, SchmidtSpectrum, check_labels, schmidt_rank, schmidt_spectra
from numeric.errors import InvalidInputError
from numeric.feature_mps import Labels, feature_cut
from numeric.lattice import Lattice, Region
from numeric.memory import memory_limit_bytes

Method = Literal["dense", "tn", "auto"]
METHODS = ("dense", "tn", "auto")
FLAGGED_ERROR = 1e-6
"""An entropy whose computed error bound exceeds this many nats is flagged in every output."""


def format_bound(bound: float) -> str:
    """An entropy's error bound (nats) as printed in every table: ``1.3e-02!`` when above FLAGGED_ERROR."""
    return f"{bound:.1e}" + ("!" if bound > FLAGGED_ERROR else "")


_DENSE_BYTES_PER_IMAGE = 24  # f in float64, one slice of it, and the QR copy of the Schmidt ranks


@dataclass(frozen=True)
class Cut:
    """One region's Schmidt spectrum (with its computed rounding bound), Schmidt rank (None when not
    asked), density (fraction of images labelled 1, or +1; None for a function that is not a 0/1 label),
    the engine that computed it and, for the tn engine, the automaton states on the two sides of the cut
    (what its time and memory scale with)."""

    region: Region
    spectrum: SchmidtSpectrum
    rank: int | None
    density: float | None
    method: str
    states: tuple[int, int] | None = None

    @property
    def flagged(self) -> bool:
        """True when the entropy's error bound exceeds FLAGGED_ERROR nats."""
        return self.spectrum.entropy_error_bound > FLAGGED_ERROR


def dense_fits(lattice: Lattice) -> bool:
    """Whether the dense engine's footprint (about 24 bytes per image) fits the memory limit."""
    return lattice.n_pixels <= 64 and _DENSE_BYTES_PER_IMAGE * lattice.n_images <= memory_limit_bytes()


def choose_method(function: str, lattice: Lattice, method: Method = "auto") -> str:
    """The engine that ``method`` resolves to for this function and lattice; refuses impossible choices."""
    if method not in METHODS:
        raise InvalidInputError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    spec, _ = parse_function_spec(function)
    if method == "tn" and spec.features is None:
        raise InvalidInputError(
            f"the tensor-network engine covers local-feature targets (pattern-present, pattern-absent, "
            f"count-threshold), not {spec.name}; use the dense method on a lattice of at most about 28 pixels"
        )
    if method == "auto":
        return "dense" if dense_fits(lattice) or spec.features is None else "tn"
    return method


def measure_cuts(
    function: str,
    lattice: Lattice,
    regions: Mapping[str, Region],
    *,
    method: Method = "auto",
    labels: Labels = "01",
    seed: int = 0,
    precision: Precision = "float64",
    rank: bool = True,
    progress: bool = False,
) -> dict[str, Cut]:
    """Every region's cut of the function named ``function`` (see :mod:`numeric.catalog`) on ``lattice``.

    ``labels="pm1"`` measures 2 f - 1 instead of the 0/1 label f (the rank moves by at most 1, the
    spectrum can move a lot). ``precision="float32"`` is the dense engine's; the tn engine is float64.
    """
    check_labels(labels)
    engine = choose_method(function, lattice, method)
    if engine == "tn":
        if precision != "float64":
            raise InvalidInputError("the tensor-network engine computes in float64; drop --precision float32")
        spec, params = parse_function_spec(function)
        patterns, aggregator, threshold = spec.features(lattice, **params)
        cuts = {}
        for label, region in regions.items():
            cut = feature_cut(
                lattice, patterns, region, aggregator, threshold=threshold, labels=labels, rank=rank, progress=progress
            )
            cuts[label] = Cut(region, cut.spectrum, cut.rank, cut.density, "tn", cut.states)
        return cuts
    values = build_target(function, lattice, seed, np.float32 if precision == "float32" else np.float64)
    is_label = bool(np.all((values == 0) | (values == 1)))
    if labels == "pm1":
        if not is_label:
            raise InvalidInputError(f"labels=pm1 maps a 0/1 label f to 2f - 1, but {function} is not 0/1-valued")
        values = 2 * values - 1
    density = float(np.mean(values > 0)) if is_label else None
    spectra = schmidt_spectra(
        values, list(regions.values()), levels=lattice.levels, precision=precision, progress=progress
    )
    double = np.asarray(values, dtype=np.float64) if rank else None  # converted once, not once per cut
    return {
        label: Cut(
            region, spectrum, schmidt_rank(double, region, levels=lattice.levels) if rank else None, density, "dense"
        )
        for (label, region), spectrum in zip(regions.items(), spectra)
    }
