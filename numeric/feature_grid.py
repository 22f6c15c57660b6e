"""Local-feature targets evaluated on grids of joined images at any image size, by counting bits.

A local-feature target counts the windows whose pixels show one of the accepted patterns and aggregates
the count: "or" (some window), "nor" (none), "count" (at least a threshold). On the image joined from a
configuration a of the pixels A and b of the pixels B, the count splits into three terms,

    count(a, b) = c_A(a) + c_B(b) + sum_{w straddling} accepted_w(a|_w, b|_w),

the windows inside A (once per row), inside B (once per column), and the straddling windows, which need
both. For a straddling window w, one side's part (the side with fewer of w's pixels, k of them) has d^k
codes x; the row or column on that side sets the single bit (w, x) of its code, the other side sets the bits
(w, x) of every x that its own part completes to an accepted pattern. The straddling term of a pair is then
the number of bits the two bit strings share, an AND and a popcount per 64 bits. A 28x28 image with a
14x14 region and 2x2 windows has 60 straddling windows, at most 4 bits each: four 64-bit words per value,
against 784 pixels per image for the plain evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from numeric.errors import InvalidInputError
from numeric.lattice import Lattice
from numeric.targets import windows

_PAIR_ELEMENTS = 1 << 21  # (pairs x words) per chunk of the popcount: a few MiB of temporaries
_TABLE_LIMIT = 1 << 22  # accepted-pattern table entries (d^(window pixels)): 4x4 binary windows need 65,536
_ROWS = 512  # configurations per chunk of the window codes


def window_counts(lattice: Lattice, patterns: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Per image (an integer array (batch, N) in pixel order), the number of windows that show one of the
    accepted ``patterns`` (shape (m, height, width), or one pattern); a repeated pattern counts once. Each
    window's pixels are read as a code, looked up in a table of the accepted codes."""
    patterns = np.asarray(patterns).reshape(-1, *np.shape(patterns)[-2:])
    accepted = _accepted_table(patterns, lattice.levels)
    batch = np.asarray(images).reshape(-1, lattice.height, lattice.width)
    counts = np.empty(len(batch), dtype=np.int64)
    for start in range(0, len(batch), _ROWS):
        codes = _window_codes(batch[start : start + _ROWS], patterns.shape[1:], lattice.levels, len(accepted))
        counts[start : start + _ROWS] = np.sum(accepted[codes], axis=(1, 2))
    return counts


def _window_codes(images: np.ndarray, window: tuple[int, int], levels: int, table_size: int) -> np.ndarray:
    """The code sum_t levels**t pixel_t (t row-major in the window) of every window position of a batch of
    images (batch, height, width): shape (batch, positions down, positions across)."""
    code_type = np.uint16 if table_size <= 1 << 16 else np.int32
    images = images.astype(code_type, copy=False)
    window_height, window_width = window
    positions = (images.shape[1] - window_height + 1, images.shape[2] - window_width + 1)
    codes = np.zeros((len(images), *positions), dtype=code_type)
    place = 1
    for dy in range(window_height):
        for dx in range(window_width):
            codes += images[:, dy : dy + positions[0], dx : dx + positions[1]] * code_type(place)
            place *= levels
    return codes


def _accepted_table(patterns: np.ndarray, levels: int) -> np.ndarray:
    """accepted[code] for every configuration of a window, code = sum_t levels**t pixel_t (row-major t)."""
    _, height, width = patterns.shape
    size = height * width
    if levels**size > _TABLE_LIMIT:
        raise InvalidInputError(
            f"{width}x{height} windows with {levels} levels have {levels**size:,} configurations, too many for a "
            "table of accepted patterns; use windows of at most 4x4 binary pixels"
        )
    accepted = np.zeros(levels**size, dtype=bool)
    accepted[patterns.reshape(len(patterns), size).astype(np.int64) @ (levels ** np.arange(size, dtype=np.int64))] = (
        True
    )
    return accepted


def local_feature_values(
    lattice: Lattice, patterns: np.ndarray, aggregator: str, threshold: int, images: np.ndarray
) -> np.ndarray:
    """A local-feature target on a batch of images (an integer array (batch, N) in pixel order), at any
    image size: the windows whose pixels show one of the accepted ``patterns`` (shape (m, height, width)),
    aggregated by "or" (some window), "nor" (none) or "count" (at least ``threshold``); 0/1 values."""
    return _aggregate(window_counts(lattice, patterns, images), aggregator, threshold)


def _aggregate(counts: np.ndarray, aggregator: str, threshold: int) -> np.ndarray:
    if aggregator == "or":
        return (counts > 0).astype(np.float64)
    if aggregator == "nor":
        return (counts == 0).astype(np.float64)
    return (counts >= threshold).astype(np.float64)


@dataclass(frozen=True)
class _Split:
    """The windows of one split of the pixels into two sides: per side, the windows inside it (their
    pixels as columns of that side's configurations), and per straddling window the bits each side sets."""

    sides: tuple[np.ndarray, np.ndarray]  # the pixels of each side
    accepted: np.ndarray  # accepted[code of a window's pixels]
    inside: tuple[np.ndarray, np.ndarray]  # per side, a mask of the window positions inside it
    straddling: tuple[list[tuple[np.ndarray, np.ndarray, int]], list[tuple[np.ndarray, np.ndarray, int]]]
    words: int  # 64-bit words of one bit string


@dataclass(frozen=True, eq=False)
class LocalFeatureFunction:
    """A local-feature target (:func:`local_feature_values`) as a batched function of images with the grid
    methods of :func:`numeric.tci.evaluate_grid` and :func:`numeric.tci.evaluate_grids`, which count bits
    (module docstring). ``labels="pm1"`` gives 2 f - 1, ``"01"`` the 0/1 label."""

    lattice: Lattice
    patterns: np.ndarray
    aggregator: str
    threshold: int
    labels: str = "pm1"
    _splits: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        patterns = np.asarray(self.patterns, dtype=np.int64)
        object.__setattr__(self, "patterns", patterns.reshape(-1, *patterns.shape[-2:]))
        if self.labels not in ("01", "pm1"):
            raise InvalidInputError(f"labels must be '01' or 'pm1', got {self.labels!r}")

    def __call__(self, images: np.ndarray) -> np.ndarray:
        return self._labelled(
            local_feature_values(self.lattice, self.patterns, self.aggregator, self.threshold, images)
        )

    def grid(self, first_sites: np.ndarray, first: np.ndarray, second_sites: np.ndarray, second: np.ndarray):
        """f on every image joined from a row of ``first`` (levels of the pixels ``first_sites``) and a row of
        ``second`` (of ``second_sites``): shape (len(first), len(second))."""
        return self.grids(first_sites, np.asarray(first)[None], second_sites, np.asarray(second)[None])[0]

    def grids(
        self, first_sites: np.ndarray, firsts: np.ndarray, second_sites: np.ndarray, seconds: np.ndarray
    ) -> np.ndarray:
        """A stack of grids (:meth:`grid`) on one split: ``firsts`` (blocks, m, |first|) and ``seconds``
        (blocks, n, |second|) give shape (blocks, m, n)."""
        first_sites, second_sites = np.asarray(first_sites), np.asarray(second_sites)
        if len(first_sites) + len(second_sites) != self.lattice.n_pixels:
            raise InvalidInputError("a grid's two parts must together cover every pixel once")
        split = self._split(first_sites, second_sites)
        firsts, seconds = np.asarray(firsts), np.asarray(seconds)
        blocks, rows, columns = firsts.shape[0], firsts.shape[1], seconds.shape[1]
        row_counts, row_bits = self._side(split, 0, firsts.reshape(blocks * rows, -1))
        column_counts, column_bits = self._side(split, 1, seconds.reshape(blocks * columns, -1))
        row_bits = row_bits.reshape(blocks, rows, 1, -1)
        column_bits = column_bits.reshape(blocks, 1, columns, -1)
        counts = np.empty((blocks, rows, columns), dtype=np.int32)
        step = max(1, _PAIR_ELEMENTS // max(1, rows * columns * split.words))
        for start in range(0, blocks, step):
            shared = np.bitwise_count(row_bits[start : start + step] & column_bits[start : start + step])
            counts[start : start + step] = shared.sum(axis=-1, dtype=np.int32)
        counts += row_counts.reshape(blocks, rows, 1) + column_counts.reshape(blocks, 1, columns)
        return self._labelled(_aggregate(counts, self.aggregator, self.threshold))

    def _labelled(self, values: np.ndarray) -> np.ndarray:
        return 2 * values - 1 if self.labels == "pm1" else values

    def _split(self, first_sites: np.ndarray, second_sites: np.ndarray) -> _Split:
        key = (first_sites.tobytes(), second_sites.tobytes())
        if key not in self._splits:
            self._splits.clear()  # one split at a time: a sweep moves from region to region
            self._splits[key] = _build_split(self.lattice, self.patterns, first_sites, second_sites)
        return self._splits[key]

    def _side(self, split: _Split, side: int, configurations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per configuration of one side: its windows' count and its bit string (uint64 words)."""
        levels, height, width = self.lattice.levels, self.lattice.height, self.lattice.width
        sites, inside = split.sides[side], split.inside[side]
        counts = np.empty(len(configurations), dtype=np.int32)
        for start in range(0, len(configurations), _ROWS):
            chunk = configurations[start : start + _ROWS]
            image = np.zeros((len(chunk), height * width), dtype=chunk.dtype)
            image[:, sites] = chunk  # the other side's pixels at 0: only windows inside this side are counted
            codes = _window_codes(
                image.reshape(len(chunk), height, width), self.patterns.shape[1:], levels, len(split.accepted)
            )
            counts[start : start + _ROWS] = np.sum(split.accepted[codes] & inside, axis=(1, 2), dtype=np.int32)
        bits = np.zeros((len(configurations), split.words * 64), dtype=bool)
        for columns, table, offset in split.straddling[side]:
            codes = configurations[:, columns].astype(np.int64) @ (levels ** np.arange(len(columns), dtype=np.int64))
            bits[:, offset : offset + table.shape[1]] = table[codes]
        packed = np.packbits(bits, axis=1, bitorder="little")
        return counts, np.ascontiguousarray(packed).view(np.uint64)


def _build_split(lattice: Lattice, patterns: np.ndarray, first_sites: np.ndarray, second_sites: np.ndarray) -> _Split:
    levels = lattice.levels
    _, height, width = patterns.shape
    size = height * width
    accepted = _accepted_table(patterns, levels)
    side_of = np.empty(lattice.n_pixels, dtype=np.int64)
    column_of = np.empty(lattice.n_pixels, dtype=np.int64)
    for side, sites in enumerate((first_sites, second_sites)):
        side_of[sites] = side
        column_of[sites] = np.arange(len(sites))
    positions = (lattice.height - height + 1, lattice.width - width + 1)
    inside = (np.zeros(positions, dtype=bool), np.zeros(positions, dtype=bool))
    straddling: tuple[list, list] = ([], [])
    offset = 0
    place = levels ** np.arange(size, dtype=np.int64)  # window pixel t carries levels**t in the code
    for number, window in enumerate(windows(lattice, height, width)):
        window = np.asarray(window)
        sides = side_of[window]
        if np.all(sides == sides[0]):
            inside[sides[0]][divmod(number, positions[1])] = True
            continue
        # the side with fewer of the window's pixels sets one bit of its code; the other, every completion
        short = int(np.sum(sides == 0) > np.sum(sides == 1))
        parts = [np.flatnonzero(sides == s) for s in (0, 1)]
        short_codes = levels ** len(parts[short])
        long_codes = levels ** len(parts[1 - short])
        short_values = _digits(short_codes, len(parts[short]), levels) @ place[parts[short]]
        long_values = _digits(long_codes, len(parts[1 - short]), levels) @ place[parts[1 - short]]
        completes = accepted[long_values[:, None] + short_values[None, :]]  # (long code, short code)
        straddling[short].append((column_of[window[parts[short]]], np.eye(short_codes, dtype=bool), offset))
        straddling[1 - short].append((column_of[window[parts[1 - short]]], completes, offset))
        offset += short_codes
    return _Split(
        sides=(first_sites, second_sites),
        accepted=accepted,
        inside=inside,
        straddling=straddling,
        words=max(1, -(-offset // 64)),
    )


def _digits(count: int, length: int, levels: int) -> np.ndarray:
    """Every code 0..count-1 as its ``length`` base-``levels`` digits, least significant first."""
    return (np.arange(count)[:, None] // levels ** np.arange(length)) % levels


__all__ = ["LocalFeatureFunction", "local_feature_values", "window_counts"]
