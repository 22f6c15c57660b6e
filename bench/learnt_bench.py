"""Benchmark: the entanglement of a trained 8x8 digits CNN across the middle cut, by cross interpolation
with validated errors (cnn_bounds.learnt_entanglement.measure_cut), against the same engine with its
per-bond memory of two-site matrices switched off (the peer, in the same run).

The issue's target: the middle cut of an 8x8 digits CNN, validated error <= 1e-3, in under 5 minutes on
2 cores. The network: one 3x3 convolution layer of 8 channels, a dense read-out (30 epochs, seed 0);
the function: class 0's logit (a sum of window functions, so its interpolation is exact) or probability.

    python bench/learnt_bench.py                         # logit, rows:4 and cols:4
    python bench/learnt_bench.py --output probability --region rows:4
"""

from __future__ import annotations

import argparse
import contextlib
import time
from unittest import mock

from cnn_bounds.classifier import Architecture, accuracy, class_function, train_classifier
from cnn_bounds.cli import format_table
from cnn_bounds.data import load, split
from cnn_bounds.learnt_entanglement import measure_cut
from cnn_bounds.machine import configure_torch_threads
from numeric import tci
from numeric.lattice import parse_region


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", choices=("logit", "probability"), default="logit")
    parser.add_argument("--region", action="append", default=None)
    parser.add_argument("--tolerance", type=float, default=1e-6)
    parser.add_argument("--max-rank", type=int, default=160)
    parser.add_argument("--no-peer", action="store_true", help="Skip the run without the per-bond memory.")
    arguments = parser.parse_args()
    threads = configure_torch_threads()
    data = load("digits")
    training, held_out = split(data, 0.25, seed=0)
    network = train_classifier(training, Architecture(1, 8), seed=0)
    print(f"digits 8x8 binarised, n_c=1 D=8 flatten, held-out accuracy {accuracy(network, held_out):.4f}; "
          f"class 0 {arguments.output}; torch threads {threads}")
    function = class_function(network, data.lattice, 0, arguments.output)
    rows = []
    for spec in arguments.region or ["rows:4", "cols:4"]:
        label, region = parse_region(data.lattice, spec)
        engines = [("per-bond memory", None)] + ([] if arguments.no_peer else [("no memory (peer)", tci._grid)])
        for name, replacement in engines:
            patch = mock.patch.object(tci, "_known_grid", lambda evaluate, known, r, c: replacement(evaluate, r, c)) \
                if replacement else contextlib.nullcontext()
            start = time.perf_counter()
            with patch:
                cut = measure_cut(function, data.lattice, label, region, training.flat[training.labels == 0],
                                  held_out.flat, tolerance=arguments.tolerance, max_rank=arguments.max_rank)
            seconds = time.perf_counter() - start
            rows.append([label, name, f"{seconds:.1f}", f"{cut.evaluations:.3g}", cut.rank, cut.converged,
                         f"{cut.worst_error:.1e}", "-" if cut.entropy is None else f"{cut.entropy:.6f}"])
    print(format_table(["region", "engine", "seconds", "values of f", "rank", "converged", "held-out error", "S (nats)"],
                       rows, markdown=True))


if __name__ == "__main__":
    main()
