"""The data tensor's spectrum from M x M Gram matrices equals the dense engine's on the tensor itself."""

from functools import reduce

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import InvalidInputError, entanglement_profile
from numeric.data_tensor import _pixel_features, ceiling, class_weights, data_entanglement


def dense_data_tensor(configurations, weights, levels, feature_map):
    """D = sum_m w_m (x)_n phi(x^m_n) written out as a vector (pixel 0 most significant)."""
    features = (
        np.eye(levels)
        if feature_map == "one-hot"
        else np.array(
            [[np.cos(np.pi * x / (2 * (levels - 1))), np.sin(np.pi * x / (2 * (levels - 1)))] for x in range(levels)]
        )
    )
    return sum(w * reduce(np.kron, [features[x] for x in image]) for w, image in zip(weights, configurations))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_gram_spectrum_equals_dense_spectrum(data):
    levels = data.draw(st.integers(2, 3))
    feature_map = data.draw(st.sampled_from(["one-hot", "trig"]))
    n_pixels = data.draw(st.integers(2, 9 if levels == 2 or feature_map == "trig" else 6))
    images = data.draw(st.integers(1, 40))
    seed = data.draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    configurations = rng.integers(0, levels, size=(images, n_pixels))
    weights = rng.normal(size=images)
    region = sorted(data.draw(st.sets(st.integers(0, n_pixels - 1), min_size=1, max_size=n_pixels - 1)))
    dense = dense_data_tensor(configurations, weights, levels, feature_map)
    feature_dimension = levels if feature_map == "one-hot" else 2
    if not np.any(np.abs(dense) > 1e-12):
        return  # the weights cancel (repeated images): D = 0 has no spectrum
    expected = entanglement_profile(dense, region, levels=feature_dimension)
    found = data_entanglement(configurations, weights, region, levels, feature_map)
    assert found.entropy == pytest.approx(expected.entropy, abs=1e-9)
    assert found.rank == expected.rank
    assert found.entropy <= ceiling(images, len(region), n_pixels, levels, feature_map) + 1e-12


def test_trig_map_agrees_with_one_hot_for_binary_images():
    rng = np.random.default_rng(1)
    configurations = rng.integers(0, 2, size=(30, 8))
    weights = class_weights(rng.integers(0, 3, size=30), 1)
    one_hot = data_entanglement(configurations, weights, [0, 1, 2], 2, "one-hot")
    trig = data_entanglement(configurations, weights, [0, 1, 2], 2, "trig")
    assert one_hot.entropy == pytest.approx(trig.entropy, abs=1e-12) and one_hot.rank == trig.rank
    assert np.allclose(_pixel_features(2, "trig"), np.eye(2))


def test_class_weights_balance_the_class_against_the_rest():
    weights = class_weights(np.array([0, 1, 1, 2, 1]), 1)
    assert weights.sum() == pytest.approx(0) and weights[weights > 0].sum() == pytest.approx(1)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: class_weights(np.zeros(4), 1), "some but not all"),
        (lambda: data_entanglement(np.zeros((3, 4), int), np.zeros(3), [0], 2), "not all zero"),
        (lambda: data_entanglement(np.full((3, 4), 2), np.ones(3), [0], 2), "pixel values"),
        (lambda: data_entanglement(np.zeros((3, 4), int), np.ones(3), [0], 2, "fourier"), "feature map"),
        (lambda: data_entanglement(np.zeros((3, 4), int), np.ones(3), [7], 2), "pixel"),
    ],
)
def test_bad_input_is_refused(call, words):
    with pytest.raises(InvalidInputError, match=words):
        call()
