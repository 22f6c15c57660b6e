"""Benchmark: the exact tensor-network engine (numeric.feature_mps) at image sizes dense enumeration cannot
reach, and against quimb on the same exact MPS.

The peer: the automaton's MPS (0/1 cores, exact) handed to quimb, whose ``MatrixProductState.entropy``
canonicalises by QR/SVD sweeps and takes the SVD at the bond; our engine joins the two sides' automata
instead (:func:`numeric.feature_mps.feature_cut`). Same target, same cut, both exact: the entropies must
agree, and the ratio of times is what the README quotes. quimb is a bench dependency
(``pip install -e ".[bench]"``).

    python bench/tn_bench.py --markdown                      # the README's tables (about 10 minutes)
    python bench/tn_bench.py --cuts 8 --squares 12 --markdown
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from cnn_bounds.driver.cli import format_table
from numeric import Lattice, TooLargeError, column_cut, rectangle, straight_cuts
from numeric.cuts import FLAGGED_ERROR, format_bound
from numeric.feature_mps import FeatureMPS, feature_cut, feature_mps, reading_order


def as_quimb(mps: FeatureMPS):
    """The automaton MPS as a quimb MatrixProductState (dense cores A[q, q', s] = [delta(q, s) = q'], the
    output folded into the last core)."""
    import quimb.tensor as qtn

    levels = mps.lattice.levels
    arrays = []
    for t, table in enumerate(mps.transitions):
        states, following = table.shape[0], (mps.transitions[t + 1].shape[0] if t + 1 < len(mps.transitions) else None)
        if following is None:
            core = mps.output[table]  # (l, p)
        else:
            core = np.zeros((states, following, levels))
            for value in range(levels):
                core[np.arange(states), table[:, value], value] = 1.0
        arrays.append(core[0] if t == 0 else core)
    state = qtn.MatrixProductState(arrays, shape="lrp")
    state.normalize()  # quimb's entropy takes the state as normalised
    return state


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def pattern(size: int) -> np.ndarray:
    return np.ones((size, size), dtype=np.int64)


def every_straight_cut(side: int, sizes: list[int], peer: bool) -> list[list[str]]:
    rows = []
    for size in sizes:
        lattice = Lattice(side, side, 2)
        cuts = straight_cuts(lattice)
        results, seconds = timed(lambda: [feature_cut(lattice, pattern(size), region) for region in cuts.values()])
        largest = max(max(cut.states) for cut in results)
        row = [
            f"{side}x{side}",
            f"xi={size}",
            f"every straight cut ({len(cuts)})",
            f"{seconds:.2f}",
            str(largest),
            f"{max(cut.spectrum.entropy() for cut in results):.6f}",
            format_bound(max(cut.spectrum.entropy_error_bound for cut in results)),
        ]
        if peer:
            import quimb  # noqa: F401  (fail early if the bench extra is missing)

            def quimb_all():
                entropies = []
                for region in cuts.values():
                    order, bond = reading_order(lattice, region)
                    state = as_quimb(feature_mps(lattice, pattern(size), order=order))
                    entropies.append(state.entropy(bond) * math.log(2))  # quimb reports bits
                return entropies

            theirs, their_seconds = timed(quimb_all)
            worst = max(abs(a - b.spectrum.entropy()) for a, b in zip(theirs, results))
            row += [f"{their_seconds:.2f}", f"{their_seconds / seconds:.1f}x", f"{worst:.1e}"]
        rows.append(row)
    return rows


def middle_cut(side: int, size: int) -> list[str]:
    lattice = Lattice(side, side, 2)
    try:
        cut, seconds = timed(lambda: feature_cut(lattice, pattern(size), column_cut(lattice, side // 2)))
    except TooLargeError as refusal:
        return [f"{side}x{side}", f"xi={size}", "middle cut", "refused", "", "", str(refusal).split(";")[0]]
    return [
        f"{side}x{side}",
        f"xi={size}",
        "middle cut",
        f"{seconds:.1f}",
        str(max(cut.states)),
        f"{cut.spectrum.entropy():.6f}",
        format_bound(cut.spectrum.entropy_error_bound),
        f"density {cut.density:.4f}",
    ]


def centred_squares(side: int, sizes: list[int], largest: int) -> list[list[str]]:
    rows = []
    for size in sizes:
        for length in range(1, largest + 1):
            lattice = Lattice(side, side, 2)
            corner = (side - length) // 2
            region = rectangle(lattice, corner, corner, length, length)
            try:
                cut, seconds = timed(lambda: feature_cut(lattice, pattern(size), region))
            except TooLargeError as refusal:
                rows.append(
                    [
                        f"{side}x{side}",
                        f"xi={size}",
                        f"{length}x{length}",
                        "refused",
                        "",
                        "",
                        "",
                        str(refusal).split(";")[0],
                    ]
                )
                break
            rows.append(
                [
                    f"{side}x{side}",
                    f"xi={size}",
                    f"{length}x{length}",
                    f"{seconds:.1f}",
                    str(max(cut.states)),
                    f"{cut.spectrum.entropy():.6f}",
                    format_bound(cut.spectrum.entropy_error_bound),
                    f"{cut.density:.4f}",
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuts", type=int, default=8, help="side of the image whose straight cuts are all timed")
    parser.add_argument("--peer-side", type=int, default=8, help="largest side on which quimb is timed too")
    parser.add_argument("--middle", type=int, nargs="*", default=[12, 14, 16], help="sides for the middle cut")
    parser.add_argument("--squares", type=int, default=12, help="side of the image with centred l x l squares")
    parser.add_argument("--largest-square", type=int, default=6)
    parser.add_argument("--markdown", action="store_true")
    options = parser.parse_args()
    rows = every_straight_cut(options.cuts, [2, 3], peer=options.cuts <= options.peer_side)
    print(
        format_table(
            [
                "image",
                "window",
                "cuts",
                "ours (s)",
                "largest state count",
                "max S (nats)",
                "max bound",
                "quimb (s)",
                "quimb / ours",
                "max |dS|",
            ],
            rows,
            options.markdown,
        ),
        flush=True,
    )
    rows = [middle_cut(side, size) for side in options.middle for size in (2, 3)]
    print(
        format_table(
            ["image", "window", "cut", "seconds", "states", "S (nats)", "bound", "note"], rows, options.markdown
        ),
        flush=True,
    )
    rows = centred_squares(options.squares, [2, 3], options.largest_square)
    print(
        format_table(
            ["image", "window", "square", "seconds", "states", "S (nats)", "bound", "density"], rows, options.markdown
        ),
        flush=True,
    )
    print(f"(! marks an error bound above {FLAGGED_ERROR:g} nats: not certified to that accuracy)")


if __name__ == "__main__":
    main()
