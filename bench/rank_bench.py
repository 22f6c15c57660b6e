"""Benchmark: exact ranks over GF(p), and how far the sketched rank of a ConvAC polynomial reaches.

Part 1, side by side in one run: the rank of an n x n matrix of rank n/2 (a product of two random factors,
reduced mod p) by FLINT's nmod_mat (numeric.precise.rank_mod_p) against the int64 Gauss-Jordan elimination of
numeric.precise.row_reduce_mod_p, at each n (the elimination only up to ``--elimination-up-to``).

Part 2, validation: the dense rank of the same modular network with M one-hot features (every image
enumerated, numeric.precise.schmidt_rank_mod_p) at growing M against its sketched rank, for each family of
the capacity sweep where the images can be enumerated; the dense rank may not exceed the sketch, and
reaches it once M is large.

Part 3: cnn_bounds.networks.capacity.sketched_rank on overlapping k = 2 chains of 2 n_c pixels (local
read-out, unshared weights, half cut) for each depth and width until a sketch exceeds the time budget;
each row gives the rank (or ">= R" when the largest sketch was of full rank), the sketch size, the values of f
and the seconds.

    python bench/rank_bench.py
    python bench/rank_bench.py --sizes 512 1024 2048 4096 --depths 3 4 5 --widths 2 3 4
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cnn_bounds.networks.capacity import modular_network, sketched_rank
from cnn_bounds.networks.convac import ConvACSpec, evaluate_on_all_images
from numeric import Lattice
from numeric.precise import LARGE_PRIME, rank_mod_p, row_reduce_mod_p, schmidt_rank_mod_p

VALIDATION = (  # (label, width, height, kernel, overlapping, depth, channels, features)
    ("k=2 overlapping chain", 4, 1, 2, True, 2, 3, (2, 4, 8, 12)),
    ("k=2 overlapping chain", 6, 1, 2, True, 3, 2, (2, 4, 6, 8)),
    ("k=2 overlapping chain", 6, 1, 2, True, 3, 3, (4, 8, 12)),
    ("k=3 overlapping chain", 4, 1, 3, True, 1, 3, (2, 4, 8, 16)),
    ("k=2 tree chain", 8, 1, 2, False, 3, 3, (2, 3, 4)),
    ("k=2 overlapping strip", 2, 3, 2, True, 1, 3, (2, 4, 8)),
)


def _matrix(size: int, rng: np.random.Generator) -> np.ndarray:
    """An n x n matrix of rank n/2 over GF(p) (with high probability): a product of two random factors with
    entries below 2^16, exact in float64 (sums of n/2 products stay below 2^53), reduced mod p."""
    left = rng.integers(0, 1 << 16, (size, size // 2)).astype(np.float64)
    right = rng.integers(0, 1 << 16, (size // 2, size)).astype(np.float64)
    return (left @ right).astype(np.int64) % LARGE_PRIME


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048])
    parser.add_argument("--elimination-up-to", type=int, default=1024)
    parser.add_argument("--depths", type=int, nargs="+", default=[2, 3, 4, 5])
    parser.add_argument("--widths", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--max-points", type=int, default=8192)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("| n | rank | FLINT s | int64 elimination s | ratio |\n|---|---|---|---|---|")
    for size in args.sizes:
        matrix = _matrix(size, rng)
        start = time.perf_counter()
        rank = rank_mod_p(matrix, LARGE_PRIME)
        flint_seconds = time.perf_counter() - start
        if size <= args.elimination_up_to:
            start = time.perf_counter()
            assert len(row_reduce_mod_p(matrix, LARGE_PRIME)[1]) == rank
            elimination = time.perf_counter() - start
            print(f"| {size} | {rank} | {flint_seconds:.3f} | {elimination:.3f} | {elimination / flint_seconds:.1f}x |")
        else:
            print(f"| {size} | {rank} | {flint_seconds:.3f} | | |")
    print("\n| network | n_c | D | dense rank (M) | sketched rank | dense <= sketch | reached |")
    print("|---|---|---|---|---|---|---|")
    for label, width, height, kernel, overlapping, depth, channels, features in VALIDATION:
        dense, sketches = [], []
        for levels in features:
            spec = ConvACSpec(Lattice(width, height, levels), channels, depth, kernel, overlapping, False, "local")
            network = modular_network(spec, 0)
            region = tuple(p for p in range(width * height) if p % width < width // 2)
            values = evaluate_on_all_images(network, spec.lattice)
            dense.append(schmidt_rank_mod_p(values, region, levels=levels, prime=network.modulus))
            sketches.append(sketched_rank(network, region, 0).rank)  # the same network's polynomial
        listed = ", ".join(f"{r} ({m})" for r, m in zip(dense, features))
        below = all(d <= k for d, k in zip(dense, sketches))
        shown = "/".join(str(k) for k in sorted(set(sketches)))
        print(f"| {label} | {depth} | {channels} | {listed} | {shown} | {below} | {dense[-1] == sketches[-1]} |")
    print("\n| n_c | D | rank | sketch R | values of f | failure bound | s |\n|---|---|---|---|---|---|---|")
    for depth in args.depths:
        for width in args.widths:
            spec = ConvACSpec(Lattice(2 * depth, 1, 2), width, depth, 2, True, False, "local")
            sketch = sketched_rank(modular_network(spec, 0), tuple(range(depth)), 0, max_points=args.max_points)
            rank = str(sketch.rank) if sketch.rank is not None else f">= {sketch.rank_at_least}"
            print(
                f"| {depth} | {width} | {rank} | {sketch.points} | {sketch.evaluations:.3g} | "
                f"{sketch.failure_bound:.1e} | {sketch.seconds:.1f} |",
                flush=True,
            )
            if sketch.rank is None:
                break


if __name__ == "__main__":
    main()
