"""The packaged data sets load as real images, quantise as documented and split by class."""

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.networks.data import load, quantise, split
from numeric import InvalidInputError

digits = cache(load)


@given(st.integers(2, 17), st.sampled_from([16, 255]))
def test_quantise_makes_equal_bins_of_the_grey_range(levels, max_grey):
    grey = np.arange(max_grey + 1)
    quantised = quantise(grey, max_grey, levels)
    assert quantised.min() == 0 and quantised.max() == levels - 1
    assert np.all(np.diff(quantised) >= 0)  # monotone
    sizes = np.bincount(quantised, minlength=levels)
    assert sizes.max() - sizes.min() <= 1 + (max_grey + 1) % levels  # equal bins up to the remainder


def test_digits_load_as_binarised_8x8_images_of_ten_balanced_classes():
    data = digits()
    assert data.images.shape == (1797, 8, 8) and data.lattice.n_pixels == 64
    assert set(np.unique(data.images)) == {0, 1} and set(np.unique(data.labels)) == set(range(10))
    # the ink of a digit is in the middle columns: a real data set, not noise
    assert data.images[:, :, 3:5].mean() > 2 * data.images[:, :, [0, 7]].mean()
    training, held_out = split(data, 0.25, seed=0)
    assert len(training.labels) + len(held_out.labels) == 1797
    assert np.all(np.abs(np.bincount(held_out.labels) - 0.25 * np.bincount(data.labels)) <= 1)
    again, _ = split(data, 0.25, seed=0)
    assert np.array_equal(again.labels, training.labels) and np.array_equal(again.images, training.images)


def test_mnist_pools_to_14x14_with_three_levels():
    data = load("mnist", levels=3, pool=2)
    assert data.images.shape == (5000, 14, 14) and data.lattice.levels == 3
    assert np.all(np.bincount(data.labels) == 500)
    assert set(np.unique(data.images)) == {0, 1, 2}


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"name": "cifar"}, "unknown data set"),
        ({"levels": 1}, "levels"),
        ({"levels": 18}, "levels"),
        ({"pool": 3}, "pool"),
    ],
)
def test_bad_requests_are_refused_with_the_fix(kwargs, words):
    with pytest.raises(InvalidInputError, match=words):
        load(**kwargs)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.01, 0.99), st.integers(0, 2**31))
def test_split_holds_out_the_fraction_of_every_class(fraction, seed):
    data = digits()
    training, held_out = split(data, fraction, seed)
    for label in range(10):
        members = np.sum(data.labels == label)
        assert np.sum(held_out.labels == label) == max(1, round(fraction * members))
    assert len(training.labels) == 1797 - len(held_out.labels)


def test_permuted_images_keep_each_pixels_values_and_labels_and_undo_exactly():
    data = load("digits")
    permutation = np.random.default_rng(3).permutation(data.lattice.n_pixels)
    moved = data.permuted(permutation)
    np.testing.assert_array_equal(moved.flat, data.flat[:, permutation])
    np.testing.assert_array_equal(moved.labels, data.labels)
    np.testing.assert_array_equal(moved.permuted(np.argsort(permutation)).images, data.images)
