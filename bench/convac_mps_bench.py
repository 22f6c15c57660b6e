"""Benchmark: ConvACs contracted into MPSs (cnn_bounds.networks.convac.convac_mps) on 8x8 images (2^64 images, beyond
dense enumeration), against their min cut, with quimb as the peer for the spectrum.

For each architecture (random Gaussian weights, seed 0; column-major order, so the middle column cut is
bond 32): the float MPS's build time, largest bond, entropy across the middle cut with its bound (from the
discarded weight); the exact MPS over GF(p) (same seed, integer weights), whose bond there is the exact rank
mod p, and its time; the min cut's rank bound (cnn_bounds.networks.mincut). The peer: the same float MPS handed to
quimb (``MatrixProductState.entropy``, which canonicalises by its own sweeps): the entropies must agree.

    python bench/convac_mps_bench.py --markdown          # the README's table (about a minute)
"""

from __future__ import annotations

import argparse
import math
import time

from cnn_bounds.driver.cli import format_table
from cnn_bounds.networks.convac import ConvAC, ConvACSpec, convac_mps
from cnn_bounds.networks.mincut import min_cut
from numeric import Lattice, column_cut
from numeric.cuts import FLAGGED_ERROR, format_bound
from numeric.mps import MatrixProductState, bond_spectra
from numeric.precise import prime_for_sums

CASES = [
    ("overlapping, n_c = 1, D = 2", dict(channels=2, depth=1), True),
    ("overlapping, n_c = 1, D = 2, local read-out", dict(channels=2, depth=1, readout="local"), False),
    ("overlapping, n_c = 2, D = 2", dict(channels=2, depth=2), False),  # mod p: > 8 minutes, not run
    ("tree, n_c = 2, D = 3", dict(channels=3, depth=2, overlapping=False), True),
]


def quimb_entropy(state: MatrixProductState, bond: int) -> tuple[float, float]:
    import quimb.tensor as qtn

    arrays = list(state.cores)
    arrays[0], arrays[-1] = arrays[0][0], arrays[-1][:, :, 0]  # (p, r) and (l, p)
    start = time.perf_counter()
    peer = qtn.MatrixProductState(arrays, shape="lpr")
    peer.normalize()
    return float(peer.entropy(bond)) * math.log(2), time.perf_counter() - start  # quimb's entropy is in bits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", type=int, default=8)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    lattice = Lattice(args.side, args.side)
    order = [y * args.side + x for x in range(args.side) for y in range(args.side)]
    bond = lattice.n_pixels // 2
    headers = [
        "ConvAC",
        "float MPS (s)",
        "largest bond",
        "S middle (nats)",
        "bound (nats)",
        "quimb S (nats)",
        "quimb (s)",
        "rank mod p",
        "mod p (s)",
        "min-cut rank",
    ]
    rows = []
    for label, options, modular in CASES:
        spec = ConvACSpec(lattice, **options)
        start = time.perf_counter()
        state = convac_mps(ConvAC(spec, 0), order)
        spectrum = bond_spectra(state)[bond - 1]
        built = time.perf_counter() - start
        peer, peer_time = quimb_entropy(state, bond)
        rank, exact_time = "-", "-"
        if modular:
            start = time.perf_counter()
            rank = convac_mps(ConvAC(spec, 0, modulus=prime_for_sums(max(spec.channels, 2))), order).bond_dimensions[
                bond - 1
            ]
            exact_time = f"{time.perf_counter() - start:.1f}"
        cut = min_cut(spec, column_cut(lattice, args.side // 2)).rank_bound
        rows.append(
            [
                label,
                f"{built:.1f}",
                max(state.bond_dimensions),
                f"{spectrum.entropy():.3e}",
                format_bound(spectrum.entropy_error_bound),
                f"{peer:.3e}",
                f"{peer_time:.2f}",
                rank,
                exact_time,
                cut,
            ]
        )
        print(*rows[-1], sep=" | ", flush=True)
    if args.markdown:
        print(format_table(headers, rows, markdown=True))
    print(f"(! marks an error bound above {FLAGGED_ERROR:g} nats: the entropy is not certified to that accuracy)")


if __name__ == "__main__":
    main()
