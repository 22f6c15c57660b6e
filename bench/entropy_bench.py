"""Benchmark: our entanglement entropy against quimb's entropy_subsys and a plain numpy SVD, in one run.

Same random functions, same regions, median of several runs, peak memory from tracemalloc (numpy's
allocations are traced) relative to the function's own array. Regions are spread over the pixel order
(not a prefix), so every method must reorder the data. quimb is a benchmark-only dependency:
``pip install -e ".[bench]"``. Usage:

    python bench/entropy_bench.py --pixels 16 18 20 22 --repeats 3 [--markdown]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np

from numeric import entanglement_entropy


def spread_region(n_pixels: int, size: int) -> list[int]:
    """``size`` pixels spread evenly over 0..n_pixels-1."""
    return sorted({int(round(x)) for x in np.linspace(0, n_pixels - 1, size)})


def ours(values: np.ndarray, region: list[int], n_pixels: int) -> float:
    return entanglement_entropy(values, region)


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


METHODS = {"ours": ours, "quimb": quimb_entropy, "numpy svd": numpy_svd}


def measure(method, values, region, n_pixels, repeats) -> tuple[float, float, float]:
    """(median seconds, peak bytes / array bytes, entropy)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        entropy = method(values, region, n_pixels)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    method(values, region, n_pixels)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / values.nbytes, entropy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pixels", type=int, nargs="+", default=[16, 18, 20, 22])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table (for the README).")
    args = parser.parse_args()
    rows = []
    for n_pixels in args.pixels:
        values = np.random.default_rng(args.seed).standard_normal(2**n_pixels)
        for size in sorted({1, 2, 4, 8, n_pixels // 2} & set(range(1, n_pixels // 2 + 1))):
            region = spread_region(n_pixels, size)
            found = {name: measure(method, values, region, n_pixels, args.repeats) for name, method in METHODS.items()}
            entropies = [f[2] for f in found.values()]
            if max(entropies) - min(entropies) > 1e-8:
                raise SystemExit(f"methods disagree at N={n_pixels}, |A|={size}: {entropies}")
            rows.append((n_pixels, size, found))
            print(f"N={n_pixels} |A|={size}: " + ", ".join(f"{k} {v[0]:.4f}s" for k, v in found.items()), flush=True)
    header = ["N", "|A|", "ours (s)", "quimb (s)", "numpy SVD (s)", "ours/quimb", "ours/SVD",
              "peak mem ours", "quimb", "SVD"]
    lines = [header]
    for n_pixels, size, found in rows:
        t = {k: v[0] for k, v in found.items()}
        m = {k: v[1] for k, v in found.items()}
        lines.append([str(n_pixels), str(size), f"{t['ours']:.4f}", f"{t['quimb']:.4f}", f"{t['numpy svd']:.4f}",
                      f"{t['ours'] / t['quimb']:.2f}", f"{t['ours'] / t['numpy svd']:.2f}",
                      f"{m['ours']:.2f}x", f"{m['quimb']:.2f}x", f"{m['numpy svd']:.2f}x"])
    if args.markdown:
        print("| " + " | ".join(lines[0]) + " |")
        print("|" + "---|" * len(lines[0]))
        for line in lines[1:]:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            print("  ".join(cell.rjust(w) for cell, w in zip(line, widths)))


if __name__ == "__main__":
    main()
