"""Benchmark: our entanglement entropy against quimb's entropy_subsys and a plain numpy SVD, in one run.

Same random function, same regions, median of several runs, and peak memory from tracemalloc (numpy's
allocations are traced; LAPACK's internal workspace is not) relative to the function's own array (the
float32 array for our float32 path). Regions are spread over the pixel order (not a prefix), so every
method must reorder the data. quimb is a benchmark-only dependency: ``pip install -e ".[bench]"``.

    python bench/entropy_bench.py --pixels 16 18 20 22 24 26 --large-repeats 3 --runs 3 --markdown
    python bench/entropy_bench.py --pixels 28 --no-peers          # our float64 and float32 paths only
    python bench/entropy_bench.py --all-cuts 5x4 6x4              # many cuts of one function: shared or not
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from numeric import Lattice, lapack, rectangles, schmidt_spectra, schmidt_spectrum, straight_cuts
from numeric.lattice import parse_shape


def spread_region(n_pixels: int, size: int) -> list[int]:
    """``size`` pixels spread evenly over 0..n_pixels-1."""
    return sorted({int(round(x)) for x in np.linspace(0, n_pixels - 1, size)})


def quimb_entropy(values: np.ndarray, region: list[int], n_pixels: int) -> float:
    from quimb import entropy_subsys

    state = (values / np.linalg.norm(values)).reshape(-1, 1)
    return float(entropy_subsys(state, [2] * n_pixels, region, approx_thresh=None)) * np.log(2)  # quimb: bits


def numpy_svd(values: np.ndarray, region: list[int], n_pixels: int) -> float:
    rest = [p for p in range(n_pixels) if p not in region]
    matrix = values.reshape((2,) * n_pixels).transpose(region + rest).reshape(2 ** len(region), -1)
    sigma = np.linalg.svd(matrix, compute_uv=False)
    p = sigma**2 / np.sum(sigma**2)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


MIN_SECONDS, MAX_REPEATS = 1.0, 200


def measure(method: Callable[[], float], nbytes: int, repeats: int) -> tuple[float, float, float]:
    """(median seconds, peak traced bytes / nbytes, entropy). A first, traced run measures memory and warms
    up; then at least ``repeats`` timed runs, more (up to MAX_REPEATS) until they add up to MIN_SECONDS,
    so that sub-millisecond rows are not at the mercy of one noisy run. With ``repeats=0`` the traced run
    is the timed one (for rows that take minutes)."""
    tracemalloc.start()
    start = time.perf_counter()
    entropy = method()
    times = [time.perf_counter() - start]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if repeats:
        times = []
        while len(times) < repeats or (sum(times) < MIN_SECONDS and len(times) < MAX_REPEATS):
            start = time.perf_counter()
            method()
            times.append(time.perf_counter() - start)
    return statistics.median(times), peak / nbytes, entropy


def region_rows(args: argparse.Namespace) -> list[list[str]]:
    lapack.available()  # load MKL (torch's import) before any memory is traced
    rows = []
    for n_pixels in args.pixels:
        values = np.random.default_rng(args.seed).standard_normal(2**n_pixels)
        single = values.astype(np.float32)
        repeats = args.repeats if n_pixels <= 24 else args.large_repeats
        for size in sorted({1, 2, 4, 8, n_pixels // 2} & set(range(1, n_pixels // 2 + 1))):
            region = spread_region(n_pixels, size)
            found = {
                "ours": measure(lambda: schmidt_spectrum(values, region).entropy(), values.nbytes, repeats),
                "f32": measure(
                    lambda: schmidt_spectrum(single, region, precision="float32").entropy(), single.nbytes, repeats
                ),
            }
            bound = schmidt_spectrum(single, region, precision="float32").entropy_error_bound
            if args.peers:
                found["quimb"] = measure(lambda: quimb_entropy(values, region, n_pixels), values.nbytes, repeats)
                if n_pixels <= args.max_svd_pixels:
                    found["svd"] = measure(lambda: numpy_svd(values, region, n_pixels), values.nbytes, repeats)
            doubles = [v[2] for k, v in found.items() if k != "f32"]
            if max(doubles) - min(doubles) > 1e-8 or abs(found["f32"][2] - found["ours"][2]) > bound:
                raise SystemExit(
                    f"methods disagree at N={n_pixels}, |A|={size}: { {k: v[2] for k, v in found.items()} }"
                )
            t = {k: v[0] for k, v in found.items()}
            m = {k: f"{v[1]:.2f}x" for k, v in found.items()}
            ratio = lambda peer: f"{t['ours'] / t[peer]:.2f}" if peer in t else "-"  # noqa: E731
            rows.append(
                [
                    str(n_pixels),
                    str(size),
                    f"{t['ours']:.4f}",
                    f"{t['f32']:.4f}",
                    f"{t['quimb']:.4f}" if "quimb" in t else "-",
                    f"{t['svd']:.4f}" if "svd" in t else "-",
                    ratio("quimb"),
                    ratio("svd"),
                    f"{t['f32'] / t['ours']:.2f}",
                    m["ours"],
                    m["f32"],
                    m.get("quimb", "-"),
                    m.get("svd", "-"),
                    f"{bound:.1e}",
                ]
            )
            print(" ".join(rows[-1]), flush=True)
    return rows


REGION_HEADER = [
    "N",
    "|A|",
    "ours (s)",
    "ours f32 (s)",
    "quimb (s)",
    "numpy SVD (s)",
    "ours/quimb",
    "ours/SVD",
    "f32/ours",
    "peak ours",
    "f32",
    "quimb",
    "SVD",
    "f32 bound (nats)",
]


def all_cut_rows(args: argparse.Namespace) -> list[list[str]]:
    """Every straight cut and every rectangle of at most N/2 pixels: shared (schmidt_spectra) or one by one."""
    rows = []
    for shape in args.all_cuts:
        lattice = Lattice(*parse_shape(shape))
        values = np.random.default_rng(args.seed).standard_normal(lattice.n_images)
        regions = list({tuple(r): None for r in [*straight_cuts(lattice).values(), *rectangles(lattice).values()]})
        start = time.perf_counter()
        shared = schmidt_spectra(values, regions, progress=True)
        middle = time.perf_counter()
        alone = [schmidt_spectrum(values, region) for region in regions]
        end = time.perf_counter()
        worst = max(abs(a.entropy() - b.entropy()) for a, b in zip(shared, alone))
        rows.append(
            [
                shape,
                str(len(regions)),
                f"{middle - start:.2f}",
                f"{end - middle:.2f}",
                f"{(middle - start) / (end - middle):.2f}",
                f"{worst:.1e}",
            ]
        )
        print(" ".join(rows[-1]), flush=True)
    return rows


ALL_CUTS_HEADER = ["lattice", "cuts", "shared (s)", "one by one (s)", "shared/one by one", "largest difference (nats)"]


def show(header: list[str], rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(header).replace("|A|", "\\|A\\|") + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(line, widths)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pixels", type=int, nargs="*", default=[16, 18, 20, 22])
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="Least timed runs per row after a traced warm-up run, more until they add up to 1 s "
        "(N > 24: the traced run only); the median is shown.",
    )
    parser.add_argument(
        "--large-repeats",
        type=int,
        default=0,
        help="Timed runs per row for N > 24 after the traced run (default 0: the traced run is the timed one).",
    )
    parser.add_argument(
        "--peers", action=argparse.BooleanOptionalAction, default=True, help="Also time quimb and numpy."
    )
    parser.add_argument("--max-svd-pixels", type=int, default=24, help="Skip the numpy SVD above this N (minutes).")
    parser.add_argument("--all-cuts", nargs="*", default=[], metavar="WxH", help="Time every cut of these lattices.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="Print Markdown tables (for the README).")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="Whole runs of the region table; with more than one, also each row's ours/quimb over the runs and "
        "its median (the last run's table is shown).",
    )
    args = parser.parse_args()
    runs = [region_rows(args) for _ in range(args.runs)] if args.pixels else [[]]
    region_table = runs[-1]
    cut_table = all_cut_rows(args)
    if region_table:
        show(REGION_HEADER, region_table, args.markdown)
    if len(runs) > 1 and args.peers:
        column = REGION_HEADER.index("ours/quimb")
        ratios = [[float(run[i][column]) for run in runs] for i in range(len(region_table))]
        show(
            ["N", "|A|", *[f"run {r + 1}" for r in range(len(runs))], "median ours/quimb"],
            [
                [row[0], row[1], *[f"{x:.2f}" for x in found], f"{statistics.median(found):.2f}"]
                for row, found in zip(region_table, ratios)
            ],
            args.markdown,
        )
    if cut_table:
        show(ALL_CUTS_HEADER, cut_table, args.markdown)


if __name__ == "__main__":
    main()
