"""Tensor cross interpolation (numeric.tci) against the two exact engines: the dense one on every lattice it
can do (hypothesis), and the automaton MPS of the local-feature targets beyond it (2^36 images)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import InvalidInputError, Lattice, column_cut, schmidt_spectra, tci
from numeric.catalog import build_target
from numeric.feature_grid import LocalFeatureFunction
from numeric.feature_mps import as_matrix_product_state, automaton_values, feature_cut, feature_mps
from numeric.mps import MatrixProductState, bond_spectra, difference_norm, norm, values
from numeric.tci import (
    cross_interpolate,
    in_order,
    interpolant_values,
    sample_configurations,
    sampled_entropy_error,
    validate,
)

FUNCTIONS = [
    "pattern-present:size=2",
    "count-threshold:size=2,threshold=balanced",
    "majority",
    "parity",
    "product",
    "random-gaussian",
    "random-boolean",
    "far-apart",
]


def dense_oracle(values_of_f: np.ndarray, lattice: Lattice):
    """f on a batch of images, read from the dense vector (pixel 0 the most significant digit)."""
    weights = lattice.levels ** np.arange(lattice.n_pixels - 1, -1, -1)
    return lambda images: values_of_f[images.astype(np.int64) @ weights]


@st.composite
def small_problems(draw):
    levels = draw(st.integers(2, 3))
    width = draw(st.integers(2, 4))
    height = draw(st.integers(2, {2: 5, 3: 3, 4: 2}[width] if levels == 2 else (3 if width == 2 else 2)))
    lattice = Lattice(width, height, levels)
    function = draw(st.sampled_from(FUNCTIONS))
    order = draw(st.permutations(range(lattice.n_pixels)))
    return lattice, function, order, draw(st.integers(0, 2**16))


@settings(max_examples=25, deadline=None)
@given(small_problems(), st.booleans())
def test_equal_to_the_dense_engine_on_every_bond(problem, replica):
    """Values to 1e-9 max|f| and the entropy across every bond to 1e-9 nats, ranks equal, for targets,
    parity (volume law in rank) and random functions, on lattices of up to 2^10 images in any pixel order;
    one cross or two in lockstep."""
    lattice, function, order, seed = problem
    exact = build_target(function, lattice, seed=seed)
    if not np.any(exact):
        return  # a constant-zero function has no state (the engine refuses it: tested below)
    result = cross_interpolate(
        in_order(dense_oracle(exact, lattice), order),
        [lattice.levels] * lattice.n_pixels,
        seed=seed,
        search=64,
        replica=replica,
    )
    assert result.converged
    assert (result.replica_converged, result.replica_difference is None) == ((True, False) if replica else (None, True))
    found = values(result.state).reshape([lattice.levels] * lattice.n_pixels).transpose(np.argsort(order)).reshape(-1)
    assert np.max(np.abs(found - exact)) <= 1e-9 * np.max(np.abs(exact))
    regions = [order[:bond] for bond in range(1, lattice.n_pixels)]
    dense = schmidt_spectra(exact, regions, levels=lattice.levels)
    exact_state = MatrixProductState(result.state.cores)  # interpolation error validated above: rounding only
    for ours, theirs in zip(bond_spectra(exact_state), dense):
        assert abs(ours.entropy() - theirs.entropy()) <= 1e-9
        assert ours.probabilities.size == np.count_nonzero(theirs.probabilities > 1e-12)


def test_equal_to_the_exact_automaton_mps_on_6x6_images():
    """2^36 images, "some 3x3 window all ones" (2.5 % positive: the case where cross interpolation libraries
    collapsed to f = 0): ||f - f~|| / ||f|| <= 1e-10 from the exact MPS, the middle cut's entropy equal to
    the exact engine's and its rank (28) recovered."""
    lattice = Lattice(6, 6)
    order = [y * 6 + x for x in range(6) for y in range(6)]
    exact = feature_mps(lattice, np.ones((3, 3), dtype=int), order=order)
    result = cross_interpolate(in_order(lambda images: automaton_values(exact, images), order), [2] * 36)
    reference = as_matrix_product_state(exact)
    assert result.converged and difference_norm(reference, result.state) <= 1e-10 * norm(reference)
    cut = feature_cut(lattice, np.ones((3, 3), dtype=int), column_cut(lattice, 3), rank=True)
    middle = bond_spectra(MatrixProductState(result.state.cores))[17]
    assert abs(middle.entropy() - cut.spectrum.entropy()) <= 1e-9 and middle.probabilities.size == cut.rank == 28


def test_validation_sees_an_interpolant_that_is_wrong():
    """validate is evidence only if it can fail: a converged interpolant with one core perturbed by 1e-3 is
    reported with errors of that size, and sampled_entropy_error grows with them."""
    lattice = Lattice(4, 3)
    exact = build_target("random-gaussian", lattice, seed=1)
    oracle = dense_oracle(exact, lattice)
    dims = [2] * 12
    result = cross_interpolate(oracle, dims, seed=1)
    samples = sample_configurations(dims, 500, seed=2)
    clean = validate(result.state, oracle, samples)
    assert max(error.relative_max for error in clean.values()) <= 1e-12
    cores = list(result.state.cores)
    cores[5] = cores[5] * (1 + 1e-3)
    broken = validate(MatrixProductState(tuple(cores)), oracle, samples)
    assert all(1e-4 < error.relative_max < 1e-2 for error in broken.values())
    dimension = 2**6
    assert (
        sampled_entropy_error(clean["uniform"], dimension, 64)
        < 1e-9
        < sampled_entropy_error(broken["uniform"], dimension, 64)
    )


def test_interpolant_values_agree_with_the_full_contraction():
    rng = np.random.default_rng(0)
    cores = tuple(rng.standard_normal(shape) for shape in [(1, 3, 2), (2, 3, 4), (4, 3, 1)])
    state = MatrixProductState(cores)
    configurations = rng.integers(0, 3, size=(40, 3))
    full = values(state).reshape(3, 3, 3)
    assert np.allclose(interpolant_values(state, configurations), full[tuple(configurations.T)], rtol=1e-14)


def test_bad_input_is_refused_with_the_fix():
    dims = [2] * 6
    with pytest.raises(InvalidInputError, match="zero on every seed"):
        cross_interpolate(lambda images: np.zeros(len(images)), dims)
    with pytest.raises(InvalidInputError, match="finite values"):
        cross_interpolate(lambda images: np.full(len(images), np.nan), dims)
    with pytest.raises(InvalidInputError, match="must return"):
        cross_interpolate(lambda images: np.ones((len(images), 2)), dims)
    with pytest.raises(InvalidInputError, match="at least two sites"):
        cross_interpolate(lambda images: np.ones(len(images)), [2])
    with pytest.raises(InvalidInputError, match="seeds must be"):
        cross_interpolate(lambda images: np.ones(len(images)), dims, seeds=np.full((3, 6), 2))
    with pytest.raises(InvalidInputError, match="seeds must be"):
        cross_interpolate(lambda images: np.ones(len(images)), dims, seeds=np.zeros((0, 6), dtype=int))
    with pytest.raises(InvalidInputError, match="tolerance"):
        cross_interpolate(lambda images: np.ones(len(images)), dims, tolerance=0)
    with pytest.raises(InvalidInputError, match="settle must be"):
        cross_interpolate(lambda images: np.ones(len(images)), dims, settle="largest")
    state = cross_interpolate(lambda images: np.ones(len(images)), dims).state
    with pytest.raises(InvalidInputError, match="validation set"):
        validate(state, lambda images: np.ones(len(images)), {"empty": np.zeros((0, 6), dtype=int)})


def test_known_entries_are_reused_and_the_rest_evaluated():
    def function(configurations):
        return configurations @ np.arange(1.0, configurations.shape[1] + 1)

    evaluate = tci._Counted(function, batch=7)
    rng = np.random.default_rng(0)
    rows, columns = rng.integers(0, 3, size=(6, 2)), rng.integers(0, 3, size=(5, 3))
    rows, columns = tci._unique_rows(rows), tci._unique_rows(columns)
    known = tci._remember(rows, columns, evaluate.grid(rows, columns))
    before = evaluate.calls
    new_rows = np.concatenate([rows[::-1][:3], [[9, 9]]])
    new_columns = np.concatenate([[[8, 8, 8]], columns[1:]])
    found = tci._known_grid(evaluate, known, new_rows, new_columns)
    expected = function(
        np.concatenate(
            [np.repeat(new_rows, len(new_columns), axis=0), np.tile(new_columns, (len(new_rows), 1))], axis=1
        )
    ).reshape(found.shape)
    assert np.array_equal(found, expected)
    # evaluated: the new row against every column, and the 3 old rows against the new column
    assert evaluate.calls - before == len(new_columns) + 3


def test_the_climb_follows_the_largest_error_as_a_plain_evaluation_would():
    """tci._climb (environments carried along, f asked for as grids) against the climb written out: every
    candidate evaluated in full by f and by the interpolant."""
    rng = np.random.default_rng(3)
    dims = [2, 3, 2, 2, 3, 2]
    cores = [rng.standard_normal((1 if t == 0 else 3, n, 1 if t == len(dims) - 1 else 3)) for t, n in enumerate(dims)]
    state = MatrixProductState(tuple(cores), None, float("nan"))
    weights = rng.standard_normal(len(dims))

    def function(configurations):
        return np.sin(configurations @ weights)

    start = rng.integers(0, 2, (5, len(dims)))
    current, passed, errors = start.copy(), [], []
    for _ in range(2):
        for t, dim in enumerate(dims):
            candidates = np.repeat(current, dim, axis=0)
            candidates[:, t] = np.tile(np.arange(dim), len(current))
            error = np.abs(function(candidates) - interpolant_values(state, candidates)).reshape(len(current), dim)
            current[:, t] = np.argmax(error, axis=1)
            passed.append(current.copy())
            errors.append(error.max(axis=1))
    worst, worst_errors = tci._climb(tci._Counted(function, batch=4), state, start)
    expected = np.sort(np.concatenate(errors))[::-1][: len(start)]
    np.testing.assert_allclose(worst_errors, expected, rtol=1e-12)
    np.testing.assert_allclose(np.abs(function(worst) - interpolant_values(state, worst)), worst_errors, rtol=1e-12)


def _full_pivoting_in_numpy(matrix: np.ndarray, tolerance: float, max_rank: int):
    """The textbook loop: argmax of |residual|, then the rank-one update, in three numpy passes per pivot."""
    residual = matrix.copy()
    rows, columns = [], []
    for _ in range(min(max_rank, *matrix.shape)):
        i, j = np.unravel_index(int(np.argmax(np.abs(residual))), residual.shape)
        if not abs(residual[i, j]) > tolerance:
            break
        rows.append(int(i))
        columns.append(int(j))
        residual -= np.outer(residual[:, j], residual[i, :] / residual[i, j])
    return rows, columns, float(np.abs(residual).max()) if residual.size else 0.0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 12), st.integers(1, 50), st.integers(0, 2**32 - 1))
def test_the_compiled_full_pivoting_takes_the_textbook_pivots(m, n, rank, max_rank, seed):
    """Exact: the same arithmetic entry by entry, so the same pivots (ties included: 0/1 matrices) and the same
    residual."""
    rng = np.random.default_rng(seed)
    matrix = (rng.integers(0, 2, (m, rank)) @ rng.integers(0, 2, (rank, n))).astype(float)
    if seed % 2:
        matrix = rng.standard_normal((m, rank)) @ rng.standard_normal((rank, n))
    expected = _full_pivoting_in_numpy(matrix, 1e-10, max_rank)
    rows, columns, residual = tci._cross_pivots(matrix, 1e-10, max_rank)
    assert (rows, columns, residual) == expected


def _some_3x3_window_all_ones_on_7x7() -> tuple[tci.BatchedFunction, MatrixProductState]:
    """The target on sites in column-major order, counted by grids, and its exact automaton MPS."""
    lattice = Lattice(7, 7)
    order = [y * 7 + x for x in range(7) for y in range(7)]
    automaton = feature_mps(lattice, np.ones((3, 3), dtype=int), order=order)
    function = in_order(LocalFeatureFunction(lattice, np.ones((1, 3, 3), dtype=int), "or", 1, labels="01"), order)
    return function, as_matrix_product_state(automaton)


@pytest.mark.xfail(
    strict=True,
    reason="a counterexample to the sampled stopping rule: converged, with 6 bonds below the exact rank, "
    "5.8e-4 away from f (the missed images: one all-ones window in a corner, in a rare context)",
)
def test_a_cross_that_says_converged_on_7x7_three_by_three_windows_is_exact():
    function, exact = _some_3x3_window_all_ones_on_7x7()
    result = cross_interpolate(function, [2] * 49, seed=0)
    assert not result.converged or difference_norm(exact, result.state) <= 1e-10 * norm(exact)


def test_a_replica_search_makes_the_7x7_counterexample_exact():
    """The counterexample above with a replica: the images where the two crosses differ are sampled into both
    searches, and the cross that missed the corner window finds it."""
    function, exact = _some_3x3_window_all_ones_on_7x7()
    result = cross_interpolate(function, [2] * 49, seed=0, replica=True)
    assert result.converged and result.replica_converged and result.replica_difference <= 1e-9
    assert difference_norm(exact, result.state) <= 1e-10 * norm(exact)


def test_the_replica_difference_is_the_exact_distance_of_the_two_interpolants():
    """Against the dense vectors: two crosses of one function from different seeds agree to rounding, and
    crosses of two functions differ by exactly their relative l2 distance (both crosses exact on 12 pixels)."""
    lattice = Lattice(4, 3)
    dims = [2] * lattice.n_pixels
    tables = [build_target(spec, lattice) for spec in ("pattern-present:size=2", "count-threshold:size=2,threshold=2")]
    crosses = [cross_interpolate(dense_oracle(table, lattice), dims, seed=seed) for table, seed in zip(tables, (0, 1))]
    again = cross_interpolate(dense_oracle(tables[0], lattice), dims, seed=5)
    assert tci.replica_difference(crosses[0].state, again.state) <= 1e-12
    expected = np.linalg.norm(tables[0] - tables[1]) / max(np.linalg.norm(tables[0]), np.linalg.norm(tables[1]))
    assert abs(tci.replica_difference(crosses[0].state, crosses[1].state) - expected) <= 1e-12
