"""Hashed random labels: their grids equal their values, and they look like i.i.d. +-1 labels to S_2."""

import numpy as np
import pytest

from numeric.entanglement import schmidt_spectrum
from numeric.random_signs import HashedRandomSigns
from numeric.tci import evaluate_grids, join
from proofs.renyi2 import random_purity

ALL_16 = (np.arange(2**16)[:, None] >> np.arange(15, -1, -1)) & 1  # every 4x4 image, pixel 0 most significant


def test_grids_equal_the_labels_of_the_joined_images():
    rng = np.random.default_rng(0)
    function = HashedRandomSigns(30, 3, seed=5)
    first = np.sort(rng.choice(30, 11, replace=False))
    second = np.setdiff1d(np.arange(30), first)
    firsts, seconds = rng.integers(0, 3, (2, 4, 11)), rng.integers(0, 3, (2, 6, 19))
    grids = evaluate_grids(function, first, firsts, second, seconds)
    for block in range(2):
        expected = function(join(first, firsts[block], second, seconds[block])).reshape(4, 6)
        np.testing.assert_array_equal(grids[block], expected)
    assert set(np.unique(grids)) == {-1.0, 1.0}


@pytest.mark.parametrize("region", [[0], [0, 1, 4, 5], [5, 6, 9, 10, 2], list(range(8))])
def test_their_purity_is_that_of_iid_signs(region):
    """The tolerance is the reference's own spread: the hashed labels' exact Tr rho_A^2 lies within 4 sample
    standard deviations of 30 tables of numpy's i.i.d. signs from the derived E Tr rho_A^2 (which the i.i.d.
    tables' mean must match too, within 4 standard errors)."""
    purity = lambda values: float(np.sum(schmidt_spectrum(values, region).probabilities ** 2))  # noqa: E731
    rng = np.random.default_rng(1)
    reference = np.array([purity(rng.choice([-1.0, 1.0], 2**16)) for _ in range(30)])
    derived = random_purity(2 ** len(region), 2 ** (16 - len(region)))
    spread = reference.std(ddof=1)
    assert abs(reference.mean() - derived) <= 4 * spread / np.sqrt(len(reference))
    for seed in range(3):
        assert abs(purity(HashedRandomSigns(16, seed=seed)(ALL_16)) - derived) <= 4 * spread
