"""Compiled kernels for local-feature targets on binary images whose rows are packed into 64-bit words.

One side of a split (the pixels A, or the rest) fills a box of the image: row y of the box is a word whose
bit x is the pixel (y, x); the other side's pixels stay 0. A configuration's columns arrive packed (bit c
of the words is column c), so a run of columns that fills consecutive pixels of a box row is one shift and
one mask. From the box rows, per configuration of the side, two things: the number of windows inside the
side that show an accepted pattern, and a bit string for the windows that straddle the two sides, such
that the straddling windows that show an accepted pattern on the joined image number the popcount of the
AND of the two sides' strings. :func:`pair_values` adds the three counts and aggregates them into f.

- Few accepted patterns (:func:`matched_side`): a pattern is matched at every position of a box row at
  once, one AND per pattern pixel (bit x = the match at x). Matching only the side's own pixels of each
  window (the others pass) gives, for a straddling window, whether the side's part agrees with the pattern;
  the window shows the pattern exactly when both parts agree, and distinct patterns cannot both be shown,
  so the string holds one bit per (pattern, straddling window), a word per (pattern, image row).
- Many accepted patterns (:func:`looked_up_side`): each inside position's code (``sum_t 2**t pixel_t``, t
  row-major in the window: a window's rows are consecutive slices of bits) indexes the table of accepted
  codes, and each straddling window's part code indexes the slot table of :mod:`numeric.feature_grid`,
  whose words are ORed into the string.

The kernels are compiled by numba on first use (1-1.5 s per process, measured) and release the GIL, so that
threads share the blocks.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.core import types
from numba.extending import intrinsic

_ONE = np.uint64(1)

AGGREGATORS = {"or": 0, "nor": 1, "count": 2}


@intrinsic
def _popcount(typing_context, word):
    """The number of set bits of a uint64, by LLVM's ctpop (the CPU's popcount instruction where it has one)."""

    def generate(context, builder, signature, arguments):
        return builder.zext(builder.ctpop(arguments[0]), context.get_value_type(types.int64))

    return types.int64(types.uint64), generate


@numba.njit(nogil=True, cache=False, inline="always")
def _fill(rows, configuration, run_rows, run_bits, run_starts, run_lengths):
    """The box rows of one packed configuration: per run, its bits from at most two words, shifted into place."""
    rows[:] = 0
    for run in range(run_rows.shape[0]):
        start, length = run_starts[run], run_lengths[run]
        offset = np.uint64(start & 63)
        word = configuration[start >> 6] >> offset
        if offset and offset + np.uint64(length) > np.uint64(64):
            word |= configuration[(start >> 6) + 1] << (np.uint64(64) - offset)
        if length < 64:
            word &= (_ONE << np.uint64(length)) - _ONE
        rows[run_rows[run]] |= word << np.uint64(run_bits[run])


@numba.njit(nogil=True, cache=False)
def matched_side(
    configurations,  # (batch, words) uint64: column c of a configuration is bit c % 64 of word c // 64
    run_rows,  # (runs,) int64: per run of consecutive columns that fill consecutive pixels of a box row, the row
    run_bits,  # (runs,) int64: the bit of its first pixel (the column of the box)
    run_starts,  # (runs,) int64: its first configuration column
    run_lengths,  # (runs,) int64
    box_height,
    window_height,
    window_width,
    pattern_rows,  # (patterns, window_height) uint64: each accepted pattern's rows, bit dx = its pixel dx
    own,  # (box_height,) uint64: bit x set where the pixel (y, x) of the box belongs to the side
    inside,  # (positions down,) uint64: bit x set where the window at (y, x) lies inside the side
    straddling,  # (positions down,) uint64: bit x set where the window at (y, x) straddles the sides
    string_rows,  # (positions down,) int64: the straddling windows' image row among those that have them, or -1
    left,  # the image column of the box's column 0: a string's bit x is the window at image column x
    counts,  # out (batch,) int64
    strings,  # out (batch, patterns * straddling image rows) uint64, zeroed by the caller
):
    """Per packed configuration of one side, few accepted patterns: the inside windows that show one
    (``counts``) and the (pattern, straddling window) bits whose own part agrees with it (``strings``)."""
    rows = np.zeros(box_height, dtype=np.uint64)
    patterns = pattern_rows.shape[0]
    rows_of_string = strings.shape[1] // patterns
    for image in range(configurations.shape[0]):
        _fill(rows, configurations[image], run_rows, run_bits, run_starts, run_lengths)
        count = 0
        for y in range(inside.shape[0]):
            if inside[y] == 0 and straddling[y] == 0:
                continue
            shown = np.uint64(0)
            for pattern in range(patterns):
                agrees = ~np.uint64(0)  # bit x: the side's pixels of the window at (y, x) agree with the pattern
                for dy in range(window_height):
                    word, mine, bits = rows[y + dy], own[y + dy], pattern_rows[pattern, dy]
                    for dx in range(window_width):
                        shift = np.uint64(dx)
                        if (bits >> shift) & _ONE:
                            agrees &= (word >> shift) | ~(mine >> shift)
                        else:
                            agrees &= ~(word >> shift)
                shown |= agrees & inside[y]
                if string_rows[y] >= 0:
                    strings[image, pattern * rows_of_string + string_rows[y]] = (agrees & straddling[y]) << np.uint64(
                        left
                    )
            count += _popcount(shown)
        counts[image] = count


@numba.njit(nogil=True, cache=False)
def looked_up_side(
    configurations,  # as matched_side
    run_rows,
    run_bits,
    run_starts,
    run_lengths,
    box_height,
    window_height,
    window_width,
    accepted,  # (2**(window pixels),) bool: whether a window code is an accepted pattern
    inside,  # as matched_side
    window_ys,  # (straddling windows,) int64: top-left row in the box
    window_xs,  # (straddling windows,) int64: top-left column in the box
    part_codes,  # (straddling windows * window_height * 2**window_width,) int64: per window and window row,
    #              the row's bits -> their share of the code of the side's part of the window (sum 2**j pixel_j
    #              over the side's pixels j of the window)
    table_offsets,  # (straddling windows,) int64: where the window's table starts in ``tables``
    table_words,  # (straddling windows,) int64: words per code in the window's table
    string_words,  # (straddling windows,) int64: the first word of the string that the window's slot lies in
    tables,  # flat uint64: per window, per code, the words of its slot
    counts,  # out (batch,) int64
    strings,  # out (batch, words) uint64, zeroed by the caller
):
    """Per packed configuration of one side, any accepted patterns: the inside windows whose code is
    accepted (``counts``) and the straddling windows' slot bits of the side's part codes (``strings``)."""
    rows = np.zeros(box_height, dtype=np.uint64)
    row_mask = (_ONE << np.uint64(window_width)) - _ONE
    for image in range(configurations.shape[0]):
        _fill(rows, configurations[image], run_rows, run_bits, run_starts, run_lengths)
        count = 0
        for y in range(inside.shape[0]):
            positions = inside[y]
            x = np.uint64(0)
            while positions:
                if positions & _ONE:
                    code = 0
                    for dy in range(window_height):
                        code |= np.int64((rows[y + dy] >> x) & row_mask) << (dy * window_width)
                    count += accepted[code]
                positions >>= _ONE
                x += _ONE
        counts[image] = count
        for window in range(window_ys.shape[0]):
            code = 0
            for dy in range(window_height):
                row = (rows[window_ys[window] + dy] >> np.uint64(window_xs[window])) & row_mask
                code += part_codes[((window * window_height + dy) << window_width) + np.int64(row)]
            start = table_offsets[window] + code * table_words[window]
            for word in range(table_words[window]):
                strings[image, string_words[window] + word] |= tables[start + word]


@numba.njit(nogil=True, cache=False)
def pair_values(row_counts, row_strings, column_counts, column_strings, aggregator, threshold, plus_minus, out):
    """f on every pair of a stack of blocks: count = the row's count + the column's + the popcount of the
    AND of their strings, aggregated ("or", "nor", "count" as 0, 1, 2) into 0/1, or +-1 when ``plus_minus``.
    Shapes: row_counts (blocks, m), row_strings (blocks, m, words), columns likewise with n, out (blocks, m, n)."""
    blocks, rows, words = row_strings.shape
    columns = column_strings.shape[1]
    for block in range(blocks):
        for i in range(rows):
            for j in range(columns):
                count = row_counts[block, i] + column_counts[block, j]
                for word in range(words):
                    count += _popcount(row_strings[block, i, word] & column_strings[block, j, word])
                if aggregator == 0:
                    value = 1.0 if count > 0 else 0.0
                elif aggregator == 1:
                    value = 1.0 if count == 0 else 0.0
                else:
                    value = 1.0 if count >= threshold else 0.0
                out[block, i, j] = 2.0 * value - 1.0 if plus_minus else value
    return out


__all__ = ["AGGREGATORS", "looked_up_side", "matched_side", "pair_values"]
