"""Random +-1 labels at any image size: the volume-law control of the sampled scaling experiments.

A table of d^N random labels does not fit past a few dozen pixels, so the labels are a keyed hash of the
image: h(s) = mix(sum_p K[p, s_p] mod 2^64), with K seeded random 64-bit keys per pixel and level and mix the
SplitMix64 finaliser (Steele, Lea and Flood, OOPSLA 2014), and f(s) = +1 when h's top bit is set, else -1.
Two images get the same sum only by a 64-bit coincidence, and the finaliser's avalanche makes the top bits
of distinct sums behave as independent fair coins: a stand-in for i.i.d. +-1 labels whose S_2 follows
the derived random curve (:mod:`proofs.renyi2`; the tests compare it with exact values on small lattices).
The sum splits over any two parts of the pixels, so a grid costs one key sum per row and per column and
one mix per value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_MIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27), np.uint64(0x94D049BB133111EB), np.uint64(31))


def _mix(z: np.ndarray) -> np.ndarray:
    first, multiplier, second, multiplier_2, third = _MIX
    z = (z ^ (z >> first)) * multiplier
    z = (z ^ (z >> second)) * multiplier_2
    return z ^ (z >> third)


@dataclass(frozen=True, eq=False)
class HashedRandomSigns:
    """+-1 labels of the images of ``n_pixels`` pixels with ``levels`` levels, random by a keyed hash
    (module docstring); every key comes from ``seed``. A batched function of images with grid methods
    (:func:`numeric.tci.evaluate_grid`, :func:`numeric.tci.evaluate_grids`)."""

    n_pixels: int
    levels: int = 2
    seed: int = 0
    _keys: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        keys = rng.integers(0, np.iinfo(np.uint64).max, (self.n_pixels, self.levels), dtype=np.uint64, endpoint=True)
        object.__setattr__(self, "_keys", keys)

    def _sums(self, sites: np.ndarray, configurations: np.ndarray) -> np.ndarray:
        picked = self._keys[np.asarray(sites), np.asarray(configurations, dtype=np.intp)]  # (..., pixels)
        with np.errstate(over="ignore"):
            return np.sum(picked, axis=-1, dtype=np.uint64)  # mod 2^64

    def _signs(self, sums: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.where(_mix(sums) >> np.uint64(63), 1.0, -1.0)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images).reshape(-1, self.n_pixels)
        return self._signs(self._sums(np.arange(self.n_pixels), images))

    def grid(self, first_sites, first, second_sites, second) -> np.ndarray:
        """f on every image joined from a row of ``first`` and a row of ``second``: (len(first), len(second))."""
        return self.grids(first_sites, np.asarray(first)[None], second_sites, np.asarray(second)[None])[0]

    def grids(self, first_sites, firsts, second_sites, seconds) -> np.ndarray:
        """A stack of grids on one split: (blocks, m, n) from (blocks, m, |first|) and (blocks, n, |second|)."""
        rows, columns = self._sums(first_sites, firsts), self._sums(second_sites, seconds)
        with np.errstate(over="ignore"):
            return self._signs(rows[:, :, None] + columns[:, None, :])


__all__ = ["HashedRandomSigns"]
