"""Shared hypothesis settings and strategies.

Under CI (CI=true) hypothesis is derandomised so a run is reproducible; locally it explores new examples
each run. No deadline: the machines are shared and timing is noisy.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from numeric import Lattice

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

MAX_IMAGES = 4096


@st.composite
def lattices(draw, max_images: int = MAX_IMAGES, min_pixels: int = 2) -> Lattice:
    """A lattice of 2..12 pixels with 2..4 levels and at most max_images images."""
    levels = draw(st.integers(2, 4))
    max_pixels = int(np.log(max_images) / np.log(levels) + 1e-9)
    n_pixels = draw(st.integers(min_pixels, max(min_pixels, max_pixels)))
    width = draw(st.sampled_from([w for w in range(1, n_pixels + 1) if n_pixels % w == 0]))
    return Lattice(width, n_pixels // width, levels)


@st.composite
def lattice_and_region(draw, max_images: int = MAX_IMAGES, proper: bool = False):
    """A lattice and a region A of it (any pixels, any order); proper=True excludes A empty or full."""
    lattice = draw(lattices(max_images))
    low, high = (1, lattice.n_pixels - 1) if proper else (0, lattice.n_pixels)
    size = draw(st.integers(low, high))
    region = draw(st.permutations(range(lattice.n_pixels)))[:size]
    return lattice, list(region)


def random_values(lattice: Lattice, seed: int, kind: str = "gaussian") -> np.ndarray:
    """A random function on every image: real or complex Gaussian, or random 0/1."""
    rng = np.random.default_rng(seed)
    if kind == "complex":
        return rng.standard_normal(lattice.n_images) + 1j * rng.standard_normal(lattice.n_images)
    if kind == "boolean":
        values = rng.integers(0, 2, lattice.n_images).astype(float)
        values[0] = 1.0  # never the all-zero function
        return values
    return rng.standard_normal(lattice.n_images)


value_kinds = st.sampled_from(["gaussian", "complex", "boolean"])
seeds = st.integers(0, 2**32 - 1)


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory):
    """One `cnn-bounds reproduce` (quick, seed 0) for the whole session: its folder and printed output. The
    sweep tests reuse its caches, so each sweep is computed once per test run."""
    from click.testing import CliRunner

    from cnn_bounds.cli import main

    out = tmp_path_factory.mktemp("results")
    result = CliRunner().invoke(main, ["reproduce", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output
