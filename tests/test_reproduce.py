"""cnn-bounds reproduce: the files it writes, every quoted number, computed verdicts, the PDF, and what an
interrupted run leaves behind."""

import json
import shutil

import pytest
from click.testing import CliRunner

from cnn_bounds import report
from cnn_bounds.cli import main

STEMS = ["fig-volume-vs-subvolume", "fig-bound-vs-exact", "fig-rank-vs-mincut", "fig-channel-scaling",
         "fig-learnt-entanglement"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    result = CliRunner().invoke(main, ["reproduce", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_reproduce_writes_the_report_figures_and_data(quick_run):
    out, output = quick_run
    for stem in STEMS:
        assert (out / f"{stem}.pdf").stat().st_size > 1000 and (out / f"{stem}.png").stat().st_size > 1000
    tex = (out / "report.tex").read_text()
    assert tex.startswith(r"\documentclass[11pt]{article}") and tex.rstrip().endswith(r"\end{document}")
    used = {line.split("{")[1].split("}")[0] for line in tex.splitlines() if line.startswith(r"\usepackage")}
    assert used == {"amsmath", "booktabs", "graphicx"}
    assert tex.count(r"\section{") == 5 and tex.count(r"\paragraph{Verdict:") == 5
    environment = json.loads((out / "environment.json").read_text())
    assert environment["seed"] == 0 and environment["packages"]["sympy"] and "derive" in environment["timings_seconds"]
    results = json.loads((out / "results.json").read_text())
    for verdict in results["verdicts"].values():
        assert verdict["claim"] in output and verdict["because"] in output


def test_every_number_the_report_quotes_is_the_one_in_results_json(quick_run):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    tex = (out / "report.tex").read_text()
    assert len(results["quoted"]) > 100
    for path, quoted in results["quoted"].items():
        assert report.lookup(results, path) == quoted["value"], path
        assert quoted["text"] in tex, (path, quoted["text"])


def test_the_verdicts_follow_from_the_numbers(quick_run):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    assert report.verdicts(results) == results["verdicts"]
    broken = json.loads(json.dumps(results))
    broken["convac"]["points"][0]["generic_rank"] = broken["convac"]["points"][0]["min_cut_rank"] + 1
    broken["lattice"]["violations"] = 3
    flipped = report.verdicts(broken)
    assert flipped["min-cut"]["verdict"] == report.FAILS and flipped["sub-volume"]["verdict"] == report.FAILS


def test_the_quick_report_compiles_to_a_pdf(quick_run):
    out, _ = quick_run
    if not shutil.which("pdflatex"):
        pytest.skip("pdflatex is not on the PATH (CI installs Debian's texlive-latex-recommended)")
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


def test_a_rerun_with_the_same_seed_reproduces_results_json(quick_run, tmp_path):
    out, _ = quick_run
    again = tmp_path / "again"
    shutil.copytree(out / "cache", again / "cache")  # the sweeps are reproducible too, but slow to redo here
    result = CliRunner().invoke(main, ["reproduce", "--out", str(again), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert (again / "results.json").read_text() == (out / "results.json").read_text()
    assert not (again / "report.pdf").exists()


def test_an_interrupted_run_leaves_no_report_that_looks_complete(quick_run, tmp_path, monkeypatch):
    out, _ = quick_run
    shutil.copytree(out, tmp_path / "run")

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "train_sweep", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.reproduce(tmp_path / "run", pdf=False)
    assert not (tmp_path / "run" / "report.tex").exists() and not (tmp_path / "run" / "report.pdf").exists()
    assert not list((tmp_path / "run").glob("*.part"))
