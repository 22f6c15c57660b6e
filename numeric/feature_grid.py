"""Local-feature targets evaluated on grids of joined images at any image size, by counting bits.

A local-feature target counts the windows whose pixels show one of the accepted patterns and aggregates
the count: "or" (some window), "nor" (none), "count" (at least a threshold). On the image joined from a
configuration a of the pixels A and b of the pixels B, the count splits into three terms,

    count(a, b) = c_A(a) + c_B(b) + sum_{w straddling} accepted_w(a|_w, b|_w),

the windows inside A (once per row), inside B (once per column), and the straddling windows, which need
both. For a straddling window w, one side's part (the side with fewer of w's pixels, k of them) has d^k
codes x; the row or column on that side sets the single bit (w, x) of its code, the other side sets the bits
(w, x) of every x that its own part completes to an accepted pattern. The straddling term of a pair is then
the number of bits the two bit strings share, an AND and a popcount per 64 bits. A window's bits fill a
slot of a power-of-two width, so that no slot crosses a word. A 28x28 image with a 14x14 region and 2x2
windows has 60 straddling windows, 2 or 4 bits each: five 64-bit words per value, against 784 pixels per
image for the plain evaluation.

Binary images at most 64 pixels wide are counted by compiled kernels (:mod:`numeric.packed_windows`) on
configurations packed 64 pixels to a word (:func:`packed_columns`; the sampler's random bits arrive packed,
:meth:`LocalFeatureFunction.packed_grids`): on a 28x28 image with a centred 14x14 square and one 3x3 pattern,
6.6 us per 10 x 10 block on one thread (8.4 us from unpacked pixels), against 89 us for the numpy passes
below. Other images are counted by numpy: each side's own count on the smallest box of the image that
holds its inside windows, filled from its configurations by runs of consecutive pixels (slice copies:
0.45 µs per 28x28 image, against 7.8 µs for a scatter pixel by pixel). Either way, blocks are shared among
numeric.threads() threads.
"""

from __future__ import annotations

import math
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from numeric.errors import InvalidInputError
from numeric.lattice import Lattice
from numeric.targets import windows
from numeric.threads import threads

_PAIR_ELEMENTS = 1 << 21  # (pairs x words) per chunk of the popcount: a few MiB of temporaries
_TABLE_LIMIT = 1 << 22  # accepted-pattern table entries (d^(window pixels)): 4x4 binary windows need 65,536
_BLOCKS_PER_THREAD = 64  # fewer blocks per thread cost more in starting threads than they gain
_VALUES_PER_THREAD = 1 << 15  # likewise, values of f per thread when the rows of a few blocks are shared
_CHUNK_PIXELS = 1 << 18  # pixels per chunk of a side's window codes: 334 28x28 images
_KEPT_SPLITS = 1024  # splits kept per function, least recently used dropped: a climb over 784 sites reuses each
_MATCHED_PATTERNS = 4  # up to this many accepted patterns, the kernels match pattern rows; above, look codes up


def window_counts(lattice: Lattice, patterns: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Per image (an integer array (batch, N) in pixel order), the number of windows that show one of the
    accepted ``patterns`` (shape (m, height, width), or one pattern); a repeated pattern counts once. Each
    window's pixels are read as a code, looked up in a table of the accepted codes."""
    patterns = np.asarray(patterns).reshape(-1, *np.shape(patterns)[-2:])
    accepted = _accepted_table(patterns, lattice.levels)
    batch = np.asarray(images).reshape(-1, lattice.height, lattice.width)
    counts = np.empty(len(batch), dtype=np.int64)
    step = max(1, _CHUNK_PIXELS // lattice.n_pixels)
    for start in range(0, len(batch), step):
        codes = _window_codes(batch[start : start + step], patterns.shape[1:], lattice.levels, len(accepted))
        counts[start : start + step] = np.sum(np.take(accepted, codes), axis=(1, 2))
    return counts


def _window_codes(images: np.ndarray, window: tuple[int, int], levels: int, table_size: int) -> np.ndarray:
    """The code sum_t levels**t pixel_t (t row-major in the window) of every window position of a batch of
    images (batch, height, width): shape (batch, positions down, positions across). Separable: each row's
    run of ``width`` pixels is coded once per position across, then ``height`` row codes are combined, so a
    k x k window costs 2k passes over the images instead of k^2."""
    code_type = np.uint8 if table_size <= 1 << 8 else np.uint16 if table_size <= 1 << 16 else np.int32
    images = images.astype(code_type, copy=False)
    window_height, window_width = window
    positions = (images.shape[1] - window_height + 1, images.shape[2] - window_width + 1)
    rows = images[:, :, : positions[1]].copy()
    for dx in range(1, window_width):
        rows += images[:, :, dx : dx + positions[1]] * code_type(levels**dx)
    codes = rows[:, : positions[0]].copy()
    for dy in range(1, window_height):
        codes += rows[:, dy : dy + positions[0]] * code_type(levels ** (dy * window_width))
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
class _Box:
    """The size of the part of the image that holds one side's inside windows, how that side's configurations
    fill it (runs of consecutive pixels, copied as slices), and which window positions in it are inside."""

    height: int
    width: int
    runs: tuple[tuple[int, int, int], ...]  # (place in the flattened box, column of the configuration, length)
    inside: np.ndarray  # mask of the window positions in the box whose pixels all lie on this side


def _box(lattice: Lattice, window: tuple[int, int], sites: np.ndarray, inside: np.ndarray) -> _Box:
    """The _Box of the pixels ``sites`` (in the order of their configurations' columns) whose inside window
    positions (over the whole image) are ``inside``."""
    ys, xs = np.nonzero(inside)
    if len(ys) == 0:
        return _Box(0, 0, (), np.zeros((0, 0), dtype=bool))
    top, left = int(ys.min()), int(xs.min())
    height, width = int(ys.max()) - top + window[0], int(xs.max()) - left + window[1]
    y, x = np.divmod(np.asarray(sites, dtype=np.int64), lattice.width)
    kept = np.flatnonzero((y >= top) & (y < top + height) & (x >= left) & (x < left + width))
    places = (y[kept] - top) * width + (x[kept] - left)
    breaks = np.flatnonzero((np.diff(places) != 1) | (np.diff(kept) != 1)) + 1
    starts, stops = np.r_[0, breaks], np.r_[breaks, len(kept)]
    runs = tuple((int(places[a]), int(kept[a]), int(b - a)) for a, b in zip(starts, stops) if b > a)
    box_inside = inside[top : top + height - window[0] + 1, left : left + width - window[1] + 1]
    return _Box(height, width, runs, np.ascontiguousarray(box_inside))


@dataclass(frozen=True)
class _Straddling:
    """One side's part of the straddling windows: window w's code is sum_j levels**j configuration[columns[w,
    j]] over its own pixels (``weights`` 0 past them); per group of windows whose slots have one width, (the
    windows, their offsets into the table, the table of each code's slot as uint64 words (codes, words per
    slot), slots per word)."""

    columns: np.ndarray
    weights: np.ndarray
    groups: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, int], ...]

    def words(self, configurations: np.ndarray) -> np.ndarray:
        """The bit strings of a batch of this side's configurations, shape (batch, words)."""
        if len(self.columns) == 0:
            return np.zeros((len(configurations), 1), dtype=np.uint64)
        codes = np.zeros((len(configurations), len(self.columns)), dtype=np.int32)
        for j in range(self.columns.shape[1]):  # a pass per pixel of the widest part: no BLAS, no threads
            codes += np.take(configurations, self.columns[:, j], axis=1) * self.weights[:, j]
        parts = []
        for windows_of_group, offsets, table, per_word in self.groups:
            slots = np.take(
                table, offsets + np.take(codes, windows_of_group, axis=1), axis=0
            )  # (batch, windows, words)
            if per_word == 1:
                parts.append(slots.reshape(len(configurations), -1))
                continue
            slots = slots[:, :, 0].reshape(len(configurations), -1, per_word)  # the last word filled by zeros
            parts.append(np.bitwise_or.reduce(slots, axis=2))
        return np.concatenate(parts, axis=1)


@dataclass(frozen=True)
class _PackedSide:
    """One side of a split for the compiled kernels (:mod:`numeric.packed_windows`): which kernel, its
    arguments after the packed configurations (up to its outputs), and the words of the side's bit strings."""

    matched: bool  # matched_side (few accepted patterns) or looked_up_side
    arguments: tuple
    words: int


@dataclass(frozen=True)
class _Split:
    """The windows of one split of the pixels into two sides: per side, the windows inside it (their
    pixels as columns of that side's configurations), and per straddling window the bits each side sets."""

    sides: tuple[np.ndarray, np.ndarray]  # the pixels of each side
    accepted: np.ndarray  # accepted[code of a window's pixels]
    only_code: int | None  # the accepted code when there is one
    boxes: tuple[_Box, _Box]  # per side, the part of the image that holds its inside windows
    straddling: tuple[_Straddling, _Straddling]
    words: int  # 64-bit words of one bit string
    packed: tuple[_PackedSide, _PackedSide] | None  # binary images: the compiled kernels' layout of each side


def packed_columns(configurations: np.ndarray) -> np.ndarray:
    """Binary configurations (..., columns) as words (..., ceil(columns / 64)) uint64: column c is bit c % 64
    of word c // 64."""
    configurations = np.asarray(configurations)
    if configurations.dtype.kind not in "biu":  # levels given as floats
        configurations = configurations != 0
    columns = configurations.shape[-1]
    flat = configurations.reshape(math.prod(configurations.shape[:-1]), columns)  # a side may have no pixels
    packed = np.packbits(flat, axis=1, bitorder="little")  # bit c % 8 of byte c // 8 = column c
    return _words(packed, columns).reshape(*configurations.shape[:-1], -1)


_REVERSED_BITS = np.array([int(f"{byte:08b}"[::-1], 2) for byte in range(256)], dtype=np.uint8)


def words_of_bytes(random_bytes: np.ndarray, columns: int) -> np.ndarray:
    """The words of :func:`packed_columns` for the configurations whose columns are the big-endian bits of
    ``random_bytes`` (..., ceil(columns / 8)) uint8 (column c is bit 7 - c % 8 of byte c // 8, as
    ``np.unpackbits`` reads them): the same configurations without unpacking them."""
    flat = random_bytes.reshape(-1, random_bytes.shape[-1])
    words = _words(np.take(_REVERSED_BITS, flat), columns)
    if columns % 8:  # the last byte's bits past the last column
        words.view(np.uint8)[:, flat.shape[1] - 1] &= np.uint8((1 << (columns % 8)) - 1)
    return words.reshape(*random_bytes.shape[:-1], -1)


def _words(little_bytes: np.ndarray, columns: int) -> np.ndarray:
    """Rows of bytes whose bit c % 8 of byte c // 8 is column c, as rows of ceil(columns / 64) little-endian
    uint64 words (at least one; the byte order is checked where the words are used)."""
    words = np.zeros((len(little_bytes), max(1, -(-columns // 64))), dtype=np.uint64)
    words.view(np.uint8)[:, : little_bytes.shape[1]] = little_bytes
    return words


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
        if firsts.shape[0] * firsts.shape[1] * seconds.shape[1] == 0:  # nothing to count (cross interpolation
            return np.zeros((firsts.shape[0], firsts.shape[1], seconds.shape[1]))  # asks for no new columns)
        if split.packed:  # packed in the threads, where packing overlaps
            return self._threaded(
                lambda a, b: self._packed_values(split, packed_columns(a), packed_columns(b)), firsts, seconds
            )
        return self._threaded(lambda a, b: self._values(split, a, b), firsts, seconds)

    def packs(self, first_sites: np.ndarray, second_sites: np.ndarray) -> bool:
        """Whether :meth:`packed_grids` serves this split (binary images at most 64 pixels wide)."""
        return self._split(np.asarray(first_sites), np.asarray(second_sites)).packed is not None

    def packed_grids(
        self, first_sites: np.ndarray, first_words: np.ndarray, second_sites: np.ndarray, second_words: np.ndarray
    ) -> np.ndarray:
        """:meth:`grids` on configurations given as words (:func:`packed_columns`): ``first_words`` (blocks, m,
        words) and ``second_words`` (blocks, n, words) give shape (blocks, m, n). For splits that
        :meth:`packs`."""
        split = self._split(np.asarray(first_sites), np.asarray(second_sites))
        if split.packed is None:
            raise InvalidInputError("this split cannot be evaluated on packed configurations; use grids")
        return self._threaded(lambda a, b: self._packed_values(split, a, b), first_words, second_words)

    @staticmethod
    def _threaded(values, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """``values(firsts, seconds)`` (a stack of grids) with the blocks shared among numeric.threads()
        threads, or, when there are too few blocks to share (a cross interpolation's one large grid), the
        rows."""
        blocks, rows = firsts.shape[:2]
        parts = min(threads(), max(1, blocks // _BLOCKS_PER_THREAD))
        axis = 0
        if parts == 1:
            axis = 1
            parts = min(threads(), rows, max(1, blocks * rows * seconds.shape[1] // _VALUES_PER_THREAD))
        if parts == 1:
            return values(firsts, seconds)
        # numpy and the compiled kernels release the GIL in the loops that cost, so threads share the work
        bounds = np.linspace(0, firsts.shape[axis], parts + 1).astype(int)
        pieces = [
            (firsts[a:b], seconds[a:b]) if axis == 0 else (firsts[:, a:b], seconds)
            for a, b in zip(bounds[:-1], bounds[1:])
        ]
        with ThreadPoolExecutor(parts) as pool:
            return np.concatenate(list(pool.map(lambda piece: values(*piece), pieces)), axis=axis)

    def _values(self, split: _Split, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        return self._labelled(_aggregate(self._counts(split, firsts, seconds), self.aggregator, self.threshold))

    def _packed_values(self, split: _Split, first_words: np.ndarray, second_words: np.ndarray) -> np.ndarray:
        """The values of a stack of grids on packed configurations, by the compiled kernels
        (:mod:`numeric.packed_windows`)."""
        from numeric import packed_windows  # numba compiles the kernels on first use: import only when used

        blocks, rows, columns = first_words.shape[0], first_words.shape[1], second_words.shape[1]
        sides = []
        for side, words in zip(split.packed, (first_words, second_words)):
            words = np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, words.shape[-1])
            counts = np.empty(len(words), dtype=np.int64)
            strings = np.zeros((len(words), side.words), dtype=np.uint64)
            kernel = packed_windows.matched_side if side.matched else packed_windows.looked_up_side
            kernel(words, *side.arguments, counts, strings)
            sides.append((counts, strings))
        values = np.empty((blocks, rows, columns))
        packed_windows.pair_values(
            sides[0][0].reshape(blocks, rows),
            sides[0][1].reshape(blocks, rows, -1),
            sides[1][0].reshape(blocks, columns),
            sides[1][1].reshape(blocks, columns, -1),
            packed_windows.AGGREGATORS[self.aggregator],
            self.threshold,
            self.labels == "pm1",
            values,
        )
        return values

    def _counts(self, split: _Split, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """The window counts of a stack of grids (:meth:`grids`), shape (blocks, m, n)."""
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
        return counts

    def _labelled(self, values: np.ndarray) -> np.ndarray:
        return 2 * values - 1 if self.labels == "pm1" else values

    def _split(self, first_sites: np.ndarray, second_sites: np.ndarray) -> _Split:
        key = (first_sites.tobytes(), second_sites.tobytes())
        if key in self._splits:
            self._splits[key] = self._splits.pop(key)  # the most recently used last
        else:  # a sweep moves from region to region; a cross interpolation's climb visits every site in turn
            if len(self._splits) >= _KEPT_SPLITS:
                del self._splits[next(iter(self._splits))]
            self._splits[key] = _build_split(self.lattice, self.patterns, first_sites, second_sites)
        return self._splits[key]

    def _side(self, split: _Split, side: int, configurations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per configuration of one side: its windows' count and its bit string (uint64 words). The count is
        taken on the side's box alone, filled run by run (the other side's pixels at 0: only windows inside
        this side are counted)."""
        box = split.boxes[side]
        counts = np.zeros(len(configurations), dtype=np.int32)
        step = max(1, _CHUNK_PIXELS // max(1, box.height * box.width))
        for start in range(0, len(configurations) if box.runs else 0, step):
            chunk = configurations[start : start + step]
            image = np.zeros((len(chunk), box.height * box.width), dtype=chunk.dtype)
            for place, column, length in box.runs:
                image[:, place : place + length] = chunk[:, column : column + length]
            codes = _window_codes(
                image.reshape(len(chunk), box.height, box.width),
                self.patterns.shape[1:],
                self.lattice.levels,
                len(split.accepted),
            )
            if split.only_code is None:
                shown = np.take(split.accepted, codes) & box.inside  # np.take: 2-3x faster than indexing here
            else:  # one accepted pattern: a comparison, 5x faster than the lookup
                shown = (codes == split.only_code) & box.inside
            counts[start : start + step] = np.sum(shown, axis=(1, 2), dtype=np.int32)
        return counts, split.straddling[side].words(configurations)


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
    tables: tuple[list, list] = ([], [])  # per side, per straddling window: (its columns, its bits per code)
    corners, own_pixels = [], ([], [])  # per straddling window: its top-left (y, x); per side, its pixels t
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
        tables[short].append((column_of[window[parts[short]]], np.eye(short_codes, dtype=bool)))
        tables[1 - short].append((column_of[window[parts[1 - short]]], completes))
        corners.append(divmod(number, positions[1]))
        for side in (0, 1):
            own_pixels[side].append(parts[side])
    # a window's slot is its short side's code count rounded up to a power of two; windows with slots of one
    # width are grouped, each group starting a new word, so that no slot crosses a word
    widths = [1 << max(0, (table.shape[1] - 1).bit_length()) for _, table in tables[0]]
    words = 0
    layout = []  # per group: (its windows, their slot width)
    for width_of_group in sorted(set(widths)):
        members = np.array([w for w, width_of_window in enumerate(widths) if width_of_window == width_of_group])
        layout.append((members, width_of_group))
        words += -(-len(members) * width_of_group // 64)
    straddling = tuple(_straddling(side_tables, layout, levels) for side_tables in tables)
    packed = None
    if (
        levels == 2
        and lattice.width <= 64
        and sys.byteorder == "little"  # the packed columns are read as little-endian words
        and height * (1 << width) * max(1, len(corners)) <= _TABLE_LIMIT
    ):
        packed = tuple(
            _packed_side(
                lattice, patterns, accepted, sites, inside[side], corners, own_pixels[side], straddling[side], words
            )
            for side, sites in enumerate((first_sites, second_sites))
        )
    return _Split(
        sides=(first_sites, second_sites),
        accepted=accepted,
        only_code=int(np.flatnonzero(accepted)[0]) if np.count_nonzero(accepted) == 1 else None,
        boxes=tuple(
            _box(lattice, (height, width), sites, mask) for sites, mask in zip((first_sites, second_sites), inside)
        ),
        straddling=straddling,
        words=max(1, words),
        packed=packed,
    )


def _packed_side(
    lattice: Lattice,
    patterns: np.ndarray,
    accepted: np.ndarray,
    sites: np.ndarray,
    inside: np.ndarray,
    corners: list[tuple[int, int]],
    own_pixels: list[np.ndarray],
    straddling: _Straddling,
    words_of_string: int,
) -> _PackedSide:
    """The _PackedSide of the pixels ``sites`` of a binary lattice, for windows of the ``patterns``' shape: the
    box is the smallest that holds the side's inside window positions (``inside``) and the straddling windows
    (top-left ``corners`` in the image; the side's pixels t of each, row-major in the window, in
    ``own_pixels``). With at most _MATCHED_PATTERNS accepted codes, the matched kernel's arguments; otherwise
    the looked-up kernel's, with the slot tables of ``straddling``, whose strings have ``words_of_string``
    words."""
    height, width = patterns.shape[1:]
    inside_ys, inside_xs = np.nonzero(inside)
    corner_ys = np.array([y for y, _ in corners], dtype=np.int64)
    corner_xs = np.array([x for _, x in corners], dtype=np.int64)
    all_ys, all_xs = np.r_[inside_ys, corner_ys], np.r_[inside_xs, corner_xs]
    top = int(all_ys.min()) if len(all_ys) else 0
    left = int(all_xs.min()) if len(all_xs) else 0
    box_height = int(all_ys.max()) - top + height if len(all_ys) else 0
    positions_down = max(0, box_height - height + 1)
    pixel_ys, pixel_xs = np.divmod(np.asarray(sites, dtype=np.int64), lattice.width)
    pixel_ys, pixel_xs = pixel_ys - top, pixel_xs - left
    breaks = np.flatnonzero((np.diff(pixel_ys) != 0) | (np.diff(pixel_xs) != 1)) + 1
    starts = np.r_[0, breaks].astype(np.int64) if len(sites) else np.zeros(0, dtype=np.int64)
    runs = (pixel_ys[starts], pixel_xs[starts], starts, np.diff(np.r_[starts, len(sites)]).astype(np.int64))
    shape = (box_height, int(height), int(width))
    inside_words = _row_words(positions_down, inside_ys - top, inside_xs - left)
    codes = np.flatnonzero(accepted)
    if len(codes) <= _MATCHED_PATTERNS:
        string_rows = np.unique(corner_ys)  # the image rows that hold straddling windows
        row_of_string = np.full(positions_down, -1, dtype=np.int64)
        box_rows = string_rows - top
        row_of_string[box_rows] = np.arange(len(string_rows))
        pattern_rows = ((codes[:, None] >> (width * np.arange(height))) & ((1 << width) - 1)).astype(np.uint64)
        arguments = (
            *runs,
            *shape,
            pattern_rows,
            _row_words(box_height, pixel_ys, pixel_xs),
            inside_words,
            _row_words(positions_down, corner_ys - top, corner_xs - left),
            row_of_string,
            left,
        )
        return _PackedSide(matched=True, arguments=arguments, words=max(1, len(codes) * len(string_rows)))
    row_bits = np.arange(1 << width)
    part_codes = np.zeros((len(corners), height, 1 << width), dtype=np.int64)
    for number, pixels in enumerate(own_pixels):
        for digit, pixel in enumerate(pixels):
            dy, dx = divmod(int(pixel), width)
            part_codes[number, dy] += ((row_bits >> dx) & 1) << digit
    table_offsets, table_words, string_words = (np.zeros(len(corners), dtype=np.int64) for _ in range(3))
    placed, flat, first_word, first_entry = np.zeros(len(corners), dtype=bool), [], 0, 0
    for members, offsets, table, per_word in straddling.groups:
        for slot, (member, offset) in enumerate(zip(members, offsets)):
            if placed[member]:  # a copy of the group's first window that fills its last word with zeros
                continue
            placed[member] = True
            table_offsets[member] = first_entry + offset * table.shape[1]
            table_words[member] = table.shape[1]
            string_words[member] = first_word + (slot // per_word if per_word > 1 else slot * table.shape[1])
        flat.append(table.ravel())
        first_entry += table.size
        first_word += len(members) // per_word if per_word > 1 else len(members) * table.shape[1]
    arguments = (
        *runs,
        *shape,
        accepted,
        inside_words,
        corner_ys - top,
        corner_xs - left,
        part_codes.ravel(),
        table_offsets,
        table_words,
        string_words,
        np.concatenate(flat) if flat else np.zeros(1, dtype=np.uint64),
    )
    return _PackedSide(matched=False, arguments=arguments, words=max(1, words_of_string))


def _row_words(rows: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """A word per row with bit x set for every point (y, x) of the given coordinates."""
    words = np.zeros(rows, dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), np.asarray(xs, dtype=np.uint64))
    np.bitwise_or.at(words, np.asarray(ys, dtype=np.int64), bits)
    return words


def _straddling(side_tables: list[tuple[np.ndarray, np.ndarray]], layout: list, levels: int) -> _Straddling:
    """A side's _Straddling from its (columns, bits per code) per window and the slot layout of the groups."""
    widest = max((len(c) for c, _ in side_tables), default=0)
    columns = np.zeros((len(side_tables), widest), dtype=np.int64)
    weights = np.zeros((len(side_tables), widest), dtype=np.int32)
    for window, (window_columns, _) in enumerate(side_tables):
        columns[window, : len(window_columns)] = window_columns
        weights[window, : len(window_columns)] = levels ** np.arange(len(window_columns))
    groups = []
    for members, width in layout:
        per_word = max(1, 64 // width)
        tables, offsets, total = [], [], 0
        for slot, window in enumerate(members):
            bits = side_tables[window][1]
            padded = np.zeros((len(bits), max(64, width)), dtype=bool)
            padded[:, : bits.shape[1]] = bits
            table = np.packbits(padded, axis=1, bitorder="little").view(np.uint64)  # (codes, words per slot)
            if per_word > 1:
                table = table << np.uint64((slot % per_word) * width)
            tables.append(table)
            offsets.append(total)
            total += len(table)
        if per_word > 1 and len(members) % per_word:  # fill the last word with the first window's codes read
            padding = per_word - len(members) % per_word  # in a block of zeros
            tables.append(np.zeros_like(tables[0]))
            members = np.r_[members, np.full(padding, members[0])]
            offsets += [total] * padding
        groups.append((members, np.array(offsets, dtype=np.int64), np.concatenate(tables), per_word))
    return _Straddling(columns=columns, weights=weights, groups=tuple(groups))


def _digits(count: int, length: int, levels: int) -> np.ndarray:
    """Every code 0..count-1 as its ``length`` base-``levels`` digits, least significant first."""
    return (np.arange(count)[:, None] // levels ** np.arange(length)) % levels


__all__ = ["LocalFeatureFunction", "local_feature_values", "packed_columns", "window_counts", "words_of_bytes"]
