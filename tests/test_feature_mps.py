"""The exact tensor-network engine against the dense one, and against plain counting.

Oracles: the dense targets of numeric.targets (a loop-free but independent construction), the dense
engine's spectra and QR ranks, and hand counts (the boundary automaton's states on a chain).
"""

import itertools
import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.driver.cli import main
from cnn_bounds.strategies import local_feature_targets
from numeric import (
    Lattice,
    TooLargeError,
    column_cut,
    matched_random_entropy,
    rectangle,
    schmidt_rank,
    schmidt_spectrum,
    straight_cuts,
    targets,
)
from numeric.cuts import choose_method, format_bound, measure_cuts
from numeric.feature_mps import (
    balanced_threshold,
    count_distribution,
    feature_cut,
    feature_mps,
    mps_values,
    reading_order,
)


def dense_target(lattice, patterns, aggregator, threshold):
    """The same target built by numeric.targets (a detector accepting every given configuration)."""
    detector = lambda configurations: np.any(  # noqa: E731
        np.all(configurations[:, None] == patterns[None], axis=(2, 3)), axis=1
    )
    window = patterns.shape[1:]
    if aggregator == "or":
        return targets.pattern_present(lattice, window=window, detector=detector)
    if aggregator == "nor":
        return targets.pattern_absent(lattice, window=window, detector=detector)
    return targets.count_threshold(lattice, threshold, window=window, detector=detector)


@settings(max_examples=150)
@given(local_feature_targets(), st.data())
def test_the_automaton_is_the_target_and_every_cut_matches_the_dense_engine(case, data):
    lattice, patterns, aggregator, threshold, labels, region = case
    order = data.draw(st.permutations(range(lattice.n_pixels)))
    dense = dense_target(lattice, patterns, aggregator, threshold)
    mps = feature_mps(lattice, patterns, aggregator, threshold=threshold, order=order)
    np.testing.assert_array_equal(mps_values(mps), dense)
    values = 2 * dense - 1 if labels == "pm1" else dense
    if not np.any(values):
        with pytest.raises(ValueError, match="zero on every image"):
            feature_cut(lattice, patterns, region, aggregator, threshold=threshold, labels=labels)
        return
    cut = feature_cut(lattice, patterns, region, aggregator, threshold=threshold, labels=labels, rank=True)
    reference = schmidt_spectrum(values, region, levels=lattice.levels)
    assert abs(cut.spectrum.entropy() - reference.entropy()) <= (
        cut.spectrum.entropy_error_bound + reference.entropy_error_bound
    )
    assert abs(cut.spectrum.entropy(2) - reference.entropy(2)) <= 1e-9
    assert cut.rank == schmidt_rank(values, region, levels=lattice.levels)
    assert cut.density == pytest.approx(float(np.mean(dense)), abs=1e-12)
    assert cut.spectrum.entropy_error_bound < 1e-9


@pytest.mark.parametrize("pattern", [np.ones((3, 3), int), np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])])
def test_three_by_three_windows_on_a_5x4_image_match_the_dense_engine_on_cuts_and_squares(pattern):
    """The regime the small hypothesis lattices miss: windows of 9 pixels, several straddling every cut."""
    lattice = Lattice(5, 4, 2)
    dense = targets.count_threshold(lattice, 2, pattern)
    regions = [*straight_cuts(lattice).values(), rectangle(lattice, 1, 1, 2, 2), rectangle(lattice, 0, 1, 3, 2)]
    for region in regions:
        cut = feature_cut(lattice, pattern, region, "count", threshold=2, rank=True)
        reference = schmidt_spectrum(dense, region)
        assert abs(cut.spectrum.entropy() - reference.entropy()) <= (
            cut.spectrum.entropy_error_bound + reference.entropy_error_bound
        )
        assert cut.rank == schmidt_rank(dense, region)


def test_the_states_at_a_row_cut_are_the_distinct_sets_of_matched_pairs():
    """OR of "two ones side by side" on a W x 4 image, cut after two rows: besides "found", the state is the
    set of x with s(x, 1) = s(x + 1, 1) = 1, counted here by enumerating the row."""
    for width in range(2, 9):
        rows = itertools.product((0, 1), repeat=width)
        pair_sets = {tuple(row[x] and row[x + 1] for x in range(width - 1)) for row in rows}
        lattice = Lattice(width, 4, 2)
        mps = feature_mps(lattice, np.ones((2, 2), int), "or")
        assert mps.bond_dimensions[2 * width] == len(pair_sets) + 1


def test_reading_orders_put_the_region_first_and_straight_cuts_in_one_bond():
    lattice = Lattice(4, 3, 2)
    order, bond = reading_order(lattice, column_cut(lattice, 1))
    assert bond == 3 and order[:3] == (0, 4, 8) and sorted(order) == list(range(12))
    order, bond = reading_order(lattice, [11, 10, 9, 8])  # the bottom row: the complement of two top rows
    assert bond == 8 and set(order[bond:]) == {8, 9, 10, 11}
    order, bond = reading_order(lattice, [5, 6])
    assert bond == 2 and order[:2] == (5, 6)


def test_a_cut_too_large_for_memory_is_refused_with_its_estimate(monkeypatch):
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", "1M")
    lattice = Lattice(10, 10, 2)
    with pytest.raises(TooLargeError, match=r"Gram matrix of the \d+ automaton states.*needs about"):
        feature_cut(lattice, np.ones((3, 3), int), column_cut(lattice, 5))


def test_auto_uses_the_dense_engine_where_it_fits_and_refuses_tn_for_other_functions():
    assert choose_method("pattern-present", Lattice(4, 4, 2)) == "dense"
    assert choose_method("pattern-present", Lattice(8, 8, 2)) == "tn"
    assert choose_method("parity", Lattice(8, 8, 2)) == "dense"  # and the dense engine then refuses it
    with pytest.raises(ValueError, match="local-feature targets"):
        choose_method("parity", Lattice(4, 4, 2), "tn")


def test_both_methods_give_the_same_table_through_measure_cuts():
    lattice = Lattice(3, 3, 3)
    regions = {"cols<1": column_cut(lattice, 1), "square": rectangle(lattice, 1, 1, 2, 2)}
    for labels in ("01", "pm1"):
        dense = measure_cuts("count-threshold:threshold=1", lattice, regions, method="dense", labels=labels)
        tn = measure_cuts("count-threshold:threshold=1", lattice, regions, method="tn", labels=labels)
        for label in regions:
            a, b = dense[label].spectrum, tn[label].spectrum
            assert abs(a.entropy() - b.entropy()) <= a.entropy_error_bound + b.entropy_error_bound
            assert dense[label].rank == tn[label].rank and dense[label].density == pytest.approx(tn[label].density)


def test_the_command_line_measures_a_64_pixel_image_with_the_error_column_and_refuses_tn_for_parity():
    """16x4: 2^64 images, far beyond the dense engine; a middle cut straddled by three 2x2 windows."""
    result = CliRunner().invoke(
        main, ["entropy", "--shape", "16x4", "--function", "pattern-present:size=2", "--region", "cols:8", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    record = summary["regions"][0]
    assert summary["method"] == "tn" and record["size"] == 32
    # each side's state: which vertical pairs of its last column are both 1 (the 7 pair sets of a 4-pixel
    # column, counted by hand) or "found": 8 states, so rank <= 8, and the entropy is real
    assert record["automaton_states"] == [8, 8]
    assert 1 < record["schmidt_rank"] <= 8 and 0 < record["entropy"] <= np.log(record["schmidt_rank"])
    assert record["error_bound"] < 1e-6 and not record["error_flagged"]
    assert 0.5 < record["density"] < 1
    # the density-matched control is a volume law, about (1 - density) ln 2^32; the target is a ninth of it
    assert record["matched_random"] == matched_random_entropy(record["density"], 2**32, 2**32)
    assert record["entropy"] < record["matched_random"] / 9  # 0.31 against 3.03
    refused = CliRunner().invoke(main, ["entropy", "--shape", "4x4", "--function", "parity", "--method", "tn"])
    assert refused.exit_code == 2 and "local-feature targets" in refused.output and "Traceback" not in refused.output


@settings(max_examples=30)
@given(st.integers(2, 3), st.integers(2, 4), st.integers(1, 3), st.data())
def test_the_count_distribution_is_the_dense_count_of_windows(levels, width, height, data):
    lattice = Lattice(width, height, levels)
    if lattice.n_images > 4096:
        lattice = Lattice(width, 1, levels)
    window = (data.draw(st.integers(1, lattice.height)), data.draw(st.integers(1, min(2, lattice.width))))
    pattern = np.array(
        data.draw(st.lists(st.integers(0, levels - 1), min_size=window[0] * window[1], max_size=window[0] * window[1]))
    ).reshape(window)
    images = count_distribution(lattice, pattern)
    at_least = [int(targets.count_threshold(lattice, t, pattern).sum()) for t in range(1, len(images) + 1)]
    assert sum(images) == lattice.n_images
    assert [sum(images[t:]) for t in range(1, len(images) + 1)] == at_least
    threshold = balanced_threshold(lattice, pattern)
    gaps = [abs(count / lattice.n_images - 0.5) for count in at_least[:-1]]
    assert gaps[threshold - 1] == min(gaps) and threshold == 1 + gaps.index(min(gaps))


def test_a_balanced_count_target_stays_near_half_the_images_as_the_image_grows():
    for side in (4, 6, 8):
        cut = measure_cuts(
            "count-threshold:threshold=balanced",
            Lattice(side, side),
            {"cols": column_cut(Lattice(side, side), side // 2)},
            method="tn",
            rank=False,
        )["cols"]
        assert 0.3 < cut.density < 0.7, (side, cut.density)
    with pytest.raises(ValueError, match=r"threshold must be in 1\.\.9 \(the number of windows\) or 'balanced'"):
        measure_cuts("count-threshold:threshold=-3", Lattice(4, 4), {"cols": column_cut(Lattice(4, 4), 2)})


def test_an_image_too_wide_for_the_automaton_is_refused_with_exit_2_before_it_fills_memory(monkeypatch):
    """40x40: the first row alone has ~1.75^40 pair sets; the automaton must stop at the memory limit, or
    before it when its growth projects it far past the limit."""
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", "256M")
    result = CliRunner().invoke(main, ["entropy", "--shape", "40x40", "--region", "cols:20", "--no-rank"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    reached = "the automaton after" in result.output and "more than the memory limit of 256.0 MiB" in result.output
    projected = "the automaton is on course for" in result.output and "memory limit of 256.0 MiB" in result.output
    assert reached or projected, result.output


def test_the_growth_projection_refuses_nothing_that_fits(monkeypatch):
    """The early refusal must not fire on a reading that fits. With the projection switched on from 100
    states (instead of 10,000) and a 256 KiB limit, the automaton of the 8x8 middle cut of "some 3x3 window
    all ones" still reads its half: it peaks at 321 states (about 100 KiB), so the projection would have to
    overestimate that peak more than 40-fold to refuse it (measured: at most 6.3-fold on this cut)."""
    import numeric.feature_mps as engine

    monkeypatch.setattr(engine, "PROJECTION_STATES", 100)
    monkeypatch.setenv("CNN_BOUNDS_MEMORY_LIMIT", "256K")
    lattice = Lattice(8, 8)
    order, bond = engine.reading_order(lattice, column_cut(lattice, 4))
    patterns = np.ones((1, 3, 3), dtype=np.int64)
    reading = engine._read(lattice, patterns, 1, order[:bond])  # the automaton alone: the memory at stake
    assert len(reading.aggregate) >= 100  # past PROJECTION_STATES: the projection was consulted


def test_error_bounds_above_a_micronat_are_marked_in_printed_tables():
    assert format_bound(1e-6) == "1.0e-06" and format_bound(8.3e-5) == "8.3e-05!" and format_bound(0.0) == "0.0e+00"


def test_the_automaton_as_a_black_box_and_as_float_cores_gives_f():
    """automaton_values (f on a batch, for numeric.tci) and as_matrix_product_state (for difference_norm)
    both equal the dense values, in a reading order that is not the pixel order."""
    from numeric.feature_mps import as_matrix_product_state, automaton_values
    from numeric.mps import values

    lattice = Lattice(3, 3, 3)
    order = [4, 0, 8, 1, 7, 2, 6, 3, 5]
    automaton = feature_mps(lattice, np.array([[2, 1], [0, 2]]), "count", threshold=2, order=order, labels="pm1")
    dense = mps_values(automaton)
    digits = (np.arange(lattice.n_images)[:, None] // 3 ** np.arange(8, -1, -1)) % 3
    assert np.array_equal(automaton_values(automaton, digits), dense) and len(set(dense)) == 2
    in_reading_order = values(as_matrix_product_state(automaton)).reshape([3] * 9).transpose(np.argsort(order))
    assert np.array_equal(in_reading_order.reshape(-1), dense)
