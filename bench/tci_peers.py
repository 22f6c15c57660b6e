"""Benchmark: our cross interpolation against the pip-installable peers on the same functions, in one run.

Functions with an exact matrix product state (the automaton of "some xi x xi window all ones" on binary
images, pixels in column-major order, numeric.feature_mps), so every result is judged by its exact relative
error ||f - f~||_2 / ||f||_2 over all 2^N images (numeric.mps.difference_norm, no sampling; "not finite" when
the result holds NaN or infinity). Per method: the
time, the values of f it asked for (rows passed to the function, repeats included), its largest bond, and
whether its own stopping rule said it converged. Each peer runs with its documented accuracy settings:

- ours: :func:`numeric.tci.cross_interpolate` with its defaults (tolerance 1e-10, global pivot search, two
  clean searches and settled ranks to stop);
- teneva (``teneva.cross``): rank-adaptive maxvol cross from a random rank-1 start, ``dr_max = 2`` rows added
  per step, its convergence criterion ``e = 1e-10``, at most 20 sweeps, then ``teneva.truncate`` at 1e-10 as
  its documentation advises;
- tntorch (``tntorch.cross``): its defaults, validation error ``eps = 1e-6`` on 1000 random samples,
  ``kickrank = 3``, at most 25 iterations, with ``rmax = 256``;
- seemps (``seemps.analysis.cross``, maxvol strategy): its defaults, a sampled largest error below ``tol =
  1e-8`` on 1024 random samples, half-sweeps 1 to 200, bonds up to 1000, started from the all-ones image.
  From its default start (the all-zeros image, where f = 0) it stays at rank 1 with error 1, and so do
  its DMRG and greedy strategies from the all-ones image (measured on 4x4 images), which is why the
  maxvol strategy is the one timed.

    pip install -e ".[bench]"     # quimb, teneva, tntorch, seemps (seemps builds from source)
    python bench/tci_peers.py --markdown
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from cnn_bounds.driver.cli import format_table
from numeric import Lattice
from numeric.feature_mps import as_matrix_product_state, automaton_values, feature_mps
from numeric.mps import MatrixProductState, compress, difference_norm, norm
from numeric.tci import cross_interpolate, in_order

CASES = [(6, 2), (6, 3), (8, 2)]  # (image side, window side)


class Counted:
    """f on rows of pixel levels, counting the rows it was asked for."""

    def __init__(self, function: Callable[[np.ndarray], np.ndarray]) -> None:
        self.function = function
        self.rows = 0

    def __call__(self, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, dtype=np.int64)
        self.rows += len(images)
        return self.function(images)


def ours(function: Counted, dims: list[int], seed: int) -> tuple[MatrixProductState, bool]:
    result = cross_interpolate(function, dims, seed=seed)
    return result.state, result.converged


def teneva_cross(function: Counted, dims: list[int], seed: int) -> tuple[MatrixProductState, bool]:
    import teneva

    info: dict = {}
    with np.errstate(all="ignore"):
        cores = teneva.cross(function, teneva.rand(dims, 1, seed=seed), e=1e-10, nswp=20, dr_max=2, info=info)
        cores = teneva.truncate(cores, 1e-10)  # as its documentation advises: the cross overestimates ranks
    converged = info.get("stop") in ("e", "conv")
    return MatrixProductState(tuple(np.asarray(core, dtype=np.float64) for core in cores)), converged


def tntorch_cross(function: Counted, dims: list[int], seed: int) -> tuple[MatrixProductState, bool]:
    import tntorch

    torch.manual_seed(seed)
    np.random.seed(seed)  # tntorch draws its validation set and starting indices from numpy's global state
    tensor, info = tntorch.cross(
        function=lambda matrix: torch.as_tensor(function(matrix.numpy()), dtype=torch.float64),
        domain=[torch.arange(d) for d in dims],
        function_arg="matrix",
        rmax=256,
        verbose=False,
        return_info=True,
        suppress_warnings=True,
    )
    tensor = tensor.decompress_tucker_factors()  # plain TT cores (r, n, r)
    cores = tuple(core.detach().numpy().astype(np.float64) for core in tensor.cores)
    return MatrixProductState(cores), bool(info["val_eps"] <= 1e-6)


def seemps_cross(function: Counted, dims: list[int], seed: int) -> tuple[MatrixProductState, bool]:
    from seemps.analysis.cross import CrossStrategyMaxvol, cross_interpolation
    from seemps.analysis.cross.black_box import BlackBox

    class Pixels(BlackBox):
        """f as seemps's black box: rows of site indices in, values out."""

        def __getitem__(self, mps_indices: np.ndarray) -> np.ndarray:
            self.record_evaluations(len(mps_indices))
            return self.func(mps_indices)

    strategy = CrossStrategyMaxvol(rng=np.random.default_rng(seed))
    start = np.ones((1, len(dims)), dtype=int)  # an image where f is 1: from its default start (all zeros, f = 0)
    result = cross_interpolation(Pixels(function, list(dims)), strategy, start)  # it never leaves rank 1
    cores = tuple(np.asarray(core, dtype=np.float64) for core in result.mps)
    return MatrixProductState(cores), bool(result.errors[-1] <= strategy.tol)


METHODS = {"ours": ours, "teneva": teneva_cross, "tntorch": tntorch_cross, "seemps": seemps_cross}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows = []
    for side, window in CASES:
        lattice = Lattice(side, side)
        order = [y * side + x for x in range(side) for y in range(side)]
        automaton = feature_mps(lattice, np.ones((window, window), dtype=int), order=order)
        exact = as_matrix_product_state(automaton)
        scale = norm(exact)
        exact_bond = max(compress(exact).bond_dimensions)
        pixel_function = lambda images, a=automaton: automaton_values(a, images)  # noqa: E731
        site_function = in_order(pixel_function, order)
        dims = [2] * lattice.n_pixels
        for name in args.methods:
            for seed in range(args.seeds):
                function = Counted(site_function)
                start = time.perf_counter()
                state, converged = METHODS[name](function, dims, seed)
                seconds = time.perf_counter() - start
                rows.append(
                    [
                        f"{side}x{side}, some {window}x{window} window all ones",
                        name,
                        seed,
                        f"{seconds:.1f}",
                        f"{function.rows:.2e}",
                        max(core.shape[2] for core in state.cores[:-1]),
                        exact_bond,
                        "yes" if converged else "no",
                        f"{difference_norm(exact, state) / scale:.1e}"
                        if all(np.all(np.isfinite(core)) for core in state.cores)
                        else "not finite",
                    ]
                )
                print(*rows[-1], sep=" | ", flush=True)
    header = [
        "function",
        "method",
        "seed",
        "seconds",
        "values of f",
        "largest bond",
        "exact bond",
        "converged (own rule)",
    ]
    print(format_table([*header, "exact relative error"], rows, markdown=args.markdown))


if __name__ == "__main__":
    main()
