"""Trained classifiers on real digits, and the entanglement of what they learn by cross interpolation,
checked against the dense engine on 4x4 images (2x2-pooled digits), and run through joblib and Dask."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.driver.cache import PointCache
from cnn_bounds.networks.classifier import Architecture, accuracy, class_function, logit_rank_bound, train_classifier
from cnn_bounds.networks.convac import all_images
from cnn_bounds.networks.data import load, split
from cnn_bounds.verdicts.learnt_cnns import data_point, measure_point
from cnn_bounds.verdicts.points import run_points
from numeric import InvalidInputError, Lattice, entanglement_profile
from numeric.lattice import parse_region
from numeric.tci import evaluate_grid, in_order, join

SMALL = dict(
    data="digits",
    levels=2,
    pool=2,
    depth=1,
    channels=4,
    kernel=3,
    head="flatten",
    seed=0,
    held_out=0.25,
    epochs=3,
    label=0,
    output="logit",
    region="rows:2",
    tolerance=1e-10,
    max_rank=64,
    max_sweeps=12,
    threshold=1e-3,
    samples=500,
    measure=True,
)


def dense_entropy(parameters, trained=True):
    data = load(parameters["data"], parameters["levels"], parameters["pool"])
    training, _ = split(data, parameters["held_out"], parameters["seed"])
    architecture = Architecture(parameters["depth"], parameters["channels"], parameters["kernel"], parameters["head"])
    network = (
        train_classifier(training, architecture, parameters["seed"], parameters["epochs"])
        if trained
        else architecture.build(data.lattice, parameters["seed"])
    )
    function = class_function(network, data.lattice, parameters["label"], parameters["output"])
    values = function(all_images(data.lattice, 0, data.lattice.n_images).reshape(data.lattice.n_images, -1).numpy())
    return entanglement_profile(values, parse_region(data.lattice, parameters["region"])[1], levels=2)


def test_classifier_learns_digits_on_held_out_images():
    data = load("digits")
    training, held_out = split(data, 0.25, seed=0)
    network = train_classifier(training, Architecture(1, 8), seed=0, epochs=10)
    assert accuracy(network, held_out) > 0.85  # binarised 8x8 digits; chance is 0.1
    untrained = Architecture(1, 8).build(data.lattice, seed=0)
    assert accuracy(untrained, held_out) < 0.3


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_logit_rank_never_exceeds_the_window_sum_bound(data):
    """The proved bound of classifier.logit_rank_bound against the exact rank of random networks' logits on
    every image of small lattices (kernels 1-3, even ones included, 1-2 layers, any region)."""
    width, height = data.draw(st.integers(2, 4)), data.draw(st.integers(1, 4))
    levels = data.draw(st.integers(2, 3)) if width * height <= 8 else 2
    lattice = Lattice(width, height, levels)
    architecture = Architecture(
        data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    )
    region = sorted(data.draw(st.sets(st.integers(0, lattice.n_pixels - 1), min_size=1, max_size=lattice.n_pixels - 1)))
    network = architecture.build(lattice, data.draw(st.integers(0, 1000)))
    function = class_function(network, lattice, data.draw(st.integers(0, 9)), "logit")
    values = function(all_images(lattice, 0, lattice.n_images).reshape(lattice.n_images, -1).numpy())
    rank = entanglement_profile(values, region, levels=levels).rank
    assert rank <= logit_rank_bound(lattice, region, architecture)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_a_network_grid_equals_the_network_on_the_joined_images(data):
    """ReluCNN.grid (first convolution once per part) against the network on every joined image, through
    numeric.tci's site order: any architecture, head, output, pixel order and split, empty parts included."""
    lattice = Lattice(data.draw(st.integers(1, 5)), data.draw(st.integers(2, 5)), data.draw(st.integers(2, 3)))
    architecture = Architecture(
        data.draw(st.integers(1, 2)),
        data.draw(st.integers(1, 3)),
        data.draw(st.integers(1, 3)),
        data.draw(st.sampled_from(["flatten", "pool"])),
    )
    network = architecture.build(lattice, data.draw(st.integers(0, 1000)))
    function = class_function(
        network, lattice, data.draw(st.integers(0, 9)), data.draw(st.sampled_from(["logit", "probability"]))
    )
    order = np.asarray(data.draw(st.permutations(range(lattice.n_pixels))))
    k = data.draw(st.integers(0, lattice.n_pixels))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    rows = rng.integers(0, lattice.levels, (data.draw(st.integers(0, 7)), k))
    columns = rng.integers(0, lattice.levels, (data.draw(st.integers(0, 7)), lattice.n_pixels - k))
    sites = in_order(function, order)
    first, second = np.arange(k), np.arange(k, lattice.n_pixels)
    expected = sites(join(first, rows, second, columns)).reshape(len(rows), len(columns))
    np.testing.assert_allclose(evaluate_grid(sites, first, rows, second, columns), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("region", ["rows:2", "rect:1,1,2,2"])
def test_cross_interpolated_entropy_equals_the_dense_engine(region):
    """The logit of a one-layer CNN with a dense read-out is a sum of window functions: exactly low rank, so
    the interpolation must be exact (float64 network), learnt and untrained alike."""
    parameters = {**SMALL, "region": region}
    point = measure_point(parameters)
    for kind, trained in (("learnt", True), ("untrained", False)):
        exact = dense_entropy(parameters, trained)
        assert point[kind]["entropy"] == pytest.approx(exact.entropy, abs=1e-9)
        assert point[kind]["rank"] == exact.rank
        assert point[kind]["worst_validation_error"] < 1e-9
        assert point[kind]["entropy"] < point[kind]["ceiling"]  # non-vacuous: below the volume-law ceiling
        assert point[kind]["rank"] <= point[kind]["rank_bound"]
    assert point["accuracy"] > 0.5


def test_an_entropy_that_fails_validation_is_not_reported():
    point = measure_point(
        {**SMALL, "output": "probability", "depth": 2, "max_rank": 2, "max_sweeps": 2, "tolerance": 1e-6}
    )
    learnt = point["learnt"]
    assert learnt["worst_validation_error"] > 1e-3
    assert learnt["entropy"] is None and "entropy not reported" in learnt["notes"]
    assert any(note.startswith("validation error") for note in learnt["notes"])


def test_data_tensor_point_and_its_permuted_control():
    point = data_point(
        {"data": "digits", "levels": 2, "pool": 2, "label": 3, "region": "rows:2", "feature_map": "one-hot", "seed": 0},
        permutations=3,
    )
    assert 0 < point["entropy"] <= point["ceiling"] and point["images"] == 1797
    assert point["permutations"] == 3 and point["permuted_sd"] >= 0


def test_points_run_the_same_in_joblib_processes_and_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    points = [{**SMALL, "seed": seed} for seed in (0, 1)]
    local = run_points(measure_point, points, PointCache(tmp_path / "local.jsonl"), jobs=2)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_points(measure_point, points, PointCache(tmp_path / "dask.jsonl"), scheduler=client)
    for a, b in zip(local, remote):
        assert a["learnt"]["entropy"] == b["learnt"]["entropy"] and a["accuracy"] == b["accuracy"]
    assert None not in (local[0]["learnt"]["entropy"], local[1]["learnt"]["entropy"])
    assert local[0]["learnt"]["entropy"] != local[1]["learnt"]["entropy"]  # the seed matters
    # resumable: a second run reads every point from the cache file instead of measuring again
    again = run_points(lambda point: pytest.fail("measured again"), points, PointCache(tmp_path / "local.jsonl"))
    assert again == local


def test_bad_requests_name_the_fix():
    data = load("digits")
    network = Architecture(1, 2).build(data.lattice, 0)
    with pytest.raises(InvalidInputError, match="class"):
        class_function(network, data.lattice, 10)
    with pytest.raises(InvalidInputError, match="output"):
        class_function(network, data.lattice, 1, "decision")
    with pytest.raises(InvalidInputError, match="head"):
        Architecture(1, 2, head="global")
    with pytest.raises(InvalidInputError, match="depth"):
        Architecture(0, 2)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_a_stack_of_network_grids_equals_the_network_on_each_block(data):
    """ReluCNN.grids against the network on the joined images of each block, whether a chunk holds several
    whole blocks or part of one (``block_bytes`` from 1 byte to 4 MiB), empty blocks included."""
    lattice = Lattice(data.draw(st.integers(2, 5)), data.draw(st.integers(2, 4)), data.draw(st.integers(2, 3)))
    architecture = Architecture(
        data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), 3, data.draw(st.sampled_from(["flatten", "pool"]))
    )
    network = architecture.build(lattice, data.draw(st.integers(0, 1000))).double()
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    order = rng.permutation(lattice.n_pixels)
    k = data.draw(st.integers(1, lattice.n_pixels - 1))
    first, second = np.sort(order[:k]), np.sort(order[k:])
    blocks, m, n = data.draw(st.integers(1, 4)), data.draw(st.integers(0, 5)), data.draw(st.integers(0, 5))
    firsts = rng.integers(0, lattice.levels, (blocks, m, k))
    seconds = rng.integers(0, lattice.levels, (blocks, n, lattice.n_pixels - k))
    block_bytes = data.draw(st.sampled_from([1, 200, 5000, 1 << 22]))
    with torch.no_grad():
        parts = [torch.as_tensor(part) for part in (first, firsts, second, seconds)]
        grids = network.grids(*parts, block_bytes)
        for block in range(blocks):
            images = torch.as_tensor(join(first, firsts[block], second, seconds[block]), dtype=torch.int64)
            expected = network(images.reshape(-1, lattice.height, lattice.width)).reshape(m, n, *grids.shape[3:])
            torch.testing.assert_close(grids[block], expected, rtol=1e-12, atol=1e-12)
