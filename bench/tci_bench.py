"""Benchmark: tensor cross interpolation (numeric.tci) on 8x8 images (2^64 images), against the exact tensor
networks, over several seeds: what sampled validation sees, and what it misses.

For each function with an exact MPS (the automaton of "some xi x xi window all ones", xi = 2, 3; a random
ConvAC contracted by cnn_bounds.convac.convac_mps) and each seed: the time, function values used, whether
the sweeps converged, the largest bond, the largest relative error on held-out images (10^4 each: uniform
and at densities 0.1, 0.3, 0.7, 0.9), the entropy error estimated from the uniform sample, and the truth
from the exact MPS: ||f - f~|| / ||f|| (numeric.mps.difference_norm) and |S - S_exact| across the middle
column cut (column-major order, bond 32).

    python bench/tci_bench.py --markdown          # the README's table (several minutes)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cnn_bounds.cli import format_table
from cnn_bounds.convac import ConvAC, ConvACSpec, batched_function, convac_mps
from numeric import Lattice
from numeric.feature_mps import as_matrix_product_state, automaton_values, feature_mps
from numeric.mps import MatrixProductState, bond_spectra, difference_norm, norm
from numeric.tci import cross_interpolate, in_order, sample_configurations, sampled_entropy_error, validate


def cases(side: int):
    lattice = Lattice(side, side)
    order = [y * side + x for x in range(side) for y in range(side)]
    for size in (2, 3):
        automaton = feature_mps(lattice, np.ones((size, size), dtype=int), order=order)
        yield (f"some {size}x{size} window all ones", lambda images, a=automaton: automaton_values(a, images),
               as_matrix_product_state(automaton), order)
    network = ConvAC(ConvACSpec(lattice, channels=2, depth=1, readout="local"), 0)
    yield ("ConvAC, n_c = 1, D = 2, local read-out", batched_function(network, lattice), convac_mps(network, order), order)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    n_sites = args.side**2
    bond = n_sites // 2
    dims = [2] * n_sites
    headers = ["function", "seed", "seconds", "values of f", "converged", "largest bond", "max sampled rel. error",
               "sampled S error (est.)", "exact ||f - f~|| / ||f||", "exact |dS| middle (nats)"]
    rows = []
    for label, function, exact, order in cases(args.side):
        exact_entropy = bond_spectra(exact)[bond - 1].entropy()
        site_function = in_order(function, order)
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = cross_interpolate(site_function, dims, seed=seed)
            seconds = time.perf_counter() - start
            checks = validate(result.state, site_function, sample_configurations(dims, 10_000, seed=1000 + seed))
            relative = difference_norm(exact, result.state) / norm(exact)
            spectrum = bond_spectra(MatrixProductState(result.state.cores))[bond - 1]
            entropy = spectrum.entropy()
            rows.append([label, seed, f"{seconds:.1f}", f"{result.evaluations:.2e}", "yes" if result.converged else "no",
                         max(result.ranks), f"{max(c.relative_max for c in checks.values()):.1e}",
                         f"{sampled_entropy_error(checks['uniform'], 2**bond, spectrum.probabilities.size):.1e}", f"{relative:.1e}",
                         f"{abs(entropy - exact_entropy):.1e}"])
            print(*rows[-1], sep=" | ", flush=True)
    if args.markdown:
        print(format_table(headers, rows, markdown=True))


if __name__ == "__main__":
    main()
