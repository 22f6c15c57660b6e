"""Benchmark: values of f per second for the sampled Renyi-2, through the grid path against the plain
evaluation of the same function on the joined images, in one run.

Targets: the catalogue's local-feature targets by name (numeric.catalog, as ``cnn-bounds entropy
--method sampled`` builds them; the count's threshold is the median count of random images), then the
squares verdict's other series (an OR of random 4x4 patterns, a majority of 3x3 window detectors, hashed
random labels). For each target and centred l x l square of a 28x28 binary image: blocks of 10 x 10 values
(the estimator's default), drawn as the estimator draws them; "grid" times
:func:`numeric.tci.evaluate_grids` (local-feature targets count bits, the hashed random labels sum keys),
"plain" joins every image and evaluates it (local_feature_values on the 784 pixels; the hash on the whole
image); "estimator" is the whole :func:`numeric.sampling.sampled_renyi2` (draws, grids, block statistics,
interval). Median of 3, with numeric.threads() threads (``--threads`` to choose).

    python bench/renyi2_speed.py                      # l = 2, 8, 14
    python bench/renyi2_speed.py --sides 1 4 7 10 14 --markdown
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from cnn_bounds.verdicts.renyi2_squares import centred_square, series_functions
from numeric import Lattice, set_threads, threads
from numeric.sampling import catalogue_function, sampled_renyi2
from numeric.tci import evaluate_grids, join


def _median_seconds(run, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sides", type=int, nargs="+", default=[2, 8, 14])
    parser.add_argument("--blocks", type=int, default=600, help="10 x 10 blocks per grid timing")
    parser.add_argument("--values", type=int, default=1_000_000, help="values of f per estimator timing")
    parser.add_argument("--threads", type=int, default=None, help="threads for numeric's loops")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if args.threads:
        set_threads(args.threads)
    lattice = Lattice(28, 28)
    made = series_functions(lattice, seed=0)
    median = made.pop("count at the median")["function"].threshold
    functions = {
        name: catalogue_function(name, lattice)
        for name in ("pattern-present", "pattern-absent:size=3", f"count-threshold:threshold={median}")
    }
    functions.update({name: entry["function"] for name, entry in made.items()})
    rng = np.random.default_rng(0)
    rows = []
    for name, function in functions.items():
        for side in args.sides:
            region = np.array(centred_square(lattice, side))
            other = np.setdiff1d(np.arange(lattice.n_pixels), region)
            firsts = rng.integers(0, 2, (args.blocks, 10, len(region)), dtype=np.int8)
            seconds = rng.integers(0, 2, (args.blocks, 10, len(other)), dtype=np.int8)
            values = args.blocks * 100
            grid = _median_seconds(lambda: evaluate_grids(function, region, firsts, other, seconds))
            plain = _median_seconds(
                lambda: [function(join(region, a, other, b)) for a, b in zip(firsts[:60], seconds[:60])]
            ) * (args.blocks / 60)
            estimator = _median_seconds(
                lambda: sampled_renyi2(function, lattice.n_pixels, 2, region, values=args.values, seed=1)
            )
            rows.append((name, side, values / grid, values / plain, plain / grid, args.values / estimator))
    header = ("target", "l", "grid values/s", "plain values/s", "grid / plain", "estimator values/s")
    print(f"threads: {threads()}")
    if args.markdown:
        print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
        for row in rows:
            print(f"| {row[0]} | {row[1]} | {row[2]:.3g} | {row[3]:.3g} | {row[4]:.1f}x | {row[5]:.3g} |")
    else:
        for row in rows:
            print(f"{row[0]:32s} l={row[1]:2d} grid {row[2]:.3g}/s plain {row[3]:.3g}/s x{row[4]:.1f}", end=" ")
            print(f"estimator {row[5]:.3g}/s")


if __name__ == "__main__":
    main()
