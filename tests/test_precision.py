"""The computed error bounds of the entropy engine, and the work shared between many cuts of one function."""

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric.entanglement as engine
import numeric.gram as gram
from cnn_bounds.strategies import lattices_and_regions, random_values, seeds
from numeric import Lattice, TooLargeError, complement, rectangles, straight_cuts
from numeric.entanglement import schmidt_spectra, schmidt_spectrum
from numeric.precise import reference_entropy
from numeric.targets import pattern_present

real_eigenvalues = engine._eigenvalues

spectrum_kinds = st.sampled_from(["gaussian", "complex", "boolean", "nearly-product", "steep"])


def stress_values(lattice: Lattice, seed: int, kind: str) -> np.ndarray:
    """Random functions, plus two that stress small Schmidt values: a product function with a 1e-4 random
    admixture, and Gaussian values scaled by factors spread over eight decades."""
    rng = np.random.default_rng(seed)
    if kind == "nearly-product":
        factors = [rng.standard_normal(lattice.levels) for _ in range(lattice.n_pixels)]
        product = factors[0]
        for factor in factors[1:]:
            product = np.multiply.outer(product, factor).ravel()
        return product + 1e-4 * rng.standard_normal(lattice.n_images)
    if kind == "steep":
        return rng.standard_normal(lattice.n_images) * 10.0 ** rng.uniform(-4, 4, lattice.n_images)
    return random_values(lattice, seed, kind)


@given(
    lattices_and_regions(proper=True), seeds(), spectrum_kinds, st.sampled_from([1024, 4, 2]), st.sampled_from([64, 1])
)
@settings(max_examples=60)
def test_the_float32_error_bound_holds_against_float64(case, seed, kind, run_terms, matmul_side):
    """|S_32 - S_64| <= bound_32 + bound_64 and the same for the probabilities' distance, with float32 sums
    cut into runs of every length and both float32 kernels (batched matmul, one BLAS call per run)."""
    lattice, region = case
    values = stress_values(lattice, seed, kind)
    double = schmidt_spectrum(values, region, levels=lattice.levels)
    with mock.patch.object(gram, "SINGLE_RUN_TERMS", run_terms), mock.patch.object(gram, "_MATMUL_SIDE", matmul_side):
        single = schmidt_spectrum(values, region, levels=lattice.levels, precision="float32")
    assert single.precision == "float32"
    assert abs(single.entropy() - double.entropy()) <= single.entropy_error_bound + double.entropy_error_bound
    distance = 0.5 * np.sum(np.abs(single.probabilities - double.probabilities))
    assert distance <= single.distance_bound + double.distance_bound


@given(
    lattices_and_regions(max_images=256, proper=True),
    seeds(),
    st.sampled_from(["gaussian", "boolean", "nearly-product", "steep"]),
)
@settings(max_examples=25)
def test_the_float64_error_bound_holds_against_a_50_digit_reference(case, seed, kind):  # the reference is real-only
    lattice, region = case
    values = stress_values(lattice, seed, kind)
    found = schmidt_spectrum(values, region, levels=lattice.levels)
    exact = float(reference_entropy(values, region, levels=lattice.levels))
    assert abs(found.entropy() - exact) <= found.entropy_error_bound


def test_the_bounds_are_informative_for_a_random_function():
    """Worst-case, yet small enough to use: a Gaussian function on 16 pixels, cuts of 1 to 8 pixels."""
    values = np.random.default_rng(3).standard_normal(2**16)
    for size in (1, 4, 8):
        region = list(range(0, 16, 16 // size))[:size]
        assert schmidt_spectrum(values, region).entropy_error_bound < 1e-8
        assert schmidt_spectrum(values, region, precision="float32").entropy_error_bound < 0.02


def test_a_low_entropy_spectrum_keeps_a_useful_float32_bound():
    """A few large eigenvalues make the float32 eigensolver's term D^2 u lambda_max dominate (vacuous, ln D,
    at D = 4096); the engine then solves in float64 and the bound stays small."""
    values = pattern_present(Lattice(4, 4), np.ones((2, 2), int))
    found = schmidt_spectrum(values, range(8), precision="float32")
    assert found.entropy_error_bound < 0.01
    with mock.patch.object(
        engine, "_eigenvalues", side_effect=lambda gram, dtype: real_eigenvalues(gram, np.dtype(np.float32))
    ):
        forced = schmidt_spectrum(values, range(8), precision="float32")
    assert forced.entropy_error_bound > 5 * found.entropy_error_bound
    assert abs(forced.entropy() - found.entropy()) <= forced.entropy_error_bound


def test_single_precision_input_is_used_without_a_copy_and_without_input_rounding():
    values = np.random.default_rng(4).standard_normal(2**12).astype(np.float32)
    from_single = schmidt_spectrum(values, [0, 5], precision="float32")
    from_double = schmidt_spectrum(values.astype(np.float64), [0, 5], precision="float32")
    assert from_single.entropy() == pytest.approx(from_double.entropy(), abs=1e-12)
    assert from_single.distance_bound < from_double.distance_bound  # no 2u input-rounding term


def test_tiny_and_huge_functions_keep_their_float32_entropy():
    values = np.random.default_rng(5).standard_normal(2**10)
    expected = schmidt_spectrum(values, [1, 4])
    for scale in (1e-30, 1e30, 1e-200, 1e200):
        found = schmidt_spectrum(values * scale, [1, 4], precision="float32")
        assert abs(found.entropy() - expected.entropy()) <= found.entropy_error_bound + expected.entropy_error_bound


@given(seeds(), st.sampled_from([(4, 3, 2), (3, 3, 3), (6, 2, 2)]), st.sampled_from(["float64", "float32"]))
@settings(max_examples=10)
def test_many_cuts_at_once_match_one_at_a_time(seed, shape, precision):
    """Shared work (complements, partial traces of larger sides) changes nothing beyond rounding."""
    lattice = Lattice(*shape)
    values = random_values(lattice, seed, "complex" if seed % 2 else "gaussian")
    regions = list(straight_cuts(lattice).values()) + list(rectangles(lattice).values())
    regions += [complement(lattice, region) for region in regions[:3]]
    together = schmidt_spectra(values, regions, levels=lattice.levels, precision=precision)
    for region, shared in zip(regions, together):
        alone = schmidt_spectrum(values, region, levels=lattice.levels, precision=precision)
        assert abs(shared.entropy() - alone.entropy()) <= shared.entropy_error_bound + alone.entropy_error_bound
        assert shared.entropy_error_bound <= 10 * alone.entropy_error_bound + 1e-12


def test_many_cuts_pass_over_the_function_once_per_maximal_side():
    """Every straight cut of a 4x4 lattice: the column cuts nest, as do the row cuts, so the function is
    read for the two largest sides of each direction only (4 passes for 6 cuts)."""
    lattice = Lattice(4, 4)
    values = random_values(lattice, 7)
    with mock.patch("numeric.entanglement.gram_matrix", wraps=gram.gram_matrix) as passes:
        schmidt_spectra(values, list(straight_cuts(lattice).values()))
    assert passes.call_count == 4


def test_a_cut_too_large_for_float64_names_float32_and_fits_in_it(monkeypatch):
    """The refusal comes before allocating, with the estimate, the limit and the fixes; float32 values fit."""
    values = np.random.default_rng(8).standard_normal(2**16)  # one 2^16-entry slice: 512 KiB in float64
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", "300K")
    with pytest.raises(
        TooLargeError,
        match=r"needs about 514.0 KiB, more than the memory limit of 300.0 KiB.*"
        r"smaller region or lattice, or precision='float32'",
    ):
        schmidt_spectrum(values, [0, 5, 10, 15])
    single = values.astype(np.float32)  # given in single precision: no copy, a 256 KiB slice
    assert schmidt_spectrum(single, [0, 5, 10, 15], precision="float32").entropy() > 0
