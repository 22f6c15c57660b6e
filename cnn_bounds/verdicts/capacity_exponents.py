"""Capacity exponents: how the generic rank of a ConvAC across a cut grows with its width D, per depth.

The paper's argument is about capacity: n_c stride-1 layers of D channels carry n_c c_k |dA| ln D across a
cut, one layer of D0 channels c_k |dA| ln D0 (c_k = k - 1 on a chain), so equal capacity needs
D = D0^(1/n_c). Here the capacity is measured: the rank r(D) of the network's function across the cut,
with pixels that are never the bottleneck (the many-feature limit, sketched at random points over GF(p):
cnn_bounds.networks.capacity), at D = 2, 3, 4, ... as far as the sketch reaches. The capacity exponent
c(D) = ln r(D) / ln D is the capacity in units of ln D; where r is an exact power of D it is one number.
Equal capacity, r_{n_c}(D) = r_1(D0), gives the matched-width exponent c_1 / c_{n_c}, which the paper says
is 1/n_c.

Beside every point: the cheapest wall of the network's tensor network (cnn_bounds.networks.mincut, no
pixel cut, so the many-feature limit's bound) as a bond count log_D(bound), and the paper's n_c c_k |dA|.
Networks end in the local read-out (each final position read to a number, then multiplied), the paper's
wall geometry, so that only the features whose receptive field straddles the cut carry rank: a chain of
2 (k - 1) n_c pixels (overlapping) or k^n_c (tree) holds every straddling feature of a chain of any length.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from cnn_bounds.networks.capacity import MAX_POINTS, capacity_exponent, modular_network, sketched_rank
from cnn_bounds.networks.convac import ConvACSpec
from cnn_bounds.networks.mincut import min_cut
from cnn_bounds.verdicts.points import Points
from numeric import Lattice, boundary_length, column_cut, rectangle
from proofs.channel_scaling import D, overlapping_chain_rank


@dataclass(frozen=True)
class Family:
    """An architecture family: kernel k, overlapping (stride 1) or tree (stride k) windows, shared or
    unshared weights; always the local read-out."""

    kernel: int
    overlapping: bool
    shared: bool

    @property
    def label(self) -> str:
        return (
            f"k={self.kernel} {'overlapping' if self.overlapping else 'tree'}, "
            f"{'shared' if self.shared else 'unshared'}"
        )


@dataclass(frozen=True)
class RegionCase:
    """A lattice builder (depth -> Lattice) and a region builder (Lattice -> pixels), with a label."""

    label: str
    lattice: Callable[[int, Family], Lattice]
    region: Callable[[Lattice], tuple[int, ...]]
    depths: tuple[int, ...]


def _chain(depth: int, family: Family) -> Lattice:
    return Lattice(2 * (family.kernel - 1) * depth if family.overlapping else family.kernel**depth, 1, 2)


def _half(lattice: Lattice) -> tuple[int, ...]:
    return column_cut(lattice, lattice.width // 2)


def _strip(rows: int) -> Callable[[int, Family], Lattice]:
    """A strip of ``rows`` rows, wide enough for ``depth`` overlapping layers on each side of the cut: the
    half cut crosses ``rows`` bonds, |dA| = rows."""

    def build(depth: int, family: Family) -> Lattice:
        return Lattice(2 * (family.kernel - 1) * depth, rows, 2)

    return build


def _square_lattice(depth: int, family: Family) -> Lattice:
    side = 2 + 2 * (family.kernel - 1) * depth
    return Lattice(side, side, 2)


def _central_pixel_pair(lattice: Lattice) -> tuple[int, ...]:
    return rectangle(lattice, lattice.width // 2 - 1, lattice.height // 2 - 1, 2, 1)


FAMILIES = (
    Family(2, True, False),
    Family(2, True, True),
    Family(3, True, False),
    Family(2, False, False),
)
CHAIN = RegionCase("chain, half cut", _chain, _half, (1, 2, 3, 4, 5))
STRIPS = tuple(
    RegionCase(f"{rows}-row strip, half cut", _strip(rows), _half, tuple(d for d in (1, 2, 3) if d <= rows - 1))
    for rows in (2, 3, 4)
)
"""|dA| = 2, 3, 4: a 2-D window of k = 2 needs n_c + 1 rows for n_c layers."""
SQUARE = RegionCase("square lattice, two central pixels", _square_lattice, _central_pixel_pair, (1, 2))
WIDTHS = (2, 3, 4, 5, 6, 8, 12, 16)
ENOUGH_RANK = 256
"""Widths grow at each depth until the rank reaches this (the largest shallow width D0 matched below) or
leaves the sketch's reach."""


def cases(full: bool = False) -> list[tuple[Family, RegionCase]]:
    """Quick: the chain for every family (k = 3 to depth 3), strips of 2, 3 and 4 rows for k = 2 overlapping
    unshared. Full: every family on the chain to depth 5, the square region, and the strips with shared
    weights too."""
    chosen = [(family, CHAIN) for family in FAMILIES] + [(FAMILIES[0], strip) for strip in STRIPS]
    if full:
        chosen += [(FAMILIES[0], SQUARE)] + [(FAMILIES[1], strip) for strip in STRIPS]
    return chosen


def measure(family: Family, case: RegionCase, depth: int, channels: int, seed: int, max_points: int) -> dict:
    """One point: the sketched rank across the case's region at this depth and width, with the wall's bond
    count and the paper's."""
    lattice = case.lattice(depth, family)
    region = case.region(lattice)
    spec = ConvACSpec(lattice, channels, depth, family.kernel, family.overlapping, family.shared, "local")
    sketch = sketched_rank(modular_network(spec, seed), region, seed, max_points=max_points)
    many = Lattice(lattice.width, lattice.height, 10**6)  # the wall is read where pixels cost more than bonds
    wall = min_cut(
        ConvACSpec(many, channels, depth, family.kernel, family.overlapping, family.shared, "local"),
        region,
        cuttable="wall",
    )
    boundary = boundary_length(lattice, region)
    return {
        "lattice": f"{lattice.width}x{lattice.height}",
        "boundary": boundary,
        "rank": sketch.rank,
        "rank_at_least": sketch.rank_at_least,
        "points": sketch.points,
        "failure_bound": sketch.failure_bound,
        "evaluations": sketch.evaluations,
        "seconds": sketch.seconds,
        "wall_bonds": math.log(wall.rank_bound) / math.log(channels) if wall.rank_bound else None,
        "paper_bonds": depth * (family.kernel - 1) * boundary,
    }


def capacity_sweep(
    full: bool = False,
    seed: int = 0,
    cache: Points | None = None,
    progress: Callable | None = None,
    widths: tuple[int, ...] = WIDTHS,
) -> dict:
    """Every case, depth and width (the widths stop at a depth once a rank reaches ENOUGH_RANK or leaves the
    sketch's reach); per (family, region, depth) the exponents of
    :func:`cnn_bounds.networks.capacity.capacity_exponent` over the resolved widths, and the matched-width
    exponents c_1(D) / c_{n_c}(D) at every width resolved at both depths; the parameters at matched
    capacity (:func:`matched_parameters`)."""
    cache = cache or Points()
    max_points = MAX_POINTS if full else 2048
    rows = []
    work = [(family, case, depth) for family, case in cases(full) for depth in case.depths]
    if not full:
        work = [(f, c, d) for f, c, d in work if d <= (3 if f.kernel == 3 else 4)]
    for family, case, depth in progress(work) if progress else work:
        for channels in widths:
            parameters = {
                "stage": "capacity",
                "family": family.label,
                "region": case.label,
                "depth": depth,
                "channels": channels,
                "seed": seed,
                "max_points": max_points,
            }
            point = cache.get_or_measure(parameters, lambda: measure(family, case, depth, channels, seed, max_points))
            rows.append(point)
            if point["rank"] is None or point["rank"] >= ENOUGH_RANK:
                break
    fits = []
    for family, case in cases(full):
        mine = [r for r in rows if r["family"] == family.label and r["region"] == case.label and r["rank"]]
        shallow = {r["channels"]: r["rank"] for r in mine if r["depth"] == 1}
        for depth in case.depths:
            resolved = [r for r in mine if r["depth"] == depth]
            if not resolved:
                continue
            widths, ranks = [r["channels"] for r in resolved], [r["rank"] for r in resolved]
            fit = capacity_exponent(widths, ranks)
            matched = [
                math.log(shallow[d]) / math.log(rank) if d in shallow and rank > 1 else None
                for d, rank in zip(widths, ranks)
            ]
            known = [e for e in matched if e is not None]
            fits.append(
                {
                    "family": family.label,
                    "region": case.label,
                    "depth": depth,
                    "lattice": resolved[0]["lattice"],
                    "boundary": resolved[0]["boundary"],
                    "widths": widths,
                    "ranks": ranks,
                    "capacity_exponent": fit["per_width"],
                    "capacity_low": min(fit["per_width"]),
                    "capacity_high": max(fit["per_width"]),
                    "slope": fit["slope"],
                    "slope_se": fit["slope_se"],
                    "wall_bonds": resolved[0]["wall_bonds"],
                    "paper_bonds": resolved[0]["paper_bonds"],
                    "matched_exponent": matched,
                    "matched_low": min(known) if known else None,
                    "matched_high": max(known) if known else None,
                    "paper_exponent": 1 / depth,
                }
            )
    for row in rows:  # the measured law of the overlapping k = 2 chains, beside each of their ranks
        law = row["region"] == CHAIN.label and row["family"].startswith("k=2 overlapping")
        row["law_rank"] = int(overlapping_chain_rank(row["depth"]).subs(D, row["channels"])) if law else None
    checked = [row for row in rows if row["rank"] is not None and row["law_rank"] is not None]
    law = {"points": len(checked), "equal": sum(row["rank"] == row["law_rank"] for row in checked)}
    return {
        "rows": rows,
        "fits": fits,
        "law": law,
        "parameters": matched_parameters(rows),
        "full": full,
        "seed": seed,
        "max_points": max_points,
    }


SHALLOW_WIDTHS = (16, 64, ENOUGH_RANK)


def matched_parameters(rows: list[dict], shallow_widths: tuple[int, ...] = SHALLOW_WIDTHS) -> list[dict]:
    """Deeper is cheaper, measured: for one layer of D0 channels (rank D0 across the half cut of the k = 2
    overlapping chain: measured for D0 <= 16, the widest shallow network swept, and taken as D0 beyond) and
    each measured depth, the smallest width D whose measured rank reaches D0 (None
    when no measured width does: beyond the sketch's reach), its parameter count n_c k^2 D^2 (the paper's
    count, k = 2), and the paper's n_c k^2 D0^(2/n_c) beside it; per D0 the measured cheapest depth and the
    paper's optimum 2 ln D0."""
    family = FAMILIES[0].label
    mine = [r for r in rows if r["family"] == family and r["region"] == CHAIN.label and r["rank"] is not None]
    kernel = FAMILIES[0].kernel
    table = []
    for shallow in shallow_widths:
        per_depth = []
        for depth in sorted({r["depth"] for r in mine}):
            reaching = [r["channels"] for r in mine if r["depth"] == depth and r["rank"] >= shallow]
            width = shallow if depth == 1 else min(reaching, default=None)
            per_depth.append(
                {
                    "depth": depth,
                    "D": width,
                    "parameters": None if width is None else depth * kernel**2 * width**2,
                    "paper_parameters": depth * kernel**2 * shallow ** (2 / depth),
                }
            )
        known = [p for p in per_depth if p["parameters"] is not None]
        best = min(known, key=lambda p: p["parameters"])
        table.append(
            {
                "D0": shallow,
                "depths": per_depth,
                "cheapest_depth": best["depth"],
                "cheapest_parameters": best["parameters"],
                "paper_best_depth": 2 * math.log(shallow),
            }
        )
    return table


__all__ = [
    "CHAIN",
    "FAMILIES",
    "SHALLOW_WIDTHS",
    "SQUARE",
    "STRIPS",
    "Family",
    "RegionCase",
    "capacity_sweep",
    "cases",
    "matched_parameters",
    "measure",
]
