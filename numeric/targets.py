"""Target functions of image-classification problems, evaluated on every image of a lattice.

Each function returns a flat array of length d^N in the package's order (pixel 0 the most significant
digit), float64 or, with ``dtype=np.float32``, single precision (half the memory, exact for the 0/1
targets). Nothing loops over images: pixel values are numpy arrays shaped to broadcast over the
``(d,)*N`` image tensor, so a detector on a k-pixel window costs d^k entries. The output is allocated
once and filled chunk by chunk (each chunk fixes the leading pixels; 2^20 images at a time), so the
temporaries of the aggregation over windows are chunk-sized whatever N.

Local-feature targets (the paper's "reasonable" problems) take a window shape and a detector: either an
exact ``pattern`` (a 2-D array of levels) or any vectorised ``detector`` predicate, called once with every
configuration of a window, shape (d^k, window_height, window_width), and returning one bool per row.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from numeric.errors import InvalidInputError
from numeric.lattice import Lattice, Region, rectangle
from numeric.memory import require_memory

Detector = Callable[[np.ndarray], np.ndarray]

_MAX_DIMENSIONS = 64  # numpy's limit on the number of array axes, one per pixel


def _require_enumerable(lattice: Lattice) -> None:
    if lattice.n_pixels > _MAX_DIMENSIONS:
        raise InvalidInputError(f"{lattice} has more than {_MAX_DIMENSIONS} pixels; exact enumeration cannot go there")


def _require_images(lattice: Lattice, bytes_per_image: int, what: str, fix: str = "") -> None:
    _require_enumerable(lattice)
    require_memory(
        lattice.n_images * bytes_per_image,
        f"{what} on all {lattice.n_images} images of the {lattice}",
        "use a smaller lattice or fewer levels" + fix,
    )


def pixel_values(lattice: Lattice, pixel: int) -> np.ndarray:
    """s_p as an array that broadcasts over the image tensor: 0..d-1 along axis ``pixel``, size 1 elsewhere."""
    _require_enumerable(lattice)
    shape = [1] * lattice.n_pixels
    shape[pixel] = lattice.levels
    return np.arange(lattice.levels, dtype=np.int16).reshape(shape)


_CHUNK_IMAGES = 1 << 20
_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _restrict(array: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    """An array broadcasting over the image tensor, on the images whose leading pixels take values ``lead``."""
    return array[tuple(value if array.shape[axis] > 1 else 0 for axis, value in enumerate(lead))]


def _leading_pixels(lattice: Lattice) -> int:
    """How many leading pixels a chunk fixes: the fewest that leave at most _CHUNK_IMAGES images."""
    leading = 0
    while lattice.levels ** (lattice.n_pixels - leading) > _CHUNK_IMAGES:
        leading += 1
    return leading


def _streamed(
    lattice: Lattice,
    dtype: np.dtype,
    what: str,
    chunk: Callable[[tuple[int, ...]], np.ndarray],
    *,
    bytes_per_image: int = 0,
) -> np.ndarray:
    """Allocate f on all images once and fill it chunk by chunk: ``chunk(lead)`` gives the values (anything
    broadcasting to the chunk's shape) on the images whose leading pixels are ``lead``."""
    dtype = np.dtype(dtype)
    if dtype not in _DTYPES:
        raise InvalidInputError(f"dtype must be float64 or float32, got {dtype}")
    _require_images(
        lattice,
        dtype.itemsize + bytes_per_image,
        what,
        ", or float32 values (dtype=np.float32, --precision float32)" if dtype.itemsize == 8 else "",
    )
    levels, n_pixels = lattice.levels, lattice.n_pixels
    leading = _leading_pixels(lattice)
    values = np.empty(lattice.n_images, dtype=dtype)
    rows = values.reshape(levels**leading, -1)
    shape = (levels,) * (n_pixels - leading)
    for row, lead in zip(rows, np.ndindex(*(levels,) * leading)):
        row[:] = np.broadcast_to(chunk(lead), shape).reshape(-1)
    return values


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
    require_memory(
        lattice.levels**size * (size + 2) * 8,
        f"the table of a detector on all {height}x{width} window configurations",
        "use a smaller window",
    )
    codes = np.arange(lattice.levels**size)
    digits = (codes[:, None] // lattice.levels ** np.arange(size - 1, -1, -1)) % lattice.levels
    table = np.asarray(detector(digits.reshape(-1, height, width)))
    if table.shape != (codes.size,):
        raise InvalidInputError(
            f"the detector returned shape {table.shape}; it must return one bool per window configuration "
            f"({codes.size},)"
        )
    return table.astype(bool).reshape((lattice.levels,) * size)


def local_features(
    lattice: Lattice,
    pattern: np.ndarray | None = None,
    *,
    window: tuple[int, int] | None = None,
    detector: Detector | None = None,
) -> list[np.ndarray]:
    """phi_j(s) for every window position j, each a bool array broadcasting over the image tensor.

    Give either ``pattern`` (exact match) or both ``window=(height, width)`` and ``detector``.
    """
    if (pattern is None) == (detector is None) or (detector is not None and window is None):
        raise InvalidInputError("give either a pattern, or a window=(height, width) together with a detector")
    if pattern is not None:
        window, detector = _pattern_detector(lattice, pattern)
    _require_enumerable(lattice)
    positions = windows(lattice, *window)  # refuses a window that does not fit before tabulating it
    table = _detector_table(lattice, window, detector)
    features = []
    for pixels in positions:
        shape = [1] * lattice.n_pixels
        for p in pixels:
            shape[p] = lattice.levels
        features.append(table.reshape(shape))  # window pixels increase, so this only inserts axes
    return features


def _count(features: list[np.ndarray], lead: tuple[int, ...]) -> np.ndarray:
    """sum_j phi_j on one chunk (int16; at most 64 * (d - 1) per pixel, far below its range)."""
    return functools.reduce(np.add, [_restrict(feature, lead).astype(np.int16) for feature in features])


def _any(features: list[np.ndarray], lead: tuple[int, ...]) -> np.ndarray:
    return functools.reduce(np.logical_or, [_restrict(feature, lead) for feature in features])


def pattern_present(
    lattice: Lattice,
    pattern: np.ndarray | None = None,
    *,
    window: tuple[int, int] | None = None,
    detector: Detector | None = None,
    dtype: np.dtype = np.float64,
) -> np.ndarray:
    """f = 1 if some window shows the feature (OR of local detectors), else 0.

    Models "is there a cat's eye / an edge / this texture anywhere in the image": decided by local
    features of size xi = the window, aggregated by OR.
    """
    features = local_features(lattice, pattern, window=window, detector=detector)
    return _streamed(lattice, dtype, "a pattern detector", lambda lead: _any(features, lead))


def pattern_absent(
    lattice: Lattice,
    pattern: np.ndarray | None = None,
    *,
    window: tuple[int, int] | None = None,
    detector: Detector | None = None,
    dtype: np.dtype = np.float64,
) -> np.ndarray:
    """f = 1 if no window shows the feature (AND of negated detectors): "the image is free of defects"."""
    features = local_features(lattice, pattern, window=window, detector=detector)
    return _streamed(lattice, dtype, "a pattern detector", lambda lead: ~_any(features, lead))


def count_threshold(
    lattice: Lattice,
    threshold: int,
    pattern: np.ndarray | None = None,
    *,
    window: tuple[int, int] | None = None,
    detector: Detector | None = None,
    dtype: np.dtype = np.float64,
) -> np.ndarray:
    """f = 1 if at least ``threshold`` windows show the feature: "are there at least t objects"."""
    features = local_features(lattice, pattern, window=window, detector=detector)
    return _streamed(lattice, dtype, "counting local features", lambda lead: _count(features, lead) >= threshold)


def _pixels(lattice: Lattice) -> list[np.ndarray]:
    return [pixel_values(lattice, p) for p in range(lattice.n_pixels)]


def majority(lattice: Lattice, *, dtype: np.dtype = np.float64) -> np.ndarray:
    """f = 1 if sum_p s_p > N (d - 1) / 2 ("is the image mostly bright"); a global, non-local count."""
    pixels, half = _pixels(lattice), lattice.n_pixels * (lattice.levels - 1)
    return _streamed(lattice, dtype, "a majority vote", lambda lead: _count(pixels, lead) * 2 > half)


def parity(lattice: Lattice, *, dtype: np.dtype = np.float64) -> np.ndarray:
    """f = (sum_p s_p) mod 2, values 0/1: a global function with S = ln 2 on every cut (d = 2).

    No local feature decides it; it models a problem a CNN cannot solve by looking locally.
    """
    pixels = _pixels(lattice)
    return _streamed(lattice, dtype, "a parity", lambda lead: _count(pixels, lead) % 2)


def product_function(lattice: Lattice, seed: int = 0, *, dtype: np.dtype = np.float64) -> np.ndarray:
    """f = prod_p g_p(s_p) with independent random g_p in [0.5, 1.5): no correlation, S = 0 on every cut.

    Models a classifier that scores each pixel independently (a naive-Bayes likelihood).
    """
    rng = np.random.default_rng(seed)
    factors = [
        g[pixel] for g, pixel in zip(rng.uniform(0.5, 1.5, (lattice.n_pixels, lattice.levels)), _pixels(lattice))
    ]
    return _streamed(
        lattice,
        dtype,
        "a product function",
        lambda lead: functools.reduce(np.multiply, [_restrict(factor, lead) for factor in factors]),
    )


def _random_stream(
    lattice: Lattice, dtype: np.dtype, what: str, draw: Callable[[int], np.ndarray], bytes_per_image: int = 0
) -> np.ndarray:
    """Chunks drawn in order from one generator: the same numbers as one draw of all d^N values."""
    shape = (lattice.levels,) * (lattice.n_pixels - _leading_pixels(lattice))
    return _streamed(
        lattice, dtype, what, lambda lead: draw(math.prod(shape)).reshape(shape), bytes_per_image=bytes_per_image
    )


def random_gaussian(
    lattice: Lattice, seed: int = 0, *, complex_values: bool = False, dtype: np.dtype = np.float64
) -> np.ndarray:
    """f(s) i.i.d. standard normal (complex: real and imaginary parts each N(0, 1/2)): the volume-law control.

    Drawn in float64 and rounded for ``dtype=np.float32``, so one seed gives the same function either way.
    """
    rng = np.random.default_rng(seed)
    # A complex function needs its imaginary part and the complex result (two itemsizes) besides.
    extra = 3 * np.dtype(dtype).itemsize if complex_values else 0
    real = _random_stream(lattice, dtype, "a random function", rng.standard_normal, bytes_per_image=extra)
    if not complex_values:
        return real
    imaginary = _random_stream(lattice, dtype, "a random function", rng.standard_normal)
    return (real + 1j * imaginary) / math.sqrt(2)


def random_boolean(lattice: Lattice, seed: int = 0, *, dtype: np.dtype = np.float64) -> np.ndarray:
    """f(s) i.i.d. uniform in {0, 1}: a labelling with no structure at all (the high-entanglement control)."""
    rng = np.random.default_rng(seed)
    return _random_stream(lattice, dtype, "a random Boolean function", lambda n: rng.integers(0, 2, size=n))


def random_boolean_with_ones(lattice: Lattice, ones: int, seed: int = 0, *, dtype: np.dtype = np.float64) -> np.ndarray:
    """A uniformly random 0/1 function with exactly ``ones`` ones: the density-matched control of a target
    with that many positive images (same density, no structure)."""
    if not 0 <= ones <= lattice.n_images:
        raise InvalidInputError(f"ones must be in 0..{lattice.n_images} (the number of images), got {ones}")
    _require_images(lattice, np.dtype(dtype).itemsize + 8, "a density-matched random function")
    values = np.zeros(lattice.n_images, dtype=dtype)
    values[np.random.default_rng(seed).choice(lattice.n_images, size=ones, replace=False)] = 1
    return values


def far_apart_equal(lattice: Lattice, i: int = 0, j: int | None = None, *, dtype: np.dtype = np.float64) -> np.ndarray:
    """f = [s_i == s_j] for two pixels (default: the first and the last).

    Models "do two distant regions match": a long-range correlation with no local feature; across a cut
    separating i from j it carries exactly ln d, whatever the boundary.
    """
    j = lattice.n_pixels - 1 if j is None else j
    if not (0 <= i < lattice.n_pixels and 0 <= j < lattice.n_pixels) or i == j:
        raise InvalidInputError(
            f"far-apart pixels must be two different pixels in 0..{lattice.n_pixels - 1}, got {i}, {j}"
        )
    equal = pixel_values(lattice, i) == pixel_values(lattice, j)
    return _streamed(lattice, dtype, "a far-apart comparison", lambda lead: _restrict(equal, lead))


def finite_state_reader(
    lattice: Lattice,
    transitions: np.ndarray,
    output: np.ndarray,
    order=None,
    *,
    initial: int = 0,
    dtype: np.dtype = np.float64,
) -> np.ndarray:
    """f(s) = output[q_N]: an r-state automaton reads the pixels one at a time in ``order`` (default 0..N-1),
    q_0 = initial, q_{t+1} = transitions[q_t, s_{order[t]}].

    The order-dependent aggregator of the sub-volume law: e.g. "the last non-zero pixel is 2" (2 states).
    ``transitions``: integers in 0..r-1, shape (r, d); ``output``: r numbers. Memory: the states of all
    d^N images (one byte each) beside the result.
    """
    transitions, output = np.asarray(transitions), np.asarray(output, dtype=np.float64)
    states = output.shape[0] if output.ndim == 1 else 0
    if (
        states < 1
        or transitions.shape != (states, lattice.levels)
        or transitions.dtype.kind not in "iu"
        or transitions.min() < 0
        or transitions.max() >= states
        or not 0 <= initial < states
        or states > 127
    ):
        raise InvalidInputError(
            f"a reader needs 1..127 states: output of shape (r,), transitions of integers in 0..r-1 with shape "
            f"(r, {lattice.levels}) and 0 <= initial < r; got output {output.shape}, transitions {transitions.shape}"
        )
    order = list(range(lattice.n_pixels)) if order is None else [int(p) for p in order]
    if sorted(order) != list(range(lattice.n_pixels)):
        raise InvalidInputError(f"order must be a permutation of the pixels 0..{lattice.n_pixels - 1}, got {order}")
    _require_images(lattice, 1 + np.dtype(dtype).itemsize, "a finite-state reader")
    state = np.full((1,) * lattice.n_pixels, initial, dtype=np.int8)
    table = transitions.astype(np.int8)
    for pixel in order:
        state = table[state, pixel_values(lattice, pixel)]
    return output[np.broadcast_to(state, (lattice.levels,) * lattice.n_pixels)].astype(dtype).reshape(-1)
