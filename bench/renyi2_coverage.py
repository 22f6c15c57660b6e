"""Validation of the sampled Renyi-2 intervals against exact values: coverage and width.

Cases (function, region, seed): catalogue targets on 4x4, 5x4 and 5x5 images, exact by the dense engine
(+-1 labels, and 0/1 labels through the real-valued estimator with |f| <= 1), and local-feature targets on
8x8, 12x12 and 16x16 images, exact by their automaton tensor network (:func:`numeric.feature_mps.feature_cut`,
+-1 labels), on corner squares and edge strips (one centred square on 8x8). Every case is sampled with
``--values`` values of f at 95 %.

Reported: the share of two-sided intervals that contain the exact S_2; the share of one-sided bounds below
it (counted separately); the median width of the two-sided intervals where the exact S_2 <= 2 nats; the
values of f per second. Writes bench/figures/renyi2_coverage.json.

    python bench/renyi2_coverage.py                  # 447 cases (149 function-region pairs, 3 seeds), 1e6 values each
    python bench/renyi2_coverage.py --values 200000 --quick
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from pathlib import Path

import numpy as np

from cnn_bounds.driver.files import dumps, write_atomically
from numeric.catalog import build_target, parse_function_spec
from numeric.entanglement import entanglement_entropy, entropy_of_probabilities
from numeric.feature_mps import feature_cut
from numeric.lattice import Lattice, column_cut, rectangle, row_cut
from numeric.sampling import catalogue_function, sampled_renyi2

DENSE_TARGETS = ("pattern-present", "count-threshold:threshold=2", "pattern-present:size=3", "majority", "parity")
FEATURE_TARGETS = ("pattern-present:pattern=1001", "count-threshold:threshold=balanced", "pattern-present:size=3")
LARGE_TARGET = "count-threshold:pattern=1001,threshold=14"
"""On 16x16 an OR of 2x2 windows is 1 on almost every image (S_2 = 0): a count near its median (density 0.55)."""


def dense_cases(quick: bool):
    """(label, lattice, function, labels, region, exact S_2) for the dense engine."""
    rng = np.random.default_rng(2024)
    for shape in ((4, 4), (5, 4)) if quick else ((4, 4), (5, 4), (5, 5)):
        lattice = Lattice(*shape)
        regions = [rectangle(lattice, 1, 1, 2, 2), tuple(range(lattice.n_pixels // 2))]
        regions += [tuple(sorted(rng.choice(lattice.n_pixels, rng.integers(2, 9), replace=False))) for _ in range(3)]
        names = [*DENSE_TARGETS, f"random-boolean#{shape}"]
        for name in names:
            table_name = "random-boolean" if name.startswith("random") else name
            table = 2 * build_target(table_name, lattice, seed=7) - 1
            function = catalogue_function(table_name, lattice, labels="pm1", seed=7)
            for region in regions:
                exact = entanglement_entropy(table, region, levels=2, alpha=2)
                yield f"dense {lattice.width}x{lattice.height} {name}", lattice, function, "pm1", region, exact
        zero_one = build_target("pattern-present", lattice)
        function = catalogue_function("pattern-present", lattice, labels="01")
        for region in regions:
            exact = entanglement_entropy(zero_one, region, levels=2, alpha=2)
            yield (
                f"dense {lattice.width}x{lattice.height} pattern-present 0/1",
                lattice,
                function,
                "real",
                region,
                exact,
            )


def feature_regions(lattice: Lattice) -> list[tuple[int, ...]]:
    """Corner squares l = 1..4, the first two columns and (below 16x16) the first three rows: regions whose
    automaton reading stays small (a centred square's complement is read around it: 97 s on 16x16 for l = 2;
    the first three rows of 16x16 with a count capped at 14 ran for minutes)."""
    corners = [rectangle(lattice, 0, 0, k, k) for k in (1, 2, 3, 4)]
    return [*corners, column_cut(lattice, 2)] + ([row_cut(lattice, 3)] if lattice.width < 16 else [])


def feature_cases(quick: bool):
    """(label, lattice, function, labels, region, exact S_2) for the automaton tensor networks."""
    for side in (8, 12) if quick else (8, 12, 16):
        lattice = Lattice(side, side)
        # 3x3 windows and the exact balanced threshold take minutes per cut at 16x16
        for name in FEATURE_TARGETS if side < 16 else (LARGE_TARGET,):
            spec, params = parse_function_spec(name)
            patterns, aggregator, threshold = spec.features(lattice, **params)
            function = catalogue_function(name, lattice, labels="pm1")
            regions = feature_regions(lattice)
            if side == 8:
                regions.append(rectangle(lattice, 3, 3, 2, 2))  # one centred square where it is cheap
            for region in regions:
                cut = feature_cut(lattice, patterns, region, aggregator, threshold=threshold, labels="pm1")
                exact = entropy_of_probabilities(cut.spectrum.probabilities, alpha=2)
                yield f"tensor network {side}x{side} {name}", lattice, function, "pm1", region, exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller lattices only")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "figures" / "renyi2_coverage.json")
    args = parser.parse_args()
    rows, sampled_time, sampled_values = [], 0.0, 0
    cases = itertools.chain(dense_cases(args.quick), feature_cases(args.quick))
    for label, lattice, function, labels, region, exact in cases:
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = sampled_renyi2(function, lattice.n_pixels, 2, region, labels=labels, values=args.values, seed=seed)
            sampled_time += time.perf_counter() - start
            sampled_values += result.values_of_f
            low, high = result.interval
            rows.append(
                {
                    "case": label,
                    "region": list(map(int, region)),
                    "seed": seed,
                    "labels": labels,
                    "exact": exact,
                    "interval": [low, high],
                    "covered": bool(low <= exact and (high is None or exact <= high)),
                }
            )
        print(f"{label:55s} |A|={len(region):3d} exact {exact:.4f} last {result.describe()}", flush=True)
    two_sided = [row for row in rows if row["interval"][1] is not None]
    one_sided = [row for row in rows if row["interval"][1] is None]
    widths = [row["interval"][1] - row["interval"][0] for row in two_sided if row["exact"] <= 2]
    summary = {
        "cases": len(rows),
        "values_per_case": args.values,
        "two_sided": len(two_sided),
        "two_sided_covered": sum(row["covered"] for row in two_sided),
        "one_sided": len(one_sided),
        "one_sided_covered": sum(row["covered"] for row in one_sided),
        "median_width_where_exact_at_most_2": statistics.median(widths) if widths else None,
        "widths_counted": len(widths),
        "values_per_second": sampled_values / sampled_time,
    }
    print(json.dumps(summary, indent=1))
    write_atomically(args.out, dumps({"summary": summary, "rows": rows}))


if __name__ == "__main__":
    main()
