"""ConvACs: the torch network against a plain per-image evaluation, and measured ranks against the
min-cut bound of their tensor network (hypothesis over architectures, regions and weights)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.networks.convac import (
    ConvAC,
    ConvACSpec,
    all_images,
    batched_function,
    evaluate_on_all_images,
    tree_order,
)
from cnn_bounds.networks.mincut import min_cut
from cnn_bounds.strategies import convac_specs
from numeric import InvalidInputError, Lattice, entanglement_profile
from numeric.precise import LARGE_PRIME, prime_for_sums, rank_mod_p, schmidt_rank_mod_p
from numeric.tci import evaluate_grid


def reference_value(network: ConvAC, image: np.ndarray) -> float:
    """f(s) from the module docstring's formulas, one image at a time, with plain numpy loops."""
    spec = network.spec
    rep = network.representation.detach().numpy()
    x = {
        (y, x_): (rep[image[y, x_]] if spec.shared else rep[y, x_, image[y, x_]])
        for y in range(image.shape[0])
        for x_ in range(image.shape[1])
    }
    (kh, kw), (sh, sw) = spec.window, spec.stride
    for weights, (h, w) in zip(network.blocks, spec.layer_shapes[1:]):
        weights = weights.detach().numpy()
        x = {
            (y, x_): np.prod(
                [
                    x[(sh * y + i, sw * x_ + j)] @ (weights[i, j] if spec.shared else weights[y, x_, i, j])
                    for i in range(kh)
                    for j in range(kw)
                ],
                axis=0,
            )
            for y in range(h)
            for x_ in range(w)
        }
    readout = network.readout.detach().numpy()
    if spec.readout == "local":
        return float(np.prod([x[q] @ (readout if spec.shared else readout[q]) for q in x]))
    return float(np.prod(list(x.values()), axis=0) @ readout)


@settings(max_examples=40)
@given(convac_specs(), st.integers(0, 2**31))
def test_the_network_computes_its_defining_formula(case, seed):
    spec, _ = case
    network = ConvAC(spec, seed)
    values = evaluate_on_all_images(network, spec.lattice)
    images = all_images(spec.lattice, 0, spec.lattice.n_images).numpy()
    for index in np.random.default_rng(seed).choice(len(images), size=min(8, len(images)), replace=False):
        assert values[index] == pytest.approx(reference_value(network, images[index]), rel=1e-9, abs=1e-12)


def test_network_values_stream_into_float32_or_float64_alike():
    spec = ConvACSpec(Lattice(3, 3), 2, 2, 2)
    double = evaluate_on_all_images(ConvAC(spec, 1), spec.lattice, chunk=100)
    single = evaluate_on_all_images(ConvAC(spec, 1), spec.lattice, dtype=np.float32)
    assert double.dtype == np.float64 and single.dtype == np.float32
    np.testing.assert_array_equal(single, double.astype(np.float32))
    with pytest.raises(InvalidInputError, match="dtype must be float64 or float32"):
        evaluate_on_all_images(ConvAC(spec, 1), spec.lattice, dtype=np.int8)


@settings(max_examples=60)
@given(st.one_of(convac_specs(), convac_specs(duplicated=True)), st.integers(0, 2**31))
def test_measured_ranks_never_exceed_the_min_cut(case, seed):
    spec, region = case
    cut = min_cut(spec, region)
    smaller = min(len(region), spec.lattice.n_pixels - len(region))
    assert cut.rank_bound <= spec.lattice.levels**smaller
    assert cut.nats == pytest.approx(math.log(cut.rank_bound), abs=1e-9)
    values = evaluate_on_all_images(ConvAC(spec, seed), spec.lattice)
    if np.any(values):
        assert entanglement_profile(values, region, levels=spec.lattice.levels).rank <= cut.rank_bound
    prime = prime_for_sums(max(spec.channels, spec.lattice.levels))
    exact = evaluate_on_all_images(ConvAC(spec, seed, modulus=prime), spec.lattice)
    generic = schmidt_rank_mod_p(exact, region, levels=spec.lattice.levels, prime=prime)
    assert generic <= cut.rank_bound


def test_overlapping_windows_keep_the_generic_rank_below_the_min_cut():
    # Regression: stride-1 windows at depth 2 read copies of identical sub-networks, so the state
    # lies in a smaller subspace than the (duplicated) tensor network's min cut allows.
    cases = [(Lattice(3, 3), 3, 2, "global", (6, 7, 8), 7, 8), (Lattice(6, 1, 8), 2, 3, "local", (0, 1, 2), 16, 32)]
    for lattice, channels, depth, readout, region, rank, bound in cases:
        spec = ConvACSpec(lattice, channels, depth, 2, overlapping=True, shared=False, readout=readout)
        prime = prime_for_sums(max(channels, lattice.levels))
        values = evaluate_on_all_images(ConvAC(spec, 0, modulus=prime), lattice)
        assert min_cut(spec, region).rank_bound == bound
        assert schmidt_rank_mod_p(values, region, levels=lattice.levels, prime=prime) == rank


def test_weight_sharing_caps_the_shallow_rank_below_its_min_cut():
    # A shared shallow network is a symmetric tensor: across 8 binary pixels its rank is at most
    # dim Sym^8(C^2) = 9, although its min cut (and the unshared network's rank) is D0 = 16.
    lattice = Lattice(4, 4)
    region = list(range(8))
    ranks = {}
    for shared in (True, False):
        spec = ConvACSpec(lattice, 16, 0, shared=shared)
        assert min_cut(spec, region).rank_bound == 16
        values = evaluate_on_all_images(ConvAC(spec, 0, modulus=LARGE_PRIME), lattice)
        ranks[shared] = schmidt_rank_mod_p(values, region)
    assert ranks == {True: 9, False: 16}


def test_min_cut_of_the_shallow_network_is_its_width():
    lattice = Lattice(6, 1)
    for channels in (1, 2, 5, 8, 9):
        assert min_cut(ConvACSpec(lattice, channels, 0), [0, 1, 2]).rank_bound == min(channels, 8)


def test_rank_mod_p_against_sympy_on_small_integer_matrices():
    import sympy

    rng = np.random.default_rng(0)
    for _ in range(20):
        rank = rng.integers(1, 5)
        matrix = rng.integers(-3, 4, (6, rank)) @ rng.integers(-3, 4, (rank, 7))
        assert rank_mod_p(matrix) == sympy.Matrix(matrix.tolist()).rank()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"channels": 0, "depth": 1}, "channels D must be an integer >= 1"),
        ({"channels": 2, "depth": -1}, "depth n_c must be an integer >= 0"),
        ({"channels": 2, "depth": 4}, "does not fit"),
        ({"channels": 2, "depth": 2, "overlapping": False, "kernel": 3}, "does not tile"),
    ],
)
def test_bad_architectures_are_refused(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        ConvACSpec(Lattice(4, 1), **kwargs)


def test_modular_networks_refuse_sizes_that_could_overflow():
    with pytest.raises(InvalidInputError, match="could overflow int64"):
        ConvAC(ConvACSpec(Lattice(4, 1), 200, 1), modulus=LARGE_PRIME)
    assert ConvAC(ConvACSpec(Lattice(4, 1), 200, 1), modulus=prime_for_sums(200)).modulus < LARGE_PRIME
    assert torch.get_default_dtype() == torch.float32  # the module never changes global torch state


def test_a_network_as_a_black_box_gives_its_values_on_every_image():
    """batched_function (the form numeric.tci evaluates) equals the network on all images."""
    lattice = Lattice(3, 2, 3)
    network = ConvAC(ConvACSpec(lattice, channels=2, depth=1), 4)
    digits = (np.arange(lattice.n_images)[:, None] // lattice.levels ** np.arange(lattice.n_pixels - 1, -1, -1)) % 3
    assert np.array_equal(batched_function(network, lattice)(digits), evaluate_on_all_images(network, lattice))


@settings(max_examples=60)
@given(convac_specs(), st.integers(0, 2**31), st.sampled_from([None, LARGE_PRIME]), st.data())
def test_a_grid_of_joined_images_equals_the_network_on_each_image(case, seed, modulus, data):
    """ConvAC.grid (features inside one part once per row, straddling ones per pair) against the plain path,
    on any split of the pixels into two parts, in float64 and exactly modulo p."""
    spec, region = case
    if modulus is not None:
        modulus = prime_for_sums(max(spec.channels, spec.lattice.levels))
    network = ConvAC(spec, seed, modulus)
    function = batched_function(network, spec.lattice)
    first = np.array(region)
    second = np.array([p for p in range(spec.lattice.n_pixels) if p not in set(region)])
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, spec.lattice.levels, (data.draw(st.integers(0, 5)), len(first)))
    columns = rng.integers(0, spec.lattice.levels, (data.draw(st.integers(1, 5)), len(second)))
    plain = evaluate_grid(function.__call__, first, rows, second, columns)
    grid = evaluate_grid(function, first, rows, second, columns)
    if modulus is None:
        np.testing.assert_allclose(grid, plain, rtol=1e-9, atol=1e-12 * max(1.0, np.max(np.abs(plain), initial=0)))
    else:
        assert np.array_equal(grid, plain)


@settings(max_examples=40)
@given(convac_specs())
def test_tree_order_reads_the_region_first_and_every_window_in_one_run(case):
    spec, region = case
    order, bond = tree_order(spec, region)
    assert sorted(order) == list(range(spec.lattice.n_pixels)) and set(order[:bond]) == set(region)
    if spec.overlapping:
        return
    (kh, kw), position = spec.window, {p: t for t, p in enumerate(order)}
    for layer in range(1, spec.depth + 1):  # a window of layer l: k^l x k^l pixels, consecutive within each side
        height, width = kh**layer, kw**layer
        for top in range(0, spec.lattice.height - height + 1, height):
            for left in range(0, spec.lattice.width - width + 1, width):
                window = [
                    y * spec.lattice.width + x for y in range(top, top + height) for x in range(left, left + width)
                ]
                for side in ([p for p in window if p in set(region)], [p for p in window if p not in set(region)]):
                    sites = sorted(position[p] for p in side)
                    assert sites == list(range(sites[0], sites[0] + len(sites))) if sites else True
