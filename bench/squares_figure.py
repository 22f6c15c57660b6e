"""The sub-volume law where it bites: S_A of centred l x l squares in a larger image, exactly (tn engine),
against the derived bound (result 3), Page's random-function value, a random labelling of the same
density (numeric.matched_random_entropy: the n >> m limit, exact to O(m / n) < 1e-20 here) and a fit
S = a l^beta.

For each target (pattern present xi = 2 and 3, a count at the balanced threshold), every square side l
from 1 up to ``--largest`` (or until a cut has more than ``--max-states`` automaton states on one side, or
the cut's automaton no longer fits in memory) is measured with 0/1 and +-1 labels; the density is printed
beside each entropy. The fit is a least-squares power law on the squares with S > 0 when there are at least
four (scipy's curve_fit; standard errors from its covariance); random functions follow Page's value
~ l^2 ln 2 (beta = 2) at these sizes.

    python bench/squares_figure.py --side 10 --largest 4 --max-states 10000 --out bench/figures/squares.png

The measurements are written beside the figure (same name, .json) and reused when the options match, so
the figure can be redrawn without measuring again.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import curve_fit  # noqa: E402

from cnn_bounds.verdicts.subvolume import catalogue_rank_bound  # noqa: E402
from numeric import Lattice, TooLargeError, matched_random_entropy, page_entropy, rectangle  # noqa: E402
from numeric.cuts import format_bound, measure_cuts  # noqa: E402

TARGETS = ("pattern-present:size=2", "pattern-present:size=3", "count-threshold:size=2,threshold=balanced")


def power_law(side, a, beta):
    return a * side**beta


def measure(side: int, largest: int, labels: str, max_states: int) -> dict[str, list[tuple]]:
    lattice = Lattice(side, side)
    found = {}
    for function in TARGETS:
        rows = found.setdefault(function, [])
        for length in range(1, largest + 1):
            corner = (side - length) // 2
            region = rectangle(lattice, corner, corner, length, length)
            start = time.perf_counter()
            try:
                cut = measure_cuts(function, lattice, {"square": region}, method="tn", labels=labels)["square"]
            except TooLargeError as refusal:
                print(f"{function} l={length}: {str(refusal).split(';')[0]}", flush=True)
                break
            rows.append(
                (
                    length,
                    cut.spectrum.entropy(),
                    cut.spectrum.entropy_error_bound,
                    cut.density,
                    math.log(catalogue_rank_bound(function, lattice, region)),
                    time.perf_counter() - start,
                )
            )
            print(
                f"{function} ({labels}) l={length}: S={rows[-1][1]:.6f} +- {format_bound(rows[-1][2])}, density "
                f"{rows[-1][3]:.4f}, ln bound {rows[-1][4]:.3f}, {rows[-1][5]:.1f} s",
                flush=True,
            )
            if max(cut.states) > max_states:  # the next square has about ten times more
                print(f"{function}: stopped after l={length} ({max(cut.states)} states > {max_states})", flush=True)
                break
    return found


def fit(rows) -> str:
    points = [(side, s) for side, s, *_ in rows if s > 1e-12]
    if len(points) < 4:  # two parameters: fewer than four points leave no meaningful standard error
        return f"{len(points)} points, no fit"
    (a, beta), covariance = curve_fit(power_law, *map(np.array, zip(*points)), p0=(0.1, 1.0))
    return f"S = {a:.3g} l^({beta:.2f} +- {math.sqrt(covariance[1, 1]):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", type=int, default=10)
    parser.add_argument("--largest", type=int, default=6)
    parser.add_argument(
        "--max-states",
        type=int,
        default=10000,
        help="stop growing a target's square once a cut has more automaton states than this",
    )
    parser.add_argument("--out", default="bench/figures/squares.png")
    options = parser.parse_args()
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    n_pixels = options.side**2
    cache = Path(options.out).with_suffix(".json")
    key = {"side": options.side, "largest": options.largest, "max_states": options.max_states, "targets": TARGETS}
    stored = json.loads(cache.read_text()) if cache.exists() else {}
    if stored.get("options") != json.loads(json.dumps(key)):
        stored = {
            "options": key,
            "rows": {
                labels: measure(options.side, options.largest, labels, options.max_states) for labels in ("01", "pm1")
            },
        }
        partial = cache.with_suffix(".json.partial")
        partial.write_text(json.dumps(stored, indent=1))
        os.replace(partial, cache)
    for axis, labels in zip(axes, ("01", "pm1")):
        found = stored["rows"][labels]
        lengths = np.arange(1, options.largest + 1)
        axis.plot(
            lengths,
            [page_entropy(2 ** (k * k), 2 ** (n_pixels - k * k)) for k in map(int, lengths)],
            "k--",
            label=r"random (Page), $\propto l^2$",
        )
        for (function, rows), colour in zip(found.items(), ("C0", "C1", "C2")):
            if not rows:
                continue
            sides, s, _, density, bound, _ = map(np.array, zip(*rows))
            axis.plot(sides, s, "o-", color=colour, label=f"{function.replace(':', ' ')} ({fit(rows)})")
            axis.plot(sides, bound, ":", color=colour)
            matched = [
                (
                    int(length),
                    matched_random_entropy(p, 2 ** int(length * length), 2 ** int(n_pixels - length * length), labels),
                )
                for length, p in zip(sides, density)
            ]
            axis.plot(sides, [s for _, s in matched], "--", color=colour, alpha=0.6)
            print(
                f"{function} ({labels}): {fit(rows)}; densities {', '.join(f'{x:.3f}' for x in density)}; "
                f"matched random {', '.join(f'{s:.3f}' for _, s in matched)} ({fit(matched)})"
            )
        axis.set_yscale("symlog", linthresh=1e-2)
        axis.set_xlabel(r"square side $l$")
        encoding = "0/1" if labels == "01" else r"$\pm 1$"
        axis.set_title(f"{options.side}x{options.side} images, {encoding} labels")
        axis.legend(fontsize=6)
    axes[0].set_ylabel(r"$S_A$ of the centred square (nats)")
    figure.text(
        0.5,
        0.01,
        "solid: target (exact); dotted: derived bound; dashed: random labelling of the same density; black: Page",
        ha="center",
        fontsize=7,
    )
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    figure.savefig(options.out, dpi=120)
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
