"""``cnn-bounds reproduce``: every stage in one run, then a LaTeX report, figures and data.

The stages measure; the verdict modules (:mod:`cnn_bounds.verdicts`) decide, each from the numbers, and
write their own section and figures; this module runs them in order and writes the files. Every number the
report prints goes through a :class:`~cnn_bounds.verdicts.base.Quoter`, which records the results.json path it
came from and the text printed, so a test can check them. Each section is a LaTeX fragment in tex/ that a
paper can \\input; report.tex inputs them all, report.md is the same text through pandoc (readable without
TeX), report.pdf is compiled when pdflatex is there. Files are written atomically, the old report is removed
first, and report.tex is written last: an interrupted run leaves no report that looks complete.
"""

from __future__ import annotations

import functools
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pypandoc

from cnn_bounds.driver.cache import PointCache
from cnn_bounds.driver.files import dumps, jsonable, save_figure, write_atomically
from cnn_bounds.driver.machine import usable_cpus
from cnn_bounds.verdicts import (
    capacity_exponents,
    channel_scaling,
    learnt_cnns,
    learnt_convacs,
    min_cut,
    renyi2_squares,
    subvolume,
    trained_cnns,
    trained_widths,
    volume_law,
)
from cnn_bounds.verdicts.base import Quoter, table
from proofs import check_all

VERDICTS = (volume_law, subvolume, renyi2_squares, min_cut, channel_scaling, trained_cnns)
"""The claims, in the report's order: each module decides its verdict and writes its section and figures."""
MEASUREMENTS = (learnt_cnns, learnt_convacs)
"""Sections with numbers and no verdict of their own (trained networks on real digits)."""

FRAGMENTS = "tex"
FRAGMENT_PACKAGES = r"\usepackage{amsmath,booktabs,tabularx,graphicx}"
"""What every fragment in tex/ needs in the preamble of the document that \\inputs it."""
MARKDOWN = (
    "markdown-raw_html-raw_attribute-raw_tex-fenced_divs-bracketed_spans-native_divs-native_spans"
    "-header_attributes-link_attributes-simple_tables-multiline_tables-grid_tables-smart"
)
"""Pandoc's Markdown with only what common viewers render: pipe tables, $...$ math, plain images."""
PACKAGES = ("numpy", "scipy", "sympy", "mpmath", "networkx", "torch", "matplotlib", "click", "tqdm")


def verdicts(results: dict) -> dict:
    """Each claim's verdict, computed from the numbers by its module's fixed rule (``verdict(results)``)."""
    return {module.KEY: module.verdict(results) for module in VERDICTS}


def report_sections(results: dict, q: Quoter) -> dict[str, str]:
    """The report's sections, each a LaTeX fragment (name -> text) a paper can \\input (see FRAGMENT_PACKAGES):
    the table of verdicts, one section per claim, then the trained networks on real digits."""
    summary = [
        r"\section*{Verdicts}",
        table(
            "XXX",
            ["claim", "verdict", "decided by"],
            [
                [q(f"verdicts.{k}.claim"), q(f"verdicts.{k}.verdict"), q(f"verdicts.{k}.because")]
                for k in results["verdicts"]
            ],
            widths=(0.8, 0.55, 1.65),
        ),
        r"Entropies are in nats. Verdicts are computed from the numbers: a claim \emph{holds} when every "
        r"check of it passed, \emph{holds with the stated precise assumptions} when it passed in the precise "
        r"form stated in its section, and \emph{does not hold} otherwise." + "\n",
    ]
    sections = {"verdicts": "\n".join(summary) + "\n"}
    sections.update({module.KEY: module.section(results, q) for module in VERDICTS})
    sections["learnt"] = learnt_cnns.learnt_section(results["learnt"], q, "learnt.") + "\n"
    sections["learnt-convac"] = (
        learnt_convacs.learnt_convac_section(results["learnt-convac"], q, "learnt-convac.") + "\n"
    )
    return sections


def fragment(name: str, text: str) -> str:
    """A section as a file to \\input: a first comment line naming it and the packages it needs."""
    return f"% cnn-bounds: {name} (needs {FRAGMENT_PACKAGES})\n" + text


TITLE = "cnn-bounds: the claims of arXiv:1710.05520, checked"


def _run(results: dict) -> str:
    return f"seed {results['seed']}, {'full' if results['full'] else 'quick'} run"


def report_tex(results: dict, sections: dict[str, str]) -> str:
    """The standalone LaTeX report: a preamble, then each section \\input from tex/NAME.tex."""
    return (
        "\n".join(
            [
                r"\documentclass[11pt]{article}",
                r"\usepackage[margin=2.5cm]{geometry}",
                FRAGMENT_PACKAGES,
                r"\setkeys{Gin}{width=0.75\linewidth}",
                r"\begin{document}",
                r"\begin{center}",
                rf"{{\Large {TITLE}}}\\[4pt]",
                _run(results),
                r"\end{center}",
                *(rf"\input{{{FRAGMENTS}/{name}}}" for name in sections),
                r"\end{document}",
            ]
        )
        + "\n"
    )


def report_markdown(results: dict, sections: dict[str, str]) -> str:
    """The same report as Markdown (pandoc's reader of the same LaTeX): math as $...$, pipe tables, the
    figures as PNG beside it, so it reads anywhere (GitHub, an editor, a browser with a Markdown viewer)."""
    title = (
        f"# {TITLE}\n\n{_run(results).capitalize()}. The same numbers and verdicts as report.tex and "
        "report.pdf; every number is also in results.json.\n\n"
    )
    return title + pypandoc.convert_text(
        "\n".join(sections.values()),
        MARKDOWN,
        format="latex",
        extra_args=["--wrap=none", "--default-image-extension=png"],
    )


def environment(seed: int, full: bool, timings: dict) -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version,
        "platform": platform.platform(),
        "packages": versions,
        "seed": seed,
        "full": full,
        "timings_seconds": timings,
        "command": sys.argv,
    }


def compile_pdf(folder: Path) -> Path:
    """Compile report.tex with pdflatex in a scratch folder; move report.pdf into ``folder`` atomically."""
    with tempfile.TemporaryDirectory() as scratch:
        for path in folder.iterdir():
            if path.name == "report.tex" or (path.name.startswith("fig-") and path.suffix == ".pdf"):
                shutil.copy(path, scratch)
        shutil.copytree(folder / FRAGMENTS, Path(scratch) / FRAGMENTS)
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if run.returncode != 0:
            raise RuntimeError("pdflatex failed:\n" + "\n".join(run.stdout.splitlines()[-25:]))
        return write_atomically(folder / "report.pdf", (Path(scratch) / "report.pdf").read_bytes())


def reproduce(
    out_dir: str | Path,
    full: bool = False,
    seed: int = 0,
    pdf: bool = True,
    progress: Callable[[str], Callable] | None = None,
    announce: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> dict:
    """Run every stage, write the figures, data, environment and report to ``out_dir``; returns results.
    ``announce`` gets one line per finished stage with its time and the time since the start. Independent
    points (the trainings) run in ``jobs`` processes, by default one per usable CPU."""
    jobs = jobs or usable_cpus()
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("report.tex", "report.pdf", "report.md"):
        (folder / stale).unlink(missing_ok=True)
    progress = progress or (lambda description: None)
    timings, results = {}, {"seed": seed, "full": full}
    caches = {
        name: PointCache(folder / "cache" / f"{name}.jsonl")
        for name in (
            "scale",
            "squares",
            "convac",
            "wall",
            "capacity",
            "trained-widths",
            "training",
            "learnt",
            "learnt-convac",
        )
    }
    measure_networks = functools.partial(channel_scaling.wall_sweep, cache=caches["wall"])
    stages = [  # (results key, measurement): what each verdict module needs, in the order they run
        (
            "derive",
            lambda: {
                result.key: result.record(symbolic, numeric)
                for result, symbolic, numeric in check_all(full, seed, progress, measure_networks=measure_networks)
            },
        ),
        ("lattice", lambda: subvolume.lattice_checks(full=full, seed=seed, progress=progress("lattices"))),
        (
            "scale",
            lambda: subvolume.scale_checks(full=full, cache=caches["scale"], progress=progress("tensor networks")),
        ),
        (
            "squares",
            lambda: renyi2_squares.squares_sweep(
                full=full, seed=seed, cache=caches["squares"], progress=progress("sampled squares")
            ),
        ),
        ("tightness", lambda: min_cut.min_cut_survey(full=full, seed=seed, progress=progress("min-cut survey"))),
        (
            "convac",
            lambda: channel_scaling.channel_sweep(
                full=full, seed=seed, cache=caches["convac"], progress=progress("ConvACs")
            ),
        ),
        (
            "wall",
            lambda: channel_scaling.wall_sweep(
                full=full, seed=seed, cache=caches["wall"], progress=progress("wall networks")
            ),
        ),
        (
            "capacity",
            lambda: capacity_exponents.capacity_sweep(
                full=full, seed=seed, cache=caches["capacity"], progress=progress("capacity exponents")
            ),
        ),
        (
            "trained_widths",
            lambda: trained_widths.width_sweep(
                full=full, seed=seed, cache=caches["trained-widths"], jobs=jobs, progress=True
            ),
        ),
        (
            "training",
            lambda: trained_cnns.train_sweep(full=full, seed=seed, cache=caches["training"], progress=True, jobs=jobs),
        ),
        (
            "learnt",
            lambda: learnt_cnns.learnt_sweep(
                **learnt_cnns.LEARNT_FULL if full else learnt_cnns.LEARNT_QUICK,
                seed=seed,
                cache=caches["learnt"],
                progress=True,
            ),
        ),
        (
            "learnt-convac",
            lambda: learnt_convacs.learnt_convac_sweep(
                **learnt_convacs.CONVAC_FULL if full else learnt_convacs.CONVAC_QUICK,
                seed=seed,
                cache=caches["learnt-convac"],
                progress=True,
            ),
        ),
    ]
    began = time.perf_counter()
    for number, (name, stage) in enumerate(stages, 1):
        start = time.perf_counter()
        results[name] = jsonable(stage())
        timings[name] = round(time.perf_counter() - start, 2)
        if announce:
            announce(
                f"stage {number}/{len(stages)} {name}: {timings[name]:.1f} s "
                f"({time.perf_counter() - began:.1f} s in all)"
            )
    results["verdicts"] = verdicts(results)
    drawn = [
        name
        for module in VERDICTS
        for stem, drawing in module.figures(results).items()
        for name in save_figure(drawing, folder, stem)
    ]
    quoter = Quoter(results)
    sections = report_sections(results, quoter)
    results["quoted"] = quoter.quoted
    results["figures"] = drawn
    write_atomically(folder / "results.json", dumps(results))
    write_atomically(folder / "environment.json", dumps(environment(seed, full, timings)))
    (folder / FRAGMENTS).mkdir(exist_ok=True)
    for name, text in sections.items():
        write_atomically(folder / FRAGMENTS / f"{name}.tex", fragment(name, text))
    write_atomically(folder / "report.md", report_markdown(results, sections))
    write_atomically(folder / "report.tex", report_tex(results, sections))
    if pdf and shutil.which("pdflatex"):
        compile_pdf(folder)
    return results
