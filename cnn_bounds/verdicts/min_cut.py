"""How often a ConvAC's generic rank attains its min-cut bound, and where it does not.

A survey over architectures on small lattices (every image enumerated, ranks exact over GF(p)): binary
3x3 and 4x4, and chains whose pixels take 4, 6 or 8 levels (so cuts through pixels are dear); depth 1 to
3, widths 1 to 4, overlapping (stride 1) or tree (stride k) windows of k = 2, global or local read-out,
unshared weights; every straight cut and the bottom row. Each point records whether its windows overlap,
so that its tensor network reads pixels (and, from depth 2, whole sub-networks) more than once through
COPY tensors, and the summary says whether every point below its bound does.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from cnn_bounds.networks.convac import ConvAC, ConvACSpec, evaluate_on_all_images
from cnn_bounds.networks.mincut import min_cut, tensor_network
from cnn_bounds.verdicts.base import Quoter, decide, figure, table, verdict_line
from numeric import InvalidInputError, Lattice, max_schmidt_rank, straight_cuts
from numeric.precise import prime_for_sums, schmidt_rank_mod_p

SURVEY_LATTICES = (Lattice(3, 3), Lattice(6, 1, 4), Lattice(5, 1, 6), Lattice(4, 1, 8))


def survey_networks(full: bool = False) -> list[ConvACSpec]:
    """Every architecture of the survey that fits its lattice (4x4 is added with ``full``)."""
    lattices = SURVEY_LATTICES + ((Lattice(4, 4),) if full else ())
    specs = []
    for lattice in lattices:
        for depth in (1, 2, 3):
            for channels in (1, 2, 3, 4):
                for overlapping in (True, False):
                    for readout in ("global", "local"):
                        try:
                            specs.append(ConvACSpec(lattice, channels, depth, 2, overlapping, False, readout))
                        except InvalidInputError:
                            continue
    return specs


def survey_regions(lattice: Lattice) -> dict:
    regions = straight_cuts(lattice)
    if lattice.height > 1:
        regions["bottom row"] = tuple(range(lattice.n_pixels - lattice.width, lattice.n_pixels))
    return regions


def min_cut_survey(full: bool = False, seed: int = 0, progress: Callable | None = None) -> dict:
    """Exact generic rank against the min cut on every (network, region) of the survey."""
    specs = survey_networks(full)
    points = []
    for spec in progress(specs) if progress else specs:
        lattice = spec.lattice
        prime = prime_for_sums(max(spec.channels, lattice.levels))
        values = evaluate_on_all_images(ConvAC(spec, seed, modulus=prime), lattice)
        network = tensor_network(spec)
        for label, region in survey_regions(lattice).items():
            cut = min_cut(spec, region, network)
            ceiling = max_schmidt_rank(len(region), lattice.n_pixels, lattice.levels)
            points.append(
                {
                    "network": spec.describe(),
                    "lattice": str(lattice),
                    "region": label,
                    "overlapping": spec.overlapping,
                    "depth": spec.depth,
                    "generic_rank": schmidt_rank_mod_p(values, region, levels=lattice.levels, prime=prime),
                    "min_cut_rank": cut.rank_bound,
                    "ceiling": ceiling,
                    "non_vacuous": cut.rank_bound < ceiling,
                }
            )
    classes = []
    for overlapping in (False, True):
        for depth in (1, 2, 3):
            mine = [p for p in points if p["overlapping"] == overlapping and p["depth"] == depth]
            useful = [p for p in mine if p["non_vacuous"]]
            classes.append(
                {
                    "windows": "overlapping" if overlapping else "tree",
                    "depth": depth,
                    "points": len(mine),
                    "at_min_cut": sum(p["generic_rank"] == p["min_cut_rank"] for p in mine),
                    "non_vacuous": len(useful),
                    "non_vacuous_at_min_cut": sum(p["generic_rank"] == p["min_cut_rank"] for p in useful),
                }
            )
    below = [p for p in points if p["generic_rank"] < p["min_cut_rank"]]
    return {
        "points": points,
        "by_class": classes,
        "below_min_cut": len(below),
        "below_min_cut_all_overlapping": all(p["overlapping"] for p in below),
        "seed": seed,
        "full": full,
    }


KEY = "min-cut"
TITLE = "CNNs as tensor networks: the min-cut bound"


def verdict(results: dict) -> dict:
    """Holds when the exact generic rank is within the min-cut bound at every measured (network, cut) point:
    this survey's and both channel-scaling sweeps' (:mod:`cnn_bounds.verdicts.channel_scaling`)."""
    points = results["convac"]["points"] + results["wall"]["points"] + results["tightness"]["points"]
    within_cut = sum(p["generic_rank"] <= p["min_cut_rank"] for p in points)
    at_cut = sum(p["generic_rank"] == p["min_cut_rank"] for p in points)
    survey = results["tightness"]
    return decide(
        "A CNN (ConvAC) carries at most its min-cut entanglement",
        within_cut == len(points),
        f"exact generic rank $\\le$ min-cut bound at {within_cut} of {len(points)} (network, cut) points; the bound is "
        f"attained at {at_cut}; in the survey of architectures, below it at {survey['below_min_cut']} points, "
        + ("all" if survey["below_min_cut_all_overlapping"] else "not all")
        + " with overlapping windows",
        len(points),
        sum(p["non_vacuous"] for p in points),
    )


def section(results: dict, q: Quoter) -> str:
    """The report's section: where the bound is attained (survey by window class), both sweeps, the figure."""
    parts = [rf"\section{{{TITLE}}}"]
    parts.append(
        "Convolutional arithmetic circuits (linear convolutions, product pooling) are exactly tensor networks "
        "whose nodes are COPY tensors; the bound is their minimal cut (networkx max-flow), the measured rank "
        "is exact over GF(p) with random integer weights.\n"
    )
    parts.append(
        "The bound is not always attained. Where windows overlap (stride 1) the exact tensor network reads "
        "pixels, and from two layers on whole sub-networks, more than once through COPY tensors; the function "
        "then lies in a smaller subspace than its min cut allows. A survey of architectures (every straight "
        r"cut and the bottom row; non-vacuous: min cut below the ceiling $d^{\min(|A|,|B|)}$):" + "\n"
    )
    survey = results["tightness"]["by_class"]
    parts.append(
        table(
            "lrrrrr",
            ["windows", "$n_c$", "points", "at min cut", "non-vacuous", "of which at min cut"],
            [
                [
                    q(f"tightness.by_class.{i}.windows"),
                    q(f"tightness.by_class.{i}.depth", "{}"),
                    q(f"tightness.by_class.{i}.points", "{}"),
                    q(f"tightness.by_class.{i}.at_min_cut", "{}"),
                    q(f"tightness.by_class.{i}.non_vacuous", "{}"),
                    q(f"tightness.by_class.{i}.non_vacuous_at_min_cut", "{}"),
                ]
                for i, row in enumerate(survey)
                if row["points"]
            ],
        )
    )
    parts.append(
        "Binary-pixel sweep: generic rank equals the min-cut bound at "
        rf"{q('convac.generic_rank_equals_min_cut.equal', '{}')} of "
        rf"{q('convac.generic_rank_equals_min_cut.points', '{}')} networks, whose cheapest cut runs through "
        rf"pixels (is cheaper than every wall) at {q('convac.pixel_limited.min_cut_needs_pixels', '{}')}; "
        rf"wall-regime sweep (pixels with many features): at {q('wall.at_min_cut', '{}')} of "
        rf"{q('wall.points_measured', '{}')}, below it at "
        + "; ".join(
            rf"$n_c = {q(f'wall.below_min_cut.{i}.depth', '{}')}$, "
            rf"$D = {q(f'wall.below_min_cut.{i}.channels', '{}')}$, $M = {q(f'wall.below_min_cut.{i}.levels', '{}')}$ "
            rf"(rank {q(f'wall.below_min_cut.{i}.generic_rank', '{}')} against "
            rf"{q(f'wall.below_min_cut.{i}.min_cut_rank', '{}')})"
            for i in range(len(results["wall"]["below_min_cut"]))
        )
        + ".\n"
    )
    parts.append(
        figure(
            "fig-rank-vs-mincut",
            "Exact generic rank of deep and shallow ConvACs against their min-cut bound: "
            "points below the diagonal are networks whose bound is not attained.",
        )
    )
    parts.append(verdict_line(q, "min-cut"))

    return "\n".join(parts) + "\n"


def figures(results: dict) -> dict[str, Figure]:
    """fig-rank-vs-mincut: every network of both channel-scaling sweeps and of the survey."""
    survey = [
        {**p, "case": "survey, " + ("overlapping" if p["overlapping"] else "tree")}
        for p in results["tightness"]["points"]
    ]
    return {"fig-rank-vs-mincut": rank_vs_mincut(results["convac"]["points"] + results["wall"]["points"] + survey)}


def rank_vs_mincut(points: list[dict]):
    """Exact generic rank of ConvACs against their min-cut bound."""
    fig = Figure(figsize=(4.8, 4.4))
    axes = fig.subplots()
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
    return fig
