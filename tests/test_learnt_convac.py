"""Trained tree ConvACs: the exact top-cut spectra against the dense engine (hypothesis over architectures,
weights and cuts), the normalised training scores against the raw ConvACs, learning on held-out digits, and
the sweep through the command line with its cache."""

import copy
import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.driver.cli import main
from cnn_bounds.networks.classifier import CLASSES
from cnn_bounds.networks.convac import ConvAC, ConvACSpec, evaluate_on_all_images
from cnn_bounds.networks.convac_classifier import (
    ConvACClassifier,
    class_convac,
    convac_accuracy,
    top_cut_probabilities,
    top_parts,
    train_convac,
    tree_spec,
)
from cnn_bounds.networks.data import load, split
from cnn_bounds.strategies import tree_convacs
from numeric import InvalidInputError, Lattice, schmidt_probabilities


@settings(max_examples=60, deadline=None)
@given(tree_convacs(), st.data())
def test_top_cut_spectrum_equals_the_dense_engine(network, data):
    parts = top_parts(network)
    if len(parts.pixels) < 2:  # depth 0 on a 2x1 chain still has two parts; a single part has no cut
        return
    chosen = data.draw(
        st.lists(st.booleans(), min_size=len(parts.pixels), max_size=len(parts.pixels)).filter(
            lambda flags: 0 < sum(flags) < len(flags)
        )
    )
    region = sorted(p for part, flag in zip(parts.pixels, chosen) if flag for p in part)
    exact = top_cut_probabilities(network, region)
    dense = schmidt_probabilities(
        evaluate_on_all_images(network, network.spec.lattice), region, levels=network.spec.lattice.levels
    )
    assert np.sum(exact > 1e-13) <= network.spec.channels  # the min cut: one bond of dimension D
    common = min(len(exact), len(dense))
    np.testing.assert_allclose(exact[:common], dense[:common], atol=1e-10)
    assert exact[common:].sum() < 1e-10 and dense[common:].sum() < 1e-10


def _scores(network: ConvACClassifier, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    normalised = network.normalised_scores(images).numpy()
    return np.stack([class_convac(network, c)(images).numpy() for c in range(CLASSES)], axis=1), normalised


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.integers(1, 3), st.integers(0, 1000))
def test_normalised_scores_are_the_raw_class_convacs_times_one_positive_number_per_image(channels, depth, seed):
    """The tolerance: a circuit of sums and products with at most k operations on any path errs by at most
    gamma_k times the same circuit on absolute values (Higham, ch. 3), so a score's relative error is gamma_k
    times its condition number |circuit|(|x|) / |f(x)|, and both paths compute the same circuit. Random signed
    weights cancel so much that the tolerance often says little; the same network with its weights' absolute
    values has condition number 1, where the check is tight (every tolerance below 1e-9)."""
    lattice = Lattice(8, 8, 2)
    network = ConvACClassifier(tree_spec(lattice, channels, depth), seed)
    generator = torch.Generator().manual_seed(seed)
    operations = 4 * lattice.n_pixels * (channels + 1) * (depth + 1)
    gamma = operations * 2.0**-53 / (1 - operations * 2.0**-53)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.add_(0.5 * torch.randn(parameter.shape, generator=generator, dtype=torch.float64))
        images = torch.randint(0, 2, (50, 8, 8), generator=generator)
        absolute = copy.deepcopy(network)
        for parameter in absolute.parameters():
            parameter.abs_()
        magnitude, _ = _scores(absolute, images)
        for circuit in (network, absolute):
            raw, normalised = _scores(circuit, images)
            ratio = raw / normalised
            assert np.all(ratio > 0)
            relative = 2 * gamma * magnitude / np.abs(raw)
            tolerance = relative + relative[:, :1]
            expected = ratio[:, :1] * np.ones((1, CLASSES))
            assert np.all(np.abs(ratio - expected) <= tolerance * np.abs(expected))
        assert np.all(tolerance < 1e-9)  # the absolute circuit's check is not vacuous


def test_a_deep_tree_convac_learns_digits_on_held_out_images():
    training, held_out = split(load("digits"), 0.25, seed=0)
    network = train_convac(training, channels=8, depth=3, seed=0, epochs=20)
    assert convac_accuracy(network, held_out) > 0.6  # binarised 8x8 digits; chance is 0.1
    assert convac_accuracy(ConvACClassifier(network.spec, seed=0), held_out) < 0.3


def test_regions_that_cut_through_a_part_and_other_architectures_are_refused():
    lattice = Lattice(8, 8, 2)
    network = ConvAC(tree_spec(lattice, 2, 3))
    with pytest.raises(InvalidInputError, match="union of the top parts"):
        top_cut_probabilities(network, range(3))
    with pytest.raises(InvalidInputError, match="union of the top parts"):
        top_cut_probabilities(network, range(64))
    with pytest.raises(InvalidInputError, match="tree ConvAC"):
        top_cut_probabilities(ConvAC(ConvACSpec(lattice, 2, 1)), range(32))
    with pytest.raises(InvalidInputError, match="tree_spec"):
        ConvACClassifier(ConvACSpec(lattice, 2, 1), 0)
    with pytest.raises(InvalidInputError, match="class"):
        class_convac(ConvACClassifier(tree_spec(lattice, 2, 1), 0), 10)


def test_learnt_convac_command_caches_and_resumes(tmp_path):
    arguments = ["learnt-convac", "-n", "3", "-D", "2", "--seeds", "1", "--epochs", "2", "--out", str(tmp_path)]
    first = CliRunner().invoke(main, arguments)
    assert first.exit_code == 0, first.output
    assert "cols<4" in first.output and "rows<4" in first.output
    result = json.loads((tmp_path / "results.json").read_text())
    assert result["cuts"] == 2 and result["within_bound"] == 2
    lines = (tmp_path / "learnt-convac.jsonl").read_text().splitlines()
    again = CliRunner().invoke(main, arguments)
    assert again.exit_code == 0 and (tmp_path / "learnt-convac.jsonl").read_text().splitlines() == lines
    assert json.loads((tmp_path / "results.json").read_text()) == result
    refused = CliRunner().invoke(main, ["learnt-convac", "-n", "1", "--region", "cols:3"])
    assert refused.exit_code == 2 and "union of the top parts" in refused.output


def test_interpolated_scores_match_the_exact_top_cuts_and_reach_other_regions(tmp_path):
    """learnt-convac --interpolate: cross interpolation in the tree's pixel order against the exact S on a top
    cut, and a centred square that has no exact form, measured within its min-cut bound."""
    arguments = [
        "learnt-convac",
        "-n",
        "3",
        "-D",
        "3",
        "--seeds",
        "1",
        "--epochs",
        "20",
        "--region",
        "cols:4",
        "--region",
        "rect:2,2,4,4",
        "--interpolate",
        "--tolerance",
        "1e-10",
        "--samples",
        "500",
        "--out",
        str(tmp_path),
    ]
    run = CliRunner().invoke(main, arguments)
    assert run.exit_code == 0, run.output
    result = json.loads((tmp_path / "results.json").read_text())
    top, square = result["points"][0]["cuts"]
    assert top["interpolated"]["entropy"] is not None and top["learnt"]["entropy"] > 0.01  # not a product
    assert top["interpolated"]["exact_difference"] < 1e-6
    assert square["learnt"] is None and square["interpolated"]["entropy"] is not None
    assert square["bound"] < square["ceiling"]  # 4 ln 3 < 16 ln 2: the bound could fail
    assert square["interpolated"]["entropy"] <= square["bound"] and square["interpolated"]["rank"] <= 3**4
    checks = result["interpolation"]
    assert (checks["cuts"], checks["reported"], checks["compared"], checks["non_vacuous"], checks["within_bound"]) == (
        2,
        2,
        1,
        2,
        2,
    )
    assert checks["largest_difference"] == top["interpolated"]["exact_difference"]
    assert "S interpolated" in run.output and (tmp_path / "learnt-convac.tex").read_text().count("interpolat") >= 2
