"""Channel scaling, measured: how many channels a deep ConvAC needs to match a shallow one.

The verdict reads D = D0^(1/n_c) as a scaling law: the matched-width exponent c_1 / c_{n_c} of the capacity
exponents (cnn_bounds.verdicts.capacity_exponents) against 1/n_c, per family, region and depth. Two sweeps
of matched integer widths stay as detail: :func:`wall_sweep` tests D = D0^(1/n_c) where the paper's argument
applies (next paragraph); :func:`channel_sweep` is the binary-pixel finding, where it does not.

Where the argument applies (:func:`wall_sweep`): pixels enter through M features (a chain with d = M
levels, M = 12 or 6: its values on all images are the coefficient tensor of a ConvAC on M features) and
both networks end in the local read-out, so nothing but the network's own bonds limits a cut: the
shallow network (n_c = 1, D0 channels) is a product of rank-D0 window functions, with capacity ln D0
across the half cut (one straddling window) for D0 < M; the deep one has n_c layers of D channels. Across
the half cut of a chain, only the 2 n_c pixels next to the cut carry the rank of a local read-out network
(the other factors are functions of one side only and, generically, nowhere zero), so each depth is
measured on a chain of 2 n_c pixels. Every point records its exact generic rank, its min cut, its
cheapest wall and its pixel floor (the cheapest cut through pixels alone); a point is *wall-limited*
when its rank is below both the pixel floor and the ceiling M^n_c. For each D0 and depth: the measured
matched width (smallest D whose rank reaches the shallow rank), the width the min cut predicts, and the
paper's smallest integer D with D^n_c >= D0, compared at every wall-limited point.

The binary-pixel finding (:func:`channel_sweep`): for each lattice and region: the exact generic rank (random
integer weights modulo a large prime; see numeric.precise) of deep overlapping ConvACs for every depth n_c and width
D, and of the shallow network for every width D0, beside each network's min-cut bound; the largest von Neumann
entropy over a few Gaussian-weight draws (float64, sampled). Networks are locally connected (unshared weights), the
setting in which a tensor network's rank is generic: with shared weights the shallow network is a symmetric tensor
whose rank stops at the symmetric subspace's dimension (9 for 8 binary pixels) whatever D0 is. For each D0 whose
shallow rank equals D0 and is below the lattice's ceiling d^min(|A|,|B|) (other points are excluded and listed with
the reason), the smallest D that matches its rank at each depth; then a least-squares fit of ln D against ln D0 per
depth, whose slope is compared with the paper's 1/n_c: "consistent" when |slope - 1/n_c| <= 2 s.e. + 0.05 (the 0.05
allows for D being an integer), fixed before any data was seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy
from matplotlib.figure import Figure
from scipy.stats import linregress

from cnn_bounds.networks.convac import ConvAC, ConvACSpec, evaluate_on_all_images
from cnn_bounds.networks.mincut import min_cut, tensor_network
from cnn_bounds.verdicts import trained_widths
from cnn_bounds.verdicts.base import Quoter, decide, figure, table, verdict_line
from cnn_bounds.verdicts.points import Points
from numeric import Lattice, column_cut, entanglement_profile, max_schmidt_rank, rectangle
from numeric.lattice import Region
from numeric.precise import prime_for_sums, schmidt_rank_mod_p
from proofs.channel_scaling import overlapping_chain_walls, smallest_integer_root

ENTROPY_DRAWS = 2
TOLERANCE_FOR_INTEGER_D = 0.05


@dataclass(frozen=True)
class SweepCase:
    """One lattice and region, the depths and widths to measure there."""

    label: str
    lattice: Lattice
    region: Region
    depths: tuple[int, ...]
    channels: tuple[int, ...]
    shallow_channels: tuple[int, ...]


def default_cases(full: bool = False) -> list[SweepCase]:
    """Quick: a 12-pixel chain (half cut) and 4x4 (half cut, central 2x2 square); full adds chains of 16
    and 20 pixels, a 3-level chain of 8 and 5x4 (about 20 minutes on 2 cores)."""
    chain, square = Lattice(12, 1), Lattice(4, 4)
    widths = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
    cases = [
        SweepCase("chain 12, half cut", chain, column_cut(chain, 6), (1, 2, 3, 4, 5), tuple(range(1, 9)), widths[:12]),
        SweepCase("4x4, half cut", square, column_cut(square, 2), (1, 2, 3), tuple(range(1, 9)), widths[:12]),
        SweepCase("4x4, central 2x2", square, rectangle(square, 1, 1, 2, 2), (1, 2, 3), tuple(range(1, 7)), widths[:8]),
    ]
    if full:
        chain16, chain20, ternary, wide = Lattice(16, 1), Lattice(20, 1), Lattice(8, 1, 3), Lattice(5, 4)
        cases += [
            SweepCase(
                "chain 16, half cut", chain16, column_cut(chain16, 8), (1, 2, 3, 4, 5, 6), tuple(range(1, 11)), widths
            ),
            SweepCase(
                "chain 20, half cut", chain20, column_cut(chain20, 10), (1, 2, 3, 4, 5, 6), tuple(range(1, 9)), widths
            ),
            SweepCase(
                "3-level chain 8, half cut",
                ternary,
                column_cut(ternary, 4),
                (1, 2, 3, 4),
                tuple(range(1, 10)),
                widths[:11],
            ),
            SweepCase("5x4, two columns", wide, column_cut(wide, 2), (1, 2, 3), tuple(range(1, 9)), widths),
        ]
    return cases


def measure(lattice: Lattice, region: Region, depth: int, channels: int, seed: int) -> dict:
    """Min-cut bound, exact generic rank and largest sampled entropy of one overlapping, locally
    connected ConvAC (k = 2)."""
    spec = ConvACSpec(lattice, channels, depth, kernel=2, overlapping=True, shared=False)
    prime = prime_for_sums(channels)
    exact = evaluate_on_all_images(ConvAC(spec, seed, modulus=prime), lattice)
    entropies = [
        entanglement_profile(
            evaluate_on_all_images(ConvAC(spec, seed + draw), lattice), region, levels=lattice.levels
        ).entropy
        for draw in range(ENTROPY_DRAWS)
    ]
    network = tensor_network(spec)
    return {
        "min_cut_rank": min_cut(spec, region, network).rank_bound,
        "wall_nats": min_cut(spec, region, network, cuttable="wall").nats,
        "generic_rank": schmidt_rank_mod_p(exact, region, levels=lattice.levels, prime=prime),
        "prime": prime,
        "max_entropy": max(entropies),
        "parameters": spec.parameter_count,
    }


def fit_exponent(shallow_widths: list[int], matched_widths: list[int]) -> dict:
    """Least-squares slope of ln D against ln D0, with its standard error (None with fewer than 3 points;
    0 when every D is the same)."""
    if len(set(shallow_widths)) < 3:
        return {"exponent": None, "stderr": None, "points": len(shallow_widths)}
    if len(set(matched_widths)) == 1:
        return {"exponent": 0.0, "stderr": 0.0, "points": len(shallow_widths)}
    fit = linregress(np.log(shallow_widths), np.log(matched_widths))
    return {"exponent": float(fit.slope), "stderr": float(fit.stderr), "points": len(shallow_widths)}


def _match(case: SweepCase, points: dict, depth: int, shallow_rank: int) -> int | None:
    return next((width for width in case.channels if points[(depth, width)]["generic_rank"] >= shallow_rank), None)


def channel_sweep(
    full: bool = False, seed: int = 0, cache: Points | None = None, progress: Callable | None = None
) -> dict:
    """Run the sweep (see the module docstring); returns points, matches, fits and exclusions."""
    cache = cache or Points()
    cases = default_cases(full)
    jobs = [
        (case, depth, width)
        for case in cases
        for depth in (0, *case.depths)
        for width in (case.shallow_channels if depth == 0 else case.channels)
    ]
    measured = {}
    for case, depth, width in progress(jobs) if progress else jobs:
        parameters = {"sweep": "convac", "case": case.label, "depth": depth, "channels": width, "seed": seed}
        measured[(case.label, depth, width)] = cache.get_or_measure(
            parameters, lambda: measure(case.lattice, case.region, depth, width, seed)
        )
    matches, fits, excluded = [], [], []
    for case in cases:
        points = {
            (d, w): measured[(case.label, d, w)]
            for d in (0, *case.depths)
            for w in (case.shallow_channels if d == 0 else case.channels)
        }
        ceiling = max_schmidt_rank(len(case.region), case.lattice.n_pixels, case.lattice.levels)
        for depth in case.depths:
            pairs = []
            for shallow_width in case.shallow_channels:
                shallow_rank = points[(0, shallow_width)]["generic_rank"]
                if shallow_rank >= ceiling or shallow_rank < shallow_width:
                    reason = "saturated at the lattice ceiling" if shallow_rank >= ceiling else "shallow rank below D0"
                    excluded.append({"case": case.label, "depth": depth, "D0": shallow_width, "reason": reason})
                    continue
                width = _match(case, points, depth, shallow_rank)
                if width is None:
                    excluded.append(
                        {
                            "case": case.label,
                            "depth": depth,
                            "D0": shallow_width,
                            "reason": f"no D <= {max(case.channels)} matches",
                        }
                    )
                    continue
                pairs.append((shallow_width, width))
                matches.append(
                    {
                        "case": case.label,
                        "depth": depth,
                        "D0": shallow_width,
                        "shallow_rank": shallow_rank,
                        "D": width,
                        "deep_parameters": points[(depth, width)]["parameters"],
                        "shallow_parameters": points[(0, shallow_width)]["parameters"],
                    }
                )
            fit = fit_exponent([p[0] for p in pairs], [p[1] for p in pairs])
            paper = 1.0 / depth
            consistent = (
                fit["exponent"] is not None
                and abs(fit["exponent"] - paper) <= 2 * fit["stderr"] + TOLERANCE_FOR_INTEGER_D
            )
            fits.append(
                {
                    "case": case.label,
                    "depth": depth,
                    **fit,
                    "paper_exponent": paper,
                    "consistent_with_paper": bool(consistent),
                }
            )
    ceilings = {
        case.label: max_schmidt_rank(len(case.region), case.lattice.n_pixels, case.lattice.levels) for case in cases
    }
    rows = [
        {
            "case": label,
            "depth": depth,
            "channels": width,
            **point,
            "ceiling": ceilings[label],
            "non_vacuous": point["min_cut_rank"] < ceilings[label],
        }
        for (label, depth, width), point in measured.items()
    ]
    at_bound = sum(row["generic_rank"] == row["min_cut_rank"] for row in rows)
    through_pixels = sum(row["wall_nats"] > math.log(row["min_cut_rank"]) + 1e-9 for row in rows)
    return {
        "points": rows,
        "matches": matches,
        "fits": fits,
        "excluded": excluded,
        "generic_rank_equals_min_cut": {"equal": at_bound, "points": len(rows)},
        "pixel_limited": {"points": len(rows), "min_cut_needs_pixels": through_pixels},
        "seed": seed,
        "full": full,
    }


@dataclass(frozen=True)
class WallCase:
    """Chains whose pixels carry ``levels`` = M features: shallow widths D0, deep depths and widths."""

    label: str
    levels: int
    depths: tuple[int, ...]
    channels: tuple[int, ...]
    shallow_channels: tuple[int, ...]

    def widths(self, depth: int) -> tuple[int, ...]:
        """Widths measured at ``depth``: all shallow widths at n_c = 1; for deeper networks, those whose
        paper capacity D^n_c is at most 4 max(D0) (wider ones cannot be the smallest match)."""
        if depth == 1:
            return self.shallow_channels
        return tuple(w for w in self.channels if w**depth <= 4 * max(self.shallow_channels))


def wall_cases(full: bool = False) -> list[WallCase]:
    """Quick: M = 12, D0 = 2..11 (below M: no pixel floor), n_c = 2, 3. Full adds M = 6 at n_c = 2, 3, 4
    (a depth-4 network needs 8 pixels, M^8 images: 6^8 is the largest that can be enumerated here)."""
    cases = [WallCase("M = 12 features", 12, (2, 3), (1, 2, 3, 4, 5, 6), tuple(range(2, 12)))]
    if full:
        cases.append(WallCase("M = 6 features", 6, (2, 3, 4), (1, 2, 3, 4), tuple(range(2, 6))))
    return cases


def measure_wall(levels: int, depth: int, channels: int, seed: int) -> dict:
    """Exact generic rank (mod p) of a local read-out, overlapping, unshared ConvAC (k = 2) across the half
    cut of a chain of 2 n_c pixels with ``levels`` features, beside its min cut, cheapest wall and pixel floor."""
    lattice = Lattice(2 * depth, 1, levels)
    region = tuple(range(depth))
    spec = ConvACSpec(lattice, channels, depth, kernel=2, overlapping=True, shared=False, readout="local")
    prime = prime_for_sums(max(channels, levels))
    exact = evaluate_on_all_images(ConvAC(spec, seed, modulus=prime), lattice)
    network = tensor_network(spec)
    cuts = {kind: min_cut(spec, region, network, cuttable=kind) for kind in ("all", "wall", "pixels")}
    rank = schmidt_rank_mod_p(exact, region, levels=levels, prime=prime)
    ceiling = max_schmidt_rank(len(region), lattice.n_pixels, levels)
    return {
        "generic_rank": rank,
        "prime": prime,
        "min_cut_rank": cuts["all"].rank_bound,
        "wall_rank": cuts["wall"].rank_bound,
        "pixel_floor_rank": cuts["pixels"].rank_bound,
        "ceiling": ceiling,
        "wall_limited": bool(rank < min(cuts["pixels"].rank_bound, ceiling)),
        "parameters": spec.parameter_count,
    }


def wall_sweep(
    full: bool = False, seed: int = 0, cache: Points | None = None, progress: Callable | None = None
) -> dict:
    """Run the wall-regime sweep (see the module docstring): points, matches, fits and exclusions."""
    cache = cache or Points()
    cases = wall_cases(full)
    jobs = [(case, depth, width) for case in cases for depth in (1, *case.depths) for width in case.widths(depth)]
    measured = {}
    for case, depth, width in progress(jobs) if progress else jobs:
        parameters = {"sweep": "wall", "levels": case.levels, "depth": depth, "channels": width, "seed": seed}
        measured[(case.label, depth, width)] = cache.get_or_measure(
            parameters, lambda: measure_wall(case.levels, depth, width, seed)
        )
    matches, fits, excluded = [], [], []
    for case in cases:
        shallow = {width: measured[(case.label, 1, width)] for width in case.shallow_channels}
        for depth in (1, *case.depths):
            pairs = []
            for shallow_width, point in shallow.items():
                where = {"case": case.label, "depth": depth, "D0": shallow_width}
                if not point["wall_limited"] or point["generic_rank"] < shallow_width:
                    excluded.append(
                        {
                            **where,
                            "reason": "shallow network not wall-limited"
                            if not point["wall_limited"]
                            else "shallow rank below D0",
                        }
                    )
                    continue
                target = point["generic_rank"]
                widths = case.widths(depth)
                deep = {w: measured[(case.label, depth, w)] for w in widths}
                width = next((w for w in widths if deep[w]["generic_rank"] >= target), None)
                if width is None or not deep[width]["wall_limited"]:
                    excluded.append(
                        {
                            **where,
                            "reason": f"no D <= {max(widths)} matches"
                            if width is None
                            else f"deep network at D = {width} not wall-limited",
                        }
                    )
                    continue
                predicted = next((w for w in widths if deep[w]["min_cut_rank"] >= target), None)
                paper = smallest_integer_root(shallow_width, depth)
                pairs.append((shallow_width, width))
                matches.append(
                    {
                        **where,
                        "shallow_rank": target,
                        "D": width,
                        "min_cut_D": predicted,
                        "paper_D": paper,
                        "paper_real_D": shallow_width ** (1 / depth),
                        "agrees_with_paper": width == paper,
                        "agrees_with_min_cut": width == predicted,
                        "deep_rank": deep[width]["generic_rank"],
                        "deep_min_cut_rank": deep[width]["min_cut_rank"],
                        "deep_parameters": deep[width]["parameters"],
                        "shallow_parameters": point["parameters"],
                    }
                )
            fit = fit_exponent([p[0] for p in pairs], [p[1] for p in pairs])
            paper_fit = fit_exponent([p[0] for p in pairs], [smallest_integer_root(p[0], depth) for p in pairs])
            fits.append(
                {
                    "case": case.label,
                    "depth": depth,
                    **fit,
                    "paper_exponent": 1.0 / depth,
                    "paper_integer_exponent": paper_fit["exponent"],
                }
            )
    rows = [
        {
            "case": label,
            "depth": depth,
            "channels": width,
            **point,
            "non_vacuous": point["min_cut_rank"] < point["ceiling"],
        }
        for (label, depth, width), point in measured.items()
    ]
    compared = [m for m in matches if m["depth"] >= 2]
    levels = {case.label: case.levels for case in cases}
    below = [
        {
            "levels": levels[label],
            "depth": depth,
            "channels": width,
            "generic_rank": point["generic_rank"],
            "min_cut_rank": point["min_cut_rank"],
        }
        for (label, depth, width), point in measured.items()
        if point["generic_rank"] < point["min_cut_rank"]
    ]
    return {
        "points": rows,
        "matches": matches,
        "fits": fits,
        "excluded": excluded,
        "seed": seed,
        "full": full,
        "points_measured": len(rows),
        "at_min_cut": len(rows) - len(below),
        "below_min_cut": below,
        "comparisons": len(compared),
        "agree_with_paper": sum(m["agrees_with_paper"] for m in compared),
        "agree_with_min_cut": sum(m["agrees_with_min_cut"] for m in compared),
    }


KEY = "channel-scaling"
TITLE = "Channel scaling with depth"


MATCHED_TOLERANCE = 0.1
"""A matched-width exponent agrees with 1/n_c when within a tenth of it at every measured width: the ranks are
exact (up to the sketch's stated failure bound), so the spread over D is the only spread this allows for."""


def capacity_comparisons(capacity: dict) -> list[dict]:
    """The capacity sweep's fits with depth >= 2 and a matched-width exponent, each with its lowest and
    highest exponent and "agrees": every c_1 / c_{n_c} within MATCHED_TOLERANCE of 1/n_c."""
    compared = []
    for fit in capacity["fits"]:
        exponents = [e for e in fit.get("matched_exponent", []) if e is not None]
        if fit["depth"] < 2 or not exponents:
            continue
        paper = fit["paper_exponent"]
        agrees = all(abs(e - paper) <= MATCHED_TOLERANCE * paper for e in exponents)
        compared.append({**fit, "low": min(exponents), "high": max(exponents), "agrees": agrees})
    return compared


def verdict(results: dict) -> dict:
    """Reads D ~ D0^(1/n_c) as a scaling law: holds when the measured matched-width exponent c_1 / c_{n_c}
    agrees with 1/n_c (MATCHED_TOLERANCE) for every family, region and depth n_c >= 2 the capacity sweep
    resolves."""
    compared = capacity_comparisons(results["capacity"])
    misses = [c for c in compared if not c["agrees"]]
    exponents = sum(e is not None for c in compared for e in c["matched_exponent"])  # each could have failed
    examples = "; ".join(
        f"{c['family']}, {c['region']}, $n_c = {c['depth']}$: {c['low']:.3f} to {c['high']:.3f} "
        f"against {c['paper_exponent']:.3f}"
        for c in misses[:3]
    )
    law = results["capacity"]["law"]
    return decide(
        r"Equal capacity needs $D = D_0^{1/n_c}$ channels at depth $n_c$: the matched-width exponent is $1/n_c$",
        not misses,
        rf"the matched-width exponent $c_1/c_{{n_c}}$ agrees with $1/n_c$ to within a tenth of it for "
        rf"{len(compared) - len(misses)} of {len(compared)} (family, region, "
        f"depth) cases ({exponents} exponents, one per width)"
        + (f"; it does not for {examples}" if misses else "")
        + "; the measured law "
        rf"$\prod_i C(D + J_i - 1, J_i)$ equals {law['equal']} of {law['points']} resolved ranks of the "
        "overlapping $k = 2$ chains",
        exponents,
        exponents,
    )


def section(results: dict, q: Quoter) -> str:
    """The report's section: the derivation, the wall sweep's matched widths and fits, the figure, the verdict,
    and the binary-pixel sweep where the argument does not apply."""
    derive = results["derive"]
    parts = [rf"\section{{{TITLE}}}"]
    parts.append(derive["channel-scaling"]["latex"])
    parts.append(capacity_section(results, q))
    parts.append(r"\subsection{Matched integer widths where the wall is the bottleneck (detail)}")
    parts.append(
        r"Pixels enter through $M$ features (a chain whose pixels take $M$ levels: the coefficient tensor of a "
        r"ConvAC on $M$ features), and both networks read each final position out to one number before a global "
        r"product pool, so the shallow network (one layer of $D_0$ channels) has capacity $\ln D_0$ across the "
        r"half cut for $D_0 < M$, the wall geometry the derivation assumes. Ranks are exact over GF($p$). A "
        r"point is wall-limited when its rank is below its pixel floor (the cheapest cut through pixels alone) "
        r"and below the ceiling $M^{n_c}$; only wall-limited points are compared and fitted. Per point: the "
        r"measured matched width, the width the network's own min cut predicts, and the paper's smallest "
        r"integer $D$ with $D^{n_c} \ge D_0$." + "\n"
    )
    wall = results["wall"]
    parts.append(
        table(
            "lrrrrrr",
            ["case", "$n_c$", "$D_0$", "measured $D$", "min-cut $D$", "paper $D$", "$D_0^{1/n_c}$"],
            [
                [
                    q(f"wall.matches.{i}.case"),
                    q(f"wall.matches.{i}.depth", "{}"),
                    q(f"wall.matches.{i}.D0", "{}"),
                    q(f"wall.matches.{i}.D", "{}"),
                    q(f"wall.matches.{i}.min_cut_D", "{}"),
                    q(f"wall.matches.{i}.paper_D", "{}"),
                    q(f"wall.matches.{i}.paper_real_D", "{:.2f}"),
                ]
                for i, m in enumerate(wall["matches"])
                if m["depth"] >= 2
            ],
        )
    )
    parts.append(
        table(
            "lrrrrr",
            ["case", "$n_c$", "points", "fitted exponent", "s.e.", "$1/n_c$"],
            [
                [
                    q(f"wall.fits.{i}.case"),
                    q(f"wall.fits.{i}.depth", "{}"),
                    q(f"wall.fits.{i}.points", "{}"),
                    q(f"wall.fits.{i}.exponent"),
                    q(f"wall.fits.{i}.stderr"),
                    q(f"wall.fits.{i}.paper_exponent"),
                ]
                for i in range(len(wall["fits"]))
            ],
        )
    )
    parts.append(
        r"With integer widths and $D_0 < M$, a fitted exponent cannot separate $1/3$ from $1/2$ (the paper's "
        r"own integer widths fit to the exponents listed in results.json as paper\_integer\_exponent); the "
        r"verdict therefore compares widths point by point." + "\n"
    )
    parts.append(
        figure(
            "fig-channel-scaling",
            "Wall regime: smallest deep width matching a shallow network's rank, "
            r"against $D_0$, per depth; dotted lines: the paper's $D_0^{1/n_c}$.",
        )
    )
    parts.append(r"\subsection{A separate finding: binary pixels, where the argument does not apply}")
    parts.append(
        r"With binary pixels and the global product pool the shallow network is a CP decomposition whose "
        r"capacity is $\ln D_0$ whatever the boundary, and pixels cost only $\ln 2$ each: the cheapest cut "
        rf"runs through pixels at {q('convac.pixel_limited.min_cut_needs_pixels', '{}')} of the "
        rf"{q('convac.pixel_limited.points', '{}')} networks of this sweep, so its matched widths do not test "
        r"the wall argument. Fitted exponents of $D$ against $D_0$ (consistent when "
        r"$|\text{slope} - 1/n_c| \le 2\,\text{s.e.} + 0.05$):" + "\n"
    )
    parts.append(
        table(
            "lrrrrl",
            ["case", "$n_c$", "exponent", "s.e.", "$1/n_c$", "consistent"],
            [
                [
                    q(f"convac.fits.{i}.case"),
                    q(f"convac.fits.{i}.depth", "{}"),
                    q(f"convac.fits.{i}.exponent"),
                    q(f"convac.fits.{i}.stderr"),
                    q(f"convac.fits.{i}.paper_exponent"),
                    "yes" if f["consistent_with_paper"] else "no",
                ]
                for i, f in enumerate(results["convac"]["fits"])
            ],
        )
    )

    return "\n".join(parts) + "\n"


def capacity_section(results: dict, q: Quoter) -> str:
    """The capacity exponents: per family, region and depth the ranks, c(D), the wall's and the paper's bond
    counts, the matched-width exponent against 1/n_c; the measured law; the verdict."""
    capacity = results["capacity"]
    walls = overlapping_chain_walls()
    parts = [r"\subsection{Capacity exponents}"]
    parts.append(
        r"The generic rank $r(D)$ of a network across a cut, with pixels that are never the bottleneck (the "
        r"network as a polynomial in its pixels' $D$-vectors, sketched at random points over GF($p$) and "
        r"exact except with the probability bound each point records), at $D = 2, 3, \dots$ as far as the "
        r"sketch reaches. Its capacity exponent is $c(D) = \ln r(D) / \ln D$; equal capacity with one layer "
        r"of $D_0$ channels gives the matched-width exponent $c_1 / c_{n_c}$, which the paper says is "
        r"$1/n_c$. Beside each: the cheapest wall of the network's tensor network in bonds of dimension $D$ "
        r"(an upper bound on $c$) and the paper's $n_c c_k |\partial A|$. Every network ends in the local "
        r"read-out (the paper's wall geometry)." + "\n"
    )
    rows = []
    for i, fit in enumerate(capacity["fits"]):
        ranks = ", ".join(q(f"capacity.fits.{i}.ranks.{j}", "{}") for j in range(len(fit["ranks"])))
        matched = (
            "--"
            if fit.get("matched_low") is None or fit["depth"] < 2
            else f"{q(f'capacity.fits.{i}.matched_low', '{:.3f}')}--{q(f'capacity.fits.{i}.matched_high', '{:.3f}')}"
        )
        widths = f"{q(f'capacity.fits.{i}.widths.0', '{}')}--" + q(
            f"capacity.fits.{i}.widths.{len(fit['widths']) - 1}", "{}"
        )
        exponents = f"{q(f'capacity.fits.{i}.capacity_low', '{:.2f}')}--" + q(
            f"capacity.fits.{i}.capacity_high", "{:.2f}"
        )
        rows.append(
            [
                q(f"capacity.fits.{i}.family"),
                q(f"capacity.fits.{i}.region"),
                q(f"capacity.fits.{i}.depth", "{}"),
                widths,
                ranks,
                exponents,
                q(f"capacity.fits.{i}.wall_bonds", "{:.0f}"),
                q(f"capacity.fits.{i}.paper_bonds", "{}"),
                matched,
                q(f"capacity.fits.{i}.paper_exponent", "{:.3f}"),
            ]
        )
    parts.append(
        table(
            "XXrrXrrrrr",
            ["family", "region", "$n_c$", "$D$", "ranks", "$c(D)$", "wall", "paper", "$c_1/c_{n_c}$", "$1/n_c$"],
            rows,
            widths=(1.3, 1.1, 1.6),
            size=r"\scriptsize",
        )
    )
    parts.append(
        r"\paragraph{The law the overlapping chains follow (measured, not proved; its lower side checked exactly).} "
        r"On a chain with windows of "
        r"2 and the half cut, the cheapest wall has $W(n_c)$ bonds, with $W(n) = W(n-1) + 2 W(n-2) + 1$ "
        r"(the recurrence reproduces the minimal cuts networkx finds for $n_c = 1, \dots, 8$; sympy solves it: "
        rf"$W(n) = {sympy.latex(walls)}$, so $1, 2, 5, 10, 21$). The ranks are not $D^{{W}}$: they are "
        r"$\prod_{i=1}^{n_c} \binom{D + J_i - 1}{J_i}$ with $J_i = W(i) - W(i-1) = 1, 1, 3, 5, 11, \dots$, the "
        r"dimension of a product of symmetric powers $\mathrm{Sym}^{J_i}$ of a $D$-dimensional space: overlapping "
        r"windows "
        r"duplicate identical sub-networks, whose copies can only carry symmetric tensors. This law equals "
        rf"{q('capacity.law.equal', '{}')} of the {q('capacity.law.points', '{}')} resolved ranks "
        r"of these chains (shared and unshared weights alike). Where they are equal, the law's value is a certain "
        r"lower bound on the generic rank over the reals: the sketch exhibits integer weights and points whose "
        r"matrix has a minor of that size that is nonzero mod $p$, hence nonzero over the integers; only the "
        r"upper side (that the rank is no larger) carries the sketch's failure bound. "
        r"Its capacity exponent tends to the wall's "
        r"$W(n_c)$ as $D \to \infty$ (the polynomial's degree, $\sum_i J_i = W(n_c)$) but lies well below it at "
        r"small $D$, and far above "
        r"the paper's $n_c$ from depth 3 on: $c_1 / c_{n_c}$ is smaller than $1/n_c$, so in this sense deeper "
        r"is cheaper than the paper's argument says, and a tree (stride $k$) across a cut between its top "
        r"windows carries $\ln D$ at every depth." + "\n"
    )
    parameters = capacity["parameters"]
    depths = [p["depth"] for p in parameters[0]["depths"]]
    parts.append(
        r"\paragraph{Deeper is cheaper, measured.} Parameters at matched capacity ($n_c k^2 D^2$, $k = 2$, the "
        r"paper's count), with $D$ the smallest measured width whose rank reaches a shallow network's $D_0$ on "
        r"the overlapping chain (one layer's rank is taken to be $D_0$, as measured for $D_0 \le 16$), beside "
        r"the paper's $n_c k^2 D_0^{2/n_c}$; the cheapest measured depth against "
        r"the paper's optimum $2 \ln D_0$ (depths beyond the table are not measured in this run):" + "\n"
    )
    parts.append(
        table(
            "r" + "r" * len(depths) + "rr",
            ["$D_0$", *[f"$n_c = {d}$" for d in depths], "cheapest", r"$2 \ln D_0$"],
            [
                [
                    q(f"capacity.parameters.{i}.D0", "{}"),
                    *[
                        q(f"capacity.parameters.{i}.depths.{j}.parameters", "{}")
                        + " ("
                        + q(f"capacity.parameters.{i}.depths.{j}.paper_parameters", "{:.0f}")
                        + ")"
                        for j in range(len(depths))
                    ],
                    "$n_c = " + q(f"capacity.parameters.{i}.cheapest_depth", "{}") + "$",
                    q(f"capacity.parameters.{i}.paper_best_depth", "{:.1f}"),
                ]
                for i in range(len(parameters))
            ],
        )
    )
    parts.append(trained_widths.section(results["trained_widths"], q))
    parts.append(verdict_line(q, "channel-scaling"))
    return "\n".join(parts) + "\n"


def figures(results: dict) -> dict[str, Figure]:
    """fig-channel-scaling: the wall sweep's matched widths at depth 2 and more."""
    matches = results["wall"]["matches"]
    return {"fig-channel-scaling": channel_scaling([m for m in matches if m["depth"] >= 2], matches[0]["case"])}


def channel_scaling(matches: list[dict], case: str):
    """Matched deep width D against shallow width D0 per depth, with the paper's D0^(1/n_c)."""
    fig = Figure(figsize=(5.6, 4.2))
    axes = fig.subplots()
    mine = [m for m in matches if m["case"] == case]
    for depth in sorted({m["depth"] for m in mine}):
        points = sorted((m["D0"], m["D"]) for m in mine if m["depth"] == depth)
        (line,) = axes.plot(
            [p[0] for p in points], [p[1] for p in points], "o-", markersize=4, label=f"$n_c = {depth}$"
        )
        grid = np.array([p[0] for p in points], dtype=float)
        axes.plot(grid, grid ** (1 / depth), ":", color=line.get_color(), linewidth=1)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(r"shallow width $D_0$")
    axes.set_ylabel(r"smallest deep width $D$ matching its rank")
    axes.set_title(f"Channel scaling ({case}); dotted: " + r"$D_0^{1/n_c}$")
    axes.legend(fontsize=7)
    return fig
