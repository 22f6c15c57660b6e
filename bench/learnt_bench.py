"""Benchmark: the entanglement of a trained digits CNN across a cut, by cross interpolation with validated
errors (cnn_bounds.verdicts.learnt_cnns.measure_cut), against peers in the same run: the same engine with
the network evaluated image by image instead of by its grid (first convolution once per part,
cnn_bounds.networks.relu_cnn.ReluCNN.grid), and without the per-bond memory of two-site matrices.

The targets: the middle cut, validated error <= 1e-3, in under 5 minutes for 8x8 digits and 30
minutes for 14x14 (MNIST pooled 2x2) on 2 cores. The network: one 3x3 convolution layer of 8 channels, a
dense read-out (30 epochs, seed 0); the function: class 0's logit (a sum of window functions, so its
interpolation is exact) or probability.

    python bench/learnt_bench.py                                  # 8x8 digits, logit, rows:4 and cols:4
    python bench/learnt_bench.py --data mnist --pool 2 --region rows:7 --peer none
    python bench/learnt_bench.py --output probability --region rows:4
"""

from __future__ import annotations

import argparse
import contextlib
import time
from unittest import mock

from cnn_bounds.driver.cli import format_table
from cnn_bounds.driver.machine import deliberate_threads
from cnn_bounds.networks.classifier import Architecture, accuracy, class_function, train_classifier
from cnn_bounds.networks.data import load, split
from cnn_bounds.verdicts.learnt_cnns import measure_cut
from numeric import tci
from numeric.lattice import parse_region

PEERS = ("grid", "memory")


def _engines(function, peers):
    """(name, the function handed to the engine, a context that changes the engine) for the default engine
    and each peer."""
    yield "grid + per-bond memory", function, contextlib.nullcontext()
    if "grid" in peers:  # a plain callable: numeric.tci joins the images and calls it on every one
        yield "no grid (peer)", lambda images: function(images), contextlib.nullcontext()
    if "memory" in peers:
        yield (
            "no memory (peer)",
            function,
            mock.patch.object(tci, "_known_grid", lambda evaluate, known, rows, columns: evaluate.grid(rows, columns)),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("digits", "mnist"), default="digits")
    parser.add_argument("--pool", type=int, default=1)
    parser.add_argument("--output", choices=("logit", "probability"), default="logit")
    parser.add_argument("--region", action="append", default=None)
    parser.add_argument("--tolerance", type=float, default=1e-6)
    parser.add_argument("--max-rank", type=int, default=160)
    parser.add_argument("--max-sweeps", type=int, default=8)
    parser.add_argument(
        "--peer",
        action="append",
        choices=(*PEERS, "none"),
        default=None,
        help="Peers to run beside the default engine (repeatable; default: both).",
    )
    arguments = parser.parse_args()
    peers = PEERS if arguments.peer is None else [p for p in arguments.peer if p != "none"]
    threads = deliberate_threads()
    data = load(arguments.data, pool=arguments.pool)
    training, held_out = split(data, 0.25, seed=0)
    network = train_classifier(training, Architecture(1, 8), seed=0)
    lattice = data.lattice
    print(
        f"{data.name}, n_c=1 D=8 flatten, held-out accuracy "
        f"{accuracy(network, held_out):.4f}; class 0 {arguments.output}; torch threads {threads}"
    )
    function = class_function(network, lattice, 0, arguments.output)
    rows = []
    middle = f"rows:{lattice.height // 2}"
    for spec in arguments.region or [middle, f"cols:{lattice.width // 2}"]:
        label, region = parse_region(lattice, spec)
        for name, engine_function, context in _engines(function, peers):
            start = time.perf_counter()
            with context:
                cut = measure_cut(
                    engine_function,
                    lattice,
                    label,
                    region,
                    training.flat[training.labels == 0],
                    held_out.flat,
                    tolerance=arguments.tolerance,
                    max_rank=arguments.max_rank,
                    max_sweeps=arguments.max_sweeps,
                )
            seconds = time.perf_counter() - start
            rows.append(
                [
                    label,
                    name,
                    f"{seconds:.1f}",
                    f"{cut.evaluations:.3g}",
                    cut.rank,
                    cut.converged,
                    f"{cut.worst_error:.1e}",
                    "-" if cut.entropy is None else f"{cut.entropy:.6f}",
                ]
            )
            print(
                format_table(
                    ["region", "engine", "seconds", "values of f", "rank", "converged", "held-out error", "S (nats)"],
                    rows[-1:],
                    markdown=True,
                ),
                flush=True,
            )
    print(
        format_table(
            ["region", "engine", "seconds", "values of f", "rank", "converged", "held-out error", "S (nats)"],
            rows,
            markdown=True,
        )
    )


if __name__ == "__main__":
    main()
