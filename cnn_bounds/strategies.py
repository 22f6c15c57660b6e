"""Hypothesis strategies for property tests of the paper's bounds on cases of your own.

Every strategy draws only objects small enough for the exact dense engine (at most ``max_images``
images, 4096 by default), so a property can compare any bound with exact numbers::

    from hypothesis import given
    from cnn_bounds import strategies as cbs

    @given(cbs.convac_specs(max_images=1024), cbs.seeds())
    def test_my_bound(case, seed): ...

What is drawn, and the conventions it follows (pixel p = y * width + x, pixel 0 the most significant
digit of an image's index, entropies in nats), is in each strategy's docstring. Hypothesis shrinks every
draw, so a failing case is reported as a small lattice, a short region and a small seed.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from hypothesis import strategies as st

from cnn_bounds.networks.classifier import CLASSES
from cnn_bounds.networks.convac import ConvAC, ConvACSpec
from cnn_bounds.networks.convac_classifier import ConvACClassifier, class_convac, tree_spec
from numeric import InvalidInputError, Lattice, targets
from numeric.catalog import build_target

MAX_IMAGES = 4096
RANDOM_KINDS = ("gaussian", "complex", "boolean")


def seeds() -> st.SearchStrategy[int]:
    """A seed for numpy's and torch's generators: 0 .. 2^32 - 1."""
    return st.integers(0, 2**32 - 1)


@st.composite
def lattices(draw, max_images: int = MAX_IMAGES, min_pixels: int = 2) -> Lattice:
    """A lattice with 2..4 levels, at least ``min_pixels`` pixels and at most ``max_images`` images: chains
    (N x 1) and rectangles alike, every factorisation of N being possible."""
    levels = draw(st.integers(2, 4))
    max_pixels = int(math.log(max_images) / math.log(levels) + 1e-9)
    n_pixels = draw(st.integers(min_pixels, max(min_pixels, max_pixels)))
    width = draw(st.sampled_from([w for w in range(1, n_pixels + 1) if n_pixels % w == 0]))
    return Lattice(width, n_pixels // width, levels)


def regions(lattice: Lattice, proper: bool = False) -> st.SearchStrategy[list[int]]:
    """A region A: any pixels of ``lattice`` in any order (a permutation's prefix). ``proper=True``
    excludes the empty and the full region, across which every entropy is 0 (so it needs two pixels)."""
    if proper and lattice.n_pixels < 2:
        raise InvalidInputError(
            f"a {lattice.width}x{lattice.height} lattice has no proper region (it needs two "
            "pixels); draw the lattice with lattices(min_pixels=2)"
        )
    low, high = (1, lattice.n_pixels - 1) if proper else (0, lattice.n_pixels)
    return st.integers(low, high).flatmap(
        lambda size: st.permutations(range(lattice.n_pixels)).map(lambda order: list(order[:size]))
    )


def lattices_and_regions(
    max_images: int = MAX_IMAGES, proper: bool = False
) -> st.SearchStrategy[tuple[Lattice, list[int]]]:
    """A lattice (as :func:`lattices`) and a region of it (as :func:`regions`)."""
    return lattices(max_images).flatmap(lambda lattice: st.tuples(st.just(lattice), regions(lattice, proper)))


def random_values(lattice: Lattice, seed: int, kind: str = "gaussian") -> np.ndarray:
    """A random function on every image of ``lattice`` (flat, length levels^N): i.i.d. standard normal
    ("gaussian"), complex normal ("complex"), or 0/1 labels ("boolean", never all zero)."""
    if kind not in RANDOM_KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(RANDOM_KINDS)}, got {kind!r}")
    rng = np.random.default_rng(seed)
    if kind == "complex":
        return rng.standard_normal(lattice.n_images) + 1j * rng.standard_normal(lattice.n_images)
    if kind == "boolean":
        values = rng.integers(0, 2, lattice.n_images).astype(float)
        values[0] = 1.0
        return values
    return rng.standard_normal(lattice.n_images)


def random_functions(lattice: Lattice, kinds: tuple[str, ...] = RANDOM_KINDS) -> st.SearchStrategy[np.ndarray]:
    """:func:`random_values` of one of ``kinds`` with a drawn seed: the volume-law controls."""
    return st.tuples(seeds(), st.sampled_from(kinds)).map(lambda drawn: random_values(lattice, *drawn))


class NamedTarget(NamedTuple):
    """A target function from :mod:`numeric.catalog`: its ``NAME:key=value`` text and its values."""

    text: str
    values: np.ndarray


@st.composite
def target_functions(draw, lattice: Lattice) -> NamedTarget:
    """A catalog target that fits ``lattice``: a square pattern present / absent / counted at least
    ``threshold`` times (pattern size 1..2, any digits), majority, parity, a product function, two far-apart
    pixels equal, or a random Gaussian or Boolean function (the volume-law controls)."""
    n = lattice.n_pixels
    size = draw(st.integers(1, min(2, lattice.width, lattice.height)))
    pattern = "".join(map(str, draw(st.lists(st.integers(0, lattice.levels - 1), min_size=size**2, max_size=size**2))))
    positions = len(targets.windows(lattice, size, size))
    seed = draw(st.integers(0, 2**16))
    choices = [
        f"pattern-present:size={size},pattern={pattern}",
        f"pattern-absent:size={size},pattern={pattern}",
        f"count-threshold:size={size},pattern={pattern},threshold={draw(st.integers(1, positions))}",
        "majority",
        "parity",
        "product",
        "random-gaussian",
        "random-boolean",
    ]
    if n >= 2:
        i, j = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
        choices.append(f"far-apart:i={i},j={j}")
    text = draw(st.sampled_from(choices))
    return NamedTarget(text, build_target(text, lattice, seed=seed))


class LocalFeatureTarget(NamedTuple):
    """The input of the exact tensor-network engine (:func:`numeric.feature_mps.feature_cut`): accepted
    window configurations, how their detections are aggregated, labels, and a region."""

    lattice: Lattice
    patterns: np.ndarray  # (accepted, window height, window width)
    aggregator: str  # "or": some window accepted; "nor": none; "count": at least `threshold` windows
    threshold: int
    labels: str  # "01" or "pm1" (f = 2 * [target] - 1)
    region: list[int]


@st.composite
def local_feature_targets(draw) -> LocalFeatureTarget:
    """A local-feature target on a lattice of at most 4096 images: 1..3 accepted configurations of a window
    of up to 2 x 3 pixels, aggregated by OR, NOR or a count threshold 0..3, 0/1 or +-1 labels, any region."""
    levels = draw(st.integers(2, 3))
    width = draw(st.integers(1, 5))
    height = draw(st.integers(1, max(1, (7 if levels == 2 else 4) // width + 1)))
    lattice = Lattice(width, height, levels)
    window = (draw(st.integers(1, min(2, height))), draw(st.integers(1, min(3, width))))
    cells = window[0] * window[1]
    accepted = draw(st.integers(1, 3))
    patterns = np.array(
        draw(
            st.lists(
                st.lists(st.integers(0, levels - 1), min_size=cells, max_size=cells),
                min_size=accepted,
                max_size=accepted,
                unique_by=tuple,
            )
        )
    ).reshape(-1, *window)
    aggregator = draw(st.sampled_from(["or", "nor", "count"]))
    threshold = draw(st.integers(0, 3)) if aggregator == "count" else 1
    labels = draw(st.sampled_from(["01", "pm1"]))
    return LocalFeatureTarget(lattice, patterns, aggregator, threshold, labels, draw(regions(lattice)))


class ConvACCase(NamedTuple):
    """A ConvAC architecture and a proper region (sorted) of its lattice."""

    spec: ConvACSpec
    region: list[int]


@st.composite
def convac_specs(draw, max_images: int = MAX_IMAGES, duplicated: bool = False) -> ConvACCase:
    """A ConvAC architecture on at most ``max_images`` images (levels 2..8, channels 1..4, depth 0..3,
    kernels 1..3, overlapping or tree windows, shared or unshared weights, global or local read-out) and a
    proper region. ``duplicated=True``: only overlapping, unshared networks of depth 2..3 and kernel 2, whose
    tensor networks copy sub-networks (where the rank can fall below the min cut)."""
    levels = draw(st.integers(2, 8))
    most = int(math.log(max_images) / math.log(levels) + 1e-9)
    if most < 4 or draw(st.booleans()):
        lattice = Lattice(draw(st.integers(4 if duplicated else 2, max(most, 4 if duplicated else 2))), 1, levels)
    else:
        side = draw(st.integers(2, 3 if most >= 9 else 2))
        lattice = Lattice(side, draw(st.integers(2, most // side)), levels)
    kernel = 2 if duplicated else draw(st.integers(1, 3))
    overlapping = duplicated or draw(st.booleans())
    depth = draw(st.integers(2, 3) if duplicated else st.integers(0, 3))
    channels, readout = draw(st.integers(1, 4)), draw(st.sampled_from(["global", "local"]))
    try:
        spec = ConvACSpec(
            lattice, channels, depth, kernel, overlapping, not duplicated and draw(st.booleans()), readout
        )
    except InvalidInputError:  # the layers do not fit on this lattice: the depth-0 network does
        spec = ConvACSpec(lattice, channels, 0, kernel, overlapping, readout=readout)
    return ConvACCase(spec, sorted(draw(regions(lattice, proper=True))))


@st.composite
def tree_convacs(draw) -> ConvAC:
    """A tree ConvAC (non-overlapping 2x2 or 1x2 windows) on at most 2^16 binary or 3^9 ternary images:
    Gaussian weights, or a digit classifier's class score at initialisation with every weight perturbed by
    a standard normal (so the network is far from the near-identity initialisation)."""
    levels = draw(st.sampled_from([2, 3]))
    width, height = draw(
        st.sampled_from(
            [(4, 4), (8, 2), (4, 2), (2, 2), (2, 1), (8, 1)] if levels == 2 else [(2, 2), (4, 2), (2, 1), (4, 1)]
        )
    )
    lattice = Lattice(width, height, levels)
    most = min(w.bit_length() - 1 for w in (width, height) if w > 1)
    spec = tree_spec(lattice, draw(st.integers(1, 4)), draw(st.integers(0, most)))
    seed = draw(st.integers(0, 2**16))
    if draw(st.booleans()):
        return ConvAC(spec, seed)
    network = class_convac(ConvACClassifier(spec, seed), draw(st.integers(0, CLASSES - 1)))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator, dtype=torch.float64))
    return network
