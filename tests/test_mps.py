"""Matrix-product states (numeric.mps) and ConvACs contracted into them (cnn_bounds.networks.convac.convac_mps),
against the dense engine and exact ranks mod p on every lattice the dense engine can do."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.networks.convac import ConvAC, ConvACSpec, convac_mps, evaluate_on_all_images, receptive_field
from cnn_bounds.strategies import convac_specs
from numeric import InvalidInputError, Lattice, schmidt_spectrum
from numeric import mps as M
from numeric.precise import LARGE_PRIME, prime_for_sums, schmidt_rank_mod_p


def on_sites(values: np.ndarray, order: list[int], levels: int) -> np.ndarray:
    """f in the package's order -> f with site t = pixel order[t] (site 0 most significant)."""
    return values.reshape((levels,) * len(order)).transpose(order).reshape(-1)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(2, 3), min_size=2, max_size=6), st.integers(0, 2**31), st.booleans())
def test_a_dense_tensor_round_trips_and_its_bonds_are_the_ranks(dims, seed, modular):
    rng = np.random.default_rng(seed)
    rank_one = rng.integers(1, 4, size=dims[0])[:, None] * rng.integers(1, 4, size=math.prod(dims[1:]))[None, :]
    tensor = (rank_one + (rng.integers(0, 3, size=rank_one.shape) * (rng.random(rank_one.shape) < 0.2))).reshape(dims)
    modulus = LARGE_PRIME if modular else None
    mps = M.tensor_to_mps(tensor, modulus)
    back = M.values(M.compress(mps, 0.0))
    if modular:
        assert np.array_equal(back, tensor.reshape(-1) % LARGE_PRIME)
        levels = dims[0]
        if len(set(dims)) == 1:  # the dense rank helper needs one number of levels
            assert M.bond_ranks(mps) == [
                schmidt_rank_mod_p(tensor.reshape(-1), range(t), levels=levels) for t in range(1, len(dims))
            ]
    else:
        assert np.allclose(back, tensor.reshape(-1), atol=1e-12)


def test_hadamard_and_contract_site_compute_what_they_say():
    rng = np.random.default_rng(3)
    dims = [3, 2, 2, 2]
    g, h = rng.normal(size=(3, 2, 2)), rng.normal(size=(3, 2, 2))  # g on sites (0, 1, 2), h on (0, 2, 3)
    a = M.embed(M.tensor_to_mps(g), [0, 1, 2], dims)
    b = M.embed(M.tensor_to_mps(h), [0, 2, 3], dims)
    expected = np.einsum("cxy,cyz->cxyz", g, h)
    assert np.allclose(M.values(M.hadamard(a, b)), expected.reshape(-1))
    readout = rng.normal(size=3)
    contracted = M.contract_site(M.hadamard(a, b), 0, readout)
    assert np.allclose(M.values(contracted), np.einsum("cxyz,c->xyz", expected, readout).reshape(-1))
    assert math.isclose(M.norm(contracted), np.linalg.norm(np.einsum("cxyz,c->xyz", expected, readout)))
    truncated = M.embed(M.compress(M.tensor_to_mps(g), 0.5), [0, 1, 2], dims)  # its error, over all four sites
    assert 0 < np.linalg.norm(M.values(truncated) - M.values(a)) <= truncated.error * (1 + 1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from([1e-1, 3e-2, 1e-3]))
def test_a_truncated_mps_carries_a_bound_that_holds(seed, tolerance):
    """Heavy truncation (tolerance up to 0.1): the carried error bounds ||f - f~||_2 and the entropy
    bound covers the difference from the exact spectrum, on every bond."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=2**8) * np.exp(-np.arange(2**8) / 20.0)
    truncated = M.compress(M.tensor_to_mps(f.reshape((2,) * 8)), tolerance)
    assert np.linalg.norm(M.values(truncated) - f) <= truncated.error * (1 + 1e-9) + 1e-12
    for t, spectrum in enumerate(M.bond_spectra(truncated), 1):
        exact = schmidt_spectrum(f, range(t)).entropy()
        assert abs(spectrum.entropy() - exact) <= spectrum.entropy_error_bound + 1e-12


@settings(max_examples=40, deadline=None)
@given(convac_specs(max_images=2048), st.integers(0, 2**31))
def test_convac_mps_equals_the_dense_engine(case, seed):
    """Float: the entropy across the region's bond equals the dense engine's to 1e-9 nats and lies within
    the carried bound; mod p: the bond dimension is the exact rank mod p of the dense function."""
    spec, region = case
    lattice = spec.lattice
    order = list(region) + [p for p in range(lattice.n_pixels) if p not in set(region)]
    network = ConvAC(spec, seed)
    f = evaluate_on_all_images(network, lattice)
    if not np.any(f):
        return
    state = convac_mps(network, order)
    spectrum = M.bond_spectra(state)[len(region) - 1]
    dense = schmidt_spectrum(f, region, levels=lattice.levels).entropy()
    assert abs(spectrum.entropy() - dense) <= 1e-9
    assert abs(spectrum.entropy() - dense) <= spectrum.entropy_error_bound + dense * 1e-12 + 1e-13
    prime = prime_for_sums(max(spec.channels, lattice.levels))
    exact = ConvAC(spec, seed, modulus=prime)
    residues = evaluate_on_all_images(exact, lattice)
    if np.any(residues % prime):
        exact_state = convac_mps(exact, order)
        ranks = exact_state.bond_dimensions
        assert ranks[len(region) - 1] == schmidt_rank_mod_p(residues, region, levels=lattice.levels, prime=prime)
        assert np.array_equal(M.values(exact_state), on_sites(residues % prime, order, lattice.levels))


def test_receptive_fields_of_overlapping_and_tree_networks():
    lattice = Lattice(4, 4)
    assert receptive_field(ConvACSpec(lattice, 2, 2), 1, 0) == [4, 5, 6, 8, 9, 10, 12, 13, 14]
    assert receptive_field(ConvACSpec(lattice, 2, 1, overlapping=False), 1, 1) == [10, 11, 14, 15]
    assert receptive_field(ConvACSpec(lattice, 2, 2, overlapping=False), 0, 0) == list(range(16))


def test_bad_requests_are_refused_with_the_reason():
    lattice = Lattice(3, 2)
    network = ConvAC(ConvACSpec(lattice, 2, 1), 0)
    with pytest.raises(InvalidInputError, match="permutation"):
        convac_mps(network, [0, 1, 2])
    state = M.tensor_to_mps(np.ones((2, 2)))
    with pytest.raises(InvalidInputError, match="tolerance"):
        M.compress(state, 1.5)
    with pytest.raises(InvalidInputError, match="residue MPS"):
        M.bond_spectra(M.tensor_to_mps(np.ones((2, 2), int), LARGE_PRIME))
    with pytest.raises(InvalidInputError, match="same sites"):
        M.hadamard(state, M.tensor_to_mps(np.ones((2, 2, 2))))
    with pytest.raises(InvalidInputError, match="zero mod p"):
        M.tensor_to_mps(np.full((2, 2), LARGE_PRIME), LARGE_PRIME)


def _exact_values(mps: M.MatrixProductState) -> list:
    """f on every configuration in 50-digit arithmetic (site 0 the most significant digit)."""
    rows = [[mpmath.mpf(1)]]
    for core in mps.cores:
        left, dim, right = core.shape
        rows = [
            [sum(row[i] * mpmath.mpf(float(core[i, s, k])) for i in range(left)) for k in range(right)]
            for row in rows
            for s in range(dim)
        ]
    return [row[0] for row in rows]


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.integers(0, 2**16), st.floats(1e-12, 1.0))
def test_difference_norm_is_the_l2_norm_of_the_difference_within_its_rounding_bound(length, seed, closeness):
    """Against ||f - g|| in 50-digit arithmetic (its own error ~1e-50, far below the bound), for MPSs far apart
    and nearly equal (where ||f||^2 + ||g||^2 - 2<f, g> would lose the difference to cancellation): the error
    is within difference_norm's stated rounding bound."""
    rng = np.random.default_rng(seed)
    bonds = [1] + list(rng.integers(1, 4, length - 1)) + [1]
    a = M.MatrixProductState(tuple(rng.standard_normal((bonds[t], 2, bonds[t + 1])) for t in range(length)))
    cores = list(a.cores)
    cores[-1] = cores[-1] + closeness * rng.standard_normal(cores[-1].shape)
    b = M.MatrixProductState(tuple(cores))
    with mpmath.workdps(50):
        exact = mpmath.sqrt(sum((x - y) ** 2 for x, y in zip(_exact_values(a), _exact_values(b))))
        value, bound = M.difference_norm_with_bound(a, b)
        assert abs(mpmath.mpf(value) - exact) <= bound
    assert value == M.difference_norm(a, b)


def test_the_difference_norm_bound_resolves_nearly_equal_states():
    """The bound is not vacuous: for 50 fixed pairs of 5-site MPSs 1e-10 apart it is below a tenth of the
    difference itself (cancellation in ||f||^2 + ||g||^2 - 2<f, g> would leave nothing of it)."""
    for seed in range(50):
        rng = np.random.default_rng(seed)
        bonds = [1, 3, 3, 3, 3, 1]
        a = M.MatrixProductState(tuple(rng.standard_normal((bonds[t], 2, bonds[t + 1])) for t in range(5)))
        cores = list(a.cores)
        cores[-1] = cores[-1] + 1e-10 * rng.standard_normal(cores[-1].shape)
        value, bound = M.difference_norm_with_bound(a, M.MatrixProductState(tuple(cores)))
        assert bound < 0.1 * value, seed


def _random_mps(dims: list[int], bonds: list[int], seed: int) -> M.MatrixProductState:
    rng = np.random.default_rng(seed)
    chi = [1, *bonds, 1]
    return M.MatrixProductState(tuple(rng.standard_normal((chi[t], n, chi[t + 1])) for t, n in enumerate(dims)))


def test_the_difference_mps_holds_the_difference_of_the_values():
    a, b = _random_mps([2, 3, 2, 2], [2, 3, 2], 0), _random_mps([2, 3, 2, 2], [3, 1, 2], 1)
    gap = M.difference(a, b)
    assert gap.bond_dimensions == [5, 4, 4]
    expected = M.values(a) - M.values(b)
    assert np.max(np.abs(M.values(gap) - expected)) <= 1e-12 * np.max(np.abs(expected))


@pytest.mark.parametrize("seed", range(3))
def test_samples_follow_the_squared_values(seed):
    """Empirical frequencies of 2e5 configurations against |f(s)|^2 / ||f||^2, within Hoeffding's bound at
    1e-9 for every configuration at once (a fixed seed: the test is deterministic, and a sampler that weighted
    by |f| instead of |f|^2 would be off by more than 0.05 here)."""
    dims = [2, 3, 2, 2]
    mps = _random_mps(dims, [3, 4, 2], seed)
    probabilities = M.values(mps) ** 2 / np.sum(M.values(mps) ** 2)
    count = 200_000
    drawn = M.sample(mps, count, np.random.default_rng(seed))
    frequencies = np.bincount(np.ravel_multi_index(drawn.T, dims), minlength=probabilities.size) / count
    tolerance = math.sqrt(math.log(2 * probabilities.size / 1e-9) / (2 * count))
    assert np.max(np.abs(frequencies - probabilities)) <= tolerance


def test_sampling_the_difference_of_two_states_finds_where_they_differ():
    """Two MPSs that agree on every configuration but one (a rank-one bump added): every sample is that one."""
    dims = [2] * 10
    a = _random_mps(dims, [4] * 9, 3)
    bump = (1, 0, 1, 1, 0, 0, 1, 0, 1, 1)
    b = M.difference(a, M.MatrixProductState(tuple(np.eye(2)[s].reshape(1, 2, 1) for s in bump)))
    drawn = M.sample(M.difference(a, b), 500, np.random.default_rng(0))
    assert np.all(drawn == np.array(bump))
