"""MKL's in-place eigenvalues against numpy's, and the dense engine without them."""

import numpy as np
import pytest

from numeric import entanglement, lapack
from numeric.entanglement import schmidt_spectrum
from numeric.lapack import symmetric_eigenvalues

pytestmark = pytest.mark.skipif(not lapack.available(), reason="this torch build exports no MKL")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("side", [1, 7, 300])
def test_symmetric_eigenvalues_agree_with_numpy_within_the_backward_error_bound(dtype, side):
    rng = np.random.default_rng(side)
    x = rng.standard_normal((side, side + 3))
    reference = np.linalg.eigvalsh(x @ x.T)  # float64
    matrix = np.asfortranarray(x @ x.T, dtype=dtype)
    found = symmetric_eigenvalues(matrix)
    # LAPACK's backward error, p(n) u ||A||_2 with p(n) = n (as numeric.entanglement takes it), for both
    # solvers, and the rounding of A to dtype (||dA||_2 <= ||dA||_F <= u sqrt(n) ||A||_2)
    u, u64 = np.finfo(dtype).eps / 2, np.finfo(np.float64).eps / 2
    bound = ((side + np.sqrt(side)) * u + side * u64) * reference[-1]
    assert np.max(np.abs(np.sort(found.astype(np.float64)) - reference)) <= bound


def test_a_layout_it_cannot_take_is_refused_untouched():
    matrix = np.arange(9.0).reshape(3, 3)
    matrix = matrix + matrix.T  # C order
    before = matrix.copy()
    assert symmetric_eigenvalues(matrix) is None and np.array_equal(matrix, before)
    assert symmetric_eigenvalues(np.ones((3, 3), dtype=np.complex128, order="F")) is None


def test_the_dense_engine_gives_the_same_spectrum_with_and_without_it(monkeypatch):
    rng = np.random.default_rng(0)
    values = rng.standard_normal(2**12)
    region = list(range(6))
    monkeypatch.setattr(entanglement, "_MKL_SIDE", 1)
    with_it = schmidt_spectrum(values, region)
    monkeypatch.setattr(entanglement, "symmetric_eigenvalues", lambda matrix: None)
    without = schmidt_spectrum(values, region)
    tolerance = with_it.distance_bound + without.distance_bound
    assert 0.5 * np.sum(np.abs(with_it.probabilities - without.probabilities)) <= tolerance
