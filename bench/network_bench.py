"""Benchmark: target functions and network outputs on all d^N images, streamed chunk by chunk.

For each lattice, times building a local target (pattern-present, float64 and float32), a random
function, and evaluating a ConvAC (D = 2, n_c = 2, 2x2 windows) and the default small ReLU CNN (8
channels, 2 conv layers, 3x3) on every image with ``evaluate_on_all_images``. The peer is the same
network called image by image (timed on 4096 images and scaled to d^N): what streaming in chunks saves.

    python bench/network_bench.py --shapes 5x4 6x4 --markdown
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from cnn_bounds.driver.machine import deliberate_threads
from cnn_bounds.networks.convac import ConvAC, ConvACSpec, all_images, evaluate_on_all_images
from cnn_bounds.verdicts.trained_cnns import ReluCNN
from numeric import Lattice
from numeric.catalog import build_target
from numeric.lattice import parse_shape

SAMPLE = 4096


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@torch.no_grad()
def image_by_image(network: torch.nn.Module, lattice: Lattice) -> float:
    """Seconds for all d^N images when the network sees one image per call (measured on SAMPLE images)."""
    images = all_images(lattice, 0, SAMPLE)
    elapsed = seconds(lambda: [network(image[None]) for image in images])
    return elapsed * lattice.n_images / SAMPLE


def rows_for(lattice: Lattice) -> list[list[str]]:
    torch.manual_seed(0)
    convac = ConvAC(ConvACSpec(lattice, 2, 2, 2), 0)
    cnn = ReluCNN(lattice.levels, 8, 2).eval()
    jobs = [
        ("pattern-present (float64)", lambda: build_target("pattern-present", lattice), None),
        ("pattern-present (float32)", lambda: build_target("pattern-present", lattice, 0, np.float32), None),
        ("random-gaussian (float64)", lambda: build_target("random-gaussian", lattice), None),
        ("ConvAC D=2 n_c=2 (float64)", lambda: evaluate_on_all_images(convac, lattice), convac),
        ("ReLU CNN 8ch x 2 (float32)", lambda: evaluate_on_all_images(cnn, lattice, dtype=np.float32), cnn),
    ]
    rows = []
    for name, work, network in jobs:
        elapsed = seconds(work)
        peer = image_by_image(network, lattice) if network is not None else None
        rows.append(
            [
                f"{lattice.width}x{lattice.height}",
                str(lattice.n_pixels),
                name,
                f"{elapsed:.2f}",
                f"{lattice.n_images / elapsed / 1e6:.1f}",
                f"{peer:.0f}" if peer else "-",
                f"{elapsed / peer:.4f}" if peer else "-",
            ]
        )
        print(" ".join(rows[-1]), flush=True)
    return rows


HEADER = ["lattice", "N", "what", "seconds", "M images/s", "image by image (s)", "ratio"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["5x4", "6x4"], metavar="WxH")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table (for the README).")
    args = parser.parse_args()
    print(f"torch threads: {deliberate_threads()}", flush=True)
    rows = [row for shape in args.shapes for row in rows_for(Lattice(*parse_shape(shape)))]
    if args.markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
        for row in [HEADER, *rows]:
            print("  ".join(c.rjust(w) for c, w in zip(row, widths)))


if __name__ == "__main__":
    main()
