"""Target functions of image-classification problems, evaluated on every image of a lattice.

Each function returns a flat float64 array of length d^N in the package's order (pixel 0 the most
significant digit). Nothing loops over images: pixel values are numpy arrays shaped to broadcast over the
``(d,)*N`` image tensor, so a detector on a k-pixel window costs d^k entries and only the aggregation over
windows touches all d^N images.

Local-feature targets (the paper's "reasonable" problems) take a window shape and a detector: either an
exact ``pattern`` (a 2-D array of levels) or any vectorised ``detector`` predicate, called once with every
configuration of a window, shape (d^k, window_height, window_width), and returning one bool per row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from numeric.errors import InvalidInputError
from numeric.lattice import Lattice, Region, rectangle
from numeric.memory import require_memory

Detector = Callable[[np.ndarray], np.ndarray]

_MAX_DIMENSIONS = 64  # numpy's limit on the number of array axes, one per pixel


def _require_images(lattice: Lattice, bytes_per_image: int, what: str) -> None:
    if lattice.n_pixels > _MAX_DIMENSIONS:
        raise InvalidInputError(f"{lattice} has more than {_MAX_DIMENSIONS} pixels; exact enumeration cannot go there")
    require_memory(
        lattice.n_images * bytes_per_image, f"{what} on all {lattice.n_images} images of the {lattice}",
        "use a smaller lattice or fewer levels",
    )


def pixel_values(lattice: Lattice, pixel: int) -> np.ndarray:
    """s_p as an array that broadcasts over the image tensor: 0..d-1 along axis ``pixel``, size 1 elsewhere."""
    shape = [1] * lattice.n_pixels
    shape[pixel] = lattice.levels
    return np.arange(lattice.levels, dtype=np.int16).reshape(shape)


def _on_all_images(lattice: Lattice, array: np.ndarray) -> np.ndarray:
    return np.broadcast_to(array, lattice.tensor_shape).astype(np.float64).reshape(-1)


def windows(lattice: Lattice, height: int, width: int) -> list[Region]:
    """Pixels of every ``height x width`` window position (top-left corners in row-major order)."""
    if not (1 <= height <= lattice.height and 1 <= width <= lattice.width):
        raise InvalidInputError(f"a {width}x{height} window does not fit in the {lattice}")
    return [
        rectangle(lattice, x0, y0, width, height)
        for y0 in range(lattice.height - height + 1)
        for x0 in range(lattice.width - width + 1)
    ]


def _pattern_detector(lattice: Lattice, pattern: np.ndarray) -> tuple[tuple[int, int], Detector]:
    pattern = np.atleast_2d(np.asarray(pattern))
    if pattern.ndim != 2 or pattern.dtype.kind not in "biu" or pattern.min() < 0 or pattern.max() >= lattice.levels:
        raise InvalidInputError(f"pattern must be a 2-D array of integers in 0..{lattice.levels - 1}, got {pattern!r}")
    return pattern.shape, lambda configurations: np.all(configurations == pattern, axis=(1, 2))


def _detector_table(lattice: Lattice, window: tuple[int, int], detector: Detector) -> np.ndarray:
    """detector on every configuration of a window, as a bool tensor of shape (d,) * (height * width)."""
    height, width = window
    size = height * width
    require_memory(lattice.levels**size * (size + 2) * 8, f"the table of a detector on all {height}x{width} window "
                   "configurations", "use a smaller window")
    codes = np.arange(lattice.levels**size)
    digits = (codes[:, None] // lattice.levels ** np.arange(size - 1, -1, -1)) % lattice.levels
    table = np.asarray(detector(digits.reshape(-1, height, width)))
    if table.shape != (codes.size,):
        raise InvalidInputError(
            f"the detector returned shape {table.shape}; it must return one bool per window configuration ({codes.size},)"
        )
    return table.astype(bool).reshape((lattice.levels,) * size)


def local_features(
    lattice: Lattice, pattern: np.ndarray | None = None, *, window: tuple[int, int] | None = None,
    detector: Detector | None = None,
) -> list[np.ndarray]:
    """phi_j(s) for every window position j, each a bool array broadcasting over the image tensor.

    Give either ``pattern`` (exact match) or both ``window=(height, width)`` and ``detector``.
    """
    if (pattern is None) == (detector is None) or (detector is not None and window is None):
        raise InvalidInputError("give either a pattern, or a window=(height, width) together with a detector")
    if pattern is not None:
        window, detector = _pattern_detector(lattice, pattern)
    positions = windows(lattice, *window)  # refuses a window that does not fit before tabulating it
    table = _detector_table(lattice, window, detector)
    features = []
    for pixels in positions:
        shape = [1] * lattice.n_pixels
        for p in pixels:
            shape[p] = lattice.levels
        features.append(table.reshape(shape))  # window pixels increase, so this only inserts axes
    return features


def _feature_count(lattice: Lattice, features: list[np.ndarray]) -> np.ndarray:
    _require_images(lattice, 2 + 8, "counting local features")
    count = np.zeros(lattice.tensor_shape, dtype=np.int16)
    for feature in features:
        count += feature
    return count


def pattern_present(
    lattice: Lattice, pattern: np.ndarray | None = None, *, window: tuple[int, int] | None = None,
    detector: Detector | None = None,
) -> np.ndarray:
    """f = 1 if some window shows the feature (OR of local detectors), else 0.

    Models "is there a cat's eye / an edge / this texture anywhere in the image": decided by local
    features of size xi = the window, aggregated by OR.
    """
    features = local_features(lattice, pattern, window=window, detector=detector)
    _require_images(lattice, 1 + 8, "a pattern detector")
    present = np.zeros(lattice.tensor_shape, dtype=bool)
    for feature in features:
        np.logical_or(present, feature, out=present)
    return present.astype(np.float64).reshape(-1)


def pattern_absent(
    lattice: Lattice, pattern: np.ndarray | None = None, *, window: tuple[int, int] | None = None,
    detector: Detector | None = None,
) -> np.ndarray:
    """f = 1 if no window shows the feature (AND of negated detectors): "the image is free of defects"."""
    return 1.0 - pattern_present(lattice, pattern, window=window, detector=detector)


def count_threshold(
    lattice: Lattice, threshold: int, pattern: np.ndarray | None = None, *,
    window: tuple[int, int] | None = None, detector: Detector | None = None,
) -> np.ndarray:
    """f = 1 if at least ``threshold`` windows show the feature: "are there at least t objects"."""
    features = local_features(lattice, pattern, window=window, detector=detector)
    return (_feature_count(lattice, features) >= threshold).astype(np.float64).reshape(-1)


def majority(lattice: Lattice) -> np.ndarray:
    """f = 1 if sum_p s_p > N (d - 1) / 2 ("is the image mostly bright"); a global, non-local count."""
    pixels = [pixel_values(lattice, p) for p in range(lattice.n_pixels)]
    return (_feature_count(lattice, pixels) * 2 > lattice.n_pixels * (lattice.levels - 1)).astype(np.float64).reshape(-1)


def parity(lattice: Lattice) -> np.ndarray:
    """f = (sum_p s_p) mod 2, values 0/1: a global function with S = ln 2 on every cut (d = 2).

    No local feature decides it; it models a problem a CNN cannot solve by looking locally.
    """
    pixels = [pixel_values(lattice, p) for p in range(lattice.n_pixels)]
    return _on_all_images(lattice, _feature_count(lattice, pixels) % 2)


def product_function(lattice: Lattice, seed: int = 0) -> np.ndarray:
    """f = prod_p g_p(s_p) with independent random g_p in [0.5, 1.5): no correlation, S = 0 on every cut.

    Models a classifier that scores each pixel independently (a naive-Bayes likelihood).
    """
    _require_images(lattice, 8, "a product function")
    factors = np.random.default_rng(seed).uniform(0.5, 1.5, size=(lattice.n_pixels, lattice.levels))
    result = np.ones(lattice.tensor_shape)
    for p in range(lattice.n_pixels):
        result = result * factors[p][pixel_values(lattice, p)]
    return result.reshape(-1)


def random_gaussian(lattice: Lattice, seed: int = 0, *, complex_values: bool = False) -> np.ndarray:
    """f(s) i.i.d. standard normal (complex: real and imaginary parts each N(0, 1/2)): the volume-law control."""
    _require_images(lattice, 16 if complex_values else 8, "a random function")
    rng = np.random.default_rng(seed)
    if complex_values:
        return (rng.standard_normal(lattice.n_images) + 1j * rng.standard_normal(lattice.n_images)) / np.sqrt(2)
    return rng.standard_normal(lattice.n_images)


def random_boolean(lattice: Lattice, seed: int = 0) -> np.ndarray:
    """f(s) i.i.d. uniform in {0, 1}: a labelling with no structure at all (the high-entanglement control)."""
    _require_images(lattice, 8, "a random Boolean function")
    return np.random.default_rng(seed).integers(0, 2, size=lattice.n_images).astype(np.float64)


def far_apart_equal(lattice: Lattice, i: int = 0, j: int | None = None) -> np.ndarray:
    """f = [s_i == s_j] for two pixels (default: the first and the last).

    Models "do two distant regions match": a long-range correlation with no local feature; across a cut
    separating i from j it carries exactly ln d, whatever the boundary.
    """
    j = lattice.n_pixels - 1 if j is None else j
    if not (0 <= i < lattice.n_pixels and 0 <= j < lattice.n_pixels) or i == j:
        raise InvalidInputError(f"far-apart pixels must be two different pixels in 0..{lattice.n_pixels - 1}, got {i}, {j}")
    _require_images(lattice, 8, "a far-apart comparison")
    return _on_all_images(lattice, pixel_values(lattice, i) == pixel_values(lattice, j))
