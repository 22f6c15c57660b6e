"""Target functions against a brute-force loop over images, and the name catalog."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import lattices
from numeric import InvalidInputError, Lattice, TooLargeError
from numeric import targets
from numeric.catalog import CATALOG, build_target, parse_function_spec


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
    pattern = np.array(draw(st.lists(st.integers(0, lattice.levels - 1), min_size=height * width, max_size=height * width)))
    return lattice, pattern.reshape(height, width)


@given(lattice_and_pattern(), st.integers(1, 4))
def test_local_feature_targets_match_a_loop_over_images(case, threshold):
    lattice, pattern = case
    counts = np.array([sum(np.array_equal(w, pattern) for w in windows_of(im, *pattern.shape)) for im in images(lattice)])
    np.testing.assert_array_equal(targets.pattern_present(lattice, pattern), counts > 0)
    np.testing.assert_array_equal(targets.pattern_absent(lattice, pattern), counts == 0)
    np.testing.assert_array_equal(targets.count_threshold(lattice, threshold, pattern), counts >= threshold)


@given(small_lattices)
def test_a_predicate_detector_matches_a_loop_over_images(lattice):
    bright = lambda patches: patches.sum(axis=(1, 2)) >= 3 * (lattice.levels - 1)  # noqa: E731
    expected = [any(w.sum() >= 3 * (lattice.levels - 1) for w in windows_of(im, 2, 2)) for im in images(lattice)]
    np.testing.assert_array_equal(targets.pattern_present(lattice, window=(2, 2), detector=bright), expected)


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
