"""Target functions against a brute-force loop over images, and the name catalog."""

import itertools
import math
import re

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.strategies import lattices
from numeric import InvalidInputError, Lattice, TooLargeError, schmidt_rank, targets
from numeric.catalog import CATALOG, build_target, parse_function_spec
from numeric.memory import format_bytes
from numeric.targets import finite_state_reader
from proofs.subvolume import (
    LocalFeatureModel,
    cut_geometry,
    last_nonzero_transitions,
    local_rank_bound,
    run_span_dimension,
    runs,
)


def images(lattice: Lattice):
    """Every image as a (height, width) array, in the package's order (pixel 0 most significant)."""
    for digits in itertools.product(range(lattice.levels), repeat=lattice.n_pixels):
        yield np.array(digits).reshape(lattice.height, lattice.width)


def windows_of(image: np.ndarray, height: int, width: int):
    rows, cols = image.shape
    return [image[y : y + height, x : x + width] for y in range(rows - height + 1) for x in range(cols - width + 1)]


small_lattices = lattices(max_images=729, min_pixels=4).filter(lambda lat: lat.width >= 2 and lat.height >= 2)


@st.composite
def lattice_and_pattern(draw):
    lattice = draw(small_lattices)
    height, width = draw(st.integers(1, min(2, lattice.height))), draw(st.integers(1, min(2, lattice.width)))
    pattern = np.array(
        draw(st.lists(st.integers(0, lattice.levels - 1), min_size=height * width, max_size=height * width))
    )
    return lattice, pattern.reshape(height, width)


@given(lattice_and_pattern(), st.integers(1, 4))
def test_local_feature_targets_match_a_loop_over_images(case, threshold):
    lattice, pattern = case
    counts = np.array(
        [sum(np.array_equal(w, pattern) for w in windows_of(im, *pattern.shape)) for im in images(lattice)]
    )
    np.testing.assert_array_equal(targets.pattern_present(lattice, pattern), counts > 0)
    np.testing.assert_array_equal(targets.pattern_absent(lattice, pattern), counts == 0)
    np.testing.assert_array_equal(targets.count_threshold(lattice, threshold, pattern), counts >= threshold)


@given(small_lattices)
def test_a_predicate_detector_matches_a_loop_over_images(lattice):
    bright = lambda patches: patches.sum(axis=(1, 2)) >= 3 * (lattice.levels - 1)  # noqa: E731
    expected = [any(w.sum() >= 3 * (lattice.levels - 1) for w in windows_of(im, 2, 2)) for im in images(lattice)]
    np.testing.assert_array_equal(targets.pattern_present(lattice, window=(2, 2), detector=bright), expected)
    np.testing.assert_array_equal(
        targets.pattern_absent(lattice, window=(2, 2), detector=bright), np.logical_not(expected)
    )
    counts = [sum(w.sum() >= 3 * (lattice.levels - 1) for w in windows_of(im, 2, 2)) for im in images(lattice)]
    np.testing.assert_array_equal(
        targets.count_threshold(lattice, 2, window=(2, 2), detector=bright), np.array(counts) >= 2
    )


@given(lattices(max_images=729))
def test_global_targets_match_a_loop_over_images(lattice):
    sums = np.array([im.sum() for im in images(lattice)])
    flat = list(images(lattice))
    np.testing.assert_array_equal(targets.majority(lattice), 2 * sums > lattice.n_pixels * (lattice.levels - 1))
    np.testing.assert_array_equal(targets.parity(lattice), sums % 2)
    np.testing.assert_array_equal(targets.far_apart_equal(lattice), [im.flat[0] == im.flat[-1] for im in flat])


def test_random_functions_are_reproducible_from_their_seed():
    lattice = Lattice(3, 3)
    for name in ("random-gaussian", "random-boolean", "product"):
        np.testing.assert_array_equal(build_target(name, lattice, 7), build_target(name, lattice, 7))
        assert not np.array_equal(build_target(name, lattice, 7), build_target(name, lattice, 8))


def test_every_catalog_entry_builds_a_function_of_the_right_length():
    lattice = Lattice(3, 2, 3)
    for name in CATALOG:
        values = build_target(name, lattice)
        assert values.shape == (lattice.n_images,) and values.dtype == np.float64 and np.any(values)


@pytest.mark.parametrize("lattice", [Lattice(3, 3), Lattice(2, 3, 3)])
def test_chunked_generation_and_float32_give_the_same_functions(lattice):
    """Chunks of 9 images (patched) give the one-chunk result; float32 is float64 rounded, the same seed."""
    from unittest import mock

    for name in CATALOG:
        whole = build_target(name, lattice, 3)
        with mock.patch.object(targets, "_CHUNK_IMAGES", 9):
            np.testing.assert_array_equal(build_target(name, lattice, 3), whole)
        single = build_target(name, lattice, 3, np.float32)
        assert single.dtype == np.float32
        np.testing.assert_array_equal(single, whole.astype(np.float32))
    with pytest.raises(InvalidInputError, match="dtype must be float64 or float32"):
        targets.parity(lattice, dtype=np.int8)


def test_catalog_parses_parameters_and_refuses_unknown_ones():
    spec, params = parse_function_spec("count-threshold:size=3,threshold=4,pattern=101010101")
    assert spec.name == "count-threshold" and params == {"size": 3, "threshold": 4, "pattern": "101010101"}
    for bad, message in [
        ("nonsense", "unknown function"),
        ("majority:size=2", "takes key=value parameters from: none"),
        ("pattern-present:size=two", "size must be an integer"),
        ("pattern-present:pattern=101", "k\\*k digits"),
    ]:
        with pytest.raises(InvalidInputError, match=message):
            build_target(bad, Lattice(4, 4))


def test_bad_target_arguments_are_refused():
    lattice = Lattice(4, 4)
    with pytest.raises(InvalidInputError, match="does not fit"):
        targets.pattern_present(lattice, np.ones((5, 5), int))
    with pytest.raises(InvalidInputError, match="integers in 0..1"):
        targets.pattern_present(lattice, np.full((2, 2), 2))
    with pytest.raises(InvalidInputError, match="either a pattern"):
        targets.pattern_present(lattice)
    with pytest.raises(InvalidInputError, match="one bool per window configuration"):
        targets.pattern_present(lattice, window=(2, 2), detector=lambda patches: True)
    with pytest.raises(InvalidInputError, match="two different pixels"):
        targets.far_apart_equal(lattice, 3, 3)


def test_a_lattice_too_large_to_enumerate_is_refused_with_the_estimate():
    with pytest.raises(TooLargeError, match="on all 1099511627776 images .* needs about 8.0 TiB"):
        targets.random_gaussian(Lattice(8, 5))
    with pytest.raises(InvalidInputError, match="levels must be at least 2"):
        Lattice(4, 4, levels=1)


# --- finite-state readers: the order-dependent aggregator and its run bound (c') -------------------------


def test_the_last_non_zero_reader_breaks_the_old_reader_bound_and_keeps_the_run_bound():
    # Regression: a 2-state reader on a 3-level chain of 8, A = the even pixels, has rank 8;
    # the old bound r_G d^|U_A| = 2 was false. The run bound: runs {0} (edge) and {2}, {4}, {6} (middle):
    # 2 * 3^3 = 54 on A's side, the same on B's, below the ceiling 3^4 = 81.
    lattice = Lattice(8, 1, 3)
    values = finite_state_reader(lattice, last_nonzero_transitions(3), [0, 1])
    region = (0, 2, 4, 6)
    assert schmidt_rank(values, region, levels=3) == 8
    pixels = tuple((p,) for p in range(8))
    ordered = LocalFeatureModel("reader", lattice, pixels, "reader", reader_states=2, reading_order=tuple(range(8)))
    assert local_rank_bound(ordered, cut_geometry(ordered, region)) == (54, None)
    unordered = LocalFeatureModel("reader", lattice, pixels, "reader", reader_states=2)
    assert local_rank_bound(unordered, cut_geometry(unordered, region))[0] == 2 < 8  # what (c) wrongly claimed
    # Read in an order that visits A in one run, the same function has one edge run: bound 2, and it holds.
    grouped = finite_state_reader(lattice, last_nonzero_transitions(3), [0, 1], order=(0, 2, 4, 6, 1, 3, 5, 7))
    assert schmidt_rank(grouped, region, levels=3) <= 2


def test_runs_are_classified_by_where_they_lie():
    assert runs([True, False, True, True, False, True]) == ("edge", "middle", "edge")
    assert runs([True, True]) == ("whole",) and runs([False, False]) == ()
    assert runs([False, True, False]) == ("middle",)


def test_a_runs_span_dimension_by_enumeration_is_the_formula():
    for states in range(1, 5):
        assert run_span_dimension(states, "middle") == states**2 - states + 1
        assert run_span_dimension(states, "edge") == states
        assert run_span_dimension(states, "whole") == 1


@st.composite
def readers(draw):
    levels = draw(st.integers(2, 3))
    n_pixels = draw(st.integers(2, 10 if levels == 2 else 7))
    states = draw(st.integers(1, 4))
    transitions = np.array(
        draw(
            st.lists(
                st.lists(st.integers(0, states - 1), min_size=levels, max_size=levels), min_size=states, max_size=states
            )
        )
    )
    output = np.array(draw(st.lists(st.integers(-2, 2), min_size=states, max_size=states)))
    order = tuple(draw(st.permutations(range(n_pixels))))
    region = sorted(draw(st.permutations(range(n_pixels)))[: draw(st.integers(1, n_pixels - 1))])
    return Lattice(n_pixels, 1, levels), transitions, output, order, region


@settings(max_examples=150)
@given(readers())
def test_any_reader_in_any_order_stays_within_its_run_bound(case):
    lattice, transitions, output, order, region = case
    values = finite_state_reader(lattice, transitions, output, order)
    if not np.any(values):
        return
    pixels = tuple((p,) for p in range(lattice.n_pixels))
    model = LocalFeatureModel(
        "reader", lattice, pixels, "reader", reader_states=len(output), reading_order=tuple(order)
    )
    bound, _ = local_rank_bound(model, cut_geometry(model, region))
    assert schmidt_rank(values, region, levels=lattice.levels) <= bound


def test_a_reader_refuses_bad_tables_and_orders():
    lattice = Lattice(3, 1)
    with pytest.raises(InvalidInputError, match="a reader needs"):
        finite_state_reader(lattice, np.array([[0, 2], [1, 0]]), [0, 1])
    with pytest.raises(InvalidInputError, match="permutation"):
        finite_state_reader(lattice, np.array([[0, 1], [1, 0]]), [0, 1], order=(0, 0, 1))


def test_density_matched_random_functions_have_exactly_the_asked_number_of_ones():
    lattice = Lattice(3, 3)
    for ones in (0, 1, 100, 512):
        values = targets.random_boolean_with_ones(lattice, ones, seed=3)
        assert values.sum() == ones and set(np.unique(values)) <= {0.0, 1.0}
    np.testing.assert_array_equal(
        targets.random_boolean_with_ones(lattice, 7, seed=3), targets.random_boolean_with_ones(lattice, 7, seed=3)
    )
    with pytest.raises(InvalidInputError, match="ones must be in 0..512"):
        targets.random_boolean_with_ones(lattice, 513)


def test_a_random_function_is_rarely_below_its_own_density_matched_control():
    # The matched comparison must not call a structureless function "below random": a density-matched random
    # function compared with other draws of the same density is below all of them on few cuts.
    from cnn_bounds.verdicts.subvolume import matched_comparison
    from numeric import straight_cuts

    lattice = Lattice(4, 3)
    regions = straight_cuts(lattice)
    for ones in (200, 2048, 3900):
        values = targets.random_boolean_with_ones(lattice, ones, seed=12345)
        comparison = matched_comparison(lattice, values, regions, seed=0)
        for encoding in ("01", "pm"):
            below = comparison[encoding]["target"] < comparison[encoding]["lowest"]
            assert below.sum() <= 1, (ones, encoding, below)
        structured = targets.pattern_present(lattice, np.ones((2, 2), dtype=np.int64))
        structured_comparison = matched_comparison(lattice, structured, regions, seed=0)["01"]
        assert np.all(structured_comparison["target"] < structured_comparison["lowest"])


# --- refusals name the builder and the way out; the estimate covers what the builder documents ------------

_FLOAT64_FIX = "use a smaller lattice or fewer levels, or float32 values (dtype=np.float32, --precision float32)"
_TWO_BY_TWO = np.ones((2, 2), int)
_BUILDERS = [  # (name in the refusal, the call, extra bytes per image beside the result, from the docstrings)
    ("a pattern detector", lambda lat, **kw: targets.pattern_present(lat, _TWO_BY_TWO, **kw), 0),
    ("a pattern detector", lambda lat, **kw: targets.pattern_absent(lat, _TWO_BY_TWO, **kw), 0),
    ("counting local features", lambda lat, **kw: targets.count_threshold(lat, 2, _TWO_BY_TWO, **kw), 0),
    ("a majority vote", lambda lat, **kw: targets.majority(lat, **kw), 0),
    ("a parity", lambda lat, **kw: targets.parity(lat, **kw), 0),
    ("a product function", lambda lat, **kw: targets.product_function(lat, **kw), 0),
    ("a random function", lambda lat, **kw: targets.random_gaussian(lat, **kw), 0),
    ("a random Boolean function", lambda lat, **kw: targets.random_boolean(lat, **kw), 0),
    ("a far-apart comparison", lambda lat, **kw: targets.far_apart_equal(lat, **kw), 0),
    ("a density-matched random function", lambda lat, **kw: targets.random_boolean_with_ones(lat, 5, **kw), 8),
    ("a finite-state reader", lambda lat, **kw: finite_state_reader(lat, last_nonzero_transitions(2), [0, 1], **kw), 1),
]


@pytest.mark.parametrize("what, build, extra", _BUILDERS, ids=[f"{i}-{b[0]}" for i, b in enumerate(_BUILDERS)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_builder_is_refused_before_allocating_by_name_and_runs_at_its_documented_size(
    monkeypatch, what, build, extra, dtype
):
    lattice = Lattice(4, 3)
    needed = lattice.n_images * (np.dtype(dtype).itemsize + extra)
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", str(needed))
    values = build(lattice, dtype=dtype)
    assert values.nbytes + lattice.n_images * extra == needed
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", str(needed - 1))
    fix = _FLOAT64_FIX if dtype is np.float64 and not extra else "use a smaller lattice or fewer levels"
    message = (
        f"{what} on all 4096 images of the 4x3 lattice, 2 levels needs about "
        f"{format_bytes(needed)}, more than the memory limit of {format_bytes(needed - 1)} "
        f"(set CNN_BOUNDS_MEMORY_LIMIT to change it); {fix}"
    )
    with pytest.raises(TooLargeError, match=f"^{re.escape(message)}$"):
        build(lattice, dtype=dtype)


def test_a_complex_random_function_is_refused_with_its_parts_counted(monkeypatch):
    """A complex function of d^N values needs the complex result and its real and imaginary parts."""
    lattice = Lattice(4, 3)
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", str(32 * lattice.n_images))
    assert targets.random_gaussian(lattice, complex_values=True).dtype == np.complex128
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", str(32 * lattice.n_images - 1))
    with pytest.raises(TooLargeError, match="^a random function on all 4096 images"):
        targets.random_gaussian(lattice, complex_values=True)


def test_a_complex_random_function_has_unit_variance_split_evenly():
    values = targets.random_gaussian(Lattice(16), seed=5, complex_values=True)
    n = values.size  # 65536 draws: each mean below is within 5 standard errors (sqrt(2/n) or less)
    for sample, mean in [
        (np.abs(values) ** 2, 1.0),
        (values.real**2, 0.5),
        (values.imag**2, 0.5),
        (values.real * values.imag, 0.0),
        (values.real, 0.0),
    ]:
        assert abs(sample.mean() - mean) < 5 * sample.std() / math.sqrt(n)
    for part in (values.real, values.imag):  # each part N(0, 1/2): Kolmogorov-Smirnov at the 1e-4 level
        assert scipy.stats.kstest(part * math.sqrt(2), "norm").pvalue > 1e-4


def test_random_labels_and_factors_take_their_documented_values():
    lattice = Lattice(4, 3)
    assert set(np.unique(targets.random_boolean(lattice))) == {0.0, 1.0}
    factors = targets.product_function(Lattice(12))  # products of 12 factors, each in [0.5, 1.5)
    per_pixel = targets.product_function(Lattice(1), seed=0)  # one pixel: the factors themselves
    assert 0.5**12 <= factors.min() and factors.max() < 1.5**12 and 0.5 <= per_pixel.min() and per_pixel.max() < 1.5


def test_lattices_beyond_numpys_axes_are_refused_and_64_pixels_get_the_memory_estimate():
    with pytest.raises(
        InvalidInputError, match="^65x1 lattice, 2 levels has more than 64 pixels; exact enumeration cannot go there$"
    ):
        targets.parity(Lattice(65))
    for build in (lambda lat: targets.pattern_present(lat, _TWO_BY_TWO), targets.random_gaussian):
        with pytest.raises(InvalidInputError, match="has more than 64 pixels"):
            build(Lattice(13, 5))
    with pytest.raises(TooLargeError, match="^a parity on all 18446744073709551616 images"):
        targets.parity(Lattice(8, 8))


def test_random_functions_default_to_seed_zero():
    lattice = Lattice(3, 3)
    for build in (targets.random_gaussian, targets.random_boolean, targets.product_function):
        np.testing.assert_array_equal(build(lattice), build(lattice, 0))
    np.testing.assert_array_equal(
        targets.random_boolean_with_ones(lattice, 9), targets.random_boolean_with_ones(lattice, 9, 0)
    )


@pytest.mark.parametrize(
    "transitions, output, initial",
    [
        ([[0, 1], [1, 0]], [[0, 1]], 0),  # output not a vector
        ([[0, 0]], [[1, 2]], 0),  # output not a vector, though transitions would fit one state
        ([[0, 1], [1, 0], [0, 0]], [0, 1], 0),  # shape not (r, d)
        ([[0.0, 1.0], [1.0, 0.0]], [0, 1], 0),  # not integers
        ([[0, -1], [1, 0]], [0, 1], 0),  # a state below 0
        ([[0, 2], [1, 0]], [0, 1], 0),  # a state beyond r - 1
        ([[0, 1], [1, 0]], [0, 1], 2),  # initial beyond r - 1
        ([[0, 1], [1, 0]], [0, 1], -1),
        (np.zeros((128, 2), int), np.zeros(128), 0),  # more than 127 states
    ],
)
def test_a_reader_refuses_every_malformed_automaton(transitions, output, initial):
    with pytest.raises(InvalidInputError, match="^a reader needs 1..127 states"):
        finite_state_reader(Lattice(3, 1), np.asarray(transitions), output, initial=initial)


def test_a_reader_with_127_states_in_any_given_order_matches_a_loop():
    lattice, rng = Lattice(4, 1, 3), np.random.default_rng(1)
    transitions, output = rng.integers(0, 127, (127, 3)), rng.standard_normal(127)
    order = [2, 0, 3, 1]
    expected = []
    for image in itertools.product(range(3), repeat=4):
        state = 5
        for pixel in order:
            state = transitions[state, image[pixel]]
        expected.append(output[state])
    np.testing.assert_array_equal(finite_state_reader(lattice, transitions, output, order, initial=5), expected)
    with pytest.raises(
        InvalidInputError, match="^" + re.escape("order must be a permutation of the pixels 0..3, got [0, 1, 2]")
    ):
        finite_state_reader(lattice, transitions, output, order=[0, 1, 2])


def test_far_apart_pixels_may_be_any_two_distinct_pixels_and_nothing_else():
    lattice = Lattice(3, 1)
    np.testing.assert_array_equal(targets.far_apart_equal(lattice, 2, 0), targets.far_apart_equal(lattice, 0, 2))
    for i, j in [(0, 0), (3, 0), (0, 3), (-1, 2)]:
        with pytest.raises(InvalidInputError, match=re.escape(f"two different pixels in 0..2, got {i}, {j}")):
            targets.far_apart_equal(lattice, i, j)


def test_windows_and_patterns_that_cannot_be_used_are_named():
    lattice = Lattice(4, 4)
    with pytest.raises(InvalidInputError, match=re.escape("a 1x5 window does not fit in the 4x4 lattice")):
        targets.windows(lattice, 5, 1)
    with pytest.raises(InvalidInputError, match="^pattern must be a 2-D array of integers in 0..1"):
        targets.pattern_present(lattice, np.full((2, 2), 0.5))
    with pytest.raises(
        InvalidInputError, match="^give either a pattern, or a window=.height, width. together with a detector$"
    ):
        targets.pattern_present(lattice, _TWO_BY_TWO, window=(2, 2), detector=lambda p: p.all(axis=(1, 2)))
    with pytest.raises(
        TooLargeError, match="^the table of a detector on all 4x4 window configurations needs .*; use a smaller window$"
    ):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CNN_BOUNDS_MEMORY_LIMIT", "1K")
            targets.pattern_present(lattice, np.ones((4, 4), int))
