"""The report's figures, drawn with matplotlib and saved as PDF and PNG (each file written atomically)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cnn_bounds.files import write_atomically  # noqa: E402


def save(figure, folder: Path, stem: str) -> list[str]:
    """Write ``stem``.pdf and ``stem``.png to ``folder``; returns the file names."""
    names = []
    for extension in ("pdf", "png"):
        buffer = io.BytesIO()
        metadata = {"CreationDate": None} if extension == "pdf" else {}  # reproducible bytes
        figure.savefig(buffer, format=extension, dpi=150, bbox_inches="tight", metadata=metadata)
        write_atomically(folder / f"{stem}.{extension}", buffer.getvalue())
        names.append(f"{stem}.{extension}")
    plt.close(figure)
    return names


def volume_vs_subvolume(rows: list[dict], lattice: str):
    """Entropy against region size on a chain: random functions, Page, volume law, local targets."""
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    mine = [r for r in rows if r["lattice"] == lattice]
    sizes = sorted({r["size"] for r in mine})
    first = {s: next(r for r in mine if r["size"] == s) for s in sizes}
    axes.plot(sizes, [first[s]["volume_law"] for s in sizes], "k--", label=r"volume law $\min(|A|,|B|)\,\ln 2$")
    axes.plot(sizes, [first[s]["page"] for s in sizes], "k:", label="Page (complex random)")
    for function in dict.fromkeys(r["function"] for r in mine):
        points = sorted((r["size"], r["entropy"], r["stderr"]) for r in mine if r["function"] == function)
        style = "o-" if function.startswith("random") else ".-"
        axes.errorbar([p[0] for p in points], [p[1] for p in points], yerr=[p[2] for p in points], fmt=style,
                      label=function, markersize=4, linewidth=1)
    axes.set_xlabel(r"$|A|$ (pixels on the left of the cut)")
    axes.set_ylabel(r"$S_A$ (nats)")
    axes.set_title(f"Volume law vs sub-volume law, chain {lattice}")
    axes.legend(fontsize=6, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    return figure


def bound_vs_exact(rows: list[tuple], headers: list[str]):
    """Exact S_A of local targets against their derived bound ln R (the diagonal is equality)."""
    entropy, bound = headers.index("S_A"), headers.index("ln bound")
    figure, axes = plt.subplots(figsize=(4.8, 4.4))
    x = np.array([row[bound] for row in rows])
    y = np.array([row[entropy] for row in rows])
    axes.scatter(x, y, s=6, alpha=0.5)
    top = float(max(x.max(), y.max())) * 1.05
    axes.plot([0, top], [0, top], "k--", linewidth=1, label=r"$S_A = \ln R$")
    axes.set_xlabel(r"derived bound $\ln R$ (nats)")
    axes.set_ylabel(r"exact $S_A$ (nats)")
    axes.set_title("Sub-volume bound against exact entropy")
    axes.legend(fontsize=7)
    return figure


def rank_vs_mincut(points: list[dict]):
    """Exact generic rank of ConvACs against their min-cut bound."""
    figure, axes = plt.subplots(figsize=(4.8, 4.4))
    for case in dict.fromkeys(p["case"] for p in points):
        mine = [p for p in points if p["case"] == case]
        axes.scatter([p["min_cut_rank"] for p in mine], [p["generic_rank"] for p in mine], s=12, label=case)
    top = max(p["min_cut_rank"] for p in points) * 1.3
    axes.plot([1, top], [1, top], "k--", linewidth=1, label="rank = bound")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("min-cut rank bound")
    axes.set_ylabel("exact generic rank")
    axes.set_title("ConvAC rank against min cut")
    axes.legend(fontsize=6)
    return figure


def channel_scaling(matches: list[dict], case: str):
    """Matched deep width D against shallow width D0 per depth, with the paper's D0^(1/n_c)."""
    figure, axes = plt.subplots(figsize=(5.6, 4.2))
    mine = [m for m in matches if m["case"] == case]
    for depth in sorted({m["depth"] for m in mine}):
        points = sorted((m["D0"], m["D"]) for m in mine if m["depth"] == depth)
        line, = axes.plot([p[0] for p in points], [p[1] for p in points], "o-", markersize=4, label=f"$n_c = {depth}$")
        grid = np.array([p[0] for p in points], dtype=float)
        axes.plot(grid, grid ** (1 / depth), ":", color=line.get_color(), linewidth=1)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(r"shallow width $D_0$")
    axes.set_ylabel(r"smallest deep width $D$ matching its rank")
    axes.set_title(f"Channel scaling ({case}); dotted: " + r"$D_0^{1/n_c}$")
    axes.legend(fontsize=7)
    return figure


def learnt_entanglement(points: list[dict]):
    """Largest entropy of the learnt function against depth, per target, at the best-accuracy width."""
    figure, axes = plt.subplots(figsize=(5.6, 4.2))
    for target in dict.fromkeys(p["target"] for p in points):
        depths = sorted({p["depth"] for p in points if p["target"] == target})
        best = [max((p for p in points if p["target"] == target and p["depth"] == d), key=lambda p: p["accuracy"])
                for d in depths]
        learnt = [max(r["learnt_entropy"] or 0.0 for r in p["regions"]) for p in best]
        line, = axes.plot(depths, learnt, "o-", label=f"{target} (learnt)")
        aimed = max(r["target_entropy"] or 0.0 for r in best[0]["regions"])
        axes.axhline(aimed, color=line.get_color(), linestyle=":", linewidth=1)
    axes.set_xlabel(r"depth $n_c$")
    axes.set_ylabel(r"largest $S_A$ over cuts and squares (nats)")
    axes.set_title("Entanglement of learnt functions (dotted: target)")
    axes.legend(fontsize=6)
    return figure
