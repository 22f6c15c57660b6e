"""``cnn-bounds reproduce``: every check in one run, then a LaTeX report, figures and data.

Every number the report prints goes through :class:`Quoter`, which records the results.json path it
came from and the text printed, so a test can check them; every verdict is computed from the numbers by
:func:`verdicts`. Files are written atomically, the old report is removed first, and report.tex is
written last: an interrupted run leaves no report that looks complete.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cnn_bounds import figures
from cnn_bounds.cache import PointCache
from cnn_bounds.channel_sweep import channel_sweep
from cnn_bounds.files import dumps, jsonable, write_atomically
from cnn_bounds.lattice_checks import lattice_checks
from cnn_bounds.training import ACCURACY_GOAL, train_sweep
from proofs import check_all
from proofs.result import latex_text

HOLDS, PRECISE, FAILS = "holds", "holds with the stated precise assumptions", "does not hold"
RANDOM_CONTROL_CEILING = 0.6
PACKAGES = ("numpy", "scipy", "sympy", "mpmath", "networkx", "torch", "matplotlib", "click", "tqdm")


def lookup(data, path: str):
    """The value at a dotted path ('fits.3.exponent') in nested dicts and lists."""
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


@dataclass
class Quoter:
    """Formats numbers from the results for the report, recording each (path -> value, text)."""

    results: dict
    quoted: dict = field(default_factory=dict)

    def __call__(self, path: str, style: str = "{:.3g}") -> str:
        value = lookup(self.results, path)
        text = "--" if value is None else (style.format(value) if not isinstance(value, str) else latex_text(value))
        self.quoted[path] = {"value": value, "text": text}
        return text


def verdicts(results: dict) -> dict:
    """Each claim's verdict, computed from the numbers by fixed rules (see the report's text)."""
    derive = results["derive"]
    passed = {key: record["symbolic"]["passed"] and record["numeric"]["passed"] for key, record in derive.items()}
    page_rows = derive["volume-law"]["numeric"]["rows"]  # lattice, |A|, Page, complex mean, s.e., real mean, s.e., ceiling
    real_agrees = all(abs(row[5] - row[2]) < 4 * row[6] for row in page_rows)
    volume_ok = passed["volume-law"]
    sub_ok = passed["distinct-rows"] and passed["sub-volume"]
    points = results["convac"]["points"]
    within_cut = sum(p["generic_rank"] <= p["min_cut_rank"] for p in points)
    fits = [f for f in results["convac"]["fits"] if f["depth"] >= 2 and f["exponent"] is not None]
    consistent = sum(f["consistent_with_paper"] for f in fits)
    best = {}
    for point in results["training"]["points"]:
        best[point["target"]] = max(best.get(point["target"], 0.0), point["accuracy"])
    local_learnt = all(v >= ACCURACY_GOAL for k, v in best.items() if k != "random-boolean")
    control_fails = best.get("random-boolean", 1.0) < RANDOM_CONTROL_CEILING
    inside = results["training"]["learnt_within_target_bound"]
    return {
        "volume-law": {
            "claim": "Random functions obey a volume law (Page's mean entropy)",
            "verdict": FAILS if not volume_ok else (HOLDS if real_agrees else PRECISE),
            "because": "Page's mean matches complex random functions within 4 s.e. on every lattice"
                       + ("" if real_agrees else "; real random functions average below it (precise version: "
                                                 "Page's formula is for the complex ensemble)"),
        },
        "sub-volume": {
            "claim": "Local-feature target functions obey a sub-volume law",
            "verdict": PRECISE if sub_ok and results["lattice"]["violations"] == 0 else FAILS,
            "because": "exact entropies and ranks within the derived per-aggregator bounds on every cut checked, "
                       f"{results['lattice']['violations']} violations in the lattice sweep",
        },
        "min-cut": {
            "claim": "A CNN (ConvAC) carries at most its min-cut entanglement",
            "verdict": HOLDS if within_cut == len(points) else FAILS,
            "because": f"exact generic rank <= min-cut bound at {within_cut} of {len(points)} networks",
        },
        "channel-scaling": {
            "claim": "Equal expressive power needs D = D0^(1/n_c) channels at depth n_c",
            "verdict": HOLDS if fits and consistent == len(fits) else FAILS,
            "because": f"fitted exponent consistent with 1/n_c in {consistent} of {len(fits)} fits (n_c >= 2)",
        },
        "trained-cnns": {
            "claim": "Small CNNs learn local-feature targets; a random function needs far more",
            "verdict": HOLDS if local_learnt and control_fails and inside["within"] == inside["regions"] else FAILS,
            "because": f"{'every' if local_learnt else 'not every'} local target reaches balanced accuracy "
                       f"{ACCURACY_GOAL}; the random control's best is {best.get('random-boolean', float('nan')):.3f} "
                       f"(needs < {RANDOM_CONTROL_CEILING} to count as not learnt); learnt functions within the "
                       f"target's bound in {inside['within']} of {inside['regions']} regions",
        },
    }


def _table(columns: str, headers: list[str], rows: list[list[str]]) -> str:
    body = [r"\begin{center}", r"\small", rf"\begin{{tabular}}{{{columns}}}", r"\toprule",
            " & ".join(latex_text(h) for h in headers) + r" \\", r"\midrule"]
    body += [" & ".join(row) + r" \\" for row in rows]
    return "\n".join(body + [r"\bottomrule", r"\end{tabular}", r"\end{center}"]) + "\n"


def _figure(stem: str, caption: str) -> str:
    return (r"\begin{figure}[ht]\centering" + "\n" + rf"\includegraphics[width=0.75\linewidth]{{{stem}.pdf}}" + "\n"
            + rf"\caption{{{latex_text(caption)}}}" + "\n" + r"\end{figure}" + "\n")


def _verdict_line(q: Quoter, key: str) -> str:
    return rf"\paragraph{{Verdict: {q(f'verdicts.{key}.verdict')}.}} {q(f'verdicts.{key}.because')}." + "\n"


def report_tex(results: dict, q: Quoter) -> str:
    """The standalone LaTeX report (article, amsmath, booktabs, graphicx)."""
    derive = results["derive"]
    parts = [r"\documentclass[11pt]{article}", r"\usepackage{amsmath}", r"\usepackage{booktabs}",
             r"\usepackage{graphicx}", r"\title{cnn-bounds: the claims of arXiv:1710.05520, checked}",
             rf"\author{{seed {q('seed', '{}')}, {'full' if results['full'] else 'quick'} run}}", r"\date{}",
             r"\begin{document}", r"\maketitle", r"\section*{Verdicts}"]
    parts.append(_table("p{0.42\\linewidth}p{0.2\\linewidth}p{0.28\\linewidth}", ["claim", "verdict", "decided by"],
                         [[q(f"verdicts.{k}.claim"), q(f"verdicts.{k}.verdict"), q(f"verdicts.{k}.because")]
                          for k in results["verdicts"]]))
    parts.append(r"Entropies are in nats. Verdicts are computed from the numbers: a claim \emph{holds} when every "
                 r"check of it passed, \emph{holds with the stated precise assumptions} when it passed in the precise "
                 r"form stated in its section, and \emph{does not hold} otherwise." + "\n")

    parts.append(r"\section{Random functions: the volume law}")
    parts.append(derive["volume-law"]["latex"])
    parts.append(_table("lrrrrrr", ["lattice", "|A|", "Page", "complex mean", "s.e.", "real mean", "s.e."],
                        [[q(f"derive.volume-law.numeric.rows.{i}.{j}", "{:.4f}" if j > 1 else "{}") for j in range(7)]
                         for i in range(len(derive["volume-law"]["numeric"]["rows"]))]))
    parts.append(_figure("fig-volume-vs-subvolume", "Entropy against region size on a chain: random functions "
                         "(means over samples, error bars one s.e.) follow the volume law and Page's curve; local-feature "
                         "targets stay far below."))
    parts.append(_verdict_line(q, "volume-law"))

    parts.append(r"\section{Target functions: the sub-volume law}")
    parts.append(derive["distinct-rows"]["latex"])
    parts.append(derive["sub-volume"]["latex"])
    by_function = derive["sub-volume"]["numeric"]["figures"]["by_function"]
    parts.append(_table("lrrrr", ["function", "cuts", "rank = local bound", "max rank / local bound", "max S / ln bound"],
                        [[latex_text(name), q(f"derive.sub-volume.numeric.figures.by_function.{name}.cases", "{}"),
                          q(f"derive.sub-volume.numeric.figures.by_function.{name}.rank_at_local_bound", "{}"),
                          q(f"derive.sub-volume.numeric.figures.by_function.{name}.max_rank_over_local", "{:.2f}"),
                          q(f"derive.sub-volume.numeric.figures.by_function.{name}.max_entropy_over_log_bound", "{:.2f}")]
                         for name in by_function]))
    parts.append(_figure("fig-bound-vs-exact", "Exact entropy of every local target on every cut against its derived "
                         "bound: all points lie on or below the diagonal."))
    parts.append(rf"Lattice sweep: {q('lattice.violations', '{}')} of {len(results['lattice']['rows'])} "
                 "(function, cut) entries exceed their bound." + "\n")
    parts.append(_verdict_line(q, "sub-volume"))

    parts.append(r"\section{CNNs as tensor networks: the min-cut bound}")
    parts.append("Convolutional arithmetic circuits (linear convolutions, product pooling) are exactly tensor networks "
                 "whose nodes are COPY tensors; the bound is their minimal cut (networkx max-flow), the measured rank "
                 "is exact over GF(p) with random integer weights.\n")
    parts.append(rf"Generic rank equals the min-cut bound at {q('convac.generic_rank_equals_min_cut.equal', '{}')} "
                 rf"of {q('convac.generic_rank_equals_min_cut.points', '{}')} networks." + "\n")
    parts.append(_figure("fig-rank-vs-mincut", "Exact generic rank of deep and shallow ConvACs against their min-cut bound."))
    parts.append(_verdict_line(q, "min-cut"))

    parts.append(r"\section{Channel scaling with depth}")
    parts.append(derive["channel-scaling"]["latex"])
    parts.append(_table("lrrrrl", ["case", "n_c", "exponent", "s.e.", "1/n_c", "consistent"],
                        [[q(f"convac.fits.{i}.case"), q(f"convac.fits.{i}.depth", "{}"), q(f"convac.fits.{i}.exponent"),
                          q(f"convac.fits.{i}.stderr"), q(f"convac.fits.{i}.paper_exponent"),
                          "yes" if f["consistent_with_paper"] else "no"]
                         for i, f in enumerate(results["convac"]["fits"])]))
    parts.append(r"A fit is consistent when $|\text{slope} - 1/n_c| \le 2\,\text{s.e.} + 0.05$ (the 0.05 allows for "
                 r"integer widths); the rule was fixed before the data." + "\n")
    parts.append(_figure("fig-channel-scaling", "Smallest deep width matching a shallow network's rank, against D0, "
                         "per depth; dotted lines: the paper's D0^(1/n_c)."))
    parts.append(_verdict_line(q, "channel-scaling"))

    parts.append(r"\section{Trained CNNs}")
    needed = results["training"]["channels_needed"]
    depth_keys = [key for key in needed[0] if key.startswith("n_c=")]
    parts.append("ReLU CNNs trained on every image; the smallest width reaching balanced accuracy "
                 f"{ACCURACY_GOAL} per depth:\n")
    parts.append(_table("ll" + "r" * len(depth_keys), ["lattice", "target", *depth_keys],
                        [[q(f"training.channels_needed.{i}.lattice"), q(f"training.channels_needed.{i}.target"),
                          *[q(f"training.channels_needed.{i}.{key}", "{}") for key in depth_keys]]
                         for i in range(len(needed))]))
    parts.append(_figure("fig-learnt-entanglement", "Largest entropy of the learnt function over cuts and squares "
                         "against depth (best-accuracy width per depth); dotted: the target's."))
    parts.append(_verdict_line(q, "trained-cnns"))
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def environment(seed: int, full: bool, timings: dict) -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {"python": sys.version, "platform": platform.platform(), "packages": versions, "seed": seed,
            "full": full, "timings_seconds": timings, "command": sys.argv}


def compile_pdf(folder: Path) -> Path:
    """Compile report.tex with pdflatex in a scratch folder; move report.pdf into ``folder`` atomically."""
    with tempfile.TemporaryDirectory() as scratch:
        for path in folder.iterdir():
            if path.name == "report.tex" or (path.name.startswith("fig-") and path.suffix == ".pdf"):
                shutil.copy(path, scratch)
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
                             cwd=scratch, capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            raise RuntimeError("pdflatex failed:\n" + "\n".join(run.stdout.splitlines()[-25:]))
        return write_atomically(folder / "report.pdf", (Path(scratch) / "report.pdf").read_bytes())


def reproduce(out_dir: str | Path, full: bool = False, seed: int = 0, pdf: bool = True,
              progress: Callable[[str], Callable] | None = None) -> dict:
    """Run every stage, write the figures, data, environment and report to ``out_dir``; returns results."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("report.tex", "report.pdf"):
        (folder / stale).unlink(missing_ok=True)
    progress = progress or (lambda description: None)
    timings, results = {}, {"seed": seed, "full": full}
    stages = [
        ("derive", lambda: {result.key: result.record(symbolic, numeric)
                            for result, symbolic, numeric in check_all(full, seed, progress)}),
        ("lattice", lambda: lattice_checks(full=full, seed=seed, progress=progress("lattices"))),
        ("convac", lambda: channel_sweep(full=full, seed=seed, cache=PointCache(folder / "cache" / "convac.jsonl"),
                                         progress=progress("ConvACs"))),
        ("training", lambda: train_sweep(full=full, seed=seed, cache=PointCache(folder / "cache" / "training.jsonl"),
                                         progress=progress("trainings"))),
    ]
    for name, stage in stages:
        start = time.perf_counter()
        results[name] = jsonable(stage())
        timings[name] = round(time.perf_counter() - start, 2)
    results["verdicts"] = verdicts(results)
    chain = next(r["lattice"] for r in results["lattice"]["rows"] if r["lattice"].endswith("x1"))
    drawn = figures.save(figures.volume_vs_subvolume(results["lattice"]["rows"], chain), folder, "fig-volume-vs-subvolume")
    sub_volume = results["derive"]["sub-volume"]["numeric"]
    drawn += figures.save(figures.bound_vs_exact(sub_volume["rows"], sub_volume["headers"]), folder, "fig-bound-vs-exact")
    drawn += figures.save(figures.rank_vs_mincut(results["convac"]["points"]), folder, "fig-rank-vs-mincut")
    drawn += figures.save(figures.channel_scaling(results["convac"]["matches"], "chain 12, half cut"), folder,
                          "fig-channel-scaling")
    drawn += figures.save(figures.learnt_entanglement(results["training"]["points"]), folder, "fig-learnt-entanglement")
    quoter = Quoter(results)
    tex = report_tex(results, quoter)
    results["quoted"] = quoter.quoted
    results["figures"] = drawn
    write_atomically(folder / "results.json", dumps(results))
    write_atomically(folder / "environment.json", dumps(environment(seed, full, timings)))
    write_atomically(folder / "report.tex", tex)
    if pdf and shutil.which("pdflatex"):
        compile_pdf(folder)
    return results
