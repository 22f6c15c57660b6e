"""Tensor cross interpolation (TCI) of any function of images given as a batched callable: a matrix-product
state built from values of f alone, for functions with no exact tensor-network form (trained networks).

Sites t = 0..N-1 carry digits s_t in 0..n_t-1 (an image read in a chosen pixel order: :func:`in_order`).
For every bond k (sites < k | sites >= k) the interpolation keeps r_k left pivots I_k (prefixes s_<k) and r_k
right pivots J_k (suffixes s_>=k) and represents

    f(s) ~ T_0[s_0] P_1^-1 T_1[s_1] P_2^-1 ... T_{N-1}[s_{N-1}],
    T_k[i, s, j] = f(I_k[i], s, J_{k+1}[j]),     P_k[i, j] = f(I_k[i], J_k[j]),

which reproduces f exactly on every pivot cross. The pivots are chosen by two-site sweeps (Oseledets and
Tyrtyshnikov, Linear Algebra Appl. 432, 70 (2010); Dolgov and Savostyanov, Comput. Phys. Commun. 246,
106869 (2020)): at bond k the matrix Pi[(I_{k-1}, s_{k-1}), (s_k, J_{k+1})] of f is evaluated in full and
its new pivots are those of a rank-revealing LU with full pivoting, stopped when the largest remaining
|residual| is at most ``tolerance`` max|f| (the pivot error). Between sweeps the interpolant is compared
with f on random images (uniform, at biased densities, next to the pivots, and along greedy climbs of the
error) and the worst ones become global pivots (TCI2, Nunez Fernandez et al., SciPost Phys. 18, 104
(2025)), whose prefixes and suffixes stay candidates at every bond from then on: local sweeps alone miss
rare features, which is how cross interpolation fails silently on "some window all ones". Random probes
cannot find a feature missed on 1e-8 of the images; a second cross can. With ``replica=True`` two crosses
from independent seeds run in lockstep, and after every half-sweep images drawn exactly from
|f~ - f~'|^2 (the difference is an MPS: :func:`numeric.mps.sample`) join both searches: where the two
disagree, at least one of them is wrong, and f says which.

Almost every value of f is asked for as a grid, f(rows[i] + columns[j]) for a bond's prefixes and suffixes
(:func:`evaluate_grid`): a function with a ``grid`` method computes it itself (a CNN runs its first
convolution once per prefix and once per suffix instead of once per image), any other is called on the
joined images.

Nothing here is certified: the pivot error is an estimate on the crosses searched. :func:`validate`
measures |f - f~| on held-out images (uniform, biased, a data set's own), and those sampled errors, not a
bound, are what an entropy from this engine is reported with. The MPS carries ``error = nan`` (no bound),
so its :func:`numeric.mps.bond_spectra` carry the trivial ln D ceiling as their certified bound;
:func:`sampled_entropy_error` turns a validation's relative l2 error into the estimate that replaces it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from numeric.entanglement import _fannes_audenaert
from numeric.errors import InvalidInputError
from numeric.memory import require_memory
from numeric.mps import MatrixProductState, difference, difference_norm, norm, sample

BatchedFunction = Callable[[np.ndarray], np.ndarray]
"""f on a batch: an integer array (batch, N) of configurations in, an array (batch,) of values out."""

DEFAULT_TOLERANCE = 1e-10
SEARCH_MARGIN = 10.0
"""The global search accepts sampled errors up to SEARCH_MARGIN x tolerance: every bond truncates its cross at
the tolerance, and those truncations add up along the chain (TensorCrossInterpolation.jl's
tolmarginglobalsearch, 10 by default)."""
BATCH = 1 << 15
DENSITIES = (0.1, 0.3, 0.7, 0.9)
"""The biased densities of the default validation and global-pivot search (fraction of the top level)."""


def join(first_sites: np.ndarray, first: np.ndarray, second_sites: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Every configuration joined from a row of ``first`` (digits at ``first_sites``) and a row of ``second``
    (digits at ``second_sites``), row i and row j at index i * len(second) + j: (len(first) len(second), N)."""
    joined = np.empty((len(first) * len(second), len(first_sites) + len(second_sites)), dtype=np.int16)
    joined[:, first_sites] = np.repeat(first, len(second), axis=0)
    joined[:, second_sites] = np.tile(second, (len(first), 1))
    return joined


def evaluate_grid(
    function: BatchedFunction, first_sites: np.ndarray, first: np.ndarray, second_sites: np.ndarray, second: np.ndarray
) -> np.ndarray:
    """f on every configuration joined from a row of ``first`` and a row of ``second`` (:func:`join`), as a
    (len(first), len(second)) float64 matrix, checked: one clear error if the function does not give
    len(first) len(second) finite values. A function with a ``grid`` method of the same signature
    computes it itself, e.g. a CNN evaluates its first convolution once per part instead of once per pair;
    any other is called on the joined configurations."""
    grid = getattr(function, "grid", None)
    values = np.asarray(
        grid(first_sites, first, second_sites, second)
        if grid is not None
        else function(join(first_sites, first, second_sites, second)),
        dtype=np.float64,
    )
    expected = len(first) * len(second)
    if values.size != expected or not np.all(np.isfinite(values)):
        raise InvalidInputError(
            f"the function must give {expected} finite values for {len(first)} x {len(second)} "
            f"images; it gave shape {values.shape}" + ("" if values.size != expected else " with non-finite values")
        )
    return values.reshape(len(first), len(second))


def grid_by_grid(
    function: BatchedFunction,
    first_sites: np.ndarray,
    firsts: np.ndarray,
    second_sites: np.ndarray,
    seconds: np.ndarray,
) -> np.ndarray:
    """The stack of :func:`evaluate_grids` one :func:`evaluate_grid` at a time (for a function without a
    ``grids`` method of its own)."""
    return np.stack(
        [evaluate_grid(function, first_sites, first, second_sites, second) for first, second in zip(firsts, seconds)]
    )


def evaluate_grids(
    function: BatchedFunction,
    first_sites: np.ndarray,
    firsts: np.ndarray,
    second_sites: np.ndarray,
    seconds: np.ndarray,
) -> np.ndarray:
    """A stack of grids (:func:`evaluate_grid`) on one split, block k joining the rows of ``firsts[k]`` with
    the rows of ``seconds[k]``: shape (blocks, m, n), checked likewise. A function with a ``grids`` method of
    the same signature computes the stack at once (a local-feature target counts bits,
    :class:`numeric.feature_grid.LocalFeatureFunction`); any other is evaluated grid by grid."""
    grids = getattr(function, "grids", None)
    if grids is None:
        return grid_by_grid(function, first_sites, firsts, second_sites, seconds)
    values = np.asarray(grids(first_sites, firsts, second_sites, seconds), dtype=np.float64)
    expected = (len(firsts), firsts.shape[1], seconds.shape[1])
    if values.shape != expected or not np.all(np.isfinite(values)):
        raise InvalidInputError(f"the function's grids must be {expected} finite values; got shape {values.shape}")
    return values


@dataclass(frozen=True)
class _InOrder:
    function: BatchedFunction
    order: np.ndarray

    def __call__(self, sites: np.ndarray) -> np.ndarray:
        return self.function(sites[:, np.argsort(self.order)])

    def grid(
        self, first_sites: np.ndarray, first: np.ndarray, second_sites: np.ndarray, second: np.ndarray
    ) -> np.ndarray:
        return evaluate_grid(self.function, self.order[first_sites], first, self.order[second_sites], second)


def in_order(function: BatchedFunction, order: Sequence[int]) -> BatchedFunction:
    """The function of site digits s with s_t = pixel order[t] of the image: image[:, order[t]] = s[:, t]
    (its grids, :func:`evaluate_grid`, are the function's own on the pixels the sites stand for)."""
    return _InOrder(function, np.asarray(order))


def sample_configurations(
    dims: Sequence[int], count: int, seed: int, densities: Sequence[float] = DENSITIES
) -> dict[str, np.ndarray]:
    """``count`` configurations drawn uniformly ("uniform") and, for each density p, with every digit
    drawn from Binomial(n_t - 1, p) ("density p": for binary pixels, each is 1 with probability p)."""
    rng = np.random.default_rng(seed)
    dims = np.asarray(dims)
    drawn = {"uniform": rng.integers(0, dims, size=(count, dims.size))}
    for p in densities:
        drawn[f"density {p:g}"] = rng.binomial(dims - 1, p, size=(count, dims.size))
    return {name: sample.astype(np.int16) for name, sample in drawn.items()}


@dataclass
class _Counted:
    """f evaluated in batches, checked, and counted."""

    function: BatchedFunction
    batch: int
    calls: int = 0
    largest: float = 0.0

    def __call__(self, configurations: np.ndarray) -> np.ndarray:
        found = np.empty(len(configurations))
        for start in range(0, len(configurations), self.batch):
            chunk = configurations[start : start + self.batch]
            values = np.asarray(self.function(chunk), dtype=np.float64)
            if values.shape != (len(chunk),) or not np.all(np.isfinite(values)):
                raise InvalidInputError(
                    f"the function must return {len(chunk)} finite values for a batch of "
                    f"{len(chunk)} images; it returned shape {values.shape}"
                    + ("" if values.shape != (len(chunk),) else " with non-finite values")
                )
            found[start : start + len(chunk)] = values
        self._count(found)
        return found

    def grid(
        self,
        rows: np.ndarray,
        columns: np.ndarray,
        first_sites: np.ndarray | None = None,
        second_sites: np.ndarray | None = None,
    ) -> np.ndarray:
        """f(rows[i] + columns[j]) as a (len(rows), len(columns)) matrix, evaluated (:func:`evaluate_grid`) a
        block of about ``batch`` entries at a time; the rows and columns are a prefix and a suffix unless
        the sites they hold are given."""
        result = np.empty((len(rows), len(columns)))
        if first_sites is None:
            first_sites, second_sites = np.arange(rows.shape[1]), rows.shape[1] + np.arange(columns.shape[1])
        step = max(1, self.batch // max(len(columns), 1))
        for start in range(0, len(rows), step):
            block = rows[start : start + step]
            result[start : start + len(block)] = evaluate_grid(self.function, first_sites, block, second_sites, columns)
        self._count(result)
        return result

    def _count(self, found: np.ndarray) -> None:
        self.calls += found.size
        if found.size:
            self.largest = max(self.largest, float(np.abs(found).max()))


@dataclass(frozen=True)
class _Known:
    """The last two-site matrix evaluated at one bond, indexed by its rows' and columns' bytes."""

    rows: dict
    columns: dict
    matrix: np.ndarray


def _known_grid(evaluate: _Counted, known: _Known | None, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``evaluate.grid``, taking every entry whose row and column are in ``known`` from it: once the pivots
    settle, a bond's crosses repeat most of the last half-sweep's (and hold the interpolant's T and P)."""
    if known is None:
        return evaluate.grid(rows, columns)
    row_at = np.array([known.rows.get(row.tobytes(), -1) for row in rows], dtype=np.int64)
    column_at = np.array([known.columns.get(column.tobytes(), -1) for column in columns], dtype=np.int64)
    old_rows, old_columns = row_at >= 0, column_at >= 0
    result = np.empty((len(rows), len(columns)))
    result[np.ix_(old_rows, old_columns)] = known.matrix[np.ix_(row_at[old_rows], column_at[old_columns])]
    result[~old_rows] = evaluate.grid(rows[~old_rows], columns)
    result[np.ix_(old_rows, ~old_columns)] = evaluate.grid(rows[old_rows], columns[~old_columns])
    return result


def _remember(rows: np.ndarray, columns: np.ndarray, matrix: np.ndarray) -> _Known:
    return _Known(
        {row.tobytes(): i for i, row in enumerate(rows)},
        {column.tobytes(): j for j, column in enumerate(columns)},
        matrix,
    )


def _extend_left(prefixes: np.ndarray, dim: int) -> np.ndarray:
    """Rows (prefix i, digit s) in the order i * dim + s."""
    digits = np.tile(np.arange(dim, dtype=prefixes.dtype), len(prefixes))[:, None]
    return np.concatenate([np.repeat(prefixes, dim, axis=0), digits], axis=1)


def _extend_right(dim: int, suffixes: np.ndarray) -> np.ndarray:
    """Columns (digit s, suffix j) in the order s * len(suffixes) + j."""
    digits = np.repeat(np.arange(dim, dtype=suffixes.dtype), len(suffixes))[:, None]
    return np.concatenate([digits, np.tile(suffixes, (dim, 1))], axis=1)


def _cross_pivots(matrix: np.ndarray, tolerance: float, max_rank: int) -> tuple[list[int], list[int], float]:
    """Rows and columns of a rank-revealing LU with full pivoting: repeatedly the largest |residual| entry,
    eliminated by a rank-one update, until it is at most ``tolerance`` or ``max_rank`` pivots are taken.
    Returns the pivots and the largest |residual| left (the error of the cross on this matrix); compiled
    (:func:`numeric.full_pivoting.full_pivot_cross`: one pass over the matrix per pivot)."""
    from numeric.full_pivoting import full_pivot_cross  # numba compiles it on first use: import only when used

    rows, columns, residual = full_pivot_cross(np.array(matrix, dtype=np.float64, order="C"), tolerance, max_rank)
    return rows.tolist(), columns.tolist(), float(residual)


def _unique_rows(rows: np.ndarray) -> np.ndarray:
    if rows.shape[1] == 0:  # the empty prefix (suffix) of bond 0 (bond N)
        return rows[:1]
    _, first = np.unique(rows, axis=0, return_index=True)
    return rows[np.sort(first)]


def interpolant_values(state: MatrixProductState, configurations: np.ndarray) -> np.ndarray:
    """f~(s) for a batch of configurations: the matrices A_t[s_t] multiplied site by site, grouped by digit."""
    vectors = np.ones((len(configurations), 1))
    for t, core in enumerate(state.cores):
        following = np.empty((len(configurations), core.shape[2]))
        for digit in range(core.shape[1]):
            chosen = configurations[:, t] == digit
            following[chosen] = vectors[chosen] @ core[:, digit, :]
        vectors = following
    return vectors[:, 0]


def _interpolant(
    evaluate: _Counted,
    left: list[np.ndarray],
    right: list[np.ndarray],
    dims: Sequence[int],
    known: Sequence[_Known | None] | None = None,
) -> MatrixProductState:
    """The cores A_k = T_k P_{k+1}^-1 (module docstring), P^-1 applied by an LU solve; entries of bond
    k+1's ``known`` two-site matrix are not evaluated again."""
    known = known or [None] * (len(dims) + 1)
    cores = []
    for k, dim in enumerate(dims):
        core = _known_grid(evaluate, known[k + 1], _extend_left(left[k], dim), right[k + 1])
        if k < len(dims) - 1:
            pivots = _known_grid(evaluate, known[k + 1], left[k + 1], right[k + 1])
            core = np.linalg.solve(pivots.T, core.T).T
        cores.append(core.reshape(len(left[k]), dim, -1))
    return MatrixProductState(tuple(cores), None, math.nan)


def _pivot_neighbours(
    left: list[np.ndarray], right: list[np.ndarray], dims: Sequence[int], count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` pivots (a random bond's prefix and suffix, joined) with one to three random digits
    changed: the images near those the interpolation already resolves, where a missed feature hides."""
    bonds = rng.integers(1, len(dims), count)
    picked = np.array(
        [np.concatenate([left[k][i], right[k][i]]) for k, i in zip(bonds, (rng.integers(len(left[k])) for k in bonds))]
    )
    for flips in range(1, 4):
        chosen = rng.random(count) < 1 / flips
        sites = rng.integers(0, len(dims), count)
        picked[chosen, sites[chosen]] = rng.integers(0, np.asarray(dims)[sites[chosen]])
    return picked


def _search(
    evaluate: _Counted, state: MatrixProductState, probes: np.ndarray, climbers: int
) -> tuple[np.ndarray, np.ndarray]:
    """|f - f~| on the probes, then a greedy climb (TCI2's pivot search) from the ``climbers`` worst ones
    and as many random ones (:func:`_climb`). Returns the probes and the worst configurations the climb
    passed through, with their errors."""
    errors = np.abs(evaluate(probes) - interpolant_values(state, probes))
    if climbers == 0:
        return probes, errors
    rng = np.random.default_rng(len(probes) + evaluate.calls)
    starts = np.concatenate([np.argsort(-errors)[:climbers], rng.integers(0, len(probes), climbers)])
    climbed, climbed_errors = _climb(evaluate, state, probes[starts])
    return np.concatenate([probes, climbed]), np.concatenate([errors, climbed_errors])


def _climb(
    evaluate: _Counted, state: MatrixProductState, current: np.ndarray, passes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Site by site, ``passes`` times, each configuration moves to the digit of largest |f - f~|; returns the
    len(current) worst configurations passed through and their errors.

    At site t the interpolant of every candidate digit is L_t A_t[s] R_t, with L_t the product of the
    cores before t (carried along as the climbers move) and R_t the product after t (one right-to-left
    sweep per pass, as those digits have not moved yet): O(N d r^2) per climber and pass instead of
    O(N^2 d r^2), and f is asked for each site's candidates as a grid (the other sites | site t)."""
    dims, sites = state.dims, np.arange(len(state.dims))
    rows = np.arange(len(current))
    current = current.copy()
    worst, worst_errors = current[:0], np.zeros(0)
    for _ in range(passes):
        after = [np.ones((len(current), 1))]  # after[-1 - t]: product of the cores after site t, per climber
        for t in range(len(dims) - 1, 0, -1):
            products = np.einsum("ldr,nr->nld", state.cores[t], after[-1])
            after.append(products[rows, :, current[:, t]])
        after.reverse()
        before = np.ones((len(current), 1))
        for t, dim in enumerate(dims):
            products = np.einsum("nl,ldr->ndr", before, state.cores[t])
            interpolated = np.einsum("ndr,nr->nd", products, after[t])
            others = sites != t
            exact = evaluate.grid(
                current[:, others], np.arange(dim, dtype=current.dtype)[:, None], sites[others], sites[t : t + 1]
            )
            error = np.abs(exact - interpolated)
            best = np.argmax(error, axis=1)
            current[:, t] = best
            before = products[rows, best]
            everything = np.concatenate([worst_errors, error[rows, best]])
            keep = np.argsort(-everything, kind="stable")[: len(current)]
            worst, worst_errors = np.concatenate([worst, current])[keep], everything[keep]
    return worst, worst_errors


@dataclass(frozen=True)
class CrossInterpolation:
    """An interpolant of f: its MPS (``error`` nan: not certified), the pivots of every bond, the number of
    function values used (both crosses' when a replica ran), the half-sweeps run, the last half-sweep's largest
    pivot error and the largest error found by the last global search (both relative to ``scale`` = the
    largest |f| seen), and whether it converged (:func:`cross_interpolate`; with a replica, both crosses did).
    With a replica:
    ``replica_difference`` = ||f~ - f~'|| / max(||f~||, ||f~'||) over every configuration, exact from the two
    MPSs, and whether the replica converged by its own rule; both None without one."""

    state: MatrixProductState
    left_pivots: tuple[np.ndarray, ...]
    right_pivots: tuple[np.ndarray, ...]
    evaluations: int
    sweeps: int
    pivot_error: float
    search_error: float
    scale: float
    converged: bool
    replica_difference: float | None = None
    replica_converged: bool | None = None

    @property
    def ranks(self) -> list[int]:
        return self.state.bond_dimensions


def _worst_new(probes: np.ndarray, errors: np.ndarray, accepted: float, found: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` distinct probes of largest error above ``accepted`` that are not in ``found`` already
    (images drawn from |f~ - f~'|^2 repeat where the difference concentrates)."""
    known = {row.tobytes() for row in found}
    picked = []
    for i in np.argsort(-errors, kind="stable"):
        if len(picked) == count or not errors[i] > accepted:
            break
        key = probes[i].tobytes()
        if key not in known:
            known.add(key)
            picked.append(i)
    return probes[picked]


REPLICA_SEED = 2
"""A replica cross runs from seed + REPLICA_SEED (callers that validate draw their held-out images from
seed + 1, so the replica's random start is not the validation set)."""
REPLICA_SAMPLES = 256
"""Configurations drawn from |f~ - f~'|^2 after every half-sweep (unless the two crosses are equal)."""
REPLICA_PIVOTS = 32
"""At most this many of them (distinct, wrong, not pivots already) join each cross's global pivots per
half-sweep."""


@dataclass(frozen=True)
class _Settings:
    """What every cross of one :func:`cross_interpolate` call shares (its arguments)."""

    tolerance: float
    max_rank: int
    search: int
    global_pivots: int
    climbers: int
    settle: str


class _Cross:
    """One cross between half-sweeps: its pivots, the global pivots it has found, its last two-site matrix at
    every bond, and its convergence count (:func:`cross_interpolate` runs one, or two in lockstep)."""

    def __init__(
        self, evaluate: _Counted, dims: list[int], start_set: np.ndarray, seed: int, settings: _Settings
    ) -> None:
        self.evaluate, self.dims, self.start_set, self.settings = evaluate, dims, start_set, settings
        start_values = evaluate(start_set)
        if not np.any(start_values != 0):
            raise InvalidInputError(
                "f is zero on every seed: give seeds where f is not zero (e.g. the positive examples of a data set)"
            )
        largest_first = np.argsort(-np.abs(start_values), kind="stable")
        ranked = start_set[largest_first[start_values[largest_first] != 0][: settings.max_rank]]
        # bond k's pivots: prefixes left[k] and suffixes right[k], chosen afresh at every half-sweep from the
        # neighbours' pivots extended by a digit and from the prefixes and suffixes of every global pivot so
        # far (kept for good: a global pivot dropped at one bond would otherwise be lost at all the later ones)
        self.found = ranked
        self.left = [_unique_rows(ranked[:, :k]) for k in range(len(dims) + 1)]
        self.right = [_unique_rows(ranked[:, k:]) for k in range(len(dims) + 1)]
        self.known: list[_Known | None] = [None] * (len(dims) + 1)  # each bond's last two-site matrix
        self.rng = np.random.default_rng(seed)
        self.state: MatrixProductState | None = None
        self.pivot_error, self.search_error = math.inf, math.inf
        self.previous_ranks: list[int] | None = None
        self.clean = self.sweeps = 0

    @property
    def converged(self) -> bool:
        return self.clean >= 2  # two searches in a row (fresh probes each) found nothing

    def half_sweep(self) -> None:
        """New pivots at every bond, left to right or back, and the interpolant they make."""
        dims, evaluate, tolerance = self.dims, self.evaluate, self.settings.tolerance
        left, right, found = self.left, self.right, self.found
        bonds = range(1, len(dims)) if self.sweeps % 2 == 0 else range(len(dims) - 1, 0, -1)
        self.pivot_error = 0.0
        for k in bonds:  # bond k between sites k-1 and k
            rows = _unique_rows(np.concatenate([_extend_left(left[k - 1], dims[k - 1]), found[:, :k]]))
            columns = _unique_rows(np.concatenate([_extend_right(dims[k], right[k + 1]), found[:, k:]]))
            matrix = _known_grid(evaluate, self.known[k], rows, columns)
            self.known[k] = _remember(rows, columns, matrix)
            chosen_rows, chosen_columns, residual = _cross_pivots(
                matrix, tolerance * evaluate.largest, self.settings.max_rank
            )
            if not chosen_rows:  # f vanishes on this cross: keep the largest entry so the pivots stay valid
                chosen_rows, chosen_columns = map(
                    list, np.unravel_index([int(np.argmax(np.abs(matrix)))], matrix.shape)
                )
            left[k], right[k] = rows[chosen_rows], columns[chosen_columns]
            self.pivot_error = max(self.pivot_error, residual / evaluate.largest)
        self.state = _interpolant(evaluate, left, right, dims, self.known)
        self.sweeps += 1

    def search(self, suspects: np.ndarray) -> None:
        """The global search after a half-sweep: fresh random probes, the start set and the pivots' neighbours,
        climbed (:func:`_search`), whose ``global_pivots`` worst errors above the search's acceptance join the
        pivots; and the ``suspects`` (configurations drawn where a replica disagrees), of which up to
        REPLICA_PIVOTS distinct wrong ones join them too. A converged cross checks only the suspects, and
        sweeps again if one of them is wrong."""
        dims, evaluate, settings = self.dims, self.evaluate, self.settings
        accepted = SEARCH_MARGIN * settings.tolerance * evaluate.largest
        suspect_errors = _search(evaluate, self.state, suspects, 0)[1] if len(suspects) else np.zeros(0)
        worst_suspect = float(suspect_errors.max(initial=0.0))
        if not self.converged:
            sampled = sample_configurations(dims, settings.search, int(self.rng.integers(2**31)))
            probes, errors = _search(
                evaluate,
                self.state,
                np.concatenate(
                    [
                        *sampled.values(),
                        self.start_set,
                        _pivot_neighbours(self.left, self.right, dims, settings.search, self.rng),
                    ]
                ),
                settings.climbers,
            )
            self.search_error = max(float(errors.max()), worst_suspect) / evaluate.largest
            ranks = self.state.bond_dimensions
            settled = self.previous_ranks is not None and (
                sum(ranks) <= sum(self.previous_ranks) if settings.settle == "sum" else ranks == self.previous_ranks
            )
            within = self.pivot_error <= settings.tolerance and self.search_error <= SEARCH_MARGIN * settings.tolerance
            self.clean = self.clean + 1 if within and settled else 0
            self.previous_ranks = ranks
            worst = np.argsort(-errors)[: settings.global_pivots]
            missed = worst[errors[worst] > accepted]
            self.found = _unique_rows(np.concatenate([self.found, probes[missed]]))
        elif worst_suspect > accepted:
            self.clean, self.search_error = 0, worst_suspect / evaluate.largest
        self.found = np.concatenate(
            [self.found, _worst_new(suspects, suspect_errors, accepted, self.found, REPLICA_PIVOTS)]
        )


def replica_difference(first: MatrixProductState, second: MatrixProductState) -> float:
    """||f~_1 - f~_2||_2 / max(||f~_1||_2, ||f~_2||_2) over every configuration, computed from the two MPSs
    (:func:`numeric.mps.difference_norm`, no sampling; 0 when both vanish). Two crosses of f from independent
    seeds that both reached f agree to rounding; a larger difference shows that at least one of them missed
    part of f, which its own sampled search may not see. The converse does not hold: both can miss the same
    part."""
    scale = max(norm(first), norm(second))
    return difference_norm(first, second) / scale if scale > 0 else 0.0


def cross_interpolate(
    function: BatchedFunction,
    dims: Sequence[int],
    *,
    seeds: np.ndarray | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_rank: int = 256,
    max_sweeps: int = 24,
    search: int = 2000,
    global_pivots: int = 8,
    climbers: int = 32,
    seed: int = 0,
    replica: bool = False,
    batch: int = BATCH,
    settle: str = "each",
    progress: bool = False,
) -> CrossInterpolation:
    """TCI of ``function`` on the sites of ``dims`` (module docstring).

    ``seeds``: configurations where f is known to be large (e.g. the positive examples of a data set): the
    first pivots, and searched at every global step; without them, ``search`` random configurations
    start it. Every half-sweep is followed by a global search on ``search`` fresh configurations (uniform
    and at DENSITIES) and the seeds; up to ``global_pivots`` with |f - f~| > SEARCH_MARGIN * tolerance * scale
    join the pivots. Converged when, twice in a row, a half-sweep's pivot error is within the tolerance, the
    search found nothing above SEARCH_MARGIN * tolerance and the ranks settled: with ``settle="each"`` every
    bond's rank unchanged, with ``settle="sum"`` the ranks summed over the bonds not grown. Otherwise it stops
    after ``max_sweeps`` half-sweeps with ``converged`` False (a cap that truncated a cross keeps the pivot
    error above the tolerance, so a capped run never converges). "each" is the safe rule: a cross still
    finding structure gains rank sweep after sweep, and every sweep it runs is one more global search.
    "sum" is for functions whose singular values reach down to the tolerance, where single bonds flicker up
    and down by a few for ever and "each" never stops (a trained ConvAC's score); it stops sooner, and so
    searches less: on 7x7 "some 2x2 window all ones" it stopped 1 of 4 seeds 2.4e-3 away from f with no
    held-out error above 1e-14, where "each" found all four exactly. (Stopping on the largest rank alone,
    TensorCrossInterpolation.jl's rule, left 2 of 3 8x8 seeds 5e-3 away.)

    ``replica``: run a second cross in lockstep from seed + REPLICA_SEED (its own random start, probes and
    climbs; the same ``seeds``). After every half-sweep REPLICA_SAMPLES configurations drawn from
    |f~ - f~'|^2 (:func:`numeric.mps.sample`) join both searches, and up to REPLICA_PIVOTS distinct wrong ones
    become each cross's global pivots: where two crosses disagree at least one is wrong, and those images are
    found by sampling the difference, not by waiting for uniform probes to land on them (a feature missed on
    a 1e-8 fraction of images). A converged cross stops sweeping but keeps checking the images drawn, and
    sweeps again if one is wrong. Converged only when both crosses converged by the rule above, so that
    their last two searches each found no error above SEARCH_MARGIN * tolerance max|f| where the two differ
    most; ``replica_difference`` (relative l2, exact from the two MPSs) is reported beside it, not
    thresholded: crosses accurate to the tolerance at every image can still differ by more in l2 (two
    crosses of an 8x8 ConvAC, each 2e-9 from f). Returns the first cross. Evidence, not proof: two crosses
    can miss the same part of f.
    """
    dims = [int(n) for n in dims]
    if len(dims) < 2 or min(dims) < 1:
        raise InvalidInputError(f"dims must list at least two sites of dimension >= 1, got {dims}")
    if not 0 < tolerance < 1 or max_rank < 1 or max_sweeps < 1 or search < 1 or batch < 1:
        raise InvalidInputError("tolerance must be in (0, 1), and max_rank, max_sweeps, search and batch positive")
    if settle not in ("each", "sum"):
        raise InvalidInputError(f"settle must be 'each' (every bond's rank unchanged) or 'sum', got {settle!r}")
    n_sites = len(dims)
    require_memory(
        8 * (max_rank * max(dims)) ** 2 * 3 * (2 if replica else 1),
        f"the two-site matrices of rank {max_rank}",
        "lower max_rank",
    )
    if seeds is not None:
        seeds = np.asarray(seeds, dtype=np.int16)
        if seeds.ndim != 2 or seeds.shape[1] != n_sites or len(seeds) == 0 or seeds.min() < 0 or np.any(seeds >= dims):
            raise InvalidInputError(
                f"seeds must be an array (count, {n_sites}) of digits below {dims[0]}..., got shape {seeds.shape}"
            )
    evaluate = _Counted(function, batch)
    settings = _Settings(
        tolerance=tolerance,
        max_rank=max_rank,
        search=search,
        global_pivots=global_pivots,
        climbers=climbers,
        settle=settle,
    )
    crosses = [
        _Cross(
            evaluate,
            dims,
            seeds if seeds is not None else np.concatenate(list(sample_configurations(dims, search, start).values())),
            start,
            settings,
        )
        for start in ([seed, seed + REPLICA_SEED] if replica else [seed])
    ]
    rng = np.random.default_rng([seed, REPLICA_SEED])
    disagreement = None
    sweeps = tqdm(
        range(max_sweeps),
        desc="cross interpolation",
        unit="half-sweep",
        disable=None if progress else True,
        leave=False,
    )
    for _ in sweeps:
        for cross in crosses:
            if not cross.converged:
                cross.half_sweep()
        suspects = np.zeros((0, n_sites), dtype=np.int16)
        if replica:
            disagreement = replica_difference(crosses[0].state, crosses[1].state)
            if disagreement > 0:
                suspects = sample(difference(crosses[0].state, crosses[1].state), REPLICA_SAMPLES, rng)
        for cross in crosses:
            cross.search(suspects)
        sweeps.set_postfix(
            rank=max(max(cross.state.bond_dimensions) for cross in crosses),
            pivot_error=f"{max(cross.pivot_error for cross in crosses):.1e}",
            search_error=f"{max(cross.search_error for cross in crosses):.1e}",
            **({} if disagreement is None else {"replica": f"{disagreement:.1e}"}),
        )
        if all(cross.converged for cross in crosses):
            break
    first = crosses[0]
    return CrossInterpolation(
        first.state,
        tuple(first.left),
        tuple(first.right),
        evaluate.calls,
        first.sweeps,
        first.pivot_error,
        first.search_error,
        evaluate.largest,
        all(cross.converged for cross in crosses),
        disagreement,
        crosses[1].converged if replica else None,
    )


@dataclass(frozen=True)
class SampledError:
    """|f - f~| on one set of held-out configurations: the largest and the root mean square, f's own root mean
    square there, and ``scale``, the largest |f| over every set validated together (all sampled, not
    bounds)."""

    samples: int
    max_error: float
    rms_error: float
    rms_value: float
    scale: float

    @property
    def relative_max(self) -> float:
        """max |f - f~| / max |f| (inf when f vanishes on every sample but f~ does not)."""
        if self.scale > 0:
            return self.max_error / self.scale
        return 0.0 if self.max_error == 0 else math.inf


def validate(
    state: MatrixProductState, function: BatchedFunction, samples: Mapping[str, np.ndarray], batch: int = BATCH
) -> dict[str, SampledError]:
    """The interpolant's error on each named set of configurations in site order (uniform, biased, a data
    set's images: :func:`sample_configurations`)."""
    evaluate = _Counted(function, batch)
    measured = {}
    for name, configurations in samples.items():
        configurations = np.asarray(configurations)
        if configurations.ndim != 2 or configurations.shape[1] != len(state.cores) or len(configurations) == 0:
            raise InvalidInputError(
                f"validation set {name!r} must be a non-empty array (count, {len(state.cores)}), "
                f"got shape {configurations.shape}"
            )
        exact = evaluate(configurations)
        measured[name] = (exact, exact - interpolant_values(state, configurations))
    scale = evaluate.largest
    return {
        name: SampledError(
            len(exact),
            float(np.abs(difference).max()),
            float(np.sqrt(np.mean(difference**2))),
            float(np.sqrt(np.mean(exact**2))),
            scale,
        )
        for name, (exact, difference) in measured.items()
    }


def sampled_entropy_error(uniform: SampledError, dimension: int, terms: int) -> float:
    """An estimate (not a bound) of |S - S~| in nats across a cut of ``dimension`` = min(d^|A|, d^|B|) whose
    spectrum has ``terms`` values: the uniform sample's relative l2 error eps ~ ||f - f~|| / ||f|| put into
    the bound of :func:`numeric.mps.bond_spectra` (trace distance <= 2 eps / (1 - eps), then
    Fannes-Audenaert)."""
    if uniform.rms_value == 0:
        return math.log(dimension)
    relative = uniform.rms_error / uniform.rms_value
    return _fannes_audenaert(2 * relative / (1 - relative) if relative < 1 else math.inf, dimension, terms)


__all__ = [
    "BatchedFunction",
    "CrossInterpolation",
    "DENSITIES",
    "DEFAULT_TOLERANCE",
    "REPLICA_PIVOTS",
    "REPLICA_SAMPLES",
    "REPLICA_SEED",
    "SampledError",
    "cross_interpolate",
    "evaluate_grid",
    "evaluate_grids",
    "grid_by_grid",
    "in_order",
    "join",
    "interpolant_values",
    "replica_difference",
    "sample_configurations",
    "sampled_entropy_error",
    "validate",
]
