"""cnn-bounds reproduce: the files it writes, every quoted number, computed verdicts, the PDF, and what an
interrupted run leaves behind."""

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnn_bounds.driver import report
from cnn_bounds.driver.cli import main
from cnn_bounds.verdicts import base, trained_cnns
from proofs.result import plain_text

STEMS = [
    "fig-volume-vs-subvolume",
    "fig-bound-vs-exact",
    "fig-renyi2-squares",
    "fig-rank-vs-mincut",
    "fig-channel-scaling",
    "fig-learnt-entanglement",
]


def test_reproduce_writes_the_report_figures_and_data(quick_run):
    out, output = quick_run
    for stem in STEMS:
        assert (out / f"{stem}.pdf").stat().st_size > 1000 and (out / f"{stem}.png").stat().st_size > 1000
    main_tex = (out / "report.tex").read_text()
    assert main_tex.startswith(r"\documentclass[11pt]{article}") and main_tex.rstrip().endswith(r"\end{document}")
    assert [line for line in main_tex.splitlines() if line.startswith(r"\usepackage")] == [
        r"\usepackage[margin=2.5cm]{geometry}",
        report.FRAGMENT_PACKAGES,
    ]
    inputs = [line[len(r"\input{tex/") : -1] for line in main_tex.splitlines() if line.startswith(r"\input{")]
    assert sorted(path.stem for path in (out / "tex").glob("*.tex")) == sorted(inputs) and len(inputs) == 9
    tex = all_tex(out)
    assert tex.count(r"\section{") == 6 and tex.count(r"\paragraph{Verdict:") == 6
    assert r"$D = D_0^{1/n_c}$" in tex and "D0^(1/n_c)" not in tex and r"\begin{tabularx}{\linewidth}" in tex
    environment = json.loads((out / "environment.json").read_text())
    assert environment["seed"] == 0 and environment["packages"]["sympy"] and "derive" in environment["timings_seconds"]
    results = json.loads((out / "results.json").read_text())
    for verdict in results["verdicts"].values():
        assert plain_text(verdict["claim"]) in output and plain_text(verdict["because"]) in output
    # not a terminal: one line per stage with its time, in order
    stages = [line.split()[2].rstrip(":") for line in output.splitlines() if line.startswith("stage ")]
    assert stages == list(environment["timings_seconds"])


def test_every_number_the_report_quotes_is_the_one_in_results_json(quick_run):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    tex = all_tex(out)
    assert len(results["quoted"]) > 100
    for path, quoted in results["quoted"].items():
        assert base.lookup(results, path) == quoted["value"], path
        assert quoted["text"] in tex, (path, quoted["text"])


def test_the_markdown_report_has_the_same_numbers_verdicts_and_figures(quick_run):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    markdown = (out / "report.md").read_text()
    numbers = [
        q["text"]
        for q in results["quoted"].values()
        if isinstance(q["value"], (int, float)) and not isinstance(q["value"], bool)
    ]
    assert len(numbers) > 100 and [text for text in numbers if text not in markdown] == []
    # and every quoted text that LaTeX prints as it is (no escapes; no ' which pandoc makes typographic)
    texts = [
        q["text"]
        for q in results["quoted"].values()
        if isinstance(q["value"], str) and q["text"] == q["value"] and "'" not in q["value"]
    ]
    assert len(texts) > 50 and [text for text in texts if text not in markdown] == []
    for verdict in results["verdicts"].values():
        assert f"Verdict: {verdict['verdict']}." in markdown
    images = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", markdown)
    assert sorted(name for _, name in images) == sorted(f"{stem}.png" for stem in STEMS)
    assert all(caption for caption, _ in images) and all((out / name).exists() for _, name in images)
    assert "$D = D_0^{1/n_c}$" in markdown
    table_math = [
        math for line in markdown.splitlines() if line.startswith("|") for math in re.findall(r"\$[^$]*\$", line)
    ]
    assert table_math and not [math for math in table_math if "|" in math]  # a | in math would split a pipe-table cell
    assert not any(
        latex in markdown for latex in (r"\begin{tab", r"\begin{fig", r"\begin{item", r"\includegraphics", r"\textbar")
    )


def test_a_wrapping_column_keeps_every_character_in_markdown():
    # regression: pandoc read \arraybackslash as taking an argument and dropped the 3 of "3/4-bright window"
    table = base.table("lXr", ["lattice", "target", "cuts"], [["4x4", "3/4-bright window present", "15"]])
    markdown = report.report_markdown({"seed": 0, "full": False}, {"table": table})
    assert "| 4x4 | 3/4-bright window present | 15 |" in " ".join(markdown.split())


def test_the_verdicts_follow_from_the_numbers(quick_run):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    assert report.verdicts(results) == results["verdicts"]
    for verdict in results["verdicts"].values():
        assert set(verdict) == {"claim", "verdict", "because", "comparisons", "non_vacuous"}
        assert isinstance(verdict["comparisons"], int) and 0 <= verdict["non_vacuous"] <= verdict["comparisons"]
        assert verdict["non_vacuous"] >= base.MIN_NON_VACUOUS or verdict["verdict"] == base.NOT_TESTED


def _flipped(results: dict, change) -> dict:
    broken = json.loads(json.dumps(results))
    change(broken)
    return report.verdicts(broken)


def _set(path: str, value):
    def change(results):
        *parents, last = path.split(".")
        holder = results
        for part in parents:
            holder = holder[int(part)] if isinstance(holder, list) else holder[part]
        holder[int(last) if isinstance(holder, list) else last] = value

    return change


def _deep_fits(results: dict) -> list[dict]:
    """The capacity sweep's fits at depth 2 and more, whose matched-width exponents the verdict compares."""
    return [fit for fit in results["capacity"]["fits"] if fit["depth"] >= 2]


def _exponents_as_the_paper_says(results: dict) -> None:
    for fit in _deep_fits(results):
        fit["matched_exponent"] = [1 / fit["depth"] for _ in fit["matched_exponent"]]


FLIPS = {  # one change of the numbers that must turn each verdict to "does not hold"
    "volume-law": _set("derive.volume-law.numeric.passed", False),
    "sub-volume": _set("lattice.violations", 3),
    "min-cut": lambda r: r["tightness"]["points"][0].update(
        generic_rank=r["tightness"]["points"][0]["min_cut_rank"] + 1
    ),
    "channel-scaling": lambda r: _deep_fits(r)[0].update(matched_exponent=[2 / _deep_fits(r)[0]["depth"]]),
    "trained-cnns": lambda r: r["training"]["learnt_within_target_bound"].update(within=0),
}


def test_a_violation_at_scale_alone_fails_the_sub_volume_verdict(quick_run):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    assert results["scale"]["comparisons"] > 0 and results["scale"]["violations"] == 0
    assert _flipped(results, _set("scale.violations", 1))["sub-volume"]["verdict"] == base.FAILS


@pytest.mark.parametrize("key", list(FLIPS))
def test_every_verdict_flips_when_its_numbers_do(quick_run, key):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    if key == "channel-scaling":  # the default run's verdict is "does not hold": flip it the other way too
        assert _flipped(results, _exponents_as_the_paper_says)[key]["verdict"] == base.HOLDS
    else:
        assert results["verdicts"][key]["verdict"] != base.FAILS
    assert _flipped(results, FLIPS[key])[key]["verdict"] == base.FAILS


def test_a_claim_with_too_few_non_vacuous_comparisons_is_not_tested(quick_run):
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())

    def five_exponents(r):
        _exponents_as_the_paper_says(r)
        deep = _deep_fits(r)[0]
        deep["matched_exponent"] = [1 / deep["depth"]] * 5
        r["capacity"]["fits"] = [fit for fit in r["capacity"]["fits"] if fit["depth"] < 2] + [deep]

    few = _flipped(results, five_exponents)
    assert few["channel-scaling"]["verdict"] == base.NOT_TESTED and few["channel-scaling"]["non_vacuous"] == 5


def test_the_quick_report_compiles_to_a_pdf(quick_run, tmp_path):
    out, _ = quick_run
    if not shutil.which("pdflatex"):
        pytest.skip("pdflatex is not on the PATH (CI installs Debian's texlive-latex-recommended)")
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    # every table and formula fits the page: pdflatex reports no line wider than the text
    shutil.copytree(out, tmp_path / "again")
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "report.tex"],
        cwd=tmp_path / "again",
        capture_output=True,
        timeout=300,
        check=True,
    )
    overfull = [
        line
        for line in (tmp_path / "again" / "report.log").read_text(errors="replace").splitlines()
        if line.startswith("Overfull \\hbox")
    ]
    assert overfull == []


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

    monkeypatch.setattr(trained_cnns, "train_sweep", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.reproduce(tmp_path / "run", pdf=False)
    assert not any((tmp_path / "run" / name).exists() for name in ("report.tex", "report.pdf", "report.md"))
    assert not list((tmp_path / "run").glob("*.part"))


def test_the_verdict_counts_agree_with_a_recount_of_the_raw_numbers(quick_run):
    # An oracle written here from the raw rows of results.json, not through report.verdicts.
    out, _ = quick_run
    results = json.loads((out / "results.json").read_text())
    verdicts = results["verdicts"]
    networks = results["convac"]["points"] + results["wall"]["points"] + results["tightness"]["points"]
    assert verdicts["min-cut"]["comparisons"] == len(networks)
    assert verdicts["min-cut"]["non_vacuous"] == sum(p["min_cut_rank"] < p["ceiling"] for p in networks)
    assert all(p["generic_rank"] <= p["min_cut_rank"] for p in networks)
    sub_rows = results["derive"]["sub-volume"]["numeric"]["rows"]
    headers = results["derive"]["sub-volume"]["numeric"]["headers"]
    lattice_rows = [r for r in results["lattice"]["rows"] if r["bound"] is not None]
    recount = sum(row[headers.index("ln bound")] < _ceiling_nats(row, headers) - 1e-12 for row in sub_rows)
    recount += sum(
        r["bound"] < min(r["size"], _pixels(r["lattice"]) - r["size"]) * math.log(2) - 1e-12 for r in lattice_rows
    )
    scale_rows = results["scale"]["rows"]
    recount += sum(
        math.log(r["rank_bound"]) < min(r["size"], _pixels(r["lattice"]) - r["size"]) * math.log(2) - 1e-12
        for r in scale_rows
    )
    assert verdicts["sub-volume"]["comparisons"] == len(sub_rows) + len(lattice_rows) + len(scale_rows)
    assert verdicts["sub-volume"]["non_vacuous"] == recount
    assert all(
        r["entropy"] <= math.log(r["rank_bound"]) + r["error_bound"] and r["rank"] <= r["rank_bound"]
        for r in scale_rows
    )
    deep = _deep_fits(results)
    exponents = [(e, fit["depth"]) for fit in deep for e in fit["matched_exponent"] if e is not None]
    assert verdicts["channel-scaling"]["comparisons"] == len(exponents)
    shallow = {  # c_1 / c_n_c recounted from the raw ranks: ln r_1(D) / ln r_n_c(D)
        (r["family"], r["region"], r["channels"]): r["rank"]
        for r in results["capacity"]["rows"]
        if r["depth"] == 1 and r["rank"]
    }
    for fit in deep:
        for width, rank, exponent in zip(fit["widths"], fit["ranks"], fit["matched_exponent"]):
            expected = math.log(shallow[(fit["family"], fit["region"], width)]) / math.log(rank)
            assert exponent == pytest.approx(expected, rel=1e-12)
    agree = sum(abs(e - 1 / n) <= 0.1 / n for e, n in exponents)
    assert (verdicts["channel-scaling"]["verdict"] == base.HOLDS) == (agree == len(exponents) >= base.MIN_NON_VACUOUS)
    assert verdicts["volume-law"]["comparisons"] == len(results["derive"]["volume-law"]["numeric"]["rows"])


def all_tex(out) -> str:
    """report.tex and every fragment it inputs."""
    return "\n".join(path.read_text() for path in [out / "report.tex", *sorted((out / "tex").glob("*.tex"))])


def _pixels(lattice: str) -> int:
    width, height = lattice.split("x")
    return int(width) * int(height)


def _ceiling_nats(row: list, headers: list) -> float:
    """min(|A|, |B|) ln d for a sub-volume row (the 3-level chain is the one lattice with d = 3)."""
    size, lattice = row[headers.index("|A|")], row[headers.index("lattice")]
    levels = 3 if lattice == "8x1" else 2
    return min(size, _pixels(lattice) - size) * math.log(levels)


def test_the_front_page_verdicts_and_counts_are_the_default_runs(quick_run):
    """README.md's table of verdicts quotes the default run: each verdict, and every count in its
    'decided by' column, must be what the run computed (a verdict typed in would drift)."""
    out, _ = quick_run
    verdicts = json.loads((out / "results.json").read_text())["verdicts"]
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = [line.split("|")[1:-1] for line in readme.splitlines() if line.startswith("| ") and "---" not in line]
    rows = [[cell.strip() for cell in row] for row in rows if row[0].strip() != "claim"]
    assert [row[1] for row in rows] == [v["verdict"] for v in verdicts.values()]
    for (_, _, decided), verdict in zip(rows, verdicts.values(), strict=True):
        numbers = re.findall(r"\d+(?:\.\d+)?", verdict["because"])
        counts = {str(verdict["comparisons"]), str(verdict["non_vacuous"])}
        quoted = [n for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", decided) if n not in {"0", "1", "3", "4"}]
        assert all(n in numbers or n in counts for n in quoted), (decided, verdict["because"])
