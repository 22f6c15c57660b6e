"""The sweeps end to end (one run each), the resumable cache, atomic writes, and training itself."""

import json
import math
import multiprocessing
import os
import shutil
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from cnn_bounds.driver.cache import CacheWarning, PointCache
from cnn_bounds.driver.cli import main
from cnn_bounds.driver.files import write_atomically
from cnn_bounds.verdicts.trained_cnns import balanced_accuracy, learnt_function, split, train
from numeric import Lattice, entanglement_profile, straight_cuts, targets


def run_sweep(command: str, out):
    result = CliRunner().invoke(main, [command, "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output), out


def seeded_with(out, copies: dict):
    """``out`` with the reproduce run's caches copied in (same keys, so every point is a cache hit)."""
    for source, target in copies.items():
        (out / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, out / target)
    return out


@pytest.fixture(scope="module")
def convac_sweep(tmp_path_factory, quick_run):
    cache = quick_run[0] / "cache"
    out = seeded_with(
        tmp_path_factory.mktemp("convac"),
        {cache / "convac.jsonl": "points.jsonl", cache / "wall.jsonl": "wall/points.jsonl"},
    )
    return run_sweep("convac-sweep", out)


@pytest.fixture(scope="module")
def train_sweep(tmp_path_factory, quick_run):
    out = seeded_with(tmp_path_factory.mktemp("train"), {quick_run[0] / "cache" / "training.jsonl": "points.jsonl"})
    return run_sweep("train-sweep", out)


def test_convac_sweep_reports_both_regimes_and_never_a_rank_above_the_min_cut(convac_sweep):
    report, out = convac_sweep
    for fit in report["binary"]["fits"] + report["wall"]["fits"]:
        assert fit["paper_exponent"] == pytest.approx(1 / fit["depth"])
        assert fit["exponent"] is None or fit["stderr"] is not None
    assert {"points.csv", "matches.csv", "fits.csv", "excluded.csv", "results.json", "points.jsonl"} <= {
        p.name for p in out.iterdir()
    }
    saved = json.loads((out / "results.json").read_text())
    assert saved["fits"] == report["binary"]["fits"]
    wall = json.loads((out / "wall" / "results.json").read_text())
    for point in saved["points"] + wall["points"]:
        assert point["generic_rank"] <= point["min_cut_rank"] <= point["ceiling"]  # a mathematical fact
    # Independent of the sweep's own bookkeeping: a match is the smallest measured width reaching the shallow
    # rank, and the paper's width is the smallest integer D with D^n_c >= D0.
    ranks = {(p["case"], p["depth"], p["channels"]): p["generic_rank"] for p in wall["points"]}
    assert report["wall"]["comparisons"] >= 20
    for match in report["wall"]["matches"]:
        widths = sorted(w for (case, depth, w) in ranks if case == match["case"] and depth == match["depth"])
        reaching = [w for w in widths if ranks[(match["case"], match["depth"], w)] >= match["shallow_rank"]]
        assert match["D"] == reaching[0]
        assert match["paper_D"] ** match["depth"] >= match["D0"] > (match["paper_D"] - 1) ** match["depth"]


def test_train_sweep_reports_held_out_accuracy_over_seeds_for_both_heads(train_sweep):
    report, out = train_sweep
    points = [json.loads(line)["point"] for line in (out / "points.jsonl").read_text().splitlines()]
    assert report["seeds"] >= 3
    for config in report["configs"]:
        mine = [p for p in points if all(p[k] == config[k] for k in ("target", "head", "depth", "channels"))]
        assert len(mine) == config["seeds"] == report["seeds"]
        assert config["accuracy_mean"] == pytest.approx(np.mean([p["accuracy"] for p in mine]))
        assert config["accuracy_min"] <= config["accuracy_mean"] <= config["accuracy_max"] <= 1
    assert {c["head"] for c in report["configs"]} == {"pool", "flatten"}
    assert {"parity", "far-apart", "random-boolean"} <= {c["target"] for c in report["configs"]}
    inside = report["learnt_within_target_bound"]
    assert inside["within"] <= inside["regions"]
    assert (out / "regions.csv").read_text().startswith("lattice,target,head,depth,channels,seed,region")


def test_the_held_out_half_is_never_trained_on_and_a_random_function_is_not_learnt():
    lattice = Lattice(4, 3)
    training, held_out = split(lattice, seed=4)
    assert len(training) == len(held_out) == lattice.n_images // 2
    assert not set(training) & set(held_out)
    labels = targets.random_boolean(lattice, 9)
    network, steps, stopped = train(lattice, labels, training, channels=8, depth=2, seed=4, max_steps=400)
    learnt = learnt_function(network, lattice)
    # Memorising random labels can raise training accuracy, never held-out accuracy above chance.
    assert balanced_accuracy(learnt[held_out], labels[held_out]) < 0.56
    assert steps <= 400 and stopped


def test_a_rerun_with_the_same_out_dir_reuses_every_cached_point(train_sweep, monkeypatch):
    report, out = train_sweep
    import cnn_bounds.verdicts.trained_cnns as training

    real = training.run_points  # the trainings run in worker processes, out of a monkeypatch's reach

    def nothing_missing(measure, points, cache, **options):
        missing = [point for point in points if point not in cache]
        assert not missing, f"{len(missing)} cached points would be trained again"
        return real(measure, points, cache, **options)

    monkeypatch.setattr(training, "run_points", nothing_missing)
    again, _ = run_sweep("train-sweep", out)
    assert again["configs"] == report["configs"]


def test_the_squares_command_reuses_the_quick_runs_points_and_fits_every_series(tmp_path, quick_run, monkeypatch):
    import cnn_bounds.verdicts.renyi2_squares as squares

    out = seeded_with(tmp_path, {quick_run[0] / "cache" / "squares.jsonl": "points.jsonl"})
    monkeypatch.setattr(squares, "sampled_renyi2", lambda *a, **k: pytest.fail("a cached square was sampled again"))
    result = CliRunner().invoke(main, ["squares", "--no-classifiers", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["fits"]) == set(report["series"]) and len(report["series"]) == 4
    for row in report["rows"]:
        low, high = row["interval"]
        assert 0 <= low <= row["ceiling"] + 1e-12
        assert high is None or low <= row["entropy"] <= high
        assert row["values_of_f"] == 1_000_000  # 10,000 blocks of 10 x 10 values
    assert {"squares.csv", "fits.csv", "results.json", "fig-renyi2-squares.png"} <= {p.name for p in out.iterdir()}


def test_a_cache_line_cut_short_is_reported_and_its_point_measured_again(tmp_path):
    path = tmp_path / "points.jsonl"
    cache = PointCache(path)
    cache.get_or_measure({"a": 1}, lambda: {"value": 10})
    cache.get_or_measure({"a": 2}, lambda: {"value": 20})
    text = path.read_text()
    path.write_text(text[: len(text) - 9])  # the last line cut by a crash or a full disk
    with pytest.warns(CacheWarning, match="line 2 is cut short"):
        reloaded = PointCache(path)
    assert reloaded.get_or_measure({"a": 1}, lambda: pytest.fail("measured again")) == {"a": 1, "value": 10}
    assert reloaded.get_or_measure({"a": 2}, lambda: {"value": 20})["value"] == 20  # measured again
    with pytest.warns(CacheWarning, match="line 2 is cut short"):  # the cut line stays; the new one is whole
        again = PointCache(path)
    assert again.points == reloaded.points and len(again.points) == 2


def _store_points(path, first, count):
    cache = PointCache(path)
    for n in range(first, first + count):
        cache.store({"n": n}, {"payload": "x" * 5000})  # lines longer than a pipe buffer


def test_runs_sharing_a_cache_never_interleave_their_lines(tmp_path):
    path = tmp_path / "points.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_store_points, args=(path, 1000 * k, 150)) for k in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        cache = PointCache(path)
    assert sorted(p["n"] for p in cache.points.values()) == [1000 * k + n for k in range(3) for n in range(150)]


def test_an_interrupted_write_leaves_the_old_file_and_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "report.tex"
    write_atomically(target, "complete old report")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new report")
    assert target.read_text() == "complete old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.tex"]


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="file modes are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_written_files_follow_the_umask_like_any_new_file(tmp_path, umask):
    previous = os.umask(umask)
    try:
        written = write_atomically(tmp_path / "results.json", "{}")
        with open(tmp_path / "plain.txt", "w") as handle:  # what any other tool would create
            handle.write("{}")
    finally:
        os.umask(previous)
    assert written.stat().st_mode & 0o777 == (tmp_path / "plain.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_training_is_reproducible_and_learns_a_small_pattern_target():
    lattice = Lattice(3, 3)
    labels = targets.pattern_present(lattice, np.ones((2, 2), dtype=np.int64))
    training, held_out = split(lattice, seed=5)
    first = learnt_function(train(lattice, labels, training, channels=4, depth=2, seed=5)[0], lattice)
    second = learnt_function(train(lattice, labels, training, channels=4, depth=2, seed=5)[0], lattice)
    np.testing.assert_array_equal(first, second)
    assert balanced_accuracy(first[held_out], labels[held_out]) == 1.0
    assert entanglement_profile(first, [0, 3, 6]).entropy == pytest.approx(
        entanglement_profile(labels, [0, 3, 6]).entropy
    )


def test_balanced_accuracy_weighs_both_classes_equally():
    target = np.array([1, 0, 0, 0])
    assert balanced_accuracy(np.zeros(4), target) == 0.5
    assert balanced_accuracy(np.array([1, 1, 0, 0]), target) == pytest.approx(0.5 * (1 + 2 / 3))


@pytest.mark.parametrize("command", ["convac-sweep", "train-sweep", "mincut"])
def test_bad_arguments_to_the_cnn_commands_exit_2_with_one_line(command):
    result = CliRunner().invoke(main, [command, "--seed", "many"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_mincut_refuses_bad_architectures_with_one_line():
    for args, message in [
        (["--channels", "0"], "--channels (D) must be at least 1"),
        (["--depth", "-1"], "--depth (n_c) must be at least 0"),
        (["--shape", "4x4", "--depth", "5"], "does not fit"),
        (["--region", "rect:3,3,2,2"], "does not fit in the 4x4 lattice"),
        (["--shape", "9x9"], "needs about"),
    ]:
        result = CliRunner().invoke(main, ["mincut", *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)


def test_mincut_measures_the_documented_counterexample_where_the_min_cut_is_not_attained():
    """SCIENCE.md: 3x3 binary, n_c = 2, D = 3, k = 2, unshared, A = {6, 7, 8} has rank 7 against a min cut of 8."""
    result = CliRunner().invoke(
        main,
        [
            "mincut",
            "--shape",
            "3x3",
            "--depth",
            "2",
            "--channels",
            "3",
            "--kernel",
            "2",
            "--unshared",
            "--region",
            "pixels:6,7,8",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)["regions"][0]
    assert record["rank_bound"] == 8 and record["generic_rank"] == 7
    assert 0 < record["entropy"] <= math.log(7) + 1e-12


def test_the_scale_check_equals_the_dense_engine_and_result_3_where_both_can_be_computed(monkeypatch):
    """scale_checks on a 4x4 image (small enough to enumerate): the tensor-network entropies and ranks equal the
    dense engine's, the bounds equal the sub-volume check's, and an entropy above its bound is counted."""
    from cnn_bounds.verdicts import subvolume as lattice_checks
    from numeric import matched_random_entropy, rectangle
    from numeric.cuts import measure_cuts

    lattice = Lattice(4, 4)
    regions = {"cols<2": straight_cuts(lattice)["cols<2"], "square l=2": rectangle(lattice, 1, 1, 2, 2)}
    monkeypatch.setattr(lattice_checks, "scale_jobs", lambda full: [(lattice, regions)])
    result = lattice_checks.scale_checks()
    assert result["comparisons"] == len(lattice_checks.SCALE_TARGETS) * len(regions) * 2 and not result["not_reached"]
    for row in result["rows"]:
        dense = measure_cuts(
            row["function"], lattice, {row["region"]: regions[row["region"]]}, method="dense", labels=row["labels"]
        )[row["region"]]
        assert row["entropy"] == pytest.approx(dense.spectrum.entropy(), abs=1e-9) and row["rank"] == dense.rank
        assert row["density"] == pytest.approx(dense.density, abs=1e-15)
        assert row["matched"] == matched_random_entropy(
            row["density"], 2 ** row["size"], 2 ** (16 - row["size"]), row["labels"]
        )
    assert result["violations"] == 0
    monkeypatch.setattr(lattice_checks, "catalogue_rank_bound", lambda function, lattice, region: 1)
    assert (
        lattice_checks.scale_checks()["violations"]
        == sum(
            row["rank"] > 1 + (row["labels"] == "pm1")
            or row["entropy"] > math.log(1 + (row["labels"] == "pm1")) + row["error_bound"]
            for row in result["rows"]
        )
        > 0
    )
