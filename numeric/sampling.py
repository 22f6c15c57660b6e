"""Renyi-2 entropy of any function of images by sampling, with confidence intervals that hold at their
stated level for every sample size (no asymptotics), and its cost in values of f.

For a region A and its complement B, under a product measure mu on images (uniform by default, as in the
paper; or pixels independent with given probabilities, the state then being sqrt(mu) f),

    Tr rho_A^2 = E[f(a,b) f(a',b) f(a',b') f(a,b')] / E[f^2]^2,        S_2 = -ln Tr rho_A^2 <= S_A,

with a, a' drawn independently from mu_A and b, b' from mu_B. One *block* draws m rows a_1..a_m and n
columns b_1..b_n, evaluates the m x n grid F[i, j] = f(a_i, b_j) (:func:`numeric.tci.evaluate_grids`, a
stack of blocks per call: a network evaluates its first convolution once per row and column, a local-feature
target counts bits, :mod:`numeric.feature_grid`, and on uniform binary pixels receives the drawn bits packed,
never unpacked: :meth:`~numeric.feature_grid.LocalFeatureFunction.packed_grids`, the same configurations),
and forms the U-statistic

    U = sum_{i != i'} sum_{j != j'} F[i,j] F[i',j] F[i',j'] F[i,j'] / (m (m-1) n (n-1)),

an unbiased estimate of the numerator (distinct indices are independent draws), with
sum_{j != j'} F_ij F_i'j F_i'j' F_ij' = (F F^T)[i,i']^2 - sum_j F_ij^2 F_i'j^2. The denominator's block
statistic is W = mean(F^2), unbiased for E f^2.

The interval: K independent blocks give K i.i.d. bounded statistics, and the empirical Bernstein bound
(Maurer and Pontil, "Empirical Bernstein bounds and sample variance penalization", COLT 2009, Thm 4) holds
for every K: for i.i.d. Z in an interval of length R, with probability at least 1 - delta,
E Z <= mean + sqrt(2 V ln(2/delta) / K) + 7 R ln(2/delta) / (3 (K - 1)), V the sample variance; the same
for -Z. This needs a bound on |f|:

* +-1 labels (``bound=1`` and every value +-1, checked): E f^2 = 1 exactly, U lies in [-1, 1], and the two
  one-sided bounds at delta/2 each give the interval of Tr rho_A^2;
* any real f with |f| <= ``bound`` (an assumption the caller states; every sampled value is checked
  against it): U in [-bound^4, bound^4] and W in [0, bound^2]; four one-sided bounds at delta/4 each (a
  union bound) give the numerator's and the denominator's intervals, and the ratio's interval follows.

Tr rho_A^2 lies in [1/D, 1], D = min(d_A, d_B) the smaller side's dimension, and the interval is clipped
to it. In nats the interval of S_2 is [-ln hi, -ln lo]. When the sample cannot bound Tr rho_A^2 away from
1/D (lo <= 1/D), S_2 is not resolved from above: the result is one-sided, "S_2 > x at the stated
confidence", and carries no point value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from numeric.catalog import build_target, parse_function_spec
from numeric.cuts import dense_fits
from numeric.errors import InvalidInputError
from numeric.feature_grid import LocalFeatureFunction, words_of_bytes
from numeric.lattice import Lattice
from numeric.tci import BatchedFunction, evaluate_grids

DEFAULT_CONFIDENCE = 0.95
_BATCH_VALUES = 1 << 16  # values of f per batch of blocks: one call of the function's grids


@dataclass(frozen=True)
class SampledRenyi2:
    """S_2 of one region by sampling (module docstring). ``purity`` estimates Tr rho_A^2: unbiased for
    +-1 labels, and for real f the numerator's unbiased estimate over the squared estimate of E f^2
    (consistent, not unbiased); ``purity_interval`` its
    interval clipped to [1/D, 1]; ``entropy`` is -ln(purity) in nats when the interval is two-sided, else
    None; ``interval`` is [low, high] in nats with high None when one-sided. ``mean`` is the sampled E f
    under the measure (for +-1 labels the density of +1 is (1 + mean) / 2: report it beside every number;
    the mean caps S_2: S_2 <= -2 ln((E f)^2 / E f^2)). ``values_of_f`` is the cost."""

    purity: float
    purity_interval: tuple[float, float]
    entropy: float | None
    interval: tuple[float, float | None]
    confidence: float
    ceiling: float
    values_of_f: int
    blocks: int
    rows: int
    columns: int
    mean: float
    assumption: str

    @property
    def two_sided(self) -> bool:
        return self.interval[1] is not None

    def describe(self) -> str:
        """One line for a table: 'S_2 = x [lo, hi] nats at 95 %' or 'S_2 > lo nats at 95 %'."""
        level = f"{100 * self.confidence:g} %"
        if self.two_sided:
            return f"S_2 = {self.entropy:.4f} [{self.interval[0]:.4f}, {self.interval[1]:.4f}] nats at {level}"
        return f"S_2 > {self.interval[0]:.4f} nats at {level}"


def empirical_bernstein_upper(samples: np.ndarray, span: float, delta: float) -> float:
    """An upper bound on E Z that holds with probability at least 1 - delta, from i.i.d. samples of Z whose
    values lie in an interval of length ``span`` (Maurer and Pontil 2009, Thm 4; any sample size >= 2)."""
    count = samples.size
    if count < 2:
        raise InvalidInputError("the empirical Bernstein bound needs at least 2 blocks")
    log_term = math.log(2.0 / delta)
    variance = float(np.var(samples, ddof=1))
    return (
        float(np.mean(samples))
        + math.sqrt(2.0 * variance * log_term / count)
        + 7.0 * span * log_term / (3.0 * (count - 1))
    )


def block_statistics(grids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(U, W) of each m x n grid of values in a stack (..., m, n): the U-statistic of the numerator (distinct
    rows and distinct columns) and the mean of f^2; for one grid, two floats."""
    grids = np.asarray(grids, dtype=np.float64)
    rows, columns = grids.shape[-2:]
    if rows < 2 or columns < 2:
        raise InvalidInputError("a block needs at least 2 rows and 2 columns")
    squares = grids * grids
    gram = grids @ np.swapaxes(grids, -1, -2)  # G[i, i'] = sum_j F_ij F_i'j
    overlap = squares @ np.swapaxes(squares, -1, -2)  # sum_j F_ij^2 F_i'j^2
    pairs = gram * gram - overlap  # sum over j != j' for each (i, i')
    total = np.sum(pairs, axis=(-2, -1)) - np.trace(pairs, axis1=-2, axis2=-1)  # i != i'
    numerator = total / (rows * (rows - 1) * columns * (columns - 1))
    denominator = np.mean(squares, axis=(-2, -1))
    if grids.ndim == 2:
        return float(numerator), float(denominator)
    return numerator, denominator


def _draw(rng: np.random.Generator, shape: tuple[int, ...], marginals: np.ndarray, packed: bool = False) -> np.ndarray:
    """Configurations of the pixels whose level probabilities are the rows of ``marginals``: an int8 array of
    ``shape`` + (pixels,). Uniform levels are drawn as integers (binary ones as random bits), others by
    comparing uniforms with the cumulative probabilities. ``packed`` (uniform binary pixels only): the same
    configurations as words (:func:`numeric.feature_grid.words_of_bytes`), never unpacked."""
    pixels, levels = marginals.shape
    count = math.prod(shape)
    if np.all(marginals == 1.0 / levels):
        if levels == 2:
            random_bytes = rng.integers(0, 256, (count, -(-pixels // 8)), dtype=np.uint8)
            if packed:
                return words_of_bytes(random_bytes, pixels).reshape(*shape, -1)
            bits = np.unpackbits(random_bytes, axis=1, count=pixels).view(np.int8)
            return bits.reshape(*shape, pixels)
        return rng.integers(0, levels, (*shape, pixels), dtype=np.int8)
    cumulative = np.cumsum(marginals, axis=1)
    cumulative[:, -1] = 1.0
    uniform = rng.random((count, pixels, 1))
    return np.sum(uniform >= cumulative[None, :, :-1], axis=2, dtype=np.int8).reshape(*shape, pixels)


def _checked_marginals(marginals: np.ndarray | None, n_pixels: int, levels: int) -> np.ndarray:
    if marginals is None:
        return np.full((n_pixels, levels), 1.0 / levels)
    marginals = np.asarray(marginals, dtype=np.float64)
    if marginals.shape != (n_pixels, levels) or np.any(marginals < 0) or not np.allclose(marginals.sum(axis=1), 1):
        raise InvalidInputError(
            f"marginals must be a ({n_pixels}, {levels}) array of per-pixel level probabilities, each row summing "
            f"to 1; got shape {marginals.shape}"
        )
    return marginals


def sampled_renyi2(
    function: BatchedFunction,
    n_pixels: int,
    levels: int,
    region: Sequence[int],
    *,
    bound: float = 1.0,
    labels: str = "pm1",
    values: int = 1_000_000,
    rows: int = 10,
    columns: int = 10,
    confidence: float = DEFAULT_CONFIDENCE,
    marginals: np.ndarray | None = None,
    seed: int = 0,
) -> SampledRenyi2:
    """S_2 of ``function`` across ``region`` by sampling about ``values`` values of f in blocks of
    ``rows`` x ``columns`` (module docstring). ``labels="pm1"``: f takes the values +-1 (checked), so the
    denominator is exactly 1; ``labels="real"``: |f| <= ``bound`` is assumed, checked on every sampled value,
    and the denominator is estimated. ``marginals`` (N, d): pixels drawn independently with these level
    probabilities instead of uniformly. Every random choice comes from ``seed``."""
    region = sorted(set(int(p) for p in region))
    if not region or region[0] < 0 or region[-1] >= n_pixels or len(region) == n_pixels:
        raise InvalidInputError(f"the region must be a proper, non-empty subset of the pixels 0..{n_pixels - 1}")
    if labels not in ("pm1", "real"):
        raise InvalidInputError(f"labels must be 'pm1' or 'real', got {labels!r}")
    if not 0 < confidence < 1:
        raise InvalidInputError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if labels == "pm1":
        bound = 1.0
    if not bound > 0:
        raise InvalidInputError(f"bound must be positive, got {bound}")
    blocks = values // (rows * columns)
    if blocks < 2:
        raise InvalidInputError(f"{values} values of f make fewer than 2 blocks of {rows} x {columns}; ask for more")
    marginals = _checked_marginals(marginals, n_pixels, levels)
    first = np.array(region)
    second = np.array([p for p in range(n_pixels) if p not in set(region)])
    rng = np.random.default_rng(seed)
    numerators, denominators, means = np.empty(blocks), np.empty(blocks), np.empty(blocks)
    per_batch = max(1, _BATCH_VALUES // (rows * columns))

    # uniform binary pixels drawn as words for a function that evaluates them packed: the same configurations,
    # never unpacked (a local-feature target on binary images)
    packed = bool(np.all(marginals == 0.5)) and getattr(function, "packs", lambda *_: False)(first, second)

    def draw(start: int) -> tuple[np.ndarray, np.ndarray]:
        count = min(per_batch, blocks - start)
        return (
            _draw(rng, (count, rows), marginals[first], packed),
            _draw(rng, (count, columns), marginals[second], packed),
        )

    def summarise(start: int, grids: np.ndarray) -> None:
        if labels == "pm1" and not np.all(np.abs(grids) == 1.0):
            raise InvalidInputError("labels='pm1' needs f = +-1 on every image; use labels='real' with a bound")
        if np.max(np.abs(grids)) > bound:
            raise InvalidInputError(f"a sampled |f| = {np.max(np.abs(grids)):g} exceeds the stated bound {bound:g}")
        stop = start + len(grids)
        numerators[start:stop], denominators[start:stop] = block_statistics(grids)
        means[start:stop] = np.mean(grids, axis=(1, 2))

    # While f is evaluated on one batch, the next is drawn (in order, from the one generator) and the last
    # is checked and summarised: the three overlap on the cores that f's evaluation leaves idle.
    with ThreadPoolExecutor(1) as drawer, ThreadPoolExecutor(1) as summariser:
        upcoming, summary = drawer.submit(draw, 0), None
        for start in range(0, blocks, per_batch):
            firsts, seconds = upcoming.result()
            if start + per_batch < blocks:
                upcoming = drawer.submit(draw, start + per_batch)
            if packed:
                grids = function.packed_grids(first, firsts, second, seconds)
            else:
                grids = evaluate_grids(function, first, firsts, second, seconds)
            if summary is not None:
                summary.result()  # raises if the last batch failed its checks
            summary = summariser.submit(summarise, start, grids)
        summary.result()
    delta = 1.0 - confidence
    dimension = min(levels ** len(first), levels ** len(second))
    floor = 1.0 / dimension
    fourth = bound**4
    if labels == "pm1":
        high = empirical_bernstein_upper(numerators, 2 * fourth, delta / 2)
        low = -empirical_bernstein_upper(-numerators, 2 * fourth, delta / 2)
        purity = float(np.mean(numerators))
        assumption = "f = +-1 on every image (checked on every sampled value): E f^2 = 1"
    else:
        numerator_high = empirical_bernstein_upper(numerators, 2 * fourth, delta / 4)
        numerator_low = -empirical_bernstein_upper(-numerators, 2 * fourth, delta / 4)
        squared_high = empirical_bernstein_upper(denominators, bound**2, delta / 4)
        squared_low = -empirical_bernstein_upper(-denominators, bound**2, delta / 4)
        high = numerator_high / squared_low**2 if squared_low > 0 else math.inf
        low = max(numerator_low, 0.0) / squared_high**2
        purity = float(np.mean(numerators)) / float(np.mean(denominators)) ** 2
        assumption = f"|f| <= {bound:g} on every image (stated; checked on every sampled value)"
    high = max(min(high, 1.0), floor)  # Tr rho_A^2 lies in [1/D, 1] whatever the sample
    low = min(max(low, floor), high)
    resolved = low > floor
    entropy = max(0.0, -math.log(min(max(purity, low), high))) if resolved else None
    return SampledRenyi2(
        purity=purity,
        purity_interval=(low, high),
        entropy=entropy,
        interval=(max(0.0, -math.log(high)), -math.log(low) if resolved else None),  # +0.0 where high = 1
        confidence=confidence,
        ceiling=math.log(dimension),
        values_of_f=blocks * rows * columns,
        blocks=blocks,
        rows=rows,
        columns=columns,
        mean=float(np.mean(means)),
        assumption=assumption,
    )


def catalogue_function(function: str, lattice: Lattice, *, labels: str = "pm1", seed: int = 0) -> BatchedFunction:
    """The catalogue target named ``function`` (:mod:`numeric.catalog`) as a batched function of images:
    local-feature targets at any size (:class:`numeric.feature_grid.LocalFeatureFunction`, grids by counting
    bits), the others from their table of values where the whole function fits in memory. ``labels="pm1"``
    gives 2 f - 1."""
    spec, params = parse_function_spec(function)
    if labels not in ("01", "pm1"):
        raise InvalidInputError(f"labels must be '01' or 'pm1', got {labels!r}")
    if spec.features is not None:
        return LocalFeatureFunction(lattice, *spec.features(lattice, **params), labels=labels)
    if not dense_fits(lattice):
        raise InvalidInputError(
            f"sampling evaluates {spec.name} from its table of values, which does not fit in memory on the "
            f"{lattice}; choose a local-feature target (pattern-present, pattern-absent, count-threshold) or a "
            "smaller lattice"
        )
    table = build_target(function, lattice, seed)
    if labels == "pm1":
        if not np.all((table == 0) | (table == 1)):
            raise InvalidInputError(f"labels=pm1 maps a 0/1 label f to 2f - 1, but {function} is not 0/1-valued")
        table = 2 * table - 1
    powers = lattice.levels ** np.arange(lattice.n_pixels - 1, -1, -1, dtype=np.int64)

    def lookup(images: np.ndarray) -> np.ndarray:
        return table[np.asarray(images, dtype=np.int64) @ powers]

    return lookup


__all__ = [
    "DEFAULT_CONFIDENCE",
    "SampledRenyi2",
    "block_statistics",
    "catalogue_function",
    "empirical_bernstein_upper",
    "sampled_renyi2",
]
