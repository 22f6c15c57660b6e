"""Sketched ranks of ConvAC polynomials: never above the truth, equal to the dense rank once the features
are many enough."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.networks.capacity import capacity_exponent, modular_network, sketched_rank
from cnn_bounds.networks.convac import ConvACSpec, evaluate_on_all_images
from numeric import InvalidInputError, Lattice
from numeric.precise import schmidt_rank_mod_p


def _dense_rank(network, region) -> int:
    spec = network.spec
    values = evaluate_on_all_images(network, spec.lattice)
    return schmidt_rank_mod_p(values, region, levels=spec.lattice.levels, prime=network.modulus)


@settings(max_examples=25, deadline=None)
@given(
    levels=st.integers(2, 4),
    channels=st.integers(1, 3),
    depth=st.integers(1, 2),
    overlapping=st.booleans(),
    shared=st.booleans(),
    readout=st.sampled_from(["local", "global"]),
    seed=st.integers(0, 2**16),
)
def test_the_dense_rank_with_m_features_never_exceeds_the_sketched_rank(
    levels, channels, depth, overlapping, shared, readout, seed
):
    """The M-feature function is the polynomial on a product grid of M points per pixel, so its rank is at
    most the polynomial's; the sketch equals the polynomial's rank except with probability <= its bound."""
    pixels = 2 * depth if overlapping else 2**depth
    spec = ConvACSpec(Lattice(pixels, 1, levels), channels, depth, 2, overlapping, shared, readout)
    network = modular_network(spec, seed)
    region = tuple(range(pixels // 2))
    sketch = sketched_rank(network, region, seed)
    assert sketch.rank is not None and sketch.failure_bound < 1e-5
    assert _dense_rank(network, region) <= sketch.rank


@pytest.mark.parametrize(
    ("depth", "channels", "levels", "rank"),
    [(2, 2, 6, 4), (2, 3, 12, 9), (3, 2, 6, 16)],
)
def test_with_enough_features_the_dense_rank_reaches_the_sketched_rank(depth, channels, levels, rank):
    """Overlapping chains of 2 n_c pixels, local read-out, unshared weights, half cut: the many-feature
    limit is reached at these M (the dense rank is exact; D^2 at depth 2, 16 at depth 3 and D = 2)."""
    spec = ConvACSpec(Lattice(2 * depth, 1, levels), channels, depth, 2, True, False, "local")
    network = modular_network(spec, 0)
    region = tuple(range(depth))
    assert _dense_rank(network, region) == sketched_rank(network, region, 0).rank == rank


def test_a_full_rank_sketch_reports_a_lower_bound_only():
    spec = ConvACSpec(Lattice(6, 1, 2), 3, 3, 2, True, False, "local")
    sketch = sketched_rank(modular_network(spec, 0), (0, 1, 2), 0, max_points=32)
    assert sketch.rank is None and sketch.rank_at_least == 32


def test_a_float_network_is_refused():
    from cnn_bounds.networks.convac import ConvAC

    spec = ConvACSpec(Lattice(4, 1, 2), 2, 1)
    with pytest.raises(InvalidInputError, match="modular"):
        sketched_rank(ConvAC(spec, 0), (0, 1))


def test_exact_powers_give_one_exponent_at_every_width():
    fit = capacity_exponent([2, 3, 4], [8, 27, 64])
    np.testing.assert_allclose(fit["per_width"], [3, 3, 3])
    assert fit["slope"] == pytest.approx(3) and fit["slope_se"] == pytest.approx(0, abs=1e-12)
