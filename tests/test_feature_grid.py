"""Grids of local-feature targets by counting bits (numpy passes, and the compiled kernels on packed binary
images) equal the targets on the joined images."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import set_threads, targets, threads
from numeric.feature_grid import LocalFeatureFunction, local_feature_values, packed_columns, words_of_bytes
from numeric.lattice import Lattice
from numeric.tci import evaluate_grids, join


@st.composite
def _cases(draw):
    levels = draw(st.integers(2, 3))
    height, width = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lattice = Lattice(draw(st.integers(max(width, 2), 7)), draw(st.integers(height, 6)), levels)
    count = draw(st.integers(1, 8))  # binary images: up to 4 accepted patterns are matched, more looked up
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    patterns = rng.integers(0, levels, (count, height, width))
    aggregator = draw(st.sampled_from(["or", "nor", "count"]))
    threshold = draw(st.integers(1, 4))
    size = draw(st.integers(1, lattice.n_pixels - 1))
    region = rng.choice(lattice.n_pixels, size, replace=False)
    if draw(st.booleans()):  # the pixel order of a side is the caller's: sorted or not
        region = np.sort(region)
    return lattice, patterns, aggregator, threshold, region, rng


@settings(max_examples=120, deadline=None)
@given(_cases(), st.sampled_from(["01", "pm1"]))
def test_grids_equal_the_target_on_every_joined_image(case, labels):
    """Exact: both sides are integer counts compared with the same threshold."""
    lattice, patterns, aggregator, threshold, region, rng = case
    other = rng.permutation(np.setdiff1d(np.arange(lattice.n_pixels), region))
    function = LocalFeatureFunction(lattice, patterns, aggregator, threshold, labels=labels)
    firsts = rng.integers(0, lattice.levels, (3, 4, len(region)), dtype=np.int8)
    seconds = rng.integers(0, lattice.levels, (3, 5, len(other)), dtype=np.int8)
    grids = evaluate_grids(function, region, firsts, other, seconds)
    assert function.packs(region, other) == (lattice.levels == 2)
    if lattice.levels == 2:
        packed = function.packed_grids(region, packed_columns(firsts), other, packed_columns(seconds))
        np.testing.assert_array_equal(packed, grids)
    for block in range(3):
        images = join(region, firsts[block], other, seconds[block])
        expected = local_feature_values(lattice, patterns, aggregator, threshold, images).reshape(4, 5)
        np.testing.assert_array_equal(grids[block], 2 * expected - 1 if labels == "pm1" else expected)
        np.testing.assert_array_equal(function(images).reshape(4, 5), grids[block])


def test_a_28x28_grid_with_a_14x14_square_equals_the_plain_evaluation():
    lattice = Lattice(28, 28)
    square = np.array([lattice.pixel(x, y) for y in range(7, 21) for x in range(7, 21)])
    other = np.setdiff1d(np.arange(lattice.n_pixels), square)
    rng = np.random.default_rng(1)
    for patterns, aggregator, threshold in ((np.ones((1, 2, 2), int), "count", 45), (np.eye(3, dtype=int), "or", 1)):
        function = LocalFeatureFunction(lattice, patterns, aggregator, threshold, labels="01")
        first = rng.integers(0, 2, (6, len(square)))
        second = rng.integers(0, 2, (7, len(other)))
        expected = local_feature_values(lattice, patterns, aggregator, threshold, join(square, first, other, second))
        np.testing.assert_array_equal(function.grid(square, first, other, second), expected.reshape(6, 7))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_the_window_counts_equal_the_dense_targets_on_every_image(levels, height, width, threshold, seed):
    """Exact, against numeric.targets (a separate implementation: one detector table per window position),
    on every image of a lattice of at most 3^9 images."""
    lattice = Lattice(3, 3, levels) if levels == 3 else Lattice(4, 3)
    pattern = np.random.default_rng(seed).integers(0, levels, (height, width))
    codes = np.arange(lattice.n_images)
    images = (codes[:, None] // levels ** np.arange(lattice.n_pixels - 1, -1, -1)) % levels  # pixel 0 first
    np.testing.assert_array_equal(
        local_feature_values(lattice, pattern, "or", 1, images), targets.pattern_present(lattice, pattern)
    )
    np.testing.assert_array_equal(
        local_feature_values(lattice, pattern, "count", threshold, images),
        targets.count_threshold(lattice, threshold, pattern),
    )


def test_threads_share_the_blocks_or_rows_and_give_the_same_grids():
    lattice = Lattice(12, 12)
    square = np.array([lattice.pixel(x, y) for y in range(3, 9) for x in range(3, 9)])
    other = np.setdiff1d(np.arange(lattice.n_pixels), square)
    rng = np.random.default_rng(2)
    firsts = rng.integers(0, 2, (200, 3, len(square)), dtype=np.int8)
    seconds = rng.integers(0, 2, (200, 4, len(other)), dtype=np.int8)
    one_block = rng.integers(0, 2, (1, 400, len(square)), dtype=np.int8), rng.integers(0, 2, (1, 300, len(other)))
    function = LocalFeatureFunction(lattice, np.eye(2, dtype=int), "count", 9)
    threads_before = threads()
    try:
        set_threads(1)
        alone = evaluate_grids(function, square, firsts, other, seconds)
        alone_rows = evaluate_grids(function, square, one_block[0], other, one_block[1])
        set_threads(3)  # many blocks are shared by blocks, one large block by rows
        shared = evaluate_grids(function, square, firsts, other, seconds)
        shared_rows = evaluate_grids(function, square, one_block[0], other, one_block[1])
    finally:
        set_threads(threads_before)
    np.testing.assert_array_equal(alone, shared)
    np.testing.assert_array_equal(alone_rows, shared_rows)


def test_a_grid_with_no_rows_or_no_columns_is_empty_of_its_shape():
    # cross interpolation asks for grids of no new columns; counting must not fail on them
    function = LocalFeatureFunction(Lattice(4, 3), np.ones((2, 2), dtype=int), "or", 1)
    first, second = np.arange(5), np.arange(5, 12)
    for rows, columns in [(0, 3), (3, 0), (0, 0)]:
        grid = function.grid(first, np.zeros((rows, 5), dtype=np.int8), second, np.ones((columns, 7), dtype=np.int8))
        assert grid.shape == (rows, columns)


def test_images_wider_than_a_word_are_counted_without_packing():
    lattice = Lattice(70, 2)
    region = np.arange(0, 140, 3)
    other = np.setdiff1d(np.arange(lattice.n_pixels), region)
    function = LocalFeatureFunction(lattice, np.ones((1, 2, 2), dtype=int), "count", 2, labels="01")
    assert not function.packs(region, other)
    rng = np.random.default_rng(5)
    first, second = rng.integers(0, 2, (4, len(region))), rng.integers(0, 2, (5, len(other)))
    expected = local_feature_values(lattice, function.patterns, "count", 2, join(region, first, other, second))
    np.testing.assert_array_equal(function.grid(region, first, other, second), expected.reshape(4, 5))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_words_of_random_bytes_are_the_packed_unpacked_bits(columns, seed):
    random_bytes = np.random.default_rng(seed).integers(0, 256, (3, 2, -(-columns // 8)), dtype=np.uint8)
    unpacked = np.unpackbits(random_bytes, axis=-1, count=columns)
    np.testing.assert_array_equal(words_of_bytes(random_bytes, columns), packed_columns(unpacked))
    words = packed_columns(unpacked)
    bits = (words[..., np.arange(columns) // 64] >> (np.arange(columns) % 64).astype(np.uint64)) & np.uint64(1)
    np.testing.assert_array_equal(bits, unpacked)  # column c is bit c % 64 of word c // 64


def test_a_side_with_no_pixels_leaves_the_other_the_whole_image():
    # cross interpolation's first and last bonds split the image into no pixels and all of them
    lattice = Lattice(4, 3)
    function = LocalFeatureFunction(lattice, np.ones((2, 2), dtype=int), "count", 2, labels="01")
    images = np.random.default_rng(6).integers(0, 2, (5, lattice.n_pixels))
    everything, nothing = np.arange(lattice.n_pixels), np.arange(0)
    expected = local_feature_values(lattice, function.patterns, "count", 2, images)
    np.testing.assert_array_equal(function.grid(nothing, np.zeros((1, 0)), everything, images)[0], expected)
    np.testing.assert_array_equal(function.grid(everything, images, nothing, np.zeros((1, 0)))[:, 0], expected)
