"""Benchmark: exact ranks over GF(p), and how far the sketched rank of a ConvAC polynomial reaches.

Part 1, side by side in one run: the rank of an n x n matrix of rank n/2 (a product of two random factors
mod p) by FLINT's nmod_mat (numeric.precise.rank_mod_p) against the int64 Gauss-Jordan elimination of
numeric.precise.row_reduce_mod_p, at each n (the elimination only up to ``--elimination-up-to``).

Part 2: cnn_bounds.networks.capacity.sketched_rank on overlapping k = 2 chains of 2 n_c pixels (local
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
from cnn_bounds.networks.convac import ConvACSpec
from numeric import Lattice
from numeric.precise import LARGE_PRIME, rank_mod_p, row_reduce_mod_p


def _matrix(size: int, rng: np.random.Generator) -> np.ndarray:
    left = rng.integers(0, LARGE_PRIME, (size, size // 2), dtype=np.int64)
    right = rng.integers(0, LARGE_PRIME, (size // 2, size), dtype=np.int64)
    product = np.zeros((size, size), dtype=np.int64)
    for k in range(size // 2):  # int64-safe: one product of residues (< 2^56) at a time
        product = (product + left[:, k : k + 1] * right[k : k + 1, :]) % LARGE_PRIME
    return product


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
