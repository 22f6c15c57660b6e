"""Benchmark: tensor cross interpolation (numeric.tci) on 8x8 images (2^64 images), against the exact tensor
networks, over several seeds: what sampled validation sees, and what it misses.

For each function with an exact MPS (the automaton of "some xi x xi window all ones", xi = 2, 3; a random
ConvAC contracted by cnn_bounds.networks.convac.convac_mps) and each seed: the time, function values used, whether
the sweeps converged, the largest bond, the bonds whose rank stayed below the exact Schmidt rank, the
largest relative error on held-out images (10^4 each: uniform and at densities 0.1, 0.3, 0.7, 0.9), the
entropy error estimated from the uniform sample, and the truth from the exact MPS: ||f/|f| - f~/|f~| ||
(numeric.mps.difference_norm; the exact ConvAC MPS is f up to a constant) and |S - S_exact| across the
middle column cut (column-major order, bond 32). The local targets are evaluated by grids (numeric.feature_grid)
or, with ``--evaluate joined`` (or ``grid joined``, side by side), on the joined images. ``--search replica``
(or ``single replica``, side by side) runs two crosses in lockstep that sample the images where they differ
(``cross_interpolate(replica=True)``); its values of f are both crosses'.

With ``--tree``: tree ConvACs (2x2 windows, stride 2, n_c = log2 side) with orthogonal weights, so that every
subtree's Gram matrix is the identity and the exact spectrum across the middle column cut is a_j^2 / |a|^2
(cnn_bounds.networks.convac_classifier.top_cut_probabilities computes it from the Gram matrices); the cross is read in
the tree's order (cnn_bounds.networks.convac.tree_order). Random Gaussian weights would make the score a product of
side^2 factors whose largest values dominate the uniform measure (S ~ 0 at 16x16: nothing to check).

    python bench/tci_bench.py --search single replica --markdown   # the docs table (about 20 minutes)
    python bench/tci_bench.py --side 7 --only 3x3 --evaluate grid joined --markdown
    python bench/tci_bench.py --only 3x3 --search single replica --markdown
    python bench/tci_bench.py --tree --side 16    # 2^256 images against the exact top cut
"""

from __future__ import annotations

import argparse
import itertools
import math
import time

import numpy as np
import torch

from cnn_bounds.driver.cli import format_table
from cnn_bounds.networks.convac import ConvAC, ConvACSpec, batched_function, convac_mps, tree_order
from cnn_bounds.networks.convac_classifier import top_cut_probabilities, tree_spec
from numeric import Lattice
from numeric.entanglement import entropy_of_probabilities
from numeric.feature_grid import LocalFeatureFunction
from numeric.feature_mps import as_matrix_product_state, automaton_values, feature_mps
from numeric.mps import MatrixProductState, bond_spectra, difference_norm, norm
from numeric.tci import cross_interpolate, in_order, sample_configurations, sampled_entropy_error, validate


def normalised(state: MatrixProductState) -> MatrixProductState:
    """f / ||f||: the exact ConvAC MPS is f up to a constant (its factors are scaled), and spectra only see
    the direction."""
    cores = list(state.cores)
    cores[-1] = cores[-1] / norm(state)
    return MatrixProductState(tuple(cores))


def cases(side: int, evaluations: tuple[str, ...]):
    """(label, evaluation, f on images, its exact MPS, the pixel order). The local targets are evaluated by
    grids ("grid": numeric.feature_grid's compiled counting, one run per prefix and suffix) or on the joined
    images ("joined": the automaton run on every image), the same function either way."""
    lattice = Lattice(side, side)
    order = [y * side + x for x in range(side) for y in range(side)]
    for size in (2, 3):
        automaton = feature_mps(lattice, np.ones((size, size), dtype=int), order=order)
        functions = {
            "grid": LocalFeatureFunction(lattice, np.ones((1, size, size), dtype=int), "or", 1, labels="01"),
            "joined": lambda images, a=automaton: automaton_values(a, images),
        }
        for evaluation in evaluations:
            yield (
                f"some {size}x{size} window all ones",
                evaluation,
                functions[evaluation],
                as_matrix_product_state(automaton),
                order,
            )
    network = ConvAC(ConvACSpec(lattice, channels=2, depth=1, readout="local"), 0)
    yield (
        "ConvAC, n_c = 1, D = 2, local read-out",
        "grid",
        batched_function(network, lattice),
        convac_mps(network, order),
        order,
    )


def orthogonal_tree_convac(side: int, channels: int, seed: int) -> ConvAC:
    """A tree ConvAC on side x side binary images whose representation rows and block matrices are orthonormal
    (QR of Gaussian matrices from ``seed``) and whose read-out is Gaussian."""
    network = ConvAC(tree_spec(Lattice(side, side), channels, int(math.log2(side))), seed)
    generator = torch.Generator().manual_seed(seed)

    def orthogonal() -> torch.Tensor:
        return torch.linalg.qr(torch.randn(channels, channels, generator=generator, dtype=torch.float64))[0]

    with torch.no_grad():
        network.representation.copy_(orthogonal()[:2])
        for weights in network.blocks:
            for i in range(2):
                for j in range(2):
                    weights[i, j].copy_(orthogonal())
    return network


def tree_rows(side: int, channels: int, seeds: int, max_rank: int) -> list[list]:
    """Cross interpolation (tolerance 1e-6, settle 'each') of orthogonal tree ConvACs in the tree's order
    against the exact S across the middle column cut."""
    rows = []
    lattice = Lattice(side, side)
    region = [y * side + x for y in range(side) for x in range(side // 2)]
    for seed in range(seeds):
        network = orthogonal_tree_convac(side, channels, seed)
        exact = entropy_of_probabilities(top_cut_probabilities(network, region))
        order, bond = tree_order(network.spec, region)
        function = in_order(batched_function(network, lattice), order)
        dims = [2] * lattice.n_pixels
        start = time.perf_counter()
        result = cross_interpolate(function, dims, tolerance=1e-6, max_rank=max_rank, seed=seed)
        seconds = time.perf_counter() - start
        checks = validate(result.state, function, sample_configurations(dims, 2000, seed=1000 + seed))
        entropy = bond_spectra(result.state)[bond - 1].entropy()
        rows.append(
            [
                f"tree ConvAC {side}x{side}, n_c = {int(math.log2(side))}, D = {channels}, orthogonal",
                seed,
                f"{seconds:.1f}",
                f"{result.evaluations:.2e}",
                "yes" if result.converged else "no",
                max(result.ranks),
                f"{max(c.relative_max for c in checks.values()):.1e}",
                f"{exact:.6f}",
                f"{abs(entropy - exact):.1e}",
            ]
        )
        print(*rows[-1], sep=" | ", flush=True)
    return rows


def teneva_peer() -> list[str]:
    """teneva's TT-cross (MIT; pip install teneva) on 6x6 images, "some 3x3 window all ones" (2.5 % positive,
    middle rank 28), rank-adaptive (dr_max = 2) from a random rank-1 start, its own stopping rule (e =
    1e-10), at most 8 sweeps; then its largest error on held-out images, as for ours."""
    import teneva

    lattice = Lattice(6, 6)
    automaton = feature_mps(lattice, np.ones((3, 3), dtype=int))
    function = lambda images: automaton_values(automaton, np.asarray(images))  # noqa: E731
    start, info = time.perf_counter(), {}
    with np.errstate(all="ignore"):
        tensor = teneva.cross(function, teneva.rand([2] * 36, 1, seed=0), e=1e-10, nswp=8, dr_max=2, info=info)
        checks = {
            name: np.max(np.abs(teneva.get_many(tensor, sample) - function(sample)))
            for name, sample in sample_configurations([2] * 36, 10_000, seed=7).items()
        }
    return [
        "teneva.cross, 6x6, some 3x3 all ones",
        f"{time.perf_counter() - start:.1f}",
        f"{info.get('m', 0):.2e}",
        str(info.get("stop")),
        str(max(teneva.ranks(tensor))),
        f"{max(checks.values()):.1e}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", default="", help="run only the functions whose label contains this")
    parser.add_argument("--peer", action="store_true", help="also time teneva's cross (pip install teneva)")
    parser.add_argument(
        "--evaluate",
        nargs="+",
        choices=("grid", "joined"),
        default=["grid"],
        help="how the local targets are evaluated: by grids, on the joined images, or both (side by side)",
    )
    parser.add_argument(
        "--search",
        nargs="+",
        choices=("single", "replica"),
        default=["single"],
        help="one cross, or two in lockstep that sample where they differ (cross_interpolate(replica=True)), "
        "or both side by side",
    )
    parser.add_argument(
        "--settle",
        choices=("each", "sum"),
        default="each",
        help="the rank rule of convergence (numeric.tci.cross_interpolate)",
    )
    parser.add_argument("--tree", action="store_true", help="orthogonal tree ConvACs against their exact top cut")
    parser.add_argument("--channels", type=int, default=2, help="D of the --tree networks")
    parser.add_argument("--max-rank", type=int, default=64, help="rank cap of the --tree runs")
    args = parser.parse_args()
    if args.tree:
        rows = tree_rows(args.side, args.channels, args.seeds, args.max_rank)
        print(
            format_table(
                [
                    "function",
                    "seed",
                    "seconds",
                    "values of f",
                    "converged",
                    "largest bond",
                    "max sampled rel. error",
                    "exact S (nats)",
                    "S error (nats)",
                ],
                rows,
                markdown=args.markdown,
            )
        )
        return
    if args.peer:
        print(
            format_table(
                ["peer", "seconds", "values of f", "stop", "largest rank", "max error (held out)"],
                [teneva_peer()],
                markdown=args.markdown,
            ),
            flush=True,
        )
    n_sites = args.side**2
    bond = n_sites // 2
    dims = [2] * n_sites
    headers = [
        "function",
        "evaluation",
        "search",
        "seed",
        "seconds",
        "values of f",
        "converged",
        "largest bond",
        "bonds below the exact rank",
        "max sampled rel. error",
        "sampled S error (est.)",
        "exact l2 distance of the directions",
        "exact S error, middle (nats)",
    ]
    rows = []
    for label, evaluation, function, exact, order in cases(args.side, tuple(args.evaluate)):
        if args.only not in label:
            continue
        exact_spectra = bond_spectra(exact)
        exact_entropy = exact_spectra[bond - 1].entropy()
        exact_ranks = [spectrum.probabilities.size for spectrum in exact_spectra]
        site_function = in_order(function, order)
        for search, seed in itertools.product(args.search, range(args.seeds)):
            start = time.perf_counter()
            result = cross_interpolate(site_function, dims, seed=seed, settle=args.settle, replica=search == "replica")
            seconds = time.perf_counter() - start
            checks = validate(result.state, site_function, sample_configurations(dims, 10_000, seed=1000 + seed))
            relative = difference_norm(normalised(exact), normalised(result.state))
            spectrum = bond_spectra(MatrixProductState(result.state.cores))[bond - 1]
            entropy = spectrum.entropy()
            rows.append(
                [
                    label,
                    evaluation,
                    search,
                    seed,
                    f"{seconds:.1f}",
                    f"{result.evaluations:.2e}",
                    "yes" if result.converged else "no",
                    max(result.ranks),
                    sum(rank < exact_rank for rank, exact_rank in zip(result.ranks, exact_ranks)),
                    f"{max(c.relative_max for c in checks.values()):.1e}",
                    f"{sampled_entropy_error(checks['uniform'], 2**bond, spectrum.probabilities.size):.1e}",
                    f"{relative:.1e}",
                    f"{abs(entropy - exact_entropy):.1e}",
                ]
            )
            print(*rows[-1], sep=" | ", flush=True)
    if args.markdown:
        print(format_table(headers, rows, markdown=True))


if __name__ == "__main__":
    main()
