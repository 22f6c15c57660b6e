"""A compiled rank-revealing LU with full pivoting, for the crosses of :mod:`numeric.tci`.

Each step takes the entry of largest |residual| as the pivot (the first in row-major order on ties, as
``np.argmax`` does) and subtracts the rank-one update ``residual[:, j] * (residual[i, :] / pivot)``, finding
the next pivot in the same pass over the matrix. numpy needs three passes per step (the outer product, the
subtraction, the search); the arithmetic is the same, entry by entry, so the pivots are too. Compiled by
numba on first use; releases the GIL.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(nogil=True, cache=False)
def full_pivot_cross(residual: np.ndarray, tolerance: float, max_rank: int):
    """Pivots (rows, columns) of ``residual`` (float64, modified in place into the final residual) until the
    largest |residual| is at most ``tolerance`` or ``max_rank`` pivots are taken; returns them and the
    largest |residual| left (0 for an empty matrix)."""
    m, n = residual.shape
    limit = min(max_rank, m, n)
    rows = np.empty(limit, dtype=np.int64)
    columns = np.empty(limit, dtype=np.int64)
    largest, pivot_row, pivot_column = 0.0, 0, 0
    for i in range(m):
        for j in range(n):
            size = abs(residual[i, j])
            if size > largest:
                largest, pivot_row, pivot_column = size, i, j
    column = np.empty(m)
    row = np.empty(n)
    taken = 0
    while taken < limit:
        pivot = residual[pivot_row, pivot_column]
        if not abs(pivot) > tolerance:
            break
        rows[taken], columns[taken] = pivot_row, pivot_column
        taken += 1
        for i in range(m):
            column[i] = residual[i, pivot_column]
        for j in range(n):
            row[j] = residual[pivot_row, j] / pivot
        largest, pivot_row, pivot_column = 0.0, 0, 0
        for i in range(m):
            factor = column[i]
            for j in range(n):
                value = residual[i, j] - factor * row[j]
                residual[i, j] = value
                size = abs(value)
                if size > largest:
                    largest, pivot_row, pivot_column = size, i, j
    return rows[:taken], columns[:taken], largest


__all__ = ["full_pivot_cross"]
