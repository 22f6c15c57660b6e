"""Properties of Schmidt spectra and entanglement entropies that hold for every function and region."""

import math
import re
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_bounds.strategies import RANDOM_KINDS, lattices, lattices_and_regions, random_values, seeds
from numeric import (
    InvalidInputError,
    Lattice,
    TooLargeError,
    complement,
    entanglement_entropy,
    entanglement_profile,
    matched_random_entropy,
    page_entropy,
    schmidt_probabilities,
    schmidt_rank,
    schmidt_values,
)
from numeric import gram as gram_module
from numeric.entanglement import (
    _fannes_audenaert,
    as_state_tensor,
    entropy_of_probabilities,
    max_entropy,
    max_schmidt_rank,
    schmidt_matrix,
    schmidt_spectrum,
)
from numeric.precise import exact_schmidt_rank, reference_entropy
from numeric.targets import far_apart_equal, parity, product_function


def explicit_matrix(values: np.ndarray, lattice: Lattice, region) -> np.ndarray:
    """M[s_A, s_B] built image by image from the digits of each image index (independent of the package)."""
    digits = np.array(np.unravel_index(np.arange(lattice.n_images), lattice.tensor_shape)).T
    rest = [p for p in range(lattice.n_pixels) if p not in set(region)]
    weights = lambda pixels: lattice.levels ** np.arange(len(pixels) - 1, -1, -1)  # noqa: E731
    rows = digits[:, sorted(region)] @ weights(region) if region else np.zeros(lattice.n_images, int)
    cols = digits[:, rest] @ weights(rest) if rest else np.zeros(lattice.n_images, int)
    matrix = np.zeros((lattice.levels ** len(region), lattice.levels ** len(rest)), dtype=values.dtype)
    matrix[rows, cols] = values
    return matrix


@given(lattices_and_regions(), seeds(), st.sampled_from(RANDOM_KINDS))
def test_schmidt_values_match_numpy_svd_of_the_explicit_matrix(case, seed, kind):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    expected = np.linalg.svd(explicit_matrix(values, lattice, region), compute_uv=False)
    for method in ("qr", "svd"):
        found = schmidt_values(values, region, levels=lattice.levels, method=method)
        np.testing.assert_allclose(found, expected, rtol=0, atol=1e-10 * expected[0])


@given(lattices_and_regions(), seeds(), st.sampled_from(RANDOM_KINDS))
def test_gram_probabilities_and_entropy_match_the_svd(case, seed, kind):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    sigma = schmidt_values(values, region, levels=lattice.levels, method="svd")
    p_svd = sigma**2 / np.sum(sigma**2)
    p_gram = schmidt_probabilities(values, region, levels=lattice.levels)
    np.testing.assert_allclose(p_gram, p_svd, rtol=0, atol=1e-10)
    p = p_svd[p_svd > 0]
    assert entanglement_entropy(values, region, levels=lattice.levels) == pytest.approx(
        -np.sum(p * np.log(p)), abs=1e-10
    )


@given(lattices_and_regions(), seeds(), st.sampled_from(RANDOM_KINDS))
def test_entropy_of_a_region_equals_that_of_its_complement(case, seed, kind):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    rest = complement(lattice, region)
    for alpha in (0.5, 1.0, 2.0, math.inf):
        s_a = entanglement_entropy(values, region, levels=lattice.levels, alpha=alpha)
        s_b = entanglement_entropy(values, rest, levels=lattice.levels, alpha=alpha)
        assert s_a == pytest.approx(s_b, abs=1e-9)
    # von Neumann: to the two spectra's own computed rounding bounds
    a, b = (schmidt_spectrum(values, side, levels=lattice.levels) for side in (region, rest))
    assert abs(a.entropy() - b.entropy()) <= a.entropy_error_bound + b.entropy_error_bound


@given(lattices_and_regions(), seeds(), st.sampled_from(RANDOM_KINDS))
def test_entropy_lies_between_zero_and_the_volume_law(case, seed, kind):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    entropy = entanglement_entropy(values, region, levels=lattice.levels)
    smaller = min(len(region), lattice.n_pixels - len(region))
    assert 0.0 <= entropy <= smaller * math.log(lattice.levels) + 1e-12


@given(
    lattices_and_regions(),
    seeds(),
    st.sampled_from(RANDOM_KINDS),
    st.complex_numbers(min_magnitude=1e-3, max_magnitude=1e3),
)
def test_entropy_is_invariant_under_rescaling(case, seed, kind, scale):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    scaled = values * (scale if kind == "complex" else abs(scale))
    a, b = (schmidt_spectrum(v, region, levels=lattice.levels) for v in (scaled, values))
    assert abs(a.entropy() - b.entropy()) <= a.entropy_error_bound + b.entropy_error_bound


@given(lattices_and_regions(proper=True), seeds(), st.sampled_from(RANDOM_KINDS), st.randoms(use_true_random=False))
def test_entropy_is_invariant_under_relabelling_pixels_inside_the_region(case, seed, kind, rnd):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    shuffled_region = list(region)
    rnd.shuffle(shuffled_region)
    permutation = list(range(lattice.n_pixels))  # move the contents of region's pixels among themselves
    for old, new in zip(sorted(region), shuffled_region):
        permutation[old] = new
    relabelled = values.reshape(lattice.tensor_shape).transpose(permutation).reshape(-1)
    original = entanglement_entropy(values, region, levels=lattice.levels)
    a, b = (schmidt_spectrum(v, region, levels=lattice.levels) for v in (relabelled, values))
    assert abs(a.entropy() - b.entropy()) <= a.entropy_error_bound + b.entropy_error_bound
    assert entanglement_entropy(values, shuffled_region, levels=lattice.levels) == pytest.approx(original, abs=1e-12)


@given(lattices_and_regions(), seeds())
def test_a_product_function_has_rank_one_and_zero_entropy(case, seed):
    lattice, region = case
    values = product_function(lattice, seed)
    assert schmidt_rank(values, region, levels=lattice.levels) == 1
    spectrum = schmidt_spectrum(values, region, levels=lattice.levels)
    assert spectrum.entropy() <= spectrum.entropy_error_bound


@given(lattices(max_images=1024, min_pixels=2), seeds(), st.data())
def test_entropy_of_a_tensor_product_is_additive(lattice, seed, data):
    pixels = data.draw(st.permutations(range(lattice.n_pixels)))
    split = data.draw(st.integers(1, lattice.n_pixels - 1))
    first, second = sorted(pixels[:split]), sorted(pixels[split:])
    region = data.draw(st.permutations(range(lattice.n_pixels)))[: data.draw(st.integers(0, lattice.n_pixels))]
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(lattice.levels ** len(first))
    h = rng.standard_normal(lattice.levels ** len(second))
    # f(s) = g(s_first) h(s_second): the outer product indexed (first..., second...), moved to pixel order.
    joint = np.outer(g, h).reshape(lattice.tensor_shape)
    values = joint.transpose(np.argsort(first + second)).reshape(-1)
    d = lattice.levels
    part = lambda sub, cut: [sub.index(p) for p in cut if p in sub]  # noqa: E731
    parts = [schmidt_spectrum(g, part(first, region), levels=d), schmidt_spectrum(h, part(second, region), levels=d)]
    joint_spectrum = schmidt_spectrum(values, region, levels=d)
    tolerance = joint_spectrum.entropy_error_bound + sum(p.entropy_error_bound for p in parts)
    assert abs(joint_spectrum.entropy() - sum(p.entropy() for p in parts)) <= tolerance


@given(lattices_and_regions(), seeds(), st.sampled_from(RANDOM_KINDS))
def test_renyi_entropies_do_not_increase_with_alpha(case, seed, kind):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    entropies = [
        entanglement_entropy(values, region, levels=lattice.levels, alpha=a) for a in (0, 0.5, 1, 2, 5, math.inf)
    ]
    assert all(a >= b - 1e-9 for a, b in zip(entropies, entropies[1:]))


@given(lattices_and_regions(max_images=1024, proper=True), seeds())
def test_float_rank_of_boolean_functions_equals_the_exact_rank(case, seed):
    lattice, region = case
    values = random_values(lattice, seed, "boolean")
    if min(len(region), lattice.n_pixels - len(region)) * math.log(lattice.levels) > math.log(64):
        region = region[:1]
    assert schmidt_rank(values, region, levels=lattice.levels) == exact_schmidt_rank(
        values, region, levels=lattice.levels
    )


@given(lattices_and_regions(max_images=1024, proper=True), seeds())
def test_float_entropy_matches_a_50_digit_reference(case, seed):
    lattice, region = case
    region = region[: max(1, int(math.log(64) / math.log(lattice.levels)))]
    values = random_values(lattice, seed, "gaussian")
    reference = float(reference_entropy(values, region, levels=lattice.levels))
    assert entanglement_entropy(values, region, levels=lattice.levels) == pytest.approx(reference, abs=1e-10)


@pytest.mark.parametrize("m, n", [(2, 2), (2, 4), (3, 3), (4, 4), (2, 16), (4, 8)])
def test_page_formula_matches_the_mean_entropy_of_random_complex_functions(m, n):
    rng = np.random.default_rng(1000 * m + n)
    samples = 4000
    matrices = rng.standard_normal((samples, m, n)) + 1j * rng.standard_normal((samples, m, n))
    p = np.linalg.svd(matrices, compute_uv=False) ** 2
    p /= p.sum(axis=1, keepdims=True)
    entropies = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0), axis=1)
    standard_error = entropies.std(ddof=1) / np.sqrt(samples)
    assert abs(entropies.mean() - page_entropy(m, n)) < 4 * standard_error


def test_page_formula_equals_its_harmonic_sum_and_is_symmetric():
    for m, n in [(1, 1), (2, 3), (5, 7), (16, 16)]:
        exact = sum(1 / k for k in range(n + 1, m * n + 1)) - (m - 1) / (2 * n)
        assert page_entropy(m, n) == pytest.approx(exact, abs=1e-12)
        assert page_entropy(n, m) == page_entropy(m, n)
    assert page_entropy(1, 1000) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("levels", [2, 3, 4])
def test_equality_of_two_separated_pixels_carries_exactly_ln_d(levels):
    lattice = Lattice(3, 2, levels)
    values = far_apart_equal(lattice, 0, 5)
    assert entanglement_entropy(values, [0, 1], levels=levels) == pytest.approx(math.log(levels), abs=1e-12)
    assert schmidt_rank(values, [0, 3], levels=levels) == levels
    assert entanglement_entropy(values, [0, 4, 5], levels=levels) == pytest.approx(0.0, abs=1e-12)


@given(lattices_and_regions(proper=True))
def test_parity_carries_ln_2_on_every_nontrivial_cut(case):
    lattice, region = case
    lattice = Lattice(lattice.width, lattice.height, 2)
    assert entanglement_entropy(parity(lattice), region) == pytest.approx(math.log(2), abs=1e-12)


def test_empty_and_full_regions_have_zero_entropy_and_rank_one():
    values = np.random.default_rng(0).standard_normal(2**6)
    for region in ([], list(range(6))):
        assert entanglement_entropy(values, region) == 0.0
        assert schmidt_rank(values, region) == 1
        np.testing.assert_allclose(schmidt_values(values, region), [np.linalg.norm(values)])


@pytest.mark.parametrize(
    "values, region, levels, message",
    [
        (np.ones(10), [0], 2, "not levels\\*\\*N"),
        (np.ones(16), [4], 2, "outside 0..3"),
        (np.ones(16), [1, 1], 2, "repeats pixels \\[1\\]"),
        (np.zeros(16), [0], 2, "zero on every image"),
        (np.array([1.0, np.nan, 0, 0]), [0], 2, "NaN or infinite"),
        (np.array([1.0, np.inf, 0, 0]), [0], 2, "NaN or infinite"),
        (np.ones(16), [0], 1, "levels must be an integer >= 2"),
        (np.array(["a"] * 4), [0], 2, "must be numbers"),
        (np.ones(16), [0.5], 2, "integer pixel indices"),
    ],
)
def test_bad_input_raises_a_clear_error(values, region, levels, message):
    with pytest.raises(InvalidInputError, match=message):
        entanglement_entropy(values, region, levels=levels)


def test_bad_alpha_and_tolerance_are_refused():
    values = np.arange(1.0, 17.0)
    with pytest.raises(InvalidInputError, match="alpha must be >= 0"):
        entanglement_entropy(values, [0], alpha=-1)
    with pytest.raises(InvalidInputError, match="tol must be a non-negative"):
        schmidt_rank(values, [0], tol=float("nan"))
    with pytest.raises(InvalidInputError, match="positive integer dimension"):
        page_entropy(0, 3)


def test_a_request_too_large_for_memory_is_refused_before_allocating(monkeypatch):
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", "64K")
    values = np.random.default_rng(0).standard_normal(2**16)  # 512 KiB, reordered in one slice
    with pytest.raises(TooLargeError, match=r"needs about 514.0 KiB, more than the memory limit of 64.0 KiB"):
        entanglement_entropy(values, [3, 9, 12, 15], levels=2)
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", "lots")
    with pytest.raises(InvalidInputError, match="is not a size"):
        entanglement_entropy(values, [0], levels=2)


@given(lattices_and_regions(), seeds(), st.sampled_from(RANDOM_KINDS))
def test_the_one_pass_profile_agrees_with_the_separate_functions(case, seed, kind):
    lattice, region = case
    values = random_values(lattice, seed, kind)
    profile = entanglement_profile(values, region, levels=lattice.levels)
    assert profile.entropy == pytest.approx(entanglement_entropy(values, region, levels=lattice.levels), abs=1e-10)
    assert profile.rank == schmidt_rank(values, region, levels=lattice.levels)


def test_a_schmidt_value_far_below_sqrt_eps_is_resolved_like_an_svd():
    # f = g1 (x) h1 + 1e-9 g2 (x) h2 across the half cut of 12 pixels: rank 2, with sigma_2 / sigma_1 ~ 1e-9,
    # below what the square root of a Gram eigenvalue can resolve (~1.5e-8).
    rng = np.random.default_rng(3)
    g, h = rng.standard_normal((2, 64)), rng.standard_normal((2, 64))
    values = (np.outer(g[0], h[0]) + 1e-9 * np.outer(g[1], h[1])).reshape(-1)
    region = list(range(6))
    expected = np.linalg.svd(values.reshape(64, 64), compute_uv=False)
    np.testing.assert_allclose(schmidt_values(values, region), expected, rtol=0, atol=1e-13 * expected[0])
    assert schmidt_rank(values, region) == 2
    assert entanglement_profile(values, region).rank == 2


@given(lattices_and_regions(), seeds(), st.sampled_from(RANDOM_KINDS))
def test_the_gram_accumulated_slice_by_slice_matches_the_svd(case, seed, kind):
    from unittest import mock

    import numeric.gram as gram

    lattice, region = case
    values = random_values(lattice, seed, kind)
    sigma = schmidt_values(values, region, levels=lattice.levels, method="svd")
    with mock.patch.object(gram, "_slice_target", lambda side, entries: 1):  # as many slices as the axes allow
        p = schmidt_probabilities(values, region, levels=lattice.levels)
    np.testing.assert_allclose(p, sigma**2 / np.sum(sigma**2), rtol=0, atol=1e-10)


def test_tiny_and_huge_functions_keep_their_entropy():
    values = np.random.default_rng(1).standard_normal(2**10)
    expected = entanglement_entropy(values, [0, 3, 7])
    for scale in (1e-200, 1e200):
        assert entanglement_entropy(values * scale, [0, 3, 7]) == pytest.approx(expected, abs=1e-10)


# --- the Fannes-Audenaert bound against its extremal pair, in 50 digits ------------------------------------


@pytest.mark.parametrize("dimension", [1, 2, 3, 16, 1000])
@pytest.mark.parametrize("distance", [0.0, 1e-12, 1e-3, 0.3, 0.49, 0.5, 0.9, 0.999, 1.0])
def test_the_entropy_error_bound_is_audenaerts_bound_attained_by_its_extremal_pair(distance, dimension):
    """p = (1, 0, ..., 0) and q = (1 - T, T/(D-1), ...) are at distance T and differ in entropy by exactly
    Audenaert's T ln(D-1) + h(T) (T <= 1 - 1/D; ln D beyond): the bound must cover it and add only rounding."""
    mpmath.mp.dps = 50
    T, D = mpmath.mpf(distance), dimension
    if D == 1:
        exact = mpmath.mpf(0)
    elif T < 1 - mpmath.mpf(1) / D:
        q = [1 - T] + [T / (D - 1)] * (D - 1)
        exact = -mpmath.fsum(x * mpmath.log(x) for x in q if x > 0)
    else:
        exact = mpmath.log(D)
    bound = _fannes_audenaert(distance, dimension)
    assert exact <= bound <= exact + 1e-12 + 1e-13 * D


def test_the_public_functions_default_to_binary_pixels():
    values = np.array([2.0, 0.0, 0.0, 0.3])  # two binary pixels, Schmidt values 2 and 0.3 across pixel 0
    np.testing.assert_allclose(schmidt_values(values, [0]), [2.0, 0.3])
    np.testing.assert_allclose(schmidt_values(values, [0], method="svd"), [2.0, 0.3])
    np.testing.assert_allclose(schmidt_matrix(values, [1]), [[2.0, 0.0], [0.0, 0.3]])
    np.testing.assert_allclose(schmidt_probabilities(values, [0]), np.array([4.0, 0.09]) / 4.09)
    assert as_state_tensor(values).shape == (2, 2)
    expected = -sum(p * math.log(p) for p in np.array([4.0, 0.09]) / 4.09)
    assert entanglement_entropy(values, [0]) == pytest.approx(expected, rel=1e-14)
    assert schmidt_spectrum(values, [0]).entropy() == pytest.approx(expected, rel=1e-14)
    with pytest.raises(InvalidInputError, match="zero on every image"):
        as_state_tensor(np.zeros(4))


def test_a_rank_counts_the_schmidt_values_above_the_tolerance_it_is_given():
    values = np.array([2.0, 0.0, 0.0, 0.3])
    assert [schmidt_rank(values, [0], tol=tol) for tol in (None, 0, 0.2, 0.5, 2.0)] == [2, 2, 2, 1, 0]


def test_renyi_entropies_of_a_known_distribution():
    p = [0.5, 0.25, 0.25, 0.0]
    expected = {
        0: math.log(3),
        1: 1.5 * math.log(2),
        2: -math.log(0.375),
        0.5: 2 * math.log(sum(math.sqrt(x) for x in p)),
        math.inf: math.log(2),
    }
    for alpha, value in expected.items():
        assert entropy_of_probabilities(p, alpha) == pytest.approx(value, rel=1e-14)
    with pytest.raises(InvalidInputError, match=re.escape("alpha must be a number >= 0 or inf, got 'big'")):
        entropy_of_probabilities(p, "big")


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: entanglement_entropy(np.ones(4), [0], precision="float16"),
            "precision must be 'float64' or 'float32', got 'float16'",
        ),
        (lambda: schmidt_values(np.ones(4), [0], method="eig"), "method must be 'qr' or 'svd', got 'eig'"),
        (lambda: page_entropy(2, 0), "n must be a positive integer dimension, got 0"),
        (lambda: page_entropy(2.0, 2), "m must be a positive integer dimension, got 2.0"),
        (
            lambda: as_state_tensor(np.array([1e39, 1.0, 0.0, 0.0]), precision="float32"),
            "values exceed the range of float32 (about 3.4e+38); rescale them or use precision='float64'",
        ),
        (lambda: entanglement_entropy(np.ones((2, 3)), [0]), "values has shape (2, 3); pass a flat array"),
        (
            lambda: entanglement_entropy(np.array([1.0, np.nan, np.inf, 0.0]), [0]),
            "values holds 2 NaN or infinite entries",
        ),
    ],
)
def test_each_refusal_names_the_problem_and_the_fix(call, message):
    with pytest.raises(InvalidInputError, match=f"^{re.escape(message)}"):
        call()


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda v: schmidt_values(v, [0, 2]),
            "the Schmidt values (a factorisation of the Schmidt matrix) needs about 2.0 MiB"
            ", more than the memory limit of 1024.0 KiB (set CNN_BOUNDS_MEMORY_LIMIT to change it); use a "
            "smaller region or "
            "lattice, or entropies without ranks (entanglement_entropy; --no-rank on the command line)",
        ),
        (
            lambda v: schmidt_matrix(v, [0, 2]),
            "reordering the 131072-entry function so that region A comes first needs "
            "about 1.0 MiB, more than the memory limit of 1024.0 KiB (set CNN_BOUNDS_MEMORY_LIMIT to change "
            "it); use a smaller "
            "lattice or a region that is a prefix of the pixel order",
        ),
        (
            lambda v: as_state_tensor(v.astype(np.int64) + 1, levels=2),
            "a float64 copy of the 131072-entry function "
            "needs about 1.0 MiB, more than the memory limit of 1024.0 KiB (set CNN_BOUNDS_MEMORY_LIMIT to "
            "change it); use a "
            "smaller lattice, or pass the values as float32 with precision='float32'",
        ),
    ],
)
def test_memory_refusals_name_what_needs_the_memory_and_the_way_out(monkeypatch, call, message):
    values = np.random.default_rng(0).standard_normal(2**17)  # 1 MiB
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", str(2**20 - 1))
    with pytest.raises(TooLargeError, match=f"^{re.escape(message)}$"):
        call(values)


@given(lattices_and_regions(max_images=1024), seeds())
def test_a_random_function_attains_the_rank_and_entropy_ceilings_of_its_cut(case, seed):
    """Generic functions have full Schmidt rank d^min(|A|,|B|) (the ceiling), and S_A <= min(|A|,|B|) ln d."""
    lattice, region = case
    values = random_values(lattice, seed)
    size, n, d = len(region), lattice.n_pixels, lattice.levels
    assert max_schmidt_rank(size, n, d) == d ** min(size, n - size) == schmidt_rank(values, region, levels=d)
    assert max_entropy(size, n, d) == pytest.approx(min(size, n - size) * math.log(d))
    assert entanglement_entropy(values, region, levels=d) <= max_entropy(size, n, d) + 1e-12


def test_the_default_rank_tolerance_is_relative_to_the_largest_schmidt_value():
    values = 1e-8 * np.array([1.0, 0.0, 0.0, 1e-3])  # Schmidt values 1e-8 and 1e-11: both far above 1e-10 x 1e-8
    assert schmidt_rank(values, [0]) == 2 and schmidt_rank(values * 1e8, [0]) == 2
    assert schmidt_rank(np.array([1.0, 0.0, 0.0, 1e-12]), [0]) == 1
    with pytest.raises(InvalidInputError, match="^values is zero on every image: f = 0 has no normalised state"):
        schmidt_rank(np.zeros(4), [0])
    with pytest.raises(InvalidInputError, match="^a region is a sequence of pixel indices, got the string 'ab'"):
        schmidt_rank(np.ones(4), "ab")


# --- density-matched random labellings at any size -------------------------------------------------------


def _exact_draws(n_pixels: int, size: int, density: float, labels: str, draws: int = 20) -> tuple[float, float]:
    """Mean and standard error of S_A over exact random labellings with round(density 2^N) ones, A the
    first ``size`` pixels of a chain."""
    from numeric.targets import random_boolean_with_ones

    lattice = Lattice(n_pixels, 1)
    ones = round(density * lattice.n_images)
    values = [random_boolean_with_ones(lattice, ones, seed) for seed in range(draws)]
    entropies = [entanglement_entropy(v if labels == "01" else 2 * v - 1, range(size)) for v in values]
    return float(np.mean(entropies)), float(np.std(entropies, ddof=1) / math.sqrt(draws))


@pytest.mark.parametrize("labels", ["01", "pm1"])
@pytest.mark.parametrize("density", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("n_pixels, size", [(14, 2), (14, 3)])  # m / n = 1/4096 and 1/256: the n >> m limit
def test_matched_random_entropy_is_the_mean_of_exact_draws_when_one_side_is_large(n_pixels, size, density, labels):
    mean, error = _exact_draws(n_pixels, size, density, labels)
    m, n = 2**size, 2 ** (n_pixels - size)
    # sampling error, plus the O(m / n) terms the formula leaves out
    assert abs(matched_random_entropy(density, m, n, labels) - mean) <= 4 * error + m / n


@pytest.mark.parametrize("labels", ["01", "pm1"])
def test_matched_random_entropy_overestimates_square_cuts_by_at_most_4_percent(labels):
    for density in (0.5, 0.9, 0.97, 0.995):
        mean, error = _exact_draws(16, 8, density, labels)
        formula = matched_random_entropy(density, 256, 256, labels)
        assert mean - 4 * error <= formula <= 1.04 * (mean + 4 * error), (density, mean, formula)


def test_matched_random_entropy_limits_and_refusals():
    """Constant labellings carry nothing; a balanced +-1 labelling is Page's volume law; a 0/1 labelling of
    density p adds h(W_1) to (1 - W_1) ln(m - 1), W_1 = p + (1 - p)/m, as n -> oo."""
    assert matched_random_entropy(1.0, 2**10, 2**40) == 0.0 and matched_random_entropy(0.0, 16, 2**20, "pm1") == 0.0
    m = 2**36
    balanced = matched_random_entropy(0.5, m, 2**108, "pm1")
    assert balanced <= 36 * math.log(2) and balanced == pytest.approx(36 * math.log(2), abs=1e-9)
    p, m = 0.9, 2**5
    top = p + (1 - p) / m
    limit = -top * math.log(top) - (1 - top) * math.log((1 - p) / m)  # the concentrated Gram matrix's spectrum
    assert matched_random_entropy(p, m, 2**60) == pytest.approx(limit, rel=1e-12)
    for bad in ((0.0, 4, 4, "01"), (1.5, 4, 4, "01"), (0.5, 0, 4, "01"), (0.5, 4, 4, "+-1"), (0.5, True, 4, "01")):
        with pytest.raises(InvalidInputError):
            matched_random_entropy(*bad)


def test_a_large_renyi_order_does_not_underflow_to_an_infinite_entropy():
    """Regression: p^alpha underflowed to 0 for alpha = 1e6, so ln(sum p^alpha) / (1 - alpha) gave +inf (the
    command-line fuzz drew such an alpha); S_alpha = alpha / (alpha - 1) (-ln p_max) + O(p_2/p_max)^alpha."""
    p = np.array([0.5, 0.3, 0.2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = entropy_of_probabilities(p, 1e6)
    assert value == pytest.approx(-math.log(0.5) * 1e6 / (1e6 - 1), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_a_gram_updated_in_panels_equals_one_updated_at_once(monkeypatch, dtype):
    # large Gram matrices are updated in panels (scipy's OpenBLAS fails on one of 2^31 bytes); the panels,
    # uneven here (3, 3, 2 of a side of 8), must give the same spectrum
    rng = np.random.default_rng(1)
    values = rng.standard_normal(2**10) + (1j * rng.standard_normal(2**10) if dtype == np.complex128 else 0)
    region = [1, 4, 7]
    whole = schmidt_spectrum(values, region)
    monkeypatch.setattr(gram_module, "_PANEL_SIDE", 3)
    calls = []
    original = gram_module._update_in_panels
    monkeypatch.setattr(gram_module, "_update_in_panels", lambda *args: calls.append(1) or original(*args))
    paneled = schmidt_spectrum(values, region)
    assert calls  # the panel path ran
    assert (
        0.5 * np.sum(np.abs(whole.probabilities - paneled.probabilities))
        <= whole.distance_bound + paneled.distance_bound
    )
    assert abs(whole.entropy() - paneled.entropy()) <= whole.entropy_error_bound + paneled.entropy_error_bound
