"""Wall time of the toolkit's two kinds of work, quiet and beside other jobs, per thread setting.

A user's machine always runs something else. This measures how much slower two workloads get beside
(a) one single-threaded busy loop and (b) a two-thread BLAS job (numpy matrix products), against the same
workload on a quiet machine, in one run, for each thread setting:

- ``training``: small ReLU CNNs trained on 4x4 images (torch), as in ``cnn-bounds train-sweep``;
- ``spectra``: exact Schmidt spectra of every straight cut and rectangle of 5x4 targets (numpy / LAPACK),
  as in the report's lattice stage.

Thread settings: ``all-cores`` (torch's intra-op threads and BLAS on every usable CPU, the naive choice)
and ``deliberate`` (:func:`cnn_bounds.driver.machine.deliberate_threads`: what the toolkit does).
Each timing runs the workload in a fresh process (so a setting is never inherited), ``--repeats`` times;
the median is reported, and its ratio to the quiet all-cores median. Goals: at most 2.2x beside the busy
loop, at most 3x beside the BLAS job, and quiet times no slower than all-cores.

    python bench/load_bench.py                 # about 6 minutes on 2 cores
    python bench/load_bench.py --repeats 1     # a quicker look
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time

WORKLOADS = ("training", "spectra")
SETTINGS = ("all-cores", "deliberate")
LOADS = ("quiet", "busy loop", "2-thread BLAS")


def run_workload(workload: str, setting: str) -> tuple[float, int]:
    """Seconds for one workload under one thread setting (in this process, which must be fresh), and the
    threads it ran with."""
    importlib.import_module("scipy.linalg")  # every BLAS loaded before the limits are set
    import torch
    from threadpoolctl import threadpool_limits

    from cnn_bounds.driver.machine import deliberate_threads, usable_cpus
    from cnn_bounds.verdicts.trained_cnns import measure, training_targets
    from numeric import Lattice, default_regions, schmidt_spectra
    from numeric.catalog import build_target

    if setting == "deliberate":
        threads = deliberate_threads()
    else:
        threads = usable_cpus()
        torch.set_num_threads(threads)
        threadpool_limits(threads)
    start = time.perf_counter()
    if workload == "training":
        lattice = Lattice(4, 4)
        target = training_targets(lattice, 0)[0]
        for seed in range(3):
            for head in ("pool", "flatten"):
                measure(lattice, target, 8, 2, head, seed, 600)
    else:
        lattice = Lattice(5, 4)
        regions = list(default_regions(lattice).values())
        for name in ("pattern-present", "count-threshold", "majority", "random-gaussian"):
            schmidt_spectra(build_target(name, lattice), regions, levels=2)
    return time.perf_counter() - start, threads


def _busy_loop() -> None:
    while True:
        pass


def _blas_job() -> None:
    import numpy as np
    from threadpoolctl import threadpool_limits

    threadpool_limits(2)
    a = np.random.default_rng(0).standard_normal((1500, 1500))
    while True:
        a @ a


def timed(workload: str, setting: str) -> tuple[float, int]:
    """Run the workload in a fresh interpreter: its own timing (imports excluded) and thread count."""
    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); import load_bench; "
        f"print(*load_bench.run_workload({workload!r}, {setting!r}))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    seconds, threads = output.strip().splitlines()[-1].split()
    return float(seconds), int(threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loads", default=",".join(LOADS), help="comma-separated subset of: " + ", ".join(LOADS))
    parser.add_argument("--json", help="also write the table to this file")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    rows = []
    loads = [load for load in LOADS if load in args.loads.split(",")]
    for load in loads:
        background = None
        if load != "quiet":
            background = context.Process(target=_busy_loop if load == "busy loop" else _blas_job, daemon=True)
            background.start()
            time.sleep(2)
        try:
            for workload in WORKLOADS:
                for setting in SETTINGS:
                    runs = [timed(workload, setting) for _ in range(args.repeats)]
                    times = [seconds for seconds, _ in runs]
                    rows.append(
                        {
                            "load": load,
                            "workload": workload,
                            "setting": setting,
                            "threads": [t for _, t in runs],
                            "median_s": statistics.median(times),
                            "times_s": times,
                        }
                    )
                    print(
                        f"{load:14s} {workload:9s} {setting:11s} {statistics.median(times):7.2f} s "
                        f"(threads {sorted({t for _, t in runs})})",
                        flush=True,
                    )
        finally:
            if background is not None:
                background.terminate()
                background.join()
    if "quiet" in loads:
        quiet = {r["workload"]: r["median_s"] for r in rows if r["load"] == "quiet" and r["setting"] == "all-cores"}
        print("\nmedian time / the quiet all-cores median (the naive setting):")
        print(f"{'workload':9s} {'setting':11s} " + " ".join(f"{load:>14s}" for load in loads))
        for workload in WORKLOADS:
            for setting in SETTINGS:
                ratios = [
                    next(
                        r["median_s"]
                        for r in rows
                        if (r["load"], r["workload"], r["setting"]) == (load, workload, setting)
                    )
                    / quiet[workload]
                    for load in loads
                ]
                print(f"{workload:9s} {setting:11s} " + " ".join(f"{ratio:13.2f}x" for ratio in ratios))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
