"""Exact matrix-product states of local-feature targets, and their Schmidt spectra on lattices far beyond
dense enumeration (16x16 images with 2x2 windows, 14x14 with 3x3: the README's Performance section).

A local-feature target (OR, NOR or count of window detectors) is read pixel by pixel in a chosen order by
a deterministic finite automaton. Its state after t pixels records, for every window read in part, whether
the pixels read so far still match an accepted configuration, and the aggregate so far (feature found yet,
or the count capped at the threshold). Written as tensors,

    A_t[q, s, q'] = [delta_t(q, s) = q'],      f(s) = output[q_N],   q_{t+1} = delta_t(q_t, s_{order[t]}),

the automaton *is* a matrix-product state of f (a tensor train with 0/1 cores, bond dimension = number
of reachable states), exact by construction: every window constraint is applied as it is read, and equal
states are merged, so nothing is truncated (discarded weight 0).

Spectrum across a cut A | B (:func:`feature_cut`): A is read in an order where it comes first and B
backwards from the far end, so f = sum_q,q' [A reaches q] H[q, q'] [B reaches q'] with H the value of f
given both sides' states. The indicators are disjoint, so with the exact counts n_q of configurations
reaching each state, the squared Schmidt values are the eigenvalues of K = D_A^1/2 H D_B H^T D_A^1/2:
work and memory scale with the numbers of states, never with d^N. K's entries are sums of products of
positive counts and labels, bounded like the dense engine's Gram matrix (:mod:`numeric.gram`), so the
spectrum carries the same computed rounding-error bound (:class:`numeric.entanglement.SchmidtSpectrum`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
from tqdm import tqdm

from numeric.entanglement import SchmidtSpectrum, _rank, _spectrum, check_labels
from numeric.errors import InvalidInputError, TooLargeError
from numeric.gram import GramMatrix, gamma, unit_roundoff
from numeric.lattice import Lattice, validate_region
from numeric.memory import format_bytes, memory_limit_bytes, require_memory
from numeric.mps import MatrixProductState
from numeric.targets import windows

_BLOCK_BYTES = 256 << 20
"""The joining matrix H is formed this many bytes at a time (a block of the larger side's states)."""

Aggregator = Literal["or", "nor", "count"]
Labels = Literal["01", "pm1"]
AGGREGATORS = ("or", "nor", "count")


@dataclass(frozen=True)
class FeatureMPS:
    """A local-feature target as a deterministic automaton over pixels read in ``order``.

    ``transitions[t]`` has shape (states before pixel order[t], d): the next state for each value of that
    pixel; ``output[q]`` is f on images ending in final state q. Bond t (0 <= t <= N) has
    ``bond_dimensions[t]`` states: the cut between order[:t] and order[t:].
    """

    lattice: Lattice
    order: tuple[int, ...]
    transitions: tuple[np.ndarray, ...]
    output: np.ndarray

    @property
    def bond_dimensions(self) -> list[int]:
        return [table.shape[0] for table in self.transitions] + [self.output.size]


def _checked_patterns(lattice: Lattice, patterns: np.ndarray) -> np.ndarray:
    patterns = np.asarray(patterns)
    if patterns.ndim == 2:
        patterns = patterns[None]
    if (
        patterns.ndim != 3
        or patterns.shape[0] == 0
        or patterns.dtype.kind not in "biu"
        or patterns.min() < 0
        or patterns.max() >= lattice.levels
    ):
        raise InvalidInputError(
            f"patterns must be a 2-D pattern or a stack (m, height, width) of accepted window configurations, "
            f"integers in 0..{lattice.levels - 1}; got shape {patterns.shape}"
        )
    return patterns.astype(np.int16)


def reading_order(lattice: Lattice, region: Iterable[int]) -> tuple[tuple[int, ...], int]:
    """A pixel order in which the cut A | B is one bond, and that bond.

    Leading columns (or their complement) are read column by column and leading rows row by row, so the
    automaton's frontier is a few columns (rows) long; any other region is read first, row-major, then the
    rest row-major. Returns (order, b) with order[:b] the region or its complement (the same cut).
    """
    region = validate_region(region, lattice.n_pixels)
    inside = set(region)
    width, height = lattice.width, lattice.height
    column_major = tuple(y * width + x for x in range(width) for y in range(height))
    row_major = tuple(range(lattice.n_pixels))
    for order in (column_major, row_major):
        for size in (len(region), lattice.n_pixels - len(region)):
            if set(order[:size]) == inside or set(order[size:]) == inside:
                return order, size
    return tuple(region) + tuple(p for p in row_major if p not in inside), len(region)


def _check_options(aggregator: str, labels: str) -> None:
    if aggregator not in AGGREGATORS:
        raise InvalidInputError(f"aggregator must be one of {', '.join(AGGREGATORS)}, got {aggregator!r}")
    check_labels(labels)


def _cap(aggregator: Aggregator, threshold: int) -> int:
    """Where the aggregate saturates: a feature found (OR, NOR), the count at the threshold."""
    return 1 if aggregator != "count" else max(int(threshold), 0)


def _labelled(aggregate: np.ndarray, aggregator: Aggregator, threshold: int, labels: Labels) -> np.ndarray:
    found = aggregate >= (1 if aggregator != "count" else threshold)
    values = (~found if aggregator == "nor" else found).astype(np.float64)
    return 2 * values - 1 if labels == "pm1" else values


@dataclass(frozen=True)
class _Reading:
    """An automaton run over a sequence of pixels: its transitions, and for each final state the windows
    still open (``units``: (window, accepted pattern) columns of ``alive``) and the aggregate."""

    transitions: tuple[np.ndarray, ...]
    units: list[tuple[int, int]]
    alive: np.ndarray
    aggregate: np.ndarray


PROJECTION_MARGIN = 16
PROJECTION_STATES = 10_000
"""The automaton is refused early when, past PROJECTION_STATES states, its projected peak memory is
PROJECTION_MARGIN times the limit (:func:`_refuse_hopeless_growth`). Measured on the middle cuts of 8x8 to
16x16 images (windows 2 and 3, OR and count), the projection overestimated the real peak up to 35x with a
few hundred states; of those readings only the 16x16 one with 3x3 windows passes 10,000 states, and past
them its projection was at most 1.8x the peak. So a reading refused this way would most likely have hit the
limit anyway, only later; the margin is a judgement from these cases, not a bound."""


def _widest_fronts(opens_at: dict, closes_at: dict, length: int, n_accepted: int) -> list[int]:
    """For each step t, the largest number of open (window, pattern) units at step t or later."""
    units, counts = 0, []
    for t in range(length):
        units += n_accepted * len(opens_at.get(t, []))
        counts.append(units)
        units -= n_accepted * len(closes_at.get(t, []))
    return list(np.maximum.accumulate(counts[::-1])[::-1]) if counts else []


def _refuse_hopeless_growth(states: int, units: int, widest: int, t: int, length: int, levels: int) -> None:
    """Refuse, while the automaton is still small, a reading whose growth puts it far beyond the memory limit.

    The number of states grows about exponentially with the number of open units (a state is which of them
    can still match), so after t steps with ``units`` open it projects states^(widest / units) states at the
    widest front still ahead. Only a projection PROJECTION_MARGIN times over the limit is refused."""
    if states < PROJECTION_STATES or units == 0 or widest <= units:
        return
    projected_states = math.exp(math.log(states) * widest / units)
    projected = 4 * levels * projected_states * (widest + 24)
    limit = memory_limit_bytes()
    if projected > PROJECTION_MARGIN * limit:
        raise TooLargeError(
            f"the automaton is on course for about {format_bytes(projected)} when {widest} windows are open "
            f"(projected from its {states} states after {t} of {length} pixels), far more than the memory limit "
            f"of {format_bytes(limit)}; choose a cut straddled by fewer windows (a smaller image or window)"
        )


def _read(
    lattice: Lattice, patterns: np.ndarray, cap: int, sequence: Sequence[int], *, progress: bool = False
) -> _Reading:
    """Read ``sequence`` (some of the pixels, in order) with the automaton of the module docstring.

    A window opens at its first pixel in the sequence and closes at its last, if all its pixels are in the
    sequence; windows with pixels outside it stay open at the end (the half of a cut that they straddle).
    """
    n_accepted, height, width = patterns.shape
    position = {pixel: t for t, pixel in enumerate(sequence)}
    opens_at: dict[int, list[int]] = {}
    closes_at: dict[int, list[int]] = {}
    window_pixels = windows(lattice, height, width)
    for j, pixels in enumerate(window_pixels):
        times = [position[p] for p in pixels if p in position]
        if times:
            opens_at.setdefault(min(times), []).append(j)
        if len(times) == len(pixels):
            closes_at.setdefault(max(times), []).append(j)
    # required[j][p] = the accepted levels (one per pattern) at pixel p of window j
    required = [{p: patterns[:, k // width, k % width] for k, p in enumerate(pixels)} for pixels in window_pixels]
    widest_from = _widest_fronts(opens_at, closes_at, len(sequence), n_accepted)
    open_units: list[tuple[int, int]] = []
    alive = np.zeros((1, 0), dtype=bool)
    aggregate = np.zeros(1, dtype=np.int64)
    transitions = []
    for t, pixel in enumerate(
        tqdm(sequence, desc="automaton", unit="pixel", disable=None if progress else True, leave=False)
    ):
        new_units = [(j, a) for j in opens_at.get(t, []) for a in range(n_accepted)]
        units = open_units + new_units
        # the next states' candidates: d copies of the alive bits, their packed keys, uniqueness sort
        require_memory(
            4 * lattice.levels * len(alive) * (len(units) + 24),
            f"the automaton after {t} of {len(sequence)} pixels ({len(alive)} states, {len(units)} windows open)",
            "choose a cut straddled by fewer windows (a smaller image or window)",
        )
        _refuse_hopeless_growth(len(alive), len(units), widest_from[t], t, len(sequence), lattice.levels)
        widened = np.concatenate([alive, np.ones((alive.shape[0], len(new_units)), dtype=bool)], axis=1)
        inside = [u for u, (j, _) in enumerate(units) if pixel in required[j]]
        levels_needed = np.array([required[units[u][0]][pixel][units[u][1]] for u in inside], dtype=np.int16)
        closing = set(closes_at.get(t, []))
        keep = [u for u, (j, _) in enumerate(units) if j not in closing]
        closing_groups = [[u for u, (j, _) in enumerate(units) if j == window] for window in sorted(closing)]
        candidates = []
        for value in range(lattice.levels):
            after = widened.copy()
            if inside:
                after[:, inside] &= levels_needed == value
            found = sum((after[:, group].any(axis=1) for group in closing_groups), np.zeros(len(after), np.int64))
            new_aggregate = np.minimum(aggregate + found, cap)
            remaining = after[:, keep]
            remaining[new_aggregate >= cap] = False  # saturated: the open windows no longer matter
            candidates.append((remaining, new_aggregate))
        stacked = np.concatenate([remaining for remaining, _ in candidates])
        aggregates = np.concatenate([new_aggregate for _, new_aggregate in candidates])
        keys = np.concatenate([np.packbits(stacked, axis=1), aggregates[:, None].view(np.uint8)], axis=1)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        transitions.append(np.ascontiguousarray(inverse.reshape(lattice.levels, -1).T))
        alive, aggregate = stacked[first], aggregates[first]
        open_units = [units[u] for u in keep]
    return _Reading(tuple(transitions), open_units, alive, aggregate)


def feature_mps(
    lattice: Lattice,
    patterns: np.ndarray,
    aggregator: Aggregator = "or",
    *,
    threshold: int = 1,
    order: Sequence[int] | None = None,
    labels: Labels = "01",
    progress: bool = False,
) -> FeatureMPS:
    """The exact automaton MPS of a local-feature target.

    f = OR_j phi_j ("or", pattern present), NOR_j phi_j ("nor", pattern absent) or [sum_j phi_j >= threshold]
    ("count"), where phi_j = 1 when window j shows one of the accepted ``patterns`` (shape (height, width)
    for one exact pattern, or (m, height, width): any detector, as the list of configurations it accepts).
    ``labels="pm1"`` gives 2 f - 1. ``order``: the reading order (default row-major).
    """
    _check_options(aggregator, labels)
    patterns = _checked_patterns(lattice, patterns)
    order = tuple(range(lattice.n_pixels)) if order is None else tuple(int(p) for p in order)
    if sorted(order) != list(range(lattice.n_pixels)):
        raise InvalidInputError(f"order must be a permutation of the pixels 0..{lattice.n_pixels - 1}")
    cap = _cap(aggregator, threshold)
    reading = _read(lattice, patterns, cap, order, progress=progress)
    return FeatureMPS(lattice, order, reading.transitions, _labelled(reading.aggregate, aggregator, threshold, labels))


def mps_values(mps: FeatureMPS) -> np.ndarray:
    """f on every image, in the package's order (pixel 0 most significant): for checking small lattices."""
    lattice = mps.lattice
    require_memory(lattice.n_images * 16, f"the values of f on all {lattice.n_images} images", "use a smaller lattice")
    state = np.zeros((), dtype=np.int64)
    for table in mps.transitions:  # axis t of `state` is pixel order[t]
        state = table[state[..., None], np.arange(lattice.levels)]
    values = mps.output[state].transpose(np.argsort(mps.order))
    return np.ascontiguousarray(values).reshape(-1)


def automaton_values(mps: FeatureMPS, images: np.ndarray) -> np.ndarray:
    """f on a batch of images (an integer array (batch, N) in the package's pixel order): the automaton run
    over each, pixel order[t] at step t. Exact: a black box for engines that only evaluate f (numeric.tci)."""
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != mps.lattice.n_pixels:
        raise InvalidInputError(f"images must be an array (batch, {mps.lattice.n_pixels}), got shape {images.shape}")
    state = np.zeros(len(images), dtype=np.int64)
    for pixel, table in zip(mps.order, mps.transitions):
        state = table[state, images[:, pixel]]
    return mps.output[state]


def as_matrix_product_state(mps: FeatureMPS) -> MatrixProductState:
    """The automaton as an exact float64 MPS over its reading order: cores A_t[q, s, q'] = [delta_t(q, s) = q'],
    the output folded into the last core (error 0: every entry is 0, 1 or a label)."""
    cores = []
    for table, following in zip(mps.transitions, mps.bond_dimensions[1:]):
        core = np.zeros((table.shape[0], table.shape[1], following))
        for digit in range(table.shape[1]):
            core[np.arange(table.shape[0]), digit, table[:, digit]] = 1.0
        cores.append(core)
    cores[-1] = cores[-1] @ mps.output[:, None]
    return MatrixProductState(tuple(cores))


def _exact_counts(reading: _Reading, levels: int) -> np.ndarray:
    """How many assignments of the pixels read reach each final state (Python integers)."""
    counts = np.ones(1, dtype=object)
    for table in reading.transitions:
        following = np.zeros(int(table.max()) + 1, dtype=object)
        for value in range(levels):
            np.add.at(following, table[:, value], counts)
        counts = following
    return counts


def _counts(reading: _Reading, levels: int) -> np.ndarray:
    """n_q / d^t for the t pixels read: the exact counts, each rounded once to float64."""
    scale = levels ** len(reading.transitions)
    return np.array([float(Fraction(int(n), scale)) for n in _exact_counts(reading, levels)])


def count_distribution(lattice: Lattice, patterns: np.ndarray) -> list[int]:
    """Exact numbers of images on which exactly c = 0, 1, 2, ... windows show an accepted pattern (the
    automaton with an uncapped count; the numbers sum to d^N)."""
    patterns = _checked_patterns(lattice, patterns)
    n_windows = len(windows(lattice, *patterns.shape[1:]))
    reading = _read(lattice, patterns, n_windows, tuple(range(lattice.n_pixels)))
    images = [0] * (n_windows + 1)
    for count, final in zip(_exact_counts(reading, lattice.levels), reading.aggregate):
        images[int(final)] += int(count)
    return images


def balanced_threshold(lattice: Lattice, patterns: np.ndarray) -> int:
    """The threshold t >= 1 for which "at least t windows show the pattern" is closest to half the images
    (the smaller t on a tie): a count target that stays balanced as the image grows."""
    images = count_distribution(lattice, patterns)
    total, at_least = sum(images), 0
    best = None
    for threshold in range(len(images) - 1, 0, -1):
        at_least += images[threshold]
        gap = abs(Fraction(at_least, total) - Fraction(1, 2))
        if best is None or gap <= best[0]:
            best = (gap, threshold)
    return best[1]


@dataclass(frozen=True)
class FeatureCut:
    """One cut of a local-feature target: its Schmidt spectrum (with the computed rounding bound), its
    Schmidt rank when asked for, the fraction of images labelled 1 (float64), and the automaton's numbers
    of states on the side of the spectrum and on the other side. Nothing is truncated: the discarded
    weight is 0."""

    spectrum: SchmidtSpectrum
    rank: int | None
    density: float
    states: tuple[int, int]


def feature_cut(
    lattice: Lattice,
    patterns: np.ndarray,
    region: Iterable[int],
    aggregator: Aggregator = "or",
    *,
    threshold: int = 1,
    labels: Labels = "01",
    rank: bool = False,
    progress: bool = False,
) -> FeatureCut:
    """The Schmidt spectrum of a local-feature target (see :func:`feature_mps`) across A | B, exact up to
    float64 rounding, with its computed error bound (nats, :class:`numeric.entanglement.SchmidtSpectrum`).

    Meet in the middle: A is read by the automaton in the order of :func:`reading_order` and B backwards
    from the far end, giving f = sum_q,q' [A reaches q] H[q, q'] [B reaches q'], where H[q, q'] is f given
    both ends (aggregates added, plus the straddling windows matched from both sides: one matrix product of
    their alive bits, since at most one accepted configuration fills a whole window). The prefix indicators
    are disjoint, so with D = diag(counts) the squared Schmidt values are the eigenvalues of
    K = D_A^1/2 H D_B H^T D_A^1/2 (on the side with fewer states). Each entry of K is a float64 sum of
    n_B products of positive counts and labels, so it errs by gamma_{n_B + 4}(2^-53) times the same sum
    over |f|: the error form of :mod:`numeric.gram`, and the same bound follows.

    ``rank=True`` adds the Schmidt rank, which equals rank H (D is positive): singular values of the
    small-integer matrix H above DEFAULT_RANK_RTOL * sigma_max (K's eigenvalues cannot resolve the tiny
    Schmidt values of nearly constant targets).
    """
    _check_options(aggregator, labels)
    patterns = _checked_patterns(lattice, patterns)
    order, bond = reading_order(lattice, region)
    cap = _cap(aggregator, threshold)
    halves = [
        _read(lattice, patterns, cap, order[:bond], progress=progress),
        _read(lattice, patterns, cap, order[bond:][::-1], progress=progress),
    ]
    halves.sort(key=lambda half: half.aggregate.size)  # K on the side with fewer states
    small, large = halves
    side, other = small.aggregate.size, large.aggregate.size
    block = max(1, min(other, _BLOCK_BYTES // (8 * side)))
    require_memory(
        8 * (side * side + 3 * side * block),
        f"the Gram matrix of the {side} automaton states on the smaller side of the cut ({other} on the other)",
        "choose a cut with fewer states (a straight cut, a smaller window) or a smaller lattice",
    )
    if rank:
        require_memory(
            8 * 3 * side * other,
            f"the Schmidt rank (an SVD of the {side} x {other} joining matrix)",
            "ask for the entropy without the rank (rank=False; --no-rank on the command line)",
        )
    columns = {unit: u for u, unit in enumerate(large.units)}
    shared = [(u, columns[unit]) for u, unit in enumerate(small.units) if unit in columns]
    small_alive = small.alive[:, [u for u, _ in shared]].astype(np.float64)
    large_alive = large.alive[:, [v for _, v in shared]].astype(np.float64)
    small_counts, large_counts = _counts(small, lattice.levels), _counts(large, lattice.levels)
    roots = np.sqrt(small_counts)
    gram, density, blocks = np.zeros((side, side), order="F"), 0.0, []
    for start in range(0, other, block):  # K summed over blocks of the other side's states, H never whole
        stop = min(start + block, other)
        matched = (small_alive @ large_alive[start:stop].T).astype(np.int64)
        total = small.aggregate[:, None] + large.aggregate[None, start:stop] + matched
        joining = _labelled(total, aggregator, threshold, labels)
        density += float(small_counts @ (joining > 0) @ large_counts[start:stop])
        weighted = joining * roots[:, None]
        gram += (weighted * large_counts[None, start:stop]) @ weighted.T
        if rank:
            blocks.append(joining)
    if not gram.trace() > 0:
        raise InvalidInputError("f is zero on every image: it has no normalised state (and no entropy)")
    schmidt_rank = _rank(np.linalg.svd(np.concatenate(blocks, axis=1), compute_uv=False)) if rank else None
    coefficient = gamma(other + 4, unit_roundoff(np.float64))
    spectrum = _spectrum(GramMatrix(gram, tuple(order[:bond]), coefficient), "float64", 0.0)
    return FeatureCut(spectrum, schmidt_rank, density, (side, other))


__all__ = [
    "AGGREGATORS",
    "FeatureCut",
    "FeatureMPS",
    "as_matrix_product_state",
    "automaton_values",
    "balanced_threshold",
    "count_distribution",
    "feature_cut",
    "feature_mps",
    "mps_values",
    "reading_order",
]
