"""Renyi-2 by sampling (numeric.sampling): the block statistics are unbiased (exactly, by enumerating every
block), the intervals cover the exact value from the dense engine at their stated level, and what cannot be
resolved is reported as a bound."""

import itertools
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.driver.cli import main
from numeric import InvalidInputError, Lattice, entanglement_entropy, schmidt_spectrum, targets
from numeric.catalog import build_target
from numeric.sampling import block_statistics, catalogue_function, sampled_renyi2

UNIT_ROUNDOFF = 2.0**-53


def on_images(values: np.ndarray, levels: int):
    """A batched function from a table of values in the package's order (pixel 0 the most significant)."""

    def function(images: np.ndarray) -> np.ndarray:
        index = np.zeros(len(images), dtype=np.int64)
        for p in range(images.shape[1]):
            index = index * levels + images[:, p]
        return values[index]

    return function


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**32 - 1), st.booleans())
def test_the_block_statistics_average_to_the_numerator_and_denominator_over_every_block(rows, columns, seed, signs):
    """Every 2 x 2 block drawn with replacement from an R x C table, enumerated: the mean of U is
    E[f(a,b) f(a',b) f(a',b') f(a,b')] = sum((M M^T)^2) / (R C)^2 and the mean of W is E f^2. The tolerance is
    the float64 rounding of sums of at most (R C)^2 products of four values (gamma_n max|f|^4, n the terms)."""
    rng = np.random.default_rng(seed)
    table = rng.choice([-1.0, 1.0], (rows, columns)) if signs else rng.standard_normal((rows, columns))
    blocks = [
        block_statistics(table[np.ix_(a, b)])
        for a in itertools.product(range(rows), repeat=2)
        for b in itertools.product(range(columns), repeat=2)
    ]
    numerator = np.sum((table @ table.T) ** 2) / (rows * columns) ** 2
    terms = (rows * columns) ** 2 * 8
    tolerance = terms * UNIT_ROUNDOFF * np.max(np.abs(table)) ** 4 * 4
    assert abs(np.mean([u for u, _ in blocks]) - numerator) <= tolerance
    assert abs(np.mean([w for _, w in blocks]) - np.mean(table**2)) <= tolerance


def _exact_renyi2(values: np.ndarray, region, lattice: Lattice, marginals=None) -> float:
    if marginals is not None:
        weights = np.ones(1)
        for p in range(lattice.n_pixels):
            weights = np.outer(weights, marginals[p]).reshape(-1)
        values = np.sqrt(weights) * values
    return entanglement_entropy(values, region, levels=lattice.levels, alpha=2)


def _cases():
    """(name, lattice, values, labels, bound, region, marginals): +-1 targets and random labels, a real
    function with a stated bound, and a product measure."""
    four, chain = Lattice(4, 4), Lattice(6, 1, 3)
    left, square = [0, 1, 4, 5, 8, 9, 12, 13], [5, 6, 9, 10]
    pattern = 2 * targets.pattern_present(four, np.ones((2, 2), int)) - 1
    count = 2 * targets.count_threshold(four, 2, np.ones((2, 2), int)) - 1
    rng = np.random.default_rng(7)
    random_signs = rng.choice([-1.0, 1.0], four.n_images)
    gaussian = np.clip(rng.standard_normal(chain.n_images), -3, 3)
    marginals = np.tile([0.7, 0.3], (16, 1))
    return [
        ("pattern, left half", four, pattern, "pm1", 1.0, left, None),
        ("count, centred square", four, count, "pm1", 1.0, square, None),
        ("random signs, left half", four, random_signs, "pm1", 1.0, left, None),
        ("clipped Gaussian, |f| <= 3", chain, gaussian, "real", 3.0, [0, 1], None),
        ("pattern, biased pixels", four, pattern, "pm1", 1.0, left, marginals),
    ]


def test_the_95_percent_intervals_cover_the_exact_value():
    """20 seeds of each case (100 intervals, fixed seeds, so the count is reproducible): the exact S_2 lies
    inside each two-sided interval, or above each one-sided bound, at least 93 % of the time."""
    covered = total = 0
    for _, lattice, values, labels, bound, region, marginals in _cases():
        exact = _exact_renyi2(values, region, lattice, marginals)
        for seed in range(20):
            result = sampled_renyi2(
                on_images(values, lattice.levels),
                lattice.n_pixels,
                lattice.levels,
                region,
                labels=labels,
                bound=bound,
                values=20_000,
                marginals=marginals,
                seed=seed,
            )
            low, high = result.interval
            covered += low <= exact and (high is None or exact <= high)
            total += 1
    assert covered >= 0.93 * total, (covered, total)


def test_a_resolved_estimate_is_informative_and_carries_its_cost():
    lattice = Lattice(4, 4)
    values = 2 * targets.pattern_present(lattice, np.ones((2, 2), int)) - 1
    region = [0, 1, 4, 5, 8, 9, 12, 13]
    result = sampled_renyi2(on_images(values, 2), 16, 2, region, values=200_000, seed=3)
    exact = _exact_renyi2(values, region, lattice)
    assert result.two_sided and result.interval[1] - result.interval[0] < 0.1
    assert result.values_of_f == result.blocks * result.rows * result.columns <= 200_000
    assert abs(result.mean - np.mean(values)) < 0.05 and result.ceiling == pytest.approx(8 * math.log(2))
    assert result.describe().startswith("S_2 = ") and result.interval[0] <= exact <= result.interval[1]


def test_an_unresolvable_purity_gives_a_lower_bound_and_no_number():
    """Random signs on a 10 x 10 split: Tr rho^2 ~ 2/2^10, far below what 2,000 values resolve."""
    rng = np.random.default_rng(0)
    lattice = Lattice(20, 1)
    table = rng.choice([-1.0, 1.0], lattice.n_images)
    result = sampled_renyi2(on_images(table, 2), 20, 2, list(range(10)), values=2_000, seed=0)
    assert not result.two_sided and result.entropy is None and result.interval[1] is None
    assert result.describe().startswith("S_2 > ")
    assert result.interval[0] <= _exact_renyi2(table, list(range(10)), lattice)


def test_a_target_evaluated_on_packed_draws_gives_the_estimate_of_the_unpacked_images():
    """A local-feature target on uniform binary pixels is evaluated on the drawn bits without unpacking them:
    the same configurations, so the same estimate, to the last bit, as through the images."""
    lattice = Lattice(9, 7)
    function = catalogue_function("count-threshold:size=2,threshold=6", lattice)
    region = list(range(4, 30))

    def through_images(images):  # the same function, without its packed and grid paths
        return function(images)

    packed = sampled_renyi2(function, lattice.n_pixels, 2, region, values=30_000, seed=4)
    unpacked = sampled_renyi2(through_images, lattice.n_pixels, 2, region, values=30_000, seed=4)
    assert function.packs(np.array(region), np.setdiff1d(np.arange(lattice.n_pixels), region))
    assert packed == unpacked


def test_bad_requests_are_refused_with_the_fix():
    function = on_images(np.arange(16.0), 2)
    with pytest.raises(InvalidInputError, match="labels='pm1' needs f = \\+-1"):
        sampled_renyi2(function, 4, 2, [0, 1], values=400)
    with pytest.raises(InvalidInputError, match="exceeds the stated bound"):
        sampled_renyi2(function, 4, 2, [0, 1], labels="real", bound=2.0, values=400)
    with pytest.raises(InvalidInputError, match="proper, non-empty subset"):
        sampled_renyi2(function, 4, 2, [0, 1, 2, 3], values=400)
    with pytest.raises(InvalidInputError, match="fewer than 2 blocks"):
        sampled_renyi2(function, 4, 2, [0, 1], values=150)


def test_catalogue_functions_on_a_batch_equal_their_tables():
    """Local-feature targets evaluated window by window, and the others by table, equal build_target."""
    lattice = Lattice(4, 3, 3)
    images = np.array(list(itertools.product(range(3), repeat=12)))
    for spec in ("pattern-present", "pattern-absent:size=3", "count-threshold:size=2,threshold=2", "majority"):
        for labels in ("01", "pm1"):
            table = build_target(spec, lattice)
            expected = 2 * table - 1 if labels == "pm1" else table
            np.testing.assert_array_equal(catalogue_function(spec, lattice, labels=labels)(images), expected)


def test_the_command_line_samples_renyi2_with_an_interval_at_any_size():
    args = ["entropy", "--shape", "4x4", "--labels", "pm1", "--alpha", "2", "--region", "cols:2"]
    exact = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)["regions"][0]["entropy"]
    result = CliRunner().invoke(main, [*args, "--method", "sampled", "--values", "100000", "--json"])
    assert result.exit_code == 0, result.output
    entry = json.loads(result.output)["regions"][0]
    assert entry["interval"][0] <= exact <= entry["interval"][1] and entry["confidence"] == 0.95
    assert entry["entropy"] is not None and entry["values_of_f"] <= 100_000 and 0 < entry["density"] < 1
    large = ["entropy", "--shape", "28x28", "--function", "pattern-present:size=3", "--method", "sampled"]
    result = CliRunner().invoke(main, [*large, "--alpha", "2", "--region", "rect:12,12,4,4", "--values", "2000"])
    assert result.exit_code == 0 and "28x28" in result.output, result.output
    refused = CliRunner().invoke(main, [*large, "--region", "cols:14"])
    assert refused.exit_code == 2 and "add --alpha 2" in refused.output


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4),
    st.integers(2, 4),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["random", "pattern", "majority"]),
    st.booleans(),
)
def test_an_interval_at_one_in_a_billion_contains_the_dense_engines_value(width, height, seed, kind, real):
    """Against the dense engine on any small lattice, function, region and seed. The interval is asked at
    confidence 1 - 1e-9, so (holding at every sample size, by the empirical Bernstein bound) it misses with
    probability at most 1e-9 per draw: a failure is a defect of the estimator, not bad luck."""
    lattice = Lattice(width, height)
    rng = np.random.default_rng(seed)
    if kind == "random":
        values = rng.choice([0.0, 1.0], lattice.n_images)
    elif kind == "pattern":
        values = targets.pattern_present(lattice, rng.integers(0, 2, (2, 2)))
    else:
        values = targets.majority(lattice)
    labels, values = ("real", values) if real else ("pm1", 2 * values - 1)
    if not np.any(values):
        return  # f = 0 everywhere has no state
    size = int(rng.integers(1, lattice.n_pixels))
    region = sorted(rng.choice(lattice.n_pixels, size, replace=False).tolist())
    result = sampled_renyi2(
        on_images(values, 2), lattice.n_pixels, 2, region, labels=labels, values=20_000, confidence=1 - 1e-9, seed=seed
    )
    spectrum = schmidt_spectrum(values, region)
    purity = float(np.sum(spectrum.probabilities**2))
    exact, error = -math.log(purity), 4 * spectrum.distance_bound / purity  # the dense value's own bound
    low, high = result.interval
    assert low <= exact + error and (high is None or exact <= high + error), (result.describe(), exact)
