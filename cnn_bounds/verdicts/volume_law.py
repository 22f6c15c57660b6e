"""Claim: random functions obey a volume law, with Page's mean entropy.

Measured by the derivation (:mod:`proofs.volume_law`: Page's closed form proved, complex and real Gaussian
means sampled on distinct m x n splits) and drawn beside the local targets from the lattice sweep
(:mod:`cnn_bounds.verdicts.subvolume`). Decided: "holds" when the derivation's symbolic and numeric checks
pass; "with the stated precise assumptions" when real random functions average below Page's complex mean
(more than 4 standard errors on some split), since Page's formula is for the complex ensemble.
"""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.figure import Figure

from cnn_bounds.verdicts.base import Quoter, decide, figure, table, verdict_line

KEY = "volume-law"
MARKERS = "osD^v<>phP*Xd"
"""One marker per series of the volume-law figure (with one colour each, no two series look alike)."""
TITLE = "Random functions: the volume law"


def verdict(results: dict) -> dict:
    """The volume-law verdict from the derivation's record (results["derive"]["volume-law"])."""
    record = results["derive"]["volume-law"]
    passed = record["symbolic"]["passed"] and record["numeric"]["passed"]
    page_rows = record["numeric"]["rows"]  # lattice, |A|, Page, complex mean, s.e., real mean, s.e., ceiling
    real_agrees = all(abs(row[5] - row[2]) < 4 * row[6] for row in page_rows)
    return decide(
        "Random functions obey a volume law (Page's mean entropy)",
        passed,
        f"Page's mean matches complex random functions within 4 s.e. on {sum(record['numeric']['row_passed'])} "
        f"of {len(page_rows)} $m \\times n$ splits"
        + (
            ""
            if real_agrees
            else "; real random functions average below it "
            "(precise version: Page's formula is for the complex ensemble)"
        ),
        len(page_rows),
        len(page_rows),
        precise=not real_agrees,
    )


def section(results: dict, q: Quoter) -> str:
    """The report's section: the derivation, the table of means against Page, the figure, the verdict."""
    derive = results["derive"]
    parts = [rf"\section{{{TITLE}}}"]
    parts.append(derive["volume-law"]["latex"])
    parts.append(
        table(
            "lrrrrrr",
            ["lattice", r"$\lvert A \rvert$", "Page", "complex mean", "s.e.", "real mean", "s.e."],
            [
                [q(f"derive.volume-law.numeric.rows.{i}.{j}", "{:.4f}" if j > 1 else "{}") for j in range(7)]
                for i in range(len(derive["volume-law"]["numeric"]["rows"]))
            ],
        )
    )
    parts.append(
        figure(
            "fig-volume-vs-subvolume",
            "Entropy against region size on a chain: random functions "
            "of density 1/2 (means over samples, error bars one s.e.) follow the volume law and Page's curve; "
            "the targets' densities differ, so compare each with its density-matched control (Table below).",
        )
    )
    parts.append(verdict_line(q, "volume-law"))

    return "\n".join(parts) + "\n"


def figures(results: dict) -> dict[str, Figure]:
    """fig-volume-vs-subvolume: the chain of the lattice sweep."""
    chain = next(r["lattice"] for r in results["lattice"]["rows"] if r["lattice"].endswith("x1"))
    return {"fig-volume-vs-subvolume": volume_vs_subvolume(results["lattice"]["rows"], chain)}


def volume_vs_subvolume(rows: list[dict], lattice: str):
    """Entropy against region size on a chain: random functions, Page, volume law, local targets."""
    fig = Figure(figsize=(6.4, 4.2))
    axes = fig.subplots()
    mine = [r for r in rows if r["lattice"] == lattice]
    sizes = sorted({r["size"] for r in mine})
    first = {s: next(r for r in mine if r["size"] == s) for s in sizes}
    axes.plot(sizes, [first[s]["volume_law"] for s in sizes], "k--", label=r"volume law $\min(|A|,|B|)\,\ln 2$")
    axes.plot(sizes, [first[s]["page"] for s in sizes], "k:", label="Page (complex random)")
    functions = list(dict.fromkeys(r["function"] for r in mine))
    colours = colormaps["tab20"].colors  # 20 distinct colours, each series also its own marker
    for index, function in enumerate(functions):
        points = sorted((r["size"], r["entropy"], r["stderr"]) for r in mine if r["function"] == function)
        axes.errorbar(
            [p[0] for p in points],
            [p[1] for p in points],
            yerr=[p[2] for p in points],
            color=colours[(2 * index) % 20 + (2 * index) // 20],
            marker=MARKERS[index % len(MARKERS)],
            linestyle="--" if function.startswith("random") else "-",
            label=function,
            markersize=4,
            linewidth=1,
        )
    axes.set_xlabel(r"$|A|$ (pixels on the left of the cut)")
    axes.set_ylabel(r"$S_A$ (nats)")
    axes.set_title(f"Volume law vs sub-volume law, chain {lattice}")
    axes.legend(fontsize=6, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    return fig


__all__ = ["KEY", "TITLE", "figures", "section", "verdict", "volume_vs_subvolume"]
