"""The rank of a ConvAC across a cut where no pixel is the bottleneck, sketched at random points over GF(p).

With M one-hot features per pixel, level s enters as the column W_0 e_s of the representation, one of M
points in F^D, and the function on all images is the network's polynomial f(x_1, ..., x_N) in its pixels'
D-vectors (:meth:`cnn_bounds.networks.convac.ConvAC.at_points`), evaluated on the product grid of those
points. Its rank across A|B grows with M and stops at the rank of the polynomial itself, the flattening
rank of f(x_A; x_B): the limit of many features, in which every cut through a pixel costs more than the
network's own bonds. That rank is what the capacity of a network means here, and it is sketched directly:

- draw R points a_i (a uniform vector of F_p^D for each pixel of A) and R points b_j for B;
- Y_ij = f(a_i, b_j) is a submatrix of the flattening, so rank Y <= rank f whatever the draw;
- rank Y = min(R, r), r = rank f, except with probability at most min(R, r) deg / p (Schwartz-Zippel): f =
  sum_k g_k(x_A) h_k(x_B) with r independent g_k and r independent h_k has, for every m <= r, an m x m
  evaluation matrix with nonzero determinant, a polynomial of degree at most m deg in the points (deg: f's
  total degree), which vanishes at random points with at most that probability;
- R doubles from 16 until rank Y < R. The reported rank is then r, unless the last sketch fell short of
  min(R, r): the recorded failure bound is R deg / p, which covers both that case and R <= r (the true rank
  is unknown, so the bound does not use it).

Each Y is one grid of :meth:`cnn_bounds.networks.convac.ConvAC.grid_at` (every feature inside one side
computed once per row or column), its rank FLINT's (numeric.precise.rank_mod_p). The weights are uniform
residues mod p, so the rank is the network's generic rank over GF(p) (equal to its generic rank over the
rationals except on a set of weights of probability at most deg / p, by the same lemma).

One side of every reported rank is certain: the sketch exhibits integer weights and points (the residues
themselves) whose matrix Y has an r x r minor that is nonzero mod p, hence nonzero as an integer, so the real
network with those weights has rank at least r across the cut and its generic rank over the reals is at least
r. Only the other side (that the rank is not larger) carries the failure bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from cnn_bounds.networks.convac import ConvAC, ConvACSpec
from numeric import InvalidInputError
from numeric.lattice import Region, validate_region
from numeric.precise import prime_for_sums, rank_mod_p

FIRST_POINTS = 16
MAX_POINTS = 8192
"""The largest sketch (R x R): a rank of FLINT's at 8192 takes about a minute on 2 cores."""
GRID_BYTES = 1 << 30
"""Memory for the per-pair features of one block of sketch columns (int64, R x columns x D per feature)."""


@dataclass(frozen=True)
class SketchedRank:
    """The rank of a network's polynomial across a cut (module docstring): ``rank``, exact unless the
    draw was unlucky (probability at most ``failure_bound``), or ``None`` when the largest sketch was still
    of full rank (then ``rank_at_least`` holds for certain)."""

    rank: int | None
    rank_at_least: int
    points: int
    prime: int
    degree: int
    failure_bound: float
    evaluations: int
    seconds: float


def feature_count(spec: ConvACSpec) -> int:
    """Features of all layers (pixels included): an upper bound on those a grid holds per pair at once."""
    return sum(height * width for height, width in spec.layer_shapes)


def polynomial_degree(spec: ConvACSpec) -> int:
    """An upper bound on f's total degree in the pixels' vectors: each window multiplies k_h k_w inputs,
    so a final feature has degree (k_h k_w)^n_c and the product pool multiplies all final positions."""
    kh, kw = spec.window
    height, width = spec.layer_shapes[-1]
    return (kh * kw) ** spec.depth * height * width


def modular_network(spec: ConvACSpec, seed: int = 0) -> ConvAC:
    """The ConvAC ``spec`` with uniform random residues as weights (drawn from ``seed``), modulo the largest
    prime whose sums of products stay in int64."""
    return ConvAC(spec, seed, modulus=prime_for_sums(max(spec.channels, spec.lattice.levels)))


def sketched_rank(network: ConvAC, region: Region, seed: int = 0, max_points: int = MAX_POINTS) -> SketchedRank:
    """The rank of a modular ConvAC's polynomial (:func:`modular_network`) across A = ``region`` | the
    other pixels, the limit of many features (module docstring); the points are drawn from ``seed``."""
    spec, prime = network.spec, network.modulus
    if prime is None:
        raise InvalidInputError("sketched ranks need a modular network (modular_network), not a float one")
    region = validate_region(region, spec.lattice.n_pixels)
    if not 0 < len(region) < spec.lattice.n_pixels:
        raise InvalidInputError("the region must be a proper, non-empty subset of the pixels")
    first = torch.tensor(region, dtype=torch.int64)
    second = torch.tensor(sorted(set(range(spec.lattice.n_pixels)) - set(region)), dtype=torch.int64)
    generator = torch.Generator().manual_seed(seed + 1)
    degree = polynomial_degree(spec)
    start, evaluations, points = time.perf_counter(), 0, FIRST_POINTS
    while True:
        rows = torch.randint(0, prime, (points, len(first), spec.channels), generator=generator)
        columns = torch.randint(0, prime, (points, len(second), spec.channels), generator=generator)
        values = np.empty((points, points), dtype=np.int64)
        step = max(1, GRID_BYTES // (8 * points * spec.channels * feature_count(spec)))
        with torch.no_grad():  # column blocks bound the per-pair features held at once
            for column in range(0, points, step):
                block = network.grid_at(first, rows, second, columns[column : column + step])
                values[:, column : column + step] = block.numpy()
        evaluations += points * points
        rank = rank_mod_p(values, prime)
        if rank < points or 2 * points > max_points:
            break
        points *= 2
    resolved = rank < points
    return SketchedRank(
        rank=rank if resolved else None,
        rank_at_least=rank,
        points=points,
        prime=prime,
        degree=degree,
        failure_bound=min(1.0, points * degree / prime) if resolved else 0.0,
        evaluations=evaluations,
        seconds=time.perf_counter() - start,
    )


def capacity_exponent(channels: list[int], ranks: list[int]) -> dict:
    """c = ln rank / ln D at each width D, and the least-squares slope of ln rank against ln D with its
    standard error (None with fewer than 3 widths): rank ~ D^c. Exact ranks that are powers of one base
    give one c at every D."""
    per_width = [math.log(r) / math.log(d) for d, r in zip(channels, ranks)]
    result = {"per_width": per_width, "slope": None, "slope_se": None}
    if len(channels) >= 2:
        x, y = np.log(channels), np.log(ranks)
        slope, intercept = np.polyfit(x, y, 1)
        result["slope"] = float(slope)
        if len(channels) >= 3:
            residuals = y - (slope * x + intercept)
            variance = float(residuals @ residuals) / (len(x) - 2)
            result["slope_se"] = math.sqrt(variance / float(np.sum((x - x.mean()) ** 2)))
    return result


__all__ = [
    "FIRST_POINTS",
    "GRID_BYTES",
    "MAX_POINTS",
    "SketchedRank",
    "capacity_exponent",
    "feature_count",
    "modular_network",
    "polynomial_degree",
    "sketched_rank",
]
